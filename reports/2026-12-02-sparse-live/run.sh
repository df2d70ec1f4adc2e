#!/bin/bash
# Interleaved A/B of the fast path per scenario, plus one reference series; JSON lines to $OUT.
OUT=${OUT:-runs.jsonl}
A=${A:?before binary}
B=${B:?after binary}
SCEN="tiny mainnet-2026 mainnet-2026-consolidated-25 mainnet-2026-consolidated-50 mainnet-2026-consolidated-75 mainnet-2026-consolidated-max mainnet-2026-consolidated-max-fresh mainnet-2026-sync-boundary mainnet-2026-consolidated-max-sync-boundary leak mass-slashing exit-wave"
for round in 1 2; do
  for s in $SCEN; do
    if [ "$s" = tiny ]; then src="--scenario tiny"; runs=15; else src="--pre ${FIXTURES:?folder of fixture .ssz files}/$s.ssz"; runs=9; fi
    for bin in $A $B; do
      line=$($bin epoch $src --runs $runs --json 2>/dev/null)
      echo "{\"round\":$round,\"scenario\":\"$s\",\"bin\":\"$(basename $bin)\",\"r\":$line}" >> $OUT
    done
  done
done
for s in $SCEN; do
  if [ "$s" = tiny ]; then src="--scenario tiny"; else src="--pre ${FIXTURES:?folder of fixture .ssz files}/$s.ssz"; fi
  line=$($B epoch $src --reference --runs 3 --no-slots --json 2>/dev/null)
  echo "{\"round\":0,\"scenario\":\"$s\",\"bin\":\"reference\",\"r\":$line}" >> $OUT
done
