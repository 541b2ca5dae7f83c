/* Internal entity helpers shared by the reader and the screening code. */
#ifndef LIMEN_ENTITY_INT_H
#define LIMEN_ENTITY_INT_H

#include "limen/entity.h"

/* Parse as a query: an entity with only a passport or id number and no name is accepted. */
#define LIMEN__PARSE_QUERY 1u

limen_status limen__entity_parse_flags(const char *json, size_t len, unsigned flags,
                                       struct limen_entity **out, struct limen_error *err);

/* 1 when `prop` is one of the FtM properties that hold a name (name, alias, weakAlias...). */
int limen__entity_is_name_prop(const char *prop);

struct limen_reader;
/*
 * The next non-blank line of a reader, a byte-order mark at the start of
 * the file dropped: LIMEN_OK with *line and *line_len (valid until the next
 * call), LIMEN_EOF, or LIMEN_ETOOLONG (the line is consumed) or LIMEN_EIO,
 * with err->line set. Counts the lines seen; whoever parses the line says
 * how that went with limen__reader_count() (parsed or skipped), so that
 * limen_reader_stats() stays right when lines are parsed elsewhere.
 */
limen_status limen__reader_line(struct limen_reader *r, const char **line, size_t *line_len,
                                struct limen_error *err);
unsigned limen__reader_flags(const struct limen_reader *r);
void limen__reader_count(struct limen_reader *r, int parsed);

#endif
