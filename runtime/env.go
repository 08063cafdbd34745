package runtime

import "os"

// Env returns the environment for processes the run starts (exec.Cmd.Env): the program's
// own, plus CUDA_VISIBLE_DEVICES set to the run's GPU slot when it holds one, so that a
// training script started by the run sees only its GPU.
func (t *Trial[S]) Env() []string {
	env := os.Environ()
	if t.GPU != "" {
		// Later entries win in exec.Cmd, so appending overrides an inherited value.
		env = append(env, "CUDA_VISIBLE_DEVICES="+t.GPU)
	}
	return env
}
