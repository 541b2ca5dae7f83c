/*
 * limen_buf_add_number() and limen_buf_add_signed() write most numbers
 * without printf (buf.c, fixed_fast): their text must be what "%.*f" with
 * trailing zeros removed, and "%+.*f", give for every value. Checked against
 * printf itself on values near every rounding edge, exact halves, signs, zero
 * and large magnitudes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "limen/buf.h"

/* The reference: printf, then the trailing zeros (and a bare point) off, "-0" as "0". */
static void reference(double v, int digits, char *out, size_t cap)
{
    if (!isfinite(v)) {
        snprintf(out, cap, "null");
        return;
    }
    int n = snprintf(out, cap, "%.*f", digits, v);
    if (strchr(out, '.')) {
        while (n > 1 && out[n - 1] == '0')
            n--;
        if (out[n - 1] == '.')
            n--;
    }
    out[n] = '\0';
    if (strcmp(out, "-0") == 0)
        memcpy(out, "0", 2);
}

/* What an append function wrote for v, against the text wanted. */
static void expect(void (*add)(struct limen_buf *, double, int), const char *what, double v,
                   int digits, const char *want)
{
    struct limen_buf b;
    limen_buf_init(&b);
    add(&b, v, digits);
    assert_false(limen_buf_failed(&b));
    if (strcmp(b.data, want) != 0)
        fail_msg("%s of %.17g with %d digits: wrote %s, printf %s", what, v, digits, b.data, want);
    limen_buf_release(&b);
}

static void check(double v, int digits)
{
    char want[128];
    reference(v, digits, want, sizeof want);
    expect(limen_buf_add_number, "add_number", v, digits, want);
}

/* limen_buf_add_signed() against printf's "%+.*f". */
static void check_signed(double v, int digits)
{
    char want[128];
    if (isfinite(v))
        snprintf(want, sizeof want, "%+.*f", digits, v);
    else
        snprintf(want, sizeof want, "null");
    expect(limen_buf_add_signed, "add_signed", v, digits, want);
}

static void test_against_printf(void **state)
{
    (void)state;
    static const double fixed[] = {0,      -0.0,   1,       -1,      0.5,    -0.5,   0.0005,
                                   0.0015, 0.0025, 0.1235,  -0.1235, 2.675,  1.005,  0.125,
                                   0.375,  -0.375, 999.9995, 1e-9,   -1e-9,  123456789.987,
                                   1e9,    1e12,   -1e15,   0.9995,  0.9994, 4.5951198501345898,
                                   INFINITY, -INFINITY, NAN};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        for (int d = 0; d <= 7; d++) {
            check(fixed[i], d);
            check_signed(fixed[i], d);
        }
    /* every value of k / 2000 and k / 20000 (exact and near halves of the last digit),
     * nudged by one ulp either way */
    for (int k = -40000; k <= 40000; k++) {
        double v = k / 20000.0;
        for (int d = 1; d <= 4; d++) {
            check(v, d);
            check(nextafter(v, INFINITY), d);
            check(nextafter(v, -INFINITY), d);
            check_signed(v, d);
            check_signed(nextafter(v, -INFINITY), d);
        }
    }
    /* a spread of magnitudes from a fixed sequence */
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v = ((double)(x >> 11) / 9007199254740992.0 - 0.5) * pow(10.0, (double)(i % 13) - 3);
        check(v, i % 5);
        check_signed(v, i % 5);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_printf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
