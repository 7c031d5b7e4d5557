"""From an understood question to an answer draft: one handler per kind of question.

Every handler returns a Draft (retrieval/answer.py); the assistant turns it into the one Answer type.
A handler whose slots fall short hands over to the one that fits (a lookup with no item becomes a
search), and a question that needs a standard nobody named asks for one (choices).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable
from functools import cached_property

from index.catalog import Catalog, find_item, tasks_using
from index.codes import TASK as TASK_CODE
from index.codes import standard_codes
from index.model import Document, Item, Standard, Task, Unit
from prompts import t
from retrieval import answer as A
from retrieval import compare as C
from retrieval import select as S
from retrieval.advice import Advisor, mentions_background
from retrieval.claims import Claims, claim_of, premise_part, read_claim, refutes
from retrieval.kinds import KINDS, OUTSIDE, check_handlers
from retrieval.names import Named, compact
from retrieval.normalize import gloss, typed_code
from retrieval.plan import aggregate_of
from retrieval.terms import explain as explain_terms
from retrieval.terms import terms_asked
from retrieval.types import Choice
from retrieval.understand import (
    ASKS_WHICH,
    CLAUSE_BREAK,
    COMMON_CUE,
    CURRENT_VERSION_WORD,
    DIFF_CUE,
    EACH_CUE,
    FIT_WORD,
    GAP_CUE,
    TOPIC_PART,
    WHICH_ONE_ITEM,
    Condition,
    Query,
    describes_work,
    extreme_count,
    find_conditions,
    trait_of,
    traits_of,
)

# 「這段出自哪份」"where is this from": a quoted passage's source asked
ASKS_SOURCE = re.compile(r"出自|出處|哪裡來|來自哪|寫在哪|哪份|哪一份|哪個標準|哪個基準|哪一個|\bwhere\b|\bwhich\b|\bsource\b", re.I)
# 「哪個任務要交…」"which task produces …": an output asked of the tasks
OUTPUT_ASKED = re.compile(r"產出|要交|交出|產生|做出|寫出|要寫|撰寫|\bproduces?\b|\boutputs?\b|\bdelivers?\b|\bresults? in\b", re.I)
WHICH_TASK = re.compile(r"哪(?:一|幾)?(?:個|項|些)?(?:工作)?(?:任務|活動)|which tasks?|what tasks?", re.I)
MAX_RANKED_DOCS = 10  # standards listed under 「哪一份的任務最多」
MIN_OUTPUT_CHARS = 4  # 「報告」 alone names no output
TASK_FIELDS = ("indicators", "outputs", "knowledge", "skills", "level", "duties")
LIST_FIELDS = ("tasks", "duties", "indicators", "outputs", "knowledge", "skills", "attitudes", "assessment", "notes")
META_FIELDS = ("former_titles", "versions", "classification", "entry", "description", "std_level", "level", "notes",
               "attitudes", "knowledge", "skills", "assessment", "duties", "tasks")
COMPARE_FIELDS = ("entry", "description", "attitudes", "skills", "knowledge", "tasks", "duties", "std_level", "level",
                  "classification")
# what a level means, asked of the scale (「職能級別是什麼意思」「級別 3 代表什麼程度」), not of a standard or task
LEVEL_MEANING = re.compile(r"(?:級別|等級|level)[^，,。？?]{0,8}?(?:是什麼意思|什麼意思|的意思|是什麼(?=\s*[？?]?\s*$)|指的是什麼|是指什麼|代表什麼|代表甚麼|代表|怎麼分|"
                           r"怎麼算|是什麼程度|什麼程度|差在哪|的差別|越高|越低|各代表|算很高|算高|算低|總共(?:有)?幾級|(?:一共|共)?有幾級|分幾級|"
                           r"分成幾級|哪個才算數|哪個算數)|幾級算|最高(?:是)?幾級|基準級別(?:跟|和|與)(?:任務的)?職能級別|"
                           r"how many (?:competency )?levels|"
                           r"(?:competency\s+)?level\s*\d?\s+(?:mean|means|stand for)|"
                           r"what (?:do|does) (?:the )?(?:competency )?levels?(?: \d)? mean", re.I)
# the scale's own words: not 等級 alone, which the work uses too (服務等級, 優先等級)
SCALE_WORD = re.compile(r"職能級別|基準級別|competency levels?", re.I)
COUNT_ASKED = re.compile(r"幾(?:項|個|條|種|樣)|多少(?:項|個|條|種)?|how many", re.I)
TASKS_LISTED = re.compile(r"哪些|哪個|哪幾|哪一|有哪|列出|清單|\b(?:which|list)\b", re.I)  # tasks asked for by a level
CLAIM_KINDS = ("search", "lookup", "reverse", "filter", "list", "meta")
# which standard or task something is (a telling's question)
ASKS_WHERE = re.compile(rf"{FIT_WORD.pattern}|{ASKS_WHICH.pattern}|{WHICH_ONE_ITEM.pattern}", re.I)
# a person telling what they are like (「我是那種…的人」「我個性…」"I'm the kind of person who")
TOLD_SELF = re.compile(r"我是那種|我是個|我是一個|我這個人|我這種人|我個性|我的個性|我蠻|我很|我比較|\bI'm (?:the kind|a person|someone)|"
                       r"\bI am (?:the kind|a person|someone)", re.I)
TRAIT_KINDS = ("learning", "search", "profile", "reverse", "meta", "list", "lookup", "help")
TRAIT_QUESTION = re.compile(r"嗎|吗|嘛|呢|[?？]|需要|要不要|適合|適不適合|重要|得要|是否|是不是|會不會|有沒有|講求|要求|\b(?:do|does|need|needs|must|should)\b"
                            r"|(?:什麼|甚麼|哪些|哪種|怎樣|what)\S{0,3}?(?:個性|性格|特質|人格|personality|temperament)", re.I)
_TEMPERAMENT_FIELD = re.compile(r"態度|個性|性格|特質|人格|attitude|personality|temperament", re.I)


# 「資料倉儲那部分要補哪些知識」「網絡嗰方面要識啲乜」: a part of the work the list is asked within
_TOPIC = TOPIC_PART


def _within_topic(draft: A.Draft, q: Query, doc: Document, field: str) -> bool:
    """The knowledge or skills of the duty or tasks whose title holds the topic, else the items that name it; False
    when the question names no topic or the document has nothing on it."""
    m = _TOPIC.search(q.text)
    if not (m and isinstance(doc, Standard) and field in ("knowledge", "skills")):
        return False
    topic = gloss(m.group(1))
    tasks = [t for d in doc.duties if topic in d.title for t in d.tasks] or [t for t in doc.tasks if topic in t.title]
    if tasks:
        A.tasks_field(draft, doc, tasks, field)
        return True
    for name in (field, "skills" if field == "knowledge" else "knowledge"):  # 「要會什麼」 is either
        table = doc.knowledge if name == "knowledge" else doc.skills
        items = sorted((item for item in table.values() if topic in item.text), key=lambda item: A.code_order(item.code))
        if items:
            draft.say(t(f"answers.{name}_on_topic", topic=topic))
            A.numbered(draft, doc, items)
            return True
    return False


def _trait_kind(q: Query) -> bool:
    """A kind a temperament may be asked under; a standard's new version named (「新版的態度裡有沒有一項像這樣」) too,
    unless two versions are set side by side."""
    return q.kind in TRAIT_KINDS or q.kind == "version_diff" and not DIFF_CUE.search(q.text)


def _asks_temperament(text: str) -> bool:
    """The question a person ends a long telling with is about temperament (「…這樣的人適合嗎 它對態度方面有什麼要求」
    「…佢係咪好講求溝通」): their clauses told personality, not work."""
    clauses = [p for p in CLAUSE_BREAK.split(text) if p.strip()]
    if not clauses:
        return False
    told_traits = len(clauses) > 1 and all(trait_of(c) for c in clauses[:-1])  # 「我很細心 可是壓力一大就慌 適合嗎」
    return told_traits or bool(trait_of(clauses[-1]) or _TEMPERAMENT_FIELD.search(clauses[-1]))


# a task's duty asked for (「T3.1 屬於哪個職責」), not a duty that only locates the task (「第二個職責底下第一個任務」)
WHICH_DUTY = re.compile(r"(?:哪個|哪一個|哪一項|什麼|甚麼)\s*(?:主要|工作)?職責|屬於.{0,6}職責|職責是|which duty|what duty", re.I)
UNIT_CUE = re.compile(r"職能單元|單元|\bunit\b", re.I)
RENAMED_CUE = re.compile(r"改了?名|更名|名稱.{0,4}(改|變|不同)|renamed", re.I)
MAX_NAMED_DOCS = 3
TASK_DETAIL_FIELDS = ("skills", "knowledge", "outputs", "indicators")
MAX_DETAILED_TASKS = 3  # tasks a filter answer also details, when the question asks a field of them
MAX_ACROSS_EACH = 8  # standards answered one by one when a fact is asked of every loaded one
# The older layout (INM3513-005) heads its columns 工作任務 (T1-T10) and 工作活動 (T1.1 …): there a 工作任務 is a duty
OLDER_LAYOUT, OLDER_TASK_WORD, OLDER_ACTIVITY_WORD = "merged", "工作任務", "工作活動"
MAX_META_FIELDS = 3
# Fields a "what do I need to prepare" question can ask for instead of the K and S to learn.
OWN_FIELDS = frozenset({"assessment", "notes", "outputs", "indicators"})

Search = Callable[[Query, list[Document], Document | None], A.Draft]


def _level_bounds(q: Query) -> list[Condition]:
    """The level conditions that bound a value (「4 級以上」), not those asking for the extreme."""
    return [c for c in q.conditions if c.measure == "level" and c.op not in ("max", "min")]


def _level_alternatives(q: Query) -> bool:
    """「是 3 級還是 4 級」: two levels offered to choose from, which no task holds at once."""
    values = {c.value for c in q.conditions if c.measure == "level" and c.op == "=="}
    return len(values) > 1 and bool(re.search(r"還是|或是|\bor\b", q.text))


UNIT_WIDE_FIELDS = ("knowledge", "skills", "assessment")  # a 職能單元 prints these once for all its work sections


class Router:
    def __init__(self, catalog: Catalog, search: Search, reverse_topic: Search, advisor: Advisor, claims: Claims,
                 meaning: C.Meaning | None = None) -> None:
        self.catalog = catalog
        self.meaning = meaning
        self._search_handler = search
        self._reverse_topic = reverse_topic
        self.advisor = advisor
        self.claims = claims
        check_handlers(self)
        self._handlers = {name: getattr(self, kind.handler) for name, kind in KINDS.items() if hasattr(self, kind.handler)}

    def show(self, doc: Document, item: str | None) -> A.Draft | None:
        """A document whole (its overview and tasks) or one item of it, as typed (`competency-bot show CODE [ITEM]`);
        None when the document has no such item."""
        draft = A.start("show", doc, self.catalog)
        if not item:
            A.overview(draft, doc)
            if isinstance(doc, Standard):
                A.standard_field(draft, doc, "tasks", self.catalog)
            else:
                A.unit_field(draft, doc, "tasks")
            return draft
        if isinstance(doc, Unit):
            return draft if A.unit_id_lookup(draft, doc, re.sub(r"\s+", "", item)) else None
        code = typed_code(item)
        task = doc.task(code)
        if task:
            A.task_overview(draft, doc, task)
            return draft
        return draft if A.duty_overview(draft, doc, code) or A.item_lookup(draft, doc, code) else None

    def route(self, q: Query, session: Document | None) -> A.Draft:
        if LEVEL_MEANING.search(q.text) and not (q.has_codes or q.families or q.kind in OUTSIDE) or \
                self._scale_asked(q, session):
            return self._level_scale()
        terms = terms_asked(q.text) if not (q.has_items or q.standards or q.soft_standards or q.kind in OUTSIDE) else []
        if terms:
            return explain_terms(terms, self.catalog, session)  # 「行為指標是什麼意思」: how to read a standard
        if q.unknown_standard_codes and not q.standards:
            draft = A.Draft("versions")
            if A.version_not_loaded(draft, self.catalog, q.unknown_standard_codes[0]):
                return draft
            codes = t("answers.list_sep").join(d.code for d in self.catalog.current())
            return A.Draft.reply("unknown_standard", t("answers.unknown_standard", code=q.unknown_standard_codes[0],
                                                       codes=codes))
        unnamed = not (q.standards or q.soft_standards or q.has_items)
        if unnamed and (q.across or q.kind not in OUTSIDE):
            quoted = A.QUOTED_PASSAGE.search(q.text) if not q.has_codes and ASKS_SOURCE.search(q.text) else None
            draft = A.Draft("quoted_source")
            if quoted and A.quoted_source(draft, self.catalog, quoted.group(1)):
                return draft  # 「「負責規劃、指揮及協調…」這段出自哪份」: wherever it is printed, an older version too
            draft = A.Draft("by_value")  # 「哪一份是 2024 年更新的」「INM 是哪個職類」: the documents holding the value
            if A.by_value(draft, self.catalog, q.text, years=q.across, table=self._basic_values):
                return draft
        if q.across and unnamed:
            required = self.claims.required_across(q) if q.kind not in OUTSIDE else None
            if required is not None:
                return required  # 「哪些標準有要求英文能力」
            if "versions" in q.fields and q.kind not in (*OUTSIDE, "profile") and A.latest_dates(draft, self.catalog):
                return draft  # 「哪一份最近一次更新」
            if "entry" in q.fields and q.kind not in (*OUTSIDE, "profile") and not mentions_background(q.text):
                # 「哪份的入門條件沒有寫年資」: each one's, side by side (a person's own background: advice below)
                standards = [d for d in sorted(self.catalog.current(), key=lambda d: d.code) if isinstance(d, Standard)]
                return self._each(q, standards, ["entry"])
        if q.kind not in OUTSIDE:  # 「P2.2.2 說要做各項需求測試，具體是指哪些」: the note, the code notwithstanding
            docs = self.named(q) + self._soft(q) or ([session] if session else [])
            draft = A.Draft("definition")
            if A.defined_terms(draft, docs, q.text, self.catalog, None if docs else self._remark_terms):
                return draft
        pair = self._task_pair(q, session) if len(q.tasks) == 2 and q.kind not in OUTSIDE else None
        if pair is not None:
            return pair  # 「系統整合 T2.2 跟 T2.3 差在哪」: two tasks of one standard side by side
        split = premise_part(q) if q.has_codes and q.kind in CLAIM_KINDS else None
        if split is not None:
            return self._code_premise(*split, session)
        claim = read_claim(q) if q.has_codes and q.kind in CLAIM_KINDS else None
        if claim is not None and claim.premise:
            return self._premise(q, session)
        if claim is not None:
            return self._codes(q, session)  # 「T1.3 的產出是需求規格書對嗎」: the claim is checked against T1.3
        made = self._output_named(q, session) if not q.has_codes and q.kind not in OUTSIDE else None
        if made is not None:
            return made  # 「哪個任務要交成本效益分析」: the task whose output it is
        traits = traits_of(q.text) if _trait_kind(q) and not q.has_items and not (
            describes_work(q.text) and ASKS_WHERE.search(q.text) and not _asks_temperament(q.text)) else []
        # work told, then which standard or task it is (「…安裝責任…，對應哪個任務」): no temperament asked
        if traits and TRAIT_QUESTION.search(q.text):
            docs = self.named(q) + self._soft(q) or ([session] if session else self.catalog.current())
            return self.claims.trait(q, traits, docs[:MAX_NAMED_DOCS] if len(docs) <= MAX_NAMED_DOCS else docs)
        if "attitudes" in q.fields and not q.has_items and TOLD_SELF.search(q.text):
            docs = [d for d in self.named(q) + self._soft(q) or ([session] if session else []) if isinstance(d, Standard)]
            if docs:  # 「我是那種很容易被新奇事物吸引的人，態度要求裡有對應的嗎」: the attitudes closest to it
                return self.claims.attitudes_like(q, docs[:MAX_NAMED_DOCS])
        doc = self.target(q, session)
        checked = self.claims.check_pair(q, doc or self._sole_holder(q)) if q.has_codes and q.kind not in OUTSIDE else None
        checked = checked or (self.claims.check_standard(q, doc) if doc is not None and q.kind not in OUTSIDE else None)
        if checked is not None:
            return checked
        wrong = self.claims.standard_premise(q, doc) if doc is not None and q.kind not in OUTSIDE else None
        if wrong is not None:
            q.premise_checked = True
            return _corrected(wrong, self.route(q, session))
        if doc is not None and q.kind != "count":
            q.fields = [_as_printed(q, doc, f) for f in q.fields]
        if isinstance(doc, Unit) and "level" in q.fields and not (q.tasks or q.duties or q.items or q.conditions):
            q.fields = ["std_level" if f == "level" else f for f in q.fields]  # a unit has one level: its own
            q.kind = "meta" if q.kind in ("list", "lookup", "search") else q.kind
        return self._handlers.get(q.kind, self._search)(q, session)

    # ------------------------------------------------------------ documents in play
    def named(self, q: Query) -> list[Document]:
        docs = [d for d in (self.catalog.get(c) for c in q.standards or q.soft_standards) if d]
        if q.historical:
            old = [d for d in docs if d.status == "historical"]
            both = CURRENT_VERSION_WORD.search(q.text) and old and len(old) < len(docs)  # 「舊版同 v4 分別有幾項」: both
            return (old + [d for d in docs if d not in old]) if both else (old or docs)
        explicit_old = [d for d in docs if d.status == "historical" and _code_typed(q, d)]
        current = [d for d in docs if d.status == "current" and d not in explicit_old]
        return explicit_old + current if explicit_old else (current or docs)

    def _soft(self, q: Query) -> list[Document]:
        docs = [d for d in map(self.catalog.get, q.soft_standards) if d]
        return [d for d in docs if d.status == "current"] or docs

    def target(self, q: Query, session: Document | None) -> Document | None:
        docs = self.named(q)
        if docs:
            return docs[0]
        if session is not None and q.historical and session.status == "current":
            return next((d for d in self.catalog.family(session) if d.status == "historical"), session)
        return session or self._only_unit(q)

    def _only_unit(self, q: Query) -> Document | None:
        """"這個單元的評量方法" with one 職能單元 in the catalog: that unit, nothing to choose."""
        if not UNIT_CUE.search(q.text) and "assessment" not in q.fields:
            return None
        units = [d for d in self.catalog.current() if isinstance(d, Unit)]
        return units[0] if len(units) == 1 else None

    def ask_for_standard(self, intent: str) -> A.Draft:
        current = sorted(self.catalog.current(), key=lambda d: d.code)
        return A.Draft.reply(intent, t("answers.choose_standard_generic"), [Choice(d.code, d.title) for d in current])

    # ------------------------------------------------------------ lookup: one item
    def _lookup(self, q: Query, session: Document | None) -> A.Draft:
        if q.ordinals and (not q.has_codes or self.target(q, session) is not None):
            return self._ordinal(q, session)
        if q.has_codes:
            return self._codes(q, session)
        if q.named:
            return self._named(q, session)
        return self._search(q, session)

    def _codes(self, q: Query, session: Document | None) -> A.Draft:
        key = (q.tasks or q.items or q.duties or q.unit_ids or [""])[0]
        named = self.named(q)
        candidates = named or ([self.target(q, session) or session] if session else [])
        if not candidates:
            holders = self._holders(q)
            if not holders:
                return self._unknown(key, None)
            current = [d for d in holders if d.status == "current"]
            titled = [d for d in current if any(r.standard == d.code and r.code == key for r in q.named)]
            current = titled if len(titled) == 1 else current  # 「S14 雲端軟體除錯能力會用在哪些任務」: S14 of the one it names
            if len(current) > 1:
                return A.Draft.reply("choose_standard", t("answers.choose_standard", code=key),
                                     [Choice(d.code, d.title) for d in current])
            candidates = current or holders
        doc = next((d for d in candidates if S.has_any(d, q)), candidates[0])
        if not S.has_any(doc, q):
            return self._unknown(key, doc)
        claim = claim_of(q)
        checked = self.claims.check(q, doc, claim) if claim else None
        return checked or self._code_answer(q, doc)

    def _premise(self, q: Query, session: Document | None) -> A.Draft:
        """「既然 S03 是程式撰寫能力，那它用在哪些任務」: a wrong premise corrected first, then the question answered."""
        checked = self._codes(q, session)
        q.premise_checked = True
        _forget_premise_conditions(q)
        answer = self.route(q, session)
        if not refutes(checked):
            return answer  # the premise holds (or could not be checked): the question as asked
        return _corrected(checked, answer)

    def _sole_holder(self, q: Query) -> Document | None:
        """The one current document holding every code the question names (None: none, or several)."""
        current = [d for d in self._holders(q) if d.status == "current"]
        return current[0] if len(current) == 1 else None

    def _code_premise(self, premise: Query, asked: Query, session: Document | None) -> A.Draft:
        """「既然 S08 是程式撰寫能力，T2.3 還要哪些技能」: the premise about S08 checked, then T2.3's question answered."""
        checked = self._codes(premise, session)
        asked.premise_checked = True
        answer = self.route(asked, session)
        return _corrected(checked, answer) if refutes(checked) else answer

    def _task_pair(self, q: Query, session: Document | None) -> A.Draft | None:
        """Two tasks compared (「T2.2 跟 T2.3 差在哪」"how does T2.2 differ from T2.3"): each one's duty, level,
        indicators and outputs, then the knowledge and skills they share and those only one of them needs."""
        if q.items or q.conditions or not DIFF_CUE.search(q.text):
            return None
        doc = self.target(q, session) or self._sole_holder(q)
        if doc is None:
            return self._codes(q, session)  # the standards printing both, to choose from
        tasks = [doc.task(code) for code in q.tasks] if isinstance(doc, Standard) else []
        if len(tasks) != 2 or tasks[0] is None or tasks[1] is None:
            return None
        a, b = tasks
        draft = A.start("compare_tasks", doc, self.catalog)
        for task in (a, b):
            A.task_field(draft, doc, task, "overview_short")
        used_a, used_b = [*a.knowledge, *a.skills], [*b.knowledge, *b.skills]
        sep = t("answers.list_sep")
        for key, codes_, args in (("answers.tasks_share", [c for c in used_a if c in used_b], {}),
                                  ("answers.task_only", [c for c in used_a if c not in used_b], {"task": a.code}),
                                  ("answers.task_only", [c for c in used_b if c not in used_a], {"task": b.code})):
            items = [i for i in (find_item(doc, c) for c in codes_) if i is not None]
            draft.say(t(key, a=a.code, b=b.code, items=sep.join(f"{i.code} {i.name}" for i in items) or
                        t("answers.tasks_share_none"), **args))
            for item in items:
                draft.cite(doc, item.code, item.full_text)
        return draft

    def _output_named(self, q: Query, session: Document | None) -> A.Draft | None:
        """「哪個任務要交成本效益分析」"which task produces a cost-benefit analysis": the tasks whose printed output the
        question names (None: it asks no such thing, or names no output)."""
        if not (OUTPUT_ASKED.search(q.text) and WHICH_TASK.search(q.text)):
            return None
        text = compact(gloss(q.text))
        named = _one_each(self.named(q) + self._soft(q))
        docs = named or ([session] if session else [])
        found = [(doc, task, output) for doc in docs if isinstance(doc, Standard) for task in doc.tasks
                 for output in task.outputs if _names_output(text, compact(output.text))]
        if not found and not named:  # not the one in focus: the standards that print it (none named, none left)
            found = self._outputs_named(text)
        if not found:
            return None
        draft = A.Draft("reverse", standard=found[0][0].code if len({d.code for d, _, _ in found}) == 1 else None)
        for doc, task, output in found[:MAX_NAMED_DOCS * 2]:
            old = t("answers.historical_tag") if doc.status == "historical" else ""  # an older version says so
            draft.say(t("answers.output_of_task", std=f"{doc.code} {doc.title}{old}", code=output.code, text=output.text,
                        task=task.code, title=task.title, level=task.level or "—"))
            draft.cite(doc, output.code, output.full_text)
            draft.cite(doc, task.code, task.title)
        return draft

    def _outputs_named(self, text: str) -> list[tuple[Standard, Task, Item]]:
        """The outputs of every current standard a text names, looked up by the text's own substrings (at 3,000
        standards a scan of every output would take half a second)."""
        names = set(A.substrings(text, MIN_OUTPUT_CHARS, 30))
        found = {(ref[0].code, ref[2].code): ref for name in names for ref in self._output_endings.get(name, ())}
        return [found[key] for key in sorted(found)]

    def _sizes(self, measure: str) -> list[tuple[int, Document]]:
        """How many items of a sort each current document holds."""
        return [(sizes.get(measure, 0), doc) for sizes, doc in self._all_sizes]

    @cached_property
    def _all_sizes(self) -> list[tuple[dict[str, int], Document]]:
        """Every current document's sizes of every sort, counted once per catalog."""
        return [(S.field_sizes(doc), doc) for doc in self.catalog.current()]

    @cached_property
    def _basic_values(self) -> A.BasicValues:
        return A.basic_values(self.catalog)

    @cached_property
    def _remark_terms(self) -> A.RemarkTerms:
        return A.remark_index(self.catalog.current())

    @cached_property
    def _output_endings(self) -> dict[str, list[tuple[Standard, Task, Item]]]:
        """Every ending of every current output's name long enough to name it (_names_output) -> the outputs."""
        endings: dict[str, list[tuple[Standard, Task, Item]]] = {}
        for doc in self.catalog.current():
            for task in doc.tasks if isinstance(doc, Standard) else []:
                for output in task.outputs:
                    name = compact(output.text)
                    for i in range(len(name)):
                        if len(name) - i >= max(MIN_OUTPUT_CHARS, round(0.6 * len(name))):
                            endings.setdefault(name[i:], []).append((doc, task, output))
        return endings

    def _holders(self, q: Query) -> list[Document]:
        docs = self.catalog.holding(S.named_codes(q))
        if q.historical:
            docs = [d for d in docs if d.status == "historical"] or docs
        return docs

    def _unknown(self, key: str, doc: Document | None) -> A.Draft:
        printed = _printed_of_sort(doc, key[:1]) if isinstance(doc, Standard) and not TASK_CODE.fullmatch(key) else []
        if printed:  # 「雲端開發有 A08 嗎」: the attitudes it does print
            hint = t("answers.unknown_code_hint_items", std=f"{doc.code} {doc.title}",  # type: ignore[union-attr]
                     noun=t(f"answers.count_noun_{_SORT_FIELD[key[:1]]}"), range=f"{printed[0]}–{printed[-1]}")
        elif isinstance(doc, Standard) and doc.tasks:
            hint = t("answers.unknown_code_hint_std", std=f"{doc.code} {doc.title}",
                     range=f"{doc.tasks[0].code}–{doc.tasks[-1].code}")
        else:
            hint = t("answers.unknown_code_hint_all")
        return A.Draft.reply("unknown_code", t("answers.unknown_code", code=key, hint=hint))

    def _unit_part(self, draft: A.Draft, q: Query, doc: Unit, uid: str) -> None:
        """A part of a 職能單元, with the fields the unit prints once for all its parts when asked (「「管理驗收測試」
        要做哪些事？評量方法又有哪些？」); a part asked for such a field alone (「它的技能內涵有哪些」) is answered by it."""
        wide = [f for f in q.fields if f in UNIT_WIDE_FIELDS]
        if not wide or set(q.fields) - set(UNIT_WIDE_FIELDS):
            A.unit_id_lookup(draft, doc, uid)
        for field in wide:
            if field != "assessment":
                draft.say(t("answers.unit_wide", noun=t(f"answers.count_noun_{field}")))
            S.list_field(draft, doc, field, self.catalog)

    def _code_answer(self, q: Query, doc: Document) -> A.Draft:
        draft = A.start("code", doc, self.catalog)
        if isinstance(doc, Unit):
            draft.intent = "unit_item"
            for uid in q.unit_ids:
                self._unit_part(draft, q, doc, uid)
            return draft
        if q.kind == "reverse" and q.items:
            draft.intent = "reverse"
            for code in q.items:
                A.reverse_lookup(draft, doc, code)
            return draft
        fields = self._task_fields(q)
        for code in q.tasks:
            task = doc.task(code)
            if task is None:
                draft.say(t("answers.task_not_in_standard", std=doc.code, task=code, hint=""))
                continue
            self._task_answer(draft, q, doc, task, fields)
        for code in q.duties:
            if self._duty_answer(draft, q, doc, code):
                draft.intent = "duty"
        for code in q.items:
            if A.item_lookup(draft, doc, code):
                draft.intent = "item"
        return draft

    def _task_fields(self, q: Query) -> list[str]:
        fields = [f for f in q.fields if f in TASK_FIELDS and (f != "duties" or WHICH_DUTY.search(q.text))]
        if not fields and q.kind == "learning":
            return ["knowledge", "skills"]
        return fields or ["overview"]

    def _task_answer(self, draft: A.Draft, q: Query, std: Standard, task: Task, fields: list[str]) -> None:
        if q.kind == "count" and fields[0] in ("indicators", "outputs", "knowledge", "skills"):
            S.count_task_field(draft, std, task, fields[0])
            counted = len(COUNT_ASKED.findall(q.text))  # 「知識有幾項，技能又有幾項」: each one asked is counted
            for n, name in enumerate(fields[1:], 2):  # 「行為指標有幾條，工作產出有哪些」: the count, then the other field
                if n <= counted and name in ("indicators", "outputs", "knowledge", "skills"):
                    S.count_task_field(draft, std, task, name)
                else:
                    A.task_field(draft, std, task, name)
            draft.intent = "count"
            return
        for name in fields:
            A.task_field(draft, std, task, name)
        draft.intent = "learning" if q.kind == "learning" else (fields[0] if fields[0] != "overview" else "task")

    def _duty_answer(self, draft: A.Draft, q: Query, std: Standard, code: str) -> bool:
        if q.kind == "count":
            counted = S.count_duty_tasks(draft, std, code)
            each = [f for f in q.fields if f in TASK_DETAIL_FIELDS] if EACH_CUE.search(q.text) else []
            duty = std.duty(code)
            for task in duty.tasks if counted and each and duty else []:  # 「有幾個任務，各要交什麼」: then each one's
                for name in each[:2]:
                    A.task_field(draft, std, task, name)
            return counted
        fields = [f for f in self._task_fields(q) if f not in ("overview", "level", "duties")]
        duty = std.duty(code)
        if not fields or duty is None or q.tasks:
            return A.duty_overview(draft, std, code)
        draft.cite(std, duty.code, duty.title)  # "T2 的任務有哪些產出": that field of each of its tasks
        shared = [f for f in fields if f in ("knowledge", "skills")]
        if shared and COMMON_CUE.search(q.text):  # 「T2 底下的任務共同需要哪些知識」: what every one of them needs
            S.shared_in_duty(draft, std, duty, shared[0])
            return True
        draft.say(t("answers.duty_line", code=duty.code, title=duty.title, n=len(duty.tasks)))
        for task in duty.tasks:
            for name in fields:
                A.task_field(draft, std, task, name)
        return True

    def _ordinal(self, q: Query, session: Document | None) -> A.Draft:
        doc = self.target(q, session)
        if doc is None:
            return self.ask_for_standard("choose_standard")
        resolved = S.resolve_ordinals(doc, q)
        if not resolved:
            return A.Draft.reply("unknown_code", t("answers.ordinal_out_of_range", std=f"{doc.code} {doc.title}"))
        q.standards = [doc.code]
        return self._code_answer(q, doc) if isinstance(doc, Standard) or q.unit_ids else self._list(q, doc)

    def _named(self, q: Query, session: Document | None) -> A.Draft:
        refs = self._named_refs(q, session)
        draft = A.Draft("named")
        asked = self.named(q)
        if asked and refs and not any(r.standard in {d.code for d in asked} for r in refs):
            draft.say(t("answers.named_elsewhere", std=asked[0].title, name=refs[0].name))
        for code in _unique(r.standard for r in refs)[:MAX_NAMED_DOCS]:
            doc = self.catalog.get(code)
            if doc is None:
                continue
            draft.say(A.header(doc, self.catalog))
            draft.standard = draft.standard or doc.code
            for ref in (r for r in refs if r.standard == code):
                self._named_item(draft, q, doc, ref)
        return draft

    def _named_refs(self, q: Query, session: Document | None) -> list[Named]:
        named = self.named(q)
        wanted = {d.code for d in named} or ({session.code} if session else set())
        refs = [r for r in q.named if r.standard in wanted] or q.named
        if not q.historical:
            current = [r for r in refs if (d := self.catalog.get(r.standard)) and d.status == "current"]
            refs = current or refs
        return refs

    def _named_item(self, draft: A.Draft, q: Query, doc: Document, ref: Named) -> None:
        if isinstance(doc, Standard) and ref.sort == "task":
            task = doc.task(ref.code)
            if task:
                self._task_answer(draft, q, doc, task, self._task_fields(q))
        elif isinstance(doc, Standard) and ref.sort == "duty":
            self._duty_answer(draft, q, doc, ref.code)
        elif ref.sort == "term":
            A.remark_lookup(draft, doc, ref.name)
        elif isinstance(doc, Unit) and ref.sort == "section":
            self._unit_part(draft, q, doc, ref.code)
        elif q.kind == "reverse" and isinstance(doc, Standard):
            A.reverse_lookup(draft, doc, ref.code)
            draft.intent = "reverse"
        else:
            A.item_lookup(draft, doc, ref.code)

    # ------------------------------------------------------------ lists, counts, filters
    def _list(self, q: Query, session: Document | None) -> A.Draft:
        if q.has_items and (q.has_codes or q.ordinals or any(r.sort in ("task", "duty", "section") for r in q.named)):
            return self._lookup(q, session)
        if any(f in META_FIELDS[:6] for f in q.fields) and not any(f in LIST_FIELDS for f in q.fields):
            return self._meta(q, session)
        doc = self.target(q, session)
        if doc is None:
            return self.ask_for_standard("choose_standard")
        fields = [f for f in q.fields if f in LIST_FIELDS][:MAX_META_FIELDS] or ["tasks"]
        if len(fields) > 1 and set(fields) & {"tasks", "duties"} and set(fields) - {"tasks", "duties"}:
            fields = [f for f in fields if f not in ("tasks", "duties")]  # 「任務要哪些知識」: the knowledge
        draft = A.start("list", doc, self.catalog)
        for field in fields:
            if not _within_topic(draft, q, doc, field):
                S.list_field(draft, doc, field, self.catalog)
        draft.intent = "list_" + fields[0]
        return draft

    def _count(self, q: Query, session: Document | None) -> A.Draft:
        if q.conditions:
            return self._filter(q, session)
        doc = self.target(q, session)
        if isinstance(doc, Standard) and aggregate_of(q) == "count per duty" and not q.has_codes:
            draft = A.start("count", doc, self.catalog)
            S.count_per_duty(draft, doc)
            return draft
        field = next((f for f in q.fields if f in LIST_FIELDS and f not in ("tasks", "duties")), None)
        duty = next((r for r in q.named if r.sort == "duty"), None)
        if duty is not None and field:
            return self._count_in_duty(q, session, duty, field)
        if field and len(q.duties) == 1 and not (q.tasks or q.items) and isinstance(doc, Standard) and doc.duty(q.duties[0]):
            draft = A.start("count", doc, self.catalog)  # 「T4 有幾個工作產出」: that field under each of its tasks
            S.count_duty_field(draft, doc, q.duties[0], field)
            return draft
        if q.has_codes or q.ordinals or any(r.sort in ("task", "duty", "section") for r in q.named):
            return self._lookup(q, session)
        doc = self.target(q, session)
        if doc is None:
            return self.ask_for_standard("choose_standard")
        field = field or next((f for f in q.fields if f in LIST_FIELDS), "tasks")
        docs = self.catalog.family(doc)[::-1] if (q.versioned and len(self.catalog.family(doc)) > 1) else [doc]
        several = self.named(q)
        if len(several) > 1:  # 「雲端和電商的任務各幾項」: each standard named, in turn
            docs = several[:MAX_NAMED_DOCS]
        draft = A.Draft("count", standard=doc.code if len(docs) == 1 else None)
        for each in docs:
            draft.say(A.header(each, self.catalog))
            S.count_field(draft, each, _as_printed(q, each, field), self.catalog, brief=len(docs) > 1)
        return draft

    def _count_in_duty(self, q: Query, session: Document | None, ref: Named, field: str) -> A.Draft:
        doc = self.catalog.get(ref.standard)
        if not isinstance(doc, Standard):
            return self._lookup(q, session)
        draft = A.start("count", doc, self.catalog)
        S.count_duty_field(draft, doc, ref.code, field)
        return draft

    def _filter(self, q: Query, session: Document | None) -> A.Draft:
        doc = self.target(q, session)
        if doc is None and q.across and _level_bounds(q):
            return self._catalog(q, session)  # 「哪些標準是 4 級以上」: the standards by their level
        if doc is None:
            return self.ask_for_standard("choose_standard")
        if not isinstance(doc, Standard):
            return self._list(q, doc)
        if not q.tasks and _level_alternatives(q):
            draft = A.start("level", doc, self.catalog)  # 「雲端那份是 3 級還是 4 級」: the standard's own level
            A.standard_field(draft, doc, "level", self.catalog, q.text)
            return draft
        draft = A.start("filter", doc, self.catalog)
        among, scope = self._task_scope(q, doc)
        tasks = S.filter_tasks(draft, doc, q.conditions, counting=q.counting, among=among, scope=scope)
        asked = [f for f in q.fields if f in TASK_DETAIL_FIELDS]
        if not asked or q.counting or q.items or q.named:
            return draft
        if len(tasks) <= MAX_DETAILED_TASKS:  # 「級別最高的是哪個，要哪些技能」: both halves
            for task in tasks:
                for name in asked[:2]:
                    A.task_field(draft, doc, task, name)
        for name in [n for n in asked[:2] if n in ("knowledge", "skills")] if len(tasks) > MAX_DETAILED_TASKS else []:
            A.tasks_field(draft, doc, tasks, name)  # many tasks: what they need, each item once
        return draft

    def _task_scope(self, q: Query, doc: Standard) -> tuple[list[Task] | None, str]:
        """The tasks a filter looks among: those using an item the question names (「S07 影響哪些任務，其中級別最高」),
        a duty's, or (None) all of them."""
        codes = [c for c in q.items if c[:1] in ("K", "S", "A")]
        codes += [r.code for r in q.named if r.standard == doc.code and r.sort in ("knowledge", "skill", "attitude")]
        item = next((find_item(doc, c) for c in codes if find_item(doc, c)), None)
        if item is not None:
            return tasks_using(doc, item.code), t("answers.scope_using", code=item.code, text=item.name or item.text)
        duty = doc.duty(q.duties[0]) if q.duties else None
        if duty is not None:
            return list(duty.tasks), f"{duty.code} {duty.title}"
        return None, ""

    # ------------------------------------------------------------ reverse lookups and learning
    def _reverse(self, q: Query, session: Document | None) -> A.Draft:
        if q.conditions and isinstance(self.target(q, session), Standard):
            return self._filter(q, session)  # the tasks using the item, narrowed by the condition
        if q.items or q.unit_ids:
            return self._codes(q, session)
        if any(r.sort in ("knowledge", "skill", "attitude") for r in q.named):
            return self._named(q, session)
        return self._reverse_topic(q, self.named(q) if q.standards else [], session)

    def _learning(self, q: Query, session: Document | None) -> A.Draft:
        if q.has_codes or q.ordinals or any(r.sort == "task" for r in q.named):
            return self._lookup(q, session)
        if OWN_FIELDS.intersection(q.fields):
            # "what to prepare for the assessment" names its own field: it asks for that field.
            return self._list(q, session)
        doc = self.target(q, session)
        if doc is None:
            return self._reverse_topic(q, [], session)
        fields = [f for f in q.fields if f in ("knowledge", "skills")]
        if not fields and GAP_CUE.search(q.text) and isinstance(doc, Standard):
            return self.advisor.learning_plan(doc, q.text)  # 「想轉雲端開發，還差多少」: the entry requirements, then the plan
        if not fields:
            return self.advisor.learning_plan(doc)
        draft = A.start("learning", doc, self.catalog)
        for name in fields:
            if not _within_topic(draft, q, doc, name):
                S.list_field(draft, doc, name, self.catalog)
        return draft

    def _profile(self, q: Query, session: Document | None) -> A.Draft:
        """Standards named outright narrow the match; a title fragment in a skill ("管理系統") does not."""
        return self.advisor.career_fit(q, self.named(q) if q.standards else [])

    # ------------------------------------------------------------ standards as a whole
    def _meta(self, q: Query, session: Document | None) -> A.Draft:
        several = _one_per_family(self.named(q) + self._soft(q))
        if len(several) > 1:
            return self._each(q, several[:MAX_NAMED_DOCS], [f for f in q.fields if f in META_FIELDS])
        doc = self.target(q, session)
        if "entry" in q.fields and mentions_background(q.text) and not q.named:
            return self.advisor.entry_check(q, doc)
        if doc is None:
            if q.named:
                return self._named(q, session)
            if q.across:  # 「這幾份標準什麼時候更新的」: each loaded standard, the first few at 3,000
                return self._each(q, self.catalog.current()[:MAX_ACROSS_EACH], [f for f in q.fields if f in META_FIELDS])
            return self.ask_for_standard("choose_standard")
        draft = A.start("meta", doc, self.catalog)
        fields = _distinct_meta([f for f in META_FIELDS if f in q.fields])[:MAX_META_FIELDS]
        answered = [f for f in fields if A.standard_field(draft, doc, f, self.catalog, q.text)]
        if not answered:
            A.overview(draft, doc)
        draft.intent = answered[0] if answered else "overview"
        return draft

    def _compare(self, q: Query, session: Document | None) -> A.Draft:
        docs = _one_per_family(self.named(q) + self._soft(q))
        if len(docs) < 2 and session is not None and docs and session.family != docs[0].family:
            docs = [session, *docs]
        if len(docs) < 2:
            return self._meta(q, session)
        own = [f for f in q.fields if f in META_FIELDS and f not in COMPARE_FIELDS]
        if own or EACH_CUE.search(q.text):
            return self._each(q, docs[:MAX_NAMED_DOCS], own or [f for f in q.fields if f in META_FIELDS])
        a, b = docs[:2]
        draft = A.Draft("compare", standard=a.code)
        fields = [f for f in q.fields if f in COMPARE_FIELDS] or ["overview"]
        common_only = bool(COMMON_CUE.search(q.text))
        for name in fields[:2]:
            C.compare_field(draft, a, b, name, common_only=common_only, meaning=self.meaning)
        return draft

    def _each(self, q: Query, docs: list[Document], fields: list[str]) -> A.Draft:
        """「兩份各自的更新日期」: the same facts of each standard in turn, not a comparison."""
        draft = A.Draft("each")
        for doc in docs:
            draft.say(A.header(doc, self.catalog))
            answered = [f for f in _distinct_meta(fields)[:MAX_META_FIELDS]
                        if A.standard_field(draft, doc, f, self.catalog, q.text)]
            if not answered:
                A.overview(draft, doc)
        return draft

    def _version_diff(self, q: Query, session: Document | None) -> A.Draft:
        doc = self.target(q, session)
        if doc is None:
            return self.ask_for_standard("choose_standard")
        new = self.catalog.latest_of(doc)
        old = C.older_version(self.catalog, new)
        draft = A.start("version_diff", new, self.catalog)
        if old is None:
            draft.say(t("answers.diff_no_old", code=new.code))
            if isinstance(new, Standard):
                A.versions(draft, new, self.catalog)
            return draft
        fields = [f for f in q.fields if f in COMPARE_FIELDS and f not in ("tasks", "duties")]
        if not fields:
            C.version_diff(draft, new, old)
        for name in fields[:2]:
            C.diff_field(draft, new, old, name, renamed_only=bool(RENAMED_CUE.search(q.text)))
        return draft

    # ------------------------------------------------------------ the collection
    @staticmethod
    def _scale_asked(q: Query, session: Document | None) -> bool:
        """「職能級別 3 大概等於幾年經驗」「Is level 5 harder than level 3」: a level asked of no standard, no task and
        no list of tasks is a question about the scale itself."""
        levelled = any(c.measure == "level" for c in q.conditions) or bool(SCALE_WORD.search(q.text))
        return levelled and not (q.standards or q.soft_standards or q.families or q.has_codes or q.across or session
                                 or q.kind in OUTSIDE or q.named or TASKS_LISTED.search(q.text))

    def _level_scale(self) -> A.Draft:
        """「職能級別是什麼意思」「級別 3 代表什麼程度」: what the levels are, and where the loaded documents stand."""
        draft = A.Draft("level_scale")
        draft.say(t("answers.level_scale"))
        for doc in sorted(self.catalog.current(), key=lambda d: d.code):
            levels = sorted({task.level for task in doc.tasks if task.level}) if isinstance(doc, Standard) else []
            spread = "" if not levels else t("answers.level_scale_tasks", low=levels[0], high=levels[-1]) \
                if len(levels) > 1 else t("answers.level_scale_tasks_one", level=levels[0])
            draft.say(t("answers.level_scale_line", code=doc.code, title=doc.title, level=doc.level or "—", tasks=spread))
            draft.cite(doc, doc.code, doc.title)
        return draft

    def _catalog(self, q: Query, session: Document | None) -> A.Draft:
        """Every current standard and unit with its level; "級別最高" names the highest first."""
        draft = A.Draft("catalog")
        counted = extreme_count(q)
        if counted is not None:
            return self._most(draft, counted, _one_per_family(self.named(q) + self._soft(q)))
        docs = sorted(self.catalog.current(), key=lambda d: d.code)
        extreme = next((c.op for c in q.conditions if c.measure == "level" and c.op in ("max", "min")), None)
        levelled = [d for d in docs if d.level]
        bounds = _level_bounds(q)
        if bounds:
            within = [d for d in levelled if all(c.holds(d.level or 0) for c in bounds)]
            told = t("answers.list_sep").join(S.describe(c) for c in bounds)
            draft.say(t("answers.catalog_within", condition=told, n=len(within)) if within
                      else t("answers.catalog_none_within", condition=told))
            for n, doc in enumerate(within[:A.MAX_LISTED_DOCS], 1):
                draft.say(t("answers.catalog_line", n=n, code=doc.code, title=doc.title, kind=doc.kind,
                            level=doc.level))
                draft.cite(doc, doc.code, doc.title)
            if within:
                draft.standard = within[0].code if len(within) == 1 else None  # 「哪個是5級？它要什麼學歷」: that one
                return draft
        if extreme and levelled:
            best = (max if extreme == "max" else min)(d.level or 0 for d in levelled)
            names = t("answers.list_sep").join(f"{d.code} {d.title}" for d in levelled if d.level == best)
            draft.say(t(f"answers.catalog_{extreme}_level", level=best, docs=names))
            for doc in (d for d in levelled if d.level == best):
                draft.cite(doc, doc.code, doc.title)  # the answer first, then the whole list
        draft.say(t("answers.catalog_heading", n=len(docs), code=docs[0].code if docs else ""))
        for n, doc in enumerate(docs, 1):
            draft.say(t("answers.catalog_line", n=n, code=doc.code, title=doc.title, kind=doc.kind,
                        level=doc.level or "—"))
            draft.cite(doc, doc.code, doc.title)
        return draft

    def _most(self, draft: A.Draft, counted: Condition, among: list[Document] | None = None) -> A.Draft:
        """「哪一份的任務最多」: each document's count of that sort, the most (or fewest) first; among two or more
        standards named, those alone (「雲端跟系統整合哪一份的任務比較多」)."""
        codes = {d.code for d in among or ()} if among and len(among) > 1 else None
        pairs = [p for p in self._sizes(counted.measure) if codes is None or p[1].code in codes]
        sizes = heapq.nsmallest(MAX_RANKED_DOCS, pairs, key=lambda p: (-p[0] if counted.op == "max" else p[0], p[1].code))
        best = sizes[0][0]
        noun = t(f"answers.count_noun_{counted.measure}")
        names = t("answers.list_sep").join(f"{d.code} {d.title}" for n, d in sizes if n == best)
        draft.say(t(f"answers.catalog_{counted.op}_count", noun=noun, docs=names, n=best))
        for n, (size, doc) in enumerate(sizes, 1):  # at 3,000 standards: the first ten
            draft.say(t("answers.catalog_count_line", n=n, code=doc.code, title=doc.title, size=size))
            draft.cite(doc, doc.code, doc.title)
        return draft

    # ------------------------------------------------------------ open questions
    def _search(self, q: Query, session: Document | None) -> A.Draft:
        """Where the standards describe some work; within the standards named, or, for a question about a code, the
        one in play (a code means what that standard prints)."""
        docs = self.named(q) if q.standards else []
        if not docs and q.has_codes and session is not None:
            docs = [self.target(q, session) or session]
        return self._search_handler(q, docs, session)

    def _oos_salary(self, q: Query, session: Document | None) -> A.Draft:
        return A.Draft.reply("out_of_scope", t("answers.no_salary", examples=self._examples(q, session)))

    def _oos_jobs(self, q: Query, session: Document | None) -> A.Draft:
        return A.Draft.reply("out_of_scope", t("answers.no_jobs", examples=self._examples(q, session)))

    def _oos_other(self, q: Query, session: Document | None) -> A.Draft:
        return A.Draft.reply("out_of_scope", t("answers.out_of_scope", examples=self._examples(q, session)))

    def _oos_occupation(self, q: Query, session: Document | None) -> A.Draft:
        titles = t("answers.list_sep").join(f"{d.title}（{d.code}）" for d in sorted(self.catalog.current(),
                                                                                  key=lambda d: d.code))
        return A.Draft.reply("out_of_scope", t("answers.no_occupation", occupation=q.occupation, titles=titles))

    def _help(self, q: Query, session: Document | None) -> A.Draft:
        named = self.named(q)
        if q.feature in ("assess", "team") and named:  # 「幫我評估一下我符不符合電商規劃人員」: the command for it
            draft = A.Draft.reply("feature", t(f"answers.features.{q.feature}_named", code=named[0].code,
                                               title=named[0].title))
            draft.cite(named[0], named[0].code, named[0].title)
            draft.standard = named[0].code
            return draft
        if q.feature:
            return A.Draft.reply("feature", t(f"answers.features.{q.feature}"))
        return A.Draft.reply("help", t("answers.help", examples=self._examples(q, session)))

    def _refuse(self, q: Query, session: Document | None) -> A.Draft:
        return A.Draft.reply("refused", t(f"answers.refuse_{q.declined}" if q.declined else "answers.refuse_secret"))

    def _examples(self, q: Query, session: Document | None) -> str:
        """What the person could ask instead, about the standard they named, with codes that standard prints."""
        current = sorted((d for d in self.catalog.current() if isinstance(d, Standard) and d.tasks and d.knowledge),
                         key=lambda d: d.code)
        doc = self.target(q, session) or next(iter(current), None)
        coded = doc if isinstance(doc, Standard) and doc.tasks and doc.knowledge else next(iter(current), None)
        if doc is None or coded is None:
            return ""
        return t("answers.example_questions", title=doc.title, std=coded.title,
                 task=coded.tasks[min(1, len(coded.tasks) - 1)].code, knowledge=next(iter(coded.knowledge)))


def _as_printed(q: Query, doc: Document, field: str) -> str:
    """The field as the document's own columns name it: the older layout heads its T1–T10 column 工作任務 (and its
    T1.1 … column 工作活動), so 「工作任務」 asked of it means its duties."""
    older = isinstance(doc, Standard) and doc.layout == OLDER_LAYOUT
    if older and field == "tasks" and OLDER_TASK_WORD in q.text and OLDER_ACTIVITY_WORD not in q.text:
        return "duties"
    return field


def _code_typed(q: Query, doc: Document) -> bool:
    """True when the question spells the document's own code (not only its title)."""
    return any(code.upper() == doc.code.upper() for code in standard_codes(q.text))


def _one_per_family(docs: list[Document]) -> list[Document]:
    seen: set[str] = set()
    out = []
    for d in docs:
        if d.family not in seen:
            seen.add(d.family)
            out.append(d)
    return out


def _unique(values):  # type: ignore[no-untyped-def]
    out: list = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def _distinct_meta(fields: list[str]) -> list[str]:
    """A standard's level is one fact however it was asked (「基準級別是幾級」 reads both 基準級別 and 級別)."""
    return [f for f in fields if not (f == "level" and "std_level" in fields)]


_SORT_FIELD = {"K": "knowledge", "S": "skills", "A": "attitudes", "P": "indicators", "O": "outputs"}


def _printed_of_sort(doc: Standard, letter: str) -> list[str]:
    """The codes of one sort a standard prints, in order (「A01」…「A07」)."""
    tables = {"K": doc.knowledge, "S": doc.skills, "A": doc.attitudes}
    if letter in tables:
        return sorted(tables[letter], key=lambda c: (len(c), c))
    if letter in ("P", "O"):
        return [i.code for task in doc.tasks for i in (task.indicators if letter == "P" else task.outputs)]
    return []


def _names_output(text: str, name: str) -> bool:
    """The question names a printed output: all of it, or the end of it that says what it is (「需求規格書」 for
    軟體需求規格書), four characters at least and most of the name."""
    ending = next((name[i:] for i in range(len(name)) if name[i:] in text), "")
    return len(ending) >= max(MIN_OUTPUT_CHARS, round(0.6 * len(name)))


def _one_each(docs: list[Document]) -> list[Document]:
    return list({d.code: d for d in docs}.values())


def _forget_premise_conditions(q: Query) -> None:
    """「既然 T2.5 是 4 級，它的知識有哪些」: the level the premise states filters nothing in the question after it."""
    rest = re.split(r"[，,]", q.text, maxsplit=1)[-1]
    kept = find_conditions(rest)
    q.conditions = [c for c in q.conditions if c in kept]
    if q.kind == "filter" and not q.conditions and q.has_codes:
        q.kind = "lookup"


def _corrected(correction: A.Draft, answer: A.Draft) -> A.Draft:
    """A wrong premise's correction, then the answer to the question asked after it."""
    out = A.Draft(answer.intent, standard=answer.standard, choices=answer.choices)
    out.lines = [*correction.lines, ""]
    out.citations = list(correction.citations)
    if answer.lines[:1] == correction.lines[:1]:
        answer.lines = answer.lines[1:]  # the same standard's header once
    out.extend(answer)
    return out


__all__ = ["Router", "find_item", "tasks_using"]

