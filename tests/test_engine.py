"""The conversation engine without any chat front: an Incoming in, replies out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.callbacks import Quick
from bot.engine import Engine
from bot.replies import Button, Incoming, Reply
from bot.services import Services, build_services
from bot.settings import SHIPPED_CORPUS, Settings
from bot.store import Database
from index.catalog import Catalog
from index.text import MAX_QUESTION_CHARS, clean_message
from prompts import raw, t
from retrieval.dialogue import Turn
from retrieval.names import find_standards
from retrieval.types import Answer, Choice

CLOUD = "ISD3512-001v3"
CHAT = 42


class RecordingAssistant:
    """Answers T2.2 questions like the real one (choices without a standard), and records the calls."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.asked: list[tuple[str, str | None]] = []
        self.fail = False

    def ask(self, question: str, standard: str | None = None) -> Answer:
        self.asked.append((question, standard))
        if self.fail:
            raise RuntimeError("search index is gone")
        if CLOUD in question:
            standard = CLOUD
        if standard is None and "T2.2" in question:
            choices = [
                Choice(d.code, d.title) for d in self.catalog.current() if getattr(d, "task", None) and d.task("T2.2")
            ]
            return Answer(question, "indicators", "T2.2 在多個職能基準中，請選擇：", choices=choices)
        named = (CLOUD,) if CLOUD in question else ()
        turn = Turn(question, standard=standard, named=named, standards=(standard,) if standard else ())
        return Answer(question, "indicators", f"{standard}：P2.2.1 <答案>", standard=standard, turn=turn)

    def converse(self, message: str, standard: str | None, history: list[Any]) -> Answer:
        return self.ask(message, standard)

    def standards_named(self, text: str) -> list[str]:
        return [CLOUD] if CLOUD in text else []

    def lookup(self, query: str, limit: int = 10) -> list[Any]:
        return []


class RecordingAssessments:
    """Records every call the engine makes to the assessment service."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.waiting_for_text = False
        self.active = False

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **options: Any) -> list[Reply]:
            self.calls.append((name, (*args, options)) if options else (name, args))
            return [Reply(f"assessment:{name}")]

        return record

    def on_text(self, user_id: int, chat_id: int, text: str) -> list[Reply] | None:
        """Holds the message when a question is open (like the real one); None lets the engine answer it."""
        self.calls.append(("on_text", (user_id, chat_id, text)))
        return [Reply("assessment:on_text")] if self.waiting_for_text else None

    def restate(self, user_id: int) -> list[Reply]:
        self.calls.append(("restate", (user_id,)))
        return [Reply("assessment:restate")] if self.active else []

    def assessed_standard(self, user_id: int) -> str | None:
        return None

    def has_active(self, user_id: int) -> bool:
        return self.active


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'engine.sqlite3'}")
    database.create()
    return database


@pytest.fixture
def assistant(catalog: Catalog) -> RecordingAssistant:
    return RecordingAssistant(catalog)


@pytest.fixture
def assessments() -> RecordingAssessments:
    return RecordingAssessments()


@pytest.fixture
def engine(assistant: RecordingAssistant, assessments: RecordingAssessments, db: Database) -> Engine:
    return Engine(assistant, assessments, db, reloader=lambda: "reloaded")


def text(engine: Engine, words: str, chat: int = CHAT) -> list[Reply]:
    return engine.handle(Incoming(chat_id=chat, user_id=chat, text=words))


def command(engine: Engine, name: str, args: str = "", admin: bool = False, chat: int = CHAT) -> list[Reply]:
    return engine.handle(Incoming(chat_id=chat, user_id=chat, command=name, args=args, is_admin=admin))


def press(engine: Engine, data: str, chat: int = CHAT) -> list[Reply]:
    return engine.handle(Incoming(chat_id=chat, user_id=chat, button=data))


def buttons(replies: list[Reply]) -> list[Button]:
    return [b for r in replies for row in r.buttons for b in row]


# ---------------------------------------------------------------- standards in a session


def test_choices_become_buttons_and_the_pending_question_is_answered_on_press(
    engine: Engine, assistant: RecordingAssistant, db: Database
) -> None:
    replies = text(engine, "什麼是T2.2的行為指標")
    data = [b.data for b in buttons(replies)]
    assert f"std:{CLOUD}" in data and len(data) == 3
    assert db.get_session(CHAT)["pending"] == {"question": "什麼是T2.2的行為指標"}

    answered = press(engine, f"std:{CLOUD}")
    assert answered[0].edit and "P2.2.1" in answered[0].text
    assert assistant.asked[-1] == ("什麼是T2.2的行為指標", CLOUD)
    assert db.get_session(CHAT)["standard"] == CLOUD
    assert db.get_session(CHAT)["pending"] is None
    assert f"as:begin:{CLOUD}" in [b.data for b in buttons(answered)]

    text(engine, "T2.2 的工作產出")
    assert assistant.asked[-1] == ("T2.2 的工作產出", CLOUD)


def test_naming_a_standard_in_a_question_makes_it_current(engine: Engine, assistant: RecordingAssistant) -> None:
    replies = text(engine, f"{CLOUD} 的 T2.2")
    assert "雲端系統開發工程人員" in replies[0].text  # says the standard is now remembered
    text(engine, "T2.2 的工作產出")
    assert assistant.asked[-1][1] == CLOUD


def test_the_session_survives_a_new_engine_on_the_same_database(
    engine: Engine, assessments: RecordingAssessments, db: Database, catalog: Catalog
) -> None:
    command(engine, "use", CLOUD)
    other_process = RecordingAssistant(catalog)
    Engine(other_process, assessments, Database(db.url)).handle(Incoming(chat_id=CHAT, user_id=CHAT, text="T2.2"))
    assert other_process.asked == [("T2.2", CLOUD)]


def test_use_reset_and_the_standards_list(engine: Engine, db: Database) -> None:
    assert "系統整合工程人員" in command(engine, "use", "系統整合工程人員")[0].text
    assert db.get_session(CHAT)["standard"] == "INM3513-005v4"  # the current edition, not the old one
    command(engine, "use", "INM3513-005")
    assert db.get_session(CHAT)["standard"] == "INM3513-005"
    command(engine, "reset")
    assert db.get_session(CHAT)["standard"] is None

    unknown = command(engine, "use", "<b>沒有這個</b>")
    assert "<b>沒有這個</b>" in unknown[0].text and buttons(unknown)

    listing = command(engine, "standards")
    listed = [b.data for b in buttons(listing)]
    assert f"std:{CLOUD}" in listed and "std:INM3513-005" not in listed
    assert "INM3513-005 " in listing[0].text  # historical editions are listed as text


def test_find_standards_prefers_current_editions(catalog: Catalog) -> None:
    assert [d.code for d in find_standards(catalog, "IISD3512-001v3")] == [CLOUD]
    assert [d.code for d in find_standards(catalog, "系統整合工程人員")] == ["INM3513-005v4"]
    assert find_standards(catalog, "不存在的職業") == []


def test_every_button_fits_telegram_callback_data(engine: Engine) -> None:
    replies = command(engine, "start") + command(engine, "help") + command(engine, "standards")
    replies += text(engine, "什麼是T2.2的行為指標") + press(engine, f"std:{CLOUD}")
    assert all(len(b.data.encode()) < 64 for b in buttons(replies))


def test_help_examples_are_buttons_that_ask(engine: Engine, assistant: RecordingAssistant) -> None:
    examples = raw("bot.examples")
    help_buttons = buttons(command(engine, "help"))
    assert [b.label for b in help_buttons] == examples
    press(engine, help_buttons[1].data)
    assert assistant.asked[-1][0] == examples[1]


# ---------------------------------------------------------------- difficult input


@pytest.mark.parametrize(
    ("words", "key"),
    [
        ("", "bot.empty_text"),
        ("   \n\t ", "bot.empty_text"),
        ("\x00\x07\u200b", "bot.empty_text"),
        ("😀🎉👍", "bot.no_words"),
    ],
)
def test_empty_or_wordless_text_gets_a_clear_reply(
    engine: Engine, assistant: RecordingAssistant, words: str, key: str
) -> None:
    assert [r.text for r in text(engine, words)] == [t(key)]
    assert assistant.asked == []


def test_control_characters_are_removed_before_asking(engine: Engine, assistant: RecordingAssistant) -> None:
    text(engine, "什麼是\x00T2.2\u200b的\x07行為指標")
    assert assistant.asked[-1][0] == "什麼是T2.2的行為指標"
    assert clean_message(" a\u3000\u3000b \n\n c ") == "a b\nc"


def test_long_questions_are_truncated_with_a_note(engine: Engine, assistant: RecordingAssistant) -> None:
    replies = text(engine, f"{CLOUD} T2.2 " + "很長" * 2000)
    assert len(assistant.asked[-1][0]) == MAX_QUESTION_CHARS
    assert t("bot.truncated", limit=MAX_QUESTION_CHARS) in replies[0].text


def test_html_is_passed_on_as_plain_text(engine: Engine, assistant: RecordingAssistant) -> None:
    replies = text(engine, f"<b>{CLOUD}</b> & <script>")
    assert assistant.asked[-1][0] == f"<b>{CLOUD}</b> & <script>"
    assert "<答案>" in replies[0].text  # the engine does not escape: the adapters do


def test_a_failing_assistant_gives_an_apology_not_an_exception(engine: Engine, assistant: RecordingAssistant) -> None:
    assistant.fail = True
    assert [r.text for r in text(engine, "T2.2")] == [t("bot.error")]


def test_unknown_commands_and_buttons(engine: Engine) -> None:
    assert "/nosuch" in command(engine, "nosuch")[0].text
    assert press(engine, "zz:whatever")[0].text == t("bot.button_unknown")
    assert press(engine, "ex:999")[0].text == t("bot.button_unknown")


# ---------------------------------------------------------------- assessments and admins


def test_assessment_routing(engine: Engine, assessments: RecordingAssessments) -> None:
    command(engine, "start", "assess-IISD3512-001v3")
    assert assessments.calls[-1] == ("begin", (CHAT, CHAT, CLOUD, ""))

    press(engine, "as:q:ISD3512-001v3")
    assert assessments.calls[-1] == ("on_button", (CHAT, CHAT, Quick("ISD3512-001v3")))  # read by bot/callbacks.py

    assessments.waiting_for_text = True
    assert [r.text for r in text(engine, "我寫過測試報告\x00")] == ["assessment:on_text"]
    assert assessments.calls[-1] == ("on_text", (CHAT, CHAT, "我寫過測試報告"))
    assessments.waiting_for_text = False

    assessments.active = True  # a lookup in the middle of an assessment: answered, then the question again
    replies = text(engine, "T2.2 的行為指標是什麼？")
    assert "P2.2.1" in replies[0].text or "T2.2" in replies[0].text
    assert replies[-1].text == "assessment:restate"
    assert [c[0] for c in assessments.calls[-2:]] == ["on_text", "restate"]
    assessments.active = False

    command(engine, "use", CLOUD)
    command(engine, "assess")
    assert assessments.calls[-1] == ("begin", (CHAT, CHAT, CLOUD, ""))
    command(engine, "assess", "快速")
    assert assessments.calls[-1] == ("begin", (CHAT, CHAT, CLOUD, "", {"quick": True}))
    command(engine, "assess", "雲端系統開發工程人員 quick")
    assert assessments.calls[-1] == ("begin", (CHAT, CHAT, CLOUD, "", {"quick": True}))

    command(engine, "report", "7")
    assert assessments.calls[-1] == ("report", (CHAT, 7))
    assert command(engine, "report", "abc")[0].text == t("bot.report_usage")

    assert command(engine, "cancel")[0].text == t("bot.nothing_to_cancel")
    assessments.active = True
    command(engine, "cancel")
    assert assessments.calls[-1] == ("cancel", (CHAT,))
    for name in ("resume", "history"):
        command(engine, name)
        assert assessments.calls[-1][0] == name
    asked = command(engine, "forget")  # asks first (bot/forget.py): nothing is deleted until confirmed
    assert assessments.calls[-1][0] == "history"
    yes = next(b.data for row in asked[0].buttons for b in row if b.data.startswith("fg:y"))
    engine.handle(Incoming(chat_id=CHAT, user_id=CHAT, button=yes))
    assert assessments.calls[-1][0] == "forget"


def test_admin_commands_are_refused_politely_to_others(engine: Engine, assessments: RecordingAssessments) -> None:
    reloads: list[str] = []
    engine.reloader = lambda: reloads.append("x") or "reloaded"
    assert command(engine, "reload")[0].text == t("bot.admin_only")
    assert command(engine, "team_export")[0].text == t("bot.admin_only")
    assert reloads == [] and assessments.calls == []
    assert command(engine, "reload", admin=True)[0].text == "reloaded"
    command(engine, "team_export", admin=True)
    assert assessments.calls[-1][0] == "team_export"


# ---------------------------------------------------------------- with the real assistant


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Services:
    data = tmp_path_factory.mktemp("engine-data")
    return build_services(
        Settings(BOT_DATA_DIR=data, BOT_EMBEDDER="fake", BOT_CORPUS_DIR=SHIPPED_CORPUS, DATABASE_URL=None)
    )


def test_real_assistant_t22_flow(real: Services) -> None:
    chat = 7001
    choice = text(real.engine, "什麼是T2.2的行為指標", chat)
    assert f"std:{CLOUD}" in [b.data for b in buttons(choice)]
    answered = press(real.engine, f"std:{CLOUD}", chat)
    assert answered[0].edit and "P2.2.1" in answered[0].text and "P2.2.2" in answered[0].text
    outputs = text(real.engine, "T2.2 的工作產出", chat)
    assert "O2.2.1" in outputs[0].text and "品質規格書" in outputs[0].text


def test_real_reload_reports_the_documents(real: Services) -> None:
    before = real.catalog
    report = command(real.engine, "reload", admin=True)[0].text
    assert report == t("bot.reload_done", count=5, current=4)
    assert real.catalog is not before and real.assistant.catalog is real.catalog


# ---------------------------------------------------------------- the assistant's own features asked in a sentence
@pytest.mark.parametrize(("words", "feature"), [("我想看我之前的自評", "history"), ("我的評估結果可以下載成 PDF 嗎", "report"),
                                                ("怎麼把我的資料刪掉", "forget"), ("how do I delete my data?", "forget"),
                                                ("上次沒做完的評估要怎麼接著做", "resume")])
def test_a_feature_asked_in_a_sentence_points_to_its_command(
    engine: Engine, assistant: RecordingAssistant, assessments: RecordingAssessments, words: str, feature: str
) -> None:
    """「我想看我之前的自評」 holds 自評 but asks for the history: no new assessment, no standards' text."""
    replies = text(engine, words)
    assert f"/{feature}" in replies[0].text and assistant.asked == []
    assert not any(name == "begin" for name, _ in assessments.calls)
    (button,) = buttons(replies)
    assert button.label == t(f"bot.commands.{feature}")
