"""Cell text cleaning: HTML fragments, bullets, and spaces that line breaks put between CJK characters."""

from __future__ import annotations

import re

CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff0f\uff1a-\uff20\uff5b-\uff65"
_TAG = re.compile(r"<[^>]*>")
_BLOCK_TAG = re.compile(r"</?(?:p|ul|ol|li|br|div|tr|td)\b[^>]*>", re.I)
_SUP = re.compile(r"\^\{([^}]*)\}")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_CJK_GAP = re.compile(rf"(?<=[{CJK}])\s+(?=[{CJK}])")
_CJK_PUNCT_GAP = re.compile(r"(?<=[，。、；：！？）】」』])\s+|\s+(?=[，。、；：！？（【「『）】])")
_LEAD_BULLET = re.compile(r"^[\s\-■•●◆\*]+")
_BOLD = re.compile(r"\*\*")


def strip_html(text: str) -> str:
    text = _SUP.sub(r"\1", text)
    text = _BLOCK_TAG.sub(" ", text)
    return _TAG.sub("", text)  # inline tags (<u>, <sup>, <b>) join their text to its neighbours


def squeeze(text: str) -> str:
    """Collapse runs of spaces and drop the ones a line break left between CJK characters."""
    text = _SPACES.sub(" ", text).strip()
    text = _CJK_GAP.sub("", text)
    return _CJK_PUNCT_GAP.sub("", text)


def clean(text: str) -> str:
    """Whole-cell cleaning: HTML gone, bold markers gone, spaces fixed, leading bullets gone."""
    text = _BOLD.sub("", strip_html(text))
    return _LEAD_BULLET.sub("", squeeze(text)).strip()


def split_points(text: str) -> tuple[str, list[str]]:
    """'K1 head： ■ a ■ b' -> ('head：', ['a', 'b'])."""
    parts = [squeeze(p) for p in text.split("■")]
    head, points = parts[0], [p for p in parts[1:] if p]
    return head, points
