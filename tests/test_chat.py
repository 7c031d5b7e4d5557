"""The terminal chat: the same engine over stdin and stdout, buttons as numbered choices."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest

from bot.chat import LOCAL_CHAT_ID, parse_line, run_chat
from bot.replies import Button
from bot.services import Services, build_services
from bot.settings import SHIPPED_CORPUS, Settings
from prompts import t

ROOT = Path(__file__).resolve().parents[1]
CLOUD = "ISD3512-001v3"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    data = tmp_path_factory.mktemp("chat-data")
    return build_services(
        Settings(BOT_DATA_DIR=data, BOT_EMBEDDER="fake", BOT_CORPUS_DIR=SHIPPED_CORPUS, DATABASE_URL=None)
    )


def chat(services: Services, *lines: str) -> str:
    out = io.StringIO()
    assert run_chat(services, io.StringIO("".join(f"{line}\n" for line in lines)), out) == 0
    return out.getvalue()


def cloud_choice_number(services: Services, question: str) -> str:
    choices = services.assistant.ask(question).choices
    return str([c.standard for c in choices].index(CLOUD) + 1)


def test_numbers_press_the_buttons_and_the_standard_is_remembered(services: Services) -> None:
    question = "什麼是T2.2的行為指標"
    output = chat(services, "/reset", question, cloud_choice_number(services, question), "T2.2 的工作產出", "/quit")
    assert "[1]" in output and f"（{CLOUD}）" in output  # the choices are listed with numbers
    assert "P2.2.1" in output and "P2.2.2" in output
    assert "O2.2.1" in output and "品質規格書" in output
    assert output.rstrip().endswith(t("bot.chat_bye"))
    assert services.db.get_session(LOCAL_CHAT_ID)["standard"] == CLOUD


def test_end_of_input_ends_the_chat_and_odd_lines_get_replies(services: Services) -> None:
    output = chat(services, "😀😀", "99", "/nosuch")
    assert t("bot.no_words") in output
    assert "/nosuch" in output
    assert output.rstrip().endswith(t("bot.chat_bye"))


def test_parse_line() -> None:
    choices = [Button("甲", "std:A"), Button("乙", "std:B")]
    assert parse_line("2\n", choices, 0, False).button == "std:B"
    assert parse_line("3", choices, 0, False).text == "3"  # not a choice: a question
    incoming = parse_line("/use 雲端系統開發工程人員", choices, 0, True)
    assert (incoming.command, incoming.args, incoming.is_admin) == ("use", "雲端系統開發工程人員", True)


def test_the_chat_command_reads_a_pipe(tmp_path: Path) -> None:
    executable = ROOT / ".venv" / "bin" / "competency-bot"
    if not executable.exists():
        pytest.skip("the console script is not installed (run scripts/setup.sh)")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "BOT_", "DATABASE_", "WEBHOOK_", "CHROMA_"))
    }
    env.update(BOT_DATA_DIR=str(tmp_path), BOT_EMBEDDER="fake", BOT_PLUGINS="benchmarks.fakes")
    done = subprocess.run(
        [str(executable), "chat"],
        input=f"/use {CLOUD}\nT2.2 的行為指標\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "P2.2.1" in done.stdout and "P2.2.2" in done.stdout


def test_a_whole_quick_assessment_typed_in_the_terminal(services: Services) -> None:
    output = chat(
        services,
        f"/assess {CLOUD}",
        "1",  # the numbered choice 快速評估
        "3",
        "上個月我蒐集雲端產品資訊，做了比較",
        "略過",  # the follow-up
        "隨便說說",  # a stray line: a short clarifying question
        "能獨立完成",
        "略過",  # the example
        "1",
        "0",
        "略過",
        "在指導下",
        "0",
    )
    assert "[1] 快速評估" in output and "‧ 0 尚未做過" in output and "[1] 0 尚未做過" not in output
    assert t("bot.chat_typed_hint") in output
    assert "你的例子對應 P1.1.1" in output
    hint = output.index(t("assessment.clarify.ask_0", code="T1.2", title="擬訂應用可行方案"))
    assert output.index("第 3/7 題｜T2.1", hint) > hint  # the place kept after the stray line
    assert "已答 6/7 題，略過 1 題" in output and "・有實例佐證：T1.1 評估應用可行性" in output
    assert not services.assessments.has_active(LOCAL_CHAT_ID)


def test_follow_ups_and_typed_button_labels_in_the_terminal(services: Services) -> None:
    question = "什麼是T2.2的行為指標"
    output = chat(services, "/reset", question, cloud_choice_number(services, question), "那 T2.3 呢", "第二個呢",
                  "以此基準自我評估", "/cancel", "/quit")
    assert "P2.3.1" in output and "依測試報告，檢視異常問題" in output  # 那 T2.3 呢: T2.3's indicators, of the chosen one
    assert "P2.3.2：將測試異常結果交由組織相關人員" in output  # 第二個呢: the second of them, on its own
    assert f"[1] {t('assessment.scope_quick')}" in output  # the typed button label opened the assessment's menu


def test_plain_replies_and_a_cancel_asked_first_in_the_terminal(services: Services) -> None:
    output = chat(
        services,
        f"/assess {CLOUD}",
        "快速評估",  # a choice's label typed
        "其實我有做過，可以自己完成",
        "略過",  # the example
        "沒做過",
        "中止",
        "不要，繼續",
        "可以教人",
        "略過",
        "中止",
        "暫停，保留答案",
    )
    assert "第 1/7 題｜T1.1" in output and "第 3/7 題｜T2.1" in output and "第 4/7 題｜T2.2" in output
    assert output.count("要中止這份自評嗎") == 2 and t("assessment.stop.going_on") in output
    assert "已答的 3 題都保留著" in output
    active = services.assessments.records.active(LOCAL_CHAT_ID)
    assert active is not None and services.assessments.records.scores(active) == {0: 2, 1: 0, 2: 3}
    services.assessments.records.end(LOCAL_CHAT_ID, "cancelled")
