# Sourced by the hub's integration tests (serve_*.sh, run_hub.sh): a fresh work
# directory, a free loopback port, `limen serve` started and stopped, failures
# reported with the end of the server's log. Needs LIMEN and LIMEN_BUILD_DIR.
#   hub_setup NAME      work=$LIMEN_BUILD_DIR/NAME (emptied), db, port, base
#   hub_start [OPTIONS] starts `limen serve --db $db` on $port, waits for /healthz
#   hub_stop [SIGNAL]   stops it (TERM by default) and waits for it
#   fail MESSAGE        reports, stops the server, exits 1
: "${LIMEN:?path of the limen binary}"
: "${LIMEN_BUILD_DIR:?build directory}"

hub_free_port() {
    local p=$((20000 + RANDOM % 30000))
    while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do
        p=$((p + 1))
    done
    echo "$p"
}

hub_setup() {
    hub_name=$1
    work="$LIMEN_BUILD_DIR/$hub_name"
    rm -rf "$work"
    mkdir -p "$work"
    db="$work/hub.db"
    port=$(hub_free_port)
    base="http://127.0.0.1:$port"
    pid=""
    trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; true' EXIT
}

fail() {
    echo "$hub_name: $*" >&2
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    [ -f "$work/server.log" ] && tail -20 "$work/server.log" >&2
    exit 1
}

hub_start() {
    "$LIMEN" serve --db "$db" --listen "127.0.0.1:$port" "$@" >>"$work/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 200); do
        curl -sf "$base/healthz" >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || fail "the server exited at start"
        sleep 0.05
    done
    fail "the server did not start"
}

hub_stop() {
    kill "-${1:-TERM}" "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
}
