/*
 * A growable byte buffer (git's strbuf is the model), for text such as JSON
 * answers and for binary images written to a file.
 *
 *   struct limen_buf b;
 *   limen_buf_init(&b);
 *   limen_buf_set_max(&b, 1 << 20);            // optional bound
 *   limen_buf_adds(&b, "{\"name\":");
 *   limen_buf_add_json_string(&b, name, strlen(name));
 *   limen_buf_addch(&b, '}');
 *   if (limen_buf_failed(&b)) ... out of memory or past the bound
 *   use limen_buf_str(&b), b.len
 *   limen_buf_release(&b);
 *
 * The content is NUL-terminated once anything was added (the NUL is not
 * counted in len), so text can be read as a C string; binary content may
 * hold NULs. Failure is sticky: an allocation that fails, a size that would
 * overflow or an append that would pass the bound set with limen_buf_set_max()
 * marks the buffer failed, later appends do nothing, and limen_buf_failed()
 * says so: callers append many pieces and check once. Nothing aborts.
 *
 * Ownership: the buffer owns its content until limen_buf_release() or
 * limen_buf_detach(). The struct may live anywhere (on the stack, in
 * another struct); callers read `data` (through limen_buf_str()) and `len`,
 * and leave the other fields to these functions.
 *
 * Thread-safety: none; a buffer is used by one thread at a time. Different
 * buffers may be used by different threads at once.
 */
#ifndef LIMEN_BUF_H
#define LIMEN_BUF_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LIMEN_PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))
#else
#define LIMEN_PRINTF_LIKE(a, b)
#endif

struct limen_buf {
    char *data; /* NULL until something is added: read it with limen_buf_str() */
    size_t len; /* bytes of content, without the NUL after them */
    size_t cap; /* bytes allocated */
    size_t max; /* 0: no bound; otherwise content past this many bytes fails */
    int failed;
};

/* An empty buffer, without a bound; allocates nothing. */
void limen_buf_init(struct limen_buf *b);
/*
 * Bounds the content to `max` bytes (0: no bound): an append that would take
 * it past the bound fails (sticky) and adds nothing. Set it before adding.
 */
void limen_buf_set_max(struct limen_buf *b, size_t max);
/* Frees the content; the buffer is empty and unbounded after (as after init). */
void limen_buf_release(struct limen_buf *b);
/* Empties the buffer and clears its failure, keeping its memory and its bound. */
void limen_buf_reset(struct limen_buf *b);
/*
 * Hands the content to the caller, who frees it with limen_free(); *len (len
 * may be NULL) receives its length. The content is NUL-terminated, "" when
 * nothing was added. The buffer is released either way. Returns NULL when the
 * buffer had failed or memory runs out.
 */
char *limen_buf_detach(struct limen_buf *b, size_t *len);
/* Makes room for `extra` more bytes (and the NUL). Returns 0, or -1 and the buffer fails. */
int limen_buf_grow(struct limen_buf *b, size_t extra);

/* Appends len bytes of s (s may be NULL when len is 0). */
void limen_buf_add(struct limen_buf *b, const char *s, size_t len);
/* Appends a C string. */
void limen_buf_adds(struct limen_buf *b, const char *s);
void limen_buf_addch(struct limen_buf *b, char c);
/* Appends printf-formatted text. */
void limen_buf_addf(struct limen_buf *b, const char *fmt, ...) LIMEN_PRINTF_LIKE(2, 3);
void limen_buf_vaddf(struct limen_buf *b, const char *fmt, va_list ap);
/*
 * Appends s[0..len) as a JSON string literal with its quotes: '"', '\\' and
 * control characters escaped (\n, \r, \t, else \u00XX), well-formed UTF-8 as
 * it is, and each byte that does not start a well-formed sequence (RFC 3629)
 * written as \ufffd, so that the output is always valid JSON.
 */
void limen_buf_add_json_string(struct limen_buf *b, const char *s, size_t len);
/* Appends a finite double with up to `digits` decimals, trailing zeros removed; "null" when not finite. */
void limen_buf_add_number(struct limen_buf *b, double v, int digits);
/* Appends a finite double with exactly `digits` decimals and its sign, as printf's
 * "%+.*f" writes it (+0.50, -1.25); "null" when not finite. */
void limen_buf_add_signed(struct limen_buf *b, double v, int digits);

/* Whether an append failed (out of memory, overflow, past the bound). */
static inline int limen_buf_failed(const struct limen_buf *b)
{
    return b->failed;
}
/* The content as a C string, "" when empty; valid until the next change to the buffer. */
static inline const char *limen_buf_str(const struct limen_buf *b)
{
    return b->data ? b->data : "";
}

#ifdef __cplusplus
}
#endif
#endif
