/*
 * Travel document numbers: normalisation and the OCR-tolerant key.
 * Pure functions, thread-safe.
 */
#ifndef LIMEN_DOCNUM_H
#define LIMEN_DOCNUM_H

#include <stddef.h>

#define LIMEN__DOCNUM_MAX 40

/*
 * Uppercase letters and digits of s, in order; spaces, dashes, '<' fillers
 * and other punctuation dropped. Writes at most cap-1 bytes and a NUL;
 * returns the length (0 when nothing is left or the number is longer than
 * LIMEN__DOCNUM_MAX).
 */
size_t limen__docnum_norm(const char *s, size_t len, char *out, size_t cap);

/* Folds, in place, the letters OCR confuses with digits: O Q D->0, I L->1, Z->2, S->5, G->6, B->8. */
void limen__docnum_ocr(char *s, size_t len);

#endif
