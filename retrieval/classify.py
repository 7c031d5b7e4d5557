"""The kind of a question, learnt from labelled examples (retrieval/data/kinds.toml).

Two views of the same examples vote:
- lexical: TF-IDF over character 1-3-grams (and English words), cosine to every example;
- dense: the bundled e5 model's query vectors, when an embedder is at hand.
Each kind scores the mean similarity of its three nearest examples, so a kind with many examples
does not outvote one with few. Questions are masked first (standards, codes and item names become
placeholders, see understand.mask), so the examples teach what is asked, not what it is about.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.cachefile import npy_bytes, npz_bytes, write_whole
from index.versions import code_version
from retrieval.kinds import check_examples

EXAMPLES = Path(__file__).parent / "data" / "kinds.toml"
MASK_STANDARD, MASK_CODE, MASK_ITEM = "〔職業〕", "〔代碼〕", "〔項目〕"
# The lexical view drops the standard (naming one is structure, read apart) and keeps a code or a
# named item as one symbol each, so "〔職業〕的…" does not make every question look like a list.
_LEXICAL_VIEW = {MASK_STANDARD: " ", MASK_CODE: "Ⓒ", MASK_ITEM: "Ⓘ"}
NEIGHBOURS = 3
DENSE_WEIGHT = 0.5
_WORD = re.compile(r"[a-z]+")

Embed = Callable[[str], np.ndarray]
log = logging.getLogger(__name__)


def load_examples(path: Path = EXAMPLES) -> list[tuple[str, str]]:
    """(question, kind) pairs, in file order."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    check_examples(set(data))
    return [(q, kind) for kind, questions in data.items() for q in questions]


def features(text: str) -> Counter[str]:
    for mask, symbol in _LEXICAL_VIEW.items():
        text = text.replace(mask, symbol)
    compact = re.sub(r"\s+", "", text.lower())
    grams: Counter[str] = Counter()
    for n in (1, 2, 3):
        grams.update(compact[i : i + n] for i in range(len(compact) - n + 1))
    words = _WORD.findall(text.lower())
    grams.update("w:" + w for w in words)
    grams.update("w:" + a + "_" + b for a, b in zip(words, words[1:], strict=False))
    return grams


@dataclass
class Prediction:
    kind: str
    scores: dict[str, float]

    @property
    def margin(self) -> float:
        ranked = sorted(self.scores.values(), reverse=True)
        return ranked[0] - ranked[1] if len(ranked) > 1 else ranked[0]

    def top(self, n: int = 3) -> list[tuple[str, float]]:
        return sorted(self.scores.items(), key=lambda kv: -kv[1])[:n]


class KindClassifier:
    def __init__(self, examples: Sequence[tuple[str, str]], mask: Callable[[str], str] = lambda s: s,
                 cache_dir: Path | None = None, fingerprint: str = "") -> None:
        """fingerprint: whatever the masking depends on (the catalog's names, the reading code); with a
        cache_dir, masked examples are kept on disk under it, so a start need not mask them again."""
        self.mask = mask
        self.cache_dir = cache_dir  # where masked examples and example vectors are kept between processes
        self.texts = self._masked_examples([q for q, _ in examples], fingerprint)
        self.kinds = [k for _, k in examples]
        self.labels = sorted(set(self.kinds))
        self._label_rows = {k: np.array([i for i, x in enumerate(self.kinds) if x == k]) for k in self.labels}
        self._lexical()
        self._dense_matrix: np.ndarray | None = None
        self._dense_key = ""

    def _masked_examples(self, questions: list[str], fingerprint: str) -> list[str]:
        key = hashlib.sha256((fingerprint + "\0" + "\n".join(questions)).encode()).hexdigest()
        path = self.cache_dir / f"masked-{key[:16]}.json" if self.cache_dir and fingerprint else None
        try:
            cached = json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else None
        except Exception:  # noqa: BLE001 - any damage: masked again
            cached = None
        if isinstance(cached, list) and len(cached) == len(questions) and all(isinstance(x, str) for x in cached):
            return cached
        texts = [self.mask(q) for q in questions]
        if path is not None:  # replacing the examples masked for documents no longer loaded
            write_whole(path, json.dumps(texts, ensure_ascii=False).encode("utf-8"), replaces="masked-*.json")
        return texts

    # ------------------------------------------------------------ lexical view
    def _lexical(self) -> None:
        """The n-gram model of the examples, read back from the data dir when this code fitted the same
        examples before (fitting ran at every start: ~60 ms of a one-shot code lookup)."""
        key = hashlib.sha256((code_version(__name__) + "\n" + "\n".join(self.texts)).encode()).hexdigest()
        path = self.cache_dir / f"lexical-{key[:16]}.npz" if self.cache_dir else None
        if path is not None and self._load_lexical(path):
            return
        rows, cols, values = self._fit_lexical()
        if path is not None:
            saved = npz_bytes(vocab=np.array(list(self.vocab)), idf=self.idf, rows=rows, cols=cols, values=values)
            write_whole(path, saved, replaces="lexical-*.npz")

    def _load_lexical(self, path: Path) -> bool:
        """The saved model if it reads back whole and fits these examples; any damage (a truncated zip, random
        bytes, arrays of another type or shape) means fitting again."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                vocab, idf = saved["vocab"], saved["idf"]
                rows, cols, values = saved["rows"], saved["cols"], saved["values"]
            if not _lexical_arrays_fit(vocab, idf, rows, cols, values, len(self.texts)):
                return False
            self.vocab, self.idf = {str(g): i for i, g in enumerate(vocab.tolist())}, idf.astype(np.float32)
            self.matrix = _rows(len(self.texts), len(vocab), rows, cols, values)
        except FileNotFoundError:
            return False
        except Exception as e:  # noqa: BLE001 - the file is only a cache
            log.warning("question classifier cache %s unreadable (%s); fitting again", path.name, type(e).__name__)
            return False
        return True

    def _fit_lexical(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fits vocabulary, idf and the examples' unit rows; returns the rows' non-zero entries."""
        bags = [features(t) for t in self.texts]
        df: Counter[str] = Counter(g for bag in bags for g in bag)
        n = len(bags)
        self.vocab = {g: i for i, g in enumerate(sorted(df))}
        self.idf = np.array([math.log((1 + n) / (1 + df[g])) + 1 for g in sorted(df)], dtype=np.float32)
        rows = np.array([r for r, bag in enumerate(bags) for _ in bag], dtype=np.int32)
        cols = np.array([self.vocab[g] for bag in bags for g in bag], dtype=np.int32)
        tfs = np.array([tf for bag in bags for tf in bag.values()], dtype=np.float32)
        values = (1 + np.log(tfs)) * self.idf[cols]
        self.matrix = _rows(n, len(self.vocab), rows, cols, values)
        return rows, cols, values

    def _vector(self, bag: Counter[str]) -> np.ndarray:
        vec = np.zeros(len(self.vocab), dtype=np.float32)
        for g, tf in bag.items():
            i = self.vocab.get(g)
            if i is not None:
                vec[i] = (1 + math.log(tf)) * self.idf[i]
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    # ------------------------------------------------------------ dense view
    def _dense_examples(self, embed: Embed, model: str) -> np.ndarray:
        key = hashlib.sha256((model + "\0" + "\n".join(self.texts)).encode()).hexdigest()
        if self._dense_matrix is None or self._dense_key != key:
            self._dense_matrix = self._cached(key) if self.cache_dir else None
            if self._dense_matrix is None:
                self._dense_matrix = np.stack([_unit(embed(t)) for t in self.texts])
                self._save(key, self._dense_matrix)
            self._dense_key = key
        return self._dense_matrix

    def _cache_file(self, key: str) -> Path | None:
        return self.cache_dir / f"kinds-{key[:16]}.npy" if self.cache_dir else None

    def _cached(self, key: str) -> np.ndarray | None:
        path = self._cache_file(key)
        try:
            matrix = np.load(path, allow_pickle=False) if path and path.is_file() else None
        except Exception:  # noqa: BLE001 - any damage: embedded again
            return None
        fits = (isinstance(matrix, np.ndarray) and matrix.ndim == 2 and matrix.shape[0] == len(self.texts)
                and matrix.dtype.kind == "f" and bool(np.isfinite(matrix).all())
                and bool((np.abs(np.linalg.norm(matrix.astype(np.float64), axis=1) - 1) < 1e-3).all()))  # unit rows
        return matrix.astype(np.float32) if fits else None

    def _save(self, key: str, matrix: np.ndarray) -> None:
        path = self._cache_file(key)
        if path is not None:  # a read-only data dir: the vectors are simply computed again next time
            write_whole(path, npy_bytes(matrix))

    # ------------------------------------------------------------ prediction
    def _per_kind(self, sims: np.ndarray) -> dict[str, float]:
        out = {}
        for kind, rows in self._label_rows.items():
            best = np.sort(sims[rows])[-NEIGHBOURS:]
            out[kind] = float(best.mean())
        return out

    def predict(self, masked: str, embed: Embed | None = None, model: str = "") -> Prediction:
        """Scores per kind for a question already masked like the examples."""
        lexical = self._per_kind(self.matrix @ self._vector(features(masked)))
        if embed is None:
            return Prediction(max(lexical, key=lexical.__getitem__), lexical)
        dense_sims = self._dense_examples(embed, model) @ _unit(embed(masked))
        dense = self._per_kind(dense_sims)
        scores = {k: (1 - DENSE_WEIGHT) * lexical[k] + DENSE_WEIGHT * _stretch(dense[k]) for k in self.labels}
        return Prediction(max(scores, key=scores.__getitem__), scores)


def _lexical_arrays_fit(vocab: np.ndarray, idf: np.ndarray, rows: np.ndarray, cols: np.ndarray, values: np.ndarray,
                        n: int) -> bool:
    """Arrays of the types, shapes and ranges the n-gram model of n examples has."""
    one_dimensional = all(a.ndim == 1 for a in (vocab, idf, rows, cols, values))
    return (one_dimensional and vocab.dtype.kind == "U" and idf.dtype.kind == "f" and len(idf) == len(vocab)
            and rows.dtype.kind in "iu" and cols.dtype.kind in "iu" and values.dtype.kind == "f"
            and len(rows) == len(cols) == len(values)
            and (not len(rows) or (int(rows.min()) >= 0 and int(rows.max()) < n
                                   and int(cols.min()) >= 0 and int(cols.max()) < len(vocab)))
            and bool(np.isfinite(idf).all() and np.isfinite(values).all()))


def _rows(n: int, width: int, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Unit-length rows from their non-zero entries."""
    norms = np.sqrt(np.bincount(rows, weights=values.astype(np.float64) ** 2, minlength=n))
    matrix = np.zeros((n, width), dtype=np.float32)
    matrix[rows, cols] = values / np.where(norms == 0, 1, norms)[rows]
    return matrix


def _unit(vec: np.ndarray) -> np.ndarray:
    vec = np.asarray(vec, dtype=np.float32)
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm else vec


def _stretch(similarity: float) -> float:
    """e5 similarities crowd into 0.75-0.95; spread them over the lexical scale."""
    return max(0.0, (similarity - 0.75) / 0.25)
