"""Calibrates the out-of-scope rule on a labelled set (tests/data/scope.jsonl) with the real embedder.

A question is in scope when  similarity + weight * coverage >= threshold, where similarity is the
dense model's best cosine to any passage and coverage the share of the question's words the corpus
holds. Prints every question's figures, then the (weight, threshold) pairs with the fewest errors,
refusing an in-scope question counted twice as bad as answering an outside one.

    .venv/bin/python scripts/calibrate_scope.py [--set tests/data/scope.jsonl ...] [--half even] [--decided]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402
from bot.wiring import build_assistant  # noqa: E402
from retrieval.assistant import Assistant  # noqa: E402

WEIGHTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8, 1.0)
SEARCHED = ("search", "reverse", "profile", "learning")  # kinds whose answers pass the rule
FALSE_REFUSAL_COST = 2


def figures(assistant: Assistant, question: str) -> tuple[float, float]:
    q = assistant.understand(question)
    hits = assistant.finder.hits(q, [], k=5)
    return max((h.similarity for h in hits), default=0.0), assistant.finder.coverage(q)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", action="append", help="JSONL of questions labelled in_scope (default: tests/data/scope.jsonl)")
    ap.add_argument("--half", choices=("even", "odd"), help="only the ids ending in an even (dev) or odd digit")
    ap.add_argument("--decided", action="store_true",
                    help="only questions the rule decides (read as a kind that searches), not those settled by structure")
    args = ap.parse_args()
    rows = [json.loads(line) for path in args.set or [str(ROOT / "tests" / "data" / "scope.jsonl")]
            for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.half:
        rows = [r for r in rows if r.get("id") and int(r["id"][-1]) % 2 == (0 if args.half == "even" else 1)]
    with tempfile.TemporaryDirectory() as data:
        assistant = build_assistant(Settings(BOT_DATA_DIR=data))
        if args.decided:
            rows = [r for r in rows if assistant.understand(r["question"]).kind in SEARCHED]
        scored = [(*figures(assistant, r["question"]), bool(r["in_scope"]), r["question"]) for r in rows]
    for sim, cov, inside, question in sorted(scored):
        print(f"{'in ' if inside else 'out'}  similarity {sim:.3f}  coverage {cov:.2f}  {question}")
    results = []
    for w in WEIGHTS:
        values = sorted({round(s + w * c, 4) for s, c, _, _ in scored})
        for tau in values:
            refused = sum(1 for s, c, inside, _ in scored if inside and s + w * c < tau)
            answered = sum(1 for s, c, inside, _ in scored if not inside and s + w * c >= tau)
            results.append((FALSE_REFUSAL_COST * refused + answered, refused, answered, w, tau))
    print("\ncost  refused-in-scope  answered-outside  weight  threshold")
    for cost, refused, answered, w, tau in sorted(results)[:8]:
        print(f"{cost:4}  {refused:16}  {answered:16}  {w:6}  {tau:.4f}")
    best = sorted(results)[0]
    print(f"\nchosen: weight {best[3]}, threshold {best[4]:.4f} ({len(rows)} questions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
