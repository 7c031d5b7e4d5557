"""Every user-facing text lives in zh_TW.toml; `t(key, **values)` fills one in."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

_FILE = Path(__file__).with_name("zh_TW.toml")


@cache
def _texts() -> dict[str, Any]:
    with _FILE.open("rb") as f:
        return tomllib.load(f)


def raw(key: str) -> Any:
    node: Any = _texts()
    for part in key.split("."):
        node = node[part]
    return node


def t(key: str, **values: Any) -> str:
    text = raw(key)
    return text.format(**values) if values else text
