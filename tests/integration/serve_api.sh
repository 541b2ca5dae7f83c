#!/usr/bin/env bash
# The hub over loopback with a temporary store: admin init, agencies, users and
# tokens; alerts published by their owner only; screening sees only what the
# caller's agency may see, with the fields its handling code allows; matches
# become hits the owner lists and marks; every access is in the audit log and
# the chain verifies; errors are JSON with the right status; yente's /match
# shape; a restart keeps everything; tampering with the audit log is caught.
set -euo pipefail
. "$(dirname "$0")/lib/hub.sh"
hub_setup serve_api
start() { hub_start --threads 64 --max-body 65536; }

# call METHOD PATH TOKEN [BODY] -> prints "STATUS BODY"
call() {
    local m=$1 p=$2 t=$3 b=${4:-}
    local args=(-s -o "$work/body" -w '%{http_code}' -X "$m" "$base$p")
    [ -n "$t" ] && args+=(-H "Authorization: Bearer $t")
    [ -n "$b" ] && args+=(-H 'Content-Type: application/json' --data-binary "$b")
    local code
    code=$(curl "${args[@]}")
    echo "$code $(cat "$work/body")"
}
body() { echo "${1#* }"; }
expect() { # expect STATUS "call output" what
    [ "${2%% *}" = "$1" ] || fail "$3: want $1, got ${2:0:300}"
}

# --- set-up with limen admin ---
admin=$("$LIMEN" admin init --db "$db" --agency MA-DGSN --country ma --name "DGSN" \
    --contact "DGSN duty desk +212 5 37 00 00 00" | jq -r .token)
"$LIMEN" admin agency --db "$db" --agency IT-PS --country it --name "Polizia di Stato" --contact "SCIP +39 06 0000"
"$LIMEN" admin agency --db "$db" --agency FR-PN --country fr --name "Police nationale" --contact "OCRIEST"
tok() { "$LIMEN" admin user --db "$db" --agency "$1" --user "$2" --role "$3" | jq -r .token; }
ma_an=$(tok MA-DGSN ma.analyst analyst)
it_an=$(tok IT-PS it.analyst analyst)
it_off=$(tok IT-PS it.officer officer)
fr_off=$(tok FR-PN fr.officer officer)
[ "${#ma_an}" -eq 47 ] || fail "token format: $ma_an"
grep -q "$ma_an" "$db" 2>/dev/null && fail "a token is stored in clear"
# limen admin import: good lines stored, bad ones refused with their line, bounded lines
{
    echo '{"id":"imp-1","schema":"Person","properties":{"name":["Driss Imported"]},"alert":{"owner":"MA-DGSN","category":"arrest"}}'
    echo '{"id":"imp-2","schema":"Person","properties":{"name":["Bad Category"]},"alert":{"owner":"MA-DGSN","category":"nope"}}'
    printf '{"id":"imp-3","x":"'; head -c 1100000 /dev/zero | tr '\0' a; printf '"}\n'
    echo 'not json'
    # refused by the store inside the batch (another agency's id): undone alone
    echo '{"id":"imp-1","schema":"Person","properties":{"name":["Driss Taken"]},"alert":{"owner":"IT-PS","category":"arrest"}}'
    echo '{"id":"imp-4","schema":"Person","properties":{"name":["Omar Imported"]},"alert":{"owner":"MA-DGSN","category":"arrest"}}'
} >"$work/imp.jsonl"
set +e
"$LIMEN" admin import --db "$db" --alerts "$work/imp.jsonl" 2>"$work/imp.err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "import with bad lines: rc $rc"
grep -q "imp.jsonl:2: unknown category" "$work/imp.err" || fail "import: $(cat "$work/imp.err")"
grep -q "imp.jsonl:3: line longer than" "$work/imp.err" || fail "import long line: $(cat "$work/imp.err")"
grep -q "imp.jsonl:4: not JSON" "$work/imp.err" || fail "import not JSON: $(cat "$work/imp.err")"
grep -q "imp.jsonl:5: alert imp-1 belongs to MA-DGSN" "$work/imp.err" || fail "import, taken id: $(cat "$work/imp.err")"
grep -q "2 alerts stored, 4 refused" "$work/imp.err" || fail "import counts: $(cat "$work/imp.err")"
start

# --- errors ---
expect 401 "$(call POST /v1/screen "" '{"person":{"name":"x"}}')" "no token"
expect 401 "$(call POST /v1/screen lmn_nottoken '{"person":{"name":"x"}}')" "bad token"
r=$(call POST /v1/screen "$it_off" '{"person": {"name": ')
expect 400 "$r" "bad JSON"
echo "$r" | grep -q '"code":"bad_json"' || fail "bad JSON code: $r"
expect 400 "$(call POST /v1/screen "$it_off" '[1,2]')" "not an object"
expect 400 "$(call POST /v1/screen "$it_off" '{"person":{"name":7}}')" "wrong type"
expect 404 "$(call GET /v1/nothing "$it_off")" "unknown endpoint"
expect 405 "$(call GET /v1/screen "$it_off")" "wrong method"
head -c 70000 /dev/zero | tr '\0' 'a' >"$work/big"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $it_off" --data-binary @"$work/big" "$base/v1/screen")
[ "$code" = 413 ] || fail "huge body: $code"
printf '{"person":{"name":"Mo\xc3"}}' >"$work/badutf8"
code=$(curl -s -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer $it_off" --data-binary @"$work/badutf8" "$base/v1/screen")
[ "$code" = 400 ] || fail "invalid UTF-8: $code $(cat "$work/body")"
curl -sf "$base/openapi.json" | jq -e '.openapi == "3.0.3" and (.paths | has("/v1/screen"))' >/dev/null ||
    fail "openapi"
: "${LIMEN_SOURCE_DIR:?source directory}"
[ "$(curl -sf "$base/openapi.json" | jq -S -c .)" = "$(jq -S -c . "$LIMEN_SOURCE_DIR/docs/openapi.json")" ] ||
    fail "the served OpenAPI document is not docs/openapi.json (run scripts/gen-openapi)"

# --- alerts: the owner publishes; nobody else writes them ---
alert1='{"id":"ma-0001","schema":"Person","properties":{"name":["Youssef Benali"],"birthDate":["1979-04-02"],"nationality":["ma"]},"alert":{"category":"arrest","action":"Arrest and inform DGSN","handling":"H1","flags":["armed"],"distribution":"all"}}'
alert2='{"id":"ma-0002","schema":"Person","properties":{"name":["Abdelkader Mansouri"],"birthDate":["1970"]},"alert":{"category":"discreet_check","action":"Do not alert the person","handling":"H3","distribution":{"agencies":["IT-PS"]}}}'
r=$(call POST /v1/alerts "$ma_an" "$alert1"); expect 201 "$r" "publish 1"
echo "$r" | grep -q '"version":1' || fail "version: $r"
expect 201 "$(call POST /v1/alerts "$ma_an" "$alert2")" "publish 2"
expect 403 "$(call POST /v1/alerts "$it_off" "$alert1")" "an officer publishes"
expect 403 "$(call PUT /v1/alerts/ma-0001 "$it_an" "$alert1")" "another agency changes it"
r=$(call POST /v1/alerts "$ma_an" '{"id":"x","schema":"Person","properties":{"name":["A B"]},"alert":{"category":"nonsense"}}')
expect 422 "$r" "unknown category"
echo "$r" | grep -q '"field":"alert.category"' || fail "422 field: $r"
expect 200 "$(call GET /v1/alerts/ma-0001 "$ma_an")" "owner reads"
# --- optimistic concurrency: ETag, If-Match or a body version, 409 ---
r=$(call POST /v1/alerts "$ma_an" "$alert1"); expect 409 "$r" "publish a taken id"
body "$r" | jq -e '.error.code == "conflict" and .error.field == "id"' >/dev/null || fail "409 body: $r"
expect 409 "$(call POST /v1/alerts "$it_an" "$alert1")" "another agency publishes a taken id"
etag=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $ma_an" "$base/v1/alerts/ma-0001" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
[ "$etag" = '"1"' ] || fail "GET ETag: $etag"
cond() { # cond IF-MATCH BODY -> status, headers in $work/h
    curl -s -D "$work/h" -o "$work/body" -w '%{http_code}' -X PUT -H "Authorization: Bearer $ma_an" \
        ${1:+-H "If-Match: $1"} --data-binary "$2" "$base/v1/alerts/ma-0001"
}
[ "$(cond '"1"' "$alert1")" = 200 ] || fail "PUT If-Match current: $(cat "$work/body")"
grep -qi '^etag: "2"' "$work/h" || fail "PUT ETag: $(cat "$work/h")"
[ "$(cond '"1"' "$alert1")" = 409 ] || fail "PUT If-Match stale"
jq -e '.error.code == "conflict" and .error.field == "version" and (.error.message | test("version 2, not 1"))' "$work/body" >/dev/null ||
    fail "stale 409: $(cat "$work/body")"
with_version() { echo "$alert1" | jq -c --argjson v "$1" '. + {version: $v}'; }
[ "$(cond "" "$(with_version 2)")" = 200 ] || fail "PUT body version: $(cat "$work/body")"
[ "$(cond "" "$(with_version 2)")" = 409 ] || fail "PUT stale body version"
[ "$(cond '"3"' "$(with_version 2)")" = 400 ] || fail "If-Match and body disagree"
[ "$(cond 'W/"3"' "$alert1")" = 400 ] || fail "weak If-Match"
[ "$(cond '"x"' "$alert1")" = 400 ] || fail "malformed If-Match"
expect 200 "$(call GET /v1/alerts/ma-0001 "$ma_an")" "read after conditional PUTs"
r=$(call GET /v1/alerts/ma-0001 "$ma_an")
body "$r" | jq -e '.version == 3 and (.entity | has("version") | not)' >/dev/null || fail "body version stored: $r"
# of writers that read the same version, exactly one wins
racers=()
for i in 1 2 3 4 5 6; do
    curl -s -o /dev/null -w '%{http_code}\n' -X PUT -H "Authorization: Bearer $ma_an" -H 'If-Match: "3"' \
        --data-binary "$alert1" "$base/v1/alerts/ma-0001" >"$work/race.$i" &
    racers+=($!)
done
wait "${racers[@]}"
[ "$(cat "$work"/race.* | sort | uniq -c | tr -s ' ' | sed 's/^ //' | tr '\n' ' ')" = "1 200 5 409 " ] ||
    fail "concurrent conditional PUTs: $(cat "$work"/race.*)"
# an alert past its validity is stored but never matches
expired='{"id":"ma-0003","schema":"Person","properties":{"name":["Hamid Oufkir"],"birthDate":["1960-01-01"]},"alert":{"category":"arrest","action":"x","valid_until":"2020-01-01"}}'
expect 201 "$(call POST /v1/alerts "$ma_an" "$expired")" "publish expired"
r=$(call POST /v1/screen "$ma_an" '{"person":{"name":"Hamid Oufkir","birth_date":"1960-01-01"}}')
body "$r" | jq -e '[.results[].alert_id] | index("ma-0003") == null' >/dev/null || fail "expired alert matched: $r"
expect 403 "$(call GET /v1/alerts/ma-0001 "$it_an")" "other agency reads"

# --- screening: visibility and handling codes ---
r=$(call POST /v1/screen "$it_off" '{"person":{"name":"Yusuf Ben Ali","birth_date":"1979-04-02"},"post":"Fiumicino T3"}')
expect 200 "$r" "screen"
body "$r" | jq -e '.results[0].alert_id == "ma-0001" and .results[0].match and .results[0].category == "arrest" and .results[0].flags == ["armed"] and (.results[0].owner.contact | test("duty desk")) and (.results[0].explanation | type == "object") and (.hits | length == 1)' >/dev/null ||
    fail "screen result: $r"
r=$(call POST /v1/screen "$it_off" '{"person":{"name":"Abd al-Qadir Mansouri","birth_date":"1970-05-05"}}')
body "$r" | jq -e '.results[0].alert_id == "ma-0002" and .results[0].handling == "H3" and (.results[0] | has("category") | not) and (.results[0] | has("explanation") | not) and (.results[0].instruction | test("contact"))' >/dev/null ||
    fail "H3 result: $r"
r=$(call POST /v1/screen "$fr_off" '{"person":{"name":"Abd al-Qadir Mansouri","birth_date":"1970-05-05"}}')
body "$r" | jq -e '[.results[].alert_id] | index("ma-0002") == null' >/dev/null || fail "FR-PN sees an IT-only alert: $r"
r=$(call POST /v1/screen "$it_off" '{"mrz":"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10"}')
body "$r" | jq -e '.mrz.format == "TD3" and .mrz.valid' >/dev/null || fail "MRZ screening: $r"

# --- hits: the owner lists and marks them; others do not see them ---
r=$(call GET "/v1/hits?after=0" "$ma_an")
body "$r" | jq -e '.hits | length == 2 and .[0].alert_id == "ma-0001" and .[0].by_agency == "IT-PS" and .[0].post == "Fiumicino T3" and .[1].alert_id == "ma-0002"' >/dev/null ||
    fail "hits list: $r"
hid=$(body "$r" | jq -r '.hits[0].id')
last=$(body "$r" | jq -r '.last')
r=$(call GET "/v1/hits?after=0" "$it_an"); body "$r" | jq -e '.hits == []' >/dev/null || fail "IT sees MA's hits"
expect 403 "$(call POST "/v1/hits/$hid" "$it_an" '{"status":"confirmed"}')" "other agency marks"
expect 200 "$(call POST "/v1/hits/$hid" "$ma_an" '{"status":"confirmed"}')" "owner marks"
expect 422 "$(call POST "/v1/hits/$hid" "$ma_an" '{"status":"maybe"}')" "bad status"
# long poll: a hit recorded while the owner waits wakes it up
# (the screening in the background answers into its own file: `call` uses $work/body)
( sleep 1; curl -s -o /dev/null -H "Authorization: Bearer $it_off" \
    --data-binary '{"person":{"name":"Youssef Benali","birth_date":"1979-04-02"}}' "$base/v1/screen" ) &
bg=$!
t0=$(date +%s)
r=$(call GET "/v1/hits?after=$last&wait=20" "$ma_an")
body "$r" | jq -e '.hits | length == 1' >/dev/null || fail "long poll: $r"
[ $(($(date +%s) - t0)) -lt 10 ] || fail "long poll did not wake up"
wait "$bg"

# --- yente-compatible /match ---
r=$(call POST /match/default "$it_off" '{"queries":{"q1":{"schema":"Person","properties":{"name":["Youssef Ben Ali"],"birthDate":["1979-04-02"]}}}}')
body "$r" | jq -e '.responses.q1.status == 200 and .responses.q1.results[0].id == "ma-0001" and .responses.q1.results[0].match and (.responses.q1.results[0].score > 0.8) and .responses.q1.total.value >= 1' >/dev/null ||
    fail "yente match: $r"

# --- withdrawal stops matching at once ---
expect 403 "$(call DELETE /v1/alerts/ma-0001 "$it_an")" "other agency withdraws"
# a conditional withdrawal, as a conditional PUT: If-Match: "N" of the version read, 409 when stale
etag=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $ma_an" "$base/v1/alerts/ma-0001" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
v=${etag//\"/}
[ "$v" -ge 4 ] 2>/dev/null || fail "ETag before the withdrawal: $etag"
withdraw() { # withdraw IF-MATCH -> status, body in $work/body
    curl -s -o "$work/body" -w '%{http_code}' -X DELETE -H "Authorization: Bearer $ma_an" -H "If-Match: $1" "$base/v1/alerts/ma-0001"
}
[ "$(withdraw "\"$((v - 1))\"")" = 409 ] || fail "DELETE If-Match stale: $(cat "$work/body")"
jq -e --arg m "version $v, not $((v - 1))" '.error.code == "conflict" and .error.field == "version" and (.error.message | contains($m))' "$work/body" >/dev/null ||
    fail "stale DELETE 409: $(cat "$work/body")"
[ "$(withdraw '"x"')" = 400 ] || fail "DELETE malformed If-Match"
jq -e '.error.field == "If-Match"' "$work/body" >/dev/null || fail "DELETE malformed If-Match field: $(cat "$work/body")"
r=$(call GET /v1/alerts/ma-0001 "$ma_an")
body "$r" | jq -e --argjson v "$v" '.version == $v and (.withdrawn | not)' >/dev/null || fail "a refused withdrawal withdrew: $r"
[ "$(withdraw "\"$v\"")" = 200 ] || fail "DELETE If-Match current: $(cat "$work/body")"
jq -e --argjson v "$((v + 1))" '.withdrawn and .version == $v' "$work/body" >/dev/null || fail "conditional withdrawal: $(cat "$work/body")"
[ "$(withdraw "\"$v\"")" = 409 ] || fail "DELETE If-Match of the version before the withdrawal"
expect 200 "$(call DELETE /v1/alerts/ma-0001 "$ma_an")" "owner withdraws again (unconditional: nothing to do)"
r=$(call POST /v1/screen "$it_off" '{"person":{"name":"Youssef Benali","birth_date":"1979-04-02"}}')
body "$r" | jq -e '[.results[].alert_id] | index("ma-0001") == null' >/dev/null || fail "withdrawn alert matched: $r"

# --- audit ---
expect 403 "$(call GET /v1/audit "$it_off")" "officer reads audit"
r=$(call GET "/v1/audit?after=0&limit=1000" "$admin")
body "$r" | jq -e '[.entries[].action] | index("POST /v1/screen") != null' >/dev/null || fail "audit entries: ${r:0:300}"
body "$r" | jq -e '[.entries[] | select(.action == "POST /v1/screen" and .agency == "IT-PS")] | length >= 3' >/dev/null ||
    fail "screenings audited"

# --- restart: nothing acknowledged is lost ---
kill -TERM "$pid"; wait "$pid" || fail "server exit status on SIGTERM"
pid=""
grep -q "stopped" "$work/server.log" || fail "no clean stop"
start
r=$(call POST /v1/screen "$it_off" '{"person":{"name":"Abd al-Qadir Mansouri","birth_date":"1970-05-05"}}')
body "$r" | jq -e '.results[0].alert_id == "ma-0002"' >/dev/null || fail "alert lost on restart: $r"
r=$(call GET "/v1/hits?after=0" "$ma_an"); body "$r" | jq -e '.hits | length == 4 and .[0].status == "confirmed"' >/dev/null ||
    fail "hits after restart: $r"
# an owner agency's name in another encoding than UTF-8: the answer stays JSON, the bytes U+FFFD
"$LIMEN" admin agency --db "$db" --agency MA-DGSN --country ma --name $'DGSN \xe9\xff' \
    --contact $'duty desk \xc3\xa9t\xc3'
r=$(call POST /v1/screen "$it_off" '{"person":{"name":"Abd al-Qadir Mansouri","birth_date":"1970-05-05"}}')
expect 200 "$r" "screen with a latin-1 agency name"
body "$r" | jq -e '.results[0].owner.name == "DGSN \ufffd\ufffd" and .results[0].owner.contact == "duty desk \u00e9t\ufffd"' >/dev/null ||
    fail "agency name not UTF-8: $r"
hub_stop
"$LIMEN" audit verify --db "$db" | jq -e '.verified' >/dev/null || fail "audit chain does not verify"

# --- tampering with the audit log is detected ---
cp "$db" "$work/t.db"; cp "$db.audit-key" "$work/t.db.audit-key"
sqlite3 "$work/t.db" "UPDATE audit SET agency = 'XX-FAKE' WHERE seq = (SELECT min(seq) + 2 FROM audit);"
set +e
"$LIMEN" audit verify --db "$work/t.db" >"$work/v.json" 2>/dev/null; rc=$?
set -e
[ $rc -eq 3 ] && jq -e '.verified == false' "$work/v.json" >/dev/null || fail "edited audit entry not detected (rc $rc)"
echo "serve_api: ok"
