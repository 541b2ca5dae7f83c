/*
 * Match quality, measured on public data (../shared/data), for limen and,
 * side by side, for PostgreSQL + pg_trgm when --pg CONNINFO is given.
 *
 *  - OFAC aliases -> individual, names only, leave-one-out: the queries are
 *    the aka/fka rows of queries/ofac_individual_name_queries.csv; each is
 *    screened against all individuals, its own individual holding its other
 *    names but never the query string. Folds make that exact and cheap: fold
 *    j holds the j-th alias of every individual out of the index and
 *    screens those aliases.
 *  - False alerts: the 50,000 persons of negatives/yente_negatives_us.csv
 *    (names only, and names with date of birth and nationality) against all
 *    OFAC individuals.
 *  - Arabic script: persons built from translit/netrans_wd_arabic_80.tsv,
 *    listed under a Latin spelling, queried in Arabic script, among all
 *    OFAC individuals.
 *
 * It prints top-1, recall@5, match recall and wrong matches per query, and
 * the false-alert rate, at the default threshold and, with --sweep, over a
 * range of thresholds.
 *
 * With --pg CONNINFO the same queries run, side by side, against PostgreSQL
 * with pg_trgm: every name of every individual in a table with a GIN
 * trigram index, a query returning the individuals whose names are
 * similar (the % operator, similarity >= 0.3, pg_trgm's default), ranked by
 * their best similarity. Leave-one-out is the same: the query's own string
 * is excluded from its individual. pg_trgm's figures are given at its
 * default threshold and at the threshold where its false-alert rate is
 * no higher than limen's (so misses are compared at an equal or lower
 * false-alert rate).
 */
#include "bench_lib.h"
#include "limen/limen.h"
#include "ofac_int.h"

#include "bench_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 64
#define NT 13

static const double thresholds[NT] = {0.60, 0.65, 0.70, 0.72, 0.75, 0.78, 0.80,
                                      0.82, 0.85, 0.88, 0.90, 0.92, 0.95};

struct person {
    int ent;
    char *names[MAXN];
    char types[MAXN]; /* p primary, a aka/fka, w weak */
    int n;
    char dobs[8][11]; /* ISO dates parsed from the list's DOB text */
    int ndob;
    char *nat; /* nationality as listed ("Iraq|Jordan"), NULL when none */
};

struct outcome {
    int rank;            /* 1-based rank of the target, 0 when absent */
    double target_score; /* 0 when absent */
    double other[5];     /* best scores of other alerts */
    int nother;
};

static struct person *people;
static int npeople;

static struct person *person_for(int ent)
{
    if (npeople && people[npeople - 1].ent == ent)
        return &people[npeople - 1];
    for (int i = 0; i < npeople; i++)
        if (people[i].ent == ent)
            return &people[i];
    people = realloc(people, (size_t)(npeople + 1) * sizeof *people);
    memset(&people[npeople], 0, sizeof *people);
    people[npeople].ent = ent;
    return &people[npeople++];
}

static void load_ofac(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    char *line = NULL;
    size_t cap = 0;
    long n;
    int first = 1;
    while ((n = bench_getline(&line, &cap, f)) >= 0) {
        char *fl[8];
        if (first) {
            first = 0;
            continue;
        }
        if (bench_csv_split(line, fl, 8) < 7)
            continue;
        struct person *p = person_for(atoi(fl[0]));
        if (p->n >= MAXN)
            continue;
        char t = strcmp(fl[2], "primary") == 0 ? 'p'
                 : (strcmp(fl[2], "aka") == 0 || strcmp(fl[2], "fka") == 0) ? 'a'
                                                                            : 'w';
        p->names[p->n] = strdup(fl[3]);
        p->types[p->n] = t;
        p->n++;
        if (t == 'p') {
            /* "31 Aug 1953|31 Aug 1955", "1936|1938": the list's own forms. */
            for (char *d = fl[4]; d && *d && p->ndob < 8;) {
                char *bar = strchr(d, '|');
                size_t dl = bar ? (size_t)(bar - d) : strlen(d);
                char out[8][11];
                int k = limen__ofac_dob(d, dl, out, 8);
                for (int j = 0; j < k && p->ndob < 8; j++)
                    memcpy(p->dobs[p->ndob++], out[j], 11);
                d = bar ? bar + 1 : NULL;
            }
            if (*fl[5])
                p->nat = strdup(fl[5]);
        }
    }
    free(line);
    fclose(f);
}

static struct limen_entity *make_alert(const struct person *p, const char *exclude)
{
    char id[32];
    snprintf(id, sizeof id, "ofac-%d", p->ent);
    struct limen_entity *e = NULL;
    if (limen_entity_new(id, LIMEN_SCHEMA_PERSON, &e) != LIMEN_OK)
        exit(3);
    int added = 0;
    for (int i = 0; i < p->n; i++) {
        if (exclude && strcmp(p->names[i], exclude) == 0)
            continue;
        const char *prop = p->types[i] == 'p' ? "name" : p->types[i] == 'a' ? "alias" : "weakAlias";
        if (limen_entity_add(e, prop, p->names[i], strlen(p->names[i])) == LIMEN_OK)
            added++;
    }
    for (int i = 0; i < p->ndob; i++)
        limen_entity_add(e, "birthDate", p->dobs[i], strlen(p->dobs[i]));
    for (char *d = p->nat; d && *d;) {
        char *bar = strchr(d, '|');
        size_t dl = bar ? (size_t)(bar - d) : strlen(d);
        limen_entity_add(e, "nationality", d, dl);
        d = bar ? bar + 1 : NULL;
    }
    if (!added) {
        limen_entity_free(e);
        return NULL;
    }
    return e;
}

static struct limen_entity *make_query(const char *id, const char *name, const char *dob,
                                       const char *nat)
{
    struct limen_entity *e = NULL;
    if (limen_entity_new(id, LIMEN_SCHEMA_PERSON, &e) != LIMEN_OK)
        exit(3);
    limen_entity_add(e, "name", name, strlen(name));
    if (dob && *dob)
        limen_entity_add(e, "birthDate", dob, strlen(dob));
    if (nat && *nat)
        limen_entity_add(e, "nationality", nat, strlen(nat));
    return e;
}

static void screen_one(const struct limen_index *idx, const struct limen_entity *q,
                       const char *target, struct outcome *o, double *lat)
{
    struct limen_screen_options opt;
    limen_screen_options_init(&opt);
    opt.limit = 10;
    opt.min_score = 0.0;
    opt.explain = 0;
    struct limen_results *r = NULL;
    struct limen_error err;
    double t0 = bench_now();
    if (limen_screen(idx, q, &opt, &r, &err) != LIMEN_OK) {
        fprintf(stderr, "screen: %s\n", err.message);
        exit(3);
    }
    if (lat)
        *lat = bench_now() - t0;
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < limen_results_count(r); i++) {
        const char *id = limen_result_id(r, i);
        double s = limen_result_score(r, i);
        if (target && strcmp(id, target) == 0) {
            o->rank = (int)i + 1;
            o->target_score = s;
        } else if (o->nother < 5) {
            o->other[o->nother++] = s;
        }
    }
    limen_results_free(r);
}

struct metrics {
    long n, top1, at5, match[NT], wrong[NT];
};

static void add_outcome(struct metrics *m, const struct outcome *o)
{
    m->n++;
    m->top1 += o->rank == 1;
    m->at5 += o->rank >= 1 && o->rank <= 5;
    for (int t = 0; t < NT; t++) {
        m->match[t] += o->target_score >= thresholds[t];
        for (int k = 0; k < o->nother; k++)
            m->wrong[t] += o->other[k] >= thresholds[t];
    }
}

static int tindex(double thr)
{
    for (int t = 0; t < NT; t++)
        if (thresholds[t] > thr - 1e-9)
            return t;
    return NT - 1;
}

/* Leave-one-out over the aliases of type `type` ('a' or 'w' or 'p'). */
static void run_loo(char type, struct metrics *m, double *lat, size_t *nlat)
{
    int maxfold = 0;
    for (int i = 0; i < npeople; i++) {
        int c = 0;
        for (int k = 0; k < people[i].n; k++)
            c += people[i].types[k] == type;
        if (c > maxfold)
            maxfold = c;
    }
    for (int fold = 0; fold < maxfold; fold++) {
        struct limen_index *idx = NULL;
        limen_index_new(NULL, &idx);
        const char **qname = calloc((size_t)npeople, sizeof *qname);
        for (int i = 0; i < npeople; i++) {
            int c = 0;
            for (int k = 0; k < people[i].n; k++)
                if (people[i].types[k] == type && c++ == fold)
                    qname[i] = people[i].names[k];
            struct limen_entity *e = make_alert(&people[i], qname[i]);
            if (e) {
                limen_index_add(idx, e, NULL, NULL);
                limen_entity_free(e);
            }
        }
        limen_index_finish(idx);
        for (int i = 0; i < npeople; i++) {
            if (!qname[i])
                continue;
            char target[32];
            snprintf(target, sizeof target, "ofac-%d", people[i].ent);
            struct limen_entity *q = make_query("q", qname[i], NULL, NULL);
            struct outcome o;
            screen_one(idx, q, target, &o, lat ? &lat[*nlat] : NULL);
            if (lat)
                (*nlat)++;
            add_outcome(m, &o);
            if (getenv("QUALITY_MISSES") && (o.rank != 1 || o.target_score < LIMEN_DEFAULT_THRESHOLD))
                printf("MISS %c ent=%d rank=%d score=%.3f other=%.3f q=\"%s\"\n", type,
                       people[i].ent, o.rank, o.target_score, o.nother ? o.other[0] : 0.0,
                       qname[i]);
            limen_entity_free(q);
        }
        free(qname);
        limen_index_free(idx);
    }
}

static struct limen_index *full_index(void)
{
    struct limen_index *idx = NULL;
    limen_index_new(NULL, &idx);
    for (int i = 0; i < npeople; i++) {
        struct limen_entity *e = make_alert(&people[i], NULL);
        if (e) {
            limen_index_add(idx, e, NULL, NULL);
            limen_entity_free(e);
        }
    }
    return idx;
}

/* Negatives: false alerts at each threshold, names only and with DOB + nationality. */
static void run_negatives(const char *path, const struct limen_index *idx, long *fa_names,
                          long *fa_full, long *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    char *line = NULL;
    size_t cap = 0;
    int first = 1;
    while (bench_getline(&line, &cap, f) >= 0) {
        char *fl[8];
        if (first) {
            first = 0;
            continue;
        }
        if (bench_csv_split(line, fl, 8) < 8)
            continue;
        struct outcome o1, o2;
        struct limen_entity *q = make_query("neg", fl[0], NULL, NULL);
        screen_one(idx, q, NULL, &o1, NULL);
        limen_entity_free(q);
        q = make_query("neg", fl[0], fl[5], fl[7]);
        screen_one(idx, q, NULL, &o2, NULL);
        limen_entity_free(q);
        for (int t = 0; t < NT; t++) {
            fa_names[t] += o1.nother && o1.other[0] >= thresholds[t];
            fa_full[t] += o2.nother && o2.other[0] >= thresholds[t];
        }
        if (getenv("QUALITY_FALSE") && o1.nother && o1.other[0] >= LIMEN_DEFAULT_THRESHOLD)
            printf("FALSE %.3f \"%s\"\n", o1.other[0], fl[0]);
        (*n)++;
    }
    free(line);
    fclose(f);
}

/* Arabic-script persons: tokens with their Latin spellings, weighted by count. */
struct atok {
    char *arabic;
    char *latin;
    long count;
};

static int cmp_atok(const void *a, const void *b)
{
    const struct atok *x = a, *y = b;
    int c = strcmp(x->arabic, y->arabic);
    if (c)
        return c;
    return (y->count > x->count) - (y->count < x->count);
}

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;
static unsigned long long next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* The Arabic-script persons generated, kept for the pg_trgm baseline. */
static char (*ar_latin)[512];
static char (*ar_query)[512];
static int ar_n;

static void run_arabic(const char *path, int npersons, long *top1, long *at5, long *matched,
                       long *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    struct atok *t = NULL;
    size_t nt = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    while (bench_getline(&line, &lcap, f) >= 0) {
        char *tab1 = strchr(line, '\t');
        if (!tab1)
            continue;
        char *tab2 = strchr(tab1 + 1, '\t');
        if (!tab2)
            continue;
        *tab1 = *tab2 = '\0';
        long count = atol(tab2 + 1);
        /* arabic letters come space-separated: join them */
        char ar[256];
        size_t k = 0;
        for (char *p = tab1 + 1; *p && k + 1 < sizeof ar; p++)
            if (*p != ' ')
                ar[k++] = *p;
        ar[k] = '\0';
        if (nt == cap) {
            cap = cap ? cap * 2 : 1024;
            t = realloc(t, cap * sizeof *t);
        }
        t[nt].arabic = strdup(ar);
        t[nt].latin = strdup(line);
        t[nt].count = count;
        nt++;
    }
    free(line);
    fclose(f);
    /* One entry per Arabic token: its spellings, most frequent first. */
    qsort(t, nt, sizeof *t, cmp_atok);
    size_t *start = malloc((nt + 1) * sizeof *start), ng = 0;
    long *gcount = malloc((nt + 1) * sizeof *gcount);
    long total = 0;
    for (size_t i = 0; i < nt; i++) {
        if (i == 0 || strcmp(t[i].arabic, t[i - 1].arabic) != 0) {
            start[ng] = i;
            gcount[ng] = 0;
            ng++;
        }
        gcount[ng - 1] += t[i].count;
    }
    start[ng] = nt;
    for (size_t g = 0; g < ng; g++)
        total += gcount[g];
    /* Persons of three tokens drawn by frequency; listed under a spelling drawn by count. */
    struct limen_index *idx = full_index();
    char (*qn)[512] = calloc((size_t)npersons, sizeof *qn);
    ar_latin = calloc((size_t)npersons, sizeof *ar_latin);
    ar_n = npersons;
    for (int p = 0; p < npersons; p++) {
        char latin[512] = "";
        for (int k = 0; k < 3; k++) {
            long r = (long)(next_rand() % (unsigned long long)total);
            size_t g = 0;
            while (g + 1 < ng && r >= gcount[g]) {
                r -= gcount[g];
                g++;
            }
            long r2 = (long)(next_rand() % (unsigned long long)gcount[g]);
            size_t i = start[g];
            while (i + 1 < start[g + 1] && r2 >= t[i].count) {
                r2 -= t[i].count;
                i++;
            }
            size_t ql = strlen(qn[p]), ll = strlen(latin);
            snprintf(qn[p] + ql, sizeof qn[p] - ql, "%s%s", k ? " " : "", t[i].arabic);
            snprintf(latin + ll, sizeof latin - ll, "%s%s", k ? " " : "", t[i].latin);
        }
        char id[32];
        snprintf(id, sizeof id, "ar-%d", p);
        struct limen_entity *e = NULL;
        limen_entity_new(id, LIMEN_SCHEMA_PERSON, &e);
        limen_entity_add(e, "name", latin, strlen(latin));
        memcpy(ar_latin[p], latin, sizeof latin);
        if (getenv("QUALITY_ARABIC"))
            printf("ARPERSON %d %s | %s\n", p, latin, qn[p]);
        limen_index_add(idx, e, NULL, NULL);
        limen_entity_free(e);
    }
    limen_index_finish(idx);
    for (int p = 0; p < npersons; p++) {
        char id[32];
        snprintf(id, sizeof id, "ar-%d", p);
        struct limen_entity *q = make_query("q", qn[p], NULL, NULL);
        struct outcome o;
        screen_one(idx, q, id, &o, NULL);
        *top1 += o.rank == 1;
        *at5 += o.rank >= 1 && o.rank <= 5;
        *matched += o.target_score >= LIMEN_DEFAULT_THRESHOLD;
        (*n)++;
        if (getenv("QUALITY_ARABIC") && (o.rank != 1 || o.target_score < LIMEN_DEFAULT_THRESHOLD))
            printf("ARMISS %d rank=%d score=%.3f q=%s\n", p, o.rank, o.target_score, qn[p]);
        limen_entity_free(q);
    }
    limen_index_free(idx);
    ar_query = qn;
    for (size_t i = 0; i < nt; i++) {
        free(t[i].arabic);
        free(t[i].latin);
    }
    free(t);
    free(start);
    free(gcount);
}


/* ---- PostgreSQL + pg_trgm baseline ---- */

#define PNT 15
static const double pg_thresholds[PNT] = {0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65,
                                          0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 1.00};
static PGconn *pg;

static double pg_load(void)
{
    double t0 = bench_now();
    bench_pg_exec(pg, "SET client_min_messages = warning");
    bench_pg_exec(pg, "CREATE EXTENSION IF NOT EXISTS pg_trgm");
    bench_pg_exec(pg, "SET pg_trgm.similarity_threshold = 0.3");
    bench_pg_exec(pg, "DROP TABLE IF EXISTS limen_names");
    bench_pg_exec(pg, "CREATE TABLE limen_names (ent integer NOT NULL, name text NOT NULL)");
    bench_pg_copy_begin(pg, "COPY limen_names FROM STDIN");
    for (int i = 0; i < npeople; i++)
        for (int k = 0; k < people[i].n; k++)
            bench_pg_copy_row(pg, people[i].ent, people[i].names[k]);
    bench_pg_copy_end(pg);
    bench_pg_exec(pg, "CREATE INDEX limen_names_trgm ON limen_names USING gin (name gin_trgm_ops)");
    bench_pg_exec(pg, "ANALYZE limen_names");
    PGresult *r = PQprepare(pg, "match",
                  "SELECT ent, max(similarity(name, $1)) AS s FROM limen_names "
                  "WHERE name % $1 AND NOT (ent = $2::integer AND name = $1) "
                  "GROUP BY ent ORDER BY s DESC, ent LIMIT 10",
                  2, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "pg: prepare: %s", PQerrorMessage(pg));
        exit(4);
    }
    PQclear(r);
    return bench_now() - t0;
}

/* Screens `name` with pg_trgm; `exclude` is the individual whose copy of
 * the query string is left out (leave-one-out), `target` the expected one. */
static void pg_screen(const char *name, int exclude, int target, struct outcome *o, double *lat)
{
    char ex[16];
    snprintf(ex, sizeof ex, "%d", exclude);
    const char *params[2] = {name, ex};
    double t0 = bench_now();
    PGresult *r = PQexecPrepared(pg, "match", 2, params, NULL, NULL, 0);
    if (lat)
        *lat = bench_now() - t0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "pg: match: %s", PQerrorMessage(pg));
        exit(4);
    }
    memset(o, 0, sizeof *o);
    for (int i = 0; i < PQntuples(r); i++) {
        int ent = atoi(PQgetvalue(r, i, 0));
        double sc = atof(PQgetvalue(r, i, 1));
        if (ent == target && target != 0) {
            o->rank = i + 1;
            o->target_score = sc;
        } else if (o->nother < 5) {
            o->other[o->nother++] = sc;
        }
    }
    PQclear(r);
}

struct pg_metrics {
    long n, top1, at5, match[PNT], wrong[PNT];
};

static void pg_add(struct pg_metrics *m, const struct outcome *o)
{
    m->n++;
    m->top1 += o->rank == 1;
    m->at5 += o->rank >= 1 && o->rank <= 5;
    for (int t = 0; t < PNT; t++) {
        m->match[t] += o->target_score >= pg_thresholds[t] - 1e-9;
        for (int k = 0; k < o->nother; k++)
            m->wrong[t] += o->other[k] >= pg_thresholds[t] - 1e-9;
    }
}

/* Runs every query set against pg_trgm and prints the side-by-side table. */
static void run_pg(const char *conninfo, const char *data, const struct metrics *aka, long nneg,
                   const long *fa_names, long a1, long a5, long am, long an, double thr,
                   int neg_sample)
{
    pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "pg: cannot connect (%s): %s", conninfo, PQerrorMessage(pg));
        exit(4);
    }
    double load = pg_load();
    printf("\npg_trgm: %d individuals' names loaded and GIN-indexed in %.1f s\n", npeople, load);

    /* aka leave-one-out */
    struct pg_metrics pa = {0};
    double *lat = malloc(20000 * sizeof *lat);
    size_t nlat = 0;
    for (int i = 0; i < npeople; i++)
        for (int k = 0; k < people[i].n; k++) {
            if (people[i].types[k] != 'a')
                continue;
            struct outcome o;
            pg_screen(people[i].names[k], people[i].ent, people[i].ent, &o,
                      nlat < 20000 ? &lat[nlat] : NULL);
            nlat += nlat < 20000;
            pg_add(&pa, &o);
        }
    double p50 = bench_percentile(lat, nlat, 0.5), p99 = bench_percentile(lat, nlat, 0.99);

    /* negatives, names only */
    char path[4096];
    snprintf(path, sizeof path, "%s/negatives/yente_negatives_us.csv", data);
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    long pfa[PNT] = {0}, pn = 0, row = 0;
    char *line = NULL;
    size_t cap = 0;
    int step = neg_sample > 0 && nneg > neg_sample ? (int)(nneg / neg_sample) : 1;
    while (bench_getline(&line, &cap, f) >= 0) {
        char *fl[8];
        if (row++ == 0 || bench_csv_split(line, fl, 8) < 8 || (row - 2) % step != 0)
            continue;
        struct outcome o;
        pg_screen(fl[0], 0, 0, &o, NULL);
        for (int t = 0; t < PNT; t++)
            pfa[t] += o.nother && o.other[0] >= pg_thresholds[t] - 1e-9;
        pn++;
    }
    free(line);
    fclose(f);

    /* Arabic script */
    long pa1 = 0, pa5 = 0, pam[PNT] = {0};
    if (ar_n) {
        bench_pg_copy_begin(pg, "COPY limen_names FROM STDIN");
        for (int p = 0; p < ar_n; p++)
            bench_pg_copy_row(pg, -(p + 1), ar_latin[p]);
        bench_pg_copy_end(pg);
        for (int p = 0; p < ar_n; p++) {
            struct outcome o;
            pg_screen(ar_query[p], 0, -(p + 1), &o, NULL);
            pa1 += o.rank == 1;
            pa5 += o.rank >= 1 && o.rank <= 5;
            for (int t = 0; t < PNT; t++)
                pam[t] += o.target_score >= pg_thresholds[t] - 1e-9;
        }
        bench_pg_exec(pg, "DELETE FROM limen_names WHERE ent < 0");
    }

    /* pg_trgm's threshold with a false-alert rate no higher than limen's. */
    int ti = tindex(thr);
    double limen_fa = (double)fa_names[ti] / (double)nneg;
    int eq = PNT - 1;
    for (int t = 0; t < PNT; t++)
        if ((double)pfa[t] / (double)pn <= limen_fa + 1e-12) {
            eq = t;
            break;
        }
    printf("pg_trgm negatives: %ld of %ld queried (every %d-th row)\n", pn, nneg, step);
    printf("\n%-44s %12s %14s %14s\n", "side by side (names only)", "limen",
           "pg_trgm@0.30", "pg_trgm@equalFA");
    char eqlabel[32];
    snprintf(eqlabel, sizeof eqlabel, "@%.2f", pg_thresholds[eq]);
    printf("%-44s %12.2f %14.2f %14.2f\n", "threshold", thr, 0.30, pg_thresholds[eq]);
    printf("%-44s %12.4f %14.4f %14.4f\n", "OFAC aka LOO top-1", (double)aka->top1 / aka->n,
           (double)pa.top1 / pa.n, (double)pa.top1 / pa.n);
    printf("%-44s %12.4f %14.4f %14.4f\n", "OFAC aka LOO recall@5", (double)aka->at5 / aka->n,
           (double)pa.at5 / pa.n, (double)pa.at5 / pa.n);
    printf("%-44s %12.4f %14.4f %14.4f\n", "OFAC aka LOO match recall",
           (double)aka->match[ti] / aka->n, (double)pa.match[0] / pa.n,
           (double)pa.match[eq] / pa.n);
    printf("%-44s %12.4f %14.4f %14.4f\n", "OFAC aka LOO wrong matches/query",
           (double)aka->wrong[ti] / aka->n, (double)pa.wrong[0] / pa.n,
           (double)pa.wrong[eq] / pa.n);
    printf("%-44s %11.4f%% %13.4f%% %13.4f%%\n", "negatives flagged (false-alert rate)",
           100.0 * limen_fa, 100.0 * pfa[0] / pn, 100.0 * pfa[eq] / pn);
    if (an)
        printf("%-44s %12.4f %14.4f %14.4f\n", "Arabic script -> Latin recall@1",
               (double)a1 / an, (double)pa1 / ar_n, (double)pa1 / ar_n);
    if (an)
        printf("%-44s %12.4f %14.4f %14.4f\n", "Arabic script -> Latin match recall",
               (double)am / an, (double)pam[0] / ar_n, (double)pam[eq] / ar_n);
    (void)a5;
    (void)pa5;
    printf("%-44s %12s %14.1f %14s\n", "pg_trgm query latency p50 (us)", "-", p50 * 1e6, "");
    printf("%-44s %12s %14.1f %14s\n", "pg_trgm query latency p99 (us)", "-", p99 * 1e6, "");
    long lm = aka->n - aka->match[ti], pm = pa.n - pa.match[eq];
    long l1 = aka->n - aka->top1, p1 = pa.n - pa.top1;
    printf("\nmisses at an equal or lower false-alert rate: aka match misses limen %ld, pg_trgm %ld "
           "(ratio %.2f); top-1 misses limen %ld, pg_trgm %ld (ratio %.2f)\n",
           lm, pm, lm ? (double)pm / (double)lm : 0.0, l1, p1, l1 ? (double)p1 / (double)l1 : 0.0);
    free(lat);
    PQfinish(pg);
}

static void print_loo(const char *label, const struct metrics *m, double thr)
{
    int ti = tindex(thr);
    printf("%-34s n=%-5ld top1=%.4f recall@5=%.4f match_recall=%.4f wrong_matches/query=%.4f\n",
           label, m->n, (double)m->top1 / m->n, (double)m->at5 / m->n,
           (double)m->match[ti] / m->n, (double)m->wrong[ti] / m->n);
}

int main(int argc, char **argv)
{
    const char *data = getenv("LIMEN_SHARED_DATA");
    int sweep = 0, arabic_n = 2000, neg_sample = 0;
    const char *pgconn = NULL;
    double thr = LIMEN_DEFAULT_THRESHOLD;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else if (strcmp(argv[i], "--sweep") == 0)
            sweep = 1;
        else if (strcmp(argv[i], "--arabic") == 0 && i + 1 < argc)
            arabic_n = atoi(argv[++i]);
        else if (strcmp(argv[i], "--pg") == 0 && i + 1 < argc)
            pgconn = argv[++i];
        else if (strcmp(argv[i], "--pg-negatives") == 0 && i + 1 < argc)
            neg_sample = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: quality [--data DIR] [--sweep] [--arabic N] [--pg CONNINFO "
                            "[--pg-negatives N]]\n");
            return 1;
        }
    }
    if (!data)
        data = "../shared/data";
    char path[4096];
    snprintf(path, sizeof path, "%s/queries/ofac_individual_name_queries.csv", data);
    load_ofac(path);
    printf("limen quality: %d OFAC individuals, threshold %.2f\n", npeople, thr);

    /* QUALITY_ONLY=aka|neg|arabic runs one part (for tuning). */
    const char *only = getenv("QUALITY_ONLY");
    if (only && !*only)
        only = NULL;
    struct metrics aka = {0}, weak = {0};
    double *lat = malloc(20000 * sizeof *lat);
    size_t nlat = 0;
    double t0 = bench_now();
    if (!only || strcmp(only, "aka") == 0) {
    run_loo('a', &aka, lat, &nlat);
    double t1 = bench_now();
    run_loo('w', &weak, NULL, NULL);
    print_loo("OFAC aka->individual (LOO)", &aka, thr);
    print_loo("OFAC weak aka->individual (LOO)", &weak, thr);
    printf("  aka screening latency: p50=%.1f us p99=%.1f us (%zu queries, %.1f s with index "
           "builds)\n",
           bench_percentile(lat, nlat, 0.5) * 1e6, bench_percentile(lat, nlat, 0.99) * 1e6, nlat,
           t1 - t0);
    }

    long fa_names[NT] = {0}, fa_full[NT] = {0}, nneg = 0;
    if (!only || strcmp(only, "neg") == 0) {
    struct limen_index *idx = full_index();
    limen_index_finish(idx);
    snprintf(path, sizeof path, "%s/negatives/yente_negatives_us.csv", data);
    run_negatives(path, idx, fa_names, fa_full, &nneg);
    limen_index_free(idx);
    int ti = tindex(thr);
    printf("%-34s n=%-5ld flagged=%ld (%.4f%%) names only; %ld (%.4f%%) with DOB+nationality\n",
           "negatives (yente, US)", nneg, fa_names[ti], 100.0 * fa_names[ti] / nneg, fa_full[ti],
           100.0 * fa_full[ti] / nneg);
    }

    long a1 = 0, a5 = 0, am = 0, an = 0;
    snprintf(path, sizeof path, "%s/translit/netrans_wd_arabic_80.tsv", data);
    if (!only || strcmp(only, "arabic") == 0) {
    run_arabic(path, arabic_n, &a1, &a5, &am, &an);
    printf("%-34s n=%-5ld recall@1=%.4f recall@5=%.4f match_recall=%.4f\n",
           "Arabic script -> Latin listing", an, (double)a1 / an, (double)a5 / an,
           (double)am / an);
    }

    if (sweep) {
        printf("\nthreshold  aka_match_recall  aka_wrong/query  weak_match_recall  "
               "neg_false%%_names  neg_false%%_full\n");
        for (int t = 0; t < NT; t++)
            printf("%9.2f  %16.4f  %15.4f  %17.4f  %16.4f  %15.4f\n", thresholds[t],
                   (double)aka.match[t] / aka.n, (double)aka.wrong[t] / aka.n,
                   (double)weak.match[t] / weak.n, 100.0 * fa_names[t] / nneg,
                   100.0 * fa_full[t] / nneg);
    }
    if (pgconn && !only)
        run_pg(pgconn, data, &aka, nneg, fa_names, a1, a5, am, an, thr, neg_sample);
    free(lat);
    return 0;
}
