"""Burn-in: the text under a box is gone from the file, the box carries its label, nothing else moves."""
from __future__ import annotations

import copy
import dataclasses

import pymupdf
import pytest
from conftest import make_pdf, page_text

from woo_redact.pdf.burn import burn, fit_label, plan_boxes
from woo_redact.model import Finding
from woo_redact.pdf.read import read


def _finding(doc, text, ground="5.1.2e"):
    """A redaction finding for the first occurrence of `text`, with the boxes of its words."""
    from woo_redact.decide import map_boxes

    s = doc.text.index(text)
    f = Finding("f1", s, s + len(text), text, "PERSON", "redact", ground, "test", "test", 1.0)
    map_boxes(doc, [f])
    return f


def _words(path):
    with pymupdf.open(path) as d:
        return [(w[4], tuple(round(c, 2) for c in w[:4])) for w in d[0].get_text("words")]


def test_text_is_removed_and_label_written(tmp_path, rules):
    src = make_pdf(tmp_path / "in.pdf", ["Overleg met Marieke Brouwersma-Tjon over het budget voor volgend jaar."])
    doc = read(src, rules)
    out = tmp_path / "out.pdf"
    assert burn(src, out, [_finding(doc, "Marieke Brouwersma-Tjon")], rules) == 1
    with pymupdf.open(out) as d:
        text = d[0].get_text()
        raw = b"".join(d.xref_stream(x) or b"" for x in range(1, d.xref_length()))
    assert "Brouwersma" not in text and "Marieke" not in text
    assert b"Brouwersma" not in raw
    assert "Bescherming persoonlijke levenssfeer" in text or "5.1.2e" in text


def test_text_after_the_box_does_not_move(tmp_path, rules):
    """PyMuPDF 2.0 shifts the text that follows a redacted span; 1.28 must not."""
    src = make_pdf(tmp_path / "in.pdf", ["Contact: Marieke Brouwersma belt morgen over het budget terug."])
    before = _words(src)
    out = tmp_path / "out.pdf"
    burn(src, out, [_finding(read(src, rules), "Marieke Brouwersma")], rules)
    after = dict((w, r) for w, r in _words(out))
    for word in ("Contact:", "belt", "morgen", "budget", "terug."):
        assert after[word] == dict(before)[word], word


def test_whole_words_are_covered_never_half(tmp_path, rules):
    src = make_pdf(tmp_path / "in.pdf", ["Groeten aan Brouwersma, tot morgen."])
    doc = read(src, rules)
    s = doc.text.index("Brouwersma")
    f = Finding("f", s + 2, s + 6, "ouwe", "PERSON", "redact", "5.1.2e", "t", "t", 1.0)  # part of a word
    from woo_redact.decide import map_boxes

    map_boxes(doc, [f])
    burn(src, tmp_path / "out.pdf", [f], rules)
    text = pymupdf.open(tmp_path / "out.pdf")[0].get_text()
    assert "Br" not in text.replace("Bescherming", "") and "rsma" not in text
    assert "Groeten aan" in text and "tot morgen." in text


def test_label_falls_back_to_the_code_in_a_small_box():
    label, size = fit_label(pymupdf.Rect(0, 0, 300, 12), "Bescherming persoonlijke levenssfeer", "5.1.2e")
    assert label == "Bescherming persoonlijke levenssfeer" and size >= 5
    label, size = fit_label(pymupdf.Rect(0, 0, 30, 10), "Bescherming persoonlijke levenssfeer", "5.1.2e")
    assert label == "5.1.2e" and size > 0


def test_other_grounds_get_their_own_label(tmp_path, rules):
    src = make_pdf(tmp_path / "in.pdf", ["Burgerservicenummer 111222333 van de aanvrager, die verder niets wil."], fontsize=14)
    doc = read(src, rules)
    out = tmp_path / "out.pdf"
    f = _finding(doc, "111222333", ground="5.1.1e")
    f.entity = "NL_BSN"
    burn(src, out, [f], rules)
    text = pymupdf.open(out)[0].get_text()
    assert "111222333" not in text
    assert "5.1.1e" in text or rules.grounds["5.1.1e"].label in text


def test_adjacent_boxes_on_a_line_are_merged():
    a = Finding("a", 0, 1, "x", "PERSON", "redact", "5.1.2e", "t", "t", 1, boxes=[(0, (10, 10, 40, 20))])
    b = Finding("b", 2, 3, "y", "PERSON", "redact", "5.1.2e", "t", "t", 1, boxes=[(0, (42, 10, 80, 20))])
    c = Finding("c", 4, 5, "z", "NL_BSN", "redact", "5.1.1e", "t", "t", 1, boxes=[(0, (82, 10, 120, 20))])
    plan = plan_boxes([a, b, c])[0]
    assert ((10, 10, 80, 20), "5.1.2e") in plan
    assert len(plan) == 2


def test_image_pixels_under_the_box_are_blanked(tmp_path, rules):
    src = tmp_path / "scan.pdf"
    doc = pymupdf.open()
    page = doc.new_page(width=200, height=200)
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 100, 100), False)
    pix.set_rect(pix.irect, (200, 30, 30))  # a red "scan"
    page.insert_image(pymupdf.Rect(0, 0, 200, 200), pixmap=pix)
    doc.save(src)
    # two boxes on the page: each is redacted as a quad of the page's one redaction annotation
    f = Finding("f", 0, 1, "x", "PERSON", "redact", "5.1.2e", "t", "t", 1, boxes=[(0, (20, 20, 100, 60))])
    g = Finding("g", 2, 3, "y", "PERSON", "redact", "5.1.2e", "t", "t", 1, boxes=[(0, (120, 140, 180, 170))])
    out = tmp_path / "out.pdf"
    burn(src, out, [f, g], rules)
    with pymupdf.open(out) as d:
        xref = d[0].get_images()[0][0]
        img = pymupdf.Pixmap(d, xref)
    # image pixel (x, y) lies under page point (2x, 2y)
    assert img.pixel(30, 20)[:3] != (200, 30, 30)  # under the first box
    assert img.pixel(75, 77)[:3] != (200, 30, 30)  # under the second
    for x, y in ((90, 10), (5, 90), (55, 50), (30, 45)):  # beside and between them
        assert img.pixel(x, y)[:3] == (200, 30, 30), (x, y)


def _black_boxes(path):
    with pymupdf.open(path) as doc:
        return [d["rect"] for d in doc[0].get_drawings()
                if d.get("fill") and sum(d["fill"][:3]) < 0.1 and d["rect"].height > 4]


def test_boxes_over_names_do_not_tell_the_names_length(tmp_path, rules, engine):
    from woo_redact.batch.pipeline import process

    widths = []
    for i, name in enumerate(["Jan de Vries", "Piet Kwakman"]):  # different widths, same bucket
        src = make_pdf(tmp_path / f"nota{i}.pdf", [f"Opgesteld door\n{name}\nbeleidsadviseur\n\n\nTekst."])
        with pymupdf.open(src) as doc:
            exact = doc[0].search_for(name)[0].width
        result = process(src, tmp_path / f"out{i}", rules, engine)
        (box,) = _black_boxes(result.redacted)
        assert box.width > exact + 5  # widened beyond the name itself
        widths.append(round(box.width, 1))
    assert widths[0] == widths[1]


def test_widened_boxes_leave_the_words_beside_them_readable(tmp_path, rules, engine):
    from woo_redact.batch.pipeline import process

    src = make_pdf(tmp_path / "nota.pdf", ["Opgesteld door\nJan de Vries\n\n\nGisteren sprak Jan de Vries ons toe."])
    result = process(src, tmp_path / "out", rules, engine)
    with pymupdf.open(result.redacted) as doc:
        words = {w[4]: pymupdf.Rect(w[:4]) for w in doc[0].get_text("words")}
    assert "sprak" in words and "ons" in words
    for box in _black_boxes(result.redacted):
        assert not box.intersects(words["sprak"]) and not box.intersects(words["ons"])


def test_a_box_takes_no_letters_from_the_lines_above_and_below(tmp_path, rules):
    """Tight line spacing: glyph boxes of neighbouring lines reach into each other."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = 100
    for line in ("Aan: P. Goedhart <p.goedhart@leiden.nl>", "Cc: A. North <a.north@leiden.nl>",
                 "Datum: dinsdag 14 januari"):
        page.insert_text((72, y), line, fontsize=11)
        y += 11  # no leading
    src = tmp_path / "krap.pdf"
    doc.save(src)
    words = {w[4]: w for w in doc[0].get_text("words")}
    box = tuple(words["<a.north@leiden.nl>"][:4])
    finding = Finding("f1", 0, 0, "", "EMAIL_ADDRESS", "redact", "5.1.2e", "test", "test", 1.0, None, [(0, box)])
    burn(src, tmp_path / "out.pdf", [finding], rules)
    text = page_text(tmp_path / "out.pdf")
    assert "a.north" not in text
    assert "P. Goedhart <p.goedhart@leiden.nl>" in text and "Datum: dinsdag 14 januari" in text


@pytest.mark.parametrize("rotation", [0, 90])
def test_box_and_label_land_on_the_name_on_plain_and_rotated_pages(tmp_path, rules, rotation):
    """Plain pages get their boxes and labels as PDF operators, others through PyMuPDF: both put a filled
    box over the name and a label inside it that a reader extracts, in WinAnsi where it is not ASCII."""
    src = make_pdf(tmp_path / "in.pdf", ["Overleg met Marieke Brouwersma-Tjon over het budget voor volgend jaar."],
                   fontsize=14)
    if rotation:
        with pymupdf.open(src) as d:
            d[0].set_rotation(rotation)
            d.save(tmp_path / "turned.pdf")
        src = tmp_path / "turned.pdf"
    local = copy.deepcopy(rules)
    g = local.grounds["5.1.2e"]
    local.grounds["5.1.2e"] = dataclasses.replace(g, label="Persoonlijke levenssfeer (financiële)")
    f = _finding(read(src, local), "Marieke Brouwersma-Tjon")
    burn(src, tmp_path / "out.pdf", [f], local)
    box = pymupdf.Rect(f.boxes[0][1])
    with pymupdf.open(tmp_path / "out.pdf") as d:
        page = d[0]
        words = page.get_text("words")
        label = " ".join(w[4] for w in words if pymupdf.Rect(w[:4]).intersects(box))
        fills = [dr["rect"] for dr in page.get_drawings() if dr.get("fill") == (0.0, 0.0, 0.0)]
    assert label == "Persoonlijke levenssfeer (financiële)"
    assert any(r.contains(box) or (r & box).get_area() > 0.95 * box.get_area() for r in fills)
    assert {"Overleg", "met", "over", "budget"} <= {w[4] for w in words}


def test_labels_go_into_resources_that_are_indirect_objects(tmp_path, rules):
    """Word and many scanners write a page's /Resources and its /Font as objects of their own; the
    label's font is added to them, the page's own fonts stay."""
    import pikepdf

    src = make_pdf(tmp_path / "in.pdf", ["Overleg met Marieke Brouwersma over het budget voor volgend jaar."], fontsize=14)
    with pikepdf.open(src) as pdf:
        page = pdf.pages[0].obj
        resources = pikepdf.Dictionary({k: v for k, v in page.Resources.items()})
        resources.Font = pdf.make_indirect(pikepdf.Dictionary({k: v for k, v in page.Resources.Font.items()}))
        page.Resources = pdf.make_indirect(resources)
        pdf.save(tmp_path / "indirect.pdf")
    src = tmp_path / "indirect.pdf"
    f = _finding(read(src, rules), "Marieke Brouwersma")
    burn(src, tmp_path / "out.pdf", [f], rules)
    with pymupdf.open(tmp_path / "out.pdf") as d:
        text = d[0].get_text()
    assert "Brouwersma" not in text and "budget voor volgend jaar" in text
    assert "Bescherming persoonlijke levenssfeer" in text or "5.1.2e" in text


def test_a_widened_box_stops_at_an_image_beside_the_name(tmp_path, rules, engine):
    """A logo or signature right after a name: widening the box would blank its pixels."""
    src = make_pdf(tmp_path / "in.pdf", ["Namens het team: Ilse Bos"], fontsize=11)
    with pymupdf.open(src) as d:
        page = d[0]
        name = page.search_for("Bos")[0]
        logo = pymupdf.Rect(name.x1 + 4, name.y0 - 2, name.x1 + 40, name.y1 + 2)
        pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 36, 16), False)
        pix.set_rect(pix.irect, (20, 90, 200))
        page.insert_image(logo, pixmap=pix)
        d.save(tmp_path / "logo.pdf")
    src = tmp_path / "logo.pdf"
    doc = read(src, rules)
    f = _finding(doc, "Ilse Bos")
    burn(src, tmp_path / "out.pdf", [f], rules)
    boxes = _black_boxes(tmp_path / "out.pdf")
    assert boxes and all(b.x1 <= logo.x0 + 0.5 for b in boxes), (boxes, logo)
    with pymupdf.open(tmp_path / "out.pdf") as d:
        img = pymupdf.Pixmap(d, d[0].get_images()[0][0])
    assert img.pixel(1, 8)[:3] == (20, 90, 200)  # the logo's left edge keeps its pixels
