#!/usr/bin/env bash
# `limen convert ofac` on the real OFAC SDN triple of ../shared/data: every
# row becomes one entity (6,646 persons), the output loads and screens, and
# bad input or usage gets its message and exit code.
set -euo pipefail
: "${LIMEN:?path of the limen binary}"
: "${LIMEN_BUILD_DIR:?build directory}"
: "${LIMEN_SHARED_DATA:?shared data directory}"
d="$LIMEN_SHARED_DATA/watchlists/ofac"
work="$LIMEN_BUILD_DIR/convert_ofac"
rm -rf "$work"
mkdir -p "$work"
fail() { echo "convert_ofac: $*" >&2; exit 1; }

"$LIMEN" convert ofac --help | grep -q "SDN.csv ALT.csv" || fail "help"
"$LIMEN" convert ofac "$d/sdn_2023-12-28.csv" "$d/alt_2024-01.csv" "$d/add_2024-01.csv" \
    --out "$work/sdn.jsonl" 2>"$work/stats.txt"
cat "$work/stats.txt"
[ "$(wc -l <"$work/sdn.jsonl")" -eq 13821 ] || fail "want 13,821 entities"
[ "$(grep -c '"schema":"Person"' "$work/sdn.jsonl")" -eq 6646 ] || fail "want 6,646 persons"
grep -q "6646 persons, 6033 organizations, 764 vessels, 378 aircraft" "$work/stats.txt" || fail "stats"
grep -q "0 without an SDN row" "$work/stats.txt" || fail "orphans"
grep -q "(0 DOB clauses not understood)" "$work/stats.txt" || fail "DOB clauses not understood"
# a known individual with his aliases, DOB, POB and passports
grep '"id":"ofac-2676"' "$work/sdn.jsonl" >"$work/zawahiri.json"
for want in '"birthDate":\["1951-06-19"\]' '"passportNumber":\["1084010","19820215"\]' \
    '"AL-ZAWAHIRI, Ayman"' '"birthPlace":\["Giza, Egypt"\]'; do
    grep -q "$want" "$work/zawahiri.json" || fail "ofac-2676 lacks $want"
done
# stdout is the default output; the same bytes
"$LIMEN" convert ofac "$d/sdn_2023-12-28.csv" "$d/alt_2024-01.csv" "$d/add_2024-01.csv" \
    2>/dev/null | cmp -s - "$work/sdn.jsonl" || fail "stdout differs from --out"

# the output is valid input for screening
cat >"$work/q.jsonl" <<'Q'
{"id": "q1", "schema": "Person", "properties": {"name": ["Ayman al-Zawahri"], "birthDate": ["1951"]}}
{"id": "q2", "schema": "Person", "properties": {"name": ["Marie Dupont-Lefebvre"], "birthDate": ["1990-04-02"]}}
Q
"$LIMEN" screen --alerts "$work/sdn.jsonl" --queries "$work/q.jsonl" --limit 3 >"$work/out.jsonl" \
    2>"$work/screen.txt"
grep -q "13821 entities read, 0 lines skipped" "$work/screen.txt" || fail "screen: $(cat "$work/screen.txt")"
head -1 "$work/out.jsonl" | grep -q '^{"query":"q1","results":\[{"id":"ofac-2676","score":0\.[0-9]*,"match":true' ||
    fail "q1: $(head -c 300 "$work/out.jsonl")"
sed -n 2p "$work/out.jsonl" | grep -q '"match":true' && fail "q2 should not match"

# bad input and usage
set +e
"$LIMEN" convert ofac "$d/sdn_2023-12-28.csv" 2>"$work/e1.txt"; rc=$?
[ $rc -eq 1 ] && grep -q "needs SDN.csv and ALT.csv" "$work/e1.txt" || fail "one file: rc $rc"
"$LIMEN" convert ofac "$work/missing.csv" "$d/alt_2024-01.csv" 2>"$work/e2.txt"; rc=$?
[ $rc -eq 2 ] && grep -q "cannot open .*missing.csv" "$work/e2.txt" || fail "missing file: rc $rc"
printf '1,"A",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n2,"B\n' >"$work/bad.csv"
"$LIMEN" convert ofac "$work/bad.csv" "$d/alt_2024-01.csv" >/dev/null 2>"$work/e3.txt"; rc=$?
[ $rc -eq 2 ] && grep -q "bad.csv line 2, byte 3: quoted field never closed" "$work/e3.txt" ||
    fail "bad csv: rc $rc $(cat "$work/e3.txt")"
"$LIMEN" convert xml a b 2>"$work/e4.txt"; rc=$?
[ $rc -eq 1 ] && grep -q "unknown format 'xml'" "$work/e4.txt" || fail "unknown format: rc $rc"
set -e
echo "convert_ofac: ok"
