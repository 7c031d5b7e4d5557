"""Writes retrieval/data/simplified.txt: every character OpenCC's s2t conversion changes on its own.

    .venv/bin/python scripts/simplified_chars.py

A question without any of them is left as it is without starting OpenCC (its dictionaries take ~80 ms to
load, a seventh of a code lookup's whole process). tests/test_normalize_fast.py checks the file against the
installed OpenCC, so an upgrade that changes the dictionaries is noticed.
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "retrieval" / "data" / "simplified.txt"
RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x323AF))


def simplified_characters() -> str:
    import opencc

    s2t = opencc.OpenCC("s2t")
    return "".join(ch for lo, hi in RANGES for ch in map(chr, range(lo, hi + 1)) if s2t.convert(ch) != ch)


def main() -> int:
    chars = simplified_characters()
    OUT.write_text("# characters OpenCC s2t changes (scripts/simplified_chars.py writes this file)\n" + chars + "\n",
                   "utf-8")
    print(f"{len(chars)} characters -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
