"""SQL storage on SQLite and, when the test set-up started one, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from bot.store import Database, DatabaseError


def _urls(tmp: Path) -> list[str]:
    urls = [f"sqlite:///{tmp / 'bot.sqlite3'}"]
    if os.environ.get("TEST_DATABASE_URL"):
        urls.append(os.environ["TEST_DATABASE_URL"])
    return urls


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    urls = {u.split(":", 1)[0].split("+")[0]: u for u in _urls(tmp_path)}
    if request.param not in urls:
        pytest.skip("PostgreSQL not available (./test.sh starts one)")
    database = Database(urls[request.param])
    database.create()
    return database


def test_sessions_survive_a_new_connection(db: Database) -> None:
    chat = int(uuid.uuid4().int % 10**9)
    db.save_session(chat, user_id=chat, standard="ISD3512-001v3", pending={"question": "T2.2 的行為指標"})
    again = Database(db.url)
    session = again.get_session(chat)
    assert session["standard"] == "ISD3512-001v3"
    assert session["pending"] == {"question": "T2.2 的行為指標"}
    again.save_session(chat, standard=None, pending=None)
    assert again.get_session(chat)["standard"] is None


def test_repeated_update_ids_are_detected(db: Database) -> None:
    update_id = int(uuid.uuid4().int % 10**12)
    assert db.mark_update(update_id) is True
    assert db.mark_update(update_id) is False


def test_forget_removes_a_person(db: Database) -> None:
    user = int(uuid.uuid4().int % 10**9)
    db.save_session(user, user_id=user, standard="IIS3513-006v4")
    db.forget_user(user)
    assert db.get_session(user)["standard"] is None


def test_unreachable_database_gives_a_clear_error(tmp_path: Path) -> None:
    bad = Database("postgresql+psycopg://nobody:secretpw@127.0.0.1:1/none")
    with pytest.raises(DatabaseError) as err:
        bad.create()
    assert "無法開啟資料庫" in str(err.value) and "secretpw" not in str(err.value)
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro" / "bot.sqlite3").write_bytes(b"not a database at all")
    with pytest.raises(DatabaseError):
        Database(f"sqlite:///{tmp_path / 'ro' / 'bot.sqlite3'}").create()
