"""The adversarial corpus: one civil servant's name planted in every place a PDF can hide it, each file
run through the whole pipeline (read → detect → decide → burn → sanitise → verify) as `redact` does.

For every channel: the name is gone from the output — from the page text, from every object pikepdf can
reach (strings, names, decompressed streams) and from the decompressed bytes of the file — while the rest
of the page is intact. And `woo-redact verify` reports the channel on the unredacted file and nothing on
the output. The checks here are written independently of the tool's own verifier.
"""
from __future__ import annotations

import re
import shutil
import subprocess

import pikepdf
import pymupdf
import pytest
from click.testing import CliRunner

from woo_redact.cli import main
from woo_redact.batch.pipeline import process

NAME = "Jolien Verbeek-Hartsuiker"
SURNAME = "Hartsuiker"
HEADER = f"Opgesteld door\n{NAME}\nbeleidsadviseur\n\n"  # how the tool learns who she is
REST = "De begroting van het Kunstfonds is besproken."


def _base(extra_lines: list[str] = ()) -> pymupdf.Document:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    y = 72
    for line in HEADER.split("\n") + list(extra_lines) + [REST]:
        if line:
            page.insert_text((72, y), line, fontname="helv", fontsize=11)
        y += 15
    return doc


def _save(doc: pymupdf.Document, path) -> None:
    doc.save(path)
    doc.close()


# -- planting: each function writes one PDF with the name in one more place --------------------------


def plant_visible(path):
    _save(_base([f"Overleg met {NAME} over de cijfers."]), path)


def plant_white_text(path):
    doc = _base()
    doc[0].insert_text((72, 300), f"Notitie {NAME}", fontsize=11, color=(1, 1, 1))
    _save(doc, path)


def plant_tiny_text(path):
    doc = _base()
    doc[0].insert_text((72, 300), f"Notitie {NAME}", fontsize=1.5)
    _save(doc, path)


def plant_invisible_text(path):
    doc = _base()
    doc[0].insert_text((72, 300), f"Notitie {NAME}", fontsize=11, render_mode=3)
    _save(doc, path)


def plant_hidden_layer(path):
    doc = _base()
    ocg = doc.add_ocg("Verborgen opmerkingen", on=False)
    doc[0].insert_text((72, 300), f"Notitie {NAME}", fontsize=11, oc=ocg)
    _save(doc, path)


def plant_form_xobject_on_two_pages(path):
    stamp = pymupdf.open()
    stamp.new_page(width=300, height=40).insert_text((5, 20), f"Paraaf {NAME}", fontsize=11)
    doc = _base()
    doc.new_page(width=595, height=842).insert_text((72, 72), "Tweede pagina.", fontsize=11)
    for page in doc:
        page.show_pdf_page(pymupdf.Rect(72, 400, 372, 440), stamp, 0)  # one Form XObject, shown twice
    _save(doc, path)


def _append_content(pdf: pikepdf.Pdf, page_no: int, ops: bytes) -> None:
    page = pdf.pages[page_no]
    page.contents_add(pikepdf.Stream(pdf, ops), prepend=False)


def _helv_resource(pdf: pikepdf.Pdf, page_no: int) -> None:
    resources = pdf.pages[page_no].Resources
    if "/Font" not in resources:
        resources.Font = pikepdf.Dictionary()
    resources.Font["/FHelv"] = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                           BaseFont=pikepdf.Name.Helvetica,
                                                           Encoding=pikepdf.Name.WinAnsiEncoding))


def plant_actual_text(path):
    _save(_base(), path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        _helv_resource(pdf, 0)
        _append_content(pdf, 0, f"/Span <</ActualText ({NAME})>> BDC BT /FHelv 11 Tf 72 300 Td (J. V.-H.) Tj ET EMC"
                        .encode("latin-1"))
        pdf.save(path)


def plant_structure_alt(path):
    _save(_base(), path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        figure = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Figure,
                                                      Alt=pikepdf.String(f"Foto van {NAME}"),
                                                      Pg=pdf.pages[0].obj))
        root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array([figure])))
        figure.P = root
        pdf.Root.StructTreeRoot = root
        pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        pdf.save(path)


def plant_split_and_kerned(path):
    _save(_base(), path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        _helv_resource(pdf, 0)
        # one name in a TJ array with kerning between the letters, and again as one Tj per piece
        _append_content(pdf, 0, b"BT /FHelv 11 Tf 72 300 Td (Met ) Tj [(Jol) -30 (ien) 15 ( Ver) -10 (beek-Har) 20 "
                                b"(tsuiker)] TJ ET BT /FHelv 11 Tf 72 330 Td (Ook ) Tj (Jolien) Tj ( ) Tj (Verbeek-) Tj "
                                b"(Harts) Tj (uiker) Tj ET")
        pdf.save(path)


def plant_hyphenated(path):
    _save(_base(["Het stuk is gecontroleerd door Jolien Verbeek-", "Hartsuiker en daarna verstuurd."]), path)


def plant_font_subset(path):
    doc = _base()
    page = doc[0]
    page.insert_font(fontname="FN", fontfile="/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")
    page.insert_text((72, 300), NAME, fontname="FN", fontsize=11)  # the only text in this font
    doc.subset_fonts()
    _save(doc, path)


def plant_info_and_xmp(path):
    doc = _base()
    doc.set_metadata({"author": NAME, "title": f"Nota van {NAME}", "subject": "begroting", "keywords": SURNAME})
    doc.xref_set_key(int(doc.xref_get_key(-1, "Info")[1].split()[0]), "Behandelaar", pymupdf.get_pdf_str(NAME))
    doc.set_xml_metadata(f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
                         f'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
                         f"<dc:creator>{NAME}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>")
    _save(doc, path)


def plant_older_revision(path):
    doc = _base([f"Concept van {NAME}."])
    doc.save(path)
    doc.close()
    doc = pymupdf.open(path)
    page = doc[0]
    page.add_redact_annot(page.search_for(f"Concept van {NAME}.")[0])
    page.apply_redactions()
    doc.saveIncr()  # the name stays in the file's first revision
    doc.close()


def plant_annotations(path):
    doc = _base()
    page = doc[0]
    note = page.add_text_annot((400, 100), f"Vraag aan {NAME}")
    note.set_info(title=NAME, content=f"Vraag aan {NAME}")
    note.update()
    free = page.add_freetext_annot(pymupdf.Rect(72, 500, 400, 530), f"Akkoord, {NAME}", fontsize=10)
    free.update()
    highlight = page.add_highlight_annot(page.search_for("Kunstfonds")[0])
    highlight.set_info(title=NAME, content="zie opmerking")
    highlight.update()
    doc.save(path)
    doc.close()
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:  # a reply and a popup
        annots = pdf.pages[0].Annots
        reply = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text,
                                                     Rect=[400, 600, 420, 620], IRT=annots[0],
                                                     T=pikepdf.String(NAME), Contents=pikepdf.String(f"Eens, {NAME}")))
        popup = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Popup,
                                                     Rect=[420, 600, 560, 680], Parent=annots[0],
                                                     Contents=pikepdf.String(NAME)))
        annots.append(reply)
        annots.append(popup)
        pdf.save(path)


def plant_form_fields(path):
    doc = _base()
    page = doc[0]
    widget = pymupdf.Widget()
    widget.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT
    widget.field_name = "behandelaar"
    widget.field_value = NAME
    widget.rect = pymupdf.Rect(72, 500, 300, 520)
    page.add_widget(widget)
    doc.save(path)
    doc.close()
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:  # a parent field holding the value
        field = pdf.Root.AcroForm.Fields[0]
        parent = pdf.make_indirect(pikepdf.Dictionary(T=pikepdf.String("dossier"), V=pikepdf.String(NAME),
                                                      Kids=pikepdf.Array([field])))
        field.Parent = parent
        pdf.Root.AcroForm.Fields = pikepdf.Array([parent])
        pdf.save(path)


def plant_mailto_link(path):
    doc = _base()
    doc[0].insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(72, 500, 200, 515),
                        "uri": "mailto:jolien.verbeek-hartsuiker@minbzk.nl?subject=Jolien%20Verbeek-Hartsuiker"})
    _save(doc, path)


def plant_attachments(path):
    doc = _base()
    doc.embfile_add(f"notities {NAME}.txt", f"Notities van {NAME}\n".encode(), filename=f"{SURNAME}.txt",
                    desc=f"van {NAME}")
    doc[0].add_file_annot((400, 300), f"Bijlage van {NAME}".encode(), f"{SURNAME}-bijlage.txt",
                          desc=f"bijlage {NAME}")
    _save(doc, path)


def plant_outline(path):
    doc = _base()
    doc.set_toc([[1, "Inleiding", 1], [1, f"Reactie {NAME}", 1]])
    _save(doc, path)


def plant_page_labels(path):
    doc = _base()
    doc.set_page_labels([{"startpage": 0, "prefix": f"{SURNAME}-", "style": "D", "firstpagenum": 1}])
    _save(doc, path)


def plant_javascript(path):
    _save(_base(), path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        js = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.alert('{NAME}');"))
        pdf.Root.OpenAction = pdf.make_indirect(js)
        names = pikepdf.Array([pikepdf.String("groet"), pdf.make_indirect(js)])
        pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(Names=names))
        pdf.save(path)


CHANNELS = {name[len("plant_"):]: fn for name, fn in globals().items() if name.startswith("plant_")}

# channels that `verify` must report on the unredacted file, with a word of its report
VERIFY_SAYS = {
    "visible": "leesbare persoonsgegevens", "white_text": "verborgen tekst", "tiny_text": "verborgen tekst",
    "invisible_text": "verborgen tekst", "hidden_layer": "verborgen laag", "actual_text": "ActualText",
    "structure_alt": "Alt", "info_and_xmp": "metadata", "older_revision": "oudere revisies",
    "annotations": "annotaties", "form_fields": "formulier", "mailto_link": "link", "attachments": "bijlagen",
    "outline": "bladwijzer", "page_labels": "paginalabel", "javascript": "JavaScript",
    "form_xobject_on_two_pages": "leesbare persoonsgegevens", "split_and_kerned": "leesbare persoonsgegevens",
    "hyphenated": "leesbare persoonsgegevens", "font_subset": "leesbare persoonsgegevens",
}


# -- independent checks -----------------------------------------------------------------------------


def _texts_of(obj, seen: set) -> list[str]:
    """Every string, name and decompressed stream reachable from `obj`, as text."""
    out: list[str] = []
    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, pikepdf.Object) and o.is_indirect:
            key = o.objgen
            if key in seen:
                continue
            seen.add(key)
        if isinstance(o, pikepdf.String):
            out.append(bytes(o).decode("latin-1") + " " + str(o))
        elif isinstance(o, pikepdf.Name):
            out.append(str(o))
        elif isinstance(o, pikepdf.Stream):
            try:
                data = o.read_bytes()
            except pikepdf.PdfError:
                data = o.read_raw_bytes()
            out.append(data.decode("latin-1"))
            out.append(data.decode("utf-16-be", errors="ignore"))
            stack.extend(o.stream_dict.values())
        elif isinstance(o, pikepdf.Dictionary):
            stack.extend(o.keys() and [pikepdf.Name(k) for k in o.keys()])
            stack.extend(o.values())
        elif isinstance(o, pikepdf.Array):
            stack.extend(o)
    return out


def _leaks(path, word: str = SURNAME) -> list[str]:
    """Where `word` can still be found in the file at `path` (empty when it is gone)."""
    found = []
    needle = re.compile(word, re.IGNORECASE)
    with pymupdf.open(path) as doc:
        if any(needle.search(p.get_text()) for p in doc):
            found.append("page text")
    with pikepdf.open(path) as pdf:
        seen: set = set()
        if any(needle.search(t) for t in _texts_of(pdf.trailer, seen)):
            found.append("object reachable from the trailer")
        if any(needle.search(t) for o in pdf.objects for t in _texts_of(o, set())):
            found.append("object in the file")
    raw = path.read_bytes()
    if shutil.which("qpdf"):
        qdf = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(path), "-"], capture_output=True)
        raw += qdf.stdout
    for enc in ("latin-1", "utf-16-be"):
        if word.encode(enc) in raw or word.lower().encode(enc) in raw:
            found.append(f"decompressed bytes ({enc})")
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("adversarial")
    for channel, plant in CHANNELS.items():
        plant(folder / f"{channel}.pdf")
    return folder


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_the_planted_file_really_holds_the_name(corpus, channel):
    assert _leaks(corpus / f"{channel}.pdf"), "the plant did not put the name in the file"


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_redacted_output_holds_the_name_nowhere_and_keeps_the_rest(corpus, tmp_path, rules, engine, channel):
    result = process(corpus / f"{channel}.pdf", tmp_path, rules, engine)
    assert result.status == "ok", result.error
    out = result.redacted
    assert _leaks(out) == []
    with pymupdf.open(out) as doc:
        text = " ".join(doc[0].get_text().split())
    assert REST in text and "beleidsadviseur" in text


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_verify_reports_the_channel_before_and_nothing_after(corpus, tmp_path, rules, engine, channel):
    before = CliRunner().invoke(main, ["verify", str(corpus / f"{channel}.pdf")])
    assert before.exit_code != 0
    assert VERIFY_SAYS[channel].lower() in before.output.lower(), before.output
    result = process(corpus / f"{channel}.pdf", tmp_path, rules, engine)
    after = CliRunner().invoke(main, ["verify", str(result.redacted)])
    assert after.exit_code == 0, after.output


# -- the wider corpus: 31 builders, one channel each (tests/adversarial_pdfs.py) ---------------------

from adversarial_pdfs import BUILDERS, CONTROL, NAME_PARTS  # noqa: E402


def _in_first_revision(path, word: str) -> bool:
    """The name only in a revision that a later incremental update replaced (compressed, unreferenced)."""
    data = path.read_bytes()
    first = data[:data.find(b"%%EOF") + 5]
    with pymupdf.open(stream=first, filetype="pdf") as doc:
        return word in doc[0].get_text()


@pytest.fixture(scope="module")
def wider(tmp_path_factory, rules, engine):
    """builder → (original, redacted output), each processed once, on first use."""
    folder = tmp_path_factory.mktemp("adversarial-wide")
    done: dict = {}

    def get(name: str):
        if name not in done:
            original = BUILDERS[name](folder / f"{name}.pdf")
            result = process(original, folder / "out", rules, engine)
            assert result.status == "ok", result.error
            done[name] = (original, result.redacted)
        return done[name]

    return get


@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_wider_corpus_no_part_of_the_name_survives(wider, builder):
    original, redacted = wider(builder)
    assert _leaks(original, "Hartsuiker") or _in_first_revision(original, "Hartsuiker"), "no name was planted"
    for part in NAME_PARTS:
        assert _leaks(redacted, part) == [], part
    with pymupdf.open(redacted) as doc:
        assert CONTROL in " ".join(doc[0].get_text().split())


@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_wider_corpus_verify_finds_it_before_and_nothing_after(wider, builder):
    original, redacted = wider(builder)
    assert CliRunner().invoke(main, ["verify", str(original)]).exit_code != 0
    after = CliRunner().invoke(main, ["verify", str(redacted)])
    assert after.exit_code == 0, after.output


@pytest.mark.parametrize("builder", ["off_the_page", "outside_the_crop_box"])
def test_text_outside_the_visible_page_is_redacted_and_named_in_a_warning(tmp_path, rules, engine, builder):
    """No viewer shows such text, nor the preview's boxes over it: the warning says where it is."""
    original = BUILDERS[builder](tmp_path / f"{builder}.pdf")
    result = process(original, tmp_path / "out", rules, engine)
    assert any("outside the visible page on p. 1" in w for w in result.warnings), result.warnings
    assert not any(f.decision == "keep" and "Hartsuiker" in f.text for f in result.findings)
    clean = process(BUILDERS["visible_text"](tmp_path / "zichtbaar.pdf"), tmp_path / "out", rules, engine)
    assert not any("outside the visible page" in w for w in clean.warnings)


@pytest.mark.parametrize("rotation", [90, 270])
def test_text_near_the_edge_of_a_rotated_page_is_not_taken_for_off_the_page(tmp_path, rules, rotation):
    """Words come unrotated: on a landscape page a line low on the portrait sheet is still on the page."""
    from woo_redact.pdf.read import read

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 800), CONTROL, fontname="helv", fontsize=11)
    page.set_rotation(rotation)
    doc.save(tmp_path / "liggend.pdf")
    assert read(tmp_path / "liggend.pdf", rules).off_page == []
