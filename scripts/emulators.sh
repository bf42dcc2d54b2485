#!/usr/bin/env bash
# The emulators Berth's AWS adapter tests run against, on 127.0.0.1 only:
# moto (AWS) and localstripe (Stripe), installed into the repository's .venv
# from scripts/emulators/requirements.txt (pinned), and a throwaway
# PostgreSQL for the ledger's SQL (scripts/emulators/postgres.sh).
#
#   scripts/emulators.sh start          install if needed, start both, print the exports
#   scripts/emulators.sh stop           stop what `start` started
#   scripts/emulators.sh run -- CMD...  start a private set, run CMD with
#                                       BERTH_MOTO_URL, BERTH_STRIPE_URL and
#                                       BERTH_POSTGRES_URL set,
#                                       stop them (also on failure or Ctrl-C),
#                                       exit with CMD's status
#   scripts/emulators.sh install        only install (or update) the .venv
#
# The venv is .venv (BERTH_VENV overrides). `start` keeps its state in
# .venv/emulators/ (BERTH_EMULATORS_DIR overrides);
# `run` uses a fresh temporary directory, so concurrent runs never collide.
# Ports are free ones unless BERTH_MOTO_PORT / BERTH_STRIPE_PORT name them
# (`sam local` with env.local.json expects 5000 and 8420: see the README).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$ROOT/scripts/emulators
VENV=${BERTH_VENV:-$ROOT/.venv}
REQUIREMENTS=$HERE/requirements.txt
START_DIR=${BERTH_EMULATORS_DIR:-$VENV/emulators}
READY_SECONDS=60

say() { echo "emulators: $*" >&2; }

install() {
    mkdir -p "$VENV"
    # One installer at a time; the others wait and then find it done.
    exec 9>"$VENV/.install.lock"
    flock 9
    local wanted
    wanted=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating $VENV"
        python3 -m venv "$VENV"
    fi
    if [ "$(cat "$VENV/.emulators-requirements" 2>/dev/null)" != "$wanted" ]; then
        say "installing $(grep -cv '^\s*\(#\|$\)' "$REQUIREMENTS") pinned packages into $VENV"
        local began=$SECONDS
        # python -m pip: a venv copied from elsewhere keeps its pip script's
        # shebang, which would install into the venv it was copied from.
        "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet -r "$REQUIREMENTS"
        echo "$wanted" >"$VENV/.emulators-requirements"
        say "installed in $((SECONDS - began)) s"
    fi
    flock -u 9
    exec 9>&-
}

# Waits until "<port> <pid>" appears in $1 and the server answers HTTP at $2.
await_server() {
    local port_file=$1 path=$2 name=$3 deadline=$((SECONDS + READY_SECONDS))
    until [ -s "$port_file" ]; do
        if ((SECONDS > deadline)); then
            say "$name did not start; its log:"
            cat "${port_file%.port}.log" >&2 || true
            return 1
        fi
        sleep 0.1
    done
    local port
    port=$(cut -d' ' -f1 "$port_file")
    until "$VENV/bin/python" - "http://127.0.0.1:$port$path" <<'PY' 2>/dev/null; do
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=1)
except urllib.error.HTTPError:
    pass  # it answered
PY
        if ((SECONDS > deadline)); then
            say "$name does not answer on port $port; its log:"
            cat "${port_file%.port}.log" >&2 || true
            return 1
        fi
        sleep 0.2
    done
    echo "$port"
}

# Starts both emulators with their state, logs and ports in $1.
start_in() {
    local dir=$1
    mkdir -p "$dir"
    local began=$SECONDS
    # Own sessions: a closing terminal or a Ctrl-C meant for CMD leaves them
    # alone; stop_in ends them.
    setsid "$VENV/bin/python" "$HERE/moto_server.py" --port-file "$dir/moto.port" \
        --port "${BERTH_MOTO_PORT:-0}" >"$dir/moto.log" 2>&1 </dev/null &
    setsid "$VENV/bin/python" "$HERE/localstripe_server.py" --port-file "$dir/localstripe.port" \
        --port "${BERTH_STRIPE_PORT:-0}" --state-dir "$dir" >"$dir/localstripe.log" 2>&1 </dev/null &
    local moto stripe postgres
    postgres=$("$HERE/postgres.sh" start) || return 1
    echo "${postgres#* }" >"$dir/postgres.data"
    moto=$(await_server "$dir/moto.port" /moto-api/ moto)
    stripe=$(await_server "$dir/localstripe.port" /v1/charges localstripe)
    cat >"$dir/state" <<STATE
BERTH_MOTO_URL=http://127.0.0.1:$moto
BERTH_STRIPE_URL=http://127.0.0.1:$stripe
BERTH_POSTGRES_URL=postgresql://berth@127.0.0.1:${postgres%% *}/postgres
MOTO_PID=$(cut -d' ' -f2 "$dir/moto.port")
STRIPE_PID=$(cut -d' ' -f2 "$dir/localstripe.port")
STATE
    say "moto on 127.0.0.1:$moto, localstripe on 127.0.0.1:$stripe, PostgreSQL on 127.0.0.1:${postgres%% *} (ready in $((SECONDS - began)) s)"
}

# Stops the emulators recorded in $1 (only processes running our launchers).
stop_in() {
    local dir=$1 pid
    for file in "$dir/moto.port" "$dir/localstripe.port"; do
        [ -s "$file" ] || continue
        pid=$(cut -d' ' -f2 "$file")
        if grep -q "$HERE/" "/proc/$pid/cmdline" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    if [ -s "$dir/postgres.data" ]; then
        "$HERE/postgres.sh" stop "$(cat "$dir/postgres.data")"
    fi
    rm -rf "$dir"
}

exports_of() {
    # shellcheck disable=SC1090
    . "$1/state"
    echo "export BERTH_MOTO_URL=$BERTH_MOTO_URL BERTH_STRIPE_URL=$BERTH_STRIPE_URL BERTH_POSTGRES_URL=$BERTH_POSTGRES_URL"
}

case "${1:-}" in
    install)
        install
        ;;
    start)
        install
        if [ -s "$START_DIR/state" ]; then
            say "already started (scripts/emulators.sh stop first)"
            exports_of "$START_DIR"
            exit 0
        fi
        rm -rf "$START_DIR"
        start_in "$START_DIR" || { stop_in "$START_DIR"; exit 1; }
        exports_of "$START_DIR"
        ;;
    stop)
        if [ -d "$START_DIR" ]; then
            stop_in "$START_DIR"
            say "stopped"
        else
            say "not started"
        fi
        ;;
    run)
        shift
        [ "${1:-}" = "--" ] && shift
        [ $# -gt 0 ] || { say "usage: $0 run -- COMMAND..."; exit 2; }
        install
        DIR=$(mktemp -d "${TMPDIR:-/tmp}/berth-emulators.XXXXXX")
        trap 'stop_in "$DIR"' EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
        start_in "$DIR"
        # shellcheck disable=SC1091
        . "$DIR/state"
        set +e
        BERTH_MOTO_URL=$BERTH_MOTO_URL BERTH_STRIPE_URL=$BERTH_STRIPE_URL BERTH_POSTGRES_URL=$BERTH_POSTGRES_URL "$@"
        status=$?
        set -e
        exit "$status"
        ;;
    *)
        awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
        exit 2
        ;;
esac
