#!/usr/bin/env bash
# N runs of the same build's `maxeb report` on the whole small family (8 scenarios, interleaved
# rounds, default cap and budget; no signatures or instruction counts, which the time gate does
# not read), with one CPU hog beside them; load average logged per run.
# Usage: reports/2026-12-08-gate/runs-family.sh N OUT
set -euo pipefail
N=$1 OUT=$2
mkdir -p "$OUT"
cp target/release/maxeb "$OUT/maxeb-a"
( while :; do :; done ) &
HOG=$!
trap 'kill $HOG' EXIT
for r in $(seq 1 "$N"); do
  start=$(date +%s.%N)
  "$OUT/maxeb-a" report --no-sigs --no-instructions --out "$OUT/r$r" >/dev/null 2>"$OUT/r$r.err"
  echo "run $r $(date +%T) $(echo "$(date +%s.%N) - $start" | bc) s load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/rounds.log" >&2
done
