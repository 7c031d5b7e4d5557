"""Every user-facing sentence the code asks for by a literal key exists in prompts/ (a missing key is a crash in
front of a person: 「我有五年網路維運經驗，入門條件夠嗎」 once raised KeyError 'answers.advice.closest')."""

from __future__ import annotations

import re
from pathlib import Path

from prompts import raw

ROOT = Path(__file__).resolve().parents[1]
LITERAL_KEY = re.compile(r"""\b(?:t|raw)\(\s*["']([a-z_]+(?:\.[a-z_0-9]+)+)["']""")


def _keys() -> list[tuple[str, str]]:
    found = []
    for folder in ("bot", "retrieval", "index", "prompts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for key in LITERAL_KEY.findall(path.read_text("utf-8")):
                found.append((str(path.relative_to(ROOT)), key))
    return found


def test_each_literal_key_exists() -> None:
    keys = _keys()
    assert len(keys) > 300, "the pattern still finds the code's keys"
    missing = []
    for where, key in keys:
        try:
            raw(key)
        except KeyError:
            missing.append(f"{where}: {key}")
    assert not missing, "asked for, held by no prompts/*.toml:\n" + "\n".join(missing)
