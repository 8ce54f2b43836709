"""OCR of pages without a text layer (scans), with Tesseract's Dutch model.

Tesseract runs as a command (`tesseract … tsv`) on the page rendered in grey at 300 dpi. Measured on the
scans of the development corpus (one A4 page, 2 cores): PyMuPDF's built-in OCR text page took 2.1 s and
grouped the two columns of a nota header into one line ("Opgesteld door at Femke Verbeek Aanleiding");
the command took 1.0 s with one thread (5.0 s with OpenMP's default threads, which only contend), keeps
the columns apart, and reports a confidence per word — which the reviewer needs for a page that cannot
be trusted. Pages turned by 90°, 180° or 270° are detected (Tesseract's orientation script detection)
and read the right way up.
"""
from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from ..files import sha256_file

DPI = 300
LANGUAGE = "nld"
LOW_CONFIDENCE = 60.0  # mean word confidence (0-100) below which a page is flagged for the reviewer
PAD = 1.0  # points added around each word's box
TIMEOUT = 120  # seconds per page: a runaway Tesseract must not hang the batch
_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


@dataclass
class OcrPage:
    """The words Tesseract read on one page, in page coordinates, in PyMuPDF's word-tuple layout
    (x0, y0, x1, y1, text, block, line, word) so that they join the text like extracted words."""

    words: list[tuple] = field(default_factory=list)
    confidence: float = 0.0  # mean word confidence, 0-100
    rotation: int = 0  # degrees the page image was turned to read it

    @property
    def low(self) -> bool:
        return not self.words or self.confidence < LOW_CONFIDENCE


@functools.cache
def available() -> str | None:
    """Why OCR cannot run here, or None when Tesseract with the Dutch model is installed."""
    exe = shutil.which("tesseract")
    if not exe:
        return "Tesseract is not installed (Debian: tesseract-ocr tesseract-ocr-nld)"
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as e:
        return f"Tesseract does not run ({e})"
    if LANGUAGE not in langs.split():
        return "Tesseract's Dutch model is not installed (Debian: tesseract-ocr-nld)"
    return None


SPARSE_WORDS = 12  # a page image with fewer words than this in its text layer is a scan with a stamp


def needs_ocr(page: pymupdf.Page, words: list) -> bool:
    """A scan: a page that shows an image and has no text layer — or only a few words on top of a
    page-sized image (a page number or a stamp added after scanning)."""
    if not page.get_images(full=False):
        return False
    count = sum(1 for w in words if w[4].strip())
    if count == 0:
        return True
    if count >= SPARSE_WORDS:
        return False
    area = abs(page.rect)
    return any(abs(r & page.rect) >= 0.5 * area for img in page.get_images(full=True)
               for r in page.get_image_rects(img[0]))


# images on a page with a text layer that may hold text: a pasted screenshot of an e-mail, a scanned
# letter inside a nota. Smaller ones (logos, icons, signatures) are left to the reviewer, and so is an
# image behind the whole page: a scanner's searchable PDF (the scan with its own text layer, which is
# read) or a letterhead background, where OCR would cost two seconds a page and add nothing. An image
# that runs to the page's top or bottom edge is the letterhead's logo band or a footer: a pasted picture
# stands inside the margins.
TEXT_IMAGE_AREA = 0.02  # share of the page (a one-line screenshot is 4 %; a logo under 1.5 %)
TEXT_IMAGE_MAX = 0.8  # share of the page
TEXT_IMAGE_MIN = (100.0, 30.0)  # points, width and height


def text_images(page: pymupdf.Page) -> list[pymupdf.Rect]:
    """The places of images large enough to hold readable text on a page that is no scan."""
    if not page.get_images(full=False):  # most text pages: no image at all (and this test is cheap)
        return []
    area = abs(page.rect)
    out = []
    for info in page.get_image_info():
        drawn = pymupdf.Rect(info["bbox"])
        if drawn.y0 <= page.rect.y0 + 1 or drawn.y1 >= page.rect.y1 - 1:
            continue  # it runs to the top or bottom edge: a letterhead's logo or a footer band, not a paste
        r = drawn & page.rect
        if r.is_empty or r.width < TEXT_IMAGE_MIN[0] or r.height < TEXT_IMAGE_MIN[1] \
                or not TEXT_IMAGE_AREA * area <= abs(r) < TEXT_IMAGE_MAX * area:
            continue
        if not any(abs(r & o) > 0.9 * abs(r) for o in out):  # the same image drawn twice
            out.append(r)
    return out


def region_key(pno: int, rect: pymupdf.Rect) -> str:
    return f"{pno}@" + ",".join(f"{c:.1f}" for c in rect)


def ocr_region(page: pymupdf.Page, rect: pymupdf.Rect, block_base: int = 0) -> OcrPage:
    """Read the part `rect` of a page (an image on it); block numbers start at `block_base`, so that
    the words do not join lines of the page's own text."""
    zoom = DPI / 72
    m = pymupdf.Matrix(zoom, zoom)
    pix = page.get_pixmap(matrix=m, clip=rect, colorspace=pymupdf.csGRAY, alpha=False)
    to_page = ~(m * pymupdf.Matrix(1, 0, 0, 1, -pix.x, -pix.y))  # the pixmap starts at the clip's corner
    words, conf = _words(_tesseract(pix.tobytes("png"), "tsv"), to_page)
    return OcrPage([w[:5] + (block_base + w[5],) + w[6:] for w in words], conf, 0)


def merge_words(existing: list, read: list) -> list:
    """The text layer's words plus the OCR words that do not lie on one of them."""
    boxes = [pymupdf.Rect(w[:4]) for w in existing if w[4].strip()]
    return existing + [w for w in read if not any(b.intersects(pymupdf.Rect(w[:4])) for b in boxes)]


def _render(page: pymupdf.Page, rotation: int) -> tuple[bytes, pymupdf.Matrix]:
    """The page as a grey PNG at DPI, turned by `rotation`; and the matrix from pixels back to page."""
    zoom = DPI / 72
    m = pymupdf.Matrix(zoom, zoom).prerotate(rotation)
    pix = page.get_pixmap(matrix=m, colorspace=pymupdf.csGRAY, alpha=False)
    bbox = page.rect * m  # where the page lands; the pixmap starts at its top-left corner
    to_page = ~(m * pymupdf.Matrix(1, 0, 0, 1, -bbox.x0, -bbox.y0))
    return pix.tobytes("png"), to_page


def _tesseract(png: bytes, *args: str) -> str:
    run = subprocess.run(["tesseract", "stdin", "stdout", "-l", LANGUAGE, "--dpi", str(DPI), *args],
                         input=png, capture_output=True, timeout=TIMEOUT, env=_ENV)
    if run.returncode != 0:
        raise RuntimeError(run.stderr.decode(errors="replace").strip().splitlines()[-1:] or "tesseract failed")
    return run.stdout.decode("utf-8", errors="replace")


def _orientation(png: bytes) -> int:
    """The clockwise rotation Tesseract's OSD says the page needs (0 when unsure)."""
    try:
        out = subprocess.run(["tesseract", "stdin", "stdout", "--psm", "0", "--dpi", str(DPI)], input=png,
                             capture_output=True, timeout=TIMEOUT, env=_ENV).stdout.decode(errors="replace")
    except (OSError, subprocess.SubprocessError):
        return 0
    rotate = re.search(r"Rotate:\s*(\d+)", out)
    confidence = re.search(r"Orientation confidence:\s*([\d.]+)", out)
    if not rotate or not confidence or float(confidence.group(1)) < 2.0:
        return 0
    return int(rotate.group(1)) % 360


def _words(tsv: str, to_page: pymupdf.Matrix) -> tuple[list[tuple], float]:
    words, confs = [], []
    lines: dict[tuple, int] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) != 12 or not cols[11].strip() or cols[0] != "5":
            continue
        left, top, width, height, conf = int(cols[6]), int(cols[7]), int(cols[8]), int(cols[9]), float(cols[10])
        rect = pymupdf.Rect(left, top, left + width, top + height) * to_page
        rect = rect + (-PAD, -PAD, PAD, PAD)  # the grey edge pixels of the ink belong to the word
        block = int(cols[2])
        line = lines.setdefault((block, cols[3], cols[4]), len(lines))
        words.append((rect.x0, rect.y0, rect.x1, rect.y1, cols[11].strip(), block, line, int(cols[5])))
        confs.append(conf)
    return words, (sum(confs) / len(confs) if confs else 0.0)


def ocr_page(page: pymupdf.Page, first: tuple[list[tuple], float] | None = None) -> OcrPage:
    """Read a scanned page. Tries the page as it is (`first`: that reading, when already done); when
    that reads poorly, asks Tesseract which way up the page is and reads it again turned."""
    png = None
    if first is None:
        png, to_page = _render(page, 0)
        first = _words(_tesseract(png, "tsv"), to_page)
    words, conf = first
    result = OcrPage(words, conf, 0)
    if result.low or len(words) < 5:
        if png is None:
            png, _ = _render(page, 0)
        turn = _orientation(png)
        if turn:
            png, to_page = _render(page, turn)
            words, conf = _words(_tesseract(png, "tsv"), to_page)
            if conf > result.confidence:
                result = OcrPage(words, conf, turn)
    return result


OCR_THREADS = 4  # Tesseract processes one document may run at once (each takes some 80 MB)


def read_pages(doc: pymupdf.Document, pages: list[int], jobs: int = 1) -> dict[int, OcrPage]:
    """`ocr_page` for several pages of a document, Tesseract running for up to `jobs` (at most
    OCR_THREADS) of them at once: a 300-page scanned dossier is a second a page. Pages are rendered
    here one after another (PyMuPDF is not thread-safe); only the Tesseract processes run beside
    each other."""
    threads = max(1, min(jobs, OCR_THREADS))
    if threads == 1 or len(pages) < 2:
        return {p: ocr_page(doc[p]) for p in pages}
    out: dict[int, OcrPage] = {}
    pending: deque = deque()

    def finish_oldest() -> None:
        p, future, to_page = pending.popleft()
        out[p] = ocr_page(doc[p], first=_words(future.result(), to_page))

    with ThreadPoolExecutor(threads) as pool:
        for p in pages:
            png, to_page = _render(doc[p], 0)
            pending.append((p, pool.submit(_tesseract, png, "tsv"), to_page))
            if len(pending) >= 2 * threads:  # a few rendered pages waiting, not the whole dossier
                finish_oldest()
        while pending:
            finish_oldest()
    return out


# ------------------------------------------------------------------------------------------ cache

CACHE_VERSION = 1  # raise when what ocr_page or ocr_region return changes: older results are read again
CACHE_DIR = ".ocr"  # below OUT_DIR: OCR results by document hash (the original's words, personal data
# included: working material like the previews, never part of a bundle), so that packaging and later
# runs read a scan again without Tesseract


@functools.cache
def _settings() -> str:
    """What an OCR result depends on besides the page: Tesseract's version, language and resolution."""
    try:
        version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True,
                                 timeout=30).stdout.splitlines()[:1]
    except (OSError, subprocess.SubprocessError):
        version = []
    return f"{CACHE_VERSION}|{''.join(version)}|{LANGUAGE}|{DPI}|{PAD}"


class Cache:
    """The OCR results of one document (by the SHA-256 of its file), page by page."""

    def __init__(self, file: Path | None = None):
        self.file = file
        self.pages: dict[str, dict] = {}
        self.changed = False
        if file is not None and file.exists():
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
                if data.get("settings") == _settings():
                    self.pages = data.get("pages", {})
            except (OSError, ValueError):
                pass

    @classmethod
    def of(cls, path: Path, folder: Path | None) -> "Cache":
        """The cache of the document at `path` in `folder` (None: nothing is kept)."""
        if folder is None:
            return cls()
        digest = sha256_file(path)
        return cls(folder / f"{digest}.json")

    def get(self, pno: int | str) -> OcrPage | None:
        """The result for a page (its number) or a part of one (a key of `region_key`)."""
        hit = self.pages.get(str(pno))
        if hit is None:
            return None
        return OcrPage([tuple(w) for w in hit["words"]], hit["confidence"], hit["rotation"])

    def put(self, pno: int | str, page: OcrPage) -> OcrPage:
        self.pages[str(pno)] = {"words": [list(w) for w in page.words], "confidence": page.confidence,
                                "rotation": page.rotation}
        self.changed = True
        return page

    def save(self) -> None:
        if self.file is None or not self.changed:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"settings": _settings(), "pages": self.pages}), encoding="utf-8")
            os.replace(tmp, self.file)
        except OSError:
            pass  # a cache: the next read runs OCR again
