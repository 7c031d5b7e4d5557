"""Small files built to cost a reader far more than their size (issue 23 #5), for tests and benchmarks.

Each writes one file and returns its path: an ODT whose content.xml unpacks to millions of tiny elements,
an ODT of repeated rows with long cells, an ODT nested thousands of levels deep, a PDF ruled with a
dense grid of lines, a PDF whose page tree names one page 100,000 times.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<office:document-content xmlns:office="{_OFFICE}" xmlns:text="{_TEXT}" xmlns:table="{_TABLE}">'
    "<office:body><office:text>"
)
_TAIL = "</office:text></office:body></office:document-content>"
STANDARD_HEAD = (
    "<text:p>惡意測試職能基準</text:p>"
    "<table:table><table:table-row><table:table-cell><text:p>職能基準代碼</text:p></table:table-cell>"
    "<table:table-cell><text:p>TST9999-001v1</text:p></table:table-cell></table:table-row></table:table>"
)
TABLE_HEADER = "".join(
    f"<table:table-cell><text:p>{label}</text:p></table:table-cell>"
    for label in ("主要職責", "工作任務", "工作產出", "行為指標", "職能級別", "職能內涵(K)", "職能內涵(S)")
)


def _odt(path: Path, body: str | bytes) -> Path:
    content = body if isinstance(body, bytes) else body.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        archive.writestr("content.xml", _HEAD.encode() + content + _TAIL.encode())
    return path


def odt_many_elements(path: Path, elements: int = 5_000_000, tag: bytes = b"<text:p/>") -> Path:
    """Millions of empty paragraphs (or of `tag`: b"<text:s/>" in one paragraph), about 9 bytes each, deflated
    to almost nothing."""
    if tag == b"<text:p/>":
        return _odt(path, STANDARD_HEAD.encode() + tag * elements)
    return _odt(path, STANDARD_HEAD.encode() + b"<text:p>" + tag * elements + b"</text:p>")


def odt_repeated_rows(path: Path, rows: int = 3_000, cell_chars: int = 4_000) -> Path:
    """A competency table whose rows each repeat 64 times, with long cells that all continue one task."""
    cell = "P1.1.1 重複" + "很長的行為指標" * (cell_chars // 7)
    row = (f'<table:table-row table:number-rows-repeated="64"><table:table-cell/><table:table-cell/>'
           f"<table:table-cell/><table:table-cell><text:p>{cell}</text:p></table:table-cell></table:table-row>")
    first = ("<table:table-row><table:table-cell><text:p>T1 職責</text:p></table:table-cell>"
             "<table:table-cell><text:p>T1.1 任務</text:p></table:table-cell></table:table-row>")
    table = f"<table:table><table:table-row>{TABLE_HEADER}</table:table-row>{first}{row * rows}</table:table>"
    return _odt(path, STANDARD_HEAD + table)


def odt_deep(path: Path, depth: int = 100_000, tag: str = "list") -> Path:
    """Lists (tag "list") or spans (tag "span") nested `depth` levels deep."""
    if tag == "list":
        opening, closing = "<text:list><text:list-item>" * depth, "</text:list-item></text:list>" * depth
        body = f"{STANDARD_HEAD}{opening}<text:p>深</text:p>{closing}"
    else:
        body = f"{STANDARD_HEAD}<text:p>{'<text:span>' * depth}深{'</text:span>' * depth}</text:p>"
    return _odt(path, body)


def _pdf(path: Path, objects: list[bytes]) -> Path:
    """A PDF of these objects (numbered from 1; object 1 the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def pdf_grid(path: Path, lines: int = 150) -> Path:
    """One A4 page ruled with `lines` horizontal and `lines` vertical lines (a dense table of empty cells)."""
    step = 780.0 / lines
    ops = []
    for i in range(lines + 1):
        at = 30 + i * step
        ops.append(b"%.2f 30 m %.2f 810 l S" % (at * 0.7, at * 0.7))
        ops.append(b"20 %.2f m 570 %.2f l S" % (at, at))
    content = b"0.3 w\n" + b"\n".join(ops)
    return _pdf(path, [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        _stream(content),
    ])


def pdf_many_pages(path: Path, pages: int = 100_000) -> Path:
    """A page tree that names the same page object `pages` times (a few bytes a page)."""
    kids = b" ".join([b"3 0 R"] * pages)
    return _pdf(path, [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        _stream(b"0.5 w 50 50 m 500 50 l S"),
    ])


def text_continued_rows(path: Path, template: Path, size: int = 1_900_000) -> Path:
    """A text standard whose first task row is continued by ~7,000 rows of 20 indicators each (~2 MB): each
    item's line was looked up among all the cell's fragments, 150 s of CPU before."""
    lines = template.read_text("utf-8").split("\n")
    header = next(n for n, line in enumerate(lines) if "行為指標" in line and "工作產出" in line)
    rows, body = lines[: header + 2], "\t\t\t" + "P1.1.1 很長 " * 20
    written = sum(len(line.encode()) + 1 for line in rows)
    while written < size:
        rows.append(body)
        written += len(body.encode()) + 1
    path.write_text("\n".join(rows), "utf-8")
    return path
