/*
 * Writes a synthetic alert population and its query sets (see
 * bench/lib/population.h) as FtM JSON Lines, for benchmarks at 1M, 10M and
 * 30M alerts:
 *
 *   DIR/alerts.jsonl        N alerts, ids g000000000..
 *   DIR/queries.jsonl       Q perturbed copies of alerts, ids q000000000..
 *   DIR/queries_truth.tsv   query_id <TAB> alert_id <TAB> perturbations
 *   DIR/negatives.jsonl     M travellers who are not listed, ids n000000000..
 *
 * Everything is a function of the seed: the same command writes the same
 * bytes, whatever the number of threads. Output goes through large buffers
 * written with fwrite. Alerts are made by --threads workers (default: the
 * online CPUs), each filling its own buffer with a block of consecutive
 * alerts; blocks are written in order, so the file does not depend on the
 * scheduling.
 *
 * usage: gen_population --alerts N [--queries Q] [--negatives M] [--seed S] [--threads T]
 *                       --out DIR
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_lib.h"
#include "population.h"

#define OUTBUF  (8u << 20)
#define LINEMAX 2048

struct out {
    FILE *fp;
    char *buf;
    size_t len;
    const char *path;
    unsigned long long bytes;
};

static int out_open(struct out *o, const char *dir, const char *file, char *path, size_t cap)
{
    int n = snprintf(path, cap, "%s/%s", dir, file);
    if (n < 0 || (size_t)n >= cap) {
        fprintf(stderr, "gen_population: path too long: %s/%s\n", dir, file);
        return -1;
    }
    o->path = path;
    o->len = 0;
    o->bytes = 0;
    o->buf = malloc(OUTBUF);
    o->fp = fopen(path, "wb");
    if (!o->buf || !o->fp) {
        fprintf(stderr, "gen_population: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int out_flush(struct out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->fp) != o->len) {
        fprintf(stderr, "gen_population: writing %s: %s\n", o->path, strerror(errno));
        return -1;
    }
    o->bytes += o->len;
    o->len = 0;
    return 0;
}

/* Room for one more line of up to LINEMAX bytes; flushes when needed. */
static char *out_room(struct out *o)
{
    if (o->len + LINEMAX > OUTBUF && out_flush(o) != 0)
        return NULL;
    return o->buf + o->len;
}

static int out_close(struct out *o)
{
    int rc = 0;
    if (o->fp) {
        rc = out_flush(o);
        if (fclose(o->fp) != 0) {
            fprintf(stderr, "gen_population: closing %s: %s\n", o->path, strerror(errno));
            rc = -1;
        }
    }
    free(o->buf);
    o->fp = NULL;
    o->buf = NULL;
    return rc;
}

/* Appends one person as a JSON line. */
static int out_person(struct out *o, const struct pop_person *x)
{
    char *w = out_room(o);
    if (!w)
        return -1;
    int n = pop_to_json(x, w, LINEMAX - 1);
    if (n < 0) {
        fprintf(stderr, "gen_population: %s does not fit in a line\n", x->id);
        return -1;
    }
    w[n] = '\n';
    o->len += (size_t)n + 1;
    return 0;
}

/* Parallel alerts: worker w makes blocks w, w + T, w + 2T, ... and writes them in turn. */
#define BLOCK      8192u
#define MAXTHREADS 64

struct par {
    const struct pop *p;
    FILE *fp;
    unsigned long long n, nblocks, next, bytes;
    unsigned threads;
    int failed;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

struct worker {
    struct par *par;
    unsigned w;
};

static void *alert_worker(void *arg)
{
    struct worker *wk = arg;
    struct par *par = wk->par;
    char *buf = malloc((size_t)BLOCK * LINEMAX);
    struct pop_person x;
    for (unsigned long long b = wk->w; b < par->nblocks; b += par->threads) {
        size_t len = 0;
        unsigned long long end = (b + 1) * BLOCK < par->n ? (b + 1) * BLOCK : par->n;
        for (unsigned long long i = b * BLOCK; buf && i < end; i++) {
            pop_alert(par->p, i, &x);
            int n = pop_to_json(&x, buf + len, LINEMAX - 1);
            if (n < 0) {
                free(buf);
                buf = NULL;
                break;
            }
            buf[len + (size_t)n] = '\n';
            len += (size_t)n + 1;
        }
        pthread_mutex_lock(&par->mu);
        while (par->next != b && !par->failed)
            pthread_cond_wait(&par->cv, &par->mu);
        if (!buf || (!par->failed && fwrite(buf, 1, len, par->fp) != len))
            par->failed = 1;
        par->bytes += len;
        par->next++;
        pthread_cond_broadcast(&par->cv);
        int stop = par->failed;
        pthread_mutex_unlock(&par->mu);
        if (stop)
            break;
    }
    free(buf);
    return NULL;
}

/* Writes alerts 0..n-1 to fp with `threads` workers; returns the bytes written or -1. */
static long long write_alerts(const struct pop *p, FILE *fp, unsigned long long n, unsigned threads)
{
    struct par par = {0};
    struct worker wk[MAXTHREADS];
    pthread_t tid[MAXTHREADS];
    unsigned started = 0;
    par.p = p;
    par.fp = fp;
    par.n = n;
    par.nblocks = (n + BLOCK - 1) / BLOCK;
    par.threads = threads;
    pthread_mutex_init(&par.mu, NULL);
    pthread_cond_init(&par.cv, NULL);
    for (unsigned w = 0; w < threads; w++) {
        wk[w].par = &par;
        wk[w].w = w;
        if (pthread_create(&tid[w], NULL, alert_worker, &wk[w]) != 0) {
            pthread_mutex_lock(&par.mu);
            par.failed = 1;
            pthread_cond_broadcast(&par.cv);
            pthread_mutex_unlock(&par.mu);
            break;
        }
        started++;
    }
    for (unsigned w = 0; w < started; w++)
        pthread_join(tid[w], NULL);
    pthread_cond_destroy(&par.cv);
    pthread_mutex_destroy(&par.mu);
    return par.failed ? -1 : (long long)par.bytes;
}

static int parse_u64(const char *s, unsigned long long *v)
{
    char *end;
    errno = 0;
    *v = strtoull(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && s[0] != '-' ? 0 : -1;
}

static void usage(void)
{
    fprintf(stderr, "usage: gen_population --alerts N [--queries Q] [--negatives M] [--seed S] "
                    "[--threads T] --out DIR\n");
}

static void report(const char *what, unsigned long long n, unsigned long long bytes, double secs)
{
    fprintf(stderr, "  %-22s %12llu records %10.1f MB %7.2f s %10.0f records/s\n", what, n,
            (double)bytes / 1e6, secs, secs > 0 ? (double)n / secs : 0.0);
}

int main(int argc, char **argv)
{
    unsigned long long nalerts = 0, nqueries = 10000, nneg = 10000, seed = 1, threads = 0;
    const char *dir = NULL;
    int have_alerts = 0;
    for (int i = 1; i < argc; i++) {
        unsigned long long *dst = NULL;
        if (strcmp(argv[i], "--alerts") == 0) {
            dst = &nalerts;
            have_alerts = 1;
        } else if (strcmp(argv[i], "--queries") == 0) {
            dst = &nqueries;
        } else if (strcmp(argv[i], "--negatives") == 0) {
            dst = &nneg;
        } else if (strcmp(argv[i], "--seed") == 0) {
            dst = &seed;
        } else if (strcmp(argv[i], "--threads") == 0) {
            dst = &threads;
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            dir = argv[++i];
            continue;
        } else {
            usage();
            return 2;
        }
        if (i + 1 >= argc || parse_u64(argv[i + 1], dst) != 0) {
            fprintf(stderr, "gen_population: %s needs a non-negative integer\n", argv[i]);
            return 2;
        }
        i++;
    }
    if (!have_alerts || !dir) {
        usage();
        return 2;
    }
    if (nalerts == 0 && nqueries > 0) {
        fprintf(stderr, "gen_population: queries need at least one alert\n");
        return 2;
    }
    if (threads == 0) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        threads = ncpu > 0 ? (unsigned long long)ncpu : 1;
    }
    if (threads > MAXTHREADS)
        threads = MAXTHREADS;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen_population: %s: %s\n", dir, strerror(errno));
        return 1;
    }

    static struct pop p;
    pop_init(&p, seed);
    struct pop_person x, a;
    char what[128];
    char path_a[4096], path_q[4096], path_t[4096], path_n[4096];
    struct out oa = {0}, oq = {0}, ot = {0}, on = {0};
    int rc = 1;
    double t0, t1;

    fprintf(stderr, "gen_population: seed %llu, %llu threads -> %s\n", seed, threads, dir);
    if (out_open(&oa, dir, "alerts.jsonl", path_a, sizeof path_a) != 0)
        goto out;
    t0 = bench_now();
    long long abytes = write_alerts(&p, oa.fp, nalerts, (unsigned)threads);
    if (abytes < 0) {
        fprintf(stderr, "gen_population: writing %s failed\n", path_a);
        goto out;
    }
    if (out_close(&oa) != 0)
        goto out;
    t1 = bench_now();
    report("alerts.jsonl", nalerts, (unsigned long long)abytes, t1 - t0);

    if (out_open(&oq, dir, "queries.jsonl", path_q, sizeof path_q) != 0 ||
        out_open(&ot, dir, "queries_truth.tsv", path_t, sizeof path_t) != 0)
        goto out;
    t0 = bench_now();
    for (unsigned long long k = 0; k < nqueries; k++) {
        uint64_t target = pop_query_target(&p, k, nalerts);
        pop_query(&p, k, target, &x, what, sizeof what);
        if (out_person(&oq, &x) != 0)
            goto out;
        pop_alert(&p, target, &a);
        char *w = out_room(&ot);
        if (!w)
            goto out;
        int n = snprintf(w, LINEMAX, "%s\t%s\t%s\n", x.id, a.id, what);
        if (n < 0 || n >= LINEMAX)
            goto out;
        ot.len += (size_t)n;
    }
    if (out_close(&oq) != 0 || out_close(&ot) != 0)
        goto out;
    t1 = bench_now();
    report("queries.jsonl (+truth)", nqueries, oq.bytes + ot.bytes, t1 - t0);

    if (out_open(&on, dir, "negatives.jsonl", path_n, sizeof path_n) != 0)
        goto out;
    t0 = bench_now();
    for (unsigned long long k = 0; k < nneg; k++) {
        pop_negative(&p, k, &x);
        if (out_person(&on, &x) != 0)
            goto out;
    }
    if (out_close(&on) != 0)
        goto out;
    t1 = bench_now();
    report("negatives.jsonl", nneg, on.bytes, t1 - t0);
    rc = 0;
out:
    out_close(&oa);
    out_close(&oq);
    out_close(&ot);
    out_close(&on);
    return rc;
}
