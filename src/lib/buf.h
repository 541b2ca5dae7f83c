/*
 * A growable byte buffer (git's strbuf is the model). The content is always
 * NUL-terminated once anything was added. An allocation failure is sticky:
 * later appends do nothing and limen_buf_failed() says so, so callers can
 * append many pieces and check once.
 *
 * Lifecycle: limen_buf_init() (no allocation) ... limen_buf_release().
 * Not thread-safe; one buffer per thread.
 */
#ifndef LIMEN_BUF_H
#define LIMEN_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "status_int.h"

struct limen_buf {
    char *data; /* NULL until something is added */
    size_t len;
    size_t cap;
    size_t max; /* 0: no limit; otherwise appends beyond it fail */
    int failed;
};

void limen_buf_init(struct limen_buf *b);
/* Frees the content; the buffer may be used again after limen_buf_init(). */
void limen_buf_release(struct limen_buf *b);
/* Empties the buffer, keeping its memory. */
void limen_buf_reset(struct limen_buf *b);
/* Takes the content (caller frees with limen__free); the buffer is empty after. NULL on failure. */
char *limen_buf_detach(struct limen_buf *b, size_t *len);
/* Makes room for `extra` more bytes. Returns 0, or -1 (and sets failed). */
int limen_buf_grow(struct limen_buf *b, size_t extra);

void limen_buf_add(struct limen_buf *b, const char *s, size_t len);
void limen_buf_adds(struct limen_buf *b, const char *s);
void limen_buf_addch(struct limen_buf *b, char c);
void limen_buf_addf(struct limen_buf *b, const char *fmt, ...) LIMEN__PRINTF(2, 3);
void limen_buf_vaddf(struct limen_buf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal with quotes, escaping as RFC 8259 requires. */
void limen_buf_add_json_string(struct limen_buf *b, const char *s, size_t len);
/* Appends a finite double with up to `digits` decimals, trailing zeros removed. */
void limen_buf_add_number(struct limen_buf *b, double v, int digits);
static inline int limen_buf_failed(const struct limen_buf *b)
{
    return b->failed;
}
/* The content as a C string, "" when empty. */
static inline const char *limen_buf_str(const struct limen_buf *b)
{
    return b->data ? b->data : "";
}

#endif
