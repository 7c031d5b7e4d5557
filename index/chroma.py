"""Opening chromadb, a third of a second sooner.

chromadb decorates ~200 methods with `overrides.override`, which checks each signature against the base
class's as the class is created (disassembling both): ~0.25 s of the ~0.7 s import on this machine and
~0.1 s more when a client is made (its Rust API class is imported then), spent on every start of
`competency-bot ask` that searches by meaning. These checks are chromadb's own development aids and never
change what runs, so while chromadb is imported and a client made, the decorator only marks the method, as
it does after its checks pass. Everything else gets the real decorator."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar
from urllib.parse import urlparse

Method = TypeVar("Method", bound=Callable[..., Any])


def _mark(method: Method | None = None, **_options: Any) -> Any:
    if method is None:
        return _mark
    method.__override__ = True  # type: ignore[attr-defined] - what overrides.override sets
    return method


@contextmanager
def without_signature_checks() -> Iterator[None]:
    try:
        import overrides
    except ImportError:  # a chromadb that no longer uses it
        yield
        return
    real = overrides.override, overrides.overrides
    overrides.override = overrides.overrides = _mark
    try:
        yield
    finally:
        overrides.override, overrides.overrides = real


def load_chromadb() -> ModuleType:
    """The chromadb module (imported without the signature checks the first time)."""
    if "chromadb" not in sys.modules:
        with without_signature_checks():
            import chromadb  # noqa: F401
    return sys.modules["chromadb"]


def make_client(path: Path, url: str | None = None) -> Any:
    """A Chroma client: of the server at url, else of the persistent store at path."""
    chromadb = load_chromadb()
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False, allow_reset=True)
    with without_signature_checks():
        if url:
            parts = urlparse(url)
            return chromadb.HttpClient(host=parts.hostname or "127.0.0.1", port=parts.port or 8000,
                                       ssl=parts.scheme == "https", settings=settings)
        return chromadb.PersistentClient(path=str(path), settings=settings)
