"""The text of a PDF the bot sent, as a screen reader or a search finds it (shared by the report tests)."""

from __future__ import annotations

import re

import pypdfium2 as pdfium


def pdf_text(content: bytes) -> str:
    """Every page's text, whitespace removed (a name wrapped across lines still reads as one)."""
    document = pdfium.PdfDocument(content)
    try:
        return squash("".join(page.get_textpage().get_text_range() for page in document))
    finally:
        document.close()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
