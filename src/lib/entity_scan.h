/*
 * The entity scanner: a fast path that reads one FtM entity line for the
 * index build without building a jansson tree (entity_scan.c).
 *
 * It reads exactly what the index needs (id, schema, the values of the
 * properties in enum limen__escan_prop, the alert's fields) into a flat
 * struct whose strings are slices of the line, or of a scratch arena for
 * strings with escapes. It accepts a line only when it is sure that
 * limen__entity_parse_flags() accepts it too and gives the same facts;
 * anything else (any error, and any valid construct it does not handle) is
 * "not handled", and the caller parses the line with jansson instead, which
 * reports errors as it always has.
 *
 * Lifecycle: limen__escan_init() (no allocation) ... limen__escan_release().
 * Not thread-safe: one scanner per thread.
 */
#ifndef LIMEN_ENTITY_SCAN_H
#define LIMEN_ENTITY_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "limen/entity.h"

/* The properties whose values the scanner keeps: those the index reads
 * (index.c, limen__facts_read) and those the shape checks need. */
enum limen__escan_prop {
    LIMEN__EP_NAME = 0,
    LIMEN__EP_ALIAS,
    LIMEN__EP_PREVIOUS_NAME,
    LIMEN__EP_WEAK_ALIAS,
    LIMEN__EP_FIRST_NAME,
    LIMEN__EP_SECOND_NAME,
    LIMEN__EP_MIDDLE_NAME,
    LIMEN__EP_FATHER_NAME,
    LIMEN__EP_LAST_NAME,
    LIMEN__EP_BIRTH_DATE,
    LIMEN__EP_GENDER,
    LIMEN__EP_NATIONALITY,
    LIMEN__EP_CITIZENSHIP,
    LIMEN__EP_COUNTRY,
    LIMEN__EP_NUMBER,
    LIMEN__EP_PASSPORT_NUMBER,
    LIMEN__EP_ID_NUMBER,
    LIMEN__EP_COUNT
};

/* The FtM name of a kept property ("birthDate"). */
const char *limen__escan_prop_name(enum limen__escan_prop p);

/* Bounds of one scan; a line that needs more is not handled. */
#define LIMEN__ESCAN_MAX_VALUES 1024 /* values of the kept properties, all together */
#define LIMEN__ESCAN_MAX_KEYS   512  /* keys of the objects open at one time */
#define LIMEN__ESCAN_MAX_DEPTH  32   /* nested objects and arrays */

/* A string of the scanned line: decoded bytes, not NUL-terminated. */
struct limen__escan_str {
    const char *s; /* NULL (len 0) for an absent alert field */
    size_t len;
};

struct limen__escan {
    /* What the last handled line holds; valid until the next scan. */
    struct limen__escan_str id;
    enum limen_schema schema;
    uint32_t first[LIMEN__EP_COUNT]; /* property p: val[first[p] .. first[p] + count[p]) */
    uint32_t count[LIMEN__EP_COUNT];
    struct limen__escan_str val[LIMEN__ESCAN_MAX_VALUES];
    int has_alert;
    struct limen__escan_str owner, category, action, valid_until;
    int handling; /* 0..3, -1 when absent */

    /* Scratch. */
    size_t nval;
    struct limen__escan_str key[LIMEN__ESCAN_MAX_KEYS]; /* keys of the open objects */
    size_t nkey;
    char *arena; /* decoded strings with escapes: never more bytes than the line */
    size_t arena_cap, arena_len;
};

/* Sets up an empty scanner (no allocation). */
void limen__escan_init(struct limen__escan *s);
/* Frees the scanner's arena and leaves it as limen__escan_init() does (so it may be
 * used, or released, again). */
void limen__escan_release(struct limen__escan *s);

/*
 * Scans one entity line (`len` bytes, need not be NUL-terminated), with the
 * flags of limen__entity_parse_flags(). Returns 1 when the line is handled:
 * it is an entity that limen__entity_parse_flags() accepts with the same
 * id, schema, kept property values and alert fields, now in *s (strings
 * point into `line` or into the scanner, valid until the next scan or the
 * release). Returns 0 otherwise (the line is invalid, or holds something
 * the scanner leaves to jansson, or the arena could not grow): the caller
 * must parse it with limen__entity_parse_flags(). Never prints.
 */
int limen__escan_line(struct limen__escan *s, const char *line, size_t len, unsigned flags);

/* Number of values of kept property p, and value i of it (NULL out of range). */
size_t limen__escan_count(const struct limen__escan *s, enum limen__escan_prop p);
const char *limen__escan_value(const struct limen__escan *s, enum limen__escan_prop p, size_t i,
                               size_t *len);

/*
 * 1 when a handled scan holds the same facts as entity e (id, schema, every
 * value of the kept properties, the alert's fields), 0 otherwise: what the
 * unit tests and the differential fuzz target check.
 */
int limen__escan_agrees(const struct limen__escan *s, const struct limen_entity *e);

#endif
