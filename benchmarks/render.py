"""Render a 職能基準 / 職能單元 text document as a PDF (reportlab) and an ODT (odfpy) in the official layout.

The official layout (DESIGN.md, "The official PDF layout"): the title, the version table and the
basic-information table on page 1, then the competency table whose header row is repeated on every
page, long rows split across pages (the continuation's duty, task and level cells blank), several
P or O items in one cell on their own lines; below it the attitudes (A) and 說明與補充事項.
A 職能單元 is a two-column table of label and content.

What is printed comes from the text document's rows: a page-break continuation row of the text is
joined to its row (the PDF makes its own page breaks), HTML fragments become paragraphs, the spaces
that line breaks left between CJK characters are dropped. Nothing else is changed, so the model
parsed from the PDF or ODT must equal the model parsed from the text.

Used by the tests (session fixtures render into a temporary folder) and the document benchmarks
(benchmarks/documents.py), so it lives here, where both may import it; never run at import time. Needs the dev dependencies reportlab, odfpy and justmytype-intl-cjk (the font).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from index import codes
from index.clean import squeeze
from index.parse import _NUMBERED, _SECTION
from index.rows import SourceRow, text_rows

FONT_NAME = "NotoSansTC"
FALLBACK_FONT = "NotoSansSC"  # for the few simplified characters the documents print (技术)
_BLOCK = re.compile(r"</?(?:p|ul|ol|li|br|div)\b[^>]*>", re.I)
_INLINE = re.compile(r"<[^>]*>")
_SUP = re.compile(r"\^\{([^}]*)\}")
_BULLET = re.compile(r"(?=■)")


# ---------------------------------------------------------------- the document's parts


@dataclass
class Layout:
    """What the official document prints, part by part (cells as lists of display lines)."""

    kind: str  # "standard" or "unit"
    title: str = ""
    versions: list[list[str]] = field(default_factory=list)  # header row first
    meta: list[list[str]] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[list[str]]] = field(default_factory=list)  # competency (or unit) rows: cells of lines
    attitude_heading: str = ""
    attitudes: list[str] = field(default_factory=list)
    notes_heading: str = ""
    notes: list[tuple[str, bool]] = field(default_factory=list)  # (paragraph, nested)
    history_heading: str = ""
    history: list[str] = field(default_factory=list)


def display(raw: str, *patterns: re.Pattern[str]) -> list[str]:
    """A cell's text as printed lines: one per HTML paragraph and per coded item (or ■ point)."""
    lines = []
    for block in _BLOCK.split(_SUP.sub(r"\1", raw)):
        text = _INLINE.sub("", block).replace("**", "")
        for piece in _split_before(text, patterns):
            piece = squeeze(piece)
            if piece and piece != "-":
                lines.append(piece)
    return lines


def _split_before(text: str, patterns: tuple[re.Pattern[str], ...]) -> list[str]:
    cuts = sorted({m.start(1) if p.groups else m.start() for p in patterns for m in p.finditer(text)} - {0})
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]


def _label(cell: str) -> str:
    return re.sub(r"\s+", "", cell)


def read_layout(path: Path) -> Layout:
    rows = [r for r in text_rows(path.read_text("utf-8").split("\n"))]
    if any(_label(r.cells[0]) == "職能單元代碼" for r in rows):
        return _unit_layout(rows)
    return _standard_layout(rows)


def _standard_layout(rows: list[SourceRow]) -> Layout:
    out = Layout("standard")
    mode = "title"
    logical: list[list[str]] = []
    for row in rows:
        cells = [c.strip() for c in row.cells]
        label = _label(cells[0])
        if not row.text.strip():
            continue
        if label.startswith("職能內涵(A=attitude"):
            mode, out.attitude_heading = "attitudes", cells[0]
        elif label == "說明與補充事項":
            mode, out.notes_heading = "notes", cells[0]
        elif "行為指標" in {_label(c) for c in cells} and "工作產出" in {_label(c) for c in cells}:
            mode, out.header = "table", [squeeze(c) for c in cells]
        elif mode == "title":
            out.title, mode = squeeze(row.text), "meta"
        elif mode == "meta":
            target = out.versions if label == "版本" or re.fullmatch(r"V\d+", label) else out.meta
            target.append([squeeze(c) for c in cells])
        elif mode == "table":
            cells = (cells + [""] * 7)[:7]
            # a row printing its own level is a block of the task above (its own row), not a page-break continuation
            if codes.CELL_DUTY.match(cells[0]) or codes.CELL_TASK.match(cells[1]) or cells[4] or not logical:
                logical.append(cells)
            else:
                logical[-1] = [f"{a} {b}".strip() for a, b in zip(logical[-1], cells, strict=True)]
        elif mode == "attitudes":
            out.attitudes += display(re.sub(r"^\s*-\s*", "", row.text), codes.CELL_A)
        else:
            nested = row.text[:1] in (" ", "\t")
            out.notes += [(line, nested) for line in display(row.text)]
    item = codes.CELL_INDICATOR_OR_OUTPUT
    patterns = ((), (), (item,), (item,), (), (codes.CELL_K, _BULLET), (codes.CELL_S, _BULLET))
    out.rows = [[display(c, *p) for c, p in zip(cells, patterns, strict=True)] for cells in logical]
    return out


def _unit_layout(rows: list[SourceRow]) -> Layout:
    out = Layout("unit")
    logical: list[list[str]] = []
    history = False
    for row in rows:
        label = _label(row.cells[0])
        if not row.text.strip() or set(label) <= {"-"} and len(row.cells) > 1 and set(row.cells[1].strip()) <= {"-"}:
            continue
        if label == "更新紀錄":
            history, out.history_heading = True, row.cells[0].strip()
        elif history:
            out.history.append(squeeze(row.text))
        elif label or not logical:
            logical.append([row.cells[0].strip(), "\t".join(row.cells[1:]).strip()])
        else:
            logical[-1][1] += " " + "\t".join(row.cells[1:]).strip()
    item_marks = (_NUMBERED, _SECTION, re.compile(rf"(?:^|\s)[{'一二三四五六七八九十'}]+、"))
    out.rows = [[[squeeze(label)], display(body, *item_marks)] for label, body in logical]
    return out


# ---------------------------------------------------------------- PDF


@dataclass(frozen=True)
class PdfStyle:
    """How a rendering varies: page, font size, column proportions, padding, page footers, spans."""

    page: tuple[float, float] = (595.27, 841.89)  # A4
    margin: float = 36
    font_size: float = 8.5
    leading: float = 1.35  # times the font size
    widths: tuple[float, ...] = (1.0, 1.1, 1.1, 2.4, 0.45, 1.3, 1.3)  # the competency table's proportions
    padding: float = 4
    footer: bool = True
    meta_spans: bool = False
    encrypt: str | None = None  # a user password
    rules: str = "grid"  # "grid", or "box-inner": a box and inner lines, which reportlab leaves out between the
    # header repeated on a page and a row continued there (so their texts share one ruled cell)
    merged_spans: bool = False  # the older layout's level, K and S as cells spanning each duty's rows
    one_paragraph: bool = False  # a cell's lines as one paragraph with line breaks, not a paragraph each
    header_fill: bool = True  # the header row shaded (its fill's edges read as lines, whatever rules are drawn)


VARIANTS = {
    "a4": PdfStyle(),
    "letter-wide-small": PdfStyle(page=(612, 792), font_size=7.5, widths=(0.8, 1.0, 1.4, 3.0, 0.4, 1.1, 1.1),
                                  padding=3, meta_spans=True),
    "a4-narrow-large": PdfStyle(font_size=10, leading=1.25, widths=(1.2, 1.2, 1.0, 1.6, 0.6, 1.6, 1.6),
                                padding=6, footer=False),
    "b5-tight": PdfStyle(page=(498.9, 708.66), margin=28, font_size=8, widths=(1.3, 1.0, 0.9, 2.0, 0.5, 1.0, 1.4),
                         padding=2, meta_spans=True),
    "a4-landscape": PdfStyle(page=(841.89, 595.27), font_size=9, widths=(1.0, 1.3, 1.2, 3.2, 0.5, 1.6, 1.6)),
    # a second style (issue 23 #10): rules drawn as a box and inner lines, narrow columns so that rows split
    # across pages (duty-wide spans are LibreOffice's part, tests/render_office.py: reportlab cannot split a
    # spanned row and prints its overflow below the table)
    "a4-boxed": PdfStyle(font_size=9, widths=(1.0, 1.0, 0.8, 1.6, 0.5, 1.4, 1.4), padding=3, rules="box-inner",
                         one_paragraph=True, header_fill=False),
}
MERGED_COLUMNS = (4, 5, 6)  # level, K and S: spanning a duty's rows in the older layout (工作任務 / 工作活動)


def register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_file("TC"))))
        pdfmetrics.registerFont(TTFont(FALLBACK_FONT, str(font_file("SC"))))
    return FONT_NAME


def font_file(script: str) -> Path:
    """Noto Sans TC (or SC) with TrueType outlines, from the PyPI package justmytype-intl-cjk (reportlab needs glyf)."""
    import justmytype_intl_cjk

    return next(Path(justmytype_intl_cjk.__file__).parent.rglob(f"NotoSans{script}*.ttf"))


def _covered_chars() -> set[int]:
    from reportlab.pdfbase import pdfmetrics

    return set(pdfmetrics.getFont(FONT_NAME).face.charToGlyph)


def render_pdf(layout: Layout, out: Path, style: PdfStyle = PdfStyle()) -> Path:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import SimpleDocTemplate, Spacer

    font = register_font()
    body = ParagraphStyle("body", fontName=font, fontSize=style.font_size, leading=style.font_size * style.leading,
                          wordWrap="CJK")
    parts = _Parts(style, body)
    story = [parts.para(layout.title, size=style.font_size * 1.6), Spacer(1, 6)]
    if layout.kind == "standard":
        if layout.versions:
            story += [parts.table(layout.versions, None, header=True), Spacer(1, 8)]
        story += [parts.table(layout.meta, None, spans=style.meta_spans), Spacer(1, 8)]
        if style.merged_spans and "工作活動" in layout.header:
            rows = merged_rows(layout)
            spans = [("SPAN", (col, r + 1), (col, r + span)) for r, (_, span) in enumerate(rows) if span > 1
                     for col in MERGED_COLUMNS]
            story.append(parts.table([[[h] for h in layout.header], *(cells for cells, _ in rows)], style.widths,
                                     header=True, lines=True, extra=spans))
        else:
            story.append(parts.table([[[h] for h in layout.header], *layout.rows], style.widths, header=True,
                                     lines=True))
        story += [Spacer(1, 10), parts.para(layout.attitude_heading, size=style.font_size * 1.2)]
        story += [parts.para(a) for a in layout.attitudes]
        story += [Spacer(1, 10), parts.para(layout.notes_heading, size=style.font_size * 1.2)]
        story += [parts.para(text, indent=nested) for text, nested in layout.notes]
    else:
        story.append(parts.table(layout.rows, (1.0, 4.0), lines=True))
    if layout.history_heading:
        story += [Spacer(1, 10), parts.para(layout.history_heading, size=style.font_size * 1.2)]
        story += [parts.para(h) for h in layout.history]
    kwargs = {}
    if style.encrypt:
        from reportlab.lib.pdfencrypt import StandardEncryption

        kwargs["encrypt"] = StandardEncryption(style.encrypt, canPrint=1)
    doc = SimpleDocTemplate(str(out), pagesize=style.page, leftMargin=style.margin, rightMargin=style.margin,
                            topMargin=style.margin, bottomMargin=style.margin + 10, **kwargs)
    footer = _footer(font) if style.footer else (lambda canvas, doc: None)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out


def _footer(font: str):  # type: ignore[no-untyped-def]
    def draw(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawCentredString(doc.pagesize[0] / 2, 20, f"第 {doc.page} 頁")
        canvas.restoreState()

    return draw


class _Parts:
    def __init__(self, style: PdfStyle, body) -> None:  # type: ignore[no-untyped-def]
        self.style, self.body = style, body

    def para(self, text: str, size: float | None = None, indent: bool = False):  # type: ignore[no-untyped-def]
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import Paragraph

        st = self.body
        if size or indent:
            size = size or st.fontSize
            st = ParagraphStyle("p", parent=st, fontSize=size, leading=size * self.style.leading,
                                leftIndent=2 * size if indent else 0, spaceBefore=2)
        return Paragraph(_xml(text), st)

    def table(self, rows, proportions, header=False, lines=False, spans=False, extra=()):  # type: ignore[no-untyped-def]
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        ncols = max(len(r) for r in rows)
        cells = [[self._cell(c, lines) for c in (list(r) + [""] * ncols)[:ncols]] for r in rows]
        avail = self.style.page[0] - 2 * self.style.margin
        props = proportions or [1.0] * ncols
        widths = [avail * p / sum(props) for p in props]
        rules = [("GRID", (0, 0), (-1, -1), 0.5, colors.black)] if self.style.rules == "grid" else [
            ("BOX", (0, 0), (-1, -1), 0.5, colors.black), ("INNERGRID", (0, 0), (-1, -1), 0.5, colors.black)]
        commands = [
            *rules,
            *extra,
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
        ] + [(f"{side}PADDING", (0, 0), (-1, -1), self.style.padding) for side in ("LEFT", "RIGHT", "TOP", "BOTTOM")]
        if header and self.style.header_fill:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")))
        if spans:
            commands += _spans(rows, ncols)
        table = Table(cells, colWidths=widths, repeatRows=1 if header else 0, splitInRow=1)
        table.setStyle(TableStyle(commands))
        return table

    def _cell(self, content, lines: bool):  # type: ignore[no-untyped-def]
        texts = [x for x in (content if isinstance(content, list) else [content]) if x]
        if self.style.one_paragraph and texts:  # the cell's lines as one paragraph with line breaks
            from reportlab.platypus import Paragraph

            return [Paragraph("<br/>".join(_xml(x) for x in texts), self.body)]
        return [self.para(x) for x in texts]


def merged_rows(layout: Layout) -> list[tuple[list[list[str]], int]]:
    """The competency rows with each duty's level, K and S gathered into its first row: (cells, rows spanned; 0 for
    the rows a span covers)."""
    out: list[tuple[list[list[str]], int]] = []
    first = 0
    for row in layout.rows:
        if row[0] or not out:
            first = len(out)
            out.append(([list(c) for c in row], 1))
            continue
        cells, span = out[first]
        for col in MERGED_COLUMNS:
            cells[col] += row[col]
        out[first] = (cells, span + 1)
        out.append(([list(c) if col not in MERGED_COLUMNS else [] for col, c in enumerate(row)], 0))
    return out


def _spans(rows: list[list[str]], ncols: int) -> list[tuple]:
    """Merge each empty cell into the filled cell on its left, as the official basic-information table does."""
    commands = []
    for r, row in enumerate(rows):
        row = (list(row) + [""] * ncols)[:ncols]
        start = 0
        for c in range(1, ncols + 1):
            if c == ncols or row[c]:
                if c - 1 > start and row[start]:
                    commands.append(("SPAN", (start, r), (c - 1, r)))
                start = c
    return commands


def _xml(text: str) -> str:
    covered = _covered_chars()
    out = []
    for ch in text:
        escaped = ch.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        out.append(escaped if ord(ch) in covered or ch.isspace() else f'<font name="{FALLBACK_FONT}">{escaped}</font>')
    return "".join(out)


# ---------------------------------------------------------------- ODT


def render_odt(layout: Layout, out: Path) -> Path:
    from odf.opendocument import OpenDocumentText
    from odf.style import ParagraphProperties, Style, TableColumnProperties
    from odf.table import Table, TableColumn, TableRow
    from odf.text import H, P

    doc = OpenDocumentText()
    nested = Style(name="Nested", family="paragraph")
    nested.addElement(ParagraphProperties(marginleft="0.8cm"))
    doc.automaticstyles.addElement(nested)
    column = Style(name="Col", family="table-column")
    column.addElement(TableColumnProperties(columnwidth="2cm"))
    doc.automaticstyles.addElement(column)
    text = doc.text
    text.addElement(H(outlinelevel=1, text=layout.title))
    odt = _OdtTables(Table, TableColumn, TableRow, column)
    if layout.kind == "standard":
        if layout.versions:
            text.addElement(odt.table(layout.versions, header=True))
        text.addElement(odt.table(layout.meta))
        text.addElement(odt.table([[[h] for h in layout.header], *layout.rows], header=True))
        text.addElement(H(outlinelevel=2, text=layout.attitude_heading))
        for a in layout.attitudes:
            text.addElement(P(text=a))
        text.addElement(H(outlinelevel=2, text=layout.notes_heading))
        for para, is_nested in layout.notes:
            text.addElement(P(stylename=nested, text=para) if is_nested else P(text=para))
    else:
        text.addElement(odt.table(layout.rows))
    if layout.history_heading:
        text.addElement(H(outlinelevel=2, text=layout.history_heading))
        for h in layout.history:
            text.addElement(P(text=h))
    doc.save(str(out))
    return out


class _OdtTables:
    def __init__(self, table, column, row, column_style) -> None:  # type: ignore[no-untyped-def]
        self.Table, self.Column, self.Row, self.column_style = table, column, row, column_style

    def table(self, rows, header: bool = False):  # type: ignore[no-untyped-def]
        from odf.table import TableHeaderRows

        ncols = max(len(r) for r in rows)
        table = self.Table()
        table.addElement(self.Column(numbercolumnsrepeated=ncols, stylename=self.column_style))
        body = rows
        if header:
            head = TableHeaderRows()
            head.addElement(self._row(rows[0], ncols))
            table.addElement(head)
            body = rows[1:]
        for r in body:
            table.addElement(self._row(r, ncols))
        return table

    def _row(self, cells, ncols: int):  # type: ignore[no-untyped-def]
        from odf.table import TableCell
        from odf.text import P

        row = self.Row()
        for content in (list(cells) + [""] * ncols)[:ncols]:
            cell = TableCell(valuetype="string")
            for line in content if isinstance(content, list) else [content]:
                if line:
                    cell.addElement(P(text=line))
            row.addElement(cell)
        return row


# ---------------------------------------------------------------- both


def render(text_path: Path, folder: Path, style: PdfStyle = PdfStyle(), stem: str | None = None) -> tuple[Path, Path]:
    """The PDF and ODT renderings of one text document, written into `folder`."""
    layout = read_layout(text_path)
    stem = stem or text_path.stem
    return render_pdf(layout, folder / f"{stem}.pdf", style), render_odt(layout, folder / f"{stem}.odt")


def with_style(**changes: object) -> PdfStyle:
    return replace(PdfStyle(), **changes)  # type: ignore[arg-type]
