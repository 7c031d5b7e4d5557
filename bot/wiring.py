"""The one place that puts the parts together: settings -> catalog -> vector index -> assistant (-> services,
in bot/services.py). The command line, the server, the benchmarks and the tests all start here.

The corpus is read here and only here (`read_catalog`): the documents of the corpus folder (BOT_CORPUS_DIR, the
shipped standards by default) and the ones admins uploaded (in BOT_DATA_DIR), an upload replacing a document of
its code. `ask`, `show`, the terminal chat and the server answer from the same documents."""

from __future__ import annotations

import gc
import hashlib
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.settings import Settings
from index.catalog import Catalog, DuplicateDocument, ParsedCache
from index.chunk import chunk_catalog, corpus_key
from index.guard import parse_document, sandbox
from index.holder import CatalogHolder
from index.model import Document
from index.names import printable
from index.parse import ParseError
from prompts import t
from retrieval.assistant import Assistant
from retrieval.search import BM25, HybridSearch

log = logging.getLogger(__name__)
UPLOADS_FOLDER = "standards"


def parsed_cache(settings: Settings) -> Path:
    """Where parsed documents are kept by content hash (a start does not parse unchanged documents again)."""
    return settings.index_dir / "parsed"


def bm25_cache(settings: Settings) -> Path:
    """Where the BM25 weights are kept by a digest of the chunks (a start reads them instead of building)."""
    return settings.index_dir / "bm25"


def build_keyword_index(settings: Settings, chunks: list, corpus: str = "") -> BM25:  # type: ignore[type-arg]
    """The BM25 weights of these chunks, built and saved unless saved already (`competency-bot index` does this
    so the server starts without building them). corpus: `corpus_key` of the catalog the chunks come from."""
    return BM25(chunks, cache=bm25_cache(settings), corpus=corpus)


@contextmanager
def bulk() -> Iterator[None]:
    """Building millions of long-lived objects (documents, chunks, name indexes) without the cyclic garbage
    collector running over them again and again: at 3,000 documents it halves reading the catalog. They hold
    no reference cycles to collect; what was built is frozen out of later collections (`gc.freeze`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


def uploads_dir(settings: Settings) -> Path:
    """Where documents sent by an admin are kept (in the data directory, never the source tree)."""
    return settings.bot_data_dir / UPLOADS_FOLDER


def read_catalog(settings: Settings, folder: Path | None = None) -> Catalog:
    """The corpus (the corpus folder and the uploads), or the documents of one folder (`ingest FOLDER`); parsed
    documents reused by content hash."""
    with bulk():
        if folder is not None:
            return Catalog.load(folder, cache_dir=parsed_cache(settings))
        return load_catalog(settings.corpus_dir, uploads_dir(settings), parsed_cache(settings))


def load_catalog(corpus_dir: Path, extra_dir: Path | None = None, cache_dir: Path | None = None) -> Catalog:
    """The corpus folder plus uploaded documents; an upload replaces a document with the same code.

    Of two uploads with one code the newer file is loaded and the older reported (an upload made
    now moves the older one aside, see Services.add_document; this covers folders filled by hand)."""
    catalog = Catalog(parsed=ParsedCache(cache_dir) if cache_dir else None)
    with sandbox():  # one child process for the PDFs and ODTs of both folders, if there are any
        for path in document_files(corpus_dir):
            catalog.add_file(path)
        uploads = uploaded_documents(extra_dir, catalog.errors)
    loaded: dict[str, str] = {}
    for path, doc in uploads:
        if doc.code in loaded:
            message = t("documents.duplicate_upload", code=doc.code, other=printable(loaded[doc.code]))
            catalog.errors.append(DuplicateDocument(path.name, message))
            continue
        loaded[doc.code] = path.name
        catalog.documents[doc.code] = doc
        catalog.hashes[doc.code] = hashlib.sha256(path.read_bytes()).hexdigest()
    catalog.resolve()
    return catalog


def document_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def uploaded_documents(folder: Path | None, errors: list[ParseError]) -> list[tuple[Path, Document]]:
    """The uploaded documents that parse, newest file first."""
    out = []
    files = document_files(folder) if folder else []
    for path in sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True):
        try:
            out.append((path, parse_document(path)))
        except ParseError as e:
            errors.append(e)
    return out


def build_assistant(settings: Settings, catalog: Catalog | CatalogHolder | None = None, progress: bool = False,
                    lazy: bool = False, background: bool = False) -> Assistant:
    """lazy: the vector store opens (and syncs) on the first question that searches by meaning, so a code
    lookup from the command line never imports chromadb; a server starts eager and warms up. Given the catalog
    holder, the assistant follows its reloads. background (a server): more missing vectors than
    settings.background_build_above are built in a thread while it answers."""
    holder = catalog if isinstance(catalog, CatalogHolder) else CatalogHolder(catalog or read_catalog(settings))
    catalog = holder.catalog
    with bulk():
        chunks = chunk_catalog(catalog)
        search, model = build_search(settings, chunks, progress=progress, lazy=lazy, corpus=corpus_key(catalog),
                                     background=background)
        assistant = Assistant(holder, search, model, settings.index_dir)
        if not lazy:
            search.bm25  # noqa: B018 - read (or built) now, not on the first question
    if not lazy:
        assistant.warm_up()
        start_build = getattr(search.dense, "start", None)
        if callable(start_build):  # after the warm-up: the first answers do not wait for the build's threads
            start_build()
    return assistant


def build_search(settings: Settings, chunks: list, progress: bool = False,  # type: ignore[type-arg]
                 lazy: bool = False, corpus: str = "", background: bool = False) -> tuple[HybridSearch, str]:
    """BM25 in memory plus the persistent Chroma index, built first if it is missing or stale (background: built
    in a thread when much is missing, see build_assistant). corpus: `corpus_key` of the catalog the chunks come
    from (lets an unchanged index skip hashing them)."""
    from index.embed import get_embedder

    embedder = get_embedder(settings.embedder)

    def open_index() -> Any:
        from index.store import VectorIndex

        vectors = VectorIndex(settings.index_dir, embedder, settings.chroma_url)
        if vectors.is_current(chunks, corpus):
            vectors.remember(corpus)
        elif (background or lazy) and (pending := vectors.pending(chunks)) > settings.background_build_above:
            from index.building import BackgroundIndex

            if lazy:  # a one-shot `ask` does not build an hour of vectors: keywords now, and how to build them
                print(t("cli.vectors_missing", passages=f"{pending:,}"), file=sys.stderr)
            else:
                log.info("building %s passages' vectors in the background", pending)
            return BackgroundIndex(vectors, chunks, corpus)  # a server's starts once it is up (build_assistant)
        else:
            print(t("cli.building_index"), file=sys.stderr)
            report = vectors.sync(chunks, progress=progress, corpus=corpus)
            log.info("index synced: %s", report)
        return vectors

    dense = LazyIndex(open_index) if lazy else open_index()
    search = HybridSearch(chunks, dense, embedder.embed_query, cache=bm25_cache(settings), corpus=corpus,
                          embed_queries=getattr(embedder, "embed_queries", None))
    return search, embedder.name


class LazyIndex:
    """A vector index opened on first use; every attribute is the opened index's."""

    def __init__(self, open_index: Callable[[], Any]) -> None:
        self._open = open_index
        self._index: Any = None

    @property
    def opened(self) -> bool:
        return self._index is not None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self._index is None:
            self._index = self._open()
        return getattr(self._index, name)
