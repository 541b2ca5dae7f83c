/* Internal helpers for filling error reports. */
#ifndef LIMEN_STATUS_INT_H
#define LIMEN_STATUS_INT_H

#include "limen/status.h"

#if defined(__GNUC__)
#define LIMEN__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LIMEN__PRINTF(a, b)
#endif

/*
 * Fills `err` (which may be NULL) with status, field (may be NULL) and a
 * formatted message; leaves line/column/offset as they are. Returns status.
 */
limen_status limen__error_set(struct limen_error *err, limen_status status, const char *field,
                              const char *fmt, ...) LIMEN__PRINTF(4, 5);

#endif
