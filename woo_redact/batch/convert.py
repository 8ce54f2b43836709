"""Convert the other files of a Woo dossier into PDFs the pipeline reads.

- `.txt` and `.md` (the form the seed documents come in): one paragraph per line, so that a header's
  label and value stay on lines of their own; Markdown headings, bold, bullets and links rendered lightly.
- `.eml` (an e-mail as saved by mail programs) and `.msg` (Outlook; read with extract-msg, GPL-3.0-or-later,
  which may be combined with our AGPL-3.0): the headers as "Van:/Aan:/Cc:/Datum:/Onderwerp:" lines,
  the body, and the list of attachments; attachments the tool can read come out as documents of their
  own, linked to the e-mail (an attached e-mail as an .eml, converted in turn).
- `.docx` and `.odt`: LibreOffice headless (Debian: libreoffice-writer-nogui), which keeps page headers
  and footers, tables and layout — where a civil servant's name often stands.

Every conversion writes into a work folder and returns a `Converted`; a file that cannot be converted
raises `InputFileError` with the reason.
"""
from __future__ import annotations

import email
import email.policy
import html
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pymupdf

from ..errors import InputFileError

TEXT_TYPES = {".txt", ".md"}
MAIL_TYPES = {".eml", ".msg"}
OFFICE_TYPES = {".docx", ".odt", ".doc", ".rtf"}
CONVERTIBLE = TEXT_TYPES | MAIL_TYPES | OFFICE_TYPES
A4 = pymupdf.paper_rect("a4")
MARGIN = 56
OFFICE_TIMEOUT = 180  # seconds for one LibreOffice conversion


@dataclass
class Converted:
    """A PDF made from a non-PDF input, and the files found inside it (an e-mail's attachments)."""

    pdf: Path
    source: Path
    kind: str  # "text", "e-mail", "office"
    attachments: list[Path] = field(default_factory=list)  # saved attachments, in the order of the mail


def convertible(path: Path) -> bool:
    return path.suffix.lower() in CONVERTIBLE


def convert(path: Path, work_dir: Path) -> Converted:
    """Convert `path` into `work_dir/<stem>.pdf` (attachments into `work_dir/<stem>.bijlagen/`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    work_dir.mkdir(parents=True, exist_ok=True)
    dst = work_dir / (path.stem + ".pdf")
    try:
        if suffix in TEXT_TYPES:
            text = _read_text(path)
            _html_to_pdf(_lines_to_html(text, markdown=True), dst, title=path.stem)
            return Converted(dst, path, "text")
        if suffix in MAIL_TYPES:
            return _convert_mail(path, dst, work_dir / (path.stem + ".bijlagen"))
        if suffix in OFFICE_TYPES:
            _office_to_pdf(path, dst)
            return Converted(dst, path, "office")
    except InputFileError:
        raise
    except (OSError, ValueError, RuntimeError) as e:
        raise InputFileError(f"{path}: could not be converted to PDF ({e})") from None
    raise InputFileError(f"{path}: not processed: unsupported file type ({suffix or 'no extension'})")


# ------------------------------------------------------------------------------------------ text


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise InputFileError(f"{path}: empty file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")


def _inline(text: str, markdown: bool) -> str:
    if not markdown:
        return html.escape(text)
    text = _LINK.sub(lambda m: m.group(1) or m.group(2), text)
    out = html.escape(text)
    out = _BOLD.sub(lambda m: f"<b>{m.group(1) or m.group(2)}</b>", out)
    return out.replace("\\", "")


def _lines_to_html(text: str, markdown: bool) -> str:
    """One paragraph per line (a header's label and value stay apart); blank lines as space."""
    parts = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if markdown and lines and lines[0].strip() == "---":  # front matter: metadata, not the document
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
        if end is not None:
            lines = lines[end + 1:]
    for line in lines:
        stripped = line.strip()
        if not stripped:
            parts.append('<p class="gap">&#160;</p>')
            continue
        if markdown:
            heading = re.match(r"(#{1,6})\s+(.*)", stripped)
            if heading:
                level = min(len(heading.group(1)) + 1, 6)
                parts.append(f"<h{level}>{_inline(heading.group(2), True)}</h{level}>")
                continue
            bullet = re.match(r"[-*•]\s+(.*)", stripped)
            if bullet:
                parts.append(f"<p class=\"li\">• {_inline(bullet.group(1), True)}</p>")
                continue
            if re.fullmatch(r"\|?\s*:?-{3,}.*", stripped):  # a table's separator row
                continue
        parts.append(f"<p>{_inline(stripped, markdown)}</p>")
    return "".join(parts)


CSS = """
* {font-family: sans-serif; font-size: 10pt; line-height: 1.25}
p {margin: 0 0 2pt 0}
p.gap {margin: 0; font-size: 5pt}
p.li {margin-left: 12pt}
h2 {font-size: 14pt; margin: 6pt 0 4pt 0} h3 {font-size: 12pt; margin: 6pt 0 3pt 0}
h4, h5, h6 {font-size: 10.5pt; margin: 4pt 0 2pt 0}
"""


_TAG_OR_ENTITY = re.compile(r"(<[^>]*>|&#?\w+;)")


def no_ligatures(markup: str) -> str:
    """Every "f" of the text in a span of its own. The layout engine would otherwise set "fi", "fl" and
    "ff" as one ligature glyph, and text extraction with PyMuPDF's default flags (verify's page text, a
    reader's copy and search) then sees "minﬁn.nl", not the "minfin.nl" that was redacted."""
    parts = _TAG_OR_ENTITY.split(markup)
    return "".join(p if i % 2 else p.replace("f", "<span>f</span>") for i, p in enumerate(parts))


def _html_to_pdf(body: str, dst: Path, title: str = "") -> None:
    story = pymupdf.Story(html=f"<body>{no_ligatures(body)}</body>", user_css=CSS)
    tmp = dst.with_name(f".{dst.name}.tmp")
    writer = pymupdf.DocumentWriter(str(tmp))
    where = A4 + (MARGIN, MARGIN, -MARGIN, -MARGIN)
    more = True
    while more:
        device = writer.begin_page(A4)
        more, _ = story.place(where)
        story.draw(device)
        writer.end_page()
    writer.close()
    with pymupdf.open(tmp) as doc:
        if title:
            doc.set_metadata({"title": title})
        doc.save(dst, garbage=1, deflate=True)
    tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------- e-mail

_HEADERS = (("From", "Van"), ("To", "Aan"), ("Cc", "Cc"), ("Date", "Verzonden"), ("Subject", "Onderwerp"))


_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_MONTH_NAMES = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                "oktober", "november", "december")


def dutch_date(value: str) -> str:
    """An e-mail's Date header as a Dutch mail program shows it: "Mon, 03 Mar 2025 10:00:00 +0100" →
    "maandag 3 maart 2025 10:00" (the sender's own clock time); a header it cannot read stays as it is."""
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return value
    if when is None:
        return value
    return f"{_DAYS[when.weekday()]} {when.day} {_MONTH_NAMES[when.month - 1]} {when.year} {when:%H:%M}"


def _body_text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if part.get_content_subtype() == "html":
        import lxml.html

        tree = lxml.html.fromstring(content)
        for br in tree.iter("br"):
            br.tail = "\n" + (br.tail or "")
        for block in tree.iter("p", "div", "li", "tr"):
            block.tail = "\n" + (block.tail or "")
        content = tree.text_content()
    return content


def _safe_name(name: str) -> str:
    name = Path(name.replace("\\", "/")).name.strip() or "bijlage"
    return re.sub(r"[\x00-\x1f/]", "_", name)[:150]


def _read_mail(path: Path) -> EmailMessage:
    if path.suffix.lower() == ".msg":
        return _read_outlook(path)
    try:
        return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    except Exception as e:  # the stdlib parser is lenient; this is a file that is no mail at all
        raise InputFileError(f"{path}: not a readable e-mail ({e})") from None


def _read_outlook(path: Path) -> EmailMessage:
    """An Outlook .msg as the e-mail it is: headers, body and attachments (an attached Outlook message
    becomes an attached e-mail)."""
    import extract_msg

    if path.read_bytes()[:8] != bytes.fromhex("D0CF11E0A1B11AE1"):
        raise InputFileError(f"{path}: not an Outlook .msg (no compound file header)")
    try:
        msg = extract_msg.openMsg(str(path), strict=False)
    except Exception as e:  # extract-msg's own errors on a damaged or non-mail compound file
        raise InputFileError(f"{path}: not a readable Outlook .msg ({type(e).__name__})") from None
    try:
        if not hasattr(msg, "body"):
            raise InputFileError(f"{path}: an Outlook item that is not an e-mail ({type(msg).__name__})")
        return _outlook_message(msg)
    finally:
        msg.close()


def _outlook_message(msg) -> EmailMessage:
    from email.utils import format_datetime

    out = EmailMessage()
    for header, value in (("From", msg.sender), ("To", msg.to), ("Cc", msg.cc), ("Subject", msg.subject)):
        value = " ".join(str(value or "").split())
        if value:
            out[header] = value
    if msg.date:
        out["Date"] = format_datetime(msg.date) if hasattr(msg.date, "tzinfo") else str(msg.date)
    body = msg.body or ""
    if not body.strip() and getattr(msg, "htmlBody", None):
        markup = msg.htmlBody
        out.set_content(markup.decode("utf-8", "replace") if isinstance(markup, bytes) else markup, subtype="html")
    else:
        out.set_content(body.replace("\r\n", "\n"))
    for i, att in enumerate(msg.attachments, 1):
        if getattr(att, "hidden", False):
            continue  # an image shown inside the body
        name = _safe_name(getattr(att, "longFilename", None) or getattr(att, "shortFilename", None)
                          or f"bijlage-{i}")
        data = att.data
        if isinstance(data, bytes):
            out.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
        elif hasattr(data, "attachments"):  # an Outlook message inside this one
            inner = bytes(_outlook_message(data))
            out.add_attachment(inner, maintype="application", subtype="octet-stream",
                               filename=name if name.lower().endswith(".eml") else name + ".eml")
    return out


def _convert_mail(path: Path, dst: Path, attach_dir: Path) -> Converted:
    msg = _read_mail(path)
    if not any(msg.get(h) for h, _ in _HEADERS):
        raise InputFileError(f"{path}: not an e-mail (no From, To, Date or Subject header)")
    lines = []
    for header, label in _HEADERS:
        value = msg.get(header)
        if value:
            value = " ".join(str(value).split())
            lines.append(f"{label}: {dutch_date(value) if header == 'Date' else value}")
    lines.append("")
    lines.extend(_body_text(msg).splitlines())
    saved: list[Path] = []
    names = []
    for part in msg.iter_attachments():
        name = _safe_name(part.get_filename() or f"bijlage-{len(names) + 1}")
        payload = part.get_payload(decode=True)
        if part.get_content_type() == "message/rfc822":  # a forwarded e-mail: an .eml of its own
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            payload = inner.as_bytes(policy=email.policy.default) if hasattr(inner, "as_bytes") else None
            if not name.lower().endswith(".eml"):
                name += ".eml"
        names.append(name)
        if payload is None:
            continue
        attach_dir.mkdir(parents=True, exist_ok=True)
        target = attach_dir / name
        n = 1
        while target.exists():
            n += 1
            target = attach_dir / f"{Path(name).stem}-{n}{Path(name).suffix}"
        target.write_bytes(payload)
        saved.append(target)
    if names:
        lines += ["", "Bijlagen:"] + [f"- {n}" for n in names]
    _html_to_pdf(_lines_to_html("\n".join(lines), markdown=False), dst,
                 title=" ".join(str(msg.get("Subject") or "").split()))
    return Converted(dst, path, "e-mail", saved)


# ---------------------------------------------------------------------------------------- office


def office_available() -> str | None:
    """Why office files cannot be converted here, or None."""
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        return "LibreOffice is not installed (Debian: libreoffice-writer-nogui)"
    return None


def _office_to_pdf(path: Path, dst: Path) -> None:
    missing = office_available()
    if missing:
        raise InputFileError(f"{path}: not processed: {missing}")
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    with tempfile.TemporaryDirectory(prefix="woo-office-") as tmp:
        # a profile of its own per call: parallel conversions must not share LibreOffice's lock
        profile = Path(tmp) / "profile"
        src = Path(tmp) / ("input" + path.suffix.lower())
        shutil.copyfile(path, src)  # LibreOffice reads a copy: the input is never touched
        try:
            run = subprocess.run(
                [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                 "--convert-to", "pdf", "--outdir", tmp, str(src)],
                capture_output=True, timeout=OFFICE_TIMEOUT, env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired:
            raise InputFileError(f"{path}: LibreOffice did not finish within {OFFICE_TIMEOUT} s") from None
        made = Path(tmp) / "input.pdf"
        if run.returncode != 0 or not made.exists():
            reason = (run.stderr or run.stdout).decode(errors="replace").strip().splitlines()[-1:] or ["no PDF"]
            raise InputFileError(f"{path}: LibreOffice could not convert it ({reason[0][:120]})")
        shutil.move(str(made), dst)
