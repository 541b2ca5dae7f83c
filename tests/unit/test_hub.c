/*
 * The hub's state apart from HTTP (src/server/hub.c): its snapshot. A
 * snapshot written and loaded gives the same table and screening as a
 * rebuild; changes made after it are applied at the next open; a snapshot cut
 * at any length or with a damaged byte is not used (the hub rebuilds, nothing
 * is lost); one with any byte changed and its checksum fixed up, as a forger
 * would, never crashes the open (under ASan in `make check`).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "alloc.h"
#include "hub.h"

#define NALERTS 40

static char dir[512];

static void path_of(char *out, size_t cap, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < cap);
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/limen-test-hub-%ld", tmp && *tmp ? tmp : "/tmp", (long)getpid());
    return mkdir(dir, 0700) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The first ten name the alerts made first; all are screened. */
static const char *const surnames[] = {"Zerouali", "Benali",  "Haddad",  "Mansouri", "Tazi",
                                       "Alaoui",   "Idrissi", "Bennani", "Chraibi",  "Fassi",
                                       "Sqalli",   "Lahlou",  "Berrada"};

static void put_alert(struct limen_store *s, int i, const char *surname, const char *extra)
{
    char json[1024], id[32];
    struct limen_error err;
    snprintf(id, sizeof id, "h%d", i);
    int n = snprintf(json, sizeof json,
                     "{\"id\":\"%s\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Karim %s "
                     "%c%c\"],\"birthDate\":[\"1980-03-%02d\"]},\"alert\":{\"owner\":\"FR-PN\","
                     "\"category\":\"inquiry_check\",\"action\":\"report\",\"handling\":\"H%d\","
                     "\"distribution\":{\"agencies\":[\"IT-PS\"]}%s}}",
                     id, surname, 'a' + i % 26, 'a' + i / 26, i % 28 + 1, i % 4, extra);
    assert_true(n > 0 && (size_t)n < sizeof json);
    assert_int_equal(limen_store_alert_put(s, id, "FR-PN", json, (size_t)n, NULL, &err), LIMEN_OK);
}

static struct limen_store *open_store_at(const char *name)
{
    char db[600];
    path_of(db, sizeof db, name);
    struct limen_store *s = NULL;
    struct limen_error err;
    assert_int_equal(limen_store_open(db, NULL, &s, &err), LIMEN_OK);
    struct limen_agency ag = {"FR-PN", "fr", "Police nationale", ""};
    assert_int_equal(limen_store_agency_put(s, &ag, &err), LIMEN_OK);
    snprintf(ag.code, sizeof ag.code, "IT-PS");
    snprintf(ag.country, sizeof ag.country, "it");
    assert_int_equal(limen_store_agency_put(s, &ag, &err), LIMEN_OK);
    return s;
}

static struct limen_store *open_store(void)
{
    return open_store_at("hub.db");
}

/*
 * The store `name` with the alerts h0 .. h<NALERTS-1> (surnames[i % 10]),
 * its snapshot's path ("<name>.snapshot") in snap, and the hub opened on it
 * (rebuilt: no snapshot yet).
 */
static struct limen_store *open_serving(const char *name, struct hub *h, char *snap, size_t cap)
{
    struct limen_store *s = open_store_at(name);
    struct limen_error err;
    char base[300];
    for (int i = 0; i < NALERTS; i++)
        put_alert(s, i, surnames[i % 10], "");
    snprintf(base, sizeof base, "%s.snapshot", name);
    path_of(snap, cap, base);
    assert_int_equal(hub_open(h, s, NULL, &err), 0);
    return s;
}

/* The ids screening returns for each surname, one line each, into out. */
static void screen_all(struct hub *h, char *out, size_t cap)
{
    size_t at = 0;
    out[0] = '\0';
    for (size_t k = 0; k < sizeof surnames / sizeof surnames[0]; k++) {
        char q[256];
        struct limen_entity *e = NULL;
        struct limen_results *r = NULL;
        struct limen_error err;
        int n = snprintf(
            q, sizeof q,
            "{\"id\":\"q\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Karim %s\"]}}",
            surnames[k]);
        assert_int_equal(limen_entity_parse(q, (size_t)n, &e, &err), LIMEN_OK);
        struct limen_screen_options o;
        limen_screen_options_init(&o);
        o.limit = 20;
        assert_int_equal(limen_screen(h->idx, e, &o, &r, &err), LIMEN_OK);
        for (size_t i = 0; i < limen_results_count(r); i++)
            at += (size_t)snprintf(out + at, cap - at, "%s:%.3f ", limen_result_id(r, i),
                                   limen_result_score(r, i));
        at += (size_t)snprintf(out + at, cap - at, "\n");
        assert_true(at < cap);
        limen_results_free(r);
        limen_entity_free(e);
    }
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc((size_t)n);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void write_all(const char *path, const unsigned char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

/*
 * Opens the hub on the snapshot; whether it was used (else rebuilt). Every
 * alert must be there, unless `forged` (a file made to pass the checksum: only
 * memory safety is asked of the hub then, its writer could change the store).
 */
static int open_checked(struct limen_store *s, const char *snap, const char *want_screen,
                        int forged)
{
    struct hub h;
    struct limen_error err;
    static char got[16384];
    assert_int_equal(hub_open(&h, s, snap, &err), 0);
    int used = h.snap_index[0] != '\0';
    if (forged) {
        hub_close(&h);
        return used;
    }
    assert_int_equal(h.nalerts, NALERTS);
    for (int i = 0; i < NALERTS; i++) {
        char id[32];
        snprintf(id, sizeof id, "h%d", i);
        assert_non_null(hub_entry_find(&h, id));
    }
    if (want_screen && used) {
        screen_all(&h, got, sizeof got);
        assert_string_equal(got, want_screen);
    }
    hub_close(&h);
    return used;
}

static void test_snapshot(void **state)
{
    (void)state;
    static char rebuilt[16384], loaded[16384];
    struct hub_snapshot_stats st;
    struct limen_store *s = open_store();
    struct limen_error err;
    for (int i = 0; i < NALERTS - 2; i++)
        put_alert(s, i, surnames[i % 10], "");
    char snap[600];
    path_of(snap, sizeof snap, "hub.db.snapshot");

    /* A missing snapshot: rebuilt. Then written, loaded: the same table and screening. */
    struct hub h;
    assert_int_equal(hub_open(&h, s, snap, &err), 0);
    assert_int_equal(h.nalerts, NALERTS - 2);
    assert_string_equal(h.snap_index, "");
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 0);
    assert_int_equal(st.alerts, NALERTS - 2);
    assert_int_equal(st.watermark, NALERTS - 2);
    assert_true(st.locked >= 0 && st.locked <= st.seconds);
    hub_close(&h);

    /* Changes after the snapshot: two creations, an update, a withdrawal. */
    put_alert(s, NALERTS - 2, "Lahlou", "");
    put_alert(s, NALERTS - 1, "Berrada", ",\"valid_until\":\"2001-01-01\"");
    put_alert(s, 3, "Sqalli", "");
    assert_int_equal(limen_store_alert_withdraw(s, "h4", "FR-PN", NULL, &err), LIMEN_OK);

    assert_int_equal(hub_open(&h, s, NULL, &err), 0);
    screen_all(&h, rebuilt, sizeof rebuilt);
    hub_close(&h);
    assert_non_null(strstr(rebuilt, "h3:"));  /* the updated alert, under its new name */
    assert_null(strstr(rebuilt, "h4:"));      /* withdrawn */
    assert_null(strstr(rebuilt, "h39:"));     /* expired */
    assert_non_null(strstr(rebuilt, "h38:")); /* created after the snapshot */

    assert_int_equal(hub_open(&h, s, snap, &err), 0);
    assert_string_not_equal(h.snap_index, "");
    screen_all(&h, loaded, sizeof loaded);
    const struct hub_entry *e = hub_entry_find(&h, "h3");
    assert_non_null(e);
    struct hub_alert a;
    hub_entry_unpack(e, &a);
    assert_int_equal(a.version, 2);
    assert_string_equal(a.dist[0], "IT-PS");
    assert_int_equal(h.nalerts, NALERTS);
    /* The snapshot again, with the changes; the old index file goes. */
    char old_index[4096];
    snprintf(old_index, sizeof old_index, "%s", h.snap_index);
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 0);
    assert_int_not_equal(access(old_index, F_OK), 0);
    /* Nothing changed since: nothing to write. */
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 1);
    hub_close(&h);
    assert_string_equal(loaded, rebuilt);
    assert_int_equal(open_checked(s, snap, rebuilt, 0), 1);

    /* Every cut of the file: rebuilt, nothing lost. */
    size_t len = 0;
    unsigned char *good = read_all(snap, &len);
    for (size_t cut = 0; cut < len; cut += (cut < 64 ? 1 : 37)) {
        write_all(snap, good, cut);
        assert_int_equal(open_checked(s, snap, NULL, 0), 0);
    }
    /* Every byte damaged: the checksum sees it, the hub rebuilds, nothing is lost. */
    unsigned char *bad = malloc(len);
    assert_non_null(bad);
    for (size_t i = 0; i < len; i += (i < 64 ? 1 : 13)) {
        memcpy(bad, good, len);
        bad[i] ^= 0x04;
        write_all(snap, bad, len);
        assert_int_equal(open_checked(s, snap, NULL, 0), 0);
    }
    /* Every byte changed and the checksum made right again (forged): never a crash. */
    int used = 0;
    for (size_t i = 0; i + 8 < len; i++) {
        memcpy(bad, good, len);
        bad[i] ^= 0x80;
        uint64_t sum = hub_snapshot_sum(bad, len - 8);
        memcpy(bad + len - 8, &sum, 8);
        write_all(snap, bad, len);
        used += open_checked(s, snap, NULL, 1);
    }
    /* The sweep reached the entries (a changed letter loads), and refused some (the header). */
    assert_true(used > 0 && used < (int)len - 8);
    /* An entry's string offset out of its text: refused (the first entry starts after the header).
     */
    size_t at = 8 + 4 + 4 + 3 * 8;
    uint16_t n16;
    memcpy(&n16, good + at, 2);
    at += 2 + n16;
    memcpy(&n16, good + at, 2);
    at += 2 + n16 + 8;
    memcpy(bad, good, len);
    uint16_t off = 0xfff0;
    memcpy(bad + at + 8 + 4 + 5, &off, 2); /* version, flags, 5 bytes, then the owner's offset */
    uint64_t sum = hub_snapshot_sum(bad, len - 8);
    memcpy(bad + len - 8, &sum, 8);
    write_all(snap, bad, len);
    assert_int_equal(open_checked(s, snap, NULL, 1), 0);
    /* Untouched, it is used again. */
    write_all(snap, good, len);
    assert_int_equal(open_checked(s, snap, rebuilt, 0), 1);
    free(bad);
    free(good);
    limen_store_close(s);
}

/* Whether the alert `id` is in the hub's table, and the version there (0 when not). */
static int64_t table_version(struct hub *h, const char *id)
{
    const struct hub_entry *e = hub_entry_find(h, id);
    if (!e)
        return 0;
    struct hub_alert a;
    hub_entry_unpack(e, &a);
    return a.version;
}

/* The query for the name of alert h<i> as put_alert wrote it (no cmocka
 * assertion: the racing test's thread calls it too). */
static limen_status name_query(int i, const char *surname, struct limen_entity **e)
{
    char q[256];
    struct limen_error err;
    int n = snprintf(q, sizeof q,
                     "{\"id\":\"q\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Karim %s "
                     "%c%c\"]}}",
                     surname, 'a' + i % 26, 'a' + i / 26);
    return limen_entity_parse(q, (size_t)n, e, &err);
}

/*
 * Whether screening the name of alert h<i> (as put_alert wrote it) finds it
 * as a match, or, when `top`, as the first result (with many alerts of one
 * surname the score of an exact name may stay under the threshold).
 */
static int screens_as(struct hub *h, int i, const char *surname, int top)
{
    char id[32];
    struct limen_entity *e = NULL;
    struct limen_results *r = NULL;
    struct limen_error err;
    snprintf(id, sizeof id, "h%d", i);
    assert_int_equal(name_query(i, surname, &e), LIMEN_OK);
    assert_int_equal(limen_screen(h->idx, e, NULL, &r, &err), LIMEN_OK);
    int found = 0;
    for (size_t k = 0; k < limen_results_count(r); k++)
        found |= !strcmp(limen_result_id(r, k), id) && (limen_result_match(r, k) || (top && !k));
    limen_results_free(r);
    limen_entity_free(e);
    return found;
}

static int screens(struct hub *h, int i, const char *surname)
{
    return screens_as(h, i, surname, 0);
}

/* Under the read lock, as a request screens: whether h<i> is the first result for its name. */
static int first_found(struct hub *h, int i, const char *surname, int *present)
{
    char id[32];
    struct limen_entity *e = NULL;
    struct limen_results *r = NULL;
    struct limen_error err;
    snprintf(id, sizeof id, "h%d", i);
    if (name_query(i, surname, &e) != LIMEN_OK)
        return -1;
    pthread_rwlock_rdlock(&h->lock);
    limen_status st = limen_screen(h->idx, e, NULL, &r, &err);
    pthread_rwlock_unlock(&h->lock);
    limen_entity_free(e);
    if (st != LIMEN_OK)
        return -1;
    int first = limen_results_count(r) && !strcmp(limen_result_id(r, 0), id);
    *present = 0;
    for (size_t k = 0; k < limen_results_count(r); k++)
        *present |= !strcmp(limen_result_id(r, k), id);
    limen_results_free(r);
    return first;
}

static int is_first(struct hub *h, int i, const char *surname)
{
    int present = 0;
    return first_found(h, i, surname, &present) == 1;
}

/* Whether h<i> is among the results for its name at all. */
static int in_results(struct hub *h, int i, const char *surname)
{
    int present = 0;
    assert_int_not_equal(first_found(h, i, surname, &present), -1);
    return present;
}

/* How many files of the test directory have `part` in their name. */
static int files_with(const char *part)
{
    char cmd[700], line[64];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -c -- '%s'", dir, part);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    int n = fgets(line, sizeof line, p) ? atoi(line) : -1;
    pclose(p);
    return n;
}

static void touch(const char *name)
{
    char path[1300];
    path_of(path, sizeof path, name);
    write_all(path, (const unsigned char *)"x", 1);
}

/*
 * Snapshots written while serving: versions only move forward whichever
 * thread applies them; a write stored but not applied yet is caught up by
 * the snapshot; a write that fails (the index cannot be saved, the table
 * cannot be written) keeps the previous snapshot usable and leaves no file;
 * what a cut-off write leaves (a newer index file the table does not name,
 * temporary files) does not stop the next start from using the snapshot,
 * and the next write deletes it.
 */
static void test_snapshot_serving(void **state)
{
    (void)state;
    struct limen_store *s = open_store_at("serve.db");
    struct limen_error err;
    struct hub_snapshot_stats st;
    struct hub h;
    for (int i = 0; i < NALERTS; i++)
        put_alert(s, i, surnames[i % 10], "");
    char snap[600], moved[700], bad[700];
    path_of(snap, sizeof snap, "serve.db.snapshot");

    /* Versions: an older one applied late is passed over, and so is an older withdrawal. */
    assert_int_equal(hub_open(&h, s, NULL, &err), 0);
    char *json = NULL;
    size_t len = 0;
    struct limen_alert_meta m;
    assert_int_equal(limen_store_alert_get(s, "h5", 0, &json, &len, &m), LIMEN_OK);
    assert_int_equal(hub_apply(&h, json, len, 0, 7, &err), 0);
    assert_int_equal(hub_apply(&h, json, len, 1, 6, &err), 0); /* an older withdrawal */
    assert_int_equal(table_version(&h, "h5"), 7);
    assert_true(screens(&h, 5, surnames[5]));
    hub_withdraw(&h, "h5", 6);
    assert_true(screens(&h, 5, surnames[5]));
    hub_withdraw(&h, "h5", 8);
    assert_false(screens(&h, 5, surnames[5]));
    assert_int_equal(table_version(&h, "h5"), 8);
    limen_free(json);
    hub_close(&h);

    /* A write stored but not yet applied is in the snapshot. */
    assert_int_equal(hub_open(&h, s, snap, &err), 0);
    /*
     * Entries pinned (as a snapshot pins them while it serialises the table
     * outside the lock): one replaced, one withdrawn meanwhile are retired,
     * not freed, and what a reader holds stays intact; hub_close() frees
     * them (under ASan, a leak or a use after free would show).
     */
    const struct hub_entry *held = hub_entry_find(&h, "h7"), *held2 = hub_entry_find(&h, "h8");
    assert_non_null(held);
    h.pinned = 1;
    assert_int_equal(limen_store_alert_get(s, "h7", 0, &json, &len, &m), LIMEN_OK);
    assert_int_equal(hub_apply(&h, json, len, 0, m.version + 1, &err), 0);
    limen_free(json);
    hub_withdraw(&h, "h8", 9);
    assert_int_equal(h.nretired, 2);
    assert_string_equal(hub_entry_id(held), "h7");
    assert_string_equal(hub_entry_id(held2), "h8");
    assert_ptr_not_equal(hub_entry_find(&h, "h7"), held);
    assert_int_equal(table_version(&h, "h8"), 9);
    h.pinned = 0;
    hub_close(&h); /* the table's versions are ahead of the store's now: not snapshotted */
    assert_int_equal(hub_open(&h, s, snap, &err), 0);
    put_alert(s, 3, "Sqalli", "");
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 0);
    assert_int_equal(st.alerts, NALERTS);
    assert_int_equal(table_version(&h, "h3"), 2);
    char first_index[4096];
    snprintf(first_index, sizeof first_index, "%s", h.snap_index);

    /* The index cannot be saved (its directory is a file): nothing left, nothing changed. */
    put_alert(s, 6, "Lahlou", "");
    path_of(bad, sizeof bad, "a-file");
    touch("a-file");
    snprintf(bad + strlen(bad), sizeof bad - strlen(bad), "/serve.db.snapshot");
    assert_int_equal(hub_snapshot_write(&h, bad, &st, &err), -1);
    assert_non_null(strstr(err.message, "cannot"));
    /* The table cannot be written (its temporary name is taken by a directory). */
    snprintf(moved, sizeof moved, "%s.tmp-%ld", snap, (long)getpid());
    assert_int_equal(mkdir(moved, 0700), 0);
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), -1);
    assert_non_null(strstr(err.message, "cannot create"));
    assert_int_equal(rmdir(moved), 0);
    assert_string_equal(h.snap_index, first_index);
    assert_int_equal(files_with("serve.db.snapshot.index-"), 1);
    assert_int_equal(files_with("tmp"), 0);
    hub_close(&h);
    /* The previous snapshot is used, and the change after it applied. */
    assert_int_equal(hub_open(&h, s, snap, &err), 0);
    assert_string_equal(h.snap_index, first_index);
    assert_true(screens(&h, 6, "Lahlou"));
    assert_true(screens(&h, 3, "Sqalli"));

    /*
     * A write cut off after its index was saved and before the table was
     * renamed: the newer index file and a half-written table lie beside the
     * snapshot, which still names its own index. Left by a process now dead.
     */
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    assert_true(dead > 0);
    waitpid(dead, NULL, 0);
    char name[200];
    snprintf(name, sizeof name, "serve.db.snapshot.index-%lld", (long long)h.snap_seq + 1);
    touch(name);
    snprintf(name, sizeof name, "serve.db.snapshot.tmp-%ld", (long)dead);
    touch(name);
    snprintf(name, sizeof name, "serve.db.snapshot.index-%lld.tmp%ld", (long long)h.snap_seq + 1,
             (long)dead);
    touch(name);
    snprintf(name, sizeof name, "serve.db.snapshot.tmp-%ld", (long)getppid()); /* alive: kept */
    touch(name);
    hub_close(&h);
    assert_int_equal(hub_open(&h, s, snap, &err), 0);
    assert_string_equal(h.snap_index, first_index);
    assert_int_equal(h.nalerts, NALERTS);
    /* The next write replaces the stray index (same watermark) and sweeps the rest. */
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 0);
    assert_int_equal(st.watermark, h.snap_seq);
    assert_int_equal(access(first_index, F_OK), -1);
    assert_int_equal(files_with("serve.db.snapshot.index-"), 1);
    assert_int_equal(files_with("tmp"), 1);
    unlink(name);
    hub_close(&h);
    assert_int_equal(hub_open(&h, s, snap, &err), 0);
    assert_string_not_equal(h.snap_index, "");
    assert_true(screens(&h, 6, "Lahlou"));
    hub_close(&h);
    limen_store_close(s);
}

/* Applies the latest stored version of an alert, as the request that stored it does. */
static void apply_stored(struct hub *h, struct limen_store *s, const char *id)
{
    char *json = NULL;
    size_t len = 0;
    struct limen_alert_meta m;
    struct limen_error err;
    assert_int_equal(limen_store_alert_get(s, id, 0, &json, &len, &m), LIMEN_OK);
    if (m.withdrawn)
        hub_withdraw(h, id, m.version);
    else
        assert_int_equal(hub_apply(h, json, len, 0, m.version, &err), 0);
    limen_free(json);
}

/* Stores a new version of h<i> under another surname, and applies it unless `stored_only`. */
static void rename_alert(struct hub *h, struct limen_store *s, int i, const char *surname,
                         int stored_only)
{
    char id[32];
    snprintf(id, sizeof id, "h%d", i);
    put_alert(s, i, surname, "");
    if (!stored_only)
        apply_stored(h, s, id);
}

static void withdraw_alert(struct hub *h, struct limen_store *s, int i)
{
    char id[32];
    struct limen_error err;
    snprintf(id, sizeof id, "h%d", i);
    assert_int_equal(limen_store_alert_withdraw(s, id, "FR-PN", NULL, &err), LIMEN_OK);
    apply_stored(h, s, id);
}

/* What swap_hook() does at each step of a snapshot write. */
struct swap_script {
    struct limen_store *s;
    int steps;       /* the steps seen, a bit each */
    int fail_after;  /* HUB_SNAP_SAVED: one change, then the next allocation fails */
    int fail_shadow; /* HUB_SNAP_SHADOW: one change, then the copy marked failed */
    unsigned long fail_nth; /* HUB_SNAP_CLONED: the nth allocation from there fails */
    int flood;              /* HUB_SNAP_CLONED: h20 .. h<20+flood-1> renamed to flood_name */
    const char *flood_name;
};

static void swap_hook(struct hub *h, int step, void *ud)
{
    struct swap_script *sc = ud;
    sc->steps |= 1 << step;
    if (sc->fail_nth) {
        if (step == HUB_SNAP_CLONED)
            limen__alloc_fail_after(sc->fail_nth, 0);
        return;
    }
    if (sc->fail_after) {
        if (step == HUB_SNAP_SAVED) {
            rename_alert(h, sc->s, 11, "Lahlou", 0);
            limen__alloc_fail_after(1, 0);
        }
        return;
    }
    if (sc->flood) {
        /* Each change is the first result of the next screening, journal full or not. */
        for (int k = 0; step == HUB_SNAP_CLONED && k < sc->flood; k++) {
            rename_alert(h, sc->s, 20 + k, sc->flood_name, 0);
            assert_true(is_first(h, 20 + k, sc->flood_name));
        }
        return;
    }
    if (sc->fail_shadow) {
        if (step == HUB_SNAP_SHADOW) {
            assert_ptr_not_equal(h->shadow, NULL);
            rename_alert(h, sc->s, 15, "Berrada", 0);
            /* As a change that could not be made to the copy (out of memory) leaves it. */
            pthread_rwlock_wrlock(&h->lock);
            h->swap_failed = 1;
            pthread_rwlock_unlock(&h->lock);
        }
        return;
    }
    switch (step) {
    case HUB_SNAP_CLONED: /* the copy made, the snapshot not written yet */
        rename_alert(h, sc->s, 5, "Sqalli", 0);
        withdraw_alert(h, sc->s, 6);
        put_alert(sc->s, 41, "Lahlou", "");
        apply_stored(h, sc->s, "h41");
        rename_alert(h, sc->s, 7, "Berrada", 1); /* stored, applied after the swap */
        break;
    case HUB_SNAP_SAVED: /* the copy finished, not caught up */
        rename_alert(h, sc->s, 8, "Lahlou", 0);
        rename_alert(h, sc->s, 5, "Berrada", 0); /* the same alert again */
        break;
    case HUB_SNAP_SHADOW: /* the copy shadows the index */
        rename_alert(h, sc->s, 9, "Sqalli", 0);
        withdraw_alert(h, sc->s, 10);
        put_alert(sc->s, 42, "Sqalli", "");
        apply_stored(h, sc->s, "h42");
        break;
    default:
        fail();
    }
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * screen_all() with each line's results in id order: alerts filed in another
 * order (a rebuild files them in id order) may tie in another order.
 */
static void screen_sorted(struct hub *h, char *out, size_t cap)
{
    static char raw[16384];
    char *entries[64], *line = raw, *save = NULL, *tok;
    size_t at = 0;
    screen_all(h, raw, sizeof raw);
    out[0] = '\0';
    while (*line) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        size_t n = 0;
        for (tok = strtok_r(line, " ", &save); tok && n < 64; tok = strtok_r(NULL, " ", &save))
            entries[n++] = tok;
        qsort(entries, n, sizeof *entries, cmp_entry);
        for (size_t i = 0; i < n; i++)
            at += (size_t)snprintf(out + at, cap - at, "%s ", entries[i]);
        at += (size_t)snprintf(out + at, cap - at, "\n");
        assert_true(at < cap);
        line = nl + 1;
    }
}

/* Screening as a hub rebuilt from the store gives it. */
static void screen_rebuilt(struct limen_store *s, char *out, size_t cap)
{
    static struct hub r;
    struct limen_error err;
    assert_int_equal(hub_open(&r, s, NULL, &err), 0);
    screen_sorted(&r, out, cap);
    hub_close(&r);
}

/* The index in use holds what a hub rebuilt from the store holds: the same
 * alerts, names and tokens in the same memory (nothing of the versions
 * replaced or removed before the last snapshot). */
static void expect_stats_rebuilt(const struct hub *h, struct limen_store *s)
{
    static struct hub r;
    struct limen_error err;
    struct limen_index_stats got, want;
    assert_int_equal(hub_open(&r, s, NULL, &err), 0);
    limen_index_stats(h->idx, &got);
    limen_index_stats(r.idx, &want);
    hub_close(&r);
    assert_int_equal(got.alerts, want.alerts);
    assert_int_equal(got.names, want.names);
    assert_int_equal(got.tokens, want.tokens);
    assert_int_equal(got.memory_bytes, want.memory_bytes);
}

/*
 * A snapshot written while serving replaces the live index with its saved
 * copy, folded (no pending change), screening as a rebuild does; changes
 * made at each step of the write (after the copy, after the save, while the
 * copy shadows the index) are in the index after the swap, and so is a
 * change stored then and applied after it. Out of memory while catching the
 * copy up, or a change the shadowing copy missed: the hub keeps its index and
 * every change.
 */
static void test_snapshot_swap(void **state)
{
    (void)state;
    static char got[16384], want[16384];
    struct limen_error err;
    struct hub_snapshot_stats st;
    static struct hub h;
    char snap[600];
    struct limen_store *s = open_serving("swap.db", &h, snap, sizeof snap);
    assert_int_equal(limen_index_pending(h.idx), 0);

    /* Changes before the snapshot: pending in the live index, gone after the swap. */
    rename_alert(&h, s, 1, "Sqalli", 0);
    rename_alert(&h, s, 2, "Lahlou", 0);
    withdraw_alert(&h, s, 3);
    put_alert(s, 40, "Berrada", "");
    apply_stored(&h, s, "h40");
    /* Two replacements (an add and a removal each), a withdrawal, a creation. */
    assert_int_equal(limen_index_pending(h.idx), 2 * 2 + 1 + 1);
    const struct limen_index *before = h.idx;
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 0);
    assert_int_equal(st.swapped, 1);
    assert_ptr_not_equal(h.idx, before);
    assert_int_equal(st.caught_up, 0);
    assert_true(st.swap_locked >= 0 && st.swap_locked < 1);
    assert_int_equal(limen_index_pending(h.idx), 0);
    screen_sorted(&h, got, sizeof got);
    screen_rebuilt(s, want, sizeof want);
    assert_string_equal(got, want);
    expect_stats_rebuilt(&h, s); /* the copy was compacted */
    assert_int_equal(st.compacted, 1);

    /* Changes at each step of the write: all in the index swapped in. */
    struct swap_script sc = {s, 0, 0, 0, 0, 0, NULL};
    h.snap_hook = swap_hook;
    h.snap_hook_ud = &sc;
    rename_alert(&h, s, 14, "Sqalli", 0); /* a change: the snapshot in use is not current */
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 0);
    assert_int_equal(sc.steps, 1 << HUB_SNAP_CLONED | 1 << HUB_SNAP_SAVED | 1 << HUB_SNAP_SHADOW);
    assert_int_equal(st.swapped, 1);
    /* h5 h6 h41 (after the copy), h8 and h5 again (after the save): four alerts; h7 stored
     * only; those changed while the copy shadows the index were made to both. */
    assert_int_equal(st.caught_up, 4);
    assert_true(screens(&h, 5, "Berrada"));
    assert_false(screens(&h, 5, "Sqalli"));
    assert_false(screens(&h, 5, surnames[5]));
    assert_false(screens(&h, 6, surnames[6]));
    assert_true(screens(&h, 41, "Lahlou"));
    assert_true(screens(&h, 8, "Lahlou"));
    assert_true(screens(&h, 9, "Sqalli"));
    assert_false(screens(&h, 9, surnames[9]));
    assert_false(screens(&h, 10, surnames[0]));
    assert_true(screens(&h, 42, "Sqalli"));
    assert_true(screens(&h, 1, "Sqalli")); /* from before, still there */
    /* Stored during the write, applied by its request after the swap. */
    assert_true(screens(&h, 7, surnames[7]));
    apply_stored(&h, s, "h7");
    assert_true(screens(&h, 7, "Berrada"));
    assert_false(screens(&h, 7, surnames[7]));
    h.snap_hook = NULL;
    /* The changes caught up are pending in the new index; the next snapshot folds them. */
    assert_true(limen_index_pending(h.idx) > 0);
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 0);
    assert_int_equal(st.swapped, 1);
    assert_int_equal(limen_index_pending(h.idx), 0);
    screen_sorted(&h, got, sizeof got);
    screen_rebuilt(s, want, sizeof want);
    assert_string_equal(got, want);
    expect_stats_rebuilt(&h, s);

    /* Out of memory catching up the copy: the snapshot is written, the index kept. */
    sc.fail_after = 1;
    h.snap_hook = swap_hook;
    put_alert(s, 12, "Lahlou", "");
    apply_stored(&h, s, "h12");
    before = h.idx;
    size_t pending = limen_index_pending(h.idx);
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 0);
    limen__alloc_fail_after(0, 0);
    h.snap_hook = NULL;
    assert_int_equal(st.swapped, 0);
    assert_string_not_equal(st.swap_why, "");
    assert_ptr_equal(h.idx, before);
    assert_true(limen_index_pending(h.idx) > pending);
    assert_true(screens_as(&h, 11, "Lahlou", 1));
    assert_true(screens_as(&h, 12, "Lahlou", 1));
    /* A change the copy missed while shadowing: not swapped in either, nothing lost. */
    sc.fail_after = 0;
    sc.fail_shadow = 1;
    h.snap_hook = swap_hook;
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 0);
    h.snap_hook = NULL;
    assert_int_equal(st.swapped, 0);
    assert_non_null(strstr(st.swap_why, "could not be made to the copy"));
    assert_ptr_equal(h.idx, before);
    assert_null(h.shadow);
    assert_int_equal(h.journaling, 0);
    assert_true(screens_as(&h, 15, "Berrada", 1));
    assert_true(screens_as(&h, 11, "Lahlou", 1));
    /* The next change's snapshot swaps. */
    withdraw_alert(&h, s, 13);
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 0);
    assert_int_equal(st.swapped, 1);
    assert_int_equal(limen_index_pending(h.idx), 0);
    assert_true(screens_as(&h, 11, "Lahlou", 1));
    assert_false(screens(&h, 13, surnames[3]));
    screen_sorted(&h, got, sizeof got);
    screen_rebuilt(s, want, sizeof want);
    assert_string_equal(got, want);

    /*
     * Memory running out after the copy, one allocation at a time: the write
     * fails whole or the snapshot is written; once, the compaction is what
     * failed, and the copy saved and swapped in as it was screens as a rebuild.
     */
    int uncompacted = 0;
    h.snap_hook = swap_hook;
    sc.fail_nth = 1;
    for (; sc.fail_nth < 400 && !uncompacted; sc.fail_nth++) {
        rename_alert(&h, s, 16 + (int)(sc.fail_nth % 4), surnames[sc.fail_nth % 10], 0);
        int rc = hub_snapshot_write(&h, snap, &st, &err);
        limen__alloc_fail_after(0, 0);
        assert_true(rc == 0 || rc == -1);
        uncompacted = rc == 0 && !st.compacted;
    }
    h.snap_hook = NULL;
    assert_true(uncompacted);
    assert_int_equal(st.swapped, 1);
    screen_sorted(&h, got, sizeof got);
    screen_rebuilt(s, want, sizeof want);
    assert_string_equal(got, want);
    hub_close(&h);

    /* A start from the last snapshot screens the same. */
    assert_int_equal(hub_open(&h, s, snap, &err), 0);
    assert_string_not_equal(h.snap_index, "");
    screen_sorted(&h, got, sizeof got);
    assert_string_equal(got, want);
    hub_close(&h);
    limen_store_close(s);
}

/*
 * More changes during a snapshot than its journal holds (a bound lowered to
 * five ids; 64 MB in service): the snapshot is written, the copy not swapped
 * in, and the hub serves on with its live index, which has every change;
 * the next snapshot, with the bound back, swaps in and screens as a rebuild.
 */
static void test_snapshot_journal_full(void **state)
{
    (void)state;
    static char got[16384], want[16384];
    static struct hub h;
    struct limen_error err;
    struct hub_snapshot_stats st;
    char snap[600];
    struct limen_store *s = open_serving("journal.db", &h, snap, sizeof snap);
    assert_int_equal(h.journal_max, HUB_JOURNAL_MAX);

    /* Ten changes after the copy, five ids ("h20" and its NUL) of room. */
    struct swap_script sc = {s, 0, 0, 0, 0, 10, "Lahlou"};
    h.snap_hook = swap_hook;
    h.snap_hook_ud = &sc;
    h.journal_max = 5 * 4;
    rename_alert(&h, s, 14, "Sqalli", 0); /* a change: the snapshot in use is not current */
    const struct limen_index *before = h.idx;
    size_t pending = limen_index_pending(h.idx);
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 0);
    assert_int_equal(sc.steps, 1 << HUB_SNAP_CLONED | 1 << HUB_SNAP_SAVED);
    assert_int_equal(st.swapped, 0);
    assert_int_equal(st.caught_up, 0);
    assert_non_null(strstr(st.swap_why, "than its journal holds (20 bytes"));
    assert_ptr_equal(h.idx, before);
    assert_int_equal(limen_index_pending(h.idx), pending + 2 * 10); /* a removal and an add each */
    assert_int_equal(h.journaling, 0);
    assert_null(h.shadow);
    assert_null(h.journal.data);
    /* Nothing lost: every alert is the first result for its name (the scores
     * differ from a rebuild's until the changes held aside are folded in). */
    for (int i = 0; i < NALERTS; i++) {
        const char *name = i >= 20 && i < 30 ? "Lahlou" : surnames[i % 10];
        assert_true(is_first(&h, i, i == 14 ? "Sqalli" : name));
    }

    /* The bound back: ten more changes are caught up and the copy swapped in. */
    h.journal_max = HUB_JOURNAL_MAX;
    sc.steps = 0;
    sc.flood_name = "Berrada";
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 0);
    assert_int_equal(st.swapped, 1);
    assert_string_equal(st.swap_why, "");
    assert_int_equal(st.caught_up, 10);
    assert_ptr_not_equal(h.idx, before);
    h.snap_hook = NULL;
    for (int k = 0; k < 10; k++) {
        assert_true(is_first(&h, 20 + k, "Berrada"));
        assert_false(screens(&h, 20 + k, "Lahlou"));
    }
    screen_sorted(&h, got, sizeof got);
    screen_rebuilt(s, want, sizeof want);
    assert_string_equal(got, want);
    hub_close(&h);
    limen_store_close(s);
}

/* The UTC date `days` from now, "YYYY-MM-DD". */
static void date_in(int days, char out[11])
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    assert_non_null(gmtime_r(&t, &tm));
    assert_int_equal(strftime(out, 11, "%Y-%m-%d", &tm), 10);
}

/* Whether alert `id` is past its validity on the hub's today, as api.c filters results. */
static int expired_today(const struct hub *h, const char *id)
{
    char today[11];
    const struct hub_entry *e = hub_entry_find(h, id);
    assert_non_null(e);
    hub_today(h, today);
    return hub_expired(e, today);
}

/*
 * Alerts that expire while the hub serves: an alert valid until D is a hit
 * on D; on D+1 the results filter (hub_expired on hub_today, as api.c
 * screens) drops it at once, a start drops it from the index, and so does a
 * snapshot's copy swapped in; alerts valid longer, or with no valid_until,
 * stay; an update by the owner that extends its validity makes it a hit
 * again. D is yesterday: the clock's today is D+1 for the restart.
 */
static void test_expiry_serving(void **state)
{
    (void)state;
    static struct hub h;
    struct limen_error err;
    struct hub_snapshot_stats st;
    char d[6][11], until[64], snap[600];
    for (int k = 0; k < 6; k++)
        date_in(k - 1, d[k]); /* d[k]: D+k */
    struct limen_store *s = open_serving("expiry.db", &h, snap, sizeof snap);
    assert_string_equal(h.today_fixed, "");

    /* On D: h40 (valid until D), h41 (D+4), h42 (D+2), all hits. */
    snprintf(h.today_fixed, sizeof h.today_fixed, "%s", d[0]);
    static const int valid[3] = {0, 4, 2};
    static const char *const names[3] = {"Lahlou", "Sqalli", "Berrada"};
    for (int k = 0; k < 3; k++) {
        char id[32];
        snprintf(id, sizeof id, "h%d", 40 + k);
        snprintf(until, sizeof until, ",\"valid_until\":\"%s\"", d[valid[k]]);
        put_alert(s, 40 + k, names[k], until);
        apply_stored(&h, s, id);
        assert_true(is_first(&h, 40 + k, names[k]));
        assert_false(expired_today(&h, id));
    }
    /* Written on D: h40 is in the snapshot's index. */
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 0);
    assert_int_equal(st.swapped, 1);
    assert_true(is_first(&h, 40, "Lahlou"));

    /* On D+1: the filter drops h40 at once (the index holds it until a start or a snapshot). */
    snprintf(h.today_fixed, sizeof h.today_fixed, "%s", d[1]);
    assert_true(expired_today(&h, "h40"));
    assert_false(expired_today(&h, "h41"));
    assert_false(expired_today(&h, "h42"));
    assert_false(expired_today(&h, "h0"));
    assert_true(is_first(&h, 40, "Lahlou"));

    /* A start on D+1, the clock's today: the snapshot is used and h40 leaves its index. */
    hub_close(&h);
    assert_int_equal(hub_open(&h, s, snap, &err), 0);
    assert_string_not_equal(h.snap_index, "");
    assert_true(expired_today(&h, "h40"));
    assert_false(in_results(&h, 40, "Lahlou"));
    assert_true(is_first(&h, 41, "Sqalli"));
    assert_true(is_first(&h, 42, "Berrada"));
    for (int i = 0; i < 10; i++)
        assert_true(is_first(&h, i, surnames[i]));

    /* The owner extends h40 to D+5: a hit again, not filtered. */
    snprintf(until, sizeof until, ",\"valid_until\":\"%s\"", d[5]);
    put_alert(s, 40, "Lahlou", until);
    apply_stored(&h, s, "h40");
    assert_true(is_first(&h, 40, "Lahlou"));
    assert_false(expired_today(&h, "h40"));

    /* On D+3: h42 expires while serving; the filter drops it, the next snapshot's copy too. */
    snprintf(h.today_fixed, sizeof h.today_fixed, "%s", d[3]);
    assert_true(expired_today(&h, "h42"));
    assert_true(is_first(&h, 42, "Berrada"));
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 0);
    assert_int_equal(st.swapped, 1);
    assert_false(in_results(&h, 42, "Berrada"));
    assert_true(is_first(&h, 40, "Lahlou"));
    assert_true(is_first(&h, 41, "Sqalli"));
    assert_false(expired_today(&h, "h40"));
    assert_false(expired_today(&h, "h41"));
    for (int i = 0; i < 10; i++)
        assert_true(is_first(&h, i, surnames[i]));

    /* An alert with no valid_until never expires. */
    snprintf(h.today_fixed, sizeof h.today_fixed, "9999-12-31");
    assert_false(expired_today(&h, "h0"));
    assert_true(expired_today(&h, "h41"));
    hub_close(&h);
    limen_store_close(s);
}

/* The writer of test_snapshot_swap_racing: changes, each checked by the next screening. */
struct racer {
    struct hub *h;
    struct limen_store *s;
    int writes, lost; /* lost: a change the next screening did not see */
    atomic_int done;
};

static void *racer_run(void *arg)
{
    struct racer *rc = arg;
    for (int k = 0; k < 240; k++) {
        int i = (k * 7) % (NALERTS + 5); /* h40..h44 are created on the way */
        char id[32];
        struct limen_error err;
        int64_t version = 0;
        int in = 0;
        snprintf(id, sizeof id, "h%d", i);
        const char *surname = surnames[(k / 3 + i) % 13];
        if (k % 5 == 4 &&
            limen_store_alert_withdraw(rc->s, id, "FR-PN", &version, &err) == LIMEN_OK) {
            hub_withdraw(rc->h, id, version);
            rc->lost += first_found(rc->h, i, surname, &in) != 0 || in;
        } else {
            char json[1024];
            int n = snprintf(json, sizeof json,
                             "{\"id\":\"%s\",\"schema\":\"Person\",\"properties\":{\"name\":["
                             "\"Karim %s %c%c\"]},\"alert\":{\"owner\":\"FR-PN\",\"category\":"
                             "\"inquiry_check\",\"action\":\"report\"}}",
                             id, surname, 'a' + i % 26, 'a' + i / 26);
            if (limen_store_alert_put(rc->s, id, "FR-PN", json, (size_t)n, &version, &err) !=
                    LIMEN_OK ||
                hub_apply(rc->h, json, (size_t)n, 0, version, &err) != 0) {
                rc->lost++;
                continue;
            }
            rc->lost += first_found(rc->h, i, surname, &in) != 1;
        }
        rc->writes++;
    }
    atomic_store(&rc->done, 1);
    return NULL;
}

/*
 * Snapshots written and swapped in one after another while a writer changes
 * alerts (creations, renames, withdrawals) as requests do: every change is
 * seen by the screening right after it, whatever step of a snapshot it fell
 * in; at the end the index, folded once more, screens as a rebuild (under
 * ASan: no index freed under a screening or a write).
 */
static void test_snapshot_swap_racing(void **state)
{
    (void)state;
    static char got[16384], want[16384];
    static struct hub h;
    struct limen_error err;
    struct hub_snapshot_stats st;
    char snap[600];
    struct limen_store *s = open_serving("race.db", &h, snap, sizeof snap);
    struct racer rc = {&h, s, 0, 0, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, racer_run, &rc), 0);
    int swaps = 0, caught = 0;
    while (!atomic_load(&rc.done)) {
        int r = hub_snapshot_write(&h, snap, &st, &err);
        assert_true(r >= 0);
        swaps += r == 0 && st.swapped;
        caught += (int)st.caught_up;
    }
    pthread_join(t, NULL);
    assert_int_equal(rc.lost, 0);
    assert_int_equal(rc.writes, 240);
    assert_true(swaps > 1);
    print_message("racing: %d writes, %d swaps, %d changes caught up\n", rc.writes, swaps, caught);
    put_alert(s, 0, "Lahlou", "");
    apply_stored(&h, s, "h0");
    assert_int_equal(hub_snapshot_write(&h, snap, &st, &err), 0);
    assert_int_equal(st.swapped, 1);
    assert_int_equal(limen_index_pending(h.idx), 0);
    screen_sorted(&h, got, sizeof got);
    screen_rebuilt(s, want, sizeof want);
    assert_string_equal(got, want);
    hub_close(&h);
    limen_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_snapshot_serving),
        cmocka_unit_test(test_snapshot_swap),
        cmocka_unit_test(test_snapshot_swap_racing),
        cmocka_unit_test(test_snapshot_journal_full),
        cmocka_unit_test(test_expiry_serving),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
