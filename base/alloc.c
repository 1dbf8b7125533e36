/* alloc.c - the one allocator (PRACTICES 7): failure injection for tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/hk.h"
#include "base/alloc.h"

static long fail_after = -1; /* < 0: never fail */

void hk_alloc_fail_after(long n) { fail_after = n; }

static void *check(void *p, size_t n)
{
	if (!p && n) {
		fputs("houkan: out of memory\n", stderr);
		exit(HK_EXIT_IO);
	}
	return p;
}

static int injected(void)
{
	if (fail_after < 0)
		return 0;
	if (fail_after == 0)
		return 1;
	fail_after--;
	return 0;
}

void *hk_malloc(size_t n)
{
	return check(injected() ? NULL : malloc(n ? n : 1), n ? n : 1);
}

void *hk_calloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return check(NULL, 1);
	return check(injected() ? NULL : calloc(n ? n : 1, size ? size : 1), 1);
}

void *hk_realloc(void *p, size_t n)
{
	return check(injected() ? NULL : realloc(p, n ? n : 1), n ? n : 1);
}

void *hk_malloc_aligned(size_t align, size_t n)
{
	void *p = NULL;
	if (!injected() && posix_memalign(&p, align, n ? n : 1) != 0)
		p = NULL;
	return check(p, n ? n : 1);
}

char *hk_strdup(const char *s)
{
	return hk_strndup(s, strlen(s));
}

char *hk_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = hk_malloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

void hk_free(void *p) { free(p); }
