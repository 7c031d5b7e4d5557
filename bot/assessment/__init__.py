"""Interview-style self-assessment against a 職能基準 or a 職能單元.

One module per job: questions (what is asked, parts of a large standard), menus (how it starts),
typed (what a typed message means), plain (the level a plain reply such as 「還不太會，要人帶」 means),
evidence (reading an example against the indicators),
interview (the follow-up question), scoring (pure arithmetic), result (the typed result and its
JSON), records (storage through bot/store.py), archive (results kept: reports, history, exports)
and service (the conversation).
"""

from bot.assessment.evidence import CALIBRATIONS, Calibration, EvidenceMatcher, Match
from bot.assessment.questions import (
    MAX_QUESTIONS,
    Question,
    deep_questions,
    question_for,
    quick_questions,
    section_questions,
)
from bot.assessment.result import AssessmentResult, Coded, Note, TaskResult
from bot.assessment.scoring import (
    build_result,
    gaps,
    level_readiness,
    overall_percent,
    score_duties,
    score_tasks,
    strengths,
)
from bot.assessment.service import AssessmentService

__all__ = [
    "CALIBRATIONS",
    "MAX_QUESTIONS",
    "AssessmentResult",
    "AssessmentService",
    "Calibration",
    "Coded",
    "EvidenceMatcher",
    "Match",
    "Note",
    "Question",
    "TaskResult",
    "build_result",
    "deep_questions",
    "gaps",
    "level_readiness",
    "overall_percent",
    "question_for",
    "quick_questions",
    "score_duties",
    "score_tasks",
    "section_questions",
    "strengths",
]
