/*
 * Hub state: the index and the alert table, loaded from a snapshot or rebuilt
 * from the store at start and kept in step with every write (see hub.h). A
 * snapshot is the saved index plus the packed alert table, tagged with the
 * store's change watermark: at start only what the store numbered after it
 * is applied.
 */
#include "hub.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
/* The number of categories (without the NULL): a category index read from a file is below it. */
#define NCATEGORIES (sizeof hub_categories / sizeof hub_categories[0] - 1)

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

/* The bytes of an entry's text: up to the NUL of its last string. */
static size_t entry_text_len(const struct hub_entry *e)
{
    const char *c = e->text + e->codes;
    for (size_t i = 0; i < (size_t)e->ndist + e->ngroups; i++)
        c = next_str(c);
    return (size_t)(c - e->text);
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

/*
 * Frees an entry that left the table (call under the write lock), or, while
 * a snapshot reads the entries outside the lock, keeps it until the snapshot
 * is done. Should keeping it run out of memory, the entry is left allocated
 * (a few dozen bytes lost) rather than freed under the snapshot's reader.
 */
static void entry_retire(struct hub *h, struct hub_entry *e)
{
    if (!h->pinned) {
        free(e);
        return;
    }
    if (h->nretired == h->retired_cap) {
        size_t cap = h->retired_cap ? h->retired_cap * 2 : 256;
        struct hub_entry **r = realloc(h->retired, cap * sizeof *r);
        if (!r)
            return;
        h->retired = r;
        h->retired_cap = cap;
    }
    h->retired[h->nretired++] = e;
}

/* Frees the entries retired while the table was pinned (call under the write lock). */
static void entries_unpin(struct hub *h)
{
    h->pinned = 0;
    for (size_t i = 0; i < h->nretired; i++)
        free(h->retired[i]);
    free(h->retired);
    h->retired = NULL;
    h->nretired = h->retired_cap = 0;
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
        entry_retire(h, h->alerts[i]);
    else
        h->nalerts++;
    h->alerts[i] = e;
    return 0;
}

/* Frees every entry and the table itself: the table is empty after. */
static void table_clear(struct hub *h)
{
    for (size_t i = 0; i < h->alerts_cap; i++)
        free(h->alerts[i]);
    free(h->alerts);
    h->alerts = NULL;
    h->alerts_cap = h->nalerts = 0;
}

/* Removes the entry of `id` if there is one; backward-shift deletion keeps probe runs whole. */
static void table_del(struct hub *h, const char *id)
{
    if (!h->alerts_cap)
        return;
    size_t mask = h->alerts_cap - 1;
    size_t i = hash_str(id) & mask;
    while (h->alerts[i] && strcmp(h->alerts[i]->text, id))
        i = (i + 1) & mask;
    if (!h->alerts[i])
        return;
    entry_retire(h, h->alerts[i]);
    h->alerts[i] = NULL;
    h->nalerts--;
    for (size_t j = (i + 1) & mask; h->alerts[j]; j = (j + 1) & mask) {
        size_t home = hash_str(h->alerts[j]->text) & mask;
        /* Move j back to the hole when its home is not in the run (i, j]. */
        if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
            h->alerts[i] = h->alerts[j];
            h->alerts[j] = NULL;
            i = j;
        }
    }
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

void hub_today(const struct hub *h, char today[11])
{
    if (h->today_fixed[0]) {
        memcpy(today, h->today_fixed, 11);
        return;
    }
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

/* Seconds spent in each step of a start, for the start's log line. */
struct hub_timing {
    double json, entity, index, table; /* the rest is reading the store */
};

static double mono_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Every change to the live index goes through these two (under the write
 * lock): while a snapshot's copy is being brought up to date to replace it,
 * the alert's id goes to the journal (the copy catches up on it), or, once
 * the copy shadows the index, the change is made to the copy too.
 */
static void journal_note(struct hub *h, const char *id)
{
    if (!h->journaling || h->shadow || h->swap_failed)
        return; /* failed: the copy is dropped, nothing more to record */
    size_t n = strlen(id) + 1;
    limen_buf_add(&h->journal, id, n);
    if (limen_buf_failed(&h->journal)) /* the append added nothing: len is as it was */
        h->swap_failed =
            h->journal.max && h->journal.len + n > h->journal.max ? HUB_SWAP_JOURNAL_FULL : 1;
}

static limen_status index_add(struct hub *h, const char *id, const struct limen_entity *e,
                              struct limen_error *err)
{
    limen_status st = limen_index_add(h->idx, e, NULL, err);
    if (st != LIMEN_OK)
        return st; /* the index is as it was */
    journal_note(h, id);
    if (h->shadow && limen_index_add(h->shadow, e, NULL, NULL) != LIMEN_OK)
        h->swap_failed = 1;
    return st;
}

static limen_status index_remove(struct hub *h, const char *id)
{
    limen_status st = limen_index_remove(h->idx, id);
    journal_note(h, id);
    if (h->shadow) {
        limen_status s2 = limen_index_remove(h->shadow, id);
        if (s2 != LIMEN_OK && s2 != LIMEN_ENOTFOUND)
            h->swap_failed = 1;
    }
    return st;
}

static int apply_entity(struct hub *h, const struct limen_entity *e, const struct hub_alert *meta,
                        int withdrawn, struct hub_timing *tm, struct limen_error *err)
{
    int rc;
    double t0 = tm ? mono_now() : 0, t1 = 0;
    struct hub_entry *a = entry_pack(meta);
    if (!a) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return -1;
    }
    char today[11];
    hub_today(h, today);
    pthread_rwlock_wrlock(&h->lock);
    if (tm) {
        t1 = mono_now();
        tm->table += t1 - t0;
    }
    /*
     * Versions only move forward: a version older than the table's, or the
     * same, is in already or overtaken (two writers of one alert, or a
     * snapshot's catch-up beside a request that stored the version and has
     * not applied it yet).
     */
    const struct hub_entry *have = hub_entry_find(h, meta->id);
    if (have && have->version >= meta->version)
        rc = 1;
    else if (withdrawn || date_past(meta->valid_until, today)) {
        limen_status st = index_remove(h, meta->id);
        rc = (st == LIMEN_OK || st == LIMEN_ENOTFOUND) ? 0 : -1;
    } else {
        rc = index_add(h, meta->id, e, err) == LIMEN_OK ? 0 : -1;
    }
    if (tm) {
        t0 = mono_now();
        tm->index += t0 - t1;
    }
    if (rc == 0) {
        rc = table_put(h, a);
        if (rc == 0)
            a = NULL;
        else /* the index changed, the table did not: a copy caught up from it would differ */
            h->swap_failed = 1;
    }
    pthread_rwlock_unlock(&h->lock);
    free(a);
    if (tm)
        tm->table += mono_now() - t0;
    return rc < 0 ? -1 : 0;
}

void hub_withdraw(struct hub *h, const char *id, int64_t version)
{
    pthread_rwlock_wrlock(&h->lock);
    const struct hub_entry *e = hub_entry_find(h, id);
    if (!e || e->version < version) {
        index_remove(h, id);
        /* The record stays, at the version that withdrew it: a new entry, as a
         * snapshot may be reading this one outside the lock. */
        size_t n = e ? sizeof *e + entry_text_len(e) : 0;
        struct hub_entry *c = e ? malloc(n) : NULL;
        if (c) {
            memcpy(c, e, n);
            c->version = version;
            if (table_put(h, c) != 0) {
                free(c);
                c = NULL;
            }
        }
        if (e && !c) /* the record kept its older version: a copy caught up from it would differ */
            h->swap_failed = 1;
    }
    pthread_rwlock_unlock(&h->lock);
}

int hub_apply_entity(struct hub *h, const struct limen_entity *e, const struct hub_alert *meta,
                     int withdrawn, struct limen_error *err)
{
    return apply_entity(h, e, meta, withdrawn, NULL, err);
}

static int apply_timed(struct hub *h, const char *json, size_t len, int withdrawn, int64_t version,
                       struct hub_timing *tm, struct limen_error *err)
{
    struct limen_entity *e = NULL;
    struct hub_alert a;
    int rc = -1;
    json_error_t je;
    double t0 = tm ? mono_now() : 0, t1 = 0, t2 = 0;
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
    if (tm)
        t1 = mono_now();
    if (limen_entity_parse(json, len, &e, err) != LIMEN_OK)
        goto out;
    if (tm)
        t2 = mono_now();
    rc = apply_entity(h, e, &a, withdrawn, tm, err);
    if (tm) {
        tm->json += t1 - t0;
        tm->entity += t2 - t1;
    }
out:
    limen_entity_free(e);
    json_decref(doc);
    return rc;
}

int hub_apply(struct hub *h, const char *json, size_t len, int withdrawn, int64_t version,
              struct limen_error *err)
{
    return apply_timed(h, json, len, withdrawn, version, NULL, err);
}

struct load_ctx {
    struct hub *h;
    size_t loaded, skipped;
    struct hub_timing tm;
};

static int load_one(void *ctx, const struct limen_alert_meta *m, const char *json, size_t len)
{
    struct load_ctx *c = ctx;
    struct limen_error err;
    limen_error_clear(&err);
    if (apply_timed(c->h, json, len, m->withdrawn, m->version, &c->tm, &err) != 0)
        c->skipped++; /* kept in the store, reported at start */
    else
        c->loaded++;
    return 0;
}

/*
 * A change since the hub's watermark: applied unless the table already has
 * that version. A version that cannot be applied takes the alert out of the
 * index and the table, as a rebuild would leave it out.
 */
static int catch_up_one(void *ctx, const struct limen_alert_meta *m, const char *json, size_t len)
{
    struct load_ctx *c = ctx;
    struct hub *h = c->h;
    /* Under the lock: while serving, requests change the table meanwhile. */
    pthread_rwlock_rdlock(&h->lock);
    const struct hub_entry *have = hub_entry_find(h, m->id);
    int current = have && have->version >= m->version;
    pthread_rwlock_unlock(&h->lock);
    if (current)
        return 0;
    struct limen_error err;
    limen_error_clear(&err);
    if (apply_timed(h, json, len, m->withdrawn, m->version, &c->tm, &err) == 0) {
        c->loaded++;
        return 0;
    }
    c->skipped++;
    pthread_rwlock_wrlock(&h->lock);
    have = hub_entry_find(h, m->id);
    if (!have || have->version < m->version) {
        index_remove(h, m->id);
        table_del(h, m->id);
    }
    pthread_rwlock_unlock(&h->lock);
    return 0;
}

/* ---- snapshot file ----
 *
 * The alert table of a snapshot, in native byte order (a file of another byte
 * order is refused by its mark):
 *
 *   "LMNHUBS1" u32 format (1) u32 0x01020304
 *   i64 store_id  i64 watermark  i64 version  u16 n + alert id (the change at the watermark)
 *   u16 n + file name of the saved index (in the same directory)
 *   u64 entries, then for each:
 *     i64 version u32 flags u8 handling dist_all ndist ngroups category
 *     u16 owner action valid_until review_date codes  u32 n + n bytes of text
 *   u64 checksum of all the bytes before it
 */
#define SNAP_MAGIC  "LMNHUBS1"
#define SNAP_FORMAT 1u
#define SNAP_BOM    0x01020304u

uint64_t hub_snapshot_sum(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    while (n--) {
        h = (h ^ *p++) * 0x100000001b3ULL;
    }
    return h;
}

/* Appends a value's bytes as they lie in memory (native byte order). */
#define PUT(b, v) limen_buf_add((b), (const char *)&(v), sizeof(v))

static void put_str16(struct limen_buf *b, const char *s)
{
    uint16_t n = (uint16_t)strlen(s);
    PUT(b, n);
    limen_buf_add(b, s, n);
}

struct snap_reader {
    const unsigned char *p;
    size_t len, at;
    int bad;
};

static void get_bytes(struct snap_reader *r, void *v, size_t n)
{
    if (r->bad || n > r->len - r->at) {
        r->bad = 1;
        memset(v, 0, n);
        return;
    }
    memcpy(v, r->p + r->at, n);
    r->at += n;
}

#define GET(r, v) get_bytes((r), &(v), sizeof(v))

/* A u16-counted string into out (cap bytes with its NUL). */
static void get_str16(struct snap_reader *r, char *out, size_t cap)
{
    uint16_t n = 0;
    GET(r, n);
    if (r->bad || n >= cap) {
        r->bad = 1;
        out[0] = '\0';
        return;
    }
    get_bytes(r, out, n);
    out[n] = '\0';
}

/* Whether s is the start of a string of text[0..n) (not past its end). */
static int str_in(const char *text, size_t n, size_t at)
{
    return at < n && memchr(text + at, '\0', n - at) != NULL;
}

/* Reads and checks one entry; NULL when it is malformed (or out of memory: *oom). */
static struct hub_entry *get_entry(struct snap_reader *r, int *oom)
{
    int64_t version = 0;
    uint32_t flags = 0, n = 0;
    uint8_t b[5] = {0};
    uint16_t off[5] = {0};
    GET(r, version);
    GET(r, flags);
    get_bytes(r, b, sizeof b);
    get_bytes(r, off, sizeof off);
    GET(r, n);
    if (r->bad || n == 0 || n > UINT16_MAX || n > r->len - r->at)
        return NULL;
    if (b[0] > 3 || b[1] > 1 || b[2] > HUB_MAX_DIST || b[3] > HUB_MAX_GROUPS || b[4] >= NCATEGORIES)
        return NULL;
    struct hub_entry *e = malloc(sizeof *e + n);
    if (!e) {
        *oom = 1;
        return NULL;
    }
    get_bytes(r, e->text, n);
    e->version = version;
    e->flags = flags;
    e->handling = b[0];
    e->dist_all = b[1];
    e->ndist = b[2];
    e->ngroups = b[3];
    e->category = b[4];
    e->owner = off[0];
    e->action = off[1];
    e->valid_until = off[2];
    e->review_date = off[3];
    e->codes = off[4];
    /* Every string the entry's readers take must start inside the text and end in it. */
    int ok = e->text[n - 1] == '\0' && e->text[0] && str_in(e->text, n, 0);
    for (size_t i = 0; ok && i < 4; i++)
        ok = str_in(e->text, n, off[i]);
    size_t at = e->codes;
    for (size_t i = 0; ok && i < (size_t)e->ndist + e->ngroups; i++) {
        ok = str_in(e->text, n, at);
        if (ok)
            at += strlen(e->text + at) + 1;
    }
    ok = ok && (e->codes <= n) && at == n;
    if (!ok) {
        free(e);
        return NULL;
    }
    return e;
}

/* The path of the file `name` in the directory of `path` (just `name` when path has no '/'). */
static void snap_index_path(const char *path, const char *name, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(out, cap, "%.*s/%s", (int)(slash - path), path, name);
    else
        snprintf(out, cap, "%s", name);
}

/*
 * Loads the snapshot at `path` into the (empty) hub: on success 0 with
 * *watermark; otherwise -1 with why[] saying what was wrong, the hub emptied.
 */
static int snapshot_load(struct hub *h, const char *path, int64_t *watermark, char *why,
                         size_t why_cap)
{
    int rc = -1, oom = 0;
    unsigned char *buf = NULL;
    struct limen_index *idx = NULL;
    struct limen_error err;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_cap, "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    struct stat stt;
    if (fstat(fileno(f), &stt) != 0 || stt.st_size < 16 || (uint64_t)stt.st_size > SIZE_MAX / 2) {
        snprintf(why, why_cap, "%s is too short to be a snapshot", path);
        goto out;
    }
    size_t len = (size_t)stt.st_size;
    buf = malloc(len);
    if (!buf || fread(buf, 1, len, f) != len) {
        snprintf(why, why_cap, "cannot read %s", path);
        goto out;
    }
    uint64_t sum;
    memcpy(&sum, buf + len - 8, 8);
    if (memcmp(buf, SNAP_MAGIC, 8) != 0) {
        snprintf(why, why_cap, "%s is not a hub snapshot", path);
        goto out;
    }
    if (hub_snapshot_sum(buf, len - 8) != sum) {
        snprintf(why, why_cap, "%s is damaged or truncated (checksum)", path);
        goto out;
    }
    struct snap_reader r = {buf, len - 8, 8, 0};
    uint32_t format = 0, bom = 0;
    int64_t store_id = 0, seq = 0, version = 0;
    char id[LIMEN_ALERT_ID_MAX], name[1024];
    uint64_t n = 0;
    GET(&r, format);
    GET(&r, bom);
    if (format != SNAP_FORMAT || bom != SNAP_BOM) {
        snprintf(why, why_cap, "%s is of another format version or byte order", path);
        goto out;
    }
    GET(&r, store_id);
    GET(&r, seq);
    GET(&r, version);
    get_str16(&r, id, sizeof id);
    get_str16(&r, name, sizeof name);
    GET(&r, n);
    if (r.bad || !name[0] || strchr(name, '/') || seq < 0) {
        snprintf(why, why_cap, "%s: malformed header", path);
        goto out;
    }
    /* The snapshot must be of this store, and the store must hold its watermark as it was. */
    int64_t s_id = 0, s_seq = 0, s_ver = 0;
    char s_last[LIMEN_ALERT_ID_MAX];
    if (limen_store_alert_watermark(h->store, &s_id, &s_seq, s_last, &s_ver) != LIMEN_OK) {
        snprintf(why, why_cap, "cannot read the store's watermark");
        goto out;
    }
    if (s_id != store_id) {
        snprintf(why, why_cap, "%s belongs to another store", path);
        goto out;
    }
    if (seq > s_seq) {
        snprintf(why, why_cap, "%s is ahead of the store (watermark %lld, the store's %lld)", path,
                 (long long)seq, (long long)s_seq);
        goto out;
    }
    if (seq > 0) {
        int64_t v = 0;
        if (limen_store_alert_change(h->store, seq, s_last, &v) != LIMEN_OK || v != version ||
            strcmp(s_last, id) != 0) {
            snprintf(why, why_cap,
                     "%s: the store's change %lld is not the one the snapshot saw "
                     "(a store restored from an older copy?)",
                     path, (long long)seq);
            goto out;
        }
    }
    char ipath[4096 + 1024 + 2];
    snap_index_path(path, name, ipath, sizeof ipath);
    limen_error_clear(&err);
    if (limen_index_load(ipath, &idx, &err) != LIMEN_OK) {
        snprintf(why, why_cap, "%s", err.message);
        goto out;
    }
    for (uint64_t i = 0; i < n; i++) {
        struct hub_entry *e = get_entry(&r, &oom);
        if (!e) {
            snprintf(why, why_cap, oom ? "out of memory" : "%s: entry %llu is malformed", path,
                     (unsigned long long)i);
            goto out;
        }
        if (table_put(h, e) != 0) {
            free(e);
            snprintf(why, why_cap, "out of memory");
            goto out;
        }
    }
    if (r.at != r.len || h->nalerts != n) {
        snprintf(why, why_cap, "%s: entries do not add up (repeated ids or trailing bytes)", path);
        goto out;
    }
    limen_index_free(h->idx);
    h->idx = idx;
    idx = NULL;
    snprintf(h->snap_index, sizeof h->snap_index, "%.4000s", ipath);
    *watermark = seq;
    rc = 0;
out:
    if (rc != 0) /* leave the hub empty for the rebuild */
        table_clear(h);
    limen_index_free(idx);
    free(buf);
    if (f)
        fclose(f);
    return rc;
}

/* Drops the index entries of alerts that are past their validity today; how many there were. */
static size_t drop_expired(struct hub *h)
{
    char today[11];
    size_t n = 0;
    hub_today(h, today);
    for (size_t i = 0; i < h->alerts_cap; i++)
        if (h->alerts[i] && hub_expired(h->alerts[i], today))
            n += index_remove(h, h->alerts[i]->text) == LIMEN_OK;
    return n;
}

int hub_open(struct hub *h, struct limen_store *store, const char *snapshot,
             struct limen_error *err)
{
    memset(h, 0, sizeof *h);
    h->store = store;
    h->threshold = LIMEN_DEFAULT_THRESHOLD;
    h->max_body = 1 << 20;
    h->journal_max = HUB_JOURNAL_MAX;
    pthread_rwlock_init(&h->lock, NULL);
    pthread_mutex_init(&h->groups_mu, NULL);
    if (limen_index_new(NULL, &h->idx) != LIMEN_OK) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return -1;
    }
    if (hub_groups_load(h, err) != 0)
        return -1;
    double t0 = mono_now(), t1;
    struct load_ctx c = {h, 0, 0, {0, 0, 0, 0}};
    char why[512] = "";
    int64_t wm = 0;
    int from_snapshot = 0;
    if (snapshot && snapshot_load(h, snapshot, &wm, why, sizeof why) == 0) {
        from_snapshot = 1;
        t1 = mono_now();
        size_t in_snapshot = h->nalerts;
        h->seen_seq = h->snap_seq = wm;
        if (limen_store_alerts_changed(store, wm, catch_up_one, &c) != LIMEN_OK) {
            snprintf(err->message, sizeof err->message, "cannot read the alerts of the store");
            return -1;
        }
        fprintf(stderr,
                "limen serve: snapshot %s loaded (%zu alerts, watermark %lld) in %.2f s; "
                "%zu alerts changed since applied",
                snapshot, in_snapshot, (long long)wm, t1 - t0, c.loaded);
        if (c.skipped)
            fprintf(stderr, ", %zu not indexable (left out)", c.skipped);
        fputc('\n', stderr);
    } else {
        if (snapshot)
            fprintf(stderr, "limen serve: snapshot not used (%s); rebuilding from the store\n",
                    why);
        int64_t sid, sver;
        char last[LIMEN_ALERT_ID_MAX];
        /* Read before the alerts: a change made meanwhile is seen again later, never missed. */
        if (limen_store_alert_watermark(store, &sid, &h->seen_seq, last, &sver) != LIMEN_OK ||
            limen_store_alerts_each(store, load_one, &c) != LIMEN_OK) {
            snprintf(err->message, sizeof err->message, "cannot read the alerts of the store");
            return -1;
        }
        fprintf(stderr, "limen serve: %zu alerts loaded from the store into the index", c.loaded);
        if (c.skipped)
            fprintf(stderr, ", %zu kept in the store but not indexable", c.skipped);
        fputc('\n', stderr);
    }
    size_t expired = drop_expired(h);
    t1 = mono_now();
    /*
     * Fold the loaded alerts into the main index structures. A snapshot's
     * index is finished already: it is folded again only when changes were
     * applied to it, so that it is the index a rebuild makes.
     */
    if ((!from_snapshot || c.loaded || c.skipped || expired) &&
        limen_index_finish(h->idx) != LIMEN_OK) {
        snprintf(err->message, sizeof err->message, "out of memory building the index");
        return -1;
    }
    double t2 = mono_now();
    fprintf(stderr,
            "limen serve: ready in %.2f s (alert JSON %.2f s, entities %.2f s, index adds %.2f s, "
            "alert table %.2f s, reading and the rest %.2f s, finish %.2f s)\n",
            t2 - t0, c.tm.json, c.tm.entity, c.tm.index, c.tm.table,
            t1 - t0 - c.tm.json - c.tm.entity - c.tm.index - c.tm.table, t2 - t1);
    return 0;
}

/* Writes p[0..len) to path through path.tmp-PID: synced, renamed, the directory synced. */
static int write_file_atomic(const char *path, const unsigned char *p, size_t len,
                             struct limen_error *err)
{
    char tmp[4096 + 32];
    /* The process id in the name: two writers (a stopping hub, limen admin snapshot) never
     * write into the same temporary file. */
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        snprintf(err->message, sizeof err->message, "snapshot path too long");
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        snprintf(err->message, sizeof err->message, "cannot create %.160s: %s", tmp,
                 strerror(errno));
        return -1;
    }
    size_t at = 0;
    while (at < len) {
        ssize_t w = write(fd, p + at, len - at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        at += (size_t)w;
    }
    if (at != len || fsync(fd) != 0) {
        snprintf(err->message, sizeof err->message, "cannot write %.160s: %s", tmp,
                 strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        snprintf(err->message, sizeof err->message, "cannot rename %.160s: %s", tmp,
                 strerror(errno));
        unlink(tmp);
        return -1;
    }
    char dir[4096];
    snap_index_path(path, ".", dir, sizeof dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

/*
 * The alert table as a snapshot file's bytes, into b: the header with the
 * watermark and the index file's name, then the n entries of `pins` (the
 * table's entries, pinned: they stay as they are while this runs outside the
 * lock).
 */
static void table_image(struct hub_entry *const *pins, size_t n, struct limen_buf *b,
                        int64_t store_id, int64_t seq, int64_t version, const char *last,
                        const char *name)
{
    /* About 90 bytes an alert: room made once rather than by doublings. */
    if (n < SIZE_MAX / 128)
        limen_buf_grow(b, 1024 + n * 96);
    limen_buf_add(b, SNAP_MAGIC, 8);
    uint32_t format = SNAP_FORMAT, bom = SNAP_BOM;
    PUT(b, format);
    PUT(b, bom);
    PUT(b, store_id);
    PUT(b, seq);
    PUT(b, version);
    put_str16(b, last);
    put_str16(b, name);
    uint64_t count = n;
    PUT(b, count);
    for (size_t i = 0; i < n; i++) {
        const struct hub_entry *e = pins[i];
        uint32_t flags = e->flags, tl = (uint32_t)entry_text_len(e);
        uint8_t bytes[5] = {e->handling, e->dist_all, e->ndist, e->ngroups, e->category};
        uint16_t off[5] = {e->owner, e->action, e->valid_until, e->review_date, e->codes};
        PUT(b, e->version);
        PUT(b, flags);
        limen_buf_add(b, (const char *)bytes, sizeof bytes);
        limen_buf_add(b, (const char *)off, sizeof off);
        PUT(b, tl);
        limen_buf_add(b, e->text, tl);
    }
}

/* Whether a name ends in digits only, from `at` on (at least one); their value in *v. */
static int digits_from(const char *name, size_t at, long long *v)
{
    char *end = NULL;
    if (!isdigit((unsigned char)name[at]))
        return 0;
    errno = 0;
    *v = strtoll(name + at, &end, 10);
    return errno == 0 && *end == '\0';
}

/*
 * Deletes what earlier writes of the snapshot at `path` left behind when they
 * were cut off (a kill, a power loss): index files older than `seq` that no
 * table names any more, and temporary files of processes that are gone. A
 * snapshot of a 1M-alert hub is 260 MB: crashes must not pile them up.
 */
static void sweep_leftovers(const char *path, const char *keep, int64_t seq)
{
    char dir[4096];
    snap_index_path(path, ".", dir, sizeof dir);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t bl = strlen(base);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        if (strncmp(n, base, bl) != 0 || n[bl] != '.')
            continue;
        const char *rest = n + bl + 1, *tmp;
        long long v = 0;
        int stale = 0;
        if ((tmp = strstr(rest, ".tmp")) != NULL || !strncmp(rest, "tmp-", 4)) {
            /* "<base>.tmp-PID" (the table) or "<base>.index-N.tmpPID" (the index) */
            const char *p = tmp ? tmp + 4 : rest + 4;
            if (*p == '-')
                p++;
            stale = digits_from(p, 0, &v) && v > 0 && v != (long long)getpid() &&
                    kill((pid_t)v, 0) != 0 && errno == ESRCH;
        } else if (!strncmp(rest, "index-", 6)) {
            stale = digits_from(rest, 6, &v) && v < seq;
        }
        if (!stale)
            continue;
        char full[4096 + 256 + 2];
        snap_index_path(path, n, full, sizeof full);
        if (strcmp(full, keep) != 0)
            unlink(full);
    }
    closedir(d);
}

/* ---- the swap: the snapshot's finished copy replaces the live index ----
 *
 * The copy is the live index as it was under the read lock (limen_index_clone),
 * finished by the save: no delta. The changes made to the live index since
 * are named in the journal (alert ids). For each of those alerts the copy is
 * given what the live index holds now, as the alert table says it: the
 * version there, read from the store, or nothing when the alert is
 * withdrawn, expired or not in the table. A change of the live index changes
 * the table under the same write lock, and versions only move forward: an
 * alert whose table version is still the one read has in the copy what it
 * has in the live index.
 *
 *   1. Without the lock, on the copy alone: the journal so far, in a few
 *      passes (what was changed meanwhile is in the journal again).
 *   2. Under the write lock, a moment: the copy starts shadowing the live
 *      index (each change from now on is made to both); the journal's rest
 *      is taken.
 *   3. That rest, read without the lock, is applied to the copy in small
 *      batches under the write lock, each alert only if its table version
 *      has not moved (if it has, the change that moved it was made to both).
 *   4. Under the write lock: the pointers swapped. The old index is freed
 *      after the lock is released.
 *
 * Anything that fails (out of memory, the store) leaves the live index in
 * use, untouched: the copy is dropped.
 */

/* What the copy must hold for one alert, made ready without the lock. */
struct fix {
    const char *id;         /* in the journal's text taken */
    int64_t version;        /* the table's version when read; 0: no entry */
    int expired;            /* past its validity then: out of the index */
    struct limen_entity *e; /* the alert to file; NULL: not in the index */
};

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The journal from byte `from` on, copied (call under the lock); NULL when out of memory. */
static char *journal_take(const struct hub *h, size_t from, size_t *len)
{
    *len = h->journal.len - from;
    char *t = malloc(*len ? *len : 1);
    if (t && *len)
        memcpy(t, h->journal.data + from, *len);
    return t;
}

/*
 * The alerts named in text[0..len) (NUL-separated ids), each once, made
 * ready: their table versions read under the read lock, the versions read
 * from the store and parsed without it. *fixes (malloc'd, the entities
 * owned by it: fixes_free) and *n. Returns 0, or -1 with why[] filled.
 */
static int fixes_prepare(struct hub *h, char *text, size_t len, struct fix **fixes, size_t *n,
                         char *why, size_t why_cap)
{
    size_t count = 0, k = 0;
    for (size_t i = 0; i < len; i++)
        count += text[i] == '\0';
    const char **ids = malloc((count ? count : 1) * sizeof *ids);
    struct fix *f = calloc(count ? count : 1, sizeof *f);
    *fixes = f;
    *n = 0;
    if (!ids || !f) {
        free(ids);
        snprintf(why, why_cap, "out of memory catching up the copy");
        return -1;
    }
    for (size_t at = 0; at < len; at += strlen(text + at) + 1)
        ids[k++] = text + at;
    qsort(ids, count, sizeof *ids, cmp_str_ptr);
    for (size_t i = 0; i < count; i++)
        if (!*n || strcmp(f[*n - 1].id, ids[i]) != 0)
            f[(*n)++].id = ids[i];
    free(ids);
    char today[11];
    hub_today(h, today);
    pthread_rwlock_rdlock(&h->lock);
    for (size_t i = 0; i < *n; i++) {
        const struct hub_entry *e = hub_entry_find(h, f[i].id);
        f[i].version = e ? e->version : 0;
        /* Expired: out of the copy, as apply_entity() and a start leave it. */
        f[i].expired = e && hub_expired(e, today);
    }
    pthread_rwlock_unlock(&h->lock);
    for (size_t i = 0; i < *n; i++) {
        char *json = NULL;
        size_t jl = 0;
        struct limen_alert_meta m;
        struct limen_error err;
        if (!f[i].version || f[i].expired)
            continue;
        limen_status st = limen_store_alert_get(h->store, f[i].id, f[i].version, &json, &jl, &m);
        if (st != LIMEN_OK) {
            snprintf(why, why_cap, "cannot read version %lld of alert %.64s from the store: %s",
                     (long long)f[i].version, f[i].id, limen_strerror(st));
            return -1;
        }
        limen_error_clear(&err);
        st = m.withdrawn ? LIMEN_OK : limen_entity_parse(json, jl, &f[i].e, &err);
        limen_free(json);
        if (st == LIMEN_ENOMEM) {
            snprintf(why, why_cap, "out of memory catching up the copy");
            return -1;
        }
        /* Not parsed: not indexable, out of the index as apply_timed() leaves it. */
    }
    return 0;
}

static void fixes_free(struct fix *f, size_t n)
{
    for (size_t i = 0; f && i < n; i++)
        limen_entity_free(f[i].e);
    free(f);
}

/* Gives the copy what one fix says. Returns 0, or -1 (out of memory, the index's limit). */
static int fix_apply(struct limen_index *copy, const struct fix *f)
{
    limen_status st = LIMEN_EEMPTY;
    if (f->e)
        st = limen_index_add(copy, f->e, NULL, NULL);
    if (st == LIMEN_ENOMEM || st == LIMEN_ELIMIT)
        return -1;
    if (st != LIMEN_OK) { /* withdrawn, expired, gone or not indexable: out */
        st = limen_index_remove(copy, f->id);
        if (st != LIMEN_OK && st != LIMEN_ENOTFOUND)
            return -1;
    }
    return 0;
}

/* The alerts a fix batch may apply under one write-lock hold. */
#define FIX_BATCH 32

/*
 * Brings the copy up to date with the alerts named in text[0..len): on the
 * copy alone (`shared` 0), or, while it shadows the live index, in batches
 * under the write lock, each alert only if its table version has not moved.
 * Returns 0, or -1 with st->swap_why filled.
 */
static int copy_catch_up(struct hub *h, struct limen_index *copy, char *text, size_t len,
                         int shared, struct hub_snapshot_stats *st)
{
    struct fix *f = NULL;
    size_t n = 0;
    int rc = -1;
    if (fixes_prepare(h, text, len, &f, &n, st->swap_why, sizeof st->swap_why) != 0)
        goto out;
    for (size_t i = 0; i < n; i += FIX_BATCH) {
        size_t end = i + FIX_BATCH < n ? i + FIX_BATCH : n;
        double t = 0;
        if (shared) {
            pthread_rwlock_wrlock(&h->lock);
            t = mono_now();
        }
        int failed = 0;
        for (size_t k = i; k < end && !failed; k++) {
            if (shared) {
                const struct hub_entry *e = hub_entry_find(h, f[k].id);
                if ((e ? e->version : 0) != f[k].version)
                    continue; /* changed since: the change was made to the copy too */
            }
            failed = fix_apply(copy, &f[k]) != 0;
            st->caught_up += !failed;
        }
        if (shared) {
            if (failed)
                h->swap_failed = 1;
            double held = mono_now() - t;
            pthread_rwlock_unlock(&h->lock);
            if (held > st->swap_locked)
                st->swap_locked = held;
        }
        if (failed) {
            snprintf(st->swap_why, sizeof st->swap_why, "out of memory catching up the copy");
            goto out;
        }
    }
    rc = 0;
out:
    fixes_free(f, n);
    return rc;
}

/* Why the catch-up stopped before the copy shadowed the index: `failed` (a
 * change not recorded, h->swap_failed as read under the lock), else the
 * journal could not be copied. */
static void swap_failed_why(const struct hub *h, int failed, struct hub_snapshot_stats *st)
{
    if (failed == HUB_SWAP_JOURNAL_FULL)
        snprintf(st->swap_why, sizeof st->swap_why,
                 "more changes during the snapshot than its journal holds (%zu bytes of ids)",
                 h->journal_max);
    else
        snprintf(st->swap_why, sizeof st->swap_why,
                 failed ? "a change could not be recorded for the copy (out of memory)"
                        : "out of memory catching up the copy");
}

/*
 * Swaps the snapshot's saved copy in as the live index (see above). Returns 0
 * (the copy is the hub's, the old index freed) or -1 with st->swap_why (the
 * copy stays the caller's; the live index is untouched).
 */
static int swap_in(struct hub *h, struct limen_index *copy, struct hub_snapshot_stats *st)
{
    int rc = -1;
    size_t done = 0, len = 0;
    char *text = NULL;
    double t0 = mono_now(), t;
    /* 1. On the copy alone; a pass that finds the journal unchanged ends it. */
    for (int pass = 0; pass < 3; pass++) {
        pthread_rwlock_rdlock(&h->lock);
        int failed = h->swap_failed;
        text = failed ? NULL : journal_take(h, done, &len);
        done += text ? len : 0;
        pthread_rwlock_unlock(&h->lock);
        if (failed || !text) {
            swap_failed_why(h, failed, st);
            goto out;
        }
        if (!len)
            break;
        if (copy_catch_up(h, copy, text, len, 0, st) != 0)
            goto out;
        free(text);
        text = NULL;
    }
    free(text);
    text = NULL;
    /* 2. The copy shadows the live index from now on; the journal's rest is taken. */
    pthread_rwlock_wrlock(&h->lock);
    t = mono_now();
    int failed = h->swap_failed, shadowing = 0;
    if (!failed && (text = journal_take(h, done, &len)) != NULL) {
        h->shadow = copy;
        shadowing = 1;
    }
    t = mono_now() - t;
    pthread_rwlock_unlock(&h->lock);
    st->swap_locked = t > st->swap_locked ? t : st->swap_locked;
    if (!shadowing) {
        swap_failed_why(h, failed, st);
        goto out;
    }
    if (h->snap_hook)
        h->snap_hook(h, HUB_SNAP_SHADOW, h->snap_hook_ud);
    /* 3. The rest, batch by batch under the write lock. */
    if (len && copy_catch_up(h, copy, text, len, 1, st) != 0)
        goto out;
    /* 4. The swap. */
    pthread_rwlock_wrlock(&h->lock);
    t = mono_now();
    struct limen_index *old = NULL;
    if (!h->swap_failed) {
        old = h->idx;
        h->idx = copy;
    }
    h->shadow = NULL;
    h->journaling = 0;
    t = mono_now() - t;
    pthread_rwlock_unlock(&h->lock);
    st->swap_locked = t > st->swap_locked ? t : st->swap_locked;
    if (!old) {
        snprintf(st->swap_why, sizeof st->swap_why,
                 "a change could not be made to the copy (out of memory)");
        goto out;
    }
    limen_index_free(old);
    st->swapped = 1;
    rc = 0;
out:
    if (rc != 0 && h->shadow) {
        pthread_rwlock_wrlock(&h->lock);
        h->shadow = NULL;
        pthread_rwlock_unlock(&h->lock);
    }
    free(text);
    st->swap_seconds = mono_now() - t0;
    return rc;
}

/* Ends the journal of a snapshot, swapped in or not (call with no lock held). */
static void journal_end(struct hub *h)
{
    if (h->journaling) {
        pthread_rwlock_wrlock(&h->lock);
        h->journaling = 0;
        h->shadow = NULL;
        pthread_rwlock_unlock(&h->lock);
    }
    limen_buf_release(&h->journal); /* no change records into it any more */
}

int hub_snapshot_write(struct hub *h, const char *path, struct hub_snapshot_stats *st,
                       struct limen_error *err)
{
    int rc = -1;
    struct limen_buf b;
    struct limen_index *copy = NULL;
    struct hub_entry **pins = NULL;
    size_t npins = 0;
    int64_t store_id = 0, seq = 0, version = 0;
    char last[LIMEN_ALERT_ID_MAX];
    double t0 = mono_now(), t1 = 0;
    limen_buf_init(&b);
    memset(st, 0, sizeof *st);
    if (strlen(path) > 4000) {
        snprintf(err->message, sizeof err->message, "snapshot path too long");
        return -1;
    }
    /* The watermark first: whatever is applied after it is applied again at the next start. */
    if (limen_store_alert_watermark(h->store, &store_id, &seq, last, &version) != LIMEN_OK) {
        snprintf(err->message, sizeof err->message, "cannot read the store's watermark");
        return -1;
    }
    /*
     * Then every change up to it into the hub: changes another process made,
     * and those a request has stored but not applied yet (versions only move
     * forward, so its late apply changes nothing).
     */
    struct load_ctx c = {h, 0, 0, {0, 0, 0, 0}};
    if (limen_store_alerts_changed(h->store, h->seen_seq, catch_up_one, &c) != LIMEN_OK) {
        snprintf(err->message, sizeof err->message, "cannot read the alerts of the store");
        return -1;
    }
    h->seen_seq = seq;
    st->watermark = seq;
    /* Nothing written since the snapshot in use: it is still exact (expiry is redone at load). */
    if (h->snap_index[0] && seq == h->snap_seq && !c.loaded && !c.skipped &&
        access(path, R_OK) == 0 && access(h->snap_index, R_OK) == 0)
        return 1;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char name[1024], ipath[4096 + 1024 + 2];
    snprintf(name, sizeof name, "%.900s.index-%lld", base, (long long)seq);
    snap_index_path(path, name, ipath, sizeof ipath);

    /*
     * A consistent view under the read lock: screening goes on, writes wait
     * while the index's filed arrays are copied and the table's entries are
     * pinned (their pointers copied; entries replaced meanwhile are kept until
     * the table is written). The copy is finished and both files written after
     * the lock is released.
     */
    struct limen_index_options o;
    limen_index_options_init(&o);
    o.threads = 1; /* the other core keeps serving */
    limen_buf_release(&h->journal); /* no change records into it while journaling is 0 */
    limen_buf_set_max(&h->journal, h->journal_max);
    pthread_rwlock_rdlock(&h->lock);
    t1 = mono_now();
    limen_status ls = limen_index_clone(h->idx, &o, &copy);
    st->locked_index = mono_now() - t1;
    if (ls == LIMEN_OK && (pins = malloc((h->nalerts ? h->nalerts : 1) * sizeof *pins)) != NULL) {
        for (size_t i = 0; i < h->alerts_cap; i++)
            if (h->alerts[i])
                pins[npins++] = h->alerts[i];
        h->pinned = 1; /* writers see it under the write lock, after this read lock */
        /* From the copy on, changes to the index are recorded for it (swap_in). */
        h->journaling = 1;
        h->swap_failed = 0;
    }
    st->alerts = npins;
    st->locked = mono_now() - t1;
    pthread_rwlock_unlock(&h->lock);
    if (!pins) {
        snprintf(err->message, sizeof err->message, "out of memory copying the index and table");
        goto out;
    }
    if (h->snap_hook)
        h->snap_hook(h, HUB_SNAP_CLONED, h->snap_hook_ud);
    table_image(pins, npins, &b, store_id, seq, version, last, name);
    /*
     * Alerts that have expired since they were filed leave the copy before it
     * is finished (screening passes over them; a start leaves them out).
     */
    char today[11];
    hub_today(h, today);
    for (size_t i = 0; i < npins; i++)
        if (hub_expired(pins[i], today))
            limen_index_remove(copy, hub_entry_id(pins[i]));
    pthread_rwlock_wrlock(&h->lock); /* a moment: frees what was retired meanwhile */
    entries_unpin(h);
    pthread_rwlock_unlock(&h->lock);
    free(pins);
    pins = NULL;
    if (limen_buf_failed(&b)) {
        snprintf(err->message, sizeof err->message, "out of memory copying the table");
        goto out;
    }
    /*
     * The copy drops what removed and replaced alerts (the expired ones just
     * removed included) still hold: it is saved and swapped in as a fresh
     * build of the live alerts would be, so a hub that replaces alerts for
     * months does not carry every old version. On the copy alone, no lock.
     * A failure (memory) leaves the copy whole: it is saved as it is.
     */
    double tc = mono_now();
    st->compacted = limen_index_compact(copy, NULL) == LIMEN_OK;
    st->compact_seconds = mono_now() - tc;
    uint64_t sum = hub_snapshot_sum(b.data, b.len);
    PUT(&b, sum);
    limen_error_clear(err);
    if (limen_buf_failed(&b)) {
        snprintf(err->message, sizeof err->message, "out of memory writing the snapshot");
        goto out;
    }
    if (limen_index_save(copy, ipath, err) != LIMEN_OK)
        goto out;
    if (write_file_atomic(path, (const unsigned char *)b.data, b.len, err) != 0)
        goto out;
    /* The previous snapshot's index is no longer named by any snapshot. */
    if (h->snap_index[0] && strcmp(h->snap_index, ipath) != 0)
        unlink(h->snap_index);
    snprintf(h->snap_index, sizeof h->snap_index, "%.4000s", ipath);
    h->snap_seq = seq;
    sweep_leftovers(path, ipath, seq);
    rc = 0;
    if (h->snap_hook)
        h->snap_hook(h, HUB_SNAP_SAVED, h->snap_hook_ud);
    /* The saved copy, finished, becomes the live index (its delta gone). */
    if (swap_in(h, copy, st) == 0)
        copy = NULL;
out:
    journal_end(h);
    /* A saved index no table file names goes, unless it is the one the previous snapshot names
     * (the same watermark: the same content). */
    if (rc != 0 && strcmp(h->snap_index, ipath) != 0)
        unlink(ipath);
    if (pins) { /* pinned, then failed before the table was written */
        pthread_rwlock_wrlock(&h->lock);
        entries_unpin(h);
        pthread_rwlock_unlock(&h->lock);
        free(pins);
    }
    limen_index_free(copy);
    limen_buf_release(&b);
    st->seconds = mono_now() - t0;
    return rc;
}

void hub_close(struct hub *h)
{
    entries_unpin(h);
    limen_buf_release(&h->journal);
    table_clear(h);
    limen_free(h->groups);
    limen_index_free(h->idx);
    pthread_rwlock_destroy(&h->lock);
    pthread_mutex_destroy(&h->groups_mu);
    memset(h, 0, sizeof *h);
}
