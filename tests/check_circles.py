#!/usr/bin/python3
"""lint.no_circles (issue 11): no two files of one folder call each other,
directly or round a longer circle. Read from the symbols of the built
objects (nm): prints each circle, exits 1 if there is one."""
import collections, glob, os, subprocess, sys
root = sys.argv[1] if len(sys.argv) > 1 else "build"
objs = [o for o in glob.glob(os.path.join(root, "**/*.c.o"), recursive=True)
        if "/tests/" not in o and "/bench/" not in o]
defs, undefs = {}, {}
for o in objs:
    # build/planner/CMakeFiles/planner_core.dir/carpool/x.c.o -> planner/carpool/x.c
    top = os.path.relpath(o, root).split("/CMakeFiles/")[0]
    src = os.path.normpath(os.path.join(top, o.split(".dir/")[-1][:-2]))
    d, u = set(), set()
    for line in subprocess.run(["nm", o], capture_output=True, text=True).stdout.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in "TDBR":
            d.add(p[2])
        elif len(p) == 2 and p[0] == "U":
            u.add(p[1])
    defs[src], undefs[src] = d, u
owner = {s: f for f, d in defs.items() for s in d}
g = collections.defaultdict(set)
for f, u in undefs.items():
    for s in u:
        t = owner.get(s)
        if t and t != f and os.path.dirname(t) == os.path.dirname(f):
            g[f].add(t)
index, low, stack, on, found = {}, {}, [], set(), []
def visit(v):
    index[v] = low[v] = len(index); stack.append(v); on.add(v)
    for w in g[v]:
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            found.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in list(defs):
    if v not in index:
        visit(v)
for c in found:
    print("circle:", " ".join(c))
print(len(objs), "objects,", len(found), "circles")
sys.exit(1 if found else 0)
