"""The `competency-bot` lookup commands (standards, show, export, lint, ingest), run as a user runs them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / ".venv" / "bin" / "competency-bot"
CORPUS = ROOT / "data" / "standards"


def run(tmp_path: Path, *args: str, corpus: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "DATABASE_URL"))}
    env.update(BOT_DATA_DIR=str(tmp_path / "data"), BOT_EMBEDDER="fake", BOT_PLUGINS="benchmarks.fakes",
               PYTHONIOENCODING="utf-8")
    if corpus is not None:
        env["BOT_CORPUS_DIR"] = str(corpus)
    proc = subprocess.run(
        [str(BOT), *args], env=env, cwd=tmp_path, capture_output=True, text=True, encoding="utf-8", timeout=60
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def line_with(out: str, *needles: str) -> str:
    """The first output line holding every needle."""
    for line in out.splitlines():
        if all(n in line for n in needles):
            return line
    raise AssertionError(f"no line with {needles!r} in:\n{out}")


def test_standards_lists_the_five_with_status(tmp_path):
    proc = run(tmp_path, "standards")
    assert proc.returncode == 0, proc.stderr
    rows = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"\s*(\S+)", line)
        if m:
            rows[m.group(1)] = line
    expected = {
        "INM3513-005": "歷史",
        "INM3513-005v4": "現行",
        "ISD3512-001v3": "現行",
        "IIS3513-006v4": "現行",
        "IIS4R0751v2": "現行",
    }
    for code, status in expected.items():
        assert code in rows, f"{code} missing from:\n{proc.stdout}"
        other = "現行" if status == "歷史" else "歷史"
        assert status in rows[code] and other not in rows[code], rows[code]
    assert "雲端系統開發工程人員" in rows["ISD3512-001v3"]
    assert "職能單元" in rows["IIS4R0751v2"]


def test_show_task(tmp_path):
    proc = run(tmp_path, "show", "ISD3512-001v3", "T2.2")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "T2.2" in out and "開發與測試" in out
    assert re.search(r"級別\s*[:：]?\s*3", out), out
    expected = [
        ("P2.2.1", "依軟體需求規格書制定測試條件及項目，並完成品質規格書。"),
        ("P2.2.2", "依品質規格書進行各項需求測試，並完成測試報告。"),
        ("O2.2.1", "品質規格書"),
        ("O2.2.2", "測試報告"),
        ("K09", "測試工具使用知識"),
        ("K10", "軟體測試概念"),
        ("K11", "品質管理概念"),
        ("S09", "規格書檢視與修正能力"),
        ("S10", "測試案例設計能力"),
        ("S11", "軟體測試能力"),
    ]
    for code, text in expected:
        line_with(out, code, text)
    # nothing from the neighbouring tasks
    for other in ("P2.1.1", "P2.3.1", "O2.3.1", "K08", "K12", "S08", "S12"):
        assert other not in out, other


def test_show_knowledge_of_historical_version(tmp_path):
    proc = run(tmp_path, "show", "INM3513-005", "K20")
    assert proc.returncode == 0, proc.stderr
    line_with(proc.stdout, "K20", "將虛擬機整合至現有網路設計所需的配置")
    assert "歷史" in proc.stdout  # answers about a historical version say so


def test_show_by_alternative_spelling(tmp_path):
    proc = run(tmp_path, "show", "IISD3512-001v3")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert re.search(r"(?<!I)ISD3512-001v3", out), out
    assert "雲端系統開發工程人員" in out
    for task in ("T1.1", "T1.2", "T2.1", "T2.2", "T2.3", "T2.4", "T2.5"):
        assert task in out, task
    item = run(tmp_path, "show", "IISD3512-001v3", "T2.2")
    assert item.returncode == 0 and item.stdout == run(tmp_path, "show", "ISD3512-001v3", "T2.2").stdout


def test_show_unknown_standard(tmp_path):
    proc = run(tmp_path, "show", "XYZ9999-001v1")
    assert proc.returncode == 1
    assert "XYZ9999-001v1" in proc.stderr
    assert proc.stdout.strip() == ""


def test_show_unknown_item(tmp_path):
    proc = run(tmp_path, "show", "ISD3512-001v3", "T9.9")
    assert proc.returncode == 1
    assert "T9.9" in proc.stderr
    assert proc.stdout.strip() == ""


def test_export_json(tmp_path):
    proc = run(tmp_path, "export", "ISD3512-001v3", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["code"] == "ISD3512-001v3"
    tasks = [t for d in data["duties"] for t in d["tasks"]]
    assert [t["code"] for t in tasks] == ["T1.1", "T1.2", "T2.1", "T2.2", "T2.3", "T2.4", "T2.5"]
    t22 = tasks[3]
    assert [o["text"] for o in t22["outputs"]] == ["品質規格書", "測試報告"]
    assert t22["level"] == 3
    assert data["former_titles"] == ["雲端軟體維護工程人員"]
    alias = run(tmp_path, "export", "IISD3512-001v3")
    assert alias.returncode == 0 and json.loads(alias.stdout)["code"] == "ISD3512-001v3"


def test_export_unit_json(tmp_path):
    proc = run(tmp_path, "export", "IIS4R0751v2", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["note_links"]["註9"] == ["工作任務五-1"]
    assert sum(len(s["items"]) for s in data["sections"]) == 25


def test_lint_prints_file_and_line(tmp_path):
    proc = run(tmp_path, "lint")
    assert proc.returncode == 0, proc.stderr
    refs = re.findall(r"^(\S+\.txt):(\d+):(.*)$", proc.stdout, re.M)
    assert refs, proc.stdout
    for source, line, _rest in refs:
        assert (CORPUS / source).is_file(), source
        assert int(line) > 0
    line_with(proc.stdout, "INM3513-005_系統整合工程人員_舊版.txt:81:", "P8.1.2", "T8.2")
    line_with(proc.stdout, "INM3513-005_系統整合工程人員_舊版.txt:91:", "P9.3.1")
    line_with(proc.stdout, "INM3513-005v4_系統整合工程人員.txt:33:", "S 雲端平台操作能力")
    line_with(proc.stdout, "INM3513-005v4_系統整合工程人員.txt:", "O3.1.1", "系統完工建置報告")
    line_with(proc.stdout, "ISD3512-001v3_雲端系統開發工程人員.txt:6:", "IISD3512-001v3")


@pytest.fixture
def folder_with_bad_files(tmp_path: Path) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir()
    for src in CORPUS.iterdir():
        shutil.copy(src, folder / src.name)
    (folder / "broken.txt").write_bytes(b"PK\x03\x04\x00\x00\x14\x00")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def test_ingest_names_bad_files_and_loads_the_rest(tmp_path, folder_with_bad_files):
    proc = run(tmp_path, "ingest", str(folder_with_bad_files))
    assert "broken.txt" in proc.stderr and "empty.txt" in proc.stderr
    for code in ("INM3513-005", "INM3513-005v4", "ISD3512-001v3", "IIS3513-006v4", "IIS4R0751v2"):
        assert code in proc.stdout, code
    assert "broken.txt" not in proc.stdout


def test_ingest_folder_with_nothing_readable(tmp_path):
    folder = tmp_path / "nothing"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello\n", "utf-8")
    proc = run(tmp_path, "ingest", str(folder))
    assert proc.returncode != 0
    assert "notes.txt" in proc.stderr


def test_lookups_on_a_corpus_with_a_bad_file(tmp_path, folder_with_bad_files):
    proc = run(tmp_path, "standards", corpus=folder_with_bad_files)
    assert proc.returncode == 0
    assert "broken.txt" in proc.stderr
    assert "ISD3512-001v3" in proc.stdout and "INM3513-005v4" in proc.stdout
    lint_proc = run(tmp_path, "lint", corpus=folder_with_bad_files)
    assert lint_proc.returncode == 0
    assert "broken.txt" in lint_proc.stdout and "empty.txt" in lint_proc.stdout


def test_a_batch_holds_conversations_and_independent_lines(tmp_path):
    """`ask --json --batch`: lines sharing a conversation id are one chat (follow-ups, a choice pressed), answered by
    the conversation engine; lines without one stay independent (the ask contract of the design notes)."""
    lines = [
        {"conversation": "a", "question": "T2.2 的行為指標有哪些"},
        {"question": "那 T2.3 呢"},  # on its own: nothing to lean on
        {"conversation": "a", "choose": "ISD3512-001v3"},
        {"conversation": "b", "question": "電子商務系統規劃人員 T1.1 的工作產出"},
        {"conversation": "a", "question": "那 T2.3 呢"},
        {"conversation": "b", "question": "那 T1.2 呢"},
    ]
    batch = tmp_path / "chats.jsonl"
    batch.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), "utf-8")
    proc = run(tmp_path, "ask", "--json", "--batch", str(batch))
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == len(lines)
    assert {c["standard"] for c in out[0]["choices"]} == {"ISD3512-001v3", "IIS3513-006v4", "INM3513-005v4"}
    assert not any(c["code"].startswith("P2.3") and c["standard"] == "ISD3512-001v3" for c in out[1]["citations"])
    assert ("ISD3512-001v3", "P2.2.1") in {(c["standard"], c["code"]) for c in out[2]["citations"]}
    assert {(c["standard"], c["code"]) for c in out[4]["citations"]} >= {("ISD3512-001v3", "P2.3.1"),
                                                                        ("ISD3512-001v3", "P2.3.2")}
    assert not out[4]["choices"]
    assert {c["standard"] for c in out[5]["citations"]} == {"IIS3513-006v4"}
    assert "O1.2.1" in {c["code"] for c in out[5]["citations"]}
    assert all(isinstance(o["elapsed_ms"], float | int) for o in out)


def test_an_answer_piped_into_head_ends_quietly(tmp_path):
    """`competency-bot ask … | head -1`: the reader leaves early; no traceback, exit 0."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "DATABASE_URL"))}
    env.update(BOT_DATA_DIR=str(tmp_path / "data"), BOT_EMBEDDER="fake", BOT_PLUGINS="benchmarks.fakes",
               PYTHONIOENCODING="utf-8")
    batch = tmp_path / "many.jsonl"  # far more than a pipe holds (64 KiB), so the writer meets the closed pipe
    batch.write_text('{"question": "雲端系統開發工程人員的工作任務與行為指標", "standard": null}\n' * 300, encoding="utf-8")
    proc = subprocess.run(f"'{BOT}' ask --json --batch '{batch}' | head -1; exit ${{PIPESTATUS[0]}}", shell=True,
                          executable="/bin/bash", env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr
    assert proc.stdout.strip()
