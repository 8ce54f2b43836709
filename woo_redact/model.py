"""Plain data passed between the pipeline stages.

read ──► detect ──► decide ──► mark ──► burn ──► sanitise ──► verify

Nothing here holds an open PDF: these objects can be pickled, written to JSON and sent to a worker.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points, origin top-left (PyMuPDF)


@dataclass(frozen=True)
class Word:
    """One word on a page, with its place in `Document.text`."""

    text: str
    page: int  # 0-based page index
    rect: Rect
    start: int  # offset of the first character in Document.text
    end: int  # offset after the last character
    line: int  # index into Document.lines


@dataclass(frozen=True)
class Line:
    """One text line on a page as PyMuPDF groups it (a block's line)."""

    text: str
    page: int
    rect: Rect
    start: int
    end: int
    block: int  # the block number on its page
    bold: bool = False


@dataclass(frozen=True)
class HeaderField:
    """A label/value pair of a nota or letter header ("Opgesteld door" → "Iris Çelik ...")."""

    label: str  # the canonical label from rules/header_fields.yaml
    kind: str  # person | persons | reference | date | publication | other
    value: str
    start: int  # offset of the value in Document.text
    end: int
    page: int
    wrapped: bool = False  # "Label: value" whose value runs on over the next lines (one text, not a list)


@dataclass
class PageLayout:
    """A page as reading it found, for burn-in's widening of its boxes (`burn.pad_boxes`): the boxes
    of its words (and of punctuation left readable beside a box) and its vertical rules."""

    words: list[Rect]
    rules: list[Rect]


@dataclass
class Document:
    """A document as read: its text (pages joined), words with boxes, header fields and metadata."""

    path: Path
    text: str
    words: list[Word]
    lines: list[Line]
    page_count: int
    page_starts: list[int]  # offset of each page's first character in `text`
    fields: list[HeaderField] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    textless_pages: list[int] = field(default_factory=list)  # pages with no text, not even by OCR
    ocr_confidence: dict[int, float] = field(default_factory=dict)  # scanned page → OCR mean confidence 0-100
    image_text_pages: list[int] = field(default_factory=list)  # pages with text whose large images OCR read
    extra_texts: list[str] = field(default_factory=list)  # annotation, bookmark and attachment texts
    off_page: list[int] = field(default_factory=list)  # pages with text outside the part a reader shows
    # filled dark rectangles drawn over text that can still be extracted: redactions that only cover
    covered: list[tuple[int, Rect]] = field(default_factory=list)
    # areas someone marked for redaction in the incoming file and did not apply (/Redact annotations),
    # with the annotation's overlay text or contents (a ground's code, perhaps)
    marked: list[tuple[int, Rect, str]] = field(default_factory=list)
    # per page its thin vertical lines (table cell borders), as read: a widened box must not swallow them
    vertical_rules: dict[int, list[Rect]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    def ocr_words(self) -> dict[int, list[Word]]:
        """Per OCR'd page the words read from its image (the text layer a redacted scan gets back)."""
        return self.words_on(self.ocr_confidence)

    def image_words(self) -> dict[int, list[Word]]:
        """Per page whose images OCR read, the page's words, those read from its images among them."""
        return self.words_on(self.image_text_pages)

    def layouts(self, pages, marks: dict[int, list[Rect]]) -> dict[int, PageLayout]:
        """What widening the boxes of each of `pages` must leave readable, from what reading found:
        its words, the punctuation `marks` left readable beside a box ("Hoi ▮,"), its vertical rules."""
        return {p: PageLayout([w.rect for w in words] + marks.get(p, []), self.vertical_rules.get(p, []))
                for p, words in self.words_on(pages).items()}

    def words_on(self, pages) -> dict[int, list[Word]]:
        """The words of each of `pages` (page numbers), in reading order."""
        out: dict[int, list[Word]] = {p: [] for p in pages}
        for w in self.words:
            if w.page in out:
                out[w.page].append(w)
        return out

    def field_value(self, label: str) -> str | None:
        for f in self.fields:
            if f.label.lower() == label.lower():
                return f.value
        return None


@dataclass
class Candidate:
    """A span that a recogniser flagged, with where it came from."""

    start: int
    end: int
    text: str
    entity: str  # PERSON, EMAIL_ADDRESS, PHONE_NUMBER, NL_BSN, IBAN_CODE, ...
    score: float
    recognizer: str  # the name of the recogniser or structure rule
    explanation: str = ""


@dataclass
class Finding:
    """A decision about one span: redact it (with a ground) or keep it (with the reason)."""

    id: str
    start: int
    end: int
    text: str
    entity: str
    decision: str  # "redact" | "keep"
    ground: str  # code, e.g. 5.1.2e ("" when kept)
    rule: str  # what found it
    reason: str  # why it is redacted or kept
    score: float
    person: str | None = None  # key of the person this mention belongs to
    boxes: list[tuple[int, Rect]] = field(default_factory=list)  # (page, rect)

    def to_json(self) -> dict:
        # the fields one by one: dataclasses.asdict deep-copies every box, a dossier has thousands
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["boxes"] = [{"page": p + 1, "rect": [round(c, 2) for c in r]} for p, r in self.boxes]
        return d


@dataclass
class DocResult:
    """What processing one input produced."""

    source: Path
    status: str  # "ok" | "failed"
    pages: int = 0
    findings: list[Finding] = field(default_factory=list)
    redacted: Path | None = None
    preview: Path | None = None
    findings_json: Path | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    pdf: Path | None = None  # the PDF that was read, when the input is an e-mail, office or text file
    attachments: list[Path] = field(default_factory=list)  # an e-mail's attachments, saved for processing
    parent: str | None = None  # output name of the e-mail this input was attached to
    stages: dict[str, float] = field(default_factory=dict)  # each stage completed → its seconds (state.STAGES)
    exit_code: int | None = None  # a failed input: the ExitCode of its error (errors.ExitCode)

    @property
    def redactions(self) -> list[Finding]:
        return [f for f in self.findings if f.decision == "redact"]


def findings_text(data: dict) -> str:
    """A findings file's JSON: one key per line and one finding per line. Python's indenting encoder
    is pure Python (a third of a second for a dossier's thousands of boxes); this uses the C one."""
    dump = lambda v: json.dumps(v, ensure_ascii=False)
    lines = []
    for key, value in data.items():
        if key == "findings" and value:
            value = "[\n  " + ",\n  ".join(map(dump, value)) + "\n ]"
        else:
            value = dump(value)
        lines.append(f" {dump(key)}: {value}")
    return "{\n" + ",\n".join(lines) + "\n}"
