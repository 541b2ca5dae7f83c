/*
 * The screening index, inside. See index.c for the layout and
 * docs/index.md for the design.
 */
#ifndef LIMEN_INDEX_INT_H
#define LIMEN_INDEX_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "dates.h"
#include "docnum.h"
#include "limen/screen.h"
#include "names.h"
#include "tsim.h"

/* Which property a name came from. */
enum limen__name_prop {
    LIMEN__NP_NAME = 0,
    LIMEN__NP_ALIAS,
    LIMEN__NP_PREVIOUS,
    LIMEN__NP_WEAK,
    LIMEN__NP_PARTS, /* firstName + middleName + fatherName + lastName */
};
const char *limen__name_prop_label(int prop);

/* A distinct token of the dictionary (32 bytes). */
struct limen__dtok {
    uint32_t text; /* offset in the string arena (NUL-terminated there) */
    uint8_t len;
    uint8_t flags; /* LIMEN__TF_* (part of the token's identity: ARABIC) */
    uint8_t kind;  /* its kind in a name of two tokens or more (limen__token_kind) */
    uint8_t reserved;
    uint32_t df; /* names holding it */
    float weight;
    uint32_t post; /* first posting (name id) in idx->post */
    uint32_t ddf;   /* names holding it added since finish() (delta postings) */
    uint32_t dhead; /* first delta posting, 1-based in idx->dp_*; 0: none */
    uint32_t exp;   /* 0, or 1 + the header of its stored neighbours in idx->nb (expand.c) */
};

/* The kind of a token in a name of name_ntok tokens (as the normaliser gave
 * it: limen__token_kind(), kept in the token for names of two or more). */
static inline int limen__occ_kind(const struct limen__dtok *t, unsigned name_ntok)
{
    return name_ntok > 1 ? t->kind : t->len == 1 ? LIMEN__TOK_INITIAL : LIMEN__TOK_WORD;
}

/*
 * Year buckets: the postings of every token are ordered by the birth year
 * of the name's alert (bucket 1 + year - 1870, clamped), bucket 0 first,
 * holding alerts with no birth year or several; post_yb holds each
 * posting's bucket, so the postings of given years are found by binary
 * search and read with their year.
 */
#define LIMEN__YB_COUNT 160
#define LIMEN__YB_FIRST_YEAR 1870
static inline int limen__year_bucket(int year)
{
    int b = year - LIMEN__YB_FIRST_YEAR + 1;
    return b < 1 ? 1 : b >= LIMEN__YB_COUNT ? LIMEN__YB_COUNT - 1 : b;
}

/* The year bucket of an alert: that of its birth year, 0 when it has none
 * or several in different buckets. */
static inline int limen__alert_year_bucket(const struct limen__date *dobs, uint32_t ndob)
{
    int b = 0;
    for (uint32_t d = 0; d < ndob; d++) {
        int yb = dobs[d].year ? limen__year_bucket(dobs[d].year) : 0;
        if (d == 0)
            b = yb;
        else if (b != yb)
            return 0;
    }
    return b;
}

/*
 * A name's written form is kept in the arena (src, src_len) unless it is
 * its tokens' canonical texts joined again (rebuilt = 1): then src and
 * src_len hold, instead, the recipe that rebuilds it byte for byte
 * (limen__name_form()). The recipe (48 bits, limen__form_recipe()):
 *
 *   bits 0-3   r: the written order starts at token r, wrapping round, with
 *              ", " before token 0 ("AL-ZAWAHIRI, Ayman", whose tokens the
 *              normaliser gives as ayman al zawahiri); 0: in token order
 *   bits 4-31  the case of the word written at position j, 2 bits each:
 *              0 as the token (lower case), 1 first letter upper-cased,
 *              2 all upper-case (3 is never written)
 *   bits 32-44 the separator before position j + 1: 0 a space, 1 a hyphen
 *
 * so only names of at most LIMEN__FORM_MAX_TOKENS tokens, written in ASCII
 * with their canonical spellings, are rebuilt (about 60% of the names of
 * the synthetic populations, 80% of OFAC's): diacritics, other scripts,
 * prefixes written in another spelling (el for al, abdel) and any other
 * punctuation are kept as written.
 */
struct limen__iname {
    uint32_t alert;
    uint32_t tok;     /* first token in idx->ntok */
    uint32_t src;     /* written form in the arena (no NUL; names written alike share it),
                         or the recipe's low 32 bits */
    uint16_t src_len; /* or the recipe's bits 32-47 */
    uint8_t ntok;
    uint8_t prop : 4;    /* enum limen__name_prop */
    uint8_t rebuilt : 1; /* the form is rebuilt from the tokens */
};

#define LIMEN__FORM_MAX_TOKENS 14
/* Room for a rebuilt form: the tokens, a comma and a separator between each two. */
#define LIMEN__FORM_BUF (LIMEN__FORM_MAX_TOKENS * (LIMEN__TOKEN_MAX + 2))

/*
 * The recipe that rebuilds written form (s, len) from the name's canonical
 * tokens nm (limen__name_normalize() of that form): returns 1 and sets
 * *recipe when there is one, 0 when the form must be kept as written.
 * Thread-safe.
 */
int limen__form_recipe(const struct limen__name *nm, const char *s, size_t len, uint64_t *recipe);

/* Whether a recipe read from a file is one limen__form_recipe() could give
 * for a name of ntok tokens (bits in range, none set beyond its words). */
int limen__form_recipe_valid(uint64_t recipe, unsigned ntok);

/*
 * The written form of name n: returns it and sets *len, pointing into the
 * arena or, when it is rebuilt, into buf (LIMEN__FORM_BUF bytes, the
 * caller's). Reads the index only: safe on threads that do not change it.
 */
const char *limen__name_form(const struct limen_index *idx, uint32_t n, char *buf, size_t *len);

struct limen__idoc {
    uint32_t num; /* normalised number in the arena (NUL-terminated there) */
    uint8_t len;
    uint8_t kind; /* 0 passport, 1 id card, 2 other */
    uint16_t country; /* two lowercase letters packed, 0 unknown */
};

/* An alert (28 bytes: 10 million of them are 280 MB). */
struct limen__ialert {
    uint32_t id; /* arena (no NUL) */
    uint16_t id_len;
    uint8_t schema : 4; /* enum limen_schema */
    uint8_t gender : 2; /* 0 unknown, 1 male, 2 female, 3 other */
    uint8_t dead : 1;
    uint8_t nname;            /* at most LIMEN__MAX_NAMES */
    uint8_t ndob, nnat, ndoc; /* at most LIMEN__MAX_FACTS each */
    uint32_t name0;
    uint32_t dob0, nat0, doc0;
};

/* What screening reads off an entity (alert or query). */
#define LIMEN__MAX_NAMES 32
#define LIMEN__MAX_FACTS 16
struct limen__facts {
    struct {
        const char *s;
        size_t len;
        uint8_t prop;
    } names[LIMEN__MAX_NAMES];
    int nnames;
    char composed[1200];
    struct limen__date dobs[LIMEN__MAX_FACTS];
    int ndob;
    uint8_t gender;
    uint16_t nats[LIMEN__MAX_FACTS];
    int nnat;
    struct {
        char num[LIMEN__DOCNUM_MAX + 1];
        uint8_t len;
        uint8_t kind;
        uint16_t country;
    } docs[LIMEN__MAX_FACTS];
    int ndoc;
};

/* Reads the facts of an entity; strings point into the entity. */
void limen__facts_read(const struct limen_entity *e, struct limen__facts *f);

/*
 * Where the prepare step reads an alert from: a parsed entity, or a line
 * the entity scanner handled (entity_scan.h: the index build's fast path,
 * which gives the same facts). Exactly one of the two is set; both are
 * borrowed.
 */
struct limen__escan;
struct limen__fact_src {
    const struct limen_entity *entity;
    const struct limen__escan *scan;
};

/*
 * Adding an alert in two steps (index.c): preparing reads its facts and
 * normalises its names into a packed record appended to `out`, touching
 * no index (any thread, each with its own scratch; the normalizer is
 * shared); filing copies a prepared record into the index (the index's
 * one writer). limen_index_add() is the two in turn. Errors as
 * limen_index_add(), written to err only on failure; a failed prepare may
 * leave part of a record in out.
 */
struct limen_buf;
struct limen__prep_scratch {
    struct limen__facts facts;
    struct limen__name name;
};
limen_status limen__alert_prepare(struct limen__normalizer *nz, const struct limen__fact_src *alert,
                                  struct limen__prep_scratch *sc, struct limen_buf *out,
                                  struct limen_error *err);
limen_status limen__alert_file(struct limen_index *idx, const unsigned char *rec, int *replaced,
                               struct limen_error *err);
/* Prefetches what filing a prepared record will read: stage 0 the table
 * slots, stage 1 (later) the records they name. Changes nothing. */
void limen__alert_prefetch(const struct limen_index *idx, const unsigned char *rec, int stage);

/* A thread count as the API takes it: 0 is one per online CPU; at most 64. */
unsigned limen__threads(unsigned asked);

/*
 * Runs fn(ud, i) once for every i in [0, n), on up to `threads` threads
 * (0: one per CPU), the calling thread among them; returns when all are
 * done. fn must be safe to run at once for different i. (index_build.c)
 */
void limen__parallel_for(unsigned threads, size_t n, void (*fn)(void *ud, size_t i), void *ud);

#define LIMEN__SCRATCH_POOL 16

/* Frees one of screening's per-query blocks (screen.c; for limen_index_free). */
void limen__scratch_free(void *scratch);

struct limen_index {
    struct limen_index_options opts;
    struct limen__normalizer *nz;

    char *arena;
    size_t arena_len, arena_cap;

    struct limen__ialert *alerts;
    size_t nalerts, alerts_cap;
    size_t live;
    struct limen__iname *names;
    size_t nnames, names_cap;
    uint32_t *ntok; /* token ids of each name, in order */
    size_t nntok, ntok_cap;
    struct limen__date *dobs;
    size_t ndobs, dobs_cap;
    uint16_t *nats;
    size_t nnats, nats_cap;
    struct limen__idoc *docs;
    size_t ndocs, docs_cap;

    /* dictionary: open addressing, slot = token id + 1 */
    struct limen__dtok *toks;
    size_t ntoks, toks_cap;
    uint32_t *dict;
    size_t dict_cap;

    /* alert ids: open addressing, slot = alert index + 1 */
    uint32_t *ids;
    size_t ids_cap;

    /* While alerts are added before the first finish(): written name forms
     * already in the arena (open addressing, slot = name id + 1), so that
     * names written alike share their bytes. Freed by finish(). */
    uint32_t *srcs;
    size_t srcs_cap, nsrcs;

    /* built by finish() */
    int finished;
    int over_limit; /* an array would have passed opts.max_memory (grow_in) */
    uint32_t *post; /* postings: name ids per token */
    uint64_t *keys; /* sorted distinct fuzzy keys */
    uint32_t *key_off; /* nkeys + 1 */
    uint32_t *key_tok;
    size_t nkeys;
    uint32_t *doc_keys; /* high half of each document's key, sorted by (key, alert) */
    uint32_t *doc_alert;
    size_t ndoc_keys;
    size_t live_names; /* names of live alerts (token weights use it) */
    uint8_t *post_yb;  /* parallel to post: the year bucket of each posting's alert */
    struct limen__nb *nb; /* stored neighbour lists of the commonest tokens (expand.c) */
    size_t nnb;
    /* alerts by full date of birth (dobkey.c), rebuilt when a saved index is loaded */
    uint32_t *dobk_off;   /* dobk_days + 1 offsets into dobk_alert, from day dobk_lo */
    int dobk_lo;
    size_t dobk_days;
    uint32_t *dobk_alert; /* alert indexes, by day, then increasing */
    size_t ndobk;
    size_t dobk_held;     /* days holding at least one alert */

    /*
     * Changes since finish(), kept aside so that one alert can be added,
     * replaced or removed without a rebuild (index.c, "delta"): postings of
     * new names chained per token, fuzzy keys of tokens that have none in
     * keys[], document keys of new alerts. finish() folds them in.
     */
    size_t ntoks_keyed; /* tokens [0, ntoks_keyed) had their keys built by finish() */
    size_t ndead_delta; /* alerts removed or replaced since finish() */
    size_t nadded_delta;         /* alerts added (replacements too) since finish() */
    uint32_t *dp_name, *dp_next; /* delta postings: name id, next (1-based, 0 ends) */
    uint8_t *dp_yb;              /* the year bucket of each delta posting's alert */
    size_t ndp, dp_cap;
    uint64_t *dk_key; /* delta fuzzy keys: open addressing, dk_tok slot 0 = empty */
    uint32_t *dk_tok; /* token id + 1 */
    size_t ndk, dk_cap;
    uint64_t *dd_key; /* delta document keys: open addressing, dd_alert slot 0 = empty */
    uint32_t *dd_alert; /* alert index + 1 */
    size_t ndd, dd_cap;
    uint64_t *dobk_dkey; /* delta birth days: open addressing, dobk_dalert slot 0 = empty */
    uint32_t *dobk_dalert; /* alert index + 1 */
    size_t ndobk_d, dobk_dcap;

    /*
     * Screening's per-query working memory, kept for the next query (its
     * tables stay allocated and warm): a small stack under its own lock,
     * the only part of the index screening writes (screen.c).
     */
    pthread_mutex_t pool_lock;
    void *pool[LIMEN__SCRATCH_POOL];
    int npool;

    /* A saved index loaded with limen_index_load(): arrays point into this
     * private, copy-on-write mapping until they grow (then they are copied). */
    char *map;
    size_t map_len;
};

/* ---- dictionary neighbours (expand.c) ---- */

/* A dictionary token and its similarity to the spelling searched. */
struct limen__nb {
    uint32_t tok;
    float sim;
};
#define LIMEN__MAX_NEIGHBOURS 1024
/* A search whose exact keys found a spelling this close skips the deletion keys. */
#ifndef LIMEN__DELETION_UNLESS
#define LIMEN__DELETION_UNLESS 0.92f
#endif

/* Whether a token starts with an article written joined (elamrani). */
int limen__joined_article(const char *text, int len);

/* A sort key: (hi, lo), then the record's place `at` (the sort is stable). */
struct limen__sort_key {
    uint64_t hi;
    uint32_t lo, at;
};
/* Sorts k[0..n) by (hi, lo), stably; tmp has room for n keys. */
void limen__sort_keys(struct limen__sort_key *k, struct limen__sort_key *tmp, size_t n);

/* A spelling prepared for neighbour search (its similarity programme's side). */
struct limen__neighbour_query {
    struct limen__tsim_side whole, bare; /* bare: without a joined article */
    int joined_article;
    struct limen__tsim_cols cols; /* whole's programme, kept from token to token */
};
void limen__neighbour_prepare(struct limen__neighbour_query *q, const char *text, int len,
                              int flags, int is_pair);

/* The similarity of a spelling to dictionary token tok, as neighbour search
 * scores it; any value below `floor` may come out as 0. */
float limen__neighbour_sim(const struct limen_index *idx, struct limen__neighbour_query *q,
                           uint32_t tok, float floor);

/* The working memory of a neighbour search (about 120 KB; one a thread:
 * a search leaves it ready for the next). NULL when out of memory. */
struct limen__expand_work;
struct limen__expand_work *limen__expand_work_new(void);
void limen__expand_work_free(struct limen__expand_work *w);

/*
 * The tokens under the fuzzy keys of a spelling whose similarity reaches
 * `floor`, among those of the finished index (delta 0) or those added since
 * finish() (delta 1): writes at most cap to out and returns the count.
 * `is_pair`: the spelling is two query tokens written as one (no
 * joined-article reading, no deletion keys).
 */
size_t limen__expand(const struct limen_index *idx, struct limen__expand_work *w,
                     const char *text, int len, int flags, int is_pair, float floor, int delta,
                     struct limen__nb *out, size_t cap);

/* Stores the neighbours of the commonest tokens (called by finish(), on
 * `threads` threads; the lists are the same for any count). */
limen_status limen__expand_build(struct limen_index *idx, unsigned threads);

/* The stored neighbours of token tok: sets *n and returns them, or NULL. */
static inline const struct limen__nb *limen__expand_stored(const struct limen_index *idx,
                                                          uint32_t tok, size_t *n)
{
    uint32_t e = idx->toks[tok].exp;
    if (!e)
        return NULL;
    *n = idx->nb[e - 1].tok;
    return idx->nb + e;
}

/* The 64-bit checksum of saved index files (index_file.c); the header's
 * covers its first 504 bytes, with h = 0. */
uint64_t limen__index_checksum(const unsigned char *p, size_t n, uint64_t h);

/* Unmaps the file of a loaded index (index_file.c); no-op otherwise. */
void limen__index_unmap(struct limen_index *idx);

/* Whether p points into the mapping of a loaded index (not to be freed). */
static inline int limen__in_map(const struct limen_index *idx, const void *p)
{
    /* the end is included: an empty last section points just past the data */
    return idx->map && (const char *)p >= idx->map && (const char *)p <= idx->map + idx->map_len;
}

/*
 * Highest weight a token may have whatever its rarity in the list: lower
 * for short tokens and for names common across populations.
 */
float limen__token_prior(const char *text, int len, int flags);

/* 64-bit FNV-1a hash. */
uint64_t limen__hash(const void *p, size_t n, uint64_t seed);

/* Dictionary lookup: token id or UINT32_MAX. */
uint32_t limen__dict_find(const struct limen_index *idx, const char *text, size_t len, int flags);

/*
 * Fuzzy keys of a token (its phonetic skeleton, the skeleton with one
 * letter deleted, and the skeleton without a joined article); `flags` are
 * the token's (LIMEN__TF_ARABIC: romanised from Arabic script, its
 * skeleton reads h otherwise). Returns the count written to keys (at most
 * LIMEN__MAX_KEYS).
 */
#define LIMEN__MAX_KEYS 40
int limen__token_keys(const char *text, int len, int flags, uint64_t *keys);
/* The same keys, the exact ones (skeleton, variants, bare word) first:
 * *nexact says how many; the one-letter deletions follow. */
int limen__token_keys2(const char *text, int len, int flags, uint64_t *keys, int *nexact);

/* The newest alert with this id (dead or not), or UINT32_MAX. */
uint32_t limen__alert_find(const struct limen_index *idx, const char *id, size_t len);

/* Token ids under a fuzzy key: sets *ids and returns the count (0 if none). */
size_t limen__key_lookup(const struct limen_index *idx, uint64_t key, const uint32_t **ids);

/* Token ids under a fuzzy key among the tokens added since finish():
 * copies at most `cap` into out and returns the count copied. */
size_t limen__key_lookup_delta(const struct limen_index *idx, uint64_t key, uint32_t *out,
                               size_t cap);

/* Alerts holding a document whose OCR key hashes to `key`. */
size_t limen__doc_lookup(const struct limen_index *idx, uint64_t key, const uint32_t **alerts);
/* The same among alerts added since finish(): copies at most `cap` alert indexes. */
size_t limen__doc_lookup_delta(const struct limen_index *idx, uint64_t key, uint32_t *out,
                               size_t cap);
uint64_t limen__doc_key(const char *ocr, size_t len);

/* An open-addressing multimap of (key, value + 1) pairs, value 0 marking
 * an empty slot, `cap` a power of two (index.c). */
int limen__multimap_rehash(uint64_t **keys, uint32_t **vals, size_t *cap, size_t ncap);
void limen__multimap_put(uint64_t *keys, uint32_t *vals, size_t cap, uint64_t key, uint32_t val);
size_t limen__multimap_get(const uint64_t *keys, const uint32_t *vals, size_t cap, uint64_t key,
                           uint32_t *out, size_t max);

/* ---- birth dates as a blocking key (dobkey.c) ----
 *
 * The alerts born on a given day, for queries with a full date of birth:
 * screening credits their names in full before it walks postings, so a
 * person whose name is made only of common tokens is still found by an
 * exact (or one-field-off) date of birth however many namesakes the list
 * holds. Built by finish() and when a saved index is loaded (it is not in
 * the file: derived, and quick to derive); 4 bytes an alert with a full
 * date of birth, plus a directory of LIMEN__DOBK_DAYS offsets.
 */
#define LIMEN__DOBK_FIRST_YEAR 1870
#define LIMEN__DOBK_YEARS 160
#define LIMEN__DOBK_DAYS (LIMEN__DOBK_YEARS * 372)
/* The day number of a full date, or -1 (partial, or outside the years kept). */
int limen__dobk_day(int year, int month, int day);
/* The distinct day numbers of an alert's full dates of birth; returns the count. */
int limen__dobk_alert_days(const struct limen_index *idx, const struct limen__ialert *a,
                           int days[LIMEN__MAX_FACTS]);
limen_status limen__dobk_build(struct limen_index *idx);
void limen__dobk_free(struct limen_index *idx);
/* The alerts of the finished index born on `day` (dead ones included):
 * sets *alerts and returns the count. */
size_t limen__dobk_lookup(const struct limen_index *idx, int day, const uint32_t **alerts);
/* Room for `more` delta entries (so that delta_add cannot fail); 0 or -1. */
int limen__dobk_delta_reserve(struct limen_index *idx, size_t more);
void limen__dobk_delta_add(struct limen_index *idx, uint32_t alert);
/* The alerts added since finish() born on `day`: copies at most cap. */
size_t limen__dobk_lookup_delta(const struct limen_index *idx, int day, uint32_t *out, size_t cap);
void limen__dobk_free_delta(struct limen_index *idx);

static inline const char *limen__arena_str(const struct limen_index *idx, uint32_t off)
{
    return idx->arena + off;
}

#endif
