/*
 * Allocation wrappers. Every allocation of the library goes through these so
 * that tests can count allocations and make the N-th one fail (fault
 * injection), the way SQLite tests its out-of-memory paths.
 */
#ifndef LIMEN_ALLOC_H
#define LIMEN_ALLOC_H

#include <stddef.h>

void *limen__malloc(size_t size);
void *limen__calloc(size_t n, size_t size);
void *limen__realloc(void *p, size_t size);
/* Reallocates an array of n elements of `size` bytes, checking n * size for overflow. */
void *limen__reallocarray(void *p, size_t n, size_t size);
void limen__free(void *p);
/* Copies len bytes of s and adds a NUL. Returns NULL on allocation failure. */
char *limen__strndup(const char *s, size_t len);

/*
 * Fault injection for tests: the `n`-th allocation from now (1-based) and all
 * after it fail when `sticky`, only that one otherwise. n == 0 disables.
 * Not thread-safe: tests call it from one thread.
 */
void limen__alloc_fail_after(unsigned long n, int sticky);
/* Number of allocations made since the program started (counting failures). */
unsigned long limen__alloc_count(void);

#endif
