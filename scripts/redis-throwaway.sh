#!/usr/bin/env bash
# Start or stop a throwaway Redis server for the test suite (Celery's broker and the shared
# rate limiter of the fleet tests).
#
#   scripts/redis-throwaway.sh start [PORT] [DIR]   # prints the URL on stdout
#   scripts/redis-throwaway.sh stop  [PORT] [DIR]   # stops it and deletes DIR
#
# PORT and DIR may also come from REDIS_THROWAWAY_PORT and REDIS_THROWAWAY_DIR (defaults:
# 56379 and a directory under ${TMPDIR:-/tmp}). redis-server and redis-cli come from PATH.
# The server listens on 127.0.0.1 only, keeps nothing on disk, and is not a daemon of the
# system: it lives until `stop`.
# Usage:  export INSTANTLY_COLUMNS_TEST_REDIS="$(scripts/redis-throwaway.sh start)"
set -euo pipefail

action="${1:-}"
port="${2:-${REDIS_THROWAWAY_PORT:-56379}}"
base="${3:-${REDIS_THROWAWAY_DIR:-${TMPDIR:-/tmp}/instantly-columns-redis-${port}}}"

die() { echo "redis-throwaway: $*" >&2; exit 1; }

[[ "${port}" =~ ^[0-9]+$ ]] || die "port must be a number, got '${port}'"

case "${action}" in
start)
    command -v redis-server >/dev/null 2>&1 \
        || die "redis-server not found (on Debian: apt-get install redis-server)"
    mkdir -p "${base}"
    redis-server --port "${port}" --bind 127.0.0.1 --daemonize yes \
        --dir "${base}" --pidfile "${base}/redis.pid" --logfile "${base}/redis.log" \
        --save "" --appendonly no >/dev/null \
        || die "the server did not start (port ${port} busy?)"
    for _ in $(seq 1 100); do
        if redis-cli -h 127.0.0.1 -p "${port}" ping >/dev/null 2>&1; then
            echo "redis://127.0.0.1:${port}/0"
            exit 0
        fi
        sleep 0.05
    done
    tail -n 20 "${base}/redis.log" >&2 || true
    die "the server did not answer on port ${port}"
    ;;
stop)
    if [[ -f "${base}/redis.pid" ]]; then
        redis-cli -h 127.0.0.1 -p "${port}" shutdown nosave >/dev/null 2>&1 \
            || kill "$(cat "${base}/redis.pid")" 2>/dev/null || true
    fi
    rm -rf "${base}"
    ;;
*)
    die "usage: $0 start|stop [PORT] [DIR]"
    ;;
esac
