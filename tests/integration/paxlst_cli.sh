#!/usr/bin/env bash
# The `limen paxlst` contract, end to end: one JSON document per file with
# the travellers and the read/declared counts of every GTAS sample, the
# warnings on stderr, --entity, standard input, help, and exit codes 0/1/2
# with "FILE: segment N, byte B: message" for inputs that cannot be parsed.
set -euo pipefail
: "${LIMEN:?path of the limen binary}"
: "${LIMEN_BUILD_DIR:?build directory}"
: "${LIMEN_SHARED_DATA:?shared data directory}"
gtas="$LIMEN_SHARED_DATA/paxlst/gtas"
work="$LIMEN_BUILD_DIR/paxlst_cli"
rm -rf "$work"
mkdir -p "$work"
fail() { echo "paxlst_cli: $*" >&2; exit 1; }

# help and usage
"$LIMEN" --help | grep -q "paxlst" || fail "limen --help lists no paxlst"
"$LIMEN" paxlst --help | grep -q -- "--entity" || fail "paxlst --help"
set +e
"$LIMEN" paxlst >/dev/null 2>"$work/err.txt"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "no FILE: want exit 1, got $rc"
set +e
"$LIMEN" paxlst --bogus x >/dev/null 2>&1; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "unknown option: want exit 1, got $rc"

# every sample: read and declared counts (file, role, read, declared)
check() {
    local file=$1 role=$2 read=$3 declared=$4
    "$LIMEN" paxlst --quiet "$gtas/$file" >"$work/out.json" || fail "$file: exit $?"
    [ "$(wc -l <"$work/out.json")" -eq 1 ] || fail "$file: want one line"
    grep -q "\"$role\":{\"read\":$read,\"declared\":$declared}" "$work/out.json" ||
        fail "$file: $role counts: $(grep -o '"counts":{[^}]*}[^}]*}' "$work/out.json")"
}
check gtas-job-scheduler-war_tamr__flight1.txt passengers 10 10
check gtas-job-scheduler-war_tamr__flight2.txt passengers 10 10
check gtas-job-scheduler-war_tamr__flight3.txt passengers 10 10
check gtas-loader__Test1.txt crew 8 8
check gtas-loader__Test3.txt passengers 260 null
check gtas-loader__Test3.txt crew 0 206
check gtas-loader__airline2.edi passengers 10 136
check gtas-loader__multiple_flight_leg_apis.txt passengers 2 2
check gtas-parsers__apisMessage.txt passengers 2 2

# all files at once: one document each, warnings on stderr with file, segment and byte
"$LIMEN" paxlst "$gtas"/*.txt "$gtas"/*.edi >"$work/all.json" 2>"$work/warn.txt"
[ "$(wc -l <"$work/all.json")" -eq 8 ] || fail "want 8 documents"
grep -q "gtas-loader__airline2.edi: segment 2, byte 73: warning: space after segment tag UNG" \
    "$work/warn.txt" || fail "space-after-tag warning: $(head -3 "$work/warn.txt")"
grep -q "gtas-loader__Test3.txt: segment 852, byte 12949: warning: surname: 1 byte not UTF-8" \
    "$work/warn.txt" || fail "UTF-8 warning"
grep -q "CNT+42 declares 136 passengers, 10 read" "$work/warn.txt" || fail "count warning"

# content of one traveller
grep -q '"surname":"O GRADY","given_names":"EMMA MAISIE"' "$work/all.json" || fail "O GRADY"
grep -q '"birth_date":"2000-05-20"' "$work/all.json" || fail "century of 000520"
grep -q '"flight":"LA532","carrier":"LA","departure_airport":"SCL"' "$work/all.json" || fail "leg"

# standard input, and --entity
"$LIMEN" paxlst --quiet - <"$gtas/gtas-parsers__apisMessage.txt" | grep -q '"surname":"CLARK"' ||
    fail "stdin"
"$LIMEN" paxlst --entity --quiet "$gtas/gtas-loader__Test1.txt" >"$work/ent.jsonl"
[ "$(wc -l <"$work/ent.jsonl")" -eq 8 ] || fail "want 8 entities"
head -1 "$work/ent.jsonl" | grep -q '"schema":"Person"' || fail "entity schema"
head -1 "$work/ent.jsonl" | grep -q '"passportNumber":\["123456789"\]' || fail "entity passport"

# input errors: exit 2, "FILE: segment N, byte B: message"; other files still done
printf "UNB+UNOA:4+S+R+200130:0300+9'UNH+1+PAXLST:D:05B:UN:IATA'NAD+FL+++DO" >"$work/trunc.edi"
printf "UNB+UNOA:4+S+R+200130:0300+9'UNZ+0+9'" >"$work/nounh.edi"
head -c 300 /dev/urandom | tr -d "'" >"$work/garbage.bin"
set +e
"$LIMEN" paxlst "$work/trunc.edi" "$gtas/gtas-parsers__apisMessage.txt" "$work/nounh.edi" \
    "$work/garbage.bin" "$work/missing.edi" >"$work/bad.json" 2>"$work/bad.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "bad inputs: want exit 2, got $rc"
[ "$(wc -l <"$work/bad.json")" -eq 1 ] || fail "the good file is still printed"
grep -q "trunc.edi: segment 3, byte 56: input ends inside NAD segment" "$work/bad.txt" ||
    fail "truncated: $(cat "$work/bad.txt")"
grep -q "nounh.edi: segment 2, byte 37: no UNH message" "$work/bad.txt" || fail "no UNH"
grep -q "garbage.bin: segment [0-9]*, byte [0-9]*: " "$work/bad.txt" || fail "garbage"
grep -q "missing.edi" "$work/bad.txt" || fail "missing file"
echo "paxlst_cli: ok"
