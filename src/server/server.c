/*
 * `limen serve` on libmicrohttpd: a thread pool answering HTTP/1.1 (TLS with
 * --tls-cert/--tls-key), bodies bounded by --max-body, graceful shutdown on
 * SIGTERM/SIGINT (no new connections, requests in flight finish), SIGHUP
 * re-reads the sharing groups from the store. Also
 * `limen admin` (agencies, users, tokens on a store) and `limen audit`
 * (verify, list, prune).
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- rate limits and hit notifications ---- */

int server_rate_ok(struct server *srv, int64_t token_id)
{
    if (!srv->hub.rate_per_minute)
        return 1;
    int64_t minute = (int64_t)time(NULL) / 60;
    size_t n = sizeof srv->rate / sizeof srv->rate[0];
    size_t i = (size_t)((uint64_t)token_id * 0x9E3779B97F4A7C15ULL >> 52) % n;
    int ok;
    pthread_mutex_lock(&srv->rate_mu);
    struct rate_slot *s = &srv->rate[i];
    if (s->token != token_id || s->window != minute) {
        /* A collision with another token resets the window: generous, never unfair. */
        s->token = token_id;
        s->window = minute;
        s->count = 0;
    }
    ok = ++s->count <= srv->hub.rate_per_minute;
    pthread_mutex_unlock(&srv->rate_mu);
    return ok;
}

void server_notify_hits(struct server *srv)
{
    pthread_mutex_lock(&srv->hits_mu);
    srv->hits_gen++;
    pthread_cond_broadcast(&srv->hits_cv);
    pthread_mutex_unlock(&srv->hits_mu);
}

uint64_t server_hits_generation(struct server *srv)
{
    pthread_mutex_lock(&srv->hits_mu);
    uint64_t g = srv->hits_gen;
    pthread_mutex_unlock(&srv->hits_mu);
    return g;
}

int server_wait_hits(struct server *srv, uint64_t gen, int seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += seconds;
    int moved;
    pthread_mutex_lock(&srv->hits_mu);
    while (srv->hits_gen == gen && !srv->stopping)
        if (pthread_cond_timedwait(&srv->hits_cv, &srv->hits_mu, &ts) == ETIMEDOUT)
            break;
    moved = srv->hits_gen != gen;
    pthread_mutex_unlock(&srv->hits_mu);
    return moved;
}

void server_stop_waits(struct server *srv)
{
    pthread_mutex_lock(&srv->hits_mu);
    srv->stopping = 1;
    pthread_cond_broadcast(&srv->hits_cv);
    pthread_mutex_unlock(&srv->hits_mu);
}

int server_stopping(struct server *srv)
{
    pthread_mutex_lock(&srv->hits_mu);
    int stopping = srv->stopping;
    pthread_mutex_unlock(&srv->hits_mu);
    return stopping;
}

/* ---- group commit ---- */

static void run_batch(void *ctx)
{
    struct server *srv = ((void **)ctx)[0];
    struct commit_item *list = ((void **)ctx)[1];
    for (struct commit_item *it = list; it; it = it->next) {
        it->st = LIMEN_OK;
        for (size_t i = 0; i < it->nhits && i < 64; i++)
            if (limen_store_hit_add(srv->hub.store, &it->hits[i], &it->hit_ids[i], NULL) !=
                LIMEN_OK)
                it->hit_ids[i] = 0;
        if (it->audit)
            it->st = limen_store_audit_append(srv->hub.store, it->audit, NULL, &it->err);
    }
}

void server_commit(struct server *srv, struct commit_item *it)
{
    /*
     * Each waiter sleeps on its own condition and is woken once: when its
     * item is durable, or to lead the next batch. (One shared condition woke
     * every waiter at the end of each batch, most of them to sleep again.)
     */
    pthread_cond_init(&it->cv, NULL);
    pthread_mutex_lock(&srv->commit_mu);
    it->next = srv->pending;
    srv->pending = it;
    while (!it->done) {
        if (srv->committing) {
            pthread_cond_wait(&it->cv, &srv->commit_mu);
            continue;
        }
        /* Lead a batch: everything pending now, this item included. */
        struct commit_item *list = srv->pending;
        srv->pending = NULL;
        srv->committing = 1;
        pthread_mutex_unlock(&srv->commit_mu);
        void *ctx[2] = {srv, list};
        struct limen_error err;
        limen_status st = limen_store_batch(srv->hub.store, run_batch, ctx, &err);
        pthread_mutex_lock(&srv->commit_mu);
        for (struct commit_item *x = list, *next; x; x = next) {
            next = x->next; /* x belongs to its thread again once done and signalled */
            if (st != LIMEN_OK) {
                x->st = st;
                x->err = err;
                memset(x->hit_ids, 0, sizeof x->hit_ids);
            }
            x->done = 1;
            if (x != it)
                pthread_cond_signal(&x->cv);
        }
        srv->committing = 0;
        /* What arrived meanwhile is the next batch: its newest waiter leads it. */
        if (srv->pending)
            pthread_cond_signal(&srv->pending->cv);
    }
    pthread_mutex_unlock(&srv->commit_mu);
    pthread_cond_destroy(&it->cv);
}

/* ---- libmicrohttpd glue ---- */

struct conn_state {
    char *body;
    size_t len, cap;
    int too_big;
};

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    struct server *srv = cls;
    struct conn_state *cs = *con_cls;
    (void)version;
    if (!cs) {
        cs = calloc(1, sizeof *cs);
        if (!cs)
            return MHD_NO;
        *con_cls = cs;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (cs->too_big || cs->len + n > srv->hub.max_body) {
            cs->too_big = 1; /* the rest is read and dropped; the answer is 413 */
            return MHD_YES;
        }
        if (cs->len + n + 1 > cs->cap) {
            size_t cap = cs->cap ? cs->cap : 4096;
            while (cap < cs->len + n + 1)
                cap *= 2;
            char *b = realloc(cs->body, cap);
            if (!b)
                return MHD_NO;
            cs->body = b;
            cs->cap = cap;
        }
        memcpy(cs->body + cs->len, upload, n);
        cs->len += n;
        cs->body[cs->len] = '\0';
        return MHD_YES;
    }
    struct api_answer a;
    api_dispatch(srv, conn, method, url, cs->body, cs->len, cs->too_big, &a);
    if (a.stream) {
        /* Unknown size: chunked, each event sent as the callback produces it. */
        struct MHD_Response *sr = MHD_create_response_from_callback(
            MHD_SIZE_UNKNOWN, 16384, stream_read, a.stream, stream_free);
        if (!sr) {
            stream_free(a.stream);
            return MHD_NO;
        }
        MHD_add_response_header(sr, "Content-Type", "text/event-stream");
        MHD_add_response_header(sr, "Cache-Control", "no-store");
        MHD_add_response_header(sr, "X-Accel-Buffering", "no"); /* proxies: do not hold events */
        enum MHD_Result r = MHD_queue_response(conn, 200, sr);
        MHD_destroy_response(sr);
        return r;
    }
    if (!a.body) {
        a.status = 500;
        a.body = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
        if (!a.body)
            return MHD_NO;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(a.body), a.body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(a.body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (a.allow)
        MHD_add_response_header(resp, "Allow", a.allow);
    if (a.etag > 0) {
        char etag[32];
        snprintf(etag, sizeof etag, "\"%lld\"", (long long)a.etag);
        MHD_add_response_header(resp, "ETag", etag);
    }
    enum MHD_Result r = MHD_queue_response(conn, a.status, resp);
    MHD_destroy_response(resp);
    return r;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct conn_state *cs = *con_cls;
    if (cs) {
        free(cs->body);
        free(cs);
        *con_cls = NULL;
    }
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, 4096, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

/* ---- snapshots while serving ---- */

/*
 * The snapshot's path into out[cap]: `given`, or when it is NULL the store's
 * name + ".snapshot" (limen serve and limen admin snapshot agree on it).
 * Returns 0, or -1 when it does not fit.
 */
static int snapshot_path(char *out, size_t cap, const char *db, const char *given)
{
    int n = given ? snprintf(out, cap, "%s", given) : snprintf(out, cap, "%s.snapshot", db);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/*
 * A thread that writes the hub's snapshot while the server runs, so that a
 * restart after a crash (kill -9, power loss) loads a recent snapshot and
 * applies only the changes made since, instead of rebuilding the index from
 * the store. It writes when the store has changes the snapshot in use lacks,
 * every `every` seconds, or as soon as `changes` of them have piled up.
 * hub_snapshot_write() keeps screening running meanwhile; the thread is the
 * hub's only snapshot writer until it is joined.
 */
struct snapshotter {
    struct hub *hub;
    const char *path;
    unsigned every;   /* seconds; 0: no timer */
    unsigned changes; /* changes that trigger a write; 0: none */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* signalled when `stop` is set; waits on CLOCK_MONOTONIC */
    int stop;
};

static double mono_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One snapshot write and its log line; `why` says who asked ("periodic", "at stop"). */
static int snapshot_now(struct hub *h, const char *path, const char *why, unsigned retry)
{
    struct limen_error err;
    struct hub_snapshot_stats st;
    limen_error_clear(&err);
    int rc = hub_snapshot_write(h, path, &st, &err);
    if (rc < 0)
        fprintf(stderr, "limen serve: snapshot %s not written (%s): %s", path, why, err.message);
    else if (rc == 0) {
        fprintf(stderr,
                "limen serve: snapshot %s written (%s; watermark %lld, %zu alerts) in %.2f s; "
                "writes waited %.3f s for the copy (index %.3f s, table %.3f s); "
                "%s in %.3f s",
                path, why, (long long)st.watermark, st.alerts, st.seconds, st.locked,
                st.locked_index, st.locked - st.locked_index,
                st.compacted ? "compacted" : "not compacted (out of memory)", st.compact_seconds);
        if (st.swapped)
            fprintf(stderr,
                    "; swapped in as the live index (%zu changes caught up in %.3f s, "
                    "longest write-lock hold %.3f ms)",
                    st.caught_up, st.swap_seconds, st.swap_locked * 1e3);
        else
            fprintf(stderr, "; not swapped in (%s): serving on the index in use", st.swap_why);
    } else if (!retry)
        fprintf(stderr, "limen serve: snapshot %s still current (watermark %lld)", path,
                (long long)st.watermark);
    if (rc < 0 && retry)
        fprintf(stderr, "; serving on, the previous snapshot stays valid, next try in %u s",
                retry);
    if (rc <= 0 || !retry)
        fputc('\n', stderr);
    fflush(stderr);
    return rc;
}

static void *snapshot_loop(void *arg)
{
    struct snapshotter *sn = arg;
    double last = mono_seconds(); /* the last write (or check that found nothing to write) */
    double hold = 0;              /* after a failure, no try before this */
    unsigned retry = sn->every ? sn->every : 60;
    /* With a change trigger the store's watermark is read every second; otherwise
     * the thread sleeps a period at a time. */
    unsigned tick = sn->changes ? 1 : sn->every;
    pthread_mutex_lock(&sn->mu);
    while (!sn->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        /* A hub rebuilt at start has no snapshot yet: the first one is written soon. */
        ts.tv_sec += !sn->hub->snap_index[0] && !hold && tick > 2 ? 2 : tick;
        if (pthread_cond_timedwait(&sn->cv, &sn->mu, &ts) != ETIMEDOUT || sn->stop)
            continue;
        pthread_mutex_unlock(&sn->mu);
        double now = mono_seconds();
        int due = 0;
        if (now >= hold) {
            due = !sn->hub->snap_index[0] || (sn->every && now - last >= sn->every - 0.5);
            int64_t id = 0, seq = 0, ver = 0;
            char last_id[LIMEN_ALERT_ID_MAX];
            if (!due && sn->changes &&
                limen_store_alert_watermark(sn->hub->store, &id, &seq, last_id, &ver) ==
                    LIMEN_OK)
                due = seq - sn->hub->snap_seq >= (int64_t)sn->changes;
        }
        if (due) {
            int rc = snapshot_now(sn->hub, sn->path, "periodic", retry);
            last = mono_seconds();
            /* After a failure the next try waits a whole period: a full disk is not hammered. */
            hold = rc < 0 ? last + retry : 0;
        }
        pthread_mutex_lock(&sn->mu);
    }
    pthread_mutex_unlock(&sn->mu);
    return NULL;
}

static void serve_usage(FILE *out)
{
    fprintf(out,
            "usage: limen serve [--db FILE] [--listen ADDR:PORT] [--threads N] [--max-body BYTES]\n"
            "                   [--rate N] [--tls-cert FILE --tls-key FILE] [--threshold T]\n"
            "                   [--max-streams N] [--heartbeat SECONDS]\n"
            "                   [--snapshot FILE | --no-snapshot]\n"
            "                   [--snapshot-every SECONDS] [--snapshot-changes N]\n"
            "\n"
            "Runs the hub: the HTTP/JSON API (docs/server.md, /openapi.json) over the store\n"
            "FILE (SQLite, default limen.db; create its first agency, admin and token with\n"
            "limen admin init). Stops cleanly on SIGTERM or SIGINT.\n"
            "\n"
            "  --db FILE         the store (default limen.db)\n"
            "  --listen A:P      address and port (default 127.0.0.1:8080)\n"
            "  --threads N       connections served at once, a thread each (default 256)\n"
            "  --max-body BYTES  largest request body (default 1048576)\n"
            "  --rate N          requests a minute per token (default 6000; 0: no limit)\n"
            "  --tls-cert FILE   PEM certificate; with --tls-key, serve HTTPS\n"
            "  --threshold T     default match threshold (default %.2f)\n"
            "  --max-streams N   hit streams (GET /v1/hits/stream) open at once (default 32,\n"
            "                    at most half of --threads; more are 503); each holds a\n"
            "                    connection's thread, so N stays below --threads\n"
            "  --heartbeat S     seconds between comments on an idle stream (default 15)\n"
            "  --snapshot FILE   the hub's snapshot (default: the store's name + .snapshot;\n"
            "                    the saved index beside it as FILE.index-N): loaded at start\n"
            "                    when it is of this store and not ahead of it, then\n"
            "                    the alert changes made since are applied; otherwise the\n"
            "                    index is rebuilt from the store (the log says why). Written\n"
            "                    on SIGTERM/SIGINT once requests in flight have finished,\n"
            "                    and while serving (below)\n"
            "  --snapshot-every S  while serving, write the snapshot every S seconds when\n"
            "                    alerts changed since the last one (default 300; 0: only\n"
            "                    at stop), and soon after a start that rebuilt the index,\n"
            "                    so that a restart after a crash (kill -9, power loss)\n"
            "                    loads it and applies only the changes made since.\n"
            "                    Screening goes on during the write; alert writes wait\n"
            "                    while the index is copied to memory (0.15-0.65 s at 1M\n"
            "                    alerts; docs/server.md). A write that\n"
            "                    fails is logged and tried again a period later; the\n"
            "                    previous snapshot stays valid. The index written,\n"
            "                    with the changes made meanwhile, becomes the index\n"
            "                    in use: changes made while serving do not pile up\n"
            "                    in it (/healthz: index_pending)\n"
            "  --snapshot-changes N  also write it as soon as N alert changes are not in\n"
            "                    it (default 0: no such trigger)\n"
            "  --no-snapshot     neither load nor write a snapshot: rebuild at every start\n",
            LIMEN_DEFAULT_THRESHOLD);
}

int limen_server_serve(int argc, char **argv)
{
    const char *db = "limen.db", *listen_at = "127.0.0.1:8080", *cert = NULL, *key = NULL;
    long threads = 256, max_body = 1 << 20, rate = 6000, max_streams = -1, heartbeat = 15;
    const char *snapshot = NULL;
    int no_snapshot = 0;
    long snap_every = 300, snap_changes = 0;
    double threshold = LIMEN_DEFAULT_THRESHOLD;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            serve_usage(stdout);
            return 0;
        }
        if (!strcmp(o, "--no-snapshot")) {
            no_snapshot = 1;
            continue;
        }
        if (!v) {
            fprintf(stderr, "limen: serve: %s needs a value (see limen serve --help)\n", o);
            return 1;
        }
        i++;
        if (!strcmp(o, "--db"))
            db = v;
        else if (!strcmp(o, "--listen"))
            listen_at = v;
        else if (!strcmp(o, "--snapshot") && *v)
            snapshot = v;
        else if (!strcmp(o, "--tls-cert"))
            cert = v;
        else if (!strcmp(o, "--tls-key"))
            key = v;
        else if (!strcmp(o, "--threads") && (threads = strtol(v, &end, 10), !*end) && threads > 0 &&
                 threads <= 4096)
            ;
        else if (!strcmp(o, "--max-body") && (max_body = strtol(v, &end, 10), !*end) &&
                 max_body >= 1024 && max_body <= (1L << 30))
            ;
        else if (!strcmp(o, "--rate") && (rate = strtol(v, &end, 10), !*end) && rate >= 0)
            ;
        else if (!strcmp(o, "--max-streams") && (max_streams = strtol(v, &end, 10), !*end) &&
                 max_streams >= 0 && max_streams <= 4096)
            ;
        else if (!strcmp(o, "--heartbeat") && (heartbeat = strtol(v, &end, 10), !*end) &&
                 heartbeat >= 1 && heartbeat <= 3600)
            ;
        else if (!strcmp(o, "--snapshot-every") && (snap_every = strtol(v, &end, 10), !*end) &&
                 snap_every >= 0 && snap_every <= 7 * 86400)
            ;
        else if (!strcmp(o, "--snapshot-changes") &&
                 (snap_changes = strtol(v, &end, 10), !*end) && snap_changes >= 0 &&
                 snap_changes <= 1000000000L)
            ;
        else if (!strcmp(o, "--threshold") && (threshold = strtod(v, &end), !*end) &&
                 threshold >= 0 && threshold <= 1)
            ;
        else {
            fprintf(stderr, "limen: serve: bad option or value: %s %s\n", o, v);
            return 1;
        }
    }
    if (max_streams < 0) /* by default at most half the connections wait on streams */
        max_streams = threads / 2 < 32 ? threads / 2 : 32;
    if (max_streams >= threads) {
        fprintf(stderr, "limen: serve: --max-streams must stay below --threads (a stream holds a "
                        "connection's thread)\n");
        return 1;
    }
    if (!cert != !key) {
        fprintf(stderr, "limen: serve: --tls-cert and --tls-key go together\n");
        return 1;
    }
    const char *colon = strrchr(listen_at, ':');
    long port = colon ? strtol(colon + 1, NULL, 10) : 0;
    if (!colon || port <= 0 || port > 65535) {
        fprintf(stderr, "limen: serve: --listen takes ADDRESS:PORT, e.g. 127.0.0.1:8080\n");
        return 1;
    }
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(colon - listen_at), listen_at);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        fprintf(stderr, "limen: serve: %s is not an IPv4 address\n", host);
        return 1;
    }

    static struct server srv;
    struct limen_store *store = NULL;
    struct limen_error err;
    struct limen_store_options so = {NULL, 0};
    if (limen_store_open(db, &so, &store, &err) != LIMEN_OK) {
        fprintf(stderr, "limen: serve: %s (create it with limen admin init --db %s ...)\n",
                err.message, db);
        return 2;
    }
    char snap_default[4096];
    if (!snapshot && !no_snapshot) {
        if (snapshot_path(snap_default, sizeof snap_default, db, NULL) != 0) {
            fprintf(stderr, "limen: serve: --db path too long\n");
            limen_store_close(store);
            return 1;
        }
        snapshot = snap_default;
    }
    if (no_snapshot)
        snapshot = NULL;
    if (hub_open(&srv.hub, store, snapshot, &err) != 0) {
        fprintf(stderr, "limen: serve: %s\n", err.message);
        limen_store_close(store);
        return 2;
    }
    srv.hub.threshold = threshold;
    srv.hub.max_body = (size_t)max_body;
    srv.hub.rate_per_minute = (unsigned)rate;
    pthread_mutex_init(&srv.rate_mu, NULL);
    pthread_mutex_init(&srv.hits_mu, NULL);
    pthread_cond_init(&srv.hits_cv, NULL);
    pthread_mutex_init(&srv.commit_mu, NULL);
    pthread_mutex_init(&srv.stream_mu, NULL);
    srv.max_streams = (unsigned)max_streams;
    srv.heartbeat = (int)heartbeat;

    /*
     * SIGTERM and SIGINT stop the server, SIGHUP re-reads the sharing groups.
     * They are blocked here, before libmicrohttpd starts its threads (which
     * inherit the mask), and taken by sigwait() in this thread only.
     */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    char *cert_pem = NULL, *key_pem = NULL;
    /* A thread per connection: a long poll (GET /v1/hits?wait=) blocks only its
     * own connection; --threads bounds the connections served at once. Each
     * thread waits with poll(), not select(): select() fails on a descriptor
     * past FD_SETSIZE (1024), which --threads up to 4096 reaches. */
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG;
    if (cert) {
        cert_pem = read_file(cert);
        key_pem = read_file(key);
        if (!cert_pem || !key_pem) {
            fprintf(stderr, "limen: serve: cannot read %s or %s\n", cert, key);
            return 2;
        }
        flags |= MHD_USE_TLS;
    }
    struct MHD_Daemon *d;
    if (cert)
        d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handler, &srv,
                             MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_CONNECTION_LIMIT,
                             (unsigned)threads, MHD_OPTION_NOTIFY_COMPLETED, completed, &srv,
                             MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_HTTPS_MEM_CERT,
                             cert_pem, MHD_OPTION_HTTPS_MEM_KEY, key_pem, MHD_OPTION_END);
    else
        d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handler, &srv,
                             MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_CONNECTION_LIMIT,
                             (unsigned)threads, MHD_OPTION_NOTIFY_COMPLETED, completed, &srv,
                             MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "limen: serve: cannot listen on %s (in use, or TLS not available)\n",
                listen_at);
        hub_close(&srv.hub);
        limen_store_close(store);
        return 2;
    }
    fprintf(stderr, "limen serve: listening on %s://%s, at most %ld connections, store %s\n",
            cert ? "https" : "http", listen_at, threads, db);
    fflush(stderr);
    /* Its thread starts after libmicrohttpd's, with the signals blocked too. */
    static struct snapshotter sn;
    int sn_running = 0;
    if (snapshot && (snap_every || snap_changes)) {
        sn.hub = &srv.hub;
        sn.path = snapshot;
        sn.every = (unsigned)snap_every;
        sn.changes = (unsigned)snap_changes;
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* waits do not follow the wall clock */
        pthread_mutex_init(&sn.mu, NULL);
        pthread_cond_init(&sn.cv, &ca);
        pthread_condattr_destroy(&ca);
        sn_running = pthread_create(&sn.thread, NULL, snapshot_loop, &sn) == 0;
        if (!sn_running)
            fprintf(stderr, "limen serve: cannot start the snapshot thread: only the stop will "
                            "write a snapshot\n");
    }
    for (;;) {
        int sig = 0;
        if (sigwait(&sigs, &sig) != 0 || sig != SIGHUP)
            break;
        if (hub_groups_load(&srv.hub, &err) != 0)
            fprintf(stderr, "limen serve: SIGHUP: %s (the groups in use are kept)\n", err.message);
        else
            fprintf(stderr, "limen serve: SIGHUP: %zu sharing groups re-read from the store\n",
                    srv.hub.ngroups);
        fflush(stderr);
    }
    fprintf(stderr, "limen serve: stopping (requests in flight finish)\n");
    server_stop_waits(&srv); /* ends long polls and streams */
    if (sn_running) { /* a write in progress finishes first */
        pthread_mutex_lock(&sn.mu);
        sn.stop = 1;
        pthread_cond_signal(&sn.cv);
        pthread_mutex_unlock(&sn.mu);
        pthread_join(sn.thread, NULL);
    }
    MHD_stop_daemon(d);
    /* No request runs now: the table and the index are exactly what was acknowledged. */
    if (snapshot)
        snapshot_now(&srv.hub, snapshot, "at stop", 0);
    hub_close(&srv.hub);
    limen_store_close(store);
    free(cert_pem);
    free(key_pem);
    fprintf(stderr, "limen serve: stopped\n");
    return 0;
}

/* ---- limen admin ---- */

static void admin_usage(FILE *out)
{
    fprintf(out,
            "usage: limen admin init --db FILE --agency CODE --country CC --name NAME\n"
            "                        [--contact TEXT] [--user NAME]\n"
            "       limen admin agency --db FILE --agency CODE --country CC --name NAME [--contact T]\n"
            "       limen admin user --db FILE --agency CODE --user NAME --role officer|analyst|admin\n"
            "       limen admin token --db FILE --user-id ID [--label TEXT]\n"
            "       limen admin import --db FILE --alerts ALERTS.jsonl\n"
            "       limen admin group --db FILE --group CODE --name NAME --agencies A,B,...\n"
            "                         [--owner AGENCY]\n"
            "       limen admin group-delete --db FILE --group CODE\n"
            "       limen admin snapshot --db FILE [--snapshot FILE]\n"
            "\n"
            "init creates the store (if absent), the first agency, its admin user and an API\n"
            "token; agency adds or updates an agency; user adds a user (and prints a token);\n"
            "token issues another token; import stores alerts (FtM entities with their\n"
            "\"alert\" object naming an existing owner agency) as that agency would publish\n"
            "them; group creates a sharing group or replaces its name and members (--owner:\n"
            "the agency whose admins may change it through the hub; none: only this command);\n"
            "group-delete deletes a group no alert distributes to any more (withdrawn ones\n"
            "aside; refused otherwise); snapshot brings the hub's snapshot (default: the\n"
            "store's name + .snapshot) up to the store, or makes it, so that the next\n"
            "limen serve starts from it (after an import made while the hub is stopped).\n"
            "A running limen serve applies group changes made here on SIGHUP or at its next\n"
            "start (changes through POST /v1/groups apply at once). Tokens are printed once,\n"
            "on standard output, and stored only hashed.\n");
}

struct admin_args {
    const char *db, *agency, *country, *name, *contact, *user, *role, *label, *alerts;
    const char *group, *agencies, *owner, *snapshot;
    long long user_id;
};

static int admin_parse(int argc, char **argv, struct admin_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "limen: admin: %s needs a value\n", o);
            return -1;
        }
        i++;
        if (!strcmp(o, "--db"))
            a->db = v;
        else if (!strcmp(o, "--agency"))
            a->agency = v;
        else if (!strcmp(o, "--country"))
            a->country = v;
        else if (!strcmp(o, "--name"))
            a->name = v;
        else if (!strcmp(o, "--contact"))
            a->contact = v;
        else if (!strcmp(o, "--user"))
            a->user = v;
        else if (!strcmp(o, "--role"))
            a->role = v;
        else if (!strcmp(o, "--label"))
            a->label = v;
        else if (!strcmp(o, "--alerts"))
            a->alerts = v;
        else if (!strcmp(o, "--group"))
            a->group = v;
        else if (!strcmp(o, "--agencies"))
            a->agencies = v;
        else if (!strcmp(o, "--owner"))
            a->owner = v;
        else if (!strcmp(o, "--snapshot"))
            a->snapshot = v;
        else if (!strcmp(o, "--user-id"))
            a->user_id = strtoll(v, NULL, 10);
        else {
            fprintf(stderr, "limen: admin: unknown option %s\n", o);
            return -1;
        }
    }
    if (!a->db) {
        fprintf(stderr, "limen: admin: --db FILE is required\n");
        return -1;
    }
    return 0;
}

static int put_agency(struct limen_store *s, const struct admin_args *a)
{
    struct limen_agency ag;
    struct limen_error err;
    memset(&ag, 0, sizeof ag);
    if (!a->agency || !a->country || !a->name) {
        fprintf(stderr, "limen: admin: --agency, --country and --name are required\n");
        return 1;
    }
    snprintf(ag.code, sizeof ag.code, "%s", a->agency);
    snprintf(ag.country, sizeof ag.country, "%s", a->country);
    snprintf(ag.name, sizeof ag.name, "%s", a->name);
    snprintf(ag.contact, sizeof ag.contact, "%s", a->contact ? a->contact : "");
    if (limen_store_agency_put(s, &ag, &err) != LIMEN_OK) {
        fprintf(stderr, "limen: admin: %s\n", err.message);
        return 2;
    }
    return 0;
}

static int new_user(struct limen_store *s, const char *agency, const char *name,
                    enum limen_role role)
{
    struct limen_error err;
    int64_t uid = 0, tid = 0;
    char token[LIMEN_TOKEN_TEXT_MAX];
    if (limen_store_user_add(s, name, agency, role, &uid, &err) != LIMEN_OK ||
        limen_store_token_new(s, uid, "created by limen admin", token, &tid, &err) != LIMEN_OK) {
        fprintf(stderr, "limen: admin: %s\n", err.message);
        return 2;
    }
    printf("{\"user_id\":%lld,\"user\":\"%s\",\"agency\":\"%s\",\"role\":\"%s\",\"token\":\"%s\"}\n",
           (long long)uid, name, agency, limen_role_name(role), token);
    return 0;
}

/* limen admin group: a sharing group from --group, --name, --agencies A,B,C and --owner. */
static int put_group(struct limen_store *s, const struct admin_args *a)
{
    struct limen_group g;
    struct limen_error err;
    char(*members)[LIMEN_AGENCY_CODE_MAX] = NULL;
    int rc = 1;
    memset(&g, 0, sizeof g);
    if (!a->group || !a->name || !a->agencies) {
        fprintf(stderr,
                "limen: admin: group needs --group CODE, --name NAME and --agencies A,B,...\n");
        return 1;
    }
    if (strlen(a->group) >= sizeof g.code || strlen(a->name) >= sizeof g.name ||
        (a->owner && strlen(a->owner) >= sizeof g.owner)) {
        fprintf(stderr, "limen: admin: the code, name or owner is too long\n");
        return 1;
    }
    memcpy(g.code, a->group, strlen(a->group) + 1);
    memcpy(g.name, a->name, strlen(a->name) + 1);
    if (a->owner)
        memcpy(g.owner, a->owner, strlen(a->owner) + 1);
    /* At most one member per comma, plus one. */
    size_t cap = 1;
    for (const char *p = a->agencies; *p; p++)
        cap += *p == ',';
    members = calloc(cap, sizeof *members);
    if (!members) {
        fprintf(stderr, "limen: admin: out of memory\n");
        return 2;
    }
    for (const char *p = a->agencies; *p;) {
        size_t n = strcspn(p, ",");
        if (n >= LIMEN_AGENCY_CODE_MAX) {
            fprintf(stderr, "limen: admin: %.*s is not an agency code\n", (int)n, p);
            goto out;
        }
        if (n) {
            memcpy(members[g.nmembers], p, n);
            members[g.nmembers++][n] = '\0';
        }
        p += n + (p[n] == ',');
    }
    g.members = members;
    if (limen_store_group_put(s, &g, NULL, &err) != LIMEN_OK) {
        fprintf(stderr, "limen: admin: %s\n", err.message);
        rc = 2;
        goto out;
    }
    fprintf(stderr,
            "limen admin group: %s stored with %zu members (a running limen serve: kill -HUP)\n",
            g.code, g.nmembers);
    rc = 0;
out:
    free(members);
    return rc;
}

/*
 * limen admin import writes its alerts in batches of IMPORT_BATCH, each one
 * transaction with one sync (limen_store_batch; a refused alert is undone
 * alone): a million alerts take seconds of syncing instead of a sync each.
 */
enum { IMPORT_BATCH = 10000 };

struct import_item {
    long lineno;
    char id[LIMEN_ALERT_ID_MAX], owner[LIMEN_AGENCY_CODE_MAX];
    char *json;
    size_t len;
};

struct import_batch {
    struct limen_store *s;
    const char *path;
    struct import_item items[IMPORT_BATCH];
    size_t n;
    long written;     /* in the batch being written: puts that succeeded */
    long stored, bad; /* over the whole file */
};

static void import_write(void *ctx)
{
    struct import_batch *b = ctx;
    struct limen_error err;
    for (size_t i = 0; i < b->n; i++) {
        struct import_item *it = &b->items[i];
        if (limen_store_alert_put(b->s, it->id, it->owner, it->json, it->len, NULL, &err) !=
            LIMEN_OK) {
            fprintf(stderr, "%s:%ld: %s\n", b->path, it->lineno, err.message);
            b->bad++;
        } else {
            b->written++;
        }
    }
}

/* Writes the pending alerts in one transaction. */
static void import_flush(struct import_batch *b)
{
    struct limen_error err;
    if (!b->n)
        return;
    b->written = 0;
    if (limen_store_batch(b->s, import_write, b, &err) != LIMEN_OK) {
        fprintf(stderr, "%s:%ld-%ld: not stored: %s\n", b->path, b->items[0].lineno,
                b->items[b->n - 1].lineno, err.message);
        b->bad += b->written;
    } else {
        b->stored += b->written;
    }
    for (size_t i = 0; i < b->n; i++)
        free(b->items[i].json);
    b->n = 0;
}

/*
 * Checks one line as the hub would load it (JSON, the alert object with an
 * owner, known sharing groups, an entity limen can screen) and queues it.
 * Returns 0, or -1 after reporting why the line is refused.
 */
static int import_line(struct import_batch *b, long lineno, const char *line, size_t n,
                       const struct limen_group *groups, size_t ngroups)
{
    json_error_t je;
    struct hub_alert a;
    const char *field = NULL;
    char msg[256];
    struct limen_entity *e = NULL;
    struct limen_error err;
    json_t *doc = json_loadb(line, n, 0, &je);
    if (!doc) {
        fprintf(stderr, "%s:%ld: not JSON: %s\n", b->path, lineno, je.text);
        return -1;
    }
    int rc = hub_alert_read(doc, &a, &field, msg, sizeof msg);
    json_decref(doc);
    if (rc != 0 || !a.owner[0]) {
        fprintf(stderr, "%s:%ld: %s (%s)\n", b->path, lineno, a.owner[0] ? msg : "no owner agency",
                field ? field : "alert.owner");
        return -1;
    }
    const char *unknown = hub_alert_unknown_group(&a, groups, ngroups);
    if (unknown) {
        fprintf(stderr, "%s:%ld: no sharing group %s (alert.distribution.groups)\n", b->path,
                lineno, unknown);
        return -1;
    }
    if (limen_entity_parse(line, n, &e, &err) != LIMEN_OK) {
        fprintf(stderr, "%s:%ld: %s\n", b->path, lineno, err.message);
        return -1;
    }
    limen_entity_free(e);
    struct import_item *it = &b->items[b->n];
    it->json = malloc(n + 1);
    if (!it->json) {
        fprintf(stderr, "%s:%ld: out of memory\n", b->path, lineno);
        return -1;
    }
    memcpy(it->json, line, n + 1);
    it->len = n;
    it->lineno = lineno;
    memcpy(it->id, a.id, sizeof it->id);
    memcpy(it->owner, a.owner, sizeof it->owner);
    if (++b->n == IMPORT_BATCH)
        import_flush(b);
    return 0;
}

/* Stores the alerts of a JSON Lines file, each under its owner agency. */
static int import_alerts(struct limen_store *s, const char *path)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "limen: admin: cannot open %s: %s\n", path, strerror(errno));
        return 2;
    }
    /* Lines are bounded as the alerts reader bounds them. */
    enum { IMPORT_LINE_MAX = 1 << 20 };
    char *line = malloc(IMPORT_LINE_MAX + 2);
    struct import_batch *b = calloc(1, sizeof *b);
    long lineno = 0;
    struct limen_group *groups = NULL;
    size_t ngroups = 0;
    if (!line || !b || limen_store_groups(s, &groups, &ngroups) != LIMEN_OK) {
        free(line);
        free(b);
        if (f != stdin)
            fclose(f);
        fprintf(stderr, "limen: admin: out of memory or cannot read the sharing groups\n");
        return 2;
    }
    b->s = s;
    b->path = path;
    while (fgets(line, IMPORT_LINE_MAX + 2, f)) {
        lineno++;
        size_t n = strlen(line);
        if (n && line[n - 1] != '\n' && !feof(f)) {
            int ch;
            while ((ch = getc(f)) != EOF && ch != '\n')
                ;
            fprintf(stderr, "%s:%ld: line longer than %d bytes\n", path, lineno, IMPORT_LINE_MAX);
            b->bad++;
            continue;
        }
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n && import_line(b, lineno, line, n, groups, ngroups) != 0)
            b->bad++;
    }
    import_flush(b);
    long stored = b->stored, bad = b->bad;
    free(b);
    free(line);
    limen_free(groups);
    if (f != stdin)
        fclose(f);
    fprintf(stderr, "limen admin import: %ld alerts stored, %ld refused\n", stored, bad);
    return bad ? 2 : 0;
}

/* limen admin snapshot: the hub opened as `limen serve` would, then its snapshot written. */
static int admin_snapshot(struct limen_store *s, const struct admin_args *a)
{
    static struct hub h; /* large: not on the stack */
    struct limen_error err;
    char path[4096];
    if (snapshot_path(path, sizeof path, a->db, a->snapshot) != 0) {
        fprintf(stderr, "limen: admin: snapshot path too long\n");
        return 1;
    }
    if (hub_open(&h, s, path, &err) != 0) {
        fprintf(stderr, "limen: admin: %s\n", err.message);
        return 2;
    }
    struct hub_snapshot_stats st;
    int rc = hub_snapshot_write(&h, path, &st, &err);
    if (rc < 0)
        fprintf(stderr, "limen: admin: snapshot not written: %s\n", err.message);
    else
        fprintf(stderr, "limen admin snapshot: %s %s (watermark %lld, %zu alerts)\n", path,
                rc ? "still current" : "written", (long long)st.watermark, h.nalerts);
    hub_close(&h);
    return rc < 0 ? 2 : 0;
}

int limen_server_admin(int argc, char **argv)
{
    struct admin_args a;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        admin_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (admin_parse(argc, argv, &a) != 0)
        return 1;
    const char *cmd = argv[1];
    struct limen_store *s = NULL;
    struct limen_error err;
    struct limen_store_options so = {NULL, !strcmp(cmd, "init")};
    if (limen_store_open(a.db, &so, &s, &err) != LIMEN_OK) {
        fprintf(stderr, "limen: admin: %s\n", err.message);
        return 2;
    }
    int rc = 1;
    if (!strcmp(cmd, "init")) {
        rc = put_agency(s, &a);
        if (rc == 0)
            rc = new_user(s, a.agency, a.user ? a.user : "admin", LIMEN_ROLE_ADMIN);
    } else if (!strcmp(cmd, "agency")) {
        rc = put_agency(s, &a);
    } else if (!strcmp(cmd, "user")) {
        enum limen_role role = a.role ? limen_role_from_name(a.role) : 0;
        if (!a.agency || !a.user || !role) {
            fprintf(stderr, "limen: admin: user needs --agency, --user and --role "
                            "officer|analyst|admin\n");
            rc = 1;
        } else {
            rc = new_user(s, a.agency, a.user, role);
        }
    } else if (!strcmp(cmd, "group")) {
        rc = put_group(s, &a);
    } else if (!strcmp(cmd, "group-delete")) {
        if (!a.group) {
            fprintf(stderr, "limen: admin: group-delete needs --group CODE\n");
        } else if (limen_store_group_delete(s, a.group, NULL, &err) != LIMEN_OK) {
            fprintf(stderr, "limen: admin: %s\n", err.message);
            rc = 2;
        } else {
            fprintf(stderr,
                    "limen admin group-delete: %s deleted (a running limen serve: kill -HUP)\n",
                    a.group);
            rc = 0;
        }
    } else if (!strcmp(cmd, "snapshot")) {
        rc = admin_snapshot(s, &a);
    } else if (!strcmp(cmd, "import")) {
        if (!a.alerts)
            fprintf(stderr, "limen: admin: import needs --alerts FILE\n");
        else
            rc = import_alerts(s, a.alerts);
    } else if (!strcmp(cmd, "token")) {
        char token[LIMEN_TOKEN_TEXT_MAX];
        int64_t tid;
        if (a.user_id <= 0) {
            fprintf(stderr, "limen: admin: token needs --user-id\n");
        } else if (limen_store_token_new(s, a.user_id, a.label, token, &tid, &err) != LIMEN_OK) {
            fprintf(stderr, "limen: admin: %s\n", err.message);
            rc = 2;
        } else {
            printf("{\"token_id\":%lld,\"token\":\"%s\"}\n", (long long)tid, token);
            rc = 0;
        }
    } else {
        fprintf(stderr,
                "limen: admin: unknown action %s (init, agency, user, token, group, group-delete,"
                " import, snapshot)\n",
                cmd);
    }
    limen_store_close(s);
    return rc;
}

/* ---- limen audit ---- */

int limen_server_audit(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: limen audit verify --db FILE [--key FILE]\n"
                "       limen audit prune --db FILE --days N [--key FILE]\n"
                "\n"
                "verify recomputes the audit chain (keyed BLAKE2b, key in FILE.audit-key unless\n"
                "--key): any edited, inserted, deleted or reordered entry is reported with its\n"
                "sequence number, exit 3. prune deletes entries older than N days (the\n"
                "retention; SIS keeps logs three years: 1095), keeping the chain verifiable.\n");
        return argc < 2 ? 1 : 0;
    }
    const char *db = NULL, *key = NULL;
    long days = -1;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--db"))
            db = argv[i + 1];
        else if (!strcmp(argv[i], "--key"))
            key = argv[i + 1];
        else if (!strcmp(argv[i], "--days"))
            days = strtol(argv[i + 1], NULL, 10);
    }
    if (!db) {
        fprintf(stderr, "limen: audit: --db FILE is required\n");
        return 1;
    }
    struct limen_store *s = NULL;
    struct limen_error err;
    struct limen_store_options so = {key, 0};
    if (limen_store_open(db, &so, &s, &err) != LIMEN_OK) {
        fprintf(stderr, "limen: audit: %s\n", err.message);
        return 2;
    }
    int rc = 1;
    if (!strcmp(argv[1], "verify")) {
        int64_t checked = 0, bad = 0;
        limen_status st = limen_store_audit_verify(s, &checked, &bad, &err);
        if (st == LIMEN_OK) {
            printf("{\"verified\":true,\"entries\":%lld}\n", (long long)checked);
            rc = 0;
        } else if (st == LIMEN_ETAMPER) {
            printf("{\"verified\":false,\"first_bad\":%lld,\"message\":\"%s\"}\n", (long long)bad,
                   err.message);
            fprintf(stderr, "limen: audit: TAMPERED: %s\n", err.message);
            rc = 3;
        } else {
            fprintf(stderr, "limen: audit: %s\n", err.message);
            rc = 2;
        }
    } else if (!strcmp(argv[1], "prune")) {
        int64_t deleted = 0;
        if (days < 0) {
            fprintf(stderr, "limen: audit: prune needs --days N\n");
        } else if (limen_store_audit_prune(s, (int64_t)time(NULL) - days * 86400, &deleted,
                                           &err) != LIMEN_OK) {
            fprintf(stderr, "limen: audit: %s\n", err.message);
            rc = 2;
        } else {
            printf("{\"deleted\":%lld}\n", (long long)deleted);
            rc = 0;
        }
    } else {
        fprintf(stderr, "limen: audit: unknown action %s (verify, prune)\n", argv[1]);
    }
    limen_store_close(s);
    return rc;
}
