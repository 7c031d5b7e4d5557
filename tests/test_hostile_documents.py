"""Issue 23 #5: hostile documents cost their own error, never the bot's memory, minutes or a traceback.

The files (benchmarks/hostile_files.py) are the kinds the issue found: a ~90 KB ODT unpacking to millions of
elements (1.7 GB and 28 s before), rows repeated into gigabytes of text (killed after minutes), lists and
spans nested 100,000 deep (RecursionError), an 8 KB PDF ruled 150 x 150 (26 s of CPU; 200 x 200 longer),
one page named 100,000 times (pdfium counts them all). Each is refused by a budget of the reader, naming
the file; the child process that reads PDFs and ODTs stops what the budgets do not foresee.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks import hostile_files as hostile
from bot.settings import SHIPPED_CORPUS, Settings
from index.catalog import Catalog
from index.guard import Sandbox, parse_document
from index.parse import ParseError, parse_file
from prompts import t

ODT_LIMITS = {"too_many_elements": 200_000, "too_much_text": 5_000_000, "too_deep": 100}
GOOD = "ISD3512-001v3"


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {
        "paragraphs.odt": hostile.odt_many_elements(folder / "paragraphs.odt"),
        "spaces.odt": hostile.odt_many_elements(folder / "spaces.odt", tag=b"<text:s/>"),
        "rows.odt": hostile.odt_repeated_rows(folder / "rows.odt"),
        "lists.odt": hostile.odt_deep(folder / "lists.odt", tag="list"),
        "spans.odt": hostile.odt_deep(folder / "spans.odt", tag="span"),
        "grid150.pdf": hostile.pdf_grid(folder / "grid150.pdf", 150),
        "grid200.pdf": hostile.pdf_grid(folder / "grid200.pdf", 200),
        "pages.pdf": hostile.pdf_many_pages(folder / "pages.pdf"),
    }


REFUSED_BY = {
    "paragraphs.odt": t("documents.too_many_elements", limit=ODT_LIMITS["too_many_elements"]),
    "spaces.odt": t("documents.too_many_elements", limit=ODT_LIMITS["too_many_elements"]),
    "rows.odt": t("documents.too_much_text", limit=ODT_LIMITS["too_much_text"]),
    "lists.odt": t("documents.too_deep", limit=ODT_LIMITS["too_deep"]),
    "spans.odt": t("documents.too_deep", limit=ODT_LIMITS["too_deep"]),
    "grid150.pdf": t("documents.too_many_drawings", limit=6_000),
    "grid200.pdf": t("documents.too_many_drawings", limit=6_000),
    "pages.pdf": t("documents.too_many_pages", count=100_000, limit=500),
}


def test_the_files_are_small(hostile_folder: dict[str, Path]) -> None:
    sizes = {name: path.stat().st_size for name, path in hostile_folder.items()}
    assert max(sizes.values()) < 620_000, sizes
    assert sizes["grid150.pdf"] < 10_000 and sizes["lists.odt"] < 20_000


@pytest.mark.parametrize("name", list(REFUSED_BY))
def test_each_reader_refuses_by_a_budget_naming_the_file(hostile_folder: dict[str, Path], name: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_file(hostile_folder[name])
    assert info.value.source == name
    assert info.value.message == REFUSED_BY[name]
    if name.startswith("grid"):
        assert info.value.page == 1 and str(info.value).startswith(f"{name} p.1: ")


def test_a_folder_with_every_hostile_file_loads_the_others(hostile_folder: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, folder)
    for path in hostile_folder.values():
        shutil.copy(path, folder / path.name)
    catalog = Catalog.load(folder, cache_dir=tmp_path / "parsed")
    assert len(catalog.documents) == 5
    assert {e.source: e.message for e in catalog.errors} == REFUSED_BY


def test_a_refused_file_is_not_read_again_at_the_next_start(hostile_folder: dict[str, Path], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import index.catalog

    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in hostile_folder.values():
        shutil.copy(path, folder / path.name)
    first = Catalog.load(folder, cache_dir=tmp_path / "parsed")
    monkeypatch.setattr(index.catalog, "parse_document", lambda path: pytest.fail(f"{path.name} read again"))
    again = Catalog.load(folder, cache_dir=tmp_path / "parsed")
    assert [str(e) for e in again.errors] == [str(e) for e in first.errors] and len(again.errors) == len(REFUSED_BY)


def test_the_child_process_stops_a_file_over_its_time(tmp_path: Path) -> None:
    """What no budget foresees is stopped by the child's limits, and the next file is read by a new child."""
    template = next(SHIPPED_CORPUS.glob(f"{GOOD}*"))
    slow = hostile.text_continued_rows(tmp_path / "continued.txt", template)  # ~3 s of parsing, within every budget
    with Sandbox(seconds=0.5) as box:
        with pytest.raises(ParseError) as info:
            box.parse(slow)
        assert info.value.source == "continued.txt" and info.value.message == t("documents.too_slow", seconds="0.5")
        assert info.value.transient, "kept out of the parsed-document cache: it may read another time"
        assert box.parse(Path(shutil.copy(template, tmp_path / "good.txt"))).code == GOOD


def test_the_child_process_stops_a_file_over_its_memory(hostile_folder: dict[str, Path], tmp_path: Path) -> None:
    good = Path(shutil.copy(next(SHIPPED_CORPUS.glob(f"{GOOD}*")), tmp_path / "good.txt"))
    with Sandbox() as probe:
        probe.parse(good)
        baseline = _peak_memory(probe)  # what the child needs to start and read a document
    with Sandbox(memory=baseline + 6 * 2**20) as box:
        with pytest.raises(ParseError) as info:
            box.parse(hostile_folder["paragraphs.odt"])  # ~20 MB more before the element budget stops it
        assert info.value.message == t("documents.too_costly")
        assert box.parse(good).code == GOOD


def _peak_memory(box: Sandbox) -> int:
    status = Path(f"/proc/{box._child.pid}/status").read_text()  # type: ignore[union-attr]
    return int(next(line for line in status.splitlines() if line.startswith("VmPeak")).split()[1]) * 1024


@pytest.mark.parametrize("error", [RecursionError, RuntimeError, KeyError, IndexError])
def test_any_exception_of_one_file_is_its_own_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                     error: type[Exception]) -> None:
    import index.guard

    folder = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, folder)
    victim = next(folder.glob(f"{GOOD}*"))
    real = index.guard.parse_file

    def failing(path: Path):  # type: ignore[no-untyped-def]
        if path.name == victim.name:
            raise error("boom")
        return real(path)

    monkeypatch.setattr(index.guard, "parse_file", failing)
    catalog = Catalog.load(folder)
    assert len(catalog.documents) == 4 and GOOD not in catalog.documents
    [err] = catalog.errors
    expected = t("documents.too_deep_to_read") if error is RecursionError else t("documents.unexpected", kind=error.__name__)
    assert err.source == victim.name and err.message == expected


def test_an_exception_inside_the_parser_names_the_row(monkeypatch: pytest.MonkeyPatch) -> None:
    import index.parse

    def broken(rows, cells, src, source):  # type: ignore[no-untyped-def]
        if any("T2.2" in c for c in cells):
            raise ValueError("a bug")
        return real(rows, cells, src, source)

    real = index.parse._read_row
    monkeypatch.setattr(index.parse, "_read_row", broken)
    path = next(SHIPPED_CORPUS.glob(f"{GOOD}*"))
    with pytest.raises(ParseError) as info:
        parse_document(path)
    lines = path.read_text("utf-8").split("\n")
    header = next(n for n, text in enumerate(lines, 1) if "行為指標" in text and "工作產出" in text)
    line = next(n for n, text in enumerate(lines, 1) if n > header and "T2.2" in text)
    assert info.value.line == line and "ValueError" in info.value.message


# ------------------------------------------------------------------ every command in a folder holding them
COMMANDS = [("ingest",), ("lint",), ("standards",), ("show", GOOD, "T2.2"), ("export", GOOD, "--format", "json"),
            ("ask", "--json", "T2.2 的行為指標", "--standard", GOOD), ("index",)]


@pytest.fixture(scope="module")
def hostile_corpus(hostile_folder: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-corpus")
    for path in [*SHIPPED_CORPUS.iterdir(), *hostile_folder.values()]:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def shared_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile-data")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_no_command_stops_in_a_hostile_folder(command: tuple[str, ...], hostile_corpus: Path, shared_data: Path,
                                             monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    monkeypatch.setenv("BOT_CORPUS_DIR", str(hostile_corpus))
    monkeypatch.setenv("BOT_DATA_DIR", str(shared_data))
    monkeypatch.setenv("BOT_EMBEDDER", "fake")
    code = main(list(command))
    out, err = capsys.readouterr()
    assert code == (1 if command[0] == "ingest" else 0), out + err  # ingest's status says some files failed
    assert "Traceback" not in out + err
    if command[0] in ("ingest", "lint"):
        assert all(name in out + err for name in REFUSED_BY), out + err
    if command[0] == "ask":
        assert "P2.2.1" in out


def test_serve_starts_in_a_hostile_folder_and_an_upload_keeps_the_old_index(
        hostile_folder: dict[str, Path], hostile_corpus: Path, shared_data: Path) -> None:
    """What `serve` builds (the same services, without Telegram); a hostile upload is refused, nothing changes."""
    from bot.services import build_services

    settings = Settings(BOT_DATA_DIR=shared_data, BOT_EMBEDDER="fake", BOT_CORPUS_DIR=hostile_corpus,
                        TELEGRAM_BOT_TOKEN=None)
    services = build_services(settings)
    try:
        assert len(services.catalog.documents) == 5
        before = services.assistant.ask("T2.2 的行為指標", GOOD).answer
        for name, path in hostile_folder.items():
            with pytest.raises(ParseError) as info:
                services.add_document(name, path.read_bytes())
            assert info.value.message == REFUSED_BY[name]
        assert len(services.catalog.documents) == 5 and not any((shared_data / "standards").glob("*"))
        assert services.assistant.ask("T2.2 的行為指標", GOOD).answer == before
    finally:
        services.db.engine.dispose()


def test_the_child_is_read_in_a_process_holding_many_descriptors(tmp_path: Path) -> None:
    """A server holds sockets and files by the thousand; the child's replies are still read (select() stops at 1,024)."""
    import os
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip("the descriptor limit is below 1,200")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        odt = tmp_path / "doc.odt"
        from benchmarks.render import read_layout, render_odt

        render_odt(read_layout(next(SHIPPED_CORPUS.glob(f"{GOOD}*"))), odt)
        assert parse_document(odt).code == GOOD
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
