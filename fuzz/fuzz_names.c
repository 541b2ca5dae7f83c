/*
 * libFuzzer target for the name normaliser and the token similarity: any
 * bytes are normalised as a name (UTF-8 checks, ICU normalisation, the Arabic
 * romaniser, ICU transliteration of other scripts, particles and compounds);
 * the tokens must respect their bounds, and the similarity of every token
 * pair must be in [0, 1], symmetric in value for the cost-only and the
 * explained forms, and 1 for a token with itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "tsim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct limen__normalizer *nz;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!nz && limen__normalizer_new(&nz) != LIMEN_OK)
        return 0;
    struct limen__name nm;
    if (limen__name_normalize(nz, (const char *)data, size, &nm) != LIMEN_OK)
        return 0;
    if (nm.n < 0 || nm.n > LIMEN__NAME_MAX_TOKENS)
        __builtin_trap();
    for (int i = 0; i < nm.n; i++) {
        const struct limen__token *a = &nm.tok[i];
        if (a->len > LIMEN__TOKEN_MAX || strlen(a->text) != a->len ||
            (size_t)a->src_start + a->src_len > size)
            __builtin_trap();
        if (a->len && limen__tsim(a->text, a->len, a->flags, a->text, a->len, a->flags) != 1.0)
            __builtin_trap();
        for (int j = 0; j < nm.n; j++) {
            const struct limen__token *b = &nm.tok[j];
            double s = limen__tsim(a->text, a->len, a->flags, b->text, b->len, b->flags);
            char why[256];
            double e =
                limen__tsim_explain(a->text, a->len, a->flags, b->text, b->len, b->flags, why,
                                    sizeof why);
            if (!(s >= 0.0 && s <= 1.0) || s != e)
                __builtin_trap();
        }
    }
    return 0;
}
