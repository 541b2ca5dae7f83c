#!/usr/bin/env bash
# The hub's snapshot (docs/server.md, "Restart"): a graceful stop writes it; a
# start loads it and applies the alert changes the store numbered after it.
#   - a restart from the snapshot answers screenings exactly as a rebuild
#     (--no-snapshot) of the same store does;
#   - writes after the snapshot (a creation, an update, a withdrawal, made by
#     a server that is then killed, so no newer snapshot is written) are there
#     after the restart, in the alert table and in screening;
#   - an alert imported with `limen admin import` while no server runs is
#     picked up from the store;
#   - a truncated, damaged, foreign (another store's) or ahead-of-the-store
#     snapshot is not used: the log says why, the index is rebuilt, nothing is
#     lost and the server does not crash;
#   - while serving (--snapshot-every), a snapshot is written when alerts
#     changed and its copy of the index swapped in (/healthz: nothing pending);
#     writes made meanwhile are each found by the next screening, across the
#     swaps; one that cannot be written (its directory gone) is logged, the
#     hub serves on and writes the next one; a kill after it restarts from it.
set -euo pipefail
. "$(dirname "$0")/lib/hub.sh"
hub_setup serve_snapshot
snap="$db.snapshot"

hub_three_agencies
ma=${tok[MA-DGSN/analyst]}
it=${tok[IT-PS/officer]}

alert() { # id surname birthDate [extra alert fields]
    echo "{\"id\":\"$1\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Karim $2\"],\"birthDate\":[\"$3\"]},\"alert\":{\"category\":\"inquiry_check\",\"action\":\"report\"${4:-}}}"
}
hub_start
names=(Zerouali Benali Haddad Mansouri Tazi Alaoui Idrissi Bennani Chraibi Fassi Lahlou Berrada)
i=0
for sn in "${names[@]}"; do
    i=$((i + 1))
    code=$(call POST /v1/alerts "$ma" "$(alert "a$i" "$sn" "1980-02-$((i + 10))")")
    [ "$code" = 201 ] || fail "publishing a$i: HTTP $code $(cat "$work/body")"
done

# screen_all FILE: every name (and a near miss of each) screened by an IT-PS officer
screen_all() {
    : >"$1"
    for sn in "${names[@]}" Zeroualli Bennanni Newname; do
        curl -s -H "Authorization: Bearer $it" -d "{\"person\":{\"name\":\"Karim $sn\"},\"limit\":20}" \
            "$base/v1/screen" | jq -c '[.results[] | {alert_id, score: (.score * 1000 | round), match}]' >>"$1"
    done
}

hub_stop # TERM: writes the snapshot
[ -s "$snap" ] || fail "no snapshot after a graceful stop"
ls "$snap".index-* >/dev/null 2>&1 || fail "no saved index beside the snapshot"
grep -q "snapshot .* written" "$work/server.log" || fail "the stop does not log the snapshot"

# 1. From the snapshot, as from a rebuild.
hub_start
grep -q "snapshot .* loaded" "$work/server.log" || fail "the snapshot was not loaded"
screen_all "$work/from-snapshot"
hub_stop KILL
hub_start --no-snapshot
screen_all "$work/rebuilt"
hub_stop KILL
cmp -s "$work/from-snapshot" "$work/rebuilt" ||
    fail "screening from the snapshot differs from a rebuild: $(diff "$work/from-snapshot" "$work/rebuilt" | head -5)"
grep -q '"a1"' "$work/rebuilt" || fail "the screenings found nothing (test broken)"

# 2. Writes after the snapshot, then a kill (no newer snapshot): all there after a restart.
hub_start
code=$(call POST /v1/alerts "$ma" "$(alert new1 Ouazzani 1975-05-05)")
[ "$code" = 201 ] || fail "create after the snapshot: HTTP $code"
code=$(call GET /v1/alerts/a2 "$ma")
v=$(jq -r .version "$work/body")
code=$(call PUT /v1/alerts/a2 "$ma" "$(alert a2 Kettani 1980-02-12)")
[ "$code" = 200 ] || fail "update after the snapshot: HTTP $code $(cat "$work/body")"
code=$(call DELETE /v1/alerts/a3 "$ma")
[ "$code" = 200 ] || fail "withdraw after the snapshot: HTTP $code"
hub_stop KILL
alert import1 Sqalli 1966-06-06 ',"owner":"MA-DGSN"' >"$work/import.jsonl"
"$LIMEN" admin import --db "$db" --alerts "$work/import.jsonl" 2>/dev/null ||
    fail "import while stopped"
hub_start
tail -3 "$work/server.log" | grep -q "snapshot .* loaded.* 4 alerts changed since applied" ||
    fail "the restart did not load the snapshot and apply the 4 changes: $(tail -3 "$work/server.log")"
matches() { # name -> the ids that match
    curl -s -H "Authorization: Bearer $it" -d "{\"person\":{\"name\":\"$1\"},\"limit\":20}" \
        "$base/v1/screen" | jq -r '[.results[] | select(.match) | .alert_id] | join(",")'
}
[ "$(matches "Karim Ouazzani")" = new1 ] || fail "alert created after the snapshot not screened"
[ "$(matches "Karim Sqalli")" = import1 ] || fail "alert imported after the snapshot not screened"
[ "$(matches "Karim Kettani")" = a2 ] || fail "update after the snapshot not screened"
[ -z "$(matches "Karim Benali")" ] || fail "the old version of an updated alert still matches"
[ -z "$(matches "Karim Haddad")" ] || fail "alert withdrawn after the snapshot still matches"
code=$(call GET /v1/alerts/a2 "$ma")
[ "$(jq -r .version "$work/body")" = $((v + 1)) ] || fail "a2's version after restart"
code=$(call GET /v1/alerts/a3 "$ma")
[ "$(jq -r .withdrawn "$work/body")" = true ] || fail "a3 not withdrawn after restart"
screen_all "$work/after-changes"
hub_stop # a new snapshot, with the changes
grep -q "snapshot .* written" "$work/server.log" || fail "no snapshot written"
hub_start --no-snapshot
screen_all "$work/after-changes-rebuilt"
hub_stop KILL
cmp -s "$work/after-changes" "$work/after-changes-rebuilt" ||
    fail "after the changes, the snapshot's screening differs from a rebuild: $(diff "$work/after-changes" "$work/after-changes-rebuilt" | head -5)"
[ "$(ls "$snap".index-* | wc -l)" = 1 ] || fail "the previous snapshot's index was not deleted"
# limen admin snapshot after an import while stopped: the next start has nothing to apply.
alert import2 Tahiri 1967-07-07 ',"owner":"MA-DGSN"' >"$work/import2.jsonl"
"$LIMEN" admin import --db "$db" --alerts "$work/import2.jsonl" 2>/dev/null || fail "import 2"
"$LIMEN" admin snapshot --db "$db" 2>"$work/admin.log" || fail "admin snapshot: $(cat "$work/admin.log")"
grep -q "snapshot: .* written" "$work/admin.log" || fail "admin snapshot wrote nothing: $(cat "$work/admin.log")"
"$LIMEN" admin snapshot --db "$db" 2>"$work/admin.log" || fail "admin snapshot again"
grep -q "still current" "$work/admin.log" || fail "admin snapshot rewrote an exact snapshot"
hub_start
tail -3 "$work/server.log" | grep -q "snapshot .* loaded.* 0 alerts changed since applied" ||
    fail "the start after admin snapshot applied changes: $(tail -3 "$work/server.log")"
[ "$(matches "Karim Tahiri")" = import2 ] || fail "alert in the admin snapshot not screened"
hub_stop KILL
[ "$(ls "$snap".index-* | wc -l)" = 1 ] || fail "admin snapshot left the previous index"

# 3. Snapshots that must not be used: the start rebuilds and says why.
cp "$snap" "$work/good.snapshot"
bad_start() { # what, expected reason
    : >"$work/server.log"
    hub_start
    grep -q "snapshot not used ($2" "$work/server.log" ||
        fail "$1 snapshot: no log line saying why: $(head -3 "$work/server.log")"
    grep -q "alerts loaded from the store" "$work/server.log" || fail "$1 snapshot: no rebuild"
    [ "$(matches "Karim Ouazzani")" = new1 ] || fail "$1 snapshot: data lost"
    [ "$(matches "Karim Kettani")" = a2 ] || fail "$1 snapshot: update lost"
    [ -z "$(matches "Karim Haddad")" ] || fail "$1 snapshot: withdrawn alert matches"
    hub_stop KILL
    cp "$work/good.snapshot" "$snap"
}
head -c $(($(stat -c %s "$work/good.snapshot") - 9)) "$work/good.snapshot" >"$snap"
bad_start truncated ".*damaged or truncated"
sz=$(stat -c %s "$snap")
printf '\x5a' | dd of="$snap" bs=1 seek=$((sz / 2)) conv=notrunc status=none
bad_start damaged ".*damaged or truncated"
: >"$snap"
bad_start empty ".*too short"
idx=$(ls "$snap".index-*)
cp "$idx" "$work/good.index"
head -c 4096 "$work/good.index" >"$idx"
bad_start "truncated index" ".*index-[0-9]*: corrupt index file: 4096 bytes.*truncated"
cp "$work/good.index" "$idx"
# another store's snapshot: a fresh store, its snapshot put in place of ours
"$LIMEN" admin init --db "$work/other.db" --agency MA-DGSN --country ma --name DGSN >/dev/null
"$LIMEN" serve --db "$work/other.db" --listen "127.0.0.1:$port" >>"$work/other.log" 2>&1 &
opid=$!
for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
kill -TERM "$opid"
wait "$opid" || true
cp "$work/other.db.snapshot" "$snap"
bad_start foreign ".*another store"
# ahead of the store: the store put back from a copy older than the snapshot
hub_start
hub_stop
sqlite3 "$db" ".backup '$work/old.db'"
hub_start
code=$(call POST /v1/alerts "$ma" "$(alert late1 Skalli 1971-07-07)")
[ "$code" = 201 ] || fail "late write"
hub_stop # the snapshot now has late1, at a watermark the old copy does not reach
cp "$snap" "$work/good.snapshot"
cp "$work/old.db" "$db"
rm -f "$db-wal" "$db-shm"
bad_start ahead ".*ahead of the store"
# the same number, another change: the old copy takes another write (no snapshot written)
hub_start --no-snapshot
code=$(call POST /v1/alerts "$ma" "$(alert late2 Skalli 1971-07-07)")
[ "$code" = 201 ] || fail "late write"
hub_stop
bad_start diverged ".*is not the one the snapshot saw"

# 4. Snapshots while serving, on a store of their own, the snapshot in a directory of its own.
db="$work/periodic.db"
psnap="$work/psnap/hub.snapshot"
mkdir -p "$work/psnap"
hub_three_agencies
ma=${tok[MA-DGSN/analyst]}
it=${tok[IT-PS/officer]}
: >"$work/server.log"
found() { # name -> the ids screening returns (a store this small scores below the threshold)
    curl -s -H "Authorization: Bearer $it" -d "{\"person\":{\"name\":\"$1\"},\"limit\":20}" \
        "$base/v1/screen" | jq -r '[.results[] | .alert_id] | join(",")'
}
wait_log() { # pattern, count: waits until the log has that many lines matching
    for _ in $(seq 1 300); do
        [ "$(grep -c -- "$1" "$work/server.log" || true)" -ge "$2" ] && return 0
        sleep 0.05
    done
    fail "no '$1' (x$2) in the log"
}
hub_start --snapshot "$psnap" --snapshot-every 1
wait_log "written (periodic" 1 # soon after a start that rebuilt
code=$(call POST /v1/alerts "$ma" "$(alert p1 Ouali 1970-01-01)")
[ "$code" = 201 ] || fail "p1: HTTP $code"
wait_log "written (periodic" 2
grep "written (periodic" "$work/server.log" | tail -1 | grep -q "writes waited [0-9.]* s for the copy" ||
    fail "the periodic write does not say how long writes waited"
grep "written (periodic" "$work/server.log" | tail -1 | grep -q "swapped in as the live index" ||
    fail "the periodic write did not swap its copy in: $(tail -1 "$work/server.log")"
[ "$(curl -s "$base/healthz" | jq .index_pending)" = 0 ] ||
    fail "changes pending in the index swapped in: $(curl -s "$base/healthz")"
# Writes while snapshots are written and swapped in (one a second): each found by the next
# screening, before, during and after a swap.
swaps=$(grep -c "swapped in as the live index" "$work/server.log")
letters=(a b c d e f g h i j k l m n o p q r s t u v w x y z)
for k in $(seq 0 29); do
    w="Karim Tadlaoui ${letters[k % 26]}${letters[k / 26]}"
    code=$(call POST /v1/alerts "$ma" "$(alert "w$k" "Tadlaoui ${letters[k % 26]}${letters[k / 26]}" 1971-01-01)")
    [ "$code" = 201 ] || fail "w$k: HTTP $code"
    got=$(found "$w")
    [ "${got%%,*}" = "w$k" ] || fail "w$k not the first found right after its write: $got"
    sleep 0.1
done
wait_log "swapped in as the live index" $((swaps + 2))
for k in $(seq 0 29); do
    got=$(found "Karim Tadlaoui ${letters[k % 26]}${letters[k / 26]}")
    [ "${got%%,*}" = "w$k" ] || fail "w$k not the first found after the swaps: $got"
done
mv "$work/psnap" "$work/psnap.away"
: >"$work/psnap" # a file where the directory was: the next write fails
code=$(call POST /v1/alerts "$ma" "$(alert p2 Skiredj 1970-01-02)")
[ "$code" = 201 ] || fail "p2: HTTP $code"
wait_log "not written (periodic).*serving on, the previous snapshot stays valid" 1
got=$(found "Karim Skiredj")
[ "$got" = p2 ] || fail "the hub does not serve after a failed snapshot: $got"
rm "$work/psnap"
mv "$work/psnap.away" "$work/psnap"
n=$(grep -c "written (periodic" "$work/server.log")
wait_log "written (periodic" $((n + 1))
code=$(call POST /v1/alerts "$ma" "$(alert p3 Mernissi 1970-01-03)")
[ "$code" = 201 ] || fail "p3: HTTP $code"
hub_stop KILL
ls "$work/psnap" | grep -q tmp && fail "temporary files left: $(ls "$work/psnap")"
hub_start --snapshot "$psnap"
tail -3 "$work/server.log" | grep -q "snapshot $psnap loaded.* 1 alerts changed since applied" ||
    fail "the restart did not load the snapshot written while serving: $(tail -3 "$work/server.log")"
[ "$(found "Karim Ouali")" = p1 ] || fail "p1 lost"
[ "$(found "Karim Skiredj")" = p2 ] || fail "p2 lost"
[ "$(found "Karim Mernissi")" = p3 ] || fail "p3 lost"
hub_stop
echo "serve_snapshot: ok"
