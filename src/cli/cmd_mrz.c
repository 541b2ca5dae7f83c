/*
 * `limen mrz`: parses ICAO 9303 machine-readable zones given as arguments or
 * on standard input and prints one JSON object per MRZ (see docs/mrz.md).
 *
 * Arguments: each argument is one MRZ (lines separated by newlines, or
 * concatenated); consecutive arguments that are single MRZ lines (30, 36 or
 * 44 characters) are joined into one MRZ, so `limen mrz LINE1 LINE2` works.
 * Standard input: MRZs separated by blank lines.
 * Exit status: 0 all valid, 1 usage error, 2 at least one MRZ invalid or
 * unreadable input.
 */
#include "cli.h"
#include "limen/limen.h"
#include "limen/mrz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mrz_cli {
    struct limen_mrz_options opts;
    int entity; /* print the FtM query entity instead of the parse result */
    int invalid;
    unsigned long count;
};

static void usage(FILE *out)
{
    fprintf(out, "usage: limen mrz [--ocr-correct] [--today YYYY-MM-DD] [--entity] [MRZ ...]\n\n"
                 "Parses ICAO 9303 machine-readable zones (TD1, TD2, TD3, MRV-A, MRV-B and the\n"
                 "French identity card of 1994) and prints one JSON object per MRZ.\n\n"
                 "MRZs come from the arguments (one argument per MRZ, its lines separated by\n"
                 "newlines or concatenated; or one argument per line) or, without arguments,\n"
                 "from standard input, separated by blank lines.\n\n"
                 "options:\n"
                 "  --ocr-correct        fix O/0, I/1, Z/2, S/5, G/6, B/8... in fields that hold\n"
                 "                       only digits or only letters; every fix is reported\n"
                 "  --today YYYY-MM-DD   reference date for two-digit years and `expired`\n"
                 "                       (default: today, UTC)\n"
                 "  --entity             print the FtM Person query entity for screening\n"
                 "  -h, --help           this help\n\n"
                 "Exit status: 0 all valid, 1 usage error, 2 an MRZ is invalid (its errors are\n"
                 "printed) or the input cannot be read.\n");
}

static int parse_today(const char *s, struct limen_mrz_options *o)
{
    int n[3] = {0, 0, 0}, part = 0, digits = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '-') {
            if (++part > 2 || digits == 0)
                return -1;
            digits = 0;
        } else if (*p >= '0' && *p <= '9' && digits < 4) {
            n[part] = n[part] * 10 + (*p - '0');
            digits++;
        } else {
            return -1;
        }
    }
    if (part != 2 || digits == 0)
        return -1;
    o->today_year = n[0];
    o->today_month = n[1];
    o->today_day = n[2];
    return 0;
}

static int print_one(struct mrz_cli *cli, const char *text, size_t len)
{
    struct limen_mrz m;
    struct limen_error err;
    limen_status st = limen_mrz_parse(text, len, &cli->opts, &m, &err);
    cli->count++;
    if (st == LIMEN_EINVAL && err.field[0] && strcmp(err.field, "today") == 0) {
        limen_cli_error("mrz: %s", err.message);
        return LIMEN_EXIT_USAGE;
    }
    if (st != LIMEN_OK)
        cli->invalid = 1;
    char *json = NULL;
    size_t jlen = 0;
    if (cli->entity && m.format != LIMEN_MRZ_UNKNOWN) {
        struct limen_entity *e = NULL;
        if (limen_mrz_to_entity(&m, NULL, &e) == LIMEN_OK) {
            json = limen_entity_to_json(e, &jlen);
            limen_entity_free(e);
            if (!json) {
                limen_cli_error("mrz: out of memory");
                return LIMEN_EXIT_INPUT;
            }
        }
    }
    if (!json && limen_mrz_to_json(&m, &json, &jlen) != LIMEN_OK) {
        limen_cli_error("mrz: out of memory");
        return LIMEN_EXIT_INPUT;
    }
    fwrite(json, 1, jlen, stdout);
    fputc('\n', stdout);
    limen_free(json);
    return LIMEN_EXIT_OK;
}

/* Characters of s that are not spaces. */
static size_t visible_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            n++;
    return n;
}

static int one_line(const char *s)
{
    if (strchr(s, '\n') || strchr(s, '\r'))
        return 0;
    size_t n = visible_len(s);
    return n == 30 || n == 36 || n == 44;
}

static int run_args(struct mrz_cli *cli, int argc, char **argv)
{
    char buf[LIMEN_MRZ_INPUT_MAX + 1];
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(argv[i]);
        if (!one_line(argv[i])) {
            int rc = print_one(cli, argv[i], n);
            if (rc != LIMEN_EXIT_OK)
                return rc;
            continue;
        }
        /* Join this line with the next ones of the same length: 3 for TD1, 2 otherwise. */
        size_t w = visible_len(argv[i]), want = w == 30 ? 3 : 2, len = 0;
        int j = i;
        for (; j < argc && (size_t)(j - i) < want; j++) {
            if (!one_line(argv[j]) || visible_len(argv[j]) != w)
                break;
            size_t l = strlen(argv[j]);
            if (len + l + 1 > LIMEN_MRZ_INPUT_MAX)
                break;
            memcpy(buf + len, argv[j], l);
            len += l;
            buf[len++] = '\n';
        }
        int rc = print_one(cli, buf, len);
        if (rc != LIMEN_EXIT_OK)
            return rc;
        i = j - 1;
    }
    return LIMEN_EXIT_OK;
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

static int run_stdin(struct mrz_cli *cli)
{
    char block[LIMEN_MRZ_INPUT_MAX + 1];
    size_t blen = 0;
    int overflow = 0, rc = LIMEN_EXIT_OK;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    for (;;) {
        n = getline(&line, &cap, stdin);
        if (n >= 0)
            lineno++;
        if (n < 0 || is_blank(line, (size_t)n)) {
            if (overflow) {
                /* Still report it, as the library would: too long. */
                rc = print_one(cli, block, LIMEN_MRZ_INPUT_MAX + 1);
            } else if (blen > 0) {
                rc = print_one(cli, block, blen);
            }
            blen = 0;
            overflow = 0;
            if (rc != LIMEN_EXIT_OK || n < 0)
                break;
            continue;
        }
        if (overflow || blen + (size_t)n > LIMEN_MRZ_INPUT_MAX) {
            overflow = 1;
            memset(block, '<', sizeof block);
            continue;
        }
        memcpy(block + blen, line, (size_t)n);
        blen += (size_t)n;
    }
    free(line);
    if (ferror(stdin)) {
        limen_cli_error("mrz: error reading standard input after line %lu", lineno);
        return LIMEN_EXIT_INPUT;
    }
    return rc;
}

int limen_cli_mrz(int argc, char **argv)
{
    struct mrz_cli cli;
    memset(&cli, 0, sizeof cli);
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return LIMEN_EXIT_OK;
        } else if (strcmp(a, "--ocr-correct") == 0) {
            cli.opts.ocr_correct = 1;
        } else if (strcmp(a, "--entity") == 0) {
            cli.entity = 1;
        } else if (strcmp(a, "--today") == 0 || strncmp(a, "--today=", 8) == 0) {
            const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || parse_today(v, &cli.opts) != 0) {
                limen_cli_error("mrz: --today needs a date YYYY-MM-DD");
                return LIMEN_EXIT_USAGE;
            }
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] == '-' && a[1] == '-') {
            limen_cli_error("mrz: unknown option '%s' (see limen mrz --help)", a);
            return LIMEN_EXIT_USAGE;
        } else {
            break;
        }
    }
    int rc = i < argc ? run_args(&cli, argc - i, argv + i) : run_stdin(&cli);
    if (fflush(stdout) != 0) {
        limen_cli_error("mrz: cannot write the output");
        return LIMEN_EXIT_INPUT;
    }
    if (rc != LIMEN_EXIT_OK)
        return rc;
    return cli.invalid ? LIMEN_EXIT_INPUT : LIMEN_EXIT_OK;
}
