"""Both cores embedding during an index build (issue 25): one copy of the model per core, each running one
batch at a time on one core, in threads (the model's C engine lets go of the GIL while it computes).

Batches are handed out as futures, so the build writes the vectors of one document to the store while the
copies embed the next ones. The workers run at a lower priority than the rest of the process. An embedder without `for_building` (the hashing test doubles) is shared by the
workers as it is: it holds no lock and no model.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
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


BUILD_NICENESS = 10  # a build's threads yield the cores to the threads answering questions


def lower_priority() -> None:
    """Lowers the calling thread's scheduling priority (Linux: a thread's own nice value). A build runs on the cores
    the questions leave free: the first start of a new catalogue answers while it builds."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed: the build simply competes
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BUILD_NICENESS)


class EmbeddingPool:
    def __init__(self, embedder: Embedder, workers: int | None = None) -> None:
        self.workers = workers or cores()
        self._copies: queue.SimpleQueue[Embedder] = queue.SimpleQueue()
        for _ in range(self.workers):
            self._copies.put(for_building(embedder))
        self._threads = ThreadPoolExecutor(self.workers, thread_name_prefix="embed", initializer=lower_priority)

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
