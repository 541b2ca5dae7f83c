#!/usr/bin/env bash
# `limen index build` / `info` and `limen screen --index`, `--threads`: a saved
# index gives byte-identical output to the alerts it was built from, on any
# number of threads, and is the same file built on any number of threads; duplicate ids are reported (last one wins); a damaged
# or foreign index file is refused with a clear message and exit code 2.
set -euo pipefail
: "${LIMEN:?path of the limen binary}"
: "${LIMEN_BUILD_DIR:?build directory}"
: "${LIMEN_SOURCE_DIR:?source directory}"
alerts="$LIMEN_SOURCE_DIR/tests/data/screen_alerts.jsonl"
work="$LIMEN_BUILD_DIR/index_cli"
rm -rf "$work"
mkdir -p "$work"
fail() { echo "index_cli: $*" >&2; exit 1; }

"$LIMEN" index --help | grep -q "index build --alerts" || fail "help"
"$LIMEN" index build --alerts "$alerts" --out "$work/a.limen" 2>"$work/build.txt" || fail "build"
grep -q "saved to .*a.limen" "$work/build.txt" || fail "build message: $(cat "$work/build.txt")"
"$LIMEN" index info "$work/a.limen" 2>/dev/null | grep -q '"alerts":32,' || fail "info"
# the temporary file is renamed, never left behind
leftover=$(find "$work" -name 'a.limen.tmp*' | wc -l)
[ "$leftover" -eq 0 ] || fail "temporary index file left behind"

# queries: every alert's own entity, as a query
sed 's/"alert": {[^}]*}//' "$alerts" >"$work/q.jsonl"
"$LIMEN" screen --alerts "$alerts" --queries "$work/q.jsonl" >"$work/from_alerts.jsonl" 2>/dev/null
"$LIMEN" screen --index "$work/a.limen" --queries "$work/q.jsonl" >"$work/from_index.jsonl" 2>/dev/null
"$LIMEN" screen --index "$work/a.limen" --queries "$work/q.jsonl" --threads 2 >"$work/threads.jsonl" 2>/dev/null
[ -s "$work/from_alerts.jsonl" ] || fail "no output"
cmp -s "$work/from_alerts.jsonl" "$work/from_index.jsonl" || fail "--index output differs from --alerts"
cmp -s "$work/from_index.jsonl" "$work/threads.jsonl" || fail "--threads 2 output differs"
"$LIMEN" screen --index "$work/a.limen" --name "Abdelkader Mansouri" | grep -q "MATCH" || fail "--index --name"

# --threads: the same file, byte for byte, on 1 and 3 threads (more than chunks
# of work here: some threads find nothing to do)
"$LIMEN" index build --alerts "$alerts" --out "$work/t1.limen" --threads 1 2>/dev/null || fail "--threads 1"
"$LIMEN" index build --alerts "$alerts" --out "$work/t3.limen" --threads 3 2>/dev/null || fail "--threads 3"
cmp -s "$work/t1.limen" "$work/t3.limen" || fail "--threads 1 and 3 give different files"
cmp -s "$work/a.limen" "$work/t1.limen" || fail "--threads 1 and the default give different files"
set +e
"$LIMEN" index build --alerts "$alerts" --out "$work/t0.limen" --threads 0 2>/dev/null; rc=$?
set -e
[ $rc -eq 1 ] || fail "index build --threads 0: rc $rc"

# duplicate ids: the last one wins, and it is said
cat "$alerts" "$alerts" | head -40 >"$work/dup.jsonl"
"$LIMEN" index build --alerts "$work/dup.jsonl" --out "$work/dup.limen" 2>"$work/dup.txt"
grep -q "(8 duplicate ids: the last one wins)" "$work/dup.txt" || fail "duplicates: $(cat "$work/dup.txt")"

# bad files
set +e
head -c 1000 "$work/a.limen" >"$work/trunc.limen"
"$LIMEN" screen --index "$work/trunc.limen" --name X >/dev/null 2>"$work/e1.txt"; rc=$?
[ $rc -eq 2 ] && grep -q "corrupt index file: .*truncated" "$work/e1.txt" || fail "truncated: rc $rc $(cat "$work/e1.txt")"
"$LIMEN" screen --index "$alerts" --name X >/dev/null 2>"$work/e2.txt"; rc=$?
[ $rc -eq 2 ] && grep -q "not a limen index file" "$work/e2.txt" || fail "foreign: rc $rc $(cat "$work/e2.txt")"
cp "$work/a.limen" "$work/flip.limen"
size=$(stat -c %s "$work/flip.limen")
printf '\x55' | dd of="$work/flip.limen" bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
"$LIMEN" index info "$work/flip.limen" >/dev/null 2>"$work/e3.txt"; rc=$?
[ $rc -eq 2 ] && grep -q "checksum mismatch" "$work/e3.txt" || fail "damaged: rc $rc $(cat "$work/e3.txt")"
"$LIMEN" screen --index "$work/a.limen" --alerts "$alerts" --name X >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] || fail "--index with --alerts: rc $rc"
"$LIMEN" screen --index "$work/a.limen" --queries "$work/q.jsonl" --threads 0 >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] || fail "--threads 0: rc $rc"
# a memory limit: reached while filing (the line named, no file written),
# reached by the tables finish() builds, not reached; not a size
"$LIMEN" index build --alerts "$alerts" --out "$work/m1.limen" --max-memory 12K 2>"$work/m1.txt"; rc=$?
[ $rc -eq 2 ] && grep -q "screen_alerts.jsonl:[0-9]*: the index would pass its memory limit of 12288 bytes" "$work/m1.txt" \
    && [ ! -e "$work/m1.limen" ] || fail "memory limit while filing: rc $rc $(cat "$work/m1.txt")"
"$LIMEN" index build --alerts "$alerts" --out "$work/m2.limen" --max-memory 40K 2>"$work/m2.txt"; rc=$?
[ $rc -eq 2 ] && grep -q "lookup tables would pass its memory limit" "$work/m2.txt" \
    && [ ! -e "$work/m2.limen" ] || fail "memory limit at finish: rc $rc $(cat "$work/m2.txt")"
"$LIMEN" index build --alerts "$alerts" --out "$work/m3.limen" --max-memory 1G 2>/dev/null || fail "1G limit"
cmp -s "$work/m3.limen" "$work/a.limen" || fail "a limit that is not reached changes the file"
for bad in 0 12Q -5 ""; do
    "$LIMEN" index build --alerts "$alerts" --out "$work/m4.limen" --max-memory "$bad" 2>/dev/null; rc=$?
    [ $rc -eq 1 ] || fail "--max-memory '$bad': rc $rc"
done
set -e
echo "index_cli: ok"
