/*
 * t_fees_month.c - the fee engine when the master changes inside the claim
 * month.  The engine keeps the month's master answers per code while no row
 * of any table starts or ends inside the month (hk_master_uniform); these
 * cases move a row's 変更年月日 / 廃止年月日 into June 2024 (or add a row
 * from mid-June) in a copy of data/master/20240601 and expect each line to
 * follow the row valid on its own date (master.h: lookups honour each row's
 * dates), as the engine did before it kept any answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/harness.h"
#include "claims/fees.h"
#include "master/master.h"
#include "base/fileio.h"
#include "tests/unit/master_fixture.h"

#define JUNE(d) ((struct hk_date){2024, 6, (d)})

/* In the first line of DIR/table's file that holds k1, k2 and from, replaces
 * that occurrence of from by to (same length: the edits touch ASCII only). */
static int edit_row(const char *dir, enum hk_master_table t, const char *k1, const char *k2, const char *from,
		    const char *to)
{
	char path[1200], *data = NULL;
	size_t len = 0, pos = 0;
	struct hk_err err = {0};
	FILE *f;
	int rc = -1;
	if (strlen(from) != strlen(to))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, hk_master_file_name(t));
	if (hk_read_file(path, &data, &len, 0, &err) < 0)
		return -1;
	while (pos < len) {
		char *line = data + pos, *nl = memchr(line, '\n', len - pos), *hit;
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		char save = line[n < len - pos ? n : 0];
		if (n < len - pos)
			line[n] = '\0';
		hit = strstr(line, k1) && strstr(line, k2) ? strstr(line, from) : NULL;
		if (n < len - pos)
			line[n] = save;
		if (hit) {
			memcpy(hit, to, strlen(to));
			f = fopen(path, "wb");
			if (f && fwrite(data, 1, len, f) == len)
				rc = 0;
			if (f && fclose(f) != 0)
				rc = -1;
			break;
		}
		pos += n + 1;
	}
	hk_free(data);
	return rc;
}

static struct hk_fee_visit V(int day)
{
	struct hk_fee_visit v;
	memset(&v, 0, sizeof(v));
	v.date = JUNE(day);
	v.start = 10 * 60;
	v.end = 11 * 60;
	memcpy(v.staff, "03", 3);
	memcpy(v.family, "01", 3);
	v.building = 1;
	return v;
}

struct fx {
	struct hk_fee_station st;
	struct hk_fee_patient pt;
	struct hk_fee_instruction in;
	struct hk_fee_ctx c;
	int std[4];
};

static void fx_init(struct fx *f, const struct hk_master *m)
{
	memset(f, 0, sizeof(*f));
	f->st.standards = f->std;
	f->pt.birth = (struct hk_date){1950, 1, 1};
	memcpy(f->in.kind, "01", 3);
	f->in.from = JUNE(1);
	f->in.to = JUNE(30);
	f->c.master = m;
	f->c.station = &f->st;
	f->c.patient = &f->pt;
	f->c.instr = &f->in;
	f->c.ninstr = 1;
	f->c.year = 2024;
	f->c.month = 6;
}

/* Index of the line of code on June day, or -1. */
static int line_of(const struct hk_fee_result *r, int day, const char *code)
{
	for (int i = 0; i < r->nka; i++)
		if (r->ka[i].date.d == day && !strcmp(r->ka[i].code, code))
			return i;
	return -1;
}

static int lines_of(const struct hk_fee_result *r, int day, const char *code)
{
	int n = 0;
	for (int i = 0; i < r->nka; i++)
		n += r->ka[i].date.d == day && !strcmp(r->ka[i].code, code);
	return n;
}

/* A note on June day for code whose message holds text. */
static bool noted(const struct hk_fee_result *r, int day, const char *code, const char *text)
{
	for (int i = 0; i < r->nnotes; i++)
		if (r->notes[i].date.d == day && !strcmp(r->notes[i].code, code) && strstr(r->notes[i].msg, text))
			return true;
	return false;
}

static struct hk_master *load(const char *dir)
{
	struct hk_master *m = NULL;
	struct hk_err err = {0};
	if (hk_master_load_dir(dir, &m, &err) < 0)
		printf("    cannot load %s: %s\n", dir, err.msg);
	return m;
}

TEST(fees_month_amount_changes_mid_month)
{
	struct hk_master *m;
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	struct hk_fee_visit v[2] = {V(10), V(20)};
	const char *dir = hk_test_master_rev("fm-amount", "20240601");
	CHECK(dir != NULL);
	/* 510002470 緊急訪問看護加算 2650 yen, 2700 from 2024-06-16 (a second row) */
	CHECK(hk_test_master_append_kinkyu_2700(dir, "20240616") == 0);
	m = load(dir);
	CHECK(m != NULL);
	CHECK(!hk_master_uniform(m, JUNE(1), JUNE(30)));
	CHECK(hk_master_uniform(m, JUNE(1), JUNE(15)));
	CHECK(hk_master_uniform(m, JUNE(16), JUNE(30)));
	fx_init(&f, m);
	v[0].emergency = v[1].emergency = true;
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	CHECK(line_of(&r, 10, "510002470") >= 0);
	CHECK(line_of(&r, 20, "510002470") >= 0);
	if (line_of(&r, 10, "510002470") >= 0 && line_of(&r, 20, "510002470") >= 0) {
		CHECK_INT(r.ka[line_of(&r, 10, "510002470")].amount, 2650);
		CHECK_INT(r.ka[line_of(&r, 20, "510002470")].amount, 2700);
	}
	hk_fee_result_free(&r);
	hk_master_free(m);
}

TEST(fees_month_item_abolished_mid_month)
{
	struct hk_master *official = NULL, *m;
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	struct hk_fee_visit v[2] = {V(10), V(20)};
	const char *dir = hk_test_master_rev("fm-abolished", "20240601");
	CHECK(dir != NULL);
	/* 510002670 乳幼児加算 valid up to 2024-06-15 */
	CHECK(edit_row(dir, HK_MT_KIHON, "\"510002670\"", "\"R\"", "\"20240601\",\"99999999\"",
		       "\"20240601\",\"20240615\"") == 0);
	m = load(dir);
	CHECK(m != NULL);
	official = load(HK_TEST_OFFICIAL_MASTER);
	CHECK(official != NULL);
	CHECK(hk_master_uniform(official, JUNE(1), JUNE(30)));
	/* one thread, one month, two masters and back: each run answers by its own master */
	for (int pass = 0; pass < 3; pass++) {
		bool edited = pass == 1;
		fx_init(&f, edited ? m : official);
		f.pt.birth = (struct hk_date){2023, 1, 10};
		CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
		CHECK(line_of(&r, 10, "510002670") >= 0);
		if (edited) {
			CHECK_INT(line_of(&r, 20, "510002670"), -1);
			CHECK(noted(&r, 20, "510002670", "not in the 訪問看護療養費マスター in force"));
		} else {
			CHECK(line_of(&r, 20, "510002670") >= 0);
		}
		CHECK(line_of(&r, 20, "510000110") >= 0);
		hk_fee_result_free(&r);
	}
	hk_master_free(official);
	hk_master_free(m);
}

TEST(fees_month_exclusion_ends_mid_month)
{
	struct hk_master *official = NULL, *m;
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	struct hk_fee_visit v[2] = {V(10), V(20)};
	const char *dir = hk_test_master_rev("fm-exclusion", "20240601");
	CHECK(dir != NULL);
	/* 併算定背反 510000110 / 510000310 (どちらか一方, １日につき), both rows up to 2024-06-15 */
	for (int k = 0; k < 2; k++)
		CHECK(edit_row(dir, HK_MT_HAIHAN, "\"510000110\"", "\"510000310\"", "\"99999999\"", "\"20240615\"") == 0);
	m = load(dir);
	CHECK(m != NULL);
	official = load(HK_TEST_OFFICIAL_MASTER);
	CHECK(official != NULL);
	v[0].items = v[1].items = "510000310";
	for (int pass = 0; pass < 2; pass++) {
		bool edited = pass == 1;
		fx_init(&f, edited ? m : official);
		CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
		/* 10th: one of the two left out (the later one), with the reason */
		CHECK(line_of(&r, 10, "510000110") >= 0);
		CHECK_INT(line_of(&r, 10, "510000310"), -1);
		CHECK(noted(&r, 10, "510000310", "併算定背反"));
		/* 20th: the same unless the rows have ended */
		CHECK(line_of(&r, 20, "510000110") >= 0);
		CHECK_INT(line_of(&r, 20, "510000310") >= 0, edited);
		CHECK(noted(&r, 20, "510000310", "併算定背反") == !edited);
		hk_fee_result_free(&r);
	}
	hk_master_free(official);
	hk_master_free(m);
}

TEST(fees_month_limit_ends_mid_month)
{
	struct hk_master *m;
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	struct hk_fee_visit v[2] = {V(10), V(20)};
	const char *dir = hk_test_master_rev("fm-limit", "20240601");
	CHECK(dir != NULL);
	/* 算定回数限度 of 510000110: 1 a day up to 2024-06-15 (the 3 a week row stays) */
	CHECK(edit_row(dir, HK_MT_KAISU, "\"510000110\"", "\"121\"", "\"99999999\"", "\"20240615\"") == 0);
	m = load(dir);
	CHECK(m != NULL);
	fx_init(&f, m);
	v[0].items = v[1].items = "510000110";   /* a second 510000110 line each day */
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	CHECK_INT(lines_of(&r, 10, "510000110"), 1);
	CHECK(noted(&r, 10, "510000110", "算定回数限度 1"));
	CHECK_INT(lines_of(&r, 20, "510000110"), 2);
	CHECK(!noted(&r, 20, "510000110", "算定回数限度"));
	hk_fee_result_free(&r);
	hk_master_free(m);
}

TEST(fees_month_answers_follow_the_station)
{
	struct hk_master *official = NULL;
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	struct hk_fee_visit v[2] = {V(10), V(20)};
	official = load(HK_TEST_OFFICIAL_MASTER);
	CHECK(official != NULL);
	/* 訪問看護管理療養費 2日目以降 イ needs 施設基準 1617: the same master and month,
	 * a station without it, with it, and without it again */
	for (int pass = 0; pass < 3; pass++) {
		fx_init(&f, official);
		if (pass == 1)
			f.std[f.st.nstandards++] = 1617;
		CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
		CHECK_INT(line_of(&r, 20, "550000510") >= 0, pass == 1);
		hk_fee_result_free(&r);
	}
	hk_master_free(official);
}

/* Lines of 510000110 and 510000310 (併算定背反 どちらか一方, １日につき) on
 * June 10 and 20 under the master in dir: *kept[d] whether the 510000310
 * line of day d (0: 10th, 1: 20th) was kept, *why[d] whether it was noted. */
static void run_pair(const char *dir, bool kept[2], bool why[2])
{
	struct hk_master *m = load(dir);
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	struct hk_fee_visit v[2] = {V(10), V(20)};
	kept[0] = kept[1] = why[0] = why[1] = false;
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK(!hk_master_uniform(m, JUNE(1), JUNE(30)));
	fx_init(&f, m);
	v[0].items = v[1].items = "510000310";
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	for (int d = 0; d < 2; d++) {
		CHECK(line_of(&r, d ? 20 : 10, "510000110") >= 0);
		kept[d] = line_of(&r, d ? 20 : 10, "510000310") >= 0;
		why[d] = noted(&r, d ? 20 : 10, "510000310", "併算定背反");
	}
	hk_fee_result_free(&r);
	hk_master_free(m);
}

TEST(fees_month_exclusion_starts_mid_month)
{
	bool kept[2], why[2];
	const char *dir = hk_test_master_rev("fm-excl-start", "20240601");
	CHECK(dir != NULL);
	/* both rows of the pair valid from 2024-06-16 (a revision mid-month) */
	for (int k = 0; k < 2; k++)
		CHECK(edit_row(dir, HK_MT_HAIHAN, "\"510000110\"", "\"510000310\"", "\"20240601\"", "\"20240616\"") == 0);
	run_pair(dir, kept, why);
	/* 10th: no row yet, both kept; 20th: the row applies, 510000310 left out */
	CHECK(kept[0]);
	CHECK(!why[0]);
	CHECK(!kept[1]);
	CHECK(why[1]);
}

TEST(fees_month_exclusion_replaced_mid_month)
{
	bool kept[2], why[2];
	const char *dir = hk_test_master_rev("fm-excl-replaced", "20240601");
	CHECK(dir != NULL);
	/* the pair's two rows end on 2024-06-15; from the 16th one row of
	 * 510000110 says it is the one claimed (背反区分 1 算定可, １日につき) */
	for (int k = 0; k < 2; k++)
		CHECK(edit_row(dir, HK_MT_HAIHAN, "\"510000110\"", "\"510000310\"", "\"99999999\"", "\"20240615\"") == 0);
	CHECK(hk_test_master_append(dir, HK_MT_HAIHAN,
		     "\"3\",\"510000110\",\"X\",\"1\",\"510000310\",\"Y\",\"1\",\"0\",\"20240616\",\"99999999\","
		     "\"0\",\"0\",\"0\"\r\n") == 0);
	run_pair(dir, kept, why);
	/* a row valid on each day (the old one, then the new): 510000310 left out on both */
	CHECK(!kept[0]);
	CHECK(why[0]);
	CHECK(!kept[1]);
	CHECK(why[1]);
}

TEST(fees_month_limit_starts_mid_month)
{
	struct hk_master *m;
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	struct hk_fee_visit v[2] = {V(10), V(20)};
	const char *dir = hk_test_master_rev("fm-limit-start", "20240601");
	CHECK(dir != NULL);
	/* 算定回数限度 of 510000110: 1 a day only from 2024-06-16 */
	CHECK(edit_row(dir, HK_MT_KAISU, "\"510000110\"", "\"121\"", "\"20240601\"", "\"20240616\"") == 0);
	m = load(dir);
	CHECK(m != NULL);
	CHECK(!hk_master_uniform(m, JUNE(1), JUNE(30)));
	fx_init(&f, m);
	v[0].items = v[1].items = "510000110";   /* a second 510000110 line each day */
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	CHECK_INT(lines_of(&r, 10, "510000110"), 2);
	CHECK(!noted(&r, 10, "510000110", "算定回数限度"));
	CHECK_INT(lines_of(&r, 20, "510000110"), 1);
	CHECK(noted(&r, 20, "510000110", "算定回数限度 1"));
	hk_fee_result_free(&r);
	hk_master_free(m);
}
