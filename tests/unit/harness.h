/*
 * harness.h - the unit-test harness.  A test is
 *
 *     TEST(name) { CHECK(cond); CHECK_INT(got, want); CHECK_STR(got, want); }
 *
 * Tests register themselves; tests/unit/main.c runs them all (or those whose
 * name contains argv[1]) and ends with "unit: N passed, N failed".
 * A CHECK that fails records file:line and returns from the test.
 */
#ifndef HK_TEST_HARNESS_H
#define HK_TEST_HARNESS_H
#include <string.h>

void hk_test_register(const char *name, void (*fn)(void), const char *file);
void hk_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A scratch directory for this test run (created once, under $TMPDIR). */
const char *hk_test_tmpdir(void);
/* Path of a fresh file name inside the scratch directory. */
const char *hk_test_path(const char *name);
/* Copy a file (0 or -1). */
int hk_test_copy_file(const char *from, const char *to);

#define TEST(name)                                                              \
	static void name(void);                                                 \
	__attribute__((constructor)) static void reg_##name(void)               \
	{ hk_test_register(#name, name, __FILE__); }                            \
	static void name(void)

#define CHECK(cond)                                                             \
	do { if (!(cond)) { hk_test_fail(__FILE__, __LINE__, "%s", #cond); return; } } while (0)

#define CHECK_INT(got, want)                                                    \
	do { long long g_ = (long long)(got), w_ = (long long)(want);           \
	     if (g_ != w_) { hk_test_fail(__FILE__, __LINE__, "%s = %lld, want %lld", #got, g_, w_); return; } \
	} while (0)

#define CHECK_STR(got, want)                                                    \
	do { const char *g_ = (got), *w_ = (want);                              \
	     if (!g_ || strcmp(g_, w_) != 0) {                                  \
		hk_test_fail(__FILE__, __LINE__, "%s = \"%s\", want \"%s\"", #got, g_ ? g_ : "(null)", w_); \
		return; }                                                       \
	} while (0)

/* got (len bytes) must equal the NUL-terminated want. */
#define CHECK_MEM(got, len, want)                                               \
	do { size_t l_ = (len); const char *w_ = (want);                        \
	     if (l_ != strlen(w_) || memcmp((got), w_, l_) != 0) {              \
		hk_test_fail(__FILE__, __LINE__, "%s = \"%.*s\", want \"%s\"", #got, (int)l_, (const char *)(got), w_); \
		return; }                                                       \
	} while (0)

#endif
