"""A second, independent rendering of the documents: an ODT laid out as an office suite lays the official
documents out, turned into a PDF by LibreOffice (issue 23 #10).

Unlike benchmarks/render.py (reportlab draws every page itself), here LibreOffice Writer makes the pages: ruled
cells with their own borders, the header row repeated at the top of each page (table:table-header-rows),
rows allowed to break across pages, and in the older layout (工作任務 / 工作活動) 職能級別, K and S as cells
spanning every row of a duty (table:number-rows-spanned), which continue over several pages.

Rendering needs LibreOffice (Debian's libreoffice-writer-nogui), which the test machine does not have; the
PDFs it makes are kept in tests/documents/office/ and made again with

    .venv/bin/python -m tests.render_office            # writes tests/documents/office/*.pdf (FIXTURES)

What is printed comes from the text documents through benchmarks/render.py's Layout, as for the reportlab PDFs,
so the model parsed from these PDFs must equal the model parsed from the text.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.render import MERGED_COLUMNS, Layout, merged_rows, read_layout

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "documents" / "office"


@dataclass(frozen=True)
class OfficeStyle:
    page: tuple[str, str] = ("21cm", "29.7cm")
    margin: str = "1.5cm"
    font_size: str = "9pt"
    widths: tuple[float, ...] = (1.1, 1.2, 1.0, 2.2, 0.6, 1.6, 1.6)  # the competency table, narrow enough to wrap
    # each cell's own borders: all four, or top and sides only (as many templates do: a row broken by a page
    # then has no line between the repeated header and its continuation)
    borders: str = "all"


def render_office_odt(layout: Layout, out: Path, style: OfficeStyle = OfficeStyle()) -> Path:
    from odf.opendocument import OpenDocumentText
    from odf.style import (
        MasterPage,
        PageLayout,
        PageLayoutProperties,
        ParagraphProperties,
        Style,
        TableCellProperties,
        TableColumnProperties,
        TableProperties,
        TextProperties,
    )
    from odf.text import H, P

    doc = OpenDocumentText()
    page = PageLayout(name="Page")
    page.addElement(PageLayoutProperties(pagewidth=style.page[0], pageheight=style.page[1], margin=style.margin))
    doc.automaticstyles.addElement(page)
    doc.masterstyles.addElement(MasterPage(name="Standard", pagelayoutname=page))
    body = Style(name="Body", family="paragraph")
    body.addElement(TextProperties(fontsize=style.font_size, fontsizeasian=style.font_size))
    body.addElement(ParagraphProperties(margintop="0cm", marginbottom="0cm"))
    doc.styles.addElement(body)
    nested = Style(name="Nested", family="paragraph", parentstylename=body)
    nested.addElement(ParagraphProperties(marginleft="0.8cm"))
    doc.automaticstyles.addElement(nested)
    cell = Style(name="Cell", family="table-cell")
    line = "0.5pt solid #000000"
    sides = {"border": line} if style.borders == "all" else {
        "bordertop": line, "borderleft": line, "borderright": line, "borderbottom": "none"}
    cell.addElement(TableCellProperties(padding="0.1cm", **sides))
    doc.automaticstyles.addElement(cell)
    full = Style(name="Full", family="table")
    full.addElement(TableProperties(width="18cm", align="margins"))
    doc.automaticstyles.addElement(full)
    columns = []
    for n, share in enumerate(style.widths):
        column = Style(name=f"C{n}", family="table-column")
        column.addElement(TableColumnProperties(columnwidth=f"{18 * share / sum(style.widths):.2f}cm"))
        doc.automaticstyles.addElement(column)
        columns.append(column)
    tables = _Tables(body, cell, full)
    doc.text.addElement(H(outlinelevel=1, text=layout.title))
    if layout.kind == "standard":
        if layout.versions:
            doc.text.addElement(tables.table([[[c] for c in r] for r in layout.versions], header=True))
        doc.text.addElement(tables.table([[[c] for c in r] for r in layout.meta]))
        merged = "工作活動" in layout.header
        rows = merged_rows(layout) if merged else [(r, 1) for r in layout.rows]
        doc.text.addElement(tables.table([[[h] for h in layout.header]], header=True, columns=columns, rows=rows))
        doc.text.addElement(H(outlinelevel=2, text=layout.attitude_heading))
        for a in layout.attitudes:
            doc.text.addElement(P(stylename=body, text=a))
        doc.text.addElement(H(outlinelevel=2, text=layout.notes_heading))
        for para, is_nested in layout.notes:
            doc.text.addElement(P(stylename=nested if is_nested else body, text=para))
    else:
        doc.text.addElement(tables.table(layout.rows))
    if layout.history_heading:
        doc.text.addElement(H(outlinelevel=2, text=layout.history_heading))
        for h in layout.history:
            doc.text.addElement(P(stylename=body, text=h))
    doc.save(str(out))
    return out


class _Tables:
    def __init__(self, body, cell, full) -> None:  # type: ignore[no-untyped-def]
        self.body, self.cell, self.full = body, cell, full

    def table(self, head, header: bool = False, columns=None, rows=None):  # type: ignore[no-untyped-def]
        """head: rows of cells (lists of lines); with `rows` (cells, rows spanned) the first of head is the header."""
        from odf.table import Table, TableColumn, TableHeaderRows

        width = max(len(r) for r in head + [r for r, _ in rows or []])
        table = Table(stylename=self.full)
        for n in range(width):
            table.addElement(TableColumn(stylename=columns[n]) if columns else TableColumn())
        body = list(head)
        if header:
            group = TableHeaderRows()
            group.addElement(self._row(body.pop(0), width))
            table.addElement(group)
        for cells in body:
            table.addElement(self._row(cells, width))
        for cells, span in rows or []:
            table.addElement(self._row(cells, width, span))
        return table

    def _row(self, cells, width: int, span: int = 1):  # type: ignore[no-untyped-def]
        from odf.table import CoveredTableCell, TableCell, TableRow
        from odf.text import P

        row = TableRow()
        for col, lines in enumerate((list(cells) + [[]] * width)[:width]):
            if span == 0 and col in MERGED_COLUMNS:
                row.addElement(CoveredTableCell())
                continue
            extra = {"numberrowsspanned": span} if span > 1 and col in MERGED_COLUMNS else {}
            cell = TableCell(valuetype="string", stylename=self.cell, **extra)
            for line in lines if isinstance(lines, list) else [lines]:
                if line:
                    cell.addElement(P(stylename=self.body, text=line))
            row.addElement(cell)
        return row


def to_pdf(odt: Path, folder: Path) -> Path:
    """LibreOffice's PDF of the ODT (soffice --headless --convert-to pdf)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice is needed: apt-get install libreoffice-writer-nogui fonts-wqy-zenhei")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(folder), str(odt)], check=True, capture_output=True, timeout=300)
    return folder / f"{odt.stem}.pdf"


FIXTURES = {  # kept in tests/documents/office: the older layout in both border styles, the newer one, a unit
    "INM3513-005-all": ("INM3513-005", OfficeStyle()),
    "INM3513-005-top": ("INM3513-005", OfficeStyle(borders="top")),
    "ISD3512-001v3-all": ("ISD3512-001v3", OfficeStyle()),
    "IIS4R0751v2-all": ("IIS4R0751v2", OfficeStyle()),
}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    texts = {p.name.split("_")[0]: p for p in (ROOT / "data" / "standards").glob("*.txt")}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (code, style) in FIXTURES.items():
            odt = render_office_odt(read_layout(texts[code]), Path(tmp) / f"{name}.odt", style)
            pdf = shutil.copy(to_pdf(odt, Path(tmp)), OUT / f"{name}.pdf")
            print(f"{pdf}: {Path(pdf).stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
