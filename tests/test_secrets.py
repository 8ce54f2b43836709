"""What must not survive is derived from entities: a redacted person's forms, e-mail addresses and
numbers, matched like text; the gate checks places and people; a reviewer's decision always applies."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pymupdf
import pytest
from click.testing import CliRunner
from conftest import make_pdf, page_text

from woo_redact.cli import main
from woo_redact.model import Finding
from woo_redact.batch.pipeline import process
from woo_redact.decide.secrets import secret_forms
from woo_redact.pdf.verify import verify
from woo_redact.pdf.strings import Secrets


def _f(text, entity="PERSON", decision="redact", person=None, fid=None):
    return Finding(fid or text, 0, len(text), text, entity, decision, "5.1.2e" if decision == "redact" else "",
                   "test", "", 0.9, person)


# -- the forms of an entity -----------------------------------------------------------------------


def test_a_person_gives_name_forms_surname_parts_and_user_names():
    forms = secret_forms([_f("Gijs van der Plas-Aydin", person="p"), _f("G. van der Plas-Aydin", person="p"),
                          _f("Gijs", person="|gijs")])
    strong = set(forms.strong)
    assert {"Gijs van der Plas-Aydin", "van der Plas-Aydin", "Plas-Aydin", "Plas", "Aydin", "Gijs"} <= strong
    assert {"gplasaydin", "g.plasaydin", "gijs.plasaydin", "gvanderplasaydin"} <= strong
    # words of the language and particles are never forms of their own: "van", "der" stand everywhere
    assert not {"van", "der", "van der"} & {s.lower() for s in strong}


def test_a_surname_that_is_a_word_is_weak_and_a_kept_name_is_no_secret():
    forms = secret_forms([_f("Jan Bos", person="bos"), _f("Bos", person="bos"),
                          _f("Hüseyin Mulder", person="mulder"), _f("H. Mulder", decision="keep", person="m2")])
    assert "Bos" not in forms.strong and "Bos" in forms.weak  # "bos" is a word: checked off the page only
    assert "Jan Bos" in forms.strong
    assert "Mulder" not in forms.strong and "Mulder" not in forms.weak  # "H. Mulder" stays readable
    assert "Hüseyin Mulder" in forms.strong


def test_identifiers_in_their_spellings_and_addresses_with_their_local_part():
    forms = secret_forms([_f("06-1234 5678", "PHONE_NUMBER"), _f("NL91 ABNA 0417 1643 00", "IBAN_CODE"),
                          _f("q.bakkerveld@minbzk.nl", "EMAIL_ADDRESS"), _f("digikoppeling@example.nl", "EMAIL_ADDRESS")])
    assert {"06-1234 5678", "0612345678", "31612345678", "NL91ABNA0417164300", "q.bakkerveld"} <= set(forms.strong)
    assert "digikoppeling" not in forms.strong  # one word before the @: a product or a mailbox, not a person


def test_text_under_a_drawn_box_is_a_secret_of_its_place_only():
    assert not secret_forms([_f("Kunstfonds", "MANUAL"), _f("van", "COVERED_TEXT")])


# -- matching like text ---------------------------------------------------------------------------


@pytest.mark.parametrize("text, found", [
    ("mailto:q.bakkerveld@minbzk.nl", True),
    ("//fs01/home/qbakkerveld/notities.docx", True),
    ("QuintenBakkerveld-Handtekening", True),
    ("QUINTEN BAKKERVELD", True),
    ("Bakkerveld-", True),
    ("reactie.bakkerveld", True),
    ("Bakkerveldweg 12", False),  # a word that only starts with the name
    ("BaseFont ICCBased CIDSystemInfo", False),
])
def test_secrets_match_decoded_text_on_word_boundaries(text, found):
    secrets = Secrets(secret_forms([_f("Quinten Bakkerveld", person="q")]))
    assert bool(secrets.loose(text)) is found


def test_short_names_never_match_pdf_vocabulary():
    secrets = Secrets(["Bas", "Min", "Root", "Font"])
    for word in ("CIDSystemInfo", "ICCBased", "Rootfolder", "Basis", "Minimum", "Fontys"):
        assert not secrets.loose(word) and not secrets.text(word)
    assert secrets.text("Bas en Min") == {0, 1}


# -- partial forms of a person in every kept channel ----------------------------------------------

NAME = "Quinten Bakkerveld"
USER = "qbakkerveld"


def _channels_pdf(path):
    """A nota whose author is named on the page, with his surname, user name or address planted in the
    channels the sanitiser keeps: a link, page labels, a bookmark, a named destination, a figure's
    alternative text, a file link, a font name and a link's appearance."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), f"Opgesteld door {NAME}", fontname="helv", fontsize=11)
    page.insert_text((72, 100), "Dit is de rest van de tekst over het beleid.", fontname="helv", fontsize=11)
    doc.set_toc([[1, "Inleiding", 1], [1, "Reactie Bakkerveld", 1]])
    doc.save(path)
    doc.close()
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pg = pdf.pages[0]
        ap = pdf.make_stream(b"BT /F1 9 Tf 0 0 Td (QUINTEN BAKKERVELD) Tj ET",
                             Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=[0, 0, 200, 20],
                             Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pikepdf.Dictionary(
                                 Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))))
        links = [
            pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 300, 200, 320],
                               A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("mailto:q.bakkerveld@minbzk.nl"))),
            pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 330, 200, 350],
                               A=pikepdf.Dictionary(S=pikepdf.Name.GoToR, D=pikepdf.Array([0, pikepdf.Name.Fit]),
                                                    F=pikepdf.String(f"//fs01/home/{USER}/notities.pdf"))),
            pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 360, 200, 380],
                               A=pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.String("reactie.bakkerveld")),
                               AP=pikepdf.Dictionary(N=ap)),
        ]
        pg.obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(a) for a in links]))
        pdf.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=pikepdf.Array(
            [pikepdf.String("reactie.bakkerveld"), pikepdf.Array([pg.obj, pikepdf.Name.Fit])])))
        pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(
            [0, pikepdf.Dictionary(S=pikepdf.Name.D, P=pikepdf.String("Bakkerveld-"))]))
        figure = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Figure,
                                                      Alt=pikepdf.String("Foto: Bakkerveld bij de opening"),
                                                      Pg=pg.obj))
        pdf.Root.StructTreeRoot = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot,
                                                                       K=pikepdf.Array([figure])))
        pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        signature = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name("/QuintenBakkerveld-Handtekening"),
            FontDescriptor=pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/QuintenBakkerveld-Handtekening"), Flags=32,
                FontBBox=[0, 0, 1000, 1000], ItalicAngle=0, Ascent=800, Descent=-200, CapHeight=700, StemV=80))))
        fonts = pg.obj.Resources.get("/Font")
        fonts[pikepdf.Name("/FSig")] = signature
        pg.contents_add(pdf.make_stream(b"BT /FSig 1 Tf 500 20 Td ( ) Tj ET"))
        pdf.save(path)
    return path


FORMS = ["bakkerveld", USER, "q.bakkerveld", "quinten"]


def _decoded_strings(path):
    """Every string and name the file holds, decoded, with its content streams' shown text."""
    from woo_redact.pdf.strings import decoded_atoms, objects, shown_strings, stream_bytes

    out = []
    with pikepdf.open(path) as pdf:
        for obj in objects(pdf):
            out += list(decoded_atoms(obj, free_keys=True))
            for _, value in (obj.items() if obj._type_code in (pikepdf.ObjectType.dictionary,
                                                                pikepdf.ObjectType.stream) else []):
                if isinstance(value, pikepdf.Name):
                    out.append(str(value))
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") != pikepdf.Name.Image:
                out.append(shown_strings(stream_bytes(obj)))
    return "\n".join(out).lower()


def test_no_part_of_a_redacted_person_survives_in_any_channel(tmp_path, rules, engine):
    src = _channels_pdf(tmp_path / "nota.pdf")
    before = _decoded_strings(src)
    assert all(form in before for form in FORMS)
    result = process(src, tmp_path / "out", rules, engine)
    assert result.status == "ok", result.error
    out = tmp_path / "out" / "redacted" / "nota.pdf"
    after = _decoded_strings(out)
    assert not [form for form in FORMS if form in after]
    assert "Bakkerveld" not in page_text(out) and "Inleiding" in str(pymupdf.open(out).get_toc())
    with pymupdf.open(out) as doc:
        assert doc[0].get_label() == "1"  # the label stays, without the name
    subprocess.run(["qpdf", "--check", str(out)], check=True, capture_output=True)


# -- the sanitiser never breaks a file ------------------------------------------------------------


def _font_pdf(path, name):
    """A page with `name` on it in a standard font, Times text and bullets in an embedded CID font."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), f"Opgesteld door {name}", fontname="helv", fontsize=12)
    page.insert_text((72, 110), "Het beleid wordt voortgezet in het nieuwe jaar.", fontname="tiro", fontsize=12)
    page.insert_font(fontname="F0", fontbuffer=pymupdf.Font("helv").buffer)  # embedded, Type0 with CIDSystemInfo
    page.insert_text((72, 140), "• punt één  • punt twee", fontname="F0", fontsize=12)
    doc.save(path)
    doc.close()
    return path


@pytest.mark.parametrize("name", ["Bas Root", "Jan Font", "Mina Minnaert"])
def test_short_names_leave_fonts_and_structure_whole(tmp_path, rules, engine, name):
    src = _font_pdf(tmp_path / "src.pdf", name)
    result = process(src, tmp_path / "out", rules, engine)
    assert result.status == "ok", result.error
    out = result.redacted
    assert name.split()[-1] not in page_text(out)
    with pikepdf.open(out) as pdf:
        fonts = [f for f in pdf.pages[0].Resources.Font.values()]
        assert fonts and all("/BaseFont" in f for f in fonts)
        assert any("/DescendantFonts" in f and "/CIDSystemInfo" in f.DescendantFonts[0] for f in fonts)
    subprocess.run(["qpdf", "--check", str(out)], check=True, capture_output=True)
    # the page, labels included, looks the same in poppler and MuPDF
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler not installed")
    subprocess.run(["pdftoppm", "-r", "50", "-gray", "-singlefile", str(out), str(tmp_path / "pop")], check=True)
    pop = pymupdf.Pixmap(str(tmp_path / "pop.pgm"))
    with pymupdf.open(out) as doc:
        mu = doc[0].get_pixmap(dpi=50, colorspace=pymupdf.csGRAY)
    assert (pop.width, pop.height) == (mu.width, mu.height)
    differ = sum(abs(a - b) > 96 for a, b in zip(pop.samples, mu.samples))
    assert differ < 0.01 * len(mu.samples)
    poppler_text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "beleid" in poppler_text and "twee" in poppler_text
    assert "5.1.2e" in poppler_text or "Bescherming persoonlijke levenssfeer" in poppler_text  # the label


# -- the gate: places and people, reported by place -----------------------------------------------


def test_a_glyph_left_under_a_box_is_reported_with_its_place(tmp_path):
    src = make_pdf(tmp_path / "n.pdf", ["Opgesteld door Quinten Bakkerveld", "Verder niets."])
    with pymupdf.open(src) as doc:
        rect = doc[0].search_for("Bakkerveld")[0]
        doc[0].draw_rect(rect, fill=(0, 0, 0))  # covered, not removed
        doc.save(tmp_path / "covered.pdf")
    report = verify(tmp_path / "covered.pdf", [], boxes={0: [tuple(rect)]}, labels=["5.1.2e"])
    assert [(leak.channel, leak.page) for leak in report.leaks] == [("under_box", 1)]
    assert "under_box: page 1 at" in report.summary()


def _labelled_box(tmp_path, text_in_box: str, name: str) -> tuple[Path, tuple]:
    """A page with a black box whose label is written in it, and `text_in_box` written over it too."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Opgesteld door Quinten Bakkerveld op maandag", fontname="helv", fontsize=11)
    rect = page.search_for("Bakkerveld")[0]
    box = (rect.x0 - 20, rect.y0, rect.x1 + 20, rect.y1)
    page.draw_rect(box, fill=(0, 0, 0))
    page.insert_text((box[0] + 2, rect.y1 - 2), text_in_box, fontname="helv", fontsize=6, color=(1, 1, 1))
    doc.save(tmp_path / name)
    return tmp_path / name, box


@pytest.mark.parametrize("in_box", ["5.1.2e", "5.1.2e Kroeze", "5.1.2eK", "K 5.1.2e"])
def test_a_glyph_beside_a_label_under_its_box_is_reported(tmp_path, in_box):
    """The label's own words are left alone; a glyph of anything else under the box is a leak, also when
    it stands on the label's line or touches the label (the original name is there too, covered)."""
    path, box = _labelled_box(tmp_path, in_box, "covered.pdf")
    report = verify(path, [], boxes={0: [box]}, labels=["5.1.2e"])
    assert [leak.channel for leak in report.leaks] and {leak.channel for leak in report.leaks} == {"under_box"}


def test_only_the_label_under_a_burned_box_passes(tmp_path):
    src = make_pdf(tmp_path / "n.pdf", ["Opgesteld door Quinten Bakkerveld op maandag"])
    with pymupdf.open(src) as doc:
        rect = doc[0].search_for("Bakkerveld")[0]
        box = (rect.x0 - 20, rect.y0, rect.x1 + 20, rect.y1)
        doc[0].add_redact_annot(box, text="5.1.2e", fontsize=6, fill=(0, 0, 0), text_color=(1, 1, 1))
        doc[0].apply_redactions()
        doc.save(tmp_path / "burned.pdf")
    report = verify(tmp_path / "burned.pdf", [], boxes={0: [box]}, labels=["5.1.2e"])
    assert report.ok, report.summary()
    # a word beside it that is not the label, written into the box afterwards, is found
    with pymupdf.open(tmp_path / "burned.pdf") as doc:
        doc[0].insert_text((box[0] + 1, box[3] - 1), "Q", fontname="helv", fontsize=6)
        doc.save(tmp_path / "q.pdf")
    assert {leak.channel for leak in verify(tmp_path / "q.pdf", [], boxes={0: [box]}, labels=["5.1.2e"]).leaks} \
        == {"under_box"}


def test_ocr_words_with_a_secret_must_lie_under_a_box(tmp_path):
    from woo_redact.model import Word

    src = make_pdf(tmp_path / "n.pdf", ["Een pagina"])
    word = Word("Bakkerveld", 0, (100, 100, 160, 112), 0, 10, 0)
    assert verify(src, ["Bakkerveld"], ocr_words={0: [word]}, boxes={0: [(98, 98, 162, 114)]}).ok
    report = verify(src, ["Bakkerveld"], ocr_words={0: [word]}, boxes={0: [(98, 98, 120, 114)]})
    assert [leak.channel for leak in report.leaks] == ["image_ocr"]


# -- reviewers' decisions always apply ------------------------------------------------------------

NOTA = ("Opgesteld door\nHüseyin Mulder\nbeleidsadviseur\n\n"
        "Overleg met Gijs van der Plas-Aydin over de begroting; staatssecretaris Van Wieringen was er ook.\n"
        "H. Mulder stuurt het verslag. Bel 06-31804422 of kenmerk 2025-0318044.\n"
        "Het Kunstfonds en het Kunstfonds.")


def _batch(tmp_path, rules, engine):
    (tmp_path / "in").mkdir()
    src = make_pdf(tmp_path / "in" / "nota.pdf", [NOTA])
    out = tmp_path / "out"
    assert process(src, out, rules, engine).status == "ok"
    return out, out / "preview" / "nota.pdf"


def _edit(preview, edit):
    doc = pymupdf.open(preview)
    edit(doc[1])
    doc.save(preview.with_suffix(".tmp"))
    doc.close()
    preview.with_suffix(".tmp").replace(preview)


def _annot_over(page, word):
    w = next(w for w in page.get_text("words") if w[4].strip(".,;") == word)
    centre = (pymupdf.Rect(w[:4]).tl + pymupdf.Rect(w[:4]).br) * 0.5
    return next(a for a in page.annots() if centre in a.rect)


def test_an_untouched_preview_applies_and_changes_nothing(tmp_path, rules, engine):
    out, preview = _batch(tmp_path, rules, engine)
    before = page_text(out / "redacted" / "nota.pdf")
    result = CliRunner().invoke(main, ["apply", str(preview), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert page_text(out / "redacted" / "nota.pdf") == before
    assert "Van Wieringen" in before and "2025-0318044" in before and "Plas" not in before


def test_deleting_one_mention_keeps_the_person_readable_everywhere(tmp_path, rules, engine):
    out, preview = _batch(tmp_path, rules, engine)
    _edit(preview, lambda page: page.delete_annot(_annot_over(page, "Hüseyin")))
    result = CliRunner().invoke(main, ["apply", str(preview), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = page_text(out / "redacted" / "nota.pdf")
    assert "Hüseyin Mulder" in text and "H. Mulder" in text
    assert "Plas-Aydin" not in text  # the other person as proposed
    import sqlite3

    with sqlite3.connect(out / "woo-redact.sqlite") as db:
        reasons = [r[0] for r in db.execute("SELECT reason FROM decisions WHERE decision = 'rejected'")]
    assert any("kept this person" in r for r in reasons)


def test_a_rectangle_over_one_occurrence_redacts_that_place_only(tmp_path, rules, engine):
    out, preview = _batch(tmp_path, rules, engine)

    def draw(page):
        first = next(w for w in page.get_text("words") if w[4].startswith("Kunstfonds"))
        page.add_rect_annot(pymupdf.Rect(first[:4]))

    _edit(preview, draw)
    result = CliRunner().invoke(main, ["apply", str(preview), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert page_text(out / "redacted" / "nota.pdf").count("Kunstfonds") == 1


def test_a_conflicting_decision_is_applied_as_drawn_with_a_warning(tmp_path, rules, engine):
    out, preview = _batch(tmp_path, rules, engine)

    def conflict(page):  # keep "H. Mulder" (and so the person), but draw a box over "Hüseyin Mulder"
        page.delete_annot(_annot_over(page, "Mulder"))
        words = [w for w in page.get_text("words") if w[4] in ("Hüseyin",)]
        page.add_rect_annot(pymupdf.Rect(words[0][:4]))

    _edit(preview, conflict)
    result = CliRunner().invoke(main, ["apply", str(preview), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = page_text(out / "redacted" / "nota.pdf")
    assert "Hüseyin" not in text and "H. Mulder" in text
    assert "getekend vlak" in result.output


def test_verify_command_names_channel_page_and_position(tmp_path):
    src = make_pdf(tmp_path / "n.pdf", ["Opgesteld door Quinten Bakkerveld", "Verder niets."])
    with pymupdf.open(src) as doc:
        doc.set_toc([[1, "Reactie Quinten Bakkerveld", 1]])
        doc.save(tmp_path / "leaky.pdf")
    result = CliRunner().invoke(main, ["verify", str(tmp_path / "leaky.pdf")])
    assert result.exit_code == 4
    lines = result.output.splitlines()
    assert any("paginatekst" in line and "page 1 at (" in line for line in lines), result.output
    assert any("bladwijzers" in line and "outline entry 1" in line for line in lines), result.output


def test_every_untouched_sample_preview_applies_and_changes_nothing(tmp_path, rules, engine):
    from conftest import REPO

    from woo_redact.batch.run import run_batch

    out = tmp_path / "out"
    result = run_batch(REPO / "samples", out, rules, engine)
    assert not result.failed
    for preview in sorted((out / "preview").glob("*.pdf")):
        before = page_text(out / "redacted" / preview.name)
        applied = CliRunner().invoke(main, ["apply", str(preview), "--out", str(out)])
        assert applied.exit_code == 0, (preview.name, applied.output)
        assert page_text(out / "redacted" / preview.name) == before, preview.name


def test_decide_says_which_reviewed_documents_it_does_not_change(tmp_path, rules, engine):
    from woo_redact.batch.run import run_batch

    (tmp_path / "in").mkdir()
    make_pdf(tmp_path / "in" / "nota.pdf", [NOTA])
    out, preview = tmp_path / "out", tmp_path / "out" / "preview" / "nota.pdf"
    assert not run_batch(tmp_path / "in", out, rules, engine).failed
    crops_before = (out / "review.html").read_text().count("<img")
    assert CliRunner().invoke(main, ["apply", str(preview), "--out", str(out)]).exit_code == 0
    assert (out / "review.html").read_text().count("<img") == crops_before > 0  # apply keeps the crops
    result = CliRunner().invoke(main, ["decide", "Hüseyin Mulder", "--keep", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "niet gewijzigd: nota.pdf is al beoordeeld" in result.output


def test_the_originals_own_comments_are_no_decisions(tmp_path, rules, engine):
    (tmp_path / "in").mkdir()
    src = make_pdf(tmp_path / "in" / "nota.pdf", [NOTA])
    with pymupdf.open(src) as doc:  # the original came with a highlight and a sticky note
        doc[0].add_highlight_annot(doc[0].search_for("begroting")[0])
        doc[0].add_text_annot((400, 60), "Graag checken")
        doc.saveIncr()
    out = tmp_path / "out"
    assert process(src, out, rules, engine).status == "ok"
    assert CliRunner().invoke(main, ["apply", str(out / "preview" / "nota.pdf"), "--out", str(out)]).exit_code == 0
    assert "begroting" in page_text(out / "redacted" / "nota.pdf")


def test_other_mentions_of_a_person_are_found_in_one_pass():
    from woo_redact.decide.secrets import SecretForms, other_mentions

    text = "Overleg met M. vden\n  Haverkamp en  Plas-\nAydin; haverkamps en HAVERKAMP. Zie j.haverkamp@x.nl"
    forms = SecretForms(["Haverkamp", "Plas-Aydin"], [], {"Haverkamp": "p1", "Plas-Aydin": "p2"})
    found = other_mentions("d", text, [], forms, "5.1.2e")
    assert [(f.text, f.person) for f in found] == [("Haverkamp", "p1"), ("Plas-\nAydin", "p2"), ("HAVERKAMP", "p1")]
    assert all(text[f.start:f.end] == f.text for f in found)
    taken = [_f("Haverkamp")]
    taken[0].start, taken[0].end = found[0].start, found[0].end
    assert len(other_mentions("d", text, taken, forms, "5.1.2e")) == 2  # a place already found is not again


def test_the_address_of_a_kept_person_keeps_no_secret_of_the_name():
    forms = secret_forms([_f("Noor Haddou", decision="keep", person="h"),
                          _f("noor.haddou@minbzk.nl", "EMAIL_ADDRESS")])
    assert "noor.haddou@minbzk.nl" in forms.strong and "noor.haddou" not in forms.strong


def test_a_word_the_text_shows_to_be_an_organisation_is_no_form_of_a_misread_person():
    from woo_redact.decide.secrets import organisation_names

    text = ("Aanwezig: Femke Oudshoorn (Veltrix), Ruud Hamel (Stichting Kalvaro), Gerda Brons (Mercatio-U).\n"
            "Femke Oudshoorn van Veltrix opent; bereikbaar op f.oudshoorn@veltrix.nl. Verder Kalvaro en Mercatio.")
    assert {"veltrix", "kalvaro", "mercatio"} <= organisation_names(text, ["stichting"])
    misread = [_f("Oudshoorn van Veltrix", person="veltrix"), _f("Gerda Brons Mercatio", person="m")]
    forms = secret_forms(misread, keep_words=["stichting"], text=text)
    assert "Veltrix" not in forms.strong and "Mercatio" not in forms.strong
    assert "Oudshoorn van Veltrix" in forms.strong  # the mention itself still goes
