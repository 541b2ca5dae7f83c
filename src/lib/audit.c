/*
 * The tamper-evident audit log of the store (include/limen/store.h, audit
 * part). Who searched what, when, and what they got back.
 *
 * The log is a keyed hash chain. With K the 32-byte key from the key file
 * (never in the database) and H the keyed BLAKE2b-256 of libsodium:
 *
 *   mac[i]    = H(K, mac[i-1] || enc(seq, at, user_id, user, agency, action,
 *                                    search, results, status))
 *   mac[a]    = 32 zero bytes for a = 0, or the anchor's MAC after pruning
 *   head_mac  = H(K, "limen-audit-head" || enc(last_seq) || last_mac)
 *   anchor    = (a, mac[a]) with anchor_mac = H(K, "limen-audit-anchor" ||
 *                                               enc(a) || mac[a])
 *
 * enc() writes each integer as 8 bytes big-endian and each string as its
 * length (8 bytes big-endian) followed by its bytes, so no two different
 * entries serialise the same. A worked example: after three appends the
 * table holds seq 1, 2, 3 with mac[1] = H(K, 0^32 || enc(1, ...)), mac[2]
 * = H(K, mac[1] || enc(2, ...)), mac[3] = H(K, mac[2] || enc(3, ...)) and
 * the head row says (3, mac[3], H(K, "limen-audit-head" || 3 || mac[3])).
 * Deleting entry 2 breaks the sequence; editing it breaks mac[2]; dropping
 * entry 3 and pointing the head at entry 2 needs K to re-MAC the head.
 *
 * Appending reads the head, computes the new MAC, inserts the entry and
 * rewrites the head in one transaction; verification walks the entries from
 * the anchor in seq order and reports the first one that does not verify.
 */
#include "alloc.h"
#include "status_int.h"
#include "store_int.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char head_tag[] = "limen-audit-head";
static const char anchor_tag[] = "limen-audit-anchor";

/* ---- the key file ---- */

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, unsigned char *p, size_t n)
{
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/*
 * Syncs the directory holding `path` so that the new key file's name survives
 * a crash too. Best effort: a path too long for the buffer is left alone.
 */
static void sync_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 1;
    if (n >= sizeof dir)
        return;
    if (!slash)
        memcpy(dir, ".", 2);
    else if (n == 0)
        memcpy(dir, "/", 2);
    else {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    fsync(fd);
    close(fd);
}

limen_status limen__audit_key_load(const char *path, int create, int log_has_entries,
                                   unsigned char key[LIMEN__AUDIT_KEY_BYTES],
                                   struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create && !log_has_entries) {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            randombytes_buf(key, LIMEN__AUDIT_KEY_BYTES);
            if (write_all(fd, key, LIMEN__AUDIT_KEY_BYTES) != 0 || fsync(fd) != 0) {
                st = limen__error_set(err, LIMEN_EIO, NULL, "cannot write the audit key %s: %s",
                                      path, strerror(errno));
                close(fd);
                unlink(path);
                sodium_memzero(key, LIMEN__AUDIT_KEY_BYTES);
                return st;
            }
            if (close(fd) != 0)
                return limen__error_set(err, LIMEN_EIO, NULL, "cannot write the audit key %s: %s",
                                        path, strerror(errno));
            sync_parent(path);
            return LIMEN_OK;
        }
        /* Another process created it between our two opens: read theirs. */
        if (errno == EEXIST)
            fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        if (errno == ENOENT && log_has_entries)
            return limen__error_set(err, LIMEN_EIO, NULL,
                                    "the audit key %s is missing but the log has entries: "
                                    "restore the key file",
                                    path);
        return limen__error_set(err, LIMEN_EIO, NULL, "cannot open the audit key %s: %s", path,
                                strerror(errno));
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = limen__error_set(err, LIMEN_EIO, NULL, "cannot stat the audit key %s: %s", path,
                              strerror(errno));
        goto out;
    }
    if (!S_ISREG(sb.st_mode) || sb.st_size != LIMEN__AUDIT_KEY_BYTES) {
        st = limen__error_set(err, LIMEN_EIO, NULL,
                              "the audit key %s has %lld bytes; it must be a file of %d bytes",
                              path, (long long)sb.st_size, LIMEN__AUDIT_KEY_BYTES);
        goto out;
    }
    if (read_all(fd, key, LIMEN__AUDIT_KEY_BYTES) != 0) {
        st = limen__error_set(err, LIMEN_EIO, NULL, "cannot read the audit key %s", path);
        sodium_memzero(key, LIMEN__AUDIT_KEY_BYTES);
        goto out;
    }
out:
    close(fd);
    return st;
}

/* ---- MACs ---- */

static void put_u64(crypto_generichash_state *h, uint64_t v)
{
    unsigned char b[8];
    for (int i = 7; i >= 0; i--) {
        b[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
    crypto_generichash_update(h, b, sizeof b);
}

static void put_str(crypto_generichash_state *h, const char *s, size_t len)
{
    put_u64(h, (uint64_t)len);
    if (len)
        crypto_generichash_update(h, (const unsigned char *)s, len);
}

/* One entry as read back from the table (strings with their lengths). */
struct row {
    int64_t seq, at, user_id;
    const char *user, *agency, *action, *search, *results;
    size_t user_len, agency_len, action_len, search_len, results_len;
    int64_t status;
};

static void entry_mac(const unsigned char key[LIMEN__AUDIT_KEY_BYTES],
                      const unsigned char prev[LIMEN__MAC_BYTES], const struct row *r,
                      unsigned char out[LIMEN__MAC_BYTES])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, key, LIMEN__AUDIT_KEY_BYTES, LIMEN__MAC_BYTES);
    crypto_generichash_update(&h, prev, LIMEN__MAC_BYTES);
    put_u64(&h, (uint64_t)r->seq);
    put_u64(&h, (uint64_t)r->at);
    put_u64(&h, (uint64_t)r->user_id);
    put_str(&h, r->user, r->user_len);
    put_str(&h, r->agency, r->agency_len);
    put_str(&h, r->action, r->action_len);
    put_str(&h, r->search, r->search_len);
    put_str(&h, r->results, r->results_len);
    put_u64(&h, (uint64_t)r->status);
    crypto_generichash_final(&h, out, LIMEN__MAC_BYTES);
}

/* The MAC of the head row or of the anchor row: H(K, tag || enc(seq) || mac). */
static void row_mac(const unsigned char key[LIMEN__AUDIT_KEY_BYTES], const char *tag, int64_t seq,
                    const unsigned char mac[LIMEN__MAC_BYTES], unsigned char out[LIMEN__MAC_BYTES])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, key, LIMEN__AUDIT_KEY_BYTES, LIMEN__MAC_BYTES);
    crypto_generichash_update(&h, (const unsigned char *)tag, strlen(tag));
    put_u64(&h, (uint64_t)seq);
    crypto_generichash_update(&h, mac, LIMEN__MAC_BYTES);
    crypto_generichash_final(&h, out, LIMEN__MAC_BYTES);
}

/* Copies a MAC column; 0 when it is not exactly LIMEN__MAC_BYTES long. */
static int col_mac(sqlite3_stmt *q, int col, unsigned char out[LIMEN__MAC_BYTES])
{
    const void *b = sqlite3_column_blob(q, col);
    if (!b || sqlite3_column_bytes(q, col) != LIMEN__MAC_BYTES) {
        memset(out, 0, LIMEN__MAC_BYTES);
        return 0;
    }
    memcpy(out, b, LIMEN__MAC_BYTES);
    return 1;
}

static const char *col_str(sqlite3_stmt *q, int col, size_t *len)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    *len = t ? (size_t)sqlite3_column_bytes(q, col) : 0;
    return t ? (const char *)t : "";
}

/* ---- the head and the anchor ---- */

limen_status limen__audit_init(struct limen_store *s, struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    unsigned char zero[LIMEN__MAC_BYTES] = {0};
    unsigned char hm[LIMEN__MAC_BYTES], am[LIMEN__MAC_BYTES];
    row_mac(s->key, head_tag, 0, zero, hm);
    row_mac(s->key, anchor_tag, 0, zero, am);

    /* Only a log that never had a head gets one: a deleted head stays deleted (verify says so). */
    int64_t entries = 0;
    if ((st = limen__store_prepare(s, "SELECT count(*) FROM audit_head", &q, err)) != LIMEN_OK)
        goto out;
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        st = limen__store_sqlerr(s, err, rc, "cannot read the audit head");
        goto out;
    }
    int64_t heads = sqlite3_column_int64(q, 0);
    limen__store_finalize(s, q);
    q = NULL;
    if ((st = limen__store_prepare(s, "SELECT count(*) FROM audit", &q, err)) != LIMEN_OK)
        goto out;
    rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        st = limen__store_sqlerr(s, err, rc, "cannot read the audit log");
        goto out;
    }
    entries = sqlite3_column_int64(q, 0);
    limen__store_finalize(s, q);
    q = NULL;
    if (heads > 0 || entries > 0)
        goto out;

    if ((st = limen__store_prepare(s,
                                   "INSERT INTO audit_head(id, last_seq, last_mac, head_mac)"
                                   " VALUES (1, 0, ?1, ?2)",
                                   &q, err)) != LIMEN_OK)
        goto out;
    sqlite3_bind_blob(q, 1, zero, sizeof zero, SQLITE_TRANSIENT);
    sqlite3_bind_blob(q, 2, hm, sizeof hm, SQLITE_TRANSIENT);
    if ((rc = sqlite3_step(q)) != SQLITE_DONE) {
        st = limen__store_sqlerr(s, err, rc, "cannot create the audit head");
        goto out;
    }
    limen__store_finalize(s, q);
    q = NULL;
    if ((st = limen__store_prepare(s,
                                   "INSERT OR REPLACE INTO audit_anchor(id, seq, mac, anchor_mac)"
                                   " VALUES (1, 0, ?1, ?2)",
                                   &q, err)) != LIMEN_OK)
        goto out;
    sqlite3_bind_blob(q, 1, zero, sizeof zero, SQLITE_TRANSIENT);
    sqlite3_bind_blob(q, 2, am, sizeof am, SQLITE_TRANSIENT);
    if ((rc = sqlite3_step(q)) != SQLITE_DONE)
        st = limen__store_sqlerr(s, err, rc, "cannot create the audit anchor");
out:
    limen__store_finalize(s, q);
    return st;
}

/* Reads the head (or the anchor) row: seq, mac and its own MAC; *found = 0 when absent. */
static limen_status read_pair(struct limen_store *s, const char *sql, int *found, int64_t *seq,
                              unsigned char mac[LIMEN__MAC_BYTES],
                              unsigned char own[LIMEN__MAC_BYTES], int *well_formed,
                              struct limen_error *err)
{
    sqlite3_stmt *q = NULL;
    *found = 0;
    *well_formed = 0;
    limen_status st = limen__store_prepare(s, sql, &q, err);
    if (st != LIMEN_OK)
        goto out;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *found = 1;
        *seq = sqlite3_column_int64(q, 0);
        int a = col_mac(q, 1, mac);
        int b = col_mac(q, 2, own);
        *well_formed = a && b;
    } else if (rc != SQLITE_DONE) {
        st = limen__store_sqlerr(s, err, rc, "cannot read the audit log");
    }
out:
    limen__store_finalize(s, q);
    return st;
}

static limen_status write_head(struct limen_store *s, int64_t seq,
                               const unsigned char mac[LIMEN__MAC_BYTES], struct limen_error *err)
{
    sqlite3_stmt *q = NULL;
    unsigned char hm[LIMEN__MAC_BYTES];
    row_mac(s->key, head_tag, seq, mac, hm);
    limen_status st = limen__store_prepare(s,
                                           "INSERT OR REPLACE INTO audit_head(id, last_seq,"
                                           " last_mac, head_mac) VALUES (1, ?1, ?2, ?3)",
                                           &q, err);
    if (st != LIMEN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, seq);
    sqlite3_bind_blob(q, 2, mac, LIMEN__MAC_BYTES, SQLITE_TRANSIENT);
    sqlite3_bind_blob(q, 3, hm, sizeof hm, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        st = limen__store_sqlerr(s, err, rc, "cannot update the audit head");
out:
    limen__store_finalize(s, q);
    return st;
}

/* ---- append, list ---- */

/*
 * Whether entry `last` holds `mac` (or, for an empty chain, whether the head
 * still agrees with the anchor). LIMEN_ETAMPER otherwise.
 */
static limen_status last_entry_matches(struct limen_store *s, int64_t last,
                                       const unsigned char mac[LIMEN__MAC_BYTES],
                                       struct limen_error *err)
{
    sqlite3_stmt *q = NULL;
    unsigned char got[LIMEN__MAC_BYTES];
    limen_status st =
        limen__store_prepare(s,
                             "SELECT mac FROM audit WHERE seq = ?1 UNION ALL"
                             " SELECT mac FROM audit_anchor WHERE id = 1 AND seq = ?1",
                             &q, err);
    if (st != LIMEN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, last);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        st = limen__store_sqlerr(s, err, rc, "cannot read the audit log");
        goto out;
    }
    if (rc == SQLITE_DONE || !col_mac(q, 0, got) || sodium_memcmp(got, mac, LIMEN__MAC_BYTES) != 0)
        st = limen__error_set(err, LIMEN_ETAMPER, NULL,
                              "the last audit entry %lld is missing or altered: run verify",
                              (long long)last);
out:
    limen__store_finalize(s, q);
    return st;
}

limen_status limen_store_audit_append(struct limen_store *s, const struct limen_audit_entry *e,
                                      int64_t *seq, struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    unsigned char last_mac[LIMEN__MAC_BYTES], head_mac[LIMEN__MAC_BYTES], mac[LIMEN__MAC_BYTES];
    int64_t last = 0;
    int found = 0, ok = 0, in_tx = 0;

    limen_error_clear(err);
    if (!s || !e)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no store or entry");
    struct row r = {0};
    r.at = e->at ? e->at : (int64_t)time(NULL);
    r.user_id = e->user_id;
    r.user = e->user ? e->user : "";
    r.agency = e->agency ? e->agency : "";
    r.action = e->action ? e->action : "";
    r.search = e->search ? e->search : "";
    r.results = e->results ? e->results : "[]";
    r.user_len = strlen(r.user);
    r.agency_len = strlen(r.agency);
    r.action_len = strlen(r.action);
    r.search_len = strlen(r.search);
    r.results_len = strlen(r.results);
    r.status = e->status;
    if (r.user_len > INT32_MAX || r.agency_len > INT32_MAX || r.action_len > INT32_MAX ||
        r.search_len > INT32_MAX || r.results_len > INT32_MAX)
        return limen__error_set(err, LIMEN_ETOOLONG, NULL, "audit entry too long");

    limen__store_lock(s);
    if ((st = limen__store_begin(s, err)) != LIMEN_OK)
        goto out;
    in_tx = 1;
    if ((st = read_pair(s, "SELECT last_seq, last_mac, head_mac FROM audit_head WHERE id = 1",
                        &found, &last, last_mac, head_mac, &ok, err)) != LIMEN_OK)
        goto out;
    /*
     * Extending a head that does not verify would give it a valid MAC and
     * hide what was done to it (the last entries deleted, the head moved back).
     */
    row_mac(s->key, head_tag, last, last_mac, mac);
    if (!found || !ok || sodium_memcmp(mac, head_mac, LIMEN__MAC_BYTES) != 0) {
        st = limen__error_set(err, LIMEN_ETAMPER, NULL,
                              "the audit head is missing or altered: run verify");
        goto out;
    }
    if ((st = last_entry_matches(s, last, last_mac, err)) != LIMEN_OK)
        goto out;
    r.seq = last + 1;
    entry_mac(s->key, last_mac, &r, mac);
    if ((st = limen__store_prepare(s,
                                   "INSERT INTO audit(seq, at, user_id, user, agency, action,"
                                   " search, results, status, mac)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                                   &q, err)) != LIMEN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, r.seq);
    sqlite3_bind_int64(q, 2, r.at);
    sqlite3_bind_int64(q, 3, r.user_id);
    sqlite3_bind_text(q, 4, r.user, (int)r.user_len, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 5, r.agency, (int)r.agency_len, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 6, r.action, (int)r.action_len, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 7, r.search, (int)r.search_len, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 8, r.results, (int)r.results_len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 9, r.status);
    sqlite3_bind_blob(q, 10, mac, sizeof mac, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        st = limen__store_sqlerr(s, err, rc, "cannot append to the audit log");
        goto out;
    }
    if ((st = write_head(s, r.seq, mac, err)) != LIMEN_OK)
        goto out;
    in_tx = 0;
    if ((st = limen__store_commit(s, err)) != LIMEN_OK)
        goto out;
    if (seq)
        *seq = r.seq;
out:
    limen__store_finalize(s, q);
    if (in_tx)
        limen__store_rollback(s);
    limen__store_unlock(s);
    return st;
}

#define ENTRY_COLUMNS "seq, at, user_id, user, agency, action, search, results, status, mac"

static void row_read(sqlite3_stmt *q, struct row *r)
{
    r->seq = sqlite3_column_int64(q, 0);
    r->at = sqlite3_column_int64(q, 1);
    r->user_id = sqlite3_column_int64(q, 2);
    r->user = col_str(q, 3, &r->user_len);
    r->agency = col_str(q, 4, &r->agency_len);
    r->action = col_str(q, 5, &r->action_len);
    r->search = col_str(q, 6, &r->search_len);
    r->results = col_str(q, 7, &r->results_len);
    r->status = sqlite3_column_int64(q, 8);
}

limen_status limen_store_audit_list(struct limen_store *s, int64_t after_seq, size_t limit,
                                    int (*fn)(void *ctx, const struct limen_audit_entry *e),
                                    void *ctx)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    if (!s || !fn)
        return LIMEN_EINVAL;
    if (limit == 0)
        return LIMEN_OK;
    limen__store_lock(s);
    if ((st = limen__store_prepare(
             s, "SELECT " ENTRY_COLUMNS " FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2", &q,
             NULL)) != LIMEN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, after_seq);
    sqlite3_bind_int64(q, 2, limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct row r;
        row_read(q, &r);
        struct limen_audit_entry e = {
            .seq = r.seq,
            .at = r.at,
            .user_id = r.user_id,
            .user = r.user,
            .agency = r.agency,
            .action = r.action,
            .search = r.search,
            .results = r.results,
            .status = (int)r.status,
        };
        if (fn(ctx, &e) != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        st = limen__store_sqlerr(s, NULL, rc, "cannot read the audit log");
out:
    limen__store_finalize(s, q);
    limen__store_unlock(s);
    return st;
}

/* ---- verify ---- */

static limen_status tampered(struct limen_error *err, int64_t *first_bad, int64_t seq,
                             const char *fmt, ...) LIMEN__PRINTF(4, 5);

/* A verification failure at entry `seq`: *first_bad and a message. */
static limen_status tampered(struct limen_error *err, int64_t *first_bad, int64_t seq,
                             const char *fmt, ...)
{
    if (first_bad)
        *first_bad = seq;
    if (err) {
        err->status = LIMEN_ETAMPER;
        err->field[0] = '\0';
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return LIMEN_ETAMPER;
}

/*
 * Walks the chain inside the caller's transaction (and lock): the anchor, the
 * entries from it in seq order, the head. LIMEN_OK with *checked entries, or
 * LIMEN_ETAMPER with *first_bad and a message.
 */
static limen_status verify_chain(struct limen_store *s, int64_t *checked, int64_t *first_bad,
                                 struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    unsigned char prev[LIMEN__MAC_BYTES], own[LIMEN__MAC_BYTES], want[LIMEN__MAC_BYTES];
    unsigned char head_last[LIMEN__MAC_BYTES], head_own[LIMEN__MAC_BYTES];
    unsigned char mac[LIMEN__MAC_BYTES];
    int64_t anchor = 0, head = 0, n = 0;
    int found = 0, ok = 0, hfound = 0, hok = 0, rc;

    if ((st = read_pair(s, "SELECT seq, mac, anchor_mac FROM audit_anchor WHERE id = 1", &found,
                        &anchor, prev, own, &ok, err)) != LIMEN_OK)
        goto out;
    if (!found || !ok) {
        st = tampered(err, first_bad, 1, "the chain's anchor row is missing or damaged");
        goto out;
    }
    row_mac(s->key, anchor_tag, anchor, prev, want);
    if (sodium_memcmp(want, own, LIMEN__MAC_BYTES) != 0) {
        st = tampered(err, first_bad, anchor + 1,
                      "the chain's anchor (entry %lld) does not match its MAC (moved to hide "
                      "deleted entries, or a wrong key?)",
                      (long long)anchor);
        goto out;
    }
    if ((st = read_pair(s, "SELECT last_seq, last_mac, head_mac FROM audit_head WHERE id = 1",
                        &hfound, &head, head_last, head_own, &hok, err)) != LIMEN_OK)
        goto out;

    if ((st = limen__store_prepare(s, "SELECT " ENTRY_COLUMNS " FROM audit ORDER BY seq", &q,
                                   err)) != LIMEN_OK)
        goto out;
    int64_t expect = anchor + 1;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct row r;
        row_read(q, &r);
        if (r.seq <= anchor) {
            st = tampered(err, first_bad, r.seq,
                          "entry %lld lies before the chain's anchor %lld (inserted?)",
                          (long long)r.seq, (long long)anchor);
            goto out;
        }
        if (r.seq != expect) {
            st = tampered(err, first_bad, expect, "entry %lld missing (deleted?)",
                          (long long)expect);
            goto out;
        }
        int mac_ok = col_mac(q, 9, mac);
        entry_mac(s->key, prev, &r, want);
        if (!mac_ok || sodium_memcmp(want, mac, LIMEN__MAC_BYTES) != 0) {
            st = tampered(err, first_bad, r.seq,
                          "entry %lld does not match its MAC (edited, inserted or moved?)",
                          (long long)r.seq);
            goto out;
        }
        memcpy(prev, mac, LIMEN__MAC_BYTES);
        expect++;
        n++;
    }
    if (rc != SQLITE_DONE) {
        st = limen__store_sqlerr(s, err, rc, "cannot read the audit log");
        goto out;
    }
    int64_t last = expect - 1;
    if (!hfound || !hok) {
        st = tampered(err, first_bad, last + 1,
                      "the audit head row is missing or damaged; the log ends at %lld",
                      (long long)last);
        goto out;
    }
    if (head > last) {
        st = tampered(err, first_bad, last + 1,
                      "head says the log ends at entry %lld, it ends at %lld (entries deleted "
                      "at the end?)",
                      (long long)head, (long long)last);
        goto out;
    }
    if (head < last) {
        st = tampered(err, first_bad, head + 1,
                      "head says the log ends at entry %lld, it goes on to %lld (entries added "
                      "without the key?)",
                      (long long)head, (long long)last);
        goto out;
    }
    if (sodium_memcmp(head_last, prev, LIMEN__MAC_BYTES) != 0) {
        st = tampered(err, first_bad, last, "the head's last MAC is not that of entry %lld",
                      (long long)last);
        goto out;
    }
    row_mac(s->key, head_tag, head, head_last, want);
    if (sodium_memcmp(want, head_own, LIMEN__MAC_BYTES) != 0) {
        st = tampered(err, first_bad, last + 1,
                      "the head (entry %lld) does not match its MAC (entries deleted at the end "
                      "and the head rewritten, or a wrong key?)",
                      (long long)last);
        goto out;
    }
    if (checked)
        *checked = n;
out:
    limen__store_finalize(s, q);
    return st;
}

limen_status limen_store_audit_verify(struct limen_store *s, int64_t *checked, int64_t *first_bad,
                                      struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    limen_error_clear(err);
    if (checked)
        *checked = 0;
    if (first_bad)
        *first_bad = 0;
    if (!s)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no store");

    limen__store_lock(s);
    /* One read transaction: the walk sees one consistent snapshot while others append. */
    int rc = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        st = limen__store_sqlerr(s, err, rc, "cannot begin a read transaction");
        goto out;
    }
    st = verify_chain(s, checked, first_bad, err);
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
out:
    limen__store_unlock(s);
    return st;
}

/* ---- prune ---- */

limen_status limen_store_audit_prune(struct limen_store *s, int64_t before, int64_t *deleted,
                                     struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    sqlite3_stmt *q = NULL;
    unsigned char amac[LIMEN__MAC_BYTES], aown[LIMEN__MAC_BYTES], mac[LIMEN__MAC_BYTES];
    int64_t anchor = 0, cut = 0;
    int found = 0, ok = 0, in_tx = 0;

    limen_error_clear(err);
    if (deleted)
        *deleted = 0;
    if (!s)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no store");

    limen__store_lock(s);
    if ((st = limen__store_begin(s, err)) != LIMEN_OK)
        goto out;
    in_tx = 1;
    if ((st = read_pair(s, "SELECT seq, mac, anchor_mac FROM audit_anchor WHERE id = 1", &found,
                        &anchor, amac, aown, &ok, err)) != LIMEN_OK)
        goto out;
    row_mac(s->key, anchor_tag, anchor, amac, mac);
    if (!found || !ok || sodium_memcmp(mac, aown, LIMEN__MAC_BYTES) != 0) {
        /* Pruning would bless a forged anchor with a fresh MAC: refuse. */
        st = limen__error_set(err, LIMEN_ETAMPER, NULL,
                              "the chain's anchor row is missing or altered: run verify");
        goto out;
    }
    /*
     * The chain must verify before pruning: pruned entries take their
     * evidence with them, and the new anchor is MAC'd afresh.
     */
    int64_t walked = 0, bad = 0;
    if ((st = verify_chain(s, &walked, &bad, err)) != LIMEN_OK)
        goto out;
    /*
     * Only a prefix of the chain may go: the entries before the first one at
     * or after `before` (a clock that stepped back must not punch holes).
     */
    if ((st = limen__store_prepare(s,
                                   "SELECT coalesce((SELECT min(seq) FROM audit WHERE at >= ?1)"
                                   " - 1, (SELECT max(seq) FROM audit), 0)",
                                   &q, err)) != LIMEN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, before);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        st = limen__store_sqlerr(s, err, rc, "cannot read the audit log");
        goto out;
    }
    cut = sqlite3_column_int64(q, 0);
    limen__store_finalize(s, q);
    q = NULL;
    if (cut <= anchor) {
        in_tx = 0;
        limen__store_rollback(s);
        goto out;
    }
    if ((st = limen__store_prepare(s, "SELECT mac FROM audit WHERE seq = ?1", &q, err)) != LIMEN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, cut);
    rc = sqlite3_step(q);
    if (rc != SQLITE_ROW || !col_mac(q, 0, mac)) {
        st = rc == SQLITE_ROW || rc == SQLITE_DONE
                 ? limen__error_set(err, LIMEN_ETAMPER, NULL,
                                    "entry %lld is missing or damaged: run verify", (long long)cut)
                 : limen__store_sqlerr(s, err, rc, "cannot read the audit log");
        goto out;
    }
    limen__store_finalize(s, q);
    q = NULL;
    if ((st = limen__store_prepare(s, "DELETE FROM audit WHERE seq <= ?1", &q, err)) != LIMEN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, cut);
    if ((rc = sqlite3_step(q)) != SQLITE_DONE) {
        st = limen__store_sqlerr(s, err, rc, "cannot prune the audit log");
        goto out;
    }
    int64_t gone = sqlite3_changes(s->db);
    limen__store_finalize(s, q);
    q = NULL;
    row_mac(s->key, anchor_tag, cut, mac, aown);
    if ((st = limen__store_prepare(s,
                                   "INSERT OR REPLACE INTO audit_anchor(id, seq, mac, anchor_mac)"
                                   " VALUES (1, ?1, ?2, ?3)",
                                   &q, err)) != LIMEN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, cut);
    sqlite3_bind_blob(q, 2, mac, sizeof mac, SQLITE_TRANSIENT);
    sqlite3_bind_blob(q, 3, aown, sizeof aown, SQLITE_TRANSIENT);
    if ((rc = sqlite3_step(q)) != SQLITE_DONE) {
        st = limen__store_sqlerr(s, err, rc, "cannot move the audit anchor");
        goto out;
    }
    in_tx = 0;
    if ((st = limen__store_commit(s, err)) != LIMEN_OK)
        goto out;
    if (deleted)
        *deleted = gone;
out:
    limen__store_finalize(s, q);
    if (in_tx)
        limen__store_rollback(s);
    limen__store_unlock(s);
    return st;
}
