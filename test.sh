#!/usr/bin/env bash
# 建立 .venv、安裝，然後跑全部測試。
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/python -m pytest -q "$@"
