"""Which glyphs a box takes, in any text direction: the geometry behind the burn-in's text removal.

MuPDF removes a glyph when the axis-aligned box of the glyph (its advance by the font's descender to
ascender, shrunk by a tenth on each side) meets the axis-aligned box of any quad of a redaction
annotation. For text at an angle, and for vertical text (a landscape page drawn upright on a portrait
sheet with /Rotate 90), those boxes say little about what a box covers: a word's box runs along the
word, and the box of one glyph reaches over its neighbours. So the glyphs to remove are chosen here,
by their own quads. Where text runs level or vertical, the middle band of the box (across the text)
takes exactly them; every other glyph that goes is given to MuPDF as a tiny quad inside it: one that
lies in that glyph's box and in no box of a glyph that stays. A page whose text near the boxes all
runs level (most pages) needs the bands only, and its glyphs are not looked at.

A glyph goes when the core of its quad (its middle two fifths across the line, four fifths along it)
meets the box: the letters of the lines above and below, whose glyph boxes reach into a word's box
where lines are set tight, keep their cores out of it. Text at an angle (not 0, 90, 180 or 270
degrees) has a box that is the upright rectangle around its words, which holds pieces of the lines
beside it too: there only the line the box was made for loses its glyphs, and the box drawn is the
slanted rectangle around them.

All coordinates are page space as PyMuPDF gives words (unrotated, y down); page space and PDF space
differ by a scale, a flip and a shift only, so upright boxes stay upright boxes in both.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import pymupdf

# one entry per glyph as drawn: ligatures not split, no spaces made up for gaps, the glyphs behind an
# /ActualText rather than its text, text beyond the media box included
FLAGS = (pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_INHIBIT_SPACES | pymupdf.TEXT_PRESERVE_LIGATURES
         | pymupdf.TEXT_IGNORE_ACTUALTEXT)
EVERYWHERE = pymupdf.INFINITE_RECT()
SHRINK = 0.1  # MuPDF's test shrinks a glyph's box by this share of its width and height on each side
CORE_ALONG = 0.1  # a glyph's core: this share off each end of its advance ...
CORE_ACROSS = 0.3  # ... and this share off its top and its bottom
AXIS = 0.01  # a direction this close to 0, 90, 180 or 270 degrees counts as that
OWNER = 0.5  # a slanted box is for the line that passes this share of a glyph's height from its centre
POINT = 0.02  # half the side of the quad given to MuPDF for one glyph


class Glyph:
    """One glyph: its upright box, its line's direction, its height across the line; its quad when asked
    (most glyphs of a page are only compared by their boxes)."""

    __slots__ = ("bbox", "dir", "height", "line", "_quad")

    def __init__(self, bbox: tuple, dir: tuple, height: float, line: tuple):
        self.bbox = bbox  # the quad's upright box
        self.dir = dir  # unit vector along the line
        self.height = height  # descender to ascender
        self.line = line  # (block, line) in the page's structured text
        self._quad = None

    @property
    def quad(self) -> tuple:
        """(ll, lr, ul, ur): the corners at the descender and the ascender, at the start and the end."""
        if self._quad is None:
            self._quad = _quad(self.dir[0], self.dir[1], self.height, self.bbox)
        return self._quad

    @property
    def axis(self) -> bool:
        return abs(self.dir[0]) < AXIS or abs(self.dir[1]) < AXIS

    def at(self, s: float, t: float) -> tuple:
        """The point a share `s` along the advance and `t` up from the descender."""
        ll, lr, ul, _ = self.quad
        return (ll[0] + s * (lr[0] - ll[0]) + t * (ul[0] - ll[0]), ll[1] + s * (lr[1] - ll[1]) + t * (ul[1] - ll[1]))

    def core(self) -> list[tuple]:
        a, b = CORE_ALONG, CORE_ACROSS
        return [self.at(a, b), self.at(1 - a, b), self.at(1 - a, 1 - b), self.at(a, 1 - b)]

    def hit_box(self) -> tuple:
        """The box MuPDF's test uses for this glyph."""
        x0, y0, x1, y1 = self.bbox
        w, h = (x1 - x0) * SHRINK, (y1 - y0) * SHRINK
        return (x0 + w, y0 + h, x1 - w, y1 - h)


class Glyphs:
    """A page's glyphs, kept as plain rows (a dense page has thousands; only those near a box are
    looked at closely), found by the area they overlap through an index on their bottom edges."""

    def __init__(self, rows: list[tuple]):
        self._rows = sorted(rows, key=_bottom)  # (bbox, dir, height, line)
        self._boxes = [row[0] for row in self._rows]
        self._bottoms = [box[3] for box in self._boxes]
        self._tallest = max((box[3] - box[1] for box in self._boxes), default=0.0)
        self._made: dict[int, Glyph] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i: int) -> Glyph:
        g = self._made.get(i)
        if g is None:
            g = self._made[i] = Glyph(*self._rows[i])
        return g

    def overlapping(self, r: tuple) -> list[int]:
        lo = bisect.bisect_left(self._bottoms, r[1])
        hi = bisect.bisect_right(self._bottoms, r[3] + self._tallest)
        boxes = self._boxes
        return [i for i in range(lo, hi) if boxes[i][0] <= r[2] and r[0] <= boxes[i][2] and boxes[i][1] <= r[3]]


def _bottom(row: tuple) -> float:
    return row[0][3]


@dataclass
class Box:
    """What one redaction box takes: its glyphs, the slanted rectangle drawn instead of the upright box
    (text at an angle), the direction its label runs in, and the band that also goes to MuPDF."""

    rect: tuple
    glyphs: list = field(default_factory=list)
    polygon: list | None = None  # four corners, for text at an angle
    dir: tuple = (1.0, 0.0)
    band: tuple | None = None
    length: float = 0.0  # along `dir` ...
    thickness: float = 0.0  # ... and across it: the room for the label


def glyphs(page: pymupdf.Page, near: list[tuple] | None = None) -> Glyphs:
    """The glyphs on the page, as MuPDF's structured text has them: all of them, or those of the lines
    that reach into one of the areas `near` (a page's other lines matter to no box)."""
    out = []
    if near:  # MuPDF leaves out the characters wholly outside the clip: less to convert
        x0, y0 = min(r[0] for r in near), min(r[1] for r in near)
        x1, y1 = max(r[2] for r in near), max(r[3] for r in near)
        raw = page.get_text("rawdict", flags=FLAGS | pymupdf.TEXT_MEDIABOX_CLIP, clip=pymupdf.Rect(x0, y0, x1, y1))
    else:
        raw = page.get_text("rawdict", flags=FLAGS, clip=EVERYWHERE)
    for bno, block in enumerate(raw.get("blocks", ())):
        for lno, line in enumerate(block.get("lines", ())):
            if near is not None and not any(_overlap(line["bbox"], r) for r in near):
                continue
            direction, key = tuple(line["dir"]), (bno, lno)
            for span in line["spans"]:
                height = (span["ascender"] - span["descender"]) * span["size"]
                out += [(char["bbox"], direction, height, key) for char in span["chars"]]
    return Glyphs(out)


def around(rects: list[tuple]) -> list[tuple]:
    """The areas whose glyphs the boxes `rects` need: each box, grown by its own height (the glyphs
    that reach into it, and their neighbours)."""
    out = []
    for r in rects:
        grow = max(r[2] - r[0], r[3] - r[1]) if r[3] - r[1] > 60 else (r[3] - r[1]) + 5.0
        out.append((r[0] - grow, r[1] - grow, r[2] + grow, r[3] + grow))
    return out


def _quad(cos: float, sin: float, height: float, bbox) -> tuple:
    """The glyph's quad from its upright box and its line's direction (the box is the quad's upright
    box: which corner touches which side follows from the quadrant of the direction)."""
    x0, y0, x1, y1 = bbox
    hs, hc = height * sin, height * cos
    if hc >= 0 and hs <= 0:
        ul, ur, ll, lr = (x0, y1 - hc), (x1 + hs, y0), (x0 - hs, y1), (x1, y0 + hc)
    elif hc <= 0 and hs <= 0:
        ul, ur, ll, lr = (x1 + hs, y1), (x0, y0 - hc), (x1, y1 + hc), (x0 - hs, y0)
    elif hc <= 0 and hs >= 0:
        ul, ur, ll, lr = (x1, y0 - hc), (x0 + hs, y1), (x1 - hs, y0), (x0, y1 + hc)
    else:
        ul, ur, ll, lr = (x0 + hs, y0), (x1, y1 - hc), (x0, y0 + hc), (x1 - hs, y1)
    return (ll, lr, ul, ur)


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _inside(p: tuple, r: tuple) -> bool:
    return r[0] <= p[0] <= r[2] and r[1] <= p[1] <= r[3]


def _within(inner: tuple, outer: tuple) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def meets(points: list[tuple], rect: tuple) -> bool:
    """Whether a convex polygon meets an upright rectangle (separating axes)."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    if max(xs) < rect[0] or min(xs) > rect[2] or max(ys) < rect[1] or min(ys) > rect[3]:
        return False
    corners = [(rect[0], rect[1]), (rect[2], rect[1]), (rect[2], rect[3]), (rect[0], rect[3])]
    for i in range(len(points)):
        (ax, ay), (bx, by) = points[i], points[(i + 1) % len(points)]
        nx, ny = by - ay, ax - bx  # the edge's normal
        if abs(nx) + abs(ny) < 1e-9:
            continue
        mine = [nx * x + ny * y for x, y in points]
        theirs = [nx * x + ny * y for x, y in corners]
        if max(mine) < min(theirs) or max(theirs) < min(mine):
            return False
    return True


def lines(page: pymupdf.Page) -> list[tuple]:
    """(box, direction) of every text line on the page: cheap beside the glyphs themselves, and all
    that a page of upright text needs."""
    raw = page.get_text("dict", flags=FLAGS, clip=EVERYWHERE)
    return [(tuple(line["bbox"]), tuple(line["dir"])) for block in raw.get("blocks", ())
            for line in block.get("lines", ())]


def _flat(d: tuple) -> bool:
    return abs(d[1]) < AXIS


def upright(page_lines: list[tuple], rect: tuple) -> bool:
    """Whether the text in `rect` runs left to right (or the box holds no text)."""
    inner = (rect[0] + 0.5, rect[1] + 0.5, rect[2] - 0.5, rect[3] - 0.5)
    return all(_flat(d) and d[0] > 0 for box, d in page_lines if _overlap(box, inner))


def plan(page: pymupdf.Page, rects: list[tuple], page_lines: list[tuple] | None = None) -> tuple[list[Box], list[tuple]]:
    """For each of `rects` (page space) what it takes; and the small rectangles, one per glyph that
    goes, to give MuPDF as the redaction's quads (page space). `page_lines`: the page's `lines`, when
    the caller has them already. Where all text near the boxes runs level (most pages), each box's
    middle band is all MuPDF needs, and the glyphs are not looked at."""
    if page_lines is None:
        page_lines = lines(page)
    near = around(rects)
    if all(_flat(d) for box, d in page_lines if any(_overlap(box, r) for r in near)):
        boxes = [Box(tuple(r)) for r in rects]
        for box in boxes:
            _shape(box, [])
        return boxes, []
    every = glyphs(page, near)
    boxes = [Box(tuple(r)) for r in rects]
    taken: set[int] = set()
    for box in boxes:
        r = box.rect
        candidates = every.overlapping(r)
        hits = [i for i in candidates if meets(every[i].core(), r)]
        slanted = [i for i in hits if not every[i].axis]
        if slanted:  # only the line the box was made for: the one through its centre
            cx, cy = (r[0] + r[2]) / 2, (r[1] + r[3]) / 2
            owners = set()
            for i in slanted:
                g = every[i]
                if g.line in owners:
                    continue
                (gx, gy), (cos, sin) = g.at(0.5, 0.5), g.dir
                if abs((cx - gx) * sin - (cy - gy) * cos) < OWNER * g.height:
                    owners.add(g.line)
            # and of that line the glyphs inside the box (the box is the upright rectangle around the
            # words, whose corners hold the ends of the words before and after them)
            hits = [i for i in hits if every[i].axis or (every[i].line in owners and _within(every[i].hit_box(), r))]
        box.glyphs = hits
        taken.update(hits)
        _shape(box, [every[i] for i in hits])
    banded = {i for box in boxes if box.band for i in box.glyphs if _overlap(every[i].hit_box(), box.band)}
    points = []
    for i in sorted(taken - banded):  # the band takes upright and vertical text already
        keep = [every[k].hit_box() for k in every.overlapping(every[i].bbox) if k not in taken]
        x, y = _point(every[i], keep)
        points.append((x - POINT, y - POINT, x + POINT, y + POINT))
    return boxes, points


STEPS = (0.5, 0.35, 0.65, 0.2, 0.8, 0.12, 0.88)


def _point(g: Glyph, keep: list[tuple]) -> tuple:
    """A point in the glyph's quad and in its MuPDF box that lies in no box of a glyph that stays (its
    centre where it can); the centre when there is none (a neighbour then goes too)."""
    own = g.hit_box()
    mine = [k for k in keep if _overlap(k, own)]
    if not mine:
        return g.at(0.5, 0.5)
    for s in STEPS:
        for t in STEPS:
            p = g.at(s, t)
            if _inside(p, own) and not any(_inside(p, k) for k in mine):
                return p
    return g.at(0.5, 0.5)


BAND = 0.3  # the band keeps off this share of an upright box's thickness on each side


def _shape(box: Box, taken: list[Glyph]) -> None:
    """The box's direction, its band (upright and vertical text) or slanted rectangle (text at an
    angle), and the room for its label."""
    x0, y0, x1, y1 = box.rect
    w, h = x1 - x0, y1 - y0
    dirs = {(round(g.dir[0], 2), round(g.dir[1], 2)) for g in taken}
    if not taken or all(abs(g.dir[1]) < AXIS for g in taken):
        box.band = (x0, y0 + h * BAND, x1, y1 - h * BAND)  # upside down too: the label upright
        box.length, box.thickness = w, h
        return
    if all(abs(g.dir[0]) < AXIS for g in taken):
        box.dir = (0.0, round(taken[0].dir[1])) if len(dirs) == 1 else (0.0, -1.0)
        box.band = (x0 + w * BAND, y0, x1 - w * BAND, y1)
        box.length, box.thickness = h, w
        return
    if len(dirs) > 1 or any(g.axis for g in taken):
        box.length, box.thickness = w, h  # a mix: the upright box, no band
        return
    cos, sin = taken[0].dir
    up = (sin, -cos)  # across the line, towards the ascender (y down)
    along = [c[0] * cos + c[1] * sin for g in taken for c in g.quad]
    across = [c[0] * up[0] + c[1] * up[1] for g in taken for c in g.quad]
    s0, s1, t0, t1 = min(along) - 0.5, max(along) + 0.5, min(across) - 0.5, max(across) + 0.5
    box.polygon = [(s * cos + t * up[0], s * sin + t * up[1]) for s, t in ((s0, t0), (s1, t0), (s1, t1), (s0, t1))]
    box.dir = (cos, sin)
    box.length, box.thickness = s1 - s0, t1 - t0
