/*
 * check_record.c - record-level rules: record id, field count, and for each
 * field mode, length, fixed width, required, 別表 code, date/time, check
 * digits (記録条件仕様 3(3)ウ, 3(4)).  The layout comes from the shared record
 * tables (receipt/uke.h hk_record_defs); what a field MEANS beyond its layout
 * (a date, a month, a 保険者番号 ...) is the table `kinds` below.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "receipt/check_int.h"
#include "base/checkdigit.h"
#include "base/date.h"
#include "receipt/sjis_table.h"

enum kind { K_NONE, K_DATE, K_MONTH, K_TIME, K_INSURER, K_PAYER, K_RECIPIENT, K_KANA, K_ZEROPAD };

static const struct {
	char id[3];
	int field;      /* 1-based, 1 = record id */
	enum kind kind;
} kinds[] = {
	{"HM", 7, K_MONTH},
	{"RE", 4, K_MONTH}, {"RE", 6, K_KANA}, {"RE", 8, K_DATE}, {"RE", 15, K_ZEROPAD},
	{"HO", 2, K_INSURER}, {"HO", 8, K_ZEROPAD},
	{"KO", 2, K_PAYER}, {"KO", 3, K_RECIPIENT},
	{"SN", 8, K_ZEROPAD},
	{"GI", 2, K_DATE},
	{"IH", 7, K_DATE},
	{"HJ", 3, K_DATE}, {"HJ", 4, K_DATE},
	{"JS", 6, K_DATE},
	{"RJ", 2, K_DATE}, {"RJ", 5, K_DATE}, {"RJ", 8, K_DATE}, {"RJ", 11, K_DATE}, {"RJ", 12, K_TIME},
	{"RJ", 15, K_DATE}, {"RJ", 16, K_TIME}, {"RJ", 20, K_ZEROPAD}, {"RJ", 22, K_ZEROPAD},
	{"RJ", 25, K_ZEROPAD}, {"RJ", 27, K_ZEROPAD},
	{"TJ", 4, K_MONTH},
	{"KS", 4, K_DATE}, {"KS", 5, K_DATE},
	{"KA", 2, K_DATE},
};

/* kinds[] holds the rows of one id together, in ascending field order: the
 * rows of a record are found once and then walked along with its fields. */
static size_t kinds_first(const char *id)
{
	size_t i = 0;
	while (i < HK_ARRAY_LEN(kinds) && memcmp(kinds[i].id, id, 2) != 0)
		i++;
	return i;
}

static enum kind field_kind(const char *id, int field, size_t *cur)
{
	while (*cur < HK_ARRAY_LEN(kinds) && memcmp(kinds[*cur].id, id, 2) == 0 && kinds[*cur].field < field)
		(*cur)++;
	if (*cur < HK_ARRAY_LEN(kinds) && memcmp(kinds[*cur].id, id, 2) == 0 && kinds[*cur].field == field)
		return kinds[*cur].kind;
	return K_NONE;
}

/* kind_tab[record def][field - 1]: field_kind() of every field of every
 * layout, made once. */
static unsigned char kind_tab[32][HK_MAX_FIELDS];
static pthread_once_t kind_once = PTHREAD_ONCE_INIT;

static void kind_init(void)
{
	_Static_assert(K_ZEROPAD < 256, "a kind fits a byte");
	for (size_t d = 0; d < hk_nrecord_defs && d < HK_ARRAY_LEN(kind_tab); d++) {
		const char *id = hk_record_defs[d].id;
		size_t cur = kinds_first(id);
		for (int i = 0; i < HK_MAX_FIELDS; i++)
			kind_tab[d][i] = (unsigned char)field_kind(id, i + 1, &cur);
	}
}

/* The kinds of the fields of layout d (index: 0-based field). */
static const unsigned char *kinds_of(const struct hk_record_def *d)
{
	size_t i = (size_t)(d - hk_record_defs);
	static const unsigned char none[HK_MAX_FIELDS];
	pthread_once(&kind_once, kind_init);
	return i < hk_nrecord_defs && i < HK_ARRAY_LEN(kind_tab) ? kind_tab[i] : none;
}

static const char *mode_name(enum hk_mode m)
{
	switch (m) {
	case HK_MODE_N: return "数字";
	case HK_MODE_X: return "英数";
	case HK_MODE_K: return "漢字";
	case HK_MODE_XK: return "英数又は漢字";
	}
	return "?";
}

/* byte_bits[b]: B_ASCII for 0x20-0x7E (a one-byte character of every mode
 * but 漢字), B_DIGIT for '0'-'9'. */
enum { B_ASCII = 1, B_DIGIT = 2 };
#define R8(v) v, v, v, v, v, v, v, v
#define R16(v) R8(v), R8(v)
static const unsigned char byte_bits[256] = {
	R16(0), R16(0),                         /* 0x00-0x1F */
	R16(B_ASCII),                           /* 0x20-0x2F */
	R8(B_ASCII | B_DIGIT), B_ASCII | B_DIGIT, B_ASCII | B_DIGIT, /* '0'-'9' */
	B_ASCII, B_ASCII, B_ASCII, B_ASCII, B_ASCII, B_ASCII, /* 0x3A-0x3F */
	R16(B_ASCII), R16(B_ASCII), R16(B_ASCII), /* 0x40-0x6F */
	R8(B_ASCII), B_ASCII, B_ASCII, B_ASCII, B_ASCII, B_ASCII, B_ASCII, B_ASCII, 0, /* 0x70-0x7F */
	R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), /* 0x80-0xFF */
};

static bool half_width(unsigned char b)
{
	return (b >= 0x20 && b <= 0x7E) || (b >= 0xA1 && b <= 0xDF);
}

/* Copy a value that should be digits into out (NUL-terminated), turning
 * full-width digits (０-９, 0x824F-0x8258) into ASCII; false if anything else. */
static bool digits_of(const unsigned char *p, size_t len, char *out, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (o + 1 >= n)
			return false;
		if (p[i] >= '0' && p[i] <= '9') {
			out[o++] = (char)p[i];
		} else if (p[i] == 0x82 && i + 1 < len && p[i + 1] >= 0x4F && p[i + 1] <= 0x58) {
			out[o++] = (char)('0' + p[i + 1] - 0x4F);
			i++;
		} else {
			return false;
		}
	}
	out[o] = '\0';
	return o > 0;
}

/* Mode, length and fixed width of one field; false (after a diagnostic) when it fails. */
static bool check_shape(struct ck_ctx *c, const struct hk_uke_record *r, int i,
			const struct hk_field_def *fd)
{
	const unsigned char *p = r->f[i].p;
	size_t len = r->f[i].len, one = 0, two = 0, last = 0;
	char v[96];
	bool bad = false;
	unsigned all = B_ASCII | B_DIGIT;

	/* Most values are printable ASCII: one pass over a byte table gives
	 * what the character loop below would. */
	for (size_t k = 0; k < len; k++)
		all &= byte_bits[p[k]];
	if (all & B_ASCII) {
		one = len;
		last = len ? len - 1 : 0;
		bad = (fd->mode == HK_MODE_N && !(all & B_DIGIT)) || (fd->mode == HK_MODE_K && len);
		goto shaped;
	}
	for (size_t k = 0; k < len;) {
		int n = hk_sjis_char_len(p + k, len - k);
		if (n == 0)
			return false; /* outside the repertoire: the reader has said so */
		last = k;
		if (n == 1)
			one++;
		else
			two++;
		if (fd->mode == HK_MODE_N && (p[k] < '0' || p[k] > '9'))
			bad = true;
		if (fd->mode == HK_MODE_X && (n != 1 || !half_width(p[k])))
			bad = true;
		if (fd->mode == HK_MODE_K && n != 2)
			bad = true;
		k += (size_t)n;
	}
shaped:
	if (bad) {
		const char *want = fd->mode == HK_MODE_N ? "half-width digits only" :
				   fd->mode == HK_MODE_X ? "half-width characters only" :
				   "full-width characters only";
		ck_diag(c, r->line, r->id, i + 1, "E-MODE", "%s %s is not of mode %s (%s)", fd->name,
			ck_show(p, len, v, sizeof(v)), mode_name(fd->mode), want);
		return false;
	}
	if (fd->mode == HK_MODE_XK && one && two) {
		ck_diag(c, r->line, r->id, i + 1, "E-MODE-MIXED",
			"%s %s mixes half-width and full-width characters (use one mode, including the space)",
			fd->name, ck_show(p, len, v, sizeof(v)));
		return false;
	}
	if (len > fd->max) {
		ck_diag(c, r->line, r->id, i + 1, "E-LEN", "%s is %zu bytes, at most %u allowed",
			fd->name, len, fd->max);
		return false;
	}
	if (fd->fixed && len != fd->max) {
		ck_diag(c, r->line, r->id, i + 1, "E-FIXED",
			"%s %s is %zu bytes; a 固定 field is written at exactly %u bytes", fd->name,
			ck_show(p, len, v, sizeof(v)), len, fd->max);
		return false;
	}
	if (!fd->fixed && fd->mode != HK_MODE_N &&
	    (p[last] == ' ' || (len - last == 2 && p[last] == 0x81 && p[last + 1] == 0x40))) {
		ck_diag(c, r->line, r->id, i + 1, "E-TRAILING-SPACE",
			"%s %s ends in a space; a 可変 field is written up to its last significant character",
			fd->name, ck_show(p, len, v, sizeof(v)));
		return false;
	}
	return true;
}

bool ck_date8(struct ck_ctx *c, const unsigned char *p, struct hk_date *d)
{
	uint64_t w;

	memcpy(&w, p, 8);
	if (w != c->cm->date8) {
		if (!hk_date_parse((const char *)p, 8, &c->cm->date8_d)) {
			c->cm->date8 = 0;
			return false;
		}
		c->cm->date8 = w; /* not 0: eight digits */
	}
	*d = c->cm->date8_d;
	return true;
}

static int code_lookup(int table, const unsigned char *code, size_t len)
{
	if (hk_code_valid(table, (const char *)code, len))
		return CK_CODE_VALID;
	return hk_code_shaded(table, (const char *)code, len) ? CK_CODE_SHADED : CK_CODE_NONE;
}

int ck_code(struct ck_ctx *c, int table, const unsigned char *code, size_t len)
{
	struct ck_code_memo *e;
	uint32_t key = 0;

	if (len == 1 && table > 0 && table < 32) {
		unsigned char *res = &c->cm->one[table][code[0]];
		if (!*res)
			*res = (unsigned char)code_lookup(table, code, len);
		return *res;
	}
	if (len == 0 || len > 4 || table <= 0 || table > 255)
		return code_lookup(table, code, len);
	for (size_t k = 0; k < len; k++)
		key |= (uint32_t)code[k] << (8 * k);
	e = &c->cm->code[((key * 2654435761u) >> 22 ^ (unsigned)table * 31u ^ (unsigned)len) &
			 (CK_CODE_MEMO - 1)];
	if (e->table != table || e->len != len || e->code != key) {
		e->code = key;
		e->table = (unsigned char)table;
		e->len = (unsigned char)len;
		e->res = (unsigned char)code_lookup(table, code, len);
	}
	return e->res;
}

static bool check_code(struct ck_ctx *c, const struct hk_uke_record *r, int i,
		       const struct hk_field_def *fd)
{
	const unsigned char *p = r->f[i].p;
	size_t len = r->f[i].len, w = fd->code_width;
	char v[96];

	if (!w) {
		const char *code = "E-CODE";
		int res = ck_code(c, fd->table, p, len);
		if (res == CK_CODE_VALID)
			return true;
		if (res == CK_CODE_SHADED) {
			/* listed but shaded: not used in a claim from a station */
			code = fd->table == 24 ? "E-SN-KAKUNIN" : fd->table == 25 ? "E-JD-CODE9" :
			       fd->table == 26 ? "E-MF-KUBUN" : "E-CODE";
			ck_diag(c, r->line, r->id, i + 1, code,
				"%s %s is shaded in 別表%d (%s): not used in a claim from a station",
				fd->name, ck_show(p, len, v, sizeof(v)), fd->table,
				hk_code_table_name(fd->table));
			return false;
		}
		ck_diag(c, r->line, r->id, i + 1, code, "%s %s is not in 別表%d (%s)", fd->name,
			ck_show(p, len, v, sizeof(v)), fd->table, hk_code_table_name(fd->table));
		return false;
	}
	if (len % w) {
		ck_diag(c, r->line, r->id, i + 1, "E-CODE",
			"%s %s is %zu bytes, not a multiple of the %zu-byte codes of 別表%d", fd->name,
			ck_show(p, len, v, sizeof(v)), len, w, fd->table);
		return false;
	}
	for (size_t k = 0; k < len; k += w) {
		if (ck_code(c, fd->table, p + k, w) != CK_CODE_VALID) {
			ck_diag(c, r->line, r->id, i + 1, "E-CODE", "%s: code %s (position %zu) is not in 別表%d",
				fd->name, ck_show(p + k, w, v, sizeof(v)), k / w + 1, fd->table);
			return false;
		}
		/* 職種等 (別表20) repeats a code for two people of one qualification
		 * on one visit (作成手引き p.45 キ "0303"): no duplicate rule there */
		for (size_t j = 0; fd->table != 20 && j < k; j += w) {
			if (memcmp(p + j, p + k, w) == 0) {
				ck_diag(c, r->line, r->id, i + 1, "E-CODE-DUP", "%s: code %s appears twice",
					fd->name, ck_show(p + k, w, v, sizeof(v)));
				return false;
			}
		}
	}
	return true;
}

/* The rules of kind k on field i; false when the value fails them (after a
 * diagnostic).  quiet: make no diagnostic, and answer false when there would
 * be one (a warning too). */
static bool check_kind(struct ck_ctx *c, const struct hk_uke_record *r, int i,
		       const struct hk_field_def *fd, enum kind k, bool quiet)
{
	const unsigned char *p = r->f[i].p;
	size_t len = r->f[i].len;
	char v[96], num[40];
	const char *why;
	struct hk_date dt;
	int y, m;

	switch (k) {
	case K_DATE:
		if (len == 8 && hk_date_parse((const char *)p, len, &dt))
			return true;
		if (quiet)
			return false;
		ck_diag(c, r->line, r->id, i + 1, "E-DATE", "%s %s is not a date YYYYMMDD", fd->name,
			ck_show(p, len, v, sizeof(v)));
		return false;
	case K_MONTH:
		if (len == 6 && hk_month_parse((const char *)p, len, &y, &m))
			return true;
		if (quiet)
			return false;
		ck_diag(c, r->line, r->id, i + 1, "E-MONTH", "%s %s is not a month YYYYMM", fd->name,
			ck_show(p, len, v, sizeof(v)));
		return false;
	case K_TIME:
		if (len == 4 && hk_time_parse((const char *)p, len) >= 0)
			return true;
		if (quiet)
			return false;
		ck_diag(c, r->line, r->id, i + 1, "E-TIME", "%s %s is not a time hhmm (0000-2359)",
			fd->name, ck_show(p, len, v, sizeof(v)));
		return false;
	case K_INSURER: {
		size_t sp = 0;
		while (sp < len && p[sp] == ' ')
			sp++;
		why = NULL;
		if (len - sp >= sizeof(num) || !digits_of(p + sp, len - sp, num, sizeof(num)) ||
		    strlen(num) != len - sp)
			why = "must be digits, a 6-digit 国保 number right-aligned with leading spaces";
		else if (!((sp == 0 && len == 8) || (sp == 2 && len == 8)))
			why = "must be 8 digits, or 6 digits right-aligned with 2 leading spaces";
		else
			why = hk_validate_insurer(num);
		if (!why)
			return true;
		if (quiet)
			return false;
		ck_diag(c, r->line, r->id, i + 1, "E-INSURER", "%s %s: %s", fd->name,
			ck_show(p, len, v, sizeof(v)), why);
		return false;
	}
	case K_PAYER:
		if (len >= sizeof(num) || !digits_of(p, len, num, sizeof(num)) || strlen(num) != len)
			why = "公費負担者番号 must be 8 digits";
		else
			why = hk_validate_payer(num);
		if (!why)
			return true;
		if (quiet)
			return false;
		ck_diag(c, r->line, r->id, i + 1, "E-PAYER-NUMBER", "%s %s: %s", fd->name,
			ck_show(p, len, v, sizeof(v)), why);
		return false;
	case K_RECIPIENT:
		if (len >= sizeof(num) || !digits_of(p, len, num, sizeof(num)))
			why = "受給者番号 must be 7 digits";
		else
			why = hk_validate_recipient(num);
		if (why && quiet)
			return false;
		if (why)
			ck_diag(c, r->line, r->id, i + 1, "W-RECIPIENT-NUMBER", "%s %s: %s", fd->name,
				ck_show(p, len, v, sizeof(v)), why);
		return true; /* a warning: the value stays usable */
	case K_KANA:
		for (size_t j = 0; j + 1 < len; j += 2) {
			unsigned cp = (unsigned)p[j] << 8 | p[j + 1];
			if (!(cp >= 0x8340 && cp <= 0x8396) && cp != 0x815B) {
				if (quiet)
					return false;
				ck_diag(c, r->line, r->id, i + 1, "E-KANA",
					"%s %s: character %zu %s is not full-width katakana or ー (no space, "
					"no ―/－)", fd->name, ck_show(p, len, v, sizeof(v)), j / 2 + 1,
					ck_show(p + j, 2, num, sizeof(num)));
				return false;
			}
		}
		return true;
	case K_NONE:
	case K_ZEROPAD:
		break;
	}
	return true;
}

/* HO 番号 of a 後期高齢者 (保険者番号 39......) carries a 検証番号. */
static void check_kouki(struct ck_ctx *c, const struct hk_uke_record *r, const bool *ok)
{
	const struct hk_field_def *fd = &r->def->fields[3];
	char num[40], v[96];
	const char *why;

	if (!ok[1] || !ok[3] || r->f[1].len != 8 || memcmp(r->f[1].p, "39", 2) != 0 || r->f[3].len == 0)
		return;
	if (r->f[3].len >= sizeof(num) || !digits_of(r->f[3].p, r->f[3].len, num, sizeof(num)))
		why = "後期高齢者 被保険者番号 must be 8 digits";
	else
		why = hk_validate_kouki_insured(num);
	if (why)
		ck_diag(c, r->line, r->id, 4, "E-KOUKI-NUMBER", "%s %s: %s (保険者番号 %.8s is 後期高齢者)",
			fd->name, ck_show(r->f[3].p, r->f[3].len, v, sizeof(v)), why,
			(const char *)r->f[1].p);
}

static bool is(const struct hk_uke_record *r, int i, const char *s)
{
	return r->f[i].len == strlen(s) && memcmp(r->f[i].p, s, r->f[i].len) == 0;
}

#define ID2(a, b) ((unsigned)(unsigned char)(a) << 8 | (unsigned char)(b))

/* Rules that relate fields of one record. */
static void check_cross(struct ck_ctx *c, const struct hk_uke_record *r, bool *ok)
{
	char v[96];
	const char *id = r->id;
	unsigned id2 = ID2(id[0], id[1]);

	if (id2 == ID2('H', 'O')) {
		check_kouki(c, r, ok);
	} else if (id2 == ID2('H', 'M') && ok[3] && r->f[3].len && !is(r, 3, "6")) {
		ck_diag(c, r->line, id, 4, "E-TENSU", "点数表 %s: a nursing claim file has 点数表 6 (訪問看護)",
			ck_show(r->f[3].p, r->f[3].len, v, sizeof(v)));
		ok[3] = false;
	} else if (id2 == ID2('I', 'H') && ok[2] && is(r, 2, "6")) {
		ck_diag(c, r->line, id, 3, "E-TENSU",
			"点数表 6 is the station's own; the ordering institution's is 1, 3, 5 or B");
		ok[2] = false;
	} else if (id2 == ID2('M', 'F') && ok[1] && r->f[1].len &&
		   !(is(r, 1, "00") || is(r, 1, "01") || is(r, 1, "02"))) {
		ck_diag(c, r->line, id, 2, "E-MF-KUBUN",
			"窓口負担額区分 %s: only 00, 01 and 02 are recorded for the time being",
			ck_show(r->f[1].p, r->f[1].len, v, sizeof(v)));
		ok[1] = false;
	} else if (id2 == ID2('G', 'I')) {
		ck_diag(c, r->line, id, 0, "W-GI", "災害等レコード is not recorded for the time being");
	} else if (id2 == ID2('H', 'J') && ok[2] && ok[3] && r->f[2].len == 8 && r->f[3].len == 8 &&
		   memcmp(r->f[2].p, r->f[3].p, 8) > 0) {
		ck_diag(c, r->line, id, 4, "E-HJ-PERIOD", "指示期間 至 %.8s is before 自 %.8s",
			(const char *)r->f[3].p, (const char *)r->f[2].p);
	} else if (id2 == ID2('J', 'S') && ok[2] && r->f[2].len > 2) {
		for (size_t k = 0; k + 1 < r->f[2].len; k += 2)
			if (memcmp(r->f[2].p + k, "03", 2) == 0) {
				ck_diag(c, r->line, id, 3, "E-JS-03",
					"疾病等の有無 %s: 03 (無) cannot be combined with other codes",
					ck_show(r->f[2].p, r->f[2].len, v, sizeof(v)));
				break;
			}
	} else if (id2 == ID2('S', 'Y') && ok[1] && r->f[1].len == 7) {
		bool uncoded = is(r, 1, "0000999");
		if (uncoded && r->f[3].len == 0)
			ck_diag(c, r->line, id, 4, "E-SY-NAME",
				"傷病名コード 0000999 (未コード化傷病名) needs the 傷病名称");
		else if (!uncoded && r->f[3].len)
			ck_diag(c, r->line, id, 4, "E-SY-NAME",
				"傷病名称 is recorded only with 傷病名コード 0000999");
		else if (uncoded && r->f[2].len)
			ck_diag(c, r->line, id, 3, "E-SY-NAME",
				"修飾語コード is not recorded with 傷病名コード 0000999");
	}
}

/*
 * Whether every field of r (a known id with its layout's field count) passes
 * the field rules of ck_record() below without a diagnostic: the same rules
 * in one loop over the fields, which gives up (false) at the first thing the
 * rules would have something to say about, or that it leaves to them (a
 * half-width katakana ...).  Then ck_record() runs the rules.
 */
/* hk_sjis_char_len(p, n) == 2, without the call (fields_clean() asks it of
 * every character of a full-width field) */
static inline bool wide_char(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	int row = hk_sjis_lead_row[c];

	if ((c >= 0x20 && c <= 0x7E) || (c >= 0xA1 && c <= 0xDF))
		return false;
	return row >= 0 && n >= 2 && p[1] >= 0x40 && hk_sjis_dec[row][p[1] - 0x40] > HK_SJIS_OUTSIDE;
}

static bool fields_clean(struct ck_ctx *c, const struct hk_uke_record *r, const struct hk_record_def *d)
{
	const unsigned char *kind = kinds_of(d);

	for (int i = 1; i < r->nfields; i++) {
		const struct hk_field_def *fd = &d->fields[i];
		const unsigned char *p = r->f[i].p;
		size_t len = r->f[i].len;
		unsigned all = B_ASCII | B_DIGIT;

		if (len == 0) {
			if (fd->required)
				return false;   /* E-REQUIRED */
			continue;
		}
		if (len > fd->max || (fd->fixed && len != fd->max))
			return false;           /* E-LEN, E-FIXED */
		/* check_shape() */
		for (size_t k = 0; k < len; k++)
			all &= byte_bits[p[k]];
		if (all & B_ASCII) {
			if (fd->mode == HK_MODE_K)
				return false;
			if (fd->mode == HK_MODE_N ? !(all & B_DIGIT) : !fd->fixed && p[len - 1] == ' ')
				return false;
		} else {
			/* full-width characters only, in a field that takes them */
			if (fd->mode != HK_MODE_K && fd->mode != HK_MODE_XK)
				return false;
			for (size_t k = 0; k < len; k += 2)
				if (!wide_char(p + k, len - k))
					return false;
			if (!fd->fixed && p[len - 2] == 0x81 && p[len - 1] == 0x40)
				return false;
		}
		/* check_code() */
		if (fd->table) {
			size_t w = fd->code_width;
			if (!w) {
				if (ck_code(c, fd->table, p, len) != CK_CODE_VALID)
					return false;
			} else {
				if (len % w)
					return false;
				for (size_t k = 0; k < len; k += w) {
					if (ck_code(c, fd->table, p + k, w) != CK_CODE_VALID)
						return false;
					for (size_t j = 0; fd->table != 20 && j < k; j += w)
						if (memcmp(p + j, p + k, w) == 0)
							return false;
				}
			}
		}
		/* check_kind() */
		switch (kind[i]) {
		case K_NONE:
			if (fd->mode == HK_MODE_N && !fd->fixed && !fd->table && !fd->keepzero && len > 1 &&
			    p[0] == '0')
				return false;   /* W-NUM-ZERO */
			break;
		case K_ZEROPAD:
			break;
		case K_DATE: {
			struct hk_date dt;
			if (len != 8 || !ck_date8(c, p, &dt))
				return false;
			break;
		}
		case K_MONTH: {
			int y, m;
			if (len != 6 || !hk_month_parse((const char *)p, len, &y, &m))
				return false;
			break;
		}
		case K_TIME:
			if (len != 4 || hk_time_parse((const char *)p, len) < 0)
				return false;
			break;
		default:
			/* 保険者番号, 負担者番号, 受給者番号, カナ氏名 */
			if (!check_kind(c, r, i, fd, (enum kind)kind[i], true))
				return false;
			break;
		}
	}
	return true;
}

bool ck_record(struct ck_ctx *c, const struct hk_uke_record *r, bool ok[HK_MAX_FIELDS])
{
	const struct hk_record_def *d = r->def;
	const unsigned char *kind;
	char v[96];

	for (int i = 0; i < HK_MAX_FIELDS; i++)
		ok[i] = false;
	if (d && r->nfields < HK_MAX_FIELDS && r->nfields == d->nfields && fields_clean(c, r, d)) {
		for (int i = 0; i < r->nfields; i++)
			ok[i] = true;
		check_cross(c, r, ok);
		return true;
	}
	if (!d) {
		ck_diag(c, r->line, r->id, 1, "E-REC-ID", "record id %s is not a visiting-nursing record id",
			ck_show(r->nfields > 0 ? r->f[0].p : (const unsigned char *)"",
				r->nfields > 0 ? r->f[0].len : 0, v, sizeof(v)));
		return false;
	}
	if (r->nfields >= HK_MAX_FIELDS)
		return false; /* E-FIELDS-MAX: the reader has said so */
	if (r->nfields != d->nfields) {
		ck_diag(c, r->line, r->id, 0, "E-REC-FIELDS", "%s (%s) has %d fields, its layout has %d",
			d->id, d->name, r->nfields, d->nfields);
		return false;
	}
	ok[0] = true;
	kind = kinds_of(d);
	for (int i = 1; i < r->nfields; i++) {
		const struct hk_field_def *fd = &d->fields[i];
		enum kind k = (enum kind)kind[i];
		if (r->f[i].len == 0) {
			ok[i] = true;
			if (fd->required) {
				ck_diag(c, r->line, r->id, i + 1, "E-REQUIRED", "%s is required (記録必須) but empty",
					fd->name);
				ok[i] = false;
			}
			continue;
		}
		if (!check_shape(c, r, i, fd))
			continue;
		if (fd->table && !check_code(c, r, i, fd))
			continue;
		if (k != K_NONE && !check_kind(c, r, i, fd, k, false))
			continue;
		if (fd->mode == HK_MODE_N && !fd->fixed && !fd->table && !fd->keepzero && k == K_NONE &&
		    r->f[i].len > 1 && r->f[i].p[0] == '0')
			ck_diag(c, r->line, r->id, i + 1, "W-NUM-ZERO",
				"%s %s: a 数字・可変 value is written without leading zeros", fd->name,
				ck_show(r->f[i].p, r->f[i].len, v, sizeof(v)));
		ok[i] = true;
	}
	check_cross(c, r, ok);
	return true;
}
