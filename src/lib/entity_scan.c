/*
 * The entity scanner: reads one FtM entity line for the index build in one
 * pass, without jansson (see entity_scan.h for the contract).
 *
 * Parsing a line with jansson makes a json_t and a hash table for every
 * object, a json_t for every string and number, and frees them all again:
 * about half of the CPU time of building an index. The index needs a few
 * strings per alert, so this scanner walks the line once, by recursive
 * descent, and keeps only those:
 *
 *   {"id":"a1","schema":"Person","properties":{"name":["Ann Li"],"notes":["x"]}}
 *          ^^ id           ^^^^^^ schema               ^^^^^^ val[] of NAME
 *
 * A string without escapes is a slice of the line (the common case); one
 * with escapes is decoded into the arena, which is sized to the line when
 * the scan starts (decoding never makes a string longer), so it never moves
 * during a scan and nothing is allocated per value. Unknown members and
 * properties are validated and skipped.
 *
 * Acceptance must imply that limen__entity_parse_flags() (jansson with
 * JSON_REJECT_DUPLICATES, then entity.c's shape checks) accepts the line
 * with the same facts. So the scanner checks what jansson checks (strict
 * UTF-8 in strings, no control bytes, valid escapes, no \u0000, paired
 * surrogates, no duplicate keys at any depth, the grammar, nothing after
 * the object) and what entity.c checks (types, sizes, counts, blank names,
 * the identity, the alert fields); and where checking would take code that
 * jansson has already (numbers with an exponent, which may overflow; long
 * integers; deep nesting; more values or keys than its arrays hold) it
 * gives up and lets jansson decide. A line it gives up on costs one
 * partial scan more than before; a line it wrongly accepted would change
 * the index, which the unit tests and fuzz/fuzz_entity_scan.c look for.
 */
#include "entity_scan.h"
#include "alloc.h"
#include "entity_int.h"
#include "utf8.h"

#include <string.h>

#define PROP(e, lit) [e] = {lit, sizeof(lit) - 1}
static const struct {
    const char *name;
    size_t len;
} props[LIMEN__EP_COUNT] = {
    PROP(LIMEN__EP_NAME, "name"),
    PROP(LIMEN__EP_ALIAS, "alias"),
    PROP(LIMEN__EP_PREVIOUS_NAME, "previousName"),
    PROP(LIMEN__EP_WEAK_ALIAS, "weakAlias"),
    PROP(LIMEN__EP_FIRST_NAME, "firstName"),
    PROP(LIMEN__EP_SECOND_NAME, "secondName"),
    PROP(LIMEN__EP_MIDDLE_NAME, "middleName"),
    PROP(LIMEN__EP_FATHER_NAME, "fatherName"),
    PROP(LIMEN__EP_LAST_NAME, "lastName"),
    PROP(LIMEN__EP_BIRTH_DATE, "birthDate"),
    PROP(LIMEN__EP_GENDER, "gender"),
    PROP(LIMEN__EP_NATIONALITY, "nationality"),
    PROP(LIMEN__EP_CITIZENSHIP, "citizenship"),
    PROP(LIMEN__EP_COUNTRY, "country"),
    PROP(LIMEN__EP_NUMBER, "number"),
    PROP(LIMEN__EP_PASSPORT_NUMBER, "passportNumber"),
    PROP(LIMEN__EP_ID_NUMBER, "idNumber"),
};
#undef PROP

const char *limen__escan_prop_name(enum limen__escan_prop p)
{
    return (size_t)p < LIMEN__EP_COUNT ? props[p].name : "";
}

void limen__escan_init(struct limen__escan *s)
{
    s->arena = NULL;
    s->arena_cap = s->arena_len = 0;
    s->nval = s->nkey = 0;
}

void limen__escan_release(struct limen__escan *s)
{
    limen__free(s->arena);
    limen__escan_init(s);
}

/* A position in the line being scanned. */
struct cur {
    const unsigned char *p, *end;
    struct limen__escan *s;
    int depth;
};

/* The whitespace of RFC 8259, which is what jansson skips. */
static void skip_ws(struct cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* After skipping whitespace: whether the next byte is ch (not consumed). */
static int at(struct cur *c, unsigned char ch)
{
    skip_ws(c);
    return c->p < c->end && *c->p == ch;
}

static int key_is(const struct limen__escan_str *k, const char *name, size_t len)
{
    return k->len == len && memcmp(k->s, name, len) == 0;
}
#define KEY_IS(k, lit) key_is((k), (lit), sizeof(lit) - 1)

/* Four hex digits as a value, or -1. */
static long hex4(const unsigned char *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char h = p[i], l = (unsigned char)(h | 0x20);
        int d;
        if (h >= '0' && h <= '9')
            d = h - '0';
        else if (l >= 'a' && l <= 'f')
            d = l - 'a' + 10;
        else
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/*
 * Decodes the escape at p (a backslash, before end) into out (4 bytes of
 * room); returns the bytes it takes in the line and sets *n to the bytes
 * written, or returns 0 for an escape jansson rejects: an unknown one, a
 * \u0000, a lone or unpaired surrogate.
 */
static size_t decode_escape(const unsigned char *p, const unsigned char *end, char *out, size_t *n)
{
    static const char simple[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
    if (end - p < 2)
        return 0;
    if (p[1] != 'u') {
        for (size_t i = 0; i + 1 < sizeof simple; i += 2)
            if (simple[i] == (char)p[1]) {
                out[0] = simple[i + 1];
                *n = 1;
                return 2;
            }
        return 0;
    }
    if (end - p < 6)
        return 0;
    long cp = hex4(p + 2);
    size_t used = 6;
    if (cp <= 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
        return 0;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (end - p < 12 || p[6] != '\\' || p[7] != 'u')
            return 0;
        long lo = hex4(p + 8);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return 0;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        used = 12;
    }
    *n = limen__utf8_put((uint32_t)cp, out);
    return used;
}

/*
 * Reads the JSON string that starts at c->p (its opening quote) into *out.
 * Without escapes it is a slice of the line; with escapes it is decoded
 * into the arena when `keep`, else only measured (out->s is then NULL).
 * Returns 0 for whatever jansson rejects.
 */
static int scan_string(struct cur *c, int keep, struct limen__escan_str *out)
{
    const unsigned char *start = c->p + 1, *p = start, *end = c->end;
    struct limen__escan *s = c->s;
    /* The common case: plain bytes up to the closing quote. */
    for (;;) {
        if (p >= end)
            return 0;
        unsigned char b = *p;
        if (b == '"') {
            out->s = (const char *)start;
            out->len = (size_t)(p - start);
            c->p = p + 1;
            return 1;
        }
        if (b == '\\')
            break;
        if (b < 0x20)
            return 0;
        if (b < 0x80) {
            p++;
            continue;
        }
        size_t i = 0;
        if (limen__utf8_next((const char *)p, (size_t)(end - p), &i) < 0)
            return 0;
        p += i;
    }
    /* An escape: the bytes so far, then the rest decoded. */
    char *dst = keep ? s->arena + s->arena_len : NULL;
    size_t n = (size_t)(p - start);
    if (dst)
        memcpy(dst, start, n);
    for (;;) {
        if (p >= end)
            return 0;
        unsigned char b = *p;
        size_t used = 1, k = 1;
        char buf[4];
        const char *src = (const char *)p;
        if (b == '"') {
            break;
        } else if (b == '\\') {
            used = decode_escape(p, end, buf, &k);
            if (!used)
                return 0;
            src = buf;
        } else if (b < 0x20) {
            return 0;
        } else if (b >= 0x80) {
            size_t i = 0;
            if (limen__utf8_next((const char *)p, (size_t)(end - p), &i) < 0)
                return 0;
            used = k = i;
        }
        if (dst)
            memcpy(dst + n, src, k);
        n += k;
        p += used;
    }
    out->s = dst;
    out->len = n;
    if (dst)
        s->arena_len += n;
    c->p = p + 1;
    return 1;
}

/*
 * Reads a number at c->p. Only those whose value jansson cannot refuse:
 * integers of at most 18 digits (they fit its 64 bits) and decimals
 * without an exponent and of at most 300 digits before the point (they
 * cannot overflow a double). Sets *ival (integers) and *is_int.
 */
static int scan_number(struct cur *c, long long *ival, int *is_int)
{
    const unsigned char *p = c->p, *end = c->end;
    int neg = 0;
    long long v = 0;
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    const unsigned char *digits = p;
    if (p < end && *p == '0') {
        p++;
    } else {
        /* (only the first 18 digits count: a longer integer is refused below) */
        for (; p < end && *p >= '0' && *p <= '9'; p++)
            if (p - digits < 18)
                v = v * 10 + (*p - '0');
    }
    size_t ndig = (size_t)(p - digits);
    if (ndig == 0)
        return 0;
    *is_int = 1;
    if (p < end && *p == '.') {
        p++;
        const unsigned char *frac = p;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        if (p == frac)
            return 0;
        *is_int = 0;
    }
    if (p < end && (*p == 'e' || *p == 'E'))
        return 0;
    if (ndig > (*is_int ? 18u : 300u))
        return 0;
    *ival = neg ? -v : v;
    c->p = p;
    return 1;
}

/* Reads the literal word (true, false, null) at c->p. */
static int scan_word(struct cur *c, const char *word, size_t len)
{
    if ((size_t)(c->end - c->p) < len || memcmp(c->p, word, len) != 0)
        return 0;
    c->p += len;
    return 1;
}
#define SCAN_WORD(c, lit) scan_word((c), (lit), sizeof(lit) - 1)

/*
 * Members of an object: call after its '{' with base = s->nkey; each call
 * reads the next key and its ':' (returns 1, c->p then before the value),
 * or the closing '}' (returns 0). Returns -1 on bad syntax, a duplicate
 * key (jansson is told to reject them) or too many keys open.
 */
static int next_member(struct cur *c, size_t base, struct limen__escan_str *key)
{
    struct limen__escan *s = c->s;
    skip_ws(c);
    if (c->p >= c->end)
        return -1;
    if (*c->p == '}') {
        c->p++;
        s->nkey = base;
        return 0;
    }
    if (s->nkey > base) { /* a member came before: a comma first */
        if (*c->p != ',')
            return -1;
        c->p++;
        if (!at(c, '"'))
            return -1;
    }
    if (*c->p != '"' || !scan_string(c, 1, key))
        return -1;
    for (size_t k = base; k < s->nkey; k++)
        if (s->key[k].len == key->len && memcmp(s->key[k].s, key->s, key->len) == 0)
            return -1;
    if (s->nkey == LIMEN__ESCAN_MAX_KEYS || !at(c, ':'))
        return -1;
    s->key[s->nkey++] = *key;
    c->p++;
    return 1;
}

/*
 * Elements of an array: call after its '[' with the count read so far;
 * returns 1 with c->p at the next element, 0 after the closing ']', -1 on
 * bad syntax.
 */
static int next_element(struct cur *c, size_t n)
{
    skip_ws(c);
    if (c->p >= c->end)
        return -1;
    if (*c->p == ']') {
        c->p++;
        return 0;
    }
    if (n) {
        if (*c->p != ',')
            return -1;
        c->p++;
        skip_ws(c);
    }
    return 1;
}

/* Enters an object or array at c->p (its opening byte `open`). */
static int enter(struct cur *c, unsigned char open)
{
    if (!at(c, open) || c->depth == LIMEN__ESCAN_MAX_DEPTH)
        return 0;
    c->p++;
    c->depth++;
    return 1;
}

static int skip_value(struct cur *c);

static int skip_object(struct cur *c)
{
    size_t base = c->s->nkey;
    struct limen__escan_str key;
    int r;
    if (!enter(c, '{'))
        return 0;
    while ((r = next_member(c, base, &key)) > 0)
        if (!skip_value(c))
            return 0;
    c->depth--;
    return r == 0;
}

static int skip_array(struct cur *c)
{
    size_t n = 0;
    int r;
    if (!enter(c, '['))
        return 0;
    while ((r = next_element(c, n++)) > 0)
        if (!skip_value(c))
            return 0;
    c->depth--;
    return r == 0;
}

/* Validates and skips any JSON value. */
static int skip_value(struct cur *c)
{
    struct limen__escan_str str;
    long long v;
    int is_int;
    skip_ws(c);
    if (c->p >= c->end)
        return 0;
    switch (*c->p) {
    case '"':
        return scan_string(c, 0, &str);
    case '{':
        return skip_object(c);
    case '[':
        return skip_array(c);
    case 't':
        return SCAN_WORD(c, "true");
    case 'f':
        return SCAN_WORD(c, "false");
    case 'n':
        return SCAN_WORD(c, "null");
    default:
        return scan_number(c, &v, &is_int);
    }
}

/* The kept property named `key`, or -1. */
static int prop_of(const struct limen__escan_str *key)
{
    for (int p = 0; p < LIMEN__EP_COUNT; p++)
        if (key_is(key, props[p].name, props[p].len))
            return p;
    return -1;
}

/* Whether kept property p holds names (the same list as entity.c's). */
static int prop_is_name(int p)
{
    return p >= 0 && p <= LIMEN__EP_LAST_NAME;
}

/* Whether a name is blank, as entity.c sees it: only spaces and tabs. */
static int blank(const struct limen__escan_str *v)
{
    for (size_t k = 0; k < v->len; k++)
        if (v->s[k] != ' ' && v->s[k] != '\t')
            return 0;
    return 1;
}

/*
 * "properties": an object of lists of strings, checked as entity.c's
 * check_properties() does; the values of kept properties go to s->val.
 */
static int scan_properties(struct cur *c)
{
    struct limen__escan *s = c->s;
    size_t base = s->nkey, nprops = 0;
    struct limen__escan_str key, v;
    int r;
    if (!enter(c, '{'))
        return 0;
    while ((r = next_member(c, base, &key)) > 0) {
        if (++nprops > LIMEN_ENTITY_MAX_PROPERTIES || !enter(c, '['))
            return 0;
        int p = prop_of(&key);
        size_t max = prop_is_name(p) ? LIMEN_ENTITY_MAX_NAME : LIMEN_ENTITY_MAX_VALUE;
        size_t n = 0;
        if (p >= 0)
            s->first[p] = (uint32_t)s->nval;
        while ((r = next_element(c, n)) > 0) {
            if (c->p >= c->end || *c->p != '"' || !scan_string(c, p >= 0, &v))
                return 0;
            if (++n > LIMEN_ENTITY_MAX_VALUES || v.len > max || (prop_is_name(p) && blank(&v)))
                return 0;
            if (p >= 0) {
                if (s->nval == LIMEN__ESCAN_MAX_VALUES)
                    return 0;
                s->val[s->nval++] = v;
            }
        }
        if (r < 0)
            return 0;
        c->depth--;
        if (p >= 0)
            s->count[p] = (uint32_t)n;
    }
    c->depth--;
    return r == 0;
}

/* The handling code as entity.c's parse_alert() reads it: H0..H3 (or h),
 * or an integer 0..3. */
static int scan_handling(struct cur *c)
{
    struct limen__escan_str v;
    long long code = -1;
    int is_int = 0;
    skip_ws(c);
    if (c->p >= c->end)
        return 0;
    if (*c->p == 'n')
        return SCAN_WORD(c, "null");
    if (*c->p == '"') {
        if (!scan_string(c, 1, &v))
            return 0;
        if (v.len == 2 && (v.s[0] == 'H' || v.s[0] == 'h') && v.s[1] >= '0' && v.s[1] <= '3')
            code = v.s[1] - '0';
    } else if (!scan_number(c, &code, &is_int) || !is_int) {
        return 0;
    }
    if (code < 0 || code > 3)
        return 0;
    c->s->handling = (int)code;
    return 1;
}

/* The alert's string field into *dst: null, or a string of fewer than cap bytes. */
static int scan_alert_string(struct cur *c, struct limen__escan_str *dst, size_t cap)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == 'n')
        return SCAN_WORD(c, "null");
    return c->p < c->end && *c->p == '"' && scan_string(c, 1, dst) && dst->len < cap;
}

#define ALERT_CAP(field) sizeof(((struct limen_alert_info *)0)->field)

/* "alert": null, or an object checked as entity.c's parse_alert() does. */
static int scan_alert(struct cur *c)
{
    struct limen__escan *s = c->s;
    size_t base = s->nkey;
    struct limen__escan_str key;
    int r;
    if (at(c, 'n'))
        return SCAN_WORD(c, "null");
    if (!enter(c, '{'))
        return 0;
    s->has_alert = 1;
    while ((r = next_member(c, base, &key)) > 0) {
        int ok;
        if (KEY_IS(&key, "owner"))
            ok = scan_alert_string(c, &s->owner, ALERT_CAP(owner));
        else if (KEY_IS(&key, "category"))
            ok = scan_alert_string(c, &s->category, ALERT_CAP(category));
        else if (KEY_IS(&key, "action"))
            ok = scan_alert_string(c, &s->action, ALERT_CAP(action));
        else if (KEY_IS(&key, "valid_until"))
            ok = scan_alert_string(c, &s->valid_until, ALERT_CAP(valid_until));
        else if (KEY_IS(&key, "handling"))
            ok = scan_handling(c);
        else
            ok = skip_value(c);
        if (!ok)
            return 0;
    }
    c->depth--;
    return r == 0;
}

/* entity.c's check_identity(): something to screen the entity by. */
static int identity_ok(const struct limen__escan *s, unsigned flags)
{
    if (s->schema == LIMEN_SCHEMA_PASSPORT || s->schema == LIMEN_SCHEMA_IDENTIFICATION)
        return s->count[LIMEN__EP_NUMBER] > 0;
    for (int p = 0; p <= LIMEN__EP_LAST_NAME; p++)
        if (s->count[p] > 0)
            return 1;
    return (flags & LIMEN__PARSE_QUERY) &&
           (s->count[LIMEN__EP_PASSPORT_NUMBER] > 0 || s->count[LIMEN__EP_ID_NUMBER] > 0);
}

static enum limen_schema schema_of(const struct limen__escan_str *v)
{
    for (int i = LIMEN_SCHEMA_UNKNOWN + 1; i <= LIMEN_SCHEMA_IDENTIFICATION; i++) {
        const char *name = limen_schema_name((enum limen_schema)i);
        if (key_is(v, name, strlen(name)))
            return (enum limen_schema)i;
    }
    return LIMEN_SCHEMA_UNKNOWN;
}

/* Empties the results of the last scan and sizes the arena for a line of len bytes. */
static int scan_reset(struct limen__escan *s, size_t len)
{
    static const struct limen__escan_str none = {NULL, 0};
    if (s->arena_cap < len) {
        char *a = limen__realloc(s->arena, len);
        if (!a)
            return 0;
        s->arena = a;
        s->arena_cap = len;
    }
    s->arena_len = 0;
    s->id = none;
    s->schema = LIMEN_SCHEMA_UNKNOWN;
    memset(s->count, 0, sizeof s->count);
    s->nval = s->nkey = 0;
    s->has_alert = 0;
    s->owner = s->category = s->action = s->valid_until = none;
    s->handling = -1;
    return 1;
}

int limen__escan_line(struct limen__escan *s, const char *line, size_t len, unsigned flags)
{
    struct cur c = {(const unsigned char *)line, (const unsigned char *)line + len, s, 0};
    struct limen__escan_str key, v;
    int r, ok;
    if (!scan_reset(s, len) || !enter(&c, '{'))
        return 0;
    while ((r = next_member(&c, 0, &key)) > 0) {
        if (KEY_IS(&key, "id")) {
            ok = at(&c, '"') && scan_string(&c, 1, &s->id) && s->id.s;
        } else if (KEY_IS(&key, "schema")) {
            ok = at(&c, '"') && scan_string(&c, 1, &v) &&
                 (s->schema = schema_of(&v)) != LIMEN_SCHEMA_UNKNOWN;
        } else if (KEY_IS(&key, "properties")) {
            ok = scan_properties(&c);
        } else if (KEY_IS(&key, "alert")) {
            ok = scan_alert(&c);
        } else {
            ok = skip_value(&c);
        }
        if (!ok)
            return 0;
    }
    skip_ws(&c);
    if (r < 0 || c.p != c.end)
        return 0;
    if (!s->id.s || s->id.len == 0 || s->id.len > LIMEN_ENTITY_MAX_ID)
        return 0;
    return s->schema != LIMEN_SCHEMA_UNKNOWN && identity_ok(s, flags);
}

size_t limen__escan_count(const struct limen__escan *s, enum limen__escan_prop p)
{
    return (size_t)p < LIMEN__EP_COUNT ? s->count[p] : 0;
}

const char *limen__escan_value(const struct limen__escan *s, enum limen__escan_prop p, size_t i,
                               size_t *len)
{
    if (i >= limen__escan_count(s, p))
        return NULL;
    const struct limen__escan_str *v = &s->val[s->first[p] + i];
    if (len)
        *len = v->len;
    return v->s;
}

/* Whether a string of the scan equals a NUL-terminated one. */
static int same(const struct limen__escan_str *a, const char *b)
{
    return a->len == strlen(b) && (a->len == 0 || memcmp(a->s, b, a->len) == 0);
}

int limen__escan_agrees(const struct limen__escan *s, const struct limen_entity *e)
{
    if (!same(&s->id, limen_entity_id(e)) || s->schema != limen_entity_schema(e))
        return 0;
    for (int p = 0; p < LIMEN__EP_COUNT; p++) {
        size_t n = limen_entity_count(e, props[p].name);
        if (n != s->count[p])
            return 0;
        for (size_t i = 0; i < n; i++) {
            size_t len = 0;
            const char *ev = limen_entity_value(e, props[p].name, i, &len);
            if (len != s->val[s->first[p] + i].len || !same(&s->val[s->first[p] + i], ev))
                return 0;
        }
    }
    const struct limen_alert_info *a = limen_entity_alert(e);
    if (!a != !s->has_alert)
        return 0;
    return !a || (same(&s->owner, a->owner) && same(&s->category, a->category) &&
                  same(&s->action, a->action) && same(&s->valid_until, a->valid_until) &&
                  s->handling == a->handling);
}
