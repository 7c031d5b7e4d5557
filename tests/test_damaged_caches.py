"""Issue 23 #7: any read error in any cache of the data dir means building it again, never an error.

Each file the data dir keeps between starts (parsed documents, name indexes, the question classifier's
masked examples, n-gram model and example vectors, the BM25 arrays, the vector index's manifest) is
damaged in several ways: cut short, emptied, overwritten with random bytes, replaced by a well-formed
file of the wrong type or shape, overwritten or flipped inside its intact header. The next start must answer as before and leave a healthy file behind.
(The embedding cache and the Chroma store have their own tests: test_hardening.py, test_index.py.)
"""

from __future__ import annotations

import io
import json
import pickle
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bot.settings import SHIPPED_CORPUS, Settings
from bot.wiring import build_assistant

QUESTIONS = [("T2.2 的行為指標", "ISD3512-001v3"), ("系統上線前要先測試", None), ("哪些任務需要 K07", "INM3513-005v4")]
CACHES = {  # a name -> the glob of its files inside the index folder
    "parsed document": "parsed/*.pickle",
    "name indexes": "names-*.pickle",
    "masked examples": "masked-*.json",
    "n-gram model": "lexical-*.npz",
    "example vectors": "kinds-*.npy",
    "BM25 vocabulary": "bm25/*/vocab.npy",
    "BM25 offsets": "bm25/*/indptr.npy",
    "BM25 postings": "bm25/*/docs.npy",
    "BM25 weights": "bm25/*/weights.npy",
    "vector manifest": "manifest-*.json",
}


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _wrong_type(path: Path) -> bytes:
    """A well-formed file of the same format holding something else."""
    if path.suffix == ".pickle":
        return pickle.dumps({"not": "a document"} if "parsed" in str(path) else ("two", "strings"))
    if path.suffix == ".json":
        return json.dumps([4, "documents"] if "manifest" in path.name else {"a": 1}).encode()
    if path.suffix == ".npz":
        return _npz(vocab=np.arange(5), idf=np.array(["x"] * 5), rows=np.zeros(3), cols=np.zeros(3), values=np.zeros(3))
    if path.name == "vocab.npy":
        return _npy(np.arange(10, dtype=np.float64))
    return _npy(np.array([["not", "numbers"]]))


def _inner_damage(path: Path) -> bytes:
    """The header kept, the data overwritten with large numbers (a memory-mapped array shows this only when read)."""
    data = bytearray(path.read_bytes())
    header = 128 if path.suffix == ".npy" else len(data) // 4
    data[header:] = b"\x7f" * (len(data) - header)
    return bytes(data)


def _flipped(path: Path) -> bytes:
    """Every seventh byte after the first 16 flipped: the format's header intact, its content not."""
    data = bytearray(path.read_bytes())
    for i in range(16, len(data), 7):
        data[i] ^= 0x55
    return bytes(data)


def _bad_utf8(path: Path) -> bytes:
    """The lead byte of the first CJK character in UTF-8 made invalid (a pickle's or JSON's text no longer decodes)."""
    data = bytearray(path.read_bytes())
    at = next((i for i in range(16, len(data)) if 0xE4 <= data[i] <= 0xE9), len(data) // 2)
    data[at] = 0xFF
    return bytes(data)


DAMAGE: dict[str, Callable[[Path], bytes]] = {
    "cut short": lambda path: path.read_bytes()[: len(path.read_bytes()) // 2],
    "emptied": lambda path: b"",
    "random bytes": lambda path: random.Random(path.name).randbytes(max(64, path.stat().st_size)),
    "wrong type": _wrong_type,
    "overwritten inside": _inner_damage,
    "bytes flipped": _flipped,
    "bad UTF-8": _bad_utf8,
}


def _settings(data: Path) -> Settings:
    return Settings(BOT_DATA_DIR=data, BOT_EMBEDDER="fake", BOT_CORPUS_DIR=SHIPPED_CORPUS, TELEGRAM_BOT_TOKEN=None)


def _answers(data: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    assistant = build_assistant(_settings(data), lazy=True)  # a new process's start: everything read from disk
    out = []
    for question, standard in QUESTIONS:
        answer = assistant.ask(question, standard)
        out.append((answer.answer, [(c.standard, c.code) for c in answer.citations]))
    return out


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    data = tmp_path_factory.mktemp("healthy") / "data"
    build_assistant(_settings(data))  # writes every cache (the server's start)
    return data, _answers(data)


def test_every_cache_is_there(healthy: tuple[Path, list]) -> None:
    data, _ = healthy
    for name, pattern in CACHES.items():
        assert list((data / "index").glob(pattern)), name


ARRAYS_ONLY, TEXT_ONLY = ("overwritten inside",), ("bad UTF-8", "emptied")
CASES = [(cache, damage) for cache, pattern in CACHES.items() for damage in DAMAGE
         if not (damage in TEXT_ONLY and pattern.endswith(".npy") or damage in ARRAYS_ONLY and not pattern.endswith(".npy"))]


@pytest.mark.parametrize(("cache", "damage"), CASES)
def test_a_damaged_cache_is_built_again_and_the_answers_stay(healthy: tuple[Path, list], tmp_path: Path,
                                                             cache: str, damage: str) -> None:
    source, answers = healthy
    data = tmp_path / "data"
    shutil.copytree(source, data)
    files = sorted((data / "index").glob(CACHES[cache]))
    for path in files:
        path.write_bytes(DAMAGE[damage](path))
    damaged = {path: path.read_bytes() for path in files}
    assert _answers(data) == answers
    for path, bytes_ in damaged.items():
        rebuilt = sorted(path.parent.glob(path.name.split("-")[0] + "*")) if not path.exists() else [path]
        assert rebuilt and all(p.read_bytes() != bytes_ for p in rebuilt), f"{path.name} left damaged"
    assert _answers(data) == answers, "the rebuilt file reads back"
