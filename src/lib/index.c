/*
 * The screening index.
 *
 * Layout (integer ids and offsets into one string arena; no allocation per
 * alert):
 *
 *   alerts[a]  -> names[name0 .. name0+nname), dobs, nats, docs
 *   names[n]   -> ntok[tok .. tok+ntok): token ids, nkind: their kinds
 *   toks[t]    -> canonical text in the arena, document frequency, weight,
 *                 postings post[t.post ..): the names holding the token
 *   keys       -> sorted 64-bit fuzzy keys; key_tok[key_off[k] ..
 *                 key_off[k+1]): the dictionary tokens under key k
 *   doc_keys   -> sorted OCR keys of document numbers (their high half), with
 *                 their alert
 *
 * Fuzzy keys are built on the dictionary, not on alerts: a token's phonetic
 * skeleton (vowels dropped, letters folded into classes the transliterations
 * confuse: q/k/c/x, g/j, s/z/c, t/d/th/dh, f/v/p), and the skeleton with one
 * letter deleted. A query token looks its own keys up, scores the dictionary
 * tokens it finds with the full token similarity, and only then walks the
 * postings of the good ones. So the work per query grows with the number of
 * distinct spellings near the query, not with the number of alerts.
 *
 *   mohamed  -> skeleton "mhmt" (muhammad, mouhamad, mhmd from Arabic: same)
 *              deletions "hmt" "mmt" "mht" "mhm"
 *
 * finish() rebuilds postings, keys and document keys from the primary arrays,
 * so add/remove followed by finish() gives what a fresh build gives.
 */
#include "alloc.h"
#include "limen/buf.h"
#include "country.h"
#include "entity_int.h"
#include "entity_scan.h"
#include "index_int.h"
#include "status_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t limen__hash(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ULL ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return h;
}

const char *limen__name_prop_label(int prop)
{
    switch (prop) {
    case LIMEN__NP_NAME:
        return "name";
    case LIMEN__NP_ALIAS:
        return "alias";
    case LIMEN__NP_PREVIOUS:
        return "previousName";
    case LIMEN__NP_WEAK:
        return "weakAlias";
    case LIMEN__NP_PARTS:
        return "name parts";
    }
    return "?";
}

void limen_index_options_init(struct limen_index_options *o)
{
    o->max_candidates = 64;
    o->min_token_similarity = 0.70;
    o->threads = 0;
    o->max_memory = 0;
}

/* The bytes of the arrays alerts are filed in, as allocated (capacities). */
static size_t filed_bytes(const struct limen_index *idx)
{
    return idx->arena_cap + idx->alerts_cap * sizeof *idx->alerts +
           idx->names_cap * sizeof *idx->names + idx->ntok_cap * sizeof *idx->ntok +
           idx->dobs_cap * sizeof *idx->dobs + idx->nats_cap * sizeof *idx->nats +
           idx->docs_cap * sizeof *idx->docs + idx->toks_cap * sizeof *idx->toks +
           idx->dict_cap * sizeof *idx->dict + idx->ids_cap * sizeof *idx->ids;
}

/* ---- growth helpers ---- */

/* Grows an array to hold `need` elements. An array of a loaded index that
 * still points into the file mapping is copied out to the heap. */
static int grow_in(const struct limen_index *idx, void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need) {
        if (c > SIZE_MAX / 2 / elem)
            return -1;
        c *= 2;
    }
    if (idx->opts.max_memory && filed_bytes(idx) + (c - *cap) * elem > idx->opts.max_memory) {
        ((struct limen_index *)idx)->over_limit = 1;
        return -1;
    }
    void *np;
    if (*p && limen__in_map(idx, *p)) {
        np = limen__reallocarray(NULL, c, elem);
        if (np)
            memcpy(np, *p, *cap * elem);
    } else {
        np = limen__reallocarray(*p, c, elem);
    }
    if (!np)
        return -1;
    *p = np;
    *cap = c;
    return 0;
}

#define GROW(arr, cap, need) grow_in(idx, (void **)&(arr), &(cap), (need), sizeof *(arr))

/* Frees an array unless it lives in the mapping of a loaded index. */
static void ifree(const struct limen_index *idx, void *p)
{
    if (!limen__in_map(idx, p))
        limen__free(p);
}

/*
 * Appends bytes to the arena, and a NUL when `nul` (token texts and
 * document numbers are C strings; alert ids and written names are read
 * with their length, and 10 million alerts save 20 MB without). Returns
 * the offset or UINT32_MAX.
 */
static uint32_t arena_put(struct limen_index *idx, const char *s, size_t len, int nul)
{
    size_t need = len + (nul ? 1 : 0);
    if (idx->arena_len + need > UINT32_MAX)
        return UINT32_MAX;
    if (grow_in(idx, (void **)&idx->arena, &idx->arena_cap, idx->arena_len + need, 1) != 0)
        return UINT32_MAX;
    uint32_t off = (uint32_t)idx->arena_len;
    if (len)
        memcpy(idx->arena + off, s, len);
    if (nul)
        idx->arena[off + len] = '\0';
    idx->arena_len += need;
    return off;
}

static uint32_t arena_add(struct limen_index *idx, const char *s, size_t len)
{
    return arena_put(idx, s, len, 1);
}

limen_status limen_index_new(const struct limen_index_options *opts, struct limen_index **out)
{
    *out = NULL;
    struct limen_index *idx = limen__calloc(1, sizeof *idx);
    if (!idx)
        return LIMEN_ENOMEM;
    if (opts)
        idx->opts = *opts;
    else
        limen_index_options_init(&idx->opts);
    if (idx->opts.max_candidates == 0)
        idx->opts.max_candidates = 64;
    limen_status st = limen__normalizer_new(&idx->nz);
    if (st != LIMEN_OK) {
        limen__free(idx);
        return st;
    }
    if (pthread_mutex_init(&idx->pool_lock, NULL) != 0) {
        limen__normalizer_free(idx->nz);
        limen__free(idx);
        return LIMEN_ENOMEM;
    }
    *out = idx;
    return LIMEN_OK;
}

/* A heap copy of n elements of `elem` bytes at src into *dst (NULL when n is 0). Returns 0 or -1. */
static int copy_array(void **dst, const void *src, size_t n, size_t elem)
{
    *dst = NULL;
    if (!n)
        return 0;
    if (n > SIZE_MAX / elem || !(*dst = limen__malloc(n * elem)))
        return -1;
    memcpy(*dst, src, n * elem);
    return 0;
}

#define COPY(field, n) copy_array((void **)&c->field, idx->field, (n), sizeof *idx->field)

limen_status limen_index_clone(const struct limen_index *idx, const struct limen_index_options *opts,
                               struct limen_index **out)
{
    *out = NULL;
    struct limen_index_options o = idx->opts;
    if (opts) {
        o.threads = opts->threads;
        o.max_memory = opts->max_memory;
    }
    if (o.max_memory && filed_bytes(idx) > o.max_memory)
        return LIMEN_ELIMIT;
    struct limen_index *c = NULL;
    limen_status st = limen_index_new(&o, &c);
    if (st != LIMEN_OK)
        return st;
    /* What the alerts were filed into; the rest is derived and built again by finish(). */
    if (COPY(arena, idx->arena_len) || COPY(alerts, idx->nalerts) || COPY(names, idx->nnames) ||
        COPY(ntok, idx->nntok) || COPY(dobs, idx->ndobs) || COPY(nats, idx->nnats) ||
        COPY(docs, idx->ndocs) || COPY(toks, idx->ntoks) || COPY(dict, idx->dict_cap) ||
        COPY(ids, idx->ids_cap)) {
        limen_index_free(c);
        return LIMEN_ENOMEM;
    }
    c->arena_len = c->arena_cap = idx->arena_len;
    c->nalerts = c->alerts_cap = idx->nalerts;
    c->nnames = c->names_cap = idx->nnames;
    c->nntok = c->ntok_cap = idx->nntok;
    c->ndobs = c->dobs_cap = idx->ndobs;
    c->nnats = c->nats_cap = idx->nnats;
    c->ndocs = c->docs_cap = idx->ndocs;
    c->ntoks = c->toks_cap = idx->ntoks;
    c->dict_cap = idx->dict_cap;
    c->ids_cap = idx->ids_cap;
    c->live = idx->live;
    c->live_names = idx->live_names;
    /* The tokens' links into the source's derived arrays mean nothing here. */
    for (size_t t = 0; t < c->ntoks; t++)
        c->toks[t].ddf = c->toks[t].dhead = c->toks[t].exp = 0;
    *out = c;
    return LIMEN_OK;
}

#undef COPY

static void free_delta(struct limen_index *idx)
{
    limen__free(idx->dp_name);
    limen__free(idx->dp_next);
    limen__free(idx->dp_yb);
    idx->dp_yb = NULL;
    limen__free(idx->dk_key);
    limen__free(idx->dk_tok);
    limen__free(idx->dd_key);
    limen__free(idx->dd_alert);
    idx->dp_name = idx->dp_next = idx->dk_tok = idx->dd_alert = NULL;
    idx->dk_key = idx->dd_key = NULL;
    idx->ndp = idx->dp_cap = idx->ndk = idx->dk_cap = idx->ndd = idx->dd_cap = 0;
    idx->ndead_delta = idx->nadded_delta = 0;
    limen__dobk_free_delta(idx);
    for (size_t t = 0; t < idx->ntoks; t++)
        if (idx->toks[t].ddf || idx->toks[t].dhead)
            idx->toks[t].ddf = idx->toks[t].dhead = 0;
}

static void srcs_free(struct limen_index *idx);

static void free_derived(struct limen_index *idx)
{
    free_delta(idx);
    limen__dobk_free(idx);
    ifree(idx, idx->post);
    ifree(idx, idx->keys);
    ifree(idx, idx->key_off);
    ifree(idx, idx->key_tok);
    ifree(idx, idx->doc_keys);
    ifree(idx, idx->doc_alert);
    ifree(idx, idx->post_yb);
    idx->post_yb = NULL;
    ifree(idx, idx->nb);
    idx->nb = NULL;
    idx->nnb = 0;
    for (size_t t = 0; t < idx->ntoks; t++)
        idx->toks[t].exp = 0;
    idx->post = NULL;
    idx->keys = NULL;
    idx->key_off = NULL;
    idx->key_tok = NULL;
    idx->doc_keys = NULL;
    idx->doc_alert = NULL;
    idx->nkeys = 0;
    idx->ndoc_keys = 0;
    idx->finished = 0;
}

/* Frees the filed arrays (what alerts were filed into) and the mapping of a loaded file. */
static void free_filed(struct limen_index *idx)
{
    ifree(idx, idx->arena);
    ifree(idx, idx->alerts);
    ifree(idx, idx->names);
    ifree(idx, idx->ntok);
    ifree(idx, idx->dobs);
    ifree(idx, idx->nats);
    ifree(idx, idx->docs);
    ifree(idx, idx->toks);
    ifree(idx, idx->dict);
    ifree(idx, idx->ids);
    srcs_free(idx);
    limen__index_unmap(idx);
}

/* Frees screening's pooled working memory. */
static void pool_clear(struct limen_index *idx)
{
    for (int i = 0; i < idx->npool; i++)
        limen__scratch_free(idx->pool[i]);
    idx->npool = 0;
}

void limen_index_free(struct limen_index *idx)
{
    if (!idx)
        return;
    free_derived(idx);
    pool_clear(idx);
    pthread_mutex_destroy(&idx->pool_lock);
    limen__normalizer_free(idx->nz);
    free_filed(idx);
    limen__free(idx);
}

/* ---- dictionary ---- */

/*
 * Whether a hash table of `cap` slots is too full for n entries: beyond
 * `quarters` quarters. The dictionary (small, read by every query) and the
 * written names (only while building) stay at most half full; the alert
 * ids, saved with the index, three quarters (at half full they cost 13
 * bytes per alert at 10 million alerts; a quarter of free slots still ends
 * a probe soon enough).
 */
#define DICT_LOAD 2
#define IDS_LOAD 3
#define SRCS_LOAD 2
static int table_full(size_t n, size_t cap, int quarters)
{
    return n * 4 > cap * (size_t)quarters;
}

/*
 * The hash of the in-memory tables (dictionary, alert ids, written names):
 * the 8-bytes-a-step hash of saved files, several times faster than the
 * byte-at-a-time limen__hash() on ids and names. Only slots depend on it,
 * never an order that results depend on (fuzzy and document keys keep
 * limen__hash()).
 */
static uint64_t table_hash(const char *s, size_t len, uint64_t seed)
{
    return limen__index_checksum((const unsigned char *)s, len, seed);
}

static uint64_t tok_hash(const char *text, size_t len, int flags)
{
    return table_hash(text, len, (uint64_t)(flags & LIMEN__TF_ARABIC));
}

/* Dictionary lookup with the token's hash (tok_hash) already computed. */
static uint32_t dict_find_h(const struct limen_index *idx, const char *text, size_t len, int flags,
                            uint64_t h)
{
    if (!idx->dict_cap)
        return UINT32_MAX;
    size_t mask = idx->dict_cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t slot = idx->dict[i];
        if (!slot)
            return UINT32_MAX;
        const struct limen__dtok *t = &idx->toks[slot - 1];
        if (t->len == len && (t->flags & LIMEN__TF_ARABIC) == flags &&
            memcmp(idx->arena + t->text, text, len) == 0)
            return slot - 1;
    }
}

uint32_t limen__dict_find(const struct limen_index *idx, const char *text, size_t len, int flags)
{
    flags &= LIMEN__TF_ARABIC;
    return dict_find_h(idx, text, len, flags, tok_hash(text, len, flags));
}

static int dict_rehash(struct limen_index *idx, size_t cap)
{
    uint32_t *d = limen__calloc(cap, sizeof *d);
    if (!d)
        return -1;
    for (size_t t = 0; t < idx->ntoks; t++) {
        const struct limen__dtok *k = &idx->toks[t];
        size_t i = tok_hash(idx->arena + k->text, k->len, k->flags & LIMEN__TF_ARABIC) & (cap - 1);
        while (d[i])
            i = (i + 1) & (cap - 1);
        d[i] = (uint32_t)t + 1;
    }
    ifree(idx, idx->dict);
    idx->dict = d;
    idx->dict_cap = cap;
    return 0;
}

/* Finds or adds a token whose hash (tok_hash) is h; UINT32_MAX when out of memory. */
static uint32_t dict_intern(struct limen_index *idx, const char *text, size_t len, int flags,
                            uint64_t h)
{
    flags &= LIMEN__TF_ARABIC;
    uint32_t id = dict_find_h(idx, text, len, flags, h);
    if (id != UINT32_MAX)
        return id;
    if (table_full(idx->ntoks + 1, idx->dict_cap, DICT_LOAD) &&
        dict_rehash(idx, idx->dict_cap ? idx->dict_cap * 2 : 1024) != 0)
        return UINT32_MAX;
    if (idx->ntoks >= UINT32_MAX - 1 || GROW(idx->toks, idx->toks_cap, idx->ntoks + 1) != 0)
        return UINT32_MAX;
    uint32_t off = arena_add(idx, text, len);
    if (off == UINT32_MAX)
        return UINT32_MAX;
    struct limen__dtok *t = &idx->toks[idx->ntoks];
    memset(t, 0, sizeof *t);
    t->text = off;
    t->len = (uint8_t)len;
    t->flags = (uint8_t)flags;
    t->kind = (uint8_t)limen__token_kind(idx->arena + off, (int)len, 2);
    size_t mask = idx->dict_cap - 1;
    size_t i = h & mask;
    while (idx->dict[i])
        i = (i + 1) & mask;
    idx->dict[i] = (uint32_t)idx->ntoks + 1;
    return (uint32_t)idx->ntoks++;
}

/* ---- string tables: alert ids, written names ---- */

/*
 * Two open-addressing tables map a string to the record holding it (slot
 * = record + 1): the alert ids, and while alerts are added before the
 * first finish() the written names (so that names written alike share
 * their bytes in the arena). A table only holds records; their strings
 * are read from the arena through `key`.
 */
typedef const char *(*table_key_fn)(const struct limen_index *idx, uint32_t rec, size_t *len);

static const char *alert_id_key(const struct limen_index *idx, uint32_t a, size_t *len)
{
    *len = idx->alerts[a].id_len;
    return idx->arena + idx->alerts[a].id;
}

static const char *name_src_key(const struct limen_index *idx, uint32_t n, size_t *len)
{
    *len = idx->names[n].src_len;
    return idx->arena + idx->names[n].src;
}

/* The record whose string is s (hash h), or UINT32_MAX. */
static uint32_t table_find(const struct limen_index *idx, const uint32_t *tab, size_t cap,
                           table_key_fn key, const char *s, size_t len, uint64_t h)
{
    if (!cap)
        return UINT32_MAX;
    size_t mask = cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t slot = tab[i];
        if (!slot)
            return UINT32_MAX;
        size_t l;
        const char *k = key(idx, slot - 1, &l);
        if (l == len && memcmp(k, s, len) == 0)
            return slot - 1;
    }
}

/* Grows a table to hold `need` records at most `quarters` full, rehashing
 * with table_hash(seed). */
static int table_reserve(const struct limen_index *idx, uint32_t **tab, size_t *cap, size_t need,
                         int quarters, table_key_fn key, uint64_t seed)
{
    if (!table_full(need, *cap, quarters))
        return 0;
    size_t nc = *cap ? *cap : 1024;
    while (table_full(need, nc, quarters))
        nc *= 2;
    uint32_t *d = limen__calloc(nc, sizeof *d);
    if (!d)
        return -1;
    for (size_t i = 0; i < *cap; i++) {
        uint32_t slot = (*tab)[i];
        if (!slot)
            continue;
        size_t l;
        const char *k = key(idx, slot - 1, &l);
        size_t j = table_hash(k, l, seed) & (nc - 1);
        while (d[j])
            j = (j + 1) & (nc - 1);
        d[j] = slot;
    }
    ifree(idx, *tab);
    *tab = d;
    *cap = nc;
    return 0;
}

#define ID_SEED 7
#define SRC_SEED 11

static uint64_t id_hash(const char *id, size_t len)
{
    return table_hash(id, len, ID_SEED);
}

static uint32_t id_find(const struct limen_index *idx, const char *id, size_t len, uint64_t h)
{
    return table_find(idx, idx->ids, idx->ids_cap, alert_id_key, id, len, h);
}

uint32_t limen__alert_find(const struct limen_index *idx, const char *id, size_t len)
{
    return id_find(idx, id, len, id_hash(id, len));
}

/* Files alert `alert` under its id (hash h): the newer alert takes an id. */
static int ids_put(struct limen_index *idx, uint32_t alert, uint64_t h)
{
    if (table_reserve(idx, &idx->ids, &idx->ids_cap, idx->nalerts + 1, IDS_LOAD, alert_id_key,
                      ID_SEED))
        return -1;
    const struct limen__ialert *a = &idx->alerts[alert];
    size_t mask = idx->ids_cap - 1;
    size_t j = h & mask;
    while (idx->ids[j]) {
        if (idx->ids[j] == alert + 1)
            return 0;
        uint32_t other = idx->ids[j] - 1;
        const struct limen__ialert *o = &idx->alerts[other];
        if (o->id_len == a->id_len &&
            memcmp(idx->arena + o->id, idx->arena + a->id, a->id_len) == 0) {
            idx->ids[j] = alert + 1; /* the newer alert takes the id */
            return 0;
        }
        j = (j + 1) & mask;
    }
    idx->ids[j] = alert + 1;
    return 0;
}

static uint64_t src_hash(const char *s, size_t len)
{
    return table_hash(s, len, SRC_SEED);
}

/* The arena offset of a written form held already (hash h), or UINT32_MAX. */
static uint32_t src_find(const struct limen_index *idx, const char *s, size_t len, uint64_t h)
{
    uint32_t n = table_find(idx, idx->srcs, idx->srcs_cap, name_src_key, s, len, h);
    return n == UINT32_MAX ? n : idx->names[n].src;
}

/* Makes room for `more` forms, so that recording them (src_put) cannot fail. */
static int srcs_reserve(struct limen_index *idx, size_t more)
{
    return table_reserve(idx, &idx->srcs, &idx->srcs_cap, idx->nsrcs + more, SRCS_LOAD,
                         name_src_key, SRC_SEED);
}

/* Records the written form of name n (hash h); room was reserved. */
static void src_put(struct limen_index *idx, uint32_t n, uint64_t h)
{
    size_t mask = idx->srcs_cap - 1;
    size_t j = h & mask;
    while (idx->srcs[j])
        j = (j + 1) & mask;
    idx->srcs[j] = n + 1;
    idx->nsrcs++;
}

/* ---- written forms rebuilt from the tokens ---- */

#define FORM_CASE_SHIFT 4
#define FORM_SEP_SHIFT  32
#define FORM_BITS       48

static char ascii_upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Letter i of a word written in case `c` (the recipe's 0 as is, 1 capitalised, 2 upper). */
static char cased(char t, unsigned c, size_t i)
{
    return c == 2 || (c == 1 && i == 0) ? ascii_upper(t) : t;
}

/* Whether `w` is token text (t, n) written in case `c`. */
static int written_as(const char *w, const char *t, size_t n, unsigned c)
{
    for (size_t i = 0; i < n; i++)
        if (w[i] != cased(t[i], c, i))
            return 0;
    return 1;
}

/*
 * Writes the form a recipe gives for tokens text[0 .. n) (lengths len[])
 * into buf, which has room for LIMEN__FORM_BUF bytes, and returns its
 * length. The recipe was checked (limen__form_recipe_valid()) and each
 * token holds at most LIMEN__TOKEN_MAX bytes, so it fits.
 */
static size_t form_write(const char *const *text, const uint8_t *len, unsigned n, uint64_t recipe,
                         char *buf)
{
    unsigned r = (unsigned)(recipe & 15);
    size_t o = 0;
    for (unsigned j = 0; j < n; j++) {
        unsigned k = (r + j) % n;
        if (j && r && j == n - r) {
            buf[o++] = ',';
            buf[o++] = ' ';
        } else if (j) {
            buf[o++] = (recipe >> (FORM_SEP_SHIFT + j - 1)) & 1 ? '-' : ' ';
        }
        unsigned c = (unsigned)(recipe >> (FORM_CASE_SHIFT + 2 * j)) & 3;
        for (unsigned i = 0; i < len[k]; i++)
            buf[o + i] = cased(text[k][i], c, i);
        o += len[k];
    }
    return o;
}

/* The recipe of (s, len) for the tokens in written order from r, or 0 with *ok = 0. */
static uint64_t recipe_from(const struct limen__name *nm, unsigned r, const char *s, size_t len,
                            int *ok)
{
    unsigned n = (unsigned)nm->n;
    uint64_t recipe = r;
    size_t p = 0;
    *ok = 0;
    for (unsigned j = 0; j < n; j++) {
        const struct limen__token *t = &nm->tok[(r + j) % n];
        if (j && r && j == n - r) {
            if (len - p < 2 || s[p] != ',' || s[p + 1] != ' ')
                return 0;
            p += 2;
        } else if (j) {
            if (p >= len || (s[p] != ' ' && s[p] != '-'))
                return 0;
            if (s[p] == '-')
                recipe |= (uint64_t)1 << (FORM_SEP_SHIFT + j - 1);
            p++;
        }
        if (len - p < t->len)
            return 0;
        unsigned c = 0;
        while (c < 3 && !written_as(s + p, t->text, t->len, c))
            c++;
        if (c == 3)
            return 0;
        recipe |= (uint64_t)c << (FORM_CASE_SHIFT + 2 * j);
        p += t->len;
    }
    *ok = p == len;
    return recipe;
}

int limen__form_recipe(const struct limen__name *nm, const char *s, size_t len, uint64_t *recipe)
{
    unsigned n = (unsigned)nm->n;
    if (n == 0 || n > LIMEN__FORM_MAX_TOKENS || nm->dropped || len > LIMEN__FORM_BUF)
        return 0;
    /* A comma only ever comes from a rotated order (LAST, First). */
    unsigned rotations = memchr(s, ',', len) ? n : 1;
    for (unsigned r = 0; r < rotations; r++) {
        int ok;
        uint64_t rc = recipe_from(nm, r, s, len, &ok);
        if (!ok)
            continue;
        /* What is read back is what was written: checked, not assumed. */
        const char *text[LIMEN__FORM_MAX_TOKENS];
        uint8_t tl[LIMEN__FORM_MAX_TOKENS];
        for (unsigned k = 0; k < n; k++) {
            text[k] = nm->tok[k].text;
            tl[k] = nm->tok[k].len;
        }
        char buf[LIMEN__FORM_BUF];
        if (!limen__form_recipe_valid(rc, n) || form_write(text, tl, n, rc, buf) != len ||
            memcmp(buf, s, len) != 0)
            return 0;
        *recipe = rc;
        return 1;
    }
    return 0;
}

int limen__form_recipe_valid(uint64_t recipe, unsigned ntok)
{
    if (ntok == 0 || ntok > LIMEN__FORM_MAX_TOKENS || recipe >> FORM_BITS)
        return 0;
    unsigned r = (unsigned)(recipe & 15);
    if (r >= ntok)
        return 0;
    /* two bits of case a word: none is 3, none is set past the last word
     * (bit tricks, not a loop: this runs for every name of a loaded file) */
    uint64_t cases = (recipe >> FORM_CASE_SHIFT) & 0xfffffffu;
    if ((cases & (cases >> 1) & 0x5555555u) || cases >> (2 * ntok))
        return 0;
    uint64_t seps = recipe >> FORM_SEP_SHIFT;
    /* separators sit between words, and the wrap point has its comma */
    if (seps >> (ntok - 1) || (r && ((seps >> (ntok - r - 1)) & 1)))
        return 0;
    return 1;
}

const char *limen__name_form(const struct limen_index *idx, uint32_t n, char *buf, size_t *len)
{
    const struct limen__iname *in = &idx->names[n];
    if (!in->rebuilt) {
        *len = in->src_len;
        return idx->arena + in->src;
    }
    const char *text[LIMEN__FORM_MAX_TOKENS];
    uint8_t tl[LIMEN__FORM_MAX_TOKENS];
    unsigned nt = in->ntok < LIMEN__FORM_MAX_TOKENS ? in->ntok : LIMEN__FORM_MAX_TOKENS;
    for (unsigned k = 0; k < nt; k++) {
        const struct limen__dtok *t = &idx->toks[idx->ntok[in->tok + k]];
        text[k] = idx->arena + t->text;
        tl[k] = t->len;
    }
    *len = form_write(text, tl, nt, in->src | (uint64_t)in->src_len << 32, buf);
    return buf;
}

static void srcs_free(struct limen_index *idx)
{
    limen__free(idx->srcs);
    idx->srcs = NULL;
    idx->srcs_cap = idx->nsrcs = 0;
}

/* ---- facts of an entity ---- */

static uint16_t pack_country(const char *cc)
{
    if (!cc || !cc[0] || !cc[1])
        return 0;
    return (uint16_t)(((unsigned char)cc[0] << 8) | (unsigned char)cc[1]);
}

static void add_name(struct limen__facts *f, const char *s, size_t len, int prop)
{
    if (f->nnames >= LIMEN__MAX_NAMES || len == 0)
        return;
    f->names[f->nnames].s = s;
    f->names[f->nnames].len = len;
    f->names[f->nnames].prop = (uint8_t)prop;
    f->nnames++;
}

static void add_doc(struct limen__facts *f, const char *s, size_t len, int kind, uint16_t country)
{
    if (f->ndoc >= LIMEN__MAX_FACTS)
        return;
    size_t n = limen__docnum_norm(s, len, f->docs[f->ndoc].num, sizeof f->docs[f->ndoc].num);
    if (n < 3)
        return; /* too short to identify anything */
    f->docs[f->ndoc].len = (uint8_t)n;
    f->docs[f->ndoc].kind = (uint8_t)kind;
    f->docs[f->ndoc].country = country;
    f->ndoc++;
}

/*
 * The facts come from a parsed entity or from a line the entity scanner
 * handled (entity_scan.h, the index build's fast path); these read either,
 * so that there is one reading of the facts for both.
 */
static size_t src_count(const struct limen__fact_src *src, enum limen__escan_prop p)
{
    if (src->scan)
        return limen__escan_count(src->scan, p);
    return limen_entity_count(src->entity, limen__escan_prop_name(p));
}

/* Value i of property p (not NUL-terminated from a scan), NULL when none. */
static const char *src_value(const struct limen__fact_src *src, enum limen__escan_prop p, size_t i,
                             size_t *len)
{
    if (src->scan)
        return limen__escan_value(src->scan, p, i, len);
    return limen_entity_value(src->entity, limen__escan_prop_name(p), i, len);
}

static enum limen_schema src_schema(const struct limen__fact_src *src)
{
    return src->scan ? src->scan->schema : limen_entity_schema(src->entity);
}

static const char *src_id(const struct limen__fact_src *src, size_t *len)
{
    if (src->scan) {
        *len = src->scan->id.len;
        return src->scan->id.s;
    }
    const char *id = limen_entity_id(src->entity);
    *len = strlen(id);
    return id;
}

static void facts_read(const struct limen__fact_src *src, struct limen__facts *f)
{
    static const struct {
        enum limen__escan_prop prop;
        int kind;
    } name_props[] = {{LIMEN__EP_NAME, LIMEN__NP_NAME},
                      {LIMEN__EP_ALIAS, LIMEN__NP_ALIAS},
                      {LIMEN__EP_PREVIOUS_NAME, LIMEN__NP_PREVIOUS},
                      {LIMEN__EP_WEAK_ALIAS, LIMEN__NP_WEAK}};
    memset(f, 0, offsetof(struct limen__facts, composed));
    f->composed[0] = '\0';
    f->ndob = f->nnat = f->ndoc = 0;
    f->gender = 0;
    for (size_t p = 0; p < sizeof name_props / sizeof name_props[0]; p++) {
        size_t n = src_count(src, name_props[p].prop);
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *s = src_value(src, name_props[p].prop, i, &len);
            add_name(f, s, len, name_props[p].kind);
        }
    }
    /* Name parts make one more name when there is no full name, or when they
     * say more than it (a query typed as first and last name). */
    static const enum limen__escan_prop parts[] = {LIMEN__EP_FIRST_NAME, LIMEN__EP_SECOND_NAME,
                                                   LIMEN__EP_MIDDLE_NAME, LIMEN__EP_FATHER_NAME,
                                                   LIMEN__EP_LAST_NAME};
    size_t clen = 0;
    for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
        size_t len;
        const char *s = src_value(src, parts[p], 0, &len);
        if (!s)
            continue;
        if (clen + len + 2 >= sizeof f->composed)
            break;
        if (clen)
            f->composed[clen++] = ' ';
        memcpy(f->composed + clen, s, len);
        clen += len;
        f->composed[clen] = '\0';
    }
    if (clen) {
        int dup = 0;
        for (int i = 0; i < f->nnames; i++)
            if (f->names[i].len == clen && memcmp(f->names[i].s, f->composed, clen) == 0)
                dup = 1;
        if (!dup && f->nnames == 0)
            add_name(f, f->composed, clen, LIMEN__NP_PARTS);
    }
    size_t n = src_count(src, LIMEN__EP_BIRTH_DATE);
    for (size_t i = 0; i < n && f->ndob < LIMEN__MAX_FACTS; i++) {
        size_t len;
        const char *s = src_value(src, LIMEN__EP_BIRTH_DATE, i, &len);
        if (limen__date_parse(s, len, &f->dobs[f->ndob]) == 0)
            f->ndob++;
    }
    size_t glen = 0;
    const char *g = src_value(src, LIMEN__EP_GENDER, 0, &glen);
    if (g && glen) {
        if (g[0] == 'm' || g[0] == 'M')
            f->gender = 1;
        else if (g[0] == 'f' || g[0] == 'F')
            f->gender = 2;
        else if (g[0] == 'x' || g[0] == 'X' || g[0] == 'o' || g[0] == 'O')
            f->gender = 3;
    }
    static const enum limen__escan_prop nat_props[] = {LIMEN__EP_NATIONALITY,
                                                       LIMEN__EP_CITIZENSHIP};
    for (size_t p = 0; p < 2; p++) {
        n = src_count(src, nat_props[p]);
        for (size_t i = 0; i < n && f->nnat < LIMEN__MAX_FACTS; i++) {
            size_t len;
            const char *s = src_value(src, nat_props[p], i, &len);
            uint16_t c = pack_country(limen__country_code(s, len));
            int dup = 0;
            for (int k = 0; k < f->nnat; k++)
                dup |= f->nats[k] == c;
            if (c && !dup)
                f->nats[f->nnat++] = c;
        }
    }
    enum limen_schema sc = src_schema(src);
    if (sc == LIMEN_SCHEMA_PASSPORT || sc == LIMEN_SCHEMA_IDENTIFICATION) {
        size_t clen2 = 0;
        const char *cs = src_value(src, LIMEN__EP_COUNTRY, 0, &clen2);
        uint16_t c = cs ? pack_country(limen__country_code(cs, clen2)) : 0;
        n = src_count(src, LIMEN__EP_NUMBER);
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *s = src_value(src, LIMEN__EP_NUMBER, i, &len);
            add_doc(f, s, len, sc == LIMEN_SCHEMA_PASSPORT ? 0 : 1, c);
        }
    }
    static const struct {
        enum limen__escan_prop prop;
        int kind;
    } doc_props[] = {{LIMEN__EP_PASSPORT_NUMBER, 0}, {LIMEN__EP_ID_NUMBER, 1}};
    for (size_t p = 0; p < 2; p++) {
        n = src_count(src, doc_props[p].prop);
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *s = src_value(src, doc_props[p].prop, i, &len);
            add_doc(f, s, len, doc_props[p].kind, 0);
        }
    }
}

void limen__facts_read(const struct limen_entity *e, struct limen__facts *f)
{
    const struct limen__fact_src src = {e, NULL};
    facts_read(&src, f);
}

/* ---- changes after finish(): the delta ---- */

/* Whether token k of a name already occurred earlier in it (postings list a
 * name once per distinct token). */
static int repeated_token(const struct limen_index *idx, const struct limen__iname *in, uint32_t k)
{
    uint32_t t = idx->ntok[in->tok + k];
    for (uint32_t j = 0; j < k; j++)
        if (idx->ntok[in->tok + j] == t)
            return 1;
    return 0;
}

/* The lookup key of a document number with its OCR confusions folded. */
static uint64_t doc_ocr_key(const struct limen_index *idx, const struct limen__idoc *doc)
{
    char ocr[LIMEN__DOCNUM_MAX + 1];
    memcpy(ocr, idx->arena + doc->num, doc->len);
    limen__docnum_ocr(ocr, doc->len);
    return limen__doc_key(ocr, doc->len);
}

/*
 * Token weight from its document frequency among the live names: rare
 * tokens carry more evidence. The same formula serves finish() and the
 * delta, so that a token touched by an incremental change weighs what a
 * fresh build would give it.
 */
static float token_weight(const struct limen_index *idx, const struct limen__dtok *t, double n_live)
{
    double ref = log(n_live + 1.0);
    if (ref > 7.0)
        ref = 7.0;
    if (ref < 1.0)
        ref = 1.0;
    double idf = log((n_live + 1.0) / ((double)t->df + (double)t->ddf + 0.5));
    double w = idf / ref;
    float cap = limen__token_prior(idx->arena + t->text, t->len, t->flags);
    if (w > cap)
        w = cap;
    return (float)(w < 0.12 ? 0.12 : w > 1.0 ? 1.0 : w);
}

/* The year bucket of an alert (index_int.h); no dates: 0 (the date array
 * may not exist at all then). */
static int alert_year_bucket(const struct limen_index *idx, const struct limen__ialert *a)
{
    return a->ndob ? limen__alert_year_bucket(idx->dobs + a->dob0, a->ndob) : 0;
}

/* Marks an alert dead; with a finished index the change is a delta. */
static void kill_alert(struct limen_index *idx, uint32_t a)
{
    struct limen__ialert *al = &idx->alerts[a];
    if (al->dead)
        return;
    al->dead = 1;
    idx->live--;
    if (idx->live_names >= al->nname)
        idx->live_names -= al->nname;
    if (idx->finished)
        idx->ndead_delta++;
}

static size_t pow2_at_least(size_t n)
{
    size_t c = 64;
    while (c < n)
        c *= 2;
    return c;
}

/* Rehashes an open-addressing multimap (key, value+1) to `cap` slots. */
int limen__multimap_rehash(uint64_t **keys, uint32_t **vals, size_t *cap, size_t ncap)
{
    uint64_t *nk = limen__calloc(ncap, sizeof *nk);
    uint32_t *nv = limen__calloc(ncap, sizeof *nv);
    if (!nk || !nv) {
        limen__free(nk);
        limen__free(nv);
        return -1;
    }
    for (size_t i = 0; i < *cap; i++) {
        if (!(*vals)[i])
            continue;
        size_t j = (size_t)(*keys)[i] & (ncap - 1);
        while (nv[j])
            j = (j + 1) & (ncap - 1);
        nk[j] = (*keys)[i];
        nv[j] = (*vals)[i];
    }
    limen__free(*keys);
    limen__free(*vals);
    *keys = nk;
    *vals = nv;
    *cap = ncap;
    return 0;
}

void limen__multimap_put(uint64_t *keys, uint32_t *vals, size_t cap, uint64_t key, uint32_t val)
{
    size_t j = (size_t)key & (cap - 1);
    while (vals[j]) {
        if (keys[j] == key && vals[j] == val)
            return;
        j = (j + 1) & (cap - 1);
    }
    keys[j] = key;
    vals[j] = val;
}

size_t limen__multimap_get(const uint64_t *keys, const uint32_t *vals, size_t cap, uint64_t key,
                           uint32_t *out, size_t max)
{
    size_t n = 0;
    if (!cap)
        return 0;
    for (size_t j = (size_t)key & (cap - 1); vals[j] && n < max; j = (j + 1) & (cap - 1))
        if (keys[j] == key)
            out[n++] = vals[j] - 1;
    return n;
}

size_t limen__key_lookup_delta(const struct limen_index *idx, uint64_t key, uint32_t *out,
                               size_t cap)
{
    return limen__multimap_get(idx->dk_key, idx->dk_tok, idx->dk_cap, key, out, cap);
}

size_t limen__doc_lookup_delta(const struct limen_index *idx, uint64_t key, uint32_t *out,
                               size_t cap)
{
    return limen__multimap_get(idx->dd_key, idx->dd_alert, idx->dd_cap, key, out, cap);
}

/*
 * Makes room for the delta of one new alert, so that delta_add() cannot
 * fail: postings for each of its token occurrences, fuzzy keys for each of
 * its tokens, document keys for each document.
 */
static int delta_reserve(struct limen_index *idx, const struct limen__ialert *a)
{
    size_t occ = 0;
    for (uint32_t n = a->name0; n < a->name0 + a->nname; n++)
        occ += idx->names[n].ntok;
    if (GROW(idx->dp_name, idx->dp_cap, idx->ndp + occ) != 0)
        return -1;
    /* dp_next and dp_yb share dp_name's capacity. */
    void *np = limen__reallocarray(idx->dp_next, idx->dp_cap, sizeof *idx->dp_next);
    if (!np)
        return -1;
    idx->dp_next = np;
    np = limen__reallocarray(idx->dp_yb, idx->dp_cap, sizeof *idx->dp_yb);
    if (!np)
        return -1;
    idx->dp_yb = np;
    size_t need_keys = idx->ndk + occ * LIMEN__MAX_KEYS;
    if (need_keys * 2 > idx->dk_cap &&
        limen__multimap_rehash(&idx->dk_key, &idx->dk_tok, &idx->dk_cap, pow2_at_least(need_keys * 2)) != 0)
        return -1;
    if (limen__dobk_delta_reserve(idx, a->ndob) != 0)
        return -1;
    size_t need_docs = idx->ndd + a->ndoc;
    if (need_docs * 2 > idx->dd_cap &&
        limen__multimap_rehash(&idx->dd_key, &idx->dd_alert, &idx->dd_cap, pow2_at_least(need_docs * 2)) != 0)
        return -1;
    return 0;
}

/* Files a new alert of a finished index in the delta (room reserved). */
static void delta_add(struct limen_index *idx, uint32_t ai)
{
    const struct limen__ialert *a = &idx->alerts[ai];
    idx->nadded_delta++;
    idx->live_names += a->nname;
    int yb = alert_year_bucket(idx, a);
    for (uint32_t n = a->name0; n < a->name0 + a->nname; n++) {
        const struct limen__iname *in = &idx->names[n];
        for (uint32_t k = 0; k < in->ntok; k++) {
            uint32_t t = idx->ntok[in->tok + k];
            if (repeated_token(idx, in, k))
                continue;
            struct limen__dtok *tk = &idx->toks[t];
            idx->dp_name[idx->ndp] = n;
            idx->dp_yb[idx->ndp] = (uint8_t)yb;
            idx->dp_next[idx->ndp] = tk->dhead;
            tk->dhead = (uint32_t)++idx->ndp;
            /* A token that finish() gave no keys (new, or without live
             * names then) gets them in the delta on its first posting. */
            if (tk->ddf++ == 0 && (t >= idx->ntoks_keyed || tk->df == 0)) {
                uint64_t keys[LIMEN__MAX_KEYS];
                int nk = limen__token_keys(idx->arena + tk->text, tk->len, tk->flags, keys);
                for (int i = 0; i < nk; i++)
                    limen__multimap_put(idx->dk_key, idx->dk_tok, idx->dk_cap, keys[i], t + 1);
                idx->ndk += (size_t)nk;
            }
            tk->weight = token_weight(idx, tk, (double)idx->live_names);
        }
    }
    for (uint32_t d = 0; d < a->ndoc; d++) {
        const struct limen__idoc *doc = &idx->docs[a->doc0 + d];
        limen__multimap_put(idx->dd_key, idx->dd_alert, idx->dd_cap, doc_ocr_key(idx, doc), ai + 1);
        idx->ndd++;
    }
    limen__dobk_delta_add(idx, ai);
}

/* ---- adding alerts: prepared (any thread), then filed (the writer) ---- */

_Static_assert(LIMEN_SCHEMA_IDENTIFICATION < 16, "a schema fits the alert's 4 bits");
_Static_assert(sizeof(struct limen__ialert) == 28, "an alert record is 28 bytes");
_Static_assert(sizeof(struct limen__dtok) == 32, "a token record is 32 bytes");

/*
 * An alert prepared for filing is what limen_index_add() copies into the
 * index, its names normalised and its hashes computed, packed in a byte
 * buffer: a thread may prepare many alerts while another files them in
 * order (index_build.c). Filing is then only appends and lookups, and a
 * prepared alert files into exactly what adding the entity gives. Layout
 * (fields unaligned, host order):
 *
 *   u64 id hash, u16 id length, id bytes, u8 schema, u8 gender, u8 names
 *   per name:  u8 property, u8 tokens, u16 written length, written bytes,
 *              u64 hash of the written form,
 *              per token: u64 hash, u8 length, u8 flags, u8 kind, text
 *   u8 dates (struct limen__date each), u8 nationalities (u16 each)
 *   u8 documents, per document: u8 length, u8 kind, u16 country, number
 */

static void put8(struct limen_buf *b, unsigned v)
{
    limen_buf_addch(b, (char)(unsigned char)v);
}

static void put16(struct limen_buf *b, unsigned v)
{
    uint16_t x = (uint16_t)v;
    limen_buf_add(b, (const char *)&x, sizeof x);
}

static void put64(struct limen_buf *b, uint64_t v)
{
    limen_buf_add(b, (const char *)&v, sizeof v);
}

static unsigned get8(const unsigned char **p)
{
    return *(*p)++;
}

static unsigned get16(const unsigned char **p)
{
    uint16_t x;
    memcpy(&x, *p, sizeof x);
    *p += sizeof x;
    return x;
}

static uint64_t get64(const unsigned char **p)
{
    uint64_t x;
    memcpy(&x, *p, sizeof x);
    *p += sizeof x;
    return x;
}

limen_status limen__alert_prepare(struct limen__normalizer *nz, const struct limen__fact_src *alert,
                                  struct limen__prep_scratch *sc, struct limen_buf *out,
                                  struct limen_error *err)
{
    struct limen__facts *f = &sc->facts;
    struct limen__name *nm = &sc->name;
    facts_read(alert, f);
    size_t id_len;
    const char *id = src_id(alert, &id_len);
    if (id_len > UINT16_MAX)
        id_len = UINT16_MAX; /* entities hold ids of LIMEN_ENTITY_MAX_ID bytes at most */
    put64(out, id_hash(id, id_len));
    put16(out, (unsigned)id_len);
    limen_buf_add(out, id, id_len);
    put8(out, (unsigned)src_schema(alert));
    put8(out, f->gender);
    size_t at_count = out->len;
    put8(out, 0); /* names with tokens: set below */
    unsigned named = 0;
    for (int i = 0; i < f->nnames; i++) {
        limen_status st = limen__name_normalize(nz, f->names[i].s, f->names[i].len, nm);
        if (st != LIMEN_OK)
            return limen__error_set(err, st, limen__name_prop_label(f->names[i].prop),
                                    "cannot normalise name: %s", limen_strerror(st));
        if (nm->n == 0)
            continue;
        size_t sl = f->names[i].len > 65535 ? 65535 : f->names[i].len;
        uint64_t recipe;
        put8(out, f->names[i].prop);
        put8(out, (unsigned)nm->n);
        if (limen__form_recipe(nm, f->names[i].s, f->names[i].len, &recipe)) {
            /* length 0 (a name with tokens is never written empty): the recipe */
            put16(out, 0);
            put64(out, recipe);
        } else {
            put16(out, (unsigned)sl);
            limen_buf_add(out, f->names[i].s, sl);
            put64(out, src_hash(f->names[i].s, sl));
        }
        for (int k = 0; k < nm->n; k++) {
            const struct limen__token *t = &nm->tok[k];
            put64(out, tok_hash(t->text, t->len, t->flags & LIMEN__TF_ARABIC));
            put8(out, t->len);
            put8(out, t->flags);
            put8(out, t->kind);
            limen_buf_add(out, t->text, t->len);
        }
        named++;
    }
    put8(out, (unsigned)f->ndob);
    limen_buf_add(out, (const char *)f->dobs, (size_t)f->ndob * sizeof *f->dobs);
    put8(out, (unsigned)f->nnat);
    limen_buf_add(out, (const char *)f->nats, (size_t)f->nnat * sizeof *f->nats);
    put8(out, (unsigned)f->ndoc);
    for (int i = 0; i < f->ndoc; i++) {
        put8(out, f->docs[i].len);
        put8(out, f->docs[i].kind);
        put16(out, f->docs[i].country);
        limen_buf_add(out, f->docs[i].num, f->docs[i].len);
    }
    if (limen_buf_failed(out))
        return limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory");
    out->data[at_count] = (char)named; /* at most LIMEN__MAX_NAMES */
    return LIMEN_OK;
}

/*
 * Filing is a run of random reads (a slot of the id table, the dictionary
 * and the written-name table, then the record it names): far more than
 * the rest at 10 million alerts. The bulk filer (index_build.c) announces
 * the records it will file a few ahead: stage 0 prefetches the slots,
 * stage 1 (closer) reads them, now cached, and prefetches what they name.
 */
/* Stage 0: the slot of hash h in a table; stage 1: the record it names
 * (records of rec_size bytes from `recs`). */
static void prefetch_slot(const uint32_t *tab, size_t cap, uint64_t h, int stage, const void *recs,
                          size_t rec_size)
{
    if (!cap)
        return;
    const uint32_t *slot = &tab[h & (cap - 1)];
    if (stage == 0)
        __builtin_prefetch(slot);
    else if (*slot)
        __builtin_prefetch((const char *)recs + (size_t)(*slot - 1) * rec_size);
}

void limen__alert_prefetch(const struct limen_index *idx, const unsigned char *rec, int stage)
{
    const unsigned char *p = rec;
    uint64_t h = get64(&p);
    size_t len = get16(&p);
    p += len + 2; /* id, schema, gender */
    prefetch_slot(idx->ids, idx->ids_cap, h, stage, idx->alerts, sizeof *idx->alerts);
    unsigned named = get8(&p);
    for (unsigned i = 0; i < named; i++) {
        unsigned ntok = p[1];
        p += 2;
        len = get16(&p);
        p += len;
        h = get64(&p);
        if (len) /* else a recipe (the form is not stored) */
            prefetch_slot(idx->srcs, idx->srcs_cap, h, stage, idx->names, sizeof *idx->names);
        for (unsigned k = 0; k < ntok; k++) {
            h = get64(&p);
            len = get8(&p);
            p += 2 + len;
            prefetch_slot(idx->dict, idx->dict_cap, h, stage, idx->toks, sizeof *idx->toks);
        }
    }
}

limen_status limen__alert_file(struct limen_index *idx, const unsigned char *rec, int *replaced,
                               struct limen_error *err)
{
    limen_status st = LIMEN_ENOMEM;
    /* On failure the arrays go back to what they held (the arena and the
     * dictionary may keep a few unused bytes and tokens: harmless). */
    size_t save_names = idx->nnames, save_ntok = idx->nntok, save_dobs = idx->ndobs,
           save_nats = idx->nnats, save_docs = idx->ndocs;
    const unsigned char *p = rec;
    if (replaced)
        *replaced = 0;
    /* err is only written on failure (clearing 400 bytes for each of 10
     * million alerts showed in the profile): limen_index_add() clears it */

    uint64_t ih = get64(&p);
    size_t id_len = get16(&p);
    const char *id = (const char *)p;
    p += id_len;
    if (idx->nalerts >= UINT32_MAX - 1 || GROW(idx->alerts, idx->alerts_cap, idx->nalerts + 1))
        goto out;
    struct limen__ialert a;
    memset(&a, 0, sizeof a);
    a.id = arena_put(idx, id, id_len, 0);
    if (a.id == UINT32_MAX)
        goto out;
    a.id_len = (uint16_t)id_len;
    a.schema = (uint8_t)(get8(&p) & 15);
    a.gender = (uint8_t)(get8(&p) & 3);
    a.name0 = (uint32_t)idx->nnames;
    int usable = 0;
    unsigned named = get8(&p);
    /* Written forms new to the arena, recorded once the alert is in. */
    uint32_t new_src[LIMEN__MAX_NAMES];
    uint64_t new_hash[LIMEN__MAX_NAMES];
    unsigned nnew = 0;
    int share = !idx->finished;
    if (share && srcs_reserve(idx, named) != 0)
        goto out;
    for (unsigned i = 0; i < named; i++) {
        unsigned prop = get8(&p), ntok = get8(&p);
        size_t sl = get16(&p);
        const char *src = (const char *)p;
        p += sl;
        uint64_t sh = get64(&p); /* the form's hash, or (sl 0) its recipe */
        if (GROW(idx->names, idx->names_cap, idx->nnames + 1) ||
            GROW(idx->ntok, idx->ntok_cap, idx->nntok + ntok))
            goto out;
        struct limen__iname *in = &idx->names[idx->nnames];
        memset(in, 0, sizeof *in); /* the flag byte's spare bits too: files are compared */
        in->alert = (uint32_t)idx->nalerts;
        in->tok = (uint32_t)idx->nntok;
        in->ntok = (uint8_t)ntok;
        in->prop = (uint8_t)(prop & 15);
        if (sl == 0) {
            in->rebuilt = 1;
            in->src = (uint32_t)sh;
            in->src_len = (uint16_t)(sh >> 32);
        } else {
            in->src_len = (uint16_t)sl;
            in->src = share ? src_find(idx, src, sl, sh) : UINT32_MAX;
            for (unsigned j = 0; j < nnew && in->src == UINT32_MAX; j++) {
                const struct limen__iname *o = &idx->names[new_src[j]];
                if (o->src_len == sl && memcmp(idx->arena + o->src, src, sl) == 0)
                    in->src = o->src;
            }
            if (in->src == UINT32_MAX) {
                in->src = arena_put(idx, src, sl, 0);
                if (in->src == UINT32_MAX)
                    goto out;
                if (share && nnew < LIMEN__MAX_NAMES) {
                    new_src[nnew] = (uint32_t)idx->nnames;
                    new_hash[nnew++] = sh;
                }
            }
        }
        for (unsigned k = 0; k < ntok; k++) {
            uint64_t h = get64(&p);
            unsigned len = get8(&p), flags = get8(&p);
            (void)get8(&p); /* its kind: follows from the text (limen__occ_kind) */
            uint32_t t = dict_intern(idx, (const char *)p, len, (int)flags, h);
            p += len;
            if (t == UINT32_MAX)
                goto out;
            idx->ntok[idx->nntok] = t;
            idx->nntok++;
        }
        idx->nnames++;
        usable = 1;
    }
    a.nname = (uint8_t)(idx->nnames - a.name0);
    unsigned ndob = get8(&p);
    const unsigned char *dobs = p;
    p += ndob * sizeof *idx->dobs;
    unsigned nnat = get8(&p);
    const unsigned char *nats = p;
    p += nnat * sizeof *idx->nats;
    unsigned ndoc = get8(&p);
    if (GROW(idx->dobs, idx->dobs_cap, idx->ndobs + ndob) ||
        GROW(idx->nats, idx->nats_cap, idx->nnats + nnat) ||
        GROW(idx->docs, idx->docs_cap, idx->ndocs + ndoc))
        goto out;
    a.dob0 = (uint32_t)idx->ndobs;
    a.ndob = (uint8_t)ndob;
    if (ndob)
        memcpy(idx->dobs + idx->ndobs, dobs, ndob * sizeof *idx->dobs);
    idx->ndobs += ndob;
    a.nat0 = (uint32_t)idx->nnats;
    a.nnat = (uint8_t)nnat;
    if (nnat)
        memcpy(idx->nats + idx->nnats, nats, nnat * sizeof *idx->nats);
    idx->nnats += nnat;
    a.doc0 = (uint32_t)idx->ndocs;
    for (unsigned i = 0; i < ndoc; i++) {
        struct limen__idoc *d = &idx->docs[idx->ndocs];
        unsigned len = get8(&p);
        d->kind = (uint8_t)get8(&p);
        d->country = (uint16_t)get16(&p);
        d->num = arena_add(idx, (const char *)p, len);
        p += len;
        if (d->num == UINT32_MAX)
            goto out;
        d->len = (uint8_t)len;
        idx->ndocs++;
        a.ndoc++;
        usable = 1;
    }
    if (!usable) {
        /* Roll back the names of this alert (there are none) and say why. */
        idx->nnames = a.name0;
        st = limen__error_set(err, LIMEN_EEMPTY, "properties.name",
                              "the alert has no usable name and no document number");
        goto out;
    }
    uint32_t prev = id_find(idx, id, id_len, ih);
    idx->alerts[idx->nalerts] = a;
    if (idx->finished && delta_reserve(idx, &a) != 0)
        goto out;
    if (ids_put(idx, (uint32_t)idx->nalerts, ih) != 0)
        goto out;
    /* From here nothing fails. */
    for (unsigned j = 0; j < nnew; j++)
        src_put(idx, new_src[j], new_hash[j]);
    if (prev != UINT32_MAX) {
        kill_alert(idx, prev);
        if (replaced)
            *replaced = 1;
    }
    idx->nalerts++;
    idx->live++;
    if (idx->finished)
        delta_add(idx, (uint32_t)idx->nalerts - 1);
    st = LIMEN_OK;
out:
    if (st != LIMEN_OK) {
        idx->nnames = save_names;
        idx->nntok = save_ntok;
        idx->ndobs = save_dobs;
        idx->nnats = save_nats;
        idx->ndocs = save_docs;
    }
    if (st == LIMEN_ENOMEM && idx->over_limit) {
        idx->over_limit = 0;
        st = limen__error_set(err, LIMEN_ELIMIT, NULL,
                              "the index would pass its memory limit of %zu bytes (%zu in use)",
                              idx->opts.max_memory, filed_bytes(idx));
    } else if (st == LIMEN_ENOMEM)
        limen__error_set(err, st, NULL, "out of memory");
    if (st != LIMEN_OK && err) {
        err->line = err->column = 0;
        err->offset = 0;
    }
    return st;
}

limen_status limen_index_add(struct limen_index *idx, const struct limen_entity *alert,
                             int *replaced, struct limen_error *err)
{
    limen_status st;
    struct limen_buf rec;
    limen_buf_init(&rec);
    if (replaced)
        *replaced = 0;
    struct limen__prep_scratch *sc = limen__malloc(sizeof *sc);
    if (!sc)
        return limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory");
    limen_error_clear(err);
    const struct limen__fact_src src = {alert, NULL};
    st = limen__alert_prepare(idx->nz, &src, sc, &rec, err);
    if (st == LIMEN_OK)
        st = limen__alert_file(idx, (const unsigned char *)rec.data, replaced, err);
    limen_buf_release(&rec);
    limen__free(sc);
    return st;
}

limen_status limen_index_remove(struct limen_index *idx, const char *id)
{
    size_t len = strlen(id);
    uint32_t a = id_find(idx, id, len, id_hash(id, len));
    if (a == UINT32_MAX || idx->alerts[a].dead)
        return LIMEN_ENOTFOUND;
    kill_alert(idx, a);
    return LIMEN_OK;
}

/* ---- compaction: the live alerts filed again ---- */

/*
 * The prepared record (layout above) of stored alert a: what
 * limen__alert_prepare() gave when it was added, up to the bytes filing
 * does not read (a token's kind follows from its text and is written as
 * the dictionary holds it). Filing it gives what filing the entity gave.
 */
static void alert_record(const struct limen_index *idx, uint32_t ai, struct limen_buf *out)
{
    const struct limen__ialert *a = &idx->alerts[ai];
    const char *id = idx->arena + a->id;
    put64(out, id_hash(id, a->id_len));
    put16(out, a->id_len);
    limen_buf_add(out, id, a->id_len);
    put8(out, a->schema);
    put8(out, a->gender);
    put8(out, a->nname);
    for (uint32_t n = a->name0; n < a->name0 + a->nname; n++) {
        const struct limen__iname *in = &idx->names[n];
        put8(out, in->prop);
        put8(out, in->ntok);
        if (in->rebuilt) {
            put16(out, 0);
            put64(out, (uint64_t)in->src | (uint64_t)in->src_len << 32);
        } else {
            put16(out, in->src_len);
            limen_buf_add(out, idx->arena + in->src, in->src_len);
            put64(out, src_hash(idx->arena + in->src, in->src_len));
        }
        for (uint32_t k = 0; k < in->ntok; k++) {
            const struct limen__dtok *t = &idx->toks[idx->ntok[in->tok + k]];
            const char *text = idx->arena + t->text;
            put64(out, tok_hash(text, t->len, t->flags));
            put8(out, t->len);
            put8(out, t->flags);
            put8(out, t->kind);
            limen_buf_add(out, text, t->len);
        }
    }
    put8(out, a->ndob);
    if (a->ndob)
        limen_buf_add(out, (const char *)(idx->dobs + a->dob0), a->ndob * sizeof *idx->dobs);
    put8(out, a->nnat);
    if (a->nnat)
        limen_buf_add(out, (const char *)(idx->nats + a->nat0), a->nnat * sizeof *idx->nats);
    put8(out, a->ndoc);
    for (uint32_t d = 0; d < a->ndoc; d++) {
        const struct limen__idoc *doc = &idx->docs[a->doc0 + d];
        put8(out, doc->len);
        put8(out, doc->kind);
        put16(out, doc->country);
        limen_buf_add(out, idx->arena + doc->num, doc->len);
    }
}

/* Moves the filed arrays (and the written-name table) of `from` into `to`,
 * whose own are freed, and leaves `from` without them. */
static void take_filed(struct limen_index *to, struct limen_index *from)
{
    free_derived(to);
    free_filed(to);
#define MOVE(f)                                                                                    \
    do {                                                                                           \
        to->f = from->f;                                                                           \
        from->f = 0;                                                                               \
    } while (0)
    MOVE(arena);
    MOVE(arena_len);
    MOVE(arena_cap);
    MOVE(alerts);
    MOVE(nalerts);
    MOVE(alerts_cap);
    MOVE(live);
    MOVE(names);
    MOVE(nnames);
    MOVE(names_cap);
    MOVE(ntok);
    MOVE(nntok);
    MOVE(ntok_cap);
    MOVE(dobs);
    MOVE(ndobs);
    MOVE(dobs_cap);
    MOVE(nats);
    MOVE(nnats);
    MOVE(nats_cap);
    MOVE(docs);
    MOVE(ndocs);
    MOVE(docs_cap);
    MOVE(toks);
    MOVE(ntoks);
    MOVE(toks_cap);
    MOVE(dict);
    MOVE(dict_cap);
    MOVE(ids);
    MOVE(ids_cap);
    MOVE(srcs);
    MOVE(srcs_cap);
    MOVE(nsrcs);
    MOVE(live_names);
    MOVE(ntoks_keyed);
#undef MOVE
}

/*
 * Filing the live alerts again, in their order, into an empty index gives
 * exactly what a fresh build of them gives (the same ids for alerts, names
 * and tokens, written forms shared as a build shares them, arrays grown the
 * same way); the dead versions and every token only they held are simply
 * not there. No renumbering of derived arrays is needed: finish() builds
 * those from the filed ones.
 */
limen_status limen_index_compact(struct limen_index *idx, struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    struct limen_index *c = NULL;
    struct limen_buf rec;
    limen_buf_init(&rec);
    limen_error_clear(err);
    if (idx->live == idx->nalerts)
        goto out; /* nothing dead: nothing to drop */
    if ((st = limen_index_new(&idx->opts, &c)) != LIMEN_OK) {
        limen__error_set(err, st, NULL, "out of memory");
        goto out;
    }
    for (size_t a = 0; a < idx->nalerts; a++) {
        if (idx->alerts[a].dead)
            continue;
        limen_buf_reset(&rec);
        alert_record(idx, (uint32_t)a, &rec);
        if (limen_buf_failed(&rec)) {
            st = limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory");
            goto out;
        }
        if ((st = limen__alert_file(c, (const unsigned char *)rec.data, NULL, err)) != LIMEN_OK)
            goto out;
    }
    /* From here nothing fails. Screening's pooled blocks were sized for the
     * old arrays: they go too. */
    take_filed(idx, c);
    pool_clear(idx);
out:
    limen_index_free(c);
    limen_buf_release(&rec);
    return st;
}

/* ---- fuzzy keys ---- */

static int is_v(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* Skeleton variants: spellings that one convention writes and another does not. */
#define SK_NO_H 1  /* an h that may be silent (john / jon, from Arabic جون) */
#define SK_CH_K 2  /* ch as k (michael / mikael, christo / khristo) */

/* The letters that the romaniser of Arabic script (names.c) writes with an
 * h after them for one letter: th, kh, dh, sh, gh, ch, zh. */
static int h_digraph(char c)
{
    return c == 't' || c == 'k' || c == 'd' || c == 's' || c == 'g' || c == 'c' || c == 'z';
}

/*
 * Phonetic skeleton: see the comment at the top of the file. A token
 * romanised from Arabic script (`arabic`) writes no short vowel: its h after
 * a consonant is a letter of its own (mhmd, Arabic mu-ha-mmad), not the
 * silent h of a Latin spelling (mhamed, as Moroccan lists write it), unless
 * it makes one of the romaniser's digraphs; and two consonants side by side
 * have a vowel unwritten between them, so an h left out (the SK_NO_H
 * variant) does not join them (mhmd -> mmt, as mohamed -> mmt).
 */
static int skeleton_v(const char *t, int len, char *out, int variant, int arabic)
{
    int n = 0;
    char last = 0;
    for (int i = 0; i < len; i++) {
        char c = t[i], next = i + 1 < len ? t[i + 1] : 0, prev = i ? t[i - 1] : 0;
        char k;
        if (is_v(c) || ((c == 'y' || c == 'w') && i > 0)) {
            if (i == 0)
                k = 'A';
            else {
                last = 0; /* a vowel separates: doubled letters across it stay */
                continue;
            }
        } else {
            switch (c) {
            case 'h':
                if (i > 0 && (variant & SK_NO_H)) {
                    if (arabic)
                        last = 0;
                    continue;
                }
                if (i > 0 && (i == len - 1 || (!is_v(prev) && (!arabic || h_digraph(prev)))))
                    continue;
                k = 'h';
                break;
            case 'p':
                k = next == 'h' ? 'f' : 'b';
                break;
            case 'b':
                k = 'b';
                break;
            case 'f':
            case 'v':
                k = 'f';
                break;
            case 'c':
                if (next == 'h' && (variant & SK_CH_K))
                    k = 'k';
                else
                    k = (next == 'e' || next == 'i' || next == 'y' || next == 'h') ? 's' : 'k';
                break;
            case 'k':
            case 'q':
            case 'x':
                k = 'k';
                break;
            case 'g':
            case 'j':
                k = 'j';
                break;
            case 'd':
                if (next == 'j')
                    continue;
                k = 't';
                break;
            case 't':
                k = 't';
                break;
            case 's':
            case 'z':
                k = 's';
                break;
            default:
                k = c;
            }
        }
        if (k == last)
            continue;
        out[n++] = k;
        last = k;
        if (n >= LIMEN__TOKEN_MAX)
            break;
    }
    return n;
}

static int skeleton(const char *t, int len, char *out, int arabic)
{
    return skeleton_v(t, len, out, 0, arabic);
}

static int add_key(uint64_t *keys, int n, uint64_t k)
{
    for (int i = 0; i < n; i++)
        if (keys[i] == k)
            return n;
    if (n < LIMEN__MAX_KEYS)
        keys[n++] = k;
    return n;
}

/*
 * A token files under its skeleton with one letter deleted when the
 * skeleton has SK_DELETE_MIN letters or more; a query spelling searches its
 * own such keys from SK_QUERY_DELETE_MIN letters on. So a short spelling
 * with an extra letter (bonent for bonnet: bnnt -> bnt, the exact key of
 * bonnet) is found without a key more in the index.
 */
#ifndef SK_DELETE_MIN
#define SK_DELETE_MIN 5
#endif
#ifndef SK_QUERY_DELETE_MIN
#define SK_QUERY_DELETE_MIN 4
#endif

static int skeleton_keys(const char *sk, int sl, uint64_t *keys, int n, int delete_min)
{
    n = add_key(keys, n, limen__hash(sk, (size_t)sl, 1));
    if (sl >= delete_min) {
        char tmp[LIMEN__TOKEN_MAX];
        for (int d = 0; d < sl; d++) {
            memcpy(tmp, sk, (size_t)d);
            memcpy(tmp + d, sk + d + 1, (size_t)(sl - d - 1));
            n = add_key(keys, n, limen__hash(tmp, (size_t)sl - 1, 1));
        }
    }
    return n;
}

static int token_keys(const char *text, int len, int flags, uint64_t *keys, int *nexact,
                      int delete_min)
{
    const int arabic = (flags & LIMEN__TF_ARABIC) != 0;
    char sk[LIMEN__TOKEN_MAX + 1], base[LIMEN__TOKEN_MAX + 1];
    int sl = skeleton(text, len, sk, arabic);
    int n = 0;
    *nexact = 0;
    if (sl == 0)
        return 0;
    memcpy(base, sk, (size_t)sl);
    int bl = sl;
    /* Exact keys first: the skeleton, its variants, the bare word. */
    n = add_key(keys, n, limen__hash(sk, (size_t)sl, 1));
    /* Spellings with a silent h or a ch read as k also file under the
     * skeleton without them (john ~ jwn, michael ~ maykl), exact only. */
    if (memchr(text + 1, 'h', (size_t)len - 1)) {
        char vk[LIMEN__TOKEN_MAX + 1];
        for (int v = 1; v <= 3; v++) {
            int vl = skeleton_v(text, len, vk, v, arabic);
            if (vl > 0 && (vl != sl || memcmp(vk, sk, (size_t)sl) != 0))
                n = add_key(keys, n, limen__hash(vk, (size_t)vl, 1));
        }
    }
    /* A joined article (elmasri, alzawahiri, elamrani) also files under the
     * bare word; before a vowel only in longer words (alaoui stays whole). */
    if ((text[0] == 'a' || text[0] == 'e') && text[1] == 'l' && text[2] != 'l' &&
        (is_v(text[2]) ? len >= 7 : len >= 6)) {
        sl = skeleton(text + 2, len - 2, sk, arabic);
        if (sl > 0)
            n = add_key(keys, n, limen__hash(sk, (size_t)sl, 1));
    }
    *nexact = n;
    /* Then the skeleton with one letter deleted (typos, OCR). */
    return skeleton_keys(base, bl, keys, n, delete_min);
}

int limen__token_keys2(const char *text, int len, int flags, uint64_t *keys, int *nexact)
{
    return token_keys(text, len, flags, keys, nexact, SK_QUERY_DELETE_MIN);
}

int limen__token_keys(const char *text, int len, int flags, uint64_t *keys)
{
    int nexact;
    return token_keys(text, len, flags, keys, &nexact, SK_DELETE_MIN);
}

static size_t lower_bound64(const uint64_t *a, size_t n, uint64_t k)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t limen__key_lookup(const struct limen_index *idx, uint64_t key, const uint32_t **ids)
{
    size_t k = lower_bound64(idx->keys, idx->nkeys, key);
    if (k >= idx->nkeys || idx->keys[k] != key)
        return 0;
    *ids = idx->key_tok + idx->key_off[k];
    return idx->key_off[k + 1] - idx->key_off[k];
}

uint64_t limen__doc_key(const char *ocr, size_t len)
{
    return limen__hash(ocr, len, 3);
}

/* Whether alert a holds a document whose key is `key`. */
static int alert_has_doc_key(const struct limen_index *idx, uint32_t a, uint64_t key)
{
    const struct limen__ialert *al = &idx->alerts[a];
    for (uint32_t d = 0; d < al->ndoc; d++)
        if (doc_ocr_key(idx, &idx->docs[al->doc0 + d]) == key)
            return 1;
    return 0;
}

/*
 * The table keeps only the high half of each document key (4 bytes a
 * document less). The entries sharing the high half of `key` are sorted
 * by the whole key, so those of `key` are a run among them, told apart by
 * the documents of their alerts (another whole key with the same high
 * half comes once in 4 billion; even then only an alert that also holds
 * `key` could be taken for one of its entries).
 */
size_t limen__doc_lookup(const struct limen_index *idx, uint64_t key, const uint32_t **alerts)
{
    uint32_t hi = (uint32_t)(key >> 32);
    size_t lo = 0, end = idx->ndoc_keys;
    while (lo < end) {
        size_t mid = lo + (end - lo) / 2;
        if (idx->doc_keys[mid] < hi)
            lo = mid + 1;
        else
            end = mid;
    }
    end = lo;
    while (end < idx->ndoc_keys && idx->doc_keys[end] == hi)
        end++;
    while (lo < end && !alert_has_doc_key(idx, idx->doc_alert[lo], key))
        lo++;
    size_t hi_end = lo;
    while (hi_end < end && alert_has_doc_key(idx, idx->doc_alert[hi_end], key))
        hi_end++;
    *alerts = idx->doc_alert + lo;
    return hi_end - lo;
}

/* ---- token weights ---- */

/*
 * Name tokens that are common across the populations limen serves, whatever
 * their frequency in one list: a small list may hold one "John" or one
 * "Wang", which says nothing about how many travellers are called that.
 * Their weight is capped (LIMEN__COMMON_CAP).
 */
static const char *const common_tokens[] = {
    "aaron", "abdallah", "abdullah", "adam", "adams", "adel", "adil", "aguilar", "ahmad",
    "ahmadi", "ahmed", "ahmet", "ahn", "aisha", "akhtar", "alberto", "alejandro", "aleksandr",
    "alexander", "ali", "allen", "alvarez", "alves", "amanda", "amin", "amina", "amine", "amy",
    "ana", "anas", "anders", "andersen", "anderson", "andrea", "andrei", "andres", "andrew",
    "andrey", "angela", "anna", "anthony", "antonio", "ashley", "aziz", "bailey", "baker",
    "barbara", "barnes", "becker", "begum", "bell", "benjamin", "bennett", "bernard", "betty",
    "bianchi", "bibi", "bilal", "brandon", "brenda", "brian", "brooks", "brown", "bryant",
    "butler", "cai", "campbell", "cao", "carlos", "carmen", "carol", "carolyn", "carter",
    "carvalho", "castillo", "castro", "catherine", "celik", "charles", "chen", "cheng", "cho",
    "choe", "choi", "chol", "christina", "christine", "christopher", "chul", "clark", "cole",
    "coleman", "collins", "colombo", "cook", "cooper", "costa", "cox", "cruz", "cynthia",
    "daniel", "david", "davis", "deborah", "debra", "demir", "deng", "dennis", "diane", "diaz",
    "diego", "ding", "dmitri", "dmitry", "dolores", "donald", "dong", "donna", "dorothy", "driss",
    "du", "dubois", "durand", "eduardo", "edward", "edwards", "elena", "elizabeth", "emily",
    "emma", "eric", "erik", "esposito", "evans", "fang", "fatima", "fatma", "feng", "fernando",
    "ferrari", "ferreira", "fischer", "flores", "ford", "foster", "francesco", "francisco",
    "francois", "frank", "gao", "garcia", "gary", "george", "giovanni", "giuseppe", "gomes",
    "gomez", "gonzalez", "graham", "gray", "green", "gregory", "griffin", "guo", "gutierrez",
    "habib", "hadi", "hall", "hamed", "hamid", "hamilton", "hamza", "han", "hans", "hansen",
    "harris", "hasan", "hassan", "hayes", "he", "heather", "helen", "henderson", "henry",
    "hernandez", "herrera", "hill", "hong", "hossein", "hosseini", "howard", "hu", "hua", "huang",
    "hughes", "hui", "husain", "hussain", "hussein", "hwang", "hyon", "hyun", "ibrahim", "idris",
    "iqbal", "irina", "isabel", "ismail", "ivan", "ivanov", "jack", "jackson", "jacob", "jacques",
    "jamal", "james", "janet", "jang", "jason", "javier", "jean", "jeffrey", "jenkins",
    "jennifer", "jensen", "jeong", "jerry", "jessica", "jian", "jiang", "jimenez", "jin", "jing",
    "johansen", "john", "johnson", "jonathan", "jones", "jordan", "jorge", "jose", "joseph",
    "joshua", "joyce", "juan", "julie", "jun", "jung", "justin", "kang", "karen", "karim",
    "katherine", "kathleen", "kaya", "kelly", "kenneth", "kevin", "khadija", "khaled", "khalid",
    "khan", "kim", "kimberly", "king", "kumar", "kuznetsov", "kwon", "larry", "lars", "larsen",
    "laura", "laurent", "lee", "lefebvre", "lei", "leroy", "lewis", "li", "liang", "lim", "lima",
    "lin", "linda", "lisa", "liu", "long", "lopez", "lu", "luca", "lucia", "luis", "luo", "ma",
    "mahdi", "mahmoud", "mahmud", "malik", "manuel", "marco", "margaret", "maria", "marie",
    "mario", "mark", "marta", "martin", "martinez", "martins", "mary", "matthew", "medina",
    "mehdi", "mehmet", "mei", "melissa", "mendoza", "meyer", "michael", "michel", "michelle",
    "miguel", "miller", "min", "ming", "mitchell", "mohamad", "mohamed", "mohammad", "mohammadi",
    "mohammed", "moore", "morales", "moreau", "moreno", "morgan", "morris", "mostafa", "moustafa",
    "muhamad", "muhammad", "muller", "murphy", "mustafa", "myers", "nam", "nancy", "nasr",
    "nasser", "natalia", "nathan", "nelson", "nicholas", "nicole", "nielsen", "nikolai",
    "nikolay", "oh", "olga", "oliveira", "olsen", "omar", "ortiz", "osman", "othman", "owens",
    "pablo", "pak", "pamela", "pan", "park", "parker", "patel", "patricia", "patrick",
    "patterson", "paul", "pedersen", "pedro", "peng", "pereira", "perez", "perry", "peter",
    "peterson", "petit", "petrov", "philippe", "phillips", "pierre", "pilar", "ping", "popov",
    "powell", "price", "qiang", "rachel", "rafael", "ramirez", "ramos", "rashid", "raul",
    "raymond", "rebecca", "reed", "ren", "reyes", "reynolds", "reza", "rezaei", "ribeiro",
    "ricardo", "richard", "richardson", "rivera", "robert", "roberto", "roberts", "robinson",
    "rocha", "rodriguez", "rogers", "romano", "romero", "ronald", "rosa", "ross", "rossi", "ruiz",
    "russell", "russo", "ruth", "ryan", "saad", "saeed", "sahin", "said", "salah", "saleh",
    "salem", "salim", "samantha", "sami", "samir", "samuel", "sanchez", "sanders", "sandra",
    "sang", "santos", "sarah", "schmidt", "schneider", "scott", "seo", "sergei", "sergey",
    "sergio", "shah", "sharma", "sharon", "shen", "shin", "shirley", "silva", "simmons", "simon",
    "singh", "smirnov", "smith", "sofia", "sokolov", "song", "souza", "stephanie", "stephen",
    "steven", "stewart", "su", "sullivan", "sun", "sung", "susan", "tang", "tarek", "tariq",
    "tatiana", "taylor", "teresa", "thomas", "tian", "timothy", "torres", "turner", "tyler",
    "umar", "uthman", "vargas", "victoria", "virginia", "vladimir", "wagner", "walid", "walker",
    "wallace", "wang", "ward", "watson", "weber", "wei", "west", "white", "william", "williams",
    "wilson", "wood", "wright", "wu", "xiao", "xie", "xin", "xu", "yan", "yang", "yao", "yasin",
    "yassine", "ye", "yilmaz", "ying", "yong", "yoon", "young", "yousef", "youssef", "yu", "yuan",
    "yusuf", "zaid", "zeng", "zhang", "zhao", "zheng", "zhi", "zhou", "zhu", "ziad",
};

#define LIMEN__COMMON_CAP 0.35f

static int cmp_str(const void *a, const void *b)
{
    return strcmp((const char *)a, *(const char *const *)b);
}

float limen__token_prior(const char *text, int len, int flags)
{
    /* Short tokens meet by chance more often; unvowelled Arabic-script
     * tokens are short for another reason, so they count as longer. */
    double eff = (flags & LIMEN__TF_ARABIC) ? len * 1.4 : len;
    double lf = (eff + 1.0) / 7.0;
    float cap = lf > 1.0 ? 1.0f : (float)lf;
    char tmp[LIMEN__TOKEN_MAX + 1];
    if (len <= LIMEN__TOKEN_MAX && !(flags & LIMEN__TF_ARABIC)) {
        memcpy(tmp, text, (size_t)len);
        tmp[len] = '\0';
        if (bsearch(tmp, common_tokens, sizeof common_tokens / sizeof common_tokens[0],
                    sizeof common_tokens[0], cmp_str) &&
            cap > LIMEN__COMMON_CAP)
            cap = LIMEN__COMMON_CAP;
    }
    return cap;
}

/* ---- finish ---- */

struct kt {
    uint64_t key;
    uint32_t tok;
};

static int cmp_kt(const void *a, const void *b)
{
    const struct kt *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->tok > y->tok) - (x->tok < y->tok);
}

/*
 * Postings: for every token, the names holding it ordered by the year
 * bucket of their alert, then by name id (index_int.h, "year buckets"),
 * with the bucket of each in post_yb. Names are visited in that order
 * (a counting sort by bucket), so every list comes out sorted.
 *
 * On T threads the visit order is cut into T consecutive parts: each
 * counts its occurrences per token, the counts give each part its cursor
 * inside every token's list (part 0 first), and the parts fill at once:
 * the lists are those of one pass.
 */
struct post_part {
    struct limen_index *idx;
    const uint32_t *order;
    const uint8_t *bucket;
    size_t lo, hi;   /* its range of order[] */
    uint32_t *cur;   /* per token: its count, then its cursor */
    int fill;        /* 0: count, 1: fill */
};

static void post_walk(void *ud, size_t j)
{
    struct post_part *pp = (struct post_part *)ud + j;
    struct limen_index *idx = pp->idx;
    uint32_t *cur = pp->cur;
    for (size_t i = pp->lo; i < pp->hi; i++) {
        uint32_t n = pp->order[i];
        const struct limen__iname *in = &idx->names[n];
        if (idx->alerts[in->alert].dead)
            continue;
        for (uint32_t k = 0; k < in->ntok; k++) {
            uint32_t t = idx->ntok[in->tok + k];
            if (repeated_token(idx, in, k))
                continue;
            if (pp->fill) {
                uint32_t p = cur[t]++;
                idx->post[p] = n;
                idx->post_yb[p] = pp->bucket[n];
            } else {
                cur[t]++;
            }
        }
    }
}

static limen_status build_postings(struct limen_index *idx, unsigned threads)
{
    limen_status st = LIMEN_ENOMEM;
    size_t nparts = threads;
    uint8_t *bucket = limen__malloc(idx->nnames ? idx->nnames : 1);
    uint32_t *order = limen__reallocarray(NULL, idx->nnames ? idx->nnames : 1, sizeof *order);
    struct post_part *parts = limen__calloc(nparts, sizeof *parts);
    if (!bucket || !order || !parts)
        goto out;
    for (size_t j = 0; j < nparts; j++) {
        parts[j].cur = limen__calloc(idx->ntoks ? idx->ntoks : 1, sizeof *parts[j].cur);
        if (!parts[j].cur)
            goto out;
    }
    size_t start[LIMEN__YB_COUNT + 1] = {0};
    for (size_t n = 0; n < idx->nnames; n++) {
        const struct limen__ialert *a = &idx->alerts[idx->names[n].alert];
        bucket[n] = (uint8_t)alert_year_bucket(idx, a);
        start[bucket[n] + 1]++;
    }
    for (int b = 0; b < LIMEN__YB_COUNT; b++)
        start[b + 1] += start[b];
    for (size_t n = 0; n < idx->nnames; n++)
        order[start[bucket[n]]++] = (uint32_t)n;
    for (size_t j = 0; j < nparts; j++) {
        parts[j].idx = idx;
        parts[j].order = order;
        parts[j].bucket = bucket;
        parts[j].lo = idx->nnames * j / nparts;
        parts[j].hi = idx->nnames * (j + 1) / nparts;
    }
    limen__parallel_for(threads, nparts, post_walk, parts);
    /* Counts become cursors: each token's list starts after the previous
     * token's, each part's share after the previous part's. */
    size_t total = 0;
    for (size_t t = 0; t < idx->ntoks; t++) {
        idx->toks[t].post = (uint32_t)total;
        for (size_t j = 0; j < nparts; j++) {
            uint32_t c = parts[j].cur[t];
            parts[j].cur[t] = (uint32_t)total;
            total += c;
        }
        idx->toks[t].df = (uint32_t)(total - idx->toks[t].post);
    }
    idx->post = limen__reallocarray(NULL, total ? total : 1, sizeof *idx->post);
    idx->post_yb = limen__malloc(total ? total : 1);
    if (!idx->post || !idx->post_yb)
        goto out;
    for (size_t j = 0; j < nparts; j++)
        parts[j].fill = 1;
    limen__parallel_for(threads, nparts, post_walk, parts);
    size_t n_live = 0;
    for (size_t n = 0; n < idx->nnames; n++)
        n_live += !idx->alerts[idx->names[n].alert].dead;
    idx->live_names = n_live;
    for (size_t t = 0; t < idx->ntoks; t++)
        idx->toks[t].weight = token_weight(idx, &idx->toks[t], (double)n_live);
    st = LIMEN_OK;
out:
    for (size_t j = 0; parts && j < nparts; j++)
        limen__free(parts[j].cur);
    limen__free(parts);
    limen__free(bucket);
    limen__free(order);
    return st;
}

/*
 * Sorts (key, tok) pairs given in non-decreasing tok order by key, then
 * tok: a stable radix sort on the key, 16 bits a pass (qsort with cmp_kt
 * gives the same order, several times slower on millions of pairs).
 * Returns -1 when out of memory.
 */
static int sort_kt(struct kt *a, size_t n)
{
    if (n < 4096) {
        qsort(a, n, sizeof *a, cmp_kt);
        return 0;
    }
    struct kt *tmp = limen__reallocarray(NULL, n, sizeof *tmp);
    size_t *count = limen__calloc(65536, sizeof *count);
    if (!tmp || !count) {
        limen__free(tmp);
        limen__free(count);
        return -1;
    }
    struct kt *src = a, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(src[i].key >> shift) & 0xffff]++;
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i].key >> shift) & 0xffff]++] = src[i];
        struct kt *x = src;
        src = dst;
        dst = x;
    }
    /* four passes: the sorted pairs are back in `a` */
    limen__free(tmp);
    limen__free(count);
    return 0;
}

static limen_status build_keys(struct limen_index *idx)
{
    size_t cap = idx->ntoks * 8 + 16, n = 0;
    struct kt *kts = limen__reallocarray(NULL, cap, sizeof *kts);
    if (!kts)
        return LIMEN_ENOMEM;
    for (size_t t = 0; t < idx->ntoks; t++) {
        if (idx->toks[t].df == 0)
            continue;
        uint64_t keys[LIMEN__MAX_KEYS];
        int nk = limen__token_keys(idx->arena + idx->toks[t].text, idx->toks[t].len,
                                   idx->toks[t].flags, keys);
        if (n + (size_t)nk > cap) {
            size_t nc = (n + (size_t)nk) * 2;
            struct kt *nkts = limen__reallocarray(kts, nc, sizeof *kts);
            if (!nkts) {
                limen__free(kts);
                return LIMEN_ENOMEM;
            }
            kts = nkts;
            cap = nc;
        }
        for (int i = 0; i < nk; i++) {
            kts[n].key = keys[i];
            kts[n].tok = (uint32_t)t;
            n++;
        }
    }
    if (sort_kt(kts, n) != 0) {
        limen__free(kts);
        return LIMEN_ENOMEM;
    }
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        distinct += i == 0 || kts[i].key != kts[i - 1].key;
    idx->keys = limen__reallocarray(NULL, distinct ? distinct : 1, sizeof *idx->keys);
    idx->key_off = limen__reallocarray(NULL, distinct + 1, sizeof *idx->key_off);
    idx->key_tok = limen__reallocarray(NULL, n ? n : 1, sizeof *idx->key_tok);
    if (!idx->keys || !idx->key_off || !idx->key_tok) {
        limen__free(kts);
        return LIMEN_ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || kts[i].key != kts[i - 1].key) {
            idx->keys[k] = kts[i].key;
            idx->key_off[k] = (uint32_t)i;
            k++;
        }
        idx->key_tok[i] = kts[i].tok;
    }
    idx->key_off[k] = (uint32_t)n;
    idx->nkeys = k;
    limen__free(kts);
    return LIMEN_OK;
}

static limen_status build_docs(struct limen_index *idx)
{
    size_t n = 0;
    struct kt *kts = limen__reallocarray(NULL, idx->ndocs ? idx->ndocs : 1, sizeof *kts);
    if (!kts)
        return LIMEN_ENOMEM;
    for (size_t a = 0; a < idx->nalerts; a++) {
        const struct limen__ialert *al = &idx->alerts[a];
        if (al->dead)
            continue;
        for (uint32_t d = 0; d < al->ndoc; d++) {
            const struct limen__idoc *doc = &idx->docs[al->doc0 + d];
            kts[n].key = doc_ocr_key(idx, doc);
            kts[n].tok = (uint32_t)a;
            n++;
        }
    }
    if (sort_kt(kts, n) != 0) {
        limen__free(kts);
        return LIMEN_ENOMEM;
    }
    idx->doc_keys = limen__reallocarray(NULL, n ? n : 1, sizeof *idx->doc_keys);
    idx->doc_alert = limen__reallocarray(NULL, n ? n : 1, sizeof *idx->doc_alert);
    if (!idx->doc_keys || !idx->doc_alert) {
        limen__free(kts);
        return LIMEN_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        idx->doc_keys[i] = (uint32_t)(kts[i].key >> 32);
        idx->doc_alert[i] = kts[i].tok;
    }
    idx->ndoc_keys = n;
    limen__free(kts);
    return LIMEN_OK;
}

/* Gives back the slack of arrays grown by doubling (up to half of them; a
 * shrinking realloc of a large block moves no data); arrays of a mapped
 * index stay where they are. Failure only keeps the slack. */
static void shrink(const struct limen_index *idx, void **p, size_t *cap, size_t n, size_t elem)
{
    if (!*p || limen__in_map(idx, *p) || *cap <= n)
        return;
    void *np = limen__reallocarray(*p, n ? n : 1, elem);
    if (np) {
        *p = np;
        *cap = n ? n : 1;
    }
}

#define SHRINK(arr, cap, n) shrink(idx, (void **)&(arr), &(cap), (n), sizeof *(arr))

static void shrink_all(struct limen_index *idx)
{
    SHRINK(idx->arena, idx->arena_cap, idx->arena_len);
    SHRINK(idx->alerts, idx->alerts_cap, idx->nalerts);
    SHRINK(idx->names, idx->names_cap, idx->nnames);
    SHRINK(idx->ntok, idx->ntok_cap, idx->nntok);
    SHRINK(idx->dobs, idx->dobs_cap, idx->ndobs);
    SHRINK(idx->nats, idx->nats_cap, idx->nnats);
    SHRINK(idx->docs, idx->docs_cap, idx->ndocs);
    SHRINK(idx->toks, idx->toks_cap, idx->ntoks);
}

/* The fuzzy keys and the document keys, built at once (they share nothing). */
struct keys_docs {
    struct limen_index *idx;
    limen_status st[2];
};

static void keys_or_docs(void *ud, size_t i)
{
    struct keys_docs *kd = ud;
    kd->st[i] = i == 0 ? build_keys(kd->idx) : build_docs(kd->idx);
}

limen_status limen_index_finish(struct limen_index *idx)
{
    limen_status st;
    /* By default a small index stays on one thread: it is finished before
     * another would have started. A count asked for is used as it is. */
    unsigned threads = !idx->opts.threads && idx->nnames < 65536 ? 1
                                                                  : limen__threads(idx->opts.threads);
    if (idx->opts.max_memory) {
        /* what it builds: postings and their years (5 bytes a token
         * occurrence), fuzzy keys and neighbours (about 48 bytes a token),
         * document keys (12 a document), the birth-day table (4 an alert) */
        size_t need = idx->nntok * 5 + idx->ntoks * 48 + idx->ndocs * 12 + idx->nalerts * 4 +
                      (LIMEN__DOBK_DAYS + 1) * 4;
        if (filed_bytes(idx) + need > idx->opts.max_memory)
            return LIMEN_ELIMIT;
    }
    free_derived(idx);
    srcs_free(idx); /* alerts added from now on keep their own written forms */
    struct keys_docs kd = {idx, {LIMEN_OK, LIMEN_OK}};
    if ((st = build_postings(idx, threads)) == LIMEN_OK) {
        limen__parallel_for(threads, 2, keys_or_docs, &kd);
        st = kd.st[0] != LIMEN_OK ? kd.st[0] : kd.st[1];
    }
    if (st == LIMEN_OK)
        st = limen__expand_build(idx, threads);
    if (st == LIMEN_OK)
        st = limen__dobk_build(idx);
    if (st != LIMEN_OK) {
        free_derived(idx);
        return st;
    }
    idx->ntoks_keyed = idx->ntoks;
    idx->finished = 1;
    shrink_all(idx);
    return LIMEN_OK;
}

size_t limen_index_pending(const struct limen_index *idx)
{
    return idx->finished ? idx->nadded_delta + idx->ndead_delta : 0;
}

void limen_index_stats(const struct limen_index *idx, struct limen_index_stats *s)
{
    memset(s, 0, sizeof *s);
    s->alerts = idx->live;
    for (size_t n = 0; n < idx->nnames; n++)
        s->names += !idx->alerts[idx->names[n].alert].dead;
    s->tokens = idx->ntoks;
    s->keys = idx->nkeys;
    s->documents = idx->ndoc_keys;
    size_t posts = 0;
    for (size_t t = 0; t < idx->ntoks; t++)
        posts += idx->toks[t].df;
    s->memory_bytes = idx->arena_cap + idx->alerts_cap * sizeof *idx->alerts +
                      idx->names_cap * sizeof *idx->names + idx->ntok_cap * 4 +
                      idx->dobs_cap * sizeof *idx->dobs + idx->nats_cap * 2 +
                      idx->docs_cap * sizeof *idx->docs + idx->toks_cap * sizeof *idx->toks +
                      idx->dict_cap * 4 + idx->ids_cap * 4 + posts * 4 + idx->nkeys * 12 +
                      posts + idx->nnb * sizeof *idx->nb +
                      (idx->nkeys ? idx->key_off[idx->nkeys] * 4 : 0) + idx->ndoc_keys * 8 +
                      (idx->dobk_off ? (idx->dobk_days + 1) * 4 + idx->ndobk * 4 : 0);
}
