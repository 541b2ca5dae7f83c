/*
 * Tests of the entity scanner (src/lib/entity_scan.c), the index build's
 * fast path: on every line, a line it handles is one that jansson's path
 * (limen__entity_parse_flags) accepts with the same facts, and a line
 * jansson rejects is never handled. Each case also says whether the
 * scanner should handle it, so that a scanner that gave everything back to
 * jansson, or accepted too much, fails here. In the cases, ` stands for "
 * (the JSON reads better without a backslash before every quote).
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
#include "entity_int.h"
#include "entity_scan.h"
#include "limen/limen.h"

#define HEAD          "{`id`:`a1`,`schema`:`Person`,"
#define PERSON(props) HEAD "`properties`:{" props "}}"
#define NAMED(rest)   HEAD "`properties`:{`name`:[`Ann Li`]}" rest "}"

struct scan_case {
    const char *line;
    int handled; /* the scanner should take it */
    int valid;   /* jansson's path accepts it */
};

static const struct scan_case cases[] = {
    /* plain lines and whitespace */
    {PERSON("`name`:[`Ann Li`]"), 1, 1},
    {" \t{ `id` : `a1` ,\r\n `schema`:`Person` , `properties` : { `name` : [ `Ann` , `Bo` ] } } "
     "\r\n",
     1, 1},
    {"{`schema`:`Person`,`properties`:{`name`:[`x`]},`id`:`a1`}", 1, 1},
    {PERSON("`name`:[`x`]") "\v", 0, 0},
    {PERSON("`name`:[`x`]") " x", 0, 0},
    {PERSON("`name`:[`x`]") "{}", 0, 0},
    {"\f" PERSON("`name`:[`x`]"), 0, 0},
    /* every kept property, with values the index reads */
    {PERSON("`name`:[`Ann Li`,`A. Li`],`alias`:[`Annie`],`previousName`:[`Ann Wu`],"
            "`weakAlias`:[`AL`],`firstName`:[`Ann`],`secondName`:[`B`],`middleName`:[`C`],"
            "`fatherName`:[`D`],`lastName`:[`Li`],`birthDate`:[`1980-01-02`,`1981`],"
            "`gender`:[`female`],`nationality`:[`cn`,`fr`],`citizenship`:[`fr`],"
            "`passportNumber`:[`X1234567`],`idNumber`:[`ID-99 887`],`notes`:[`n`,``]"),
     1, 1},
    {"{`id`:`p`,`schema`:`Passport`,`properties`:{`number`:[`X123`],`country`:[`ma`]}}", 1, 1},
    {"{`id`:`p`,`schema`:`Passport`,`properties`:{`country`:[`ma`]}}", 0, 0},
    {"{`id`:`p`,`schema`:`Identification`,`properties`:{`number`:[`1`]}}", 1, 1},
    {"{`id`:`v`,`schema`:`Vessel`,`properties`:{`name`:[`Sea`]}}", 1, 1},
    {PERSON("`lastName`:[`Li`]"), 1, 1},
    {PERSON("`birthDate`:[`1980`]"), 0, 0},
    {PERSON(""), 0, 0},
    {HEAD "`x`:1}", 0, 0},
    {"{`id`:`a1`,`schema`:`Person`}", 0, 0},
    /* escapes, decoded */
    {PERSON("`name`:[`Jos\\u00e9 \\\"Pepe\\\" \\\\ \\/ \\b\\f\\n\\r\\t`]"), 1, 1},
    {PERSON("`name`:[`\\uD83D\\uDE00 smile`]"), 1, 1},
    {PERSON("`name`:[`\\ud83d\\ude00`]"), 1, 1},
    {PERSON("`name`:[`\\uD83D`]"), 0, 0},
    {PERSON("`name`:[`\\uDE00x`]"), 0, 0},
    {PERSON("`name`:[`\\uD83D\\u0041`]"), 0, 0},
    {PERSON("`name`:[`\\uD83Dx`]"), 0, 0},
    {PERSON("`name`:[`a\\u0000b`]"), 0, 0},
    {PERSON("`name`:[`a`],`notes`:[`\\u0000`]"), 0, 0},
    {NAMED(",`x`:`\\u0000`"), 0, 0},
    {PERSON("`name`:[`a\\u0001b`]"), 1, 1},
    {PERSON("`name`:[`a\\x41`]"), 0, 0},
    {PERSON("`name`:[`a\\u12G4`]"), 0, 0},
    {PERSON("`name`:[`a\\u12`]"), 0, 0},
    {PERSON("`name`:[`a\\`]"), 0, 0},
    {PERSON("`n\\u0061me`:[`x`]"), 1, 1},
    {"{`\\u0069d`:`a\\u00e9`,`schema`:`Per\\u0073on`,`properties`:{`name`:[`x`]}}", 1, 1},
    {PERSON("`name`:[`\\u0020\\t`]"), 0, 0},
    {PERSON("`name`:[` \\u00a0`]"), 1, 1},
    /* UTF-8 in the line, raw */
    {PERSON("`name`:[`يوسف العمراني`,`Żółć`,`日本`,`\xf0\x9f\x98\x80`]"), 1, 1},
    {PERSON("`name`:[`Mo\xc3`]"), 0, 0},
    {PERSON("`name`:[`\xc0\x80`]"), 0, 0},
    {PERSON("`name`:[`\xed\xa0\x80`]"), 0, 0},
    {PERSON("`name`:[`\xf4\x90\x80\x80`]"), 0, 0},
    {PERSON("`name`:[`\xf5\x80\x80\x80`]"), 0, 0},
    {PERSON("`name`:[`\x80`]"), 0, 0},
    {PERSON("`name`:[`\xe2\x82`]"), 0, 0},
    {PERSON("`name`:[`x`],`notes`:[`\xff`]"), 0, 0},
    {NAMED(",`x\xc3`:1"), 0, 0},
    {PERSON("`name`:[`a\tb`]"), 0, 0},
    {PERSON("`name`:[`a\x1f`]"), 0, 0},
    {PERSON("`name`:[`a\x7f`]"), 1, 1},
    /* duplicate keys: rejected by jansson at any depth, so never handled */
    {"{`id`:`a`,`id`:`b`,`schema`:`Person`,`properties`:{`name`:[`x`]}}", 0, 0},
    {PERSON("`name`:[`x`],`name`:[`y`]"), 0, 0},
    {PERSON("`name`:[`x`],`n\\u0061me`:[`y`]"), 0, 0},
    {PERSON("`name`:[`x`],`notes`:[`y`],`notes`:[]"), 0, 0},
    {NAMED(",`alert`:{`owner`:`A`,`owner`:`B`}"), 0, 0},
    {NAMED(",`x`:{`a`:1,`b`:{`a`:1},`a`:2}"), 0, 0},
    {NAMED(",`x`:{`a`:1,`b`:{`a`:1,`c`:[{`a`:1},{`a`:2}]}}"), 1, 1},
    {NAMED(",`x`:1,`x`:1"), 0, 0},
    /* unknown members and properties: any JSON outside, strings inside */
    {NAMED(",`datasets`:[`a`,`b`],`target`:true,`dead`:false,`x`:null,`n`:-12,`r`:0.5,`z`:0"), 1,
     1},
    {NAMED(",`x`:{`a`:[1,2.25,-0,{`b`:[[],{}]}],`c`:``}"), 1, 1},
    {NAMED(",`x`:1e3"), 0, 1},
    {NAMED(",`x`:1E-2"), 0, 1},
    {NAMED(",`x`:1e999"), 0, 0},
    {NAMED(",`x`:123456789012345678"), 1, 1},
    {NAMED(",`x`:1234567890123456789"), 0, 1},
    {NAMED(",`x`:99999999999999999999"), 0, 0},
    {NAMED(",`x`:01"), 0, 0},
    {NAMED(",`x`:-"), 0, 0},
    {NAMED(",`x`:1."), 0, 0},
    {NAMED(",`x`:.5"), 0, 0},
    {NAMED(",`x`:+1"), 0, 0},
    {NAMED(",`x`:tru"), 0, 0},
    {NAMED(",`x`:truex"), 0, 0},
    {NAMED(",`x`:nul"), 0, 0},
    {NAMED(",`x`:[1,]"), 0, 0},
    {NAMED(",`x`:[,1]"), 0, 0},
    {NAMED(",`x`:{`a`:1,}"), 0, 0},
    {NAMED(",`x`:{`a`}"), 0, 0},
    {NAMED(",`x`:{1:2}"), 0, 0},
    {NAMED(",`x`:[1 2]"), 0, 0},
    {NAMED(",`x`:'a'"), 0, 0},
    {NAMED(","), 0, 0},
    {PERSON("`name`:[`x`],`notes`:[1]"), 0, 0},
    {PERSON("`name`:[`x`],`notes`:[true]"), 0, 0},
    {PERSON("`name`:[`x`],`notes`:[null]"), 0, 0},
    {PERSON("`name`:[`x`],`notes`:[[`y`]]"), 0, 0},
    {PERSON("`name`:[`x`],`notes`:`y`"), 0, 0},
    {PERSON("`name`:[`x`],`notes`:null"), 0, 0},
    {PERSON("`name`:[`x`],`notes`:[]"), 1, 1},
    {PERSON("`name`:[`x`,]"), 0, 0},
    {PERSON("`name`:[`x`],"), 0, 0},
    {HEAD "`properties`:[]}", 0, 0},
    {HEAD "`properties`:null}", 0, 0},
    {"{`id`:7,`schema`:`Person`,`properties`:{`name`:[`x`]}}", 0, 0},
    {"{`id`:``,`schema`:`Person`,`properties`:{`name`:[`x`]}}", 0, 0},
    {"{`id`:`a`,`schema`:`Spaceship`,`properties`:{`name`:[`x`]}}", 0, 0},
    {"{`id`:`a`,`schema`:`person`,`properties`:{`name`:[`x`]}}", 0, 0},
    {"{`id`:`a`,`schema`:null,`properties`:{`name`:[`x`]}}", 0, 0},
    {"[1,2]", 0, 0},
    {"`a`", 0, 0},
    {"", 0, 0},
    {"{}", 0, 0},
    /* the alert object */
    {NAMED(",`alert`:{`owner`:`MA-DGSN`,`category`:`arrest`,`action`:`Arrest \\u00e0 vue`,"
           "`handling`:`H2`,`valid_until`:`2027-12-31`,`extra`:[1,{`y`:null}]}"),
     1, 1},
    {NAMED(",`alert`:{}"), 1, 1},
    {NAMED(",`alert`:null"), 1, 1},
    {NAMED(",`alert`:{`owner`:null,`handling`:null}"), 1, 1},
    {NAMED(",`alert`:{`handling`:`h0`}"), 1, 1},
    {NAMED(",`alert`:{`handling`:3}"), 1, 1},
    {NAMED(",`alert`:{`handling`:-0}"), 1, 1},
    {NAMED(",`alert`:{`handling`:4}"), 0, 0},
    {NAMED(",`alert`:{`handling`:-1}"), 0, 0},
    {NAMED(",`alert`:{`handling`:2.0}"), 0, 0},
    {NAMED(",`alert`:{`handling`:`H4`}"), 0, 0},
    {NAMED(",`alert`:{`handling`:`H2 `}"), 0, 0},
    {NAMED(",`alert`:{`handling`:`H`}"), 0, 0},
    {NAMED(",`alert`:{`handling`:true}"), 0, 0},
    {NAMED(",`alert`:{`owner`:5}"), 0, 0},
    {NAMED(",`alert`:{`owner`:[`x`]}"), 0, 0},
    {NAMED(",`alert`:5"), 0, 0},
    {NAMED(",`alert`:[]"), 0, 0},
    {NAMED(",`alert`:{`owner`:`123456789012345678901234567890123456789012345678901234567890123`}"),
     1, 1},
    {NAMED(",`alert`:{`owner`:`1234567890123456789012345678901234567890123456789012345678901234`}"),
     0, 0},
    {NAMED(",`alert`:{`category`:`12345678901234567890123456789012345678901234567`}"), 1, 1},
    {NAMED(",`alert`:{`category`:`123456789012345678901234567890123456789012345678`}"), 0, 0},
    {NAMED(",`alert`:{`valid_until`:`2027-12-31T23:59:59.999999+01:00`}"), 0, 0},
    {NAMED(",`alert`:{`valid_until`:`2027-12-31T23:59:59.99999+01:00`}"), 1, 1},
};

/* The case with ` turned into " (caller frees). */
static char *quoted(const char *s, size_t len)
{
    char *q = malloc(len + 1);
    assert_non_null(q);
    for (size_t i = 0; i < len; i++)
        q[i] = s[i] == '`' ? '"' : s[i];
    q[len] = '\0';
    return q;
}

/*
 * Scans a line and parses it with jansson; whatever the scanner handles,
 * jansson accepts with the same facts. Returns whether it was handled
 * (with *valid whether jansson accepted it).
 */
static int scan_and_parse(struct limen__escan *s, const char *line, size_t len, unsigned flags,
                          int *valid)
{
    struct limen_entity *e = NULL;
    struct limen_error err;
    limen_status st = limen__entity_parse_flags(line, len, flags, &e, &err);
    int handled = limen__escan_line(s, line, len, flags);
    if (handled && st != LIMEN_OK)
        fail_msg("handled, but jansson says %s: %.300s", err.message, line);
    if (handled && !limen__escan_agrees(s, e))
        fail_msg("handled with other facts than jansson's: %.300s", line);
    limen_entity_free(e);
    *valid = st == LIMEN_OK;
    return handled;
}

static void test_cases(void **state)
{
    (void)state;
    struct limen__escan s;
    limen__escan_init(&s);
    int failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].line);
        char *line = quoted(cases[i].line, len);
        int valid;
        int handled = scan_and_parse(&s, line, len, 0, &valid);
        if (handled != cases[i].handled || valid != cases[i].valid) {
            print_message("case %zu: handled %d valid %d, want %d %d: %s\n", i, handled, valid,
                          cases[i].handled, cases[i].valid, line);
            failed++;
        }
        free(line);
    }
    limen__escan_release(&s);
    assert_int_equal(failed, 0);
}

static void expect_scanned(const struct limen__escan *s, enum limen__escan_prop p, size_t i,
                           const char *want)
{
    size_t len = 0;
    const char *v = limen__escan_value(s, p, i, &len);
    assert_non_null(v);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(v, want, len);
}

/* The decoded values themselves, and where they live. */
static void test_values(void **state)
{
    (void)state;
    struct limen__escan s;
    limen__escan_init(&s);
    const char *src =
        PERSON("`name`:[`Jos\\u00e9 \\\"P\\\"`,`\\uD83D\\uDE00\\n`,`plain`],`gender`:[`male`],"
               "`notes`:[`\\u00e9`],`birthDate`:[`1980`]");
    char *line = quoted(src, strlen(src));
    assert_int_equal(limen__escan_line(&s, line, strlen(line), 0), 1);
    assert_int_equal(limen__escan_count(&s, LIMEN__EP_NAME), 3);
    expect_scanned(&s, LIMEN__EP_NAME, 0, "Jos\xc3\xa9 \"P\"");
    expect_scanned(&s, LIMEN__EP_NAME, 1, "\xf0\x9f\x98\x80\n");
    expect_scanned(&s, LIMEN__EP_NAME, 2, "plain");
    expect_scanned(&s, LIMEN__EP_GENDER, 0, "male");
    expect_scanned(&s, LIMEN__EP_BIRTH_DATE, 0, "1980");
    assert_null(limen__escan_value(&s, LIMEN__EP_NAME, 3, NULL));
    assert_int_equal(limen__escan_count(&s, LIMEN__EP_ALIAS), 0);
    assert_null(limen__escan_value(&s, LIMEN__EP_ALIAS, 0, NULL));
    assert_int_equal(limen__escan_count(&s, LIMEN__EP_COUNT), 0);
    assert_string_equal(limen__escan_prop_name(LIMEN__EP_BIRTH_DATE), "birthDate");
    assert_string_equal(limen__escan_prop_name(LIMEN__EP_COUNT), "");
    /* a plain value is a slice of the line, an escaped one is not */
    const char *plain = limen__escan_value(&s, LIMEN__EP_NAME, 2, NULL);
    const char *esc = limen__escan_value(&s, LIMEN__EP_NAME, 0, NULL);
    assert_true(plain > line && plain < line + strlen(line));
    assert_false(esc > line && esc < line + strlen(line));
    assert_int_equal(s.id.len, 2);
    assert_memory_equal(s.id.s, "a1", 2);
    assert_int_equal(s.schema, LIMEN_SCHEMA_PERSON);
    assert_int_equal(s.has_alert, 0);
    assert_int_equal(s.handling, -1);
    /* the next scan forgets the last one */
    const char *src2 = "{`id`:`p`,`schema`:`Passport`,`properties`:{`number`:[`X1`]},"
                       "`alert`:{`handling`:`H1`,`owner`:`FR`}}";
    char *line2 = quoted(src2, strlen(src2));
    assert_int_equal(limen__escan_line(&s, line2, strlen(line2), 0), 1);
    assert_int_equal(limen__escan_count(&s, LIMEN__EP_NAME), 0);
    expect_scanned(&s, LIMEN__EP_NUMBER, 0, "X1");
    assert_int_equal(s.has_alert, 1);
    assert_int_equal(s.handling, 1);
    assert_int_equal(s.owner.len, 2);
    assert_null(s.category.s);
    free(line);
    free(line2);
    limen__escan_release(&s);
}

/* The query flag: a document number alone identifies a query. */
static void test_query_flag(void **state)
{
    (void)state;
    struct limen__escan s;
    limen__escan_init(&s);
    const char *src = PERSON("`passportNumber`:[`X1234567`]");
    char *line = quoted(src, strlen(src));
    int valid;
    assert_int_equal(scan_and_parse(&s, line, strlen(line), 0, &valid), 0);
    assert_int_equal(valid, 0);
    assert_int_equal(scan_and_parse(&s, line, strlen(line), LIMEN__PARSE_QUERY, &valid), 1);
    assert_int_equal(valid, 1);
    free(line);
    limen__escan_release(&s);
}

/* A NUL byte in the line, raw: jansson rejects it (a control character). */
static void test_nul_byte(void **state)
{
    (void)state;
    struct limen__escan s;
    limen__escan_init(&s);
    static const char src[] = "{`id`:`a`,`schema`:`Person`,`properties`:{`name`:[`a\0b`]}}";
    char *line = quoted(src, sizeof src - 1);
    int valid;
    assert_int_equal(scan_and_parse(&s, line, sizeof src - 1, 0, &valid), 0);
    assert_int_equal(valid, 0);
    free(line);
    limen__escan_release(&s);
}

/* Every proper prefix of a good line is rejected, the whole is handled. */
static void test_truncated(void **state)
{
    (void)state;
    struct limen__escan s;
    limen__escan_init(&s);
    const char *src = NAMED(",`alert`:{`owner`:`A\\u00e9`,`handling`:2,`x`:[1.5,true,{`y`:null}]}");
    char *line = quoted(src, strlen(src));
    size_t len = strlen(line);
    int valid;
    for (size_t n = 0; n < len; n++) {
        if (scan_and_parse(&s, line, n, 0, &valid) || valid)
            fail_msg("prefix of %zu bytes taken: %.*s", n, (int)n, line);
    }
    assert_int_equal(scan_and_parse(&s, line, len, 0, &valid), 1);
    free(line);
    limen__escan_release(&s);
}

/* A property of n values of `len` bytes each (caller frees). */
static char *long_line(const char *prop, size_t n, size_t len, char fill)
{
    size_t cap = 200 + n * (len + 3);
    char *b = malloc(cap);
    assert_non_null(b);
    size_t at = (size_t)snprintf(b, cap,
                                 "{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{"
                                 "\"name\":[\"x\"],\"%s\":[",
                                 prop);
    for (size_t i = 0; i < n; i++) {
        b[at++] = '"';
        memset(b + at, fill, len);
        at += len;
        b[at++] = '"';
        if (i + 1 < n)
            b[at++] = ',';
    }
    memcpy(b + at, "]}}", 4);
    return b;
}

/* The limits of entity.h, on both sides of each. */
static void test_limits(void **state)
{
    (void)state;
    struct limen__escan s;
    limen__escan_init(&s);
    static const struct {
        const char *prop;
        size_t n, len;
        int handled, valid;
    } lim[] = {
        {"alias", 1, LIMEN_ENTITY_MAX_NAME, 1, 1},
        {"alias", 1, LIMEN_ENTITY_MAX_NAME + 1, 0, 0},
        {"notes", 1, LIMEN_ENTITY_MAX_VALUE, 1, 1},
        {"notes", 1, LIMEN_ENTITY_MAX_VALUE + 1, 0, 0},
        {"gender", 1, LIMEN_ENTITY_MAX_VALUE, 1, 1},
        {"gender", 1, LIMEN_ENTITY_MAX_VALUE + 1, 0, 0},
        {"notes", LIMEN_ENTITY_MAX_VALUES, 1, 1, 1},
        {"notes", LIMEN_ENTITY_MAX_VALUES + 1, 1, 0, 0},
        /* valid, but with "name" more values than the scanner keeps */
        {"alias", LIMEN_ENTITY_MAX_VALUES, 1, 0, 1},
        {"alias", LIMEN__ESCAN_MAX_VALUES - 1, 1, 1, 1},
    };
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
        char *line = long_line(lim[i].prop, lim[i].n, lim[i].len, 'b');
        int valid;
        int handled = scan_and_parse(&s, line, strlen(line), 0, &valid);
        if (handled != lim[i].handled || valid != lim[i].valid)
            fail_msg("limit case %zu: handled %d valid %d", i, handled, valid);
        free(line);
    }
    /* a long value with escapes: decoded into the arena */
    char *line = long_line("notes", 2, 3000, 'c');
    memcpy(strstr(line, "ccc"), "\\u00e9", 6);
    int valid;
    assert_int_equal(scan_and_parse(&s, line, strlen(line), 0, &valid), 1);
    free(line);
    /* depth: the scanner leaves deep nesting to jansson */
    char deep[512];
    size_t at = (size_t)snprintf(deep, sizeof deep,
                                 "{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":"
                                 "[\"x\"]},\"x\":");
    for (int d = 0; d < 40; d++)
        deep[at++] = '[';
    for (int d = 0; d < 40; d++)
        deep[at++] = ']';
    deep[at++] = '}';
    assert_int_equal(scan_and_parse(&s, deep, at, 0, &valid), 0);
    assert_int_equal(valid, 1);
    /* too many properties */
    size_t cap = (size_t)(LIMEN_ENTITY_MAX_PROPERTIES + 1) * 16 + 200; /* ,"pN":[] each */
    char *many = malloc(cap);
    assert_non_null(many);
    at = (size_t)snprintf(many, cap,
                          "{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{"
                          "\"name\":[\"x\"]");
    for (int k = 1; k < LIMEN_ENTITY_MAX_PROPERTIES + 1; k++)
        at += (size_t)snprintf(many + at, cap - at, ",\"p%d\":[]", k);
    memcpy(many + at, "}}", 3);
    assert_int_equal(scan_and_parse(&s, many, strlen(many), 0, &valid), 0);
    assert_int_equal(valid, 0);
    char last[32];
    snprintf(last, sizeof last, ",\"p%d\":[]", LIMEN_ENTITY_MAX_PROPERTIES);
    at -= strlen(last);
    assert_memory_equal(many + at, last, strlen(last));
    memcpy(many + at, "}}", 3);
    assert_int_equal(scan_and_parse(&s, many, strlen(many), 0, &valid), 1);
    free(many);
    limen__escan_release(&s);
}

/* The arena cannot grow: the line is not handled (jansson takes it), and
 * the scanner works again after. */
static void test_no_memory(void **state)
{
    (void)state;
    struct limen__escan s;
    limen__escan_init(&s);
    const char *src = PERSON("`name`:[`Jos\\u00e9`]");
    char *line = quoted(src, strlen(src));
    limen__alloc_fail_after(1, 0);
    assert_int_equal(limen__escan_line(&s, line, strlen(line), 0), 0);
    limen__alloc_fail_after(0, 0);
    assert_int_equal(limen__escan_line(&s, line, strlen(line), 0), 1);
    expect_scanned(&s, LIMEN__EP_NAME, 0, "Jos\xc3\xa9");
    free(line);
    limen__escan_release(&s);
    limen__escan_release(&s); /* released twice: harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),      cmocka_unit_test(test_values),
        cmocka_unit_test(test_query_flag), cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_truncated),  cmocka_unit_test(test_limits),
        cmocka_unit_test(test_no_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
