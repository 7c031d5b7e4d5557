"""/team_report for a team of 50 on INM3513-005 (35 tasks): how long the admin waits, and the picture.

    .venv/bin/python -m benchmarks.team [--members 50] [--runs 5] [--png FILE]

A fresh SQLite database gets a team of --members people, each with a finished quick assessment of the
standard (answers drawn at random, a third of them confirmed by a reviewer with a comment), stored as the
service stores them. Then the engine's /team_report is timed end to end (results read from the database,
heatmap PNG, weakest tasks, Excel workbook): median and p95 over --runs. Target (issue 11): under 5 s.
--png keeps the heatmap to look at.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from bot.replies import Incoming
from bot.settings import SHIPPED_CORPUS, Settings
from bot.sharing import Sharing
from bot.store import Database, team_members, teams
from bot.testing.results import confirm, store_result
from index.catalog import Catalog

STANDARD = "INM3513-005"
ADMIN = 1
FIRST_MEMBER = 1000


def build_team(db: Database, catalog: Catalog, members: int, seed: int) -> None:
    rng = random.Random(seed)
    tasks = [task.code for task in catalog.get(STANDARD).tasks]  # type: ignore[union-attr]
    with db.begin() as conn:
        team_id = conn.execute(teams.insert().values(name="資訊部", join_hash="bench", created_by=ADMIN)).inserted_primary_key[0]
        conn.execute(team_members.insert().values(team_id=team_id, user_id=ADMIN, user_name="主管", role="admin"))
    for n in range(members):
        user = FIRST_MEMBER + n
        name = f"成員{n + 1:02d}"
        with db.begin() as conn:
            conn.execute(team_members.insert().values(team_id=team_id, user_id=user, user_name=name, role="member"))
        result_id = store_result(db, catalog, STANDARD, user, name, rng)
        if n % 3 == 0:
            confirm(db, result_id, user, ADMIN, tasks, rng)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--members", type=int, default=50)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--png", type=Path)
    args = ap.parse_args()
    from bot.assessment import AssessmentService, EvidenceMatcher
    from index.embed import get_embedder

    catalog = Catalog.load(SHIPPED_CORPUS)
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(BOT_DATA_DIR=Path(data), BOT_EMBEDDER="fake", TELEGRAM_BOT_TOKEN=None)
        db = Database(settings.db_url)
        db.create()
        build_team(db, catalog, args.members, args.seed)
        sharing = Sharing(db, AssessmentService(catalog, db, EvidenceMatcher(get_embedder("fake"))))
        asking = Incoming(chat_id=ADMIN, user_id=ADMIN, command="team_report", user_name="主管")
        times = []
        replies = []
        for _ in range(args.runs):
            started = time.perf_counter()
            replies = sharing.team_report(asking)
            times.append(time.perf_counter() - started)
        db.engine.dispose()
    photo = next(r.photo for r in replies if r.photo)
    workbook = next(r.document for r in replies if r.document)
    if args.png:
        args.png.write_bytes(photo)
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    tasks = len(catalog.get(STANDARD).tasks)  # type: ignore[union-attr]
    print(f"/team_report, {args.members} members × {tasks} tasks of {STANDARD}, {args.runs} runs: "
          f"median {statistics.median(times):.2f} s, p95 {p95:.2f} s (target < 5 s); "
          f"heatmap {len(photo) // 1024} KB, workbook {len(workbook[1]) // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
