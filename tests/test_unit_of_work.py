"""One unit of work per message (issue 24): the session read once and saved once, the assessment's rows read once,
the interview state written once at the end and only when it changed; outside a message every call still goes to
the database."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from bot.assessment.records import Records
from bot.replies import Incoming, Reply
from bot.services import Services, build_services
from bot.settings import SHIPPED_CORPUS, Settings

CLOUD = "ISD3512-001v3"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    folder = tmp_path_factory.mktemp("unit-of-work")
    return build_services(Settings(BOT_DATA_DIR=folder, BOT_EMBEDDER="fake", BOT_CORPUS_DIR=SHIPPED_CORPUS,
                                   DATABASE_URL=None, TELEGRAM_BOT_TOKEN=None))


@contextmanager
def statements(services: Services) -> Iterator[Counter[tuple[str, str]]]:
    """(SELECT|INSERT|UPDATE|DELETE, table) of every statement sent while inside."""
    seen: Counter[tuple[str, str]] = Counter()

    def count(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        verb = statement.split()[0].upper()
        table = re.search(r"(?:FROM|INTO|UPDATE)\s+(\w+)", statement, re.I)
        seen[(verb, table.group(1) if table else "?")] += 1

    event.listen(services.db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(services.db.engine, "before_cursor_execute", count)


def say(services: Services, user: int, text: str = "", button: str | None = None) -> list[Reply]:
    return services.engine.handle(Incoming(chat_id=user, user_id=user, text=text, button=button))


def test_a_question_reads_each_row_once(services: Services) -> None:
    user = 71_001
    say(services, user, "T2.2 的行為指標")
    with statements(services) as seen:
        say(services, user, "雲端系統開發工程人員 T1.1 的行為指標")
    assert seen[("SELECT", "assessments")] == 1 and seen[("SELECT", "interview_states")] == 1
    assert seen[("SELECT", "chat_sessions")] <= 2 and seen[("UPDATE", "chat_sessions")] <= 1
    assert not seen[("INSERT", "interview_states")] and not seen[("DELETE", "interview_states")]
    assert sum(seen.values()) <= 8, seen


def test_a_lookup_during_an_assessment_reads_once_and_writes_no_unchanged_state(services: Services) -> None:
    user = 71_002
    say(services, user, button=f"as:q:{CLOUD}")
    with statements(services) as seen:
        replies = say(services, user, "T1.2 的工作產出是什麼？")
    assert "第 1/7 題" in replies[-1].text  # answered, then the open question again
    for table in ("assessments", "interview_states", "answers", "evidence_notes"):
        assert seen[("SELECT", table)] <= 1, (table, seen)
    assert not [key for key in seen if key[1] == "interview_states" and key[0] != "SELECT"], seen


def test_the_state_kept_in_a_message_is_written_at_its_end(services: Services) -> None:
    user = 71_003
    say(services, user, button=f"as:q:{CLOUD}")
    say(services, user, "中止")  # the 中止 question: kept in the interview state
    outside = Records(services.db)  # no unit of work: straight from the database
    active = outside.active(user)
    assert active is not None and outside.state(user).get("stopping") == active.id
    say(services, user, "不要，繼續")
    assert not outside.state(user).get("stopping")
    assert say(services, user, "1")[-1].text.startswith("第 2/7 題")
    assert outside.scores(outside.active(user)) == {0: 1}  # type: ignore[arg-type]


def test_outside_a_message_every_read_goes_to_the_database(services: Services) -> None:
    user = 71_004
    say(services, user, button=f"as:q:{CLOUD}")
    records = Records(services.db)
    with statements(services) as seen:
        records.active(user)
        records.active(user)
    assert seen[("SELECT", "assessments")] == 2


def test_forgetting_in_a_message_drops_the_state_it_kept(services: Services) -> None:
    user = 71_005
    say(services, user, button=f"as:q:{CLOUD}")
    records = Records(services.db)
    with services.db.unit_of_work():
        records.keep_state(user, {"paused": 1})
        records.forget(user)
    assert records.state(user) == {} and records.active(user) is None
