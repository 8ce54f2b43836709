"""The review overview: OUT_DIR/review.html, for triage before the reviewer opens the preview PDFs.

A static page (no server, no network) listing per document every proposal and every person the tool
kept, each with a cropped image of its place on the page (the box outlined over it), its ground, reason,
score and state — proposed, accepted, rejected, changed, added by the reviewer, or kept — with counts and
filters. The crops show the original text: the page is working material for reviewers, like the
previews, and never part of a publication bundle.
"""
from __future__ import annotations

import html
import json
import shutil
from collections import Counter
from pathlib import Path

import pymupdf

from .read import open_pdf
from .rules import Rules
from .state import State

PAGE = "review.html"
IMAGES = "review"  # OUT_DIR/review/<document hash>/<finding>.png
ZOOM = 1.5
MARGIN = (60.0, 12.0)  # points around a box in its crop: enough line to see the context

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


def _position(row: dict) -> tuple:
    box = json.loads(row["box"] or "[]") or [0, 0]
    return row["page"], round(box[1]), box[0]


def _box(box) -> list[float]:
    """A box as the database stores it (2 decimals), so that worker and overview name crops alike."""
    return [round(float(c), 2) for c in box]


def crop_name(sha256: str, finding: str, page: int, box) -> str:
    """The crop's path below OUT_DIR, from the document's hash, the finding and its box (1-based page)."""
    b = _box(box)
    return f"{IMAGES}/{sha256[:16]}/{finding}-{page}-{int(b[0])}-{int(b[1])}.png"


def _clip(page_rect: pymupdf.Rect, box) -> pymupdf.Rect:
    rect = pymupdf.Rect(box)
    clip = pymupdf.Rect(rect.x0 - MARGIN[0], rect.y0 - MARGIN[1], rect.x1 + MARGIN[0], rect.y1 + MARGIN[1]) & page_rect
    return pymupdf.Rect(page_rect) if clip.is_empty else clip


def render_crops(src: Path, out_dir: Path, sha256: str, places: list[tuple[str, int, tuple]],
                 password: str | None = None) -> int:
    """Render the crops of (finding, 1-based page, box) places of one document that are not there yet:
    one display list per page, grey PNGs. Run by the worker that processed the document."""
    todo: dict[int, list[tuple[Path, tuple]]] = {}
    for finding, page, box in places:
        dst = out_dir / crop_name(sha256, finding, page, box)
        if not dst.exists():
            todo.setdefault(page, []).append((dst, box))
    if not todo:
        return 0
    doc = open_pdf(Path(src), password)
    count = 0
    try:
        for page_no, items in todo.items():
            if not 1 <= page_no <= doc.page_count:
                continue
            page = doc[page_no - 1]
            shown = page.get_displaylist()
            for dst, box in items:
                dst.parent.mkdir(parents=True, exist_ok=True)
                tmp = dst.with_name(f".{dst.name}.tmp")
                shown.get_pixmap(matrix=pymupdf.Matrix(ZOOM, ZOOM), clip=_clip(page.rect, box),
                                 colorspace=pymupdf.csGRAY).save(tmp, output="png")
                tmp.replace(dst)
                count += 1
    finally:
        doc.close()
    return count


def _place(page_rect: pymupdf.Rect, box) -> dict:
    """Where the box sits inside its crop, in percent (for the outline drawn over the image)."""
    clip = _clip(page_rect, box)
    rect = pymupdf.Rect(box)
    return {"left": 100 * (rect.x0 - clip.x0) / clip.width, "top": 100 * (rect.y0 - clip.y0) / clip.height,
            "width": 100 * rect.width / clip.width, "height": 100 * rect.height / clip.height}


def write_overview(out_dir: Path, rules: Rules, password: str | None = None) -> Path:
    """Write OUT_DIR/review.html (and its crops) from the batch's database; returns its path."""
    out_dir = Path(out_dir)
    state = State(out_dir / "woo-redact.sqlite")
    try:
        documents = {r["name"]: r for r in state.rows()}
        decisions = _decisions(state)
    finally:
        state.close()
    images = out_dir / IMAGES
    used: set[str] = set()
    sections = []
    totals: Counter = Counter()
    for name, row in sorted(documents.items()):
        if row["status"] != "ok":
            sections.append(_failed_section(name, row))
            totals["failed"] += 1
            continue
        rows = [r for r in sorted(decisions.get(name, []), key=_position) if len(json.loads(r["box"] or "[]")) == 4]
        used.add(row["sha256"][:16])
        places = [(r["finding"], r["page"], json.loads(r["box"])) for r in rows]
        try:  # crops the workers did not make (the reviewer's own boxes)
            render_crops(Path(row["source"]), out_dir, row["sha256"], places, password)
            with open_pdf(Path(row["source"]), password) as doc:
                sizes = {p: doc[p - 1].rect for p in {r["page"] for r in rows} if p <= doc.page_count}
        except Exception:  # the input moved away since: list the decisions without crops
            sizes = {}
        items = []
        for r, (finding, page, box) in zip(rows, places):
            img = crop_name(row["sha256"], finding, page, box)
            ok = page in sizes and (out_dir / img).exists()
            items.append((r, img if ok else None, _place(sizes[page], box) if ok else None))
        counts = Counter(STATES.get(r["decision"], (r["decision"],))[0] for r, _, _ in items)
        totals.update(counts)
        totals["documents"] += 1
        sections.append(_section(name, row, items, counts, rules))
    if images.is_dir():  # crops of documents no longer in the batch (or changed since)
        for sub in images.iterdir():
            if sub.is_dir() and sub.name not in used:
                shutil.rmtree(sub, ignore_errors=True)
    page = out_dir / PAGE
    tmp = page.with_name(f".{PAGE}.tmp")
    tmp.write_text(_page(sections, totals, rules), encoding="utf-8")
    tmp.replace(page)
    return page


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _colour(rules: Rules, ground: str) -> str:
    g = rules.grounds.get(ground)
    rgb = g.colour if g else (0.95, 0.6, 0.0)
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def _section(name: str, row: dict, items: list, counts: Counter, rules: Rules) -> str:
    summary = ", ".join(f"{n} {LABELS.get(k, k)}"
                        for k, n in sorted(counts.items(), key=lambda kv: -kv[1])) or "niets gevonden"
    body = []
    for r, img, place in items:
        state, label = STATES.get(r["decision"], (r["decision"], r["decision"]))
        ground = r["ground"] or ""
        uncertain = state == "proposed" and (r["score"] or 0) < rules.review.uncertain_below
        colour = _colour(rules, ground) if ground else "#f29900"
        if img:
            style = (f"left:{place['left']:.2f}%;top:{place['top']:.2f}%;width:{place['width']:.2f}%;"
                     f"height:{place['height']:.2f}%;border-color:{colour}")
            picture = (f'<div class="crop"><img src="{_e(img)}" alt="Uitsnede pagina {r["page"]}" loading="lazy">'
                       f'<span class="box {state}" style="{style}"></span></div>')
        else:
            picture = "<span>geen afbeelding</span>"
        ground_cell = (f'<abbr title="{_e(rules.grounds[ground].label)}">{_e(ground)}</abbr>' if ground in rules.grounds
                       else _e(ground or "—"))
        body.append(
            f'<tr data-state="{state}" data-ground="{_e(ground or "-")}" data-uncertain="{int(uncertain)}">'
            f"<td>{picture}</td><td>{r['page']}</td><td>{ground_cell}</td><td>{_e(r['entity'])}</td>"
            f"<td>{_e(r['reason'] or '')}</td><td>{(r['score'] or 0):.2f}{' (onzeker)' if uncertain else ''}</td>"
            f'<td class="state {state}">{_e(label)}</td></tr>')
    preview = f"preview/{name}"
    return (f'<section class="doc" data-name="{_e(name.lower())}"><h2>{_e(name)}</h2>'
            f'<p>{row["pages"]} pagina(\'s) · {_e(summary)} · <a href="{_e(preview)}">preview openen</a></p>'
            f'<table><thead><tr><th>Plaats</th><th>Pagina</th><th>Grond</th><th>Soort</th><th>Reden</th>'
            f'<th>Score</th><th>Status</th></tr></thead><tbody>{"".join(body)}</tbody></table>'
            f'<p class="none" hidden>Geen voorstellen die aan het filter voldoen.</p></section>')


def _failed_section(name: str, row: dict) -> str:
    reason = row["error"] or row["status"]
    return (f'<section class="doc failed" data-name="{_e(name.lower())}"><h2>{_e(name)}</h2>'
            f"<p>Niet verwerkt: {_e(reason)}</p></section>")


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
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:middle}
.crop{position:relative;display:inline-block;max-width:28rem}
.crop img{display:block;max-width:28rem;height:auto;border:1px solid #ccc}
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
