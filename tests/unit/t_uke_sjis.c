/* The Shift_JIS codec (作成手引き 別紙4). */
#include <string.h>
#include "tests/unit/harness.h"
#include "receipt/uke.h"

static int enc(const char *utf8, struct hk_buf *out)
{
	struct hk_err err;
	hk_buf_reset(out);
	return hk_utf8_to_sjis(utf8, strlen(utf8), out, NULL, NULL, &err);
}

static int dec(const char *sjis, size_t n, struct hk_buf *out, size_t *bad)
{
	struct hk_err err;
	hk_buf_reset(out);
	return hk_sjis_to_utf8((const unsigned char *)sjis, n, out, bad, &err);
}

TEST(uke_sjis_char_len)
{
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"A", 1), 1);
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\xB1", 1), 1);   /* ｱ */
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\xA0", 1), 0);
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\x80", 1), 0);
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\x1F", 1), 0);
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\x7F", 1), 0);
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\x82\xA0", 2), 2); /* あ */
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\x82\xA0", 1), 0); /* truncated */
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\x81\xAD", 2), 0); /* undefined cell */
	/* 別紙4: 0xEAA0-0xEAA4 槇遙瑤凜熙 are allowed, 0xEAA5 does not exist */
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\xEA\xA0", 2), 2);
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\xEA\xA4", 2), 2);
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\xEA\xA5", 2), 0);
	/* NEC row 13, NEC-selected IBM, IBM, user-defined: not allowed */
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\x87\x40", 2), 0);
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\xED\x40", 2), 0);
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\xFA\x40", 2), 0);
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\xF0\x40", 2), 0);
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\x88\x9F", 2), 2); /* 亜 */
	CHECK_INT(hk_sjis_char_len((const unsigned char *)"\x88\x7F", 2), 0);
}

TEST(uke_sjis_decode)
{
	struct hk_buf b;
	size_t bad = 99;

	hk_buf_init(&b, 1 << 16, "test");
	CHECK_INT(dec("\x96\x4B\x96\xE2\x8A\xC5\x8C\xEC", 8, &b, &bad), 0);
	CHECK_STR(hk_buf_cstr(&b), "訪問看護");
	CHECK_INT(dec("\xCE\xB3\xD3\xDD", 4, &b, &bad), 0);
	CHECK_STR(hk_buf_cstr(&b), "ﾎｳﾓﾝ");
	/* CP932 mappings for the JIS X 0208 cells */
	CHECK_INT(dec("\x81\x60\x81\x5F\x81\x61\x81\x7C\x81\x91\x81\x92\x81\xCA", 14, &b, &bad), 0);
	CHECK_STR(hk_buf_cstr(&b), "\uFF5E\uFF3C\u2225\uFF0D\uFFE0\uFFE1\uFFE2");
	CHECK_INT(dec("\xEA\xA0\xEA\xA1\xEA\xA2\xEA\xA3\xEA\xA4", 10, &b, &bad), 0);
	CHECK_STR(hk_buf_cstr(&b), "槇遙瑤凜熙");
	CHECK_INT(dec("AB\x87\x40", 4, &b, &bad), -1);
	CHECK_INT(bad, 2);
	CHECK_INT(dec("\x82\xA0\x82", 3, &b, &bad), -1);
	CHECK_INT(bad, 2);
	CHECK_INT(dec("a\x0D", 2, &b, &bad), -1);
	CHECK_INT(bad, 1);
	hk_buf_free(&b);
}

struct bad_log { unsigned long cp[8]; size_t idx[8]; int n; };
static void on_bad(void *ctx, unsigned long cp, size_t idx)
{
	struct bad_log *l = ctx;
	if (l->n < 8) {
		l->cp[l->n] = cp;
		l->idx[l->n] = idx;
	}
	l->n++;
}

TEST(uke_sjis_encode)
{
	struct hk_buf b;
	struct hk_err err;
	struct bad_log log = { { 0 }, { 0 }, 0 };
	const char *s;

	hk_buf_init(&b, 1 << 16, "test");
	CHECK_INT(enc("訪問　花子", &b), 0);
	CHECK_MEM(b.data, b.len, "\x96\x4B\x96\xE2\x81\x40\x89\xD4\x8E\x71");
	/* both the JIS and the CP932 code point of a cell */
	CHECK_INT(enc("\u301C\uFF5E\u2016\u2225\u2212\uFF0D", &b), 0);
	CHECK_MEM(b.data, b.len, "\x81\x60\x81\x60\x81\x61\x81\x61\x81\x7C\x81\x7C");
	CHECK_INT(enc("\u00A2\uFFE0\u00A3\uFFE1\u00AC\uFFE2", &b), 0);
	CHECK_MEM(b.data, b.len, "\x81\x91\x81\x91\x81\x92\x81\x92\x81\xCA\x81\xCA");
	CHECK_INT(enc("ｱﾝ", &b), 0);
	CHECK_MEM(b.data, b.len, "\xB1\xDD");
	/* outside: 髙 﨑 𠮷 ① -> ？ reported with code point and index */
	hk_buf_reset(&b);
	s = "a髙﨑𠮷①b";
	CHECK_INT(hk_utf8_to_sjis(s, strlen(s), &b, on_bad, &log, &err), 4);
	CHECK_MEM(b.data, b.len, "a\x81\x48\x81\x48\x81\x48\x81\x48" "b");
	CHECK_INT(log.n, 4);
	CHECK_INT(log.cp[0], 0x9AD9);
	CHECK_INT(log.idx[0], 1);
	CHECK_INT(log.cp[1], 0xFA11);
	CHECK_INT(log.cp[2], 0x20BB7);
	CHECK_INT(log.idx[2], 3);
	CHECK_INT(log.cp[3], 0x2460);
	CHECK_INT(log.idx[3], 4);
	/* invalid UTF-8 is an error, not a replacement */
	CHECK_INT(enc("\xC0\xAF", &b), -1);
	CHECK_INT(enc("\xED\xA0\x80", &b), -1);
	CHECK_INT(enc("\xE3\x81", &b), -1);
	hk_buf_free(&b);
}

/* Every allowed two-byte cell decodes and encodes back to itself. */
TEST(uke_sjis_roundtrip_all_cells)
{
	struct hk_buf u, s;
	struct hk_err err;
	unsigned lead, trail;
	int cells = 0;

	hk_buf_init(&u, 64, "test");
	hk_buf_init(&s, 64, "test");
	for (lead = 0x81; lead <= 0xFC; lead++) {
		for (trail = 0x40; trail <= 0xFC; trail++) {
			unsigned char c[2] = { (unsigned char)lead, (unsigned char)trail };
			if (hk_sjis_char_len(c, 2) != 2)
				continue;
			cells++;
			hk_buf_reset(&u);
			hk_buf_reset(&s);
			CHECK_INT(hk_sjis_to_utf8(c, 2, &u, NULL, &err), 0);
			CHECK_INT(hk_utf8_to_sjis(u.data, u.len, &s, NULL, NULL, &err), 0);
			CHECK_INT(s.len, 2);
			CHECK(memcmp(s.data, c, 2) == 0);
		}
	}
	CHECK_INT(cells, 6879); /* JIS X 0208:1990 */
	hk_buf_free(&u);
	hk_buf_free(&s);
}
