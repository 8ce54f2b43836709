"""One finding per span, where several steps found the same or overlapping text."""
from __future__ import annotations

from ..model import Finding


def merge(findings: list[Finding]) -> list[Finding]:
    """One finding per span: a redaction wins over a keep of an overlapping span, except where the keep
    is a public official; duplicates of the same span are dropped."""
    out: list[Finding] = []
    at: dict[tuple[int, int], int] = {}  # span → index in out
    for f in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if f.entity != "PERSON" and any(o.decision == "redact" and o.entity != "PERSON" and o.start <= f.start
                                        and f.end <= o.end and (o.start, o.end) != (f.start, f.end) for o in out[-8:]):
            continue  # "0338 1615 89" inside the IBAN "NL68 RABO 0338 1615 89": one finding, the IBAN
        i = at.get((f.start, f.end))
        if i is not None:
            dup = out[i]
            if dup.decision == "keep" and f.decision == "redact" and "official" not in dup.reason:
                out[i] = f
            continue
        at[(f.start, f.end)] = len(out)
        out.append(f)
    return out
