"""Follow-ups in a conversation: what 它, 那 T2.3 呢, 第二個, 再詳細一點, 不是，我是說… refer to.

Every answer leaves a Turn: what it was about (the document, the items, the field, the list it showed,
its language). A new message is read against the recent turns and, when it leans on them, rewritten into
the question it stands for, with the document it is about:

  「那 T2.3 呢」 after T2.2's indicators          -> 「T2.3 的行為指標」
  「哪些任務會用到它」 after K12                    -> 「哪些任務會用到K12」
  「第二個呢」 after a list                        -> the second item of that list
  「那需要哪些知識？」 after a task                 -> 「T3.5 需要哪些知識？」
  「那整份基準呢」 after a task's level             -> 「基準級別」 of that standard
  「再詳細一點」                                  -> the whole record of the item in focus
  「不是，我是說雲端那份」                          -> the previous question, of the standard now named
  「用英文講」                                    -> the previous question, answered in English

The rewritten question goes through the same reading and answering as any other, so a follow-up is
answered exactly as the full question would be. The words people use are data (data/dialogue.toml).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from index import codes
from index.catalog import Catalog, find_item
from index.model import Document, Standard, Unit
from index.text import has_words
from prompts import t
from retrieval.names import GENERIC_TITLE_PARTS, compact
from retrieval.normalize import normalize
from retrieval.terms import terms_asked
from retrieval.understand import (
    ASKS_AN_ITEM,
    ASKS_WHICH,
    COMMON_CUE,
    CURRENT_VERSION_WORD,
    EACH_CUE,
    EN_ORDINALS,
    FIT_WORD,
    Query,
    Reader,
    across,
    describes_work,
    extreme_count,
    field_words,
    find_ordinals,
    number,
)

CUES_FILE = Path(__file__).parent / "data" / "dialogue.toml"
HISTORY = 6  # turns remembered
SHORT_MESSAGE = 14  # characters: a message this short that leans on nothing of its own is a follow-up
PART_FIELDS = ("indicators", "outputs", "knowledge", "skills", "level", "notes", "tasks")
SORTS = ("task", "duty", "indicator", "output", "knowledge", "skill", "attitude", "section", "unit_item", "note",
         "standard")
_NAMED_SORT = {"task": "task", "duty": "duty", "knowledge": "knowledge", "skill": "skill", "attitude": "attitude",
               "section": "section", "note": "note", "term": "note"}
_NUM = r"(\d+|[一二兩三四五六七八九十]+)"
_COUNTER = r"(?:個|項|條|點|份|段|部分|步|位)?"
_UNIT_SECTION_ORDINAL = re.compile(r"第\s*([一二三四五六七八九]|[1-9])\s*(?:個|項)?\s*工作任務")
_UNIT_SHORT = re.compile(rf"(?<![{codes.CN_NUMERALS}任務])([{codes.CN_NUMERALS}]+)\s*-\s*(\d+)")


# ---------------------------------------------------------------- what an answer was about
EACH_AT_MOST = 3  # standards a follow-up asks "each" of
STANDARD_FIELDS = ("entry", "description", "std_level", "versions", "former_titles", "classification")  # a standard's own
MAX_POINTED = 5  # tasks or items 「它們」 can mean at once, of those an answer listed
_POINTABLE = ("task", "knowledge", "skill", "attitude", "output", "indicator", "unit_item")


@dataclass(frozen=True, slots=True)
class Ref:
    sort: str
    code: str


ASIDE_INTENTS = ("term_meaning", "level_scale")


@dataclass(frozen=True)
class Turn:
    """What one answer was about, remembered for the next messages."""

    question: str  # the question as answered (after any rewriting)
    topic: str = ""  # the same without the standards it named: to ask it of another standard
    standard: str | None = None  # the one document the answer is about (None: several or none)
    subjects: tuple[Ref, ...] = ()  # what was asked about, most specific first, then what holds it
    fields: tuple[str, ...] = ()
    listed: tuple[Ref, ...] = ()  # the items the answer showed, in order
    lang: str = "zh"
    named: tuple[str, ...] = ()  # the standards the question named itself
    standards: tuple[str, ...] = ()  # every standard the answer cites
    intent: str = ""  # what kind of answer it was (indicators, reverse, list_tasks …)
    asked: int = 0  # how many of the subjects the question named itself (the rest hold them: a task's duty …)

    @property
    def contentful(self) -> bool:
        # or a comparison, or a field of one standard (「INM3513-005v4 的入門條件」, then 「換成舊版那份呢」)
        return bool(self.subjects or self.listed or self.fields or len(set(self.named)) >= 2
                    or self.topic and self.standard and self.named)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question, "topic": self.topic, "standard": self.standard,
            "subjects": [[r.sort, r.code] for r in self.subjects], "fields": list(self.fields),
            "listed": [[r.sort, r.code] for r in self.listed], "lang": self.lang, "named": list(self.named),
            "standards": list(self.standards), "intent": self.intent, "asked": self.asked,
        }

    @classmethod
    def from_json(cls, data: Any) -> Turn | None:
        """A stored turn; None for anything that is not one (an old or damaged row starts afresh)."""
        if not isinstance(data, dict) or not isinstance(data.get("question"), str):
            return None
        try:
            return cls(
                question=data["question"], topic=str(data.get("topic") or ""),
                standard=data.get("standard") if isinstance(data.get("standard"), str) else None,
                subjects=_refs(data.get("subjects")), fields=tuple(str(f) for f in data.get("fields") or ()),
                listed=_refs(data.get("listed")), lang=str(data.get("lang") or "zh"),
                named=tuple(str(s) for s in data.get("named") or ()),
                standards=tuple(str(s) for s in data.get("standards") or ()), intent=str(data.get("intent") or ""),
                asked=int(data.get("asked") or 0),
            )
        except (TypeError, ValueError):
            return None


def _refs(data: Any) -> tuple[Ref, ...]:
    return tuple(Ref(str(sort), str(code)) for sort, code in (data or ()) if sort in SORTS)


def sort_of(code: str) -> str:
    """What a printed code is: T2 a duty, T2.2 a task, P/O/K/S/A items, 工作任務三(-2), 註7, a standard."""
    if codes.TASK.fullmatch(code):
        return "task"
    if codes.DUTY.fullmatch(code):
        return "duty"
    if code.startswith("工作任務"):
        return "unit_item" if "-" in code else "section"
    if code.startswith("註"):
        return "note"
    return {"P": "indicator", "O": "output", "K": "knowledge", "S": "skill", "A": "attitude"}.get(code[:1], "standard")


def record(q: Query, intent: str, standard: str | None, cited: Sequence[tuple[str, str]], catalog: Catalog,
           lang: str = "zh") -> Turn:
    """The turn an answer leaves: its document, what the question was about, the field, the list shown. An aside on
    how to read the standards (what a term or a level means) leaves nothing to follow up: 「那 T2.4 呢」 after it
    goes on from the question before."""
    if intent in ASIDE_INTENTS:
        return Turn(question=q.raw, lang=lang, intent=intent)
    docs = _unique(s for s, _ in cited)
    doc = catalog.get(standard) if standard else None
    if doc is None and len(docs) == 1:
        doc = catalog.get(docs[0])
    if len(docs) > 1 and intent != "career_fit":
        doc = None  # an answer drawing on several standards is about none of them in particular (advice: the best one)
    subjects = subjects_of(q, doc) if doc else ()
    asked = len([r for r in subjects_of(q, doc, parents=False)]) if doc else 0
    own = {r.code for r in subjects}
    listed = tuple(Ref(sort_of(code), code) for s, code in cited
                   if doc and s == doc.code and code not in own and code != doc.code) if doc else \
        tuple(Ref("standard", s) for s, code in cited if code == s)
    fields = tuple(f for f in q.fields if f in PART_FIELDS or f == "std_level")
    if not fields and intent in PART_FIELDS:
        fields = (intent,)
    if not fields and any(r.sort == "note" for r in subjects) or intent == "unit_item" and any(
            code.startswith("註") for _, code in cited):
        fields = ("notes",)
    return Turn(question=q.raw, topic=q.topic, standard=doc.code if doc else None, subjects=subjects, fields=fields,
                listed=listed, lang=lang, named=tuple(q.standards or q.soft_standards),
                standards=tuple(docs), intent=intent, asked=asked)


def subjects_of(q: Query, doc: Document, parents: bool = True) -> tuple[Ref, ...]:
    """The items a question was about that the document holds, then what holds them (a task's duty …)."""
    refs = [Ref(sort_of(c), c) for c in [*q.tasks, *q.duties, *q.items, *q.unit_ids] if holds(doc, c)]
    refs += [Ref(_NAMED_SORT[n.sort], n.code) for n in q.named
             if n.standard == doc.code and n.sort in _NAMED_SORT and holds(doc, n.code)]
    if not parents:
        return tuple(_unique(refs))
    held_by = [p for r in refs for p in parents_of(doc, r)]
    return tuple(_unique([*refs, *held_by]))


def holds(doc: Document, code: str) -> bool:
    if isinstance(doc, Standard):
        return bool(doc.task(code) or doc.duty(code) or find_item(doc, code))
    if code.startswith("工作任務") and "-" not in code:
        return any(s.id == code for s in doc.sections)
    return find_item(doc, code) is not None


def parents_of(doc: Document, ref: Ref) -> list[Ref]:
    if isinstance(doc, Unit):
        if ref.sort == "unit_item":
            return [Ref("section", ref.code.split("-")[0])]
        return []
    if ref.sort in ("indicator", "output"):
        task = next((t for t in doc.tasks if any(i.code == ref.code for i in t.indicators + t.outputs)), None)
        return [Ref("task", task.code)] if task else []
    if ref.sort == "task":
        task = doc.task(ref.code)
        return [Ref("duty", task.duty)] if task and task.duty else []
    return []


def language(text: str) -> str:
    """"en" for a message written in English: English words, at least one of them a grammar word (what, is, the …),
    and no more Chinese than it has English (a Chinese term inside an English question is still English)."""
    words = re.findall(r"[A-Za-z]{2,}", codes.ANY_ITEM.sub(" ", codes.STANDARD.sub(" ", text)))
    cjk = len(re.findall(r"[\u3400-\u9fff]", text))
    grammar = any(w.lower() in _english_grammar() for w in words)
    return "en" if len(words) >= 2 and grammar and 3 * len(words) >= cjk else "zh"


# ---------------------------------------------------------------- the words
@cache
def _data() -> dict[str, Any]:
    with CUES_FILE.open("rb") as f:
        return tomllib.load(f)


@cache
def _english_grammar() -> frozenset[str]:
    return frozenset(_data()["english_grammar"]["words"])


def cue_words(name: str) -> list[str]:
    return sorted(_data()["cue"][name], key=len, reverse=True)


@cache
def _nouns() -> list[tuple[str, tuple[str, ...]]]:
    return sorted(((w, tuple(s)) for w, s in _data()["noun"].items()), key=lambda p: -len(p[0]))


def field_word(name: str) -> str:
    return _data()["field_word"].get(name, "")


def _find(text: str, name: str) -> re.Match[str] | None:
    """The first cue word of a kind in the text (English ones as whole words)."""
    best: re.Match[str] | None = None
    for word in cue_words(name):
        pattern = rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])" if word.isascii() else re.escape(word)
        m = re.search(pattern, text, re.I)
        if m and (best is None or m.start() < best.start()):
            best = m
    return best


def _starts(text: str, name: str) -> re.Match[str] | None:
    m = _find(text, name)
    return m if m and not text[: m.start()].strip(" ，,、。.!！") else None


def _noun_at(text: str, at: int, reach: int = 4) -> tuple[str, tuple[str, ...]] | None:
    """A noun (任務, 知識 …) starting within `reach` characters of `at`."""
    window = text[at : at + reach + 6]
    best = None
    for word, sorts in _nouns():
        pos = window.lower().find(word)
        if 0 <= pos <= reach and (best is None or pos < best[0] or (pos == best[0] and len(word) > len(best[1]))):
            best = (pos, word, sorts)
    return (best[1], best[2]) if best else None


# ---------------------------------------------------------------- reading a message against the turns
@dataclass(frozen=True)
class Resolved:
    """The question a message stands for, and the document the conversation says it is about."""

    text: str
    standard: str | None = None
    how: str = ""  # "" (a question of its own), pointer, ellipsis, ordinal, zoom, detail, repair, switch, language
    lang: str | None = None  # the answer's language when the message asked for one
    subject: Ref | None = None
    options: tuple[str, ...] = ()  # how="ambiguous": the questions it may stand for, one per choice
    choices: tuple[str, ...] = ()  # what each option points at (a code)

    @property
    def leaned(self) -> bool:
        return bool(self.how)


@dataclass
class Dialogue:
    """Rewrites follow-ups into whole questions (see the module docstring)."""

    reader: Reader
    catalog: Catalog

    def resolve(self, text: str, history: Sequence[Turn]) -> Resolved:
        last = next((t for t in history if t.contentful), None)
        if last is None or not text.strip():
            return Resolved(text)
        norm = normalize(text)
        if terms_asked(norm):
            return Resolved(text)  # 「什麼叫做工作產出」 asks what the word means, not the last task's outputs
        low = norm.lower()
        for how in (self._language, self._repair, self._switch):
            found = how(norm, low, last)
            if found is not None:
                return found
        norm = self._unit_ids(norm, last)
        q, _ = self.reader.slots(norm)
        for how in (self._common, self._each, self._counted, self._most, self._ordinal, self._own_items, self._pointer, self._zoom, self._detail,
                    self._part_field, self._other_standard):
            found = how(norm, q, last, history)
            if found is not None:
                return found
        return Resolved(text)

    # ------------------------------------------------------------ asked again: language, repair, switch
    def _language(self, norm: str, low: str, last: Turn) -> Resolved | None:
        for cue, lang in (("english", "en"), ("chinese", "zh")):
            m = _find(low, cue)
            if m and len(_rest(low, m)) <= 4:
                return Resolved(last.question, last.standard, "language", lang)
        return None

    def _repair(self, norm: str, low: str, last: Turn) -> Resolved | None:
        m = _starts(low, "repair")
        if m is None:
            return None
        rest = _trim(norm[m.end():])
        while (again := _starts(rest.lower(), "repair")) is not None:
            rest = _trim(rest[again.end():])
        rest = rest.removeprefix("是").removeprefix("要").strip()
        q, _ = self.reader.slots(rest)
        docs = self._named_docs(q, loose=not (q.has_items or q.fields))
        subject = _first(q) or _first_subject(last)
        fields = [f for f in q.fields if f in PART_FIELDS] or list(last.fields)
        if docs and not q.has_items and not [f for f in q.fields if f in PART_FIELDS]:
            return Resolved(last.topic or last.question, docs[0].code, "repair")
        if q.historical and not q.has_items and not docs and last.standard:
            return Resolved("舊版 " + (last.topic or last.question), last.standard, "repair")
        if not (q.has_items or q.fields) or subject is None:
            return None
        standard = docs[0].code if docs else last.standard
        return Resolved(_question(subject, fields), standard, "repair")

    def _switch(self, norm: str, low: str, last: Turn) -> Resolved | None:
        """「換成電子商務系統規劃人員」: the last question, of the standard now named (a standard alone: None)."""
        m = _find(low, "switch")
        if m is None:
            return None
        q, _ = self.reader.slots(norm)
        docs = self._named_docs(q)
        if len(docs) != 1 or q.has_items or q.fields or not last.subjects or docs[0].code == last.standard:
            return None
        if not all(holds(docs[0], r.code) for r in last.subjects[:1]):
            return None
        return Resolved(last.topic or last.question, docs[0].code, "switch")

    # ------------------------------------------------------------ leaning on the last answer
    def _ordinal(self, norm: str, q: Query, last: Turn, history: Sequence[Turn]) -> Resolved | None:
        if q.has_codes or not last.listed:
            return None
        found = _ordinal_phrase(norm)
        if found is None:
            return None
        span, index, noun = found
        pool = _listed_of(last.listed, noun)
        if not pool or not (1 <= abs(index) <= len(pool)) or index == 0:
            return None
        ref = pool[index - 1] if index > 0 else pool[index]
        rest = norm[: span[0]] + ref.code + norm[span[1]:]
        if _find(rest.lower(), "detail") or not has_words(_strip_ellipsis(rest.replace(ref.code, ""))):
            rest = ref.code
        return Resolved(_trim_ellipsis(rest), last.standard, "ordinal", subject=ref)

    def _own_items(self, norm: str, q: Query, last: Turn, history: Sequence[Turn]) -> Resolved | None:
        """「那 T2.3 呢」, 「T1.3 跟 T1.4 的呢」: the items of the message, the field of the last answer."""
        if not q.has_items:
            return None
        field_asked = [f for f in q.fields if f in PART_FIELDS and f not in ("tasks", "duties")]
        ellipsis = _ellipsis(norm)
        docs = self._named_docs(q)
        standard = docs[0].code if docs else (None if across(norm) or not ellipsis else self._holder(q, last))
        if field_asked or not ellipsis or not last.fields:
            return Resolved(norm, standard, "") if standard and not docs else None
        text = _trim_ellipsis(norm)
        if last.intent == "reverse" and (q.items or any(n.sort in ("knowledge", "skill", "attitude") for n in q.named)):
            return Resolved(t("dialogue.reverse_question", item=text), standard, "ellipsis")
        asked = [*q.tasks, *q.duties, *(n.code for n in q.named if n.sort in ("task", "duty"))]
        fields = [f for f in last.fields if f != "std_level" and not (asked and f in ("tasks", "duties"))]
        words = "和".join(w for w in (field_word(f) for f in fields) if w)
        return Resolved(f"{text} 的{words}" if words else text, standard, "ellipsis")

    def _holder(self, q: Query, last: Turn) -> str | None:
        """The last answer's document when it holds the message's codes (None lets the chat's standard decide)."""
        doc = self.catalog.get(last.standard) if last.standard else None
        asked = [*q.tasks, *q.duties, *q.items, *q.unit_ids]
        named = [n.code for n in q.named if n.standard == (doc.code if doc else None)]
        if doc is not None and (asked or named) and all(holds(doc, c) for c in asked):
            return doc.code
        return None

    def _pointer(self, norm: str, q: Query, last: Turn, history: Sequence[Turn]) -> Resolved | None:
        """「哪些任務會用到它」, 「上面那個知識…」, 「回到剛剛那個任務，它…」: the pointer replaced by what it points at.
        Asked across the standards (「它在別的基準也有嗎」), by its name: its code means something else elsewhere."""
        if q.standards or q.soft_standards or q.has_items:
            return None
        if across(norm):
            return self._pointer_by_name(norm, history)
        text, back_sorts = _drop_back(norm)
        m = _pointer_match(text)
        if m is None and back_sorts is None:
            return None
        possessive = m is not None and text[m.end() :].lstrip().startswith("的")  # 「它的行為指標」: a field of it
        noun = _noun_at(text, m.end(), reach=1) if m and not possessive else None
        sorts = noun[1] if noun else back_sorts
        if m is not None and not noun and back_sorts is None and last.standard and q.fields and all(
                f in STANDARD_FIELDS for f in q.fields):  # 「它的入門條件呢」 after advice naming a standard: that one
            return Resolved(text, last.standard, "pointer")
        if sorts and "standard" in sorts:
            return None  # 「這份基準」: the standard itself (zoom)
        shown = _listed_many(last) if m is not None and m.group().lower() in cue_words("plural") else []
        if shown:  # 「它們要哪些技能」 after an answer listing two tasks: both of them
            joined = Ref(shown[0].sort, " 跟 ".join(r.code for r in shown))
            return Resolved(_pointed(text, m, noun, joined), last.standard, "pointer", subject=shown[0])
        found = _listed_one(last, sorts) or _pick(history, sorts)  # what the last answer showed, before older subjects
        if found is None:
            return None
        turn, ref = found
        twins = [r for r in turn.subjects[: turn.asked] if r.sort == ref.sort]
        if m is not None and m.group().lower() in cue_words("plural"):
            several = next((t for t in history[:3] if len([r for r in t.subjects[: t.asked] if r.sort == ref.sort]) > 1),
                           None)
            if several is not None:
                joined = Ref(ref.sort, " 跟 ".join(r.code for r in several.subjects[: several.asked] if r.sort == ref.sort))
                return Resolved(_pointed(text, m, noun, joined), several.standard, "pointer", subject=ref)
        if m is not None and not noun and back_sorts is None and len(twins) > 1 and ref in twins:
            options = tuple(_pointed(text, m, None, r) for r in twins)
            return Resolved(text, turn.standard, "ambiguous", options=options, choices=tuple(r.code for r in twins))
        if ref.sort not in ("duty", "section") and any(f in ("tasks", "duties") for f in q.fields) and not noun \
                and back_sorts is None and turn.intent != "reverse" and ref.sort in ("task", "unit_item"):
            return None  # 「它有幾個任務」 after a task: 它 is the standard, which the chat's focus answers
        text = _pointed(text, m, noun, ref)
        if _find(text.lower(), "detail") and not [f for f in q.fields if f in PART_FIELDS] or _CODE_ASKED.search(norm):
            text = ref.code  # 「再詳細一點」, "which skill code is that?": the item itself
        return Resolved(_trim_ellipsis(text), turn.standard, "pointer", subject=ref)

    def _pointer_by_name(self, norm: str, history: Sequence[Turn]) -> Resolved | None:
        m = _pointer_match(norm)
        found = _pick(history, ("knowledge", "skill", "attitude")) if m else None
        doc = self.catalog.get(found[0].standard) if found and found[0].standard else None
        item = find_item(doc, found[1].code) if doc and found else None
        if m is None or item is None or not item.name:
            return None
        noun = _noun_at(norm, m.end(), reach=1)
        named = Ref(found[1].sort, f"「{item.name}」")  # type: ignore[index]
        return Resolved(_pointed(norm, m, noun, named), None, "pointer", subject=found[1])  # type: ignore[index]

    def _zoom(self, norm: str, q: Query, last: Turn, history: Sequence[Turn]) -> Resolved | None:
        """「那整份基準呢」: the same field, of the whole standard."""
        m = _find(norm.lower(), "zoom_out")
        if m is None or q.has_items or not last.standard or q.standards or q.soft_standards:
            return None
        fields = [f for f in q.fields if f not in ("tasks",)] or list(last.fields)
        fields = ["std_level" if f == "level" else f for f in fields]
        words = "和".join(w for w in (field_word(f) for f in fields) if w)
        return Resolved(words or _trim_ellipsis(norm), last.standard, "zoom")

    def _detail(self, norm: str, q: Query, last: Turn, history: Sequence[Turn]) -> Resolved | None:
        """「再詳細一點」: the whole record of what the last answer was about."""
        if _find(norm.lower(), "detail") is None or q.has_items or q.standards or q.soft_standards:
            return None
        subject = _first_subject(last) or (last.listed[0] if len(last.listed) == 1 else None)
        if subject is None:
            return None
        return Resolved(subject.code, last.standard, "detail", subject=subject)

    def _part_field(self, norm: str, q: Query, last: Turn, history: Sequence[Turn]) -> Resolved | None:
        """「那需要哪些知識？」, 「這個任務要幾級」: a field of the item in focus."""
        asked = [f for f in q.fields if f in PART_FIELDS]
        if ASKS_AN_ITEM.search(norm):
            return None  # 「哪個任務要交成本效益分析」 asks which task, not about the one in focus
        if not asked or q.has_items or q.standards or q.soft_standards or q.conditions or across(norm):
            return None
        found = _pick(history, ("task", "duty", "section", "unit_item"), latest_only=True)
        if found is None:
            return None
        turn, ref = found
        if not _applies(asked, ref):
            return None
        return Resolved(f"{ref.code} {_trim_ellipsis(norm)}", turn.standard, "ellipsis", subject=ref)

    def _common(self, norm: str, q: Query, last: Turn, history: Sequence[Turn]) -> Resolved | None:
        """「共同的有哪些」 after two standards were compared: what they share, of the same field."""
        compared = len(set(last.named)) >= 2 and last.intent.startswith("compare")
        if not compared or q.standards or q.soft_standards or q.has_items or not COMMON_CUE.search(norm):
            return None
        return Resolved(f"{last.question} {norm}", None, "common")  # the comparison again, its shared part

    def _counted(self, norm: str, q: Query, last: Turn, history: Sequence[Turn]) -> Resolved | None:
        """「那技能呢」「S 呢」 after 「電商那份有幾個 K」: the other field counted too."""
        if last.intent != "count" or not q.fields or q.counting or q.has_items or q.standards or not _ellipsis(norm):
            return None
        words = "和".join(w for w in (field_word(f) for f in q.fields) if w)
        return Resolved(f"{words} {_data()['rewrite']['count']}", last.standard, "ellipsis")

    def _most(self, norm: str, q: Query, last: Turn, history: Sequence[Turn]) -> Resolved | None:
        """「那技能呢」 after 「哪一份的任務最多」: which standard has the most (or fewest) of that sort."""
        if last.intent != "catalog" or not q.fields or q.has_items or q.standards or not _ellipsis(norm):
            return None
        counted = extreme_count(self.reader.slots(last.question)[0])
        word = next((w for w in (field_word(f) for f in q.fields) if w), "")
        if counted is None or not word:
            return None
        rewrite = _data()["rewrite"]["most" if counted.op == "max" else "fewest"]
        return Resolved(rewrite.format(field=word), None, "ellipsis")

    def _each(self, norm: str, q: Query, last: Turn, history: Sequence[Turn]) -> Resolved | None:
        """「任務數各幾項」 after an answer about two standards (a comparison, two versions): asked of each of them."""
        several = list(dict.fromkeys(last.named or last.standards))
        if len(several) < 2 or q.standards or q.soft_standards or q.has_items or not EACH_CUE.search(norm):
            return None
        fields = [] if q.fields else self.reader.slots(last.question)[0].fields  # 「各有幾項」 of what was compared
        words = [w for w in (field_word(f) for f in fields[:1]) if w]
        return Resolved(" ".join([*several[:EACH_AT_MOST], *words, norm]), None, "each")

    def _other_standard(self, norm: str, q: Query, last: Turn, history: Sequence[Turn]) -> Resolved | None:
        """「那雲端系統開發工程人員呢？」「那雲端的呢」: the last question, of another standard."""
        version = self._other_version(norm, q, last)
        docs = self._named_docs(q, loose=_ellipsis(norm) and not (q.has_items or q.fields)) or version
        if not q.historical:  # 「系統整合」 names a family: its current version, unless an older one is asked for
            docs = list({d.family: d for d in sorted(docs, key=lambda d: d.status != "current", reverse=True)}.values())
        fields = [f for f in q.fields if not (version and f == "versions")]  # "the old version": no version table
        if len(docs) != 1 or q.has_items or fields or not _ellipsis(norm) or not last.topic:
            return None
        if docs[0].code == last.standard:
            return None
        return Resolved(self._without_title(last.topic, last.standard), docs[0].code, "switch")

    def _other_version(self, norm: str, q: Query, last: Turn) -> list[Document]:
        """「那舊版呢」「換成新版呢」 "what about the old version": the last standard's other version, nothing else named."""
        doc = self.catalog.get(last.standard) if last.standard else None
        if doc is None or not _ellipsis(norm) or q.has_items or any(f != "versions" for f in q.fields):
            return []
        wanted = "historical" if q.historical else "current" if CURRENT_VERSION_WORD.search(norm) else ""
        return [d for d in self.catalog.family(doc) if d.status == wanted and d.code != doc.code][:1] if wanted else []

    def _without_title(self, topic: str, code: str | None) -> str:
        """The last question without the words that named its standard (「做系統整合需要什麼樣的個性」 asked of the cloud
        standard next must not name the integration one again)."""
        doc = self.catalog.get(code) if code else None
        if doc is None:
            return topic
        parts = [p for p in _common_parts(compact(topic), compact(doc.title)) if p not in GENERIC_TITLE_PARTS]
        longest = max(parts, key=len, default="")
        return topic.replace(longest, " ", 1) if len(longest) >= 2 and longest in topic else topic

    # ------------------------------------------------------------ helpers
    def _named_docs(self, q: Query, loose: bool = False) -> list[Document]:
        """The standards a message names; loose: also by a part of one title only (「雲端那份」), for corrections."""
        docs = [d for d in (self.catalog.get(c) for c in q.standards or q.soft_standards) if d]
        if docs or not loose:
            return docs
        found = self._by_title_part(q.text)
        return [found] if found else []

    def _by_title_part(self, text: str) -> Document | None:
        """The one current document whose title holds the longest part (two characters or more, not a word every
        title shares) of the text that no other current title holds."""
        key = compact(text)
        docs = self.catalog.current()
        best: tuple[int, Document | None] = (1, None)
        for doc in docs:
            for part in _common_parts(key, compact(doc.title)):
                if len(part) <= best[0] or part in GENERIC_TITLE_PARTS:
                    continue
                if sum(part in compact(other.title) for other in docs) == 1:
                    best = (len(part), doc)
        return best[1]

    def _unit_ids(self, norm: str, last: Turn) -> str:
        """「四-2」 in a conversation about a 職能單元 is its 工作任務四-2."""
        doc = self.catalog.get(last.standard) if last.standard else None
        if not isinstance(doc, Unit):
            return norm
        norm = _UNIT_SECTION_ORDINAL.sub(lambda m: "工作任務" + (codes.CN_NUMERALS[int(m.group(1)) - 1]
                                                              if m.group(1).isdigit() else m.group(1)), norm)
        # 「第五個工作任務」 is 工作任務五
        return _UNIT_SHORT.sub(lambda m: f"工作任務{m.group(1)}-{m.group(2)}", norm)


def _common_parts(a: str, b: str) -> list[str]:
    """The substrings of `a` (two characters or more) that `b` holds, longest first from each start."""
    out = []
    for i in range(len(a) - 1):
        for j in range(len(a), i + 1, -1):
            if a[i:j] in b:
                out.append(a[i:j])
                break
    return out


def _pointed(text: str, m: re.Match[str] | None, noun: tuple[str, tuple[str, ...]] | None, ref: Ref) -> str:
    """The text with the pointer (and the noun after it) replaced by the code it points at."""
    if m is None:
        return f"{ref.code} {text}"
    end = m.end() + (text[m.end():].find(noun[0]) + len(noun[0]) if noun else 0)
    return _trim_ellipsis(text[: m.start()] + ref.code + text[end:])


def _applies(fields: list[str], ref: Ref) -> bool:
    if ref.sort == "task":
        return any(f not in ("tasks", "duties") for f in fields)
    if ref.sort == "duty":
        return any(f in ("tasks", "indicators", "outputs", "knowledge", "skills") for f in fields)
    return any(f in ("level", "notes", "tasks", "knowledge", "skills") for f in fields)


def _question(subject: Ref, fields: Iterable[str]) -> str:
    words = "和".join(w for w in (field_word(f) for f in fields) if w)
    return f"{subject.code} 的{words}" if words else subject.code


def _first(q: Query) -> Ref | None:
    code = next(iter([*q.tasks, *q.items, *q.duties, *q.unit_ids]), None)
    if code:
        return Ref(sort_of(code), code)
    named = next((n for n in q.named if n.sort in _NAMED_SORT), None)
    return Ref(_NAMED_SORT[named.sort], named.code) if named else None


def _first_subject(turn: Turn) -> Ref | None:
    return turn.subjects[0] if turn.subjects else None


def _shown(last: Turn, sorts: Iterable[str] | None = None) -> list[Ref]:
    """The tasks and items an answer about none in particular showed (「4 級的任務」: T1.1, T1.2; a claim: S18)."""
    if last.subjects or not last.standard:
        return []
    return [r for r in last.listed if r.sort in _POINTABLE and (not sorts or r.sort in sorts)]


def _listed_one(last: Turn, sorts: Iterable[str] | None) -> tuple[Turn, Ref] | None:
    """「Which skill code is that?」 after an answer that showed one item."""
    shown = _shown(last, sorts)
    tasks = [r for r in shown if r.sort == "task"]
    if len(shown) > 1 and len(tasks) == 1 and not sorts:
        return last, tasks[0]  # 「它的行為指標」 after 「O9.1.1 是 T9.1 的產出」: the one task shown, with its output
    return (last, shown[0]) if len(shown) == 1 else None


def _listed_many(last: Turn) -> list[Ref]:
    """「它們」 after an answer that showed a few items of one sort."""
    shown = _shown(last)
    same = _listed_of(shown, None) if shown else []
    return same if 1 < len(same) <= MAX_POINTED else []


def _pick(history: Sequence[Turn], sorts: Iterable[str] | None, latest_only: bool = False) -> tuple[Turn, Ref] | None:
    """The most recent subject of one of these sorts (any sort: the last answer's first subject)."""
    wanted = tuple(sorts) if sorts else None
    for turn in history:
        if not turn.subjects:
            if turn.contentful and latest_only:
                return None
            continue
        for ref in turn.subjects:
            if wanted is None or ref.sort in wanted:
                return turn, ref
        if latest_only:
            return None
    return None


def _listed_of(listed: Sequence[Ref], noun: tuple[str, ...] | None) -> list[Ref]:
    if noun is None:
        first = listed[0].sort
        return [r for r in listed if r.sort == first]
    for sort in noun:
        pool = [r for r in listed if r.sort == sort]
        if pool:
            return pool
    return []


def _ordinal_phrase(text: str) -> tuple[tuple[int, int], int, tuple[str, ...] | None] | None:
    """「第三個任務」, 「倒數第二個」, 「最後一個」, 「the second one」: (span, 1-based index or -n, noun sorts)."""
    patterns = [
        (rf"(倒數)?第\s*{_NUM}\s*{_COUNTER}", lambda m: -number(m.group(2)) if m.group(1) else number(m.group(2))),
        # 「最後一個」「最後那項」, not 「最後再做…」 (then, finally)
        (rf"最(?:後|末)\s*(?:那|這)?\s*(?:一\s*{_COUNTER}|(?:個|項|條|點|份|段|部分|步|位))", lambda m: -1),
        (r"\b(?:the\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)\b(?:\s+one)?",
         lambda m: EN_ORDINALS[m.group(1).lower()]),
    ]
    for pattern, index_of in patterns:
        m = re.search(pattern, text, re.I)
        if m is None:
            continue
        index = index_of(m)
        noun = _noun_at(text, m.end(), reach=2)
        end = m.end()
        if noun:
            end = m.end() + text[m.end():].lower().find(noun[0]) + len(noun[0])
        return (m.start(), end), index, noun[1] if noun else None
    return None


def _pointer_match(text: str) -> re.Match[str] | None:
    for word in cue_words("pointer"):
        pattern = rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])" if word.isascii() else re.escape(word)
        for m in re.finditer(pattern, text, re.I):
            before = text[max(0, m.start() - 1) : m.start()]
            if word in ("該", "此", "他") and before in ("應", "因", "如", "彼", "其", "吉"):
                continue
            return m
    return None


def _drop_back(text: str) -> tuple[str, tuple[str, ...] | None]:
    """「回到剛剛那個任務，它…」 -> (「它…」, the sorts the back-reference names); no back-reference: (text, None)."""
    m = _find(text.lower(), "back")
    if m is None:
        return text, None
    noun = _noun_at(text, m.end(), reach=3)
    end = m.end() + (text[m.end():].find(noun[0]) + len(noun[0]) if noun else 0)
    rest = text[end:].lstrip(" ，,、。:：")
    if not has_words(rest):
        return text, None
    return rest, (noun[1] if noun else ())


def _ellipsis(text: str) -> bool:
    stripped = text.strip().rstrip("?？!！。. ")
    if any(stripped.endswith(w) for w in cue_words("ellipsis_end")):
        return True
    return _starts(text.lower(), "ellipsis_start") is not None or len(stripped) <= 6


def _strip_ellipsis(text: str) -> str:
    return _trim_ellipsis(text).strip()


def _trim_ellipsis(text: str) -> str:
    """The message without the particles that make it a follow-up (那 … 呢)."""
    text = text.strip().rstrip("?？!！。. ")
    for word in cue_words("ellipsis_end"):
        if text.endswith(word):
            text = text[: -len(word)]
            break
    m = _starts(text.lower(), "ellipsis_start")
    if m is not None and not text[m.end():m.end() + 1].isalpha() or m is not None and not m.group().isascii():
        text = text[m.end():]
    return text.strip(" ，,、")


def _trim(text: str) -> str:
    return text.strip(" ，,、。.!！")


def _rest(text: str, m: re.Match[str]) -> str:
    return re.sub(r"[\s，,。.!！?？吧啦呀啊喔]+", "", text[: m.start()] + text[m.end():])


def _unique(values: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def asks_what_fits_work(text: str) -> bool:
    """A telling of one's work that asks which standard fits it: one question, however many clauses and titles."""
    norm = normalize(text)
    return describes_work(norm) and bool(FIT_WORD.search(norm) or ASKS_WHICH.search(norm))


def clauses(text: str) -> list[str]:
    """A message of two questions where the second leans on the first (「它是哪個任務的？同一個任務還有哪些行為
    指標」「T2 下面有幾個任務 哪幾個是 3 級」「總共有幾個任務 其中 T3 是在做什麼」) as two clauses, answered in turn; any
    other message whole. A clause that asks nothing (「…right? putting it in our guide」) stays with the one before."""
    if asks_what_fits_work(text):
        return [text]  # a telling of one's work that ends asking which standard fits: one question, however long
    parts = [p for p in _CLAUSE_SPLIT.split(text.strip()) if p and p.strip()]
    if len(parts) < 2:
        return _by_fields(text)
    out = [parts[0]]
    for part in parts[1:]:
        norm = normalize(part)
        then_which = bool(_WHICH_OF_THEM.match(norm) or _ALSO.match(norm)) and bool(
            field_words(out[-1]) or _ENDS_ASKING.search(out[-1].rstrip()))  # 「…整理成規格，哪一條在講這個」: one question
        leans = _pointer_match(norm) is not None or bool(find_ordinals(norm)) or then_which or (
            bool(codes.codes_in(part)) and (not out[-1].rstrip().endswith(("？", "?"))  # 「態度有哪些，哪些任務會用到 S18」
                                            or _counts_without_codes(out[-1]))  # 「有幾個態度？A08 是什麼」
        ) or _counts_without_codes(part) and bool(codes.codes_in(out[-1]))  # 「A07 是什麼，總共有幾個態度」
        if leans and has_words(part) and ASKS.search(norm) and ASKS.search(normalize(out[-1])):
            out.append(_within(_CONNECTOR.sub("", part), out[-1]))  # 「…有幾個職責？第二個…」: of the first's answer
        else:
            out[-1] += part
    return out if len(out) > 1 else _by_fields(text)


def _counts_without_codes(clause: str) -> bool:
    """A count asked or claimed of a whole field (「有幾個態度？」「有 9 個態度對吧？」"How many attitudes…?"): a code
    asked after it is a question of its own."""
    return not codes.codes_in(clause) and bool(_COUNT_ASKED.search(clause) or _HOW_MANY.search(clause)) \
        and bool(field_words(normalize(clause)))


_HOW_MANY = re.compile(r"\bhow many\b|\d+\s*(?:個|項|種)", re.I)


def _by_fields(text: str) -> list[str]:
    """「…這個單元 評量方法有哪幾種 K知識總共幾項 單元級別又是多少」「T5.1 output 是什麼 knowledge 有哪幾個 level 是4嗎」:
    a field asked, then another, each ending in its question, typed with spaces between: one clause each, the later ones
    asked of the first one's codes. Anything else whole."""
    if re.search(r"[？?]", text.strip()[:-1]):
        return [text]  # 「T2.2 的行為指標？還有產出？」: questions marked as such are read together, as typed
    asked: list[str] = []
    current = ""
    tokens = _TOKENS.split(text.strip())
    for token, following in zip(tokens, [*tokens[1:], ""], strict=True):
        current = f"{current} {token}".strip() if token else current
        plain = normalize(token) if token else ""  # 「工做活動」 read as 工作活動
        counted = _COUNTS_A_NOUN.search(plain) and re.match(r"[A-Za-z]{2,}", following or "") \
            and not field_words(following)  # 「寫過幾個 side project」: a few, not 「有哪幾個 level」
        if plain and not counted and (_ENDS_ASKING.search(plain) or _COUNT_ASKED.search(plain) and field_words(plain)) \
                and field_words(normalize(current)):
            asked.append(current)
            current = ""
    if len(asked) < 2:
        return [text]
    if current:
        asked[-1] = f"{asked[-1]} {current}"
    first = codes.codes_in(asked[0])
    return [asked[0], *(part if codes.codes_in(part) or not first else f"{' '.join(first)} {part}" for part in asked[1:])]


_COUNT_ASKED = re.compile(r"幾|几|多少")
_COUNTS_A_NOUN = re.compile(r"(?<![哪邊有共])[幾几](?:個|项|項|種)$")  # 「幾個」 before the noun it counts: a few, no question  # 「一共幾個工作任務」 asks, though it ends with the field
_TOKENS = re.compile(r"(?<=[，,、；;。？?！!])\s*|\s+")
_ENDS_ASKING = re.compile(r"(?:嗎|吗|呢|幾項|幾個|幾種|几项|几个|多少|什麼|甚麼|什么|哪些|哪幾個|哪幾種|哪几个|是啥|係咩|邊啲|[?？])"
                          r"[?？]?$")


def _within(part: str, before: str) -> str:
    """「T2 下面有幾個任務 哪幾個是 3 級」: "which of them" is asked within the duty or task the first clause named."""
    scope = [c for c in codes.codes_in(before) if c.startswith("T")]
    if not _WHICH_OF_THEM.match(normalize(part)) or codes.codes_in(part) or not scope:
        return part
    return f"{' '.join(dict.fromkeys(scope))} {part}"


# where a second question may begin: after a question mark; after a comma or a space between Chinese words, where the
# next part opens with 其中/另外/還有/然後 or a "which" (「哪幾個」「邊啲」) or a code
_CLAUSE_SPLIT = re.compile(r"(?<=[？?])\s*|(?:[，,]|(?<=[\u4e00-\u9fff])\s+)(?=(?:其中|另外|還有|然後|那)?\s*(?:哪|邊)(?:些|個|一|幾|啲)|"
                           rf"(?:其中|另外|還有)\s*\S)|(?<=[幾几]項|[幾几]個|[幾几]種|多少)[，,]\s*(?={codes.ITEM_CODE})|"
                           r"[，,]\s*(?=(?:and\s+)?how many\b|(?:那|還有|另外)?(?:總共|一共|全部)(?:有)?[幾几])|"
                           rf"(?<=[\u4e00-\u9fff])[，,]\s*(?={codes.ITEM_CODE}\s*(?:又|到底)?\s*(?:是什麼|是甚麼|是啥|呢))")
# 「…哪天更新的 還有 2018/12/20 那次是哪一版」: a second question of its own (「…行為指標？還有產出？」 only adds a field)
_ALSO = re.compile(r"^\s*(?:另外|還有)\s*[^？?]{6,}")
_CONNECTOR = re.compile(r"^\s*(?:另外|還有)\s*")  # 「另外電商規劃人員的 T2.3 呢」: the clause without its "also"
_WHICH_OF_THEM = re.compile(r"^\s*(?:其中|另外|還有|然後|那)?\s*(?:哪|邊)(?:些|個|一|幾)|^\s*其中")
ASKS = re.compile(r"幾|多少|什麼|甚麼|哪|嗎|呢|如何|怎麼|怎樣|為何|[?？]|\b(?:what|which|how|who|when|where|why|is|are|does|do)\b",
                   re.I)


_CODE_ASKED = re.compile(r"\b(?:which|what)\s+(?:\w+\s+)?code\b|代碼是|哪個代碼|什麼代碼|代號是|編號是", re.I)


__all__ = ["ASKS", "Dialogue", "Ref", "Resolved", "Turn", "across", "clauses", "language", "record"]
