"""Text the burn stage cannot reach is redacted or removed, not refused: a tiling pattern, a soft mask's
group, a ToUnicode map that spells a name, a JPEG's colour profile, a file a link embeds."""
from __future__ import annotations

import io

import pikepdf
import pymupdf
import pytest
from conftest import page_text

from woo_redact.batch.pipeline import process
from woo_redact.pdf.verify import verify

NAME = "Jorrit Vlasbloem"


def _nota(path):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), f"Opgesteld door {NAME}", fontname="helv", fontsize=11)
    page.insert_text((72, 100), "Dit is de rest van de tekst over het beleid.", fontname="helv", fontsize=11)
    doc.save(path)
    doc.close()
    return path


def _helv(pdf):
    return pikepdf.Dictionary(Font=pikepdf.Dictionary(F9=pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)))


def plant_pattern(pdf):
    page = pdf.pages[0]
    pattern = pdf.make_stream(b"0 0 1 rg 0 0 10 10 re f BT /F9 6 Tf 0 2 Td (Jorrit Vlasbloem) Tj ET",
                              Type=pikepdf.Name.Pattern, PatternType=1, PaintType=1, TilingType=1,
                              BBox=[0, 0, 120, 10], XStep=120, YStep=10, Resources=_helv(pdf))
    page.Resources.Pattern = pikepdf.Dictionary(P1=pattern)
    page.contents_add(pdf.make_stream(b"q /Pattern cs /P1 scn 72 600 240 40 re f Q"))


def plant_soft_mask(pdf):
    page = pdf.pages[0]
    group = pdf.make_stream(b"1 g 0 0 300 40 re f BT /F9 10 Tf 0 0 0 rg 5 10 Td (Jorrit Vlasbloem) Tj ET",
                            Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=[0, 0, 300, 40],
                            Group=pikepdf.Dictionary(S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceGray),
                            Resources=_helv(pdf))
    gs = pikepdf.Dictionary(Type=pikepdf.Name.ExtGState,
                            SMask=pikepdf.Dictionary(S=pikepdf.Name.Luminosity, G=group))
    page.Resources.ExtGState = pikepdf.Dictionary(GS9=gs)
    page.contents_add(pdf.make_stream(b"q /GS9 gs 0 0 1 rg 72 500 300 40 re f Q"))


def plant_cmap(pdf):
    """A glyph the page shows as a dot, which extracts as the name."""
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Adobe-Identity-UCS def "
            b"1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <2E> <"
            + NAME.encode("utf-16-be").hex().upper().encode() + b"> endbfchar endcmap end end")
    page = pdf.pages[0]
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Courier, ToUnicode=pdf.make_stream(cmap)))
    page.Resources.Font.FC = font
    page.contents_add(pdf.make_stream(b"BT /FC 11 Tf 72 400 Td (.) Tj ET"))


def plant_jpeg_profile(pdf):
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 40), False)
    pix.set_rect(pix.irect, (200, 30, 30))
    jpeg = pix.tobytes("jpeg")
    desc = f"Profiel van {NAME}".encode("ascii")
    segment_body = b"ICC_PROFILE\x00\x01\x01" + b"\x00" * 128 + b"desc" + desc + b"\x00" * 16
    segment = b"\xff\xe2" + (len(segment_body) + 2).to_bytes(2, "big") + segment_body
    jpeg = jpeg[:2] + segment + jpeg[2:]
    page = pdf.pages[0]
    image = pdf.make_stream(jpeg, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=40, Height=40,
                            ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
    page.Resources.XObject = pikepdf.Dictionary(Im9=image)
    page.contents_add(pdf.make_stream(b"q 40 0 0 40 400 700 cm /Im9 Do Q"))


def plant_embedded_link_target(pdf):
    page = pdf.pages[0]
    spec = pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("verslag.pdf"),
                              EF=pikepdf.Dictionary(F=pdf.make_stream(f"Notities van {NAME}".encode())))
    link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 300, 200, 320],
                              A=pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=spec, D=pikepdf.Array([0, pikepdf.Name.Fit])))
    page.obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))


PLANTS = {"pattern": plant_pattern, "soft_mask": plant_soft_mask, "tounicode": plant_cmap,
          "jpeg_profile": plant_jpeg_profile, "link_target": plant_embedded_link_target}


@pytest.mark.parametrize("place", sorted(PLANTS))
def test_hidden_text_is_removed_not_refused(tmp_path, rules, engine, place):
    src = _nota(tmp_path / f"{place}.pdf")
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        PLANTS[place](pdf)
        pdf.save(src)
    assert not verify(src, [NAME, "Vlasbloem"]).ok  # the planted name is seen where it hides
    result = process(src, tmp_path / "out", rules, engine)
    assert result.status == "ok", result.error
    out = result.redacted
    assert verify(out, [NAME, "Vlasbloem", "jvlasbloem"]).ok
    assert "Vlasbloem" not in page_text(out)
    raw = pikepdf.open(out)
    data = io.BytesIO()
    raw.save(data, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.all)
    assert b"Vlasbloem" not in data.getvalue() and NAME.encode("utf-16-be") not in data.getvalue()
    assert NAME.encode("utf-16-be").hex().upper().encode() not in data.getvalue()
    assert "rest van de tekst" in page_text(out)


def test_shown_strings_decode_escapes_as_a_reader_does():
    from woo_redact.pdf.strings import shown_strings

    text = shown_strings(rb"BT (Jan\8 Vlas\142loem) Tj (x\(y\)) Tj [(Jor) -20 (rit)] TJ <4A616E> Tj ET")
    assert "Vlasbloem" in text and "x(y)" in text and "Jorrit" in text and "Jan8" in text
