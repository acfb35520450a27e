#!/usr/bin/env bash
# Run a command with a Redis server for the test suite, when this machine has one.
#
#   scripts/with-redis.sh COMMAND [ARGS...]     # `make test` runs the suite this way
#
# - INSTANTLY_COLUMNS_TEST_REDIS already set (CI's .ci/run starts its own server): the command
#   runs with it, and nothing is started.
# - Else, when redis-server is on PATH: a throwaway server (scripts/redis-throwaway.sh) is
#   started on a free loopback port, the command runs against it, and the server is stopped
#   after.
# - Else, or when that server does not start: one line says why, and the command runs
#   without it (the Celery fleet tests and the Redis limiter tests then skip).
# The command's exit status is this script's.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
say() { echo "Redis tests: $*" >&2; }

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

if [[ -n "${INSTANTLY_COLUMNS_TEST_REDIS:-}" ]]; then
    say "using INSTANTLY_COLUMNS_TEST_REDIS from the environment"
    exec "$@"
fi

if ! command -v redis-server >/dev/null 2>&1; then
    say "skipped: no redis-server on this machine; install Redis (on Debian:" \
        "apt-get install redis-server) or set INSTANTLY_COLUMNS_TEST_REDIS to run them"
    exec "$@"
fi

python="$(command -v python3 || command -v python)"
port="$("${python}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="$(mktemp -d "${TMPDIR:-/tmp}/instantly-columns-redis.XXXXXX")"
log="$(mktemp "${TMPDIR:-/tmp}/instantly-columns-redis-start.XXXXXX")"

if url="$(bash "${here}/redis-throwaway.sh" start "${port}" "${base}" 2>"${log}")"; then
    rm -f "${log}"
    cleanup() { bash "${here}/redis-throwaway.sh" stop "${port}" "${base}" >/dev/null 2>&1 || true; }
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    say "on a throwaway server at 127.0.0.1:${port} (stopped when the run ends)"
    export INSTANTLY_COLUMNS_TEST_REDIS="${url}"
    "$@"
    exit $?
fi

reason="$(grep -m 1 'redis-throwaway:' "${log}" | sed 's/^redis-throwaway: //')"
rm -f "${log}"
bash "${here}/redis-throwaway.sh" stop "${port}" "${base}" >/dev/null 2>&1 || rm -rf "${base}"
say "skipped: a throwaway server did not start (${reason:-see scripts/redis-throwaway.sh})"
exec "$@"
