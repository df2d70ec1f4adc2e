# The report's table from runs.jsonl (run.sh): medians of the round medians, min-max over all
# "now" runs. Usage: python3 table.py [runs.jsonl] [BEFORE_BIN] [AFTER_BIN]
import json, collections, statistics, sys
path = sys.argv[1] if len(sys.argv) > 1 else 'runs.jsonl'
A = sys.argv[2] if len(sys.argv) > 2 else 'maxeb-base'
B = sys.argv[3] if len(sys.argv) > 3 else 'maxeb-slot'
rows = [json.loads(l) for l in open(path)]
by = collections.defaultdict(list)
scen = []
for r in rows:
    by[(r['scenario'], r['bin'])].append(r['r'])
    if r['scenario'] not in scen:
        scen.append(r['scenario'])
def med(v): return statistics.median(v) if v else None
def f(x, d=1): return '-' if x is None else f'{x:,.{d}f}'
def m(rs, key): return med([x[key] for x in rs if x.get(key) is not None])
def step(rs, name): return med([x['steps'].get(name, 0) for x in rs])
print('| scenario | active | reference epoch | fast epoch before -> now (min-max now) | scan before -> now | pass before -> now | pending deposits before -> now | warm root before -> now | cold root before -> now | 32 slots before -> now | cache MB before -> now | post roots equal |')
print('|---|---|---|---|---|---|---|---|---|---|---|---|')
for s in scen:
    a, b, ref = by[(s, A)], by[(s, B)], by[(s, 'reference')]
    if not a or not b:
        continue
    ea = med([x['process_epoch']['median_ms'] for x in a])
    eb = med([x['process_epoch']['median_ms'] for x in b])
    lo = min(x['process_epoch']['min_ms'] for x in b)
    hi = max(x['process_epoch']['max_ms'] for x in b)
    roots = set(x['post_state_root'] for x in a + b)
    rf = med([x['process_epoch']['median_ms'] for x in ref]) if ref else None
    refroot = ref[0]['post_state_root'] if ref else None
    eq = 'yes' if len(roots) == 1 and (refroot is None or refroot in roots) else 'NO %s' % roots
    ca, cb = m(a, 'cache_bytes'), m(b, 'cache_bytes')
    print(f"| {s} | {b[0]['active_validators']:,} | {f(rf, 0)} | {f(ea, 2)} -> {f(eb, 2)} ({f(lo, 1)}-{f(hi, 1)}) "
          f"| {f(step(a, 'scan'), 2)} -> {f(step(b, 'scan'), 2)} | {f(step(a, 'single_pass'), 2)} -> {f(step(b, 'single_pass'), 2)} "
          f"| {f(step(a, 'pending_deposits'), 3)} -> {f(step(b, 'pending_deposits'), 3)} "
          f"| {f(m(a, 'state_root_warm_ms'))} -> {f(m(b, 'state_root_warm_ms'))} | {f(m(a, 'state_root_cold_ms'), 0)} -> {f(m(b, 'state_root_cold_ms'), 0)} "
          f"| {f(m(a, 'slots_32_ms'))} -> {f(m(b, 'slots_32_ms'))} | {f(ca / 1e6, 1)} -> {f(cb / 1e6, 1)} | {eq} |")
print()
for s in scen:
    b = by[(s, B)]
    if not b:
        continue
    per_round = collections.defaultdict(dict)
    for r in rows:
        if r['scenario'] == s and r['bin'] in (A, B):
            per_round[r['round']][r['bin']] = r['r']['process_epoch']['median_ms']
    rounds = ' / '.join(f"{f(v.get(A), 2)} -> {f(v.get(B), 2)}" for _, v in sorted(per_round.items()))
    x = b[0]
    print(f"- {s}: per round {rounds}; peak RSS {x['peak_rss_bytes'] / 1e9:.2f} GB, load {f(m(b, 'load_ms'), 0)} ms, cache build {f(m(b, 'cache_build_ms'), 0)} ms")
