/*
 * Tests of the OFAC converter (src/lib/ofac.c): every DOB form of the
 * remarks, the remark clauses, the join of SDN, ALT and ADD, and the error
 * reports (file, line, field) for malformed rows; allocation failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "limen/limen.h"
#include "ofac_int.h"

static void expect_dob(const char *text, int n, ...)
{
    char out[LIMEN__OFAC_MAX_DATES][11];
    int got = limen__ofac_dob(text, strlen(text), out, LIMEN__OFAC_MAX_DATES);
    if (got != n)
        fail_msg("DOB '%s': %d dates, %d expected", text, got, n);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(out[i], va_arg(ap, const char *));
    va_end(ap);
}

static void test_dob_forms(void **state)
{
    (void)state;
    expect_dob("12 Jan 1960", 1, "1960-01-12");
    expect_dob("03 May 1938 ", 1, "1938-05-03");
    expect_dob("Mar 1971", 1, "1971-03");
    expect_dob("1965", 1, "1965");
    expect_dob("circa 1958", 1, "1958");
    expect_dob("circa 01 Jul 1968", 1, "1968-07-01");
    expect_dob("1960 to 1962", 3, "1960", "1961", "1962");
    expect_dob("01 Jan 1960 to 31 Dec 1962", 3, "1960", "1961", "1962");
    expect_dob("circa 1958-1960", 3, "1958", "1959", "1960");
    expect_dob("15 Mar 1970 to 15 Mar 1970", 1, "1970-03-15");
    expect_dob("01 Mar 1960 to 01 Apr 1960", 2, "1960-03-01", "1960-04-01");
    expect_dob("Mar 1960 to Feb 1961", 2, "1960-03", "1961-02");
    expect_dob("1940 to 1990", 2, "1940", "1990");
    expect_dob("unknown", -1);
    expect_dob("31 Feb 1960", -1);
    expect_dob("1962 to 1960", -1);
    expect_dob("12 Foo 1960", -1);
    expect_dob("12 1960", -1);
    expect_dob("1960 or 1961", -1);
    expect_dob("", -1);
}

static void expect_values(const struct limen_entity *e, const char *prop, int n, ...)
{
    va_list ap;
    if ((int)limen_entity_count(e, prop) != n)
        fail_msg("%s: %zu values, %d expected", prop, limen_entity_count(e, prop), n);
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(limen_entity_value(e, prop, (size_t)i, NULL), va_arg(ap, const char *));
    va_end(ap);
}

static void test_remarks(void **state)
{
    (void)state;
    struct limen_entity *e = NULL;
    struct limen_ofac_stats st;
    memset(&st, 0, sizeof st);
    assert_int_equal(limen_entity_new("x", LIMEN_SCHEMA_PERSON, &e), LIMEN_OK);
    const char *r = "DOB 01 Jan 1960; alt. DOB 1961; POB Baghdad, Iraq; nationality Iraq; "
                    "alt. nationality Jordan; citizen Syria; Passport A1234567 (Iraq) issued 2001; "
                    "alt. Passport 92/664 (Egypt); National ID No. 660000 73767 (Belgium); "
                    "a.k.a. 'ABU 'ALI'; a.k.a. 'AL-HAJJ'; Gender Male; "
                    "Linked To: SOME BANK; nationality Atlantis; DOB sometime.";
    assert_int_equal(limen__ofac_remarks(e, r, strlen(r), &st), LIMEN_OK);
    expect_values(e, "birthDate", 2, "1960-01-01", "1961");
    expect_values(e, "birthPlace", 1, "Baghdad, Iraq");
    expect_values(e, "nationality", 3, "iq", "jo", "Atlantis");
    expect_values(e, "citizenship", 1, "sy");
    expect_values(e, "passportNumber", 2, "A1234567", "92/664");
    expect_values(e, "idNumber", 1, "660000 73767");
    expect_values(e, "weakAlias", 2, "ABU 'ALI", "AL-HAJJ");
    expect_values(e, "gender", 1, "male");
    /* nothing is lost: the clauses not fully represented are kept verbatim */
    expect_values(e, "notes", 5, "Passport A1234567 (Iraq) issued 2001",
                  "alt. Passport 92/664 (Egypt)", "National ID No. 660000 73767 (Belgium)",
                  "Linked To: SOME BANK", "DOB sometime");
    assert_int_equal(st.weak_aliases, 2);
    assert_int_equal(st.birth_dates, 2);
    assert_int_equal(st.dob_unparsed, 1);
    assert_int_equal(st.documents, 3);
    assert_int_equal(st.countries_unknown, 1);
    limen_entity_free(e);

    /* "-0-" is empty */
    assert_int_equal(limen_entity_new("y", LIMEN_SCHEMA_PERSON, &e), LIMEN_OK);
    assert_int_equal(limen__ofac_remarks(e, "-0- ", 4, NULL), LIMEN_OK);
    assert_int_equal(limen_entity_prop_count(e), 0);
    limen_entity_free(e);
}

/* ---- whole conversions over in-memory files ---- */

struct sink {
    char lines[16][4096];
    int n;
    int fail_at; /* emit fails on this line (1-based), 0: never */
};

static int collect(void *ctx, const char *json, size_t len)
{
    struct sink *s = ctx;
    if (s->fail_at && s->n + 1 == s->fail_at)
        return -1;
    assert_true(s->n < 16 && len < sizeof s->lines[0]);
    memcpy(s->lines[s->n], json, len);
    s->lines[s->n][len] = '\0';
    s->n++;
    return 0;
}

static const char sdn_text[] =
    "2674,\"ABBAS, Abu\",\"individual\",\"SDGT\",\"Director\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
    "\"DOB 10 Dec 1948; nationality Morocco; a.k.a. 'ABU X'; Gender Male.\"\r\n"
    "306,\"BANCO NACIONAL DE CUBA\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
    "\"a.k.a. 'BNC'.\"\r\n"
    "15036,\"ARGOS\",\"vessel\",\"SDGT] [IRGC\",-0- ,\"9HA1234\",\"Crude Oil Tanker\",-0- ,"
    "\"81479\",\"Panama\",-0- ,\"Vessel Registration Identification IMO 9187629.\"\r\n"
    "\x1a";
static const char alt_text[] = "2674,1,\"aka\",\"ZAYDAN, Muhammad\",-0- \r\n"
                               "2674,2,\"fka\",\"ABBAS, Abul\",-0- \r\n"
                               "306,3,\"aka\",\"NATIONAL BANK OF CUBA\",-0- \r\n"
                               "99999,4,\"aka\",\"NOBODY\",-0- \r\n";
static const char add_text[] = "306,199,\"Zweierstrasse 35\",\"Zurich CH-8022\",\"Switzerland\",-0- \r\n"
                               "2674,25,-0- ,\"Rabat\",\"Morocco\",-0- \r\n";

static limen_status run(const char *sdn, const char *alt, const char *add, struct sink *s,
                        struct limen_ofac_stats *st, struct limen_error *err)
{
    FILE *f1 = fmemopen((void *)sdn, strlen(sdn), "r");
    FILE *f2 = fmemopen((void *)alt, strlen(alt), "r");
    FILE *f3 = add ? fmemopen((void *)add, strlen(add), "r") : NULL;
    limen_status rc =
        limen_ofac_convert(f1, "SDN.csv", f2, "ALT.csv", f3, "ADD.csv", collect, s, st, err);
    fclose(f1);
    fclose(f2);
    if (f3)
        fclose(f3);
    return rc;
}

static void test_convert(void **state)
{
    (void)state;
    struct sink s = {.n = 0};
    struct limen_ofac_stats st;
    struct limen_error err;
    assert_int_equal(run(sdn_text, alt_text, add_text, &s, &st, &err), LIMEN_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(st.sdn_rows, 3);
    assert_int_equal(st.persons, 1);
    assert_int_equal(st.organizations, 1);
    assert_int_equal(st.vessels, 1);
    assert_int_equal(st.aliases, 2);
    assert_int_equal(st.previous_names, 1);
    assert_int_equal(st.alt_orphans, 1);
    assert_int_equal(st.addresses, 2);
    assert_int_equal(st.weak_aliases, 2);

    struct limen_entity *e = NULL;
    assert_int_equal(limen_entity_parse(s.lines[0], strlen(s.lines[0]), &e, &err), LIMEN_OK);
    assert_string_equal(limen_entity_id(e), "ofac-2674");
    assert_int_equal(limen_entity_schema(e), LIMEN_SCHEMA_PERSON);
    expect_values(e, "name", 1, "ABBAS, Abu");
    expect_values(e, "lastName", 1, "ABBAS");
    expect_values(e, "firstName", 1, "Abu");
    expect_values(e, "alias", 1, "ZAYDAN, Muhammad");
    expect_values(e, "previousName", 1, "ABBAS, Abul");
    expect_values(e, "weakAlias", 1, "ABU X");
    expect_values(e, "birthDate", 1, "1948-12-10");
    expect_values(e, "nationality", 1, "ma");
    expect_values(e, "gender", 1, "male");
    expect_values(e, "position", 1, "Director");
    expect_values(e, "address", 1, "Rabat, Morocco");
    expect_values(e, "country", 1, "ma");
    limen_entity_free(e);

    assert_int_equal(limen_entity_parse(s.lines[1], strlen(s.lines[1]), &e, &err), LIMEN_OK);
    assert_int_equal(limen_entity_schema(e), LIMEN_SCHEMA_ORGANIZATION);
    expect_values(e, "alias", 1, "NATIONAL BANK OF CUBA");
    expect_values(e, "program", 1, "CUBA");
    expect_values(e, "address", 1, "Zweierstrasse 35, Zurich CH-8022, Switzerland");
    limen_entity_free(e);

    assert_int_equal(limen_entity_parse(s.lines[2], strlen(s.lines[2]), &e, &err), LIMEN_OK);
    assert_int_equal(limen_entity_schema(e), LIMEN_SCHEMA_VESSEL);
    expect_values(e, "program", 2, "SDGT", "IRGC");
    expect_values(e, "flag", 1, "pa");
    expect_values(e, "callSign", 1, "9HA1234");
    expect_values(e, "imoNumber", 1, "9187629");
    limen_entity_free(e);

    /* ADD is optional */
    s.n = 0;
    assert_int_equal(run(sdn_text, alt_text, NULL, &s, &st, &err), LIMEN_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(st.addresses, 0);
}

struct bad_case {
    const char *sdn, *alt;
    limen_status status;
    long line;
    const char *words;
};

static void test_bad_input(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"1,\"A\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\nx1,\"B\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n",
         "", LIMEN_ESYNTAX, 2, "SDN.csv line 2, field ent_num"},
        {"1,\"A\",-0-\n", "", LIMEN_EMISSING, 1, "3 columns, 12 expected"},
        {"1,-0- ,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n", "", LIMEN_EMISSING, 1,
         "SDN.csv line 1, field name: the name is empty"},
        {"1,\"A\n", "", LIMEN_ESYNTAX, 1, "SDN.csv line 1, byte 3: quoted field never closed"},
        {"1,\"A\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n", "1,2,\"aka\"\n", LIMEN_EMISSING, 1,
         "ALT.csv line 1, field alt_name"},
        {"1,\"A\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n", "1,2,\"aka\",\"x\"y\n", LIMEN_ESYNTAX,
         1, "ALT.csv line 1, byte 14"},
        {"1,\"A\xc3\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n", "", LIMEN_EUTF8, 1,
         "SDN.csv line 1, field name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sink s = {.n = 0};
        struct limen_error err;
        limen_status st = run(cases[i].sdn, cases[i].alt, NULL, &s, NULL, &err);
        if (st != cases[i].status || err.line != cases[i].line ||
            !strstr(err.message, cases[i].words))
            fail_msg("case %zu: %s, line %ld, '%s'", i, limen_status_name(st), err.line,
                     err.message);
    }
    /* the consumer refusing an entity stops the conversion */
    struct sink s = {.n = 0, .fail_at = 2};
    struct limen_error err;
    assert_int_equal(run(sdn_text, alt_text, add_text, &s, NULL, &err), LIMEN_EIO);
    assert_int_equal(s.n, 1);
    /* required files */
    assert_int_equal(limen_ofac_convert(NULL, NULL, NULL, NULL, NULL, NULL, collect, &s, NULL, &err),
                     LIMEN_EINVAL);
}

static void test_alloc_failure(void **state)
{
    (void)state;
    for (unsigned long n = 1; n < 2000; n++) {
        struct sink s = {.n = 0};
        struct limen_error err;
        limen__alloc_fail_after(n, 1);
        limen_status st = run(sdn_text, alt_text, add_text, &s, NULL, &err);
        limen__alloc_fail_after(0, 0);
        if (st == LIMEN_OK) {
            assert_int_equal(s.n, 3);
            return;
        }
        assert_int_equal(st, LIMEN_ENOMEM);
    }
    fail_msg("conversion never succeeded");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dob_forms), cmocka_unit_test(test_remarks),
        cmocka_unit_test(test_convert),   cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
