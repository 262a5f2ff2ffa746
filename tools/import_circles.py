"""Count the import circles in a package, lazy (function-level) imports included.

    python tools/import_circles.py [pyimagesearch]

Prints each circle (a strongly connected group of modules) and their number.
"""
import ast
import os
import sys

sys.setrecursionlimit(10000)
root = sys.argv[1] if len(sys.argv) > 1 else "pyimagesearch"
mods = {}
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith(".py"):
            p = os.path.join(d, f)
            name = p[:-3].replace(os.sep, ".")
            if name.endswith(".__init__"): name = name[:-9]
            mods[name] = p
graph = {m: set() for m in mods}
for m, p in mods.items():
    pkg = m if p.endswith("__init__.py") else m.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(open(p).read())):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[:len(base) - node.level + 1]
                b = ".".join(base + ([node.module] if node.module else []))
            else:
                b = node.module or ""
            targets = [b] + [b + "." + a.name for a in node.names]
        for t in targets:
            # a module's own parent packages are imported before it anyway: no circle
            if t in graph and t != m and not m.startswith(t + "."):
                graph[m].add(t)
# Tarjan SCC
index, low, stack, on, sccs, i = {}, {}, [], set(), [], [0]
def sc(v):
    index[v] = low[v] = i[0]; i[0] += 1; stack.append(v); on.add(v)
    for w in graph[v]:
        if w not in index: sc(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(comp)
for v in graph:
    if v not in index: sc(v)
for c in sccs: print("cycle:", sorted(c))
print(len(sccs), "import circles")
