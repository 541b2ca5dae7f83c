/*
 * Screening one query against the index.
 *
 *  1. The query's names are normalised (names.c); its dates of birth,
 *     gender, nationalities and document numbers read (index.c facts).
 *  2. Candidates: every name token (and every pair of adjacent tokens,
 *     joined: "ben ali" -> "benali") looks up its fuzzy keys, scores the
 *     dictionary tokens found there with the token similarity (tsim.c), and
 *     adds weight x similarity to every alert name holding a good one. The
 *     best `max_candidates` names, plus alerts sharing a document number,
 *     go on to full scoring.
 *  3. Full scoring of a query name against an alert name aligns their
 *     tokens (one to one, or one to two adjacent tokens written joined) by
 *     similarity, then
 *
 *         S = sum(sim * (wq + wa)) / (sum(wq + wa) + 0.6 * unmatched weight)
 *
 *     with weights from token rarity (index.c), times a specificity factor
 *     that keeps a pair of very common names (Mohamed Ali) from scoring like
 *     a rare one. The best name pair of an alert gives its name score.
 *  4. Other evidence (dates of birth, gender, nationality, documents) is
 *     added in log-odds, and the result mapped back to [0, 1]. Each piece
 *     reports its effect on the final score for the explanation.
 *
 * All per-query memory lives in one scratch block freed at the end: the
 * index is only read, so many threads may screen at once.
 */
#include "alloc.h"
#include "limen/buf.h"
#include "index_int.h"
#include "limen/screen.h"
#include "status_int.h"
#include "tsim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#define MAX_QNAMES 8
#define MAX_UNITS  48
/* Postings walked per query at most, whatever the list size: the commonest
 * names (Mohamed, Garcia) are then met through their date-of-birth buckets
 * or only at full scoring (docs/index.md, "bounded work"). */
#ifndef WALK_BUDGET
#define WALK_BUDGET 60000u
#endif
#ifndef MAX_WALKS
#define MAX_WALKS 1024
#endif
/* Walks planned before MAX_WALKS are chosen among them (choose_walks). */
#define MAX_PLANNED 8192
/* The hard bound of a query's postings, in budgets (run_walks): one budget
 * (docs/index.md, "Measured limits": two cost the heaviest queries 45 % more
 * instructions at 10M for the same recall). */
#ifndef HARD_BOUND_FACTOR
#define HARD_BOUND_FACTOR 1
#endif
/* Runs of open year buckets: bucket 0 and one per birth year of the query. */
#define MAX_RUNS (LIMEN__MAX_FACTS + 1)
/* An update-only unit is probed from the names in the running when its
 * postings outnumber them this many times (a probe costs two random reads,
 * a posting a sequential one). */
#define PROBE_COST 16
/* A token held by at most this many names is read whole, whatever the
 * query's birth year: a name with a wrong birth year is still found
 * through its rarer tokens. */
#ifndef YEAR_MIN_DF
#define YEAR_MIN_DF 64
#endif
#define MIN_PAIR_SIM   0.70
#define JOINED_MIN_SIM 0.93
#ifndef MISSING_PENALTY
#define MISSING_PENALTY 0.5
#endif
#ifndef ALERT_MISSING_PENALTY
#define ALERT_MISSING_PENALTY 0.5
#endif
#ifndef CONFLICT_PENALTY
#define CONFLICT_PENALTY 1.0
#endif
#define WEAK_ALIAS_FACTOR 0.92
/* Candidates whose accumulated token evidence is below this share of the
 * best candidate's are not scored in full: on the OFAC leave-one-out set this
 * keeps top-1 within 0.1 point and halves the work. */
#define CANDIDATE_RATIO 0.4f
/* Names preselected by evidence, in candidates (max_candidates): the
 * candidates are the best of them by evidence and facts (rerank_by_facts). */
#ifndef PRESELECT_FACTOR
#define PRESELECT_FACTOR 4
#endif
#ifndef RERANK_MARGIN
#define RERANK_MARGIN 0.5
#endif
#ifndef FACT_WEIGHT
#define FACT_WEIGHT 0.3
#endif
/* Candidate ranking: evidence added for a birth year within two years of
 * the query's (acc_key). */
#ifndef YEAR_BONUS
#define YEAR_BONUS 0.5
#endif
/* Similarity span over which a Latin token pair goes from no credit to full
 * credit; 0.15 was measured worse at equal false-alert rate (docs/scoring.md). */
#define CREDIT_SPAN 0.20

void limen_screen_options_init(struct limen_screen_options *o)
{
    o->limit = 5;
    o->threshold = LIMEN_DEFAULT_THRESHOLD;
    o->min_score = 0.30;
    o->explain = 1;
    o->keep = NULL;
    o->keep_ud = NULL;
    o->also = NULL;
    o->nalso = 0;
}

/* ---- query names ---- */

struct unit {
    char text[LIMEN__TOKEN_MAX + 1];
    uint8_t len;
    uint8_t flags;
    uint8_t kind;
    uint8_t first, last; /* token range */
};

struct qname {
    struct limen__name nm;
    float w[LIMEN__NAME_MAX_TOKENS];
    struct unit units[MAX_UNITS];
    struct limen__tsim_side sides[MAX_UNITS]; /* the units prepared for the similarity programme */
    int nunits;
    uint8_t prop;
    const char *src;
    size_t src_len;
};

static float kind_weight(int kind)
{
    switch (kind) {
    case LIMEN__TOK_CONNECTOR:
        return 0.15f;
    case LIMEN__TOK_ARTICLE:
        return 0.05f;
    case LIMEN__TOK_PARTICLE:
        return 0.10f;
    case LIMEN__TOK_INITIAL:
        return 0.25f;
    case LIMEN__TOK_TITLE:
        return 0.0f;
    }
    return 1.0f;
}

/* Unit kind of two ordinary words written as one: they match only exactly. */
#define JOINED_WORDS 100

static int wordish(int kind)
{
    return kind == LIMEN__TOK_WORD || kind == JOINED_WORDS;
}

/* Units of a token list: each token, and each adjacent joinable pair written as one. */
static int make_units(const char *const *texts, const uint8_t *lens, const uint8_t *kinds,
                      const uint8_t *flags, int n, struct unit *u, int max)
{
    int nu = 0;
    for (int i = 0; i < n && nu < max; i++) {
        if (kinds[i] == LIMEN__TOK_TITLE)
            continue;
        struct unit *x = &u[nu++];
        memcpy(x->text, texts[i], lens[i]);
        x->text[lens[i]] = '\0';
        x->len = lens[i];
        x->flags = flags[i];
        x->kind = kinds[i];
        x->first = x->last = (uint8_t)i;
    }
    for (int i = 0; i + 1 < n && nu < max; i++) {
        /* A particle written joined to the next word (Benali, Elmasri,
         * Aboubakr, Dimaio, Deluca) is a spelling; two words written as one
         * (Mohamedamin) must then agree exactly. */
        int lead = kinds[i] == LIMEN__TOK_CONNECTOR || kinds[i] == LIMEN__TOK_ARTICLE ||
                   kinds[i] == LIMEN__TOK_PARTICLE;
        if (!(lead || kinds[i] == LIMEN__TOK_WORD) || kinds[i + 1] != LIMEN__TOK_WORD)
            continue;
        if (lens[i] + lens[i + 1] > LIMEN__TOKEN_MAX)
            continue;
        struct unit *x = &u[nu++];
        memcpy(x->text, texts[i], lens[i]);
        memcpy(x->text + lens[i], texts[i + 1], lens[i + 1]);
        x->len = (uint8_t)(lens[i] + lens[i + 1]);
        x->text[x->len] = '\0';
        x->flags = (uint8_t)(flags[i] | flags[i + 1]);
        x->kind = lead ? LIMEN__TOK_WORD : JOINED_WORDS;
        x->first = (uint8_t)i;
        x->last = (uint8_t)(i + 1);
    }
    return nu;
}

/* ---- scratch: candidate accumulator and similarity cache ---- */

/* 16 bytes, four to a cache line: a walk's cost is mostly these entries'
 * cache misses (was 20 bytes). */
struct acc {
    uint32_t name;
    float total;
    float last_c;
    uint16_t mask;            /* query token positions credited so far */
    uint8_t yb;               /* year bucket of the name's alert (index_int.h) */
    signed int last_unit : 7; /* -1 before any (seed_name) */
    unsigned int in_topk : 1; /* listed in scratch.topk */
};
_Static_assert(sizeof(struct acc) == 16, "an accumulator entry is 16 bytes");
_Static_assert(LIMEN__NAME_MAX_TOKENS <= 16, "token positions fit acc.mask");
_Static_assert(MAX_UNITS <= 63, "unit numbers fit acc.last_unit");

struct simc {
    uint64_t key; /* 0: empty */
    float sim;
};

#ifndef SIMC_BITS
#define SIMC_BITS 14
#endif
#define SIMC_CAP (1 << SIMC_BITS)
_Static_assert(SIMC_BITS <= 16, "simc_used holds slot numbers in 16 bits");

/* A dictionary token to walk for a query unit, with the evidence it adds. */
struct walk {
    uint32_t tok;
    int unit;
    uint32_t mask; /* query token positions the unit covers */
    float c;
    size_t cost;  /* postings it reads (run_walks) */
    int16_t rank; /* its unit's place in the walking order (run_walks) */
    int16_t nr;   /* its posting ranges (token_ranges), kept when at most 2 */
    uint32_t r[2][2];
};

struct scratch {
    struct qname q[MAX_QNAMES];
    int nq;
    int16_t unit_rank[MAX_QNAMES * MAX_UNITS]; /* a unit's walk rank (seed_by_birth_date) */
    int seed_sims;                             /* similarity programmes run by seed_more() */
    struct walk walks[MAX_WALKS];
    int nwalks;
    struct planned {
        uint32_t tok, mask;
        float c;
        int16_t unit;
    } plan[MAX_PLANNED]; /* the walks gather() found, before choose_walks() */
    int nplan;
    uint8_t plan_keep[MAX_PLANNED];
    struct walk walk_tmp[MAX_WALKS]; /* for sorting walks */
    struct limen__sort_key walk_key[MAX_PLANNED], walk_key_tmp[MAX_PLANNED];
    size_t walk_left;                  /* postings the query may still walk */
    uint8_t ybuckets[LIMEN__YB_COUNT]; /* 1: the query's birth years allow this bucket */
    uint8_t runs[MAX_RUNS][2];         /* the open buckets as runs [first, last] */
    int nruns;
    int have_years;
    int days[LIMEN__MAX_FACTS]; /* birth days to seed candidates with (dobkey.c) */
    int ndays;
    struct limen__facts facts;
    struct acc *acc; /* acc_alloc slots, the first acc_cap (a power of two) in use */
    size_t acc_cap, acc_alloc, acc_n;
    uint64_t *occ;       /* acc_alloc bits: 1 where a slot is used */
    struct acc *acc_tmp; /* acc_tmp_cap entries: names moved when the table grows */
    size_t acc_tmp_cap;
    uint64_t seen[1024]; /* a filter of the names in acc: bit (name hash & 65535) */
    struct topk {
        float key;
        uint32_t name;
    } * topk; /* a min-heap of k names with the most evidence met so far */
    size_t ntopk, topk_cap, topk_alloc; /* topk_cap: k for this query */
    float top;                          /* the most evidence any name has so far */
    uint32_t *probe;                    /* slots of the names still in the running (run_walks) */
    size_t nprobe, probe_cap;
    struct acc *cand; /* cand_cap entries: the best names (limen_screen) */
    size_t cand_cap;
    uint32_t *alerts; /* alerts_cap entries: the alerts to score in full (limen_screen) */
    size_t alerts_cap;
    struct limen__nb nbuf[2 * LIMEN__MAX_NEIGHBOURS]; /* neighbours of one unit */
    struct limen__expand_work *xw;                    /* for neighbour search (made at first use) */
    int update_only; /* acc_add changes entries, adds none (run_walks) */
    struct simc simc[SIMC_CAP];
    size_t simc_n;
    uint16_t simc_used[SIMC_CAP / 2]; /* the slots filled, to empty them */
    struct limen__name alert_nm;      /* for explanations */
};

/* YEAR_BONUS when a name's alert was born in a year the query opens. */
static inline float year_bonus_in(int have_years, const uint8_t *ybuckets, const struct acc *e)
{
    return have_years && e->yb && ybuckets[e->yb] ? (float)YEAR_BONUS : 0.0f;
}

/* What candidate selection ranks a name by: its token evidence, plus the
 * birth year's bonus (another year costs nothing here: full scoring weighs
 * the dates). */
static inline float acc_key_in(int have_years, const uint8_t *ybuckets, const struct acc *e)
{
    return e->total + year_bonus_in(have_years, ybuckets, e);
}

static float acc_key(const struct scratch *s, const struct acc *e)
{
    return acc_key_in(s->have_years, s->ybuckets, e);
}

static uint64_t simc_key(int q, int u, uint32_t tok)
{
    return ((uint64_t)(q * MAX_UNITS + u + 1) << 32) | tok;
}

static size_t simc_slot(uint64_t key)
{
    return (size_t)((key * 0x9e3779b97f4a7c15u) >> (64 - SIMC_BITS));
}

static int simc_get(struct scratch *s, uint64_t key, float *sim)
{
    size_t i = simc_slot(key);
    for (;; i = (i + 1) & (SIMC_CAP - 1)) {
        if (s->simc[i].key == 0)
            return 0;
        if (s->simc[i].key == key) {
            *sim = s->simc[i].sim;
            return 1;
        }
    }
}

static void simc_put(struct scratch *s, uint64_t key, float sim)
{
    if (s->simc_n * 2 >= SIMC_CAP)
        return; /* full enough: compute instead of caching */
    size_t i = simc_slot(key);
    while (s->simc[i].key != 0 && s->simc[i].key != key)
        i = (i + 1) & (SIMC_CAP - 1);
    if (s->simc[i].key == 0)
        s->simc_used[s->simc_n++] = (uint16_t)i;
    s->simc[i].key = key;
    s->simc[i].sim = sim;
}

/*
 * The accumulator: an open-addressing table of entries keyed by name id
 * (empty: name UINT32_MAX), at most three quarters full (ACC_LOAD_NUM), read in
 * slot order when candidates are chosen (through the occupancy bits, in
 * memory order, cheaper than visiting them in insertion order). A posting
 * costs one random access, which the walk prefetches a few postings ahead.
 */
/*
 * How full the table may be: names * ACC_LOAD_DEN <= slots * ACC_LOAD_NUM.
 * Three quarters, not a half: the table is sized for every posting a unit
 * may read, and a smaller one is more often in the core's cache. At 10M
 * (500 queries, cachegrind with a 512 KB L2): misses of that cache in
 * screen.c 29.0M -> 25.6M, instructions +1.9 % (longer probes); 5/8 gave
 * 27.2M.
 */
#ifndef ACC_LOAD_NUM
#define ACC_LOAD_NUM 3
#define ACC_LOAD_DEN 4
#endif

static int acc_over(size_t names, size_t cap)
{
    return names * ACC_LOAD_DEN > cap * ACC_LOAD_NUM;
}

/* How many postings ahead a walk prefetches the accumulator slot. */
#define ACC_PREFETCH 8

static size_t acc_slot_of(uint32_t name, size_t cap)
{
    return (size_t)(name * 2654435761u) & (cap - 1);
}

/*
 * The used slots in slot order, through the occupancy bits: a query meets
 * a few thousand names in a table sized for all the postings a unit may
 * read (run_walks), so reading the bits (one for each slot) instead of the
 * slots saves most of a scan of the table.
 * ACC_EACH(s, i) { ... } runs its body with i set to each used slot.
 */
#define ACC_EACH(s, i)                                                                             \
    for (size_t w_ = 0, i = 0; w_ < (s)->acc_cap / 64; w_++)                                       \
        for (uint64_t b_ = (s)->occ[w_]; b_ && (i = w_ * 64 + (size_t)__builtin_ctzll(b_), 1);     \
             b_ &= b_ - 1)

/* Puts entry e into its slot of table t (cap slots, occupancy bits occ). */
static void acc_place(struct acc *t, uint64_t *occ, size_t cap, const struct acc *e)
{
    size_t j = acc_slot_of(e->name, cap);
    while (t[j].name != UINT32_MAX)
        j = (j + 1) & (cap - 1);
    t[j] = *e;
    occ[j / 64] |= 1ull << (j % 64);
}

/*
 * Grows the table to the first power of two (>= 1024, > acc_cap) holding
 * `need` names within its load (acc_over). The allocation is kept from query to
 * query (acc_alloc slots, all empty beyond the ones in use) and a query
 * uses its first acc_cap slots: within it, growing moves the names met
 * through a small list, with no allocation and no table to clear.
 */
static int acc_grow(struct scratch *s, size_t need)
{
    size_t cap = s->acc_cap ? s->acc_cap * 2 : 1024;
    while (acc_over(need, cap))
        cap *= 2;
    if (cap <= s->acc_alloc) {
        if (s->acc_n > s->acc_tmp_cap) {
            struct acc *m = limen__reallocarray(s->acc_tmp, cap / 2, sizeof *m);
            if (!m)
                return -1;
            s->acc_tmp = m;
            s->acc_tmp_cap = cap / 2;
        }
        size_t n = 0;
        ACC_EACH(s, i)
        {
            s->acc_tmp[n++] = s->acc[i];
            s->acc[i].name = UINT32_MAX;
        }
        memset(s->occ, 0, s->acc_cap / 8);
        s->acc_cap = cap;
        for (size_t e = 0; e < n; e++)
            acc_place(s->acc, s->occ, cap, &s->acc_tmp[e]);
        return 0;
    }
    struct acc *t = limen__reallocarray(NULL, cap, sizeof *t);
    uint64_t *occ = limen__calloc(cap / 64, sizeof *occ);
    if (!t || !occ) {
        limen__free(t);
        limen__free(occ);
        return -1;
    }
    for (size_t i = 0; i < cap; i++)
        t[i].name = UINT32_MAX;
    ACC_EACH(s, e)
    {
        acc_place(t, occ, cap, &s->acc[e]);
    }
    limen__free(s->acc);
    limen__free(s->occ);
    s->acc = t;
    s->occ = occ;
    s->acc_cap = s->acc_alloc = cap;
    return 0;
}

/* Makes empty slot j (of a) name's entry, with a first unit's evidence. */
static inline __attribute__((always_inline)) void acc_enter(struct acc *a, uint64_t *seen,
                                                            uint64_t *occ, size_t j, uint32_t name,
                                                            uint32_t h, int unit, uint32_t mask,
                                                            float c, int yb)
{
    seen[(h >> 16) & 1023] |= 1ull << (h & 63);
    occ[j / 64] |= 1ull << (j % 64);
    a->name = name;
    a->mask = (uint16_t)mask;
    a->last_unit = unit;
    a->last_c = c;
    a->total = c;
    a->yb = (uint8_t)yb;
    a->in_topk = 0;
}

/* Adds a unit's evidence to a name already met. */
static void acc_credit(struct acc *a, int unit, uint32_t mask, float c)
{
    if (a->last_unit == unit || (a->mask & mask)) {
        /* The same unit through another spelling, or a unit sharing query
         * tokens with one already credited (mohamed / ben mohamed joined):
         * the better of the two, as one-to-one alignment will do. */
        if (c > a->last_c) {
            a->total += c - a->last_c;
            a->last_c = c;
        }
        a->mask |= (uint16_t)mask;
        a->last_unit = unit;
    } else {
        a->last_unit = unit;
        a->mask |= (uint16_t)mask;
        a->last_c = c;
        a->total += c;
    }
}

static void topk_note(struct scratch *s, struct acc *a);

static inline __attribute__((always_inline)) int acc_add(struct scratch *s, uint32_t name, int unit,
                                                         uint32_t mask, float c, int yb)
{
    uint32_t h = name * 2654435761u;
    if (s->update_only && !(s->seen[(h >> 16) & 1023] >> (h & 63) & 1))
        return 0;
    /* Never grown in update-only mode: it inserts nothing, and the slots
     * of the names in the running (collect_running) must stay where they
     * are. (Growing there, when a table exactly half full met a posting,
     * moved them: probe_unit then read an empty slot's name, a crash seen
     * once in 10,000 queries at 30M alerts.) */
    if (!s->update_only && acc_over(s->acc_n + 1, s->acc_cap) && acc_grow(s, s->acc_n + 1) != 0)
        return -1;
    size_t cmask = s->acc_cap - 1;
    size_t j = (size_t)h & cmask;
    while (s->acc[j].name != UINT32_MAX && s->acc[j].name != name)
        j = (j + 1) & cmask;
    struct acc *a = &s->acc[j];
    if (a->name == UINT32_MAX) {
        if (s->update_only)
            return 0;
        acc_enter(a, s->seen, s->occ, j, name, h, unit, mask, c, yb);
        s->acc_n++;
        topk_note(s, a);
        return 0;
    }
    acc_credit(a, unit, mask, c);
    if (!s->update_only)
        topk_note(s, a);
    return 0;
}

/*
 * The k names with the most evidence, kept while walks insert names, for
 * MaxScore's threshold (run_walks): a min-heap of (key, name) where a key
 * is what the name had when it entered. Evidence only grows, so the
 * heap's minimum is a lower bound of the k-th best, which is all pruning
 * needs; a name in the heap is not added twice.
 */
static void topk_sift(struct topk *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && h[l].key < h[m].key)
            m = l;
        if (r < n && h[r].key < h[m].key)
            m = r;
        if (m == i)
            return;
        struct topk t = h[m];
        h[m] = h[i];
        h[i] = t;
        i = m;
    }
}

static struct acc *acc_find(struct scratch *s, uint32_t name)
{
    size_t cmask = s->acc_cap - 1;
    for (size_t j = acc_slot_of(name, s->acc_cap); s->acc[j].name != UINT32_MAX;
         j = (j + 1) & cmask)
        if (s->acc[j].name == name)
            return &s->acc[j];
    return NULL;
}

static void topk_note(struct scratch *s, struct acc *a)
{
    float key = acc_key(s, a);
    if (key > s->top)
        s->top = key;
    if (a->in_topk || !s->topk_cap)
        return;
    if (s->ntopk < s->topk_cap) {
        size_t i = s->ntopk++;
        s->topk[i].key = key;
        s->topk[i].name = a->name;
        while (i > 0 && s->topk[(i - 1) / 2].key > s->topk[i].key) {
            struct topk t = s->topk[(i - 1) / 2];
            s->topk[(i - 1) / 2] = s->topk[i];
            s->topk[i] = t;
            i = (i - 1) / 2;
        }
        a->in_topk = 1;
        return;
    }
    if (key <= s->topk[0].key)
        return;
    struct acc *old = acc_find(s, s->topk[0].name);
    if (old)
        old->in_topk = 0;
    s->topk[0].key = key;
    s->topk[0].name = a->name;
    topk_sift(s->topk, s->ntopk, 0);
    a->in_topk = 1;
}

/* ---- step 1: the query ---- */

static limen_status read_query(const struct limen_index *idx, const struct limen_entity *query,
                               struct scratch *s, struct limen_error *err)
{
    limen__facts_read(query, &s->facts);
    /* Birth years open their year buckets, with two years either side; alerts
     * without a single year of birth are in bucket 0, always open. */
    memset(s->ybuckets, 0, sizeof s->ybuckets);
    s->ybuckets[0] = 1;
    s->have_years = 0;
    for (int i = 0; i < s->facts.ndob; i++) {
        if (!s->facts.dobs[i].year)
            continue;
        s->have_years = 1;
        for (int y = s->facts.dobs[i].year - 2; y <= s->facts.dobs[i].year + 2; y++)
            s->ybuckets[limen__year_bucket(y)] = 1;
    }
    /* the days of its full dates of birth (seed_by_birth_date) */
    s->ndays = 0;
    for (int i = 0; i < s->facts.ndob; i++) {
        const struct limen__date *d = &s->facts.dobs[i];
        int day = limen__dobk_day(d->year, d->month, d->day), j;
        for (j = 0; j < s->ndays && s->days[j] != day; j++)
            ;
        if (day >= 0 && j == s->ndays)
            s->days[s->ndays++] = day;
    }
    /* the open buckets as runs: bucket 0, then each run of years */
    s->runs[0][0] = s->runs[0][1] = 0;
    s->nruns = 1;
    for (int b = 1; b < LIMEN__YB_COUNT && s->nruns < MAX_RUNS; b++) {
        if (!s->ybuckets[b])
            continue;
        if (s->ybuckets[b - 1] && b > 1)
            s->runs[s->nruns - 1][1] = (uint8_t)b;
        else {
            s->runs[s->nruns][0] = s->runs[s->nruns][1] = (uint8_t)b;
            s->nruns++;
        }
    }
    s->nq = 0;
    for (int i = 0; i < s->facts.nnames && s->nq < MAX_QNAMES; i++) {
        struct qname *q = &s->q[s->nq];
        limen_status st =
            limen__name_normalize(idx->nz, s->facts.names[i].s, s->facts.names[i].len, &q->nm);
        if (st != LIMEN_OK)
            return limen__error_set(err, st, limen__name_prop_label(s->facts.names[i].prop),
                                    "cannot normalise the query name: %s", limen_strerror(st));
        if (q->nm.n == 0)
            continue;
        q->prop = s->facts.names[i].prop;
        q->src = s->facts.names[i].s;
        q->src_len = s->facts.names[i].len;
        const char *texts[LIMEN__NAME_MAX_TOKENS];
        uint8_t lens[LIMEN__NAME_MAX_TOKENS], kinds[LIMEN__NAME_MAX_TOKENS],
            flags[LIMEN__NAME_MAX_TOKENS];
        for (int k = 0; k < q->nm.n; k++) {
            const struct limen__token *t = &q->nm.tok[k];
            texts[k] = t->text;
            lens[k] = t->len;
            kinds[k] = t->kind;
            flags[k] = t->flags;
            float w = kind_weight(t->kind);
            if (t->kind == LIMEN__TOK_WORD) {
                /* (a token first met after finish() has only delta postings:
                 * its weight counts them, as a fresh build's would) */
                uint32_t d = limen__dict_find(idx, t->text, t->len, t->flags);
                w = d != UINT32_MAX && idx->toks[d].df + idx->toks[d].ddf
                        ? idx->toks[d].weight
                        : limen__token_prior(t->text, t->len, t->flags);
            }
            q->w[k] = w;
        }
        q->nunits = make_units(texts, lens, kinds, flags, q->nm.n, q->units, MAX_UNITS);
        for (int u = 0; u < q->nunits; u++)
            limen__tsim_prepare(&q->sides[u], q->units[u].text, q->units[u].len, q->units[u].flags);
        s->nq++;
    }
    return LIMEN_OK;
}

/* ---- step 2: candidates ---- */

static uint32_t unit_mask(const struct unit *u);
static double credit(double sim, int flags);
static int alert_units(const struct limen_index *idx, uint32_t n, struct unit *au, float *aw);
static float unit_sim(const struct unit *a, const struct limen__tsim_side *as, const struct unit *b,
                      struct limen__tsim_other *bo);

/* Neighbours are searched down to this similarity: below 0.75 full scoring
 * gives a spelling no credit, so it adds no candidate evidence either. */
#ifndef NEIGHBOUR_FLOOR
#define NEIGHBOUR_FLOOR 0.75
#endif

static float unit_weight(const struct unit *u, const float *w)
{
    float s = 0;
    for (int i = u->first; i <= u->last; i++)
        s += w[i];
    return s;
}

/*
 * Candidate generation walks postings in a planned order: gather() lists,
 * for every query unit, the dictionary tokens close enough to it; then the
 * units are walked from the cheapest (fewest postings) on, while the
 * budget allows. A common token whose postings are split by year of birth
 * (index.c, "year buckets") costs only the buckets of the query's birth
 * years, nearby years and alerts without one. The cheapest unit of every
 * query name is always walked, so each name finds its candidates; a unit
 * left out still counts at full scoring.
 */
static void plan_walk(const struct limen_index *idx, struct scratch *s, uint32_t tok, int unit,
                      uint32_t mask, float c)
{
    const struct limen__dtok *t = &idx->toks[tok];
    if (t->df + t->ddf == 0 || c <= 0)
        return;
    if (s->nplan < MAX_PLANNED)
        s->plan[s->nplan++] = (struct planned){tok, mask, c, (int16_t)unit};
}

/*
 * The walks of the planned ones: all of them when they are at most
 * MAX_WALKS, in the order planned. Otherwise (a common name's stored list
 * alone can hold 1,024 spellings) each unit keeps its strongest walks, the
 * room shared out evenly (a unit with fewer keeps them all and leaves the
 * rest to the others), so that the units planned last, often a query's
 * rarest words, are not the ones left out.
 */
static void choose_walks(struct scratch *s)
{
    int n = s->nplan;
    s->nwalks = 0;
    if (n > MAX_WALKS) {
        int unit[MAX_QNAMES * MAX_UNITS], count[MAX_QNAMES * MAX_UNITS], nu = 0;
        for (int i = 0; i < n; i++) {
            int k;
            for (k = 0; k < nu && unit[k] != s->plan[i].unit; k++)
                ;
            if (k == nu) {
                unit[nu] = s->plan[i].unit;
                count[nu++] = 0;
            }
            count[k]++;
            s->plan_keep[i] = 1;
        }
        /* water-filling: the smallest units first */
        int order[MAX_QNAMES * MAX_UNITS], alloc[MAX_QNAMES * MAX_UNITS], left = MAX_WALKS;
        for (int k = 0; k < nu; k++)
            order[k] = k;
        for (int a = 1; a < nu; a++)
            for (int b = a; b > 0 && count[order[b]] < count[order[b - 1]]; b--) {
                int t = order[b];
                order[b] = order[b - 1];
                order[b - 1] = t;
            }
        for (int j = 0; j < nu; j++) {
            int share = left / (nu - j), k = order[j];
            alloc[k] = count[k] < share ? count[k] : share;
            left -= alloc[k];
        }
        for (int k = 0; k < nu; k++) {
            if (alloc[k] == count[k])
                continue;
            /* the unit's walks by evidence, strongest first, then by token */
            size_t m = 0;
            for (int i = 0; i < n; i++) {
                if (s->plan[i].unit != unit[k])
                    continue;
                uint32_t bits;
                memcpy(&bits, &s->plan[i].c, sizeof bits); /* c > 0: ordered as an integer */
                s->walk_key[m++] = (struct limen__sort_key){~bits, s->plan[i].tok, (uint32_t)i};
            }
            limen__sort_keys(s->walk_key, s->walk_key_tmp, m);
            for (size_t j = (size_t)alloc[k]; j < m; j++)
                s->plan_keep[s->walk_key[j].at] = 0;
        }
    }
    for (int i = 0; i < n; i++) {
        if (n > MAX_WALKS && !s->plan_keep[i])
            continue;
        struct walk *w = &s->walks[s->nwalks++];
        w->tok = s->plan[i].tok;
        w->unit = s->plan[i].unit;
        w->mask = s->plan[i].mask;
        w->c = s->plan[i].c;
    }
}

/* First posting of [0, n) whose bucket is >= b (postings are in bucket order). */
static uint32_t bucket_bound(const uint8_t *yb, uint32_t n, int b)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (yb[mid] < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * The postings of a token this query walks, as ranges [r[i][0], r[i][1]):
 * with a birth year, those of the open buckets (index_int.h, "year
 * buckets") unless the token is rare enough to read whole; else all.
 */
static int token_ranges(const struct limen_index *idx, const struct scratch *s, uint32_t tok,
                        uint32_t r[][2])
{
    const struct limen__dtok *t = &idx->toks[tok];
    if (!s->have_years || t->df <= YEAR_MIN_DF) {
        r[0][0] = 0;
        r[0][1] = t->df;
        return 1;
    }
    const uint8_t *yb = idx->post_yb + t->post;
    int n = 0;
    for (int i = 0; i < s->nruns; i++) {
        uint32_t lo = bucket_bound(yb, t->df, s->runs[i][0]);
        uint32_t hi = lo < t->df ? lo + bucket_bound(yb + lo, t->df - lo, s->runs[i][1] + 1) : lo;
        if (hi > lo) {
            r[n][0] = lo;
            r[n][1] = hi;
            n++;
        }
    }
    return n;
}

/*
 * The postings [lo, end) of a walk that inserts, in a table with room for
 * all of them: acc_add() and topk_note() with the scratch's fields held in
 * locals (the compiler cannot know that stores into the table leave them
 * unchanged, and reloads them at every posting otherwise), and the heap
 * entered only when a name's key passes its minimum. The same operations
 * in the same order as acc_add(), so the same evidence to the bit.
 */
static void walk_insert(struct scratch *s, const uint32_t *post, const uint8_t *yb, uint32_t lo,
                        uint32_t end, const struct walk *w)
{
    struct acc *const acc = s->acc;
    uint64_t *const seen = s->seen, *const occ = s->occ;
    const uint8_t *const ybk = s->ybuckets;
    const size_t cmask = s->acc_cap - 1;
    const int unit = w->unit, have_years = s->have_years;
    const uint32_t mask = w->mask;
    const float c = w->c;
    size_t n = s->acc_n, left = s->walk_left;
    float top = s->top;
    /* a key at or below it does not enter the heap (topk_note) */
    float floor = !s->topk_cap ? INFINITY : s->ntopk < s->topk_cap ? -INFINITY : s->topk[0].key;
    for (uint32_t p = lo; p < end && left; p++, left--) {
        if (p + ACC_PREFETCH < end)
            __builtin_prefetch(&acc[acc_slot_of(post[p + ACC_PREFETCH], cmask + 1)], 1);
        uint32_t name = post[p], h = name * 2654435761u;
        size_t j = (size_t)h & cmask;
        while (acc[j].name != UINT32_MAX && acc[j].name != name)
            j = (j + 1) & cmask;
        struct acc *a = &acc[j];
        if (a->name == UINT32_MAX) {
            acc_enter(a, seen, occ, j, name, h, unit, mask, c, yb[p]);
            n++;
        } else {
            acc_credit(a, unit, mask, c);
        }
        float key = acc_key_in(have_years, ybk, a);
        if (key > top)
            top = key;
        if (a->in_topk || key <= floor)
            continue;
        s->top = top;
        topk_note(s, a);
        floor = s->ntopk < s->topk_cap ? -INFINITY : s->topk[0].key;
    }
    s->acc_n = n;
    s->walk_left = left;
    s->top = top;
}

/* Walks a token's postings (token_ranges(), and those added since finish()
 * of the open buckets), spending s->walk_left. */
static int walk_token(const struct limen_index *idx, struct scratch *s, const struct walk *w)
{
    const struct limen__dtok *t = &idx->toks[w->tok];
    const uint32_t *post = idx->post + t->post;
    const uint8_t *yb = idx->post_yb + t->post;
    uint32_t rr[MAX_RUNS][2];
    const uint32_t(*r)[2] = w->r;
    int nr = w->nr;
    if (nr > 2) {
        nr = token_ranges(idx, s, w->tok, rr);
        r = (const uint32_t(*)[2])rr;
    }
    for (int i = 0; i < nr; i++) {
        uint32_t end = r[i][1];
        if (s->update_only) {
            /* most postings are of names never met: the filter says so
             * without a call */
            for (uint32_t p = r[i][0]; p < end && s->walk_left; p++, s->walk_left--) {
                uint32_t h = post[p] * 2654435761u;
                if ((s->seen[(h >> 16) & 1023] >> (h & 63) & 1) &&
                    acc_add(s, post[p], w->unit, w->mask, w->c, yb[p]) != 0)
                    return -1;
            }
            continue;
        }
        /* room for every name the range may insert (run_walks made it for
         * the whole unit: this grows nothing then) */
        size_t most = s->acc_n + (end - r[i][0] < s->walk_left ? end - r[i][0] : s->walk_left);
        if (acc_over(most, s->acc_cap) && acc_grow(s, most) != 0)
            return -1;
        if (s->acc_cap)
            walk_insert(s, post, yb, r[i][0], end, w);
    }
    int all = !s->have_years || t->df + t->ddf <= YEAR_MIN_DF;
    for (uint32_t d = t->dhead; d && s->walk_left; d = idx->dp_next[d - 1], s->walk_left--) {
        if (!all && !s->ybuckets[idx->dp_yb[d - 1]])
            continue;
        if (acc_add(s, idx->dp_name[d - 1], w->unit, w->mask, w->c, idx->dp_yb[d - 1]) != 0)
            return -1;
    }
    return 0;
}

struct unit_cost {
    int unit;
    size_t cost;
};

static int cmp_unit_cost(const void *a, const void *b)
{
    const struct unit_cost *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost < y->cost ? -1 : 1;
    return (x->unit > y->unit) - (x->unit < y->unit);
}

/*
 * The names still in the running once walks are update-only: those whose
 * evidence plus all the remaining units could give them reaches the
 * threshold (`need` = threshold - remaining). The others cannot become
 * candidates whatever they get, so the remaining units need not credit them.
 */
static int collect_running(struct scratch *s, float need)
{
    if (s->probe_cap < s->acc_n) {
        uint32_t *p = limen__reallocarray(s->probe, s->acc_n, sizeof *p);
        if (!p)
            return -1;
        s->probe = p;
        s->probe_cap = s->acc_n;
    }
    s->nprobe = 0;
    ACC_EACH(s, i)
    {
        if (acc_key(s, &s->acc[i]) >= need)
            s->probe[s->nprobe++] = (uint32_t)i;
    }
    return 0;
}

/*
 * Credits a unit to the names in the running by reading their tokens (two
 * random reads a name) instead of the unit's postings: the same evidence a
 * walk would give them, postings out of the query's years excepted alike.
 */
/*
 * The walks by dictionary token, for crediting a name from its own tokens:
 * open addressing over WALK_MAP slots, slot = walk index + 1 (0: empty); a
 * token walked for several units has several slots. `unit` < 0: every walk.
 */
#define WALK_MAP (2 * MAX_WALKS)

static size_t walk_slot(uint32_t tok)
{
    return (size_t)(tok * 2654435761u) & (WALK_MAP - 1);
}

static void walk_map(const struct scratch *s, int unit, uint16_t map[WALK_MAP])
{
    memset(map, 0, WALK_MAP * sizeof *map);
    for (int w = 0; w < s->nwalks; w++) {
        if (unit >= 0 && s->walks[w].unit != unit)
            continue;
        size_t j = walk_slot(s->walks[w].tok);
        while (map[j])
            j = (j + 1) & (WALK_MAP - 1);
        map[j] = (uint16_t)(w + 1);
    }
}

/* How many names ahead probe_unit() prefetches a name's record. */
#define PROBE_PREFETCH 16

static void probe_unit(const struct limen_index *idx, struct scratch *s, int unit)
{
    uint16_t map[WALK_MAP];
    walk_map(s, unit, map);
    for (size_t i = 0; i < s->nprobe; i++) {
        /* two random reads a name, its record then its token ids: started
         * PROBE_PREFETCH and half that many names ahead */
        if (i + PROBE_PREFETCH < s->nprobe)
            __builtin_prefetch(&idx->names[s->acc[s->probe[i + PROBE_PREFETCH]].name]);
        if (i + PROBE_PREFETCH / 2 < s->nprobe)
            __builtin_prefetch(
                &idx->ntok[idx->names[s->acc[s->probe[i + PROBE_PREFETCH / 2]].name].tok]);
        struct acc *a = &s->acc[s->probe[i]];
        const struct limen__iname *in = &idx->names[a->name];
        for (uint32_t t = 0; t < in->ntok; t++) {
            uint32_t tok = idx->ntok[in->tok + t];
            for (size_t j = walk_slot(tok); map[j]; j = (j + 1) & (WALK_MAP - 1)) {
                const struct walk *wk = &s->walks[map[j] - 1];
                if (wk->tok != tok)
                    continue;
                const struct limen__dtok *dt = &idx->toks[tok];
                if (s->have_years && dt->df + dt->ddf > YEAR_MIN_DF && !s->ybuckets[a->yb])
                    continue;
                acc_credit(a, unit, wk->mask, wk->c);
            }
        }
    }
}

/*
 * Walks in the order they are read: by unit (cheapest unit first), then by
 * evidence, strongest first, then by token (a unit meets a token once, so
 * the order is total). Sorted by a key of the three (merge sort of small
 * records, then the walks moved once), which costs a fraction of qsort()
 * moving the walks themselves through a comparison function.
 */
static void sort_walks(struct scratch *s)
{
    struct limen__sort_key *k = s->walk_key, *t = s->walk_key_tmp;
    int n = s->nwalks;
    for (int w = 0; w < n; w++) {
        uint32_t bits;
        float c = s->walks[w].c;
        memcpy(&bits, &c, sizeof bits);
        /* floats ordered as unsigned integers, then reversed */
        bits = bits & 0x80000000u ? ~bits : bits | 0x80000000u;
        k[w].hi = (uint64_t)(uint16_t)s->walks[w].rank << 32 | (uint32_t)~bits;
        k[w].lo = s->walks[w].tok;
        k[w].at = (uint32_t)w;
    }
    limen__sort_keys(k, t, (size_t)n);
    for (int w = 0; w < n; w++)
        s->walk_tmp[w] = s->walks[k[w].at];
    memcpy(s->walks, s->walk_tmp, (size_t)n * sizeof *s->walks);
}

/*
 * Tests whether no name not met yet can become a candidate any more, the
 * walks left being able to give at most `left`; if so, switches to
 * update-only and lists the names still in the running.
 */
static int maybe_prune(struct scratch *s, float left)
{
    /* what a new name must beat: the k-th best so far (a lower bound of
     * it) and a share of the best (see limen_screen) */
    float theta = CANDIDATE_RATIO * s->top;
    if (s->ntopk == s->topk_cap && s->ntopk && s->topk[0].key > theta)
        theta = s->topk[0].key;
    float bonus = s->have_years ? (float)YEAR_BONUS : 0.0f;
    if (left + bonus < theta) {
        s->update_only = 1;
        if (collect_running(s, theta - left) != 0)
            return -1;
    }
    return 0;
}

/*
 * Namesakes born on the query's day. A name made only of common tokens
 * (Abdelkader Riyad Ben Ali) has thousands of namesakes at 10M alerts, more
 * than the walk budget reads: walks then credit it with its rarest units
 * only, and the person ties with every namesake born near the query. When
 * the query has a full date of birth, the alerts born that day are few
 * (about 370 at 10M: dobkey.c), so after the walks their names are
 * credited in full from their own tokens (each token met in the query's
 * walks credits its unit as a walk would, in walk order: the same evidence,
 * and the same rule for units sharing query tokens), plus DAY_BONUS: the
 * same day of birth says more than the same year (YEAR_BONUS). A name
 * needs more than half the most evidence a name can get (SEED_RATIO: a
 * lower share finds more typos in common short names, Bilap for Bilal, but
 * flags many more unlisted travellers born the same day whose names agree
 * only in part: docs/index.md, "The day of birth"). A day with more alerts than
 * dob_day_max() is a placeholder (1 January of lists that know only the
 * year) and is skipped; twice that bounds the alerts a query reads.
 * Measured at 10M (bench/RESULTS.md): recall@5 0.887 -> 0.927 and fewer
 * false alerts. Completing the days one field off (a year either side,
 * day and month swapped) as well found 0.008 more but raised false alerts
 * on unlisted travellers from 2.4 to 3.6 %: not done.
 */
#define DAY_BONUS 1.0
#ifndef SEED_RATIO
#define SEED_RATIO 0.55f
#endif
#define DOB_DAY_MAX  4096
#define DOB_DAY_MEAN 8

/*
 * The most alerts a day read may hold: DOB_DAY_MAX, or, in a list so large
 * that an ordinary day holds thousands (100M alerts: 3,700 a day on
 * average), DOB_DAY_MEAN times the mean day; a placeholder day holds tens of
 * times the mean (1 January: 65 times in the benchmark's population). The
 * query reads at most twice that over its days.
 */
static size_t dob_day_max(const struct limen_index *idx)
{
    size_t m = idx->dobk_held ? DOB_DAY_MEAN * (idx->ndobk / idx->dobk_held) : 0;
    return m > DOB_DAY_MAX ? m : DOB_DAY_MAX;
}

struct seed_credit {
    int16_t rank;
    int unit;
    uint32_t mask;
    float c;
};

/* (in walk order: by rank, then strongest first) */
static int seed_push(struct seed_credit *cr, int ncr, struct seed_credit x)
{
    int i = ncr;
    while (i > 0 && (cr[i - 1].rank > x.rank || (cr[i - 1].rank == x.rank && cr[i - 1].c < x.c))) {
        cr[i] = cr[i - 1];
        i--;
    }
    cr[i] = x;
    return ncr + 1;
}

/*
 * What the walks could not credit a day's namesake with. The neighbour
 * search reaches the spellings under a query token's fuzzy keys, so a typo
 * on a short skeleton (Hassaj for Hassan, Piedre for Pierre) or a word
 * written joined on the query's side and apart on the alert's (Benahmed,
 * Ben Ahmed) meets none of the name's tokens: a name born the query's day
 * with one such word fell short of the share it needs. Its units (as full
 * scoring makes them: alert_units(), single tokens and adjacent pairs
 * joined) whose tokens no walk met are compared here with the query's
 * walked units no walk credited it for, by full scoring's unit_sim(); each
 * such query unit is credited its best, capped as full scoring caps a pair
 * (the lighter side's weight). Only names that could reach the share with
 * all of their words get here (`met`: the name's token positions a walk
 * met), and s->seed_sims bounds the programmes a query runs (SEED_SIM_MAX).
 */
#define SEED_SIM_MAX 2048

static int seed_more(const struct limen_index *idx, struct scratch *s, uint32_t n, uint32_t met,
                     uint32_t qmask, float have, float need, struct seed_credit *cr, int ncr,
                     int crcap)
{
    struct unit au[MAX_UNITS];
    float aw[LIMEN__NAME_MAX_TOKENS];
    int nau = alert_units(idx, n, au, aw);
    /* The most the tokens left could add: their weights. */
    float more = 0;
    for (int j = 0; j < nau; j++)
        if (au[j].first == au[j].last && !(met >> au[j].first & 1))
            more += aw[au[j].first];
    if (have + more < need)
        return ncr;
    struct limen__tsim_other ao[MAX_UNITS];
    for (int j = 0; j < nau; j++)
        if (!(unit_mask(&au[j]) & met))
            limen__tsim_other_init(&ao[j], au[j].text, au[j].len);
    for (int qi = 0; qi < s->nq; qi++) {
        const struct qname *q = &s->q[qi];
        for (int u = 0; u < q->nunits; u++) {
            const struct unit *x = &q->units[u];
            /* (the units gather() walks, not credited yet) */
            if ((x->kind != LIMEN__TOK_WORD && x->kind != JOINED_WORDS) || x->len < 2 ||
                (unit_mask(x) & qmask))
                continue;
            float cap = unit_weight(x, q->w), best = 0;
            for (int j = 0; j < nau && s->seed_sims < SEED_SIM_MAX; j++) {
                const struct unit *y = &au[j];
                if (unit_mask(y) & met)
                    continue;
                s->seed_sims++;
                float wy = unit_weight(y, aw);
                float c = (wy < cap ? wy : cap) *
                          (float)credit(unit_sim(x, &q->sides[u], y, &ao[j]), x->flags | y->flags);
                if (c > best)
                    best = c;
            }
            if (best > 0 && ncr < crcap)
                ncr = seed_push(cr, ncr,
                                (struct seed_credit){s->unit_rank[qi * MAX_UNITS + u],
                                                     qi * MAX_UNITS + u, unit_mask(x), best});
        }
    }
    return ncr;
}

static int seed_name(const struct limen_index *idx, struct scratch *s, const uint16_t *map,
                     uint32_t n, const struct limen__ialert *al, float need, float bonus)
{
    struct seed_credit cr[64];
    int ncr = 0;
    uint32_t met = 0; /* the name's token positions a walk met */
    const struct limen__iname *in = &idx->names[n];
    /* (the alert's year bucket is open: its birth year is the query's, or
     * it has several, bucket 0; so every walk would read it) */
    for (uint32_t t = 0; t < in->ntok; t++) {
        uint32_t tok = idx->ntok[in->tok + t];
        for (size_t j = walk_slot(tok); map[j]; j = (j + 1) & (WALK_MAP - 1)) {
            const struct walk *wk = &s->walks[map[j] - 1];
            if (wk->tok != tok || ncr == (int)(sizeof cr / sizeof *cr))
                continue;
            if (t < LIMEN__NAME_MAX_TOKENS)
                met |= 1u << t;
            ncr = seed_push(cr, ncr, (struct seed_credit){wk->rank, wk->unit, wk->mask, wk->c});
        }
    }
    if (!ncr)
        return 0;
    struct acc sum = {.name = n, .last_unit = -1};
    for (int i = 0; i < ncr; i++)
        acc_credit(&sum, cr[i].unit, cr[i].mask, cr[i].c);
    if (sum.total < need) {
        int more = seed_more(idx, s, n, met, sum.mask, sum.total, need, cr, ncr,
                             (int)(sizeof cr / sizeof *cr));
        if (more == ncr)
            return 0;
        sum = (struct acc){.name = n, .last_unit = -1};
        for (int i = 0; i < more; i++)
            acc_credit(&sum, cr[i].unit, cr[i].mask, cr[i].c);
        if (sum.total < need)
            return 0;
    }
    struct acc *a = s->acc_n ? acc_find(s, n) : NULL;
    if (a) {
        /* what the walks gave it is part of this */
        if (sum.total + bonus > a->total) {
            a->total = sum.total + bonus;
            a->mask = sum.mask;
        }
        return 0;
    }
    /* (its year bucket read only now: few names get here) */
    int yb = limen__alert_year_bucket(idx->dobs + al->dob0, al->ndob);
    return acc_add(s, n, 0, sum.mask, sum.total + bonus, yb);
}

static int seed_alert(const struct limen_index *idx, struct scratch *s, const uint16_t *map,
                      uint32_t ai, float need, float bonus)
{
    const struct limen__ialert *a = &idx->alerts[ai];
    if (a->dead)
        return 0;
    for (uint32_t n = a->name0; n < a->name0 + a->nname; n++)
        if (seed_name(idx, s, map, n, a, need, bonus) != 0)
            return -1;
    return 0;
}

static int seed_by_birth_date(const struct limen_index *idx, struct scratch *s, float most)
{
    s->update_only = 0;
    float need = SEED_RATIO * most;
    uint16_t map[WALK_MAP];
    walk_map(s, -1, map);
    /* a unit no walk reads comes after those walked */
    for (int u = 0; u < MAX_QNAMES * MAX_UNITS; u++)
        s->unit_rank[u] = INT16_MAX;
    for (int w = 0; w < s->nwalks; w++)
        s->unit_rank[s->walks[w].unit] = s->walks[w].rank;
    s->seed_sims = 0;
    const size_t day_max = dob_day_max(idx);
    size_t left = 2 * day_max;
    const float bonus = (float)DAY_BONUS;
    for (int d = 0; d < s->ndays; d++) {
        const uint32_t *al;
        size_t n = limen__dobk_lookup(idx, s->days[d], &al);
        if (n > day_max || n > left)
            continue;
        left -= n;
        for (size_t i = 0; i < n; i++) {
            /* three random reads an alert (alert, names, tokens): started ahead */
            if (i + 16 < n)
                __builtin_prefetch(&idx->alerts[al[i + 16]]);
            if (i + 8 < n)
                __builtin_prefetch(&idx->names[idx->alerts[al[i + 8]].name0]);
            if (i + 4 < n)
                __builtin_prefetch(&idx->ntok[idx->names[idx->alerts[al[i + 4]].name0].tok]);
            if (seed_alert(idx, s, map, al[i], need, bonus) != 0)
                return -1;
        }
        uint32_t dl[64];
        size_t nd = limen__dobk_lookup_delta(idx, s->days[d], dl, 64);
        for (size_t i = 0; i < nd; i++)
            if (seed_alert(idx, s, map, dl[i], need, bonus) != 0)
                return -1;
    }
    return 0;
}

static int run_walks(const struct limen_index *idx, struct scratch *s)
{
    struct unit_cost uc[MAX_QNAMES * MAX_UNITS];
    int nu = 0;
    for (int w = 0; w < s->nwalks; w++) {
        int k;
        for (k = 0; k < nu && uc[k].unit != s->walks[w].unit; k++)
            ;
        if (k == nu) {
            uc[nu].unit = s->walks[w].unit;
            uc[nu].cost = 0;
            nu++;
        }
        /* the postings it will read, kept for the walk (at most 2 ranges) */
        struct walk *wk = &s->walks[w];
        uint32_t r[MAX_RUNS][2];
        int nr = token_ranges(idx, s, wk->tok, r);
        wk->cost = idx->toks[wk->tok].ddf;
        for (int i = 0; i < nr; i++)
            wk->cost += r[i][1] - r[i][0];
        wk->nr = (int16_t)nr;
        for (int i = 0; i < nr && i < 2; i++) {
            wk->r[i][0] = r[i][0];
            wk->r[i][1] = r[i][1];
        }
        uc[k].cost += wk->cost;
    }
    qsort(uc, (size_t)nu, sizeof *uc, cmp_unit_cost);
    for (int w = 0; w < s->nwalks; w++) {
        int k;
        for (k = 0; uc[k].unit != s->walks[w].unit; k++)
            ;
        s->walks[w].rank = (int16_t)k;
    }
    sort_walks(s);
    /* rest[k]: the most the units from k on can add to a name (MaxScore);
     * a unit's first walk holds its strongest evidence. */
    float rest[MAX_QNAMES * MAX_UNITS + 1];
    rest[nu] = 0;
    for (int w = s->nwalks - 1; w >= 0; w--)
        if (w == 0 || s->walks[w - 1].rank != s->walks[w].rank)
            rest[s->walks[w].rank] = s->walks[w].c;
    for (int k = nu - 1; k >= 0; k--)
        rest[k] += rest[k + 1];
    /* A hard bound: even the cheapest unit of a name made only of the
     * commonest tokens, without a birth year, walks no more than this. */
    s->walk_left = HARD_BOUND_FACTOR * (size_t)WALK_BUDGET;
    s->update_only = 0;
    size_t kc = idx->opts.max_candidates;
    if (s->topk_alloc < kc) {
        struct topk *t = limen__reallocarray(s->topk, kc, sizeof *t);
        if (!t)
            return -1;
        s->topk = t;
        s->topk_alloc = kc;
    }
    s->topk_cap = kc;
    s->ntopk = 0;
    s->top = 0;
    size_t spent = 0;
    uint8_t name_walked[MAX_QNAMES] = {0};
    int w = 0;
    for (int k = 0; k < nu; k++) {
        int first = w, qi = uc[k].unit / MAX_UNITS;
        int end = w;
        while (end < s->nwalks && s->walks[end].rank == k)
            end++;
        w = end;
        /* at a unit's start, the test comes before the budget: a unit over
         * the budget may still be probed for the names in the running */
        if (!s->update_only && s->acc_n) {
            if (maybe_prune(s, rest[k]) != 0)
                return -1;
        }
        if (!s->update_only) {
            if (spent + uc[k].cost > WALK_BUDGET && name_walked[qi])
                continue;
            name_walked[qi] = 1;
            /* room for every name the unit may insert, at once: one growth
             * instead of a doubling every few thousand names */
            size_t most = s->acc_n + (uc[k].cost < s->walk_left ? uc[k].cost : s->walk_left);
            if (acc_over(most, s->acc_cap) && acc_grow(s, most) != 0)
                return -1;
        }
        size_t left = uc[k].cost; /* postings of the unit's walks from i on */
        for (int i = first; i < end; i++) {
            const struct walk *wk = &s->walks[i];
            /*
             * MaxScore, spelling by spelling: once this walk and the units
             * after it cannot lift a name not met yet above the candidates
             * so far, the rest only adds to the names still in the running
             * (the test costs nothing: see topk_note).
             */
            if (!s->update_only && i > first && s->acc_n) {
                if (maybe_prune(s, wk->c + rest[k + 1]) != 0)
                    return -1;
            }
            if (s->update_only) {
                if (left > PROBE_COST * s->nprobe || spent + left > WALK_BUDGET) {
                    /* fewer names in the running than postings to read:
                     * look at their tokens instead, within the budget too */
                    if (spent + PROBE_COST * s->nprobe <= WALK_BUDGET) {
                        spent += PROBE_COST * s->nprobe;
                        probe_unit(idx, s, uc[k].unit);
                    }
                    break;
                }
            }
            /* (in update-only mode the postings are read against a bit
             * filter of the names met; nothing is inserted) */
            if (i + 1 < end && s->walks[i + 1].nr > 0) {
                /* the next list's first lines come while this one is read */
                const struct walk *nx = &s->walks[i + 1];
                size_t at = idx->toks[nx->tok].post + nx->r[0][0];
                __builtin_prefetch(idx->post + at);
                __builtin_prefetch(idx->post_yb + at);
            }
            if (walk_token(idx, s, wk) != 0)
                return -1;
            spent += wk->cost;
            left -= wk->cost;
        }
    }
    /* the namesakes born on the query's day of birth, in full */
    if (s->ndays && seed_by_birth_date(idx, s, rest[0]) != 0)
        return -1;
    return 0;
}

/* How many neighbours ahead gather() prefetches their token and cache slot. */
#define NB_PREFETCH 8

static limen_status gather(const struct limen_index *idx, struct scratch *s)
{
    double min_sim = idx->opts.min_token_similarity;
    /* Is there any word that is not very common? Then very common ones are not walked. */
    for (int qi = 0; qi < s->nq; qi++) {
        struct qname *q = &s->q[qi];
        for (int u = 0; u < q->nunits; u++) {
            const struct unit *x = &q->units[u];
            if ((x->kind != LIMEN__TOK_WORD && x->kind != JOINED_WORDS) || x->len < 2)
                continue;
            if (x->kind == JOINED_WORDS) {
                /* Only the exact joined spelling can be in the dictionary. */
                uint32_t tok = limen__dict_find(idx, x->text, x->len, x->flags);
                if (tok == UINT32_MAX)
                    continue;
                const struct limen__dtok *t = &idx->toks[tok];
                simc_put(s, simc_key(qi, u, tok), 1.0f);
                plan_walk(idx, s, tok, qi * MAX_UNITS + u, unit_mask(x), t->weight);
                continue;
            }
            int is_pair = x->first != x->last;
            float best_w = -1.0f;
            /* a spelling below the floor would give no candidate evidence
             * (NEIGHBOUR_FLOOR): not worth its similarity programme */
            float floor = is_pair ? JOINED_MIN_SIM
                                  : (float)(min_sim > NEIGHBOUR_FLOOR ? min_sim : NEIGHBOUR_FLOOR);
            /* The dictionary tokens it may stand for: stored for the
             * commonest spellings, searched for the others (expand.c). */
            const struct limen__nb *nb = NULL;
            size_t nn = 0;
            uint32_t self = limen__dict_find(idx, x->text, x->len, x->flags);
            if (!is_pair && self != UINT32_MAX)
                nb = limen__expand_stored(idx, self, &nn);
            if (!nb) {
                if (!s->xw && !(s->xw = limen__expand_work_new()))
                    return LIMEN_ENOMEM;
                nn = limen__expand(idx, s->xw, x->text, x->len, x->flags, is_pair, floor, 0,
                                   s->nbuf, LIMEN__MAX_NEIGHBOURS);
                nb = s->nbuf;
            }
            /* and tokens added since finish(), through the delta keys */
            struct limen__nb *dn = s->nbuf + (nb == s->nbuf ? nn : 0);
            if (idx->ndk && !s->xw && !(s->xw = limen__expand_work_new()))
                return LIMEN_ENOMEM;
            size_t nd = idx->ndk ? limen__expand(idx, s->xw, x->text, x->len, x->flags, is_pair,
                                                 floor, 1, dn, LIMEN__MAX_NEIGHBOURS)
                                 : 0;
            /* The evidence of an unknown spelling is capped by its
             * commonest close spelling's weight: Arabic-script mhmd is
             * Muhammad, and its rarest Latin spellings (Mohamud, Mahamed)
             * would otherwise give their namesakes three times the
             * evidence of the Muhammads and crowd them out of the
             * candidates. */
            float cap_w = unit_weight(x, q->w);
            if (!is_pair && self == UINT32_MAX)
                for (size_t i = 0; i < nn + nd; i++) {
                    const struct limen__nb *e = i < nn ? &nb[i] : &dn[i - nn];
                    const struct limen__dtok *t = &idx->toks[e->tok];
                    if (e->sim >= 0.85f && t->df + t->ddf > 0 && t->weight < cap_w)
                        cap_w = t->weight;
                }
            for (size_t i = 0; i < nn + nd; i++) {
                /* a random read in the token table and one in the cache per
                 * neighbour: started a few neighbours ahead */
                if (i + NB_PREFETCH < nn + nd) {
                    size_t f = i + NB_PREFETCH;
                    uint32_t ft = f < nn ? nb[f].tok : dn[f - nn].tok;
                    __builtin_prefetch(&idx->toks[ft]);
                    __builtin_prefetch(&s->simc[simc_slot(simc_key(qi, u, ft))]);
                }
                const struct limen__nb *e = i < nn ? &nb[i] : &dn[i - nn];
                uint32_t tok = e->tok;
                float sim = e->sim;
                uint64_t key = simc_key(qi, u, tok);
                float seen;
                if (simc_get(s, key, &seen))
                    continue; /* this unit met this token already */
                simc_put(s, key, sim);
                const struct limen__dtok *t = &idx->toks[tok];
                if (t->df + t->ddf == 0)
                    continue;
                if (!is_pair && sim >= 0.85f && t->weight > best_w)
                    best_w = t->weight;
                /* A fuzzy match weighs no more than the weaker of the two
                 * names: mohamed ~ mohammadi is only as rare as mohamed. */
                float cap = cap_w;
                /* and counts as much as full scoring will credit it */
                float c =
                    (t->weight < cap ? t->weight : cap) * (float)credit(sim, x->flags | t->flags);
                plan_walk(idx, s, tok, qi * MAX_UNITS + u, unit_mask(x), c);
            }
            /* An unknown spelling of a known name weighs what that name weighs. */
            if (!is_pair && best_w >= 0 && best_w < q->w[x->first] && self == UINT32_MAX)
                q->w[x->first] = best_w;
        }
    }
    choose_walks(s);
    return run_walks(idx, s) == 0 ? LIMEN_OK : LIMEN_ENOMEM;
}

/* ---- step 3: name against name ---- */

struct pair {
    int8_t qu, au; /* unit indexes */
    float sim;
};

struct name_match {
    double score;
    double closeness; /* the weighted mean similarity of the pairs: breaks ties of score */
    double raw;
    double mass;
    int npairs;
    struct pair pairs[LIMEN__NAME_MAX_TOKENS];
    uint32_t qused, aused;
    int qi;
    uint32_t name;
};

/*
 * How much a token pair of this similarity counts as the same name: known
 * transliteration variants (0.92 and up) fully, one typo in a short name
 * about two thirds, anything at 0.70 or below not at all.
 */
static double credit(double sim, int flags)
{
    double c = (flags & LIMEN__TF_TRANSLIT) ? (sim - 0.90) / 0.08 : (sim - 0.75) / CREDIT_SPAN;
    return c < 0 ? 0 : c > 1 ? 1 : c;
}

/* Sorts v[0..n) largest first: a name's few unmatched weights (n is at most
 * LIMEN__NAME_MAX_TOKENS), for which insertion beats qsort's calls. */
static void sort_floats_desc(float *v, int n)
{
    for (int i = 1; i < n; i++) {
        float x = v[i];
        int j = i;
        for (; j > 0 && v[j - 1] < x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static uint32_t unit_mask(const struct unit *u)
{
    uint32_t m = 0;
    for (int i = u->first; i <= u->last; i++)
        m |= 1u << i;
    return m;
}

/* Similarity of a query unit (a, prepared as as) and an alert unit (b, its
 * costs kept in bo from one query unit to the next). */
static float unit_sim(const struct unit *a, const struct limen__tsim_side *as, const struct unit *b,
                      struct limen__tsim_other *bo)
{
    int minor_a = a->kind == LIMEN__TOK_ARTICLE || a->kind == LIMEN__TOK_PARTICLE;
    int minor_b = b->kind == LIMEN__TOK_ARTICLE || b->kind == LIMEN__TOK_PARTICLE;
    if (minor_a || minor_b || a->kind == LIMEN__TOK_CONNECTOR || b->kind == LIMEN__TOK_CONNECTOR) {
        if (a->kind != b->kind)
            return 0.0f;
        return a->len == b->len && memcmp(a->text, b->text, a->len) == 0 ? 1.0f : 0.0f;
    }
    if (a->kind == LIMEN__TOK_INITIAL || b->kind == LIMEN__TOK_INITIAL) {
        if (a->kind == b->kind)
            return a->text[0] == b->text[0] ? 1.0f : 0.0f;
        return a->text[0] == b->text[0] ? 0.75f : 0.0f;
    }
    if (a->len <= 2 || b->len <= 2 || a->kind == JOINED_WORDS || b->kind == JOINED_WORDS)
        return a->len == b->len && memcmp(a->text, b->text, a->len) == 0 ? 1.0f : 0.0f;
    int split = a->first != a->last || b->first != b->last;
    if (split) {
        /* Joined against split forms (Benali / Ben Ali, Abdallah / Abd Allah,
         * Jeanpierre / Jean-Pierre) must agree closely: long strings absorb
         * many cheap edits. */
        int d = a->len - b->len;
        if (d > 2 || d < -2 || a->text[0] != b->text[0])
            return 0.0f;
        float s = (float)limen__tsim_min_other(as, bo, b->flags, JOINED_MIN_SIM);
        return s;
    }
    return (float)limen__tsim_min_other(as, bo, b->flags, MIN_PAIR_SIM);
}

struct cand {
    float sim, gain;
    int8_t qu, au;
};

/* Whether candidate pair a comes before b: more similar, or as similar and
 * more weight. */
static int cand_before(const struct cand *a, const struct cand *b)
{
    return a->sim > b->sim || (a->sim == b->sim && a->gain > b->gain);
}

/* Sorts the token pairs, best first, stably (equal pairs stay in the order
 * met, as glibc's qsort, a merge sort, left them): a name pair has a few
 * dozen at most, too few for qsort's calls to pay. */
static void sort_cands(struct cand *c, int n)
{
    for (int i = 1; i < n; i++) {
        struct cand x = c[i];
        int j = i;
        for (; j > 0 && cand_before(&x, &c[j - 1]); j--)
            c[j] = c[j - 1];
        c[j] = x;
    }
}

/* Alert-side units of name n, with token weights into aw. */
static int alert_units(const struct limen_index *idx, uint32_t n, struct unit *au, float *aw)
{
    const struct limen__iname *in = &idx->names[n];
    const char *texts[LIMEN__NAME_MAX_TOKENS];
    uint8_t lens[LIMEN__NAME_MAX_TOKENS], kinds[LIMEN__NAME_MAX_TOKENS],
        flags[LIMEN__NAME_MAX_TOKENS];
    int nt = in->ntok > LIMEN__NAME_MAX_TOKENS ? LIMEN__NAME_MAX_TOKENS : in->ntok;
    for (int k = 0; k < nt; k++) {
        const struct limen__dtok *t = &idx->toks[idx->ntok[in->tok + k]];
        texts[k] = idx->arena + t->text;
        lens[k] = t->len;
        kinds[k] = (uint8_t)limen__occ_kind(t, in->ntok);
        flags[k] = t->flags;
        aw[k] = kinds[k] == LIMEN__TOK_WORD ? t->weight : kind_weight(kinds[k]);
    }
    return make_units(texts, lens, kinds, flags, nt, au, MAX_UNITS);
}

static void match_name(const struct limen_index *idx, struct scratch *s, int qi, uint32_t n,
                       struct name_match *m)
{
    const struct qname *q = &s->q[qi];
    const struct limen__iname *in = &idx->names[n];
    struct unit au[MAX_UNITS];
    float aw[LIMEN__NAME_MAX_TOKENS];
    int nau = alert_units(idx, n, au, aw);
    struct limen__tsim_other ao[MAX_UNITS];
    for (int j = 0; j < nau; j++)
        limen__tsim_other_init(&ao[j], au[j].text, au[j].len);
    int nat = in->ntok > LIMEN__NAME_MAX_TOKENS ? LIMEN__NAME_MAX_TOKENS : in->ntok;
    struct cand cands[MAX_UNITS * 8];
    int nc = 0;
    for (int i = 0; i < q->nunits; i++) {
        for (int j = 0; j < nau; j++) {
            const struct unit *x = &q->units[i], *y = &au[j];
            int xp = x->first != x->last, yp = y->first != y->last;
            if (xp && yp)
                continue;
            float sim;
            if (!xp && !yp && x->kind == LIMEN__TOK_WORD && y->kind == LIMEN__TOK_WORD &&
                x->len > 2 && y->len > 2) {
                uint32_t tok = idx->ntok[in->tok + y->first];
                uint64_t key = simc_key(qi, i, tok);
                if (!simc_get(s, key, &sim)) {
                    sim = unit_sim(x, &q->sides[i], y, &ao[j]);
                    simc_put(s, key, sim);
                }
            } else {
                sim = unit_sim(x, &q->sides[i], y, &ao[j]);
            }
            if (sim < MIN_PAIR_SIM || nc >= (int)(sizeof cands / sizeof cands[0]))
                continue;
            cands[nc].sim = sim;
            cands[nc].gain = sim * (unit_weight(x, q->w) + unit_weight(y, aw));
            cands[nc].qu = (int8_t)i;
            cands[nc].au = (int8_t)j;
            nc++;
        }
    }
    sort_cands(cands, nc);
    memset(m, 0, sizeof *m);
    m->qi = qi;
    m->name = n;
    double num = 0, den = 0, mass = 0, close = 0;
    int words = 0;
    for (int c = 0; c < nc; c++) {
        const struct unit *x = &q->units[cands[c].qu], *y = &au[cands[c].au];
        uint32_t qm = unit_mask(x), am = unit_mask(y);
        if ((qm & m->qused) || (am & m->aused))
            continue;
        m->qused |= qm;
        m->aused |= am;
        float wq = unit_weight(x, q->w), wa = unit_weight(y, aw);
        if (wq > wa)
            wq = wa; /* evidence is as strong as the commoner side */
        else
            wa = wq;
        double cr = credit(cands[c].sim, x->flags | y->flags);
        num += cr * (wq + wa);
        close += cands[c].sim * (wq + wa);
        den += wq + wa;
        mass += cr * (wq + wa) / 2;
        if ((wordish(x->kind) || wordish(y->kind)) && cr > 0)
            words++;
        if (m->npairs < LIMEN__NAME_MAX_TOKENS) {
            m->pairs[m->npairs].qu = cands[c].qu;
            m->pairs[m->npairs].au = cands[c].au;
            m->pairs[m->npairs].sim = cands[c].sim;
            m->npairs++;
        }
    }
    /* Unmatched words present on both sides contradict each other (a different
     * given name); those left over on one side are only missing. */
    float uq[LIMEN__NAME_MAX_TOKENS], ua[LIMEN__NAME_MAX_TOKENS];
    int nuq = 0, nua = 0;
    for (int k = 0; k < q->nm.n; k++) {
        if (m->qused & (1u << k))
            continue;
        if (q->nm.tok[k].kind == LIMEN__TOK_WORD)
            uq[nuq++] = q->w[k];
        else
            den += MISSING_PENALTY * q->w[k];
    }
    for (int k = 0; k < nat; k++) {
        if (m->aused & (1u << k))
            continue;
        if (limen__occ_kind(&idx->toks[idx->ntok[in->tok + k]], in->ntok) == LIMEN__TOK_WORD)
            ua[nua++] = aw[k];
        else
            den += MISSING_PENALTY * aw[k];
    }
    sort_floats_desc(uq, nuq);
    sort_floats_desc(ua, nua);
    int conflicts = nuq < nua ? nuq : nua;
    for (int k = 0; k < nuq; k++)
        den += (k < conflicts ? CONFLICT_PENALTY : MISSING_PENALTY) * uq[k];
    for (int k = 0; k < nua; k++)
        den += (k < conflicts ? CONFLICT_PENALTY : ALERT_MISSING_PENALTY) * ua[k];
    if (!words || den <= 0) {
        m->score = 0;
        return;
    }
    double raw = num / den;
    m->closeness = close / den;
    double spec = 1.0 - 0.6 * exp(-1.0 * mass);
    m->raw = raw;
    m->mass = mass;
    m->score = raw * spec;
    if (in->prop == LIMEN__NP_WEAK)
        m->score *= WEAK_ALIAS_FACTOR;
}

/* ---- step 4: evidence ---- */

enum { EV_DOB, EV_GENDER, EV_NAT, EV_DOC, EV_COUNT };

struct evidence {
    double lo[EV_COUNT];
    int present[EV_COUNT];
    const char *reason[EV_COUNT];
    int qi[EV_COUNT], ai[EV_COUNT]; /* which query/alert value */
};

static double logit(double p)
{
    if (p < 0.01)
        p = 0.01;
    if (p > 0.99)
        p = 0.99;
    return log(p / (1 - p));
}

static double sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* The evidence of the alert's facts for the query; document numbers only
 * when `docs`. */
static void weigh_evidence(const struct limen_index *idx, const struct limen__facts *f,
                           const struct limen__ialert *a, int docs, struct evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    if (f->ndob && a->ndob) {
        double best = -1e9;
        for (int i = 0; i < f->ndob; i++)
            for (uint32_t j = 0; j < a->ndob; j++) {
                const char *r;
                double lo = limen__date_evidence(&f->dobs[i], &idx->dobs[a->dob0 + j], &r);
                if (lo > best) {
                    best = lo;
                    ev->reason[EV_DOB] = r;
                    ev->qi[EV_DOB] = i;
                    ev->ai[EV_DOB] = (int)j;
                }
            }
        ev->lo[EV_DOB] = best;
        ev->present[EV_DOB] = 1;
    }
    if (f->gender && a->gender && f->gender != 3 && a->gender != 3) {
        ev->present[EV_GENDER] = 1;
        if (f->gender == a->gender) {
            ev->lo[EV_GENDER] = 0.1;
            ev->reason[EV_GENDER] = "same gender";
        } else {
            ev->lo[EV_GENDER] = -2.0;
            ev->reason[EV_GENDER] = "gender differs";
        }
    }
    if (f->nnat && a->nnat) {
        ev->present[EV_NAT] = 1;
        ev->lo[EV_NAT] = -0.5;
        ev->reason[EV_NAT] = "nationality differs";
        for (int i = 0; i < f->nnat; i++)
            for (uint32_t j = 0; j < a->nnat; j++)
                if (f->nats[i] == idx->nats[a->nat0 + j]) {
                    ev->lo[EV_NAT] = 0.4;
                    ev->reason[EV_NAT] = "same nationality";
                    ev->qi[EV_NAT] = i;
                    ev->ai[EV_NAT] = (int)j;
                }
    }
    if (docs && f->ndoc && a->ndoc) {
        double best = 0;
        for (int i = 0; i < f->ndoc; i++) {
            char qo[LIMEN__DOCNUM_MAX + 1];
            memcpy(qo, f->docs[i].num, f->docs[i].len);
            limen__docnum_ocr(qo, f->docs[i].len);
            for (uint32_t j = 0; j < a->ndoc; j++) {
                const struct limen__idoc *d = &idx->docs[a->doc0 + j];
                if (d->len != f->docs[i].len)
                    continue;
                if (d->country && f->docs[i].country && d->country != f->docs[i].country)
                    continue;
                const char *an = idx->arena + d->num;
                double lo = 0;
                const char *r = NULL;
                if (memcmp(an, f->docs[i].num, d->len) == 0) {
                    lo = 8.0;
                    r = "same document number: decisive";
                } else {
                    char ao[LIMEN__DOCNUM_MAX + 1];
                    memcpy(ao, an, d->len);
                    limen__docnum_ocr(ao, d->len);
                    if (memcmp(ao, qo, d->len) == 0) {
                        lo = 5.0;
                        r = "same document number up to OCR confusion (O/0, I/1, B/8, S/5, "
                            "Z/2): decisive";
                    }
                }
                if (lo > best) {
                    best = lo;
                    ev->reason[EV_DOC] = r;
                    ev->qi[EV_DOC] = i;
                    ev->ai[EV_DOC] = (int)j;
                }
            }
        }
        if (best > 0) {
            ev->present[EV_DOC] = 1;
            ev->lo[EV_DOC] = best;
        }
    }
}

/* ---- results ---- */

struct result {
    uint32_t alert;
    double score;
    double name_lo;
    struct name_match nm;
    struct evidence ev;
    char *id;
    char *explanation;
    char *summary;
};

struct limen_results {
    struct result *r;
    size_t n;
    double threshold;
};

size_t limen_results_count(const struct limen_results *r)
{
    return r ? r->n : 0;
}

const char *limen_result_id(const struct limen_results *r, size_t i)
{
    return i < r->n ? r->r[i].id : NULL;
}

double limen_result_score(const struct limen_results *r, size_t i)
{
    return i < r->n ? r->r[i].score : 0.0;
}

int limen_result_match(const struct limen_results *r, size_t i)
{
    return i < r->n && r->r[i].score >= r->threshold;
}

const char *limen_result_explanation(const struct limen_results *r, size_t i)
{
    return i < r->n && r->r[i].explanation ? r->r[i].explanation : "{}";
}

const char *limen_result_summary(const struct limen_results *r, size_t i)
{
    return i < r->n && r->r[i].summary ? r->r[i].summary : "";
}

void limen_results_free(struct limen_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        limen__free(r->r[i].id);
        limen__free(r->r[i].explanation);
        limen__free(r->r[i].summary);
    }
    limen__free(r->r);
    limen__free(r);
}

/*
 * Calibration of the name score: the alignment score S of a name pair is
 * mapped to log-odds as logit(S) + NAME_LOGIT_SHIFT, so that the default
 * threshold 0.80 falls where S = 0.75, the point that keeps false alerts on
 * the yente negatives under 0.05 % (docs/scoring.md). No name evidence at all
 * counts as a weak prior.
 */
#define NAME_LOGIT_SHIFT 0.288

static double name_logodds(const struct name_match *m, int have)
{
    return have ? logit(m->score) + NAME_LOGIT_SHIFT : -3.0;
}

/*
 * Dates of birth, gender and nationality corroborate a name; they do not
 * make one. Their positive log-odds count in full once the name alone
 * scores FACTS_NAME_FULL (calibrated, sigmoid of its log-odds), not at all
 * at FACTS_NAME_FLOOR or below, and in proportion between: in a list of
 * millions, many people share a first name and a date of birth (Samira
 * Ouchekhri and Samira Hanan Testani, both born 2004-06-05), and those
 * facts lifted such a name to a match. Conflicting facts always count in
 * full, and so does a document number, which identifies on its own.
 */
#define FACTS_NAME_FLOOR 0.50
#define FACTS_NAME_FULL  0.65

static double facts_factor(double name_lo)
{
    double ns = sigmoid(name_lo);
    if (ns <= FACTS_NAME_FLOOR)
        return 0.0;
    if (ns >= FACTS_NAME_FULL)
        return 1.0;
    return (ns - FACTS_NAME_FLOOR) / (FACTS_NAME_FULL - FACTS_NAME_FLOOR);
}

/* The log-odds evidence k adds, given the name's weight on the facts. */
static double applied_logodds(const struct evidence *ev, int k, double factor)
{
    return k != EV_DOC && ev->lo[k] > 0 ? factor * ev->lo[k] : ev->lo[k];
}

/* x plus the log-odds of the evidence present, the facts' weighed by factor. */
static double add_evidence(double x, const struct evidence *ev, double factor)
{
    for (int k = 0; k < EV_COUNT; k++)
        if (ev->present[k])
            x += applied_logodds(ev, k, factor);
    return x;
}

static double final_score(double name_lo, const struct evidence *ev)
{
    return sigmoid(add_evidence(name_lo, ev, facts_factor(name_lo)));
}

static int cmp_result(const void *x, const void *y)
{
    const struct result *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    /* equal scores: the closer spelling first (credit is full from 0.95 on) */
    if (a->nm.closeness != b->nm.closeness)
        return a->nm.closeness > b->nm.closeness ? -1 : 1;
    return (a->alert > b->alert) - (a->alert < b->alert);
}

/* ---- step 5: explanations ---- */

static void add_span(struct limen_buf *b, const char *src, size_t src_len,
                     const struct limen__name *nm, int first, int last)
{
    size_t start = nm->tok[first].src_start;
    size_t end = (size_t)nm->tok[last].src_start + nm->tok[last].src_len;
    for (int k = first; k <= last; k++) {
        size_t e = (size_t)nm->tok[k].src_start + nm->tok[k].src_len;
        if (nm->tok[k].src_start < start)
            start = nm->tok[k].src_start;
        if (e > end)
            end = e;
    }
    if (end > src_len || start > end)
        start = end = 0;
    limen_buf_add_json_string(b, src + start, end - start);
}

static void why_pair(char *out, size_t cap, const struct unit *x, const struct unit *y,
                     const struct limen__name *qn, const struct limen__name *an)
{
    char tmp[200];
    out[0] = '\0';
    limen__tsim_explain(x->text, x->len, x->flags, y->text, y->len, y->flags, tmp, sizeof tmp);
    size_t n = 0;
#define ADD(str)                                                                                   \
    do {                                                                                           \
        int w_ = snprintf(out + n, cap - n, "%s%s", n ? ", " : "", str);                           \
        if (w_ > 0 && (size_t)w_ < cap - n)                                                        \
            n += (size_t)w_;                                                                       \
    } while (0)
    if ((x->first != x->last) != (y->first != y->last))
        ADD("written joined on one side and split on the other");
    int qf = 0, af = 0;
    for (int k = x->first; k <= x->last; k++)
        qf |= qn->tok[k].flags;
    for (int k = y->first; k <= y->last; k++)
        af |= an->tok[k].flags;
    if ((qf | af) & LIMEN__TF_MERGED)
        ADD("compound joined (abd al- ...)");
    if (((qf ^ af) & LIMEN__TF_CANON) || ((qf & af & LIMEN__TF_CANON) && strcmp(x->text, y->text)))
        ADD("prefix spelling (abdel/abdul, abou/abu)");
    if ((qf ^ af) & LIMEN__TF_ARABIC)
        ADD("Arabic script against Latin");
    if ((qf | af) & LIMEN__TF_TRANSLIT)
        ADD("transliterated from another script");
    if (x->kind == LIMEN__TOK_INITIAL || y->kind == LIMEN__TOK_INITIAL)
        ADD("initial");
    if (tmp[0])
        ADD(tmp);
    if (!n)
        ADD("same spelling after normalisation");
#undef ADD
}

static limen_status explain(const struct limen_index *idx, struct scratch *s, struct result *r)
{
    struct limen_buf b, sum;
    limen_buf_init(&b);
    limen_buf_init(&sum);
    const struct limen__ialert *a = &idx->alerts[r->alert];
    limen_buf_adds(&b, "{");
    if (r->nm.score > 0 || r->nm.npairs) {
        const struct qname *q = &s->q[r->nm.qi];
        const struct limen__iname *in = &idx->names[r->nm.name];
        char form[LIMEN__FORM_BUF];
        size_t alen;
        const char *asrc = limen__name_form(idx, r->nm.name, form, &alen);
        struct limen__name *an = &s->alert_nm;
        if (limen__name_normalize(idx->nz, asrc, alen, an) != LIMEN_OK)
            an->n = 0;
        struct unit au[MAX_UNITS];
        float aw[LIMEN__NAME_MAX_TOKENS];
        int nau = alert_units(idx, r->nm.name, au, aw);
        (void)nau;
        limen_buf_adds(&b, "\"name\":{\"query\":");
        limen_buf_add_json_string(&b, q->src, q->src_len);
        limen_buf_adds(&b, ",\"alert\":");
        limen_buf_add_json_string(&b, asrc, alen);
        limen_buf_adds(&b, ",\"property\":\"");
        limen_buf_adds(&b, limen__name_prop_label(in->prop));
        limen_buf_adds(&b, "\",\"score\":");
        limen_buf_add_number(&b, r->nm.score, 3); /* alignment score S */
        limen_buf_adds(&b, ",\"pairs\":[");
        for (int p = 0; p < r->nm.npairs; p++) {
            const struct unit *x = &q->units[r->nm.pairs[p].qu];
            const struct unit *y = &au[r->nm.pairs[p].au];
            char why[320];
            int an_ok = an->n == in->ntok;
            why_pair(why, sizeof why, x, y, &q->nm, an_ok ? an : &q->nm);
            limen_buf_adds(&b, p ? ",{\"query\":" : "{\"query\":");
            add_span(&b, q->src, q->src_len, &q->nm, x->first, x->last);
            limen_buf_adds(&b, ",\"alert\":");
            if (an_ok)
                add_span(&b, asrc, alen, an, y->first, y->last);
            else
                limen_buf_add_json_string(&b, y->text, y->len);
            limen_buf_adds(&b, ",\"similarity\":");
            limen_buf_add_number(&b, r->nm.pairs[p].sim, 3);
            limen_buf_adds(&b, ",\"weight\":");
            limen_buf_add_number(&b, unit_weight(x, q->w), 2);
            limen_buf_adds(&b, ",\"why\":");
            limen_buf_add_json_string(&b, why, strlen(why));
            limen_buf_adds(&b, "}");
            /* summary: the word pairs */
            if (wordish(x->kind) || wordish(y->kind)) {
                if (sum.len)
                    limen_buf_adds(&sum, "; ");
                size_t st = q->nm.tok[x->first].src_start;
                size_t en = (size_t)q->nm.tok[x->last].src_start + q->nm.tok[x->last].src_len;
                if (en <= q->src_len && st <= en)
                    limen_buf_add(&sum, q->src + st, en - st);
                limen_buf_adds(&sum, " ~ ");
                if (an_ok) {
                    st = an->tok[y->first].src_start;
                    en = (size_t)an->tok[y->last].src_start + an->tok[y->last].src_len;
                    if (en <= alen && st <= en)
                        limen_buf_add(&sum, asrc + st, en - st);
                } else {
                    limen_buf_add(&sum, y->text, y->len);
                }
                limen_buf_adds(&sum, ": ");
                limen_buf_adds(&sum, why);
            }
        }
        limen_buf_adds(&b, "],\"unmatched_query\":[");
        int first = 1;
        for (int k = 0; k < q->nm.n; k++) {
            if ((r->nm.qused & (1u << k)) || q->nm.tok[k].kind == LIMEN__TOK_TITLE)
                continue;
            if (!first)
                limen_buf_addch(&b, ',');
            first = 0;
            add_span(&b, q->src, q->src_len, &q->nm, k, k);
        }
        limen_buf_adds(&b, "],\"unmatched_alert\":[");
        first = 1;
        if (an->n == in->ntok)
            for (int k = 0; k < an->n; k++) {
                if ((r->nm.aused & (1u << k)) || an->tok[k].kind == LIMEN__TOK_TITLE)
                    continue;
                if (!first)
                    limen_buf_addch(&b, ',');
                first = 0;
                add_span(&b, asrc, alen, an, k, k);
            }
        limen_buf_adds(&b, "]},");
    }
    limen_buf_adds(&b, "\"evidence\":[");
    static const char *const feature[EV_COUNT] = {"birth_date", "gender", "nationality",
                                                  "document"};
    int firstev = 1;
    const double factor = facts_factor(r->name_lo);
    for (int k = 0; k < EV_COUNT; k++) {
        if (!r->ev.present[k])
            continue;
        struct evidence without = r->ev;
        without.present[k] = 0;
        double effect = r->score - final_score(r->name_lo, &without);
        char qv[64] = "", av[64] = "";
        if (k == EV_DOB) {
            limen__date_format(&s->facts.dobs[r->ev.qi[k]], qv, sizeof qv);
            limen__date_format(&idx->dobs[a->dob0 + (uint32_t)r->ev.ai[k]], av, sizeof av);
        } else if (k == EV_GENDER) {
            static const char *const g[] = {"", "male", "female", "other"};
            snprintf(qv, sizeof qv, "%s", g[s->facts.gender & 3]);
            snprintf(av, sizeof av, "%s", g[a->gender & 3]);
        } else if (k == EV_NAT) {
            uint16_t qc = s->facts.nats[r->ev.qi[k]],
                     ac = idx->nats[a->nat0 + (uint32_t)r->ev.ai[k]];
            snprintf(qv, sizeof qv, "%c%c", qc >> 8, qc & 0xff);
            snprintf(av, sizeof av, "%c%c", ac >> 8, ac & 0xff);
        } else if (k == EV_DOC) {
            const struct limen__idoc *d = &idx->docs[a->doc0 + (uint32_t)r->ev.ai[k]];
            snprintf(qv, sizeof qv, "%s", s->facts.docs[r->ev.qi[k]].num);
            snprintf(av, sizeof av, "%s", idx->arena + d->num);
        }
        limen_buf_adds(&b, firstev ? "{\"feature\":\"" : ",{\"feature\":\"");
        limen_buf_adds(&b, feature[k]);
        limen_buf_adds(&b, "\",\"query\":");
        limen_buf_add_json_string(&b, qv, strlen(qv));
        limen_buf_adds(&b, ",\"alert\":");
        limen_buf_add_json_string(&b, av, strlen(av));
        double lo = applied_logodds(&r->ev, k, factor);
        char why[160];
        if (lo != r->ev.lo[k])
            snprintf(why, sizeof why, "%s (%+.1f, counted x%.2f: the name alone is weak)",
                     r->ev.reason[k], r->ev.lo[k], factor);
        else
            snprintf(why, sizeof why, "%s", r->ev.reason[k]);
        limen_buf_adds(&b, ",\"log_odds\":");
        limen_buf_add_number(&b, lo, 2);
        limen_buf_adds(&b, ",\"effect\":");
        limen_buf_add_number(&b, effect, 3);
        limen_buf_adds(&b, ",\"reason\":");
        limen_buf_add_json_string(&b, why, strlen(why));
        limen_buf_adds(&b, "}");
        firstev = 0;
        limen_buf_adds(&sum, sum.len ? "; " : "");
        limen_buf_adds(&sum, feature[k]);
        limen_buf_adds(&sum, ": ");
        limen_buf_adds(&sum, why);
        limen_buf_adds(&sum, " (");
        limen_buf_add_signed(&sum, effect, 2);
        limen_buf_adds(&sum, ")");
    }
    limen_buf_adds(&b, "],\"name_score\":");
    limen_buf_add_number(&b, sigmoid(r->name_lo), 3); /* calibrated, names alone */
    limen_buf_adds(&b, ",\"score\":");
    limen_buf_add_number(&b, r->score, 3);
    limen_buf_adds(&b, "}");
    if (limen_buf_failed(&b) || limen_buf_failed(&sum)) {
        limen_buf_release(&b);
        limen_buf_release(&sum);
        return LIMEN_ENOMEM;
    }
    r->explanation = limen_buf_detach(&b, NULL);
    r->summary = limen_buf_detach(&sum, NULL);
    return r->explanation && r->summary ? LIMEN_OK : LIMEN_ENOMEM;
}

/* ---- the whole ---- */

/* Whether candidate x ranks below y: less evidence, or as much and a later
 * name (so that the choice never depends on the order names were met). */
static int acc_below(const struct acc *x, const struct acc *y)
{
    return x->total < y->total || (x->total == y->total && x->name > y->name);
}

/* Keeps the k best candidate names (a min-heap on acc_below). */
static void heap_push(struct acc *h, size_t *n, size_t k, const struct acc *x)
{
    if (*n < k) {
        size_t i = (*n)++;
        h[i] = *x;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!acc_below(&h[i], &h[p]))
                break;
            struct acc t = h[p];
            h[p] = h[i];
            h[i] = t;
            i = p;
        }
        return;
    }
    if (!acc_below(&h[0], x))
        return;
    h[0] = *x;
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < *n && acc_below(&h[l], &h[m]))
            m = l;
        if (r < *n && acc_below(&h[r], &h[m]))
            m = r;
        if (m == i)
            break;
        struct acc t = h[m];
        h[m] = h[i];
        h[i] = t;
        i = m;
    }
}

/*
 * The log-odds an alert's facts give the query (full scoring's dates of
 * birth, gender and nationality, weigh_evidence(); documents are left to
 * full scoring: alerts sharing one are scored whatever their name).
 */
static double facts_logodds(const struct limen_index *idx, const struct limen__facts *f,
                            const struct limen__ialert *a)
{
    struct evidence ev;
    weigh_evidence(idx, f, a, 0, &ev);
    return add_evidence(0.0, &ev, 1.0);
}

/* Ranks names by rerank key (last_c), more first, ties to the lower name id. */
static int rerank_before(const struct acc *a, const struct acc *b)
{
    return a->last_c > b->last_c || (a->last_c == b->last_c && a->name < b->name);
}

/* Moves the k first of h[0..n) by rerank_before to h[0..k) (any order):
 * quickselect, Lomuto's partition around the middle entry. */
static void select_first(struct acc *h, size_t n, size_t k)
{
    size_t lo = 0, hi = n; /* the k-th lies in h[lo..hi) */
    while (hi - lo > 1 && k > lo && k < hi) {
        struct acc t = h[lo + (hi - lo) / 2];
        h[lo + (hi - lo) / 2] = h[hi - 1];
        h[hi - 1] = t;
        size_t m = lo;
        for (size_t i = lo; i + 1 < hi; i++)
            if (rerank_before(&h[i], &h[hi - 1])) {
                t = h[i];
                h[i] = h[m];
                h[m] = t;
                m++;
            }
        t = h[m];
        h[m] = h[hi - 1];
        h[hi - 1] = t;
        /* h[lo..m) come before h[m], h[m+1..hi) after it */
        if (m == k || m + 1 == k)
            return;
        if (m > k)
            hi = m;
        else
            lo = m + 1;
    }
}

/*
 * Leaves in h[0..k) the k of the nh > k names preselected by evidence (and
 * birth year) whose evidence plus what their alert's facts say (FACT_WEIGHT
 * x log-odds) is the most: among the many namesakes a common name has, the
 * ones whose date of birth, gender and nationality agree with the query are
 * scored in full. Each entry's total (acc_key) is kept. A query with none of
 * these facts keeps the k with the most evidence.
 */
static void rerank_by_facts(const struct limen_index *idx, struct scratch *s, struct acc *h,
                            size_t nh, size_t k)
{
    for (size_t i = 0; i < nh; i++)
        h[i].last_c = h[i].total;
    select_first(h, nh, k);
    if (!s->facts.ndob && !s->facts.gender && !s->facts.nnat)
        return;
    /* only the names within RERANK_MARGIN of the k-th, whatever floor the
     * walks gave the preselection (a changed index and its fresh build
     * preselect alike) */
    float kth = h[0].total;
    for (size_t i = 1; i < k; i++)
        kth = h[i].total < kth ? h[i].total : kth;
    size_t n = k;
    for (size_t i = k; i < nh; i++)
        if (h[i].total >= kth - (float)RERANK_MARGIN)
            h[n++] = h[i];
    if (n == k)
        return;
    for (size_t i = 0; i < n; i++)
        __builtin_prefetch(&idx->alerts[idx->names[h[i].name].alert]);
    for (size_t i = 0; i < n; i++) {
        const struct limen__ialert *a = &idx->alerts[idx->names[h[i].name].alert];
        __builtin_prefetch(&idx->dobs[a->dob0]);
        __builtin_prefetch(&idx->nats[a->nat0]);
    }
    for (size_t i = 0; i < n; i++) {
        const struct limen__ialert *a = &idx->alerts[idx->names[h[i].name].alert];
        /* the evidence without the birth year's bonus: the facts weigh the dates */
        float ev = h[i].total - year_bonus_in(s->have_years, s->ybuckets, &h[i]);
        h[i].last_c = ev + (float)(FACT_WEIGHT * facts_logodds(idx, &s->facts, a));
    }
    select_first(h, n, k);
}

static int add_alert(uint32_t **list, size_t *n, size_t *cap, uint32_t a)
{
    for (size_t i = 0; i < *n; i++)
        if ((*list)[i] == a)
            return 0;
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        uint32_t *l = limen__reallocarray(*list, c, sizeof *l);
        if (!l)
            return -1;
        *list = l;
        *cap = c;
    }
    (*list)[(*n)++] = a;
    return 0;
}

/* The alerts whose reads full scoring starts ahead (prefetch_alerts), and
 * the token ids of each: enough for its first names. */
#define ALERT_PREFETCH        64
#define ALERT_PREFETCH_TOKENS 64

/*
 * Full scoring of an alert reads its record, its names, their token ids,
 * the tokens and their letters: five random reads, each depending on the
 * one before (and its dates, nationalities and documents after the
 * record). They are started for the first ALERT_PREFETCH alerts one level
 * at a time, so that the reads of a level run in parallel, each finding
 * the level before in the cache, instead of five misses in a row an alert
 * (an alert's names are consecutive, and so are their token ids). Always
 * inlined: GCC drops the calls of a function that only reads and
 * prefetches, taking it for pure.
 */
static inline __attribute__((always_inline)) void prefetch_alerts(const struct limen_index *idx,
                                                                  const uint32_t *alerts, size_t n)
{
    if (n > ALERT_PREFETCH)
        n = ALERT_PREFETCH;
    for (size_t i = 0; i < n; i++)
        __builtin_prefetch(&idx->alerts[alerts[i]]);
    for (size_t i = 0; i < n; i++) {
        const struct limen__ialert *a = &idx->alerts[alerts[i]];
        if (a->nname) {
            __builtin_prefetch(&idx->names[a->name0]);
            __builtin_prefetch(&idx->names[a->name0 + a->nname - 1u]);
        }
        /* and the facts weigh_evidence() compares */
        if (a->ndob)
            __builtin_prefetch(&idx->dobs[a->dob0]);
        if (a->nnat)
            __builtin_prefetch(&idx->nats[a->nat0]);
        if (a->ndoc)
            __builtin_prefetch(&idx->docs[a->doc0]);
    }
    for (int level = 0; level < 3; level++)
        for (size_t i = 0; i < n; i++) {
            const struct limen__ialert *a = &idx->alerts[alerts[i]];
            if (!a->nname)
                continue;
            const struct limen__iname *last = &idx->names[a->name0 + a->nname - 1u];
            size_t t0 = idx->names[a->name0].tok, t1 = (size_t)last->tok + last->ntok;
            if (t1 > t0 + ALERT_PREFETCH_TOKENS)
                t1 = t0 + ALERT_PREFETCH_TOKENS;
            for (size_t t = t0; t < t1; t++)
                if (level == 0 && (t == t0 || ((uintptr_t)&idx->ntok[t] & 63) == 0))
                    __builtin_prefetch(&idx->ntok[t]); /* once a cache line */
                else if (level == 1)
                    __builtin_prefetch(&idx->toks[idx->ntok[t]]);
                else if (level == 2)
                    __builtin_prefetch(idx->arena + idx->toks[idx->ntok[t]].text);
        }
}

/* ---- the per-query block, kept for the next query ---- */

void limen__scratch_free(void *p)
{
    struct scratch *s = p;
    if (!s)
        return;
    limen__free(s->acc);
    limen__free(s->occ);
    limen__free(s->acc_tmp);
    limen__expand_work_free(s->xw);
    limen__free(s->topk);
    limen__free(s->probe);
    limen__free(s->cand);
    limen__free(s->alerts);
    limen__free(s);
}

/* A block from the index's pool, or a new one; empty either way. */
static struct scratch *scratch_get(const struct limen_index *cidx)
{
    /* The pool is the one part of the index screening changes; its lock
     * makes that safe from any number of threads. */
    struct limen_index *idx = (struct limen_index *)cidx;
    struct scratch *s = NULL;
    pthread_mutex_lock(&idx->pool_lock);
    if (idx->npool)
        s = idx->pool[--idx->npool];
    pthread_mutex_unlock(&idx->pool_lock);
    if (s)
        return s;
    return limen__calloc(1, sizeof *s);
}

/*
 * Empties a block and returns it to the pool (or frees it when the pool is
 * full). The accumulator was emptied by candidate selection, unless the
 * query stopped before. Its allocation is kept (the largest a query of
 * this block needed: at most a few MB, the walks being bounded), and the
 * next query starts on its first 1,024 slots: a light query after a heavy
 * one neither scans nor spreads over the large table, and a heavy one does
 * not allocate and clear a table again.
 */
static void scratch_put(const struct limen_index *cidx, struct scratch *s)
{
    struct limen_index *idx = (struct limen_index *)cidx;
    if (!s)
        return;
    if (s->acc_n) {
        ACC_EACH(s, i)
        {
            s->acc[i].name = UINT32_MAX;
        }
        memset(s->occ, 0, s->acc_cap / 8);
    }
    /* the next query starts small in the same allocation (all empty now) */
    s->acc_cap = s->acc_alloc < 1024 ? s->acc_alloc : 1024;
    s->acc_n = 0;
    s->ntopk = s->topk_cap = 0;
    s->top = 0;
    s->nwalks = 0;
    s->nplan = 0;
    s->update_only = 0;
    for (size_t i = 0; i < s->simc_n; i++)
        s->simc[s->simc_used[i]].key = 0;
    s->simc_n = 0;
    memset(s->seen, 0, sizeof s->seen);
    pthread_mutex_lock(&idx->pool_lock);
    if (idx->npool < LIMEN__SCRATCH_POOL) {
        idx->pool[idx->npool++] = s;
        s = NULL;
    }
    pthread_mutex_unlock(&idx->pool_lock);
    limen__scratch_free(s);
}

limen_status limen_screen(const struct limen_index *idx, const struct limen_entity *query,
                          const struct limen_screen_options *opts, struct limen_results **out,
                          struct limen_error *err)
{
    limen_status st = LIMEN_ENOMEM;
    struct limen_screen_options o;
    struct scratch *s = NULL;
    size_t nalerts = 0;
    struct result *res = NULL;
    size_t nres = 0;
    struct limen_results *R = NULL;

    *out = NULL;
    limen_error_clear(err);
    if (opts)
        o = *opts;
    else
        limen_screen_options_init(&o);
    if (!idx->finished)
        return limen__error_set(err, LIMEN_ESTATE, NULL, "the index is not finished");
    s = scratch_get(idx);
    if (!s)
        goto out;
    if ((st = read_query(idx, query, s, err)) != LIMEN_OK)
        goto out;
    st = LIMEN_ENOMEM;
    if (gather(idx, s) != LIMEN_OK)
        goto out;

    size_t k = idx->opts.max_candidates, nh = 0;
    size_t k1 = k * PRESELECT_FACTOR;
    if (s->cand_cap < k1) {
        struct acc *c = limen__reallocarray(s->cand, k1, sizeof *c);
        if (!c)
            goto out;
        s->cand = c;
        s->cand_cap = k1;
    }
    struct acc *heap = s->cand;
    /* The walks' heap of the k names with most evidence holds k names whose
     * keys are at least its minimum (keys only grow): a name below it cannot
     * be among the k best, unless names of that heap are dead (the delta);
     * nor, RERANK_MARGIN lower, among the names rerank_by_facts() compares. */
    float floor_key = s->ntopk == k && !idx->ndead_delta
                          ? s->topk[0].key - (k1 > k ? (float)RERANK_MARGIN : 0.0f)
                          : -1.0f;
    ACC_EACH(s, i)
    {
        struct acc *e = &s->acc[i];
        /* ranked by acc_key: evidence and birth year */
        struct acc x = *e;
        x.total = acc_key(s, e);
        e->name = UINT32_MAX; /* the table is left empty for the next query */
        if (x.total >= floor_key &&
            !(idx->ndead_delta && idx->alerts[idx->names[x.name].alert].dead))
            heap_push(heap, &nh, k1, &x);
    }
    if (s->acc_cap)
        memset(s->occ, 0, s->acc_cap / 8);
    s->acc_n = 0;
    float top = 0;
    for (size_t i = 0; i < nh; i++) {
        /* each name's alert is a random read: all started at once */
        __builtin_prefetch(&idx->names[heap[i].name]);
        if (heap[i].total > top)
            top = heap[i].total;
    }
    if (nh > k) {
        rerank_by_facts(idx, s, heap, nh, k);
        nh = k;
    }
    for (size_t i = 0; i < nh; i++)
        if (heap[i].total >= CANDIDATE_RATIO * top &&
            add_alert(&s->alerts, &nalerts, &s->alerts_cap, idx->names[heap[i].name].alert) != 0)
            goto out;
    for (size_t i = 0; i < o.nalso && i < LIMEN_SCREEN_ALSO_MAX; i++) {
        uint32_t a = o.also[i] ? limen__alert_find(idx, o.also[i], strlen(o.also[i])) : UINT32_MAX;
        if (a != UINT32_MAX && add_alert(&s->alerts, &nalerts, &s->alerts_cap, a) != 0)
            goto out;
    }
    for (int d = 0; d < s->facts.ndoc; d++) {
        char ocr[LIMEN__DOCNUM_MAX + 1];
        memcpy(ocr, s->facts.docs[d].num, s->facts.docs[d].len);
        limen__docnum_ocr(ocr, s->facts.docs[d].len);
        const uint32_t *hits;
        size_t nh2 = limen__doc_lookup(idx, limen__doc_key(ocr, s->facts.docs[d].len), &hits);
        for (size_t i = 0; i < nh2 && i < 1024; i++)
            if (add_alert(&s->alerts, &nalerts, &s->alerts_cap, hits[i]) != 0)
                goto out;
        uint32_t dhits[64];
        nh2 = limen__doc_lookup_delta(idx, limen__doc_key(ocr, s->facts.docs[d].len), dhits, 64);
        for (size_t i = 0; i < nh2; i++)
            if (add_alert(&s->alerts, &nalerts, &s->alerts_cap, dhits[i]) != 0)
                goto out;
    }

    /* (each entry is cleared when it is filled: most are never used) */
    res = limen__reallocarray(NULL, nalerts ? nalerts : 1, sizeof *res);
    if (!res)
        goto out;
    prefetch_alerts(idx, s->alerts, nalerts);
    for (size_t i = 0; i < nalerts; i++) {
        const struct limen__ialert *a = &idx->alerts[s->alerts[i]];
        if (a->dead)
            continue;
        struct result *r = &res[nres];
        memset(r, 0, sizeof *r);
        r->alert = s->alerts[i];
        int have = 0;
        for (int qi = 0; qi < s->nq; qi++)
            for (uint32_t n = a->name0; n < a->name0 + a->nname; n++) {
                struct name_match m;
                match_name(idx, s, qi, n, &m);
                if (!have || m.score > r->nm.score) {
                    r->nm = m;
                    have = 1;
                }
            }
        weigh_evidence(idx, &s->facts, a, 1, &r->ev);
        r->name_lo = name_logodds(&r->nm, have && r->nm.score > 0);
        r->score = final_score(r->name_lo, &r->ev);
        if (r->score >= o.min_score)
            nres++;
    }
    qsort(res, nres, sizeof *res, cmp_result);
    R = limen__calloc(1, sizeof *R);
    if (!R)
        goto out;
    R->threshold = o.threshold;
    R->r = res;
    R->n = 0;
    res = NULL;
    /* The first `limit` the caller keeps, moved to the front (R->n <= i):
     * only those get an id and an explanation. */
    for (size_t i = 0; i < nres && R->n < o.limit; i++) {
        const struct limen__ialert *a = &idx->alerts[R->r[i].alert];
        char *id = limen__strndup(idx->arena + a->id, a->id_len);
        if (!id)
            goto out;
        if (o.keep && !o.keep(id, o.keep_ud)) {
            limen__free(id);
            continue;
        }
        struct result *r = &R->r[R->n];
        if (r != &R->r[i])
            *r = R->r[i];
        r->id = id;
        R->n++;
        if (o.explain && (st = explain(idx, s, r)) != LIMEN_OK)
            goto out;
        st = LIMEN_ENOMEM;
    }
    *out = R;
    R = NULL;
    st = LIMEN_OK;
out:
    if (st == LIMEN_ENOMEM)
        limen__error_set(err, st, NULL, "out of memory");
    limen_results_free(R);
    limen__free(res);
    scratch_put(idx, s);
    return st;
}
