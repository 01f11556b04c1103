"""Writing tables as CSV or Excel. A table is a list of sheets: (title, header, rows)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

Sheet = tuple[str, Sequence[str], Sequence[Sequence[Any]]]

# Spreadsheet programs run cells that start with these as formulas: CSV/formula injection.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        return _safe_text(value)
    return value


def to_csv(sheets: Sequence[Sheet], *, label_sheets: bool = True) -> bytes:
    """One CSV for all sheets; with several, a first column "List" names each row's sheet
    (unless ``label_sheets`` is false because the rows already say it).

    UTF-8 with a byte-order mark, so that spreadsheet programs read accents correctly.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    several = label_sheets and len(sheets) > 1
    header_written = False
    for title, header, rows in sheets:
        if not header_written:
            writer.writerow(([_("List")] if several else []) + list(header))
            header_written = True
        for row in rows:
            writer.writerow(([title] if several else []) + [_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _excel_title(title: str, used: set[str]) -> str:
    """Sheet names are limited to 31 characters without []:*?/\\ and must be unique."""
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title)[:31] or _("Sheet")
    name, n = clean, 2
    while name in used:
        suffix = f" ({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """An Excel workbook: a bold header row per sheet, dates stored as dates."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(_excel_title(title, used))
        header_cells = []
        for text in header:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append([_xlsx_value(sheet, v) for v in row])
    if not used:
        workbook.create_sheet(_excel_title(_("Empty"), used))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(sheet, value: Any) -> Any:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, str):
        return _safe_text(value)
    return value
