/*
 * Status codes: names and messages from the single table in status.h, and the
 * helpers that fill a struct limen_error.
 */
#include "limen/status.h"
#include "status_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_messages[] = {
#define LIMEN_X_MSG(code, name, msg) msg,
    LIMEN_STATUS_TABLE(LIMEN_X_MSG)
#undef LIMEN_X_MSG
};

static const char *const status_names[] = {
#define LIMEN_X_NAME(code, name, msg) name,
    LIMEN_STATUS_TABLE(LIMEN_X_NAME)
#undef LIMEN_X_NAME
};

const char *limen_strerror(limen_status status)
{
    if ((int)status < 0 || status >= LIMEN_STATUS_COUNT)
        return "unknown status";
    return status_messages[status];
}

const char *limen_status_name(limen_status status)
{
    if ((int)status < 0 || status >= LIMEN_STATUS_COUNT)
        return "unknown";
    return status_names[status];
}

void limen_error_clear(struct limen_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
}

limen_status limen__error_set(struct limen_error *err, limen_status status, const char *field,
                              const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    if (field) {
        snprintf(err->field, sizeof err->field, "%s", field);
    } else {
        err->field[0] = '\0';
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}
