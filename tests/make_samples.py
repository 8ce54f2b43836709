"""Generate the fictional sample documents of samples/ (modelled on real beslisnota's, a Kamerbrief,
an e-mail thread, minutes and a motie), with tests/samples_expected.json saying what must go and what must
stay.

    python tests/make_samples.py [OUT_DIR]       # default: samples/ and tests/samples_expected.json

All people, numbers and references are invented. Output is deterministic (no dates in metadata).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pymupdf

REGULAR, BOLD = "helv", "hebo"
A4 = (595, 842)


class Page:
    """A thin writer over a PyMuPDF page: lines in the body column and in the header column."""

    def __init__(self, doc: pymupdf.Document):
        self.page = doc.new_page(width=A4[0], height=A4[1])
        self.y = 100.0

    def line(self, text: str, x: float = 60, size: float = 10, bold: bool = False, gap: float = 1.4) -> None:
        if text:
            self.page.insert_text((x, self.y), text, fontsize=size, fontname=BOLD if bold else REGULAR)
        self.y += size * gap

    def lines(self, text: str, **kw) -> None:
        for t in text.split("\n"):
            self.line(t, **kw)

    def header_column(self, fields: list[tuple[str, list[str]]], x: float = 420, y: float = 100) -> None:
        """The Rijkshuisstijl column: the label in bold on its own line, the value lines below it."""
        for label, values in fields:
            self.page.insert_text((x, y), label, fontsize=7.5, fontname=BOLD)
            y += 11
            for v in values:
                self.page.insert_text((x, y), v, fontsize=7.5, fontname=REGULAR)
                y += 10
            y += 12

    def footer(self, n: int, total: int) -> None:
        self.page.insert_text((60, 800), f"Pagina {n} van {total}", fontsize=7.5, fontname=REGULAR)


def _save(doc: pymupdf.Document, path: Path) -> Path:
    doc.set_metadata({"title": "", "author": "", "creator": "", "producer": "", "creationDate": "", "modDate": ""})
    doc.save(path, garbage=3, deflate=True, no_new_id=True)
    doc.close()
    return path


def elfproef(bsn: str) -> bool:
    return len(bsn) == 9 and sum(int(c) * w for c, w in zip(bsn, (9, 8, 7, 6, 5, 4, 3, 2, -1))) % 11 == 0


def iban_ok(iban: str) -> bool:
    s = iban.replace(" ", "")
    return int("".join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97 == 1


def build_nota(path: Path) -> dict:
    doc = pymupdf.open()
    p = Page(doc)
    p.header_column([
        ("Nota actief openbaar", ["Ja"]),
        ("Onze referentie", ["BZK2501187"]),
        ("Datum", ["14 maart 2025"]),
        ("Opgesteld door", ["Twan Quaedvlieg", "senior beleidsadviseur, DGKR"]),
        ("Aan", ["Minister van Binnenlandse Zaken en", "Koninkrijksrelaties"]),
        ("Van", ["DGKR"]),
        ("Kopie aan", ["I. Brouwersma-Tjon (DMB)"]),
        ("Afgestemd met", ["Noor Haddou (DJZ), SG"]),
        ("Contactpersoon", ["Marloes Veenstra", "T 070 456 7812", "M 06-27481953", "marloes.veenstra@minbzk.nl"]),
    ])
    p.line("TER BESLISSING", size=10, bold=True)
    p.y += 20
    p.line("nota", size=15, bold=True)
    p.line("Opvang van ontheemden uit Oekraïne", size=11, bold=True, gap=3)
    p.line("Aanleiding", size=11, bold=True, gap=2.2)
    # the body column ends well before the header column at x = 420, as in the Rijkshuisstijl
    p.lines("Met deze nota wordt u gevraagd in te stemmen met de\n"
            "verlenging van de gemeentelijke opvang. Minister Van Dorsten\n"
            "heeft hierover eerder met het lid Kuiper-Smeets gesproken\n"
            "tijdens het commissiedebat.", gap=1.35)
    p.y += 12
    p.line("Geadviseerd besluit", size=11, bold=True, gap=2.2)
    p.lines("Uw akkoord met de verlenging en met de brief aan de Tweede\nKamer.", gap=1.35)
    p.y += 12
    p.line("Kernpunten", size=11, bold=True, gap=2.2)
    p.lines("- Op werkniveau is de verlenging besproken met het COA en de\n"
            "  VNG; Noor Haddou heeft de cijfers gecontroleerd.\n"
            "- De motie van de leden Kuiper-Smeets en Ozdemir vraagt om\n"
            "  een halfjaarlijkse rapportage.\n"
            "- Na uw akkoord stuurt I. Brouwersma-Tjon de brief rond;\n"
            "  vragen kunnen naar Marloes\n"
            "  Veenstra of marloes.veenstra@minbzk.nl.", x=70, gap=1.35)
    p.y += 12
    p.line("Toelichting", size=11, bold=True, gap=2.2)
    p.lines("Het Ministerie van Binnenlandse Zaken en Koninkrijksrelaties\n"
            "coördineert de opvang. Quaedvlieg is aanspreekpunt voor de\ngemeenten.", gap=1.35)
    p.footer(1, 1)
    _save(doc, path)
    return {
        "file": path.name,
        "redact": ["Twan Quaedvlieg", "Quaedvlieg", "I. Brouwersma-Tjon", "Noor Haddou", "Marloes Veenstra",
                   "070 456 7812", "06-27481953", "marloes.veenstra@minbzk.nl"],
        "surnames": ["Quaedvlieg", "Brouwersma-Tjon", "Haddou", "Veenstra"],
        "keep": ["Nota actief openbaar", "BZK2501187", "Minister Van Dorsten", "Kuiper-Smeets", "Ozdemir",
                 "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties", "COA", "DGKR",
                 "Opvang van ontheemden uit Oekraïne"],
    }


def build_kamerbrief(path: Path) -> dict:
    doc = pymupdf.open()
    p = Page(doc)
    p.header_column([
        ("Ministerie van Asiel en Migratie", []),
        ("Contactpersoon", ["Sevda Yilmaz-Bosman", "T 070 318 2204", "sevda.yilmaz-bosman@minaenm.nl"]),
        ("Onze referentie", ["2025-0000031876"]),
    ], y=100)
    p.lines("Aan de Voorzitter van de Tweede Kamer der Staten-Generaal\nPostbus 20018\n2500 EA Den Haag", gap=1.4)
    p.y += 30
    p.lines("Datum 2 april 2025\nBetreft Terugkeer en vertrek uit de opvang", gap=1.6)
    p.y += 20
    p.lines("Met deze brief informeer ik uw Kamer over de voortgang van het terugkeerbeleid. Zoals\n"
            "toegezegd aan het lid Ozdemir ga ik daarbij in op de samenwerking met de IND en de DT&V.\n"
            "\n"
            "Het kabinet zet in op afspraken met herkomstlanden. Over de uitkomsten wordt uw Kamer\n"
            "voor de zomer geïnformeerd.", gap=1.4)
    p.y += 30
    p.lines("De Minister van Asiel en Migratie,\n\n\n\nR.A. van Dorsten", gap=1.4)
    p.footer(1, 1)
    _save(doc, path)
    return {
        "file": path.name,
        "redact": ["Sevda Yilmaz-Bosman", "070 318 2204", "sevda.yilmaz-bosman@minaenm.nl"],
        "surnames": ["Yilmaz-Bosman"],
        "keep": ["R.A. van Dorsten", "Ozdemir", "Tweede Kamer", "Postbus 20018", "2500 EA Den Haag",
                 "Ministerie van Asiel en Migratie", "2025-0000031876"],
    }


def build_email(path: Path) -> dict:
    bsn, iban = "204761554", "NL20INGB0001234567"
    assert elfproef(bsn) and iban_ok(iban), "sample identifiers must be valid"
    doc = pymupdf.open()
    p = Page(doc)
    p.y = 80
    p.lines("Van: Haddou, N. (Noor) <noor.haddou@minbzk.nl>\nVerzonden: 3 februari 2025 10:12\n"
            "Aan: Jelmer Oosterhuis <jelmer.oosterhuis@minbzk.nl>\nCC: marloes.veenstra@minbzk.nl\n"
            "Onderwerp: RE: Opvang van ontheemden", gap=1.4)
    p.y += 12
    p.lines("Hoi Jelmer,\n\nZie hieronder de reactie van de gemeente. Minister Van Dorsten wil dit voor het debat met\n"
            "het lid Kuiper-Smeets hebben. Kun jij Marloes vragen de cijfers van het COA na te lopen?\n\n"
            "Met vriendelijke groet,\nNoor Haddou\njuridisch adviseur\n"
            "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties\nT 070 451 9937 | M 06-41729385\n"
            "noor.haddou@minbzk.nl", gap=1.4)
    p.y += 20
    p.lines("Van: Oosterhuis, J. (Jelmer) <jelmer.oosterhuis@minbzk.nl>\nVerzonden: 2 februari 2025 16:40\n"
            "Aan: Noor Haddou <noor.haddou@minbzk.nl>\nOnderwerp: Opvang van ontheemden", gap=1.4)
    p.y += 12
    p.lines("Hoi Noor,\n\nDe gemeente heeft de aantallen gestuurd; vragen kunnen ook naar info@minbzk.nl.\n\n"
            "Met vriendelijke groet,\nJelmer Oosterhuis\nbeleidsmedewerker", gap=1.4)
    p.footer(1, 2)
    p = Page(doc)
    p.y = 80
    p.lines("Van: Femke Zwanenburg <f.zwanenburg@gmail.com>\nAan: info@minbzk.nl\nOnderwerp: Mijn aanvraag", gap=1.4)
    p.y += 12
    p.lines(f"Geachte heer/mevrouw,\n\nMijn BSN is {bsn} en mijn rekeningnummer is {iban}. U kunt mij bellen\n"
            "op 06-58204716.\n\nMet vriendelijke groet,\nFemke Zwanenburg", gap=1.4)
    p.footer(2, 2)
    _save(doc, path)
    return {
        "file": path.name,
        "redact": ["Haddou, N. (Noor)", "noor.haddou@minbzk.nl", "Jelmer Oosterhuis", "jelmer.oosterhuis@minbzk.nl",
                   "marloes.veenstra@minbzk.nl", "Noor Haddou", "070 451 9937", "06-41729385",
                   "Oosterhuis, J. (Jelmer)", "Femke Zwanenburg", "f.zwanenburg@gmail.com", bsn, iban,
                   "06-58204716"],
        "surnames": ["Haddou", "Oosterhuis", "Zwanenburg"],
        "keep": ["Minister Van Dorsten", "Kuiper-Smeets", "info@minbzk.nl", "COA",
                 "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"],
    }


def build_verslag(path: Path) -> dict:
    doc = pymupdf.open()
    p = Page(doc)
    p.line("Verslag", size=14, bold=True, gap=1.6)
    p.line("Overleg opvang ontheemden", size=11, bold=True, gap=2)
    p.lines("Datum: 11 maart 2025\n"
            "Aanwezig: Jelmer Oosterhuis (DGKR), Noor Haddou (DJZ), Gijs van der Plas-Aydin (COA), Ilse\n"
            "Brouwersma-Tjon (DMB), staatssecretaris Van Wieringen\n"
            "Verslag: M. Veenstra", gap=1.4)
    p.y += 12
    p.line("1. Opening", bold=True)
    p.lines("Staatssecretaris Van Wieringen opent het overleg. Gijs licht de stand van zaken toe over de\n"
            "capaciteit van de gemeentelijke opvang.", gap=1.4)
    p.y += 12
    p.line("2. Actiepunten", bold=True)
    p.lines("- Haddou stemt af met de IND.\n- Van der Plas-Aydin stuurt het concept rond voor 1 april 2025.", gap=1.4)
    p.footer(1, 1)
    _save(doc, path)
    return {
        "file": path.name,
        "redact": ["Jelmer Oosterhuis", "Noor Haddou", "Gijs van der Plas-Aydin", "Brouwersma-Tjon", "M. Veenstra",
                   "Haddou", "Van der Plas-Aydin"],
        "surnames": ["Oosterhuis", "Haddou", "Brouwersma-Tjon", "Veenstra"],
        "keep": ["staatssecretaris Van Wieringen", "Staatssecretaris Van Wieringen", "IND", "DGKR"],
    }


def build_motie(path: Path) -> dict:
    doc = pymupdf.open()
    p = Page(doc)
    p.lines("36600-VII-14\n\nMOTIE VAN HET LID KUIPER-SMEETS C.S.\n\nVoorgesteld 12 maart 2025\n\nDe Kamer,\n\n"
            "gehoord de beraadslaging,\n\n"
            "overwegende dat gemeenten zekerheid nodig hebben over de financiering van de opvang;\n\n"
            "verzoekt de regering halfjaarlijks te rapporteren over de capaciteit van de opvang,\n\n"
            "en gaat over tot de orde van de dag.\n\nKuiper-Smeets\nOzdemir\nVan Wieringen", gap=1.4)
    p.footer(1, 1)
    _save(doc, path)
    return {"file": path.name, "redact": [], "surnames": [],
            "keep": ["Kuiper-Smeets", "Ozdemir", "Van Wieringen", "De Kamer"]}


BUILDERS = {"nota.pdf": build_nota, "kamerbrief.pdf": build_kamerbrief, "email.pdf": build_email,
            "verslag.pdf": build_verslag, "motie.pdf": build_motie}


EXPECTED = Path(__file__).resolve().parent / "samples_expected.json"


def expected_text(expected: list[dict]) -> str:
    return json.dumps(expected, ensure_ascii=False, indent=1) + "\n"


def main(out_dir: Path, expected_path: Path | None = None) -> list[dict]:
    """Write the samples into `out_dir` (documents only: a batch over it sees nothing else) and, when
    asked, what is expected of them into `expected_path`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    expected = [build(out_dir / name) for name, build in BUILDERS.items()]
    for e in expected:
        e.update(actief_openbaar=True if e["file"] == "nota.pdf" else None, scanned=False, traps=[])
    if expected_path is not None:
        expected_path.write_text(expected_text(expected), encoding="utf-8")
    return expected


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]), Path(sys.argv[1]) / "expected.json")
    else:
        main(Path(__file__).resolve().parents[1] / "samples", EXPECTED)
