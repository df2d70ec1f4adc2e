#!/usr/bin/env bash
# N rounds of the same build's `maxeb report --scenarios small --no-sigs --runs 15`, with one CPU
# hog running beside them on the 2-core machine; load average logged per round.
# Usage: reports/2026-12-08-gate/runs.sh N OUT
set -euo pipefail
N=$1 OUT=$2
mkdir -p "$OUT"
cp target/release/maxeb "$OUT/maxeb-a"
( while :; do :; done ) &
HOG=$!
trap 'kill $HOG' EXIT
for r in $(seq 1 "$N"); do
  start=$(date +%s.%N)
  "$OUT/maxeb-a" report --scenarios small --no-sigs --runs 15 --out "$OUT/r$r" >/dev/null 2>"$OUT/r$r.err"
  echo "round $r $(date +%T) $(echo "$(date +%s.%N) - $start" | bc) s load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/rounds.log" >&2
done
