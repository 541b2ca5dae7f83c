/*
 * Partial dates of birth (YYYY, YYYY-MM, YYYY-MM-DD) and how two of them
 * bear on whether two records are the same person. Pure functions.
 */
#ifndef LIMEN_DATES_H
#define LIMEN_DATES_H

#include <stddef.h>
#include <stdint.h>

struct limen__date {
    int16_t year; /* 0: unknown (never stored) */
    uint8_t month; /* 0: unknown */
    uint8_t day;   /* 0: unknown */
};

/*
 * Parses an ISO 8601 partial date; a time part after 'T' is ignored.
 * Returns 0, or -1 for anything else (including impossible dates such as
 * 2023-02-30 and years outside 1800..2200).
 */
int limen__date_parse(const char *s, size_t len, struct limen__date *d);

/* Writes the date as ISO text ("1985", "1985-03", "1985-03-14"); returns the length. */
int limen__date_format(const struct limen__date *d, char *out, size_t cap);

/*
 * Evidence of a query date against an alert date, in log-odds (positive:
 * more likely the same person), with a short reason.
 */
double limen__date_evidence(const struct limen__date *q, const struct limen__date *a,
                            const char **reason);

#endif
