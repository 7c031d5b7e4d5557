"""Cache keys computed from what a stage imports (index/versions.py), never from a hand-kept list of files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index import versions


def test_the_parser_stage_is_every_reader_it_imports() -> None:
    names = {p.relative_to(versions.ROOT).as_posix() for p in versions.stage_files("index.guard")}
    read = {f"index/{n}.py" for n in ("guard", "parse", "rows", "clean", "model", "pdf", "odt", "codes", "names")}
    assert read <= names  # the list catalog.py kept by hand, found by following the imports
    assert not any(n.startswith(("bot/", "retrieval/")) for n in names)


def test_a_reading_stage_covers_its_data_files() -> None:
    names = {p.relative_to(versions.ROOT).as_posix() for p in versions.stage_files("retrieval.understand")}
    assert {"retrieval/data/kinds.toml", "retrieval/data/lexicon.toml", "retrieval/names.py", "index/codes.py"} <= names


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A small project of its own: index.a imports index.b, which imports index.c inside a function."""
    (tmp_path / "index").mkdir()
    files = {"__init__.py": "", "a.py": "from index.b import helper as h, other\n",
             "b.py": "def helper():\n    from index import c\n    return c\n\nother = 1\n",
             "c.py": "VALUE = 1\n", "unrelated.py": "X = 1\n"}
    for name, text in files.items():
        (tmp_path / "index" / name).write_text(text)
    monkeypatch.setattr(versions, "ROOT", tmp_path)
    for cached in (versions.code_version, versions.module_file, versions.imported_modules):
        cached.cache_clear()
    yield tmp_path / "index"
    for cached in (versions.code_version, versions.module_file, versions.imported_modules):
        cached.cache_clear()


def version(stage: str) -> str:
    for cached in (versions.code_version, versions.imported_modules):
        cached.cache_clear()
    return versions.code_version(stage)


def test_a_change_anywhere_a_stage_reads_through_changes_its_version(project: Path) -> None:
    before = version("index.a")
    assert {p.name for p in versions.stage_files("index.a")} == {"__init__.py", "a.py", "b.py", "c.py"}
    (project / "unrelated.py").write_text("X = 2\n")
    assert version("index.a") == before
    (project / "c.py").write_text("VALUE = 2\n")  # imported inside a function, two modules away
    assert version("index.a") != before


def test_a_helper_module_added_to_a_stage_changes_its_version(project: Path) -> None:
    before = version("index.a")
    (project / "d.py").write_text("def more():\n    return 1\n")
    assert version("index.a") == before  # not imported yet
    (project / "b.py").write_text((project / "b.py").read_text() + "\nfrom index.d import more\n")
    with_helper = version("index.a")
    assert with_helper != before
    (project / "d.py").write_text("def more():\n    return 2\n")
    assert version("index.a") != with_helper


HAND_KEPT = ("__file__).read_bytes()", "_sources_digest(", "READING_SOURCES", "_TOKEN.pattern")
PENDING: set[str] = set()


def test_no_cache_key_is_a_hand_kept_list_of_files() -> None:
    found = {path.relative_to(versions.ROOT).as_posix()
             for package in versions.PACKAGES for path in (versions.ROOT / package).rglob("*.py")
             if any(mark in path.read_text("utf-8") for mark in HAND_KEPT)}
    assert found == PENDING, found  # a file mended leaves PENDING too, so the next one is seen
