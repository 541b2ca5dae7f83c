/*
 * Document numbers. An exact number is decisive evidence; a number read by
 * OCR from a passport may have O for 0, I for 1, B for 8, S for 5, Z for 2:
 * the OCR key folds those so both readings meet in one index key.
 */
#include "docnum.h"

size_t limen__docnum_norm(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            continue;
        if (n + 1 >= cap || n >= LIMEN__DOCNUM_MAX) {
            out[0] = '\0';
            return 0;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return n;
}

void limen__docnum_ocr(char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        switch (s[i]) {
        case 'O':
        case 'Q':
        case 'D':
            s[i] = '0';
            break;
        case 'I':
        case 'L':
            s[i] = '1';
            break;
        case 'Z':
            s[i] = '2';
            break;
        case 'S':
            s[i] = '5';
            break;
        case 'G':
            s[i] = '6';
            break;
        case 'B':
            s[i] = '8';
            break;
        }
    }
}
