#!/usr/bin/env bash
# A throwaway PostgreSQL on 127.0.0.1 for the ledger's SQL (Aurora PostgreSQL
# in AWS): Debian's `postgresql` package (installed with apt-get when missing
# and this runs as root), a fresh cluster in its own directory, trust auth for
# the `berth` role, its socket in that directory, no fsync.
#
#   postgres.sh start DIR    start one under DIR; prints "<port> <data dir>"
#   postgres.sh stop DATA    stop the cluster in DATA and remove its directory
#
# PostgreSQL refuses to run as root: as root it runs as the `postgres` user
# the package creates.
set -euo pipefail

say() { echo "postgres: $*" >&2; }

bindir() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

install() {
    [ -n "$(bindir)" ] && return 0
    if [ "$(id -u)" != 0 ]; then
        say "PostgreSQL is not installed: apt-get install -y postgresql (as root)"
        return 1
    fi
    say "installing Debian's postgresql"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    install
    local bin home port
    bin=$(bindir)
    # Its own directory (not under a root-only one), owned by whoever runs it.
    home=$(mktemp -d "${TMPDIR:-/tmp}/berth-postgres.XXXXXX")
    chmod 755 "$home"
    [ "$(id -u)" = 0 ] && chown postgres: "$home"
    port=$(free_port)
    as_owner "$bin/initdb" -D "$home/data" -U berth -A trust -E UTF8 --no-locale --no-sync >"$home/initdb.log" 2>&1 \
        || { cat "$home/initdb.log" >&2; return 1; }
    as_owner "$bin/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 60 \
        -o "-k $home -c listen_addresses=127.0.0.1 -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || { cat "$home/server.log" >&2; return 1; }
    echo "$port $home/data"
}

stop() {
    local data=$1 bin
    bin=$(bindir)
    [ -d "$data" ] || return 0
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$(dirname "$data")"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:?the data directory}" ;;
    *)
        awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
        exit 2
        ;;
esac
