"""Cells of every exported table (CSV files today, workbooks too), safe to open in a spreadsheet.

A cell that starts with = + - @ a tab or a carriage return would be run as a formula by
Excel, LibreOffice or Google Sheets (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`). OWASP's rule for
CSV injection: give such a cell a leading apostrophe so it is shown as text; real numbers
(and text that is only a number, such as "-12.5") are kept as they are.

Every exporter writes its cells through `safe_cell` (or `safe_row`): `csv_bytes` here for CSV,
and a workbook writer the same way, cell by cell, e.g. `sheet.append(safe_row(row))`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """The value as a cell that is never a formula: numbers kept, None as "", text neutralised."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):  # bool is an int: kept too
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return NEUTRALISER + text
    return text


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


def csv_bytes(header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> bytes:
    """A CSV file of safe cells, UTF-8 with a byte-order mark (spreadsheets then read the Chinese text).

    Text cells are quoted, numbers are not: a spreadsheet that splits cells at ';' (some locales)
    still reads `a;=1+1` as one text cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(safe_row(header))
    writer.writerows(safe_row(row) for row in rows)
    return buffer.getvalue().encode("utf-8-sig")
