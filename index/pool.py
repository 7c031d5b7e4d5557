"""Both cores embedding during an index build (issue 25): one copy of the model per core, each running one
batch at a time on one core, in threads (the model's C engine lets go of the GIL while it computes).

Batches are handed out as futures, so the build writes the vectors of one document to the store while the
copies embed the next ones. An embedder without `for_building` (the hashing test doubles) is shared by the
workers as it is: it holds no lock and no model.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from index.embed import Embedder, for_building


def cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class EmbeddingPool:
    def __init__(self, embedder: Embedder, workers: int | None = None) -> None:
        self.workers = workers or cores()
        self._copies: queue.SimpleQueue[Embedder] = queue.SimpleQueue()
        for _ in range(self.workers):
            self._copies.put(for_building(embedder))
        self._threads = ThreadPoolExecutor(self.workers, thread_name_prefix="embed")

    def submit(self, texts: Sequence[str]) -> Future[np.ndarray]:
        return self._threads.submit(self._embed, list(texts))

    def _embed(self, texts: list[str]) -> np.ndarray:
        copy = self._copies.get()
        try:
            return copy.embed_passages(texts)
        finally:
            self._copies.put(copy)

    def close(self) -> None:
        """Stops the workers (batches not started are dropped) and lets the copies of the model go."""
        self._threads.shutdown(wait=True, cancel_futures=True)
        while not self._copies.empty():
            self._copies.get()

    def __enter__(self) -> EmbeddingPool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
