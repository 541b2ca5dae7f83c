/*
 * CSV record reader: a small state machine over getc(). Field bytes are
 * appended to one growing buffer with a NUL after each field, and the start
 * and length of each field are kept in two arrays, so a record costs no
 * allocation once the buffers have grown to the largest record seen.
 */
#include "csv.h"

#include <string.h>

#include "alloc.h"

void limen__csv_init(struct limen__csv *c, FILE *fp, size_t max_record, size_t max_fields)
{
    memset(c, 0, sizeof *c);
    c->fp = fp;
    c->next_line = 1;
    c->column = 1;
    c->max_record = max_record ? max_record : LIMEN__CSV_MAX_RECORD;
    c->max_fields = max_fields ? max_fields : LIMEN__CSV_MAX_FIELDS;
    limen_buf_init(&c->data);
}

void limen__csv_release(struct limen__csv *c)
{
    limen_buf_release(&c->data);
    limen__free(c->offs);
    limen__free(c->lens);
    c->offs = c->lens = NULL;
    c->nfields = c->cap = 0;
}

const char *limen__csv_field(const struct limen__csv *c, size_t i, size_t *len)
{
    if (i >= c->nfields)
        return NULL;
    if (len)
        *len = c->lens[i];
    return c->data.data + c->offs[i];
}

static int getb(struct limen__csv *c)
{
    int ch = getc(c->fp);
    if (ch == '\n') {
        c->next_line++;
        c->column = 1;
    } else if (ch != EOF) {
        c->column++;
    }
    return ch;
}

/* Skips to the end of the current physical line after an error. */
static void skip_line(struct limen__csv *c)
{
    int ch;
    while ((ch = getb(c)) != EOF && ch != '\n')
        ;
}

static limen_status fail_at(struct limen__csv *c, struct limen_error *err, limen_status st,
                            long line, long col, const char *what)
{
    limen__error_set(err, st, NULL, "line %ld, byte %ld: %s", line, col < 1 ? 1 : col, what);
    if (err) {
        err->line = line;
        err->column = col < 1 ? 1 : col;
    }
    if (c->next_line == line)
        skip_line(c);
    return st;
}

/* An error at the byte just read. */
static limen_status fail(struct limen__csv *c, struct limen_error *err, limen_status st,
                         const char *what)
{
    return fail_at(c, err, st, c->next_line, c->column - 1, what);
}

static limen_status start_field(struct limen__csv *c, struct limen_error *err)
{
    if (c->nfields >= c->max_fields)
        return fail(c, err, LIMEN_ELIMIT, "too many fields in the record");
    if (c->nfields == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 16;
        size_t *o = limen__reallocarray(c->offs, ncap, sizeof *o);
        if (!o)
            return limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory reading CSV");
        c->offs = o;
        size_t *l = limen__reallocarray(c->lens, ncap, sizeof *l);
        if (!l)
            return limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory reading CSV");
        c->lens = l;
        c->cap = ncap;
    }
    c->offs[c->nfields] = c->data.len;
    c->lens[c->nfields] = 0;
    c->nfields++;
    return LIMEN_OK;
}

static limen_status end_field(struct limen__csv *c, struct limen_error *err)
{
    size_t i = c->nfields - 1;
    c->lens[i] = c->data.len - c->offs[i];
    limen_buf_addch(&c->data, '\0');
    if (limen_buf_failed(&c->data))
        return limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory reading CSV");
    return LIMEN_OK;
}

static limen_status put(struct limen__csv *c, struct limen_error *err, int ch)
{
    if (c->data.len >= c->max_record)
        return fail(c, err, LIMEN_ETOOLONG, "record longer than the limit");
    limen_buf_addch(&c->data, (char)ch);
    if (limen_buf_failed(&c->data))
        return limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory reading CSV");
    return LIMEN_OK;
}

limen_status limen__csv_next(struct limen__csv *c, struct limen_error *err)
{
    limen_status st;
    int ch;
    limen_error_clear(err);
    limen_buf_reset(&c->data);
    c->nfields = 0;

    /* Skip blank lines and a trailing DOS end-of-file byte. */
    for (;;) {
        ch = getb(c);
        if (ch == '\r' || ch == '\n')
            continue;
        if (ch == 0x1A) {
            long line = c->next_line, col = c->column - 1;
            int next = getb(c);
            if (next == EOF)
                return LIMEN_EOF;
            return fail_at(c, err, LIMEN_ESYNTAX, line, col, "control byte 0x1A inside the file");
        }
        break;
    }
    if (ch == EOF)
        return ferror(c->fp) ? limen__error_set(err, LIMEN_EIO, NULL, "read error") : LIMEN_EOF;
    c->line = c->next_line;

    for (;;) {
        if ((st = start_field(c, err)) != LIMEN_OK)
            return st;
        if (ch == '"') {
            long qline = c->next_line, qcol = c->column - 1;
            for (;;) {
                ch = getb(c);
                if (ch == EOF)
                    return fail_at(c, err, LIMEN_ESYNTAX, qline, qcol,
                                   "quoted field never closed (the file ends inside it)");
                if (ch == '"') {
                    ch = getb(c);
                    if (ch != '"')
                        break;
                }
                if (ch == '\0')
                    return fail(c, err, LIMEN_ESYNTAX, "NUL byte in a field");
                if ((st = put(c, err, ch)) != LIMEN_OK)
                    return st;
            }
            while (ch == ' ' || ch == '\t')
                ch = getb(c);
            if (ch != ',' && ch != '\n' && ch != '\r' && ch != EOF && ch != 0x1A)
                return fail(c, err, LIMEN_ESYNTAX, "unexpected character after a closing quote");
        } else {
            while (ch != ',' && ch != '\n' && ch != '\r' && ch != EOF) {
                if (ch == '\0')
                    return fail(c, err, LIMEN_ESYNTAX, "NUL byte in a field");
                if ((st = put(c, err, ch)) != LIMEN_OK)
                    return st;
                ch = getb(c);
            }
        }
        if ((st = end_field(c, err)) != LIMEN_OK)
            return st;
        if (ch == ',') {
            ch = getb(c);
            continue;
        }
        if (ch == '\r') {
            ch = getb(c);
            if (ch != '\n' && ch != EOF) {
                /* A lone CR ends the record too; push the byte back. */
                ungetc(ch, c->fp);
                c->column--;
            }
        }
        if (ch == 0x1A) {
            /* The end-of-file marker straight after the last field. */
            ungetc(ch, c->fp);
            c->column--;
        }
        if (ferror(c->fp))
            return limen__error_set(err, LIMEN_EIO, NULL, "read error");
        return LIMEN_OK;
    }
}
