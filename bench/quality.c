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
 */
#include "bench_lib.h"
#include "limen/limen.h"

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
        if (bench_csv_split(line, fl, 8) < 4)
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
            if (getenv("QUALITY_MISSES") && o.rank != 1)
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
    free(qn);
    for (size_t i = 0; i < nt; i++) {
        free(t[i].arabic);
        free(t[i].latin);
    }
    free(t);
    free(start);
    free(gcount);
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
    int sweep = 0, arabic_n = 2000;
    double thr = LIMEN_DEFAULT_THRESHOLD;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else if (strcmp(argv[i], "--sweep") == 0)
            sweep = 1;
        else if (strcmp(argv[i], "--arabic") == 0 && i + 1 < argc)
            arabic_n = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: quality [--data DIR] [--sweep] [--arabic N]\n");
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
    free(lat);
    return 0;
}
