/*
 * Differential libFuzzer target for the entity scanner (src/lib/entity_scan.c),
 * the index build's fast path: the bytes are one line, scanned as an alert
 * and as a query. Whenever the scanner takes the line, jansson's path
 * (limen__entity_parse_flags) must accept it too and give the same facts
 * (id, schema, every value of the kept properties, the alert's fields);
 * anything else traps. Lines the scanner gives back are jansson's alone, so
 * they need no check here.
 */
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "entity_int.h"
#include "entity_scan.h"
#include "limen/limen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned flags[] = {0, LIMEN__PARSE_QUERY};
    struct limen__escan *s = limen__malloc(sizeof *s);
    if (!s)
        return 0;
    limen__escan_init(s);
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (!limen__escan_line(s, (const char *)data, size, flags[i]))
            continue;
        struct limen_entity *e = NULL;
        if (limen__entity_parse_flags((const char *)data, size, flags[i], &e, NULL) != LIMEN_OK)
            __builtin_trap(); /* taken by the scanner, refused by jansson */
        if (!limen__escan_agrees(s, e))
            __builtin_trap(); /* other facts than jansson's */
        limen_entity_free(e);
    }
    limen__escan_release(s);
    limen__free(s);
    return 0;
}
