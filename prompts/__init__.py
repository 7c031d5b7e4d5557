"""Every user-facing text lives in the TOML files beside this one.

`t("bot.start", name=...)` reads key `start` of bot.toml and fills it in.
Each file is a namespace: answers.toml (question answering), bot.toml (chat front),
assessment.toml (self-assessment and reports), cli.toml (command line).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

_DIR = Path(__file__).parent


@cache
def _texts() -> dict[str, Any]:
    data: dict[str, Any] = {}
    for path in sorted(_DIR.glob("*.toml")):
        with path.open("rb") as f:
            data[path.stem] = tomllib.load(f)
    return data


def raw(key: str) -> Any:
    node: Any = _texts()
    for part in key.split("."):
        node = node[part]
    return node


def t(key: str, **values: Any) -> str:
    text = raw(key)
    return text.format(**values) if values else text
