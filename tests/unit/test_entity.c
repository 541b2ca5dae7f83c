/*
 * Tests of FtM entities and the JSON Lines reader (src/lib/entity.c,
 * src/lib/reader.c): every kind of bad input gets its status, the field at
 * fault and, from the reader, its line; good input keeps everything
 * (unknown properties, the alert object) and round-trips to JSON.
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

struct bad_case {
    const char *json;
    limen_status status;
    const char *field; /* expected err.field, "" for none */
};

static const struct bad_case bad[] = {
    {"{\"id\": \"a\", \"schema\": \"Person\", \"properties\": {\"name\": [\"x\"]", LIMEN_ESYNTAX, ""},
    {"not json", LIMEN_ESYNTAX, ""},
    {"[1, 2]", LIMEN_ETYPE, ""},
    {"{\"id\": \"a\", \"schema\": \"Person\", \"properties\": {\"name\": [\"Mo\xc3\"]}}", LIMEN_EUTF8,
     ""},
    {"{\"schema\": \"Person\", \"properties\": {\"name\": [\"x\"]}}", LIMEN_EMISSING, "id"},
    {"{\"id\": 7, \"schema\": \"Person\", \"properties\": {\"name\": [\"x\"]}}", LIMEN_ETYPE, "id"},
    {"{\"id\": \"\", \"schema\": \"Person\", \"properties\": {\"name\": [\"x\"]}}", LIMEN_EEMPTY, "id"},
    {"{\"id\": \"a\", \"properties\": {\"name\": [\"x\"]}}", LIMEN_EMISSING, "schema"},
    {"{\"id\": \"a\", \"schema\": \"Spaceship\", \"properties\": {\"name\": [\"x\"]}}",
     LIMEN_ESCHEMA, "schema"},
    {"{\"id\": \"a\", \"schema\": \"Person\", \"properties\": []}", LIMEN_ETYPE, "properties"},
    {"{\"id\": \"a\", \"schema\": \"Person\", \"properties\": {\"name\": \"x\"}}", LIMEN_ETYPE,
     "properties.name"},
    {"{\"id\": \"a\", \"schema\": \"Person\", \"properties\": {\"name\": [3]}}", LIMEN_ETYPE,
     "properties.name[0]"},
    {"{\"id\": \"a\", \"schema\": \"Person\", \"properties\": {\"name\": [\"  \"]}}", LIMEN_EEMPTY,
     "properties.name[0]"},
    {"{\"id\": \"a\", \"schema\": \"Person\", \"properties\": {\"birthDate\": [\"1980\"]}}",
     LIMEN_EEMPTY, "properties.name"},
    {"{\"id\": \"a\", \"schema\": \"Person\", \"properties\": {\"name\": [\"x\"]}, \"alert\": 5}",
     LIMEN_ETYPE, "alert"},
    {"{\"id\": \"a\", \"schema\": \"Person\", \"properties\": {\"name\": [\"x\"]}, "
     "\"alert\": {\"handling\": \"H7\"}}",
     LIMEN_ETYPE, "alert.handling"},
    {"{\"id\": \"a\", \"id\": \"b\", \"schema\": \"Person\", \"properties\": {\"name\": [\"x\"]}}",
     LIMEN_ESYNTAX, ""},
};

static void test_bad_entities(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct limen_entity *e = (struct limen_entity *)1;
        struct limen_error err;
        limen_status st = limen_entity_parse(bad[i].json, strlen(bad[i].json), &e, &err);
        if (st != bad[i].status || e != NULL || strcmp(err.field, bad[i].field) != 0 ||
            err.status != st || err.message[0] == '\0') {
            printf("case %zu: status %s field \"%s\" message \"%s\"; want %s \"%s\"\n", i,
                   limen_strerror(st), err.field, err.message, limen_strerror(bad[i].status),
                   bad[i].field);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

static void test_too_long(void **state)
{
    (void)state;
    size_t n = LIMEN_ENTITY_MAX_NAME + 10;
    char *name = malloc(n + 1);
    memset(name, 'a', n);
    name[n] = '\0';
    char *json = malloc(n + 200);
    snprintf(json, n + 200, "{\"id\": \"a\", \"schema\": \"Person\", \"properties\": {\"name\": [\"%s\"]}}",
             name);
    struct limen_entity *e = NULL;
    struct limen_error err;
    limen_status st = limen_entity_parse(json, strlen(json), &e, &err);
    free(json);
    free(name);
    assert_int_equal(st, LIMEN_ETOOLONG);
    assert_string_equal(err.field, "properties.name[0]");
    assert_null(e);
}

static void test_good_entity(void **state)
{
    (void)state;
    const char *json =
        "{\"id\": \"ma-1\", \"schema\": \"Person\", \"properties\": {\"name\": [\"Youssef El "
        "Amrani\", \"يوسف العمراني\"], \"birthDate\": [\"1986-04\"], \"hairColour\": "
        "[\"black\"]}, \"alert\": {\"owner\": \"MA-DGSN\", \"category\": \"arrest\", \"action\": "
        "\"Arrest\", \"handling\": \"H2\", \"valid_until\": \"2027-12-31\", \"extra\": 1}}";
    struct limen_entity *e = NULL;
    struct limen_error err;
    assert_int_equal(limen_entity_parse(json, strlen(json), &e, &err), LIMEN_OK);
    assert_string_equal(limen_entity_id(e), "ma-1");
    assert_int_equal(limen_entity_schema(e), LIMEN_SCHEMA_PERSON);
    assert_int_equal(limen_entity_count(e, "name"), 2);
    assert_string_equal(limen_entity_value(e, "name", 1, NULL), "يوسف العمراني");
    assert_null(limen_entity_value(e, "name", 2, NULL));
    assert_string_equal(limen_entity_value(e, "hairColour", 0, NULL), "black");
    const struct limen_alert_info *a = limen_entity_alert(e);
    assert_non_null(a);
    assert_string_equal(a->owner, "MA-DGSN");
    assert_string_equal(a->category, "arrest");
    assert_int_equal(a->handling, 2);
    assert_string_equal(a->valid_until, "2027-12-31");
    /* round trip: the JSON parses back to the same values, unknown fields kept */
    size_t len = 0;
    char *out = limen_entity_to_json(e, &len);
    assert_non_null(out);
    assert_non_null(strstr(out, "hairColour"));
    assert_non_null(strstr(out, "\"extra\""));
    struct limen_entity *e2 = NULL;
    assert_int_equal(limen_entity_parse(out, len, &e2, &err), LIMEN_OK);
    assert_string_equal(limen_entity_value(e2, "name", 0, NULL), "Youssef El Amrani");
    assert_int_equal(limen_entity_alert(e2)->handling, 2);
    limen_free(out);
    limen_entity_free(e2);
    limen_entity_free(e);
    /* a document alert needs a number, not a name */
    const char *doc = "{\"id\": \"d\", \"schema\": \"Passport\", \"properties\": {\"number\": "
                      "[\"X123\"]}}";
    assert_int_equal(limen_entity_parse(doc, strlen(doc), &e, &err), LIMEN_OK);
    limen_entity_free(e);
}

static void test_build(void **state)
{
    (void)state;
    struct limen_entity *e = NULL;
    assert_int_equal(limen_entity_new("", LIMEN_SCHEMA_PERSON, &e), LIMEN_EINVAL);
    assert_null(e);
    assert_int_equal(limen_entity_new("x", LIMEN_SCHEMA_PERSON, &e), LIMEN_OK);
    assert_int_equal(limen_entity_add(e, "name", "Ab\xff", 3), LIMEN_EUTF8);
    assert_int_equal(limen_entity_add(e, "name", "A\0b", 3), LIMEN_EUTF8); /* NUL refused */
    assert_int_equal(limen_entity_add(e, "name", "Ali", 3), LIMEN_OK);
    assert_int_equal(limen_entity_count(e, "name"), 1);
    limen_entity_free(e);
    limen_entity_free(NULL);
}

static void test_alloc_failure(void **state)
{
    (void)state;
    const char *json = "{\"id\": \"a\", \"schema\": \"Person\", \"properties\": {\"name\": [\"Ali "
                       "Zerouali\"]}, \"alert\": {\"owner\": \"MA-DGSN\"}}";
    for (unsigned long n = 1; n < 100; n++) {
        struct limen_entity *e = NULL;
        struct limen_error err;
        limen__alloc_fail_after(n, 1);
        limen_status st = limen_entity_parse(json, strlen(json), &e, &err);
        limen__alloc_fail_after(0, 0);
        if (st == LIMEN_OK) {
            limen_entity_free(e);
            return;
        }
        assert_int_equal(st, LIMEN_ENOMEM);
        assert_null(e);
    }
    fail_msg("never succeeded");
}

static void test_reader(void **state)
{
    (void)state;
    char path[] = "/tmp/limen_test_reader_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "{\"id\": \"a\", \"schema\": \"Person\", \"properties\": {\"name\": [\"Ali\"]}}\n");
    fprintf(f, "\n");
    fprintf(f, "{\"id\": \"b\", \"schema\": \"Person\"\n");                              /* line 3 */
    fprintf(f, "{\"id\": \"c\", \"schema\": \"Robot\", \"properties\": {}}\n");            /* line 4 */
    fprintf(f, "{\"id\": \"d\", \"schema\": \"Person\", \"properties\": {\"name\": [\"%0200d\"]}}\n",
            0); /* line 5: over-long for a 100-byte limit */
    fprintf(f, "{\"id\": \"e\", \"schema\": \"Person\", \"properties\": {\"name\": [\"Omar\"]}}");
    fclose(f);
    struct limen_reader *r = NULL;
    struct limen_error err;
    assert_int_equal(limen_reader_open(path, 150, &r, &err), LIMEN_OK);
    struct limen_entity *e = NULL;
    assert_int_equal(limen_reader_next(r, &e, &err), LIMEN_OK);
    assert_string_equal(limen_entity_id(e), "a");
    limen_entity_free(e);
    assert_int_equal(limen_reader_next(r, &e, &err), LIMEN_ESYNTAX);
    assert_int_equal(err.line, 3);
    assert_null(e);
    assert_int_equal(limen_reader_next(r, &e, &err), LIMEN_ESCHEMA);
    assert_int_equal(err.line, 4);
    assert_int_equal(limen_reader_next(r, &e, &err), LIMEN_ETOOLONG);
    assert_int_equal(err.line, 5);
    assert_int_equal(limen_reader_next(r, &e, &err), LIMEN_OK); /* no final newline */
    assert_string_equal(limen_entity_id(e), "e");
    limen_entity_free(e);
    assert_int_equal(limen_reader_next(r, &e, &err), LIMEN_EOF);
    struct limen_reader_stats st;
    limen_reader_stats(r, &st);
    assert_int_equal(st.lines, 6);
    assert_int_equal(st.read, 2);
    assert_int_equal(st.skipped, 3);
    limen_reader_free(r);
    remove(path);
    assert_int_equal(limen_reader_open("/nonexistent/x.jsonl", 0, &r, &err), LIMEN_EIO);
    assert_true(strlen(err.message) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_entities), cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_good_entity),  cmocka_unit_test(test_build),
        cmocka_unit_test(test_alloc_failure), cmocka_unit_test(test_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
