#!/usr/bin/env python3
"""check-deps.py - the folder dependency rule: no loops between folders.

Reads the built objects (run after `make`): a folder depends on another when
one of its objects uses a symbol that one of the other's defines (nm).
Prints the folder graph and every edge that closes a loop; exit 1 if any.
docs/architecture.md explains the rule.
"""
import subprocess, os, collections, sys
objs=subprocess.run("find build/agent build/probes -name '*.o'",shell=True,capture_output=True,text=True).stdout.split()
def folder(o):
    parts=o[len('build/'):].split('/')
    if parts[0]=='probes': return 'probes'
    if parts[1]=='cluster' and len(parts)>3: return 'cluster/'+parts[2]
    return parts[1]
defs={}; und=collections.defaultdict(set)
for o in objs:
    if not os.path.exists(o[len('build/'):-2]+'.c'): continue
    for line in subprocess.run(['nm',o],capture_output=True,text=True).stdout.splitlines():
        f=line.split()
        if len(f)==3 and f[1] in 'TDRB': defs[f[2]]=folder(o)
        elif len(f)==2 and f[0]=='U': und[folder(o)].add(f[1])
g=collections.defaultdict(set); why=collections.defaultdict(set)
for fo,syms in und.items():
    for s in syms:
        if s in defs and defs[s]!=fo: g[fo].add(defs[s]); why[(fo,defs[s])].add(s)
for k in sorted(g): print(k,'->',' '.join(sorted(g[k])))
def reach(a):
    seen=set();st=[a]
    while st:
        x=st.pop()
        for y in g.get(x,()):
            if y not in seen: seen.add(y);st.append(y)
    return seen
bad=0
for a in sorted(g):
    for b in sorted(g[a]):
        if a in reach(b): bad=1; print('LOOP edge',a,'->',b,sorted(why[(a,b)])[:6])
print('no loops between folders' if not bad else 'loops between folders')
sys.exit(bad)
