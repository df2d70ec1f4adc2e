#!/usr/bin/env python3
"""Two results.json of the same command (e.g. the README's first command run twice): are the work counts
identical, the work and instruction ratios within 1%, and every time ratio's interval overlapping?
Usage: compare-runs.py A/results.json B/results.json"""
import json
import sys
a=json.load(open(sys.argv[1]));b=json.load(open(sys.argv[2]))
ok=True
for x,y in zip(a['scenarios'],b['scenarios']):
    if x['work']!=y['work']: ok=False; print('WORK DIFF',x['name'])
    if 'instructions' not in x: print('no instructions', x['name'])
sa={(s['scenario'],s['metric'],s['basis']):s for s in a['savings']}
sb={(s['scenario'],s['metric'],s['basis']):s for s in b['savings']}
bad=0;n=0;maxd=0
for k,s in sa.items():
    t=sb.get(k)
    if not t: print('missing',k); ok=False; continue
    if k[2] in ('work','instructions'):
        d=abs(s['ratio']/t['ratio']-1); maxd=max(maxd,d)
        if d>0.01: print('RATIO DIFF',k,s['ratio'],t['ratio']); ok=False
    else:
        n+=1
        if s['low'] is None or t['low'] is None: print('no interval',k); continue
        if s['high']<t['low'] or t['high']<s['low']:
            bad+=1; print('NO OVERLAP',k,(round(s['low'],3),round(s['high'],3)),(round(t['low'],3),round(t['high'],3)))
print('time ratios',n,'non-overlapping',bad,'max work/instr ratio diff',maxd,'ok' if ok and bad==0 else 'FAIL')
