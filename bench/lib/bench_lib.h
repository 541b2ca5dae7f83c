/* Shared support for the benchmark programs. */
#ifndef LIMEN_BENCH_LIB_H
#define LIMEN_BENCH_LIB_H

#include <stddef.h>

/* Monotonic time in seconds. */
double bench_now(void);
/* p-th percentile (0..1) of v[0..n), sorting v in place; 0 when n == 0. */
double bench_percentile(double *v, size_t n, double p);

#endif
