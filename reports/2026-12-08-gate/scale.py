#!/usr/bin/env python3
"""Writes a copy of a results.json with every time-kind metric (kind `time` or `cpu_time`,
in `metrics`, `steps` and `reference_steps`) multiplied by FACTOR: samples, median, min, max,
low, high. Work and instruction counts are left as they are.
Usage: scale.py IN.json OUT.json FACTOR"""
import json
import sys

src, dst, factor = sys.argv[1], sys.argv[2], float(sys.argv[3])
r = json.load(open(src))
n = 0
for s in r["scenarios"]:
    for group in ("metrics", "steps", "reference_steps"):
        for m in s.get(group, {}).values():
            if m["kind"] in ("time", "cpu_time"):
                m["samples"] = [x * factor for x in m["samples"]]
                for k in ("median", "min", "max", "low", "high"):
                    if m.get(k) is not None:
                        m[k] *= factor
                n += 1
json.dump(r, open(dst, "w"), indent=1)
print(f"{dst}: {n} time metrics x{factor}", file=sys.stderr)
