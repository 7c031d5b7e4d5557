"""The interview through the engine, turn by turn: plain replies, the clarifying question, 中止 asked first,
typed button labels, examples listened to, and a restart in the middle (the real engine and services,
the hashing embedder; the e5 reading of examples is tests/test_evidence.py's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.replies import Button, Incoming, Reply
from bot.services import Services, build_services
from bot.settings import SHIPPED_CORPUS, Settings
from prompts import t

ROOT = Path(__file__).resolve().parents[1]
REPLIES = ROOT / "tests" / "data" / "interview_replies.jsonl"
CLOUD = "ISD3512-001v3"


class CountingAssistant:
    """The real assistant, counting the questions the engine asks it (a search)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.asked: list[str] = []

    def ask(self, question: str, standard: str | None = None) -> Any:
        self.asked.append(question)
        return self.real.ask(question, standard=standard)

    def converse(self, message: str, standard: str | None, history: list[Any]) -> Any:
        """What the engine calls for a message (the real one asks the real assistant): one search counted."""
        self.asked.append(message)
        return self.real.converse(message, standard, history)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def settings_for(folder: Path) -> Settings:
    return Settings(
        BOT_DATA_DIR=folder,
        BOT_EMBEDDER="fake",
        BOT_CORPUS_DIR=SHIPPED_CORPUS,
        DATABASE_URL=None,
        BOT_USER_RATE_PER_MINUTE=100_000,  # one person types the whole table in a few seconds
    )


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    built = build_services(settings_for(tmp_path_factory.mktemp("interview-data")))
    built.engine.assistant = CountingAssistant(built.engine.assistant)  # type: ignore[assignment]
    return built


class Person:
    """One person talking to the engine."""

    def __init__(self, services: Services, user: int) -> None:
        self.services = services
        self.user = user

    def say(self, text: str) -> list[Reply]:
        return self.services.engine.handle(Incoming(chat_id=self.user, user_id=self.user, text=text, user_name="受評者"))

    def command(self, name: str, args: str = "") -> list[Reply]:
        return self.services.engine.handle(Incoming(chat_id=self.user, user_id=self.user, command=name, args=args))

    def press(self, data: str) -> list[Reply]:
        return self.services.engine.handle(Incoming(chat_id=self.user, user_id=self.user, button=data))

    def scores(self) -> dict[int, int | None]:
        active = self.services.assessments.records.active(self.user)
        assert active is not None
        return self.services.assessments.records.scores(active)

    def start_quick(self) -> list[Reply]:
        replies = self.command("assess", f"{CLOUD} 快速")
        assert "第 1/7 題｜T1.1" in replies[-1].text
        return replies


def buttons(replies: list[Reply]) -> list[Button]:
    return [button for reply in replies for row in reply.buttons for button in row]


def text_of(replies: list[Reply]) -> str:
    return "\n".join(reply.text for reply in replies)


def searches(services: Services) -> int:
    return len(services.engine.assistant.asked)  # type: ignore[attr-defined]


def is_example_prompt(reply: Reply) -> bool:
    return reply.text.startswith("請舉一次你實際做「")


# ====================================================================== plain replies
def test_the_labelled_plain_replies_are_read_as_labelled_and_none_is_a_search(services: Services) -> None:
    """Each reply of the table typed to an open rating question: the level taken (seen in the stored
    answer) or the clarifying question asked; a lookup goes to the engine; nothing else is a search."""
    rows = [json.loads(line) for line in REPLIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 40
    person = Person(services, 7001)
    person.start_quick()
    right, strays = 0, []
    for row in rows:
        before, searched = person.scores(), searches(services)
        replies = person.say(row["text"])
        expect = row["expect"]
        if expect == "lookup":
            got: Any = "lookup" if searches(services) == searched + 1 else "not a lookup"
        elif searches(services) != searched:
            got = "search"
            strays.append(row["text"])
        elif expect == "cancel":
            got = "cancel" if any(b.data.startswith("as:xd:") for b in buttons(replies)) else replies[0].text
            person.say("不要，繼續")
        else:
            after = person.scores()
            changed = {i: s for i, s in after.items() if before.get(i, "none") != s}
            got = next(iter(changed.values()), "clarify") if changed else "clarify"
            if expect == "skip" and changed == {max(after): None}:
                got = "skip"
            if expect == "back":
                got = "back" if replies[-1].text.startswith("第") and not changed else got
        right += got == expect
        person.services.assessments.records.end(person.user, "cancelled")
        person.start_quick()
    assert strays == []  # nothing answered as a search or a stray message
    assert right / len(rows) >= 0.95, right


def test_plain_replies_turn_by_turn(services: Services) -> None:
    person = Person(services, 7002)
    person.start_quick()
    searched = searches(services)
    replies = person.say("有")
    assert is_example_prompt(replies[-1]) and person.scores() == {0: 2}
    person.say("略過")
    replies = person.say("其實我有做過，可以自己完成")
    assert is_example_prompt(replies[-1]) and person.scores()[1] == 2
    person.say("略過")
    replies = person.say("還不太會，要人帶")
    assert "第 4/7 題" in replies[-1].text and person.scores()[2] == 1
    assert "第 5/7 題" in person.say("沒碰過")[-1].text and person.scores()[3] == 0
    replies = person.say("可以教人，也寫過 SOP")
    assert is_example_prompt(replies[-1]) and person.scores()[4] == 3
    person.say("略過")
    replies = person.say("不是不會")
    assert person.scores()[5] == 2  # a double negation is no 0
    person.say("略過")
    assert searches(services) == searched


def test_an_unclear_reply_gets_a_short_question_with_the_four_levels_never_the_same_twice(services: Services) -> None:
    person = Person(services, 7003)
    person.start_quick()
    searched = searches(services)
    first = person.say("嗯……看情況")
    second = person.say("我也說不上來")
    third = person.say("hmm")
    assert len(first) == len(second) == len(third) == 1
    assert first[0].text != second[0].text != third[0].text
    levels = [b.data.rsplit(":", 1)[-1] for b in buttons(first)][:4]
    assert levels == ["0", "1", "2", "3"]
    narrowed = person.say("沒辦法自己完成")  # 0 or 1: the question names just those two
    assert "0 尚未做過" in narrowed[0].text and "1 在指導下做過" in narrowed[0].text
    assert "2 能獨立完成" not in narrowed[0].text
    assert searches(services) == searched and person.scores() == {}
    person.press(f"{buttons(narrowed)[1].data}")
    assert person.scores() == {0: 1}


def test_a_story_instead_of_a_rating_becomes_the_example(services: Services) -> None:
    person = Person(services, 7004)
    person.start_quick()
    replies = person.say("我會，上個月我蒐集雲端產品資訊，自己做了三家的比較表給主管")
    assert person.scores() == {0: 2}
    assert "你的例子對應 P1.1.1" in text_of(replies) and not is_example_prompt(replies[-1])
    person.say("略過")
    replies = person.say("去年我依組織的分析報告擬定測試和維護的方案，跟主管溝通確認")  # no level word: asked
    assert replies[0].text.startswith("想確認一下") and person.scores() == {0: 2}
    replies = person.press(f"{buttons(replies)[2].data}")  # 2: the story is taken as its example
    assert person.scores()[1] == 2 and "你的例子對應" in text_of(replies)


# ====================================================================== 中止 asked first
def test_cancel_asks_first_and_a_typed_no_goes_on(services: Services) -> None:
    person = Person(services, 7005)
    person.start_quick()
    person.say("1")
    searched = searches(services)
    asked = person.say("中止")
    assert asked[0].text.startswith("要中止這份自評嗎") and len(buttons(asked)) == 3
    assert services.assessments.has_active(person.user)
    replies = person.say("不要，繼續")
    assert t("assessment.stop.going_on") in text_of(replies) and "第 2/7 題｜T1.2" in replies[-1].text
    assert searches(services) == searched  # never answered as a question
    person.say("2")
    assert person.scores() == {0: 1, 1: 2}


def test_cancel_then_pause_keeps_the_answers_for_resume_and_lookups_go_to_the_engine(services: Services) -> None:
    person = Person(services, 7006)
    person.start_quick()
    person.say("1")
    person.command("cancel")
    paused = person.say("暫停")
    assert "已答的 1 題都保留著" in paused[0].text
    assert person.say("中止")[0].text.startswith("已暫停")  # 中止 again during the pause: it is paused already
    searched = searches(services)
    person.say("今天天氣不錯")  # during a pause a message is the engine's
    assert searches(services) == searched + 1
    assert person.services.assessments.restate(person.user) == []
    replies = person.command("resume")
    assert "第 2/7 題｜T1.2" in replies[-1].text
    assert person.say("0")[-1].text.startswith("第 3/7 題") and person.scores() == {0: 1, 1: 0}



def test_a_short_lower_rating_where_an_example_was_asked_rates_again(services: Services) -> None:
    person = Person(services, 7021)
    person.start_quick()
    assert "請舉一次你實際做" in person.say("有，常做")[-1].text
    replies = person.say("要人帶才會")
    assert replies[0].text == t("assessment.answer.rated_again", label="1 在指導下做過")
    assert replies[-1].text.startswith("第 2/7 題") and person.scores() == {0: 1}


def test_asking_for_an_assessment_during_a_pause_offers_to_go_on(services: Services) -> None:
    person = Person(services, 7022)
    person.start_quick()
    person.say("1")
    person.say("中止")
    person.say("暫停")
    offered = person.say("我想做自我評估")
    assert "尚未完成的自評" in offered[0].text and "第 2/7 題" in offered[0].text
    assert person.scores() == {0: 1}  # nothing lost, nothing searched


def test_cancel_with_no_assessment_says_so(services: Services) -> None:
    person = Person(services, 7020)
    assert person.say("中止")[0].text == t("assessment.nothing_active")


def test_answers_are_discarded_only_when_the_person_confirms(services: Services) -> None:
    person = Person(services, 7007)
    person.start_quick()
    person.say("1")
    person.say("取消")
    again = person.say("嗯？")
    assert again[0].text == t("assessment.stop.again") and services.assessments.has_active(person.user)
    assert person.say("確認")[0].text.startswith("已暫停")  # 「確認」 stops, keeping the answers
    assert services.assessments.has_active(person.user)
    person.command("cancel")
    done = person.say("放棄")
    assert done[0].text.startswith("已放棄這份自評") and not services.assessments.has_active(person.user)


def test_a_restart_in_the_middle_of_a_pause_still_resumes(services: Services, tmp_path: Path) -> None:
    first = build_services(settings_for(tmp_path))
    person = Person(first, 7008)
    person.start_quick()
    person.say("2")
    person.say("中止")
    restarted = build_services(settings_for(tmp_path))
    again = Person(restarted, 7008)
    replies = again.say("不要，繼續")  # the 中止 question survived the restart
    assert "第 1/7 題｜T1.1" in text_of(replies) or is_example_prompt(replies[-1])
    replies = again.command("resume")
    assert is_example_prompt(replies[-1])


# ====================================================================== typed button labels
def test_typed_labels_of_the_assessments_own_menus(services: Services) -> None:
    person = Person(services, 7009)
    menu = person.command("assess", CLOUD)
    assert "快速評估" in [b.label for b in buttons(menu)]
    duties = person.say("深入評估")
    assert any(b.data.startswith(f"as:dd:{CLOUD}:") for b in buttons(duties))
    started = person.say("T2")
    assert "深入評估：T2" in started[0].text
    assert "第 2/" in person.say("略過")[-1].text
    assert "第 1/" in person.say("上一題")[-1].text
    asked = person.say("中止")
    assert person.say("暫停，保留答案")[0].text.startswith("已暫停")
    resumed = person.say("繼續")  # the keyboard of the pause: 繼續上次的自評
    assert "第 1/" in text_of(resumed) and asked


def test_a_typed_quick_starts_a_quick_assessment_from_the_scope_menu(services: Services) -> None:
    person = Person(services, 7010)
    person.command("assess", CLOUD)
    assert "第 1/7 題｜T1.1" in person.say("快速")[-1].text


# ====================================================================== examples listened to
def test_an_example_names_its_level_three_signals_and_pasted_indicator_text_is_no_example(services: Services) -> None:
    person = Person(services, 7011)
    person.start_quick()
    person.say("3")
    pasted = person.say("依組織要求或使用者需求，蒐集雲端產品資訊")
    assert "P1.1.1" in pasted[0].text and "原文幾乎一樣" in pasted[0].text
    assert is_example_prompt(pasted[-1])  # still waiting for an example of their own
    replies = person.say("上個月我蒐集雲端產品資訊做比較，也帶兩個新人一起做，寫成團隊 SOP")
    said = replies[0].text
    assert "你的例子對應 P1.1.1" in said and "「帶兩個新人」、「SOP」" in said
    assert "能指導他人或改善做法（3 分）" in said
    follow_up = replies[-1].text
    assert follow_up.startswith("追問：") and "P1.1.1" not in follow_up


def test_the_documents_own_evaluating_asked_about_starts_no_assessment(services: Services) -> None:
    """「哪個任務要做評估報告」 asks the documents (T4.5 and the like); 「我想做評估」 asks for an assessment."""
    person = Person(services, 7023)
    asked = person.say("電商規劃人員哪個任務要做評估報告")
    assert not services.assessments.has_active(person.user)
    assert "T4.5" in asked[0].text, asked[0].text
    started = person.say("好，那幫我評估一下我符不符合電子商務系統規劃人員")
    assert "第 1/" in started[-1].text or buttons(started), started[-1].text
