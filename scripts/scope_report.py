"""Reports how the product draws the scope line on a labelled set (tests/data/scope_people.jsonl).

Every question goes through `competency-bot ask --json --batch` once, as the shared scorer does, and
is judged by its answer object alone:
  - an in-scope question is REFUSED when the answer cites nothing and offers no choice of standard
    (its intent is shown: out_of_scope, unknown_code, ...); a bare picker with no citation is
    counted apart as PICKER, since it asks back rather than refuses;
  - an out-of-scope question is ANSWERED when the answer cites anything; offering a picker is
    counted apart (the issue wants neither).
Figures are given for the development half (even ids), the held-out half (odd ids) and both,
then per kind of question. Exit status 0 unless the command could not be run.

    python3 scripts/scope_report.py [--cmd .venv/bin/competency-bot] [--set tests/data/scope_people.jsonl] [-v]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HALVES = {"dev (even ids)": 0, "held-out (odd ids)": 1}


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def ask_all(cmd: str, rows: list[dict]) -> list[dict]:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps({"question": row["question"], "standard": None}, ensure_ascii=False) + "\n")
        batch = f.name
    try:
        proc = subprocess.run(shlex.split(cmd) + ["ask", "--json", "--batch", batch],
                              capture_output=True, text=True, env=dict(os.environ), timeout=1800)
    finally:
        os.unlink(batch)
    answers = [json.loads(line) for line in proc.stdout.splitlines() if line.strip().startswith("{")]
    if len(answers) != len(rows):
        sys.exit(f"{len(answers)} answers for {len(rows)} questions (exit {proc.returncode})\n{proc.stderr[-2000:]}")
    return answers


def verdict(row: dict, answer: dict) -> str:
    """ok, refused, picker (in scope); ok, answered, picker (out of scope)."""
    cited, offered = bool(answer.get("citations")), bool(answer.get("choices"))
    if row["in_scope"]:
        return "ok" if cited else ("picker" if offered else "refused")
    return "answered" if cited else ("picker" if offered else "ok")


def half_of(row: dict) -> int:
    return int(re.sub(r"\D", "", row["id"])) % 2


def pct(n: int, d: int) -> str:
    return f"{n:>3}/{d:<3} {100 * n / d:5.1f}%" if d else "   -"


def summary_line(name: str, judged: list[tuple[dict, dict, str]]) -> str:
    ins = [v for r, _, v in judged if r["in_scope"]]
    outs = [v for r, _, v in judged if not r["in_scope"]]
    return (f"{name:<20} in-scope refused {pct(ins.count('refused'), len(ins))}  picker-only {ins.count('picker'):>3}   "
            f"out-of-scope answered {pct(outs.count('answered'), len(outs))}  picker {outs.count('picker'):>3}")


def print_report(judged: list[tuple[dict, dict, str]], verbose: bool) -> None:
    for name, parity in HALVES.items():
        print(summary_line(name, [j for j in judged if half_of(j[0]) == parity]))
    print(summary_line("both halves", judged))
    print("\nper kind (both halves; in-scope kinds count refusals, out-of-scope kinds count answers):")
    by_kind: dict[tuple[bool, str], list[str]] = defaultdict(list)
    for row, _, v in judged:
        by_kind[(row["in_scope"], row["kind"])].append(v)
    for (in_scope, kind), vs in sorted(by_kind.items(), key=lambda kv: (not kv[0][0], kv[0][1])):
        bad = "refused" if in_scope else "answered"
        print(f"  {'in ' if in_scope else 'out'} {kind:<12} {bad:<8} {pct(vs.count(bad), len(vs))}  picker {vs.count('picker')}")
    intents = Counter(a.get("intent") for r, a, v in judged if r["in_scope"] and v == "refused")
    print("\nintents of refused in-scope questions:", dict(intents.most_common()))
    if verbose:
        for row, answer, v in judged:
            if v != "ok":
                print(f"{v.upper():<8} {row['id']} [{row['kind']}] {row['question']!r} -> {answer.get('intent')}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cmd", default=".venv/bin/competency-bot")
    ap.add_argument("--set", default=str(ROOT / "tests" / "data" / "scope_people.jsonl"))
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = ap.parse_args()
    rows = load(Path(args.set))
    answers = ask_all(args.cmd, rows)
    print_report([(r, a, verdict(r, a)) for r, a in zip(rows, answers, strict=True)], args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
