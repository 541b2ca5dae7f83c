/*
 * Screening latency on a saved index, for comparing engine changes side by
 * side: loads FILE.limen, reads the queries (FtM JSON Lines), screens each
 * of them R times on one thread and prints the median, p90, p99 and mean
 * time per screening, with and without explanations, and the median of
 * the R rounds' throughput.
 *
 *   bench_screen INDEX.limen QUERIES.jsonl [rounds (default 3)]
 *
 * Run two builds one after the other on the same files (or interleaved,
 * A B A B) and compare their ratios: absolute times on a shared machine
 * are noisy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_lib.h"
#include "limen/limen.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double run(const struct limen_index *idx, struct limen_entity **q, size_t n, int explain,
                  int rounds, double *lat)
{
    struct limen_screen_options o;
    limen_screen_options_init(&o);
    o.explain = explain;
    double *per_round = calloc((size_t)rounds, sizeof *per_round);
    if (!per_round)
        exit(3);
    for (int r = 0; r < rounds; r++) {
        double t0 = bench_now();
        for (size_t i = 0; i < n; i++) {
            struct limen_results *res = NULL;
            struct limen_error err;
            double t = bench_now();
            if (limen_screen(idx, q[i], &o, &res, &err) != LIMEN_OK) {
                fprintf(stderr, "bench_screen: query %zu: %s\n", i, err.message);
                exit(2);
            }
            lat[(size_t)r * n + i] = bench_now() - t;
            limen_results_free(res);
        }
        per_round[r] = (double)n / (bench_now() - t0);
    }
    qsort(per_round, (size_t)rounds, sizeof *per_round, cmp_double);
    double med = per_round[rounds / 2];
    free(per_round);
    return med;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_screen INDEX.limen QUERIES.jsonl [rounds]\n");
        return 1;
    }
    int rounds = argc > 3 ? atoi(argv[3]) : 3;
    if (rounds < 1 || rounds > 100) {
        fprintf(stderr, "bench_screen: rounds is 1 to 100\n");
        return 1;
    }
    struct limen_index *idx = NULL;
    struct limen_error err;
    double t0 = bench_now();
    if (limen_index_load(argv[1], &idx, &err) != LIMEN_OK) {
        fprintf(stderr, "bench_screen: %s\n", err.message);
        return 2;
    }
    double load = bench_now() - t0;
    struct limen_reader *rd = NULL;
    if (limen_reader_open(argv[2], 1 << 20, &rd, &err) != LIMEN_OK) {
        fprintf(stderr, "bench_screen: %s\n", err.message);
        return 2;
    }
    limen_reader_set_query_mode(rd, 1);
    struct limen_entity **q = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        struct limen_entity *e = NULL;
        limen_status st = limen_reader_next(rd, &e, &err);
        if (st == LIMEN_EOF)
            break;
        if (st != LIMEN_OK) {
            fprintf(stderr, "bench_screen: %s\n", err.message);
            return 2;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            q = realloc(q, cap * sizeof *q);
            if (!q)
                return 3;
        }
        q[n++] = e;
    }
    limen_reader_free(rd);
    if (!n) {
        fprintf(stderr, "bench_screen: no queries\n");
        return 2;
    }
    double *lat = calloc(n * (size_t)rounds, sizeof *lat);
    if (!lat)
        return 3;
    printf("index %s loaded in %.2f s; %zu queries x %d rounds, one thread\n", argv[1], load, n,
           rounds);
    for (int explain = 0; explain <= 1; explain++) {
        double qps = run(idx, q, n, explain, rounds, lat);
        size_t m = n * (size_t)rounds;
        double sum = 0;
        for (size_t i = 0; i < m; i++)
            sum += lat[i];
        printf("  %-16s p50 %7.1f us  p90 %7.1f us  p99 %7.1f us  mean %7.1f us  %7.0f "
               "screenings/s\n",
               explain ? "with explanation" : "scores only", bench_percentile(lat, m, 0.50) * 1e6,
               bench_percentile(lat, m, 0.90) * 1e6, bench_percentile(lat, m, 0.99) * 1e6,
               sum / (double)m * 1e6, qps);
    }
    free(lat);
    for (size_t i = 0; i < n; i++)
        limen_entity_free(q[i]);
    free(q);
    limen_index_free(idx);
    return 0;
}
