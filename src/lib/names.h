/*
 * Name normalisation: a name string in any script becomes a short list of
 * canonical ASCII tokens with a kind (ordinary, particle, connector, title,
 * initial). See names.c for the pipeline and docs/matching.md for the why.
 *
 * A normalizer holds ICU objects and is shared: normalising is thread-safe
 * (the rare path through ICU's transliterator for scripts other than Latin
 * and Arabic takes a lock).
 */
#ifndef LIMEN_NAMES_H
#define LIMEN_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "limen/status.h"

#define LIMEN__TOKEN_MAX 32       /* bytes of a token's canonical text, NUL excluded */
#define LIMEN__NAME_MAX_TOKENS 16 /* tokens kept per name; the rest are dropped */

enum limen__tok_kind {
    LIMEN__TOK_WORD = 0,  /* an ordinary name part */
    LIMEN__TOK_ARTICLE,   /* al, el, ul, ad-, as- ... */
    LIMEN__TOK_PARTICLE,  /* de, di, da, del, della, van, von, le, la ... */
    LIMEN__TOK_CONNECTOR, /* ben/bin/ibn, bint, ould, ait, abu ... */
    LIMEN__TOK_TITLE,     /* dr, sheikh, haji, mr ... */
    LIMEN__TOK_INITIAL,   /* a single letter */
};

/* Token flags. */
#define LIMEN__TF_ARABIC 0x01   /* romanised from Arabic script: no short vowels */
#define LIMEN__TF_MERGED 0x02   /* built from several written parts (abd al-qadir) */
#define LIMEN__TF_CANON 0x04    /* a prefix was rewritten to its canonical form */
#define LIMEN__TF_TRANSLIT 0x08 /* romanised by ICU from another script */

struct limen__token {
    char text[LIMEN__TOKEN_MAX + 1];
    uint8_t len;
    uint8_t kind;
    uint8_t flags;
    uint16_t src_start; /* byte span of the written form in the input */
    uint16_t src_len;
};

struct limen__name {
    struct limen__token tok[LIMEN__NAME_MAX_TOKENS];
    int n;
    int dropped; /* tokens beyond LIMEN__NAME_MAX_TOKENS */
};

struct limen__normalizer;

limen_status limen__normalizer_new(struct limen__normalizer **out);
void limen__normalizer_free(struct limen__normalizer *nz);

/*
 * Normalises one name (`s`, `len` bytes of UTF-8, at most 65535 bytes).
 * Returns LIMEN_OK (possibly with out->n == 0 when nothing name-like is
 * left), LIMEN_EUTF8 for invalid UTF-8, LIMEN_ETOOLONG, or LIMEN_EICU.
 */
limen_status limen__name_normalize(struct limen__normalizer *nz, const char *s, size_t len,
                                   struct limen__name *out);

/* 1 when the token kind carries little identifying weight (not a WORD). */
static inline int limen__tok_is_minor(int kind)
{
    return kind != LIMEN__TOK_WORD;
}

/* Readable name of a kind ("word", "particle" ...). */
const char *limen__tok_kind_name(int kind);

/*
 * The kind limen__name_normalize() gives a canonical token `text` in a name
 * of `name_ntok` tokens: a minor word (article, particle, connector, title)
 * only in a name of two tokens or more, an initial for one letter, else a
 * word. (Every minor word's canonical form is itself a minor word of the
 * same kind, so the kind follows from the canonical text.)
 */
int limen__token_kind(const char *text, int len, int name_ntok);

#endif
