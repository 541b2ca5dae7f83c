/*
 * The growable byte buffer of the public API (include/limen/buf.h): content
 * kept NUL-terminated, capacity doubled from 64 bytes, and any failure
 * (memory, size overflow, the caller's bound) sticky, so that a long series
 * of appends is checked once.
 */
#include "limen/buf.h"

#include "alloc.h"
#include "utf8.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void limen_buf_init(struct limen_buf *b)
{
    memset(b, 0, sizeof *b);
}

void limen_buf_set_max(struct limen_buf *b, size_t max)
{
    b->max = max;
}

void limen_buf_release(struct limen_buf *b)
{
    limen__free(b->data);
    memset(b, 0, sizeof *b);
}

void limen_buf_reset(struct limen_buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *limen_buf_detach(struct limen_buf *b, size_t *len)
{
    char *d = NULL;
    if (!b->failed) {
        if (!b->data) {
            if (limen_buf_grow(b, 0) != 0)
                goto out;
            b->data[0] = '\0';
        }
        d = b->data;
        if (len)
            *len = b->len;
        b->data = NULL;
    }
out:
    limen_buf_release(b);
    return d;
}

int limen_buf_grow(struct limen_buf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (extra > SIZE_MAX - b->len - 1 || (b->max && b->len + extra > b->max)) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *d = limen__realloc(b->data, cap);
    if (!d) {
        b->failed = 1;
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

void limen_buf_add(struct limen_buf *b, const char *s, size_t len)
{
    if (limen_buf_grow(b, len) != 0)
        return;
    if (len)
        memcpy(b->data + b->len, s, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void limen_buf_adds(struct limen_buf *b, const char *s)
{
    limen_buf_add(b, s, strlen(s));
}

void limen_buf_addch(struct limen_buf *b, char c)
{
    limen_buf_add(b, &c, 1);
}

void limen_buf_vaddf(struct limen_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (limen_buf_grow(b, (size_t)n) != 0)
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void limen_buf_addf(struct limen_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    limen_buf_vaddf(b, fmt, ap);
    va_end(ap);
}

void limen_buf_add_json_string(struct limen_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    limen_buf_addch(b, '"');
    size_t start = 0; /* the run of bytes that go out as they are */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80)
            continue;
        if (c >= 0x80) {
            size_t next = i;
            if (limen__utf8_next(s, len, &next) >= 0) {
                i = next - 1; /* a well-formed sequence stays in the run */
                continue;
            }
            limen_buf_add(b, s + start, i - start);
            limen_buf_add(b, "\\ufffd", 6);
            start = i + 1;
            continue;
        }
        char esc[6] = {'\\', (char)c, '0', '0', 0, 0};
        size_t n = 2;
        if (c == '\n')
            esc[1] = 'n';
        else if (c == '\r')
            esc[1] = 'r';
        else if (c == '\t')
            esc[1] = 't';
        else if (c < 0x20) {
            esc[1] = 'u';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        limen_buf_add(b, s + start, i - start);
        limen_buf_add(b, esc, n);
        start = i + 1;
    }
    limen_buf_add(b, s + start, len - start);
    limen_buf_addch(b, '"');
}

/*
 * v with `digits` decimals without printf, for the numbers explanations are
 * made of (small, a few decimals): as "%+.*f" writes it with `plus`, else as
 * limen_buf_add_number() does ("%.*f", trailing zeros and a bare point
 * removed, "-0" written "0"). printf rounds the exact binary value;
 * |v| * 10^digits is computed within 1e-7 of it below 1e9, so a fraction
 * further than 1e-6 from a half rounds the same way. Returns 0 (nothing
 * written) for the other numbers.
 */
static int fixed_fast(struct limen_buf *b, double v, int digits, int plus)
{
    static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    if (digits < 0 || digits > 6)
        return 0;
    double x = fabs(v) * p10[digits];
    if (!(x < 1e9))
        return 0;
    double whole = floor(x);
    double frac = x - whole;
    if (fabs(frac - 0.5) <= 1e-6)
        return 0;
    uint64_t q = (uint64_t)whole + (frac > 0.5);
    uint64_t unit = (uint64_t)p10[digits];
    char tmp[40];
    char *end = tmp + sizeof tmp, *p = end;
    uint64_t f = q % unit;
    int nd = digits;
    while (!plus && nd > 0 && f % 10 == 0) {
        f /= 10;
        nd--;
    }
    for (int i = 0; i < nd; i++) {
        *--p = (char)('0' + f % 10);
        f /= 10;
    }
    if (nd)
        *--p = '.';
    uint64_t w = q / unit;
    do {
        *--p = (char)('0' + w % 10);
        w /= 10;
    } while (w);
    if (plus)
        *--p = signbit(v) ? '-' : '+';
    else if (v < 0 && q)
        *--p = '-';
    limen_buf_add(b, p, (size_t)(end - p));
    return 1;
}

void limen_buf_add_number(struct limen_buf *b, double v, int digits)
{
    if (!isfinite(v)) {
        limen_buf_adds(b, "null");
        return;
    }
    char tmp[64];
    if (fixed_fast(b, v, digits, 0))
        return;
    int n = snprintf(tmp, sizeof tmp, "%.*f", digits, v);
    if (n <= 0 || (size_t)n >= sizeof tmp) {
        b->failed = 1;
        return;
    }
    if (strchr(tmp, '.')) {
        while (n > 1 && tmp[n - 1] == '0')
            n--;
        if (tmp[n - 1] == '.')
            n--;
    }
    if (n == 2 && tmp[0] == '-' && tmp[1] == '0') {
        tmp[0] = '0';
        n = 1;
    }
    limen_buf_add(b, tmp, (size_t)n);
}

void limen_buf_add_signed(struct limen_buf *b, double v, int digits)
{
    if (!isfinite(v)) {
        limen_buf_adds(b, "null");
        return;
    }
    if (fixed_fast(b, v, digits, 1))
        return;
    limen_buf_addf(b, "%+.*f", digits, v);
}
