"""One of each (issue 24): every code pattern lives in index/codes.py, every rule of text hygiene in index/text.py;
nothing defines them again."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("bot", "retrieval", "index", "prompts", "benchmarks", "scripts")
# a code written out in a pattern: an item letter before a digit, a standard's letters and digits, a note mark
CODE_PATTERN = re.compile(r"\[TPOKSA\]|\[PO\]\\d|\[KSA\]\(|\[A-Za-z\]\{2,5\}\\d|【註\\d")
PENDING: set[str] = set()
ONCE = {  # what is defined in one module only
    "index/text.py": (r"^MAX_QUESTION_CHARS\s*=", r"^def has_words\(", r"\\ud800-\\udfff", r"\"Cc\", \"Cf\", \"Co\""),
    "retrieval/names.py": (r"^def find_standards\(",),
    "bot/callbacks.py": (r"^LIMIT_BYTES\s*=",),
}


def sources() -> dict[str, str]:
    return {p.relative_to(ROOT).as_posix(): p.read_text("utf-8") for pkg in SOURCES for p in (ROOT / pkg).rglob("*.py")}


def test_code_patterns_live_in_index_codes_only() -> None:
    found = {name for name, text in sources().items() if name != "index/codes.py" and CODE_PATTERN.search(text)}
    assert found == PENDING, found


def test_each_rule_is_defined_once() -> None:
    texts = sources()
    for home, patterns in ONCE.items():
        for pattern in patterns:
            where = sorted(name for name, text in texts.items() if re.search(pattern, text, re.M))
            assert where == [home], (pattern, where)


def test_button_data_is_built_by_the_codec_only() -> None:
    """No f-string or concatenation writes a button's grammar outside bot/callbacks.py."""
    grammar = re.compile(r"""f["'](?:std|cmd|ex|pg|ref|ask|as|rv|tm|fg):|["'](?:as|rv|tm|fg|pg):["']\s*\+""")
    found = sorted(name for name, text in sources().items()
                   if name.startswith("bot/") and name != "bot/callbacks.py" and grammar.search(text))
    assert not found, found
