/*
 * Internals of the store (store.c) shared with the audit log (audit.c): the
 * handle, its lock, and the small SQLite helpers that turn SQLite result
 * codes into limen statuses with a message.
 */
#ifndef LIMEN_STORE_INT_H
#define LIMEN_STORE_INT_H

#include "limen/store.h"

#include <pthread.h>
#include <sqlite3.h>

#define LIMEN__SCHEMA_VERSION  3
#define LIMEN__AUDIT_KEY_BYTES 32
#define LIMEN__MAC_BYTES       32
#define LIMEN__STMT_CACHE      64
#define LIMEN__READ_STMTS      4

/*
 * A prepared statement kept for the next call with the same constant SQL
 * (found by the address of its text): preparing costs more than running the
 * short statements of the hot path. `busy` while a caller holds it; a
 * nested use of the same SQL (a callback) gets a statement of its own.
 */
struct limen__stmt_slot {
    const char *sql;
    sqlite3_stmt *stmt;
    int busy;
};

struct limen_store {
    sqlite3 *db;
    pthread_mutex_t mu; /* recursive: serialises every call on the connection */
    int mu_ready;
    unsigned char key[LIMEN__AUDIT_KEY_BYTES]; /* the audit MAC key, never written to the db */
    int batch; /* inside limen_store_batch(): each write is a savepoint of one transaction */
    struct limen__stmt_slot stmts[LIMEN__STMT_CACHE]; /* under mu */
    size_t nstmts;
    /*
     * A second connection, read-only, for the reads of every request (token,
     * agency): in WAL mode it reads the last commit while the writer syncs
     * the next one, so a request is never authenticated behind another's
     * fsync. NULL (an in-memory database): those reads use db.
     */
    sqlite3 *rdb;
    pthread_mutex_t rmu; /* serialises the calls on rdb */
    int rmu_ready;
    struct limen__stmt_slot rstmts[LIMEN__READ_STMTS]; /* under rmu */
    size_t nrstmts;
};

void limen__store_lock(struct limen_store *s);
void limen__store_unlock(struct limen_store *s);

/*
 * A failed SQLite call: LIMEN_ENOMEM for SQLITE_NOMEM, LIMEN_ESTORE otherwise,
 * with "what: sqlite's message" in err (may be NULL). Returns the status.
 */
limen_status limen__store_sqlerr(struct limen_store *s, struct limen_error *err, int rc,
                                 const char *what);
/*
 * Prepares one statement of constant SQL (no user data in it: bind it), or
 * takes the one prepared by an earlier call with the same text (the cache is
 * keyed by the address of `sql`, so pass a string literal). Call with the
 * store locked; hand the statement back with limen__store_finalize().
 */
limen_status limen__store_prepare(struct limen_store *s, const char *sql, sqlite3_stmt **stmt,
                                  struct limen_error *err);
/* Gives a statement back: a cached one is reset and its bindings cleared for
 * the next call, another one finalized. NULL is a no-op. */
void limen__store_finalize(struct limen_store *s, sqlite3_stmt *stmt);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (the latter never fails visibly). */
limen_status limen__store_begin(struct limen_store *s, struct limen_error *err);
limen_status limen__store_commit(struct limen_store *s, struct limen_error *err);
void limen__store_rollback(struct limen_store *s);

/*
 * Loads the audit key from `path` (exactly 32 bytes), or creates it (mode
 * 0600, O_EXCL) when absent, `create` is set and the log is still empty
 * (`log_has_entries` == 0). LIMEN_EIO with a message otherwise.
 */
limen_status limen__audit_key_load(const char *path, int create, int log_has_entries,
                                   unsigned char key[LIMEN__AUDIT_KEY_BYTES],
                                   struct limen_error *err);
/*
 * Inserts the head and anchor rows of an empty log when they are absent.
 * Runs inside the caller's transaction (schema creation).
 */
limen_status limen__audit_init(struct limen_store *s, struct limen_error *err);

#endif
