#!/usr/bin/env bash
# Run a command with a PostgreSQL database for the test suite, when this machine has one.
#
#   scripts/with-postgres.sh COMMAND [ARGS...]        # `make test` runs the suite this way
#
# - INSTANTLY_COLUMNS_TEST_DSN already set (CI's .ci/run starts its own cluster): the command
#   runs with it, and nothing is started.
# - Else, when PostgreSQL's initdb and pg_ctl are found (on PATH, in PG_BIN, or under
#   /usr/lib/postgresql/*/bin): a throwaway cluster (scripts/pg-throwaway.sh) is started on
#   a free port, the command runs against it, and the cluster is stopped and deleted after.
# - Else, or when that cluster does not start: one line says why, and the command runs
#   without it (the PostgreSQL tests then skip).
# The command's exit status is this script's.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
say() { echo "PostgreSQL tests: $*" >&2; }

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

if [[ -n "${INSTANTLY_COLUMNS_TEST_DSN:-}" ]]; then
    say "using INSTANTLY_COLUMNS_TEST_DSN from the environment"
    exec "$@"
fi

if [[ -z "${PG_BIN:-}" ]] && ! command -v initdb >/dev/null 2>&1; then
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [[ -n "${found}" && -x "${found}/initdb" ]]; then
        export PG_BIN="${found}"
    fi
fi
if [[ -z "${PG_BIN:-}" ]] && ! command -v initdb >/dev/null 2>&1; then
    say "skipped: no PostgreSQL binaries (initdb, pg_ctl) on this machine; install PostgreSQL" \
        "or set INSTANTLY_COLUMNS_TEST_DSN to run them"
    exec "$@"
fi

python="$(command -v python3 || command -v python)"
port="$("${python}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="$(mktemp -d "${TMPDIR:-/tmp}/instantly-columns-pg.XXXXXX")"
log="$(mktemp "${TMPDIR:-/tmp}/instantly-columns-pg-start.XXXXXX")"

if dsn="$(bash "${here}/pg-throwaway.sh" start "${port}" "${base}" 2>"${log}")"; then
    rm -f "${log}"
    cleanup() { bash "${here}/pg-throwaway.sh" stop "${port}" "${base}" >/dev/null 2>&1 || true; }
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    say "on a throwaway cluster at 127.0.0.1:${port} (stopped when the run ends)"
    export INSTANTLY_COLUMNS_TEST_DSN="${dsn}"
    "$@"
    exit $?
fi

reason="$(grep -m 1 'pg-throwaway:' "${log}" | sed 's/^pg-throwaway: //')"
rm -f "${log}"
bash "${here}/pg-throwaway.sh" stop "${port}" "${base}" >/dev/null 2>&1 || rm -rf "${base}"
say "skipped: a throwaway cluster did not start (${reason:-see scripts/pg-throwaway.sh})"
exec "$@"
