/*
 * Scale benchmark (make bench): a synthetic population of N person alerts
 * (bench/lib/population.c) screened by limen and, side by side, by
 * PostgreSQL 15 + pg_trgm on the same alerts and queries.
 *
 * It prints: build time, saved-index write and load times, resident memory
 * per alert, single-thread latency p50/p99/p99.9, throughput on 1 and T
 * threads, recall@5 and match recall on perturbed queries, the false-alert
 * rate on travellers who are not listed; and for pg_trgm (with --pg) its
 * index build time, latency, throughput, recall@5 and false alerts on a
 * sample of the same queries, with the ratios limen / pg_trgm.
 *
 * It also screens a synthetic 853-passenger PAXLST manifest (an A380 full,
 * 5 % of them listed people with the usual perturbations) against the same
 * alerts: parse and screen every traveller, on 1 and T threads.
 *
 *   bench_scale --alerts 1000000 [--queries 5000] [--negatives 5000]
 *               [--threads 2] [--seed 1] [--save FILE] [--pg CONNINFO]
 *               [--pg-queries 300]
 */
#include "bench_lib.h"
#include "limen/limen.h"
#include "population.h"

#include "limen/paxlst.h"

#include "bench_pg.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* CPU time of the process so far (all threads), in seconds. */
static double cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static size_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0, rss = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return (size_t)rss * (size_t)sysconf(_SC_PAGESIZE);
}

static struct limen_entity *entity_of(const struct pop_person *x)
{
    struct limen_entity *e = NULL;
    if (limen_entity_new(x->id, LIMEN_SCHEMA_PERSON, &e) != LIMEN_OK)
        exit(3);
    if (x->name[0])
        limen_entity_add(e, "name", x->name, strlen(x->name));
    if (x->alias[0])
        limen_entity_add(e, "alias", x->alias, strlen(x->alias));
    if (x->birth_date[0])
        limen_entity_add(e, "birthDate", x->birth_date, strlen(x->birth_date));
    if (x->nationality[0])
        limen_entity_add(e, "nationality", x->nationality, strlen(x->nationality));
    if (x->gender)
        limen_entity_add(e, "gender", x->gender == 'f' ? "female" : "male",
                         x->gender == 'f' ? 6 : 4);
    if (x->passport[0])
        limen_entity_add(e, "passportNumber", x->passport, strlen(x->passport));
    return e;
}

/* Alert i of the population, for limen_index_add_source (any thread). */
static limen_status alert_source(void *ud, size_t i, struct limen_entity **out,
                                 struct limen_error *err)
{
    (void)err;
    struct pop_person x;
    pop_alert(ud, i, &x);
    *out = entity_of(&x);
    return LIMEN_OK;
}

static int report_alert(void *ud, size_t i, int is_alert, const struct limen_error *err)
{
    (void)ud;
    (void)is_alert;
    fprintf(stderr, "alert %zu not indexed: %s\n", i, err->message);
    return 0;
}

struct qset {
    struct limen_entity **q;
    uint64_t *target; /* alert index, UINT64_MAX for negatives */
    char (*name)[160];
    char (*dob)[11];
    size_t n;
};

static void make_queries(const struct pop *p, uint64_t nalerts, size_t nq, size_t nneg,
                         struct qset *s)
{
    s->n = nq + nneg;
    s->q = calloc(s->n, sizeof *s->q);
    s->target = calloc(s->n, sizeof *s->target);
    s->name = calloc(s->n, sizeof *s->name);
    s->dob = calloc(s->n, sizeof *s->dob);
    for (size_t k = 0; k < s->n; k++) {
        struct pop_person x;
        if (k < nq) {
            uint64_t t = pop_query_target(p, k, nalerts);
            pop_query(p, k, t, &x, NULL, 0);
            s->target[k] = t;
        } else {
            pop_negative(p, k - nq, &x);
            s->target[k] = UINT64_MAX;
        }
        s->q[k] = entity_of(&x);
        memcpy(s->name[k], x.name, sizeof x.name);
        memcpy(s->dob[k], x.birth_date, sizeof x.birth_date);
    }
}

/* Alert index of an id "g000000042". */
static uint64_t alert_index(const char *id)
{
    return id[0] == 'g' ? strtoull(id + 1, NULL, 10) : UINT64_MAX;
}

struct outcome {
    int rank;       /* of the target, 0 when absent */
    double tscore;  /* target's score */
    double top;     /* best score */
    uint64_t top_alert;
};

struct run {
    const struct limen_index *idx;
    struct qset *s;
    struct outcome *out;
    double *lat;
    size_t next;
    pthread_mutex_t mu;
};

/* `also`: the query's listed person scored in full whatever candidate
 * generation finds (what a perfect candidate generation would give). */
static void screen_with(const struct limen_index *idx, struct qset *s, size_t k, struct outcome *o,
                        double *lat, int also)
{
    struct limen_screen_options opt;
    limen_screen_options_init(&opt);
    opt.explain = 0;
    opt.limit = 5;
    char target[24];
    const char *ids[1] = {target};
    if (also) {
        snprintf(target, sizeof target, "g%09llu", (unsigned long long)s->target[k]);
        opt.also = ids;
        opt.nalso = 1;
    }
    struct limen_results *r = NULL;
    double t0 = bench_now();
    if (limen_screen(idx, s->q[k], &opt, &r, NULL) != LIMEN_OK)
        exit(3);
    if (lat)
        *lat = bench_now() - t0;
    memset(o, 0, sizeof *o);
    o->top_alert = UINT64_MAX;
    for (size_t i = 0; i < limen_results_count(r); i++) {
        uint64_t a = alert_index(limen_result_id(r, i));
        double sc = limen_result_score(r, i);
        if (i == 0) {
            o->top = sc;
            o->top_alert = a;
        }
        if (a == s->target[k] && !o->rank) {
            o->rank = (int)i + 1;
            o->tscore = sc;
        }
    }
    limen_results_free(r);
}

static void screen_one(const struct limen_index *idx, struct qset *s, size_t k, struct outcome *o,
                       double *lat)
{
    screen_with(idx, s, k, o, lat, 0);
}

static void *worker(void *arg)
{
    struct run *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        size_t k = r->next++;
        pthread_mutex_unlock(&r->mu);
        if (k >= r->s->n)
            return NULL;
        screen_one(r->idx, r->s, k, &r->out[k], NULL);
    }
}

/* Screens the whole set on `threads` threads; returns screenings per second. */
static double throughput(const struct limen_index *idx, struct qset *s, int threads)
{
    struct run r = {idx, s, calloc(s->n, sizeof(struct outcome)), NULL, 0,
                    PTHREAD_MUTEX_INITIALIZER};
    pthread_t t[64];
    double t0 = bench_now();
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, worker, &r);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    double dt = bench_now() - t0;
    free(r.out);
    return (double)s->n / dt;
}


/* ---- a PAXLST manifest ---- */

static const char *alpha3(const char *a2)
{
    static const char *const t[][2] = {
        {"ma", "MAR"}, {"dz", "DZA"}, {"tn", "TUN"}, {"eg", "EGY"}, {"lb", "LBN"}, {"sy", "SYR"},
        {"jo", "JOR"}, {"iq", "IRQ"}, {"ps", "PSE"}, {"it", "ITA"}, {"es", "ESP"}, {"fr", "FRA"},
        {"be", "BEL"}, {"nl", "NLD"}, {"ch", "CHE"}, {"ar", "ARG"}, {"co", "COL"}, {"mx", "MEX"},
        {"ly", "LBY"}, {"mr", "MRT"}, {"de", "DEU"}, {"gb", "GBR"}, {"us", "USA"}, {"ca", "CAN"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(a2, t[i][0]))
            return t[i][1];
    return NULL;
}

/* Appends s upper-cased, with the EDIFACT release character before ' + : ?. */
static size_t edi_text(char *out, size_t k, size_t cap, const char *s, size_t n)
{
    for (size_t i = 0; i < n && k + 3 < cap; i++) {
        char c = s[i];
        if (c == '\'' || c == '+' || c == ':' || c == '?')
            out[k++] = '?';
        out[k++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
    return k;
}

/* An 853-passenger manifest: Latin-script travellers, 5 % of them listed. */
static char *make_manifest(const struct pop *p, uint64_t nalerts, size_t npax, size_t *len)
{
    size_t cap = npax * 400 + 4096, k = 0;
    char *b = malloc(cap);
    k += (size_t)snprintf(b + k, cap - k,
                          "UNA:+.? 'UNB+UNOA:4+LIMENBENCH:ZZ+BORDER:ZZ+261202:1200+BENCH1'"
                          "UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'NAD+MS+++BENCH OPS'"
                          "TDT+20+AF1234+++AF'LOC+125+CDG'DTM+189:2612021200:201'"
                          "LOC+87+RAK'DTM+232:2612021500:201'");
    size_t segs = 9, made = 0;
    for (uint64_t q = 0; made < npax; q++) {
        struct pop_person x;
        if (q % 20 == 0)
            pop_query(p, 1000000 + q, pop_query_target(p, 1000000 + q, nalerts), &x, NULL, 0);
        else
            pop_negative(p, 1000000 + q, &x);
        int ascii = 1;
        for (const char *c = x.name; *c; c++)
            ascii &= (unsigned char)*c < 0x80;
        if (!ascii || !x.name[0])
            continue;
        const char *sp = strchr(x.name, ' ');
        const char *given = x.name, *sur = sp ? sp + 1 : x.name;
        size_t glen = sp ? (size_t)(sp - x.name) : 0;
        k += (size_t)snprintf(b + k, cap - k, "NAD+FL+++");
        k = edi_text(b, k, cap, sur, strlen(sur));
        b[k++] = ':';
        k = edi_text(b, k, cap, given, glen);
        k += (size_t)snprintf(b + k, cap - k, "'ATT+2++%c'", x.gender == 'f' ? 'F' : 'M');
        segs += 2;
        if (strlen(x.birth_date) == 10) {
            k += (size_t)snprintf(b + k, cap - k, "DTM+329:%.2s%.2s%.2s'", x.birth_date + 2,
                                  x.birth_date + 5, x.birth_date + 8);
            segs++;
        }
        const char *a3 = alpha3(x.nationality);
        if (a3) {
            k += (size_t)snprintf(b + k, cap - k, "NAT+2+%s'", a3);
            segs++;
        }
        if (x.passport[0]) {
            k += (size_t)snprintf(b + k, cap - k, "DOC+P+%s'DTM+36:301231'", x.passport);
            segs += 2;
            if (a3) {
                k += (size_t)snprintf(b + k, cap - k, "LOC+91+%s'", a3);
                segs++;
            }
        }
        made++;
    }
    k += (size_t)snprintf(b + k, cap - k, "CNT+42:%zu'UNT+%zu+1'UNZ+1+BENCH1'", made, segs + 2);
    *len = k;
    return b;
}

struct pax_run {
    const struct limen_index *idx;
    const struct limen_paxlst *m;
    size_t next, matches;
    pthread_mutex_t mu;
};

static void *pax_worker(void *arg)
{
    struct pax_run *r = arg;
    struct limen_screen_options o;
    limen_screen_options_init(&o);
    o.explain = 0;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        size_t i = r->next++;
        pthread_mutex_unlock(&r->mu);
        if (i >= limen_paxlst_traveller_count(r->m))
            return NULL;
        struct limen_entity *e = NULL;
        struct limen_results *res = NULL;
        if (limen_paxlst_traveller_entity(r->m, i, &e) == LIMEN_OK &&
            limen_screen(r->idx, e, &o, &res, NULL) == LIMEN_OK) {
            if (limen_results_count(res) && limen_result_match(res, 0)) {
                pthread_mutex_lock(&r->mu);
                r->matches++;
                pthread_mutex_unlock(&r->mu);
            }
            limen_results_free(res);
        }
        limen_entity_free(e);
    }
}

/* Parses and screens the manifest; returns seconds, *matches the travellers with a match. */
static double screen_manifest(const struct limen_index *idx, const char *text, size_t len,
                              int threads, size_t *travellers, size_t *matches)
{
    double t0 = bench_now();
    struct limen_paxlst *m = NULL;
    struct limen_error err;
    if (limen_paxlst_parse(text, len, NULL, &m, &err) != LIMEN_OK) {
        fprintf(stderr, "paxlst: segment %ld: %s\n", err.line, err.message);
        exit(3);
    }
    struct pax_run r = {idx, m, 0, 0, PTHREAD_MUTEX_INITIALIZER};
    pthread_t t[64];
    for (int i = 1; i < threads; i++)
        pthread_create(&t[i], NULL, pax_worker, &r);
    pax_worker(&r);
    for (int i = 1; i < threads; i++)
        pthread_join(t[i], NULL);
    double dt = bench_now() - t0;
    *travellers = limen_paxlst_traveller_count(m);
    *matches = r.matches;
    limen_paxlst_free(m);
    return dt;
}

/* ---- pg_trgm ---- */

static PGconn *pg;

static double pg_load(const struct pop *p, uint64_t n)
{
    double t0 = bench_now();
    bench_pg_exec(pg, "SET client_min_messages = warning");
    bench_pg_exec(pg, "CREATE EXTENSION IF NOT EXISTS pg_trgm");
    bench_pg_exec(pg, "DROP TABLE IF EXISTS scale_names");
    bench_pg_exec(pg, "CREATE UNLOGGED TABLE scale_names (alert bigint NOT NULL, name text NOT NULL)");
    bench_pg_copy_begin(pg, "COPY scale_names FROM STDIN");
    for (uint64_t i = 0; i < n; i++) {
        struct pop_person x;
        pop_alert(p, i, &x);
        if (x.name[0])
            bench_pg_copy_row(pg, (long long)i, x.name);
        if (x.alias[0])
            bench_pg_copy_row(pg, (long long)i, x.alias);
    }
    bench_pg_copy_end(pg);
    bench_pg_exec(pg, "SET maintenance_work_mem = '1GB'");
    bench_pg_exec(pg, "CREATE INDEX scale_names_trgm ON scale_names USING gin (name gin_trgm_ops)");
    bench_pg_exec(pg, "ANALYZE scale_names");
    bench_pg_exec(pg, "SET pg_trgm.similarity_threshold = 0.3");
    PGresult *r = PQprepare(pg, "m",
                  "SELECT alert, max(similarity(name, $1)) AS s FROM scale_names WHERE name % $1 "
                  "GROUP BY alert ORDER BY s DESC, alert LIMIT 5",
                  1, NULL);
    PQclear(r);
    return bench_now() - t0;
}

static void pg_one(const char *name, uint64_t target, struct outcome *o, double *lat)
{
    const char *params[1] = {name};
    double t0 = bench_now();
    PGresult *r = PQexecPrepared(pg, "m", 1, params, NULL, NULL, 0);
    *lat = bench_now() - t0;
    memset(o, 0, sizeof *o);
    o->top_alert = UINT64_MAX;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "pg: %s", PQerrorMessage(pg));
        exit(4);
    }
    for (int i = 0; i < PQntuples(r); i++) {
        uint64_t a = strtoull(PQgetvalue(r, i, 0), NULL, 10);
        double sc = strtod(PQgetvalue(r, i, 1), NULL);
        if (i == 0) {
            o->top = sc;
            o->top_alert = a;
        }
        if (a == target && !o->rank) {
            o->rank = i + 1;
            o->tscore = sc;
        }
    }
    PQclear(r);
}

int main(int argc, char **argv)
{
    uint64_t nalerts = 100000, seed = 1;
    size_t nq = 5000, nneg = 5000, pgq = 300;
    int threads = 2;
    const char *save = NULL, *pgconn = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--alerts") && i + 1 < argc)
            nalerts = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--queries") && i + 1 < argc)
            nq = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--negatives") && i + 1 < argc)
            nneg = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--save") && i + 1 < argc)
            save = argv[++i];
        else if (!strcmp(argv[i], "--pg") && i + 1 < argc)
            pgconn = argv[++i];
        else if (!strcmp(argv[i], "--pg-queries") && i + 1 < argc)
            pgq = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: bench_scale --alerts N [--queries Q] [--negatives M] "
                            "[--threads T] [--seed S] [--save FILE] [--pg CONNINFO] "
                            "[--pg-queries K]\n");
            return 1;
        }
    }
    if (threads < 1 || threads > 64)
        threads = 2;
    static struct pop p;
    pop_init(&p, seed);

    /* build: alerts generated, parsed and prepared on `threads` threads,
     * filed in order (limen_index_add_source: the same index as one thread) */
    size_t rss0 = rss_bytes();
    struct limen_index *idx = NULL;
    struct limen_index_options io;
    limen_index_options_init(&io);
    io.threads = (unsigned)threads;
    limen_index_new(&io, &idx);
    double t0 = bench_now(), c0 = cpu_seconds();
    struct limen_index_add_stats as;
    limen_index_add_source(idx, (size_t)nalerts, alert_source, &p, (unsigned)threads,
                           report_alert, NULL, &as);
    double t_add = bench_now() - t0;
    limen_index_finish(idx);
    double t_build = bench_now() - t0, c_build = cpu_seconds() - c0;
    struct limen_index_stats st;
    limen_index_stats(idx, &st);
    size_t rss1 = rss_bytes();
    printf("limen scale benchmark: %llu alerts (seed %llu), %zu perturbed queries, %zu "
           "unlisted travellers\n",
           (unsigned long long)nalerts, (unsigned long long)seed, nq, nneg);
    printf("  build (generate + add + finish) on %d threads: %.1f s (add %.1f s, finish %.1f s; "
           "CPU %.1f s)\n",
           threads, t_build, t_add, t_build - t_add, c_build);
    printf("  index: %zu names, %zu distinct tokens, %zu keys, %zu documents\n", st.names,
           st.tokens, st.keys, st.documents);
    printf("  memory: index %.1f bytes/alert (arrays), resident growth %.1f bytes/alert\n",
           (double)st.memory_bytes / (double)nalerts, (double)(rss1 - rss0) / (double)nalerts);

    if (save) {
        struct limen_error err;
        double ts = bench_now();
        if (limen_index_save(idx, save, &err) != LIMEN_OK) {
            fprintf(stderr, "save: %s\n", err.message);
            return 2;
        }
        double tsave = bench_now() - ts;
        limen_index_free(idx);
        idx = NULL;
        size_t rss2 = rss_bytes();
        ts = bench_now();
        if (limen_index_load(save, &idx, &err) != LIMEN_OK) {
            fprintf(stderr, "load: %s\n", err.message);
            return 2;
        }
        double tload = bench_now() - ts;
        printf("  saved index: written in %.1f s, loaded (mapped and verified) in %.2f s, "
               "resident after load %.1f bytes/alert\n",
               tsave, tload, (double)(rss_bytes() - rss2) / (double)nalerts);
    }

    struct qset s;
    make_queries(&p, nalerts, nq, nneg, &s);
    struct outcome *out = calloc(s.n, sizeof *out);
    double *lat = calloc(s.n, sizeof *lat);
    for (size_t k = 0; k < s.n; k++)
        screen_one(idx, &s, k, &out[k], &lat[k]);
    long top1 = 0, at5 = 0, matched = 0, fa = 0, homonyms = 0;
    for (size_t k = 0; k < nq; k++) {
        top1 += out[k].rank == 1;
        at5 += out[k].rank >= 1 && out[k].rank <= 5;
        matched += out[k].rank && out[k].tscore >= LIMEN_DEFAULT_THRESHOLD;
    }
    for (size_t k = nq; k < s.n; k++) {
        if (out[k].top < LIMEN_DEFAULT_THRESHOLD)
            continue;
        /* A hit on an alert whose date of birth cannot tell the two apart
         * (none, year only, or the same date) is a homonym for an officer to
         * check, not an engine error: counted apart. */
        struct pop_person a;
        pop_alert(&p, out[k].top_alert, &a);
        if (strlen(a.birth_date) < 10 || strlen(s.dob[k]) < 10 ||
            strcmp(a.birth_date, s.dob[k]) == 0)
            homonyms++;
        else
            fa++;
    }
    double p50 = bench_percentile(lat, s.n, 0.5), p99 = bench_percentile(lat, s.n, 0.99),
           p999 = bench_percentile(lat, s.n, 0.999);
    double tp1 = throughput(idx, &s, 1), tpn = throughput(idx, &s, threads);
    printf("  latency (1 thread, %zu screenings): p50 %.1f us, p99 %.1f us, p99.9 %.1f us\n", s.n,
           p50 * 1e6, p99 * 1e6, p999 * 1e6);
    printf("  throughput: %.0f screenings/s on 1 thread, %.0f on %d threads\n", tp1, tpn, threads);
    printf("  perturbed queries: top-1 %.4f, recall@5 %.4f, match recall %.4f (threshold %.2f)\n",
           (double)top1 / nq, (double)at5 / nq, (double)matched / nq, LIMEN_DEFAULT_THRESHOLD);
    {
        /* The same queries with the listed person among the candidates:
         * what is lost by candidate generation, what by scoring. */
        long c5 = 0;
        for (size_t k = 0; k < nq; k++) {
            struct outcome o;
            screen_with(idx, &s, k, &o, NULL, 1);
            c5 += o.rank >= 1 && o.rank <= 5;
        }
        printf("  recall@5 with each listed person among the candidates (scoring's ceiling): "
               "%.4f\n",
               (double)c5 / nq);
    }
    printf("  unlisted travellers: %ld false alerts (%.3f%%) against alerts with another full date "
           "of birth; %ld (%.3f%%) hits on homonyms whose date of birth is unknown, partial or "
           "equal on one side\n",
           fa, 100.0 * (double)fa / (double)nneg, homonyms, 100.0 * (double)homonyms / (double)nneg);
    {
        size_t mlen, nt = 0, nm = 0;
        char *manifest = make_manifest(&p, nalerts, 853, &mlen);
        double d1[5], dn[5];
        for (int r = 0; r < 5; r++) {
            d1[r] = screen_manifest(idx, manifest, mlen, 1, &nt, &nm);
            dn[r] = screen_manifest(idx, manifest, mlen, threads, &nt, &nm);
        }
        printf("  PAXLST manifest of %zu travellers (%zu bytes): parsed and screened in %.3f s on 1 "
               "thread, %.3f s on %d threads (median of 5); %zu with a match\n",
               nt, mlen, bench_percentile(d1, 5, 0.5), bench_percentile(dn, 5, 0.5), threads, nm);
        free(manifest);
    }

    if (pgconn) {
        pg = PQconnectdb(pgconn);
        if (PQstatus(pg) != CONNECTION_OK) {
            fprintf(stderr, "pg: %s", PQerrorMessage(pg));
            return 4;
        }
        double tl = pg_load(&p, nalerts);
        size_t half = pgq / 2;
        double *pl = calloc(pgq, sizeof *pl);
        long p5 = 0, pfa = 0, pany = 0, lim5 = 0, limfa = 0;
        size_t nqp = 0, nnp = 0;
        for (size_t i = 0; i < pgq; i++) {
            /* the same queries as limen's, evenly spread */
            size_t k = i < half ? i * nq / (half ? half : 1) : nq + (i - half) * nneg / (pgq - half);
            if (k >= s.n)
                break;
            struct outcome o;
            pg_one(s.name[k], s.target[k], &o, &pl[i]);
            if (k < nq) {
                nqp++;
                p5 += o.rank >= 1 && o.rank <= 5;
                lim5 += out[k].rank >= 1 && out[k].rank <= 5;
            } else {
                nnp++;
                pany += o.top_alert != UINT64_MAX; /* anything above pg_trgm's 0.3 */
                pfa += o.top >= 0.6;
                limfa += out[k].top >= LIMEN_DEFAULT_THRESHOLD;
            }
        }
        double pm = 0;
        for (size_t i = 0; i < nqp + nnp; i++)
            pm += pl[i];
        pm /= (double)(nqp + nnp);
        double pp50 = bench_percentile(pl, nqp + nnp, 0.5);
        printf("\n  pg_trgm (PostgreSQL 15, GIN trigram index on %llu alerts' names; names only):\n",
               (unsigned long long)nalerts);
        printf("    load + index build %.1f s; %zu queries and %zu unlisted travellers (a sample "
               "of limen's)\n",
               tl, nqp, nnp);
        printf("    latency p50 %.1f ms, mean %.1f ms -> %.1f screenings/s on one connection\n",
               pp50 * 1e3, pm * 1e3, 1.0 / pm);
        printf("    recall@5 %.4f (limen on the same sample %.4f)\n", nqp ? (double)p5 / nqp : 0.0,
               nqp ? (double)lim5 / nqp : 0.0);
        printf("    unlisted travellers flagged: %ld of %zu at pg_trgm's default similarity 0.3, "
               "%ld at 0.6 (limen at %.2f: %ld)\n",
               pany, nnp, pfa, LIMEN_DEFAULT_THRESHOLD, limfa);
        printf("    ratio limen/pg_trgm: single-thread throughput %.0fx, %d-thread %.0fx\n",
               tp1 * pm, threads, tpn * pm);
        free(pl);
        PQfinish(pg);
    }
    for (size_t k = 0; k < s.n; k++)
        limen_entity_free(s.q[k]);
    free(s.q);
    free(s.target);
    free(s.name);
    free(s.dob);
    free(out);
    free(lat);
    limen_index_free(idx);
    return 0;
}
