"""Questions that carry a claim, and questions about temperament.

- A claim about a code (「S03 是不是程式設計能力？」, 「T1.3 的產出是需求規格書對嗎」, "is S03 programming?"): what the
  code really is, whether the claim holds, and where the claimed thing is when it is elsewhere (「講程式設計的是
  S04 程式撰寫能力」, 「需求規格書是 T1.2 的產出」).
- Temperament (「這份工作需要很會溝通嗎」, 「要很細心嗎」): the attitudes and skills the standard lists about it, with a
  plain yes when one names it and a plain "not in those words" when none does.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

from index.catalog import Catalog, find_item, tasks_using
from index.model import Document, Item, Standard, Task
from prompts import t
from retrieval import answer as A
from retrieval.normalize import gloss
from retrieval.search import Filters, HybridSearch
from retrieval.understand import Query

TRAITS_FILE = Path(__file__).parent / "data" / "traits.toml"
ELSEWHERE = 2  # items shown where the claimed thing is
TRAIT_ITEMS = 5
_SORT = {"K": ("knowledge",), "S": ("skill",), "A": ("attitude",), "P": ("indicator",), "O": ("output",)}
_LEVEL_CLAIM = re.compile(r"(?:職能)?(?:級別|等級|level)\s*(\d)|(\d)\s*級")
_FIELD_SORT = {"outputs": "output", "indicators": "indicator", "knowledge": "knowledge", "skills": "skill"}
_CLAIM = re.compile(
    r"(?:是不是|是否為|是否是|是否|就是|應該是|是|屬於|有)\s*[「『\"]?(?P<claim>[^「」『』\"？?。，,]{2,30}?)[」』\"]?\s*"
    r"[，,]?\s*(?:嗎|吧|對嗎|對吧|對不對|沒錯吧|沒錯嗎|是嗎|沒錯|對|耶|[?？]|$)"
    r"|\bis\s+(?:it\s+)?(?:an?\s+|the\s+)?(?P<en>[a-z][a-z \-]{2,40}?)\s*\?"
    r"|(?P<en2>[a-z][a-z \-]{2,40}?),\s*(?:right|correct)\s*\?", re.I)


def claim_of(q: Query) -> str:
    """What a question about one code claims it is (empty: no claim). 「S03 是不是程式設計能力？」 -> 程式設計能力."""
    codes = [*q.tasks, *q.items]
    if len(codes) != 1:
        return ""
    after = q.text[q.text.find(codes[0]) + len(codes[0]):]
    m = _CLAIM.search(after)
    if m is None:
        return ""
    claim = (m.group("claim") or m.group("en") or m.group("en2") or "").strip()
    if claim.isascii():
        claim = gloss(claim)  # an English claim in the documents' words, where the glossary knows them
        if claim.isascii():
            return ""
    for word in _field_words():
        claim = claim.removeprefix(word).strip()
    asks = any(word in claim.lower() for word in _empty_claims())  # 「K47 是哪些工作活動要用的」 asks, claims nothing
    return "" if len(claim) < 2 or asks else claim


@cache
def _field_words() -> list[str]:
    with TRAITS_FILE.open("rb") as f:
        return sorted(tomllib.load(f)["claims"]["field_prefixes"], key=len, reverse=True)


@cache
def _empty_claims() -> frozenset[str]:
    with TRAITS_FILE.open("rb") as f:
        return frozenset(w.lower() for w in tomllib.load(f)["claims"]["not_claims"])


@cache
def _traits() -> list[tuple[str, str]]:
    with TRAITS_FILE.open("rb") as f:
        data = tomllib.load(f)["traits"]
    return sorted(((word, stem) for stem, words in data.items() for word in [stem, *words]), key=lambda p: -len(p[0]))


def trait_of(text: str) -> str:
    """The temperament a question asks about (「很會溝通」 -> 溝通), as the documents word it; empty: none."""
    low = text.lower()
    return next((stem for word, stem in _traits() if word.lower() in low), "")


class Claims:
    def __init__(self, catalog: Catalog, search: HybridSearch) -> None:
        self.catalog = catalog
        self.search = search

    # ------------------------------------------------------------ a claim about a code
    def check(self, q: Query, doc: Document, claim: str) -> A.Draft | None:
        """The answer to a claim about the question's code in `doc`; None when the code is not in it."""
        code = (q.tasks or q.items)[0]
        level = _LEVEL_CLAIM.search(claim)
        if q.tasks and isinstance(doc, Standard) and level and doc.task(code):
            return self._level_claim(doc, doc.task(code), int(level.group(1) or level.group(2)))  # type: ignore[arg-type]
        if q.tasks and isinstance(doc, Standard):
            task = doc.task(code)
            field = next((f for f in q.fields if f in _FIELD_SORT), "outputs")
            return self._task_claim(doc, task, field, claim) if task else None
        item = find_item(doc, code)
        return self._item_claim(doc, item, claim) if item else None

    def _level_claim(self, doc: Standard, task: Task, level: int) -> A.Draft:
        draft = A.start("claim", doc, self.catalog)
        key = "answers.claim_level_yes" if task.level == level else "answers.claim_level_no"
        draft.say(t(key, task=task.code, title=task.title, level=task.level or "—", claimed=level))
        draft.cite(doc, task.code, task.title)
        return draft

    def _item_claim(self, doc: Document, item: Item, claim: str) -> A.Draft:
        draft = A.start("claim", doc, self.catalog)
        holds = _says(item.full_text, claim)
        draft.say(t("answers.claim_item_yes" if holds else "answers.claim_item_no", code=item.code, text=item.text,
                    claim=claim))
        draft.cite(doc, item.code, item.full_text)
        if not holds:
            self._elsewhere(draft, doc, claim, _SORT.get(item.code[:1], ()), exclude=item.code)
        return draft

    def _task_claim(self, doc: Standard, task: Task, field: str, claim: str) -> A.Draft:
        draft = A.start("claim", doc, self.catalog)
        items = task.outputs if field == "outputs" else task.indicators if field == "indicators" else [
            i for i in (doc.knowledge.get(c) or doc.skills.get(c) for c in [*task.knowledge, *task.skills]) if i]
        holding = [i for i in items if _says(i.full_text, claim)]
        key = "answers.claim_task_yes" if holding else "answers.claim_task_no"
        noun = t(f"answers.count_noun_{field}")
        draft.say(t(key, task=task.code, title=task.title, noun=noun, claim=claim))
        draft.cite(doc, task.code, task.title)
        for n, item in enumerate(holding or items, 1):
            draft.say(t("answers.numbered", n=n, code=item.code, text=item.text))
            draft.cite(doc, item.code, item.full_text)
        if not holding:
            self._elsewhere(draft, doc, claim, (_FIELD_SORT[field],), exclude="")
        return draft

    def _elsewhere(self, draft: A.Draft, doc: Document, claim: str, sorts: tuple[str, ...], exclude: str) -> None:
        """Where in the same document the claimed thing is: the items whose text names it, else the closest ones."""
        hits = self.search.search(claim, k=8, filters=Filters(standards=[doc.code], status=None, item_types=sorts))
        found = [h for h in hits if h.chunk.code.split("/")[-1] != exclude and _says(h.chunk.text, claim)][:ELSEWHERE]
        if not found:
            draft.say(t("answers.claim_nowhere", claim=claim))
            return
        draft.say(t("answers.claim_elsewhere", claim=claim))
        for hit in found:
            code = hit.chunk.code.split("/")[-1]
            item = find_item(doc, code)
            if item is None:
                continue
            where = _holder(doc, code)
            draft.say(t("answers.claim_where", code=code, text=item.text, where=where))
            draft.cite(doc, code, item.full_text)

    # ------------------------------------------------------------ temperament
    def trait(self, q: Query, trait: str, docs: list[Document]) -> A.Draft:
        filters = Filters(standards=[d.code for d in docs], item_types=("attitude", "skill", "knowledge"))
        hits = self.search.search(f"{trait} {q.topic or q.text}", k=TRAIT_ITEMS * 2, filters=filters)
        naming = [h for h in hits if trait in h.chunk.text]
        shown = (naming or hits)[:TRAIT_ITEMS]
        draft = A.Draft("trait", standard=docs[0].code if len(docs) == 1 else None)
        if len(docs) == 1:
            draft.say(A.header(docs[0], self.catalog))
        draft.say(t("answers.trait_yes" if naming else "answers.trait_none", trait=trait))
        for n, hit in enumerate(shown, 1):
            doc = self.catalog.get(hit.chunk.standard)
            item = find_item(doc, hit.chunk.code) if doc else None
            if doc is None or item is None:
                continue
            where = t("answers.trait_std", code=doc.code) if len(docs) != 1 else ""
            draft.say(t("answers.trait_item", n=n, code=item.code, text=item.text, where=where))
            draft.cite(doc, item.code, item.full_text)
            if isinstance(doc, Standard):
                used = tasks_using(doc, item.code)
                if used:
                    draft.say(t("answers.item_used_in", tasks=t("answers.list_sep").join(
                        f"{u.code} {u.title}" for u in used)))
                    for task in used:
                        draft.cite(doc, task.code, task.title)
        return draft


def _says(text: str, claim: str) -> bool:
    """The item's text names the claimed thing: the claim, or all but its last character (能力/技能 endings aside)."""
    squeeze = re.sub(r"\s+", "", text)
    core = re.sub(r"(能力|技能|知識|的能力)$", "", re.sub(r"\s+", "", claim))
    return bool(core) and (core in squeeze or (len(core) >= 4 and core[:-1] in squeeze))


def _holder(doc: Document, code: str) -> str:
    if not isinstance(doc, Standard):
        return ""
    used = tasks_using(doc, code)
    if not used:
        return ""
    return t("answers.claim_in_tasks", tasks=t("answers.list_sep").join(f"{u.code} {u.title}" for u in used))
