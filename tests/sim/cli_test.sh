#!/usr/bin/env bash
# The wakusim command line end to end: help, the scenario list, the model's JSON, two runs that
# must replay bit for bit, an IDONTWANT threshold override, a spam attack that must not reach an
# application, and clear errors for a bad scenario name or duration. Usage: cli_test.sh path/to/wakusim. About 5 s of wall time.
set -euo pipefail

if [[ $# -ne 1 || ! -x "$1" ]]; then
  echo "usage: $0 path/to/wakusim" >&2
  exit 2
fi
wakusim=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Reads a top-level field of a summary.json.
summary_field() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

echo "--- help"
"$wakusim" --help >"$work/help.txt" || fail "wakusim --help exited $?"
grep -q "run" "$work/help.txt" || fail "wakusim --help does not mention run"
"$wakusim" run --help >"$work/run_help.txt" || fail "wakusim run --help exited $?"
grep -q -- "--scenario" "$work/run_help.txt" || fail "wakusim run --help does not list --scenario"

echo "--- scenarios"
"$wakusim" scenarios >"$work/scenarios.txt"
grep -qx "community-10k" "$work/scenarios.txt" || fail "community-10k not listed"
grep -qx "spam-attack" "$work/scenarios.txt" || fail "spam-attack not listed"

echo "--- model --json"
"$wakusim" model --json >"$work/model.json"
# The published model's headline: 817.25 MB/h of ingress per node at 10,000 nodes (Feb-2023
# case 4), 3.63 Mbps in + out.
python3 - "$work/model.json" <<'EOF' || fail "model --json: wrong or unparsable output"
import json, sys
model = json.load(open(sys.argv[1]))
results = model["published"]["results"]
total = results["case4_2023_mb_per_hour"]["total"]
assert abs(total - 817.25) < 0.01, total
assert abs(results["in_out_mbps"] - 3.632) < 0.001, results["in_out_mbps"]
EOF

echo "--- run twice: replays bit for bit"
for dir in run1 run2; do
  "$wakusim" run --scenario community-1k --nodes 150 --duration 3m --seed 3 \
    --out "$work/$dir" --quiet --no-plots >"$work/$dir.txt" || fail "run ($dir) exited $?"
done
digest1=$(summary_field "$work/run1/summary.json" digest)
digest2=$(summary_field "$work/run2/summary.json" digest)
[[ "$digest1" == "$digest2" ]] || fail "digests differ: $digest1 vs $digest2"
[[ "$digest1" =~ ^0x[0-9a-f]{16}$ ]] || fail "digest looks wrong: $digest1"
ratio=$(summary_field "$work/run1/summary.json" delivery_ratio)
[[ "$ratio" == "1.0" ]] || fail "delivery_ratio $ratio, expected 1.0"
published=$(summary_field "$work/run1/summary.json" messages_published)
((published > 0)) || fail "no message published"
lines=$(wc -l <"$work/run1/nodes.csv")
[[ "$lines" -eq 151 ]] || fail "nodes.csv has $lines lines, expected 151 (header + 150 nodes)"
cmp -s "$work/run1/nodes.csv" "$work/run2/nodes.csv" || fail "nodes.csv differs between runs"

echo "--- --idontwant-threshold"
# run1 used the profiles' 1 KiB threshold, so its 2 KB messages drew IDONTWANTs; above the
# message size there must be none, and the reproduce command must carry the override.
"$wakusim" run --scenario community-1k --nodes 150 --duration 3m --seed 3 \
  --idontwant-threshold 100000 --out "$work/no_idw" --quiet --no-plots >/dev/null ||
  fail "run with --idontwant-threshold exited $?"
idontwant_out() {
  python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["bandwidth_bps"]["member"]["app"]["out"]["by_kind"]["idontwant"]["mean"])' "$1"
}
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 0 else 1)' \
  "$(idontwant_out "$work/run1/summary.json")" || fail "run1 sent no IDONTWANT"
[[ "$(idontwant_out "$work/no_idw/summary.json")" == "0.0" ]] ||
  fail "IDONTWANT sent below --idontwant-threshold 100000"
grep -q -- "--idontwant-threshold 100000" <<<"$(summary_field "$work/no_idw/summary.json" reproduce)" ||
  fail "the reproduce command lacks --idontwant-threshold"

echo "--- spam attack"
# The scenario's attack runs from 2m to 8m; 9m leaves the 30 s after it in which every message
# must reach everyone (the convergence checker), and a 4m run is refused (attack.end after the
# end of the run).
status=0
"$wakusim" run --scenario spam-attack --nodes 150 --duration 9m \
  --out "$work/spam" --quiet --no-plots >"$work/spam.txt" || status=$?
[[ $status -eq 0 ]] || fail "spam-attack run exited $status (2 = a checker failed)"
invalid_published=$(summary_field "$work/spam/summary.json" invalid_published)
invalid_delivered=$(summary_field "$work/spam/summary.json" invalid_delivered)
((invalid_published > 1000)) || fail "only $invalid_published spam messages published"
[[ "$invalid_delivered" -eq 0 ]] || fail "$invalid_delivered spam messages reached applications"

echo "--- errors"
status=0
"$wakusim" run --scenario no-such-scenario --quiet >/dev/null 2>"$work/err1.txt" || status=$?
[[ $status -eq 1 ]] || fail "unknown scenario exited $status, expected 1"
grep -q "community-10k" "$work/err1.txt" || fail "unknown scenario: message does not list the builtins"
grep -q "no-such-scenario" "$work/err1.txt" || fail "unknown scenario: message does not name it"

status=0
"$wakusim" run --scenario community-1k --duration banana --quiet >/dev/null 2>"$work/err2.txt" ||
  status=$?
[[ $status -eq 1 ]] || fail "--duration banana exited $status, expected 1"
grep -q -- "--duration" "$work/err2.txt" || fail "--duration banana: message does not name the option"
grep -q "banana" "$work/err2.txt" || fail "--duration banana: message does not quote the value"

status=0
"$wakusim" run --scenario spam-attack --duration 4m --quiet >/dev/null 2>"$work/err3.txt" ||
  status=$?
[[ $status -eq 1 ]] || fail "spam-attack in 4m exited $status, expected 1"
grep -q "attack.end" "$work/err3.txt" || fail "spam-attack in 4m: message does not name attack.end"

status=0
"$wakusim" model --no-idontwant --idontwant-threshold 4096 >/dev/null 2>"$work/err4.txt" ||
  status=$?
[[ $status -eq 1 ]] || fail "conflicting model options exited $status, expected 1"
grep -q -- "--no-idontwant excludes --idontwant-threshold" "$work/err4.txt" ||
  fail "conflicting model options: message does not name both"

echo "PASS"
