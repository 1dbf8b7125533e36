#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/unit/harness.h"
#include "base/fileio.h"

struct test { const char *name; void (*fn)(void); const char *file; };
static struct test tests[2048];
static int ntests, failed_now;
static char tmpdir[512];

void hk_test_register(const char *name, void (*fn)(void), const char *file)
{
	if (ntests < (int)(sizeof(tests) / sizeof(tests[0])))
		tests[ntests++] = (struct test){name, fn, file};
}

void hk_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("    %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed_now = 1;
}

const char *hk_test_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(tmpdir, sizeof(tmpdir), "%s/houkan-unit-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(2);
		}
	}
	return tmpdir;
}

const char *hk_test_path(const char *name)
{
	static char path[8][1024];
	static int slot;
	char *p = path[slot++ % 8];
	snprintf(p, 1024, "%s/%s", hk_test_tmpdir(), name);
	return p;
}

int hk_test_copy_file(const char *from, const char *to)
{
	char *data = NULL;
	size_t len = 0;
	struct hk_err err = {0};
	int rc = hk_read_file(from, &data, &len, 0, &err) < 0 ? -1 : hk_publish(to, data, len, 0644, &err);
	hk_free(data);
	return rc;
}

static int cmp(const void *a, const void *b)
{
	const struct test *x = a, *y = b;
	int c = strcmp(x->file, y->file);
	return c ? c : strcmp(x->name, y->name);
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	const char *filter = argc > 1 ? argv[1] : NULL;
	qsort(tests, (size_t)ntests, sizeof(tests[0]), cmp);
	setenv("TZ", "UTC", 1);
	for (int i = 0; i < ntests; i++) {
		if (filter && !strstr(tests[i].name, filter))
			continue;
		failed_now = 0;
		tests[i].fn();
		fflush(stdout);
		if (failed_now) {
			printf("FAIL %s (%s)\n", tests[i].name, tests[i].file);
			failed++;
		} else {
			printf("ok   %s\n", tests[i].name);
			passed++;
		}
	}
	if (tmpdir[0]) {
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
