"""The assistant: a question (and the chat's chosen standard) in, an Answer with citations out."""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING

from index.catalog import Catalog, find_item, tasks_using
from index.chunk import Chunk, chunk_catalog
from index.model import Document, Standard, Unit
from prompts import t
from retrieval import answer as A
from retrieval.compare import compare, older_version, version_diff
from retrieval.search import CompetencyRetriever, Filters, HybridSearch, content_tokens
from retrieval.types import Answer, Choice, Citation
from retrieval.understand import Query, TitleIndex, understand

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)
MIN_COVERAGE = 0.5
SEMANTIC_HITS = 5
TASK_FIELDS = ("indicators", "outputs", "knowledge", "skills", "level")


class Assistant:
    def __init__(self, catalog: Catalog, search: HybridSearch) -> None:
        self.catalog = catalog
        self.search = search
        self.titles = TitleIndex(catalog)

    # ------------------------------------------------------------ construction
    @classmethod
    def from_settings(cls, settings: Settings, catalog: Catalog | None = None, progress: bool = False) -> Assistant:
        catalog = catalog or Catalog.load(settings.corpus_dir)
        chunks = chunk_catalog(catalog)
        search = build_search(settings, chunks, progress=progress)
        assistant = cls(catalog, search)
        assistant.warm_up()
        return assistant

    def warm_up(self) -> None:
        """Load the lazy parts (converters, the model's first run, the vector store) before timing starts."""
        self.ask("雲端系統開發工程人員 T1.1 的行為指標")
        self.ask("软件测试的工作产出")

    @classmethod
    def lexical_only(cls, catalog: Catalog) -> Assistant:
        return cls(catalog, HybridSearch(chunk_catalog(catalog), None, None))

    def reload(self, catalog: Catalog) -> None:
        """A new corpus: the vector index syncs only the documents that changed, then searches switch over."""
        chunks = chunk_catalog(catalog)
        dense = self.search.dense
        if dense is not None and hasattr(dense, "sync"):
            log.info("index synced after reload: %s", dense.sync(chunks))
        self.search = HybridSearch(chunks, dense, self.search.embed_query)
        self.catalog = catalog
        self.titles = TitleIndex(catalog)

    # ------------------------------------------------------------ asking
    def ask(self, question: str, standard: str | None = None) -> Answer:
        started = time.perf_counter()
        answer = self._answer(question or "", standard)
        answer.elapsed_ms = (time.perf_counter() - started) * 1000
        return answer

    def _answer(self, question: str, standard: str | None) -> Answer:
        q = understand(question, self.titles)
        if not q.text:
            return Answer(question, "empty", t("answers.empty_question"))
        if q.injection and not q.has_codes:
            return Answer(question, "refused", t("answers.refuse_secret"))
        session_doc = self.catalog.get(standard) if standard else None
        draft_or_answer = self._route(q, session_doc)
        if isinstance(draft_or_answer, Answer):
            draft_or_answer.question = question
            return draft_or_answer
        draft = draft_or_answer
        text = draft.text
        if len(question) > len(q.text) + 50 and len(question) > 500:
            text += "\n" + t("answers.truncated", n=500)
        return Answer(question, draft.intent, text, draft.citations, [], 0.0, draft.standard)

    def _route(self, q: Query, session_doc: Document | None) -> A.Draft | Answer:
        if q.unknown_standard_codes and not q.standards:
            codes = "、".join(d.code for d in self.catalog.current())
            return Answer(q.raw, "unknown_standard",
                          t("answers.unknown_standard", code=q.unknown_standard_codes[0], codes=codes))
        named = self._named_docs(q)
        if q.compare and len(named) >= 2:
            return self._compare(q, named)
        if q.diff and (named or session_doc):
            return self._diff(named[0] if named else session_doc)
        if q.has_codes or (q.levels and q.reverse) or (q.levels and "tasks" in q.fields):
            return self._codes(q, named, session_doc)
        doc = named[0] if named else None
        if doc and q.fields:
            return self._standard_fields(q, doc)
        if doc and not self._wants_search(q, doc):
            draft = A.start("overview", doc, self.catalog)
            A.overview(draft, doc)
            return draft
        return self._semantic(q, named, session_doc)

    def _named_docs(self, q: Query) -> list[Document]:
        codes = q.standards or q.soft_standards
        docs = [d for d in (self.catalog.get(c) for c in codes) if d]
        if q.historical:
            old = [d for d in docs if d.status == "historical"]
            return old or docs
        current = [d for d in docs if d.status == "current"]
        explicit_old = [d for d in docs if d.status == "historical" and d.code in q.standards and self._code_named(q, d)]
        return explicit_old + [d for d in current if d not in explicit_old] if explicit_old else (current or docs)

    def _code_named(self, q: Query, doc: Document) -> bool:
        return any(self.catalog.get(c) is doc for c in _codes_in(q.text))

    def _wants_search(self, q: Query, doc: Document) -> bool:
        rest = q.text
        for name in {doc.code, doc.title, *getattr(doc, "former_titles", []), *getattr(doc, "aliases", [])}:
            rest = rest.replace(name, " ")
        return len(content_tokens(rest)) >= 2

    # ------------------------------------------------------------ code questions
    def _codes(self, q: Query, named: list[Document], session_doc: Document | None) -> A.Draft | Answer:
        key = (q.tasks or q.items or q.duties or q.unit_ids or [""])[0]
        candidates = named or ([session_doc] if session_doc else [])
        if not candidates:
            holders = self._holders(q)
            if not holders:
                return self._unknown(q, key, None)
            current = [d for d in holders if d.status == "current"]
            if len(current) > 1:
                return self._choices(q, key, current)
            candidates = current or holders
        doc = candidates[0]
        if not self._has_any(doc, q):
            if len(candidates) > 1:
                doc = next((d for d in candidates if self._has_any(d, q)), doc)
            if not self._has_any(doc, q) and not (q.levels and isinstance(doc, Standard)):
                return self._unknown(q, key, doc)
        return self._code_answer(q, doc)

    def _holders(self, q: Query) -> list[Document]:
        docs = [d for d in self.catalog.documents.values() if self._has_any(d, q)]
        if q.historical:
            docs = [d for d in docs if d.status == "historical"] or docs
        return docs

    def _has_any(self, doc: Document, q: Query) -> bool:
        if isinstance(doc, Unit):
            return any(A.find_item(doc, u) or any(s.id == u for s in doc.sections) or
                       any(p.id == u for p in doc.assessment) for u in q.unit_ids)
        return (
            any(doc.task(c) for c in q.tasks)
            or any(doc.duty(c) for c in q.duties)
            or any(find_item(doc, c) or tasks_using(doc, c) for c in q.items)
        )

    def _choices(self, q: Query, key: str, docs: list[Document]) -> Answer:
        choices = [Choice(d.code, d.title) for d in docs]
        return Answer(q.raw, "choose_standard", t("answers.choose_standard", code=key), [], choices)

    def _unknown(self, q: Query, key: str, doc: Document | None) -> Answer:
        if doc is not None and isinstance(doc, Standard) and doc.tasks:
            hint = t("answers.unknown_code_hint_std", std=f"{doc.code} {doc.title}",
                     range=f"{doc.tasks[0].code}–{doc.tasks[-1].code}")
        else:
            hint = t("answers.unknown_code_hint_all")
        return Answer(q.raw, "unknown_code", t("answers.unknown_code", code=key, hint=hint))

    def _code_answer(self, q: Query, doc: Document) -> A.Draft:
        draft = A.start("code", doc, self.catalog)
        if isinstance(doc, Unit):
            for uid in q.unit_ids:
                A.unit_id_lookup(draft, doc, uid)
            draft.intent = "unit_item"
            return draft
        std = doc
        if q.reverse and q.items:
            draft.intent = "reverse"
            for code in q.items:
                A.reverse_lookup(draft, std, code)
            return draft
        if q.levels and not q.tasks:
            draft.intent = "reverse_level"
            for level in q.levels:
                A.tasks_at_level(draft, std, level)
            return draft
        task_fields = [f for f in q.fields if f in TASK_FIELDS] or ["overview"]
        for code in q.tasks:
            task = std.task(code)
            if task is None:
                draft.say(t("answers.task_not_in_standard", std=std.code, task=code, hint=""))
                continue
            for name in task_fields:
                A.task_field(draft, std, task, name)
            draft.intent = task_fields[0] if task_fields[0] != "overview" else "task"
        for code in q.duties:
            if A.duty_overview(draft, std, code):
                draft.intent = "duty"
        for code in q.items:
            if A.item_lookup(draft, std, code):
                draft.intent = "item"
        return draft

    # ------------------------------------------------------------ standard questions
    def _standard_fields(self, q: Query, doc: Document) -> A.Draft:
        draft = A.start("meta", doc, self.catalog)
        fields = [f for f in q.fields if f not in ("tasks",)] or q.fields
        answered = False
        for name in fields:
            answered = A.standard_field(draft, doc, name, self.catalog) or answered
            if answered:
                draft.intent = name
                break
        if not answered:
            A.overview(draft, doc)
        return draft

    def _compare(self, q: Query, docs: list[Document]) -> A.Draft | Answer:
        stds = [d for d in docs if isinstance(d, Standard)][:2]
        if len(stds) < 2:
            return self._semantic(q, docs, None)
        a, b = stds
        draft = A.Draft("compare", standard=a.code)
        what = [f for f in q.fields if f in ("attitudes", "skills", "knowledge", "tasks")] or ["attitudes", "skills",
                                                                                              "knowledge"]
        for name in what:
            compare(draft, a, b, name)
        return draft

    def _diff(self, doc: Document | None) -> A.Draft | Answer:
        if not isinstance(doc, Standard):
            return Answer("", "out_of_scope", t("answers.out_of_scope"))
        new = self.catalog.latest_of(doc)
        new = new if isinstance(new, Standard) else doc
        old = older_version(self.catalog, new)
        draft = A.start("version_diff", new, self.catalog)
        if old is None:
            draft.say(t("answers.diff_no_old", code=new.code))
            A.versions(draft, new, self.catalog)
            return draft
        version_diff(draft, new, old)
        return draft

    # ------------------------------------------------------------ semantic questions
    def _semantic(self, q: Query, named: list[Document], session_doc: Document | None) -> A.Draft | Answer:
        grams = content_tokens(q.text)
        if q.injection or len(grams) < 2 or self.search.bm25.coverage(grams) < MIN_COVERAGE:
            return Answer(q.raw, "out_of_scope", t("answers.out_of_scope"))
        filters = Filters(standards=[d.code for d in named], status=None if q.historical else "current")
        if named and all(d.status == "historical" for d in named):
            filters.status = None
        documents = CompetencyRetriever(search=self.search, k=SEMANTIC_HITS, filters=filters).invoke(q.text)
        chunks = [self.search.by_id[d.id] for d in documents if d.id in self.search.by_id]
        if not chunks:
            return Answer(q.raw, "out_of_scope", t("answers.out_of_scope"))
        return self._semantic_draft(q, chunks)

    def _semantic_draft(self, q: Query, chunks: list[Chunk]) -> A.Draft:
        draft = A.Draft("semantic", standard=chunks[0].standard)
        draft.say(t("answers.semantic_heading", question=q.text))
        for n, chunk in enumerate(chunks, 1):
            self._say_hit(draft, n, chunk)
        return draft

    def _say_hit(self, draft: A.Draft, n: int, chunk: Chunk) -> None:
        doc = self.catalog.get(chunk.standard)
        if doc is None:
            return
        std_label = f"{doc.code} {doc.title}" + ("（歷史版本）" if doc.status == "historical" else "")
        code, text = _chunk_item(doc, chunk)
        draft.say(t("answers.semantic_hit", n=n, std=std_label, code=code, text=text))
        draft.cite(doc, code, text)
        if isinstance(doc, Standard) and chunk.task and chunk.item_type != "task":
            task = doc.task(chunk.task)
            if task:
                draft.say(t("answers.semantic_in_task", task=task.code, title=task.title))
                draft.cite(doc, task.code, task.title)
        if isinstance(doc, Unit):
            item = find_item(doc, code)
            if item:
                A._unit_notes_for(draft, doc, item)

    # ------------------------------------------------------------ inline lookups
    def lookup(self, query: str, limit: int = 10) -> list[Citation]:
        """Items for inline mode: exact codes first, then the hybrid search."""
        q = understand(query, self.titles)
        if q.injection:
            return []
        results: list[Citation] = []
        if q.has_codes:
            docs = self._named_docs(q) or sorted(self._holders(q), key=lambda d: d.status != "current")
            per_doc = [self._code_answer(q, doc).citations for doc in docs]
            results.extend(cites[0] for cites in per_doc if cites)  # the item itself, once per standard
            results.extend(c for cites in per_doc for c in cites[1:])
        elif q.text and self.search.bm25.coverage(content_tokens(q.text)) >= MIN_COVERAGE:
            for hit in self.search.search(q.text, k=limit):
                doc = self.catalog.get(hit.chunk.standard)
                if doc:
                    code, text = _chunk_item(doc, hit.chunk)
                    results.append(Citation(doc.code, code, text))
        return results[:limit]


def _codes_in(text: str) -> list[str]:
    from retrieval.understand import _STD_CODE

    return [m.group() for m in _STD_CODE.finditer(text)]


def _chunk_item(doc: Document, chunk: Chunk) -> tuple[str, str]:
    """The printed code and text a chunk stands for."""
    if chunk.item_type == "task" and isinstance(doc, Standard):
        task = doc.task(chunk.code)
        return chunk.code, task.title if task else chunk.text
    if chunk.item_type == "output":
        code = chunk.code.split("/", 1)[1]
        task = doc.task(chunk.task) if isinstance(doc, Standard) else None
        out = next((o for o in (task.outputs if task else []) if o.code == code), None)
        return code, out.text if out else chunk.text
    if chunk.item_type in ("overview", "note"):
        return doc.code, doc.title if chunk.item_type == "overview" else chunk.text.strip()
    if chunk.item_type in ("section", "assessment") and isinstance(doc, Unit):
        return chunk.code, chunk.text.split(" ", 2)[1] if " " in chunk.text else chunk.text
    item = find_item(doc, chunk.code)
    return chunk.code, item.full_text if item else chunk.text


def build_search(settings: Settings, chunks: list[Chunk], progress: bool = False) -> HybridSearch:
    """BM25 in memory plus the persistent Chroma index, built first if it is missing or stale."""
    from index.embed import get_embedder
    from index.store import VectorIndex

    embedder = get_embedder(settings.embedder)
    vectors = VectorIndex(settings.index_dir, embedder, settings.chroma_url)
    if not vectors.is_current(chunks):
        print(t("cli.building_index"), file=sys.stderr)
        report = vectors.sync(chunks, progress=progress)
        log.info("index synced: %s", report)
    return HybridSearch(chunks, vectors, embedder.embed_query)


def retriever(assistant: Assistant, k: int = 8) -> CompetencyRetriever:
    return CompetencyRetriever(search=assistant.search, k=k, filters=Filters())
