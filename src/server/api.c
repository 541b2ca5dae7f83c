/*
 * The HTTP/JSON API of `limen serve` (docs/server.md): routing, token
 * authentication, roles, per-token rate limits, bounded bodies, JSON errors
 * {"error": {"code", "message", "field"}}, and the endpoints. Every request
 * that reads or writes personal data is written to the audit log before it
 * is answered.
 */
#include "server.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- answers ---- */

struct answer {
    unsigned status;
    char *body;                /* malloc'd JSON */
    const char *allow;         /* for 405 */
    int64_t etag;              /* an alert's version for the ETag header; 0: none */
    struct hit_stream *stream; /* an event stream instead of a body */
};

static void answer_json(struct answer *a, unsigned status, json_t *doc)
{
    a->status = status;
    a->body = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!a->body) {
        a->status = 500;
        a->body = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
    }
}

static void answer_error(struct answer *a, unsigned status, const char *code, const char *field,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void answer_error(struct answer *a, unsigned status, const char *code, const char *field,
                         const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *e = json_pack("{s:s,s:s}", "code", code, "message", msg);
    if (field && e)
        json_object_set_new(e, "field", json_string(field));
    answer_json(a, status, json_pack("{s:o}", "error", e));
}

/* ---- JSON text built by hand ---- */

/*
 * The screening answer is written as text (a struct limen_buf) rather than
 * built as a jansson tree and dumped: its explanations arrive as JSON text
 * from the library and go out unchanged (parsing them and printing their
 * numbers again cost more than the rest of the answer). When memory runs
 * out the buffer fails and the text is dropped.
 */

/*
 * The bound of a screening answer's buffers: at most 100 results, each with an
 * explanation of a few kilobytes, stay far below it.
 */
#define SCREEN_ANSWER_MAX (8u << 20)

/* A C string as a JSON string (limen_buf_add_json_string: always valid JSON). */
static void text_str(struct limen_buf *t, const char *s)
{
    limen_buf_add_json_string(t, s, strlen(s));
}

/* A number as jansson prints a real: 17 significant digits, always with a '.' or an exponent. */
static void text_real(struct limen_buf *t, double v)
{
    char b[40];
    int n = snprintf(b, sizeof b, "%.17g", v);
    if (n <= 0 || (size_t)n >= sizeof b - 2)
        n = snprintf(b, sizeof b, "0.0");
    else if (!strpbrk(b, ".eEni"))
        memcpy(b + n, ".0", 3), n += 2;
    limen_buf_add(t, b, (size_t)n);
}

/* ---- the request ---- */

struct request {
    struct server *srv;
    struct MHD_Connection *conn;
    const char *method;
    const char *url;
    const char *body;
    size_t body_len;
    struct limen_user user;
    int64_t token_id;
    int authed;
    /* for the audit entry */
    json_t *search;  /* what was searched or written */
    json_t *results; /* ids returned or written */
    int personal;    /* the request touched personal data: audit it */
    /* hits of a screening, written with the audit entry in one group commit */
    struct limen_hit hits[64];
    size_t nhits;
    char *hit_query;                  /* the query JSON the hits share */
    const char *search_text;          /* the audit's search as text (instead of search) */
    struct limen_buf results_text;    /* the audit's results as text (instead of results) */
    struct limen_results *screen_res; /* the explanations the hits point to */
    struct limen_buf screen_results;  /* a screening's answer: "results" ... */
    struct limen_buf screen_tail;     /* ... and what follows "hits" */
    int screened;                     /* the two above are set: answer once the hits are in */
};

static int role_at_least(const struct request *r, enum limen_role role)
{
    return r->authed && r->user.role >= role;
}

/* Parses the body as a JSON object; answers 400 when it is not one. */
static json_t *body_object(struct request *r, struct answer *a)
{
    json_error_t je;
    if (!r->body_len) {
        answer_error(a, 400, "bad_request", NULL, "a JSON object is expected in the body");
        return NULL;
    }
    json_t *doc = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        answer_error(a, 400, "bad_json", NULL, "body is not valid JSON: %s (line %d, column %d)",
                     je.text, je.line, je.column);
        return NULL;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        answer_error(a, 400, "bad_json", NULL, "the body must be a JSON object");
        return NULL;
    }
    return doc;
}

/* ---- screening ---- */

static int add_prop(struct limen_entity *e, const char *prop, const json_t *v, const char **bad)
{
    if (!v)
        return 0;
    if (!json_is_string(v)) {
        *bad = prop;
        return -1;
    }
    const char *s = json_string_value(v);
    if (!*s)
        return 0;
    if (limen_entity_add(e, prop, s, strlen(s)) != LIMEN_OK) {
        *bad = prop;
        return -1;
    }
    return 0;
}

/* The query entity of a screening request: "person", "mrz" or "entity". */
static struct limen_entity *screen_query(const json_t *req, struct answer *a, json_t **mrz_out)
{
    const json_t *person = json_object_get(req, "person");
    const json_t *mrz = json_object_get(req, "mrz");
    const json_t *ent = json_object_get(req, "entity");
    struct limen_entity *e = NULL;
    struct limen_error err;
    int n = !!person + !!mrz + !!ent;
    if (n != 1) {
        answer_error(a, 400, "bad_request", NULL,
                     "give exactly one of \"person\", \"mrz\" or \"entity\"");
        return NULL;
    }
    if (person) {
        static const struct {
            const char *key, *prop;
        } map[] = {{"name", "name"},
                   {"first_name", "firstName"},
                   {"last_name", "lastName"},
                   {"birth_date", "birthDate"},
                   {"nationality", "nationality"},
                   {"gender", "gender"},
                   {"passport", "passportNumber"},
                   {"id_number", "idNumber"}};
        if (!json_is_object(person)) {
            answer_error(a, 400, "bad_request", "person", "person must be an object");
            return NULL;
        }
        if (limen_entity_new("query", LIMEN_SCHEMA_PERSON, &e) != LIMEN_OK) {
            answer_error(a, 500, "internal", NULL, "out of memory");
            return NULL;
        }
        const char *bad = NULL;
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
            if (add_prop(e, map[i].prop, json_object_get(person, map[i].key), &bad) != 0)
                break;
        if (bad) {
            limen_entity_free(e);
            answer_error(a, 400, "bad_request", "person", "person.%s must be a valid UTF-8 string",
                         bad);
            return NULL;
        }
        return e;
    }
    if (mrz) {
        struct limen_mrz m;
        if (!json_is_string(mrz)) {
            answer_error(a, 400, "bad_request", "mrz", "mrz must be a string");
            return NULL;
        }
        const char *t = json_string_value(mrz);
        limen_mrz_parse(t, strlen(t), NULL, &m, &err);
        if (m.format == LIMEN_MRZ_UNKNOWN) {
            answer_error(a, 422, "bad_mrz", "mrz", "not a machine-readable zone: %s", err.message);
            return NULL;
        }
        if (limen_mrz_to_entity(&m, "query", &e) != LIMEN_OK) {
            answer_error(a, 422, "bad_mrz", "mrz", "nothing to screen in this MRZ");
            return NULL;
        }
        *mrz_out = json_pack("{s:s,s:b,s:s,s:s,s:s}", "format", limen_mrz_format_name(m.format),
                             "valid", m.valid, "surname", limen_mrz_value(&m, LIMEN_MRZ_SURNAME),
                             "given_names", limen_mrz_value(&m, LIMEN_MRZ_GIVEN_NAMES),
                             "document_number",
                             limen_mrz_value(&m, LIMEN_MRZ_DOCUMENT_NUMBER));
        return e;
    }
    char *text = json_dumps(ent, JSON_COMPACT);
    if (!text) {
        answer_error(a, 400, "bad_request", "entity", "entity must be an FtM object");
        return NULL;
    }
    limen_status st = limen_entity_parse(text, strlen(text), &e, &err);
    free(text);
    if (st != LIMEN_OK) {
        answer_error(a, 422, "bad_entity", "entity", "%s", err.message);
        return NULL;
    }
    return e;
}

static const char *flag_label(unsigned bit)
{
    switch (bit) {
    case HUB_FLAG_ARMED: return "armed";
    case HUB_FLAG_VIOLENT: return "violent";
    case HUB_FLAG_ESCAPE_RISK: return "escape_risk";
    case HUB_FLAG_SUICIDE_RISK: return "suicide_risk";
    case HUB_FLAG_TERRORISM: return "terrorism";
    case HUB_FLAG_PUBLIC_HEALTH: return "public_health_risk";
    }
    return "?";
}

/*
 * One result as the caller may see it. The owner sees everything; others see
 * what the handling code allows: H0/H1 the explanation too, H2 no
 * explanation (it quotes the alert's personal data), H3 only that there is a
 * hit and whom to call.
 */
/* The owner agencies of one answer, each read from the store once. */
struct owner_cache {
    struct limen_agency a[8];
    size_t n;
};

static const struct limen_agency *owner_of(struct server *srv, struct owner_cache *oc,
                                           const char *code)
{
    for (size_t i = 0; i < oc->n; i++)
        if (!strcmp(oc->a[i].code, code))
            return &oc->a[i];
    struct limen_agency *ag = &oc->a[oc->n < 8 ? oc->n++ : 7];
    if (limen_store_agency_get(srv->hub.store, code, ag) != LIMEN_OK) {
        memset(ag, 0, sizeof *ag);
        snprintf(ag->code, sizeof ag->code, "%s", code);
    }
    return ag;
}

static void result_text(struct limen_buf *t, struct server *srv, struct owner_cache *oc,
                        const struct hub_alert *al, const char *agency, double score, int match,
                        const char *explanation)
{
    const struct limen_agency *ow = owner_of(srv, oc, al->owner);
    int own = !strcmp(al->owner, agency);
    char hc[3] = {'H', (char)('0' + al->handling), 0};
    limen_buf_adds(t, "{\"alert_id\":");
    text_str(t, al->id);
    limen_buf_adds(t, ",\"score\":");
    text_real(t, score);
    limen_buf_adds(t, match ? ",\"match\":true,\"handling\":" : ",\"match\":false,\"handling\":");
    text_str(t, hc);
    limen_buf_adds(t, ",\"owner\":{\"code\":");
    text_str(t, ow->code);
    limen_buf_adds(t, ",\"name\":");
    text_str(t, ow->name);
    limen_buf_adds(t, ",\"contact\":");
    text_str(t, ow->contact);
    limen_buf_adds(t, "}");
    if (own || al->handling <= 2) {
        limen_buf_adds(t, ",\"category\":");
        text_str(t, al->category);
        limen_buf_adds(t, ",\"action\":");
        text_str(t, al->action);
        limen_buf_adds(t, ",\"flags\":[");
        const char *sep = "";
        for (unsigned b = 1; b <= HUB_FLAG_PUBLIC_HEALTH; b <<= 1) {
            if (!(al->flags & b))
                continue;
            limen_buf_adds(t, sep);
            text_str(t, flag_label(b));
            sep = ",";
        }
        limen_buf_adds(t, "]");
    } else {
        limen_buf_adds(t, ",\"instruction\":\"contact the owner agency before any action\"");
    }
    /* The library writes each explanation as one JSON object. */
    if ((own || al->handling <= 1) && explanation && explanation[0] == '{') {
        limen_buf_adds(t, ",\"explanation\":");
        limen_buf_adds(t, explanation);
    }
    limen_buf_adds(t, "}");
}

/* Who a screening's results are for: limen_screen's keep (keep_shown). */
struct shown_to {
    const struct hub *h;
    const char *agency;
    const char *today;
};

/* Whether the alert may be shown to the caller's agency today (under the hub's read lock). */
static int keep_shown(const char *alert_id, void *ud)
{
    const struct shown_to *w = ud;
    const struct hub_entry *e = hub_entry_find(w->h, alert_id);
    return e && hub_visible(w->h, e, w->agency) && !hub_expired(e, w->today);
}

static void api_screen(struct request *r, struct answer *a)
{
    json_t *req = body_object(r, a), *mrz_info = NULL;
    struct limen_entity *q = NULL;
    struct limen_results *res = NULL;
    struct limen_buf ids;
    limen_buf_init(&ids);
    limen_buf_set_max(&ids, SCREEN_ANSWER_MAX);
    if (!req)
        return;
    r->personal = 1;
    /* One text of the request for the audit entry and the hits. */
    r->hit_query = json_dumps(req, JSON_COMPACT);
    r->search_text = r->hit_query;
    q = screen_query(req, a, &mrz_info);
    if (!q)
        goto out;
    const json_t *lim = json_object_get(req, "limit");
    const json_t *thr = json_object_get(req, "threshold");
    const json_t *post = json_object_get(req, "post");
    struct limen_screen_options o;
    limen_screen_options_init(&o);
    o.threshold = r->srv->hub.threshold;
    if (lim && (!json_is_integer(lim) || json_integer_value(lim) < 1 ||
                json_integer_value(lim) > 100)) {
        answer_error(a, 400, "bad_request", "limit", "limit is a whole number from 1 to 100");
        goto out;
    }
    if (thr && (!json_is_number(thr) || json_number_value(thr) < 0 || json_number_value(thr) > 1)) {
        answer_error(a, 400, "bad_request", "threshold", "threshold is a number from 0 to 1");
        goto out;
    }
    if (post && (!json_is_string(post) || strlen(json_string_value(post)) >= 64)) {
        answer_error(a, 400, "bad_request", "post", "post is a string of at most 63 bytes");
        goto out;
    }
    size_t want = lim ? (size_t)json_integer_value(lim) : 5;
    if (thr)
        o.threshold = json_number_value(thr);
    if (o.threshold < o.min_score)
        o.min_score = o.threshold;
    /* Alerts the caller may not see are left out by the engine, before their
     * explanations are built (keep_shown, below). */
    o.limit = want;
    struct limen_error err;
    /*
     * Under the read lock only what needs it: the screening and a copy of the
     * alert records shown (the table may change once the lock is released).
     * The answer, the owners' contacts (store reads) and the hits are made
     * after it.
     */
    struct shown {
        size_t i; /* index in res */
        struct hub_alert al;
    } *sh = malloc(want * sizeof *sh);
    size_t nsh = 0;
    if (!sh) {
        answer_error(a, 500, "internal", NULL, "out of memory");
        goto out;
    }
    char today[11];
    hub_today(&r->srv->hub, today);
    struct shown_to to = {&r->srv->hub, r->user.agency, today};
    o.keep = keep_shown;
    o.keep_ud = &to;
    pthread_rwlock_rdlock(&r->srv->hub.lock);
    limen_status st = limen_screen(r->srv->hub.idx, q, &o, &res, &err);
    for (size_t i = 0; st == LIMEN_OK && i < limen_results_count(res) && nsh < want; i++) {
        /* (keep_shown let it through under this read lock: it is there and visible) */
        const struct hub_entry *al = hub_entry_find(&r->srv->hub, limen_result_id(res, i));
        if (!al)
            continue;
        sh[nsh].i = i;
        hub_entry_unpack(al, &sh[nsh].al);
        nsh++;
    }
    pthread_rwlock_unlock(&r->srv->hub.lock);
    if (st != LIMEN_OK) {
        free(sh);
        answer_error(a, 422, "bad_query", err.field[0] ? err.field : NULL, "%s", err.message);
        goto out;
    }
    /* Hits are written with the audit entry (api_dispatch), before the answer;
     * they point into the results, which the request keeps until then. */
    struct owner_cache oc = {0};
    struct limen_buf *t = &r->screen_results;
    limen_buf_set_max(t, SCREEN_ANSWER_MAX);
    limen_buf_adds(t, "{\"results\":[");
    limen_buf_adds(&ids, "[");
    for (size_t k = 0; k < nsh; k++) {
        const struct hub_alert *al = &sh[k].al;
        size_t i = sh[k].i;
        int match = limen_result_match(res, i);
        double score = limen_result_score(res, i);
        if (k) {
            limen_buf_adds(t, ",");
            limen_buf_adds(&ids, ",");
        }
        result_text(t, r->srv, &oc, al, r->user.agency, score, match,
                    limen_result_explanation(res, i));
        text_str(&ids, al->id);
        if (!match || r->nhits == sizeof r->hits / sizeof r->hits[0])
            continue;
        struct limen_hit *h = &r->hits[r->nhits++];
        memset(h, 0, sizeof *h);
        memcpy(h->alert_id, al->id, sizeof h->alert_id);
        memcpy(h->owner, al->owner, sizeof h->owner);
        memcpy(h->by_agency, r->user.agency, sizeof h->by_agency);
        h->by_user = r->user.id;
        if (post)
            snprintf(h->post, sizeof h->post, "%.63s", json_string_value(post));
        h->at = (int64_t)time(NULL);
        h->score = score;
        h->status = LIMEN_HIT_NEW;
        h->query_json = r->hit_query ? r->hit_query : "{}";
        const char *ex = limen_result_explanation(res, i);
        h->explanation_json = ex ? ex : "{}";
    }
    free(sh);
    r->screen_res = res;
    res = NULL;
    limen_buf_adds(t, "],\"hits\":[");
    limen_buf_adds(&ids, "]");
    /* What follows the hit ids: the threshold and what the MRZ gave. */
    struct limen_buf *tail = &r->screen_tail;
    limen_buf_set_max(tail, SCREEN_ANSWER_MAX);
    limen_buf_adds(tail, "],\"threshold\":");
    text_real(tail, o.threshold);
    char *mrz_text = mrz_info ? json_dumps(mrz_info, JSON_COMPACT) : NULL;
    if (mrz_text) {
        limen_buf_adds(tail, ",\"mrz\":");
        limen_buf_adds(tail, mrz_text);
        free(mrz_text);
    }
    limen_buf_adds(tail, "}");
    if (limen_buf_failed(t) || limen_buf_failed(tail) || limen_buf_failed(&ids) ||
        (mrz_info && !mrz_text)) {
        r->nhits = 0;
        answer_error(a, 500, "internal", NULL, "out of memory");
        goto out;
    }
    r->results_text = ids;
    limen_buf_init(&ids);
    r->screened = 1;
    a->status = 200;
out:
    limen_buf_release(&ids);
    json_decref(mrz_info);
    limen_results_free(res);
    limen_entity_free(q);
    json_decref(req);
}

/* ---- alerts ---- */

/*
 * The If-Match header of a conditional write: LIMEN_ALERT_ANY_VERSION when
 * absent, the version it names, or -2 after answering 400 (not one version).
 */
static int64_t if_match(struct request *r, struct answer *a)
{
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-Match");
    if (!h)
        return LIMEN_ALERT_ANY_VERSION;
    const char *p = h + (*h == '"');
    char *end = NULL;
    long long v = strtoll(p, &end, 10);
    if (p[0] < '0' || p[0] > '9' || v <= 0 || (*h == '"' ? strcmp(end, "\"") : *end)) {
        answer_error(a, 400, "bad_request", "If-Match",
                     "If-Match takes one version as GET gives it in ETag: \"3\"");
        return -2;
    }
    return v;
}

/*
 * The version a PUT is conditional on: If-Match: "N" (an ETag of GET) or a
 * "version" member of the body (taken out of the stored entity). Returns
 * LIMEN_ALERT_ANY_VERSION when neither is given, the version, or -2 after
 * answering 400 (malformed, or the two disagree).
 */
static int64_t put_condition(struct request *r, struct answer *a, json_t *doc)
{
    int64_t hv = if_match(r, a), bv = LIMEN_ALERT_ANY_VERSION;
    int h = hv != LIMEN_ALERT_ANY_VERSION;
    if (hv < LIMEN_ALERT_ANY_VERSION)
        return -2;
    const json_t *bvj = json_object_get(doc, "version");
    if (bvj) {
        if (!json_is_integer(bvj) || json_integer_value(bvj) <= 0) {
            answer_error(a, 400, "bad_request", "version", "version is a positive whole number");
            return -2;
        }
        bv = json_integer_value(bvj);
        json_object_del(doc, "version");
    }
    if (h && bvj && hv != bv) {
        answer_error(a, 400, "bad_request", "version", "If-Match says version %lld, the body %lld",
                     (long long)hv, (long long)bv);
        return -2;
    }
    return h ? hv : bv;
}

static void api_alert_write(struct request *r, struct answer *a, const char *url_id)
{
    if (!role_at_least(r, LIMEN_ROLE_ANALYST)) {
        answer_error(a, 403, "forbidden", NULL, "only analysts and admins manage alerts");
        return;
    }
    json_t *doc = body_object(r, a);
    if (!doc)
        return;
    r->personal = 1;
    /* POST creates (409 for a taken id); PUT may be conditional on a version. */
    int64_t expected = url_id ? put_condition(r, a, doc) : 0;
    if (expected < LIMEN_ALERT_ANY_VERSION) {
        json_decref(doc);
        return;
    }
    json_t *al = json_object_get(doc, "alert");
    if (json_is_object(al) && !json_object_get(al, "owner"))
        json_object_set_new(al, "owner", json_string(r->user.agency));
    if (url_id) {
        const json_t *bid = json_object_get(doc, "id");
        if (!bid)
            json_object_set_new(doc, "id", json_string(url_id));
        else if (!json_is_string(bid) || strcmp(json_string_value(bid), url_id)) {
            answer_error(a, 400, "bad_request", "id", "the id in the body differs from the URL");
            json_decref(doc);
            return;
        }
    }
    struct hub_alert meta;
    const char *field = NULL;
    char msg[256];
    if (hub_alert_read(doc, &meta, &field, msg, sizeof msg) != 0) {
        answer_error(a, 422, "invalid_alert", field, "%s", msg);
        json_decref(doc);
        return;
    }
    r->search = json_pack("{s:s}", "alert_id", meta.id);
    pthread_rwlock_rdlock(&r->srv->hub.lock);
    const char *unknown = hub_alert_unknown_group(&meta, r->srv->hub.groups, r->srv->hub.ngroups);
    pthread_rwlock_unlock(&r->srv->hub.lock);
    if (unknown) {
        /* unknown points into meta, which outlives the answer's text */
        answer_error(a, 422, "invalid_alert", "alert.distribution.groups",
                     "no sharing group %s (see GET /v1/groups)", unknown);
        json_decref(doc);
        return;
    }
    if (strcmp(meta.owner, r->user.agency)) {
        answer_error(a, 403, "forbidden", "alert.owner",
                     "an agency publishes its own alerts only (%s is not %s)", meta.owner,
                     r->user.agency);
        json_decref(doc);
        return;
    }
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct limen_entity *e = NULL;
    struct limen_error err;
    limen_error_clear(&err);
    if (!text || limen_entity_parse(text, strlen(text), &e, &err) != LIMEN_OK) {
        answer_error(a, 422, "invalid_entity", err.field[0] ? err.field : NULL, "%s",
                     text ? err.message : "out of memory");
        free(text);
        return;
    }
    /* It must be screenable before it is stored. */
    struct limen_index *probe = NULL;
    limen_status st = limen_index_new(NULL, &probe);
    if (st == LIMEN_OK)
        st = limen_index_add(probe, e, NULL, &err);
    limen_index_free(probe);
    if (st != LIMEN_OK) {
        answer_error(a, 422, "invalid_alert", err.field[0] ? err.field : NULL, "%s", err.message);
        limen_entity_free(e);
        free(text);
        return;
    }
    int64_t version = 0;
    st = limen_store_alert_put_if(r->srv->hub.store, meta.id, r->user.agency, text, strlen(text),
                                  expected, &version, &err);
    free(text);
    if (st == LIMEN_EFORBIDDEN) {
        answer_error(a, 403, "forbidden", "id", "alert %s belongs to another agency", meta.id);
        limen_entity_free(e);
        return;
    }
    if (st == LIMEN_ENOTFOUND) {
        /* A sharing group deleted since the check above. */
        answer_error(a, 422, "invalid_alert", err.field[0] ? err.field : NULL, "%s", err.message);
        limen_entity_free(e);
        return;
    }
    if (st == LIMEN_ECONFLICT) {
        if (!url_id)
            answer_error(a, 409, "conflict", "id",
                         "alert %s exists (version %lld): change it with PUT /v1/alerts/{id}",
                         meta.id, (long long)version);
        else
            answer_error(a, 409, "conflict", "version",
                         "alert %s is at version %lld, not %lld: read it again (GET) and retry",
                         meta.id, (long long)version, (long long)expected);
        limen_entity_free(e);
        return;
    }
    if (st != LIMEN_OK) {
        answer_error(a, 500, "store", NULL, "%s", err.message);
        limen_entity_free(e);
        return;
    }
    /* The entity and the record already read go to the index as they are. */
    meta.version = version;
    int rc = hub_apply_entity(&r->srv->hub, e, &meta, 0, &err);
    limen_entity_free(e);
    if (rc != 0) {
        answer_error(a, 500, "index", NULL, "stored but not indexed: %s", err.message);
        return;
    }
    r->results = json_pack("[s]", meta.id);
    a->etag = version;
    answer_json(a, url_id ? 200 : 201, json_pack("{s:s,s:I}", "id", meta.id, "version",
                                                 (json_int_t)version));
}

static void api_alert_delete(struct request *r, struct answer *a, const char *id)
{
    if (!role_at_least(r, LIMEN_ROLE_ANALYST)) {
        answer_error(a, 403, "forbidden", NULL, "only analysts and admins manage alerts");
        return;
    }
    r->personal = 1;
    r->search = json_pack("{s:s}", "alert_id", id);
    /* Like PUT: with If-Match: "N", only while the alert is at version N (409 otherwise). */
    int64_t expected = if_match(r, a);
    if (expected < LIMEN_ALERT_ANY_VERSION)
        return;
    struct limen_error err;
    int64_t version = 0;
    limen_status st = limen_store_alert_withdraw_if(r->srv->hub.store, id, r->user.agency, expected,
                                                    &version, &err);
    if (st == LIMEN_ECONFLICT) {
        answer_error(a, 409, "conflict", "version",
                     "alert %s is at version %lld, not %lld: read it again (GET) and retry", id,
                     (long long)version, (long long)expected);
        return;
    }
    if (st == LIMEN_ENOTFOUND) {
        answer_error(a, 404, "not_found", NULL, "no alert %s", id);
        return;
    }
    if (st == LIMEN_EFORBIDDEN) {
        answer_error(a, 403, "forbidden", NULL, "alert %s belongs to another agency", id);
        return;
    }
    if (st != LIMEN_OK) {
        answer_error(a, 500, "store", NULL, "%s", err.message);
        return;
    }
    hub_withdraw(&r->srv->hub, id, version);
    r->results = json_pack("[s]", id);
    answer_json(a, 200, json_pack("{s:s,s:I,s:b}", "id", id, "version", (json_int_t)version,
                                  "withdrawn", 1));
}

static void api_alert_get(struct request *r, struct answer *a, const char *id)
{
    char *json = NULL;
    size_t len = 0;
    struct limen_alert_meta m;
    r->personal = 1;
    r->search = json_pack("{s:s}", "alert_id", id);
    if (limen_store_alert_get(r->srv->hub.store, id, 0, &json, &len, &m) != LIMEN_OK) {
        answer_error(a, 404, "not_found", NULL, "no alert %s", id);
        return;
    }
    if (strcmp(m.owner, r->user.agency)) {
        limen_free(json);
        answer_error(a, 403, "forbidden", NULL,
                     "only the owner agency reads an alert; others see it through screening");
        return;
    }
    json_error_t je;
    json_t *doc = json_loadb(json, len, 0, &je);
    limen_free(json);
    r->results = json_pack("[s]", id);
    a->etag = m.version;
    answer_json(a, 200, json_pack("{s:o,s:I,s:b}", "entity", doc ? doc : json_null(), "version",
                                  (json_int_t)m.version, "withdrawn", m.withdrawn));
}

/* ---- hits ---- */

struct hits_ctx {
    json_t *arr;
    int64_t last;
};

json_t *api_hit_json(const struct limen_hit *h)
{
    static const char *const st[] = {"new", "confirmed", "false_positive"};
    json_error_t je;
    json_t *q = json_loads(h->query_json ? h->query_json : "null", JSON_DECODE_ANY, &je);
    json_t *ex = json_loads(h->explanation_json ? h->explanation_json : "null", JSON_DECODE_ANY,
                            &je);
    return json_pack("{s:I,s:s,s:s,s:I,s:s,s:I,s:f,s:s,s:o,s:o}", "id", (json_int_t)h->id,
                     "alert_id", h->alert_id, "by_agency", h->by_agency, "by_user",
                     (json_int_t)h->by_user, "post", h->post, "at", (json_int_t)h->at, "score",
                     h->score, "status", st[h->status % 3], "query", q ? q : json_null(),
                     "explanation", ex ? ex : json_null());
}

static int hit_to_json(void *ctx, const struct limen_hit *h)
{
    struct hits_ctx *c = ctx;
    json_array_append_new(c->arr, api_hit_json(h));
    c->last = h->id;
    return 0;
}

static long query_long(struct request *r, const char *key, long dflt, long lo, long hi)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
    if (!v)
        return dflt;
    char *end;
    long x = strtol(v, &end, 10);
    if (*end || x < lo || x > hi)
        return lo - 1;
    return x;
}

static void api_hits(struct request *r, struct answer *a)
{
    if (!role_at_least(r, LIMEN_ROLE_ANALYST)) {
        answer_error(a, 403, "forbidden", NULL, "hits are for the owner agency's analysts");
        return;
    }
    long after = query_long(r, "after", 0, 0, 0x7fffffffffffL);
    long limit = query_long(r, "limit", 100, 1, 1000);
    long wait = query_long(r, "wait", 0, 0, 60);
    if (after < 0 || limit < 1 || wait < 0) {
        answer_error(a, 400, "bad_request", NULL,
                     "after >= 0, limit 1..1000 and wait 0..60 (seconds) are whole numbers");
        return;
    }
    r->personal = 1;
    struct hits_ctx c = {json_array(), after};
    /* Long poll: wait up to `wait` seconds for a new hit. */
    for (;;) {
        uint64_t gen = server_hits_generation(r->srv);
        limen_store_hits_list(r->srv->hub.store, r->user.agency, after, (size_t)limit, hit_to_json,
                              &c);
        if (json_array_size(c.arr) || wait <= 0)
            break;
        if (!server_wait_hits(r->srv, gen, (int)wait))
            break;
        wait = 0; /* one more look after the wake-up */
    }
    r->results = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(c.arr, i, v) json_array_append_new(
        r->results, json_string(json_string_value(json_object_get(v, "alert_id"))));
    answer_json(a, 200, json_pack("{s:o,s:I}", "hits", c.arr, "last", (json_int_t)c.last));
}

/*
 * GET /v1/hits/stream: Server-Sent Events of the new hits on the caller
 * agency's alerts (analysts, admins). It starts after Last-Event-ID (a
 * reconnecting EventSource sends it), else after ?after=, else after the
 * last hit recorded so far. Opening it is audited here; each event is
 * audited again as it is sent (stream.c).
 */
static void api_hits_stream(struct request *r, struct answer *a)
{
    if (!role_at_least(r, LIMEN_ROLE_ANALYST)) {
        answer_error(a, 403, "forbidden", NULL, "hits are for the owner agency's analysts");
        return;
    }
    const char *accept = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Accept");
    if (accept && !strstr(accept, "text/event-stream") && !strstr(accept, "text/*") &&
        !strstr(accept, "*/*")) {
        answer_error(a, 406, "not_acceptable", NULL,
                     "this endpoint sends text/event-stream (Server-Sent Events)");
        return;
    }
    const char *lei = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Last-Event-ID");
    long long after = -1;
    if (lei) {
        char *end;
        after = strtoll(lei, &end, 10);
        if (end == lei || *end || after < 0) {
            answer_error(a, 400, "bad_request", "Last-Event-ID", "Last-Event-ID is a hit id");
            return;
        }
    } else if (MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "after")) {
        after = query_long(r, "after", 0, 0, 0x7fffffffffffL);
        if (after < 0) {
            answer_error(a, 400, "bad_request", "after", "after is a hit id");
            return;
        }
    } else {
        int64_t last = 0;
        if (limen_store_hit_last_id(r->srv->hub.store, &last) != LIMEN_OK) {
            answer_error(a, 500, "store", NULL, "cannot read the hits");
            return;
        }
        after = last;
    }
    r->personal = 1;
    r->search = json_pack("{s:I}", "after", (json_int_t)after);
    r->results = json_array();
    int rc = stream_new(r->srv, &r->user, after, &a->stream);
    if (rc > 0) {
        answer_error(a, 503, "too_many_streams", NULL,
                     "%u hit streams are open, the most this hub serves at once; retry later or "
                     "use GET /v1/hits?wait=",
                     r->srv->max_streams);
        return;
    }
    if (rc < 0) {
        answer_error(a, 500, "internal", NULL, "out of memory");
        return;
    }
    a->status = 200;
}

static void api_hit_mark(struct request *r, struct answer *a, const char *idtext)
{
    if (!role_at_least(r, LIMEN_ROLE_ANALYST)) {
        answer_error(a, 403, "forbidden", NULL, "hits are for the owner agency's analysts");
        return;
    }
    char *end;
    long long id = strtoll(idtext, &end, 10);
    if (*end || id <= 0) {
        answer_error(a, 404, "not_found", NULL, "no hit %s", idtext);
        return;
    }
    json_t *doc = body_object(r, a);
    if (!doc)
        return;
    const char *given = json_string_value(json_object_get(doc, "status"));
    const char *s = NULL; /* a static string: doc is released below */
    enum limen_hit_status hs = LIMEN_HIT_NEW;
    if (given && !strcmp(given, "confirmed")) {
        hs = LIMEN_HIT_CONFIRMED;
        s = "confirmed";
    } else if (given && !strcmp(given, "false_positive")) {
        hs = LIMEN_HIT_FALSE_POSITIVE;
        s = "false_positive";
    } else {
        json_decref(doc);
        answer_error(a, 422, "invalid", "status", "status is \"confirmed\" or \"false_positive\"");
        return;
    }
    json_decref(doc);
    r->personal = 1;
    r->search = json_pack("{s:I,s:s}", "hit", (json_int_t)id, "status", s);
    struct limen_error err;
    limen_status st = limen_store_hit_mark(r->srv->hub.store, id, r->user.agency, hs, &err);
    if (st == LIMEN_ENOTFOUND)
        answer_error(a, 404, "not_found", NULL, "no hit %lld", id);
    else if (st == LIMEN_EFORBIDDEN)
        answer_error(a, 403, "forbidden", NULL, "hit %lld is on another agency's alert", id);
    else if (st != LIMEN_OK)
        answer_error(a, 500, "store", NULL, "%s", err.message);
    else
        answer_json(a, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "status", s));
}

/* ---- sharing groups ---- */

static json_t *group_json(const struct limen_group *g)
{
    json_t *m = json_array();
    for (size_t i = 0; i < g->nmembers; i++)
        json_array_append_new(m, json_string(g->members[i]));
    return json_pack("{s:s,s:s,s:s?,s:o,s:I}", "code", g->code, "name", g->name, "owner",
                     g->owner[0] ? g->owner : NULL, "members", m, "updated",
                     (json_int_t)g->updated);
}

/* GET /v1/groups: the groups visibility uses now (any role: analysts distribute to them). */
static void api_groups_list(struct request *r, struct answer *a)
{
    json_t *arr = json_array();
    pthread_rwlock_rdlock(&r->srv->hub.lock);
    for (size_t i = 0; i < r->srv->hub.ngroups; i++)
        json_array_append_new(arr, group_json(&r->srv->hub.groups[i]));
    pthread_rwlock_unlock(&r->srv->hub.lock);
    answer_json(a, 200, json_pack("{s:o}", "groups", arr));
}

/*
 * POST /v1/groups {"code", "name", "members": [...]}: an admin creates a group
 * (its agency then manages it) or replaces the name and members of a group
 * its agency manages. Audited: membership decides who sees which alerts.
 */
static void api_group_put(struct request *r, struct answer *a)
{
    if (!role_at_least(r, LIMEN_ROLE_ADMIN)) {
        answer_error(a, 403, "forbidden", NULL, "sharing groups are managed by admins");
        return;
    }
    json_t *doc = body_object(r, a);
    if (!doc)
        return;
    r->personal = 1;
    r->search = json_deep_copy(doc);
    struct limen_group g;
    char(*members)[LIMEN_AGENCY_CODE_MAX] = NULL;
    memset(&g, 0, sizeof g);
    const json_t *code = json_object_get(doc, "code"), *name = json_object_get(doc, "name");
    const json_t *mem = json_object_get(doc, "members");
    if (!json_is_string(code) || !json_is_string(name)) {
        answer_error(a, 422, "invalid_group", json_is_string(code) ? "name" : "code",
                     "a group needs a string code and name");
        goto out;
    }
    if (!json_is_array(mem) || json_array_size(mem) > LIMEN_GROUP_MEMBERS_MAX) {
        answer_error(a, 422, "invalid_group", "members",
                     "members is a list of at most %d agency codes", LIMEN_GROUP_MEMBERS_MAX);
        goto out;
    }
    snprintf(g.code, sizeof g.code, "%.*s", (int)sizeof g.code - 1, json_string_value(code));
    snprintf(g.name, sizeof g.name, "%.*s", (int)sizeof g.name - 1, json_string_value(name));
    if (strlen(json_string_value(code)) >= sizeof g.code ||
        strlen(json_string_value(name)) >= sizeof g.name) {
        answer_error(a, 422, "invalid_group", NULL, "the code or the name is too long");
        goto out;
    }
    members = calloc(json_array_size(mem) + 1, sizeof *members);
    if (!members) {
        answer_error(a, 500, "internal", NULL, "out of memory");
        goto out;
    }
    size_t i;
    const json_t *v;
    json_array_foreach(mem, i, v)
    {
        const char *m = json_string_value(v);
        if (!m || !*m || strlen(m) >= LIMEN_AGENCY_CODE_MAX) {
            answer_error(a, 422, "invalid_group", "members", "member %zu is not an agency code", i);
            goto out;
        }
        memcpy(members[i], m, strlen(m) + 1);
    }
    g.members = members;
    g.nmembers = json_array_size(mem);
    struct limen_error err;
    limen_status st = limen_store_group_put(r->srv->hub.store, &g, r->user.agency, &err);
    if (st == LIMEN_EFORBIDDEN) {
        answer_error(a, 403, "forbidden", err.field[0] ? err.field : NULL, "%s", err.message);
        goto out;
    }
    if (st == LIMEN_EINVAL || st == LIMEN_ENOTFOUND) {
        answer_error(a, 422, "invalid_group", err.field[0] ? err.field : NULL, "%s", err.message);
        goto out;
    }
    if (st != LIMEN_OK || hub_groups_load(&r->srv->hub, &err) != 0) {
        answer_error(a, 500, "store", NULL, "%s", err.message);
        goto out;
    }
    r->results = json_pack("[s]", g.code);
    json_t *one = NULL;
    pthread_rwlock_rdlock(&r->srv->hub.lock);
    const struct limen_group *now = hub_group_find(r->srv->hub.groups, r->srv->hub.ngroups, g.code);
    if (now)
        one = group_json(now);
    pthread_rwlock_unlock(&r->srv->hub.lock);
    answer_json(a, 200, one ? one : json_pack("{s:s}", "code", g.code));
out:
    free(members);
    json_decref(doc);
}

/*
 * DELETE /v1/groups/{code}: an admin deletes a group its agency manages; 409
 * while an alert (not withdrawn) still distributes to it. Audited.
 */
static void api_group_delete(struct request *r, struct answer *a, const char *code)
{
    if (!role_at_least(r, LIMEN_ROLE_ADMIN)) {
        answer_error(a, 403, "forbidden", NULL, "sharing groups are managed by admins");
        return;
    }
    r->personal = 1;
    r->search = json_pack("{s:s}", "code", code);
    struct limen_error err;
    limen_status st = limen_store_group_delete(r->srv->hub.store, code, r->user.agency, &err);
    if (st == LIMEN_ENOTFOUND) {
        answer_error(a, 404, "not_found", NULL, "no group %s", code);
        return;
    }
    if (st == LIMEN_EFORBIDDEN) {
        answer_error(a, 403, "forbidden", "code", "%s", err.message);
        return;
    }
    if (st == LIMEN_ECONFLICT) {
        answer_error(a, 409, "conflict", "code", "%s", err.message);
        return;
    }
    if (st != LIMEN_OK || hub_groups_load(&r->srv->hub, &err) != 0) {
        answer_error(a, 500, "store", NULL, "%s", err.message);
        return;
    }
    r->results = json_pack("[s]", code);
    answer_json(a, 200, json_pack("{s:s,s:b}", "code", code, "deleted", 1));
}

/* ---- audit ---- */

static int audit_to_json(void *ctx, const struct limen_audit_entry *e)
{
    json_error_t je;
    json_t *search = json_loads(e->search && *e->search ? e->search : "null", JSON_DECODE_ANY, &je);
    json_t *res = json_loads(e->results && *e->results ? e->results : "[]", JSON_DECODE_ANY, &je);
    json_array_append_new((json_t *)ctx,
                          json_pack("{s:I,s:I,s:s,s:s,s:s,s:o,s:o,s:i}", "seq", (json_int_t)e->seq,
                                    "at", (json_int_t)e->at, "user", e->user ? e->user : "",
                                    "agency", e->agency ? e->agency : "", "action",
                                    e->action ? e->action : "", "search",
                                    search ? search : json_null(), "results",
                                    res ? res : json_array(), "status", e->status));
    return 0;
}

static void api_audit(struct request *r, struct answer *a)
{
    if (!role_at_least(r, LIMEN_ROLE_ADMIN)) {
        answer_error(a, 403, "forbidden", NULL, "the audit log is for admins");
        return;
    }
    long after = query_long(r, "after", 0, 0, 0x7fffffffffffL);
    long limit = query_long(r, "limit", 100, 1, 1000);
    if (after < 0 || limit < 1) {
        answer_error(a, 400, "bad_request", NULL, "after >= 0 and limit 1..1000");
        return;
    }
    json_t *arr = json_array();
    limen_store_audit_list(r->srv->hub.store, after, (size_t)limit, audit_to_json, arr);
    answer_json(a, 200, json_pack("{s:o}", "entries", arr));
}

/* ---- yente-compatible matching ---- */

/*
 * POST /match/{dataset}: the request and response of OpenSanctions yente
 * ({"queries": {key: entity}} -> {"responses": {key: {"status", "results",
 * "total", "query"}}}), so that existing screening clients work unchanged.
 */
static void api_match(struct request *r, struct answer *a, const char *dataset)
{
    json_t *req = body_object(r, a);
    if (!req)
        return;
    r->personal = 1;
    r->search = json_deep_copy(req);
    r->results = json_array();
    const json_t *queries = json_object_get(req, "queries");
    if (!json_is_object(queries)) {
        json_decref(req);
        answer_error(a, 400, "bad_request", "queries", "queries must be an object of entities");
        return;
    }
    long limit = query_long(r, "limit", 5, 1, 100);
    const char *thr_text = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "threshold");
    double thr = thr_text ? strtod(thr_text, NULL) : r->srv->hub.threshold;
    if (limit < 1 || thr < 0 || thr > 1) {
        json_decref(req);
        answer_error(a, 400, "bad_request", NULL, "limit 1..100, threshold 0..1");
        return;
    }
    json_t *responses = json_object();
    char today[11];
    hub_today(&r->srv->hub, today);
    const char *key;
    json_t *qv;
    json_object_foreach((json_t *)queries, key, qv)
    {
        json_t *one = json_object();
        json_t *q = json_deep_copy(qv);
        if (json_is_object(q) && !json_object_get(q, "id"))
            json_object_set_new(q, "id", json_string(key));
        char *text = json_dumps(q, JSON_COMPACT);
        struct limen_entity *e = NULL;
        struct limen_error err;
        if (!text || limen_entity_parse(text, strlen(text), &e, &err) != LIMEN_OK) {
            json_object_set_new(one, "status", json_integer(400));
            json_object_set_new(one, "detail", json_string(text ? err.message : "bad entity"));
            json_object_set_new(one, "results", json_array());
            json_object_set_new(responses, key, one);
            free(text);
            json_decref(q);
            continue;
        }
        free(text);
        struct limen_screen_options o;
        limen_screen_options_init(&o);
        o.threshold = thr;
        o.limit = (size_t)limit;
        struct shown_to to = {&r->srv->hub, r->user.agency, today};
        o.keep = keep_shown;
        o.keep_ud = &to;
        struct limen_results *res = NULL;
        json_t *results = json_array();
        pthread_rwlock_rdlock(&r->srv->hub.lock);
        if (limen_screen(r->srv->hub.idx, e, &o, &res, &err) == LIMEN_OK) {
            size_t shown = 0;
            for (size_t i = 0; i < limen_results_count(res) && shown < (size_t)limit; i++) {
                /* (keep_shown let it through under this read lock) */
                const struct hub_entry *ent = hub_entry_find(&r->srv->hub, limen_result_id(res, i));
                if (!ent)
                    continue;
                const char *alert_id = hub_entry_id(ent);
                json_error_t je;
                const char *ex = limen_result_explanation(res, i);
                json_t *exj = ex ? json_loads(ex, 0, &je) : NULL;
                json_t *features = json_object();
                json_t *nm = exj ? json_object_get(exj, "name") : NULL;
                if (nm && json_object_get(nm, "score"))
                    json_object_set(features, "name_match", json_object_get(nm, "score"));
                json_t *ev = exj ? json_object_get(exj, "evidence") : NULL;
                size_t k;
                json_t *evv;
                json_array_foreach(ev, k, evv) json_object_set(
                    features, json_string_value(json_object_get(evv, "feature")),
                    json_object_get(evv, "log_odds"));
                json_t *props = json_object();
                if (nm && json_object_get(nm, "alert"))
                    json_object_set_new(props, "name",
                                        json_pack("[O]", json_object_get(nm, "alert")));
                json_array_append_new(
                    results,
                    json_pack("{s:s,s:s,s:s,s:o,s:[s],s:[],s:b,s:f,s:b,s:o,s:o}", "id", alert_id,
                              "caption",
                              nm ? json_string_value(json_object_get(nm, "alert")) : alert_id,
                              "schema", "Person", "properties", props, "datasets", dataset,
                              "referents", "target", 1, "score", limen_result_score(res, i),
                              "match", limen_result_match(res, i), "features", features,
                              "explanations", exj ? exj : json_object()));
                json_array_append_new(r->results, json_string(alert_id));
                shown++;
            }
        }
        pthread_rwlock_unlock(&r->srv->hub.lock);
        limen_results_free(res);
        limen_entity_free(e);
        json_object_set_new(one, "status", json_integer(200));
        json_object_set_new(one, "results", results);
        json_object_set_new(one, "total", json_pack("{s:I,s:s}", "value",
                                                    (json_int_t)json_array_size(results),
                                                    "relation", "eq"));
        json_object_set_new(one, "query", q);
        json_object_set_new(responses, key, one);
    }
    json_decref(req);
    answer_json(a, 200, json_pack("{s:o,s:{s:s,s:f},s:I}", "responses", responses, "matcher",
                                  "name", "limen", "threshold", thr, "limit", (json_int_t)limit));
}

/* For the fuzz target (fuzz/fuzz_request.c): the body parsing of the
 * screening and alert endpoints, without a connection or a store. */
unsigned api_parse_body(const char *body, size_t len, struct limen_entity **query,
                        struct hub_alert *alert)
{
    struct request r;
    struct answer a = {0, NULL, NULL, 0, NULL};
    json_t *mrz = NULL;
    memset(&r, 0, sizeof r);
    r.body = body;
    r.body_len = len;
    *query = NULL;
    json_t *doc = body_object(&r, &a);
    if (doc) {
        const char *field;
        char msg[256];
        hub_alert_read(doc, alert, &field, msg, sizeof msg);
        *query = screen_query(doc, &a, &mrz);
        json_decref(mrz);
        json_decref(doc);
    }
    free(a.body);
    return *query ? 200 : (a.status ? a.status : 500);
}

/* ---- routing ---- */

static int path_is(const char *url, const char *prefix, const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(url, prefix, n))
        return 0;
    if (rest) {
        if (url[n] != '/' || !url[n + 1] || strchr(url + n + 1, '/'))
            return 0;
        *rest = url + n + 1;
        return 1;
    }
    return url[n] == '\0';
}

static int authenticate(struct request *r, struct answer *a)
{
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    if (!h || strncmp(h, "Bearer ", 7)) {
        answer_error(a, 401, "unauthenticated", NULL,
                     "send an API token: Authorization: Bearer lmn_...");
        return -1;
    }
    if (limen_store_token_check(r->srv->hub.store, h + 7, &r->user, &r->token_id) != LIMEN_OK) {
        answer_error(a, 401, "unauthenticated", NULL, "unknown, revoked or malformed token");
        return -1;
    }
    r->authed = 1;
    if (!server_rate_ok(r->srv, r->token_id)) {
        answer_error(a, 429, "rate_limited", NULL, "too many requests for this token: at most %u "
                                                   "a minute",
                     r->srv->hub.rate_per_minute);
        return -1;
    }
    return 0;
}

/* 405 with the Allow header: `allow` lists the methods the path takes. */
static void not_allowed(struct answer *a, const char *allow)
{
    a->allow = allow;
    answer_error(a, 405, "method_not_allowed", NULL, "use %s", allow);
}

void api_dispatch(struct server *srv, struct MHD_Connection *conn, const char *method,
                  const char *url, const char *body, size_t body_len, int too_big,
                  struct api_answer *out)
{
    struct request r;
    struct answer a = {0, NULL, NULL, 0, NULL};
    const char *rest = NULL;
    memset(&r, 0, sizeof r);
    r.srv = srv;
    r.conn = conn;
    r.method = method;
    r.url = url;
    r.body = body;
    r.body_len = body_len;
    int get = !strcmp(method, "GET"), postm = !strcmp(method, "POST"),
        put = !strcmp(method, "PUT"), del = !strcmp(method, "DELETE");

    if (get && path_is(url, "/healthz", NULL)) {
        pthread_rwlock_rdlock(&srv->hub.lock);
        struct limen_index_stats st;
        limen_index_stats(srv->hub.idx, &st);
        /* Changes held aside since the index was last folded (a snapshot swaps in a folded one). */
        size_t pending = limen_index_pending(srv->hub.idx);
        pthread_rwlock_unlock(&srv->hub.lock);
        answer_json(&a, 200,
                    json_pack("{s:s,s:I,s:I}", "status", "ok", "alerts", (json_int_t)st.alerts,
                              "index_pending", (json_int_t)pending));
        goto done;
    }
    if (get && path_is(url, "/openapi.json", NULL)) {
        a.status = 200;
        a.body = strdup(server_openapi);
        goto done;
    }
    if (too_big) {
        answer_error(&a, 413, "too_large", NULL, "the body is larger than %zu bytes",
                     srv->hub.max_body);
        goto done;
    }
    if (authenticate(&r, &a) != 0)
        goto done;
    if (path_is(url, "/v1/screen", NULL)) {
        if (postm)
            api_screen(&r, &a);
        else
            not_allowed(&a, "POST");
    } else if (path_is(url, "/v1/alerts", NULL)) {
        if (postm)
            api_alert_write(&r, &a, NULL);
        else
            not_allowed(&a, "POST");
    } else if (path_is(url, "/v1/alerts", &rest)) {
        if (put)
            api_alert_write(&r, &a, rest);
        else if (del)
            api_alert_delete(&r, &a, rest);
        else if (get)
            api_alert_get(&r, &a, rest);
        else
            not_allowed(&a, "GET, PUT, DELETE");
    } else if (path_is(url, "/v1/hits", NULL)) {
        if (get)
            api_hits(&r, &a);
        else
            not_allowed(&a, "GET");
    } else if (path_is(url, "/v1/hits/stream", NULL)) {
        if (get)
            api_hits_stream(&r, &a);
        else
            not_allowed(&a, "GET");
    } else if (path_is(url, "/v1/hits", &rest)) {
        if (postm)
            api_hit_mark(&r, &a, rest);
        else
            not_allowed(&a, "POST");
    } else if (path_is(url, "/v1/groups", NULL)) {
        if (get)
            api_groups_list(&r, &a);
        else if (postm)
            api_group_put(&r, &a);
        else
            not_allowed(&a, "GET, POST");
    } else if (path_is(url, "/v1/groups", &rest)) {
        if (del)
            api_group_delete(&r, &a, rest);
        else
            not_allowed(&a, "DELETE");
    } else if (path_is(url, "/v1/audit", NULL)) {
        if (get)
            api_audit(&r, &a);
        else
            not_allowed(&a, "GET");
    } else if (path_is(url, "/match", &rest)) {
        if (postm)
            api_match(&r, &a, rest);
        else
            not_allowed(&a, "POST");
    } else {
        answer_error(&a, 404, "not_found", NULL, "no endpoint %s %s (see /openapi.json)", method,
                     url);
    }
    /* The hits and the audit entry go in, durably, before the answer leaves. */
    if ((r.personal && r.authed) || r.nhits) {
        char action[160];
        snprintf(action, sizeof action, "%s %.140s", method, url);
        char *search = r.search ? json_dumps(r.search, JSON_COMPACT) : NULL;
        char *results = r.results ? json_dumps(r.results, JSON_COMPACT) : NULL;
        struct limen_audit_entry e = {0,
                                      (int64_t)time(NULL),
                                      r.user.id,
                                      r.user.name,
                                      r.user.agency,
                                      action,
                                      search          ? search
                                      : r.search_text ? r.search_text
                                                      : "",
                                      results             ? results
                                      : r.results_text.len ? limen_buf_str(&r.results_text)
                                                           : "[]",
                                      (int)a.status};
        struct commit_item it;
        memset(&it, 0, sizeof it);
        it.hits = r.hits;
        it.nhits = r.nhits;
        it.audit = (r.personal && r.authed) ? &e : NULL;
        server_commit(srv, &it);
        if (it.st != LIMEN_OK) {
            /* Nothing is answered that the audit log does not hold. */
            free(a.body);
            a.body = NULL;
            stream_free(a.stream);
            a.stream = NULL;
            r.screened = 0;
            answer_error(&a, 503, "audit_unavailable", NULL, "the audit log cannot be written: %s",
                         it.err.message);
        } else if (r.screened) {
            const char *sep = "";
            for (size_t i = 0; i < r.nhits; i++) {
                if (it.hit_ids[i] <= 0)
                    continue;
                limen_buf_adds(&r.screen_results, sep);
                limen_buf_addf(&r.screen_results, "%lld", (long long)it.hit_ids[i]);
                sep = ",";
            }
            if (r.nhits)
                server_notify_hits(srv);
        }
        free(search);
        free(results);
    }
    if (r.screened) {
        limen_buf_add(&r.screen_results, r.screen_tail.data, r.screen_tail.len);
        free(a.body);
        a.body = NULL;
        /* The body goes to libmicrohttpd, which frees it with free() (limen_free() is free()). */
        char *text = limen_buf_detach(&r.screen_results, NULL);
        if (!text) {
            answer_error(&a, 500, "internal", NULL, "out of memory");
        } else {
            a.status = 200;
            a.body = text;
        }
    }
done:
    limen_buf_release(&r.screen_results);
    limen_buf_release(&r.screen_tail);
    limen_buf_release(&r.results_text);
    free(r.hit_query);
    limen_results_free(r.screen_res);
    json_decref(r.search);
    json_decref(r.results);
    out->status = a.status;
    out->body = a.body;
    out->allow = a.allow;
    out->etag = a.status < 300 ? a.etag : 0;
    out->stream = a.stream;
}
