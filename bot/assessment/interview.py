"""The follow-up question after an example, in the manner of a behavioural event interview.

After an example (or a follow-up answer) the next follow-up asks, in this order:
1. when the examples show something of the task: about its most important indicator they did not show
   (the indicator or item the question is about, else the task's indicators in printed order, the
   order of the work, the first being the one the quick question quotes);
2. about a part of the story none of the task's sentences tells: the situation (when, which project,
   whose), what the person did themself (「我」, not only 「我們」), the result;
3. when the examples show nothing and the story is whole: about the most important indicator.
Nothing is asked twice for one task, and at most FOLLOW_UPS[scope kind] follow-ups are asked per task.
Story cues are word lists in prompts/assessment.toml [story].
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.assessment.plain import level_words
from bot.assessment.questions import Question
from bot.assessment.result import Note
from prompts import raw, t

FOLLOW_UPS = {"quick": 1, "duty": 2, "section": 1}  # per task, by scope kind (快速評估 1, 深入評估 2)
STORY_PARTS = ("situation", "action", "result")
STORY_TARGET = "story:"
TEXT_WIDTH = 40  # characters of an indicator quoted in a reply or a follow-up


@dataclass(frozen=True, slots=True)
class FollowUp:
    target: str  # an indicator code, or "story:<part>"
    prompt: str


def clip(text: str, width: int = TEXT_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def budget(scope: str) -> int:
    return FOLLOW_UPS.get(scope.partition(":")[0], 1)


def _tells(part: str, text: str) -> bool:
    if part == "action":  # what the person did: 「我」 on its own, not only as part of 「我們」
        return "我" in text.replace("我們", "")
    return any(cue in text for cue in raw(f"assessment.story.{part}"))


def missing_story(texts: Iterable[str]) -> list[str]:
    """The parts of the story (situation, action, result) none of the texts tells."""
    joined = "\n".join(texts)
    return [part for part in STORY_PARTS if not _tells(part, joined)]


def next_follow_up(question: Question, notes: Sequence[Note], asked: set[str]) -> FollowUp | None:
    """What to ask next about the task of `question`, given its notes so far (None: nothing worth asking)."""
    shown = {code for note in notes for code in note.codes}
    texts = dict(question.candidates)
    unshown = [code for code in question.focus if code not in shown and code not in asked and code in texts]
    story = [part for part in missing_story(n.text for n in notes) if STORY_TARGET + part not in asked]
    if shown and unshown:
        return _about_indicator(unshown[0], texts[unshown[0]])
    if story:
        return FollowUp(STORY_TARGET + story[0], t(f"assessment.follow_up.{story[0]}"))
    if unshown:
        return _about_indicator(unshown[0], texts[unshown[0]])
    return None


def _about_indicator(code: str, text: str) -> FollowUp:
    return FollowUp(code, t("assessment.follow_up.indicator", code=code, text=clip(text)))


def reading(codes: Sequence[str], texts: dict[str, str], follow_up: bool) -> str:
    """「你的例子對應 P1.1.1 蒐集雲端產品資訊」, or that it shows none of the task's indicators."""
    if not codes:
        return t("assessment.evidence.follow_up_none" if follow_up else "assessment.evidence.none")
    named = t("assessment.list_separator").join(
        t("assessment.evidence.code", code=code, text=clip(texts.get(code, ""))) for code in codes
    )
    return t("assessment.evidence.follow_up_shows" if follow_up else "assessment.evidence.shows", codes=named)


def level_three_words(text: str) -> list[str]:
    """What in an example shows teaching, leading or improving (「帶兩個新人」「寫成 SOP」), each once."""
    gap = int(raw("assessment.plain.led_gap"))
    led = [
        found.group(0)
        for first, second in raw("assessment.plain.led")
        for found in re.finditer(f"{re.escape(first)}[^，,。；;]{{0,{gap}}}?{re.escape(second)}", text)
    ]
    words = [word for word in level_words(text, "3") if not any(word in span.lower() for span in led)]
    return list(dict.fromkeys([*led, *words]))
