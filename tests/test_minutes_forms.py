"""Name forms and layouts of real meeting minutes, on small documents made here with fictional people:
participant tables, attendee lists over many lines, abbreviated particles, glued initials, shortened
names, possessives; and what is no person there: headings, organisations' words, functional mailboxes,
a meeting's venue, "leden" of a working group. Runs the whole read → detect → decide path."""
from __future__ import annotations

import re

import pymupdf
from conftest import make_pdf

from woo_redact.batch.pipeline import analyse


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def _run(pdf, rules, engine):
    a = analyse(pdf, rules, engine)
    redacted = [f for f in a.findings if f.decision == "redact"]
    text = a.document.text
    covered = bytearray(len(text))
    for f in redacted:  # boxes cover the whole words a finding touches (map_boxes)
        s, e = f.start, f.end
        while s > 0 and not text[s - 1].isspace():
            s -= 1
        while e < len(text) and not text[e].isspace():
            e += 1
        covered[s:e] = b"\1" * (e - s)

    def gone(s: str) -> bool:
        """Every occurrence of `s` in the text lies under a redaction."""
        rx = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in s.split()) + r"(?!\w)"
        spans = [(m.start(), m.end()) for m in re.finditer(rx, text)]
        assert spans, f"{s!r} is not in the text"
        return all(all(covered[i] or text[i].isspace() for i in range(a_, b)) for a_, b in spans)

    def touched(s: str) -> bool:
        """Some occurrence of `s` lies partly under a redaction."""
        rx = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in s.split()) + r"(?!\w)"
        return any(any(covered[i] for i in range(m.start(), m.end())) for m in re.finditer(rx, text))

    return gone, touched, a


def _table_pdf(path, rows, head=("Naam", "Organisatie")):
    """Minutes whose first page has a participants' table: two columns, one text line per cell."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Verslag werkoverleg Basisregistraties", fontsize=12, fontname="helv")
    page.insert_text((60, 120), "Deelnemers", fontsize=9, fontname="helv")
    y = 120
    page.insert_text((170, y), head[0], fontsize=9, fontname="helv")
    page.insert_text((300, y), head[1], fontsize=9, fontname="helv")
    for name, org in rows:
        y += 13
        if name:
            page.insert_text((170, y), name, fontsize=9, fontname="helv")
        if org:
            page.insert_text((300, y), org, fontsize=9, fontname="helv")
    y += 40
    for line in ["1. Opening", "De voorzitter opent het overleg. Kraaijeveld licht het voorstel toe en",
                 "Hooijkaas vraagt naar de planning. Blaauwbroek neemt de actie."]:
        page.insert_text((60, y), line, fontsize=10, fontname="helv")
        y += 14
    doc.save(path)
    doc.close()
    return path


def test_participant_table_cells_are_people(tmp_path, rules, engine):
    pdf = _table_pdf(tmp_path / "tabel.pdf", [
        ("Wouter Blaauwbroek", "Kadaster"),
        ("T.Hooijkaas", "RDW"),
        ("Kraaijeveld, Sanne", "Pink Roccade"),
        ("Jorrit vder Molen", "Stg Veltrix"),
        ("M. vden Akker", "Belastingdienst"),
        ("Quibbel", "Sociodome"),
        ("Wisselende", "Logius"),
        ("deelnemers", ""),
    ])
    gone, touched, _ = _run(pdf, rules, engine)
    for form in ("Wouter Blaauwbroek", "T.Hooijkaas", "Kraaijeveld, Sanne", "Jorrit vder Molen", "M. vden Akker",
                 "Quibbel", "Hooijkaas", "Kraaijeveld", "Blaauwbroek"):
        assert gone(form), form
    for org in ("Kadaster", "Pink Roccade", "Stg Veltrix", "Belastingdienst", "Sociodome", "Wisselende", "Deelnemers"):
        assert not touched(org), org


def test_attendee_list_over_many_lines(tmp_path, rules, engine):
    text = ("Verslag overleg Digitale Standaarden\n\nAanwezig:\n\n"
            "(12 personen) Quirijn Mersbergen (Logius)(vz), Yara Tjoeng (Kadaster), Idske Vlasblom\n"
            "(Logius, vanaf 10:25 uur), Obbe Zwartkruis (RDW), Lieke Haverkamp (VNG), Ivka Dromenko\n"
            "(Logius), Teun Rozendom (UWV), Elif Okçu (Belastingdienst), Gijs Wapperom (DUO),\n"
            "Floor Kattenbelt (Kennisnet), Hidde Pruimboom (BKWI), Sjoerd Ravenhorst (Geonovum), Noa\n"
            "Brinkhorst (secretaris)(Logius).\n"
            "Afwezig met kennisgeving:\n"
            "Machteld Ooievaar (RvIG), Douwe Kniphorst (Dictu)\n\n"
            "1. Opening\nDe voorzitter opent het overleg.")
    gone, touched, _ = _run(make_pdf(tmp_path / "lijst.pdf", [text]), rules, engine)
    for name in ("Quirijn Mersbergen", "Yara Tjoeng", "Idske Vlasblom", "Obbe Zwartkruis", "Ivka Dromenko",
                 "Elif Okçu", "Sjoerd Ravenhorst", "Noa Brinkhorst", "Machteld Ooievaar", "Douwe Kniphorst"):
        assert gone(name), name
    for org in ("Logius", "Kadaster", "BKWI", "Geonovum", "Dictu", "Opening"):
        assert not touched(org), org


def _unicode_pdf(path, text):
    """One page in a font with typographic quotes (the base-14 fonts have no ’)."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    writer = pymupdf.TextWriter(page.rect)
    font = pymupdf.Font("cjk")
    for i, line in enumerate(text.split("\n")):
        if line:
            writer.append((60, 80 + 14 * i), line, font=font, fontsize=10)
    writer.write_text(page)
    doc.save(path)
    doc.close()
    return path


def test_shortened_forms_of_a_known_person(tmp_path, rules, engine):
    text = ("Aanwezig: Berend van der Stok (Logius), Wessel van Gortel (VNG)\n\n"
            "Berend vd Stok opent. Actie: Berend vd S. stuurt de notitie; BvdS licht toe.\n"
            "Wessel v.d. Gortel vraagt door; WvG neemt het mee.\n"
            "Berend’s reactie is dat het voorstel past.")
    gone, _, _ = _run(_unicode_pdf(tmp_path / "vormen.pdf", text), rules, engine)
    for form in ("Berend vd Stok", "Berend vd S.", "BvdS", "WvG", "Berend’s", "Wessel v.d. Gortel"):
        assert gone(form), form


def test_leden_of_a_working_group_are_no_parliament(tmp_path, rules, engine):
    text = ("Verslag werkgroep Architectuur\n\nNamens de TO leden Femke Oosterbroek en Ruud Klompenhouwer\n"
            "hebben het voorstel besproken. Oosterbroek stuurt de notitie rond.")
    gone, _, _ = _run(make_pdf(tmp_path / "leden.pdf", [text]), rules, engine)
    assert gone("Femke Oosterbroek") and gone("Oosterbroek")


def test_leden_in_parliament_stay(tmp_path, rules, engine):
    text = "De motie van de leden Oosterbroek en Klompenhouwer vraagt de regering om een rapportage."
    _, touched, _ = _run(make_pdf(tmp_path / "motie.pdf", [text]), rules, engine)
    assert not touched("Oosterbroek")


def test_headings_organisation_words_and_ordinary_words_are_no_people(tmp_path, rules, engine):
    text = ("Verslag overleg API-standaarden\n\n"
            "A. Release versioning\nHet voorstel wordt besproken.\n"
            "C. Naming conventies\nEen tweede punt.\n"
            "Aanwezig: Tjitske Baarsma (Brantex Law Enforcement), Onno Wiersum (Logius)\n"
            "De aanpak komt uit de Best Practices van het beheer.\n"
            "Onderdelen van het Rijk vallen onder dit besluit.\n"
            "Het overleg met Tjitske\nBKWI wordt voortgezet.")
    gone, touched, _ = _run(make_pdf(tmp_path / "koppen.pdf", [text]), rules, engine)
    assert gone("Tjitske Baarsma") and gone("Onno Wiersum")
    for word in ("Release", "Naming", "Law Enforcement", "Best Practices", "Rijk", "BKWI"):
        assert not touched(word), word


def test_mailboxes_named_after_the_documents_subject_stay(tmp_path, rules, engine):
    text = ("Nieuwsbrief Digikoppeling en API-standaarden\n\n"
            "Vragen over de API Design Rules: api@logius.nl. Over Digikoppeling: digikoppeling@logius.nl.\n"
            "Contact: Meinte Hoekstra, meinte.hoekstra@logius.nl en mhoekstra@logius.nl")
    gone, touched, _ = _run(make_pdf(tmp_path / "mail.pdf", [text]), rules, engine)
    assert not touched("api@logius.nl") and not touched("digikoppeling@logius.nl")
    assert gone("meinte.hoekstra@logius.nl") and gone("Meinte Hoekstra")


def test_a_meetings_venue_address_stays(tmp_path, rules, engine):
    text = ("Uitnodiging themadag\n\nLocatie: Huis van de Techniek, Waldorpstraat 5, 2521 CA Den Haag\n"
            "Aanmelden bij de secretaris, Wieke Damsma.")
    gone, touched, _ = _run(make_pdf(tmp_path / "locatie.pdf", [text]), rules, engine)
    assert not touched("Waldorpstraat 5") and not touched("2521 CA")
    assert gone("Wieke Damsma")


def test_a_name_after_a_role_is_a_person(tmp_path, rules, engine):
    text = ("Mededelingen\n\nPer 1 oktober start een nieuwe medewerker Ivka Dromenko. Een wijziging is\n"
            "ingediend door Hidde van\nWesterveld van de migratieketen.")
    gone, _, _ = _run(make_pdf(tmp_path / "rol.pdf", [text]), rules, engine)
    assert gone("Ivka Dromenko") and gone("Hidde van Westerveld")


def test_initials_introduced_after_a_name_stand_for_that_person(tmp_path, rules, engine):
    text = ("Presentatie door de werkgroep\n\nRoelof Kwantes (RK) neemt het inhoudelijke deel door.\n"
            "RK start met twee voorbeelden; daarna vraagt RK om reacties.")
    gone, _, _ = _run(make_pdf(tmp_path / "alias.pdf", [text]), rules, engine)
    assert gone("Roelof Kwantes") and gone("RK")


def test_attendees_one_a_line_beside_their_label(tmp_path, rules, engine):
    people = ["Wendel Oosthoek", "Pim Baaijens", "Gea Terlouw", "Cas Hindriks", "Lot Boeijenga", "Tijn Mulckhuijse",
              "Ids Wassenaar", "Roos Kalkman", "Jorna Vlinder", "Wobke Haring", "Ubbo Wolk"]  # no list knows the last ones
    text = "Verslag Technisch Overleg\n\nAanwezig\n" + "\n".join(f"{p}, Kadaster" for p in people) + "\n\n1. Opening"
    gone, touched, _ = _run(make_pdf(tmp_path / "een-per-regel.pdf", [text]), rules, engine)
    for p in people:
        assert gone(p), p
    assert not touched("Kadaster")


def test_attendees_in_a_column_beside_their_label(tmp_path, rules, engine):
    people = ["Wendel Oosthoek", "Jorna Vlinder", "Wobke Haring", "Ubbo Wolk"]
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((80, 100), "Vergaderdatum", fontsize=9, fontname="helv")
    page.insert_text((190, 100), "4 maart 2021", fontsize=9, fontname="helv")
    page.insert_text((80, 114), "Aanwezig", fontsize=9, fontname="helv")
    for k, p in enumerate(people):
        page.insert_text((190, 114 + 12 * k), f"{p}, Kadaster", fontsize=9, fontname="helv")
    page.insert_text((80, 200), "1. Opening", fontsize=10, fontname="helv")
    doc.save(tmp_path / "kolom.pdf")
    gone, touched, _ = _run(tmp_path / "kolom.pdf", rules, engine)
    for p in people:
        assert gone(p), p
    assert not touched("Kadaster")


def test_english_titles_and_projects_are_no_people(tmp_path, rules, engine):
    text = ("Dear Secretary-General,\n\nThank you for your letter.\n\n"
            "Het Project Melisande loopt door; de Operatie Vesperus is afgerond.\n"
            "Met vriendelijke groet,\nHessel Dijkgraaf")
    gone, touched, _ = _run(make_pdf(tmp_path / "titels.pdf", [text]), rules, engine)
    assert gone("Hessel Dijkgraaf")
    for word in ("Secretary-General", "Melisande", "Vesperus"):
        assert not touched(word), word


def test_a_citizens_home_address_and_profile_go(tmp_path, rules, engine):
    text = ("Gemeente Zuidrand\nPostbus 100\n2500 AA Zuidrand\n\n"
            "Betreft: uw verzoek\n\nGeachte heer Bloemhof,\n\n"
            "U bent woonachtig aan de Wiekslagerweg 88 en vraagt om een vergunning.\n"
            "Uw profiel www.linkedin.com/in/tjeerdbloemhof-4a2b noemden wij niet.")
    gone, touched, _ = _run(make_pdf(tmp_path / "burger.pdf", [text]), rules, engine)
    assert gone("Wiekslagerweg 88")
    assert gone("www.linkedin.com/in/tjeerdbloemhof-4a2b")
    assert not touched("Postbus 100")


def test_cited_authors_stay(tmp_path, rules, engine):
    text = ("Advies over hechting\n\nVolgens Pepijn Hoogerwerf (2019) en Anna Roskam (2021) blijkt dat\n"
            "de behandelaar, Sietske Fokkema, het verzoek tijdig heeft afgehandeld.\n\n"
            "Literatuur\nPepijn Hoogerwerf (2019). Hechting en gezin. Amsterdam: Boom.\n"
            "Tessa Dalmeijer en Anna Roskam (2021). Openbaarheid in de praktijk.")
    gone, touched, _ = _run(make_pdf(tmp_path / "advies.pdf", [text]), rules, engine)
    assert gone("Sietske Fokkema")
    for name in ("Hoogerwerf", "Dalmeijer", "Roskam"):
        assert not touched(name), name


def test_the_signatory_of_a_woo_besluit_stays(tmp_path, rules, engine):
    text = ("Besluit op uw Woo-verzoek\n\nIk heb besloten de documenten openbaar te maken.\n\n"
            "De minister van Binnenlandse Zaken en Koninkrijksrelaties,\nnamens deze,\n"
            "de directeur Informatiehuishouding,\n\nAlbertine Wijnbergen")
    _, touched, _ = _run(make_pdf(tmp_path / "besluit.pdf", [text]), rules, engine)
    assert not touched("Albertine Wijnbergen")
