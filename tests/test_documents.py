"""PDF and ODT documents: the five shipped standards rendered in the official layout parse to the text's model.

The renderings are made once per session (benchmarks/render.py) in a temporary folder, in several page
sizes, font sizes and column widths, so cell text wraps at different points in each.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from benchmarks.render import VARIANTS, PdfStyle, read_layout, render_odt, render_pdf, with_style
from index.catalog import Catalog
from index.lint import lint
from index.model import Standard, without_provenance
from index.parse import ParseError, parse_file

CORPUS = Path(__file__).resolve().parents[1] / "data" / "standards"
EDGE = Path(__file__).resolve().parent / "documents" / "TST9001-001v1_測試自動化工程人員.txt"
TEXTS = {p.name.split("_")[0]: p for p in sorted(CORPUS.glob("*.txt"))}


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """(code, variant) -> file: every shipped document as a PDF in each style, and as an ODT ('odt')."""
    folder = tmp_path_factory.mktemp("rendered")
    out = {}
    for code, text in {**TEXTS, "TST9001-001v1": EDGE}.items():
        layout = read_layout(text)
        for name, style in VARIANTS.items():
            out[(code, name)] = render_pdf(layout, folder / f"{code}-{name}.pdf", style)
        out[(code, "odt")] = render_odt(layout, folder / f"{code}.odt")
    return out


@pytest.fixture(scope="session")
def text_models() -> dict[str, dict]:
    return {code: without_provenance(parse_file(path).to_dict()) for code, path in {**TEXTS, "TST9001-001v1": EDGE}.items()}


def _first_difference(want: object, got: object, path: str = "") -> str:
    if isinstance(want, dict) and isinstance(got, dict):
        for key in want.keys() | got.keys():
            if want.get(key) != got.get(key):
                return _first_difference(want.get(key), got.get(key), f"{path}/{key}")
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for i, (w, g) in enumerate(zip(want, got, strict=True)):
            if w != g:
                return _first_difference(w, g, f"{path}[{i}]")
    return f"{path}: {want!r} != {got!r}"


# ------------------------------------------------------------------ round trips


@pytest.mark.parametrize("variant", [*VARIANTS, "odt"])
@pytest.mark.parametrize("code", list(TEXTS))
def test_pdf_and_odt_parse_to_the_text_model(rendered, text_models, code, variant):
    got = without_provenance(parse_file(rendered[(code, variant)]).to_dict())
    assert got == text_models[code], _first_difference(text_models[code], got)


def test_the_renderings_hold_the_awkward_cases(rendered):
    """Header repeated on each page, a row continued on the next page with blank code cells, several P per cell."""
    from index.pdf import pdf_rows

    rows = pdf_rows(rendered[("INM3513-005", "a4")])
    headers = [r for r in rows if "行為指標" in r.cells and "工作產出" in r.cells]
    assert len({r.page for r in headers}) >= 5
    continued = [r for r in rows if len(r.cells) == 7 and not r.cells[0] and not r.cells[1] and r.cells[3]]
    assert continued, "no row of the competency table is continued after a page break"
    assert any(len(re.findall(r"P\d+\.\d+\.\d+", r.cells[3])) > 3 for r in rows if len(r.cells) == 7)
    assert max(r.page for r in rows) >= 6


def test_pdf_items_know_their_page(rendered):
    import pypdfium2 as pdfium

    path = rendered[("ISD3512-001v3", "a4")]
    doc = parse_file(path)
    assert isinstance(doc, Standard)
    pdf = pdfium.PdfDocument(str(path))
    texts = [pdf[i].get_textpage().get_text_range().replace("\r\n", "") for i in range(len(pdf))]
    for task in doc.tasks:
        for item in task.indicators + task.outputs:
            assert item.page >= 1 and item.code in texts[item.page - 1], (item.code, item.page)
    for item in [*doc.knowledge.values(), *doc.skills.values(), *doc.attitudes.values()]:
        assert item.page >= 1 and item.code in texts[item.page - 1], (item.code, item.page)
    assert doc.knowledge["K01"].page == 1 and doc.attitudes["A07"].page == 2 and len(texts) == 3


# ------------------------------------------------------------------ hand-made edge cases


@pytest.mark.parametrize("variant", [*VARIANTS, "odt"])
def test_edge_cases_several_blocks_and_shared_task_cells(rendered, variant):
    doc = parse_file(rendered[("TST9001-001v1", variant)])
    assert isinstance(doc, Standard)
    t11 = doc.task("T1.1")
    # one task, two level blocks; K and S printed only on its first row
    assert t11.level == 3
    assert [o.code for o in t11.outputs] == ["O1.1.1", "O1.1.2"]
    assert [p.code for p in t11.indicators] == ["P1.1.1", "P1.1.2", "P1.1.3"]
    assert (t11.knowledge, t11.skills) == (["K01", "K02"], ["S01", "S02"])
    # two task codes sharing one cell: each gets the items its number names, both the row's level, K and S
    t21, t22 = doc.task("T2.1"), doc.task("T2.2")
    assert (t21.title, t22.title) == ("準備測試環境", "執行測試案例")
    assert [p.code for p in t21.indicators] == ["P2.1.1"] and [o.code for o in t21.outputs] == ["O2.1.1"]
    assert [p.code for p in t22.indicators] == ["P2.2.1", "P2.2.2"] and [o.code for o in t22.outputs] == ["O2.2.1"]
    assert t21.knowledge == t22.knowledge == ["K03", "K04"] and t21.level == t22.level == 4
    # a long cell split across pages keeps every item, in order
    assert [p.code for p in doc.task("T3.1").indicators] == [f"P3.1.{i}" for i in range(1, 7)]
    assert "S 持續學習能力" in doc.task("T3.1").skills


@pytest.mark.parametrize("variant", ["a4", "b5-tight", "odt"])
def test_edge_document_round_trip(rendered, text_models, variant):
    got = without_provenance(parse_file(rendered[("TST9001-001v1", variant)]).to_dict())
    assert got == text_models["TST9001-001v1"], _first_difference(text_models["TST9001-001v1"], got)


def test_a_long_row_split_over_several_pages(tmp_path, text_models):
    """A tiny page: the one long row of T3.1 runs over three pages, its cells cut at arbitrary lines."""
    from index.pdf import pdf_rows

    style = with_style(page=(400, 210), margin=20, font_size=8.5, widths=(0.8, 0.8, 0.8, 2.2, 0.4, 1.0, 1.0))
    path = render_pdf(read_layout(EDGE), tmp_path / "tiny.pdf", style)
    doc = parse_file(path)
    continued = {r.page for r in pdf_rows(path) if len(r.cells) == 7 and not r.cells[1] and r.page > doc.task("T3.1").page}
    assert len(continued) >= 2
    assert [p.code for p in doc.task("T3.1").indicators] == [f"P3.1.{i}" for i in range(1, 7)]
    assert [t.code for t in doc.tasks] == ["T1.1", "T2.1", "T2.2", "T3.1"]
    assert "頁" not in doc.attitudes["A02"].text  # the page numbers in the margins are not text


# Two page styles the random-style benchmark (benchmarks/documents.py --styles 30) found wrong before they were fixed
DESCRIPTION_CUT = PdfStyle(page=(841.89, 595.27), margin=50.05, font_size=10.287, leading=1.3659,
                           widths=(1.364, 2.192, 2.402, 2.881, 2.816, 1.540, 2.791), padding=6.611, footer=True)
CODE_CUT = PdfStyle(page=(612, 792), margin=51.12, font_size=9.748, leading=1.4334,
                    widths=(2.728, 2.669, 1.672, 1.390, 0.958, 1.020, 0.998), padding=3.802, meta_spans=True)


NOTE_KINSOKU = PdfStyle(page=(595.27, 841.89), margin=56.28, font_size=9.067, leading=1.2653,
                        widths=(2.752, 1.652, 2.570, 2.675, 2.450, 2.057, 0.594), padding=3.002, footer=True)


def test_a_note_line_ending_short_before_punctuation_goes_on(tmp_path, text_models):
    """「…核心組」 ends two characters short: 「件。」 went down together (。 may not start a line)."""
    path = render_pdf(read_layout(TEXTS["IIS3513-006v4"]), tmp_path / "note.pdf", NOTE_KINSOKU)
    assert without_provenance(parse_file(path).to_dict())["notes"] == text_models["IIS3513-006v4"]["notes"]


def test_a_work_description_cut_by_a_page_break_is_read_whole(tmp_path, text_models):
    from index.pdf import pdf_rows

    path = render_pdf(read_layout(TEXTS["INM3513-005v4"]), tmp_path / "cut.pdf", DESCRIPTION_CUT)
    described = next(r for r in pdf_rows(path) if r.cells[0] == "工作描述")
    assert any(r.page == described.page + 1 and not any(r.cells[:2]) for r in pdf_rows(path))  # the cut is there
    doc = parse_file(path)
    assert doc.description == text_models["INM3513-005v4"]["description"]
    assert without_provenance(doc.to_dict()) == text_models["INM3513-005v4"]


def test_a_standard_code_cut_at_a_line_end_is_one_code(tmp_path, text_models):
    path = render_pdf(read_layout(TEXTS["ISD3512-001v3"]), tmp_path / "code.pdf", CODE_CUT)
    notes = [v.note for v in parse_file(path).versions]
    assert "已被《ISD3512-001v3》取代" in notes and "已被《ISD3512-001v2》取代" in notes


# ------------------------------------------------------------------ bad files


def _canvas_pdf(path: Path, draw) -> Path:  # type: ignore[no-untyped-def]
    from reportlab.pdfgen import canvas

    from benchmarks.render import register_font

    c = canvas.Canvas(str(path))
    draw(c, register_font())
    c.save()
    return path


def _scanned(path: Path) -> Path:
    """A page with pictures of text only: shapes, no text layer."""
    def draw(c, font) -> None:  # type: ignore[no-untyped-def]
        for y in range(100, 700, 20):
            c.rect(50, y, 400, 8, fill=1)

    return _canvas_pdf(path, draw)


def _unrelated(path: Path) -> Path:
    def draw(c, font) -> None:  # type: ignore[no-untyped-def]
        c.setFont(font, 12)
        c.drawString(72, 700, "購物清單：牛奶、雞蛋、麵包")

    return _canvas_pdf(path, draw)


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory, rendered) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    good_pdf = rendered[("ISD3512-001v3", "a4")].read_bytes()
    good_odt = rendered[("ISD3512-001v3", "odt")].read_bytes()
    (folder / "truncated.pdf").write_bytes(good_pdf[: len(good_pdf) // 3])
    (folder / "truncated.odt").write_bytes(good_odt[: len(good_odt) // 2])
    (folder / "empty.pdf").write_bytes(b"")
    render_pdf(read_layout(TEXTS["ISD3512-001v3"]), folder / "locked.pdf", PdfStyle(encrypt="secret"))
    return {
        "scan.pdf": _scanned(folder / "scan.pdf"),
        "shopping.pdf": _unrelated(folder / "shopping.pdf"),
        "locked.pdf": folder / "locked.pdf",
        "truncated.pdf": folder / "truncated.pdf",
        "truncated.odt": folder / "truncated.odt",
        "empty.pdf": folder / "empty.pdf",
    }


EXPECTED = {
    "scan.pdf": "沒有文字層，無法讀取；請提供官方下載的 PDF",
    "shopping.pdf": "不是職能基準或職能單元文件",
    "locked.pdf": "密碼",
    "truncated.pdf": "損壞或不完整",
    "truncated.odt": "損壞或不完整",
    "empty.pdf": "損壞或不完整",
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_bad_files_get_a_clear_message_naming_them(bad_files, name):
    with pytest.raises(ParseError) as info:
        parse_file(bad_files[name])
    err = info.value
    assert err.source == name and str(err).startswith(name)
    assert EXPECTED[name] in err.message
    if name in ("scan.pdf", "shopping.pdf"):
        assert err.page == 1 and f"{name} p.1:" in str(err)


def test_bad_files_do_not_stop_the_others(tmp_path, bad_files, rendered):
    folder = tmp_path / "mixed"
    folder.mkdir()
    for path in bad_files.values():
        shutil.copy(path, folder / path.name)
    shutil.copy(rendered[("ISD3512-001v3", "a4")], folder / "ISD3512-001v3.pdf")
    shutil.copy(rendered[("IIS4R0751v2", "odt")], folder / "IIS4R0751v2.odt")
    shutil.copy(TEXTS["IIS3513-006v4"], folder / TEXTS["IIS3513-006v4"].name)
    catalog = Catalog.load(folder)
    assert set(catalog.documents) == {"ISD3512-001v3", "IIS4R0751v2", "IIS3513-006v4"}
    assert {e.source for e in catalog.errors} == set(bad_files)
    unreadable = {f.source: str(f) for f in lint(catalog) if f.kind == "unreadable"}
    assert unreadable["scan.pdf"].startswith("scan.pdf p.1: ")


# ------------------------------------------------------------------ everywhere a document enters


def test_ingest_and_lint_take_pdf_odt_and_text_mixed(tmp_path, rendered, capsys, monkeypatch):
    from bot.cli import main

    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(rendered[("INM3513-005", "a4")], folder / "INM3513-005.pdf")
    shutil.copy(rendered[("INM3513-005v4", "odt")], folder / "INM3513-005v4.odt")
    for code in ("ISD3512-001v3", "IIS3513-006v4", "IIS4R0751v2"):
        shutil.copy(TEXTS[code], folder / TEXTS[code].name)
    monkeypatch.setenv("BOT_CORPUS_DIR", str(folder))
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["ingest", str(folder)]) == 0
    out = capsys.readouterr().out
    assert all(code in out for code in TEXTS)
    assert main(["lint"]) == 0
    report = capsys.readouterr().out
    numbering = [line for line in report.splitlines() if "[numbering]" in line and "P8.1.2" in line]
    assert len(numbering) == 1 and re.match(r"INM3513-005\.pdf p\.\d+: ", numbering[0])
    page = int(re.match(r"INM3513-005\.pdf p\.(\d+)", numbering[0]).group(1))
    import pypdfium2 as pdfium

    text = pdfium.PdfDocument(str(folder / "INM3513-005.pdf"))[page - 1].get_textpage().get_text_range()
    assert "P8.1.2" in text


# ------------------------------------------------------------------ issue 14: huge files, odd names, duplicates


@pytest.mark.parametrize("name", ["huge.txt", "huge.pdf", "huge.odt"])
def test_a_huge_file_is_refused_by_its_size_before_it_is_read(tmp_path, monkeypatch, name):
    """Issue 14 #12: a 3 GB file in the corpus was read whole (3.1 GB RSS) before 「檔案過大」."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(TEXTS["ISD3512-001v3"], folder / TEXTS["ISD3512-001v3"].name)
    huge = folder / name
    with huge.open("wb") as f:
        f.truncate(3 * 1024**3)  # sparse: takes no disk
    real_read_bytes, real_open = Path.read_bytes, Path.open

    def read_bytes(self: Path) -> bytes:
        assert self.name != name, "the huge file was read"
        return real_read_bytes(self)

    def open_(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        assert self.name != name, "the huge file was opened"
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(Path, "open", open_)
    import builtins
    import zipfile

    real_builtin_open = builtins.open
    monkeypatch.setattr(builtins, "open", lambda f, *a, **k: (_ for _ in ()).throw(AssertionError("opened"))
                        if str(f).endswith(name) else real_builtin_open(f, *a, **k))
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: (_ for _ in ()).throw(AssertionError("unzipped")))
    catalog = Catalog.load(folder)
    assert list(catalog.documents) == ["ISD3512-001v3"]
    [err] = catalog.errors
    assert err.source == name and "檔案過大" in err.message


def test_file_names_are_printed_with_control_characters_escaped(tmp_path, capsys, monkeypatch):
    """Issue 14 #12: a corpus file named with a newline or a terminal escape was printed raw by ingest and lint."""
    from bot.cli import main

    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(TEXTS["ISD3512-001v3"], folder / TEXTS["ISD3512-001v3"].name)
    (folder / "bad\nname\x1b[31m.txt").write_text("購物清單\n牛奶\n", "utf-8")
    monkeypatch.setenv("BOT_CORPUS_DIR", str(folder))
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["ingest", str(folder)]) == 1
    main(["lint"])
    out = capsys.readouterr()
    for printed in (out.err, out.out):
        assert "\x1b" not in printed and "bad\nname" not in printed
        assert "bad\\nname\\x1b[31m.txt" in printed


def test_duplicate_codes_in_a_corpus_folder_are_reported_by_ingest_and_lint(tmp_path, rendered, capsys, monkeypatch):
    """Issue 14 #6: the same standard twice in a folder (here as text and as PDF) is reported, the first kept."""
    from bot.cli import main

    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(TEXTS["ISD3512-001v3"], folder / TEXTS["ISD3512-001v3"].name)
    shutil.copy(rendered[("ISD3512-001v3", "a4")], folder / "zz-ISD3512-001v3.pdf")
    monkeypatch.setenv("BOT_CORPUS_DIR", str(folder))
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["ingest", str(folder)]) == 1
    assert "zz-ISD3512-001v3.pdf" in capsys.readouterr().err
    main(["lint"])
    report = capsys.readouterr().out
    duplicate = [line for line in report.splitlines() if "[duplicate-document]" in line]
    assert len(duplicate) == 1 and duplicate[0].startswith("zz-ISD3512-001v3.pdf: ")
    assert TEXTS["ISD3512-001v3"].name in duplicate[0]


# ------------------------------------------------------------------ issue 23 #10: a second, independent rendering
OFFICE = Path(__file__).resolve().parent / "documents" / "office"
HEADER_LABELS = ("工作活動", "工作產出", "行為指標", "職能級別", "職能內涵")


@pytest.mark.parametrize("pdf", sorted(OFFICE.glob("*.pdf")), ids=lambda p: p.stem)
def test_pdfs_laid_out_by_libreoffice_parse_to_the_text_model(pdf, text_models):
    """tests/render_office.py: ruled by each cell's own borders, level/K/S spanning a duty in the older layout, tables
    printed one under the other, ideographs set apart from digits; made by LibreOffice (kept, not made here)."""
    code = pdf.stem.rsplit("-", 1)[0]
    got = without_provenance(parse_file(pdf).to_dict())
    assert got == text_models[code], _first_difference(text_models[code], got)


def test_the_older_layout_spans_and_splits_across_pages_in_the_libreoffice_pdf():
    from index.pdf import pdf_rows

    rows = pdf_rows(OFFICE / "INM3513-005-all.pdf")
    table = [r for r in rows if len(r.cells) == 7]
    continued = [r for r in table if not r.cells[0] and not r.cells[1] and r.cells[3]]
    assert continued, "a row of the older layout continued on the next page"
    starts = [r for r in table if r.cells[1].startswith("T3.")]
    assert starts[0].cells[4] == "5" and not any(r.cells[4] for r in starts[1:]), "the level printed once for the duty"


def _header_lines_shared_with_a_continuation(path: Path) -> int:
    """Pages whose table begins with a row whose cells hold the repeated header's lines and then a continued row's."""
    from index.pdf import _place, _read_pages

    shared = 0
    for page in _read_pages(path)[1:]:
        _place(page)
        first = page.tables[0].rows[0] if page.tables else []
        lines = [[ln.text for ln in cell.lines] for cell in first]
        if len(lines) == 7 and any(cell[:1] == ["行為指標"] and len(cell) > 1 for cell in lines[3:4]) or any(
                len(cell) > 2 and cell[0].startswith("職能內涵") for cell in lines[5:]):
            shared += 1
    return shared


@pytest.mark.parametrize("code", ["INM3513-005", "INM3513-005v4"])
def test_a_header_repeated_in_the_cells_a_page_break_split_is_left_out(rendered, code):
    """The 'a4-boxed' style draws no line between the header repeated on a page and a row continued there (both
    layouts): each cell of that first row begins with the header's lines. Before, they were glued into the items
    ('預測各種網路問題職能內涵 (S=skills 技能)的問題解決技能', '需求規格書工作產出')."""
    path = rendered[(code, "a4-boxed")]
    assert _header_lines_shared_with_a_continuation(path) >= 1, "the rendering holds the case"
    doc = parse_file(path)
    texts = [i.text for t in doc.tasks for i in t.indicators + t.outputs] + [t.title for t in doc.tasks]
    texts += [i.full_text for table in (doc.knowledge, doc.skills) for i in table.values()]
    assert not [x for x in texts if "職能內涵 (" in x or x.endswith(HEADER_LABELS)]


@pytest.mark.parametrize("code", list(TEXTS))
def test_the_odt_laid_out_for_libreoffice_parses_to_the_text_model(code, text_models, tmp_path):
    """The ODT behind those PDFs (bordered cells, a header row group, duty-wide spans and covered cells)."""
    from tests.render_office import render_office_odt

    odt = render_office_odt(read_layout(TEXTS[code]), tmp_path / f"{code}.odt")
    got = without_provenance(parse_file(odt).to_dict())
    assert got == text_models[code], _first_difference(text_models[code], got)
