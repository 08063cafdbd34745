"""The no-op experiment of compare.sh, run with Optuna: TRIALS trials, each reporting STEPS
values with trial.report, stored in SQLite as Optuna users usually do. Prints one JSON line
with the wall time, so compare.sh can put it beside expman's."""

import json
import os
import sys
import tempfile
import time

import optuna


def main() -> None:
    trials, steps = int(sys.argv[1]), int(sys.argv[2])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        storage = "sqlite:///" + os.path.join(tmp, "optuna.db")
        study = optuna.create_study(study_name="noop", storage=storage)

        def objective(trial: optuna.Trial) -> float:
            for step in range(steps):
                trial.report(0.5, step)
            return 0.5

        start = time.perf_counter()
        study.optimize(objective, n_trials=trials)
        elapsed = time.perf_counter() - start
    print(json.dumps({"tool": "optuna", "version": optuna.__version__, "trials": trials, "steps": steps, "seconds": elapsed}))


if __name__ == "__main__":
    main()
