/*
 * Transliteration-aware edit distance between name tokens.
 *
 * A Damerau-Levenshtein dynamic programme whose costs (in hundredths) say how
 * cheaply one Latin spelling of a name turns into another:
 *
 *   mohamed ~ muhammad   vowel o/u (15), doubled m (12), vowel e/a (25)
 *   youssef ~ yusuf      vowel o dropped next to u (15), doubled s, vowel e/u
 *   djamel  ~ jamal      d before j (15), vowel e/a
 *   abdalqadir ~ abdalkader   transliteration q/k (20), vowel i/e
 *   mhmd (from Arabic script) ~ mohamed   short vowels cost 8 each
 *
 * Anything else (a true typo) costs 100. The similarity is
 * 1 - cost / (100 * longer length). The same programme, with a backtrace,
 * names the reasons for an officer.
 */
#include "tsim.h"
#include "names.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAXL LIMEN__TSIM_MAXL
#define INF 1000000

enum op {
    OP_NONE = 0,
    OP_MATCH,
    OP_SUB,
    OP_DEL, /* a letter of a is missing in b */
    OP_INS, /* a letter of b is missing in a */
    OP_SWAP,
    OP_X2, /* x in a ~ two letters in b */
    OP_2X, /* two letters in a ~ x in b */
};

static int vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* Symmetric substitution costs of letters that transliterations confuse. */
static int pair_cost_slow(char x, char y)
{
    if (x > y) {
        char t = x;
        x = y;
        y = t;
    }
#define P(a, b, c)                                                                                 \
    if (x == a && y == b)                                                                          \
    return c
    P('o', 'u', 15);
    P('e', 'i', 20);
    P('i', 'y', 20);
    P('u', 'w', 20);
    P('c', 'k', 20);
    P('k', 'q', 20);
    P('c', 'q', 25);
    P('c', 's', 25);
    P('s', 'z', 30);
    P('g', 'j', 30);
    P('f', 'v', 30);
    P('g', 'q', 35);
    P('b', 'p', 35);
    P('f', 'p', 35);
    P('v', 'w', 35);
    P('o', 'w', 35);
    P('d', 't', 40);
    P('g', 'k', 40);
    P('k', 'x', 40);
    P('c', 'z', 40);
    P('d', 'z', 45);
    P('j', 'y', 45);
    P('h', 'j', 45);
    P('e', 'y', 45);
#undef P
    if (vowel(x) && vowel(y))
        return 25;
    return 100;
}

static unsigned char pair_table[128][128];
static pthread_once_t pair_once = PTHREAD_ONCE_INIT;

static void pair_init(void)
{
    for (int x = 0; x < 128; x++)
        for (int y = 0; y < 128; y++)
            pair_table[x][y] = (unsigned char)(x == y ? 0 : pair_cost_slow((char)x, (char)y));
}

static inline int pair_cost(char x, char y)
{
    return pair_table[(unsigned char)x & 127][(unsigned char)y & 127];
}

/*
 * Cost of a letter s[i] that the other side lacks. `bare`: the other side
 * came from Arabic script, where short vowels are not written.
 */
static int gap_cost(const char *s, int n, int i, int bare)
{
    char c = s[i];
    char prev = i > 0 ? s[i - 1] : 0;
    char next = i + 1 < n ? s[i + 1] : 0;
    if (i == n - 1 && c == 'a' && n > 3 && (prev == 'n' || prev == 'l' || prev == 's'))
        return 70; /* Martin / Martina, Daniel / Daniela, Tomas / Tomasa: another person */
    if (c == next)
        return 12; /* one letter of a doubled pair (both gone cost more) */
    if (vowel(c)) {
        if (bare)
            /* Arabic script writes long vowels, and a final vowel is long. */
            return i == n - 1 ? 50 : 8;
        if (vowel(prev) || vowel(next))
            return 15;
        if (i == n - 1 && c == 'e')
            return 15; /* French mute e: Abderrahmane */
        return 35;
    }
    if (c == 'h') {
        if (prev && !vowel(prev))
            /* sh, th, kh, gh, dh, ch, ph; in Arabic script these are letters of their own */
            return bare ? 60 : 25;
        if (i == n - 1)
            return 15; /* Abdallah / Abdalla */
        if (i == 0)
            return 50;
        return 40;
    }
    if (c == 'y' || c == 'w')
        return 35;
    if (c == 'd' && next == 'j')
        return 15; /* dj / j */
    if (c == 't' && (next == 'c' || next == 's') && i + 2 < n && s[i + 2] == 'h')
        return 20; /* tch / ch, tsh / sh */
    if (c == 'c' && next == 'k')
        return 15; /* ck / k */
    if (c == 'c' && prev == 's' && next == 'h')
        return 20; /* sch / sh */
    if (c == 'k' && next == 'h')
        return 50; /* kh / h */
    return 100;
}

/*
 * gap_cost() for a whole token. Most letters are consonants with no rule
 * of their own, which cost 100 unless doubled: those skip the rules (the
 * dictionary side of every comparison pays this once a letter).
 */
/* The letters gap_cost() has a rule for: aeiou hywdtck, one bit each from 'a'. */
#define RULE_LETTERS 0x158459du

static inline int gap_cost_fast(const char *s, int n, int i, int bare)
{
    char c = s[i];
    int plain = c >= 'a' && c <= 'z' ? !(RULE_LETTERS >> (c - 'a') & 1) : c != 0;
    if (plain && (i + 1 >= n || s[i + 1] != c))
        return 100;
    return gap_cost(s, n, i, bare);
}

/* The vowels, one bit each from 'a'. */
#define VOWEL_LETTERS 0x104111u

static inline int vowel_fast(char c)
{
    return c >= 'a' && c <= 'z' && (VOWEL_LETTERS >> (c - 'a') & 1);
}

static void gap_costs(const char *s, int n, int bare, int *out)
{
    for (int i = 0; i < n; i++) {
        char c = s[i];
        if (vowel_fast(c) && i + 1 < n && s[i + 1] != c) {
            /* gap_cost() for a vowel neither last nor doubled: its own rules alone */
            if (bare)
                out[i] = 8;
            else
                out[i] = (i > 0 && vowel_fast(s[i - 1])) || vowel_fast(s[i + 1]) ? 15 : 35;
        } else {
            out[i] = gap_cost_fast(s, n, i, bare);
        }
    }
}

/* The letters x2_cost() has a rule for. */
static int multi_letter(char c)
{
    return c == 'x' || c == 'f' || c == 'j' || c == 'r';
}

/* x ~ kh or ks (Xaled, Alexandre), and the reverse. */
static int x2_cost(char x, const char *two)
{
    if (x == 'x' && two[0] == 'k' && (two[1] == 'h' || two[1] == 's'))
        return 20;
    if (x == 'f' && two[0] == 'p' && two[1] == 'h')
        return 10;
    if (x == 'j' && two[0] == 'd' && two[1] == 'j')
        return 12;
    if (x == 'r' && two[0] == 'g' && two[1] == 'h')
        return 35; /* ghain written r in French transliteration: Ghannouchi / Rannouchi */
    return INF;
}

/* The letters x2_cost() has a rule for, one bit each (x f j r). */
static int multi_bit(char c)
{
    return c == 'x' ? 1 : c == 'f' ? 2 : c == 'j' ? 4 : c == 'r' ? 8 : 0;
}

/* The x2_cost() rules two letters are the two of, as multi_bit(): kh is x's. */
static int combo_bits(const char *two)
{
    return (x2_cost('x', two) < INF) | (x2_cost('f', two) < INF) << 1 |
           (x2_cost('j', two) < INF) << 2 | (x2_cost('r', two) < INF) << 3;
}

/* The rules byte of letter i of s (struct limen__tsim_side). */
static unsigned char rules_of(const char *s, int i)
{
    return (unsigned char)(multi_bit(s[i]) | (i > 0 ? combo_bits(s + i - 1) << 4 : 0));
}

/* A side's rules[] and multi, from its s and len. */
static void side_rules(struct limen__tsim_side *x)
{
    x->multi = 0;
    for (int i = 0; i < x->len; i++) {
        x->rules[i] = rules_of(x->s, i);
        x->multi |= x->rules[i] & 15;
    }
}

struct dp {
    int c[MAXL + 1][MAXL + 1];
    unsigned char op[MAXL + 1][MAXL + 1];
};

/*
 * Fills the table; returns the cost, or a value above `limit` as soon as a
 * whole row exceeds it (the final cost can only be higher).
 */
static int run(struct dp *d, const char *a, int la, int fa, const char *b, int lb, int fb,
               int limit)
{
    int abare = (fb & LIMEN__TF_ARABIC) != 0; /* gaps in a cost less when b is unvowelled */
    int bbare = (fa & LIMEN__TF_ARABIC) != 0;
    int ga[MAXL], gb[MAXL];
    pthread_once(&pair_once, pair_init);
    for (int i = 0; i < la; i++)
        ga[i] = gap_cost(a, la, i, abare);
    for (int j = 0; j < lb; j++)
        gb[j] = gap_cost(b, lb, j, bbare);
    d->c[0][0] = 0;
    d->op[0][0] = OP_NONE;
    for (int i = 1; i <= la; i++) {
        d->c[i][0] = d->c[i - 1][0] + ga[i - 1];
        d->op[i][0] = OP_DEL;
    }
    for (int j = 1; j <= lb; j++) {
        d->c[0][j] = d->c[0][j - 1] + gb[j - 1];
        d->op[0][j] = OP_INS;
    }
    for (int i = 1; i <= la; i++) {
        int rowmin = d->c[i][0];
        char x = a[i - 1];
        for (int j = 1; j <= lb; j++) {
            char y = b[j - 1];
            int best, op;
            if (x == y) {
                best = d->c[i - 1][j - 1];
                op = OP_MATCH;
            } else {
                int pc = pair_cost(x, y);
                /* Final a/o marks gender in Romance names: Antonio / Antonia. */
                if (i == la && j == lb && (x == 'a' || x == 'o') && (y == 'a' || y == 'o'))
                    pc = 70;
                best = d->c[i - 1][j - 1] + pc;
                op = OP_SUB;
            }
            int v = d->c[i - 1][j] + ga[i - 1];
            if (v < best) {
                best = v;
                op = OP_DEL;
            }
            v = d->c[i][j - 1] + gb[j - 1];
            if (v < best) {
                best = v;
                op = OP_INS;
            }
            if (i > 1 && j > 1 && x == b[j - 2] && a[i - 2] == y && x != y) {
                v = d->c[i - 2][j - 2] + 50;
                if (v < best) {
                    best = v;
                    op = OP_SWAP;
                }
            }
            if (j > 1 && (x == 'x' || x == 'f' || x == 'j' || x == 'r')) {
                v = d->c[i - 1][j - 2] + x2_cost(x, b + j - 2);
                if (v < best) {
                    best = v;
                    op = OP_X2;
                }
            }
            if (i > 1 && (y == 'x' || y == 'f' || y == 'j' || y == 'r')) {
                v = d->c[i - 2][j - 1] + x2_cost(y, a + i - 2);
                if (v < best) {
                    best = v;
                    op = OP_2X;
                }
            }
            d->c[i][j] = best;
            d->op[i][j] = (unsigned char)op;
            if (best < rowmin)
                rowmin = best;
        }
        if (rowmin > limit)
            return limit + 1;
    }
    return d->c[la][lb];
}

static inline int least3(int a, int b, int c)
{
    int m = a < b ? a : b;
    return m < c ? m : c;
}

/* A bit for the two letters c0 c1 in a token's set of neighbouring pairs
 * (pairs_of()); other pairs may share it. */
static inline uint64_t pair_bit(char c0, char c1)
{
    return (uint64_t)1 << ((((unsigned char)c0 << 3) ^ (unsigned char)c1) & 63);
}

static uint64_t pairs_of(const char *s, int n)
{
    uint64_t m = 0;
    for (int j = 1; j < n; j++)
        m |= pair_bit(s[j - 1], s[j]);
    return m;
}

/* Row i of the programme when no x ~ kh rule can apply in it (the short
 * way of cols_column(), by rows); returns the row's least value. A swap
 * in row i needs the letters a[i - 1] a[i - 2] side by side in b: bpairs
 * (pairs_of(b)) tells the rows where none can apply. */
static int row_plain(const char *a, int la, const short *ga, const char *b, int lb, const int *gb,
                     uint64_t bpairs, int i, int *cur, const int *prev, const int *pp)
{
    char x = a[i - 1], xp = i > 1 ? a[i - 2] : 0;
    int gx = ga[i - 1];
    const unsigned char *px = pair_table[(unsigned char)x & 127]; /* symmetric, 0 on the diagonal */
    cur[0] = prev[0] + gx;
    int rowmin = cur[0];
    if (x == xp || !(bpairs & pair_bit(x, xp))) {
        for (int j = 1; j <= lb; j++) {
            int best = least3(prev[j - 1] + px[(unsigned char)b[j - 1] & 127], prev[j] + gx,
                              cur[j - 1] + gb[j - 1]);
            cur[j] = best;
            if (best < rowmin)
                rowmin = best;
        }
    } else {
        for (int j = 1; j <= lb; j++) {
            char y = b[j - 1];
            int best = least3(prev[j - 1] + px[(unsigned char)y & 127], prev[j] + gx,
                              cur[j - 1] + gb[j - 1]);
            if (y == xp && x != y && j > 1 && b[j - 2] == x && pp[j - 2] + 50 < best)
                best = pp[j - 2] + 50;
            cur[j] = best;
            if (best < rowmin)
                rowmin = best;
        }
    }
    char y = b[lb - 1];
    if (i == la && x != y && (x == 'a' || x == 'o') && (y == 'a' || y == 'o')) {
        /* the last cell's own rule (final a/o), which only raises it */
        int best = least3(prev[lb - 1] + 70, prev[lb] + gx, cur[lb - 1] + gb[lb - 1]);
        if (y == xp && lb > 1 && b[lb - 2] == x && pp[lb - 2] + 50 < best)
            best = pp[lb - 2] + 50;
        cur[lb] = best;
        rowmin = cur[0];
        for (int j = 1; j <= lb; j++)
            if (cur[j] < rowmin)
                rowmin = cur[j];
    }
    return rowmin;
}

/* What struct limen__tsim_other holds so far (its have). */
#define OTHER_GAP(bare) (1 << (bare))
#define OTHER_LETTERS   4
#define OTHER_COMBO     8

void limen__tsim_other_init(struct limen__tsim_other *o, const char *s, int len)
{
    o->s = s;
    o->len = len > MAXL ? MAXL : len;
    o->have = 0;
}

/*
 * The same programme as run() for the cost alone: three rolling rows and no
 * backtrace, which is what screening needs for every candidate pair. A row
 * takes the short way (row_plain()) unless an x ~ kh rule can apply in it:
 * its letter x with a kh of b (X2), or its letter and the one before, kh,
 * with an x of b (2X). Elsewhere x2_cost() is INF and the rule changes no
 * cell, so both ways give the same row.
 */
static int run_cost(const char *a, int la, const short *ga, const unsigned char *arules, int amulti,
                    struct limen__tsim_other *o, int bbare, int limit)
{
    const char *b = o->s;
    int lb = o->len;
    int rows[3][MAXL + 1];
    int *pp = rows[0], *prev = rows[1], *cur = rows[2];
    if (!(o->have & OTHER_LETTERS)) {
        o->multi = 0;
        for (int j = 0; j < lb; j++)
            o->multi |= multi_bit(b[j]);
        o->pairs = pairs_of(b, lb);
        o->have |= OTHER_LETTERS;
    }
    if (amulti && !(o->have & OTHER_COMBO)) { /* the kh of b matter only for an x of a */
        o->combo = 0;
        for (int j = 1; j < lb; j++)
            o->combo |= combo_bits(b + j - 1);
        o->have |= OTHER_COMBO;
    }
    if (!(o->have & OTHER_GAP(bbare))) {
        gap_costs(b, lb, bbare, o->gap[bbare]);
        o->have |= OTHER_GAP(bbare);
    }
    int bmulti = o->multi, bcombo = amulti ? o->combo : 0;
    uint64_t bpairs = o->pairs;
    const int *gb = o->gap[bbare];
    prev[0] = 0;
    for (int j = 1; j <= lb; j++)
        prev[j] = prev[j - 1] + gb[j - 1];
    for (int i = 1; i <= la; i++) {
        int r = arules[i - 1];
        if (!(r & bcombo) && !(r >> 4 & bmulti)) {
            if (row_plain(a, la, ga, b, lb, gb, bpairs, i, cur, prev, pp) > limit)
                return limit + 1;
            int *t = pp;
            pp = prev;
            prev = cur;
            cur = t;
            continue;
        }
        char x = a[i - 1];
        cur[0] = prev[0] + ga[i - 1];
        int rowmin = cur[0];
        for (int j = 1; j <= lb; j++) {
            char y = b[j - 1];
            int best;
            if (x == y) {
                best = prev[j - 1];
            } else {
                int pc = pair_cost(x, y);
                if (i == la && j == lb && (x == 'a' || x == 'o') && (y == 'a' || y == 'o'))
                    pc = 70;
                best = prev[j - 1] + pc;
            }
            int v = prev[j] + ga[i - 1];
            if (v < best)
                best = v;
            v = cur[j - 1] + gb[j - 1];
            if (v < best)
                best = v;
            if (i > 1 && j > 1 && x == b[j - 2] && a[i - 2] == y && x != y) {
                v = pp[j - 2] + 50;
                if (v < best)
                    best = v;
            }
            if (j > 1 && multi_letter(x)) {
                v = prev[j - 2] + x2_cost(x, b + j - 2);
                if (v < best)
                    best = v;
            }
            if (i > 1 && multi_letter(y)) {
                v = pp[j - 1] + x2_cost(y, a + i - 2);
                if (v < best)
                    best = v;
            }
            cur[j] = best;
            if (best < rowmin)
                rowmin = best;
        }
        if (rowmin > limit)
            return limit + 1;
        int *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

static double to_sim(int cost, int la, int lb)
{
    int l = la > lb ? la : lb;
    if (l == 0)
        return 1.0;
    double s = 1.0 - (double)cost / (100.0 * l);
    return s < 0 ? 0 : s;
}

void limen__tsim_prepare(struct limen__tsim_side *x, const char *s, int len, int flags)
{
    pthread_once(&pair_once, pair_init);
    x->s = s;
    x->len = len > MAXL ? MAXL : len;
    x->flags = flags;
    for (int i = 0; i < x->len; i++) {
        x->gap[0][i] = (short)gap_cost(s, x->len, i, 0);
        x->gap[1][i] = (short)gap_cost(s, x->len, i, 1);
    }
    side_rules(x);
}

/* The cost above which x and b are under min_sim; -1 for the same token.
 * *lb is cut to LIMEN__TSIM_MAXL. */
static int cost_limit(const struct limen__tsim_side *x, const char *b, int *plb, double min_sim)
{
    int la = x->len;
    if (*plb > MAXL)
        *plb = MAXL;
    int lb = *plb;
    if (la == lb && memcmp(x->s, b, (size_t)la) == 0)
        return -1;
    int l = la > lb ? la : lb;
    return (int)((1.0 - min_sim) * 100.0 * l + 0.5);
}

double limen__tsim_min_other(const struct limen__tsim_side *x, struct limen__tsim_other *o, int fb,
                             double min_sim)
{
    int la = x->len, lb = o->len;
    int limit = cost_limit(x, o->s, &lb, min_sim);
    if (limit < 0)
        return 1.0;
    /* a's gaps are cheaper when b is unvowelled (Arabic script), b's when a is */
    int cost = run_cost(x->s, la, x->gap[(fb & LIMEN__TF_ARABIC) != 0], x->rules, x->multi, o,
                        (x->flags & LIMEN__TF_ARABIC) != 0, limit);
    return cost > limit ? 0.0 : to_sim(cost, la, lb);
}

double limen__tsim_min_side(const struct limen__tsim_side *x, const char *b, int lb, int fb,
                            double min_sim)
{
    struct limen__tsim_other o;
    limen__tsim_other_init(&o, b, lb);
    return limen__tsim_min_other(x, &o, fb, min_sim);
}

void limen__tsim_cols_init(struct limen__tsim_cols *c, const struct limen__tsim_side *a)
{
    c->a = a;
    c->amulti = 0;
    for (int i = 0; i < a->len; i++)
        c->amulti |= multi_letter(a->s[i]);
    c->ncols = 0;
    c->lb = 0;
    c->bare = 0;
}

/*
 * Cell (i, j) of the programme in column form, every rule (run_cost() has
 * the same cell): cur is column j, prev j - 1, pp j - 2 (NULL for j = 1).
 */
static inline int cols_cell(const char *a, int la, const short *ga, const char *b, int lb,
                            int gy, int i, int j, const int *cur, const int *prev,
                            const int *pp)
{
    char x = a[i - 1], y = b[j - 1];
    int pc = x == y ? 0 : pair_cost(x, y);
    if (x != y && i == la && j == lb && (x == 'a' || x == 'o') && (y == 'a' || y == 'o'))
        pc = 70;
    int best = least3(prev[i - 1] + pc, cur[i - 1] + ga[i - 1], prev[i] + gy), v;
    if (pp) {
        if (i > 1 && x == b[j - 2] && a[i - 2] == y && x != y) {
            v = pp[i - 2] + 50;
            if (v < best)
                best = v;
        }
        if (multi_letter(x)) {
            v = pp[i - 1] + x2_cost(x, b + j - 2);
            if (v < best)
                best = v;
        }
    }
    if (i > 1 && multi_letter(y)) {
        v = prev[i - 2] + x2_cost(y, a + i - 2);
        if (v < best)
            best = v;
    }
    return best;
}

/*
 * Column j of the programme (run_cost() with the loops swapped: the same
 * cells from the same neighbours), its least value and the rows' least
 * values so far. Most columns meet no letter of the x ~ kh kind on either
 * side: their cells take the short way (same values: substitution, gaps
 * and swap are the only rules that can apply there).
 */
static void cols_column(struct limen__tsim_cols *c, const short *ga, const char *b, int lb,
                        int j)
{
    const char *a = c->a->s;
    int la = c->a->len;
    int *cur = c->col[j];
    const int *prev = c->col[j - 1];
    const int *pp = j > 1 ? c->col[j - 2] : NULL;
    int *pm = c->pm[j];
    const int *pm0 = c->pm[j - 1];
    char y = b[j - 1], yp = j > 1 ? b[j - 2] : 0;
    /* the gap cost of b's letter j - 1 (b's gaps are cheaper when a is unvowelled) */
    int gy = gap_cost_fast(b, lb, j - 1, (c->a->flags & LIMEN__TF_ARABIC) != 0);
    cur[0] = prev[0] + gy;
    int cmin = cur[0];
    pm[0] = pm0[0] < cur[0] ? pm0[0] : cur[0];
    if (!c->amulti && !multi_letter(y)) {
        const unsigned char *py = pair_table[(unsigned char)y & 127]; /* symmetric, 0 on the diagonal */
        for (int i = 1; i <= la; i++) {
            char x = a[i - 1];
            /* substitution (0 for the same letter), a's letter or b's letter missing */
            int best = least3(prev[i - 1] + py[(unsigned char)x & 127], cur[i - 1] + ga[i - 1],
                              prev[i] + gy), v;
            if (x == yp && x != y && i > 1 && a[i - 2] == y) {
                v = pp[i - 2] + 50;
                if (v < best)
                    best = v;
            }
            cur[i] = best;
            if (best < cmin)
                cmin = best;
            pm[i] = pm0[i] < best ? pm0[i] : best;
        }
        if (j == lb) {
            /* the last cell's own rule (final a/o), which only raises it */
            int last = cols_cell(a, la, ga, b, lb, gy, la, j, cur, prev, pp);
            if (last != cur[la]) {
                cur[la] = last;
                pm[la] = pm0[la] < last ? pm0[la] : last;
                cmin = cur[0];
                for (int i = 1; i <= la; i++)
                    if (cur[i] < cmin)
                        cmin = cur[i];
            }
        }
    } else {
        for (int i = 1; i <= la; i++) {
            int best = cols_cell(a, la, ga, b, lb, gy, i, j, cur, prev, pp);
            cur[i] = best;
            if (best < cmin)
                cmin = best;
            pm[i] = pm0[i] < best ? pm0[i] : best;
        }
    }
    c->cmin[j] = cmin;
}

/*
 * run_cost() stops at the first row (a letter of a) whose every value is
 * over the limit and gives no similarity; computed by columns, the same
 * test is made at the end on each row's least value (pm). A path to the
 * last cell crosses one of any two neighbouring columns (no operation
 * skips more than one), so two columns over the limit end the programme
 * with no similarity either way.
 */
double limen__tsim_cols_sim(struct limen__tsim_cols *c, const char *b, int lb, int fb,
                            double min_sim)
{
    const struct limen__tsim_side *x = c->a;
    int la = x->len;
    int limit = cost_limit(x, b, &lb, min_sim);
    if (limit < 0)
        return 1.0;
    int bare = (fb & LIMEN__TF_ARABIC) != 0;
    const short *ga = x->gap[bare];
    int keep = 0; /* columns 1 .. keep are the previous token's, still right for b */
    if (c->ncols > 0 && c->bare == bare) {
        int lcp = 0;
        while (lcp < lb && lcp < c->lb && b[lcp] == c->b[lcp])
            lcp++;
        /* Column j holds the gap cost of b's letter j - 1, which looks at
         * the letter after it and at the token's end (so b and the
         * previous token share j + 1 letters), and for a t at the letter
         * after that too (tch / ch). */
        keep = lcp - 1;
        if (keep >= 1 && b[keep - 1] == 't')
            keep--;
        if (keep > c->ncols - 1)
            keep = c->ncols - 1;
        if (keep < 0)
            keep = 0;
    } else {
        c->col[0][0] = 0;
        c->pm[0][0] = 0;
        for (int i = 1; i <= la; i++) {
            c->col[0][i] = c->col[0][i - 1] + ga[i - 1];
            c->pm[0][i] = c->col[0][i];
        }
        c->cmin[0] = 0;
    }
    memcpy(c->b, b, (size_t)lb);
    c->lb = lb;
    c->bare = bare;
    for (int j = 1; j <= keep; j++)
        if (c->cmin[j] > limit && c->cmin[j - 1] > limit) {
            c->ncols = keep + 1;
            return 0.0;
        }
    for (int j = keep + 1; j <= lb; j++) {
        cols_column(c, ga, b, lb, j);
        if (c->cmin[j] > limit && c->cmin[j - 1] > limit) {
            c->ncols = j + 1;
            return 0.0;
        }
    }
    c->ncols = lb + 1;
    for (int i = 1; i <= la; i++)
        if (c->pm[lb][i] > limit)
            return 0.0;
    int cost = c->col[lb][la];
    return cost > limit ? 0.0 : to_sim(cost, la, lb);
}

double limen__tsim_min(const char *a, int la, int fa, const char *b, int lb, int fb,
                       double min_sim)
{
    /* one use: only the gap costs this comparison needs */
    struct limen__tsim_side x;
    int bare = (fb & LIMEN__TF_ARABIC) != 0;
    pthread_once(&pair_once, pair_init);
    x.s = a;
    x.len = la > MAXL ? MAXL : la;
    x.flags = fa;
    for (int i = 0; i < x.len; i++)
        x.gap[bare][i] = (short)gap_cost(a, x.len, i, bare);
    side_rules(&x);
    return limen__tsim_min_side(&x, b, lb, fb, min_sim);
}

double limen__tsim(const char *a, int la, int fa, const char *b, int lb, int fb)
{
    return limen__tsim_min(a, la, fa, b, lb, fb, 0.0);
}

/* Appends a reason unless it is already there. */
static void reason(char *out, size_t cap, const char *r)
{
    size_t n = strlen(out);
    if (strstr(out, r))
        return;
    snprintf(out + n, cap - n, "%s%s", n ? ", " : "", r);
}

double limen__tsim_explain(const char *a, int la, int fa, const char *b, int lb, int fb,
                           char *out, size_t cap)
{
    if (cap == 0)
        return limen__tsim(a, la, fa, b, lb, fb);
    out[0] = '\0';
    if (la > MAXL)
        la = MAXL;
    if (lb > MAXL)
        lb = MAXL;
    if (la == lb && memcmp(a, b, (size_t)la) == 0)
        return 1.0;
    struct dp d;
    int cost = run(&d, a, la, fa, b, lb, fb, INF);
    char r[64];
    int i = la, j = lb, bare_vowels = 0;
    /* Walk back; reasons come out last-first, which reads fine for a list. */
    while (i > 0 || j > 0) {
        int op = d.op[i][j];
        if (op == OP_MATCH) {
            i--;
            j--;
        } else if (op == OP_SUB) {
            char x = a[i - 1], y = b[j - 1];
            int pc = pair_cost(x, y);
            snprintf(r, sizeof r, "%s %c/%c",
                     vowel(x) && vowel(y) ? "vowel" : pc < 100 ? "transliteration" : "typo", x, y);
            reason(out, cap, r);
            i--;
            j--;
        } else if (op == OP_DEL || op == OP_INS) {
            const char *s = op == OP_DEL ? a : b;
            int n = op == OP_DEL ? la : lb;
            int k = op == OP_DEL ? i - 1 : j - 1;
            int bare = op == OP_DEL ? (fb & LIMEN__TF_ARABIC) : (fa & LIMEN__TF_ARABIC);
            char c = s[k];
            int gc = gap_cost(s, n, k, bare != 0);
            if (gc == 12)
                snprintf(r, sizeof r, "doubled letter %c", c);
            else if (vowel(c) && bare)
                bare_vowels = 1, r[0] = '\0';
            else if (vowel(c))
                snprintf(r, sizeof r, "vowel %c", c);
            else if (c == 'h' && gc < 100)
                snprintf(r, sizeof r, "silent h");
            else if (gc < 100)
                snprintf(r, sizeof r, "spelling %c", c);
            else
                snprintf(r, sizeof r, "%s letter %c", op == OP_DEL ? "extra" : "missing", c);
            if (r[0])
                reason(out, cap, r);
            if (op == OP_DEL)
                i--;
            else
                j--;
        } else if (op == OP_SWAP) {
            snprintf(r, sizeof r, "letters swapped %c%c/%c%c", a[i - 2], a[i - 1], b[j - 2],
                     b[j - 1]);
            reason(out, cap, r);
            i -= 2;
            j -= 2;
        } else if (op == OP_X2) {
            snprintf(r, sizeof r, "transliteration %c/%c%c", a[i - 1], b[j - 2], b[j - 1]);
            reason(out, cap, r);
            i--;
            j -= 2;
        } else if (op == OP_2X) {
            snprintf(r, sizeof r, "transliteration %c%c/%c", a[i - 2], a[i - 1], b[j - 1]);
            reason(out, cap, r);
            i -= 2;
            j--;
        } else {
            break;
        }
    }
    if (bare_vowels)
        reason(out, cap, "short vowels not written in Arabic script");
    return to_sim(cost, la, lb);
}
