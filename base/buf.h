/*
 * buf.h - a growable byte buffer with a named cap (after curl's dynbuf).
 * Invariant: b->data is NUL-terminated whenever b->len > 0 or after
 * hk_buf_cstr(); b->len never exceeds b->cap_limit.
 */
#ifndef HK_BUF_H
#define HK_BUF_H
#include <stddef.h>
#include <string.h>
#include "base/hk.h"

struct hk_buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t limit;          /* hard cap on len; 0 = SIZE_MAX */
	const char *limit_name; /* named in errors, e.g. "HK_MAX_RECORD_BYTES" */
};

void hk_buf_init(struct hk_buf *b, size_t limit, const char *limit_name);
void hk_buf_free(struct hk_buf *b);
void hk_buf_reset(struct hk_buf *b);
/* Append; returns -1 (and sets err, code HK_EXIT_INPUT) if the cap would be exceeded. */
int hk_buf_add(struct hk_buf *b, const void *p, size_t n, struct hk_err *err);
int hk_buf_add_slow(struct hk_buf *b, const void *p, size_t n, struct hk_err *err);

/* Appends stay in the caller when the buffer has room (the common case). */
static inline int hk_buf_addc(struct hk_buf *b, char c, struct hk_err *err)
{
	if (b->len + 2 <= b->alloc && b->len < b->limit) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return hk_buf_add_slow(b, &c, 1, err);
}
int hk_buf_adds(struct hk_buf *b, const char *s, struct hk_err *err);
int hk_buf_printf(struct hk_buf *b, struct hk_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *hk_buf_cstr(struct hk_buf *b);
/* Detach the data (caller frees with hk_free); the buffer becomes empty. */
char *hk_buf_take(struct hk_buf *b);

#endif
