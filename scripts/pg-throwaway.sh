#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL cluster for the test suite.
#
#   scripts/pg-throwaway.sh start [PORT] [DATA_DIR]   # prints the DSN on stdout
#   scripts/pg-throwaway.sh stop  [PORT] [DATA_DIR]   # stops it and deletes DATA_DIR
#
# PORT and DATA_DIR may also come from PG_THROWAWAY_PORT and PG_THROWAWAY_DIR
# (defaults: 55432 and a directory under ${TMPDIR:-/tmp}). The binaries (initdb, pg_ctl)
# are taken from PATH, or from PG_BIN when set. PostgreSQL refuses to run as root, so
# under root the server runs as the OS user named by PG_THROWAWAY_USER (default: postgres).
# Usage:  export INSTANTLY_COLUMNS_TEST_DSN="$(scripts/pg-throwaway.sh start)"
set -euo pipefail

action="${1:-}"
port="${2:-${PG_THROWAWAY_PORT:-55432}}"
base="${3:-${PG_THROWAWAY_DIR:-${TMPDIR:-/tmp}/instantly-columns-pg-${port}}}"
run_user="${PG_THROWAWAY_USER:-postgres}"
data="${base}/data"
log="${base}/server.log"

die() { echo "pg-throwaway: $*" >&2; exit 1; }

bin() {
    if [[ -n "${PG_BIN:-}" ]]; then echo "${PG_BIN}/$1"; else command -v "$1" || true; fi
}

as_server_user() {
    if [[ "$(id -u)" -eq 0 ]]; then
        id -u "${run_user}" >/dev/null 2>&1 \
            || die "running as root, but there is no OS user '${run_user}' to run PostgreSQL" \
                   "(create one, e.g. 'useradd --system ${run_user}', or set PG_THROWAWAY_USER)"
        runuser -u "${run_user}" -- "$@"
    else
        "$@"
    fi
}

[[ "${port}" =~ ^[0-9]+$ ]] || die "port must be a number, got '${port}'"

case "${action}" in
start)
    initdb="$(bin initdb)"; pg_ctl="$(bin pg_ctl)"
    [[ -x "${initdb}" && -x "${pg_ctl}" ]] \
        || die "initdb/pg_ctl not found (put the PostgreSQL binaries on PATH or set PG_BIN)"
    mkdir -p "${base}"
    if [[ "$(id -u)" -eq 0 ]]; then
        as_server_user true  # fails early with a clear message when the user is missing
        chown "${run_user}" "${base}"
    fi
    if [[ ! -f "${data}/PG_VERSION" ]]; then
        as_server_user "${initdb}" -D "${data}" -A trust -U postgres -E UTF8 --no-locale \
            >"${base}/initdb.log" 2>&1 || { cat "${base}/initdb.log" >&2; die "initdb failed"; }
    fi
    as_server_user "${pg_ctl}" -D "${data}" -l "${log}" -w -t 60 \
        -o "-p ${port} -k ${base} -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
        || { tail -n 20 "${log}" >&2 || true; die "the server did not start (port ${port} busy?)"; }
    echo "postgresql://postgres@127.0.0.1:${port}/postgres"
    ;;
stop)
    pg_ctl="$(bin pg_ctl)"
    if [[ -f "${data}/postmaster.pid" ]]; then
        as_server_user "${pg_ctl}" -D "${data}" -m fast -w stop >/dev/null
    fi
    rm -rf "${base}"
    ;;
*)
    die "usage: $0 start|stop [PORT] [DATA_DIR]"
    ;;
esac
