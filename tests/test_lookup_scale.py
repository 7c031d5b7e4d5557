"""Lookups that must not scan the whole catalog (issue 13) still find exactly what a scan finds:
names by the substrings of a question, and the documents holding a code through the catalog's code index."""

from __future__ import annotations

import copy
import math
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from index import codes
from index.catalog import Catalog, printed_codes
from index.chunk import Chunk, chunk_catalog, corpus_key
from index.embed import get_embedder
from index.model import Standard, Unit
from index.store import VectorIndex
from retrieval import select as S
from retrieval.names import ItemIndex, NameTable, TitleIndex
from retrieval.search import BM25, Filters, HybridSearch, content_tokens, tokens
from retrieval.understand import Query, Reader


def own(catalog: Catalog) -> dict:
    """The documents copied: resolving a catalog of them sets statuses and aliases on them, and the session's
    catalog must keep its own."""
    return copy.deepcopy(catalog.documents)


def scan(names: list[str], text: str) -> list[tuple[str, int]]:
    """The reference: every name, longest first, at its first occurrence."""
    return [(name, text.find(name)) for name in sorted(names, key=len, reverse=True) if name in text]


@pytest.fixture(scope="module")
def item_names(catalog: Catalog) -> list[str]:
    return ItemIndex(catalog).names


def test_name_table_finds_what_a_scan_finds(item_names: list[str]) -> None:
    rng = random.Random(13)
    table = NameTable(item_names)
    for _ in range(300):
        parts = rng.sample(item_names, rng.randint(0, 3))
        noise = ["哪些", "需要", "的", "和", "T2.2", "？", "🙂", ""]
        text = "".join(p for pair in zip(parts, rng.choices(noise, k=len(parts)), strict=True) for p in pair)
        text = text[: rng.randint(0, len(text))] if rng.random() < 0.3 else text  # names cut in half too
        assert table.occurrences(text) == scan(item_names, text), text


def test_name_table_keeps_ties_in_the_order_given() -> None:
    table = NameTable(["乙丙", "甲乙", "甲乙丙"])
    assert table.occurrences("甲乙丙") == [("甲乙丙", 0), ("乙丙", 1), ("甲乙", 0)]
    assert table.occurrences("") == [] and table.occurrences("丁") == []


def test_title_index_finds_titles_and_parts_in_a_question(catalog: Catalog) -> None:
    titles = TitleIndex(catalog)
    for doc in catalog.standards():
        match = titles.find(f"請問{doc.title}的工作任務有哪些")
        assert doc.code in match.exact, doc.title


def test_a_short_word_pointed_at_names_a_standard_only_when_one_title_holds_it(catalog: Catalog) -> None:
    titles = TitleIndex(catalog)
    assert titles.find("雲端那份的 K03 是什麼").soft == ["ISD3512-001v3"]
    assert titles.find("規劃那一份有幾個任務").soft == ["IIS3513-006v4"]
    assert titles.find("系統那份的 K01").soft == []  # 系統 is in three titles
    assert titles.find("我想看這份的 K01").soft == []


def every_code(catalog: Catalog) -> list[tuple[str, str]]:
    return sorted({pair for doc in catalog.documents.values() for pair in printed_codes(doc)})


def query_for(sort: str, code: str) -> Query:
    q = Query(raw=code, text=code)
    {"task": q.tasks, "duty": q.duties, "item": q.items, "unit": q.unit_ids}[sort].append(code)
    return q


def test_the_code_index_holds_exactly_the_documents_a_scan_accepts(catalog: Catalog) -> None:
    printed = {("item", item.code) for doc in catalog.standards()
               for table in (doc.knowledge, doc.skills, doc.attitudes) for item in table.values()}
    strays = [("task", "T9.9"), ("item", "K99"), ("unit", "X1"), ("item", "T2.2"), ("item", "S"), ("duty", "T1.1")]
    pairs = sorted(set(every_code(catalog)) | printed) + strays
    assert len(pairs) > 300
    for sort, code in pairs:
        q = query_for(sort, code)
        scanned = [d for d in catalog.documents.values() if S.has_any(d, q)]
        assert catalog.holding(S.named_codes(q)) == scanned, (sort, code)


def test_codes_of_both_kinds_are_indexed(catalog: Catalog) -> None:
    sorts = {sort for sort, _ in every_code(catalog)}
    assert sorts == {"task", "duty", "item", "unit"}
    assert any(isinstance(d, Unit) for d in catalog.documents.values())
    assert any(isinstance(d, Standard) for d in catalog.documents.values())


# ---------------------------------------------------------------- BM25 kept on disk
QUESTIONS = ("雲端平台操作", "回歸測試案例", "可行性分析報告", "溝通協調能力", "T2.2 行為指標")


def rankings(bm25: BM25) -> list[list[tuple[int, float]]]:
    return [bm25.search(content_tokens(q), lambda c: True, 10) for q in QUESTIONS]


@pytest.fixture(scope="module")
def chunks(catalog: Catalog) -> list[Chunk]:
    return chunk_catalog(catalog)


def test_bm25_weights_are_read_back_instead_of_built(tmp_path: Path, chunks: list[Chunk],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    built = BM25(chunks, cache=tmp_path)
    assert len(list(tmp_path.glob("bm25-*"))) == 1
    monkeypatch.setattr(BM25, "_build", lambda self: pytest.fail("built again although nothing changed"))
    again = BM25(chunks, cache=tmp_path)
    assert isinstance(again.weights, np.memmap)  # read from disk on demand, not held in memory
    assert rankings(again) == rankings(built)
    assert again.coverage(["雲端", "薪水"]) == 0.5


def test_other_chunks_build_new_weights_and_the_old_file_goes(tmp_path: Path, chunks: list[Chunk]) -> None:
    BM25(chunks, cache=tmp_path)
    fewer = BM25(chunks[:-5], cache=tmp_path)
    files = list(tmp_path.glob("bm25-*"))
    assert len(files) == 1 and len(fewer.chunks) == len(chunks) - 5
    assert rankings(fewer) == rankings(BM25(chunks[:-5]))


def test_a_corrupt_weights_file_is_built_again(tmp_path: Path, chunks: list[Chunk]) -> None:
    BM25(chunks, cache=tmp_path)
    saved = next(tmp_path.glob("bm25-*"))
    (saved / "weights.npy").write_bytes(b"not an array")
    assert rankings(BM25(chunks, cache=tmp_path)) == rankings(BM25(chunks))
    assert (next(tmp_path.glob("bm25-*")) / "weights.npy").stat().st_size > 1000
    (next(tmp_path.glob("bm25-*")) / "docs.npy").unlink()
    assert rankings(BM25(chunks, cache=tmp_path)) == rankings(BM25(chunks))


def test_the_compact_weights_rank_as_plain_bm25(chunks: list[Chunk]) -> None:
    """Against a direct transcription of Okapi BM25 (k1 1.2, b 0.75) on a few questions."""
    bm25 = BM25(chunks)
    docs = [Counter(tokens(c.text)) for c in chunks]
    avg = sum(sum(d.values()) for d in docs) / len(docs)
    for q in QUESTIONS:
        query = set(content_tokens(q))
        expected = []
        for i, d in enumerate(docs):
            score = 0.0
            for tok in query:
                if tok in d:
                    df = sum(1 for x in docs if tok in x)
                    idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
                    norm = 1.2 * (1 - 0.75 + 0.75 * sum(d.values()) / avg)
                    score += idf * d[tok] * 2.2 / (d[tok] + norm)
            if score:
                expected.append((i, score))
        best = sorted(expected, key=lambda x: -x[1])[:5]
        got = bm25.search(list(query), lambda c: True, 5)
        assert [round(s, 3) for _, s in got] == [round(s, 3) for _, s in best], q


def test_weights_that_cannot_be_saved_still_answer(tmp_path: Path, chunks: list[Chunk],
                                                   caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "bm25"
    blocked.write_text("a file where the folder should be")
    assert rankings(BM25(chunks, cache=blocked)) == rankings(BM25(chunks))
    assert "not saved" in caplog.text


def test_chunks_named_by_code_are_found_through_the_code_index(catalog: Catalog, chunks: list[Chunk]) -> None:
    search = HybridSearch(chunks, None, None)
    questions = [f"{doc.code} {code}" for doc in catalog.documents.values() for _, code in sorted(printed_codes(doc))[:40]]
    questions += ["isd3512-001v3 的概覽", "T2.2 P2.2.1", "沒有代碼的問題", "K99 T9.9"]
    found = 0
    for text in questions:
        for filters in (Filters(), Filters(status=None), Filters(standards=["INM3513-005v4"])):
            named = set(codes.codes_in(text)) | {c.upper() for c in codes.standard_codes(text)}
            scanned = [c for c in chunks if named and filters.accepts(c) and (
                c.code.split("/")[-1] in named or (c.item_type == "overview" and c.standard.upper() in named))]
            assert search._exact(text, filters) == scanned, text
            found += bool(scanned)
    assert found > len(questions)


# ---------------------------------------------------------------- dense search with filters, outside Chroma's filter
DENSE_QUESTIONS = ("系統上線前要先測試", "蒐集雲端產品資訊", "資料庫存取安全", "與需求單位溝通", "撰寫測試案例")


def test_a_standard_filter_compares_that_standards_vectors_as_chroma_would(assistant) -> None:  # type: ignore[no-untyped-def]
    search = assistant.search
    for code in ("ISD3512-001v3", "INM3513-005v4", "IIS4R0751v2"):
        filters = Filters(standards=[code])
        for question in DENSE_QUESTIONS:
            vector = search.embed(question)
            chroma = search.dense.search(vector, 5, filters.where())
            ours = search._dense(question, 5, filters)
            assert [cid for cid, _ in ours] == [cid for cid, _ in chroma], (code, question)
            assert all(abs(a - b) < 1e-4 for (_, a), (_, b) in zip(ours, chroma, strict=True))
            assert all(search.by_id[cid].standard == code for cid, _ in ours)


def test_a_filter_of_item_types_is_applied_after_an_unfiltered_search(assistant) -> None:  # type: ignore[no-untyped-def]
    search = assistant.search
    embedded = [c for c in search.chunks if c.embed_text]
    for filters in (Filters(), Filters(item_types=["knowledge", "skill"]), Filters(status=None), Filters(kinds=["職能單元"])):
        searched = [c for c in embedded if filters.status in (None, c.status)]  # the status picks the collection
        expected = sum(1 for c in searched if filters.accepts(c)) / len(searched)
        assert search.share(filters) == pytest.approx(expected)
    broad = Filters(item_types=["knowledge", "skill", "indicator", "task", "unit_item"])
    assert search.share(broad) >= 0.2
    hits = search.search("資料庫存取安全", k=5, filters=broad)
    assert hits and all(h.chunk.item_type in broad.item_types for h in hits)
    assert any("dense" in h.sources for h in hits)


# ---------------------------------------------------------------- name indexes kept between starts
READ_QUESTIONS = ("雲端系統開發工程人員 T2.2 的行為指標", "哪些任務會用到計算能力", "電商系統規劃跟系統整合有什麼不同",
                  "驗收測試那一段", "INM3513-005 v4 有幾個工作任務")


def readings(reader: Reader) -> list[tuple[object, ...]]:
    out = []
    for question in READ_QUESTIONS:
        q, _ = reader.slots(question)
        out.append((q.standards, q.soft_standards, q.tasks, q.items, [(n.standard, n.code, n.sort) for n in q.named]))
    return out


def test_name_indexes_are_read_back_for_the_same_documents(tmp_path: Path, catalog: Catalog,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    first = Reader(catalog, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("names-*.pickle"))) == 1
    monkeypatch.setattr(TitleIndex, "__init__", lambda self, c: pytest.fail("built again for the same documents"))
    again = Reader(catalog, cache_dir=tmp_path)
    assert again.titles.catalog is catalog
    assert readings(again) == readings(first)
    assert again.fingerprint() == first.fingerprint()


def test_other_documents_build_new_name_indexes(tmp_path: Path, catalog: Catalog) -> None:
    Reader(catalog, cache_dir=tmp_path)
    fewer = Catalog(documents={k: v for k, v in own(catalog).items() if k != "IIS4R0751v2"},
                    hashes={k: v for k, v in catalog.hashes.items() if k != "IIS4R0751v2"})
    fewer.resolve()
    reader = Reader(fewer, cache_dir=tmp_path)
    assert all(n.standard != "IIS4R0751v2" for n in reader.items.find("驗收測試管理", []))
    assert len(list(tmp_path.glob("names-*.pickle"))) == 1


def test_a_document_of_unknown_bytes_or_a_damaged_file_means_building(tmp_path: Path, catalog: Catalog) -> None:
    unknown = Catalog(documents=own(catalog), hashes={})
    unknown.resolve()
    Reader(unknown, cache_dir=tmp_path)
    assert not list(tmp_path.glob("names-*.pickle"))
    Reader(catalog, cache_dir=tmp_path)
    saved = next(tmp_path.glob("names-*.pickle"))
    saved.write_bytes(b"\x80\x05damaged")
    assert readings(Reader(catalog, cache_dir=tmp_path)) == readings(Reader(catalog))


def test_weights_built_in_blocks_equal_weights_built_at_once(chunks: list[Chunk], monkeypatch: pytest.MonkeyPatch) -> None:
    whole = BM25(chunks)
    monkeypatch.setattr("retrieval.search.BUILD_BLOCK", 97)
    blocks = BM25(chunks)
    assert np.array_equal(whole.indptr, blocks.indptr) and np.array_equal(whole.docs, blocks.docs)
    assert np.allclose(whole.weights, blocks.weights)
    assert rankings(blocks) == rankings(whole)


# ---------------------------------------------------------------- an unchanged corpus is known by its key
def test_the_corpus_key_follows_bytes_status_and_code(catalog: Catalog) -> None:
    key = corpus_key(catalog)
    assert key and key == corpus_key(catalog)
    other_bytes = Catalog(documents=dict(catalog.documents), hashes={**catalog.hashes, "ISD3512-001v3": "0" * 64})
    assert corpus_key(other_bytes) != key
    without_v4 = Catalog(documents={k: v for k, v in own(catalog).items() if k != "INM3513-005v4"},
                         hashes=dict(catalog.hashes))
    without_v4.resolve()  # the older INM3513-005 becomes the current one
    assert corpus_key(without_v4) != key
    assert corpus_key(Catalog(documents=dict(catalog.documents), hashes={})) == ""


def test_a_store_synced_with_the_key_is_current_without_hashing(tmp_path: Path, catalog: Catalog, chunks: list[Chunk],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = VectorIndex(tmp_path, get_embedder("fake"))
    key = corpus_key(catalog)
    vectors.sync(chunks, corpus=key)
    monkeypatch.setattr("index.store._hashes", lambda chunks: pytest.fail("hashed although the key matched"))
    assert vectors.is_current(chunks, key)
    vectors.shelf("current").collection.delete(where={"standard": "ISD3512-001v3"})  # a damaged store is noticed
    assert not vectors.is_current(chunks, key)


def test_a_sync_without_the_key_drops_it(tmp_path: Path, catalog: Catalog, chunks: list[Chunk],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = VectorIndex(tmp_path, get_embedder("fake"))
    vectors.sync(chunks, corpus=corpus_key(catalog))
    vectors.sync(chunks[:-3])
    assert vectors.corpus() == ""
    assert not vectors.is_current(chunks, corpus_key(catalog))  # hashed, and found different


def test_bm25_weights_named_by_the_key_are_read_back(tmp_path: Path, catalog: Catalog, chunks: list[Chunk],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    key = corpus_key(catalog)
    built = BM25(chunks, cache=tmp_path, corpus=key)
    monkeypatch.setattr("retrieval.search.chunk_digest", lambda *a: pytest.fail("hashed although the key was given"))
    monkeypatch.setattr(BM25, "_build", lambda self: pytest.fail("built again for the same corpus"))
    assert rankings(BM25(chunks, cache=tmp_path, corpus=key)) == rankings(built)


def test_a_current_store_found_by_hashing_remembers_the_key(tmp_path: Path, catalog: Catalog, chunks: list[Chunk]) -> None:
    vectors = VectorIndex(tmp_path, get_embedder("fake"))
    vectors.sync(chunks)
    key = corpus_key(catalog)
    assert vectors.is_current(chunks, key) and vectors.corpus() == ""
    vectors.remember(key)
    assert vectors.corpus() == key and vectors.manifest()  # the documents' hashes stay


def test_questions_by_value_term_output_and_count_read_tables_built_once(catalog: Catalog,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """At 3,000 standards a walk of every document per question took 60–120 ms (by value, a remark's term, an output
    named, the most of a sort): the router builds each table once per catalog and looks questions up in it."""
    from retrieval import answer as A
    from retrieval import select
    from retrieval.assistant import Assistant

    assistant = Assistant.lexical_only(catalog)
    calls: Counter[str] = Counter()
    for module, name in ((A, "values_of"), (A, "remark_terms"), (select, "field_sizes")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _f=original, _n=name, **k: (calls.update([_n]), _f(*a, **k))[1])
    questions = ["INM 是哪個職類", "3513 是什麼職業", "資料倉儲的定義是什麼", "何謂資料倉儲", "哪一份的任務最多",
                 "哪份的知識最少", "哪個任務要交測試報告", "哪個任務要交成本效益分析"]
    answers = [assistant.ask(q) for q in questions]
    current = len(catalog.current())
    assert calls["values_of"] == current and calls["field_sizes"] == current, calls
    assert calls["remark_terms"] == current, calls
    assert all(a.citations for a in answers), [a.intent for a in answers]
    assert "INM3513-005v4" in {c.standard for c in answers[0].citations}
