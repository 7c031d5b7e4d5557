"""Calibrates the scope vote (retrieval/scopevote.py) with the real embedder.

Reads every in-scope question of the exam sets (tests/data/exam_*.jsonl, cases expecting citations) and of the
shared dev sets, and prints the highest margins by which their nearest out-of-scope examples lead: the calibrated
margin must stay above all of them. Then, for each candidate margin, how many questions of a labelled set it would
call outside, in scope and out (by default tests/data/scope_fresh7.jsonl, scope_fresh8.jsonl and the held-out half of scope_people.jsonl,
which the examples leave out).

    .venv/bin/python scripts/scope_vote_margin.py [--set FILE ...]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402
from bot.wiring import build_assistant  # noqa: E402

CANDIDATES = (0.03, 0.04, 0.05, 0.055, 0.06, 0.065, 0.07, 0.08, 0.1)


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def in_scope_questions() -> list[str]:
    files = sorted((ROOT / "tests" / "data").glob("exam_*.jsonl")) + [ROOT.parent / "shared" / "eval" / f"{n}.jsonl"
                                                                      for n in ("dev", "dev2")]
    out = []
    for path in (f for f in files if f.is_file()):
        for case in rows(path):
            expect = case.get("expect", {})
            if "question" in case and not expect.get("no_citations"):
                out.append(case["question"])
    return out


def labelled(path: Path, held_out_only: bool) -> list[tuple[str, bool]]:
    return [(c["question"], c["in_scope"]) for c in rows(path)
            if not held_out_only or int(re.sub(r"\D", "", c["id"])) % 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", type=Path, help="a labelled set (default: scope_fresh7, 8 + held-out)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        assistant = build_assistant(Settings(BOT_DATA_DIR=data))

        def margin(question: str) -> float:
            found = assistant.scope_margin(question)
            return -1.0 if found is None else found  # no vote taken: never outside by it

        exam = sorted(((margin(q), q) for q in in_scope_questions()), reverse=True)
        print(f"{len(exam)} in-scope exam questions; the highest margins:")
        for m, q in exam[:8]:
            print(f"  {m:+.3f}  {q[:70]}")
        sets = [(p, False) for p in args.set] if args.set else [
            (ROOT / "tests/data/scope_fresh7.jsonl", False), (ROOT / "tests/data/scope_fresh8.jsonl", False),
            (ROOT / "tests/data/scope_people.jsonl", True)]
        for path, held_out in sets:
            scored = [(margin(q), inside) for q, inside in labelled(path, held_out)]
            print(f"{path.name}{' (held-out half)' if held_out else ''}:")
            for cut in CANDIDATES:
                wrong = sum(1 for m, inside in scored if inside and m >= cut)
                caught = sum(1 for m, inside in scored if not inside and m >= cut)
                print(f"  margin {cut:.3f}: in scope called outside {wrong}/{sum(i for _, i in scored)}, "
                      f"outside caught {caught}/{sum(not i for _, i in scored)} "
                      f"(voted on: {sum(1 for m, _ in scored if m > -1)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
