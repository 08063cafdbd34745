#!/usr/bin/env python3
"""Logistic regression in plain Python (standard library only), run by expman run.

expman starts this script once for every repeat of every trial, in the repeat's folder,
and tells it everything through the environment:

  EXPMAN_SETTINGS_FILE  the run's resolved settings, as JSON
  EXPMAN_SEED           the run's seed: different for every repeat, the same every time
  EXPMAN_METRICS_FILE   append one JSON line per metric point; expman records them
  EXPMAN_ARTIFACTS_DIR  the folder for files the run produces

The script prints progress to stdout (saved in logs/stdout.log) and exits with status 0
when done; any other status, or an exception, fails the run.
"""

import json
import math
import os
import random
import sys


def main():
    settings_file = os.environ.get("EXPMAN_SETTINGS_FILE")
    if not settings_file:
        sys.exit("train.py: EXPMAN_SETTINGS_FILE is not set; run me with expman run "
                 "(see examples/python/README.md)")
    with open(settings_file) as f:
        s = json.load(f)
    seed = int(os.environ.get("EXPMAN_SEED", "0"))

    data = s["data"]
    train, test = make_data(data["points"], data["noise"], random.Random(data["seed"]))
    rng = random.Random(seed)  # weights and shuffling: what differs between repeats
    w = [rng.gauss(0.0, 0.1) for _ in range(3)]  # x1, x2, bias

    # Line buffered and opened for appending: every point reaches the file at once, and
    # nothing written before is lost.
    with open(os.environ["EXPMAN_METRICS_FILE"], "a", buffering=1) as metrics:
        def log(name, value, step=None):
            point = {"name": name, "value": value}
            if step is None:
                point["summary"] = True
            else:
                point["step"] = step
            metrics.write(json.dumps(point) + "\n")

        for epoch in range(1, s["epochs"] + 1):
            rng.shuffle(train)
            for i in range(0, len(train), s["batch_size"]):
                step(w, train[i:i + s["batch_size"]], s["learning_rate"], s["l2"])
            loss = log_loss(w, train)
            log("loss", loss, epoch)
            print(f"epoch {epoch}: loss {loss:.4f}")

        acc = accuracy(w, test)
        log("test_accuracy", acc)
        log("test_loss", log_loss(w, test))
        print(f"test accuracy {acc:.3f}")

    artifacts = os.environ.get("EXPMAN_ARTIFACTS_DIR", ".")
    with open(os.path.join(artifacts, "weights.json"), "w") as f:
        json.dump({"w1": w[0], "w2": w[1], "bias": w[2]}, f)


def make_data(points, noise, rng):
    """Two blobs around (-1,-1) (class 0) and (1,1) (class 1); 80% train, 20% test."""
    rows = []
    for i in range(points):
        label = i % 2
        centre = 1.0 if label else -1.0
        rows.append((rng.gauss(centre, noise), rng.gauss(centre, noise), label))
    rng.shuffle(rows)
    cut = points * 4 // 5
    return rows[:cut], rows[cut:]


def predict(w, x1, x2):
    z = w[0] * x1 + w[1] * x2 + w[2]
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def step(w, batch, lr, l2):
    g = [0.0, 0.0, 0.0]
    for x1, x2, y in batch:
        err = predict(w, x1, x2) - y
        g[0] += err * x1
        g[1] += err * x2
        g[2] += err
    n = len(batch)
    w[0] -= lr * (g[0] / n + l2 * w[0])
    w[1] -= lr * (g[1] / n + l2 * w[1])
    w[2] -= lr * g[2] / n


def log_loss(w, rows):
    eps = 1e-12
    total = 0.0
    for x1, x2, y in rows:
        p = min(max(predict(w, x1, x2), eps), 1 - eps)
        total -= y * math.log(p) + (1 - y) * math.log(1 - p)
    return total / len(rows)


def accuracy(w, rows):
    right = sum(1 for x1, x2, y in rows if (predict(w, x1, x2) >= 0.5) == (y == 1))
    return right / len(rows)


if __name__ == "__main__":
    main()
