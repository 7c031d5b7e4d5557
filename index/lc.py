"""Our embedder seen through langchain's Embeddings interface (for langchain-chroma, which writes the index).

Imported only when the index is written or a langchain component is built: reading never needs langchain."""

from __future__ import annotations

from typing import Any

from langchain_core.embeddings import Embeddings

from index.embed import Embedder, EmbeddingCache


class LangchainEmbeddings(Embeddings):
    """The same embedder seen through langchain's Embeddings interface (for langchain-chroma)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()


class CachedEmbeddings(LangchainEmbeddings):
    """Passages through the embedding cache, counted in the report of the sync under way."""

    def __init__(self, embedder: Embedder, cache: EmbeddingCache, counter: Any = None) -> None:
        super().__init__(embedder)
        self.cache, self.counter = cache, counter

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self.cache.embed(texts)
        if self.counter is not None:
            self.counter.embedded += self.cache.misses
            self.counter.cached += self.cache.hits
        return vectors.tolist()
