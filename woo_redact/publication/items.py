"""What the package stage needs of each input: a BundleItem (paths, text, spans, the redacted strings),
made from a batch's DocResult and its Document."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Document, DocResult, HeaderField
from ..decide.secrets import secret_forms
from .redacted import MIN_SECRET_LENGTH, norm


@dataclass
class BundleItem:
    """One input of the batch as the package stage sees it: no open PDF, only paths, text and spans."""

    source: str  # the input's name in the batch (unique within it)
    status: str = "ok"  # ok | failed | skipped
    reason: str = ""  # why it failed or was skipped
    pages: int = 0
    redacted: Path | None = None  # the redacted, verified PDF
    redactions: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, ground) in `text`
    text: str = ""  # the document's text (Document.text), offsets as in `redactions`
    fields: list[HeaderField] = field(default_factory=list)  # header fields (Document.fields)
    secrets: list[str] = field(default_factory=list)  # every redacted string: must not appear in the bundle
    duplicate_of: str | None = None  # source of the input with the same content
    textless_pages: int = 0  # scanned pages without text OCR could trust: not (reliably) searched
    reviewed: bool = False  # a person has reviewed it (set by the caller): textless pages no longer hold it back
    file_type: str = "pdf"  # the original's type in the productierapport's words (pdf, email, doc, note)
    parent: str | None = None  # source of the e-mail this input was attached to (Family)

    @property
    def grounds(self) -> list[str]:
        return sorted({g for _, _, g in self.redactions if g})


def item_from(result: DocResult, document: Document | None, secrets: Iterable[str] = (),
              name: str | None = None, keep_words: Iterable[str] = ()) -> BundleItem:
    """The BundleItem of one processed input. `document` is the Document the findings refer to (from
    `pipeline.analyse`, or `read.read` again); `secrets` the redacted strings (`Analysis.secrets`). The
    forms of the redacted entities in the text are added (`secrets.secret_forms`, with the organisation
    words `keep_words` as the pipeline takes them), so that findings without their text (a resumed
    batch) are still checked."""
    source = Path(result.source)
    name = name or (result.redacted.name if result.redacted else source.name)
    status = {"ok": "ok", "failed": "failed"}.get(result.status, "skipped")
    reason = _plain_reason(result.error or "", source, name) if status != "ok" else ""
    duplicate_of = None
    if result.status == "duplicate" and result.error:
        m = re.search(r"same content as (.+?)\s*$", result.error)
        duplicate_of = m.group(1) if m else None
    redactions = [(f.start, f.end, f.ground) for f in result.findings if f.decision == "redact"]
    text = document.text if document is not None else ""
    found = set(norm(s) for s in secrets)
    if document is not None:  # the forms of the redacted entities, also where findings carry no text
        found |= set(secret_forms(result.findings, texts={f.id: text[f.start:f.end] for f in result.findings},
                                   keep_words=keep_words, text=text))
    return BundleItem(
        source=name, status=status, reason=reason,
        pages=result.pages or (document.page_count if document is not None else 0),
        redacted=Path(result.redacted) if result.redacted else None,
        redactions=redactions,
        text=text, fields=list(document.fields) if document is not None else [],
        secrets=sorted(s for s in found if len(s) >= MIN_SECRET_LENGTH),
        duplicate_of=duplicate_of,
        textless_pages=_unsearched_pages(document),
        reviewed=bool(result.findings_json and Path(result.findings_json).name.endswith(".reviewed.json")),
        file_type=FILE_TYPES.get(source.suffix.lower(), "pdf" if source.suffix.lower() == ".pdf" else ""),
        parent=result.parent,
    )


# the original's extension → the productierapport's "File type"
FILE_TYPES = {".pdf": "pdf", ".eml": "email", ".msg": "email", ".docx": "doc", ".doc": "doc", ".odt": "doc",
              ".rtf": "doc", ".txt": "note", ".md": "note", ".zip": "zip"}
FAMILY_HEADS = ("email", "zip")  # inputs whose attachments or files share their Family


def _unsearched_pages(document: Document | None) -> int:
    """Pages whose personal data the tool could not search reliably: no text at all, or OCR it cannot
    trust. Such a document waits for a reviewer."""
    if document is None:
        return 0
    from ..pdf.ocr import LOW_CONFIDENCE

    return len(document.textless_pages) + sum(1 for c in document.ocr_confidence.values() if c < LOW_CONFIDENCE)


def _plain_reason(error: str, source: Path, name: str) -> str:
    """An error message without the folder it came from ("/in/x.pdf: not a PDF" → "not a PDF")."""
    msg = error.replace(str(source), name)
    msg = re.sub(rf"^{re.escape(name)}:\s*(?:not processed:\s*)?", "", msg.strip())
    # a file of a zip is named by its place in the zip ("IN/dossier.zip/stukken/x.xlsx: ...")
    msg = re.sub(rf"^\S.*?/{re.escape(source.name)}:\s*(?:not processed:\s*)?", "", msg)
    return norm(msg) or "unknown reason"
