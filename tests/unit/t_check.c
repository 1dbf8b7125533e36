/* t_check.c - rules of receipt/check.h through the memory API. */
#include <stdio.h>
#include <string.h>
#include "tests/unit/harness.h"
#include "receipt/check.h"
#include "master/master.h"

struct got {
	int n, nerr;
	char codes[32][24];
	long lines[32];
	int fields[32];
	char msg[512];
};

static void collect(void *ctx, const struct hk_diag *d)
{
	struct got *g = ctx;
	if (g->n < 32) {
		hk_snprintf(g->codes[g->n], sizeof(g->codes[0]), "%s", d->code);
		g->lines[g->n] = d->line;
		g->fields[g->n] = d->field;
		if (g->n == 0)
			hk_snprintf(g->msg, sizeof(g->msg), "%s", d->msg);
	}
	g->n++;
	if (d->severity == HK_ERROR)
		g->nerr++;
}

/* A valid one-receipt file (DIGEST §1.7 moved to 2024-06), with %s slots
 * replaced through a list of "LINE-PREFIX=>REPLACEMENT" edits. */
static const char *const base[] = {
	"HM,1,13,6,1234567,テスト訪問看護ステーション,202407,03-0000-0000",
	"RE,1,6112,202406,看護　太郎,カンゴタロウ,1,19600101,,,,,,P000123,",
	"HO,06139992,１２３,４５６,4,29870,,,,,,",
	"SN,1,01,,,,01,,",
	"JD,1,,,1,,,,,,,1,,,,,,,1,,,,,,,1,,,,,,,",
	"IH,13,1,0123456,テスト病院,医師　一郎,",
	"HJ,01,20240401,20240930",
	"JS,日常生活動作に一部介助を要する。,03,,,",
	"SY,0000999,,テスト病名,",
	"RJ,20240401,01,,,,,,,,,,,,,,,,,,,,,,,,,,",
	"KA,20240603,1,510000110,,5550,03,01,01",
	"KA,20240603,1,550000410,,7670,,,",
	"KA,20240610,1,510000110,,5550,03,01,01",
	"KA,20240617,1,510000110,,5550,03,01,01",
	"KA,20240624,1,510000110,,5550,03,01,01",
	"GO",
};

/* Build the file with line `repl_line` (1-based, 0 = none) replaced by repl
 * (NULL = deleted), check it in memory, return the diagnostics. */
static int check_with(int repl_line, const char *repl, const struct hk_master *m, struct got *g,
		      struct hk_check_stats *st)
{
	struct hk_buf b;
	struct hk_err err = {0};
	struct hk_check_opts o = {HK_UKE_STRICT, m, NULL};
	int rc;

	memset(g, 0, sizeof(*g));
	hk_buf_init(&b, 1 << 20, "test");
	for (size_t i = 0; i < HK_ARRAY_LEN(base); i++) {
		const char *line = (int)i + 1 == repl_line ? repl : base[i];
		if (!line)
			continue;
		hk_utf8_to_sjis(line, strlen(line), &b, NULL, NULL, &err); /* the file is Shift_JIS */
		hk_buf_adds(&b, "\r\n", &err);
	}
	hk_buf_addc(&b, 0x1A, &err);
	rc = hk_check_mem(b.data, b.len, "t.UKE", &o, collect, g, st, &err);
	hk_buf_free(&b);
	return rc;
}

static bool has(const struct got *g, const char *code)
{
	for (int i = 0; i < g->n && i < 32; i++)
		if (strcmp(g->codes[i], code) == 0)
			return true;
	return false;
}

static struct hk_master *load_master(void)
{
	struct hk_master *m = NULL;
	struct hk_err err = {0};
	if (hk_master_load_dir("data/master/20240601", &m, &err) < 0)
		return NULL;
	return m;
}

TEST(check_valid_base_has_no_diagnostic)
{
	struct got g;
	struct hk_check_stats st;
	struct hk_master *m = load_master();
	CHECK(m != NULL);
	CHECK_INT(check_with(0, NULL, m, &g, &st), 0);
	hk_master_free(m);
	CHECK_INT(g.n, 0);
	CHECK_INT(st.receipts, 1);
	CHECK_INT(st.errors, 0);
}

TEST(check_receipt_type_not_in_table)
{
	struct got g;
	struct hk_check_stats st;
	check_with(2, "RE,1,6119,202406,看護　太郎,カンゴタロウ,1,19600101,,,,,,P000123,", NULL, &g, &st);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.codes[0], "E-CODE");
	CHECK_INT(g.lines[0], 2);
	CHECK_INT(g.fields[0], 3);
	CHECK(strstr(g.msg, "'6119' is not in 別表4") != NULL);
}

TEST(check_total_counts_only_payers_share)
{
	struct got g;
	struct hk_check_stats st;
	check_with(3, "HO,06139992,１２３,４５６,4,29871,,,,,,", NULL, &g, &st);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.codes[0], "E-TOTAL");
	CHECK(strstr(g.msg, "add up to 29870") != NULL);
	CHECK_INT(st.errors, 1);
}

TEST(check_jd_day_against_ka)
{
	struct got g;
	struct hk_check_stats st;
	/* day 3 removed from JD: E-JD-DAYS, and 実日数 is not compared against a wrong JD */
	check_with(5, "JD,1,,,,,,,,,,1,,,,,,,1,,,,,,,1,,,,,,,", NULL, &g, &st);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.codes[0], "E-JD-DAYS");
	CHECK_INT(g.fields[0], 5);
}

TEST(check_insurer_check_digit)
{
	struct got g;
	struct hk_check_stats st;
	check_with(3, "HO,06139993,１２３,４５６,4,29870,,,,,,", NULL, &g, &st);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.codes[0], "E-INSURER");
	/* 6-digit 国保 right-aligned is fine */
	check_with(3, "HO,  139998,１２３,４５６,4,29870,,,,,,", NULL, &g, &st);
	CHECK_INT(g.n, 0);
}

TEST(check_mode_mixed_name)
{
	struct got g;
	struct hk_check_stats st;
	check_with(2, "RE,1,6112,202406,看護 太郎,カンゴタロウ,1,19600101,,,,,,P000123,", NULL, &g, &st);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.codes[0], "E-MODE-MIXED");
	/* all half-width is fine */
	check_with(2, "RE,1,6112,202406,KANGO TARO,カンゴタロウ,1,19600101,,,,,,P000123,", NULL, &g, &st);
	CHECK_INT(g.n, 0);
}

TEST(check_ka_order_and_month)
{
	struct got g;
	struct hk_check_stats st;
	check_with(14, "KA,20240602,1,510000110,,5550,03,01,01", NULL, &g, &st);
	/* 0602 after 0610: order; and JD day 17 coded without KA, day 2 missing */
	CHECK(has(&g, "E-KA-ORDER"));
	CHECK(has(&g, "E-JD-DAYS"));
	check_with(15, "KA,20240701,1,510000110,,5550,03,01,01", NULL, &g, &st);
	CHECK(has(&g, "E-KA-MONTH"));
	CHECK(!has(&g, "E-KA-ORDER"));
}

TEST(check_missing_go_and_structure)
{
	struct got g;
	struct hk_check_stats st;
	check_with(16, NULL, NULL, &g, &st);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.codes[0], "E-GO-LAST");
	check_with(6, NULL, NULL, &g, &st);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.codes[0], "E-RE-MISSING");
}

TEST(check_master_rules)
{
	struct got g;
	struct hk_check_stats st;
	struct hk_master *m = load_master();
	CHECK(m != NULL);
	check_with(11, "KA,20240603,1,510000110,,5550,,01,01", m, &g, &st);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.codes[0], "E-KA-SHOKUSHU");
	check_with(12, "KA,20240603,1,550000410,,7670,,01,", m, &g, &st);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.codes[0], "E-KA-KAISU");
	check_with(11, "KA,20240603,1,510000110,,5550,03,01,", m, &g, &st);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.codes[0], "E-KA-SHIJI");
	/* without a master the same file is clean: the rule really needs the master */
	check_with(11, "KA,20240603,1,510000110,,5550,03,01,", NULL, &g, &st);
	CHECK_INT(g.n, 0);
	hk_master_free(m);
}

TEST(check_receipt_mem_fragment)
{
	static const char *const rec[] = {
		"RE,2,6112,202406,看護　太郎,カンゴタロウ,1,19600101,,,,,,P000123,",
		"HO,06139992,１２３,４５６,1,5550,,,,,,",
		"IH,13,1,0123456,テスト病院,医師　一郎,",
		"HJ,01,20240401,20240930",
		"JS,日常生活動作に一部介助を要する。,03,,,",
		"SY,0000999,,テスト病名,",
		"RJ,20240401,01,,,,,,,,,,,,,,,,,,,,,,,,,,",
		"KA,20240603,1,510000110,,5550,03,01,01",
	};
	struct got g1, g2;
	struct hk_check_stats st1, st2;
	struct hk_err err = {0};
	struct hk_check_opts o = {HK_UKE_STRICT, NULL, NULL};
	struct hk_buf b;
	int rc1, rc2, bad = 0;

	hk_buf_init(&b, 1 << 16, "test");
	for (size_t i = 0; i < HK_ARRAY_LEN(rec); i++) {
		bad += hk_utf8_to_sjis(rec[i], strlen(rec[i]), &b, NULL, NULL, &err);
		hk_buf_adds(&b, "\r\n", &err);
	}
	memset(&g1, 0, sizeof(g1));
	memset(&g2, 0, sizeof(g2));
	rc1 = hk_check_receipt_mem(b.data, b.len, "r", "202407", 2, &o, collect, &g1, &st1, &err);
	/* wrong number and a claim month that is not after the service month */
	rc2 = hk_check_receipt_mem(b.data, b.len, "r", "202406", 1, &o, collect, &g2, &st2, &err);
	hk_buf_free(&b);
	CHECK_INT(bad, 0);
	CHECK_INT(rc1, 0);
	CHECK_INT(g1.n, 0);
	CHECK_INT(st1.receipts, 1);
	CHECK_INT(rc2, 0);
	CHECK_INT(g2.n, 2);
	CHECK(has(&g2, "E-RE-NUMBER"));
	CHECK(has(&g2, "E-RE-MONTH"));
}

TEST(check_every_code_used_is_in_rule_table)
{
	/* codes the checker emits come from hk_check_rules; severities follow the prefix */
	for (size_t i = 0; i < hk_ncheck_rules; i++) {
		const struct hk_check_rule *r = &hk_check_rules[i];
		CHECK(hk_check_rule_find(r->code) == r);
		CHECK_INT(r->severity, r->code[0] == 'E' ? HK_ERROR : HK_WARNING);
		CHECK(r->source[0] != '\0');
	}
	CHECK(hk_check_rule_find("E-NOPE") == NULL);
}

TEST(check_empty_and_garbage_do_not_crash)
{
	static const unsigned char junk[] = {0x82, 0x2C, 0x0D, 0x1A, 0xFF, 0x0A, 'R', 'E', ','};
	struct got g;
	struct hk_check_stats st;
	struct hk_err err = {0};
	struct hk_check_opts o = {HK_UKE_STRICT, NULL, NULL};

	memset(&g, 0, sizeof(g));
	CHECK_INT(hk_check_mem("", 0, "e", &o, collect, &g, &st, &err), 0);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.codes[0], "E-EMPTY");
	memset(&g, 0, sizeof(g));
	CHECK_INT(hk_check_mem(junk, sizeof(junk), "j", &o, collect, &g, &st, &err), 0);
	CHECK(st.errors > 0);
}

/* 作成手引き p.45 (1)オ and キ: a 看護師 with a 理学療法士 (0304) or with another
 * 看護師 (0303) on one visit - both codes on the basic line and on the 複数名
 * add-on, whose 職種区分 is the 同行者 code 31.  Valid as printed. */
TEST(check_two_staff_on_one_visit_as_in_the_handbook)
{
	struct hk_master *m = NULL;
	struct hk_err err = {0};
	struct hk_check_stats st;
	struct got g;
	static const char *const cases[][2] = {
		{"KA,20240610,1,510000110,,5550,0304,01,01", "KA,20240610,1,510002770,,4500,0304,,"},
		{"KA,20240610,1,510000110,,5550,0303,01,01", "KA,20240610,1,510002770,,4500,0303,,"},
	};
	CHECK(hk_master_load("data/master", (struct hk_date){2024, 6, 1}, &m, &err) == 0);
	for (size_t i = 0; i < HK_ARRAY_LEN(cases); i++) {
		/* line 13 (the 10 June basic) becomes the pair; totals follow */
		struct hk_buf b;
		struct hk_check_opts o = {HK_UKE_STRICT, m, NULL};
		hk_buf_init(&b, 1 << 20, "test");
		memset(&g, 0, sizeof(g));
		for (size_t j = 0; j < HK_ARRAY_LEN(base); j++) {
			const char *line = base[j];
			if (j == 2)
				line = "HO,06139992,１２３,４５６,4,34370,,,,,,";
			if (j == 12) {
				hk_utf8_to_sjis(cases[i][0], strlen(cases[i][0]), &b, NULL, NULL, &err);
				hk_buf_adds(&b, "\r\n", &err);
				line = cases[i][1];
			}
			hk_utf8_to_sjis(line, strlen(line), &b, NULL, NULL, &err);
			hk_buf_adds(&b, "\r\n", &err);
		}
		hk_buf_addc(&b, 0x1A, &err);
		CHECK(hk_check_mem(b.data, b.len, "t.UKE", &o, collect, &g, &st, &err) == 0);
		hk_buf_free(&b);
		if (g.nerr)
			printf("    case %zu: %s: %s\n", i, g.codes[0], g.msg);
		CHECK_INT(g.nerr, 0);
	}
	/* but a 准看護師 as the visit's own staff is still refused on 510000110 */
	CHECK(check_with(13, "KA,20240610,1,510000110,,5550,07,01,01", m, &g, &st) == 0);
	CHECK(has(&g, "E-KA-SHOKUSHU"));
	hk_master_free(m);
}

TEST(check_companion_codes_of_the_master)
{
	struct hk_master *m = NULL;
	struct hk_err err = {0};
	const struct hk_master_item *it;
	CHECK(hk_master_load("data/master", (struct hk_date){2024, 6, 1}, &m, &err) == 0);
	it = hk_master_item(m, "510002770", (struct hk_date){2024, 6, 10}); /* 職種区分 31 */
	CHECK(it != NULL);
	CHECK(hk_master_item_allows_staff(it, "03"));
	CHECK(hk_master_item_allows_staff(it, "04"));
	CHECK(!hk_master_item_allows_staff(it, "09"));
	it = hk_master_item(m, "510002970", (struct hk_date){2024, 6, 10}); /* 32: with a 准看護師 */
	CHECK(hk_master_item_allows_staff(it, "07"));
	CHECK(!hk_master_item_allows_staff(it, "04"));
	it = hk_master_item(m, "510000110", (struct hk_date){2024, 6, 10}); /* plain list 01 02 03 08 */
	CHECK(hk_master_item_allows_staff(it, "08"));
	CHECK(!hk_master_item_allows_staff(it, "07"));
	hk_master_free(m);
}

/* Found by the fuzzer (an empty input): nothing allocated yet must not be
 * offset (UBSan: applying zero offset to null pointer). */
TEST(check_empty_and_tiny_inputs)
{
	struct hk_err err = {0};
	struct hk_check_opts o = {HK_UKE_STRICT, NULL, NULL};
	struct hk_check_stats st;
	struct got g;
	static const char *const inputs[] = {"", "\x1a", "\r\n", "GO\r\n\x1a", "HM\r\n"};
	for (size_t i = 0; i < HK_ARRAY_LEN(inputs); i++) {
		memset(&g, 0, sizeof(g));
		CHECK(hk_check_mem(inputs[i], strlen(inputs[i]), "t.UKE", &o, collect, &g, &st, &err) == 0);
		CHECK(g.nerr > 0);
	}
	memset(&g, 0, sizeof(g));
	CHECK(hk_check_mem("", 0, "t.UKE", &o, collect, &g, &st, &err) == 0);
	CHECK(has(&g, "E-EMPTY"));
}
