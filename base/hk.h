/*
 * hk.h - the contract every houkan module shares.
 *
 * Library functions report failure by returning a negative value (or NULL)
 * and filling a caller-supplied struct hk_err.  Library code never prints and
 * never exits; commands decide what to print and which exit code to use
 * (docs/exit-codes.md).  The error's code is one of the HK_EXIT_* values, so a
 * command can usually `return err.code`.
 */
#ifndef HK_H
#define HK_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdbool.h>

#define HK_VERSION "0.1.0"

/* Exit codes: docs/exit-codes.md is the published table. */
enum hk_exit {
	HK_EXIT_OK = 0,      /* success */
	HK_EXIT_INPUT = 1,   /* input rejected, checks failed */
	HK_EXIT_USAGE = 2,   /* bad command line */
	HK_EXIT_IO = 3,      /* file, disk or database error */
	HK_EXIT_NET = 4,     /* network or peer error */
	HK_EXIT_CERT = 5,    /* certificate or signature error */
	HK_EXIT_INTERNAL = 70 /* a bug: an invariant did not hold */
};

#define HK_ERR_MSG_MAX 1024

struct hk_err {
	int code;                  /* enum hk_exit; 0 when no error */
	char msg[HK_ERR_MSG_MAX];  /* UTF-8, one line, no trailing newline */
};

/* Sets err (if non-NULL) and returns -1, so `return hk_err_set(...)` reads well. */
int hk_err_set(struct hk_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int hk_err_vset(struct hk_err *err, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* Prefixes the existing message with "prefix: ". */
int hk_err_prefix(struct hk_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void hk_err_clear(struct hk_err *err);

/* Allocation: every allocation in houkan goes through these, so that
 * out-of-memory can be injected in tests (hk_alloc_fail_after). They never
 * return NULL: on exhaustion they print one line and abort with exit 3. */
void *hk_malloc(size_t n);
void *hk_calloc(size_t n, size_t size);
void *hk_realloc(void *p, size_t n);
char *hk_strdup(const char *s);
char *hk_strndup(const char *s, size_t n);
void *hk_malloc_aligned(size_t align, size_t n); /* align: a power of two, multiple of sizeof(void *) */
void hk_free(void *p);

/* Formatting into a fixed buffer; always NUL-terminates; returns the length
 * that would have been written (like snprintf). */
int hk_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Secure wipe (not optimised away). */
void hk_wipe(void *p, size_t n);

#define HK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
