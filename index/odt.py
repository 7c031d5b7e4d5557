"""Read an ODT (OpenDocument text) into rows of cells for the one parser, from its content.xml directly.

Each table row becomes a row (a merged cell's text in its first column, covered cells empty; the
paragraphs of a cell joined by spaces, as a text export joins lines); each paragraph, heading or
list item outside the tables becomes a one-cell row, in document order. A paragraph set in from
the margin (its style's left margin, or a nested list) is marked as indented (a nested note item).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from index.rows import SPACE, SourceRow
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


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


P, H, LIST, ITEM, HEADER_ITEM = _q("text:p"), _q("text:h"), _q("text:list"), _q("text:list-item"), _q("text:list-header")
SPACE_EL, TAB, BREAK = _q("text:s"), _q("text:tab"), _q("text:line-break")
TABLE, ROW, CELL, COVERED = _q("table:table"), _q("table:table-row"), _q("table:table-cell"), _q("table:covered-table-cell")
ROW_GROUPS = {_q("table:table-header-rows"), _q("table:table-rows"), _q("table:table-row-group")}
SECTIONS = {_q("text:section"), _q("text:soft-page-break")}


def odt_rows(path: Path) -> list[SourceRow]:
    """The rows of an ODT; an ODT that cannot be read raises ParseError naming the file."""
    from index.parse import ParseError, check_size

    check_size(path)
    root = _content(path)
    body = root.find("office:body/office:text", NS)
    if body is None:
        raise ParseError(path.name, t("documents.damaged_odt"))
    reader = _Reader(_indented_styles(root))
    reader.block(body, depth=0)
    return reader.rows


def _content(path: Path) -> ElementTree.Element:
    from index.parse import ParseError

    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("content.xml")
            if info.file_size > MAX_CONTENT_BYTES:
                raise ParseError(path.name, t("documents.too_large", size=info.file_size, limit=MAX_CONTENT_BYTES))
            return ElementTree.fromstring(archive.read(info))
    except ParseError:
        raise
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, EOFError, ValueError) as e:
        raise ParseError(path.name, t("documents.damaged_odt")) from e


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

    def add(self, cells: list[str], indent: bool = False) -> None:
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
            repeat = min(int(row.get(_q("table:number-rows-repeated"), "1")), MAX_REPEAT)
            cells = _row_cells(row)
            if not any(cells):
                repeat = 1
            for _ in range(repeat):
                self.add(list(cells))


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
        repeat = min(int(cell.get(_q("table:number-columns-repeated"), "1")), MAX_REPEAT)
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
            parts.append(SPACE * int(child.get(_q("text:c"), "1")))
        elif child.tag in (TAB, BREAK):
            parts.append(SPACE)
        elif child.tag not in (P, H, LIST):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts).strip()
