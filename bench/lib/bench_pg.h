/*
 * PostgreSQL helpers of the pg_trgm baselines (quality.c, bench_scale.c).
 * Every failure prints the server's message and exits with status 4: these
 * are benchmark programs, not library code.
 */
#ifndef LIMEN_BENCH_PG_H
#define LIMEN_BENCH_PG_H

#include <libpq-fe.h>

/* Runs one statement that returns no rows or some rows. */
void bench_pg_exec(PGconn *pg, const char *sql);

/* COPY ... FROM STDIN in text format: begin, one (key, text) row at a time, end. */
void bench_pg_copy_begin(PGconn *pg, const char *sql);
void bench_pg_copy_row(PGconn *pg, long long key, const char *text);
void bench_pg_copy_end(PGconn *pg);

#endif
