"""Sanitise a burned-in PDF: remove everything outside the page content that can carry personal data.

The burn stage has already removed the redacted text from the pages. What remains to clean lives
beside the pages (woo-domain.md §4 and §7): document info and XMP metadata, comments and other
annotations, form fields, attachments, scripts, bookmarks, page labels, hidden layers, thumbnails,
private application data, metadata inside JPEG and JPEG 2000 images (EXIF, XMP, IPTC, comments), unused
glyphs in embedded fonts, and older revisions kept by incremental saves.

Three passes, each a full rewrite of the file:

1. pikepdf walks the object structure and removes or clears what has to go;
2. PyMuPDF subsets the fonts and saves with garbage collection (`garbage=4`) and deflated streams (the
   pages' content streams as burn-in left them: cleaning every page's content again cost more than the
   rest of the sanitising, and the verification reads every string they show whatever their form);
3. pikepdf sets the final document info and writes `dst` atomically. qpdf writes only the objects
   reachable from the trailer, so nothing of the old file's unreachable objects or earlier revisions
   survives; the written file is checked to hold a single revision.

The notes returned say what was removed, in counts and kinds, never the removed text.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import uuid
from collections.abc import Sequence
from pathlib import Path

import pikepdf
import pymupdf
from pikepdf import Array, Dictionary, Name, String

from ..errors import EncryptedPdfError, InputFileError, OutputError
from .strings import FREE_NAMES, REVISION_END, Secrets, cmap_texts, is_type, objects, shown_strings, stream_bytes, text_of

PRODUCER = "woo-redact"

_T = pikepdf.ObjectType
# Actions a kept link may carry; anything else (JavaScript, Launch, SubmitForm, ...) removes the link.
_SAFE_LINK_ACTIONS = {"/URI", "/GoTo", "/GoToR", "/Named"}


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


# --------------------------------------------------------------------------------------------------
# Pass 1: the object structure (pikepdf)


def _remove_xmp(pdf: pikepdf.Pdf) -> int:
    """Remove /Metadata (XMP) from the catalog, the pages and every other object; return the count."""
    removed = 0
    for obj in objects(pdf):
        if obj._type_code in (_T.dictionary, _T.stream) and "/Metadata" in obj:
            del obj["/Metadata"]
            removed += 1
    return removed


def _link_texts(annot) -> list[str | None]:
    """The texts of a link that could mention a person: contents, URI, target file, named destination."""
    texts = [text_of(annot.get("/Contents")), text_of(annot.get("/Dest"))]
    action = annot.get("/A")
    if is_type(action, _T.dictionary):
        texts += [text_of(action.get(k)) for k in ("/URI", "/D", "/F")]
        target = action.get("/F")
        if is_type(target, _T.dictionary):
            texts += [text_of(target.get(k)) for k in ("/F", "/UF", "/DOS", "/Mac", "/Unix", "/Desc")]
    return texts


def _drop_embedded_target(action) -> None:
    """A GoToR link's file specification keeps the name of the file; an embedded copy of it goes."""
    if not is_type(action, _T.dictionary):
        return
    target = action.get("/F")
    if is_type(target, _T.dictionary) and "/EF" in target:
        del target["/EF"]


def _link_is_safe(annot) -> bool:
    """A link that only navigates (no script, no launch, no chained actions)."""
    action = annot.get("/A")
    if action is None:
        return True
    if not is_type(action, _T.dictionary):
        return False
    return str(action.get("/S")) in _SAFE_LINK_ACTIONS and "/Next" not in action


def _clean_annotations(pdf: pikepdf.Pdf, secrets: Secrets, notes: list[str]) -> None:
    """Keep only Link annotations that neither mention a secret nor run an unsafe action."""
    markup = widgets = links = 0
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        if not is_type(annots, _T.array):
            del page.obj["/Annots"]
            continue
        kept = []
        for annot in annots:
            subtype = str(annot.get("/Subtype")) if is_type(annot, _T.dictionary) else None
            if subtype == "/Link":
                if _link_is_safe(annot) and not secrets.any_loose(*_link_texts(annot)):
                    # a link's own appearance may show anything (the page's text is what it covers), and
                    # a file it points to may be embedded in it: neither is needed to follow it
                    for key in ("/AA", "/AP"):
                        if key in annot:
                            del annot[key]
                    _drop_embedded_target(annot.get("/A"))
                    kept.append(annot)
                else:
                    links += 1
            elif subtype == "/Widget":
                widgets += 1
            else:
                markup += 1
        if kept:
            page.obj["/Annots"] = Array(kept)
        else:
            del page.obj["/Annots"]
    if markup:
        notes.append(_plural(markup, "annotation") + " removed (comments, markup, popups)")
    if widgets:
        notes.append(_plural(widgets, "form field widget") + " removed")
    if links:
        notes.append(_plural(links, "link") + " removed (personal data or script in the link)")


def _remove_form(pdf: pikepdf.Pdf, notes: list[str]) -> None:
    if "/AcroForm" in pdf.Root:
        del pdf.Root["/AcroForm"]
        notes.append("interactive form (AcroForm) removed")
    if "/NeedsRendering" in pdf.Root:
        del pdf.Root["/NeedsRendering"]


def _remove_attachments(pdf: pikepdf.Pdf, notes: list[str]) -> None:
    """Embedded files (name tree), associated files (/AF) and the portfolio view."""
    names = pdf.Root.get("/Names")
    if is_type(names, _T.dictionary) and "/EmbeddedFiles" in names:
        try:
            count = len(pdf.attachments)
        except Exception:  # a damaged name tree still goes
            count = 0
        del names["/EmbeddedFiles"]
        notes.append(_plural(count, "attachment") + " removed" if count else "attachments removed")
    associated = 0
    for obj in objects(pdf):
        if obj._type_code in (_T.dictionary, _T.stream) and "/AF" in obj:
            del obj["/AF"]
            associated += 1
    if associated:
        notes.append(_plural(associated, "associated-file reference") + " removed")
    if "/Collection" in pdf.Root:
        del pdf.Root["/Collection"]


def _has_script(action, depth: int = 0) -> bool:
    """Whether an action dictionary, or one chained after it with /Next, does more than navigate
    inside the document. A destination (an array) is no action and has no script."""
    if not is_type(action, _T.dictionary) or depth > 20:
        return False
    if str(action.get("/S")) not in ("/GoTo", "/Named"):
        return True
    chained = action.get("/Next")
    if is_type(chained, _T.array):
        return any(not is_type(a, _T.dictionary) or _has_script(a, depth + 1) for a in chained)
    return chained is not None and (not is_type(chained, _T.dictionary) or _has_script(chained, depth + 1))


def _remove_scripts(pdf: pikepdf.Pdf, notes: list[str]) -> None:
    """Named JavaScript, a scripted /OpenAction, and document- and page-level /AA."""
    root = pdf.Root
    removed = []
    names = root.get("/Names")
    if is_type(names, _T.dictionary) and "/JavaScript" in names:
        del names["/JavaScript"]
        removed.append("document JavaScript")
    if "/OpenAction" in root and _has_script(root.get("/OpenAction")):
        del root["/OpenAction"]
        removed.append("open action")
    if "/AA" in root:
        del root["/AA"]
        removed.append("document actions")
    pages_aa = 0
    for page in pdf.pages:
        if "/AA" in page.obj:
            del page.obj["/AA"]
            pages_aa += 1
    if pages_aa:
        removed.append(_plural(pages_aa, "page action"))
    if removed:
        notes.append("removed " + ", ".join(removed))


def _remove_page_extras(pdf: pikepdf.Pdf, notes: list[str]) -> None:
    """Thumbnails (they show the page before redaction), private application data, web capture."""
    thumbs = 0
    for page in pdf.pages:
        if "/Thumb" in page.obj:
            del page.obj["/Thumb"]
            thumbs += 1
    if thumbs:
        notes.append(_plural(thumbs, "page thumbnail") + " removed")
    # an application's private data (/PieceInfo: Illustrator keeps a whole drawing there) may sit on a
    # page, a form XObject (a logo, a letterhead) or the catalog
    private = alternates = 0
    for obj in objects(pdf):
        if obj._type_code not in (_T.dictionary, _T.stream):
            continue
        if "/PieceInfo" in obj:
            del obj["/PieceInfo"]
            private += 1
        # an image's alternates (another version for print) and prepress links to the full picture are
        # not what the page shows: the redaction blanked only the picture the page draws
        for key in ("/Alternates", "/OPI"):
            if key in obj and obj.get("/Type", Name.XObject) == Name.XObject and "/Subtype" in obj:
                del obj[key]
                alternates += 1
    if private:
        notes.append(f"private application data removed ({_plural(private, 'object')})")
    if alternates:
        notes.append(f"{_plural(alternates, 'alternate or prepress version')} of images removed")
    for key in ("/SpiderInfo", "/Threads"):
        if key in pdf.Root:
            del pdf.Root[key]
    names = pdf.Root.get("/Names")
    if is_type(names, _T.dictionary):
        for key in ("/Renditions", "/URLS", "/IDS", "/Templates", "/Pages"):
            if key in names:
                del names[key]


# JPEG segments a PDF reader may use besides the image data: the JFIF header (APP0, kept only without
# a thumbnail: 16 bytes), an ICC colour profile (APP2 "ICC_PROFILE") and Adobe's colour transform flag
# (APP14 "Adobe"). Everything else before the image data is metadata (EXIF and XMP in APP1: author,
# camera owner, GPS position, a thumbnail of the picture as it was; IPTC in APP13; comments) and goes.
_JPEG_KEEP = {0xE0: b"JFIF\0", 0xE2: b"ICC_PROFILE\0", 0xEE: b"Adobe"}


def strip_jpeg_metadata(data: bytes, keep_profile=None) -> bytes | None:
    """`data` (a JPEG file) without its metadata segments, or None when there is nothing to strip or the
    file is not laid out as expected (then it is left as it is). `keep_profile(segment)` says whether an
    ICC profile may stay (its description can name a person); without it every profile stays."""
    if data[:2] != b"\xff\xd8":
        return None
    out, i, removed = [data[:2]], 2, False
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xDA, 0xD9):  # start of scan (the image data) or end of image
            # the image ends at the first end-of-image marker (the coded data never holds one); what a
            # camera appends after it (a second picture, its own EXIF) no reader of the PDF shows
            end = data.find(b"\xff\xd9", i) + 2 if marker == 0xDA else i + 2
            if end < 2:  # no end marker: the rest as it is
                end = len(data)
            out.append(data[i:end])
            removed = removed or end < len(data)
            return b"".join(out) if removed else None
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            out.append(data[i:i + 2])
            i += 2
            continue
        end = i + 2 + int.from_bytes(data[i + 2:i + 4], "big")
        if end <= i + 3 or end > len(data):
            return None
        needed = marker in _JPEG_KEEP and data[i + 4:end].startswith(_JPEG_KEEP[marker]) and (
            marker != 0xE0 or end - i == 18) and (marker != 0xE2 or keep_profile is None or keep_profile(data[i:end]))
        metadata = marker == 0xFE or (0xE0 <= marker <= 0xEF and not needed)
        if metadata:
            removed = True
        else:
            out.append(data[i:end])
        i = end
    return None


# The boxes of a JPEG 2000 file (JP2) a reader needs: signature, file type, reader requirements, header
# (size, colour) and the codestream. XML (XMP), UUID and intellectual-property boxes are metadata.
_JP2_KEEP = {b"jP  ", b"ftyp", b"rreq", b"jp2h", b"jp2c"}


def strip_jp2_metadata(data: bytes) -> bytes | None:
    """`data` (a JPEG 2000 file) without its metadata boxes, or None when there is nothing to strip or
    it is not a JP2 file laid out as expected (a bare codestream, a damaged file: left as it is)."""
    if data[4:8] != b"jP  ":
        return None
    out, i, removed = [], 0, False
    while i < len(data):
        if i + 8 > len(data):
            return None
        length, kind = int.from_bytes(data[i:i + 4], "big"), data[i + 4:i + 8]
        if length == 1:  # a 64-bit length follows
            if i + 16 > len(data):
                return None
            length = int.from_bytes(data[i + 8:i + 16], "big")
        elif length == 0:  # the last box runs to the end
            length = len(data) - i
        if length < 8 or i + length > len(data):
            return None
        if kind in _JP2_KEEP:
            out.append(data[i:i + length])
        else:
            removed = True
        i += length
    return b"".join(out) if removed else None


_IMAGE_METADATA = {"/DCTDecode": ("JPEG", strip_jpeg_metadata), "/JPXDecode": ("JPEG 2000", strip_jp2_metadata)}


def _profile_is_clean(secrets: Secrets):
    """Whether a JPEG's ICC profile segment names no one (its description is ASCII or UTF-16)."""
    def clean(segment: bytes) -> bool:
        texts = [segment.decode("latin-1"), segment.decode("utf-16-be", "replace"),
                 segment[1:].decode("utf-16-be", "replace")]
        return not any(secrets.loose(t.replace("\x00", " "), weak=False) for t in texts)
    return clean


def _strip_image_metadata(pdf: pikepdf.Pdf, notes: list[str], secrets: Secrets | None = None) -> None:
    """EXIF, XMP, IPTC and comments inside embedded JPEG images, and XML and UUID boxes inside JPEG 2000
    ones: no reader shows them, and no search of the pages finds a name or a place in them."""
    stripped: dict[str, int] = {}
    for obj in objects(pdf):
        if obj._type_code != _T.stream or obj.get("/Subtype") != Name.Image:
            continue
        filters = obj.get("/Filter")
        if is_type(filters, _T.array) and len(filters) == 1:
            filters = filters[0]
        kind = _IMAGE_METADATA.get(str(filters)) if is_type(filters, _T.name_) else None
        if kind is None:
            continue
        try:
            raw = obj.read_raw_bytes()
            data = (strip_jpeg_metadata(raw, _profile_is_clean(secrets)) if kind[1] is strip_jpeg_metadata
                    and secrets else kind[1](raw))
        except pikepdf.PdfError:
            continue
        if data is not None:
            obj.write(data, filter=Name(str(filters)), decode_parms=obj.get("/DecodeParms"))
            stripped[kind[0]] = stripped.get(kind[0], 0) + 1
    for label, count in sorted(stripped.items()):
        notes.append(f"metadata removed from {_plural(count, label + ' image')}")


def _item_has_secret(item, secrets: Secrets) -> bool:
    texts = [item.title]
    action = item.action
    if is_type(action, _T.dictionary):
        texts += [text_of(action.get(k)) for k in ("/URI", "/F", "/D")]
    if item.destination is not None and is_type(item.destination, _T.string):
        texts.append(str(item.destination))
    return secrets.any_loose(*texts)


def _filter_outline(items: list, secrets: Secrets) -> tuple[list, int]:
    """Drop the items that mention a secret; their children take their place. Strip scripts."""
    kept, removed = [], 0
    for item in items:
        children, sub = _filter_outline(list(item.children), secrets)
        removed += sub
        if _item_has_secret(item, secrets):
            removed += 1
            kept.extend(children)
            continue
        item.children[:] = children
        if item.action is not None and _has_script(item.action):
            item.action = None
        kept.append(item)
    return kept, removed


def _clean_outline(pdf: pikepdf.Pdf, secrets: Secrets, notes: list[str]) -> None:
    """Remove bookmarks whose title (or link) mentions a secret, keep the rest of the tree."""
    if "/Outlines" not in pdf.Root:
        return
    try:
        with pdf.open_outline() as outline:
            kept, removed = _filter_outline(list(outline.root), secrets)
            outline.root[:] = kept
    except Exception:  # an outline pikepdf cannot rebuild: safer to drop it whole
        del pdf.Root["/Outlines"]
        notes.append("outline removed (damaged, could not be rebuilt)")
        return
    if removed:
        notes.append(_plural(removed, "outline entry", "outline entries") + " removed")
    if not kept and "/Outlines" in pdf.Root:
        del pdf.Root["/Outlines"]
        if "/PageMode" in pdf.Root and str(pdf.Root["/PageMode"]) == "/UseOutlines":
            del pdf.Root["/PageMode"]


def _number_tree_values(node, depth: int = 0):
    """The values of a number tree (page labels)."""
    if not is_type(node, _T.dictionary) or depth > 32:
        return
    nums = node.get("/Nums")
    if is_type(nums, _T.array):
        for i in range(1, len(nums), 2):
            yield nums[i]
    kids = node.get("/Kids")
    if is_type(kids, _T.array):
        for kid in kids:
            yield from _number_tree_values(kid, depth + 1)


def _clean_page_labels(pdf: pikepdf.Pdf, secrets: Secrets, notes: list[str]) -> None:
    """Empty each page label prefix that mentions a secret ("Bakkerveld-1" becomes "1")."""
    labels = pdf.Root.get("/PageLabels")
    if labels is None:
        return
    cleared = 0
    for value in _number_tree_values(labels):
        if is_type(value, _T.dictionary) and secrets.any_loose(text_of(value.get("/P"))):
            value["/P"] = String("")
            cleared += 1
    if cleared:
        notes.append(_plural(cleared, "page label prefix", "page label prefixes") + " with personal data cleared")


def _remove_optional_content(pdf: pikepdf.Pdf, notes: list[str]) -> None:
    if "/OCProperties" in pdf.Root:
        del pdf.Root["/OCProperties"]
        notes.append("optional-content (layer) configuration removed; content of hidden layers now shows")


_MARKED_TEXT_KEYS = ("/ActualText", "/Alt", "/E")
_MARKED_TEXT = re.compile(rb"/(?:ActualText|Alt|E)\s*[(<]")  # such a key, inline in a content stream


def _content_streams(pdf: pikepdf.Pdf):
    """(owner, is_page) for every page and every Form XObject: the holders of content streams."""
    for page in pdf.pages:
        yield page, True
    for obj in objects(pdf):
        if obj._type_code == _T.stream and obj.get("/Subtype") == Name.Form:
            yield obj, False


def _content_bytes(owner, is_page: bool) -> bytes:
    """The decompressed content of a page (all its content streams) or of a Form XObject."""
    if not is_page:
        return stream_bytes(owner)
    contents = owner.obj.get("/Contents")
    streams = list(contents) if is_type(contents, _T.array) else [contents]
    return b"\n".join(stream_bytes(s) for s in streams if is_type(s, _T.stream))


def _clean_marked_content(pdf: pikepdf.Pdf, secrets: Secrets, notes: list[str]) -> None:
    """Remove /ActualText, /Alt and /E that mention a secret from marked-content properties written
    inline in content streams (`/Span <</ActualText (...)>> BDC`). Text extraction prefers the
    replacement text to the glyphs, so it survives the burn stage, which only removes glyphs."""
    removed = 0
    for owner, is_page in _content_streams(pdf):
        if not _MARKED_TEXT.search(_content_bytes(owner, is_page)):
            continue
        instructions = pikepdf.parse_content_stream(owner)
        changed = 0
        for operands, operator in instructions:
            if str(operator) not in ("BDC", "DP") or len(operands) < 2 or not is_type(operands[1], _T.dictionary):
                continue
            props = operands[1]
            for key in _MARKED_TEXT_KEYS:
                if key in props and secrets.any_loose(text_of(props[key])):
                    del props[key]
                    changed += 1
        if changed:
            data = pikepdf.unparse_content_stream(instructions)
            if is_page:
                owner.obj.Contents = pdf.make_stream(data)
            else:
                owner.write(data)
            removed += changed
    if removed:
        notes.append(_plural(removed, "replacement text") + " with personal data removed from page content")


def _token(value: str) -> str:
    """A neutral stand-in for a name or destination that held personal data: the same value always gets
    the same stand-in, so that what refers to it still finds it."""
    return "wr-" + hashlib.sha1(value.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def _clean_destinations(pdf: pikepdf.Pdf, secrets: Secrets) -> int:
    """Named destinations ("reactie.vlasbloem") in the /Dests name tree renamed to a stand-in; the
    links and bookmarks that use the name are renamed alike by `_clear_strings`."""
    names = pdf.Root.get("/Names")
    if not is_type(names, _T.dictionary):
        return 0
    renamed = 0
    stack = [names.get("/Dests")]
    depth = 0
    while stack and depth < 10000:
        depth += 1
        node = stack.pop()
        if not is_type(node, _T.dictionary):
            continue
        pairs = node.get("/Names")
        if is_type(pairs, _T.array):
            for i in range(0, len(pairs) - 1, 2):
                key = pairs[i]
                if is_type(key, _T.string) and secrets.any_loose(str(key)):
                    pairs[i] = String(_token(str(key)))
                    renamed += 1
        kids = node.get("/Kids")
        if is_type(kids, _T.array):
            stack.extend(kids)
    return renamed


# Values that name a destination: renamed like the destination itself, not emptied.
_DEST_KEYS = {"/D", "/Dest"}


def _clean_hidden_text(pdf: pikepdf.Pdf, secrets: Secrets, notes: list[str]) -> None:
    """Text the burn stage cannot reach: a tiling pattern, a soft mask's group or a form the page does
    not draw where a redacted name is written (its text objects go, its drawing stays), and a ToUnicode
    CMap that makes one glyph extract as a name (that mapping becomes U+FFFD)."""
    forms = cmaps = 0
    for obj in objects(pdf):
        if obj._type_code != _T.stream or obj.get("/Subtype") == Name.Image:
            continue
        if obj.get("/Subtype") == Name.Form or "/PatternType" in obj:
            if not secrets.loose(shown_strings(stream_bytes(obj)), weak=False):
                continue
            try:
                instructions = pikepdf.parse_content_stream(obj)
            except pikepdf.PdfError:
                obj.write(b"")
                forms += 1
                continue
            kept, inside = [], False
            for operands, operator in instructions:
                op = str(operator)
                if op == "BT":
                    inside = True
                elif op == "ET":
                    inside = False
                elif not inside:
                    kept.append((operands, operator))
            obj.write(pikepdf.unparse_content_stream(kept))
            forms += 1
        elif "/Type" not in obj and "/Subtype" not in obj:
            data = stream_bytes(obj)
            bad = [raw for raw, text in cmap_texts(data) if secrets.loose(text, weak=False)]
            if bad:
                for raw in set(bad):
                    data = data.replace(raw, b"<FFFD>")
                obj.write(data)
                cmaps += 1
    if forms:
        notes.append(_plural(forms, "pattern or form") + " with personal data in its text: text removed")
    if cmaps:
        notes.append(_plural(cmaps, "character map") + " that spelled personal data: mapping removed")


def _clear_strings(pdf: pikepdf.Pdf, secrets: Secrets, notes: list[str]) -> None:
    """Last sweep: empty every string left anywhere in the object structure that mentions a secret
    (structure-tree /Alt and /ActualText, layer names, file names...), give destination names and font
    names that hold one a neutral stand-in. No key is ever changed or removed, and no name that is PDF
    vocabulary is searched: the file stays valid in every viewer. Stream data is left alone: page
    content is the burn stage's work."""
    cleared = _clean_destinations(pdf, secrets)
    renamed_fonts = 0
    seen: set[tuple[int, int]] = set()
    stack = [obj for obj in objects(pdf) if obj._type_code in (_T.dictionary, _T.stream, _T.array)]
    while stack:
        obj = stack.pop()
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        slots = list(enumerate(obj)) if obj._type_code == _T.array else list(obj.items())
        for key, value in slots:
            if not isinstance(value, pikepdf.Object):
                continue  # numbers and booleans come back as Python values
            code = value._type_code
            if code == _T.string:
                text = str(value)
                if secrets.any_loose(text):
                    obj[key] = String(_token(text) if key in _DEST_KEYS else "")
                    cleared += 1
            elif code == _T.name_:
                if key in FREE_NAMES and secrets.any_loose(str(value)[1:]):
                    obj[key] = Name("/" + _token(str(value)[1:]))
                    renamed_fonts += 1
            elif code in (_T.dictionary, _T.array, _T.stream) and not value.is_indirect:
                stack.append(value)
    if cleared:
        notes.append(_plural(cleared, "other string") + " with personal data cleared")
    if renamed_fonts:
        notes.append(_plural(renamed_fonts, "font name") + " with personal data renamed")


# Catalog entries that may stay; everything else (AcroForm, scripts, XMP, private keys...) goes.
_CATALOG_KEEP = {
    "/Type", "/Version", "/Extensions", "/Pages", "/PageLabels", "/Names", "/Dests", "/ViewerPreferences",
    "/PageLayout", "/PageMode", "/Outlines", "/OpenAction", "/StructTreeRoot", "/MarkInfo", "/Lang",
    "/OutputIntents",
}


def _clean_catalog(pdf: pikepdf.Pdf, notes: list[str]) -> None:
    """Drop catalog entries not on the keep list, an empty /Names, and a page mode that opens a
    panel that is now empty."""
    root = pdf.Root
    extra = [key for key in root.keys() if key not in _CATALOG_KEEP]
    for key in extra:
        del root[key]
    reported = [key for key in extra if key != "/Info"]  # PyMuPDF itself leaves a stray /Info there
    if reported:
        notes.append(_plural(len(reported), "other catalog entry", "other catalog entries") + " removed")
    names = root.get("/Names")
    if names is not None and (not is_type(names, _T.dictionary) or not len(names.keys())):
        del root["/Names"]
    mode = str(root.get("/PageMode", ""))
    if (mode == "/UseAttachments" or mode == "/UseOC" or (mode == "/UseOutlines" and "/Outlines" not in root)):
        root["/PageMode"] = Name.UseNone


def _set_info(pdf: pikepdf.Pdf, title: str | None) -> None:
    """Replace the document info with a title and the producer, nothing else."""
    pdf.trailer["/Info"] = pdf.make_indirect(
        Dictionary(Title=String(title or ""), Producer=String(PRODUCER))
    )


def _clean_structure(src: Path, secrets: Secrets, title: str, notes: list[str]) -> bytes:
    """Pass 1: open `src` with pikepdf, remove what has to go, return the rewritten file."""
    try:
        pdf = pikepdf.open(src)
    except pikepdf.PasswordError as exc:
        raise EncryptedPdfError(f"{src.name}: encrypted, cannot sanitise") from exc
    except (pikepdf.PdfError, OSError) as exc:
        raise InputFileError(f"{src.name}: cannot open for sanitising: {exc}") from exc
    with pdf:
        info = pdf.trailer.get("/Info")
        if is_type(info, _T.dictionary) and len(info.keys()):
            notes.append("document info replaced (" + _plural(len(info.keys()), "entry", "entries") + " removed)")
        _set_info(pdf, title)
        if _remove_xmp(pdf):
            notes.append("XMP metadata removed")
        _clean_annotations(pdf, secrets, notes)
        _remove_form(pdf, notes)
        _remove_attachments(pdf, notes)
        _remove_scripts(pdf, notes)
        _remove_page_extras(pdf, notes)
        _strip_image_metadata(pdf, notes, secrets)
        _clean_outline(pdf, secrets, notes)
        _clean_page_labels(pdf, secrets, notes)
        _remove_optional_content(pdf, notes)
        _clean_marked_content(pdf, secrets, notes)
        _clean_hidden_text(pdf, secrets, notes)
        _clean_catalog(pdf, notes)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


# --------------------------------------------------------------------------------------------------
# Pass 2: fonts and a garbage-collected rewrite (PyMuPDF)


def _rewrite_with_mupdf(data: bytes, out: Path, notes: list[str]) -> None:
    """Subset the embedded fonts and save to `out` with garbage collection and deflated streams (to a
    file: writing to memory hands MuPDF's output to Python in hundreds of thousands of small pieces)."""
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        try:
            doc.subset_fonts()
        except Exception:  # odd fonts: keep them whole rather than fail
            notes.append("font subsetting failed; fonts kept whole")
        doc.save(out, garbage=4, deflate=True, deflate_fonts=True)


# --------------------------------------------------------------------------------------------------
# Pass 3: final info, a reachable-only rewrite, atomic write (pikepdf)


def _write_final(data: Path, dst: Path, title: str, secrets: Secrets, notes: list[str]) -> None:
    """Set the info again (pass 2 may touch it), drop any XMP, clear left-over strings that mention
    a secret (after pass 2 only reachable objects are left, so the count is meaningful), and write
    `dst` atomically."""
    with pikepdf.open(data) as pdf:
        _set_info(pdf, title)
        _remove_xmp(pdf)
        _clear_strings(pdf, secrets, notes)
        # A temporary file beside dst (same file system, so os.replace is atomic), created by the
        # save itself so that it gets the user's normal permissions.
        tmp = dst.parent / f".{dst.name}.{uuid.uuid4().hex}.tmp"
        try:
            pdf.save(tmp, compress_streams=True, deterministic_id=True, linearize=False)
            _check_single_revision(tmp)
            os.replace(tmp, dst)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def _check_single_revision(path: Path) -> None:
    """A full rewrite holds one revision: one "startxref N %%EOF" end."""
    if len(REVISION_END.findall(path.read_bytes())) != 1:
        raise OutputError(f"{path.name}: sanitised output has more than one revision")


def sanitise(src: Path, dst: Path, secrets: Sequence[str] | Secrets, title: str | None = None) -> list[str]:
    """Write a clean copy of the burned-in PDF `src` to `dst` and return notes on what was removed.

    `secrets` are the redacted strings: bookmarks, links and page labels that mention one go, and
    strings elsewhere in the structure that mention one are emptied. Document info becomes just
    `title` (dropped when it mentions a secret) and Producer "woo-redact". Notes never quote a secret.
    """
    src, dst = Path(src), Path(dst)
    prepared = secrets if isinstance(secrets, Secrets) else Secrets(secrets)  # compiled once for both stages
    notes: list[str] = []
    clean_title = title or ""
    if clean_title and prepared.any_loose(clean_title):
        notes.append("title left empty (it contained personal data)")
        clean_title = ""
    if not dst.parent.is_dir():
        raise OutputError(f"{dst.name}: output folder {dst.parent} does not exist")
    data = _clean_structure(src, prepared, clean_title, notes)
    rewritten = dst.parent / f".{dst.name}.{uuid.uuid4().hex}.pass2"
    try:
        _rewrite_with_mupdf(data, rewritten, notes)
        _write_final(rewritten, dst, clean_title, prepared, notes)
    except OSError as exc:
        raise OutputError(f"{dst.name}: cannot write: {exc.strerror or exc}") from exc
    finally:
        rewritten.unlink(missing_ok=True)
    return notes
