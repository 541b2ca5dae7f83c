/*
 * Tests of the store (src/lib/store.c, src/lib/audit.c):
 *  - open, create, reopen; a newer schema refused; the audit key file
 *    created 0600, a key of the wrong size or a missing key refused;
 *  - agencies, users, tokens (the token text never reaches the database
 *    files; revoked, malformed and disabled-user tokens are not found);
 *  - a database of schema version 1 is migrated on open, its data kept;
 *  - sharing groups: create, replace, the managing agency's rule, members
 *    that must be agencies, one allocation for the list;
 *  - alerts: versions, the ownership rule, withdrawal, get and each;
 *  - hits: add, list by owner, mark by owner only;
 *  - the audit chain: 50 entries verify; each kind of tampering done with
 *    plain SQLite on a copy of the files (edit, delete, insert, reorder,
 *    cut the end with or without fixing the head, move the anchor, a wrong
 *    key) is detected at the right entry; pruning keeps it verifiable;
 *  - durability (a second connection sees a returned write), allocation
 *    failures, and four threads writing at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "limen/limen.h"

static char dir[512];

/* A path in the test directory. */
static void path_of(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

/* Removes a database and its companions (-wal, -shm, .audit-key). */
static void rm_db(const char *db)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal", ".audit-key"};
    char p[1024];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(p, sizeof p, "%s%s", db, suffixes[i]);
        unlink(p);
    }
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/limen-test-store-%ld", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    return mkdir(dir, 0700) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    static const char *const dbs[] = {
        "open.db",   "agencies.db", "users.db", "alerts.db",  "hits.db",    "audit.db",
        "copy.db",   "durable.db",  "alloc.db", "threads.db", "prune.db",   "other.db",
        "groups.db", "migrate.db",  "batch.db", "changes.db", "changes2.db"};
    char p[1024];
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
        path_of(p, sizeof p, dbs[i]);
        rm_db(p);
    }
    path_of(p, sizeof p, "copy.key");
    unlink(p);
    path_of(p, sizeof p, "wrong.key");
    unlink(p);
    path_of(p, sizeof p, "memory.key");
    unlink(p);
    rmdir(dir);
    return 0;
}

static struct limen_store *open_db(const char *name)
{
    char p[1024];
    path_of(p, sizeof p, name);
    struct limen_store *s = NULL;
    struct limen_error err;
    limen_status st = limen_store_open(p, NULL, &s, &err);
    if (st != LIMEN_OK)
        fail_msg("open %s: %s", p, err.message);
    return s;
}

/* Runs SQL on a database with plain SQLite, as an intruder would. */
static void raw_exec(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(h);
}

static int64_t raw_int(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return v;
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    unlink(to);
    if (!in)
        return; /* a -wal that a clean close removed */
    FILE *out = fopen(to, "wb");
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* Whether the bytes of `needle` occur in the file. */
static int file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t cap = 1 << 20, len = 0, n;
    char *data = malloc(cap);
    while ((n = fread(data + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            data = realloc(data, cap);
        }
    }
    fclose(f);
    size_t k = strlen(needle);
    int found = 0;
    for (size_t i = 0; i + k <= len && !found; i++)
        found = memcmp(data + i, needle, k) == 0;
    free(data);
    return found;
}

static void add_agency(struct limen_store *s, const char *code, const char *country)
{
    struct limen_agency a;
    memset(&a, 0, sizeof a);
    snprintf(a.code, sizeof a.code, "%s", code);
    snprintf(a.country, sizeof a.country, "%s", country);
    snprintf(a.name, sizeof a.name, "Agency %s", code);
    snprintf(a.contact, sizeof a.contact, "+00 %s duty desk", code);
    struct limen_error err;
    if (limen_store_agency_put(s, &a, &err) != LIMEN_OK)
        fail_msg("agency %s: %s", code, err.message);
}

/* ---- open ---- */

static void test_open(void **state)
{
    (void)state;
    char db[1024], key[1100];
    path_of(db, sizeof db, "open.db");
    snprintf(key, sizeof key, "%s.audit-key", db);
    struct limen_store *s = NULL;
    struct limen_error err;
    struct limen_store_options o = {NULL, 0};

    /* Without create, a missing database is an I/O error. */
    assert_int_equal(limen_store_open(db, &o, &s, &err), LIMEN_EIO);
    assert_null(s);
    assert_int_not_equal(access(db, F_OK), 0);

    o.create = 1;
    assert_int_equal(limen_store_open(db, &o, &s, &err), LIMEN_OK);
    struct stat sb;
    assert_int_equal(stat(key, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, 32);
    add_agency(s, "AG", "fr");
    struct limen_audit_entry e = {0, 1, 1, "u", "AG", "GET /", "", "[]", 200};
    assert_int_equal(limen_store_audit_append(s, &e, NULL, &err), LIMEN_OK);
    limen_store_close(s);
    limen_store_close(NULL);

    /* Reopen without create: the data is there. */
    o.create = 0;
    s = NULL;
    assert_int_equal(limen_store_open(db, &o, &s, &err), LIMEN_OK);
    struct limen_agency a;
    assert_int_equal(limen_store_agency_get(s, "AG", &a), LIMEN_OK);
    int64_t checked = 0, bad = 0;
    assert_int_equal(limen_store_audit_verify(s, &checked, &bad, &err), LIMEN_OK);
    assert_int_equal(checked, 1);
    limen_store_close(s);

    /* A newer schema is refused. */
    raw_exec(db, "UPDATE meta SET value = 99 WHERE key = 'schema_version'");
    s = NULL;
    assert_int_equal(limen_store_open(db, NULL, &s, &err), LIMEN_EVERSION);
    assert_null(s);
    assert_non_null(strstr(err.message, "99"));
    raw_exec(db, "UPDATE meta SET value = 1 WHERE key = 'schema_version'");

    /* A key of the wrong size, and a missing key for a log with entries. */
    FILE *f = fopen(key, "ab");
    fputc('x', f);
    fclose(f);
    assert_int_equal(limen_store_open(db, NULL, &s, &err), LIMEN_EIO);
    assert_non_null(strstr(err.message, "33 bytes"));
    unlink(key);
    assert_int_equal(limen_store_open(db, NULL, &s, &err), LIMEN_EIO);
    assert_non_null(strstr(err.message, "missing"));
    assert_int_not_equal(access(key, F_OK), 0);

    /* Not a database at all. */
    char other[1024];
    path_of(other, sizeof other, "other.db");
    f = fopen(other, "wb");
    fputs("this is not an SQLite database, not at all, no header here........", f);
    fclose(f);
    assert_int_not_equal(limen_store_open(other, NULL, &s, &err), LIMEN_OK);
    assert_null(s);

    assert_int_equal(limen_store_open(NULL, NULL, &s, &err), LIMEN_EINVAL);
    rm_db(db);
}

/* ---- agencies ---- */

static void test_agencies(void **state)
{
    (void)state;
    struct limen_store *s = open_db("agencies.db");
    struct limen_error err;
    add_agency(s, "MA-DGSN", "MA");
    add_agency(s, "FR-PAF", "fr");
    add_agency(s, "ES-CNP", "es");

    struct limen_agency a;
    assert_int_equal(limen_store_agency_get(s, "MA-DGSN", &a), LIMEN_OK);
    assert_string_equal(a.country, "ma"); /* stored lowercase */
    assert_string_equal(a.name, "Agency MA-DGSN");
    assert_int_equal(limen_store_agency_get(s, "XX", &a), LIMEN_ENOTFOUND);
    assert_int_equal(limen_store_agency_get(s, "bad code", &a), LIMEN_ENOTFOUND);

    /* Update. */
    snprintf(a.contact, sizeof a.contact, "new desk");
    assert_int_equal(limen_store_agency_put(s, &a, &err), LIMEN_OK);
    assert_int_equal(limen_store_agency_get(s, "MA-DGSN", &a), LIMEN_OK);
    assert_string_equal(a.contact, "new desk");

    struct limen_agency *all = NULL;
    size_t n = 0;
    assert_int_equal(limen_store_agencies(s, &all, &n), LIMEN_OK);
    assert_int_equal(n, 3);
    assert_string_equal(all[0].code, "ES-CNP");
    assert_string_equal(all[1].code, "FR-PAF");
    assert_string_equal(all[2].code, "MA-DGSN");
    limen_free(all);

    /* Bad codes, countries, names. */
    struct limen_agency b;
    memset(&b, 0, sizeof b);
    snprintf(b.country, sizeof b.country, "fr");
    snprintf(b.name, sizeof b.name, "x");
    assert_int_equal(limen_store_agency_put(s, &b, &err), LIMEN_EINVAL); /* empty code */
    assert_string_equal(err.field, "code");
    snprintf(b.code, sizeof b.code, "A B");
    assert_int_equal(limen_store_agency_put(s, &b, &err), LIMEN_EINVAL);
    snprintf(b.code, sizeof b.code, "A'--");
    assert_int_equal(limen_store_agency_put(s, &b, &err), LIMEN_EINVAL);
    memset(b.code, 'A', sizeof b.code); /* no NUL */
    assert_int_equal(limen_store_agency_put(s, &b, &err), LIMEN_EINVAL);
    snprintf(b.code, sizeof b.code, "OK");
    snprintf(b.country, sizeof b.country, "f1");
    assert_int_equal(limen_store_agency_put(s, &b, &err), LIMEN_EINVAL);
    assert_string_equal(err.field, "country");
    snprintf(b.country, sizeof b.country, "f");
    assert_int_equal(limen_store_agency_put(s, &b, &err), LIMEN_EINVAL);
    snprintf(b.country, sizeof b.country, "de");
    b.name[0] = '\0';
    assert_int_equal(limen_store_agency_put(s, &b, &err), LIMEN_EINVAL);
    snprintf(b.name, sizeof b.name, "line\nbreak");
    assert_int_equal(limen_store_agency_put(s, &b, &err), LIMEN_EINVAL);
    assert_int_equal(limen_store_agencies(s, &all, &n), LIMEN_OK);
    assert_int_equal(n, 3);
    limen_free(all);
    limen_store_close(s);
}

/* ---- schema migration ---- */

/*
 * An in-memory store has no second, read-only connection: token checks and
 * agency reads take the writer's lock and statement cache instead.
 */
static void test_memory(void **state)
{
    (void)state;
    char key[1024];
    path_of(key, sizeof key, "memory.key");
    struct limen_store_options o = {key, 1};
    struct limen_store *s = NULL;
    struct limen_error err;
    assert_int_equal(limen_store_open(":memory:", &o, &s, &err), LIMEN_OK);
    add_agency(s, "FR-PAF", "fr");
    struct limen_agency a;
    assert_int_equal(limen_store_agency_get(s, "FR-PAF", &a), LIMEN_OK);
    assert_string_equal(a.name, "Agency FR-PAF");
    assert_int_equal(limen_store_agency_get(s, "XX-NONE", &a), LIMEN_ENOTFOUND);
    int64_t id = 0, tid = 0, got = 0;
    char tok[LIMEN_TOKEN_TEXT_MAX];
    assert_int_equal(limen_store_user_add(s, "alice", "FR-PAF", LIMEN_ROLE_OFFICER, &id, &err),
                     LIMEN_OK);
    assert_int_equal(limen_store_token_new(s, id, NULL, tok, &tid, &err), LIMEN_OK);
    struct limen_user u;
    for (int i = 0; i < 2; i++) { /* the second time from the cached statement */
        memset(&u, 0, sizeof u);
        assert_int_equal(limen_store_token_check(s, tok, &u, &got), LIMEN_OK);
        assert_int_equal(got, tid);
        assert_string_equal(u.name, "alice");
    }
    tok[10] = tok[10] == 'A' ? 'B' : 'A';
    assert_int_equal(limen_store_token_check(s, tok, &u, &got), LIMEN_ENOTFOUND);
    limen_store_close(s);
}

static void test_migrate(void **state)
{
    (void)state;
    char db[1024];
    path_of(db, sizeof db, "migrate.db");
    struct limen_store *s = open_db("migrate.db");
    struct limen_error err;
    add_agency(s, "FR-PAF", "fr");
    assert_int_equal(limen_store_alert_put(s, "m1", "FR-PAF", "{\"m\":1}", 7, NULL, &err),
                     LIMEN_OK);
    struct limen_audit_entry e = {0, 1, 1, "u", "FR-PAF", "GET /", "", "[]", 200};
    assert_int_equal(limen_store_audit_append(s, &e, NULL, &err), LIMEN_OK);
    limen_store_close(s);
    assert_int_equal(raw_int(db, "SELECT value FROM meta WHERE key = 'schema_version'"), 3);

    /* Back to what a version 1 build wrote: no group tables, no change numbers, version 1. */
    raw_exec(db, "DROP TABLE sharing_group_members; DROP TABLE sharing_groups;"
                 "DROP INDEX alerts_seq; ALTER TABLE alerts DROP COLUMN seq;"
                 "DELETE FROM meta WHERE key = 'store_id';"
                 "UPDATE meta SET value = 1 WHERE key = 'schema_version'");
    assert_int_equal(
        raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'sharing_group%'"), 0);
    s = open_db("migrate.db");
    assert_int_equal(raw_int(db, "SELECT value FROM meta WHERE key = 'schema_version'"), 3);
    /* The versions already stored are numbered, and the store has an identity. */
    int64_t sid = 0, seq = 0, ver = 0;
    char last[LIMEN_ALERT_ID_MAX];
    assert_int_equal(limen_store_alert_watermark(s, &sid, &seq, last, &ver), LIMEN_OK);
    assert_true(sid != 0);
    assert_int_equal(seq, 1);
    assert_string_equal(last, "m1");
    assert_int_equal(ver, 1);
    assert_int_equal(
        raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'sharing_group%'"), 2);
    char *json = NULL;
    assert_int_equal(limen_store_alert_get(s, "m1", 0, &json, NULL, NULL), LIMEN_OK);
    assert_string_equal(json, "{\"m\":1}");
    limen_free(json);
    int64_t checked = 0, bad = 0;
    assert_int_equal(limen_store_audit_verify(s, &checked, &bad, &err), LIMEN_OK);
    assert_int_equal(checked, 1);
    char members[1][LIMEN_AGENCY_CODE_MAX] = {"FR-PAF"};
    struct limen_group g = {"G-1", "after the migration", "", 0, 1, members};
    assert_int_equal(limen_store_group_put(s, &g, NULL, &err), LIMEN_OK);
    limen_store_close(s);
    rm_db(db);
}

/* ---- alert change numbers (the hub's snapshot watermark) ---- */

static int collect_ids(void *ctx, const struct limen_alert_meta *m, const char *json, size_t len)
{
    (void)json;
    (void)len;
    char *out = ctx;
    size_t n = strlen(out);
    snprintf(out + n, 256 - n, "%s/%lld%s ", m->id, (long long)m->version, m->withdrawn ? "w" : "");
    return 0;
}

/* A callback that runs the same query again, nested: it gets a statement of its own. */
struct nested {
    struct limen_store *s;
    char out[256];
};

static int nested_ids(void *ctx, const struct limen_alert_meta *m, const char *json, size_t len)
{
    struct nested *n = ctx;
    char inner[256] = "";
    collect_ids(n->out, m, json, len);
    assert_int_equal(limen_store_alerts_changed(n->s, 0, collect_ids, inner), LIMEN_OK);
    assert_string_equal(inner, "c1/2 c2/1 c3/2w ");
    return 0;
}

static void test_alert_changes(void **state)
{
    (void)state;
    struct limen_store *s = open_db("changes.db");
    struct limen_error err;
    int64_t sid = 0, sid2 = 0, seq = -1, ver = -1, v = 0;
    char last[LIMEN_ALERT_ID_MAX], id[LIMEN_ALERT_ID_MAX], got[256] = "";
    /* An empty store: watermark 0, no change. */
    assert_int_equal(limen_store_alert_watermark(s, &sid, &seq, last, &ver), LIMEN_OK);
    assert_int_equal(seq, 0);
    assert_string_equal(last, "");
    assert_int_equal(ver, 0);
    assert_true(sid != 0);
    assert_int_equal(limen_store_alert_change(s, 1, id, &v), LIMEN_ENOTFOUND);
    add_agency(s, "FR-PAF", "fr");
    add_agency(s, "IT-PS", "it");
    assert_int_equal(limen_store_alert_put(s, "c1", "FR-PAF", "{}", 2, NULL, &err), LIMEN_OK);
    assert_int_equal(limen_store_alert_put(s, "c2", "FR-PAF", "{}", 2, NULL, &err), LIMEN_OK);
    assert_int_equal(limen_store_alert_watermark(s, &sid2, &seq, last, &ver), LIMEN_OK);
    assert_true(sid2 == sid);
    assert_int_equal(seq, 2);
    int64_t mark = seq;
    /* A refused write takes no number. */
    assert_int_equal(limen_store_alert_put(s, "c1", "IT-PS", "{}", 2, NULL, &err),
                     LIMEN_EFORBIDDEN);
    assert_int_equal(limen_store_alert_put(s, "c1", "FR-PAF", "{\"x\":1}", 7, NULL, &err),
                     LIMEN_OK);
    assert_int_equal(limen_store_alert_put(s, "c3", "FR-PAF", "{}", 2, NULL, &err), LIMEN_OK);
    assert_int_equal(limen_store_alert_withdraw(s, "c3", "FR-PAF", NULL, &err), LIMEN_OK);
    /* Withdrawing again writes nothing, so takes no number either. */
    assert_int_equal(limen_store_alert_withdraw(s, "c3", "FR-PAF", NULL, &err), LIMEN_OK);
    assert_int_equal(limen_store_alert_watermark(s, &sid2, &seq, last, &ver), LIMEN_OK);
    assert_int_equal(seq, 5);
    assert_string_equal(last, "c3");
    assert_int_equal(ver, 2);
    assert_int_equal(limen_store_alert_change(s, 3, id, &v), LIMEN_OK);
    assert_string_equal(id, "c1");
    assert_int_equal(v, 2);
    /* What changed after the mark: the latest version of each, once, in id order. */
    assert_int_equal(limen_store_alerts_changed(s, mark, collect_ids, got), LIMEN_OK);
    assert_string_equal(got, "c1/2 c3/2w ");
    got[0] = '\0';
    assert_int_equal(limen_store_alerts_changed(s, seq, collect_ids, got), LIMEN_OK);
    assert_string_equal(got, "");
    assert_int_equal(limen_store_alerts_changed(s, 0, collect_ids, got), LIMEN_OK);
    assert_string_equal(got, "c1/2 c2/1 c3/2w ");
    struct nested nest = {s, ""};
    assert_int_equal(limen_store_alerts_changed(s, 0, nested_ids, &nest), LIMEN_OK);
    assert_string_equal(nest.out, "c1/2 c2/1 c3/2w ");
    assert_int_equal(limen_store_alerts_changed(s, -1, collect_ids, got), LIMEN_EINVAL);
    assert_int_equal(limen_store_alert_watermark(NULL, &sid, &seq, last, &ver), LIMEN_EINVAL);
    assert_int_equal(limen_store_alert_watermark(s, &sid, &seq, last, NULL), LIMEN_EINVAL);
    /* A number past the last, and missing arguments. */
    assert_int_equal(limen_store_alert_change(s, 99, id, &v), LIMEN_ENOTFOUND);
    assert_int_equal(limen_store_alert_change(NULL, 3, id, &v), LIMEN_EINVAL);
    assert_int_equal(limen_store_alert_change(s, 3, NULL, &v), LIMEN_EINVAL);
    assert_int_equal(limen_store_alert_change(s, 3, id, NULL), LIMEN_EINVAL);
    /* Another store has another identity. */
    struct limen_store *o = open_db("changes2.db");
    assert_int_equal(limen_store_alert_watermark(o, &sid2, &seq, last, &ver), LIMEN_OK);
    assert_true(sid2 != sid);
    limen_store_close(o);
    limen_store_close(s);
}

/* ---- sharing groups ---- */

static void set_group(struct limen_group *g, const char *code, const char *owner,
                      char (*members)[LIMEN_AGENCY_CODE_MAX], size_t n)
{
    memset(g, 0, sizeof *g);
    snprintf(g->code, sizeof g->code, "%s", code);
    snprintf(g->name, sizeof g->name, "Group %s", code);
    snprintf(g->owner, sizeof g->owner, "%s", owner);
    g->members = members;
    g->nmembers = n;
}

static void test_groups(void **state)
{
    (void)state;
    struct limen_store *s = open_db("groups.db");
    struct limen_error err;
    struct limen_group g, *got = NULL, *all = NULL;
    size_t n = 99;

    assert_int_equal(limen_store_groups(s, &all, &n), LIMEN_OK);
    assert_int_equal(n, 0);
    assert_null(all);
    add_agency(s, "MA-DGSN", "ma");
    add_agency(s, "IT-PS", "it");
    add_agency(s, "FR-PN", "fr");
    add_agency(s, "ES-CNP", "es");

    /* The operator's group: members sorted, repeats counted once. */
    char med[3][LIMEN_AGENCY_CODE_MAX] = {"IT-PS", "FR-PN", "IT-PS"};
    set_group(&g, "MED-DRUGS", "", med, 3);
    assert_int_equal(limen_store_group_put(s, &g, NULL, &err), LIMEN_OK);
    assert_int_equal(limen_store_group_get(s, "MED-DRUGS", &got), LIMEN_OK);
    assert_string_equal(got->name, "Group MED-DRUGS");
    assert_string_equal(got->owner, "");
    assert_true(got->updated > 0);
    assert_int_equal(got->nmembers, 2);
    assert_string_equal(got->members[0], "FR-PN");
    assert_string_equal(got->members[1], "IT-PS");
    limen_free(got);

    /* An agency's group: it owns it whatever g->owner says. */
    char eu[1][LIMEN_AGENCY_CODE_MAX] = {"MA-DGSN"};
    set_group(&g, "EU-TERR", "XX-IGNORED", eu, 1);
    assert_int_equal(limen_store_group_put(s, &g, "MA-DGSN", &err), LIMEN_OK);
    /* Without members. */
    set_group(&g, "EMPTY", "", NULL, 0);
    assert_int_equal(limen_store_group_put(s, &g, NULL, &err), LIMEN_OK);
    assert_int_equal(limen_store_groups(s, &all, &n), LIMEN_OK);
    assert_int_equal(n, 3);
    assert_string_equal(all[0].code, "EMPTY");
    assert_int_equal(all[0].nmembers, 0);
    assert_null(all[0].members);
    assert_string_equal(all[1].code, "EU-TERR");
    assert_string_equal(all[1].owner, "MA-DGSN");
    assert_int_equal(all[1].nmembers, 1);
    assert_string_equal(all[1].members[0], "MA-DGSN");
    assert_string_equal(all[2].code, "MED-DRUGS");
    assert_int_equal(all[2].nmembers, 2);
    assert_string_equal(all[2].members[1], "IT-PS");
    limen_free(all);

    /* Only the managing agency (or the operator) changes a group; nothing written otherwise. */
    char es[1][LIMEN_AGENCY_CODE_MAX] = {"ES-CNP"};
    set_group(&g, "EU-TERR", "", es, 1);
    assert_int_equal(limen_store_group_put(s, &g, "IT-PS", &err), LIMEN_EFORBIDDEN);
    assert_non_null(strstr(err.message, "MA-DGSN"));
    set_group(&g, "MED-DRUGS", "", es, 1);
    assert_int_equal(limen_store_group_put(s, &g, "IT-PS", &err), LIMEN_EFORBIDDEN);
    assert_non_null(strstr(err.message, "operator"));
    assert_int_equal(limen_store_group_get(s, "MED-DRUGS", &got), LIMEN_OK);
    assert_int_equal(got->nmembers, 2);
    limen_free(got);
    set_group(&g, "EU-TERR", "", es, 1);
    assert_int_equal(limen_store_group_put(s, &g, "MA-DGSN", &err), LIMEN_OK);
    assert_int_equal(limen_store_group_get(s, "EU-TERR", &got), LIMEN_OK);
    assert_int_equal(got->nmembers, 1);
    assert_string_equal(got->members[0], "ES-CNP");
    assert_string_equal(got->owner, "MA-DGSN");
    limen_free(got);

    /* An unknown member or owner: refused, nothing written (not even a new group). */
    char unknown[2][LIMEN_AGENCY_CODE_MAX] = {"IT-PS", "XX-NONE"};
    set_group(&g, "EU-TERR", "", unknown, 2);
    assert_int_equal(limen_store_group_put(s, &g, "MA-DGSN", &err), LIMEN_ENOTFOUND);
    assert_string_equal(err.field, "members");
    assert_non_null(strstr(err.message, "XX-NONE"));
    assert_int_equal(limen_store_group_get(s, "EU-TERR", &got), LIMEN_OK);
    assert_int_equal(got->nmembers, 1);
    limen_free(got);
    set_group(&g, "NEW-ONE", "", unknown, 2);
    assert_int_equal(limen_store_group_put(s, &g, NULL, &err), LIMEN_ENOTFOUND);
    assert_int_equal(limen_store_group_get(s, "NEW-ONE", &got), LIMEN_ENOTFOUND);
    assert_null(got);
    set_group(&g, "NEW-ONE", "XX-NONE", es, 1);
    assert_int_equal(limen_store_group_put(s, &g, NULL, &err), LIMEN_ENOTFOUND);
    assert_string_equal(err.field, "owner");

    /* Bad codes, names, owners and member lists. */
    set_group(&g, "a b", "", es, 1);
    assert_int_equal(limen_store_group_put(s, &g, NULL, &err), LIMEN_EINVAL);
    assert_string_equal(err.field, "code");
    set_group(&g, "OK", "", es, 1);
    g.name[0] = '\0';
    assert_int_equal(limen_store_group_put(s, &g, NULL, &err), LIMEN_EINVAL);
    assert_string_equal(err.field, "name");
    set_group(&g, "OK", "bad owner", es, 1);
    assert_int_equal(limen_store_group_put(s, &g, NULL, &err), LIMEN_EINVAL);
    assert_string_equal(err.field, "owner");
    set_group(&g, "OK", "", es, 1);
    assert_int_equal(limen_store_group_put(s, &g, "bad by", &err), LIMEN_EINVAL);
    set_group(&g, "OK", "", NULL, 1);
    assert_int_equal(limen_store_group_put(s, &g, NULL, &err), LIMEN_EINVAL);
    assert_string_equal(err.field, "members");
    set_group(&g, "OK", "", es, LIMEN_GROUP_MEMBERS_MAX + 1);
    assert_int_equal(limen_store_group_put(s, &g, NULL, &err), LIMEN_EINVAL);
    char badm[1][LIMEN_AGENCY_CODE_MAX];
    memset(badm, 'A', sizeof badm); /* no NUL */
    set_group(&g, "OK", "", badm, 1);
    assert_int_equal(limen_store_group_put(s, &g, NULL, &err), LIMEN_EINVAL);
    assert_int_equal(limen_store_group_put(NULL, &g, NULL, &err), LIMEN_EINVAL);
    assert_int_equal(limen_store_group_get(s, "NO-SUCH", &got), LIMEN_ENOTFOUND);
    assert_int_equal(limen_store_group_get(s, "bad code", &got), LIMEN_ENOTFOUND);
    assert_int_equal(limen_store_groups(s, NULL, &n), LIMEN_EINVAL);

    /* Out of memory while reading the list: an error, nothing leaked, nothing returned. */
    int failures = 0;
    limen_status st;
    for (unsigned long k = 1; k < 50; k++) {
        limen__alloc_fail_after(k, 0);
        st = limen_store_groups(s, &all, &n);
        limen__alloc_fail_after(0, 0);
        if (st == LIMEN_OK)
            break;
        assert_int_equal(st, LIMEN_ENOMEM);
        assert_null(all);
        failures++;
    }
    assert_int_equal(st, LIMEN_OK);
    assert_int_equal(n, 3);
    assert_true(failures >= 3); /* groups, members, the block */
    limen_free(all);

    /* An alert may name existing groups only; a group an alert distributes to stays. */
    const char *to_eu = "{\"id\":\"d1\",\"alert\":{\"distribution\":{\"groups\":[\"EU-TERR\"]}}}";
    const char *to_none = "{\"id\":\"d2\",\"alert\":{\"distribution\":{\"groups\":[\"EU-TERR\","
                          "\"NO-SUCH\"]}}}";
    int64_t v = 0;
    assert_int_equal(limen_store_alert_put(s, "d2", "MA-DGSN", to_none, strlen(to_none), &v, &err),
                     LIMEN_ENOTFOUND);
    assert_string_equal(err.field, "alert.distribution.groups");
    assert_non_null(strstr(err.message, "NO-SUCH"));
    assert_int_equal(limen_store_alert_put(s, "d1", "MA-DGSN", to_eu, strlen(to_eu), &v, &err),
                     LIMEN_OK);
    assert_int_equal(limen_store_group_delete(s, "EU-TERR", "MA-DGSN", &err), LIMEN_ECONFLICT);
    assert_non_null(strstr(err.message, "1 alert is still distributed to group EU-TERR (d1)"));
    assert_int_equal(limen_store_group_delete(s, "EU-TERR", NULL, &err), LIMEN_ECONFLICT);
    /* Two alerts: counted, the first by id named. */
    const char *to_eu3 = "{\"id\":\"d3\",\"alert\":{\"distribution\":{\"groups\":[\"EU-TERR\"]}}}";
    assert_int_equal(limen_store_alert_put(s, "d3", "MA-DGSN", to_eu3, strlen(to_eu3), &v, &err),
                     LIMEN_OK);
    assert_int_equal(limen_store_group_delete(s, "EU-TERR", "MA-DGSN", &err), LIMEN_ECONFLICT);
    assert_non_null(
        strstr(err.message, "2 alerts are still distributed to group EU-TERR (d1, ...)"));
    assert_int_equal(limen_store_alert_withdraw(s, "d3", "MA-DGSN", &v, &err), LIMEN_OK);
    assert_int_equal(limen_store_group_get(s, "EU-TERR", &got), LIMEN_OK);
    limen_free(got);
    /* Only its managing agency or the operator deletes it; unknown codes are not found. */
    assert_int_equal(limen_store_group_delete(s, "EU-TERR", "IT-PS", &err), LIMEN_EFORBIDDEN);
    assert_int_equal(limen_store_group_delete(s, "MED-DRUGS", "IT-PS", &err), LIMEN_EFORBIDDEN);
    assert_int_equal(limen_store_group_delete(s, "NO-SUCH", NULL, &err), LIMEN_ENOTFOUND);
    assert_int_equal(limen_store_group_delete(s, "a-code-longer-than-any-group-code", NULL, &err),
                     LIMEN_ENOTFOUND);
    assert_int_equal(limen_store_group_delete(NULL, "EU-TERR", NULL, &err), LIMEN_EINVAL);
    assert_int_equal(limen_store_group_delete(s, NULL, NULL, &err), LIMEN_EINVAL);
    /* Withdrawn, the alert no longer holds it: deleted with its members, then unknown. */
    assert_int_equal(limen_store_alert_withdraw(s, "d1", "MA-DGSN", &v, &err), LIMEN_OK);
    assert_int_equal(limen_store_group_delete(s, "EU-TERR", "MA-DGSN", &err), LIMEN_OK);
    assert_int_equal(limen_store_group_get(s, "EU-TERR", &got), LIMEN_ENOTFOUND);
    assert_int_equal(limen_store_group_delete(s, "EU-TERR", "MA-DGSN", &err), LIMEN_ENOTFOUND);
    char gp[1024];
    path_of(gp, sizeof gp, "groups.db");
    assert_int_equal(
        raw_int(gp, "SELECT count(*) FROM sharing_group_members WHERE grp = 'EU-TERR'"), 0);
    assert_int_equal(limen_store_alert_put(s, "d1", "MA-DGSN", to_eu, strlen(to_eu), &v, &err),
                     LIMEN_ENOTFOUND);
    assert_int_equal(limen_store_group_delete(s, "EMPTY", NULL, &err), LIMEN_OK);
    limen_store_close(s);
}

/* ---- users and tokens ---- */

static void test_users_tokens(void **state)
{
    (void)state;
    struct limen_store *s = open_db("users.db");
    struct limen_error err;
    add_agency(s, "FR-PAF", "fr");
    assert_string_equal(limen_role_name(LIMEN_ROLE_ANALYST), "analyst");
    assert_string_equal(limen_role_name((enum limen_role)9), "");
    assert_int_equal(limen_role_from_name("admin"), LIMEN_ROLE_ADMIN);
    assert_int_equal(limen_role_from_name("root"), 0);

    int64_t id = 0, id2 = 0;
    assert_int_equal(limen_store_user_add(s, "alice", "FR-PAF", LIMEN_ROLE_OFFICER, &id, &err),
                     LIMEN_OK);
    assert_true(id > 0);
    assert_int_equal(limen_store_user_add(s, "bob", "XX-NONE", LIMEN_ROLE_OFFICER, &id2, &err),
                     LIMEN_ENOTFOUND);
    assert_int_equal(limen_store_user_add(s, "alice", "FR-PAF", LIMEN_ROLE_ADMIN, &id2, &err),
                     LIMEN_ECONFLICT);
    assert_int_equal(limen_store_user_add(s, "carol", "FR-PAF", (enum limen_role)7, &id2, &err),
                     LIMEN_EINVAL);
    assert_int_equal(limen_store_user_add(s, "", "FR-PAF", LIMEN_ROLE_OFFICER, &id2, &err),
                     LIMEN_EINVAL);
    assert_int_equal(limen_store_user_add(s, "bob", "FR-PAF", LIMEN_ROLE_ANALYST, &id2, &err),
                     LIMEN_OK);

    struct limen_user u;
    assert_int_equal(limen_store_user_get(s, id, &u), LIMEN_OK);
    assert_string_equal(u.name, "alice");
    assert_string_equal(u.agency, "FR-PAF");
    assert_int_equal(u.role, LIMEN_ROLE_OFFICER);
    assert_int_equal(u.disabled, 0);
    assert_int_equal(limen_store_user_get(s, 9999, &u), LIMEN_ENOTFOUND);

    char tok[LIMEN_TOKEN_TEXT_MAX], tok2[LIMEN_TOKEN_TEXT_MAX];
    int64_t tid = 0, tid2 = 0, got = 0;
    assert_int_equal(limen_store_token_new(s, id, "laptop", tok, &tid, &err), LIMEN_OK);
    assert_int_equal(strlen(tok), 47);
    assert_memory_equal(tok, "lmn_", 4);
    assert_int_equal(limen_store_token_new(s, id2, NULL, tok2, &tid2, &err), LIMEN_OK);
    assert_string_not_equal(tok, tok2);
    char tok3[LIMEN_TOKEN_TEXT_MAX];
    assert_int_equal(limen_store_token_new(s, 4242, NULL, tok3, &tid2, &err), LIMEN_ENOTFOUND);
    assert_string_equal(tok3, "");

    memset(&u, 0, sizeof u);
    assert_int_equal(limen_store_token_check(s, tok, &u, &got), LIMEN_OK);
    assert_int_equal(got, tid);
    assert_int_equal(u.id, id);
    assert_string_equal(u.name, "alice");

    /* Only the hash is stored: the text is in neither the database nor its WAL. */
    char db[1024], wal[1100];
    path_of(db, sizeof db, "users.db");
    snprintf(wal, sizeof wal, "%s-wal", db);
    assert_false(file_contains(db, tok + 4));
    assert_false(file_contains(wal, tok + 4));
    assert_true(file_contains(wal, "laptop") || file_contains(db, "laptop")); /* the search works */

    /* Malformed tokens. */
    char bad[80];
    assert_int_equal(limen_store_token_check(s, "", &u, &got), LIMEN_ENOTFOUND);
    assert_int_equal(limen_store_token_check(s, NULL, &u, &got), LIMEN_ENOTFOUND);
    snprintf(bad, sizeof bad, "xyz_%s", tok + 4);
    assert_int_equal(limen_store_token_check(s, bad, &u, &got), LIMEN_ENOTFOUND);
    snprintf(bad, sizeof bad, "%.46s", tok);
    assert_int_equal(limen_store_token_check(s, bad, &u, &got), LIMEN_ENOTFOUND);
    snprintf(bad, sizeof bad, "%sA", tok);
    assert_int_equal(limen_store_token_check(s, bad, &u, &got), LIMEN_ENOTFOUND);
    snprintf(bad, sizeof bad, "%s", tok);
    bad[10] = '+';
    assert_int_equal(limen_store_token_check(s, bad, &u, &got), LIMEN_ENOTFOUND);
    bad[10] = '=';
    assert_int_equal(limen_store_token_check(s, bad, &u, &got), LIMEN_ENOTFOUND);
    snprintf(bad, sizeof bad, "%s", tok);
    bad[20] = bad[20] == 'A' ? 'B' : 'A'; /* well formed, unknown */
    assert_int_equal(limen_store_token_check(s, bad, &u, &got), LIMEN_ENOTFOUND);

    /* A disabled user's tokens are refused until enabled again. */
    assert_int_equal(limen_store_user_disable(s, id, 1, &err), LIMEN_OK);
    assert_int_equal(limen_store_token_check(s, tok, &u, &got), LIMEN_ENOTFOUND);
    assert_int_equal(limen_store_user_get(s, id, &u), LIMEN_OK);
    assert_int_equal(u.disabled, 1);
    assert_int_equal(limen_store_user_disable(s, id, 0, &err), LIMEN_OK);
    assert_int_equal(limen_store_token_check(s, tok, &u, &got), LIMEN_OK);
    assert_int_equal(limen_store_user_disable(s, 777, 1, &err), LIMEN_ENOTFOUND);

    /* Revoked. */
    assert_int_equal(limen_store_token_revoke(s, tid), LIMEN_OK);
    assert_int_equal(limen_store_token_check(s, tok, &u, &got), LIMEN_ENOTFOUND);
    assert_int_equal(limen_store_token_revoke(s, 31337), LIMEN_ENOTFOUND);
    assert_int_equal(limen_store_token_check(s, tok2, &u, &got), LIMEN_OK);
    assert_string_equal(u.name, "bob");

    /*
     * Token checks read on their own connection: a revocation committed by
     * another process (plain SQLite here) counts at the very next check.
     */
    char p[1024];
    path_of(p, sizeof p, "users.db");
    raw_exec(p, "UPDATE tokens SET revoked = 1 WHERE id = (SELECT max(id) FROM tokens)");
    assert_int_equal(limen_store_token_check(s, tok2, &u, &got), LIMEN_ENOTFOUND);
    raw_exec(p, "UPDATE tokens SET revoked = 0");
    assert_int_equal(limen_store_token_check(s, tok2, &u, &got), LIMEN_OK);
    limen_store_close(s);
}

/* ---- alerts ---- */

struct each_ctx {
    int n;
    char ids[8][LIMEN_ALERT_ID_MAX];
    int64_t versions[8];
    int withdrawn[8];
    int stop_after;
};

static int each_cb(void *ctx, const struct limen_alert_meta *m, const char *json, size_t len)
{
    struct each_ctx *c = ctx;
    assert_int_equal(strlen(json), len);
    if (c->n < 8) {
        snprintf(c->ids[c->n], sizeof c->ids[c->n], "%s", m->id);
        c->versions[c->n] = m->version;
        c->withdrawn[c->n] = m->withdrawn;
    }
    c->n++;
    return c->stop_after && c->n >= c->stop_after;
}

/* A callback may read the store from the same thread (the mutex is recursive). */
static int reenter_cb(void *ctx, const struct limen_alert_meta *m, const char *json, size_t len)
{
    (void)json;
    (void)len;
    struct limen_store *s = ctx;
    struct limen_alert_meta again;
    assert_int_equal(limen_store_alert_get(s, m->id, 0, NULL, NULL, &again), LIMEN_OK);
    assert_int_equal(again.version, m->version);
    return 0;
}

static void test_alerts(void **state)
{
    (void)state;
    struct limen_store *s = open_db("alerts.db");
    struct limen_error err;
    int64_t v = 0;
    const char j1[] = "{\"id\":\"a1\",\"v\":1}", j2[] = "{\"id\":\"a1\",\"v\":2}";
    assert_int_equal(limen_store_alert_put(s, "a1", "FR-PAF", j1, strlen(j1), &v, &err), LIMEN_OK);
    assert_int_equal(v, 1);
    assert_int_equal(limen_store_alert_put(s, "a1", "FR-PAF", j2, strlen(j2), &v, &err), LIMEN_OK);
    assert_int_equal(v, 2);

    /* Another agency may not touch it: nothing written. */
    v = 0;
    assert_int_equal(limen_store_alert_put(s, "a1", "ES-CNP", "{}", 2, &v, &err), LIMEN_EFORBIDDEN);
    assert_int_equal(v, 0);
    assert_non_null(strstr(err.message, "FR-PAF"));
    assert_int_equal(limen_store_alert_withdraw(s, "a1", "ES-CNP", &v, &err), LIMEN_EFORBIDDEN);
    char *json = NULL;
    size_t len = 0;
    struct limen_alert_meta m;
    assert_int_equal(limen_store_alert_get(s, "a1", 0, &json, &len, &m), LIMEN_OK);
    assert_string_equal(json, j2);
    assert_int_equal(len, strlen(j2));
    assert_int_equal(m.version, 2);
    assert_int_equal(m.withdrawn, 0);
    assert_string_equal(m.owner, "FR-PAF");
    assert_true(m.created > 0 && m.updated >= m.created);
    limen_free(json);
    assert_int_equal(limen_store_alert_get(s, "a1", 3, &json, &len, &m), LIMEN_ENOTFOUND);
    assert_null(json);

    /* Specific versions. */
    assert_int_equal(limen_store_alert_get(s, "a1", 1, &json, &len, &m), LIMEN_OK);
    assert_string_equal(json, j1);
    assert_int_equal(m.version, 1);
    limen_free(json);

    /* Withdraw by the owner: a new version, same content. */
    assert_int_equal(limen_store_alert_withdraw(s, "a1", "FR-PAF", &v, &err), LIMEN_OK);
    assert_int_equal(v, 3);
    assert_int_equal(limen_store_alert_withdraw(s, "a1", "FR-PAF", &v, &err), LIMEN_OK);
    assert_int_equal(v, 3); /* already withdrawn: nothing written */
    assert_int_equal(limen_store_alert_get(s, "a1", 0, &json, NULL, &m), LIMEN_OK);
    assert_string_equal(json, j2);
    assert_int_equal(m.version, 3);
    assert_int_equal(m.withdrawn, 1);
    limen_free(json);
    assert_int_equal(limen_store_alert_withdraw(s, "zz", "FR-PAF", &v, &err), LIMEN_ENOTFOUND);
    /* Conditional: only at the version given, else a conflict naming the current one. */
    assert_int_equal(limen_store_alert_withdraw_if(s, "a1", "FR-PAF", 2, &v, &err),
                     LIMEN_ECONFLICT);
    assert_int_equal(v, 3);
    assert_string_equal(err.field, "version");
    assert_int_equal(limen_store_alert_withdraw_if(s, "a1", "FR-PAF", 0, &v, &err), LIMEN_EINVAL);
    assert_int_equal(limen_store_alert_withdraw_if(s, "a1", "ES-CNP", 3, &v, &err),
                     LIMEN_EFORBIDDEN);
    assert_int_equal(limen_store_alert_withdraw_if(s, "a1", "FR-PAF", 3, &v, &err), LIMEN_OK);
    assert_int_equal(v, 3);

    /* Put again after withdrawal: active. */
    assert_int_equal(limen_store_alert_put(s, "a1", "FR-PAF", j1, strlen(j1), &v, &err), LIMEN_OK);
    assert_int_equal(v, 4);
    assert_int_equal(limen_store_alert_get(s, "a1", 0, NULL, NULL, &m), LIMEN_OK);
    assert_int_equal(m.withdrawn, 0);

    /* Version conditions: a creation of a taken id, a stale version; nothing written. */
    assert_int_equal(limen_store_alert_put_if(s, "a1", "FR-PAF", j2, strlen(j2), 0, &v, &err),
                     LIMEN_ECONFLICT);
    assert_int_equal(v, 4);
    assert_string_equal(err.field, "id");
    assert_int_equal(limen_store_alert_put_if(s, "a1", "ES-CNP", j2, strlen(j2), 0, &v, &err),
                     LIMEN_ECONFLICT); /* another agency's id: taken all the same */
    assert_int_equal(limen_store_alert_put_if(s, "a1", "FR-PAF", j2, strlen(j2), 3, &v, &err),
                     LIMEN_ECONFLICT);
    assert_int_equal(v, 4);
    assert_string_equal(err.field, "version");
    assert_non_null(strstr(err.message, "version 4, not 3"));
    assert_int_equal(limen_store_alert_put_if(s, "a1", "ES-CNP", j2, strlen(j2), 4, &v, &err),
                     LIMEN_EFORBIDDEN); /* ownership before the version */
    assert_int_equal(limen_store_alert_get(s, "a1", 0, NULL, NULL, &m), LIMEN_OK);
    assert_int_equal(m.version, 4);
    assert_int_equal(limen_store_alert_put_if(s, "a1", "FR-PAF", j2, strlen(j2), 4, &v, &err),
                     LIMEN_OK);
    assert_int_equal(v, 5);
    assert_int_equal(limen_store_alert_put_if(s, "n1", "FR-PAF", j1, strlen(j1), 2, &v, &err),
                     LIMEN_ECONFLICT);
    assert_int_equal(v, 0); /* unknown: at version 0 */
    assert_int_equal(limen_store_alert_put_if(s, "n1", "FR-PAF", j1, strlen(j1), 0, &v, &err),
                     LIMEN_OK);
    assert_int_equal(v, 1);
    assert_int_equal(limen_store_alert_put_if(s, "n1", "FR-PAF", j1, strlen(j1), -2, &v, &err),
                     LIMEN_EINVAL);
    assert_int_equal(limen_store_alert_put_if(s, "n1", "FR-PAF", NULL, 0, 1, &v, &err),
                     LIMEN_EINVAL);
    assert_int_equal(limen_store_alert_withdraw(s, "n1", "FR-PAF", NULL, &err), LIMEN_OK);

    /* Other alerts and the order of each(). */
    assert_int_equal(limen_store_alert_put(s, "c3", "ES-CNP", "{\"c\":3}", 7, NULL, &err),
                     LIMEN_OK);
    assert_int_equal(limen_store_alert_put(s, "b2", "ES-CNP", "{\"b\":2}", 7, NULL, &err),
                     LIMEN_OK);
    assert_int_equal(limen_store_alert_withdraw(s, "b2", "ES-CNP", NULL, &err), LIMEN_OK);
    struct each_ctx c;
    memset(&c, 0, sizeof c);
    assert_int_equal(limen_store_alerts_each(s, each_cb, &c), LIMEN_OK);
    assert_int_equal(c.n, 4);
    assert_string_equal(c.ids[0], "a1");
    assert_string_equal(c.ids[1], "b2");
    assert_string_equal(c.ids[2], "c3");
    assert_string_equal(c.ids[3], "n1");
    assert_int_equal(c.versions[0], 5);
    assert_int_equal(c.versions[1], 2);
    assert_int_equal(c.withdrawn[1], 1);
    assert_int_equal(c.withdrawn[2], 0);
    memset(&c, 0, sizeof c);
    c.stop_after = 2;
    assert_int_equal(limen_store_alerts_each(s, each_cb, &c), LIMEN_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(limen_store_alerts_each(s, reenter_cb, s), LIMEN_OK);

    /* Bad arguments. */
    assert_int_equal(limen_store_alert_put(s, "", "FR-PAF", "{}", 2, &v, &err), LIMEN_EINVAL);
    assert_int_equal(limen_store_alert_put(s, "x", "bad owner", "{}", 2, &v, &err), LIMEN_EINVAL);
    assert_int_equal(limen_store_alert_put(s, "x", "FR-PAF", NULL, 0, &v, &err), LIMEN_EINVAL);
    assert_int_equal(limen_store_alert_put(s, "x", "FR-PAF", "{}", 0, &v, &err), LIMEN_EINVAL);
    /* Ids with quotes stay data, not SQL. */
    assert_int_equal(
        limen_store_alert_put(s, "x'; DROP TABLE alerts; --", "FR-PAF", "{}", 2, &v, &err),
        LIMEN_OK);
    assert_int_equal(limen_store_alert_get(s, "x'; DROP TABLE alerts; --", 0, NULL, NULL, &m),
                     LIMEN_OK);
    limen_store_close(s);
}

/* ---- hits ---- */

struct hits_ctx {
    int n;
    int64_t ids[16];
    char first_query[64];
};

static int hits_cb(void *ctx, const struct limen_hit *h)
{
    struct hits_ctx *c = ctx;
    if (c->n == 0)
        snprintf(c->first_query, sizeof c->first_query, "%s", h->query_json);
    if (c->n < 16)
        c->ids[c->n] = h->id;
    c->n++;
    return 0;
}

static void test_hits(void **state)
{
    (void)state;
    struct limen_store *s = open_db("hits.db");
    struct limen_error err;
    assert_int_equal(limen_store_alert_put(s, "a1", "FR-PAF", "{}", 2, NULL, &err), LIMEN_OK);
    assert_int_equal(limen_store_alert_put(s, "b1", "ES-CNP", "{}", 2, NULL, &err), LIMEN_OK);

    int64_t last = -1;
    assert_int_equal(limen_store_hit_last_id(s, &last), LIMEN_OK);
    assert_int_equal(last, 0);
    assert_int_equal(limen_store_hit_last_id(s, NULL), LIMEN_EINVAL);

    struct limen_hit h;
    memset(&h, 0, sizeof h);
    snprintf(h.by_agency, sizeof h.by_agency, "MA-DGSN");
    snprintf(h.post, sizeof h.post, "Tanger Med");
    h.by_user = 7;
    h.at = 1700000000;
    h.score = 0.93;
    h.query_json = "{\"name\":\"x\"}";
    h.explanation_json = "{}";
    int64_t ids[10];
    for (int i = 0; i < 10; i++) {
        snprintf(h.alert_id, sizeof h.alert_id, "%s", i % 2 ? "b1" : "a1");
        assert_int_equal(limen_store_hit_add(s, &h, &ids[i], &err), LIMEN_OK);
    }
    assert_int_equal(limen_store_hit_last_id(s, &last), LIMEN_OK);
    assert_int_equal(last, ids[9]);
    /* Owner given and wrong, unknown alert without owner. */
    snprintf(h.alert_id, sizeof h.alert_id, "a1");
    snprintf(h.owner, sizeof h.owner, "ES-CNP");
    assert_int_equal(limen_store_hit_add(s, &h, NULL, &err), LIMEN_EINVAL);
    h.owner[0] = '\0';
    snprintf(h.alert_id, sizeof h.alert_id, "nope");
    assert_int_equal(limen_store_hit_add(s, &h, NULL, &err), LIMEN_ENOTFOUND);

    struct hits_ctx c;
    memset(&c, 0, sizeof c);
    assert_int_equal(limen_store_hits_list(s, "FR-PAF", 0, 100, hits_cb, &c), LIMEN_OK);
    assert_int_equal(c.n, 5);
    assert_int_equal(c.ids[0], ids[0]);
    assert_int_equal(c.ids[4], ids[8]);
    assert_string_equal(c.first_query, "{\"name\":\"x\"}");
    memset(&c, 0, sizeof c);
    assert_int_equal(limen_store_hits_list(s, "FR-PAF", ids[2], 2, hits_cb, &c), LIMEN_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.ids[0], ids[4]);
    assert_int_equal(c.ids[1], ids[6]);
    memset(&c, 0, sizeof c);
    assert_int_equal(limen_store_hits_list(s, "MA-DGSN", 0, 100, hits_cb, &c), LIMEN_OK);
    assert_int_equal(c.n, 0);

    assert_int_equal(limen_store_hit_mark(s, ids[0], "FR-PAF", LIMEN_HIT_CONFIRMED, &err),
                     LIMEN_OK);
    assert_int_equal(limen_store_hit_mark(s, ids[0], "ES-CNP", LIMEN_HIT_FALSE_POSITIVE, &err),
                     LIMEN_EFORBIDDEN);
    assert_int_equal(limen_store_hit_mark(s, ids[0], "MA-DGSN", LIMEN_HIT_FALSE_POSITIVE, &err),
                     LIMEN_EFORBIDDEN); /* the screening agency does not own the alert */
    assert_int_equal(limen_store_hit_mark(s, 99999, "FR-PAF", LIMEN_HIT_CONFIRMED, &err),
                     LIMEN_ENOTFOUND);
    assert_int_equal(limen_store_hit_mark(s, ids[0], "FR-PAF", (enum limen_hit_status)5, &err),
                     LIMEN_EINVAL);
    char db[1024];
    path_of(db, sizeof db, "hits.db");
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT status FROM hits WHERE id = %lld", (long long)ids[0]);
    assert_int_equal(raw_int(db, sql), LIMEN_HIT_CONFIRMED);
    limen_store_close(s);
}

/* ---- audit ---- */

static void append_n(struct limen_store *s, int from, int to)
{
    struct limen_error err;
    for (int i = from; i <= to; i++) {
        char search[64], results[64];
        snprintf(search, sizeof search, "{\"name\":\"person %d\"}", i);
        snprintf(results, sizeof results, "[\"alert-%d\"]", i);
        struct limen_audit_entry e = {
            0,      1000 + i, 1 + i % 3, i % 2 ? "alice" : "bob", "FR-PAF", "POST /v1/screen",
            search, results,  200};
        int64_t seq = 0;
        if (limen_store_audit_append(s, &e, &seq, &err) != LIMEN_OK)
            fail_msg("append %d: %s", i, err.message);
        assert_int_equal(seq, i);
    }
}

struct list_ctx {
    int n;
    int64_t first, last;
};

static int list_cb(void *ctx, const struct limen_audit_entry *e)
{
    struct list_ctx *c = ctx;
    if (c->n == 0)
        c->first = e->seq;
    c->last = e->seq;
    c->n++;
    assert_string_equal(e->action, "POST /v1/screen");
    assert_int_equal(e->at, 1000 + e->seq);
    return 0;
}

/*
 * Copies audit.db (and its key) to copy.db, runs `sql` on the copy with
 * plain SQLite, then verifies it with the store: the status, first_bad and
 * message are returned.
 */
static limen_status tamper(const char *sql, const char *keyfile, int64_t *first_bad, char *msg,
                           size_t cap)
{
    char src[1024], dst[1024], a[1100], b[1100], key[1024];
    path_of(src, sizeof src, "audit.db");
    path_of(dst, sizeof dst, "copy.db");
    rm_db(dst);
    copy_file(src, dst);
    snprintf(a, sizeof a, "%s-wal", src);
    snprintf(b, sizeof b, "%s-wal", dst);
    copy_file(a, b);
    path_of(key, sizeof key, "copy.key");
    if (keyfile) {
        snprintf(key, sizeof key, "%s", keyfile);
    } else {
        snprintf(a, sizeof a, "%s.audit-key", src);
        copy_file(a, key);
    }
    if (sql)
        raw_exec(dst, sql);
    struct limen_store_options o = {key, 0};
    struct limen_store *s = NULL;
    struct limen_error err;
    assert_int_equal(limen_store_open(dst, &o, &s, &err), LIMEN_OK);
    int64_t checked = 0;
    *first_bad = -1;
    limen_status st = limen_store_audit_verify(s, &checked, first_bad, &err);
    snprintf(msg, cap, "%s", st == LIMEN_OK ? "" : err.message);
    limen_store_close(s);
    return st;
}

static void expect_tamper(const char *what, const char *sql, const char *keyfile, int64_t want_bad,
                          const char *want_msg)
{
    int64_t bad = 0;
    char msg[256];
    limen_status st = tamper(sql, keyfile, &bad, msg, sizeof msg);
    if (st != LIMEN_ETAMPER)
        fail_msg("%s: not detected (%s)", what, limen_status_name(st));
    if (bad != want_bad)
        fail_msg("%s: first_bad %lld, expected %lld (%s)", what, (long long)bad,
                 (long long)want_bad, msg);
    if (want_msg && !strstr(msg, want_msg))
        fail_msg("%s: message \"%s\" lacks \"%s\"", what, msg, want_msg);
}

static void test_audit(void **state)
{
    (void)state;
    struct limen_store *s = open_db("audit.db");
    struct limen_error err;
    int64_t checked = 0, bad = 0;
    assert_int_equal(limen_store_audit_verify(s, &checked, &bad, &err), LIMEN_OK);
    assert_int_equal(checked, 0);
    append_n(s, 1, 50);
    assert_int_equal(limen_store_audit_verify(s, &checked, &bad, &err), LIMEN_OK);
    assert_int_equal(checked, 50);

    struct list_ctx c = {0, 0, 0};
    assert_int_equal(limen_store_audit_list(s, 45, 100, list_cb, &c), LIMEN_OK);
    assert_int_equal(c.n, 5);
    assert_int_equal(c.first, 46);
    memset(&c, 0, sizeof c);
    assert_int_equal(limen_store_audit_list(s, 0, 10, list_cb, &c), LIMEN_OK);
    assert_int_equal(c.n, 10);
    assert_int_equal(c.last, 10);
    limen_store_close(s);

    /* An untouched copy verifies. */
    char msg[256];
    assert_int_equal(tamper(NULL, NULL, &bad, msg, sizeof msg), LIMEN_OK);

    expect_tamper("edit", "UPDATE audit SET user = 'mallory' WHERE seq = 17", NULL, 17,
                  "entry 17 does not match its MAC");
    expect_tamper("edit the results", "UPDATE audit SET results = '[]' WHERE seq = 17", NULL, 17,
                  "entry 17");
    expect_tamper("edit the time", "UPDATE audit SET at = at - 1 WHERE seq = 17", NULL, 17,
                  "entry 17");
    expect_tamper("edit the MAC", "UPDATE audit SET mac = zeroblob(32) WHERE seq = 17", NULL, 17,
                  "entry 17");
    expect_tamper("delete", "DELETE FROM audit WHERE seq = 17", NULL, 17,
                  "entry 17 missing (deleted?)");
    expect_tamper("insert",
                  "UPDATE audit SET seq = seq + 1000 WHERE seq > 20;"
                  "UPDATE audit SET seq = seq - 999 WHERE seq > 1000;"
                  "INSERT INTO audit SELECT 21, at, user_id, 'forged', agency, action, search,"
                  " results, status, mac FROM audit WHERE seq = 20;"
                  "UPDATE audit_head SET last_seq = 51",
                  NULL, 21, "entry 21");
    expect_tamper("reorder",
                  "UPDATE audit SET seq = -10 WHERE seq = 10;"
                  "UPDATE audit SET seq = 10 WHERE seq = 11;"
                  "UPDATE audit SET seq = 11 WHERE seq = -10",
                  NULL, 10, "entry 10");
    expect_tamper("cut the end", "DELETE FROM audit WHERE seq > 47", NULL, 48,
                  "head says the log ends at entry 50, it ends at 47");
    {
        /* Appending after the cut is refused: the head's last entry is gone. */
        char cdb[1024], ckey[1024];
        path_of(cdb, sizeof cdb, "copy.db");
        path_of(ckey, sizeof ckey, "copy.key");
        struct limen_store_options o = {ckey, 0};
        struct limen_store *t = NULL;
        assert_int_equal(limen_store_open(cdb, &o, &t, &err), LIMEN_OK);
        struct limen_audit_entry e = {0, 5000, 1, "u", "FR-PAF", "GET /", "", "[]", 200};
        assert_int_equal(limen_store_audit_append(t, &e, NULL, &err), LIMEN_ETAMPER);
        assert_non_null(strstr(err.message, "entry 50"));
        limen_store_close(t);
    }
    expect_tamper("cut the end and fix the head",
                  "DELETE FROM audit WHERE seq > 47;"
                  "UPDATE audit_head SET last_seq = 47,"
                  " last_mac = (SELECT mac FROM audit WHERE seq = 47)",
                  NULL, 48, "does not match its MAC");
    /* The store will not bless that head with a fresh MAC by appending, nor prune over it. */
    {
        char cdb[1024], ckey[1024];
        path_of(cdb, sizeof cdb, "copy.db");
        path_of(ckey, sizeof ckey, "copy.key");
        struct limen_store_options o = {ckey, 0};
        struct limen_store *t = NULL;
        assert_int_equal(limen_store_open(cdb, &o, &t, &err), LIMEN_OK);
        struct limen_audit_entry e = {0, 5000, 1, "u", "FR-PAF", "GET /", "", "[]", 200};
        assert_int_equal(limen_store_audit_append(t, &e, NULL, &err), LIMEN_ETAMPER);
        int64_t deleted = -1;
        assert_int_equal(limen_store_audit_prune(t, 1030, &deleted, &err), LIMEN_ETAMPER);
        assert_int_equal(deleted, 0);
        assert_int_equal(limen_store_audit_verify(t, &checked, &bad, &err), LIMEN_ETAMPER);
        assert_int_equal(bad, 48);
        limen_store_close(t);
    }
    expect_tamper("append without the key",
                  "INSERT INTO audit SELECT 51, at, user_id, user, agency, action, search,"
                  " results, status, mac FROM audit WHERE seq = 50",
                  NULL, 51, "");
    expect_tamper("cut the start and move the anchor",
                  "UPDATE audit_anchor SET seq = 5, mac = (SELECT mac FROM audit WHERE seq = 5);"
                  "DELETE FROM audit WHERE seq <= 5",
                  NULL, 6, "anchor");
    expect_tamper("cut the start", "DELETE FROM audit WHERE seq <= 5", NULL, 1, "entry 1 missing");
    expect_tamper("delete the head", "DELETE FROM audit_head", NULL, 51, "head");
    expect_tamper("empty the log",
                  "DELETE FROM audit; UPDATE audit_head SET last_seq = 0, last_mac = zeroblob(32)",
                  NULL, 1, "");

    /* A wrong key: nothing verifies. */
    char wrong[1024];
    path_of(wrong, sizeof wrong, "wrong.key");
    FILE *f = fopen(wrong, "wb");
    for (int i = 0; i < 32; i++)
        fputc(i * 7 + 1, f);
    fclose(f);
    expect_tamper("wrong key", NULL, wrong, 1, "");
}

static void test_prune(void **state)
{
    (void)state;
    struct limen_store *s = open_db("prune.db");
    struct limen_error err;
    int64_t checked = 0, bad = 0, deleted = -1;
    append_n(s, 1, 50);
    /* Entries 1..19 have at < 1020. */
    assert_int_equal(limen_store_audit_prune(s, 1020, &deleted, &err), LIMEN_OK);
    assert_int_equal(deleted, 19);
    assert_int_equal(limen_store_audit_verify(s, &checked, &bad, &err), LIMEN_OK);
    assert_int_equal(checked, 31);
    assert_int_equal(limen_store_audit_prune(s, 1020, &deleted, &err), LIMEN_OK);
    assert_int_equal(deleted, 0);
    struct list_ctx c = {0, 0, 0};
    assert_int_equal(limen_store_audit_list(s, 0, 3, list_cb, &c), LIMEN_OK);
    assert_int_equal(c.first, 20);
    append_n(s, 51, 55);
    assert_int_equal(limen_store_audit_verify(s, &checked, &bad, &err), LIMEN_OK);
    assert_int_equal(checked, 36);
    /* Everything. */
    assert_int_equal(limen_store_audit_prune(s, 5000, &deleted, &err), LIMEN_OK);
    assert_int_equal(deleted, 36);
    assert_int_equal(limen_store_audit_verify(s, &checked, &bad, &err), LIMEN_OK);
    assert_int_equal(checked, 0);
    append_n(s, 56, 57);
    assert_int_equal(limen_store_audit_verify(s, &checked, &bad, &err), LIMEN_OK);
    assert_int_equal(checked, 2);
    limen_store_close(s);

    /* After pruning, deleting the first remaining entry is still seen. */
    char db[1024];
    path_of(db, sizeof db, "prune.db");
    raw_exec(db, "DELETE FROM audit WHERE seq = 56");
    s = open_db("prune.db");
    assert_int_equal(limen_store_audit_verify(s, &checked, &bad, &err), LIMEN_ETAMPER);
    assert_int_equal(bad, 56);
    limen_store_close(s);

    /* A moved anchor: verify says so and prune refuses to build on it. */
    raw_exec(db, "UPDATE audit_anchor SET seq = seq + 1");
    s = open_db("prune.db");
    assert_int_equal(limen_store_audit_verify(s, &checked, &bad, &err), LIMEN_ETAMPER);
    assert_non_null(strstr(err.message, "anchor"));
    assert_int_equal(limen_store_audit_prune(s, 999999, &deleted, &err), LIMEN_ETAMPER);
    assert_int_equal(deleted, 0);
    limen_store_close(s);
}

/* ---- durability ---- */

static void test_durable(void **state)
{
    (void)state;
    struct limen_store *s = open_db("durable.db");
    struct limen_error err;
    char db[1024];
    path_of(db, sizeof db, "durable.db");
    assert_int_equal(limen_store_alert_put(s, "d1", "FR-PAF", "{\"d\":1}", 7, NULL, &err),
                     LIMEN_OK);
    /* Another connection sees it while the store is still open. */
    assert_int_equal(raw_int(db, "SELECT count(*) FROM alerts WHERE id = 'd1'"), 1);
    struct limen_audit_entry e = {0, 5, 1, "u", "FR-PAF", "PUT /v1/alerts/d1", "", "[\"d1\"]", 201};
    assert_int_equal(limen_store_audit_append(s, &e, NULL, &err), LIMEN_OK);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM audit"), 1);
    /* at == 0: now. */
    e.at = 0;
    assert_int_equal(limen_store_audit_append(s, &e, NULL, &err), LIMEN_OK);
    assert_true(raw_int(db, "SELECT at FROM audit WHERE seq = 2") > 1600000000);
    limen_store_close(s);
}

/* ---- allocation failures ---- */

static void test_alloc_failures(void **state)
{
    (void)state;
    char db[1024];
    path_of(db, sizeof db, "alloc.db");
    struct limen_store *s = NULL;
    struct limen_error err;
    limen_status st;
    int failures = 0;
    for (unsigned long n = 1; n < 100; n++) {
        limen__alloc_fail_after(n, 0);
        st = limen_store_open(db, NULL, &s, &err);
        limen__alloc_fail_after(0, 0);
        if (st == LIMEN_OK)
            break;
        assert_int_equal(st, LIMEN_ENOMEM);
        assert_null(s);
        failures++;
    }
    assert_non_null(s);
    assert_true(failures >= 2);

    for (int i = 0; i < 20; i++) {
        char code[16];
        snprintf(code, sizeof code, "AG-%02d", i);
        add_agency(s, code, "fr");
    }
    struct limen_agency *all = NULL;
    size_t n = 0;
    failures = 0;
    for (unsigned long k = 1; k < 100; k++) {
        limen__alloc_fail_after(k, 0);
        st = limen_store_agencies(s, &all, &n);
        limen__alloc_fail_after(0, 0);
        if (st == LIMEN_OK)
            break;
        assert_int_equal(st, LIMEN_ENOMEM);
        assert_null(all);
        failures++;
    }
    assert_int_equal(n, 20);
    assert_true(failures >= 3); /* 8, 16, 32 */
    limen_free(all);

    assert_int_equal(limen_store_alert_put(s, "m1", "AG-01", "{\"m\":1}", 7, NULL, &err), LIMEN_OK);
    char *json = NULL;
    limen__alloc_fail_after(1, 1);
    st = limen_store_alert_get(s, "m1", 0, &json, NULL, NULL);
    limen__alloc_fail_after(0, 0);
    assert_int_equal(st, LIMEN_ENOMEM);
    assert_null(json);
    assert_int_equal(limen_store_alert_get(s, "m1", 0, &json, NULL, NULL), LIMEN_OK);
    assert_string_equal(json, "{\"m\":1}");
    limen_free(json);
    limen_store_close(s);
}

/* ---- threads ---- */

#define NTHREADS   4
#define PER_THREAD 50

struct worker {
    struct limen_store *s;
    int n;
    int failures;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    struct limen_error err;
    for (int i = 0; i < PER_THREAD; i++) {
        char id[32], json[64];
        snprintf(id, sizeof id, "t%d-%d", w->n, i % 5);
        snprintf(json, sizeof json, "{\"t\":%d,\"i\":%d}", w->n, i);
        struct limen_audit_entry e = {0, 100 + i, w->n, "worker", "FR-PAF", "PUT", json, "[]", 200};
        if (limen_store_audit_append(w->s, &e, NULL, &err) != LIMEN_OK)
            w->failures++;
        if (limen_store_alert_put(w->s, id, "FR-PAF", json, strlen(json), NULL, &err) != LIMEN_OK)
            w->failures++;
    }
    return NULL;
}

static int count_cb(void *ctx, const struct limen_alert_meta *m, const char *json, size_t len)
{
    (void)json;
    (void)len;
    int *c = ctx;
    if (m->version == PER_THREAD / 5)
        (*c)++;
    return 0;
}

/* A group commit: three writes in one transaction, one of them refused. */
struct batch_ctx {
    struct limen_store *s;
    limen_status st[4];
};

static void batch_fn(void *ctx)
{
    struct batch_ctx *b = ctx;
    struct limen_error err;
    struct limen_audit_entry e = {0, 5, 1, "u", "FR-PAF", "POST /v1/screen", "{}", "[]", 200};
    b->st[0] = limen_store_audit_append(b->s, &e, NULL, &err);
    b->st[1] = limen_store_alert_put(b->s, "b1", "FR-PAF", "{\"b\":1}", 7, NULL, &err);
    /* refused (another owner): undone alone, the batch goes on */
    b->st[2] = limen_store_alert_put(b->s, "b1", "IT-PS", "{\"b\":2}", 7, NULL, &err);
    b->st[3] = limen_store_audit_append(b->s, &e, NULL, &err);
}

static void nested_fn(void *ctx)
{
    struct batch_ctx *b = ctx;
    b->st[0] = limen_store_batch(b->s, batch_fn, b, NULL);
}

static void test_batch(void **state)
{
    (void)state;
    struct limen_store *s = open_db("batch.db");
    char db[1024];
    path_of(db, sizeof db, "batch.db");
    struct batch_ctx b = {s, {LIMEN_EINVAL, LIMEN_EINVAL, LIMEN_EINVAL, LIMEN_EINVAL}};
    struct limen_error err;
    assert_int_equal(limen_store_batch(s, batch_fn, &b, &err), LIMEN_OK);
    assert_int_equal(b.st[0], LIMEN_OK);
    assert_int_equal(b.st[1], LIMEN_OK);
    assert_int_equal(b.st[2], LIMEN_EFORBIDDEN);
    assert_int_equal(b.st[3], LIMEN_OK);
    /* durable and whole: both audit entries, one version of b1 */
    assert_int_equal(raw_int(db, "SELECT count(*) FROM audit"), 2);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM alerts WHERE id = 'b1'"), 1);
    int64_t checked = 0, bad = 0;
    assert_int_equal(limen_store_audit_verify(s, &checked, &bad, &err), LIMEN_OK);
    assert_int_equal(checked, 2);
    /* writes outside a batch still work, and batches do not nest */
    struct limen_audit_entry e = {0, 6, 1, "u", "FR-PAF", "GET /v1/hits", "", "[]", 200};
    assert_int_equal(limen_store_audit_append(s, &e, NULL, &err), LIMEN_OK);
    assert_int_equal(limen_store_batch(s, nested_fn, &b, &err), LIMEN_OK);
    assert_int_equal(b.st[0], LIMEN_ESTATE);
    assert_int_equal(limen_store_batch(NULL, batch_fn, &b, &err), LIMEN_EINVAL);
    assert_int_equal(limen_store_audit_verify(s, &checked, &bad, &err), LIMEN_OK);
    /* Each append verifies the head: the last entry deleted between two batches
     * stops the next one's appends. */
    assert_int_equal(limen_store_batch(s, batch_fn, &b, &err), LIMEN_OK);
    assert_int_equal(b.st[0], LIMEN_OK);
    assert_int_equal(b.st[3], LIMEN_OK);
    assert_int_equal(limen_store_audit_verify(s, &checked, &bad, &err), LIMEN_OK);
    assert_int_equal(checked, 5);
    raw_exec(db, "DELETE FROM audit WHERE seq = 5");
    assert_int_equal(limen_store_batch(s, batch_fn, &b, &err), LIMEN_OK);
    assert_int_equal(b.st[0], LIMEN_ETAMPER);
    assert_int_equal(b.st[3], LIMEN_ETAMPER);
    assert_int_equal(raw_int(db, "SELECT max(seq) FROM audit"), 4);
    limen_store_close(s);
}

static void test_threads(void **state)
{
    (void)state;
    struct limen_store *s = open_db("threads.db");
    pthread_t th[NTHREADS];
    struct worker w[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        w[i] = (struct worker){s, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    struct limen_error err;
    int64_t checked = 0, bad = 0;
    assert_int_equal(limen_store_audit_verify(s, &checked, &bad, &err), LIMEN_OK);
    assert_int_equal(checked, NTHREADS * PER_THREAD);
    int full = 0;
    assert_int_equal(limen_store_alerts_each(s, count_cb, &full), LIMEN_OK);
    assert_int_equal(full, NTHREADS * 5);
    limen_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open),           cmocka_unit_test(test_agencies),
        cmocka_unit_test(test_users_tokens),   cmocka_unit_test(test_alerts),
        cmocka_unit_test(test_hits),           cmocka_unit_test(test_audit),
        cmocka_unit_test(test_prune),          cmocka_unit_test(test_durable),
        cmocka_unit_test(test_alloc_failures), cmocka_unit_test(test_threads),
        cmocka_unit_test(test_batch),          cmocka_unit_test(test_migrate),
        cmocka_unit_test(test_groups),         cmocka_unit_test(test_alert_changes),
        cmocka_unit_test(test_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
