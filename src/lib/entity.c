/*
 * FtM entities. An entity keeps its parsed JSON (a jansson object) whole, so
 * unknown properties and extra top-level keys survive a round trip; parsing
 * validates the shape limen relies on (id, schema, properties as lists of
 * strings, the "alert" object) and reports the first problem with its field
 * and byte offset. The JSON library stays private to this module.
 */
#include "limen/entity.h"
#include "alloc.h"
#include "entity_int.h"
#include "status_int.h"
#include "utf8.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct limen_entity {
    json_t *root;  /* the whole object */
    json_t *props; /* borrowed: root["properties"] */
    const char *id;
    enum limen_schema schema;
    int has_alert;
    struct limen_alert_info alert;
    const char **keys; /* property names, in order */
    size_t nkeys;
};

static const char *const schema_names[] = {
    [LIMEN_SCHEMA_UNKNOWN] = "",
    [LIMEN_SCHEMA_PERSON] = "Person",
    [LIMEN_SCHEMA_ORGANIZATION] = "Organization",
    [LIMEN_SCHEMA_COMPANY] = "Company",
    [LIMEN_SCHEMA_LEGAL_ENTITY] = "LegalEntity",
    [LIMEN_SCHEMA_VESSEL] = "Vessel",
    [LIMEN_SCHEMA_VEHICLE] = "Vehicle",
    [LIMEN_SCHEMA_AIRPLANE] = "Airplane",
    [LIMEN_SCHEMA_PASSPORT] = "Passport",
    [LIMEN_SCHEMA_IDENTIFICATION] = "Identification",
};

const char *limen_schema_name(enum limen_schema schema)
{
    if ((size_t)schema >= sizeof schema_names / sizeof schema_names[0])
        return "";
    return schema_names[schema];
}

enum limen_schema limen_schema_from_name(const char *name)
{
    if (!name)
        return LIMEN_SCHEMA_UNKNOWN;
    for (size_t i = 1; i < sizeof schema_names / sizeof schema_names[0]; i++)
        if (strcmp(name, schema_names[i]) == 0)
            return (enum limen_schema)i;
    return LIMEN_SCHEMA_UNKNOWN;
}

void limen_free(void *p)
{
    limen__free(p);
}

/* Properties that carry names: one of them must hold a value for named schemas. */
static const char *const name_props[] = {"name",      "alias",      "weakAlias",
                                         "firstName", "lastName",   "middleName",
                                         "fatherName", "secondName", "previousName"};

int limen__entity_is_name_prop(const char *prop)
{
    for (size_t i = 0; i < sizeof name_props / sizeof name_props[0]; i++)
        if (strcmp(prop, name_props[i]) == 0)
            return 1;
    return 0;
}

static int is_document_schema(enum limen_schema s)
{
    return s == LIMEN_SCHEMA_PASSPORT || s == LIMEN_SCHEMA_IDENTIFICATION;
}

static int collect_keys(struct limen_entity *e)
{
    size_t n = json_object_size(e->props);
    const char **keys = NULL;
    if (n) {
        keys = limen__calloc(n, sizeof *keys);
        if (!keys)
            return -1;
        size_t i = 0;
        const char *k;
        json_t *v;
        json_object_foreach(e->props, k, v)
        {
            (void)v;
            keys[i++] = k;
        }
    }
    limen__free(e->keys);
    e->keys = keys;
    e->nkeys = n;
    return 0;
}

limen_status limen_entity_new(const char *id, enum limen_schema schema, struct limen_entity **out)
{
    limen_status st = LIMEN_ENOMEM;
    struct limen_entity *e = NULL;
    *out = NULL;
    if (!id || !*id || strlen(id) > LIMEN_ENTITY_MAX_ID || !limen__utf8_valid(id, strlen(id), NULL))
        return LIMEN_EINVAL;
    if (schema == LIMEN_SCHEMA_UNKNOWN || (size_t)schema >= sizeof schema_names / sizeof schema_names[0])
        return LIMEN_ESCHEMA;
    e = limen__calloc(1, sizeof *e);
    if (!e)
        goto out;
    e->schema = schema;
    e->root = json_object();
    e->props = json_object();
    if (!e->root || !e->props)
        goto out;
    if (json_object_set_new(e->root, "id", json_string(id)) != 0 ||
        json_object_set_new(e->root, "schema", json_string(schema_names[schema])) != 0 ||
        json_object_set(e->root, "properties", e->props) != 0)
        goto out;
    json_decref(e->props); /* the root holds it now */
    e->id = json_string_value(json_object_get(e->root, "id"));
    e->alert.handling = -1;
    *out = e;
    e = NULL;
    st = LIMEN_OK;
out:
    if (e) {
        json_decref(e->props);
        json_decref(e->root);
        limen__free(e);
    }
    return st;
}

limen_status limen_entity_add(struct limen_entity *e, const char *prop, const char *value,
                              size_t len)
{
    if (!e || !prop || !*prop || !value)
        return LIMEN_EINVAL;
    if (len > LIMEN_ENTITY_MAX_VALUE)
        return LIMEN_ETOOLONG;
    if (memchr(value, '\0', len) || !limen__utf8_valid(value, len, NULL))
        return LIMEN_EUTF8;
    json_t *arr = json_object_get(e->props, prop);
    int created = 0;
    if (!arr) {
        if (json_object_size(e->props) >= LIMEN_ENTITY_MAX_PROPERTIES)
            return LIMEN_ELIMIT;
        arr = json_array();
        if (!arr || json_object_set_new(e->props, prop, arr) != 0)
            return LIMEN_ENOMEM;
        created = 1;
    } else if (json_array_size(arr) >= LIMEN_ENTITY_MAX_VALUES) {
        return LIMEN_ELIMIT;
    }
    json_t *s = json_stringn(value, len);
    if (!s || json_array_append_new(arr, s) != 0)
        return LIMEN_ENOMEM;
    if (created && collect_keys(e) != 0)
        return LIMEN_ENOMEM;
    return LIMEN_OK;
}

void limen_entity_free(struct limen_entity *e)
{
    if (!e)
        return;
    json_decref(e->root);
    limen__free(e->keys);
    limen__free(e);
}

const char *limen_entity_id(const struct limen_entity *e)
{
    return e->id;
}

enum limen_schema limen_entity_schema(const struct limen_entity *e)
{
    return e->schema;
}

size_t limen_entity_count(const struct limen_entity *e, const char *prop)
{
    return json_array_size(json_object_get(e->props, prop));
}

const char *limen_entity_value(const struct limen_entity *e, const char *prop, size_t i,
                               size_t *len)
{
    json_t *v = json_array_get(json_object_get(e->props, prop), i);
    if (!v)
        return NULL;
    if (len)
        *len = json_string_length(v);
    return json_string_value(v);
}

size_t limen_entity_prop_count(const struct limen_entity *e)
{
    return e->nkeys;
}

const char *limen_entity_prop_name(const struct limen_entity *e, size_t i)
{
    return i < e->nkeys ? e->keys[i] : NULL;
}

const struct limen_alert_info *limen_entity_alert(const struct limen_entity *e)
{
    return e->has_alert ? &e->alert : NULL;
}

char *limen_entity_to_json(const struct limen_entity *e, size_t *len)
{
    char *s = json_dumps(e->root, JSON_COMPACT);
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *d = limen__strndup(s, n);
    free(s);
    if (d && len)
        *len = n;
    return d;
}

/* Copies a string member of the alert object into dst, checking type and size. */
static limen_status alert_string(json_t *alert, const char *key, char *dst, size_t cap,
                                 struct limen_error *err)
{
    json_t *v = json_object_get(alert, key);
    char field[64];
    snprintf(field, sizeof field, "alert.%s", key);
    if (!v || json_is_null(v))
        return LIMEN_OK;
    if (!json_is_string(v))
        return limen__error_set(err, LIMEN_ETYPE, field, "%s must be a string", field);
    size_t n = json_string_length(v);
    if (n >= cap)
        return limen__error_set(err, LIMEN_ETOOLONG, field, "%s is longer than %zu bytes", field,
                                cap - 1);
    memcpy(dst, json_string_value(v), n);
    dst[n] = '\0';
    return LIMEN_OK;
}

static limen_status parse_alert(struct limen_entity *e, json_t *alert, struct limen_error *err)
{
    limen_status st;
    if (!json_is_object(alert))
        return limen__error_set(err, LIMEN_ETYPE, "alert", "alert must be an object");
    e->has_alert = 1;
    if ((st = alert_string(alert, "owner", e->alert.owner, sizeof e->alert.owner, err)) ||
        (st = alert_string(alert, "category", e->alert.category, sizeof e->alert.category, err)) ||
        (st = alert_string(alert, "action", e->alert.action, sizeof e->alert.action, err)) ||
        (st = alert_string(alert, "valid_until", e->alert.valid_until, sizeof e->alert.valid_until,
                           err)))
        return st;
    json_t *h = json_object_get(alert, "handling");
    if (h && !json_is_null(h)) {
        long code = -1;
        if (json_is_integer(h)) {
            code = (long)json_integer_value(h);
        } else if (json_is_string(h)) {
            const char *s = json_string_value(h);
            if ((s[0] == 'H' || s[0] == 'h') && s[1] >= '0' && s[1] <= '3' && s[2] == '\0')
                code = s[1] - '0';
        }
        if (code < 0 || code > 3)
            return limen__error_set(err, LIMEN_ETYPE, "alert.handling",
                                    "alert.handling must be H0, H1, H2 or H3");
        e->alert.handling = (int)code;
    }
    return LIMEN_OK;
}

/* The field name of property `key` (value i when i >= 0) for an error report. */
static const char *prop_field(char *field, size_t cap, const char *key, long i)
{
    if (i < 0)
        snprintf(field, cap, "properties.%.200s", key);
    else
        snprintf(field, cap, "properties.%.200s[%ld]", key, i);
    return field;
}

static limen_status check_properties(struct limen_entity *e, struct limen_error *err)
{
    const char *key;
    json_t *arr;
    /* The field name is written only for an error: formatting it for every
     * value cost a tenth of the time of reading a list. */
    char field[LIMEN_ENTITY_MAX_ID + 32];
    if (json_object_size(e->props) > LIMEN_ENTITY_MAX_PROPERTIES)
        return limen__error_set(err, LIMEN_ETOOLONG, "properties",
                                "more than %d properties", LIMEN_ENTITY_MAX_PROPERTIES);
    json_object_foreach(e->props, key, arr)
    {
        if (!json_is_array(arr)) {
            prop_field(field, sizeof field, key, -1);
            return limen__error_set(err, LIMEN_ETYPE, field, "%s must be a list of strings",
                                    field);
        }
        if (json_array_size(arr) > LIMEN_ENTITY_MAX_VALUES) {
            prop_field(field, sizeof field, key, -1);
            return limen__error_set(err, LIMEN_ETOOLONG, field, "%s has more than %d values",
                                    field, LIMEN_ENTITY_MAX_VALUES);
        }
        int is_name = limen__entity_is_name_prop(key);
        size_t max = is_name ? LIMEN_ENTITY_MAX_NAME : LIMEN_ENTITY_MAX_VALUE;
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v)
        {
            if (!json_is_string(v)) {
                prop_field(field, sizeof field, key, (long)i);
                return limen__error_set(err, LIMEN_ETYPE, field, "%s must be a string", field);
            }
            size_t n = json_string_length(v);
            if (n > max) {
                prop_field(field, sizeof field, key, (long)i);
                return limen__error_set(err, LIMEN_ETOOLONG, field,
                                        "%s is longer than %zu bytes", field, max);
            }
            const char *s = json_string_value(v);
            size_t k = 0;
            while (k < n && (s[k] == ' ' || s[k] == '\t'))
                k++;
            if (is_name && k == n) {
                prop_field(field, sizeof field, key, (long)i);
                return limen__error_set(err, LIMEN_EEMPTY, field, "%s is an empty name", field);
            }
        }
    }
    return LIMEN_OK;
}

static int has_value(const struct limen_entity *e, const char *prop)
{
    return limen_entity_count(e, prop) > 0;
}

static limen_status check_identity(struct limen_entity *e, unsigned flags,
                                   struct limen_error *err)
{
    if (is_document_schema(e->schema)) {
        if (!has_value(e, "number"))
            return limen__error_set(err, LIMEN_EEMPTY, "properties.number",
                                    "a %s needs a document number",
                                    schema_names[e->schema]);
        return LIMEN_OK;
    }
    for (size_t i = 0; i < sizeof name_props / sizeof name_props[0]; i++)
        if (has_value(e, name_props[i]))
            return LIMEN_OK;
    if ((flags & LIMEN__PARSE_QUERY) &&
        (has_value(e, "passportNumber") || has_value(e, "idNumber")))
        return LIMEN_OK;
    return limen__error_set(err, LIMEN_EEMPTY, "properties.name", "the entity has no name");
}

limen_status limen__entity_parse_flags(const char *json, size_t len, unsigned flags,
                                       struct limen_entity **out, struct limen_error *err)
{
    limen_status st;
    json_error_t jerr;
    struct limen_entity *e = NULL;
    *out = NULL;
    limen_error_clear(err);

    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        st = json_error_code(&jerr) == json_error_invalid_utf8 ? LIMEN_EUTF8 : LIMEN_ESYNTAX;
        if (err) {
            err->column = jerr.column;
            err->offset = jerr.position > 0 ? (size_t)jerr.position : 0;
        }
        return limen__error_set(err, st, NULL, "%s", jerr.text);
    }
    e = limen__calloc(1, sizeof *e);
    if (!e) {
        json_decref(root);
        return limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory");
    }
    e->root = root;
    e->alert.handling = -1;
    if (!json_is_object(root)) {
        st = limen__error_set(err, LIMEN_ETYPE, NULL, "an entity must be a JSON object");
        goto fail;
    }
    json_t *id = json_object_get(root, "id");
    if (!id) {
        st = limen__error_set(err, LIMEN_EMISSING, "id", "missing \"id\"");
        goto fail;
    }
    if (!json_is_string(id)) {
        st = limen__error_set(err, LIMEN_ETYPE, "id", "\"id\" must be a string");
        goto fail;
    }
    if (json_string_length(id) == 0) {
        st = limen__error_set(err, LIMEN_EEMPTY, "id", "\"id\" is empty");
        goto fail;
    }
    if (json_string_length(id) > LIMEN_ENTITY_MAX_ID) {
        st = limen__error_set(err, LIMEN_ETOOLONG, "id", "\"id\" is longer than %d bytes",
                              LIMEN_ENTITY_MAX_ID);
        goto fail;
    }
    e->id = json_string_value(id);
    json_t *schema = json_object_get(root, "schema");
    if (!schema) {
        st = limen__error_set(err, LIMEN_EMISSING, "schema", "missing \"schema\"");
        goto fail;
    }
    if (!json_is_string(schema)) {
        st = limen__error_set(err, LIMEN_ETYPE, "schema", "\"schema\" must be a string");
        goto fail;
    }
    e->schema = limen_schema_from_name(json_string_value(schema));
    if (e->schema == LIMEN_SCHEMA_UNKNOWN) {
        st = limen__error_set(err, LIMEN_ESCHEMA, "schema", "unknown schema \"%.64s\"",
                              json_string_value(schema));
        goto fail;
    }
    e->props = json_object_get(root, "properties");
    if (!e->props) {
        e->props = json_object();
        if (!e->props || json_object_set_new(root, "properties", e->props) != 0) {
            st = limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory");
            goto fail;
        }
    } else if (!json_is_object(e->props)) {
        st = limen__error_set(err, LIMEN_ETYPE, "properties", "\"properties\" must be an object");
        goto fail;
    }
    if ((st = check_properties(e, err)) != LIMEN_OK)
        goto fail;
    if ((st = check_identity(e, flags, err)) != LIMEN_OK)
        goto fail;
    json_t *alert = json_object_get(root, "alert");
    if (alert && !json_is_null(alert) && (st = parse_alert(e, alert, err)) != LIMEN_OK)
        goto fail;
    if (collect_keys(e) != 0) {
        st = limen__error_set(err, LIMEN_ENOMEM, NULL, "out of memory");
        goto fail;
    }
    *out = e;
    return LIMEN_OK;
fail:
    limen_entity_free(e);
    return st;
}

limen_status limen_entity_parse(const char *json, size_t len, struct limen_entity **out,
                                struct limen_error *err)
{
    return limen__entity_parse_flags(json, len, 0, out, err);
}
