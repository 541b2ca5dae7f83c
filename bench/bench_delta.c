/*
 * What a delta costs screening, and what a fold gives back: the hub's
 * snapshot swaps a folded copy of its index in (docs/server.md, "Snapshots
 * while serving"); before, a long-running hub screened on an index whose
 * changes since the start piled up in the delta (docs/index.md).
 *
 *   bench_delta ALERTS.jsonl QUERIES.jsonl [changes (default 20000)] [rounds (default 7)]
 *
 * Files the alerts (all of them, two threads) and finishes the index; then
 * replaces `changes` alerts spread evenly over the file, one at a time, each
 * by itself as it was (a changed action or distribution re-files the whole
 * alert, as the hub does): index A, its changes pending in the delta. Index B
 * is A cloned and finished (the replaced versions kept, dead); index C is A
 * cloned, compacted (limen_index_compact: the dead versions dropped) and
 * finished, what the snapshot now swaps in. Then the queries are screened on
 * A, B and C in turn (A B C A B C ..., `rounds` each, one thread, scores
 * only), and for each the median round is printed: wall time and the
 * thread's CPU time per screening (the CPU time does not count time the
 * thread waited for a core: the machine may be shared), and the ratios to C.
 * Also: the top result of each query on A and B against C (how many differ),
 * the time to clone, compact and finish, the index's own count of its bytes
 * per live alert (limen_index_stats) and the process's resident memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_lib.h"
#include "limen/limen.h"

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Resident memory of the process in MB (from /proc/self/statm), 0 when unknown. */
static double rss_mb(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(f);
    return (double)resident * 4096.0 / 1048576.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The entities of a JSON Lines file, all or (every > 0) every `every`-th up to `max`. */
static struct limen_entity **read_entities(const char *path, int query_mode, size_t every,
                                           size_t max, size_t *n)
{
    struct limen_reader *rd = NULL;
    struct limen_error err;
    struct limen_entity **v = NULL;
    size_t cap = 0, line = 0;
    *n = 0;
    if (limen_reader_open(path, 1 << 20, &rd, &err) != LIMEN_OK) {
        fprintf(stderr, "bench_delta: %s\n", err.message);
        exit(2);
    }
    limen_reader_set_query_mode(rd, query_mode);
    for (;; line++) {
        struct limen_entity *e = NULL;
        limen_status st = limen_reader_next(rd, &e, &err);
        if (st == LIMEN_EOF || (max && *n == max))
            break;
        if (st != LIMEN_OK) {
            fprintf(stderr, "bench_delta: %s: %s\n", path, err.message);
            exit(2);
        }
        if (every && line % every) {
            limen_entity_free(e);
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            v = realloc(v, cap * sizeof *v);
            if (!v)
                exit(3);
        }
        v[(*n)++] = e;
    }
    limen_reader_free(rd);
    return v;
}

/* One round of screening every query; wall and CPU seconds; the top ids into top[] if given. */
static void round_of(const struct limen_index *idx, struct limen_entity **q, size_t n, double *wall,
                     double *cpu, char (*top)[64])
{
    struct limen_screen_options o;
    limen_screen_options_init(&o);
    o.explain = 0;
    double t0 = bench_now(), c0 = cpu_now();
    for (size_t i = 0; i < n; i++) {
        struct limen_results *res = NULL;
        struct limen_error err;
        if (limen_screen(idx, q[i], &o, &res, &err) != LIMEN_OK) {
            fprintf(stderr, "bench_delta: query %zu: %s\n", i, err.message);
            exit(2);
        }
        if (top)
            snprintf(top[i], sizeof top[i], "%s",
                     limen_results_count(res) ? limen_result_id(res, 0) : "");
        limen_results_free(res);
    }
    *cpu = cpu_now() - c0;
    *wall = bench_now() - t0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_delta ALERTS.jsonl QUERIES.jsonl [changes] [rounds]\n");
        return 1;
    }
    long changes = argc > 3 ? strtol(argv[3], NULL, 10) : 20000;
    int rounds = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 7;
    if (changes < 0 || rounds < 1 || rounds > 100) {
        fprintf(stderr, "bench_delta: changes >= 0, rounds 1 to 100\n");
        return 1;
    }
    struct limen_index *a = NULL, *b = NULL, *cc = NULL;
    struct limen_reader *rd = NULL;
    struct limen_error err;
    struct limen_index_add_stats as;
    double t0 = bench_now();
    if (limen_index_new(NULL, &a) != LIMEN_OK ||
        limen_reader_open(argv[1], 1 << 20, &rd, &err) != LIMEN_OK ||
        limen_index_add_reader(a, rd, 2, NULL, NULL, &as) != LIMEN_OK ||
        limen_index_finish(a) != LIMEN_OK) {
        fprintf(stderr, "bench_delta: cannot build the index of %s\n", argv[1]);
        return 2;
    }
    limen_reader_free(rd);
    printf("%zu alerts filed and finished in %.1f s\n", as.added, bench_now() - t0);
    size_t nq = 0, nc = 0;
    struct limen_entity **q = read_entities(argv[2], 1, 0, 0, &nq);
    size_t every = changes && as.added > (size_t)changes ? as.added / (size_t)changes : 1;
    struct limen_entity **c =
        changes ? read_entities(argv[1], 0, every, (size_t)changes, &nc) : NULL;
    double rss0 = rss_mb();
    t0 = bench_now();
    for (size_t i = 0; i < nc; i++) {
        int replaced = 0;
        if (limen_index_add(a, c[i], &replaced, &err) != LIMEN_OK || !replaced) {
            fprintf(stderr, "bench_delta: change %zu: %s\n", i, err.message);
            return 2;
        }
    }
    double t_changes = bench_now() - t0;
    double rss_a = rss_mb();
    t0 = bench_now();
    if (limen_index_clone(a, NULL, &b) != LIMEN_OK || limen_index_finish(b) != LIMEN_OK) {
        fprintf(stderr, "bench_delta: cannot clone and finish\n");
        return 2;
    }
    double t_fold = bench_now() - t0;
    printf("%zu replacements in %.2f s (A: %zu pending; process %.0f -> %.0f MB); "
           "B = A cloned and finished in %.2f s (%zu pending; process %.0f MB with both)\n",
           nc, t_changes, limen_index_pending(a), rss0, rss_a, t_fold, limen_index_pending(b),
           rss_mb());
    t0 = bench_now();
    if (limen_index_clone(a, NULL, &cc) != LIMEN_OK) {
        fprintf(stderr, "bench_delta: cannot clone\n");
        return 2;
    }
    double t_clone = bench_now() - t0;
    t0 = bench_now();
    if (limen_index_compact(cc, &err) != LIMEN_OK) {
        fprintf(stderr, "bench_delta: cannot compact: %s\n", err.message);
        return 2;
    }
    double t_compact = bench_now() - t0;
    t0 = bench_now();
    if (limen_index_finish(cc) != LIMEN_OK) {
        fprintf(stderr, "bench_delta: cannot finish the compacted copy\n");
        return 2;
    }
    double t_cfinish = bench_now() - t0;
    printf("C = A cloned in %.2f s, compacted in %.2f s, finished in %.2f s (process %.0f MB "
           "with the three)\n",
           t_clone, t_compact, t_cfinish, rss_mb());
    struct limen_index_stats sa, sb, sc;
    limen_index_stats(a, &sa);
    limen_index_stats(b, &sb);
    limen_index_stats(cc, &sc);
    printf("limen_index_stats: %zu live alerts; names %zu / %zu / %zu; tokens %zu / %zu / %zu; "
           "bytes per live alert A %.1f, B %.1f, C %.1f (B - C: %.1f MB)\n",
           sc.alerts, sa.names, sb.names, sc.names, sa.tokens, sb.tokens, sc.tokens,
           (double)sa.memory_bytes / (double)sa.alerts, (double)sb.memory_bytes / (double)sb.alerts,
           (double)sc.memory_bytes / (double)sc.alerts,
           ((double)sb.memory_bytes - (double)sc.memory_bytes) / 1048576.0);
    char(*top_a)[64] = calloc(nq, sizeof *top_a), (*top_b)[64] = calloc(nq, sizeof *top_b);
    char(*top_c)[64] = calloc(nq, sizeof *top_c);
    double *wa = calloc((size_t)rounds, sizeof *wa), *wb = calloc((size_t)rounds, sizeof *wb),
           *wc = calloc((size_t)rounds, sizeof *wc);
    double *ca = calloc((size_t)rounds, sizeof *ca), *cb = calloc((size_t)rounds, sizeof *cb),
           *ccpu = calloc((size_t)rounds, sizeof *ccpu);
    if (!top_a || !top_b || !top_c || !wa || !wb || !wc || !ca || !cb || !ccpu)
        return 3;
    for (int r = 0; r < rounds; r++) {
        round_of(a, q, nq, &wa[r], &ca[r], r ? NULL : top_a);
        round_of(b, q, nq, &wb[r], &cb[r], r ? NULL : top_b);
        round_of(cc, q, nq, &wc[r], &ccpu[r], r ? NULL : top_c);
    }
    size_t differ_a = 0, differ_b = 0;
    for (size_t i = 0; i < nq; i++) {
        differ_a += strcmp(top_a[i], top_c[i]) != 0;
        differ_b += strcmp(top_b[i], top_c[i]) != 0;
    }
    qsort(wa, (size_t)rounds, sizeof *wa, cmp_double);
    qsort(wb, (size_t)rounds, sizeof *wb, cmp_double);
    qsort(wc, (size_t)rounds, sizeof *wc, cmp_double);
    qsort(ca, (size_t)rounds, sizeof *ca, cmp_double);
    qsort(cb, (size_t)rounds, sizeof *cb, cmp_double);
    qsort(ccpu, (size_t)rounds, sizeof *ccpu, cmp_double);
    double n = (double)nq;
    int m = rounds / 2;
    printf("%zu queries x %d rounds each, A B C A B C ..., one thread, scores only; medians:\n", nq,
           rounds);
    printf("  A (delta)      %7.1f us wall  %7.1f us CPU a screening\n", wa[m] / n * 1e6,
           ca[m] / n * 1e6);
    printf("  B (folded)     %7.1f us wall  %7.1f us CPU a screening\n", wb[m] / n * 1e6,
           cb[m] / n * 1e6);
    printf("  C (compacted)  %7.1f us wall  %7.1f us CPU a screening\n", wc[m] / n * 1e6,
           ccpu[m] / n * 1e6);
    printf("  A / C          %7.2f wall       %7.2f CPU; top result differs for %zu of %zu "
           "queries\n",
           wa[m] / wc[m], ca[m] / ccpu[m], differ_a, nq);
    printf("  B / C          %7.2f wall       %7.2f CPU; top result differs for %zu of %zu "
           "queries\n",
           wb[m] / wc[m], cb[m] / ccpu[m], differ_b, nq);
    for (size_t i = 0; i < nq; i++)
        limen_entity_free(q[i]);
    for (size_t i = 0; i < nc; i++)
        limen_entity_free(c[i]);
    free(q);
    free(c);
    free(top_a);
    free(top_b);
    free(top_c);
    free(wa);
    free(wb);
    free(wc);
    free(ca);
    free(cb);
    free(ccpu);
    limen_index_free(a);
    limen_index_free(b);
    limen_index_free(cc);
    return 0;
}
