#!/usr/bin/env bash
# `limen index build` with two binaries side by side: A and B (say main's and
# a branch's) run in turn, RUNS times each, on the same alerts and threads,
# so that both see the same load on a shared machine. Each run is timed with
# /usr/bin/time -v; the saved indexes are compared byte for byte with the
# first one A wrote. Prints every run, then the medians of wall, user+sys CPU
# and peak memory for A and B, and B/A.
# Usage: bench/build_ab.sh A_LIMEN B_LIMEN ALERTS.jsonl [THREADS (2)] [RUNS (3)]
#   BUILD_AB_DIR: where the indexes and timings go (default a temporary
#   directory, removed at the end; set it to keep them).
set -euo pipefail
a=${1:?A binary}
b=${2:?B binary}
alerts=${3:?alerts file}
threads=${4:-2}
runs=${5:-3}
dir=${BUILD_AB_DIR:-}
if [ -z "$dir" ]; then
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"

# One run: prints "wall cpu maxrss" (s, s, MB) and leaves the index in $dir/<tag>.limen.
one() {
    local bin=$1 tag=$2
    /usr/bin/time -v -o "$dir/$tag.time" "$bin" index build --alerts "$alerts" \
        --out "$dir/$tag.limen" --threads "$threads" 2>"$dir/$tag.err" >/dev/null
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
        /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { m = $2 }
        END { printf "%.2f %.2f %.0f\n", w, u + s, m / 1024 }' "$dir/$tag.time"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "alerts $alerts, --threads $threads, $runs runs each, A=$a B=$b"
echo "run  bin  wall_s  cpu_s  maxrss_MB  same_index"
: >"$dir/A.txt"
: >"$dir/B.txt"
for i in $(seq 1 "$runs"); do
    for side in A B; do
        bin=$a
        [ "$side" = B ] && bin=$b
        r=$(one "$bin" "$side$i")
        echo "$r" >>"$dir/$side.txt"
        same=yes
        cmp -s "$dir/A1.limen" "$dir/$side$i.limen" || same=NO
        [ "$side$i" = A1 ] || rm -f "$dir/$side$i.limen"
        echo "$i    $side    $r    $same"
    done
done
for col in 1 2 3; do
    ma=$(awk -v c=$col '{ print $c }' "$dir/A.txt" | median)
    mb=$(awk -v c=$col '{ print $c }' "$dir/B.txt" | median)
    name=$(echo "wall_s cpu_s maxrss_MB" | cut -d' ' -f$col)
    awk -v n="$name" -v a="$ma" -v b="$mb" 'BEGIN { printf "median %-10s A %8.2f  B %8.2f  B/A %.3f\n", n, a, b, b / a }'
done
