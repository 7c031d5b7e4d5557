"""Which modules a question and a message visit, in order, and how often each is entered (issue 24).

    .venv/bin/python -m benchmarks.paths [--question "T2.2 的行為指標"] [--standard ISD3512-001v3]

A question: `Assistant.ask` on the shipped corpus. A message: `Engine.handle` with a typed text (the session
loaded and saved, the assessment consulted, the answer formatted). "Entered" counts calls that come into the
module from another module (a call within the module is not an entry), after a warm-up of the same message.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

PRODUCT = ("prompts", "index", "retrieval", "bot")


def _module(frame: Any) -> str:
    return frame.f_globals.get("__name__", "")


def trace(call: Callable[[], Any]) -> tuple[list[str], Counter[str]]:
    """The product modules entered while `call` runs: first-entry order and entry counts."""
    order: list[str] = []
    entries: Counter[str] = Counter()

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event != "call":
            return
        module = _module(frame)
        if module.split(".")[0] not in PRODUCT:
            return
        caller = frame.f_back
        while caller is not None and _module(caller).split(".")[0] not in PRODUCT:
            caller = caller.f_back
        if caller is not None and _module(caller) == module:
            return
        if module not in entries:
            order.append(module)
        entries[module] += 1

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return order, entries


def _print(title: str, order: list[str], entries: Counter[str]) -> None:
    print(f"{title}: {len(order)} modules, {sum(entries.values())} entries")
    for module in order:
        print(f"  {module:<32} {entries[module]:>4}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="benchmarks.paths", description=__doc__.split("\n")[0])
    p.add_argument("--question", default="T2.2 的行為指標")
    p.add_argument("--standard", default="ISD3512-001v3")
    args = p.parse_args(argv)
    from bot.replies import Incoming
    from bot.services import build_services
    from bot.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(BOT_DATA_DIR=Path(tmp), TELEGRAM_BOT_TOKEN=None, DATABASE_URL=None)
        services = build_services(settings)
        ask = lambda: services.assistant.ask(args.question, standard=args.standard)  # noqa: E731
        message = Incoming(chat_id=7, user_id=7, text=args.question)
        handle = lambda: services.engine.handle(message)  # noqa: E731
        ask(), handle()
        _print(f"question ({args.question!r}, Assistant.ask)", *trace(ask))
        _print(f"message ({args.question!r}, Engine.handle)", *trace(handle))
        services.db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
