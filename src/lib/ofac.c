/*
 * OFAC SDN CSV triple -> FollowTheMoney entities (see include/limen/convert.h).
 *
 * ALT and ADD are read first into arrays sorted by ent_num (a few MB for the
 * whole list); SDN is then streamed row by row and each row becomes one
 * entity, joined with its aliases and addresses by binary search.
 *
 * The remarks column is a sequence of clauses separated by "; ", e.g.
 *   DOB 01 Jan 1960; alt. DOB 1961; POB Baghdad, Iraq; nationality Iraq;
 *   Passport A1234567 (Iraq); a.k.a. 'ABU X'; Gender Male.
 * Each clause is recognised by its leading words; a clause nobody
 * recognises is kept verbatim in "notes", so no information is lost.
 */
#include "ofac_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "country.h"
#include "csv.h"
#include "dates.h"
#include "status_int.h"

/* ---- small text helpers ---- */

static void trim(const char **s, size_t *len)
{
    while (*len && isspace((unsigned char)**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && isspace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

/* An OFAC cell: trimmed, with "-0-" meaning empty. */
static size_t cell(const char **s, size_t len)
{
    trim(s, &len);
    if (len == 3 && memcmp(*s, "-0-", 3) == 0)
        return 0;
    return len;
}

static int starts(const char *s, size_t len, const char *prefix, size_t *plen)
{
    size_t n = strlen(prefix);
    if (len < n || strncmp(s, prefix, n) != 0)
        return 0;
    *plen = n;
    return 1;
}

/* Length of the longest prefix of s[0..len) that is at most max bytes and
 * does not end inside a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* Adds a value unless the property already holds it. */
static limen_status add_unique(struct limen_entity *e, const char *prop, const char *s, size_t len,
                               struct limen_ofac_stats *stats)
{
    trim(&s, &len);
    if (len == 0)
        return LIMEN_OK;
    size_t cut = utf8_cut(s, len, LIMEN_ENTITY_MAX_VALUE);
    if (cut < len && stats)
        stats->truncated++;
    len = cut;
    size_t n = limen_entity_count(e, prop);
    for (size_t i = 0; i < n; i++) {
        size_t vl;
        const char *v = limen_entity_value(e, prop, i, &vl);
        if (vl == len && memcmp(v, s, len) == 0)
            return LIMEN_OK;
    }
    if (n >= LIMEN_ENTITY_MAX_VALUES)
        return LIMEN_OK;
    return limen_entity_add(e, prop, s, len);
}

/* ---- dates ---- */

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};

struct pdate {
    int y, m, d;
};

/* Parses "[dd] [Mon] yyyy" at *p; advances *p. Returns 0 or -1. */
static int parse_date(const char **p, const char *end, struct pdate *out)
{
    const char *s = *p;
    int nums[3], nn = 0, month = 0;
    memset(out, 0, sizeof *out);
    while (s < end) {
        while (s < end && *s == ' ')
            s++;
        if (s >= end)
            break;
        if (isdigit((unsigned char)*s)) {
            int v = 0, digits = 0;
            while (s < end && isdigit((unsigned char)*s) && digits < 5) {
                v = v * 10 + (*s - '0');
                s++;
                digits++;
            }
            if (nn == 3)
                return -1;
            nums[nn++] = v;
            if (digits == 4)
                break; /* the year ends a date */
            if (digits > 2)
                return -1;
        } else if (isalpha((unsigned char)*s)) {
            const char *w = s;
            while (s < end && isalpha((unsigned char)*s))
                s++;
            size_t wl = (size_t)(s - w);
            if (wl < 3 || month)
                return -1;
            int found = 0;
            for (int i = 0; i < 12; i++)
                if (strncasecmp(w, months[i], 3) == 0)
                    found = i + 1;
            if (!found) {
                return -1;
            }
            month = found;
        } else {
            return -1;
        }
    }
    if (nn == 0 || nums[nn - 1] < 1800 || nums[nn - 1] > 2200)
        return -1;
    out->y = nums[nn - 1];
    out->m = month;
    if (nn == 2) {
        if (!month || nums[0] < 1 || nums[0] > 31)
            return -1;
        out->d = nums[0];
    } else if (nn != 1) {
        return -1;
    }
    *p = s;
    return 0;
}

static int fmt_date(const struct pdate *d, char out[11])
{
    if (d->d)
        return snprintf(out, 11, "%04d-%02d-%02d", d->y, d->m, d->d);
    if (d->m)
        return snprintf(out, 11, "%04d-%02d", d->y, d->m);
    return snprintf(out, 11, "%04d", d->y);
}

/* Whether the date exists (no 31 Feb). */
static int valid(const struct pdate *d)
{
    char buf[11];
    struct limen__date check;
    int n = fmt_date(d, buf);
    return limen__date_parse(buf, (size_t)n, &check) == 0;
}

int limen__ofac_dob(const char *s, size_t len, char out[][11], int max)
{
    const char *end;
    struct pdate a, b;
    size_t pl;
    trim(&s, &len);
    if (starts(s, len, "circa ", &pl) || starts(s, len, "Circa ", &pl) ||
        starts(s, len, "approximately ", &pl)) {
        s += pl;
        len -= pl;
    }
    end = s + len;
    if (max < 1 || parse_date(&s, end, &a) != 0 || !valid(&a))
        return -1;
    while (s < end && *s == ' ')
        s++;
    if (s == end) {
        fmt_date(&a, out[0]);
        return 1;
    }
    if (*s == '-')
        s++;
    else if (end - s >= 3 && strncmp(s, "to ", 3) == 0)
        s += 3;
    else
        return -1;
    if (parse_date(&s, end, &b) != 0 || !valid(&b))
        return -1;
    while (s < end && *s == ' ')
        s++;
    if (s != end || b.y < a.y)
        return -1;
    if (a.y == b.y && a.m == b.m && a.d == b.d) {
        fmt_date(&a, out[0]);
        return 1;
    }
    int whole_a = a.m == 0 || (a.m == 1 && (a.d == 0 || a.d == 1));
    int whole_b = b.m == 0 || (b.m == 12 && (b.d == 0 || b.d == 31));
    if (whole_a && whole_b && b.y - a.y <= 12) {
        int n = 0;
        for (int y = a.y; y <= b.y && n < max; y++) {
            struct pdate t = {y, 0, 0};
            fmt_date(&t, out[n++]);
        }
        return n;
    }
    fmt_date(&a, out[0]);
    if (max < 2)
        return 1;
    fmt_date(&b, out[1]);
    return 2;
}

/* ---- remarks ---- */

/* The number of a document clause: the text before " (", ", ", " issued",
 * " expires". */
static size_t doc_number(const char *s, size_t len)
{
    static const char *const stops[] = {" (", ", ", " issued", " expires", " Issue Date",
                                        " Expiration Date"};
    size_t n = len;
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
        size_t sl = strlen(stops[i]);
        for (size_t k = 0; k + sl <= n; k++)
            if (memcmp(s + k, stops[i], sl) == 0) {
                n = k;
                break;
            }
    }
    return n;
}

static limen_status add_country(struct limen_entity *e, const char *prop, const char *s, size_t len,
                                struct limen_ofac_stats *stats)
{
    trim(&s, &len);
    const char *code = limen__country_code(s, len);
    if (code)
        return add_unique(e, prop, code, strlen(code), stats);
    if (stats)
        stats->countries_unknown++;
    return add_unique(e, prop, s, len, stats);
}

/* Quoted names of an a.k.a. clause: 'X' (also "X" and names with inner
 * apostrophes such as 'ABU 'ALI'; the closing quote is the last one). */
static limen_status add_weak(struct limen_entity *e, const char *s, size_t len,
                             struct limen_ofac_stats *stats)
{
    trim(&s, &len);
    if (len >= 2 && (s[0] == '\'' || s[0] == '"') && s[len - 1] == s[0]) {
        s++;
        len -= 2;
    }
    trim(&s, &len);
    if (!len)
        return LIMEN_OK;
    if (stats)
        stats->weak_aliases++;
    return add_unique(e, "weakAlias", s, len, stats);
}

struct clause_rule {
    const char *prefix;
    const char *prop;
    int kind; /* 0 text, 1 document number, 2 country, 3 number token */
};

static const struct clause_rule rules[] = {
    {"POB ", "birthPlace", 0},
    {"alt. POB ", "birthPlace", 0},
    {"nationality ", "nationality", 2},
    {"alt. nationality ", "nationality", 2},
    {"citizen ", "citizenship", 2},
    {"alt. citizen ", "citizenship", 2},
    {"Passport ", "passportNumber", 1},
    {"alt. Passport ", "passportNumber", 1},
    {"Diplomatic Passport ", "passportNumber", 1},
    {"National ID No. ", "idNumber", 1},
    {"alt. National ID No. ", "idNumber", 1},
    {"Cedula No. ", "idNumber", 1},
    {"alt. Cedula No. ", "idNumber", 1},
    {"Identification Number ", "idNumber", 1},
    {"alt. Identification Number ", "idNumber", 1},
    {"Personal ID Card ", "idNumber", 1},
    {"D.N.I. ", "idNumber", 1},
    {"C.U.R.P. ", "idNumber", 1},
    {"CURP # ", "idNumber", 1},
    {"Residency Number ", "idNumber", 1},
    {"Driver's License No. ", "idNumber", 1},
    {"Tax ID No. ", "taxNumber", 1},
    {"alt. Tax ID No. ", "taxNumber", 1},
    {"NIT # ", "taxNumber", 1},
    {"R.F.C. ", "taxNumber", 1},
    {"RFC ", "taxNumber", 1},
    {"RUC # ", "taxNumber", 1},
    {"SSN ", "idNumber", 1},
    {"Email Address ", "email", 0},
    {"alt. Email Address ", "email", 0},
    {"Website ", "website", 0},
    {"alt. Website ", "website", 0},
    {"Phone Number ", "phone", 0},
    {"Telephone ", "phone", 0},
    {"Vessel Registration Identification IMO ", "imoNumber", 3},
    {"IMO ", "imoNumber", 3},
    {"MMSI ", "mmsi", 3},
    {"Title ", "position", 0},
    {"Organization Established Date ", "incorporationDate", 0},
    {"Registration Number ", "registrationNumber", 1},
    {"Registration ID ", "registrationNumber", 1},
    {"Business Registration Number ", "registrationNumber", 1},
    {"Company Number ", "registrationNumber", 1},
    {"Aircraft Tail Number ", "registrationNumber", 1},
    {"SWIFT/BIC ", "swiftBic", 1},
};

static limen_status clause(struct limen_entity *e, const char *s, size_t len,
                           struct limen_ofac_stats *stats)
{
    size_t pl;
    trim(&s, &len);
    if (!len)
        return LIMEN_OK;
    if (starts(s, len, "DOB ", &pl) || starts(s, len, "alt. DOB ", &pl)) {
        char dates[LIMEN__OFAC_MAX_DATES][11];
        int n = limen__ofac_dob(s + pl, len - pl, dates, LIMEN__OFAC_MAX_DATES);
        if (n > 0) {
            for (int i = 0; i < n; i++) {
                limen_status st = add_unique(e, "birthDate", dates[i], strlen(dates[i]), stats);
                if (st != LIMEN_OK)
                    return st;
                if (stats)
                    stats->birth_dates++;
            }
            return LIMEN_OK;
        }
        if (stats)
            stats->dob_unparsed++;
    } else if (starts(s, len, "Gender ", &pl)) {
        const char *g = s + pl;
        size_t gl = len - pl;
        if (gl >= 4 && strncasecmp(g, "male", 4) == 0)
            return add_unique(e, "gender", "male", 4, stats);
        if (gl >= 6 && strncasecmp(g, "female", 6) == 0)
            return add_unique(e, "gender", "female", 6, stats);
    } else if (starts(s, len, "a.k.a. ", &pl) || starts(s, len, "f.k.a. ", &pl) ||
               starts(s, len, "n.k.a. ", &pl) || starts(s, len, "a.k.a., ", &pl)) {
        return add_weak(e, s + pl, len - pl, stats);
    } else {
        for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
            if (!starts(s, len, rules[r].prefix, &pl))
                continue;
            const char *v = s + pl;
            size_t vl = len - pl;
            trim(&v, &vl);
            switch (rules[r].kind) {
            case 1:
                vl = doc_number(v, vl);
                if (!strcmp(rules[r].prop, "passportNumber") || !strcmp(rules[r].prop, "idNumber"))
                    if (stats)
                        stats->documents++;
                break;
            case 2:
                return add_country(e, rules[r].prop, v, vl, stats);
            case 3: {
                size_t k = 0;
                while (k < vl && !isspace((unsigned char)v[k]) && v[k] != ';')
                    k++;
                vl = k;
                break;
            }
            default:
                break;
            }
            limen_status st = add_unique(e, rules[r].prop, v, vl, stats);
            if (st != LIMEN_OK || rules[r].kind != 1)
                return st;
            /* Keep the whole clause (country, dates of issue) for the record. */
            break;
        }
    }
    if (stats)
        stats->notes++;
    return add_unique(e, "notes", s, len, stats);
}

limen_status limen__ofac_remarks(struct limen_entity *e, const char *s, size_t len,
                                 struct limen_ofac_stats *stats)
{
    size_t clen;
    len = cell(&s, len);
    /* The list ends its remarks with a full stop; it is not part of the last clause. */
    if (len && s[len - 1] == '.')
        len--;
    while (len) {
        /* Clauses are separated by "; " (a semicolon followed by a space or the end). */
        clen = 0;
        while (clen < len && !(s[clen] == ';' && (clen + 1 == len || s[clen + 1] == ' ')))
            clen++;
        limen_status st = clause(e, s, clen, stats);
        if (st != LIMEN_OK)
            return st;
        if (clen == len)
            break;
        s += clen + 1;
        len -= clen + 1;
    }
    return LIMEN_OK;
}

/* ---- ALT and ADD tables ---- */

struct side_row {
    long ent;
    long seq; /* row order, to keep the source order within one ent_num */
    int kind; /* ALT: 0 aka/nka, 1 fka; ADD: 0 */
    char *a;  /* ALT: name; ADD: address line */
    char *b;  /* ADD: country */
    int used;
};

struct side_table {
    struct side_row *rows;
    size_t n, cap;
};

static void side_free(struct side_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        limen__free(t->rows[i].a);
        limen__free(t->rows[i].b);
    }
    limen__free(t->rows);
    memset(t, 0, sizeof *t);
}

static int side_cmp(const void *x, const void *y)
{
    const struct side_row *a = x, *b = y;
    if (a->ent != b->ent)
        return a->ent < b->ent ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Parses an ent_num cell; -1 when it is not a positive integer. */
static long ent_num(const char *s, size_t len)
{
    trim(&s, &len);
    if (len == 0 || len > 12)
        return -1;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static limen_status row_error(struct limen_error *err, limen_status st, const char *file, long line,
                              const char *field, const char *what)
{
    limen__error_set(err, st, field, "%s line %ld, field %s: %s", file, line, field, what);
    if (err)
        err->line = line;
    return st;
}

static limen_status csv_error(struct limen_error *err, const char *file)
{
    if (err) {
        char msg[sizeof err->message];
        size_t fl = strlen(file), ml = strlen(err->message);
        if (fl > sizeof msg / 2)
            fl = sizeof msg / 2;
        if (fl + 1 + ml >= sizeof msg)
            ml = sizeof msg - fl - 2;
        memcpy(msg, file, fl);
        msg[fl] = ' ';
        memcpy(msg + fl + 1, err->message, ml);
        msg[fl + 1 + ml] = '\0';
        memcpy(err->message, msg, sizeof msg);
    }
    return err ? err->status : LIMEN_ESYNTAX;
}

/* Reads ALT (is_add == 0) or ADD into a table sorted by ent_num. */
static limen_status read_side(FILE *fp, const char *name, int is_add, struct side_table *t,
                              struct limen_ofac_stats *stats, struct limen_error *err)
{
    struct limen__csv c;
    limen_status st;
    limen__csv_init(&c, fp, 0, 0);
    while ((st = limen__csv_next(&c, err)) == LIMEN_OK) {
        size_t nf = limen__csv_count(&c), l0;
        const char *f0 = limen__csv_field(&c, 0, &l0);
        long ent = ent_num(f0, l0);
        if (ent < 0) {
            st = row_error(err, LIMEN_ESYNTAX, name, c.line, "ent_num",
                           "not a positive integer");
            goto out;
        }
        if (nf < (is_add ? 5u : 4u)) {
            st = row_error(err, LIMEN_EMISSING, name, c.line, is_add ? "country" : "alt_name",
                           "too few columns");
            goto out;
        }
        if (is_add)
            stats->add_rows++;
        else
            stats->alt_rows++;
        struct side_row r = {ent, (long)t->n, 0, NULL, NULL, 0};
        if (is_add) {
            /* address, city/state/zip, country -> one line; country apart. */
            struct limen_buf b;
            limen_buf_init(&b);
            for (size_t k = 2; k <= 4; k++) {
                size_t l;
                const char *v = limen__csv_field(&c, k, &l);
                l = cell(&v, l);
                if (!l)
                    continue;
                if (b.len)
                    limen_buf_adds(&b, ", ");
                limen_buf_add(&b, v, l);
            }
            size_t cl;
            const char *cv = limen__csv_field(&c, 4, &cl);
            cl = cell(&cv, cl);
            if (limen_buf_failed(&b)) {
                limen_buf_release(&b);
                st = LIMEN_ENOMEM;
                goto out;
            }
            if (!b.len) {
                limen_buf_release(&b);
                continue;
            }
            r.a = limen_buf_detach(&b, NULL);
            r.b = cl ? limen__strndup(cv, cl) : NULL;
            if (!r.a || (cl && !r.b)) {
                limen__free(r.a);
                limen__free(r.b);
                st = LIMEN_ENOMEM;
                goto out;
            }
        } else {
            size_t tl, nl;
            const char *type = limen__csv_field(&c, 2, &tl);
            const char *nm = limen__csv_field(&c, 3, &nl);
            tl = cell(&type, tl);
            nl = cell(&nm, nl);
            if (!nl)
                continue;
            r.kind = (tl == 3 && strncasecmp(type, "fka", 3) == 0) ? 1 : 0;
            r.a = limen__strndup(nm, nl);
            if (!r.a) {
                st = LIMEN_ENOMEM;
                goto out;
            }
        }
        if (t->n == t->cap) {
            size_t ncap = t->cap ? t->cap * 2 : 1024;
            struct side_row *nr = limen__reallocarray(t->rows, ncap, sizeof *nr);
            if (!nr) {
                limen__free(r.a);
                limen__free(r.b);
                st = LIMEN_ENOMEM;
                goto out;
            }
            t->rows = nr;
            t->cap = ncap;
        }
        t->rows[t->n++] = r;
    }
    if (st == LIMEN_EOF)
        st = LIMEN_OK;
    else
        st = csv_error(err, name);
    if (st == LIMEN_OK && t->n)
        qsort(t->rows, t->n, sizeof *t->rows, side_cmp);
out:
    if (st == LIMEN_ENOMEM)
        limen__error_set(err, st, NULL, "out of memory reading %s", name);
    limen__csv_release(&c);
    return st;
}

static size_t side_first(const struct side_table *t, long ent)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->rows[mid].ent < ent)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- SDN rows ---- */

static limen_status add_cell(struct limen_entity *e, const char *prop, const struct limen__csv *c,
                             size_t i, struct limen_ofac_stats *stats)
{
    size_t l;
    const char *v = limen__csv_field(c, i, &l);
    if (!v)
        return LIMEN_OK;
    l = cell(&v, l);
    return l ? add_unique(e, prop, v, l, stats) : LIMEN_OK;
}

static limen_status convert_row(const struct limen__csv *c, long ent, struct side_table *alt,
                                struct side_table *add, struct limen_entity **out,
                                struct limen_ofac_stats *stats)
{
    limen_status st;
    struct limen_entity *e = NULL;
    char id[32];
    size_t tl, nl, l;
    const char *type = limen__csv_field(c, 2, &tl);
    const char *name = limen__csv_field(c, 1, &nl);
    tl = cell(&type, tl);
    nl = cell(&name, nl);
    enum limen_schema schema = LIMEN_SCHEMA_ORGANIZATION;
    if (tl == 10 && strncasecmp(type, "individual", 10) == 0)
        schema = LIMEN_SCHEMA_PERSON;
    else if (tl == 6 && strncasecmp(type, "vessel", 6) == 0)
        schema = LIMEN_SCHEMA_VESSEL;
    else if (tl == 8 && strncasecmp(type, "aircraft", 8) == 0)
        schema = LIMEN_SCHEMA_AIRPLANE;
    snprintf(id, sizeof id, "ofac-%ld", ent);
    if ((st = limen_entity_new(id, schema, &e)) != LIMEN_OK)
        goto out;
    if (nl && (st = add_unique(e, "name", name, nl, stats)) != LIMEN_OK)
        goto out;
    if (schema == LIMEN_SCHEMA_PERSON && nl) {
        const char *comma = memchr(name, ',', nl);
        if (comma) {
            size_t ll = (size_t)(comma - name);
            if ((st = add_unique(e, "lastName", name, ll, stats)) != LIMEN_OK ||
                (st = add_unique(e, "firstName", comma + 1, nl - ll - 1, stats)) != LIMEN_OK)
                goto out;
        }
    }
    switch (schema) {
    case LIMEN_SCHEMA_PERSON:
        stats->persons++;
        break;
    case LIMEN_SCHEMA_VESSEL:
        stats->vessels++;
        break;
    case LIMEN_SCHEMA_AIRPLANE:
        stats->aircraft++;
        break;
    default:
        stats->organizations++;
        break;
    }
    /* Programs: "SDGT] [IRGC" holds two. */
    const char *prog = limen__csv_field(c, 3, &l);
    l = cell(&prog, l);
    while (l) {
        size_t k = 0;
        while (k < l && prog[k] != ']' && prog[k] != '[')
            k++;
        if ((st = add_unique(e, "program", prog, k, stats)) != LIMEN_OK)
            goto out;
        while (k < l && (prog[k] == ']' || prog[k] == '[' || prog[k] == ' '))
            k++;
        prog += k;
        l -= k;
    }
    if ((st = add_cell(e, schema == LIMEN_SCHEMA_PERSON ? "position" : "notes", c, 4, stats)) != LIMEN_OK ||
        (st = add_cell(e, "callSign", c, 5, stats)) != LIMEN_OK ||
        (st = add_cell(e, "type", c, 6, stats)) != LIMEN_OK ||
        (st = add_cell(e, "tonnage", c, 7, stats)) != LIMEN_OK ||
        (st = add_cell(e, "grossRegisteredTonnage", c, 8, stats)) != LIMEN_OK)
        goto out;
    const char *flag = limen__csv_field(c, 9, &l);
    if (flag && (l = cell(&flag, l)) > 0 && (st = add_country(e, "flag", flag, l, stats)) != LIMEN_OK)
        goto out;
    if ((st = add_cell(e, "ownerName", c, 10, stats)) != LIMEN_OK)
        goto out;
    for (size_t i = side_first(alt, ent); i < alt->n && alt->rows[i].ent == ent; i++) {
        struct side_row *r = &alt->rows[i];
        r->used = 1;
        if (r->kind == 1)
            stats->previous_names++;
        else
            stats->aliases++;
        st = add_unique(e, r->kind == 1 ? "previousName" : "alias", r->a, strlen(r->a), stats);
        if (st != LIMEN_OK)
            goto out;
    }
    for (size_t i = side_first(add, ent); i < add->n && add->rows[i].ent == ent; i++) {
        struct side_row *r = &add->rows[i];
        r->used = 1;
        stats->addresses++;
        if ((st = add_unique(e, "address", r->a, strlen(r->a), stats)) != LIMEN_OK)
            goto out;
        if (r->b && (st = add_country(e, "country", r->b, strlen(r->b), stats)) != LIMEN_OK)
            goto out;
    }
    const char *rem = limen__csv_field(c, 11, &l);
    if (rem && (st = limen__ofac_remarks(e, rem, l, stats)) != LIMEN_OK)
        goto out;
out:
    if (st != LIMEN_OK) {
        limen_entity_free(e);
        e = NULL;
    }
    *out = e;
    return st;
}

static int cmp_long(const void *x, const void *y)
{
    long a = *(const long *)x, b = *(const long *)y;
    return (a > b) - (a < b);
}

limen_status limen_ofac_convert(FILE *sdn, const char *sdn_name, FILE *alt, const char *alt_name,
                                FILE *add, const char *add_name, limen_emit_fn emit, void *ctx,
                                struct limen_ofac_stats *stats, struct limen_error *err)
{
    struct limen_ofac_stats local;
    struct side_table ta = {0}, td = {0};
    struct limen__csv c;
    long *seen = NULL;
    size_t nseen = 0, capseen = 0;
    limen_status st;
    limen_error_clear(err);
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!sdn_name)
        sdn_name = "SDN";
    if (!alt_name)
        alt_name = "ALT";
    if (!add_name)
        add_name = "ADD";
    limen__csv_init(&c, sdn, 0, 0);
    if (!sdn || !alt || !emit) {
        st = limen__error_set(err, LIMEN_EINVAL, NULL, "the SDN and ALT files are required");
        goto out;
    }
    if ((st = read_side(alt, alt_name, 0, &ta, stats, err)) != LIMEN_OK)
        goto out;
    if (add && (st = read_side(add, add_name, 1, &td, stats, err)) != LIMEN_OK)
        goto out;
    while ((st = limen__csv_next(&c, err)) == LIMEN_OK) {
        size_t l0;
        const char *f0 = limen__csv_field(&c, 0, &l0);
        long ent = ent_num(f0, l0);
        struct limen_entity *e = NULL;
        if (ent < 0) {
            st = row_error(err, LIMEN_ESYNTAX, sdn_name, c.line, "ent_num", "not a positive integer");
            goto out;
        }
        if (limen__csv_count(&c) < 12) {
            char what[64];
            snprintf(what, sizeof what, "%zu columns, 12 expected", limen__csv_count(&c));
            st = row_error(err, LIMEN_EMISSING, sdn_name, c.line, "remarks", what);
            goto out;
        }
        size_t nlen;
        const char *nm = limen__csv_field(&c, 1, &nlen);
        if (cell(&nm, nlen) == 0) {
            st = row_error(err, LIMEN_EMISSING, sdn_name, c.line, "name", "the name is empty");
            goto out;
        }
        stats->sdn_rows++;
        if (nseen == capseen) {
            size_t ncap = capseen ? capseen * 2 : 4096;
            long *ns = limen__reallocarray(seen, ncap, sizeof *ns);
            if (!ns) {
                st = LIMEN_ENOMEM;
                goto out;
            }
            seen = ns;
            capseen = ncap;
        }
        seen[nseen++] = ent;
        if ((st = convert_row(&c, ent, &ta, &td, &e, stats)) != LIMEN_OK) {
            if (st == LIMEN_EUTF8)
                row_error(err, st, sdn_name, c.line, "name", "invalid UTF-8");
            else
                row_error(err, st, sdn_name, c.line, "ent_num", limen_strerror(st));
            goto out;
        }
        size_t jl;
        char *json = limen_entity_to_json(e, &jl);
        limen_entity_free(e);
        if (!json) {
            st = LIMEN_ENOMEM;
            goto out;
        }
        int rc = emit(ctx, json, jl);
        limen_free(json);
        if (rc != 0) {
            st = limen__error_set(err, LIMEN_EIO, NULL, "writing the entities failed");
            goto out;
        }
    }
    if (st == LIMEN_EOF)
        st = LIMEN_OK;
    else {
        st = csv_error(err, sdn_name);
        goto out;
    }
    if (nseen)
        qsort(seen, nseen, sizeof *seen, cmp_long);
    for (size_t i = 1; i < nseen; i++)
        stats->duplicate_ids += seen[i] == seen[i - 1];
    for (size_t i = 0; i < ta.n; i++)
        stats->alt_orphans += !ta.rows[i].used;
    for (size_t i = 0; i < td.n; i++)
        stats->add_orphans += !td.rows[i].used;
out:
    if (st == LIMEN_ENOMEM)
        limen__error_set(err, st, NULL, "out of memory converting the OFAC list");
    limen__free(seen);
    limen__csv_release(&c);
    side_free(&ta);
    side_free(&td);
    return st;
}
