/*
 * The hub behind `limen serve`: the store, the screening index built from it,
 * and what the index does not know about each alert (owner, category, action,
 * warning flags, handling code, distribution, validity).
 *
 * Screening takes the read lock; a write (an alert created, changed or
 * withdrawn) is made durable in the store first, then applied to the index and
 * the alert table under the write lock, so the next screening sees it. A
 * snapshot written while serving holds the read lock only while it copies the
 * index and the table to memory (writes wait, screening does not); its copy
 * of the index, finished and saved, then replaces the live one, brought up to
 * date with the changes made meanwhile (the write lock held for moments). On
 * start the hub loads its snapshot (the saved index and the alert table,
 * tagged with the store's change watermark) and applies the alert changes
 * the store numbered after it; without a usable snapshot it rebuilds both
 * from the store (every active, unexpired alert). docs/server.md.
 */
#ifndef LIMEN_HUB_H
#define LIMEN_HUB_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "limen/limen.h"
#include "limen/store.h"

#define HUB_MAX_DIST   64
#define HUB_MAX_GROUPS 16

/* Warning flags of an alert (bit mask). */
enum hub_flag {
    HUB_FLAG_ARMED = 1 << 0,
    HUB_FLAG_VIOLENT = 1 << 1,
    HUB_FLAG_ESCAPE_RISK = 1 << 2,
    HUB_FLAG_SUICIDE_RISK = 1 << 3,
    HUB_FLAG_TERRORISM = 1 << 4,
    HUB_FLAG_PUBLIC_HEALTH = 1 << 5,
};

/* What the hub keeps of an alert beside the index. */
struct hub_alert {
    char id[LIMEN_ALERT_ID_MAX];
    char owner[LIMEN_AGENCY_CODE_MAX];
    char category[48];
    char action[256];
    char valid_until[32]; /* ISO date, "" when none */
    char review_date[32];
    unsigned flags;
    int handling; /* 0..3 */
    int dist_all; /* shared with every member agency */
    size_t ndist;
    char dist[HUB_MAX_DIST][LIMEN_AGENCY_CODE_MAX]; /* named agencies */
    size_t ngroups;
    char groups[HUB_MAX_GROUPS][LIMEN_GROUP_CODE_MAX]; /* sharing groups */
    int64_t version;
};

struct hub {
    struct limen_store *store;
    pthread_rwlock_t lock; /* guards idx and the alert table */
    struct limen_index *idx;
    struct hub_entry **alerts; /* packed alert records, open addressing by id; NULL empty */
    size_t alerts_cap, nalerts;
    struct limen_group *groups; /* sharing groups, as the store had them at the last load */
    size_t ngroups;
    pthread_mutex_t
        groups_mu; /* one load at a time: a later write is never undone by an older read */
    double threshold;
    size_t max_body;
    unsigned rate_per_minute; /* per token; 0: no limit */
    /* Every alert change the store numbered up to this is in the index and the table. */
    int64_t seen_seq;
    char snap_index[4096]; /* the index file of the snapshot in use, "" when none */
    int64_t snap_seq;      /* and its watermark */
    /*
     * While a snapshot serialises the table outside the lock (`pinned`), the
     * entries it reads stay allocated: an entry replaced or deleted meanwhile
     * waits in `retired` and is freed when the snapshot is done.
     */
    int pinned;
    struct hub_entry **retired;
    size_t nretired, retired_cap;
    /*
     * While a snapshot's copy of the index is brought up to date to replace
     * the live one (hub_snapshot_write, docs/server.md): every change to the
     * live index records its alert id in `journal` (NUL-separated) from the
     * copy on, until `shadow` is set; from then on each change is made to the
     * copy (`shadow`) as well, under the same write lock. A change that cannot
     * be recorded or made to the copy (out of memory, a journal past its
     * bound) sets `swap_failed`: the copy is dropped and the hub serves on
     * with the index it has. All three are read and written under the write
     * lock, or by the snapshot writer under the read lock while no change runs.
     */
    int journaling;
    struct limen_buf journal;
    size_t journal_max; /* its bound in bytes: HUB_JOURNAL_MAX from hub_open(); tests
                           lower it between snapshots to take the path past it */
    struct limen_index *shadow;
    int swap_failed; /* 0; HUB_SWAP_JOURNAL_FULL: the journal passed journal_max; else 1 */
    /* For tests: called by hub_snapshot_write() at each step of the swap with
     * no lock held (NULL: none); it may apply writes to the hub. */
    void (*snap_hook)(struct hub *h, int step, void *ud);
    void *snap_hook_ud;
    /* For tests: the date hub_today() gives, "YYYY-MM-DD"; "" (as hub_open()
     * leaves it): the clock's. Set while no other thread uses the hub. */
    char today_fixed[11];
};

/* The bound of a snapshot's journal (struct hub's journal_max): 64 MB of alert
 * ids, about a million changes during one snapshot. Past it the copy is not
 * swapped in (the next snapshot tries again). */
#define HUB_JOURNAL_MAX ((size_t)64 << 20)
/* swap_failed when the journal passed its bound (not out of memory). */
#define HUB_SWAP_JOURNAL_FULL 2

/* The steps at which hub_snapshot_write() calls the hub's snap_hook. */
enum hub_snap_step {
    HUB_SNAP_CLONED = 1, /* the index copied and the table pinned, the lock released */
    HUB_SNAP_SAVED,      /* the snapshot written; the copy finished, not caught up yet */
    HUB_SNAP_SHADOW,     /* the copy caught up once and shadowing the live index */
};

/* Categories an alert may have (SIS-aligned); NULL-terminated. */
extern const char *const hub_categories[];

/*
 * Opens the hub on a store: loads the snapshot at `snapshot` (NULL: none) and
 * applies the alert changes made since, or, when the snapshot is missing,
 * unreadable, damaged, of another store or ahead of it, says why on stderr and
 * rebuilds the index and the table from the store. Returns 0 or -1 with a
 * message in err.
 */
int hub_open(struct hub *h, struct limen_store *store, const char *snapshot,
             struct limen_error *err);
/* What a snapshot write did (hub_snapshot_write). */
struct hub_snapshot_stats {
    int64_t watermark; /* the store's change number the snapshot is at */
    size_t alerts;     /* entries of the table written */
    double locked;     /* seconds the read lock was held to copy (writes waited; screening not) */
    double locked_index; /* of which copying the index (the rest: the table) */
    double seconds;    /* the whole write */
    int compacted;     /* 1: the copy's removed and replaced alerts were dropped;
                          0: out of memory, saved with them */
    double compact_seconds; /* the time it took */
    /* The swap: the saved copy, brought up to date, replaces the live index. */
    int swapped;         /* 1 when it did; 0 when the hub serves on with the old one */
    size_t caught_up;    /* alert changes applied to the copy after it was saved */
    double swap_locked;  /* the longest write-lock hold while catching up and swapping */
    double swap_seconds; /* from the saved copy to the swap, the old index freed */
    char swap_why[200];  /* when the snapshot was written but not swapped in: why */
};

/*
 * Writes a snapshot at `path`: first brings the hub up to the store's
 * watermark (changes another process made, and changes a request has stored
 * but not applied yet), then, under the read lock, copies the index's filed
 * arrays (limen_index_clone) and pins the alert table's entries (their
 * pointers copied; an entry replaced meanwhile is kept until the table is
 * written); with the lock released, serialises the table, drops from the
 * copy what removed and replaced alerts still hold (limen_index_compact),
 * finishes it and saves it as "<path>.index-<watermark>", writes the table with the
 * watermark and the index's name to `path` (a
 * temporary file, synced, renamed, the directory synced), deletes the
 * previous snapshot's index file and what cut-off writes left (older index
 * files, temporary files of dead processes). Writes nothing when the store
 * has no change after the snapshot in use. Screening runs on meanwhile;
 * writes wait only while the copy is made (st->locked). Needs memory for the
 * copy: about the size of the snapshot's files, and while it is compacted its
 * filed arrays a second time (st->compacted is 0 when that memory was not
 * there: the copy is saved as it was). One writer at a time (the
 * hub's snapshot thread, or the stop once that thread has ended): the
 * function keeps seen_seq and snap_* to itself. Returns 0 (st filled), 1
 * when the snapshot in use is still exact (nothing written; st->watermark
 * set), or -1 with a message in err (the previous snapshot, if any, stays
 * usable: its files are untouched).
 *
 * Once written, the saved copy (finished: no delta) replaces the live index:
 * brought up to date with the changes made to the live index since the copy
 * (the journal: their alert ids; each alert given the version the table
 * holds, read from the store), at last shadowing it under the write lock,
 * then the pointers swapped and the old index freed after the lock
 * (st->swapped, st->caught_up, st->swap_locked: the longest hold). A
 * change acknowledged before, during or after the swap is in the index in
 * use. When it cannot be done (out of memory, the store unreadable, more
 * changes meanwhile than the journal holds: h->journal_max) the hub serves
 * on with its index (st->swap_why) and the call still returns 0.
 */
int hub_snapshot_write(struct hub *h, const char *path, struct hub_snapshot_stats *st,
                       struct limen_error *err);
/* The checksum that ends a snapshot file: of its n bytes before it (8 bytes a step, FNV-style). */
uint64_t hub_snapshot_sum(const void *data, size_t n);
void hub_close(struct hub *h);

/*
 * Reads and checks the "alert" object of an entity (owner, category, action,
 * flags, handling, distribution, validity) into *a. Returns 0, or -1 with
 * `field` and `msg` saying what is wrong (for a 422 answer).
 */
int hub_alert_read(const json_t *entity, struct hub_alert *a, const char **field, char *msg,
                   size_t msg_cap);

/* An alert as the hub's table keeps it: packed, a few dozen bytes (hub.c). */
struct hub_entry;

/* The table's entry for an alert id, or NULL (call under the lock). */
const struct hub_entry *hub_entry_find(const struct hub *h, const char *id);
/* Its id (valid as long as the entry). */
const char *hub_entry_id(const struct hub_entry *e);
/* The whole record of an entry (a copy, to use after the lock is released). */
void hub_entry_unpack(const struct hub_entry *e, struct hub_alert *a);

/*
 * Whether an agency may see an alert: it owns it, the alert is distributed to
 * all members, names the agency, or names a sharing group the agency is a
 * member of (as the hub's group table says now). Call under the lock.
 */
int hub_visible(const struct hub *h, const struct hub_entry *e, const char *agency);

/*
 * (Re)reads the sharing groups from the store and swaps them in under the
 * write lock: visibility follows at once. Returns 0, or -1 with a message
 * (the groups in use are kept).
 */
int hub_groups_load(struct hub *h, struct limen_error *err);

/* The group `code` of a group table (n entries), or NULL. */
const struct limen_group *hub_group_find(const struct limen_group *groups, size_t n,
                                         const char *code);

/* The first sharing group of an alert that is not in the table, or NULL. */
const char *hub_alert_unknown_group(const struct hub_alert *a, const struct limen_group *groups,
                                    size_t n);

/* Today's UTC date as "YYYY-MM-DD" (h->today_fixed when a test set it).
 * Thread-safe. */
void hub_today(const struct hub *h, char today[11]);
/* Whether an alert is past its validity on `today` (hub_today()): its
 * valid_until is before it (an alert is valid through its last day; one
 * without valid_until never expires). */
int hub_expired(const struct hub_entry *e, const char *today);

/*
 * Applies a stored alert version to the index and the table (write lock
 * taken inside): withdrawn or expired alerts leave the index. The entity JSON
 * is the stored text. Returns 0 or -1 (out of memory, or not indexable).
 */
int hub_apply(struct hub *h, const char *json, size_t len, int withdrawn, int64_t version,
              struct limen_error *err);

/* The same for an entity already parsed and its alert record already read
 * (meta->version set); the entity stays the caller's. A version not newer
 * than the table's is passed over (0): versions of an alert only move
 * forward, whichever thread applies them first. */
int hub_apply_entity(struct hub *h, const struct limen_entity *e, const struct hub_alert *meta,
                     int withdrawn, struct limen_error *err);

/*
 * An alert withdrawn at `version` (the store's answer): out of the index,
 * and its table record at that version, unless the table holds a later
 * version already (a later write of the alert was applied first). Takes the
 * write lock.
 */
void hub_withdraw(struct hub *h, const char *id, int64_t version);


#endif
