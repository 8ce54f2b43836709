"""The strings a PDF holds, decoded, and the search for the forms that must not survive in them: what
sanitising (which clears them) and verification (which reports them) share.

Secrets are matched like text, never like PDF syntax: in decoded strings, case-insensitively, on word
boundaries, with ligatures, typographic quotes, hyphenation at line ends, camel case and the separators
of addresses and file names folded; numbers also with their separators removed.
"""
from __future__ import annotations

import re
import unicodedata
import urllib.parse
from collections.abc import Iterator, Sequence

import ahocorasick
import pikepdf

from ..decide.secrets import SecretForms

_T = pikepdf.ObjectType

_WS = re.compile(r"\s+")
MIN_SECRET_LENGTH = 3
# --------------------------------------------------------------------------------------------------
# Text keys: what a secret and a text are compared as

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "\u00ad": None,
                         "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u00a0": " "})
_CAMEL = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])")
_SEPARATORS = re.compile(r"[\s._+\-]+")
_HYPHENATED = re.compile(r"(?<=\w)- (?=\w)")
_DIGIT_GAPS = re.compile(r"(?<=\d)[ .\-/()]+(?=\d)")
_NUMBER = re.compile(r"^[+\d][\d .\-/()]*$")
_CODE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z\d][A-Za-z\d \-]*$")  # letters and digits: a postcode, plate, IBAN


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return _WS.sub(" ", text).strip()


def text_key(text: str) -> str:
    """Ligatures and compatibility forms expanded, typographic quotes made plain, soft hyphens dropped,
    whitespace collapsed, case folded."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text.translate(_QUOTES))
    return _WS.sub(" ", text).strip().lower()


def fold(text: str) -> str:
    """`text` with every run of whitespace, dots, underscores, pluses and hyphens as one space."""
    return _SEPARATORS.sub(" ", text).strip()


def loose_key(text: str, camel: bool = True) -> str:
    """A name or value as words: camel case split ("JorritVlasbloem"), separators of addresses and file
    names folded ("j.vlasbloem", "jorrit_vlasbloem"), case folded."""
    if camel:
        text = _CAMEL.sub(" ", text)
    return fold(text_key(text))


def digits_key(text: str) -> str:
    """Numbers without the separators between their digits ("06-1234 5678" → "0612345678")."""
    return _DIGIT_GAPS.sub("", text_key(text))


_WORD_CHAR = re.compile(r"\w")


class _Finder:
    """Finds which of many keys occur as whole words in a text, in one pass (Aho-Corasick).

    `keys` maps each search key to the secret indices it stands for. A key counts only where no word
    character touches it on either side. Every occurrence counts, also one inside another key's."""

    def __init__(self, keys: dict[str, set[int]]):
        self.keys = {k: set(v) for k, v in keys.items() if k}
        self._automaton = None
        if self.keys:
            automaton = ahocorasick.Automaton()
            for key, idx in self.keys.items():
                automaton.add_word(key, (len(key), frozenset(idx)))
            automaton.make_automaton()
            self._automaton = automaton

    def spans(self, text: str) -> Iterator[tuple[int, int, frozenset[int]]]:
        """(start, end, secret indices) of every whole-word occurrence."""
        if not text or self._automaton is None:
            return
        for end, (length, idx) in self._automaton.iter(text):
            start = end - length + 1
            if (start > 0 and _WORD_CHAR.match(text, start - 1)) or _WORD_CHAR.match(text, end + 1):
                continue
            yield start, end + 1, idx

    def find(self, text: str) -> set[int]:
        found: set[int] = set()
        for _, _, idx in self.spans(text):
            found |= idx
        return found


class Secrets:
    """The forms that must not survive (`secrets.secret_forms`), prepared once for each kind of search.

    - `text(s)`: page text: whole words, any case, ligatures, quotes and line-end hyphenation folded;
      numbers also without their separators;
    - `loose(s)`: every other decoded string (metadata, annotations, links, names, labels): the same,
      with camel case split and the separators of addresses and file names folded, URIs also
      percent-decoded; weak forms (a surname that is also a word) are searched here only, as written.
    Secrets shorter than MIN_SECRET_LENGTH are left out.
    """

    def __init__(self, secrets: Sequence[str] | SecretForms, weak: Sequence[str] = ()):
        if isinstance(secrets, SecretForms):
            secrets, weak = secrets.strong, secrets.weak
        strong = [s for s in secrets if s]
        self.secrets = strong + [w for w in weak if w and w not in strong]
        text: dict[str, set[int]] = {}
        loose: dict[str, set[int]] = {}
        digits: dict[str, set[int]] = {}
        exact: dict[str, set[int]] = {}
        weak_keys: dict[str, set[int]] = {}
        for i, secret in enumerate(self.secrets):
            if len(normalise(secret)) < MIN_SECRET_LENGTH:
                continue
            if i >= len(strong):
                weak_keys.setdefault(fold(_CAMEL.sub(" ", normalise(secret))), set()).add(i)
                continue
            if _CODE.search(secret):  # "1234 AB", "AB-12-CD": a code in capitals, "1234ab" is another thing
                exact.setdefault(normalise(secret), set()).add(i)
            else:
                text.setdefault(text_key(secret), set()).add(i)
            for key in {loose_key(secret), loose_key(secret, camel=False)}:
                if len(key) >= MIN_SECRET_LENGTH:
                    loose.setdefault(key, set()).add(i)
            if _NUMBER.match(secret.strip()):
                key = digits_key(secret)
                if len(re.sub(r"\D", "", key)) >= 6:
                    digits.setdefault(key, set()).add(i)
        self.indices = sorted(set().union(*text.values(), *exact.values(), *weak_keys.values()))
        self._keys = {"text": text, "exact": exact, "loose": loose, "digits": digits, "weak": weak_keys}
        self._finders: dict[str, _Finder] = {}

    def _finder(self, kind: str) -> _Finder:
        finder = self._finders.get(kind)
        if finder is None:
            finder = self._finders[kind] = _Finder(self._keys[kind])
        return finder

    def __bool__(self) -> bool:
        return bool(self.indices)

    def text(self, text: str) -> set[int]:
        key = text_key(text)
        found = self._finder("text").find(key)
        if "- " in key:
            found |= self._finder("text").find(_HYPHENATED.sub("", key))
        if self._keys["digits"]:
            found |= self._finder("digits").find(_DIGIT_GAPS.sub("", key))
        if self._keys["exact"]:
            found |= self._finder("exact").find(normalise(text))
        return found

    def text_spans(self, text: str) -> Iterator[tuple[int, int, frozenset[int]]]:
        """Where secrets stand in `text` (offsets into `text_key(text)`, which keeps the length of a
        plain text with single spaces)."""
        yield from self._finder("text").spans(text_key(text))
        yield from self._finder("exact").spans(normalise(text))

    def loose(self, text: str, weak: bool = True) -> set[int]:
        """Case-insensitive, separators folded, camel case split; weak forms as written (not in text
        that a page shows, where such a word may stand as a word)."""
        if not text:
            return set()
        found = self._finder("loose").find(loose_key(text)) | self._finder("loose").find(loose_key(text, camel=False))
        if self._keys["digits"]:
            found |= self._finder("digits").find(digits_key(text))
        if weak and self._keys["weak"]:
            found |= self._finder("weak").find(fold(_CAMEL.sub(" ", normalise(text))))
        return found

    def any_loose(self, *texts: str | None) -> bool:
        """Whether any secret is in any of `texts` (URIs also percent-decoded)."""
        for text in texts:
            if text and (self.loose(text) or ("%" in text and self.loose(urllib.parse.unquote(text)))):
                return True
        return False


# --------------------------------------------------------------------------------------------------
# Reading values out of pikepdf objects


def is_type(obj, code) -> bool:
    """Whether `obj` is a pikepdf object of the given type (False for None and Python numbers)."""
    return isinstance(obj, pikepdf.Object) and obj._type_code == code


def text_of(obj) -> str | None:
    """A PDF string, name or text stream as Python text (None for anything else)."""
    if not isinstance(obj, pikepdf.Object):
        return None
    code = obj._type_code
    if code == _T.string:
        return str(obj)
    if code == _T.name_:
        return str(obj)[1:]
    if code == _T.stream:
        return stream_bytes(obj).decode("utf-8", "replace")
    return None


def stream_bytes(stream) -> bytes:
    """A stream's data decoded as far as pikepdf can, else its raw bytes."""
    try:
        return stream.read_bytes()
    except Exception:  # unsupported filter, damaged data
        try:
            return stream.read_raw_bytes()
        except Exception:
            return b""


def objects(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every object of the file; a deleted (null) object, which pikepdf may hand back as None or as a
    number, is passed over."""
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Object):
            yield obj


def is_image(obj) -> bool:
    return obj.get("/Subtype") == pikepdf.Name.Image


def label(obj) -> str:
    num, gen = obj.objgen
    return f"object {num} {gen}" if num else "direct object"


# Names that are free text, not PDF vocabulary: a font's name (a signature font named after its owner).
# Every other name (/Type /Font, /ICCBased, /Root ...) is syntax and never searched.
FREE_NAMES = {"/BaseFont", "/FontName"}
# Dictionaries whose keys are free text: named destinations (PDF 1.1), custom document info keys.
_FREE_KEYS = {"/Dests"}


def decoded_atoms(obj, free_keys: bool = False) -> Iterator[str]:
    """The decoded strings inside `obj`, the free-text names (`FREE_NAMES`) and, with `free_keys`, its
    keys; without following indirect references: those objects are visited on their own."""
    stack = [(obj, free_keys)]
    while stack:
        item, keys = stack.pop()
        if not isinstance(item, pikepdf.Object):
            continue  # numbers and booleans come back as Python values
        code = item._type_code
        if code == _T.string:
            yield str(item)
        elif code in (_T.dictionary, _T.stream):
            for key, value in item.items():
                if keys:
                    yield key[1:]
                if isinstance(value, pikepdf.Object) and not value.is_indirect:
                    if value._type_code == _T.name_:
                        if key in FREE_NAMES:
                            yield str(value)[1:]
                    else:
                        stack.append((value, key in _FREE_KEYS))
        elif code == _T.array:
            stack.extend((v, False) for v in item if isinstance(v, pikepdf.Object) and not v.is_indirect)


_SHOWN = re.compile(rb"\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\)|<[0-9A-Fa-f\s]*>(?!>)")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)


def _literal(token: bytes) -> bytes:
    if token.startswith(b"<"):
        hexdigits = re.sub(rb"\s", b"", token[1:-1])
        return bytes.fromhex((hexdigits + b"0" * (len(hexdigits) % 2)).decode())
    body = token[1:-1]

    def unescape(m):
        c = m.group(1)
        if c[:1] in b"01234567" and c[:1]:  # an octal escape; "\\8" is just "8"
            return bytes([int(c, 8) & 0xFF])
        return _ESCAPES.get(c, b"" if c in b"\r\n" else c)

    return _ESCAPE.sub(unescape, body)


_HEX = re.compile(rb"<([0-9A-Fa-f\s]+)>")


def cmap_texts(data: bytes) -> list[tuple[bytes, str]]:
    """The Unicode texts of a ToUnicode CMap that stand for more than one character, with the hex string
    each came from: one glyph can be made to extract as a whole name while the page shows another."""
    if b"beginbf" not in data:
        return []
    out = []
    for m in _HEX.finditer(data):
        digits = re.sub(rb"\s", b"", m.group(1))
        if len(digits) >= 8 and len(digits) % 4 == 0:  # two UTF-16 units or more
            try:
                out.append((m.group(), bytes.fromhex(digits.decode()).decode("utf-16-be", "replace")))
            except ValueError:
                continue
    return out


_KERNING = re.compile(rb"[\s\d.\-]*")  # what stands between two pieces of one TJ array


def shown_strings(data: bytes) -> str:
    """The strings a content stream shows, decoded as one text: pieces of one TJ array (split by
    kerning numbers) joined, others separated by a space. Strings in PDFDoc/Latin-1 and UTF-16BE."""
    pieces: list[str] = []
    last_end = 0
    kerning = _KERNING.fullmatch
    for m in _SHOWN.finditer(data):  # some 2,000 strings a page: kept lean
        start, end = m.span()
        token = data[start:end]
        raw = token[1:-1] if token[0] == 40 and 92 not in token else _literal(token)  # "(" with no "\\"
        text = raw[2:].decode("utf-16-be", "replace") if raw[:2] == b"\xfe\xff" else raw.decode("latin-1")
        pieces.append(text if pieces and kerning(data, last_end, start) else " " + text)
        last_end = end
    return "".join(pieces)


REVISION_END = re.compile(rb"startxref\s+\d+\s*%%EOF")  # where each revision of a file ends
