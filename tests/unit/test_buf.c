/*
 * Tests of the public growable buffer (include/limen/buf.h, src/lib/buf.c):
 * appends and formatting, JSON strings (escapes, UTF-8 kept, malformed bytes
 * as U+FFFD), numbers, binary content, the bound, sticky failure on a failed
 * allocation, reset and detach.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "alloc.h"
#include "limen/limen.h"

static void test_appends(void **state)
{
    (void)state;
    struct limen_buf b;
    limen_buf_init(&b);
    assert_string_equal(limen_buf_str(&b), "");
    assert_int_equal(b.len, 0);
    limen_buf_adds(&b, "ab");
    limen_buf_addch(&b, 'c');
    limen_buf_add(&b, "defgh", 2);
    limen_buf_add(&b, NULL, 0);
    limen_buf_addf(&b, "-%d-%s", 42, "x");
    assert_string_equal(limen_buf_str(&b), "abcde-42-x");
    assert_int_equal(b.len, 10);
    /* Large appends grow the buffer as often as needed. */
    char big[5000];
    memset(big, 'z', sizeof big);
    limen_buf_add(&b, big, sizeof big);
    assert_int_equal(b.len, 5010);
    assert_int_equal(strlen(limen_buf_str(&b)), 5010);
    assert_false(limen_buf_failed(&b));
    limen_buf_reset(&b);
    assert_string_equal(limen_buf_str(&b), "");
    limen_buf_adds(&b, "again");
    assert_string_equal(limen_buf_str(&b), "again");
    limen_buf_release(&b);
    assert_null(b.data);
}

static void test_binary(void **state)
{
    (void)state;
    struct limen_buf b;
    limen_buf_init(&b);
    const unsigned char bytes[] = {0, 1, 0xff, 0, 7};
    limen_buf_add(&b, (const char *)bytes, sizeof bytes);
    assert_int_equal(b.len, sizeof bytes);
    assert_memory_equal(b.data, bytes, sizeof bytes);
    assert_int_equal(b.data[b.len], '\0');
    limen_buf_release(&b);
}

static void expect_json(const char *s, size_t len, const char *want)
{
    struct limen_buf b;
    limen_buf_init(&b);
    limen_buf_add_json_string(&b, s, len);
    assert_false(limen_buf_failed(&b));
    assert_string_equal(limen_buf_str(&b), want);
    limen_buf_release(&b);
}

static void test_json_string(void **state)
{
    (void)state;
    expect_json("", 0, "\"\"");
    expect_json("plain", 5, "\"plain\"");
    expect_json("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    expect_json("\n\r\t\b\x01\x1f", 6, "\"\\n\\r\\t\\u0008\\u0001\\u001f\"");
    expect_json("nul\0in", 6, "\"nul\\u0000in\"");
    expect_json("\x7f", 1, "\"\x7f\"");
    /* Well-formed UTF-8 as it is; malformed bytes each as U+FFFD. */
    expect_json("Ren\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80", 14,
                "\"Ren\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80\"");
    expect_json("a\xff" "b", 3, "\"a\\ufffdb\"");
    expect_json("\xc3", 1, "\"\\ufffd\"");          /* cut at the end */
    expect_json("\xc0\xaf", 2, "\"\\ufffd\\ufffd\""); /* overlong */
    expect_json("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\""); /* a surrogate */
    expect_json("\xe4\xb8" "x", 3, "\"\\ufffd\\ufffdx\"");
}

static void test_number(void **state)
{
    (void)state;
    struct limen_buf b;
    limen_buf_init(&b);
    limen_buf_add_number(&b, 0.8500, 4);
    limen_buf_addch(&b, ' ');
    limen_buf_add_number(&b, 2.0, 3);
    limen_buf_addch(&b, ' ');
    limen_buf_add_number(&b, -0.0001, 2);
    limen_buf_addch(&b, ' ');
    limen_buf_add_number(&b, INFINITY, 2);
    assert_string_equal(limen_buf_str(&b), "0.85 2 0 null");
    assert_false(limen_buf_failed(&b));
    /* Longer than any score or coordinate: refused, not cut. */
    limen_buf_add_number(&b, 1e300, 2);
    assert_true(limen_buf_failed(&b));
    assert_string_equal(limen_buf_str(&b), "0.85 2 0 null");
    limen_buf_release(&b);
}

static void test_bound(void **state)
{
    (void)state;
    struct limen_buf b;
    limen_buf_init(&b);
    limen_buf_set_max(&b, 8);
    limen_buf_adds(&b, "12345678");
    assert_false(limen_buf_failed(&b));
    limen_buf_addch(&b, '9');
    assert_true(limen_buf_failed(&b));
    /* Sticky: nothing more goes in, what was there stays. */
    limen_buf_adds(&b, "");
    limen_buf_addf(&b, "%s", "x");
    assert_true(limen_buf_failed(&b));
    assert_string_equal(limen_buf_str(&b), "12345678");
    assert_null(limen_buf_detach(&b, NULL));
    assert_null(b.data);
    /* Reset clears the failure and keeps the bound. */
    limen_buf_set_max(&b, 4);
    limen_buf_adds(&b, "12345");
    assert_true(limen_buf_failed(&b));
    limen_buf_reset(&b);
    assert_false(limen_buf_failed(&b));
    limen_buf_adds(&b, "1234");
    assert_false(limen_buf_failed(&b));
    limen_buf_adds(&b, "5");
    assert_true(limen_buf_failed(&b));
    limen_buf_release(&b);
    /* A size that would overflow fails instead of wrapping. */
    limen_buf_init(&b);
    limen_buf_adds(&b, "x");
    assert_int_equal(limen_buf_grow(&b, SIZE_MAX), -1);
    assert_true(limen_buf_failed(&b));
    limen_buf_release(&b);
}

static void test_alloc_failure(void **state)
{
    (void)state;
    struct limen_buf b;
    limen_buf_init(&b);
    limen__alloc_fail_after(1, 0);
    limen_buf_adds(&b, "lost");
    limen__alloc_fail_after(0, 0);
    assert_true(limen_buf_failed(&b));
    limen_buf_adds(&b, "not added");
    assert_string_equal(limen_buf_str(&b), "");
    limen_buf_release(&b);
    /* A failure in the middle of a growth keeps the content and fails. */
    limen_buf_init(&b);
    limen_buf_adds(&b, "kept");
    char big[4096];
    memset(big, 'y', sizeof big);
    limen__alloc_fail_after(1, 0);
    limen_buf_add(&b, big, sizeof big);
    limen__alloc_fail_after(0, 0);
    assert_true(limen_buf_failed(&b));
    assert_string_equal(limen_buf_str(&b), "kept");
    limen_buf_release(&b);
}

static void test_detach(void **state)
{
    (void)state;
    struct limen_buf b;
    limen_buf_init(&b);
    size_t len = 99;
    char *s = limen_buf_detach(&b, &len); /* nothing added: "" */
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    limen_free(s);
    limen_buf_adds(&b, "{\"a\":1}");
    s = limen_buf_detach(&b, &len);
    assert_string_equal(s, "{\"a\":1}");
    assert_int_equal(len, 7);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    limen_free(s);
    /* Nothing added and no memory for the empty string: NULL, the buffer released. */
    limen_buf_init(&b);
    limen__alloc_fail_after(1, 0);
    s = limen_buf_detach(&b, &len);
    limen__alloc_fail_after(0, 0);
    assert_null(s);
    assert_null(b.data);
    assert_false(limen_buf_failed(&b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_appends),     cmocka_unit_test(test_binary),
        cmocka_unit_test(test_json_string), cmocka_unit_test(test_number),
        cmocka_unit_test(test_bound),       cmocka_unit_test(test_alloc_failure),
        cmocka_unit_test(test_detach),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
