"""Decide once for a person: OUT_DIR/people.yaml holds reviewers' decisions about people, applied to
every mention in every document of the batch on its next run.

    people:
      - {name: Noor Haddou, decision: keep}      # e.g. a spokesperson who appears in public
      - {name: Twan Quaedvlieg, decision: redact}
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import yaml

from ..errors import RulesError
from ..detect.names import parse_name, strip_honorifics

FILE = "people.yaml"
DECISIONS = ("keep", "redact")


def person_key(name: str) -> str | None:
    """Surname with particles plus first initial, lower-case: "Noor Haddou" → "haddou|n"."""
    parsed = parse_name(" ".join(strip_honorifics(name.split())))
    if parsed is None or not parsed.surname:
        return None
    initial = (parsed.first[0][0] if parsed.first else parsed.initials[:1]).lower()
    return f"{parsed.full_surname.lower()}|{initial}"


def load_people(out_dir: Path) -> dict[str, tuple[str, str]]:
    """person key → (decision, name as written) from OUT_DIR/people.yaml (empty when absent)."""
    path = Path(out_dir) / FILE
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise RulesError(f"{path}: invalid YAML: {e}") from None
    out = {}
    for entry in data.get("people") or []:
        if not isinstance(entry, dict) or entry.get("decision") not in DECISIONS or not isinstance(entry.get("name"), str):
            raise RulesError(f"{path}: every entry needs a 'name' and a 'decision' (keep or redact): {entry!r}")
        key = person_key(entry["name"])
        if key is None:
            raise RulesError(f"{path}: {entry['name']!r} is not shaped like a person's name")
        out[key] = (entry["decision"], entry["name"])
    return out


def decide_person(out_dir: Path, name: str, decision: str) -> None:
    """Record (or change) the decision about one person."""
    if decision not in DECISIONS:
        raise ValueError(decision)
    key = person_key(name)
    if key is None:
        raise RulesError(f"{name!r} is not shaped like a person's name")
    path = Path(out_dir) / FILE
    current = load_people(out_dir)
    current[key] = (decision, name)
    entries = [{"name": n, "decision": d} for _, (d, n) in sorted(current.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{FILE}.tmp")
    tmp.write_text(yaml.safe_dump({"people": entries}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    os.replace(tmp, path)


def people_checksum(people: dict) -> str:
    return hashlib.sha256(repr(sorted(people.items())).encode()).hexdigest()[:16]
