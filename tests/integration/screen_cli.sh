#!/usr/bin/env bash
# The `limen screen` contract, end to end: JSON Lines out in input order with
# the exact result shape, --limit, --threshold, the one-off table, --mrz,
# help texts, exit codes 0/1/2, FILE:LINE messages and --keep-going counts.
set -euo pipefail
: "${LIMEN:?path of the limen binary}"
: "${LIMEN_SOURCE_DIR:?source directory}"
: "${LIMEN_BUILD_DIR:?build directory}"
alerts="$LIMEN_SOURCE_DIR/tests/data/screen_alerts.jsonl"
work="$LIMEN_BUILD_DIR/screen_cli"
rm -rf "$work"
mkdir -p "$work"
fail() { echo "screen_cli: $*" >&2; exit 1; }

# help
"$LIMEN" --help | grep -q "screen" || fail "limen --help lists no screen"
"$LIMEN" screen --help | grep -q -- "--queries" || fail "screen --help"
"$LIMEN" screen --help | grep -q -- "--mrz" || fail "screen --help lacks --mrz"

# JSONL contract, input order kept
cat >"$work/q.jsonl" <<'Q'
{"id": "q-b", "schema": "Person", "properties": {"name": ["Abd al-Qadir Mansouri"]}}
{"id": "q-a", "schema": "Person", "properties": {"name": ["يوسف بن علي"], "birthDate": ["1979"]}}

{"id": "q-c", "schema": "Person", "properties": {"name": ["Nobody Atall"]}}
{"id": "q-d", "schema": "Person", "properties": {"passportNumber": ["AB1234567"]}}
Q
"$LIMEN" screen --alerts "$alerts" --queries "$work/q.jsonl" >"$work/out.jsonl" 2>"$work/err.txt"
[ "$(wc -l <"$work/out.jsonl")" -eq 4 ] || fail "want 4 output lines"
[ "$(cut -c1-14 "$work/out.jsonl" | tr '\n' ' ')" = '{"query":"q-b" {"query":"q-a" {"query":"q-c" {"query":"q-d" ' ] ||
    fail "output order or shape: $(cut -c1-20 "$work/out.jsonl")"
head -1 "$work/out.jsonl" | grep -q '^{"query":"q-b","results":\[{"id":"p03","score":0\.[0-9]*,"match":true,"explanation":{"name":{' ||
    fail "result shape: $(head -c 200 "$work/out.jsonl")"
sed -n 2p "$work/out.jsonl" | grep -q '"id":"p02"' || fail "Arabic script query"
sed -n 3p "$work/out.jsonl" | grep -q '"results":\[\]' || fail "unlisted traveller has results"
sed -n 4p "$work/out.jsonl" | grep -q '"id":"p01","score":0\.9[0-9]*,"match":true' || fail "document query"
grep -q "32 entities read, 0 lines skipped" "$work/err.txt" || fail "stats: $(cat "$work/err.txt")"

# --limit and --threshold
"$LIMEN" screen --alerts "$alerts" --queries "$work/q.jsonl" --limit 1 --threshold 1 >"$work/lim.jsonl" 2>/dev/null
if grep -q '"match":true' "$work/lim.jsonl"; then fail "--threshold 1 still matches"; fi
[ "$(sed -n 1p "$work/lim.jsonl" | grep -o '"id":"p' | wc -l)" -le 1 ] || fail "--limit 1"

# one-off forms
"$LIMEN" screen --alerts "$alerts" --name "Youcef Benali" --birth-date 1979 2>/dev/null | grep -q "MATCH *p02" || fail "--name table"
"$LIMEN" screen --alerts "$alerts" --passport "A8I234567" 2>/dev/null | grep -q "MATCH *p01" || fail "--passport OCR"

# --also: an alert scored in full, shown with its rank
"$LIMEN" screen --alerts "$alerts" --name "Youcef Benali" --birth-date 1979 --also p02 --also p03 --also nosuch >"$work/also.txt" 2>/dev/null
grep -q "^1 .*MATCH *p02" "$work/also.txt" || fail "--also: p02 first"
grep -Eq "^[0-9]+ +0\.[0-9]+ +- +p03 " "$work/also.txt" || fail "--also: p03 with its rank, whatever its score: $(cat "$work/also.txt")"
grep -q -- "--also nosuch: no such alert" "$work/also.txt" || fail "--also: unknown id"
also65=$(for i in $(seq 65); do printf -- '--also x%d ' "$i"; done)

# usage errors: exit 1
set +e
# shellcheck disable=SC2086
"$LIMEN" screen --alerts "$alerts" --name x $also65 >/dev/null 2>&1; rc0=$?
"$LIMEN" screen --queries "$work/q.jsonl" >/dev/null 2>&1; rc1=$?
"$LIMEN" screen --alerts "$alerts" --name x --queries "$work/q.jsonl" >/dev/null 2>&1; rc2=$?
"$LIMEN" screen --alerts "$alerts" --name x --limit 0 >/dev/null 2>&1; rc3=$?
"$LIMEN" screen --alerts "$alerts" --name x --threshold 2 >/dev/null 2>&1; rc4=$?
"$LIMEN" screen --bogus >/dev/null 2>&1; rc5=$?
"$LIMEN" nosuchcommand >/dev/null 2>&1; rc6=$?
set -e
for rc in $rc0 $rc1 $rc2 $rc3 $rc4 $rc5 $rc6; do [ "$rc" -eq 1 ] || fail "usage error exit $rc, want 1"; done

# input errors: exit 2 with FILE:LINE
printf '%s\n' \
    '{"id": "x1", "schema": "Person", "properties": {"name": ["Ali Tazi"]}}' \
    '{"id": "x2", "schema": "Person", "properties": {"name": ["Omar' \
    '{"id": "x3", "schema": "Dragon", "properties": {"name": ["Omar"]}}' \
    '{"id": "x4", "schema": "Person", "properties": {"name": [""]}}' \
    '{"schema": "Person", "properties": {"name": ["No Id"]}}' \
    '{"id": "x6", "schema": "Person", "properties": {"name": ["Karim Tazi"]}}' >"$work/bad.jsonl"
printf '{"id": "x7", "schema": "Person", "properties": {"name": ["Mo\xc3"]}}\n' >>"$work/bad.jsonl"
set +e
"$LIMEN" screen --alerts "$work/bad.jsonl" --name "Ali Tazi" >/dev/null 2>"$work/bad.err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "bad alerts: exit $rc, want 2"
grep -q "bad.jsonl:2:" "$work/bad.err" || fail "no FILE:LINE: $(cat "$work/bad.err")"
"$LIMEN" screen --alerts "$work/bad.jsonl" --name "Karim Tazi" --keep-going >"$work/kg.out" 2>"$work/kg.err"
grep -q " x6 " "$work/kg.out" || fail "--keep-going lost the rest of the file"
for line in 2 3 4 5 7; do
    grep -q "bad.jsonl:$line:" "$work/kg.err" || fail "--keep-going: no warning for line $line"
done
grep -q "7 lines\|5 lines skipped\|skipped" "$work/kg.err" || fail "no counts: $(cat "$work/kg.err")"
set +e
"$LIMEN" screen --alerts "$work/nonexistent.jsonl" --name x >/dev/null 2>&1; rc=$?
"$LIMEN" screen --alerts "$alerts" --queries "$work/bad.jsonl" >/dev/null 2>&1; rc2=$?
"$LIMEN" screen --alerts "$alerts" --mrz "not an mrz" >/dev/null 2>&1; rc3=$?
set -e
[ "$rc" -eq 2 ] || fail "missing file: exit $rc"
[ "$rc2" -eq 2 ] || fail "bad queries: exit $rc2"
[ "$rc3" -eq 2 ] || fail "bad MRZ: exit $rc3"

# --mrz: the holder and the document
"$LIMEN" screen --alerts "$alerts" --mrz 'P<MARZEROUALI<<MOHAMED<<<<<<<<<<<<<<<<<<<<<<
AB12345674MAR8503148M3001012<<<<<<<<<<<<<<06' >"$work/mrz.out" 2>/dev/null || true
grep -q "ZEROUALI" "$work/mrz.out" || fail "--mrz: $(cat "$work/mrz.out")"
grep -q "MATCH *p01" "$work/mrz.out" || fail "--mrz did not find p01: $(cat "$work/mrz.out")"
# A joined article before a vowel (ELAMRANI, as passports and MRZs write it)
# finds the alert that writes it apart, among many others with the given name,
# whatever their order in the file.
{
    for i in $(seq 1 80); do
        echo "{\"id\": \"y$i\", \"schema\": \"Person\", \"properties\": {\"name\": [\"Youssef Zz$i\"]}}"
    done
    echo '{"id": "target", "schema": "Person", "properties": {"name": ["Youssef El Amrani"], "birthDate": ["1986-04-12"]}}'
} >"$work/joined.jsonl"
"$LIMEN" screen --alerts "$work/joined.jsonl" --name "Youcef ELAMRANI" --birth-date 1986-04-12 \
    2>/dev/null | sed -n 2p | grep -q "MATCH *target" || fail "ELAMRANI did not find El Amrani"
"$LIMEN" screen --alerts "$work/joined.jsonl" --name "ELAMRANI" 2>/dev/null | sed -n 2p |
    grep -q "target" || fail "ELAMRANI alone did not find El Amrani"
echo "screen_cli: all checks passed"
