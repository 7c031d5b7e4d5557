"""The `competency-bot` command: lookups, ask, index, lint, and the fronts (Telegram, terminal chat)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bot.settings import Settings
from index.catalog import Catalog
from index.lint import lint
from index.model import Standard
from index.names import printable
from prompts import t


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:  # the benchmark parses its own options (`competency-bot bench --standards 100`)
        argv = ["bench", "--", *[a for a in argv[1:] if a != "--"]]
    parser = _parser()
    args = parser.parse_args(argv)
    settings = Settings()
    logging.basicConfig(level=settings.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "chromadb", "jieba"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    handler = args.handler if hasattr(args, "handler") else cmd_start
    return int(handler(args, settings) or 0)


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
    return Catalog.load(folder or settings.corpus_dir)


def _report_errors(catalog: Catalog) -> None:
    for err in catalog.errors:
        print(t("cli.ingest_error", error=err), file=sys.stderr)


# ------------------------------------------------------------------ ask
def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.assistant import Assistant

    catalog = _catalog(settings)
    _report_errors(catalog)
    assistant = Assistant.from_settings(settings, catalog, progress=sys.stderr.isatty())
    if args.batch:
        return _ask_batch(assistant, args.batch)
    if args.explain:
        print(json.dumps(assistant.explain(args.question, args.standard), ensure_ascii=False, indent=2))
        return 0
    answer = assistant.ask(args.question, args.standard)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
    else:
        print(answer.answer)
        for c in answer.choices:
            print(f"  - {c.standard} {c.title}")
    return 0


def _ask_batch(assistant: object, path: Path) -> int:
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            question, standard = str(item.get("question") or ""), item.get("standard")
        except (ValueError, AttributeError) as e:
            print(t("cli.batch_bad_line", n=n, error=e), file=sys.stderr)
            question, standard = "", None
        answer = assistant.ask(question, standard)  # type: ignore[attr-defined]
        print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
    return 0


# ------------------------------------------------------------------ index, ingest, lint
def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from index.chunk import chunk_catalog
    from index.embed import get_embedder
    from index.store import VectorIndex

    catalog = _catalog(settings)
    _report_errors(catalog)
    vectors = VectorIndex(settings.index_dir, get_embedder(settings.embedder), settings.chroma_url)
    r = vectors.sync(chunk_catalog(catalog), progress=True)
    print(t("cli.index_done", added=len(r.added), replaced=len(r.replaced), removed=len(r.removed),
            unchanged=len(r.unchanged), chunks=r.chunks_written, embedded=r.embedded, cached=r.cached,
            seconds=r.seconds))
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    folder = args.folder or settings.corpus_dir
    catalog = _catalog(settings, folder)
    _report_errors(catalog)
    if not catalog.documents:
        print(t("cli.ingest_none", folder=printable(str(folder))), file=sys.stderr)
        return 1
    print(t("cli.ingest_ok", n=len(catalog.documents), codes="、".join(catalog.documents)))
    return 1 if catalog.errors else 0


def cmd_lint(args: argparse.Namespace, settings: Settings) -> int:
    findings = lint(_catalog(settings))
    for f in findings:
        print(f)
    print(t("cli.lint_count", n=len(findings)) if findings else t("cli.lint_none"))
    return 0


# ------------------------------------------------------------------ lookups
def cmd_standards(args: argparse.Namespace, settings: Settings) -> int:
    catalog = _catalog(settings)
    _report_errors(catalog)
    print(t("cli.standards_header"))
    for doc in sorted(catalog.documents.values(), key=lambda d: (d.family, d.version or 0)):
        print(t("cli.standards_row", code=doc.code, title=doc.title, kind=doc.kind, level=doc.level or "—",
                version=f"v{doc.version}" if doc.version else "—", status=t(f"cli.status_{doc.status}")))
    return 0


def _doc_or_error(catalog: Catalog, code: str):  # type: ignore[no-untyped-def]
    doc = catalog.get(code)
    if doc is None:
        print(t("cli.unknown_standard", code=code, codes="、".join(catalog.documents)), file=sys.stderr)
    return doc


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval import answer as A
    from retrieval.normalize import canonical_codes

    catalog = _catalog(settings)
    doc = _doc_or_error(catalog, args.code)
    if doc is None:
        return 1
    draft = A.start("show", doc, catalog)
    if not args.item:
        A.overview(draft, doc)
        if isinstance(doc, Standard):
            A.standard_field(draft, doc, "tasks", catalog)
        else:
            A.unit_field(draft, doc, "tasks")
        print(draft.text)
        return 0
    item = args.item if not isinstance(doc, Standard) else canonical_codes(args.item.strip())
    found = _show_item(draft, doc, item)
    if not found:
        print(t("cli.unknown_item", code=doc.code, item=args.item), file=sys.stderr)
        return 1
    print(draft.text)
    return 0


def _show_item(draft, doc, item: str) -> bool:  # type: ignore[no-untyped-def]
    from retrieval import answer as A

    if isinstance(doc, Standard):
        task = doc.task(item)
        if task:
            A.task_overview(draft, doc, task)
            return True
        return A.duty_overview(draft, doc, item) or A.item_lookup(draft, doc, item)
    return A.unit_id_lookup(draft, doc, item)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    catalog = _catalog(settings)
    doc = _doc_or_error(catalog, args.code)
    if doc is None:
        return 1
    print(json.dumps(doc.to_dict(), ensure_ascii=False, indent=2))
    return 0


# ------------------------------------------------------------------ fronts
def _startup_errors() -> tuple[type[Exception], ...]:
    """What stops a front from starting for a reason the operator can fix (database, index, token)."""
    from bot.store import DatabaseError
    from bot.telegram.app import MissingTokenError
    from index.store import IndexError_

    return DatabaseError, IndexError_, MissingTokenError


def _refuse_start(error: Exception) -> int:
    """One line on stderr instead of a traceback; a non-zero exit status."""
    print(" ".join(str(error).split()), file=sys.stderr)
    return 1


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.telegram.app import run

    try:
        run(settings)
    except _startup_errors() as e:
        return _refuse_start(e)
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.chat import run_chat
    from bot.services import build_services

    try:
        services = build_services(settings)
    except _startup_errors() as e:
        return _refuse_start(e)
    return int(run_chat(services, sys.stdin, sys.stdout) or 0)


def cmd_start(args: argparse.Namespace, settings: Settings) -> int:
    if settings.token():
        return cmd_serve(args, settings)
    print(t("cli.no_token_chat"), file=sys.stderr)
    return cmd_chat(args, settings)


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from benchmarks.run import main as bench_main

    started = time.perf_counter()
    code = bench_main(args.rest)
    print(f"bench: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
