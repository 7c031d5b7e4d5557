"""What the benchmarks share: percentiles, settings on a data dir, questions of each kind drawn from a catalog.
(benchmarks/run.py and benchmarks/e2e.py both use it; neither imports the other's internals.)"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

KINDS = ("code", "semantic", "reverse", "compare", "code_choice", "list", "count", "filter", "meta")
LIST_FIELDS = ("工作任務", "知識", "技能", "態度", "工作產出")
COUNT_FIELDS = ("有幾個工作任務", "一共幾項知識", "有多少行為指標")
FILTERS = ("哪些任務沒有工作產出", "職能級別 4 的任務", "行為指標超過 3 條的任務")
META_FIELDS = ("入門條件", "職業別代碼", "工作描述", "基準級別")
CODE_FIELDS = ("的行為指標", "的工作產出", "需要哪些知識", "需要哪些技能", "的職能級別")
COMPARE_FIELDS = ("有哪些共同的態度", "有哪些相同的技能", "共同需要哪些知識")
SEMANTIC_FILLERS = "的與及之和"


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def make_settings(data_dir: Path, corpus_dir: Path, embedder: str) -> Any:
    from bot.settings import Settings

    return Settings(BOT_DATA_DIR=data_dir, BOT_CORPUS_DIR=corpus_dir, BOT_EMBEDDER=embedder, CHROMA_URL=None,
                    DATABASE_URL=None, TELEGRAM_BOT_TOKEN=None)


def make_questions(catalog: Any, per_kind: int, seed: int) -> dict[str, list[tuple[str, str | None]]]:
    """~per_kind questions of each kind, drawn deterministically from the catalog."""
    from benchmarks.synth import strip_tag

    rng = random.Random(seed)
    stds = sorted((d for d in catalog.standards() if d.status == "current" and d.tasks), key=lambda d: d.code)
    if not stds:
        return {k: [] for k in KINDS}
    out: dict[str, list[tuple[str, str | None]]] = {k: [] for k in KINDS}
    for _ in range(per_kind):
        std = rng.choice(stds)
        task = rng.choice(std.tasks)
        out["code"].append((f"{std.code} {task.code} {rng.choice(CODE_FIELDS)}", None))

        std = rng.choice(stds)
        task = rng.choice([t for t in std.tasks if t.indicators] or std.tasks)
        source = rng.choice(task.indicators).text if task.indicators else task.title
        out["semantic"].append((_perturb(strip_tag(source), rng), None))

        std = rng.choice(stds)
        codes = [k for k in (*std.knowledge, *std.skills) if " " not in k]
        code = rng.choice(codes) if codes else "K01"
        out["reverse"].append((f"哪些任務需要 {code}", std.code))

        if len(stds) >= 2:
            a, b = rng.sample(stds, 2)
            out["compare"].append((f"{a.code} 和 {b.code} {rng.choice(COMPARE_FIELDS)}", None))

        task = rng.choice(rng.choice(stds).tasks)
        out["code_choice"].append((f"{task.code} {rng.choice(CODE_FIELDS[:2])}", None))

        std = rng.choice(stds)
        out["list"].append((f"{std.code} 的{rng.choice(LIST_FIELDS)}", None))
        out["count"].append((f"{rng.choice(stds).code} {rng.choice(COUNT_FIELDS)}", None))
        out["filter"].append((f"{rng.choice(stds).code} {rng.choice(FILTERS)}", None))
        out["meta"].append((f"{rng.choice(stds).code} 的{rng.choice(META_FIELDS)}", None))
    return out


def _perturb(text: str, rng: random.Random) -> str:
    """A person's version of a printed sentence: the first ~36 characters, a few of them changed."""
    chars = list(text.rstrip("。；; ")[:36])
    for _ in range(2 if len(chars) > 8 else 0):
        pos = rng.randrange(1, len(chars) - 1)
        if rng.random() < 0.5:
            del chars[pos]
        else:
            chars[pos] = rng.choice(SEMANTIC_FILLERS)
    return "".join(chars)
