"""The benchmark's own checks: the synthetic corpus parses and varies its texts; a tiny run works."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is a source-tree package, not installed with the product
    sys.path.insert(0, str(ROOT))

from benchmarks import run, synth  # noqa: E402
from bot.settings import SHIPPED_CORPUS  # noqa: E402
from index.catalog import Catalog  # noqa: E402
from index.chunk import chunk_catalog  # noqa: E402
from index.parse import parse_file  # noqa: E402


@pytest.fixture(scope="module")
def templates() -> list:
    return synth.load_templates()


def test_synthetic_documents_parse_and_keep_their_template_structure(tmp_path: Path, templates: list) -> None:
    corpus = synth.generate(7, tmp_path / "corpus", templates)  # 7 > 5: the second group starts
    assert len(corpus.files) == 7
    for i, path in enumerate(corpus.files):
        doc = parse_file(path)  # the project's parser, from the file
        template = templates[i % len(templates)]
        assert synth.shape(doc) == synth.shape(template)
        assert doc.code == synth.rename_code(template.code, i // len(templates))
        tags = (synth.doc_tag(i), synth.group_tag(i // len(templates)))
        assert all(t.startswith(tags) for t in synth.tagged_texts(doc))
    catalog = Catalog.load(corpus.folder)
    assert not catalog.errors and len(catalog.documents) == 7
    assert len({d.code for d in catalog.documents.values()}) == 7


def test_documents_repeat_texts_only_as_the_shipped_ones_do(tmp_path: Path, templates: list) -> None:
    """Tasks and indicators are each document's own; the embedded texts a group shares are the ones the shipped
    documents share (the same share of all passages), and no text is shared across groups (issue 25)."""
    corpus = synth.generate(10, tmp_path / "corpus", templates)
    catalog = Catalog.load(corpus.folder)
    assert synth.shared_texts(catalog) == {}
    owners: dict[str, set[str]] = {}
    for chunk in chunk_catalog(catalog):
        if chunk.embed_text:
            owners.setdefault(chunk.embed_text, set()).add(chunk.standard)
    shared = {text: codes for text, codes in owners.items() if len(codes) > 1}
    assert shared and all(synth.TAG.match(text.split("：")[-1]) or synth.TAG.match(text) for text in shared)
    groups = {code: i // 5 for i, code in enumerate(d.code for d in catalog.documents.values())}
    assert all(len({groups[code] for code in codes}) == 1 for codes in shared.values()), "never across groups"
    shipped: dict[str, set[str]] = {}
    for chunk in chunk_catalog(Catalog.load(SHIPPED_CORPUS)):
        if chunk.embed_text:
            shipped.setdefault(chunk.embed_text, set()).add(chunk.standard)
    ratio = len(owners) / sum(len(codes) for codes in owners.values())
    assert abs(ratio - len(shipped) / sum(len(codes) for codes in shipped.values())) < 0.002


def test_family_structure_survives_renaming(tmp_path: Path, templates: list) -> None:
    corpus = synth.generate(10, tmp_path / "corpus", templates)
    catalog = Catalog.load(corpus.folder)
    old = [d for d in catalog.documents.values() if d.status == "historical"]
    assert sorted(d.code for d in old) == ["INM0001-005", "INM0002-005"]
    assert catalog.get("IISD0002-001v3").code == "ISD0002-001v3"  # the second spelling is an alias


def test_generator_refuses_a_folder_with_documents(tmp_path: Path, templates: list) -> None:
    (tmp_path / "x.txt").write_text("x", "utf-8")
    with pytest.raises(synth.SynthError):
        synth.generate(1, tmp_path, templates)


def test_percentile_interpolates() -> None:
    assert run.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert run.percentile([5.0], 95) == 5.0
    assert run.percentile(list(range(101)), 95) == 95.0


def test_loopback_guard_refuses_other_hosts() -> None:
    import socket

    with run.loopback_only() as refused, pytest.raises(PermissionError):
        socket.create_connection(("192.0.2.1", 9), timeout=0.1)
    assert "192.0.2.1" in refused
    assert socket.socket.connect.__name__ == "connect"  # restored


def test_tiny_benchmark_run_prints_p50_p95(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--standards", "3", "--embedder", "fake", "--questions", "3", "--no-e2e",
            "--shipped-cold-runs", "1", "--warm-runs", "1", "--workdir", str(tmp_path / "work"), "--embed-sample", "16"]
    assert run.main(argv) == 0
    out = capsys.readouterr().out
    assert re.search(r"command: (competency-bot bench|python -m benchmarks\.run) --standards 3 --embedder fake", out)
    assert "synthetic corpus: N=3 documents" in out
    for kind in ("code", "semantic", "reverse", "compare"):
        assert re.search(rf"\[synthetic-3\] question: {kind}\s+n=3\s+p50\s+[\d.]+ ms\s+p95\s+[\d.]+ ms", out), kind
        assert re.search(rf"\[shipped\] question: {kind}\s+n=3\s+p50", out), kind
    assert re.search(r"\[synthetic-3\] index build, cold\s+n=1\s+p50\s+[\d.]+ s\s+p95", out)
    assert re.search(r"\[synthetic-3\] index build, warm.*\b0 texts embedded", out)
    assert re.search(r"\[synthetic-3\] warm start \(fresh process to ready\)\s+n=1\s+p50\s+[\d.]+ s", out)
    assert re.search(r"\[synthetic-3\] server peak RSS \(fresh process\)\s+n=1\s+p50\s+\d+ MiB", out)
    assert re.search(r"\[synthetic-3\] e5 embedding, extrapolated.*16 sampled passages at [\d.]+/s", out)
    assert "[shipped] e5 embedding" not in out  # the sample is taken of the synthetic corpus only
    assert "SUMMARY" in out and "network: 0 connection(s)" in out
    assert "WARNING" not in out


def test_the_bench_command_runs_the_benchmark_in_a_process_of_its_own(tmp_path: Path) -> None:
    """`competency-bot bench` keeps working though the product never imports the benchmarks (tests/test_layout.py):
    it starts `benchmarks.run` in a new process, which names itself as typed."""
    import subprocess

    bot = ROOT / ".venv" / "bin" / "competency-bot"
    proc = subprocess.run([str(bot), "bench", "--standards", "-1"], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "BOT_DATA_DIR": str(tmp_path)})
    assert proc.returncode == 2 and "usage: competency-bot bench" in proc.stderr, proc.stderr
    assert "--standards must be >= 0" in proc.stderr and "bench:" in proc.stderr
