"""How long career advice takes for descriptions never seen before (issue 21's target: p95 <= 60 ms for plans that
search by meaning). In process, shipped corpus, bundled e5 model, after the server's warm-up; each description is
asked once, so its sentence and its clauses are embedded for real (a repeated question finds its vectors cached).

    .venv/bin/python -m benchmarks.career
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAM = ROOT / "tests" / "data" / "exam_people.jsonl"


def main() -> int:
    from bot.settings import Settings
    from bot.wiring import build_assistant

    questions = [json.loads(line)["question"] for line in EXAM.read_text("utf-8").splitlines()
                 if json.loads(line).get("category") == "career"]
    with tempfile.TemporaryDirectory() as tmp:
        assistant = build_assistant(Settings(BOT_DATA_DIR=Path(tmp), TELEGRAM_BOT_TOKEN=None, DATABASE_URL=None))
        times = []
        for question in questions:
            started = time.perf_counter()
            assistant.ask(question)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"career advice, {len(times)} descriptions never seen before: p50 {statistics.median(times):.1f} ms, "
          f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms (target p95 <= 60 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
