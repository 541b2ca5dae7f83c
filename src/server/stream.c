/*
 * GET /v1/hits/stream: the new hits on an agency's alerts as Server-Sent
 * Events (text/event-stream), one event a hit:
 *
 *     id: 42
 *     event: hit
 *     data: {"id":42,"alert_id":"ma-0001",...}     (as in GET /v1/hits)
 *
 * libmicrohttpd asks stream_read() for bytes whenever the socket can take
 * them. The server runs a thread per connection, so the callback may block:
 * with nothing to send it lists the hits after the last one sent and, when
 * there are none, waits on the hits condition that screenings signal
 * (server_notify_hits) until a hit, the heartbeat time or the server's stop.
 * A comment line (": heartbeat") goes out after `heartbeat` idle seconds, so
 * that proxies and clients see a live connection and a client that went away
 * is noticed at the next write. Hit ids only grow and a hit is visible with
 * every smaller id, so "after the last id sent" loses nothing across waits
 * and reconnections (Last-Event-ID). Each batch of events is written to the
 * audit log, durably, before it is sent; if that fails the stream ends. A
 * stream ends after STREAM_MAX_SECONDS so that a revoked token stops
 * receiving: EventSource reconnects, authenticating again.
 */
#include "server.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STREAM_MAX_SECONDS 3600
#define STREAM_BATCH       100 /* hits read from the store at a time */

struct hit_stream {
    struct server *srv;
    struct limen_user user;
    int64_t last; /* id of the last hit sent (or the starting point) */
    char *buf;    /* text ready to send: buf[off..len) */
    size_t len, off, cap;
    json_t *ids; /* alert ids of the batch being formatted, for the audit entry */
    int failed;  /* out of memory while formatting */
    time_t opened, next_beat;
};

static time_t mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

static void release_slot(struct server *srv)
{
    pthread_mutex_lock(&srv->stream_mu);
    srv->streams--;
    pthread_mutex_unlock(&srv->stream_mu);
}

int stream_new(struct server *srv, const struct limen_user *user, int64_t after,
               struct hit_stream **out)
{
    *out = NULL;
    pthread_mutex_lock(&srv->stream_mu);
    int full = srv->streams >= srv->max_streams;
    if (!full)
        srv->streams++;
    pthread_mutex_unlock(&srv->stream_mu);
    if (full)
        return 1;
    struct hit_stream *s = calloc(1, sizeof *s);
    if (!s) {
        release_slot(srv);
        return -1;
    }
    s->srv = srv;
    s->user = *user;
    s->last = after;
    s->opened = mono_now();
    s->next_beat = s->opened + srv->heartbeat;
    *out = s;
    return 0;
}

void stream_free(void *cls)
{
    struct hit_stream *s = cls;
    if (!s)
        return;
    release_slot(s->srv);
    json_decref(s->ids);
    free(s->buf);
    free(s);
}

/* Appends n bytes to the text to send; 0, or -1 when out of memory. */
static int put(struct hit_stream *s, const char *text, size_t n)
{
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : 16384;
        while (cap < s->len + n)
            cap *= 2;
        char *b = realloc(s->buf, cap);
        if (!b)
            return -1;
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, text, n);
    s->len += n;
    return 0;
}

static int put_event(void *ctx, const struct limen_hit *h)
{
    struct hit_stream *s = ctx;
    char head[64];
    json_t *doc = api_hit_json(h);
    /* Compact JSON holds no newline (they are escaped in strings): one data line. */
    char *data = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    int n = snprintf(head, sizeof head, "id: %lld\nevent: hit\ndata: ", (long long)h->id);
    if (!data || put(s, head, (size_t)n) != 0 || put(s, data, strlen(data)) != 0 ||
        put(s, "\n\n", 2) != 0 || json_array_append_new(s->ids, json_string(h->alert_id)) != 0) {
        free(data);
        s->failed = 1;
        return 1; /* stop listing */
    }
    free(data);
    s->last = h->id;
    return 0;
}

/* Writes the audit entry of the events formatted since `from`: 0, or -1 (then nothing is sent). */
static int audit_batch(struct hit_stream *s, int64_t from)
{
    char search[64];
    snprintf(search, sizeof search, "{\"after\":%lld,\"stream\":true}", (long long)from);
    char *results = json_dumps(s->ids, JSON_COMPACT);
    if (!results)
        return -1;
    struct limen_audit_entry e = {0,
                                  (int64_t)time(NULL),
                                  s->user.id,
                                  s->user.name,
                                  s->user.agency,
                                  "GET /v1/hits/stream (events)",
                                  search,
                                  results,
                                  200};
    struct commit_item it;
    memset(&it, 0, sizeof it);
    it.audit = &e;
    server_commit(s->srv, &it);
    free(results);
    if (it.st != LIMEN_OK) {
        fprintf(stderr,
                "limen serve: a hit stream of %s ends: the audit log cannot be written: %s\n",
                s->user.name, it.err.message);
        return -1;
    }
    return 0;
}

/* Fills the text to send: the hits after s->last, a heartbeat, or nothing yet. */
static int fill(struct hit_stream *s)
{
    struct server *srv = s->srv;
    int64_t from = s->last;
    s->len = s->off = 0;
    json_decref(s->ids);
    s->ids = json_array();
    if (!s->ids)
        return -1;
    if (limen_store_hits_list(srv->hub.store, s->user.agency, s->last, STREAM_BATCH, put_event,
                              s) != LIMEN_OK ||
        s->failed)
        return -1;
    if (s->len) {
        if (audit_batch(s, from) != 0)
            return -1;
        s->next_beat = mono_now() + srv->heartbeat;
        return 0;
    }
    if (mono_now() >= s->next_beat) {
        s->next_beat = mono_now() + srv->heartbeat;
        return put(s, ": heartbeat\n\n", 13);
    }
    return 0;
}

ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct hit_stream *s = cls;
    struct server *srv = s->srv;
    if (pos == 0 && s->len == 0) {
        /* At once: the client knows it is connected and how soon to reconnect. */
        char hello[96];
        int n =
            snprintf(hello, sizeof hello, "retry: 3000\n: hits after %lld\n\n", (long long)s->last);
        if (put(s, hello, (size_t)n) != 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    while (s->off == s->len) {
        if (server_stopping(srv) || mono_now() - s->opened >= STREAM_MAX_SECONDS)
            return MHD_CONTENT_READER_END_OF_STREAM;
        /* The generation is read before the store: a hit recorded in between wakes the wait. */
        uint64_t gen = server_hits_generation(srv);
        if (fill(s) != 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (s->off < s->len)
            break;
        time_t wait = s->next_beat - mono_now();
        server_wait_hits(srv, gen, wait > 0 ? (int)wait : 1);
    }
    size_t n = s->len - s->off < max ? s->len - s->off : max;
    memcpy(buf, s->buf + s->off, n);
    s->off += n;
    return (ssize_t)n;
}
