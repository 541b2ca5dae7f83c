/*
 * ICAO Doc 9303 machine-readable zones (MRZ).
 *
 * limen_mrz_parse() reads the MRZ of a travel document as an OCR reader or a
 * person typed it and fills a caller-owned, fixed-size struct limen_mrz: the
 * format, every field with its raw text, interpreted value, position and
 * validity, the check digits, and the OCR corrections made when asked for.
 * It never allocates, so a border post can parse millions of MRZs per second
 * on one core and a server can keep the result on the stack.
 *
 * Formats: TD1 (3 x 30, ID cards), TD2 (2 x 36), TD3 (2 x 44, passports),
 * MRV-A (2 x 44 visas), MRV-B (2 x 36 visas) and the French national identity
 * card of 1994 (2 x 36, not an ICAO layout). See docs/mrz.md.
 *
 * Thread-safety: every function is reentrant; the tables are read-only.
 */
#ifndef LIMEN_MRZ_H
#define LIMEN_MRZ_H

#include <stddef.h>

#include "limen/entity.h"
#include "limen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LIMEN_MRZ_INPUT_MAX       1024 /* bytes of input accepted by limen_mrz_parse */
#define LIMEN_MRZ_LINE_MAX        44   /* characters in the longest MRZ line (TD3) */
#define LIMEN_MRZ_FIELD_MAX       44   /* characters of a field's raw text or value */
#define LIMEN_MRZ_MESSAGE_MAX     96   /* bytes of a field's error message, NUL included */
#define LIMEN_MRZ_MAX_CORRECTIONS 90   /* each MRZ position is corrected at most once */

enum limen_mrz_format {
    LIMEN_MRZ_UNKNOWN = 0,
    LIMEN_MRZ_TD1,       /* 3 lines of 30: identity cards */
    LIMEN_MRZ_TD2,       /* 2 lines of 36: identity cards, residence permits */
    LIMEN_MRZ_TD3,       /* 2 lines of 44: passports */
    LIMEN_MRZ_MRVA,      /* 2 lines of 44 starting with V: visas (full size) */
    LIMEN_MRZ_MRVB,      /* 2 lines of 36 starting with V: visas (small) */
    LIMEN_MRZ_FRENCH_ID, /* 2 lines of 36 starting with IDFRA: French identity card, 1994 */
};

/* The fields of an MRZ; a format uses a subset (see struct limen_mrz_field.present). */
enum limen_mrz_field_id {
    LIMEN_MRZ_DOCUMENT_CODE = 0, /* "P", "ID", "I", "V", "PO"... (fillers removed) */
    LIMEN_MRZ_ISSUING_STATE,     /* "UTO", "D", "XXA"... */
    LIMEN_MRZ_DOCUMENT_NUMBER,   /* long numbers of TD1/TD2 include their extension */
    LIMEN_MRZ_DOCUMENT_NUMBER_CHECK,
    LIMEN_MRZ_OPTIONAL_DATA, /* TD1 line 1, TD2, MRV; TD3 personal number; French admin code */
    LIMEN_MRZ_OPTIONAL_DATA_CHECK, /* TD3 only */
    LIMEN_MRZ_BIRTH_DATE,          /* value ISO 8601: "1974-08-12", "1974-08", "1974" or "" */
    LIMEN_MRZ_BIRTH_DATE_CHECK,
    LIMEN_MRZ_SEX,         /* "M", "F", "X" or "" (unspecified) */
    LIMEN_MRZ_EXPIRY_DATE, /* like the birth date; absent on French identity cards */
    LIMEN_MRZ_EXPIRY_DATE_CHECK,
    LIMEN_MRZ_NATIONALITY,     /* implied "FRA" on French identity cards (line 0) */
    LIMEN_MRZ_OPTIONAL_DATA_2, /* TD1 line 2 */
    LIMEN_MRZ_COMPOSITE_CHECK, /* absent on visas */
    LIMEN_MRZ_SURNAME,         /* primary identifier, fillers as spaces */
    LIMEN_MRZ_GIVEN_NAMES,     /* secondary identifier, fillers as spaces */
    LIMEN_MRZ_ISSUE_DATE,      /* French identity card: "YYYY-MM" */
    LIMEN_MRZ_ISSUING_OFFICE,  /* French identity card: departement and office */
    LIMEN_MRZ_FIELD_COUNT
};

/* How a TD1/TD2 document number longer than 9 characters is written. */
enum limen_mrz_docnum_form {
    LIMEN_MRZ_DOCNUM_STANDARD = 0,    /* at most 9 characters, check digit after it */
    LIMEN_MRZ_DOCNUM_EXTENDED,        /* ICAO: '<' in the check digit position, the rest of the
                                         number and its check digit open the optional data */
    LIMEN_MRZ_DOCNUM_EXTENDED_FILLER, /* the same, but the check digit also covers the '<'
                                         (Belgian cards) */
};

struct limen_mrz_field {
    unsigned char present; /* the format has this field */
    unsigned char valid;   /* 1 when present and correct */
    unsigned char line;    /* 1-based line of the first character; 0 when implied or empty */
    unsigned char column;  /* 1-based column of the first character */
    unsigned char length;  /* characters in raw */
    limen_status status; /* LIMEN_OK, LIMEN_ECHECK, LIMEN_ESYNTAX, LIMEN_ENOTFOUND, LIMEN_EEMPTY */
    char raw[LIMEN_MRZ_FIELD_MAX + 1];   /* the MRZ text, fillers included */
    char value[LIMEN_MRZ_FIELD_MAX + 1]; /* the interpreted value (see the field list) */
    char message[LIMEN_MRZ_MESSAGE_MAX]; /* why it is invalid, "" when valid */
};

/* One OCR correction: the character at (line, column) was `from`, now is `to`. */
struct limen_mrz_correction {
    enum limen_mrz_field_id field;
    unsigned char line;   /* 1-based */
    unsigned char column; /* 1-based */
    char from;
    char to;
};

struct limen_mrz {
    enum limen_mrz_format format;
    int valid;            /* every present field is valid */
    unsigned error_count; /* fields that are not valid */
    int name_truncated;   /* the name field is full: the name may have been cut */
    int expired;          /* full expiry date before the reference date */
    enum limen_mrz_docnum_form docnum_form;
    unsigned line_count;                   /* 2 or 3 */
    unsigned line_length;                  /* 30, 36 or 44 */
    char lines[3][LIMEN_MRZ_LINE_MAX + 1]; /* the MRZ lines as read, after corrections */
    struct limen_mrz_field fields[LIMEN_MRZ_FIELD_COUNT];
    /* Lowercase ISO 3166 alpha-2 of the issuing state and nationality ("de" for
     * "D", "gb" for the British GBx codes, "xk" for Kosovo), "" when the code has
     * none (UTO, XXA, UNO...). */
    char issuing_state_alpha2[3];
    char nationality_alpha2[3];
    unsigned correction_count;
    struct limen_mrz_correction corrections[LIMEN_MRZ_MAX_CORRECTIONS];
    /* When the input is not an MRZ layout (format LIMEN_MRZ_UNKNOWN): why,
     * and the 1-based input line at fault (0 when not applicable). */
    limen_status layout_status;
    long layout_line;
    char layout_message[128];
};

struct limen_mrz_options {
    /* Replace letters by digits in fields that only hold digits and digits by
     * letters in fields that only hold letters (O/0, I/1, Z/2, S/5, G/6, B/8...),
     * and lowercase by uppercase; every change is listed in corrections. Off when 0. */
    int ocr_correct;
    /* Reference date for the century of two-digit years (birth dates are in the
     * past, expiry dates within 50 years of it) and for `expired`. All 0: the
     * current UTC date. */
    int today_year, today_month, today_day;
};

/*
 * Parses the MRZ in text[0..len): two or three lines separated by "\n",
 * "\r\n" or "\r", or the lines concatenated into one string. Spaces and tabs
 * are ignored, blank lines are passed over. `opts` may be NULL (defaults),
 * `err` may be NULL; `out` is filled whatever the result.
 *
 * Returns LIMEN_OK when the MRZ is valid. When the format is recognised but a
 * field is not valid, returns that field's status (LIMEN_ECHECK for a check
 * digit, LIMEN_ESYNTAX for a character or date that cannot be, LIMEN_ENOTFOUND
 * for an unknown state code, LIMEN_EEMPTY for a missing name or number) with
 * out->format set and every field filled; `err` names the first bad field
 * with its line, column and offset in the concatenated MRZ. When the layout is
 * not an MRZ one: LIMEN_ESYNTAX and out->format == LIMEN_MRZ_UNKNOWN;
 * input longer than LIMEN_MRZ_INPUT_MAX: LIMEN_ETOOLONG; text or out NULL:
 * LIMEN_EINVAL. Never allocates.
 */
limen_status limen_mrz_parse(const char *text, size_t len, const struct limen_mrz_options *opts,
                             struct limen_mrz *out, struct limen_error *err);

/*
 * ICAO 9303 check digit (weights 7, 3, 1; '<' counts 0, A..Z 10..35) of
 * s[0..len). Returns 0..9, or -1 when len is 0 or a character is not one of
 * 0-9, A-Z, '<'. `s` may be NULL only when len is 0.
 */
int limen_mrz_check_digit(const char *s, size_t len);

/* "TD1", "TD2", "TD3", "MRVA", "MRVB", "FRENCH_ID" or "UNKNOWN"; never NULL. */
const char *limen_mrz_format_name(enum limen_mrz_format format);

/* Stable snake_case name of a field ("birth_date_check"); "" when out of range. */
const char *limen_mrz_field_name(enum limen_mrz_field_id field);

/* The value of a field, "" when the field is absent from the format or out of range. */
const char *limen_mrz_value(const struct limen_mrz *m, enum limen_mrz_field_id field);

/*
 * The parse result as one line of JSON (no newline): format, validity, the
 * screening fields, every field with raw/value/position, the errors and the
 * corrections. *json is allocated (free with limen_free()), *len its length
 * (len may be NULL). Returns LIMEN_OK, LIMEN_EINVAL (m or json NULL) or
 * LIMEN_ENOMEM (then *json == NULL).
 */
limen_status limen_mrz_to_json(const struct limen_mrz *m, char **json, size_t *len);

/*
 * A screening query entity for the holder: an FtM Person with name,
 * firstName, lastName, birthDate, gender (male/female/other), nationality
 * (lowercase alpha-2) and passportNumber (document code P) or idNumber.
 * Fields that are absent, empty or invalid are left out. `id` may be NULL:
 * the id is then "mrz-<issuing state>-<document number>". The caller frees
 * *out with limen_entity_free(). Returns LIMEN_OK, LIMEN_EINVAL (m or out
 * NULL, or m->format unknown), LIMEN_EEMPTY (no name and no document number)
 * or LIMEN_ENOMEM; *out is NULL on error.
 */
limen_status limen_mrz_to_entity(const struct limen_mrz *m, const char *id,
                                 struct limen_entity **out);

#ifdef __cplusplus
}
#endif
#endif
