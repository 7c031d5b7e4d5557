"""Issue 23 (people's data) through the real python-telegram-bot Application against the fake Bot API
(bot/testing/fakebotapi.py, 127.0.0.1): a review whose comment never lands in a group, anonymous group
admins and channels (`sender_chat`), /forget with buttons, heatmaps Telegram accepts and a refused photo
that loses nothing."""

from __future__ import annotations

import html
import io
import random
import re
import struct
from collections.abc import Callable, Iterator

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.assessment import build_result, quick_questions
from bot.assessment.result import Note
from bot.engine import RateLimiter
from bot.services import Services, build_services
from bot.settings import SHIPPED_CORPUS, Settings
from bot.store import Database, assessments, rate_events, review_links, team_members, teams, utcnow
from bot.testing.fakebotapi import BOT_USERNAME, Call, FakeBotApi, running
from bot.testing.results import store_result
from index.catalog import Catalog
from prompts import t

TOKEN = "565656:AAG-fake_TokenForPeopleTests-7788"
CLOUD = "ISD3512-001v3"
OWNER, REVIEWER, LEAD = 6001, 6002, 6003
GROUP, OTHER_GROUP, CHANNEL = -100_600_1, -100_600_2, -100_600_3
ANONYMOUS_ADMIN = 1087968824  # Telegram's GroupAnonymousBot: the `from` of every anonymous admin's message
CHANNEL_BOT = 136817688  # the `from` of a message sent on behalf of a channel
EXAMPLE = "私人例子：去年替客戶寫了兩份可行性分析報告"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def base_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    settings = Settings(BOT_DATA_DIR=tmp_path_factory.mktemp("people-telegram"), BOT_EMBEDDER="fake",
                        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_POLL_TIMEOUT=1, BOT_CORPUS_DIR=SHIPPED_CORPUS,
                        DATABASE_URL=None, WEBHOOK_URL=None, BOT_USER_RATE_PER_MINUTE=0)
    services = build_services(settings)
    yield services
    services.db.engine.dispose()


def plain(call: Call) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", call.text))


def data_of(call: Call) -> list[str]:
    return [b["callback_data"] for b in call.buttons]


def to(chat: int, where: Callable[[Call], bool] | None = None) -> Callable[[Call], bool]:
    return lambda c: int(c.params["chat_id"]) == chat and (where is None or where(c))


def has(prefix: str) -> Callable[[Call], bool]:
    return lambda c: any(d.startswith(prefix) for d in data_of(c))


async def say(api: FakeBotApi, text: str, chat: int, where: Callable[[Call], bool] | None = None, **kw: object) -> Call:
    mark = api.mark()
    api.push_message(text, chat, **kw)  # type: ignore[arg-type]
    return (await api.wait_for("sendMessage", since=mark, where=to(chat, where)))[0]


async def press(api: FakeBotApi, message: Call, data: str, where: Callable[[Call], bool]) -> Call:
    assert data in data_of(message), (data, data_of(message))
    mark = api.mark()
    api.push_callback(api.sent_message(message), data)
    return (await api.wait_for("sendMessage", since=mark, where=where))[0]


def result_with_example(db: Database, catalog: Catalog, user: int) -> int:
    """A finished quick assessment: 1 everywhere but T1.2, rated 2 with a private example."""
    doc = catalog.get(CLOUD)
    questions = quick_questions(doc.duties)  # type: ignore[union-attr]
    result_id = db.start_assessment(user, user, standard=CLOUD, scope="quick", questions=[q.to_dict() for q in questions])
    scores = {i: 2 if i == 1 else 1 for i in range(len(questions))}
    notes = [Note(1, "example", EXAMPLE, ())]
    result = build_result(doc, questions, scores, notes, id=result_id, standard=CLOUD, title=doc.title,  # type: ignore[union-attr]
                          kind=doc.kind, scope="quick", scope_label="quick", user_id=user, user_name="王小明",  # type: ignore[union-attr]
                          finished_at=utcnow().isoformat(), date="2026-11-24 09:00")
    db.update_assessment(result_id, status="done", finished_at=utcnow(), result=result.to_json(), user_name="王小明")
    return result_id


def rating(call: Call, score: int) -> str:
    return next(d for d in data_of(call) if d.startswith("rv:m:")).rsplit(":", 1)[0] + f":{score}"


# ====================================================================== 1. a review
async def test_a_review_comment_never_lands_in_a_group_and_nothing_of_the_owners_goes_there(
    services: Services, api: FakeBotApi
) -> None:
    result_with_example(services.db, services.catalog, OWNER)
    async with running(services):
        shared = await say(api, "/share", OWNER, first_name="王小明")
        token = re.search(r"start=review-([A-Za-z0-9_-]+)", plain(shared)).group(1)  # type: ignore[union-attr]
        task = await say(api, f"/start review-{token}", REVIEWER, has("rv:m:"), first_name="陳主管")
        assert "T1.1" in plain(task)
        prompt = await press(api, task, rating(task, 2), to(REVIEWER))
        assert has("rv:n:")(prompt) and not has("rv:m:")(prompt), "the next task waits for the comment"

        mark = api.mark()
        asked = await say(api, f"@{BOT_USERNAME} K01 是什麼", GROUP, user_id=REVIEWER, chat_type="supergroup",
                          first_name="陳主管")
        assert "K01" in plain(asked), "the group gets its lookup answered"
        task = await say(api, "/review", REVIEWER, has("rv:m:"), first_name="陳主管")
        assert "T1.2" in plain(task) and EXAMPLE in plain(task)
        prompt = await press(api, task, rating(task, 3), to(REVIEWER))
        task = await say(api, "很會寫報告", REVIEWER, has("rv:m:"), first_name="陳主管")
        assert "3/7" in plain(task) and t("sharing.comment_saved", code="T1.2") in [plain(c) for c in api.calls_of(
            "sendMessage", mark) if int(c.params["chat_id"]) == REVIEWER]
        for _ in range(5):
            prompt = await press(api, task, rating(task, 2), to(REVIEWER, has("rv:n:")))
            task = await press(api, prompt, next(d for d in data_of(prompt) if d.startswith("rv:n:")),
                               to(REVIEWER, lambda c: has("rv:m:")(c) or t("sharing.review_done", name="王小明") in plain(c)))
        notice = (await api.wait_for("sendMessage", since=mark, where=to(OWNER)))[0]
        assert "陳主管" in plain(notice)

        group = [plain(c) for c in api.calls[mark:] if c.params.get("chat_id") and int(c.params["chat_id"]) == GROUP]
        assert group and not any(EXAMPLE in text or "自評" in text or t("sharing.comment_saved") in text
                                 for text in group), group
    with services.db.begin() as conn:
        marks = conn.execute(select(review_links.c.marks).where(review_links.c.reviewer_id == REVIEWER)).scalar_one()
    assert marks["T1.1"] == {"rating": 2, "comment": ""}
    assert marks["T1.2"] == {"rating": 3, "comment": "很會寫報告"}


# ====================================================================== 3. sender_chat
def on_behalf(api: FakeBotApi, text: str, chat: int, sender: dict[str, object], sender_id: int) -> None:
    api.push_message(text, chat, user_id=sender_id, chat_type="supergroup", first_name="Group", sender_chat=sender)


async def answer_to(api: FakeBotApi, text: str, chat: int, sender: dict[str, object], sender_id: int) -> str:
    mark = api.mark()
    on_behalf(api, text, chat, sender, sender_id)
    return plain((await api.wait_for("sendMessage", since=mark, where=to(chat)))[0])


async def test_anonymous_admins_and_channels_are_keyed_by_their_chat_or_refused(
    services: Services, api: FakeBotApi
) -> None:
    group_a = {"id": GROUP, "type": "supergroup", "title": "甲群組"}
    group_b = {"id": OTHER_GROUP, "type": "supergroup", "title": "乙群組"}
    channel = {"id": CHANNEL, "type": "channel", "title": "公告頻道"}
    refusal = t("bot.anonymous_refused")
    services.engine.limiter = RateLimiter(services.db, per_window=6)
    async with running(services):
        for command in ("/assess", f"/assess@{BOT_USERNAME} {CLOUD}", "/history", "/forget", "/team"):
            assert await answer_to(api, command, GROUP, group_a, ANONYMOUS_ADMIN) == refusal, command
        assert await answer_to(api, "/report", GROUP, channel, CHANNEL_BOT) == refusal
        assert await answer_to(api, "/start team-abcdef", GROUP, group_a, ANONYMOUS_ADMIN) == refusal
        assert "K01" in await answer_to(api, f"@{BOT_USERNAME} K01 是什麼", OTHER_GROUP, group_b, ANONYMOUS_ADMIN)

        # group A's anonymous admin has sent six messages in this minute (limit 6): the seventh is slowed down …
        assert await answer_to(api, f"@{BOT_USERNAME} K02 是什麼", GROUP, group_a, ANONYMOUS_ADMIN) == \
            t("bot.slow_down", seconds=60)
        # … which says nothing about group B's anonymous admin (one message so far)
        assert "K03" in await answer_to(api, f"@{BOT_USERNAME} K03 是什麼", OTHER_GROUP, group_b, ANONYMOUS_ADMIN)
    services.engine.limiter = RateLimiter(services.db, per_window=0)
    with services.db.begin() as conn:
        assert conn.execute(select(assessments).where(assessments.c.user_id == ANONYMOUS_ADMIN)).first() is None
        keyed = {row[0] for row in conn.execute(select(rate_events.c.user_id))}
    assert {GROUP, OTHER_GROUP} <= keyed and ANONYMOUS_ADMIN not in keyed


# ====================================================================== 4. /forget
async def test_forget_asks_with_buttons_over_telegram(services: Services, api: FakeBotApi) -> None:
    user = 6101
    store_result(services.db, services.catalog, CLOUD, user, "甲", random.Random(8))
    async with running(services):
        asked = await say(api, "/forget", user)
        assert len(data_of(asked)) == 2 and services.db.count_assessments(user) == 1
        done = await press(api, asked, next(d for d in data_of(asked) if d.startswith("fg:y")), to(user))
        assert t("assessment.history.forgotten", count=1) in plain(done)
    assert services.db.count_assessments(user) == 0


# ====================================================================== 8. the team report's pictures
def team_of(db: Database, catalog: Catalog, lead: int, size: int, first: int) -> None:
    rng = random.Random(size)
    with db.begin() as conn:
        team_id = conn.execute(teams.insert().values(name="大團隊", join_hash=f"h{lead}", created_by=lead)
                               ).inserted_primary_key[0]
        conn.execute(team_members.insert().values(team_id=team_id, user_id=lead, user_name="主管", role="admin"))
        conn.execute(team_members.insert(), [{"team_id": team_id, "user_id": first + n, "user_name": f"成員{n:03d}",
                                              "role": "member"} for n in range(size)])
    for n in range(size):
        store_result(db, catalog, CLOUD, first + n, f"成員{n:03d}", rng)


def png_size(content: bytes) -> tuple[int, int]:
    assert content.startswith(PNG_SIGNATURE)
    return struct.unpack(">II", content[16:24])


async def test_a_heatmap_of_280_members_is_sent_in_pictures_telegram_accepts(services: Services, api: FakeBotApi) -> None:
    lead = 6201
    team_of(services.db, services.catalog, lead, 280, 700_000)
    async with running(services):
        mark = api.mark()
        api.push_message("/team_report", lead)
        workbook = (await api.wait_for("sendDocument", since=mark, where=to(lead), timeout=60))[0]
    photos = [c for c in api.calls_of("sendPhoto", mark, ok_only=False) if int(c.params["chat_id"]) == lead]
    assert len(photos) >= 2 and all(c.ok for c in photos), [c.status for c in photos]
    for call in photos:
        width, height = png_size(call.files["photo"][1])
        assert width + height <= 10_000 and max(width, height) <= 20 * min(width, height), (width, height)
    book = load_workbook(io.BytesIO(workbook.files["document"][1]))
    rows = list(next(page for page in book.worksheets if page.title.startswith(CLOUD)).iter_rows(values_only=True))
    assert len(rows) >= 281, "every member is in the workbook"


async def test_a_refused_photo_loses_nothing_of_the_report(services: Services, api: FakeBotApi) -> None:
    lead = 6301
    team_of(services.db, services.catalog, lead, 3, 710_000)
    async with running(services):
        mark = api.mark()
        api.fail_next("sendPhoto", 400, times=5)
        api.push_message("/team_report", lead)
        documents = await api.wait_for("sendDocument", since=mark, where=to(lead), count=2)
    names = [c.files["document"][0] for c in documents]
    assert any(name.endswith(".png") for name in names), "the refused picture comes as a file instead"
    assert any(name.endswith(".xlsx") for name in names), "the workbook is still sent"
    assert not any(t("bot.error") in plain(c) for c in api.calls_of("sendMessage", mark) if c.params.get("text"))


# ====================================================================== 2. joining, over Telegram
async def test_joining_a_team_over_telegram_is_a_confirmed_choice(services: Services, api: FakeBotApi) -> None:
    member = 6401
    store_result(services.db, services.catalog, CLOUD, member, "王小明", random.Random(3))
    async with running(services):
        created = await say(api, "/team new 資訊部", LEAD, first_name="林經理")
        token = re.search(r"start=team-([A-Za-z0-9_-]+)", plain(created)).group(1)  # type: ignore[union-attr]
        offer = await say(api, f"/start team-{token}", member, first_name="王小明")
        joins = [d for d in data_of(offer) if d.startswith("tm:j:")]
        assert len(joins) == 2 and "資訊部" in plain(offer)
        mark = api.mark()
        joined = await press(api, offer, joins[0], to(member))
        assert plain(joined) == t("sharing.team_joined_now", name="資訊部")
        told = (await api.wait_for("sendMessage", since=mark, where=to(LEAD)))[0]
        assert "小明" in plain(told) and "資訊部" in plain(told)  # the name the button's presser has
