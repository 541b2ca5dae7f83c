/*
 * Screening: alerts are added to an index; a query (an FtM entity: a
 * traveller) is screened into ranked results, each with a calibrated score in
 * [0, 1], a match verdict and an explanation an officer can read.
 *
 *   struct limen_index *idx;
 *   limen_index_new(NULL, &idx);
 *   limen_index_add(idx, alert_entity, NULL, &err);   // for each alert
 *   limen_index_finish(idx);                            // build the lookup structures
 *   limen_screen(idx, query_entity, NULL, &results, &err);
 *
 * Thread-safety: adding and finishing need exclusive access; once finished,
 * any number of threads may call limen_screen() on the same index at once.
 * Results belong to the caller (limen_results_free).
 */
#ifndef LIMEN_SCREEN_H
#define LIMEN_SCREEN_H

#include <stddef.h>

#include "limen/entity.h"
#include "limen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The default match threshold. Scores are calibrated so that, on the OFAC
 * list with names only, a score of 0.80 separates the aliases of a listed
 * person from unrelated travellers with fewer than 0.05 % false alerts
 * (docs/scoring.md gives the measurements).
 */
#define LIMEN_DEFAULT_THRESHOLD 0.80

struct limen_index_options {
    /* Names kept for full scoring per query after candidate generation (default 64). */
    unsigned max_candidates;
    /* Least token similarity for a dictionary token to count as a candidate (default 0.70). */
    double min_token_similarity;
    /* Threads limen_index_finish() may use (default 0: one per online CPU, one
     * for a small index); the index is the same for any count. Not saved. */
    unsigned threads;
    /* Bytes the index's arrays may take (default 0: no limit). An alert that
     * would take the index past it is refused with LIMEN_ELIMIT (the index
     * keeps the alerts before it), and so is a finish() whose tables would
     * not fit. Checked against the arrays as they grow (by doubling), so the
     * limit is never passed; the process needs some more besides. Not saved. */
    size_t max_memory;
};

/* Fills the defaults. */
void limen_index_options_init(struct limen_index_options *o);

struct limen_index;

/* Creates an empty index. `opts` may be NULL for the defaults. */
limen_status limen_index_new(const struct limen_index_options *opts, struct limen_index **out);
void limen_index_free(struct limen_index *idx);

/*
 * Adds an alert (copies what screening needs; the entity stays the caller's).
 * An alert whose id is already in the index replaces it (last one wins) and
 * *replaced is set to 1 (`replaced` may be NULL). Errors: LIMEN_EEMPTY when
 * the entity has neither a usable name nor a document number, LIMEN_EUTF8,
 * LIMEN_ENOMEM, LIMEN_ELIMIT past 2^31 names; err (may be NULL) says which field.
 */
limen_status limen_index_add(struct limen_index *idx, const struct limen_entity *alert,
                             int *replaced, struct limen_error *err);

/*
 * Bulk adds: many alerts at once, read, parsed and prepared (facts read,
 * names normalised) on `threads` threads (0: one per online CPU) while the
 * calling thread files them in input order. The index is exactly the one
 * limen_index_add() on each alert in turn gives, whatever the number of
 * threads, and so is a file saved from it. Memory for the work in flight
 * is bounded (a few chunks of 1,024 alerts per thread).
 *
 * An alert that is not added (a bad JSON line, a line too long, an alert
 * with nothing to screen on, out of memory...) is reported to `report`,
 * from the calling thread and in input order: `item` is its 0-based place
 * in the input, `is_alert` 1 when it was a well-formed alert the index
 * refused (limen_index_add()'s errors) and 0 when the input itself was bad
 * (a line not read or not parsed, a source error), err->status why and
 * err->line its line (0 when not from a reader). report returns 0 to go on, nonzero to stop: the call then
 * returns that alert's status, the alerts before it added, none after it.
 * `report` may be NULL (every failure is passed over). Counts go to
 * `stats` (may be NULL). Errors of the call itself: LIMEN_EINVAL, and the
 * status of the alert `report` stopped at.
 *
 * The index must not be used by anything else during the call; `report`
 * must not use it either. The callbacks run on the calling thread, except
 * limen_alert_source_fn (below).
 */
struct limen_index_add_stats {
    size_t added;    /* alerts added */
    size_t replaced; /* of which replaced an alert with the same id */
    size_t rejected; /* items not added (each reported) */
};
typedef int (*limen_index_report_fn)(void *ud, size_t item, int is_alert,
                                     const struct limen_error *err);

/*
 * The alerts of a JSON Lines reader (limen_reader_open), to its end. The
 * reader's counts (limen_reader_stats) are those limen_reader_next() would
 * give, except `lines`, which may count lines read ahead of a stop.
 */
struct limen_reader;
limen_status limen_index_add_reader(struct limen_index *idx, struct limen_reader *r,
                                    unsigned threads, limen_index_report_fn report, void *ud,
                                    struct limen_index_add_stats *stats);

/*
 * Alert `i` of `n` made on demand: sets *out to a new entity the library
 * frees, or returns an error (reported as that item's). Called from worker
 * threads, concurrently for different i, each i once: it must be
 * thread-safe.
 */
typedef limen_status (*limen_alert_source_fn)(void *ud, size_t i, struct limen_entity **out,
                                              struct limen_error *err);
limen_status limen_index_add_source(struct limen_index *idx, size_t n, limen_alert_source_fn source,
                                    void *source_ud, unsigned threads,
                                    limen_index_report_fn report, void *ud,
                                    struct limen_index_add_stats *stats);

/*
 * A copy of an index that a caller can finish and save while the original
 * goes on serving: the alerts as filed (added, replaced and removed ones
 * alike), without the lookup structures, which limen_index_finish() (or
 * limen_index_save(), which finishes first) builds again. The copy finished
 * is the index the original gives once finished, and a file saved from it is
 * byte for byte the one the original would save. It is unfinished: finish it
 * before screening it. `opts` may be NULL (the original's options);
 * otherwise only its `threads` and `max_memory` are taken, the options that
 * are not saved. Reads the original only: any number of threads may screen
 * it meanwhile, but nothing may change it (the caller holds its readers'
 * side of the lock). Costs a copy of the filed arrays (about half the size
 * of a saved index). *out is freed with limen_index_free(). Errors:
 * LIMEN_ENOMEM; LIMEN_ELIMIT when the copy would pass opts->max_memory.
 */
limen_status limen_index_clone(const struct limen_index *idx, const struct limen_index_options *opts,
                               struct limen_index **out);

/*
 * Drops what removed and replaced alerts still hold: their records, names,
 * documents, written forms and ids, and the tokens only they held. The
 * live alerts are filed again in their order, so the index becomes the one
 * a fresh build of them gives (the same alert, name and token numbers, the
 * same memory; once finished, the same screening results and the same
 * saved file). An index without dead alerts is left as it is. Afterwards
 * the index is unfinished: call limen_index_finish() (or
 * limen_index_save()) before screening it; it takes adds and removals as
 * before. Meant for a copy (limen_index_clone()) that nobody screens:
 * it changes the index, so nothing may read it meanwhile. Needs, while it
 * runs, room for the live alerts' filed arrays a second time (counted
 * against the index's max_memory). `err` may be NULL. Errors:
 * LIMEN_ENOMEM, LIMEN_ELIMIT; on failure the index is left as it was.
 */
limen_status limen_index_compact(struct limen_index *idx, struct limen_error *err);

/* Removes the alert with this id; LIMEN_ENOTFOUND when absent. */
limen_status limen_index_remove(struct limen_index *idx, const char *id);

/*
 * Builds the lookup structures; needed once after the first adds and before
 * screening. Once finished, an index takes adds, replacements and removals
 * one at a time without a rebuild: they go to a small side structure
 * consulted with the main one (the results are those of a fresh build up to
 * a drift of token weights, a few thousandths of a score). Calling
 * finish() again folds them in. Changes and screening must not run at the
 * same time: the caller serialises writers against readers.
 * Errors: LIMEN_ENOMEM; LIMEN_ELIMIT when the tables it builds would take
 * the index past opts.max_memory (the index is left as it was).
 */
limen_status limen_index_finish(struct limen_index *idx);

/*
 * Writes the index to `path` as one versioned, checksummed file (through a
 * temporary file, synced and renamed, so a crash never leaves half a file
 * under `path`). Pending changes are folded in first (limen_index_finish()).
 * Errors: LIMEN_EIO (with the system's reason in err), LIMEN_ENOMEM.
 */
limen_status limen_index_save(struct limen_index *idx, const char *path, struct limen_error *err);

/*
 * Loads a saved index by mapping the file (private, copy-on-write): ready to
 * screen, and to change (add, remove) without a rebuild. The file is
 * verified first (checksum, versions, structure). Errors: LIMEN_EIO (cannot
 * open or map), LIMEN_ECORRUPT (not an index file, truncated, damaged),
 * LIMEN_EVERSION (another format version, byte order or incompatible
 * build), each with a message naming the file. The caller frees the index
 * with limen_index_free().
 */
limen_status limen_index_load(const char *path, struct limen_index **out, struct limen_error *err);

/*
 * The changes a finished index holds aside since its last finish() or load
 * (its delta, consulted beside the main structures until finish() folds it
 * in): alerts added plus alerts removed, a replacement counting once as
 * each. 0 right after a finish() or a load, and for an index never finished
 * (finish() builds everything then). Costs nothing (a counter); reads the
 * index only, so it may run beside screening. Screening slows down and the
 * index grows as the delta does (docs/index.md).
 */
size_t limen_index_pending(const struct limen_index *idx);

struct limen_index_stats {
    size_t alerts;       /* live alerts */
    size_t names;        /* indexed names */
    size_t tokens;       /* distinct name tokens */
    size_t keys;         /* fuzzy lookup keys */
    size_t documents;    /* indexed document numbers */
    size_t memory_bytes; /* heap held by the index */
};
void limen_index_stats(const struct limen_index *idx, struct limen_index_stats *stats);

struct limen_screen_options {
    size_t limit;     /* most results returned (default 5) */
    double threshold; /* match verdict: score >= threshold (default LIMEN_DEFAULT_THRESHOLD) */
    double min_score; /* results below are not returned (default 0.30) */
    int explain;      /* build explanations (default 1) */
    /*
     * Which alerts may be returned (default NULL: all). Called with the id of
     * each result at or above min_score, best first, until `limit` are kept;
     * a result refused is left out before its explanation is built, so a
     * caller that may see only some alerts (the hub: distribution, handling,
     * validity) gets the best `limit` it may see without asking for more.
     * Runs inside limen_screen() on the calling thread; it must not change
     * the index. The id is valid during the call only.
     */
    int (*keep)(const char *alert_id, void *keep_ud);
    void *keep_ud;
    /*
     * Alerts scored in full whatever candidate generation finds (default
     * NULL, 0): an analyst asking why an alert did not hit sees its score,
     * rank and explanation; the benchmark measures what perfect candidate
     * generation would give. At most LIMEN_SCREEN_ALSO_MAX ids are read; an
     * id the index does not hold (or withdrawn) is skipped. Borrowed for the
     * call.
     */
    const char *const *also;
    size_t nalso;
};
#define LIMEN_SCREEN_ALSO_MAX 64
void limen_screen_options_init(struct limen_screen_options *o);

struct limen_results;

/*
 * Screens one query. `opts` may be NULL. The query is an FtM entity: names
 * (name, alias, firstName/lastName ...), birthDate, gender, nationality,
 * passportNumber, idNumber. LIMEN_ESTATE when the index is not finished.
 */
limen_status limen_screen(const struct limen_index *idx, const struct limen_entity *query,
                          const struct limen_screen_options *opts, struct limen_results **out,
                          struct limen_error *err);

size_t limen_results_count(const struct limen_results *r);
/* Accessors for result i (0 = best); strings belong to the results. */
const char *limen_result_id(const struct limen_results *r, size_t i);
double limen_result_score(const struct limen_results *r, size_t i);
int limen_result_match(const struct limen_results *r, size_t i);
/* The explanation as a JSON object (text), "{}" when explanations are off. */
const char *limen_result_explanation(const struct limen_results *r, size_t i);
/* A one-line readable summary of why result i scored as it did. */
const char *limen_result_summary(const struct limen_results *r, size_t i);
void limen_results_free(struct limen_results *r);

#ifdef __cplusplus
}
#endif
#endif
