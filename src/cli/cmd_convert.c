/*
 * `limen convert ofac SDN.csv ALT.csv [ADD.csv] [--out FILE]`: turns the
 * OFAC CSV triple into FollowTheMoney JSON Lines (stdout by default) and
 * prints what it read and wrote on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "limen/limen.h"

static const char usage[] =
    "usage: limen convert ofac SDN.csv ALT.csv [ADD.csv] [--out FILE]\n"
    "\n"
    "Converts OFAC's Specially Designated Nationals list (the CSV files SDN,\n"
    "ALT with the aliases, ADD with the addresses) to FollowTheMoney JSON Lines,\n"
    "one entity a line: Person, Organization, Vessel or Airplane, id ofac-<ent_num>.\n"
    "The remarks are parsed for dates of birth, places of birth, nationality,\n"
    "citizenship, gender, passport and ID numbers and weak aliases; clauses not\n"
    "understood are kept in 'notes'. A summary is printed on stderr.\n"
    "\n"
    "  --out FILE   write to FILE instead of standard output\n";

static int emit_line(void *ctx, const char *json, size_t len)
{
    FILE *out = ctx;
    if (fwrite(json, 1, len, out) != len || putc('\n', out) == EOF)
        return -1;
    return 0;
}

static FILE *open_in(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        limen_cli_error("convert: cannot open %s: %s", path, strerror(errno));
    return fp;
}

static int convert_ofac(int argc, char **argv)
{
    const char *files[3] = {NULL, NULL, NULL};
    const char *out_path = NULL;
    int nfiles = 0, rc = LIMEN_EXIT_INPUT;
    FILE *in[3] = {NULL, NULL, NULL}, *out = stdout;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return LIMEN_EXIT_OK;
        } else if (!strcmp(argv[i], "--out")) {
            if (i + 1 >= argc) {
                limen_cli_error("convert: --out needs a file name");
                return LIMEN_EXIT_USAGE;
            }
            out_path = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            limen_cli_error("convert: unknown option '%s' (see limen convert ofac --help)", argv[i]);
            return LIMEN_EXIT_USAGE;
        } else if (nfiles < 3) {
            files[nfiles++] = argv[i];
        } else {
            limen_cli_error("convert: too many files (SDN.csv ALT.csv [ADD.csv])");
            return LIMEN_EXIT_USAGE;
        }
    }
    if (nfiles < 2) {
        limen_cli_error("convert: ofac needs SDN.csv and ALT.csv (see limen convert ofac --help)");
        return LIMEN_EXIT_USAGE;
    }
    for (int i = 0; i < nfiles; i++)
        if (!(in[i] = open_in(files[i])))
            goto out;
    if (out_path && !(out = fopen(out_path, "wb"))) {
        limen_cli_error("convert: cannot create %s: %s", out_path, strerror(errno));
        out = NULL;
        goto out;
    }
    struct limen_ofac_stats s;
    struct limen_error err;
    limen_status st = limen_ofac_convert(in[0], files[0], in[1], files[1], in[2], files[2],
                                         emit_line, out, &s, &err);
    if (st == LIMEN_OK && fflush(out) != 0)
        st = LIMEN_EIO;
    if (st != LIMEN_OK) {
        limen_cli_error("convert: %s", st == LIMEN_EIO && !err.message[0]
                                           ? "cannot write the output"
                                           : err.message);
        goto out;
    }
    fprintf(stderr,
            "limen convert ofac: %zu SDN rows -> %zu entities: %zu persons, %zu organizations, "
            "%zu vessels, %zu aircraft\n"
            "  ALT: %zu rows, %zu aliases, %zu previous names, %zu without an SDN row\n"
            "  ADD: %zu rows, %zu addresses, %zu without an SDN row\n"
            "  remarks: %zu weak aliases, %zu dates of birth (%zu DOB clauses not understood), "
            "%zu document numbers, %zu countries kept as text, %zu clauses kept in notes\n",
            s.sdn_rows, s.sdn_rows, s.persons, s.organizations, s.vessels, s.aircraft, s.alt_rows,
            s.aliases, s.previous_names, s.alt_orphans, s.add_rows, s.addresses, s.add_orphans,
            s.weak_aliases, s.birth_dates, s.dob_unparsed, s.documents, s.countries_unknown,
            s.notes);
    if (s.duplicate_ids)
        fprintf(stderr, "  warning: %zu SDN rows repeat an ent_num seen before\n", s.duplicate_ids);
    if (s.truncated)
        fprintf(stderr, "  warning: %zu values cut at %d bytes\n", s.truncated,
                LIMEN_ENTITY_MAX_VALUE);
    rc = LIMEN_EXIT_OK;
out:
    for (int i = 0; i < 3; i++)
        if (in[i])
            fclose(in[i]);
    if (out && out != stdout && fclose(out) != 0 && rc == LIMEN_EXIT_OK) {
        limen_cli_error("convert: cannot write %s", out_path);
        rc = LIMEN_EXIT_INPUT;
    }
    return rc;
}

int limen_cli_convert(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? LIMEN_EXIT_USAGE : LIMEN_EXIT_OK;
    }
    if (!strcmp(argv[1], "ofac"))
        return convert_ofac(argc - 1, argv + 1);
    limen_cli_error("convert: unknown format '%s' (known: ofac)", argv[1]);
    return LIMEN_EXIT_USAGE;
}
