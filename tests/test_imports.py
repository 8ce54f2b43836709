"""The package's imports, read from its source: data flows one way, so no module imports (directly or
through others) a module that imports it; no module reaches into another's private names; and every
third-party package the code imports is declared in pyproject.toml.

Modules are found by walking woo_redact/ (sub-packages at any depth); every import counts, also one
inside a function or under `if TYPE_CHECKING`. `from .pkg import name` imports the package's __init__
(its re-export) unless `name` is a module of that package. Importing a sub-module also runs its
package's __init__ first; that implicit step is not an edge here (a package's __init__ re-exporting its
own modules, which import their siblings, is fine).
"""
from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "woo_redact"


@dataclass
class Module:
    name: str
    path: Path
    is_package: bool
    tree: ast.Module
    imports: set[str] = field(default_factory=set)  # modules of the package this one imports
    private: list[str] = field(default_factory=list)  # "line N: from .x import _y" and the like
    external: dict[str, int] = field(default_factory=dict)  # third-party top-level module → first line


def _modules() -> dict[str, Module]:
    out = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        name = ".".join(parts)
        out[name] = Module(name, path, is_package, ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return out


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _base(module: Module, node: ast.ImportFrom) -> str | None:
    """The absolute name of the module `from X import ...` reads from (None: not from the package)."""
    if node.level == 0:
        return node.module if node.module and (node.module + ".").startswith(PACKAGE + ".") else None
    parts = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    if node.level > 1:
        parts = parts[:-(node.level - 1)]
    assert parts, f"{module.path}:{node.lineno}: relative import beyond the package"
    return ".".join(parts + ([node.module] if node.module else []))


def _analyse(modules: dict[str, Module]) -> None:
    for m in modules.values():
        aliases: dict[str, str] = {}  # a local name → the package module it is bound to
        for node in ast.walk(m.tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    top = a.name.split(".")[0]
                    if top != PACKAGE:
                        m.external.setdefault(top, node.lineno)
                        continue
                    if a.name in modules:
                        m.imports.add(a.name)
                    if a.asname:
                        aliases[a.asname] = a.name
                    else:
                        aliases[top] = top
            elif isinstance(node, ast.ImportFrom):
                base = _base(m, node)
                if base is None:
                    if node.level == 0 and node.module:
                        m.external.setdefault(node.module.split(".")[0], node.lineno)
                    continue
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    if sub in modules:  # a module of the package itself
                        m.imports.add(sub)
                        aliases[a.asname or a.name] = sub
                    elif base in modules:
                        m.imports.add(base)
                    else:
                        raise AssertionError(f"{m.path}:{node.lineno}: imports from {base}, not a module of the package")
                    if _is_private(a.name):
                        m.private.append(f"line {node.lineno}: from {base} import {a.name}")
        for node in ast.walk(m.tree):  # x._y, where x is a module of the package this one imported
            if isinstance(node, ast.Attribute) and _is_private(node.attr):
                owner = _module_of(node.value, aliases, modules)
                if owner is not None and owner != m.name:
                    m.private.append(f"line {node.lineno}: {owner}.{node.attr}")
        m.imports.discard(m.name)


def _module_of(expr: ast.expr, aliases: dict[str, str], modules: dict[str, Module]) -> str | None:
    if isinstance(expr, ast.Name):
        return aliases.get(expr.id)
    if isinstance(expr, ast.Attribute):
        owner = _module_of(expr.value, aliases, modules)
        if owner is not None and f"{owner}.{expr.attr}" in modules:
            return f"{owner}.{expr.attr}"
    return None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """For each strongly connected group of more than one module (or a module importing itself), a
    shortest cycle through each of its modules: [a, b, ..., a] (duplicates left out)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(v: str) -> None:  # Tarjan; the package has few modules, recursion depth is no concern
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1 or v in graph[v]:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    out: list[list[str]] = []
    for group in groups:
        for start in sorted(group):
            cycle = _shortest_cycle(graph, group, start)[:-1]
            first = cycle.index(min(cycle))  # told from its first module by name
            cycle = cycle[first:] + cycle[:first] + [cycle[first]]
            if cycle not in out:
                out.append(cycle)
    return out


def _shortest_cycle(graph: dict[str, set[str]], group: set[str], start: str) -> list[str]:
    prev: dict[str, str | None] = {start: None}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & group):
                if w == start:
                    path = [v]
                    while prev[path[0]] is not None:
                        path.insert(0, prev[path[0]])
                    return path + [start]
                if w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"{start}: no way back inside its group")


def test_cycles_found_by_the_check():
    """The check itself: a cycle through three modules and a module importing itself are reported."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert sorted(_cycles(graph)) == [["a", "b", "c", "a"], ["e", "e"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
    # two cycles sharing a module: both named
    assert sorted(_cycles({"a": {"b", "c"}, "b": {"a"}, "c": {"a"}})) == [["a", "b", "a"], ["a", "c", "a"]]


def test_private_names_and_edges_found_by_the_check():
    """The check itself, on made-up modules: a private name imported, or reached as an attribute of an
    imported module (by alias, through a package, inside a function), is reported; a package's
    re-export is an edge to its __init__, a sub-module to the sub-module."""
    def module(name, source, is_package=False):
        return Module(name, Path(name.replace(".", "/") + ".py"), is_package, ast.parse(source))

    modules = {m.name: m for m in [
        module("woo_redact", ""),
        module("woo_redact.a", "from .b import _x, y\n"
                               "def f():\n    from . import b, pkg\n    return b._y, pkg.sub._z, pkg._w, b.__doc__\n"
                               "import woo_redact.b as c\nc._v\nimport numpy._core\n"),
        module("woo_redact.b", "from .pkg import thing\n"),
        module("woo_redact.pkg", "from .sub import thing\n", is_package=True),
        module("woo_redact.pkg.sub", "from .. import b\nfrom ..pkg import deeper\n"),
        module("woo_redact.pkg.deeper", "from ..b import _q\n"),
    ]}
    _analyse(modules)
    assert sorted(modules["woo_redact.a"].private) == sorted([
        "line 1: from woo_redact.b import _x", "line 4: woo_redact.b._y", "line 4: woo_redact.pkg.sub._z",
        "line 4: woo_redact.pkg._w", "line 6: woo_redact.b._v"])
    assert modules["woo_redact.a"].imports == {"woo_redact.b", "woo_redact.pkg"}
    assert modules["woo_redact.a"].external == {"numpy": 7}
    assert modules["woo_redact.b"].imports == {"woo_redact.pkg"}
    assert modules["woo_redact.pkg.sub"].imports == {"woo_redact.b", "woo_redact.pkg.deeper"}
    assert modules["woo_redact.pkg.deeper"].private == ["line 1: from woo_redact.b import _q"]
    graph = {name: m.imports for name, m in modules.items()}
    assert _cycles(graph) == [["woo_redact.b", "woo_redact.pkg", "woo_redact.pkg.sub", "woo_redact.b"],
                              ["woo_redact.b", "woo_redact.pkg", "woo_redact.pkg.sub", "woo_redact.pkg.deeper",
                               "woo_redact.b"]]


def test_relative_imports_resolve_at_any_depth():
    tree = ast.parse("from .. import x\nfrom ..y import z\nfrom . import w\nfrom .v import u\n")
    inner = Module("woo_redact.pkg.mod", Path("mod.py"), False, tree)
    init = Module("woo_redact.pkg", Path("__init__.py"), True, tree)
    nodes = tree.body
    assert [_base(inner, n) for n in nodes] == ["woo_redact", "woo_redact.y", "woo_redact.pkg", "woo_redact.pkg.v"]
    assert [_base(init, n) for n in nodes] == ["woo_redact", "woo_redact.y", "woo_redact.pkg", "woo_redact.pkg.v"]


def test_no_import_cycle():
    modules = _modules()
    _analyse(modules)
    assert len(modules) > 20  # the walk found the package
    graph = {name: m.imports & set(modules) for name, m in modules.items()}
    cycles = _cycles(graph)
    assert not cycles, "import cycles (each module imports the next):\n" + "\n".join(
        " -> ".join(c) for c in cycles)


def test_no_private_name_from_another_module():
    modules = _modules()
    _analyse(modules)
    found = [f"{m.path.relative_to(ROOT)} {p}" for m in modules.values() for p in m.private]
    assert not found, "private names used across modules (make them public, or move them):\n" + "\n".join(found)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_third_party_import_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    for extra, reqs in project.get("optional-dependencies", {}).items():
        if extra != "test":  # an extra the package itself uses (e.g. dask), not the tests' tools
            requirements += reqs
    declared = {_normalise(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r).group(0)) for r in requirements}
    distributions = importlib.metadata.packages_distributions()
    modules = _modules()
    _analyse(modules)
    missing = []
    for m in modules.values():
        for top, line in sorted(m.external.items()):
            if top in sys.stdlib_module_names or top == "__future__":
                continue
            dists = distributions.get(top)
            if not dists and _normalise(top) in declared:
                continue  # declared under its own name, not installed here
            if not dists:
                missing.append(f"{m.path.relative_to(ROOT)}:{line}: {top} (no installed distribution provides it)")
            elif not declared & {_normalise(d) for d in dists}:
                missing.append(f"{m.path.relative_to(ROOT)}:{line}: {top} (from {', '.join(sorted(set(dists)))})")
    assert not missing, "imported but not declared in pyproject.toml:\n" + "\n".join(missing)
