#include <stdio.h>
#include <string.h>
#include "base/buf.h"

void hk_buf_init(struct hk_buf *b, size_t limit, const char *limit_name)
{
	b->data = NULL;
	b->len = b->alloc = 0;
	b->limit = limit ? limit : (size_t)-1 / 2;
	b->limit_name = limit_name ? limit_name : "buffer limit";
}

void hk_buf_free(struct hk_buf *b)
{
	hk_free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

void hk_buf_reset(struct hk_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

int hk_buf_add(struct hk_buf *b, const void *p, size_t n, struct hk_err *err)
{
	if (b->len + n + 1 <= b->alloc && n <= b->limit - b->len) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return 0;
	}
	return hk_buf_add_slow(b, p, n, err);
}

int hk_buf_add_slow(struct hk_buf *b, const void *p, size_t n, struct hk_err *err)
{
	if (n > b->limit - b->len)
		return hk_err_set(err, HK_EXIT_INPUT, "too long: over %zu bytes (%s)",
				  b->limit, b->limit_name);
	if (b->len + n + 1 > b->alloc) {
		size_t a = b->alloc ? b->alloc : 64;
		while (a < b->len + n + 1)
			a *= 2;
		b->data = hk_realloc(b->data, a);
		b->alloc = a;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}


int hk_buf_adds(struct hk_buf *b, const char *s, struct hk_err *err)
{
	return hk_buf_add(b, s, strlen(s), err);
}

int hk_buf_printf(struct hk_buf *b, struct hk_err *err, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return hk_err_set(err, HK_EXIT_INTERNAL, "format error");
	if ((size_t)n < sizeof(small))
		return hk_buf_add(b, small, (size_t)n, err);
	{
		char *big = hk_malloc((size_t)n + 1);
		int rc;
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		rc = hk_buf_add(b, big, (size_t)n, err);
		hk_free(big);
		return rc;
	}
}

const char *hk_buf_cstr(struct hk_buf *b)
{
	if (!b->data) {
		struct hk_err e;
		hk_buf_add(b, "", 0, &e);
	}
	return b->data;
}

char *hk_buf_take(struct hk_buf *b)
{
	char *d;
	hk_buf_cstr(b);
	d = b->data;
	b->data = NULL;
	b->len = b->alloc = 0;
	return d;
}
