// Package nn is a small multilayer perceptron in pure Go, written to be read: the network the
// expman example trains, with nothing but the standard library.
//
// It has four parts:
//
//   - Data: Spirals makes a labelled data set of interleaved spiral arms in the plane, a classic
//     problem that a straight line cannot solve but a small network can; Dataset.Split shuffles
//     it into a training and a test set.
//   - Model: New builds dense layers with ReLU between them and softmax on top, with He and
//     Xavier initial weights.
//   - Training: Network.Train runs mini-batch gradient descent with the Adam optimiser on the
//     cross-entropy loss, reporting the loss and accuracy of every epoch to a callback.
//   - Use: Network.Predict classifies one point, Network.Accuracy scores a data set.
//
// # Determinism
//
// Every random choice (the data's noise, the split, the initial weights, the order of the
// points in each epoch) comes from a *rand.Rand the caller passes in, and the arithmetic runs
// in a fixed order on one goroutine. The same seeds therefore give the same loss curve and the
// same accuracy, bit for bit, on every run on the same platform. (Other architectures may fuse
// multiply-adds differently and so differ in the last bits.)
//
// # Errors
//
// Nothing here panics on bad input. New and Spirals cannot fail by their signatures, so they
// hand their problem on: an invalid network or an empty data set makes Train return a
// *ConfigError, which lists every problem with the network, the TrainConfig and the data at
// once. Train returns ctx.Err() when its context ends, and an error wrapping ErrDiverged when
// the loss stops being finite.
//
// # Performance
//
// Weights live in one flat slice, each layer's matrix stored row by row, and a pass works on a
// whole batch with buffers allocated once per Train call, so the inner loops are plain dot
// products and scaled additions over contiguous memory. One epoch of 800 points through a
// 2-256-128-64-2 network takes about 50 ms on one core.
package nn
