#!/usr/bin/env bash
# start | stop a throwaway PostgreSQL on 127.0.0.1 for the tests (Debian's packages; installed in CI if missing).
# `start` prints the SQLAlchemy URL on stdout (nothing when PostgreSQL cannot be had: those tests are skipped).
set -u
STATE=${PG_TEST_DIR:-/tmp/competency-bot-pg}
pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start() {
  local bin; bin=$(pgbin)
  if [ -z "$bin" ] && [ "${CI:-}" = "true" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2 || true
    bin=$(pgbin)
  fi
  [ -n "$bin" ] || return 0
  stop
  mkdir -p "$STATE" && [ "$(id -u)" = 0 ] && chown postgres "$STATE"
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg "$bin/initdb" -D "$STATE/data" -A trust -U postgres >/dev/null 2>&1 || return 0
  as_pg "$bin/pg_ctl" -D "$STATE/data" -l "$STATE/log" -w \
    -o "-p $port -k $STATE -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null 2>&1 || return 0
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres competency_test >/dev/null 2>&1 || return 0
  echo "postgresql+psycopg://postgres@127.0.0.1:$port/competency_test"
}

stop() {
  local bin; bin=$(pgbin)
  if [ -n "$bin" ] && [ -d "$STATE/data" ]; then as_pg "$bin/pg_ctl" -D "$STATE/data" -m immediate stop >/dev/null 2>&1; fi
  rm -rf "$STATE"
}

"${1:-start}"
