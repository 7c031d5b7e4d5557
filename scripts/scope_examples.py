"""Writes retrieval/data/scope_examples.jsonl: the labelled questions the scope vote (retrieval/scopevote.py) reads,
each {"question": ..., "in_scope": true|false}.

Taken from tests/data: the development half (even ids) of scope_people.jsonl and the fresh blind sets that were
measured once and then worked on (scope_fresh.jsonl … scope_fresh6.jsonl). Left out, so that they still measure:
scope_people's held-out half (odd ids) and every later fresh set (scope_fresh7.jsonl on).

    python3 scripts/scope_examples.py [--check]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "retrieval" / "data" / "scope_examples.jsonl"
SOURCES = {"scope_people.jsonl": "even", "scope_fresh.jsonl": "all", "scope_fresh2.jsonl": "all",
           "scope_fresh3.jsonl": "all", "scope_fresh4.jsonl": "all", "scope_fresh5.jsonl": "all",
           "scope_fresh6.jsonl": "all"}


def number(case_id: str) -> int:
    digits = re.search(r"\d+", case_id)
    return int(digits.group()) if digits else 0


def measuring() -> set[str]:
    """The questions that measure the vote: scope_people's held-out half and the later fresh sets (a question the
    helpers wrote twice is left out of the examples too)."""
    held = set()
    for path in (ROOT / "tests" / "data").glob("scope_*.jsonl"):
        if path.name in SOURCES and SOURCES[path.name] == "all":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line) if line.strip() else None
            if case and (path.name != "scope_people.jsonl" or number(case["id"]) % 2):
                held.add(case["question"])
    return held


def examples() -> list[dict[str, object]]:
    out = []
    held = measuring()
    for name, which in SOURCES.items():
        for line in (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            if which == "even" and number(case["id"]) % 2 or case["question"] in held:
                continue
            out.append({"question": case["question"], "in_scope": bool(case["in_scope"])})
    return out


def render() -> str:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in examples())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the shipped file differs")
    args = parser.parse_args()
    if args.check:
        return 0 if TARGET.read_text(encoding="utf-8") == render() else 1
    TARGET.write_text(render(), encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(examples())} questions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
