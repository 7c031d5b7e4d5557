"""One person floods the bot with inline queries; how long does another person wait for an answer?

The real Application (`bot.telegram.app.build_application` on `bot.services.build_services`)
long-polls the fake Bot API server of bot/testing/fakebotapi.py on 127.0.0.1. Person B asks QUESTIONS
questions one after another (each waits for its answer), first alone, then right after person A
has sent FLOOD inline queries (distinct texts, so none is answered from the cache). Printed:
B's reply latency (median, p95, max) in both phases and how many of A's queries were answered.

B stays within the per-person rate limit (30 a minute: 2 x QUESTIONS must stay below it); A does not.

Run: `.venv/bin/python -m benchmarks.flood [--flood 1000] [--questions 12] [--embedder fake]`
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.testing.fakebotapi import FakeBotApi, running

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "919191:AAB-fake_TokenForFloodBench-55555"
FLOODER, ASKER = 8_100, 8_200
QUESTIONS = ("K01 是什麼", "雲端系統開發工程人員 T2.2 的行為指標", "T2.2 的工作產出", "需要撰寫測試報告的工作任務")


async def _ask(api: Any, n: int) -> float:
    mark = api.mark()
    started = time.perf_counter()
    api.push_message(QUESTIONS[n % len(QUESTIONS)], ASKER)
    await api.wait_for("sendMessage", since=mark, where=lambda c: int(c.params["chat_id"]) == ASKER, timeout=120)
    return (time.perf_counter() - started) * 1000


async def _phase(api: Any, questions: int) -> list[float]:
    return [await _ask(api, n) for n in range(questions)]


async def _run(flood: int, questions: int, embedder: str) -> None:
    from pydantic import SecretStr

    from bot.services import build_services
    from bot.settings import Settings

    api = FakeBotApi(TOKEN)
    await api.start()
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(BOT_DATA_DIR=Path(data), BOT_EMBEDDER=embedder, TELEGRAM_POLL_TIMEOUT=1,
                            DATABASE_URL=None, WEBHOOK_URL=None).model_copy(update={
            "telegram_bot_token": SecretStr(TOKEN), "telegram_base_url": api.base_url,
            "telegram_base_file_url": api.base_file_url})
        services = await asyncio.to_thread(build_services, settings)
        async with running(services):
            alone = await _phase(api, questions)
            for n in range(flood):
                api.push_inline_query(f"需求規格書 {n}", user_id=FLOODER)
            flooded = await _phase(api, questions)
            await asyncio.sleep(2.0)  # what is left of the flood
            answered = len(api.calls_of("answerInlineQuery"))
        services.db.engine.dispose()
    await api.stop()
    print(f"flood: {flood} inline queries from one person, {questions} questions from another ({embedder} embedder)")
    for label, values in (("alone", alone), ("during the flood", flooded)):
        print(f"  {label:<17} median {statistics.median(values):7.1f} ms  p95 {_p95(values):7.1f} ms"
              f"  max {max(values):7.1f} ms")
    print(f"  inline queries of the flooder answered: {answered} of {flood}")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="benchmarks.flood", description=__doc__.splitlines()[0])
    p.add_argument("--flood", type=int, default=1000)
    p.add_argument("--questions", type=int, default=12)
    p.add_argument("--embedder", default="fake")
    args = p.parse_args(argv)
    if 2 * args.questions >= 30:
        p.error("--questions: the asker must stay within the rate limit of 30 messages a minute (at most 14)")
    asyncio.run(_run(args.flood, args.questions, args.embedder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
