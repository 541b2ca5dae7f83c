/*
 * Dictionary neighbours: the tokens of the index a spelling may stand for.
 *
 * A query token looks up its fuzzy keys (index.c: the phonetic skeleton,
 * its variants and the bare word first, then the skeleton with one letter
 * deleted) and scores every dictionary token found there with the token
 * similarity (tsim.c). That costs a few hundred similarity programmes for a
 * common name, whose spellings fill the dictionary (Mohamed, Mohammed,
 * Muhammad, Mhamed...). Common names are also what most travellers carry,
 * so finish() computes the neighbours of the commonest tokens once and
 * stores them (limen__expand_build); screening reads the stored list when
 * the query spells a token exactly so, and runs the search otherwise.
 *
 * The tokens of the finished index and those added since finish() (the
 * delta keys) are searched apart: only the former are stored.
 */
#include "alloc.h"
#include "index_int.h"
#include "tsim.h"

#include <stdlib.h>
#include <string.h>

/* Tokens whose neighbours are stored: at most this many, the commonest,
 * and only those held by at least EXPAND_MIN_DF names. */
#define EXPAND_MAX_TOKENS 8192
#define EXPAND_MIN_DF 64

/* Length difference beyond which a token found under a deletion key is not
 * scored (transliteration variants are found under the exact keys). */
#ifndef DELETION_MAX_LEN_DIFF
#define DELETION_MAX_LEN_DIFF 2
#endif

/* A spelling found under the exact keys stops the search before the
 * deletion keys (LIMEN__DELETION_UNLESS) only when at least this many names
 * hold it: a spelling as rare as bilab (1 name in 10M) is as likely a typo
 * of a common one (bilal) as a name of its own. */
#ifndef DELETION_TRUST_DF
#define DELETION_TRUST_DF 16
#endif

/*
 * A search's working memory: the set of token ids met (open addressing,
 * 0 = empty), kept empty between searches (a search empties the slots it
 * filled, at most SEEN_CAP / 2, rather than clearing the whole table), and
 * the tokens met with their similarities.
 */
#define SEEN_CAP 8192

struct limen__expand_work {
    uint32_t slot[SEEN_CAP];
    uint16_t used[SEEN_CAP / 2];
    size_t n;
    /* the tokens to score, in the order met, their similarities, and the
     * order they are scored in */
    uint32_t cand[SEEN_CAP / 2];
    float sim[SEEN_CAP / 2];
    struct limen__sort_key key[SEEN_CAP / 2], tmp[SEEN_CAP / 2];
};

struct limen__expand_work *limen__expand_work_new(void)
{
    return limen__calloc(1, sizeof(struct limen__expand_work));
}

void limen__expand_work_free(struct limen__expand_work *w)
{
    limen__free(w);
}

static int seen_add(struct limen__expand_work *seen, uint32_t tok)
{
    uint32_t v = tok + 1;
    size_t i = (size_t)(v * 2654435761u) & (SEEN_CAP - 1);
    while (seen->slot[i]) {
        if (seen->slot[i] == v)
            return 0;
        i = (i + 1) & (SEEN_CAP - 1);
    }
    seen->slot[i] = v;
    seen->used[seen->n++] = (uint16_t)i;
    return 1;
}

static void seen_empty(struct limen__expand_work *seen)
{
    for (size_t i = 0; i < seen->n; i++)
        seen->slot[seen->used[i]] = 0;
    seen->n = 0;
}

int limen__joined_article(const char *text, int len)
{
    return (text[0] == 'a' || text[0] == 'e') && len >= 6 && text[1] == 'l' && text[2] != 'l' &&
           (!strchr("aeiou", text[2]) || len >= 7);
}

void limen__neighbour_prepare(struct limen__neighbour_query *q, const char *text, int len,
                              int flags, int is_pair)
{
    limen__tsim_prepare(&q->whole, text, len, flags);
    limen__tsim_cols_init(&q->cols, &q->whole);
    q->joined_article = !is_pair && limen__joined_article(text, len);
    if (q->joined_article)
        limen__tsim_prepare(&q->bare, text + 2, len - 2, flags);
}

float limen__neighbour_sim(const struct limen_index *idx, struct limen__neighbour_query *q,
                           uint32_t tok, float floor)
{
    const struct limen__dtok *t = &idx->toks[tok];
    const char *tt = idx->arena + t->text;
    int len = q->whole.len;
    /* below the floor the value does not matter: the programme may stop early */
    double min_sim = floor > idx->opts.min_token_similarity ? floor : idx->opts.min_token_similarity;
    float sim;
    if (len <= 2 || t->len <= 2)
        sim = (len == t->len && memcmp(q->whole.s, tt, (size_t)len) == 0) ? 1.0f : 0.0f;
    else
        sim = (float)limen__tsim_cols_sim(&q->cols, tt, t->len, t->flags, min_sim);
    /* A joined article (ELAMRANI, as passports write it) meets the bare
     * word of names that write it apart (El Amrani). */
    if (q->joined_article && t->len > 2 && sim < 0.98f) {
        float bare = (float)limen__tsim_min_side(&q->bare, tt, t->len, t->flags, min_sim) * 0.98f;
        if (bare > sim)
            sim = bare;
    }
    return sim;
}

static int key_below(const struct limen__sort_key *a, const struct limen__sort_key *b)
{
    return a->hi < b->hi || (a->hi == b->hi && a->lo < b->lo);
}

/* Runs this long are sorted by insertion before merging: cheaper than the
 * first four merge passes, which move every key once each. */
#define SORT_RUN 16

void limen__sort_keys(struct limen__sort_key *k, struct limen__sort_key *tmp, size_t n)
{
    for (size_t lo = 0; lo < n; lo += SORT_RUN) {
        size_t hi = lo + SORT_RUN < n ? lo + SORT_RUN : n;
        for (size_t i = lo + 1; i < hi; i++) {
            struct limen__sort_key x = k[i];
            size_t j = i;
            for (; j > lo && key_below(&x, &k[j - 1]); j--)
                k[j] = k[j - 1];
            k[j] = x;
        }
    }
    struct limen__sort_key *src = k, *dst = tmp;
    for (size_t width = SORT_RUN; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                dst[o++] = key_below(&src[j], &src[i]) ? src[j++] : src[i++];
            while (i < mid)
                dst[o++] = src[i++];
            while (j < hi)
                dst[o++] = src[j++];
        }
        struct limen__sort_key *x = src;
        src = dst;
        dst = x;
    }
    if (src != k)
        memcpy(k, src, n * sizeof *k);
}

/* How many tokens ahead the dictionary's records are prefetched. */
#define TOK_PREFETCH 8

/*
 * Scores the tokens cand[from .. to) into sim[]: in the order of their
 * first eight letters, so that the similarity programme of a prefix is
 * computed once for the tokens that share it (limen__tsim_cols_sim); the
 * search then reads them in the order they were met, as before.
 */
static void score_tokens(const struct limen_index *idx, struct limen__neighbour_query *nq,
                         struct limen__expand_work *seen, size_t from, size_t to, float floor)
{
    size_t n = to - from;
    for (size_t i = 0; i < n; i++) {
        /* two random reads a token, its record then its letters: started
         * TOK_PREFETCH and half that many tokens ahead */
        if (i + TOK_PREFETCH < n)
            __builtin_prefetch(&idx->toks[seen->cand[from + i + TOK_PREFETCH]]);
        if (i + TOK_PREFETCH / 2 < n)
            __builtin_prefetch(idx->arena +
                               idx->toks[seen->cand[from + i + TOK_PREFETCH / 2]].text);
        const struct limen__dtok *t = &idx->toks[seen->cand[from + i]];
        const char *tt = idx->arena + t->text;
        uint64_t hi = 0;
        for (int c = 0; c < 8; c++)
            hi = hi << 8 | (c < t->len ? (unsigned char)tt[c] : 0);
        seen->key[i] = (struct limen__sort_key){hi, 0, (uint32_t)(from + i)};
    }
    limen__sort_keys(seen->key, seen->tmp, n);
    for (size_t i = 0; i < n; i++) {
        uint32_t at = seen->key[i].at;
        seen->sim[at] = limen__neighbour_sim(idx, nq, seen->cand[at], floor);
    }
}

size_t limen__expand(const struct limen_index *idx, struct limen__expand_work *seen,
                     const char *text, int len, int flags, int is_pair, float floor, int delta,
                     struct limen__nb *out, size_t cap)
{
    uint64_t keys[LIMEN__MAX_KEYS];
    int nexact;
    int nk = limen__token_keys2(text, len, flags, keys, &nexact);
    struct limen__neighbour_query nq;
    limen__neighbour_prepare(&nq, text, len, flags, is_pair);
    size_t n = 0, nseen = 0, group = 0; /* cand[group ..]: met, not yet scored */
    float best_sim = 0.0f;
    /*
     * Exact keys first; the one-letter deletion keys, which reach typos and
     * OCR errors but also many unrelated tokens of a large dictionary, only
     * when the exact keys found no close spelling (LIMEN__DELETION_UNLESS).
     */
    for (int k = 0; k <= nk; k++) {
        if (k == nexact || k == nk || nseen >= SEEN_CAP / 2) {
            /* the tokens met under the keys so far, in the order met */
            score_tokens(idx, &nq, seen, group, nseen, floor);
            for (size_t i = group; i < nseen; i++) {
                uint32_t tok = seen->cand[i];
                float sim = seen->sim[i];
                if (sim > best_sim && idx->toks[tok].df + idx->toks[tok].ddf >= DELETION_TRUST_DF)
                    best_sim = sim;
                if (sim >= floor && n < cap) {
                    out[n].tok = tok;
                    out[n].sim = sim;
                    n++;
                }
            }
            group = nseen;
            if (k == nk || nseen >= SEEN_CAP / 2)
                break;
        }
        /* (two query tokens written as one must agree closely: a typo on
         * top of that is not searched) */
        if (k == nexact && (best_sim >= LIMEN__DELETION_UNLESS || is_pair))
            break;
        const uint32_t *ids;
        uint32_t dids[64];
        size_t m;
        if (delta) {
            m = limen__key_lookup_delta(idx, keys[k], dids, 64);
            ids = dids;
        } else {
            m = limen__key_lookup(idx, keys[k], &ids);
        }
        for (size_t i = 0; i < m && nseen < SEEN_CAP / 2; i++) {
            /* Under a deletion key (a typo's way in), a token much longer or
             * shorter is another name: its similarity is not computed. */
            if (k >= nexact) {
                if (i + TOK_PREFETCH < m)
                    __builtin_prefetch(&idx->toks[ids[i + TOK_PREFETCH]]);
                int d = (int)idx->toks[ids[i]].len - len;
                if (d > DELETION_MAX_LEN_DIFF || d < -DELETION_MAX_LEN_DIFF)
                    continue;
            }
            if (!seen_add(seen, ids[i]))
                continue;
            seen->cand[nseen++] = ids[i];
        }
    }
    seen_empty(seen);
    return n;
}

/* (document frequency << 32 | token id), sorted commonest first */
static int cmp_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x < y) - (x > y);
}

/*
 * The lists are searched in blocks of EXPAND_BLOCK tokens, the blocks on
 * as many threads as finish() has (a search only reads the index), each
 * into its own buffer; they are then laid out in the order of the
 * commonest tokens first, as one thread would.
 */
#define EXPAND_BLOCK 64

struct expand_block {
    struct limen__nb *nb; /* the lists of its tokens, back to back */
    size_t n, cap;
    uint32_t len[EXPAND_BLOCK]; /* each token's list length */
    int failed;
};

struct expand_job {
    struct limen_index *idx;
    const uint64_t *order;
    size_t cand;
    struct expand_block *blocks;
};

static void expand_block(void *ud, size_t b)
{
    struct expand_job *job = ud;
    struct limen_index *idx = job->idx;
    struct expand_block *bl = &job->blocks[b];
    struct limen__nb *buf = limen__reallocarray(NULL, LIMEN__MAX_NEIGHBOURS, sizeof *buf);
    struct limen__expand_work *work = limen__expand_work_new();
    if (!buf || !work) {
        limen__free(buf);
        limen__expand_work_free(work);
        bl->failed = 1;
        return;
    }
    for (size_t k = 0; k < EXPAND_BLOCK; k++) {
        size_t i = b * EXPAND_BLOCK + k;
        bl->len[k] = 0;
        if (i >= job->cand)
            break;
        const struct limen__dtok *t = &idx->toks[(uint32_t)job->order[i]];
        if (t->len < 2)
            continue;
        size_t n = limen__expand(idx, work, idx->arena + t->text, t->len, t->flags, 0,
                                 (float)idx->opts.min_token_similarity, 0, buf,
                                 LIMEN__MAX_NEIGHBOURS);
        if (bl->n + n > bl->cap) {
            size_t nc = bl->cap ? bl->cap * 2 : 4096;
            while (nc < bl->n + n)
                nc *= 2;
            struct limen__nb *p = limen__reallocarray(bl->nb, nc, sizeof *p);
            if (!p) {
                bl->failed = 1;
                break;
            }
            bl->nb = p;
            bl->cap = nc;
        }
        memcpy(bl->nb + bl->n, buf, n * sizeof *buf);
        bl->n += n;
        bl->len[k] = (uint32_t)n;
    }
    limen__free(buf);
    limen__expand_work_free(work);
}

limen_status limen__expand_build(struct limen_index *idx, unsigned threads)
{
    size_t cand = 0;
    for (size_t t = 0; t < idx->ntoks; t++) {
        idx->toks[t].exp = 0;
        cand += idx->toks[t].df >= EXPAND_MIN_DF;
    }
    idx->nnb = 0;
    if (!cand)
        return LIMEN_OK;
    limen_status st = LIMEN_ENOMEM;
    struct expand_block *blocks = NULL;
    size_t nblocks = 0;
    uint64_t *order = limen__reallocarray(NULL, cand, sizeof *order);
    if (!order)
        goto out;
    size_t k = 0;
    for (size_t t = 0; t < idx->ntoks; t++)
        if (idx->toks[t].df >= EXPAND_MIN_DF)
            order[k++] = (uint64_t)idx->toks[t].df << 32 | (uint32_t)t;
    qsort(order, cand, sizeof *order, cmp_desc);
    if (cand > EXPAND_MAX_TOKENS)
        cand = EXPAND_MAX_TOKENS;
    nblocks = (cand + EXPAND_BLOCK - 1) / EXPAND_BLOCK;
    blocks = limen__calloc(nblocks, sizeof *blocks);
    if (!blocks)
        goto out;
    struct expand_job job = {idx, order, cand, blocks};
    limen__parallel_for(threads, nblocks, expand_block, &job);
    /* one array: per token a header (its list's length) and the list */
    size_t total = 0;
    for (size_t b = 0; b < nblocks; b++) {
        if (blocks[b].failed)
            goto out;
        total += blocks[b].n;
    }
    total += cand;
    idx->nb = limen__reallocarray(NULL, total, sizeof *idx->nb);
    if (!idx->nb)
        goto out;
    for (size_t b = 0; b < nblocks; b++) {
        const struct limen__nb *src = blocks[b].nb;
        for (size_t j = 0; j < EXPAND_BLOCK; j++) {
            size_t i = b * EXPAND_BLOCK + j;
            if (i >= cand)
                break;
            if (idx->toks[(uint32_t)order[i]].len < 2)
                continue;
            uint32_t n = blocks[b].len[j];
            idx->nb[idx->nnb].tok = n; /* the list's header: its length */
            idx->nb[idx->nnb].sim = 0.0f;
            if (n)
                memcpy(idx->nb + idx->nnb + 1, src, n * sizeof *src);
            src += n;
            idx->toks[(uint32_t)order[i]].exp = (uint32_t)idx->nnb + 1;
            idx->nnb += n + 1;
        }
    }
    st = LIMEN_OK;
out:
    for (size_t b = 0; blocks && b < nblocks; b++)
        limen__free(blocks[b].nb);
    limen__free(blocks);
    limen__free(order);
    if (st != LIMEN_OK) {
        for (size_t t = 0; t < idx->ntoks; t++)
            idx->toks[t].exp = 0;
        idx->nnb = 0;
    }
    return st;
}
