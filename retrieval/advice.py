"""Advice for a person, not code lists.

- career_fit: a person describes their work (「我會 Docker 跟 CI/CD，做過部署自動化，最接近哪一份」). Each clause of the
  description is matched against the tasks, indicators, knowledge and skills of every current document; a document
  earns a vote from each clause it answers (relative to that clause's best match), so a long standard does not win
  on size. The answer says which document fits best and why (the clauses and the tasks they met), what it asks that
  the person did not mention, and the runner-up; words about education or experience add its entry requirements.
- learning_plan: 「想當 X 要先學什麼」: X's knowledge and skills without repeats, with names, in the order a newcomer
  meets the tasks (lower 職能級別 first, then as printed), as a starting point and a few steps; the full list is a
  follow-up button.
- entry_check: 「我有五年經驗，入門條件夠嗎」: the entry requirements as printed, the years they ask beside the years
  the person gave, and the level.
Nothing here states a code the documents do not print.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache

from index.catalog import Catalog, tasks_using
from index.model import Document, Item, Standard, Task, Unit
from prompts import raw, t
from retrieval import answer as A
from retrieval.find import chunk_item
from retrieval.names import DEPARTMENT
from retrieval.normalize import concepts, everyday, gloss
from retrieval.search import Filters, Hit, HybridSearch, content_tokens
from retrieval.understand import Query, mentions_background, number

FIT_TYPES = ("task", "indicator", "output", "knowledge", "skill", "unit_item", "section", "unit_note")
CLAUSE_HITS = 12
MAX_MEANINGS = 4  # clauses a description is read by meaning with, the longest; the rest (「Java」「網路」) by their words
REASONS = 4
MISSING = 3
ENTRY_CANDIDATES = 3  # standards whose entry requirements are set against a person's background, none being named
STEPS = 4
STEP_ITEMS = 5
_SPLIT = re.compile(r"[，,、。；;！!？?…\n]+|\.{2,}|\.\s+|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])|(?:和|跟(?![進蹤著上])|以及|還有|並且|而且|也會|也有|也做過|\band\b|\bplus\b|\balso\b)")
# where the person works, told as a clause of its own: 「我在一間做雲端 SaaS 的公司做 support」"I work at an integrator"
_SETTING = re.compile(r"(?:在|喺)[^，,。]{0,14}(?:公司|企業|團隊|部門|工作室|平臺|平台|網店|商店)|"
                      r"\bwork(?:s|ing)? (?:at|for|in)\b|\bI'm (?:at|with)\b", re.I)
LONG_CLAUSE = 5  # English words before a lone 'and X' that make X part of the clause's object
VOTES = (1.0, 0.5, 0.25)  # what a clause gives the document it matches best, second best, third
_YEARS = re.compile(r"(\d+|[一二兩三四五六七八九十]+)\s*(?:年|years?)", re.I)


@dataclass
class Vote:
    """What one clause of the description met in one document."""

    clause: str
    strength: float
    hit: Hit


@dataclass
class Fit:
    doc: Document
    votes: list[Vote] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(v.strength for v in self.votes)

    @property
    def firsts(self) -> int:
        """How many clauses this document matches best."""
        return sum(1 for v in self.votes if v.strength == VOTES[0])


def clauses_of(text: str) -> list[str]:
    """The parts of a description that each say one thing the person does or knows (the question asked of them,
    「最接近哪一份」, is no part of it)."""
    parts = _joined_fragments([p.strip(" 的了過") for p in _SPLIT.split(text)])
    told = [p for p in parts if len(p) >= 2 and content_tokens(p)]
    kept = [p for n, p in enumerate(told) if not _asks(p, last=n == len(told) - 1)
            and describes_own_work(p)]  # 「我有五年經驗」 says how long, not what: no clause to match
    return kept or [text]


def _only_setting(clause: str) -> bool:
    """「我在一間做雲端 SaaS 的公司做 support engineer」 tells where, not what; 「我在電商公司負責研究要不要開跨境站」 both."""
    m = _SETTING.search(clause)
    if m is None:
        return False
    rest = clause[: m.start()] + clause[m.end() :]
    return len(re.sub(r"[我你他她的做在是了一間家]", "", "".join(re.findall(r"[\u4e00-\u9fff]", rest)))) < 4 and len(
        re.findall(r"[A-Za-z]{2,}", rest)) <= 3


def _joined_fragments(parts: list[str]) -> list[str]:
    """"…review with the vendors and stakeholders" split at 'and' leaves "stakeholders", the end of a long clause's
    object, not a thing done: it goes back to that clause. After a short one ("I know Java and databases") it is a
    thing known of its own."""
    out: list[str] = []
    for part in parts:
        if out and re.fullmatch(r"[A-Za-z\-]+", part.strip()) and len(re.findall(r"[A-Za-z]+", out[-1])) >= LONG_CLAUSE:
            out[-1] = f"{out[-1]} and {part.strip()}"
        else:
            out.append(part)
    return out


def _asks(clause: str, last: bool) -> bool:
    """The question asked of the telling (「最接近哪一份」). Words that also tell work (「適合公司的電商模式」"a
    recommendation report") ask only in the last clause."""
    low = clause.lower()
    weak = [w.lower() for w in raw("answers.advice.asking_also_work")]
    return any(w in low for w in raw("answers.advice.asking") if w.lower() not in weak or last)


def clause_queries(text: str) -> dict[str, str]:
    """Each clause of a description, with the words it is searched by."""
    return dict(_clause_queries(text))


@lru_cache(maxsize=256)
def _clause_queries(text: str) -> tuple[tuple[str, str], ...]:
    """Read once per description: the kind reading and the advice both split it."""
    return tuple((clause, _clause_query(clause)) for clause in clauses_of(text))


def clause_meanings(queries: dict[str, str]) -> list[str]:
    """What the model reads of each clause: the clause in the documents' words where the glossary knows them (「I run
    驗收測試」), without the concepts the words search by; "" for a clause searched by its words alone (beyond MAX_MEANINGS).
    Every token costs about half a millisecond to embed here, every clause two more, and the clause said twice (as
    typed and glossed) would cost twice (issue 21: career advice within 60 ms)."""
    meanings = [gloss(_without_opening(clause)) for clause in queries]
    kept = set(sorted(range(len(meanings)), key=lambda i: -len(meanings[i]))[:MAX_MEANINGS])
    return [m if i in kept else "" for i, m in enumerate(meanings)]


# 「我平常負責…」「本人會…」: how a clause opens says who and how often, nothing of the work the model should read
_OPENING = re.compile(r"^(?:我們|我|本人|自己|平常|平時|每天|每日|常常|經常|通常|主要是|主要|也|還要|還|都|負責|在做|在|要|會)+")


def _without_opening(clause: str) -> str:
    rest = _OPENING.sub("", clause).strip()
    return rest if len(rest) >= 2 else clause


def _clause_query(clause: str) -> str:
    """A clause searched with the documents' words for it (English and everyday words glossed, tools as concepts)."""
    glossed = gloss(clause)
    return " ".join([clause, *([glossed] if glossed != clause else []), *concepts(clause), *everyday(clause)])


class Advisor:
    def __init__(self, catalog: Catalog, search: HybridSearch) -> None:
        self.catalog = catalog
        self.search = search

    # ------------------------------------------------------------ which standard fits
    def fits(self, text: str, docs: list[Document] | None = None) -> list[Fit]:
        """Documents by how many clauses of the description they answer."""
        fits: dict[str, Fit] = {}
        allowed = [d.code for d in docs] if docs else []
        queries = clause_queries(text)
        meanings = clause_meanings(queries)
        filters = Filters(standards=allowed, item_types=FIT_TYPES)
        self.search.prime([m for m in meanings if m], CLAUSE_HITS, filters)  # searched with the very texts primed
        for (clause, query), meaning in zip(queries.items(), meanings, strict=True):
            hits = self.search.search(query, k=CLAUSE_HITS, filters=filters, meaning=meaning, dense=bool(meaning))
            best: dict[str, Hit] = {}
            closeness = _closeness(hits)
            for hit in sorted(hits, key=lambda h: closeness[h.chunk.id], reverse=True):  # each document's best match
                best.setdefault(hit.chunk.standard, hit)
            for place, (code, hit) in enumerate(list(best.items())[: len(VOTES)]):
                doc = self.catalog.get(code)
                if doc is not None:
                    fits.setdefault(code, Fit(doc)).votes.append(Vote(clause, VOTES[place], hit))
        return sorted(fits.values(), key=lambda f: (-f.score, -len(f.votes), f.doc.code))

    def career_fit(self, q: Query, named: list[Document]) -> A.Draft:
        if mentions_background(q.text) and not describes_own_work(q.text):
            return self.entry_check(q, named[0] if len(named) == 1 else None)  # years and schooling, no work told
        ranked = self.fits(q.text, named or None)
        if not ranked:
            return A.Draft.reply("career_fit", t("answers.advice.no_fit"))
        newcomer = own_years(q.text) == 0 and not named
        if newcomer:  # 「剛畢業，只做過專題網站」: a standard open to newcomers first
            ranked.sort(key=lambda f: _fewest_years(f.doc) > 0)
        best = ranked[0]
        draft = A.Draft("career_fit", standard=best.doc.code)
        lead = "answers.advice.best_for_newcomer" if newcomer and not _fewest_years(best.doc) else "answers.advice.best"
        draft.say(t(lead, std=f"{best.doc.code} {best.doc.title}", kind=best.doc.kind, met=best.firsts,
                    said=len(clauses_of(q.text)), level=best.doc.level or "—"))
        met = self._reasons(draft, best)
        _cite_second(draft, best.doc)  # the closest task first: the reason the standard is named
        self._missing(draft, best.doc, met)
        if len(ranked) > 1 and ranked[1].firsts:
            second = ranked[1]
            draft.say(t("answers.advice.second", std=f"{second.doc.code} {second.doc.title}", met=second.firsts))
            draft.cite(second.doc, second.doc.code, second.doc.title)
        if mentions_background(q.text):
            self._entry(draft, best.doc, q.text)
        draft.say(t("answers.advice.next", code=best.doc.code))
        return draft

    def _reasons(self, draft: A.Draft, fit: Fit) -> set[str]:
        """「部署自動化」→ T2.4 維護或新增功能: each clause with the task it met. Returns the tasks met."""
        met: set[str] = set()
        firsts = [v for v in fit.votes if v.strength == VOTES[0]]
        tasks = {id(v): _task_of(fit.doc, v.hit, v.clause) for v in firsts}
        told = Counter(task.code for v in firsts if (task := tasks[id(v)]) is not None and not _only_setting(v.clause))
        # the task most of the telling meets first (the closest match among equals): the reason the standard is named;
        # where the person works (「我在一間做雲端 SaaS 的公司」) helps choose the standard but is no task done
        ranked = sorted(firsts, key=lambda v: (_only_setting(v.clause),
                                               -told[tasks[id(v)].code] if tasks[id(v)] else 0, -v.hit.similarity))
        for vote in ranked[:REASONS]:
            task = tasks[id(vote)]
            code, text = _item_of(fit.doc, vote.hit)
            if task is not None and isinstance(fit.doc, Standard):
                met.add(task.code)
                key = "answers.advice.reason" if code != task.code else "answers.advice.reason_task"
                draft.say(t(key, clause=vote.clause, task=task.code, title=task.title, code=code, text=text))
                draft.cite(fit.doc, task.code, task.title)
            else:
                draft.say(t("answers.advice.reason_item", clause=vote.clause, code=code, text=text))
            draft.cite(fit.doc, code, text)
        return met

    def _missing(self, draft: A.Draft, doc: Document, met: set[str]) -> None:
        if not isinstance(doc, Standard):
            return
        rest = [task for task in _newcomer_order(doc) if task.code not in met][:MISSING]
        if rest:
            draft.say(t("answers.advice.missing", tasks=t("answers.list_sep").join(f"{x.code} {x.title}" for x in rest)))
            for task in rest:
                draft.cite(doc, task.code, task.title)

    # ------------------------------------------------------------ entry requirements
    def entry_check(self, q: Query, doc: Document | None) -> A.Draft:
        """「我有五年網路維運經驗，入門條件夠嗎」: the entry requirements of the standard in play, or, none being named,
        of the few that fit what the person says (or, when they say only their schooling and years, of the ones
        asking least), each with what their years mean against it."""
        if doc is not None:
            draft = A.start("entry", doc, self.catalog)
            self._entry(draft, doc, q.text, titled=False)
            return draft
        candidates = self._entry_candidates(q.text)
        if not candidates:
            return A.Draft.reply("entry", t("answers.advice.no_fit"))
        draft = A.Draft("entry", standard=candidates[0].code if len(candidates) == 1 else None)
        draft.say(t("answers.advice.entry_each" if len(candidates) > 1 else "answers.advice.entry_one"))
        for candidate in candidates:
            self._entry(draft, candidate, q.text)
        return draft

    def _entry_candidates(self, text: str) -> list[Document]:
        printing = [d for d in self.catalog.current() if isinstance(d, Standard) and d.entry_requirements]
        if describes_own_work(text):
            return [f.doc for f in self.fits(text, printing) if f.votes][:ENTRY_CANDIDATES]
        return sorted(printing, key=lambda d: (_fewest_years(d), d.level or 0, d.code))[:ENTRY_CANDIDATES]

    def _entry(self, draft: A.Draft, doc: Document, text: str, titled: bool = True) -> None:
        lines = doc.entry_requirements if isinstance(doc, Standard) else []
        key = "answers.advice.entry_heading" if titled else "answers.advice.entry_heading_here"
        draft.say(t(key, std=f"{doc.code} {doc.title}", level=doc.level or "—"))
        draft.cite(doc, doc.code, doc.title)
        for line in lines:
            draft.say(t("answers.bullet", text=line))
        if not lines:
            draft.say(t("answers.entry_none"))
            return
        said = own_years(text)
        if said is None:
            return
        asked = _fewest_years(doc)
        if not asked:
            draft.say(t("answers.advice.years_none"))
        elif said == 0:
            draft.say(t("answers.advice.years_fresh", asked=asked))
        else:
            draft.say(t("answers.advice.years_meet" if said >= asked else "answers.advice.years_short", said=said,
                        asked=asked))

    # ------------------------------------------------------------ what to learn first
    def learning_plan(self, doc: Document, background: str = "") -> A.Draft:
        """Where to start and what to learn first; with `background` (「我做了兩年客服，想轉雲端開發，還差多少」) the
        entry requirements against the years told come before it."""
        draft = A.start("learning_plan", doc, self.catalog)
        if background:
            self._entry(draft, doc, background, titled=False)
            draft.say("")
        if isinstance(doc, Unit):
            self._unit_plan(draft, doc)
            return draft
        steps = _steps(doc)
        if not steps:
            draft.say(t("answers.advice.nothing_to_learn"))
            return draft
        first_tasks, _ = steps[0]
        draft.say(t("answers.advice.start", task=first_tasks[0].code, title=first_tasks[0].title,
                    level=first_tasks[0].level or "—"))
        for n, (tasks, items) in enumerate(steps, 1):
            where = t("answers.list_sep").join(f"{x.code} {x.title}" for x in tasks)
            draft.say(t("answers.advice.step", n=n, tasks=where))
            for task in tasks:
                draft.cite(doc, task.code, task.title)
            for item in items:
                draft.say(t("answers.advice.step_item", code=item.code, text=item.name or item.text))
                draft.cite(doc, item.code, item.full_text)
        total = len({i.code for _, items in _all_steps(doc) for i in items})
        shown = sum(len(items) for _, items in steps)
        if total > shown:
            draft.say(t("answers.advice.more", n=total - shown))
        draft.follow_ups.append((t("answers.advice.full_list"), t("answers.advice.full_list_question", code=doc.code)))
        return draft

    def _unit_plan(self, draft: A.Draft, unit: Unit) -> None:
        draft.say(t("answers.advice.unit_start", level=unit.level or "—"))
        for item in [*unit.knowledge.values(), *unit.skills.values()]:
            draft.say(t("answers.advice.step_item", code=item.code, text=item.name or item.text))
            draft.cite(unit, item.code, item.full_text)


def _cite_second(draft: A.Draft, doc: Document) -> None:
    """The standard itself cited right after the first reason (or first, when no reason could be given)."""
    draft.cite(doc, doc.code, doc.title)
    draft.citations.insert(min(1, len(draft.citations) - 1), draft.citations.pop())


def _closeness(hits: list[Hit]) -> dict[str, float]:
    """How well each passage answers a clause: its fused rank (the words and the meaning) and the model's similarity
    (the meaning alone), each as a share of the clause's best, added."""
    top_score = max((h.score for h in hits), default=0.0) or 1.0
    top_sim = max((h.similarity for h in hits), default=0.0) or 1.0
    return {h.chunk.id: h.score / top_score + h.similarity / top_sim for h in hits}


def _newcomer_order(std: Standard) -> list[Task]:
    """Tasks a newcomer meets first: lower 職能級別 first, then as printed."""
    printed = {task.code: n for n, task in enumerate(std.tasks)}
    return sorted(std.tasks, key=lambda task: (task.level or 99, printed[task.code]))


def _all_steps(std: Standard) -> list[tuple[list[Task], list[Item]]]:
    """Per task in newcomer order, the knowledge and skills it brings that earlier tasks did not."""
    seen: set[str] = set()
    out = []
    for task in _newcomer_order(std):
        items = [std.knowledge[c] for c in task.knowledge if c in std.knowledge]
        items += [std.skills[c] for c in task.skills if c in std.skills]
        fresh = [i for i in items if i.code not in seen]
        seen.update(i.code for i in fresh)
        if fresh:
            out.append(([task], fresh))
    return out


def _steps(std: Standard) -> list[tuple[list[Task], list[Item]]]:
    """At most STEPS steps: tasks of equal level merged until each step is worth taking, items capped per step."""
    merged: list[tuple[list[Task], list[Item]]] = []
    for tasks, items in _all_steps(std):
        if merged and (len(merged) >= STEPS or len(merged[-1][1]) < 2):
            merged[-1][0].extend(tasks)
            merged[-1][1].extend(items)
        else:
            merged.append((list(tasks), list(items)))
    return [(tasks, items[:STEP_ITEMS]) for tasks, items in merged]


def _task_of(doc: Document, hit: Hit, clause: str = "") -> Task | None:
    """The task a hit belongs to; a knowledge or skill several tasks list goes to the one whose own words the clause
    shares most (「看 log file」 and S08 日誌檔判讀能力: T2.4, whose indicator reads 日誌檔, not the first to list it)."""
    if not isinstance(doc, Standard):
        return None
    if hit.chunk.item_type == "task":
        return doc.task(hit.chunk.code)
    if hit.chunk.task:
        return doc.task(hit.chunk.task)
    used = tasks_using(doc, hit.chunk.code)
    if len(used) > 1 and clause:
        told = set(content_tokens(_clause_query(clause)))
        return max(used, key=lambda task: len(told & set(content_tokens(_task_words(task)))))  # the first on a tie
    return used[0] if used else None


def _task_words(task: Task) -> str:
    return " ".join([task.title, *(i.text for i in task.indicators), *(o.text for o in task.outputs)])


def _item_of(doc: Document, hit: Hit) -> tuple[str, str]:
    return chunk_item(doc, hit.chunk)


def _years(text: str) -> int | None:
    found = [number(m.group(1)) for m in _YEARS.finditer(text)]
    return max(found) if found else None


def own_years(text: str) -> int | None:
    """The years of experience a person says they have: 0 for 「剛畢業」「沒經驗」, None when they say nothing."""
    said = _years(text)
    if said is None and any(word in text.lower() for word in raw("answers.advice.no_experience")):
        return 0
    return said


def _fewest_years(doc: Document) -> int:
    """The fewest years of experience any of a standard's alternative entry requirements asks for (0: none)."""
    lines = doc.entry_requirements if isinstance(doc, Standard) else []
    asked = [_years(line) or 0 for line in lines]
    return min(asked) if asked else 0


@cache
def _not_work_words() -> list[str]:
    """Schooling, years, the question itself and entry words, longest first (prompts/answers.toml [advice])."""
    words = {*raw("answers.advice.background"), *raw("answers.advice.asking"), *raw("answers.advice.no_experience"),
             *raw("answers.advice.entry_words")}
    return sorted({w.lower() for w in words}, key=len, reverse=True)


def describes_own_work(text: str) -> bool:
    """Something besides schooling, years and the question itself: work the person did (「網路維運」)."""
    low = DEPARTMENT.sub(" ", _YEARS.sub(" ", text.lower()))
    for word in _not_work_words():
        low = low.replace(word, " ")
    cjk = re.findall(r"[\u4e00-\u9fff]", re.sub(r"[我你有的了過在做是也和跟夠能會要]", "", low))
    latin = [w for w in re.findall(r"[a-z][a-z+#.]{2,}", low) if w not in raw("answers.advice.english_filler")]
    return len(cjk) >= 3 or len(latin) >= 1
