#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for benchmarks and tests.
#   bench/pg_cluster.sh start DIR   -> initdb + start in DIR (Unix socket only),
#                                      prints a libpq conninfo on stdout
#   bench/pg_cluster.sh stop DIR    -> stops it and removes DIR
# Runs the server as the 'postgres' user when started as root.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
cmd=${1:?start|stop}
dir=${2:?directory}
port=${PG_PORT:-55432}
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
    [ -x "$bin/initdb" ] || { echo "pg_cluster: $bin/initdb not found (Debian package postgresql-15)" >&2; exit 2; }
    mkdir -p "$dir"
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U limen --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 2; }
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-k $dir -p $port -c listen_addresses='' -c fsync=off -c shared_buffers=256MB" start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 2; }
    echo "host=$dir port=$port user=limen dbname=postgres"
    ;;
stop)
    if [ -d "$dir/data" ]; then
        as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: pg_cluster.sh start|stop DIR" >&2
    exit 1
    ;;
esac
