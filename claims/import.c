/*
 * import.c - CSV import of patients, coverages, instructions and visits
 * (contract in import.h; formats in docs/import-formats.md).
 *
 * Every kind is a table of columns (name, type, flags, code table, default).
 * A row is checked column by column against that table, then by the kind's
 * own cross-field checks, then mapped onto the record table of records.h.
 * Pass 1 validates every row and collects problems; pass 2 (only when pass 1
 * found no error) re-reads the file and writes, all in one transaction.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "claims/import.h"
#include "claims/records.h"
#include "claims/db.h"
#include "base/checkdigit.h"
#include "base/clock.h"
#include "base/csv.h"
#include "base/date.h"
#include "base/fileio.h"

/* ---- code tables (kept here until receipt/'s hk_code_valid exists) ---- */

static const char *const t_sex[] = {"1", "2", NULL};                            /* 別表5 */
static const char *const t_place[] = {"01", "11", "12", "13", "14", "15", "16", "99", NULL}; /* 別表16 */
static const char *const t_death_place[] = {"01", "11", "12", "13", "14", "15", "16", "31", "32", "99", NULL};
static const char *const t_end_reason[] = {"01", "02", "03", "04", "99", NULL}; /* 別表15 */
static const char *const t_gaf[] = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "20",
				    NULL};                                      /* 別表28 */
static const char *const t_inst_kind[] = {"01", "02", "03", "04", "05", "06", NULL}; /* 別表12 */
static const char *const t_staff[] = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", NULL}; /* 別表20 */
static const char *const t_point_table[] = {"1", "3", "5", "B", NULL};          /* 別表3 (IH) */
static const char *const t_duty[] = {"1", "2", "3", NULL};                      /* 別表8 */
static const char *const t_cov_type[] = {"insurance", "public", NULL};
static const char *const t_ins_kind[] = {"shaho", "kokuho", "kouki", NULL};
static const char *const t_person[] = {"honnin", "kazoku", "mishuugaku", "kourei", "kourei7", NULL};
static const char *const t_ratio[] = {"10", "20", "30", NULL};
static const char *const t_limit[] = {"A01", "A02", "A03", "A04", "A05", "A06", "B01", "B02", "B03", "B04",
				      "B05", "B06", "B07", "B08", "B09", "B10", NULL};
static const char *const t_kougaku[] = {"0", "1", "2", NULL};
static const char *const t_flag[] = {"0", "1", NULL};
static const char *const t_special_mgmt[] = {"0", "1", "2", NULL};
static const char *const t_disease_flag[] = {"01", "02", "03", NULL};           /* 別表13 */
static const char *const t_pref[] = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12",
				     "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24",
				     "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36",
				     "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47", NULL}; /* 別表2 */
static const char *const t_diseases[] = {                                       /* 別表14 */
	"001", "002", "003", "004", "005", "006", "007", "008", "009", "010", "011", "012", "013", "014",
	"015", "016", "017", "018", "019", "020", "041", "042", "043", "044", "045", "046", "047", "048",
	"049", "050", "051", "052", "053", "054", "055", "056", "057", "058", "059", "091", "092", NULL};

static bool in_table(const char *const *t, const char *s, size_t n)
{
	for (; *t; t++)
		if (strlen(*t) == n && memcmp(*t, s, n) == 0)
			return true;
	return false;
}

/* ---- column tables ---------------------------------------------------- */

enum ctype {
	C_TEXT,      /* one line of text, at most max characters */
	C_KANA,      /* full-width katakana, at most max characters */
	C_KEY,       /* patient_key: 1..12 of [0-9A-Za-z_-] */
	C_PATREF,    /* a patient_key that must exist; value = patient.id */
	C_DATE,      /* YYYY-MM-DD */
	C_TIME,      /* hh:mm */
	C_CODE,      /* one of codes, stored as text */
	C_ICODE,     /* one of codes, stored as an integer */
	C_INT,       /* decimal integer min..max */
	C_DIGITS,    /* exactly max digits */
	C_CODES,     /* concatenation of codes of width max, from codes, no repeats */
	C_ITEMS,     /* space-separated 9-digit 訪問看護療養費コード */
	C_INSURER,   /* 保険者番号 with check digit */
	C_PAYER,     /* 公費負担者番号 with check digit */
	C_RECIPIENT, /* 公費受給者番号: 7 digits; check digit failure is a warning */
};

enum { F_REQ = 1 };

struct col {
	const char *name;
	enum ctype type;
	unsigned flags;
	const char *const *codes;
	const char *table;     /* the code table's name, for messages */
	long max, min;
	const char *def;       /* value used when empty or absent */
};

#define MAX_SPEC 24

struct ictx;
struct kind_spec {
	const char *name;
	const struct col *cols;
	int ncols;
	/* cross-field checks; may set x->v[]; adds diagnostics */
	void (*check)(struct ictx *x);
	/* the record to write: table and values */
	enum hk_rec_table (*build)(struct ictx *x, struct hk_val *vals);
	/* the natural key as text, and the column to report a duplicate at */
	int (*key)(struct ictx *x, char *buf, size_t size);
};

struct dupkey {
	char *key;
	long line;
	int col;
};

struct ictx {
	const char *fname;
	const struct kind_spec *ks;
	struct hk_records *rec;
	struct hk_import_result *res;
	int colpos[MAX_SPEC];            /* spec column -> 1-based file column, 0 = absent */
	int specof[HK_MAX_CSV_FIELDS];   /* file column (0-based) -> spec column */
	int nhead;
	long line;
	int row_errors;
	const char *raw[MAX_SPEC];       /* as in the file ("" when absent) */
	struct hk_val v[MAX_SPEC];       /* typed values */
	struct dupkey *keys;
	size_t nkeys, akeys;
	struct hk_err *err;
	int dbfail;                      /* a database lookup failed (x->err says why) */
};

static void diag(struct ictx *x, int warning, int col, const char *cname, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void diag(struct ictx *x, int warning, int col, const char *cname, const char *fmt, ...)
{
	struct hk_import_result *r = x->res;
	struct hk_err e = {0};
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (warning) {
		r->warnings++;
	} else {
		r->errors++;
		x->row_errors++;
	}
	if (r->errors + r->warnings > HK_IMPORT_MAX_DIAGS)
		return;
	/* HK_IMPORT_MAX_DIAG_BYTES is far above HK_IMPORT_MAX_DIAGS lines of at most ~700 bytes */
	hk_buf_printf(&r->diag, &e, "%s:%ld:%d: %s%s%s%s\n", x->fname, x->line, col > 0 ? col : 1,
		      warning ? "warning: " : "", cname ? cname : "", cname ? ": " : "", msg);
}

/* A message from the CSV reader, which already starts with FILE:LINE. */
static void diag_raw(struct ictx *x, const char *msg)
{
	struct hk_err e = {0};
	x->res->errors++;
	x->row_errors++;
	if (x->res->errors + x->res->warnings <= HK_IMPORT_MAX_DIAGS)
		hk_buf_printf(&x->res->diag, &e, "%s\n", msg);
}

/* Column to report spec column i at: its own, else alt's, else 1. */
static int pos(struct ictx *x, int i, int alt)
{
	if (i >= 0 && x->colpos[i])
		return x->colpos[i];
	if (alt >= 0 && x->colpos[alt])
		return x->colpos[alt];
	return 1;
}

#define BAD(x, i, ...) diag((x), 0, pos((x), (i), -1), (x)->ks->cols[i].name, __VA_ARGS__)
#define BAD2(x, i, alt, ...) diag((x), 0, pos((x), (i), (alt)), (x)->ks->cols[i].name, __VA_ARGS__)
#define WARN(x, i, ...) diag((x), 1, pos((x), (i), -1), (x)->ks->cols[i].name, __VA_ARGS__)

static const char *S(struct ictx *x, int i) { return x->v[i].t == HK_V_TEXT ? x->v[i].s : NULL; }
static bool has(struct ictx *x, int i) { return x->v[i].t != HK_V_NULL; }

/* Number of code points of valid UTF-8; false if a control character appears. */
static bool utf8_line(const char *s, size_t n, long *chars)
{
	long c = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];
		if (b < 0x20 || b == 0x7f)
			return false;
		if ((b & 0xC0) != 0x80)
			c++;
	}
	*chars = c;
	return true;
}

static unsigned utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	unsigned c = s[0];
	if (c < 0x80) { *p += 1; return c; }
	if (c < 0xE0) { *p += 2; return ((c & 0x1F) << 6) | (s[1] & 0x3F); }
	if (c < 0xF0) { *p += 3; return ((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F); }
	*p += 4;
	return ((c & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

static bool all_digits(const char *s, size_t n)
{
	return n > 0 && strspn(s, "0123456789") >= n;
}

/* Generic check of spec column i; sets x->v[i]. */
static void check_col(struct ictx *x, int i)
{
	const struct col *c = &x->ks->cols[i];
	const char *s = x->raw[i];
	size_t n = strlen(s);
	long chars;
	x->v[i] = hk_vnull();
	if (n == 0 && c->def) {
		s = c->def;
		n = strlen(s);
	}
	if (n == 0) {
		if (c->flags & F_REQ) {
			if (x->colpos[i])
				BAD(x, i, "required, must not be empty");
			/* an absent required column was reported with the header */
		}
		return;
	}
	switch (c->type) {
	case C_TEXT:
		if (!utf8_line(s, n, &chars)) {
			BAD(x, i, "control characters (tab, newline...) are not allowed");
			return;
		}
		if (chars > c->max) {
			BAD(x, i, "%ld characters, at most %ld allowed", chars, c->max);
			return;
		}
		if (s[0] == ' ' || s[n - 1] == ' ') {
			BAD(x, i, "leading or trailing spaces");
			return;
		}
		break;
	case C_KANA: {
		const unsigned char *p = (const unsigned char *)s, *e = p + n;
		chars = 0;
		while (p < e) {
			unsigned cp = utf8_next(&p);
			chars++;
			/* ァ..ヶ, ー; DIGEST 1.2.2: full-width katakana, no spaces */
			if (!((cp >= 0x30A1 && cp <= 0x30F6) || cp == 0x30FC)) {
				BAD(x, i, "'%s' is not full-width katakana (ァ-ヶ and ー only, no spaces)", s);
				return;
			}
		}
		if (chars > c->max) {
			BAD(x, i, "%ld characters, at most %ld allowed", chars, c->max);
			return;
		}
		break;
	}
	case C_KEY:
	case C_PATREF:
		if (n > 12 || strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-") != n) {
			BAD(x, i, "'%s' is not a patient key (1-12 characters of A-Z a-z 0-9 _ -)", s);
			return;
		}
		if (c->type == C_PATREF) {
			long long id;
			int f = hk_patient_lookup(x->rec, s, &id, x->err);
			if (f < 0) {
				x->dbfail = 1;
				return;
			}
			if (f == 0) {
				BAD(x, i, "no patient '%s' in the database (import patients first)", s);
				return;
			}
			x->v[i] = hk_vint(id);
			return;
		}
		break;
	case C_DATE: {
		struct hk_date d;
		if (n != 10 || s[4] != '-' || s[7] != '-' || !hk_date_parse(s, n, &d)) {
			BAD(x, i, "'%s' is not a date (YYYY-MM-DD)", s);
			return;
		}
		if (d.y < 1868 || d.y > 2200) {
			BAD(x, i, "'%s' is out of range (years 1868-2200)", s);
			return;
		}
		break;
	}
	case C_TIME:
		if (n != 5 || s[2] != ':' || hk_time_parse(s, n) < 0) {
			BAD(x, i, "'%s' is not a time (hh:mm, 00:00-23:59)", s);
			return;
		}
		break;
	case C_CODE:
	case C_ICODE:
		if (!in_table(c->codes, s, n)) {
			BAD(x, i, "'%s' is not a code of %s", s, c->table);
			return;
		}
		if (c->type == C_ICODE) {
			x->v[i] = hk_vint(strtol(s, NULL, 10));
			return;
		}
		break;
	case C_INT: {
		char *end;
		long long v;
		if (n > 12 || !all_digits(s, n)) {
			BAD(x, i, "'%s' is not a whole number", s);
			return;
		}
		v = strtoll(s, &end, 10);
		if (v < c->min || v > c->max) {
			BAD(x, i, "%lld is outside %ld-%ld", v, c->min, c->max);
			return;
		}
		x->v[i] = hk_vint(v);
		return;
	}
	case C_DIGITS:
		if ((long)n != c->max || !all_digits(s, n)) {
			BAD(x, i, "'%s' must be exactly %ld digits", s, c->max);
			return;
		}
		break;
	case C_CODES: {
		size_t w = (size_t)c->max;
		if (n % w) {
			BAD(x, i, "'%s' must be %s codes of %zu characters each, written together", s, c->table, w);
			return;
		}
		for (size_t k = 0; k < n; k += w) {
			if (!in_table(c->codes, s + k, w)) {
				BAD(x, i, "'%.*s' (at character %zu) is not a code of %s", (int)w, s + k, k + 1, c->table);
				return;
			}
			for (size_t j = 0; j < k; j += w)
				if (memcmp(s + j, s + k, w) == 0) {
					BAD(x, i, "code '%.*s' is listed twice", (int)w, s + k);
					return;
				}
		}
		break;
	}
	case C_ITEMS: {
		const char *p = s;
		while (*p) {
			size_t len = strcspn(p, " ");
			if (len != 9 || !all_digits(p, 9)) {
				BAD(x, i, "'%s' must be 9-digit 訪問看護療養費コード separated by single spaces", s);
				return;
			}
			p += len;
			if (*p == ' ') {
				p++;
				if (!*p) {
					BAD(x, i, "trailing space");
					return;
				}
			}
		}
		break;
	}
	case C_INSURER: {
		const char *why = hk_validate_insurer(s);
		if (why) {
			BAD(x, i, "'%s': %s", s, why);
			return;
		}
		break;
	}
	case C_PAYER: {
		const char *why = hk_validate_payer(s);
		if (why) {
			BAD(x, i, "'%s': %s", s, why);
			return;
		}
		break;
	}
	case C_RECIPIENT:
		if (n != 7 || !all_digits(s, n)) {
			BAD(x, i, "'%s': 受給者番号 must be 7 digits", s);
			return;
		}
		if (!hk_check_digit_ok(s, n))
			WARN(x, i, "'%s': 受給者番号 check digit is %c, expected %d (imported anyway)", s, s[6],
			     hk_check_digit(s, 6));
		break;
	}
	x->v[i] = hk_vtext(s);
}

/* ---- patients --------------------------------------------------------- */

#define NOCODE NULL, NULL
static const struct col patient_cols[HK_PAT__N] = {
	[HK_PAT_KEY] = {"patient_key", C_KEY, F_REQ, NOCODE, 0, 0, NULL},
	[HK_PAT_NAME] = {"name", C_TEXT, F_REQ, NOCODE, 40, 0, NULL},
	[HK_PAT_KANA] = {"kana", C_KANA, 0, NOCODE, 40, 0, NULL},
	[HK_PAT_SEX] = {"sex", C_ICODE, F_REQ, t_sex, "別表5 (1 男, 2 女)", 0, 0, NULL},
	[HK_PAT_BIRTH] = {"birth", C_DATE, F_REQ, NOCODE, 0, 0, NULL},
	[HK_PAT_VISIT_START] = {"visit_start", C_DATE, 0, NOCODE, 0, 0, NULL},
	[HK_PAT_PLACE] = {"place", C_CODE, 0, t_place, "別表16 (訪問した場所: 01, 11-16, 99)", 0, 0, "01"},
	[HK_PAT_PLACE_TEXT] = {"place_text", C_TEXT, 0, NOCODE, 65, 0, NULL},
	[HK_PAT_END_DATE] = {"end_date", C_DATE, 0, NOCODE, 0, 0, NULL},
	[HK_PAT_END_TIME] = {"end_time", C_TIME, 0, NOCODE, 0, 0, NULL},
	[HK_PAT_END_REASON] = {"end_reason", C_CODE, 0, t_end_reason, "別表15 (01, 02, 03, 04, 99)", 0, 0, NULL},
	[HK_PAT_END_TEXT] = {"end_text", C_TEXT, 0, NOCODE, 10, 0, NULL},
	[HK_PAT_DEATH_DATE] = {"death_date", C_DATE, 0, NOCODE, 0, 0, NULL},
	[HK_PAT_DEATH_TIME] = {"death_time", C_TIME, 0, NOCODE, 0, 0, NULL},
	[HK_PAT_DEATH_PLACE] = {"death_place", C_CODE, 0, t_death_place,
				"別表16 (死亡の場所: 01, 11-16, 31, 32, 99)", 0, 0, NULL},
	[HK_PAT_DEATH_TEXT] = {"death_text", C_TEXT, 0, NOCODE, 10, 0, NULL},
	[HK_PAT_GAF] = {"gaf", C_CODE, 0, t_gaf, "別表28 (01-11, 20)", 0, 0, NULL},
	[HK_PAT_GAF_DATE] = {"gaf_date", C_DATE, 0, NOCODE, 0, 0, NULL},
	[HK_PAT_CONSENT_24H] = {"consent_24h", C_ICODE, 0, t_flag, "flags (0, 1)", 0, 0, "0"},
};

static int before(struct ictx *x, int a, int b)
{
	return has(x, a) && has(x, b) && strcmp(S(x, a), S(x, b)) < 0;
}

static void patient_check(struct ictx *x)
{
	if (before(x, HK_PAT_VISIT_START, HK_PAT_BIRTH))
		BAD(x, HK_PAT_VISIT_START, "%s is before birth %s", S(x, HK_PAT_VISIT_START), S(x, HK_PAT_BIRTH));
	if (before(x, HK_PAT_END_DATE, HK_PAT_VISIT_START))
		BAD(x, HK_PAT_END_DATE, "end %s is before visit_start %s", S(x, HK_PAT_END_DATE),
		    S(x, HK_PAT_VISIT_START));
	if (before(x, HK_PAT_DEATH_DATE, HK_PAT_BIRTH))
		BAD(x, HK_PAT_DEATH_DATE, "%s is before birth %s", S(x, HK_PAT_DEATH_DATE), S(x, HK_PAT_BIRTH));
	if (before(x, HK_PAT_DEATH_DATE, HK_PAT_VISIT_START))
		BAD(x, HK_PAT_DEATH_DATE, "%s is before visit_start %s", S(x, HK_PAT_DEATH_DATE),
		    S(x, HK_PAT_VISIT_START));
	if (before(x, HK_PAT_GAF_DATE, HK_PAT_BIRTH))
		BAD(x, HK_PAT_GAF_DATE, "%s is before birth %s", S(x, HK_PAT_GAF_DATE), S(x, HK_PAT_BIRTH));
	if (has(x, HK_PAT_PLACE) && strcmp(S(x, HK_PAT_PLACE), "99") == 0 && !has(x, HK_PAT_PLACE_TEXT))
		BAD2(x, HK_PAT_PLACE_TEXT, HK_PAT_PLACE, "required when place is 99 (その他)");
	if (has(x, HK_PAT_PLACE_TEXT) && has(x, HK_PAT_PLACE) && strcmp(S(x, HK_PAT_PLACE), "99") != 0)
		BAD(x, HK_PAT_PLACE_TEXT, "only allowed when place is 99 (その他)");
	if (!has(x, HK_PAT_END_DATE)) {
		if (has(x, HK_PAT_END_TIME))
			BAD(x, HK_PAT_END_TIME, "given without end_date");
		if (has(x, HK_PAT_END_REASON))
			BAD(x, HK_PAT_END_REASON, "given without end_date");
	} else if (!has(x, HK_PAT_END_REASON)) {
		BAD2(x, HK_PAT_END_REASON, HK_PAT_END_DATE, "required with end_date (別表15)");
	}
	if (has(x, HK_PAT_END_REASON) && strcmp(S(x, HK_PAT_END_REASON), "99") == 0 && !has(x, HK_PAT_END_TEXT))
		BAD2(x, HK_PAT_END_TEXT, HK_PAT_END_REASON, "required when end_reason is 99 (その他)");
	if (has(x, HK_PAT_END_TEXT) && !(has(x, HK_PAT_END_REASON) && strcmp(S(x, HK_PAT_END_REASON), "99") == 0))
		BAD(x, HK_PAT_END_TEXT, "only allowed when end_reason is 99 (その他)");
	if (!has(x, HK_PAT_DEATH_DATE)) {
		if (has(x, HK_PAT_DEATH_TIME))
			BAD(x, HK_PAT_DEATH_TIME, "given without death_date");
		if (has(x, HK_PAT_DEATH_PLACE))
			BAD(x, HK_PAT_DEATH_PLACE, "given without death_date");
	}
	if (has(x, HK_PAT_DEATH_PLACE) && strcmp(S(x, HK_PAT_DEATH_PLACE), "99") == 0 &&
	    !has(x, HK_PAT_DEATH_TEXT))
		BAD2(x, HK_PAT_DEATH_TEXT, HK_PAT_DEATH_PLACE, "required when death_place is 99 (その他)");
	if (has(x, HK_PAT_DEATH_TEXT) &&
	    !(has(x, HK_PAT_DEATH_PLACE) && strcmp(S(x, HK_PAT_DEATH_PLACE), "99") == 0))
		BAD(x, HK_PAT_DEATH_TEXT, "only allowed when death_place is 99 (その他)");
	if (has(x, HK_PAT_GAF) && strcmp(S(x, HK_PAT_GAF), "20") != 0 && !has(x, HK_PAT_GAF_DATE))
		BAD2(x, HK_PAT_GAF_DATE, HK_PAT_GAF, "required with gaf (except 20)");
	if (has(x, HK_PAT_GAF_DATE) && !has(x, HK_PAT_GAF))
		BAD(x, HK_PAT_GAF_DATE, "given without gaf");
	if (has(x, HK_PAT_GAF_DATE) && has(x, HK_PAT_GAF) && strcmp(S(x, HK_PAT_GAF), "20") == 0)
		BAD(x, HK_PAT_GAF_DATE, "must be empty when gaf is 20 (判定不可)");
}

static enum hk_rec_table same_build(struct ictx *x, struct hk_val *vals)
{
	for (int i = 0; i < x->ks->ncols; i++)
		vals[i] = x->v[i];
	return HK_T_PATIENT;
}

static int patient_key(struct ictx *x, char *buf, size_t size)
{
	hk_snprintf(buf, size, "%s", x->raw[HK_PAT_KEY]);
	return HK_PAT_KEY;
}

/* ---- coverages -------------------------------------------------------- */

enum { CV_PATIENT, CV_TYPE, CV_INSURER, CV_SYMBOL, CV_NUMBER, CV_BRANCH, CV_KIND, CV_PERSON, CV_RATIO,
       CV_LIMIT, CV_KOUGAKU, CV_DUTY, CV_PAYER, CV_RECIPIENT, CV_CAP, CV_FROM, CV_TO, CV__N };

static const struct col coverage_cols[CV__N] = {
	[CV_PATIENT] = {"patient_key", C_PATREF, F_REQ, NOCODE, 0, 0, NULL},
	[CV_TYPE] = {"type", C_CODE, F_REQ, t_cov_type, "coverage types (insurance, public)", 0, 0, NULL},
	[CV_INSURER] = {"insurer", C_INSURER, 0, NOCODE, 0, 0, NULL},
	[CV_SYMBOL] = {"symbol", C_TEXT, 0, NOCODE, 19, 0, NULL},
	[CV_NUMBER] = {"number", C_TEXT, 0, NOCODE, 19, 0, NULL},
	[CV_BRANCH] = {"branch", C_DIGITS, 0, NOCODE, 2, 0, NULL},
	[CV_KIND] = {"kind", C_CODE, 0, t_ins_kind, "insurance kinds (shaho, kokuho, kouki)", 0, 0, NULL},
	[CV_PERSON] = {"person", C_CODE, 0, t_person,
		       "person classes (honnin, kazoku, mishuugaku, kourei, kourei7)", 0, 0, NULL},
	[CV_RATIO] = {"ratio", C_ICODE, 0, t_ratio, "patient shares (10, 20, 30 percent)", 0, 0, NULL},
	[CV_LIMIT] = {"limit_class", C_CODE, 0, t_limit, "限度額適用区分 (A01-A06, B01-B10)", 0, 0, NULL},
	[CV_KOUGAKU] = {"kougaku", C_ICODE, 0, t_kougaku, "高額療養費 現物給付 (0, 1, 2)", 0, 0, NULL},
	[CV_DUTY] = {"duty", C_CODE, 0, t_duty, "別表8 (1, 2, 3)", 0, 0, NULL},
	[CV_PAYER] = {"payer", C_PAYER, 0, NOCODE, 0, 0, NULL},
	[CV_RECIPIENT] = {"recipient", C_RECIPIENT, 0, NOCODE, 0, 0, NULL},
	[CV_CAP] = {"monthly_cap", C_INT, 0, NOCODE, 10000000, 0, NULL},
	[CV_FROM] = {"valid_from", C_DATE, F_REQ, NOCODE, 0, 0, NULL},
	[CV_TO] = {"valid_to", C_DATE, 0, NOCODE, 0, 0, NULL},
};

static bool is_insurance(struct ictx *x)
{
	return has(x, CV_TYPE) && strcmp(S(x, CV_TYPE), "insurance") == 0;
}

static bool eq(struct ictx *x, int i, const char *s)
{
	return x->v[i].t == HK_V_TEXT && strcmp(x->v[i].s, s) == 0;
}

static void coverage_check(struct ictx *x)
{
	static const int ins_only[] = {CV_INSURER, CV_SYMBOL, CV_NUMBER, CV_BRANCH, CV_KIND, CV_PERSON, CV_RATIO,
				       CV_LIMIT, CV_DUTY};
	static const int pub_only[] = {CV_PAYER, CV_RECIPIENT, CV_CAP};
	if (!has(x, CV_TYPE))
		return;
	if (before(x, CV_TO, CV_FROM))
		BAD(x, CV_TO, "%s is before valid_from %s", S(x, CV_TO), S(x, CV_FROM));
	if (is_insurance(x)) {
		static const int req[] = {CV_INSURER, CV_NUMBER, CV_KIND, CV_PERSON, CV_RATIO};
		const char *ins = S(x, CV_INSURER);
		for (size_t k = 0; k < HK_ARRAY_LEN(pub_only); k++)
			if (x->raw[pub_only[k]][0])
				BAD(x, pub_only[k], "only for type=public");
		for (size_t k = 0; k < HK_ARRAY_LEN(req); k++)
			if (!x->raw[req[k]][0])
				BAD2(x, req[k], CV_TYPE, "required for type=insurance");
		if (ins && has(x, CV_KIND)) {
			size_t n = strlen(ins);
			if (eq(x, CV_KIND, "kouki") && strncmp(ins, "39", 2) != 0)
				BAD(x, CV_INSURER, "'%s': kind=kouki needs a 後期高齢者医療広域連合 number (法別 39)", ins);
			if (!eq(x, CV_KIND, "kouki") && n == 8 && strncmp(ins, "39", 2) == 0)
				BAD(x, CV_KIND, "insurer %s is a 後期高齢者医療広域連合 (法別 39): kind must be kouki", ins);
			if (eq(x, CV_KIND, "shaho") && n == 6)
				BAD(x, CV_KIND, "insurer %s has 6 digits (国保): kind must be kokuho", ins);
			if (eq(x, CV_KIND, "kokuho") && n == 8 && strncmp(ins, "67", 2) != 0)
				BAD(x, CV_KIND, "insurer %s: kind=kokuho needs a 6-digit 国保 number (or 法別 67)", ins);
		}
		if (eq(x, CV_KIND, "kouki") && has(x, CV_NUMBER)) {
			const char *why = hk_validate_kouki_insured(S(x, CV_NUMBER));
			if (why)
				BAD(x, CV_NUMBER, "'%s': %s", S(x, CV_NUMBER), why);
		}
		if (eq(x, CV_KIND, "kouki") && has(x, CV_PERSON) && !eq(x, CV_PERSON, "kourei") &&
		    !eq(x, CV_PERSON, "kourei7"))
			BAD(x, CV_PERSON, "kind=kouki needs person kourei (一般・低所得) or kourei7 (7割)");
		if (eq(x, CV_KIND, "kouki") && has(x, CV_BRANCH))
			BAD(x, CV_BRANCH, "no 枝番 for kind=kouki");
		if (has(x, CV_PERSON) && has(x, CV_RATIO)) {
			long long r = x->v[CV_RATIO].i;
			if ((eq(x, CV_PERSON, "honnin") || eq(x, CV_PERSON, "kazoku") || eq(x, CV_PERSON, "kourei7")) &&
			    r != 30)
				BAD(x, CV_RATIO, "%lld: person %s pays 30 percent", r, S(x, CV_PERSON));
			if (eq(x, CV_PERSON, "mishuugaku") && r != 20)
				BAD(x, CV_RATIO, "%lld: person mishuugaku (未就学者) pays 20 percent", r);
			if (eq(x, CV_PERSON, "kourei") && r == 30)
				BAD(x, CV_RATIO, "30: person kourei pays 10 or 20 percent (use kourei7 for 3割)");
		}
		if (has(x, CV_DUTY) && !eq(x, CV_KIND, "shaho"))
			BAD(x, CV_DUTY, "職務上の事由 only for kind=shaho (船員保険, 共済船員)");
	} else {
		for (size_t k = 0; k < HK_ARRAY_LEN(ins_only); k++)
			if (x->raw[ins_only[k]][0])
				BAD(x, ins_only[k], "only for type=insurance");
		if (x->raw[CV_KOUGAKU][0])
			BAD(x, CV_KOUGAKU, "only for type=insurance");
		if (!x->raw[CV_PAYER][0])
			BAD2(x, CV_PAYER, CV_TYPE, "required for type=public");
		if (has(x, CV_PAYER)) {
			int law30 = strncmp(S(x, CV_PAYER), "30", 2) == 0;
			if (law30 && x->raw[CV_RECIPIENT][0])
				BAD(x, CV_RECIPIENT, "no 受給者番号 for 法別 30 (医療観察法)");
			if (!law30 && !x->raw[CV_RECIPIENT][0])
				BAD2(x, CV_RECIPIENT, CV_PAYER, "required for payer %s", S(x, CV_PAYER));
		}
	}
}

static enum hk_rec_table coverage_build(struct ictx *x, struct hk_val *vals)
{
	if (is_insurance(x)) {
		vals[HK_COV_PATIENT] = x->v[CV_PATIENT];
		vals[HK_COV_INSURER] = x->v[CV_INSURER];
		vals[HK_COV_NUMBER] = x->v[CV_NUMBER];
		vals[HK_COV_VALID_FROM] = x->v[CV_FROM];
		vals[HK_COV_SYMBOL] = x->v[CV_SYMBOL];
		vals[HK_COV_BRANCH] = x->v[CV_BRANCH];
		vals[HK_COV_KIND] = x->v[CV_KIND];
		vals[HK_COV_PERSON] = x->v[CV_PERSON];
		vals[HK_COV_RATIO] = x->v[CV_RATIO];
		vals[HK_COV_LIMIT_CLASS] = x->v[CV_LIMIT];
		vals[HK_COV_KOUGAKU] = has(x, CV_KOUGAKU) ? x->v[CV_KOUGAKU] : hk_vint(0);
		vals[HK_COV_DUTY] = x->v[CV_DUTY];
		vals[HK_COV_VALID_TO] = x->v[CV_TO];
		vals[HK_COV_SOURCE] = hk_vtext("import");
		return HK_T_COVERAGE;
	}
	vals[HK_PUB_PATIENT] = x->v[CV_PATIENT];
	vals[HK_PUB_PAYER] = x->v[CV_PAYER];
	vals[HK_PUB_VALID_FROM] = x->v[CV_FROM];
	vals[HK_PUB_RECIPIENT] = x->v[CV_RECIPIENT];
	vals[HK_PUB_MONTHLY_CAP] = x->v[CV_CAP];
	vals[HK_PUB_VALID_TO] = x->v[CV_TO];
	return HK_T_PUBLIC;
}

static int coverage_key(struct ictx *x, char *buf, size_t size)
{
	if (is_insurance(x))
		hk_snprintf(buf, size, "insurance patient_key=%s insurer=%s number=%s valid_from=%s",
			    x->raw[CV_PATIENT], x->raw[CV_INSURER], x->raw[CV_NUMBER], x->raw[CV_FROM]);
	else
		hk_snprintf(buf, size, "public patient_key=%s payer=%s valid_from=%s", x->raw[CV_PATIENT],
			    x->raw[CV_PAYER], x->raw[CV_FROM]);
	return CV_FROM;
}

/* ---- instructions ----------------------------------------------------- */

static const struct col instruction_cols[HK_INS__N] = {
	[HK_INS_PATIENT] = {"patient_key", C_PATREF, F_REQ, NOCODE, 0, 0, NULL},
	[HK_INS_KIND] = {"kind", C_CODE, F_REQ, t_inst_kind, "別表12 (指示区分 01-06)", 0, 0, NULL},
	[HK_INS_VALID_FROM] = {"valid_from", C_DATE, F_REQ, NOCODE, 0, 0, NULL},
	[HK_INS_VALID_TO] = {"valid_to", C_DATE, F_REQ, NOCODE, 0, 0, NULL},
	[HK_INS_INST_PREF] = {"inst_pref", C_CODE, F_REQ, t_pref, "別表2 (都道府県 01-47)", 0, 0, NULL},
	[HK_INS_INST_TABLE] = {"inst_table", C_CODE, 0, t_point_table, "別表3 (点数表 1, 3, 5, B)", 0, 0, "1"},
	[HK_INS_INST_CODE] = {"inst_code", C_DIGITS, F_REQ, NOCODE, 7, 0, NULL},
	[HK_INS_INST_NAME] = {"inst_name", C_TEXT, F_REQ, NOCODE, 20, 0, NULL},
	[HK_INS_DOCTOR] = {"doctor", C_TEXT, F_REQ, NOCODE, 20, 0, NULL},
	[HK_INS_LAST_REPORT] = {"last_report", C_DATE, 0, NOCODE, 0, 0, NULL},
	[HK_INS_DISEASE_CODE] = {"disease_code", C_DIGITS, 0, NOCODE, 7, 0, "0000999"},
	[HK_INS_DISEASE_NAME] = {"disease_name", C_TEXT, 0, NOCODE, 20, 0, NULL},
	[HK_INS_CONDITION] = {"condition", C_TEXT, F_REQ, NOCODE, 1200, 0, NULL},
	[HK_INS_DISEASE_FLAG] = {"disease_flag", C_CODES, 0, t_disease_flag, "別表13 (01, 02, 03)", 2, 0, "03"},
	[HK_INS_DISEASES] = {"diseases", C_CODES, 0, t_diseases, "別表14", 3, 0, NULL},
};

static bool special_instruction(const char *kind)
{
	return strcmp(kind, "02") == 0 || strcmp(kind, "04") == 0 || strcmp(kind, "06") == 0;
}

static long days_of(const char *s)
{
	struct hk_date d;
	hk_date_parse(s, strlen(s), &d);
	return hk_date_to_days(d);
}

static void instruction_check(struct ictx *x)
{
	if (before(x, HK_INS_VALID_TO, HK_INS_VALID_FROM))
		BAD(x, HK_INS_VALID_TO, "%s is before valid_from %s", S(x, HK_INS_VALID_TO), S(x, HK_INS_VALID_FROM));
	else if (has(x, HK_INS_KIND) && has(x, HK_INS_VALID_FROM) && has(x, HK_INS_VALID_TO) &&
		 special_instruction(S(x, HK_INS_KIND))) {
		long n = days_of(S(x, HK_INS_VALID_TO)) - days_of(S(x, HK_INS_VALID_FROM)) + 1;
		if (n > 14)
			BAD(x, HK_INS_VALID_TO, "a 特別 instruction (kind %s) lasts at most 14 days, this one %ld",
			    S(x, HK_INS_KIND), n);
	}
	if (eq(x, HK_INS_DISEASE_CODE, "0000999") && !has(x, HK_INS_DISEASE_NAME))
		BAD2(x, HK_INS_DISEASE_NAME, HK_INS_DISEASE_CODE, "required with disease_code 0000999 (未コード化傷病名)");
	if (has(x, HK_INS_DISEASE_CODE) && !eq(x, HK_INS_DISEASE_CODE, "0000999") && has(x, HK_INS_DISEASE_NAME))
		BAD(x, HK_INS_DISEASE_NAME, "only with disease_code 0000999 (the code names the disease)");
	const char *f = S(x, HK_INS_DISEASE_FLAG);
	if (f) {
		int none = 0;
		for (size_t k = 0; f[k]; k += 2)
			if (f[k] == '0' && f[k + 1] == '3')
				none = 1;
		if (none && strlen(f) > 2)
			BAD(x, HK_INS_DISEASE_FLAG, "'%s': 03 (無) excludes other codes", f);
		if (none && has(x, HK_INS_DISEASES))
			BAD(x, HK_INS_DISEASES, "must be empty when disease_flag is 03 (無)");
	}
}

static enum hk_rec_table instruction_build(struct ictx *x, struct hk_val *vals)
{
	for (int i = 0; i < HK_INS__N; i++)
		vals[i] = x->v[i];
	return HK_T_INSTRUCTION;
}

static int instruction_key(struct ictx *x, char *buf, size_t size)
{
	hk_snprintf(buf, size, "patient_key=%s kind=%s valid_from=%s", x->raw[HK_INS_PATIENT],
		    x->raw[HK_INS_KIND], x->raw[HK_INS_VALID_FROM]);
	return HK_INS_VALID_FROM;
}

/* ---- visits ----------------------------------------------------------- */

static const struct col visit_cols[HK_VIS__N] = {
	[HK_VIS_PATIENT] = {"patient_key", C_PATREF, F_REQ, NOCODE, 0, 0, NULL},
	[HK_VIS_DATE] = {"date", C_DATE, F_REQ, NOCODE, 0, 0, NULL},
	[HK_VIS_START] = {"start_time", C_TIME, F_REQ, NOCODE, 0, 0, NULL},
	[HK_VIS_END] = {"end_time", C_TIME, F_REQ, NOCODE, 0, 0, NULL},
	[HK_VIS_STAFF] = {"staff", C_CODE, F_REQ, t_staff, "別表20 (職種等 base codes 01-10)", 0, 0, NULL},
	[HK_VIS_STAFF2] = {"staff2", C_CODE, 0, t_staff, "別表20 (職種等 base codes 01-10)", 0, 0, NULL},
	[HK_VIS_INST_KIND] = {"instruction_kind", C_CODE, 0, t_inst_kind, "別表12 (指示区分 01-06)", 0, 0, "01"},
	[HK_VIS_EMERGENCY] = {"emergency", C_ICODE, 0, t_flag, "flags (0, 1)", 0, 0, "0"},
	[HK_VIS_LONG] = {"long_visit", C_ICODE, 0, t_flag, "flags (0, 1)", 0, 0, "0"},
	[HK_VIS_MULTI] = {"multi_staff", C_ICODE, 0, t_flag, "flags (0, 1)", 0, 0, NULL},
	[HK_VIS_TERMINAL] = {"terminal", C_ICODE, 0, t_flag, "flags (0, 1)", 0, 0, "0"},
	[HK_VIS_SPECIAL_MGMT] = {"special_mgmt", C_ICODE, 0, t_special_mgmt,
				 "特別管理 (0 なし, 1 重症度等の高い, 2 その他)", 0, 0, "0"},
	[HK_VIS_ITEMS] = {"items", C_ITEMS, 0, NOCODE, 0, 0, NULL},
	[HK_VIS_BUILDING_COUNT] = {"building_count", C_INT, 0, NOCODE, 99, 1, "1"},
	[HK_VIS_OUTING] = {"outing", C_ICODE, 0, t_flag, "flags (0, 1)", 0, 0, "0"},
	[HK_VIS_SPECIALIST] = {"specialist", C_ICODE, 0, t_flag, "flags (0, 1)", 0, 0, "0"},
};

static void visit_check(struct ictx *x)
{
	if (has(x, HK_VIS_START) && has(x, HK_VIS_END) && strcmp(S(x, HK_VIS_END), S(x, HK_VIS_START)) <= 0)
		BAD(x, HK_VIS_END, "%s is not after start_time %s", S(x, HK_VIS_END), S(x, HK_VIS_START));
	if (!x->raw[HK_VIS_MULTI][0]) {
		if (!x->raw[HK_VIS_STAFF2][0] || has(x, HK_VIS_STAFF2))
			x->v[HK_VIS_MULTI] = hk_vint(has(x, HK_VIS_STAFF2));
	} else if (has(x, HK_VIS_MULTI)) {
		if (x->v[HK_VIS_MULTI].i == 1 && !x->raw[HK_VIS_STAFF2][0])
			BAD2(x, HK_VIS_STAFF2, HK_VIS_MULTI, "required when multi_staff is 1");
		if (x->v[HK_VIS_MULTI].i == 0 && x->raw[HK_VIS_STAFF2][0])
			BAD(x, HK_VIS_MULTI, "0, but staff2 is given (a second staff makes it a 複数名 visit)");
	}
}

static enum hk_rec_table visit_build(struct ictx *x, struct hk_val *vals)
{
	for (int i = 0; i < HK_VIS__N; i++)
		vals[i] = x->v[i];
	return HK_T_VISIT;
}

static int visit_key(struct ictx *x, char *buf, size_t size)
{
	hk_snprintf(buf, size, "patient_key=%s date=%s start_time=%s", x->raw[HK_VIS_PATIENT],
		    x->raw[HK_VIS_DATE], x->raw[HK_VIS_START]);
	return HK_VIS_START;
}

static const struct kind_spec kinds[] = {
	[HK_IMPORT_PATIENTS] = {"patients", patient_cols, HK_PAT__N, patient_check, same_build, patient_key},
	[HK_IMPORT_COVERAGES] = {"coverages", coverage_cols, CV__N, coverage_check, coverage_build, coverage_key},
	[HK_IMPORT_INSTRUCTIONS] = {"instructions", instruction_cols, HK_INS__N, instruction_check,
				    instruction_build, instruction_key},
	[HK_IMPORT_VISITS] = {"visits", visit_cols, HK_VIS__N, visit_check, visit_build, visit_key},
};

int hk_import_kind_parse(const char *s, enum hk_import_kind *kind)
{
	for (size_t k = 0; k < HK_ARRAY_LEN(kinds); k++)
		if (strcmp(kinds[k].name, s) == 0) {
			*kind = (enum hk_import_kind)k;
			return 0;
		}
	return -1;
}

const char *hk_import_kind_name(enum hk_import_kind kind) { return kinds[kind].name; }

void hk_import_result_init(struct hk_import_result *res)
{
	memset(res, 0, sizeof(*res));
	hk_buf_init(&res->diag, HK_IMPORT_MAX_DIAG_BYTES, "HK_IMPORT_MAX_DIAG_BYTES");
}

void hk_import_result_free(struct hk_import_result *res)
{
	hk_buf_free(&res->diag);
}

/* ---- the driver ------------------------------------------------------- */

static int read_header(struct ictx *x, struct hk_csv *csv)
{
	const struct kind_spec *ks = x->ks;
	int r = hk_csv_next(csv, x->err);
	x->line = 1;
	if (r < 0) {
		diag_raw(x, x->err->msg);
		return -1;
	}
	if (r == 0) {
		diag(x, 0, 1, NULL, "empty file: a header row naming the columns is required");
		return -1;
	}
	x->line = csv->line;
	if (csv->nfields == 1 && csv->lens[0] == 0) {
		diag(x, 0, 1, NULL, "the first line is empty: a header row naming the columns is required");
		return -1;
	}
	x->nhead = csv->nfields;
	for (int f = 0; f < csv->nfields; f++) {
		const char *h = csv->fields[f];
		int found = -1;
		x->specof[f] = -1;
		if (!hk_utf8_valid(h, csv->lens[f])) {
			diag(x, 0, f + 1, NULL, "header: not valid UTF-8");
			continue;
		}
		for (int i = 0; i < ks->ncols; i++)
			if (strcmp(ks->cols[i].name, h) == 0)
				found = i;
		if (found < 0) {
			diag(x, 0, f + 1, NULL, "header: unknown column '%s' for %s", h, ks->name);
			continue;
		}
		if (x->colpos[found]) {
			diag(x, 0, f + 1, NULL, "header: column '%s' appears twice (also column %d)", h,
			     x->colpos[found]);
			continue;
		}
		x->colpos[found] = f + 1;
		x->specof[f] = found;
	}
	for (int i = 0; i < ks->ncols; i++)
		if ((ks->cols[i].flags & F_REQ) && !x->colpos[i])
			diag(x, 0, x->nhead + 1, NULL, "header: required column '%s' is missing", ks->cols[i].name);
	return x->res->errors ? -1 : 0;
}

static int cmp_key(const void *a, const void *b)
{
	const struct dupkey *p = a, *q = b;
	int c = strcmp(p->key, q->key);
	return c ? c : (p->line > q->line) - (p->line < q->line);
}

static void remember_key(struct ictx *x)
{
	char buf[512];
	int col = x->ks->key(x, buf, sizeof(buf));
	if (x->nkeys == x->akeys) {
		x->akeys = x->akeys ? x->akeys * 2 : 256;
		x->keys = hk_realloc(x->keys, x->akeys * sizeof(*x->keys));
	}
	x->keys[x->nkeys].key = hk_strdup(buf);
	x->keys[x->nkeys].line = x->line;
	x->keys[x->nkeys].col = col;
	x->nkeys++;
}

static void report_duplicates(struct ictx *x)
{
	if (x->nkeys < 2)
		return;
	qsort(x->keys, x->nkeys, sizeof(*x->keys), cmp_key);
	for (size_t k = 1; k < x->nkeys; k++) {
		size_t first = k - 1;
		if (strcmp(x->keys[k].key, x->keys[first].key) != 0)
			continue;
		while (first > 0 && strcmp(x->keys[first - 1].key, x->keys[k].key) == 0)
			first--;
		x->line = x->keys[k].line;
		diag(x, 0, pos(x, x->keys[k].col, -1), x->ks->cols[x->keys[k].col].name,
		     "duplicate key (%s), first on line %ld", x->keys[k].key, x->keys[first].line);
	}
}

/* Reads one data row into x->raw; 1 = row, 0 = end, -1 = stop (error). */
static int next_row(struct ictx *x, struct hk_csv *csv)
{
	for (;;) {
		int r = hk_csv_next(csv, x->err);
		if (r <= 0) {
			if (r < 0)
				diag_raw(x, x->err->msg);
			return r;
		}
		x->line = csv->line;
		if (csv->nfields == 1 && csv->lens[0] == 0)
			continue; /* blank line */
		break;
	}
	x->row_errors = 0;
	for (int i = 0; i < x->ks->ncols; i++)
		x->raw[i] = "";
	if (csv->nfields != x->nhead) {
		int col = (csv->nfields < x->nhead ? csv->nfields : x->nhead) + 1;
		diag(x, 0, col, NULL, "row has %d fields, the header has %d", csv->nfields, x->nhead);
		return 1;
	}
	for (int f = 0; f < csv->nfields; f++) {
		if (!hk_utf8_valid(csv->fields[f], csv->lens[f])) {
			int sp = x->specof[f];
			diag(x, 0, f + 1, sp >= 0 ? x->ks->cols[sp].name : NULL, "not valid UTF-8");
			continue;
		}
		if (x->specof[f] >= 0)
			x->raw[x->specof[f]] = csv->fields[f];
	}
	return 1;
}

static int check_row(struct ictx *x)
{
	for (int i = 0; i < x->ks->ncols && !x->dbfail; i++)
		check_col(x, i);
	if (x->dbfail)
		return -1;
	/* cross-field checks see only the values that passed (others are NULL) */
	x->ks->check(x);
	return 0;
}

static int run_pass(struct ictx *x, const char *data, size_t len, int write)
{
	struct hk_csv csv;
	FILE *f = fmemopen((void *)(uintptr_t)data, len ? len : 1, "r");
	int rc = -1, r;
	if (!f)
		return hk_err_set(x->err, HK_EXIT_IO, "%s: cannot read: out of memory", x->fname);
	hk_csv_init(&csv, f, x->fname);
	memset(x->colpos, 0, sizeof(x->colpos));
	if (len == 0) {
		x->line = 1;
		diag(x, 0, 1, NULL, "empty file: a header row naming the columns is required");
		rc = 0;
		goto out;
	}
	if (read_header(x, &csv) < 0) {
		rc = 0;
		goto out;
	}
	while ((r = next_row(x, &csv)) > 0) {
		struct hk_val vals[HK_REC_MAX_COLS];
		enum hk_rec_table t;
		enum hk_put_result pr;
		if (!write) {
			x->res->rows++;
			if (x->row_errors)
				continue;
			if (check_row(x) < 0)
				goto out;
			remember_key(x);
			continue;
		}
		if (check_row(x) < 0)
			goto out;
		if (x->row_errors) { /* cannot happen: pass 1 was clean */
			hk_err_set(x->err, HK_EXIT_INTERNAL, "%s:%ld: row changed between passes", x->fname, x->line);
			goto out;
		}
		t = x->ks->build(x, vals);
		if (hk_rec_put(x->rec, t, vals, NULL, &pr, x->err) < 0) {
			hk_err_prefix(x->err, "%s:%ld", x->fname, x->line);
			goto out;
		}
		if (pr == HK_PUT_ADDED)
			x->res->added++;
		else if (pr == HK_PUT_UPDATED)
			x->res->updated++;
		else
			x->res->unchanged++;
	}
	rc = 0;
out:
	hk_csv_free(&csv);
	fclose(f);
	return rc;
}

static int log_import(sqlite3 *db, struct ictx *x, const char *kind, struct hk_err *err)
{
	sqlite3_stmt *st;
	char now[21];
	int rc;
	hk_clock_fmt_iso(hk_clock_now(), now);
	if (hk_db_prepare(db, "INSERT INTO import_log(sha256, kind, file_name, rows, at) VALUES (?,?,?,?,?)"
			      " ON CONFLICT(sha256) DO NOTHING", &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, x->res->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, x->fname, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, x->res->rows);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return hk_db_fail(db, err, "writing import_log");
	return 0;
}

int hk_import_file(sqlite3 *db, enum hk_import_kind kind, const char *path, const char *name,
		   struct hk_import_result *res, struct hk_err *err)
{
	struct ictx x;
	char *data = NULL;
	size_t len = 0;
	char verb[64], result[160];
	int rc = -1, in_tx = 0;
	memset(&x, 0, sizeof(x));
	x.fname = name ? name : path;
	x.ks = &kinds[kind];
	x.res = res;
	x.err = err;
	hk_snprintf(verb, sizeof(verb), "import %s", x.ks->name);
	if (hk_read_file(path, &data, &len, HK_IMPORT_MAX_BYTES, err) < 0)
		goto out;
	hk_sha256_hex(data, len, res->sha256);
	if (hk_records_open(db, &x.rec, err) < 0)
		goto out;
	if (hk_db_begin(db, err) < 0)
		goto out;
	in_tx = 1;
	if (run_pass(&x, data, len, 0) < 0)
		goto out;
	report_duplicates(&x);
	if (res->errors) {
		if (res->errors + res->warnings > HK_IMPORT_MAX_DIAGS) {
			struct hk_err e2 = {0};
			hk_buf_printf(&res->diag, &e2, "%s: %ld more problems not shown (HK_IMPORT_MAX_DIAGS)\n",
				      x.fname, res->errors + res->warnings - HK_IMPORT_MAX_DIAGS);
		}
		hk_db_rollback(db);
		in_tx = 0;
		hk_snprintf(result, sizeof(result), "rejected: %ld errors", res->errors);
		hk_audit(db, verb, res->sha256, NULL, result, NULL);
		hk_err_set(err, HK_EXIT_INPUT, "%s: rejected: %ld error%s, nothing imported", x.fname,
			   res->errors, res->errors == 1 ? "" : "s");
		goto out;
	}
	if (run_pass(&x, data, len, 1) < 0)
		goto out;
	hk_snprintf(result, sizeof(result), "ok: %ld rows, %ld added, %ld updated, %ld unchanged", res->rows,
		    res->added, res->updated, res->unchanged);
	if (log_import(db, &x, x.ks->name, err) < 0 || hk_audit(db, verb, res->sha256, NULL, result, err) < 0 ||
	    hk_db_commit(db, err) < 0)
		goto out;
	in_tx = 0;
	rc = 0;
out:
	if (in_tx)
		hk_db_rollback(db);
	hk_records_close(x.rec);
	for (size_t k = 0; k < x.nkeys; k++)
		hk_free(x.keys[k].key);
	hk_free(x.keys);
	hk_free(data);
	return rc;
}
