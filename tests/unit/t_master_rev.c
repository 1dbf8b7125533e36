/*
 * t_master_rev.c - master revisions by effective date, row-level dates, and
 * malformed files (each error must name FILE:LINE:COLUMN).  Every case works
 * on a copy of data/master/20240601 edited byte-wise (the edits touch only
 * ASCII, which CP932 leaves as is).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "tests/unit/harness.h"
#include "master/master.h"
#include "base/fileio.h"
#include "tests/unit/master_fixture.h"

/* Replaces the first occurrence of `from` in DIR/table's file by `to`. */
static int edit(const char *dir, enum hk_master_table t, const char *from, const char *to)
{
	char path[1200], *data = NULL, *hit;
	size_t len = 0, fl = strlen(from), tl = strlen(to);
	struct hk_err err = {0};
	FILE *f;
	int rc = -1;
	snprintf(path, sizeof(path), "%s/%s", dir, hk_master_file_name(t));
	if (hk_read_file(path, &data, &len, 0, &err) < 0)
		return -1;
	hit = memmem(data, len, from, fl);
	if (!hit)
		goto out;
	f = fopen(path, "wb");
	if (!f)
		goto out;
	if (fwrite(data, 1, (size_t)(hit - data), f) == (size_t)(hit - data) && fwrite(to, 1, tl, f) == tl &&
	    fwrite(hit + fl, 1, len - (size_t)(hit - data) - fl, f) == len - (size_t)(hit - data) - fl)
		rc = 0;
	if (fclose(f) != 0)
		rc = -1;
out:
	hk_free(data);
	return rc;
}

static struct hk_date D(int y, int m, int d)
{
	return (struct hk_date){y, m, d};
}

TEST(master_revision_by_effective_date)
{
	struct hk_master *m = NULL;
	struct hk_err err = {0};
	const struct hk_master_item *it;
	const char *root = hk_test_path("rev1");
	const char *later;
	CHECK(hk_test_master_rev("rev1", "20240601") != NULL);
	later = hk_test_master_rev("rev1", "20241001");
	CHECK(later != NULL);
	/* the later revision raises 510000110 from 5550 to 5600 yen */
	CHECK(edit(later, HK_MT_KIHON, "\"5550.00\"", "\"5600.00\"") == 0);

	CHECK(hk_master_load(root, D(2024, 9, 30), &m, &err) == 0);
	it = hk_master_item(m, "510000110", D(2024, 9, 30));
	CHECK(it != NULL);
	CHECK_INT(it->amount_x100, 555000);
	CHECK(hk_master_info(m)->has_next);
	CHECK_INT(hk_master_info(m)->next.m, 10);
	/* the old revision does not answer for dates after its span */
	CHECK(hk_master_item(m, "510000110", D(2024, 10, 1)) == NULL);
	CHECK(!hk_master_covers(m, D(2024, 10, 1)));
	hk_master_free(m);
	m = NULL;

	CHECK(hk_master_load(root, D(2024, 10, 1), &m, &err) == 0);
	it = hk_master_item(m, "510000110", D(2024, 10, 1));
	CHECK(it != NULL);
	CHECK_INT(it->amount_x100, 560000);
	CHECK(!hk_master_info(m)->has_next);
	CHECK(strncmp(hk_master_info(m)->version, "20241001:", 9) == 0);
	/* before its effective date this revision answers nothing */
	CHECK(hk_master_item(m, "510000110", D(2024, 9, 30)) == NULL);
	hk_master_free(m);
	m = NULL;

	/* before every revision: an error, not a guess */
	CHECK(hk_master_load(root, D(2024, 5, 31), &m, &err) < 0);
	CHECK(m == NULL);
	CHECK_INT(err.code, HK_EXIT_IO);
	CHECK(strstr(err.msg, "no master revision in force on 2024-05-31") != NULL);
}

TEST(master_row_dates_are_honoured)
{
	struct hk_master *m = NULL;
	struct hk_err err = {0};
	const struct hk_master_item *it;
	const char *dir = hk_test_master_rev("rev2", "20240601");
	CHECK(dir != NULL);
	/* 510002370 abolished after 2024-11-30 (変更区分 9, 廃止年月日 20241130) */
	CHECK(edit(dir, HK_MT_KIHON, "\"0\",\"R\",\"510002370\"", "\"9\",\"R\",\"510002370\"") == 0);
	CHECK(edit(dir, HK_MT_KIHON, "\"260000\",\"00\",\"0\",\"0\",\"0\",\"20240601\",\"99999999\"",
		   "\"260000\",\"00\",\"0\",\"0\",\"0\",\"20240601\",\"20241130\"") == 0);
	/* a second row for 510002470 (緊急訪問看護加算, 2650 yen) changing it to 2700 from 2024-12-01 */
	CHECK(hk_test_master_append_kinkyu_2700(dir, "20241201") == 0);
	CHECK(hk_master_load_dir(dir, &m, &err) == 0);
	CHECK(hk_master_item(m, "510002370", D(2024, 11, 30)) != NULL);
	CHECK(hk_master_item(m, "510002370", D(2024, 12, 1)) == NULL);
	it = hk_master_item(m, "510002470", D(2024, 11, 30));
	CHECK(it != NULL);
	CHECK_INT(it->amount_x100, 265000);
	it = hk_master_item(m, "510002470", D(2024, 12, 1));
	CHECK(it != NULL);
	CHECK_INT(it->amount_x100, 270000);
	CHECK_INT(it->change, HK_MC_CHANGED);
	CHECK_INT(hk_master_nitems(m), 209);
	hk_master_free(m);
}

/* Loads DIR and expects failure with `want` in the message. */
static int fails_with(const char *dir, const char *want, int code)
{
	struct hk_master *m = NULL;
	struct hk_err err = {0};
	if (hk_master_load_dir(dir, &m, &err) == 0) {
		printf("    loaded, want an error containing '%s'\n", want);
		hk_master_free(m);
		return 0;
	}
	if (!strstr(err.msg, want) || err.code != code) {
		printf("    error (code %d) '%s', want code %d and '%s'\n", err.code, err.msg, code, want);
		return 0;
	}
	return 1;
}

TEST(master_bad_column_count)
{
	const char *dir = hk_test_master_rev("bad1", "20240601");
	CHECK(dir != NULL);
	/* drop the last column of line 3 (510000310) */
	CHECK(edit(dir, HK_MT_KIHON, ",\"99999999\"\r\n\"0\",\"R\",\"510000410\"", "\r\n\"0\",\"R\",\"510000410\"") == 0);
	CHECK(fails_with(dir, "houmonkango-master-kihon.csv:3: 71 columns, want 72", HK_EXIT_INPUT));
}

TEST(master_bad_date)
{
	const char *dir = hk_test_master_rev("bad2", "20240601");
	CHECK(dir != NULL);
	/* line 2 of 算定回数限度 (510000110, 週 3): 変更年月日 June 31st */
	CHECK(edit(dir, HK_MT_KAISU, "\"3\",\"0\",\"20240601\"", "\"3\",\"0\",\"20240631\"") == 0);
	CHECK(fails_with(dir, "houmonkango-master-santei-kaisu-gendo.csv:2:8: 項番8 変更年月日: '20240631' is not a date",
			 HK_EXIT_INPUT));
}

TEST(master_bad_amount_and_code)
{
	const char *dir = hk_test_master_rev("bad3", "20240601");
	CHECK(dir != NULL);
	CHECK(edit(dir, HK_MT_KIHON, "\"5550.00\"", "\"55X0.00\"") == 0);
	CHECK(fails_with(dir, "houmonkango-master-kihon.csv:1:16: 項番16 新又は現金額: '55X0.00'", HK_EXIT_INPUT));
	dir = hk_test_master_rev("bad4", "20240601");
	CHECK(dir != NULL);
	/* 併算定背反 line 1 names a code missing from the 基本テーブル */
	CHECK(edit(dir, HK_MT_HAIHAN, "\"510000210\"", "\"519999999\"") == 0);
	CHECK(fails_with(dir, "houmonkango-master-heisantei-haihan.csv:1:5: 項番5 背反訪問看護療養費コード: "
			 "519999999 is not in the 基本テーブル", HK_EXIT_INPUT));
	dir = hk_test_master_rev("bad5", "20240601");
	CHECK(dir != NULL);
	/* 金額識別 outside 1/3/5 */
	CHECK(edit(dir, HK_MT_KIHON, "\"1\",\"5550.00\"", "\"2\",\"5550.00\"") == 0);
	CHECK(fails_with(dir, "houmonkango-master-kihon.csv:1:15: 項番15 金額識別: '2' is not one of the codes 135",
			 HK_EXIT_INPUT));
}

TEST(master_bad_encoding_and_missing_file)
{
	char path[1200];
	const char *dir = hk_test_master_rev("bad6", "20240601");
	CHECK(dir != NULL);
	/* a lone CP932 lead byte inside line 1, column 3 of the 施設基準 file */
	CHECK(edit(dir, HK_MT_SHISETSU, "\"B008\",\"", "\"B008\",\"\x81") == 0);
	CHECK(fails_with(dir, "houmonkango-master-shisetsu-kijun.csv:1:3: not valid CP932", HK_EXIT_INPUT));
	dir = hk_test_master_rev("bad7", "20240601");
	CHECK(dir != NULL);
	snprintf(path, sizeof(path), "%s/%s", dir, hk_master_file_name(HK_MT_KASAN));
	CHECK(remove(path) == 0);
	CHECK(fails_with(dir, "houmonkango-master-kihon-kasan-taiou.csv: cannot open", HK_EXIT_IO));
	CHECK(fails_with(hk_test_path("bad7"), "must be named YYYYMMDD", HK_EXIT_IO));
}

TEST(master_duplicate_code_same_date)
{
	const char *dir = hk_test_master_rev("bad8", "20240601");
	CHECK(dir != NULL);
	/* the 2nd row re-uses the first row's code */
	CHECK(edit(dir, HK_MT_KIHON, "\"0\",\"R\",\"510000210\"", "\"0\",\"R\",\"510000110\"") == 0);
	CHECK(fails_with(dir, "houmonkango-master-kihon.csv:2:3: 項番3 訪問看護療養費コード: 510000110 appears again",
			 HK_EXIT_INPUT));
}
