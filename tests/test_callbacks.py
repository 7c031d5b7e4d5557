"""Button data (bot/callbacks.py): every kind to and from its string within 64 bytes, every button the bot shows
readable, and stale or tampered data (wrong types, ids out of range, unknown kinds, too long) answered politely,
in the engine and over the Telegram front, with nothing changed."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from bot import callbacks as cb
from bot.assessment import menus
from bot.replies import Incoming, Reply
from bot.services import Services, build_services
from bot.settings import SHIPPED_CORPUS, Settings
from bot.store import MAX_ROW_ID
from bot.testing.fakebotapi import FakeBotApi, running
from index.catalog import Catalog
from index.model import Standard, Unit
from prompts import t

TOKEN = "565656:AAH-fake_TokenForCallbackTests-4242"
CLOUD = "ISD3512-001v3"
USER = 61_001

SAMPLES: list[cb.Data] = [
    cb.Choose(CLOUD), cb.Command("help"), cb.Example(3), cb.Page(12, 1), cb.Referent(0), cb.Ask("T2.2 的行為指標：是什麼"),
    cb.ForgetYes(1_700_000_000), cb.ForgetNo(),
    cb.AssessStandard(CLOUD), cb.AssessBegin("IIS4R0751v2"), cb.StandardsPage(2), cb.Quick(CLOUD),
    cb.QuickMenu(CLOUD, "1:2"), cb.QuickGroup(CLOUD), cb.Tick("INM3513-005", 4, 1), cb.TicksPage(CLOUD, 1),
    cb.StartTicked(CLOUD), cb.Deep(CLOUD), cb.DutiesPage(CLOUD, 1), cb.DeepDuty(CLOUD, "T2"),
    cb.DeepDuty("INM3513-005", "T10", 1), cb.UnitSection("IIS4R0751v2", "工作任務二"), cb.SectionsPage("IIS4R0751v2", 0),
    cb.Rate(7, 3, "2"), cb.Rate(7, 3, "s"), cb.Back(7, 3), cb.SkipPrompt(7, 3), cb.Stop(7), cb.Stop(), cb.StopKeep(7),
    cb.StopDiscard(7), cb.StopCancelled(7), cb.Resume(), cb.Restart(), cb.Restart(CLOUD), cb.Report(MAX_ROW_ID),
    cb.History(),
    cb.Share(5), cb.ReviewMark(5, 0, "c"), cb.NoComment(5, 1), cb.Indicators(5, 1, True), cb.Indicators(5, 1, False),
    cb.ReviewPause(5),
    cb.Join(9, "a", "0123456789abcdef"), cb.NotJoin(), cb.RemoveMember(9, 5_123_456_789), cb.NewLink(9), cb.Leave(9),
    cb.Notices(9, False), cb.TeamReport(9),
]


def test_every_kind_has_a_sample_and_its_own_tag() -> None:
    assert {type(data) for data in SAMPLES} == set(cb.KINDS.values())
    assert len(cb.KINDS) == len({kind.tag for kind in cb.KINDS.values()})


@pytest.mark.parametrize("data", SAMPLES, ids=lambda d: type(d).__name__)
def test_each_kind_encodes_within_64_bytes_and_decodes_to_itself(data: cb.Data) -> None:
    text = data.encode()
    assert len(text.encode()) < cb.LIMIT_BYTES
    assert cb.decode(text) == data and type(cb.decode(text)) is type(data)
    assert cb.family(text) == data.family


def test_the_strings_are_the_ones_earlier_versions_sent() -> None:
    """Keyboards shown before an upgrade keep working: the grammar is unchanged."""
    assert cb.Rate(7, 3, "2").encode() == "as:a:7:3:2"
    assert cb.DeepDuty(CLOUD, "T2").encode() == f"as:dd:{CLOUD}:T2"
    assert cb.Restart().encode() == "as:rn"
    assert cb.Indicators(5, 1, True).encode() == "rv:i:5:1:1"
    assert cb.Join(9, "n", "0123456789abcdef").encode() == "tm:j:9:n:0123456789abcdef"
    assert cb.decode("as:qm:ISD3512-001v3:T1:0") == cb.QuickMenu(CLOUD, "T1:0")  # ticks of an earlier version
    assert cb.decode("ask:那 T2.3 呢：它的產出") == cb.Ask("那 T2.3 呢：它的產出")


def test_data_that_would_not_fit_is_refused_when_encoded() -> None:
    with pytest.raises(cb.TooLong):
        cb.Ask("這是一個很長很長的問題，" * 3).encode()


TAMPERED = {
    "as:a:abc:0:1": "as",  # an id that is no number
    "as:a:7:0:7": "as",  # a rating off the scale
    "as:a:7:0": "as",  # a field missing
    "as:a:7:0:1:9": "as",  # a field too many
    "as:rep:99999999999": "as",  # beyond any row id
    "as:rep:-1": "as",
    "as:q:T2.2": "as",  # a code that is no standard's code
    "as:q:<b>": "as",
    "as:dd:ISD3512-001v3:X9": "as",  # a duty that is no duty code
    "as:u:IIS4R0751v2:工作": "as",
    "as:zz:1": "as",  # an unknown kind of a known family
    "as:rs:": "as",
    "rv:m:5:0:9": "rv",
    "rv:i:5:0:yes": "rv",
    "tm:rm:9:-5": "tm",
    "tm:j:9:n:XYZ": "tm",  # a check that is no hash
    "tm:nt:9:2": "tm",
    "fg:y:soon": "fg",
    "pg:1:x": "pg",
    "pg:1:1000000": "pg",  # a page number out of range
    "ex:-1": "ex",
    "std:": "std",
    "cmd:Reload!": "cmd",
    "ask:": "ask",
    "std:" + "A1" * 40: "std",  # more than Telegram's 64 bytes
    "as:a:" + "1" * 70: "as",
    "zz:1": "",  # no family of ours
    "": "",
    "\ud800": "",
}


@pytest.mark.parametrize("data", list(TAMPERED), ids=range(len(TAMPERED)))
def test_tampered_data_is_unreadable_and_says_which_family_it_claimed(data: str) -> None:
    decoded = cb.decode(data)
    assert isinstance(decoded, cb.Unreadable)
    assert decoded.family == TAMPERED[data]
    with pytest.raises(TypeError):
        decoded.encode()


def test_every_menu_button_of_every_shipped_document_decodes(catalog: Catalog) -> None:
    replies: list[Reply] = [menus.standard_menu(catalog, "", page) for page in range(2)]
    for doc in catalog.documents.values():
        replies += menus.scope_menu(catalog, doc)
        if isinstance(doc, Standard):
            replies += [menus.duty_menu(doc), menus.tick_menu(doc, [])]
        if isinstance(doc, Unit):
            replies.append(menus.section_menu(doc))
    data = [button.data for reply in replies for row in reply.buttons for button in row]
    assert len(data) > 40
    decoded = [cb.decode(d) for d in data]
    assert not [d for d, read in zip(data, decoded, strict=True) if isinstance(read, cb.Unreadable)]
    assert all(read.encode() == d for d, read in zip(data, decoded, strict=True))


def test_the_kinds_are_frozen_dataclasses_with_typed_fields() -> None:
    for kind in cb.KINDS.values():
        assert dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen  # type: ignore[attr-defined]
        hints = typing.get_type_hints(kind)
        assert all(f.name in hints for f in dataclasses.fields(kind))


# ---------------------------------------------------------------- the engine answers them politely
@pytest.fixture(scope="module")
def engine_services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    folder = tmp_path_factory.mktemp("callbacks-data")
    return build_services(Settings(BOT_DATA_DIR=folder, BOT_EMBEDDER="fake", BOT_CORPUS_DIR=SHIPPED_CORPUS,
                                   DATABASE_URL=None, TELEGRAM_BOT_TOKEN=None))


def press(services: Services, data: str, user: int = USER) -> list[Reply]:
    return services.engine.handle(Incoming(chat_id=user, user_id=user, button=data))


def texts(replies: list[Reply]) -> list[str]:
    return [reply.text for reply in replies]


def test_tampered_buttons_during_an_assessment_leave_it_where_it_was(engine_services: Services) -> None:
    user = USER + 1
    started = press(engine_services, f"as:q:{CLOUD}", user)
    question = next(b.data for r in started for row in r.buttons for b in row if b.data.startswith("as:a:"))
    aid = int(question.split(":")[2])
    for data in (f"as:a:{aid}:0:7", f"as:a:{aid}:99999:1", f"as:a:{aid}:0", "as:a:x:0:1", f"as:a:{aid}:0:1:1",
                 "as:q:<script>", "as:zz", "as:" + "9" * 80):
        replies = press(engine_services, data, user)
        assert replies[0].text == t("assessment.stale_button"), data
        assert "第 1/7 題" in replies[-1].text, data  # the open question again
    assert engine_services.assessments.records.scores(engine_services.assessments.records.active(user)) == {}
    assert "第 2/7 題" in press(engine_services, f"as:a:{aid}:0:1", user)[-1].text  # the real button still works


def test_tampered_buttons_of_every_family_get_that_familys_polite_reply(engine_services: Services) -> None:
    expected = {
        "as:rep:abc": t("assessment.nothing_active"),
        "rv:m:abc:0:3": t("sharing.review_stale"),
        "rv:zz:1": t("sharing.review_stale"),
        "tm:rm:1:-5": t("sharing.team_stale"),
        "tm:j:1:n:short": t("sharing.team_stale"),
        "fg:y:soon": t("bot.button_unknown"),
        "pg:x:1": t("bot.button_unknown"),
        "ex:99999": t("bot.button_unknown"),
        "ref:3": t("bot.button_unknown"),
        "cmd:reload": t("bot.button_unknown"),  # an admin's command is no button
        "std:" + "A1" * 40: t("bot.button_unknown"),
        "qq:1": t("bot.button_unknown"),
    }
    for data, reply in expected.items():
        assert texts(press(engine_services, data)) == [reply], data


def test_a_tampered_forget_button_deletes_nothing(engine_services: Services) -> None:
    user = USER + 2
    press(engine_services, f"as:q:{CLOUD}", user)
    for data in ("fg:y:soon", "fg:y:" + "9" * 30, "fg:yes:1", "fg:y:1:2"):
        assert texts(press(engine_services, data, user)) == [t("bot.button_unknown")], data
    assert engine_services.assessments.has_active(user)


# ---------------------------------------------------------------- and over the Telegram front
def front_settings(folder: Path, api: FakeBotApi) -> Settings:
    return Settings(BOT_DATA_DIR=folder, BOT_EMBEDDER="fake", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_POLL_TIMEOUT=1,
                    BOT_CORPUS_DIR=SHIPPED_CORPUS, DATABASE_URL=None, WEBHOOK_URL=None).model_copy(
        update={"telegram_base_url": api.base_url, "telegram_base_file_url": api.base_file_url})


async def test_tampered_callback_data_over_the_front_is_answered_politely(tmp_path: Path, api: FakeBotApi) -> None:
    chat = 62_001
    services = build_services(front_settings(tmp_path / "data", api))
    async with running(services):
        mark = api.mark()
        api.push_message("/start", chat)
        start = (await api.wait_for("sendMessage", since=mark))[0]
        for data, reply in (("as:a:1:0:9", t("assessment.nothing_active")), ("tm:nt:1:2", t("sharing.team_stale")),
                            ("zz:" + "x" * 80, t("bot.button_unknown"))):
            mark = api.mark()
            api.push_callback(api.sent_message(start), data)
            sent = (await api.wait_for("sendMessage", since=mark))[0]
            assert sent.text == reply, data
            assert api.calls_of("answerCallbackQuery", since=mark)  # the press is acknowledged too
