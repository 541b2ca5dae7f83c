/*
 * Dates of birth. Watchlists give full dates, year and month, or the year
 * only, sometimes several candidates; travellers' documents give full dates,
 * sometimes with the day and month swapped or off by a year. The evidence
 * table below turns each case into log-odds; docs/scoring.md lists it.
 */
#include "dates.h"

#include <stdio.h>
#include <stdlib.h>

static int digits(const char *s, size_t n, int *v)
{
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

int limen__date_parse(const char *s, size_t len, struct limen__date *d)
{
    int y, m = 0, dd = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == 'T' || s[i] == ' ') {
            len = i;
            break;
        }
    if (len != 4 && len != 7 && len != 10)
        return -1;
    if (digits(s, 4, &y) != 0 || y < 1800 || y > 2200)
        return -1;
    if (len >= 7 && (s[4] != '-' || digits(s + 5, 2, &m) != 0 || m < 1 || m > 12))
        return -1;
    if (len == 10 &&
        (s[7] != '-' || digits(s + 8, 2, &dd) != 0 || dd < 1 || dd > days_in_month(y, m)))
        return -1;
    d->year = (int16_t)y;
    d->month = (uint8_t)m;
    d->day = (uint8_t)dd;
    return 0;
}

int limen__date_format(const struct limen__date *d, char *out, size_t cap)
{
    int n;
    if (d->month && d->day)
        n = snprintf(out, cap, "%04d-%02d-%02d", d->year, d->month, d->day);
    else if (d->month)
        n = snprintf(out, cap, "%04d-%02d", d->year, d->month);
    else
        n = snprintf(out, cap, "%04d", d->year);
    return n < 0 ? 0 : n;
}

/* Whether two days (or months) differ in one digit only, written with two: 03 / 23, 12 / 13. */
static int one_digit(int x, int y)
{
    return x / 10 == y / 10 || x % 10 == y % 10;
}

double limen__date_evidence(const struct limen__date *q, const struct limen__date *a,
                            const char **reason)
{
    int dy = abs(q->year - a->year);
    int full = q->month && q->day && a->month && a->day;
    if (dy == 0) {
        if (full) {
            if (q->month == a->month && q->day == a->day) {
                *reason = "same date of birth";
                return 1.6;
            }
            if (q->month == a->day && q->day == a->month) {
                *reason = "same date of birth with day and month swapped";
                return 1.0;
            }
            /* A typo touches one field, usually one digit of it. */
            if (q->month == a->month) {
                if (one_digit(q->day, a->day)) {
                    *reason = "same year and month, day one digit apart";
                    return -0.3;
                }
                *reason = "same year and month, another day";
                return -1.0;
            }
            if (q->day == a->day) {
                if (one_digit(q->month, a->month)) {
                    *reason = "same year and day, month one digit apart";
                    return -0.3;
                }
                *reason = "same year and day, another month";
                return -1.0;
            }
            *reason = "same year, different day and month";
            return -1.9;
        }
        if (q->month && a->month) {
            if (q->month == a->month) {
                *reason = "same year and month (day unknown on one side)";
                return 0.9;
            }
            *reason = "same year, different month";
            return -0.6;
        }
        *reason = "same year of birth (month or day unknown on one side)";
        return 0.6;
    }
    if (dy == 1) {
        if (full && q->month == a->month && q->day == a->day) {
            *reason = "same day and month, birth years one apart (tolerated)";
            return 0.3;
        }
        /* Two full dates a year apart that share neither day nor month are
         * rarely one person's date mistyped: a typo touches one field. */
        if (full && q->month != a->month && q->day != a->day) {
            *reason = "birth years one apart, day and month different";
            return -1.9;
        }
        if (full) {
            *reason = "birth years one apart, day or month different";
            return -1.5;
        }
        *reason = "birth years one apart (tolerated)";
        return -0.3;
    }
    if (dy <= 3) {
        *reason = "birth years 2-3 apart";
        return full ? -2.4 : -1.8;
    }
    *reason = "birth years more than 3 apart";
    return full ? -4.0 : -3.0;
}
