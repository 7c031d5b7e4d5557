#!/usr/bin/env bash
# 建立 .venv、安裝，然後跑全部測試（PostgreSQL 相關測試會在本機啟動一個臨時的 PostgreSQL）。
set -uo pipefail
cd "$(dirname "$0")"
scripts/setup.sh || exit 1
# each run its own server and folder: two runs at once (two clones, CI beside a local run) must not stop each other's
export PG_TEST_DIR=${PG_TEST_DIR:-$(mktemp -d /tmp/competency-bot-pg.XXXXXX)}
TEST_DATABASE_URL=$(scripts/postgres.sh start)
export TEST_DATABASE_URL
trap 'scripts/postgres.sh stop' EXIT
.venv/bin/python -m pytest -q "$@"
