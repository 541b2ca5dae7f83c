/*
 * libFuzzer target for the PAXLST parser: the bytes are parsed as one
 * interchange, with default limits and with small ones (so the segment,
 * element and traveller limits are reached); every manifest parsed is
 * serialised to JSON and turned into query entities, and no traveller may
 * go missing from the counts.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "limen/limen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const struct limen_paxlst *p)
{
    size_t len = 0;
    char *json = limen_paxlst_to_json(p, &len);
    if (json && strlen(json) != len)
        __builtin_trap();
    limen_free(json);
    size_t n = limen_paxlst_traveller_count(p);
    for (size_t i = 0; i < n && i < 64; i++) {
        const struct limen_paxlst_traveller *t = limen_paxlst_traveller(p, i);
        if (!t || t->document_count > LIMEN_PAXLST_DOCS_MAX)
            __builtin_trap();
        struct limen_entity *e = NULL;
        limen_status st = limen_paxlst_traveller_entity(p, i, &e);
        if (st == LIMEN_OK) {
            char *ej = limen_entity_to_json(e, NULL);
            limen_free(ej);
        } else if (st != LIMEN_EEMPTY && st != LIMEN_ENOMEM && st != LIMEN_EINVAL) {
            __builtin_trap();
        }
        limen_entity_free(e);
    }
    struct limen_paxlst_counts c;
    limen_paxlst_counts(p, &c);
    if (c.passengers_read + c.crew_read + c.others_read != n)
        __builtin_trap(); /* no traveller is dropped */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct limen_paxlst *p = NULL;
    struct limen_error err;
    if (limen_paxlst_parse((const char *)data, size, NULL, &p, &err) == LIMEN_OK) {
        exercise(p);
        limen_paxlst_free(p);
    } else if (err.offset > size || p) {
        __builtin_trap(); /* errors point inside the input */
    }
    struct limen_paxlst_options small = {4096, 64, 8};
    if (limen_paxlst_parse((const char *)data, size, &small, &p, &err) == LIMEN_OK) {
        exercise(p);
        limen_paxlst_free(p);
    }
    return 0;
}
