/*
 * Sanity tests of the synthetic population generator (bench/lib/population.c):
 * determinism per (seed, index), every record parses as an FtM entity, the
 * culture mix and the name frequency skew are as designed, Arabic script
 * appears in about a tenth of the alerts, every query says what was done
 * to it, and the long tail of composed names makes distinct names grow
 * with the population while the most frequent names stay frequent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limen/limen.h"
#include "population.h"

static struct pop pop1, pop1b, pop2;

static int setup(void **state)
{
    (void)state;
    pop_init(&pop1, 1);
    pop_init(&pop1b, 1);
    pop_init(&pop2, 2);
    return 0;
}

static int same_person(const struct pop_person *a, const struct pop_person *b)
{
    return strcmp(a->id, b->id) == 0 && strcmp(a->name, b->name) == 0 &&
           strcmp(a->alias, b->alias) == 0 && strcmp(a->birth_date, b->birth_date) == 0 &&
           strcmp(a->nationality, b->nationality) == 0 && a->gender == b->gender &&
           strcmp(a->passport, b->passport) == 0 && a->culture == b->culture;
}

static void test_determinism(void **state)
{
    (void)state;
    struct pop_person a, b;
    char wa[128], wb[128];
    int differ = 0;
    /* Out of order and from another struct pop: the same person. */
    for (uint64_t i = 5000; i-- > 0;) {
        pop_alert(&pop1, i, &a);
        pop_alert(&pop1b, i, &b);
        assert_true(same_person(&a, &b));
        pop_query(&pop1, i, i * 31 + 7, &a, wa, sizeof wa);
        pop_query(&pop1b, i, i * 31 + 7, &b, wb, sizeof wb);
        assert_true(same_person(&a, &b));
        assert_string_equal(wa, wb);
        pop_negative(&pop1, i, &a);
        pop_negative(&pop1b, i, &b);
        assert_true(same_person(&a, &b));
        pop_alert(&pop2, i, &b);
        pop_alert(&pop1, i, &a);
        differ += strcmp(a.name, b.name) != 0 || strcmp(a.birth_date, b.birth_date) != 0;
    }
    assert_true(differ > 4900);
    /* Index formatting: fixed width, wider when needed. */
    pop_alert(&pop1, 42, &a);
    assert_string_equal(a.id, "g000000042");
    pop_alert(&pop1, 12345678901ull, &a);
    assert_string_equal(a.id, "g12345678901");
    /* Negatives are not the alerts. */
    pop_negative(&pop1, 7, &b);
    pop_alert(&pop1, 7, &a);
    assert_string_equal(b.id, "n000000007");
    assert_false(strcmp(a.name, b.name) == 0 && strcmp(a.birth_date, b.birth_date) == 0);
    assert_true(pop_query_target(&pop1, 3, 1000) < 1000);
    assert_int_equal(pop_query_target(&pop1, 3, 0), 0);
}

static void parse_ok(const struct pop_person *x)
{
    char buf[2048];
    int n = pop_to_json(x, buf, sizeof buf);
    assert_true(n > 0);
    assert_int_equal((size_t)n, strlen(buf));
    struct limen_entity *e = NULL;
    struct limen_error err;
    limen_status st = limen_entity_parse(buf, (size_t)n, &e, &err);
    if (st != LIMEN_OK)
        fail_msg("%s: %s", buf, limen_strerror(st));
    assert_string_equal(limen_entity_id(e), x->id);
    assert_int_equal(limen_entity_schema(e), LIMEN_SCHEMA_PERSON);
    assert_int_equal(limen_entity_count(e, "name"), 1);
    assert_string_equal(limen_entity_value(e, "name", 0, NULL), x->name);
    assert_int_equal(limen_entity_count(e, "alias"), x->alias[0] ? 1 : 0);
    assert_int_equal(limen_entity_count(e, "birthDate"), x->birth_date[0] ? 1 : 0);
    assert_int_equal(limen_entity_count(e, "passportNumber"), x->passport[0] ? 1 : 0);
    assert_int_equal(limen_entity_count(e, "gender"), 1);
    limen_entity_free(e);
}

static void test_json_parses(void **state)
{
    (void)state;
    struct pop_person x;
    char what[128];
    int no_dob = 0, year_only = 0, no_passport = 0;
    for (uint64_t i = 0; i < 20000; i++) {
        pop_alert(&pop1, i, &x);
        parse_ok(&x);
        assert_true(x.gender == 'm' || x.gender == 'f');
        size_t dl = strlen(x.birth_date);
        assert_true(dl == 0 || dl == 4 || dl == 10);
        no_dob += dl == 0;
        year_only += dl == 4;
        no_passport += x.passport[0] == '\0';
        pop_query(&pop1, i, pop_query_target(&pop1, i, 1000000), &x, what, sizeof what);
        assert_true(x.id[0] == 'q');
        parse_ok(&x);
        pop_negative(&pop1, i, &x);
        assert_true(x.id[0] == 'n');
        parse_ok(&x);
    }
    assert_in_range(no_dob, 20000 * 2 / 100, 20000 * 4 / 100);
    assert_in_range(year_only, 20000 * 4 / 100, 20000 * 6 / 100);
    assert_in_range(no_passport, 20000 * 27 / 100, 20000 * 33 / 100);
}

static void test_json_escaping(void **state)
{
    (void)state;
    struct pop_person x;
    memset(&x, 0, sizeof x);
    memcpy(x.id, "g1", 3);
    const char *nm = "Quote \" back \\ tab\t nl\n ctl\x01 D'Angelo";
    memcpy(x.name, nm, strlen(nm) + 1);
    x.gender = 'f';
    char buf[256];
    int n = pop_to_json(&x, buf, sizeof buf);
    assert_true(n > 0);
    assert_string_equal(buf,
                        "{\"id\":\"g1\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Quote "
                        "\\\" back \\\\ tab\\t nl\\n ctl\\u0001 D'Angelo\"],"
                        "\"gender\":[\"female\"]}}");
    struct limen_entity *e = NULL;
    assert_int_equal(limen_entity_parse(buf, (size_t)n, &e, NULL), LIMEN_OK);
    assert_string_equal(limen_entity_value(e, "name", 0, NULL), nm);
    limen_entity_free(e);
    /* Too small a buffer, at every size below the need. */
    for (size_t cap = 0; cap <= (size_t)n; cap++)
        assert_int_equal(pop_to_json(&x, buf, cap), -1);
    assert_int_equal(pop_to_json(&x, buf, (size_t)n + 1), n);
}

static int has_arabic(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0xd8 && (unsigned char)*s <= 0xdb)
            return 1;
    return 0;
}

struct count {
    char tok[64];
    int n;
};

static void test_mix_and_skew(void **state)
{
    (void)state;
    static const double want[POP_CULTURES] = {30, 10, 5, 15, 13, 14, 13};
    int by[POP_CULTURES] = {0};
    int arabic = 0, maghreb = 0;
    enum { N = 100000, MAXC = 4096 };
    struct count *c = calloc(MAXC, sizeof *c);
    assert_non_null(c);
    int nc = 0;
    struct pop_person x;
    for (uint64_t i = 0; i < N; i++) {
        pop_alert(&pop1, i, &x);
        assert_in_range(x.culture, 0, POP_CULTURES - 1);
        by[x.culture]++;
        arabic += has_arabic(x.name);
        if (x.culture != POP_MAGHREB_FR)
            continue;
        maghreb++;
        /* Count each distinct token of the name once per alert, case-sensitively. */
        char buf[160];
        memcpy(buf, x.name, sizeof buf);
        for (char *t = buf, *next; t; t = next) {
            next = strchr(t, ' ');
            if (next)
                *next++ = '\0';
            int k = 0;
            while (k < nc && strcmp(c[k].tok, t) != 0)
                k++;
            if (k == nc && nc < MAXC && strlen(t) < sizeof c[0].tok) {
                memcpy(c[nc].tok, t, strlen(t) + 1);
                nc++;
            }
            if (k < nc)
                c[k].n++;
        }
    }
    for (int k = 0; k < POP_CULTURES; k++) {
        double pct = 100.0 * by[k] / N;
        if (pct < want[k] - 3 || pct > want[k] + 3)
            fail_msg("%s: %.1f%% of alerts, want %.0f%%", pop_culture_name(k), pct, want[k]);
    }
    int best = 0;
    for (int k = 1; k < nc; k++)
        if (c[k].n > c[best].n)
            best = k;
    print_message("most common Maghreb token: %s in %.1f%% of %d alerts\n", c[best].tok,
                  100.0 * c[best].n / maghreb, maghreb);
    assert_true(c[best].n * 100 > maghreb * 3);
    double ar = 100.0 * arabic / N;
    print_message("Arabic-script names: %.1f%%\n", ar);
    assert_true(ar > 7.0 && ar < 13.0);
    free(c);
}

/* A counting set of strings (open addressing), for the long-tail statistics. */
struct sset {
    char **key;
    int *n;
    size_t cap, used;
};

static void sset_init(struct sset *s, size_t cap)
{
    s->key = calloc(cap, sizeof *s->key);
    s->n = calloc(cap, sizeof *s->n);
    assert_non_null(s->key);
    assert_non_null(s->n);
    s->cap = cap;
    s->used = 0;
}

static void sset_release(struct sset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->key[i]);
    free(s->key);
    free(s->n);
}

/* Counts one occurrence of key (with a one-byte tag, e.g. the culture). */
static void sset_add(struct sset *s, const char *key, int tag)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)tag;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    assert_true(s->used * 10 < s->cap * 7);
    for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->key[i]) {
            size_t l = strlen(key);
            s->key[i] = malloc(l + 2);
            assert_non_null(s->key[i]);
            s->key[i][0] = (char)('0' + tag);
            memcpy(s->key[i] + 1, key, l + 1);
            s->n[i] = 1;
            s->used++;
            return;
        }
        if (s->key[i][0] == (char)('0' + tag) && strcmp(s->key[i] + 1, key) == 0) {
            s->n[i]++;
            return;
        }
    }
}

static int all_upper_word(const char *w)
{
    int letters = 0;
    for (const unsigned char *p = (const unsigned char *)w; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            return 0;
        if (*p == 0xc3 && p[1] >= 0xa0 && p[1] <= 0xbf)
            return 0;
        letters += (*p >= 'A' && *p <= 'Z');
    }
    return letters >= 2;
}

/*
 * The long tail: distinct name tokens keep growing with the population (Heaps' law), the head
 * stays heavy. Surnames are recognised where the generator writes them in capitals ("Youssef
 * EL FASSI", a random 15-40% of Latin alerts; the first of two Spanish surnames) and as the
 * last word of Arabic-script names.
 */
static void test_long_tail(void **state)
{
    (void)state;
    enum { N = 200000 };
    struct sset tokens, sur;
    sset_init(&tokens, 1u << 19);
    sset_init(&sur, 1u << 18);
    int sampled[POP_CULTURES] = {0};
    size_t distinct_100k = 0;
    struct pop_person x;
    for (uint64_t i = 0; i < N; i++) {
        if (i == N / 2)
            distinct_100k = tokens.used;
        pop_alert(&pop1, i, &x);
        char buf[160], surname[160];
        size_t sl = 0;
        const char *last = NULL;
        memcpy(buf, x.name, sizeof buf);
        surname[0] = '\0';
        for (char *t = buf, *next; t; t = next) {
            next = strchr(t, ' ');
            if (next)
                *next++ = '\0';
            if (!*t)
                continue;
            last = t;
            /* A Spanish alert has two surnames: the first one (past its particles) is kept. */
            int es_skip = x.culture == POP_SPANISH &&
                          (sl || !strcmp(t, "DE") || !strcmp(t, "LA") || !strcmp(t, "DEL"));
            if (!es_skip && all_upper_word(t) && sl + strlen(t) + 2 < sizeof surname) {
                if (sl)
                    surname[sl++] = ' ';
                memcpy(surname + sl, t, strlen(t) + 1);
                sl += strlen(t);
            }
            /* Tokens are counted case-folded (ASCII): "EL FASSI" and "El Fassi" are one. */
            char low[160];
            size_t k = 0;
            for (; t[k] && k < sizeof low - 1; k++)
                low[k] = (char)(t[k] >= 'A' && t[k] <= 'Z' ? t[k] + 32 : t[k]);
            low[k] = '\0';
            sset_add(&tokens, low, 0);
        }
        if (x.culture == POP_MAGHREB_AR_SCRIPT && has_arabic(x.name) && last) {
            sset_add(&sur, last, x.culture);
            sampled[x.culture]++;
        } else if (sl) {
            sset_add(&sur, surname, x.culture);
            sampled[x.culture]++;
        }
    }
    double growth = 100.0 * ((double)tokens.used / (double)distinct_100k - 1);
    print_message("distinct name tokens: %zu at %d alerts, %zu at %d (+%.0f%%)\n", distinct_100k,
                  N / 2, tokens.used, N, growth);
    assert_true(tokens.used > 40000);
    assert_true(growth > 25);
    int ar_distinct = 0;
    for (int c = 0; c < POP_CULTURES; c++) {
        int top = 0, distinct = 0;
        const char *top_key = "";
        for (size_t i = 0; i < sur.cap; i++)
            if (sur.key[i] && sur.key[i][0] == (char)('0' + c)) {
                distinct++;
                if (sur.n[i] > top) {
                    top = sur.n[i];
                    top_key = sur.key[i] + 1;
                }
            }
        double share = 100.0 * top / sampled[c];
        print_message("%-17s top surname %-12s %.2f%% of %d sampled, %d distinct\n",
                      pop_culture_name(c), top_key, share, sampled[c], distinct);
        assert_true(sampled[c] > 1000);
        assert_true(share >= 0.5 && share <= 5.0);
        if (c == POP_MAGHREB_AR_SCRIPT)
            ar_distinct = distinct;
    }
    /* Composed surnames exist in Arabic script too. */
    assert_true(ar_distinct > 3000);
    sset_release(&tokens);
    sset_release(&sur);
}

static void test_query_labels(void **state)
{
    (void)state;
    struct pop_person q, a;
    char what[128];
    int same = 0;
    for (uint64_t k = 0; k < 20000; k++) {
        uint64_t t = pop_query_target(&pop1, k, 50000);
        pop_query(&pop1, k, t, &q, what, sizeof what);
        assert_true(what[0] != '\0');
        assert_true(q.name[0] != '\0');
        assert_true(q.alias[0] == '\0');
        pop_alert(&pop1, t, &a);
        assert_int_equal(q.gender, a.gender);
        same += strcmp(q.name, a.name) == 0 && strcmp(q.birth_date, a.birth_date) == 0 &&
                strcmp(q.nationality, a.nationality) == 0 && strcmp(q.passport, a.passport) == 0;
    }
    /* A perturbation may happen to be invisible (an OCR swap on a letter-free spot never is,
     * but a transliteration can land on the same spelling); almost all queries differ. */
    assert_true(same < 20000 / 100);
    /* A small label buffer truncates, never overflows. */
    char small[4];
    pop_query(&pop1, 1, 1, &q, small, sizeof small);
    assert_true(strlen(small) < sizeof small);
    pop_query(&pop1, 1, 1, &q, NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),   cmocka_unit_test(test_json_parses),
        cmocka_unit_test(test_json_escaping), cmocka_unit_test(test_mix_and_skew),
        cmocka_unit_test(test_query_labels),  cmocka_unit_test(test_long_tail),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
