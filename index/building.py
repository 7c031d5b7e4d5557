"""A server's vector index while its vectors are still being built (issue 25: answering from the first minute).

A server on a folder whose vectors are missing (a new deployment of the whole catalogue: an hour of
embedding) does not wait for them. It starts answering at once: code lookups, lists, counts and keyword
(BM25) search need no vectors, and questions by meaning are answered by keywords with a line saying that
search by meaning is still being prepared (admins also see how far the build is). The build runs in a
thread, current versions first: questions about current versions are searched by meaning as soon as those
are in, every question once all are, without a restart. A build stopped by the server's shutdown goes on
where it stopped at the next start (the manifest records each group of documents written).

A question that names its standards does not wait for the build to reach them: their passages not written yet
(at most ON_DEMAND_LIMIT) are embedded for that question, compared exactly as written ones are, and kept in the
embedding cache, where the build finds them when it gets there (never embedded twice). So from the first
minute a question about a named standard, current or historical, is answered by meaning, and once the current
versions are in, so is every question (one about an unnamed older version waits for the historical ones).

`BackgroundIndex` stands where the VectorIndex stands (HybridSearch.dense): every attribute is the
index's, plus `ready_for` (whether vectors of these statuses can be searched), `covers` (whether these
documents' vectors can be compared now) and `progress`.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from index.chunk import Chunk
from index.store import STATUSES, SyncReport, VectorIndex, cosines
from prompts import t

log = logging.getLogger(__name__)
STOP_WAIT = 60.0  # seconds a shutting-down process waits for the group being written
# passages a question may embed itself for the standards it names (the largest shipped document has 328: ~7 s
# on one busy core, in batches, so other people's questions slip in between)
ON_DEMAND_LIMIT = 1000


@dataclass(frozen=True)
class Progress:
    written: int  # passages written so far
    total: int  # passages this build writes
    seconds: float  # since the build started
    current_ready: bool  # current versions searchable by meaning

    @property
    def percent(self) -> int:
        return int(100 * self.written / self.total) if self.total else 0

    def note(self) -> str:
        """The line shown to admins under an answer."""
        if not self.total:
            return t("bot.meaning_progress_starting")
        minutes = self.minutes_left
        return t("bot.meaning_progress", written=f"{self.written:,}", total=f"{self.total:,}", percent=self.percent,
                 eta=t("bot.meaning_progress_eta", minutes=minutes) if minutes else "",
                 current=t("bot.meaning_progress_current") if self.current_ready else "")

    @property
    def minutes_left(self) -> int | None:
        """At the pace so far; None before there is a pace."""
        if not self.written or self.seconds < 1:
            return None
        return max(1, round((self.total - self.written) * self.seconds / self.written / 60))


class BackgroundIndex:
    def __init__(self, vectors: VectorIndex, chunks: Sequence[Chunk], corpus: str = "") -> None:
        self.vectors = vectors
        self._target: tuple[list[Chunk], str] | None = (list(chunks), corpus)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.report = SyncReport()
        self._started = time.monotonic()
        self._built = False

    # ------------------------------------------------------------ the build
    def start(self) -> BackgroundIndex:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="index-build", daemon=True)
                self._thread.start()
                atexit.register(self.stop)
        return self

    def _run(self) -> None:
        from index.pool import lower_priority

        lower_priority()
        while True:
            with self._lock:
                target, self._target = self._target, None
                if target is None:
                    self._thread = None
                    return
            chunks, corpus = target
            report = SyncReport()
            self.report, self._started = report, time.monotonic()
            try:
                self.vectors.sync(chunks, corpus=corpus, report=report)
            except Exception:  # noqa: BLE001 - the server answers without vectors; the next start tries again
                log.exception("building the vector index failed")
                with self._lock:
                    self._thread = None
                return
            log.info("vector index built: %s", report)
            with self._lock:
                if self._target is None and report.statuses_done == set(STATUSES):
                    self._built = True

    def stop(self, wait: float = STOP_WAIT) -> None:
        """Stops the build after the group of documents it is writing (the next start goes on from there)."""
        self.vectors.stop()
        thread = self._thread
        if thread is not None:
            thread.join(wait)

    @property
    def building(self) -> bool:
        return self._thread is not None

    # ------------------------------------------------------------ what questions see
    @property
    def ready(self) -> bool:
        return self.ready_for(None)

    def ready_for(self, statuses: Sequence[str] | None) -> bool:
        """Whether the vectors of these statuses (None: all) are all in."""
        return self._built or set(statuses or STATUSES) <= self.report.statuses_done

    def covers(self, chunks: Sequence[Chunk]) -> bool:
        """Whether the vectors of these chunks can be compared now: written, or few enough passages for the
        question to embed them itself."""
        return self.ready or len(self._unwritten(chunks)) <= ON_DEMAND_LIMIT

    def search_among(self, vector: Sequence[float], chunks: Sequence[Chunk], k: int) -> list[tuple[str, float]]:
        """VectorIndex.search_among, with the passages of documents not written yet embedded now."""
        if self.ready:
            return self.vectors.search_among(vector, chunks, k)
        unwritten = self._unwritten(chunks)
        waiting = {c.id for c in unwritten}
        written = [c for c in chunks if c.id not in waiting]
        found = self.vectors.search_among(vector, written, k) if written else []
        if unwritten:
            matrix = self.vectors.cache.embed([c.embed_text or "" for c in unwritten])
            found += [(c.id, float(sim)) for c, sim in zip(unwritten, cosines(vector, matrix), strict=True)]
        return sorted(found, key=lambda pair: -pair[1])[:k]

    def _unwritten(self, chunks: Sequence[Chunk]) -> list[Chunk]:
        """The embedded chunks of documents the build has not written yet."""
        placed = self.vectors.placed()
        return [c for c in chunks if c.embed_text and c.standard not in placed]

    def progress(self) -> Progress | None:
        """How far the build is; None once it is done."""
        if self.ready:
            return None
        report = self.report
        return Progress(report.chunks_written, report.to_write, time.monotonic() - self._started,
                        STATUSES[0] in report.statuses_done)

    def sync(self, chunks: Sequence[Chunk], corpus: str = "", **kwargs: Any) -> SyncReport:
        """New chunks (a reload, an upload): while building, the build goes on to them when its current pass
        ends; otherwise they are synced now (a document added to a built index: only its passages)."""
        with self._lock:
            if self._thread is not None:
                self._target = (list(chunks), corpus)
                self._built = False
                return SyncReport()
        return self.vectors.sync(chunks, corpus=corpus, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.vectors, name)
