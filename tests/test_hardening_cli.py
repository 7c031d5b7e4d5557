"""Issue 14 through the command line: bad bytes in arguments and batch files, every configuration
error as one line naming the setting (secrets masked), `ask` on a read-only data folder, fatal Bot
API errors (401, 409) ending `serve` non-zero, and a truncated -shm file.

What needs a real process (argv bytes, a read-only mount, `serve` against the fake Bot API) runs
`competency-bot` as a subprocess; the configuration errors run `main([...])` in this process (the
same code, seconds faster each)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.testing.fakebotapi import FakeBotApi
from prompts import t
from tests.test_faults import SERVE_START_TIMEOUT, Serve, polling, serve_env

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / ".venv" / "bin" / "competency-bot"
TOKEN = "535353:AAE-fake_TokenForHardeningCli-11223"
CLOUD = "ISD3512-001v3"
ANSWER_KEYS = {"question", "intent", "answer", "citations", "choices", "elapsed_ms"}
SCRUBBED = ("BOT_", "TELEGRAM_", "DATABASE_", "WEBHOOK_", "CHROMA_")


def cli(data: Path, *args: str | bytes, input: bytes | None = None, prefix: tuple[str, ...] = (),
        **env: str) -> subprocess.CompletedProcess[str]:
    """`competency-bot ARGS` in a subprocess with a clean environment (the fake embedder, data in `data`)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED)}
    environment.update(BOT_DATA_DIR=str(data), BOT_EMBEDDER="fake", BOT_PLUGINS="benchmarks.fakes", PYTHONIOENCODING="utf-8",
                       **env)
    proc = subprocess.run([*prefix, str(BOT), *args], env=environment, input=input, capture_output=True, timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Run:
    """`main([...])` in this process (much faster than a subprocess), with the given environment."""

    def run_main(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
        for key in [k for k in os.environ if k.startswith(SCRUBBED)]:
            monkeypatch.delenv(key)
        fakes = {"BOT_EMBEDDER": "fake", "BOT_PLUGINS": "benchmarks.fakes"}
        for key, value in {"BOT_DATA_DIR": str(tmp_path / "data"), **fakes, **env}.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return run_main


def refused(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The command stopped (non-zero) with one clear line holding the needles, and no traceback."""
    assert proc.returncode != 0, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    matching = [line for line in lines if all(n in line for n in needles)]
    assert matching, f"no line with {needles} in:\n{proc.stderr}"
    return matching[0]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder shared by the `ask` tests (the index is built once)."""
    return tmp_path_factory.mktemp("cli-data") / "data"


# ---------------------------------------------------------------- 9. bad bytes
def test_an_argument_with_bytes_that_are_not_utf8_is_answered(data: Path) -> None:
    proc = cli(data, "ask", "--json", b"T2.2 \xff")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["question"] == "T2.2 \ufffd"
    assert CLOUD in [c["standard"] for c in answer["choices"]], "answered as T2.2 is"
    assert t("cli.bad_bytes", where=t("cli.argument_bad_bytes"), count=1) in proc.stderr


def test_a_batch_with_bad_lines_answers_every_other_line(run: Run, data: Path, tmp_path: Path) -> None:
    lines = [
        json.dumps({"question": "K01 是什麼", "standard": CLOUD}, ensure_ascii=False).encode(),
        b'{"question": "T2.2 \xff\xfe \xe7\x9a\x84\xe8\xa1\x8c\xe7\x82\xba\xe6\x8c\x87\xe6\xa8\x99", "standard": "ISD3512-001v3"}',
        b'{"question": "\\ud800 T2.2 \xe7\x9a\x84\xe5\xb7\xa5\xe4\xbd\x9c\xe7\x94\xa2\xe5\x87\xba", "standard": null}',
        b'{"question": "T2.2", "standard": ["x"]}',
        b'{"question": "T2.2", ',
        b'["not", "an", "object"]',
        b"",
        json.dumps({"question": "T2.2 的工作產出", "standard": CLOUD}, ensure_ascii=False).encode(),
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(b"\n".join(lines) + b"\n")
    proc = run("ask", "--json", "--batch", str(batch), BOT_DATA_DIR=str(data))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == 7, "one line out per non-empty line in"
    assert all(set(answer) == ANSWER_KEYS for answer in out), out
    intents = [answer["intent"] for answer in out]
    assert intents[3:6] == ["error", "error", "error"] and "error" not in intents[:3] + intents[6:], intents
    assert "P2.2.1" in out[1]["answer"] and "\ufffd" in out[1]["question"], "bad bytes replaced, line answered"
    assert "\ufffd" in out[2]["question"] and out[2]["intent"] != "error"
    assert "O2.2.1" in out[6]["answer"], "the batch went on after the bad lines"
    assert all(answer["citations"] == [] and answer["choices"] == [] and answer["answer"] for answer in out[3:6])
    assert t("cli.bad_bytes", where=t("cli.batch_bad_bytes", n=2), count=2) in proc.stderr
    assert t("cli.bad_bytes", where=t("cli.batch_bad_bytes", n=3), count=1) in proc.stderr


def test_a_missing_batch_file_is_one_line(run: Run, data: Path, tmp_path: Path) -> None:
    refused(run("ask", "--json", "--batch", str(tmp_path / "nope.jsonl"), BOT_DATA_DIR=str(data)), "--batch", "nope.jsonl")


# ---------------------------------------------------------------- 10. configuration errors, one line each
BAD_DATABASE_URLS = {
    "bad port": "postgresql+psycopg://bob:Hunter2pw@127.0.0.1:notaport/db",
    "bad driver": "nosuchdriver://bob:Hunter2pw@127.0.0.1/db",
    "not a URL": "this is not a url Hunter2pw",
    "missing driver module": "mysql://bob:Hunter2pw@127.0.0.1/db",
}


@pytest.mark.parametrize("case", BAD_DATABASE_URLS)
def test_a_bad_database_url_is_one_line_naming_it(case: str, run: Run) -> None:
    line = refused(run("chat", DATABASE_URL=BAD_DATABASE_URLS[case]), "DATABASE_URL")
    assert "Hunter2pw" not in line


@pytest.mark.parametrize(
    ("setting", "value", "command"),
    [
        ("BOT_LOG_LEVEL", "NOPE", "standards"),
        ("WEBHOOK_PORT", "eighty", "standards"),
        ("BOT_USER_RATE_PER_MINUTE", "many", "chat"),
        ("BOT_EMBEDDER", "doesnotexist", "ask"),
        ("CHROMA_URL", "http://user:Hunter2pw@127.0.0.1:notaport", "ask"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(setting: str, value: str, command: str, run: Run) -> None:
    args = [command, "T2.2"] if command == "ask" else [command]
    line = refused(run(*args, **{setting: value}), setting)
    assert "Hunter2pw" not in line


def test_a_data_dir_that_is_a_file_is_one_line(run: Run, tmp_path: Path) -> None:
    (tmp_path / "data").write_text("I am a file")
    for command in (["ask", "T2.2"], ["chat"], ["index"]):
        refused(run(*command), "BOT_DATA_DIR", str(tmp_path / "data"))


def test_an_index_folder_that_is_a_file_is_one_line(run: Run, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "index").write_text("I am a file")
    refused(run("ask", "T2.2"), "BOT_DATA_DIR", str(tmp_path / "data" / "index"))


@pytest.mark.parametrize("kind", ["missing", "a file"])
def test_a_bad_corpus_dir_is_one_line(kind: str, run: Run, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    if kind == "a file":
        corpus.write_text("not a folder")
    for command in (["standards"], ["ask", "T2.2"], ["chat"], ["lint"], ["show", CLOUD], ["serve"]):
        refused(run(*command, BOT_CORPUS_DIR=str(corpus), TELEGRAM_BOT_TOKEN=TOKEN), "BOT_CORPUS_DIR", str(corpus))
    refused(run("ingest", str(corpus)), "ingest", str(corpus))


def test_fronts_refuse_an_empty_corpus(run: Run, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "junk.txt").write_text("這不是職能基準", "utf-8")
    env = {"BOT_CORPUS_DIR": str(corpus), "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot"}
    for command in (["serve"], ["chat"], ["ask", "T2.2"], ["index"]):
        refused(run(*command, **env), "BOT_CORPUS_DIR", str(corpus))


def test_serve_refuses_bad_telegram_addresses_and_secrets(run: Run) -> None:
    base = {"TELEGRAM_BOT_TOKEN": TOKEN}
    line = refused(run("serve", TELEGRAM_BASE_URL="ftp://u:Hunter2pw@x/bot", **base), "TELEGRAM_BASE_URL")
    assert "Hunter2pw" not in line
    refused(run("serve", WEBHOOK_URL="not a url", **base), "WEBHOOK_URL")
    refused(run("serve", WEBHOOK_URL="https://h/x", WEBHOOK_SECRET="has spaces!", **base), "WEBHOOK_SECRET")


def test_an_unreachable_bot_api_is_one_masked_line(run: Run) -> None:
    url = "http://user:Hunter2pw@127.0.0.1:9/bot"
    line = refused(run("serve", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=url), "TELEGRAM_BASE_URL")
    assert "Hunter2pw" not in line and "127.0.0.1:9" in line
    assert TOKEN.split(":")[1] not in line


def read_only_prefix(folder: Path) -> tuple[str, ...]:
    """A command prefix under which `folder` cannot be written, even by root (a read-only bind mount in a
    mount namespace of its own); for another user, the folder's modes are enough (see the caller)."""
    if os.geteuid() != 0:
        return ()
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return ("unshare", "--mount", "sh", "-c", script, str(folder))


@pytest.fixture
def read_only_data(tmp_path: Path) -> Iterator[tuple[Path, tuple[str, ...]]]:
    folder = tmp_path / "data"
    assert cli(folder, "ask", "T2.2").returncode == 0  # the index exists, as on a deployed machine
    if os.geteuid() != 0:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
    try:
        yield folder, read_only_prefix(folder)
    finally:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)


def test_ask_on_a_read_only_data_dir_answers_with_keyword_search(read_only_data: tuple[Path, tuple[str, ...]]) -> None:
    folder, prefix = read_only_data
    before = sorted((p.name, p.stat().st_mtime_ns) for p in folder.rglob("*"))
    proc = cli(folder, "ask", "--json", "--standard", CLOUD, "T2.2 的行為指標", prefix=prefix)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "P2.2.1" in json.loads(proc.stdout)["answer"]
    assert t("cli.read_only_lexical", path=folder) in proc.stderr
    assert sorted((p.name, p.stat().st_mtime_ns) for p in folder.rglob("*")) == before, "nothing was written"
    probe = subprocess.run([*prefix, "sh", "-c", f'touch "{folder}/probe"'], capture_output=True)
    assert probe.returncode != 0 and not (folder / "probe").exists(), "the folder really is read-only"


# ---------------------------------------------------------------- 5. fatal Bot API errors end serve
@pytest.fixture
def serve_data(data: Path, tmp_path: Path) -> Path:
    """A data folder for a `serve` subprocess, its index copied from the shared one (built once)."""
    if not (data / "index").exists():
        assert cli(data, "index").returncode == 0
    shutil.copytree(data / "index", tmp_path / "data" / "index")
    return tmp_path / "data"


async def serve_until_exit(api: FakeBotApi, data: Path, fault: int | None, **env: str) -> tuple[int, str]:
    serve = Serve(serve_env(api, data, **env), data.parent / "serve.log")
    try:
        if fault is not None:
            await polling(api, serve, 0)
            api.fail_next("getUpdates", fault, times=1_000)
        status = await serve.wait(SERVE_START_TIMEOUT)
    finally:
        serve.kill()
    return status, serve.output


@pytest.mark.slow  # a `serve` subprocess (about 10 s)
@pytest.mark.parametrize(("fault", "reason"), [(401, "bot.fatal_unauthorized"), (409, "bot.fatal_conflict")])
async def test_a_fatal_bot_api_error_while_polling_ends_serve(
    fault: int, reason: str, serve_data: Path, api: FakeBotApi
) -> None:
    status, output = await serve_until_exit(api, serve_data, fault)
    assert status != 0, output
    assert output.strip().splitlines()[-1] == t(reason), output[-2000:]
    assert "Traceback" not in output and TOKEN not in output, output[-3000:]


@pytest.mark.slow  # a `serve` subprocess
async def test_a_token_refused_at_start_ends_serve(serve_data: Path, api: FakeBotApi) -> None:
    status, output = await serve_until_exit(api, serve_data, None, TELEGRAM_BOT_TOKEN="999:AAE-not_the_right_token-00000")
    assert status != 0
    assert output.strip().splitlines()[-1] == t("bot.fatal_unauthorized"), output[-2000:]
    assert "Traceback" not in output and "not_the_right_token" not in output, output[-3000:]


# ---------------------------------------------------------------- 12. the -shm file truncated under a running serve
@pytest.mark.slow  # two `serve` subprocesses
async def test_a_truncated_shm_file_ends_serve_with_a_line_and_a_restart_recovers(
    serve_data: Path, tmp_path: Path, api: FakeBotApi
) -> None:
    """Left unprevented (see the closing note of issue 14): SQLite maps the -shm file into memory, so
    truncating it under a running process is a bus error. The process says so on stderr (faulthandler)
    and ends non-zero, so a supervisor restarts it; the restarted process rebuilds the file and answers."""
    chat, data = 7300, serve_data
    serve = Serve(serve_env(api, data), tmp_path / "serve-1.log")
    try:
        await polling(api, serve, 0)
        mark = api.mark()
        api.push_message("K01 是什麼", chat)
        await api.wait_for("sendMessage", since=mark, timeout=SERVE_START_TIMEOUT)
        os.truncate(data / "bot.sqlite3-shm", 0)
        api.push_message("T2.2 的工作產出", chat)
        status = await serve.wait(SERVE_START_TIMEOUT)
    finally:
        serve.kill()
    assert status != 0 and "Fatal Python error: Bus error" in serve.output, (status, serve.output[-2000:])

    again = Serve(serve_env(api, data), tmp_path / "serve-2.log")
    try:
        await polling(api, again, api.mark())
        mark = api.mark()
        api.push_message("K01 是什麼", chat)
        reply = (await api.wait_for("sendMessage", since=mark, timeout=SERVE_START_TIMEOUT))[0]
        assert await again.terminate() == 0
    finally:
        again.kill()
    assert "K01" in reply.text
