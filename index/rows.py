"""The rows of cells every document format is read into before the one parser (index/parse.py) reads them.

A row is a table row (its cells, left to right) or a line or paragraph of running text (one cell).
Plain text gives one row per line, its cells split at tabs; a PDF or an ODT gives its table rows and
its paragraphs in reading order (index/pdf.py, index/odt.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

SPACE = " "


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
