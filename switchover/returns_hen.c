/*
 * returns_hen.c - the returned file (一次請求返戻ファイル, 作成手引き 別紙1;
 * DIGEST §4.2): a streaming reader and the database-free re-claim.
 *
 *   HH                      返戻訪問看護ステーションレコード (the HM items)
 *   RE ... KA               each returned receipt, RE 検索番号 filled
 *   HR ...                  返戻理由レコード, one or more
 *   8,n,0,<record>          履歴管理ブロック, kept byte for byte
 *   HG,件数,...             返戻合計レコード, last
 *
 * Bytes are read with the UKE reader (Shift_JIS repertoire of 別紙4, CR LF,
 * the final 0x1A optional); one receipt is held at a time.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "switchover/returns.h"
#include "base/fileio.h"
#include "base/limits.h"
#include "receipt/uke.h"

enum hen_state { S_START, S_HEAD, S_DATA, S_REASONS, S_HISTORY, S_END };

struct hen {
	const char *name;
	hk_hen_fn fn;
	void *ctx;
	struct hk_hen_info *info;
	enum hen_state state;
	struct hk_hen_receipt r;
	struct hk_buf data, hist, rawhr;
	size_t hr_off[HK_HEN_MAX_REASONS];
	/* first error reported by the reader */
	bool rd_error;
	char rd_msg[600];
	int hh_body;
	char hh_station[8], hh_month[7];
};

static void rd_diag(void *ctx, const struct hk_diag *d)
{
	struct hen *h = ctx;
	if (h->rd_error)
		return;
	if (d->severity == HK_WARNING && strcmp(d->code, "W-NO-EOF") == 0)
		return; /* the final 0x1A is optional in returned files */
	h->rd_error = true;
	if (d->line && d->field)
		hk_snprintf(h->rd_msg, sizeof(h->rd_msg), "%s:%ld: %s field %d: %s: %s", d->file, d->line,
			    d->rec[0] ? d->rec : "record", d->field, d->code, d->msg);
	else if (d->line)
		hk_snprintf(h->rd_msg, sizeof(h->rd_msg), "%s:%ld: %s: %s", d->file, d->line, d->code, d->msg);
	else
		hk_snprintf(h->rd_msg, sizeof(h->rd_msg), "%s: %s: %s", d->file, d->code, d->msg);
}

static bool fld_is(const struct hk_uke_record *rec, int i, const char *s)
{
	size_t n = strlen(s);
	return i < rec->nfields && rec->f[i].len == n && memcmp(rec->f[i].p, s, n) == 0;
}

static bool all_digits(const unsigned char *p, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

/* Copy field i as ASCII into out; -1 if longer than size-1. */
static int fcopy(const struct hk_uke_record *rec, int i, char *out, size_t size)
{
	size_t n = i < rec->nfields ? rec->f[i].len : 0;
	if (n >= size)
		return -1;
	if (n)
		memcpy(out, rec->f[i].p, n);
	out[n] = '\0';
	return 0;
}

static int bad(struct hen *h, long line, const char *rec, int field, struct hk_err *err, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static int bad(struct hen *h, long line, const char *rec, int field, struct hk_err *err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (field > 0)
		return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld: %s field %d: %s", h->name, line, rec, field, msg);
	return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld: %s: %s", h->name, line, rec[0] ? rec : "record", msg);
}

/* A history line: three numeric columns (データ識別, 行番号, 枝番号), then a record. */
static bool is_history(const struct hk_uke_record *rec)
{
	return rec->nfields >= 4 && all_digits(rec->f[0].p, rec->f[0].len) && rec->f[0].len <= 2 &&
	       all_digits(rec->f[1].p, rec->f[1].len) && all_digits(rec->f[2].p, rec->f[2].len);
}

/* UTF-8 of a Shift_JIS field; full-width ASCII (U+FF01..FF5E) to half-width when half is set. */
static int ftext(struct hen *h, const struct hk_uke_record *rec, int i, char *out, size_t size, bool half,
		 struct hk_err *err)
{
	struct hk_buf b;
	size_t bad_off = 0, o = 0;
	const unsigned char *s;
	int rc = 0;
	out[0] = '\0';
	if (i >= rec->nfields || rec->f[i].len == 0)
		return 0;
	hk_buf_init(&b, HK_MAX_RECORD_BYTES * 3, "HK_MAX_RECORD_BYTES");
	if (hk_sjis_to_utf8(rec->f[i].p, rec->f[i].len, &b, &bad_off, err) < 0) {
		rc = bad(h, rec->line, rec->id, i + 1, err, "byte %zu is not a character of the allowed Shift_JIS set",
			 bad_off + 1);
		goto out;
	}
	hk_buf_cstr(&b);
	s = (const unsigned char *)b.data;
	for (size_t k = 0; k < b.len && o + 4 < size;) {
		if (half && s[k] == 0xEF && k + 2 < b.len && ((s[k + 1] == 0xBC && s[k + 2] >= 0x81) ||
							      (s[k + 1] == 0xBD && s[k + 2] <= 0x9E))) {
			unsigned cp = 0xFF00u + ((unsigned)(s[k + 1] - 0xBC) << 6) + (s[k + 2] - 0x80u);
			out[o++] = (char)(cp - 0xFF00u + 0x20u);
			k += 3;
		} else {
			out[o++] = (char)s[k++];
		}
	}
	out[o] = '\0';
out:
	hk_buf_free(&b);
	return rc;
}

static int add_line(struct hk_buf *b, const struct hk_uke_record *rec, struct hk_err *err)
{
	if (hk_buf_add(b, rec->raw, rec->rawlen, err) < 0 || hk_buf_add(b, "\r\n", 2, err) < 0)
		return -1;
	return 0;
}

static int flush_receipt(struct hen *h, long line, struct hk_err *err)
{
	struct hk_hen_receipt *r = &h->r;
	if (r->nreasons == 0)
		return bad(h, line, "RE", 0, err, "the returned receipt that begins on line %ld has no HR record"
			   " (返戻理由); every returned receipt has at least one", r->line);
	r->data = (const unsigned char *)h->data.data;
	r->data_len = h->data.len;
	r->history = (const unsigned char *)h->hist.data;
	r->history_len = h->hist.len;
	for (int i = 0; i < r->nreasons; i++)
		r->reasons[i].raw = (const unsigned char *)h->rawhr.data + h->hr_off[i];
	h->info->receipts++;
	if (h->fn && h->fn(h->ctx, r, err) < 0)
		return -1;
	return 0;
}

static int start_receipt(struct hen *h, const struct hk_uke_record *rec, struct hk_err *err)
{
	struct hk_hen_receipt *r = &h->r;
	long seq = r->seq + 1;
	memset(r, 0, sizeof(*r));
	r->seq = seq;
	r->line = rec->line;
	r->body = h->hh_body;
	memcpy(r->station, h->hh_station, sizeof(r->station));
	memcpy(r->claim_month, h->hh_month, sizeof(r->claim_month));
	hk_buf_reset(&h->data);
	hk_buf_reset(&h->hist);
	hk_buf_reset(&h->rawhr);
	if (rec->nfields != 15)
		return bad(h, rec->line, "RE", 0, err, "%d fields; an RE record has 15", rec->nfields);
	if (!all_digits(rec->f[1].p, rec->f[1].len) || fcopy(rec, 1, r->receipt_no, sizeof(r->receipt_no)) < 0)
		return bad(h, rec->line, "RE", 2, err, "レセプト番号 must be 1 to 6 digits");
	if (rec->f[3].len != 6 || !all_digits(rec->f[3].p, 6))
		return bad(h, rec->line, "RE", 4, err, "指定訪問看護年月 must be YYYYMM");
	fcopy(rec, 3, r->service_month, sizeof(r->service_month));
	if (fcopy(rec, 13, r->record_key, sizeof(r->record_key)) < 0 || rec->f[13].len > 20)
		return bad(h, rec->line, "RE", 14, err, "訪問看護記録番号等 is longer than 20 bytes");
	if (rec->f[14].len < 17 || rec->f[14].len > 30 || !all_digits(rec->f[14].p, rec->f[14].len))
		return bad(h, rec->line, "RE", 15, err, "検索番号 must be 17 to 30 digits in a returned receipt (%s)",
			   rec->f[14].len ? "not digits or wrong length" : "empty");
	fcopy(rec, 14, r->search_no, sizeof(r->search_no));
	return add_line(&h->data, rec, err);
}

static int reason(struct hen *h, const struct hk_uke_record *rec, struct hk_err *err)
{
	struct hk_hen_receipt *r = &h->r;
	struct hk_hen_reason *hr;
	if (r->nreasons == HK_HEN_MAX_REASONS)
		return bad(h, rec->line, "HR", 0, err, "more than HK_HEN_MAX_REASONS (%d) HR records for one receipt",
			   HK_HEN_MAX_REASONS);
	if (rec->nfields < 5)
		return bad(h, rec->line, "HR", 0, err, "%d fields; an HR record has at least 5 (HR, 処理年月, 返戻区分,"
			   " 事由コード, 返戻理由)", rec->nfields);
	hr = &r->reasons[r->nreasons];
	memset(hr, 0, sizeof(*hr));
	hr->line = rec->line;
	if (rec->f[1].len != 6 || !all_digits(rec->f[1].p, 6))
		return bad(h, rec->line, "HR", 2, err, "処理年月 must be YYYYMM");
	fcopy(rec, 1, hr->processed, sizeof(hr->processed));
	if (!all_digits(rec->f[2].p, rec->f[2].len) || fcopy(rec, 2, hr->kubun, sizeof(hr->kubun)) < 0)
		return bad(h, rec->line, "HR", 3, err, "返戻区分 must be a number of 1 to 3 digits");
	if (ftext(h, rec, 3, hr->code, sizeof(hr->code), true, err) < 0)
		return -1;
	{
		size_t n = strlen(hr->code);
		bool ok = n >= 1 && n <= 10;
		for (size_t k = 0; k < n && ok; k++)
			ok = (hr->code[k] >= '0' && hr->code[k] <= '9') || (hr->code[k] >= 'A' && hr->code[k] <= 'Z');
		if (!ok)
			return bad(h, rec->line, "HR", 4, err, "返戻事由コード must be 1 to 10 letters and digits (e.g. L3129)");
	}
	if (ftext(h, rec, 4, hr->text, sizeof(hr->text), false, err) < 0)
		return -1;
	h->hr_off[r->nreasons] = h->rawhr.len;
	hr->rawlen = rec->rawlen;
	if (hk_buf_add(&h->rawhr, rec->raw, rec->rawlen, err) < 0)
		return -1;
	r->nreasons++;
	return 0;
}

static int history(struct hen *h, const struct hk_uke_record *rec, struct hk_err *err)
{
	struct hk_hen_receipt *r = &h->r;
	if (fld_is(rec, 3, "SN") && fld_is(rec, 4, "1")) {
		fcopy(rec, 5, r->sn_kakunin, sizeof(r->sn_kakunin));
		if (fcopy(rec, 6, r->sn_insurer, sizeof(r->sn_insurer)) < 0)
			return bad(h, rec->line, "SN", 4, err, "保険者番号等（資格確認） is longer than 8 bytes");
		if (ftext(h, rec, 7, r->sn_symbol, sizeof(r->sn_symbol), false, err) < 0 ||
		    ftext(h, rec, 8, r->sn_number, sizeof(r->sn_number), false, err) < 0)
			return -1;
	}
	return add_line(&h->hist, rec, err);
}

static int on_record(struct hen *h, const struct hk_uke_record *rec, struct hk_err *err)
{
	const char *id = rec->id;
	bool hist = is_history(rec);
	h->info->records++;
	if (h->state == S_END)
		return bad(h, rec->line, id, 0, err, "a record after HG; HG (返戻合計) is the last record");
	if (h->state == S_START) {
		char body[4];
		if (strcmp(id, "HH") != 0)
			return bad(h, rec->line, id, 0, err, "the file begins with %s; a returned file begins with HH"
				   " (返戻訪問看護ステーションレコード)", hist ? "a history line" : id[0] ? id : "an unknown record");
		if (rec->nfields < 7)
			return bad(h, rec->line, "HH", 0, err, "%d fields; HH has at least 7", rec->nfields);
		if (fcopy(rec, 1, body, sizeof(body)) < 0 || (strcmp(body, "1") != 0 && strcmp(body, "2") != 0))
			return bad(h, rec->line, "HH", 2, err, "審査支払機関 must be 1 or 2");
		h->hh_body = body[0] - '0';
		if (rec->f[4].len != 7 || !all_digits(rec->f[4].p, 7))
			return bad(h, rec->line, "HH", 5, err, "訪問看護ステーションコード must be 7 digits");
		fcopy(rec, 4, h->hh_station, sizeof(h->hh_station));
		if (rec->f[6].len != 6 || !all_digits(rec->f[6].p, 6))
			return bad(h, rec->line, "HH", 7, err, "請求年月 must be YYYYMM");
		fcopy(rec, 6, h->hh_month, sizeof(h->hh_month));
		h->state = S_HEAD;
		return 0;
	}
	if (strcmp(id, "HH") == 0)
		return bad(h, rec->line, "HH", 0, err, "a second HH record; a returned file has one, first");
	if (strcmp(id, "HG") == 0) {
		char cnt[16];
		if (h->state == S_DATA)
			return bad(h, rec->line, "HG", 0, err, "HG directly after the receipt's records: the receipt that"
				   " begins on line %ld has no HR record", h->r.line);
		if (h->state != S_HEAD && flush_receipt(h, rec->line, err) < 0)
			return -1;
		if (rec->nfields < 2 || !all_digits(rec->f[1].p, rec->f[1].len) ||
		    fcopy(rec, 1, cnt, sizeof(cnt)) < 0)
			return bad(h, rec->line, "HG", 2, err, "件数 must be a number");
		h->info->hg_count = strtol(cnt, NULL, 10);
		if (h->info->hg_count != h->info->receipts)
			return bad(h, rec->line, "HG", 2, err, "件数 says %ld returned receipts; the file holds %ld",
				   h->info->hg_count, h->info->receipts);
		if (rec->nfields > 2 && fcopy(rec, 2, h->info->hg_total, sizeof(h->info->hg_total)) < 0)
			return bad(h, rec->line, "HG", 3, err, "longer than 15 bytes");
		h->state = S_END;
		return 0;
	}
	if (strcmp(id, "RE") == 0 && !hist) {
		if (h->state == S_DATA)
			return bad(h, rec->line, "RE", 0, err, "a new receipt begins but the receipt on line %ld has no HR"
				   " record (返戻理由)", h->r.line);
		if (h->state == S_REASONS || h->state == S_HISTORY)
			if (flush_receipt(h, rec->line, err) < 0)
				return -1;
		h->state = S_DATA;
		return start_receipt(h, rec, err);
	}
	if (strcmp(id, "HR") == 0 && !hist) {
		if (h->state == S_HEAD)
			return bad(h, rec->line, "HR", 0, err, "HR before any returned receipt (RE)");
		if (h->state == S_HISTORY)
			return bad(h, rec->line, "HR", 0, err, "HR after the history block; the receipt's HR records come"
				   " before its history lines");
		h->state = S_REASONS;
		return reason(h, rec, err);
	}
	if (hist) {
		if (h->state == S_HEAD)
			return bad(h, rec->line, "", 0, err, "a history line (%.*s,...) before any returned receipt",
				   (int)rec->f[0].len, (const char *)rec->f[0].p);
		if (h->state == S_DATA)
			return bad(h, rec->line, "", 0, err, "a history line directly after the receipt's records; its HR"
				   " records come first");
		{
			const struct hk_record_def *d = hk_record_def_find((const char *)rec->f[3].p, rec->f[3].len);
			bool known = d || (rec->f[3].len == 2 && (!memcmp(rec->f[3].p, "HR", 2) ||
								  !memcmp(rec->f[3].p, "RC", 2)));
			if (!known && rec->f[3].len != 2)
				return bad(h, rec->line, "", 4, err, "a history line must carry a record id after its three"
					   " numeric columns");
		}
		h->state = S_HISTORY;
		return history(h, rec, err);
	}
	/* a record of the returned receipt */
	if (!rec->def || strcmp(id, "HM") == 0 || strcmp(id, "GO") == 0)
		return bad(h, rec->line, id, 1, err, "%s is not a record of a returned file (HH, RE..KA, HR, history"
			   " lines, HG)", id[0] ? id : "this");
	if (h->state != S_DATA)
		return bad(h, rec->line, id, 0, err, "%s outside a returned receipt's records (they follow its RE,"
			   " before its HR)", id);
	if (strcmp(id, "HO") == 0 && rec->nfields > 1) {
		size_t n = rec->f[1].len, k = 0;
		const unsigned char *p = rec->f[1].p;
		while (k < n && p[k] == ' ')
			k++;
		if (n - k > 8 || !all_digits(p + k, n - k))
			return bad(h, rec->line, "HO", 2, err, "保険者番号 must be 6 or 8 digits");
		memcpy(h->r.insurer, p + k, n - k);
		h->r.insurer[n - k] = '\0';
	}
	return add_line(&h->data, rec, err);
}

static int run(struct hen *h, struct hk_uke_reader *rd, struct hk_err *err)
{
	struct hk_uke_record rec;
	long last = 0;
	int rc;
	while ((rc = hk_uke_next(rd, &rec, err)) > 0) {
		if (h->rd_error)
			return hk_err_set(err, HK_EXIT_INPUT, "%s", h->rd_msg);
		last = rec.line;
		if (on_record(h, &rec, err) < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (h->rd_error)
		return hk_err_set(err, HK_EXIT_INPUT, "%s", h->rd_msg);
	if (h->state == S_START)
		return hk_err_set(err, HK_EXIT_INPUT, "%s: the file is empty", h->name);
	if (h->state != S_END)
		return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld: the file ends without HG (返戻合計); is it truncated?",
				  h->name, last);
	return 0;
}

static void hen_init(struct hen *h, const char *name, hk_hen_fn fn, void *ctx, struct hk_hen_info *info)
{
	memset(h, 0, sizeof(*h));
	memset(info, 0, sizeof(*info));
	h->name = name;
	h->fn = fn;
	h->ctx = ctx;
	h->info = info;
	hk_buf_init(&h->data, HK_MAX_RECEIPT_BYTES, "HK_MAX_RECEIPT_BYTES");
	hk_buf_init(&h->hist, HK_MAX_RECEIPT_BYTES, "HK_MAX_RECEIPT_BYTES");
	hk_buf_init(&h->rawhr, (size_t)HK_HEN_MAX_REASONS * HK_MAX_RECORD_BYTES, "HK_HEN_MAX_REASONS");
}

static void hen_free(struct hen *h)
{
	hk_buf_free(&h->data);
	hk_buf_free(&h->hist);
	hk_buf_free(&h->rawhr);
}

int hk_hen_parse_file(const char *path, hk_hen_fn fn, void *ctx, struct hk_hen_info *info, struct hk_err *err)
{
	struct hen h;
	struct hk_uke_reader *rd;
	int rc;
	hen_init(&h, path, fn, ctx, info);
	rd = hk_uke_open(path, HK_UKE_TOLERANT, rd_diag, &h, err);
	if (!rd) {
		hen_free(&h);
		return -1;
	}
	rc = run(&h, rd, err);
	hk_uke_close(rd);
	hen_free(&h);
	return rc;
}

int hk_hen_parse_mem(const void *data, size_t len, const char *name, hk_hen_fn fn, void *ctx,
		     struct hk_hen_info *info, struct hk_err *err)
{
	struct hen h;
	struct hk_uke_reader *rd;
	int rc;
	hen_init(&h, name, fn, ctx, info);
	rd = hk_uke_open_mem(data, len, name, HK_UKE_TOLERANT, rd_diag, &h);
	rc = run(&h, rd, err);
	hk_uke_close(rd);
	hen_free(&h);
	return rc;
}

/* "HH," and, on its first line, the commas of at least the seven HM items. */
bool hk_hen_sniff(const char *head, size_t n)
{
	int commas = 0;
	if (n < 3 || memcmp(head, "HH,", 3) != 0)
		return false;
	for (size_t i = 0; i < n && head[i] != '\r' && head[i] != '\n'; i++)
		commas += head[i] == ',';
	return commas >= 6;
}

/* ---- re-claim without the database ---- */

struct refile {
	struct hk_pubfile pf;
	const char *claim6;
	struct hk_reclaim_file_stats *st;
	struct hk_buf out;
	bool hm_done;
	const char *in;
	/* HH, kept until the first receipt arrives */
	char hh[HK_MAX_RECORD_BYTES + 8];
	size_t hhlen;
};

static int re_put(struct refile *f, const void *p, size_t n, struct hk_err *err)
{
	if (hk_buf_add(&f->out, p, n, err) < 0)
		return -1;
	if (f->out.len >= (1u << 20)) {
		if (hk_pubfile_write(&f->pf, f->out.data, f->out.len, err) < 0)
			return -1;
		hk_buf_reset(&f->out);
	}
	return 0;
}

static int re_receipt(void *ctx, const struct hk_hen_receipt *r, struct hk_err *err)
{
	struct refile *f = ctx;
	f->st->receipts++;
	f->st->reasons_dropped += r->nreasons;
	for (size_t i = 0; i < r->history_len; i++)
		if (r->history[i] == '\n')
			f->st->history_lines++;
	/* RE レセプト番号 renumbered 1, 2, ... in the new file (作成手引き 別紙1); the rest as received */
	{
		const unsigned char *c1 = memchr(r->data, ',', r->data_len), *c2;
		c2 = c1 ? memchr(c1 + 1, ',', r->data_len - (size_t)(c1 + 1 - r->data)) : NULL;
		if (!c2)
			return hk_err_set(err, HK_EXIT_INTERNAL, "RE without fields");
		char no[24];
		int k = hk_snprintf(no, sizeof(no), "RE,%ld", f->st->receipts);
		if (re_put(f, no, (size_t)k, err) < 0 ||
		    re_put(f, c2, r->data_len - (size_t)(c2 - r->data), err) < 0 ||
		    re_put(f, r->history, r->history_len, err) < 0)
			return -1;
	}
	return 0;
}

/* HH,<fields> → HM,<fields> with field 7 (請求年月) replaced. */
static int hm_from_hh(const unsigned char *hh, size_t n, const char *claim6, struct hk_buf *out, struct hk_err *err)
{
	int field = 1;
	size_t i = 2;
	if (hk_buf_add(out, "HM", 2, err) < 0)
		return -1;
	while (i < n) {
		size_t j = i;
		if (hh[i] == ',') {
			field++;
			if (hk_buf_addc(out, ',', err) < 0)
				return -1;
			i++;
			if (field == 7) {
				while (i < n && hh[i] != ',')
					i++;
				if (hk_buf_adds(out, claim6, err) < 0)
					return -1;
			}
			continue;
		}
		while (j < n && hh[j] != ',')
			j++;
		if (hk_buf_add(out, hh + i, j - i, err) < 0)
			return -1;
		i = j;
	}
	return hk_buf_add(out, "\r\n", 2, err);
}

int hk_hen_reclaim_file(const char *in, const char *claim6, const char *out, struct hk_reclaim_file_stats *st,
			struct hk_err *err)
{
	struct refile f;
	struct hk_hen_info info;
	char *head = NULL;
	size_t headlen = 0, eol;
	int rc = -1;
	memset(&f, 0, sizeof(f));
	memset(st, 0, sizeof(*st));
	f.claim6 = claim6;
	f.st = st;
	f.in = in;
	hk_buf_init(&f.out, 4u << 20, "output buffer");
	/* HH is the first line: read it to write HM before the receipts */
	{
		FILE *fp = fopen(in, "rb");
		char line[HK_MAX_RECORD_BYTES + 8];
		size_t n;
		if (!fp)
			return hk_err_set(err, HK_EXIT_IO, "%s: cannot open: %s", in, strerror(errno));
		n = fread(line, 1, sizeof(line) - 1, fp);
		fclose(fp);
		for (eol = 0; eol < n && line[eol] != '\r' && line[eol] != '\n'; eol++)
			;
		if (eol < 3 || memcmp(line, "HH,", 3) != 0) {
			hk_buf_free(&f.out);
			return hk_err_set(err, HK_EXIT_INPUT, "%s:1: the file does not begin with HH; it is not a returned"
					  " file", in);
		}
		head = hk_strndup(line, eol);
		headlen = eol;
	}
	if (hm_from_hh((const unsigned char *)head, headlen, claim6, &f.out, err) < 0)
		goto out;
	if (hk_pubfile_open(&f.pf, out, 0644, err) < 0)
		goto out;
	if (hk_hen_parse_file(in, re_receipt, &f, &info, err) < 0) {
		hk_pubfile_abort(&f.pf);
		goto out;
	}
	if (info.receipts == 0) {
		hk_pubfile_abort(&f.pf);
		hk_err_set(err, HK_EXIT_INPUT, "%s: no returned receipt in the file; nothing to re-claim", in);
		goto out;
	}
	if (re_put(&f, "GO\r\n\x1a", 5, err) < 0 ||
	    hk_pubfile_write(&f.pf, f.out.data, f.out.len, err) < 0 || hk_pubfile_commit(&f.pf, err) < 0) {
		hk_pubfile_abort(&f.pf);
		goto out;
	}
	rc = 0;
out:
	hk_free(head);
	hk_buf_free(&f.out);
	return rc;
}
