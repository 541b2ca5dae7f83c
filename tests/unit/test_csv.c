/*
 * Tests of the CSV record reader (src/lib/csv.c): quoting, doubled quotes,
 * fields across lines, CRLF, blank lines, the DOS end-of-file byte, and
 * every error with its line and byte column; the reader goes on after an
 * error; limits and allocation failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "csv.h"

static FILE *mem(const char *s)
{
    FILE *fp = fmemopen((void *)s, strlen(s), "r");
    assert_non_null(fp);
    return fp;
}

static void expect_fields(struct limen__csv *c, int n, ...)
{
    va_list ap;
    assert_int_equal(limen__csv_count(c), n);
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        const char *want = va_arg(ap, const char *);
        size_t len;
        const char *got = limen__csv_field(c, (size_t)i, &len);
        assert_string_equal(got, want);
        assert_int_equal(len, strlen(want));
    }
    va_end(ap);
    assert_null(limen__csv_field(c, (size_t)n, NULL));
}

static void test_good(void **state)
{
    (void)state;
    FILE *fp = mem("36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\"\r\n"
                   "\r\n"
                   "1,\"say \"\"hi\"\", ok\",\"two\nlines\",\n"
                   ",,\n"
                   "last,\"q\"  \r\n"
                   "\x1a");
    struct limen__csv c;
    struct limen_error err;
    limen__csv_init(&c, fp, 0, 0);
    assert_int_equal(limen__csv_next(&c, &err), LIMEN_OK);
    expect_fields(&c, 4, "36", "AEROCARIBBEAN AIRLINES", "-0- ", "CUBA");
    assert_int_equal(c.line, 1);
    assert_int_equal(limen__csv_next(&c, &err), LIMEN_OK);
    expect_fields(&c, 4, "1", "say \"hi\", ok", "two\nlines", "");
    assert_int_equal(c.line, 3);
    assert_int_equal(limen__csv_next(&c, &err), LIMEN_OK);
    expect_fields(&c, 3, "", "", "");
    assert_int_equal(c.line, 5);
    assert_int_equal(limen__csv_next(&c, &err), LIMEN_OK);
    expect_fields(&c, 2, "last", "q");
    assert_int_equal(limen__csv_next(&c, &err), LIMEN_EOF);
    assert_int_equal(limen__csv_next(&c, &err), LIMEN_EOF);
    limen__csv_release(&c);
    fclose(fp);
}

static void test_no_final_newline(void **state)
{
    (void)state;
    FILE *fp = mem("a,b");
    struct limen__csv c;
    limen__csv_init(&c, fp, 0, 0);
    assert_int_equal(limen__csv_next(&c, NULL), LIMEN_OK);
    expect_fields(&c, 2, "a", "b");
    assert_int_equal(limen__csv_next(&c, NULL), LIMEN_EOF);
    limen__csv_release(&c);
    fclose(fp);
}

struct bad {
    const char *text;
    limen_status status;
    long line, column;
    const char *words;
};

static void test_errors(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        {"ok\n1,\"open\n2,3\n", LIMEN_ESYNTAX, 2, 3, "never closed"},
        {"1,\"x\"y,2\n", LIMEN_ESYNTAX, 1, 6, "after a closing quote"},
        {"a,b\n\x1a\nmore\n", LIMEN_ESYNTAX, 2, 1, "0x1A"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *fp = mem(cases[i].text);
        struct limen__csv c;
        struct limen_error err;
        limen_status st;
        limen__csv_init(&c, fp, 0, 0);
        while ((st = limen__csv_next(&c, &err)) == LIMEN_OK)
            ;
        assert_int_equal(st, cases[i].status);
        assert_int_equal(err.status, cases[i].status);
        assert_int_equal(err.line, cases[i].line);
        assert_int_equal(err.column, cases[i].column);
        assert_non_null(strstr(err.message, cases[i].words));
        limen__csv_release(&c);
        fclose(fp);
    }
}

static void test_nul_and_recovery(void **state)
{
    (void)state;
    static const char text[] = "a,b\x00z\nc,d\n";
    FILE *fp = fmemopen((void *)text, sizeof text - 1, "r");
    struct limen__csv c;
    struct limen_error err;
    limen__csv_init(&c, fp, 0, 0);
    assert_int_equal(limen__csv_next(&c, &err), LIMEN_ESYNTAX);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.column, 4);
    assert_non_null(strstr(err.message, "NUL"));
    /* the reader goes on with the next line */
    assert_int_equal(limen__csv_next(&c, &err), LIMEN_OK);
    expect_fields(&c, 2, "c", "d");
    limen__csv_release(&c);
    fclose(fp);
}

static void test_limits(void **state)
{
    (void)state;
    FILE *fp = mem("0123456789,x\na,b,c,d\nok\n");
    struct limen__csv c;
    struct limen_error err;
    limen__csv_init(&c, fp, 8, 3);
    assert_int_equal(limen__csv_next(&c, &err), LIMEN_ETOOLONG);
    assert_int_equal(err.line, 1);
    assert_int_equal(limen__csv_next(&c, &err), LIMEN_ELIMIT);
    assert_int_equal(err.line, 2);
    assert_int_equal(limen__csv_next(&c, &err), LIMEN_OK);
    expect_fields(&c, 1, "ok");
    limen__csv_release(&c);
    fclose(fp);
}

static void test_alloc_failure(void **state)
{
    (void)state;
    int failures = 0;
    for (unsigned long n = 1; n < 8; n++) {
        FILE *fp = mem("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s\n");
        struct limen__csv c;
        struct limen_error err;
        limen__csv_init(&c, fp, 0, 0);
        limen__alloc_fail_after(n, 1);
        limen_status st = limen__csv_next(&c, &err);
        limen__alloc_fail_after(0, 0);
        if (st != LIMEN_OK) {
            assert_int_equal(st, LIMEN_ENOMEM);
            failures++;
        }
        limen__csv_release(&c);
        fclose(fp);
    }
    assert_true(failures > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),          cmocka_unit_test(test_no_final_newline),
        cmocka_unit_test(test_errors),        cmocka_unit_test(test_nul_and_recovery),
        cmocka_unit_test(test_limits),        cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
