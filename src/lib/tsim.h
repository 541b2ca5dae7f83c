/*
 * Token similarity: a weighted edit distance between two canonical name
 * tokens whose costs follow how names are transliterated (vowels, silent h,
 * doubled letters, q/k, dj/j, ou/u, x/kh ...), and its explanation.
 * Pure functions of their arguments: thread-safe, no allocation.
 */
#ifndef LIMEN_TSIM_H
#define LIMEN_TSIM_H

#include <stddef.h>
#include <stdint.h>

/* Flags of a side: LIMEN__TF_ARABIC (unvowelled) matters here; see names.h. */

/*
 * Similarity in [0, 1] of a[0..la) and b[0..lb) (lowercase ASCII, at most
 * 32 bytes each; longer inputs are cut). fa/fb are the token flags.
 */
double limen__tsim(const char *a, int la, int fa, const char *b, int lb, int fb);

/*
 * Same, but returns 0 as soon as the similarity is known to be below
 * min_sim (the programme stops early: much faster for unlike tokens).
 */
double limen__tsim_min(const char *a, int la, int fa, const char *b, int lb, int fb,
                       double min_sim);

/*
 * One side prepared for many comparisons (its gap costs computed once):
 * a query token against the dictionary tokens near it.
 */
#define LIMEN__TSIM_MAXL 32
struct limen__tsim_side {
    const char *s; /* not copied: must outlive the side */
    int len, flags;
    short gap[2][LIMEN__TSIM_MAXL]; /* the other side vowelled (0) or not (1) */
    /* rules[i]: the x ~ kh rules letter i can take part in, as the x (low
     * four bits) or as the h of kh with letter i - 1 (high four bits) */
    unsigned char rules[LIMEN__TSIM_MAXL];
    int multi; /* the low bits of every rules[i] */
};
void limen__tsim_prepare(struct limen__tsim_side *a, const char *s, int len, int flags);
/* limen__tsim_min(a->s, a->len, a->flags, b, lb, fb, min_sim), faster. */
double limen__tsim_min_side(const struct limen__tsim_side *a, const char *b, int lb, int fb,
                            double min_sim);

/*
 * The other token of comparisons with several prepared sides (a dictionary
 * token against each unit of a query): what the programme needs of it is
 * computed at its first comparison and kept for the next ones. Holds a
 * pointer to s, which must outlive it; not shared between threads.
 */
struct limen__tsim_other {
    const char *s;
    int len, have; /* have: which of the fields below are computed (tsim.c) */
    int multi, combo;
    uint64_t pairs;
    int gap[2][LIMEN__TSIM_MAXL]; /* its gap costs, the prepared side vowelled (0) or not (1) */
};
void limen__tsim_other_init(struct limen__tsim_other *o, const char *s, int len);
/* limen__tsim_min_side(a, o->s, len, fb, min_sim), o's costs computed once. */
double limen__tsim_min_other(const struct limen__tsim_side *a, struct limen__tsim_other *o, int fb,
                             double min_sim);

/*
 * The same value as limen__tsim_min_side(a, b, ...) for a sequence of b
 * tokens, faster when they come in dictionary order: the programme is
 * computed column by column (a column: one letter of b against all of a)
 * and the columns of the prefix a token shares with the one before it are
 * kept. The cursor holds no pointer to b; a must outlive it.
 */
struct limen__tsim_cols {
    const struct limen__tsim_side *a;
    int amulti;               /* a has a letter of the x ~ kh kind (x f j r) */
    char b[LIMEN__TSIM_MAXL]; /* the token the columns were computed for */
    int lb, bare;
    int ncols; /* columns 0 .. ncols-1 hold b's values (0: none) */
    int col[LIMEN__TSIM_MAXL + 1][LIMEN__TSIM_MAXL + 1]; /* col[j][i]: a[0..i) ~ b[0..j) */
    int pm[LIMEN__TSIM_MAXL + 1][LIMEN__TSIM_MAXL + 1];  /* pm[j][i]: min of col[0..j][i] */
    int cmin[LIMEN__TSIM_MAXL + 1];                      /* each column's least value */
};
void limen__tsim_cols_init(struct limen__tsim_cols *c, const struct limen__tsim_side *a);
double limen__tsim_cols_sim(struct limen__tsim_cols *c, const char *b, int lb, int fb,
                            double min_sim);

/*
 * Same, and writes into out (cap bytes, NUL-terminated, cut if short) the
 * reasons that made the two differ, e.g. "transliteration q/k, vowel i/e".
 * out is "" for identical tokens.
 */
double limen__tsim_explain(const char *a, int la, int fa, const char *b, int lb, int fb,
                           char *out, size_t cap);

#endif
