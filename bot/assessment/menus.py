"""The menus that start an assessment, paged so every keyboard stays within Telegram's limits.

Callback data (bot/callbacks.py; built from codes and numbers so they survive restarts):
  as:std:<code>, as:begin:<code>   pick a document        as:sp:<page>               page of documents
  as:q:<code>                      quick assessment       as:qt:<code>:<part>:<page>  tick / untick a part
  as:qp:<code>:<page>              page of parts          as:qs:<code>               start the ticked parts
  as:d:<code>                      deep: list duties      as:dp:<code>:<page>        page of duties
  as:dd:<code>:<duty>[:<part>]     start deep on a duty (or one part of a large duty)
  as:u:<code>:<section id>         start a 職能單元 section  as:up:<code>:<page>        page of sections
A keyboard shows at most PAGE_SIZE choices, one per row, then a row of page buttons and the start
button: never more than 100 buttons, 8 per row, as Telegram requires.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot import callbacks as cb
from bot.assessment.questions import MAX_QUESTIONS, Part, Question, deep_parts, deep_questions, quick_parts
from bot.replies import Button, Reply
from index.catalog import Catalog
from index.model import Document, Standard, Unit
from prompts import t

PAGE_SIZE = 8


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def clamp(page: int, total: int) -> int:
    return min(max(page, 0), page_count(total) - 1)


def paged(
    choices: Sequence[Button], page: int, page_data: Callable[[int], cb.Data], after: Sequence[Button] = ()
) -> list[list[Button]]:
    """One choice per row for this page, then ◀ / ▶ when there is more than one page, then `after`."""
    page = clamp(page, len(choices))
    rows = [[choice] for choice in choices[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]]
    moves = []
    if page > 0:
        moves.append(Button(t("assessment.page_previous"), page_data(page - 1).encode()))
    if page + 1 < page_count(len(choices)):
        moves.append(Button(t("assessment.page_next"), page_data(page + 1).encode()))
    if moves:
        rows.append(moves)
    if after:
        rows.append(list(after))
    return rows


def page_note(page: int, total: int) -> str:
    """「（第 2/5 頁）」 on a menu of several pages, else nothing."""
    pages = page_count(total)
    return "" if pages == 1 else "\n" + t("assessment.page_of", page=clamp(page, total) + 1, pages=pages)


# ====================================================================== documents and scopes
def standard_menu(catalog: Catalog, text: str, page: int = 0, edit: bool = False) -> Reply:
    docs = catalog.current()
    choices = [
        Button(t("assessment.standard_button", title=d.title, code=d.code), cb.AssessStandard(d.code).encode())
        for d in docs
    ]
    rows = paged(choices, page, cb.StandardsPage)
    return Reply(text=text + page_note(page, len(docs)), buttons=rows, edit=edit)


def scope_menu(catalog: Catalog, doc: Document) -> list[Reply]:
    replies: list[Reply] = []
    if doc.status == "historical":
        latest = catalog.latest_of(doc)
        replies.append(Reply(text=t("assessment.historical_note", code=doc.code, latest=latest.code)))
    if isinstance(doc, Unit):
        replies.append(section_menu(doc))
        return replies
    key = "assessment.choose_scope" if len(doc.tasks) <= MAX_QUESTIONS else "assessment.choose_scope_too_many"
    text = t(key, title=doc.title, code=doc.code, quick=len(doc.tasks), tasks=len(doc.tasks), limit=MAX_QUESTIONS)
    buttons = [
        [Button(t("assessment.scope_quick"), cb.Quick(doc.code).encode())],
        [Button(t("assessment.scope_deep"), cb.Deep(doc.code).encode())],
    ]
    replies.append(Reply(text=text, buttons=buttons))
    return replies


def section_menu(unit: Unit, page: int = 0, edit: bool = False) -> Reply:
    sections = [s for s in unit.sections if s.items]
    choices = [
        Button(
            t("assessment.section_button", section=s.id, title=s.title, count=len(s.items)),
            cb.UnitSection(unit.code, s.id).encode(),
        )
        for s in sections
    ]
    rows = paged(choices, page, lambda p: cb.SectionsPage(unit.code, p))
    text = t("assessment.choose_section", title=unit.title, code=unit.code) + page_note(page, len(sections))
    return Reply(text=text, buttons=rows, edit=edit)


# ====================================================================== deep: duties (or their parts)
def deep_choices(standard: Standard) -> list[tuple[Part, str]]:
    """Every part a deep assessment can take, with its callback data."""
    found = []
    for duty in standard.duties:
        parts = deep_parts(duty)
        for part in parts:
            number = part.number if len(parts) > 1 else None
            found.append((part, cb.DeepDuty(standard.code, duty.code, number).encode()))
    return found


def duty_menu(standard: Standard, page: int = 0, edit: bool = False) -> Reply:
    choices = [
        Button(_part_label(part, len(deep_questions(part.duty, part.tasks)), "assessment.duty_button"), data)
        for part, data in deep_choices(standard)
    ]
    rows = paged(choices, page, lambda p: cb.DutiesPage(standard.code, p))
    return Reply(text=t("assessment.choose_duty") + page_note(page, len(choices)), buttons=rows, edit=edit)


def _part_label(part: Part, count: int, key: str) -> str:
    """「T3 開發與測試（12 項）」, or for a part of a large duty 「T3 開發與測試：T3.26–T3.50（25 項）」."""
    title = part.duty.title if part.whole else t("assessment.part_title", title=part.duty.title, span=part.span)
    return t(key, code=part.duty.code, title=title, count=count)


# ====================================================================== quick: ticking parts of a large standard
def tick_menu(standard: Standard, ticked: Sequence[Question], page: int = 0, edit: bool = False) -> Reply:
    """Parts of the standard to tick for a quick assessment; the ticks are kept in the person's draft."""
    chosen = {q.task for q in ticked}
    parts = quick_parts(standard.duties)
    choices = []
    for number, part in enumerate(parts):
        on = all(task.code in chosen for task in part.tasks)
        key = "assessment.duty_toggle_on" if on else "assessment.duty_toggle_off"
        choices.append(Button(_part_label(part, len(part.tasks), key), cb.Tick(standard.code, number, page).encode()))
    start = Button(t("assessment.start_selected", count=len(chosen)), cb.StartTicked(standard.code).encode())
    rows = paged(choices, page, lambda p: cb.TicksPage(standard.code, p), after=[start])
    text = t("assessment.choose_duties", selected=len(chosen), limit=MAX_QUESTIONS) + page_note(page, len(parts))
    return Reply(text=text, buttons=rows, edit=edit)


def toggled(standard: Standard, ticked: Sequence[Question], number: int) -> set[str]:
    """The task codes ticked after ticking (or unticking) part `number`."""
    part = quick_parts(standard.duties)[number]
    chosen = {q.task for q in ticked}
    codes = {task.code for task in part.tasks}
    return chosen - codes if codes <= chosen else chosen | codes
