"""The hybrid search as a langchain retriever (imported only by who needs langchain: a code lookup does not)."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from retrieval.search import Filters


class CompetencyRetriever(BaseRetriever):
    """The hybrid search as a langchain retriever (exact codes are resolved before it, in answer.py)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    search: Any
    k: int = 8
    filters: Any = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        hits = self.search.search(query, k=self.k, filters=self.filters)
        return [
            LCDocument(page_content=h.chunk.text, metadata={**h.chunk.metadata(), "cid": h.chunk.id, "score": h.score},
                       id=h.chunk.id)
            for h in hits
        ]


def retriever(search: Any, k: int = 8) -> CompetencyRetriever:
    return CompetencyRetriever(search=search, k=k, filters=Filters())
