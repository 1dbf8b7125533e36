/* The UTF-8 -> Shift_JIS encoder (hk_utf8_to_sjis, hk_utf8_to_sjis_count):
 * its one-lookup table against the definition (the sorted table of
 * receipt/sjis_table.c, searched here), the counts the writer relies on, and
 * the buffer's growth and cap. */
#include <string.h>
#include "tests/unit/harness.h"
#include "base/csv.h"
#include "receipt/uke.h"
#include "receipt/sjis_table.h"

/* The definition: JIS X 0201 roman and katakana, then the cells' table
 * (its first row for a code point). */
static unsigned short ref_cells[0x10000];

static unsigned ref_sjis(unsigned long cp)
{
	if (cp >= 0x20 && cp <= 0x7E)
		return (unsigned)cp;
	if (cp >= 0xFF61 && cp <= 0xFF9F)
		return (unsigned)(0xA1 + (cp - 0xFF61));
	if (!ref_cells[0xFFFF]) {
		ref_cells[0xFFFF] = 1;  /* filled (U+FFFF is no character) */
		for (unsigned i = hk_sjis_enc_count; i-- > 0;)
			ref_cells[hk_sjis_enc_table[i].ucs] = hk_sjis_enc_table[i].sjis;
	}
	return cp >= 0x80 && cp < 0xFFFF ? ref_cells[cp] : 0;
}

struct badlog { int n; unsigned long cp; size_t idx; };
static void log_bad(void *ctx, unsigned long cp, size_t idx)
{
	struct badlog *l = ctx;
	l->n++;
	l->cp = cp;
	l->idx = idx;
}

/* Every code point: the code of the definition, or ？ with a report; one
 * character; two-byte exactly when the reader takes it as a two-byte cell. */
TEST(uke_encode_every_code_point)
{
	struct hk_buf b;
	struct hk_err err;
	unsigned long cp;
	long wrong = 0, mapped = 0;

	hk_buf_init(&b, 16, "test");
	for (cp = 1; cp <= 0x10FFFF; cp += cp < 0x10000 ? 1 : 0x3FF) {
		char s[4];
		size_t n = hk_utf8_encode(cp, s), nchars = 9, nwide = 9;
		unsigned want = ref_sjis(cp);
		struct badlog l = { 0, 0, 0 };
		int rc;
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		hk_buf_reset(&b);
		rc = hk_utf8_to_sjis_count(s, n, &b, &nchars, &nwide, log_bad, &l, &err);
		if (want == 0) {
			wrong += rc != 1 || l.n != 1 || l.cp != cp || l.idx != 0 || b.len != 2 ||
				 memcmp(b.data, "\x81\x48", 2) != 0 || nwide != 1;
		} else {
			unsigned char w[2] = { (unsigned char)(want >> 8), (unsigned char)want };
			size_t wl = want > 0xFF ? 2 : 1;
			mapped++;
			wrong += rc != 0 || l.n != 0 || b.len != wl || memcmp(b.data, w + 2 - wl, wl) != 0 ||
				 nwide != (wl == 2) ||
				 hk_sjis_char_len((const unsigned char *)b.data, b.len) != (int)wl;
		}
		wrong += nchars != 1;
	}
	CHECK_INT(wrong, 0);
	CHECK_INT(mapped, 95 + 63 + (long)hk_sjis_enc_count);
	hk_buf_free(&b);
}

TEST(uke_encode_counts_and_errors)
{
	struct hk_buf b;
	struct hk_err err;
	size_t nchars, nwide;
	const char *s = "aｱ訪問髙b";

	hk_buf_init(&b, 0, NULL);
	CHECK_INT(hk_utf8_to_sjis_count(s, strlen(s), &b, &nchars, &nwide, NULL, NULL, &err), 1);
	CHECK_MEM(b.data, b.len, "a\xB1\x96\x4B\x96\xE2\x81\x48" "b");
	CHECK_INT(nchars, 6);
	CHECK_INT(nwide, 3);
	CHECK_INT(b.data[b.len], 0);
	/* invalid UTF-8: what came before it is kept, counted, NUL-terminated */
	hk_buf_reset(&b);
	s = "訪a\xE3\x81";
	CHECK_INT(hk_utf8_to_sjis_count(s, strlen(s), &b, &nchars, &nwide, NULL, NULL, &err), -1);
	CHECK_STR(err.msg, "invalid UTF-8 at byte 4 (byte 0xE3)");
	CHECK_MEM(b.data, b.len, "\x96\x4B" "a");
	CHECK_INT(nchars, 2);
	CHECK_INT(nwide, 1);
	CHECK_INT(b.data[b.len], 0);
	/* controls are outside: ？, two bytes for one */
	hk_buf_reset(&b);
	CHECK_INT(hk_utf8_to_sjis("\x01\x7F", 2, &b, NULL, NULL, &err), 2);
	CHECK_MEM(b.data, b.len, "\x81\x48\x81\x48");
	hk_buf_free(&b);
}

/* Appending to a buffer that must grow, and one that reaches its cap: the
 * characters that fit are kept and the cap is reported as the buffer does. */
TEST(uke_encode_buffer_growth_and_cap)
{
	struct hk_buf b, want;
	struct hk_err err, werr;
	char s[3000];
	size_t n = 0;

	for (int i = 0; i < 500; i++) {
		memcpy(s + n, "訪a", 4);
		n += 4;
	}
	hk_buf_init(&b, 0, NULL);
	hk_buf_init(&want, 0, NULL);
	CHECK_INT(hk_buf_add(&b, "x", 1, &err), 0);
	CHECK_INT(hk_utf8_to_sjis(s, n, &b, NULL, NULL, &err), 0);
	CHECK_INT(b.len, 1 + 1500);
	CHECK_MEM(b.data + 1 + 1497, 3, "\x96\x4B" "a");
	hk_buf_free(&b);

	/* cap 10 with 1 byte used: "訪a" three times fits, the fourth 訪 does not */
	hk_buf_init(&b, 10, "TEST_CAP");
	hk_buf_init(&want, 10, "TEST_CAP");
	CHECK_INT(hk_buf_add(&b, "x", 1, &err), 0);
	CHECK_INT(hk_utf8_to_sjis(s, n, &b, NULL, NULL, &err), -1);
	CHECK_MEM(b.data, b.len, "x\x96\x4B" "a\x96\x4B" "a\x96\x4B" "a");
	CHECK_INT(hk_buf_add(&want, "0123456789", 10, &werr), 0);
	CHECK_INT(hk_buf_add(&want, "\x96\x4B", 2, &werr), -1);
	CHECK_STR(err.msg, werr.msg);
	hk_buf_free(&b);
	hk_buf_free(&want);
}
