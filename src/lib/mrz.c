/*
 * ICAO Doc 9303 machine-readable zones: parsing, check digits, JSON and the
 * screening entity. See include/limen/mrz.h for the API and docs/mrz.md for
 * the layouts, the choices made where documents and libraries disagree, and
 * the test vectors.
 *
 * How it works, in four passes over a caller-owned struct (no allocation):
 *   1. normalise: drop spaces and blank lines, split on CR/LF, and cut a
 *      single 90/72/88-character string into its lines;
 *   2. detect the format from the line count and length and, for 2 x 36 and
 *      2 x 44, from the document code ('V' = visa, "IDFRA" = French card);
 *   3. when asked, correct OCR confusions position by position using the
 *      character class of the field under each position (digits only,
 *      letters only, or both: mixed fields are never touched);
 *   4. cut the fields, interpret them (dates with their century, names,
 *      state codes) and verify every check digit, recording for each field
 *      its raw text, value, position and, when wrong, why.
 * Field errors do not stop the parse: a border officer needs every readable
 * field of a damaged document, and to know which ones cannot be trusted.
 */
#include "limen/mrz.h"

#include "alloc.h"
#include "limen/buf.h"
#include "country.h"
#include "status_int.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Character classes of MRZ positions, for OCR correction. */
enum cclass { CL_ALNUM = 0, CL_DIGIT, CL_ALPHA };

/* One stretch of an MRZ line belonging to one field. */
struct span {
    unsigned char field; /* enum limen_mrz_field_id */
    unsigned char line;  /* 0-based */
    unsigned char start; /* 0-based */
    unsigned char len;
    unsigned char cls; /* enum cclass */
};

#define SP(f, l, s, n, c)                                                                          \
    {                                                                                              \
        LIMEN_MRZ_##f, l, s, n, c                                                                  \
    }

static const struct span td1_spans[] = {
    SP(DOCUMENT_CODE, 0, 0, 2, CL_ALPHA),    SP(ISSUING_STATE, 0, 2, 3, CL_ALPHA),
    SP(DOCUMENT_NUMBER, 0, 5, 9, CL_ALNUM),  SP(DOCUMENT_NUMBER_CHECK, 0, 14, 1, CL_DIGIT),
    SP(OPTIONAL_DATA, 0, 15, 15, CL_ALNUM),  SP(BIRTH_DATE, 1, 0, 6, CL_DIGIT),
    SP(BIRTH_DATE_CHECK, 1, 6, 1, CL_DIGIT), SP(SEX, 1, 7, 1, CL_ALPHA),
    SP(EXPIRY_DATE, 1, 8, 6, CL_DIGIT),      SP(EXPIRY_DATE_CHECK, 1, 14, 1, CL_DIGIT),
    SP(NATIONALITY, 1, 15, 3, CL_ALPHA),     SP(OPTIONAL_DATA_2, 1, 18, 11, CL_ALNUM),
    SP(COMPOSITE_CHECK, 1, 29, 1, CL_DIGIT), SP(SURNAME, 2, 0, 30, CL_ALPHA),
};

/* TD2, TD3 and both visas share line 2 up to the optional data. */
#define LINE2_COMMON                                                                               \
    SP(DOCUMENT_CODE, 0, 0, 2, CL_ALPHA), SP(ISSUING_STATE, 0, 2, 3, CL_ALPHA),                    \
        SP(DOCUMENT_NUMBER, 1, 0, 9, CL_ALNUM), SP(DOCUMENT_NUMBER_CHECK, 1, 9, 1, CL_DIGIT),      \
        SP(NATIONALITY, 1, 10, 3, CL_ALPHA), SP(BIRTH_DATE, 1, 13, 6, CL_DIGIT),                   \
        SP(BIRTH_DATE_CHECK, 1, 19, 1, CL_DIGIT), SP(SEX, 1, 20, 1, CL_ALPHA),                     \
        SP(EXPIRY_DATE, 1, 21, 6, CL_DIGIT), SP(EXPIRY_DATE_CHECK, 1, 27, 1, CL_DIGIT)

static const struct span td2_spans[] = {
    LINE2_COMMON,
    SP(SURNAME, 0, 5, 31, CL_ALPHA),
    SP(OPTIONAL_DATA, 1, 28, 7, CL_ALNUM),
    SP(COMPOSITE_CHECK, 1, 35, 1, CL_DIGIT),
};
static const struct span td3_spans[] = {
    LINE2_COMMON,
    SP(SURNAME, 0, 5, 39, CL_ALPHA),
    SP(OPTIONAL_DATA, 1, 28, 14, CL_ALNUM),
    SP(OPTIONAL_DATA_CHECK, 1, 42, 1, CL_DIGIT),
    SP(COMPOSITE_CHECK, 1, 43, 1, CL_DIGIT),
};
static const struct span mrva_spans[] = {
    LINE2_COMMON,
    SP(SURNAME, 0, 5, 39, CL_ALPHA),
    SP(OPTIONAL_DATA, 1, 28, 16, CL_ALNUM),
};
static const struct span mrvb_spans[] = {
    LINE2_COMMON,
    SP(SURNAME, 0, 5, 31, CL_ALPHA),
    SP(OPTIONAL_DATA, 1, 28, 8, CL_ALNUM),
};
static const struct span fra_spans[] = {
    SP(DOCUMENT_CODE, 0, 0, 2, CL_ALPHA),     SP(ISSUING_STATE, 0, 2, 3, CL_ALPHA),
    SP(SURNAME, 0, 5, 25, CL_ALPHA),          SP(OPTIONAL_DATA, 0, 30, 6, CL_ALNUM),
    SP(ISSUE_DATE, 1, 0, 4, CL_DIGIT),        SP(ISSUING_OFFICE, 1, 4, 3, CL_ALNUM),
    SP(DOCUMENT_NUMBER, 1, 7, 5, CL_ALNUM),   SP(DOCUMENT_NUMBER_CHECK, 1, 12, 1, CL_DIGIT),
    SP(GIVEN_NAMES, 1, 13, 14, CL_ALPHA),     SP(BIRTH_DATE, 1, 27, 6, CL_DIGIT),
    SP(BIRTH_DATE_CHECK, 1, 33, 1, CL_DIGIT), SP(SEX, 1, 34, 1, CL_ALPHA),
    SP(COMPOSITE_CHECK, 1, 35, 1, CL_DIGIT),
};

#define NSPANS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const field_names[LIMEN_MRZ_FIELD_COUNT] = {
    [LIMEN_MRZ_DOCUMENT_CODE] = "document_code",
    [LIMEN_MRZ_ISSUING_STATE] = "issuing_state",
    [LIMEN_MRZ_DOCUMENT_NUMBER] = "document_number",
    [LIMEN_MRZ_DOCUMENT_NUMBER_CHECK] = "document_number_check",
    [LIMEN_MRZ_OPTIONAL_DATA] = "optional_data",
    [LIMEN_MRZ_OPTIONAL_DATA_CHECK] = "optional_data_check",
    [LIMEN_MRZ_BIRTH_DATE] = "birth_date",
    [LIMEN_MRZ_BIRTH_DATE_CHECK] = "birth_date_check",
    [LIMEN_MRZ_SEX] = "sex",
    [LIMEN_MRZ_EXPIRY_DATE] = "expiry_date",
    [LIMEN_MRZ_EXPIRY_DATE_CHECK] = "expiry_date_check",
    [LIMEN_MRZ_NATIONALITY] = "nationality",
    [LIMEN_MRZ_OPTIONAL_DATA_2] = "optional_data_2",
    [LIMEN_MRZ_COMPOSITE_CHECK] = "composite_check",
    [LIMEN_MRZ_SURNAME] = "surname",
    [LIMEN_MRZ_GIVEN_NAMES] = "given_names",
    [LIMEN_MRZ_ISSUE_DATE] = "issue_date",
    [LIMEN_MRZ_ISSUING_OFFICE] = "issuing_office",
};

/*
 * State codes of Doc 9303 Part 3 that are not ISO 3166-1 alpha-3 codes, the
 * Kosovo and legacy codes found on documents still in circulation, and the
 * specimen state Utopia, with the alpha-2 code screening compares on ("" when
 * the code names no country: organisations, refugees, stateless persons).
 */
static const struct {
    char code[4];
    char alpha2[3];
} special_states[] = {
    {"D", "de"},   /* Germany writes D<< rather than DEU */
    {"UTO", ""},   /* Utopia: ICAO specimens */
    {"XXA", ""},   /* stateless person (1954 convention) */
    {"XXB", ""},   /* refugee (1951 convention) */
    {"XXC", ""},   /* refugee, other */
    {"XXX", ""},   /* unspecified nationality */
    {"EUE", ""},   /* European Union */
    {"UNO", ""},   /* United Nations organisation */
    {"UNA", ""},   /* United Nations specialised agency */
    {"UNK", "xk"}, /* resident of Kosovo, UNMIK document */
    {"RKS", "xk"}, /* Kosovo, as printed on its passports */
    {"XXK", "xk"}, /* Kosovo */
    {"GBD", "gb"}, /* British Overseas Territories citizen */
    {"GBN", "gb"}, /* British National (Overseas) */
    {"GBO", "gb"}, /* British Overseas citizen */
    {"GBP", "gb"}, /* British protected person */
    {"GBS", "gb"}, /* British subject */
    {"XBA", ""},   /* African Development Bank */
    {"XIM", ""},   /* African Export-Import Bank */
    {"XCC", ""},   /* Caribbean Community */
    {"XCE", ""},   /* Council of Europe */
    {"XCO", ""},   /* COMESA */
    {"XDC", ""},   /* Southern African Development Community */
    {"XEC", ""},   /* ECOWAS */
    {"XES", ""},   /* Organisation of Eastern Caribbean States */
    {"XGG", ""},   /* further organisation codes of the Part 3 list */
    {"XMP", ""},   /* Parliamentary Assembly of the Mediterranean */
    {"XOM", ""},   /* Sovereign Military Order of Malta */
    {"XPO", ""},   /* INTERPOL */
    {"XSC", ""},   /* further organisation codes of the Part 3 list */
    {"XSS", ""},   /* further organisation codes of the Part 3 list */
    {"ANT", "an"}, /* Netherlands Antilles (dissolved 2010, documents remain) */
    {"NTZ", "nt"}, /* Neutral Zone (historical) */
};

/* Check digit value of an MRZ character: 0-9, A-Z = 10-35, '<' = 0; -1 otherwise. */
/* Check-digit values by byte: 0-9, A-Z = 10-35, '<' = 0; 255 for anything else. */
static const unsigned char cd_table[256] = {
    ['<'] = 0,   ['0'] = 0,   ['1'] = 1,   ['2'] = 2,   ['3'] = 3,   ['4'] = 4,   ['5'] = 5,
    ['6'] = 6,   ['7'] = 7,   ['8'] = 8,   ['9'] = 9,   ['A'] = 10,  ['B'] = 11,  ['C'] = 12,
    ['D'] = 13,  ['E'] = 14,  ['F'] = 15,  ['G'] = 16,  ['H'] = 17,  ['I'] = 18,  ['J'] = 19,
    ['K'] = 20,  ['L'] = 21,  ['M'] = 22,  ['N'] = 23,  ['O'] = 24,  ['P'] = 25,  ['Q'] = 26,
    ['R'] = 27,  ['S'] = 28,  ['T'] = 29,  ['U'] = 30,  ['V'] = 31,  ['W'] = 32,  ['X'] = 33,
    ['Y'] = 34,  ['Z'] = 35,
};

static inline int cd_value(unsigned char ch)
{
    if (ch == '<' || (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z'))
        return cd_table[ch];
    return -1;
}

/* Weighted sum (7, 3, 1 continuing from `pos`) of s[0..n); -1 on a bad character. */
static long cd_sum(const char *s, size_t n, size_t *pos)
{
    static const unsigned char w[3] = {7, 3, 1};
    long sum = 0;
    size_t k = *pos % 3;
    for (size_t i = 0; i < n; i++) {
        int v = cd_value((unsigned char)s[i]);
        if (v < 0) {
            *pos += i;
            return -1;
        }
        sum += v * w[k];
        k = k == 2 ? 0 : k + 1;
    }
    *pos += n;
    return sum;
}

int limen_mrz_check_digit(const char *s, size_t len)
{
    if (len == 0 || !s)
        return -1;
    size_t pos = 0;
    long sum = cd_sum(s, len, &pos);
    return sum < 0 ? -1 : (int)(sum % 10);
}

const char *limen_mrz_format_name(enum limen_mrz_format format)
{
    switch (format) {
    case LIMEN_MRZ_TD1:
        return "TD1";
    case LIMEN_MRZ_TD2:
        return "TD2";
    case LIMEN_MRZ_TD3:
        return "TD3";
    case LIMEN_MRZ_MRVA:
        return "MRVA";
    case LIMEN_MRZ_MRVB:
        return "MRVB";
    case LIMEN_MRZ_FRENCH_ID:
        return "FRENCH_ID";
    case LIMEN_MRZ_UNKNOWN:
        break;
    }
    return "UNKNOWN";
}

const char *limen_mrz_field_name(enum limen_mrz_field_id field)
{
    if ((int)field < 0 || field >= LIMEN_MRZ_FIELD_COUNT)
        return "";
    return field_names[field];
}

const char *limen_mrz_value(const struct limen_mrz *m, enum limen_mrz_field_id field)
{
    if (!m || (int)field < 0 || field >= LIMEN_MRZ_FIELD_COUNT || !m->fields[field].present)
        return "";
    return m->fields[field].value;
}

/* ---- parsing state ---- */

struct ctx {
    struct limen_mrz *m;
    int ty, tm, td; /* reference date */
};

static inline int is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static inline int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

/* Declares field `id` present with raw text line[start..start+n). */
static struct limen_mrz_field *field_at(struct ctx *c, enum limen_mrz_field_id id, unsigned line,
                                        unsigned start, unsigned n)
{
    struct limen_mrz_field *f = &c->m->fields[id];
    if (n > LIMEN_MRZ_FIELD_MAX)
        n = LIMEN_MRZ_FIELD_MAX;
    f->present = 1;
    f->valid = 1;
    f->status = LIMEN_OK;
    f->line = (unsigned char)(line + 1);
    f->column = (unsigned char)(start + 1);
    f->length = (unsigned char)n;
    memcpy(f->raw, c->m->lines[line] + start, n);
    f->raw[n] = '\0';
    f->value[0] = '\0';
    f->message[0] = '\0';
    return f;
}

static void field_fail(struct limen_mrz_field *f, limen_status st, const char *fmt, ...)
    LIMEN__PRINTF(3, 4);

static void field_fail(struct limen_mrz_field *f, limen_status st, const char *fmt, ...)
{
    if (!f->valid)
        return; /* the first reason is the one worth reporting */
    va_list ap;
    f->valid = 0;
    f->status = st;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
}

/* Printable form of a byte for messages: the character, or \xNN. */
static const char *show(char c, char buf[8])
{
    unsigned char u = (unsigned char)c;
    if (u >= 0x21 && u < 0x7f)
        snprintf(buf, 8, "%c", c);
    else
        snprintf(buf, 8, "\\x%02X", u);
    return buf;
}

/* First character of s[0..n) that is not allowed (letters_only: A-Z and '<'), or -1. */
static int bad_char(const char *s, size_t n, int letters_only)
{
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (is_upper(ch) || ch == '<' || (!letters_only && is_digit(ch)))
            continue;
        return (int)i;
    }
    return -1;
}

static int all_fillers(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != '<')
            return 0;
    return 1;
}

/* Writes s[0..n) without leading/trailing fillers, inner runs of fillers as one space. */
static void clean_text(char *dst, size_t cap, const char *s, size_t n)
{
    size_t b = 0, e = n, o = 0;
    while (b < e && s[b] == '<')
        b++;
    while (e > b && s[e - 1] == '<')
        e--;
    for (size_t i = b; i < e && o + 1 < cap; i++) {
        if (s[i] == '<') {
            if (s[i - 1] != '<')
                dst[o++] = ' ';
        } else {
            dst[o++] = s[i];
        }
    }
    dst[o] = '\0';
}

/* Validates the characters of a field; returns 0 when they are all MRZ characters. */
static int check_chars(struct limen_mrz_field *f, int letters_only)
{
    int b = bad_char(f->raw, f->length, letters_only);
    if (b < 0)
        return 0;
    char sb[8];
    if (letters_only && is_digit(f->raw[b]))
        field_fail(f, LIMEN_ESYNTAX, "digit '%c' at column %d where only letters are allowed",
                   f->raw[b], f->column + b);
    else
        field_fail(f, LIMEN_ESYNTAX, "character '%s' at column %d is not an MRZ character",
                   show(f->raw[b], sb), f->column + b);
    return -1;
}

/*
 * Verifies check digit field `id` at (line, pos) over data[0..n).
 * `empty_ok`: a '<' check digit is accepted when the data is all fillers
 * (Doc 9303 allows it for the optional data/personal number).
 */
static void check_digit_field(struct ctx *c, enum limen_mrz_field_id id, unsigned line,
                              unsigned pos, const char *data, size_t n, int empty_ok,
                              const char *what)
{
    struct limen_mrz_field *f = field_at(c, id, line, pos, 1);
    char ch = f->raw[0];
    char sb[8];
    f->value[0] = ch == '<' ? '\0' : ch;
    f->value[1] = '\0';
    int want = limen_mrz_check_digit(data, n);
    if (ch == '<') {
        if (empty_ok && all_fillers(data, n))
            return;
        if (want < 0)
            field_fail(f, LIMEN_ECHECK, "check digit is '<' and %s has invalid characters", what);
        else
            field_fail(f, LIMEN_ECHECK, "check digit is '<', %s gives %d", what, want);
        return;
    }
    if (!is_digit(ch)) {
        field_fail(f, LIMEN_ESYNTAX, "check digit '%s' is not a digit", show(ch, sb));
        return;
    }
    if (want < 0)
        field_fail(f, LIMEN_ECHECK, "check digit cannot be verified: %s has invalid characters",
                   what);
    else if (want != ch - '0')
        field_fail(f, LIMEN_ECHECK, "check digit is %c, %s gives %d", ch, what, want);
}

static int days_in_month(int y, int m)
{
    static const unsigned char d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

static int two(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Writes "YYYY", "YYYY-MM" or "YYYY-MM-DD" (parts 0 = absent) without printf. */
static void iso_date(char *dst, int y, int m, int d)
{
    char *p = dst;
    *p++ = (char)('0' + y / 1000 % 10);
    *p++ = (char)('0' + y / 100 % 10);
    *p++ = (char)('0' + y / 10 % 10);
    *p++ = (char)('0' + y % 10);
    if (m) {
        *p++ = '-';
        *p++ = (char)('0' + m / 10);
        *p++ = (char)('0' + m % 10);
        if (d) {
            *p++ = '-';
            *p++ = (char)('0' + d / 10);
            *p++ = (char)('0' + d % 10);
        }
    }
    *p = '\0';
}

enum date_kind { DATE_BIRTH, DATE_EXPIRY };

/*
 * YYMMDD at (line, pos). Unknown parts may be fillers: "YYMM<<", "YY<<<<",
 * "<<<<<<" (Doc 9303 Part 3 for unknown birth dates). The century puts a
 * birth date at or before the reference date and an expiry date within 50
 * years of it either way. Sets *expired when a full expiry date has passed.
 */
static void date_field(struct ctx *c, enum limen_mrz_field_id id, unsigned line, unsigned pos,
                       enum date_kind kind)
{
    struct limen_mrz_field *f = field_at(c, id, line, pos, 6);
    const char *s = f->raw;
    if (check_chars(f, 0) != 0)
        return;
    int known; /* 0, 2, 4 or 6 leading digits, the rest fillers */
    for (known = 0; known < 6 && is_digit(s[known]); known++)
        ;
    if ((known & 1) || !all_fillers(s + known, (size_t)(6 - known))) {
        field_fail(f, LIMEN_ESYNTAX, "'%s' is not a date (YYMMDD)", s);
        return;
    }
    if (known == 0)
        return; /* unknown date: valid, empty value */
    int yy = two(s), mm = known >= 4 ? two(s + 2) : 0, dd = known == 6 ? two(s + 4) : 0;
    if (known >= 4 && (mm < 1 || mm > 12)) {
        field_fail(f, LIMEN_ESYNTAX, "impossible date '%s': month %02d", s, mm);
        return;
    }
    int year = c->ty - c->ty % 100 + yy;
    if (kind == DATE_BIRTH) {
        /* The latest year with these two digits that is not after the reference date. */
        long key = (long)year * 10000 + (mm ? mm : 1) * 100 + (dd ? dd : 1);
        long ref = (long)c->ty * 10000 + c->tm * 100 + c->td;
        if (key > ref)
            year -= 100;
    } else {
        if (year > c->ty + 50)
            year -= 100;
        else if (year <= c->ty - 50)
            year += 100;
    }
    if (known == 6 && (dd < 1 || dd > days_in_month(year, mm))) {
        field_fail(f, LIMEN_ESYNTAX, "impossible date '%s': day %02d of %04d-%02d", s, dd, year,
                   mm);
        return;
    }
    iso_date(f->value, year, mm, dd);
    if (kind == DATE_EXPIRY && known == 6) {
        long key = (long)year * 10000 + mm * 100 + dd;
        long ref = (long)c->ty * 10000 + c->tm * 100 + c->td;
        c->m->expired = key < ref;
    }
}

/* French card issue date YYMM at line 2 column 1: the latest such month not after the reference. */
static void issue_date_field(struct ctx *c)
{
    struct limen_mrz_field *f = field_at(c, LIMEN_MRZ_ISSUE_DATE, 1, 0, 4);
    const char *s = f->raw;
    if (check_chars(f, 0) != 0)
        return;
    if (!is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[3])) {
        field_fail(f, LIMEN_ESYNTAX, "'%s' is not a year and month (YYMM)", s);
        return;
    }
    int mm = two(s + 2);
    if (mm < 1 || mm > 12) {
        field_fail(f, LIMEN_ESYNTAX, "impossible month %02d", mm);
        return;
    }
    int year = c->ty - c->ty % 100 + two(s);
    if ((long)year * 100 + mm > (long)c->ty * 100 + c->tm)
        year -= 100;
    iso_date(f->value, year, mm, 0);
}

/* Alpha-2 of a state code, or NULL when the code is unknown. */
static const char *state_alpha2(const char *code, size_t n)
{
    /* ISO codes first: they are what nearly every document carries. */
    const char *a2 = n == 3 ? limen__country_from_alpha3(code, n) : NULL;
    if (a2)
        return a2;
    for (size_t i = 0; i < NSPANS(special_states); i++)
        if (strlen(special_states[i].code) == n && memcmp(special_states[i].code, code, n) == 0)
            return special_states[i].alpha2;
    return NULL;
}

static void state_field(struct ctx *c, enum limen_mrz_field_id id, unsigned line, unsigned pos,
                        char alpha2[3])
{
    struct limen_mrz_field *f = field_at(c, id, line, pos, 3);
    alpha2[0] = '\0';
    if (check_chars(f, 1) != 0)
        return;
    size_t n = 3;
    while (n > 0 && f->raw[n - 1] == '<')
        n--;
    memcpy(f->value, f->raw, n);
    f->value[n] = '\0';
    if (n == 0) {
        field_fail(f, LIMEN_EEMPTY, "no state code");
        return;
    }
    const char *a2 = memchr(f->raw, '<', n) ? NULL : state_alpha2(f->raw, n);
    if (!a2) {
        field_fail(f, LIMEN_ENOTFOUND, "unknown state code '%s'", f->value);
        return;
    }
    memcpy(alpha2, a2, strlen(a2) + 1);
}

/*
 * A name part at (line, pos, n) into field `id`: letters and fillers only,
 * fillers shown as single spaces.
 */
static void name_part(struct ctx *c, enum limen_mrz_field_id id, unsigned line, unsigned pos,
                      unsigned n)
{
    struct limen_mrz_field *f = field_at(c, id, line, pos, n);
    if (n == 0)
        f->line = 0; /* nothing to point at */
    check_chars(f, 1);
    clean_text(f->value, sizeof f->value, f->raw, f->length);
}

/*
 * The ICAO name field: primary identifier, "<<", secondary identifier, then
 * fillers. Without "<<" the whole name is the primary identifier (Doc 9303
 * Part 3: a single name). A full field may have been truncated.
 */
static void name_field(struct ctx *c, unsigned line, unsigned pos, unsigned n)
{
    const char *s = c->m->lines[line] + pos;
    unsigned end = n, sep;
    while (end > 0 && s[end - 1] == '<')
        end--;
    c->m->name_truncated = n > 0 && s[n - 1] != '<';
    for (sep = 0; sep + 1 < end; sep++)
        if (s[sep] == '<' && s[sep + 1] == '<')
            break;
    if (sep + 1 >= end) {
        name_part(c, LIMEN_MRZ_SURNAME, line, pos, end);
        name_part(c, LIMEN_MRZ_GIVEN_NAMES, line, pos + end, 0);
    } else {
        unsigned g = sep;
        while (g < end && s[g] == '<')
            g++;
        name_part(c, LIMEN_MRZ_SURNAME, line, pos, sep);
        name_part(c, LIMEN_MRZ_GIVEN_NAMES, line, pos + g, end - g);
        if (sep == 0)
            c->m->fields[LIMEN_MRZ_SURNAME].line = 0;
    }
    if (end == 0) {
        struct limen_mrz_field *f = &c->m->fields[LIMEN_MRZ_SURNAME];
        f->line = (unsigned char)(line + 1);
        field_fail(f, LIMEN_EEMPTY, "no name");
    }
}

/* A free-text field: any MRZ character, value cleaned. */
static void text_field(struct ctx *c, enum limen_mrz_field_id id, unsigned line, unsigned pos,
                       unsigned n)
{
    struct limen_mrz_field *f = field_at(c, id, line, pos, n);
    if (n == 0)
        f->line = 0;
    check_chars(f, 0);
    clean_text(f->value, sizeof f->value, f->raw, f->length);
}

static void code_field(struct ctx *c)
{
    struct limen_mrz_field *f = field_at(c, LIMEN_MRZ_DOCUMENT_CODE, 0, 0, 2);
    if (check_chars(f, 1) != 0)
        return;
    clean_text(f->value, sizeof f->value, f->raw, 2);
    if (!is_upper(f->raw[0]))
        field_fail(f, LIMEN_ESYNTAX, "document code must start with a letter");
}

static void sex_field(struct ctx *c, unsigned line, unsigned pos)
{
    struct limen_mrz_field *f = field_at(c, LIMEN_MRZ_SEX, line, pos, 1);
    char ch = f->raw[0], sb[8];
    if (ch == 'M' || ch == 'F' || ch == 'X') {
        f->value[0] = ch;
        f->value[1] = '\0';
    } else if (ch != '<') {
        field_fail(f, LIMEN_ESYNTAX, "sex '%s' is not M, F, X or <", show(ch, sb));
    }
}

/*
 * Document number of 9 characters at (line, pos) with its check digit after
 * it. On TD1/TD2 (`ext_len` > 0) a '<' in the check digit position means the
 * number is longer: its remaining characters and then its check digit open
 * the optional data at (line, ext_pos), ended by the first filler. Doc 9303
 * computes that check digit over the number without the '<'; some issuers
 * (Belgium) include it: both are accepted and the form is recorded. Fills
 * LIMEN_MRZ_OPTIONAL_DATA with what is left of the optional data.
 */
static void document_number(struct ctx *c, unsigned line, unsigned pos, unsigned ext_line,
                            unsigned ext_pos, unsigned ext_len)
{
    const char *l = c->m->lines[line];
    const char *opt = c->m->lines[ext_line] + ext_pos;
    unsigned k = 0;
    if (ext_len > 0 && l[pos + 9] == '<' && !all_fillers(l + pos, 9)) {
        while (k < ext_len && opt[k] != '<')
            k++;
    }
    if (k == 0) {
        struct limen_mrz_field *f = field_at(c, LIMEN_MRZ_DOCUMENT_NUMBER, line, pos, 9);
        if (check_chars(f, 0) == 0 && all_fillers(f->raw, 9))
            field_fail(f, LIMEN_EEMPTY, "no document number");
        clean_text(f->value, sizeof f->value, f->raw, 9);
        const char *what = "the document number";
        if (ext_len > 0 && l[pos + 9] == '<' && f->valid)
            what = "the number (no extension found)";
        check_digit_field(c, LIMEN_MRZ_DOCUMENT_NUMBER_CHECK, line, pos + 9, l + pos, 9, 0, what);
        if (ext_len > 0)
            text_field(c, LIMEN_MRZ_OPTIONAL_DATA, ext_line, ext_pos, ext_len);
        return;
    }
    /* Extended: number = 9 characters + opt[0..k-1), check digit opt[k-1]. */
    char buf[32];
    unsigned extn = k - 1;
    char fb[32];
    memcpy(buf, l + pos, 9);
    memcpy(buf + 9, opt, extn);
    memcpy(fb, l + pos, 9);
    fb[9] = '<';
    memcpy(fb + 10, opt, extn);
    /* On TD2 the extension is not next to the number: raw shows them joined by the '<'. */
    struct limen_mrz_field *f = field_at(c, LIMEN_MRZ_DOCUMENT_NUMBER, line, pos, 10);
    memcpy(f->raw, fb, 10 + extn);
    f->raw[10 + extn] = '\0';
    f->length = (unsigned char)(10 + extn);
    check_chars(f, 0);
    clean_text(f->value, sizeof f->value, buf, 9 + extn);
    struct limen_mrz_field *cf =
        field_at(c, LIMEN_MRZ_DOCUMENT_NUMBER_CHECK, ext_line, ext_pos + k - 1, 1);
    char ch = cf->raw[0];
    cf->value[0] = ch;
    cf->value[1] = '\0';
    int icao = limen_mrz_check_digit(buf, 9 + extn);
    int filler = limen_mrz_check_digit(fb, 10 + extn);
    c->m->docnum_form = LIMEN_MRZ_DOCNUM_EXTENDED;
    if (!is_digit(ch)) {
        char sb[8];
        field_fail(cf, LIMEN_ESYNTAX, "check digit '%s' is not a digit", show(ch, sb));
    } else if (icao < 0) {
        field_fail(cf, LIMEN_ECHECK,
                   "check digit cannot be verified: the document number has invalid characters");
    } else if (icao != ch - '0') {
        if (filler == ch - '0')
            c->m->docnum_form = LIMEN_MRZ_DOCNUM_EXTENDED_FILLER;
        else
            field_fail(cf, LIMEN_ECHECK, "check digit is %c, the document number gives %d", ch,
                       icao);
    }
    text_field(c, LIMEN_MRZ_OPTIONAL_DATA, ext_line, ext_pos + k, ext_len - k);
}

/* Composite check digit over the given (line, start, len) ranges. */
static void composite(struct ctx *c, unsigned line, unsigned pos, const unsigned char (*r)[3],
                      size_t nr)
{
    char buf[128];
    size_t n = 0;
    for (size_t i = 0; i < nr; i++) {
        memcpy(buf + n, c->m->lines[r[i][0]] + r[i][1], r[i][2]);
        n += r[i][2];
    }
    check_digit_field(c, LIMEN_MRZ_COMPOSITE_CHECK, line, pos, buf, n, 0, "the composite");
}

/* Shared line 2 of TD2, TD3, MRV-A and MRV-B (after the document number). */
static void line2_common(struct ctx *c)
{
    const char *l = c->m->lines[1];
    state_field(c, LIMEN_MRZ_NATIONALITY, 1, 10, c->m->nationality_alpha2);
    date_field(c, LIMEN_MRZ_BIRTH_DATE, 1, 13, DATE_BIRTH);
    check_digit_field(c, LIMEN_MRZ_BIRTH_DATE_CHECK, 1, 19, l + 13, 6, 1, "the birth date");
    sex_field(c, 1, 20);
    date_field(c, LIMEN_MRZ_EXPIRY_DATE, 1, 21, DATE_EXPIRY);
    check_digit_field(c, LIMEN_MRZ_EXPIRY_DATE_CHECK, 1, 27, l + 21, 6, 1, "the expiry date");
}

static void parse_td1(struct ctx *c)
{
    static const unsigned char r[4][3] = {{0, 5, 25}, {1, 0, 7}, {1, 8, 7}, {1, 18, 11}};
    const char *l2 = c->m->lines[1];
    code_field(c);
    state_field(c, LIMEN_MRZ_ISSUING_STATE, 0, 2, c->m->issuing_state_alpha2);
    document_number(c, 0, 5, 0, 15, 15);
    date_field(c, LIMEN_MRZ_BIRTH_DATE, 1, 0, DATE_BIRTH);
    check_digit_field(c, LIMEN_MRZ_BIRTH_DATE_CHECK, 1, 6, l2, 6, 1, "the birth date");
    sex_field(c, 1, 7);
    date_field(c, LIMEN_MRZ_EXPIRY_DATE, 1, 8, DATE_EXPIRY);
    check_digit_field(c, LIMEN_MRZ_EXPIRY_DATE_CHECK, 1, 14, l2 + 8, 6, 1, "the expiry date");
    state_field(c, LIMEN_MRZ_NATIONALITY, 1, 15, c->m->nationality_alpha2);
    text_field(c, LIMEN_MRZ_OPTIONAL_DATA_2, 1, 18, 11);
    composite(c, 1, 29, r, 4);
    name_field(c, 2, 0, 30);
}

static void parse_td2_td3(struct ctx *c, int visa)
{
    static const unsigned char r2[3][3] = {{1, 0, 10}, {1, 13, 7}, {1, 21, 14}};
    static const unsigned char r3[3][3] = {{1, 0, 10}, {1, 13, 7}, {1, 21, 22}};
    int td3 = c->m->line_length == 44;
    const char *l2 = c->m->lines[1];
    code_field(c);
    state_field(c, LIMEN_MRZ_ISSUING_STATE, 0, 2, c->m->issuing_state_alpha2);
    name_field(c, 0, 5, td3 ? 39 : 31);
    if (!td3 && !visa)
        document_number(c, 1, 0, 1, 28, 7);
    else
        document_number(c, 1, 0, 1, 0, 0);
    line2_common(c);
    if (visa) {
        text_field(c, LIMEN_MRZ_OPTIONAL_DATA, 1, 28, td3 ? 16 : 8);
    } else if (td3) {
        text_field(c, LIMEN_MRZ_OPTIONAL_DATA, 1, 28, 14);
        check_digit_field(c, LIMEN_MRZ_OPTIONAL_DATA_CHECK, 1, 42, l2 + 28, 14, 1,
                          "the personal number");
        composite(c, 1, 43, r3, 3);
    } else {
        composite(c, 1, 35, r2, 3);
    }
}

static void parse_french(struct ctx *c)
{
    static const unsigned char r[2][3] = {{0, 0, 36}, {1, 0, 35}};
    const char *l2 = c->m->lines[1];
    code_field(c);
    state_field(c, LIMEN_MRZ_ISSUING_STATE, 0, 2, c->m->issuing_state_alpha2);
    name_part(c, LIMEN_MRZ_SURNAME, 0, 5, 25);
    if (c->m->fields[LIMEN_MRZ_SURNAME].value[0] == '\0')
        field_fail(&c->m->fields[LIMEN_MRZ_SURNAME], LIMEN_EEMPTY, "no surname");
    c->m->name_truncated = c->m->lines[0][29] != '<' || l2[26] != '<';
    text_field(c, LIMEN_MRZ_OPTIONAL_DATA, 0, 30, 6);
    issue_date_field(c);
    text_field(c, LIMEN_MRZ_ISSUING_OFFICE, 1, 4, 3);
    struct limen_mrz_field *f = field_at(c, LIMEN_MRZ_DOCUMENT_NUMBER, 1, 0, 12);
    check_chars(f, 0);
    clean_text(f->value, sizeof f->value, f->raw, 12);
    check_digit_field(c, LIMEN_MRZ_DOCUMENT_NUMBER_CHECK, 1, 12, l2, 12, 0, "the document number");
    name_part(c, LIMEN_MRZ_GIVEN_NAMES, 1, 13, 14);
    date_field(c, LIMEN_MRZ_BIRTH_DATE, 1, 27, DATE_BIRTH);
    check_digit_field(c, LIMEN_MRZ_BIRTH_DATE_CHECK, 1, 33, l2 + 27, 6, 1, "the birth date");
    sex_field(c, 1, 34);
    composite(c, 1, 35, r, 2);
    /* Only French nationals hold this card: the nationality is implied. */
    f = &c->m->fields[LIMEN_MRZ_NATIONALITY];
    f->present = 1;
    f->valid = 1;
    f->status = LIMEN_OK;
    memcpy(f->value, "FRA", 4);
    memcpy(c->m->nationality_alpha2, "fr", 3);
}

/* ---- OCR correction ---- */

static char to_digit(char ch)
{
    switch (ch) {
    case 'O':
    case 'Q':
    case 'D':
        return '0';
    case 'I':
    case 'L':
        return '1';
    case 'Z':
        return '2';
    case 'S':
        return '5';
    case 'G':
        return '6';
    case 'B':
        return '8';
    default:
        return ch;
    }
}

static char to_letter(char ch)
{
    switch (ch) {
    case '0':
        return 'O';
    case '1':
        return 'I';
    case '2':
        return 'Z';
    case '5':
        return 'S';
    case '6':
        return 'G';
    case '8':
        return 'B';
    default:
        return ch;
    }
}

static void ocr_correct(struct limen_mrz *m, const struct span *sp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *l = m->lines[sp[i].line];
        for (unsigned p = sp[i].start; p < (unsigned)sp[i].start + sp[i].len; p++) {
            char from = l[p], to = from;
            if (to >= 'a' && to <= 'z')
                to = (char)(to - 'a' + 'A');
            if (sp[i].cls == CL_DIGIT)
                to = to_digit(to);
            else if (sp[i].cls == CL_ALPHA)
                to = to_letter(to);
            if (to == from || m->correction_count >= LIMEN_MRZ_MAX_CORRECTIONS)
                continue;
            struct limen_mrz_correction *k = &m->corrections[m->correction_count++];
            k->field = (enum limen_mrz_field_id)sp[i].field;
            k->line = (unsigned char)(sp[i].line + 1);
            k->column = (unsigned char)(p + 1);
            k->from = from;
            k->to = to;
            l[p] = to;
        }
    }
}

/* ---- input, format detection, entry point ---- */

/*
 * Splits text into at most 3 non-blank lines without spaces. Returns LIMEN_OK,
 * or an error with err filled.
 */
static limen_status split_lines(const char *text, size_t len, struct limen_mrz *m, unsigned lens[3],
                                struct limen_error *err)
{
    char tmp[3][91];
    unsigned nl = 0, cur = 0;
    long line_no = 1;
    /* Fast path, the usual input: lines separated by \n only, no blanks or CR,
     * at most 3 of at most 90 characters: cut with memchr, copy with memcpy. */
    if (!memchr(text, ' ', len) && !memchr(text, '\t', len) && !memchr(text, '\r', len)) {
        size_t i = 0;
        int ok = 1;
        while (i < len && ok) {
            const char *nlp = memchr(text + i, '\n', len - i);
            size_t end = nlp ? (size_t)(nlp - text) : len;
            size_t seg = end - i;
            if (seg) {
                if (nl == 3 || seg > 90)
                    ok = 0;
                else {
                    memcpy(tmp[nl], text + i, seg);
                    lens[nl++] = (unsigned)seg;
                }
            }
            i = end + 1;
        }
        if (ok && nl)
            goto split_done;
        nl = 0;
    }
    /* One table lookup per byte: ordinary characters take the first branch. */
    static const unsigned char cls[256] = {['\n'] = 1, ['\r'] = 1, [' '] = 2, ['\t'] = 2};
    for (size_t i = 0; i <= len; i++) {
        char ch = i < len ? text[i] : '\n';
        unsigned char c = cls[(unsigned char)ch];
        if (c == 0 && cur < 90 && nl < 3) {
            tmp[nl][cur++] = ch;
            continue;
        }
        if (c == 1) {
            if (cur > 0) {
                lens[nl++] = cur;
                cur = 0;
            }
            if (ch == '\r' && i + 1 < len && text[i + 1] == '\n')
                i++;
            line_no++;
            continue;
        }
        if (c == 2)
            continue;
        if (nl == 3) {
            if (err) {
                err->line = line_no;
                err->offset = i;
            }
            return limen__error_set(err, LIMEN_ESYNTAX, "mrz",
                                    "an MRZ has 2 or 3 lines, found more");
        }
        if (cur == 90) {
            if (err) {
                err->line = line_no;
                err->offset = i;
            }
            return limen__error_set(err, LIMEN_ESYNTAX, "mrz", "line longer than 90 characters");
        }
        tmp[nl][cur++] = ch;
    }
    if (nl == 0)
        return limen__error_set(err, LIMEN_EEMPTY, "mrz", "no MRZ in the input");
split_done:
    /* One string holding the whole MRZ: cut it into lines. */
    if (nl == 1 && (lens[0] == 90 || lens[0] == 72 || lens[0] == 88)) {
        unsigned w = lens[0] == 90 ? 30 : lens[0] / 2, k = lens[0] / w;
        for (unsigned j = 0; j < k; j++) {
            memcpy(m->lines[j], tmp[0] + j * w, w);
            m->lines[j][w] = '\0';
            lens[j] = w;
        }
        m->line_count = k;
        return LIMEN_OK;
    }
    for (unsigned j = 0; j < nl; j++) {
        unsigned n = lens[j] > LIMEN_MRZ_LINE_MAX ? LIMEN_MRZ_LINE_MAX : lens[j];
        memcpy(m->lines[j], tmp[j], n);
        m->lines[j][n] = '\0';
    }
    m->line_count = nl;
    return LIMEN_OK;
}

static char up(char ch)
{
    return ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
}

static limen_status detect(struct limen_mrz *m, const unsigned lens[3], int ocr,
                           struct limen_error *err)
{
    unsigned n = m->line_count, w = lens[0];
    for (unsigned j = 1; j < n; j++) {
        if (lens[j] != w) {
            if (err)
                err->line = (long)j + 1;
            return limen__error_set(err, LIMEN_ESYNTAX, "mrz",
                                    "line %u has %u characters, line 1 has %u", j + 1, lens[j], w);
        }
    }
    if (!((n == 3 && w == 30) || (n == 2 && (w == 36 || w == 44)))) {
        if (err)
            err->line = 1;
        return limen__error_set(err, LIMEN_ESYNTAX, "mrz",
                                "%u line(s) of %u characters: not TD1 (3 x 30), TD2/MRV-B/French "
                                "card (2 x 36) or TD3/MRV-A (2 x 44)",
                                n, w);
    }
    m->line_length = w;
    const char *l = m->lines[0];
    char c0 = ocr ? to_letter(up(l[0])) : l[0];
    if (w == 30) {
        m->format = LIMEN_MRZ_TD1;
    } else if (c0 == 'V') {
        m->format = w == 44 ? LIMEN_MRZ_MRVA : LIMEN_MRZ_MRVB;
    } else if (w == 44) {
        m->format = LIMEN_MRZ_TD3;
    } else {
        static const char fra[] = "IDFRA";
        int french = 1;
        for (int i = 0; i < 5; i++) {
            char ch = ocr ? to_letter(up(l[i])) : l[i];
            if (ch != fra[i])
                french = 0;
        }
        m->format = french ? LIMEN_MRZ_FRENCH_ID : LIMEN_MRZ_TD2;
    }
    return LIMEN_OK;
}

static limen_status reference_date(const struct limen_mrz_options *o, struct ctx *c,
                                   struct limen_error *err)
{
    if (o && (o->today_year || o->today_month || o->today_day)) {
        if (o->today_year < 1900 || o->today_year > 9999 || o->today_month < 1 ||
            o->today_month > 12 || o->today_day < 1 ||
            o->today_day > days_in_month(o->today_year, o->today_month))
            return limen__error_set(err, LIMEN_EINVAL, "today", "invalid reference date");
        c->ty = o->today_year;
        c->tm = o->today_month;
        c->td = o->today_day;
        return LIMEN_OK;
    }
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm))
        return limen__error_set(err, LIMEN_EINVAL, "today", "no current date");
    c->ty = tm.tm_year + 1900;
    c->tm = tm.tm_mon + 1;
    c->td = tm.tm_mday;
    return LIMEN_OK;
}

/* Records why the input is not an MRZ layout in the result too (for to_json). */
static limen_status layout_error(struct limen_mrz *m, limen_status st, const struct limen_error *e)
{
    m->format = LIMEN_MRZ_UNKNOWN;
    m->line_count = 0;
    m->layout_status = st;
    m->layout_line = e->line;
    size_t n = strnlen(e->message, sizeof m->layout_message - 1);
    memcpy(m->layout_message, e->message, n);
    m->layout_message[n] = '\0';
    return st;
}

limen_status limen_mrz_parse(const char *text, size_t len, const struct limen_mrz_options *opts,
                             struct limen_mrz *out, struct limen_error *err)
{
    struct limen_error local;
    if (!err)
        err = &local; /* the layout error is also kept in *out */
    limen_error_clear(err);
    if (!out)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no result struct");
    /* Not one big memset: the result is ~5 KB, mostly text buffers that only
     * need their first byte cleared, and this runs a million times a second. */
    memset(out, 0, offsetof(struct limen_mrz, fields));
    for (int i = 0; i < LIMEN_MRZ_FIELD_COUNT; i++) {
        struct limen_mrz_field *f = &out->fields[i];
        memset(f, 0, offsetof(struct limen_mrz_field, raw));
        f->raw[0] = f->value[0] = f->message[0] = '\0';
    }
    out->issuing_state_alpha2[0] = out->nationality_alpha2[0] = '\0';
    out->correction_count = 0;
    out->layout_status = LIMEN_OK;
    out->layout_line = 0;
    out->layout_message[0] = '\0';
    if (!text && len > 0)
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no input");
    if (len > LIMEN_MRZ_INPUT_MAX)
        return layout_error(out,
                            limen__error_set(err, LIMEN_ETOOLONG, "mrz",
                                             "input longer than %d bytes", LIMEN_MRZ_INPUT_MAX),
                            err);
    struct ctx c = {.m = out};
    limen_status st = reference_date(opts, &c, err);
    if (st != LIMEN_OK)
        return st;
    unsigned lens[3] = {0, 0, 0};
    st = split_lines(text ? text : "", len, out, lens, err);
    if (st != LIMEN_OK)
        return layout_error(out, st, err);
    int ocr = opts && opts->ocr_correct;
    st = detect(out, lens, ocr, err);
    if (st != LIMEN_OK)
        return layout_error(out, st, err);
    const struct span *sp = td1_spans;
    size_t nsp = NSPANS(td1_spans);
    switch (out->format) {
    case LIMEN_MRZ_TD2:
        sp = td2_spans, nsp = NSPANS(td2_spans);
        break;
    case LIMEN_MRZ_TD3:
        sp = td3_spans, nsp = NSPANS(td3_spans);
        break;
    case LIMEN_MRZ_MRVA:
        sp = mrva_spans, nsp = NSPANS(mrva_spans);
        break;
    case LIMEN_MRZ_MRVB:
        sp = mrvb_spans, nsp = NSPANS(mrvb_spans);
        break;
    case LIMEN_MRZ_FRENCH_ID:
        sp = fra_spans, nsp = NSPANS(fra_spans);
        break;
    default:
        break;
    }
    if (ocr)
        ocr_correct(out, sp, nsp);
    switch (out->format) {
    case LIMEN_MRZ_TD1:
        parse_td1(&c);
        break;
    case LIMEN_MRZ_FRENCH_ID:
        parse_french(&c);
        break;
    default:
        parse_td2_td3(&c, out->format == LIMEN_MRZ_MRVA || out->format == LIMEN_MRZ_MRVB);
        break;
    }
    /* Validity, and the first bad field in reading order for the error report. */
    const struct limen_mrz_field *first = NULL;
    int first_id = -1;
    for (int i = 0; i < LIMEN_MRZ_FIELD_COUNT; i++) {
        const struct limen_mrz_field *f = &out->fields[i];
        if (!f->present || f->valid)
            continue;
        out->error_count++;
        unsigned key = (unsigned)(f->line ? f->line : 9) * 64 + f->column;
        if (!first || key < (unsigned)(first->line ? first->line : 9) * 64 + first->column) {
            first = f;
            first_id = i;
        }
    }
    out->valid = out->error_count == 0;
    if (!first)
        return LIMEN_OK;
    if (err) {
        err->line = first->line;
        err->column = first->column;
        err->offset =
            first->line ? (size_t)(first->line - 1) * out->line_length + (size_t)(first->column - 1)
                        : 0;
    }
    return limen__error_set(err, first->status, field_names[first_id], "%s", first->message);
}

/* ---- output ---- */

static void json_kv(struct limen_buf *b, const char *key, const char *val)
{
    limen_buf_add_json_string(b, key, strlen(key));
    limen_buf_addch(b, ':');
    limen_buf_add_json_string(b, val, strlen(val));
}

/* Top-level screening value: the field's value, null when absent. */
static void json_field_value(struct limen_buf *b, const struct limen_mrz *m, const char *key,
                             enum limen_mrz_field_id id)
{
    limen_buf_addch(b, ',');
    limen_buf_add_json_string(b, key, strlen(key));
    limen_buf_addch(b, ':');
    if (m->fields[id].present)
        limen_buf_add_json_string(b, m->fields[id].value, strlen(m->fields[id].value));
    else
        limen_buf_adds(b, "null");
}

static const char *docnum_form_name(enum limen_mrz_docnum_form f)
{
    switch (f) {
    case LIMEN_MRZ_DOCNUM_EXTENDED:
        return "extended";
    case LIMEN_MRZ_DOCNUM_EXTENDED_FILLER:
        return "extended_with_filler";
    case LIMEN_MRZ_DOCNUM_STANDARD:
        break;
    }
    return "standard";
}

limen_status limen_mrz_to_json(const struct limen_mrz *m, char **json, size_t *len)
{
    if (json)
        *json = NULL;
    if (!m || !json)
        return LIMEN_EINVAL;
    struct limen_buf b;
    limen_buf_init(&b);
    limen_buf_addch(&b, '{');
    json_kv(&b, "format", limen_mrz_format_name(m->format));
    limen_buf_addf(&b, ",\"valid\":%s", m->valid ? "true" : "false");
    json_field_value(&b, m, "document_code", LIMEN_MRZ_DOCUMENT_CODE);
    json_field_value(&b, m, "issuing_state", LIMEN_MRZ_ISSUING_STATE);
    json_field_value(&b, m, "document_number", LIMEN_MRZ_DOCUMENT_NUMBER);
    json_field_value(&b, m, "surname", LIMEN_MRZ_SURNAME);
    json_field_value(&b, m, "given_names", LIMEN_MRZ_GIVEN_NAMES);
    json_field_value(&b, m, "birth_date", LIMEN_MRZ_BIRTH_DATE);
    json_field_value(&b, m, "sex", LIMEN_MRZ_SEX);
    json_field_value(&b, m, "nationality", LIMEN_MRZ_NATIONALITY);
    json_field_value(&b, m, "expiry_date", LIMEN_MRZ_EXPIRY_DATE);
    json_field_value(&b, m, "optional_data", LIMEN_MRZ_OPTIONAL_DATA);
    json_field_value(&b, m, "optional_data_2", LIMEN_MRZ_OPTIONAL_DATA_2);
    limen_buf_addch(&b, ',');
    json_kv(&b, "issuing_state_alpha2", m->issuing_state_alpha2);
    limen_buf_addch(&b, ',');
    json_kv(&b, "nationality_alpha2", m->nationality_alpha2);
    limen_buf_addf(&b, ",\"expired\":%s,\"name_truncated\":%s,", m->expired ? "true" : "false",
                   m->name_truncated ? "true" : "false");
    json_kv(&b, "document_number_form", docnum_form_name(m->docnum_form));
    limen_buf_adds(&b, ",\"lines\":[");
    for (unsigned i = 0; i < m->line_count && i < 3; i++) {
        if (i)
            limen_buf_addch(&b, ',');
        limen_buf_add_json_string(&b, m->lines[i], strnlen(m->lines[i], LIMEN_MRZ_LINE_MAX));
    }
    limen_buf_adds(&b, "],\"fields\":{");
    if (m->format == LIMEN_MRZ_UNKNOWN) {
        limen_buf_adds(&b, "},\"errors\":[{");
        json_kv(&b, "field", "mrz");
        limen_buf_addch(&b, ',');
        json_kv(&b, "status", limen_status_name(m->layout_status));
        limen_buf_addf(&b, ",\"line\":%ld,\"column\":0,", m->layout_line);
        json_kv(&b, "message", m->layout_message);
        limen_buf_adds(&b, "}],\"corrections\":[]}");
        goto done;
    }
    int n = 0;
    for (int i = 0; i < LIMEN_MRZ_FIELD_COUNT; i++) {
        const struct limen_mrz_field *f = &m->fields[i];
        if (!f->present)
            continue;
        if (n++)
            limen_buf_addch(&b, ',');
        limen_buf_add_json_string(&b, field_names[i], strlen(field_names[i]));
        limen_buf_adds(&b, ":{");
        json_kv(&b, "value", f->value);
        limen_buf_addch(&b, ',');
        limen_buf_add_json_string(&b, "raw", 3);
        limen_buf_addch(&b, ':');
        limen_buf_add_json_string(&b, f->raw, f->length);
        limen_buf_addf(&b, ",\"valid\":%s,\"line\":%u,\"column\":%u}", f->valid ? "true" : "false",
                       f->line, f->column);
    }
    limen_buf_adds(&b, "},\"errors\":[");
    n = 0;
    for (int i = 0; i < LIMEN_MRZ_FIELD_COUNT; i++) {
        const struct limen_mrz_field *f = &m->fields[i];
        if (!f->present || f->valid)
            continue;
        if (n++)
            limen_buf_addch(&b, ',');
        limen_buf_addch(&b, '{');
        json_kv(&b, "field", field_names[i]);
        limen_buf_addch(&b, ',');
        json_kv(&b, "status", limen_status_name(f->status));
        limen_buf_addf(&b, ",\"line\":%u,\"column\":%u,", f->line, f->column);
        json_kv(&b, "message", f->message);
        limen_buf_addch(&b, '}');
    }
    limen_buf_adds(&b, "],\"corrections\":[");
    for (unsigned i = 0; i < m->correction_count && i < LIMEN_MRZ_MAX_CORRECTIONS; i++) {
        const struct limen_mrz_correction *k = &m->corrections[i];
        if (i)
            limen_buf_addch(&b, ',');
        limen_buf_addch(&b, '{');
        json_kv(&b, "field", limen_mrz_field_name(k->field));
        limen_buf_addf(&b, ",\"line\":%u,\"column\":%u,\"from\":", k->line, k->column);
        limen_buf_add_json_string(&b, &k->from, 1);
        limen_buf_adds(&b, ",\"to\":");
        limen_buf_add_json_string(&b, &k->to, 1);
        limen_buf_addch(&b, '}');
    }
    limen_buf_adds(&b, "]}");
done:;
    size_t l = 0;
    char *s = limen_buf_detach(&b, &l);
    limen_buf_release(&b);
    if (!s)
        return LIMEN_ENOMEM;
    *json = s;
    if (len)
        *len = l;
    return LIMEN_OK;
}

/* Adds a valid, non-empty field value as property `prop`. */
static limen_status add_prop(struct limen_entity *e, const char *prop, const struct limen_mrz *m,
                             enum limen_mrz_field_id id)
{
    const struct limen_mrz_field *f = &m->fields[id];
    if (!f->present || !f->valid || f->value[0] == '\0')
        return LIMEN_OK;
    return limen_entity_add(e, prop, f->value, strlen(f->value));
}

limen_status limen_mrz_to_entity(const struct limen_mrz *m, const char *id,
                                 struct limen_entity **out)
{
    if (out)
        *out = NULL;
    if (!m || !out || m->format == LIMEN_MRZ_UNKNOWN)
        return LIMEN_EINVAL;
    const struct limen_mrz_field *sur = &m->fields[LIMEN_MRZ_SURNAME];
    const struct limen_mrz_field *giv = &m->fields[LIMEN_MRZ_GIVEN_NAMES];
    const struct limen_mrz_field *num = &m->fields[LIMEN_MRZ_DOCUMENT_NUMBER];
    int has_sur = sur->valid && sur->value[0], has_giv = giv->valid && giv->value[0];
    int has_num = num->valid && num->value[0];
    if (!has_sur && !has_giv && !has_num)
        return LIMEN_EEMPTY;
    char idbuf[128];
    if (!id) {
        snprintf(idbuf, sizeof idbuf, "mrz-%s-%s", m->fields[LIMEN_MRZ_ISSUING_STATE].value,
                 num->value);
        for (char *p = idbuf; *p; p++)
            if (*p == ' ')
                *p = '_';
        id = idbuf;
    }
    struct limen_entity *e = NULL;
    limen_status st = limen_entity_new(id, LIMEN_SCHEMA_PERSON, &e);
    if (st != LIMEN_OK)
        goto out;
    if (has_sur || has_giv) {
        char name[2 * LIMEN_MRZ_FIELD_MAX + 2];
        snprintf(name, sizeof name, "%s%s%s", has_giv ? giv->value : "",
                 has_giv && has_sur ? " " : "", has_sur ? sur->value : "");
        if ((st = limen_entity_add(e, "name", name, strlen(name))) != LIMEN_OK)
            goto out;
    }
    if ((st = add_prop(e, "firstName", m, LIMEN_MRZ_GIVEN_NAMES)) != LIMEN_OK ||
        (st = add_prop(e, "lastName", m, LIMEN_MRZ_SURNAME)) != LIMEN_OK ||
        (st = add_prop(e, "birthDate", m, LIMEN_MRZ_BIRTH_DATE)) != LIMEN_OK)
        goto out;
    const struct limen_mrz_field *sex = &m->fields[LIMEN_MRZ_SEX];
    if (sex->present && sex->valid && sex->value[0]) {
        const char *g = sex->value[0] == 'M' ? "male" : sex->value[0] == 'F' ? "female" : "other";
        if ((st = limen_entity_add(e, "gender", g, strlen(g))) != LIMEN_OK)
            goto out;
    }
    if (m->fields[LIMEN_MRZ_NATIONALITY].valid && m->nationality_alpha2[0] &&
        (st = limen_entity_add(e, "nationality", m->nationality_alpha2,
                               strlen(m->nationality_alpha2))) != LIMEN_OK)
        goto out;
    if (has_num) {
        const char *prop =
            m->fields[LIMEN_MRZ_DOCUMENT_CODE].raw[0] == 'P' ? "passportNumber" : "idNumber";
        if ((st = limen_entity_add(e, prop, num->value, strlen(num->value))) != LIMEN_OK)
            goto out;
    }
    *out = e;
    e = NULL;
out:
    limen_entity_free(e);
    return st;
}
