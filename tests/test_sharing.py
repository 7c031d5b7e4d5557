"""Issue 11: a reviewer confirms a self-assessment; a team's admins see their members side by side.

The whole path runs through the real python-telegram-bot Application against the fake Bot API server
(bot/testing/fakebotapi.py) on 127.0.0.1; the rules of links and teams are tested on the service itself,
on SQLite and on the PostgreSQL of TEST_DATABASE_URL.
"""

from __future__ import annotations

import html
import io
import random
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.assessment import AssessmentService, EvidenceMatcher
from bot.replies import Incoming, Reply
from bot.services import build_services
from bot.settings import SHIPPED_CORPUS, Settings
from bot.sharing import LINK_DAYS, Sharing
from bot.store import Database, review_links, team_members, teams
from bot.testing.fakebotapi import BOT_USERNAME, Call, FakeBotApi, running
from bot.testing.results import store_result
from index.catalog import Catalog
from index.embed import get_embedder
from prompts import t
from tests.test_faults import fresh_postgres
from tests.test_results import pdf_text

TOKEN = "646464:AAH-fake_TokenForSharingTests-4321"
CLOUD = "ISD3512-001v3"
OWNER, REVIEWER, ADMIN, STRANGER = 4001, 4002, 4003, 4004
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def settings(tmp_path: Path, api: FakeBotApi) -> Settings:
    return Settings(
        BOT_DATA_DIR=tmp_path / "data", BOT_EMBEDDER="fake", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_POLL_TIMEOUT=1,
        BOT_CORPUS_DIR=SHIPPED_CORPUS, DATABASE_URL=None, WEBHOOK_URL=None, BOT_USER_RATE_PER_MINUTE=0,
    ).model_copy(update={"telegram_base_url": api.base_url, "telegram_base_file_url": api.base_file_url})


def plain(call: Call) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", call.text))


def data_of(call: Call) -> list[str]:
    return [button["callback_data"] for button in call.buttons]


def to(chat: int, where: Callable[[Call], bool] | None = None) -> Callable[[Call], bool]:
    return lambda c: int(c.params["chat_id"]) == chat and (where is None or where(c))


async def say(api: FakeBotApi, text: str, chat: int, name: str, where: Callable[[Call], bool] | None = None) -> Call:
    mark = api.mark()
    api.push_message(text, chat, first_name=name)
    return (await api.wait_for("sendMessage", since=mark, where=to(chat, where)))[0]


async def press(api: FakeBotApi, message: Call, data: str, where: Callable[[Call], bool]) -> Call:
    assert data in data_of(message), (data, data_of(message))
    mark = api.mark()
    api.push_callback(api.sent_message(message), data)
    return (await api.wait_for("sendMessage", since=mark, where=where))[0]


def has(prefix: str) -> Callable[[Call], bool]:
    return lambda c: any(d.startswith(prefix) for d in data_of(c))


async def finish_quick_assessment(api: FakeBotApi, chat: int, name: str) -> Call:
    """Seven answers of 1 (no example asked for a 1); returns the summary with its 請人審核 button."""
    scope = await say(api, f"/assess {CLOUD}", chat, name, has(f"as:q:{CLOUD}"))
    prompt = await press(api, scope, f"as:q:{CLOUD}", to(chat, has("as:a:")))
    for _ in range(6):
        prompt = await press(api, prompt, _answer(prompt, 1), to(chat, has("as:a:")))
    return await press(api, prompt, _answer(prompt, 1), to(chat, has("rv:share:")))


def _answer(question: Call, value: int) -> str:
    return next(d for d in data_of(question) if d.startswith("as:a:")).rsplit(":", 1)[0] + f":{value}"


def token_in(text: str, kind: str) -> str:
    found = re.search(rf"https://t\.me/{BOT_USERNAME}\?start={kind}-([A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


async def test_a_review_and_a_team_report_through_telegram(settings: Settings, api: FakeBotApi) -> None:
    services = build_services(settings)
    async with running(services):
        summary = await finish_quick_assessment(api, OWNER, "王小明")
        shared = await press(api, summary, next(d for d in data_of(summary) if d.startswith("rv:share:")), to(OWNER))
        token = token_in(plain(shared), "review")

        # the reviewer opens the link: the person's name, the standard, each task with the self rating
        task = await say(api, f"/start review-{token}", REVIEWER, "陳主管", has("rv:m:"))
        intro = api.calls_of("sendMessage", since=0)
        assert any("王小明" in plain(c) and CLOUD in plain(c) for c in intro if int(c.params["chat_id"]) == REVIEWER)
        assert "T1.1" in plain(task) and "自評：1" in plain(task)
        adjust = next(d for d in data_of(task) if d.startswith("rv:m:") and d.endswith(":3"))
        prompt = await press(api, task, adjust, to(REVIEWER))
        assert has("rv:n:")(prompt) and not has("rv:m:")(prompt), "the next task waits for the comment"
        task = await say(api, "帶過兩位新人做可行性分析", REVIEWER, "陳主管", has("rv:m:"))
        assert "T1.2" in plain(task)

        # stop half-way, come back with /review
        paused = await press(api, task, next(d for d in data_of(task) if d.startswith("rv:p:")), to(REVIEWER))
        assert "2/7" in plain(paused)
        task = await say(api, "/review", REVIEWER, "陳主管", has("rv:m:"))
        assert "T1.2" in plain(task)
        for n in range(6):
            confirm = next(d for d in data_of(task) if d.endswith(":c"))
            prompt = await press(api, task, confirm, to(REVIEWER, has("rv:n:")))
            if n < 5:
                task = await press(api, prompt, next(d for d in data_of(prompt) if d.startswith("rv:n:")),
                                   to(REVIEWER, has("rv:m:")))
        mark = api.mark()
        api.push_callback(api.sent_message(prompt), next(d for d in data_of(prompt) if d.startswith("rv:n:")))
        notice = (await api.wait_for("sendMessage", since=mark, where=to(OWNER)))[0]
        assert "陳主管" in plain(notice) and "/report" in plain(notice)

        # /report: self and confirmed side by side, with the comment
        mark = api.mark()
        api.push_message("/report", OWNER, first_name="王小明")
        compared = (await api.wait_for("sendMessage", since=mark, where=to(OWNER, lambda c: "審核對照" in plain(c))))[0]
        assert re.search(r"T1\.1 評估應用可行性：自評 1 → 審核 3｜評語：帶過兩位新人做可行性分析", plain(compared))
        assert "T1.2 擬訂應用可行方案：自評 1 → 審核 1" in plain(compared)
        documents = await api.wait_for("sendDocument", since=mark, count=4)
        assert any(name.startswith("review-") for name, _ in (d.files["document"] for d in documents))
        # the PDF the owner keeps: the reviewer, the confirmed rating beside the self one, the comment on its task
        pdf_name, pdf = next(d.files["document"] for d in documents if d.files["document"][0].endswith(".pdf"))
        text = re.sub(r"\s+", "", pdf_text(pdf))
        assert "陳主管" in text and "帶過兩位新人做可行性分析" in text and "T1.1評估應用可行性" in text
        history = await say(api, "/history", OWNER, "王小明")
        assert "已審核（陳主管" in plain(history)

        # a team: created, joined, reported
        created = await say(api, "/team new 資訊部", ADMIN, "林經理")
        join = token_in(plain(created), "team")
        offer = await say(api, f"/start team-{join}", OWNER, "王小明")
        assert "資訊部" in plain(offer) and "管理者" in plain(offer)
        mark = api.mark()
        api.push_callback(api.sent_message(offer), [d for d in data_of(offer) if d.startswith("tm:j:")][-1],
                          first_name="王小明")
        joined = (await api.wait_for("sendMessage", since=mark, where=to(OWNER)))[0]
        assert "資訊部" in plain(joined)
        mark = api.mark()
        api.push_message("/team_report", ADMIN, first_name="林經理")
        photo = (await api.wait_for("sendPhoto", since=mark, where=to(ADMIN)))[0]
        workbook = (await api.wait_for("sendDocument", since=mark, where=to(ADMIN)))[0]
        assert photo.files["photo"][1].startswith(PNG_SIGNATURE)
        name, content = workbook.files["document"]
        assert name.endswith(".xlsx")
        book = load_workbook(io.BytesIO(content))
        sheet = next(page for page in book.worksheets if page.title.startswith(CLOUD))
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][0] == "王小明" and rows[1][2] == 3  # T1.1 as confirmed
        comments = list(book[t("sharing.sheet_comments")].iter_rows(values_only=True))
        assert any("帶過兩位新人做可行性分析" in str(row) for row in comments)

        # someone who administers no team sees nothing of it
        refused = await say(api, "/team_report", STRANGER, "路人")
        assert plain(refused) == t("sharing.report_not_admin")
    services.db.engine.dispose()


# ====================================================================== the rules, on the service
class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
        database.create()
        yield database
        database.engine.dispose()
        return
    with fresh_postgres("sharing") as url:
        if url is None:
            pytest.skip("no TEST_DATABASE_URL")
        database = Database(url)
        database.create()
        yield database
        database.engine.dispose()


@pytest.fixture
def world(db: Database, catalog: Catalog) -> tuple[Sharing, Clock, int]:
    clock = Clock()
    service = AssessmentService(catalog, db, EvidenceMatcher(get_embedder("fake")))
    result_id = store_result(db, catalog, CLOUD, OWNER, "王小明", random.Random(3))
    return Sharing(db, service, clock=clock), clock, result_id


def person(user_id: int, name: str = "", command: str | None = None, args: str = "", button: str | None = None,
           text: str = "") -> Incoming:
    return Incoming(chat_id=user_id, user_id=user_id, user_name=name or str(user_id), command=command, args=args,
                    button=button, text=text, bot_username=BOT_USERNAME)


def link_token(replies: list[Reply], kind: str = "review") -> str:
    return token_in(replies[0].text, kind)


def test_a_link_serves_one_reviewer_until_it_expires_or_is_revoked(world: tuple[Sharing, Clock, int]) -> None:
    sharing, clock, _ = world
    token = link_token(sharing.share(person(OWNER, command="share")))
    opened = sharing.on_start(person(REVIEWER, "陳主管"), f"review-{token}")
    assert opened and "王小明" in opened[0].text
    assert sharing.on_start(person(STRANGER), f"review-{token}")[0].text == t("sharing.link_used")  # type: ignore[index]
    assert sharing.on_start(person(OWNER), f"review-{token}")[0].text == t("sharing.link_own")  # type: ignore[index]
    assert sharing.on_start(person(STRANGER), "review-nottherealtoken")[0].text == t("sharing.link_unknown")  # type: ignore[index]

    late = link_token(sharing.share(person(OWNER, command="share")))
    clock.now += timedelta(days=LINK_DAYS, seconds=1)
    assert sharing.on_start(person(STRANGER), f"review-{late}")[0].text == t("sharing.link_expired", days=LINK_DAYS)  # type: ignore[index]

    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    revoked = link_token(sharing.share(person(OWNER, command="share")))
    assert sharing.share(person(OWNER, command="share", args="revoke"))[0].text == t("sharing.share_revoked", count=3)
    assert sharing.on_start(person(STRANGER), f"review-{revoked}")[0].text == t("sharing.link_revoked")  # type: ignore[index]


def test_tokens_are_stored_hashed(world: tuple[Sharing, Clock, int], db: Database) -> None:
    sharing, _, _ = world
    review = link_token(sharing.share(person(OWNER, command="share")))
    team = link_token(sharing.team(person(ADMIN, command="team", args="new 資訊部")), "team")
    with db.begin() as conn:
        stored = [str(v) for row in conn.execute(select(review_links)).all() for v in row]
        stored += [str(v) for row in conn.execute(select(teams)).all() for v in row]
    assert not any(review in value or team in value for value in stored)


def test_nobody_reaches_a_result_without_a_link(world: tuple[Sharing, Clock, int]) -> None:
    sharing, _, result_id = world
    assert sharing.compare(STRANGER, result_id) == []
    assert sharing.share(person(STRANGER, command="share", args=str(result_id)))[0].text == \
        t("sharing.share_not_found", id=result_id)
    stale = sharing.on_button(person(STRANGER, button="rv:m:1:0:3"))
    assert stale[0].text == t("sharing.review_stale")


def test_members_join_leave_and_are_forgotten(world: tuple[Sharing, Clock, int], db: Database) -> None:
    sharing, _, _ = world
    token = link_token(sharing.team(person(ADMIN, "林經理", command="team", args="new 資訊部")), "team")
    for user, name in ((OWNER, "王小明"), (REVIEWER, "陳主管")):
        offer = sharing.on_start(person(user, name), f"team-{token}") or []
        join = [b.data for row in offer[0].buttons for b in row if b.data.startswith("tm:j:")][-1]  # with the past
        sharing.on_button(person(user, name, button=join))
    listed = sharing.team(person(ADMIN, command="team"))[0]
    assert "王小明" in listed.text and "陳主管" in listed.text
    remove = next(b.data for row in listed.buttons for b in row if b.data.endswith(f":{REVIEWER}"))
    assert sharing.on_button(person(OWNER, button=remove))[0].text == t("sharing.remove_denied")
    sharing.on_button(person(ADMIN, button=remove))
    assert "陳主管" not in sharing.team(person(ADMIN, command="team"))[0].text
    sheets = sharing.sheets(1)
    assert [row.member for sheet in sheets for row in sheet.rows] == ["王小明"]

    db.forget_user(OWNER)
    with db.begin() as conn:
        assert conn.execute(select(team_members).where(team_members.c.user_id == OWNER)).first() is None
    assert sharing.sheets(1) == []
