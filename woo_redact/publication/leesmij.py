"""LEESMIJ.txt: what is in a bundle and how to publish it, in Dutch."""
from __future__ import annotations

import urllib.parse
from datetime import datetime

from .. import __version__
from .plan import DEELS_OPENBAAR, JUDGEMENTS, NIET_OPENBAAR, OPENBAAR, BundleRow


def leesmij_text(rows: list[BundleRow], matter: str, base: str | None, category: dict, now: datetime,
             index_names: list[str], zaaknummer: str = "") -> str:
    count = {j: sum(r.beoordeling == j for r in rows) for j in JUDGEMENTS}
    published = sum(r.published for r in rows)
    text = [
        f"Publicatiepakket {matter}" + (f" (zaaknummer {zaaknummer})" if zaaknummer else ""),
        f"Gemaakt met woo-redact {__version__} op {now.date().isoformat()}.",
        "",
        "Dit pakket bevat de documenten die openbaar worden gemaakt op grond van de Wet open overheid (Woo),",
        "gelakt waar persoonsgegevens of andere uitzonderingsgronden dat vragen. Documenten die niet openbaar",
        "worden staan alleen in de inventaris, niet in dit pakket.",
        "",
        "Inhoud",
        f"  inventaris.xlsx, inventaris.csv  de inventarislijst (productierapport) van alle {len(rows)} documenten",
        "                                   met beoordeling, weigeringsgrond(en) en toelichting; het Woo-platform",
        "                                   (woo-web) leest inventaris.xlsx, de csv is voor eigen gebruik",
        f"  documents/<ID>-....pdf           de {published} gelakte documenten die openbaar worden; de naam begint",
        "                                   met het ID uit de inventaris",
        "  documents/<ID>.txt               de tekst van elk van die documenten; gelakte passages staan er als",
        "                                   [reden van de lakking]",
        "  metadata/<ID>.xml                de metadata van elk document volgens DiWoo 0.9.8",
    ]
    if base:
        text += [
            "  robots.txt, sitemaps/            voor de Woo-index (open.overheid.nl), informatiecategorie",
            f"                                   '{category['label']}'",
        ]
    text += [
        "  manifest.json                    alle bestanden met grootte en SHA-256-controlegetal",
        "",
        f"Beoordeling: {count[OPENBAAR]} openbaar, {count[DEELS_OPENBAAR]} deels openbaar, "
        f"{count[NIET_OPENBAAR]} niet openbaar.",
        "",
        "Publiceren",
        "- Woo-platform van VWS: upload inventaris.xlsx als productierapport en daarna de PDF's uit documents/.",
    ]
    if base:
        text += [
            f"- Eigen website: zet de inhoud van deze map online op {base}/ . De Woo-index haalt de documenten",
            "  op via robots.txt en " + ", ".join(index_names) + ".",
        ]
        parts = urllib.parse.urlsplit(base)
        if parts.path.strip("/"):
            root = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
            text += [
                f"  Let op: de Woo-index leest alleen {root} (robots.txt in de hoofdmap van de",
                f"  website), niet {base}/robots.txt. Zet deze regel(s) in {root}:",
            ] + [f"    Sitemap: {base}/{name}" for name in sorted(index_names)]
    else:
        text += ["- Zonder basis-URL (--base-url) bevat dit pakket geen robots.txt en sitemaps voor de Woo-index."]
    text += [
        "- GPP-publicatiebank (woo-redact publish --gpp): de publicatiebank verwijdert de metadata uit elk",
        "  bestand; het SHA-256-controlegetal van een gedownload document wijkt daarom af van manifest.json,",
        "  de tekst is dezelfde.",
        "- Controleer voor publicatie dat niets is veranderd: elk bestand moet de SHA-256 uit manifest.json",
        "  hebben.",
    ]
    return "\n".join(text) + "\n"
