"""The publication stage's modules: imports point one way (no cycle) and no private name crosses a module."""
import ast
from pathlib import Path

import woo_redact

PUBLICATION = Path(woo_redact.__file__).parent / "publication"


def _graph(package: Path) -> dict[str, dict[str, list[str]]]:
    """module → {module of the same package it imports from: the names it imports}, at any depth."""
    graph: dict[str, dict[str, list[str]]] = {}
    for path in sorted(package.glob("*.py")):
        if path.stem == "__init__":
            continue
        imports = graph.setdefault(path.stem, {})
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    imports.setdefault(node.module.split(".")[0], []).extend(a.name for a in node.names)
                else:  # from . import x
                    for a in node.names:
                        imports.setdefault(a.name, [])
    return graph


def private_imports(package: Path) -> list[str]:
    return [f"{module} imports {name} from {source}" for module, imports in _graph(package).items()
            for source, names in imports.items() for name in names if name.startswith("_")]


def cycles(package: Path) -> list[list[str]]:
    graph = {m: [s for s in imports if s != m] for m, imports in _graph(package).items()}
    found, state = [], {}  # state: 1 on the path, 2 done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for nxt in graph.get(module, []):
            if state.get(nxt) == 1:
                found.append(path[path.index(nxt):] + [module, nxt] if nxt in path else [module, nxt])
            elif nxt not in state:
                visit(nxt, path + [module])
        state[module] = 2

    for module in graph:
        if module not in state:
            visit(module, [])
    return found


def test_publication_has_one_module_per_job_and_the_old_modules_are_gone():
    assert {"bundle", "describe", "textversions", "diwoo", "sitemaps", "inventory", "leesmij", "check",
            "publish", "gpp"} <= set(_graph(PUBLICATION))
    for old in ("package.py", "publish.py", "gpp.py"):
        assert not (PUBLICATION.parent / old).exists(), old


def test_no_private_name_imported_across_publication_modules():
    assert private_imports(PUBLICATION) == []


def test_no_import_cycle_in_publication():
    assert cycles(PUBLICATION) == []


def test_a_private_import_and_a_cycle_are_found(tmp_path):
    (tmp_path / "a.py").write_text("from .b import _hidden\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("def f():\n    from .c import thing\n", encoding="utf-8")
    (tmp_path / "c.py").write_text("from . import a\n", encoding="utf-8")
    assert private_imports(tmp_path) == ["a imports _hidden from b"]
    assert cycles(tmp_path) == [["a", "b", "c", "a"]]
