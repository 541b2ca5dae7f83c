/*
 * Internals of the OFAC converter, exposed for the unit tests.
 */
#ifndef LIMEN_OFAC_INT_H
#define LIMEN_OFAC_INT_H

#include "limen/convert.h"
#include "limen/entity.h"

#define LIMEN__OFAC_MAX_DATES 16

/*
 * Parses the text of a DOB remark ("12 Jan 1960", "circa 1960",
 * "1960 to 1962", "01 Jan 1960 to 31 Dec 1962", "Mar 1971") into ISO
 * partial dates written to out[i] (11 bytes each). Year ranges of at most
 * 12 years give every year; other ranges give both ends. Returns the number
 * of dates, or -1 when the text is not a date.
 */
int limen__ofac_dob(const char *s, size_t len, char out[][11], int max);

/*
 * Adds what the remarks say to entity `e` (see convert.h for the
 * properties). `stats` may be NULL.
 */
limen_status limen__ofac_remarks(struct limen_entity *e, const char *s, size_t len,
                                 struct limen_ofac_stats *stats);

#endif
