"""Every mention of every person, and whether it stays.

A person is redacted in every form in which the document mentions them (full name, initials,
"Surname, I. (First)", surname alone, first name alone, initials in parentheses after the name, the name
as an e-mail address writes it) — found by searching the text, so that names no recogniser saw in that
place still go. Where mentions overlap the longest wins. A mention stays readable where it is a public
official's (or an official's namesake), where a reviewer kept the person, where it is a surname that an
official bears, or a surname inside an organisation's name.
"""
from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from ..model import Document, Finding
from ..detect.names import PersonName, mention_patterns
from .grounds import Grounds, finding
from .officials import OfficialIndex, OfficialNames
from .persons import Persons


class Mention(NamedTuple):
    """One place where a person is named."""

    start: int
    end: int
    kind: str  # "full name", "surname", "first name", "initials for the name", ...
    key: str  # the person's key; "|first name" for a first name alone
    source: str  # the recognisers that found the person, comma-separated


def find_mentions(text: str, persons: Persons, public: set[str], addresses: list[tuple[int, int]],
                  lookups=None) -> list[Mention]:
    """The mentions of the persons in `text`, without overlaps (the longest wins). `public` are the keys
    of public officials (their names as e-mail addresses are not searched), `addresses` the sorted spans
    of recognised e-mail addresses (one finding each already)."""
    named = persons.named
    mentions: list[Mention] = []
    index = _word_index(text)
    found: set[tuple[int, int, str, str]] = set()
    for key, p in named.items():
        searched: set[tuple[str, str, str]] = set()  # the surname forms are the same for every first name
        for name in p.names():
            for kind, rx in mention_patterns(name, with_first_alone=first_name_ok(name, lookups)):
                # search only around the places where the name's anchor word stands
                if kind == "initials with particles":
                    for m in rx.finditer(text):
                        found.add((m.start(), m.end(), kind, key))
                    continue
                anchor = name.first[0] if kind.startswith("first name") else re.split(r"[\s-]", name.surname)[0]
                if (kind, rx.pattern, anchor) in searched:
                    continue
                searched.add((kind, rx.pattern, anchor))
                # what such a mention must have before its anchor: the first name (up to a hyphen, after
                # which a line may break), or an initial's dot
                needle = (re.split(r"[\s-]", name.first[0])[0] if kind == "full name" else
                          "." if kind == "initials and surname" else "")
                # ... and what it must have after: the comma of "Surname, I." and "Surname, First", right
                # after a surname of one word, somewhere after the first word of a longer one
                comma = kind.startswith("surname, ")
                one_word = anchor == name.surname
                for pos in index.get(anchor, ()):
                    if needle and text.find(needle, max(0, pos - 80), pos) < 0:
                        continue
                    end = min(len(text), pos + len(anchor) + 80)
                    if comma and (not text.startswith(",", pos + len(anchor)) if one_word else
                                  text.find(",", pos + len(anchor), end) < 0):
                        continue
                    # the one match that covers the anchor: matches come in order and do not overlap
                    for m in rx.finditer(text, max(0, pos - 80), end):
                        if m.start() > pos:
                            break
                        if pos < m.end():
                            found.add((m.start(), m.end(), kind, key))
                            break
    found |= _aliases(text, found, persons)
    starts = [a[0] for a in addresses]

    def in_address(s: int, e: int) -> bool:  # a recognised address is one finding already
        i = bisect.bisect_right(starts, s) - 1
        return i >= 0 and addresses[i][1] >= e

    found |= {m for m in _address_forms(text, persons, index, public) if not in_address(m[0], m[1])}
    sources = {key: ",".join(sorted(set(p.sources))) for key, p in named.items()}
    for s_, e_, kind, key in sorted(found):  # sorted: ties between two people resolve alike in every run
        mentions.append(Mention(s_, e_, kind, key, sources[key]))
    for first, recognisers in persons.first_only.items():
        for at in _standalone(text, first):
            mentions.append(Mention(at, at + len(first), "first name", f"|{first.lower()}",
                                    ",".join(sorted(set(recognisers)))))
    return _longest_first(mentions)


def first_name_ok(name: PersonName, lookups=None) -> bool:
    """Whether the first name alone is searched: three letters or more, and no ordinary word."""
    if not name.first:
        return False
    f = name.first[0]
    if len(f) < 3:
        return False
    return not (lookups is not None and lookups.is_common_word(f))


def mention_findings(doc: Document, mentions: list[Mention], officials: OfficialIndex, names: OfficialNames,
                     public: set[str], reviewed_keep: set[str], org_words: set[str], grounds: Grounds) -> list[Finding]:
    """A finding for each mention: kept (with the reason) or redacted on the ground for persons."""
    text = doc.text
    out = []
    for s, e, kind, key, source in mentions:
        why = officials.at(s, e) or ("same name as a public official in this document" if key in public else None) \
            or ("kept: the reviewer's decision for this person (people.yaml)" if key in reviewed_keep else None)
        surname_only = kind == "surname" and " ".join(text[s:e].lower().split()) in names.surnames
        if not why and kind == "surname" and in_organisation_name(text, s, e, org_words):
            why = "part of an organisation's name"
        if why or surname_only:
            out.append(finding(doc, s, e, "PERSON", "keep", "", f"person:{source}",
                               why or "same surname as a public official in this document", 0.5, key))
        else:
            out.append(finding(doc, s, e, "PERSON", "redact", grounds.for_entity("PERSON"), f"person:{source}",
                               f"civil servant or citizen ({kind}; found by {source})", 0.85, key))
    return out


def in_organisation_name(text: str, s: int, e: int, org_words: set[str]) -> bool:
    """"Bouwbedrijf De Kok & Zonen B.V.": a surname inside a company or foundation name."""
    before = re.findall(r"[\w.&]+", text[max(0, s - 30):s])[-1:]
    after = re.findall(r"[\w.&]+", text[e:e + 30])[:3]
    words = {w.lower() for w in before + after}
    return bool(words & org_words) or "&" in words


def _address_forms(text: str, persons: Persons, index: dict, public: set) -> set[tuple[int, int, str, str]]:
    """A redacted person's name as an e-mail address writes it ("noor.haddou", "noor_van_dijk"): the
    address itself is found by its recogniser, but not when OCR misread it ("noor.haddou@®minbzk.nl"
    in a screenshot) or when only its first part is quoted."""
    out = set()
    for key, p in persons.named.items():
        parts = p.surname.lower().split()
        if key in public or not p.first or not parts:
            continue
        firsts = sorted({re.escape(f.lower()) for f in p.first}, key=len, reverse=True)
        surname = r"[._-]?".join(re.escape(w) for w in parts)
        rx = re.compile(rf"(?<![\w@.])(?:{'|'.join(firsts)})[._-]{surname}(?!\w)", re.IGNORECASE)
        # tried only where one of the first names starts a word: one match each, no scan
        for first in {f for name in p.first for f in (name, name.lower())}:
            for pos in index.get(first, ()):
                m = rx.match(text, pos)
                if m:
                    out.add((m.start(), m.end(), "name in an e-mail address", key))
    return out


_BEFORE_NAME = re.compile(r"[\w@.]")  # a name alone is not inside a word, an address or a domain
_AFTER_NAME = re.compile(r"[\w@]")


def _standalone(text: str, name: str):
    r"""Where `name` stands on its own: what `(?<![\w@.])name(?![\w@])` finds, by str.find (a regex that
    starts with a look-behind tries every position of a dossier's text, for each first name)."""
    n = len(name)
    at = text.find(name)
    while at >= 0:
        if (at == 0 or not _BEFORE_NAME.match(text, at - 1)) and not _AFTER_NAME.match(text, at + n):
            yield at
            at = text.find(name, at + n)
        else:
            at = text.find(name, at + 1)


_ALIAS = re.compile(r"\s*\(([A-Z][A-Za-z.]{0,4}[A-Z])\)")


def _aliases(text: str, found: set, persons: Persons) -> set[tuple[int, int, str, str]]:
    """"Anna Kroeze (AK) licht toe ... AK vraagt": initials in parentheses right after a person's full
    name stand for that person wherever they recur (first letter the first name's, last the surname's)."""
    out = set()
    for s, e, kind, key in list(found):
        if kind != "full name":
            continue
        m = _ALIAS.match(text, e)
        if not m:
            continue
        alias = m.group(1)
        surname = persons.named[key].surname.split()[-1] if persons.named[key].surname else ""
        if not surname or alias[0] != text[s].upper() or alias[-1] != surname[0].upper():
            continue
        for a in re.finditer(rf"(?<![\w@.]){re.escape(alias)}(?![\w@])", text):
            out.add((a.start(), a.end(), "initials for the name", key))
    return out


def _word_index(text: str) -> dict[str, list[int]]:
    """Where each word starts in the text (words split at spaces, punctuation and hyphens)."""
    index: dict[str, list[int]] = {}
    for m in _WORD.finditer(text):
        word, at = m.group(), m.start()
        index.setdefault(word, []).append(at)
        if "'" in word or "’" in word:  # "Berend’s", "Anna's": the name before a possessive
            stem = _APOSTROPHE.split(word, maxsplit=1)[0]
            if stem:
                index.setdefault(stem, []).append(at)
    return index


_WORD = re.compile(r"[\w'’]+")
_APOSTROPHE = re.compile(r"['’]")


def _longest_first(spans: list[Mention]) -> list[Mention]:
    """Non-overlapping spans, preferring the longest (a full name over its surname)."""
    chosen: list[Mention] = []
    starts: list[int] = []  # the chosen spans, sorted by start (they never overlap)
    ends: list[int] = []
    for sp in sorted(spans, key=lambda t: (-(t[1] - t[0]), t[0])):
        i = bisect.bisect_left(starts, sp[1])  # chosen spans that start before sp ends
        if i and ends[i - 1] > sp[0]:
            continue
        starts.insert(i, sp[0])
        ends.insert(i, sp[1])
        chosen.append(sp)
    return sorted(chosen, key=lambda t: t[0])
