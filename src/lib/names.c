/*
 * Name normalisation.
 *
 * The pipeline, for one name:
 *  1. Code points are decoded; ASCII takes a fast path. Anything else is
 *     normalised by ICU cluster by cluster (a base letter with its combining
 *     marks): NFKC with full case folding, then canonical decomposition, and
 *     the combining marks are dropped (é -> e, harakat and shadda go too).
 *     A few Latin letters without decomposition are mapped (ø, æ, œ, ł, đ,
 *     ı, þ, ð, ħ). Source byte offsets are kept for explanations.
 *  2. Words are split on spaces, hyphens, dots, commas and other
 *     punctuation; apostrophes and ayn/hamza marks (O'Brien, Sab'awi, ʿAli)
 *     are dropped so the parts join.
 *  3. Arabic-script words are romanised by a table tuned for names (not for
 *     scholarly transliteration): consonants as the Latin spellings write
 *     them (kh, sh, dh, gh, q), long vowels a/i/u, initial ayn as a, ta
 *     marbuta as a, and the article ال split off as "al". Short vowels are
 *     not written in Arabic, so such tokens carry LIMEN__TF_ARABIC and the
 *     comparison makes vowel insertion almost free for them.
 *     Letters of other scripts (Cyrillic, Greek, Han, Hebrew...) go through
 *     ICU's "Any-Latin; Latin-ASCII" transliterator.
 *  4. "SURNAME, Given" is reordered to "Given SURNAME".
 *  5. Tokens are classified: articles (al, el, ad-...), European particles
 *     (de, van, della...), connectors (ben/bin/ibn -> ben, bint, ould/wuld
 *     -> ould, ait, abu/abou -> abu), titles (dr, sheikh, haji...) and
 *     initials. Abd- compounds are merged and canonicalised: Abd al-Qadir,
 *     Abdel Kader, Abdul Kader and Abdelkader all become "abdalqadir" /
 *     "abdalkader", which the comparison then sees as one q/k apart.
 */
#include "names.h"
#include "alloc.h"
#include "utf8.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

struct limen__normalizer {
    const UNormalizer2 *nfkc_cf; /* ICU singletons: thread-safe */
    const UNormalizer2 *nfd;
    UTransliterator *any_latin; /* not thread-safe: guarded by lock */
    pthread_mutex_t lock;
};

limen_status limen__normalizer_new(struct limen__normalizer **out)
{
    UErrorCode ec = U_ZERO_ERROR;
    *out = NULL;
    struct limen__normalizer *nz = limen__calloc(1, sizeof *nz);
    if (!nz)
        return LIMEN_ENOMEM;
    nz->nfkc_cf = unorm2_getNFKCCasefoldInstance(&ec);
    if (U_SUCCESS(ec))
        nz->nfd = unorm2_getNFDInstance(&ec);
    if (U_FAILURE(ec)) {
        limen__free(nz);
        return LIMEN_EICU;
    }
    static const UChar id[] = u"Any-Latin; Latin-ASCII";
    nz->any_latin = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &ec);
    if (U_FAILURE(ec)) {
        limen__free(nz);
        return LIMEN_EICU;
    }
    pthread_mutex_init(&nz->lock, NULL);
    *out = nz;
    return LIMEN_OK;
}

void limen__normalizer_free(struct limen__normalizer *nz)
{
    if (!nz)
        return;
    utrans_close(nz->any_latin);
    pthread_mutex_destroy(&nz->lock);
    limen__free(nz);
}

const char *limen__tok_kind_name(int kind)
{
    switch (kind) {
    case LIMEN__TOK_WORD:
        return "word";
    case LIMEN__TOK_ARTICLE:
        return "article";
    case LIMEN__TOK_PARTICLE:
        return "particle";
    case LIMEN__TOK_CONNECTOR:
        return "connector";
    case LIMEN__TOK_TITLE:
        return "title";
    case LIMEN__TOK_INITIAL:
        return "initial";
    }
    return "?";
}

/* ---- stage 1: code points to classified units ---- */

enum unit_class { U_LATIN, U_ARABIC, U_OTHER, U_SEP, U_COMMA };

struct unit {
    uint32_t cp; /* lowercase ASCII letter, Arabic letter, or other-script cp */
    uint8_t cls;
    uint16_t src; /* byte offset of the source code point */
    uint16_t src_end;
};

#define MAX_UNITS 1024

struct units {
    struct unit u[MAX_UNITS];
    int n;
};

static void push_unit(struct units *us, uint32_t cp, int cls, size_t src, size_t end)
{
    if (us->n >= MAX_UNITS)
        return;
    struct unit *u = &us->u[us->n++];
    u->cp = cp;
    u->cls = (uint8_t)cls;
    u->src = (uint16_t)src;
    u->src_end = (uint16_t)end;
}

static int is_apostrophe(uint32_t cp)
{
    switch (cp) {
    case 0x27:   /* ' */
    case 0x60:   /* ` */
    case 0xB4:   /* ´ */
    case 0x2018: /* ‘ */
    case 0x2019: /* ’ */
    case 0x201B:
    case 0x2032: /* ′ */
    case 0x02B9:
    case 0x02BB: /* ʻ okina */
    case 0x02BC: /* ʼ */
    case 0x02BD:
    case 0x02BE: /* ʾ hamza */
    case 0x02BF: /* ʿ ayn */
    case 0x02C8:
    case 0xFF07:
        return 1;
    }
    return 0;
}

/* Latin letters with no canonical decomposition to ASCII. Returns a 1-2 letter string or NULL. */
static const char *latin_special(uint32_t cp)
{
    switch (cp) {
    case 0xF8: /* ø */
        return "o";
    case 0xE6: /* æ */
        return "ae";
    case 0x153: /* œ */
        return "oe";
    case 0x142: /* ł */
        return "l";
    case 0x111: /* đ */
    case 0xF0:  /* ð */
        return "d";
    case 0x131: /* ı */
        return "i";
    case 0xFE: /* þ */
        return "th";
    case 0x127: /* ħ */
        return "h";
    case 0x167: /* ŧ */
        return "t";
    case 0x14B: /* ŋ */
        return "n";
    case 0xDF: /* ß (NFKC_Casefold already gives ss) */
        return "ss";
    case 0x1E9E:
        return "ss";
    case 0x138: /* ĸ */
        return "k";
    case 0x180: /* ƀ */
        return "b";
    case 0x1B6: /* ƶ */
        return "z";
    case 0x259: /* ə (Azerbaijani) */
        return "a";
    }
    return NULL;
}

static int is_arabic_letter(uint32_t cp)
{
    return (cp >= 0x0620 && cp <= 0x064A) || (cp >= 0x066E && cp <= 0x06D5) ||
           (cp >= 0x0750 && cp <= 0x077F) || (cp >= 0xFB50 && cp <= 0xFDFF) ||
           (cp >= 0xFE70 && cp <= 0xFEFF);
}

/* Classifies one normalised code point and appends units for it. */
static void add_cp(struct units *us, uint32_t cp, size_t src, size_t end)
{
    if (cp < 0x80) {
        if (cp >= 'a' && cp <= 'z')
            push_unit(us, cp, U_LATIN, src, end);
        else if (cp >= 'A' && cp <= 'Z')
            push_unit(us, cp + 32, U_LATIN, src, end);
        else if (cp == ',' || cp == ';')
            push_unit(us, ',', U_COMMA, src, end);
        else if (!is_apostrophe(cp))
            push_unit(us, ' ', U_SEP, src, end);
        return;
    }
    if (is_apostrophe(cp))
        return;
    int8_t gc = (int8_t)u_charType((UChar32)cp);
    if (gc == U_NON_SPACING_MARK || gc == U_ENCLOSING_MARK || gc == U_COMBINING_SPACING_MARK ||
        gc == U_FORMAT_CHAR || cp == 0x0640 /* tatweel */)
        return;
    const char *sp = latin_special(cp);
    if (sp) {
        for (; *sp; sp++)
            push_unit(us, (uint32_t)*sp, U_LATIN, src, end);
        return;
    }
    if (is_arabic_letter(cp)) {
        push_unit(us, cp, U_ARABIC, src, end);
        return;
    }
    if (gc == U_UPPERCASE_LETTER || gc == U_LOWERCASE_LETTER || gc == U_TITLECASE_LETTER ||
        gc == U_MODIFIER_LETTER || gc == U_OTHER_LETTER) {
        UErrorCode ec = U_ZERO_ERROR;
        UScriptCode sc = uscript_getScript((UChar32)cp, &ec);
        if (U_SUCCESS(ec) && sc == USCRIPT_LATIN)
            return; /* a Latin letter ICU could not reduce: rare, dropped */
        push_unit(us, cp, U_OTHER, src, end);
        return;
    }
    if (gc == U_DECIMAL_DIGIT_NUMBER)
        return;
    if (cp == 0x060C || cp == 0x061B) /* Arabic comma, semicolon */
        push_unit(us, ',', U_COMMA, src, end);
    else
        push_unit(us, ' ', U_SEP, src, end);
}

/* Normalises a cluster (base + combining marks) with ICU and classifies the result. */
static limen_status add_cluster(struct limen__normalizer *nz, struct units *us, const char *s,
                                size_t start, size_t end)
{
    UChar in[64], mid[64], outb[64];
    int32_t inlen = 0, midlen, outlen;
    UErrorCode ec = U_ZERO_ERROR;
    if (end - start > 60) {
        /* An absurd run of combining marks: keep the base only. */
        size_t i = start;
        int32_t cp = limen__utf8_next(s, end, &i);
        add_cp(us, (uint32_t)cp, start, end);
        return LIMEN_OK;
    }
    u_strFromUTF8(in, 64, &inlen, s + start, (int32_t)(end - start), &ec);
    if (U_FAILURE(ec))
        return LIMEN_EICU;
    midlen = unorm2_normalize(nz->nfkc_cf, in, inlen, mid, 64, &ec);
    if (U_FAILURE(ec))
        return LIMEN_EICU;
    outlen = unorm2_normalize(nz->nfd, mid, midlen, outb, 64, &ec);
    if (U_FAILURE(ec))
        return LIMEN_EICU;
    for (int32_t k = 0; k < outlen;) {
        UChar32 c;
        U16_NEXT(outb, k, outlen, c);
        add_cp(us, (uint32_t)c, start, end);
    }
    return LIMEN_OK;
}

static int is_combining(uint32_t cp)
{
    int8_t gc = (int8_t)u_charType((UChar32)cp);
    return gc == U_NON_SPACING_MARK || gc == U_ENCLOSING_MARK || gc == U_COMBINING_SPACING_MARK;
}

static limen_status to_units(struct limen__normalizer *nz, const char *s, size_t len,
                             struct units *us)
{
    size_t i = 0;
    us->n = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            add_cp(us, c, i, i + 1);
            i++;
            continue;
        }
        size_t start = i;
        int32_t cp = limen__utf8_next(s, len, &i);
        if (cp < 0)
            return LIMEN_EUTF8;
        /* Take the combining marks that follow into the cluster. */
        size_t j = i;
        while (j < len) {
            size_t k = j;
            int32_t m = limen__utf8_next(s, len, &k);
            if (m < 0 || !is_combining((uint32_t)m))
                break;
            j = k;
        }
        limen_status st = add_cluster(nz, us, s, start, j);
        if (st != LIMEN_OK)
            return st;
        i = j;
    }
    return LIMEN_OK;
}

/* ---- stage 3: Arabic romanisation ---- */

/* Romanisation of one Arabic letter; position-dependent letters are handled by the caller. */
static const char *arabic_letter(uint32_t cp)
{
    switch (cp) {
    case 0x0621: return "";   /* hamza */
    case 0x0622: return "a";  /* alef madda */
    case 0x0623: return "a";  /* alef hamza above */
    case 0x0624: return "u";  /* waw hamza */
    case 0x0625: return "i";  /* alef hamza below */
    case 0x0626: return "i";  /* yeh hamza */
    case 0x0627: return "a";  /* alef */
    case 0x0628: return "b";
    case 0x0629: return "a";  /* ta marbuta */
    case 0x062A: return "t";
    case 0x062B: return "th";
    case 0x062C: return "j";
    case 0x062D: return "h";
    case 0x062E: return "kh";
    case 0x062F: return "d";
    case 0x0630: return "dh";
    case 0x0631: return "r";
    case 0x0632: return "z";
    case 0x0633: return "s";
    case 0x0634: return "sh";
    case 0x0635: return "s";
    case 0x0636: return "d";
    case 0x0637: return "t";
    case 0x0638: return "z";
    case 0x0639: return "";   /* ayn: see caller */
    case 0x063A: return "gh";
    case 0x0641: return "f";
    case 0x0642: return "q";
    case 0x0643: return "k";
    case 0x0644: return "l";
    case 0x0645: return "m";
    case 0x0646: return "n";
    case 0x0647: return "h";
    case 0x0648: return "u";  /* waw: w when initial */
    case 0x0649: return "a";  /* alef maqsura */
    case 0x064A: return "i";  /* yeh: y when initial */
    case 0x0671: return "a";  /* alef wasla */
    case 0x0679: return "t";
    case 0x067E: return "p";
    case 0x0686: return "ch";
    case 0x0688: return "d";
    case 0x0691: return "r";
    case 0x0698: return "zh";
    case 0x06A4: return "v";
    case 0x06A8: return "g";  /* Algerian gaf */
    case 0x06A9: return "k";
    case 0x06AF: return "g";
    case 0x06BA: return "n";
    case 0x06BE: return "h";
    case 0x06C0: return "a";
    case 0x06C1: return "h";
    case 0x06CC: return "i";  /* Farsi yeh */
    case 0x06D2: return "e";
    case 0x06D5: return "a";
    }
    return NULL; /* presentation forms were folded by NFKC; anything else is dropped */
}

static int arabic_is_waw(uint32_t cp)
{
    return cp == 0x0648;
}

static int arabic_is_yeh(uint32_t cp)
{
    return cp == 0x064A || cp == 0x06CC;
}

static int arabic_is_alef(uint32_t cp)
{
    return cp == 0x0627 || cp == 0x0671;
}

/* ---- stage 2/5: words and tokens ---- */

struct word {
    char text[LIMEN__TOKEN_MAX * 2 + 1];
    int len;
    uint8_t flags;
    uint8_t article_split; /* an Arabic ال was split off before this word */
    uint16_t src_start, src_end;
};

#define MAX_WORDS 40

struct words {
    struct word w[MAX_WORDS];
    int n;
    int comma_at; /* index of the first word after the only comma, or -1 */
    int commas;
};

static void word_add_char(struct word *w, char c)
{
    if (w->len < (int)sizeof w->text - 1)
        w->text[w->len++] = c;
}

static void word_add_str(struct word *w, const char *s)
{
    for (; *s; s++)
        word_add_char(w, *s);
}

static struct word *new_word(struct words *ws, uint16_t src)
{
    if (ws->n >= MAX_WORDS)
        return NULL;
    struct word *w = &ws->w[ws->n++];
    memset(w, 0, sizeof *w);
    w->src_start = src;
    w->src_end = src;
    return w;
}

/* Romanises an Arabic word from units[a..b) into one or two words (article split). */
static void arabic_word(struct words *ws, const struct unit *u, int a, int b)
{
    int n = b - a;
    /* The article ال at the start of a word of 4+ letters, except in الله (Allah). */
    int split = 0;
    if (n >= 4 && arabic_is_alef(u[a].cp) && u[a + 1].cp == 0x0644) {
        int allah = n == 4 && u[a + 2].cp == 0x0644 && u[a + 3].cp == 0x0647;
        if (!allah)
            split = 1;
    }
    struct word *w;
    if (split) {
        w = new_word(ws, u[a].src);
        if (!w)
            return;
        word_add_str(w, "al");
        w->flags |= LIMEN__TF_ARABIC;
        w->src_end = u[a + 1].src_end;
        a += 2;
    }
    w = new_word(ws, u[a].src);
    if (!w)
        return;
    w->flags |= LIMEN__TF_ARABIC;
    w->article_split = (uint8_t)split;
    for (int i = a; i < b; i++) {
        uint32_t cp = u[i].cp;
        int initial = i == a;
        if (cp == 0x0639) { /* ayn: a vowel at the start, silent elsewhere */
            if (initial)
                word_add_char(w, 'a');
        } else if (initial && arabic_is_waw(cp)) {
            word_add_char(w, 'w');
        } else if (initial && arabic_is_yeh(cp)) {
            word_add_char(w, 'y');
        } else if (arabic_is_yeh(cp) && i + 1 < b && !arabic_is_alef(u[i - 1].cp) &&
                   (arabic_is_alef(u[i + 1].cp) || arabic_is_waw(u[i + 1].cp))) {
            /* yeh before a long vowel is a consonant: Ilyas, Ziyad */
            word_add_char(w, 'y');
        } else if (arabic_is_waw(cp) && i + 1 < b && arabic_is_alef(u[i + 1].cp)) {
            word_add_char(w, 'w'); /* waw before alef: Marwan, Nawaf */
        } else {
            const char *r = arabic_letter(cp);
            if (r)
                word_add_str(w, r);
        }
        w->src_end = u[i].src_end;
    }
    if (w->len == 0)
        ws->n--;
}

/* Transliterates a run of other-script units with ICU into ASCII words. */
static limen_status other_run(struct limen__normalizer *nz, struct words *ws, const struct unit *u,
                              int a, int b)
{
    UChar buf[256];
    int32_t len = 0;
    for (int i = a; i < b && len < 120; i++)
        U16_APPEND_UNSAFE(buf, len, (UChar32)u[i].cp);
    int32_t limit = len;
    UErrorCode ec = U_ZERO_ERROR;
    pthread_mutex_lock(&nz->lock);
    utrans_transUChars(nz->any_latin, buf, &len, 256, 0, &limit, &ec);
    pthread_mutex_unlock(&nz->lock);
    if (U_FAILURE(ec))
        return LIMEN_EICU;
    struct word *w = NULL;
    for (int32_t k = 0; k < len && k < 256; k++) {
        UChar c = buf[k];
        if (c >= 'A' && c <= 'Z')
            c = (UChar)(c + 32);
        if (c >= 'a' && c <= 'z') {
            if (!w) {
                w = new_word(ws, u[a].src);
                if (!w)
                    return LIMEN_OK;
                w->flags |= LIMEN__TF_TRANSLIT;
                w->src_end = u[b - 1].src_end;
            }
            word_add_char(w, (char)c);
        } else if (c == ' ' || c == '-') {
            w = NULL;
        }
    }
    return LIMEN_OK;
}

static limen_status to_words(struct limen__normalizer *nz, const struct units *us,
                             struct words *ws)
{
    ws->n = 0;
    ws->commas = 0;
    ws->comma_at = -1;
    int i = 0;
    while (i < us->n) {
        const struct unit *u = &us->u[i];
        if (u->cls == U_SEP) {
            i++;
            continue;
        }
        if (u->cls == U_COMMA) {
            ws->commas++;
            if (ws->commas == 1)
                ws->comma_at = ws->n;
            i++;
            continue;
        }
        int j = i;
        while (j < us->n && us->u[j].cls == u->cls)
            j++;
        if (u->cls == U_LATIN) {
            struct word *w = new_word(ws, u->src);
            if (!w)
                break;
            for (int k = i; k < j; k++)
                word_add_char(w, (char)us->u[k].cp);
            w->src_end = us->u[j - 1].src_end;
        } else if (u->cls == U_ARABIC) {
            arabic_word(ws, us->u, i, j);
        } else {
            limen_status st = other_run(nz, ws, us->u, i, j);
            if (st != LIMEN_OK)
                return st;
        }
        i = j;
    }
    return LIMEN_OK;
}

/* ---- classification tables ---- */

struct canon {
    const char *form;
    const char *canon;
    uint8_t kind;
};

/* Sorted by form for bsearch. */
static const struct canon minor_words[] = {
    {"abi", "abu", LIMEN__TOK_CONNECTOR},     {"abo", "abu", LIMEN__TOK_CONNECTOR},
    {"aboo", "abu", LIMEN__TOK_CONNECTOR},    {"abou", "abu", LIMEN__TOK_CONNECTOR},
    {"abu", "abu", LIMEN__TOK_CONNECTOR},     {"ach", "al", LIMEN__TOK_ARTICLE},
    {"ad", "al", LIMEN__TOK_ARTICLE},         {"adh", "al", LIMEN__TOK_ARTICLE},
    {"ag", "ag", LIMEN__TOK_CONNECTOR},       {"ait", "ait", LIMEN__TOK_CONNECTOR},
    {"aith", "ait", LIMEN__TOK_CONNECTOR},    {"al", "al", LIMEN__TOK_ARTICLE},
    {"an", "al", LIMEN__TOK_ARTICLE},         {"ar", "al", LIMEN__TOK_ARTICLE},
    {"as", "al", LIMEN__TOK_ARTICLE},         {"ash", "al", LIMEN__TOK_ARTICLE},
    {"at", "al", LIMEN__TOK_ARTICLE},         {"ath", "al", LIMEN__TOK_ARTICLE},
    {"awlad", "ould", LIMEN__TOK_CONNECTOR},  {"ayt", "ait", LIMEN__TOK_CONNECTOR},
    {"az", "al", LIMEN__TOK_ARTICLE},         {"bani", "beni", LIMEN__TOK_CONNECTOR},
    {"ben", "ben", LIMEN__TOK_CONNECTOR},     {"beni", "beni", LIMEN__TOK_CONNECTOR},
    {"bent", "bint", LIMEN__TOK_CONNECTOR},   {"bin", "ben", LIMEN__TOK_CONNECTOR},
    {"bint", "bint", LIMEN__TOK_CONNECTOR},   {"binti", "bint", LIMEN__TOK_CONNECTOR},
    {"bn", "ben", LIMEN__TOK_CONNECTOR},      {"bni", "beni", LIMEN__TOK_CONNECTOR},
    {"bnt", "bint", LIMEN__TOK_CONNECTOR},    {"capt", "capt", LIMEN__TOK_TITLE},
    {"captain", "capt", LIMEN__TOK_TITLE},    {"cheikh", "sheikh", LIMEN__TOK_TITLE},
    {"col", "col", LIMEN__TOK_TITLE},         {"colonel", "col", LIMEN__TOK_TITLE},
    {"da", "da", LIMEN__TOK_PARTICLE},        {"das", "da", LIMEN__TOK_PARTICLE},
    {"de", "de", LIMEN__TOK_PARTICLE},        {"degli", "di", LIMEN__TOK_PARTICLE},
    {"dei", "di", LIMEN__TOK_PARTICLE},       {"del", "del", LIMEN__TOK_PARTICLE},
    {"dela", "de", LIMEN__TOK_PARTICLE},      {"della", "del", LIMEN__TOK_PARTICLE},
    {"delle", "del", LIMEN__TOK_PARTICLE},    {"dello", "del", LIMEN__TOK_PARTICLE},
    {"den", "van", LIMEN__TOK_PARTICLE},      {"der", "van", LIMEN__TOK_PARTICLE},
    {"des", "de", LIMEN__TOK_PARTICLE},       {"di", "di", LIMEN__TOK_PARTICLE},
    {"do", "da", LIMEN__TOK_PARTICLE},        {"doctor", "dr", LIMEN__TOK_TITLE},
    {"dos", "da", LIMEN__TOK_PARTICLE},       {"dr", "dr", LIMEN__TOK_TITLE},
    {"du", "de", LIMEN__TOK_PARTICLE},        {"ebn", "ben", LIMEN__TOK_CONNECTOR},
    {"ech", "al", LIMEN__TOK_ARTICLE},        {"ed", "al", LIMEN__TOK_ARTICLE},
    {"el", "al", LIMEN__TOK_ARTICLE},         {"en", "al", LIMEN__TOK_ARTICLE},
    {"er", "al", LIMEN__TOK_ARTICLE},         {"es", "al", LIMEN__TOK_ARTICLE},
    {"esh", "al", LIMEN__TOK_ARTICLE},        {"et", "al", LIMEN__TOK_ARTICLE},
    {"ez", "al", LIMEN__TOK_ARTICLE},         {"gen", "gen", LIMEN__TOK_TITLE},
    {"general", "gen", LIMEN__TOK_TITLE},     {"hadj", "haj", LIMEN__TOK_TITLE},
    {"hadji", "haj", LIMEN__TOK_TITLE},       {"haj", "haj", LIMEN__TOK_TITLE},
    {"haji", "haj", LIMEN__TOK_TITLE},        {"hajj", "haj", LIMEN__TOK_TITLE},
    {"hajji", "haj", LIMEN__TOK_TITLE},       {"ibn", "ben", LIMEN__TOK_CONNECTOR},
    {"il", "al", LIMEN__TOK_ARTICLE},         {"jr", "jr", LIMEN__TOK_TITLE},
    {"la", "la", LIMEN__TOK_PARTICLE},        {"las", "la", LIMEN__TOK_PARTICLE},
    {"le", "la", LIMEN__TOK_PARTICLE},        {"lo", "la", LIMEN__TOK_PARTICLE},
    {"los", "la", LIMEN__TOK_PARTICLE},       {"maulana", "mawlawi", LIMEN__TOK_TITLE},
    {"maulavi", "mawlawi", LIMEN__TOK_TITLE}, {"maulvi", "mawlawi", LIMEN__TOK_TITLE},
    {"mawlawi", "mawlawi", LIMEN__TOK_TITLE}, {"mlle", "mr", LIMEN__TOK_TITLE},
    {"mme", "mr", LIMEN__TOK_TITLE},          {"moulavi", "mawlawi", LIMEN__TOK_TITLE},
    {"mr", "mr", LIMEN__TOK_TITLE},           {"mrs", "mr", LIMEN__TOK_TITLE},
    {"ms", "mr", LIMEN__TOK_TITLE},           {"mulla", "mullah", LIMEN__TOK_TITLE},
    {"mullah", "mullah", LIMEN__TOK_TITLE},   {"oulad", "ould", LIMEN__TOK_CONNECTOR},
    {"ould", "ould", LIMEN__TOK_CONNECTOR},   {"ouled", "ould", LIMEN__TOK_CONNECTOR},
    {"prof", "prof", LIMEN__TOK_TITLE},       {"qari", "qari", LIMEN__TOK_TITLE},
    {"sh", "sheikh", LIMEN__TOK_TITLE},       {"shaikh", "sheikh", LIMEN__TOK_TITLE},
    {"shaykh", "sheikh", LIMEN__TOK_TITLE},   {"sheik", "sheikh", LIMEN__TOK_TITLE},
    {"sheikh", "sheikh", LIMEN__TOK_TITLE},   {"sr", "sr", LIMEN__TOK_TITLE},
    {"ten", "van", LIMEN__TOK_PARTICLE},      {"ter", "van", LIMEN__TOK_PARTICLE},
    {"ud", "al", LIMEN__TOK_ARTICLE},         {"ul", "al", LIMEN__TOK_ARTICLE},
    {"ur", "al", LIMEN__TOK_ARTICLE},         {"us", "al", LIMEN__TOK_ARTICLE},
    {"uz", "al", LIMEN__TOK_ARTICLE},         {"van", "van", LIMEN__TOK_PARTICLE},
    {"vom", "von", LIMEN__TOK_PARTICLE},      {"von", "von", LIMEN__TOK_PARTICLE},
    {"walad", "ould", LIMEN__TOK_CONNECTOR},  {"weld", "ould", LIMEN__TOK_CONNECTOR},
    {"wld", "ould", LIMEN__TOK_CONNECTOR},    {"wuld", "ould", LIMEN__TOK_CONNECTOR},
    {"y", "y", LIMEN__TOK_PARTICLE},          {"ybn", "ben", LIMEN__TOK_CONNECTOR},
};

static int cmp_canon(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const struct canon *)elem)->form);
}

static const struct canon *lookup_minor(const char *w)
{
    return bsearch(w, minor_words, sizeof minor_words / sizeof minor_words[0],
                   sizeof minor_words[0], cmp_canon);
}

int limen__token_kind(const char *text, int len, int name_ntok)
{
    if (name_ntok > 1 && len <= 7) {
        char w[8];
        memcpy(w, text, (size_t)len);
        w[len] = '\0';
        const struct canon *c = lookup_minor(w);
        if (c)
            return c->kind;
    }
    return len == 1 ? LIMEN__TOK_INITIAL : LIMEN__TOK_WORD;
}

/* Abd- forms that stand alone and join the following word. */
static int is_abd_form(const char *w)
{
    static const char *const forms[] = {"abd",   "abdal", "abdel", "abdil", "abdol", "abdul",
                                        "abdou", "abdu",  "abdo",  "abdoul", "abdur", "abder",
                                        "abdar", "abdus", "abdes", "abdas", "abdoel", "abdeel"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        if (strcmp(w, forms[i]) == 0)
            return 1;
    return 0;
}

static int is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static int is_sun_letter(char c)
{
    return c == 't' || c == 'd' || c == 'r' || c == 'z' || c == 's' || c == 'n' || c == 'l';
}

/*
 * Canonical abd- prefix: abd + vowels + l (abdel-, abdul-), + an assimilated
 * doubled sun letter (abdurrahman, abdessalam) or + vowels + sun letter
 * (abdourahmane), or abd + consonant (abdrahman) all become "abdal" + rest.
 * Returns 1 when the word was rewritten.
 */
static int canon_abd(char *w, int *len)
{
    if (*len < 6 || strncmp(w, "abd", 3) != 0)
        return 0;
    char rest[sizeof ((struct word *)0)->text];
    int p = 3, v = 0;
    while (p < *len && is_vowel(w[p])) {
        p++;
        v++;
    }
    if (p >= *len)
        return 0;
    int from;
    if (v > 0 && w[p] == 'l')
        from = p + 1;
    else if (v > 0 && is_sun_letter(w[p]) && p + 1 < *len && w[p + 1] == w[p])
        from = p + 1;
    else if (v > 0 && is_sun_letter(w[p]))
        from = p;
    else if (v == 0)
        from = p;
    else
        return 0;
    int rl = *len - from;
    if (rl < 2)
        return 0;
    memcpy(rest, w + from, (size_t)rl);
    memcpy(w, "abdal", 5);
    memcpy(w + 5, rest, (size_t)rl);
    *len = 5 + rl;
    w[*len] = '\0';
    return 1;
}

/* Canonical abu- prefix of a joined word: aboubakr, abubakr -> "abubakr". */
static int canon_abu(char *w, int *len)
{
    static const char *const pre[] = {"abou", "aboo", "abu", "abo"};
    if (*len < 6)
        return 0;
    for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++) {
        int pl = (int)strlen(pre[i]);
        if (strncmp(w, pre[i], (size_t)pl) == 0 && !is_vowel(w[pl])) {
            if (pl == 3)
                return 0; /* already canonical */
            memmove(w + 3, w + pl, (size_t)(*len - pl));
            memcpy(w, "abu", 3);
            *len -= pl - 3;
            w[*len] = '\0';
            return 1;
        }
    }
    return 0;
}

static void emit(struct limen__name *out, const char *text, int len, int kind, int flags,
                 int src_start, int src_end)
{
    if (len <= 0)
        return;
    if (out->n >= LIMEN__NAME_MAX_TOKENS) {
        out->dropped++;
        return;
    }
    struct limen__token *t = &out->tok[out->n++];
    if (len > LIMEN__TOKEN_MAX)
        len = LIMEN__TOKEN_MAX;
    memcpy(t->text, text, (size_t)len);
    t->text[len] = '\0';
    t->len = (uint8_t)len;
    t->kind = (uint8_t)kind;
    t->flags = (uint8_t)flags;
    t->src_start = (uint16_t)src_start;
    t->src_len = (uint16_t)(src_end > src_start ? src_end - src_start : 0);
}

limen_status limen__name_normalize(struct limen__normalizer *nz, const char *s, size_t len,
                                   struct limen__name *out)
{
    limen_status st = LIMEN_OK;
    struct units *us = NULL;
    struct words *ws = NULL;
    out->n = 0;
    out->dropped = 0;
    if (len > 65535)
        return LIMEN_ETOOLONG;
    if (!limen__utf8_valid(s, len, NULL))
        return LIMEN_EUTF8;
    us = limen__malloc(sizeof *us);
    ws = limen__malloc(sizeof *ws);
    if (!us || !ws) {
        st = LIMEN_ENOMEM;
        goto out;
    }
    if ((st = to_units(nz, s, len, us)) != LIMEN_OK)
        goto out;
    if ((st = to_words(nz, us, ws)) != LIMEN_OK)
        goto out;

    /* Word order: "SURNAME, Given names" becomes "Given names SURNAME". */
    int order[MAX_WORDS], n = 0;
    if (ws->commas == 1 && ws->comma_at > 0 && ws->comma_at < ws->n) {
        for (int i = ws->comma_at; i < ws->n; i++)
            order[n++] = i;
        for (int i = 0; i < ws->comma_at; i++)
            order[n++] = i;
    } else {
        for (int i = 0; i < ws->n; i++)
            order[n++] = i;
    }

    for (int oi = 0; oi < n; oi++) {
        struct word *w = &ws->w[order[oi]];
        int src_start = w->src_start, src_end = w->src_end;
        int flags = w->flags;
        char text[sizeof w->text + LIMEN__TOKEN_MAX * 2];
        int tl = w->len;
        memcpy(text, w->text, (size_t)tl);
        text[tl] = '\0';

        /* Abd- compounds: abd [article] X -> one word. */
        if (is_abd_form(text) && oi + 1 < n) {
            int k = oi + 1;
            struct word *nx = &ws->w[order[k]];
            char tmp[8];
            snprintf(tmp, sizeof tmp, "%.*s", nx->len < 7 ? nx->len : 7, nx->text);
            const struct canon *c = lookup_minor(tmp);
            int article = c && c->kind == LIMEN__TOK_ARTICLE && k + 1 < n;
            if (article) {
                k++;
                nx = &ws->w[order[k]];
            }
            if (nx->len >= 2 && !lookup_minor(nx->text)) {
                /* abd [al] X: the article is written unless the abd- form
                 * already holds it (abdel, abdul, abdur...) or X starts with
                 * it (abd allah). */
                int bare_abd = strcmp(text, "abd") == 0 || strcmp(text, "abdu") == 0 ||
                               strcmp(text, "abdou") == 0 || strcmp(text, "abdo") == 0;
                int x_has_al = nx->len > 2 && is_vowel(nx->text[0]) && nx->text[1] == 'l';
                if (bare_abd && (article || !x_has_al)) {
                    memcpy(text + tl, "al", 2);
                    tl += 2;
                }
                int add = nx->len;
                if (tl + add > (int)sizeof text - 1)
                    add = (int)sizeof text - 1 - tl;
                memcpy(text + tl, nx->text, (size_t)add);
                tl += add;
                text[tl] = '\0';
                flags |= LIMEN__TF_MERGED | nx->flags;
                if (nx->src_end > src_end)
                    src_end = nx->src_end;
                if (nx->src_start < src_start)
                    src_start = nx->src_start;
                oi = k;
            }
        }
        if (canon_abd(text, &tl) || canon_abu(text, &tl))
            flags |= LIMEN__TF_CANON;

        int kind = LIMEN__TOK_WORD;
        const char *canon = text;
        int cl = tl;
        const struct canon *c = tl <= 7 ? lookup_minor(text) : NULL;
        if (c && n > 1) {
            kind = c->kind;
            canon = c->canon;
            cl = (int)strlen(c->canon);
        } else if (tl == 1) {
            kind = LIMEN__TOK_INITIAL;
        }
        emit(out, canon, cl, kind, flags, src_start, src_end);
    }
out:
    limen__free(us);
    limen__free(ws);
    return st;
}
