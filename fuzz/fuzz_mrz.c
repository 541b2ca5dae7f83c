/*
 * libFuzzer target for the MRZ parser: any bytes go to limen_mrz_parse, with
 * and without OCR correction (the first byte picks the options), and every
 * result is turned into JSON and, when recognised, into a screening entity,
 * so the whole path an MRZ from a document reader takes is exercised.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "limen/limen.h"
#include "limen/mrz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct limen_mrz_options o;
    memset(&o, 0, sizeof o);
    o.today_year = 2025;
    o.today_month = 6;
    o.today_day = 1;
    if (size > 0) {
        o.ocr_correct = data[0] & 1;
        if (data[0] & 2)
            o.today_year = 2099; /* exercise the century windows */
    }
    struct limen_mrz m;
    struct limen_error err;
    limen_status st = limen_mrz_parse((const char *)data, size, &o, &m, &err);
    if ((st == LIMEN_OK) != (m.valid && m.format != LIMEN_MRZ_UNKNOWN))
        __builtin_trap();
    char *json = NULL;
    if (limen_mrz_to_json(&m, &json, NULL) == LIMEN_OK)
        limen_free(json);
    struct limen_entity *e = NULL;
    if (limen_mrz_to_entity(&m, NULL, &e) == LIMEN_OK)
        limen_entity_free(e);
    int cd = limen_mrz_check_digit((const char *)data, size);
    if (cd < -1 || cd > 9)
        __builtin_trap();
    return 0;
}
