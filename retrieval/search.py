"""Hybrid search: exact codes first, then BM25 over Chinese (character bigrams, codes and Latin
words kept whole) fused with dense search (reciprocal rank fusion), with filters."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import threading
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index import codes
from index.chunk import Chunk
from index.versions import code_version
from retrieval.normalize import normalize

_TOKEN = re.compile(rf"{codes.ITEM_CODE}|[A-Za-z][A-Za-z0-9+#.\-]*|\d+|[\u3400-\u9fff]+")  # an item code is one token
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
STOP_GRAMS = frozenset(
    ["什麼", "麼是", "是什", "哪些", "哪個", "些任", "個任", "有哪", "些是", "請問", "一下", "如何", "怎麼", "可以", "需要", "要哪", "的是", "是哪", "為什", "嗎", "呢", "我想", "想知", "知道", "告訴", "訴我", "們的", "這個", "那個", "什么", "之間"]
)
RRF_K = 60
LONG_QUESTION = 25  # characters from which a question is told in a person's own words
LONG_BM25_WEIGHT = 0.5  # their many common words make BM25 noisy: meaning counts twice as much
QUERY_VECTORS = 2048  # question vectors kept (a follow-up or a repeated question embeds nothing again)
EXACT_DENSE_LIMIT = 4000  # vectors of the named standards compared here, up to this many
BROAD_FILTER_SHARE = 0.2  # a filter keeping at least this part of the chunks is applied after an unfiltered search
MAX_DENSE_NEIGHBOURS = 400
BUILD_BLOCK = 20_000  # chunks whose term frequencies are counted together when BM25 is built
log = logging.getLogger(__name__)


def tokens(text: str) -> list[str]:
    """Codes and Latin words whole (lower case), CJK as character bigrams (single characters alone)."""
    out: list[str] = []
    for tok in _TOKEN.findall(text):
        if _CJK_RUN.fullmatch(tok):
            out.extend(tok[i : i + 2] for i in range(len(tok) - 1)) if len(tok) > 1 else out.append(tok)
        else:
            out.append(tok.lower())
    return out


def content_tokens(text: str) -> list[str]:
    return [t for t in tokens(text) if t not in STOP_GRAMS]


@dataclass
class Filters:
    standards: Sequence[str] = ()
    status: str | None = "current"
    kinds: Sequence[str] = ()
    item_types: Sequence[str] = ()

    def accepts_type(self, status: str, kind: str, item_type: str) -> bool:
        """What `accepts` says of any chunk of this status, kind and item type, standards aside."""
        return ((self.status is None or status == self.status) and (not self.kinds or kind in self.kinds)
                and (not self.item_types or item_type in self.item_types))

    def accepts(self, c: Chunk) -> bool:
        return (not self.standards or c.standard in self.standards) and self.accepts_type(c.status, c.kind, c.item_type)

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.standards:
            clauses.append({"standard": {"$in": list(self.standards)}})
        if self.status:
            clauses.append({"status": self.status})
        if self.kinds:
            clauses.append({"kind": {"$in": list(self.kinds)}})
        if self.item_types:
            clauses.append({"item_type": {"$in": list(self.item_types)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass
class Hit:
    chunk: Chunk
    score: float
    sources: dict[str, int] = field(default_factory=dict)  # ranking per method
    similarity: float = 0.0  # the dense model's cosine similarity, when it found the chunk


class BM25:
    """Okapi BM25 held compactly: per token the chunks holding it and their precomputed weights, in three
    flat arrays (CSR), so 3,000 standards (~460,000 chunks) take ~150 MB instead of gigabytes of tuples.
    With a cache folder the arrays are kept on disk by a digest of the chunks and memory-mapped at the next start."""

    FOLDER = "bm25-{digest}"
    ARRAYS = ("indptr", "docs", "weights")

    def __init__(self, chunks: Sequence[Chunk], k1: float = 1.2, b: float = 0.75, cache: Path | None = None,
                 corpus: str = "") -> None:
        """corpus: the key of what the chunks are made from (index.chunk.corpus_key): names the saved weights
        without hashing every chunk's text."""
        self.chunks = list(chunks)
        self.k1, self.b = k1, b
        digest = (_corpus_digest(corpus, k1, b) if corpus else chunk_digest(self.chunks, k1, b)) if cache else ""
        self._saved = (cache, digest)
        loaded = self._load(cache / self.FOLDER.format(digest=digest)) if cache else None
        self.vocab, self.indptr, self.docs, self.weights = loaded or self._build()
        if cache and loaded is None:
            self._save(cache, digest)

    @property
    def _highest(self) -> float:
        """No weight can exceed the largest idf times (k1 + 1): a saved one that does is damage."""
        return float(np.log(1 + (len(self.chunks) + 0.5) / 0.5) * (self.k1 + 1)) * 1.001

    def _rebuild(self) -> None:
        """Saved weights found damaged while answering (postings out of range): built and saved again."""
        log.warning("BM25 weights damaged; building them again")
        self.vocab, self.indptr, self.docs, self.weights = self._build()
        cache, digest = self._saved
        if cache:
            self._save(cache, digest)

    def _build(self) -> tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray]:
        """Term frequencies counted a block of chunks at a time (so the peak memory of a build stays near the
        size of the result), then ordered by token into the CSR arrays."""
        vocab: dict[str, int] = {}
        n = len(self.chunks)
        lengths = np.zeros(n, dtype=np.int32)
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (token, chunk, tf) per block
        for start in range(0, n, BUILD_BLOCK):
            ids, owners = array("i"), array("i")
            for i, chunk in enumerate(self.chunks[start : start + BUILD_BLOCK], start):
                toks = tokens(chunk.text)
                ids.extend([vocab.setdefault(tok, len(vocab)) for tok in toks])
                owners.extend([i] * len(toks))
                lengths[i] = len(toks)
            keys = np.frombuffer(ids, dtype=np.int32).astype(np.int64) * n + np.frombuffer(owners, dtype=np.int32)
            pairs, tf = np.unique(keys, return_counts=True)
            tok, doc = np.divmod(pairs, max(1, n))
            parts.append((tok.astype(np.int32), doc.astype(np.int32), tf.astype(np.float32)))
        tok = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
        order = np.argsort(tok, kind="stable")  # by token; chunks stay in order within a token
        docs = np.concatenate([p[1] for p in parts])[order] if parts else np.zeros(0, dtype=np.int32)
        tf_f = np.concatenate([p[2] for p in parts])[order] if parts else np.zeros(0, dtype=np.float32)
        tok = tok[order]
        del parts, order
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(tok, minlength=len(vocab)), out=indptr[1:])
        df = np.diff(indptr).astype(np.float32)
        idf = np.log(1 + (max(1, n) - df + 0.5) / (df + 0.5)).astype(np.float32)
        lengths_f = lengths.astype(np.float32)
        avg = float(lengths_f.mean()) if n and lengths_f.sum() else 1.0
        norm = self.k1 * (1 - self.b + self.b * lengths_f / avg)
        weights = (idf[tok] * tf_f * (self.k1 + 1) / (tf_f + norm[docs])).astype(np.float32)
        return vocab, indptr, docs, weights

    def _load(self, folder: Path) -> tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray] | None:
        """The saved arrays, memory-mapped: a question reads only the postings of its own tokens, so the weights
        of 3,000 standards (~110 MB) stay on disk instead of in the server's memory."""
        try:
            vocab = np.load(folder / "vocab.npy", allow_pickle=False)
            indptr, docs, weights = (np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                                     for name in self.ARRAYS)
            if not _postings_fit(vocab, indptr, docs, weights):
                raise ValueError("arrays of another type or shape")
            words = {str(w): i for i, w in enumerate(vocab.tolist())}
            if len(words) != len(vocab) or "" in words:
                raise ValueError("words repeated or empty")  # each token is saved once
            return words, indptr, docs, weights
        except FileNotFoundError:
            return None
        except Exception as e:  # noqa: BLE001 - truncated, overwritten, another type: built again
            log.warning("BM25 weights in %s unreadable (%s); building them again", folder.name, type(e).__name__)
            return None

    def _save(self, cache: Path, digest: str) -> None:
        try:
            cache.mkdir(parents=True, exist_ok=True)
            tmp = cache / f".bm25-{os.getpid()}"
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            np.save(tmp / "vocab.npy", np.array(sorted(self.vocab, key=self.vocab.__getitem__), dtype=str))
            for name in self.ARRAYS:
                np.save(tmp / f"{name}.npy", getattr(self, name))
            for old in cache.glob(self.FOLDER.format(digest="*")):  # (a mapped file stays readable until unmapped)
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
            os.replace(tmp, cache / self.FOLDER.format(digest=digest))
        except OSError as e:  # a read-only data dir still answers; the next start builds again
            log.warning("BM25 weights not saved: %s", e)

    def coverage(self, query_tokens: Sequence[str]) -> float:
        """Share of the question's content tokens that occur anywhere in the corpus."""
        if not query_tokens:
            return 0.0
        return sum(1 for t in query_tokens if t in self.vocab) / len(query_tokens)

    def together(self, query_tokens: Sequence[str], missing: int = 0) -> bool:
        """Whether one passage holds these tokens, all but `missing` of them (a term written in the corpus, where
        a bigram across a break, 「泛型 (genericity) 規格」, or one mistyped character may be missing)."""
        wanted = list(dict.fromkeys(query_tokens))
        postings = [self.docs[int(self.indptr[tid]) : int(self.indptr[tid + 1])]
                    for tid in (self.vocab.get(tok) for tok in wanted) if tid is not None]
        if not postings or len(wanted) - len(postings) > missing:
            return False
        _, held = np.unique(np.concatenate(postings), return_counts=True)  # a chunk appears once per token it holds
        return int(held.max()) >= len(wanted) - missing

    def search(self, query_tokens: Sequence[str], accepts: Callable[[Chunk], bool], k: int) -> list[tuple[int, float]]:
        try:
            scores = self._scores(query_tokens)
        except _Damaged:
            self._rebuild()
            scores = self._scores(query_tokens)
        hits = np.flatnonzero(scores)
        shortlist = hits if len(hits) <= k * 8 else hits[np.argpartition(-scores[hits], k * 8)[: k * 8]]
        found = self._accepted(shortlist, scores, accepts, k)
        if len(found) < k and len(shortlist) < len(hits):  # a narrow filter: look past the shortlist
            found = self._accepted(hits, scores, accepts, k)
        return found

    def _scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """Every chunk's score. The postings read are checked on the way (the saved arrays are memory-mapped, so
        damage inside them shows only here): out of range or not finite raises _Damaged."""
        n = len(self.chunks)
        scores = np.zeros(n, dtype=np.float32)
        for tok in set(query_tokens):
            tid = self.vocab.get(tok)
            if tid is not None:
                lo, hi = int(self.indptr[tid]), int(self.indptr[tid + 1])
                docs, weights = self.docs[lo:hi], self.weights[lo:hi]
                if not 0 <= lo <= hi <= len(self.docs) or (hi > lo and not (
                        int(docs.min()) >= 0 and int(docs.max()) < n
                        and float(weights.min()) > 0 and float(weights.max()) <= self._highest)):
                    raise _Damaged
                scores[docs] += weights
        return scores

    def _accepted(self, candidates: np.ndarray, scores: np.ndarray, accepts: Callable[[Chunk], bool],
                  k: int) -> list[tuple[int, float]]:
        out: list[tuple[int, float]] = []
        for i in candidates[np.argsort(-scores[candidates], kind="stable")]:
            if accepts(self.chunks[i]):
                out.append((int(i), float(scores[i])))
                if len(out) == k:
                    break
        return out


class _Damaged(Exception):
    """Saved BM25 postings that cannot be what was saved."""


def _postings_fit(vocab: np.ndarray, indptr: np.ndarray, docs: np.ndarray, weights: np.ndarray) -> bool:
    """Arrays of the types and shapes saved, their offsets in order (the postings themselves are checked when read)."""
    return (all(a.ndim == 1 for a in (vocab, indptr, docs, weights)) and vocab.dtype.kind == "U"
            and indptr.dtype.kind in "iu" and docs.dtype.kind in "iu" and weights.dtype.kind == "f"
            and len(indptr) == len(vocab) + 1 and len(docs) == len(weights)
            and (not len(indptr) or (int(indptr[0]) == 0 and int(indptr[-1]) == len(docs)
                                     and bool((np.diff(indptr) >= 0).all()))))


def _corpus_digest(corpus: str, *params: float) -> str:
    return "c" + hashlib.sha256(repr((params, code_version(__name__), corpus)).encode()).hexdigest()[:23]


def chunk_digest(chunks: Sequence[Chunk], *params: float) -> str:
    """What the BM25 weights depend on: every chunk's text in order, the code that tokenizes and weighs (this
    module and what it imports), the parameters."""
    digest = hashlib.sha256(repr((params, code_version(__name__), len(chunks))).encode())
    for chunk in chunks:
        digest.update(chunk.text.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:24]


class HybridSearch:
    """BM25 + dense (a VectorIndex, or anything with its `search(vector, k, where, statuses)` and `search_among`)."""

    def __init__(self, chunks: Sequence[Chunk], dense: Any | None, embed_query: Callable[[str], Any] | None,
                 cache: Path | None = None, corpus: str = "",
                 embed_queries: Callable[[list[str]], Any] | None = None, lexical_standin: BM25 | None = None) -> None:
        """lexical_standin: the BM25 of the corpus before a reload, searched while this one's is built in a thread (at
        3,000 documents a build takes ~8 s, and one document added must be searchable well within 15 s)."""
        self.chunks = list(chunks)
        self._standin = lexical_standin
        self._lexical_build: threading.Thread | None = None
        self.cache = cache  # where the BM25 weights are kept between starts
        self.corpus = corpus
        self.by_id = {c.id: c for c in self.chunks}
        self._bm25: BM25 | None = None
        self._by_code: dict[str, list[int]] | None = None
        self._by_standard: dict[str, list[Chunk]] | None = None
        self._kinds_of_chunks: Counter[tuple[str, str, str]] | None = None
        self.dense = dense
        self.embed_query = embed_query
        self.embed_queries = embed_queries  # several queries in one call of the model, when it can
        self._vectors: OrderedDict[str, Any] = OrderedDict()  # the last QUERY_VECTORS questions' vectors
        self._vectors_lock = threading.Lock()
        self._embed = self._cached_embed if embed_query else None
        self._neighbours: dict[tuple[str, int, str], list[tuple[str, float]]] = {}  # primed, taken once each

    @property
    def bm25(self) -> BM25:
        """Built on first use: a code lookup never needs it. After a reload, the previous corpus's stands in while
        this one's is built in a thread; its hits are mapped to this corpus's chunks by id."""
        if self._bm25 is None:
            standin = self._standin
            if standin is not None:
                self._build_lexical_in_background()
                return standin
            self._bm25 = BM25(self.chunks, cache=self.cache, corpus=self.corpus)
        return self._bm25

    def _build_lexical_in_background(self) -> None:
        with self._vectors_lock:
            if self._lexical_build is not None:
                return
            self._lexical_build = threading.Thread(target=self._build_lexical, name="bm25-build", daemon=True)
        self._lexical_build.start()

    def _build_lexical(self) -> None:
        try:
            self._bm25 = BM25(self.chunks, cache=self.cache, corpus=self.corpus)
        except Exception:  # noqa: BLE001 - the stand-in keeps answering; the next start builds again
            log.exception("building the BM25 weights after a reload failed")
            return
        self._standin = None

    def lexical_now(self) -> BM25 | None:
        """The BM25 answering now, if any is built (a reload hands it to the next snapshot as its stand-in)."""
        return self._bm25 or self._standin

    def lexical_ready(self, wait: float = 0.0) -> bool:
        """Whether this corpus's own BM25 is in (waiting up to `wait` seconds for a build under way)."""
        thread = self._lexical_build
        if thread is not None and wait:
            thread.join(wait)
        return self._bm25 is not None

    def embed(self, text: str) -> Any:
        if self._embed is None:
            raise RuntimeError("no dense model")
        return self._embed(text)

    def _cached_embed(self, text: str) -> Any:
        with self._vectors_lock:
            if text in self._vectors:
                self._vectors.move_to_end(text)
                return self._vectors[text]
        vector = self.embed_query(text)  # type: ignore[misc]
        self._keep({text: vector})
        return vector

    def forget_vectors(self) -> None:
        """The question vectors kept, dropped (a benchmark asking the same question as if never seen)."""
        with self._vectors_lock:
            self._vectors.clear()
        self._neighbours = {}

    def _keep(self, vectors: dict[str, Any]) -> None:
        with self._vectors_lock:
            self._vectors.update(vectors)
            while len(self._vectors) > QUERY_VECTORS:
                self._vectors.popitem(last=False)

    def prime(self, queries: Sequence[str], k: int = 0, filters: Filters | None = None) -> None:
        """The queries a plan is about to search (a description's clauses) embedded in one call of the model: a call
        costs what its tokens cost plus the model's start (~5 ms here), paid once instead of once a clause. Given
        the k and filters they will be searched with, their neighbours are looked up in one query of the store
        too, kept until each is searched."""
        if self.embed_queries is None or self._embed is None:
            return
        texts = list(dict.fromkeys(normalize(q) for q in queries))
        with self._vectors_lock:
            missing = [t for t in texts if t not in self._vectors]
        if len(missing) > 1:
            self._keep(dict(zip(missing, self.embed_queries(missing), strict=True)))
        if k and len(texts) > 1:
            self._prime_neighbours(texts, k * 4, filters or Filters())

    def _prime_neighbours(self, texts: list[str], k: int, filters: Filters) -> None:
        plan = self._dense_plan(k, filters)
        if plan is None or plan[0] is not None:  # the named standards' vectors: compared exactly, one by one
            return
        _, n, where, statuses = plan
        found = self.dense.search_many([self._embed(t) for t in texts], n, where, statuses)  # type: ignore[misc,union-attr]
        self._neighbours = {(t, k, repr(filters)): rows for t, rows in zip(texts, found, strict=True)}

    def search(self, query: str, k: int = 10, filters: Filters | None = None, meaning: str = "",
               dense: bool = True) -> list[Hit]:
        """The chunks for a query, words and meaning fused; `meaning`, when given, is what the model reads instead of
        the query (a clause as the person wrote it, its glosses left to the words); dense=False: the words alone."""
        filters = filters or Filters()
        text = normalize(query)
        fused: dict[str, Hit] = {c.id: Hit(c, 1.0, {"exact": 0}) for c in self._exact(text, filters)}
        bm25 = self.bm25
        standin = bm25 is not self._bm25  # read once: the build may end while this question is answered
        lexical = bm25.search(content_tokens(text), filters.accepts, k * 4)
        bm25_weight = LONG_BM25_WEIGHT if len(text) >= LONG_QUESTION else 1.0
        rank = -1
        for i, _score in lexical:
            c = self.by_id.get(bm25.chunks[i].id) if standin else self.chunks[i]
            if c is None:  # a chunk the reload removed
                continue
            rank += 1
            hit = fused.setdefault(c.id, Hit(c, 0.0))
            hit.score += bm25_weight / (RRF_K + rank)
            hit.sources["bm25"] = rank
        rank = 0
        for cid, sim in self._dense(normalize(meaning) if meaning else text, k * 4, filters) if dense else ():
            c = self.by_id.get(cid)
            if c is None or not filters.accepts(c):
                continue
            hit = fused.setdefault(cid, Hit(c, 0.0))
            hit.score += 1.0 / (RRF_K + rank)
            hit.sources["dense"] = rank
            hit.similarity = sim
            rank += 1
        return sorted(fused.values(), key=lambda h: -h.score)[:k]

    def _exact(self, text: str, filters: Filters) -> list[Chunk]:
        """Chunks whose printed code (or standard code) appears in the question come first."""
        named = set(codes.codes_in(text)) | {c.upper() for c in codes.standard_codes(text)}
        if not named:
            return []
        found = sorted({i for code in named for i in self.by_code.get(code, ())})
        return [c for c in (self.chunks[i] for i in found) if filters.accepts(c)]

    @property
    def by_code(self) -> dict[str, list[int]]:
        """Chunks by their printed code, and overviews by their standard's code (built on first use)."""
        if self._by_code is None:
            index: dict[str, list[int]] = {}
            for i, c in enumerate(self.chunks):
                index.setdefault(c.code.split("/")[-1], []).append(i)
                if c.item_type == "overview" and c.standard.upper() != c.code.split("/")[-1]:
                    index.setdefault(c.standard.upper(), []).append(i)
            self._by_code = index
        return self._by_code

    def _dense(self, text: str, k: int, filters: Filters) -> list[tuple[str, float]]:
        """Chroma's filtered search scans metadata (at 3,000 standards: ~300 ms for one standard, ~2 s for a
        broad item-type filter, against ~2 ms unfiltered), so filters are applied here instead: the vectors of
        the named standards are compared exactly, a status picks the collection searched (the historical one
        is never loaded for a question about current versions), and a broad filter takes more neighbours."""
        primed = self._neighbours.pop((text, k, repr(filters)), None)
        if primed is not None:
            return primed
        plan = self._dense_plan(k, filters)
        if plan is None:
            return []
        rows, n, where, statuses = plan
        vector = self._embed(text)  # type: ignore[misc]
        if rows is not None:
            return self.dense.search_among(vector, rows, k) if rows else []  # type: ignore[union-attr]
        return self.dense.search(vector, n, where, statuses)  # type: ignore[union-attr]

    def _dense_plan(self, k: int, filters: Filters) -> tuple[list[Chunk] | None, int, dict[str, Any] | None, Any] | None:
        """How the vectors are searched for these filters: (the named standards' chunks, …) to compare exactly, or
        (None, neighbours, Chroma's filter, statuses) to ask the store; None when they cannot be searched yet."""
        statuses = (filters.status,) if filters.status else None
        if self.dense is None or self._embed is None or not self.dense_ready(statuses, filters.standards):
            return None
        if filters.standards:
            rows = [c for c in self.of_standards(filters.standards) if c.embed_text and filters.accepts(c)]
            if len(rows) <= EXACT_DENSE_LIMIT:
                return (rows, k, None, statuses)
            return (None, k, filters.where(), statuses)
        share = self.share(filters)
        if share >= BROAD_FILTER_SHARE:  # search() drops what the filter refuses
            return (None, min(MAX_DENSE_NEIGHBOURS, int(k * 2 / share) + 1), None, statuses)
        return (None, k, filters.where(), statuses)

    def dense_ready(self, statuses: Sequence[str] | None = None, standards: Sequence[str] = ()) -> bool:
        """Whether the vectors of these statuses (None: all) can be searched: a server whose vectors are still
        being built (index/building.py) answers by keywords alone until they are in, except about named
        standards, whose vectors it can make for the question."""
        if self.dense is None:
            return False
        ready_for = getattr(self.dense, "ready_for", None)
        covers = getattr(self.dense, "covers", None)
        if standards and covers is not None and covers(self.of_standards(standards)):
            return True
        return ready_for is None or bool(ready_for(statuses))

    def preparing(self) -> Any:
        """How far the building of the vectors is (index.building.Progress), or None when they are all in."""
        progress = getattr(self.dense, "progress", None)
        return progress() if callable(progress) else None

    def of_standards(self, standards: Sequence[str]) -> list[Chunk]:
        if self._by_standard is None:
            groups: dict[str, list[Chunk]] = {}
            for c in self.chunks:
                groups.setdefault(c.standard, []).append(c)
            self._by_standard = groups
        return [c for code in dict.fromkeys(standards) for c in self._by_standard.get(code, ())]

    def share(self, filters: Filters) -> float:
        """The part of the embedded chunks of the collection searched (the filter's status, or all) that a
        filter without standards accepts."""
        if self._kinds_of_chunks is None:
            self._kinds_of_chunks = Counter((c.status, c.kind, c.item_type) for c in self.chunks if c.embed_text)
        searched = {key: n for key, n in self._kinds_of_chunks.items() if filters.status in (None, key[0])}
        total = sum(searched.values())
        return sum(n for key, n in searched.items() if filters.accepts_type(*key)) / total if total else 0.0
