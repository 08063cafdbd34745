#!/usr/bin/env bash
# Runs the same no-op experiment with expman and with Optuna (Debian's python3-optuna,
# SQLite storage, one trial.report per step) and prints the cost per trial and per metric
# value side by side, with their ratio.
#
#   examples/compare-optuna/compare.sh [TRIALS] [STEPS]
#
# Needs: apt-get install python3-optuna. Run from anywhere in the repository.
set -euo pipefail
trials=${1:-200}
steps=${2:-100}
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3 # Debian's interpreter, which has Debian's optuna
if ! "$py" -c 'import optuna' 2>/dev/null; then
	echo "compare.sh: Optuna is missing; install it with: apt-get install python3-optuna" >&2
	exit 1
fi
bin=$(mktemp -d)/compare-optuna
trap 'rm -rf "$(dirname "$bin")"' EXIT
(cd "$here" && go build -o "$bin" .)

{
	"$bin" "$trials" 0
	"$bin" "$trials" "$steps"
	"$py" "$here/optuna_noop.py" "$trials" 0
	"$py" "$here/optuna_noop.py" "$trials" "$steps"
} | "$py" -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
t = {(r["tool"], r["steps"]): r for r in rows}
trials = rows[0]["trials"]
steps = max(r["steps"] for r in rows)
def costs(tool):
    bare, full = t[(tool, 0)]["seconds"], t[(tool, steps)]["seconds"]
    return bare / trials, max(full - bare, 0) / (trials * steps)
e, o = costs("expman"), costs("optuna")
ver = t[("optuna", 0)]["version"]
print("no-op experiment: %d trials, %d metric values each (optuna %s, sqlite)" % (trials, steps, ver))
print("%-20s%12s%12s%16s" % ("", "expman", "optuna", "optuna/expman"))
print("%-20s%10.3fms%10.3fms%15.1fx" % ("per trial", e[0]*1e3, o[0]*1e3, o[0]/e[0]))
print("%-20s%10.3fus%10.3fus%15.1fx" % ("per metric value", e[1]*1e6, o[1]*1e6, o[1]/max(e[1], 1e-12)))
'
