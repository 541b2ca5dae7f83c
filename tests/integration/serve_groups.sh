#!/usr/bin/env bash
# Sharing groups while the hub runs: an admin creates a group over the API and
# its agency manages it; an alert distributed to the group is seen by its
# members only; a membership change through POST /v1/groups applies to the
# next screening, without a restart; one made with `limen admin group` on the
# running hub's store applies after SIGHUP; nobody else changes a group;
# unknown groups and members are 422 with their field; group changes are
# audited; groups survive a restart; `limen admin import` refuses an unknown
# group with its line; a group is deleted (DELETE /v1/groups/{code}, `limen
# admin group-delete`) only once no alert distributes to it, and no alert
# names it afterwards.
set -euo pipefail
. "$(dirname "$0")/lib/hub.sh"
hub_setup serve_groups

hub_three_agencies
"$LIMEN" admin group --db "$db" --group OPS --name "Operator's group" --agencies IT-PS 2>/dev/null
# import: an unknown group is refused with its line, a known one stored
{
    echo '{"id":"imp-1","schema":"Person","properties":{"name":["Driss Imported"]},"alert":{"owner":"MA-DGSN","category":"arrest","distribution":{"groups":["OPS"]}}}'
    echo '{"id":"imp-2","schema":"Person","properties":{"name":["Nour Imported"]},"alert":{"owner":"MA-DGSN","category":"arrest","distribution":{"groups":["NOPE"]}}}'
} >"$work/imp.jsonl"
set +e
"$LIMEN" admin import --db "$db" --alerts "$work/imp.jsonl" 2>"$work/imp.err"
rc=$?
set -e
[ $rc = 2 ] && grep -q "imp.jsonl:2: no sharing group NOPE" "$work/imp.err" || fail "import: rc $rc $(cat "$work/imp.err")"
hub_start --threads 16

sees() { # sees AGENCY ID NAME -> 1 when screening NAME as an officer of AGENCY shows alert ID
    [ "$(call POST /v1/screen "${tok[$1/officer]}" "{\"person\":{\"name\":\"$3\"}}")" = 200 ] || fail "screen: $(cat "$work/body")"
    jq --arg id "$2" '[.results[] | select(.alert_id == $id)] | length' "$work/body"
}
hup_until() { # hup_until JQ: SIGHUP, then GET /v1/groups until JQ holds (5 s at most)
    kill -HUP "$pid"
    for _ in $(seq 1 100); do
        call GET /v1/groups "${tok[IT-PS/officer]}" >/dev/null
        jq -e "$1" "$work/body" >/dev/null && return 0
        sleep 0.05
    done
    return 1
}
expect_sees() { # expect_sees ID NAME WHAT MA IT FR
    local got
    got="$(sees MA-DGSN "$1" "$2")$(sees IT-PS "$1" "$2")$(sees FR-PN "$1" "$2")"
    [ "$got" = "$4$5$6" ] || fail "$3: MA IT FR see $got, want $4$5$6"
}

# the operator's group, from the store at start
[ "$(call GET /v1/groups "${tok[FR-PN/officer]}")" = 200 ] || fail "list groups"
jq -e '.groups == [{"code":"OPS","name":"Operator'"'"'s group","owner":null,"members":["IT-PS"],"updated":.groups[0].updated}]' "$work/body" >/dev/null ||
    fail "groups at start: $(cat "$work/body")"
expect_sees imp-1 "Driss Imported" "imported alert for OPS" 1 1 0

# an admin creates a group; its agency manages it
[ "$(call POST /v1/groups "${tok[MA-DGSN/analyst]}" '{"code":"MA-SHARE","name":"Shared by MA","members":["IT-PS"]}')" = 403 ] ||
    fail "an analyst creates a group"
[ "$(call POST /v1/groups "${tok[MA-DGSN/admin]}" '{"code":"MA-SHARE","name":"Shared by MA","members":["IT-PS"]}')" = 200 ] ||
    fail "create: $(cat "$work/body")"
jq -e '.owner == "MA-DGSN" and .members == ["IT-PS"]' "$work/body" >/dev/null || fail "created: $(cat "$work/body")"
alert='{"id":"g-1","schema":"Person","properties":{"name":["Salma Grouped"]},"alert":{"category":"inquiry_check","distribution":{"groups":["MA-SHARE"]}}}'
[ "$(call POST /v1/alerts "${tok[MA-DGSN/analyst]}" "$alert")" = 201 ] || fail "publish to a group: $(cat "$work/body")"
expect_sees g-1 "Salma Grouped" "MA-SHARE with IT-PS" 1 1 0

# membership changed over the API: the next screening follows, no restart
[ "$(call POST /v1/groups "${tok[MA-DGSN/admin]}" '{"code":"MA-SHARE","name":"Shared by MA","members":["FR-PN"]}')" = 200 ] ||
    fail "change: $(cat "$work/body")"
expect_sees g-1 "Salma Grouped" "MA-SHARE changed to FR-PN" 1 0 1

# nobody else changes it, nor the operator's group; bad requests
[ "$(call POST /v1/groups "${tok[IT-PS/admin]}" '{"code":"MA-SHARE","name":"x","members":["IT-PS"]}')" = 403 ] ||
    fail "another agency changes a group"
[ "$(call POST /v1/groups "${tok[IT-PS/admin]}" '{"code":"OPS","name":"x","members":["IT-PS","FR-PN"]}')" = 403 ] ||
    fail "an agency changes the operator's group"
[ "$(call POST /v1/groups "${tok[MA-DGSN/admin]}" '{"code":"MA-SHARE","name":"x","members":["XX-NONE"]}')" = 422 ] ||
    fail "unknown member"
jq -e '.error.field == "members"' "$work/body" >/dev/null || fail "unknown member field: $(cat "$work/body")"
[ "$(call POST /v1/groups "${tok[MA-DGSN/admin]}" '{"code":"bad code","name":"x","members":[]}')" = 422 ] ||
    fail "bad code"
[ "$(call DELETE /v1/groups "${tok[MA-DGSN/admin]}")" = 405 ] || fail "DELETE /v1/groups"
expect_sees g-1 "Salma Grouped" "after refused changes" 1 0 1
bad='{"id":"g-2","schema":"Person","properties":{"name":["Bad Group"]},"alert":{"category":"inquiry_check","distribution":{"groups":["NO-SUCH"]}}}'
[ "$(call POST /v1/alerts "${tok[MA-DGSN/analyst]}" "$bad")" = 422 ] || fail "unknown group in an alert"
jq -e '.error.field == "alert.distribution.groups"' "$work/body" >/dev/null || fail "unknown group field: $(cat "$work/body")"
[ "$(call POST /v1/alerts "${tok[MA-DGSN/analyst]}" '{"id":"g-3","schema":"Person","properties":{"name":["X Y"]},"alert":{"category":"inquiry_check","distribution":{"groups":"MA-SHARE"}}}')" = 422 ] ||
    fail "groups not a list"

# limen admin group on the running hub's store: applies on SIGHUP
"$LIMEN" admin group --db "$db" --group OPS --name "Operator's group" --agencies FR-PN 2>/dev/null
expect_sees imp-1 "Driss Imported" "before SIGHUP" 1 1 0
hup_until '.groups[] | select(.code == "OPS") | .members == ["FR-PN"]' || fail "SIGHUP: OPS not re-read"
expect_sees imp-1 "Driss Imported" "after SIGHUP" 1 0 1
grep -q "SIGHUP: 2 sharing groups re-read" "$work/server.log" || fail "no reload in the log"

# audited, with who changed what
[ "$(call GET "/v1/audit?after=0&limit=1000" "${tok[MA-DGSN/admin]}")" = 200 ] || fail "audit"
jq -e '[.entries[] | select(.action == "POST /v1/groups" and .agency == "MA-DGSN" and .status == 200)] | length == 2' "$work/body" >/dev/null ||
    fail "group changes not audited"
jq -e '[.entries[] | select(.action == "POST /v1/groups" and .agency == "IT-PS" and .status == 403)] | length == 2' "$work/body" >/dev/null ||
    fail "refused group changes not audited"

# a restart keeps the groups and what they decide
hub_stop
hub_start --threads 16
expect_sees g-1 "Salma Grouped" "after a restart" 1 0 1
expect_sees imp-1 "Driss Imported" "after a restart" 1 0 1

# deleting a group: an admin of the agency that manages it, once no alert distributes to it
[ "$(call DELETE /v1/groups/MA-SHARE "${tok[MA-DGSN/analyst]}")" = 403 ] || fail "an analyst deletes a group"
[ "$(call DELETE /v1/groups/MA-SHARE "${tok[IT-PS/admin]}")" = 403 ] || fail "another agency deletes a group"
[ "$(call DELETE /v1/groups/OPS "${tok[MA-DGSN/admin]}")" = 403 ] || fail "an agency deletes the operator's group"
[ "$(call DELETE /v1/groups/NO-SUCH "${tok[MA-DGSN/admin]}")" = 404 ] || fail "delete an unknown group"
[ "$(call DELETE /v1/groups/MA-SHARE "${tok[MA-DGSN/admin]}")" = 409 ] || fail "delete a group an alert distributes to"
jq -e '.error.code == "conflict" and (.error.message | test("1 alert is still distributed to group MA-SHARE \\(g-1\\)"))' "$work/body" >/dev/null ||
    fail "409 body: $(cat "$work/body")"
expect_sees g-1 "Salma Grouped" "after a refused delete" 1 0 1
[ "$(call PUT /v1/groups/MA-SHARE "${tok[MA-DGSN/admin]}" '{}')" = 405 ] || fail "PUT /v1/groups/{code}"
[ "$(call DELETE /v1/alerts/g-1 "${tok[MA-DGSN/analyst]}")" = 200 ] || fail "withdraw g-1: $(cat "$work/body")"
[ "$(call DELETE /v1/groups/MA-SHARE "${tok[MA-DGSN/admin]}")" = 200 ] || fail "delete: $(cat "$work/body")"
jq -e '. == {"code":"MA-SHARE","deleted":true}' "$work/body" >/dev/null || fail "deleted: $(cat "$work/body")"
[ "$(call GET /v1/groups "${tok[FR-PN/officer]}")" = 200 ] || fail "list groups after the delete"
jq -e '[.groups[].code] == ["OPS"]' "$work/body" >/dev/null || fail "groups after the delete: $(cat "$work/body")"
[ "$(call DELETE /v1/groups/MA-SHARE "${tok[MA-DGSN/admin]}")" = 404 ] || fail "delete a deleted group"
[ "$(call POST /v1/alerts "${tok[MA-DGSN/analyst]}" "${alert/g-1/g-4}")" = 422 ] || fail "an alert names a deleted group"
jq -e '.error.field == "alert.distribution.groups"' "$work/body" >/dev/null || fail "deleted group field: $(cat "$work/body")"
# republishing the withdrawn g-1 for the deleted group is refused too
[ "$(call PUT /v1/alerts/g-1 "${tok[MA-DGSN/analyst]}" "$alert")" = 422 ] || fail "g-1 put back for a deleted group"
[ "$(call GET "/v1/audit?after=0&limit=1000" "${tok[MA-DGSN/admin]}")" = 200 ] || fail "audit"
jq -e '[.entries[] | select(.action == "DELETE /v1/groups/MA-SHARE") | "\(.agency) \(.status)"] == ["IT-PS 403","MA-DGSN 409","MA-DGSN 200","MA-DGSN 404"]' "$work/body" >/dev/null ||
    fail "group deletions not audited: $(jq -c '[.entries[] | select(.action | startswith("DELETE /v1/groups"))]' "$work/body")"
# limen admin group-delete: the same rule for the operator's groups (imp-1 distributes to OPS)
set +e
"$LIMEN" admin group-delete --db "$db" --group OPS 2>"$work/gd.err"
rc=$?
set -e
[ $rc = 2 ] && grep -q "still distributed to group OPS (imp-1)" "$work/gd.err" || fail "group-delete in use: rc $rc $(cat "$work/gd.err")"
[ "$(call DELETE /v1/alerts/imp-1 "${tok[MA-DGSN/analyst]}")" = 200 ] || fail "withdraw imp-1: $(cat "$work/body")"
"$LIMEN" admin group-delete --db "$db" --group OPS 2>/dev/null || fail "group-delete"
hup_until '.groups == []' || fail "groups after group-delete and SIGHUP: $(cat "$work/body")"
hub_stop
"$LIMEN" audit verify --db "$db" | jq -e '.verified' >/dev/null || fail "audit chain"
echo "serve_groups: ok"
