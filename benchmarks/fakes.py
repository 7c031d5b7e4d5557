"""The hashing embedders the tests and the benchmarks use instead of the e5 model, registered when this module is
imported (`benchmarks/__init__.py` imports it; tests/conftest.py does for the tests, as `llm` registers its test
models from its conftest). The product registers only real models; a process of the product (`competency-bot serve`
started by a test) loads these with BOT_PLUGINS=benchmarks.fakes.

`fake` is a deterministic bag of character bigrams hashed into 256 dimensions; `fake384` the same at the real
model's width, so the benchmarks measure the vector store at 3,000 documents without hours of e5 embedding.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from index.embed import register


class HashingEmbedder:
    """Deterministic bag of character bigrams, hashed into 256 dimensions. For tests only."""

    name = "fake-hashing-256"
    dim = 256

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        chars = re.sub(r"\s+", "", text)
        for gram in (chars[i : i + 2] for i in range(max(1, len(chars) - 1))):
            h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=4).digest(), "little")
            vec[h % self.dim] += 1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


class WideHashingEmbedder(HashingEmbedder):
    """The hashing embedder at the real model's width (384). For tests and benchmarks only."""

    name = "fake-hashing-384"
    dim = 384


register("fake")(HashingEmbedder)
register("fake384")(WideHashingEmbedder)
