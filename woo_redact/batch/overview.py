"""The review overview: OUT_DIR/review.html, for triage before the reviewer opens the preview PDFs.

A static page (no server, no network) listing per document every proposal and every person the tool
kept, each with a cropped image of its place on the page (the box outlined over it), its ground, reason,
score and state — proposed, accepted, rejected, changed, added by the reviewer, or kept — with counts and
filters. The crops show the original text: the page is working material for reviewers, like the
previews, and never part of a publication bundle.
"""
from __future__ import annotations

import hashlib
import html
import json
import math
import shutil
import struct
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pymupdf

try:
    from isal.isal_zlib import compress as _deflate
except ImportError:  # pragma: no cover - isal is a dependency; zlib makes the same files, slower
    _deflate = zlib.compress

from ..files import STATE_FILE, converted_dir, sha256_of
from ..pdf.read import open_pdf
from ..rules import Rules
from .state import State
from ..wording import dutch_reason, reviewer_text

PAGE = "review.html"
IMAGES = "review"  # OUT_DIR/review/<document hash>/p<page>-<boxes hash>.png: one sheet per page
ZOOM = 1.5
MARGIN = (60.0, 12.0)  # points around a box in its crop: enough line to see the context
SHEET_GAP = 4  # pixels between two crops on a sheet

STATES = {  # decision in the database → (state shown, Dutch label)
    "redact": ("proposed", "voorgesteld"),
    "keep": ("kept", "niet gelakt"),
    "accepted": ("accepted", "geaccepteerd"),
    "rejected": ("rejected", "afgewezen"),
    "changed": ("changed", "andere grond"),
    "added": ("added", "toegevoegd"),
}
LABELS = dict(STATES.values())  # state → Dutch label


def _decisions(state: State) -> dict[str, list[dict]]:
    """Per document the decisions that stand: the reviewer's where there was a review, plus the people
    the tool kept; the tool's proposals otherwise."""
    by_doc: dict[str, list[dict]] = {}
    for d in state.decisions():
        by_doc.setdefault(d["document"], []).append(d)
    out = {}
    for name, rows in by_doc.items():
        if any(r["source"] == "reviewer" for r in rows):
            rows = [r for r in rows if r["source"] == "reviewer" or r["decision"] == "keep"]
        out[name] = [r for r in rows if r["page"] and r["page"] > 0]
    return out


def _box(box) -> tuple[float, ...]:
    """A box as the database stores it (2 decimals), so that worker and overview lay out sheets alike."""
    return tuple(round(float(c), 2) for c in box)


def _clip(page_rect: tuple, box) -> tuple[float, float, float, float]:
    """The page area a box's crop shows: the box with MARGIN around it, inside the page."""
    x0, y0, x1, y1 = (max(box[0] - MARGIN[0], page_rect[0]), max(box[1] - MARGIN[1], page_rect[1]),
                      min(box[2] + MARGIN[0], page_rect[2]), min(box[3] + MARGIN[1], page_rect[3]))
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else tuple(page_rect)


@dataclass
class Crop:
    """One box's crop on its page's sheet: the page area `clip` shows at `pixels` of the rendered page,
    copied to `at` (left, top) on the sheet. Crops of one line that overlap share their pixels on the
    sheet: `region` is the rendered page's pixels that were copied, to `region_at`, for all of them."""
    sheet: str  # path below OUT_DIR
    clip: tuple[float, float, float, float]
    pixels: tuple[int, int, int, int]
    at: tuple[int, int]
    sheet_size: tuple[int, int] = (0, 0)
    region: tuple[int, int, int, int] = (0, 0, 0, 0)
    region_at: tuple[int, int] = (0, 0)

    def style(self) -> tuple[str, str]:
        """CSS of the crop's frame and of the sheet image inside it (percentages: the frame may shrink)."""
        w, h = self.pixels[2] - self.pixels[0], self.pixels[3] - self.pixels[1]
        frame = f"width:{w}px;aspect-ratio:{w}/{h}"
        image = (f"left:-{100 * self.at[0] / w:.3f}%;top:-{100 * self.at[1] / h:.3f}%;"
                 f"width:{100 * self.sheet_size[0] / w:.3f}%")
        return frame, image


LAYOUT = 2  # part of every sheet's name: a sheet made by an earlier layout is never taken for this one


def sheet_layout(sha256: str, page: int, page_rect, boxes) -> dict[tuple, Crop]:
    """The crops of one page's boxes packed on one image (its sheet) in rows, per box. Crops on one
    line that overlap (a name and its address, two phone numbers) are one region of the sheet, so that
    the line is rendered there once. The sheet's name comes from the document, the page and the boxes,
    so a reviewer's new box makes a new sheet."""
    page_rect = tuple(page_rect)
    unique = sorted({_box(b) for b in boxes}, key=lambda b: (b[1], b[0], b[3], b[2]))
    digest = hashlib.sha1(repr((LAYOUT, page_rect, unique)).encode()).hexdigest()[:12]
    name = f"{IMAGES}/{sha256[:16]}/p{page}-{digest}.png"
    limit = (math.floor(page_rect[0] * ZOOM), math.floor(page_rect[1] * ZOOM), math.ceil(page_rect[2] * ZOOM),
             math.ceil(page_rect[3] * ZOOM))  # the rendered page's pixels
    crops: dict[tuple, Crop] = {}
    regions: list[list] = []  # [x0, y0, x1, y1, crops]: the crops of one line that overlap
    last: dict[tuple[int, int], list] = {}  # (top, bottom) → the line's latest region (crops come by left)
    for b in unique:
        c = _clip(page_rect, b)
        pixels = (max(math.floor(c[0] * ZOOM), limit[0]), max(math.floor(c[1] * ZOOM), limit[1]),
                  min(math.ceil(c[2] * ZOOM), limit[2]), min(math.ceil(c[3] * ZOOM), limit[3]))
        crops[b] = crop = Crop(name, c, pixels, (0, 0))
        region = last.get((pixels[1], pixels[3]))
        if region is not None and pixels[0] <= region[2]:
            region[0], region[2] = min(region[0], pixels[0]), max(region[2], pixels[2])
            region[4].append(crop)
        else:
            region = last[(pixels[1], pixels[3])] = [pixels[0], pixels[1], pixels[2], pixels[3], [crop]]
            regions.append(region)
    # rows as wide as the widest region, filled left to right
    width = max(r[2] - r[0] for r in regions)
    x = y = row = 0
    for x0, y0, x1, y1, members in regions:
        w, h = x1 - x0, y1 - y0
        if x and x + w > width:
            x, y, row = 0, y + row + SHEET_GAP, 0
        for crop in members:
            crop.region, crop.region_at = (x0, y0, x1, y1), (x, y)
            crop.at = (x + crop.pixels[0] - x0, y)
        x += w + SHEET_GAP
        row = max(row, h)
    for c in crops.values():
        c.sheet_size = (width, y + row)
    return crops


def _png(pix: pymupdf.Pixmap) -> bytes:
    """A grey pixmap as PNG, rows unfiltered and deflated at level 1: 2.5 times as fast as MuPDF's own
    encoder (a third of the crops' time on a text dossier), and smaller for text on white. Deflated by
    ISA-L (the `isal` package) where it is installed: five times as fast as zlib at its fastest level,
    and smaller; the stream is plain zlib to every reader."""
    w, h = pix.width, pix.height
    rows = np.zeros((h, w + 1), dtype=np.uint8)  # each row's first byte: filter "none"
    rows[:, 1:] = np.frombuffer(pix.samples_mv, dtype=np.uint8).reshape(h, w)
    rows = rows.tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", _deflate(rows, 1)) + chunk(b"IEND", b""))


def render_crops(src: Path, out_dir: Path, sha256: str, places: list[tuple[int, tuple]],
                 password: str | None = None) -> dict[tuple[int, tuple], Crop]:
    """The crops of (1-based page, box) places of one document, per (page, box as stored), rendering the
    sheets that are not there yet: each page rendered once, grey, its boxes' crops copied into one PNG.
    Run by the worker that processed the document (a 300-page dossier has thousands of boxes: one file
    per page, not per box), and by the overview for the boxes a reviewer drew."""
    by_page: dict[int, list] = {}
    for page, box in places:
        by_page.setdefault(page, []).append(box)
    out: dict[tuple[int, tuple], Crop] = {}
    if not by_page:
        return out
    doc = open_pdf(Path(src), password)
    try:
        for page_no, boxes in sorted(by_page.items()):
            if not 1 <= page_no <= doc.page_count:
                continue
            page = doc[page_no - 1]
            crops = sheet_layout(sha256, page_no, page.rect, boxes)
            first = next(iter(crops.values()))
            dst = out_dir / first.sheet
            if not dst.exists():
                # only the part of the page that holds its regions is drawn
                regions = {(c.region, c.region_at) for c in crops.values()}
                area = pymupdf.IRect(min(r[0] for r, _ in regions), min(r[1] for r, _ in regions),
                                     max(r[2] for r, _ in regions), max(r[3] for r, _ in regions))
                shown = page.get_pixmap(matrix=pymupdf.Matrix(ZOOM, ZOOM), colorspace=pymupdf.csGRAY,
                                        clip=pymupdf.Rect(area) / ZOOM)
                at = shown.x, shown.y
                sheet = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, *first.sheet_size), False)
                sheet.clear_with(255)
                for (x0, y0, x1, y1), (ax, ay) in regions:
                    # a region's pixels moved to their place on the sheet
                    shown.set_origin(ax - x0 + at[0], ay - y0 + at[1])
                    sheet.copy(shown, (ax, ay, ax + x1 - x0, ay + y1 - y0))
                dst.parent.mkdir(parents=True, exist_ok=True)
                tmp = dst.with_name(f".{dst.name}.tmp")
                tmp.write_bytes(_png(sheet))
                tmp.replace(dst)
            out.update(((page_no, b), c) for b, c in crops.items())
    finally:
        doc.close()
    return out


def _place(crop: Crop, box) -> dict:
    """Where the box sits inside its crop, in percent (for the outline drawn over the image)."""
    (cx0, cy0, cx1, cy1), (x0, y0, x1, y1) = crop.clip, box
    w, h = cx1 - cx0, cy1 - cy0
    return {"left": 100 * (x0 - cx0) / w, "top": 100 * (y0 - cy0) / h, "width": 100 * (x1 - x0) / w,
            "height": 100 * (y1 - y0) / h}


SECTION = "section-{}.html"  # in review/<hash>/: a document's part of the page, made beside its crops


def _fingerprint(rules: Rules, name: str, pages: int, rows: list[dict]) -> str:
    """What a document's section is made of: its name, pages, decisions and the rules (labels, colours)."""
    keys = sorted(repr((r["page"], r["box"], r["entity"], r["decision"], r["ground"], r["reason"], r["score"]))
                  for r in rows)
    return hashlib.sha1(repr((LAYOUT, rules.checksum, name, pages, keys)).encode()).hexdigest()[:16]


def _build_section(out_dir: Path, name: str, pages: int, rows: list[dict], crops: dict,
                   rules: Rules) -> tuple[str, Counter, set[str]]:
    """A document's section of the page, its counts per state, and the sheets it shows."""
    boxed = sorted(((r["page"], json.loads(r["box"] or "[]"), r) for r in rows),
                   key=lambda t: (t[0], round(t[1][1]) if t[1] else 0, t[1][0] if t[1] else 0, t[2]["finding"],
                                  t[2]["box"] or "", t[2]["decision"]))
    items = []
    sheets: set[str] = set()
    present: dict[str, bool] = {}  # sheet → whether it is there (a dossier has thousands of crops)
    for page, box, r in boxed:
        if len(box) != 4:
            continue
        crop = crops.get((page, _box(box)))
        if crop is not None and crop.sheet not in present:
            present[crop.sheet] = (out_dir / crop.sheet).exists()
        if crop is not None and present[crop.sheet]:
            sheets.add(crop.sheet)
            items.append((r, crop, _place(crop, box)))
        else:
            items.append((r, None, None))
    counts = Counter(STATES.get(r["decision"], (r["decision"],))[0] for r, _, _ in items)
    return _section(name, pages, items, counts, rules), counts, sheets


def prepare_section(out_dir: Path, name: str, pages: int, sha256: str, findings: list, crops: dict,
                    rules: Rules) -> Path:
    """Made by the worker beside the crops: the document's section as write_overview would make it from
    the database after this run, which then takes it as it is (a dossier's section took a quarter of a
    second, at the very end of the batch)."""
    from .state import DECISION_COLUMNS, decision_values

    rows = [r for r in (dict(zip(DECISION_COLUMNS, v)) for v in decision_values(findings)) if r["page"] > 0]
    html, counts, sheets = _build_section(out_dir, name, pages, rows, crops, rules)
    path = out_dir / IMAGES / sha256[:16] / SECTION.format(_fingerprint(rules, name, pages, rows))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps({"sheets": sorted(sheets), "counts": counts}) + "\n" + html, encoding="utf-8")
    tmp.replace(path)
    return path


def _prepared(out_dir: Path, path: Path) -> tuple[str, Counter, set[str]] | None:
    """A section a worker prepared, when it is there with all its sheets."""
    try:
        head, html = path.read_text(encoding="utf-8").split("\n", 1)
        meta = json.loads(head)
    except (OSError, ValueError):
        return None
    sheets = set(meta["sheets"])
    if not all((out_dir / s).is_file() for s in sheets):
        return None
    return html, Counter(meta["counts"]), sheets


def write_overview(out_dir: Path, rules: Rules, password: str | None = None) -> Path:
    """Write OUT_DIR/review.html (and its crops) from the batch's database; returns its path."""
    out_dir = Path(out_dir)
    state = State(out_dir / STATE_FILE)
    try:
        documents = {r["name"]: r for r in state.rows()}
        decisions = _decisions(state)
    finally:
        state.close()
    images = out_dir / IMAGES
    used: set[str] = set()
    sheets: set[str] = set()
    sections = []
    kept: set[Path] = set()  # prepared sections in use
    totals: Counter = Counter()
    for name, row in sorted(documents.items()):
        if row["status"] != "ok":
            sections.append(_failed_section(name, row))
            totals["failed"] += row["status"] in ("failed", "skipped")
            continue
        rows = decisions.get(name, [])
        try:
            pdf, digest = _rendered_from(out_dir, name, Path(row["source"]), row["sha256"])
        except Exception:  # the input moved away since: list the decisions without crops
            pdf, digest = None, None
        prepared = None
        if digest:
            used.add(digest[:16])
            path = images / digest[:16] / SECTION.format(_fingerprint(rules, name, row["pages"], rows))
            prepared = _prepared(out_dir, path)
        if prepared is not None:
            kept.add(path)
        else:
            crops = {}
            if pdf is not None:
                places = [(r["page"], box) for r in rows if len(box := json.loads(r["box"] or "[]")) == 4]
                try:  # sheets the workers made, and any for the reviewer's own boxes
                    crops = render_crops(pdf, out_dir, digest, places, password)
                except Exception:  # the input moved away since: list the decisions without crops
                    crops = {}
            prepared = _build_section(out_dir, name, row["pages"], rows, crops, rules)
        html, counts, shown = prepared
        sheets |= shown
        totals.update(counts)
        totals["documents"] += 1
        sections.append(html)
    if images.is_dir():  # sheets of documents no longer in the batch (or changed since), or of old boxes
        for sub in images.iterdir():
            if sub.is_dir() and sub.name not in used:
                shutil.rmtree(sub, ignore_errors=True)
            elif sub.is_dir():
                for f in sub.glob("*.png"):
                    if f"{IMAGES}/{sub.name}/{f.name}" not in sheets:
                        f.unlink(missing_ok=True)
                for f in sub.glob(SECTION.format("*")):
                    if f not in kept:
                        f.unlink(missing_ok=True)
    page = out_dir / PAGE
    tmp = page.with_name(f".{PAGE}.tmp")
    tmp.write_text(_page(sections, totals, rules), encoding="utf-8")
    tmp.replace(page)
    return page


def _rendered_from(out_dir: Path, name: str, source: Path, sha256: str) -> tuple[Path, str]:
    """The PDF a document's boxes were found on, and its hash (which names its sheets): the input itself,
    or for an e-mail, office or text file the PDF the batch made of it (OUT_DIR/.converted/)."""
    if source.suffix.lower() != ".pdf":
        made = converted_dir(out_dir, name) / (source.stem + ".pdf")
        if made.is_file():
            return made, sha256_of(made)
    return source, sha256


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _colour(rules: Rules, ground: str) -> str:
    g = rules.grounds.get(ground)
    rgb = g.colour if g else (0.95, 0.6, 0.0)
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def _section(name: str, pages: int, items: list, counts: Counter, rules: Rules) -> str:
    summary = ", ".join(f"{n} {LABELS.get(k, k)}"
                        for k, n in sorted(counts.items(), key=lambda kv: -kv[1])) or "niets gevonden"
    body = []
    escaped: dict = {}  # a dossier repeats the same few reasons, kinds and grounds thousands of times
    colours: dict = {}

    def e(value) -> str:
        out = escaped.get(value)
        if out is None:
            out = escaped[value] = _e(value)
        return out

    for r, crop, place in items:
        state, label = STATES.get(r["decision"], (r["decision"], r["decision"]))
        ground = r["ground"] or ""
        uncertain = state == "proposed" and (r["score"] or 0) < rules.review.uncertain_below
        colour = colours.get(ground) or colours.setdefault(ground, _colour(rules, ground) if ground else "#f29900")
        if crop:
            style = (f"left:{place['left']:.2f}%;top:{place['top']:.2f}%;width:{place['width']:.2f}%;"
                     f"height:{place['height']:.2f}%;border-color:{colour}")
            frame, image = crop.style()
            picture = (f'<div class="crop" style="{frame}"><img src="{e(crop.sheet)}" style="{image}" '
                       f'alt="Uitsnede pagina {r["page"]}" loading="lazy">'
                       f'<span class="box {state}" style="{style}"></span></div>')
        else:
            picture = "<span>geen afbeelding</span>"
        ground_cell = (f'<abbr title="{e(rules.grounds[ground].label)}">{e(ground)}</abbr>' if ground in rules.grounds
                       else e(ground or "—"))
        what = reviewer_text(r["entity"], r["decision"], r["rule"], r["reason"], rules.review)
        body.append(
            f'<tr data-state="{state}" data-ground="{e(ground or "-")}" data-uncertain="{int(uncertain)}">'
            f"<td>{picture}</td><td>{r['page']}</td><td>{ground_cell}</td><td>{e(what)}</td>"
            f"<td>{(r['score'] or 0):.2f}{' (onzeker)' if uncertain else ''}</td>"
            f'<td class="state {state}">{e(label)}</td></tr>')
    preview = f"preview/{name}"
    return (f'<section class="doc" data-name="{_e(name.lower())}"><h2>{_e(name)}</h2>'
            f'<p>{pages} pagina(\'s) · {_e(summary)} · <a href="{_e(preview)}">preview openen</a></p>'
            f'<table><thead><tr><th>Plaats</th><th>Pagina</th><th>Grond</th><th>Wat en waarom</th>'
            f'<th>Score</th><th>Status</th></tr></thead><tbody>{"".join(body)}</tbody></table>'
            f'<p class="none" hidden>Geen voorstellen die aan het filter voldoen.</p></section>')


def _failed_section(name: str, row: dict) -> str:
    """A document without proposals of its own: failed, not processed, a copy, or a zip."""
    if row["status"] == "duplicate":
        text, kind = (f"Zelfde inhoud als {row['duplicate_of']}: beoordeel dat document; deze kopie krijgt "
                      "dezelfde lakking." if row["pages"] else f"Zelfde inhoud als {row['duplicate_of']}."), "copy"
    elif row["status"] == "archive":
        text, kind = "Zip-archief: de bestanden erin staan als eigen documenten in dit overzicht.", "archive"
    else:
        text, kind = f"Niet verwerkt: {dutch_reason(row['error'] or row['status'], Path(row['source']).name)}", "failed"
    return (f'<section class="doc {kind}" data-name="{_e(name.lower())}"><h2>{_e(name)}</h2>'
            f"<p>{_e(text)}</p></section>")


_SCRIPT = """
const rows = () => document.querySelectorAll('tbody tr');
function apply() {
  const state = document.getElementById('f-state').value;
  const ground = document.getElementById('f-ground').value;
  const name = document.getElementById('f-name').value.trim().toLowerCase();
  const uncertain = document.getElementById('f-uncertain').checked;
  let shown = 0;
  for (const sec of document.querySelectorAll('section.doc')) {
    const nameOk = !name || sec.dataset.name.includes(name);
    let visible = 0;
    for (const tr of sec.querySelectorAll('tbody tr')) {
      const ok = nameOk && (!state || tr.dataset.state === state) && (!ground || tr.dataset.ground === ground)
                 && (!uncertain || tr.dataset.uncertain === '1');
      tr.hidden = !ok;
      if (ok) visible++;
    }
    sec.hidden = !nameOk;
    const none = sec.querySelector('.none');
    if (none) none.hidden = visible > 0 || !nameOk;
    shown += visible;
  }
  document.getElementById('shown').textContent = shown;
}
for (const id of ['f-state', 'f-ground', 'f-name', 'f-uncertain']) {
  document.getElementById(id).addEventListener('input', apply);
  document.getElementById(id).addEventListener('change', apply);
}
apply();
"""

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#111}
table{border-collapse:collapse;width:100%;margin-bottom:1rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:middle;overflow-wrap:anywhere}
.crop{position:relative;display:inline-block;max-width:min(28rem,38vw);overflow:hidden;outline:1px solid #ccc}
h2{overflow-wrap:anywhere}
.crop img{position:absolute;left:0;display:block;max-width:none;height:auto}
.box{position:absolute;border:2px solid;box-sizing:border-box}
.box.kept,.box.rejected{border-style:dashed}
.state.rejected{color:#777}.state.added,.state.changed{font-weight:bold}
fieldset{border:1px solid #ccc;margin-bottom:1rem}
label{margin-right:1rem}
.failed p{color:#a00}
"""


def _page(sections: list[str], totals: Counter, rules: Rules) -> str:
    states = "".join(f'<option value="{k}">{_e(lbl)} ({totals.get(k, 0)})</option>' for k, lbl in LABELS.items())
    grounds = "".join(f'<option value="{_e(code)}">{_e(code)} – {_e(g.label)}</option>'
                      for code, g in rules.grounds.items())
    proposals = sum(totals.get(k, 0) for k in ("proposed", "accepted", "changed", "added"))
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Overzicht voorstellen tot lakken</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>
<body><h1>Overzicht voorstellen tot lakken</h1>
<p id="totals">{totals.get('documents', 0)} document(en), {proposals} te lakken, {totals.get('rejected', 0)} afgewezen,
{totals.get('kept', 0)} niet gelakt (kijk nog eens), {totals.get('failed', 0)} niet verwerkt.
Getoond: <span id="shown">0</span>.</p>
<fieldset><legend>Filter</legend>
<label>Status <select id="f-state"><option value="">alle</option>{states}</select></label>
<label>Grond <select id="f-ground"><option value="">alle</option>{grounds}</select></label>
<label>Document <input id="f-name" type="search" placeholder="naam bevat…"></label>
<label><input id="f-uncertain" type="checkbox"> alleen onzeker</label>
</fieldset>
{''.join(sections)}
<script>{_SCRIPT}</script></body></html>
"""
