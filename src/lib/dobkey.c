/*
 * Birth dates as a blocking key (dobkey.h in index_int.h): the alerts born
 * on a given day. See index_int.h for what it is for and its memory.
 *
 * The finished part is a directory over the days from the first to the
 * last held (a day is year * 372 + (month - 1) * 31 + day - 1 from
 * LIMEN__DOBK_FIRST_YEAR; a few numbers name no real day and stay empty;
 * at most LIMEN__DOBK_DAYS, 238 KB) and the alert indexes of each day in
 * increasing order: 4 bytes an alert with a full date of birth. Alerts added since finish() are
 * in an open-addressing multimap beside it (index.c's delta).
 */
#include <string.h>

#include "alloc.h"
#include "index_int.h"

int limen__dobk_day(int year, int month, int day)
{
    if (year < LIMEN__DOBK_FIRST_YEAR || year >= LIMEN__DOBK_FIRST_YEAR + LIMEN__DOBK_YEARS ||
        month < 1 || month > 12 || day < 1 || day > 31)
        return -1;
    return (year - LIMEN__DOBK_FIRST_YEAR) * 372 + (month - 1) * 31 + day - 1;
}

/* The distinct days of an alert's full dates of birth; returns the count. */
int limen__dobk_alert_days(const struct limen_index *idx, const struct limen__ialert *a,
                           int days[LIMEN__MAX_FACTS])
{
    int n = 0;
    for (uint32_t i = 0; i < a->ndob && n < LIMEN__MAX_FACTS; i++) {
        const struct limen__date *d = &idx->dobs[a->dob0 + i];
        int day = limen__dobk_day(d->year, d->month, d->day);
        if (day < 0)
            continue;
        int k;
        for (k = 0; k < n && days[k] != day; k++)
            ;
        if (k == n)
            days[n++] = day;
    }
    return n;
}

limen_status limen__dobk_build(struct limen_index *idx)
{
    limen__dobk_free(idx);
    int days[LIMEN__MAX_FACTS];
    /*
     * Three passes over the alerts: the days present, [lo, hi] (a small list
     * gets a small directory); the count of each day; the alerts filed by
     * day (a counting sort).
     */
    int lo = LIMEN__DOBK_DAYS, hi = -1;
    uint32_t *off = NULL, *fill = NULL, *alert = NULL;
    size_t total = 0, ndays = 0;
    for (int pass = 0; pass < 3; pass++) {
        for (size_t a = 0; a < idx->nalerts; a++) {
            const struct limen__ialert *al = &idx->alerts[a];
            if (al->dead || !al->ndob)
                continue;
            int n = limen__dobk_alert_days(idx, al, days);
            for (int i = 0; i < n; i++) {
                if (pass == 0) {
                    lo = days[i] < lo ? days[i] : lo;
                    hi = days[i] > hi ? days[i] : hi;
                } else if (pass == 1)
                    off[days[i] - lo + 1]++;
                else
                    alert[fill[days[i] - lo]++] = (uint32_t)a;
            }
            total += (size_t)n;
        }
        if (pass == 0) {
            if (hi < 0)
                return LIMEN_OK; /* no full date of birth: no table */
            ndays = (size_t)(hi - lo + 1);
            if (total >= UINT32_MAX)
                return LIMEN_ELIMIT;
            off = limen__calloc(ndays + 1, sizeof *off);
            alert = limen__reallocarray(NULL, total ? total : 1, sizeof *alert);
            fill = limen__reallocarray(NULL, ndays, sizeof *fill);
            if (!off || !alert || !fill) {
                limen__free(off);
                limen__free(alert);
                limen__free(fill);
                return LIMEN_ENOMEM;
            }
        } else if (pass == 1) {
            idx->dobk_held = 0;
            for (size_t d = 0; d < ndays; d++) {
                idx->dobk_held += off[d + 1] != 0;
                off[d + 1] += off[d];
            }
            memcpy(fill, off, ndays * sizeof *fill);
        }
        total = 0;
    }
    limen__free(fill);
    idx->dobk_off = off;
    idx->dobk_alert = alert;
    idx->ndobk = off[ndays];
    idx->dobk_lo = lo;
    idx->dobk_days = ndays;
    return LIMEN_OK;
}

void limen__dobk_free(struct limen_index *idx)
{
    limen__free(idx->dobk_off);
    limen__free(idx->dobk_alert);
    idx->dobk_off = idx->dobk_alert = NULL;
    idx->ndobk = idx->dobk_days = idx->dobk_held = 0;
    idx->dobk_lo = 0;
}

size_t limen__dobk_lookup(const struct limen_index *idx, int day, const uint32_t **alerts)
{
    if (!idx->dobk_off || day < idx->dobk_lo || (size_t)(day - idx->dobk_lo) >= idx->dobk_days)
        return 0;
    day -= idx->dobk_lo;
    *alerts = idx->dobk_alert + idx->dobk_off[day];
    return idx->dobk_off[day + 1] - idx->dobk_off[day];
}

/* A day as a multimap key: distinct days, distinct keys, spread low bits. */
static uint64_t delta_key(int day)
{
    return (uint64_t)(uint32_t)day * 0x9E3779B97F4A7C15ull;
}

int limen__dobk_delta_reserve(struct limen_index *idx, size_t more)
{
    size_t need = idx->ndobk_d + more;
    if (need * 2 <= idx->dobk_dcap)
        return 0;
    size_t cap = 64;
    while (cap < need * 2)
        cap *= 2;
    return limen__multimap_rehash(&idx->dobk_dkey, &idx->dobk_dalert, &idx->dobk_dcap, cap);
}

void limen__dobk_delta_add(struct limen_index *idx, uint32_t a)
{
    int days[LIMEN__MAX_FACTS];
    int n = limen__dobk_alert_days(idx, &idx->alerts[a], days);
    for (int i = 0; i < n; i++) {
        limen__multimap_put(idx->dobk_dkey, idx->dobk_dalert, idx->dobk_dcap, delta_key(days[i]),
                            a + 1);
        idx->ndobk_d++;
    }
}

size_t limen__dobk_lookup_delta(const struct limen_index *idx, int day, uint32_t *out, size_t cap)
{
    if (day < 0)
        return 0;
    return limen__multimap_get(idx->dobk_dkey, idx->dobk_dalert, idx->dobk_dcap, delta_key(day),
                               out, cap);
}

void limen__dobk_free_delta(struct limen_index *idx)
{
    limen__free(idx->dobk_dkey);
    limen__free(idx->dobk_dalert);
    idx->dobk_dkey = NULL;
    idx->dobk_dalert = NULL;
    idx->ndobk_d = idx->dobk_dcap = 0;
}
