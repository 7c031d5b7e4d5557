"""Read a PDF (the official layout of a 職能基準 / 職能單元) into rows of cells for the one parser.

pypdfium2 gives each character with its box and each ruled line of the tables; the cells are the
rectangles the ruling lines close (a merged cell is one rectangle: its text goes to its first
column, as a text export leaves the others empty). Characters are grouped into lines, lines of a
cell are joined into the cell's text (see `Joiner`), and every table row and every paragraph
outside the tables becomes one row, in reading order, page by page. Page numbers printed in the
margins of every page are left out.

pdfplumber reads the same tables but takes ~0.25 s a page (pdfminer interprets every character
in Python), PyMuPDF's table finder ~1.8 s a page here; pdfium is ~0.01 s a page.

A small PDF can ask for far more than its size (issue 23 #5: 8.6 KB of 150 x 150 ruling lines, one page
named 100,000 times in a 600 KB page tree), so reading has budgets: pages, characters, path segments and
line crossings per page. Past one the file is refused, naming the page; an official document uses a small
part of each.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from index import codes
from index.clean import CJK, squeeze
from index.rows import SPACE, ParseError, SourceRow, check_size
from prompts import t

log = logging.getLogger(__name__)

SNAP = 1.5  # points: ruling lines this close are one line
_IDEOGRAPHS = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_IDEOGRAPH = re.compile(_IDEOGRAPHS)
_IS_CJK = re.compile(rf"[{CJK}]")
_CJK_BRACKETS = "《〈「『【（》〉」』】）"
_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?![A-Za-z0-9])")
# a line that starts an item of its own: a code, a bullet, a numbered or 一、 item, a note mark
_STARTS_ITEM = re.compile(rf"^(?:{codes.LINE_ITEM_START}|[■•●◆▪]|[-‧・]\s|\d+\.\s|[一二三四五六七八九十]+、|{codes.NOTE_REF.pattern})")
MAX_PAGES = 500  # an official standard has 10-60 pages
MAX_GLYPHS_PAGE = 40_000  # characters on one page (a dense A4 page at 7 pt holds ~12,000)
MAX_GLYPHS = 2_000_000  # characters in the whole document
MAX_SEGMENTS_PAGE = 20_000  # path segments on one page (a table drawn cell by cell: ~2,000)
MAX_CROSSINGS_PAGE = 6_000  # crossings of horizontal and vertical lines on one page (a table page: ~400)
_FURNITURE = re.compile(r"^[#\s\-–—/|.第頁共Pageof]*#[#\s\-–—/|.第頁共Pageof]*$")


def pdf_rows(path: Path) -> list[SourceRow]:
    """The rows of a PDF; a PDF that cannot be read raises ParseError naming the file (and page)."""
    check_size(path)
    pages = _read_pages(path)
    if not any(p.glyphs for p in pages):
        raise ParseError(path.name, t("documents.no_text_layer"), page=1)
    unmapped = next((p for p in pages if p.unmapped > len(p.glyphs) // 2 and p.glyphs), None)
    if unmapped is not None:
        raise ParseError(path.name, t("documents.no_text_layer"), page=unmapped.number)
    return _Assembler(pages).rows()


# ---------------------------------------------------------------- what a page holds


@dataclass(slots=True)
class Glyph:
    ch: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass(slots=True)
class Line:
    glyphs: list[Glyph]
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass(slots=True)
class Cell:
    x0: float
    top: float
    x1: float
    bottom: float
    glyphs: list[Glyph] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    @property
    def right(self) -> float:
        """Where this cell's text may reach: its right edge less the padding its text keeps on the left."""
        if not self.lines:
            return self.x1
        padding = max(0.0, min(line.x0 for line in self.lines) - self.x0)
        return self.x1 - min(padding, 12.0)


@dataclass(slots=True)
class Table:
    cells: list[Cell]
    columns: list[float]  # the left edges of its columns
    rows: list[list[Cell]] = field(default_factory=list)

    @property
    def top(self) -> float:
        return min(c.top for c in self.cells)


@dataclass
class Page:
    number: int
    width: float
    height: float
    glyphs: list[Glyph]
    tables: list[Table]
    unmapped: int = 0
    free: list[Line] = field(default_factory=list)  # lines outside the tables


def _read_pages(path: Path) -> list[Page]:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise ParseError(path.name, t("documents.encrypted")) from e
        raise ParseError(path.name, t("documents.damaged_pdf")) from e
    try:
        if len(doc) > MAX_PAGES:
            raise ParseError(path.name, t("documents.too_many_pages", count=len(doc), limit=MAX_PAGES))
        pages, glyphs = [], 0
        for i in range(len(doc)):
            pages.append(_read_page(doc, i))
            glyphs += len(pages[-1].glyphs)
            if glyphs > MAX_GLYPHS:
                raise ParseError(path.name, t("documents.too_much_text", limit=MAX_GLYPHS), page=i + 1)
        return pages
    except OverBudget as e:
        raise ParseError(path.name, e.message, page=e.page) from None
    except ParseError:
        raise
    except Exception as e:  # pdfium on damaged bytes can fail in many ways; the file is what is wrong
        log.debug("PDF %s unreadable", path.name, exc_info=True)
        raise ParseError(path.name, t("documents.damaged_pdf")) from e
    finally:
        doc.close()


class OverBudget(Exception):
    """A page asks for more than a budget allows."""

    def __init__(self, message: str, page: int) -> None:
        super().__init__(message)
        self.message, self.page = message, page


def _read_page(doc, index: int) -> Page:  # type: ignore[no-untyped-def]
    page = doc[index]
    try:
        width, height = page.get_size()
        glyphs, unmapped = _glyphs(page, height, index + 1)
        tables = _tables(*_rulings(page, height, index + 1), index + 1)
    finally:
        page.close()
    return Page(index + 1, width, height, glyphs, tables, unmapped)


def _glyphs(page, height: float, number: int) -> tuple[list[Glyph], int]:  # type: ignore[no-untyped-def]
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    raw = textpage.raw
    box = pdfium_c.FS_RECTF()
    glyphs, unmapped = [], 0
    count = textpage.count_chars()
    if count > MAX_GLYPHS_PAGE:
        textpage.close()
        raise OverBudget(t("documents.too_much_text", limit=MAX_GLYPHS_PAGE), number)
    for i in range(count):
        if pdfium_c.FPDFText_IsGenerated(raw, i):
            continue
        ch = chr(pdfium_c.FPDFText_GetUnicode(raw, i))
        if ch in "\r\n\x00" or ch == "\ufffe":
            continue
        if pdfium_c.FPDFText_HasUnicodeMapError(raw, i):
            unmapped += 1
        pdfium_c.FPDFText_GetLooseCharBox(raw, i, box)
        size = pdfium_c.FPDFText_GetFontSize(raw, i) or (box.top - box.bottom)
        glyphs.append(Glyph(ch, box.left, box.right, height - box.top, height - box.bottom, size))
    textpage.close()
    return glyphs, unmapped


# ---------------------------------------------------------------- ruling lines and cells


def _rulings(page, height: float, number: int) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:  # type: ignore[no-untyped-def]
    """Horizontal (y, x0, x1) and vertical (x, y0, y1) ruling segments, in top-down page coordinates."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    horizontal, vertical = [], []
    x, y = ctypes.c_float(), ctypes.c_float()
    segments = 0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]):
        a, b, c, d, e, f = obj.get_matrix().get()
        points: list[tuple[float, float]] = []
        start: tuple[float, float] | None = None
        count = pdfium_c.FPDFPath_CountSegments(obj.raw)
        segments += max(count, 1)
        if segments > MAX_SEGMENTS_PAGE:
            raise OverBudget(t("documents.too_many_drawings", limit=MAX_SEGMENTS_PAGE), number)
        for i in range(count):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj.raw, i)
            pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
            point = (a * x.value + c * y.value + e, height - (b * x.value + d * y.value + f))
            kind = pdfium_c.FPDFPathSegment_GetType(seg)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not points:
                start = point
            elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
                _add_segment(points[-1], point, horizontal, vertical)
            if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
                _add_segment(point, start, horizontal, vertical)
            points.append(point)
    return horizontal, vertical


def _add_segment(p, q, horizontal, vertical) -> None:  # type: ignore[no-untyped-def]
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) <= 1.0 and abs(x0 - x1) > 1.0:
        horizontal.append(((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
    elif abs(x0 - x1) <= 1.0 and abs(y0 - y1) > 1.0:
        vertical.append(((x0 + x1) / 2, min(y0, y1), max(y0, y1)))


def _merged(segments: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Collinear segments joined: (position, start, end), positions snapped together."""
    out: list[list[float]] = []
    for pos, s, e in sorted(segments):
        target = None
        for seg in reversed(out):
            if pos - seg[0] > SNAP:
                break
            if s <= seg[2] + SNAP and e >= seg[1] - SNAP:
                target = seg
                break
        if target is None:
            out.append([pos, s, e])
        else:
            target[1], target[2] = min(target[1], s), max(target[2], e)
    return [(p, s, e) for p, s, e in out]


def _open_edges(vertical: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """A row cut by a page break may be printed without its closing line: where two or more vertical
    lines end together, that end is taken as a horizontal line between them."""
    ends: dict[float, list[float]] = {}
    for x, y0, y1 in vertical:
        for y in (y0, y1):
            key = next((k for k in ends if abs(k - y) <= SNAP), y)
            ends.setdefault(key, []).append(x)
    return [(y, min(xs), max(xs)) for y, xs in ends.items() if len(xs) > 1]


def _covered(segments: list[tuple[float, float, float]], pos: float, a: float, b: float) -> bool:
    return any(abs(p - pos) <= SNAP and s <= a + SNAP and e >= b - SNAP for p, s, e in segments)


def _tables(horizontal, vertical, number: int = 0) -> list[Table]:  # type: ignore[no-untyped-def]
    vs = _merged(vertical)
    hs = _merged(horizontal + _open_edges(vs))
    if len(hs) * len(vs) > MAX_CROSSINGS_PAGE * 4:  # checked before the crossings are counted one by one
        raise OverBudget(t("documents.too_many_drawings", limit=MAX_CROSSINGS_PAGE), number)
    point_set = {(round(x, 1), round(y, 1)) for y, hx0, hx1 in hs for x, vy0, vy1 in vs
                 if hx0 - SNAP <= x <= hx1 + SNAP and vy0 - SNAP <= y <= vy1 + SNAP}
    if len(point_set) > MAX_CROSSINGS_PAGE:
        raise OverBudget(t("documents.too_many_drawings", limit=MAX_CROSSINGS_PAGE), number)
    by_row: dict[float, list[float]] = defaultdict(list)
    by_column: dict[float, list[float]] = defaultdict(list)
    for x, y in sorted(point_set):
        by_row[y].append(x)
        by_column[x].append(y)
    cells = []
    for x, y in sorted(point_set):
        rights = by_row[y][bisect.bisect_right(by_row[y], x):]
        downs = by_column[x][bisect.bisect_right(by_column[x], y):]
        cell = _first_closed(x, y, rights, downs, point_set, hs, vs)
        if cell:
            cells.append(cell)
    return _group(cells)


def _first_closed(x, y, rights, downs, point_set, hs, vs) -> Cell | None:  # type: ignore[no-untyped-def]
    """The smallest rectangle with its top-left corner at (x, y) whose four sides are ruled."""
    for y2 in downs:
        if not _covered(vs, x, y, y2):
            break
        for x2 in rights:
            if not _covered(hs, y, x, x2):
                break
            if (x2, y2) in point_set and _covered(vs, x2, y, y2) and _covered(hs, y2, x, x2):
                return Cell(x, y, x2, y2)
    return None


def _group(cells: list[Cell]) -> list[Table]:
    """Cells that touch form one table; its rows are the cells sharing a top edge."""
    cells = sorted(cells, key=lambda c: (c.top, c.x0))
    owner = list(range(len(cells)))

    def root(i: int) -> int:
        while owner[i] != i:
            owner[i] = owner[owner[i]]
            i = owner[i]
        return i

    for i, j in _touching_pairs(cells):
        owner[root(i)] = root(j)
    groups: dict[int, list[Cell]] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    out = []
    for group in groups.values():
        rows: list[list[Cell]] = []
        for cell in sorted(group, key=lambda c: (c.top, c.x0)):
            if rows and cell.top - rows[-1][0].top <= SNAP:  # borders drawn per cell can sit a fraction apart
                rows[-1].append(cell)
            else:
                rows.append([cell])
        for part in _split_where_columns_change([sorted(row, key=lambda c: c.x0) for row in rows]):
            cells = [c for row in part for c in row]
            out.append(Table(cells, sorted({round(c.x0, 1) for c in cells}), part))
    return sorted(out, key=lambda tb: tb.top)


def _split_where_columns_change(rows: list[list[Cell]]) -> list[list[list[Cell]]]:
    """Two tables printed one right under the other (as an office suite prints the basic information and the
    competency table) touch and are found as one; they are parted where no column line runs on: no cell crosses
    that line and none of the inner column edges above it continues below it."""
    parts: list[list[list[Cell]]] = [[]]
    for row in rows:
        above = [c for part_row in parts[-1] for c in part_row]
        if above and _columns_end(above, row):
            parts.append([])
        parts[-1].append(row)
    return [part for part in parts if part]


def _columns_end(above: list[Cell], row: list[Cell]) -> bool:
    top = row[0].top
    if any(c.bottom > top + SNAP for c in above):
        return False  # a cell above reaches down into this row (a merged cell)
    right = max(c.x1 for c in above + row)
    edges_above = [c.x1 for c in above if abs(c.bottom - top) <= SNAP and c.x1 < right - SNAP]
    edges_below = [c.x1 for c in row if c.x1 < right - SNAP]
    return bool(edges_above and edges_below) and not any(abs(a - b) <= SNAP for a in edges_above for b in edges_below)


def _touching_pairs(cells: list[Cell], size: float = 40.0) -> Iterable[tuple[int, int]]:
    """Pairs of cells that touch, found through a coarse grid of buckets rather than by comparing every pair."""
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, c in enumerate(cells):
        for bx in range(int((c.x0 - SNAP) // size), int((c.x1 + SNAP) // size) + 1):
            for by in range(int((c.top - SNAP) // size), int((c.bottom + SNAP) // size) + 1):
                buckets[(bx, by)].append(i)
    seen: set[tuple[int, int]] = set()
    for members in buckets.values():
        for n, i in enumerate(members):
            for j in members[n + 1:]:
                if (i, j) not in seen and _touch(cells[i], cells[j]):
                    seen.add((i, j))
                    yield i, j


def _touch(a: Cell, b: Cell) -> bool:
    return a.x0 <= b.x1 + SNAP and b.x0 <= a.x1 + SNAP and a.top <= b.bottom + SNAP and b.top <= a.bottom + SNAP


# ---------------------------------------------------------------- characters into lines


def _lines(glyphs: list[Glyph]) -> list[Line]:
    """Glyphs grouped into lines (same baseline band), left to right; spaces kept, wide gaps made spaces."""
    lines: list[list[Glyph]] = []
    for g in sorted(glyphs, key=lambda g: (g.top + g.bottom) / 2):
        middle = (g.top + g.bottom) / 2
        if lines and abs(middle - (lines[-1][0].top + lines[-1][0].bottom) / 2) <= max(g.size, 1.0) * 0.45:
            lines[-1].append(g)
        else:
            lines.append([g])
    return [_line(sorted(group, key=lambda g: g.x0)) for group in lines]


AUTOSPACE = 0.3  # ems: office suites set ideographs apart from Latin letters and digits by ~1/4 em, no space


def _line(glyphs: list[Glyph]) -> Line:
    text = ""
    for prev, g in zip([None, *glyphs], glyphs, strict=False):
        if prev is not None and g.x0 - prev.x1 > 0.2 * g.size and " " not in (g.ch, prev.ch) and (
                g.x0 - prev.x1 > AUTOSPACE * g.size or not _autospaced(prev.ch, g.ch)):
            text += SPACE
        text += g.ch
    kept = [g for g in glyphs if not g.ch.isspace()] or glyphs
    stripped = text.strip()
    return Line(kept, stripped, kept[0].x0, kept[-1].x1, min(g.top for g in glyphs),
                max(g.bottom for g in glyphs), max(g.size for g in glyphs))


def _autospaced(a: str, b: str) -> bool:
    """An ideograph beside a Latin letter or digit, which office suites set apart without a space."""
    return bool(_IDEOGRAPH.match(a) and b.isascii() and b.isalnum() or _IDEOGRAPH.match(b) and a.isascii() and a.isalnum())


# ---------------------------------------------------------------- joining lines


class Joiner:
    """What goes between two lines of one cell or paragraph: a space or nothing.

    Where a line break falls between two CJK characters (or at CJK punctuation) the choice does not
    matter: cleaning drops such spaces. Elsewhere the PDF has dropped the space it broke at, if any:
    - the next line starts an item (a code, a bullet, 1. or 一、): a space;
    - two Latin letters, digits or signs: a space only when the next one would have fitted on the
      line (a wrap at a word boundary), else the word was cut;
    - a CJK character beside a Latin word: as the same phrase is spaced on the other side of the word
      ("有關 ICT 設備", "科技(IT)組態"), else as the document spaces that word elsewhere, else as it
      spaces such boundaries in general, else a space (what a text export of the PDF would show).
    """

    def __init__(self, texts: Iterable[str]) -> None:
        self.before: Counter[tuple[str, bool]] = Counter()
        self.after: Counter[tuple[str, bool]] = Counter()
        self.words: Counter[str] = Counter()  # Latin words seen whole (not at a line's start or end)
        for text in texts:
            for m in re.finditer(rf"(?<={_IDEOGRAPHS})( ?)([^\s{CJK}]+)", text):
                if not codes.ITEM_START.match(m.group(2)):
                    whole = m.end() < len(text)
                    self._count(self.before, m.group(2), bool(m.group(1)), m.group(2)[0], whole)
            for m in re.finditer(rf"([^\s{CJK}]+)( ?)(?={_IDEOGRAPHS})", text):
                if not codes.ITEM_START.match(m.group(1)):
                    self._count(self.after, m.group(1), bool(m.group(2)), m.group(1)[-1], m.start() > 0)
            for m in _WORD.finditer(text):
                if m.start() > 0 and m.end() < len(text):
                    self.words[m.group()] += 1

    @staticmethod
    def _count(counter: Counter[tuple[str, bool]], token: str, spaced: bool, edge: str, whole: bool) -> None:
        if whole:
            counter[(token, spaced)] += 1
        counter[(_kind(edge), spaced)] += 1

    def glue(self, a: Line, b: Line, right: float, near: Joiner | None = None,
             before: str | None = None, after: str | None = None) -> str:
        """What joins line `b` to line `a`. `near`: the same counts over the cell or paragraph the break is
        in (weighed before the document's); `before`, `after`: the text on either side (a's and b's)."""
        left, nxt = before or a.text, after or b.text
        if not left or not nxt or _STARTS_ITEM.match(nxt):
            return SPACE
        if squeeze(left[-2:] + SPACE + nxt[:2]) == squeeze(left[-2:] + nxt[:2]):
            return ""  # cleaning makes both the same
        x, y = left[-1], nxt[0]
        if _cut_code(left, nxt):
            return ""
        if not _IS_CJK.match(x) and not _IS_CJK.match(y):
            return SPACE if self._split_words(left, nxt, near) or self._wrapped_at_space(a, b, right) else ""
        if _IS_CJK.match(x):
            phrase = re.match(rf"[^{CJK}]+", nxt).group()  # the Latin words the line starts with
            words = phrase.split()
            beyond = nxt[len(phrase):len(phrase) + 1]
            return self._decide(phrase, beyond, "before", words[0] if words else y, y, near)
        phrase = re.search(rf"[^{CJK}]+$", left).group()  # the Latin words the line ends with
        words = phrase.split()
        beyond = left[: len(left) - len(phrase)][-1:]
        return self._decide(phrase[::-1], beyond, "after", words[-1] if words else x, x, near)

    def _split_words(self, left: str, nxt: str, near: Joiner | None) -> bool:
        """Two Latin word parts: seen elsewhere as two words and never as one (test | suite), not a cut word."""
        head, tail = re.search(r"[A-Za-z0-9]*$", left).group(), re.match(r"[A-Za-z0-9]*", nxt).group()
        if not head or not tail:
            return False
        words = self.words + (near.words if near else Counter())
        return not words[head + tail] and bool(words[head]) and bool(words[tail])

    @staticmethod
    def _wrapped_at_space(a: Line, b: Line, right: float) -> bool:
        """Between two Latin characters: the line broke at a space (since dropped), or inside a long word.
        At a space if the next character would have fitted, or if the line's last half holds a space or a
        CJK character (a wrap goes back to those rather than cut a word)."""
        if right - a.x1 >= (b.glyphs[0].x1 - b.glyphs[0].x0) - 0.05:
            return True
        tail = a.text[(len(a.text) + 1) // 2 + 1:]
        return any(ch.isspace() or _IS_CJK.match(ch) for ch in tail)

    def _decide(self, phrase: str, beyond: str, side: str, token: str, edge: str, near: Joiner | None) -> str:
        """`phrase`: the Latin words at the break, read away from it; `beyond`: the character after them."""
        spaced_beyond = phrase[-1:].isspace()
        if _IDEOGRAPH.match(beyond) or (beyond in _CJK_BRACKETS and beyond and not spaced_beyond):
            return SPACE if spaced_beyond else ""
        scopes = [getattr(j, side) for j in (near, self) if j is not None]
        for key in (token, _kind(edge)):
            for counter in scopes:
                spaced, tight = counter[(key, True)], counter[(key, False)]
                if spaced != tight:
                    return SPACE if spaced > tight else ""
        return SPACE


_NO_LINE_START = "。，、；：！？）」』】〉》,.;:!?)"  # punctuation a line may not start with (kinsoku)
_CODE_HEAD = re.compile(rf"{codes.CODE_CHARACTERS}+$")
_CODE_TAIL = re.compile(rf"{codes.CODE_CHARACTERS}+")


def _cut_code(left: str, nxt: str) -> bool:
    """A standard's code cut at the line's end ("《INM3513-005" | "v4》"): its parts are one code."""
    head, tail = _CODE_HEAD.search(left), _CODE_TAIL.match(nxt)
    whole = head.group() + tail.group() if head and tail else ""
    return bool(whole and codes.STANDARD.fullmatch(whole) and codes.STANDARD_LOOKS_REAL.search(whole))


def _kind(ch: str) -> str:
    if ch.isalnum():
        return "<alnum>"
    return "<open>" if ch in "([{" else "<close>" if ch in ")]}" else "<other>"


# ---------------------------------------------------------------- pages into rows


class _Assembler:
    def __init__(self, pages: list[Page]) -> None:
        self.pages = pages
        for page in pages:
            _place(page)
        _drop_furniture(pages)
        self.frame_right = max((ln.x1 for p in pages for ln in p.free), default=0.0)
        texts = [ln.text for p in pages for ln in p.free]
        texts += [ln.text for p in pages for tb in p.tables for c in tb.cells for ln in c.lines]
        self.joiner = Joiner(dict.fromkeys(texts))  # a header repeated on every page counts once
        self.out: list[SourceRow] = []
        self.last_table: Table | None = None  # the table the last row came from, if a table row was last
        self.last_page = 0  # the page of that table
        self.header: list[Cell] | None = None  # the first row of the table the last one continues
        self.last_paragraph: list[Line] | None = None

    def rows(self) -> list[SourceRow]:
        for page in self.pages:
            items: list[tuple[float, int, object]] = [(tb.top, 0, tb) for tb in page.tables]
            items += [(para[0].top, 1, para) for para in self._paragraphs(page.free)]
            for *_place, item in sorted(items, key=lambda it: (it[0], it[1])):
                if isinstance(item, Table):
                    self._table(item, page)
                else:
                    self._paragraph(item, page)  # type: ignore[arg-type]
        return self.out

    # tables
    def _table(self, table: Table, page: Page) -> None:
        previous = self.last_table
        if previous is None or self.last_page == page.number:  # a table of its own: its first row may be a header
            self.header = table.rows[0]
            rows, skip_header = table.rows, previous is not None and _same_row(previous.rows[0], table.rows[0])
        else:  # continued on this page: the header it repeats is left out, wherever the page break put it
            rows, skip_header = _without_header(self.header, table.rows)
        for i, cells in enumerate(rows):
            texts = [""] * len(table.columns)
            glue = [SPACE] * len(table.columns)
            first_continuing = previous is not None and i == (1 if skip_header else 0)
            for cell in cells:
                col = bisect.bisect_left(table.columns, round(cell.x0, 1) - SNAP)
                col = min(col, len(texts) - 1)
                texts[col] = self._cell_text(cell)
                if first_continuing and len(previous.columns) == len(table.columns) and cell.lines:
                    above = _cell_at(previous.rows[-1], previous.columns, col)
                    if above is not None and above.lines:
                        glue[col] = self.joiner.glue(above.lines[-1], cell.lines[0], above.right,
                                                     before=self._cell_text(above))
            self._emit(SourceRow(texts, 0, page.number, glue=glue))
        self.last_table, self.last_paragraph, self.last_page = table, None, page.number

    def _cell_text(self, cell: Cell) -> str:
        return self._join(cell.lines, cell.right)

    def _join(self, lines: list[Line], right: float) -> str:
        text = lines[0].text if lines else ""
        near = Joiner(ln.text for ln in lines) if len(lines) > 1 else None
        for i in range(1, len(lines)):
            text += self.joiner.glue(lines[i - 1], lines[i], right, near, before=text) + lines[i].text
        return text

    # paragraphs
    def _paragraphs(self, lines: list[Line]) -> list[list[Line]]:
        paragraphs: list[list[Line]] = []
        for line in sorted(lines, key=lambda ln: ln.top):
            prev = paragraphs[-1][-1] if paragraphs else None
            if prev is None or self._starts_paragraph(prev, line, paragraphs[-1]):
                paragraphs.append([line])
            else:
                paragraphs[-1].append(line)
        return paragraphs

    def _starts_paragraph(self, prev: Line, line: Line, paragraph: list[Line]) -> bool:
        gap = line.top - prev.bottom
        return (
            gap > 0.8 * line.size
            or gap < -0.3 * line.size
            or abs(line.size - prev.size) > 0.1 * line.size
            or bool(_STARTS_ITEM.match(line.text))
            or not self._full(prev, line, paragraph[:-1])
        )

    def _full(self, line: Line, following: Line | None = None, before: Sequence[Line] = ()) -> bool:
        """The line reaches the right edge: the frame's, or that of the full lines before it in its paragraph (a
        line that overhangs the frame, or a wrap a little short of it, moves the frame's edge). A character
        followed by punctuation that may not start a line (件。) goes down together, so such a line may end two
        characters short."""
        slack = (2.6 if following is not None and following.text[1:2] in _NO_LINE_START else 1.6) * line.size
        right = self.frame_right
        full_before = [ln.x1 for ln in before if ln.x1 >= right - slack]
        return line.x1 >= min(right, max(full_before, default=right)) - slack

    def _paragraph(self, lines: list[Line], page: Page) -> None:
        previous = self.last_paragraph
        if previous is not None and self._full(previous[-1], lines[0]) and not _STARTS_ITEM.match(lines[0].text) \
                and abs(previous[-1].size - lines[0].size) <= 0.1 * lines[0].size \
                and self.out and self.out[-1].page != page.number:
            row = self.out[-1]
            row.cells[0] += self.joiner.glue(previous[-1], lines[0], self.frame_right) + self._join(lines, self.frame_right)
            self.last_paragraph = previous + lines
            return
        margin = min(ln.x0 for p in self.pages for ln in p.free)
        indent = lines[0].x0 - margin > 1.0 * lines[0].size and not _STARTS_ITEM.match(lines[0].text) \
            or lines[0].x0 - margin > 2.5 * lines[0].size
        self._emit(SourceRow([self._join(lines, self.frame_right)], 0, page.number, indent=indent))
        self.last_table, self.last_paragraph = None, lines

    def _emit(self, row: SourceRow) -> None:
        row.line = len(self.out) + 1
        self.out.append(row)


def _without_header(header: list[Cell] | None, rows: list[list[Cell]]) -> tuple[list[list[Cell]], bool]:
    """The rows of a table continued on a new page without the header it repeats: (rows, whether the first row is
    the header alone). Where the page break split a row, some renderers draw no line between the repeated header
    and the row's continuation, so each of its cells begins with the header's lines: those lines are dropped."""
    first = rows[0]
    if not header or len(header) != len(first) or not any(cell.lines for cell in header):
        return rows, False
    stripped = []
    for head, cell in zip(header, first, strict=True):
        lines = [ln.text for ln in head.lines]
        if [ln.text for ln in cell.lines[: len(lines)]] != lines:
            return rows, False
        stripped.append(replace(cell, lines=cell.lines[len(lines):]))
    if not any(cell.lines for cell in stripped):
        return rows, True
    return [stripped, *rows[1:]], False


def _same_row(a: list[Cell], b: list[Cell]) -> bool:
    return [" ".join(ln.text for ln in c.lines) for c in a] == [" ".join(ln.text for ln in c.lines) for c in b]


def _cell_at(row: list[Cell], columns: list[float], col: int) -> Cell | None:
    for cell in row:
        if min(bisect.bisect_left(columns, round(cell.x0, 1) - SNAP), len(columns) - 1) == col:
            return cell
    return None


def _place(page: Page) -> None:
    """Each glyph into the cell holding its centre, the rest into the page's free lines."""
    free: list[Glyph] = []
    finders = [_CellFinder(tb) for tb in page.tables]
    for g in page.glyphs:
        # by its left edge: punctuation may hang past the cell's right border
        cx, cy = g.x0 + 0.1, (g.top + g.bottom) / 2
        cell = next((c for f in finders if (c := f.find(cx, cy)) is not None), None)
        (cell.glyphs if cell else free).append(g)
    for tb in page.tables:
        for cell in tb.cells:
            cell.lines = _lines(cell.glyphs)
    page.free = [ln for ln in _lines(free) if ln.text]


class _CellFinder:
    def __init__(self, table: Table) -> None:
        self.rows = table.rows
        self.tops = [row[0].top for row in table.rows]
        self.box = (min(c.x0 for c in table.cells), table.top, max(c.x1 for c in table.cells),
                    max(c.bottom for c in table.cells))

    def find(self, cx: float, cy: float) -> Cell | None:
        x0, top, x1, bottom = self.box
        if not (x0 <= cx <= x1 and top <= cy <= bottom):
            return None
        for row in reversed(self.rows[: bisect.bisect_right(self.tops, cy)]):
            for cell in row:
                if cell.x0 <= cx <= cell.x1 and cell.top <= cy <= cell.bottom:
                    return cell
        return None


def _drop_furniture(pages: list[Page]) -> None:
    """Leave out what is printed in the top or bottom margin of the pages: page numbers, running heads."""
    def margin_key(page: Page, line: Line) -> str | None:
        band = max(page.height * 0.07, 40.0)
        in_margin = line.bottom < band or line.top > page.height - band
        return re.sub(r"\d+", "#", line.text) if in_margin else None

    seen = Counter(k for p in pages for k in {margin_key(p, ln) for ln in p.free} if k)
    for page in pages:
        page.free = [ln for ln in page.free
                     if not ((k := margin_key(page, ln)) and (seen[k] > 1 or _FURNITURE.match(k)))]
