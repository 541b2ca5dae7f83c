/* UTF-8 helpers (strict RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
#ifndef LIMEN_UTF8_H
#define LIMEN_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Returns 1 when s[0..len) is valid UTF-8; otherwise 0 and the offset of the first bad byte. */
int limen__utf8_valid(const char *s, size_t len, size_t *bad_offset);

/*
 * Decodes one code point at s[*i] (len bytes in all), advancing *i. Returns
 * the code point, or -1 for an invalid sequence (then *i advances one byte).
 */
int32_t limen__utf8_next(const char *s, size_t len, size_t *i);

/* Encodes cp into out (4 bytes room); returns the byte count (0 for an invalid cp). */
size_t limen__utf8_put(uint32_t cp, char *out);

#endif
