#!/usr/bin/env bash
# Differential test of `limen mrz` against the npm package mrz@5.0.2 (MIT):
# installs it from the committed package.json + package-lock.json into the
# build directory, then runs tests/integration/mrz_diff/diff.mjs, which
# generates 10,000 seeded MRZs and a one-character mutant of each, parses them
# with both and fails on any difference not listed in docs/mrz.md.
set -euo pipefail

: "${LIMEN:?path of the limen binary}"
: "${LIMEN_BUILD_DIR:?build directory}"
: "${LIMEN_SOURCE_DIR:?source directory}"
COUNT="${MRZ_DIFF_COUNT:-10000}"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "mrz_npm_diff: node and npm are required" >&2
    exit 1
fi

work="$LIMEN_BUILD_DIR/mrz_diff"
mkdir -p "$work"
src="$LIMEN_SOURCE_DIR/tests/integration/mrz_diff"
cp "$src/package.json" "$src/package-lock.json" "$src/diff.mjs" "$work/"
if [ ! -f "$work/node_modules/mrz/package.json" ] ||
    ! grep -q '"version": "5.0.2"' "$work/node_modules/mrz/package.json"; then
    (cd "$work" && npm install --no-audit --no-fund --loglevel=error)
fi

# The `limen mrz` command itself: help, a valid and an invalid MRZ, exit codes.
"$LIMEN" mrz --help | grep -q 'usage: limen mrz'
"$LIMEN" mrz --today 2025-06-01 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<' \
    'L898902C36UTO7408122F1204159ZE184226B<<<<<10' | grep -q '"valid":true'
set +e
out=$("$LIMEN" mrz --today 2025-06-01 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<' \
    'L898902C36UTO7408122F1204159ZE184226B<<<<<20')
rc=$?
"$LIMEN" mrz --today 2025-99-01 x >/dev/null 2>&1
rc_usage=$?
"$LIMEN" mrz --bogus >/dev/null 2>&1
rc_opt=$?
set -e
[ "$rc" -eq 2 ] || { echo "invalid MRZ: exit $rc, want 2" >&2; exit 1; }
[ "$rc_usage" -eq 1 ] || { echo "bad --today: exit $rc_usage, want 1" >&2; exit 1; }
[ "$rc_opt" -eq 1 ] || { echo "unknown option: exit $rc_opt, want 1" >&2; exit 1; }
echo "$out" | grep -q '"field":"optional_data_check","status":"check_digit","line":2,"column":43'
# Standard input: two MRZs separated by a blank line, CRLF, OCR correction.
printf 'I<UTOD231458907<<<<<<<<<<<<<<<\r\n7408122F1204159UTO<<<<<<<<<<<6\r\nERIKSSON<<ANNA<MARIA<<<<<<<<<<\r\n\r\nP<UT0ERIK55ON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO740BIZZF12041S9ZE184226B<<<<<1O\n' |
    "$LIMEN" mrz --ocr-correct --today 2025-06-01 >"$work/stdin.out"
[ "$(grep -c '"valid":true' "$work/stdin.out")" -eq 2 ]
grep -q '"corrections":\[{"field":"issuing_state","line":1,"column":5,"from":"0","to":"O"}' "$work/stdin.out"

cd "$work"
node diff.mjs "$LIMEN" "$COUNT"
