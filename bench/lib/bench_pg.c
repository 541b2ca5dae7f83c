/* PostgreSQL helpers of the pg_trgm baselines (see bench_pg.h). */
#include "bench_pg.h"

#include <stdio.h>
#include <stdlib.h>

static void die(PGconn *pg, const char *what)
{
    fprintf(stderr, "pg: %s: %s", what, PQerrorMessage(pg));
    exit(4);
}

void bench_pg_exec(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        die(pg, sql);
}

void bench_pg_copy_begin(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    if (st != PGRES_COPY_IN)
        die(pg, sql);
}

void bench_pg_copy_row(PGconn *pg, long long key, const char *text)
{
    /* COPY text format: backslash, tab and newline are escaped. */
    char buf[4096];
    size_t k = (size_t)snprintf(buf, sizeof buf, "%lld\t", key);
    for (const char *c = text; *c; c++) {
        if (k + 4 > sizeof buf) {
            fprintf(stderr, "pg: COPY: a value longer than %zu bytes\n", sizeof buf - 32);
            exit(4);
        }
        if (*c == '\\' || *c == '\t' || *c == '\n')
            buf[k++] = '\\';
        buf[k++] = *c == '\t' ? 't' : *c == '\n' ? 'n' : *c;
    }
    buf[k++] = '\n';
    if (PQputCopyData(pg, buf, (int)k) != 1)
        die(pg, "COPY");
}

void bench_pg_copy_end(PGconn *pg)
{
    PGresult *r;
    if (PQputCopyEnd(pg, NULL) != 1)
        die(pg, "COPY end");
    while ((r = PQgetResult(pg)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        PQclear(r);
        if (st != PGRES_COMMAND_OK)
            die(pg, "COPY");
    }
}
