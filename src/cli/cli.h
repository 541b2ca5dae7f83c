/*
 * The `limen` command: one file per sub-command (cmd_<name>.c), each a client
 * of the public API only. Exit codes: 0 success, 1 usage error, 2 input error.
 */
#ifndef LIMEN_CLI_H
#define LIMEN_CLI_H

#include <stdio.h>

#define LIMEN_EXIT_OK 0
#define LIMEN_EXIT_USAGE 1
#define LIMEN_EXIT_INPUT 2

/* Each sub-command gets argv[0] == its own name. */
int limen_cli_screen(int argc, char **argv);
int limen_cli_convert(int argc, char **argv);
int limen_cli_mrz(int argc, char **argv);
int limen_cli_paxlst(int argc, char **argv);

struct limen_index;
/*
 * Reads alerts (FtM JSON Lines, "-": stdin) into `idx` on `threads` threads
 * (0: one per CPU; the index is the same for any count) and finishes it;
 * reports bad lines as FILE:LINE (fatal unless keep_going) and the counts on
 * stderr. Returns 0 or an exit code.
 */
int limen_cli_load_alerts(const char *path, int keep_going, unsigned threads,
                          struct limen_index *idx);
int limen_cli_index(int argc, char **argv);

/* Parses a size: a whole number of bytes, with an optional K, M or G
 * (1024-based); 0 or -1 (not a size, zero, or too large). */
int limen_cli_parse_size(const char *s, size_t *out);

struct limen_paxlst;
/*
 * Reads and parses a PAXLST file ("-": standard input); prints its warnings
 * on stderr unless `quiet`, and errors as "FILE: segment N, byte B: ...".
 * Returns LIMEN_EXIT_OK and *out (free with limen_paxlst_free), or an exit code.
 */
int limen_cli_paxlst_load(const char *path, int quiet, struct limen_paxlst **out);

/* The hub's sub-commands (src/server/server.c). */
int limen_server_serve(int argc, char **argv);
int limen_server_admin(int argc, char **argv);
int limen_server_audit(int argc, char **argv);

/* Prints "limen: <message>" to stderr. */
void limen_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
