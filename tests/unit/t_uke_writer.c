/* The writer: official example lines of 作成手引き (DIGEST §1.7) byte for byte,
 * mode rules, round trip through the reader.  Expected bytes below were made
 * with Python's cp932 codec from the example lines, not by this writer. */
#include <stdio.h>
#include <string.h>
#include "tests/unit/harness.h"
#include "receipt/uke.h"

static const char *const expect[] = {
	"\x48\x4D\x2C\x31\x2C\x31\x33\x2C\x36\x2C\x31\x32\x33\x34\x35\x36\x37\x2C\x81\x5A\x81\x5A\x96\x4B\x96\xE2\x8A\xC5\x8C\xEC\x83\x58\x83\x65\x81\x5B\x83\x56\x83\x87\x83\x93\x2C\x32\x30\x32\x34\x30\x37\x2C\x30\x33\x2D\x31\x32\x33\x34\x2D\x35\x36\x37\x38\x0D\x0A",  /* HM */
	"\x52\x45\x2C\x31\x30\x30\x2C\x36\x31\x31\x36\x2C\x32\x30\x32\x34\x30\x36\x2C\x96\x4B\x96\xE2\x81\x40\x89\xD4\x8E\x71\x2C\x83\x7A\x83\x45\x83\x82\x83\x93\x83\x6E\x83\x69\x83\x52\x2C\x32\x2C\x31\x39\x39\x33\x30\x37\x30\x32\x2C\x2C\x2C\x2C\x2C\x2C\x41\x31\x32\x33\x2D\x34\x35\x36\x2C\x0D\x0A",  /* RE */
	"\x48\x4F\x2C\x30\x31\x31\x33\x31\x32\x33\x34\x2C\x82\x50\x82\x51\x82\x52\x82\x53\x82\x54\x82\x55\x82\x56\x82\x57\x2C\x82\x50\x82\x51\x82\x52\x82\x53\x82\x54\x82\x55\x82\x56\x2C\x33\x30\x2C\x33\x30\x30\x30\x30\x30\x2C\x2C\x2C\x34\x30\x32\x31\x35\x2C\x31\x2C\x35\x30\x2C\x0D\x0A",  /* HO */
	"\x4B\x4F\x2C\x35\x34\x31\x33\x31\x32\x33\x34\x2C\x30\x30\x30\x31\x32\x33\x34\x2C\x2C\x32\x37\x2C\x33\x35\x30\x30\x30\x30\x2C\x37\x35\x30\x2C\x38\x30\x39\x33\x30\x0D\x0A",  /* KO */
	"\x53\x4E\x2C\x31\x2C\x30\x31\x2C\x2C\x2C\x2C\x30\x33\x2C\x2C\x0D\x0A",  /* SN */
	"\x4A\x44\x2C\x31\x2C\x31\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x2C\x0D\x0A",  /* JD */
	"\x49\x48\x2C\x31\x33\x2C\x31\x2C\x30\x31\x32\x33\x34\x35\x36\x2C\x96\x4B\x96\xE2\x95\x61\x89\x40\x2C\x96\x4B\x96\xE2\x81\x40\x91\xBE\x98\x59\x2C\x32\x30\x32\x34\x30\x36\x31\x32\x0D\x0A",  /* IH */
	"\x48\x4A\x2C\x30\x32\x2C\x32\x30\x32\x34\x30\x36\x30\x31\x2C\x32\x30\x32\x34\x30\x36\x31\x34\x0D\x0A",  /* HJ */
	"\x4A\x53\x2C\x83\x58\x83\x67\x83\x8C\x83\x58\x82\xF0\x8A\xB4\x82\xB6\x82\xE2\x82\xB7\x82\xAD\x8C\xB6\x92\xAE\x82\xA0\x82\xE8\x81\x42\x2C\x30\x31\x2C\x30\x30\x31\x2C\x30\x32\x2C\x32\x30\x32\x34\x30\x36\x30\x31\x0D\x0A",  /* JS */
	"\x53\x59\x2C\x31\x39\x38\x33\x30\x31\x39\x2C\x32\x30\x35\x36\x38\x30\x30\x32\x2C\x2C\x0D\x0A",  /* SY */
	"\x4B\x53\x2C\x32\x31\x2C\x2C\x32\x30\x32\x34\x30\x35\x31\x35\x2C\x32\x30\x32\x34\x30\x36\x32\x30\x0D\x0A",  /* KS */
	"\x4B\x41\x2C\x32\x30\x32\x34\x30\x36\x31\x35\x2C\x31\x2C\x35\x31\x30\x30\x30\x30\x33\x31\x30\x2C\x2C\x37\x35\x37\x35\x2C\x30\x37\x2C\x30\x31\x2C\x30\x31\x0D\x0A",  /* KA */
	"\x4B\x41\x2C\x32\x30\x32\x34\x30\x36\x31\x35\x2C\x31\x2C\x35\x31\x30\x30\x30\x32\x33\x37\x30\x2C\x2C\x30\x2C\x2C\x2C\x0D\x0A",  /* KA */
};

#define V(...) ((const char *const[]){ __VA_ARGS__ })
#define N(...) (int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))
#define W(id, ...) hk_uke_write(&w, id, V(__VA_ARGS__), N(__VA_ARGS__), &err)

struct wlog { int n; char code[32]; char msg[512]; int field; char rec[3]; long line; };
static void wdiag(void *ctx, const struct hk_diag *d)
{
	struct wlog *l = ctx;
	l->n++;
	snprintf(l->code, sizeof l->code, "%s", d->code);
	snprintf(l->msg, sizeof l->msg, "%s", d->msg);
	memcpy(l->rec, d->rec, 3);
	l->field = d->field;
	l->line = d->line;
}

TEST(uke_writer_official_examples)
{
	struct hk_buf out, want;
	struct hk_uke_writer w;
	struct hk_err err;
	struct wlog l = { 0 };
	size_t i;

	hk_buf_init(&out, 0, NULL);
	hk_buf_init(&want, 0, NULL);
	hk_uke_writer_init(&w, &out, "t.UKE", wdiag, &l);
	CHECK_INT(W("HM", "1", "13", "6", "1234567", "〇〇訪問看護ステーション", "202407", "03-1234-5678"), 0);
	/* レセプト番号 "0100" -> "100": 数字 可変, no leading zeros */
	CHECK_INT(W("RE", "0100", "6116", "202406", "訪問　花子", "ホウモンハナコ", "2", "19930702",
		    "", "", "", "", "", "A123-456", ""), 0);
	CHECK_INT(W("HO", "01131234", "１２３４５６７８", "１２３４５６７", "30", "300000", "", "",
		    "40215", "1", "50", ""), 0);
	/* 受給者番号 zero-padded to 7 */
	CHECK_INT(W("KO", "54131234", "1234", "", "27", "350000", "750", "80930"), 0);
	/* 枝番 zero-padded to 2; trailing values may be left out */
	CHECK_INT(W("SN", "1", "01", "", "", "", "3"), 0);
	CHECK_INT(W("JD", "1", "1"), 0);
	CHECK_INT(W("IH", "13", "1", "0123456", "訪問病院", "訪問　太郎", "20240612"), 0);
	CHECK_INT(W("HJ", "02", "20240601", "20240614"), 0);
	/* code fields keep their zeros: "001", "01", "02" */
	CHECK_INT(W("JS", "ストレスを感じやすく幻聴あり。", "01", "001", "02", "20240601"), 0);
	CHECK_INT(W("SY", "1983019", "20568002", "", ""), 0);
	CHECK_INT(W("KS", "21", "", "20240515", "20240620"), 0);
	CHECK_INT(W("KA", "20240615", "1", "510000310", "", "007575", "07", "01", "01"), 0);
	CHECK_INT(W("KA", "20240615", "1", "510002370", "", "000", "", "", ""), 0);
	CHECK_INT(hk_uke_writer_finish(&w, &err), 0);
	for (i = 0; i < HK_ARRAY_LEN(expect); i++)
		hk_buf_adds(&want, expect[i], &err);
	hk_buf_addc(&want, 0x1A, &err);
	CHECK_INT(out.len, want.len);
	/* line by line for a readable failure */
	{
		const char *o = out.data;
		for (i = 0; i < HK_ARRAY_LEN(expect); i++) {
			size_t n = strlen(expect[i]);
			if (memcmp(o, expect[i], n) != 0) {
				hk_test_fail(__FILE__, __LINE__, "example line %zu differs", i + 1);
				return;
			}
			o += n;
		}
	}
	CHECK(memcmp(out.data, want.data, want.len) == 0);
	CHECK_INT(l.n, 0);
	CHECK_INT(w.line, 13);
	hk_buf_free(&out);
	hk_buf_free(&want);
}

TEST(uke_writer_rules)
{
	struct hk_buf out;
	struct hk_uke_writer w;
	struct hk_err err;
	struct wlog l = { 0 };

	hk_buf_init(&out, 0, NULL);
	hk_uke_writer_init(&w, &out, "t.UKE", wdiag, &l);
	/* HO 保険者番号 right-aligned with spaces */
	CHECK_INT(W("HO", "139998", "", "1", "4", "29870"), 0);
	CHECK_MEM(out.data, out.len, "HO,  139998,,1,4,29870,,,,,,\r\n");
	/* 英数 可変: trailing spaces dropped; 数字 固定 zero-padded */
	hk_buf_reset(&out);
	CHECK_INT(W("HM", "1", "1", "6", "1234567", "ａ", "202407", "03  "), 0);
	CHECK_MEM(out.data, out.len, "HM,1,01,6,1234567,\x82\x81,202407,03\r\n");
	/* 英数又は漢字: all half-width is fine too */
	hk_buf_reset(&out);
	CHECK_INT(W("HO", "06139992", "AB", "123"), 0);
	CHECK_MEM(out.data, out.len, "HO,06139992,AB,123,,,,,,,,\r\n");
	/* 数字 可変 without zeros, decimals trimmed */
	hk_buf_reset(&out);
	CHECK_INT(W("KA", "20240403", "1", "510000110", "0", "0000"), 0);
	CHECK_MEM(out.data, out.len, "KA,20240403,1,510000110,0,0,,,\r\n");

	/* errors name record, field number and name; nothing is written */
	hk_buf_reset(&out);
	CHECK_INT(w.line, 4);
	CHECK_INT(W("RE", "1", "6116", "202406", "訪問 花子"), -1);
	CHECK(strstr(err.msg, "RE field 5 (氏名)") != NULL);
	CHECK(strstr(err.msg, "mixes") != NULL);
	CHECK_INT(out.len, 0);
	CHECK_INT(W("HM", "1", "13", "6", "1234567", "ABC"), -1);
	CHECK(strstr(err.msg, "HM field 6 (訪問看護ステーション名称)") != NULL);
	CHECK_INT(W("RE", "1", "6116", "202406", "１２３４５６７８９０１２３４５６７８９０１"), -1);
	CHECK(strstr(err.msg, "maximum is 40") != NULL);
	CHECK_INT(W("HO", "１２３"), -1);
	CHECK(strstr(err.msg, "HO field 2 (保険者番号)") != NULL);
	CHECK_INT(W("HO", "061399921"), -1);
	CHECK_INT(W("RE", "1a"), -1);
	CHECK(strstr(err.msg, "not a number") != NULL);
	CHECK_INT(W("RE", "１"), -1);
	CHECK_INT(W("HM", "1", "13", "6", "1234567", "A,B"), -1);
	CHECK_INT(W("TJ", "10", "", "202304", "", ""), -1);  /* one value too many */
	CHECK_INT(W("XX", "1"), -1);
	CHECK_INT(out.len, 0);
	CHECK_INT(w.line, 4);

	/* outside the repertoire: ？ and a warning naming record, field, character */
	CHECK_INT(W("RE", "1", "6116", "202406", "髙橋　花子"), 0);
	CHECK_MEM(out.data, out.len, "RE,1,6116,202406,\x81\x48\x8B\xB4\x81\x40\x89\xD4\x8E\x71,,,,,,,,,,\r\n");
	CHECK_INT(l.n, 1);
	CHECK_STR(l.code, "W-CHAR-REPLACED");
	CHECK_STR(l.rec, "RE");
	CHECK_INT(l.field, 5);
	CHECK_INT(l.line, 5);
	CHECK(strstr(l.msg, "U+9AD9 髙") != NULL);
	CHECK(strstr(l.msg, "氏名") != NULL);
	hk_buf_free(&out);
}

/* write -> read gives back the bytes of each field */
TEST(uke_writer_roundtrip)
{
	struct hk_buf out, u;
	struct hk_uke_writer w;
	struct hk_err err;
	struct hk_uke_reader *r;
	struct hk_uke_record rec;
	int n = 0, ndiag = 0;

	hk_buf_init(&out, 0, NULL);
	hk_buf_init(&u, 0, NULL);
	hk_uke_writer_init(&w, &out, "t.UKE", NULL, NULL);
	CHECK_INT(W("HM", "1", "13", "6", "1234567", "テスト訪問看護ステーション", "202405", "03-0000-0000"), 0);
	CHECK_INT(W("RE", "1", "6112", "202404", "看護　太郎", "カンゴタロウ", "1", "19600101",
		    "", "", "", "", "", "P000123", ""), 0);
	CHECK_INT(W("RJ", "20240401", "01"), 0);
	CHECK_INT(W("GO"), 0);
	CHECK_INT(hk_uke_writer_finish(&w, &err), 0);
	r = hk_uke_open_mem(out.data, out.len, "t", 0, NULL, &ndiag);
	while (hk_uke_next(r, &rec, &err) == 1) {
		n++;
		CHECK(rec.def != NULL);
		CHECK_INT(rec.nfields, rec.def->nfields);
		if (n == 2) {
			hk_buf_reset(&u);
			CHECK_INT(hk_sjis_to_utf8(rec.f[4].p, rec.f[4].len, &u, NULL, &err), 0);
			CHECK_STR(hk_buf_cstr(&u), "看護　太郎");
		}
	}
	hk_uke_close(r);
	CHECK_INT(n, 4);
	hk_buf_free(&out);
	hk_buf_free(&u);
}

/* Edges of the one-pass field scan and of the record buffers: the first byte
 * the format cannot carry is the one named; values over HK_MAX_RECORD_BYTES
 * (ASCII or not) are refused with the buffer's cap; a replaced character is
 * reported before the mode error of the same value; records in any order. */
TEST(uke_writer_edges)
{
	struct hk_buf out;
	struct hk_uke_writer w;
	struct hk_err err;
	struct wlog l = { 0 };
	static char big[4 * 3000 + 1];

	hk_buf_init(&out, 0, NULL);
	hk_uke_writer_init(&w, &out, "t.UKE", wdiag, &l);
	CHECK_INT(W("RE", "1", "6116", "202406", "A\x01,B"), -1);
	CHECK(strstr(err.msg, "t.UKE line 1: RE field 5 (氏名)") != NULL);
	CHECK(strstr(err.msg, "control character 0x01") != NULL);
	CHECK_INT(W("RE", "1", "6116", "202406", "A\"\x01"), -1);
	CHECK(strstr(err.msg, "value contains '\"'") != NULL);
	CHECK_INT(W("RE", "1", "6116", "202406", "A\x7F"), -1);
	CHECK(strstr(err.msg, "control character 0x7F") != NULL);

	memset(big, 'A', 9000);
	big[9000] = '\0';
	CHECK_INT(W("RE", "1", "6116", "202406", big), -1);
	CHECK(strstr(err.msg, "t.UKE line 1: RE field 5 (氏名)") != NULL);
	for (int i = 0; i < 21; i++)
		memcpy(big + 3 * i, "訪", 3);
	big[63] = '\0';
	CHECK_INT(W("RE", "1", "6116", "202406", big), -1);
	CHECK(strstr(err.msg, "is 42 bytes; the maximum is 40") != NULL);
	for (int i = 0; i < 3000; i++)
		memcpy(big + 3 * i, "a訪", 4);  /* 9000 bytes of Shift_JIS: past the cap */
	big[12000] = '\0';
	CHECK_INT(W("RE", "1", "6116", "202406", big), -1);
	CHECK(strstr(err.msg, "t.UKE line 1: RE field 5 (氏名)") != NULL);
	/* the encoder's own words follow the field (they were once lost) */
	CHECK(strlen(err.msg) > strlen("t.UKE line 1: RE field 5 (氏名): ") + 5);
	CHECK_INT(W("RE", "1", "6116", "202406", "a\xE8\xA8"), -1);  /* a truncated UTF-8 sequence */
	CHECK(strstr(err.msg, "t.UKE line 1: RE field 5 (氏名): ") != NULL);
	CHECK(strlen(err.msg) > strlen("t.UKE line 1: RE field 5 (氏名): ") + 5);
	CHECK_INT(l.n, 0);
	CHECK_INT(out.len, 0);

	/* 髙 is replaced (warning), then the value mixes widths (error) */
	CHECK_INT(W("RE", "1", "6116", "202406", "髙a"), -1);
	CHECK(strstr(err.msg, "mixes") != NULL);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.code, "W-CHAR-REPLACED");
	CHECK_INT(out.len, 0);

	/* 数字: "0.50" -> ".5" is not how it goes: "0.5"; trailing full-width spaces dropped */
	CHECK_INT(W("KA", "20240403", "1", "510000110", "0.50", "0012"), 0);
	CHECK_MEM(out.data, out.len, "KA,20240403,1,510000110,0.5,12,,,\r\n");
	hk_buf_reset(&out);
	CHECK_INT(W("RE", "1", "6116", "202406", "訪問　花子　　"), 0);
	CHECK_MEM(out.data, out.len, "RE,1,6116,202406,\x96\x4B\x96\xE2\x81\x40\x89\xD4\x8E\x71,,,,,,,,,,\r\n");
	hk_buf_reset(&out);

	/* ids: any order, and the ones that are not records */
	CHECK_INT(W("GO"), 0);
	CHECK_INT(W("HM", "1", "13", "6", "1234567", "ＡＢ", "202407", "03"), 0);
	CHECK_INT(W("KA", "20240403", "1", "510000110"), 0);
	CHECK_INT(W("HM", "1", "13", "6", "1234567", "ＡＢ", "202407", "03"), 0);
	CHECK_MEM(out.data, out.len, "GO\r\nHM,1,13,6,1234567,\x82\x60\x82\x61,202407,03\r\n"
		  "KA,20240403,1,510000110,,,,,\r\nHM,1,13,6,1234567,\x82\x60\x82\x61,202407,03\r\n");
	CHECK_INT(W("R", "1"), -1);
	CHECK(strstr(err.msg, "\"R\" is not a record id") != NULL);
	CHECK_INT(W("REX", "1"), -1);
	CHECK_INT(W("", "1"), -1);
	CHECK_INT(w.line, 6);
	hk_buf_free(&out);
}
