"""Count the import circles in a package, lazy (function-level) imports included.

    python tools/import_circles.py [pyimagesearch]

Prints each circle (modules that import each other, directly or through others) and
their number; exit status 1 when there is one, 2 when the package cannot be read.
A module's own parent packages do not count: Python imports them before the module
anyway.
"""
import argparse
import ast
import os
import sys


def modules(root):
    """{dotted module name: file path} of every .py file below ``root``."""
    found = {}
    top = os.path.dirname(os.path.abspath(root))
    for folder, _, names in os.walk(root):
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                dotted = os.path.relpath(path, top)[:-3].replace(os.sep, ".")
                found[dotted.removesuffix(".__init__")] = path
    return found


def imported(module, path):
    """The dotted names an import statement anywhere in the file may load."""
    package = module if path.endswith("__init__.py") else module.rsplit(".", 1)[0]
    tree = _parsed(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _parsed(path):
    """The syntax tree of a module; a ValueError that names the file when it cannot be read."""
    try:
        with open(path, encoding="utf-8") as f:
            return ast.parse(f.read(), filename=path)
    except SyntaxError as e:
        raise ValueError(f"{path}:{e.lineno}: not Python ({e.msg})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: cannot read it ({getattr(e, 'strerror', None) or e})") from None


def import_graph(root):
    found = modules(root)
    return {module: {target for target in imported(module, path)
                     if target in found and target != module and not module.startswith(target + ".")}
            for module, path in found.items()}


def circles(graph):
    """Groups of more than one module that reach each other (Tarjan's algorithm)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                groups.append(sorted(group))

    for module in graph:
        if module not in index:
            visit(module)
    return groups


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("package", nargs="?", default="pyimagesearch",
                        help="folder of the package to check (default: %(default)s)")
    args = parser.parse_args(argv)
    if not os.path.isfile(os.path.join(args.package, "__init__.py")):
        print(f"[ERROR] {args.package}: not a package folder (no __init__.py)", file=sys.stderr)
        return 2
    try:
        found = circles(import_graph(args.package))
    except ValueError as e:
        print(f"[ERROR] {e}", file=sys.stderr)
        return 2
    for group in found:
        print("circle:", " <-> ".join(group))
    print(f"{len(found)} import circles")
    return 1 if found else 0


if __name__ == "__main__":
    sys.setrecursionlimit(10000)
    sys.exit(main())
