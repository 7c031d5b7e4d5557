"""Scores tests/data/exam_people.jsonl with the shared scorer, once per half.

The development half is the even ids (e002, e004, ...), the held-out half the odd ids; work on the
first and report the second (tests/data/README-exam.md). Each half is written to a temporary file
and given to score.py as it is, so the figures are the scorer's own, per category.

    python3 scripts/exam_halves.py [--cmd .venv/bin/competency-bot] [--score ../shared/eval/score.py] [--half dev|held-out|both] [-v]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAM = ROOT / "tests" / "data" / "exam_people.jsonl"
PARITY = {"dev": 0, "held-out": 1}


def default_scorer() -> Path:
    """../shared beside the checkout, or beside the folder of worktrees."""
    for base in (ROOT.parent, ROOT.parent.parent):
        candidate = base / "shared" / "eval" / "score.py"
        if candidate.exists():
            return candidate
    return ROOT.parent / "shared" / "eval" / "score.py"


def half_lines(parity: int) -> list[str]:
    import json

    lines = [line for line in EXAM.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [line for line in lines if int(json.loads(line)["id"].lstrip("e")) % 2 == parity]


def score_half(name: str, scorer: Path, cmd: str, verbose: bool) -> int:
    folder = Path(tempfile.mkdtemp(prefix="exam-"))
    path = folder / f"exam_people_{name.replace('-', '_')}.jsonl"
    path.write_text("\n".join(half_lines(PARITY[name])) + "\n", encoding="utf-8")
    args = [sys.executable, str(scorer), "--cmd", cmd, "--set", str(path)] + (["-v"] if verbose else [])
    print(f"== {name} half ({'even' if PARITY[name] == 0 else 'odd'} ids)", flush=True)
    code = subprocess.run(args, env=dict(os.environ)).returncode
    path.unlink()
    folder.rmdir()
    return code


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cmd", default=".venv/bin/competency-bot")
    ap.add_argument("--score", type=Path, default=default_scorer())
    ap.add_argument("--half", choices=["dev", "held-out", "both"], default="both")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    halves = list(PARITY) if args.half == "both" else [args.half]
    codes = [score_half(name, args.score, args.cmd, args.verbose) for name in halves]
    return 2 if 2 in codes else 0


if __name__ == "__main__":
    sys.exit(main())
