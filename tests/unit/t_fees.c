/*
 * Fee engine against the worked examples of 作成手引き 第18章 (pages 40-51),
 * with the master in data/master.  Expected lines are copied from the
 * handbook's "CSVの記録" (dates moved where the handbook's calendar is
 * illustrative only, see docs/fees.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include "tests/unit/harness.h"
#include "claims/fees.h"
#include "master/master.h"

static struct hk_master *M;

static const struct hk_master *master(void)
{
	struct hk_err err = {0};
	if (!M && hk_master_load("data/master", (struct hk_date){2024, 6, 1}, &M, &err) < 0)
		printf("    cannot load data/master: %s\n", err.msg);
	return M;
}

#define D(d) ((struct hk_date){2024, 6, (d)})

static struct hk_fee_visit V(int day, const char *staff)
{
	struct hk_fee_visit v;
	memset(&v, 0, sizeof(v));
	v.date = D(day);
	v.start = 10 * 60;
	v.end = 11 * 60;
	memcpy(v.staff, staff, 3);
	memcpy(v.family, "01", 3);
	v.building = 1;
	return v;
}

struct fx {
	struct hk_fee_station st;
	struct hk_fee_patient pt;
	struct hk_fee_instruction in[4];
	struct hk_fee_ctx c;
	int std[8];
};

static void fx_init(struct fx *f, const char *const *standards)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; standards && standards[i] && i < 7; i++)
		f->std[f->st.nstandards++] = atoi(standards[i]);
	f->st.standards = f->std;
	f->pt.birth = (struct hk_date){1950, 1, 1};
	memcpy(f->in[0].kind, "01", 3);
	f->in[0].from = D(1);
	f->in[0].to = D(30);
	f->c.master = master();
	f->c.station = &f->st;
	f->c.patient = &f->pt;
	f->c.instr = f->in;
	f->c.ninstr = 1;
	f->c.year = 2024;
	f->c.month = 6;
}

/* "KA" line as the handbook prints it, without the record id and 負担区分. */
static const char *line(const struct hk_ka *k)
{
	static char b[128];
	char q[16] = "";
	if (k->qty) snprintf(q, sizeof(q), "%ld", k->qty);
	snprintf(b, sizeof(b), "%04d%02d%02d,%s,%s,%ld,%s,%s,%s", k->date.y, k->date.m, k->date.d,
		 k->code, q, k->amount, k->staff, k->count, k->instr);
	return b;
}

static int find(const struct hk_fee_result *r, const char *want)
{
	for (int i = 0; i < r->nka; i++)
		if (!strcmp(line(&r->ka[i]), want))
			return i;
	return -1;
}

TEST(fees_infant_visit_with_management_fee)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	struct hk_fee_visit v = V(15, "03");
	fx_init(&f, NULL);
	CHECK(f.c.master);
	f.pt.birth = (struct hk_date){2023, 1, 10};
	CHECK(hk_fees_derive(&f.c, &v, 1, &r, &err) == 0);
	/* 作成手引き p.40 (6)ア: KA,20240615,1,510000110,,5550,03,01,01 / 510002670 1300 */
	CHECK_INT(find(&r, "20240615,510000110,,5550,03,01,01"), 0);
	CHECK_INT(find(&r, "20240615,510002670,,1300,,,"), 1);
	/* p.47 (3)ア: the month's first visit carries 550000410 (機能強化型以外) */
	CHECK_INT(find(&r, "20240615,550000410,,7670,,,"), 2);
	CHECK_INT(r.nka, 3);
	hk_fee_result_free(&r);
}

TEST(fees_special_area_folds_into_the_base_line)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	struct hk_fee_visit v = V(15, "07");
	fx_init(&f, NULL);
	CHECK(f.c.master);
	f.st.special_area = true;
	CHECK(hk_fees_derive(&f.c, &v, 1, &r, &err) == 0);
	/* p.41 (6)ウ: KA,20240615,1,510000310,,7575,07,01,01 / KA,20240615,1,510002370,,0,,, */
	CHECK_INT(find(&r, "20240615,510000310,,7575,07,01,01"), 0);
	CHECK_INT(find(&r, "20240615,510002370,,0,,,"), 1);
	hk_fee_result_free(&r);
}

TEST(fees_fourth_day_of_a_week_under_special_instruction)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	/* p.43 (1)ア with a Sunday-to-Saturday week: 16,17,18,19 then 30 */
	struct hk_fee_visit v[5] = {V(16, "03"), V(17, "03"), V(18, "03"), V(19, "03"), V(30, "03")};
	fx_init(&f, NULL);
	CHECK(f.c.master);
	memcpy(f.in[1].kind, "02", 3);
	f.in[1].from = D(16);
	f.in[1].to = D(22);
	f.c.ninstr = 2;
	CHECK(hk_fees_derive(&f.c, v, 5, &r, &err) == 0);
	CHECK(find(&r, "20240616,510000110,,5550,03,01,02") >= 0);
	CHECK(find(&r, "20240617,510000110,,5550,03,01,02") >= 0);
	CHECK(find(&r, "20240618,510000110,,5550,03,01,02") >= 0);
	CHECK(find(&r, "20240619,510000210,,6550,03,01,02") >= 0);
	CHECK(find(&r, "20240630,510000110,,5550,03,01,01") >= 0);
	/* 2日目以降 管理療養費 needs 施設基準 1617/1618: not notified here, so noted */
	CHECK(r.nnotes >= 4);
	hk_fee_result_free(&r);
	/* without the special instruction the 4th day is left out and reported */
	f.c.ninstr = 1;
	CHECK(hk_fees_derive(&f.c, v, 5, &r, &err) == 0);
	CHECK(find(&r, "20240619,510000210,,6550,03,01,01") < 0);
	CHECK(find(&r, "20240619,510000110,,5550,03,01,01") < 0);
	{
		bool noted = false;
		for (int i = 0; i < r.nnotes; i++)
			if (!hk_date_cmp(r.notes[i].date, D(19)) && strstr(r.notes[i].msg, "4th visit day"))
				noted = true;
		CHECK(noted);
	}
	hk_fee_result_free(&r);
}

TEST(fees_two_visits_a_day_for_beppyo7_patient)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	struct hk_fee_visit v[2] = {V(15, "01"), V(15, "01")};
	v[1].start = 15 * 60;
	v[1].end = 16 * 60;
	fx_init(&f, NULL);
	CHECK(f.c.master);
	f.pt.beppyo7 = true;
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	/* p.44 (1)ウ: KA,20240615,1,510000110,,5550,0111,02,01 / 510001970,,4500,0111,02, */
	CHECK_INT(find(&r, "20240615,510000110,,5550,0111,02,01"), 0);
	CHECK_INT(find(&r, "20240615,510001970,,4500,0111,02,"), 1);
	hk_fee_result_free(&r);
	/* the same visits for a patient without 別表7/8: one basic fee, second visit noted */
	f.pt.beppyo7 = false;
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	CHECK_INT(find(&r, "20240615,510000110,,5550,03,01,01") , -1);
	CHECK(find(&r, "20240615,510000110,,5550,01,01,01") == 0);
	CHECK(find(&r, "20240615,510001970,,4500,0111,02,") < 0);
	hk_fee_result_free(&r);
}

TEST(fees_two_staff_late_night)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	struct hk_fee_visit v = V(15, "03");
	fx_init(&f, NULL);
	CHECK(f.c.master);
	memcpy(v.staff2, "04", 3);
	v.multi = true;
	v.start = 23 * 60;
	v.end = 23 * 60 + 50;
	CHECK(hk_fees_derive(&f.c, &v, 1, &r, &err) == 0);
	/* p.45 (1)オ */
	CHECK_INT(find(&r, "20240615,510000110,,5550,0304,01,01"), 0);
	CHECK_INT(find(&r, "20240615,510002770,,4500,0304,,"), 1);
	CHECK_INT(find(&r, "20240615,510004070,,4200,,,"), 2);
	hk_fee_result_free(&r);
}

TEST(fees_psychiatric_short_visits_and_early_morning)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	static const char *const std[] = {"1606", NULL};
	struct hk_fee_visit v[2] = {V(15, "03"), V(18, "03")};
	fx_init(&f, std);
	CHECK(f.c.master);
	memcpy(f.in[1].kind, "03", 3);
	f.in[1].from = D(1);
	f.in[1].to = D(30);
	f.c.ninstr = 2;
	memcpy(v[1].family, "03", 3);
	v[1].start = 7 * 60;
	v[1].end = 7 * 60 + 25;
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	/* p.46 (2)イ */
	CHECK(find(&r, "20240615,510000110,,5550,03,01,01") >= 0);
	CHECK(find(&r, "20240618,530000210,,4250,03,01,03") >= 0);
	CHECK(find(&r, "20240618,530004370,,2100,,,") >= 0);
	hk_fee_result_free(&r);
	/* without 施設基準 1606 精神科訪問看護 is not claimable: left out and noted */
	f.st.nstandards = 0;
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	CHECK(find(&r, "20240618,530000210,,4250,03,01,03") < 0);
	CHECK(r.nnotes > 0);
	hk_fee_result_free(&r);
}

TEST(fees_functional_station_monthly_items)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	static const char *const std[] = {"1610", "1617", "1604", NULL};
	struct hk_fee_visit v[2] = {V(2, "03"), V(15, "03")};
	fx_init(&f, std);
	CHECK(f.c.master);
	f.pt.birth = (struct hk_date){2023, 1, 10};
	f.pt.consent_24h = true;
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	/* p.47 (3)イ, in the handbook's order */
	CHECK_INT(find(&r, "20240602,510000110,,5550,03,01,01"), 0);
	CHECK_INT(find(&r, "20240602,510002670,,1300,,,"), 1);
	CHECK_INT(find(&r, "20240602,550000110,,13230,,,"), 2);
	CHECK_INT(find(&r, "20240602,550000670,,6520,,,"), 3);
	CHECK_INT(find(&r, "20240615,510000110,,5550,03,01,01"), 4);
	CHECK_INT(find(&r, "20240615,510002670,,1300,,,"), 5);
	CHECK_INT(find(&r, "20240615,550000510,,3000,,,"), 6);
	CHECK_INT(r.nka, 7);
	hk_fee_result_free(&r);
}

TEST(fees_explicit_items_and_terminal_care)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	struct hk_fee_visit v[2] = {V(7, "03"), V(18, "03")};
	fx_init(&f, NULL);
	CHECK(f.c.master);
	v[0].items = "550000970*2 550001070*2";
	v[0].terminal = true;
	v[1].terminal = true;
	f.pt.has_death = true;
	f.pt.death = D(18);
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	/* p.50 ク: two lines each, on the first visit day, after 管理療養費 */
	CHECK_INT(find(&r, "20240607,550000410,,7670,,,"), 1);
	CHECK_INT(strcmp(line(&r.ka[2]), "20240607,550000970,,8000,03,,"), 0);
	CHECK_INT(strcmp(line(&r.ka[3]), "20240607,550000970,,8000,03,,"), 0);
	CHECK_INT(strcmp(line(&r.ka[4]), "20240607,550001070,,2000,03,,"), 0);
	CHECK_INT(strcmp(line(&r.ka[5]), "20240607,550001070,,2000,03,,"), 0);
	/* p.51 (5): ターミナルケア療養費1 on the day of death */
	CHECK(find(&r, "20240618,580000110,,25000,,,") >= 0);
	hk_fee_result_free(&r);
	/* an unknown code in the items is reported, not billed */
	v[0].items = "599999999";
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	CHECK(r.nnotes > 0);
	for (int i = 0; i < r.nka; i++)
		CHECK(strcmp(r.ka[i].code, "599999999") != 0);
	hk_fee_result_free(&r);
}

TEST(fees_weekly_limit_on_long_visits)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	struct hk_fee_visit v[2] = {V(17, "03"), V(18, "03")};
	int n = 0;
	fx_init(&f, NULL);
	CHECK(f.c.master);
	for (int i = 0; i < 2; i++) {
		v[i].long_visit = true;
		v[i].end = v[i].start + 100;
	}
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	for (int i = 0; i < r.nka; i++)
		n += !strcmp(r.ka[i].code, "510002570");
	CHECK_INT(n, 1); /* 算定回数限度: 週1 */
	hk_fee_result_free(&r);
}

TEST(fees_week_starts_on_sunday)
{
	CHECK_INT(hk_week_of(D(15)), hk_week_of(D(9)));   /* Sat 15 and Sun 9 */
	CHECK(hk_week_of(D(16)) != hk_week_of(D(15)));     /* Sun 16 starts a new week */
	CHECK_INT(hk_week_of(D(22)), hk_week_of(D(16)));
}

TEST(fees_two_staff_needs_a_nurse_as_the_visits_own_staff)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	struct hk_fee_visit v = V(15, "04");
	fx_init(&f, NULL);
	CHECK(f.c.master);
	memcpy(v.staff2, "07", 3);
	v.multi = true;
	CHECK(hk_fees_derive(&f.c, &v, 1, &r, &err) == 0);
	for (int i = 0; i < r.nka; i++) {
		CHECK(strcmp(r.ka[i].code, "510002970") != 0);
		CHECK(strcmp(r.ka[i].code, "510002770") != 0);
	}
	CHECK(r.nnotes >= 1);
	CHECK(strstr(r.notes[0].msg, "看護職員") != NULL);
	hk_fee_result_free(&r);
}

TEST(fees_nothing_claimable_gives_no_lines)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	struct hk_fee_visit v = V(15, "03");
	fx_init(&f, NULL);
	CHECK(f.c.master);
	f.c.ninstr = 0; /* no 指示書 at all: nothing may be claimed */
	CHECK(hk_fees_derive(&f.c, &v, 1, &r, &err) == 0);
	CHECK_INT(r.nka, 0);
	CHECK(r.nnotes >= 1);
	CHECK(strstr(r.notes[0].msg, "指示書") != NULL);
	hk_fee_result_free(&r);
}

static bool has_note(const struct hk_fee_result *r, const char *part)
{
	for (int i = 0; i < r->nnotes; i++)
		if (strstr(r->notes[i].msg, part))
			return true;
	return false;
}

static bool has_code(const struct hk_fee_result *r, const char *code)
{
	for (int i = 0; i < r->nka; i++)
		if (!strcmp(r->ka[i].code, code))
			return true;
	return false;
}

/* 訪問看護基本療養費（Ⅰ）/（Ⅱ） ハ: a visit flagged specialist (専門の研修を受けた看護師).
 * An ordinary visit on the 3rd carries the month's 管理療養費, which the ハ
 * bases may not share a day with (併算定背反): a ハ day has none. */
TEST(fees_specialist_visit_gives_ha)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	static const char *const std[] = {"1607", NULL};
	struct hk_fee_visit v[2] = {V(3, "03"), V(15, "08")};
	fx_init(&f, std);
	CHECK(f.c.master);
	v[1].specialist = true;
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	CHECK(find(&r, "20240603,510000110,,5550,03,01,01") >= 0);
	CHECK(find(&r, "20240615,510000510,,12850,08,01,01") >= 0);
	for (int i = 0; i < r.nka; i++)   /* no イ base beside it */
		CHECK(r.ka[i].date.d != 15 || strcmp(r.ka[i].code, "510000110") != 0);
	CHECK(has_code(&r, "550000410"));
	for (int i = 0; i < r.nka; i++)   /* 月の初日 on the 3rd, no 管理療養費 on the ハ day */
		CHECK(strncmp(r.ka[i].code, "55000", 5) != 0 || r.ka[i].date.d == 3);
	hk_fee_result_free(&r);
	/* alone: ハ, and no 管理療養費 at all (the month has no other visit day) */
	CHECK(hk_fees_derive(&f.c, &v[1], 1, &r, &err) == 0);
	CHECK(find(&r, "20240615,510000510,,12850,08,01,01") >= 0);
	CHECK(!has_code(&r, "550000410"));
	hk_fee_result_free(&r);
	/* 同一建物居住者: （Ⅱ） ハ */
	v[1].building = 3;
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	CHECK(find(&r, "20240615,510001510,,12850,08,01,01") >= 0);
	CHECK(!has_code(&r, "510000510") && !has_code(&r, "510000910"));
	hk_fee_result_free(&r);
	/* without 施設基準 1607: left out with a note, no ordinary base instead */
	v[1].building = 1;
	f.st.nstandards = 0;
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	CHECK(!has_code(&r, "510000510"));
	for (int i = 0; i < r.nka; i++)
		CHECK(r.ka[i].date.d != 15);
	CHECK(has_note(&r, "1607"));
	hk_fee_result_free(&r);
}

/* A ハ day first in the month: 管理療養費 月の初日 goes to the first other visit
 * day, 2日目以降 to the later ones, none to the ハ day. */
TEST(fees_specialist_day_first_in_month)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	static const char *const std[] = {"1607", "1617", NULL};
	struct hk_fee_visit v[3] = {V(3, "08"), V(10, "03"), V(15, "03")};
	fx_init(&f, std);
	CHECK(f.c.master);
	v[0].specialist = true;
	CHECK(hk_fees_derive(&f.c, v, 3, &r, &err) == 0);
	CHECK(find(&r, "20240603,510000510,,12850,08,01,01") >= 0);
	CHECK(find(&r, "20240610,550000410,,7670,,,") >= 0);
	CHECK(find(&r, "20240615,550000510,,3000,,,") >= 0);
	for (int i = 0; i < r.nka; i++)
		CHECK(r.ka[i].date.d != 3 || strncmp(r.ka[i].code, "55", 2) != 0);
	hk_fee_result_free(&r);
}

TEST(fees_specialist_flag_needs_a_nurse)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	static const char *const std[] = {"1607", NULL};
	struct hk_fee_visit v[2] = {V(3, "03"), V(15, "07")};
	fx_init(&f, std);
	CHECK(f.c.master);
	v[1].specialist = true;
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	/* neither ハ nor the 准看護師 base: the day is left out and noted */
	for (int i = 0; i < r.nka; i++)
		CHECK(r.ka[i].date.d != 15);
	CHECK(has_note(&r, "ハ"));
	hk_fee_result_free(&r);
	/* a 看護師 (03) whose code ハ's 職種等 (08) does not list: noted, not billed */
	memcpy(v[1].staff, "03", 3);
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	for (int i = 0; i < r.nka; i++)
		CHECK(r.ka[i].date.d != 15);
	CHECK(has_note(&r, "510000510"));
	hk_fee_result_free(&r);
}

TEST(fees_specialist_and_ordinary_visits_on_one_day)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	static const char *const std[] = {"1607", NULL};
	struct hk_fee_visit v[3] = {V(3, "03"), V(15, "08"), V(15, "08")};
	fx_init(&f, std);
	CHECK(f.c.master);
	f.pt.beppyo7 = true;
	v[1].specialist = true;
	v[2].start = 14 * 60;
	v[2].end = 15 * 60;
	CHECK(hk_fees_derive(&f.c, v, 3, &r, &err) == 0);
	/* the ordinary second visit is another kind than the day's first (ハ) */
	CHECK(find(&r, "20240615,510000510,,12850,08,01,01") >= 0);
	CHECK(!has_code(&r, "510001970"));
	CHECK(has_note(&r, "another qualification"));
	hk_fee_result_free(&r);
}

TEST(fees_specialist_flag_in_psychiatric_visit_is_noted)
{
	struct fx f;
	struct hk_fee_result r;
	struct hk_err err = {0};
	static const char *const std[] = {"1606", "1607", NULL};
	struct hk_fee_visit v[2] = {V(3, "03"), V(15, "08")};
	fx_init(&f, std);
	CHECK(f.c.master);
	memcpy(f.in[1].kind, "03", 3);
	f.in[1].from = D(1);
	f.in[1].to = D(30);
	f.c.ninstr = 2;
	memcpy(v[1].family, "03", 3);
	v[1].specialist = true;
	CHECK(hk_fees_derive(&f.c, v, 2, &r, &err) == 0);
	CHECK(find(&r, "20240615,530000110,,5550,08,01,03") >= 0);
	CHECK(!has_code(&r, "510000510"));
	CHECK(has_note(&r, "specialist flag ignored"));
	hk_fee_result_free(&r);
}
