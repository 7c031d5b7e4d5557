"""Every user-facing text lives in the TOML files beside this one.

`t("bot.start", name=...)` reads key `start` of bot.toml and fills it in.
Each file is a namespace: answers.toml (question answering), bot.toml (chat front),
assessment.toml (self-assessment and reports), cli.toml (command line).

Another language of a namespace lives beside it (answers_en.toml): inside `with speaking("en")` a key is
read there first, and from the Chinese file when the translation lacks it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

_DIR = Path(__file__).parent
DEFAULT_LANGUAGE = "zh"
_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)
_MISSING = object()


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Texts read inside come from the `language` files where they have the key (None or "zh": Chinese)."""
    token = _language.set(language or DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def language() -> str:
    return _language.get()


@cache
def _texts() -> dict[str, Any]:
    data: dict[str, Any] = {}
    for path in sorted(_DIR.glob("*.toml")):
        with path.open("rb") as f:
            data[path.stem] = tomllib.load(f)
    return data


def raw(key: str) -> Any:
    lang = _language.get()
    if lang != DEFAULT_LANGUAGE:
        space, _, rest = key.partition(".")
        found = _lookup(f"{space}_{lang}.{rest}")
        if found is not _MISSING:
            return found
    found = _lookup(key)
    if found is _MISSING:
        raise KeyError(key)
    return found


def _lookup(key: str) -> Any:
    node: Any = _texts()
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def t(key: str, **values: Any) -> str:
    text = raw(key)
    return text.format(**values) if values else text
