/* Entry point of the `limen` command: dispatches to the sub-commands. */
#include "cli.h"
#include "limen/limen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"screen", limen_cli_screen, "screen persons and documents against alerts"},
    {"serve", limen_server_serve, "run the hub: HTTP/JSON API over a store (docs/server.md)"},
    {"admin", limen_server_admin, "create agencies, users and API tokens in a store"},
    {"audit", limen_server_audit, "verify or prune the tamper-evident audit log"},
    {"index", limen_cli_index, "build a saved index (loads in seconds) from alerts"},
    {"convert", limen_cli_convert, "convert a public list (OFAC) into FtM JSON Lines"},
    {"mrz", limen_cli_mrz, "parse ICAO 9303 machine-readable zones"},
    {"paxlst", limen_cli_paxlst, "parse UN/EDIFACT PAXLST passenger lists"},
};

void limen_cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("limen: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int limen_cli_parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    if (!s[0] || s[0] == '-')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    if (shift)
        end++;
    if (*end || v == 0 || v > (SIZE_MAX >> shift))
        return -1;
    *out = (size_t)v << shift;
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: limen <command> [options]\n\n"
                 "limen screens travellers, documents and objects against alerts shared\n"
                 "between agencies.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`limen <command> --help` documents each command.\n"
                 "Exit status: 0 success, 1 usage error, 2 input error.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return LIMEN_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return LIMEN_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("limen %s\n", LIMEN_VERSION);
        return LIMEN_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    limen_cli_error("unknown command '%s' (see limen --help)", argv[1]);
    return LIMEN_EXIT_USAGE;
}
