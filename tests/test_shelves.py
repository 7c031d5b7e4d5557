"""The vector index keeps a collection per status (issue 13): a server answering questions about current
versions never loads the historical versions' vectors, and every document sits in the collection of its status."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.wiring import build_assistant
from index.catalog import Catalog
from index.chunk import chunk_catalog, corpus_key
from index.embed import get_embedder
from index.store import STATUSES, VectorIndex, collection_name

OLD = "INM3513-005"  # the shipped historical version
CURRENT_QUESTIONS = ("哪個任務需要建立維修時間表？", "資料庫存取安全", "與需求單位溝通需求", "撰寫測試報告")


def embedded_by_status(catalog: Catalog) -> Counter[str]:
    return Counter(c.status for c in chunk_catalog(catalog) if c.embed_text)


def test_each_document_is_in_the_collection_of_its_status(tmp_path: Path, catalog: Catalog) -> None:
    vectors = VectorIndex(tmp_path, get_embedder("fake"))
    vectors.sync(chunk_catalog(catalog))
    expected = embedded_by_status(catalog)
    assert expected["historical"] > 0
    assert {s: vectors.shelves[s].collection.count() for s in STATUSES} == {s: expected[s] for s in STATUSES}
    assert vectors.placed()[OLD] == "historical" and vectors.placed()["INM3513-005v4"] == "current"


def test_searches_keep_a_wide_candidate_list_also_in_a_collection_made_narrow(tmp_path: Path, catalog: Catalog) -> None:
    """Copies of one text in hundreds of standards make clusters a search with Chroma's 100 candidates does not
    leave; a collection made before SEARCH_EF (with 100) is widened when it is opened."""
    from index.store import SEARCH_EF

    vectors = VectorIndex(tmp_path, get_embedder("fake"))
    vectors.sync(chunk_catalog(catalog))
    name = vectors.shelves["current"].name
    assert vectors.shelves["current"].collection.configuration_json["hnsw"]["ef_search"] == SEARCH_EF
    vectors.client.get_collection(name).modify(configuration={"hnsw": {"ef_search": 100}})
    again = VectorIndex(tmp_path, get_embedder("fake"))
    assert again.shelves["current"].collection.configuration_json["hnsw"]["ef_search"] == SEARCH_EF


def test_a_document_that_becomes_current_moves_collection(tmp_path: Path, catalog: Catalog) -> None:
    vectors = VectorIndex(tmp_path, get_embedder("fake"))
    vectors.sync(chunk_catalog(catalog))
    without_v4 = Catalog(documents={k: v for k, v in copy.deepcopy(catalog.documents).items() if k != "INM3513-005v4"},
                         hashes=dict(catalog.hashes))
    without_v4.resolve()  # the older INM3513-005 becomes the current one
    report = VectorIndex(tmp_path, get_embedder("fake")).sync(chunk_catalog(without_v4))
    assert report.replaced == [OLD] and report.removed == ["INM3513-005v4"]
    again = VectorIndex(tmp_path, get_embedder("fake"))
    assert again.shelves["historical"].collection.count() == 0
    assert again.shelves["current"].collection.count() == embedded_by_status(without_v4)["current"]
    assert again.placed()[OLD] == "current"


def test_a_server_answering_about_current_versions_never_loads_the_historical_vectors(tmp_path: Path,
                                                                                       catalog: Catalog) -> None:
    settings = Settings(BOT_DATA_DIR=tmp_path, BOT_EMBEDDER="fake")
    build_assistant(settings, catalog)  # builds the index (both collections)
    restarted = build_assistant(settings, catalog)
    shelves = restarted.search.dense.shelves
    for question in CURRENT_QUESTIONS:
        answer = restarted.ask(question)
        assert answer.citations and all(c.standard != OLD for c in answer.citations), question
    assert shelves["current"].opened and not shelves["historical"].opened

    answer = restarted.ask(f"{OLD} 哪個任務需要撰寫測試報告")  # a historical version named: its own vectors
    assert shelves["historical"].opened
    assert answer.citations and all(c.standard == OLD for c in answer.citations)


def test_a_missing_historical_collection_is_noticed_without_loading_it(tmp_path: Path, catalog: Catalog) -> None:
    chunks = chunk_catalog(catalog)
    VectorIndex(tmp_path, get_embedder("fake")).sync(chunks)
    vectors = VectorIndex(tmp_path, get_embedder("fake"))
    assert vectors.is_current(chunks) and not vectors.shelves["historical"].opened
    vectors.client.delete_collection(collection_name(get_embedder("fake"), "historical"))
    assert not VectorIndex(tmp_path, get_embedder("fake")).is_current(chunks)


def test_a_single_collection_of_the_previous_schema_is_replaced(tmp_path: Path, catalog: Catalog) -> None:
    vectors = VectorIndex(tmp_path, get_embedder("fake"))
    legacy = collection_name(get_embedder("fake"))
    vectors.client.get_or_create_collection(legacy, embedding_function=None).add(ids=["x"], embeddings=[[0.1] * 256])
    vectors.manifest_path.write_text(json.dumps({"schema": 3, "collection": legacy, "documents": {"X": "1"}}))
    chunks = chunk_catalog(catalog)
    assert not vectors.is_current(chunks)
    report = vectors.sync(chunks)
    assert len(report.added) == len(catalog.documents)
    names = {c.name for c in vectors.client.list_collections()}
    assert legacy not in names and {collection_name(get_embedder("fake"), s) for s in STATUSES} <= names
    assert VectorIndex(tmp_path, get_embedder("fake")).is_current(chunks)


def test_chromadb_opens_without_signature_checks_and_leaves_the_decorator_as_it_was(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path\n"
        "import overrides; real = (overrides.override, overrides.overrides)\n"
        "from index.chroma import make_client\n"
        "client = make_client(Path(sys.argv[1]))\n"
        "assert (overrides.override, overrides.overrides) == real\n"
        "from chromadb.api.rust import RustBindingsAPI\n"
        "assert getattr(RustBindingsAPI.start, '__override__', False)\n"
        "col = client.create_collection('abc', embedding_function=None)\n"
        "col.add(ids=['a', 'b'], embeddings=[[1.0, 0.0], [0.0, 1.0]])\n"
        "assert col.query(query_embeddings=[[0.9, 0.1]], n_results=1)['ids'] == [['a']]\n"
    )
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path / "chroma")],
                         cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_an_unchanged_build_loads_no_collection(tmp_path: Path, catalog: Catalog) -> None:
    chunks = chunk_catalog(catalog)
    VectorIndex(tmp_path, get_embedder("fake")).sync(chunks)
    vectors = VectorIndex(tmp_path, get_embedder("fake"))
    report = vectors.sync(chunks)
    assert not report.changed and len(report.unchanged) == len(catalog.documents)
    assert not any(shelf.opened for shelf in vectors.shelves.values())


def test_a_store_known_by_its_corpus_key_is_checked_against_the_recorded_counts(
        tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    chunks, key = chunk_catalog(catalog), corpus_key(catalog)
    VectorIndex(tmp_path, get_embedder("fake")).sync(chunks, corpus=key)
    monkeypatch.setattr("index.store._counts", lambda chunks: pytest.fail("counted the chunks again"))
    vectors = VectorIndex(tmp_path, get_embedder("fake"))
    assert vectors.is_current(chunks, key)
    vectors.shelves["current"].collection.delete(where={"standard": "ISD3512-001v3"})
    assert not VectorIndex(tmp_path, get_embedder("fake")).is_current(chunks, key)
