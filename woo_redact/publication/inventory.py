"""The inventory of every input (inventaris.xlsx and .csv) in the productierapport format of the VWS Woo
platform."""
from __future__ import annotations

import csv
import re
import urllib.parse
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from .. import __version__
from .plan import BundleRow
from .redacted import name_has_secret, scrub

COLUMNS = ("ID", "Matter", "Family", "Email Thread ID", "Document", "File Type", "Datum", "Beoordeling",
           "Opgeschort", "Beoordelingsgrond", "Toelichting", "Publieke Link", "Gerelateerd ID", "Zaaknummer")


def _cell(value: str) -> str | None:
    """A value for the inventory: text that a spreadsheet cannot take for a formula."""
    if not value:
        return None
    return "'" + value if value[0] in "=+@\t\r" else value


def inventory_rows(rows: list[BundleRow], matter: str, pattern: re.Pattern | None,
                    every: Sequence[str], base: str | None = None, zaaknummer: str = "") -> list[list[str | None]]:
    out = []
    for r in rows:
        name = r.source
        if name_has_secret(name, every):  # a file name with a redacted name in it, however spelled
            name = f"{r.id}.pdf"
        day = r.meta.date.isoformat() if r.meta and r.meta.date else ""
        link = f"{base}/{urllib.parse.quote(r.pdf)}" if base and r.published and r.pdf else ""
        out.append([_cell(v) for v in (
            r.id, matter, r.family, "", name, r.file_type, day, r.beoordeling, "", ";".join(r.grounds),
            scrub(r.toelichting, pattern), link, r.related, zaaknummer)])
    return out


def write_xlsx(path: Path, table: list[list[str | None]], now: datetime) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for values in table:
        ws.append(values)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.value is not None:
                cell.data_type = "s"  # text, never a formula or a number
                cell.number_format = "@"
    widths = {"A": 16, "B": 14, "E": 40, "G": 12, "H": 16, "J": 20, "K": 60, "M": 16}
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.properties.creator = f"woo-redact {__version__}"
    wb.properties.created = wb.properties.modified = now.astimezone(timezone.utc).replace(tzinfo=None)
    wb.save(path)


def write_csv(path: Path, table: list[list[str | None]]) -> None:
    # no byte order mark: woo-web's CSV reader would take it for part of the "ID" header
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for values in table:
            writer.writerow(["" if v is None else v for v in values])
