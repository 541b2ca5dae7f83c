#!/usr/bin/env bash
# `make quality`: match quality of limen on the public data of ../shared/data,
# side by side with PostgreSQL 15 + pg_trgm (a throw-away cluster started
# here). Usage: bench/quality.sh BUILD_DIR [extra options of build/quality]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
shift || true
data=${LIMEN_SHARED_DATA:-$here/../../shared/data}
dir=$(mktemp -d /tmp/limen-quality-pg.XXXXXX)
trap '"$here/pg_cluster.sh" stop "$dir"' EXIT
conninfo=$("$here/pg_cluster.sh" start "$dir")
"$build/quality" --data "$data" --sweep --pg "$conninfo" "$@"
