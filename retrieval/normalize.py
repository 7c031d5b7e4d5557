"""Question normalisation: width, look-alike characters, Simplified -> Traditional, code spellings."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

MAX_QUESTION_CHARS = 500
_TAG = re.compile(r"<[^>]{0,200}>")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
# Look-alikes people (or attackers) type inside codes: Cyrillic/Greek capitals, fancy dots and dashes.
_LOOKALIKE = str.maketrans({
    "Т": "T", "Р": "P", "О": "O", "К": "K", "Ѕ": "S", "А": "A", "Κ": "K", "Ρ": "P", "Ο": "O", "Α": "A",
    "Τ": "T", "т": "t", "р": "p", "о": "o", "к": "k", "ѕ": "s", "а": "a",
    "．": ".", "。": "。", "‧": ".", "·": ".", "•": ".", "‐": "-", "‑": "-", "–": "-", "—": "-", "－": "-",
})
_CODE_WORDS = [
    (re.compile(r"(?:工作)?任務\s*(\d+)\s*[.\-_]\s*(\d+)"), r"T\1.\2"),
    (re.compile(r"(?:工作)?職責\s*(\d+)(?![\d.])"), r"T\1"),
    (re.compile(r"行為指標\s*(\d+)\s*\.\s*(\d+)\s*\.\s*(\d+)"), r"P\1.\2.\3"),
]
# "T 2.2", "t2-2", "T2 . 2", "p2.2.1", "k 05" -> canonical
_SPACED = re.compile(
    r"(?<![A-Za-z])([TtPpOo])\s?(\d{1,2})(?:\s?[.\-_]\s?(\d{1,2}))(?:\s?[.\-_]\s?(\d{1,2}))?(?![\d])"
)
_KSA = re.compile(r"(?<![A-Za-z])([KkSsAa])\s?(\d{1,3})(?!\d)")


@cache
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("s2twp"), opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    """Simplified -> Traditional (Taiwan phrasing), only when the text has Simplified characters."""
    s2twp, s2t = _converter()
    if s2t.convert(text) == text:
        return text
    return s2twp.convert(text)


def clean_question(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = text.translate(_LOOKALIKE)
    text = _CONTROL.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return to_traditional(text[:MAX_QUESTION_CHARS])


def canonical_codes(text: str) -> str:
    """Rewrite every spelling of an item code into the printed form (T2.2, P2.2.1, K05 stays K05)."""
    for pattern, repl in _CODE_WORDS:
        text = pattern.sub(repl, text)

    def spaced(m: re.Match[str]) -> str:
        parts = [p for p in m.groups()[1:] if p]
        return m.group(1).upper() + ".".join(parts)

    text = _SPACED.sub(spaced, text)
    return _KSA.sub(lambda m: m.group(1).upper() + m.group(2), text)


def normalize(text: str) -> str:
    return canonical_codes(clean_question(text))
