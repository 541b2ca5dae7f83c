#!/usr/bin/env bash
# `limen screen --paxlst`: every traveller of a GTAS manifest gets one verdict
# line in manifest order, persons match by name and date of birth (OCR- and
# spelling-tolerant), a stolen passport by its number alone, and the summary
# gives the counts read next to the counts declared.
set -euo pipefail
: "${LIMEN:?path of the limen binary}"
: "${LIMEN_BUILD_DIR:?build directory}"
: "${LIMEN_SHARED_DATA:?shared data directory}"
gtas="$LIMEN_SHARED_DATA/paxlst/gtas"
work="$LIMEN_BUILD_DIR/screen_paxlst"
rm -rf "$work"
mkdir -p "$work"
fail() { echo "screen_paxlst: $*" >&2; exit 1; }

cat >"$work/alerts.jsonl" <<'A'
{"id": "it-0001", "schema": "Person", "properties": {"name": ["Lisa Alvina Caponi"], "birthDate": ["1972-08-05"], "nationality": ["us"]}, "alert": {"owner": "IT-PS", "category": "arrest"}}
{"id": "sltd-0042", "schema": "Passport", "properties": {"number": ["118810667"], "country": ["us"]}, "alert": {"owner": "FR-PN", "category": "stolen_document"}}
{"id": "ma-0007", "schema": "Person", "properties": {"name": ["Youssef Benali"], "birthDate": ["1979-04-02"]}}
A
"$LIMEN" screen --alerts "$work/alerts.jsonl" --paxlst "$gtas/gtas-job-scheduler-war_tamr__flight1.txt" \
    --no-explain >"$work/out.jsonl" 2>"$work/err.txt"
[ "$(wc -l <"$work/out.jsonl")" -eq 11 ] || fail "want 10 verdicts and a summary"
for i in 1 2 3 4 5 6 7 8 9 10; do
    sed -n "${i}p" "$work/out.jsonl" | grep -q "^{\"query\":\"paxlst-$i\",\"traveller\":{\"number\":$i," ||
        fail "line $i is not traveller $i"
done
sed -n 2p "$work/out.jsonl" | grep -q '"surname":"CAPONE".*"verdict":"match","results":\[{"id":"it-0001"' ||
    fail "CAPONE ~ Caponi with the same DOB: $(sed -n 2p "$work/out.jsonl")"
sed -n 9p "$work/out.jsonl" | grep -q '"surname":"HARPOLE".*"verdict":"match","results":\[{"id":"sltd-0042"' ||
    fail "stolen passport: $(sed -n 9p "$work/out.jsonl")"
[ "$(grep -c '"verdict":"no_match"' "$work/out.jsonl")" -eq 8 ] || fail "want 8 without a match"
tail -1 "$work/out.jsonl" | grep -q '"travellers":10,"passengers_read":10,"passengers_declared":10,.*"screened":10,"not_screened":0,"matches":2' ||
    fail "summary: $(tail -1 "$work/out.jsonl")"
grep -q "10 travellers (passengers 10 read, 10 declared" "$work/err.txt" || fail "stderr summary"

# with explanations the stolen document says it is decisive
"$LIMEN" screen --alerts "$work/alerts.jsonl" --paxlst "$gtas/gtas-job-scheduler-war_tamr__flight1.txt" \
    2>/dev/null | sed -n 9p | grep -q '"feature":"document"' || fail "document evidence"

# every GTAS sample screens, counts read next to declared
for f in "$gtas"/*.txt "$gtas"/*.edi; do
    "$LIMEN" screen --alerts "$work/alerts.jsonl" --paxlst "$f" --no-explain >"$work/one.jsonl" 2>/dev/null ||
        fail "$(basename "$f") did not screen"
    n=$(($(wc -l <"$work/one.jsonl") - 1))
    tail -1 "$work/one.jsonl" | grep -q "\"travellers\":$n," || fail "$(basename "$f"): $n lines"
done

# bad input: a file that is not PAXLST, a missing file, two modes at once
printf 'UNB+UNOA:4+X+Y+200101:0000+1'"'"'UNZ+0+1'"'" >"$work/nomsg.edi"
set +e
"$LIMEN" screen --alerts "$work/alerts.jsonl" --paxlst "$work/nomsg.edi" >/dev/null 2>"$work/e1.txt"; rc=$?
[ $rc -eq 2 ] && grep -q "nomsg.edi: segment [0-9]*, byte [0-9]*:" "$work/e1.txt" || fail "no message: rc $rc $(cat "$work/e1.txt")"
"$LIMEN" screen --alerts "$work/alerts.jsonl" --paxlst "$work/missing.edi" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "missing file: rc $rc"
"$LIMEN" screen --alerts "$work/alerts.jsonl" --paxlst "$work/nomsg.edi" --name X >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] || fail "two modes: rc $rc"
set -e
echo "screen_paxlst: ok"
