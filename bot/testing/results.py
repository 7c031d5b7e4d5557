"""Finished assessments and reviews written straight into the database (for tests and benchmarks that need
many results without playing every assessment through)."""

from __future__ import annotations

import random

from bot.assessment import build_result, quick_questions
from bot.store import Database, utcnow
from index.catalog import Catalog


def store_result(db: Database, catalog: Catalog, standard: str, user_id: int, name: str, rng: random.Random) -> int:
    """A finished quick assessment of the standard for this person, stored as the assessment service keeps one."""
    doc = catalog.get(standard)
    questions = quick_questions(doc.duties)  # type: ignore[union-attr]
    result_id = db.start_assessment(user_id, user_id, standard=doc.code, scope="quick",  # type: ignore[union-attr]
                                    questions=[q.to_dict() for q in questions])
    scores = {i: rng.choice((0, 1, 1, 2, 2, 2, 3, None)) for i in range(len(questions))}
    result = build_result(doc, questions, scores, [], id=result_id, standard=doc.code, title=doc.title,  # type: ignore[union-attr]
                          kind=doc.kind, scope="quick", scope_label="quick", user_id=user_id, user_name=name,  # type: ignore[union-attr]
                          finished_at=utcnow().isoformat(), date="2026-11-24 09:00")
    db.update_assessment(result_id, status="done", finished_at=utcnow(), result=result.to_json(), user_name=name)
    return result_id


def confirm(db: Database, result_id: int, owner: int, reviewer: int, tasks: list[str], rng: random.Random) -> None:
    """A finished review of the result: every task rated, one with a comment."""
    marks = {code: {"rating": rng.randint(0, 3), "comment": ""} for code in tasks}
    marks[tasks[0]]["comment"] = "需要多練習"
    db.add_review_link(token_hash=f"bench-{result_id}", result_id=result_id, owner_id=owner, owner_chat_id=owner,
                       reviewer_id=reviewer, reviewer_name="主管", status="done", marks=marks, expires_at=utcnow(),
                       done_at=utcnow())
