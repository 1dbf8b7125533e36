/*
 * show.c - a readable UTF-8 rendering of RECEIPTH.UKE for a billing clerk
 * (`houkan show`).  Streams the file with the reader (tolerant mode), so its
 * memory does not grow with the file.  Labels of codes come from the 別表
 * tables of records.c; KA names from a callback (the 訪問看護療養費マスター).
 */
#include <string.h>
#include "receipt/uke.h"

struct show {
	FILE *out;
	struct hk_buf u;          /* decoded field */
	hk_show_name_fn name_fn;
	void *name_ctx;
	bool in_receipt;
	long rka;                 /* KA lines in this receipt */
	long long rtotal;         /* Σ 金額 in this receipt */
	struct hk_show_stats *st;
};

/* Field i (1-based) decoded to UTF-8; undecodable bytes become U+FFFD. */
static const char *fld(struct show *s, const struct hk_uke_record *rec, int i)
{
	const unsigned char *p;
	size_t n, bad;
	struct hk_err err;

	hk_buf_reset(&s->u);
	if (i < 1 || i > rec->nfields)
		return "";
	p = rec->f[i - 1].p;
	n = rec->f[i - 1].len;
	while (n > 0) {
		bad = n;
		if (hk_sjis_to_utf8(p, n, &s->u, &bad, &err) == 0 || bad >= n)
			break;
		hk_buf_adds(&s->u, "\xEF\xBF\xBD", &err);
		/* skip a whole two-byte cell (lead 0x81-0x9F/0xE0-0xFC, trail 0x40-0xFC) */
		if (((p[bad] >= 0x81 && p[bad] <= 0x9F) || (p[bad] >= 0xE0 && p[bad] <= 0xFC)) &&
		    bad + 1 < n && p[bad + 1] >= 0x40 && p[bad + 1] <= 0xFC && p[bad + 1] != 0x7F)
			bad++;
		p += bad + 1;
		n -= bad + 1;
	}
	return hk_buf_cstr(&s->u) ? hk_buf_cstr(&s->u) : "";
}

/* Field as a short ASCII string (codes, numbers, dates). */
static const char *raw(const struct hk_uke_record *rec, int i, char *buf, size_t size)
{
	size_t n;

	buf[0] = '\0';
	if (i < 1 || i > rec->nfields)
		return buf;
	n = rec->f[i - 1].len < size - 1 ? rec->f[i - 1].len : size - 1;
	memcpy(buf, rec->f[i - 1].p, n);
	buf[n] = '\0';
	return buf;
}

static long long num(const struct hk_uke_record *rec, int i)
{
	long long v = 0;
	size_t k;

	if (i < 1 || i > rec->nfields)
		return 0;
	for (k = 0; k < rec->f[i - 1].len; k++) {
		unsigned char c = rec->f[i - 1].p[k];
		if (c < '0' || c > '9' || v > 100000000000LL)
			return 0;
		v = v * 10 + (c - '0');
	}
	return v;
}

/* 1234567 -> "1,234,567" */
static const char *yen(long long v, char *buf, size_t size)
{
	char t[32];
	size_t n, i, j = 0;
	bool neg = v < 0;

	hk_snprintf(t, sizeof t, "%lld", neg ? -v : v);
	n = strlen(t);
	if (neg && j + 1 < size)
		buf[j++] = '-';
	for (i = 0; i < n && j + 2 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[j++] = ',';
		buf[j++] = t[i];
	}
	buf[j] = '\0';
	return buf;
}

/* "20240615" -> "2024-06-15", "202406" -> "2024年06月"; else as is. */
static const char *date(const char *d, char *buf, size_t size)
{
	size_t n = strlen(d);

	if (n == 8)
		hk_snprintf(buf, size, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
	else if (n == 6)
		hk_snprintf(buf, size, "%.4s年%.2s月", d, d + 4);
	else
		hk_snprintf(buf, size, "%s", d);
	return buf;
}

static const char *label(int table, const char *code)
{
	const char *l = hk_code_label(table, code, strlen(code));
	return l ? l : "?";
}

static void end_receipt(struct show *s)
{
	char y[32];

	if (!s->in_receipt)
		return;
	fprintf(s->out, "  レセプト計: 訪問看護療養費 %ld 件  %s円\n\n", s->rka, yen(s->rtotal, y, sizeof y));
	s->in_receipt = false;
}

static void show_record(struct show *s, const struct hk_uke_record *r)
{
	char a[64], b[64], c[64], d[64], y[32];
	const char *id = r->id;

	if (!r->def) {
		fprintf(s->out, "  (%ld行目: 不明なレコード \"%s\")\n", r->line, fld(s, r, 1));
		return;
	}
	if (strcmp(id, "HM") == 0) {
		fprintf(s->out, "訪問看護ステーション: %s", raw(r, 5, a, sizeof a));
		fprintf(s->out, " %s\n", fld(s, r, 6));
		raw(r, 3, a, sizeof a);
		fprintf(s->out, "  都道府県: %s %s  点数表: %s", a, label(2, a), raw(r, 4, b, sizeof b));
		fprintf(s->out, "  電話番号: %s\n", fld(s, r, 8));
		raw(r, 2, a, sizeof a);
		fprintf(s->out, "審査支払機関: %s %s\n", a, label(1, a));
		fprintf(s->out, "請求年月: %s\n\n", date(raw(r, 7, a, sizeof a), b, sizeof b));
	} else if (strcmp(id, "RE") == 0) {
		end_receipt(s);
		s->in_receipt = true;
		s->rka = 0;
		s->rtotal = 0;
		s->st->receipts++;
		raw(r, 3, b, sizeof b);
		fprintf(s->out, "レセプト %s  種別 %s %s  指定訪問看護年月 %s\n", raw(r, 2, a, sizeof a),
			b, label(4, b), date(raw(r, 4, c, sizeof c), d, sizeof d));
		fprintf(s->out, "  氏名: %s", fld(s, r, 5));
		if (r->nfields >= 6 && r->f[5].len)
			fprintf(s->out, " (%s)", fld(s, r, 6));
		raw(r, 7, a, sizeof a);
		fprintf(s->out, "  性別: %s  生年月日: %s\n", label(5, a), date(raw(r, 8, b, sizeof b), c, sizeof c));
		if (r->nfields >= 11 && r->f[10].len)
			fprintf(s->out, "  給付割合: %s%%\n", raw(r, 11, a, sizeof a));
		if (r->nfields >= 14 && r->f[13].len)
			fprintf(s->out, "  訪問看護記録番号等: %s\n", fld(s, r, 14));
	} else if (strcmp(id, "HO") == 0) {
		fprintf(s->out, "  保険者番号: %s", raw(r, 2, a, sizeof a));
		if (r->nfields >= 3 && r->f[2].len)
			fprintf(s->out, "  記号: %s", fld(s, r, 3));
		fprintf(s->out, "  番号: %s", fld(s, r, 4));
		fprintf(s->out, "  実日数: %lld  合計金額: %s円\n", num(r, 5), yen(num(r, 6), y, sizeof y));
	} else if (strcmp(id, "KO") == 0) {
		fprintf(s->out, "  公費: 負担者番号 %s", raw(r, 2, a, sizeof a));
		if (r->nfields >= 3 && r->f[2].len)
			fprintf(s->out, "  受給者番号 %s", raw(r, 3, a, sizeof a));
		fprintf(s->out, "  実日数 %lld  合計金額 %s円", num(r, 5), yen(num(r, 6), y, sizeof y));
		if (r->nfields >= 7 && r->f[6].len)
			fprintf(s->out, "  一部負担金額 %s円", yen(num(r, 7), y, sizeof y));
		fputc('\n', s->out);
	} else if (strcmp(id, "JD") == 0) {
		int day;
		raw(r, 2, a, sizeof a);
		fprintf(s->out, "  訪問日 (%s):", label(23, a));
		for (day = 1; day <= 31 && day + 2 <= r->nfields; day++)
			if (r->f[day + 1].len)
				fprintf(s->out, " %d%s", day,
					r->f[day + 1].len == 1 && r->f[day + 1].p[0] == '2' ? "(実日数外)" : "");
		fputc('\n', s->out);
	} else if (strcmp(id, "KA") == 0) {
		const char *name = NULL;
		long long amount = num(r, 6);
		raw(r, 2, a, sizeof a);
		raw(r, 4, b, sizeof b);
		if (s->name_fn)
			name = s->name_fn(s->name_ctx, b, a);
		if (s->rka == 0)
			fprintf(s->out, "  訪問看護療養費:\n");
		fprintf(s->out, "    %s  %s %10s円  %s", date(a, c, sizeof c), b,
			yen(amount, y, sizeof y), name ? name : "(名称不明)");
		raw(r, 3, d, sizeof d);
		fprintf(s->out, "  [負担区分 %s", d);
		if (r->nfields >= 5 && r->f[4].len)
			fprintf(s->out, "  数量 %s", raw(r, 5, d, sizeof d));
		if (r->nfields >= 7 && r->f[6].len)
			fprintf(s->out, "  職種等 %s", raw(r, 7, d, sizeof d));
		fputs("]\n", s->out);
		s->rka++;
		s->rtotal += amount;
		s->st->ka++;
		s->st->total += amount;
	} else if (strcmp(id, "GO") == 0) {
		end_receipt(s);
	}
}

int hk_uke_show(const char *path, FILE *out, hk_show_name_fn name_fn, void *name_ctx,
		hk_diag_fn diag, void *dctx, struct hk_show_stats *st, struct hk_err *err)
{
	struct hk_uke_reader *r;
	struct hk_uke_record *rec = NULL;
	struct show s;
	long known = 0;
	char y[32];
	int rc = -1, n;

	memset(st, 0, sizeof *st);
	memset(&s, 0, sizeof s);
	s.out = out;
	s.name_fn = name_fn;
	s.name_ctx = name_ctx;
	s.st = st;
	hk_buf_init(&s.u, 4 * HK_MAX_RECORD_BYTES, "HK_MAX_RECORD_BYTES");
	r = hk_uke_open(path, HK_UKE_TOLERANT, diag, dctx, err);
	if (!r)
		goto out;
	rec = hk_malloc(sizeof *rec);
	fprintf(out, "ファイル: %s\n", path);
	while ((n = hk_uke_next(r, rec, err)) == 1) {
		st->records++;
		if (rec->def)
			known++;
		show_record(&s, rec);
	}
	if (n < 0)
		goto out;
	end_receipt(&s);
	if (known == 0) {
		hk_err_set(err, HK_EXIT_INPUT, "%s: no record of the visiting-nursing receipt file found", path);
		goto out;
	}
	fprintf(out, "ファイル計: レセプト %ld 件  訪問看護療養費 %ld 件  %s円\n", st->receipts, st->ka,
		yen(st->total, y, sizeof y));
	rc = 0;
out:
	hk_uke_close(r);
	hk_free(rec);
	hk_buf_free(&s.u);
	return rc;
}
