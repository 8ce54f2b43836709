"""The redacted strings of a bundle: one pattern that finds them in any file, file names checked for them,
values scrubbed of them, and a document's text with its redacted spans replaced by their labels. The
bottom of the publication stage: every other module may use it, it uses none of them."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from ..rules import Rules

MIN_SECRET_LENGTH = 3
REDACTED = "gelakt"  # stands in for a redacted string found where no ground is known (a title, a file name)


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


class RedactedText:
    """A document's text with its redacted spans: slices come out with every redacted part replaced by
    "[label]", so that nothing redacted reaches the metadata."""

    def __init__(self, text: str, redactions: Sequence[tuple[int, int, str]], rules: Rules):
        self.text = text
        self.spans = merge_spans(redactions, rules.default_ground)
        self.labels = {code: g.label for code, g in rules.grounds.items()}

    def label(self, ground: str) -> str:
        return self.labels.get(ground, ground)

    def overlaps(self, start: int, end: int) -> bool:
        return any(a < end and start < b for a, b, _ in self.spans)

    def slice(self, start: int, end: int) -> str:
        out, pos = [], start
        for a, b, ground in self.spans:
            if b <= start or a >= end:
                continue
            if a > pos:
                out.append(self.text[pos:a])
            out.append(f"[{self.label(ground)}]")
            pos = max(pos, b)
        if pos < end:
            out.append(self.text[pos:end])
        return "".join(out)


def merge_spans(redactions: Iterable[tuple[int, int, str]], default: str) -> list[tuple[int, int, str]]:
    """Overlapping redactions as one span each, with the ground of the longest of them."""
    merged: list[list] = []
    for start, end, ground in sorted((s, e, g or default) for s, e, g in redactions if e > s):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            if end - start > last[3]:
                last[2], last[3] = ground, end - start
            last[1] = max(last[1], end)
        else:
            merged.append([start, end, ground, end - start])
    return [(s, e, g) for s, e, g, _ in merged]


def secret_pattern(secrets: Iterable[str], ignore_case: bool = True) -> re.Pattern | None:
    """One pattern for all secrets: whole words, any whitespace between their words, any case (or, for a
    text version, the case as written: the same test `verify` applies to a PDF's page text)."""
    keys = sorted({norm(s) for s in secrets if len(norm(s)) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
    if not keys:
        return None
    alts = [r"\s+".join(re.escape(w) for w in k.split(" ")) for k in keys]
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.I if ignore_case else 0)


@lru_cache(maxsize=1 << 16)
def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", s))


def name_has_secret(name: str, secrets: Iterable[str]) -> bool:
    """Whether a file name holds a redacted string, however it is spelled ("noor_haddou", "Noor-Haddou")."""
    folded = f" {fold(name)} "
    return any(f" {fold(s)} " in folded for s in secrets if len(fold(s)) >= MIN_SECRET_LENGTH)


def scrub(value: str, pattern: re.Pattern | None) -> str:
    return pattern.sub(f"[{REDACTED}]", value) if pattern and value else value
