"""A self-assessment through the real python-telegram-bot Application: by button presses, by typing
alone, with stray messages and lookups in the middle, across a restart, with examples read against
the indicators and followed up.

The bot polls the fake Bot API server of bot/testing/fakebotapi.py on 127.0.0.1; the test acts as a
person (commands, button presses, typed answers and examples) and reads what the bot sent.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.services import build_services
from bot.settings import SHIPPED_CORPUS, Settings
from bot.testing.fakebotapi import Call, FakeBotApi, running
from prompts import raw, t
from tests.pdftext import pdf_text, squash

TOKEN = "535353:AAH-fake_TokenForAssessmentTests-9876"
ADMIN_ID = 900_777
CLOUD = "ISD3512-001v3"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PROMPT_PREFIXES = ("as:a:", "as:e:", "as:rep:")  # a question, the evidence follow-up, the summary


@pytest.fixture
def settings(tmp_path: Path, api: FakeBotApi) -> Settings:
    return Settings(
        BOT_DATA_DIR=tmp_path / "data",
        BOT_EMBEDDER="fake",
        TELEGRAM_BOT_TOKEN=TOKEN,
        BOT_ADMIN_IDS=str(ADMIN_ID),
        TELEGRAM_POLL_TIMEOUT=1,
        BOT_CORPUS_DIR=SHIPPED_CORPUS,
        DATABASE_URL=None,
        WEBHOOK_URL=None,
    ).model_copy(update={"telegram_base_url": api.base_url, "telegram_base_file_url": api.base_file_url})


def plain(call: Call) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", call.text))


def data_of(call: Call) -> list[str]:
    return [button["callback_data"] for button in call.buttons]


def is_prompt(call: Call) -> bool:
    return any(data.startswith(PROMPT_PREFIXES) for data in data_of(call))


async def next_prompt(api: FakeBotApi, since: int) -> Call:
    """The next question, follow-up or summary the bot sends after `since`."""
    return (await api.wait_for("sendMessage", since=since, where=is_prompt))[0]


async def say(api: FakeBotApi, text: str, chat_id: int, where: Callable[[Call], bool] | None = None) -> Call:
    mark = api.mark()
    api.push_message(text, chat_id)
    return (await api.wait_for("sendMessage", since=mark, where=where))[0]


async def press(api: FakeBotApi, message: Call, data: str) -> Call:
    """Press a button of a message the bot sent; returns the next prompt."""
    assert data in data_of(message), (data, data_of(message))
    mark = api.mark()
    api.push_callback(api.sent_message(message), data)
    return await next_prompt(api, mark)


async def answer(api: FakeBotApi, question: Call, value: int | str) -> Call:
    base = next(d for d in data_of(question) if d.startswith("as:a:")).rsplit(":", 1)[0]
    return await press(api, question, f"{base}:{value}")


async def start_quick(api: FakeBotApi, chat: int) -> Call:
    scope = await say(api, f"/assess {CLOUD}", chat, where=lambda c: f"as:q:{CLOUD}" in data_of(c))
    return await press(api, scope, f"as:q:{CLOUD}")


async def evidence(api: FakeBotApi, chat: int, sentence: str) -> Call:
    mark = api.mark()
    api.push_message(sentence, chat)
    return await next_prompt(api, mark)


async def typing(api: FakeBotApi, chat: int, text: str) -> tuple[list[Call], Call]:
    """Type a message; returns every message sent for it up to and including the next prompt."""
    mark = api.mark()
    api.push_message(text, chat)
    prompt = await next_prompt(api, mark)
    sent = api.calls_of("sendMessage", since=mark)
    return sent[: sent.index(prompt) + 1], prompt


def is_example_prompt(call: Call) -> bool:
    return plain(call).startswith("請舉一次你實際做「")


def is_question(call: Call) -> bool:
    return any(data.startswith("as:a:") for data in data_of(call))


# ---------------------------------------------------------------- tests
async def test_a_whole_quick_assessment_by_button_presses(settings: Settings, api: FakeBotApi) -> None:
    chat = 3001
    services = build_services(settings)
    async with running(services):
        prompt = await start_quick(api, chat)
        for number, value in enumerate([3, 1, 0, "s", 2, 1, 0], start=1):
            assert f"第 {number}/7 題" in plain(prompt), plain(prompt)
            mark = api.mark()
            prompt = await answer(api, prompt, value)
            if value in (2, 3):
                assert is_example_prompt(prompt)
                prompt = await evidence(api, chat, f"第 {number} 題：我負責過 <一次> 導入")
                while any(data.startswith("as:e:") for data in data_of(prompt)):  # a follow-up: skipped
                    prompt = await press(api, prompt, data_of(prompt)[0])
        summary = prompt
        photo = (await api.wait_for("sendPhoto", since=mark))[0]

        assert "as:rep:" in " ".join(data_of(summary))
        text = plain(summary)
        assert CLOUD in text and "T2.1" in text and "已答 6/7 題，略過 1 題" in text
        assert photo.files["photo"][1].startswith(PNG_SIGNATURE) and len(photo.files["photo"][1]) > 10_000

        mark = api.mark()
        api.push_message("/report", chat)
        documents = await api.wait_for("sendDocument", since=mark, count=3)
    files = dict(call.files["document"] for call in documents)
    assert [name.rsplit(".", 1)[1] for name, _ in files.items()] == ["pdf", "md", "csv"]  # the PDF is the report
    assert all(call.params.get("caption") for call in documents)  # every file says what it is
    report_text = pdf_text(next(content for name, content in files.items() if name.endswith(".pdf")))
    assert "確認系統功能需求規格" in report_text and squash("「第 1 題：我負責過 <一次> 導入」") in report_text
    markdown = next(content for name, content in files.items() if name.endswith(".md")).decode()
    assert f"（{CLOUD}）" in markdown and "「第 1 題：我負責過 <一次> 導入」" in markdown
    table = next(content for name, content in files.items() if name.endswith(".csv"))
    rows = list(csv.reader(io.StringIO(table.decode("utf-8-sig"))))
    assert rows[0] == raw("assessment.report.csv_header") and len(rows) == 8
    assert [row[4] for row in rows[1:]] == ["3", "1", "0", "", "2", "1", "0"]


async def test_resume_after_the_application_restarts_midway(settings: Settings, api: FakeBotApi) -> None:
    chat = 3002
    async with running(build_services(settings)):
        prompt = await start_quick(api, chat)
        for value in (1, 0, 1):
            prompt = await answer(api, prompt, value)
        before_restart = prompt
        assert "第 4/7 題" in plain(before_restart)

    restarted = build_services(settings)  # a new process: new services, same database
    async with running(restarted):
        resumed = await say(api, "/resume", chat, where=is_prompt)
        assert "第 4/7 題" in plain(resumed) and "T2.2" in plain(resumed)
        # the button of the message sent before the restart still works (stable callback data)
        prompt = await answer(api, before_restart, 0)
        assert "第 5/7 題" in plain(prompt)
        for _ in range(3):
            prompt = await answer(api, prompt, 1)
        assert "as:rep:" in " ".join(data_of(prompt))
    done = restarted.assessments.history(chat)
    assert "#" in done[0].text and CLOUD in done[0].text


async def test_a_restart_while_an_example_is_awaited_restates_the_question(settings: Settings, api: FakeBotApi) -> None:
    chat = 3007
    async with running(build_services(settings)):
        await typing(api, chat, f"/assess {CLOUD} 快速")
        for words in ("1", "0", "1"):
            _sent, prompt = await typing(api, chat, words)
        _sent, prompt = await typing(api, chat, "3")
        assert is_example_prompt(prompt)

    async with running(build_services(settings)):
        sent, prompt = await typing(api, chat, "/resume")
        assert plain(sent[0]).startswith("第 4/7 題｜T2.2") and "你先前的回答：3" in plain(sent[0])
        assert is_example_prompt(prompt) and "開發與測試" in plain(prompt)

        sent, prompt = await typing(api, chat, "上個月我依軟體需求規格書，跟 PM 一起制定測試條件及項目，最後寫完品質規格書")
        assert plain(sent[0]).startswith("你的例子對應 P2.2.1")
        assert plain(prompt).startswith("追問：") and "P2.2.2" in plain(prompt)
        assert any(data.startswith("as:e:") for data in data_of(prompt))  # skippable

        _sent, prompt = await typing(api, chat, "/resume")  # the follow-up is restated after its question
        assert "第 4/7 題｜T2.2" in plain(api.calls_of("sendMessage")[-2]) and plain(prompt).startswith("追問：")
        sent, prompt = await typing(api, chat, "上線前一週，我依品質規格書帶著同事進行需求測試，並完成測試報告")
        assert plain(sent[0]).startswith("你的補充對應 P2.2.2") and "第 5/7 題" in plain(prompt)
        for words in ("0", "0", "0"):
            _sent, prompt = await typing(api, chat, words)
    assert "・有實例佐證：T2.2 開發與測試" in plain(prompt)


async def test_a_whole_quick_assessment_by_typing_alone(settings: Settings, api: FakeBotApi) -> None:
    chat = 3005
    async with running(build_services(settings)):
        _sent, prompt = await typing(api, chat, f"/assess {CLOUD} 快速")
        assert "第 1/7 題｜T1.1" in plain(prompt)

        sent, prompt = await typing(api, chat, "3")
        assert is_example_prompt(prompt) and "評估應用可行性" in plain(prompt)
        sent, prompt = await typing(api, chat, "上個月我蒐集雲端產品資訊，做了比較")
        assert plain(sent[0]).startswith("你的例子對應 P1.1.1")
        assert plain(prompt).startswith("追問：") and "P1.1.2" in plain(prompt)  # the indicator not shown
        sent, prompt = await typing(api, chat, "後來我把雲端產品資料彙整起來分析，完成開發及測試的可行性分析")
        assert plain(sent[0]).startswith("你的補充對應 P1.1.2") and "第 2/7 題" in plain(prompt)

        for number, words in enumerate(["能獨立完成", "在指導下", "0", "跳過", "1"], start=2):
            assert f"第 {number}/7 題" in plain(prompt), plain(prompt)
            _sent, prompt = await typing(api, chat, words)
            if is_example_prompt(prompt):
                _sent, prompt = await typing(api, chat, "略過")
        assert "第 7/7 題" in plain(prompt)
        mark = api.mark()
        _sent, summary = await typing(api, chat, "尚未做過")
        await api.wait_for("sendPhoto", since=mark)
    text = plain(summary)
    assert "已答 6/7 題，略過 1 題" in text
    assert "・有實例佐證：T1.1 評估應用可行性" in text and "・僅自評：T1.2 擬訂應用可行方案" in text
    assert not api.calls_of("answerCallbackQuery")  # not one button was pressed


async def test_a_stray_message_and_a_lookup_keep_the_place(settings: Settings, api: FakeBotApi) -> None:
    chat = 3006
    async with running(build_services(settings)):
        await typing(api, chat, f"/assess {CLOUD} 快速")
        _sent, prompt = await typing(api, chat, "1")
        assert "第 2/7 題｜T1.2" in plain(prompt)

        sent, prompt = await typing(api, chat, "今天天氣不錯")
        assert [plain(call) for call in sent] == [t("assessment.clarify.ask_0", code="T1.2", title="擬訂應用可行方案")]
        assert is_question(prompt)  # the four levels as buttons

        sent, prompt = await typing(api, chat, f"{CLOUD} T2.2 的行為指標是什麼？")
        assert "P2.2.1" in plain(sent[0]) and t("answers.out_of_scope") not in plain(sent[0])
        assert "第 2/7 題｜T1.2" in plain(prompt)  # the question again after the lookup

        _sent, prompt = await typing(api, chat, "0")
        assert "第 3/7 題" in plain(prompt)
    restarted = build_services(settings)
    active = restarted.assessments.records.active(chat)
    assert active is not None and restarted.assessments.records.scores(active) == {0: 1, 1: 0}


async def test_team_export_only_for_admins(settings: Settings, api: FakeBotApi) -> None:
    chat = 3003
    async with running(build_services(settings)):
        prompt = await start_quick(api, chat)
        for _ in range(7):
            prompt = await answer(api, prompt, 0)

        refused = await say(api, "/team_export", chat)
        assert plain(refused) == t("bot.admin_only")
        assert not api.calls_of("sendDocument")

        mark = api.mark()
        api.push_message("/team_export", ADMIN_ID)
        export = (await api.wait_for("sendDocument", since=mark))[0]
    name, content = export.files["document"]
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert name.endswith(".csv") and rows[0] == raw("assessment.report.team_header")
    assert len(rows) == 8 and {row[0] for row in rows[1:]} == {str(chat)}
    assert rows[1][1] == "小明" and rows[1][2] == CLOUD and rows[1][9] == "0.0"


async def test_plain_replies_typed_labels_and_a_cancel_asked_first(settings: Settings, api: FakeBotApi) -> None:
    chat = 3010
    async with running(build_services(settings)):
        await say(api, f"/assess {CLOUD}", chat, where=lambda c: f"as:q:{CLOUD}" in data_of(c))
        _sent, prompt = await typing(api, chat, "快速評估")  # a button's label typed in its menu
        assert "第 1/7 題｜T1.1" in plain(prompt)

        _sent, prompt = await typing(api, chat, "有")
        assert is_example_prompt(prompt)
        _sent, prompt = await typing(api, chat, "略過")
        sent, prompt = await typing(api, chat, "還不太會，要人帶")
        assert "第 3/7 題｜T2.1" in plain(prompt) and len(sent) == 1

        sent, prompt = await typing(api, chat, "嗯……看情況")
        assert [plain(call) for call in sent] == [t("assessment.clarify.ask_0", code="T2.1", title="確認系統功能需求規格")]
        assert is_question(prompt)

        stop = await say(api, "中止", chat, where=lambda c: any(d.startswith("as:xk:") for d in data_of(c)))
        assert plain(stop).startswith("要中止這份自評嗎") and "已答 2/7 題" in plain(stop)
        sent, prompt = await typing(api, chat, "不要，繼續")
        assert plain(sent[0]) == t("assessment.stop.going_on") and "第 3/7 題｜T2.1" in plain(prompt)

        _sent, prompt = await typing(api, chat, "識，自己搞得掂")
        assert is_example_prompt(prompt)
        texts = [plain(call) for call in api.calls_of("sendMessage")]
    assert not any(t("answers.out_of_scope") in text for text in texts)  # nothing was taken for a question
    restarted = build_services(settings)
    active = restarted.assessments.records.active(chat)
    assert active is not None and restarted.assessments.records.scores(active) == {0: 2, 1: 1, 2: 2}
