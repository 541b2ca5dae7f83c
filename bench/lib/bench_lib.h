/* Shared support for the benchmark programs. */
#ifndef LIMEN_BENCH_LIB_H
#define LIMEN_BENCH_LIB_H

#include <stddef.h>

/* Monotonic time in seconds. */
double bench_now(void);
/* p-th percentile (0..1) of v[0..n), sorting v in place; 0 when n == 0. */
double bench_percentile(double *v, size_t n, double p);



/*
 * Splits one CSV record (RFC 4180 quotes, no embedded newlines) in place
 * into at most max fields; returns the field count. Used for the reference
 * data files in ../shared/data, which are well formed.
 */
int bench_csv_split(char *line, char **fields, int max);

/* Reads a whole line (any length) into *buf (grown with realloc); returns its length or -1 at EOF. */
long bench_getline(char **buf, size_t *cap, void *fp);
#endif
