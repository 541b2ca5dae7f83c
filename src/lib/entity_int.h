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

#endif
