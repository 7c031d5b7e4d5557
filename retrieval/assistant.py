"""The assistant: a question (and the chat's chosen standard) in, an Answer with citations out.

understand (retrieval/understand.py) -> route (retrieval/route.py) -> compose (answer, select,
compare, find) -> one Answer. `explain` shows the first two steps and the passages searched; `show` composes
a document or one of its items (`competency-bot show`) through the same router.

Everything it reads a question with is built from one catalog, as one `Parts` snapshot: the catalog holder
(index/holder.py) has it build the next snapshot when a reload swaps the catalog, and a question in flight
finishes on the snapshot it started with.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index import codes
from index.catalog import Catalog
from index.chunk import chunk_catalog, corpus_key
from index.holder import CatalogHolder
from index.model import Document
from index.text import MAX_QUESTION_CHARS, has_words
from prompts import speaking, t
from retrieval.advice import Advisor, clause_meanings, clause_queries
from retrieval.answer import Draft
from retrieval.claims import Claims
from retrieval.compare import Meaning
from retrieval.dialogue import (
    HISTORY,
    Dialogue,
    Resolved,
    Turn,
    across,
    asks_what_fits_work,
    clauses,
    holds,
    language,
    record,
)
from retrieval.find import Finder, Scope, chunk_item
from retrieval.kinds import DENSE, LEARNED_OUTSIDE, OUTSIDE
from retrieval.names import SET_SIDE_BY_SIDE
from retrieval.normalize import normalize
from retrieval.plan import Plan
from retrieval.route import Router
from retrieval.search import Filters, HybridSearch
from retrieval.types import Answer, Citation
from retrieval.understand import (
    OOS_MARGIN,
    SECRET_ASKED,
    Query,
    Reader,
    defined_term,
    describes_work,
    field_words,
    oos_margin,
)

log = logging.getLogger(__name__)
OUT_OF_SCOPE = LEARNED_OUTSIDE  # what the classifier may read as outside the documents
CORPUS_COVERAGE = 0.6  # share of a question's words the documents hold, above which "outside" is doubted
OOS_TIE = 0.01  # an 'outside' reading this close to one inside is a tie: the evidence (the passages) decides
DENSE_KINDS = DENSE
OCCUPATION_TAIL = 4  # the characters of an occupation word looked for in the documents (「執行人員」 of 「務執行人員」)
_NOTHING_TO_LEAN_ON = frozenset({"out_of_scope", "refused", "unknown_standard", "unknown_code"})
_WHAT_ABOUT = re.compile(r"^\s*(?:那|至於)?\s*\S{1,16}?\s*(?:呢|的呢)\s*[?？]?\s*$|^\s*(?:and\s+)?what about\b", re.I)  # left to the dialogue
# a second half asking again of another standard ("…has how many, and the cloud one has how many?"): narrower than
# dialogue.ASKS, whose "is/are/do" would cut "When were A and B last updated?" in two
_ASKS_AGAIN = re.compile(r"幾|多少|什麼|甚麼|哪|嗎|呢|\b(?:how many|how much|what|which|when)\b", re.I)
# where a message of two questions, each naming its own standard and code, may be cut in two
_JOIN = re.compile(r"[，,;；]\s*(?:and\s+|而且?|還有|另外|以及|至於|那)?\s*|(?<=[？?])\s*(?=\S)|\s+and\s+(?=(?:what|which|how|list|show|the|its|in)\b)|"
                   r"\s+(?:vs\.?|versus|compared (?:to|with))\s+|"
                   r"(?:還有|另外|以及|至於)|"
                   rf"(?<=\d)\s*(?:跟|和|與)\s*(?=[^，,。？?]*?(?<![A-Za-z0-9]){codes.ITEM_CODE})", re.I)  # 「雲端的 T2.1 跟電商的 T2.1」


@dataclass(frozen=True)
class Parts:
    """What questions are read and answered with, all built from one catalog."""

    catalog: Catalog
    search: HybridSearch
    reader: Reader
    finder: Finder
    router: Router
    dialogue: Dialogue


class Assistant:
    def __init__(self, catalog: Catalog | CatalogHolder, search: HybridSearch, model: str = "",
                 cache_dir: Path | None = None) -> None:
        self.model = model
        self.cache_dir = cache_dir
        self.holder = catalog if isinstance(catalog, CatalogHolder) else CatalogHolder(catalog)
        self._parts = self._build(self.holder.catalog, search)
        self.holder.follow(self.reload)

    def _build(self, catalog: Catalog, search: HybridSearch) -> Parts:
        reader = Reader(catalog, cache_dir=self.cache_dir)
        finder = Finder(catalog, search, Scope(self.model))
        meaning = Meaning.for_model(self.model, self._item_vectors if search.dense is not None else None)
        router = Router(catalog, finder.search, finder.reverse_topic, Advisor(catalog, search), Claims(catalog, search),
                        meaning)
        return Parts(catalog, search, reader, finder, router, Dialogue(reader, catalog))

    @property
    def catalog(self) -> Catalog:
        return self._parts.catalog

    @property
    def search(self) -> HybridSearch:
        return self._parts.search

    @property
    def reader(self) -> Reader:
        return self._parts.reader

    @property
    def finder(self) -> Finder:
        return self._parts.finder

    @property
    def router(self) -> Router:
        return self._parts.router

    @property
    def dialogue(self) -> Dialogue:
        return self._parts.dialogue

    def _item_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Passage vectors of item texts, from the index's embedding cache (K/S/A texts are indexed already)."""
        return self.search.dense.cache.embed(list(texts))  # type: ignore[union-attr]

    # ------------------------------------------------------------ construction
    def warm_up(self) -> None:
        """Load the lazy parts (converters, the model's first run, the vector store) before timing starts."""
        self.ask("雲端系統開發工程人員 T1.1 的行為指標")
        self.ask("软件测试的工作产出")
        self.ask("系統上線前要先測試")
        self.ask("I write test cases and automate deployments, which standard fits me")  # English, career advice
        self.ask("哪一份的任務最多")  # each document's count, and the outputs by name: built once, not on a question
        self.ask("哪個任務要交測試報告")

    @classmethod
    def lexical_only(cls, catalog: Catalog) -> Assistant:
        return cls(catalog, HybridSearch(chunk_catalog(catalog), None, None))

    def reload(self, catalog: Catalog) -> None:
        """A new corpus (the holder calls this before it swaps): the vector index syncs only the documents that
        changed, then the next snapshot replaces this one in one step."""
        chunks = chunk_catalog(catalog)
        corpus = corpus_key(catalog)
        search = self.search
        dense = search.dense
        if dense is not None and hasattr(dense, "sync"):
            log.info("index synced after reload: %s", dense.sync(chunks, corpus=corpus))
        self._parts = self._build(catalog, HybridSearch(chunks, dense, search.embed_query, cache=search.cache,
                                                        embed_queries=search.embed_queries, corpus=corpus,
                                                        lexical_standin=search.lexical_now()))

    # ------------------------------------------------------------ asking
    def ask(self, question: str, standard: str | None = None, lang: str | None = None) -> Answer:
        """One question on its own (`standard`: the one chosen earlier, used when the question names none). An
        English question (or lang="en") gets English framing around the standards' Chinese texts."""
        parts = self._parts
        split = self._clauses(parts, question or "")
        if len(split) > 1:  # 「有幾個職責？第二個職責下有哪些任務？」: each in turn
            return self._converse(parts, question, split, standard, [])
        return self._ask(parts, question, standard, lang)

    @staticmethod
    def _clauses(parts: Parts, message: str) -> list[str]:
        """The questions a message holds: those leaning on the one before (dialogue.clauses), or two codes each asked
        of its own standard ("the outputs of T2.2 in the cloud standard, and the output of T1.2 in the e-commerce
        one"), which must not be read against one standard."""
        split = clauses(message)
        if asks_what_fits_work(message):
            return split  # 「我在電商團隊做技術規劃，…，哪個職能基準最接近我」: each title told is work, not a question
        coded = len(codes.codes_in(message)) >= 2
        one_code = len(codes.codes_in(message)) == 1  # "T2.3 in the e-commerce one, and the level of INM3513-005v4"
        if len(split) > 1 or not coded and not one_code and SET_SIDE_BY_SIDE.search(message):
            return split
        for m in _JOIN.finditer(message):
            left, right = message[: m.start()], message[m.end():]
            both_coded = bool(codes.codes_in(left) and codes.codes_in(right))
            if one_code and not (codes.codes_in(left) and _ASKS_AGAIN.search(right)):
                continue  # the code's clause first, then a question of another standard
            if not has_words(right) or (not both_coded if coded else not _ASKS_AGAIN.search(right)):
                continue
            read = [parts.reader.slots(side)[0] for side in (left, right)]
            named = [set(r.standards) | set(r.soft_standards) for r in read]
            if all(named) and not named[0] & named[1]:
                asked = field_words(left) if not (read[1].fields or _WHAT_ABOUT.match(right)) else []  # the same asked
                return [left, " ".join([right.rstrip(), *asked])]
        return split

    def _ask(self, parts: Parts, question: str, standard: str | None, lang: str | None) -> Answer:
        started = time.perf_counter()
        lang = lang or language(question or "")
        with speaking(lang):
            q = self._understand(parts, question or "", standard)
            draft = self._route(parts, q, standard)
            if q.injection and q.has_codes and SECRET_ASKED.search(q.text):
                draft.say(t("answers.refuse_secret_aside"))  # the code answered, the rest declined in a line
            answer = self.finish(q, draft, lang)
        answer.turn = record(q, draft.intent, draft.standard, [(c.standard, c.code) for c in draft.citations],
                             parts.catalog, lang)
        answer.elapsed_ms = (time.perf_counter() - started) * 1000
        return answer

    def converse(self, message: str, standard: str | None, history: list[Turn]) -> Answer:
        """A message of a conversation: read against the recent turns (most recent first), each leaning clause
        answered in turn; the answer's `turn` and `resolved` tell what it was about and how it was read."""
        parts = self._parts
        return self._converse(parts, message, self._clauses(parts, message or ""), standard, history)

    def _converse(self, parts: Parts, message: str, split: list[str], standard: str | None,
                  history: list[Turn]) -> Answer:
        started = time.perf_counter()
        answers: list[Answer] = []
        for clause in split:
            resolved = parts.dialogue.resolve(clause, history)
            if resolved.how == "ambiguous":
                answers.append(self._which_one(clause, resolved))
                break
            lang = resolved.lang or language(clause)
            asked_of = resolved.standard or (None if across(clause) else standard)
            asked_of = _where_just_shown(parts, resolved.text, asked_of, history) if not resolved.standard else asked_of
            answer = self._ask(parts, resolved.text, asked_of, lang)
            answer.question, answer.resolved = clause, resolved
            answers.append(answer)
            history = [answer.turn, *history][:HISTORY] if answer.turn else history
            named = self.standards_named(clause) if len(split) > 1 else []
            # 「電商規劃人員有 9 個態度對吧？那 A09 是什麼」: A09 of the standard this message named, not the one in focus;
            # 「…態度有哪些，哪些任務會用到 S18」: S18 of the same standard
            standard = (named[0] if len(named) == 1 and answer.standard == named[0] else None) or standard or answer.standard
            if answer.choices or answer.intent in _NOTHING_TO_LEAN_ON:
                break  # 「有沒有烘焙助理的職能基準 … 還有要幾級」: the rest leans on what was not answered
        answer = _joined(message, answers)
        answer.elapsed_ms = (time.perf_counter() - started) * 1000
        return answer

    def understand(self, question: str, standard: str | None = None) -> Query:
        return self._understand(self._parts, question, standard)

    def _understand(self, parts: Parts, question: str, standard: str | None) -> Query:
        session = bool(standard and parts.catalog.get(standard))
        q = parts.reader.read(question, session=session)
        reading = None  # the vector the model read the question by, when it read it
        if not q.text:
            q.kind = "empty"
        elif self._dense_reading(parts, q):
            reading = self._reading_vector(parts, q)
            q = parts.reader.reread(q, reading, self.model, session=session)
        unsure = q.kind in OUT_OF_SCOPE and not q.outside and q.prediction and oos_margin(q, q.prediction) < OOS_MARGIN
        if unsure and self._in_corpus(parts, q):
            q.kind = "search"
        told = len(q.occupation) >= OCCUPATION_TAIL  # 「工程師」 alone is any engineer: no passage can tell it
        its_standard = re.search(rf"{re.escape(q.occupation)}\s*的?(?:職能基準|職能標準|職能單元)", q.text) if q.occupation else None
        if q.kind == "oos_occupation" and told and not its_standard and parts.finder.written(
                q.occupation[-OCCUPATION_TAIL:], exact=True):  # (「專案經理的職能基準」 asks for the occupation's own)
            q.kind = "search"  # 「…負責電子商務執行人員的回饋」: the documents' own words, no occupation asked about
        if reading is not None and self._votable(q) and parts.reader.scope_vote.outside(q.masked, reading, self.model):
            q.kind = q.outside = "oos_other"  # 「合約要貼多少印花稅」: shared words found passages; the question is not theirs
        return q

    @staticmethod
    def _votable(q: Query) -> bool:
        """What the scope vote (retrieval/scopevote.py) may call outside: a question the model read (one to be searched
        by meaning; the vector is at hand), naming no code, item or standard outright, of no kind already settled."""
        settled = q.kind in (*OUTSIDE, "empty", "help", "refuse") or bool(q.feature)
        own = q.kind in ("learning", "profile") or bool(defined_term(q))  # advice, or a term: answered on their own terms
        return not (settled or own or q.has_codes or q.named or q.standards)

    def scope_margin(self, question: str) -> float | None:
        """The scope vote's margin for a question as asked (scripts/scope_vote_margin.py); None: no vote is taken."""
        parts = self._parts
        q = parts.reader.read(question)
        if not q.text or not self._dense_reading(parts, q):
            return None
        reading = self._reading_vector(parts, q)
        q = parts.reader.reread(q, reading, self.model)
        return parts.reader.scope_vote.margin(q.masked, reading, self.model) if self._votable(q) else None

    def standards_named(self, text: str) -> list[str]:
        """The standards a text names (codes, titles, parts of titles), most certain first."""
        q, _ = self.reader.slots(text)
        return [*q.standards, *q.soft_standards]

    @staticmethod
    def _in_corpus(parts: Parts, q: Query) -> bool:
        """An unsure 'outside the documents' reading of words the documents do hold is searched instead; so is one
        that ties with a kind inside (a task told in everyday words: 「上線當天要排一張幾點幾分誰做什麼的清單」)."""
        tie = q.prediction is not None and oos_margin(q, q.prediction) <= OOS_TIE
        if parts.finder.coverage(q) < CORPUS_COVERAGE and not tie:
            return False
        return parts.finder.in_scope(q, parts.finder.hits(q, [], k=3))

    @staticmethod
    def _reading_vector(parts: Parts, q: Query) -> Any:
        """What the kind classifier reads the question with: its e5 vector; for a description of one's work (career
        advice next), the mean of its clauses' vectors, which the advice searches with anyway: the long sentence is
        then embedded once, clause by clause, instead of twice (issue 21: career advice within 60 ms)."""
        if q.standards or not (q.kind == "profile" or describes_work(q.text)):
            return parts.search.embed
        meanings = [m for m in clause_meanings(clause_queries(q.text)) if m]
        if len(meanings) < 2:
            return parts.search.embed
        parts.search.prime(meanings)
        mean = np.mean([parts.search.embed(normalize(meaning)) for meaning in meanings], axis=0)
        vector = mean / (float(np.linalg.norm(mean)) or 1.0)
        return lambda _masked: vector

    @staticmethod
    def _dense_reading(parts: Parts, q: Query) -> bool:
        """The e5 model reads the question too when its words alone leave the kind open."""
        return parts.search.embed_query is not None and not q.has_codes and (
            parts.reader.needs_dense(q) or q.kind in DENSE_KINDS)

    def route(self, q: Query, standard: str | None) -> Draft:
        return self._route(self._parts, q, standard)

    @staticmethod
    def _route(parts: Parts, q: Query, standard: str | None) -> Draft:
        if q.kind == "empty":
            return Draft.reply("empty", t("answers.empty_question"))
        session = parts.catalog.get(standard) if standard else None
        return parts.router.route(q, session)

    # ------------------------------------------------------------ a document or an item, shown whole
    def show(self, doc: Document, item: str | None = None) -> Answer | None:
        """`competency-bot show`: the document's overview and tasks, or one item of it (a task, duty, indicator,
        output, K/S/A or a 職能單元 id), composed by the router; None when the document has no such item."""
        draft = self._parts.router.show(doc, item)
        if draft is None:
            return None
        return Answer(item or doc.code, draft.intent, draft.text, draft.citations, [], 0.0, doc.code)

    def finish(self, q: Query, draft: Draft, lang: str = "zh") -> Answer:
        text = draft.text
        if len(q.raw) > MAX_QUESTION_CHARS and len(q.raw) > len(q.text) + 50:
            text += "\n" + t("answers.truncated", n=MAX_QUESTION_CHARS)
        if lang != "zh" and draft.citations:
            text += "\n" + t("answers.english_note")
        return Answer(q.raw, draft.intent, text, draft.citations, draft.choices, 0.0, draft.standard,
                      follow_ups=draft.follow_ups)

    # ------------------------------------------------------------ why an answer came out as it did
    def explain(self, question: str, standard: str | None = None, k: int = 8) -> dict[str, Any]:
        parts = self._parts
        q = self._understand(parts, question, standard)
        hits = parts.search.search(q.text, k=k, filters=Filters(status=None if q.historical else "current"))
        passages = []
        for hit in hits:
            doc = parts.catalog.get(hit.chunk.standard)
            code, text = chunk_item(doc, hit.chunk) if doc else (hit.chunk.code, hit.chunk.text)
            passages.append({"standard": hit.chunk.standard, "code": code, "text": text[:80],
                             "fused": round(hit.score, 4), "similarity": round(hit.similarity, 3),
                             "ranks": hit.sources})
        reading = q.explain()
        reading["plan"] = Plan.of(q, language(question)).explain()
        reading["session_standard"] = standard
        reading["in_scope"] = parts.finder.in_scope(q, hits) if hits else False
        reading["coverage"] = round(parts.finder.coverage(q), 2)
        return {"question": question, "understood": reading, "passages": passages}

    # ------------------------------------------------------------ inline lookups
    def lookup(self, query: str, limit: int = 10) -> list[Citation]:
        """Items for inline mode: the answer's citations (exact codes, names), else the search's best."""
        parts = self._parts
        q = self._understand(parts, query, None)
        if q.kind in ("empty", "help", *OUTSIDE):
            return []
        if q.has_items:
            docs = parts.router.named(q) or sorted(parts.router._holders(q), key=lambda d: d.status != "current")
            per_doc = [parts.router.route(q, doc).citations for doc in docs]
            firsts = [cites[0] for cites in per_doc if cites]  # the item itself, once per standard
            results = firsts + [c for cites in per_doc for c in cites[1:]]
            if results:
                return _unique_citations(results)[:limit]
        hits = parts.finder.hits(q, parts.router.named(q) if q.standards else [], k=limit)
        if not parts.finder.in_scope(q, hits):
            return []
        out = []
        for hit in hits:
            doc = parts.catalog.get(hit.chunk.standard)
            if doc:
                code, text = chunk_item(doc, hit.chunk)
                out.append(Citation(doc.code, code, text))
        return out[:limit]

    @staticmethod
    def _which_one(clause: str, resolved: Resolved) -> Answer:
        """A pointer that may mean either of two things the last answer was about: asked back, citing nothing."""
        with speaking(language(clause)):
            text = t("dialogue.which_one", options=t("answers.list_sep").join(resolved.choices))
        return Answer(clause, "clarify", text, standard=resolved.standard, resolved=resolved)


def _where_just_shown(parts: Parts, text: str, standard: str | None, history: list[Turn]) -> str | None:
    """「那 T4.4 呢」 after an answer that cited T4.4 of the e-commerce standard, with the cloud one in focus (which has
    no T4.4): the code of the standard just shown, not an error from the one in focus."""
    asked = codes.codes_in(text)
    focus = parts.catalog.get(standard) if standard else None
    last = next((t for t in history if t.contentful), None)
    shown = parts.catalog.get(last.standard) if last and last.standard else None
    if not asked or focus is None or shown is None or all(holds(focus, c) for c in asked):
        return standard
    return shown.code if all(holds(shown, c) for c in asked) else standard


def _joined(message: str, answers: list[Answer]) -> Answer:
    """The answers to the clauses of one message as one (the last one's turn is what the message was about)."""
    if len(answers) == 1:
        return answers[0]
    last = answers[-1]
    said: list[tuple[set[tuple[str, str]], set[str]]] = []
    shown = []
    for a in answers:  # a second clause answered with the very items of the first (both asked the entry) is said once
        seen = ({(c.standard, c.code) for c in a.citations}, _body(a.answer))
        if a.answer and not (seen[0] and seen in said):
            shown.append(_without_repeated_header(a.answer, shown))
        said.append(seen)
    text = "\n\n".join(shown)
    cites = _unique_citations([c for a in answers for c in a.citations])
    return Answer(message, answers[0].intent, text, cites, last.choices, 0.0, last.standard, last.turn, last.resolved,
                  [f for a in answers for f in a.follow_ups])


def _without_repeated_header(answer: str, shown: list[str]) -> str:
    """A clause answered from the same standard as the one before: its 「【…】」 heading is not said again (the note
    that the standards are in Chinese only, said at the end of an English answer, once too)."""
    lines = answer.splitlines()
    before = shown[-1].splitlines() if shown else []
    if lines and before and lines[0] == before[0]:
        lines = lines[1:]
    if lines and before and lines[-1] == before[-1] and lines[-1].startswith("("):
        shown[-1] = "\n".join(before[:-1])
    return "\n".join(lines)


def _body(text: str) -> set[str]:
    """An answer's lines without its headings (「【…】」, lines ending in a colon)."""
    return {line for line in text.splitlines() if line and not line.startswith(("【", "[")) and not line.endswith(("：", ":"))}


def _unique_citations(cites: list[Citation]) -> list[Citation]:
    seen: set[tuple[str, str]] = set()
    out = []
    for c in cites:
        if (c.standard, c.code) not in seen:
            seen.add((c.standard, c.code))
            out.append(c)
    return out
