/*
 * sjis.c - the Shift_JIS codec restricted to 作成手引き 別紙4 規定文字コード:
 * JIS X 0201 (0x20-0x7E, 0xA1-0xDF) and the JIS X 0208 cells.  The tables are
 * generated (tools/gen_sjis_table.py -> receipt/sjis_table.c); see
 * docs/uke-format.md "Codec" for the mapping decisions.
 */
#include <pthread.h>
#include <string.h>
#include "base/csv.h"
#include "receipt/uke.h"
#include "receipt/sjis_table.h"

int hk_sjis_char_len(const unsigned char *p, size_t n)
{
	unsigned c;
	int row;

	if (n == 0)
		return 0;
	c = p[0];
	if ((c >= 0x20 && c <= 0x7E) || (c >= 0xA1 && c <= 0xDF))
		return 1;
	row = hk_sjis_lead_row[c];
	if (row < 0 || n < 2 || p[1] < 0x40)
		return 0;
	return hk_sjis_dec[row][p[1] - 0x40] > HK_SJIS_OUTSIDE ? 2 : 0;
}

static int put_utf8(struct hk_buf *out, unsigned long cp, struct hk_err *err)
{
	char b[4];
	return hk_buf_add(out, b, hk_utf8_encode(cp, b), err);
}

int hk_sjis_to_utf8(const unsigned char *in, size_t n, struct hk_buf *out,
		    size_t *bad_off, struct hk_err *err)
{
	size_t i = 0;
	unsigned long cp;

	while (i < n) {
		unsigned c = in[i];
		if (c >= 0x20 && c <= 0x7E) {
			/* Runs of ASCII are copied in one call. */
			size_t j = i + 1;
			while (j < n && in[j] >= 0x20 && in[j] <= 0x7E)
				j++;
			if (hk_buf_add(out, in + i, j - i, err) < 0)
				return -1;
			i = j;
			continue;
		}
		if (c >= 0xA1 && c <= 0xDF) {
			/* JIS X 0201 katakana -> U+FF61.. */
			cp = 0xFF61 + (c - 0xA1);
			i++;
		} else {
			int row = hk_sjis_lead_row[c];
			unsigned v = 0;
			if (row >= 0 && i + 1 < n && in[i + 1] >= 0x40)
				v = hk_sjis_dec[row][in[i + 1] - 0x40];
			if (v <= HK_SJIS_OUTSIDE) {
				if (bad_off)
					*bad_off = i;
				return hk_err_set(err, HK_EXIT_INPUT,
						  "byte 0x%02X at offset %zu is not a character of the allowed "
						  "Shift_JIS repertoire (作成手引き 別紙4)", c, i);
			}
			cp = v;
			i += 2;
		}
		if (put_utf8(out, cp, err) < 0)
			return -1;
	}
	return 0;
}

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF.
 * Returns the length of the sequence at s (n bytes left) or 0. */
static inline int utf8_next(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned c = s[0];
	unsigned long v;
	int len, k;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		/* the common case (kana, kanji, full-width forms) without the loop */
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		v = (c & 0x0Ful) << 12 | (s[1] & 0x3Ful) << 6 | (s[2] & 0x3Ful);
		if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))
			return 0;
		*cp = v;
		return 3;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)len > n)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[k] & 0x3F);
	}
	if ((len == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* Shift_JIS code (1 or 2 bytes, >0) of a code point, or 0 if outside the repertoire.
 * The definition; the encoder looks the answer up in enc_bmp. */
static unsigned sjis_of(unsigned long cp)
{
	size_t lo = 0, hi = hk_sjis_enc_count;

	if (cp >= 0x20 && cp <= 0x7E)
		return (unsigned)cp;
	if (cp >= 0xFF61 && cp <= 0xFF9F)
		return (unsigned)(0xA1 + (cp - 0xFF61));
	if (cp < 0x80 || cp > 0xFFFF)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (hk_sjis_enc_table[mid].ucs < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < hk_sjis_enc_count && hk_sjis_enc_table[lo].ucs == cp)
		return hk_sjis_enc_table[lo].sjis;
	return 0;
}

/* sjis_of() of every BMP code point, filled once (128 KiB): one lookup per
 * character.  Code points above U+FFFF are all outside the repertoire. */
static unsigned short enc_bmp[0x10000];
static pthread_once_t enc_once = PTHREAD_ONCE_INIT;

static void enc_init(void)
{
	for (unsigned long cp = 0; cp < 0x10000; cp++)
		enc_bmp[cp] = (unsigned short)sjis_of(cp);
}

int hk_utf8_to_sjis_count(const char *in, size_t n, struct hk_buf *out, size_t *nchars,
			  size_t *nwide, hk_sjis_bad_fn on_bad, void *ctx, struct hk_err *err)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, idx = 0, wide = 0;
	int replaced = 0, rc;
	/* A character of k bytes gives at most 2 (and 1 byte, a control
	 * written as ？, gives 2): when 2n bytes and the NUL fit, every
	 * character does, and its room is not tested. */
	bool roomy = out->len < out->alloc && n <= (out->alloc - out->len - 1) / 2 &&
		     out->len <= out->limit && n <= (out->limit - out->len) / 2;
	/* where the next byte goes while roomy (out->len is brought up to date
	 * before anything else may look at out: on_bad(), the end) */
	char *d = roomy ? out->data + out->len : NULL;

	pthread_once(&enc_once, enc_init);
	while (i < n) {
		unsigned long cp = s[i];
		unsigned code;
		size_t w;

		if (cp < 0x80) {
			i++;
		} else {
			int len = utf8_next(s + i, n - i, &cp);
			if (len == 0) {
				rc = hk_err_set(err, HK_EXIT_INPUT, "invalid UTF-8 at byte %zu (byte 0x%02X)",
						i, s[i]);
				goto out;
			}
			i += (size_t)len;
		}
		code = cp < 0x10000 ? enc_bmp[cp] : 0;
		if (code == 0) {
			if (d)
				out->len = (size_t)(d - out->data);
			if (on_bad)
				on_bad(ctx, cp, idx);
			replaced++;
			code = 0x8148; /* ？ 記録条件仕様 2(3)エ */
		}
		w = code > 0xFF ? 2 : 1;
		wide += w == 2;
		idx++;
		if (d) {
			/* (a local pointer: a store through out->data could be out's
			 * own fields, read again after each byte) */
			if (w == 2)
				*d++ = (char)(code >> 8);
			*d++ = (char)(code & 0xFF);
			continue;
		}
		/* Written in place while the buffer has room (and its NUL); the
		 * buffer's own append grows it or reports its cap otherwise. */
		if (out->len + w < out->alloc && w <= out->limit - out->len) {
			if (w == 2)
				out->data[out->len++] = (char)(code >> 8);
			out->data[out->len++] = (char)(code & 0xFF);
		} else {
			unsigned char b[2] = {(unsigned char)(code >> 8), (unsigned char)(code & 0xFF)};
			if (hk_buf_add(out, w == 2 ? b : b + 1, w, err) < 0) {
				rc = -1;
				goto out;
			}
		}
	}
	rc = replaced;
out:
	if (d)
		out->len = (size_t)(d - out->data);
	if (out->data)
		out->data[out->len] = '\0';
	if (nchars)
		*nchars = idx;
	if (nwide)
		*nwide = wide;
	return rc;
}

int hk_utf8_to_sjis(const char *in, size_t n, struct hk_buf *out,
		    hk_sjis_bad_fn on_bad, void *ctx, struct hk_err *err)
{
	return hk_utf8_to_sjis_count(in, n, out, NULL, NULL, on_bad, ctx, err);
}
