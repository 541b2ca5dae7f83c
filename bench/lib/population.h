/*
 * Synthetic alert populations and query sets for benchmarks at 1M..30M
 * alerts.
 *
 * Every person is a pure function of (seed, stream, index): alert i, query k
 * and negative k can each be regenerated alone, in any order, from any
 * thread, without generating the ones before. Nothing is allocated per
 * person; struct pop holds the frequency tables built once by pop_init and
 * is only read afterwards, so one struct pop may be shared by many threads.
 *
 * Names come from hand-written tables (Arabic-origin given names and
 * surnames with their French-convention and English-convention Latin
 * spellings and their Arabic script, Berber, Italian, Spanish and French
 * names), drawn with a Zipf-like skew so that a few names are very frequent,
 * as in real alert lists. Beyond the tables there is a long tail: about half
 * of the surnames and an eighth of the given names are composed from
 * morphemes (Arabic roots in word patterns with particles and endings, each
 * with its Latin spellings and Arabic script; Berber Ait/Ou/Id names;
 * Italian, Spanish and French roots and suffixes) or taken from tables of
 * rarer names, so that the number of distinct names keeps growing with the
 * population (about 45,000 distinct name tokens at 100,000 alerts, 260,000
 * at 1M).
 */
#ifndef LIMEN_BENCH_POPULATION_H
#define LIMEN_BENCH_POPULATION_H

#include <stddef.h>
#include <stdint.h>

enum pop_culture {
    POP_MAGHREB_FR,        /* Maghreb Arabic names, French transliteration */
    POP_MAGHREB_AR_SCRIPT, /* Maghreb names listed in Arabic script */
    POP_BERBER,            /* Amazigh given names and Ait/Ou/Id surnames */
    POP_EGYPT_LEVANT_EN,   /* Egyptian/Levantine/Iraqi, English-style transliteration */
    POP_ITALIAN,
    POP_SPANISH,
    POP_FRENCH,
    POP_CULTURES
};

struct pop_person {
    char id[24];         /* "g000000042" (alerts), "q..." (queries), "n..." (negatives) */
    char name[160];      /* full name as written, UTF-8 */
    char alias[160];     /* "" or a second name */
    char birth_date[11]; /* "1979-04-02", "1979" or "" */
    char nationality[3]; /* ISO 3166 alpha-2 lowercase, or "" */
    char gender;         /* 'm' or 'f' */
    char passport[16];   /* "" or a document number plausible for the nationality */
    int culture;         /* enum pop_culture */
};

/* Number of cumulative-weight lists kept in struct pop (one per culture, role and gender). */
#define POP_NLISTS   20
#define POP_LIST_MAX 192

struct pop_list {
    uint16_t n;                 /* entries */
    uint16_t idx[POP_LIST_MAX]; /* index into the underlying name table */
    uint32_t cum[POP_LIST_MAX]; /* cumulative Zipf weights, cum[n-1] is the total */
};

struct pop {
    uint64_t seed;
    struct pop_list lists[POP_NLISTS];
};

/* Builds the frequency tables for `seed`. No allocation; cannot fail. */
void pop_init(struct pop *p, uint64_t seed);

/* Alert number i ("g" + i). Thread-safe (p is only read). */
void pop_alert(const struct pop *p, uint64_t i, struct pop_person *out);

/*
 * Query number k ("q" + k): a perturbed copy of alert `target`, as a
 * traveller would present at a border (no alias). One to three
 * perturbations are applied, at most one per name token and one per field;
 * `what` (what_cap bytes, may be NULL; truncated when too small) receives
 * their labels joined by '+', e.g. "translit+dob_year":
 *   translit       another spelling of an Arabic-origin token (table variant or a rule:
 *                  ou->u, dj->j, ch->sh, kh->x, ss->s, q<->k, ...)
 *   script         Latin -> Arabic script, or Arabic -> Latin (French convention)
 *   typo           one letter substituted (keyboard neighbour), dropped, doubled or swapped,
 *                  never the first letter of a token
 *   order          surname(s) moved before or after the given names
 *   drop_middle    a middle given name (or a Spanish second surname) left out
 *   add_middle     a middle name added (the father's name for Arabic names)
 *   drop_particle  "El Amrani" -> "Amrani", "العمراني" -> "عمراني"
 *   join_particle, split_particle  "Ben Ali" -> "Benali", "Abdelkader" -> "Abdel Kader"
 *   accents        "García" -> "Garcia"
 *   dob_year, dob_swap, dob_missing  year +-1, day and month swapped, date left out
 *   nat_missing, no_passport, passport_ocr  (O/0, I/1, B/8, S/5 confused)
 *   alias          the alert's alias used as the name
 *   upper          (cosmetic, added to about 20% of Latin queries) the name in capitals
 * Every query keeps a name that a good engine can find. Thread-safe.
 */
void pop_query(const struct pop *p, uint64_t k, uint64_t target, struct pop_person *out, char *what,
               size_t what_cap);

/*
 * Traveller number k ("n" + k) who is not listed: drawn from the same
 * distributions as alerts with an independent random stream (it may share a
 * common name with some alert, as real travellers do). Thread-safe.
 */
void pop_negative(const struct pop *p, uint64_t k, struct pop_person *out);

/* The target alert of query k among n alerts (uniform, a function of the seed); 0 when n == 0. */
uint64_t pop_query_target(const struct pop *p, uint64_t k, uint64_t n);

/*
 * Writes x as one FollowTheMoney JSON line without the newline, e.g.
 * {"id":"g000000001","schema":"Person","properties":{"name":["Youssef BENALI"],...}}
 * Empty properties are left out. Returns the length written (a NUL follows),
 * or -1 when cap is too small (buf then holds no complete line).
 */
int pop_to_json(const struct pop_person *x, char *buf, size_t cap);

/* Name of a culture ("maghreb_fr", ...), "" when out of range. */
const char *pop_culture_name(int culture);

#endif
