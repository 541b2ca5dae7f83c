/*
 * Allocation wrappers with a fault-injection switch for tests. The counters
 * are atomic so a threaded program can use the library while a test leaves
 * fault injection off; only tests turn it on, from one thread.
 */
#include "alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static atomic_ulong alloc_calls;
static atomic_ulong fail_at;
static atomic_int fail_sticky;

void limen__alloc_fail_after(unsigned long n, int sticky)
{
    atomic_store(&fail_sticky, sticky);
    atomic_store(&fail_at, n ? atomic_load(&alloc_calls) + n : 0);
}

unsigned long limen__alloc_count(void)
{
    return atomic_load(&alloc_calls);
}

static int should_fail(void)
{
    unsigned long call = atomic_fetch_add(&alloc_calls, 1) + 1;
    unsigned long at = atomic_load(&fail_at);
    if (at == 0)
        return 0;
    if (call == at)
        return 1;
    return atomic_load(&fail_sticky) && call > at;
}

void *limen__malloc(size_t size)
{
    if (should_fail())
        return NULL;
    return malloc(size ? size : 1);
}

void *limen__calloc(size_t n, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *limen__realloc(void *p, size_t size)
{
    if (should_fail())
        return NULL;
    return realloc(p, size ? size : 1);
}

void *limen__reallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return limen__realloc(p, n * size);
}

void limen__free(void *p)
{
    free(p);
}

char *limen__strndup(const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *d = limen__malloc(len + 1);
    if (!d)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}
