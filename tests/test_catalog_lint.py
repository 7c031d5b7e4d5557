"""Catalog (statuses, families, code spellings, bad files) and the lint report (file and line of every anomaly)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from index.catalog import Catalog
from index.lint import Finding, lint
from index.model import Standard

CORPUS = Path(__file__).resolve().parents[1] / "data" / "standards"
OLD = "INM3513-005_系統整合工程人員_舊版.txt"
V4 = "INM3513-005v4_系統整合工程人員.txt"
ISD = "ISD3512-001v3_雲端系統開發工程人員.txt"
ECOM = "IIS3513-006v4_電子商務系統規劃人員.txt"
UNIT = "IIS4R0751v2_啟用資訊科技專案管理系統_職能單元.txt"
CODES = {"INM3513-005", "INM3513-005v4", "ISD3512-001v3", "IIS3513-006v4", "IIS4R0751v2"}


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return Catalog.load(CORPUS)


@pytest.fixture(scope="module")
def findings(shipped: Catalog) -> list[Finding]:
    return lint(shipped)


def printed_line(source: str, line: int) -> str:
    assert line > 0, f"{source}: finding without a line"
    return (CORPUS / source).read_text("utf-8").split("\n")[line - 1]


def of_kind(findings: list[Finding], kind: str, standard: str) -> list[Finding]:
    return [f for f in findings if f.kind == kind and f.standard == standard]


# ------------------------------------------------------------------ status, family, spellings


def test_loads_the_five_without_errors(shipped):
    assert set(shipped.documents) == CODES
    assert shipped.errors == []


def test_status(shipped):
    assert shipped.get("INM3513-005").status == "historical"
    for code in CODES - {"INM3513-005"}:
        assert shipped.get(code).status == "current", code
    assert {d.code for d in shipped.current()} == CODES - {"INM3513-005"}


def test_isd_reachable_under_both_spellings(shipped):
    doc = shipped.get("IISD3512-001v3")
    assert doc is not None
    assert doc is shipped.get("ISD3512-001v3")
    assert doc.code == "ISD3512-001v3"
    assert "IISD3512-001v3" in doc.aliases
    # only the printed spellings: other versions of the family are not loaded
    assert shipped.get("ISD3512-001v2") is None
    assert shipped.get("IISD3512-001v2") is None
    assert shipped.get("NOPE") is None


def test_families_and_versions(shipped):
    old, new = shipped.get("INM3513-005"), shipped.get("INM3513-005v4")
    assert (old.family, old.version) == ("INM3513-005", None)
    assert (new.family, new.version) == ("INM3513-005", 4)
    assert [d.code for d in shipped.family(old)] == ["INM3513-005", "INM3513-005v4"]
    assert shipped.latest_of(old) is new
    assert shipped.latest_of(new) is new
    isd = shipped.get("ISD3512-001v3")
    assert (isd.family, isd.version) == ("ISD3512-001", 3)
    assert [d.code for d in shipped.family(isd)] == ["ISD3512-001v3"]
    unit = shipped.get("IIS4R0751v2")
    assert (unit.family, unit.version, unit.kind) == ("IIS4R0751", 2, "職能單元")
    assert {d.code for d in shipped.standards()} == CODES - {"IIS4R0751v2"}
    assert [d.code for d in shipped.units()] == ["IIS4R0751v2"]


# ------------------------------------------------------------------ lint


def test_numbering_findings(findings):
    old = of_kind(findings, "numbering", "INM3513-005")
    codes = {re.search(r"P\d+\.\d+\.\d+", f.message).group() for f in old}
    assert codes == {f"P8.1.{i}" for i in range(2, 6)} | {f"P8.2.{i}" for i in range(1, 5)}
    first = next(f for f in old if "P8.1.2" in f.message)
    assert "T8.2" in first.message
    assert (first.source, first.line) == (OLD, 81)
    assert "P8.1.2" in printed_line(first.source, first.line)
    later = next(f for f in old if "P8.2.3" in f.message)
    assert "T8.3" in later.message
    assert later.line == 85  # printed after the page break
    assert "P8.2.3" in printed_line(later.source, later.line)
    assert str(first).startswith(f"{OLD}:81:")
    # clean documents raise no numbering finding
    assert of_kind(findings, "numbering", "ISD3512-001v3") == []
    assert of_kind(findings, "numbering", "IIS3513-006v4") == []


def test_wrong_column_finding(findings):
    found = of_kind(findings, "wrong-column", "INM3513-005")
    assert len(found) == 1
    f = found[0]
    assert "P9.3.1" in f.message and "合約" in f.message and "T9.3" in f.message
    assert (f.source, f.line) == (OLD, 91)
    assert "P9.3.1 合約" in printed_line(f.source, f.line)
    assert [x for x in findings if x.kind == "wrong-column"] == found


def test_duplicate_code_finding(findings):
    found = of_kind(findings, "duplicate-code", "INM3513-005v4")
    assert len(found) == 1
    f = found[0]
    assert "O3.1.1" in f.message
    assert "軟硬體及網路設計示意圖" in f.message and "系統完工建置報告" in f.message
    assert f.source == V4
    assert f.line in (37, 41)
    assert "O3.1.1" in printed_line(f.source, f.line)
    assert [x for x in findings if x.kind == "duplicate-code"] == found


def test_missing_number_finding(findings):
    found = of_kind(findings, "missing-number", "INM3513-005v4")
    assert len(found) == 1
    f = found[0]
    assert "S 雲端平台操作能力" in f.message
    assert (f.source, f.line) == (V4, 33)
    assert "S 雲端平台操作能力" in printed_line(f.source, f.line)
    assert [x for x in findings if x.kind == "missing-number"] == found


def test_code_spelling_finding(findings):
    found = of_kind(findings, "code-spelling", "ISD3512-001v3")
    assert found, "IISD3512-001v3 vs ISD3512-001v3 is not reported"
    f = next(x for x in found if "IISD3512-001v3" in x.message)
    assert "ISD3512-001v3" in f.message.replace("IISD3512-001v3", "")
    assert (f.source, f.line) == (ISD, 6)
    assert "IISD3512-001v3" in printed_line(f.source, f.line)


def test_every_finding_names_a_file_and_a_line_holding_its_code(findings):
    assert findings
    code = re.compile(r"I?ISD\d{4}-\d{3}v\d|S 雲端平台操作能力|[POKSA]\d+(?:\.\d+\.\d+)?")
    for f in findings:
        assert f.source in {OLD, V4, ISD, ECOM, UNIT}, f
        assert f.line > 0, f
        first = code.search(f.message)
        assert first, f"no code in {f.message}"
        assert first.group() in printed_line(f.source, f.line), str(f)
        assert f"{f.source}:{f.line}:" in str(f)
    assert not [f for f in findings if f.kind == "unreadable"]


# ------------------------------------------------------------------ a folder with bad files


BAD_FILES = {
    "empty.txt": b"",
    "binary.txt": b"PK\x03\x04\x14\x00\x00\x00\x08\x00",  # a .docx/.zip saved as .txt
    "big5.txt": "職能基準代碼\t\tISD3512-001v3\n雲端系統開發工程人員\n".encode("cp950"),
    "unrelated.txt": "購物清單\n牛奶\n雞蛋\n".encode(),
}


def _folder_with_bad_files(tmp_path: Path) -> Path:
    folder = tmp_path / "standards"
    folder.mkdir()
    for src in CORPUS.iterdir():
        shutil.copy(src, folder / src.name)
    for name, data in BAD_FILES.items():
        (folder / name).write_bytes(data)
    lines = (CORPUS / ISD).read_text("utf-8").splitlines(keepends=True)
    (folder / "truncated.txt").write_text("".join(lines[:12]), "utf-8")
    (folder / "subfolder").mkdir()
    return folder


def test_bad_files_are_recorded_and_the_good_ones_still_load(tmp_path):
    catalog = Catalog.load(_folder_with_bad_files(tmp_path))
    assert set(catalog.documents) == CODES
    bad = set(BAD_FILES) | {"truncated.txt"}
    assert {e.source for e in catalog.errors} == bad
    assert len(catalog.errors) == len(bad)
    by_name = {e.source: e for e in catalog.errors}
    assert by_name["binary.txt"].line == 1
    assert by_name["big5.txt"].line == 1
    # the good ones are whole: same structure as from the shipped folder
    isd = catalog.get("IISD3512-001v3")
    assert isinstance(isd, Standard) and len(isd.tasks) == 7
    assert catalog.get("INM3513-005").status == "historical"
    # lint keeps working and reports the unreadable files
    report = lint(catalog)
    unreadable = {f.source for f in report if f.kind == "unreadable"}
    assert unreadable == bad
    assert any(f.kind == "numbering" and f.line == 81 for f in report)


def test_same_document_twice_is_an_error_not_a_replacement(tmp_path):
    folder = tmp_path / "standards"
    folder.mkdir()
    shutil.copy(CORPUS / ISD, folder / ISD)
    shutil.copy(CORPUS / ISD, folder / "zz_copy_of_isd.txt")
    catalog = Catalog.load(folder)
    assert list(catalog.documents) == ["ISD3512-001v3"]
    assert catalog.documents["ISD3512-001v3"].source == ISD
    assert [e.source for e in catalog.errors] == ["zz_copy_of_isd.txt"]


def test_empty_folder(tmp_path):
    catalog = Catalog.load(tmp_path)
    assert catalog.documents == {} and catalog.errors == []
    assert lint(catalog) == []
