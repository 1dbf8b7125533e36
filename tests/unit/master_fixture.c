/* master_fixture.c - see master_fixture.h. */
#include <stdio.h>
#include "tests/unit/harness.h"
#include "tests/unit/master_fixture.h"
#include "base/fileio.h"

const char *hk_test_master_rev(const char *root, const char *date)
{
	static char dir[1024];
	char a[1200], b[1200];
	struct hk_err err = {0};
	snprintf(dir, sizeof(dir), "%s/%s", hk_test_path(root), date);
	if (hk_mkdir_p(dir, 0755, &err) < 0)
		return NULL;
	for (int t = 0; t < HK_MT_COUNT; t++) {
		snprintf(a, sizeof(a), "%s/%s", HK_TEST_OFFICIAL_MASTER, hk_master_file_name((enum hk_master_table)t));
		snprintf(b, sizeof(b), "%s/%s", dir, hk_master_file_name((enum hk_master_table)t));
		if (hk_test_copy_file(a, b) < 0)
			return NULL;
	}
	return dir;
}

int hk_test_master_append(const char *dir, enum hk_master_table t, const char *text)
{
	char path[1200];
	FILE *f;
	int rc;
	snprintf(path, sizeof(path), "%s/%s", dir, hk_master_file_name(t));
	f = fopen(path, "ab");
	if (!f)
		return -1;
	rc = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) != 0 ? -1 : rc;
}

int hk_test_master_append_kinkyu_2700(const char *dir, const char *from)
{
	char row[1024];
	snprintf(row, sizeof(row),
		 "\"5\",\"R\",\"510002470\",\"01\",\"0\",\"00\",\"X\",\"1\",\"X\",\"0\",\"\",\"0\",\"0\",\"\","
		 "\"1\",\"2700.00\",\"1\",\"2650.00\",\"0\",\"0\",\"99999999\",\"0\",\"0.00\",\"0\",\"00\",\"00\","
		 "\"0\",\"0\",\"00\",\"00\",\"00\",\"00\",\"00\",\"00\",\"00\",\"00\",\"00\",\"00\",\"00\",\"00\","
		 "\"00\",\"00\",\"00\",\"0\",\"0\",\"0\",\"1\",\"0000\",\"0000\",\"1\",\"1\",\"0\",\"10\",\"20\","
		 "\"001\",\"0\",\"0\",\"0\",\"0\",\"0\",\"0\",\"2\",\"0\",\"1\",\"0\",\"270000\",\"04\",\"0\",\"0\","
		 "\"0\",\"%s\",\"99999999\"\r\n", from);
	return hk_test_master_append(dir, HK_MT_KIHON, row);
}
