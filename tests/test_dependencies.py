"""Every third-party package the code imports is declared in pyproject.toml (a package that arrives only
through another one can go away with that one's next version)."""
import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imported() -> dict[str, set[str]]:
    """Top-level module → the files of woo_redact that import it."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / "woo_redact").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(path.relative_to(ROOT).as_posix())
    return found


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip())[0].lower().replace("_", "-")


def test_every_imported_package_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r) for r in project["dependencies"]}
    declared |= {_name(r) for extra in project.get("optional-dependencies", {}).values() for r in extra}
    distributions = packages_distributions()
    third_party = {m: files for m, files in _imported().items()
                   if m not in sys.stdlib_module_names and m != "woo_redact"}
    assert {"requests", "lxml", "pymupdf"} <= set(third_party)  # the scan sees the code's imports
    undeclared = [f"{m} ({', '.join(sorted(files))})" for m, files in sorted(third_party.items())
                  if not {d.lower().replace("_", "-") for d in distributions.get(m, [m])} & declared]
    assert undeclared == []
