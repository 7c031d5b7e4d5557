"""The persistent vector index: one Chroma collection per status (current, historical), written through
langchain-chroma.

Idempotent by content hash: a manifest records each document's chunk hash and the collection it went to, an
unchanged document is skipped, a changed one has only its own chunks replaced, a removed one is deleted.
Embeddings are cached by text hash, so a rebuild embeds only texts it has never seen.

Why a collection per status: Chroma loads a collection's whole HNSW graph on first use, and at 3,000 documents
historical versions hold ~47% of the vectors. Questions search current versions unless a historical one is
named, so a server never loads the historical graph until such a question comes (~400 MB less at e5's width).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import numpy as np

from index.chunk import Chunk
from index.embed import Embedder, EmbeddingCache, for_building
from index.masking import mask_url
from index.model import Status
from prompts import t

log = logging.getLogger(__name__)
SCHEMA = 4  # 3: document hashes without JSON (a start at 3,000 documents hashed for 1.7 s); 4: a collection per status
WRITE_BATCH = 512  # passages a store write takes at least (documents gathered): 840 a second instead of 580 at 64
EMBED_BATCH = 32  # passages a model copy embeds at once
AHEAD = 16  # batches embedded ahead of the writing, per model copy
# candidates an HNSW search keeps (Chroma's default is 100): at 3,000 documents the copies of a text printed in
# hundreds of standards make clusters a narrow search does not leave; a new document's best passage (cosine 0.91)
# was missed behind 600 copies at 0.88 until 400 (1.3 -> 1.7 ms a query, benchmarks/catalogue.py)
SEARCH_EF = 400
COLLECTION_METADATA = {"hnsw:space": "cosine", "hnsw:search_ef": SEARCH_EF}
STATUSES: tuple[str, ...] = get_args(Status)


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks_written: int = 0
    embedded: int = 0
    cached: int = 0
    seconds: float = 0.0
    to_write: int = 0  # passages this sync writes (its progress: chunks_written of to_write)
    statuses_done: set[str] = field(default_factory=set)  # statuses whose documents are all written

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.removed)


class IndexError_(RuntimeError):
    """The vector index cannot be opened or written; the message says what to do."""


def collection_name(embedder: Embedder, status: str | None = None) -> str:
    """The collection of one status's chunks (status None: the single collection of schema 3 and before)."""
    slug = "".join(ch if ch.isalnum() else "_" for ch in embedder.name)
    base = f"chunks_{slug}"[:50]
    return f"{base}_{status}" if status else base


def document_hash(chunks: Sequence[Chunk]) -> str:
    """What a document's vectors depend on: each embedded chunk's id, text and metadata (as `Chunk.metadata`)."""
    digest = hashlib.sha256()
    for c in chunks:
        if c.embed_text:
            fields = (c.id, c.embed_text, c.standard, c.family, c.status, c.kind, c.item_type, c.code, c.task, str(c.level))
            digest.update("\x1f".join(fields).encode("utf-8", "surrogatepass") + b"\x1e")
    return digest.hexdigest()


class Shelf:
    """One status's collection, opened on first use (opening loads its whole HNSW graph into memory)."""

    def __init__(self, index: VectorIndex, status: str) -> None:
        self.index = index
        self.status = status
        self.name = collection_name(index.embedder, status)
        self._collection: Any = None
        self._store: Any = None

    @property
    def opened(self) -> bool:
        return self._collection is not None

    @property
    def collection(self) -> Any:
        """Opened with chromadb alone: reading the index never imports langchain."""
        if self._collection is None:
            self._collection = self.index.open_collection(self.name)
        return self._collection

    @property
    def store(self) -> Any:
        """The langchain-chroma wrapper of the same collection, for writing."""
        if self._store is None:
            from langchain_chroma import Chroma

            self.collection  # noqa: B018 - opens (or repairs) the store first
            self._store = Chroma(client=self.index.client, collection_name=self.name,
                                 embedding_function=self.index.embeddings, collection_metadata=COLLECTION_METADATA)
        return self._store

    def exists(self) -> bool:
        """Whether the collection is there, found without loading it."""
        if self.opened:
            return True
        try:
            self.index.client.get_collection(self.name, embedding_function=None)
        except Exception:  # noqa: BLE001 - chromadb's "not found" differs between the local and the HTTP client
            return False
        return True

    def forget(self) -> None:
        self._collection = self._store = None


class VectorIndex:
    def __init__(self, index_dir: Path, embedder: Embedder, chroma_url: str | None = None) -> None:
        self.dir = Path(index_dir)
        self.embedder = embedder
        self.chroma_url = chroma_url
        self.dir.mkdir(parents=True, exist_ok=True)
        self.cache = EmbeddingCache(self.dir / "embeddings.sqlite3", embedder)
        self.manifest_path = self.dir / f"manifest-{collection_name(embedder)}.json"
        self.shelves = {status: Shelf(self, status) for status in STATUSES}
        self._chroma: Any = None
        self._embeddings: Any = None
        self._placed: dict[str, str] | None = None  # document code -> the status whose collection holds it
        self._counts: dict[str, int] = {}  # embedded chunks per status, of the chunks last synced or checked
        self._syncing = threading.Lock()
        self._stopping = threading.Event()

    # ------------------------------------------------------------ opening
    @property
    def client(self) -> Any:
        if self._chroma is None:
            self._chroma = self._client()
        return self._chroma

    @property
    def embeddings(self) -> Any:
        """Our embedder through langchain's interface and the embedding cache (one for every collection)."""
        if self._embeddings is None:
            from index.lc import CachedEmbeddings

            self._embeddings = CachedEmbeddings(self.embedder, self.cache)
        return self._embeddings

    def shelf(self, status: str) -> Shelf:
        return self.shelves[status if status in self.shelves else STATUSES[0]]

    def _client(self) -> Any:
        from index.chroma import make_client

        return make_client(self.dir / "chroma", self.chroma_url)

    def _get_collection(self, name: str) -> Any:
        # no embedding function: vectors always come from our embedder (Chroma's default would download one)
        collection = self.client.get_or_create_collection(name, metadata=COLLECTION_METADATA, embedding_function=None)
        _search_wide(collection)
        return collection

    def open_collection(self, name: str) -> Any:
        try:
            return self._get_collection(name)
        except Exception as e:  # chromadb raises many kinds on a damaged store
            if self.chroma_url:
                reason = t("cli.chroma_unreachable", url=mask_url(self.chroma_url), reason=type(e).__name__)
                raise IndexError_(reason) from e
            log.warning("vector index at %s unreadable (%s); rebuilding it", self.dir / "chroma", type(e).__name__)
            self._discard_local()
            return self._get_collection(name)

    def _discard_local(self) -> None:
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()  # chromadb keeps one client per path; drop the broken one
        shutil.rmtree(self.dir / "chroma", ignore_errors=True)
        self.manifest_path.unlink(missing_ok=True)
        self._chroma, self._placed = None, None
        for shelf in self.shelves.values():
            shelf.forget()

    def _drop_unsheltered(self) -> None:
        """The single collection of schema 3 and before, replaced by the collections per status."""
        with contextlib.suppress(Exception):  # not there: nothing to drop
            self.client.delete_collection(collection_name(self.embedder))

    # ------------------------------------------------------------ manifest
    def _read_manifest(self) -> dict[str, Any]:
        """The manifest, or {} (build again) when it is missing, unreadable, of another schema or of the wrong
        shape: a damaged manifest must never stop a start, only cost a build."""
        try:
            data = json.loads(self.manifest_path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except Exception as e:  # noqa: BLE001 - truncated, random bytes, not UTF-8
            log.warning("vector index manifest %s unreadable (%s); building again", self.manifest_path.name,
                        type(e).__name__)
            return {}
        if not _manifest_fits(data) or data.get("schema") != SCHEMA or data.get("collection") != collection_name(self.embedder):
            return {}
        return dict(data)

    def manifest(self) -> dict[str, str]:
        return dict(self._read_manifest().get("documents", {}))

    def placed(self) -> dict[str, str]:
        """Which status's collection holds each document (read once, then kept up to date by sync)."""
        if self._placed is None:
            self._placed = dict(self._read_manifest().get("placed", {}))
        return self._placed

    def corpus(self) -> str:
        """The corpus key the last complete sync was given ("" if none)."""
        return str(self._read_manifest().get("corpus", ""))

    def _save_manifest(self, documents: dict[str, str], corpus: str = "", writing: Sequence[str] = ()) -> None:
        """writing: documents being written now; a build stopped midway finds their passages and deletes them."""
        tmp = self.manifest_path.with_suffix(".tmp")
        placed = self.placed()
        payload = {"schema": SCHEMA, "collection": collection_name(self.embedder), "documents": documents,
                   "placed": {code: placed[code] for code in documents if code in placed}, "corpus": corpus,
                   "counts": self._counts if corpus else {},  # embedded chunks per status, for the corpus key
                   "writing": list(writing)}
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), "utf-8")
        tmp.replace(self.manifest_path)

    def is_current(self, chunks: Sequence[Chunk], corpus: str = "") -> bool:
        """The manifest matches and the collections really hold the chunks (a wiped store is not current).
        corpus: the key of what the chunks are made from (index.chunk.corpus_key); when the last complete sync
        had the same, the chunks are not hashed again. Counting loads a collection: the current one is counted
        (a server loads it anyway), a collection not opened yet is only looked for."""
        saved = self._read_manifest()
        known = bool(corpus) and saved.get("corpus") == corpus
        if not known and saved.get("documents", {}) != _hashes(chunks):
            return False
        counted = saved.get("counts") if known else None
        expected = Counter(counted) if isinstance(counted, dict) else _counts(chunks)  # counting took 0.2 s
        self._counts = dict(expected)
        try:
            for status, shelf in self.shelves.items():
                if status == STATUSES[0] or shelf.opened:
                    if int(shelf.collection.count()) != expected[status]:
                        return False
                elif expected[status] and not shelf.exists():
                    return False
        except Exception:  # noqa: BLE001 - a damaged store is simply not current
            return False
        return True

    def remember(self, corpus: str) -> None:
        """Record the corpus key of chunks found current by hashing, so the next start need not hash them."""
        saved = self._read_manifest()
        if corpus and saved.get("corpus") != corpus:
            self._save_manifest(dict(saved.get("documents", {})), corpus)

    def count(self) -> int:
        """Every collection's chunks (this opens them all)."""
        return sum(int(shelf.collection.count()) for shelf in self.shelves.values())

    # ------------------------------------------------------------ building
    def _build_cache(self) -> EmbeddingCache:
        """The embedding cache a build writes through: its own connection and its own copy of the model, so the
        questions answered meanwhile (their query vectors, the item vectors of comparisons) never wait for it."""
        return EmbeddingCache(self.cache.path, for_building(self.embedder))

    def sync(self, chunks: Sequence[Chunk], progress: bool = False,
             on_progress: Callable[[SyncReport], None] | None = None, corpus: str = "",
             report: SyncReport | None = None) -> SyncReport:
        """Brings the index to these chunks, embedding only what changed. on_progress gets the report so far
        after every batch written (a benchmark prints from it; the command line shows a bar instead); report: the
        one to fill in (another thread reads the progress from it). One sync at a time: a second waits for the
        first. A sync stopped by `stop` returns early: the next one goes on from the last group written."""
        with self._syncing:
            return self._sync(chunks, progress, on_progress, corpus, report or SyncReport())

    def stop(self) -> None:
        """Asks the sync under way, and any later one, to stop after the group it is writing (a server shutting
        down: a build it stopped goes on at its next start)."""
        self._stopping.set()

    def pending(self, chunks: Sequence[Chunk]) -> int:
        """Passages of the documents a sync to these chunks would write (their hashes differ from the manifest's)."""
        have, wanted = self.manifest(), _hashes(chunks)
        return sum(1 for c in chunks if c.embed_text and have.get(c.standard) != wanted[c.standard])

    def _sync(self, chunks: Sequence[Chunk], progress: bool, on_progress: Callable[[SyncReport], None] | None,
              corpus: str, report: SyncReport) -> SyncReport:
        started = time.perf_counter()
        wanted = _hashes(chunks)
        saved = self._read_manifest()
        have = dict(saved.get("documents", {}))
        if have and not self._collection_matches(have):
            have = {}
        if not have:
            self._placed = {}
            self._drop_unsheltered()
        for code in saved.get("writing", []):  # a build stopped while writing these: what it wrote goes
            if code not in have:
                self._delete(code)
        by_doc: dict[str, list[Chunk]] = defaultdict(list)
        for c in chunks:
            by_doc[c.standard].append(c)
        for code in sorted(set(have) - set(wanted)):
            self._delete(code)
            report.removed.append(code)
            have.pop(code)
            self._save_manifest(have)
        todo = [code for code in wanted if have.get(code) != wanted[code]]
        todo.sort(key=lambda code: by_doc[code][0].status != STATUSES[0])  # current versions first
        report.unchanged = [code for code in wanted if code not in todo]
        report.to_write = sum(1 for code in todo for c in by_doc[code] if c.embed_text)
        report.statuses_done = set(STATUSES) - {by_doc[code][0].status for code in todo}
        bar = _progress(report.to_write, progress)
        writer = _Writer(self, report, have, wanted, by_doc, lambda: on_progress(report) if on_progress else None, bar)
        if todo and not self._write_all(todo, by_doc, writer):
            report.seconds = time.perf_counter() - started
            return report  # stopped: the manifest holds what was written
        report.statuses_done = set(STATUSES)
        self._counts = dict(_counts(chunks))
        self._save_manifest(have, corpus)  # complete: the corpus key is kept from here on
        if bar is not None:
            bar.close()
        report.seconds = time.perf_counter() - started
        return report

    def _write_all(self, todo: list[str], by_doc: dict[str, list[Chunk]], writer: _Writer) -> bool:
        """Embeds the documents' passages with a copy of the model per core while writing the ones embedded:
        each distinct text is embedded once (the cache holds what was embedded before, in any document). False
        when stopped midway."""
        from index.pool import EmbeddingPool

        build_cache = self._build_cache()
        self.embeddings.cache, self.embeddings.counter = build_cache, None
        try:
            with EmbeddingPool(self.embedder) as pool:
                pending: list[tuple[str, list[Chunk]]] = []
                flying: dict[str, tuple[Any, int]] = {}  # text -> (its batch's future, its row in the batch)
                for n, code in enumerate(todo):
                    if self._stopping.is_set():
                        return False
                    rows = [c for c in by_doc[code] if c.embed_text]
                    self._embed_ahead(rows, build_cache, pool, flying, writer.report)
                    pending.append((code, rows))
                    last_current = by_doc[code][0].status == STATUSES[0] and (
                        n + 1 == len(todo) or by_doc[todo[n + 1]][0].status != STATUSES[0])
                    while pending and (len(flying) > AHEAD * EMBED_BATCH * pool.workers or last_current):
                        writer.take(*pending.pop(0), flying, build_cache)
                    if last_current:
                        writer.flush(build_cache)
                        writer.report.statuses_done.add(STATUSES[0])
                for code, rows in pending:
                    writer.take(code, rows, flying, build_cache)
                writer.flush(build_cache)
        except _Stopped:
            return False
        finally:
            self.embeddings.cache = self.cache
            build_cache.close()
        return True

    def _embed_ahead(self, rows: list[Chunk], build_cache: EmbeddingCache, pool: Any,
                     flying: dict[str, tuple[Any, int]], report: SyncReport) -> None:
        """Hands the texts of these passages that were never embedded (nor are being) to the pool."""
        texts = [t for t in dict.fromkeys(c.embed_text for c in rows if c.embed_text) if t not in flying]
        known = build_cache.lookup(texts) if texts else {}
        todo = [t for t in texts if t not in known]
        report.cached += len(rows) - len(todo)
        report.embedded += len(todo)
        for i in range(0, len(todo), EMBED_BATCH):
            batch = todo[i : i + EMBED_BATCH]
            future = pool.submit(batch)
            for row, text in enumerate(batch):
                flying[text] = (future, row)

    def _collection_matches(self, have: dict[str, str]) -> bool:
        """A manifest without its collections (deleted or replaced store) means: build again. Looked for, not
        counted: an unchanged build does not load every collection."""
        holding = {status for status in self.placed().values() if status in self.shelves} or set(STATUSES)
        try:
            return not have or all(self.shelves[status].exists() for status in holding)
        except Exception:  # noqa: BLE001
            self._discard_local()
            return False

    def _delete(self, code: str) -> None:
        """A document's chunks out of the collection that holds them (out of every one, when not known)."""
        where = self.placed().pop(code, None)
        for status, shelf in self.shelves.items():
            if where in (None, status):
                shelf.collection.delete(where={"standard": code})

    # ------------------------------------------------------------ searching
    def search(self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None,
               statuses: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """The k nearest chunks in the collections of these statuses (all by default); where: Chroma's filter."""
        return self.search_many([vector], k, where, statuses)[0]

    def search_many(self, vectors: Sequence[Sequence[float]], k: int, where: dict[str, Any] | None = None,
                    statuses: Sequence[str] | None = None) -> list[list[tuple[str, float]]]:
        """`search` for several vectors in one query of each collection (a description's clauses: each query
        costs a few milliseconds whatever it asks)."""
        embeddings = [v.tolist() if hasattr(v, "tolist") else list(v) for v in vectors]
        found: list[list[tuple[str, float]]] = [[] for _ in embeddings]
        for shelf in self._holding(statuses or STATUSES):
            # the ids are the chunk ids: reading the metadata back as well cost ~8 ms a question at 3,000 standards
            result = shelf.collection.query(query_embeddings=embeddings, n_results=k, where=where or None,
                                            include=["distances"])
            for mine, ids, distances in zip(found, result["ids"], result["distances"], strict=True):
                mine += [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=True)]
        return [sorted(mine, key=lambda pair: -pair[1])[:k] for mine in found]

    def search_among(self, vector: Sequence[float], chunks: Sequence[Chunk], k: int) -> list[tuple[str, float]]:
        """The k nearest of these chunks, compared exactly (their vectors read from the store by id): a
        question about one standard never pays for Chroma's metadata filtering."""
        placed = self.placed()
        groups: dict[str, list[str]] = defaultdict(list)
        for c in chunks:
            groups[self.shelf(placed.get(c.standard, STATUSES[0])).status].append(c.id)
        found: list[tuple[str, float]] = []
        for status, group in groups.items():
            rows = self.shelves[status].collection.get(ids=group, include=["embeddings"])
            if rows["embeddings"] is not None and len(rows["embeddings"]):
                sims = cosines(vector, rows["embeddings"])
                found += [(cid, float(sim)) for cid, sim in zip(rows["ids"], sims, strict=True)]
        return sorted(found, key=lambda pair: -pair[1])[:k]

    def _holding(self, statuses: Sequence[str]) -> list[Shelf]:
        """The collections of these statuses that hold documents (an empty one is never created or loaded)."""
        placed = set(self.placed().values())
        return [self.shelves[s] for s in dict.fromkeys(statuses) if s in self.shelves and (s in placed or not placed)]


class _Writer:
    """Writes documents to the store in groups of at least WRITE_BATCH passages, in the order given, and keeps the
    manifest up to date after each group: a build stopped midway starts again after the last group written."""

    def __init__(self, index: VectorIndex, report: SyncReport, have: dict[str, str], wanted: dict[str, str],
                 by_doc: dict[str, list[Chunk]], after: Callable[[], None], bar: Any) -> None:
        self.index, self.report, self.have, self.wanted, self.by_doc = index, report, have, wanted, by_doc
        self.after, self.bar = after, bar
        self.group: list[tuple[str, list[Chunk]]] = []

    def take(self, code: str, rows: list[Chunk], flying: dict[str, tuple[Any, int]], cache: EmbeddingCache) -> None:
        """A document whose passages are embedded (or being): their vectors into the cache, then into the group."""
        mine = [t for t in dict.fromkeys(c.embed_text for c in rows) if t in flying]
        if mine:
            vectors = [flying[t][0].result()[flying[t][1]] for t in mine]
            cache.store(mine, np.stack(vectors))
            for t in mine:
                del flying[t]
        self.group.append((code, rows))
        if sum(len(r) for _, r in self.group) >= WRITE_BATCH:
            self.flush(cache)

    def flush(self, cache: EmbeddingCache) -> None:
        if not self.group:
            return
        group, self.group = self.group, []
        codes = [code for code, _ in group]
        self.index._save_manifest(self.have, writing=codes)
        for code in codes:
            (self.report.replaced if code in self.have else self.report.added).append(code)
            if code in self.have or code in self.index.placed():
                self.index._delete(code)
        by_status: dict[str, list[Chunk]] = defaultdict(list)
        for code, rows in group:
            by_status[self.index.shelf(self.by_doc[code][0].status).status] += rows
        for status, rows in by_status.items():
            for i in range(0, len(rows), WRITE_BATCH * 4):
                part = rows[i : i + WRITE_BATCH * 4]
                self.index.shelves[status].store.add_texts(  # vectors from the cache: embedded above
                    texts=[c.embed_text for c in part], metadatas=[{**c.metadata(), "cid": c.id} for c in part],
                    ids=[c.id for c in part])
        for code, rows in group:
            self.index.placed()[code] = self.index.shelf(self.by_doc[code][0].status).status
            self.have[code] = self.wanted[code]
            self.report.chunks_written += len(rows)
            if self.bar is not None:
                self.bar.update(len(rows))
        self.index._save_manifest(self.have)
        self.after()
        if self.index._stopping.is_set():
            raise _Stopped


class _Stopped(Exception):
    """A sync asked to stop (VectorIndex.stop) after the group it wrote."""


def _search_wide(collection: Any) -> None:
    """A collection made before SEARCH_EF keeps the narrower search it was made with: widened once, before it is
    first searched (a change reaches an index only when it is loaded)."""
    hnsw = (getattr(collection, "configuration_json", None) or {}).get("hnsw") or {}
    if not hnsw or hnsw.get("ef_search") == SEARCH_EF:
        return
    for attempt in range(WIDEN_ATTEMPTS):
        try:
            collection.modify(configuration={"hnsw": {"ef_search": SEARCH_EF}})
            return
        except Exception as e:  # noqa: BLE001 - an older server: searched as it is
            if attempt + 1 == WIDEN_ATTEMPTS:
                log.warning("could not widen the search of %s: %s", collection.name, type(e).__name__)
            else:  # Chroma's InternalError while another client of the same folder still writes: once more, soon
                time.sleep(WIDEN_PAUSE * (attempt + 1))


WIDEN_ATTEMPTS, WIDEN_PAUSE = 3, 0.2


def _manifest_fits(data: Any) -> bool:
    """The manifest's fields have the types _save_manifest writes."""
    def strings(value: Any) -> bool:
        return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())

    counts = data.get("counts", {}) if isinstance(data, dict) else None
    writing = data.get("writing", []) if isinstance(data, dict) else None
    return (isinstance(data, dict) and strings(data.get("documents", {})) and strings(data.get("placed", {}))
            and isinstance(data.get("corpus", ""), str) and isinstance(counts, dict)
            and isinstance(writing, list) and all(isinstance(code, str) for code in writing)
            and all(isinstance(k, str) and type(v) is int for k, v in counts.items()))


def cosines(vector: Sequence[float], matrix: Any) -> Any:
    import numpy as np

    q = np.asarray(vector, dtype=np.float32)
    m = np.asarray(matrix, dtype=np.float32)
    return (m @ q) / (np.linalg.norm(m, axis=1) * float(np.linalg.norm(q)) + 1e-12)


def _counts(chunks: Sequence[Chunk]) -> Counter[str]:
    return Counter(c.status for c in chunks if c.embed_text)


def _hashes(chunks: Sequence[Chunk]) -> dict[str, str]:
    by_doc: dict[str, list[Chunk]] = defaultdict(list)
    for c in chunks:
        by_doc[c.standard].append(c)
    return {code: document_hash(cs) for code, cs in by_doc.items()}


def _progress(total: int, enabled: bool) -> Any:
    if not enabled or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="embedding", unit="chunk", file=sys.stderr, leave=False)
