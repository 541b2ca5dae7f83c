/*
 * `limen serve`: the HTTP server around the hub (server.c: libmicrohttpd,
 * options, signals, rate limits, hit notifications; api.c: the endpoints;
 * stream.c: the Server-Sent Events of hits).
 */
#ifndef LIMEN_SERVER_H
#define LIMEN_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hub.h"

struct MHD_Connection;

struct rate_slot {
    int64_t token;
    int64_t window; /* minute number */
    unsigned count;
};

/* One request's writes for the group commit (server_commit). */
struct commit_item {
    const struct limen_hit *hits;
    size_t nhits;
    int64_t hit_ids[64];                   /* out: 0 where a hit could not be written */
    const struct limen_audit_entry *audit; /* NULL: no audit entry */
    limen_status st;                       /* out: LIMEN_OK when durable */
    struct limen_error err;
    int done;
    pthread_cond_t cv; /* signalled when done, or when this item's thread is to lead a batch */
    struct commit_item *next;
};

struct server {
    struct hub hub;
    /* per-token rate limit: a small open-addressing table, guarded */
    pthread_mutex_t rate_mu;
    struct rate_slot rate[4096];
    /* new hits: a generation counter and a condition for long polls and streams */
    pthread_mutex_t hits_mu;
    pthread_cond_t hits_cv;
    uint64_t hits_gen;
    int stopping; /* set (under hits_mu) when the server stops: waits end */
    /* Server-Sent Events streams of hits (stream.c): how many are open, the bound */
    pthread_mutex_t stream_mu;
    unsigned streams, max_streams;
    int heartbeat; /* seconds between comment lines on an idle stream */
    /* group commit: items waiting, and whether a thread is writing a batch */
    pthread_mutex_t commit_mu;
    struct commit_item *pending;
    int committing;
};

/*
 * Writes an item's hits and audit entry durably, together with those of the
 * requests arriving meanwhile, in one transaction (one sync): the first
 * waiting thread writes the batch, the others wait for it. Returns when the
 * item is durable (it->st == LIMEN_OK) or has failed.
 */
void server_commit(struct server *srv, struct commit_item *it);

struct api_answer {
    unsigned status;
    char *body;                /* malloc'd JSON, NULL on out-of-memory */
    const char *allow;         /* Allow header for 405, or NULL */
    int64_t etag;              /* an alert's version, sent as ETag: "N"; 0: no ETag */
    struct hit_stream *stream; /* not NULL: answer with this event stream, not body */
};

/* Handles one complete request (api.c). */
void api_dispatch(struct server *srv, struct MHD_Connection *conn, const char *method,
                  const char *url, const char *body, size_t body_len, int too_big,
                  struct api_answer *out);

/* Parses a request body as the screening and alert endpoints do (for the
 * fuzz target): returns 200 with *query set (caller frees), or the status
 * the server would answer. `alert` receives what the alert object gave. */
unsigned api_parse_body(const char *body, size_t len, struct limen_entity **query,
                        struct hub_alert *alert);

/* The OpenAPI 3 document served at /openapi.json (openapi.c). */
extern const char server_openapi[];

/* Whether the token may make one more request this minute. */
int server_rate_ok(struct server *srv, int64_t token_id);
/* Tells long polls and streams that hits were recorded. */
void server_notify_hits(struct server *srv);
uint64_t server_hits_generation(struct server *srv);
/*
 * Waits until the generation moves past `gen`, the server stops or `seconds`
 * pass; 1 if the generation moved.
 */
int server_wait_hits(struct server *srv, uint64_t gen, int seconds);
/* Tells every wait that the server stops; server_stopping() says so after. */
void server_stop_waits(struct server *srv);
int server_stopping(struct server *srv);

/* The JSON of a hit, as GET /v1/hits and the stream give it (api.c). */
json_t *api_hit_json(const struct limen_hit *h);

/*
 * Server-Sent Events of the new hits on an agency's alerts (stream.c), for
 * MHD_create_response_from_callback: stream_new() takes one of the
 * max_streams slots (returns 1 when none is free, -1 out of memory, 0 with
 * *out set); stream_read() runs in the connection's own thread and blocks
 * until it has an event or a heartbeat to send; stream_free() gives the slot
 * back. Hits after `after` are sent, oldest first, each written to the audit
 * log before it leaves.
 */
struct hit_stream;
int stream_new(struct server *srv, const struct limen_user *user, int64_t after,
               struct hit_stream **out);
ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max);
void stream_free(void *cls);

/* Sub-commands. */
int limen_server_serve(int argc, char **argv);
int limen_server_admin(int argc, char **argv);
int limen_server_audit(int argc, char **argv);

#endif
