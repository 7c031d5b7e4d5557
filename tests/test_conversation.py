"""Conversations, turn by turn: what 「它」「那 T2.3 呢」「第二個呢」「再詳細一點」「不是，我是說…」 refer to, and a
standard in focus that moves only when the person names or picks one (retrieval/dialogue.py, bot/engine.py).

Each turn is asserted as it happens (as Rasa's end-to-end stories do). The chats in tests/data/conversations.jsonl
are our own, written apart from the shared practice set, in its format."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.engine import Engine
from bot.replies import Incoming, Reply
from bot.services import Services, build_services
from bot.session import Session
from bot.settings import SHIPPED_CORPUS, Settings
from retrieval.dialogue import Ref, Turn, clauses, language
from retrieval.types import Answer

CHATS = Path(__file__).parent / "data" / "conversations.jsonl"
CLOUD, SHOP, INTEGRATION, OLD_INTEGRATION, UNIT = (
    "ISD3512-001v3", "IIS3513-006v4", "INM3513-005v4", "INM3513-005", "IIS4R0751v2")


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    data = tmp_path_factory.mktemp("conversation-data")
    return build_services(Settings(BOT_DATA_DIR=data, BOT_EMBEDDER="fake", BOT_CORPUS_DIR=SHIPPED_CORPUS,
                                   DATABASE_URL=None, BOT_USER_RATE_PER_MINUTE=0))


class Chat:
    """One person in one chat, talking to the engine."""

    def __init__(self, engine: Engine, chat_id: int) -> None:
        self.engine, self.chat_id = engine, chat_id
        self.replies: list[Reply] = []

    def say(self, text: str) -> list[Reply]:
        if text.startswith("/"):
            head, _, args = text[1:].partition(" ")
            return self._send(Incoming(self.chat_id, self.chat_id, command=head, args=args))
        return self._send(Incoming(self.chat_id, self.chat_id, text=text))

    def press(self, data: str) -> list[Reply]:
        offered = [b.data for r in self.replies for row in r.buttons for b in row]
        assert data in offered, f"{data} was not offered: {offered}"
        return self._send(Incoming(self.chat_id, self.chat_id, button=data))

    def choose(self, code: str) -> list[Reply]:
        return self.press(f"std:{code}")

    def _send(self, incoming: Incoming) -> list[Reply]:
        self.replies = self.engine.handle(incoming)
        return self.replies

    @property
    def answer(self) -> Answer:
        found = next((r.answer for r in self.replies if r.answer is not None), None)
        assert found is not None, [r.text for r in self.replies]
        return found

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    def cited(self) -> list[tuple[str, str]]:
        return [(c.standard, c.code) for c in self.answer.citations]

    @property
    def focus(self) -> str | None:
        return self.engine.session(self.chat_id).standard


_chat_ids = iter(range(70_000, 80_000))


def new_chat(services: Services) -> Chat:
    return Chat(services.engine, next(_chat_ids))


# ---------------------------------------------------------------- the practice chats of our own
def failures(expect: dict[str, Any], chat: Chat) -> list[str]:
    """The expectations of the shared scorer (../shared/eval/score.py) that this turn misses."""
    answer = next((r.answer for r in chat.replies if r.answer is not None), None)
    cites = [(s.upper(), c) for s, c in (chat.cited() if answer else [])]
    choices = {c.standard.upper() for c in answer.choices} if answer else set()
    text = chat.text
    missed = []
    for std, code in expect.get("cite_all", []):
        if (std.upper(), code) not in cites:
            missed.append(f"missing {std} {code}")
    if expect.get("cite_any") and not any((s.upper(), c) in cites[:5] for s, c in expect["cite_any"]):
        missed.append("none of cite_any")
    if "exact_prefix" in expect:
        wanted = {(s.upper(), c) for s, c in expect["cite_all"]}
        depth = {c.count(".") for _, c in wanted}
        extra = [c for s, c in cites if c.startswith(expect["exact_prefix"]) and c.count(".") in depth
                 and s in {w[0] for w in wanted} and (s, c) not in wanted]
        if extra:
            missed.append(f"extra {extra}")
    if "choices" in expect and choices != {c.upper() for c in expect["choices"]}:
        missed.append(f"choices {sorted(choices)}")
    if expect.get("no_choices") and choices:
        missed.append("asked to choose")
    if "only_std" in expect and any(s not in {o.upper() for o in expect["only_std"]} for s, _ in cites):
        missed.append("cites another standard")
    if "cite_std" in expect and not all(any(s == w.upper() for s, _ in cites) for w in expect["cite_std"]):
        missed.append("no citation from a standard")
    for std, code in expect.get("not_cite", []):
        if (std.upper(), code) in cites:
            missed.append(f"cites {code}")
    missed += [f"lacks {w!r}" for w in expect.get("contains", []) if w not in text]
    if expect.get("contains_any") and not any(w in text for w in expect["contains_any"]):
        missed.append("lacks all of contains_any")
    for n in expect.get("says_number", []):
        if not re.search(rf"(?<![\d.A-Z]){n}(?![\d.])", text):
            missed.append(f"never says {n}")
    if expect.get("no_citations") and cites:
        missed.append("cites something")
    return missed


def _chats() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CHATS.read_text("utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("case", _chats(), ids=lambda c: c["id"])
def test_our_practice_chats(services: Services, case: dict[str, Any]) -> None:
    chat = new_chat(services)
    for n, turn in enumerate(case["turns"], 1):
        chat.choose(turn["choose"]) if "choose" in turn else chat.say(turn["say"])
        missed = failures(turn.get("expect", {}), chat)
        assert not missed, f"turn {n} ({turn.get('say') or turn.get('choose')}): {missed}\n{chat.text[:600]}"


# ---------------------------------------------------------------- each kind, turn by turn
def test_a_pointer_is_the_item_just_talked_about(services: Services) -> None:
    chat = new_chat(services)
    chat.say("雲端系統開發工程人員的 K12 是什麼？")
    assert (CLOUD, "K12") in chat.cited() and chat.focus == CLOUD
    chat.say("哪些任務會用到它")
    assert {(CLOUD, "T2.3"), (CLOUD, "T2.5")} <= set(chat.cited())
    assert {s for s, _ in chat.cited()} == {CLOUD} and not chat.answer.choices


def test_the_same_field_of_another_item(services: Services) -> None:
    chat = new_chat(services)
    chat.say("T2.2 的行為指標有哪些")
    assert {c.standard for c in chat.answer.choices} == {CLOUD, SHOP, INTEGRATION}
    chat.choose(CLOUD)
    assert {(CLOUD, "P2.2.1"), (CLOUD, "P2.2.2")} <= set(chat.cited()) and chat.focus == CLOUD
    chat.say("那 T2.3 呢")
    codes = [c for _, c in chat.cited()]
    assert "P2.3.1" in codes and "P2.3.2" in codes and not any(c.startswith(("K", "S")) for c in codes)
    chat.say("T2.4 跟 T2.5 的呢？")
    assert {(CLOUD, "P2.4.1"), (CLOUD, "P2.5.3")} <= set(chat.cited())


def test_ordinals_point_into_the_last_list(services: Services) -> None:
    chat = new_chat(services)
    chat.say("雲端系統開發工程人員 T2.4 的行為指標")
    chat.say("第二個呢")
    assert chat.cited()[0] == (CLOUD, "P2.4.2")
    chat.say("系統整合工程人員有哪些主要職責")
    chat.say("最後一個底下有哪些任務")
    assert chat.cited()[:2] == [(INTEGRATION, "T3"), (INTEGRATION, "T3.1")]
    chat.say("舊版系統整合工程人員有哪些主要職責")
    chat.say("倒數第二個底下有哪些工作活動")
    assert {(OLD_INTEGRATION, "T9.1"), (OLD_INTEGRATION, "T9.3")} <= set(chat.cited())


def test_zooming_in_and_out(services: Services) -> None:
    chat = new_chat(services)
    chat.say("雲端系統開發工程人員 T1.1 的行為指標")
    chat.say("這個任務要幾級？")
    assert (CLOUD, "T1.1") in chat.cited() and "4" in chat.text
    chat.say("那整份基準呢")
    assert "3" in chat.text and {s for s, _ in chat.cited()} == {CLOUD}
    chat.say("T1.2 的工作產出")
    chat.say("那需要哪些知識？")
    assert [c for _, c in chat.cited() if c.startswith("K")] == ["K01", "K02", "K03", "K04", "K05", "K06"]
    chat.say("再詳細一點")
    codes = {c for _, c in chat.cited()}
    assert {"T1.2", "P1.2.1", "O1.2.1", "K01", "S02"} <= codes  # the whole record of the task


def test_repairs(services: Services) -> None:
    chat = new_chat(services)
    chat.say("系統整合工程人員 T2.2 的工作產出")
    chat.say("不是，我是說雲端那份")
    assert {(CLOUD, "O2.2.1"), (CLOUD, "O2.2.2")} <= set(chat.cited()) and chat.focus == CLOUD
    chat.say("我打錯了，是 T2.4")
    assert (CLOUD, "O2.4.1") in chat.cited()
    chat.say("我要問的是知識")
    assert {(CLOUD, "K07"), (CLOUD, "K17")} <= set(chat.cited())
    chat.say("系統整合工程人員 T3.1 的行為指標")
    chat.say("不對，我是問舊版")
    assert {s for s, _ in chat.cited()} == {OLD_INTEGRATION}


def test_the_focus_stays_when_an_answer_draws_on_several_standards(services: Services) -> None:
    chat = new_chat(services)
    chat.say("雲端系統開發工程人員 T2.5 的行為指標")
    chat.say("哪些職能基準有「溝通協調能力」這項技能？")
    assert {(CLOUD, "S03"), (SHOP, "S02")} <= set(chat.cited())
    assert chat.focus == CLOUD
    chat.say("那 T2.1 的行為指標呢？")
    assert {s for s, _ in chat.cited()} == {CLOUD} and not chat.answer.choices


def test_naming_or_switching_moves_the_focus_and_says_so(services: Services) -> None:
    chat = new_chat(services)
    chat.say("ISD3512-001v3 T2.2 的工作產出")
    chat.say("換成電子商務系統規劃人員")
    assert chat.focus == SHOP and "IIS3513-006v4" in chat.text
    chat.say("T2.2 的行為指標")
    assert {s for s, _ in chat.cited()} == {SHOP} and not chat.answer.choices


def test_back_to_an_earlier_task_after_another_standard(services: Services) -> None:
    chat = new_chat(services)
    chat.say("舊版系統整合工程人員 T8.2 的行為指標是哪些")
    chat.say("那雲端系統開發工程人員的基準級別是多少")
    assert chat.focus == CLOUD
    chat.say("對了，今天台北天氣如何？")
    assert not chat.answer.citations
    chat.say("回到剛剛那個任務，它要哪些知識？")
    assert {(OLD_INTEGRATION, "K49"), (OLD_INTEGRATION, "K56")} <= set(chat.cited())


def test_two_clauses_the_second_leaning_on_the_first(services: Services) -> None:
    chat = new_chat(services)
    chat.say("INM3513-005v4 的 P2.1.4 在講什麼")
    chat.say("它是哪個任務的？同一個任務還有哪些行為指標")
    assert {(INTEGRATION, "T2.1"), (INTEGRATION, "P2.1.1"), (INTEGRATION, "P2.1.5")} <= set(chat.cited())


def test_an_unclear_pointer_is_asked_back_with_buttons(services: Services) -> None:
    chat = new_chat(services)
    chat.say("電商系統規劃人員 T1.3 跟 T1.4 的工作產出")
    chat.say("它需要哪些知識")
    assert chat.answer.intent == "clarify" and not chat.answer.citations
    labels = [b.label for r in chat.replies for row in r.buttons for b in row]
    assert labels == ["T1.3", "T1.4"]
    chat.say("T1.4")  # typing a button's label presses it
    assert (SHOP, "T1.4") in chat.cited() and (SHOP, "K01") in chat.cited()
    chat.say("它們需要哪些技能")  # both
    assert {(SHOP, "T1.3"), (SHOP, "T1.4")} <= set(chat.cited())


def test_english_framing_and_the_previous_answer_in_english(services: Services) -> None:
    chat = new_chat(services)
    chat.say("電子商務系統規劃人員 T1.2 的行為指標")
    chinese = chat.text
    chat.say("用英文講")
    assert "Behaviour indicators of T1.2" in chat.text and "published in Chinese only" in chat.text
    assert [c for _, c in chat.cited()] == [c.code for c in chat.answer.citations]
    assert "P1.2.1" in chat.text and "分析企業對企業" in chat.text and "的行為指標：" in chinese
    chat.say("How many tasks does the cloud system developer standard have?")
    assert "7 tasks in all" in chat.text


def test_typed_button_labels_press_the_buttons(services: Services) -> None:
    chat = new_chat(services)
    chat.say("雲端系統開發工程人員 T2.2 的行為指標")
    chat.say("以此基準自我評估")
    assert any(b.data.startswith("as:") for r in chat.replies for row in r.buttons for b in row)
    assert not any(r.answer is not None for r in chat.replies)  # not answered as a question
    services.assessments.cancel(chat.chat_id)


def test_asking_to_assess_oneself_in_words_starts_one_and_pins_lookups(services: Services) -> None:
    chat = new_chat(services)
    chat.say("我想評估自己是否符合雲端系統開發工程人員")
    assert chat.focus == CLOUD and not any(r.answer is not None for r in chat.replies)
    chat.say("快速評估")  # the scope menu's button label, typed
    assert services.assessments.has_active(chat.chat_id)
    chat.say("等一下，先問一下 T2.4 的行為指標是什麼？")
    assert {s for s, _ in chat.cited()} == {CLOUD} and not chat.answer.choices
    chat.say("那電子商務系統規劃人員的 T2.4 呢？")
    assert {(SHOP, "P2.4.1"), (SHOP, "P2.4.3")} <= set(chat.cited())
    chat.say("T2.1 的工作產出")  # during the assessment, lookups are about the assessed standard
    assert {s for s, _ in chat.cited()} == {CLOUD}
    services.assessments.cancel(chat.chat_id)


def test_a_restart_keeps_the_conversation(services: Services) -> None:
    chat = new_chat(services)
    chat.say("電子商務系統規劃人員 T3.5 的行為指標")
    restarted = Engine(services.assistant, services.assessments, services.db)
    again = Chat(restarted, chat.chat_id)
    again.say("那需要哪些知識？")
    assert {(SHOP, "K11"), (SHOP, "K14")} <= set(again.cited())


def test_a_damaged_session_row_starts_afresh(services: Services) -> None:
    chat = new_chat(services)
    chat.say("雲端系統開發工程人員 T2.2 的行為指標")
    services.db.save_session(chat.chat_id, chat.chat_id, context={"history": [{"question": 5}, "x"], "buttons": 7})
    chat.say("T2.3 的工作產出")
    assert (CLOUD, "O2.3.1") in chat.cited()


# ---------------------------------------------------------------- the reading on its own
def turn(**values: Any) -> Turn:
    return Turn(question=values.pop("question", "q"), **values)


def test_resolve_on_crafted_turns(services: Services) -> None:
    dialogue = services.assistant.dialogue
    task = turn(standard=CLOUD, subjects=(Ref("task", "T2.2"), Ref("duty", "T2")), fields=("indicators",),
                listed=(Ref("indicator", "P2.2.1"), Ref("indicator", "P2.2.2")), asked=1)
    assert dialogue.resolve("那 T2.3 呢", [task]).text == "T2.3 的行為指標"
    assert dialogue.resolve("第二個呢", [task]).text == "P2.2.2"
    assert dialogue.resolve("它的工作產出", [task]).text.startswith("T2.2")
    assert dialogue.resolve("T2.5 的工作產出", [task]).how == ""  # a question of its own
    assert dialogue.resolve("哪些職能基準有溝通協調能力", [task]).how == ""
    assert dialogue.resolve("用英文講", [task]).lang == "en"
    assert dialogue.resolve("我打錯了，是 T2.4", [task]).text == "T2.4 的行為指標"


def test_session_round_trip() -> None:
    session = Session(chat_id=1, standard=CLOUD, how="picked", history=[turn(standard=CLOUD, fields=("level",))],
                      buttons=[("快速", "as:quick:X")])
    again = Session.from_row({"chat_id": 1, **session.row()} | {"context": session.row()["context"]})
    assert again == session


def test_clauses_and_language() -> None:
    assert clauses("它是哪個任務的？同一個任務還有哪些行為指標") == ["它是哪個任務的？", "同一個任務還有哪些行為指標"]
    assert clauses("T2.2 的行為指標？還有產出？") == ["T2.2 的行為指標？還有產出？"]
    assert language("What are the outputs of T2.2?") == "en" and language("T2.2 的 outputs") == "zh"


def test_thanks_gets_a_short_reply_and_the_conversation_keeps_its_place(services: Services) -> None:
    chat = new_chat(services)
    chat.say("電子商務系統規劃人員 T4.4 需要哪些知識")
    chat.say("謝謝！")
    assert not any(r.answer is not None for r in chat.replies) and "不客氣" in chat.text
    chat.say("那 T4.5 呢")
    assert {(SHOP, "K18"), (SHOP, "K20")} <= set(chat.cited()) and (SHOP, "T4.5") in chat.cited()


def test_a_pointer_asked_across_standards_goes_by_the_name(services: Services) -> None:
    chat = new_chat(services)
    chat.say("電子商務系統規劃人員 A06 是什麼")
    chat.say("它在別的基準也有嗎？")
    assert {(SHOP, "A06"), (CLOUD, "A06"), (INTEGRATION, "A03")} <= set(chat.cited())
    assert chat.focus == SHOP


def test_a_learning_plan_in_steps_with_the_full_list_on_a_button(services: Services) -> None:
    chat = new_chat(services)
    chat.say("我想當雲端系統開發工程人員，要先學什麼？")
    assert chat.answer.intent == "learning_plan"
    cited = [c for _, c in chat.cited()]
    assert cited[0] == "T2.1"  # the lowest-level task first (level 3, printed first)
    assert len(cited) == len(set(cited)), "nothing repeated"
    full = next(b for r in chat.replies for row in r.buttons for b in row if b.data.startswith("ask:"))
    chat.press(full.data)
    assert {(CLOUD, "K17"), (CLOUD, "S21")} <= set(chat.cited())


@pytest.mark.parametrize("switch", ["那舊版呢", "換成舊版呢", "what about the old version?"])
def test_the_other_version_of_the_standard_just_asked(services: Services, switch: str) -> None:
    """「那舊版呢」 after T2.2's indicators: T2.2's indicators of the older version; 「那新版呢」 back again."""
    chat = new_chat(services)
    chat.say("系統整合工程人員 T2.2 的行為指標")
    assert (INTEGRATION, "P2.2.1") in set(chat.cited())
    chat.say(switch)
    old = set(chat.cited())
    assert (OLD_INTEGRATION, "P2.2.1") in old and (OLD_INTEGRATION, "T2.2") in old, chat.text
    chat.say("那新版呢")
    assert (INTEGRATION, "P2.2.1") in set(chat.cited()), chat.text
