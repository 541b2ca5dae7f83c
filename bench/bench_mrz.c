/*
 * MRZ parsing throughput on one core: limen_mrz_parse over a mix of formats
 * (TD1, TD2, TD3, MRV-A, MRV-B, French card; valid, long document numbers,
 * check digit errors), with a fixed reference date so that the figure does
 * not include reading the clock. Prints the median of several runs in
 * parses per second and nanoseconds per parse.
 *
 * usage: bench_mrz [runs (default 7)] [parses per run (default 2000000)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_lib.h"
#include "limen/mrz.h"

static const char *const mix[] = {
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n",
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
    "\n",
    "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6\n",
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<\n",
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<\n",
    "IDFRABERTHIER<<<<<<<<<<<<<<<<<<<<<<<\n8806923102858CORINNE<<<<<<<6512068F6\n",
    "I<PRT007777779<ZZ92<<<<<<<<<<<\n8303143M3405282PRT<<<<<<<<<<<2\nCACADOR<DE<ARAUJO<<ANDRE<"
    "ESTEV\n",
    "P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<\nC01X0006H1D<<6408125F1710319<<<<<<<<<<<<<<<0\n",
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<20\n",
    "IDCHEA1234567<6<<<<<<<<<<<<<<<\n7510256M2009018CHE<<<<<<<<<<<8\nSMITH<<JOHN<ALBERT<<<<<<<<<<<<"
    "\n",
};
#define NMIX (sizeof mix / sizeof mix[0])

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long runs = argc > 1 ? strtol(argv[1], NULL, 10) : 7;
    long n = argc > 2 ? strtol(argv[2], NULL, 10) : 2000000;
    if (runs < 1 || runs > 101 || n < 1) {
        fprintf(stderr, "usage: bench_mrz [runs 1..101] [parses per run]\n");
        return 1;
    }
    size_t lens[NMIX];
    for (size_t i = 0; i < NMIX; i++)
        lens[i] = strlen(mix[i]);
    struct limen_mrz_options o = {0, 2025, 6, 1};
    struct limen_mrz m;
    double rates[101];
    unsigned long valid = 0;
    for (long r = 0; r < runs; r++) {
        double t0 = bench_now();
        for (long i = 0; i < n; i++) {
            size_t k = (size_t)i % NMIX;
            valid += limen_mrz_parse(mix[k], lens[k], &o, &m, NULL) == LIMEN_OK;
        }
        double dt = bench_now() - t0;
        rates[r] = (double)n / dt;
    }
    qsort(rates, (size_t)runs, sizeof rates[0], cmp);
    double med = rates[runs / 2];
    printf("bench_mrz: %zu MRZs (TD1, TD2, TD3, MRV-A, MRV-B, French card; 1 in %zu invalid)\n",
           NMIX, NMIX);
    printf("bench_mrz: median of %ld runs of %ld parses: %.0f parses/s on one core "
           "(%.0f ns/parse; min %.0f, max %.0f parses/s)\n",
           runs, n, med, 1e9 / med, rates[0], rates[runs - 1]);
    printf("bench_mrz: %lu valid results\n", valid);
    return 0;
}
