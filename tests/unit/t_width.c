#include <stdbool.h>
#include <string.h>
#include "base/hk.h"
#include "tests/unit/harness.h"
#include "receipt/width.h"

TEST(width_ascii_and_kana_become_full_width)
{
	char out[128];
	hk_to_fullwidth("ADL低下 1-2", out, sizeof(out));
	CHECK_STR(out, "ＡＤＬ低下　１－２");
	hk_to_fullwidth("\xEF\xBD\xB6\xEF\xBE\x9E\xEF\xBE\x8A\xEF\xBE\x9F", out, sizeof(out)); /* ｶﾞﾊﾟ */
	CHECK_STR(out, "ガパ");
	hk_to_fullwidth("\xEF\xBD\xB3\xEF\xBE\x9E", out, sizeof(out)); /* ｳﾞ */
	CHECK_STR(out, "ヴ");
	hk_to_fullwidth("\xEF\xBD\xB1\xEF\xBE\x9E", out, sizeof(out)); /* ｱﾞ: no voiced form, kept apart */
	CHECK_STR(out, "ア゛");
	hk_to_fullwidth("say \"hi\"", out, sizeof(out));
	CHECK_STR(out, "ｓａｙ　”ｈｉ”");
}

TEST(width_one_width_for_eisu_or_kanji)
{
	char out[64];
	hk_one_width("AB123", out, sizeof(out));
	CHECK_STR(out, "AB123");
	hk_one_width("国23", out, sizeof(out));
	CHECK_STR(out, "国２３");
	hk_one_width("訪問 花子", out, sizeof(out));
	CHECK_STR(out, "訪問　花子");
}

TEST(width_truncates_safely)
{
	char out[5];
	hk_to_fullwidth("ABCD", out, sizeof(out));
	CHECK_STR(out, "Ａ"); /* 3 bytes fit, a second would not */
}

/* ---- the conversion before it had a fast path for unchanged characters,
 * kept here as the reference the current one must match byte for byte ---- */

static const unsigned short ref_hw_kana[] = {
	0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30E3,
	0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB, 0x30AD, 0x30AF,
	0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8,
	0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB, 0x30DE, 0x30DF,
	0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF,
	0x30F3, 0x309B, 0x309C,
};

static size_t ref_put_cp(char *out, size_t o, size_t size, unsigned long cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) { b[0] = (char)cp; n = 1; }
	else if (cp < 0x800) { b[0] = (char)(0xC0 | cp >> 6); b[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
	else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | cp >> 12); b[1] = (char)(0x80 | (cp >> 6 & 0x3F)); b[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
	} else {
		b[0] = (char)(0xF0 | cp >> 18); b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3F)); b[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
	}
	if (o + n >= size)
		return o;
	memcpy(out + o, b, n);
	return o + n;
}

static size_t ref_get_cp(const unsigned char *p, unsigned long *cp)
{
	if (p[0] < 0x80) { *cp = p[0]; return 1; }
	if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) { *cp = (p[0] & 0x1Ful) << 6 | (p[1] & 0x3F); return 2; }
	if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
		*cp = (p[0] & 0x0Ful) << 12 | (p[1] & 0x3Ful) << 6 | (p[2] & 0x3F);
		return 3;
	}
	if ((p[0] & 0xF8) == 0xF0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80) {
		*cp = (p[0] & 0x07ul) << 18 | (p[1] & 0x3Ful) << 12 | (p[2] & 0x3Ful) << 6 | (p[3] & 0x3F);
		return 4;
	}
	*cp = p[0];
	return 1;
}

static bool ref_can_voice(unsigned long k)
{
	return (k >= 0x30AB && k <= 0x30C8 && (k % 2 == 1 || k == 0x30C4 || k == 0x30C6 || k == 0x30C8)) ||
	       (k >= 0x30CF && k <= 0x30DB && (k - 0x30CF) % 3 == 0) || k == 0x30A6;
}

static void ref_to_fullwidth(const char *in, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;
	unsigned long prev = 0;
	size_t prev_at = 0;
	if (!size)
		return;
	while (*p) {
		unsigned long cp, w;
		p += ref_get_cp(p, &cp);
		if (cp == ' ')
			w = 0x3000;
		else if (cp == '"')
			w = 0x201D;
		else if (cp == '\'')
			w = 0x2019;
		else if (cp == '`')
			w = 0x2018;
		else if (cp == '~')
			w = 0x301C;
		else if (cp > 0x20 && cp < 0x7F)
			w = cp - 0x21 + 0xFF01;
		else if (cp >= 0xFF61 && cp <= 0xFF9F) {
			w = ref_hw_kana[cp - 0xFF61];
			if ((cp == 0xFF9E || cp == 0xFF9F) && prev && o == prev_at + 3) {
				unsigned long v = 0;
				if (cp == 0xFF9E && prev == 0x30A6)
					v = 0x30F4;
				else if (cp == 0xFF9E && ref_can_voice(prev))
					v = prev + 1;
				else if (cp == 0xFF9F && prev >= 0x30CF && prev <= 0x30DB && (prev - 0x30CF) % 3 == 0)
					v = prev + 2;
				if (v) {
					o = ref_put_cp(out, prev_at, size, v);
					prev = 0;
					continue;
				}
			}
		} else
			w = cp;
		prev_at = o;
		prev = w >= 0x30A1 && w <= 0x30FA ? w : 0;
		o = ref_put_cp(out, o, size, w);
	}
	out[o] = '\0';
}

static void ref_one_width(const char *in, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)in;
	bool narrow = true;
	while (*p && narrow) {
		unsigned long cp;
		p += ref_get_cp(p, &cp);
		narrow = cp < 0x80 || (cp >= 0xFF61 && cp <= 0xFF9F);
	}
	if (narrow)
		hk_snprintf(out, size, "%s", in);
	else
		ref_to_fullwidth(in, out, size);
}

/* Random mixes of the characters that matter (ASCII, JIS X 0201 katakana with
 * ﾞ/ﾟ, full-width katakana that take them, kanji, 4-byte, overlong and stray
 * bytes) at every output size up to past their length. */
TEST(width_same_as_reference)
{
	static const char *const frag[] = {
		"a", " ", "~", "\"", "'", "`", "9", "\xEF\xBD\xB6", "\xEF\xBD\xB3", "\xEF\xBE\x8A", "\xEF\xBE\x9E",
		"\xEF\xBE\x9F", "\xEF\xBD\xA1", "カ", "ウ", "ハ", "ア", "ヴ", "訪", "問", "　", "ー", "𠮷",
		"\xC0\xAF", "\xE0\x80\xAF", "\xF0\x80\x80\xAF", "\xC3\xA9", "\x80", "\xFF", "\xE3\x81",
		"\xF4\x90\x80\x80", "\xED\xA0\x80",
	};
	unsigned long seed = 12345;
	long differ = 0, runs = 0;
	for (int t = 0; t < 3000; t++) {
		char in[200], a[260], b[260];
		size_t n = 0;
		int k = (int)(seed % 12);
		for (int i = 0; i < k; i++) {
			const char *f;
			seed = seed * 6364136223846793005ul + 1442695040888963407ul;
			f = frag[(seed >> 33) % (sizeof(frag) / sizeof(frag[0]))];
			memcpy(in + n, f, strlen(f));
			n += strlen(f);
		}
		in[n] = '\0';
		seed = seed * 6364136223846793005ul + 1442695040888963407ul;
		for (size_t size = 0; size <= 3 * n + 4 && size <= sizeof(a); size++) {
			memset(a, 'x', sizeof(a));
			memset(b, 'x', sizeof(b));
			hk_to_fullwidth(in, a, size);
			ref_to_fullwidth(in, b, size);
			differ += memcmp(a, b, sizeof(a)) != 0;
			memset(a, 'x', sizeof(a));
			memset(b, 'x', sizeof(b));
			hk_one_width(in, a, size);
			ref_one_width(in, b, size);
			differ += memcmp(a, b, sizeof(a)) != 0;
			runs++;
		}
	}
	CHECK_INT(differ, 0);
	CHECK(runs > 10000);
}
