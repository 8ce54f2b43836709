"""Load and validate the rules in `rules/` (YAML, data only).

A redaction tool must refuse to run on missing or broken rules: every problem raises `RulesError` with
the file and, where known, the line.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import RulesError

FILES = ("grounds", "header_fields", "officials", "keep", "recognizers", "publisher", "review")


def default_rules_dir() -> Path:
    """`WOO_REDACT_RULES`, else `rules/` beside the package (a source checkout), else the packaged copy."""
    env = os.environ.get("WOO_REDACT_RULES")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for cand in (here.parent / "rules", here / "rules"):
        if cand.is_dir():
            return cand
    return here.parent / "rules"


@dataclass
class Ground:
    code: str
    name: str
    label: str
    colour: tuple[float, float, float]


@dataclass
class ReviewSettings:
    """The preview's cover page and which proposals are drawn as uncertain."""

    uncertain_below: float
    title: str
    instructions: list[str]
    footer: str
    # the Dutch words for a finding (woo_redact/wording.py): entity type, a name's written form, where a
    # name was found, why something is kept
    entities: dict[str, str] = field(default_factory=dict)
    name_forms: dict[str, str] = field(default_factory=dict)
    found_by: dict[str, str] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)
    kept_other: str = "niet gelakt"


@dataclass
class Rules:
    directory: Path
    checksum: str
    grounds: dict[str, Ground]
    default_ground: str
    entity_grounds: dict[str, str]
    header_fields: list[dict]  # {label, kind}
    titles: list[str]
    signatory_lines: list[re.Pattern]
    motion_end: re.Pattern | None
    office_holders: list[str]
    functional_mailboxes: list[str]
    organisation_words: list[str]
    roles: list[str]
    service_number_prefixes: list[str]
    recognizers: dict[str, Any]
    publisher: dict[str, Any] = field(default_factory=dict)
    review: "ReviewSettings" = None  # type: ignore[assignment]
    places: list[str] = field(default_factory=list)  # place names that contain a person's name
    pad_entities: list[str] = field(default_factory=list)  # boxes over these are widened (box_widths)
    pad_widths: list[float] = field(default_factory=list)
    # titles that make a public official only where the document speaks of a parliament or council
    political_titles: list[str] = field(default_factory=list)
    political_context: re.Pattern | None = None

    def ground_for(self, entity: str) -> str:
        return self.entity_grounds.get(entity, self.default_ground)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser: a tenth of the start-up's YAML time


def load_yaml_text(text: str) -> Any:
    """YAML as `yaml.safe_load` reads it, with libyaml's parser where PyYAML was built with it."""
    return yaml.load(text, Loader=_LOADER)


def _load_yaml(path: Path) -> Any:
    if not path.is_file():
        raise RulesError(f"{path}: rules file missing")
    try:
        return load_yaml_text(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise RulesError(f"{path}:{where}: invalid YAML: {e.problem}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise RulesError(f"{path}: invalid YAML: {e}") from None


def _line_of(path: Path, key: str) -> str:
    """The line where `key:` first stands in the file, for error messages."""
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if re.match(rf"\s*-?\s*{re.escape(key)}\s*:", line):
            return f" line {i}"
    return ""


def _need(data: Any, key: str, typ: type | tuple[type, ...], path: Path, parent: str = "") -> Any:
    if not isinstance(data, dict) or key not in data:
        raise RulesError(f"{path}:{_line_of(path, parent) if parent else ''}: missing key '{key}'")
    value = data[key]
    if not isinstance(value, typ):
        names = typ.__name__ if isinstance(typ, type) else " or ".join(t.__name__ for t in typ)
        raise RulesError(f"{path}:{_line_of(path, key)}: '{key}' must be a {names}")
    return value


def _strings(data: Any, key: str, path: Path) -> list[str]:
    value = _need(data, key, list, path)
    for item in value:
        if not isinstance(item, str):
            raise RulesError(f"{path}:{_line_of(path, key)}: every entry of '{key}' must be a string, not {item!r}")
    return value


def _words(data: dict, key: str, path: Path) -> dict[str, str]:
    """An optional mapping of words to words."""
    value = data.get(key) or {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise RulesError(f"{path}:{_line_of(path, key)}: '{key}' must map words to words")
    return value


def _regex(pattern: str, path: Path, key: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as e:
        raise RulesError(f"{path}:{_line_of(path, key)}: bad regular expression {pattern!r}: {e}") from None


def load_rules(directory: Path | str | None = None) -> Rules:
    directory = Path(directory) if directory else default_rules_dir()
    if not directory.is_dir():
        raise RulesError(f"{directory}: rules folder missing")
    paths = {name: directory / f"{name}.yaml" for name in FILES}
    raw = {name: _load_yaml(p) for name, p in paths.items()}
    digest = hashlib.sha256()
    for name in FILES:
        digest.update(paths[name].read_bytes())

    p = paths["grounds"]
    g = raw["grounds"]
    grounds = {}
    for code, spec in _need(g, "grounds", dict, p).items():
        if not re.fullmatch(r"5\.[12]\.[12]?[a-i]|5\.2|dubbel|[0-9.a-z]+", str(code)):
            raise RulesError(f"{p}:{_line_of(p, str(code))}: bad ground code {code!r}")
        label = _need(spec, "label", str, p, str(code))
        colour = spec.get("colour", [0.8, 0.1, 0.1])
        if not (isinstance(colour, list) and len(colour) == 3 and all(isinstance(c, (int, float)) for c in colour)):
            raise RulesError(f"{p}:{_line_of(p, str(code))}: colour of {code} must be three numbers 0..1")
        grounds[str(code)] = Ground(str(code), str(spec.get("name", label)), label, tuple(float(c) for c in colour))
    default_ground = _need(g, "default", str, p)
    entity_grounds = {str(k): str(v) for k, v in (g.get("entities") or {}).items()}
    for code in [default_ground, *entity_grounds.values()]:
        if code not in grounds:
            raise RulesError(f"{p}:{_line_of(p, code)}: ground {code!r} is used but not defined under 'grounds'")

    widths = g.get("box_widths") or {}
    pad_widths = widths.get("widths") or []
    if not (isinstance(pad_widths, list) and all(isinstance(w, (int, float)) and w > 0 for w in pad_widths)
            and pad_widths == sorted(pad_widths)):
        raise RulesError(f"{p}:{_line_of(p, 'widths')}: box_widths.widths must be ascending positive numbers")
    pad_entities = [str(e) for e in (widths.get("entities") or [])]

    p = paths["header_fields"]
    fields = _need(raw["header_fields"], "fields", list, p)
    kinds = {"persons", "officials", "reference", "date", "publication", "other"}
    for f in fields:
        if not isinstance(f, dict) or not isinstance(f.get("label"), str) or f.get("kind") not in kinds:
            raise RulesError(f"{p}: every field needs a 'label' and a 'kind' out of {sorted(kinds)}: {f!r}")

    p = paths["officials"]
    o = raw["officials"]
    titles = _strings(o, "titles", p)
    signatory = [_regex("(?i)" + s, p, "signatory_lines") for s in _strings(o, "signatory_lines", p)]
    motion_end = _regex(o["motion_end"], p, "motion_end") if o.get("motion_end") else None
    office_holders = _strings(o, "office_holders", p)
    political_titles = _strings(o, "titles_in_political_context", p) if "titles_in_political_context" in o else []
    political_context = _regex(o["political_context"], p, "political_context") if o.get("political_context") else None

    p = paths["review"]
    r = raw["review"]
    uncertain = _need(r, "uncertain_below", (int, float), p)
    if not 0 <= uncertain <= 1:
        raise RulesError(f"{p}:{_line_of(p, 'uncertain_below')}: 'uncertain_below' must be between 0 and 1")
    review = ReviewSettings(float(uncertain), _need(r, "title", str, p), _strings(r, "instructions", p),
                            str(r.get("footer") or ""),
                            **{key: _words(r, key, p) for key in ("entities", "name_forms", "found_by", "kept")},
                            kept_other=str(r.get("kept_other") or "niet gelakt"))

    p = paths["keep"]
    k = raw["keep"]
    rules = Rules(
        directory=directory,
        checksum=digest.hexdigest(),
        grounds=grounds,
        default_ground=default_ground,
        entity_grounds=entity_grounds,
        header_fields=fields,
        titles=titles,
        signatory_lines=signatory,
        motion_end=motion_end,
        office_holders=office_holders,
        functional_mailboxes=_strings(k, "functional_mailboxes", p),
        organisation_words=_strings(k, "organisation_words", p),
        roles=_strings(k, "roles", p),
        service_number_prefixes=_strings(k, "service_number_prefixes", p),
        places=_strings(k, "places", p) if "places" in (k or {}) else [],
        recognizers=_need({"r": raw["recognizers"]}, "r", dict, paths["recognizers"]),
        publisher=raw["publisher"] if isinstance(raw["publisher"], dict) else {},
        review=review,
        pad_entities=pad_entities,
        pad_widths=[float(w) for w in pad_widths],
        political_titles=political_titles,
        political_context=political_context,
    )
    return rules
