#!/usr/bin/env python3
"""Exit codes of `maxeb gate` on real runs of one build (A) made by runs.sh, and on copies with
every time metric scaled (scale.py). Prints the markdown tables of README.md.
Usage: measure.py GATE_BINARY RUNS_DIR N   (RUNS_DIR/r1..rN/results.json)"""
import collections
import itertools
import json
import os
import subprocess
import sys

gate, d, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
here = os.path.dirname(os.path.abspath(__file__))
f = lambda r: f"{d}/r{r}/results.json"


def scaled(r, k):
    out = f"{d}/r{r}/x{k}.json"
    if not os.path.exists(out):
        subprocess.run([sys.executable, f"{here}/scale.py", f(r), out, str(k)], check=True,
                       capture_output=True)
    return out


def decide(base, cur):
    extra = ["--large-effect", os.environ["LARGE"]] if os.environ.get("LARGE") else []
    p = subprocess.run([gate, "gate", "--json", *extra, "--baseline", *base, "--current", *cur],
                       capture_output=True, text=True)
    if p.returncode not in (0, 1, 3):
        sys.exit(f"gate exit {p.returncode}: {p.stderr.strip()}")
    return p.returncode, json.loads(p.stdout)


def line(name, codes, extra=""):
    c = collections.Counter(codes)
    print(f"| {name} | {len(codes)} | {c[0]} | {c[1]} | {c[3]} |{extra}")


print("| comparison | decisions | exit 0 | exit 1 | exit 3 |")
print("|---|---|---|---|---|")
odd, even = range(1, n + 1, 2), range(2, n + 1, 2)
pairs = list(zip(odd, even))
# One round per side: consecutive runs (i, i+1), and every ordered pair of distinct runs.
line("A vs A, 1 round per side, consecutive runs (r1 r2, r3 r4, ...)",
     [decide([f(a)], [f(b)])[0] for a, b in pairs])
allpairs = [decide([f(a)], [f(b)]) for a, b in itertools.permutations(range(1, n + 1), 2)]
effects = sorted(j["round_effects"][0] for _, j in allpairs if j["round_effects"][0] is not None)
line("A vs A, 1 round per side, every ordered pair", [c for c, _ in allpairs],
     "")
line("A vs A, the same file on both sides", [decide([f(a)], [f(a)])[0] for a in range(1, n + 1)])
k = int(os.environ.get("K", "10"))
windows = [(odd[s:s + k], even[s:s + k]) for s in range(0, len(pairs) - k + 1)]
line(f"A vs A, {k} rounds per side (odd vs even runs, sliding)",
     [decide([f(a) for a in b], [f(c) for c in cu])[0] for b, cu in windows])
for x in (2, 1.3):
    line(f"A vs {x}x A, 1 round per side (r_i vs r_(i+1) x{x})",
         [decide([f(a)], [scaled(b, x)])[0] for a, b in pairs])
    line(f"A vs {x}x A, 1 round per side, the same run scaled",
         [decide([f(a)], [scaled(a, x)])[0] for a in range(1, n + 1)])
    line(f"A vs {x}x A, {k} rounds per side (sliding)",
         [decide([f(a) for a in b], [scaled(c, x) for c in cu])[0] for b, cu in windows])
q = lambda p: effects[min(len(effects) - 1, int(p * len(effects)))]
print(f"\nround effect over every ordered A-vs-A pair ({len(effects)}): median {q(0.5)*100:+.1f}%, "
      f"p99 {q(0.99)*100:+.1f}%, max {effects[-1]*100:+.1f}% (large-effect level {os.environ.get('LARGE', '50%')})")
