#include <string.h>
#include "base/hk.h"
#include "receipt/width.h"

/* U+FF61..U+FF9F half-width katakana and punctuation → full-width. */
static const unsigned short hw_kana[] = {
	0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30E3,
	0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB, 0x30AD, 0x30AF,
	0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8,
	0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB, 0x30DE, 0x30DF,
	0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF,
	0x30F3, 0x309B, 0x309C,
};

static size_t put_cp(char *out, size_t o, size_t size, unsigned long cp)
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

/* Decode one UTF-8 character; returns its length (1 for an invalid byte). */
static inline size_t get_cp(const unsigned char *p, unsigned long *cp)
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

static bool can_voice(unsigned long k)
{
	return (k >= 0x30AB && k <= 0x30C8 && (k % 2 == 1 || k == 0x30C4 || k == 0x30C6 || k == 0x30C8)) ||
	       (k >= 0x30CF && k <= 0x30DB && (k - 0x30CF) % 3 == 0) || k == 0x30A6;
}

/* Bytes put_cp() writes for cp. */
static size_t cp_len(unsigned long cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

void hk_to_fullwidth(const char *in, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;
	unsigned long prev = 0;
	size_t prev_at = 0;
	if (!size)
		return;
	while (*p) {
		const unsigned char *at = p;
		unsigned long cp, w;
		size_t len;

		if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
			/* a three-byte character (kanji, kana, full-width forms: most
			 * of them), decoded as get_cp() does */
			cp = (p[0] & 0x0Ful) << 12 | (p[1] & 0x3Ful) << 6 | (p[2] & 0x3F);
			if (cp >= 0x800 && (cp < 0xFF61 || cp > 0xFF9F)) {
				/* kept as it is, as below (its 3 bytes are those
				 * put_cp() would write) */
				prev_at = o;
				prev = cp - 0x30A1 <= 0x30FA - 0x30A1 ? cp : 0;
				if (o + 3 < size) {
					out[o] = (char)p[0];
					out[o + 1] = (char)p[1];
					out[o + 2] = (char)p[2];
					o += 3;
				}
				p += 3;
				continue;
			}
		}
		len = get_cp(p, &cp);
		p += len;
		if (cp >= 0x80 && (cp < 0xFF61 || cp > 0xFF9F)) {
			/* kept as it is: kanji, kana, full-width forms (most characters) */
			w = cp;
			prev_at = o;
			prev = w >= 0x30A1 && w <= 0x30FA ? w : 0;
			if (len == cp_len(cp)) {
				/* the bytes put_cp() would write are those read */
				if (o + len < size) {
					/* memcpy() of 2 to 4 bytes, without the call */
					out[o] = (char)at[0];
					out[o + 1] = (char)at[1];
					if (len > 2) {
						out[o + 2] = (char)at[2];
						if (len > 3)
							out[o + 3] = (char)at[3];
					}
					o += len;
				}
			} else {
				o = put_cp(out, o, size, w);
			}
			continue;
		}
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
			w = hw_kana[cp - 0xFF61];
			/* ﾞ / ﾟ after a katakana that takes them: one character */
			if ((cp == 0xFF9E || cp == 0xFF9F) && prev && o == prev_at + 3) {
				unsigned long v = 0;
				if (cp == 0xFF9E && prev == 0x30A6)
					v = 0x30F4;
				else if (cp == 0xFF9E && can_voice(prev))
					v = prev + 1;
				else if (cp == 0xFF9F && prev >= 0x30CF && prev <= 0x30DB && (prev - 0x30CF) % 3 == 0)
					v = prev + 2;
				if (v) {
					o = put_cp(out, prev_at, size, v);
					prev = 0;
					continue;
				}
			}
		} else
			w = cp;
		prev_at = o;
		prev = w >= 0x30A1 && w <= 0x30FA ? w : 0;
		o = put_cp(out, o, size, w);
	}
	out[o] = '\0';
}

void hk_one_width(const char *in, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)in;
	bool narrow = true;
	while (*p && narrow) {
		unsigned long cp;
		p += get_cp(p, &cp);
		narrow = cp < 0x80 || (cp >= 0xFF61 && cp <= 0xFF9F);
	}
	if (!narrow) {
		hk_to_fullwidth(in, out, size);
	} else if (size) {
		/* as it is, cut at size - 1 bytes */
		size_t n = strnlen(in, size - 1);
		memcpy(out, in, n);
		out[n] = '\0';
	}
}
