"""All loaded documents, their version families, statuses and code spellings."""

from __future__ import annotations

import hashlib
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path

from index.cachefile import read_pickle, write_whole
from index.guard import parse_document, sandbox
from index.model import Document, Item, Standard, Task, Unit
from index.names import printable
from index.parse import MAX_BYTES, ParseError
from prompts import t

DOCUMENT_SUFFIXES = (".txt", ".pdf", ".odt")


class DuplicateDocument(ParseError):
    """A second document with a code already loaded: reported (by ingest and lint), not loaded."""


@dataclass
class Catalog:
    documents: dict[str, Document] = field(default_factory=dict)
    errors: list[ParseError] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    _holders: dict[tuple[str, str], set[str]] | None = None  # (sort, code) -> documents printing it, on first use

    # ------------------------------------------------------------ loading
    parsed: ParsedCache | None = None  # documents parsed before, by content hash

    @classmethod
    def load(cls, folder: Path, cache_dir: Path | None = None) -> Catalog:
        catalog = cls(parsed=ParsedCache(cache_dir) if cache_dir else None)
        files = sorted(p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith("."))
        with sandbox():  # one child process for the PDFs and ODTs of the whole folder, if there are any
            for path in files:
                catalog.add_file(path)
        catalog.resolve()
        return catalog

    def add_file(self, path: Path) -> Document | None:
        """The file's document added; a file that cannot be read (for whatever reason) is an error of its own."""
        try:
            doc, digest = self.parsed.parse(path) if self.parsed else (parse_document(path), "")
        except ParseError as e:
            self.errors.append(e)
            return None
        except OSError as e:  # gone or unreadable between listing the folder and reading it
            self.errors.append(ParseError(path.name, t("documents.unreadable", reason=e.strerror or str(e))))
            return None
        if doc.code in self.documents:
            other = printable(self.documents[doc.code].source)
            self.errors.append(DuplicateDocument(path.name, t("documents.duplicate", code=doc.code, other=other)))
            return None
        self.documents[doc.code] = doc
        self.hashes[doc.code] = digest or hashlib.sha256(path.read_bytes()).hexdigest()
        return doc

    def resolve(self) -> None:
        """Statuses (current / historical) and alternative code spellings."""
        latest: dict[str, str] = {}
        for doc in self.standards():
            for v in doc.versions:
                if v.state == "最新版本":
                    latest[doc.family] = v.code
                    if v.code.upper() != doc.code.upper() and v.code.upper().endswith(doc.code.upper()):
                        doc.aliases.append(v.code)
        for doc in self.documents.values():
            doc.status = "historical" if doc.version is None and doc.family in latest else "current"
        self.aliases = {a.upper(): d.code for d in self.documents.values() for a in [d.code, *d.aliases]}
        self._holders = None

    # ------------------------------------------------------------ lookups
    def standards(self) -> list[Standard]:
        return [d for d in self.documents.values() if isinstance(d, Standard)]

    def units(self) -> list[Unit]:
        return [d for d in self.documents.values() if isinstance(d, Unit)]

    def holding(self, codes: list[tuple[str, str]]) -> list[Document]:
        """Documents that print any of these (sort, code) pairs, in catalog order, without scanning them all."""
        if self._holders is None:  # built on the first bare-code question, not at every start
            self._holders = {}
            for doc in self.documents.values():
                for pair in printed_codes(doc):
                    self._holders.setdefault(pair, set()).add(doc.code)
        owners = {owner for code in codes for owner in self._holders.get(code, ())}
        return [d for code, d in self.documents.items() if code in owners] if owners else []

    def content_key(self) -> str:
        """A digest of each document's bytes and status and of the code that parses them: whatever is derived
        from the documents alone (chunks, name indexes) is keyed by it. Empty when a document's bytes are unknown."""
        if any(code not in self.hashes for code in self.documents):
            return ""
        digest = hashlib.sha256(parser_digest().encode())
        for code in sorted(self.documents):
            digest.update(f"{code}\0{self.hashes[code]}\0{self.documents[code].status}\0".encode())
        return digest.hexdigest()

    def current(self) -> list[Document]:
        return [d for d in self.documents.values() if d.status == "current"]

    def get(self, code: str) -> Document | None:
        canonical = self.aliases.get(re.sub(r"\s+", "", code).upper())
        return self.documents.get(canonical) if canonical else None

    def family(self, doc: Document) -> list[Document]:
        return sorted(
            (d for d in self.documents.values() if d.family == doc.family),
            key=lambda d: d.version or 0,
        )

    def latest_of(self, doc: Document) -> Document:
        return next((d for d in self.family(doc) if d.status == "current"), doc)


class ParsedCache:
    """Parsed documents kept on disk by the hash of their bytes (and of the parser's code), so a start
    does not parse unchanged documents again. Anything unreadable in it is parsed again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.version = parser_digest()

    def parse(self, path: Path) -> tuple[Document, str]:
        """The document (or the ParseError) these bytes gave before, else parsed now and kept. A file refused
        by a budget is not read again at every start; one stopped by a limit of time or memory is."""
        if path.stat().st_size > MAX_BYTES:
            return parse_document(path), ""  # refused by size before anything is read
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        entry = self.folder / f"{hashlib.sha256((self.version + digest + path.name).encode()).hexdigest()[:24]}.pickle"
        kept = read_pickle(entry, Standard, Unit, ParseError)
        if isinstance(kept, ParseError):
            raise kept
        if kept is not None:
            return kept, digest
        try:
            doc = parse_document(path)
        except ParseError as e:
            if not e.transient:
                write_whole(entry, pickle.dumps(e, protocol=pickle.HIGHEST_PROTOCOL))
            raise
        write_whole(entry, pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))  # read-only data dir: parsed again
        return doc, digest


def parser_digest() -> str:
    """A digest of the code that turns a file into a document (what the parsed-document cache depends on)."""
    from index.versions import code_version

    return code_version("index.guard")


def printed_codes(doc: Document) -> set[tuple[str, str]]:
    """Every code a document prints, by sort (task, duty, item, unit): exactly the codes `find_item`,
    `tasks_using`, `Standard.task` and `Standard.duty` find in it."""
    if isinstance(doc, Unit):
        pools = [doc.items, doc.knowledge.values(), doc.skills.values(), doc.notes.values()]
        pools += [p.items for p in doc.assessment]
        ids = {i.code for pool in pools for i in pool} | {s.id for s in doc.sections} | {p.id for p in doc.assessment}
        return {("unit", code) for code in ids}
    items: set[str] = set()
    for table in (doc.knowledge, doc.skills, doc.attitudes):
        items.update(table)
        items.update(item.code for item in table.values() if item.unnumbered)
    out = {("item", code) for code in items}
    for duty in doc.duties:
        out.add(("duty", duty.code))
        for task in duty.tasks:
            out.add(("task", task.code))
            out.update(("item", code) for code in [*task.knowledge, *task.skills])
            out.update(("item", i.code) for i in task.indicators + task.outputs)
    return out


def find_item(doc: Document, code: str) -> Item | None:
    """Any coded item (P/O/K/S/A, or a 職能單元 id) by its code as printed."""
    if isinstance(doc, Unit):
        pools = [doc.items, doc.knowledge.values(), doc.skills.values(), doc.notes.values()]
        pools += [p.items for p in doc.assessment]
        return next((i for pool in pools for i in pool if i.code == code), None)
    for table in (doc.knowledge, doc.skills, doc.attitudes):
        if code in table:
            return table[code]
    for table in (doc.knowledge, doc.skills, doc.attitudes):  # printed without a number: "S 雲端平台操作能力"
        unnumbered = next((item for item in table.values() if item.unnumbered and item.code == code), None)
        if unnumbered:
            return unnumbered
    for task in doc.tasks:
        for item in task.indicators + task.outputs:
            if item.code == code and not item.misplaced:
                return item
    return None


def tasks_using(doc: Standard, code: str) -> list[Task]:
    """Tasks that print an item (P, O, K or S) with this code (an item printed without a number, "S 雲端平台操作能力",
    is listed by its code and name)."""
    keys = {code} | {key for table in (doc.knowledge, doc.skills) for key, item in table.items() if item.code == code}
    return [
        t
        for t in doc.tasks
        if keys.intersection(t.knowledge)
        or keys.intersection(t.skills)
        or any(i.code == code for i in t.indicators + t.outputs)
    ]
