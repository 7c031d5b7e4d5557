"""What a typed message means while a question or a prompt of the assessment is open.

While a rating question is open: a digit 0–3, a scale label, a skip, back or cancel word
(prompts/assessment.toml [typed]) or a plain reply (「有」「還不太會，要人帶」, bot/assessment/plain.py) are
answers; a message that holds a code (T2.2, P1.1.1, K01, ISD3512-001v3) or ends in a question about the
standards is a lookup; anything else is unclear, with the levels it leaves open (a clarifying question).
While an example or a follow-up is awaited: the same words, a bare digit or a whole scale label
(a new rating), 「沒有」 (no example: a skip), a question about the standards (a lookup), and anything
else with words is the person's sentence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from bot.assessment.plain import LEVELS, folded, occurrences, read_level
from index import codes
from index.text import has_words, plain_reply
from prompts import raw

Action = Literal["score", "skip", "back", "cancel", "lookup", "sentence", "unclear"]
SHORT = 8  # a command word inside a message this short still counts (「跳過這題」, 「回上一題」)

_ITEM_CODE = codes.ITEM_IN_TEXT
_STANDARD_CODE = codes.STANDARD_IN_TEXT


SHORT_REPLY = 12  # characters: a reply this short that means level 0 or 1 rates again rather than tells a story


@dataclass(frozen=True, slots=True)
class Typed:
    action: Action
    score: int | None = None
    open: frozenset[int] = LEVELS  # for "unclear": the levels the reply leaves open


def _words(kind: str) -> list[str]:
    return [word.lower() for word in raw(f"assessment.typed.{kind}")]


def _command(text: str, loose: bool) -> Action | None:
    lowered = text.lower()
    for action in ("skip", "back", "cancel"):
        words = _words(action)
        if lowered in words or (loose and len(lowered) <= SHORT and any(word in lowered for word in words)):
            return action  # type: ignore[return-value]
    return None


def _scale_labels() -> dict[int, str]:
    return {int(score): label for score, label in raw("assessment.scale").items()}


def _exact_score(text: str) -> int | None:
    """A bare digit 0–3, a whole scale label, or a button label such as 「2 能獨立完成」."""
    if re.fullmatch(r"[0-3]", text):
        return int(text)
    for score, label in _scale_labels().items():
        if text in (label, f"{score} {label}", f"{score}{label}"):
            return score
    return None


def _partial_score(text: str) -> int | None:
    """A scale label inside the text, or a part of exactly one label (at least two characters)."""
    labels = _scale_labels()
    holding = [score for score, label in labels.items() if label in text]
    if len(holding) == 1:
        return holding[0]
    parts = [score for score, label in labels.items() if len(text) >= 2 and text in label]
    return parts[0] if len(parts) == 1 else None


def holds_code(text: str) -> bool:
    return bool(_ITEM_CODE.search(text) or _STANDARD_CODE.search(text))


def asks_about_standards(text: str) -> bool:
    """Ends as a question and names something of a standard (指標, 產出, 知識, 技能 …)."""
    stripped = unicodedata.normalize("NFKC", text).strip()
    asks = any(stripped.endswith(ending) for ending in raw("assessment.typed.question_endings"))
    return asks and (holds_code(stripped) or any(word in stripped for word in raw("assessment.typed.standards_words")))


def asks(text: str) -> bool:
    stripped = unicodedata.normalize("NFKC", text).strip()
    return any(stripped.endswith(ending) for ending in raw("assessment.typed.question_endings"))


def read_answer(text: str) -> Typed:
    """A message while a rating question is open."""
    clean = plain_reply(text)
    if not has_words(clean):
        return Typed("unclear")
    score = _exact_score(clean)
    if score is not None:
        return Typed("score", score)
    command = _command(clean, loose=True)
    if command:
        return Typed(command)
    if holds_code(clean) or asks_about_standards(clean):
        return Typed("lookup")
    if asks(text):  # 「可以教我嗎？」 is no answer, whatever its words
        return Typed("unclear")
    reading = read_level(clean)
    if reading.level is not None:
        return Typed("score", reading.level)
    score = None if reading.heard else _partial_score(clean)
    if score is not None:
        return Typed("score", score)
    return Typed("unclear", open=reading.possible)


def read_sentence(text: str) -> Typed:
    """A message while an example or a follow-up answer is awaited."""
    clean = plain_reply(text)
    if not has_words(clean):
        return Typed("unclear")
    command = _command(clean, loose=False)
    if command:
        return Typed(command)
    if folded(clean) in (word.lower() for word in raw("assessment.typed.no_example")):
        return Typed("skip")
    score = _exact_score(clean)
    if score is not None:
        return Typed("score", score)
    if asks_about_standards(clean):
        return Typed("lookup")
    heard = read_level(clean)
    if heard.level is not None and heard.level < 2 and len(clean) <= SHORT_REPLY:
        return Typed("score", heard.level)  # 「要人帶才會」 where an example of independent work was asked: a lower rating
    return Typed("sentence")


def read_stop(text: str) -> str | None:
    """A typed answer to the 中止 question: "keep", "discard" or "continue" (the longest word found decides;
    「不要，繼續」 goes on, 「不要放棄」 too); None when it holds none of their words."""
    clean = folded(plain_reply(text))
    found = [
        (len(word), choice)
        for choice, words in raw("assessment.typed.stop").items()
        for word in words
        if occurrences(clean, word.lower())
    ]
    return max(found)[1] if found else None


_LABEL_MARKS = re.compile(r"^[^\w]+|[（(][^）)]*[）)]$")


def label_key(text: str) -> str:
    """A label or a typed text compared as typed: no marks, brackets at the end, spaces or case."""
    clean = unicodedata.normalize("NFKC", text).strip().lower()
    clean = _LABEL_MARKS.sub("", _LABEL_MARKS.sub("", clean).strip()).strip()
    return re.sub(r"[\s,，。.!！、:：]+", "", clean)


def label_keys(label: str) -> set[str]:
    """What typing a button's label may look like: the label, without its leading code or digit, the code
    alone, the bracketed code alone (「雲端系統開發工程人員（ISD3512-001v3）」 -> also the code)."""
    clean = re.sub(r"^[^\w]+", "", unicodedata.normalize("NFKC", label).strip())
    keys = {label_key(clean)}
    head, _, rest = clean.partition(" ")
    if rest and (head.isdigit() or holds_code(head)):
        keys |= {label_key(head), label_key(rest)}
    bracketed = re.search(r"[（(]([^）)]*)[）)]\s*$", clean)
    if bracketed and holds_code(bracketed.group(1)):
        keys.add(label_key(bracketed.group(1)))
    return {key for key in keys if key}
