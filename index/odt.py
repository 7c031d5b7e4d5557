"""Read an ODT (OpenDocument text) into rows of cells for the one parser, from its content.xml directly.

Each table row becomes a row (a merged cell's text in its first column, covered cells empty; the
paragraphs of a cell joined by spaces, as a text export joins lines); each paragraph, heading or
list item outside the tables becomes a one-cell row, in document order. A paragraph set in from
the margin (its style's left margin, or a nested list) is marked as indented (a nested note item).

A small ODT can ask for far more than its size (issue 23 #5: 95 KB unpacking to millions of elements,
rows repeated into gigabytes of text, lists nested 100,000 deep), so content.xml is read as a stream
under budgets: elements, nesting depth, rows and characters of text. Past any of them the file is
refused with a message saying which; an official document uses a small part of each.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from index.rows import SPACE, ParseError, SourceRow, check_size
from prompts import t

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
}
MAX_CONTENT_BYTES = 50_000_000  # content.xml unpacked: a zip bomb is refused before it is inflated
MAX_REPEAT = 64  # repeated rows or columns taken at most this often (an empty row repeated 1,048,576 times)
MAX_ELEMENTS = 200_000  # XML elements in content.xml (INM3513-005, 35 tasks, saved by LibreOffice: ~1,000)
MAX_DEPTH = 100  # elements nested inside each other (the same: 8 deep)
MAX_ROWS = 50_000  # rows read out, repeats counted (the longest shipped document has ~400)
MAX_TEXT = 5_000_000  # characters of text read out, repeats counted (the longest shipped document has ~60,000)
MAX_SPACES = 1_000  # <text:s text:c="n"/> taken as at most this many spaces


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


P, H, LIST, ITEM, HEADER_ITEM = _q("text:p"), _q("text:h"), _q("text:list"), _q("text:list-item"), _q("text:list-header")
SPACE_EL, TAB, BREAK = _q("text:s"), _q("text:tab"), _q("text:line-break")
TABLE, ROW, CELL, COVERED = _q("table:table"), _q("table:table-row"), _q("table:table-cell"), _q("table:covered-table-cell")
ROW_GROUPS = {_q("table:table-header-rows"), _q("table:table-rows"), _q("table:table-row-group")}
SECTIONS = {_q("text:section"), _q("text:soft-page-break")}


class OverBudget(Exception):
    """The document asks for more than a budget allows; the message says which (a documents.* text)."""


def odt_rows(path: Path) -> list[SourceRow]:
    """The rows of an ODT; an ODT that cannot be read raises ParseError naming the file."""
    check_size(path)
    try:
        root = _content(path)
        body = root.find("office:body/office:text", NS)
        if body is None:
            raise ParseError(path.name, t("documents.damaged_odt"))
        reader = _Reader(_indented_styles(root))
        reader.block(body, depth=0)
    except OverBudget as e:
        raise ParseError(path.name, str(e)) from None
    return reader.rows


def _content(path: Path) -> ElementTree.Element:
    """content.xml's tree, built from a stream of the unpacked bytes under the element and depth budgets."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("content.xml")
            if info.file_size > MAX_CONTENT_BYTES:
                raise ParseError(path.name, t("documents.too_large", size=info.file_size, limit=MAX_CONTENT_BYTES))
            with archive.open(info) as stream:
                return _budgeted_tree(_Capped(stream, MAX_CONTENT_BYTES))
    except (ParseError, OverBudget):
        raise
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, EOFError, ValueError) as e:
        raise ParseError(path.name, t("documents.damaged_odt")) from e


class _Capped:
    """A stream that refuses to give more than `limit` bytes (a zip entry may lie about its size)."""

    def __init__(self, stream, limit: int) -> None:  # type: ignore[no-untyped-def]
        self.stream, self.left, self.limit = stream, limit, limit

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(min(size, self.left + 1) if size >= 0 else self.left + 1)
        self.left -= len(data)
        if self.left < 0:
            raise OverBudget(t("documents.too_large", size=f"> {self.limit}", limit=self.limit))
        return data


def _budgeted_tree(stream) -> ElementTree.Element:  # type: ignore[no-untyped-def]
    depth = elements = 0
    root = None
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        root = element if root is None else root
        depth, elements = depth + 1, elements + 1
        if depth > MAX_DEPTH:
            raise OverBudget(t("documents.too_deep", limit=MAX_DEPTH))
        if elements > MAX_ELEMENTS:
            raise OverBudget(t("documents.too_many_elements", limit=MAX_ELEMENTS))
    if root is None:
        raise ValueError("no XML")
    return root


def _indented_styles(root: ElementTree.Element) -> set[str]:
    """Names of the paragraph styles that set text in from the left margin."""
    out = set()
    for style in root.iterfind("office:automatic-styles/style:style", NS):
        props = style.find("style:paragraph-properties", NS)
        margin = props.get(_q("fo:margin-left"), "0") if props is not None else "0"
        if _length(margin) > 0.1:
            out.add(style.get(_q("style:name"), ""))
    return out


def _length(value: str) -> float:
    m = re.match(r"([\d.]+)\s*(cm|mm|in|pt)?", value)
    if not m:
        return 0.0
    return float(m.group(1)) * {"cm": 1.0, "mm": 0.1, "in": 2.54, "pt": 0.0353}.get(m.group(2) or "cm", 1.0)


class _Reader:
    def __init__(self, indented: set[str]) -> None:
        self.indented = indented
        self.rows: list[SourceRow] = []
        self.text = 0  # characters read out so far

    def add(self, cells: list[str], indent: bool = False) -> None:
        self.text += sum(map(len, cells))
        if len(self.rows) >= MAX_ROWS:
            raise OverBudget(t("documents.too_many_rows", limit=MAX_ROWS))
        if self.text > MAX_TEXT:
            raise OverBudget(t("documents.too_much_text", limit=MAX_TEXT))
        self.rows.append(SourceRow(cells, len(self.rows) + 1, indent=indent))

    def block(self, element: ElementTree.Element, depth: int) -> None:
        for child in element:
            if child.tag in (P, H):
                style = child.get(_q("text:style-name"), "")
                self.add([_text(child)], indent=depth > 1 or style in self.indented)
            elif child.tag == LIST:
                self.block(child, depth + 1)
            elif child.tag in (ITEM, HEADER_ITEM) or child.tag in SECTIONS:
                self.block(child, depth)
            elif child.tag == TABLE:
                self.table(child)

    def table(self, table: ElementTree.Element) -> None:
        for row in _table_rows(table):
            repeat = _repeat(row.get(_q("table:number-rows-repeated")))
            cells = _row_cells(row)
            if not any(cells):
                repeat = 1
            for _ in range(repeat):
                self.add(list(cells))


def _repeat(value: str | None) -> int:
    return _number(value, MAX_REPEAT)


def _number(value: str | None, limit: int) -> int:
    """A count attribute (repeats, spaces): 1 when missing or not a positive number, at most `limit`."""
    try:
        return max(1, min(int(value or "1"), limit))
    except ValueError:
        return 1


def _table_rows(table: ElementTree.Element) -> list[ElementTree.Element]:
    rows = []
    for child in table:
        if child.tag == ROW:
            rows.append(child)
        elif child.tag in ROW_GROUPS:
            rows += _table_rows(child)
    return rows


def _row_cells(row: ElementTree.Element) -> list[str]:
    cells: list[str] = []
    for cell in row:
        if cell.tag not in (CELL, COVERED):
            continue
        repeat = _repeat(cell.get(_q("table:number-columns-repeated")))
        text = "" if cell.tag == COVERED else SPACE.join(
            p for p in (_text(el) for el in cell.iter() if el.tag in (P, H)) if p
        )
        cells += [text] + [""] * (repeat - 1) if text else [""] * repeat
    while cells and not cells[-1]:
        cells.pop()
    return cells or [""]


def _text(element: ElementTree.Element) -> str:
    """A paragraph's text: spans read through, <text:s c=n/> as n spaces, tabs and line breaks as spaces."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == SPACE_EL:
            parts.append(SPACE * _number(child.get(_q("text:c")), MAX_SPACES))
        elif child.tag in (TAB, BREAK):
            parts.append(SPACE)
        elif child.tag not in (P, H, LIST):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts).strip()
