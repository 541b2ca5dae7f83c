#!/usr/bin/env bash
# Crash safety of the hub: rounds of acknowledged writes (alerts published,
# changed and withdrawn) with the server killed by SIGKILL in the middle; after
# each restart every acknowledged write is there (each acknowledged alert is
# read back, each acknowledged withdrawal is withdrawn), the store and the
# index agree (an alert matches by screening exactly when the store holds it
# active: a withdrawal cut off by the kill may be committed without its
# answer), and the audit chain verifies. Rounds 1-5 start without a snapshot
# (the index is rebuilt from the store; no snapshot is written while serving);
# then a graceful stop writes one, and rounds 6-8 start from that snapshot,
# older than their writes, applying the changes the store numbered since.
# Rounds 9-14 write snapshots while serving (--snapshot-every 1) over a store
# of a few thousand more alerts, so that a write takes a while: the odd rounds
# are killed at a random moment, the even ones as soon as a snapshot write is
# seen under way (its temporary file exists), mid-write. Their restarts must
# load a snapshot written while serving at least once, and a kill mid-write
# never costs an acknowledged write.
set -euo pipefail
. "$(dirname "$0")/lib/hub.sh"
hub_setup serve_crash

"$LIMEN" admin init --db "$db" --agency MA-DGSN --country ma --name DGSN >/dev/null
an=$("$LIMEN" admin user --db "$db" --agency MA-DGSN --user an --role analyst | jq -r .token)

start() { hub_start --threads 32 --snapshot-every "${every:-0}"; }

# Names must differ in letters (the normaliser drops digits): a letter code per write.
letters() {
    local n=$1 out=""
    for _ in 1 2 3; do
        out="$out$(printf "\\$(printf '%03o' $((97 + n % 26)))")"
        n=$((n / 26))
    done
    echo "$out"
}
: >"$work/acked"     # ids whose publication was acknowledged (201/200)
: >"$work/withdrawn" # ids whose withdrawal was acknowledged
n=0
midwrite=0
for round in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do
    if [ "$round" = 6 ]; then # a snapshot from before the writes of rounds 6-8
        start
        hub_stop
        grep -q "snapshot .* written" "$work/server.log" || fail "no snapshot written on TERM"
    fi
    if [ "$round" = 9 ]; then # more alerts, so that a snapshot write takes a while
        "$LIMEN_BUILD_DIR/gen_population" --alerts 4000 --queries 0 --negatives 0 --seed 5 \
            --out "$work/gen" >/dev/null 2>&1
        awk '{ sub(/}$/, ",\"alert\":{\"owner\":\"MA-DGSN\",\"category\":\"inquiry_check\",\"action\":\"report\"}}"); print }' \
            "$work/gen/alerts.jsonl" >"$work/more.jsonl"
        "$LIMEN" admin import --db "$db" --alerts "$work/more.jsonl" 2>/dev/null
        every=1
        echo "== round 9: snapshots while serving" >>"$work/server.log"
    fi
    start
    # writes in the background, each recorded only once acknowledged
    (
        i=0
        while :; do
            i=$((i + 1))
            id="r$round-$i"
            sn="Zer$(letters $((round * 1000 + i)))ouali"
            body="{\"id\":\"$id\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Karim $sn\"],\"birthDate\":[\"1980-01-0$((i % 9 + 1))\"]},\"alert\":{\"category\":\"inquiry_check\",\"action\":\"report\"}}"
            code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $an" -d "$body" "$base/v1/alerts" || true)
            [ "$code" = 201 ] && echo "$id Karim $sn" >>"$work/acked"
            if [ $((i % 4)) = 0 ]; then
                wid="r$round-$((i - 2))"
                code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "Authorization: Bearer $an" "$base/v1/alerts/$wid" || true)
                [ "$code" = 200 ] && echo "$wid" >>"$work/withdrawn"
            fi
        done
    ) &
    writer=$!
    # killed at a random moment once the round has a few acknowledged writes
    # (waiting for them, not for a fixed time: a loaded machine is slow)
    for _ in $(seq 300); do
        [ "$(grep -c "^r$round-" "$work/acked")" -ge 4 ] && break
        sleep 0.1
    done
    if [ "$round" -ge 9 ] && [ $((round % 2)) = 0 ]; then
        # killed while a snapshot is being written: its temporary files exist
        caught=""
        t0=$SECONDS
        while [ $((SECONDS - t0)) -lt 30 ]; do
            if compgen -G "$db.snapshot.tmp-$pid" >/dev/null ||
                compgen -G "$db.snapshot.index-*.tmp$pid" >/dev/null; then
                caught=1
                break
            fi
        done
        hub_stop KILL
        [ -n "$caught" ] && midwrite=$((midwrite + 1))
    elif [ "$round" -ge 9 ]; then
        # killed at a random moment after the round's first snapshot written while serving
        w0=$(grep -c "written (periodic" "$work/server.log" || true)
        for _ in $(seq 300); do
            [ "$(grep -c "written (periodic" "$work/server.log" || true)" -gt "$w0" ] && break
            sleep 0.1
        done
        sleep "0.$((RANDOM % 9 + 1))"
        hub_stop KILL
    else
        sleep "0.$((RANDOM % 5 + 1))"
        hub_stop KILL
    fi
    kill "$writer" 2>/dev/null || true
    wait "$writer" 2>/dev/null || true
done
n=$(wc -l <"$work/acked")
[ "$n" -ge 20 ] || fail "too few acknowledged writes to test ($n)"

start
loaded=$(sed '/^== round 9/,$d' "$work/server.log" | grep -c "snapshot .* loaded" || true)
[ "$loaded" -ge 3 ] || fail "rounds 6-8 did not start from the snapshot ($loaded loads)"
# Rounds 10-14 and the last start: a snapshot written while serving is loaded.
sed -n '/^== round 9/,$p' "$work/server.log" >"$work/periodic.log"
sed -n 's/.*written (periodic; watermark \([0-9]*\),.*/\1/p' "$work/periodic.log" | sort -u >"$work/written"
sed -n 's/.*snapshot .* loaded (.*watermark \([0-9]*\)).*/\1/p' "$work/periodic.log" | sort -u >"$work/loaded"
[ -s "$work/written" ] || fail "no snapshot written while serving"
used=$(comm -12 "$work/written" "$work/loaded" | wc -l)
[ "$used" -ge 1 ] || fail "no restart loaded a snapshot written while serving"
[ "$midwrite" -ge 1 ] || fail "no kill landed during a snapshot write"
rebuilt=$(grep -c "rebuilding from the store" "$work/periodic.log" || true)
while read -r id name; do
    code=$(curl -s -o "$work/got" -w '%{http_code}' -H "Authorization: Bearer $an" "$base/v1/alerts/$id")
    [ "$code" = 200 ] || fail "acknowledged alert $id lost (HTTP $code)"
    withdrawn=$(jq -r '.withdrawn' "$work/got")
    if grep -qx "$id" "$work/withdrawn"; then
        [ "$withdrawn" = true ] || fail "acknowledged withdrawal of $id lost"
    fi
    curl -s -H "Authorization: Bearer $an" -d "{\"person\":{\"name\":\"$name\"},\"limit\":100}" \
        "$base/v1/screen" >"$work/screen"
    found=$(jq --arg id "$id" '[.results[] | select(.match) | .alert_id] | index($id) != null' "$work/screen")
    if [ "$withdrawn" = true ]; then
        [ "$found" = false ] || fail "withdrawn $id still matches after restart"
    else
        [ "$found" = true ] || fail "acknowledged $id ($name) not found by screening after restart: $(head -c 600 "$work/screen")"
    fi
done <"$work/acked"
hub_stop
"$LIMEN" audit verify --db "$db" | jq -e '.verified' >/dev/null || fail "audit chain broken by the crashes"
echo "serve_crash: ok ($n acknowledged alerts, $(wc -l <"$work/withdrawn") withdrawals, 14 kills," \
    "$midwrite of them during a snapshot write; 3 restarts from the stop's snapshot, then" \
    "$used snapshots written while serving loaded, $rebuilt rebuilds)"
