/*
 * Bulk adds: alerts read, parsed and prepared on worker threads, filed in
 * input order by the calling thread.
 *
 * Adding an alert is mostly work that touches no index: parsing its JSON,
 * reading its facts, normalising its names (about three quarters of the
 * time of limen_index_add()). Only filing (arena, dictionary, arrays, id
 * table) writes the index, and the ids it hands out (alert, name, token)
 * depend on the order alerts are filed in. So the input is cut into chunks
 * of CHUNK_ITEMS alerts that go round a ring of chunks:
 *
 *      worker: take a free chunk, fill it   (one worker at a time: the
 *              reader is sequential; a source function is not called here)
 *              prepare its alerts           (all workers at once)
 *              mark it ready
 *      caller: file the chunks in order, report the alerts that failed,
 *              free the chunk for the next fill
 *
 * Filing a prepared alert is what limen_index_add() does after preparing
 * it (index.c), so the index, and a file saved from it, are the same
 * whatever the number of threads. The ring holds 2 chunks per worker:
 * memory in flight is bounded by CHUNK_ITEMS alerts or CHUNK_BYTES of
 * input per chunk.
 *
 * limen__parallel_for() at the end runs the independent pieces of
 * finish() (index.c, expand.c) on the same number of threads.
 */
#include "alloc.h"
#include "limen/buf.h"
#include "entity_int.h"
#include "entity_scan.h"
#include "index_int.h"
#include "status_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK_ITEMS 1024
#define CHUNK_BYTES (1u << 20) /* of input lines; a longer line makes a chunk alone */
#define MAX_THREADS 64
#define PREFETCH_FAR 16
#define PREFETCH_NEAR 8

/* An item that failed before filing: which, why, and whether its line was
 * bad (not read or not parsed: the reader counts it as skipped). */
struct failure {
    size_t k;
    int bad_line;
    struct limen_error err;
};

struct chunk {
    int ready;        /* prepared, waiting to be filed */
    size_t first;     /* item number of its first item */
    size_t n;         /* items */
    long line[CHUNK_ITEMS];
    /* input lines (reader): item k is text[off[k] .. off[k] + len[k]) */
    struct limen_buf text;
    size_t off[CHUNK_ITEMS], len[CHUNK_ITEMS];
    /* prepared records: item k at prep[rec[k]], or SIZE_MAX when it failed */
    struct limen_buf prep;
    size_t rec[CHUNK_ITEMS];
    struct failure *fail; /* in item order */
    size_t nfail, fail_cap;
};

struct bulk {
    struct limen_index *idx;
    struct limen_reader *r; /* either a reader */
    limen_alert_source_fn source; /* or a source of n alerts */
    void *source_ud;
    size_t n;

    pthread_mutex_t fill_lock; /* one filler at a time: input order */
    pthread_mutex_t mu;        /* the ring's state */
    pthread_cond_t cv_free, cv_ready;
    struct chunk *ring;
    size_t nring;
    size_t filled;    /* chunks filled (the next one's number) */
    size_t filed;     /* chunks filed */
    size_t next_item; /* item number of the next chunk's first item */
    int end;          /* the input is exhausted: no chunk after `filled` */
    int stop;         /* the caller stopped */
};

static unsigned online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

unsigned limen__threads(unsigned asked)
{
    if (asked == 0)
        return online_cpus();
    return asked > MAX_THREADS ? MAX_THREADS : asked;
}

/* Records that item k failed; an out-of-memory here loses the message only
 * (the item is still marked, and filing reports it as out of memory). */
static void chunk_fail(struct chunk *c, size_t k, int bad_line, const struct limen_error *err)
{
    if (c->nfail == c->fail_cap) {
        size_t cap = c->fail_cap ? c->fail_cap * 2 : 8;
        struct failure *f = limen__reallocarray(c->fail, cap, sizeof *f);
        if (!f) {
            c->rec[k] = SIZE_MAX;
            return;
        }
        c->fail = f;
        c->fail_cap = cap;
    }
    c->fail[c->nfail].k = k;
    c->fail[c->nfail].bad_line = bad_line;
    c->fail[c->nfail].err = *err;
    c->nfail++;
    c->rec[k] = SIZE_MAX;
}

/*
 * Fills a chunk with the next items of the input (its number already
 * set). Returns 1 when the input ended with it.
 */
static int chunk_fill(struct bulk *b, struct chunk *c)
{
    c->n = 0;
    c->nfail = 0;
    limen_buf_reset(&c->text);
    if (!b->r) {
        size_t left = b->n - b->next_item;
        c->first = b->next_item;
        c->n = left < CHUNK_ITEMS ? left : CHUNK_ITEMS;
        for (size_t k = 0; k < c->n; k++)
            c->line[k] = 0;
        b->next_item += c->n;
        return b->next_item >= b->n;
    }
    c->first = b->next_item;
    int end = 0;
    while (c->n < CHUNK_ITEMS && c->text.len < CHUNK_BYTES) {
        const char *s = NULL;
        size_t len = 0;
        struct limen_error err;
        limen_status st = limen__reader_line(b->r, &s, &len, &err);
        if (st == LIMEN_EOF) {
            end = 1;
            break;
        }
        size_t k = c->n++;
        c->line[k] = err.line;
        c->off[k] = c->text.len;
        c->len[k] = len;
        if (st == LIMEN_OK) {
            limen_buf_add(&c->text, s, len);
            if (limen_buf_failed(&c->text)) {
                /* the lines before are intact: only this one is lost */
                c->text.failed = 0;
                limen__error_set(&err, LIMEN_ENOMEM, NULL, "out of memory");
                err.line = c->line[k];
                st = LIMEN_ENOMEM;
            }
        }
        if (st != LIMEN_OK) {
            chunk_fail(c, k, 1, &err);
            c->len[k] = 0;
            if (st == LIMEN_EIO || st == LIMEN_ENOMEM) {
                end = 1; /* reading cannot go on */
                break;
            }
        }
    }
    b->next_item += c->n;
    return end;
}

/* Whether item k already failed while filling. */
static int failed_early(const struct chunk *c, size_t k)
{
    return c->rec[k] == SIZE_MAX;
}

/*
 * Prepares every item of a filled chunk (any thread, with its own scratch
 * and scanner; es may be NULL: no fast path). A line goes through the entity
 * scanner first (entity_scan.c), which hands over the facts without
 * building a jansson tree; only the lines it does not handle (errors among
 * them) are parsed with jansson, so what is filed and what is reported
 * are the same as when every line was.
 */
static void chunk_prepare(struct bulk *b, struct chunk *c, struct limen__prep_scratch *sc,
                          struct limen__escan *es)
{
    limen_buf_reset(&c->prep);
    /* Items that failed while filling are marked; the rest start unmarked. */
    size_t nf = 0;
    for (size_t k = 0; k < c->n; k++) {
        c->rec[k] = nf < c->nfail && c->fail[nf].k == k ? SIZE_MAX : 0;
        nf += c->rec[k] == SIZE_MAX;
    }
    /* Failures of this stage go after those of filling, then get sorted. */
    size_t early = c->nfail;
    for (size_t k = 0; k < c->n; k++) {
        if (failed_early(c, k))
            continue;
        struct limen_entity *e = NULL;
        struct limen__fact_src src = {NULL, NULL};
        struct limen_error err;
        limen_status st;
        if (b->r) {
            const char *line = c->text.data + c->off[k];
            unsigned flags = limen__reader_flags(b->r);
            if (es && limen__escan_line(es, line, c->len[k], flags)) {
                limen_error_clear(&err);
                src.scan = es;
                st = LIMEN_OK;
            } else {
                /* (clears err itself) */
                st = limen__entity_parse_flags(line, c->len[k], flags, &e, &err);
            }
        } else {
            limen_error_clear(&err);
            st = b->source(b->source_ud, c->first + k, &e, &err);
            if (st == LIMEN_OK && !e)
                st = limen__error_set(&err, LIMEN_EINVAL, NULL, "the source gave no alert");
            if (st != LIMEN_OK && err.status == LIMEN_OK)
                limen__error_set(&err, st, NULL, "%s", limen_strerror(st));
        }
        int bad_line = st != LIMEN_OK; /* not parsed, or the source failed */
        if (st == LIMEN_OK) {
            size_t at = c->prep.len;
            if (!src.scan)
                src.entity = e;
            st = limen__alert_prepare(b->idx->nz, &src, sc, &c->prep, &err);
            if (st == LIMEN_OK) {
                c->rec[k] = at;
            } else {
                /* drop the partial record; the records before are intact */
                c->prep.len = at;
                c->prep.failed = 0;
            }
        }
        limen_entity_free(e);
        if (st != LIMEN_OK) {
            err.line = c->line[k];
            chunk_fail(c, k, bad_line, &err);
        }
    }
    /* Merge the two runs of failures into item order (both are sorted). */
    if (early && c->nfail > early) {
        struct failure tmp;
        for (size_t i = early; i < c->nfail; i++) {
            for (size_t j = i; j > 0 && c->fail[j - 1].k > c->fail[j].k; j--) {
                tmp = c->fail[j];
                c->fail[j] = c->fail[j - 1];
                c->fail[j - 1] = tmp;
            }
        }
    }
}

/* A scanner for one thread, or NULL (then every line goes to jansson). */
static struct limen__escan *escan_new(void)
{
    struct limen__escan *es = limen__malloc(sizeof *es);
    if (es)
        limen__escan_init(es);
    return es;
}

static void escan_free(struct limen__escan *es)
{
    if (es)
        limen__escan_release(es);
    limen__free(es);
}

static void *worker(void *arg)
{
    struct bulk *b = arg;
    struct limen__prep_scratch *sc = limen__malloc(sizeof *sc);
    struct limen__escan *es = escan_new();
    for (;;) {
        pthread_mutex_lock(&b->fill_lock);
        pthread_mutex_lock(&b->mu);
        while (!b->end && !b->stop && b->filled - b->filed >= b->nring)
            pthread_cond_wait(&b->cv_free, &b->mu);
        if (b->end || b->stop) {
            pthread_mutex_unlock(&b->mu);
            pthread_mutex_unlock(&b->fill_lock);
            break;
        }
        struct chunk *c = &b->ring[b->filled % b->nring];
        pthread_mutex_unlock(&b->mu);
        int end = chunk_fill(b, c);
        pthread_mutex_lock(&b->mu);
        b->filled++;
        if (end)
            b->end = 1;
        pthread_cond_broadcast(&b->cv_free); /* workers waiting to fill see the end */
        pthread_mutex_unlock(&b->mu);
        pthread_mutex_unlock(&b->fill_lock);

        if (sc) {
            chunk_prepare(b, c, sc, es);
        } else {
            /* No scratch: every item of the chunk fails with out of memory. */
            struct limen_error err;
            limen__error_set(&err, LIMEN_ENOMEM, NULL, "out of memory");
            for (size_t k = 0; k < c->n; k++)
                c->rec[k] = SIZE_MAX;
            c->nfail = 0;
            for (size_t k = 0; k < c->n; k++) {
                err.line = c->line[k];
                chunk_fail(c, k, 0, &err);
            }
        }
        pthread_mutex_lock(&b->mu);
        c->ready = 1;
        pthread_cond_broadcast(&b->cv_ready);
        pthread_mutex_unlock(&b->mu);
    }
    limen__free(sc);
    escan_free(es);
    return NULL;
}

/*
 * Files the items of a prepared chunk in order. Returns LIMEN_OK, or the
 * status of the item at which `report` asked to stop.
 */
static limen_status chunk_file(struct bulk *b, struct chunk *c, limen_index_report_fn report,
                               void *ud, struct limen_index_add_stats *stats)
{
    size_t nf = 0;
    for (size_t k = 0; k < c->n; k++) {
        struct limen_error err;
        limen_status st;
        const struct limen_error *why = &err;
        int bad_line = 0;
        /* the records PREFETCH_FAR and PREFETCH_NEAR ahead (index.c) */
        if (k + PREFETCH_FAR < c->n && c->rec[k + PREFETCH_FAR] != SIZE_MAX)
            limen__alert_prefetch(b->idx, (const unsigned char *)c->prep.data +
                                              c->rec[k + PREFETCH_FAR], 0);
        if (k + PREFETCH_NEAR < c->n && c->rec[k + PREFETCH_NEAR] != SIZE_MAX)
            limen__alert_prefetch(b->idx, (const unsigned char *)c->prep.data +
                                              c->rec[k + PREFETCH_NEAR], 1);
        if (nf < c->nfail && c->fail[nf].k == k) {
            why = &c->fail[nf].err;
            bad_line = c->fail[nf].bad_line;
            st = why->status;
            nf++;
        } else if (c->rec[k] == SIZE_MAX) {
            st = limen__error_set(&err, LIMEN_ENOMEM, NULL, "out of memory");
            err.line = c->line[k];
        } else {
            int rep = 0;
            st = limen__alert_file(b->idx, (const unsigned char *)c->prep.data + c->rec[k], &rep,
                                   &err);
            err.line = c->line[k];
            if (st == LIMEN_OK && stats) {
                stats->added++;
                stats->replaced += (size_t)rep;
            }
        }
        /* the reader's counts, as limen_reader_next() keeps them */
        if (b->r && st != LIMEN_EIO)
            limen__reader_count(b->r, !bad_line);
        if (st == LIMEN_OK)
            continue;
        if (stats)
            stats->rejected++;
        if (report && report(ud, c->first + k, !bad_line, why) != 0)
            return st;
    }
    return LIMEN_OK;
}

static limen_status bulk_add(struct bulk *b, unsigned threads, limen_index_report_fn report,
                             void *ud, struct limen_index_add_stats *stats)
{
    limen_status st = LIMEN_ENOMEM;
    pthread_t tid[MAX_THREADS];
    unsigned started = 0;
    struct limen__prep_scratch *sc = NULL;
    struct limen__escan *es = NULL;
    threads = limen__threads(threads);
    b->nring = threads > 1 ? 2 * (size_t)threads : 1;
    b->ring = limen__calloc(b->nring, sizeof *b->ring);
    if (!b->ring)
        return LIMEN_ENOMEM;
    for (size_t i = 0; i < b->nring; i++) {
        limen_buf_init(&b->ring[i].text);
        limen_buf_init(&b->ring[i].prep);
    }
    pthread_mutex_init(&b->fill_lock, NULL);
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv_free, NULL);
    pthread_cond_init(&b->cv_ready, NULL);
    if (threads > 1)
        for (; started < threads; started++)
            if (pthread_create(&tid[started], NULL, worker, b) != 0)
                break;
    if (!started) {
        /* One thread (or none could start): fill, prepare and file in turn. */
        sc = limen__malloc(sizeof *sc);
        if (!sc)
            goto out;
        es = escan_new();
    }
    st = LIMEN_OK;
    for (size_t seq = 0;; seq++) {
        struct chunk *c = &b->ring[seq % b->nring];
        if (!started) {
            if (b->end)
                break;
            b->end = chunk_fill(b, c);
            b->filled++;
            chunk_prepare(b, c, sc, es);
        } else {
            pthread_mutex_lock(&b->mu);
            while (!(seq < b->filled && c->ready) && !(b->end && seq >= b->filled))
                pthread_cond_wait(&b->cv_ready, &b->mu);
            int done = seq >= b->filled;
            pthread_mutex_unlock(&b->mu);
            if (done)
                break;
        }
        st = chunk_file(b, c, report, ud, stats);
        pthread_mutex_lock(&b->mu);
        c->ready = 0;
        b->filed++;
        if (st != LIMEN_OK)
            b->stop = 1;
        pthread_cond_broadcast(&b->cv_free);
        pthread_mutex_unlock(&b->mu);
        if (st != LIMEN_OK)
            break;
    }
out:
    pthread_mutex_lock(&b->mu);
    b->stop = 1;
    pthread_cond_broadcast(&b->cv_free);
    pthread_mutex_unlock(&b->mu);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    for (size_t i = 0; i < b->nring; i++) {
        limen_buf_release(&b->ring[i].text);
        limen_buf_release(&b->ring[i].prep);
        limen__free(b->ring[i].fail);
    }
    limen__free(b->ring);
    limen__free(sc);
    escan_free(es);
    pthread_cond_destroy(&b->cv_free);
    pthread_cond_destroy(&b->cv_ready);
    pthread_mutex_destroy(&b->mu);
    pthread_mutex_destroy(&b->fill_lock);
    return st;
}

limen_status limen_index_add_reader(struct limen_index *idx, struct limen_reader *r,
                                    unsigned threads, limen_index_report_fn report, void *ud,
                                    struct limen_index_add_stats *stats)
{
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!idx || !r)
        return LIMEN_EINVAL;
    struct bulk b;
    memset(&b, 0, sizeof b);
    b.idx = idx;
    b.r = r;
    return bulk_add(&b, threads, report, ud, stats);
}

limen_status limen_index_add_source(struct limen_index *idx, size_t n, limen_alert_source_fn source,
                                    void *source_ud, unsigned threads,
                                    limen_index_report_fn report, void *ud,
                                    struct limen_index_add_stats *stats)
{
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!idx || !source)
        return LIMEN_EINVAL;
    if (n == 0)
        return LIMEN_OK;
    struct bulk b;
    memset(&b, 0, sizeof b);
    b.idx = idx;
    b.source = source;
    b.source_ud = source_ud;
    b.n = n;
    return bulk_add(&b, threads, report, ud, stats);
}

/* ---- running independent pieces of finish() on several threads ---- */

struct par {
    void (*fn)(void *ud, size_t i);
    void *ud;
    size_t n;
    atomic_size_t next;
};

static void *par_run(void *arg)
{
    struct par *p = arg;
    for (size_t i; (i = atomic_fetch_add(&p->next, 1)) < p->n;)
        p->fn(p->ud, i);
    return NULL;
}

void limen__parallel_for(unsigned threads, size_t n, void (*fn)(void *ud, size_t i), void *ud)
{
    struct par p = {fn, ud, n, 0};
    pthread_t tid[MAX_THREADS];
    unsigned started = 0;
    threads = limen__threads(threads);
    if (threads > n)
        threads = (unsigned)n;
    /* The calling thread is one of them; a thread that cannot start leaves
     * its share to the others. */
    while (started + 1 < threads && pthread_create(&tid[started], NULL, par_run, &p) == 0)
        started++;
    par_run(&p);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
}
