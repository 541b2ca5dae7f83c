/*
 * Tests of the token similarity (src/lib/tsim.c): the column cursor that
 * neighbour search uses (limen__tsim_cols_sim, which keeps the programme
 * of a shared prefix from token to token) must give exactly what the row
 * programme gives (limen__tsim_min_side) for every pair, whatever the
 * order of the tokens, the floors and the script flags; and the examples
 * the similarity is designed for keep their order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "tsim.h"

static const char *const spellings[] = {
    "mohamed",  "mohammed",  "muhammad", "mohamad",   "mhamed",    "mouhamed", "mohamedou",
    "mohand",   "mhmd",      "youssef",  "yousef",    "yusuf",     "youcef",   "yussuf",
    "abdelkader", "abdalqadir", "abdulkadir", "abdelkrim", "abdallah", "abdalla", "abdellah",
    "khaled",   "xaled",     "khalid",   "alexandre", "aleksandre", "djamel",  "jamal",
    "jamel",    "ghannouchi", "rannouchi", "antonio", "antonia",   "martin",   "martina",
    "philippe", "filipe",    "felipe",   "rossi",     "russo",     "garcia",   "garsia",
    "benali",   "ben",       "ali",      "aly",       "elamrani",  "amrani",   "tchaker",
    "chaker",   "schumacher", "shumaker", "fatima",   "fatma",     "fatimazahra", "zahra",
    "ouled",    "ould",      "bouchra",  "boushra",   "rajae",     "rajaa",    "hajj",
    "hadj",     "haj",       "x",        "ab",        "jjjj",      "ffff",     "rrxr",
};

/* A fixed pseudo-random sequence (xorshift), so that failures reproduce. */
static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* Random tokens over the letters the rules care about, many sharing prefixes. */
static void random_token(char *out, int *len, const char *prev, int prev_len)
{
    static const char letters[] = "aeiouhywdtckxfjrgqszmnlb";
    int keep = prev_len && next_rand() % 3 ? (int)(next_rand() % (unsigned)(prev_len + 1)) : 0;
    int n = keep + (int)(next_rand() % 6);
    if (n < 1)
        n = 1;
    if (n > 40)
        n = 40; /* beyond LIMEN__TSIM_MAXL: both sides cut */
    memcpy(out, prev, (size_t)keep);
    for (int i = keep; i < n; i++)
        out[i] = letters[next_rand() % (sizeof letters - 1)];
    *len = n;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Every b of the list against a, through one cursor, checked pair by pair. */
static void check_sequence(const char *a, int fa, const char *const *list, size_t n, int fb,
                           double min_sim)
{
    struct limen__tsim_side side;
    struct limen__tsim_cols cols;
    limen__tsim_prepare(&side, a, (int)strlen(a), fa);
    limen__tsim_cols_init(&cols, &side);
    for (size_t i = 0; i < n; i++) {
        int lb = (int)strlen(list[i]);
        double want = limen__tsim_min_side(&side, list[i], lb, fb, min_sim);
        double got = limen__tsim_cols_sim(&cols, list[i], lb, fb, min_sim);
        if (want != got)
            fail_msg("%s (flags %d) ~ %s (flags %d), floor %.2f: columns %.6f, rows %.6f", a, fa,
                     list[i], fb, min_sim, got, want);
    }
}

static void test_cols_equal_rows_on_names(void **state)
{
    (void)state;
    size_t n = sizeof spellings / sizeof spellings[0];
    const char **sorted = malloc(n * sizeof *sorted);
    assert_non_null(sorted);
    memcpy(sorted, spellings, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_str);
    static const double floors[] = {0.0, 0.70, 0.75, 0.85, 0.93};
    for (size_t q = 0; q < n; q++)
        for (size_t f = 0; f < sizeof floors / sizeof floors[0]; f++)
            for (int fl = 0; fl < 4; fl++) {
                int fa = fl & 1 ? LIMEN__TF_ARABIC : 0, fb = fl & 2 ? LIMEN__TF_ARABIC : 0;
                check_sequence(spellings[q], fa, sorted, n, fb, floors[f]);   /* dictionary order */
                check_sequence(spellings[q], fa, spellings, n, fb, floors[f]); /* any order */
            }
    free(sorted);
}

static void test_cols_equal_rows_random(void **state)
{
    (void)state;
    enum { LIST = 400, ROUNDS = 300 };
    static char store[LIST][48];
    const char *list[LIST];
    for (int r = 0; r < ROUNDS; r++) {
        int prev_len = 0;
        for (int i = 0; i < LIST; i++) {
            int len;
            random_token(store[i], &len, i ? store[i - 1] : "", prev_len);
            store[i][len] = '\0';
            prev_len = len;
            list[i] = store[i];
        }
        if (r % 2)
            qsort(list, LIST, sizeof *list, cmp_str);
        char a[48];
        int la;
        /* a query sharing a prefix with one of the list (its own length, not
         * list[0]'s: a longer one would copy its NUL and stale bytes into a) */
        const char *near = list[next_rand() % LIST];
        random_token(a, &la, near, (int)strlen(near));
        a[la] = '\0';
        int fa = next_rand() % 4 == 0 ? LIMEN__TF_ARABIC : 0;
        int fb = next_rand() % 4 == 0 ? LIMEN__TF_ARABIC : 0;
        double floor = (double)(next_rand() % 100) / 100.0;
        check_sequence(a, fa, list, LIST, fb, floor);
    }
}

/* The row programme (its short way for plain letters included) against
 * the full programme with a backtrace that explanations use. */
static void test_rows_equal_full_programme(void **state)
{
    (void)state;
    char a[48], b[48];
    int la = 0, lb = 0;
    for (int r = 0; r < 200000; r++) {
        random_token(a, &la, b, lb);
        random_token(b, &lb, a, la);
        int fa = r % 5 == 0 ? LIMEN__TF_ARABIC : 0, fb = r % 7 == 0 ? LIMEN__TF_ARABIC : 0;
        char why[200];
        double want = limen__tsim_explain(a, la, fa, b, lb, fb, why, sizeof why);
        double got = limen__tsim(a, la, fa, b, lb, fb);
        if (want != got)
            fail_msg("%.*s ~ %.*s (flags %d %d): rows %.6f, full %.6f", la, a, lb, b, fa, fb, got,
                     want);
    }
    size_t n = sizeof spellings / sizeof spellings[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            const char *x = spellings[i], *y = spellings[j];
            char why[200];
            int lx = (int)strlen(x), ly = (int)strlen(y);
            assert_true(limen__tsim(x, lx, 0, y, ly, 0) ==
                        limen__tsim_explain(x, lx, 0, y, ly, 0, why, sizeof why));
        }
}

/* A variant of s[0..n) (at most 40 letters): a few random edits of the
 * kinds the rules price, swaps and x ~ kh spellings among them. */
static int mutate(char *out, const char *s, int n)
{
    static const char *const pieces[] = {"kh", "ks", "ph", "dj", "gh", "x", "f",  "j",   "r",
                                         "a",  "ou", "e",  "h",  "y",  "w", "ck", "tch", "mm"};
    char buf[96];
    memcpy(buf, s, (size_t)n);
    int edits = 1 + (int)(next_rand() % 4);
    for (int e = 0; e < edits; e++) {
        int at = n ? (int)(next_rand() % (unsigned)n) : 0;
        switch (next_rand() % 5) {
        case 0: /* swap two neighbours */
            if (at + 1 < n) {
                char t = buf[at];
                buf[at] = buf[at + 1];
                buf[at + 1] = t;
            }
            break;
        case 1: /* drop a letter */
            if (n > 1) {
                memmove(buf + at, buf + at + 1, (size_t)(n - at - 1));
                n--;
            }
            break;
        case 2: /* change a letter */
            if (n)
                buf[at] = "aeiouhywdtckxfjrgqszmnlb"[next_rand() % 24];
            break;
        default: { /* put in a piece */
            const char *p = pieces[next_rand() % (sizeof pieces / sizeof pieces[0])];
            int lp = (int)strlen(p);
            if (n + lp <= 40) {
                memmove(buf + at + lp, buf + at, (size_t)(n - at));
                memcpy(buf + at, p, (size_t)lp);
                n += lp;
            }
        }
        }
    }
    memcpy(out, buf, (size_t)n);
    return n;
}

/*
 * The row programme's short ways (rows with no x ~ kh rule, rows with no
 * swap, the vowels' gap costs) against the unchanged programmes: the full
 * one with a backtrace (floor 0) and the column one (any floor), on near
 * variants and on unrelated tokens, with floors just under, at and over
 * each pair's own cost, both script flags on either side.
 */
static void test_rows_short_ways_exact(void **state)
{
    (void)state;
    static struct limen__tsim_cols cols; /* large: not on the stack */
    char a[48], b[48];
    int la = 0, lb;
    for (int r = 0; r < 60000; r++) {
        if (r % 50 == 0 || la == 0) {
            random_token(a, &la, "", 0);
            for (int k = r % 7; k > 0; k--) /* long ones too, up to past LIMEN__TSIM_MAXL */
                la = mutate(a, a, la);
        }
        if (r % 4 == 3)
            random_token(b, &lb, a, la);
        else
            lb = mutate(b, a, la);
        int fa = r % 6 == 0 ? LIMEN__TF_ARABIC : 0, fb = r % 3 == 0 ? LIMEN__TF_ARABIC : 0;
        char why[200];
        double full = limen__tsim_explain(a, la, fa, b, lb, fb, why, sizeof why);
        assert_true(limen__tsim(a, la, fa, b, lb, fb) == full);
        struct limen__tsim_side side;
        limen__tsim_prepare(&side, a, la, fa);
        int l = (la > lb ? la : lb) > LIMEN__TSIM_MAXL ? LIMEN__TSIM_MAXL : (la > lb ? la : lb);
        int cost = (int)((1.0 - full) * 100.0 * l + 0.5);
        for (int d = -2; d <= 2; d++) {
            double floor = 1.0 - (double)(cost + d) / (100.0 * l);
            if (floor < 0)
                floor = 0;
            limen__tsim_cols_init(&cols, &side);
            double want = limen__tsim_cols_sim(&cols, b, lb, fb, floor);
            double got = limen__tsim_min_side(&side, b, lb, fb, floor);
            if (want != got)
                fail_msg("%.*s (flags %d) ~ %.*s (flags %d), floor %.4f: rows %.6f, columns %.6f",
                         la, a, fa, lb, b, fb, floor, got, want);
            if (got != 0 && got != full)
                fail_msg("%.*s ~ %.*s, floor %.4f: rows %.6f, full %.6f", la, a, lb, b, floor, got,
                         full);
        }
    }
}

/*
 * One alert token against every unit of a query, its costs kept from one
 * comparison to the next (limen__tsim_min_other, as full scoring does):
 * the same values as each comparison alone, whatever the order of the
 * units' script flags, the floors and the x ~ kh letters met first.
 */
static void test_other_kept_costs(void **state)
{
    (void)state;
    static struct limen__tsim_cols cols;
    enum { UNITS = 8 };
    char a[UNITS][48], b[48];
    int la[UNITS], lb = 0;
    struct limen__tsim_side sides[UNITS];
    for (int r = 0; r < 20000; r++) {
        char prev[48];
        memcpy(prev, b, sizeof prev);
        random_token(b, &lb, prev, lb);
        for (int k = r % 4; k > 0; k--)
            lb = mutate(b, b, lb);
        for (int u = 0; u < UNITS; u++) {
            if (u % 2)
                la[u] = mutate(a[u], b, lb);
            else
                random_token(a[u], &la[u], b, lb);
            int fa = next_rand() % 3 == 0 ? LIMEN__TF_ARABIC : 0;
            limen__tsim_prepare(&sides[u], a[u], la[u], fa);
        }
        struct limen__tsim_other o;
        limen__tsim_other_init(&o, b, lb);
        for (int u = 0; u < UNITS; u++) {
            int fb = next_rand() % 4 == 0 ? LIMEN__TF_ARABIC : 0;
            double floor = u % 3 == 0 ? 0.0 : 0.5 + (double)(next_rand() % 50) / 100.0;
            double got = limen__tsim_min_other(&sides[u], &o, fb, floor);
            double want = limen__tsim_min_side(&sides[u], b, lb, fb, floor);
            limen__tsim_cols_init(&cols, &sides[u]);
            double col = limen__tsim_cols_sim(&cols, b, lb, fb, floor);
            if (got != want || got != col)
                fail_msg("%.*s (flags %d) ~ %.*s (flags %d), floor %.2f: kept %.6f, alone %.6f, "
                         "columns %.6f",
                         la[u], a[u], sides[u].flags, lb, b, fb, floor, got, want, col);
        }
    }
}

/* The design's examples (tsim.c): variants of one name score above other names. */
static void test_examples(void **state)
{
    (void)state;
    double mm = limen__tsim("mohamed", 7, 0, "muhammad", 8, 0);
    double my = limen__tsim("mohamed", 7, 0, "youssef", 7, 0);
    assert_true(mm > 0.75);
    assert_true(my < 0.5);
    assert_true(limen__tsim("youssef", 7, 0, "yusuf", 5, 0) > 0.75);
    assert_true(limen__tsim("xaled", 5, 0, "khaled", 6, 0) >
                limen__tsim("xaled", 5, 0, "waled", 5, 0));
    assert_true(limen__tsim("antonio", 7, 0, "antonia", 7, 0) <
                limen__tsim("antonio", 7, 0, "antonyo", 7, 0));
    assert_true(limen__tsim("mhmd", 4, LIMEN__TF_ARABIC, "mohamed", 7, 0) > 0.75);
    assert_true(limen__tsim("abc", 3, 0, "abc", 3, 0) == 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cols_equal_rows_on_names),
        cmocka_unit_test(test_cols_equal_rows_random),
        cmocka_unit_test(test_rows_equal_full_programme),
        cmocka_unit_test(test_rows_short_ways_exact),
        cmocka_unit_test(test_other_kept_costs),
        cmocka_unit_test(test_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
