/*
 * limen status codes and error reports.
 *
 * Every library function that can fail returns a limen_status. Codes, names
 * and messages come from one table (LIMEN_STATUS_TABLE) so they never drift.
 * Parsers of outside input also fill an optional struct limen_error that the
 * caller passes in, saying where the problem is (line, field, byte offset).
 */
#ifndef LIMEN_STATUS_H
#define LIMEN_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* X(code, name, message) */
#define LIMEN_STATUS_TABLE(X)                                                                      \
    X(LIMEN_OK, "ok", "success")                                                                   \
    X(LIMEN_EOF, "eof", "end of input")                                                            \
    X(LIMEN_ENOMEM, "nomem", "out of memory")                                                      \
    X(LIMEN_EINVAL, "invalid_argument", "invalid argument")                                        \
    X(LIMEN_EIO, "io", "input/output error")                                                       \
    X(LIMEN_ESYNTAX, "syntax", "malformed input")                                                  \
    X(LIMEN_EUTF8, "utf8", "invalid UTF-8")                                                        \
    X(LIMEN_ETOOLONG, "too_long", "input too long")                                                \
    X(LIMEN_EMISSING, "missing_field", "required field missing")                                   \
    X(LIMEN_ETYPE, "wrong_type", "field has the wrong type")                                       \
    X(LIMEN_ESCHEMA, "unknown_schema", "unknown entity schema")                                    \
    X(LIMEN_EEMPTY, "empty", "empty value")                                                        \
    X(LIMEN_EDUPLICATE, "duplicate", "duplicate identifier")                                       \
    X(LIMEN_ENOTFOUND, "not_found", "not found")                                                   \
    X(LIMEN_ESTATE, "bad_state", "operation not allowed in this state")                            \
    X(LIMEN_ELIMIT, "limit", "limit reached")                                                      \
    X(LIMEN_ECHECK, "check_digit", "check digit mismatch")                                         \
    X(LIMEN_ECORRUPT, "corrupt", "corrupt or foreign data")                                        \
    X(LIMEN_EVERSION, "version", "unsupported version")                                            \
    X(LIMEN_EICU, "icu", "Unicode library error")                                                  \
    X(LIMEN_EFORBIDDEN, "forbidden", "not allowed for this agency or role")                        \
    X(LIMEN_ECONFLICT, "conflict", "conflicts with the stored state")                              \
    X(LIMEN_ESTORE, "store", "storage error")                                                      \
    X(LIMEN_ETAMPER, "tampered", "audit log altered")

typedef enum limen_status {
#define LIMEN_X_ENUM(code, name, msg) code,
    LIMEN_STATUS_TABLE(LIMEN_X_ENUM)
#undef LIMEN_X_ENUM
        LIMEN_STATUS_COUNT
} limen_status;

/* Human-readable message for a status; never NULL, thread-safe. */
const char *limen_strerror(limen_status status);

/* Short stable identifier ("syntax", "utf8", ...) for a status; never NULL. */
const char *limen_status_name(limen_status status);

/*
 * Where and what went wrong. Filled by parsers when the caller passes a
 * non-NULL pointer. `line` and `column` are 1-based (0 when not applicable),
 * `offset` is the byte offset in the line or buffer, `field` names the field
 * ("properties.name[2]"), empty when not applicable.
 */
struct limen_error {
    limen_status status;
    long line;
    long column;
    size_t offset;
    char field[96];
    char message[256];
};

/* Resets an error report to "no error". `err` may be NULL. */
void limen_error_clear(struct limen_error *err);

#ifdef __cplusplus
}
#endif
#endif
