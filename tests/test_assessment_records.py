"""Assessment records through the storage layer, on SQLite and PostgreSQL, and rows written by the
previous version (results without evidence flags, assessments begun before examples were read)."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.assessment import AssessmentResult, AssessmentService, EvidenceMatcher
from bot.replies import Reply
from bot.store import Database, answers, assessments
from index.catalog import Catalog
from index.embed import get_embedder
from tests.test_assessment import CLOUD, DATA

V1_RESULT = Path(__file__).parent / "data" / "result_v1.json"  # written by the previous bot/assessment.py
V1_QUESTIONS = Path(__file__).parent / "data" / "questions_v1.json"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(DATA)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    urls = {"sqlite": f"sqlite:///{tmp_path / 'records.sqlite3'}"}
    if os.environ.get("TEST_DATABASE_URL"):
        urls["postgresql"] = os.environ["TEST_DATABASE_URL"]
    if request.param not in urls:
        pytest.skip("PostgreSQL not available (./test.sh starts one)")
    database = Database(urls[request.param])
    database.create()
    return database


@pytest.fixture
def service(catalog: Catalog, db: Database) -> AssessmentService:
    return AssessmentService(catalog, db, EvidenceMatcher(get_embedder("fake")))


def person() -> int:
    return int(uuid.uuid4().int % 10**9)  # PostgreSQL is shared by the whole run


def say(service: AssessmentService, user: int, text: str) -> list[Reply]:
    replies = service.on_text(user, user, text)
    assert replies is not None, text
    return replies


def test_a_whole_assessment_with_examples_is_kept(service: AssessmentService) -> None:
    user = person()
    service.begin(user, user, CLOUD, user_name="林小姐")
    service.on_button(user, user, f"as:q:{CLOUD}")
    say(service, user, "3")
    say(service, user, "我蒐集雲端產品資訊，做了比較")
    say(service, user, "我彙整及分析雲端產品資料")  # the follow-up's answer
    for words in ("2", "略過", "1", "0", "略過", "1", "0"):
        replies = say(service, user, words)
    assert replies[-1].photo is not None

    result = service.results(user)[0]
    assert isinstance(result, AssessmentResult) and result.user_id == user and result.user_name == "林小姐"
    t11 = result.task("T1.1")
    assert t11 is not None and t11.flag == "backed" and [c.code for c in t11.shown] == ["P1.1.1", "P1.1.2"]
    assert [(n.kind, n.codes) for n in t11.notes] == [("example", ("P1.1.1",)), ("follow_up", ("P1.1.2",))]
    assert t11.notes[1].prompt.startswith("追問：")
    assert result.task("T1.2").flag == "self_only"  # type: ignore[union-attr]
    assert AssessmentResult.from_json(json.loads(json.dumps(result.to_json()))) == result  # JSON round trip
    assert service.results(user, result.id)[0] == result and service.results(person()) == []


def test_a_version_1_result_is_read_and_stored_back(service: AssessmentService, db: Database) -> None:
    user = person()
    stored = json.loads(V1_RESULT.read_text(encoding="utf-8"))
    with db.begin() as conn:
        result_id = conn.execute(
            assessments.insert().values(
                user_id=user, chat_id=user, user_name="舊版使用者", standard=CLOUD, scope="quick",
                questions=[], position=7, status="done", result=stored,
            )
        ).inserted_primary_key[0]  # fmt: skip
    old = AssessmentResult.from_json({**stored, "id": result_id})
    assert old.version == 1 and old.task("T1.1").flag is None  # type: ignore[union-attr]
    assert [n.read for n in old.task("T1.1").notes] == [False]  # type: ignore[union-attr]

    history = service.history(user)
    assert f"#{result_id}" in history[0].text and "（ISD3512-001v3）" in history[0].text
    documents = dict(r.document for r in service.report(user) if r.document)
    markdown = next(v for k, v in documents.items() if k.endswith(".md")).decode()
    assert "| T1.1 | 評估應用可行性 | 4 | 1/1 | 3 分（能指導他人或改善做法） | 是 | 有實例佐證 | P1.1.1 |" in markdown
    assert "| T1.2 | 擬訂應用可行方案 | 4 | 1/1 | 2 分（能獨立完成） | 是 | 自評高於實例 |  |" in markdown
    assert "- 例子：「我蒐集雲端產品資訊，做了比較」" in markdown
    with db.begin() as conn:
        again = conn.execute(select(assessments.c.result).where(assessments.c.id == result_id)).scalar_one()
    assert again["version"] == 2 and again["tasks"][0]["flag"] == "backed"  # read once, stored back
    assert service.team_export()[0].document is not None


def test_an_assessment_begun_by_version_1_is_finished(service: AssessmentService, db: Database) -> None:
    """Its questions name no indicators and its first example sits on the answer row."""
    user = person()
    questions = json.loads(V1_QUESTIONS.read_text(encoding="utf-8"))
    assert "indicators" not in questions[0]
    with db.begin() as conn:
        aid = conn.execute(
            assessments.insert().values(
                user_id=user, chat_id=user, user_name="", standard=CLOUD, scope="quick",
                questions=questions, position=2, status="active",
            )
        ).inserted_primary_key[0]  # fmt: skip
        conn.execute(answers.insert().values(assessment_id=aid, question_index=0, item_code="T1.1", task_code="T1.1",
                                             score=3, evidence="我蒐集雲端產品資訊，做了比較"))  # fmt: skip
        conn.execute(answers.insert().values(assessment_id=aid, question_index=1, item_code="T1.2", task_code="T1.2",
                                             score=1))  # fmt: skip

    assert "第 3/7 題｜T2.1" in service.resume(user, user)[-1].text
    say(service, user, "2")
    replies = say(service, user, "去年我逐項檢視我們雲端產品現有的功能，和業務的使用需求比對差異性")
    assert replies[0].text.startswith("你的例子對應 P2.1.1")  # read against the catalog's indicators
    for words in ("略過", "0", "0", "0", "0"):
        replies = say(service, user, words)
    assert replies[-1].photo is not None
    result = service.results(user)[0]
    assert result.task("T1.1").flag == "backed"  # type: ignore[union-attr]  # the old example, read at the end
    assert result.task("T2.1").flag == "backed"  # type: ignore[union-attr]
    assert result.task("T1.2").flag == "self_only"  # type: ignore[union-attr]
