"""Decision rules on real text: public officials stay, every mention of a redacted person goes,
organisations, mailboxes and switchboards stay. Runs the whole read → detect → decide path."""
from __future__ import annotations

import re

import pytest
from conftest import make_pdf

from woo_redact.batch.pipeline import analyse


def _decisions(tmp_path, rules, engine, text):
    pdf = make_pdf(tmp_path / "doc.pdf", [text])
    a = analyse(pdf, rules, engine)
    norm = lambda s: re.sub(r"\s+", " ", s)
    redacted = {norm(f.text) for f in a.findings if f.decision == "redact"}
    kept = {norm(f.text) for f in a.findings if f.decision == "keep"}
    return redacted, kept, a


@pytest.mark.parametrize("text, official", [
    ("Minister Klever heeft hierover gesproken met de directie.", "Klever"),
    ("Zoals toegezegd aan het lid Tuinman ga ik daarop in.", "Tuinman"),
    ("De motie van de leden Van Baarle en Brekelmans vraagt om een rapportage.", "Van Baarle"),
    ("Wethouder mw. Y. van Delft reageert op de vragen.", "Y. van Delft"),
    ("Staatssecretaris Coenradie opent het overleg.", "Coenradie"),
    ("Met de motie Simons c.s. is gevraagd om een onderzoek.", "Simons"),
    ("Het amendement Kostić c.s. is aangenomen; Kostić c.s. willen meer geld.", "Kostić"),
    ("De burgemeester, dhr. Lenferink, en raadslid Rozendaal waren aanwezig.", "Rozendaal"),
])
def test_public_officials_stay(tmp_path, rules, engine, text, official):
    redacted, kept, _ = _decisions(tmp_path, rules, engine, text)
    assert not any(official.split()[-1] in r for r in redacted), redacted


def test_signatory_of_a_letter_stays(tmp_path, rules, engine):
    redacted, _, _ = _decisions(tmp_path, rules, engine,
                                "Hoogachtend,\nDe Minister van Asiel en Migratie,\nM.H.M. Faber-van de Klashorst")
    assert not any("Faber" in r for r in redacted)


def test_every_mention_of_a_civil_servant_goes(tmp_path, rules, engine):
    text = ("Opgesteld door\nTwan Quaedvlieg\nsenior beleidsadviseur, DGM\n\n\n"
            "Op werkniveau is de rapportage besproken; Quaedvlieg heeft de cijfers gecontroleerd.\n"
            "T. Quaedvlieg is aanspreekpunt. Vragen aan Twan kunnen per mail.")
    redacted, _, a = _decisions(tmp_path, rules, engine, text)
    for form in ("Twan Quaedvlieg", "Quaedvlieg", "T. Quaedvlieg", "Twan"):
        assert form in redacted, (form, redacted)
    assert all(f.ground == "5.1.2e" for f in a.findings if f.decision == "redact")
    assert any("header:Opgesteld door" in f.rule for f in a.findings if f.decision == "redact")


def test_email_header_forms(tmp_path, rules, engine):
    text = ("Van: Brouwersma, I. (Ilse) <ilse.brouwersma@minbzk.nl>\nAan: Noor Haddou <noor.haddou@minbzk.nl>\n"
            "CC: info@minbzk.nl\nOnderwerp: Overleg\n\nHoi Noor,\nKun jij Ilse vragen de cijfers na te lopen?\n"
            "Met vriendelijke groet,\nIlse Brouwersma\nbeleidsmedewerker")
    redacted, kept, _ = _decisions(tmp_path, rules, engine, text)
    for form in ("Brouwersma, I. (Ilse)", "ilse.brouwersma@minbzk.nl", "Noor Haddou", "noor.haddou@minbzk.nl",
                 "Noor", "Ilse", "Ilse Brouwersma"):
        assert form in redacted, (form, redacted)
    assert "info@minbzk.nl" in kept and "info@minbzk.nl" not in redacted


def test_name_wrapping_over_two_lines_is_found(tmp_path, rules, engine):
    text = ("Contactpersoon\nIlse Brouwersma-Tjon\n\n\nNa uw akkoord stuurt mevrouw Brouwersma-\nTjon de brief rond.")
    redacted, _, a = _decisions(tmp_path, rules, engine, text)
    wrapped = [f for f in a.findings if f.decision == "redact" and "\n" in f.text]
    assert wrapped and all(len({p for p, _ in f.boxes}) == 1 and len(f.boxes) == 2 for f in wrapped)


@pytest.mark.parametrize("text, kept_word", [
    ("Het Rijksmuseum en de Kunsthal Rotterdam werken samen met de Universiteit Utrecht.", "Rijksmuseum"),
    ("Namens de gemeente Amsterdam en de provincie Noord-Holland waren delegaties aanwezig.", "Amsterdam"),
    ("De directeur en de projectleider (DGM, SG) bespraken het met DT&V en IND.", "DT&V"),
    ("Gemeente Eindhoven\nPostbus 90150, 5600 RB Eindhoven\nTelefoon: 040 238 60 60", "040 238 60 60"),
    ("Aannemer Bouwbedrijf De Kok & Zonen B.V. voert het werk uit.", "Kok"),
    ("De Vertegenwoordiging in Aruba, Curaçao en Sint Maarten onderzoekt een fonds.", "Maarten"),
    ("Directie Regie Migratieketen\nTurfmarkt 147\n2511 DP Den Haag\nPostbus 20301", "2511 DP"),
])
def test_organisations_roles_and_switchboards_stay(tmp_path, rules, engine, text, kept_word):
    redacted, _, _ = _decisions(tmp_path, rules, engine, text)
    assert not any(kept_word in r for r in redacted), redacted


def test_a_citizens_address_still_goes(tmp_path, rules, engine):
    redacted, _, _ = _decisions(tmp_path, rules, engine,
                                "De aanvrager woont op het adres Kerkstraat 12, 2311 AB Leiden sinds 2019.")
    assert any("2311 AB" in r for r in redacted), redacted


def test_citizen_identifiers_get_their_grounds(tmp_path, rules, engine):
    text = "Mijn BSN is 111222333 en mijn rekeningnummer NL91ABNA0417164300. Bel mij op 06-12345678."
    _, _, a = _decisions(tmp_path, rules, engine, text)
    grounds = {f.text: f.ground for f in a.findings if f.decision == "redact"}
    assert grounds.get("111222333") == "5.1.1e"
    assert grounds.get("NL91ABNA0417164300") == "5.1.2e"
    assert grounds.get("06-12345678") == "5.1.2e"


def test_findings_record_rule_and_reason(tmp_path, rules, engine):
    _, _, a = _decisions(tmp_path, rules, engine, "Minister Klever sprak met Jolanda Verhoeven-Sadiki van DGM.")
    for f in a.findings:
        assert f.rule and f.reason
        if f.decision == "keep":
            assert "official" in f.reason


def test_a_first_name_known_only_from_an_e_mail_address_goes(tmp_path, rules, engine):
    redacted, kept, _ = _decisions(tmp_path, rules, engine,
                                   "Stuur het stuk naar marloes.dekker@minbzk.nl voor vrijdag.\n"
                                   "Kun jij Marloes vragen of de cijfers kloppen? Minister Klever wacht erop.")
    assert "Marloes" in redacted, redacted
    assert not any("Klever" in r for r in redacted)


def test_a_function_line_under_a_greeting_is_no_name(tmp_path, rules, engine):
    redacted, _, _ = _decisions(tmp_path, rules, engine,
                                "Zie de bijlage.\nMet vriendelijke groet,\nBeleidsmedewerker Sociaal Domein\n\n"
                                "Met vriendelijke groet,\nHoofd Subsidies")
    assert not any("Sociaal" in r or "Subsidies" in r for r in redacted), redacted


def test_an_initial_that_is_also_a_role_letter_still_starts_a_name(tmp_path, rules, engine):
    redacted, _, _ = _decisions(tmp_path, rules, engine, "Verslag: M. Bouzid\n1. Opening\nDe voorzitter opent.")
    assert any("Bouzid" in r for r in redacted), redacted


def test_a_persons_name_as_an_address_writes_it_goes_when_the_address_is_misread(tmp_path, rules, engine):
    """OCR of a screenshot read "noor.haddou@®minbzk.nl": no e-mail address any more, but the name in it
    is still hers; a public official's address form stays."""
    redacted, kept, _ = _decisions(tmp_path, rules, engine,
                                   "Van: Noor Haddou <noor.haddou@®minbzk.nl>\nAan: Team Opvang\n"
                                   "Minister Klever heeft de cijfers gezien.\nHoi Noor, zie ook ivo.klever@®minbzk.nl.")
    assert "noor.haddou" in redacted and "Noor Haddou" in redacted
    assert not any("klever" in r.lower() for r in redacted)
