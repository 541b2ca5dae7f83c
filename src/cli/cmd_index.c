/*
 * `limen index build --alerts A.jsonl --out A.limen`: builds the screening
 * index of a list once and saves it; `limen screen --index A.limen` (and the
 * server) then load it in seconds instead of rebuilding it.
 * `limen index info A.limen`: what a saved index holds.
 */
#include "cli.h"
#include "limen/limen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: limen index build --alerts ALERTS.jsonl --out FILE.limen [--threads N]\n"
                 "                         [--max-memory SIZE] [--keep-going]\n"
                 "       limen index info FILE.limen\n"
                 "\n"
                 "build  reads alerts (FollowTheMoney JSON Lines; \"-\" reads standard input),\n"
                 "       builds the screening index and saves it as one versioned, checksummed\n"
                 "       file, written to a temporary name and renamed when complete.\n"
                 "       `limen screen --index FILE.limen` loads it by mapping it in memory.\n"
                 "       --threads N: read and build on N threads (default: one per CPU);\n"
                 "       the file is the same, byte for byte, for any N.\n"
                 "       --max-memory SIZE (bytes, or with K, M, G): the index's arrays may\n"
                 "       not pass SIZE; an alert that would is an error naming its line\n"
                 "       (nothing is written), rather than the machine running out.\n"
                 "info   loads a saved index (verifying it) and prints its counts.\n"
                 "\n"
                 "Exit status: 0 success, 1 usage error, 2 input error (a bad alerts line,\n"
                 "a corrupt, truncated or foreign index file, the memory limit reached).\n");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void print_stats(FILE *out, const struct limen_index *idx)
{
    struct limen_index_stats st;
    limen_index_stats(idx, &st);
    fprintf(out,
            "{\"alerts\":%zu,\"names\":%zu,\"tokens\":%zu,\"keys\":%zu,\"documents\":%zu,"
            "\"memory_bytes\":%zu}\n",
            st.alerts, st.names, st.tokens, st.keys, st.documents, st.memory_bytes);
}

static int build(int argc, char **argv)
{
    const char *alerts = NULL, *out = NULL;
    int keep_going = 0;
    unsigned threads = 0;
    size_t max_memory = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--alerts") && i + 1 < argc)
            alerts = argv[++i];
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--keep-going"))
            keep_going = 1;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            char *end;
            errno = 0;
            unsigned long n = strtoul(argv[++i], &end, 10);
            if (errno || end == argv[i] || *end || argv[i][0] == '-' || n < 1 || n > 64) {
                limen_cli_error("index build: --threads takes a whole number from 1 to 64");
                return LIMEN_EXIT_USAGE;
            }
            threads = (unsigned)n;
        }
        else if (!strcmp(argv[i], "--max-memory") && i + 1 < argc) {
            if (limen_cli_parse_size(argv[++i], &max_memory) != 0) {
                limen_cli_error("index build: --max-memory takes a size in bytes, with an "
                                "optional K, M or G (1024-based): 512M, 2G");
                return LIMEN_EXIT_USAGE;
            }
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return LIMEN_EXIT_OK;
        } else {
            limen_cli_error("index build: unknown or incomplete option '%s'", argv[i]);
            return LIMEN_EXIT_USAGE;
        }
    }
    if (!alerts || !out) {
        limen_cli_error("index build: give --alerts FILE and --out FILE");
        return LIMEN_EXIT_USAGE;
    }
    struct limen_index *idx = NULL;
    struct limen_index_options o;
    limen_index_options_init(&o);
    o.threads = threads;
    o.max_memory = max_memory;
    if (limen_index_new(&o, &idx) != LIMEN_OK) {
        limen_cli_error("cannot create the index");
        return LIMEN_EXIT_INPUT;
    }
    double t0 = now();
    int rc = limen_cli_load_alerts(alerts, keep_going, threads, idx);
    double t1 = now();
    if (rc == 0) {
        struct limen_error err;
        if (limen_index_save(idx, out, &err) != LIMEN_OK) {
            limen_cli_error("index build: %s", err.message);
            rc = LIMEN_EXIT_INPUT;
        } else {
            fprintf(stderr, "limen: index of %s built in %.1f s, saved to %s in %.1f s\n", alerts,
                    t1 - t0, out, now() - t1);
        }
    }
    limen_index_free(idx);
    return rc;
}

static int info(int argc, char **argv)
{
    if (argc != 2) {
        limen_cli_error("index info: give one index file");
        return LIMEN_EXIT_USAGE;
    }
    struct limen_index *idx = NULL;
    struct limen_error err;
    double t0 = now();
    if (limen_index_load(argv[1], &idx, &err) != LIMEN_OK) {
        limen_cli_error("%s", err.message);
        return LIMEN_EXIT_INPUT;
    }
    fprintf(stderr, "limen: %s loaded and verified in %.2f s\n", argv[1], now() - t0);
    print_stats(stdout, idx);
    limen_index_free(idx);
    return LIMEN_EXIT_OK;
}

int limen_cli_index(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return LIMEN_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return LIMEN_EXIT_OK;
    }
    if (!strcmp(argv[1], "build"))
        return build(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info"))
        return info(argc - 1, argv + 1);
    limen_cli_error("index: unknown action '%s' (build, info)", argv[1]);
    return LIMEN_EXIT_USAGE;
}
