"""Text hygiene: what people type, made plain before anything reads it. One rule each, every front and
reader calls these (the index's own job, cleaning the documents' table cells, is index/clean.py).

- `replace_surrogates`: bytes that were not UTF-8 (argv's surrogateescape) and lone surrogates become U+FFFD.
- `clean_message`: a message as a front received it: terminal escapes, control and format characters gone,
  runs of spaces one space, line breaks kept (empty lines dropped).
- `plain_question`: a question as the assistant reads it: width folded (NFKC), look-alike letters inside codes
  plain, invisible characters and tags a space, one line, at most MAX_QUESTION_CHARS.
- `plain_reply`: a short typed reply (an assessment's answer): width folded, trimmed, a final full stop gone.
- `one_line`: a name as one visible line.
- `has_words`: at least one letter or digit (not only emoji or punctuation).
"""

from __future__ import annotations

import re
import unicodedata

MAX_QUESTION_CHARS = 500  # longer questions are cut (and the answer says so)

SURROGATE = re.compile("[\ud800-\udfff]")  # undecodable bytes of argv (surrogateescape) or lone surrogates
CONTROLS = ("Cc", "Cf", "Co", "Cs")  # control, format (RLO, zero-width), private use, surrogates
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")  # terminal colours and cursor moves pasted along
_LINE_BREAKS = ("Zl", "Zp")
_TAG = re.compile(r"<[^>]{0,200}>")
_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_TRAILING_STOP = re.compile(r"[\s。．.!！~～]+$")
# Look-alikes people (or attackers) type inside codes: Cyrillic/Greek capitals, fancy dots and dashes.
_LOOKALIKE = str.maketrans({
    "Т": "T", "Р": "P", "О": "O", "К": "K", "Ѕ": "S", "А": "A", "Κ": "K", "Ρ": "P", "Ο": "O", "Α": "A",
    "Τ": "T", "т": "t", "р": "p", "о": "o", "к": "k", "ѕ": "s", "а": "a",
    "．": ".", "‧": ".", "·": ".", "•": ".", "‐": "-", "‑": "-", "–": "-", "—": "-", "－": "-",
})


def replace_surrogates(text: str) -> tuple[str, int]:
    """The text with bytes that were not UTF-8 (and lone surrogates) replaced by U+FFFD; how many."""
    return SURROGATE.subn("\ufffd", text)


def clean_message(text: str) -> str:
    """Drop terminal escapes, control and format characters, collapse spaces, keep line breaks."""
    text = _ANSI_ESCAPE.sub("", text)
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in CONTROLS)
    lines = (re.sub(r"[ \t\u3000]+", " ", line).strip() for line in kept.splitlines())
    return "\n".join(line for line in lines if line)


def plain_question(text: str) -> str:
    """Width, look-alikes, invisible characters and tags made plain; one line of at most MAX_QUESTION_CHARS."""
    text = SURROGATE.sub("\ufffd", text or "")
    text = unicodedata.normalize("NFKC", text).translate(_LOOKALIKE)
    text = _TAG.sub(" ", _INVISIBLE.sub(" ", text))
    return re.sub(r"\s+", " ", text).strip()[:MAX_QUESTION_CHARS]


def plain_reply(text: str) -> str:
    """Full-width forms folded (２ -> 2), spaces trimmed, a final full stop or exclamation dropped."""
    return _TRAILING_STOP.sub("", unicodedata.normalize("NFKC", text).strip()).strip()


def one_line(text: str, limit: int | None = None) -> str:
    """A name as one visible line: line breaks become spaces, control and format characters (RLO, zero-width
    joiners) go, runs of spaces are one; cut to `limit` characters when given."""
    visible = "".join(" " if ch in "\r\n\t\u2028\u2029" else ch for ch in text)
    visible = "".join(ch for ch in visible if unicodedata.category(ch) not in (*CONTROLS, *_LINE_BREAKS))
    visible = re.sub(r"\s+", " ", visible).strip()
    return visible[:limit].rstrip() if limit is not None else visible


def has_words(text: str) -> bool:
    """True when the text holds at least one letter or digit (not only emoji or punctuation)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)
