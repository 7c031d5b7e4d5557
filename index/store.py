"""The persistent vector index: a Chroma collection through langchain-chroma.

Idempotent by content hash: a manifest records each document's chunk hash, an unchanged
document is skipped, a changed one has only its own chunks replaced, a removed one is deleted.
Embeddings are cached by text hash, so a rebuild embeds only texts it has never seen.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot.masking import mask_url
from index.chunk import Chunk
from index.embed import Embedder, EmbeddingCache
from prompts import t

log = logging.getLogger(__name__)
SCHEMA = 3  # 3: document hashes without JSON (a start at 3,000 documents hashed for 1.7 s)
BATCH = 64
COLLECTION_METADATA = {"hnsw:space": "cosine"}


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

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.removed)


class IndexError_(RuntimeError):
    """The vector index cannot be opened or written; the message says what to do."""


def collection_name(embedder: Embedder) -> str:
    slug = "".join(ch if ch.isalnum() else "_" for ch in embedder.name)
    return f"chunks_{slug}"[:60]


def document_hash(chunks: Sequence[Chunk]) -> str:
    """What a document's vectors depend on: each embedded chunk's id, text and metadata (as `Chunk.metadata`)."""
    digest = hashlib.sha256()
    for c in chunks:
        if c.embed_text:
            fields = (c.id, c.embed_text, c.standard, c.family, c.status, c.kind, c.item_type, c.code, c.task, str(c.level))
            digest.update("\x1f".join(fields).encode("utf-8", "surrogatepass") + b"\x1e")
    return digest.hexdigest()


class VectorIndex:
    def __init__(self, index_dir: Path, embedder: Embedder, chroma_url: str | None = None) -> None:
        self.dir = Path(index_dir)
        self.embedder = embedder
        self.chroma_url = chroma_url
        self.dir.mkdir(parents=True, exist_ok=True)
        self.cache = EmbeddingCache(self.dir / "embeddings.sqlite3", embedder)
        self.manifest_path = self.dir / f"manifest-{collection_name(embedder)}.json"
        self._store: Any = None  # the langchain wrapper, for writing
        self._collection: Any = None  # the chromadb collection, for counting, deleting and searching
        self._chroma: Any = None

    # ------------------------------------------------------------ opening
    @property
    def collection(self) -> Any:
        """Opened with chromadb alone: reading the index never imports langchain."""
        if self._collection is None:
            self._collection = self._open()
        return self._collection

    @property
    def store(self) -> Any:
        if self._store is None:
            from langchain_chroma import Chroma

            from index.lc import CachedEmbeddings

            self.collection  # noqa: B018 - opens (or repairs) the store first
            self._store = Chroma(
                client=self._chroma,
                collection_name=collection_name(self.embedder),
                embedding_function=CachedEmbeddings(self.embedder, self.cache),
                collection_metadata=COLLECTION_METADATA,
            )
        return self._store

    def _client(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
        if self.chroma_url:
            url = urlparse(self.chroma_url)
            return chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                       ssl=url.scheme == "https", settings=settings)
        return chromadb.PersistentClient(path=str(self.dir / "chroma"), settings=settings)

    def _get_collection(self) -> Any:
        self._chroma = self._client()
        # no embedding function: vectors always come from our embedder (Chroma's default would download one)
        return self._chroma.get_or_create_collection(collection_name(self.embedder), metadata=COLLECTION_METADATA,
                                                     embedding_function=None)

    def _open(self) -> Any:
        try:
            return self._get_collection()
        except Exception as e:  # chromadb raises many kinds on a damaged store
            if self.chroma_url:
                reason = t("cli.chroma_unreachable", url=mask_url(self.chroma_url), reason=type(e).__name__)
                raise IndexError_(reason) from e
            log.warning("vector index at %s unreadable (%s); rebuilding it", self.dir / "chroma", type(e).__name__)
            self._discard_local()
            return self._get_collection()

    def _discard_local(self) -> None:
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()  # chromadb keeps one client per path; drop the broken one
        shutil.rmtree(self.dir / "chroma", ignore_errors=True)
        self.manifest_path.unlink(missing_ok=True)

    # ------------------------------------------------------------ manifest
    def manifest(self) -> dict[str, str]:
        try:
            data = json.loads(self.manifest_path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        if data.get("schema") != SCHEMA or data.get("collection") != collection_name(self.embedder):
            return {}
        return dict(data.get("documents", {}))

    def corpus(self) -> str:
        """The corpus key the last complete sync was given ("" if none)."""
        try:
            data = json.loads(self.manifest_path.read_text("utf-8"))
        except (OSError, ValueError):
            return ""
        return str(data.get("corpus", "")) if data.get("schema") == SCHEMA else ""

    def _save_manifest(self, documents: dict[str, str], corpus: str = "") -> None:
        tmp = self.manifest_path.with_suffix(".tmp")
        payload = {"schema": SCHEMA, "collection": collection_name(self.embedder), "documents": documents,
                   "corpus": corpus}
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), "utf-8")
        tmp.replace(self.manifest_path)

    def is_current(self, chunks: Sequence[Chunk], corpus: str = "") -> bool:
        """The manifest matches and the collection really holds the chunks (a wiped store is not current).
        corpus: the key of what the chunks are made from (index.chunk.corpus_key); when the last complete sync
        had the same, the chunks are not hashed again."""
        if not (corpus and self.corpus() == corpus) and self.manifest() != _hashes(chunks):
            return False
        expected = sum(1 for c in chunks if c.embed_text)
        try:
            return self.count() == expected
        except Exception:  # noqa: BLE001 - a damaged store is simply not current
            return False

    def remember(self, corpus: str) -> None:
        """Record the corpus key of chunks found current by hashing, so the next start need not hash them."""
        if corpus and self.corpus() != corpus:
            self._save_manifest(self.manifest(), corpus)

    def count(self) -> int:
        return int(self.collection.count())

    # ------------------------------------------------------------ building
    def sync(self, chunks: Sequence[Chunk], progress: bool = False,
             on_progress: Callable[[SyncReport], None] | None = None, corpus: str = "") -> SyncReport:
        """Brings the index to these chunks, embedding only what changed. on_progress gets the report so far
        after every batch written (a benchmark prints from it; the command line shows a bar instead)."""
        started = time.perf_counter()
        report = SyncReport()
        wanted = _hashes(chunks)
        have = self.manifest()
        if have and not self._collection_matches(have):
            have = {}
        by_doc: dict[str, list[Chunk]] = defaultdict(list)
        for c in chunks:
            by_doc[c.standard].append(c)
        for code in sorted(set(have) - set(wanted)):
            self._delete(code)
            report.removed.append(code)
            have.pop(code)
            self._save_manifest(have)
        todo = [code for code in wanted if have.get(code) != wanted[code]]
        report.unchanged = [code for code in wanted if code not in todo]
        bar = _progress(sum(1 for code in todo for c in by_doc[code] if c.embed_text), progress)
        if todo:
            self.store.embeddings.counter = report
        for code in todo:
            (report.replaced if code in have else report.added).append(code)
            self._delete(code)
            report.chunks_written += self._add(by_doc[code], bar, lambda: on_progress(report) if on_progress else None)
            have[code] = wanted[code]
            self._save_manifest(have)
        if todo:
            self.store.embeddings.counter = None
        self._save_manifest(have, corpus)  # complete: the corpus key is kept from here on
        if bar is not None:
            bar.close()
        report.seconds = time.perf_counter() - started
        return report

    def _collection_matches(self, have: dict[str, str]) -> bool:
        """A manifest without its collection (deleted or replaced store) means: build again."""
        try:
            return self.count() > 0 or not have
        except Exception:  # noqa: BLE001
            self._store = self._collection = None
            self._discard_local()
            return False

    def _delete(self, code: str) -> None:
        self.collection.delete(where={"standard": code})

    def _add(self, chunks: list[Chunk], bar: Any, after_batch: Callable[[], None]) -> int:
        rows = [c for c in chunks if c.embed_text]
        for i in range(0, len(rows), BATCH):
            part = rows[i : i + BATCH]
            self.store.add_texts(
                texts=[c.embed_text for c in part],
                metadatas=[{**c.metadata(), "cid": c.id} for c in part],
                ids=[c.id for c in part],
            )
            if bar is not None:
                bar.update(len(part))
            after_batch()
        return len(rows)

    # ------------------------------------------------------------ searching
    def search(self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        embedding = vector.tolist() if hasattr(vector, "tolist") else list(vector)
        # the ids are the chunk ids: reading the metadata back as well cost ~8 ms a question at 3,000 standards
        found = self.collection.query(query_embeddings=[embedding], n_results=k, where=where or None,
                                      include=["distances"])
        ids, distances = found["ids"][0], found["distances"][0]
        return [(cid, 1.0 - float(distance)) for cid, distance in zip(ids, distances, strict=True)]

    def search_among(self, vector: Sequence[float], ids: Sequence[str], k: int) -> list[tuple[str, float]]:
        """The k nearest of these chunks, compared exactly (their vectors read from the store by id): a
        question about one standard never pays for Chroma's metadata filtering."""
        found = self.collection.get(ids=list(ids), include=["embeddings"])
        if found["embeddings"] is None or not len(found["embeddings"]):
            return []
        sims = _cosines(vector, found["embeddings"])
        order = sorted(range(len(sims)), key=lambda i: -float(sims[i]))[:k]
        return [(found["ids"][i], float(sims[i])) for i in order]


def _cosines(vector: Sequence[float], matrix: Any) -> Any:
    import numpy as np

    q = np.asarray(vector, dtype=np.float32)
    m = np.asarray(matrix, dtype=np.float32)
    return (m @ q) / (np.linalg.norm(m, axis=1) * float(np.linalg.norm(q)) + 1e-12)


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
