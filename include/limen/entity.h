/*
 * FollowTheMoney (FtM) entities: the unit limen reads, indexes and screens.
 *
 * An entity is {"id": "...", "schema": "Person", "properties": {"name":
 * ["..."], ...}, "alert": {...}}: every property is a list of strings.
 * Unknown properties are kept. The optional "alert" object carries limen's
 * own fields (owner agency, category, action, handling code, valid_until...);
 * it is validated, its main fields are exposed, and it is kept whole.
 *
 * Ownership: an entity is owned by whoever created it (limen_entity_new,
 * limen_entity_parse, limen_reader_next) and freed with limen_entity_free.
 * Strings returned by accessors belong to the entity and live as long as it.
 * Thread-safety: an entity may be read from many threads; modifying it
 * (limen_entity_add) needs exclusive access.
 */
#ifndef LIMEN_ENTITY_H
#define LIMEN_ENTITY_H

#include <stdio.h>

#include "limen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

enum limen_schema {
    LIMEN_SCHEMA_UNKNOWN = 0,
    LIMEN_SCHEMA_PERSON,
    LIMEN_SCHEMA_ORGANIZATION,
    LIMEN_SCHEMA_COMPANY,
    LIMEN_SCHEMA_LEGAL_ENTITY,
    LIMEN_SCHEMA_VESSEL,
    LIMEN_SCHEMA_VEHICLE,
    LIMEN_SCHEMA_AIRPLANE,
    LIMEN_SCHEMA_PASSPORT,
    LIMEN_SCHEMA_IDENTIFICATION,
};

/* FtM name of a schema ("Person"), or "" for LIMEN_SCHEMA_UNKNOWN. */
const char *limen_schema_name(enum limen_schema schema);
/* Schema by FtM name (exact, case-sensitive); LIMEN_SCHEMA_UNKNOWN if none. */
enum limen_schema limen_schema_from_name(const char *name);

/* Limits on what an entity may hold; inputs beyond them are rejected with LIMEN_ETOOLONG. */
#define LIMEN_ENTITY_MAX_ID 256           /* bytes in an id */
#define LIMEN_ENTITY_MAX_VALUE 4096       /* bytes in one property value */
#define LIMEN_ENTITY_MAX_NAME 1024        /* bytes in one name value */
#define LIMEN_ENTITY_MAX_VALUES 1024      /* values in one property */
#define LIMEN_ENTITY_MAX_PROPERTIES 256   /* properties in one entity */

/* The main fields of the optional "alert" object (empty strings when absent). */
struct limen_alert_info {
    char owner[64];       /* owner agency code, e.g. "MA-DGSN" */
    char category[48];    /* e.g. "arrest", "refusal_of_entry" */
    char action[256];     /* action to take on a hit */
    int handling;         /* handling code 0..3 (H0..H3), -1 when absent */
    char valid_until[32]; /* ISO 8601 date or date-time */
};

struct limen_entity;

/*
 * Creates an empty entity. `id` must be non-empty valid UTF-8 of at most
 * LIMEN_ENTITY_MAX_ID bytes. Returns LIMEN_OK and *out, or an error and *out == NULL.
 */
limen_status limen_entity_new(const char *id, enum limen_schema schema, struct limen_entity **out);

/*
 * Appends one value to property `prop` (created when absent). The value must
 * be valid UTF-8 without NUL bytes, at most LIMEN_ENTITY_MAX_VALUE bytes.
 */
limen_status limen_entity_add(struct limen_entity *e, const char *prop, const char *value,
                              size_t len);

/*
 * Parses one entity from JSON text (`json`, `len` bytes, need not be
 * NUL-terminated). On error returns the status, sets *out = NULL and fills
 * `err` (may be NULL) with the byte offset/column and the field at fault.
 */
limen_status limen_entity_parse(const char *json, size_t len, struct limen_entity **out,
                                struct limen_error *err);

/* Frees an entity; NULL is a no-op. */
void limen_entity_free(struct limen_entity *e);

const char *limen_entity_id(const struct limen_entity *e);
enum limen_schema limen_entity_schema(const struct limen_entity *e);

/* Number of values of `prop` (0 when absent). */
size_t limen_entity_count(const struct limen_entity *e, const char *prop);
/* The i-th value of `prop` (NUL-terminated; its length in *len when len != NULL), NULL when out of range. */
const char *limen_entity_value(const struct limen_entity *e, const char *prop, size_t i,
                               size_t *len);
/* Number of properties, and the name of the i-th (NULL when out of range). */
size_t limen_entity_prop_count(const struct limen_entity *e);
const char *limen_entity_prop_name(const struct limen_entity *e, size_t i);

/* The alert fields, or NULL when the entity has no "alert" object. */
const struct limen_alert_info *limen_entity_alert(const struct limen_entity *e);

/*
 * The entity as compact JSON (one line, no trailing newline), keys in a
 * stable order. Returns a string the caller frees with limen_free(), or NULL
 * when out of memory.
 */
char *limen_entity_to_json(const struct limen_entity *e, size_t *len);

/*
 * Frees memory the library handed to the caller. NULL is a no-op. The library
 * allocates with the C library's malloc(), so limen_free() is free(): what it
 * hands out may also go to code that frees it with free().
 */
void limen_free(void *p);

/*
 * Reading FtM JSON Lines. A reader takes one entity per line; blank lines are
 * passed over. Lines longer than `max_line` bytes are errors (the rest of the
 * line is skipped, so reading can go on).
 */
struct limen_reader;

struct limen_reader_stats {
    unsigned long lines;   /* lines seen, blank ones included */
    unsigned long read;    /* entities returned */
    unsigned long skipped; /* non-blank lines that were errors */
};

/*
 * Opens `path` ("-" for standard input). `max_line` 0 means the default of
 * 1 MiB. Fills err->message on failure.
 */
limen_status limen_reader_open(const char *path, size_t max_line, struct limen_reader **out,
                               struct limen_error *err);
/* Reads from an open stream the caller keeps owning; `name` is used in messages. */
limen_status limen_reader_new(FILE *fp, const char *name, size_t max_line,
                              struct limen_reader **out);
/*
 * Next entity: LIMEN_OK with *out (caller frees), LIMEN_EOF at the end, or an
 * error with err->line set to the line at fault and *out == NULL; the reader
 * may be called again after an error to go on with the next line.
 */
limen_status limen_reader_next(struct limen_reader *r, struct limen_entity **out,
                               struct limen_error *err);
/*
 * Query mode: a query may carry only a passport or id number and no name.
 * Off by default (alerts must be named).
 */
void limen_reader_set_query_mode(struct limen_reader *r, int on);
void limen_reader_stats(const struct limen_reader *r, struct limen_reader_stats *stats);
/* Closes the reader (and the file when it opened it). NULL is a no-op. */
void limen_reader_free(struct limen_reader *r);

#ifdef __cplusplus
}
#endif
#endif
