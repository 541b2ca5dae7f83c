/*
 * The hub's durable store (include/limen/store.h): agencies, users, hashed
 * API tokens, versioned alerts and hits in one SQLite database. The audit
 * log lives in audit.c and shares the handle through store_int.h.
 *
 * How it works:
 *  - one SQLite connection in WAL mode with synchronous=FULL, so a COMMIT
 *    returns only once the WAL is synced; every write is one BEGIN IMMEDIATE
 *    ... COMMIT transaction, so a crash leaves either all of it or nothing;
 *  - a recursive mutex serialises the calls of all threads on the
 *    connection (a transaction is several statements that must not
 *    interleave with another thread's); the reads every request makes (its
 *    token, an agency) go to a second, read-only connection with its own
 *    mutex, so they never wait behind a commit's sync;
 *  - prepared statements are kept for reuse (keyed by their constant SQL);
 *  - every statement is constant SQL with bound parameters: no user data is
 *    ever pasted into SQL text;
 *  - alerts keep every version in `alerts` (id, version) and the latest one
 *    in `alert_heads`, which also carries the owner the ownership rule checks;
 *  - an API token is 32 random bytes shown once as "lmn_" + base64url; only
 *    its BLAKE2b-256 hash is stored, looked up by hash and compared again in
 *    constant time.
 */
#include "alloc.h"
#include "status_int.h"
#include "store_int.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define TOKEN_PREFIX     "lmn_"
#define TOKEN_PREFIX_LEN 4
#define TOKEN_RAW_BYTES  32
#define TOKEN_B64_LEN    43 /* 32 bytes in base64url without padding */
#define TOKEN_TEXT_LEN   (TOKEN_PREFIX_LEN + TOKEN_B64_LEN)
#define TOKEN_HASH_BYTES 32
#define LABEL_MAX        256
#define BUSY_TIMEOUT_MS  10000
#define TEXT_OF_(x)      #x
#define TEXT_OF(x)       TEXT_OF_(x) /* a macro's value as a string literal */

_Static_assert(TOKEN_TEXT_LEN < LIMEN_TOKEN_TEXT_MAX, "a token and its NUL fit the buffer");

/* The schema of version 1, the first. Constant text, no user data. */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS agencies(code TEXT PRIMARY KEY, country TEXT NOT NULL,"
    " name TEXT NOT NULL, contact TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS users(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " agency TEXT NOT NULL REFERENCES agencies(code), role INTEGER NOT NULL,"
    " disabled INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS tokens(id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id), hash BLOB NOT NULL UNIQUE,"
    " label TEXT NOT NULL, created INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS alerts(id TEXT NOT NULL, version INTEGER NOT NULL,"
    " owner TEXT NOT NULL, withdrawn INTEGER NOT NULL, json TEXT NOT NULL,"
    " created INTEGER NOT NULL, PRIMARY KEY(id, version));"
    "CREATE TABLE IF NOT EXISTS alert_heads(id TEXT PRIMARY KEY, owner TEXT NOT NULL,"
    " version INTEGER NOT NULL, withdrawn INTEGER NOT NULL, created INTEGER NOT NULL,"
    " updated INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS hits(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " alert_id TEXT NOT NULL, owner TEXT NOT NULL, by_agency TEXT NOT NULL,"
    " by_user INTEGER NOT NULL, post TEXT NOT NULL, at INTEGER NOT NULL, score REAL NOT NULL,"
    " status INTEGER NOT NULL, query_json TEXT NOT NULL, explanation_json TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS hits_owner ON hits(owner, id);"
    "CREATE TABLE IF NOT EXISTS audit(seq INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL, user TEXT NOT NULL, agency TEXT NOT NULL,"
    " action TEXT NOT NULL, search TEXT NOT NULL, results TEXT NOT NULL,"
    " status INTEGER NOT NULL, mac BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS audit_head(id INTEGER PRIMARY KEY CHECK (id = 1),"
    " last_seq INTEGER NOT NULL, last_mac BLOB NOT NULL, head_mac BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS audit_anchor(id INTEGER PRIMARY KEY CHECK (id = 1),"
    " seq INTEGER NOT NULL, mac BLOB NOT NULL, anchor_mac BLOB NOT NULL);";

/*
 * migrations[i] takes a database of version i + 1 to version i + 2, inside the
 * opening transaction. A database is never rebuilt: each step adds to what
 * the previous versions made, so a file of any older version keeps its data.
 */
static const char *const migrations[] = {
    /* 1 -> 2: sharing groups (a code, a name, the agency that manages it, its members) */
    "CREATE TABLE IF NOT EXISTS sharing_groups(code TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " owner TEXT NOT NULL, updated INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sharing_group_members("
    " grp TEXT NOT NULL REFERENCES sharing_groups(code),"
    " agency TEXT NOT NULL REFERENCES agencies(code), PRIMARY KEY(grp, agency)) WITHOUT ROWID;",
    /*
     * 2 -> 3: the change sequence of alerts (every version written gets the
     * next number, so "what changed after N" is one range of an index) and a
     * random identity of the store, for the hub's snapshots. The versions
     * already stored are numbered in the order they were written (their
     * rowid; no version was ever deleted).
     */
    "ALTER TABLE alerts ADD COLUMN seq INTEGER;"
    "UPDATE alerts SET seq = rowid;"
    "CREATE UNIQUE INDEX IF NOT EXISTS alerts_seq ON alerts(seq);"
    "INSERT OR IGNORE INTO meta(key, value) VALUES ('store_id', random());",
};

_Static_assert(sizeof migrations / sizeof migrations[0] == LIMEN__SCHEMA_VERSION - 1,
               "one migration per schema version after the first");

/* ---- helpers shared with audit.c ---- */

void limen__store_lock(struct limen_store *s)
{
    pthread_mutex_lock(&s->mu);
}

void limen__store_unlock(struct limen_store *s)
{
    pthread_mutex_unlock(&s->mu);
}

limen_status limen__store_sqlerr(struct limen_store *s, struct limen_error *err, int rc,
                                 const char *what)
{
    if ((rc & 0xff) == SQLITE_NOMEM)
        return limen__error_set(err, LIMEN_ENOMEM, NULL, "%s: out of memory", what);
    const char *msg = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    return limen__error_set(err, LIMEN_ESTORE, NULL, "%s: %s", what, msg);
}

/*
 * The statement caches of both connections (store_int.h): a statement for
 * `sql` on `db`, taken from slots[*n] or prepared and kept there while
 * there is room (cap). A busy slot (a nested use of the same text) gives a
 * statement of its own, not cached. Returns SQLite's code; *stmt is NULL
 * on an error.
 */
static int cache_take(sqlite3 *db, struct limen__stmt_slot *slots, size_t *n, size_t cap,
                      const char *sql, sqlite3_stmt **stmt)
{
    size_t i = 0;
    *stmt = NULL;
    while (i < *n && slots[i].sql != sql)
        i++;
    if (i < *n && !slots[i].busy) {
        slots[i].busy = 1;
        *stmt = slots[i].stmt;
        return SQLITE_OK;
    }
    int keep = i == *n && *n < cap;
    int rc = sqlite3_prepare_v3(db, sql, -1, keep ? SQLITE_PREPARE_PERSISTENT : 0, stmt, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(*stmt);
        *stmt = NULL;
        return rc;
    }
    if (keep) {
        slots[*n].sql = sql;
        slots[*n].stmt = *stmt;
        slots[*n].busy = 1;
        (*n)++;
    }
    return SQLITE_OK;
}

/* Gives a statement of cache_take() back: a cached one reset for the next use, another finalized.
 */
static void cache_give(struct limen__stmt_slot *slots, size_t n, sqlite3_stmt *stmt)
{
    if (!stmt)
        return;
    for (size_t i = 0; i < n; i++) {
        if (slots[i].stmt == stmt) {
            sqlite3_reset(stmt);
            sqlite3_clear_bindings(stmt);
            slots[i].busy = 0;
            return;
        }
    }
    sqlite3_finalize(stmt);
}

limen_status limen__store_prepare(struct limen_store *s, const char *sql, sqlite3_stmt **stmt,
                                  struct limen_error *err)
{
    int rc = cache_take(s->db, s->stmts, &s->nstmts, LIMEN__STMT_CACHE, sql, stmt);
    if (rc != SQLITE_OK)
        return limen__store_sqlerr(s, err, rc, "cannot prepare a statement");
    return LIMEN_OK;
}

void limen__store_finalize(struct limen_store *s, sqlite3_stmt *stmt)
{
    cache_give(s->stmts, s->nstmts, stmt);
}

/*
 * A read on the read-only connection (store_int.h): takes its lock and a
 * statement for `sql` (cached); read_end() gives both back. Without a
 * read-only connection, the writer's lock and statement cache serve.
 */
static limen_status read_begin(struct limen_store *s, const char *sql, sqlite3_stmt **stmt)
{
    *stmt = NULL;
    if (!s->rdb) {
        limen__store_lock(s);
        limen_status st = limen__store_prepare(s, sql, stmt, NULL);
        if (st != LIMEN_OK)
            limen__store_unlock(s);
        return st;
    }
    pthread_mutex_lock(&s->rmu);
    int rc = cache_take(s->rdb, s->rstmts, &s->nrstmts, LIMEN__READ_STMTS, sql, stmt);
    if (rc != SQLITE_OK) {
        pthread_mutex_unlock(&s->rmu);
        return (rc & 0xff) == SQLITE_NOMEM ? LIMEN_ENOMEM : LIMEN_ESTORE;
    }
    return LIMEN_OK;
}

static void read_end(struct limen_store *s, sqlite3_stmt *stmt)
{
    if (!s->rdb) {
        limen__store_finalize(s, stmt);
        limen__store_unlock(s);
        return;
    }
    cache_give(s->rstmts, s->nrstmts, stmt);
    pthread_mutex_unlock(&s->rmu);
}

/* Binds a NUL-terminated string (copied by SQLite). */
static int bind_str(sqlite3_stmt *st, int i, const char *v)
{
    return sqlite3_bind_text(st, i, v, (int)strlen(v), SQLITE_TRANSIENT);
}

/*
 * Runs one statement of constant SQL that returns no rows (a cached
 * statement) with none, one or two text parameters (p1, p2 may be NULL).
 */
static limen_status run_text(struct limen_store *s, const char *sql, const char *p1, const char *p2,
                             const char *what, struct limen_error *err)
{
    sqlite3_stmt *q = NULL;
    limen_status st = limen__store_prepare(s, sql, &q, err);
    if (st != LIMEN_OK)
        return st;
    if (p1)
        bind_str(q, 1, p1);
    if (p2)
        bind_str(q, 2, p2);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        st = limen__store_sqlerr(s, err, rc, what);
    limen__store_finalize(s, q);
    return st;
}

static limen_status exec_sql(struct limen_store *s, const char *sql, const char *what,
                             struct limen_error *err)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return limen__store_sqlerr(s, err, rc, what);
    return LIMEN_OK;
}

/* The transaction statements, one text each so that their prepared statements are reused. */
static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_commit[] = "COMMIT";
static const char sql_savepoint[] = "SAVEPOINT w";
static const char sql_release[] = "RELEASE w";

/*
 * Outside a batch a write is its own transaction (BEGIN IMMEDIATE ... COMMIT,
 * synced). Inside limen_store_batch() it is a savepoint of the batch's
 * transaction: its failure undoes it alone, and the batch's one COMMIT makes
 * all of them durable with one sync (group commit).
 */
limen_status limen__store_begin(struct limen_store *s, struct limen_error *err)
{
    if (s->batch)
        return run_text(s, sql_savepoint, NULL, NULL, "cannot begin a savepoint", err);
    return run_text(s, sql_begin, NULL, NULL, "cannot begin a transaction", err);
}

limen_status limen__store_commit(struct limen_store *s, struct limen_error *err)
{
    limen_status st = s->batch ? run_text(s, sql_release, NULL, NULL, "cannot commit", err)
                               : run_text(s, sql_commit, NULL, NULL, "cannot commit", err);
    if (st != LIMEN_OK)
        limen__store_rollback(s);
    return st;
}

void limen__store_rollback(struct limen_store *s)
{
    /* After some errors SQLite has already rolled back: nothing to undo then. */
    if (sqlite3_get_autocommit(s->db))
        return;
    if (s->batch)
        sqlite3_exec(s->db, "ROLLBACK TO w; RELEASE w", NULL, NULL, NULL);
    else
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

limen_status limen_store_batch(struct limen_store *s, void (*fn)(void *ctx), void *ctx,
                               struct limen_error *err)
{
    limen_status st;
    limen_error_clear(err);
    if (!s || !fn)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no store or function");
    limen__store_lock(s);
    if (s->batch) {
        limen__store_unlock(s);
        return limen__error_set(err, LIMEN_ESTATE, NULL, "batches do not nest");
    }
    if ((st = run_text(s, sql_begin, NULL, NULL, "cannot begin a transaction", err)) != LIMEN_OK) {
        limen__store_unlock(s);
        return st;
    }
    s->batch = 1;
    fn(ctx);
    s->batch = 0;
    st = run_text(s, sql_commit, NULL, NULL, "cannot commit the batch", err);
    if (st != LIMEN_OK && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    limen__store_unlock(s);
    return st;
}

/* ---- small local helpers ---- */

/* Copies column `col` as text into dst[cap], cut to fit (inputs are validated on the way in). */
static void col_copy(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    if (!t)
        n = 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, t, n);
    dst[n] = '\0';
}

/*
 * Prepares `sql`, binds p1 as ?1 and steps once: *row = 1 with the row in
 * *q to read, or *row = 0 when there is none. A failed step is reported as
 * `what`. The caller hands *q back with limen__store_finalize() in every
 * case (it is NULL when the prepare failed).
 */
static limen_status step_text(struct limen_store *s, const char *sql, const char *p1,
                              sqlite3_stmt **q, int *row, const char *what, struct limen_error *err)
{
    *row = 0;
    limen_status st = limen__store_prepare(s, sql, q, err);
    if (st != LIMEN_OK)
        return st;
    bind_str(*q, 1, p1);
    int rc = sqlite3_step(*q);
    if (rc == SQLITE_ROW)
        *row = 1;
    else if (rc != SQLITE_DONE)
        st = limen__store_sqlerr(s, err, rc, what);
    return st;
}

/* Length of a string held in a char[cap], or cap when it has no NUL (invalid). */
static size_t bounded_len(const char *s, size_t cap)
{
    const char *nul = memchr(s, '\0', cap);
    return nul ? (size_t)(nul - s) : cap;
}

/*
 * Makes room for one more element in `arr` (len used, *cap allocated, elements
 * of `size` bytes), doubling from `first`. Returns the array (moved or not),
 * or NULL when out of memory (arr is then unchanged and still the caller's).
 */
static void *grow(void *arr, size_t len, size_t *cap, size_t size, size_t first)
{
    if (len < *cap)
        return arr;
    size_t ncap = *cap ? *cap * 2 : first;
    void *np = limen__reallocarray(arr, ncap, size);
    if (np)
        *cap = ncap;
    return np;
}

/* An agency code: 1 to LIMEN_AGENCY_CODE_MAX - 1 letters, digits or '-'. */
static int valid_code(const char *code)
{
    if (!code)
        return 0;
    size_t n = strnlen(code, LIMEN_AGENCY_CODE_MAX);
    if (n == 0 || n >= LIMEN_AGENCY_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)code[i];
        if (!(isascii(c) && (isalnum(c) || c == '-')))
            return 0;
    }
    return 1;
}

/* A text field: shorter than `cap` bytes and free of control characters. */
static int valid_text(const char *v, size_t cap, int allow_empty)
{
    if (!v)
        return 0;
    size_t n = strnlen(v, cap);
    if (n >= cap || (n == 0 && !allow_empty))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f)
            return 0;
    }
    return 1;
}

static int64_t now(void)
{
    return (int64_t)time(NULL);
}

/* ---- open and close ---- */

/* Whether table `name` exists (*yes), from sqlite_master. */
static limen_status table_exists(struct limen_store *s, const char *name, int *yes,
                                 struct limen_error *err)
{
    sqlite3_stmt *q = NULL;
    limen_status st = limen__store_prepare(
        s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", &q, err);
    if (st != LIMEN_OK)
        goto out;
    bind_str(q, 1, name);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        st = limen__store_sqlerr(s, err, rc, "cannot read the schema");
        goto out;
    }
    *yes = sqlite3_column_int64(q, 0) > 0;
out:
    limen__store_finalize(s, q);
    return st;
}

/* Reads one integer of a constant query; *v = 0 when there is no row. */
static limen_status query_int(struct limen_store *s, const char *sql, int64_t *v,
                              struct limen_error *err)
{
    sqlite3_stmt *q = NULL;
    *v = 0;
    limen_status st = limen__store_prepare(s, sql, &q, err);
    if (st != LIMEN_OK)
        goto out;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int64(q, 0);
    else if (rc != SQLITE_DONE)
        st = limen__store_sqlerr(s, err, rc, "cannot read the database");
out:
    limen__store_finalize(s, q);
    return st;
}

/*
 * Creates the schema of version 1 when absent, then runs the migrations from
 * `version` (0 for a new file) to LIMEN__SCHEMA_VERSION, in one transaction.
 */
static limen_status create_schema(struct limen_store *s, int64_t version, struct limen_error *err)
{
    limen_status st = limen__store_begin(s, err);
    if (st != LIMEN_OK)
        return st;
    if ((st = exec_sql(s, schema_sql, "cannot create the schema", err)) != LIMEN_OK)
        goto out;
    if ((st = exec_sql(s, "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', 1)",
                       "cannot record the schema version", err)) != LIMEN_OK)
        goto out;
    for (int64_t v = version < 1 ? 1 : version; v < LIMEN__SCHEMA_VERSION; v++)
        if ((st = exec_sql(s, migrations[v - 1], "cannot migrate the schema", err)) != LIMEN_OK)
            goto out;
    if ((st = exec_sql(s,
                       "UPDATE meta SET value = " TEXT_OF(
                           LIMEN__SCHEMA_VERSION) " WHERE key = 'schema_version'",
                       "cannot record the schema version", err)) != LIMEN_OK)
        goto out;
    if ((st = limen__audit_init(s, err)) != LIMEN_OK)
        goto out;
    st = limen__store_commit(s, err);
    return st;
out:
    limen__store_rollback(s);
    return st;
}

limen_status limen_store_open(const char *path, const struct limen_store_options *opts,
                              struct limen_store **out, struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    struct limen_store *s = NULL;
    char *keypath = NULL;
    pthread_mutexattr_t attr;
    int attr_ready = 0;

    limen_error_clear(err);
    if (!out)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no result pointer");
    *out = NULL;
    if (!path || !*path)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no database path");
    int create = opts ? opts->create : 1;

    /* Safe to call again and from several threads: libsodium guards it. */
    if (sodium_init() < 0) {
        st = limen__error_set(err, LIMEN_ESTORE, NULL, "cannot initialise libsodium");
        goto out;
    }
    s = limen__calloc(1, sizeof *s);
    if (!s) {
        st = limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory");
        goto out;
    }
    if (pthread_mutexattr_init(&attr) != 0) {
        st = limen__error_set(err, LIMEN_ENOMEM, NULL, "cannot create a mutex");
        goto out;
    }
    attr_ready = 1;
    if (pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE) != 0 ||
        pthread_mutex_init(&s->mu, &attr) != 0) {
        st = limen__error_set(err, LIMEN_ENOMEM, NULL, "cannot create a mutex");
        goto out;
    }
    s->mu_ready = 1;

    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        if (rc == SQLITE_NOMEM)
            st = limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory opening %s", path);
        else
            st = limen__error_set(err, LIMEN_EIO, NULL, "cannot open the database %s: %s", path,
                                  s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        goto out;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    if ((st = exec_sql(s, "PRAGMA journal_mode=WAL", "cannot switch to WAL (not a database?)",
                       err)) != LIMEN_OK)
        goto out;
    if ((st = exec_sql(s, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON",
                       "cannot set the database options", err)) != LIMEN_OK)
        goto out;

    /* Refuse a newer schema before touching anything. */
    int have_meta = 0, have_head = 0;
    int64_t v = 0;
    if ((st = table_exists(s, "meta", &have_meta, err)) != LIMEN_OK)
        goto out;
    if (have_meta) {
        if ((st = query_int(s, "SELECT value FROM meta WHERE key = 'schema_version'", &v, err)) !=
            LIMEN_OK)
            goto out;
        if (v > LIMEN__SCHEMA_VERSION) {
            st = limen__error_set(err, LIMEN_EVERSION, NULL,
                                  "%s has schema version %lld; this build knows up to %d", path,
                                  (long long)v, LIMEN__SCHEMA_VERSION);
            goto out;
        }
    }
    int64_t last_seq = 0;
    if ((st = table_exists(s, "audit_head", &have_head, err)) != LIMEN_OK)
        goto out;
    if (have_head && (st = query_int(s, "SELECT last_seq FROM audit_head WHERE id = 1", &last_seq,
                                     err)) != LIMEN_OK)
        goto out;

    const char *kp = opts ? opts->audit_key_path : NULL;
    if (!kp) {
        size_t n = strlen(path);
        const char suffix[] = ".audit-key";
        if (n > SIZE_MAX - sizeof suffix) {
            st = limen__error_set(err, LIMEN_ETOOLONG, NULL, "database path too long");
            goto out;
        }
        keypath = limen__malloc(n + sizeof suffix);
        if (!keypath) {
            st = limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory");
            goto out;
        }
        memcpy(keypath, path, n);
        memcpy(keypath + n, suffix, sizeof suffix);
        kp = keypath;
    }
    if ((st = limen__audit_key_load(kp, create, last_seq > 0, s->key, err)) != LIMEN_OK)
        goto out;
    if ((st = create_schema(s, v, err)) != LIMEN_OK)
        goto out;
    /*
     * The read-only connection (store_int.h), on the file the writer opened;
     * without it (an in-memory or temporary database has no file) the
     * writer serves.
     */
    const char *file = sqlite3_db_filename(s->db, "main");
    if (file && file[0] && pthread_mutex_init(&s->rmu, NULL) == 0) {
        s->rmu_ready = 1;
        if (sqlite3_open_v2(file, &s->rdb, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK) {
            sqlite3_close_v2(s->rdb);
            s->rdb = NULL;
        } else {
            sqlite3_extended_result_codes(s->rdb, 1);
            sqlite3_busy_timeout(s->rdb, BUSY_TIMEOUT_MS);
        }
    }

    *out = s;
    s = NULL;
out:
    if (attr_ready)
        pthread_mutexattr_destroy(&attr);
    limen__free(keypath);
    limen_store_close(s);
    return st;
}

void limen_store_close(struct limen_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nstmts; i++)
        sqlite3_finalize(s->stmts[i].stmt);
    for (size_t i = 0; i < s->nrstmts; i++)
        sqlite3_finalize(s->rstmts[i].stmt);
    if (s->rdb)
        sqlite3_close_v2(s->rdb);
    if (s->rmu_ready)
        pthread_mutex_destroy(&s->rmu);
    if (s->db)
        sqlite3_close_v2(s->db);
    if (s->mu_ready)
        pthread_mutex_destroy(&s->mu);
    sodium_memzero(s->key, sizeof s->key);
    limen__free(s);
}

/* ---- agencies ---- */

limen_status limen_store_agency_put(struct limen_store *s, const struct limen_agency *a,
                                    struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    char country[3];
    int locked = 0;

    limen_error_clear(err);
    if (!s || !a)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no store or agency");
    if (!valid_code(a->code))
        return limen__error_set(err, LIMEN_EINVAL, "code",
                                "an agency code is 1 to %d letters, digits or '-'",
                                LIMEN_AGENCY_CODE_MAX - 1);
    if (bounded_len(a->country, sizeof a->country) != 2 || !isalpha((unsigned char)a->country[0]) ||
        !isalpha((unsigned char)a->country[1]) || !isascii((unsigned char)a->country[0]) ||
        !isascii((unsigned char)a->country[1]))
        return limen__error_set(err, LIMEN_EINVAL, "country",
                                "a country is an ISO 3166 alpha-2 code");
    country[0] = (char)tolower((unsigned char)a->country[0]);
    country[1] = (char)tolower((unsigned char)a->country[1]);
    country[2] = '\0';
    if (!valid_text(a->name, sizeof a->name, 0))
        return limen__error_set(err, LIMEN_EINVAL, "name",
                                "an agency name is 1 to %zu characters, no control characters",
                                sizeof a->name - 1);
    if (!valid_text(a->contact, sizeof a->contact, 1))
        return limen__error_set(err, LIMEN_EINVAL, "contact",
                                "a contact is shorter than %zu bytes, no control characters",
                                sizeof a->contact);

    limen__store_lock(s);
    locked = 1;
    if ((st = limen__store_prepare(s,
                                   "INSERT INTO agencies(code, country, name, contact)"
                                   " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(code) DO UPDATE SET"
                                   " country = excluded.country, name = excluded.name,"
                                   " contact = excluded.contact",
                                   &q, err)) != LIMEN_OK)
        goto out;
    bind_str(q, 1, a->code);
    bind_str(q, 2, country);
    bind_str(q, 3, a->name);
    bind_str(q, 4, a->contact);
    /* One statement is its own transaction, synced at its end. */
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        st = limen__store_sqlerr(s, err, rc, "cannot store the agency");
out:
    limen__store_finalize(s, q);
    if (locked)
        limen__store_unlock(s);
    return st;
}

static void agency_from_row(struct limen_agency *a, sqlite3_stmt *q)
{
    memset(a, 0, sizeof *a);
    col_copy(a->code, sizeof a->code, q, 0);
    col_copy(a->country, sizeof a->country, q, 1);
    col_copy(a->name, sizeof a->name, q, 2);
    col_copy(a->contact, sizeof a->contact, q, 3);
}

limen_status limen_store_agency_get(struct limen_store *s, const char *code,
                                    struct limen_agency *out)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    if (!s || !out)
        return LIMEN_EINVAL;
    if (!valid_code(code))
        return LIMEN_ENOTFOUND;
    if ((st = read_begin(s, "SELECT code, country, name, contact FROM agencies WHERE code = ?1",
                         &q)) != LIMEN_OK)
        return st;
    bind_str(q, 1, code);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        agency_from_row(out, q);
    else if (rc == SQLITE_DONE)
        st = LIMEN_ENOTFOUND;
    else
        st = limen__store_sqlerr(s, NULL, rc, "cannot read an agency");
    read_end(s, q);
    return st;
}

limen_status limen_store_agencies(struct limen_store *s, struct limen_agency **out, size_t *n)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    struct limen_agency *arr = NULL;
    size_t len = 0, cap = 0;
    if (!s || !out || !n)
        return LIMEN_EINVAL;
    *out = NULL;
    *n = 0;
    limen__store_lock(s);
    if ((st = limen__store_prepare(
             s, "SELECT code, country, name, contact FROM agencies ORDER BY code", &q, NULL)) !=
        LIMEN_OK)
        goto out;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        void *more = grow(arr, len, &cap, sizeof *arr, 8);
        if (!more) {
            st = LIMEN_ENOMEM;
            goto out;
        }
        arr = more;
        agency_from_row(&arr[len++], q);
    }
    if (rc != SQLITE_DONE) {
        st = limen__store_sqlerr(s, NULL, rc, "cannot list the agencies");
        goto out;
    }
    *out = arr;
    *n = len;
    arr = NULL;
out:
    limen__store_finalize(s, q);
    limen__store_unlock(s);
    limen__free(arr);
    return st;
}

/* ---- sharing groups ---- */

_Static_assert(LIMEN_GROUP_CODE_MAX == LIMEN_AGENCY_CODE_MAX,
               "group and agency codes share a rule");

/* Whether agency `code` exists (*yes), inside the caller's lock. */
static limen_status agency_exists(struct limen_store *s, const char *code, int *yes,
                                  struct limen_error *err)
{
    sqlite3_stmt *q = NULL;
    limen_status st = step_text(s, "SELECT 1 FROM agencies WHERE code = ?1", code, &q, yes,
                                "cannot read the agencies", err);
    limen__store_finalize(s, q);
    return st;
}

static limen_status group_check(const struct limen_group *g, const char *by,
                                struct limen_error *err)
{
    if (!valid_code(g->code))
        return limen__error_set(err, LIMEN_EINVAL, "code",
                                "a group code is 1 to %d letters, digits or '-'",
                                LIMEN_GROUP_CODE_MAX - 1);
    if (!valid_text(g->name, sizeof g->name, 0))
        return limen__error_set(err, LIMEN_EINVAL, "name",
                                "a group name is 1 to %zu bytes, no control characters",
                                sizeof g->name - 1);
    if (by && !valid_code(by))
        return limen__error_set(err, LIMEN_EINVAL, "owner", "not an agency code");
    if (!by && bounded_len(g->owner, sizeof g->owner) > 0 && !valid_code(g->owner))
        return limen__error_set(err, LIMEN_EINVAL, "owner", "not an agency code");
    if (!by && bounded_len(g->owner, sizeof g->owner) == sizeof g->owner)
        return limen__error_set(err, LIMEN_EINVAL, "owner", "not an agency code");
    if (g->nmembers > LIMEN_GROUP_MEMBERS_MAX || (g->nmembers && !g->members))
        return limen__error_set(err, LIMEN_EINVAL, "members", "at most %d member agencies",
                                LIMEN_GROUP_MEMBERS_MAX);
    for (size_t i = 0; i < g->nmembers; i++)
        if (bounded_len(g->members[i], LIMEN_AGENCY_CODE_MAX) == LIMEN_AGENCY_CODE_MAX ||
            !valid_code(g->members[i]))
            return limen__error_set(err, LIMEN_EINVAL, "members",
                                    "member %zu is not an agency code", i);
    return LIMEN_OK;
}

/* One text for put and delete, so that they share one cached statement. */
static const char sql_group_owner[] = "SELECT owner FROM sharing_groups WHERE code = ?1";

limen_status limen_store_group_put(struct limen_store *s, const struct limen_group *g,
                                   const char *by, struct limen_error *err)
{
    limen_status st;
    sqlite3_stmt *q = NULL;
    char cur_owner[LIMEN_AGENCY_CODE_MAX];
    int in_tx = 0, yes = 0;

    limen_error_clear(err);
    if (!s || !g)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no store or group");
    if ((st = group_check(g, by, err)) != LIMEN_OK)
        return st;
    const char *owner = by ? by : g->owner;

    limen__store_lock(s);
    if ((st = limen__store_begin(s, err)) != LIMEN_OK)
        goto out;
    in_tx = 1;
    if ((st = step_text(s, sql_group_owner, g->code, &q, &yes, "cannot read the groups", err)) !=
        LIMEN_OK)
        goto out;
    if (yes && by) {
        col_copy(cur_owner, sizeof cur_owner, q, 0);
        if (strcmp(cur_owner, by) != 0) {
            st = limen__error_set(err, LIMEN_EFORBIDDEN, "code",
                                  "group %s is managed by %s; %s may not change it", g->code,
                                  cur_owner[0] ? cur_owner : "the hub's operator", by);
            goto out;
        }
    }
    limen__store_finalize(s, q);
    q = NULL;
    if (owner[0]) {
        if ((st = agency_exists(s, owner, &yes, err)) != LIMEN_OK)
            goto out;
        if (!yes) {
            st = limen__error_set(err, LIMEN_ENOTFOUND, "owner", "no agency %s", owner);
            goto out;
        }
    }
    if ((st = limen__store_prepare(s,
                                   "INSERT INTO sharing_groups(code, name, owner, updated)"
                                   " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(code) DO UPDATE SET"
                                   " name = excluded.name, owner = excluded.owner,"
                                   " updated = excluded.updated",
                                   &q, err)) != LIMEN_OK)
        goto out;
    bind_str(q, 1, g->code);
    bind_str(q, 2, g->name);
    bind_str(q, 3, owner);
    sqlite3_bind_int64(q, 4, now());
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        st = limen__store_sqlerr(s, err, rc, "cannot store the group");
        goto out;
    }
    limen__store_finalize(s, q);
    q = NULL;
    if ((st = run_text(s, "DELETE FROM sharing_group_members WHERE grp = ?1", g->code, NULL,
                       "cannot store the group", err)) != LIMEN_OK)
        goto out;
    for (size_t i = 0; i < g->nmembers; i++) {
        if ((st = agency_exists(s, g->members[i], &yes, err)) != LIMEN_OK)
            goto out;
        if (!yes) {
            st = limen__error_set(err, LIMEN_ENOTFOUND, "members", "no agency %s", g->members[i]);
            goto out;
        }
        if ((st = run_text(s,
                           "INSERT OR IGNORE INTO sharing_group_members(grp, agency)"
                           " VALUES (?1, ?2)",
                           g->code, g->members[i], "cannot store the group", err)) != LIMEN_OK)
            goto out;
    }
    in_tx = 0;
    st = limen__store_commit(s, err);
out:
    limen__store_finalize(s, q);
    if (in_tx)
        limen__store_rollback(s);
    limen__store_unlock(s);
    return st;
}

limen_status limen_store_group_delete(struct limen_store *s, const char *code, const char *by,
                                      struct limen_error *err)
{
    limen_status st;
    sqlite3_stmt *q = NULL;
    char cur_owner[LIMEN_AGENCY_CODE_MAX], alert[LIMEN_ALERT_ID_MAX];
    int in_tx = 0, found = 0;

    limen_error_clear(err);
    if (!s || !code)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no store or group code");
    if (strnlen(code, LIMEN_GROUP_CODE_MAX) >= LIMEN_GROUP_CODE_MAX)
        return limen__error_set(err, LIMEN_ENOTFOUND, "code", "no group %.40s", code);

    limen__store_lock(s);
    if ((st = limen__store_begin(s, err)) != LIMEN_OK)
        goto out;
    in_tx = 1;
    if ((st = step_text(s, sql_group_owner, code, &q, &found, "cannot read the groups", err)) !=
        LIMEN_OK)
        goto out;
    if (!found) {
        st = limen__error_set(err, LIMEN_ENOTFOUND, "code", "no group %s", code);
        goto out;
    }
    col_copy(cur_owner, sizeof cur_owner, q, 0);
    limen__store_finalize(s, q);
    q = NULL;
    if (by && strcmp(cur_owner, by) != 0) {
        st = limen__error_set(err, LIMEN_EFORBIDDEN, "code",
                              "group %s is managed by %s; %s may not delete it", code,
                              cur_owner[0] ? cur_owner : "the hub's operator", by);
        goto out;
    }
    /* The alerts (latest versions, not withdrawn) that still distribute to it. */
    if ((st = limen__store_prepare(s,
                                   "SELECT count(*), min(h.id) FROM alert_heads h"
                                   " JOIN alerts a ON a.id = h.id AND a.version = h.version,"
                                   " json_each(CASE WHEN json_valid(a.json) THEN a.json"
                                   " ELSE '{}' END, '$.alert.distribution.groups') g"
                                   " WHERE h.withdrawn = 0 AND g.value = ?1",
                                   &q, err)) != LIMEN_OK)
        goto out;
    bind_str(q, 1, code);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        st = limen__store_sqlerr(s, err, rc, "cannot read the alerts");
        goto out;
    }
    int64_t users = sqlite3_column_int64(q, 0);
    col_copy(alert, sizeof alert, q, 1);
    limen__store_finalize(s, q);
    q = NULL;
    if (users > 0) {
        st = limen__error_set(err, LIMEN_ECONFLICT, "code",
                              "%lld alert%s still distributed to group %s (%.64s%s): change or "
                              "withdraw them first",
                              (long long)users, users == 1 ? " is" : "s are", code, alert,
                              users > 1 ? ", ..." : "");
        goto out;
    }
    if ((st = run_text(s, "DELETE FROM sharing_group_members WHERE grp = ?1", code, NULL,
                       "cannot delete the group", err)) != LIMEN_OK ||
        (st = run_text(s, "DELETE FROM sharing_groups WHERE code = ?1", code, NULL,
                       "cannot delete the group", err)) != LIMEN_OK)
        goto out;
    in_tx = 0;
    st = limen__store_commit(s, err);
out:
    limen__store_finalize(s, q);
    if (in_tx)
        limen__store_rollback(s);
    limen__store_unlock(s);
    return st;
}

/*
 * Reads every group (code == NULL) or one, with its members, into one
 * allocation: the group records first, then all member codes, each group's
 * `members` pointing at its run.
 */
static limen_status groups_read(struct limen_store *s, const char *code, struct limen_group **out,
                                size_t *n)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    struct limen_group *gs = NULL, *block = NULL;
    char(*ms)[LIMEN_AGENCY_CODE_MAX] = NULL;
    size_t ng = 0, gcap = 0, nm = 0, mcap = 0;

    *out = NULL;
    *n = 0;
    limen__store_lock(s);
    if ((st = limen__store_prepare(s,
                                   "SELECT g.code, g.name, g.owner, g.updated, m.agency"
                                   " FROM sharing_groups g LEFT JOIN sharing_group_members m"
                                   " ON m.grp = g.code WHERE ?1 IS NULL OR g.code = ?1"
                                   " ORDER BY g.code, m.agency",
                                   &q, NULL)) != LIMEN_OK)
        goto out;
    if (code)
        bind_str(q, 1, code);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const unsigned char *c = sqlite3_column_text(q, 0);
        if (!ng || strcmp(gs[ng - 1].code, c ? (const char *)c : "") != 0) {
            void *more = grow(gs, ng, &gcap, sizeof *gs, 8);
            if (!more) {
                st = LIMEN_ENOMEM;
                goto out;
            }
            gs = more;
            struct limen_group *g = &gs[ng++];
            memset(g, 0, sizeof *g);
            col_copy(g->code, sizeof g->code, q, 0);
            col_copy(g->name, sizeof g->name, q, 1);
            col_copy(g->owner, sizeof g->owner, q, 2);
            g->updated = sqlite3_column_int64(q, 3);
        }
        if (sqlite3_column_type(q, 4) == SQLITE_NULL)
            continue; /* a group without members */
        void *more = grow(ms, nm, &mcap, sizeof *ms, 16);
        if (!more) {
            st = LIMEN_ENOMEM;
            goto out;
        }
        ms = more;
        col_copy(ms[nm++], sizeof ms[0], q, 4);
        gs[ng - 1].nmembers++;
    }
    if (rc != SQLITE_DONE) {
        st = limen__store_sqlerr(s, NULL, rc, "cannot read the groups");
        goto out;
    }
    if (!ng)
        goto out;
    /* ng and nm are bounded by what fitted in memory above: the sum cannot overflow. */
    block = limen__malloc(ng * sizeof *gs + nm * sizeof *ms);
    if (!block) {
        st = LIMEN_ENOMEM;
        goto out;
    }
    char(*codes)[LIMEN_AGENCY_CODE_MAX] = (void *)(block + ng);
    if (nm)
        memcpy(codes, ms, nm * sizeof *ms);
    for (size_t i = 0, at = 0; i < ng; i++) {
        block[i] = gs[i];
        block[i].members = gs[i].nmembers ? codes + at : NULL;
        at += gs[i].nmembers;
    }
    *out = block;
    *n = ng;
out:
    limen__store_finalize(s, q);
    limen__store_unlock(s);
    limen__free(gs);
    limen__free(ms);
    return st;
}

limen_status limen_store_groups(struct limen_store *s, struct limen_group **out, size_t *n)
{
    if (!s || !out || !n)
        return LIMEN_EINVAL;
    return groups_read(s, NULL, out, n);
}

limen_status limen_store_group_get(struct limen_store *s, const char *code,
                                   struct limen_group **out)
{
    size_t n = 0;
    if (!s || !out)
        return LIMEN_EINVAL;
    *out = NULL;
    if (!valid_code(code))
        return LIMEN_ENOTFOUND;
    limen_status st = groups_read(s, code, out, &n);
    return st == LIMEN_OK && n == 0 ? LIMEN_ENOTFOUND : st;
}

/* ---- users and tokens ---- */

static const char *const role_names[] = {"", "officer", "analyst", "admin"};

const char *limen_role_name(enum limen_role role)
{
    if ((int)role < LIMEN_ROLE_OFFICER || (int)role > LIMEN_ROLE_ADMIN)
        return "";
    return role_names[role];
}

enum limen_role limen_role_from_name(const char *name)
{
    if (!name)
        return (enum limen_role)0;
    for (int r = LIMEN_ROLE_OFFICER; r <= LIMEN_ROLE_ADMIN; r++)
        if (strcmp(name, role_names[r]) == 0)
            return (enum limen_role)r;
    return (enum limen_role)0;
}

limen_status limen_store_user_add(struct limen_store *s, const char *name, const char *agency,
                                  enum limen_role role, int64_t *id, struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    int locked = 0, in_tx = 0;

    limen_error_clear(err);
    if (!s)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no store");
    if (!valid_text(name, LIMEN_USER_NAME_MAX, 0))
        return limen__error_set(err, LIMEN_EINVAL, "name",
                                "a user name is 1 to %d bytes, no control characters",
                                LIMEN_USER_NAME_MAX - 1);
    if (!valid_code(agency))
        return limen__error_set(err, LIMEN_EINVAL, "agency", "not an agency code");
    if (!limen_role_name(role)[0])
        return limen__error_set(err, LIMEN_EINVAL, "role", "unknown role %d", (int)role);

    limen__store_lock(s);
    locked = 1;
    if ((st = limen__store_begin(s, err)) != LIMEN_OK)
        goto out;
    in_tx = 1;
    int known = 0;
    if ((st = agency_exists(s, agency, &known, err)) != LIMEN_OK)
        goto out;
    if (!known) {
        st = limen__error_set(err, LIMEN_ENOTFOUND, "agency", "no agency %s", agency);
        goto out;
    }
    int taken = 0;
    if ((st = step_text(s, "SELECT 1 FROM users WHERE name = ?1", name, &q, &taken,
                        "cannot read the users", err)) != LIMEN_OK)
        goto out;
    if (taken) {
        st = limen__error_set(err, LIMEN_ECONFLICT, "name", "the user name %s is taken", name);
        goto out;
    }
    limen__store_finalize(s, q);
    if ((st = limen__store_prepare(s,
                                   "INSERT INTO users(name, agency, role, disabled, created)"
                                   " VALUES (?1, ?2, ?3, 0, ?4)",
                                   &q, err)) != LIMEN_OK)
        goto out;
    bind_str(q, 1, name);
    bind_str(q, 2, agency);
    sqlite3_bind_int(q, 3, (int)role);
    sqlite3_bind_int64(q, 4, now());
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        st = limen__store_sqlerr(s, err, rc, "cannot add the user");
        goto out;
    }
    int64_t new_id = sqlite3_last_insert_rowid(s->db);
    if ((st = limen__store_commit(s, err)) != LIMEN_OK) {
        in_tx = 0;
        goto out;
    }
    in_tx = 0;
    if (id)
        *id = new_id;
out:
    limen__store_finalize(s, q);
    if (in_tx)
        limen__store_rollback(s);
    if (locked)
        limen__store_unlock(s);
    return st;
}

static void user_from_row(struct limen_user *u, sqlite3_stmt *q, int col)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(q, col);
    col_copy(u->name, sizeof u->name, q, col + 1);
    col_copy(u->agency, sizeof u->agency, q, col + 2);
    u->role = (enum limen_role)sqlite3_column_int(q, col + 3);
    u->disabled = sqlite3_column_int(q, col + 4) != 0;
}

limen_status limen_store_user_get(struct limen_store *s, int64_t id, struct limen_user *out)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    if (!s || !out)
        return LIMEN_EINVAL;
    limen__store_lock(s);
    if ((st = limen__store_prepare(
             s, "SELECT id, name, agency, role, disabled FROM users WHERE id = ?1", &q, NULL)) !=
        LIMEN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        user_from_row(out, q, 0);
    else if (rc == SQLITE_DONE)
        st = LIMEN_ENOTFOUND;
    else
        st = limen__store_sqlerr(s, NULL, rc, "cannot read a user");
out:
    limen__store_finalize(s, q);
    limen__store_unlock(s);
    return st;
}

/* Runs one constant UPDATE with (value, id) bound; LIMEN_ENOTFOUND when no row changed. */
static limen_status update_one(struct limen_store *s, const char *sql, int64_t value, int64_t id,
                               const char *what, struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    limen__store_lock(s);
    if ((st = limen__store_prepare(s, sql, &q, err)) != LIMEN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, value);
    sqlite3_bind_int64(q, 2, id);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        st = limen__store_sqlerr(s, err, rc, what);
        goto out;
    }
    if (sqlite3_changes(s->db) == 0)
        st = limen__error_set(err, LIMEN_ENOTFOUND, NULL, "no such id %lld", (long long)id);
out:
    limen__store_finalize(s, q);
    limen__store_unlock(s);
    return st;
}

limen_status limen_store_user_disable(struct limen_store *s, int64_t id, int disabled,
                                      struct limen_error *err)
{
    limen_error_clear(err);
    if (!s)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no store");
    return update_one(s, "UPDATE users SET disabled = ?1 WHERE id = ?2", disabled ? 1 : 0, id,
                      "cannot change the user", err);
}

/* The stored form of a token: BLAKE2b-256 of its text (256 random bits need no salt). */
static void token_hash(const char *text, size_t len, unsigned char h[TOKEN_HASH_BYTES])
{
    crypto_generichash(h, TOKEN_HASH_BYTES, (const unsigned char *)text, len, NULL, 0);
}

limen_status limen_store_token_new(struct limen_store *s, int64_t user_id, const char *label,
                                   char token[LIMEN_TOKEN_TEXT_MAX], int64_t *token_id,
                                   struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    unsigned char raw[TOKEN_RAW_BYTES];
    unsigned char h[TOKEN_HASH_BYTES];
    char text[LIMEN_TOKEN_TEXT_MAX];
    int locked = 0, in_tx = 0;

    limen_error_clear(err);
    if (!s || !token)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no store or token buffer");
    token[0] = '\0';
    if (!label)
        label = "";
    if (!valid_text(label, LABEL_MAX, 1))
        return limen__error_set(err, LIMEN_EINVAL, "label",
                                "a label is shorter than %d bytes, no control characters",
                                LABEL_MAX);

    randombytes_buf(raw, sizeof raw);
    memcpy(text, TOKEN_PREFIX, TOKEN_PREFIX_LEN);
    sodium_bin2base64(text + TOKEN_PREFIX_LEN, sizeof text - TOKEN_PREFIX_LEN, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    token_hash(text, TOKEN_TEXT_LEN, h);

    limen__store_lock(s);
    locked = 1;
    if ((st = limen__store_begin(s, err)) != LIMEN_OK)
        goto out;
    in_tx = 1;
    if ((st = limen__store_prepare(s, "SELECT 1 FROM users WHERE id = ?1", &q, err)) != LIMEN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, user_id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) {
        st = limen__error_set(err, LIMEN_ENOTFOUND, "user_id", "no user %lld", (long long)user_id);
        goto out;
    }
    if (rc != SQLITE_ROW) {
        st = limen__store_sqlerr(s, err, rc, "cannot read the users");
        goto out;
    }
    limen__store_finalize(s, q);
    if ((st = limen__store_prepare(s,
                                   "INSERT INTO tokens(user_id, hash, label, created, revoked)"
                                   " VALUES (?1, ?2, ?3, ?4, 0)",
                                   &q, err)) != LIMEN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, user_id);
    sqlite3_bind_blob(q, 2, h, sizeof h, SQLITE_TRANSIENT);
    bind_str(q, 3, label);
    sqlite3_bind_int64(q, 4, now());
    rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        st = limen__store_sqlerr(s, err, rc, "cannot store the token");
        goto out;
    }
    int64_t new_id = sqlite3_last_insert_rowid(s->db);
    in_tx = 0;
    if ((st = limen__store_commit(s, err)) != LIMEN_OK)
        goto out;
    memcpy(token, text, TOKEN_TEXT_LEN + 1);
    if (token_id)
        *token_id = new_id;
out:
    limen__store_finalize(s, q);
    if (in_tx)
        limen__store_rollback(s);
    if (locked)
        limen__store_unlock(s);
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(text, sizeof text);
    return st;
}

/* "lmn_" and 43 base64url characters, nothing else. */
static int token_well_formed(const char *t)
{
    if (!t || strnlen(t, TOKEN_TEXT_LEN + 1) != TOKEN_TEXT_LEN)
        return 0;
    if (memcmp(t, TOKEN_PREFIX, TOKEN_PREFIX_LEN) != 0)
        return 0;
    for (size_t i = TOKEN_PREFIX_LEN; i < TOKEN_TEXT_LEN; i++) {
        unsigned char c = (unsigned char)t[i];
        if (!(isascii(c) && (isalnum(c) || c == '-' || c == '_')))
            return 0;
    }
    return 1;
}

limen_status limen_store_token_check(struct limen_store *s, const char *token,
                                     struct limen_user *out, int64_t *token_id)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    unsigned char h[TOKEN_HASH_BYTES];
    if (!s)
        return LIMEN_EINVAL;
    if (!token_well_formed(token))
        return LIMEN_ENOTFOUND;
    token_hash(token, TOKEN_TEXT_LEN, h);

    if ((st = read_begin(s,
                         "SELECT t.hash, t.revoked, t.id, u.id, u.name, u.agency,"
                         " u.role, u.disabled FROM tokens t"
                         " JOIN users u ON u.id = t.user_id WHERE t.hash = ?1",
                         &q)) != LIMEN_OK)
        return st;
    sqlite3_bind_blob(q, 1, h, sizeof h, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) {
        st = LIMEN_ENOTFOUND;
        goto out;
    }
    if (rc != SQLITE_ROW) {
        st = limen__store_sqlerr(s, NULL, rc, "cannot read the tokens");
        goto out;
    }
    /* The index found the row; the comparison that decides is constant-time. */
    const void *stored = sqlite3_column_blob(q, 0);
    if (sqlite3_column_bytes(q, 0) != TOKEN_HASH_BYTES || !stored ||
        sodium_memcmp(stored, h, TOKEN_HASH_BYTES) != 0) {
        st = LIMEN_ENOTFOUND;
        goto out;
    }
    if (sqlite3_column_int(q, 1) != 0 || sqlite3_column_int(q, 7) != 0) {
        st = LIMEN_ENOTFOUND;
        goto out;
    }
    if (token_id)
        *token_id = sqlite3_column_int64(q, 2);
    if (out)
        user_from_row(out, q, 3);
out:
    read_end(s, q);
    return st;
}

limen_status limen_store_token_revoke(struct limen_store *s, int64_t token_id)
{
    if (!s)
        return LIMEN_EINVAL;
    return update_one(s, "UPDATE tokens SET revoked = ?1 WHERE id = ?2", 1, token_id,
                      "cannot revoke the token", NULL);
}

/* ---- alerts ---- */

static int valid_alert_id(const char *id)
{
    return valid_text(id, LIMEN_ALERT_ID_MAX, 0);
}

/* The head of an alert inside a transaction: *found, its owner, version and withdrawn flag. */
static limen_status alert_head(struct limen_store *s, const char *id, int *found,
                               char owner[LIMEN_AGENCY_CODE_MAX], int64_t *version, int *withdrawn,
                               struct limen_error *err)
{
    sqlite3_stmt *q = NULL;
    limen_status st =
        step_text(s, "SELECT owner, version, withdrawn FROM alert_heads WHERE id = ?1", id, &q,
                  found, "cannot read the alerts", err);
    if (st == LIMEN_OK && *found) {
        col_copy(owner, LIMEN_AGENCY_CODE_MAX, q, 0);
        *version = sqlite3_column_int64(q, 1);
        *withdrawn = sqlite3_column_int(q, 2);
    }
    limen__store_finalize(s, q);
    return st;
}

/*
 * Writes version `v` of an alert and moves its head: json (len bytes) when
 * given, otherwise the content of version v - 1 (a withdrawal).
 */
static limen_status alert_write(struct limen_store *s, const char *id, const char *owner, int64_t v,
                                int withdrawn, const char *json, size_t len,
                                struct limen_error *err)
{
    sqlite3_stmt *q = NULL;
    limen_status st;
    int64_t t = now();
    if (json) {
        st = limen__store_prepare(s,
                                  "INSERT INTO alerts(id, version, owner, withdrawn, json, created,"
                                  " seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                                  " (SELECT coalesce(max(seq), 0) + 1 FROM alerts))",
                                  &q, err);
        if (st != LIMEN_OK)
            goto out;
        sqlite3_bind_text(q, 5, json, (int)len, SQLITE_TRANSIENT);
    } else {
        st = limen__store_prepare(s,
                                  "INSERT INTO alerts(id, version, owner, withdrawn, json, created,"
                                  " seq) SELECT ?1, ?2, ?3, ?4, json, ?6,"
                                  " (SELECT coalesce(max(seq), 0) + 1 FROM alerts) FROM alerts"
                                  " WHERE id = ?1 AND version = ?2 - 1",
                                  &q, err);
        if (st != LIMEN_OK)
            goto out;
    }
    bind_str(q, 1, id);
    sqlite3_bind_int64(q, 2, v);
    bind_str(q, 3, owner);
    sqlite3_bind_int(q, 4, withdrawn);
    sqlite3_bind_int64(q, 6, t);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        st = limen__store_sqlerr(s, err, rc, "cannot store the alert");
        goto out;
    }
    if (sqlite3_changes(s->db) != 1) {
        st = limen__error_set(err, LIMEN_ESTORE, NULL, "version %lld of %s is missing",
                              (long long)(v - 1), id);
        goto out;
    }
    limen__store_finalize(s, q);
    st = limen__store_prepare(s,
                              "INSERT INTO alert_heads(id, owner, version, withdrawn, created,"
                              " updated) VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(id) DO UPDATE"
                              " SET version = excluded.version, withdrawn = excluded.withdrawn,"
                              " updated = excluded.updated",
                              &q, err);
    if (st != LIMEN_OK)
        goto out;
    bind_str(q, 1, id);
    bind_str(q, 2, owner);
    sqlite3_bind_int64(q, 3, v);
    sqlite3_bind_int(q, 4, withdrawn);
    sqlite3_bind_int64(q, 5, t);
    rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        st = limen__store_sqlerr(s, err, rc, "cannot store the alert's head");
out:
    limen__store_finalize(s, q);
    return st;
}

/*
 * put (json != NULL) and withdraw (json == NULL) share the ownership rule;
 * `expected` is the version condition of limen_store_alert_put_if.
 */
/*
 * Whether every sharing group an alert's JSON distributes to exists (inside
 * the write's transaction: a group deleted meanwhile is not named).
 * LIMEN_ENOTFOUND naming the first unknown one.
 */
static limen_status groups_exist(struct limen_store *s, const char *json, size_t len,
                                 struct limen_error *err)
{
    sqlite3_stmt *q = NULL;
    limen_status st = limen__store_prepare(
        s,
        "SELECT g.value FROM json_each(CASE WHEN json_valid(?1) THEN ?1 ELSE '{}' END,"
        " '$.alert.distribution.groups') g"
        " WHERE g.value NOT IN (SELECT code FROM sharing_groups) LIMIT 1",
        &q, err);
    if (st != LIMEN_OK)
        return st;
    sqlite3_bind_text(q, 1, json, (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const unsigned char *g = sqlite3_column_text(q, 0);
        st = limen__error_set(err, LIMEN_ENOTFOUND, "alert.distribution.groups",
                              "no sharing group %.64s", g ? (const char *)g : "?");
    } else if (rc != SQLITE_DONE) {
        st = limen__store_sqlerr(s, err, rc, "cannot read the groups");
    }
    limen__store_finalize(s, q);
    return st;
}

static limen_status alert_change(struct limen_store *s, const char *id, const char *owner,
                                 const char *json, size_t len, int64_t expected, int64_t *version,
                                 struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    char cur_owner[LIMEN_AGENCY_CODE_MAX];
    int64_t cur = 0;
    int found = 0, withdrawn = 0, in_tx = 0;

    limen_error_clear(err);
    if (!s)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no store");
    if (!valid_alert_id(id))
        return limen__error_set(err, LIMEN_EINVAL, "id",
                                "an alert id is 1 to %d bytes, no control characters",
                                LIMEN_ALERT_ID_MAX - 1);
    if (!valid_code(owner))
        return limen__error_set(err, LIMEN_EINVAL, "owner", "not an agency code");
    if (json && (len == 0 || len > (size_t)INT32_MAX))
        return limen__error_set(err, LIMEN_EINVAL, "json", "empty or oversized alert");
    if (expected < LIMEN_ALERT_ANY_VERSION)
        return limen__error_set(err, LIMEN_EINVAL, "version", "not a version condition");

    limen__store_lock(s);
    if ((st = limen__store_begin(s, err)) != LIMEN_OK)
        goto out;
    in_tx = 1;
    if ((st = alert_head(s, id, &found, cur_owner, &cur, &withdrawn, err)) != LIMEN_OK)
        goto out;
    if (!found && !json) {
        st = limen__error_set(err, LIMEN_ENOTFOUND, "id", "no alert %s", id);
        goto out;
    }
    if (expected == 0 && found) {
        if (version)
            *version = cur;
        st = limen__error_set(err, LIMEN_ECONFLICT, "id", "alert %s exists (version %lld)", id,
                              (long long)cur);
        goto out;
    }
    if (found && strcmp(cur_owner, owner) != 0) {
        st = limen__error_set(err, LIMEN_EFORBIDDEN, "owner",
                              "alert %s belongs to %s; %s may not change it", id, cur_owner, owner);
        goto out;
    }
    if (expected > 0 && cur != expected) {
        if (version)
            *version = cur;
        st = limen__error_set(err, LIMEN_ECONFLICT, "version",
                              "alert %s is at version %lld, not %lld", id, (long long)cur,
                              (long long)expected);
        goto out;
    }
    if (json && (st = groups_exist(s, json, len, err)) != LIMEN_OK)
        goto out;
    if (!json && withdrawn) {
        /* Already withdrawn: nothing to write. */
        if (version)
            *version = cur;
        goto out;
    }
    if ((st = alert_write(s, id, owner, cur + 1, json ? 0 : 1, json, len, err)) != LIMEN_OK)
        goto out;
    in_tx = 0;
    if ((st = limen__store_commit(s, err)) != LIMEN_OK)
        goto out;
    if (version)
        *version = cur + 1;
out:
    if (in_tx)
        limen__store_rollback(s);
    limen__store_unlock(s);
    return st;
}

limen_status limen_store_alert_put(struct limen_store *s, const char *id, const char *owner,
                                   const char *json, size_t len, int64_t *version,
                                   struct limen_error *err)
{
    return limen_store_alert_put_if(s, id, owner, json, len, LIMEN_ALERT_ANY_VERSION, version, err);
}

limen_status limen_store_alert_put_if(struct limen_store *s, const char *id, const char *owner,
                                      const char *json, size_t len, int64_t expected,
                                      int64_t *version, struct limen_error *err)
{
    if (!json) {
        limen_error_clear(err);
        return limen__error_set(err, LIMEN_EINVAL, "json", "no alert content");
    }
    return alert_change(s, id, owner, json, len, expected, version, err);
}

limen_status limen_store_alert_withdraw_if(struct limen_store *s, const char *id, const char *owner,
                                           int64_t expected, int64_t *version,
                                           struct limen_error *err)
{
    if (expected == 0)
        return limen__error_set(err, LIMEN_EINVAL, "version", "not a version condition");
    return alert_change(s, id, owner, NULL, 0, expected, version, err);
}

limen_status limen_store_alert_withdraw(struct limen_store *s, const char *id, const char *owner,
                                        int64_t *version, struct limen_error *err)
{
    return alert_change(s, id, owner, NULL, 0, LIMEN_ALERT_ANY_VERSION, version, err);
}

static void meta_from_row(struct limen_alert_meta *m, sqlite3_stmt *q)
{
    memset(m, 0, sizeof *m);
    col_copy(m->id, sizeof m->id, q, 0);
    col_copy(m->owner, sizeof m->owner, q, 1);
    m->version = sqlite3_column_int64(q, 2);
    m->withdrawn = sqlite3_column_int(q, 3) != 0;
    m->created = sqlite3_column_int64(q, 4);
    m->updated = sqlite3_column_int64(q, 5);
}

/* Columns: id, owner, version, withdrawn, created (first version), updated (this one), json. */
#define ALERT_COLUMNS "v.id, v.owner, v.version, v.withdrawn, h.created, v.created, v.json"

limen_status limen_store_alert_get(struct limen_store *s, const char *id, int64_t version,
                                   char **json, size_t *len, struct limen_alert_meta *meta)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    char *copy = NULL;
    if (!s || version < 0)
        return LIMEN_EINVAL;
    if (json)
        *json = NULL;
    if (len)
        *len = 0;
    if (!valid_alert_id(id))
        return LIMEN_ENOTFOUND;
    limen__store_lock(s);
    if ((st = limen__store_prepare(s,
                                   "SELECT " ALERT_COLUMNS " FROM alert_heads h JOIN alerts v"
                                   " ON v.id = h.id AND v.version ="
                                   " CASE WHEN ?2 = 0 THEN h.version ELSE ?2 END"
                                   " WHERE h.id = ?1",
                                   &q, NULL)) != LIMEN_OK)
        goto out;
    bind_str(q, 1, id);
    sqlite3_bind_int64(q, 2, version);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) {
        st = LIMEN_ENOTFOUND;
        goto out;
    }
    if (rc != SQLITE_ROW) {
        st = limen__store_sqlerr(s, NULL, rc, "cannot read the alert");
        goto out;
    }
    if (json) {
        const unsigned char *t = sqlite3_column_text(q, 6);
        size_t n = (size_t)sqlite3_column_bytes(q, 6);
        if (!t && sqlite3_errcode(s->db) == SQLITE_NOMEM) {
            st = LIMEN_ENOMEM;
            goto out;
        }
        copy = limen__strndup(t ? (const char *)t : "", t ? n : 0);
        if (!copy) {
            st = LIMEN_ENOMEM;
            goto out;
        }
        if (len)
            *len = n;
    }
    if (meta)
        meta_from_row(meta, q);
    if (json) {
        *json = copy;
        copy = NULL;
    }
out:
    limen__store_finalize(s, q);
    limen__store_unlock(s);
    limen__free(copy);
    return st;
}

/*
 * Calls fn for each row of an alert query (ALERT_COLUMNS) under the store
 * lock; `after_seq` is bound as ?1 when the query has it.
 */
static limen_status alerts_query(struct limen_store *s, const char *sql, int64_t after_seq,
                                 int (*fn)(void *ctx, const struct limen_alert_meta *m,
                                           const char *json, size_t len),
                                 void *ctx)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    struct limen_alert_meta m;
    if (!s || !fn || after_seq < 0)
        return LIMEN_EINVAL;
    limen__store_lock(s);
    if ((st = limen__store_prepare(s, sql, &q, NULL)) != LIMEN_OK)
        goto out;
    if (sqlite3_bind_parameter_count(q) > 0)
        sqlite3_bind_int64(q, 1, after_seq);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        meta_from_row(&m, q);
        const unsigned char *t = sqlite3_column_text(q, 6);
        size_t n = (size_t)sqlite3_column_bytes(q, 6);
        if (fn(ctx, &m, t ? (const char *)t : "", t ? n : 0) != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        st = limen__store_sqlerr(s, NULL, rc, "cannot read the alerts");
out:
    limen__store_finalize(s, q);
    limen__store_unlock(s);
    return st;
}

limen_status limen_store_alerts_each(struct limen_store *s,
                                     int (*fn)(void *ctx, const struct limen_alert_meta *m,
                                               const char *json, size_t len),
                                     void *ctx)
{
    return alerts_query(s,
                        "SELECT " ALERT_COLUMNS " FROM alert_heads h JOIN alerts v"
                        " ON v.id = h.id AND v.version = h.version ORDER BY h.id",
                        0, fn, ctx);
}

limen_status limen_store_alert_watermark(struct limen_store *s, int64_t *store_id, int64_t *seq,
                                         char last_id[LIMEN_ALERT_ID_MAX], int64_t *last_version)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    if (!s || !store_id || !seq || !last_id || !last_version)
        return LIMEN_EINVAL;
    *store_id = *seq = *last_version = 0;
    last_id[0] = '\0';
    limen__store_lock(s);
    /* One statement, so that the identity, the number and its change are one snapshot. */
    if ((st = limen__store_prepare(s,
                                   "SELECT (SELECT value FROM meta WHERE key = 'store_id'),"
                                   " a.seq, a.id, a.version FROM (SELECT 1) LEFT JOIN alerts a"
                                   " ON a.seq = (SELECT max(seq) FROM alerts)",
                                   &q, NULL)) != LIMEN_OK)
        goto out;
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        st = limen__store_sqlerr(s, NULL, rc, "cannot read the alerts' watermark");
        goto out;
    }
    *store_id = sqlite3_column_int64(q, 0);
    *seq = sqlite3_column_int64(q, 1);
    col_copy(last_id, LIMEN_ALERT_ID_MAX, q, 2);
    *last_version = sqlite3_column_int64(q, 3);
out:
    limen__store_finalize(s, q);
    limen__store_unlock(s);
    return st;
}

limen_status limen_store_alert_change(struct limen_store *s, int64_t seq,
                                      char id[LIMEN_ALERT_ID_MAX], int64_t *version)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    if (!s || !id || !version)
        return LIMEN_EINVAL;
    id[0] = '\0';
    *version = 0;
    limen__store_lock(s);
    if ((st = limen__store_prepare(s, "SELECT id, version FROM alerts WHERE seq = ?1", &q, NULL)) !=
        LIMEN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, seq);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        col_copy(id, LIMEN_ALERT_ID_MAX, q, 0);
        *version = sqlite3_column_int64(q, 1);
    } else if (rc == SQLITE_DONE) {
        st = LIMEN_ENOTFOUND;
    } else {
        st = limen__store_sqlerr(s, NULL, rc, "cannot read the alerts");
    }
out:
    limen__store_finalize(s, q);
    limen__store_unlock(s);
    return st;
}

limen_status limen_store_alerts_changed(struct limen_store *s, int64_t after_seq,
                                        int (*fn)(void *ctx, const struct limen_alert_meta *m,
                                                  const char *json, size_t len),
                                        void *ctx)
{
    return alerts_query(s,
                        "SELECT " ALERT_COLUMNS " FROM alert_heads h JOIN alerts v"
                        " ON v.id = h.id AND v.version = h.version"
                        " WHERE h.id IN (SELECT id FROM alerts WHERE seq > ?1) ORDER BY h.id",
                        after_seq, fn, ctx);
}

/* ---- hits ---- */

limen_status limen_store_hit_add(struct limen_store *s, const struct limen_hit *h, int64_t *id,
                                 struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    char owner[LIMEN_AGENCY_CODE_MAX];
    int found = 0, withdrawn = 0, in_tx = 0;
    int64_t v = 0;

    limen_error_clear(err);
    if (!s || !h)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no store or hit");
    if (!valid_alert_id(
            bounded_len(h->alert_id, sizeof h->alert_id) < sizeof h->alert_id ? h->alert_id : NULL))
        return limen__error_set(err, LIMEN_EINVAL, "alert_id", "not an alert id");
    int owner_given = bounded_len(h->owner, sizeof h->owner) > 0;
    if (owner_given && !valid_code(h->owner))
        return limen__error_set(err, LIMEN_EINVAL, "owner", "not an agency code");
    if (!valid_code(h->by_agency))
        return limen__error_set(err, LIMEN_EINVAL, "by_agency", "not an agency code");
    if (!valid_text(h->post, sizeof h->post, 1))
        return limen__error_set(err, LIMEN_EINVAL, "post",
                                "a post is shorter than %zu bytes, no control characters",
                                sizeof h->post);
    if ((int)h->status < LIMEN_HIT_NEW || (int)h->status > LIMEN_HIT_FALSE_POSITIVE)
        return limen__error_set(err, LIMEN_EINVAL, "status", "unknown hit status");
    const char *qj = h->query_json ? h->query_json : "";
    const char *ej = h->explanation_json ? h->explanation_json : "";

    limen__store_lock(s);
    if ((st = limen__store_begin(s, err)) != LIMEN_OK)
        goto out;
    in_tx = 1;
    /* The owner is the alert's: taken from the store when it knows the alert. */
    if ((st = alert_head(s, h->alert_id, &found, owner, &v, &withdrawn, err)) != LIMEN_OK)
        goto out;
    if (found && owner_given && strcmp(owner, h->owner) != 0) {
        st = limen__error_set(err, LIMEN_EINVAL, "owner", "alert %s belongs to %s, not %s",
                              h->alert_id, owner, h->owner);
        goto out;
    }
    if (!found && !owner_given) {
        st = limen__error_set(err, LIMEN_ENOTFOUND, "alert_id", "no alert %s", h->alert_id);
        goto out;
    }
    if (!found)
        memcpy(owner, h->owner, bounded_len(h->owner, sizeof h->owner) + 1);
    if ((st = limen__store_prepare(s,
                                   "INSERT INTO hits(alert_id, owner, by_agency, by_user, post,"
                                   " at, score, status, query_json, explanation_json)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                                   &q, err)) != LIMEN_OK)
        goto out;
    bind_str(q, 1, h->alert_id);
    bind_str(q, 2, owner);
    bind_str(q, 3, h->by_agency);
    sqlite3_bind_int64(q, 4, h->by_user);
    bind_str(q, 5, h->post);
    sqlite3_bind_int64(q, 6, h->at ? h->at : now());
    sqlite3_bind_double(q, 7, h->score);
    sqlite3_bind_int(q, 8, (int)h->status);
    bind_str(q, 9, qj);
    bind_str(q, 10, ej);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        st = limen__store_sqlerr(s, err, rc, "cannot store the hit");
        goto out;
    }
    int64_t new_id = sqlite3_last_insert_rowid(s->db);
    in_tx = 0;
    if ((st = limen__store_commit(s, err)) != LIMEN_OK)
        goto out;
    if (id)
        *id = new_id;
out:
    limen__store_finalize(s, q);
    if (in_tx)
        limen__store_rollback(s);
    limen__store_unlock(s);
    return st;
}

limen_status limen_store_hits_list(struct limen_store *s, const char *owner, int64_t after_id,
                                   size_t limit, int (*fn)(void *ctx, const struct limen_hit *h),
                                   void *ctx)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    struct limen_hit h;
    if (!s || !fn)
        return LIMEN_EINVAL;
    if (!valid_code(owner))
        return LIMEN_EINVAL;
    if (limit == 0)
        return LIMEN_OK;
    limen__store_lock(s);
    if ((st = limen__store_prepare(s,
                                   "SELECT id, alert_id, owner, by_agency, by_user, post, at,"
                                   " score, status, query_json, explanation_json FROM hits"
                                   " WHERE owner = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                                   &q, NULL)) != LIMEN_OK)
        goto out;
    bind_str(q, 1, owner);
    sqlite3_bind_int64(q, 2, after_id);
    sqlite3_bind_int64(q, 3, limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        memset(&h, 0, sizeof h);
        h.id = sqlite3_column_int64(q, 0);
        col_copy(h.alert_id, sizeof h.alert_id, q, 1);
        col_copy(h.owner, sizeof h.owner, q, 2);
        col_copy(h.by_agency, sizeof h.by_agency, q, 3);
        h.by_user = sqlite3_column_int64(q, 4);
        col_copy(h.post, sizeof h.post, q, 5);
        h.at = sqlite3_column_int64(q, 6);
        h.score = sqlite3_column_double(q, 7);
        h.status = (enum limen_hit_status)sqlite3_column_int(q, 8);
        const unsigned char *qj = sqlite3_column_text(q, 9);
        const unsigned char *ej = sqlite3_column_text(q, 10);
        h.query_json = qj ? (const char *)qj : "";
        h.explanation_json = ej ? (const char *)ej : "";
        if (fn(ctx, &h) != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        st = limen__store_sqlerr(s, NULL, rc, "cannot read the hits");
out:
    limen__store_finalize(s, q);
    limen__store_unlock(s);
    return st;
}

limen_status limen_store_hit_last_id(struct limen_store *s, int64_t *id)
{
    if (!s || !id)
        return LIMEN_EINVAL;
    limen__store_lock(s);
    limen_status st = query_int(s, "SELECT coalesce(max(id), 0) FROM hits", id, NULL);
    limen__store_unlock(s);
    return st;
}

limen_status limen_store_hit_mark(struct limen_store *s, int64_t id, const char *owner,
                                  enum limen_hit_status status, struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    char cur[LIMEN_AGENCY_CODE_MAX];
    int in_tx = 0;

    limen_error_clear(err);
    if (!s)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no store");
    if (!valid_code(owner))
        return limen__error_set(err, LIMEN_EINVAL, "owner", "not an agency code");
    if ((int)status < LIMEN_HIT_NEW || (int)status > LIMEN_HIT_FALSE_POSITIVE)
        return limen__error_set(err, LIMEN_EINVAL, "status", "unknown hit status");

    limen__store_lock(s);
    if ((st = limen__store_begin(s, err)) != LIMEN_OK)
        goto out;
    in_tx = 1;
    if ((st = limen__store_prepare(s, "SELECT owner FROM hits WHERE id = ?1", &q, err)) != LIMEN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) {
        st = limen__error_set(err, LIMEN_ENOTFOUND, "id", "no hit %lld", (long long)id);
        goto out;
    }
    if (rc != SQLITE_ROW) {
        st = limen__store_sqlerr(s, err, rc, "cannot read the hits");
        goto out;
    }
    col_copy(cur, sizeof cur, q, 0);
    if (strcmp(cur, owner) != 0) {
        st =
            limen__error_set(err, LIMEN_EFORBIDDEN, "owner",
                             "hit %lld is on an alert of %s, not of %s", (long long)id, cur, owner);
        goto out;
    }
    limen__store_finalize(s, q);
    if ((st = limen__store_prepare(s, "UPDATE hits SET status = ?1 WHERE id = ?2", &q, err)) !=
        LIMEN_OK)
        goto out;
    sqlite3_bind_int(q, 1, (int)status);
    sqlite3_bind_int64(q, 2, id);
    rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        st = limen__store_sqlerr(s, err, rc, "cannot mark the hit");
        goto out;
    }
    in_tx = 0;
    st = limen__store_commit(s, err);
out:
    limen__store_finalize(s, q);
    if (in_tx)
        limen__store_rollback(s);
    limen__store_unlock(s);
    return st;
}
