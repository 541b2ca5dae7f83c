#!/usr/bin/env bash
# The hub under load (`make bench-hub`): for each size of HUB_BENCH_SIZES
# (default "3018 1000000": the demo hub's size and the issue's 1M), in a
# temporary directory:
#   - synthetic alerts (bench/gen_population, seed 11) with an "alert" object
#     each: four owner agencies, categories, handling codes, one in five
#     distributed to named agencies; imported with `limen admin import`;
#   - 64 officers of the four agencies, a token each;
#   - request bodies: perturbed copies of listed people (which match and
#     become hits) and travellers who are not listed, one of each in turn;
#   (a) the time from starting `limen serve` to /healthz answering with every
#       alert indexed (the index rebuilt from the store); (a') the same for the
#       second start, from the snapshot the first one wrote at its stop;
#   (b) wrk -t2 -c16 -d20s with bench/hub_wrk.lua (POST /v1/screen, bodies
#       and tokens in turn) against the server as configured by default
#       (rate limit on: 6,000 requests a minute per token, which 64 tokens
#       keep well clear of);
#   (c) the same against a server started with --rate 0 (no limiter);
#   then `limen audit verify` on the store. Every request is authenticated
#   and writes an audit entry (and hits when it matches), durable before the
#   answer. wrk runs on the same machine, so it shares the cores.
# Usage: bench/hub_wrk.sh [BUILD_DIR]
#   HUB_BENCH_SIZES, HUB_BENCH_SECONDS (20), HUB_BENCH_CONNECTIONS (16),
#   HUB_BENCH_KEEP=1 keeps the temporary directory.
#   HUB_BENCH_STARTS=N measures starts only, no wrk: after a first start (a
#   rebuild; its stop writes the snapshot), N rounds of a start rebuilt from the
#   store (--no-snapshot) and a start from the snapshot, side by side; then
#   1,000 alerts updated with `limen admin import` while stopped and a start
#   from the snapshot that applies them. Each line ends with the server's own
#   breakdown (docs/server.md, "Restart").
#   HUB_BENCH_SNAPSHOT=P measures snapshots written while serving, no wrk: a
#   writer (an alert PUT every 50 ms, one at a time) and two screeners (one
#   request at a time each) run HUB_BENCH_SECONDS against a hub started with
#   --snapshot-every 0, then against one with --snapshot-every P; for each,
#   the latencies of writes and screenings (p50, p90, p99, max), then the
#   periodic writes' log lines (how long writes waited for the copy).
#   HUB_BENCH_SWAP=N measures what a long-running hub's index delta costs and
#   what the snapshot's swap gives back, no other wrk: two hubs on copies of
#   the store, both --rate 0: A --no-snapshot (its index keeps every change
#   made while serving in its delta), B --snapshot-every 0 --snapshot-changes N
#   (once N changes are in, its snapshot swaps a folded index in); N alert
#   updates (PUT, the action changed: the whole alert is filed again) sent to
#   each, one at a time; then /healthz's index_pending of both, B's snapshot
#   log line, and HUB_BENCH_ROUNDS (5) rounds of wrk (HUB_BENCH_SECONDS each)
#   on A, then on B, in turn: each round's requests/s and server CPU per
#   request, and the medians. With HUB_BENCH_SWAP_EVERY=S, B writes a
#   snapshot every S seconds instead (--snapshot-every S): swaps while the
#   updates come, each catching up the changes made during its write (their
#   log lines summed up: changes caught up, longest write-lock hold); the
#   rounds start once B holds nothing pending.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
LIMEN="$build/limen"
sizes=${HUB_BENCH_SIZES:-"3018 1000000"}
seconds=${HUB_BENCH_SECONDS:-20}
conns=${HUB_BENCH_CONNECTIONS:-16}
port=${HUB_BENCH_PORT:-18080}
base="http://127.0.0.1:$port"

if ! command -v wrk >/dev/null; then
    echo "hub_wrk: installing wrk (Debian package)" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get install -y -qq --no-install-recommends wrk >&2
fi
for tool in jq curl awk; do
    command -v "$tool" >/dev/null || { echo "hub_wrk: $tool is needed (scripts/install-deps)" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/limen-hub-bench.XXXXXX")
pid=""
pid_b=""
cleanup() {
    [ -n "$pid_b" ] && kill "$pid_b" 2>/dev/null && wait "$pid_b" 2>/dev/null
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    if [ -n "${HUB_BENCH_KEEP:-}" ]; then echo "hub_wrk: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "hub_wrk: port $port is in use (HUB_BENCH_PORT)" >&2
    exit 1
fi

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# start_server DB [OPTIONS...]: starts limen serve, waits for /healthz; sets pid and startup
start_server() {
    local db=$1 t0
    shift
    t0=$(now)
    "$LIMEN" serve --db "$db" --listen "127.0.0.1:$port" "$@" 2>>"$tmp/server.log" &
    pid=$!
    until curl -sf "$base/healthz" >"$tmp/healthz" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || { tail "$tmp/server.log" >&2; exit 1; }
        sleep 0.1
    done
    startup=$(since "$t0")
}
stop_server() {
    kill "$pid"
    wait "$pid" || true
    pid=""
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
# run_wrk LABEL: wrk against the running server; prints its summary line, the
# server's CPU time per request and the machine's load (other work shares the cores)
run_wrk() {
    local c0 c1 n
    c0=$(cpu_ticks)
    HUB_BODIES="$dir/bodies.jsonl" HUB_TOKENS="$dir/tokens.txt" \
        wrk -t2 -c"$conns" -d"${seconds}s" --latency -s "$here/bench/hub_wrk.lua" "$base/v1/screen" >"$dir/wrk-$1.txt"
    c1=$(cpu_ticks)
    grep '^HUBWRK' "$dir/wrk-$1.txt" | sed "s/^HUBWRK/$1:/"
    n=$(sed -n 's/^HUBWRK requests=\([0-9]*\).*/\1/p' "$dir/wrk-$1.txt")
    awk -v t=$((c1 - c0)) -v n="$n" -v hz="$(getconf CLK_TCK)" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
        'BEGIN { printf "   server CPU %.1f s, %.2f ms a request; load average %s\n", t / hz, n ? 1000 * t / hz / n : 0, load }'
}

echo "limen hub benchmark, $(date -u +%Y-%m-%d), commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?'),"
echo "$(nproc) cores ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m);"
echo "wrk -t2 -c$conns -d${seconds}s on the same machine"
for n in $sizes; do
    dir="$tmp/n$n"
    mkdir -p "$dir"
    db="$dir/hub.db"
    echo
    echo "== $n alerts"
    "$build/gen_population" --alerts "$n" --queries 2000 --negatives 2000 --seed 11 --out "$dir/gen" >/dev/null 2>&1
    # The alert object, varied by line number (as scripts/run-hub does with jq, but fast at 1M).
    awk 'BEGIN { split("MA-DGSN IT-PS FR-PN ES-CNP", o, " ");
                 split("arrest refusal_of_entry discreet_check inquiry_check specific_check missing_person", c, " ") }
         { d = (NR % 5 == 0) ? "{\"agencies\":[\"IT-PS\",\"FR-PN\"]}" : "\"all\"";
           sub(/}$/, ",\"alert\":{\"owner\":\"" o[NR % 4 + 1] "\",\"category\":\"" c[NR % 6 + 1] \
               "\",\"action\":\"check and report\",\"handling\":\"H" (NR % 4) \
               "\",\"valid_until\":\"2030-12-31\",\"distribution\":" d "}}");
           print }' "$dir/gen/alerts.jsonl" >"$dir/alerts.jsonl"
    "$LIMEN" admin init --db "$db" --agency MA-DGSN --country ma --name "DGSN" >/dev/null
    "$LIMEN" admin agency --db "$db" --agency IT-PS --country it --name "Polizia di Stato"
    "$LIMEN" admin agency --db "$db" --agency FR-PN --country fr --name "Police nationale"
    "$LIMEN" admin agency --db "$db" --agency ES-CNP --country es --name "Policia Nacional"
    : >"$dir/tokens.txt"
    i=0
    for ag in MA-DGSN IT-PS FR-PN ES-CNP; do
        for k in $(seq 1 16); do
            i=$((i + 1))
            "$LIMEN" admin user --db "$db" --agency "$ag" --user "officer$i" --role officer | jq -r .token >>"$dir/tokens.txt"
        done
    done
    t0=$(now)
    "$LIMEN" admin import --db "$db" --alerts "$dir/alerts.jsonl" 2>"$dir/import.log"
    echo "import: $(tail -1 "$dir/import.log" | sed 's/^limen admin import: //') in $(since "$t0") s; store $(du -m "$db" | cut -f1) MB"
    # Bodies: a listed person's perturbed copy, then a traveller who is not listed.
    jq -c '{entity: ., post: "bench"}' "$dir/gen/queries.jsonl" >"$dir/q.jsonl"
    jq -c '{entity: ., post: "bench"}' "$dir/gen/negatives.jsonl" >"$dir/neg.jsonl"
    paste -d '\n' "$dir/q.jsonl" "$dir/neg.jsonl" | grep -v '^$' >"$dir/bodies.jsonl"

    if [ -n "${HUB_BENCH_SNAPSHOT:-}" ]; then
        analyst=$("$LIMEN" admin user --db "$db" --agency MA-DGSN --user analyst1 --role analyst | jq -r .token)
        officer=$(head -1 "$dir/tokens.txt")
        start_server "$db" # a rebuild; its stop writes the snapshot the rounds start from
        stop_server
        # probe_writes FILE / probe_screens FILE: "latency" lines until $end
        probe_writes() {
            local i=0 body
            while [ "$(date +%s)" -lt "$end" ]; do
                i=$((i + 1))
                body="{\"id\":\"probe$i\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Karim Probewriter\"]},\"alert\":{\"category\":\"inquiry_check\",\"action\":\"report\"}}"
                curl -s -o /dev/null -w '%{time_total}\n' -X PUT -H "Authorization: Bearer $analyst" \
                    -d "$body" "$base/v1/alerts/probe$i"
                sleep 0.05
            done >"$1"
        }
        probe_screens() {
            local q
            while [ "$(date +%s)" -lt "$end" ]; do
                while read -r q && [ "$(date +%s)" -lt "$end" ]; do
                    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $officer" \
                        -d "$q" "$base/v1/screen"
                done <"$dir/bodies.jsonl"
            done >"$1"
        }
        stats() { sort -g "$1" | awk '{ a[NR] = $1 } END { printf "n=%d p50=%.3f p90=%.3f p99=%.3f max=%.3f s", NR, a[int(NR * 0.5)], a[int(NR * 0.9)], a[int(NR * 0.99)], a[NR] }'; }
        for every in 0 "$HUB_BENCH_SNAPSHOT"; do
            : >"$tmp/server.log"
            start_server "$db" --snapshot-every "$every"
            end=$(($(date +%s) + seconds))
            probe_writes "$dir/w.lat" &
            p1=$!
            probe_screens "$dir/s1.lat" &
            p2=$!
            probe_screens "$dir/s2.lat" &
            wait "$p1" "$p2" $!
            echo "--snapshot-every $every, ${seconds}s: writes $(stats "$dir/w.lat"); screenings $(stats "$dir/s1.lat") and $(stats "$dir/s2.lat"); peak resident $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$pid/status"); load $(cut -d' ' -f1 /proc/loadavg)"
            grep -h 'written (periodic' "$tmp/server.log" | sed 's/^limen serve: /  /' || true
            stop_server
        done
        continue
    fi
    if [ -n "${HUB_BENCH_SWAP:-}" ]; then
        nchg=$HUB_BENCH_SWAP
        rounds=${HUB_BENCH_ROUNDS:-5}
        declare -A analyst_of
        for ag in MA-DGSN IT-PS FR-PN ES-CNP; do
            analyst_of[$ag]=$("$LIMEN" admin user --db "$db" --agency "$ag" --user "analyst-$ag" --role analyst | jq -r .token)
        done
        sqlite3 "$db" ".backup '$dir/b.db'"
        cp "$db.audit-key" "$dir/b.db.audit-key"
        # N updates spread over the alerts, as a curl config (one connection, one at a time)
        awk -v n="$nchg" -v total="$(wc -l <"$dir/alerts.jsonl")" -v base="$base" \
            -v t1="${analyst_of[MA-DGSN]}" -v t2="${analyst_of[IT-PS]}" -v t3="${analyst_of[FR-PN]}" -v t4="${analyst_of[ES-CNP]}" '
            BEGIN { step = int(total / n); if (step < 1) step = 1; split(t1 " " t2 " " t3 " " t4, tok, " ") }
            (NR - 1) % step == 0 && done < n {
                done++
                match($0, /"id":"[^"]*"/); id = substr($0, RSTART + 6, RLENGTH - 7)
                body = $0; sub(/"action":"check and report"/, "\"action\":\"check and report, updated\"", body)
                gsub(/\\/, "\\\\", body); gsub(/"/, "\\\"", body)
                if (done > 1) print "next"
                printf "url = \"%s/v1/alerts/%s\"\nrequest = \"PUT\"\nheader = \"Authorization: Bearer %s\"\ndata = \"%s\"\noutput = \"/dev/null\"\nwrite-out = \"%%{http_code}\\n\"\n", base, id, tok[NR % 4 + 1], body
            }' "$dir/alerts.jsonl" >"$dir/updates.curl"
        base_of() { echo "http://127.0.0.1:$1"; }
        port_a=$port
        port_b=$((port + 1))
        start_server "$db" --rate 0 --no-snapshot
        pid_a=$pid
        b_args=(--snapshot-every 0 --snapshot-changes "$nchg")
        [ -n "${HUB_BENCH_SWAP_EVERY:-}" ] && b_args=(--snapshot-every "$HUB_BENCH_SWAP_EVERY")
        port=$port_b base=$(base_of $port_b) start_server "$dir/b.db" --rate 0 "${b_args[@]}"
        pid_b=$pid
        pid=$pid_a
        # B rebuilt its index at start: its first snapshot comes soon; the updates come after it.
        for _ in $(seq 1 600); do
            grep -q "swapped in" "$tmp/server.log" && break
            sleep 0.5
        done
        t0=$(now)
        sed "s|$base/|$(base_of $port_a)/|" "$dir/updates.curl" | curl -s -K - >"$dir/put-a.codes" &
        p1=$!
        sed "s|$base/|$(base_of $port_b)/|" "$dir/updates.curl" | curl -s -K - >"$dir/put-b.codes" &
        wait "$p1" $!
        echo "$nchg updates sent to A and B at once in $(since "$t0") s; answers: A $(sort "$dir/put-a.codes" | uniq -c | tr -s ' \n' ' '), B $(sort "$dir/put-b.codes" | uniq -c | tr -s ' \n' ' ')"
        for _ in $(seq 1 1200); do
            [ "$(curl -s "$(base_of $port_b)/healthz" | jq .index_pending)" = 0 ] &&
                [ "$(grep -c "swapped in" "$tmp/server.log")" -ge 2 ] && break
            sleep 0.5
        done
        grep -h "swapped in" "$tmp/server.log" | tail -n +2 | sed 's/.*(\([0-9]*\) changes caught up in \([0-9.]*\) s, longest write-lock hold \([0-9.]*\) ms.*/\1 \2 \3/' |
            awk '{ n++; c += $1; if ($1 > mc) mc = $1; if ($3 > mh) mh = $3; if ($2 > ms) ms = $2 } END {
                printf "B: %d swaps while serving the updates: %d changes caught up (at most %d in one, in %.3f s at most), longest write-lock hold %.3f ms\n", n, c, mc, ms, mh }'
        echo "A /healthz: $(curl -s "$(base_of $port_a)/healthz"); B /healthz: $(curl -s "$(base_of $port_b)/healthz")"
        grep -h "written (periodic" "$tmp/server.log" | tail -1 | sed 's/^limen serve: /  B: /'
        : >"$dir/swap-rounds"
        for r in $(seq 1 "$rounds"); do
            for side in A B; do
                if [ $side = A ]; then pid=$pid_a base=$(base_of $port_a); else pid=$pid_b base=$(base_of $port_b); fi
                line=$(run_wrk "round $r $side" | tr '\n' ' ')
                echo "$line"
                rps=$(sed -n 's/.*requests=[0-9]* .*rps=\([0-9.]*\).*/\1/p' "$dir/wrk-round $r $side.txt")
                echo "$side $(echo "$line" | sed -n 's/.* \([0-9.]*\) ms a request.*/\1/p') ${rps:-0}" >>"$dir/swap-rounds"
            done
        done
        median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
        for side in A B; do
            echo "median of $rounds rounds, $side: server CPU $(awk -v s=$side '$1 == s { print $2 }' "$dir/swap-rounds" | median) ms a request, $(awk -v s=$side '$1 == s { print $3 }' "$dir/swap-rounds" | median) requests/s"
        done
        kill "$pid_b" 2>/dev/null && wait "$pid_b" 2>/dev/null || true
        pid_b=""
        pid=$pid_a
        stop_server
        continue
    fi
    if [ -n "${HUB_BENCH_STARTS:-}" ]; then
        ready() { grep -h 'ready in' "$tmp/server.log" | tail -1 | sed 's/^limen serve: //'; }
        start_server "$db"
        stop_server
        echo "first start: $startup s ($(ready)); $(grep -h 'snapshot .* written' "$tmp/server.log" | tail -1 | sed 's/^limen serve: //')"
        for r in $(seq 1 "$HUB_BENCH_STARTS"); do
            start_server "$db" --no-snapshot
            stop_server
            echo "round $r, rebuilt from the store: $startup s ($(ready)); load $(cut -d' ' -f1 /proc/loadavg)"
            start_server "$db"
            stop_server
            echo "round $r, from the snapshot:      $startup s ($(ready)); load $(cut -d' ' -f1 /proc/loadavg)"
        done
        head -1000 "$dir/alerts.jsonl" | sed 's/"action":"check and report"/"action":"check and report again"/' >"$dir/updates.jsonl"
        "$LIMEN" admin import --db "$db" --alerts "$dir/updates.jsonl" 2>/dev/null
        start_server "$db"
        stop_server
        echo "1,000 alerts updated while stopped, from the snapshot: $startup s ($(ready))"
        echo "  $(grep -h 'snapshot .* loaded' "$tmp/server.log" | tail -1 | sed 's/^limen serve: //')"
        continue
    fi
    start_server "$db"
    echo "(a) startup with $(jq .alerts "$tmp/healthz") alerts indexed: $startup s"
    run_wrk "(b) default --rate"
    rss_b=$(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$pid/status")
    stop_server
    start_server "$db" --rate 0
    echo "(a') startup again, from the snapshot: $startup s"
    run_wrk "(c) --rate 0"
    echo "server peak resident: $rss_b (b), $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$pid/status") (c)"
    stop_server
    hits=$(sqlite3 "$db" 'SELECT count(*) FROM hits' 2>/dev/null || echo '?')
    t0=$(now)
    verify=$("$LIMEN" audit verify --db "$db" || true)
    echo "audit verify: $verify in $(since "$t0") s; hits recorded: $hits"
done
