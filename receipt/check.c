/*
 * check.c - the driver of `houkan check`: reads records one at a time,
 * runs the record rules on each, the file rules on the sequence, and the
 * receipt rules on each receipt once it is complete.  Only the current
 * receipt is kept (a copy of its fields in one arena).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "receipt/check_int.h"
#include "base/limits.h"
#include "master/master.h"

void ck_diag(struct ck_ctx *c, long line, const char *rec, int field, const char *code,
	     const char *fmt, ...)
{
	const struct hk_check_rule *rule = hk_check_rule_find(code);
	struct hk_diag d;
	va_list ap;

	memset(&d, 0, sizeof(d));
	d.file = c->file;
	d.line = line;
	if (rec)
		hk_snprintf(d.rec, sizeof(d.rec), "%s", rec);
	d.field = field;
	d.severity = rule ? rule->severity : HK_ERROR;
	d.code = rule ? rule->code : code;
	va_start(ap, fmt);
	vsnprintf(d.msg, sizeof(d.msg), fmt, ap);
	va_end(ap);
	if (d.severity == HK_ERROR)
		c->st->errors++;
	else
		c->st->warnings++;
	if (c->fn)
		c->fn(c->fnctx, &d);
}

const char *ck_show(const unsigned char *p, size_t len, char *out, size_t n)
{
	struct hk_buf b;
	struct hk_err err = {0};
	size_t bad = 0, o = 0;

	if (n < 8) {
		if (n)
			out[0] = '\0';
		return out;
	}
	hk_buf_init(&b, HK_MAX_RECORD_BYTES * 3, "HK_MAX_RECORD_BYTES");
	out[o++] = '\'';
	if (len && hk_sjis_to_utf8(p, len, &b, &bad, &err) == 0 && b.len) {
		size_t k = b.len < n - 6 ? b.len : n - 6;
		while (k > 0 && k < b.len && ((unsigned char)b.data[k] & 0xC0) == 0x80)
			k--; /* do not cut a UTF-8 character */
		memcpy(out + o, b.data, k);
		o += k;
		if (k < b.len) {
			memcpy(out + o, "...", 3);
			o += 3;
		}
	} else {
		for (size_t i = 0; i < len && o + 6 < n; i++) {
			if (p[i] >= 0x20 && p[i] < 0x7F && p[i] != '\'')
				out[o++] = (char)p[i];
			else
				o += (size_t)hk_snprintf(out + o, n - o, "\\x%02X", p[i]);
		}
	}
	if (o + 2 > n)
		o = n - 2;
	out[o++] = '\'';
	out[o] = '\0';
	hk_buf_free(&b);
	return out;
}

static void on_reader_diag(void *ctx, const struct hk_diag *d)
{
	struct ck_ctx *c = ctx;
	if (d->severity == HK_ERROR)
		c->st->errors++;
	else
		c->st->warnings++;
	if (c->fn)
		c->fn(c->fnctx, d);
}

static void finish_receipt(struct ck_ctx *c)
{
	if (c->in_receipt && !c->overflow)
		ck_receipt(c);
	c->in_receipt = false;
	c->overflow = false;
	c->nrecs = 0;
	c->field_bytes = 0;
	hk_buf_reset(&c->arena);
}

/* Keep a record of the current receipt: its raw bytes go into the arena in
 * one piece, its fields become offsets into them. */
static void store(struct ck_ctx *c, const struct hk_uke_record *r, bool shape, uint64_t ok)
{
	struct ck_rec *s;
	struct hk_err err; /* set by hk_buf_add() on failure only (zeroing it costs) */
	size_t base, fbytes = 0;
	int nf;

	if (c->overflow)
		return;
	if (c->nrecs == HK_MAX_RECEIPT_RECORDS) {
		ck_diag(c, r->line, r->id, 0, "E-RE-CAP",
			"receipt %ld has more than HK_MAX_RECEIPT_RECORDS (%d) records; its receipt-level "
			"checks are skipped", c->receipt_no, HK_MAX_RECEIPT_RECORDS);
		c->overflow = true;
		return;
	}
	nf = r->nfields < HK_MAX_FIELDS ? r->nfields : HK_MAX_FIELDS;
	for (int i = 0; i < nf; i++)
		fbytes += r->f[i].len;
	/* the cap counts field bytes (not the commas between them) */
	if (fbytes > HK_MAX_RECEIPT_BYTES - c->field_bytes ||
	    hk_buf_add(&c->arena, r->raw, r->rawlen, &err) < 0) {
		ck_diag(c, r->line, r->id, 0, "E-RE-CAP",
			"receipt %ld is larger than %s; its receipt-level checks are skipped",
			c->receipt_no, "HK_MAX_RECEIPT_BYTES");
		c->overflow = true;
		return;
	}
	c->field_bytes += fbytes;
	base = c->arena.len - r->rawlen;
	if (c->nrecs == c->arecs) {
		c->arecs = c->arecs ? c->arecs * 2 : 64;
		c->recs = hk_realloc(c->recs, c->arecs * sizeof(*c->recs));
	}
	s = &c->recs[c->nrecs];
	s->line = r->line;
	s->def = r->def;
	memcpy(s->id, r->id, sizeof(s->id));
	s->rank = (signed char)ck_rank_of(r->id);
	s->nfields = nf;
	s->shape_ok = shape;
	for (int i = 0; i < nf; i++) {
		/* every field lies inside the record's raw bytes */
		s->f[i].off = (uint32_t)(base + (size_t)(r->f[i].p - r->raw));
		s->f[i].len = (uint16_t)r->f[i].len;
		s->f[i].ok = (ok >> i & 1) != 0;
	}
	c->nrecs++;
}

static void structure(struct ck_ctx *c, const struct hk_uke_record *r, bool shape, uint64_t ok)
{
	bool hm = r->id[0] == 'H' && r->id[1] == 'M', go = r->id[0] == 'G' && r->id[1] == 'O';

	if (!c->fragment) {
		if (c->nrecords == 1 && !hm)
			ck_diag(c, r->line, r->id, 0, "E-HM-FIRST",
				"the file begins with %s; the first record must be HM (訪問看護ステーション情報)",
				r->id[0] ? r->id : "an unknown record");
		if (hm) {
			if (c->nrecords > 1)
				ck_diag(c, r->line, "HM", 0, "E-HM-DUP",
					"a second HM record; a file has exactly one, as its first record");
			else if (shape && (ok >> 6 & 1) && r->f[6].len == 6)
				hk_snprintf(c->claim_month, sizeof(c->claim_month), "%.6s",
					    (const char *)r->f[6].p);
			return;
		}
		if (c->seen_go && !go && !c->after_go_reported) {
			ck_diag(c, r->line, r->id, 0, "E-GO-LAST",
				"%s after GO (line %ld); GO is the last record of the file",
				r->id[0] ? r->id : "a record", c->go_line);
			c->after_go_reported = true;
		}
		if (go) {
			finish_receipt(c);
			if (c->seen_go) {
				ck_diag(c, r->line, "GO", 0, "E-GO-DUP",
					"a second GO record (the first is on line %ld)", c->go_line);
				return;
			}
			c->seen_go = true;
			c->go_line = r->line;
			if (c->receipt_no == 0)
				ck_diag(c, r->line, "GO", 0, "E-NO-RECEIPT",
					"the file holds no receipt: at least one RE ... must come between HM and GO");
			return;
		}
	}
	if (r->id[0] == 'R' && r->id[1] == 'E') {
		finish_receipt(c);
		c->in_receipt = true;
		c->receipt_no++;
		c->st->receipts++;
		store(c, r, shape, ok);
		return;
	}
	if (!r->def)
		return; /* unknown id: E-REC-ID said so */
	if (!c->in_receipt) {
		if (c->fragment || !c->seen_go)
			ck_diag(c, r->line, r->id, 0, "E-REC-ORPHAN",
				"%s before any RE record; receipt records belong to the receipt an RE begins",
				r->id);
		return;
	}
	store(c, r, shape, ok);
}

/* 作成手引き 別紙1: in a re-claim file a receipt with 検索番号 is followed by its
 * 履歴管理ブロック - lines of three numeric columns (データ識別, 行番号, 枝番号) and a
 * record, kept exactly as the review body sent them.  They are not records of
 * the receipt and are not checked (docs/returns.md). */
static bool history_line(const struct ck_ctx *c, const struct hk_uke_record *r)
{
	const struct ck_rec *re;
	if (!c->in_receipt || c->nrecs == 0 || r->nfields < 4 || r->f[0].len == 0 || r->f[0].len > 2 ||
	    r->f[1].len == 0 || r->f[2].len == 0)
		return false;
	for (int i = 0; i < 3; i++)
		for (size_t k = 0; k < r->f[i].len; k++)
			if (r->f[i].p[k] < '0' || r->f[i].p[k] > '9')
				return false;
	re = &c->recs[0];
	return strcmp(re->id, "RE") == 0 && re->nfields > 14 && re->f[14].len > 0;
}

/*
 * ck_record() is a function of the record's bytes alone (its line number only
 * goes into messages), so a record met again - the same KA line in many
 * receipts - gets the answer it got the first time, if that answer came
 * without a diagnostic.  Records up to RM_BYTES bytes, RM_SLOTS of them, one
 * per hash slot (the last one wins).
 */
_Static_assert(HK_MAX_FIELDS <= 64, "a record's ok flags fit one uint64_t");
#define RM_SLOTS 4096
#define RM_BYTES 64
struct ck_rm_slot {
	uint64_t hash;
	uint64_t ok;            /* bit i: ok[i] */
	uint16_t len;
	bool used, shape;
	unsigned char b[RM_BYTES];
};
struct ck_rmemo {
	struct ck_rm_slot s[RM_SLOTS];
};

static uint64_t rm_hash(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15u ^ n, w;
	size_t k = 0;
	for (; k + 8 <= n; k += 8) {
		memcpy(&w, p + k, 8);
		h = (h ^ w) * 0xFF51AFD7ED558CCDu;
		h ^= h >> 29;
	}
	for (w = 0; k < n; k++)
		w = w << 8 | p[k];
	h = (h ^ w) * 0xC4CEB9FE1A85EC53u;
	return h ^ h >> 32;
}

/* ck_record() of a record, through c->rmemo; *ok gets bit i set when field i passed. */
static bool record_checked(struct ck_ctx *c, const struct hk_uke_record *r, uint64_t *ok)
{
	struct ck_rmemo *rm = c->rmemo;
	struct ck_rm_slot *e = NULL;
	bool okv[HK_MAX_FIELDS], shape;
	uint64_t h = 0, mask = 0;
	long before = c->st->errors + c->st->warnings;
	int n = r->nfields < HK_MAX_FIELDS ? r->nfields : HK_MAX_FIELDS;

	if (rm && r->rawlen <= RM_BYTES) {
		h = rm_hash(r->raw, r->rawlen);
		e = &rm->s[h % RM_SLOTS];
		if (e->used && e->hash == h && e->len == r->rawlen && memcmp(e->b, r->raw, r->rawlen) == 0) {
			*ok = e->ok;
			return e->shape;
		}
	}
	shape = ck_record(c, r, okv);
	for (int i = 0; i < n; i++)
		mask |= (uint64_t)okv[i] << i;
	*ok = mask;
	if (e && c->st->errors + c->st->warnings == before) {
		e->hash = h;
		e->ok = mask;
		e->len = (uint16_t)r->rawlen;
		e->used = true;
		e->shape = shape;
		memcpy(e->b, r->raw, r->rawlen);
	}
	return shape;
}

static int run(struct ck_ctx *c, struct hk_uke_reader *rd, struct hk_err *err)
{
	struct hk_uke_record rec;
	uint64_t ok;
	long last_line = 0;
	int rc;

	while ((rc = hk_uke_next(rd, &rec, err)) > 0) {
		bool shape;
		if (history_line(c, &rec))
			continue;
		c->nrecords++;
		last_line = rec.line;
		shape = record_checked(c, &rec, &ok);
		structure(c, &rec, shape, ok);
	}
	if (rc < 0)
		return -1;
	finish_receipt(c);
	if (!c->fragment && c->nrecords > 0) {
		if (!c->seen_go)
			ck_diag(c, last_line, "", 0, "E-GO-LAST",
				"the file does not end with a GO record (訪問看護療養費請求書)");
		if (!c->seen_go && c->receipt_no == 0)
			ck_diag(c, last_line, "", 0, "E-NO-RECEIPT",
				"the file holds no receipt: at least one RE ... must come between HM and GO");
	}
	return 0;
}

static void ctx_init(struct ck_ctx *c, const char *name, const struct hk_check_opts *o, hk_diag_fn fn,
		     void *ctx, struct hk_check_stats *st)
{
	memset(c, 0, sizeof(*c));
	memset(st, 0, sizeof(*st));
	c->file = name;
	c->o = o;
	c->fn = fn;
	c->fnctx = ctx;
	c->st = st;
	/* field bytes plus the commas between them (store() enforces the cap on field bytes) */
	hk_buf_init(&c->arena, HK_MAX_RECEIPT_BYTES + (size_t)HK_MAX_RECEIPT_RECORDS * HK_MAX_FIELDS,
		    "HK_MAX_RECEIPT_BYTES");
}

const struct hk_master *ck_master_for(struct ck_ctx *c, int y, int m)
{
	struct hk_date first = {y, m, 1};
	struct hk_err err;

	if (c->o && c->o->master && hk_master_covers(c->o->master, first))
		return c->o->master;
	if (c->own_master && hk_master_covers(c->own_master, first))
		return c->own_master;
	err.code = 0;
	err.msg[0] = '\0';
	if (!c->o || !c->o->master_root || c->master_failed_ym == y * 12 + m)
		return NULL;
	hk_master_free(c->own_master);
	c->own_master = NULL;
	if (c->memo)
		c->memo->m = NULL; /* its answers were about the master just freed */
	if (hk_master_load(c->o->master_root, first, &c->own_master, &err) < 0) {
		c->master_failed_ym = y * 12 + m;
		ck_diag(c, 0, "", 0, "W-NO-MASTER",
			"no 訪問看護療養費マスター for %04d%02d, the KA master rules are skipped: %s", y, m,
			err.msg);
		return NULL;
	}
	return c->own_master;
}

static void ctx_free(struct ck_ctx *c)
{
	hk_master_free(c->own_master);
	hk_free(c->memo);
	hk_free(c->rmemo);
	hk_free(c->recs);
	hk_buf_free(&c->arena);
}

int hk_check_file(const char *path, const struct hk_check_opts *o, hk_diag_fn fn, void *ctx,
		  struct hk_check_stats *st, struct hk_err *err)
{
	struct ck_ctx c;
	struct hk_uke_reader *rd;
	int rc = -1;

	ctx_init(&c, path, o, fn, ctx, st);
	c.memo = hk_calloc(1, sizeof(*c.memo));
	c.rmemo = hk_calloc(1, sizeof(*c.rmemo));
	rd = hk_uke_open(path, o ? o->reader_flags : HK_UKE_STRICT, on_reader_diag, &c, err);
	if (!rd)
		goto out;
	rc = run(&c, rd, err);
	hk_uke_close(rd);
out:
	ctx_free(&c);
	return rc;
}

int hk_check_mem(const void *data, size_t len, const char *name, const struct hk_check_opts *o,
		 hk_diag_fn fn, void *ctx, struct hk_check_stats *st, struct hk_err *err)
{
	struct ck_ctx c;
	struct hk_uke_reader *rd;
	int rc = -1;

	ctx_init(&c, name, o, fn, ctx, st);
	c.memo = hk_calloc(1, sizeof(*c.memo));
	c.rmemo = hk_calloc(1, sizeof(*c.rmemo));
	rd = hk_uke_open_mem(data, len, name, o ? o->reader_flags : HK_UKE_STRICT, on_reader_diag, &c);
	if (!rd) {
		hk_err_set(err, HK_EXIT_INTERNAL, "%s: cannot open a memory reader", name);
		goto out;
	}
	rc = run(&c, rd, err);
	hk_uke_close(rd);
out:
	ctx_free(&c);
	return rc;
}

int hk_check_receipt_mem(const void *data, size_t len, const char *name, const char *claim_month,
			 long receipt_no, const struct hk_check_opts *o, hk_diag_fn fn, void *ctx,
			 struct hk_check_stats *st, struct hk_err *err)
{
	struct ck_ctx c;
	struct hk_uke_reader *rd;
	char *copy;
	int rc = -1;

	/* the receipt's records followed by the 0x1A the reader expects at the end */
	copy = hk_malloc(len + 1);
	if (len)
		memcpy(copy, data, len);
	copy[len] = 0x1A;
	ctx_init(&c, name, o, fn, ctx, st);
	c.fragment = true;
	c.receipt_no = receipt_no > 0 ? receipt_no - 1 : 0;
	if (claim_month && strlen(claim_month) == 6)
		hk_snprintf(c.claim_month, sizeof(c.claim_month), "%s", claim_month);
	rd = hk_uke_open_mem(copy, len + 1, name, o ? o->reader_flags : HK_UKE_STRICT, on_reader_diag, &c);
	if (!rd) {
		hk_err_set(err, HK_EXIT_INTERNAL, "%s: cannot open a memory reader", name);
		goto out;
	}
	rc = run(&c, rd, err);
	hk_uke_close(rd);
out:
	ctx_free(&c);
	hk_free(copy);
	return rc;
}
