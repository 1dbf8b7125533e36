/* t_returns.c - the result readers (switchover/returns.h): returned file,
 * 増減点連絡書 and 振替・分割 CSVs, from memory. Expected values come from the
 * bytes written here, read against 作成手引き 別紙1 and data/layouts. */
#include <string.h>
#include "tests/unit/harness.h"
#include "switchover/returns.h"

struct got {
	int n;
	struct hk_hen_receipt r[4];
	char data[4][2048], hist[4][2048];
	struct hk_res_item it[8];
	int ni;
};

static int on_hen(void *ctx, const struct hk_hen_receipt *r, struct hk_err *err)
{
	struct got *g = ctx;
	if (g->n < 4) {
		g->r[g->n] = *r;
		memcpy(g->data[g->n], r->data, r->data_len < 2047 ? r->data_len : 2047);
		memcpy(g->hist[g->n], r->history, r->history_len < 2047 ? r->history_len : 2047);
	}
	g->n++;
	return 0;
}

static int on_item(void *ctx, const struct hk_res_item *it, struct hk_err *err)
{
	struct got *g = ctx;
	if (g->ni < 8)
		g->it[g->ni] = *it;
	g->ni++;
	return 0;
}

/* ASCII only, so that the bytes are the same in UTF-8 and Shift_JIS */
#define HEN_OK "HH,2,13,6,1234567,ST,202611,\r\n" \
	"RE,4,6112,202610,A B,,1,19600101,,,,,,P1-2610A,12345678901234567890\r\n" \
	"HO,  131011,,123,1,5550,,,,,,\r\n" \
	"KA,20261003,1,510000110,,5550,03,01,01\r\n" \
	"HR,202612,2,L3129,X\r\n" \
	"HR,202612,1,L1001,\r\n" \
	"8,1,0,RE,4,6112,202610,A B,,1,19600101,,,,,,P1-2610A,12345678901234567890\r\n" \
	"8,2,0,SN,1,04,01130012,,777,,,\r\n" \
	"HG,1,5550\r\n\x1a"

TEST(returns_hen_reads_receipt_reasons_history)
{
	struct got *g = hk_calloc(1, sizeof(*g));
	struct hk_hen_info info;
	struct hk_err err = {0};
	CHECK_INT(hk_hen_parse_mem(HEN_OK, strlen(HEN_OK), "t.HEN", on_hen, g, &info, &err), 0);
	CHECK_INT(g->n, 1);
	CHECK_INT(info.hg_count, 1);
	CHECK_INT(g->r[0].body, 2);
	CHECK_STR(g->r[0].claim_month, "202611");
	CHECK_STR(g->r[0].service_month, "202610");
	CHECK_STR(g->r[0].receipt_no, "4");
	CHECK_STR(g->r[0].search_no, "12345678901234567890");
	CHECK_STR(g->r[0].record_key, "P1-2610A");
	CHECK_STR(g->r[0].insurer, "131011");
	CHECK_INT(g->r[0].nreasons, 2);
	CHECK_STR(g->r[0].reasons[0].code, "L3129");
	CHECK_STR(g->r[0].reasons[0].kubun, "2");
	CHECK_STR(g->r[0].reasons[1].code, "L1001");
	CHECK_STR(g->r[0].sn_kakunin, "04");
	CHECK_STR(g->r[0].sn_insurer, "01130012");
	CHECK(strncmp(g->data[0], "RE,4,", 5) == 0);
	CHECK(strstr(g->data[0], "HR,") == NULL);
	CHECK_STR(g->hist[0], "8,1,0,RE,4,6112,202610,A B,,1,19600101,,,,,,P1-2610A,12345678901234567890\r\n"
			      "8,2,0,SN,1,04,01130012,,777,,,\r\n");
	hk_free(g);
}

TEST(returns_hen_errors_name_line)
{
	static const char no_hr[] = "HH,1,13,6,1234567,ST,202611,\r\nRE,1,6112,202610,A,,1,19600101,,,,,,K,12345678901234567890\r\nHG,1,0\r\n";
	static const char short_sn[] = "HH,1,13,6,1234567,ST,202611,\r\nRE,1,6112,202610,A,,1,19600101,,,,,,K,1234\r\n";
	struct hk_hen_info info;
	struct hk_err err = {0};
	CHECK_INT(hk_hen_parse_mem(no_hr, strlen(no_hr), "a.HEN", NULL, NULL, &info, &err), -1);
	CHECK_INT(err.code, HK_EXIT_INPUT);
	CHECK(strstr(err.msg, "a.HEN:3:") != NULL);
	CHECK(strstr(err.msg, "no HR") != NULL);
	hk_err_clear(&err);
	CHECK_INT(hk_hen_parse_mem(short_sn, strlen(short_sn), "b.HEN", NULL, NULL, &info, &err), -1);
	CHECK(strstr(err.msg, "b.HEN:2: RE field 15") != NULL);
}

TEST(returns_hen_sniff)
{
	CHECK(hk_hen_sniff("HH,1,13,6,1234567,ST,202611,\r\n", 30));
	CHECK(!hk_hen_sniff("HH,1,13\n", 8)); /* too few items for an HH */
	CHECK(!hk_hen_sniff("HM,1,13,6,1234567,ST,202611,\r\n", 30));
	CHECK(!hk_hen_sniff("HH", 2));
}

TEST(returns_zogen_filldown_and_total)
{
	/* kind 4 rows inherit the FILL columns (2, 3, 8, 19, 29) of the row above */
	static const char z[] =
		"1,202611,2,,1234567\r\n"
		"2,t\r\n"
		"3,202610,7,,,,,06139992,,,,,,,,,,,P1-2610A,,,,-1200,B,,item1,,,12345678901234567890,\r\n"
		"4,,,,,,,,,,,,,,,,,,,,,,\xef\xbf\xa5" "300,D,,item2,,after,,\r\n"
		"6,202611,2,-900\r\n";
	struct got *g = hk_calloc(1, sizeof(*g));
	struct hk_res_info info;
	struct hk_err err = {0};
	char utf[sizeof(z) + 3] = "\xef\xbb\xbf";
	memcpy(utf + 3, z, sizeof(z));
	CHECK_INT(hk_res_parse_mem(HK_LAYOUT_ZOGEN, utf, strlen(utf), "z.csv", on_item, g, &info, &err), 0);
	CHECK_INT(g->ni, 2);
	CHECK_INT(info.body, 2);
	CHECK_STR(info.month, "202611");
	CHECK_STR(info.station, "1234567");
	CHECK_INT((int)g->it[0].amount, -1200);
	CHECK_STR(g->it[0].reason, "B");
	CHECK_STR(g->it[1].service_month, "202610");
	CHECK_STR(g->it[1].receipt_no, "7");
	CHECK_STR(g->it[1].record_key, "P1-2610A");
	CHECK_STR(g->it[1].search_no, "12345678901234567890");
	CHECK_INT((int)g->it[1].amount, 300);
	CHECK_STR(g->it[1].item_after, "after");
	CHECK_INT(g->it[1].body, 2);
	hk_free(g);
}

TEST(returns_zogen_gyymm_and_errors)
{
	static const char era[] = "1,202611,1,,1234567\n3,50810,1,,,,,,,,,,,,,,,,K-1,,,,-1,A\n6,202611,1,-1\n";
	static const char badsum[] = "1,202611,1,,1234567\n3,202610,1,,,,,,,,,,,,,,,,K-1,,,,-1,A\n6,202611,1,-2\n";
	struct got *g = hk_calloc(1, sizeof(*g));
	struct hk_res_info info;
	struct hk_err err = {0};
	CHECK_INT(hk_res_parse_mem(HK_LAYOUT_ZOGEN, era, strlen(era), "e.csv", on_item, g, &info, &err), 0);
	CHECK_STR(g->it[0].service_month, "202610"); /* 令和08年10月 = 2026-10 */
	CHECK_INT(hk_res_parse_mem(HK_LAYOUT_ZOGEN, badsum, strlen(badsum), "s.csv", NULL, NULL, &info, &err), -1);
	CHECK(strstr(err.msg, "s.csv:3:") != NULL);
	CHECK(strstr(err.msg, "add up to -1") != NULL);
	hk_free(g);
}

TEST(returns_furikae)
{
	struct got *g = hk_calloc(1, sizeof(*g));
	struct hk_res_info info;
	struct hk_err err = {0};
	static const char f[] = "\xEF\xBB\xBF区分,指定訪問看護年月,レセプト番号,検索番号,訪問看護記録番号等,旧保険者番号,新保険者番号,分割年月日,金額\r\n"
				"05,202610,3,,K-2610A,06139992,39130000,20261015,100\r\n";
	CHECK(hk_furikae_sniff(f, strlen(f)));
	CHECK(!hk_zogen_sniff(f, strlen(f)));
	CHECK(!hk_furikae_sniff(f + 3, strlen(f + 3))); /* UTF-8 without its BOM is not taken for CP932 */
	CHECK_INT(hk_res_parse_mem(HK_LAYOUT_FURIKAE, f, strlen(f), "f.csv", on_item, g, &info, &err), 0);
	CHECK_INT(g->ni, 1);
	CHECK_INT(g->it[0].switch_kind, 5);
	CHECK_STR(g->it[0].new_insurer, "39130000");
	CHECK_STR(g->it[0].split_date, "2026-10-15");
	hk_free(g);
}
