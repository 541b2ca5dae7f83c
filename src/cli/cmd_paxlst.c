/*
 * `limen paxlst FILE...`: parses UN/EDIFACT PAXLST passenger and crew lists
 * and prints one JSON document per file (one line each): the flight legs,
 * the travellers, the declared and read counts and the warnings about the
 * defects tolerated. `-` reads standard input. With --entity, prints instead
 * one FtM Person query entity per traveller (JSON Lines), ready for
 * `limen screen`.
 *
 * Exit status: 0 every file parsed, 1 usage error, 2 a file could not be
 * read or parsed ("FILE: segment N, byte B: message" on stderr; the other
 * files are still processed).
 */
#include "cli.h"
#include "limen/limen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: limen paxlst [--entity] [--quiet] FILE...\n\n"
                 "Parses UN/EDIFACT PAXLST messages (API passenger and crew lists) and prints\n"
                 "one JSON document per file: flight legs, travellers, passenger and crew\n"
                 "counts read and declared (CNT), and the warnings about tolerated defects.\n"
                 "FILE '-' is standard input.\n\n"
                 "options:\n"
                 "  --entity   print one FtM Person query entity per traveller instead\n"
                 "  --quiet    do not repeat the warnings on standard error\n"
                 "  -h, --help this help\n\n"
                 "Exit status: 0 all files parsed, 1 usage error, 2 a file could not be read\n"
                 "or is not a PAXLST interchange (\"FILE: segment N, byte B: message\").\n");
}

/* Reads a whole stream, at most `max` bytes (one more is read to detect overflow). */
static int slurp(FILE *fp, size_t max, char **data, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return -1;
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                break;
            }
            size_t ncap = cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                return -1;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

int limen_cli_paxlst_load(const char *path, int quiet, struct limen_paxlst **out)
{
    *out = NULL;
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!fp) {
        limen_cli_error("paxlst: %s: %s", path, strerror(errno));
        return LIMEN_EXIT_INPUT;
    }
    char *data = NULL;
    size_t len = 0;
    int rc = slurp(fp, LIMEN_PAXLST_INPUT_MAX, &data, &len);
    if (fp != stdin)
        fclose(fp);
    if (rc != 0) {
        limen_cli_error("paxlst: %s: cannot read the file", path);
        return LIMEN_EXIT_INPUT;
    }
    struct limen_paxlst *p = NULL;
    struct limen_error err;
    limen_status st = limen_paxlst_parse(data, len, NULL, &p, &err);
    free(data);
    if (st != LIMEN_OK) {
        fprintf(stderr, "%s: segment %ld, byte %zu: %s\n", path, err.line, err.offset,
                err.message[0] ? err.message : limen_strerror(st));
        return LIMEN_EXIT_INPUT;
    }
    if (!quiet) {
        size_t nw = limen_paxlst_warning_count(p);
        for (size_t i = 0; i < nw; i++) {
            const struct limen_paxlst_warning *w = limen_paxlst_warning(p, i);
            if (!w) {
                fprintf(stderr, "%s: %zu more warnings\n", path, nw - i);
                break;
            }
            fprintf(stderr, "%s: segment %ld, byte %zu: warning: %s\n", path, w->segment, w->offset,
                    w->message);
        }
    }
    *out = p;
    return LIMEN_EXIT_OK;
}

static int one_file(const char *path, int entity, int quiet)
{
    struct limen_paxlst *p = NULL;
    limen_status st;
    int rc = limen_cli_paxlst_load(path, quiet, &p);
    if (rc != LIMEN_EXIT_OK)
        return rc;
    if (entity) {
        for (size_t i = 0; i < limen_paxlst_traveller_count(p); i++) {
            struct limen_entity *e = NULL;
            st = limen_paxlst_traveller_entity(p, i, &e);
            if (st == LIMEN_EEMPTY) {
                const struct limen_paxlst_traveller *t = limen_paxlst_traveller(p, i);
                fprintf(stderr, "%s: segment %ld: warning: traveller %zu has no name and no "
                                "document number: no entity written\n",
                        path, t->segment, i + 1);
                continue;
            }
            char *json = st == LIMEN_OK ? limen_entity_to_json(e, NULL) : NULL;
            limen_entity_free(e);
            if (!json) {
                limen_cli_error("paxlst: %s: out of memory", path);
                rc = LIMEN_EXIT_INPUT;
                break;
            }
            printf("%s\n", json);
            limen_free(json);
        }
    } else {
        size_t jlen = 0;
        char *json = limen_paxlst_to_json(p, &jlen);
        if (!json) {
            limen_cli_error("paxlst: %s: out of memory", path);
            rc = LIMEN_EXIT_INPUT;
        } else {
            fwrite(json, 1, jlen, stdout);
            fputc('\n', stdout);
            limen_free(json);
        }
    }
    limen_paxlst_free(p);
    return rc;
}

int limen_cli_paxlst(int argc, char **argv)
{
    int entity = 0, quiet = 0, i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return LIMEN_EXIT_OK;
        } else if (strcmp(a, "--entity") == 0) {
            entity = 1;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] == '-' && a[1] != '\0') {
            limen_cli_error("paxlst: unknown option '%s' (see limen paxlst --help)", a);
            return LIMEN_EXIT_USAGE;
        } else {
            break;
        }
    }
    if (i >= argc) {
        limen_cli_error("paxlst: no FILE given (see limen paxlst --help)");
        return LIMEN_EXIT_USAGE;
    }
    int rc = LIMEN_EXIT_OK;
    for (; i < argc; i++)
        if (one_file(argv[i], entity, quiet) != LIMEN_EXIT_OK)
            rc = LIMEN_EXIT_INPUT;
    if (fflush(stdout) != 0) {
        limen_cli_error("paxlst: cannot write the output");
        return LIMEN_EXIT_INPUT;
    }
    return rc;
}
