"""Importing chromadb, a quarter of a second sooner.

chromadb decorates ~160 methods with `overrides.override`, which checks each signature against the base
class's at import (disassembling both): ~0.25 s of the ~0.7 s import on this machine, spent on every start of
`competency-bot ask` that searches by meaning. These checks are chromadb's own development aids and never
change what runs, so while chromadb is imported the decorator only marks the method, as it does after its
checks pass. Anything imported afterwards gets the real decorator back."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

Method = TypeVar("Method", bound=Callable[..., Any])


def _mark(method: Method | None = None, **_options: Any) -> Any:
    if method is None:
        return _mark
    method.__override__ = True  # type: ignore[attr-defined] - what overrides.override sets
    return method


def load_chromadb() -> ModuleType:
    """The chromadb module, imported without the signature checks the first time."""
    if "chromadb" in sys.modules:
        return sys.modules["chromadb"]
    try:
        import overrides
    except ImportError:  # a chromadb that no longer uses it
        import chromadb

        return chromadb
    real = overrides.override, overrides.overrides
    overrides.override = overrides.overrides = _mark
    try:
        import chromadb
    finally:
        overrides.override, overrides.overrides = real
    return chromadb
