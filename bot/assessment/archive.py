"""Results kept: read back (an earlier version's read again), shown, reported, listed, exported, forgotten.

The HR views of issue 11 belong here too: everything a reader of results needs goes through
Archive.results(), which returns typed AssessmentResult objects in the current version, each with its
latest finished review attached (read through bot/store.py): the confirmed ratings then count in the
overall figures, the chart, the reports and /history, beside the self ratings.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from bot import callbacks as cb
from bot.assessment import report as report_files
from bot.assessment.evidence import EvidenceMatcher
from bot.assessment.questions import question_for
from bot.assessment.records import Records
from bot.assessment.result import SCALE_MAX, AssessmentResult, Review, ReviewMark
from bot.assessment.scoring import code_texts, with_evidence, with_review
from bot.replies import Button, Reply
from index.catalog import Catalog
from index.holder import CatalogHolder
from prompts import t

log = logging.getLogger(__name__)

HISTORY_SIZE = 10
TAIWAN = timezone(timedelta(hours=8))  # no daylight saving time in Taiwan


def local_date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TAIWAN).strftime("%Y-%m-%d %H:%M")


def review_from_row(row: Mapping[str, Any]) -> Review:
    """A finished review as bot/store.py reads it: marks {task code: {"rating": 0-3 or null, "comment": …}}."""
    marks = []
    for code, mark in (row.get("marks") or {}).items():
        if not isinstance(mark, Mapping):
            continue
        rating = mark.get("rating")
        valid = isinstance(rating, int) and not isinstance(rating, bool) and 0 <= rating <= SCALE_MAX
        marks.append(ReviewMark(str(code), rating if valid else None, str(mark.get("comment") or "")))
    return Review(row.get("reviewer_name") or "", local_date(row.get("done_at")), tuple(marks))


class Archive:
    def __init__(self, holder: CatalogHolder, records: Records, matcher: EvidenceMatcher) -> None:
        self.holder = holder
        self.records = records
        self.matcher = matcher

    @property
    def catalog(self) -> Catalog:
        return self.holder.catalog

    def results(self, user_id: int | None = None, result_id: int | None = None) -> list[AssessmentResult]:
        """Finished results, newest first (everyone's when no user is given), all read in this version, each
        with its latest finished review."""
        return self.with_reviews([self._read(result) for result in self.records.results(user_id, result_id)])

    def with_reviews(self, results: Sequence[AssessmentResult]) -> list[AssessmentResult]:
        """The results, those with a finished review carrying it (one query for them all)."""
        rows = self.records.db.finished_reviews([result.id for result in results]) if results else {}
        return [self._reviewed(result, rows[result.id]) if result.id in rows else result for result in results]

    def _reviewed(self, result: AssessmentResult, row: Mapping[str, Any]) -> AssessmentResult:
        return with_review(self.catalog.get(result.standard), result, review_from_row(row))

    def _read(self, result: AssessmentResult) -> AssessmentResult:
        """A result stored by an earlier version: its examples read against the indicators, and stored back."""
        if all(note.read for task in result.tasks for note in task.notes):
            return result
        doc = self.catalog.get(result.standard)
        tasks = []
        for task in result.tasks:
            question = question_for(doc, task.code)
            if question is None or all(note.read for note in task.notes):
                tasks.append(task)
                continue
            notes = [
                replace(n, codes=tuple(m.code for m in self.matcher.match(n.text, question.candidates)), read=True)
                for n in task.notes
            ]
            tasks.append(with_evidence(task, notes, code_texts([question])))
        upgraded = result.with_tasks(tuple(tasks))
        self.records.save_result(upgraded)
        return upgraded

    @staticmethod
    def replies(result: AssessmentResult) -> list[Reply]:
        """The summary (with its buttons) and the chart, as sent when an assessment ends."""
        buttons = [
            [
                Button(t("assessment.summary.report_button"), cb.Report(result.id).encode()),
                Button(t("assessment.summary.history_button"), cb.History().encode()),
            ],
            [Button(t("sharing.button_share"), cb.Share(result.id).encode())],  # bot/reviews.py
        ]
        summary = Reply(text=report_files.summary_text(result), buttons=buttons)
        caption = t("assessment.summary.chart_caption", title=result.title, code=result.standard)
        try:
            chart = report_files.chart_png(result)
        except RuntimeError:  # no CJK font installed: the result is kept, the chart left out
            log.exception("chart for assessment %s not drawn", result.id)
            return [summary]
        return [summary, Reply(text=caption, photo=chart)]

    def report(self, user_id: int, result_id: int | None = None) -> list[Reply]:
        """The PDF report (the file to show a manager), then the same report in Markdown and the answers CSV."""
        found = self.results(user_id, result_id)
        if not found:
            key = "assessment.report.not_found" if result_id is not None else "assessment.report.none_yet"
            return [Reply(text=t(key))]
        result = found[0]
        names = {"code": result.standard, "id": result.id}
        text = t("assessment.report.sent", id=result.id, title=result.title, code=result.standard, date=result.date,
                 review=self._review_state(result))
        markdown = Reply(text=t("assessment.report.markdown_caption"),
                         document=(t("assessment.report.markdown_name", **names), report_files.markdown_report(result).encode()))
        answers = Reply(text=t("assessment.report.csv_caption"),
                        document=(t("assessment.report.csv_name", **names), report_files.answers_csv(result)))
        try:
            from bot.assessment.pdfreport import pdf_report  # fpdf2 is loaded only when a report is asked for

            pdf = Reply(text=text, document=(t("assessment.report.pdf_name", **names), pdf_report(result)))
        except RuntimeError:  # no CJK font installed: the Markdown report stands in
            log.exception("PDF report for assessment %s not made", result.id)
            markdown.text = text + t("assessment.report.no_pdf")
            return [markdown, answers]
        return [pdf, *self._reviewed_chart(result), markdown, answers]

    @staticmethod
    def _reviewed_chart(result: AssessmentResult) -> list[Reply]:
        """After a review, the chart again: self and confirmed side by side (the first one showed self only)."""
        if result.review is None:
            return []
        try:
            chart = report_files.chart_png(result)
        except RuntimeError:  # no CJK font: the PDF has said it
            return []
        return [Reply(text=t("assessment.report.reviewed_chart_caption", title=result.title, code=result.standard,
                             reviewer=report_files.reviewer_of(result)), photo=chart)]

    @staticmethod
    def _review_state(result: AssessmentResult) -> str:
        if result.review is None:
            return t("assessment.report.sent_unreviewed")
        return t("assessment.report.sent_reviewed", reviewer=report_files.reviewer_of(result), date=result.review.date)

    def history(self, user_id: int) -> list[Reply]:
        """The latest results, each marked when a reviewer confirmed it (with the figure after review)."""
        found = self.with_reviews(self.records.results(user_id)[:HISTORY_SIZE])
        if not found:
            return [Reply(text=t("assessment.report.none_yet"))]
        lines = [t("assessment.history.head", count=len(found))]
        buttons: list[list[Button]] = []
        for result in found:
            lines.append(
                t(
                    "assessment.history.line",
                    id=result.id,
                    date=result.date,
                    title=result.title,
                    code=result.standard,
                    scope=result.scope_label,
                    overall=t("assessment.history.overall", score=_score(result.overall_mean)),
                    review=_review_mark(result),
                )
            )
            label = t("assessment.history.button", id=result.id, code=result.standard)
            buttons.append([Button(label, cb.Report(result.id).encode())])
        return [Reply(text="\n".join(lines), buttons=buttons)]

    def forget(self, user_id: int) -> list[Reply]:
        count = self.records.count(user_id)
        self.records.forget(user_id)
        return [Reply(text=t("assessment.history.forgotten", count=count))]

    def team_export(self) -> list[Reply]:
        found = sorted(self.results(), key=lambda result: result.id)
        if not found:
            return [Reply(text=t("assessment.report.team_empty"))]
        content = report_files.team_csv(found)
        name = t("assessment.report.team_name", date=datetime.now(TAIWAN).strftime("%Y%m%d"))
        return [Reply(text=t("assessment.report.team_sent", count=len(found)), document=(name, content))]


def _score(mean: float | None) -> str:
    return t("assessment.summary.no_score") if mean is None else report_files.score_text(mean)


def _review_mark(result: AssessmentResult) -> str:
    if result.review is None:
        return ""
    return t("assessment.history.reviewed", reviewer=report_files.reviewer_of(result), date=result.review.date,
             score_final=_score(result.final_overall))
