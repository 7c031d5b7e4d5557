"""The rows of cells every document format is read into before the one parser (index/parse.py) reads them,
and what every reader checks first and raises (the size budget, ParseError).

A row is a table row (its cells, left to right) or a line or paragraph of running text (one cell).
Plain text gives one row per line, its cells split at tabs; a PDF or an ODT gives its table rows and
its paragraphs in reading order (index/pdf.py, index/odt.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from index.names import printable
from prompts import t

SPACE = " "
MAX_BYTES = 20_000_000  # checked on the file's size before anything is read


class Located(Protocol):
    """A row that says where it is printed (a SourceRow, or the parser's own rows)."""

    line: int
    page: int


class ParseError(Exception):
    """A document that cannot be read: says which file and, where it applies, which line (text) or page (PDF)."""

    def __init__(self, source: str, message: str, line: int | None = None, page: int | None = None,
                 transient: bool = False) -> None:
        """transient: the reading was stopped by a limit of time or memory (the same bytes may read another
        time); any other error is what these bytes are, and is kept with the parsed documents."""
        self.source, self.message, self.line, self.page, self.transient = source, message, line, page, transient
        super().__init__(f"{self.where}: {message}")

    def __reduce__(self) -> tuple[type, tuple[str, str, int | None, int | None, bool]]:
        """Pickled whole (a document read in a child process sends its error back)."""
        return type(self), (self.source, self.message, self.line, self.page, self.transient)

    @property
    def where(self) -> str:
        """The file name (control characters escaped) and the line or page: 「a.txt:12」, 「a.pdf p.3」."""
        name = printable(self.source)
        if self.page:
            return f"{name} p.{self.page}"
        return f"{name}:{self.line}" if self.line else name

    @classmethod
    def at(cls, source: str, message: str, row: Located | None) -> ParseError:
        """An error pointing at a row: its page in a paged document, else its line."""
        if row is None:
            return cls(source, message)
        return cls(source, message, page=row.page) if row.page else cls(source, message, row.line)


def check_size(path: Path) -> int:
    """The file's size, from its directory entry: a huge file is refused before a byte of it is read."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ParseError(path.name, t("documents.unreadable", reason=e.strerror)) from e
    if size > MAX_BYTES:
        raise ParseError(path.name, t("documents.too_large", size=size, limit=MAX_BYTES))
    return size


@dataclass(slots=True)
class SourceRow:
    """One printed row and where it is printed: `line` in a text file (a PDF or ODT numbers its rows), `page` in a PDF."""

    cells: list[str]
    line: int
    page: int = 0
    indent: bool = False  # a paragraph set in from the margin (a nested note item)
    glue: list[str] = field(default_factory=list)  # per cell: what joins it to the cell it continues (a space)
    raw: str | None = None  # the line as printed, when it is a line of text

    @property
    def text(self) -> str:
        """The row as a line of text: cells separated by tabs, a nested paragraph led by a space."""
        if self.raw is not None:
            return self.raw
        return (SPACE if self.indent else "") + "\t".join(self.cells)

    def glue_of(self, col: int) -> str:
        return self.glue[col] if col < len(self.glue) else SPACE


def text_rows(lines: list[str]) -> list[SourceRow]:
    """A tab-separated text, one row per line (numbered from 1)."""
    return [SourceRow(line.split("\t"), no, raw=line) for no, line in enumerate(lines, 1)]
