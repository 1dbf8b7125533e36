#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/hk.h"

int hk_err_vset(struct hk_err *err, int code, const char *fmt, va_list ap)
{
	if (err) {
		err->code = code;
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	}
	return -1;
}

int hk_err_set(struct hk_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hk_err_vset(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int hk_err_prefix(struct hk_err *err, const char *fmt, ...)
{
	char pre[HK_ERR_MSG_MAX], old[HK_ERR_MSG_MAX];
	va_list ap;
	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	{
		size_t pl = strlen(pre), ol = strlen(old), cap = sizeof(err->msg) - 1;
		if (pl > cap) pl = cap;
		memcpy(err->msg, pre, pl);
		if (pl + 2 <= cap) {
			memcpy(err->msg + pl, ": ", 2);
			pl += 2;
		}
		if (ol > cap - pl) ol = cap - pl;
		memcpy(err->msg + pl, old, ol);
		err->msg[pl + ol] = '\0';
	}
	return -1;
}

void hk_err_clear(struct hk_err *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

int hk_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (size && n < 0)
		buf[0] = '\0';
	return n;
}

void hk_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;
	while (n--)
		*v++ = 0;
}
