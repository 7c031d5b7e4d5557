"""File names as they may be shown (control characters escaped) and kept (short, plain, no folders)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

MAX_NAME_BYTES = 255  # what most file systems allow for one name
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def printable(name: str) -> str:
    """The name with every control or format character escaped (\\n, \\x1b…), so it cannot break a line or a terminal."""
    return "".join(_escaped(ch) if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in name)


def _escaped(ch: str) -> str:
    return ch.encode("unicode_escape").decode("ascii")


def safe_file_name(name: str, suffixes: tuple[str, ...], default_suffix: str) -> str:
    """A plain name to keep an upload under: no folders or odd characters, a known suffix, at most 255 bytes."""
    base = Path((name or "").replace("\\", "/")).name
    suffix = Path(base).suffix.lower()
    if suffix not in suffixes:
        suffix = default_suffix
    stem = _UNSAFE.sub("_", base[: len(base) - len(Path(base).suffix)] if Path(base).suffix else base).strip("._")
    stem = stem or "upload"
    room = MAX_NAME_BYTES - len(suffix.encode())
    while len(stem.encode()) > room:
        stem = stem[:-1]
    return stem + suffix
