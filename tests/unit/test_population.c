/*
 * Sanity tests of the synthetic population generator (bench/lib/population.c):
 * determinism per (seed, index), every record parses as an FtM entity, the
 * culture mix and the name frequency skew are as designed, Arabic script
 * appears in about a tenth of the alerts, and every query says what was
 * done to it.
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
        cmocka_unit_test(test_query_labels),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
