"""The assessment conversation: starting, answering (buttons or typed), examples, follow-ups, results.

Stateless in the process: every step reads and writes the database through Records. Answers are
0–3 (SCALE), or None when skipped. A 2 or 3 is followed by a prompt for one example; the example
is read against the task's indicators and outputs (EvidenceMatcher), the reply says what it shows,
and a behavioural follow-up may follow (bot/assessment/interview.py). Every prompt can be skipped.

Typed messages: a plain reply (「有」「還不太會，要人帶」) is a rating; one not understood gets a short
clarifying question with the four levels as buttons (worded differently each time in a row); the
label of any button of the last keyboard the service showed, typed, presses it (「快速評估」「略過」).
中止 asks first: keep the answers for /resume (a pause: messages go to the engine until /resume),
discard them, or go on. What this needs between two messages is kept per person in interview_states.

Callback data of the questions (bot/callbacks.py; menus: bot/assessment/menus.py):
  as:a:<id>:<q>:<0-3|s>   Rate: answer / skip question q   as:b:<id>:<q>   Back from question q
  as:e:<id>:<q>           SkipPrompt: the example or follow-up of q   as:x:<id>   Stop: 中止 (asks first)
  as:xk:<id>  StopKeep: pause, answers kept   as:xd:<id>  StopDiscard   as:xc:<id>  StopCancelled: go on
  as:rs  Resume   as:rn[:<code>]  Restart: drop the active one, start anew   as:rep:<id>  Report   as:hist  History
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot import callbacks as cb
from bot.assessment import menus
from bot.assessment.archive import Archive, local_date
from bot.assessment.evidence import Candidate, EvidenceMatcher, copied_from
from bot.assessment.interview import budget, level_three_words, next_follow_up, reading
from bot.assessment.questions import (
    MAX_QUESTIONS,
    Question,
    deep_parts,
    deep_questions,
    progress_line,
    question_for,
    question_text,
    quick_parts,
    quick_questions,
    section_questions,
)
from bot.assessment.records import Active, Records, StoredNote
from bot.assessment.report import scale_label
from bot.assessment.result import MET_THRESHOLD, AssessmentResult, Note
from bot.assessment.scoring import build_result
from bot.assessment.typed import Typed, label_key, label_keys, read_answer, read_sentence, read_stop
from bot.replies import Button, Reply
from bot.store import Database, utcnow
from index.catalog import Catalog
from index.holder import CatalogHolder
from index.model import Document, Standard, Unit
from index.text import plain_reply
from prompts import raw, t
from retrieval.names import find_standards

SCALE = (0, 1, 2, 3)
EVIDENCE_MAX_CHARS = 500
STORY_MIN_CHARS = 20  # a reply to a rating question this long is kept as the example of the rating it leads to
DESTRUCTIVE = (cb.Restart, cb.StopDiscard)  # buttons whose label must be typed whole


class StaleButton(Exception):
    """A button of a menu or a question no longer shown (another standard now, a part since changed)."""


def first_word(kind: str) -> str:
    """The word a person types for skip, back or cancel (the first of its list)."""
    return raw(f"assessment.typed.{kind}")[0]


class AssessmentService:
    def __init__(self, catalog: Catalog | CatalogHolder, db: Database, matcher: EvidenceMatcher) -> None:
        self.holder = catalog if isinstance(catalog, CatalogHolder) else CatalogHolder(catalog)
        self.db = db
        self.records = Records(db)
        self.matcher = matcher
        self.archive = Archive(self.holder, self.records, matcher)
        self.on_finished: list[Callable[[AssessmentResult], list[Reply]]] = []  # notices for others (team leads)

    @property
    def catalog(self) -> Catalog:
        """The current catalog (index/holder.py): a reload is seen at the next read."""
        return self.holder.catalog

    # ------------------------------------------------------------ starting
    def begin(
        self, user_id: int, chat_id: int, standard: str | None, user_name: str = "", quick: bool = False
    ) -> list[Reply]:
        """The menus that start an assessment; `quick` goes straight to a quick assessment of a standard."""
        return self._shown(user_id, self._begin(user_id, chat_id, standard, user_name, quick))

    def _begin(
        self, user_id: int, chat_id: int, standard: str | None, user_name: str = "", quick: bool = False
    ) -> list[Reply]:
        active = self.records.active(user_id)
        if active:
            return [self._conflict(active, standard)]
        if user_name:  # a button press carries no name: the draft keeps it until a scope is picked
            self.records.keep_draft(user_id, chat_id, user_name)
        if not standard:
            return [menus.standard_menu(self.catalog, t("assessment.choose_standard"))]
        doc = self._find(standard)
        if doc is None:
            return [menus.standard_menu(self.catalog, t("assessment.unknown_standard", name=standard))]
        if quick and isinstance(doc, Standard):
            return [*menus.scope_menu(self.catalog, doc)[:-1], *self._quick(user_id, chat_id, doc)]
        return menus.scope_menu(self.catalog, doc)

    def _find(self, name: str) -> Document | None:
        """The one document a name means (retrieval/names.py), None when it means none or several."""
        found = find_standards(self.catalog, name)
        return found[0] if len(found) == 1 else None

    def _conflict(self, active: Active, standard: str | None) -> Reply:
        doc = self.catalog.get(active.standard)
        wanted = self._find(standard) if standard else None
        restart = cb.Restart(wanted.code if wanted else None).encode()
        text = t(
            "assessment.already_active",
            title=doc.title if doc else active.standard,
            code=active.standard,
            position=min(active.position + 1, len(active.questions)),
            total=len(active.questions),
        )
        buttons = [
            [Button(t("assessment.resume_button"), cb.Resume().encode())],
            [Button(t("assessment.restart_button"), restart)],
        ]
        return Reply(text=text, buttons=buttons)

    def _start(self, user_id: int, chat_id: int, doc: Document, scope: str, questions: list[Question]) -> list[Reply]:
        already = self.records.active(user_id)
        if already:
            return [self._conflict(already, doc.code)]
        active = self.records.start(user_id, chat_id, doc.code, scope, questions)
        intro = t(
            "assessment.intro",
            title=doc.title,
            code=doc.code,
            scope=self.scope_label(doc, scope, questions),
            total=len(questions),
        )
        return [Reply(text=intro), self._question_reply(active, active.position)]

    def scope_label(self, doc: Document | None, scope: str, questions: list[Question]) -> str:
        kind, _, arg = scope.partition(":")
        if kind == "quick" and not arg:
            return t("assessment.scope_quick_label")
        if kind == "quick":
            return t("assessment.scope_quick_duties_label", duties=self._spans(doc, questions))
        if kind == "duty":
            duty_code, _, part = arg.partition(":")
            duty = doc.duty(duty_code) if isinstance(doc, Standard) else None
            label = t("assessment.scope_deep_label", duty=duty_code, title=duty.title if duty else "")
            return t("assessment.part_label", label=label, span=self._spans(doc, questions)) if part else label
        section = next((s for s in doc.sections if s.id == arg), None) if isinstance(doc, Unit) else None
        return t("assessment.scope_section_label", section=arg, title=section.title if section else "")

    @staticmethod
    def _spans(doc: Document | None, questions: list[Question]) -> str:
        """「T1、T3.1–T3.25」: whole duties by their code, parts of a duty by their first and last task."""
        tasks: dict[str, list[str]] = {}
        for question in questions:
            if question.task not in tasks.setdefault(question.duty, []):
                tasks[question.duty].append(question.task)
        spans = []
        for duty_code, codes in tasks.items():
            duty = doc.duty(duty_code) if isinstance(doc, Standard) else None
            whole = duty is None or len(codes) == len(duty.tasks)
            span = t("assessment.task_span", first=codes[0], last=codes[-1]) if len(codes) > 1 else codes[0]
            spans.append(duty_code if whole else span)
        return t("assessment.list_separator").join(spans)

    # ------------------------------------------------------------ buttons
    def on_button(self, user_id: int, chat_id: int, data: str | cb.Data) -> list[Reply]:
        """An `as:` button (bot/callbacks.py reads a string); stale or tampered data gets the open question again."""
        return self._shown(user_id, self._on_button(user_id, chat_id, cb.decode(data)))

    def _on_button(self, user_id: int, chat_id: int, data: cb.Data) -> list[Reply]:
        try:
            return self._pressed(user_id, chat_id, data)
        except StaleButton:
            return self._stale(user_id)

    def _pressed(self, user_id: int, chat_id: int, data: cb.Data) -> list[Reply]:
        match data:
            case cb.AssessStandard(code=code) | cb.AssessBegin(code=code):
                return self.begin(user_id, chat_id, code)
            case cb.StandardsPage(page=page):
                return [menus.standard_menu(self.catalog, t("assessment.choose_standard"), page, True)]
            case cb.Quick(code=code) | cb.QuickMenu(code=code):  # QuickMenu: ticks of an earlier version
                return self._quick(user_id, chat_id, self._standard(code))
            case cb.Tick():
                return self._on_tick(user_id, chat_id, data)
            case cb.TicksPage(code=code, page=page):
                return [self._tick_menu(user_id, self._standard(code), page, edit=True)]
            case cb.StartTicked(code=code):
                return self._on_quick_start(user_id, chat_id, self._standard(code))
            case cb.Deep(code=code):
                return [menus.duty_menu(self._standard(code))]
            case cb.DutiesPage(code=code, page=page):
                return [menus.duty_menu(self._standard(code), page, edit=True)]
            case cb.DeepDuty():
                return self._on_deep_duty(user_id, chat_id, data)
            case cb.UnitSection():
                return self._on_section(user_id, chat_id, data)
            case cb.SectionsPage(code=code, page=page):
                return [menus.section_menu(self._unit(code), page, edit=True)]
            case cb.Rate():
                return self._on_answer(user_id, data)
            case cb.Back():
                return self._on_back(user_id, data)
            case cb.SkipPrompt():
                return self._on_skip_prompt(user_id, data)
            case cb.Stop():
                return self._ask_stop(user_id)
            case cb.StopKeep(assessment=aid):
                return self._stop(user_id, aid, "keep")
            case cb.StopDiscard(assessment=aid):
                return self._stop(user_id, aid, "discard")
            case cb.StopCancelled(assessment=aid):
                return self._stop(user_id, aid, "continue")
            case cb.Resume():
                return self._resume(user_id)
            case cb.Restart(code=code):
                return self._on_restart(user_id, chat_id, code)
            case cb.Report(result=result):
                return self.report(user_id, result)
            case cb.History():
                return self.history(user_id)
        raise StaleButton(data)

    def _standard(self, code: str) -> Standard:
        doc = self.catalog.get(code)
        if not isinstance(doc, Standard):
            raise StaleButton(code)
        return doc

    def _unit(self, code: str) -> Unit:
        doc = self.catalog.get(code)
        if not isinstance(doc, Unit):
            raise StaleButton(code)
        return doc

    def _quick(self, user_id: int, chat_id: int, standard: Standard) -> list[Reply]:
        if len(standard.tasks) <= MAX_QUESTIONS:
            return self._start(user_id, chat_id, standard, "quick", quick_questions(standard.duties))
        draft = self.records.draft(user_id)
        self.records.keep_draft(user_id, chat_id, draft.user_name if draft else "", standard.code)  # no ticks yet
        return [menus.tick_menu(standard, [])]

    def _ticked(self, user_id: int, standard: Standard) -> list[Question]:
        draft = self.records.draft(user_id)
        return list(draft.questions) if draft and draft.standard == standard.code else []

    def _tick_menu(self, user_id: int, standard: Standard, page: int, edit: bool) -> Reply:
        return menus.tick_menu(standard, self._ticked(user_id, standard), page, edit)

    def _on_tick(self, user_id: int, chat_id: int, data: cb.Tick) -> list[Reply]:
        standard, number, page = self._standard(data.code), data.part, data.page
        if not 0 <= number < len(quick_parts(standard.duties)):
            raise StaleButton(data)
        codes = menus.toggled(standard, self._ticked(user_id, standard), number)
        questions = quick_questions(standard.duties, [task for task in standard.tasks if task.code in codes])
        draft = self.records.draft(user_id)
        self.records.keep_draft(user_id, chat_id, draft.user_name if draft else "", standard.code, questions)
        return [menus.tick_menu(standard, questions, page, edit=True)]

    def _on_quick_start(self, user_id: int, chat_id: int, standard: Standard) -> list[Reply]:
        questions = self._ticked(user_id, standard)
        if not questions:
            return [Reply(text=t("assessment.nothing_selected")), menus.tick_menu(standard, [])]
        if len(questions) > MAX_QUESTIONS:
            warning = Reply(text=t("assessment.too_many_selected", count=len(questions), limit=MAX_QUESTIONS))
            return [warning, menus.tick_menu(standard, questions)]
        return self._start(user_id, chat_id, standard, "quick:parts", questions)

    def _on_deep_duty(self, user_id: int, chat_id: int, data: cb.DeepDuty) -> list[Reply]:
        standard = self._standard(data.code)
        duty = standard.duty(data.duty)
        parts = deep_parts(duty) if duty else []
        number = data.part or 0
        if duty is None or not 0 <= number < len(parts):
            raise StaleButton(data)
        scope = f"duty:{duty.code}" + (f":{number}" if len(parts) > 1 else "")
        return self._start(user_id, chat_id, standard, scope, deep_questions(duty, parts[number].tasks))

    def _on_section(self, user_id: int, chat_id: int, data: cb.UnitSection) -> list[Reply]:
        unit = self._unit(data.code)
        section = next((s for s in unit.sections if s.id == data.section), None)
        if section is None or not section.items:
            raise StaleButton(data)
        return self._start(user_id, chat_id, unit, f"section:{section.id}", section_questions(unit, section))

    def _on_restart(self, user_id: int, chat_id: int, code: str | None) -> list[Reply]:
        self.records.end(user_id, "cancelled")
        self._forget_turns(user_id)
        return self._begin(user_id, chat_id, code)

    def _on_answer(self, user_id: int, data: cb.Rate) -> list[Reply]:
        active, index = self._checked(user_id, data.assessment, data.question, allow_awaiting=True)
        if active is None:
            return self._stale(user_id)
        self._go_on(user_id)
        return self._answer(active, index, data.score)

    def _on_back(self, user_id: int, data: cb.Back) -> list[Reply]:
        active, _index = self._checked(user_id, data.assessment, data.question, allow_awaiting=False)
        if active is None:
            return self._stale(user_id)
        self._go_on(user_id)
        return self._back(active)

    def _on_skip_prompt(self, user_id: int, data: cb.SkipPrompt) -> list[Reply]:
        active = self.records.active(user_id)
        if active is None or active.id != data.assessment or active.awaiting != data.question:
            return self._stale(user_id)
        self._go_on(user_id)
        self.records.close_prompt(active)
        return self._current(user_id)

    def _checked(self, user_id: int, aid: int, index: int, allow_awaiting: bool) -> tuple[Active | None, int]:
        """The active assessment when a question button belongs to the question now on screen."""
        active = self.records.active(user_id)
        if active is None or active.id != aid or not 0 <= index < len(active.questions):
            return None, index
        on_screen = active.awaiting is None and index == active.position
        just_answered = allow_awaiting and active.awaiting == index  # changing the answer before the example
        return (active, index) if on_screen or just_answered else (None, index)

    def _stale(self, user_id: int) -> list[Reply]:
        if self.records.active(user_id) is None:
            return [Reply(text=t("assessment.nothing_active"))]
        return [Reply(text=t("assessment.stale_button")), *self._current(user_id)]

    # ------------------------------------------------------------ answering (buttons and typing alike)
    def _answer(self, active: Active, index: int, score: int | None) -> list[Reply]:
        wants_example = score is not None and score >= MET_THRESHOLD
        self.records.save_answer(active, index, score, wants_example)
        story = self._take_story(active, index)
        if wants_example and story:
            fresh = self.records.active(active.user_id)
            if fresh is not None and fresh.awaiting == index:
                return self._take_sentence(fresh, story)
        return self._current(active.user_id)

    def _back(self, active: Active) -> list[Reply]:
        """From a question to the one before; from an example or follow-up prompt to its question."""
        if active.awaiting is not None:
            self.records.close_prompt(active, position=active.awaiting)
            return self._current(active.user_id)
        if active.position == 0:
            return [Reply(text=t("assessment.first_question")), self._question_reply(active, 0)]
        self.records.move(active, position=active.position - 1)
        return self._current(active.user_id)

    # ------------------------------------------------------------ typed messages
    def on_text(self, user_id: int, chat_id: int, text: str) -> list[Reply] | None:
        """A message: its replies, or None when it is not the assessment's (no assessment open and no
        label of its last keyboard, a pause, or a question about the standards: the engine answers, then
        restate())."""
        replies = self._on_text(user_id, chat_id, text)
        if replies is None:  # the person moved on: a menu's labels no longer press its buttons
            self._shown(user_id, [])
            return None
        return self._shown(user_id, replies)

    def _on_text(self, user_id: int, chat_id: int, text: str) -> list[Reply] | None:
        state = self.records.state(user_id)
        pressed = self._typed_label(state, text)
        if pressed is not None:
            return self._on_button(user_id, chat_id, pressed)
        active = self.records.active(user_id)
        idle = active is None or state.get("paused") == active.id
        if idle and label_key(text) in {label_key(word) for word in raw("assessment.typed.cancel")}:
            return [self._paused_reply(active)] if active is not None else [Reply(text=t("assessment.nothing_active"))]
        if active is None:
            return None
        if state.get("stopping") == active.id:
            return self._typed_stop(active, text)
        if state.get("paused") == active.id:
            return None
        if active.finished:  # every question answered, the result not written (a crash in between)
            return self._current(user_id)
        if active.awaiting is None:
            return self._typed_answer(active, read_answer(text), text)
        typed = read_sentence(text)
        if typed.action == "sentence":
            return self._take_sentence(active, text)
        return self._typed_answer(active, typed, text)

    def _typed_answer(self, active: Active, typed: Typed, text: str = "") -> list[Reply] | None:
        index = active.awaiting if active.awaiting is not None else active.position
        if typed.action != "unclear":
            self._clear_unclear(active.user_id)
        if typed.action == "score":
            if typed.score is not None and typed.score >= MET_THRESHOLD and len(plain_reply(text)) >= STORY_MIN_CHARS:
                self._keep_story(active, index, text)
            replies = self._answer(active, index, typed.score)
            if active.awaiting is not None and typed.score is not None:  # rated again where an example was asked
                return [Reply(text=t("assessment.answer.rated_again", label=scale_label(typed.score))), *replies]
            return replies
        if typed.action == "skip":
            if active.awaiting is not None:
                self.records.close_prompt(active)
                return self._current(active.user_id)
            return self._answer(active, index, None)
        if typed.action == "back":
            return self._back(active)
        if typed.action == "cancel":
            return self._ask_stop(active.user_id)
        if typed.action == "lookup":
            return None
        return self._clarify(active, typed, text)

    def _clarify(self, active: Active, typed: Typed, text: str) -> list[Reply]:
        """A reply not understood: a short question, worded differently from the one just before."""
        if active.awaiting is not None:
            said = self._unlike_the_last(active, [t(f"assessment.clarify.sentence_{n}") for n in range(2)])
            return [Reply(text=said), *self._current(active.user_id)]
        if len(plain_reply(text)) >= STORY_MIN_CHARS:
            self._keep_story(active, active.position, text)
        question = active.questions[active.position]
        wordings = [t(f"assessment.clarify.ask_{n}", code=question.code, title=question.task_title) for n in range(2)]
        open_levels = sorted(typed.open)
        if len(open_levels) < len(SCALE):  # 「沒辦法自己完成」: which of the levels still open
            options = t("assessment.clarify.or").join(
                t("assessment.clarify.option", label=scale_label(level)) for level in open_levels
            )
            wordings.insert(0, t("assessment.clarify.between", options=options))
        said = self._unlike_the_last(active, wordings)
        return [Reply(text=said, buttons=self._answer_buttons(active.id, active.position))]

    def _unlike_the_last(self, active: Active, wordings: list[str]) -> str:
        """The first wording unlike the clarifying question just asked at this place (kept in the state)."""
        state = self.records.state(active.user_id)
        place = [active.id, active.position, -1 if active.awaiting is None else active.awaiting]
        before = state.get("unclear") or []
        last = before[3] if before[:3] == place and len(before) > 3 else None
        said = next(wording for wording in wordings if wording != last)
        self.records.keep_state(active.user_id, {**state, "unclear": [*place, said]})
        return said

    def _clear_unclear(self, user_id: int) -> None:
        state = self.records.state(user_id)
        if state.get("unclear"):
            self.records.keep_state(user_id, {**state, "unclear": None})

    def _keep_story(self, active: Active, index: int, text: str) -> None:
        state = self.records.state(active.user_id)
        self.records.keep_state(active.user_id, {**state, "story": [active.id, index, text]})

    def _take_story(self, active: Active, index: int) -> str | None:
        """A story told instead of a rating for this question, once (it becomes the example)."""
        state = self.records.state(active.user_id)
        story = state.get("story")
        if not story:
            return None
        self.records.keep_state(active.user_id, {**state, "story": None})
        return story[2] if story[:2] == [active.id, index] else None

    def restate(self, user_id: int) -> list[Reply]:
        """The open question (and any pending prompt) again, after a lookup answered mid-assessment; the
        中止 question when that is open; nothing during a pause."""
        active = self.records.active(user_id)
        if active is None:
            return []
        state = self.records.state(user_id)
        if state.get("paused") == active.id:
            return []
        if state.get("stopping") == active.id:
            return self._shown(user_id, [self._stop_question(active)])
        return self._shown(user_id, self._current(user_id, restate=True))

    # ------------------------------------------------------------ typed labels of the last keyboard
    def _shown(self, user_id: int, replies: list[Reply]) -> list[Reply]:
        """Remember the labels of the last keyboard of the assessment among the replies (typing one presses it)."""
        keyboard = next(
            (
                [[button.label, button.data] for row in reply.buttons for button in row]
                for reply in reversed(replies)
                if any(cb.family(button.data) == "as" for row in reply.buttons for button in row)
            ),
            None,
        )
        state = self.records.state(user_id)
        if (keyboard or None) != state.get("keyboard"):
            self.records.keep_state(user_id, {**state, "keyboard": keyboard})
        return replies

    def _typed_label(self, state: dict, text: str) -> cb.Data | None:
        """The callback data of the last keyboard's button whose label (or alias) the text is."""
        typed = label_key(text)
        if not typed:
            return None
        keyboard = [(label, cb.decode(data)) for label, data in state.get("keyboard") or []]
        keyboard = [(label, data) for label, data in keyboard if data.family == "as"]
        for label, data in keyboard:
            if typed in label_keys(label):
                return data
        starting = [data for label, data in keyboard if any(key.startswith(typed) for key in label_keys(label))]
        if len(typed) >= 2 and len(starting) == 1 and not isinstance(starting[0], DESTRUCTIVE):
            return starting[0]  # 「繼續」 for 「繼續上次的自評」; never a button that drops answers
        for kind, pressed in (("quick", cb.Quick), ("deep", cb.Deep)):
            if typed in (label_key(word) for word in raw(f"assessment.typed.{kind}")):
                return next((data for _label, data in keyboard if isinstance(data, pressed)), None)
        return None

    # ------------------------------------------------------------ 中止: asked first
    def _ask_stop(self, user_id: int) -> list[Reply]:
        active = self.records.active(user_id)
        if active is None:
            return [Reply(text=t("assessment.nothing_active"))]
        state = self.records.state(user_id)
        self.records.keep_state(user_id, {**state, "stopping": active.id, "paused": None, "unclear": None})
        return [self._stop_question(active)]

    def _stop_question(self, active: Active, again: bool = False) -> Reply:
        answered = len(self.records.scores(active))
        doc = self.catalog.get(active.standard)
        text = t(
            "assessment.stop.again" if again else "assessment.stop.ask",
            title=doc.title if doc else active.standard,
            code=active.standard,
            answered=answered,
            total=len(active.questions),
        )
        kinds = {"keep": cb.StopKeep, "discard": cb.StopDiscard, "continue": cb.StopCancelled}
        buttons = [[Button(t(f"assessment.stop.{choice}_button"), kind(active.id).encode())]
                   for choice, kind in kinds.items()]
        return Reply(text=text, buttons=buttons)

    def _typed_stop(self, active: Active, text: str) -> list[Reply] | None:
        """A typed answer to the 中止 question: keep, discard, go on, or an answer to the open question."""
        choice = read_stop(text)
        if choice is not None:
            return self._stop(active.user_id, active.id, choice)
        typed = read_answer(text) if active.awaiting is None else read_sentence(text)
        if typed.action == "lookup":
            return None
        if typed.action in ("score", "skip", "back"):
            self._go_on(active.user_id)
            return self._typed_answer(active, typed, text)
        return [self._stop_question(active, again=True)]

    def _stop(self, user_id: int, assessment_id: int, choice: str) -> list[Reply]:
        active = self.records.active(user_id)
        if active is None or active.id != assessment_id:
            return self._stale(user_id)
        state = self.records.state(user_id)
        doc = self.catalog.get(active.standard)
        title = doc.title if doc else active.standard
        if choice == "discard":
            self.records.end(user_id, "cancelled")
            self._forget_turns(user_id)
            return [Reply(text=t("assessment.cancelled", title=title, code=active.standard))]
        if choice == "keep":
            self.records.keep_state(user_id, {**state, "stopping": None, "paused": active.id})
            return [self._paused_reply(active)]
        self._go_on(user_id)
        return [Reply(text=t("assessment.stop.going_on")), *self._current(user_id, restate=True)]

    def _paused_reply(self, active: Active) -> Reply:
        """The assessment is paused with its answers kept: /resume or the button goes on with it."""
        doc = self.catalog.get(active.standard)
        text = t("assessment.stop.paused", title=doc.title if doc else active.standard, code=active.standard,
                 answered=len(self.records.scores(active)))
        return Reply(text=text, buttons=[[Button(t("assessment.resume_button"), cb.Resume().encode())]])

    def _go_on(self, user_id: int) -> None:
        """The assessment is answered again: no 中止 question open, no pause."""
        state = self.records.state(user_id)
        if state.get("stopping") or state.get("paused"):
            self.records.keep_state(user_id, {**state, "stopping": None, "paused": None})

    def _forget_turns(self, user_id: int) -> None:
        state = self.records.state(user_id)
        self.records.keep_state(user_id, {"keyboard": state.get("keyboard")})

    # ------------------------------------------------------------ examples and follow-ups
    def _readable(self, active: Active, question: Question) -> Question:
        """The question with the items an example is read against (one stored by an earlier version has
        none: they come from the catalog)."""
        if question.indicators:
            return question
        current = question_for(self.catalog.get(active.standard), question.task)
        if current is None:
            return question
        return replace(question, indicators=current.indicators, outputs=question.outputs or current.outputs)

    def _candidates(self, active: Active, question: Question) -> list[Candidate]:
        return self._readable(active, question).candidates

    def _take_sentence(self, active: Active, text: str) -> list[Reply]:
        """An example or a follow-up answer: read it, say what it shows, then follow up or move on."""
        index = active.awaiting
        assert index is not None
        question = self._readable(active, active.questions[index])
        sentence = " ".join(text.split())[:EVIDENCE_MAX_CHARS]
        candidates = question.candidates
        copied = copied_from(sentence, candidates)
        if copied:  # an indicator's own words are no example: asked again, nothing kept
            named = t("assessment.list_separator").join(copied)
            return [Reply(text=t("assessment.evidence.copied", codes=named)), *self._current(active.user_id)]
        read = self.matcher.read(sentence, candidates)
        codes = [m.code for m in read.shown]
        notes = self.records.notes(active)
        answering = any(n.open and n.question_index == index for n in notes)
        of_task = [n for n in notes if n.task == question.task]
        told = [n.note() for n in of_task if n.text] + [Note(index, "example", sentence, tuple(codes))]
        follow_up = None
        if sum(1 for n in of_task if n.kind == "follow_up") < budget(active.scope):
            asked = {n.target for n in of_task if n.kind == "follow_up"} | set(read.near)
            follow_up = next_follow_up(question, told, asked)
        self.records.add_sentence(active, index, sentence, codes, follow_up)
        lines = [reading(codes, dict(candidates), follow_up=answering)]
        teaching = level_three_words(sentence)
        if teaching:
            quoted = t("assessment.list_separator").join(t("assessment.evidence.quoted", word=w) for w in teaching)
            lines.append(t("assessment.evidence.level_three", words=quoted))
        return [Reply(text="\n".join(lines)), *self._current(active.user_id)]

    # ------------------------------------------------------------ resume, cancel
    def has_active(self, user_id: int) -> bool:
        return self.records.active(user_id) is not None

    def assessed_standard(self, user_id: int) -> str | None:
        """The code of the standard being assessed (not during a pause): lookups default to it."""
        active = self.records.active(user_id)
        if active is None or self.records.state(user_id).get("paused") == active.id:
            return None
        return active.standard

    def resume(self, user_id: int, chat_id: int) -> list[Reply]:
        return self._shown(user_id, self._resume(user_id))

    def _resume(self, user_id: int) -> list[Reply]:
        if self.records.active(user_id) is None:
            return [Reply(text=t("assessment.nothing_active"))]
        self._go_on(user_id)
        return self._current(user_id, restate=True)

    def cancel(self, user_id: int) -> list[Reply]:
        """中止 (/cancel): asks first whether to keep the answers for /resume or discard them."""
        return self._shown(user_id, self._ask_stop(user_id))

    # ------------------------------------------------------------ asking
    def _current(self, user_id: int, restate: bool = False) -> list[Reply]:
        """What the person should see now: the pending prompt (after its question when restating),
        the next question, or the result."""
        active = self.records.active(user_id)
        if active is None:
            return []
        if active.awaiting is not None:
            prompt = self._prompt_reply(active)
            return [self._question_reply(active, active.awaiting, buttons=False), prompt] if restate else [prompt]
        if active.position >= len(active.questions):
            return self._finish(active)
        return [self._question_reply(active, active.position)]

    def _prompt_reply(self, active: Active) -> Reply:
        index = active.awaiting
        assert index is not None
        open_note = self.records.open_follow_up(active)
        if open_note is not None:
            text = open_note.prompt
        else:
            question = active.questions[index]
            what = question.task_title if question.kind == "task" else question.text
            text = t("assessment.answer.evidence_prompt", what=what)
        # the items are read now (after a rating, or on /resume), while the person thinks of an example
        self.matcher.prepare(self._candidates(active, active.questions[index]))
        skip = Button(t("assessment.answer.skip"), cb.SkipPrompt(active.id, index).encode(), key=first_word("skip"))
        return Reply(text=text, buttons=[[skip]])

    def _question_reply(self, active: Active, index: int, buttons: bool = True) -> Reply:
        question = active.questions[index]
        scores = self.records.scores(active)
        lines = [progress_line(question, index, len(active.questions)), question_text(question)]
        if question.outputs:
            lines.append(
                t("assessment.question_outputs", outputs=t("assessment.list_separator").join(question.outputs))
            )
        if index in scores:
            lines.append(t("assessment.previous_answer", answer=scale_label(scores[index])))
        keyboard = self._answer_buttons(active.id, index) if buttons else []
        return Reply(text="\n".join(lines), buttons=keyboard)

    @staticmethod
    def _answer_buttons(assessment_id: int, index: int) -> list[list[Button]]:
        def rate(rating: cb.Rating) -> str:
            return cb.Rate(assessment_id, index, rating).encode()

        rows = [[Button(scale_label(score), rate(str(score)), key=str(score))] for score in SCALE]  # type: ignore[arg-type]
        controls = [Button(t("assessment.answer.skip"), rate("s"), key=first_word("skip"))]
        if index > 0:
            controls.append(
                Button(t("assessment.answer.back"), cb.Back(assessment_id, index).encode(), key=first_word("back"))
            )
        controls.append(Button(t("assessment.answer.cancel"), cb.Stop(assessment_id).encode(),
                               key=first_word("cancel")))
        return [*rows, controls]

    # ------------------------------------------------------------ finishing
    def _finish(self, active: Active) -> list[Reply]:
        doc = self.catalog.get(active.standard)
        finished = utcnow()
        notes = self._read_all(active, [n for n in self.records.notes(active) if n.status == "given" and n.text])
        result = build_result(
            doc,
            active.questions,
            self.records.scores(active),
            notes,
            id=active.id,
            standard=active.standard,
            title=doc.title if doc else active.standard,
            kind=doc.kind if doc else "",
            scope=active.scope,
            scope_label=self.scope_label(doc, active.scope, active.questions),
            user_id=active.user_id,
            user_name=active.user_name,
            finished_at=finished.isoformat(),
            date=local_date(finished),
        )
        self.records.finish(active, result, finished)
        return [*self.archive.replies(result), *(notice for hook in self.on_finished for notice in hook(result))]

    def _read_all(self, active: Active, stored: list[StoredNote]) -> list[Note]:
        """The notes, those kept by an earlier version read against their question's items now."""
        notes = []
        for entry in stored:
            note = entry.note()
            if not note.read:
                candidates = self._candidates(active, active.questions[note.question_index])
                codes = tuple(m.code for m in self.matcher.match(note.text, candidates))
                note = replace(note, codes=codes, read=True)
            notes.append(note)
        return notes

    # ------------------------------------------------------------ results kept (bot/assessment/archive.py)
    def results(self, user_id: int | None = None, result_id: int | None = None) -> list[AssessmentResult]:
        return self.archive.results(user_id, result_id)

    def report(self, user_id: int, result_id: int | None = None) -> list[Reply]:
        return self.archive.report(user_id, result_id)

    def history(self, user_id: int) -> list[Reply]:
        return self.archive.history(user_id)

    def forget(self, user_id: int) -> list[Reply]:
        return self.archive.forget(user_id)

    def team_export(self) -> list[Reply]:
        return self.archive.team_export()
