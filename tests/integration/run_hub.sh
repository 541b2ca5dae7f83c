#!/usr/bin/env bash
# `make run`'s demo hub, checked: the store is created, the demo alerts load,
# the printed curl example returns the hit and the owner agency sees it.
set -euo pipefail
: "${LIMEN_BUILD_DIR:?build directory}"
: "${LIMEN_SOURCE_DIR:?source directory}"
. "$(dirname "$0")/lib/hub.sh"
RUN_HUB_CHECK=1 LIMEN_LISTEN="127.0.0.1:$(hub_free_port)" \
    "$LIMEN_SOURCE_DIR/scripts/run-hub" "$LIMEN_BUILD_DIR" >"$LIMEN_BUILD_DIR/run_hub.log" 2>&1 ||
    { tail -20 "$LIMEN_BUILD_DIR/run_hub.log" >&2; exit 1; }
grep -q "3018 alerts stored, 0 refused" "$LIMEN_BUILD_DIR/run_hub.log" || { echo "run_hub: import" >&2; exit 1; }
grep -q "the example returns the hit and the owner sees it" "$LIMEN_BUILD_DIR/run_hub.log"
echo "run_hub: ok"
