import json,collections,statistics,sys
rows=[json.loads(l) for l in open(sys.argv[1] if len(sys.argv) > 1 else 'runs.jsonl')]
by=collections.defaultdict(list)
for r in rows: by[(r['scenario'],r['bin'])].append(r['r'])
scen=[]
for r in rows:
    if r['scenario'] not in scen: scen.append(r['scenario'])
def med(v): return statistics.median(v) if v else None
def f(x,d=1): return '-' if x is None else (f'{x:,.{d}f}')
A='maxeb-37e9512'; B='maxeb-620a5f8'
print('| scenario | active | reference epoch | fast epoch before -> now (min-max now) | sync step before -> now | warm root before -> now | cold root before -> now | 32 slots before -> now | cache build now (of which sync draw) | post roots equal |')
print('|---|---|---|---|---|---|---|---|---|---|')
for s in scen:
    a=by[(s,A)]; b=by[(s,B)]; ref=by[(s,'reference')]
    if not a or not b: continue
    def m(rs,key): return med([x[key] for x in rs if x.get(key) is not None])
    ea=med([x['process_epoch']['median_ms'] for x in a]); eb=med([x['process_epoch']['median_ms'] for x in b])
    lo=min(x['process_epoch']['min_ms'] for x in b); hi=max(x['process_epoch']['max_ms'] for x in b)
    sa=med([x['steps'].get('sync_committee_updates',0) for x in a]); sb=med([x['steps'].get('sync_committee_updates',0) for x in b])
    roots=set(x['post_state_root'] for x in a+b)
    la=[x.get('sync_lookahead_ms') for x in b if x.get('sync_lookahead_ms') is not None]
    rf=med([x['process_epoch']['median_ms'] for x in ref]) if ref else None
    refroot = ref[0]['post_state_root'] if ref else None
    eq = 'yes' if len(roots)==1 and (refroot is None or refroot in roots) else 'NO %s'%roots
    print(f"| {s} | {b[0]['active_validators']:,} | {f(rf,0)} | {f(ea,2)} -> {f(eb,2)} ({f(lo,1)}-{f(hi,1)}) | {f(sa,2)} -> {f(sb,2)} | {f(m(a,'state_root_warm_ms'))} -> {f(m(b,'state_root_warm_ms'))} | {f(m(a,'state_root_cold_ms'),0)} -> {f(m(b,'state_root_cold_ms'),0)} | {f(m(a,'slots_32_ms'))} -> {f(m(b,'slots_32_ms'))} | {f(m(b,'cache_build_ms'),0)}{' (%s)'%f(med(la),0) if la else ''} | {eq} |")
print()
for s in scen:
    b=by[(s,B)]
    if not b: continue
    x=b[0]
    print(s, 'ssz', x['ssz_bytes'], 'cache_bytes', x['cache_bytes'], 'peak', max(y['peak_rss_bytes'] for y in b), 'load', med([y['load_ms'] for y in b]), 'kernel', x.get('sha256_kernel'), 'steps', {k: round(v,2) for k,v in x['steps'].items() if v>0.3})
