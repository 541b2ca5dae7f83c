#!/usr/bin/env bash
# The scale benchmark's 100k smoke run (make bench runs 1M and 10M): every
# figure is printed, the saved index round-trips, and the figures are sane.
set -euo pipefail
: "${LIMEN_BUILD_DIR:?build directory}"
work="$LIMEN_BUILD_DIR/bench_smoke"
rm -rf "$work"
mkdir -p "$work"
fail() { echo "bench_smoke: $*" >&2; exit 1; }
"$LIMEN_BUILD_DIR/bench_scale" --alerts 100000 --queries 400 --negatives 400 --threads 2 \
    --save "$work/idx.limen" >"$work/out.txt"
cat "$work/out.txt"
for want in "build (generate + add + finish)" "bytes/alert" "loaded (mapped and verified)" \
    "latency (1 thread" "throughput:" "recall@5" "unlisted travellers" "PAXLST manifest of 853"; do
    grep -qF "$want" "$work/out.txt" || fail "no '$want' in the output"
done
r5=$(sed -n 's/.*perturbed queries:.*recall@5 \([0-9.]*\).*/\1/p' "$work/out.txt")
awk -v r="$r5" 'BEGIN { exit !(r > 0.85) }' || fail "recall@5 $r5 is not above 0.85"
# the same queries with each listed person among the candidates: at least as many found
c5=$(sed -n "s/.*(scoring's ceiling): \([0-9.]*\).*/\1/p" "$work/out.txt")
awk -v r="$r5" -v c="$c5" 'BEGIN { exit !(c != "" && c >= r) }' || fail "ceiling '$c5' below recall@5 $r5"
echo "bench_smoke: ok"
