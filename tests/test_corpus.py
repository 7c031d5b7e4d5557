"""One corpus, one holder (issue 24): the command line, the terminal chat and the server answer from the same
documents (the corpus folder and the admins' uploads), `show` composes through the assistant's router, and a
reload swaps the one catalog every part reads."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.replies import Incoming
from bot.services import build_services
from bot.settings import SHIPPED_CORPUS, Settings
from bot.wiring import read_catalog, uploads_dir
from index.catalog import Catalog
from index.holder import CatalogHolder
from retrieval.assistant import Assistant
from tests.test_cli_lookups import run

ROOT = Path(__file__).resolve().parents[1]
UPLOADED = next((ROOT / "tests" / "documents").glob("TST9001-001v1_*.txt"))
CODE = "TST9001-001v1"


def with_upload(tmp_path: Path) -> Settings:
    settings = Settings(BOT_DATA_DIR=tmp_path / "data", BOT_EMBEDDER="fake", BOT_CORPUS_DIR=SHIPPED_CORPUS,
                        DATABASE_URL=None, TELEGRAM_BOT_TOKEN=None)
    uploads_dir(settings).mkdir(parents=True)
    shutil.copy(UPLOADED, uploads_dir(settings) / UPLOADED.name)
    return settings


def test_the_command_line_answers_from_the_uploads_as_the_server_does(tmp_path: Path) -> None:
    settings = with_upload(tmp_path)
    server = build_services(settings)
    assert CODE in server.catalog.documents
    assert set(read_catalog(settings).documents) == set(server.catalog.documents)
    for args in (["standards"], ["show", CODE], ["export", CODE]):
        proc = run(tmp_path, *args)
        assert proc.returncode == 0 and CODE in proc.stdout, (args, proc.stderr)
    chat = server.engine.handle(Incoming(chat_id=1, user_id=1, command="use", args=CODE))
    assert CODE in chat[0].text


def test_show_is_composed_by_the_router(catalog: Catalog) -> None:
    assistant = Assistant.lexical_only(catalog)
    doc = catalog.get("ISD3512-001v3")
    assert doc is not None
    task = assistant.show(doc, "t２.２")  # typed as a person types a code
    assert task is not None and "P2.2.1" in task.answer and task.citations
    whole = assistant.show(doc)
    assert whole is not None and "T2.2" in whole.answer
    assert assistant.show(doc, "T9.9") is None


def test_a_reload_swaps_the_one_catalog_every_part_reads(tmp_path: Path) -> None:
    settings = with_upload(tmp_path)
    services = build_services(settings)
    before = services.catalog
    (uploads_dir(settings) / UPLOADED.name).unlink()
    services.reload()
    after = services.holder.catalog
    assert after is not before and CODE in before.documents and CODE not in after.documents
    for part in (services.catalog, services.assistant.catalog, services.assessments.catalog,
                 services.assessments.archive.catalog, services.engine.catalog):
        assert part is after
    assert services.assistant.router.catalog is after and services.assistant.reader.catalog is after


def test_the_holder_builds_what_follows_it_before_it_publishes(catalog: Catalog) -> None:
    holder = CatalogHolder(Catalog())
    seen: list[tuple[Catalog, Catalog]] = []
    holder.follow(lambda new: seen.append((new, holder.catalog)))
    old = holder.catalog
    holder.swap(catalog)
    assert seen == [(catalog, old)] and holder.catalog is catalog
