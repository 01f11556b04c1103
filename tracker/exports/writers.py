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
from openpyxl.utils import get_column_letter

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


# Column widths, in characters: from the header and the first rows, within these bounds.
NARROWEST, WIDEST, SAMPLED_ROWS = 8, 60, 500


def _width(value: Any) -> int:
    if isinstance(value, datetime):
        return 16  # yyyy-mm-dd hh:mm
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def _column_widths(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    widths = [_width(text) + 2 for text in header]  # room for the auto-filter's button
    for row in rows[:SAMPLED_ROWS]:
        for index, value in enumerate(row):
            if value is not None and index < len(widths):
                widths[index] = max(widths[index], _width(value))
    return [min(max(width + 1, NARROWEST), WIDEST) for width in widths]


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """An Excel workbook: per sheet, a bold header row, frozen and with an auto-filter,
    columns as wide as their contents (within bounds), dates stored as dates."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(_excel_title(title, used))
        # A write-only sheet writes its widths and frozen rows with the first row: set first.
        for index, width in enumerate(_column_widths(header, rows), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        header_cells = []
        for text in header:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([_xlsx_value(sheet, v) for v in row])
        if header:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
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
