"""Shared fixtures: the shipped corpus, settings on a temporary data dir with the fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SHIPPED_CORPUS, Settings
from index.catalog import Catalog

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load(SHIPPED_CORPUS)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(BOT_DATA_DIR=tmp_path / "data", BOT_EMBEDDER="fake", TELEGRAM_BOT_TOKEN=None)


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog):  # type: ignore[no-untyped-def]
    from retrieval.assistant import Assistant

    data = tmp_path_factory.mktemp("assistant-data")
    return Assistant.from_settings(Settings(BOT_DATA_DIR=data, BOT_EMBEDDER="fake"), catalog)
