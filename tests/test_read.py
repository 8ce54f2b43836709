"""Read stage: words, offsets, header fields, and one clear error per kind of bad input."""
from __future__ import annotations

import pikepdf
import pymupdf
import pytest
from conftest import SHARED, make_pdf

from woo_redact.errors import EncryptedPdfError, InputFileError
from woo_redact.pdf.read import read


def _nota(path):
    """A right-hand header column: bold labels on their own line, the values below them."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = 100
    for label, values in [("Datum", ["18 september 2024"]), ("Onze referentie", ["BZ2404221"]),
                          ("Opgesteld door", ["Marieke Brouwersma", "senior beleidsadviseur, DGM"]),
                          ("Kopie aan", ["T. Quaedvlieg (DMB)"]), ("Nota actief openbaar", ["Ja"])]:
        page.insert_text((420, y), label, fontsize=7.5, fontname="hebo")
        y += 11
        for v in values:
            page.insert_text((420, y), v, fontsize=7.5, fontname="helv")
            y += 10
        y += 12
    page.insert_text((60, 120), "De motie van de leden Van Baarle en Brekelmans vraagt om", fontsize=10)
    page.insert_text((60, 134), "Van Baarle heeft gesproken.", fontsize=10)
    doc.save(path)
    return path


def test_words_carry_offsets_into_the_text(tmp_path, rules):
    doc = read(make_pdf(tmp_path / "a.pdf", ["Eerste regel tekst\nTweede regel", "Pagina twee"]), rules)
    assert doc.page_count == 2
    for w in doc.words:
        assert doc.text[w.start:w.end] == w.text
    assert doc.text.index("Pagina") >= doc.page_starts[1]
    assert [w.page for w in doc.words if w.text == "twee"] == [1]


def test_header_column_fields(tmp_path, rules):
    doc = read(_nota(tmp_path / "nota.pdf"), rules)
    fields = {f.label: f for f in doc.fields}
    assert fields["Opgesteld door"].value == "Marieke Brouwersma\nsenior beleidsadviseur, DGM"
    assert fields["Opgesteld door"].kind == "persons"
    assert fields["Onze referentie"].value == "BZ2404221"
    assert fields["Kopie aan"].value == "T. Quaedvlieg (DMB)"
    assert doc.field_value("Nota actief openbaar") == "Ja"
    # a sentence that starts with "Van Baarle" is no "Van" header field
    assert "Van" not in fields


def test_inline_fields_and_wrapped_attendee_list(tmp_path, rules):
    pdf = make_pdf(tmp_path / "v.pdf", [
        "Verslag\nOverleg grip op migratie\nDatum: 3 juni 2024\n"
        "Aanwezig: Twan Quaedvlieg (DAF), Noor Haddou (DJZ), Ilse\nBrouwersma-Tjon (DMM), minister Veldkamp\n"
        "Verslag: J. Meijer\n1. Opening"])
    fields = {f.label: f.value for f in read(pdf, rules).fields}
    assert fields["Aanwezig"].replace("\n", " ") == \
        "Twan Quaedvlieg (DAF), Noor Haddou (DJZ), Ilse Brouwersma-Tjon (DMM), minister Veldkamp"
    assert fields["Verslag"] == "J. Meijer"
    assert fields["Datum"] == "3 juni 2024"


def test_ligatures_are_expanded(rules):
    path = SHARED / "peer" / "woobuddy" / "tier1_all_identifiers.pdf"
    if not path.exists():
        pytest.skip("peer files not beside the repository")
    assert "\ufb01" in " ".join(p.get_text() for p in pymupdf.open(path))
    text = read(path, rules).text
    assert "identificatoren" in text and "\ufb01" not in text


@pytest.mark.parametrize("kind", ["empty", "not_pdf", "truncated", "no_pages", "encrypted"])
def test_bad_input_is_named_with_its_reason(tmp_path, rules, kind):
    path = tmp_path / f"{kind}.pdf"
    if kind == "empty":
        path.write_bytes(b"")
        expected = "empty file"
    elif kind == "not_pdf":
        path.write_bytes(b"PK\x03\x04 this is a zip, not a pdf")
        expected = "not a PDF"
    elif kind == "truncated":
        make_pdf(tmp_path / "full.pdf", ["Tekst " * 50])
        data = (tmp_path / "full.pdf").read_bytes()
        path.write_bytes(data[:120])
        expected = "PDF"
    elif kind == "no_pages":
        pikepdf.new().save(path)
        expected = "no pages"
    else:
        make_pdf(tmp_path / "plain.pdf", ["Geheim"])
        with pikepdf.open(tmp_path / "plain.pdf") as p:
            p.save(path, encryption=pikepdf.Encryption(owner="o", user="u"))
        expected = "encrypted"
    with pytest.raises(InputFileError) as e:
        read(path, rules)
    assert str(path) in str(e.value) and expected in str(e.value)
    assert "\n" not in str(e.value)
    if kind == "encrypted":
        assert isinstance(e.value, EncryptedPdfError)
        assert "Geheim" in read(path, rules, password="u").text
