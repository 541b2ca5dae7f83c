/*
 * libFuzzer target for the entity reader: the bytes are parsed as one entity
 * (limen_entity_parse) and read as a JSON Lines stream (limen_reader over a
 * memory stream, with a small line limit so over-long lines are exercised);
 * every entity read is serialised back and, when it parses, indexed and
 * screened against itself, which drives the name normaliser and the scorer
 * with whatever the input holds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "limen/limen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const struct limen_entity *e)
{
    size_t len = 0;
    char *json = limen_entity_to_json(e, &len);
    if (json) {
        struct limen_entity *back = NULL;
        struct limen_error err;
        /* what limen writes, limen must read */
        if (limen_entity_parse(json, len, &back, &err) != LIMEN_OK)
            __builtin_trap();
        limen_entity_free(back);
        limen_free(json);
    }
    struct limen_index *idx = NULL;
    if (limen_index_new(NULL, &idx) != LIMEN_OK)
        return;
    if (limen_index_add(idx, e, NULL, NULL) == LIMEN_OK && limen_index_finish(idx) == LIMEN_OK) {
        struct limen_results *r = NULL;
        if (limen_screen(idx, e, NULL, &r, NULL) == LIMEN_OK) {
            for (size_t i = 0; i < limen_results_count(r); i++) {
                double s = limen_result_score(r, i);
                if (!(s >= 0.0 && s <= 1.0))
                    __builtin_trap();
            }
            limen_results_free(r);
        }
    }
    limen_index_free(idx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct limen_entity *e = NULL;
    struct limen_error err;
    if (limen_entity_parse((const char *)data, size, &e, &err) == LIMEN_OK) {
        exercise(e);
        limen_entity_free(e);
    }
    FILE *fp = fmemopen((void *)data, size ? size : 1, "r");
    if (!fp)
        return 0;
    struct limen_reader *rd = NULL;
    if (size && limen_reader_new(fp, "fuzz", 512, &rd) == LIMEN_OK) {
        for (int n = 0; n < 64; n++) {
            limen_status st = limen_reader_next(rd, &e, &err);
            if (st == LIMEN_EOF)
                break;
            if (st == LIMEN_OK) {
                limen_entity_free(e);
            } else if (err.line <= 0) {
                __builtin_trap(); /* every reader error names its line */
            }
        }
        limen_reader_free(rd);
    }
    fclose(fp);
    return 0;
}
