/*
 * libFuzzer target for the CSV reader and the OFAC converter. The input is
 * split at its first two 0xFF bytes into SDN, ALT and ADD texts; each is
 * read record by record (with small limits so the limit paths run) and the
 * triple is converted; every entity emitted must parse back, and every
 * error must name its line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "limen/limen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_entity(void *ctx, const char *json, size_t len)
{
    (void)ctx;
    struct limen_entity *e = NULL;
    struct limen_error err;
    if (limen_entity_parse(json, len, &e, &err) != LIMEN_OK)
        __builtin_trap(); /* what limen writes, limen must read */
    limen_entity_free(e);
    return 0;
}

static FILE *open_part(const uint8_t *p, size_t n)
{
    return fmemopen((void *)(n ? p : (const uint8_t *)""), n ? n : 1, "r");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *part[3] = {data, NULL, NULL};
    size_t len[3] = {size, 0, 0};
    for (int k = 1; k < 3; k++) {
        const uint8_t *sep = memchr(part[k - 1], 0xFF, len[k - 1]);
        if (!sep)
            break;
        part[k] = sep + 1;
        len[k] = len[k - 1] - (size_t)(sep + 1 - part[k - 1]);
        len[k - 1] = (size_t)(sep - part[k - 1]);
    }
    FILE *fp = open_part(part[0], len[0]);
    if (!fp)
        return 0;
    struct limen__csv c;
    struct limen_error err;
    limen__csv_init(&c, fp, 256, 16);
    for (int n = 0; n < 256; n++) {
        limen_status st = limen__csv_next(&c, &err);
        if (st == LIMEN_EOF)
            break;
        if (st != LIMEN_OK && st != LIMEN_ENOMEM && err.line <= 0)
            __builtin_trap();
    }
    limen__csv_release(&c);
    fclose(fp);

    FILE *f[3] = {NULL, NULL, NULL};
    for (int k = 0; k < 3; k++)
        if (part[k] && !(f[k] = open_part(part[k], len[k])))
            goto out;
    if (f[1])
        limen_ofac_convert(f[0], "SDN", f[1], "ALT", f[2], "ADD", check_entity, NULL, NULL, &err);
out:
    for (int k = 0; k < 3; k++)
        if (f[k])
            fclose(f[k]);
    return 0;
}
