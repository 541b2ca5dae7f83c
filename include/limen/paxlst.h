/*
 * UN/EDIFACT PAXLST: the passenger and crew lists that airlines send to
 * border authorities (API, advance passenger information).
 *
 * limen_paxlst_parse() reads one interchange (UNA? UNB (UNG (UNH ... UNT)+
 * UNE)* UNZ) held in memory and builds an opaque struct limen_paxlst: the
 * flight legs (TDT, LOC, DTM), the travellers (NAD and the segments that
 * follow it: ATT, DTM, LOC, NAT, RFF, DOC), the counts declared in CNT and
 * the counts read, and the warnings about the defects it tolerated.
 *
 * Real feeds are not clean. What the parser tolerates, each time with a
 * warning {segment, byte offset, message}: spaces after a segment tag,
 * spaces and line breaks between segments (ignored silently), names in
 * lower case, bytes that are not UTF-8 (replaced by U+FFFD), counts in
 * UNT/UNE/UNZ/CNT that disagree with the content, a count written in the
 * wrong element, dates with spaces, values too long for their field
 * (truncated), data after UNZ, a missing UNT or UNZ. What it refuses (an
 * error, with the segment number and byte offset in struct limen_error):
 * input without a UNH message, a data segment outside a message, a message
 * that is not PAXLST, a segment cut short by the end of the input, a
 * release character at the very end, control bytes (binary data), a bad
 * segment tag, and anything over a limit. No traveller is dropped: every
 * NAD that is not the reporting party (MS) becomes a traveller.
 *
 * Segments are numbered from 1 within the interchange; the UNA service
 * string advice is not a segment and is not counted (UNB is segment 1 when
 * there is one). Byte offsets are 0-based offsets in the input buffer.
 *
 * Thread-safety: parsing allocates only what it returns and keeps no global
 * state; a parsed manifest may be read from several threads at once.
 */
#ifndef LIMEN_PAXLST_H
#define LIMEN_PAXLST_H

#include <stddef.h>

#include "limen/entity.h"
#include "limen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LIMEN_PAXLST_INPUT_MAX      ((size_t)64 << 20) /* default bytes of input accepted */
#define LIMEN_PAXLST_SEGMENT_MAX    4096   /* default bytes of one segment (after unescaping) */
#define LIMEN_PAXLST_TRAVELLERS_MAX 100000 /* default travellers in one interchange */
#define LIMEN_PAXLST_WARNINGS_MAX   256    /* warnings kept; more are only counted */
#define LIMEN_PAXLST_ELEMENTS_MAX   40     /* data elements in one segment */
#define LIMEN_PAXLST_COMPONENTS_MAX 16     /* components in one data element */
#define LIMEN_PAXLST_DOCS_MAX       4      /* documents kept per traveller; more are counted */
#define LIMEN_PAXLST_REFS_MAX       6      /* references kept per traveller; more are counted */

/* Field sizes, NUL included. Values are valid UTF-8, cut at a character boundary. */
#define LIMEN_PAXLST_NAME_SIZE  128
#define LIMEN_PAXLST_VALUE_SIZE 48
#define LIMEN_PAXLST_PLACE_SIZE 64
#define LIMEN_PAXLST_CODE_SIZE  8
#define LIMEN_PAXLST_DATE_SIZE  11 /* "YYYY-MM-DD" */
#define LIMEN_PAXLST_TIME_SIZE  17 /* "YYYY-MM-DDTHH:MM" */

enum limen_paxlst_role {
    LIMEN_PAXLST_PASSENGER = 0, /* NAD+FL, NAD+DDU */
    LIMEN_PAXLST_CREW,          /* NAD+FM, NAD+DDT */
    LIMEN_PAXLST_OTHER,         /* any other party qualifier except MS (reporting party) */
};

struct limen_paxlst_document {
    char type[LIMEN_PAXLST_CODE_SIZE];    /* DOC element 1: "P", "V", "I", "C"...; "" when absent */
    char number[LIMEN_PAXLST_VALUE_SIZE]; /* DOC element 2 */
    char issuing_country[LIMEN_PAXLST_CODE_SIZE]; /* LOC+91 after the DOC, alpha-3 as sent */
    char expiry[LIMEN_PAXLST_DATE_SIZE];          /* DTM+36, ISO 8601, "" when absent */
    char issue_date[LIMEN_PAXLST_DATE_SIZE];      /* DTM+182, ISO 8601, "" when absent */
};

struct limen_paxlst_reference {
    char qualifier[LIMEN_PAXLST_CODE_SIZE]; /* "AVF" booking, "ABO", "SEA" seat, "CR"... */
    char value[LIMEN_PAXLST_VALUE_SIZE];
};

struct limen_paxlst_traveller {
    enum limen_paxlst_role role;
    char party[LIMEN_PAXLST_CODE_SIZE]; /* the NAD party qualifier as sent: "FL", "FM", "DDU"... */
    /* Normal form: trimmed, inner spaces collapsed, ASCII letters in upper case. */
    char surname[LIMEN_PAXLST_NAME_SIZE];
    char given_names[LIMEN_PAXLST_NAME_SIZE]; /* given and middle names, space-separated */
    /* As sent (original case), after UTF-8 repair. */
    char surname_raw[LIMEN_PAXLST_NAME_SIZE];
    char given_names_raw[LIMEN_PAXLST_NAME_SIZE];
    char sex[2];                               /* "M", "F", "X" or "" (ATT+2) */
    char birth_date[LIMEN_PAXLST_DATE_SIZE];   /* DTM+329, ISO 8601, "" when absent */
    char nationality[LIMEN_PAXLST_CODE_SIZE];  /* NAT+2, alpha-3 as sent */
    char residence[LIMEN_PAXLST_CODE_SIZE];    /* LOC+174 */
    char birth_place[LIMEN_PAXLST_PLACE_SIZE]; /* LOC+180 code or name */
    char embarkation[LIMEN_PAXLST_CODE_SIZE];  /* LOC+178 */
    char debarkation[LIMEN_PAXLST_CODE_SIZE];  /* LOC+179 */
    char clearance[LIMEN_PAXLST_CODE_SIZE];    /* LOC+22, first port of arrival */
    size_t document_count;                     /* kept, at most LIMEN_PAXLST_DOCS_MAX */
    size_t documents_dropped;                  /* DOC segments beyond that (warned) */
    struct limen_paxlst_document documents[LIMEN_PAXLST_DOCS_MAX];
    size_t reference_count;
    size_t references_dropped;
    struct limen_paxlst_reference references[LIMEN_PAXLST_REFS_MAX];
    size_t message; /* 0-based index of the UNH message it belongs to */
    long segment;   /* segment number of its NAD */
    size_t offset;  /* byte offset of its NAD */
};

struct limen_paxlst_leg {
    char flight[LIMEN_PAXLST_VALUE_SIZE];           /* TDT+20 element 2: "LA532" */
    char carrier[LIMEN_PAXLST_CODE_SIZE];           /* TDT element 5, else the flight's prefix */
    char departure_airport[LIMEN_PAXLST_CODE_SIZE]; /* LOC+125, or the first LOC+92 */
    char arrival_airport[LIMEN_PAXLST_CODE_SIZE];   /* LOC+87, or the second LOC+92 */
    char departure_time[LIMEN_PAXLST_TIME_SIZE];    /* DTM+189: "2020-01-19T23:00" or date */
    char arrival_time[LIMEN_PAXLST_TIME_SIZE];      /* DTM+232 */
    size_t message;
    long segment; /* segment number of its TDT */
};

struct limen_paxlst_warning {
    long segment;  /* 0 when it concerns the whole input */
    size_t offset; /* byte offset in the input */
    char message[160];
};

/* Read and declared counts; declared is -1 when no CNT declared it. */
struct limen_paxlst_counts {
    size_t passengers_read;
    size_t crew_read;
    size_t others_read;
    long passengers_declared; /* sum of CNT+42 over the messages */
    long crew_declared;       /* sum of CNT+41 over the messages */
};

/* Limits; a zero field takes its default. */
struct limen_paxlst_options {
    size_t max_input;      /* LIMEN_PAXLST_INPUT_MAX */
    size_t max_segment;    /* LIMEN_PAXLST_SEGMENT_MAX */
    size_t max_travellers; /* LIMEN_PAXLST_TRAVELLERS_MAX; also bounds the flight legs */
};

struct limen_paxlst;

/*
 * Parses data[0..len) (need not be NUL-terminated). `opts` may be NULL
 * (defaults), `err` may be NULL. On success returns LIMEN_OK and *out, which
 * the caller frees with limen_paxlst_free(). On error *out is NULL and `err`
 * holds the status, err->line = the segment number (0 when none applies),
 * err->offset = the byte offset, err->field = the segment tag and
 * err->message = what is wrong (without the position). Errors:
 * LIMEN_EINVAL (data NULL with len > 0, or out NULL), LIMEN_EEMPTY (nothing
 * but white space), LIMEN_ETOOLONG (input or segment over its limit),
 * LIMEN_ELIMIT (too many travellers, elements or components), LIMEN_ESYNTAX
 * (malformed EDIFACT, binary data, a segment outside a message, a message
 * that is not PAXLST), LIMEN_EMISSING (no UNH message), LIMEN_ENOMEM.
 */
limen_status limen_paxlst_parse(const char *data, size_t len,
                                const struct limen_paxlst_options *opts, struct limen_paxlst **out,
                                struct limen_error *err);

/* Frees a parsed manifest; NULL is a no-op. */
void limen_paxlst_free(struct limen_paxlst *p);

/* Travellers in input order; limen_paxlst_traveller() returns NULL when i is out of range. */
size_t limen_paxlst_traveller_count(const struct limen_paxlst *p);
const struct limen_paxlst_traveller *limen_paxlst_traveller(const struct limen_paxlst *p, size_t i);

/* Flight legs in input order (a TDT each); NULL when i is out of range. */
size_t limen_paxlst_leg_count(const struct limen_paxlst *p);
const struct limen_paxlst_leg *limen_paxlst_leg(const struct limen_paxlst *p, size_t i);

/* Number of UNH messages, and of segments read (UNA excluded). */
size_t limen_paxlst_message_count(const struct limen_paxlst *p);
size_t limen_paxlst_segment_count(const struct limen_paxlst *p);

/* Read and declared counts of passengers and crew; p must not be NULL. */
void limen_paxlst_counts(const struct limen_paxlst *p, struct limen_paxlst_counts *counts);

/*
 * Warnings: limen_paxlst_warning_count() is the number of warnings raised,
 * of which the first LIMEN_PAXLST_WARNINGS_MAX are kept and returned by
 * limen_paxlst_warning() (NULL beyond them).
 */
size_t limen_paxlst_warning_count(const struct limen_paxlst *p);
const struct limen_paxlst_warning *limen_paxlst_warning(const struct limen_paxlst *p, size_t i);

/* "passenger", "crew" or "other"; never NULL. */
const char *limen_paxlst_role_name(enum limen_paxlst_role role);

/*
 * The manifest as one line of JSON (no newline): messages, legs, travellers,
 * counts (read and declared) and warnings. Returns a string the caller frees
 * with limen_free() (its length in *len when len is not NULL), or NULL when
 * out of memory or p is NULL.
 */
char *limen_paxlst_to_json(const struct limen_paxlst *p, size_t *len);

/*
 * A screening query entity for traveller i: an FtM Person with id
 * "paxlst-<i+1>", name ("GIVEN SURNAME"), firstName, lastName, birthDate,
 * gender (male/female/other), nationality and country (residence) as
 * lowercase alpha-2, birthPlace, passportNumber (documents whose type starts
 * with P) and idNumber (other documents except visas, type V). Empty fields
 * are left out. The caller frees *out with limen_entity_free(). Returns
 * LIMEN_OK, LIMEN_EINVAL (p or out NULL), LIMEN_ENOTFOUND (i out of range),
 * LIMEN_EEMPTY (no name and no document) or LIMEN_ENOMEM; *out is NULL on error.
 */
limen_status limen_paxlst_traveller_entity(const struct limen_paxlst *p, size_t i,
                                           struct limen_entity **out);

#ifdef __cplusplus
}
#endif
#endif
