/*
 * libFuzzer target for the hub's request bodies: the bytes go through the
 * JSON parsing, the alert-object validation and the screening-query building
 * of the API (src/server/api.c, hub.c), and a query that is built is screened
 * against a small index, so that nothing a client sends can crash the server.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../src/server/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct limen_index *idx;

static void setup(void)
{
    static const char *const alerts[] = {
        "{\"id\":\"a1\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Youssef Benali\"],"
        "\"birthDate\":[\"1979-04-02\"],\"passportNumber\":[\"AB1234567\"]}}",
        "{\"id\":\"a2\",\"schema\":\"Person\",\"properties\":{\"name\":[\"عبد القادر المنصوري\"]}}",
    };
    limen_index_new(NULL, &idx);
    for (size_t i = 0; i < sizeof alerts / sizeof alerts[0]; i++) {
        struct limen_entity *e = NULL;
        if (limen_entity_parse(alerts[i], strlen(alerts[i]), &e, NULL) == LIMEN_OK)
            limen_index_add(idx, e, NULL, NULL);
        limen_entity_free(e);
    }
    limen_index_finish(idx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!idx)
        setup();
    struct limen_entity *q = NULL;
    struct hub_alert a;
    unsigned status = api_parse_body((const char *)data, size, &q, &a);
    if (status == 200) {
        if (!q)
            __builtin_trap();
        struct limen_results *r = NULL;
        if (limen_screen(idx, q, NULL, &r, NULL) == LIMEN_OK)
            limen_results_free(r);
        limen_entity_free(q);
    } else if (status < 400 || status > 599 || q) {
        __builtin_trap(); /* every refusal is a 4xx/5xx and builds nothing */
    }
    return 0;
}
