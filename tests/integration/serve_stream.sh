#!/usr/bin/env bash
# GET /v1/hits/stream (Server-Sent Events): a hit recorded by a screening
# reaches the owner agency's open stream within 2 s, as `id:`, `event: hit` and
# the hit's JSON; other agencies' streams do not get it; an idle stream sends
# heartbeat comments; a client that reconnects with Last-Event-ID gets the
# hits it missed and not the one it had; the number of streams is bounded
# (503 beyond); officers, other media types and bad ids are refused; opening
# a stream and every event sent are in the audit log; a stopping server ends
# its streams.
set -euo pipefail
. "$(dirname "$0")/lib/hub.sh"
hub_setup serve_stream

hub_three_agencies
"$LIMEN" admin user --db "$db" --agency MA-DGSN --user MA-DGSN.analyst2 --role analyst >"$work/an2.json"
tok[MA-DGSN/analyst2]=$(jq -r .token "$work/an2.json")
hub_start --threads 16 --max-streams 2 --heartbeat 1

alert='{"id":"ma-1","schema":"Person","properties":{"name":["Youssef Benali"],"birthDate":["1979-04-02"]},"alert":{"category":"arrest"}}'
[ "$(call POST /v1/alerts "${tok[MA-DGSN/analyst]}" "$alert")" = 201 ] || fail "publish: $(cat "$work/body")"
screen() { # a screening by an Italian officer that matches ma-1; prints the hit id
    [ "$(call POST /v1/screen "${tok[IT-PS/officer]}" '{"person":{"name":"Youssef Ben Ali","birth_date":"1979-04-02"}}')" = 200 ] ||
        fail "screen: $(cat "$work/body")"
    jq -e '.hits[0]' "$work/body"
}
stream() { # stream TOKEN FILE [CURL ARGS...]: opens a stream in the background; $! is curl
    local t=$1 f=$2
    shift 2
    curl -sN -H "Authorization: Bearer $t" -H 'Accept: text/event-stream' "$@" "$base/v1/hits/stream" >"$f" &
}
within() { # within SECONDS COMMAND...: retries the command every 0.05 s until it succeeds
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        [ $SECONDS -le "$end" ] || return 1
        sleep 0.05
    done
}

# refusals
[ "$(call GET /v1/hits/stream "${tok[IT-PS/officer]}")" = 403 ] || fail "an officer opens a stream"
code=$(curl -s -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer ${tok[MA-DGSN/analyst]}" -H 'Accept: application/json' "$base/v1/hits/stream")
[ "$code" = 406 ] || fail "Accept: application/json: $code"
code=$(curl -s -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer ${tok[MA-DGSN/analyst]}" -H 'Last-Event-ID: x1' "$base/v1/hits/stream")
[ "$code" = 400 ] || fail "bad Last-Event-ID: $code"
[ "$(call POST /v1/hits/stream "${tok[MA-DGSN/analyst]}" '{}')" = 405 ] || fail "POST to the stream"

# two streams: the owner's and another agency's; a third is refused
stream "${tok[MA-DGSN/analyst]}" "$work/a.sse"
a=$!
stream "${tok[IT-PS/analyst]}" "$work/b.sse"
b=$!
within 5 grep -q '^retry: ' "$work/a.sse" || fail "stream A did not open"
within 5 grep -q '^retry: ' "$work/b.sse" || fail "stream B did not open"
code=$(curl -s -o "$work/body" -w '%{http_code}' --max-time 5 -H "Authorization: Bearer ${tok[FR-PN/admin]}" "$base/v1/hits/stream")
[ "$code" = 503 ] && jq -e '.error.code == "too_many_streams"' "$work/body" >/dev/null || fail "third stream: $code"

# a hit reaches the owner's stream within 2 s
h1=$(screen)
t0=$(date +%s%N)
within 2 grep -qx "id: $h1" "$work/a.sse" || fail "hit $h1 not streamed within 2 s: $(cat "$work/a.sse")"
ms=$((($(date +%s%N) - t0) / 1000000))
grep -A2 -x "id: $h1" "$work/a.sse" | sed -n 's/^data: //p' |
    jq -e --argjson id "$h1" '.id == $id and .alert_id == "ma-1" and .by_agency == "IT-PS" and .status == "new" and (.explanation | type == "object")' >/dev/null ||
    fail "event data: $(cat "$work/a.sse")"
grep -A1 -x "id: $h1" "$work/a.sse" | grep -qx 'event: hit' || fail "event type"
within 3 grep -q '^: heartbeat' "$work/a.sse" || fail "no heartbeat on an idle stream"
grep -q '^event: hit' "$work/b.sse" && fail "another agency's stream got the hit"

# resume: a client gone while hits are recorded gets them back with Last-Event-ID
kill "$a"
wait "$a" 2>/dev/null || true
h2=$(screen)
h3=$(screen)
opened=0
for _ in $(seq 1 60); do # the server frees the slot of a gone client at its next heartbeat
    stream "${tok[MA-DGSN/analyst2]}" "$work/c.sse" -H "Last-Event-ID: $h1"
    c=$!
    within 2 grep -q '^retry: ' "$work/c.sse" && { opened=1; break; }
    kill "$c" 2>/dev/null || true
    wait "$c" 2>/dev/null || true
    sleep 0.1
done
[ $opened = 1 ] || fail "could not reopen a stream"
within 2 grep -qx "id: $h3" "$work/c.sse" || fail "resume: $(cat "$work/c.sse")"
[ "$(grep -c '^id: ' "$work/c.sse")" = 2 ] && grep -qx "id: $h2" "$work/c.sse" || fail "resume sent: $(grep '^id: ' "$work/c.sse")"
kill "$c"
wait "$c" 2>/dev/null || true

# audited: the opening (and the refused one), and each event with its alert
[ "$(call GET "/v1/audit?after=0&limit=1000" "${tok[MA-DGSN/admin]}")" = 200 ] || fail "audit"
jq -e '[.entries[] | select(.action == "GET /v1/hits/stream" and .user == "MA-DGSN.analyst" and .status == 200)] | length == 1' "$work/body" >/dev/null ||
    fail "stream opening not audited"
jq -e '[.entries[] | select(.action == "GET /v1/hits/stream" and .agency == "FR-PN" and .status == 503)] | length == 1' "$work/body" >/dev/null ||
    fail "refused stream not audited"
jq -e '[.entries[] | select(.action == "GET /v1/hits/stream (events)" and .user == "MA-DGSN.analyst2") | .results[]] == ["ma-1","ma-1"]' "$work/body" >/dev/null ||
    fail "resumed events not audited"
# (stream A may have sent h2 and h3 into its closed socket before noticing: audited as sent)
jq -e '[.entries[] | select(.action == "GET /v1/hits/stream (events)" and .user == "MA-DGSN.analyst")] | .[0] | .results == ["ma-1"] and .search.after == 0' "$work/body" >/dev/null ||
    fail "events not audited"

# a stopping server ends the streams it serves
t0=$SECONDS
hub_stop
[ $((SECONDS - t0)) -le 5 ] || fail "stop took $((SECONDS - t0)) s with a stream open"
within 5 bash -c "! kill -0 $b 2>/dev/null" || fail "stream B still open after the stop"
wait "$b" 2>/dev/null || true
"$LIMEN" audit verify --db "$db" | jq -e '.verified' >/dev/null || fail "audit chain"
echo "serve_stream: ok (first event after ${ms} ms of polling)"
