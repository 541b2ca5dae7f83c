# Sourced by the hub's integration tests (serve_*.sh, run_hub.sh): a fresh work
# directory, a free loopback port, `limen serve` started and stopped, failures
# reported with the end of the server's log. Needs LIMEN and LIMEN_BUILD_DIR.
#   hub_setup NAME      work=$LIMEN_BUILD_DIR/NAME (emptied), db, port, base
#   hub_start [OPTIONS] starts `limen serve --db $db` on $port, waits for /healthz
#   hub_stop [SIGNAL]   stops it (TERM by default) and waits for it
#   fail MESSAGE        reports, stops the server, exits 1
#   hub_three_agencies  a store with MA-DGSN, IT-PS and FR-PN and, in tok[AGENCY/ROLE],
#                       the token of an officer, an analyst and an admin of each
#   call METHOD PATH TOKEN [BODY]   prints the HTTP status; the body is in $work/body
: "${LIMEN:?path of the limen binary}"
: "${LIMEN_BUILD_DIR:?build directory}"

# A port nothing listens on, below Linux's ephemeral range (32768-60999), so that
# no client connection of a test running beside this one holds it.
hub_free_port() {
    local p=$((20000 + RANDOM % 12000))
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
    local attempt
    for attempt in 1 2 3; do
        "$LIMEN" serve --db "$db" --listen "127.0.0.1:$port" "$@" >>"$work/server.log" 2>&1 &
        pid=$!
        for _ in $(seq 1 200); do
            curl -sf "$base/healthz" >/dev/null 2>&1 && return 0
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        kill -0 "$pid" 2>/dev/null && fail "the server did not start"
        wait "$pid" 2>/dev/null || true
        pid=""
        # taken between the check and the bind (another test's server): another port
        tail -1 "$work/server.log" | grep -q "cannot listen" || fail "the server exited at start"
        port=$(hub_free_port)
        base="http://127.0.0.1:$port"
    done
    fail "the server exited at start: no port to listen on"
}

hub_stop() {
    kill "-${1:-TERM}" "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
}

hub_three_agencies() {
    "$LIMEN" admin init --db "$db" --agency MA-DGSN --country ma --name DGSN --user boot >/dev/null
    "$LIMEN" admin agency --db "$db" --agency IT-PS --country it --name PS
    "$LIMEN" admin agency --db "$db" --agency FR-PN --country fr --name PN
    declare -gA tok
    local ag role
    for ag in MA-DGSN IT-PS FR-PN; do
        for role in officer analyst admin; do
            tok[$ag/$role]=$("$LIMEN" admin user --db "$db" --agency "$ag" --user "$ag.$role" --role "$role" | jq -r .token)
        done
    done
}

call() {
    local args=(-s -o "$work/body" -w '%{http_code}' -X "$1" "$base$2" -H "Authorization: Bearer $3")
    [ -n "${4:-}" ] && args+=(--data-binary "$4")
    curl "${args[@]}"
}
