/*
 * Saved indexes: limen_index_save() writes the arrays of a finished index
 * to one file; limen_index_load() maps that file and points the index at
 * it, so that loading costs one pass to verify the checksum and the
 * structure, not a rebuild.
 *
 * File layout (little-endian host order; a file from a machine of the other
 * order is refused as foreign):
 *
 *   header    struct file_header, 512 bytes: magic "LIMENIDX", format
 *             version, byte-order mark, sizes of the structs, counts,
 *             options, the checksum of the sections and of the header
 *   sections  one per array, each at a 64-byte aligned offset, listed in
 *             the header's table {offset, count} by a fixed order
 *
 * The checksum is a 64-bit hash over every byte after the header, read 8
 * bytes at a time (fast enough to check gigabytes in about a second). The
 * mapping is private and writable: in-place changes (an alert removed, a
 * weight updated) are copy-on-write pages, and an array that must grow is
 * copied to the heap first (index.c, grow_in()).
 */
#include "alloc.h"
#include "index_int.h"
#include "status_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_MAGIC "LIMENIDX"
#define FILE_VERSION 8u
#define BYTE_ORDER_MARK 0x01020304u
#define ALIGN 64u

enum section {
    S_ARENA,
    S_ALERTS,
    S_NAMES,
    S_NTOK,
    S_NKIND,
    S_DOBS,
    S_NATS,
    S_DOCS,
    S_TOKS,
    S_DICT,
    S_IDS,
    S_POST,
    S_KEYS,
    S_KEY_OFF,
    S_KEY_TOK,
    S_DOC_KEYS,
    S_DOC_ALERT,
    S_POST_YB,
    S_NB,
    S_COUNT
};

struct file_section {
    uint64_t offset;
    uint64_t count; /* elements */
};

struct file_header {
    union {
        struct {
            char magic[8];
            uint32_t version;
            uint32_t byte_order;
            uint32_t header_size;
            uint32_t nsections;
            uint32_t elem_size[S_COUNT]; /* sizeof of each array's element: a foreign build differs */
            uint64_t file_size;
            uint64_t data_checksum;
            uint64_t nalerts, live, live_names, npost;
            uint32_t max_candidates;
            uint32_t reserved0;
            double min_token_similarity;
            struct file_section sec[S_COUNT];
        };
        unsigned char raw[504];
    };
    uint64_t header_checksum; /* of the 504 bytes before it */
};

_Static_assert(sizeof(struct file_header) == 512, "the header is 512 bytes");

/* A fast 64-bit hash of a byte range, 8 bytes per step. */
uint64_t limen__index_checksum(const unsigned char *p, size_t n, uint64_t h)
{
    const uint64_t m = 0x9E3779B97F4A7C15ULL;
    h ^= n * m;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * m;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w ^ ((uint64_t)n << 56)) * m;
    h ^= h >> 32;
    return h;
}

/*
 * The checksum of the data after the header, section by section in file
 * order: secs[i] holds section i's bytes; the padding between sections is
 * read from `file` (the whole file, when loading) or taken as zeros (NULL,
 * when writing, where the writer puts zeros).
 */
static uint64_t data_checksum(const struct file_header *h, const unsigned char *const secs[S_COUNT],
                              const unsigned char *file)
{
    static const unsigned char zeros[ALIGN];
    uint64_t sum = 0, pos = sizeof *h;
    for (int i = 0; i <= S_COUNT; i++) {
        uint64_t start = i < S_COUNT ? h->sec[i].offset : h->file_size;
        if (start > pos) /* padding: less than ALIGN bytes */
            sum = limen__index_checksum(file ? file + pos : zeros, (size_t)(start - pos), sum);
        if (i == S_COUNT)
            break;
        size_t bytes = (size_t)(h->sec[i].count * h->elem_size[i]);
        if (bytes)
            sum = limen__index_checksum(secs[i], bytes, sum);
        pos = start + bytes;
    }
    return sum;
}

struct array_ref {
    const void *p;
    size_t count;
    size_t elem;
};

static void arrays_of(const struct limen_index *idx, struct array_ref a[S_COUNT])
{
    a[S_ARENA] = (struct array_ref){idx->arena, idx->arena_len, 1};
    a[S_ALERTS] = (struct array_ref){idx->alerts, idx->nalerts, sizeof *idx->alerts};
    a[S_NAMES] = (struct array_ref){idx->names, idx->nnames, sizeof *idx->names};
    a[S_NTOK] = (struct array_ref){idx->ntok, idx->nntok, sizeof *idx->ntok};
    a[S_NKIND] = (struct array_ref){NULL, 0, 1}; /* (kinds follow from the tokens since v6) */
    a[S_DOBS] = (struct array_ref){idx->dobs, idx->ndobs, sizeof *idx->dobs};
    a[S_NATS] = (struct array_ref){idx->nats, idx->nnats, sizeof *idx->nats};
    a[S_DOCS] = (struct array_ref){idx->docs, idx->ndocs, sizeof *idx->docs};
    a[S_TOKS] = (struct array_ref){idx->toks, idx->ntoks, sizeof *idx->toks};
    a[S_DICT] = (struct array_ref){idx->dict, idx->dict_cap, sizeof *idx->dict};
    a[S_IDS] = (struct array_ref){idx->ids, idx->ids_cap, sizeof *idx->ids};
    size_t npost = 0;
    for (size_t t = 0; t < idx->ntoks; t++)
        npost += idx->toks[t].df;
    a[S_POST] = (struct array_ref){idx->post, npost, sizeof *idx->post};
    a[S_KEYS] = (struct array_ref){idx->keys, idx->nkeys, sizeof *idx->keys};
    a[S_KEY_OFF] = (struct array_ref){idx->key_off, idx->nkeys + 1, sizeof *idx->key_off};
    a[S_KEY_TOK] = (struct array_ref){idx->key_tok, idx->nkeys ? idx->key_off[idx->nkeys] : 0,
                                      sizeof *idx->key_tok};
    a[S_DOC_KEYS] = (struct array_ref){idx->doc_keys, idx->ndoc_keys, sizeof *idx->doc_keys};
    a[S_DOC_ALERT] = (struct array_ref){idx->doc_alert, idx->ndoc_keys, sizeof *idx->doc_alert};
    a[S_POST_YB] = (struct array_ref){idx->post_yb, idx->post_yb ? npost : 0, 1};
    a[S_NB] = (struct array_ref){idx->nb, idx->nnb, sizeof *idx->nb};
}

static uint64_t align_up(uint64_t x)
{
    return (x + ALIGN - 1) / ALIGN * ALIGN;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n > (1u << 30) ? (1u << 30) : n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

limen_status limen_index_save(struct limen_index *idx, const char *path, struct limen_error *err)
{
    limen_status st;
    limen_error_clear(err);
    /* Pending changes are folded in first: the file holds a compact index. */
    if (!idx->finished || idx->ndp || idx->ndead_delta) {
        if ((st = limen_index_finish(idx)) != LIMEN_OK)
            return limen__error_set(err, st, NULL, "cannot finish the index before saving");
    }
    struct array_ref a[S_COUNT];
    arrays_of(idx, a);
    struct file_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, FILE_MAGIC, 8);
    h.version = FILE_VERSION;
    h.byte_order = BYTE_ORDER_MARK;
    h.header_size = sizeof h;
    h.nsections = S_COUNT;
    h.nalerts = idx->nalerts;
    h.live = idx->live;
    h.live_names = idx->live_names;
    h.max_candidates = idx->opts.max_candidates;
    h.min_token_similarity = idx->opts.min_token_similarity;
    uint64_t off = sizeof h;
    for (int i = 0; i < S_COUNT; i++) {
        h.elem_size[i] = (uint32_t)a[i].elem;
        off = align_up(off);
        h.sec[i].offset = off;
        h.sec[i].count = a[i].count;
        off += (uint64_t)a[i].count * a[i].elem;
    }
    h.file_size = align_up(off);
    h.npost = a[S_POST].count;
    /* The checksum runs over the bytes as they will lie in the file, padding included. */
    const unsigned char *secs[S_COUNT];
    for (int i = 0; i < S_COUNT; i++)
        secs[i] = a[i].p;
    h.data_checksum = data_checksum(&h, secs, NULL);
    h.header_checksum = limen__index_checksum((const unsigned char *)&h, offsetof(struct file_header, header_checksum), 0);

    /* Written to a temporary file, synced, then renamed over the target. */
    size_t plen = strlen(path);
    char *tmp = limen__malloc(plen + 16);
    if (!tmp)
        return limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory");
    snprintf(tmp, plen + 16, "%s.tmp%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        st = limen__error_set(err, LIMEN_EIO, NULL, "cannot create %s: %s", tmp, strerror(errno));
        limen__free(tmp);
        return st;
    }
    static const unsigned char zeros[ALIGN];
    int bad = write_all(fd, &h, sizeof h);
    uint64_t pos = sizeof h;
    for (int i = 0; i < S_COUNT && !bad; i++) {
        if (pos < h.sec[i].offset) { /* padding: less than ALIGN bytes */
            size_t n = (size_t)(h.sec[i].offset - pos);
            bad = write_all(fd, zeros, n);
            pos += n;
        }
        size_t bytes = a[i].count * a[i].elem;
        if (!bad && bytes)
            bad = write_all(fd, a[i].p, bytes);
        pos += bytes;
    }
    if (!bad && h.file_size > pos)
        bad = write_all(fd, zeros, (size_t)(h.file_size - pos));
    if (!bad)
        bad = fsync(fd);
    int saved_errno = errno;
    if (close(fd) != 0 && !bad) {
        bad = 1;
        saved_errno = errno;
    }
    if (!bad && rename(tmp, path) != 0) {
        bad = 1;
        saved_errno = errno;
    }
    if (bad) {
        unlink(tmp);
        st = limen__error_set(err, LIMEN_EIO, NULL, "cannot write %s: %s", path,
                              strerror(saved_errno));
        limen__free(tmp);
        return st;
    }
    limen__free(tmp);
    return LIMEN_OK;
}

void limen__index_unmap(struct limen_index *idx)
{
    if (idx->map) {
        munmap(idx->map, idx->map_len);
        idx->map = NULL;
        idx->map_len = 0;
    }
}

static limen_status corrupt(struct limen_error *err, const char *path, const char *what)
{
    return limen__error_set(err, LIMEN_ECORRUPT, NULL, "%s: corrupt index file: %s", path, what);
}

/* Checks the references between arrays, so that a file that passes the
 * checksum but was built wrong can never make screening read out of bounds. */
static const char *check_structure(const struct limen_index *idx, uint64_t npost)
{
    for (size_t i = 0; i < idx->nalerts; i++) {
        const struct limen__ialert *a = &idx->alerts[i];
        if ((uint64_t)a->id + a->id_len > idx->arena_len ||
            (uint64_t)a->name0 + a->nname > idx->nnames ||
            (uint64_t)a->dob0 + a->ndob > idx->ndobs || (uint64_t)a->nat0 + a->nnat > idx->nnats ||
            (uint64_t)a->doc0 + a->ndoc > idx->ndocs)
            return "an alert points outside the arrays";
    }
    for (size_t n = 0; n < idx->nnames; n++) {
        const struct limen__iname *in = &idx->names[n];
        if (in->alert >= idx->nalerts || (uint64_t)in->tok + in->ntok > idx->nntok ||
            in->ntok > LIMEN__NAME_MAX_TOKENS ||
            (!in->rebuilt && (uint64_t)in->src + in->src_len > idx->arena_len))
            return "a name points outside the arrays";
        if (in->rebuilt &&
            !limen__form_recipe_valid(in->src | (uint64_t)in->src_len << 32, in->ntok))
            return "a name's written form cannot be rebuilt from its tokens";
    }
    for (size_t k = 0; k < idx->nntok; k++)
        if (idx->ntok[k] >= idx->ntoks)
            return "a name holds an unknown token";
    for (size_t d = 0; d < idx->ndocs; d++)
        if ((uint64_t)idx->docs[d].num + idx->docs[d].len >= idx->arena_len ||
            idx->docs[d].len > LIMEN__DOCNUM_MAX ||
            idx->arena[idx->docs[d].num + idx->docs[d].len] != '\0')
            return "a document number points outside the arena";
    for (size_t t = 0; t < idx->ntoks; t++) {
        const struct limen__dtok *tk = &idx->toks[t];
        if ((uint64_t)tk->text + tk->len >= idx->arena_len || tk->len > LIMEN__TOKEN_MAX ||
            idx->arena[tk->text + tk->len] != '\0' ||
            (uint64_t)tk->post + tk->df > npost || tk->ddf || tk->dhead ||
            tk->exp > idx->nnb)
            return "a token points outside the arrays";
        if (tk->kind != limen__token_kind(idx->arena + tk->text, tk->len, 2))
            return "a token's kind is not the one its text gives";
        /* screening finds the postings of given years by binary search */
        for (uint32_t p = 1; p < tk->df; p++)
            if (idx->post_yb[tk->post + p] < idx->post_yb[tk->post + p - 1])
                return "a token's postings are not in year order";
    }
    for (size_t p = 0; p < npost; p++)
        if (idx->post[p] >= idx->nnames)
            return "a posting names no name";
    for (size_t t = 0; t < idx->ntoks; t++) {
        uint32_t e = idx->toks[t].exp;
        if (!e)
            continue;
        uint32_t n = idx->nb[e - 1].tok;
        if (n > LIMEN__MAX_NEIGHBOURS || (uint64_t)e + n > idx->nnb)
            return "a neighbour list lies outside its array";
        for (uint32_t i = 0; i < n; i++)
            if (idx->nb[e + i].tok >= idx->ntoks)
                return "a neighbour list names an unknown token";
    }
    for (size_t p = 0; p < npost; p++)
        if (idx->post_yb[p] >= LIMEN__YB_COUNT)
            return "a posting's year bucket is out of range";
    if (idx->nkeys && idx->key_off[0] != 0)
        return "the fuzzy key table does not start at 0";
    for (size_t k = 0; k < idx->nkeys; k++)
        if (idx->key_off[k + 1] < idx->key_off[k] || (k && idx->keys[k] <= idx->keys[k - 1]))
            return "the fuzzy key table is not sorted";
    size_t nkt = idx->nkeys ? idx->key_off[idx->nkeys] : 0;
    for (size_t k = 0; k < nkt; k++)
        if (idx->key_tok[k] >= idx->ntoks)
            return "a fuzzy key names an unknown token";
    for (size_t k = 0; k < idx->ndoc_keys; k++)
        if (idx->doc_alert[k] >= idx->nalerts || (k && idx->doc_keys[k] < idx->doc_keys[k - 1]))
            return "the document table is unsorted or names an unknown alert";
    if ((idx->dict_cap & (idx->dict_cap - 1)) || (idx->ids_cap & (idx->ids_cap - 1)) ||
        idx->dict_cap < idx->ntoks || idx->ids_cap < idx->nalerts)
        return "a hash table has a bad size";
    for (size_t i = 0; i < idx->dict_cap; i++)
        if (idx->dict[i] > idx->ntoks)
            return "the dictionary names an unknown token";
    for (size_t i = 0; i < idx->ids_cap; i++)
        if (idx->ids[i] > idx->nalerts)
            return "the id table names an unknown alert";
    /* Open addressing needs at least one empty slot to end a probe. */
    if ((idx->dict_cap && idx->ntoks >= idx->dict_cap) || (idx->ids_cap && idx->nalerts >= idx->ids_cap))
        return "a hash table is full";
    return NULL;
}

limen_status limen_index_load(const char *path, struct limen_index **out, struct limen_error *err)
{
    limen_status st;
    struct limen_index *idx = NULL;
    char *map = NULL;
    size_t map_len = 0;
    *out = NULL;
    limen_error_clear(err);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return limen__error_set(err, LIMEN_EIO, NULL, "cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = limen__error_set(err, LIMEN_EIO, NULL, "cannot read %s: %s", path, strerror(errno));
        close(fd);
        return st;
    }
    if (sb.st_size < (off_t)sizeof(struct file_header)) {
        close(fd);
        if (sb.st_size >= 8) {
            char magic[8];
            FILE *f = fopen(path, "rb");
            int is_ours = f && fread(magic, 1, 8, f) == 8 && memcmp(magic, FILE_MAGIC, 8) == 0;
            if (f)
                fclose(f);
            if (is_ours)
                return corrupt(err, path, "truncated inside the header");
        }
        return limen__error_set(err, LIMEN_ECORRUPT, NULL,
                                "%s: not a limen index file (%lld bytes, too short)", path,
                                (long long)sb.st_size);
    }
    map_len = (size_t)sb.st_size;
    map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return limen__error_set(err, LIMEN_EIO, NULL, "cannot map %s: %s", path, strerror(errno));
    struct file_header h;
    memcpy(&h, map, sizeof h);
    if (memcmp(h.magic, FILE_MAGIC, 8) != 0) {
        st = limen__error_set(err, LIMEN_ECORRUPT, NULL,
                              "%s: not a limen index file (no LIMENIDX signature)", path);
        goto fail;
    }
    if (h.byte_order != BYTE_ORDER_MARK) {
        st = limen__error_set(err, LIMEN_EVERSION, NULL,
                              "%s: index written on a machine of the other byte order", path);
        goto fail;
    }
    if (h.header_checksum !=
        limen__index_checksum((const unsigned char *)&h, offsetof(struct file_header, header_checksum), 0)) {
        st = corrupt(err, path, "header checksum mismatch");
        goto fail;
    }
    if (h.version != FILE_VERSION || h.header_size != sizeof h || h.nsections != S_COUNT) {
        st = limen__error_set(err, LIMEN_EVERSION, NULL,
                              "%s: index format version %u, this limen reads version %u: rebuild "
                              "it with limen index build",
                              path, h.version, FILE_VERSION);
        goto fail;
    }
    if (h.file_size != map_len) {
        char what[128];
        snprintf(what, sizeof what, "%zu bytes, the header says %llu (truncated or extended)",
                 map_len, (unsigned long long)h.file_size);
        st = corrupt(err, path, what);
        goto fail;
    }
    st = LIMEN_ENOMEM;
    if ((st = limen_index_new(NULL, &idx)) != LIMEN_OK) {
        limen__error_set(err, st, NULL, "cannot create the index");
        goto fail;
    }
    struct array_ref a[S_COUNT];
    arrays_of(idx, a); /* for the element sizes this build uses */
    for (int i = 0; i < S_COUNT; i++) {
        if (h.elem_size[i] != a[i].elem) {
            st = limen__error_set(err, LIMEN_EVERSION, NULL,
                                  "%s: index written by an incompatible build of limen (section "
                                  "%d holds %u-byte elements, %zu expected): rebuild it",
                                  path, i, h.elem_size[i], a[i].elem);
            goto fail;
        }
        if (h.sec[i].offset % ALIGN || h.sec[i].offset < sizeof h || h.sec[i].offset > map_len ||
            h.sec[i].count > (map_len - h.sec[i].offset) / (a[i].elem ? a[i].elem : 1)) {
            st = corrupt(err, path, "a section lies outside the file");
            goto fail;
        }
        if (i && h.sec[i].offset < h.sec[i - 1].offset + h.sec[i - 1].count * h.elem_size[i - 1]) {
            st = corrupt(err, path, "sections overlap");
            goto fail;
        }
    }
    {
        const unsigned char *secs[S_COUNT];
        for (int i = 0; i < S_COUNT; i++)
            secs[i] = (const unsigned char *)map + h.sec[i].offset;
        /* Padding is hashed as read, so a damaged padding byte is caught too. */
        if (data_checksum(&h, secs, (const unsigned char *)map) != h.data_checksum) {
            st = corrupt(err, path, "data checksum mismatch (the file was damaged)");
            goto fail;
        }
    }
#define SEC(i) ((void *)(map + h.sec[i].offset))
    idx->arena = SEC(S_ARENA);
    idx->arena_len = idx->arena_cap = (size_t)h.sec[S_ARENA].count;
    idx->alerts = SEC(S_ALERTS);
    idx->nalerts = idx->alerts_cap = (size_t)h.sec[S_ALERTS].count;
    idx->names = SEC(S_NAMES);
    idx->nnames = idx->names_cap = (size_t)h.sec[S_NAMES].count;
    idx->ntok = SEC(S_NTOK);
    idx->nntok = idx->ntok_cap = (size_t)h.sec[S_NTOK].count;
    idx->dobs = SEC(S_DOBS);
    idx->ndobs = idx->dobs_cap = (size_t)h.sec[S_DOBS].count;
    idx->nats = SEC(S_NATS);
    idx->nnats = idx->nats_cap = (size_t)h.sec[S_NATS].count;
    idx->docs = SEC(S_DOCS);
    idx->ndocs = idx->docs_cap = (size_t)h.sec[S_DOCS].count;
    idx->toks = SEC(S_TOKS);
    idx->ntoks = idx->toks_cap = (size_t)h.sec[S_TOKS].count;
    idx->dict = SEC(S_DICT);
    idx->dict_cap = (size_t)h.sec[S_DICT].count;
    idx->ids = SEC(S_IDS);
    idx->ids_cap = (size_t)h.sec[S_IDS].count;
    idx->post = SEC(S_POST);
    idx->keys = SEC(S_KEYS);
    idx->nkeys = (size_t)h.sec[S_KEYS].count;
    idx->key_off = SEC(S_KEY_OFF);
    idx->key_tok = SEC(S_KEY_TOK);
    idx->doc_keys = SEC(S_DOC_KEYS);
    idx->ndoc_keys = (size_t)h.sec[S_DOC_KEYS].count;
    idx->doc_alert = SEC(S_DOC_ALERT);
    idx->post_yb = SEC(S_POST_YB);
    idx->nb = SEC(S_NB);
    idx->nnb = (size_t)h.sec[S_NB].count;
#undef SEC
    idx->map = map;
    idx->map_len = map_len;
    map = NULL;
    idx->live = (size_t)h.live;
    idx->live_names = (size_t)h.live_names;
    idx->opts.max_candidates = h.max_candidates ? h.max_candidates : 64;
    idx->opts.min_token_similarity = h.min_token_similarity;
    const char *bad = NULL;
    if (h.sec[S_KEY_OFF].count != h.sec[S_KEYS].count + 1 ||
        h.sec[S_NKIND].count != 0 ||
        h.sec[S_POST_YB].count != h.sec[S_POST].count ||
        h.sec[S_DOC_ALERT].count != h.sec[S_DOC_KEYS].count || h.nalerts != idx->nalerts ||
        h.npost != h.sec[S_POST].count ||
        (idx->nkeys && idx->key_off[idx->nkeys] != h.sec[S_KEY_TOK].count))
        bad = "section sizes disagree";
    if (!bad)
        bad = check_structure(idx, h.npost);
    if (bad) {
        st = corrupt(err, path, bad);
        goto fail;
    }
    if ((st = limen__dobk_build(idx)) != LIMEN_OK) {
        limen__error_set(err, st, path, "cannot index the dates of birth");
        goto fail;
    }
    idx->ntoks_keyed = idx->ntoks;
    idx->finished = 1;
    *out = idx;
    return LIMEN_OK;
fail:
    if (map)
        munmap(map, map_len);
    limen_index_free(idx);
    return st;
}
