#!/usr/bin/env bash
# The hub's access matrix, every cell asserted: role (officer, analyst, admin)
# x agency (the owner, an agency named in the distribution, an agency not
# named) x handling code (H0-H3) x distribution (all members; IT-PS named;
# the sharing group MED-TEST, whose only member is FR-PN; IT-PS named and the
# group) x endpoint (screen: visible or not, and which fields; read, change and
# withdraw an alert; list hits; read the audit log).
set -euo pipefail
. "$(dirname "$0")/lib/hub.sh"
hub_setup serve_access

hub_three_agencies
"$LIMEN" admin group --db "$db" --group MED-TEST --name "Test group" --agencies FR-PN 2>/dev/null
hub_start --threads 64

# Sixteen alerts of MA-DGSN: handling H0..H3 x distribution.
names=("Amina Belkacem" "Giorgio Fontana" "Lucia Ferreira" "Omar Tahiri" "Pierre Lacombe"
    "Nadia Saadi" "Rafael Ortega" "Samir Haddouch" "Karima Bennani" "Matteo Russo"
    "Ines Carvalho" "Youssef Alaoui" "Claire Dubois" "Hamza Idrissi" "Elena Marino" "Tarik Ziani")
dists=(all named group both)
declare -A distjson=([all]='"all"' [named]='{"agencies":["IT-PS"]}' [group]='{"groups":["MED-TEST"]}'
    [both]='{"agencies":["IT-PS"],"groups":["MED-TEST"]}')
person() { # person K -> the properties of alert K
    printf '{"name":["%s"],"birthDate":["1975-05-%02d"]}' "${names[$1]}" $(($1 + 1))
}
ids=()
k=0
for h in 0 1 2 3; do
    for dist in "${dists[@]}"; do
        id="a-h$h-$dist"
        body="{\"id\":\"$id\",\"schema\":\"Person\",\"properties\":$(person $k),\"alert\":{\"category\":\"specific_check\",\"action\":\"search\",\"handling\":\"H$h\",\"flags\":[\"violent\"],\"distribution\":${distjson[$dist]}}}"
        [ "$(call POST /v1/alerts "${tok[MA-DGSN/analyst]}" "$body")" = 201 ] || fail "publish $id: $(cat "$work/body")"
        ids+=("$id")
        k=$((k + 1))
    done
done

cells=0
k=0
for h in 0 1 2 3; do
    for dist in "${dists[@]}"; do
        id=${ids[$k]}
        name=${names[$k]}
        dob=$(printf '1975-05-%02d' $((k + 1)))
        props=$(person $k)
        k=$((k + 1))
        for ag in MA-DGSN IT-PS FR-PN; do
            for role in officer analyst admin; do
                t=${tok[$ag/$role]}
                cell="$role of $ag on $id"
                # screen: visible?
                [ "$(call POST /v1/screen "$t" "{\"person\":{\"name\":\"$name\",\"birth_date\":\"$dob\"}}")" = 200 ] ||
                    fail "$cell: screen status"
                visible=0
                case "$ag/$dist" in
                MA-DGSN/* | */all | IT-PS/named | IT-PS/both | FR-PN/group | FR-PN/both) visible=1 ;;
                esac
                got=$(jq --arg id "$id" '[.results[] | select(.alert_id == $id)] | length' "$work/body")
                [ "$got" = "$visible" ] || fail "$cell: visible $got, want $visible"
                if [ "$visible" = 1 ]; then
                    r=$(jq -c --arg id "$id" '.results[] | select(.alert_id == $id) | {c: has("category"), f: has("flags"), e: has("explanation"), i: has("instruction"), o: .owner.code}' "$work/body")
                    if [ "$ag" = MA-DGSN ] || [ "$h" -le 1 ]; then want='{"c":true,"f":true,"e":true,"i":false,"o":"MA-DGSN"}'
                    elif [ "$h" = 2 ]; then want='{"c":true,"f":true,"e":false,"i":false,"o":"MA-DGSN"}'
                    else want='{"c":false,"f":false,"e":false,"i":true,"o":"MA-DGSN"}'
                    fi
                    [ "$r" = "$want" ] || fail "$cell: fields $r, want $want"
                fi
                # read the alert: the owner agency only
                want=403; [ "$ag" = MA-DGSN ] && want=200
                [ "$(call GET "/v1/alerts/$id" "$t")" = "$want" ] || fail "$cell: GET, want $want"
                # change it: the owner's analysts and admins only
                want=403; [ "$ag" = MA-DGSN ] && [ "$role" != officer ] && want=200
                body="{\"schema\":\"Person\",\"properties\":$props,\"alert\":{\"category\":\"specific_check\",\"action\":\"search\",\"handling\":\"H$h\",\"flags\":[\"violent\"],\"distribution\":${distjson[$dist]}}}"
                [ "$(call PUT "/v1/alerts/$id" "$t" "$body")" = "$want" ] || fail "$cell: PUT, want $want: $(cat "$work/body")"
                # withdraw it: never another agency, never an officer (the owner's analyst is tested below)
                if [ "$ag" != MA-DGSN ] || [ "$role" = officer ]; then
                    [ "$(call DELETE "/v1/alerts/$id" "$t")" = 403 ] || fail "$cell: DELETE allowed"
                fi
                cells=$((cells + 4))
            done
        done
    done
done

# hits: analysts and admins of the owner see them; of other agencies see none; officers none at all
for ag in MA-DGSN IT-PS FR-PN; do
    for role in officer analyst admin; do
        code=$(call GET "/v1/hits?after=0&limit=1000" "${tok[$ag/$role]}")
        if [ "$role" = officer ]; then
            [ "$code" = 403 ] || fail "$role of $ag lists hits"
        else
            [ "$code" = 200 ] || fail "$role of $ag: hits status $code"
            n=$(jq '.hits | length' "$work/body")
            if [ "$ag" = MA-DGSN ]; then [ "$n" -gt 0 ] || fail "the owner sees no hits"
            else [ "$n" = 0 ] || fail "$role of $ag sees the owner's hits"; fi
        fi
        code=$(call GET "/v1/audit?after=0&limit=10" "${tok[$ag/$role]}")
        want=403; [ "$role" = admin ] && want=200
        [ "$code" = "$want" ] || fail "$role of $ag: audit status $code, want $want"
        cells=$((cells + 2))
    done
done

# the owner's analyst withdraws; then nobody matches it
[ "$(call DELETE /v1/alerts/a-h0-all "${tok[MA-DGSN/analyst]}")" = 200 ] || fail "owner withdraw"
[ "$(call POST /v1/screen "${tok[IT-PS/officer]}" '{"person":{"name":"Amina Belkacem","birth_date":"1975-05-01"}}')" = 200 ]
jq -e '[.results[].alert_id] | index("a-h0-all") == null' "$work/body" >/dev/null || fail "withdrawn alert still visible"
# A caller gets the best alerts it may see, however many it may not see rank above
# them: 40 alerts named for IT-PS only outscore one for all members (the engine
# leaves out what the caller may not see before it counts its results).
for i in $(seq 1 40); do
    body="{\"id\":\"crowd-$i\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Driss Crowded\"],\"birthDate\":[\"1981-02-03\"]},\"alert\":{\"category\":\"specific_check\",\"action\":\"search\",\"handling\":\"H0\",\"distribution\":{\"agencies\":[\"IT-PS\"]}}}"
    [ "$(call POST /v1/alerts "${tok[MA-DGSN/analyst]}" "$body")" = 201 ] || fail "publish crowd-$i: $(cat "$work/body")"
done
body='{"id":"crowd-all","schema":"Person","properties":{"name":["Driss Crowdad"],"birthDate":["1981-02-03"]},"alert":{"category":"specific_check","action":"search","handling":"H0","distribution":"all"}}'
[ "$(call POST /v1/alerts "${tok[MA-DGSN/analyst]}" "$body")" = 201 ] || fail "publish crowd-all: $(cat "$work/body")"
q='{"person":{"name":"Driss Crowded","birth_date":"1981-02-03"}}'
[ "$(call POST /v1/screen "${tok[FR-PN/officer]}" "$q")" = 200 ] || fail "crowd: screen as FR-PN"
jq -e '[.results[].alert_id] == ["crowd-all"]' "$work/body" >/dev/null ||
    fail "FR-PN under a crowd it may not see: $(jq -c '[.results[].alert_id]' "$work/body")"
[ "$(call POST /v1/screen "${tok[IT-PS/officer]}" "$q")" = 200 ] || fail "crowd: screen as IT-PS"
jq -e '(.results | length) == 5 and ([.results[].alert_id | startswith("crowd-") and . != "crowd-all"] | all)' "$work/body" >/dev/null ||
    fail "IT-PS sees the crowd first: $(jq -c '[.results[].alert_id]' "$work/body")"
[ "$(call POST /match/default "${tok[FR-PN/officer]}" '{"queries":{"q1":{"schema":"Person","properties":{"name":["Driss Crowded"],"birthDate":["1981-02-03"]}}}}')" = 200 ] ||
    fail "crowd: /match as FR-PN"
jq -e '[.responses.q1.results[].id] == ["crowd-all"]' "$work/body" >/dev/null ||
    fail "/match for FR-PN under a crowd: $(jq -c '.responses.q1.results | map(.id)' "$work/body")"
echo "serve_access: ok ($cells cells)"
