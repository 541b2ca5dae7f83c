/*
 * Tests of the index life cycle (src/lib/index.c, src/lib/index_file.c):
 *  - incremental change: alerts added, replaced and removed one at a time
 *    after finish() give the results of a fresh build of the same alerts;
 *  - saved indexes: save + load gives the same results, a loaded index
 *    takes changes, and every kind of bad file (missing, empty, foreign,
 *    truncated, damaged, another version, another build, a string without
 *    its NUL or past the arena) gets its own
 *    status and message, never a crash; allocation failure while loading.
 *  - bulk adds on threads (limen_index_add_reader, limen_index_add_source)
 *    save files identical, byte for byte, to one-at-a-time adds, also when
 *    the lines mix those the entity scanner reads (the fast path) with
 *    those it leaves to jansson.
 * The alerts are the real OFAC list (../shared/data), converted in process.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "entity_int.h"
#include "entity_scan.h"
#include "index_int.h"
#include "limen/limen.h"

static struct limen_entity **ents;
static size_t nents, cap_ents;

static int collect(void *ctx, const char *json, size_t len)
{
    (void)ctx;
    struct limen_entity *e = NULL;
    if (limen_entity_parse(json, len, &e, NULL) != LIMEN_OK)
        return -1;
    if (nents == cap_ents) {
        cap_ents = cap_ents ? cap_ents * 2 : 1024;
        ents = realloc(ents, cap_ents * sizeof *ents);
    }
    ents[nents++] = e;
    return 0;
}

static int setup(void **state)
{
    (void)state;
    const char *data = getenv("LIMEN_SHARED_DATA");
    char p1[4096], p2[4096];
    snprintf(p1, sizeof p1, "%s/watchlists/ofac/sdn_2023-12-28.csv", data ? data : "../shared/data");
    snprintf(p2, sizeof p2, "%s/watchlists/ofac/alt_2024-01.csv", data ? data : "../shared/data");
    FILE *f1 = fopen(p1, "rb"), *f2 = fopen(p2, "rb");
    if (!f1 || !f2)
        return -1;
    limen_status st = limen_ofac_convert(f1, p1, f2, p2, NULL, NULL, collect, NULL, NULL, NULL);
    fclose(f1);
    fclose(f2);
    return st == LIMEN_OK && nents > 13000 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < nents; i++)
        limen_entity_free(ents[i]);
    free(ents);
    return 0;
}

/* Queries: every 13th entity's name, and a variant with the tokens swapped. */
#define NQ 400
static struct limen_entity *queries[NQ];

static void make_queries(void)
{
    for (int i = 0; i < NQ; i++) {
        const struct limen_entity *src = ents[(size_t)(i / 2) * 13 % nents];
        const char *name = limen_entity_value(src, "name", 0, NULL);
        char buf[512];
        if (i % 2) {
            const char *comma = strchr(name, ',');
            if (comma)
                snprintf(buf, sizeof buf, "%s %.*s", comma + 1, (int)(comma - name), name);
            else
                snprintf(buf, sizeof buf, "%s", name);
        } else {
            snprintf(buf, sizeof buf, "%s", name);
        }
        char id[16];
        snprintf(id, sizeof id, "q%d", i);
        assert_int_equal(limen_entity_new(id, LIMEN_SCHEMA_PERSON, &queries[i]), LIMEN_OK);
        assert_int_equal(limen_entity_add(queries[i], "name", buf, strlen(buf)), LIMEN_OK);
        const char *dob = limen_entity_value(src, "birthDate", 0, NULL);
        if (dob)
            limen_entity_add(queries[i], "birthDate", dob, strlen(dob));
    }
}

static void free_queries(void)
{
    for (int i = 0; i < NQ; i++)
        limen_entity_free(queries[i]);
}

/*
 * Same results: the same alerts, in the same order, with scores within
 * `tol`, for every query. Returns the largest score difference seen.
 */
static double compare(const struct limen_index *a, const struct limen_index *b, double tol)
{
    double worst = 0;
    struct limen_screen_options o;
    limen_screen_options_init(&o);
    o.explain = 0;
    o.limit = 5;
    for (int i = 0; i < NQ; i++) {
        struct limen_results *ra = NULL, *rb = NULL;
        assert_int_equal(limen_screen(a, queries[i], &o, &ra, NULL), LIMEN_OK);
        assert_int_equal(limen_screen(b, queries[i], &o, &rb, NULL), LIMEN_OK);
        size_t na = limen_results_count(ra), nb = limen_results_count(rb);
        size_t n = na < nb ? na : nb;
        /* Results only one side has must be within tol of the least score
         * returned (o.min_score): scores that differ by tol may fall either side. */
        for (size_t k = n; k < na || k < nb; k++) {
            double sc = k < na ? limen_result_score(ra, k) : limen_result_score(rb, k);
            if (tol == 0.0 || sc >= o.min_score + tol)
                fail_msg("query %d: %zu results against %zu", i, na, nb);
        }
        for (size_t k = 0; k < n; k++) {
            double d = fabs(limen_result_score(ra, k) - limen_result_score(rb, k));
            /* Equal scores may come in either order. */
            if (strcmp(limen_result_id(ra, k), limen_result_id(rb, k)) != 0 && d > tol)
                fail_msg("query %d, rank %zu: %s (%.4f) against %s (%.4f)", i, k,
                         limen_result_id(ra, k), limen_result_score(ra, k),
                         limen_result_id(rb, k), limen_result_score(rb, k));
            if (d > tol)
                fail_msg("query %d, rank %zu: scores %.4f and %.4f", i, k,
                         limen_result_score(ra, k), limen_result_score(rb, k));
            if (d > worst)
                worst = d;
        }
        limen_results_free(ra);
        limen_results_free(rb);
    }
    return worst;
}

/* The index of entities [0, n) minus those in `skip`, with `repl` replaced. */
static struct limen_index *fresh(size_t n, const int *dead, struct limen_entity **repl)
{
    struct limen_index *idx = NULL;
    assert_int_equal(limen_index_new(NULL, &idx), LIMEN_OK);
    for (size_t i = 0; i < n; i++) {
        if (dead[i])
            continue;
        limen_index_add(idx, repl[i] ? repl[i] : ents[i], NULL, NULL);
    }
    assert_int_equal(limen_index_finish(idx), LIMEN_OK);
    return idx;
}

static void test_incremental(void **state)
{
    (void)state;
    make_queries();
    size_t base = nents - 300;
    int *dead = calloc(nents, sizeof *dead);
    struct limen_entity **repl = calloc(nents, sizeof *repl);
    struct limen_index *inc = NULL;
    assert_int_equal(limen_index_new(NULL, &inc), LIMEN_OK);
    for (size_t i = 0; i < base; i++)
        limen_index_add(inc, ents[i], NULL, NULL);
    assert_int_equal(limen_index_finish(inc), LIMEN_OK);
    /* 300 adds, 60 removals, 20 replacements, one at a time, no finish(). */
    for (size_t i = base; i < nents; i++)
        limen_index_add(inc, ents[i], NULL, NULL);
    for (size_t i = 0; i < 60; i++) {
        size_t k = (i * 211 + 5) % nents;
        if (!dead[k] && limen_index_remove(inc, limen_entity_id(ents[k])) == LIMEN_OK)
            dead[k] = 1;
    }
    assert_int_equal(limen_index_remove(inc, "no-such-alert"), LIMEN_ENOTFOUND);
    for (size_t i = 0; i < 20; i++) {
        size_t k = (i * 397 + 11) % nents;
        if (dead[k] || limen_entity_schema(ents[k]) != LIMEN_SCHEMA_PERSON)
            continue;
        /* the same id, now with the name of another listed person */
        const struct limen_entity *other = ents[(k + 1000) % nents];
        const char *nm = limen_entity_value(other, "name", 0, NULL);
        assert_int_equal(limen_entity_new(limen_entity_id(ents[k]), LIMEN_SCHEMA_PERSON, &repl[k]),
                         LIMEN_OK);
        limen_entity_add(repl[k], "name", nm, strlen(nm));
        int replaced = 0;
        assert_int_equal(limen_index_add(inc, repl[k], &replaced, NULL), LIMEN_OK);
        assert_int_equal(replaced, 1);
    }
    struct limen_index *ref = fresh(nents, dead, repl);
    struct limen_index_stats si, sr;
    limen_index_stats(inc, &si);
    limen_index_stats(ref, &sr);
    assert_int_equal(si.alerts, sr.alerts);
    double worst = compare(inc, ref, 0.005);
    print_message("incremental against fresh build: largest score difference %.5f\n", worst);
    /* finish() folds the changes in: then the two are identical */
    assert_int_equal(limen_index_finish(inc), LIMEN_OK);
    assert_true(compare(inc, ref, 0.0) == 0.0);

    /* a removed alert is never returned, even by its exact name */
    size_t k = 5 * 211 + 5;
    if (dead[k % nents]) {
        struct limen_results *r = NULL;
        assert_int_equal(limen_screen(inc, ents[k % nents], NULL, &r, NULL), LIMEN_OK);
        for (size_t i = 0; i < limen_results_count(r); i++)
            assert_string_not_equal(limen_result_id(r, i), limen_entity_id(ents[k % nents]));
        limen_results_free(r);
    }
    limen_index_free(inc);
    limen_index_free(ref);
    for (size_t i = 0; i < nents; i++)
        limen_entity_free(repl[i]);
    free(repl);
    free(dead);
    free_queries();
}

static void tmp_path(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/test_index_%d_%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid(), name);
}

static void test_save_load(void **state)
{
    (void)state;
    make_queries();
    int *dead = calloc(nents, sizeof *dead);
    struct limen_entity **repl = calloc(nents, sizeof *repl);
    size_t base = nents - 100;
    struct limen_index *built = fresh(base, dead, repl);
    char path[512];
    tmp_path(path, sizeof path, "ofac.limen");
    struct limen_error err;
    assert_int_equal(limen_index_save(built, path, &err), LIMEN_OK);
    struct limen_index *loaded = NULL;
    assert_int_equal(limen_index_load(path, &loaded, &err), LIMEN_OK);
    assert_true(compare(built, loaded, 0.0) == 0.0);

    /* the loaded index takes changes (its arrays leave the mapping as they grow) */
    for (size_t i = base; i < nents; i++) {
        assert_int_equal(limen_index_add(loaded, ents[i], NULL, NULL) == LIMEN_OK ||
                             limen_entity_count(ents[i], "name") == 0,
                         1);
    }
    assert_int_equal(limen_index_remove(loaded, limen_entity_id(ents[7])), LIMEN_OK);
    dead[7] = 1;
    struct limen_index *ref = fresh(nents, dead, repl);
    compare(loaded, ref, 0.005);
    /* and saves again, with the changes folded in */
    char path2[512];
    tmp_path(path2, sizeof path2, "ofac2.limen");
    assert_int_equal(limen_index_save(loaded, path2, &err), LIMEN_OK);
    struct limen_index *again = NULL;
    assert_int_equal(limen_index_load(path2, &again, &err), LIMEN_OK);
    assert_true(compare(again, ref, 0.0) == 0.0);
    limen_index_free(again);
    limen_index_free(loaded);
    limen_index_free(ref);
    limen_index_free(built);
    unlink(path);
    unlink(path2);
    free(dead);
    free(repl);
    free_queries();
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*len);
    assert_int_equal(fread(b, 1, *len, f), *len);
    fclose(f);
    return b;
}

static void spit(const char *path, const void *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
}

static void expect_load_error(const char *path, limen_status want, const char *words)
{
    struct limen_index *idx = (struct limen_index *)1;
    struct limen_error err;
    limen_status st = limen_index_load(path, &idx, &err);
    if (st != want || !strstr(err.message, words))
        fail_msg("load: %s '%s', want %s '%s'", limen_status_name(st), err.message,
                 limen_status_name(want), words);
    assert_null(idx);
}

static void test_bad_files(void **state)
{
    (void)state;
    int *dead = calloc(nents, sizeof *dead);
    struct limen_entity **repl = calloc(nents, sizeof *repl);
    struct limen_index *built = fresh(300, dead, repl);
    char good[512], bad[512];
    tmp_path(good, sizeof good, "good.limen");
    tmp_path(bad, sizeof bad, "bad.limen");
    assert_int_equal(limen_index_save(built, good, NULL), LIMEN_OK);
    size_t len;
    unsigned char *b = slurp(good, &len);

    expect_load_error("/nonexistent/dir/x.limen", LIMEN_EIO, "cannot open");
    spit(bad, "", 0);
    expect_load_error(bad, LIMEN_ECORRUPT, "not a limen index file");
    spit(bad, "{\"id\": \"x\"}\n", 12);
    expect_load_error(bad, LIMEN_ECORRUPT, "not a limen index file");
    spit(bad, b, 100);
    expect_load_error(bad, LIMEN_ECORRUPT, "truncated inside the header");
    spit(bad, b, len / 2);
    expect_load_error(bad, LIMEN_ECORRUPT, "truncated or extended");
    unsigned char *c = malloc(len);
    memcpy(c, b, len);
    c[len - 1000] ^= 0x40;
    spit(bad, c, len);
    expect_load_error(bad, LIMEN_ECORRUPT, "checksum");
    memcpy(c, b, len);
    c[20] ^= 1; /* inside the header */
    spit(bad, c, len);
    expect_load_error(bad, LIMEN_ECORRUPT, "header checksum");
    /* another format version, with a valid header checksum */
    memcpy(c, b, len);
    uint32_t v = 99;
    memcpy(c + 8, &v, 4);
    uint64_t hs = limen__index_checksum(c, 504, 0);
    memcpy(c + 504, &hs, 8);
    spit(bad, c, len);
    expect_load_error(bad, LIMEN_EVERSION, "version 99");
    /* a build whose structs differ */
    memcpy(c, b, len);
    uint32_t es = 3;
    memcpy(c + 24 + 4 * 1, &es, 4); /* elem_size of the alerts section */
    hs = limen__index_checksum(c, 504, 0);
    memcpy(c + 504, &hs, 8);
    spit(bad, c, len);
    expect_load_error(bad, LIMEN_EVERSION, "incompatible build");
    /* the other byte order */
    memcpy(c, b, len);
    uint32_t bom = 0x04030201;
    memcpy(c + 12, &bom, 4);
    spit(bad, c, len);
    expect_load_error(bad, LIMEN_EVERSION, "byte order");
    /* valid checksums but postings out of birth-year order (screening finds a
     * year's postings by binary search): written by saving a loaded index
     * whose mapped copy was changed */
    {
        struct limen_index *l = NULL;
        assert_int_equal(limen_index_load(good, &l, NULL), LIMEN_OK);
        int swapped = 0;
        for (size_t t = 0; t < l->ntoks && !swapped; t++)
            for (uint32_t p = 1; p < l->toks[t].df && !swapped; p++) {
                uint8_t *y = l->post_yb + l->toks[t].post + p;
                if (y[-1] < y[0]) {
                    uint8_t x = y[-1];
                    y[-1] = y[0];
                    y[0] = x;
                    swapped = 1;
                }
            }
        assert_true(swapped);
        assert_int_equal(limen_index_save(l, bad, NULL), LIMEN_OK);
        limen_index_free(l);
        expect_load_error(bad, LIMEN_ECORRUPT, "not in year order");
    }
    /* a stored neighbour list that runs past its array, and one naming a
     * token the dictionary does not have */
    {
        struct limen_index *l = NULL;
        assert_int_equal(limen_index_load(good, &l, NULL), LIMEN_OK);
        size_t t;
        for (t = 0; t < l->ntoks && !l->toks[t].exp; t++)
            ;
        assert_true(t < l->ntoks); /* the fixture has lists stored */
        uint32_t e = l->toks[t].exp;
        l->nb[e - 1].tok = (uint32_t)(l->nnb + 1); /* its length */
        assert_int_equal(limen_index_save(l, bad, NULL), LIMEN_OK);
        limen_index_free(l);
        expect_load_error(bad, LIMEN_ECORRUPT, "neighbour list lies outside");
        assert_int_equal(limen_index_load(good, &l, NULL), LIMEN_OK);
        for (t = 0; t < l->ntoks && !(l->toks[t].exp && l->nb[l->toks[t].exp - 1].tok); t++)
            ;
        assert_true(t < l->ntoks);
        l->nb[l->toks[t].exp].tok = (uint32_t)l->ntoks;
        assert_int_equal(limen_index_save(l, bad, NULL), LIMEN_OK);
        limen_index_free(l);
        expect_load_error(bad, LIMEN_ECORRUPT, "neighbour list names an unknown token");
    }

    /* format 5: token texts and document numbers end with a NUL in the
     * arena (alert ids and written names do not): one lost is refused */
    {
        struct limen_index *l = NULL;
        assert_int_equal(limen_index_load(good, &l, NULL), LIMEN_OK);
        l->arena[l->toks[3].text + l->toks[3].len] = 'x';
        assert_int_equal(limen_index_save(l, bad, NULL), LIMEN_OK);
        limen_index_free(l);
        expect_load_error(bad, LIMEN_ECORRUPT, "a token points outside");
        assert_int_equal(limen_index_load(good, &l, NULL), LIMEN_OK);
        assert_true(l->ndocs > 0); /* the fixture has document numbers */
        l->arena[l->docs[0].num + l->docs[0].len] = '7';
        assert_int_equal(limen_index_save(l, bad, NULL), LIMEN_OK);
        limen_index_free(l);
        expect_load_error(bad, LIMEN_ECORRUPT, "document number points outside");
        /* a written name running past the arena's end */
        assert_int_equal(limen_index_load(good, &l, NULL), LIMEN_OK);
        size_t n;
        for (n = 0; n < l->nnames && l->names[n].rebuilt; n++)
            ;
        assert_true(n < l->nnames); /* the fixture has names kept as written */
        l->names[n].src = (uint32_t)(l->arena_len - l->names[n].src_len + 1);
        assert_int_equal(limen_index_save(l, bad, NULL), LIMEN_OK);
        limen_index_free(l);
        expect_load_error(bad, LIMEN_ECORRUPT, "a name points outside");
    }

    /* format 7: a form rebuilt from the tokens with a recipe no name can
     * have: a case that does not exist, a rotation past the last token, a
     * separator after the last word, a name of too many tokens */
    for (int k = 0; k < 4; k++) {
        struct limen_index *l = NULL;
        assert_int_equal(limen_index_load(good, &l, NULL), LIMEN_OK);
        size_t n;
        for (n = 0; n < l->nnames && !(l->names[n].rebuilt && l->names[n].ntok == 2); n++)
            ;
        assert_true(n < l->nnames); /* the fixture has names rebuilt */
        struct limen__iname *in = &l->names[n];
        if (k == 0)
            in->src |= 3u << 4; /* the first word's case */
        else if (k == 1)
            in->src = (in->src & ~15u) | 2u;
        else if (k == 2)
            in->src_len |= 2u; /* the separator before a third word */
        else
            in->ntok = LIMEN__FORM_MAX_TOKENS + 1; /* within the token array still */
        if (k == 3)
            in->tok = 0;
        assert_int_equal(limen_index_save(l, bad, NULL), LIMEN_OK);
        limen_index_free(l);
        expect_load_error(bad, LIMEN_ECORRUPT, "cannot be rebuilt");
    }

    /* allocation failure while loading: an error, never a crash or a leak */
    for (unsigned long n = 1; n < 20; n++) {
        struct limen_index *idx = NULL;
        limen__alloc_fail_after(n, 1);
        limen_status st = limen_index_load(good, &idx, NULL);
        limen__alloc_fail_after(0, 0);
        if (st == LIMEN_OK) {
            limen_index_free(idx);
            break;
        }
        assert_int_equal(st, LIMEN_ENOMEM);
        assert_null(idx);
    }
    /* saving where it cannot be written */
    struct limen_error err;
    assert_int_equal(limen_index_save(built, "/nonexistent/dir/x.limen", &err), LIMEN_EIO);
    assert_non_null(strstr(err.message, "cannot create"));
    free(c);
    free(b);
    unlink(good);
    unlink(bad);
    limen_index_free(built);
    free(dead);
    free(repl);
}

/*
 * Written forms: a name that is its tokens joined again (in any case per
 * word, with spaces or hyphens, or as LAST, First) is not stored but
 * rebuilt, byte for byte, before and after a save; any other is kept.
 */
static void test_written_forms(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int rebuilt;
    } cases[] = {
        {"Saghes BENYOUCEF", 1},
        {"AL-ZAWAHIRI, Ayman", 1},
        {"MENDOZA GAYTAN, Hugo Gonzalo", 1},
        {"Anne-Marie MAMIMBOT", 1},
        {"marie dupont", 1},
        {"Jose GARCIA SANTOS", 1},
        {"Jose\xcc\x81 Garcia", 0}, /* a combining accent */
        {"Ren\xc3\xa9 DUPONT", 0},
        {"Abdelhadi EL AMRANI", 0}, /* abdal, al */
        {"Jean  Blanc", 0},
        {"Jean Blanc ", 0},
        {"McDonald Ronald", 0},
        {"ABBAS, Abu, Ali", 0},
        {"ANGLO-CARIBBEAN CO., LTD.", 0},
        {"\xd9\x85\xd8\xad\xd9\x85\xd8\xaf \xd9\x84\xd8\xad\xd9\x84\xd9\x88", 0},
        {"Aa Bb Cc Dd Ee Ff Gg Hh Ii Jj Kk Ll Mm Nn", 1},
        {"Aa Bb Cc Dd Ee Ff Gg Hh Ii Jj Kk Ll Mm Nn Oo", 0}, /* 15 tokens */
    };
    const size_t ncase = sizeof cases / sizeof cases[0];
    struct limen_index *idx = NULL;
    assert_int_equal(limen_index_new(NULL, &idx), LIMEN_OK);
    for (size_t i = 0; i < ncase; i++) {
        struct limen_entity *e = NULL;
        char id[16];
        snprintf(id, sizeof id, "w%zu", i);
        assert_int_equal(limen_entity_new(id, LIMEN_SCHEMA_PERSON, &e), LIMEN_OK);
        assert_int_equal(limen_entity_add(e, "name", cases[i].name, strlen(cases[i].name)),
                         LIMEN_OK);
        assert_int_equal(limen_index_add(idx, e, NULL, NULL), LIMEN_OK);
        limen_entity_free(e);
    }
    assert_int_equal(limen_index_finish(idx), LIMEN_OK);
    char path[512];
    tmp_path(path, sizeof path, "forms.limen");
    assert_int_equal(limen_index_save(idx, path, NULL), LIMEN_OK);
    struct limen_index *loaded = NULL;
    assert_int_equal(limen_index_load(path, &loaded, NULL), LIMEN_OK);
    const struct limen_index *both[2] = {idx, loaded};
    for (int w = 0; w < 2; w++) {
        assert_int_equal(both[w]->nnames, ncase);
        for (size_t i = 0; i < ncase; i++) {
            char buf[LIMEN__FORM_BUF];
            size_t len;
            const char *s = limen__name_form(both[w], (uint32_t)i, buf, &len);
            if (both[w]->names[i].rebuilt != cases[i].rebuilt || len != strlen(cases[i].name) ||
                memcmp(s, cases[i].name, len) != 0)
                fail_msg("'%s': rebuilt %d, gives '%.*s'", cases[i].name, both[w]->names[i].rebuilt,
                         (int)len, s);
        }
    }
    limen_index_free(loaded);
    limen_index_free(idx);
    unlink(path);
}

/*
 * Bulk adds on threads (index_build.c) give the very index one thread
 * gives: the saved files are compared byte for byte. The input has more
 * chunks than the ring holds, duplicate ids, a bad line, a line too long,
 * a blank line and an alert with nothing to screen on, so that reports and
 * counts are checked in order too.
 */
#define BULK_MAX_LINE 4096

struct seen {
    size_t item[16];
    long line[16];
    int status[16], is_alert[16];
    int n;
    size_t stop_at; /* stop at this item (SIZE_MAX: never) */
};

static int record(void *ud, size_t item, int is_alert, const struct limen_error *err)
{
    struct seen *s = ud;
    if (s->n < 16) {
        s->item[s->n] = item;
        s->line[s->n] = err->line;
        s->status[s->n] = err->status;
        s->is_alert[s->n] = is_alert;
        s->n++;
    }
    return item == s->stop_at;
}

/* Writes the alerts as JSON Lines with the odd lines listed above. */
static void write_alerts(const char *path, int swap)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < nents; i++) {
        /* `swap` exchanges two alerts: another order, another index */
        size_t j = swap && i == 100 ? 101 : swap && i == 101 ? 100 : i;
        size_t len;
        char *js = limen_entity_to_json(ents[j], &len);
        assert_non_null(js);
        fwrite(js, 1, len, f);
        fputc('\n', f);
        limen_free(js);
        if (i == 2000)
            fputs("{\"id\": \"broken\", \n", f);
        if (i == 3000)
            fputs("   \n", f);
        if (i == 4000) {
            fputs("{\"id\":\"long\",\"schema\":\"Person\",\"properties\":{\"name\":[\"", f);
            for (int k = 0; k < BULK_MAX_LINE; k++)
                fputc('a' + k % 26, f);
            fputs("\"]}}\n", f);
        }
        if (i == 5000)
            fputs("{\"id\":\"v1\",\"schema\":\"Vessel\",\"properties\":{\"name\":[\"7-28\"]}}\n", f);
        if (i == 9000) { /* an id seen before: replaces it */
            js = limen_entity_to_json(ents[17], &len);
            fwrite(js, 1, len, f);
            fputc('\n', f);
            limen_free(js);
        }
    }
    fclose(f);
}

/* Builds from a JSON Lines file on `threads` threads (0: the one-at-a-time
 * reference, limen_reader_next() + limen_index_add()) and saves. */
static void build_file(const char *in, const char *out, unsigned threads, struct seen *s,
                       struct limen_reader_stats *rs, struct limen_index_add_stats *as)
{
    struct limen_index *idx = NULL;
    struct limen_index_options o;
    limen_index_options_init(&o);
    o.threads = threads ? threads : 1;
    assert_int_equal(limen_index_new(&o, &idx), LIMEN_OK);
    struct limen_reader *r = NULL;
    assert_int_equal(limen_reader_open(in, BULK_MAX_LINE, &r, NULL), LIMEN_OK);
    memset(as, 0, sizeof *as);
    if (threads == 0) {
        for (size_t item = 0;; item++) {
            struct limen_entity *e = NULL;
            struct limen_error err;
            limen_status st = limen_reader_next(r, &e, &err);
            if (st == LIMEN_EOF)
                break;
            int rep = 0;
            int is_alert = st == LIMEN_OK;
            if (st == LIMEN_OK) {
                long line = err.line;
                st = limen_index_add(idx, e, &rep, &err);
                err.line = line;
                limen_entity_free(e);
            }
            if (st == LIMEN_OK) {
                as->added++;
                as->replaced += (size_t)rep;
            } else {
                as->rejected++;
                if (record(s, item, is_alert, &err))
                    break;
            }
        }
    } else {
        limen_status st = limen_index_add_reader(idx, r, threads, record, s, as);
        assert_true(st == LIMEN_OK || s->stop_at != SIZE_MAX);
    }
    limen_reader_stats(r, rs);
    limen_reader_free(r);
    assert_int_equal(limen_index_save(idx, out, NULL), LIMEN_OK);
    limen_index_free(idx);
}

static void expect_same_file(const char *a, const char *b, int same)
{
    size_t la, lb;
    unsigned char *x = slurp(a, &la), *y = slurp(b, &lb);
    int eq = la == lb && memcmp(x, y, la) == 0;
    if (eq != same)
        fail_msg("%s and %s: expected %s files", a, b, same ? "identical" : "different");
    free(x);
    free(y);
}

/*
 * A clone of an index with changes pending (a loaded index, alerts added,
 * replaced and removed since) saves the very file the original saves, and
 * finished, screens as the original; the original is only read meanwhile.
 */
static void test_clone(void **state)
{
    (void)state;
    make_queries();
    int *dead = calloc(nents, sizeof *dead);
    struct limen_entity **repl = calloc(nents, sizeof *repl);
    size_t base = nents - 200;
    struct limen_index *built = fresh(base, dead, repl);
    char p0[512], p1[512], p2[512];
    tmp_path(p0, sizeof p0, "clone0.limen");
    tmp_path(p1, sizeof p1, "clone1.limen");
    tmp_path(p2, sizeof p2, "clone2.limen");
    assert_int_equal(limen_index_save(built, p0, NULL), LIMEN_OK);
    struct limen_index *orig = NULL;
    assert_int_equal(limen_index_load(p0, &orig, NULL), LIMEN_OK);
    for (size_t i = base; i < nents; i++)
        assert_int_equal(limen_index_add(orig, ents[i], NULL, NULL) == LIMEN_OK ||
                             limen_entity_count(ents[i], "name") == 0,
                         1);
    int removed = 0;
    for (size_t i = 0; i < 40; i++)
        removed +=
            limen_index_remove(orig, limen_entity_id(ents[(i * 331 + 3) % nents])) == LIMEN_OK;
    assert_true(removed > 30); /* the changes are there to be cloned */
    /* a replacement */
    assert_int_equal(limen_index_add(orig, ents[base + 1], NULL, NULL), LIMEN_OK);

    struct limen_index_options o;
    limen_index_options_init(&o);
    o.threads = 1;
    struct limen_index *c = NULL;
    assert_int_equal(limen_index_clone(orig, &o, &c), LIMEN_OK);
    struct limen_results *r = NULL;
    assert_int_equal(limen_screen(c, queries[0], NULL, &r, NULL), LIMEN_ESTATE);
    assert_int_equal(limen_index_save(c, p1, NULL), LIMEN_OK); /* finishes the clone */
    assert_true(compare(c, orig, 0.005) <= 0.005);            /* the original still screens */
    assert_int_equal(limen_index_save(orig, p2, NULL), LIMEN_OK);
    expect_same_file(p1, p2, 1);
    assert_true(compare(c, orig, 0.0) == 0.0);
    limen_index_free(c);

    /* A bound the copy would pass; memory running out at any step of the copy. */
    o.max_memory = 1024;
    assert_int_equal(limen_index_clone(orig, &o, &c), LIMEN_ELIMIT);
    assert_null(c);
    int failures = 0;
    limen_status st = LIMEN_ENOMEM;
    for (unsigned long n = 1; n < 40; n++) {
        limen__alloc_fail_after(n, 0);
        st = limen_index_clone(orig, NULL, &c);
        limen__alloc_fail_after(0, 0);
        if (st == LIMEN_OK) {
            limen_index_free(c);
            continue;
        }
        assert_int_equal(st, LIMEN_ENOMEM);
        assert_null(c);
        failures++;
    }
    assert_true(failures > 0);
    assert_int_equal(st, LIMEN_OK); /* the sweep went past the copy's last allocation */
    limen_index_free(orig);
    limen_index_free(built);
    unlink(p0);
    unlink(p1);
    unlink(p2);
    free(dead);
    free(repl);
    free_queries();
}

/* The alerts of an index in their order (what a fresh build of the live ones is given). */
struct live_list {
    const struct limen_entity **e; /* NULL: removed or replaced since */
    size_t n;
};

static void live_push(struct live_list *l, const struct limen_entity *e)
{
    l->e[l->n++] = e;
}

/* Marks the alert with this id gone (the latest version listed). */
static void live_drop(struct live_list *l, const char *id)
{
    for (size_t i = l->n; i-- > 0;)
        if (l->e[i] && strcmp(limen_entity_id(l->e[i]), id) == 0) {
            l->e[i] = NULL;
            return;
        }
}

static struct limen_index *fresh_of(const struct live_list *l)
{
    struct limen_index *idx = NULL;
    assert_int_equal(limen_index_new(NULL, &idx), LIMEN_OK);
    for (size_t i = 0; i < l->n; i++)
        if (l->e[i])
            assert_int_equal(limen_index_add(idx, l->e[i], NULL, NULL), LIMEN_OK);
    assert_int_equal(limen_index_finish(idx), LIMEN_OK);
    return idx;
}

static void expect_same_stats(const struct limen_index *a, const struct limen_index *b)
{
    struct limen_index_stats sa, sb;
    limen_index_stats(a, &sa);
    limen_index_stats(b, &sb);
    assert_int_equal(sa.alerts, sb.alerts);
    assert_int_equal(sa.names, sb.names);
    assert_int_equal(sa.tokens, sb.tokens);
    assert_int_equal(sa.keys, sb.keys);
    assert_int_equal(sa.documents, sb.documents);
    assert_int_equal(sa.memory_bytes, sb.memory_bytes);
}

/*
 * A compacted copy of an index that has seen many replacements and
 * removals is a fresh build of its live alerts: the same saved file, the
 * same stats (memory included), the same results and scores; it takes
 * changes afterwards as a fresh build does. A failure at any allocation
 * leaves it as it was.
 */
static void test_compact(void **state)
{
    (void)state;
    make_queries();
    size_t base = nents - 500;
    struct live_list live = {calloc(nents * 2 + 16, sizeof *live.e), 0};
    struct limen_entity **repl = calloc(nents, sizeof *repl);
    struct limen_index *orig = NULL;
    assert_int_equal(limen_index_new(NULL, &orig), LIMEN_OK);
    for (size_t i = 0; i < base; i++)
        if (limen_index_add(orig, ents[i], NULL, NULL) == LIMEN_OK)
            live_push(&live, ents[i]);
    assert_int_equal(limen_index_finish(orig), LIMEN_OK);
    /* 500 adds, then replacements of persons (some twice: the name of
     * another listed person) and removals, one at a time. */
    for (size_t i = base; i < nents; i++)
        if (limen_index_add(orig, ents[i], NULL, NULL) == LIMEN_OK)
            live_push(&live, ents[i]);
    size_t nrepl = 0, nremoved = 0;
    for (size_t i = 0; i < 2000; i++) {
        size_t k = (i * 7919 + 17) % nents;
        if (limen_entity_schema(ents[k]) != LIMEN_SCHEMA_PERSON)
            continue;
        const char *id = limen_entity_id(ents[k]);
        const struct limen_entity *other = ents[(k + 1000 + i) % nents];
        const char *nm = limen_entity_value(other, "name", 0, NULL);
        if (!nm)
            continue;
        limen_entity_free(repl[k]);
        repl[k] = NULL;
        assert_int_equal(limen_entity_new(id, LIMEN_SCHEMA_PERSON, &repl[k]), LIMEN_OK);
        limen_entity_add(repl[k], "name", nm, strlen(nm));
        const char *dob = limen_entity_value(other, "birthDate", 0, NULL);
        if (dob)
            limen_entity_add(repl[k], "birthDate", dob, strlen(dob));
        live_drop(&live, id);
        assert_int_equal(limen_index_add(orig, repl[k], NULL, NULL), LIMEN_OK);
        live_push(&live, repl[k]);
        nrepl++;
    }
    for (size_t i = 0; i < 800; i++) {
        const char *id = limen_entity_id(ents[(i * 4099 + 29) % nents]);
        if (limen_index_remove(orig, id) == LIMEN_OK) {
            live_drop(&live, id);
            nremoved++;
        }
    }
    print_message("compaction: %zu replacements, %zu removals\n", nrepl, nremoved);
    assert_true(nrepl > 500 && nremoved > 300);

    struct limen_index_options o;
    limen_index_options_init(&o);
    o.threads = 1;
    struct limen_index *c = NULL;
    assert_int_equal(limen_index_clone(orig, &o, &c), LIMEN_OK);
    size_t filed = c->nalerts;

    /* Memory running out at any step: the copy is left as it was. */
    int failures = 0;
    limen_status st = LIMEN_ENOMEM;
    for (unsigned long n = 1; n < 2000 && st != LIMEN_OK; n++) {
        struct limen_error err;
        limen__alloc_fail_after(n, 0);
        st = limen_index_compact(c, &err);
        limen__alloc_fail_after(0, 0);
        if (st == LIMEN_OK)
            break;
        assert_int_equal(st, LIMEN_ENOMEM);
        assert_int_equal(err.status, LIMEN_ENOMEM);
        assert_int_equal(c->nalerts, filed);
        failures++;
    }
    assert_int_equal(st, LIMEN_OK);
    assert_true(failures > 10);
    assert_int_equal(c->nalerts, c->live);
    assert_true(c->nalerts < filed);
    /* Nothing dead any more: a second compaction changes nothing. */
    assert_int_equal(limen_index_compact(c, NULL), LIMEN_OK);

    struct limen_index *ref = fresh_of(&live);
    char p1[512], p2[512];
    tmp_path(p1, sizeof p1, "compact1.limen");
    tmp_path(p2, sizeof p2, "compact2.limen");
    assert_int_equal(limen_index_save(c, p1, NULL), LIMEN_OK);
    assert_int_equal(limen_index_save(ref, p2, NULL), LIMEN_OK);
    expect_same_file(p1, p2, 1);
    expect_same_stats(c, ref);
    assert_true(compare(c, ref, 0.0) == 0.0);
    /* the uncompacted original, folded, holds more for the same results */
    assert_int_equal(limen_index_finish(orig), LIMEN_OK);
    struct limen_index_stats so, sc;
    limen_index_stats(orig, &so);
    limen_index_stats(c, &sc);
    assert_int_equal(so.alerts, sc.alerts);
    assert_true(so.memory_bytes > sc.memory_bytes);
    print_message("compaction: %zu bytes folded, %zu compacted; scores differ by up to %.4f\n",
                  so.memory_bytes, sc.memory_bytes, compare(c, orig, 0.05));

    /* Changes afterwards, made to the copy and to the fresh build alike. */
    for (size_t i = 0; i < 50; i++) {
        const struct limen_entity *e = ents[(i * 97 + 1) % nents];
        struct limen_entity *r = NULL;
        const char *nm = limen_entity_value(ents[(i * 97 + 500) % nents], "name", 0, NULL);
        if (!nm || limen_entity_schema(e) != LIMEN_SCHEMA_PERSON)
            continue;
        assert_int_equal(limen_entity_new(limen_entity_id(e), LIMEN_SCHEMA_PERSON, &r), LIMEN_OK);
        limen_entity_add(r, "name", nm, strlen(nm));
        st = limen_index_add(c, r, NULL, NULL);
        assert_int_equal(limen_index_add(ref, r, NULL, NULL), st);
        limen_entity_free(r);
        const char *id = limen_entity_id(ents[(i * 89 + 3) % nents]);
        st = limen_index_remove(c, id);
        assert_int_equal(limen_index_remove(ref, id), st);
    }
    assert_true(compare(c, ref, 0.0) == 0.0);
    assert_int_equal(limen_index_save(c, p1, NULL), LIMEN_OK);
    assert_int_equal(limen_index_save(ref, p2, NULL), LIMEN_OK);
    expect_same_file(p1, p2, 1);

    /* A bound the second copy of the live alerts would pass. */
    struct limen_index *c2 = NULL;
    assert_int_equal(limen_index_clone(orig, &o, &c2), LIMEN_OK);
    limen_index_remove(c2, limen_entity_id(ents[1]));
    filed = c2->nalerts;
    c2->opts.max_memory = 4096;
    assert_int_equal(limen_index_compact(c2, NULL), LIMEN_ELIMIT);
    assert_int_equal(c2->nalerts, filed);
    limen_index_free(c2);

    limen_index_free(c);
    limen_index_free(ref);
    limen_index_free(orig);
    unlink(p1);
    unlink(p2);
    for (size_t i = 0; i < nents; i++)
        limen_entity_free(repl[i]);
    free(repl);
    free(live.e);
    free_queries();
}

/*
 * A saved index, loaded (its arrays in the file's mapping), compacts too.
 */
static void test_compact_loaded(void **state)
{
    (void)state;
    make_queries();
    struct live_list live = {calloc(nents + 16, sizeof *live.e), 0};
    struct limen_index *built = NULL;
    assert_int_equal(limen_index_new(NULL, &built), LIMEN_OK);
    for (size_t i = 0; i < nents; i++)
        if (limen_index_add(built, ents[i], NULL, NULL) == LIMEN_OK)
            live_push(&live, ents[i]);
    for (size_t i = 0; i < 300; i++) {
        const char *id = limen_entity_id(ents[(i * 131 + 7) % nents]);
        if (limen_index_remove(built, id) == LIMEN_OK)
            live_drop(&live, id);
    }
    char p0[512], p1[512], p2[512];
    tmp_path(p0, sizeof p0, "compactl0.limen");
    tmp_path(p1, sizeof p1, "compactl1.limen");
    tmp_path(p2, sizeof p2, "compactl2.limen");
    assert_int_equal(limen_index_save(built, p0, NULL), LIMEN_OK);
    struct limen_index *loaded = NULL, *ref = fresh_of(&live);
    assert_int_equal(limen_index_load(p0, &loaded, NULL), LIMEN_OK);
    assert_int_equal(limen_index_compact(loaded, NULL), LIMEN_OK);
    assert_null(loaded->map);
    struct limen_results *r = NULL;
    assert_int_equal(limen_screen(loaded, queries[0], NULL, &r, NULL), LIMEN_ESTATE);
    assert_int_equal(limen_index_save(loaded, p1, NULL), LIMEN_OK);
    assert_int_equal(limen_index_save(ref, p2, NULL), LIMEN_OK);
    expect_same_file(p1, p2, 1);
    assert_true(compare(loaded, ref, 0.0) == 0.0);
    limen_index_free(loaded);
    limen_index_free(ref);
    limen_index_free(built);
    unlink(p0);
    unlink(p1);
    unlink(p2);
    free(live.e);
    free_queries();
}

static void check_seen(const struct seen *a, const struct seen *b)
{
    assert_int_equal(a->n, b->n);
    for (int i = 0; i < a->n; i++) {
        assert_int_equal(a->item[i], b->item[i]);
        assert_int_equal(a->line[i], b->line[i]);
        assert_int_equal(a->status[i], b->status[i]);
        assert_int_equal(a->is_alert[i], b->is_alert[i]);
    }
}

/*
 * Builds `in` one alert at a time into ref (the reference, *s0 its
 * reports), then on 1 and 2 threads into out: the same file, reports and
 * counts, stopping at item stop_at (SIZE_MAX: never).
 */
static void expect_same_builds(const char *in, const char *ref, const char *out, size_t stop_at,
                               struct seen *s0)
{
    struct limen_reader_stats rs0, rs;
    struct limen_index_add_stats as0, as;
    memset(s0, 0, sizeof *s0);
    s0->stop_at = stop_at;
    build_file(in, ref, 0, s0, &rs0, &as0);
    for (unsigned t = 1; t <= 2; t++) {
        struct seen s = {.stop_at = stop_at};
        build_file(in, out, t, &s, &rs, &as);
        expect_same_file(ref, out, 1);
        check_seen(s0, &s);
        assert_int_equal(as.added, as0.added);
        assert_int_equal(rs.read, rs0.read);
        assert_int_equal(rs.skipped, rs0.skipped);
    }
}

static void test_threads_same_file(void **state)
{
    (void)state;
    char in[512], in2[512], ref[512], out[512];
    tmp_path(in, sizeof in, "bulk.jsonl");
    tmp_path(in2, sizeof in2, "bulk2.jsonl");
    tmp_path(ref, sizeof ref, "bulk_ref.limen");
    tmp_path(out, sizeof out, "bulk_out.limen");
    write_alerts(in, 0);
    write_alerts(in2, 1);

    struct seen s0 = {.stop_at = SIZE_MAX};
    struct limen_reader_stats rs0, rs;
    struct limen_index_add_stats as0, as;
    build_file(in, ref, 0, &s0, &rs0, &as0);
    /* the odd lines were met, in order: broken, too long, nothing to screen
     * on (the list has alerts of that kind of its own too) */
    int want[3] = {LIMEN_ESYNTAX, LIMEN_ETOOLONG, LIMEN_EEMPTY}, met = 0;
    for (int i = 0; i < s0.n; i++) {
        print_message("reference: item %zu line %ld: %s\n", s0.item[i], s0.line[i],
                      limen_status_name(s0.status[i]));
        if (met < 3 && s0.status[i] == want[met] && s0.line[i] > 2000 &&
            s0.is_alert[i] == (want[met] == LIMEN_EEMPTY))
            met++;
    }
    assert_int_equal(met, 3);
    assert_int_equal(as0.replaced, 1);

    static const unsigned threads[] = {1, 2, 3, 8};
    for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++) {
        struct seen s = {.stop_at = SIZE_MAX};
        build_file(in, out, threads[i], &s, &rs, &as);
        expect_same_file(ref, out, 1);
        check_seen(&s0, &s);
        assert_int_equal(as.added, as0.added);
        assert_int_equal(as.replaced, as0.replaced);
        assert_int_equal(as.rejected, as0.rejected);
        assert_int_equal(rs.read, rs0.read);
        assert_int_equal(rs.skipped, rs0.skipped);
        assert_int_equal(rs.lines, rs0.lines);
    }
    /* the comparison sees a difference: two alerts in the other order */
    struct seen s1 = {.stop_at = SIZE_MAX};
    build_file(in2, out, 2, &s1, &rs, &as);
    expect_same_file(ref, out, 0);

    /* stopping at the broken line: the alerts before it, none after, on
     * any number of threads */
    struct seen st0;
    expect_same_builds(in, ref, out, s0.item[0], &st0);

    /* out of memory anywhere in a threaded add: an error, never a crash or
     * a leak (which allocation fails depends on the threads' timing) */
    for (unsigned long n = 1; n < 4000; n += 997) {
        struct limen_index *idx = NULL;
        assert_int_equal(limen_index_new(NULL, &idx), LIMEN_OK);
        struct limen_reader *r = NULL;
        assert_int_equal(limen_reader_open(in, BULK_MAX_LINE, &r, NULL), LIMEN_OK);
        struct seen s = {.stop_at = SIZE_MAX};
        limen__alloc_fail_after(n, 1);
        limen_status st = limen_index_add_reader(idx, r, 2, record, &s, &as);
        limen__alloc_fail_after(0, 0);
        assert_true(st == LIMEN_ENOMEM || (st == LIMEN_OK && as.rejected > 3));
        limen_reader_free(r);
        limen_index_free(idx);
    }
    unlink(in);
    unlink(in2);
    unlink(ref);
    unlink(out);
}

/*
 * One alert line written in the form `form` picks: 0 compact (the scanner
 * reads it as slices of the line); 1 every "a" in keys and values written
 * \u0061 and every "e" \u0065 (decoded into the scanner's arena); 2 with
 * whitespace between the tokens; 3 with a member the scanner leaves to
 * jansson (a number with an exponent) first.
 */
static void write_form(FILE *f, const char *js, size_t len, int form)
{
    int in_string = 0;
    if (form == 3)
        fputs("{\"score\": 1e0,", f);
    for (size_t i = form == 3 ? 1 : 0; i < len; i++) {
        char ch = js[i];
        if (in_string && ch == '\\') {
            fputc(ch, f);
            fputc(js[++i], f);
            continue;
        }
        if (ch == '"')
            in_string = !in_string;
        if (form == 1 && in_string && (ch == 'a' || ch == 'e'))
            fprintf(f, "\\u00%x", (unsigned)(unsigned char)ch);
        else
            fputc(ch, f);
        if (form == 2 && !in_string && (ch == ',' || ch == ':' || ch == '{' || ch == '['))
            fputs(" \t ", f);
    }
    fputc('\n', f);
}

/*
 * The fast path and jansson's give the same index: a file whose lines mix
 * the forms above, and bad lines, builds on 1 and 2 threads (scanner first,
 * jansson for the rest) into the very file the one-at-a-time reference
 * (jansson for every line) saves, with the same reports.
 */
static void test_fast_path_same_file(void **state)
{
    (void)state;
    char in[512], ref[512], out[512];
    tmp_path(in, sizeof in, "mixed.jsonl");
    tmp_path(ref, sizeof ref, "mixed_ref.limen");
    tmp_path(out, sizeof out, "mixed_out.limen");
    FILE *f = fopen(in, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < nents; i++) {
        size_t len;
        char *js = limen_entity_to_json(ents[i], &len);
        assert_non_null(js);
        write_form(f, js, len, (int)(i % 4));
        limen_free(js);
        if (i == 100)
            fputs("{\"id\":\"d\",\"id\":\"d\",\"schema\":\"Person\",\"properties\":{}}\n", f);
        if (i == 200)
            fputs("{\"id\":\"z\",\"schema\":\"Person\",\"properties\":{\"name\":[\"\\u0000\"]}}\n",
                  f);
        if (i == 300)
            fputs("{\"id\":\"u\",\"schema\":\"Person\",\"properties\":{\"name\":[\"\xc3\"]}}\n", f);
    }
    fclose(f);

    /* both paths are taken: count the lines the scanner handles */
    struct limen_reader *r = NULL;
    assert_int_equal(limen_reader_open(in, BULK_MAX_LINE, &r, NULL), LIMEN_OK);
    struct limen__escan es;
    limen__escan_init(&es);
    size_t fast = 0, slow = 0;
    const char *line;
    size_t len;
    limen_status st;
    while ((st = limen__reader_line(r, &line, &len, NULL)) != LIMEN_EOF) {
        if (st != LIMEN_OK)
            slow++; /* too long (the escaped form of a long alert) */
        else if (limen__escan_line(&es, line, len, 0))
            fast++;
        else
            slow++;
    }
    limen__escan_release(&es);
    limen_reader_free(r);
    print_message("mixed file: %zu lines for the scanner, %zu for jansson\n", fast, slow);
    assert_true(fast > nents / 2 && slow > nents / 5);

    struct seen s0;
    expect_same_builds(in, ref, out, SIZE_MAX, &s0);
    /* the three bad lines were reported (by jansson's path: line and status) */
    int bad = 0;
    for (int i = 0; i < s0.n; i++)
        bad += s0.status[i] == LIMEN_ESYNTAX || s0.status[i] == LIMEN_EUTF8;
    assert_int_equal(bad, 3);
    unlink(in);
    unlink(ref);
    unlink(out);
}

/* A source of alerts by number, called from the workers. */
static limen_status ofac_source(void *ud, size_t i, struct limen_entity **out,
                                struct limen_error *err)
{
    (void)ud;
    size_t len;
    char *js = limen_entity_to_json(ents[i], &len);
    if (!js)
        return LIMEN_ENOMEM;
    limen_status st = limen_entity_parse(js, len, out, err);
    limen_free(js);
    return st;
}

static void test_source_same_file(void **state)
{
    (void)state;
    char ref[512], out[512];
    tmp_path(ref, sizeof ref, "src_ref.limen");
    tmp_path(out, sizeof out, "src_out.limen");
    int *dead = calloc(nents, sizeof *dead);
    struct limen_entity **repl = calloc(nents, sizeof *repl);
    struct limen_index *idx = fresh(nents, dead, repl);
    assert_int_equal(limen_index_save(idx, ref, NULL), LIMEN_OK);
    limen_index_free(idx);
    for (unsigned t = 1; t <= 3; t++) {
        struct limen_index_options o;
        limen_index_options_init(&o);
        o.threads = t;
        assert_int_equal(limen_index_new(&o, &idx), LIMEN_OK);
        struct limen_index_add_stats as;
        assert_int_equal(limen_index_add_source(idx, nents, ofac_source, NULL, t, NULL, NULL, &as),
                         LIMEN_OK);
        assert_int_equal(as.added + as.rejected, nents);
        assert_int_equal(limen_index_save(idx, out, NULL), LIMEN_OK);
        limen_index_free(idx);
        expect_same_file(ref, out, 1);
    }
    assert_int_equal(limen_index_add_source(NULL, 1, ofac_source, NULL, 1, NULL, NULL, NULL),
                     LIMEN_EINVAL);
    unlink(ref);
    unlink(out);
    free(dead);
    free(repl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_save_load),
        cmocka_unit_test(test_clone),
        cmocka_unit_test(test_compact),
        cmocka_unit_test(test_compact_loaded),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_written_forms),
        cmocka_unit_test(test_threads_same_file),
        cmocka_unit_test(test_source_same_file),
        cmocka_unit_test(test_fast_path_same_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
