"""Issue 23 (people's data) and issue 22 (the review flow, teams) on the engine and the sharing services:
reviews that stay in the reviewer's private chat and check their link at every step, joining a team as a
confirmed choice, removal that revokes, /forget that asks first, caps on teams and one picker for
/team_report, ids out of range, pages of a removed document, team names on one visible line.

The Telegram side of the same rules (sender_chat, a refused photo, the whole review over the fake Bot API):
tests/test_people_telegram.py."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.engine import Engine, RateLimiter
from bot.replies import Incoming, Reply
from bot.services import Services, build_services
from bot.settings import SHIPPED_CORPUS, Settings
from bot.sharing import LINK_DAYS, Sharing
from bot.store import Database, rate_events, review_links, team_members, teams, utcnow
from bot.testing.fakebotapi import BOT_USERNAME
from bot.testing.results import store_result
from index.catalog import Catalog
from prompts import t
from retrieval.types import Answer, Citation
from tests import test_sharing
from tests.doubles import OneQuestionAssistant
from tests.test_faults import fresh_postgres
from tests.test_sharing import ADMIN, CLOUD, OWNER, REVIEWER, STRANGER, Clock, link_token, person

db, world = test_sharing.db, test_sharing.world  # the fixtures: a database (SQLite, PostgreSQL), a result in it

GROUP = -100_500_500
HUGE = "9" * 25  # a 25-digit id: no row has it, and no database integer holds it


def data_of(replies: list[Reply]) -> list[str]:
    return [button.data for reply in replies for row in reply.buttons for button in row]


def button(replies: list[Reply], prefix: str) -> str:
    found = [d for d in data_of(replies) if d.startswith(prefix)]
    assert found, (prefix, [r.text for r in replies], data_of(replies))
    return found[0]


def text_of(replies: list[Reply]) -> str:
    return "\n".join(reply.text for reply in replies)


def marks_of(db: Database) -> dict[str, dict[str, object]]:
    with db.begin() as conn:
        return dict(conn.execute(select(review_links.c.marks).order_by(review_links.c.id.desc())).scalar_one())


# ====================================================================== 1. reviews
def open_review(sharing: Sharing, reviewer: int = REVIEWER) -> list[Reply]:
    token = link_token(sharing.share(person(OWNER, "王小明", command="share")))
    opened = sharing.on_start(person(reviewer, "陳主管"), f"review-{token}")
    assert opened is not None
    return opened


def test_a_rating_waits_for_its_comment_before_the_next_task(world: tuple[Sharing, Clock, int], db: Database) -> None:
    """Issue 22: after a rating the bot asks for a comment (or 不用評語) and shows the next task only then."""
    sharing, _, _ = world
    first = open_review(sharing)
    assert "T1.1" in first[-1].text
    rated = sharing.on_button(person(REVIEWER, button=button(first, "rv:m:").rsplit(":", 1)[0] + ":3"))
    assert not any(d.startswith("rv:m:") for d in data_of(rated)), "the next task waits for the comment"
    assert button(rated, "rv:n:") and t("sharing.button_no_comment") in [b.label for r in rated for row in r.buttons
                                                                          for b in row]
    commented = sharing.on_text(person(REVIEWER, text="帶過兩位新人"))
    assert commented is not None and "T1.2" in commented[-1].text
    assert marks_of(db)["T1.1"] == {"rating": 3, "comment": "帶過兩位新人"}
    rated = sharing.on_button(person(REVIEWER, button=button(commented, "rv:m:").rsplit(":", 1)[0] + ":1"))
    following = sharing.on_button(person(REVIEWER, button=button(rated, "rv:n:")))
    assert "3/7" in following[-1].text and marks_of(db)["T1.2"] == {"rating": 1, "comment": ""}


def test_the_reviewer_sees_the_indicators_and_the_employees_scale_words(world: tuple[Sharing, Clock, int],
                                                                         catalog: Catalog) -> None:
    sharing, _, _ = world
    task = open_review(sharing)[-1]
    labels = [b.label for row in task.buttons for b in row]
    for score, words in {0: "尚未做過", 1: "在指導下做過", 2: "能獨立完成", 3: "能指導他人"}.items():
        assert any(label.startswith(f"{score} {words}") for label in labels), labels
    assert "不熟悉" not in task.text and "需要協助" not in task.text
    shown = sharing.on_button(person(REVIEWER, button=button([task], "rv:i:")))
    indicators = catalog.get(CLOUD).task("T1.1").indicators  # type: ignore[union-attr]
    assert indicators and all(item.code in shown[0].text for item in indicators)
    assert shown[0].edit and any(d.startswith("rv:m:") for d in data_of(shown)), "the task stays rateable"


def test_a_comment_is_taken_only_in_the_reviewers_private_chat_right_after_a_rating(
    world: tuple[Sharing, Clock, int], db: Database
) -> None:
    sharing, _, _ = world
    first = open_review(sharing)
    sharing.on_button(person(REVIEWER, button=button(first, "rv:m:").rsplit(":", 1)[0] + ":2"))
    in_group = Incoming(chat_id=GROUP, user_id=REVIEWER, text="大家好", in_group=True, bot_username=BOT_USERNAME)
    assert sharing.on_text(in_group) is None, "a message in a group is never a comment"
    sharing.interrupted(in_group)
    assert sharing.on_text(person(REVIEWER, text="T2.2 是什麼")) is None, "the comment was awaited only right after"
    assert marks_of(db)["T1.1"]["comment"] == ""
    again = sharing.review(person(REVIEWER, command="review"))
    assert "T1.2" in again[-1].text


def test_nothing_of_the_owners_is_sent_to_a_group(world: tuple[Sharing, Clock, int]) -> None:
    sharing, _, _ = world
    token = link_token(sharing.share(person(OWNER, "王小明", command="share")))
    in_group = Incoming(chat_id=GROUP, user_id=REVIEWER, command="start", args=f"review-{token}", in_group=True)
    refused = sharing.on_start(in_group, f"review-{token}")
    assert refused is not None and text_of(refused) == t("sharing.private_only")
    opened = sharing.on_start(person(REVIEWER, "陳主管"), f"review-{token}")
    assert opened is not None and "T1.1" in opened[-1].text, "the link still works in private"
    data = button(opened, "rv:m:").rsplit(":", 1)[0] + ":2"
    pressed_in_group = Incoming(chat_id=GROUP, user_id=REVIEWER, button=data, in_group=True)
    assert text_of(sharing.on_button(pressed_in_group)) == t("sharing.private_only")
    review_in_group = Incoming(chat_id=GROUP, user_id=REVIEWER, command="review", in_group=True)
    assert text_of(sharing.review(review_in_group)) == t("sharing.private_only")
    for _ in range(7):
        replies = sharing.review(person(REVIEWER, command="review"))
        replies = sharing.on_button(person(REVIEWER, button=button(replies, "rv:m:").rsplit(":", 1)[0] + ":2"))
        replies = sharing.on_button(person(REVIEWER, button=button(replies, "rv:n:")))
    notices = [r for r in replies if r.chat_id is not None]
    assert [r.chat_id for r in notices] == [OWNER], "the owner is told in their private chat"


def test_every_review_step_checks_expiry_and_revocation(world: tuple[Sharing, Clock, int], db: Database) -> None:
    sharing, clock, _ = world
    first = open_review(sharing)
    rate = button(first, "rv:m:").rsplit(":", 1)[0] + ":3"
    sharing.on_button(person(REVIEWER, button=button(first, "rv:m:").rsplit(":", 1)[0] + ":2"))
    clock.now += timedelta(days=LINK_DAYS, seconds=1)  # opened in time; now expired
    expired = t("sharing.link_expired", days=LINK_DAYS)
    assert text_of(sharing.on_button(person(REVIEWER, button=rate))) == expired
    assert text_of(sharing.on_text(person(REVIEWER, text="很好")) or []) == expired
    assert text_of(sharing.review(person(REVIEWER, command="review"))) == expired
    assert marks_of(db) == {"T1.1": {"rating": 2, "comment": ""}}, "nothing was recorded after the expiry"

    clock.now -= timedelta(days=LINK_DAYS, seconds=1)
    second = open_review(sharing, STRANGER)
    sharing.share(person(OWNER, command="share", args="revoke"))
    revoked = t("sharing.link_revoked")
    assert text_of(sharing.on_button(person(STRANGER, button=button(second, "rv:m:")))) == revoked
    assert text_of(sharing.on_button(person(STRANGER, button=button(second, "rv:i:")))) == revoked
    assert text_of(sharing.review(person(STRANGER, command="review"))) == revoked


# ---------------------------------------------------------------------- on the whole engine
@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    built = build_services(Settings(BOT_DATA_DIR=tmp_path_factory.mktemp("people"), BOT_EMBEDDER="fake",
                                    BOT_CORPUS_DIR=SHIPPED_CORPUS, DATABASE_URL=None, TELEGRAM_BOT_TOKEN=None,
                                    BOT_USER_RATE_PER_MINUTE=0))
    yield built
    built.db.engine.dispose()


def say(services: Services, user: int, text: str = "", command: str | None = None, args: str = "",
        data: str | None = None, name: str = "") -> list[Reply]:
    incoming = Incoming(chat_id=user, user_id=user, text=text, command=command, args=args, button=data,
                        user_name=name or str(user), bot_username=BOT_USERNAME)
    return services.engine.handle(incoming)


def test_a_reviewers_typed_answer_to_their_own_assessment_is_not_swallowed(services: Services) -> None:
    owner, reviewer = 5101, 5102
    store_result(services.db, services.catalog, CLOUD, owner, "王小明", random.Random(1))
    own = say(services, reviewer, command="assess", args=CLOUD, name="陳主管")
    own = say(services, reviewer, data=button(own, f"as:q:{CLOUD}"))
    assert "as:a:" in button(own, "as:a:")
    token = link_token(say(services, owner, command="share"))
    task = say(services, reviewer, command="start", args=f"review-{token}")
    say(services, reviewer, data=button(task, "rv:m:").rsplit(":", 1)[0] + ":3")  # a comment is awaited now
    restated = say(services, reviewer, command="resume")  # anything else: the comment is no longer awaited
    assert "1/7" in text_of(restated)
    answered = say(services, reviewer, text="2")
    assert t("sharing.comment_saved") not in text_of(answered)
    active = services.assessments.records.active(reviewer)
    assert active is not None and services.assessments.records.scores(active) == {0: 2}
    with services.db.begin() as conn:
        marks = conn.execute(select(review_links.c.marks).where(review_links.c.reviewer_id == reviewer)).scalar_one()
    assert marks["T1.1"]["comment"] == ""


# ====================================================================== 2. joining a team
def join_offer(sharing: Sharing, user: int, token: str, name: str = "") -> list[Reply]:
    offered = sharing.on_start(person(user, name or str(user)), f"team-{token}")
    assert offered is not None
    return offered


def members_of(db: Database, team_id: int) -> set[int]:
    with db.begin() as conn:
        rows = conn.execute(select(team_members.c.user_id).where(team_members.c.team_id == team_id,
                                                                 team_members.c.role == "member"))
        return {row[0] for row in rows}


def test_joining_a_team_is_confirmed_and_shares_what_the_person_chose(
    world: tuple[Sharing, Clock, int], db: Database, catalog: Catalog
) -> None:
    sharing, clock, _ = world
    clock.now = utcnow()
    store_result(db, catalog, CLOUD, REVIEWER, "陳主管", random.Random(5))  # both have a result from before
    token = link_token(sharing.team(person(ADMIN, "林經理", command="team", args="new 資訊部")), "team")
    team_id = 1

    offered = join_offer(sharing, OWNER, token, "王小明")
    assert members_of(db, team_id) == set(), "opening the link joins nobody"
    offer = text_of(offered)
    assert "資訊部" in offer and "林經理" in offer and "例子" in offer and "審核" in offer
    from_now, with_past = button(offered, "tm:j:") , [d for d in data_of(offered) if d.startswith("tm:j:")][1]
    joined = sharing.on_button(person(OWNER, "王小明", button=from_now))
    assert members_of(db, team_id) == {OWNER}
    assert text_of([r for r in joined if r.chat_id is None]) == t("sharing.team_joined_now", name="資訊部")
    assert sharing.sheets(team_id) == [], "a result finished before joining is not shared"

    later = store_result(db, catalog, CLOUD, OWNER, "王小明", random.Random(6))
    assert [row.member for sheet in sharing.sheets(team_id) for row in sheet.rows] == ["王小明"]
    assert sharing.sheets(team_id)[0].rows[0].date == sharing.results.results(OWNER, later)[0].date

    past = join_offer(sharing, REVIEWER, token, "陳主管")
    with_past = [d for d in data_of(past) if d.startswith("tm:j:")][1]
    joined = sharing.on_button(person(REVIEWER, "陳主管", button=with_past))
    assert text_of([r for r in joined if r.chat_id is None]) == t("sharing.team_joined_all", name="資訊部", count=1)
    assert sorted(row.member for sheet in sharing.sheets(team_id) for row in sheet.rows) == ["王小明", "陳主管"]

    declined = join_offer(sharing, STRANGER, token)
    assert text_of(sharing.on_button(person(STRANGER, button=button(declined, "tm:x")))) == t("sharing.team_declined")
    assert STRANGER not in members_of(db, team_id)


def test_a_join_button_cannot_be_forged(world: tuple[Sharing, Clock, int], db: Database) -> None:
    sharing, _, _ = world
    sharing.team(person(ADMIN, command="team", args="new 資訊部"))
    for forged in ("tm:j:1:n:0000000000000000", "tm:j:1:a:", "tm:j:1:n", f"tm:j:{HUGE}:n:0000000000000000"):
        replies = sharing.on_button(person(STRANGER, button=forged))
        assert text_of(replies) in (t("sharing.team_link_unknown"), t("sharing.team_stale")), forged
    assert members_of(db, 1) == set()


def test_a_removed_member_cannot_rejoin_with_the_old_link(world: tuple[Sharing, Clock, int], db: Database) -> None:
    sharing, _, _ = world
    token = link_token(sharing.team(person(ADMIN, command="team", args="new 資訊部")), "team")
    offered = join_offer(sharing, OWNER, token)
    old_button = button(offered, "tm:j:")
    sharing.on_button(person(OWNER, button=old_button))
    listed = sharing.team(person(ADMIN, command="team"))
    removed = sharing.on_button(person(ADMIN, button=button(listed, "tm:rm:")))
    assert OWNER not in members_of(db, 1) and "新邀請連結" in text_of(removed)

    assert text_of(join_offer(sharing, OWNER, token)) == t("sharing.team_link_revoked_for_you")
    assert text_of(sharing.on_button(person(OWNER, button=old_button))) == t("sharing.team_link_revoked_for_you")
    assert OWNER not in members_of(db, 1)
    assert data_of(join_offer(sharing, REVIEWER, token)), "the link still works for everyone else"

    renewed = sharing.on_button(person(ADMIN, button=button(sharing.team(person(ADMIN, command="team")), "tm:ln:")))
    fresh = join_offer(sharing, OWNER, link_token(renewed, "team"))
    sharing.on_button(person(OWNER, button=button(fresh, "tm:j:")))
    assert OWNER in members_of(db, 1), "a new link from the lead lets them back"


def test_the_lead_is_told_when_a_member_joins_or_finishes_unless_turned_off(services: Services) -> None:
    lead, member = 5201, 5202
    created = say(services, lead, command="team", args="new 研發部", name="林經理")
    token = link_token(created, "team")
    offered = say(services, member, command="start", args=f"team-{token}", name="王小明")
    joined = say(services, member, data=button(offered, "tm:j:"), name="王小明")
    told = [r for r in joined if r.chat_id == lead]
    assert len(told) == 1 and "王小明" in told[0].text and "研發部" in told[0].text

    scope = say(services, member, command="assess", args=CLOUD)
    replies = say(services, member, data=button(scope, f"as:q:{CLOUD}"))
    for _ in range(7):
        replies = say(services, member, data=button(replies, "as:a:").rsplit(":", 1)[0] + ":1")
    finished = [r for r in replies if r.chat_id == lead]
    assert len(finished) == 1 and "王小明" in finished[0].text and CLOUD in finished[0].text
    assert "T1.1" not in finished[0].text, "the notice says who finished what, not the ratings"

    listing = say(services, lead, command="team")
    turned_off = say(services, lead, data=button(listing, "tm:nt:"))
    assert t("sharing.notify_off", name="研發部") in text_of(turned_off)
    scope = say(services, member, command="assess", args=CLOUD)
    replies = say(services, member, data=button(scope, f"as:q:{CLOUD}"))
    for _ in range(7):
        replies = say(services, member, data=button(replies, "as:a:").rsplit(":", 1)[0] + ":1")
    assert not [r for r in replies if r.chat_id is not None] and "as:rep:" in button(replies, "as:rep:")


# ====================================================================== 4. /forget
def test_forget_asks_first_says_what_goes_and_keeps_the_rate_limit(services: Services) -> None:
    user, member, other_lead = 5301, 5302, 5303
    store_result(services.db, services.catalog, CLOUD, user, "王小明", random.Random(2))
    token = link_token(say(services, user, command="team", args="new 品管部", name="王小明"), "team")
    say(services, member, data=button(say(services, member, command="start", args=f"team-{token}"), "tm:j:"))
    theirs = link_token(say(services, other_lead, command="team", args="new 業務部"), "team")
    say(services, user, data=button(say(services, user, command="start", args=f"team-{theirs}"), "tm:j:"))

    clock = [1000.0]
    limited = Engine(services.assistant, services.assessments, services.db, sharing=services.engine.sharing,
                     limiter=RateLimiter(services.db, per_window=3, clock=lambda: clock[0]))
    incoming = Incoming(chat_id=user, user_id=user, command="forget")
    asked = limited.handle(incoming)  # message 1 of 3 in this window
    said = text_of(asked)
    assert "1" in said and "品管部" in said and "業務部" in said and t("bot.forget_irreversible") in said
    assert services.db.count_assessments(user) == 1, "nothing is deleted before the person confirms"
    assert sorted(d.split(":")[1] for d in data_of(asked)) == ["n", "y"]

    assert text_of(services.engine.handle(Incoming(chat_id=user, user_id=user, button=button(asked, "fg:n")))) \
        == t("bot.forget_kept")
    assert services.db.count_assessments(user) == 1

    done = limited.handle(Incoming(chat_id=user, user_id=user, button=button(asked, "fg:y")))  # message 2
    assert "1" in text_of(done) and services.db.count_assessments(user) == 0
    with services.db.begin() as conn:
        assert conn.execute(select(teams).where(teams.c.name == "品管部")).first() is None
        assert conn.execute(select(team_members).where(team_members.c.user_id.in_((user, member)))).first() is None
        assert conn.execute(select(rate_events).where(rate_events.c.user_id == user)).first() is not None
    limited.handle(Incoming(chat_id=user, user_id=user, text="K01 是什麼"))  # message 3
    held = limited.handle(Incoming(chat_id=user, user_id=user, text="K02 是什麼"))  # message 4: over the limit
    assert text_of(held) == t("bot.slow_down", seconds=60), "deleting one's data does not reset the rate limit"


def test_forget_in_a_group_names_nothing(services: Services) -> None:
    user = 5321
    store_result(services.db, services.catalog, CLOUD, user, "甲", random.Random(2))
    say(services, user, command="team", args="new 秘密專案組")
    asked = services.engine.handle(Incoming(chat_id=GROUP, user_id=user, command="forget", in_group=True))
    assert text_of(asked) == t("sharing.private_only") and not data_of(asked)
    pressed = services.engine.handle(Incoming(chat_id=GROUP, user_id=user, button=f"fg:y:{10**9}", in_group=True))
    assert text_of(pressed) == t("sharing.private_only") and services.db.count_assessments(user) == 1


def test_an_old_forget_button_does_nothing(services: Services) -> None:
    user = 5311
    store_result(services.db, services.catalog, CLOUD, user, "甲", random.Random(2))
    asked = say(services, user, command="forget")
    yes = button(asked, "fg:y")
    stale = yes.rsplit(":", 1)[0] + ":" + str(int(yes.rsplit(":", 1)[1]) - 3600)
    assert text_of(say(services, user, data=stale)) == t("bot.forget_expired")
    assert services.db.count_assessments(user) == 1


# ====================================================================== 8. team limits
def test_a_person_can_run_only_so_many_teams(world: tuple[Sharing, Clock, int]) -> None:
    from bot.teams import MAX_TEAMS_PER_PERSON

    sharing, _, _ = world
    for n in range(MAX_TEAMS_PER_PERSON):
        assert "tm:" not in text_of(sharing.team(person(ADMIN, command="team", args=f"new 第{n}組")))
    refused = sharing.team(person(ADMIN, command="team", args="new 再一組"))
    assert text_of(refused) == t("sharing.teams_limit", limit=MAX_TEAMS_PER_PERSON)
    assert len(data_of(sharing.team_report(person(ADMIN, command="team_report")))) == MAX_TEAMS_PER_PERSON


def test_a_person_can_join_only_so_many_teams(world: tuple[Sharing, Clock, int]) -> None:
    from bot.teams import MAX_MEMBERSHIPS

    sharing, _, _ = world
    for n in range(MAX_MEMBERSHIPS + 1):
        lead = 90_000 + n
        token = link_token(sharing.team(person(lead, command="team", args=f"new 組{n}")), "team")
        offered = join_offer(sharing, OWNER, token)
        if n < MAX_MEMBERSHIPS:
            sharing.on_button(person(OWNER, button=button(offered, "tm:j:")))
    assert text_of(offered) == t("sharing.memberships_limit", limit=MAX_MEMBERSHIPS)


def test_team_report_is_one_picker_for_several_teams(world: tuple[Sharing, Clock, int]) -> None:
    sharing, _, _ = world
    for name in ("資訊部", "業務部", "品管部"):
        token = link_token(sharing.team(person(ADMIN, command="team", args=f"new {name}")), "team")
        sharing.on_button(person(OWNER, button=button(join_offer(sharing, OWNER, token), "tm:j:") .replace(":n:", ":a:")))
    picker = sharing.team_report(person(ADMIN, command="team_report"))
    assert len(picker) == 1 and len(data_of(picker)) == 3
    assert all(name in " ".join(b.label for row in picker[0].buttons for b in row) for name in ("資訊部", "業務部", "品管部"))
    second = sharing.on_button(person(ADMIN, button=data_of(picker)[1]))
    assert any(r.photo for r in second) and any(r.document for r in second)
    assert "業務部" in text_of(second) and "資訊部" not in text_of(second)
    assert text_of(sharing.on_button(person(STRANGER, button=data_of(picker)[1]))) == t("sharing.remove_denied")


# ====================================================================== 9. ids out of range, pages, team names
@pytest.fixture(params=["sqlite", "postgresql"])
def engine_on(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Services]:
    with fresh_postgres("people") as url:
        if request.param == "postgresql" and url is None:
            pytest.skip("no TEST_DATABASE_URL")
        built = build_services(Settings(BOT_DATA_DIR=tmp_path / "data", BOT_EMBEDDER="fake", TELEGRAM_BOT_TOKEN=None,
                                        BOT_CORPUS_DIR=SHIPPED_CORPUS, BOT_USER_RATE_PER_MINUTE=0,
                                        DATABASE_URL=url if request.param == "postgresql" else None))
        yield built
        built.db.engine.dispose()


def test_ids_out_of_range_are_not_found(engine_on: Services, caplog: pytest.LogCaptureFixture) -> None:
    user = 5401
    store_result(engine_on.db, engine_on.catalog, CLOUD, user, "甲", random.Random(4))
    error = t("bot.error")
    assert text_of(say(engine_on, user, command="report", args=HUGE)) == t("assessment.report.not_found")
    assert text_of(say(engine_on, user, command="share", args=HUGE)) == t("sharing.share_not_found", id=HUGE)
    assert text_of(say(engine_on, user, command="report", args="2147483648")) == t("assessment.report.not_found")
    for data in (f"as:rep:{HUGE}", f"rv:share:{HUGE}", f"rv:m:{HUGE}:0:3", f"rv:n:{HUGE}:0", f"rv:p:{HUGE}",
                 f"tm:rm:{HUGE}:{HUGE}", f"tm:rm:1:{HUGE}", f"tm:lv:{HUGE}", f"tm:ln:{HUGE}", f"tm:rp:{HUGE}",
                 f"pg:{HUGE}:0", f"pg:1:{HUGE}", f"as:a:{HUGE}:0:1", "as:rep:²", "rv:m:٣:0:1"):
        replies = say(engine_on, user, data=data)
        assert replies and error not in text_of(replies), data
    assert "OverflowError" not in caplog.text and "out of range" not in caplog.text


class LongAnswers(OneQuestionAssistant):
    """An assistant whose answers are long enough to come in pages, citing one standard."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def ask(self, question: str, standard: str | None = None) -> Answer:
        text = "\n".join(f"第 {n} 行：P2.2.1 依軟體需求規格書" + "字" * 60 for n in range(400))
        return Answer(question, "indicators", text, citations=[Citation(CLOUD, "P2.2.1", "依軟體需求規格書")],
                      standard=CLOUD)

    def lookup(self, query: str, limit: int = 10) -> list[Citation]:
        return []


def test_pages_of_an_answer_whose_document_was_removed_are_not_shown(services: Services, catalog: Catalog) -> None:
    assistant = LongAnswers(catalog)
    engine = Engine(assistant, services.assessments, services.db)
    first = engine.handle(Incoming(chat_id=5501, user_id=5501, text="T2.2 的行為指標"))
    next_page = button(first, "pg:")
    assert "第 " in text_of(engine.handle(Incoming(chat_id=5501, user_id=5501, button=next_page)))

    assistant.catalog = Catalog(documents={c: d for c, d in catalog.documents.items() if c != CLOUD},
                                hashes={c: h for c, h in catalog.hashes.items() if c != CLOUD})
    gone = engine.handle(Incoming(chat_id=5501, user_id=5501, button=next_page))
    assert text_of(gone) == t("bot.page_outdated")
    assistant.catalog = Catalog(documents=dict(catalog.documents), hashes={**catalog.hashes, CLOUD: "changed"})
    assert text_of(engine.handle(Incoming(chat_id=5501, user_id=5501, button=next_page))) == t("bot.page_outdated")


@pytest.mark.parametrize("name", ["資訊部\n✅ 已通過主管審核", "資訊部\u202e假名\u200b", "資訊部\u2028第二行\r\n第三行"])
def test_team_names_are_one_visible_line(world: tuple[Sharing, Clock, int], name: str) -> None:
    sharing, _, _ = world
    created = sharing.team(person(ADMIN, "林經理", command="team", args=f"new {name}"))
    with sharing.db.begin() as conn:
        stored = conn.execute(select(teams.c.name)).scalar_one()
    assert stored.startswith("資訊部") and stored.isprintable(), repr(stored)
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in stored)
    offer = text_of(join_offer(sharing, OWNER, link_token(created, "team")))
    first_line = offer.splitlines()[0]
    assert stored in first_line, "the whole name sits on the first line of the offer"


def test_a_name_of_only_invisible_characters_is_no_name(world: tuple[Sharing, Clock, int]) -> None:
    sharing, _, _ = world
    assert text_of(sharing.team(person(ADMIN, command="team", args="new \u200b\u202e\u2060"))) == \
        t("sharing.team_name_missing")
    with sharing.db.begin() as conn:
        assert conn.execute(select(func.count()).select_from(teams)).scalar_one() == 0


# ====================================================================== the columns these changes add
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_database_made_before_the_new_columns_gets_them(kind: str, tmp_path: Path) -> None:
    """review_links.awaiting_since, teams.notify and team_members.shared_from are added to an existing database."""
    with fresh_postgres("older") if kind == "postgresql" else nullcontext(None) as url:  # sqlite needs no server
        if kind == "postgresql" and url is None:
            pytest.skip("no TEST_DATABASE_URL")
        address = url if kind == "postgresql" else f"sqlite:///{tmp_path / 'older.sqlite3'}"
        older = Database(address)  # type: ignore[arg-type]
        older.create()
        with older.begin() as conn:
            for table, column in (("review_links", "awaiting_since"), ("teams", "notify"),
                                  ("team_members", "shared_from")):
                conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
        older.engine.dispose()
        newer = Database(address)  # type: ignore[arg-type]
        newer.create()
        team_id = newer.add_team("資訊部", "h" * 64, ADMIN, "林經理")
        assert newer.add_member(team_id, OWNER, "王小明", utcnow())
        newer.update_team(team_id, notify=0)
        assert newer.team(team_id)["notify"] == 0  # type: ignore[index]
        assert newer.team_members(team_id)[-1]["shared_from"] is not None
        newer.engine.dispose()


@pytest.mark.parametrize(("members", "tasks"), [(280, 7), (1, 300), (1, 1), (51, 41), (120, 3)])
def test_heatmaps_fit_sendphoto_limits_whatever_the_team(members: int, tasks: int) -> None:
    import struct

    from bot.teamview import Cell, MemberRow, Sheet, heatmap_png, sheet_parts

    codes = [(f"T{n // 10 + 1}.{n % 10 + 1}", f"任務 {n}") for n in range(tasks)]
    rows = [MemberRow(f"成員{n:03d}", "2026-11-24", {c: Cell(float(n % 4), n % 3 == 0) for c, _ in codes})
            for n in range(members)]
    parts = sheet_parts(Sheet(CLOUD, "雲端系統開發工程人員", codes, rows))
    seen = {(row.member, code) for part in parts for row in part.rows for code, _ in part.tasks}
    assert seen == {(row.member, code) for row in rows for code, _ in codes}, "every cell is in some picture"
    for part in parts:
        width, height = struct.unpack(">II", heatmap_png("大團隊", part)[16:24])
        assert width + height <= 10_000 and max(width, height) <= 20 * min(width, height), (width, height)
