"""Issue 25: the vectors of a new catalogue are built while the server answers, interrupted builds go on where
they stopped, each distinct text is embedded once, both cores embed, and one document more costs only itself.

The embedder here is the hashing test double with a gate: a build's copies of it can be held up at will, so the
state "the server is up but the vectors are not in yet" lasts as long as a test needs it.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from benchmarks.fakes import HashingEmbedder
from bot.replies import Incoming
from bot.services import build_services
from bot.settings import SHIPPED_CORPUS, Settings
from index import store
from index.catalog import Catalog
from index.chunk import chunk_catalog, corpus_key
from index.embed import get_embedder, register
from index.pool import EmbeddingPool
from index.store import VectorIndex
from prompts import t
from retrieval.search import Filters

ADMIN, PERSON = 4_200, 4_300
EDGE = Path(__file__).resolve().parent / "documents" / "TST9001-001v1_測試自動化工程人員.txt"
WAIT = 30.0
MEANING = "上線之前要怎麼確認系統沒有問題"  # no code, no name: a question by meaning


class HeldEmbedder(HashingEmbedder):
    """The build's copies wait at a gate before each batch (the questions' copy never does)."""

    name = HashingEmbedder.name  # the evidence matcher is calibrated by name
    gate = threading.Event()
    batches = 0

    def __init__(self, building: bool = False) -> None:
        self.building = building

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if self.building:
            assert self.gate.wait(WAIT * 4), "the gate was never opened"
            HeldEmbedder.batches += 1
        return super().embed_passages(texts)

    def for_building(self) -> HeldEmbedder:
        return HeldEmbedder(building=True)


register("held")(HeldEmbedder)


@pytest.fixture
def held(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Services on the shipped corpus whose vectors are built in the background, the build held at the gate."""
    yield from _held(tmp_path)


@pytest.fixture
def held_one_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The same, with the build embedding no further ahead than the document it writes (at 3,000 documents the
    build's look-ahead is a few documents of thousands; here it would be the whole corpus)."""
    monkeypatch.setattr(store, "AHEAD", 0)
    yield from _held(tmp_path)


def _held(tmp_path: Path):  # type: ignore[no-untyped-def]
    HeldEmbedder.gate.clear()
    HeldEmbedder.batches = 0
    settings = Settings(BOT_DATA_DIR=tmp_path / "data", BOT_EMBEDDER="held", BOT_CORPUS_DIR=SHIPPED_CORPUS,
                        TELEGRAM_BOT_TOKEN=None, BOT_ADMIN_IDS=str(ADMIN), BOT_BACKGROUND_BUILD_ABOVE=0)
    services = build_services(settings)
    yield services
    HeldEmbedder.gate.set()
    services.assistant.search.dense.stop()
    services.db.engine.dispose()


def ask(services, text: str, admin: bool = False, standard: str | None = None) -> str:  # type: ignore[no-untyped-def]
    user = ADMIN if admin else PERSON
    if standard:
        services.engine.handle(Incoming(chat_id=user, user_id=user, text=f"/use {standard}", command="use",
                                        args=standard, is_admin=admin))
    return "\n".join(r.text for r in services.engine.handle(Incoming(chat_id=user, user_id=user, text=text,
                                                                      is_admin=admin)))


def test_the_server_answers_before_its_vectors_are_built_and_switches_over(held) -> None:  # type: ignore[no-untyped-def]
    dense = held.assistant.search.dense
    assert dense.building and not held.assistant.search.dense_ready(), "the build waits at the gate"
    lookup = ask(held, "雲端系統開發工程人員 T2.2 的行為指標")
    assert "P2.2.1" in lookup and t("answers.meaning_preparing") not in lookup, "a code lookup needs no vectors"
    count = ask(held, "雲端系統開發工程人員有幾項工作任務")
    assert "7" in count and t("answers.meaning_preparing") not in count
    by_keywords = ask(held, MEANING)
    assert t("answers.meaning_preparing") in by_keywords, "said: search by meaning is still being prepared"
    assert t("bot.meaning_progress_starting") not in by_keywords, "the progress is for admins"
    for_admin = ask(held, MEANING + "？", admin=True)
    assert "語意搜尋索引建立中" in for_admin and t("answers.meaning_preparing") in for_admin

    HeldEmbedder.gate.set()
    deadline = time.monotonic() + WAIT
    while not held.assistant.search.dense_ready() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert held.assistant.search.dense_ready(), "the build ended"
    hits = held.assistant.search.search(MEANING, k=5)
    assert any("dense" in h.sources for h in hits), "searched by meaning now, without a restart"
    after = ask(held, MEANING + "呢")
    assert t("answers.meaning_preparing") not in after
    assert "語意搜尋索引建立中" not in ask(held, MEANING + "嗎", admin=True)


def test_current_versions_are_built_first(held) -> None:  # type: ignore[no-untyped-def]
    written: list[str] = []
    dense = held.assistant.search.dense
    original = dense.vectors._save_manifest

    def record(documents, corpus="", writing=()):  # type: ignore[no-untyped-def]
        written.extend(code for code in documents if code not in written)
        return original(documents, corpus, writing)

    dense.vectors._save_manifest = record
    HeldEmbedder.gate.set()
    deadline = time.monotonic() + WAIT
    while not dense.ready and time.monotonic() < deadline:
        time.sleep(0.05)
    statuses = [held.catalog.documents[code].status for code in written]
    assert statuses == sorted(statuses), statuses  # "current" < "historical"
    assert statuses[-1] == "historical" and "current" in statuses


def test_a_named_standard_is_searched_by_meaning_before_the_build_reaches_it(held_one_ahead) -> None:  # type: ignore[no-untyped-def]
    """Its passages are embedded for the question (by the questions' copy of the model, never the build's), and the
    build later finds them in the embedding cache instead of embedding them again."""
    held = held_one_ahead
    search = held.assistant.search
    assert not search.dense_ready(), "the build waits at the gate"
    for code in ("ISD3512-001v3", "INM3513-005"):  # a current and a historical version
        assert search.dense_ready(("current",), [code]) and not search.dense_ready(("current",))
    hits = search.search("上線之前要怎麼確認系統沒有問題", k=5, filters=Filters(standards=["ISD3512-001v3"]))
    assert hits and all(h.chunk.standard == "ISD3512-001v3" for h in hits)
    assert any("dense" in h.sources and h.similarity > 0 for h in hits), "compared by meaning"
    named = ask(held, "雲端系統開發工程人員裡，上線之前要怎麼確認系統沒有問題")
    assert t("answers.meaning_preparing") not in named, "no 'still being prepared' for a named standard"
    assert t("answers.meaning_preparing") in ask(held, MEANING), "an unnamed question still says so"
    old = search.search("依需求規劃系統整合", k=5, filters=Filters(standards=["INM3513-005"], status=None))
    assert old and any("dense" in h.sources for h in old), "a historical version too"
    assert HeldEmbedder.batches == 0, "the build's copies never ran"

    HeldEmbedder.gate.set()
    deadline = time.monotonic() + WAIT
    while not search.dense_ready() and time.monotonic() < deadline:
        time.sleep(0.05)
    report = search.dense.report
    asked = {c.embed_text for c in search.of_standards(["ISD3512-001v3", "INM3513-005"]) if c.embed_text}
    first = {c.embed_text for c in search.of_standards(report.added[:1]) if c.embed_text}  # in flight at the gate
    everything = {c.embed_text for c in search.chunks if c.embed_text}
    assert report.embedded <= len(everything - asked) + len(first & asked), "the named ones were not embedded again"
    assert report.embedded < len(everything - asked) + len(asked) - 300


def test_too_many_unwritten_passages_wait_for_the_build(held, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from index import building

    monkeypatch.setattr(building, "ON_DEMAND_LIMIT", 50)  # INM3513-005 has 328 embedded passages
    search = held.assistant.search
    assert not search.dense_ready(None, ["INM3513-005"])
    hits = search.search("系統整合", k=5, filters=Filters(standards=["INM3513-005"], status=None))
    assert hits and not any("dense" in h.sources for h in hits), "keywords alone until the build writes it"


# ------------------------------------------------------------------ the build itself
@pytest.fixture
def chunks(catalog: Catalog) -> list:
    return chunk_catalog(catalog)


def test_each_distinct_text_is_embedded_once(tmp_path: Path, chunks: list) -> None:
    vectors = VectorIndex(tmp_path / "index", get_embedder("fake"))
    report = vectors.sync(chunks)
    embedded = [c.embed_text for c in chunks if c.embed_text]
    assert report.embedded == len(set(embedded)) < len(embedded), "repeated texts (attitudes, common K/S) once"
    assert report.embedded + report.cached == report.chunks_written == len(embedded) == vectors.count()


def test_an_interrupted_build_goes_on_where_it_stopped(tmp_path: Path, chunks: list, catalog: Catalog,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "WRITE_BATCH", 1)  # each document its own group
    vectors = VectorIndex(tmp_path / "index", get_embedder("fake"))
    first = vectors.sync(chunks, on_progress=lambda report: vectors.stop() if len(report.added) >= 2 else None)
    assert len(first.added) == 2 and first.statuses_done != set(store.STATUSES), "stopped after two documents"

    again = VectorIndex(tmp_path / "index", get_embedder("fake"))  # the next start
    assert not again.is_current(chunks, corpus_key(catalog))
    rest = again.sync(chunks, corpus=corpus_key(catalog))
    assert sorted(rest.added) == sorted(set(catalog.documents) - set(first.added)), "only the documents not written"
    assert rest.embedded < first.to_write - first.chunks_written + 1
    assert again.count() == sum(1 for c in chunks if c.embed_text)
    assert again.is_current(chunks, corpus_key(catalog))


def test_a_build_stopped_inside_a_group_removes_what_it_wrote_of_it(tmp_path: Path, chunks: list,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopped between writing a group's passages and recording them (the process killed): the next build finds
    the group in the manifest's `writing`, deletes what is there of it and writes it again."""
    vectors = VectorIndex(tmp_path / "index", get_embedder("fake"))
    real_flush = store._Writer.flush

    def killed(self, cache):  # type: ignore[no-untyped-def]
        group = [code for code, _ in self.group]
        self.index._save_manifest(self.have, writing=group)
        shelf = self.index.shelf(self.by_doc[group[0]][0].status)
        rows = [c for _, rows in self.group for c in rows][:5]
        shelf.store.add_texts(texts=[c.embed_text for c in rows], metadatas=[{**c.metadata(), "cid": c.id} for c in rows],
                              ids=[c.id + "|stale" for c in rows])  # what a changed file left: ids not written again
        raise KeyboardInterrupt

    monkeypatch.setattr(store._Writer, "flush", killed)
    with pytest.raises(KeyboardInterrupt):
        vectors.sync(chunks)
    monkeypatch.setattr(store._Writer, "flush", real_flush)
    again = VectorIndex(tmp_path / "index", get_embedder("fake"))
    again.sync(chunks)
    assert again.count() == sum(1 for c in chunks if c.embed_text), "nothing left of the stopped group"


def test_one_document_more_embeds_and_writes_only_itself(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, folder)
    vectors = VectorIndex(tmp_path / "index", get_embedder("fake"))
    vectors.sync(chunk_catalog(Catalog.load(folder)))
    shutil.copy(EDGE, folder / EDGE.name)
    catalog = Catalog.load(folder)
    report = vectors.sync(chunk_catalog(catalog), corpus=corpus_key(catalog))
    own = [c for c in chunk_catalog(catalog) if c.standard == "TST9001-001v1" and c.embed_text]
    assert report.added == ["TST9001-001v1"] and not report.replaced and len(report.unchanged) == 5
    assert report.chunks_written == len(own) and report.embedded <= len({c.embed_text for c in own})


class Meeting(HashingEmbedder):
    """Copies that wait for each other inside a batch: only copies embedding at the same time get through."""

    meet = threading.Barrier(2, timeout=WAIT)

    def __init__(self, copy: bool = False) -> None:
        self.copy = copy

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if self.copy:
            self.meet.wait()
        return super().embed_passages(texts)

    def for_building(self) -> Meeting:
        return Meeting(copy=True)


def test_both_cores_embed_at_once() -> None:
    with EmbeddingPool(Meeting(), workers=2) as pool:
        futures = [pool.submit([f"第{n}段"]) for n in range(4)]
        assert all(f.result(WAIT).shape == (1, HashingEmbedder.dim) for f in futures)


def test_a_one_shot_ask_answers_by_keywords_and_says_how_to_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """`ask` on a folder missing many vectors does not spend the hour building them (a server or `index` does)."""
    import json

    from bot.cli import main

    for key, value in {"BOT_DATA_DIR": str(tmp_path / "data"), "BOT_EMBEDDER": "fake",
                       "BOT_CORPUS_DIR": str(SHIPPED_CORPUS), "BOT_BACKGROUND_BUILD_ABOVE": "100"}.items():
        monkeypatch.setenv(key, value)
    assert main(["ask", "--json", MEANING]) == 0
    out, err = capsys.readouterr()
    answer = json.loads(out)
    assert t("answers.meaning_preparing") in answer["answer"]
    assert t("cli.vectors_missing", passages="700") in err
    assert not (tmp_path / "data" / "index" / "chroma").exists(), "nothing was built"
    assert main(["ask", "--json", "雲端系統開發工程人員 T2.2 的行為指標"]) == 0
    assert "P2.2.1" in json.loads(capsys.readouterr().out)["answer"], "lookups as ever"


def test_after_an_upload_the_old_keywords_stand_in_while_the_new_ones_are_built(tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The first question after a reload does not wait for the whole corpus's BM25 (~8 s at 3,000 documents): the
    previous corpus's weights answer, mapped to the new chunks by id, and the new document is found by meaning; once
    the new weights are in, its words are found too."""
    from retrieval import search as search_module

    settings = Settings(BOT_DATA_DIR=tmp_path / "data", BOT_EMBEDDER="fake", BOT_CORPUS_DIR=SHIPPED_CORPUS,
                        TELEGRAM_BOT_TOKEN=None, BOT_ADMIN_IDS=str(ADMIN))
    services = build_services(settings)
    gate = threading.Event()
    real_build = search_module.BM25._build

    def held(self):  # type: ignore[no-untyped-def]
        assert gate.wait(WAIT), "the gate was never opened"
        return real_build(self)

    monkeypatch.setattr(search_module.BM25, "_build", held)
    services.add_document(EDGE.name, EDGE.read_bytes())
    search = services.assistant.search
    before = time.monotonic()
    hits = search.search("系統上線前的測試報告", k=10, filters=Filters(status=None))
    own = search.search("回歸測試", k=5, filters=Filters(status=None, standards=["TST9001-001v1"]))
    assert time.monotonic() - before < WAIT / 2 and not search.lexical_ready(), "answered while the build is held"
    assert any("bm25" in h.sources for h in hits), "the old corpus's keywords answer meanwhile"
    assert all(h.chunk is search.by_id[h.chunk.id] for h in hits), "the stand-in's hits are this corpus's chunks"
    assert own and all("dense" in h.sources for h in own), "the new document, by meaning"
    gate.set()
    assert search.lexical_ready(wait=WAIT)
    hits = search.search("測試自動化工程人員 回歸測試", k=10, filters=Filters(status=None))
    assert any(h.chunk.standard == "TST9001-001v1" and "bm25" in h.sources for h in hits), "and by its words"
    services.db.engine.dispose()
