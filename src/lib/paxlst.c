/*
 * UN/EDIFACT PAXLST parser (see include/limen/paxlst.h for what it accepts).
 *
 * Two layers. The lexer cuts the input into segments with the separators of
 * the UNA service string advice (or the defaults :+.? '), resolving release
 * characters, and stores each segment in one reusable struct seg: the
 * unescaped bytes of every component, NUL-terminated, with their position in
 * the input. Element 0 is the tag, so seg_comp(s, 2, 1) is "element 2,
 * component 1" as the PAXLST implementation guides number them.
 *
 * The second layer walks the segments with a little state: the envelope
 * (UNB, UNG, UNH ... UNT, UNE, UNZ) with its counts and references, the
 * current flight leg (TDT, then LOC and DTM), and the current traveller
 * (NAD, then ATT, DTM, LOC, NAT, RFF, DOC and the LOC/DTM of the document).
 * A LOC or DTM belongs to the leg before the first NAD of a message and to
 * the traveller (or to its last DOC) after it.
 *
 *     UNB+UNOA:4+LUFTHANSA:ZZ+HDQCH2X:ZZ+200130:0300+123456789++PAXLST'
 *     UNH+53371718146010+PAXLST:D:02B:UN:IATA'     message 0
 *     TDT+20+LA532' LOC+125+SCL' DTM+189:2001192300:201' ...   leg 0
 *     NAD+FL+++JIANG:HSIUYUAN:' ATT+2++F' DTM+329:670603' ...  traveller 0
 *     DOC++433419360' DTM+36:230920' LOC+91+CHN'              its document
 *     CNT+42:10' UNT+23+53371718146010' UNZ+1+123456789'
 *
 * Two-digit years take their century from the interchange date (UNB): a
 * birth date is the latest one not after it, other dates the one within
 * 50 years of it.
 */
#include "limen/paxlst.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "limen/buf.h"
#include "country.h"
#include "status_int.h"
#include "utf8.h"

struct limen_paxlst {
    struct limen_paxlst_traveller *travellers;
    size_t ntravellers, captravellers;
    struct limen_paxlst_leg *legs;
    size_t nlegs, caplegs;
    struct limen_paxlst_warning *warnings;
    size_t nwarnings, capwarnings, warning_total;
    struct limen_paxlst_counts counts;
    size_t messages, segments, ignored_segments;
    char sender[LIMEN_PAXLST_VALUE_SIZE];         /* UNB element 2 */
    char reference[LIMEN_PAXLST_VALUE_SIZE];      /* UNB element 5 */
    char reporting_party[LIMEN_PAXLST_NAME_SIZE]; /* NAD+MS */
    char document_code[LIMEN_PAXLST_CODE_SIZE];   /* BGM of the first message */
    char interchange_date[LIMEN_PAXLST_TIME_SIZE];
};

struct seg {
    char tag[4];
    long number;
    size_t offset;
    size_t nel;
    size_t ncomp[LIMEN_PAXLST_ELEMENTS_MAX];
    size_t coff[LIMEN_PAXLST_ELEMENTS_MAX][LIMEN_PAXLST_COMPONENTS_MAX];
    size_t clen[LIMEN_PAXLST_ELEMENTS_MAX][LIMEN_PAXLST_COMPONENTS_MAX];
    size_t cin[LIMEN_PAXLST_ELEMENTS_MAX][LIMEN_PAXLST_COMPONENTS_MAX];
    size_t tlen, tcap;
    char *text;
};

struct date {
    int y, m, d;
};

struct parser {
    const char *data;
    size_t len, pos;
    size_t max_segment, max_travellers;
    char csep, esep, rel, term; /* rel is 0 when there is no release character */
    struct limen_paxlst *p;
    struct limen_error *err;
    struct seg s;
    struct date ref; /* reference date for two-digit years */
    int have_ref;
    /* envelope */
    int seen_unb, seen_unz, in_group, in_msg;
    size_t groups, group_msgs, msg_segs;
    char msg_ref[LIMEN_PAXLST_VALUE_SIZE];
    char unb_ref[LIMEN_PAXLST_VALUE_SIZE];
    char group_ref[LIMEN_PAXLST_VALUE_SIZE];
    char bgm[LIMEN_PAXLST_CODE_SIZE];
    /* content */
    long leg;     /* index of the current leg, -1 when none */
    long trav;    /* index of the current traveller, -1 before the first NAD of a message */
    long doc;     /* index of the current document of the traveller, -1 when none */
    int leg_locs; /* LOC+92 seen in the current leg */
    int warned_space_tag, warned_lower, warned_leading;
};

/* ---- warnings and errors ---------------------------------------------------------------- */

static limen_status warn(struct parser *ps, long segment, size_t offset, const char *fmt, ...)
    LIMEN__PRINTF(4, 5);

static limen_status warn(struct parser *ps, long segment, size_t offset, const char *fmt, ...)
{
    struct limen_paxlst *p = ps->p;
    p->warning_total++;
    if (p->nwarnings >= LIMEN_PAXLST_WARNINGS_MAX)
        return LIMEN_OK;
    if (p->nwarnings == p->capwarnings) {
        size_t ncap = p->capwarnings ? p->capwarnings * 2 : 16;
        struct limen_paxlst_warning *w = limen__reallocarray(p->warnings, ncap, sizeof *w);
        if (!w)
            return limen__error_set(ps->err, LIMEN_ENOMEM, NULL, "out of memory");
        p->warnings = w;
        p->capwarnings = ncap;
    }
    struct limen_paxlst_warning *w = &p->warnings[p->nwarnings++];
    w->segment = segment;
    w->offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->message, sizeof w->message, fmt, ap);
    va_end(ap);
    return LIMEN_OK;
}

/* An error at a segment number and byte offset. */
static limen_status fail(struct parser *ps, limen_status st, long segment, size_t offset,
                         const char *tag, const char *fmt, ...) LIMEN__PRINTF(6, 7);

static limen_status fail(struct parser *ps, limen_status st, long segment, size_t offset,
                         const char *tag, const char *fmt, ...)
{
    struct limen_error *err = ps->err;
    if (!err)
        return st;
    limen__error_set(err, st, tag, "%s", "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->line = segment;
    err->column = 0;
    err->offset = offset;
    return st;
}

/* ---- lexer ---------------------------------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static limen_status seg_put(struct parser *ps, char c)
{
    struct seg *s = &ps->s;
    if (s->tlen + 1 >= s->tcap)
        return fail(ps, LIMEN_ETOOLONG, s->number, s->offset, s->tag,
                    "segment longer than %zu bytes", ps->max_segment);
    s->text[s->tlen++] = c;
    return LIMEN_OK;
}

/* Ends the current component and opens a new one (in a new element when `element`). */
static limen_status seg_split(struct parser *ps, int element, size_t in_off)
{
    struct seg *s = &ps->s;
    size_t e = s->nel - 1;
    s->clen[e][s->ncomp[e] - 1] = s->tlen - s->coff[e][s->ncomp[e] - 1];
    limen_status st = seg_put(ps, '\0');
    if (st != LIMEN_OK)
        return st;
    if (element) {
        if (s->nel >= LIMEN_PAXLST_ELEMENTS_MAX)
            return fail(ps, LIMEN_ELIMIT, s->number, in_off, s->tag,
                        "more than %d data elements in the segment", LIMEN_PAXLST_ELEMENTS_MAX);
        e = s->nel++;
        s->ncomp[e] = 0;
    }
    if (s->ncomp[e] >= LIMEN_PAXLST_COMPONENTS_MAX)
        return fail(ps, LIMEN_ELIMIT, s->number, in_off, s->tag,
                    "more than %d components in data element %zu", LIMEN_PAXLST_COMPONENTS_MAX, e);
    size_t c = s->ncomp[e]++;
    s->coff[e][c] = s->tlen;
    s->clen[e][c] = 0;
    s->cin[e][c] = in_off + 1;
    return LIMEN_OK;
}

/*
 * Reads the next segment into ps->s. Returns LIMEN_OK, LIMEN_EOF (only white
 * space left) or an error.
 */
static limen_status next_segment(struct parser *ps)
{
    struct seg *s = &ps->s;
    const char *d = ps->data;
    limen_status st;
    int spaces = 0;
    while (ps->pos < ps->len && is_space(d[ps->pos]) && d[ps->pos] != ps->esep &&
           d[ps->pos] != ps->csep) {
        if (d[ps->pos] == ' ' || d[ps->pos] == '\t')
            spaces = 1;
        ps->pos++;
        /* A white-space terminator between segments just ends an empty segment. */
    }
    if (ps->pos >= ps->len)
        return LIMEN_EOF;
    s->number = (long)ps->p->segments + 1;
    s->offset = ps->pos;
    s->tag[0] = '\0';
    s->tlen = 0;
    s->nel = 1;
    s->ncomp[0] = 1;
    s->coff[0][0] = 0;
    s->clen[0][0] = 0;
    s->cin[0][0] = ps->pos;
    int ended = 0;
    while (ps->pos < ps->len) {
        size_t at = ps->pos;
        if (at - s->offset >= ps->max_segment)
            return fail(ps, LIMEN_ETOOLONG, s->number, s->offset, s->tag,
                        "segment longer than %zu bytes", ps->max_segment);
        char c = d[ps->pos++];
        if (ps->rel && c == ps->rel) {
            if (ps->pos >= ps->len)
                return fail(ps, LIMEN_ESYNTAX, s->number, at, s->tag,
                            "release character at the end of the input");
            c = d[ps->pos++];
            if ((unsigned char)c < 0x20 && c != '\t')
                return fail(ps, LIMEN_ESYNTAX, s->number, at + 1, s->tag,
                            "control byte 0x%02X after the release character", (unsigned)c);
            if ((st = seg_put(ps, c)) != LIMEN_OK)
                return st;
            continue;
        }
        if (c == ps->term) {
            ended = 1;
            break;
        }
        if (c == ps->esep || c == ps->csep) {
            if ((st = seg_split(ps, c == ps->esep, at)) != LIMEN_OK)
                return st;
            continue;
        }
        if (c == '\r' || c == '\n')
            continue; /* a segment wrapped over lines */
        if (((unsigned char)c < 0x20 && c != '\t') || c == 0x7f)
            return fail(ps, LIMEN_ESYNTAX, s->number, at, s->tag,
                        "control byte 0x%02X: binary data, not EDIFACT text", (unsigned)c);
        if ((st = seg_put(ps, c)) != LIMEN_OK)
            return st;
    }
    /* close the last component */
    size_t e = s->nel - 1;
    s->clen[e][s->ncomp[e] - 1] = s->tlen - s->coff[e][s->ncomp[e] - 1];
    if ((st = seg_put(ps, '\0')) != LIMEN_OK)
        return st;

    /* The tag: three letters or digits, maybe followed by spaces (tolerated). */
    const char *tag = s->text + s->coff[0][0];
    size_t tl = s->clen[0][0];
    size_t tt = tl;
    while (tt > 0 && tag[tt - 1] == ' ')
        tt--;
    int ok = tt == 3;
    for (size_t i = 0; ok && i < 3; i++)
        ok = (tag[i] >= 'A' && tag[i] <= 'Z') || (tag[i] >= '0' && tag[i] <= '9');
    if (!ok) {
        char shown[8];
        size_t n = tl < 6 ? tl : 6;
        for (size_t i = 0; i < n; i++)
            shown[i] =
                ((unsigned char)tag[i] >= 0x20 && (unsigned char)tag[i] < 0x7f) ? tag[i] : '?';
        shown[n] = '\0';
        return fail(ps, LIMEN_ESYNTAX, s->number, s->offset, "",
                    "bad segment tag \"%s\" (want three capital letters)", shown);
    }
    memcpy(s->tag, tag, 3);
    s->tag[3] = '\0';
    if (!ended)
        return fail(ps, LIMEN_ESYNTAX, s->number, s->offset, s->tag,
                    "input ends inside %s segment (no segment terminator)", s->tag);
    ps->p->segments++;
    if (tt != tl) {
        if (!ps->warned_space_tag) {
            ps->warned_space_tag = 1;
            if ((st = warn(ps, s->number, s->offset + 3,
                           "space after segment tag %s (tolerated; not reported again)", s->tag)) !=
                LIMEN_OK)
                return st;
        }
    }
    if (spaces && s->number > 1 && !ps->warned_leading) {
        ps->warned_leading = 1;
        if ((st = warn(ps, s->number, s->offset,
                       "spaces before segment tag %s (ignored; not reported again)", s->tag)) !=
            LIMEN_OK)
            return st;
    }
    return LIMEN_OK;
}

/* Component c (1-based) of element e; "" when absent. */
static const char *seg_comp(const struct seg *s, size_t e, size_t c, size_t *len)
{
    if (e >= s->nel || c < 1 || c > s->ncomp[e]) {
        if (len)
            *len = 0;
        return "";
    }
    if (len)
        *len = s->clen[e][c - 1];
    return s->text + s->coff[e][c - 1];
}

static size_t seg_comp_offset(const struct seg *s, size_t e, size_t c)
{
    if (e >= s->nel || c < 1 || c > s->ncomp[e])
        return s->offset;
    return s->cin[e][c - 1];
}

static int comp_is(const struct seg *s, size_t e, size_t c, const char *want)
{
    size_t len;
    const char *v = seg_comp(s, e, c, &len);
    return len == strlen(want) && memcmp(v, want, len) == 0;
}

/* ---- values ----------------------------------------------------------------------------- */

/*
 * Copies a value into dst[cap], trimming outer spaces, replacing bytes that
 * are not UTF-8 by U+FFFD and cutting at a character boundary; warns about
 * both. Returns LIMEN_OK or LIMEN_ENOMEM (from warn).
 */
static limen_status copy_value(struct parser *ps, const char *v, size_t len, size_t in_off,
                               char *dst, size_t cap, const char *what)
{
    limen_status st;
    size_t o = 0, i = 0;
    while (len > 0 && v[len - 1] == ' ')
        len--;
    while (i < len && v[i] == ' ')
        i++;
    int bad = 0, cut = 0;
    size_t first_bad = 0;
    while (i < len) {
        size_t start = i;
        int32_t cp = limen__utf8_next(v, len, &i);
        char enc[4];
        size_t n;
        if (cp < 0) {
            if (!bad)
                first_bad = start;
            bad++;
            n = limen__utf8_put(0xFFFD, enc);
        } else {
            n = i - start;
            memcpy(enc, v + start, n);
        }
        if (o + n >= cap) {
            cut = 1;
            break;
        }
        memcpy(dst + o, enc, n);
        o += n;
    }
    dst[o] = '\0';
    if (bad && (st = warn(ps, ps->s.number, in_off + first_bad,
                          "%s: %d byte%s not UTF-8 (first 0x%02X) replaced by U+FFFD", what, bad,
                          bad == 1 ? "" : "s", (unsigned)(unsigned char)v[first_bad])) != LIMEN_OK)
        return st;
    if (cut && (st = warn(ps, ps->s.number, in_off, "%s longer than %zu bytes, truncated", what,
                          cap - 1)) != LIMEN_OK)
        return st;
    return LIMEN_OK;
}

static limen_status copy_comp(struct parser *ps, size_t e, size_t c, char *dst, size_t cap,
                              const char *what)
{
    size_t len;
    const char *v = seg_comp(&ps->s, e, c, &len);
    return copy_value(ps, v, len, seg_comp_offset(&ps->s, e, c), dst, cap, what);
}

/* Upper-cases ASCII letters and collapses runs of spaces; says whether a lowercase letter was seen.
 */
static int normalise_name(const char *raw, char *dst, size_t cap)
{
    size_t o = 0;
    int lower = 0, space = 0;
    for (const char *r = raw; *r && o + 1 < cap; r++) {
        char c = *r;
        if (c == ' ' || c == '\t') {
            space = o > 0;
            continue;
        }
        if (space) {
            if (o + 2 >= cap)
                break;
            dst[o++] = ' ';
            space = 0;
        }
        if (c >= 'a' && c <= 'z') {
            lower = 1;
            c = (char)(c - 'a' + 'A');
        }
        dst[o++] = c;
    }
    dst[o] = '\0';
    return lower;
}

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int date_cmp(const struct date *a, const struct date *b)
{
    if (a->y != b->y)
        return a->y < b->y ? -1 : 1;
    if (a->m != b->m)
        return a->m < b->m ? -1 : 1;
    return a->d < b->d ? -1 : a->d > b->d;
}

enum date_kind { DATE_PAST, DATE_NEAR };

/*
 * Parses YYMMDD, CCYYMMDD, YYMMDDHHMM or CCYYMMDDHHMM into ISO 8601 in
 * out[cap] ("YYYY-MM-DD" or "YYYY-MM-DDTHH:MM"). Returns 0, or -1.
 */
static int parse_date(const struct parser *ps, const char *v, size_t n, enum date_kind kind,
                      char *out, size_t cap)
{
    if (!digits(v, n) || (n != 6 && n != 8 && n != 10 && n != 12))
        return -1;
    int century = n == 8 || n == 12;
    struct date dt;
    size_t i = 0;
    if (century) {
        dt.y = num(v, 4);
        i = 4;
    } else {
        dt.y = num(v, 2);
        i = 2;
    }
    dt.m = num(v + i, 2);
    dt.d = num(v + i + 2, 2);
    int hh = -1, mm = -1;
    if (n == 10 || n == 12) {
        hh = num(v + i + 4, 2);
        mm = num(v + i + 6, 2);
        if (hh > 24 || mm > 59)
            return -1;
    }
    if (!century) {
        int base = ps->ref.y - ps->ref.y % 100;
        int yy = dt.y;
        dt.y = base + yy;
        if (kind == DATE_PAST) {
            if (dt.m >= 1 && dt.m <= 12 && date_cmp(&dt, &ps->ref) > 0)
                dt.y -= 100;
        } else if (dt.y > ps->ref.y + 50) {
            dt.y -= 100;
        } else if (dt.y < ps->ref.y - 50) {
            dt.y += 100;
        }
    }
    if (dt.m < 1 || dt.m > 12 || dt.d < 1 || dt.d > days_in_month(dt.y, dt.m))
        return -1;
    /* Formatted in a roomy buffer first: the result must fit `cap` whole. */
    char tmp[64];
    int w;
    if (hh >= 0)
        w = snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d", dt.y, dt.m, dt.d, hh, mm);
    else
        w = snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", dt.y, dt.m, dt.d);
    if (w < 0 || (size_t)w >= cap)
        return -1;
    memcpy(out, tmp, (size_t)w + 1);
    return 0;
}

/* Reads the date of a DTM segment (element 1, component 2) into out; warns when it cannot. */
static limen_status dtm_value(struct parser *ps, enum date_kind kind, char *out, size_t cap)
{
    size_t len;
    const char *v = seg_comp(&ps->s, 1, 2, &len);
    size_t off = seg_comp_offset(&ps->s, 1, 2);
    char buf[16];
    size_t n = 0;
    int spaces = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] == ' ') {
            spaces = 1;
            continue;
        }
        if (n >= sizeof buf - 1) {
            n = sizeof buf; /* too long: fails below */
            break;
        }
        buf[n++] = v[i];
    }
    out[0] = '\0';
    if (n < sizeof buf && parse_date(ps, buf, n, kind, out, cap) == 0) {
        if (spaces)
            return warn(ps, ps->s.number, off, "DTM+%s: spaces in the date \"%.*s\" ignored",
                        seg_comp(&ps->s, 1, 1, NULL), (int)(len > 20 ? 20 : len), v);
        return LIMEN_OK;
    }
    char shown[24];
    size_t k = 0;
    for (size_t i = 0; i < len && k < 20; i++)
        shown[k++] = ((unsigned char)v[i] >= 0x20 && (unsigned char)v[i] < 0x7f) ? v[i] : '?';
    shown[k] = '\0';
    return warn(ps, ps->s.number, off, "DTM+%s: date \"%s\" not understood, left out",
                seg_comp(&ps->s, 1, 1, NULL), shown);
}

/* ---- segments --------------------------------------------------------------------------- */

static struct limen_paxlst_traveller *cur_trav(struct parser *ps)
{
    return ps->trav >= 0 ? &ps->p->travellers[ps->trav] : NULL;
}

static struct limen_paxlst_leg *cur_leg(struct parser *ps)
{
    return ps->leg >= 0 ? &ps->p->legs[ps->leg] : NULL;
}

static limen_status on_unb(struct parser *ps)
{
    struct seg *s = &ps->s;
    limen_status st;
    if (ps->seen_unb)
        return fail(ps, LIMEN_ESYNTAX, s->number, s->offset, "UNB",
                    "second UNB: one interchange per input");
    ps->seen_unb = 1;
    if ((st = copy_comp(ps, 2, 1, ps->p->sender, sizeof ps->p->sender, "UNB sender")) != LIMEN_OK ||
        (st = copy_comp(ps, 5, 1, ps->unb_ref, sizeof ps->unb_ref, "UNB reference")) != LIMEN_OK)
        return st;
    memcpy(ps->p->reference, ps->unb_ref, sizeof ps->unb_ref);
    size_t dlen, tlen;
    const char *d = seg_comp(s, 4, 1, &dlen);
    const char *t = seg_comp(s, 4, 2, &tlen);
    if ((dlen == 6 || dlen == 8) && digits(d, dlen)) {
        struct date dt;
        size_t i = dlen == 8 ? 4 : 2;
        dt.y = dlen == 8 ? num(d, 4) : 2000 + num(d, 2);
        if (dlen == 6 && dt.y > 2069)
            dt.y -= 100;
        dt.m = num(d + i, 2);
        dt.d = num(d + i + 2, 2);
        if (dt.m >= 1 && dt.m <= 12 && dt.d >= 1 && dt.d <= days_in_month(dt.y, dt.m)) {
            ps->ref = dt;
            ps->have_ref = 1;
            char tmp[64];
            int n;
            if (tlen == 4 && digits(t, 4))
                n = snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%.2s:%.2s", dt.y, dt.m, dt.d, t,
                             t + 2);
            else
                n = snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", dt.y, dt.m, dt.d);
            if (n > 0 && (size_t)n < sizeof ps->p->interchange_date)
                memcpy(ps->p->interchange_date, tmp, (size_t)n + 1);
            return LIMEN_OK;
        }
    }
    return warn(ps, s->number, seg_comp_offset(s, 4, 1),
                "UNB: interchange date \"%.*s\" not understood", (int)(dlen > 12 ? 12 : dlen), d);
}

/* Compares a declared count with the one read; warns when they differ. */
static limen_status check_count(struct parser *ps, const char *what, size_t read)
{
    struct seg *s = &ps->s;
    size_t len;
    const char *v = seg_comp(s, 1, 1, &len);
    if (len == 0 || len > 9 || !digits(v, len))
        return warn(ps, s->number, seg_comp_offset(s, 1, 1), "%s: count \"%.*s\" is not a number",
                    s->tag, (int)(len > 12 ? 12 : len), v);
    long n = num(v, len);
    if ((size_t)n != read)
        return warn(ps, s->number, seg_comp_offset(s, 1, 1), "%s declares %ld %s, %zu read", s->tag,
                    n, what, read);
    return LIMEN_OK;
}

static limen_status check_ref(struct parser *ps, const char *want, const char *what)
{
    struct seg *s = &ps->s;
    size_t len;
    const char *v = seg_comp(s, 2, 1, &len);
    if (len == strlen(want) && memcmp(v, want, len) == 0)
        return LIMEN_OK;
    return warn(ps, s->number, seg_comp_offset(s, 2, 1),
                "%s reference \"%.*s\" differs from the %s reference \"%s\"", s->tag,
                (int)(len > 40 ? 40 : len), v, what, want);
}

static limen_status close_message(struct parser *ps, int have_unt)
{
    limen_status st = LIMEN_OK;
    if (!have_unt)
        st = warn(ps, ps->s.number, ps->s.offset, "message %s has no UNT (tolerated)", ps->msg_ref);
    ps->in_msg = 0;
    ps->trav = -1;
    ps->doc = -1;
    return st;
}

static limen_status on_unh(struct parser *ps)
{
    struct seg *s = &ps->s;
    limen_status st;
    if (ps->in_msg && (st = close_message(ps, 0)) != LIMEN_OK)
        return st;
    size_t len;
    const char *type = seg_comp(s, 2, 1, &len);
    if (!(len == 6 && memcmp(type, "PAXLST", 6) == 0))
        return fail(ps, LIMEN_ESYNTAX, s->number, seg_comp_offset(s, 2, 1), "UNH",
                    "message type \"%.*s\" is not PAXLST", (int)(len > 20 ? 20 : len), type);
    if ((st = copy_comp(ps, 1, 1, ps->msg_ref, sizeof ps->msg_ref, "UNH reference")) != LIMEN_OK)
        return st;
    ps->in_msg = 1;
    ps->msg_segs = 1;
    ps->p->messages++;
    ps->group_msgs++;
    ps->trav = -1;
    ps->doc = -1;
    ps->leg = -1;
    ps->warned_lower = 0;
    return LIMEN_OK;
}

static limen_status on_tdt(struct parser *ps)
{
    struct limen_paxlst *p = ps->p;
    limen_status st;
    if (p->nlegs == p->caplegs) {
        size_t ncap = p->caplegs ? p->caplegs * 2 : 4;
        struct limen_paxlst_leg *l = limen__reallocarray(p->legs, ncap, sizeof *l);
        if (!l)
            return limen__error_set(ps->err, LIMEN_ENOMEM, NULL, "out of memory");
        p->legs = l;
        p->caplegs = ncap;
    }
    if (p->nlegs >= ps->max_travellers)
        return fail(ps, LIMEN_ELIMIT, ps->s.number, ps->s.offset, "TDT",
                    "more than %zu flight legs", ps->max_travellers);
    struct limen_paxlst_leg *l = &p->legs[p->nlegs];
    memset(l, 0, sizeof *l);
    l->message = p->messages - 1;
    l->segment = ps->s.number;
    ps->leg = (long)p->nlegs++;
    ps->trav = -1;
    ps->doc = -1;
    ps->leg_locs = 0;
    if ((st = copy_comp(ps, 2, 1, l->flight, sizeof l->flight, "TDT flight number")) != LIMEN_OK ||
        (st = copy_comp(ps, 5, 1, l->carrier, sizeof l->carrier, "TDT carrier")) != LIMEN_OK)
        return st;
    if (!l->carrier[0] && strlen(l->flight) > 2) {
        /* The airline designator opens the flight number: "LA532". */
        memcpy(l->carrier, l->flight, 2);
        l->carrier[2] = '\0';
    }
    if (!l->flight[0])
        return warn(ps, ps->s.number, ps->s.offset, "TDT without a flight number");
    return LIMEN_OK;
}

static limen_status on_nad(struct parser *ps)
{
    struct seg *s = &ps->s;
    struct limen_paxlst *p = ps->p;
    limen_status st;
    if (comp_is(s, 1, 1, "MS")) {
        size_t len;
        const char *v = seg_comp(s, 4, 1, &len);
        if (len == 0)
            v = seg_comp(s, 3, 1, &len);
        return copy_value(ps, v, len, s->offset, p->reporting_party, sizeof p->reporting_party,
                          "reporting party");
    }
    if (p->ntravellers >= ps->max_travellers)
        return fail(ps, LIMEN_ELIMIT, s->number, s->offset, "NAD", "more than %zu travellers",
                    ps->max_travellers);
    if (p->ntravellers == p->captravellers) {
        size_t ncap = p->captravellers ? p->captravellers * 2 : 16;
        struct limen_paxlst_traveller *t = limen__reallocarray(p->travellers, ncap, sizeof *t);
        if (!t)
            return limen__error_set(ps->err, LIMEN_ENOMEM, NULL, "out of memory");
        p->travellers = t;
        p->captravellers = ncap;
    }
    struct limen_paxlst_traveller *t = &p->travellers[p->ntravellers];
    memset(t, 0, sizeof *t);
    t->message = p->messages - 1;
    t->segment = s->number;
    t->offset = s->offset;
    ps->trav = (long)p->ntravellers++;
    ps->doc = -1;
    if ((st = copy_comp(ps, 1, 1, t->party, sizeof t->party, "NAD party qualifier")) != LIMEN_OK)
        return st;
    if (!strcmp(t->party, "FL") || !strcmp(t->party, "DDU")) {
        t->role = LIMEN_PAXLST_PASSENGER;
    } else if (!strcmp(t->party, "FM") || !strcmp(t->party, "DDT")) {
        t->role = LIMEN_PAXLST_CREW;
    } else if (!t->party[0]) {
        t->role = !strcmp(ps->bgm, "250") || !strcmp(ps->bgm, "336") ? LIMEN_PAXLST_CREW
                                                                     : LIMEN_PAXLST_PASSENGER;
        if ((st = warn(
                 ps, s->number, s->offset, "NAD without a party qualifier: taken as %s from BGM %s",
                 limen_paxlst_role_name(t->role), ps->bgm[0] ? ps->bgm : "(none)")) != LIMEN_OK)
            return st;
    } else {
        t->role = LIMEN_PAXLST_OTHER;
        if ((st = warn(ps, s->number, s->offset,
                       "NAD party qualifier %s: neither passenger nor crew", t->party)) != LIMEN_OK)
            return st;
    }
    if (t->role == LIMEN_PAXLST_PASSENGER)
        p->counts.passengers_read++;
    else if (t->role == LIMEN_PAXLST_CREW)
        p->counts.crew_read++;
    else
        p->counts.others_read++;

    /* Element 4: surname : given : middle (: further given names). */
    if ((st = copy_comp(ps, 4, 1, t->surname_raw, sizeof t->surname_raw, "surname")) != LIMEN_OK)
        return st;
    char given[LIMEN_PAXLST_NAME_SIZE];
    size_t gl = 0;
    for (size_t c = 2; c <= 5 && c <= (s->nel > 4 ? s->ncomp[4] : 0); c++) {
        char part[LIMEN_PAXLST_NAME_SIZE];
        if ((st = copy_comp(ps, 4, c, part, sizeof part, "given name")) != LIMEN_OK)
            return st;
        size_t pl = strlen(part);
        if (!pl)
            continue;
        if (gl + (gl ? 1 : 0) + pl >= sizeof given) {
            if ((st = warn(ps, s->number, s->offset, "given names too long, truncated")) !=
                LIMEN_OK)
                return st;
            break;
        }
        if (gl)
            given[gl++] = ' ';
        memcpy(given + gl, part, pl);
        gl += pl;
    }
    given[gl] = '\0';
    memcpy(t->given_names_raw, given, gl + 1);
    if (!t->surname_raw[0] && !given[0]) {
        /* Some senders put the whole name in the unstructured element 3. */
        if ((st = copy_comp(ps, 3, 1, t->surname_raw, sizeof t->surname_raw, "name")) != LIMEN_OK)
            return st;
        if ((st = warn(ps, s->number, s->offset,
                       t->surname_raw[0] ? "NAD name in element 3, not element 4"
                                         : "traveller without a name (kept)")) != LIMEN_OK)
            return st;
    }
    int lower = normalise_name(t->surname_raw, t->surname, sizeof t->surname);
    lower |= normalise_name(t->given_names_raw, t->given_names, sizeof t->given_names);
    if (lower && !ps->warned_lower) {
        ps->warned_lower = 1;
        if ((st = warn(ps, s->number, s->offset,
                       "names in lower case (normalised to upper case; not reported again in "
                       "this message)")) != LIMEN_OK)
            return st;
    }
    return LIMEN_OK;
}

static limen_status on_loc(struct parser *ps)
{
    struct seg *s = &ps->s;
    struct limen_paxlst_traveller *t = cur_trav(ps);
    struct limen_paxlst_leg *l = cur_leg(ps);
    size_t ql;
    const char *q = seg_comp(s, 1, 1, &ql);
    char code[4] = "";
    if (ql <= 3)
        memcpy(code, q, ql), code[ql] = '\0';
    if (!t) {
        if (!l) {
            ps->p->ignored_segments++;
            return warn(ps, s->number, s->offset, "LOC+%s before any TDT, ignored", code);
        }
        if (!strcmp(code, "125"))
            return copy_comp(ps, 2, 1, l->departure_airport, sizeof l->departure_airport,
                             "departure airport");
        if (!strcmp(code, "87"))
            return copy_comp(ps, 2, 1, l->arrival_airport, sizeof l->arrival_airport,
                             "arrival airport");
        if (!strcmp(code, "92")) {
            /* Routing: the first LOC+92 of a leg is where it leaves, the second where it lands. */
            if (ps->leg_locs++ == 0)
                return copy_comp(ps, 2, 1, l->departure_airport, sizeof l->departure_airport,
                                 "departure airport");
            return copy_comp(ps, 2, 1, l->arrival_airport, sizeof l->arrival_airport,
                             "arrival airport");
        }
        ps->p->ignored_segments++;
        return LIMEN_OK;
    }
    if (!strcmp(code, "91")) {
        if (ps->doc < 0) {
            ps->p->ignored_segments++;
            return warn(ps, s->number, s->offset,
                        "LOC+91 (issuing country) without a DOC, ignored");
        }
        struct limen_paxlst_document *d = &t->documents[ps->doc];
        return copy_comp(ps, 2, 1, d->issuing_country, sizeof d->issuing_country,
                         "document issuing country");
    }
    if (!strcmp(code, "178"))
        return copy_comp(ps, 2, 1, t->embarkation, sizeof t->embarkation, "embarkation");
    if (!strcmp(code, "179"))
        return copy_comp(ps, 2, 1, t->debarkation, sizeof t->debarkation, "debarkation");
    if (!strcmp(code, "174"))
        return copy_comp(ps, 2, 1, t->residence, sizeof t->residence, "country of residence");
    if (!strcmp(code, "22"))
        return copy_comp(ps, 2, 1, t->clearance, sizeof t->clearance, "port of clearance");
    if (!strcmp(code, "180")) {
        /* A code in component 1 or a name in component 4: "LOC+180+:::Hartford USA". */
        size_t len;
        seg_comp(s, 2, 1, &len);
        return copy_comp(ps, 2, len ? 1 : 4, t->birth_place, sizeof t->birth_place, "birth place");
    }
    ps->p->ignored_segments++;
    return LIMEN_OK;
}

static limen_status on_dtm(struct parser *ps)
{
    struct seg *s = &ps->s;
    struct limen_paxlst_traveller *t = cur_trav(ps);
    struct limen_paxlst_leg *l = cur_leg(ps);
    if (comp_is(s, 1, 1, "329")) {
        if (!t) {
            ps->p->ignored_segments++;
            return warn(ps, s->number, s->offset, "DTM+329 (birth date) before any NAD, ignored");
        }
        return dtm_value(ps, DATE_PAST, t->birth_date, sizeof t->birth_date);
    }
    if (comp_is(s, 1, 1, "36") || comp_is(s, 1, 1, "182")) {
        if (!t || ps->doc < 0) {
            ps->p->ignored_segments++;
            return warn(ps, s->number, s->offset, "DTM+%s without a DOC, ignored",
                        seg_comp(s, 1, 1, NULL));
        }
        struct limen_paxlst_document *d = &t->documents[ps->doc];
        if (comp_is(s, 1, 1, "36"))
            return dtm_value(ps, DATE_NEAR, d->expiry, sizeof d->expiry);
        return dtm_value(ps, DATE_PAST, d->issue_date, sizeof d->issue_date);
    }
    if (!t && l && (comp_is(s, 1, 1, "189") || comp_is(s, 1, 1, "232"))) {
        char *dst = comp_is(s, 1, 1, "189") ? l->departure_time : l->arrival_time;
        return dtm_value(ps, DATE_NEAR, dst, LIMEN_PAXLST_TIME_SIZE);
    }
    ps->p->ignored_segments++;
    return LIMEN_OK;
}

static limen_status on_doc(struct parser *ps)
{
    struct seg *s = &ps->s;
    struct limen_paxlst_traveller *t = cur_trav(ps);
    limen_status st;
    if (!t) {
        ps->p->ignored_segments++;
        return warn(ps, s->number, s->offset, "DOC before any NAD, ignored");
    }
    if (t->document_count >= LIMEN_PAXLST_DOCS_MAX) {
        t->documents_dropped++;
        ps->doc = -1;
        return warn(ps, s->number, s->offset, "more than %d documents for one traveller: not kept",
                    LIMEN_PAXLST_DOCS_MAX);
    }
    struct limen_paxlst_document *d = &t->documents[t->document_count];
    memset(d, 0, sizeof *d);
    ps->doc = (long)t->document_count++;
    if ((st = copy_comp(ps, 1, 1, d->type, sizeof d->type, "document type")) != LIMEN_OK ||
        (st = copy_comp(ps, 2, 1, d->number, sizeof d->number, "document number")) != LIMEN_OK)
        return st;
    if (!d->type[0] &&
        (st = warn(ps, s->number, s->offset, "DOC without a document type")) != LIMEN_OK)
        return st;
    if (!d->number[0])
        return warn(ps, s->number, s->offset, "DOC without a document number");
    return LIMEN_OK;
}

static limen_status on_cnt(struct parser *ps)
{
    struct seg *s = &ps->s;
    limen_status st;
    long *dst = NULL;
    if (comp_is(s, 1, 1, "42"))
        dst = &ps->p->counts.passengers_declared;
    else if (comp_is(s, 1, 1, "41"))
        dst = &ps->p->counts.crew_declared;
    if (!dst) {
        ps->p->ignored_segments++;
        return LIMEN_OK;
    }
    size_t len;
    const char *v = seg_comp(s, 1, 2, &len);
    size_t off = seg_comp_offset(s, 1, 2);
    if (len == 0 && s->nel > 2) {
        v = seg_comp(s, 2, 1, &len);
        off = seg_comp_offset(s, 2, 1);
        if ((st = warn(ps, s->number, off, "CNT+%s: count in data element 2, not component 2",
                       seg_comp(s, 1, 1, NULL))) != LIMEN_OK)
            return st;
    }
    if (len == 0 || len > 9 || !digits(v, len))
        return warn(ps, s->number, off, "CNT+%s: count \"%.*s\" is not a number",
                    seg_comp(s, 1, 1, NULL), (int)(len > 12 ? 12 : len), v);
    *dst = (*dst < 0 ? 0 : *dst) + num(v, len);
    return LIMEN_OK;
}

static limen_status on_segment(struct parser *ps)
{
    struct seg *s = &ps->s;
    struct limen_paxlst *p = ps->p;
    struct limen_paxlst_traveller *t;
    limen_status st;
    const char *tag = s->tag;

    if (!strcmp(tag, "UNB")) {
        if (p->segments != 1 && !ps->seen_unb)
            return fail(ps, LIMEN_ESYNTAX, s->number, s->offset, tag,
                        "UNB is not the first segment");
        return on_unb(ps);
    }
    if (!ps->seen_unb && p->segments == 1 &&
        (st = warn(ps, s->number, s->offset, "no UNB interchange header")) != LIMEN_OK)
        return st;
    if (!strcmp(tag, "UNG")) {
        if (ps->in_msg && (st = close_message(ps, 0)) != LIMEN_OK)
            return st;
        ps->in_group = 1;
        ps->groups++;
        ps->group_msgs = 0;
        return copy_comp(ps, 5, 1, ps->group_ref, sizeof ps->group_ref, "UNG reference");
    }
    if (!strcmp(tag, "UNE")) {
        if (ps->in_msg && (st = close_message(ps, 0)) != LIMEN_OK)
            return st;
        if (!ps->in_group)
            return warn(ps, s->number, s->offset, "UNE without UNG");
        ps->in_group = 0;
        if ((st = check_count(ps, "messages", ps->group_msgs)) != LIMEN_OK)
            return st;
        return check_ref(ps, ps->group_ref, "UNG");
    }
    if (!strcmp(tag, "UNH"))
        return on_unh(ps);
    if (!strcmp(tag, "UNT")) {
        if (!ps->in_msg)
            return warn(ps, s->number, s->offset, "UNT without UNH");
        ps->msg_segs++;
        if ((st = check_count(ps, "segments", ps->msg_segs)) != LIMEN_OK ||
            (st = check_ref(ps, ps->msg_ref, "UNH")) != LIMEN_OK)
            return st;
        return close_message(ps, 1);
    }
    if (!strcmp(tag, "UNZ")) {
        if (ps->in_msg && (st = close_message(ps, 0)) != LIMEN_OK)
            return st;
        if (ps->in_group) {
            ps->in_group = 0;
            if ((st = warn(ps, s->number, s->offset, "group not closed by UNE")) != LIMEN_OK)
                return st;
        }
        ps->seen_unz = 1;
        if ((st = check_count(ps, ps->groups ? "groups" : "messages",
                              ps->groups ? ps->groups : p->messages)) != LIMEN_OK)
            return st;
        return ps->seen_unb ? check_ref(ps, ps->unb_ref, "UNB") : LIMEN_OK;
    }
    if (!ps->in_msg)
        return fail(ps, LIMEN_ESYNTAX, s->number, s->offset, tag,
                    "%s segment outside a message (no UNH before it)", tag);
    ps->msg_segs++;
    if (!strcmp(tag, "BGM")) {
        if ((st = copy_comp(ps, 1, 1, ps->bgm, sizeof ps->bgm, "BGM document code")) != LIMEN_OK)
            return st;
        if (!p->document_code[0])
            memcpy(p->document_code, ps->bgm, sizeof ps->bgm);
        return LIMEN_OK;
    }
    if (!strcmp(tag, "TDT"))
        return on_tdt(ps);
    if (!strcmp(tag, "NAD"))
        return on_nad(ps);
    if (!strcmp(tag, "LOC"))
        return on_loc(ps);
    if (!strcmp(tag, "DTM"))
        return on_dtm(ps);
    if (!strcmp(tag, "DOC"))
        return on_doc(ps);
    if (!strcmp(tag, "CNT"))
        return on_cnt(ps);
    t = cur_trav(ps);
    if (t && !strcmp(tag, "ATT")) {
        if (!comp_is(s, 1, 1, "2")) {
            p->ignored_segments++;
            return LIMEN_OK;
        }
        size_t len;
        const char *v = seg_comp(s, 3, 1, &len);
        if (len == 1 && (v[0] == 'M' || v[0] == 'F' || v[0] == 'X' || v[0] == 'm' || v[0] == 'f' ||
                         v[0] == 'x')) {
            t->sex[0] = (char)(v[0] & ~0x20);
            t->sex[1] = '\0';
            return LIMEN_OK;
        }
        if (len == 1 && (v[0] == 'U' || v[0] == 'u'))
            return LIMEN_OK; /* unspecified */
        return warn(ps, s->number, seg_comp_offset(s, 3, 1), "ATT+2: gender \"%.*s\" not M, F or X",
                    (int)(len > 12 ? 12 : len), v);
    }
    if (t && !strcmp(tag, "NAT")) {
        if ((st = copy_comp(ps, 2, 1, t->nationality, sizeof t->nationality, "nationality")) !=
            LIMEN_OK)
            return st;
        if (strlen(t->nationality) != 3)
            return warn(ps, s->number, seg_comp_offset(s, 2, 1),
                        "NAT: nationality \"%s\" is not an alpha-3 code", t->nationality);
        return LIMEN_OK;
    }
    if (t && !strcmp(tag, "RFF")) {
        if (t->reference_count >= LIMEN_PAXLST_REFS_MAX) {
            t->references_dropped++;
            return warn(ps, s->number, s->offset,
                        "more than %d references for one traveller: not kept",
                        LIMEN_PAXLST_REFS_MAX);
        }
        struct limen_paxlst_reference *r = &t->references[t->reference_count++];
        if ((st = copy_comp(ps, 1, 1, r->qualifier, sizeof r->qualifier, "RFF qualifier")) !=
                LIMEN_OK ||
            (st = copy_comp(ps, 1, 2, r->value, sizeof r->value, "RFF reference")) != LIMEN_OK)
            return st;
        return LIMEN_OK;
    }
    p->ignored_segments++;
    return LIMEN_OK;
}

/* Reads the UNA service string advice if the input opens with one. */
static limen_status read_una(struct parser *ps)
{
    const char *d = ps->data;
    size_t i = 0;
    while (i < ps->len && is_space(d[i]))
        i++;
    if (ps->len - i < 3 || memcmp(d + i, "UNA", 3) != 0)
        return LIMEN_OK;
    if (ps->len - i < 9)
        return fail(ps, LIMEN_ESYNTAX, 0, i, "UNA", "UNA service string advice cut short");
    const char *u = d + i + 3;
    for (int k = 0; k < 6; k++)
        if ((unsigned char)u[k] < 0x20 && u[k] != '\r' && u[k] != '\n')
            return fail(ps, LIMEN_ESYNTAX, 0, i + 3 + (size_t)k, "UNA",
                        "control byte in the UNA service string advice");
    ps->csep = u[0];
    ps->esep = u[1];
    ps->rel = u[3] == ' ' ? 0 : u[3];
    ps->term = u[5];
    if (ps->csep == ps->esep || ps->csep == ps->term || ps->esep == ps->term ||
        (ps->rel && (ps->rel == ps->csep || ps->rel == ps->esep || ps->rel == ps->term)))
        return fail(ps, LIMEN_ESYNTAX, 0, i + 3, "UNA",
                    "UNA separators are not distinct (\"%.6s\")", u);
    ps->pos = i + 9;
    if (ps->csep != ':' || ps->esep != '+' || ps->rel != '?' || ps->term != '\'')
        return warn(ps, 0, i + 3,
                    "custom separators: component '%c', element '%c', release "
                    "'%c', segment terminator '%c'",
                    ps->csep, ps->esep, ps->rel ? ps->rel : ' ', ps->term);
    return LIMEN_OK;
}

static void default_ref(struct parser *ps)
{
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm)) {
        ps->ref.y = tm.tm_year + 1900;
        ps->ref.m = tm.tm_mon + 1;
        ps->ref.d = tm.tm_mday;
    } else {
        ps->ref.y = 2000;
        ps->ref.m = ps->ref.d = 1;
    }
}

limen_status limen_paxlst_parse(const char *data, size_t len,
                                const struct limen_paxlst_options *opts, struct limen_paxlst **out,
                                struct limen_error *err)
{
    limen_status st = LIMEN_OK;
    struct parser ps;
    memset(&ps, 0, sizeof ps);
    limen_error_clear(err);
    if (out)
        *out = NULL;
    if (!out || (!data && len > 0))
        return limen__error_set(err, LIMEN_EINVAL, NULL, "no input or no result pointer");
    size_t max_input = opts && opts->max_input ? opts->max_input : LIMEN_PAXLST_INPUT_MAX;
    ps.max_segment = opts && opts->max_segment ? opts->max_segment : LIMEN_PAXLST_SEGMENT_MAX;
    ps.max_travellers =
        opts && opts->max_travellers ? opts->max_travellers : LIMEN_PAXLST_TRAVELLERS_MAX;
    ps.err = err;
    if (len > max_input)
        return fail(&ps, LIMEN_ETOOLONG, 0, max_input, "", "input longer than %zu bytes",
                    max_input);
    ps.data = data;
    ps.len = len;
    ps.csep = ':';
    ps.esep = '+';
    ps.rel = '?';
    ps.term = '\'';
    ps.leg = ps.trav = ps.doc = -1;
    default_ref(&ps);

    ps.p = limen__calloc(1, sizeof *ps.p);
    if (!ps.p)
        return limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory");
    ps.p->counts.passengers_declared = ps.p->counts.crew_declared = -1;
    /* Room for the unescaped bytes and one NUL per component. */
    ps.s.tcap = ps.max_segment + LIMEN_PAXLST_ELEMENTS_MAX * LIMEN_PAXLST_COMPONENTS_MAX + 1;
    ps.s.text = limen__malloc(ps.s.tcap);
    if (!ps.s.text) {
        st = limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory");
        goto out;
    }
    size_t i = 0;
    while (i < len && is_space(data[i]))
        i++;
    if (i == len) {
        st = fail(&ps, LIMEN_EEMPTY, 0, 0, "", "empty input");
        goto out;
    }
    if ((st = read_una(&ps)) != LIMEN_OK)
        goto out;
    for (;;) {
        st = next_segment(&ps);
        if (st == LIMEN_EOF) {
            st = LIMEN_OK;
            break;
        }
        if (st != LIMEN_OK)
            goto out;
        if (ps.s.number == 1 && strcmp(ps.s.tag, "UNB") != 0 && strcmp(ps.s.tag, "UNG") != 0 &&
            strcmp(ps.s.tag, "UNH") != 0) {
            st = fail(&ps, LIMEN_ESYNTAX, ps.s.number, ps.s.offset, ps.s.tag,
                      "%s segment where UNB, UNG or UNH should open the interchange", ps.s.tag);
            goto out;
        }
        if (!ps.have_ref && ps.s.number > 1 && ps.p->nlegs > 0 && ps.p->legs[0].departure_time[0]) {
            /* Without a UNB date, the first departure dates two-digit years. */
            const char *t = ps.p->legs[0].departure_time;
            ps.ref.y = num(t, 4);
            ps.ref.m = num(t + 5, 2);
            ps.ref.d = num(t + 8, 2);
            ps.have_ref = 1;
        }
        if ((st = on_segment(&ps)) != LIMEN_OK)
            goto out;
        if (ps.seen_unz)
            break;
    }
    if (ps.seen_unz) {
        size_t j = ps.pos;
        while (j < len && is_space(data[j]))
            j++;
        if (j < len && (st = warn(&ps, 0, j, "%zu bytes after UNZ ignored", len - j)) != LIMEN_OK)
            goto out;
    } else {
        if (ps.in_msg && (st = close_message(&ps, 0)) != LIMEN_OK)
            goto out;
        if ((st = warn(&ps, 0, len, "no UNZ: the interchange is not closed")) != LIMEN_OK)
            goto out;
    }
    if (ps.p->messages == 0) {
        st = fail(&ps, LIMEN_EMISSING, (long)ps.p->segments, len, "UNH",
                  "no UNH message in the input");
        goto out;
    }
    /* Declared against read. */
    const struct limen_paxlst_counts *c = &ps.p->counts;
    if (c->passengers_declared >= 0 && (size_t)c->passengers_declared != c->passengers_read &&
        (st = warn(&ps, 0, len, "CNT+42 declares %ld passengers, %zu read", c->passengers_declared,
                   c->passengers_read)) != LIMEN_OK)
        goto out;
    if (c->crew_declared >= 0 && (size_t)c->crew_declared != c->crew_read &&
        (st = warn(&ps, 0, len, "CNT+41 declares %ld crew, %zu read", c->crew_declared,
                   c->crew_read)) != LIMEN_OK)
        goto out;
    if (c->passengers_declared < 0 && c->passengers_read > 0 &&
        (st = warn(&ps, 0, len, "%zu passengers read, none declared (no CNT+42)",
                   c->passengers_read)) != LIMEN_OK)
        goto out;
    if (c->crew_declared < 0 && c->crew_read > 0 &&
        (st = warn(&ps, 0, len, "%zu crew read, none declared (no CNT+41)", c->crew_read)) !=
            LIMEN_OK)
        goto out;
    *out = ps.p;
    ps.p = NULL;
out:
    limen__free(ps.s.text);
    limen_paxlst_free(ps.p);
    return st;
}

void limen_paxlst_free(struct limen_paxlst *p)
{
    if (!p)
        return;
    limen__free(p->travellers);
    limen__free(p->legs);
    limen__free(p->warnings);
    limen__free(p);
}

size_t limen_paxlst_traveller_count(const struct limen_paxlst *p)
{
    return p ? p->ntravellers : 0;
}

const struct limen_paxlst_traveller *limen_paxlst_traveller(const struct limen_paxlst *p, size_t i)
{
    return p && i < p->ntravellers ? &p->travellers[i] : NULL;
}

size_t limen_paxlst_leg_count(const struct limen_paxlst *p)
{
    return p ? p->nlegs : 0;
}

const struct limen_paxlst_leg *limen_paxlst_leg(const struct limen_paxlst *p, size_t i)
{
    return p && i < p->nlegs ? &p->legs[i] : NULL;
}

size_t limen_paxlst_message_count(const struct limen_paxlst *p)
{
    return p ? p->messages : 0;
}

size_t limen_paxlst_segment_count(const struct limen_paxlst *p)
{
    return p ? p->segments : 0;
}

void limen_paxlst_counts(const struct limen_paxlst *p, struct limen_paxlst_counts *counts)
{
    *counts = p->counts;
}

size_t limen_paxlst_warning_count(const struct limen_paxlst *p)
{
    return p ? p->warning_total : 0;
}

const struct limen_paxlst_warning *limen_paxlst_warning(const struct limen_paxlst *p, size_t i)
{
    return p && i < p->nwarnings ? &p->warnings[i] : NULL;
}

const char *limen_paxlst_role_name(enum limen_paxlst_role role)
{
    switch (role) {
    case LIMEN_PAXLST_PASSENGER:
        return "passenger";
    case LIMEN_PAXLST_CREW:
        return "crew";
    default:
        return "other";
    }
}

/* ---- output ----------------------------------------------------------------------------- */

static void json_str(struct limen_buf *b, const char *key, const char *v, int comma)
{
    if (comma)
        limen_buf_addch(b, ',');
    limen_buf_add_json_string(b, key, strlen(key));
    limen_buf_addch(b, ':');
    limen_buf_add_json_string(b, v, strlen(v));
}

static void json_declared(struct limen_buf *b, size_t read, long declared)
{
    limen_buf_addf(b, "{\"read\":%zu,\"declared\":", read);
    if (declared < 0)
        limen_buf_adds(b, "null}");
    else
        limen_buf_addf(b, "%ld}", declared);
}

char *limen_paxlst_to_json(const struct limen_paxlst *p, size_t *len)
{
    if (len)
        *len = 0;
    if (!p)
        return NULL;
    struct limen_buf b;
    limen_buf_init(&b);
    limen_buf_addf(&b, "{\"messages\":%zu,\"segments\":%zu,\"ignored_segments\":%zu", p->messages,
                   p->segments, p->ignored_segments);
    json_str(&b, "sender", p->sender, 1);
    json_str(&b, "reference", p->reference, 1);
    json_str(&b, "interchange_date", p->interchange_date, 1);
    json_str(&b, "document_code", p->document_code, 1);
    json_str(&b, "reporting_party", p->reporting_party, 1);
    limen_buf_adds(&b, ",\"legs\":[");
    for (size_t i = 0; i < p->nlegs; i++) {
        const struct limen_paxlst_leg *l = &p->legs[i];
        limen_buf_adds(&b, i ? ",{" : "{");
        json_str(&b, "flight", l->flight, 0);
        json_str(&b, "carrier", l->carrier, 1);
        json_str(&b, "departure_airport", l->departure_airport, 1);
        json_str(&b, "departure_time", l->departure_time, 1);
        json_str(&b, "arrival_airport", l->arrival_airport, 1);
        json_str(&b, "arrival_time", l->arrival_time, 1);
        limen_buf_addf(&b, ",\"message\":%zu,\"segment\":%ld}", l->message, l->segment);
    }
    limen_buf_adds(&b, "],\"travellers\":[");
    for (size_t i = 0; i < p->ntravellers; i++) {
        const struct limen_paxlst_traveller *t = &p->travellers[i];
        limen_buf_adds(&b, i ? ",{" : "{");
        json_str(&b, "role", limen_paxlst_role_name(t->role), 0);
        json_str(&b, "party", t->party, 1);
        json_str(&b, "surname", t->surname, 1);
        json_str(&b, "given_names", t->given_names, 1);
        json_str(&b, "surname_raw", t->surname_raw, 1);
        json_str(&b, "given_names_raw", t->given_names_raw, 1);
        json_str(&b, "sex", t->sex, 1);
        json_str(&b, "birth_date", t->birth_date, 1);
        json_str(&b, "nationality", t->nationality, 1);
        json_str(&b, "residence", t->residence, 1);
        json_str(&b, "birth_place", t->birth_place, 1);
        json_str(&b, "embarkation", t->embarkation, 1);
        json_str(&b, "debarkation", t->debarkation, 1);
        json_str(&b, "clearance", t->clearance, 1);
        limen_buf_adds(&b, ",\"documents\":[");
        for (size_t k = 0; k < t->document_count; k++) {
            const struct limen_paxlst_document *d = &t->documents[k];
            limen_buf_adds(&b, k ? ",{" : "{");
            json_str(&b, "type", d->type, 0);
            json_str(&b, "number", d->number, 1);
            json_str(&b, "issuing_country", d->issuing_country, 1);
            json_str(&b, "expiry", d->expiry, 1);
            json_str(&b, "issue_date", d->issue_date, 1);
            limen_buf_addch(&b, '}');
        }
        limen_buf_adds(&b, "],\"references\":[");
        for (size_t k = 0; k < t->reference_count; k++) {
            limen_buf_adds(&b, k ? ",{" : "{");
            json_str(&b, "qualifier", t->references[k].qualifier, 0);
            json_str(&b, "value", t->references[k].value, 1);
            limen_buf_addch(&b, '}');
        }
        limen_buf_addf(&b, "],\"message\":%zu,\"segment\":%ld,\"offset\":%zu}", t->message,
                       t->segment, t->offset);
    }
    limen_buf_adds(&b, "],\"counts\":{\"passengers\":");
    json_declared(&b, p->counts.passengers_read, p->counts.passengers_declared);
    limen_buf_adds(&b, ",\"crew\":");
    json_declared(&b, p->counts.crew_read, p->counts.crew_declared);
    limen_buf_addf(&b, ",\"others\":{\"read\":%zu}}", p->counts.others_read);
    limen_buf_addf(&b, ",\"warning_count\":%zu,\"warnings\":[", p->warning_total);
    for (size_t i = 0; i < p->nwarnings; i++) {
        const struct limen_paxlst_warning *w = &p->warnings[i];
        limen_buf_addf(&b, "%s{\"segment\":%ld,\"offset\":%zu", i ? "," : "", w->segment,
                       w->offset);
        json_str(&b, "message", w->message, 1);
        limen_buf_addch(&b, '}');
    }
    limen_buf_adds(&b, "]}");
    if (limen_buf_failed(&b)) {
        limen_buf_release(&b);
        return NULL;
    }
    return limen_buf_detach(&b, len);
}

static limen_status add_str(struct limen_entity *e, const char *prop, const char *v)
{
    if (!v || !v[0])
        return LIMEN_OK;
    return limen_entity_add(e, prop, v, strlen(v));
}

limen_status limen_paxlst_traveller_entity(const struct limen_paxlst *p, size_t i,
                                           struct limen_entity **out)
{
    if (out)
        *out = NULL;
    if (!p || !out)
        return LIMEN_EINVAL;
    if (i >= p->ntravellers)
        return LIMEN_ENOTFOUND;
    const struct limen_paxlst_traveller *t = &p->travellers[i];
    int has_doc = 0;
    for (size_t k = 0; k < t->document_count; k++)
        if (t->documents[k].number[0] && t->documents[k].type[0] != 'V')
            has_doc = 1;
    if (!t->surname[0] && !t->given_names[0] && !has_doc)
        return LIMEN_EEMPTY;
    char id[32];
    snprintf(id, sizeof id, "paxlst-%zu", i + 1);
    struct limen_entity *e = NULL;
    limen_status st = limen_entity_new(id, LIMEN_SCHEMA_PERSON, &e);
    if (st != LIMEN_OK)
        goto out;
    if (t->surname[0] || t->given_names[0]) {
        char name[2 * LIMEN_PAXLST_NAME_SIZE];
        snprintf(name, sizeof name, "%s%s%s", t->given_names,
                 t->given_names[0] && t->surname[0] ? " " : "", t->surname);
        if ((st = limen_entity_add(e, "name", name, strlen(name))) != LIMEN_OK)
            goto out;
    }
    if ((st = add_str(e, "firstName", t->given_names)) != LIMEN_OK ||
        (st = add_str(e, "lastName", t->surname)) != LIMEN_OK ||
        (st = add_str(e, "birthDate", t->birth_date)) != LIMEN_OK)
        goto out;
    if (t->sex[0]) {
        const char *g = t->sex[0] == 'M' ? "male" : t->sex[0] == 'F' ? "female" : "other";
        if ((st = limen_entity_add(e, "gender", g, strlen(g))) != LIMEN_OK)
            goto out;
    }
    if ((st = add_str(e, "nationality",
                      limen__country_from_alpha3(t->nationality, strlen(t->nationality)))) !=
            LIMEN_OK ||
        (st = add_str(e, "country",
                      limen__country_from_alpha3(t->residence, strlen(t->residence)))) !=
            LIMEN_OK ||
        (st = add_str(e, "birthPlace", t->birth_place)) != LIMEN_OK)
        goto out;
    for (size_t k = 0; k < t->document_count; k++) {
        const struct limen_paxlst_document *d = &t->documents[k];
        if (!d->number[0] || d->type[0] == 'V')
            continue;
        if ((st = add_str(e, d->type[0] == 'P' ? "passportNumber" : "idNumber", d->number)) !=
            LIMEN_OK)
            goto out;
    }
    *out = e;
    e = NULL;
out:
    limen_entity_free(e);
    return st;
}
