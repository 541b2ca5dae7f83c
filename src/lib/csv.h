/*
 * A bounded CSV record reader (RFC 4180 with the leniencies real files need).
 *
 * Records are read one at a time from a FILE. Fields may be quoted ("a, b"),
 * a doubled quote inside quotes is one quote, quoted fields may span lines.
 * Lines may end in \n or \r\n; blank lines are skipped; a DOS end-of-file
 * byte (0x1A) on its own at the end is ignored, as OFAC's files carry one.
 * A quote inside an unquoted field is kept as a character.
 *
 * Errors (with the physical line and 1-based byte column in `err`):
 * an unterminated quoted field, a character other than a comma, spaces or
 * the end of line after a closing quote, a NUL byte, a record longer than
 * max_record bytes (LIMEN_ETOOLONG) or with more than max_fields fields
 * (LIMEN_ELIMIT), and read errors (LIMEN_EIO).
 *
 * Lifecycle: limen__csv_init() (no allocation) ... limen__csv_release().
 * One reader per thread; the FILE stays the caller's.
 */
#ifndef LIMEN_CSV_H
#define LIMEN_CSV_H

#include <stdio.h>

#include "limen/buf.h"
#include "status_int.h"

#define LIMEN__CSV_MAX_RECORD (1u << 20)
#define LIMEN__CSV_MAX_FIELDS 256

struct limen__csv {
    FILE *fp;
    long line;        /* physical line where the current record starts (1-based) */
    long next_line;   /* physical line the next byte belongs to */
    long column;      /* byte column of the next byte in its line (1-based) */
    size_t max_record;
    size_t max_fields;
    struct limen_buf data; /* the fields' bytes, each NUL-terminated */
    size_t *offs;          /* start of each field in data */
    size_t *lens;
    size_t nfields;
    size_t cap;
};

/* Sets up a reader over `fp`; 0 limits mean the defaults above. */
void limen__csv_init(struct limen__csv *c, FILE *fp, size_t max_record, size_t max_fields);
void limen__csv_release(struct limen__csv *c);

/*
 * Reads the next record. Returns LIMEN_OK, LIMEN_EOF at the end of input, or
 * an error described in `err` (may be NULL). After an error the reader is
 * positioned after the bad record's line and can go on.
 */
limen_status limen__csv_next(struct limen__csv *c, struct limen_error *err);

/* Number of fields of the current record. */
static inline size_t limen__csv_count(const struct limen__csv *c)
{
    return c->nfields;
}

/* Field i of the current record (NUL-terminated, owned by the reader, valid
 * until the next call), or NULL when i is out of range; `len` may be NULL. */
const char *limen__csv_field(const struct limen__csv *c, size_t i, size_t *len);

#endif
