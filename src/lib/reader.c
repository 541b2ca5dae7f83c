/*
 * JSON Lines reader: one FtM entity per line, with bounded line length. A line
 * longer than the limit is an error for that line only: the rest of it is
 * read and dropped so the next call starts on the next line. Blank lines and
 * a UTF-8 byte-order mark at the start of the file are passed over.
 */
#include "limen/entity.h"
#include "alloc.h"
#include "entity_int.h"
#include "status_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define READER_DEFAULT_MAX_LINE (1u << 20)

struct limen_reader {
    FILE *fp;
    int owns_fp;
    unsigned flags;
    size_t max_line;
    char *line; /* max_line + 2 bytes */
    struct limen_reader_stats stats;
};

limen_status limen_reader_new(FILE *fp, const char *name, size_t max_line,
                              struct limen_reader **out)
{
    (void)name;
    *out = NULL;
    if (!fp)
        return LIMEN_EINVAL;
    if (max_line == 0)
        max_line = READER_DEFAULT_MAX_LINE;
    struct limen_reader *r = limen__calloc(1, sizeof *r);
    if (!r)
        return LIMEN_ENOMEM;
    r->line = limen__malloc(max_line + 2);
    if (!r->line) {
        limen__free(r);
        return LIMEN_ENOMEM;
    }
    r->fp = fp;
    r->max_line = max_line;
    *out = r;
    return LIMEN_OK;
}

limen_status limen_reader_open(const char *path, size_t max_line, struct limen_reader **out,
                               struct limen_error *err)
{
    limen_error_clear(err);
    *out = NULL;
    int is_stdin = strcmp(path, "-") == 0;
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    if (!fp)
        return limen__error_set(err, LIMEN_EIO, NULL, "cannot open %s: %s", path,
                                strerror(errno));
    limen_status st = limen_reader_new(fp, path, max_line, out);
    if (st != LIMEN_OK) {
        if (!is_stdin)
            fclose(fp);
        return limen__error_set(err, st, NULL, "%s", limen_strerror(st));
    }
    (*out)->owns_fp = !is_stdin;
    return LIMEN_OK;
}

void limen_reader_set_query_mode(struct limen_reader *r, int on)
{
    if (on)
        r->flags |= LIMEN__PARSE_QUERY;
    else
        r->flags &= ~LIMEN__PARSE_QUERY;
}

void limen_reader_stats(const struct limen_reader *r, struct limen_reader_stats *stats)
{
    *stats = r->stats;
}

void limen_reader_free(struct limen_reader *r)
{
    if (!r)
        return;
    if (r->owns_fp)
        fclose(r->fp);
    limen__free(r->line);
    limen__free(r);
}

/*
 * Reads one line into r->line without its end of line. Returns 1 with *len,
 * 0 at end of file, -1 for an over-long line (consumed), -2 for a read error.
 */
static int read_line(struct limen_reader *r, size_t *len)
{
    size_t n = 0;
    int c;
    int too_long = 0;
    /* The reader is the FILE's only user while a line is read: no lock per byte. */
    flockfile(r->fp);
    while ((c = getc_unlocked(r->fp)) != EOF) {
        if (c == '\n')
            break;
        if (n < r->max_line)
            r->line[n++] = (char)c;
        else
            too_long = 1;
    }
    funlockfile(r->fp);
    if (c == EOF && ferror(r->fp))
        return -2;
    if (c == EOF && n == 0 && !too_long)
        return 0;
    if (n > 0 && r->line[n - 1] == '\r')
        n--;
    r->line[n] = '\0';
    *len = n;
    return too_long ? -1 : 1;
}

limen_status limen__reader_line(struct limen_reader *r, const char **line, size_t *line_len,
                                struct limen_error *err)
{
    limen_error_clear(err);
    for (;;) {
        size_t len = 0;
        int rc = read_line(r, &len);
        if (rc == 0)
            return LIMEN_EOF;
        r->stats.lines++;
        if (err)
            err->line = (long)r->stats.lines;
        if (rc == -2)
            return limen__error_set(err, LIMEN_EIO, NULL, "read error: %s", strerror(errno));
        if (rc == -1)
            return limen__error_set(err, LIMEN_ETOOLONG, NULL, "line longer than %zu bytes",
                                    r->max_line);
        const char *s = r->line;
        if (r->stats.lines == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            len -= 3;
        }
        size_t k = 0;
        while (k < len && (s[k] == ' ' || s[k] == '\t'))
            k++;
        if (k == len)
            continue;
        *line = s;
        *line_len = len;
        return LIMEN_OK;
    }
}

unsigned limen__reader_flags(const struct limen_reader *r)
{
    return r->flags;
}

void limen__reader_count(struct limen_reader *r, int parsed)
{
    if (parsed)
        r->stats.read++;
    else
        r->stats.skipped++;
}

limen_status limen_reader_next(struct limen_reader *r, struct limen_entity **out,
                               struct limen_error *err)
{
    *out = NULL;
    const char *s = NULL;
    size_t len = 0;
    limen_status st = limen__reader_line(r, &s, &len, err);
    if (st == LIMEN_EOF)
        return st;
    if (st == LIMEN_OK) {
        st = limen__entity_parse_flags(s, len, r->flags, out, err);
        if (err)
            err->line = (long)r->stats.lines;
    }
    if (st != LIMEN_EIO)
        limen__reader_count(r, st == LIMEN_OK);
    return st;
}
