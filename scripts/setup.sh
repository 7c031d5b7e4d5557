#!/usr/bin/env bash
# Creates .venv in the repo root and installs the project into it (again only when pyproject.toml changed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "建立虛擬環境 .venv …" >&2
  "$PY" -m venv .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "安裝相依套件（第一次約 1 分鐘）…" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]" >&2
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# Our own modules compiled to bytecode now: an environment with PYTHONDONTWRITEBYTECODE set would otherwise
# compile them at every start (~0.15 s of each `competency-bot ask`). Up-to-date files are skipped (~0.1 s).
.venv/bin/python -m compileall -q bot index retrieval prompts benchmarks >/dev/null
