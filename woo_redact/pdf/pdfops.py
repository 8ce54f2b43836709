"""PDF content written directly: numbers, WinAnsi strings, the standard Helvetica fonts, and a content
stream appended to a page.

PyMuPDF's Shape, TextWriter and insert_text cost about a millisecond a call, and TextWriter embeds its
font; the preview's cover page and the burn-in's boxes and labels are a few dozen operators per page, so
mark and burn write those operators themselves: mark only on pages whose coordinates are plain (no
rotation, origin at the PDF origin, no /UserUnit: see `plain`), where page and PDF space differ by the
flipped y axis; burn on any page, through a `cm` from page to PDF space.
"""
from __future__ import annotations

import functools

import pymupdf

# the standard 14 fonts every reader has: nothing embedded; their widths come from MuPDF's copies
HELVETICA = {"helv": "Helvetica", "hebo": "Helvetica-Bold"}


@functools.lru_cache(maxsize=None)
def font(name: str) -> pymupdf.Font:
    return pymupdf.Font(name)


@functools.lru_cache(maxsize=None)
def _advance(name: str, char: str) -> float:
    return font(name).text_length(char, fontsize=1.0)


def text_length(text: str, name: str = "helv", size: float = 1.0) -> float:
    """The width of `text` in one of HELVETICA's fonts, as a reader draws it (en dash included): the sum
    of its characters' advances (simple fonts have no kerning), each asked of MuPDF once."""
    return sum(_advance(name, c) for c in text) * size


def num(x: float, decimals: int = 2) -> str:
    """A number as PDF content writes it: two decimals at most, no trailing zeros."""
    text = f"{x:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def rgb(colour) -> str:
    return " ".join(num(c) for c in colour)


def winansi(text: str) -> str:
    """A PDF string literal in WinAnsi encoding, the standard fonts' encoding ("financiële" → 0xEB,
    "–" → 0x96); characters WinAnsi lacks become "?"."""
    out = []
    for b in text.encode("cp1252", errors="replace"):
        c = chr(b)
        out.append("\\" + c if c in "()\\" else c if 32 <= b < 127 else f"\\{b:03o}")
    return "(" + "".join(out) + ")"


class Fonts:
    """One font object per document for each standard font used, added to a page's resources on request."""

    PREFIX = "WooRedact"

    def __init__(self, doc: pymupdf.Document):
        self.doc = doc
        self._xrefs: dict[str, int] = {}
        self._added: set[tuple[int, str]] = set()  # (page, font) already in that page's resources

    def use(self, page: pymupdf.Page, name: str = "helv") -> str:
        """The resource name under which `name` ("helv", "hebo") is available on `page`."""
        resource = f"{self.PREFIX}{name.capitalize()}"
        if (page.xref, name) in self._added:
            return resource
        xref = self._xrefs.get(name)
        if xref is None:
            xref = self._xrefs[name] = self.doc.get_new_xref()
            self.doc.update_object(xref, f"<</Type/Font/Subtype/Type1/BaseFont/{HELVETICA[name]}"
                                         "/Encoding/WinAnsiEncoding>>")
        set_key(self.doc, page.xref, f"Resources/Font/{resource}", f"{xref} 0 R")
        self._added.add((page.xref, name))
        return resource


def set_key(doc: pymupdf.Document, xref: int, path: str, value: str) -> None:
    """`xref_set_key` along a path whose dictionaries may be indirect objects (a page's /Resources or
    its /Font often are): the key is set in the object the path leads to."""
    parts = path.split("/")
    prefix: list[str] = []
    for part in parts[:-1]:
        kind, val = doc.xref_get_key(xref, "/".join(prefix + [part]))
        if kind == "xref":
            xref, prefix = int(val.split()[0]), []
        else:
            prefix.append(part)
    doc.xref_set_key(xref, "/".join(prefix + [parts[-1]]), value)


def plain(page: pymupdf.Page, own_resources: bool = True) -> bool:
    """An unrotated page at the PDF origin: page and PDF coordinates differ only by the flipped y axis,
    so operators and annotations can be written directly. `own_resources`: and the page has a resource
    dictionary of its own (not inherited from the page tree) that fonts can be added to."""
    mb = page.mediabox
    if not (page.rotation == 0 and mb.x0 == 0 and mb.y0 == 0 and page.cropbox == mb):
        return False
    if any(abs(a - b) > 1e-3 for a, b in zip(page.transformation_matrix, (1, 0, 0, -1, 0, mb.height))):
        return False  # a /UserUnit other than 1: page space is scaled
    return not own_resources or page.parent.xref_get_key(page.xref, "Resources")[0] in ("dict", "xref")


def own_resources(page: pymupdf.Page) -> None:
    """Give a page that inherits its /Resources from the page tree a /Resources of its own (the
    inherited dictionary, or a reference to it), so that a font can be added to it without losing
    the others."""
    doc = page.parent
    if doc.xref_get_key(page.xref, "Resources")[0] in ("dict", "xref"):
        return
    xref = page.xref
    for _ in range(64):
        kind, value = doc.xref_get_key(xref, "Parent")
        if kind != "xref":
            break
        xref = int(value.split()[0])
        kind, value = doc.xref_get_key(xref, "Resources")
        if kind in ("dict", "xref"):
            doc.xref_set_key(page.xref, "Resources", value)
            return
    doc.xref_set_key(page.xref, "Resources", "<<>>")


def append_content(page: pymupdf.Page, ops: list[str]) -> None:
    """Append `ops` to the page's content, after the page's own operators (wrapped in q … Q first, so
    that they cannot leave a transformation behind for ours)."""
    doc = page.parent
    page.wrap_contents()
    stream = doc.get_new_xref()
    doc.update_object(stream, "<<>>")
    doc.update_stream(stream, "\n".join(ops).encode())
    kind, value = doc.xref_get_key(page.xref, "Contents")
    existing = value.strip("[]").strip() if kind == "array" else value if kind == "xref" else ""
    doc.xref_set_key(page.xref, "Contents", f"[{existing} {stream} 0 R]".replace("[ ", "["))


def drop_redaction_marks(doc: pymupdf.Document) -> int:
    """Delete every redaction annotation the incoming file holds: read proposes their areas as
    redactions, which the preview shows and the burn-in applies as decided (MuPDF would otherwise apply
    them, unlabelled, on each page the burn-in redacts, and the sanitiser drop them everywhere else)."""
    dropped = 0
    for pno in range(doc.page_count):
        if doc.xref_get_key(doc.page_xref(pno), "Annots")[0] == "null":
            continue
        page = doc[pno]
        for annot in list(page.annots(types=[pymupdf.PDF_ANNOT_REDACT]) or []):
            page.delete_annot(annot)
            dropped += 1
    return dropped
