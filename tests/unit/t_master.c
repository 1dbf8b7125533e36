/*
 * t_master.c - the 訪問看護療養費マスター loader against facts read by hand
 * from data/master/20240601 (the official CSVs) and the spec (S3).
 */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "tests/unit/harness.h"
#include "master/master.h"
#include "base/fileio.h"

static const struct hk_date JUN1 = {2024, 6, 1};
static const struct hk_date JUL10 = {2024, 7, 10};

/* Unit tests run from the source tree (tests/run.sh cds there). */
static struct hk_master *official(void)
{
	static struct hk_master *m;
	struct hk_err err = {0};
	if (!m && hk_master_load("data/master", JUL10, &m, &err) < 0) {
		printf("    cannot load data/master: %s\n", err.msg);
		return NULL;
	}
	return m;
}

TEST(master_loads_official_20240601)
{
	struct hk_master *m = official();
	const struct hk_master_info *in;
	CHECK(m != NULL);
	in = hk_master_info(m);
	CHECK_INT(in->effective.y, 2024);
	CHECK_INT(in->effective.m, 6);
	CHECK_INT(in->effective.d, 1);
	/* row counts = line counts of the five files (wc -l) */
	CHECK_INT(in->rows[HK_MT_KIHON], 208);
	CHECK_INT(in->rows[HK_MT_KASAN], 107);
	CHECK_INT(in->rows[HK_MT_KAISU], 266);
	CHECK_INT(in->rows[HK_MT_HAIHAN], 4340);
	CHECK_INT(in->rows[HK_MT_SHISETSU], 105);
	/* sha256sum of the official kihon file */
	CHECK_STR(in->file_sha256[HK_MT_KIHON], "9dddfcda9245811f7502c9fd86e428f5f5fc5965d3621a9d108a8731d81d65db");
	CHECK(strncmp(in->version, "20240601:", 9) == 0);
	CHECK_INT(strlen(in->version), 9 + 64);
}

TEST(master_item_510000110)
{
	struct hk_master *m = official();
	const struct hk_master_item *it;
	CHECK(m != NULL);
	it = hk_master_item(m, "510000110", JUL10);
	CHECK(it != NULL);
	CHECK_STR(it->name, "訪問看護基本療養費１（保健師、助産師又は看護師による場合（ハを除く。））（週３日目まで）");
	CHECK_INT(it->amount_kind, HK_AMOUNT_YEN);
	CHECK_INT(it->amount_x100, 555000);
	CHECK_INT(it->kubun, 1);
	CHECK_INT(it->edaban, 0);
	CHECK_INT(it->kouban, 1);
	CHECK_INT(it->nstaff, 4);
	CHECK_STR(it->staff[0], "01");
	CHECK_STR(it->staff[1], "02");
	CHECK_STR(it->staff[2], "03");
	CHECK_STR(it->staff[3], "08");
	CHECK(hk_master_item_allows_staff(it, "08"));
	CHECK(!hk_master_item_allows_staff(it, "07")); /* 准看護師 has its own code */
	CHECK_INT(it->visit_count_kind, 1);   /* 項番44 */
	CHECK_INT(it->instr_kind, 1);         /* 項番45 */
	CHECK_INT(it->special_instr_kind, 2); /* 項番46 */
	CHECK_STR(it->addon_group, "A101");
	CHECK_STR(it->facility_group, "0000");
	CHECK(!it->rel_addon);
	CHECK(it->rel_limit);
	CHECK(it->rel_exclusion);
	CHECK_STR(it->kana, "ﾎｳﾓﾝｶﾝｺﾞｷﾎﾝﾘｮｳﾖｳﾋ1");
	CHECK_INT(it->valid_from.y, 2024);
	CHECK_INT(it->valid_to.y, 9999);
	CHECK(hk_master_item(m, "510000111", JUL10) == NULL);
	CHECK(hk_master_item(m, "", JUL10) == NULL);
}

TEST(master_percent_addon_and_points)
{
	struct hk_master *m = official();
	const struct hk_master_item *it;
	char buf[32];
	CHECK(m != NULL);
	it = hk_master_item(m, "510002370", JUL10); /* 特別地域訪問看護加算 */
	CHECK(it != NULL);
	CHECK(strstr(it->name, "特別地域訪問看護加算") != NULL);
	CHECK_INT(it->amount_kind, HK_AMOUNT_PERCENT);
	CHECK_INT(it->amount_x100, 5000);
	CHECK_INT(it->nstaff, 0);
	hk_master_fmt_amount(it->amount_kind, it->amount_x100, buf, sizeof(buf));
	CHECK_STR(buf, "50%");
	/* 医療観察訪問看護管理料（月の初日）: 767 points, old amount 744 points */
	it = hk_master_item(m, "588003210", JUL10);
	CHECK(it != NULL);
	CHECK_INT(it->amount_kind, HK_AMOUNT_POINTS);
	CHECK_INT(it->amount_x100, 76700);
	CHECK_INT(it->old_amount_kind, HK_AMOUNT_POINTS);
	CHECK_INT(it->old_amount_x100, 74400);
	CHECK_INT(it->kansatsu, 1);
	/* 乳幼児加算: 上限年齢 06 = under 6 */
	it = hk_master_item(m, "510002670", JUL10);
	CHECK(it != NULL);
	CHECK_INT(it->age_max, 6);
	CHECK_INT(it->amount_x100, 130000);
}

TEST(master_limits_510000110)
{
	struct hk_master *m = official();
	const struct hk_master_limit *l[8];
	size_t n;
	CHECK(m != NULL);
	/* rows: 121 日 1, 138 週 3 */
	n = hk_master_limits(m, "510000110", JUL10, l, 8);
	CHECK_INT(n, 2);
	CHECK_INT(l[0]->unit, HK_LU_DAY);
	CHECK_STR(l[0]->unit_name, "日");
	CHECK_INT(l[0]->max, 1);
	CHECK_INT(l[1]->unit, HK_LU_WEEK);
	CHECK_INT(l[1]->max, 3);
	CHECK_INT(hk_master_limits(m, "510000110", JUL10, NULL, 0), 2);
	/* the count is reported even when out is too small */
	CHECK_INT(hk_master_limits(m, "510000110", JUL10, l, 1), 2);
	CHECK_INT(hk_master_limits(m, "599999999", JUL10, l, 8), 0);
}

TEST(master_exclusion_pairs)
{
	struct hk_master *m = official();
	const struct hk_master_exclusion *x;
	const struct hk_master_exclusion *xs[256];
	size_t n;
	CHECK(m != NULL);
	/* line 1 of the 併算定背反 file: 510000110 / 510000210, どちらか一方, 1日につき */
	x = hk_master_exclusion(m, "510000110", "510000210", JUL10);
	CHECK(x != NULL);
	CHECK_INT(x->kind, HK_EX_EITHER);
	CHECK_INT(x->scope, HK_EXS_DAY);
	CHECK_INT(x->special, 0);
	/* 専門の研修 510000510 vs 管理療養費 550000110: 0 算定不可 / the reverse 1 算定可 */
	x = hk_master_exclusion(m, "510000510", "550000110", JUL10);
	CHECK(x != NULL);
	CHECK_INT(x->kind, HK_EX_CODE_NOT);
	x = hk_master_exclusion(m, "550000110", "510000510", JUL10);
	CHECK(x != NULL);
	CHECK_INT(x->kind, HK_EX_CODE_OK);
	/* not a pair */
	CHECK(hk_master_exclusion(m, "510000110", "510002370", JUL10) == NULL);
	n = hk_master_exclusions(m, "510000110", JUL10, xs, 256);
	CHECK(n > 0 && n <= 256);
	for (size_t i = 0; i < n; i++)
		CHECK_STR(xs[i]->code, "510000110");
}

TEST(master_addons_and_facilities)
{
	struct hk_master *m = official();
	const struct hk_master_addon *a[64];
	const struct hk_master_facility *f[8];
	size_t n;
	CHECK(m != NULL);
	/* A101 row 1: 510002370 特別地域訪問看護加算, 加算識別 01 */
	n = hk_master_addons(m, "A101", JUL10, a, 64);
	CHECK(n >= 1 && n <= 64);
	CHECK_STR(a[0]->code, "510002370");
	CHECK_INT(a[0]->ident, 1);
	CHECK(hk_master_addon_for(m, "510000110", "510002370", JUL10) != NULL);
	CHECK(hk_master_addon_for(m, "510000110", "510001970", JUL10) != NULL);
	/* an add-on is not a base: no group */
	CHECK(hk_master_addon_for(m, "510002370", "510000110", JUL10) == NULL);
	/* 510000510 専門の研修: 施設基準グループ B008 -> 施設基準 1607 */
	n = hk_master_facilities(m, "510000510", JUL10, f, 8);
	CHECK_INT(n, 1);
	CHECK_INT(f[0]->facility, 1607);
	CHECK_STR(f[0]->group, "B008");
	CHECK_INT(hk_master_facilities(m, "510000110", JUL10, f, 8), 0);
}

TEST(master_search_by_name)
{
	struct hk_master *m = official();
	const struct hk_master_item *it[16];
	size_t n;
	CHECK(m != NULL);
	n = hk_master_search(m, "特別地域訪問看護加算", JUL10, it, 16);
	CHECK(n >= 2 && n <= 16);
	for (size_t i = 0; i < n; i++)
		CHECK(strstr(it[i]->name, "特別地域訪問看護加算") || strstr(it[i]->short_name, "特別地域訪問看護加算"));
	CHECK_INT(hk_master_search(m, "存在しない名称", JUL10, it, 16), 0);
}

TEST(master_items_in_code_order)
{
	struct hk_master *m = official();
	CHECK(m != NULL);
	CHECK_INT(hk_master_nitems(m), 208);
	for (size_t i = 1; i < hk_master_nitems(m); i++)
		CHECK(strcmp(hk_master_item_at(m, i - 1)->code, hk_master_item_at(m, i)->code) < 0);
	CHECK(hk_master_item_at(m, 208) == NULL);
}

#ifndef HK_MASTER_ROOT
#define HK_MASTER_ROOT "/usr/local/share/houkan/master"
#endif
#define HK_MASTER_ROOT_FOR_TESTS HK_MASTER_ROOT

TEST(master_root_precedence)
{
	setenv("HOUKAN_MASTER_DIR", "/env/root", 1);
	CHECK_STR(hk_master_root("/explicit"), "/explicit");
	CHECK_STR(hk_master_root(NULL), "/env/root");
	CHECK_STR(hk_master_root(""), "/env/root");
	unsetenv("HOUKAN_MASTER_DIR");
	CHECK(strcmp(hk_master_root(NULL), "/env/root") != 0);
	/* the installed root, or - when it does not exist - the source tree's
	 * data/master next to the uninstalled test binary (build/unit-tests) */
	if (access(HK_MASTER_ROOT_FOR_TESTS, F_OK) == 0) {
		CHECK(strstr(hk_master_root(NULL), "houkan/master") != NULL);
	} else {
		const char *r = hk_master_root(NULL);
		size_t n = strlen(r);
		CHECK(n > 12 && strcmp(r + n - 12, "/data/master") == 0);
		CHECK(access(r, R_OK) == 0);
	}
}

TEST(master_row_validity)
{
	struct hk_date from = {2024, 6, 1}, to = {2024, 9, 30};
	CHECK(hk_master_row_valid(0, from, to, JUN1));
	CHECK(hk_master_row_valid(9, from, to, (struct hk_date){2024, 9, 30})); /* 廃止年月日 is the last usable day */
	CHECK(!hk_master_row_valid(9, from, to, (struct hk_date){2024, 10, 1}));
	CHECK(!hk_master_row_valid(0, from, to, (struct hk_date){2024, 5, 31}));
	CHECK(!hk_master_row_valid(1, from, to, JUN1)); /* 抹消 */
}
