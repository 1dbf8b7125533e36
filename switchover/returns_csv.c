/*
 * returns_csv.c - table-driven reader of the result CSVs: 増減点連絡書
 * (data/layouts/zogen.def) and 振替・分割 results (data/layouts/furikae.def).
 * Both layouts are ASSUMED (docs/returns.md); the tables are the only place
 * that knows a column's position.
 *
 * Input: CP932 (or UTF-8 when it starts with a BOM), rows ended by CR LF or
 * LF, an optional 0x1A as the very last byte, RFC 4180 quotes allowed within a
 * row.  One row is held at a time (HK_MAX_CSV_LINE).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "switchover/returns.h"
#include "base/csv.h"
#include "base/date.h"
#include "base/limits.h"
#include "receipt/uke.h"

/* ---- the layouts, as data ---- */

enum role { R_NONE = 0, R_HEADER, R_TITLE, R_DETAIL, R_DETAIL_NEXT, R_SUBTOTAL, R_TOTAL };
enum { NOFILL = 0, FILL = 1 };

struct col {
	int n;                  /* 1-based column */
	const char *title;
	enum hk_res_field f;
	int fill;
};
struct kind {
	enum role role;
	const char *value;
};

#define COL_(n, t, f, fill) {n, t, HK_RF_##f, fill},
#define KIND(role, v) {R_##role, v},
#define COLUMN(n, t, f, fill)
#define HEADER(n, t, f)
#define TOTAL(n, t, f)
static const struct kind zogen_kinds[] = {
#include "data/layouts/zogen.def"
};
#undef KIND
#undef COLUMN
#define KIND(role, v)
#define COLUMN(n, t, f, fill) COL_(n, t, f, fill)
static const struct col zogen_cols[] = {
#include "data/layouts/zogen.def"
};
#undef COLUMN
#undef HEADER
#define COLUMN(n, t, f, fill)
#define HEADER(n, t, f) COL_(n, t, f, 0)
static const struct col zogen_header[] = {
#include "data/layouts/zogen.def"
};
#undef HEADER
#undef TOTAL
#define HEADER(n, t, f)
#define TOTAL(n, t, f) COL_(n, t, f, 0)
static const struct col zogen_total[] = {
#include "data/layouts/zogen.def"
};
#undef TOTAL
#undef COLUMN
#define TOTAL(n, t, f)
#define COLUMN(n, t, f, fill) COL_(n, t, f, fill)
static const struct col furikae_cols[] = {
#include "data/layouts/furikae.def"
};
#undef KIND
#undef COLUMN
#undef HEADER
#undef TOTAL
#undef COL_

struct layout {
	const char *name;
	const struct kind *kinds;   /* NULL: first row = titles, then details */
	size_t nkinds;
	const struct col *cols, *header, *total;
	size_t ncols, nheader, ntotal;
};

static const struct layout layouts[] = {
	[HK_LAYOUT_ZOGEN] = {"増減点連絡書", zogen_kinds, HK_ARRAY_LEN(zogen_kinds), zogen_cols, zogen_header,
			     zogen_total, HK_ARRAY_LEN(zogen_cols), HK_ARRAY_LEN(zogen_header),
			     HK_ARRAY_LEN(zogen_total)},
	[HK_LAYOUT_FURIKAE] = {"振替・分割結果", NULL, 0, furikae_cols, NULL, NULL, HK_ARRAY_LEN(furikae_cols), 0, 0},
};

/* ---- rows ---- */

#define CHUNK 65536

struct rd {
	const struct layout *L;
	const char *name;
	FILE *f;
	const unsigned char *mem;
	size_t memlen, mempos;
	unsigned char buf[CHUNK];
	size_t pos, len;
	bool eof;
	bool utf8;
	long line;
	/* current row */
	struct hk_buf row;          /* bytes of the row */
	struct hk_buf cells;        /* UTF-8 cells, NUL-separated */
	struct hk_buf raw;          /* one cell's bytes (scratch) */
	int ncell;
	size_t cell_off[HK_MAX_CSV_FIELDS];
	/* fill-down memory (per column, UTF-8) */
	char (*prev)[HK_RES_TEXT_MAX];
};

static int fail(struct rd *r, int col, struct hk_err *err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(struct rd *r, int col, struct hk_err *err, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (col > 0) {
		const char *title = NULL;
		for (size_t i = 0; i < r->L->ncols; i++)
			if (r->L->cols[i].n == col)
				title = r->L->cols[i].title;
		return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld: column %d%s%s%s: %s", r->name, r->line, col,
				  title ? " (" : "", title ? title : "", title ? ")" : "", msg);
	}
	return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld: %s", r->name, r->line, msg);
}

static int fill(struct rd *r, struct hk_err *err)
{
	if (r->eof)
		return 0;
	if (r->pos < r->len)
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->len -= r->pos;
	r->pos = 0;
	if (r->f) {
		size_t n = fread(r->buf + r->len, 1, CHUNK - r->len, r->f);
		if (n == 0) {
			if (ferror(r->f))
				return hk_err_set(err, HK_EXIT_IO, "%s: read error: %s", r->name, strerror(errno));
			r->eof = true;
		}
		r->len += n;
	} else {
		size_t n = r->memlen - r->mempos;
		if (n > CHUNK - r->len)
			n = CHUNK - r->len;
		memcpy(r->buf + r->len, r->mem + r->mempos, n);
		r->mempos += n;
		r->len += n;
		if (n == 0)
			r->eof = true;
	}
	return 0;
}

/* Next line into r->row (without its end).  1 row, 0 end, -1 error. */
static int next_line(struct rd *r, struct hk_err *err)
{
	hk_buf_reset(&r->row);
	for (;;) {
		unsigned char *nl;
		size_t avail;
		if (r->pos == r->len && !r->eof && fill(r, err) < 0)
			return -1;
		avail = r->len - r->pos;
		if (avail == 0) {
			if (r->row.len == 0)
				return 0;
			r->line++;
			break; /* last line without an end */
		}
		nl = memchr(r->buf + r->pos, '\n', avail);
		if (!nl) {
			if (hk_buf_add(&r->row, r->buf + r->pos, avail, err) < 0) {
				r->line++;
				return fail(r, 0, err, "the row is longer than HK_MAX_CSV_LINE (%d bytes)", HK_MAX_CSV_LINE);
			}
			r->pos = r->len;
			continue;
		}
		if (hk_buf_add(&r->row, r->buf + r->pos, (size_t)(nl - (r->buf + r->pos)), err) < 0) {
			r->line++;
			return fail(r, 0, err, "the row is longer than HK_MAX_CSV_LINE (%d bytes)", HK_MAX_CSV_LINE);
		}
		r->pos = (size_t)(nl - r->buf) + 1;
		r->line++;
		if (r->row.len && r->row.data[r->row.len - 1] == '\r')
			r->row.len--;
		break;
	}
	/* 0x1A: only as the very last byte of the file */
	{
		char *sub = memchr(r->row.data ? r->row.data : "", 0x1A, r->row.len);
		if (sub) {
			bool last = (size_t)(sub - r->row.data) == r->row.len - 1;
			if (last && r->pos == r->len && !r->eof && fill(r, err) < 0)
				return -1;
			if (!last || r->pos != r->len)
				return fail(r, 0, err, "the EOF code 0x1A is allowed only as the last byte of the file");
			r->row.len--;
			if (r->row.len == 0)
				return 0;
		}
	}
	return 1;
}

/* Byte-level encoding check of the row: CP932 lead/trail structure or UTF-8. */
static int check_bytes_slow(struct rd *r, struct hk_err *err)
{
	const unsigned char *p = (const unsigned char *)r->row.data;
	size_t n = r->row.len;
	if (r->utf8) {
		if (!hk_utf8_valid((const char *)p, n))
			return fail(r, 0, err, "not valid UTF-8 (the file starts with a UTF-8 BOM)");
	} else {
		for (size_t i = 0; i < n; i++) {
			unsigned c = p[i];
			if ((c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC)) {
				unsigned t = i + 1 < n ? p[i + 1] : 0;
				if (!((t >= 0x40 && t <= 0x7E) || (t >= 0x80 && t <= 0xFC)))
					return fail(r, 0, err, "byte %zu: 0x%02X is not followed by a Shift_JIS trail byte", i + 1, c);
				i++;
			} else if (c == 0x80 || c == 0xA0 || c >= 0xFD) {
				return fail(r, 0, err, "byte %zu: 0x%02X is not a Shift_JIS (CP932) character", i + 1, c);
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 && p[i] != '\t')
			return fail(r, 0, err, "byte %zu: control character 0x%02X", i + 1, p[i]);
	return 0;
}

/* The same check in one pass; a row it does not pass goes through
 * check_bytes_slow, which says what is wrong (the first problem in its order). */
static int check_bytes(struct rd *r, struct hk_err *err)
{
	const unsigned char *p = (const unsigned char *)r->row.data;
	size_t n = r->row.len;
	if (r->utf8)
		return check_bytes_slow(r, err);
	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i];
		if (c < 0x80) {
			if (c < 0x20 && c != '\t')
				return check_bytes_slow(r, err);
		} else if ((c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC)) {
			unsigned t = i + 1 < n ? p[i + 1] : 0;
			if (!((t >= 0x40 && t <= 0x7E) || (t >= 0x80 && t <= 0xFC)))
				return check_bytes_slow(r, err);
			i++;
		} else if (c == 0x80 || c == 0xA0 || c >= 0xFD) {
			return check_bytes_slow(r, err);
		}
	}
	return 0;
}

/* One cell's bytes (s, n), decoded to UTF-8, appended to r->cells.  1 ok,
 * 0 too long, -1 not Shift_JIS (byte *off). */
static int put_cell(struct rd *r, const char *s, size_t n, size_t *off, struct hk_err *err)
{
	size_t k = 0;
	if (n == 0)
		return 1;
	if (r->utf8)
		return hk_buf_add(&r->cells, s, n, err) < 0 ? 0 : 1;
	while (k < n && !(s[k] & 0x80))
		k++;
	if (k == n) /* ASCII: the same bytes */
		return hk_buf_add(&r->cells, s, n, err) < 0 ? 0 : 1;
	*off = 0;
	return hk_sjis_to_utf8((const unsigned char *)s, n, &r->cells, off, err) < 0 ? -1 : 1;
}

/* Split the row into cells (quotes allowed) and decode each to UTF-8. */
static int split(struct rd *r, struct hk_err *err)
{
	const char *p = r->row.data ? r->row.data : "";
	size_t n = r->row.len, i = 0;
	struct hk_buf *rawp = &r->raw;
	int rc = 0;
	hk_buf_reset(&r->cells);
	r->ncell = 0;
#define raw (*rawp)
	for (;;) {
		const char *cs;
		size_t cn, off = 0;
		int got;
		if (r->ncell == HK_MAX_CSV_FIELDS) {
			rc = fail(r, 0, err, "more than HK_MAX_CSV_FIELDS (%d) columns", HK_MAX_CSV_FIELDS);
			goto out;
		}
		if (i < n && p[i] == '"') {
			hk_buf_reset(&raw);
			i++;
			for (;;) {
				if (i >= n) {
					rc = fail(r, r->ncell + 1, err, "a quoted cell is not closed on its line");
					goto out;
				}
				if (p[i] == '"') {
					if (i + 1 < n && p[i + 1] == '"') {
						hk_buf_addc(&raw, '"', err);
						i += 2;
						continue;
					}
					i++;
					break;
				}
				hk_buf_addc(&raw, p[i++], err);
			}
			if (i < n && p[i] != ',') {
				rc = fail(r, r->ncell + 1, err, "text after the closing quote");
				goto out;
			}
			cs = raw.data;
			cn = raw.len;
		} else {
			size_t j = i;
			while (j < n && p[j] != ',') {
				if (p[j] == '"') {
					rc = fail(r, r->ncell + 1, err, "a quote inside an unquoted cell");
					goto out;
				}
				j++;
			}
			cs = p + i;
			cn = j - i;
			i = j;
		}
		r->cell_off[r->ncell] = r->cells.len;
		if ((got = put_cell(r, cs, cn, &off, err)) == 0)
			goto bad;
		if (got < 0) {
			rc = fail(r, r->ncell + 1, err, "byte %zu is not a character of the allowed Shift_JIS set"
				  " (JIS X 0201/0208, 作成手引き 別紙4)", off + 1);
			goto out;
		}
		if (hk_buf_addc(&r->cells, '\0', err) < 0)
			goto bad;
		r->ncell++;
		if (i >= n)
			break;
		i++; /* the comma */
	}
	goto out;
bad:
	rc = fail(r, 0, err, "the row is longer than HK_MAX_CSV_LINE (%d bytes) once decoded", HK_MAX_CSV_LINE);
out:
#undef raw
	return rc;
}

static const char *cell(struct rd *r, int n)
{
	return n >= 1 && n <= r->ncell ? r->cells.data + r->cell_off[n - 1] : "";
}

/* UTF-8 full-width ASCII → half-width, spaces trimmed at both ends. */
static void half(const char *in, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;
	while (*s == ' ' || (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80))
		s += *s == ' ' ? 1 : 3;
	while (*s && o + 1 < size) {
		if (s[0] == 0xEF && ((s[1] == 0xBC && s[2] >= 0x81 && s[2] <= 0xBF) || (s[1] == 0xBD && s[2] >= 0x80 &&
											     s[2] <= 0x9E))) {
			unsigned cp = ((unsigned)(s[1] & 0x3F) << 6 | (s[2] & 0x3Fu)) + 0xF000u;
			out[o++] = (char)(cp - 0xFF00u + 0x20u);
			s += 3;
		} else if (s[0] == 0xEF && s[1] == 0xBF && s[2] == 0xA5) { /* ￥ */
			out[o++] = '\\';
			s += 3;
		} else if (s[0] == 0xC2 && s[1] == 0xA5) { /* ¥ */
			out[o++] = '\\';
			s += 2;
		} else if (s[0] == 0xE2 && s[1] == 0x88 && s[2] == 0x92) { /* − */
			out[o++] = '-';
			s += 3;
		} else {
			out[o++] = (char)*s++;
		}
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/* v into dst[size], cut as snprintf "%s" would. */
static void copy_cut(char *dst, size_t size, const char *v)
{
	size_t n = strnlen(v, size - 1);
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static bool digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* YYYYMM or GYYMM (元号 1 明治 .. 5 令和) → YYYYMM. */
static bool month_norm(const char *s, char out[7])
{
	static const int base[] = {0, 1867, 1911, 1925, 1988, 2018};
	int y, m;
	if (digits(s, 6, 6)) {
		y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
		m = (s[4] - '0') * 10 + (s[5] - '0');
	} else if (digits(s, 5, 5) && s[0] >= '1' && s[0] <= '5') {
		y = base[s[0] - '0'] + (s[1] - '0') * 10 + (s[2] - '0');
		m = (s[3] - '0') * 10 + (s[4] - '0');
	} else {
		return false;
	}
	if (m < 1 || m > 12 || y < 1900 || y > 2999)
		return false;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = (char)('0' + m / 10);
	out[5] = (char)('0' + m % 10);
	out[6] = '\0';
	return true;
}

static int value(struct rd *r, const struct col *c, const char *v, struct hk_res_item *it, struct hk_res_info *info,
		 struct hk_err *err)
{
	char h[HK_RES_TEXT_MAX];
	if (c->f == HK_RF_NONE || c->f == HK_RF_KIND || c->f == HK_RF_TEXT || c->f == HK_RF_COUNT)
		return 0;
	if (c->f == HK_RF_ITEM || c->f == HK_RF_ITEM_AFTER) { /* as written */
		copy_cut(c->f == HK_RF_ITEM ? it->item : it->item_after, HK_RES_TEXT_MAX, v);
		return 0;
	}
	half(v, h, sizeof(h));
	switch (c->f) {
	case HK_RF_NONE:
	case HK_RF_KIND:
	case HK_RF_TEXT:
	case HK_RF_COUNT:
		return 0;
	case HK_RF_SERVICE_MONTH:
	case HK_RF_MONTH: {
		char m[7] = "";
		if (h[0] && !month_norm(h, m))
			return fail(r, c->n, err, "'%s' is not a month (YYYYMM or GYYMM)", h);
		memcpy(c->f == HK_RF_MONTH ? info->month : it->service_month, m, 7);
		return 0;
	}
	case HK_RF_RECEIPT_NO:
		if (h[0] && !digits(h, 1, 6))
			return fail(r, c->n, err, "'%s' is not a レセプト番号 (1 to 6 digits)", h);
		memcpy(it->receipt_no, h, strlen(h) + 1);
		return 0;
	case HK_RF_SEARCH_NO:
		if (h[0] && !digits(h, 17, 30))
			return fail(r, c->n, err, "'%s' is not a 検索番号 (17 to 30 digits)", h);
		memcpy(it->search_no, h, strlen(h) + 1);
		return 0;
	case HK_RF_RECORD_KEY:
		if (strlen(h) > 20)
			return fail(r, c->n, err, "訪問看護記録番号等 is longer than 20 characters");
		for (const char *q = h; *q; q++)
			if (*q < 0x21 || *q > 0x7E)
				return fail(r, c->n, err, "訪問看護記録番号等 must be half-width letters, digits and signs");
		memcpy(it->record_key, h, strlen(h) + 1);
		return 0;
	case HK_RF_INSURER:
	case HK_RF_OLD_INSURER:
	case HK_RF_NEW_INSURER: {
		char *dst = c->f == HK_RF_INSURER ? it->insurer : c->f == HK_RF_OLD_INSURER ? it->old_insurer
											 : it->new_insurer;
		if (h[0] && !digits(h, 6, 8))
			return fail(r, c->n, err, "'%s' is not a 保険者番号 (6 or 8 digits)", h);
		if (h[0] && strlen(h) == 7)
			return fail(r, c->n, err, "'%s' is not a 保険者番号 (6 or 8 digits)", h);
		memcpy(dst, h, strlen(h) + 1);
		return 0;
	}
	case HK_RF_AMOUNT: {
		const char *q = h;
		bool neg = false;
		long long a = 0;
		if (*q == '\\')
			q++;
		if (*q == '-' || *q == '+')
			neg = *q++ == '-';
		if (!h[0])
			return 0;
		if (!digits(q, 1, 12))
			return fail(r, c->n, err, "'%s' is not an amount in yen (digits, optional sign and ¥)", h);
		a = strtoll(q, NULL, 10);
		it->amount = neg ? -a : a;
		it->has_amount = true;
		return 0;
	}
	case HK_RF_REASON:
		if (strlen(h) > 8)
			return fail(r, c->n, err, "事由 is longer than 8 characters");
		for (const char *q = h; *q; q++)
			if (!((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')))
				return fail(r, c->n, err, "事由 '%s' must be letters A-Z (増減点事由)", h);
		memcpy(it->reason, h, strlen(h) + 1);
		return 0;
	case HK_RF_ITEM:
	case HK_RF_ITEM_AFTER:
		return 0; /* above */
	case HK_RF_SWITCH_KIND:
		if (!strcmp(h, "振替") || !strcmp(h, "04") || !strcmp(h, "4"))
			it->switch_kind = 4;
		else if (!strcmp(h, "分割") || !strcmp(h, "05") || !strcmp(h, "5"))
			it->switch_kind = 5;
		else
			return fail(r, c->n, err, "'%s' is neither 振替 (04) nor 分割 (05)", h);
		return 0;
	case HK_RF_SPLIT_DATE: {
		struct hk_date d;
		if (!h[0])
			return 0;
		if (strlen(h) != 8 || !hk_date_parse(h, 8, &d))
			return fail(r, c->n, err, "'%s' is not a date (YYYYMMDD)", h);
		hk_date_fmt10(d, it->split_date);
		return 0;
	}
	case HK_RF_BODY:
		if (h[0] && strcmp(h, "1") && strcmp(h, "2"))
			return fail(r, c->n, err, "審査支払機関 must be 1 or 2");
		info->body = h[0] ? h[0] - '0' : 0;
		return 0;
	case HK_RF_STATION:
		if (h[0] && !digits(h, 7, 7))
			return fail(r, c->n, err, "訪問看護ステーションコード must be 7 digits");
		memcpy(info->station, h, strlen(h) + 1);
		return 0;
	case HK_RF_N:
		break;
	}
	return 0;
}

static int detail(struct rd *r, bool next, hk_res_fn fn, void *ctx, struct hk_res_info *info, struct hk_err *err)
{
	struct hk_res_item it;
	const struct layout *L = r->L;
	memset(&it, 0, sizeof(it));
	it.line = r->line;
	it.body = info->body;
	memcpy(it.month, info->month, sizeof(it.month));
	it.raw = r->row.data;
	it.rawlen = r->row.len;
	if (r->ncell > (int)L->ncols)
		return fail(r, 0, err, "%d columns; the %s layout has %zu (data/layouts)", r->ncell, L->name, L->ncols);
	for (size_t i = 0; i < L->ncols; i++) {
		const struct col *c = &L->cols[i];
		const char *v = cell(r, c->n);
		if (c->fill) {
			if (!v[0] && next) {
				v = r->prev[i];
			} else {
				size_t l = strlen(v);
				if (l >= HK_RES_TEXT_MAX)
					l = HK_RES_TEXT_MAX - 1;
				memcpy(r->prev[i], v, l);
				r->prev[i][l] = '\0';
			}
		}
		if (value(r, c, v, &it, info, err) < 0)
			return -1;
	}
	if (L == &layouts[HK_LAYOUT_ZOGEN] && !it.has_amount)
		return fail(r, 0, err, "a detail row without 増減金額");
	if (L == &layouts[HK_LAYOUT_FURIKAE]) {
		if (!it.new_insurer[0])
			return fail(r, 7, err, "empty: a 振替・分割 result names the confirmed insurer");
		if (it.switch_kind == 5 && !it.split_date[0])
			return fail(r, 8, err, "empty: a 分割 names the first day of the new insurer");
	}
	if (!it.search_no[0] && !it.record_key[0] && !(it.service_month[0] && it.receipt_no[0]))
		return fail(r, 0, err, "the row names no receipt: no 検索番号, no 訪問看護記録番号等 and no"
			    " 指定訪問看護年月 with レセプト番号");
	info->items++;
	info->total += it.amount;
	return fn ? fn(ctx, &it, err) : 0;
}

static enum role row_role(struct rd *r)
{
	const char *k = cell(r, 1);
	for (size_t i = 0; i < r->L->nkinds; i++)
		if (!strcmp(k, r->L->kinds[i].value))
			return r->L->kinds[i].role;
	return R_NONE;
}

static int run(struct rd *r, hk_res_fn fn, void *ctx, struct hk_res_info *info, struct hk_err *err)
{
	int got;
	bool first = true, total_seen = false, header_seen = false;
	while ((got = next_line(r, err)) > 0) {
		if (first && r->row.len >= 3 && !memcmp(r->row.data, "\xEF\xBB\xBF", 3)) {
			r->utf8 = true;
			memmove(r->row.data, r->row.data + 3, r->row.len - 3);
			r->row.len -= 3;
		}
		if (check_bytes(r, err) < 0 || split(r, err) < 0)
			return -1;
		if (r->ncell == 1 && !cell(r, 1)[0])
			return fail(r, 0, err, "an empty row");
		if (total_seen)
			return fail(r, 0, err, "a row after the total row");
		if (!r->L->kinds) { /* titles, then details */
			if (first) {
				for (size_t i = 0; i < r->L->ncols; i++)
					if (strcmp(cell(r, r->L->cols[i].n), r->L->cols[i].title) != 0)
						return fail(r, r->L->cols[i].n, err, "the title row says '%s'; the layout"
							    " (data/layouts) has '%s'", cell(r, r->L->cols[i].n),
							    r->L->cols[i].title);
			} else if (detail(r, false, fn, ctx, info, err) < 0) {
				return -1;
			}
			first = false;
			continue;
		}
		switch (row_role(r)) {
		case R_HEADER:
			if (!first)
				return fail(r, 1, err, "a header row that is not the first row");
			for (size_t i = 0; i < r->L->nheader; i++)
				if (value(r, &r->L->header[i], cell(r, r->L->header[i].n), NULL, info, err) < 0)
					return -1;
			header_seen = true;
			break;
		case R_TITLE:
		case R_SUBTOTAL:
			break;
		case R_DETAIL:
		case R_DETAIL_NEXT:
			if (!header_seen)
				return fail(r, 1, err, "a detail row before the header row (レコード種別 %s)",
					    r->L->kinds[0].value);
			if (detail(r, row_role(r) == R_DETAIL_NEXT, fn, ctx, info, err) < 0)
				return -1;
			break;
		case R_TOTAL: {
			long long count = -1, amount = 0;
			bool has_amount = false;
			for (size_t i = 0; i < r->L->ntotal; i++) {
				const struct col *c = &r->L->total[i];
				char h[64];
				half(cell(r, c->n), h, sizeof(h));
				if (c->f == HK_RF_COUNT && h[0]) {
					if (!digits(h, 1, 12))
						return fail(r, c->n, err, "件数 '%s' is not a number", h);
					count = strtoll(h, NULL, 10);
				} else if (c->f == HK_RF_AMOUNT && h[0]) {
					struct hk_res_item tmp;
					memset(&tmp, 0, sizeof(tmp));
					if (value(r, c, h, &tmp, info, err) < 0)
						return -1;
					amount = tmp.amount;
					has_amount = true;
				}
			}
			if (count >= 0 && count != info->items)
				return fail(r, 0, err, "the total row counts %lld items; the file holds %ld", count, info->items);
			if (has_amount && amount != info->total)
				return fail(r, 0, err, "the total row says %lld yen; the items add up to %lld", amount,
					    info->total);
			total_seen = true;
			break;
		}
		case R_NONE:
			return fail(r, 1, err, "レコード種別 '%s' is not one of the layout's kinds", cell(r, 1));
		}
		first = false;
	}
	if (got < 0)
		return -1;
	if (first)
		return hk_err_set(err, HK_EXIT_INPUT, "%s: the file is empty", r->name);
	if (r->L->kinds && !total_seen)
		return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld: the file ends without its total row (レコード種別 6);"
				  " is it truncated?", r->name, r->line);
	return 0;
}

static int parse(enum hk_res_layout layout, struct rd *r, hk_res_fn fn, void *ctx, struct hk_res_info *info,
		 struct hk_err *err)
{
	int rc;
	memset(info, 0, sizeof(*info));
	r->L = &layouts[layout];
	hk_buf_init(&r->row, HK_MAX_CSV_LINE, "HK_MAX_CSV_LINE");
	hk_buf_init(&r->cells, 3 * HK_MAX_CSV_LINE, "HK_MAX_CSV_LINE");
	hk_buf_init(&r->raw, HK_MAX_CSV_LINE, "HK_MAX_CSV_LINE");
	r->prev = hk_calloc(HK_MAX_CSV_FIELDS, sizeof(*r->prev));
	rc = run(r, fn, ctx, info, err);
	hk_buf_free(&r->row);
	hk_buf_free(&r->cells);
	hk_buf_free(&r->raw);
	hk_free(r->prev);
	return rc;
}

int hk_res_parse_file(enum hk_res_layout layout, const char *path, hk_res_fn fn, void *ctx,
		      struct hk_res_info *info, struct hk_err *err)
{
	struct rd *r;
	int rc;
	FILE *f = fopen(path, "rb");
	if (!f)
		return hk_err_set(err, HK_EXIT_IO, "%s: cannot open: %s", path, strerror(errno));
	r = hk_calloc(1, sizeof(*r));
	r->f = f;
	r->name = path;
	rc = parse(layout, r, fn, ctx, info, err);
	fclose(f);
	hk_free(r);
	return rc;
}

int hk_res_parse_mem(enum hk_res_layout layout, const void *data, size_t len, const char *name, hk_res_fn fn,
		     void *ctx, struct hk_res_info *info, struct hk_err *err)
{
	struct rd *r = hk_calloc(1, sizeof(*r));
	int rc;
	r->mem = data;
	r->memlen = len;
	r->name = name;
	rc = parse(layout, r, fn, ctx, info, err);
	hk_free(r);
	return rc;
}

/* ---- sniffing: the layout's own titles, in CP932 or UTF-8 ---- */

/* p starts with the text utf8, in UTF-8 (is_utf8) or in Shift_JIS. */
static bool has_prefix(const char *p, size_t n, const char *utf8, bool is_utf8)
{
	struct hk_buf b;
	struct hk_err e = {0};
	bool yes = false;
	size_t k = strlen(utf8);
	if (is_utf8)
		return n >= k && !memcmp(p, utf8, k);
	hk_buf_init(&b, 4096, "sniff");
	if (hk_utf8_to_sjis(utf8, k, &b, NULL, NULL, &e) == 0 && n >= b.len && !memcmp(p, b.data, b.len))
		yes = true;
	hk_buf_free(&b);
	return yes;
}

/* UTF-8 only with its BOM (as the reader does). */
static bool skip_bom(const char **head, size_t *n)
{
	if (*n >= 3 && !memcmp(*head, "\xEF\xBB\xBF", 3)) {
		*head += 3;
		*n -= 3;
		return true;
	}
	return false;
}

bool hk_zogen_sniff(const char *head, size_t n)
{
	/* header row, then the title row: "2,<title of column 2>," */
	const struct layout *L = &layouts[HK_LAYOUT_ZOGEN];
	const char *nl = memchr(head, '\n', n), *title = NULL, *kh = NULL, *kt = NULL;
	char want[256];
	for (size_t i = 0; i < L->nkinds; i++) {
		if (L->kinds[i].role == R_HEADER) kh = L->kinds[i].value;
		if (L->kinds[i].role == R_TITLE) kt = L->kinds[i].value;
	}
	for (size_t i = 0; i < L->ncols; i++)
		if (L->cols[i].n == 2)
			title = L->cols[i].title;
	bool u = skip_bom(&head, &n);
	if (!nl || !kh || !kt || !title)
		return false;
	hk_snprintf(want, sizeof(want), "%s,", kh);
	if (!has_prefix(head, n, want, u))
		return false;
	hk_snprintf(want, sizeof(want), "%s,%s,", kt, title);
	return has_prefix(nl + 1, n - (size_t)(nl + 1 - head), want, u);
}

bool hk_furikae_sniff(const char *head, size_t n)
{
	const struct layout *L = &layouts[HK_LAYOUT_FURIKAE];
	char want[512];
	size_t used = 0;
	for (size_t i = 0; i < L->ncols && i < 3; i++)
		used += (size_t)hk_snprintf(want + used, sizeof(want) - used, "%s,", L->cols[i].title);
	bool u = skip_bom(&head, &n);
	return has_prefix(head, n, want, u);
}
