#!/usr/bin/env bash
# 主要工作：有 TELEGRAM_BOT_TOKEN 時啟動 Telegram 機器人，否則在終端機對話（內附的職能基準）。
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/competency-bot start "$@"
