/*
 * master.c - loading the 訪問看護療養費マスター (master/master.h).
 *
 * Each table's columns are declared as data (struct col): the spec's 項番,
 * item name, mode and size, and the values a one-digit code may take.  One
 * generic pass checks every field of a row against its declaration; the
 * per-table functions then only convert.  The CSV column number equals the
 * spec's 項番 in every table, so errors say FILE:LINE:COLUMN: 項番N NAME.
 */
#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <iconv.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "master/master.h"
#include "base/buf.h"
#include "base/fileio.h"
#include "base/limits.h"

#ifndef HK_MASTER_ROOT
#define HK_MASTER_ROOT "/usr/local/share/houkan/master"
#endif

static const char *const file_names[HK_MT_COUNT] = {
	"houmonkango-master-kihon.csv",
	"houmonkango-master-kihon-kasan-taiou.csv",
	"houmonkango-master-santei-kaisu-gendo.csv",
	"houmonkango-master-heisantei-haihan.csv",
	"houmonkango-master-shisetsu-kijun.csv",
};
static const char *const table_names[HK_MT_COUNT] = {
	"基本テーブル", "基本・加算対応テーブル", "算定回数限度テーブル",
	"併算定背反テーブル", "施設基準テーブル",
};

const char *hk_master_file_name(enum hk_master_table t)
{
	return (unsigned)t < HK_MT_COUNT ? file_names[t] : "?";
}

const char *hk_master_table_name(enum hk_master_table t)
{
	return (unsigned)t < HK_MT_COUNT ? table_names[t] : "?";
}

/* ---- column declarations (支払基金 マスターファイル仕様説明書 (10) ア–オ) ---- */

enum col_type {
	C_NUM,      /* 数字: digits only */
	C_ALNUM,    /* 英数: printable ASCII */
	C_TEXT,     /* 漢字 / カナ: any text; len counts characters */
	C_AMOUNT,   /* 数字 10: 整数部7桁 小数点1桁 小数部2桁 */
	C_CODE,     /* 訪問看護療養費コード: 9 digits, first "5" */
	C_DATE,     /* 変更年月日: YYYYMMDD */
	C_DATE_END  /* 廃止年月日: YYYYMMDD or 99999999 */
};

struct col {
	const char *name;
	enum col_type type;
	int len;              /* max length (bytes; characters for C_TEXT) */
	bool fixed;           /* 固定: exactly len */
	bool req;             /* C_TEXT: must not be empty */
	const char *allowed;  /* one-digit codes: the permitted digits, or NULL */
};

#define CHG_KIHON "01359"
#define CHG_OTHER "012359"

static const struct col kihon_cols[] = {
	{"変更区分", C_NUM, 1, true, false, CHG_KIHON},                 /* 1 */
	{"マスター種別", C_ALNUM, 1, true, false, NULL},                /* 2 */
	{"訪問看護療養費コード", C_CODE, 9, true, false, NULL},         /* 3 */
	{"区分番号", C_NUM, 2, true, false, NULL},                      /* 4 */
	{"枝番", C_NUM, 1, true, false, NULL},                          /* 5 */
	{"項番", C_NUM, 2, true, false, NULL},                          /* 6 */
	{"基本名称", C_TEXT, 100, false, true, NULL},                   /* 7 */
	{"省略名称有効桁数", C_NUM, 2, false, false, NULL},             /* 8 */
	{"省略名称", C_TEXT, 64, false, true, NULL},                    /* 9 */
	{"省略カナ名称有効桁数", C_NUM, 2, false, false, NULL},         /* 10 */
	{"省略カナ名称", C_TEXT, 20, false, false, NULL},               /* 11 */
	{"データ規格コード", C_NUM, 3, false, false, NULL},             /* 12 */
	{"データ規格名漢字有効桁数", C_NUM, 1, true, false, NULL},      /* 13 */
	{"データ規格名漢字名称", C_TEXT, 6, false, false, NULL},        /* 14 */
	{"金額識別", C_NUM, 1, true, false, "135"},                     /* 15 */
	{"新又は現金額", C_AMOUNT, 10, false, false, NULL},             /* 16 */
	{"旧金額金額識別", C_NUM, 1, true, false, "0135"},              /* 17 */
	{"旧金額", C_AMOUNT, 10, false, false, NULL},                   /* 18 */
	{"きざみ値計算識別", C_NUM, 1, true, false, "01"},              /* 19 */
	{"下限値", C_NUM, 8, false, false, NULL},                       /* 20 */
	{"上限値", C_NUM, 8, false, false, NULL},                       /* 21 */
	{"きざみ値", C_NUM, 8, false, false, NULL},                     /* 22 */
	{"きざみ金額", C_AMOUNT, 10, false, false, NULL},               /* 23 */
	{"上下限エラー処理", C_NUM, 1, true, false, NULL},              /* 24 */
	{"下限年齢", C_NUM, 2, true, false, NULL},                      /* 25 (英数; only digits are described) */
	{"上限年齢", C_NUM, 2, true, false, NULL},                      /* 26 */
	{"後期高齢者医療適用区分", C_NUM, 1, true, false, "012"},       /* 27 */
	{"医療観察法対象区分", C_NUM, 1, true, false, "01"},            /* 28 */
	{"職種区分①", C_NUM, 2, true, false, NULL},                    /* 29 */
	{"職種区分②", C_NUM, 2, true, false, NULL},
	{"職種区分③", C_NUM, 2, true, false, NULL},
	{"職種区分④", C_NUM, 2, true, false, NULL},
	{"職種区分⑤", C_NUM, 2, true, false, NULL},
	{"職種区分⑥", C_NUM, 2, true, false, NULL},
	{"職種区分⑦", C_NUM, 2, true, false, NULL},
	{"職種区分⑧", C_NUM, 2, true, false, NULL},
	{"職種区分⑨", C_NUM, 2, true, false, NULL},
	{"職種区分⑩", C_NUM, 2, true, false, NULL},
	{"職種区分⑪", C_NUM, 2, true, false, NULL},
	{"職種区分⑫", C_NUM, 2, true, false, NULL},
	{"職種区分⑬", C_NUM, 2, true, false, NULL},
	{"職種区分⑭", C_NUM, 2, true, false, NULL},
	{"職種区分⑮", C_NUM, 2, true, false, NULL},                    /* 43 */
	{"実施回数区分", C_NUM, 1, true, false, "0123"},                /* 44 */
	{"訪問看護指示区分", C_NUM, 1, true, false, "0135"},            /* 45 */
	{"特別訪問看護指示区分", C_NUM, 1, true, false, "0246"},        /* 46 */
	{"加算単独算定区分", C_NUM, 1, true, false, "01"},              /* 47 */
	{"加算グループ", C_ALNUM, 4, true, false, NULL},                /* 48 */
	{"施設基準グループ", C_ALNUM, 4, true, false, NULL},            /* 49 */
	{"基本・加算対応テーブル関連識別", C_NUM, 1, true, false, "01"}, /* 50 */
	{"算定回数限度テーブル関連識別", C_NUM, 1, true, false, "01"},  /* 51 */
	{"併算定背反テーブル関連識別", C_NUM, 1, true, false, "01"},    /* 52 */
	{"レセプト表示欄", C_NUM, 2, true, false, NULL},                /* 53 */
	{"レセプト表示項", C_NUM, 2, true, false, NULL},                /* 54 */
	{"レセプト表示連番", C_NUM, 3, true, false, NULL},              /* 55 */
	{"レセプト表示用記号①", C_NUM, 1, true, false, "01"},          /* 56 */
	{"レセプト表示用記号②", C_NUM, 1, true, false, "01"},
	{"レセプト表示用記号③", C_NUM, 1, true, false, "01"},
	{"レセプト表示用記号④", C_NUM, 1, true, false, "01"},
	{"レセプト表示用記号⑤", C_NUM, 1, true, false, "01"},
	{"レセプト表示用記号⑥", C_NUM, 1, true, false, "01"},
	{"レセプト表示用記号⑦", C_NUM, 1, true, false, "012"},         /* 62 */
	{"レセプト表示用記号⑧", C_NUM, 1, true, false, "01"},
	{"レセプト表示用記号⑨", C_NUM, 1, true, false, "01"},          /* 64 */
	{"予備", C_NUM, 1, true, false, NULL},                          /* 65 */
	{"公表順序番号", C_NUM, 9, false, false, NULL},                 /* 66 */
	{"訪問看護療養費種類", C_NUM, 2, true, false, NULL},            /* 67 */
	{"予備", C_NUM, 2, false, false, NULL},                         /* 68 */
	{"予備", C_NUM, 2, false, false, NULL},                         /* 69 */
	{"予備", C_NUM, 2, false, false, NULL},                         /* 70 */
	{"変更年月日", C_DATE, 8, true, false, NULL},                   /* 71 */
	{"廃止年月日", C_DATE_END, 8, true, false, NULL},               /* 72 */
};

static const struct col kasan_cols[] = {
	{"変更区分", C_NUM, 1, true, false, CHG_OTHER},                 /* 1 */
	{"グループ番号", C_ALNUM, 4, true, false, NULL},                /* 2 */
	{"加算項目訪問看護療養費コード", C_CODE, 9, true, false, NULL}, /* 3 */
	{"省略名称", C_TEXT, 64, false, false, NULL},                   /* 4 */
	{"加算識別", C_NUM, 2, true, false, NULL},                      /* 5 */
	{"変更年月日", C_DATE, 8, true, false, NULL},                   /* 6 */
	{"廃止年月日", C_DATE_END, 8, true, false, NULL},               /* 7 */
	{"予備", C_NUM, 3, false, false, NULL},                         /* 8 */
};

static const struct col kaisu_cols[] = {
	{"変更区分", C_NUM, 1, true, false, CHG_OTHER},                 /* 1 */
	{"訪問看護療養費コード", C_CODE, 9, true, false, NULL},         /* 2 */
	{"省略名称", C_TEXT, 64, false, false, NULL},                   /* 3 */
	{"算定単位", C_NUM, 3, false, false, NULL},                     /* 4 */
	{"算定単位名称", C_TEXT, 6, false, false, NULL},                /* 5 */
	{"上限回数", C_NUM, 3, false, false, NULL},                     /* 6 */
	{"上限回数エラー処理", C_NUM, 1, true, false, "01"},            /* 7 */
	{"変更年月日", C_DATE, 8, true, false, NULL},                   /* 8 */
	{"廃止年月日", C_DATE_END, 8, true, false, NULL},               /* 9 */
	{"予備", C_NUM, 3, false, false, NULL},                         /* 10 */
};

static const struct col haihan_cols[] = {
	{"変更区分", C_NUM, 1, true, false, CHG_OTHER},                 /* 1 */
	{"訪問看護療養費コード", C_CODE, 9, true, false, NULL},         /* 2 */
	{"省略名称①", C_TEXT, 64, false, false, NULL},                 /* 3 */
	{"背反区分", C_NUM, 1, true, false, "012"},                     /* 4 */
	{"背反訪問看護療養費コード", C_CODE, 9, true, false, NULL},     /* 5 */
	{"省略名称②", C_TEXT, 64, false, false, NULL},                 /* 6 */
	{"背反単位", C_NUM, 1, true, false, "1234"},                    /* 7 */
	{"特例条件", C_NUM, 1, true, false, "01"},                      /* 8 */
	{"変更年月日", C_DATE, 8, true, false, NULL},                   /* 9 */
	{"廃止年月日", C_DATE_END, 8, true, false, NULL},               /* 10 */
	{"予備", C_NUM, 3, false, false, NULL},                         /* 11 */
	{"予備", C_NUM, 3, false, false, NULL},                         /* 12 */
	{"予備", C_NUM, 3, false, false, NULL},                         /* 13 */
};

static const struct col shisetsu_cols[] = {
	{"変更区分", C_NUM, 1, true, false, CHG_OTHER},                 /* 1 */
	{"グループ番号", C_ALNUM, 4, true, false, NULL},                /* 2 */
	{"訪問看護療養費コード", C_CODE, 9, true, false, NULL},         /* 3 */
	{"省略名称", C_TEXT, 64, false, false, NULL},                   /* 4 */
	{"施設基準", C_NUM, 4, false, false, NULL},                     /* 5 */
	{"施設基準識別", C_ALNUM, 2, true, false, NULL},                /* 6 */
	{"変更年月日", C_DATE, 8, true, false, NULL},                   /* 7 */
	{"廃止年月日", C_DATE_END, 8, true, false, NULL},               /* 8 */
	{"予備", C_NUM, 3, false, false, NULL},                         /* 9 */
};

static const struct {
	const struct col *cols;
	int ncols;
} layouts[HK_MT_COUNT] = {
	{kihon_cols, (int)HK_ARRAY_LEN(kihon_cols)},
	{kasan_cols, (int)HK_ARRAY_LEN(kasan_cols)},
	{kaisu_cols, (int)HK_ARRAY_LEN(kaisu_cols)},
	{haihan_cols, (int)HK_ARRAY_LEN(haihan_cols)},
	{shisetsu_cols, (int)HK_ARRAY_LEN(shisetsu_cols)},
};

/* ---- string arena: every name lives here until hk_master_free ---- */

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	char data[];
};

static const char *arena_dup(struct arena_block **head, const char *s, size_t n)
{
	struct arena_block *b = *head;
	char *p;
	if (!b || b->size - b->used < n + 1) {
		size_t size = n + 1 > 65536 ? n + 1 : 65536;
		b = hk_malloc(sizeof(*b) + size);
		b->next = *head;
		b->used = 0;
		b->size = size;
		*head = b;
	}
	p = b->data + b->used;
	memcpy(p, s, n);
	p[n] = '\0';
	b->used += n + 1;
	return p;
}

/* ---- the loaded master ---- */

struct hk_master {
	struct hk_master_info info;
	struct hk_master_item *items;        /* sorted by code, valid_from */
	struct hk_master_addon *addons;      /* sorted by group, line */
	struct hk_master_limit *limits;      /* sorted by code, line */
	struct hk_master_exclusion *excls;   /* sorted by code, other, line */
	struct hk_master_facility *facs;     /* sorted by code, line */
	uint32_t *item_key;                  /* items[i].code as a number: lookups compare integers */
	uint64_t *excl_key;                  /* excls[i] (code, other) as one number */
	uint16_t *item_code;                 /* items[i]: index of its code among the distinct codes */
	size_t ncodes;                       /* distinct codes of the 基本テーブル */
	unsigned char *excl_pairs;           /* bit a*ncodes+b: some エ row (code a, other b) */
	long *change_days;                   /* sorted, distinct: days on which some row starts or ends being valid */
	size_t nchange_days;
	unsigned long serial;                /* hk_master_serial() */
	size_t n[HK_MT_COUNT];
	size_t alloc[HK_MT_COUNT];
	struct arena_block *arena;
};

void hk_master_free(struct hk_master *m)
{
	struct arena_block *b, *nx;
	if (!m)
		return;
	for (b = m->arena; b; b = nx) {
		nx = b->next;
		hk_free(b);
	}
	hk_free(m->items);
	hk_free(m->addons);
	hk_free(m->limits);
	hk_free(m->excls);
	hk_free(m->facs);
	hk_free(m->item_key);
	hk_free(m->excl_key);
	hk_free(m->item_code);
	hk_free(m->excl_pairs);
	hk_free(m->change_days);
	hk_free(m);
}

uint32_t hk_master_code_key(const char *code)
{
	uint32_t v = 0;
	int i;
	for (i = 0; i < 9; i++) {
		if (code[i] < '0' || code[i] > '9')
			return 0;
		v = v * 10 + (uint32_t)(code[i] - '0');
	}
	return code[i] == '\0' ? v : 0;
}

/* First index whose key is >= key. */
#define KEY_BOUND(keys, n, key, out)                                            \
	do {                                                                    \
		size_t lo_ = 0, hi_ = (n);                                      \
		while (lo_ < hi_) {                                             \
			size_t mid_ = lo_ + (hi_ - lo_) / 2;                    \
			if ((keys)[mid_] < (key))                               \
				lo_ = mid_ + 1;                                 \
			else                                                    \
				hi_ = mid_;                                     \
		}                                                               \
		(out) = lo_;                                                    \
	} while (0)

/* Grows table t's array by one row; returns the new (zeroed) row. */
static void *grow(struct hk_master *m, enum hk_master_table t, void **arr, size_t rowsize)
{
	char *p;
	if (m->n[t] == m->alloc[t]) {
		m->alloc[t] = m->alloc[t] ? m->alloc[t] * 2 : 256;
		*arr = hk_realloc(*arr, m->alloc[t] * rowsize);
	}
	p = (char *)*arr + m->n[t]++ * rowsize;
	memset(p, 0, rowsize);
	return p;
}

/* ---- splitting rows ---- */

/* More than any table has (72), so a wrong count is reported as such. */
#define MASTER_MAX_COLS 96

/* One CSV row, split in place; fields are NUL-terminated. */
struct mrow {
	long line;                /* line the row starts on (1-based) */
	int nfields;
	char *fields[MASTER_MAX_COLS];
	size_t lens[MASTER_MAX_COLS];
};

/*
 * Splits the row at buf[*pos] in place (RFC 4180: quoted or bare fields, ""
 * inside quotes, CRLF or LF).  buf[len] must be NUL.  Returns 1 for a row, 0
 * at the end, -1 on malformed quoting.  A dedicated splitter rather than
 * base/csv.h: it works on the decoded buffer without copying, which keeps a
 * whole load well under 50 ms.
 */
static int next_row(char *buf, size_t len, size_t *pos, long *line, struct mrow *r, const char *path,
		    struct hk_err *err)
{
	size_t p = *pos;
	if (p >= len)
		return 0;
	r->line = *line;
	r->nfields = 0;
	for (;;) {
		size_t start, w;
		char d;
		if (r->nfields == MASTER_MAX_COLS)
			return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld: more than %d columns", path, r->line,
					  MASTER_MAX_COLS);
		if (p < len && buf[p] == '"') {
			start = w = ++p;
			for (;;) {
				if (p >= len)
					return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld:%d: unterminated quoted field",
							  path, r->line, r->nfields + 1);
				if (buf[p] == '"') {
					if (p + 1 < len && buf[p + 1] == '"') {
						buf[w++] = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (buf[p] == '\n')
					(*line)++;
				buf[w++] = buf[p++];
			}
			if (p < len && buf[p] != ',' && buf[p] != '\r' && buf[p] != '\n')
				return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld:%d: text after a closing quote",
						  path, *line, r->nfields + 1);
		} else {
			start = p;
			while (p < len && buf[p] != ',' && buf[p] != '\r' && buf[p] != '\n') {
				if (buf[p] == '"')
					return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld:%d: stray quote inside a field",
							  path, *line, r->nfields + 1);
				p++;
			}
			w = p;
		}
		d = p < len ? buf[p] : '\0';
		buf[w] = '\0';
		r->fields[r->nfields] = buf + start;
		r->lens[r->nfields] = w - start;
		r->nfields++;
		if (d == ',') {
			p++;
			continue;
		}
		if (d == '\r') {
			p++;
			if (p < len && buf[p] == '\n')
				p++;
			(*line)++;
		} else if (d == '\n') {
			p++;
			(*line)++;
		}
		break;
	}
	*pos = p;
	return 1;
}

/* ---- field checks ---- */

struct rowctx {
	const char *path;
	long line;
	const struct col *cols;
	const struct mrow *csv;
	struct hk_err *err;
};

static int field_err(const struct rowctx *r, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int field_err(const struct rowctx *r, int col, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return hk_err_set(r->err, HK_EXIT_INPUT, "%s:%ld:%d: 項番%d %s: %s", r->path, r->line, col + 1,
			  col + 1, r->cols[col].name, what);
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Parses the 7.2 amount format into ×100; -1 if malformed. */
static long parse_amount(const char *s, size_t n)
{
	size_t i = 0, ip = 0, fp = 0;
	long v = 0, frac = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		v = v * 10 + (s[i++] - '0');
		ip++;
	}
	if (ip == 0 || ip > 7)
		return -1;
	if (i < n) {
		if (s[i++] != '.')
			return -1;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			frac = frac * 10 + (s[i++] - '0');
			fp++;
		}
		if (fp == 0 || fp > 2 || i != n)
			return -1;
		if (fp == 1)
			frac *= 10;
	}
	return v * 100 + frac;
}

static int check_field(const struct rowctx *r, int i)
{
	const struct col *c = &r->cols[i];
	const char *s = r->csv->fields[i];
	size_t n = r->csv->lens[i];
	struct hk_date d;
	switch (c->type) {
	case C_NUM:
		if (!all_digits(s, n))
			return field_err(r, i, "'%s' is not a number", s);
		if (c->fixed ? n != (size_t)c->len : n > (size_t)c->len)
			return field_err(r, i, "'%s' has %zu digits, want %s%d", s, n, c->fixed ? "" : "at most ", c->len);
		if (c->allowed && (n != 1 || !strchr(c->allowed, s[0])))
			return field_err(r, i, "'%s' is not one of the codes %s", s, c->allowed);
		return 0;
	case C_ALNUM:
		for (size_t k = 0; k < n; k++)
			if ((unsigned char)s[k] < 0x21 || (unsigned char)s[k] > 0x7E)
				return field_err(r, i, "'%s' is not alphanumeric (英数)", s);
		if (c->fixed ? n != (size_t)c->len : n > (size_t)c->len)
			return field_err(r, i, "'%s' has %zu characters, want %s%d", s, n, c->fixed ? "" : "at most ", c->len);
		return 0;
	case C_TEXT:
		if (c->req && n == 0)
			return field_err(r, i, "empty");
		if (utf8_chars(s, n) > (size_t)c->len)
			return field_err(r, i, "longer than %d characters", c->len);
		return 0;
	case C_AMOUNT:
		if (n > (size_t)c->len || parse_amount(s, n) < 0)
			return field_err(r, i, "'%s' is not an amount (up to 7 digits, '.', 2 decimals)", s);
		return 0;
	case C_CODE:
		if (n != 9 || !all_digits(s, n) || s[0] != '5')
			return field_err(r, i, "'%s' is not a 訪問看護療養費コード (9 digits beginning with 5)", s);
		return 0;
	case C_DATE:
	case C_DATE_END:
		if (c->type == C_DATE_END && n == 8 && memcmp(s, "99999999", 8) == 0)
			return 0;
		if (n != 8 || !hk_date_parse(s, n, &d))
			return field_err(r, i, "'%s' is not a date (YYYYMMDD%s)", s,
					 c->type == C_DATE_END ? " or 99999999" : "");
		return 0;
	}
	return field_err(r, i, "internal: unknown column type");
}

static long fnum(const struct mrow *c, int i)
{
	return strtol(c->fields[i], NULL, 10);
}

static long famount(const struct mrow *c, int i)
{
	return parse_amount(c->fields[i], c->lens[i]);
}

static struct hk_date fdate(const struct mrow *c, int i)
{
	struct hk_date d = {9999, 12, 31};
	if (memcmp(c->fields[i], "99999999", 8) != 0)
		hk_date_parse(c->fields[i], 8, &d);
	return d;
}

static void fcopy(char *dst, size_t cap, const struct mrow *c, int i)
{
	size_t n = c->lens[i] < cap - 1 ? c->lens[i] : cap - 1;
	memcpy(dst, c->fields[i], n);
	dst[n] = '\0';
}

/* Checks the 変更年月日 <= 廃止年月日 pair at columns from, from+1. */
static int check_span(const struct rowctx *r, int from, struct hk_date *vf, struct hk_date *vt)
{
	*vf = fdate(r->csv, from);
	*vt = fdate(r->csv, from + 1);
	if (hk_date_cmp(*vf, *vt) > 0)
		return field_err(r, from + 1, "'%s' is before 変更年月日 %s", r->csv->fields[from + 1],
				 r->csv->fields[from]);
	return 0;
}

/* ---- lookups by code on the sorted arrays ---- */

#define LOWER_BOUND(arr, n, field, key, out)                                    \
	do {                                                                    \
		size_t lo_ = 0, hi_ = (n);                                      \
		while (lo_ < hi_) {                                             \
			size_t mid_ = lo_ + (hi_ - lo_) / 2;                    \
			if (strcmp((arr)[mid_].field, (key)) < 0)               \
				lo_ = mid_ + 1;                                 \
			else                                                    \
				hi_ = mid_;                                     \
		}                                                               \
		(out) = lo_;                                                    \
	} while (0)

static const struct hk_master_item *any_item(const struct hk_master *m, const char *code)
{
	size_t i;
	LOWER_BOUND(m->items, m->n[HK_MT_KIHON], code, code, i);
	if (i < m->n[HK_MT_KIHON] && strcmp(m->items[i].code, code) == 0)
		return &m->items[i];
	return NULL;
}

/* A name for a row of another table: shares the item's 省略名称 when equal. */
static const char *name_for(struct hk_master *m, const char *code, const struct mrow *c, int i)
{
	const struct hk_master_item *it = any_item(m, code);
	if (it && strlen(it->short_name) == c->lens[i] && memcmp(it->short_name, c->fields[i], c->lens[i]) == 0)
		return it->short_name;
	return arena_dup(&m->arena, c->fields[i], c->lens[i]);
}

static int need_item(struct hk_master *m, const struct rowctx *r, int col)
{
	if (!any_item(m, r->csv->fields[col]))
		return field_err(r, col, "%s is not in the 基本テーブル", r->csv->fields[col]);
	return 0;
}

/* ---- per-table row conversion ---- */

static int row_kihon(struct hk_master *m, const struct rowctx *r)
{
	const struct mrow *c = r->csv;
	struct hk_master_item *it;
	bool seen_unused = false;
	if (strcmp(c->fields[1], "R") != 0)
		return field_err(r, 1, "'%s', want R (訪問看護療養費マスター)", c->fields[1]);
	if (fnum(c, 7) != (long)utf8_chars(c->fields[8], c->lens[8]))
		return field_err(r, 7, "%ld, but 項番9 省略名称 has %zu characters", fnum(c, 7),
				 utf8_chars(c->fields[8], c->lens[8]));
	if (fnum(c, 9) != (long)utf8_chars(c->fields[10], c->lens[10]))
		return field_err(r, 9, "%ld, but 項番11 省略カナ名称 has %zu characters", fnum(c, 9),
				 utf8_chars(c->fields[10], c->lens[10]));
	it = grow(m, HK_MT_KIHON, (void **)&m->items, sizeof(*it));
	it->line = r->line;
	it->change = (int)fnum(c, 0);
	fcopy(it->code, sizeof(it->code), c, 2);
	it->kubun = (int)fnum(c, 3);
	it->edaban = (int)fnum(c, 4);
	it->kouban = (int)fnum(c, 5);
	it->name = arena_dup(&m->arena, c->fields[6], c->lens[6]);
	it->short_name = arena_dup(&m->arena, c->fields[8], c->lens[8]);
	it->kana = arena_dup(&m->arena, c->fields[10], c->lens[10]);
	it->data_std = (int)fnum(c, 11);
	it->data_std_name = arena_dup(&m->arena, c->fields[13], c->lens[13]);
	it->amount_kind = (int)fnum(c, 14);
	it->amount_x100 = famount(c, 15);
	it->old_amount_kind = (int)fnum(c, 16);
	it->old_amount_x100 = famount(c, 17);
	it->step_calc = (int)fnum(c, 18);
	it->step_lower = fnum(c, 19);
	it->step_upper = fnum(c, 20);
	it->step_unit = fnum(c, 21);
	it->step_amount_x100 = famount(c, 22);
	it->step_error = (int)fnum(c, 23);
	it->age_min = (int)fnum(c, 24);
	it->age_max = (int)fnum(c, 25);
	it->kouki = (int)fnum(c, 26);
	it->kansatsu = (int)fnum(c, 27);
	for (int k = 0; k < HK_MASTER_MAX_STAFF; k++) {
		int col = 28 + k;
		fcopy(it->staff[k], sizeof(it->staff[k]), c, col);
		if (strcmp(it->staff[k], "00") == 0) {
			seen_unused = true;
		} else {
			/* 項番29–43: "先頭から最大１５項目まで" - codes come first, then 00s */
			if (seen_unused)
				return field_err(r, col, "'%s' after an unused (00) 職種区分", c->fields[col]);
			it->nstaff++;
		}
	}
	it->visit_count_kind = (int)fnum(c, 43);
	it->instr_kind = (int)fnum(c, 44);
	it->special_instr_kind = (int)fnum(c, 45);
	it->standalone = (int)fnum(c, 46);
	fcopy(it->addon_group, sizeof(it->addon_group), c, 47);
	fcopy(it->facility_group, sizeof(it->facility_group), c, 48);
	it->rel_addon = fnum(c, 49) == 1;
	it->rel_limit = fnum(c, 50) == 1;
	it->rel_exclusion = fnum(c, 51) == 1;
	it->disp_col = (int)fnum(c, 52);
	it->disp_item = (int)fnum(c, 53);
	it->disp_seq = (int)fnum(c, 54);
	for (int k = 0; k < HK_MASTER_NSYMBOLS; k++)
		it->symbols[k] = (unsigned char)fnum(c, 55 + k);
	it->pub_order = fnum(c, 65);
	it->fee_kind = (int)fnum(c, 66);
	return check_span(r, 70, &it->valid_from, &it->valid_to);
}

static int row_kasan(struct hk_master *m, const struct rowctx *r)
{
	const struct mrow *c = r->csv;
	struct hk_master_addon *a;
	if (need_item(m, r, 2) < 0)
		return -1;
	a = grow(m, HK_MT_KASAN, (void **)&m->addons, sizeof(*a));
	a->line = r->line;
	a->change = (int)fnum(c, 0);
	fcopy(a->group, sizeof(a->group), c, 1);
	fcopy(a->code, sizeof(a->code), c, 2);
	a->short_name = name_for(m, a->code, c, 3);
	a->ident = (int)fnum(c, 4);
	return check_span(r, 5, &a->valid_from, &a->valid_to);
}

static int row_kaisu(struct hk_master *m, const struct rowctx *r)
{
	const struct mrow *c = r->csv;
	struct hk_master_limit *l;
	if (need_item(m, r, 1) < 0)
		return -1;
	l = grow(m, HK_MT_KAISU, (void **)&m->limits, sizeof(*l));
	l->line = r->line;
	l->change = (int)fnum(c, 0);
	fcopy(l->code, sizeof(l->code), c, 1);
	l->short_name = name_for(m, l->code, c, 2);
	l->unit = (int)fnum(c, 3);
	l->unit_name = arena_dup(&m->arena, c->fields[4], c->lens[4]);
	l->max = (int)fnum(c, 5);
	l->error_kind = (int)fnum(c, 6);
	return check_span(r, 7, &l->valid_from, &l->valid_to);
}

static int row_haihan(struct hk_master *m, const struct rowctx *r)
{
	const struct mrow *c = r->csv;
	struct hk_master_exclusion *x;
	if (need_item(m, r, 1) < 0 || need_item(m, r, 4) < 0)
		return -1;
	x = grow(m, HK_MT_HAIHAN, (void **)&m->excls, sizeof(*x));
	x->line = r->line;
	x->change = (int)fnum(c, 0);
	fcopy(x->code, sizeof(x->code), c, 1);
	x->short_name = name_for(m, x->code, c, 2);
	x->kind = (int)fnum(c, 3);
	fcopy(x->other, sizeof(x->other), c, 4);
	x->other_name = name_for(m, x->other, c, 5);
	x->scope = (int)fnum(c, 6);
	x->special = (int)fnum(c, 7);
	return check_span(r, 8, &x->valid_from, &x->valid_to);
}

static int row_shisetsu(struct hk_master *m, const struct rowctx *r)
{
	const struct mrow *c = r->csv;
	struct hk_master_facility *f;
	if (need_item(m, r, 2) < 0)
		return -1;
	f = grow(m, HK_MT_SHISETSU, (void **)&m->facs, sizeof(*f));
	f->line = r->line;
	f->change = (int)fnum(c, 0);
	fcopy(f->group, sizeof(f->group), c, 1);
	fcopy(f->code, sizeof(f->code), c, 2);
	f->short_name = name_for(m, f->code, c, 3);
	f->facility = (int)fnum(c, 4);
	fcopy(f->ident, sizeof(f->ident), c, 5);
	return check_span(r, 6, &f->valid_from, &f->valid_to);
}

static int (*const row_fns[HK_MT_COUNT])(struct hk_master *, const struct rowctx *) = {
	row_kihon, row_kasan, row_kaisu, row_haihan, row_shisetsu,
};

/* ---- decoding and parsing one file ---- */

/* CP932 to UTF-8.  On a bad byte, the error names line and column: CP932
 * trail bytes are never '"', ',' or '\n', so counting those on the raw bytes
 * is exact. */
static int decode_cp932(const char *path, const char *in, size_t n, char **out, size_t *outlen,
			struct hk_err *err)
{
	iconv_t cd = iconv_open("UTF-8", "CP932");
	char *ip = (char *)(uintptr_t)in, *buf = NULL, *op;
	size_t il = n, ol, cap = 3 * n + 1;
	int rc = -1;
	if (cd == (iconv_t)-1)
		return hk_err_set(err, HK_EXIT_IO, "%s: cannot convert from CP932: %s", path, strerror(errno));
	buf = hk_malloc(cap);
	op = buf;
	ol = cap;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		size_t off = (size_t)(ip - in), ls = 0;
		long line = 1;
		int col = 1, inq = 0;
		for (size_t k = 0; k < off; k++)
			if (in[k] == '\n') {
				line++;
				ls = k + 1;
			}
		for (size_t k = ls; k < off; k++) {
			if (in[k] == '"')
				inq = !inq;
			else if (in[k] == ',' && !inq)
				col++;
		}
		hk_err_set(err, HK_EXIT_INPUT, "%s:%ld:%d: not valid CP932 (byte 0x%02X)", path, line, col,
			   (unsigned char)in[off]);
		hk_free(buf);
		goto out;
	}
	*op = '\0';
	*out = buf;
	*outlen = (size_t)(op - buf);
	rc = 0;
out:
	iconv_close(cd);
	return rc;
}

static int load_table(struct hk_master *m, const char *dir, enum hk_master_table t, struct hk_buf *listing,
		      struct hk_err *err)
{
	char path[HK_MAX_PATH];
	char *raw = NULL, *utf8 = NULL;
	size_t rawlen = 0, len = 0;
	struct mrow row;
	size_t pos = 0;
	long line = 1;
	int rc = -1, got;
	struct rowctx r;

	if (hk_snprintf(path, sizeof(path), "%s/%s", dir, file_names[t]) >= (int)sizeof(path)) {
		hk_err_set(err, HK_EXIT_IO, "%s: path longer than %d bytes (HK_MAX_PATH)", dir, HK_MAX_PATH);
		goto out;
	}
	if (hk_read_file(path, &raw, &rawlen, HK_MAX_MASTER_FILE, err) < 0) {
		if (err && err->code == HK_EXIT_INPUT)
			hk_err_set(err, HK_EXIT_INPUT, "%s: larger than %d bytes (HK_MAX_MASTER_FILE)",
				   path, HK_MAX_MASTER_FILE);
		goto out;
	}
	hk_sha256_hex(raw, rawlen, m->info.file_sha256[t]);
	if (hk_buf_printf(listing, err, "%s  %s\n", m->info.file_sha256[t], file_names[t]) < 0)
		goto out;
	if (decode_cp932(path, raw, rawlen, &utf8, &len, err) < 0)
		goto out;
	if (len == 0) {
		if (t == HK_MT_KIHON) {
			hk_err_set(err, HK_EXIT_INPUT, "%s: empty (the 基本テーブル must have rows)", path);
			goto out;
		}
		rc = 0;
		goto out;
	}
	r.path = path;
	r.cols = layouts[t].cols;
	r.csv = &row;
	r.err = err;
	while ((got = next_row(utf8, len, &pos, &line, &row, path, err)) == 1) {
		r.line = row.line;
		if (row.nfields != layouts[t].ncols) {
			hk_err_set(err, HK_EXIT_INPUT, "%s:%ld: %d columns, want %d (%s)", path, row.line,
				   row.nfields, layouts[t].ncols, table_names[t]);
			goto out;
		}
		for (int i = 0; i < row.nfields; i++)
			if (check_field(&r, i) < 0)
				goto out;
		if (row_fns[t](m, &r) < 0)
			goto out;
	}
	if (got < 0)
		goto out;
	m->info.rows[t] = m->n[t];
	rc = 0;
out:
	hk_free(utf8);
	hk_free(raw);
	return rc;
}

/* ---- sorting ---- */

static int cmp_items(const void *a, const void *b)
{
	const struct hk_master_item *x = a, *y = b;
	int c = strcmp(x->code, y->code);
	if (c)
		return c;
	c = hk_date_cmp(x->valid_from, y->valid_from);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

#define CMP_BY(fn, type, key)                                                   \
	static int fn(const void *a, const void *b)                             \
	{                                                                       \
		const type *x = a, *y = b;                                      \
		int c = strcmp(x->key, y->key);                                 \
		return c ? c : (x->line > y->line) - (x->line < y->line);       \
	}
CMP_BY(cmp_addons, struct hk_master_addon, group)
CMP_BY(cmp_limits, struct hk_master_limit, code)
/* 併算定背反 rows by (code, other, line): hk_master_exclusion() is a binary search. */
static int cmp_excls(const void *a, const void *b)
{
	const struct hk_master_exclusion *x = a, *y = b;
	int c = strcmp(x->code, y->code);
	if (!c)
		c = strcmp(x->other, y->other);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}
CMP_BY(cmp_facs, struct hk_master_facility, code)

/* Sorts the 基本テーブル by code and 変更年月日; two rows of one code with the
 * same 変更年月日 would make lookups ambiguous. */
static int sort_items(struct hk_master *m, struct hk_err *err)
{
	char path[HK_MAX_PATH];
	if (m->n[HK_MT_KIHON])
		qsort(m->items, m->n[HK_MT_KIHON], sizeof(*m->items), cmp_items);
	for (size_t i = 1; i < m->n[HK_MT_KIHON]; i++) {
		const struct hk_master_item *p = &m->items[i - 1], *q = &m->items[i];
		if (strcmp(p->code, q->code) == 0 && hk_date_cmp(p->valid_from, q->valid_from) == 0) {
			hk_snprintf(path, sizeof(path), "%s/%s", m->info.dir, file_names[HK_MT_KIHON]);
			return hk_err_set(err, HK_EXIT_INPUT,
					  "%s:%ld:3: 項番3 訪問看護療養費コード: %s appears again with the same "
					  "変更年月日 (first on line %ld)", path, q->line > p->line ? q->line : p->line,
					  q->code, q->line > p->line ? p->line : q->line);
		}
	}
	return 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

static void add_change(long *days, size_t *n, int change, struct hk_date from, struct hk_date to)
{
	if (change == HK_MC_DELETED)
		return; /* never valid: no day changes its answer */
	days[(*n)++] = hk_date_to_days(from);
	days[(*n)++] = hk_date_to_days(to) + 1;
}

/* The days on which any row of any table becomes or stops being valid
 * (hk_master_uniform). */
static void index_change_days(struct hk_master *m)
{
	size_t total = 0, n = 0, w = 0;
	for (int t = 0; t < HK_MT_COUNT; t++)
		total += 2 * m->n[t];
	m->change_days = hk_calloc(total + 1, sizeof(*m->change_days));
	for (size_t i = 0; i < m->n[HK_MT_KIHON]; i++)
		add_change(m->change_days, &n, m->items[i].change, m->items[i].valid_from, m->items[i].valid_to);
	for (size_t i = 0; i < m->n[HK_MT_KASAN]; i++)
		add_change(m->change_days, &n, m->addons[i].change, m->addons[i].valid_from, m->addons[i].valid_to);
	for (size_t i = 0; i < m->n[HK_MT_KAISU]; i++)
		add_change(m->change_days, &n, m->limits[i].change, m->limits[i].valid_from, m->limits[i].valid_to);
	for (size_t i = 0; i < m->n[HK_MT_HAIHAN]; i++)
		add_change(m->change_days, &n, m->excls[i].change, m->excls[i].valid_from, m->excls[i].valid_to);
	for (size_t i = 0; i < m->n[HK_MT_SHISETSU]; i++)
		add_change(m->change_days, &n, m->facs[i].change, m->facs[i].valid_from, m->facs[i].valid_to);
	if (n)
		qsort(m->change_days, n, sizeof(*m->change_days), cmp_long);
	for (size_t i = 0; i < n; i++)
		if (w == 0 || m->change_days[w - 1] != m->change_days[i])
			m->change_days[w++] = m->change_days[i];
	m->nchange_days = w;
}

static void index_all(struct hk_master *m)
{
	if (m->n[HK_MT_KASAN])
		qsort(m->addons, m->n[HK_MT_KASAN], sizeof(*m->addons), cmp_addons);
	if (m->n[HK_MT_KAISU])
		qsort(m->limits, m->n[HK_MT_KAISU], sizeof(*m->limits), cmp_limits);
	if (m->n[HK_MT_HAIHAN])
		qsort(m->excls, m->n[HK_MT_HAIHAN], sizeof(*m->excls), cmp_excls);
	if (m->n[HK_MT_SHISETSU])
		qsort(m->facs, m->n[HK_MT_SHISETSU], sizeof(*m->facs), cmp_facs);
	/* codes are validated as 9 digits at load, so numeric order is string order */
	m->item_key = hk_calloc(m->n[HK_MT_KIHON] + 1, sizeof(*m->item_key));
	for (size_t i = 0; i < m->n[HK_MT_KIHON]; i++)
		m->item_key[i] = hk_master_code_key(m->items[i].code);
	m->excl_key = hk_calloc(m->n[HK_MT_HAIHAN] + 1, sizeof(*m->excl_key));
	for (size_t i = 0; i < m->n[HK_MT_HAIHAN]; i++)
		m->excl_key[i] = (uint64_t)hk_master_code_key(m->excls[i].code) * 1000000000u + hk_master_code_key(m->excls[i].other);
	/* which pairs of 基本テーブル codes have 併算定背反 rows at all (hk_master_may_exclude) */
	m->item_code = hk_calloc(m->n[HK_MT_KIHON] + 1, sizeof(*m->item_code));
	m->ncodes = 0;
	for (size_t i = 0; i < m->n[HK_MT_KIHON]; i++) {
		if (i > 0 && m->item_key[i] != m->item_key[i - 1])
			m->ncodes++;
		m->item_code[i] = (uint16_t)m->ncodes;
	}
	if (m->n[HK_MT_KIHON])
		m->ncodes++;
	if (m->ncodes > UINT16_MAX)
		m->ncodes = 0; /* not indexed: hk_master_may_exclude() answers true */
	m->excl_pairs = hk_calloc(m->ncodes * m->ncodes / 8 + 1, 1);
	for (size_t i = 0; m->ncodes && i < m->n[HK_MT_HAIHAN]; i++) {
		uint32_t a = hk_master_code_key(m->excls[i].code), b = hk_master_code_key(m->excls[i].other);
		size_t ia, ib, bit;
		KEY_BOUND(m->item_key, m->n[HK_MT_KIHON], a, ia);
		KEY_BOUND(m->item_key, m->n[HK_MT_KIHON], b, ib);
		if (!a || !b || ia == m->n[HK_MT_KIHON] || ib == m->n[HK_MT_KIHON] ||
		    m->item_key[ia] != a || m->item_key[ib] != b)
			continue; /* a code without a 基本テーブル row has no item to ask about */
		bit = (size_t)m->item_code[ia] * m->ncodes + m->item_code[ib];
		m->excl_pairs[bit / 8] |= (unsigned char)(1u << (bit % 8));
	}
	index_change_days(m);
}

/* ---- loading ---- */

static int load_revision(const char *dir, struct hk_date eff, bool has_next, struct hk_date next,
			 struct hk_master **out, struct hk_err *err)
{
	struct hk_master *m = hk_calloc(1, sizeof(*m));
	struct hk_buf listing;
	char hex[65], d8[9];
	int rc = -1;

	hk_buf_init(&listing, 4096, "master digest listing");
	m->info.effective = eff;
	m->info.has_next = has_next;
	m->info.next = next;
	if (hk_snprintf(m->info.dir, sizeof(m->info.dir), "%s", dir) >= (int)sizeof(m->info.dir)) {
		hk_err_set(err, HK_EXIT_IO, "%s: path longer than %d bytes (HK_MAX_PATH)", dir, HK_MAX_PATH);
		goto out;
	}
	/* The 基本テーブル first: the other tables are checked against it. */
	if (load_table(m, dir, HK_MT_KIHON, &listing, err) < 0)
		goto out;
	if (sort_items(m, err) < 0)
		goto out;
	for (int t = HK_MT_KASAN; t < HK_MT_COUNT; t++)
		if (load_table(m, dir, (enum hk_master_table)t, &listing, err) < 0)
			goto out;
	index_all(m);
	{
		static atomic_ulong serials;
		m->serial = atomic_fetch_add(&serials, 1) + 1;
	}
	hk_sha256_hex(listing.data, listing.len, hex);
	hk_date_fmt8(eff, d8);
	hk_snprintf(m->info.version, sizeof(m->info.version), "%s:%s", d8, hex);
	*out = m;
	m = NULL;
	rc = 0;
out:
	hk_buf_free(&listing);
	hk_master_free(m);
	return rc;
}

/* The YYYYMMDD date a directory name stands for. */
static bool rev_name(const char *name, struct hk_date *d)
{
	size_t n = strlen(name);
	return n == 8 && all_digits(name, 8) && hk_date_parse(name, 8, d);
}

int hk_master_load_dir(const char *dir, struct hk_master **out, struct hk_err *err)
{
	char tmp[HK_MAX_PATH];
	const char *base;
	size_t n;
	struct hk_date eff, none = {0, 0, 0};
	if (hk_snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return hk_err_set(err, HK_EXIT_IO, "%s: path longer than %d bytes (HK_MAX_PATH)", dir, HK_MAX_PATH);
	n = strlen(tmp);
	while (n > 1 && tmp[n - 1] == '/')
		tmp[--n] = '\0';
	base = strrchr(tmp, '/');
	base = base ? base + 1 : tmp;
	if (!rev_name(base, &eff))
		return hk_err_set(err, HK_EXIT_IO, "%s: a master revision directory must be named YYYYMMDD "
				  "(its effective date)", dir);
	return load_revision(tmp, eff, false, none, out, err);
}

int hk_master_load(const char *root, struct hk_date on, struct hk_master **out, struct hk_err *err)
{
	DIR *d;
	struct dirent *e;
	struct hk_date best = {0, 0, 0}, next = {0, 0, 0}, first = {0, 0, 0}, dt;
	bool have_best = false, have_next = false, have_first = false;
	char dir[HK_MAX_PATH], best_name[9], on10[11];

	d = opendir(root);
	if (!d)
		return hk_err_set(err, HK_EXIT_IO, "%s: cannot open the master root: %s "
				  "(set --dir or HOUKAN_MASTER_DIR)", root, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (!rev_name(e->d_name, &dt))
			continue;
		if (!have_first || hk_date_cmp(dt, first) < 0) {
			first = dt;
			have_first = true;
		}
		if (hk_date_cmp(dt, on) <= 0) {
			if (!have_best || hk_date_cmp(dt, best) > 0) {
				best = dt;
				have_best = true;
			}
		} else if (!have_next || hk_date_cmp(dt, next) < 0) {
			next = dt;
			have_next = true;
		}
	}
	closedir(d);
	hk_date_fmt10(on, on10);
	if (!have_best) {
		if (!have_first)
			return hk_err_set(err, HK_EXIT_IO, "%s: no master revision (no YYYYMMDD directory)", root);
		hk_date_fmt8(first, best_name);
		return hk_err_set(err, HK_EXIT_IO, "%s: no master revision in force on %s (the earliest is %s)",
				  root, on10, best_name);
	}
	hk_date_fmt8(best, best_name);
	if (hk_snprintf(dir, sizeof(dir), "%s/%s", root, best_name) >= (int)sizeof(dir))
		return hk_err_set(err, HK_EXIT_IO, "%s: path longer than %d bytes (HK_MAX_PATH)", root, HK_MAX_PATH);
	return load_revision(dir, best, have_next, next, out, err);
}

/* An uninstalled binary (build/houkan, build/san/houkan, build/NAME/san/houkan)
 * finds the master of its source tree, one to three directories up, used only
 * when the installed root does not exist. */
static const char *tree_root(void)
{
	static char buf[HK_MAX_PATH];
	char exe[HK_MAX_PATH];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat sb;
	char *slash;
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	/* build/houkan, build/san/houkan, build/NAME/san/houkan */
	for (int up = 1; up <= 3; up++) {
		hk_snprintf(buf, sizeof(buf), "%s/%s/data/master", exe, up == 1 ? ".." : up == 2 ? "../.." : "../../..");
		if (stat(buf, &sb) == 0 && S_ISDIR(sb.st_mode))
			return buf;
	}
	return NULL;
}

const char *hk_master_root(const char *dir)
{
	const char *env, *tree;
	struct stat sb;
	if (dir && *dir)
		return dir;
	env = getenv("HOUKAN_MASTER_DIR");
	if (env && *env)
		return env;
	if (stat(HK_MASTER_ROOT, &sb) != 0 && (tree = tree_root()) != NULL)
		return tree;
	return HK_MASTER_ROOT;
}

/* ---- queries ---- */

const struct hk_master_info *hk_master_info(const struct hk_master *m)
{
	return &m->info;
}

bool hk_master_covers(const struct hk_master *m, struct hk_date on)
{
	if (hk_date_cmp(on, m->info.effective) < 0)
		return false;
	return !m->info.has_next || hk_date_cmp(on, m->info.next) < 0;
}

unsigned long hk_master_serial(const struct hk_master *m)
{
	return m->serial;
}

bool hk_master_uniform(const struct hk_master *m, struct hk_date from, struct hk_date to)
{
	long a = hk_date_to_days(from), b = hk_date_to_days(to);
	size_t i;
	if (a > b || !hk_master_covers(m, from) || !hk_master_covers(m, to))
		return false;
	/* the span is [effective, next), so it holds every day in between; a
	 * change day c means c differs from c-1: none may lie in (a, b] */
	KEY_BOUND(m->change_days, m->nchange_days, a + 1, i);
	return i == m->nchange_days || m->change_days[i] > b;
}

bool hk_master_row_valid(int change, struct hk_date from, struct hk_date to, struct hk_date on)
{
	return change != HK_MC_DELETED && hk_date_cmp(from, on) <= 0 && hk_date_cmp(on, to) <= 0;
}

const struct hk_master_item *hk_master_item(const struct hk_master *m, const char *code, struct hk_date on)
{
	const struct hk_master_item *best = NULL;
	size_t i;
	uint32_t key;
	if (!code || !hk_master_covers(m, on) || !(key = hk_master_code_key(code)))
		return NULL;
	KEY_BOUND(m->item_key, m->n[HK_MT_KIHON], key, i);
	for (; i < m->n[HK_MT_KIHON] && m->item_key[i] == key; i++) {
		const struct hk_master_item *it = &m->items[i];
		/* sorted by valid_from: the last valid row is the latest change */
		if (hk_master_row_valid(it->change, it->valid_from, it->valid_to, on))
			best = it;
	}
	return best;
}

/*
 * 職種区分 31-39 are not 別表20 codes: the master (別紙10-3) uses them on the
 * 複数名 add-ons for "a 看護職員 together with ...".  Our reading of the item
 * names (docs/master.md): the 別表20 base codes each may stand for.
 */
static const char *const companion_sets[] = {
	/* 31 看護職員 + 他の看護師等（准看護師を除く）   */ "0102030405060708",
	/* 32 看護職員 + 准看護師                       */ "0102030708",
	/* 33 看護職員 + その他職員 (看護補助者)         */ "010203070809",
	/* 34 精神科 保健師・看護師 + 保健師・看護師・作業療法士 */ "01030508",
	/* 35 精神科 保健師・看護師 + 准看護師           */ "01030708",
	/* 36 精神科 保健師・看護師 + 看護補助者・精神保健福祉士 */ "0103080910",
	/* 37 医療観察 看護師等 + 看護師等               */ "0103050708",
	/* 38 医療観察 看護師等 + 准看護師               */ "01030708",
	/* 39 医療観察 看護師等 + 看護補助者・精神保健福祉士 */ "0103080910",
};

bool hk_master_item_allows_staff(const struct hk_master_item *it, const char *staff)
{
	for (int k = 0; k < it->nstaff; k++) {
		int code = atoi(it->staff[k]);
		if (strcmp(it->staff[k], staff) == 0)
			return true;
		if (code >= 31 && code <= 39) {
			const char *set = companion_sets[code - 31];
			for (size_t i = 0; set[i] && set[i + 1]; i += 2)
				if (set[i] == staff[0] && set[i + 1] == staff[1])
					return true;
		}
	}
	return false;
}

size_t hk_master_nitems(const struct hk_master *m)
{
	return m->n[HK_MT_KIHON];
}

const struct hk_master_item *hk_master_item_at(const struct hk_master *m, size_t i)
{
	return i < m->n[HK_MT_KIHON] ? &m->items[i] : NULL;
}

size_t hk_master_search(const struct hk_master *m, const char *text, struct hk_date on,
			const struct hk_master_item **out, size_t max)
{
	size_t cnt = 0;
	if (!text || !hk_master_covers(m, on))
		return 0;
	for (size_t i = 0; i < m->n[HK_MT_KIHON]; i++) {
		const struct hk_master_item *it = &m->items[i];
		if (hk_master_item(m, it->code, on) != it)
			continue;
		if (!strstr(it->name, text) && !strstr(it->short_name, text) && !strstr(it->code, text))
			continue;
		if (cnt < max)
			out[cnt] = it;
		cnt++;
	}
	return cnt;
}

#define LIST_BY(fnname, rowtype, arr, table, field)                             \
	size_t fnname(const struct hk_master *m, const char *key, struct hk_date on, \
		      const rowtype **out, size_t max)                          \
	{                                                                       \
		size_t i, cnt = 0;                                              \
		if (!key || !hk_master_covers(m, on))                           \
			return 0;                                               \
		LOWER_BOUND(m->arr, m->n[table], field, key, i);                \
		for (; i < m->n[table] && strcmp(m->arr[i].field, key) == 0; i++) { \
			const rowtype *r_ = &m->arr[i];                         \
			if (!hk_master_row_valid(r_->change, r_->valid_from, r_->valid_to, on)) \
				continue;                                       \
			if (cnt < max)                                          \
				out[cnt] = r_;                                  \
			cnt++;                                                  \
		}                                                               \
		return cnt;                                                     \
	}

LIST_BY(hk_master_addons, struct hk_master_addon, addons, HK_MT_KASAN, group)
LIST_BY(hk_master_limits, struct hk_master_limit, limits, HK_MT_KAISU, code)
LIST_BY(hk_master_exclusions, struct hk_master_exclusion, excls, HK_MT_HAIHAN, code)

const struct hk_master_addon *hk_master_addon_for(const struct hk_master *m, const char *base_code,
						  const char *addon_code, struct hk_date on)
{
	const struct hk_master_item *base = hk_master_item(m, base_code, on);
	size_t i;
	if (!base || !addon_code || strcmp(base->addon_group, "0000") == 0)
		return NULL;
	LOWER_BOUND(m->addons, m->n[HK_MT_KASAN], group, base->addon_group, i);
	for (; i < m->n[HK_MT_KASAN] && strcmp(m->addons[i].group, base->addon_group) == 0; i++) {
		const struct hk_master_addon *a = &m->addons[i];
		if (strcmp(a->code, addon_code) == 0 &&
		    hk_master_row_valid(a->change, a->valid_from, a->valid_to, on))
			return a;
	}
	return NULL;
}

const struct hk_master_exclusion *hk_master_exclusion(const struct hk_master *m, const char *code,
						      const char *other, struct hk_date on)
{
	size_t i;
	if (!code || !other || !hk_master_covers(m, on))
		return NULL;
	{
		uint32_t a = hk_master_code_key(code), b = hk_master_code_key(other);
		uint64_t key = (uint64_t)a * 1000000000u + b;
		if (!a || !b)
			return NULL;
		KEY_BOUND(m->excl_key, m->n[HK_MT_HAIHAN], key, i);
		for (; i < m->n[HK_MT_HAIHAN] && m->excl_key[i] == key; i++) {
			const struct hk_master_exclusion *x = &m->excls[i];
			if (hk_master_row_valid(x->change, x->valid_from, x->valid_to, on))
				return x;
		}
	}
	return NULL;
}

bool hk_master_may_exclude(const struct hk_master *m, const struct hk_master_item *a,
			   const struct hk_master_item *b)
{
	size_t n = m->n[HK_MT_KIHON], ia, ib, bit;
	if (!m->ncodes || a < m->items || a >= m->items + n || b < m->items || b >= m->items + n)
		return true;
	ia = (size_t)(a - m->items);
	ib = (size_t)(b - m->items);
	bit = (size_t)m->item_code[ia] * m->ncodes + m->item_code[ib];
	return (m->excl_pairs[bit / 8] >> (bit % 8) & 1) != 0;
}

uint32_t hk_master_code_index(const struct hk_master *m, const struct hk_master_item *it)
{
	/* it is a row of m when its offset from m->items is below the array's size */
	uintptr_t off = (uintptr_t)it - (uintptr_t)m->items;
	if (!m->ncodes || off >= (uintptr_t)m->n[HK_MT_KIHON] * sizeof(*m->items))
		return HK_MASTER_ANY_CODE;
	return m->item_code[off / sizeof(*m->items)];
}

uint64_t hk_master_may_exclude_set(const struct hk_master *m, uint32_t a, const uint32_t *b, size_t n)
{
	uint64_t bits = 0;
	size_t row = (size_t)a * m->ncodes;
	if (n > 64)
		n = 64;
	if (a == HK_MASTER_ANY_CODE)
		return n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
	for (size_t k = 0; k < n; k++) {
		size_t bit = row + b[k];
		if (b[k] == HK_MASTER_ANY_CODE)
			bits |= (uint64_t)1 << k;
		else if (m->excl_pairs[bit / 8] >> (bit % 8) & 1)
			bits |= (uint64_t)1 << k;
	}
	return bits;
}

size_t hk_master_facilities(const struct hk_master *m, const char *code, struct hk_date on,
			    const struct hk_master_facility **out, size_t max)
{
	const struct hk_master_item *it = hk_master_item(m, code, on);
	size_t i, cnt = 0;
	if (!it || strcmp(it->facility_group, "0000") == 0)
		return 0;
	LOWER_BOUND(m->facs, m->n[HK_MT_SHISETSU], code, code, i);
	for (; i < m->n[HK_MT_SHISETSU] && strcmp(m->facs[i].code, code) == 0; i++) {
		const struct hk_master_facility *f = &m->facs[i];
		if (strcmp(f->group, it->facility_group) != 0 ||
		    !hk_master_row_valid(f->change, f->valid_from, f->valid_to, on))
			continue;
		if (cnt < max)
			out[cnt] = f;
		cnt++;
	}
	return cnt;
}

size_t hk_master_nrows(const struct hk_master *m, enum hk_master_table t)
{
	return (unsigned)t < HK_MT_COUNT ? m->n[t] : 0;
}

const struct hk_master_addon *hk_master_addon_at(const struct hk_master *m, size_t i)
{
	return i < m->n[HK_MT_KASAN] ? &m->addons[i] : NULL;
}

const struct hk_master_limit *hk_master_limit_at(const struct hk_master *m, size_t i)
{
	return i < m->n[HK_MT_KAISU] ? &m->limits[i] : NULL;
}

const struct hk_master_exclusion *hk_master_exclusion_at(const struct hk_master *m, size_t i)
{
	return i < m->n[HK_MT_HAIHAN] ? &m->excls[i] : NULL;
}

const struct hk_master_facility *hk_master_facility_at(const struct hk_master *m, size_t i)
{
	return i < m->n[HK_MT_SHISETSU] ? &m->facs[i] : NULL;
}

void hk_master_fmt_amount(int kind, long x100, char *out, size_t outlen)
{
	const char *unit = kind == HK_AMOUNT_POINTS ? "点" : kind == HK_AMOUNT_PERCENT ? "%" : "円";
	if (x100 % 100 == 0)
		hk_snprintf(out, outlen, "%ld%s", x100 / 100, unit);
	else
		hk_snprintf(out, outlen, "%ld.%02ld%s", x100 / 100, x100 % 100, unit);
}
