/*
 * The hub's durable store: agencies, users and their API tokens, alerts with
 * every version kept, hits, and the tamper-evident audit log.
 *
 * One SQLite database file in WAL mode with synchronous=FULL: a call that
 * writes returns only when the write is durable (committed and synced), so
 * the server acknowledges nothing that a crash could lose. The schema carries
 * a version number; opening a database of a newer version is refused
 * (LIMEN_EVERSION), an older one is migrated.
 *
 * The audit log is a chain: entry i stores MAC(key, mac[i-1] || fields of i),
 * a keyed BLAKE2b (libsodium crypto_generichash) whose 256-bit key lives in a
 * separate file (created with mode 0600 next to the database unless given),
 * and a head row holds the last sequence number and MAC, itself MAC'd. Editing,
 * inserting, deleting (also at the end) or reordering entries in the database
 * file is detected by limen_store_audit_verify() without the key ever being in
 * the database. Pruning by retention keeps the MAC of the last pruned entry as
 * the chain's anchor.
 *
 * Thread-safety: one struct limen_store may be used by many threads at once;
 * calls are serialised inside (a mutex around one SQLite connection; token
 * checks and agency reads use a second, read-only connection of their own,
 * so they do not wait for another thread's commit to be synced). The
 * mutex is held while a callback (alerts_each, hits_list, audit_list) runs:
 * keep callbacks short; they may call the store's read functions from the
 * same thread (the mutex is recursive) but should not write.
 * Strings are UTF-8; times are Unix seconds (UTC).
 */
#ifndef LIMEN_STORE_H
#define LIMEN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "limen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LIMEN_AGENCY_CODE_MAX 32  /* "MA-DGSN" */
#define LIMEN_USER_NAME_MAX 64
#define LIMEN_ALERT_ID_MAX 256
#define LIMEN_TOKEN_TEXT_MAX 64   /* "lmn_" + 43 base64url characters + NUL */

struct limen_store;

struct limen_store_options {
    const char *audit_key_path; /* NULL: "<database>.audit-key" */
    int create;                 /* create the database (and key) when absent */
};

/*
 * Opens (or, with opts->create, creates) the store at `path`. `opts` may be
 * NULL (create = 1, default key path). Errors: LIMEN_EIO (cannot open or
 * create the file or the key), LIMEN_EVERSION (a newer schema), LIMEN_ESTORE
 * (SQLite error, message in err), LIMEN_ENOMEM.
 */
limen_status limen_store_open(const char *path, const struct limen_store_options *opts,
                              struct limen_store **out, struct limen_error *err);
/* Closes the store; NULL is a no-op. */
void limen_store_close(struct limen_store *s);

/*
 * Group commit: runs fn(ctx), whose store writes (hit_add, audit_append,
 * alert_put...) then share one transaction, each as a savepoint (a write that
 * fails is undone alone and reports its error as usual), made durable by one
 * synced COMMIT when fn returns. The writes are durable only if this returns
 * LIMEN_OK; otherwise none is. Other threads' calls wait meanwhile (the store
 * lock is held). Batches do not nest (LIMEN_ESTATE).
 */
limen_status limen_store_batch(struct limen_store *s, void (*fn)(void *ctx), void *ctx,
                               struct limen_error *err);

/* ---- agencies ---- */

struct limen_agency {
    char code[LIMEN_AGENCY_CODE_MAX]; /* letters, digits and '-' */
    char country[3];                  /* ISO 3166 alpha-2, lowercase */
    char name[128];
    char contact[256]; /* how to reach the duty desk: shown with a hit */
};

/* Creates or updates an agency. LIMEN_EINVAL for a bad code or country. */
limen_status limen_store_agency_put(struct limen_store *s, const struct limen_agency *a,
                                    struct limen_error *err);
/* LIMEN_ENOTFOUND when unknown. */
limen_status limen_store_agency_get(struct limen_store *s, const char *code,
                                    struct limen_agency *out);
/* All agencies, by code: *out is an array the caller frees with limen_free(). */
limen_status limen_store_agencies(struct limen_store *s, struct limen_agency **out, size_t *n);

/* ---- sharing groups ---- */

#define LIMEN_GROUP_CODE_MAX    32  /* "MED-DRUGS" */
#define LIMEN_GROUP_MEMBERS_MAX 256 /* agencies in one group */

/*
 * A sharing group: alerts distributed to it are visible to its member
 * agencies. `owner` is the agency whose admins may change it through the hub
 * ("" for a group the hub's operator manages with `limen admin group`).
 */
struct limen_group {
    char code[LIMEN_GROUP_CODE_MAX]; /* letters, digits and '-' */
    char name[128];
    char owner[LIMEN_AGENCY_CODE_MAX];
    int64_t updated;
    size_t nmembers;
    char (*members)[LIMEN_AGENCY_CODE_MAX]; /* nmembers agency codes, sorted */
};

/*
 * Creates a group or replaces the name and the members of an existing one, in
 * one transaction. `by` is the agency acting through the hub: it may create a
 * group (which it then owns: g->owner is ignored) or change a group it owns
 * (LIMEN_EFORBIDDEN otherwise, nothing written). `by` == NULL is the hub's
 * operator: any group, owner taken from g->owner ("" or an agency).
 * Members must be existing agencies (LIMEN_ENOTFOUND, field "members");
 * repeated ones count once; at most LIMEN_GROUP_MEMBERS_MAX. LIMEN_EINVAL for
 * a bad code, name or owner. g->updated is ignored (set to now).
 */
limen_status limen_store_group_put(struct limen_store *s, const struct limen_group *g,
                                   const char *by, struct limen_error *err);
/*
 * Deletes the group `code` and its member list, in one transaction. `by` as
 * for limen_store_group_put: an agency deletes only a group it owns
 * (LIMEN_EFORBIDDEN), NULL (the operator) any group. LIMEN_ENOTFOUND for an
 * unknown code; LIMEN_ECONFLICT, nothing deleted, while an alert that is not
 * withdrawn distributes to the group (the message names one of them), so no
 * stored alert ever names a group that does not exist.
 */
limen_status limen_store_group_delete(struct limen_store *s, const char *code, const char *by,
                                      struct limen_error *err);
/*
 * All groups by code (n == 0, *out == NULL when there are none), or the one
 * group `code` (limen_store_group_get: LIMEN_ENOTFOUND when unknown). *out is
 * one allocation holding the groups and their member lists, freed by the
 * caller with limen_free().
 */
limen_status limen_store_groups(struct limen_store *s, struct limen_group **out, size_t *n);
limen_status limen_store_group_get(struct limen_store *s, const char *code,
                                   struct limen_group **out);

/* ---- users and tokens ---- */

enum limen_role {
    LIMEN_ROLE_OFFICER = 1, /* screens */
    LIMEN_ROLE_ANALYST = 2, /* officer + manages its agency's alerts and hits */
    LIMEN_ROLE_ADMIN = 3,   /* agencies, users, tokens, audit */
};

/* "officer", "analyst", "admin" (or "" for anything else). */
const char *limen_role_name(enum limen_role role);
/* The role of a name, or 0 when unknown. */
enum limen_role limen_role_from_name(const char *name);

struct limen_user {
    int64_t id;
    char name[LIMEN_USER_NAME_MAX];
    char agency[LIMEN_AGENCY_CODE_MAX];
    enum limen_role role;
    int disabled;
};

/* Adds a user of an existing agency; LIMEN_ENOTFOUND for an unknown agency,
 * LIMEN_ECONFLICT when the name is taken. */
limen_status limen_store_user_add(struct limen_store *s, const char *name, const char *agency,
                                  enum limen_role role, int64_t *id, struct limen_error *err);
limen_status limen_store_user_get(struct limen_store *s, int64_t id, struct limen_user *out);
/*
 * Disables (disabled != 0) or enables a user: the tokens of a disabled user
 * are refused by limen_store_token_check(). LIMEN_ENOTFOUND for an unknown id.
 * (Added to the first version of this header.)
 */
limen_status limen_store_user_disable(struct limen_store *s, int64_t id, int disabled,
                                      struct limen_error *err);

/*
 * Issues a new API token for a user: 256 random bits (libsodium), written to
 * `token` as "lmn_" + base64url (shown once: only its hash is stored).
 * `label` (may be NULL) says what it is for.
 */
limen_status limen_store_token_new(struct limen_store *s, int64_t user_id, const char *label,
                                   char token[LIMEN_TOKEN_TEXT_MAX], int64_t *token_id,
                                   struct limen_error *err);
/*
 * The user holding a token. LIMEN_ENOTFOUND for an unknown, revoked or
 * malformed token, or a disabled user. Compares hashes in constant time.
 */
limen_status limen_store_token_check(struct limen_store *s, const char *token,
                                     struct limen_user *out, int64_t *token_id);
limen_status limen_store_token_revoke(struct limen_store *s, int64_t token_id);

/* ---- alerts ---- */

struct limen_alert_meta {
    char id[LIMEN_ALERT_ID_MAX];
    char owner[LIMEN_AGENCY_CODE_MAX];
    int64_t version; /* 1, 2, ... */
    int withdrawn;
    int64_t created, updated;
};

/*
 * Stores a new version of an alert: `json` is the whole FtM entity with its
 * "alert" object, as the server validated it; the sharing groups its
 * alert.distribution.groups names must exist (LIMEN_ENOTFOUND, field
 * "alert.distribution.groups", checked in the write's transaction so that a
 * group deleted meanwhile cannot be named). A new id is created for `owner`;
 * an existing id may be changed only by its owner (LIMEN_EFORBIDDEN
 * otherwise, nothing written). A withdrawn alert can be put again (a new
 * version, active). *version (may be NULL) receives the version written.
 */
limen_status limen_store_alert_put(struct limen_store *s, const char *id, const char *owner,
                                   const char *json, size_t len, int64_t *version,
                                   struct limen_error *err);
/*
 * The same, only when the alert's current version is `expected` (optimistic
 * concurrency): 0 when the id must not exist yet (a creation: checked before
 * the ownership rule, so an id taken by another agency is a conflict too),
 * or the version the caller read (checked after the ownership rule);
 * LIMEN_ALERT_ANY_VERSION for no condition (limen_store_alert_put). A failed
 * condition is LIMEN_ECONFLICT with nothing written and *version set to the
 * current version (0 when the id is unknown). The check and the write are
 * one transaction: of two writers that read the same version, one wins.
 */
#define LIMEN_ALERT_ANY_VERSION (-1)
limen_status limen_store_alert_put_if(struct limen_store *s, const char *id, const char *owner,
                                      const char *json, size_t len, int64_t expected,
                                      int64_t *version, struct limen_error *err);
/*
 * Withdraws an alert (a new version, withdrawn, no content change): owner
 * only (LIMEN_EFORBIDDEN), LIMEN_ENOTFOUND for an unknown id. Withdrawing a
 * withdrawn alert writes nothing and gives its current version.
 */
limen_status limen_store_alert_withdraw(struct limen_store *s, const char *id, const char *owner,
                                        int64_t *version, struct limen_error *err);
/*
 * The same, only when the alert's current version is `expected` (> 0, the
 * version the caller read; LIMEN_ALERT_ANY_VERSION for no condition):
 * otherwise LIMEN_ECONFLICT, nothing written, *version set to the current
 * version. Checked after the ownership rule, in the same transaction.
 */
limen_status limen_store_alert_withdraw_if(struct limen_store *s, const char *id,
                                           const char *owner, int64_t expected, int64_t *version,
                                           struct limen_error *err);
/*
 * The latest version (version == 0) or a given version of an alert. *json is
 * NUL-terminated, freed by the caller with limen_free(). LIMEN_ENOTFOUND.
 */
limen_status limen_store_alert_get(struct limen_store *s, const char *id, int64_t version,
                                   char **json, size_t *len, struct limen_alert_meta *meta);
/*
 * Calls fn for the latest version of every alert, in id order (withdrawn ones
 * too, flagged), to rebuild the index at start. fn returns 0 to go on.
 */
limen_status limen_store_alerts_each(struct limen_store *s,
                                     int (*fn)(void *ctx, const struct limen_alert_meta *m,
                                               const char *json, size_t len),
                                     void *ctx);

/*
 * The alerts' change watermark: every version written (a creation, an
 * update, a withdrawal) gets the next number of one sequence, kept in the
 * store with the version (schema 3). *seq receives the largest number
 * written (0 when there is none), last_id and *last_version the alert
 * version that carries it ("" and 0 when none), *store_id the store's
 * identity (a random number chosen when the store was created or migrated to
 * schema 3). A snapshot of the alerts taken at watermark N is brought up to
 * date by applying what limen_store_alerts_changed(N) gives. Thread-safe.
 */
limen_status limen_store_alert_watermark(struct limen_store *s, int64_t *store_id, int64_t *seq,
                                         char last_id[LIMEN_ALERT_ID_MAX], int64_t *last_version);
/*
 * The alert version that carries change number `seq`: its id and version.
 * LIMEN_ENOTFOUND when no version has that number.
 */
limen_status limen_store_alert_change(struct limen_store *s, int64_t seq,
                                      char id[LIMEN_ALERT_ID_MAX], int64_t *version);
/*
 * Calls fn, in id order, for the latest version of every alert that has a
 * version numbered after `after_seq` (withdrawn ones too, flagged): what
 * changed since a watermark. fn returns 0 to go on. As for alerts_each, the
 * store lock is held meanwhile.
 */
limen_status limen_store_alerts_changed(struct limen_store *s, int64_t after_seq,
                                        int (*fn)(void *ctx, const struct limen_alert_meta *m,
                                                  const char *json, size_t len),
                                        void *ctx);

/* ---- hits ---- */

enum limen_hit_status {
    LIMEN_HIT_NEW = 0,
    LIMEN_HIT_CONFIRMED = 1,
    LIMEN_HIT_FALSE_POSITIVE = 2,
};

struct limen_hit {
    int64_t id;
    char alert_id[LIMEN_ALERT_ID_MAX];
    char owner[LIMEN_AGENCY_CODE_MAX];     /* the alert's owner agency */
    char by_agency[LIMEN_AGENCY_CODE_MAX]; /* who screened */
    int64_t by_user;
    char post[64]; /* the border post or terminal, as the client said */
    int64_t at;
    double score;
    enum limen_hit_status status;
    const char *query_json;       /* owned by the store's result; see hits_list */
    const char *explanation_json; /* idem */
};

/* Records a hit (query_json and explanation_json copied); *id receives its id. */
limen_status limen_store_hit_add(struct limen_store *s, const struct limen_hit *h, int64_t *id,
                                 struct limen_error *err);
/*
 * Hits on the alerts of `owner` with id > after_id, oldest first, at most
 * `limit`; fn sees each (strings valid during the call only).
 */
limen_status limen_store_hits_list(struct limen_store *s, const char *owner, int64_t after_id,
                                   size_t limit,
                                   int (*fn)(void *ctx, const struct limen_hit *h), void *ctx);
/*
 * The largest hit id recorded so far, of any owner (0 when there is none): a
 * reader that lists the hits after it later sees exactly the hits recorded
 * since (ids only grow, and a hit is visible only with every smaller id).
 */
limen_status limen_store_hit_last_id(struct limen_store *s, int64_t *id);
/* Marks a hit of `owner`'s alerts; LIMEN_EFORBIDDEN when not its owner. */
limen_status limen_store_hit_mark(struct limen_store *s, int64_t id, const char *owner,
                                  enum limen_hit_status status, struct limen_error *err);

/* ---- audit ---- */

struct limen_audit_entry {
    int64_t seq;
    int64_t at;
    int64_t user_id;
    const char *user;     /* name */
    const char *agency;
    const char *action;   /* "POST /v1/screen" */
    const char *search;   /* JSON: the search data used ("" when none) */
    const char *results;  /* JSON array of the ids returned or written ("[]") */
    int status;           /* HTTP status answered */
};

/*
 * Appends an entry (durable when this returns); *seq (may be NULL) receives its
 * number. e->seq is ignored; e->at == 0 means now; NULL strings are stored as
 * "" ("[]" for results).
 */
limen_status limen_store_audit_append(struct limen_store *s, const struct limen_audit_entry *e,
                                      int64_t *seq, struct limen_error *err);
/* Entries with seq > after_seq, at most `limit`, oldest first. */
limen_status limen_store_audit_list(struct limen_store *s, int64_t after_seq, size_t limit,
                                    int (*fn)(void *ctx, const struct limen_audit_entry *e),
                                    void *ctx);
/*
 * Recomputes the whole chain. LIMEN_OK with *checked entries; LIMEN_ETAMPER
 * with *first_bad the first sequence number that does not verify (an edited,
 * inserted, deleted or moved entry, or a head that disagrees) and a message.
 */
limen_status limen_store_audit_verify(struct limen_store *s, int64_t *checked, int64_t *first_bad,
                                      struct limen_error *err);
/* Deletes entries older than `before` (Unix seconds), keeping the chain verifiable. */
limen_status limen_store_audit_prune(struct limen_store *s, int64_t before, int64_t *deleted,
                                     struct limen_error *err);

#ifdef __cplusplus
}
#endif

#endif
