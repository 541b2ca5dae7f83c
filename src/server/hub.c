/*
 * Hub state: the index and the alert table, rebuilt from the store at start
 * and kept in step with every write (see hub.h).
 */
#include "hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const hub_categories[] = {"arrest",
                                      "refusal_of_entry",
                                      "discreet_check",
                                      "inquiry_check",
                                      "specific_check",
                                      "missing_person",
                                      "vulnerable_person",
                                      "judicial_procedure",
                                      "object_for_seizure",
                                      "stolen_document",
                                      "lost_document",
                                      "invalidated_document",
                                      "blank_document",
                                      "information_alert",
                                      NULL};

static const struct {
    const char *name;
    unsigned bit;
} flag_names[] = {{"armed", HUB_FLAG_ARMED},
                  {"violent", HUB_FLAG_VIOLENT},
                  {"escape_risk", HUB_FLAG_ESCAPE_RISK},
                  {"suicide_risk", HUB_FLAG_SUICIDE_RISK},
                  {"terrorism", HUB_FLAG_TERRORISM},
                  {"public_health_risk", HUB_FLAG_PUBLIC_HEALTH}};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/*
 * An alert in the table: the fields of struct hub_alert packed in one
 * allocation, the strings one after the other, each NUL-terminated:
 *
 *   id owner action valid_until review_date dist[0] .. dist[ndist-1]
 *   groups[0] .. groups[ngroups-1]
 *
 * A typical alert takes under 100 bytes here; struct hub_alert itself, with
 * room for 64 agencies and 16 groups, is over 3 KB (3.3 GB at 1M alerts).
 */
struct hub_entry {
    int64_t version;
    unsigned flags;
    uint8_t handling, dist_all, ndist, ngroups;
    uint8_t category;                                        /* index in hub_categories */
    uint16_t owner, action, valid_until, review_date, codes; /* offsets in text */
    char text[];
};

_Static_assert(HUB_MAX_DIST <= UINT8_MAX && HUB_MAX_GROUPS <= UINT8_MAX, "counts fit a byte");
_Static_assert(sizeof(struct hub_alert) < UINT16_MAX, "offsets fit 16 bits");

/* Appends a string and its NUL at text[*at]; returns where it starts. */
static uint16_t pack_str(char *text, size_t *at, const char *v)
{
    size_t start = *at, n = strlen(v) + 1;
    memcpy(text + start, v, n);
    *at += n;
    return (uint16_t)start;
}

static size_t packed_len(const struct hub_alert *a)
{
    size_t n = strlen(a->id) + strlen(a->owner) + strlen(a->action) + strlen(a->valid_until) +
               strlen(a->review_date) + 5;
    for (size_t i = 0; i < a->ndist; i++)
        n += strlen(a->dist[i]) + 1;
    for (size_t i = 0; i < a->ngroups; i++)
        n += strlen(a->groups[i]) + 1;
    return n;
}

/* The packed copy of an alert record (malloc'd), or NULL when out of memory. */
static struct hub_entry *entry_pack(const struct hub_alert *a)
{
    struct hub_entry *e = malloc(sizeof *e + packed_len(a));
    if (!e)
        return NULL;
    size_t at = 0;
    e->version = a->version;
    e->flags = a->flags;
    e->handling = (uint8_t)a->handling;
    e->dist_all = (uint8_t)a->dist_all;
    e->ndist = (uint8_t)a->ndist;
    e->ngroups = (uint8_t)a->ngroups;
    e->category = 0;
    for (uint8_t i = 0; hub_categories[i]; i++)
        if (!strcmp(hub_categories[i], a->category))
            e->category = i;
    pack_str(e->text, &at, a->id);
    e->owner = pack_str(e->text, &at, a->owner);
    e->action = pack_str(e->text, &at, a->action);
    e->valid_until = pack_str(e->text, &at, a->valid_until);
    e->review_date = pack_str(e->text, &at, a->review_date);
    e->codes = (uint16_t)at;
    for (size_t i = 0; i < a->ndist; i++)
        pack_str(e->text, &at, a->dist[i]);
    for (size_t i = 0; i < a->ngroups; i++)
        pack_str(e->text, &at, a->groups[i]);
    return e;
}

/* The string after s in a packed run. */
static const char *next_str(const char *s)
{
    return s + strlen(s) + 1;
}

void hub_entry_unpack(const struct hub_entry *e, struct hub_alert *a)
{
    memset(a, 0, sizeof *a);
    snprintf(a->id, sizeof a->id, "%s", e->text);
    snprintf(a->owner, sizeof a->owner, "%s", e->text + e->owner);
    snprintf(a->category, sizeof a->category, "%s", hub_categories[e->category]);
    snprintf(a->action, sizeof a->action, "%s", e->text + e->action);
    snprintf(a->valid_until, sizeof a->valid_until, "%s", e->text + e->valid_until);
    snprintf(a->review_date, sizeof a->review_date, "%s", e->text + e->review_date);
    a->flags = e->flags;
    a->handling = e->handling;
    a->dist_all = e->dist_all;
    a->version = e->version;
    const char *c = e->text + e->codes;
    for (; a->ndist < e->ndist; c = next_str(c))
        snprintf(a->dist[a->ndist++], sizeof a->dist[0], "%s", c);
    for (; a->ngroups < e->ngroups; c = next_str(c))
        snprintf(a->groups[a->ngroups++], sizeof a->groups[0], "%s", c);
}

const char *hub_entry_id(const struct hub_entry *e)
{
    return e->text;
}

const struct hub_entry *hub_entry_find(const struct hub *h, const char *id)
{
    if (!h->alerts_cap)
        return NULL;
    size_t mask = h->alerts_cap - 1;
    for (size_t i = hash_str(id) & mask;; i = (i + 1) & mask) {
        if (!h->alerts[i])
            return NULL;
        if (!strcmp(h->alerts[i]->text, id))
            return h->alerts[i];
    }
}

/* Inserts or replaces (takes ownership of e). Returns 0 or -1. */
static int table_put(struct hub *h, struct hub_entry *e)
{
    if ((h->nalerts + 1) * 2 > h->alerts_cap) {
        size_t cap = h->alerts_cap ? h->alerts_cap * 2 : 1024;
        struct hub_entry **t = calloc(cap, sizeof *t);
        if (!t)
            return -1;
        for (size_t i = 0; i < h->alerts_cap; i++) {
            if (!h->alerts[i])
                continue;
            size_t j = hash_str(h->alerts[i]->text) & (cap - 1);
            while (t[j])
                j = (j + 1) & (cap - 1);
            t[j] = h->alerts[i];
        }
        free(h->alerts);
        h->alerts = t;
        h->alerts_cap = cap;
    }
    size_t mask = h->alerts_cap - 1;
    size_t i = hash_str(e->text) & mask;
    while (h->alerts[i] && strcmp(h->alerts[i]->text, e->text))
        i = (i + 1) & mask;
    if (h->alerts[i])
        free(h->alerts[i]);
    else
        h->nalerts++;
    h->alerts[i] = e;
    return 0;
}

static int copy_str(char *dst, size_t cap, const json_t *v)
{
    if (!v)
        return 0;
    if (!json_is_string(v))
        return -1;
    const char *s = json_string_value(v);
    size_t n = strlen(s);
    if (n >= cap)
        return -1;
    memcpy(dst, s, n + 1);
    return 0;
}

static int valid_date(const char *s)
{
    int y, m, d;
    char tail;
    return sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && strlen(s) == 10 && m >= 1 &&
           m <= 12 && d >= 1 && d <= 31 && y >= 1900 && y <= 2200;
}

/* A list of at most `max` short codes (agencies or groups) into out[], *n of them. */
static int read_codes(const json_t *arr, size_t max, char (*out)[LIMEN_AGENCY_CODE_MAX], size_t *n,
                      const char *what, char *msg, size_t msg_cap)
{
    size_t i;
    const json_t *v;
    if (!json_is_array(arr) || json_array_size(arr) > max) {
        snprintf(msg, msg_cap, "%s must be a list of at most %zu codes", what, max);
        return -1;
    }
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v) || copy_str(out[*n], LIMEN_AGENCY_CODE_MAX, v) != 0 || !out[*n][0]) {
            snprintf(msg, msg_cap, "%s: the code at index %zu is not a short string", what, i);
            return -1;
        }
        (*n)++;
    }
    return 0;
}

int hub_alert_read(const json_t *entity, struct hub_alert *a, const char **field, char *msg,
                   size_t msg_cap)
{
    memset(a, 0, sizeof *a);
    a->handling = 1;
    const json_t *id = json_object_get(entity, "id");
    if (copy_str(a->id, sizeof a->id, id) != 0 || !a->id[0]) {
        *field = "id";
        snprintf(msg, msg_cap, "the entity needs a string id of at most %d bytes",
                 LIMEN_ALERT_ID_MAX - 1);
        return -1;
    }
    const json_t *al = json_object_get(entity, "alert");
    if (!json_is_object(al)) {
        *field = "alert";
        snprintf(msg, msg_cap, "an alert needs its \"alert\" object (category, action, handling, "
                               "distribution)");
        return -1;
    }
    if (copy_str(a->owner, sizeof a->owner, json_object_get(al, "owner")) != 0) {
        *field = "alert.owner";
        snprintf(msg, msg_cap, "owner must be an agency code");
        return -1;
    }
    if (copy_str(a->category, sizeof a->category, json_object_get(al, "category")) != 0) {
        *field = "alert.category";
        snprintf(msg, msg_cap, "category must be a string");
        return -1;
    }
    int known = 0;
    for (size_t i = 0; hub_categories[i]; i++)
        known |= !strcmp(a->category, hub_categories[i]);
    if (!known) {
        *field = "alert.category";
        snprintf(msg, msg_cap, "unknown category \"%.48s\" (arrest, refusal_of_entry, "
                               "discreet_check, ... see /openapi.json)", a->category);
        return -1;
    }
    if (copy_str(a->action, sizeof a->action, json_object_get(al, "action")) != 0) {
        *field = "alert.action";
        snprintf(msg, msg_cap, "action must be a string of at most %zu bytes",
                 sizeof a->action - 1);
        return -1;
    }
    const json_t *hc = json_object_get(al, "handling");
    if (hc) {
        const char *hs = json_is_string(hc) ? json_string_value(hc) : NULL;
        if (json_is_integer(hc) && json_integer_value(hc) >= 0 && json_integer_value(hc) <= 3)
            a->handling = (int)json_integer_value(hc);
        else if (hs && (hs[0] == 'H' || hs[0] == 'h') && hs[1] >= '0' && hs[1] <= '3' && !hs[2])
            a->handling = hs[1] - '0';
        else {
            *field = "alert.handling";
            snprintf(msg, msg_cap, "handling must be H0, H1, H2 or H3");
            return -1;
        }
    }
    const json_t *fl = json_object_get(al, "flags");
    if (fl) {
        size_t i;
        const json_t *v;
        if (!json_is_array(fl)) {
            *field = "alert.flags";
            snprintf(msg, msg_cap, "flags must be a list");
            return -1;
        }
        json_array_foreach(fl, i, v)
        {
            unsigned bit = 0;
            for (size_t k = 0; k < sizeof flag_names / sizeof flag_names[0]; k++)
                if (json_is_string(v) && !strcmp(json_string_value(v), flag_names[k].name))
                    bit = flag_names[k].bit;
            if (!bit) {
                *field = "alert.flags";
                snprintf(msg, msg_cap, "unknown warning flag at index %zu (armed, violent, "
                                       "escape_risk, suicide_risk, terrorism, public_health_risk)",
                         i);
                return -1;
            }
            a->flags |= bit;
        }
    }
    const json_t *vu = json_object_get(al, "valid_until");
    if (vu && (copy_str(a->valid_until, sizeof a->valid_until, vu) != 0 ||
               (a->valid_until[0] && !valid_date(a->valid_until)))) {
        *field = "alert.valid_until";
        snprintf(msg, msg_cap, "valid_until must be a date YYYY-MM-DD");
        return -1;
    }
    const json_t *rd = json_object_get(al, "review_date");
    if (rd && (copy_str(a->review_date, sizeof a->review_date, rd) != 0 ||
               (a->review_date[0] && !valid_date(a->review_date)))) {
        *field = "alert.review_date";
        snprintf(msg, msg_cap, "review_date must be a date YYYY-MM-DD");
        return -1;
    }
    const json_t *d = json_object_get(al, "distribution");
    if (!d || (json_is_string(d) && !strcmp(json_string_value(d), "all"))) {
        a->dist_all = 1;
    } else if (json_is_object(d)) {
        const json_t *all = json_object_get(d, "all");
        const json_t *ag = json_object_get(d, "agencies");
        const json_t *gr = json_object_get(d, "groups");
        a->dist_all = json_is_true(all);
        if (ag && read_codes(ag, HUB_MAX_DIST, a->dist, &a->ndist, "agencies", msg, msg_cap) != 0) {
            *field = "alert.distribution.agencies";
            return -1;
        }
        if (gr &&
            read_codes(gr, HUB_MAX_GROUPS, a->groups, &a->ngroups, "groups", msg, msg_cap) != 0) {
            *field = "alert.distribution.groups";
            return -1;
        }
    } else {
        *field = "alert.distribution";
        snprintf(msg, msg_cap,
                 "distribution is \"all\", or {\"all\", \"agencies\": [...], \"groups\": [...]}");
        return -1;
    }
    return 0;
}

const struct limen_group *hub_group_find(const struct limen_group *groups, size_t n,
                                         const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(groups[i].code, code))
            return &groups[i];
    return NULL;
}

const char *hub_alert_unknown_group(const struct hub_alert *a, const struct limen_group *groups,
                                    size_t n)
{
    for (size_t i = 0; i < a->ngroups; i++)
        if (!hub_group_find(groups, n, a->groups[i]))
            return a->groups[i];
    return NULL;
}

/* Whether `agency` is a member of the group `code` in the hub's table now. */
static int member_of(const struct hub *h, const char *code, const char *agency)
{
    const struct limen_group *g = hub_group_find(h->groups, h->ngroups, code);
    for (size_t k = 0; g && k < g->nmembers; k++)
        if (!strcmp(g->members[k], agency))
            return 1;
    return 0;
}

int hub_visible(const struct hub *h, const struct hub_entry *e, const char *agency)
{
    if (e->dist_all || !strcmp(e->text + e->owner, agency))
        return 1;
    const char *c = e->text + e->codes;
    for (size_t i = 0; i < e->ndist; i++, c = next_str(c))
        if (!strcmp(c, agency))
            return 1;
    /* Groups are few and small: a linear look is cheaper than keeping an index in step. */
    for (size_t i = 0; i < e->ngroups; i++, c = next_str(c))
        if (member_of(h, c, agency))
            return 1;
    return 0;
}

int hub_groups_load(struct hub *h, struct limen_error *err)
{
    struct limen_group *groups = NULL;
    size_t n = 0;
    pthread_mutex_lock(&h->groups_mu);
    limen_status st = limen_store_groups(h->store, &groups, &n);
    if (st != LIMEN_OK) {
        pthread_mutex_unlock(&h->groups_mu);
        snprintf(err->message, sizeof err->message, "cannot read the sharing groups: %s",
                 limen_strerror(st));
        return -1;
    }
    pthread_rwlock_wrlock(&h->lock);
    struct limen_group *old = h->groups;
    h->groups = groups;
    h->ngroups = n;
    pthread_rwlock_unlock(&h->lock);
    pthread_mutex_unlock(&h->groups_mu);
    limen_free(old);
    return 0;
}

void hub_today(char today[11])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(today, 11, "%Y-%m-%d", &tm);
}

/* Whether a validity date (YYYY-MM-DD, "" for none) is before `today`. */
static int date_past(const char *valid_until, const char *today)
{
    return valid_until[0] && strcmp(valid_until, today) < 0;
}

int hub_expired(const struct hub_entry *e, const char *today)
{
    return date_past(e->text + e->valid_until, today);
}

int hub_apply_entity(struct hub *h, const struct limen_entity *e, const struct hub_alert *meta,
                     int withdrawn, struct limen_error *err)
{
    int rc;
    struct hub_entry *a = entry_pack(meta);
    if (!a) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return -1;
    }
    char today[11];
    hub_today(today);
    pthread_rwlock_wrlock(&h->lock);
    if (withdrawn || date_past(meta->valid_until, today)) {
        limen_status st = limen_index_remove(h->idx, meta->id);
        rc = (st == LIMEN_OK || st == LIMEN_ENOTFOUND) ? 0 : -1;
    } else {
        rc = limen_index_add(h->idx, e, NULL, err) == LIMEN_OK ? 0 : -1;
    }
    if (rc == 0) {
        rc = table_put(h, a);
        if (rc == 0)
            a = NULL;
    }
    pthread_rwlock_unlock(&h->lock);
    free(a);
    return rc;
}

int hub_apply(struct hub *h, const char *json, size_t len, int withdrawn, int64_t version,
              struct limen_error *err)
{
    struct limen_entity *e = NULL;
    struct hub_alert a;
    int rc = -1;
    json_error_t je;
    json_t *doc = json_loadb(json, len, 0, &je);
    if (!doc) {
        snprintf(err->message, sizeof err->message, "stored alert is not JSON: %s", je.text);
        return -1;
    }
    const char *field;
    char msg[256];
    if (hub_alert_read(doc, &a, &field, msg, sizeof msg) != 0) {
        snprintf(err->message, sizeof err->message, "stored alert: %.200s", msg);
        goto out;
    }
    a.version = version;
    if (limen_entity_parse(json, len, &e, err) != LIMEN_OK)
        goto out;
    rc = hub_apply_entity(h, e, &a, withdrawn, err);
out:
    limen_entity_free(e);
    json_decref(doc);
    return rc;
}

struct load_ctx {
    struct hub *h;
    size_t loaded, skipped;
    struct limen_error *err;
};

static int load_one(void *ctx, const struct limen_alert_meta *m, const char *json, size_t len)
{
    struct load_ctx *c = ctx;
    struct limen_error err;
    limen_error_clear(&err);
    if (hub_apply(c->h, json, len, m->withdrawn, m->version, &err) != 0)
        c->skipped++; /* kept in the store, reported at start */
    else
        c->loaded++;
    return 0;
}

int hub_open(struct hub *h, struct limen_store *store, struct limen_error *err)
{
    memset(h, 0, sizeof *h);
    h->store = store;
    h->threshold = LIMEN_DEFAULT_THRESHOLD;
    h->max_body = 1 << 20;
    pthread_rwlock_init(&h->lock, NULL);
    pthread_mutex_init(&h->groups_mu, NULL);
    if (limen_index_new(NULL, &h->idx) != LIMEN_OK) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return -1;
    }
    if (hub_groups_load(h, err) != 0)
        return -1;
    struct load_ctx c = {h, 0, 0, err};
    if (limen_store_alerts_each(store, load_one, &c) != LIMEN_OK) {
        snprintf(err->message, sizeof err->message, "cannot read the alerts of the store");
        return -1;
    }
    /* Fold the loaded alerts into the main index structures. */
    if (limen_index_finish(h->idx) != LIMEN_OK) {
        snprintf(err->message, sizeof err->message, "out of memory building the index");
        return -1;
    }
    fprintf(stderr, "limen serve: %zu alerts loaded from the store into the index", c.loaded);
    if (c.skipped)
        fprintf(stderr, ", %zu kept in the store but not indexable", c.skipped);
    fputc('\n', stderr);
    return 0;
}

void hub_close(struct hub *h)
{
    for (size_t i = 0; i < h->alerts_cap; i++)
        free(h->alerts[i]);
    free(h->alerts);
    limen_free(h->groups);
    limen_index_free(h->idx);
    pthread_rwlock_destroy(&h->lock);
    pthread_mutex_destroy(&h->groups_mu);
    memset(h, 0, sizeof *h);
}
