"""Sanitise and verify: personal data planted in every corner of a PDF is found, then removed.

All PDFs are built here with PyMuPDF; nothing is read from disk except what the tests write to tmp_path.
"""
from __future__ import annotations

from pathlib import Path

import pikepdf
import pymupdf
import pytest

from woo_redact.pdf.sanitise import sanitise
from woo_redact.pdf.verify import Leak, Report, verify
from woo_redact.pdf.strings import Secrets

NAME = "Marieke Brouwersma"
EMAIL = "marieke.brouwersma@minbzk.nl"
SECRETS = [NAME, EMAIL, "Brouwersma"]
REST = "Dit is de rest van de tekst."
KEEP_BOOKMARK = "Inleiding"
KEEP_URI = "https://www.rijksoverheid.nl/"
XMP = f"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:creator><rdf:Seq><rdf:li>{NAME}</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""


# -- planting personal data, one place at a time ----------------------------------------------------


def new_doc() -> pymupdf.Document:
    """A one-page nota whose visible text holds nothing personal, and a harmless bookmark and link."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Nota over het beleid", fontname="helv", fontsize=11)
    page.insert_text((72, 160), REST, fontname="helv", fontsize=11)
    page.insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(72, 180, 200, 195), "uri": KEEP_URI})
    doc.set_toc([[1, KEEP_BOOKMARK, 1]])
    return doc


def info_dict_xref(doc: pymupdf.Document) -> int:
    kind, value = doc.xref_get_key(-1, "Info")
    assert kind == "xref", "PyMuPDF made no info dictionary"
    return int(value.split()[0])


def plant_author(doc):
    doc.set_metadata({**doc.metadata, "author": NAME})


def plant_title(doc):
    doc.set_metadata({**doc.metadata, "title": f"Nota van {NAME}"})


def plant_custom_info(doc):
    doc.set_metadata({**doc.metadata, "producer": "Word"})  # makes sure an info dictionary exists
    doc.xref_set_key(info_dict_xref(doc), "Behandelaar", pymupdf.get_pdf_str(NAME))


def plant_xmp(doc):
    doc.set_xml_metadata(XMP)


def plant_text_annot_content(doc):
    annot = doc[0].add_text_annot((400, 72), f"Graag afstemmen met {NAME}")
    annot.set_info(title="Reviewer")
    annot.update()


def plant_text_annot_title(doc):
    annot = doc[0].add_text_annot((400, 100), "Akkoord")
    annot.set_info(title=NAME)
    annot.update()


def plant_freetext(doc):
    page = doc[0]
    page.add_freetext_annot(pymupdf.Rect(300, 300, 550, 340), f"Vraag van {NAME}", fontsize=10)


def plant_bookmark(doc):
    doc.set_toc(doc.get_toc() + [[1, f"Reactie {NAME}", 1]])


def plant_attachment_name(doc):
    doc.embfile_add(f"{NAME}.txt", b"lijst met acties", filename=f"{NAME}.txt", desc="acties")


def plant_attachment_description(doc):
    doc.embfile_add("acties.txt", b"lijst met acties", filename="acties.txt", desc=f"Acties voor {NAME}")


def plant_attachment_content(doc):
    doc.embfile_add("notities.txt", f"Notities van {NAME}\n".encode(), filename="notities.txt", desc="notities")


def plant_form_field(doc):
    widget = pymupdf.Widget()
    widget.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT
    widget.field_name = "behandelaar"
    widget.field_value = NAME
    widget.rect = pymupdf.Rect(72, 400, 300, 420)
    doc[0].add_widget(widget)


def plant_mailto(doc):
    doc[0].insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(72, 440, 300, 455), "uri": f"mailto:{EMAIL}"})


def plant_page_text(doc):
    page = doc[0]
    page.insert_text((72, 100), f"Opgesteld door: {NAME}", fontname="helv", fontsize=11)
    page.insert_text((72, 120), f"E-mail: {EMAIL}", fontname="helv", fontsize=11)


PLANTERS = {
    "author": (plant_author, "metadata"),
    "title": (plant_title, "metadata"),
    "custom_info_key": (plant_custom_info, "metadata"),
    "xmp": (plant_xmp, "metadata"),
    "text_annotation_content": (plant_text_annot_content, "annotation"),
    "text_annotation_title": (plant_text_annot_title, "annotation"),
    "freetext_annotation": (plant_freetext, "annotation"),
    "bookmark": (plant_bookmark, "outline"),
    "attachment_name": (plant_attachment_name, "attachment"),
    "attachment_description": (plant_attachment_description, "attachment"),
    "attachment_content": (plant_attachment_content, "attachment"),
    "form_field": (plant_form_field, "form"),
    "mailto_link": (plant_mailto, "annotation"),
    "page_text": (plant_page_text, "page_text"),
}


def build(path: Path, *planters) -> Path:
    doc = new_doc()
    for plant in planters:
        plant(doc)
    doc.save(path)
    doc.close()
    return path


def build_all(path: Path) -> Path:
    return build(path, *(plant for plant, _ in PLANTERS.values()))


def burn(src: Path, dst: Path) -> Path:
    """What the burn stage does: redact the visible occurrences with PyMuPDF and save."""
    doc = pymupdf.open(src)
    for page in doc:
        for secret in SECRETS:
            for rect in page.search_for(secret):
                page.add_redact_annot(rect, fill=(0, 0, 0))
        page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE)
    doc.save(dst)
    doc.close()
    return dst


def channels(report: Report) -> set[str]:
    return {leak.channel for leak in report.leaks}


# -- verify finds every channel ---------------------------------------------------------------------


def test_clean_document_verifies_ok(tmp_path):
    report = verify(build(tmp_path / "clean.pdf"), SECRETS)
    assert report.ok, report.leaks
    assert set(report.checked) == {"page_text", "metadata", "annotation", "outline", "attachment", "form", "objects"}


@pytest.mark.parametrize("place", sorted(PLANTERS))
def test_verify_finds_each_place(tmp_path, place):
    plant, channel = PLANTERS[place]
    report = verify(build(tmp_path / f"{place}.pdf", plant), SECRETS)
    assert channel in channels(report), report.leaks


@pytest.mark.parametrize("channel", sorted({channel for _, channel in PLANTERS.values()} | {"objects"}))
def test_verify_reports_channel_on_unclean_file(tmp_path, channel):
    report = verify(build_all(tmp_path / "all.pdf"), SECRETS)
    assert channel in channels(report)


def test_leaks_never_quote_the_secret(tmp_path):
    report = verify(build_all(tmp_path / "all.pdf"), SECRETS)
    assert report.leaks
    for leak in report.leaks:
        assert isinstance(leak, Leak)
        assert 0 <= leak.secret_index < len(SECRETS)
        assert not any(part.lower() in leak.where.lower() for part in ("marieke", "brouwersma"))


@pytest.mark.parametrize(
    "text, secret, found",
    [
        ("Hoi Jan, dank je.", "Jan", True),
        ("Op 3 Januari besproken.", "Jan", False),
        ("Het lid Jansen vroeg.", "Jan", False),
        ("Opgesteld door Marieke\nBrouwersma, BZK", NAME, True),
        ("Opgesteld door MARIEKE BROUWERSMA", NAME, True),  # a name in capitals is the same name
        ("Opgesteld door Marieke Brouwers-\nma, BZK", NAME, True),  # hyphenated at the line end
        ("Contact: marieke.brouwersma@minbzk.nl.", EMAIL, True),
    ],
)
def test_page_text_matches_whole_words(tmp_path, text, secret, found):
    doc = pymupdf.open()
    doc.new_page().insert_textbox(pymupdf.Rect(72, 72, 500, 300), text, fontname="helv", fontsize=11)
    path = tmp_path / "t.pdf"
    doc.save(path)
    report = verify(path, [secret])
    assert ("page_text" in channels(report)) is found


@pytest.mark.parametrize("channel", ["page_text", "objects"])
def test_every_secret_is_credited_even_when_they_overlap(tmp_path, channel):
    text = "Van Jan de Vries aan Pieter Bakker, cc Bakker"
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), text, fontname="helv")  # page text (hex-coded in the stream)
    path = tmp_path / "overlap.pdf"
    doc.save(path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.Root["/Opmerking"] = pikepdf.String(text)  # a private catalog string: bytes only
        pdf.save(path)
    secrets = ["Jan de", "de Vries", "Pieter Bakker", "Bakker", "Kees Smit"]
    report = verify(path, secrets)
    found = {leak.secret_index for leak in report.leaks if leak.channel == channel}
    assert found == {0, 1, 2, 3}


def test_form_field_without_widget_on_a_page(tmp_path):
    path = build(tmp_path / "field.pdf")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        field = pdf.make_indirect(pikepdf.Dictionary(FT=pikepdf.Name.Tx, T=pikepdf.String("verborgen"),
                                                     V=pikepdf.String(NAME)))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))
        pdf.save(path)
    report = verify(path, SECRETS)
    assert [leak.where for leak in report.leaks if leak.channel == "form"] == ["form field 1"] * 2
    out = tmp_path / "out.pdf"
    sanitise(path, out, SECRETS)
    assert verify(out, SECRETS).ok


def test_short_secrets_are_ignored(tmp_path):
    path = build(tmp_path / "short.pdf", plant_page_text)
    report = verify(path, ["Ma", "", " "])
    assert report.ok
    report = verify(path, ["Ma", NAME])
    assert {leak.secret_index for leak in report.leaks} == {1}


def test_bytes_channel_finds_utf16_strings(tmp_path):
    path = tmp_path / "u16.pdf"
    build(path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.Root["/Foo"] = pikepdf.String("Çelik ✓")  # not latin-1: stored as UTF-16BE
        pdf.save(path)
    report = verify(path, ["Çelik"])
    assert "objects" in channels(report)


# -- sanitise removes it all, keeps the rest --------------------------------------------------------


@pytest.fixture
def sanitised(tmp_path):
    """The fully planted file, burned and sanitised: (path, notes)."""
    burned = burn(build_all(tmp_path / "all.pdf"), tmp_path / "burned.pdf")
    assert not verify(burned, SECRETS).ok  # the burn alone leaves metadata, annotations, ...
    out = tmp_path / "out" / "clean.pdf"
    out.parent.mkdir()
    notes = sanitise(burned, out, SECRETS, title="Nota over het beleid")
    return out, notes


@pytest.mark.parametrize("place", sorted(set(PLANTERS) - {"page_text"}))
def test_sanitise_removes_each_place(tmp_path, place):
    plant, _ = PLANTERS[place]
    src = build(tmp_path / f"{place}.pdf", plant)
    assert not verify(src, SECRETS).ok
    out = tmp_path / "clean.pdf"
    notes = sanitise(src, out, SECRETS)
    report = verify(out, SECRETS)
    assert report.ok, (report.leaks, notes)
    with pymupdf.open(out) as doc:
        assert REST in doc[0].get_text()


def test_sanitised_file_verifies_clean(sanitised):
    out, _ = sanitised
    report = verify(out, SECRETS)
    assert report.ok, report.leaks


def test_sanitise_keeps_the_rest(sanitised):
    out, _ = sanitised
    with pymupdf.open(out) as doc:
        text = doc[0].get_text()
        assert REST in text
        assert "Nota over het beleid" in text
        assert [title for _, title, _ in doc.get_toc()] == [KEEP_BOOKMARK]
        assert [link.get("uri") for link in doc[0].get_links()] == [KEEP_URI]
        assert doc.metadata["title"] == "Nota over het beleid"
        assert doc.metadata["producer"] == "woo-redact"
        assert doc.metadata["author"] == ""
        assert not doc.get_xml_metadata()
        assert doc.embfile_count() == 0
        assert list(doc[0].annots()) == []
        assert list(doc[0].widgets()) == []


def test_sanitise_info_has_only_title_and_producer(sanitised):
    out, _ = sanitised
    with pikepdf.open(out) as pdf:
        assert set(pdf.trailer.Info.keys()) == {"/Title", "/Producer"}
        assert "/Metadata" not in pdf.Root
        assert "/AcroForm" not in pdf.Root
        assert "/Names" not in pdf.Root or "/EmbeddedFiles" not in pdf.Root.Names


def test_sanitise_notes_are_useful_and_hold_no_secret(sanitised):
    _, notes = sanitised
    assert notes
    joined = "\n".join(notes).lower()
    for secret in SECRETS + ["marieke"]:
        assert secret.lower() not in joined
    for expected in ("annotation", "attachment", "outline", "xmp", "form", "link"):
        assert expected in joined, notes


def test_sanitise_writes_atomically(sanitised):
    out, _ = sanitised
    assert [p.name for p in out.parent.iterdir()] == [out.name]


@pytest.mark.parametrize("title", [None, f"Nota van {NAME}"])
def test_title_without_secret(tmp_path, title):
    src = build(tmp_path / "a.pdf")
    out = tmp_path / "b.pdf"
    notes = sanitise(src, out, SECRETS, title=title)
    with pymupdf.open(out) as doc:
        assert doc.metadata["title"] == ""
    assert verify(out, SECRETS).ok
    assert not any("marieke" in note.lower() for note in notes)


def test_outline_children_of_removed_entry_survive(tmp_path):
    doc = new_doc()
    doc.set_toc([[1, KEEP_BOOKMARK, 1], [1, f"Mail {NAME}", 1], [2, "Bijlage A", 1], [2, "Bijlage B", 1]])
    src = tmp_path / "toc.pdf"
    doc.save(src)
    out = tmp_path / "out.pdf"
    notes = sanitise(src, out, SECRETS)
    with pymupdf.open(out) as clean:
        assert [(lvl, title) for lvl, title, _ in clean.get_toc()] == [
            (1, KEEP_BOOKMARK), (1, "Bijlage A"), (1, "Bijlage B")]
    assert "1 outline entry removed" in notes


def test_page_label_prefix_with_secret_cleared(tmp_path):
    src = build(tmp_path / "labels.pdf")
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        pdf.Root.PageLabels = pikepdf.Dictionary(
            Nums=pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.D, P=pikepdf.String(f"{NAME}-"))]))
        pdf.save(src)
    assert not verify(src, SECRETS).ok
    out = tmp_path / "out.pdf"
    notes = sanitise(src, out, SECRETS)
    assert "1 page label prefix with personal data cleared" in notes
    assert verify(out, SECRETS).ok
    with pymupdf.open(out) as clean:  # the labels stay, without the name
        assert clean[0].get_label() == "1"


def test_scripts_and_layers_removed(tmp_path):
    src = build(tmp_path / "js.pdf")
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        js = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hoi')"))
        pdf.Root.OpenAction = pdf.make_indirect(js)
        pdf.Root.AA = pikepdf.Dictionary(WC=js)
        pdf.pages[0].obj.AA = pikepdf.Dictionary(O=js)
        ocg = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.OCG, Name=pikepdf.String("laag")))
        pdf.Root.OCProperties = pikepdf.Dictionary(OCGs=pikepdf.Array([ocg]), D=pikepdf.Dictionary(OFF=pikepdf.Array([ocg])))
        pdf.save(src)
    out = tmp_path / "out.pdf"
    notes = sanitise(src, out, SECRETS)
    with pikepdf.open(out) as pdf:
        for key in ("/OpenAction", "/AA", "/OCProperties"):
            assert key not in pdf.Root
        assert "/AA" not in pdf.pages[0].obj
        assert not any(
            obj._type_code == pikepdf.ObjectType.dictionary and obj.get("/S") == pikepdf.Name.JavaScript
            for obj in pdf.objects)
    assert any("optional-content" in note for note in notes)


def test_strings_elsewhere_in_the_structure_are_cleared(tmp_path):
    """Tagged-PDF alternate text and a private catalog entry can hold a name too."""
    src = build(tmp_path / "tagged.pdf")
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        element = pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.P,
                                     ActualText=pikepdf.String(f"Opgesteld door {NAME}"), Pg=pdf.pages[0].obj)
        pdf.Root.StructTreeRoot = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array([pdf.make_indirect(element)])))
        pdf.Root["/Opmerking"] = pikepdf.String(f"Behandeld door {NAME}")
        pdf.save(src)
    assert "objects" in channels(verify(src, SECRETS))
    out = tmp_path / "out.pdf"
    notes = sanitise(src, out, SECRETS)
    assert verify(out, SECRETS).ok
    with pikepdf.open(out) as pdf:
        assert "/StructTreeRoot" in pdf.Root and "/Opmerking" not in pdf.Root
    assert "1 other string with personal data cleared" in notes
    assert any(note.endswith("other catalog entry removed") for note in notes)  # PyMuPDF's stray /Info not counted


def truetype_glyph_sizes(font: bytes) -> list[int]:
    """Size of each glyph's outline in a TrueType font (0: no outline), read from its 'loca' table."""
    import struct

    tables = {}
    for i in range(struct.unpack(">H", font[4:6])[0]):
        tag, _, offset, length = struct.unpack(">4sIII", font[12 + 16 * i : 28 + 16 * i])
        tables[tag] = (offset, length)
    head = tables[b"head"][0]
    long_offsets = struct.unpack(">h", font[head + 50 : head + 52])[0]
    offset, length = tables[b"loca"]
    if long_offsets:
        loca = list(struct.unpack(f">{length // 4}I", font[offset : offset + length]))
    else:
        loca = [2 * v for v in struct.unpack(f">{length // 2}H", font[offset : offset + length])]
    return [end - start for start, end in zip(loca, loca[1:])]


def test_fonts_lose_glyphs_only_the_redacted_text_used(tmp_path):
    font = pymupdf.Font("cjk")  # MuPDF's built-in TrueType font, embedded whole
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_font(fontname="F0", fontbuffer=font.buffer)
    page.insert_text((72, 72), f"Opgesteld door {NAME}", fontname="F0")
    page.insert_text((72, 100), REST, fontname="F0")
    doc.save(tmp_path / "font.pdf")
    burned = burn(tmp_path / "font.pdf", tmp_path / "burned.pdf")
    out = tmp_path / "out.pdf"
    sanitise(burned, out, SECRETS)

    def sizes(path):
        with pymupdf.open(path) as pdf:
            (xref, *_), = pdf.get_page_fonts(0)
            glyphs = truetype_glyph_sizes(pdf.extract_font(xref)[3])
        return {c: glyphs[font.has_glyph(ord(c))] for c in "MBwuDk"}

    assert all(sizes(burned).values())  # the burn alone leaves the whole font
    after = sizes(out)
    assert after["D"] and after["k"]  # in "Dit is de rest van de tekst."
    assert not any(after[c] for c in "MBwu")  # only in "Marieke Brouwersma"
    with pymupdf.open(out) as pdf:
        assert REST in pdf[0].get_text()


# -- older revisions ---------------------------------------------------------------------------------


def test_incremental_revision_is_found_and_then_gone(tmp_path):
    path = build(tmp_path / "rev.pdf")
    doc = pymupdf.open(path)  # revision 2: a comment with the name ...
    doc[0].add_text_annot((400, 72), f"Vraag voor {NAME}").update()
    doc.set_metadata({**doc.metadata, "author": NAME})
    doc.saveIncr()
    doc.close()
    doc = pymupdf.open(path)  # ... revision 3: removed again, but revision 2 stays in the file
    page = doc[0]
    for annot in [a for a in page.annots()]:
        page.delete_annot(annot)
    doc.set_metadata({**doc.metadata, "author": "Ministerie van BZK"})
    doc.saveIncr()
    doc.close()

    with pymupdf.open(path) as doc:  # the current revision looks clean ...
        assert not list(doc[0].annots()) and doc.metadata["author"] != NAME
    report = verify(path, SECRETS)  # ... but the bytes of the earlier revision are found
    assert channels(report) == {"objects"}
    assert any(leak.where.startswith("earlier revision") for leak in report.leaks)

    out = tmp_path / "out.pdf"
    sanitise(path, out, SECRETS)
    raw = out.read_bytes()
    assert raw.count(b"%%EOF") == 1
    assert verify(out, SECRETS).ok


# -- many secrets, many pages ------------------------------------------------------------------------


def test_verify_finds_the_one_secret_among_hundreds_on_the_last_page(tmp_path):
    doc = pymupdf.open()
    words = "de minister van BZK heeft de nota over het beleid besproken met het team".split()
    for number in range(60):
        page = doc.new_page()
        lines = [" ".join(words[(number + i) % 7:] + words[:(number + i) % 7]) for i in range(45)]
        if number == 59:
            lines[20] = "met dank aan Medewerker250 Achternaam250 voor de nota"
        page.insert_textbox(pymupdf.Rect(50, 50, 550, 800), "\n".join(lines), fontname="helv", fontsize=9)
    path = tmp_path / "long.pdf"
    doc.save(path, garbage=4, deflate=True)
    secrets = [f"Medewerker{i:03d} Achternaam{i:03d}" for i in range(300)]
    secrets += [f"medewerker{i:03d}@minbzk.nl" for i in range(100)]
    prepared = Secrets(secrets)
    report = verify(path, prepared)
    leaks = [leak for leak in report.leaks if leak.channel == "page_text"]
    assert leaks and {leak.page for leak in leaks} == {60}
    assert {prepared.secrets[leak.secret_index] for leak in leaks} == {"Medewerker250 Achternaam250"}
    assert verify(path, secrets[:250] + secrets[251:]).ok


# -- errors ------------------------------------------------------------------------------------------


def test_unreadable_input_is_a_typed_error(tmp_path):
    from woo_redact.errors import InputFileError, OutputError

    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"this is no pdf")
    with pytest.raises(InputFileError):
        sanitise(junk, tmp_path / "out.pdf", SECRETS)
    with pytest.raises(InputFileError):
        verify(junk, SECRETS)
    with pytest.raises(OutputError):
        sanitise(build(tmp_path / "a.pdf"), tmp_path / "missing" / "out.pdf", SECRETS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "junk.pdf"]


def test_verify_reads_ligatures_as_letters(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page()
    font = pymupdf.Font("cjk")  # a font with the ﬁ ligature glyph
    page.insert_font(fontname="F0", fontbuffer=font.buffer)
    page.insert_text((72, 72), "Contact: j.deﬁnitief@minﬁn.nl", fontname="F0")  # as a layout engine writes it
    doc.save(tmp_path / "lig.pdf")
    report = verify(tmp_path / "lig.pdf", ["j.definitief@minfin.nl"])
    assert [leak.channel for leak in report.leaks if leak.channel == "page_text"] == ["page_text"]


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(body) + 2).to_bytes(2, "big") + body


def _jpeg_with_metadata(*segments: bytes) -> bytes:
    """A real JPEG (a grey gradient) with `segments` put right after its start marker."""
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 64, 32), False)
    for x in range(64):
        for y in range(32):
            pix.set_pixel(x, y, (4 * x, 8 * y, 128))
    data = pix.tobytes("jpeg")
    return data[:2] + b"".join(segments) + data[2:]


EXIF = _segment(0xE1, b"Exif\0\0" + b"MM\0*\0\0\0\x08" + b"Artist: Pieter Oosterwijk, Brink 3 Dwingeloo")
XMP_IN_JPEG = _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0<dc:creator>Pieter Oosterwijk</dc:creator>")
IPTC = _segment(0xED, b"Photoshop 3.0\0" + b"8BIM byline Pieter Oosterwijk")
COMMENT = _segment(0xFE, b"Foto: Pieter Oosterwijk")


def test_jpeg_metadata_is_stripped_and_the_picture_kept(tmp_path):
    """EXIF, XMP, IPTC and comments inside an embedded JPEG: no reader shows them and no page search
    finds the photographer or the place in them, so they go whatever they say; the pixels stay."""
    src, dst = tmp_path / "foto.pdf", tmp_path / "schoon.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Verslag van het werkbezoek.", fontsize=11)
    page.insert_image(pymupdf.Rect(72, 100, 328, 228), stream=_jpeg_with_metadata(EXIF, XMP_IN_JPEG, IPTC, COMMENT))
    doc.save(src)
    assert src.read_bytes().count(b"Pieter Oosterwijk") == 4
    notes = sanitise(src, dst, [])  # no secret names him: the metadata goes all the same
    assert b"Oosterwijk" not in dst.read_bytes()
    assert any("metadata removed from 1 JPEG image" in n for n in notes)
    with pymupdf.open(src) as a, pymupdf.open(dst) as b:
        before, after = (d.extract_image(d[0].get_images()[0][0]) for d in (a, b))
        assert after["ext"] == "jpeg" and (after["width"], after["height"]) == (64, 32)
        assert pymupdf.Pixmap(before["image"]).samples == pymupdf.Pixmap(after["image"]).samples


def test_jpeg_segments_a_reader_needs_stay():
    from woo_redact.pdf.sanitise import strip_jpeg_metadata

    icc = _segment(0xE2, b"ICC_PROFILE\0\x01\x01" + b"\0" * 20)
    adobe = _segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01")
    data = _jpeg_with_metadata(icc, EXIF, adobe, COMMENT)
    out = strip_jpeg_metadata(data)
    assert icc in out and adobe in out and b"Oosterwijk" not in out
    assert len(data) - len(out) == len(EXIF) + len(COMMENT)
    jfif = _jpeg_with_metadata()[2:20]  # the JFIF header without a thumbnail: kept
    assert jfif.startswith(b"\xff\xe0\x00\x10JFIF\0") and jfif in out
    assert strip_jpeg_metadata(_jpeg_with_metadata(icc)) is None  # nothing to strip: left as it is
    thumbnail = _segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\x01\x01" + b"\x80\x80\x80")  # a 1x1 thumbnail
    assert thumbnail not in strip_jpeg_metadata(_jpeg_with_metadata(thumbnail))
    assert strip_jpeg_metadata(b"\xff\xd8\xff\xe1\x00") is None  # cut short: left as it is
    assert strip_jpeg_metadata(b"GIF89a") is None
    # a camera's second picture after the end of the image, with its own EXIF: gone, the image stays
    plain = _jpeg_with_metadata()
    trailer = b"\xff\xd8" + EXIF + b"\xff\xd9"
    assert plain.endswith(b"\xff\xd9") and strip_jpeg_metadata(plain + trailer) == plain


def _jp2_with_xml(xml: bytes) -> bytes:
    """A real JPEG 2000 file (Pillow, OpenJPEG) with an XML box before its codestream."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (48, 32), (180, 120, 60)).save(out, format="JPEG2000")
    data = out.getvalue()
    at = data.index(b"jp2c") - 4
    box = (len(xml) + 8).to_bytes(4, "big") + b"xml " + xml
    return data[:at] + box + data[at:]


def test_jpeg_2000_metadata_boxes_are_stripped_and_the_picture_kept(tmp_path):
    from woo_redact.pdf.sanitise import strip_jp2_metadata

    data = _jp2_with_xml(b"<dc:creator>Pieter Oosterwijk</dc:creator>")
    src, dst = tmp_path / "jp2.pdf", tmp_path / "schoon.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Verslag van het werkbezoek.", fontsize=11)
    page.insert_image(pymupdf.Rect(72, 100, 216, 196), stream=data)
    doc.save(src)
    with pikepdf.open(src) as pdf:  # PyMuPDF keeps the file as it is, as /JPXDecode
        assert any(o.get("/Filter") == pikepdf.Name.JPXDecode for o in pdf.objects if isinstance(o, pikepdf.Stream))
    assert b"Oosterwijk" in src.read_bytes()
    notes = sanitise(src, dst, [])
    assert b"Oosterwijk" not in dst.read_bytes()
    assert any("metadata removed from 1 JPEG 2000 image" in n for n in notes)
    with pymupdf.open(src) as a, pymupdf.open(dst) as b:
        before, after = (d[0].get_pixmap(clip=pymupdf.Rect(72, 100, 216, 196)) for d in (a, b))
        assert before.samples == after.samples
    assert strip_jp2_metadata(_jp2_with_xml(b"")[:40]) is None  # cut short: left as it is
    assert strip_jp2_metadata(b"\xff\x4f\xff\x51" + b"\0" * 40) is None  # a bare codestream: left as it is


def test_alternate_images_and_prepress_links_go(tmp_path):
    """An image's /Alternates (another version, for print) and its /OPI link to the full picture are not
    what the page shows, and a redaction of the picture's pixels leaves them as they were."""
    src, dst = tmp_path / "alternatief.pdf", tmp_path / "schoon.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Verslag van het werkbezoek.", fontsize=11)
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 16, 16), False)
    pix.clear_with(200)
    page.insert_image(pymupdf.Rect(72, 100, 136, 164), stream=pix.tobytes("png"))
    doc.save(src)
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        image = next(o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == pikepdf.Name.Image)
        other = pdf.make_stream(b"\x80" * 256, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=16,
                                Height=16, ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8)
        image.Alternates = pikepdf.Array([pikepdf.Dictionary(Image=other, DefaultForPrinting=True)])
        image.OPI = pikepdf.Dictionary({"/2.0": pikepdf.Dictionary(Type=pikepdf.Name.OPI, Version=2.0,
                                                                    F=pikepdf.String("P:/foto/Pieter Oosterwijk.tif"))})
        pdf.save(src)
    notes = sanitise(src, dst, [])
    assert b"Oosterwijk" not in dst.read_bytes()
    with pikepdf.open(dst) as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == pikepdf.Name.Image]
        assert len(images) == 1 and "/Alternates" not in images[0] and "/OPI" not in images[0]
    assert any("2 alternate or prepress versions of images removed" in n for n in notes)
