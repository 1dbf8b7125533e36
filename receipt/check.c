/*
 * check.c - the driver of `houkan check`: reads records one at a time,
 * runs the record rules on each, the file rules on the sequence, and the
 * receipt rules on each receipt once it is complete.  Only the current
 * receipt is kept (a copy of its fields in one arena).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "receipt/check_int.h"
#include "base/limits.h"
#include "master/master.h"

/* The receipts read by a piped context go to the caller's thread in batches
 * (below): the records and raw bytes of up to BATCH_BYTES of receipts, and
 * the events in file order - a diagnostic, or "the receipt rules of receipt
 * recs[a..a+n-1]".  A batch is passed on early when it holds BATCH_DIAGS
 * diagnostics (the receipt being collected moves to the next batch). */
#ifndef BATCH_BYTES /* smaller in a test build, to pass batches often */
#define BATCH_BYTES (64u << 10)
#define BATCH_RECS 2048
#define BATCH_DIAGS 256
#endif
#define NBATCHES 4

struct ck_event {
	bool receipt;           /* else a diagnostic: diags[a] */
	size_t a, n;
	long receipt_no;        /* of the receipt */
	char claim_month[7];
};

struct ck_batch {
	struct hk_buf arena;    /* the raw bytes of the records */
	struct ck_rec *recs;
	size_t nrecs, arecs;
	struct ck_field *fields; /* the records' fields (ck_rec.f, .fi) */
	size_t nfields, afields;
	size_t rstart, astart, fstart; /* where the receipt being collected begins */
	struct hk_diag *diags;
	size_t ndiags, adiags;
	struct ck_event *ev;
	size_t nev, aev;
};

static struct ck_batch *batch_new(void)
{
	struct ck_batch *b = hk_calloc(1, sizeof(*b));
	/* field bytes plus the commas between them (store() enforces the cap on
	 * field bytes), after the receipts already in the batch */
	hk_buf_init(&b->arena, HK_MAX_RECEIPT_BYTES + (size_t)HK_MAX_RECEIPT_RECORDS * HK_MAX_FIELDS +
		    BATCH_BYTES, "HK_MAX_RECEIPT_BYTES");
	return b;
}

static void batch_free(struct ck_batch *b)
{
	if (!b)
		return;
	hk_buf_free(&b->arena);
	hk_free(b->recs);
	hk_free(b->fields);
	hk_free(b->diags);
	hk_free(b->ev);
	hk_free(b);
}

static struct ck_event *batch_event(struct ck_batch *b)
{
	if (b->nev == b->aev) {
		b->aev = b->aev ? b->aev * 2 : 64;
		b->ev = hk_realloc(b->ev, b->aev * sizeof(*b->ev));
	}
	return &b->ev[b->nev++];
}

static void pipe_pass(struct ck_ctx *c);

/* Count a diagnostic and hand it on: to the callback, or (piped) into the batch. */
static void emit(struct ck_ctx *c, const struct hk_diag *d)
{
	c->ndiag++;
	if (c->pipe) {
		struct ck_batch *b = c->b;
		struct ck_event *e;
		if (b->ndiags == b->adiags) {
			b->adiags = b->adiags ? b->adiags * 2 : 16;
			b->diags = hk_realloc(b->diags, b->adiags * sizeof(*b->diags));
		}
		b->diags[b->ndiags] = *d;
		e = batch_event(b);
		e->receipt = false;
		e->a = b->ndiags++;
		return;
	}
	if (d->severity == HK_ERROR)
		c->st->errors++;
	else
		c->st->warnings++;
	if (c->fn)
		c->fn(c->fnctx, d);
}

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
	emit(c, &d);
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
	emit(ctx, d);
}

static void finish_receipt(struct ck_ctx *c)
{
	struct ck_batch *b = c->b;
	bool keep = false;

	if (c->in_receipt && !c->overflow) {
		if (c->pipe) {
			/* the receipt rules run on the caller's thread */
			struct ck_event *e = batch_event(b);
			e->receipt = true;
			e->a = b->rstart;
			e->n = c->nrecs;
			e->receipt_no = c->receipt_no;
			memcpy(e->claim_month, c->claim_month, sizeof(e->claim_month));
			keep = true;
		} else {
			ck_receipt(c);
		}
	}
	c->in_receipt = false;
	c->overflow = false;
	c->field_bytes = 0;
	if (keep) {
		b->rstart = b->nrecs;
		b->astart = b->arena.len;
		b->fstart = b->nfields;
	} else {
		b->nrecs = b->rstart;
		b->arena.len = b->astart;
		b->nfields = b->fstart;
	}
	c->recs = b->recs ? b->recs + b->rstart : NULL; /* nothing allocated yet: an empty file */
	c->nrecs = 0;
	if (c->pipe && (b->arena.len >= BATCH_BYTES || b->nrecs >= BATCH_RECS))
		pipe_pass(c);
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
	uint64_t id;            /* a number for these bytes, unique in the file (ck_rec.line_id) */
	/* a KA record: what ck_ka_parse() made of it (ka: set) */
	bool ka, ka_date_ok, ka_amt_ok;
	int ka_mask;
	struct hk_date ka_date;
	long ka_amt;
	unsigned char b[RM_BYTES];
};
struct ck_rmemo {
	struct ck_rm_slot s[RM_SLOTS];
};

/* Keep a record of the current receipt: its raw bytes go into the arena in
 * one piece, its fields become offsets into them. */
static void store(struct ck_ctx *c, const struct hk_uke_record *r, bool shape, uint64_t ok,
		  struct ck_rm_slot *slot)
{
	struct ck_batch *b = c->b;
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
	    hk_buf_add(&b->arena, r->raw, r->rawlen, &err) < 0) {
		ck_diag(c, r->line, r->id, 0, "E-RE-CAP",
			"receipt %ld is larger than %s; its receipt-level checks are skipped",
			c->receipt_no, "HK_MAX_RECEIPT_BYTES");
		c->overflow = true;
		return;
	}
	c->field_bytes += fbytes;
	c->adata = b->arena.data;
	base = b->arena.len - r->rawlen;
	if (b->nrecs == b->arecs) {
		b->arecs = b->arecs ? b->arecs * 2 : 64;
		b->recs = hk_realloc(b->recs, b->arecs * sizeof(*b->recs));
	}
	c->recs = b->recs + b->rstart;
	if ((size_t)nf > b->afields - b->nfields) {
		struct ck_field *old = b->fields;
		while ((size_t)nf > b->afields - b->nfields)
			b->afields = b->afields ? b->afields * 2 : 1024;
		b->fields = hk_realloc(b->fields, b->afields * sizeof(*b->fields));
		if (b->fields != old)
			for (size_t j = 0; j < b->nrecs; j++)
				b->recs[j].f = b->fields + b->recs[j].fi;
	}
	s = &b->recs[b->nrecs];
	s->fi = (uint32_t)b->nfields;
	s->f = b->fields + s->fi;
	b->nfields += (size_t)nf;
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
	s->line_id = slot ? slot->id : 0;
	if (s->rank == CK_R_KA) {
		/* a KA line met before: its values as parsed then */
		if (slot && slot->ka) {
			s->ka_mask = slot->ka_mask;
			s->ka_date_ok = slot->ka_date_ok;
			s->ka_date = slot->ka_date;
			s->ka_amt_ok = slot->ka_amt_ok;
			s->ka_amt = slot->ka_amt;
		} else {
			ck_ka_parse(c, s);
			if (slot) {
				slot->ka = true;
				slot->ka_mask = s->ka_mask;
				slot->ka_date_ok = s->ka_date_ok;
				slot->ka_date = s->ka_date;
				slot->ka_amt_ok = s->ka_amt_ok;
				slot->ka_amt = s->ka_amt;
			}
		}
	}
	b->nrecs++;
	c->nrecs++;
}

static void structure(struct ck_ctx *c, const struct hk_uke_record *r, bool shape, uint64_t ok,
		      struct ck_rm_slot *slot)
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
		store(c, r, shape, ok, slot);
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
	store(c, r, shape, ok, slot);
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

/* ck_record() of a record, through c->rmemo; *ok gets bit i set when field
 * i passed.  *slot: the memo's entry of the record, or NULL. */
static bool record_checked(struct ck_ctx *c, const struct hk_uke_record *r, uint64_t *ok,
			   struct ck_rm_slot **slot)
{
	struct ck_rmemo *rm = c->rmemo;
	struct ck_rm_slot *e = NULL;
	bool okv[HK_MAX_FIELDS], shape;
	uint64_t h = 0, mask = 0;
	long before = c->ndiag;
	int n = r->nfields < HK_MAX_FIELDS ? r->nfields : HK_MAX_FIELDS;

	if (rm && r->rawlen <= RM_BYTES) {
		h = rm_hash(r->raw, r->rawlen);
		e = &rm->s[h % RM_SLOTS];
		if (e->used && e->hash == h && e->len == r->rawlen && memcmp(e->b, r->raw, r->rawlen) == 0) {
			*ok = e->ok;
			*slot = e;
			return e->shape;
		}
	}
	*slot = NULL;
	shape = ck_record(c, r, okv);
	for (int i = 0; i < n; i++)
		mask |= (uint64_t)okv[i] << i;
	*ok = mask;
	if (e && c->ndiag == before) {
		e->hash = h;
		e->ok = mask;
		e->len = (uint16_t)r->rawlen;
		e->used = true;
		e->shape = shape;
		e->ka = false;
		e->id = ++c->line_ids;
		memcpy(e->b, r->raw, r->rawlen);
		*slot = e;
	}
	return shape;
}

static int run(struct ck_ctx *c, struct hk_uke_reader *rd, struct hk_err *err)
{
	struct hk_uke_record rec;
	struct ck_rm_slot *slot;
	uint64_t ok;
	long last_line = 0;
	int rc;

	while ((rc = hk_uke_next(rd, &rec, err)) > 0) {
		bool shape;
		if (history_line(c, &rec))
			continue;
		c->nrecords++;
		last_line = rec.line;
		shape = record_checked(c, &rec, &ok, &slot);
		structure(c, &rec, shape, ok, slot);
		if (c->pipe && c->b->ndiags >= BATCH_DIAGS)
			pipe_pass(c);
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
	c->b = batch_new();
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
	batch_free(c->b);
}

/*
 * Two threads for a large file: a second thread reads the records, runs the
 * record rules and the file rules (a context with c->pipe set), and passes
 * batches of receipts to the caller's thread, which runs the receipt rules
 * and hands every diagnostic to the callback in file order - the same calls,
 * in the same order, as from one thread.
 */
#define PIPE_MIN_BYTES (8u << 20)

struct ck_pipe {
	pthread_mutex_t mu;
	pthread_cond_t full_cv, free_cv;
	struct ck_batch *full[NBATCHES], *free[NBATCHES];
	size_t head, nfull, nfree;
	bool done;
	int rc;
	struct hk_err err;
	struct ck_ctx *w;
	struct hk_uke_reader *rd;
};

static void batch_clear(struct ck_batch *b)
{
	b->nrecs = b->rstart = b->astart = b->nfields = b->fstart = 0;
	b->ndiags = b->nev = 0;
	hk_buf_reset(&b->arena);
}

/* Pass the worker's batch to the caller's thread and go on in an empty one,
 * into which the receipt being collected moves. */
static void pipe_pass(struct ck_ctx *c)
{
	struct ck_pipe *p = c->pipe;
	struct ck_batch *old = c->b, *nb;
	struct hk_err err;
	size_t n = old->nrecs - old->rstart, bytes = old->arena.len - old->astart;
	size_t nf = old->nfields - old->fstart;

	/* an empty batch first: the old one is not touched once passed on */
	pthread_mutex_lock(&p->mu);
	while (p->nfree == 0)
		pthread_cond_wait(&p->free_cv, &p->mu);
	nb = p->free[--p->nfree];
	pthread_mutex_unlock(&p->mu);
	batch_clear(nb);
	if (n) {
		/* cannot fail: the same bytes fitted the old batch's arena, whose cap
		 * is the same, and nb's is empty */
		if (hk_buf_add(&nb->arena, old->arena.data + old->astart, bytes, &err) < 0)
			n = nf = 0;
		if (n > nb->arecs) {
			nb->arecs = n < 64 ? 64 : n;
			nb->recs = hk_realloc(nb->recs, nb->arecs * sizeof(*nb->recs));
		}
		if (nf > nb->afields) {
			nb->afields = nf < 1024 ? 1024 : nf;
			nb->fields = hk_realloc(nb->fields, nb->afields * sizeof(*nb->fields));
		}
		memcpy(nb->recs, old->recs + old->rstart, n * sizeof(*nb->recs));
		memcpy(nb->fields, old->fields + old->fstart, nf * sizeof(*nb->fields));
		for (size_t i = 0; i < nf; i++)
			nb->fields[i].off -= (uint32_t)old->astart;
		for (size_t i = 0; i < n; i++) {
			nb->recs[i].fi -= (uint32_t)old->fstart;
			nb->recs[i].f = nb->fields + nb->recs[i].fi;
		}
		nb->nrecs = n;
		nb->nfields = nf;
	}
	/* the old batch keeps only what its events name */
	old->nrecs = old->rstart;
	old->nfields = old->fstart;
	pthread_mutex_lock(&p->mu);
	p->full[(p->head + p->nfull++) % NBATCHES] = old;
	pthread_cond_signal(&p->full_cv);
	pthread_mutex_unlock(&p->mu);
	c->b = nb;
	c->recs = nb->recs;
	c->nrecs = n;
	c->adata = nb->arena.data;
}

static void *pipe_worker(void *arg)
{
	struct ck_pipe *p = arg;
	struct hk_err err = {0};
	int rc = run(p->w, p->rd, &err);

	pthread_mutex_lock(&p->mu);
	p->full[(p->head + p->nfull++) % NBATCHES] = p->w->b;
	p->w->b = NULL;
	p->done = true;
	p->rc = rc;
	p->err = err;
	pthread_cond_signal(&p->full_cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* The caller's side of a batch: diagnostics and receipt rules in file order. */
static void consume(struct ck_ctx *c, struct ck_batch *b)
{
	for (size_t i = 0; i < b->nev; i++) {
		const struct ck_event *e = &b->ev[i];
		if (!e->receipt) {
			emit(c, &b->diags[e->a]);
			continue;
		}
		c->recs = b->recs + e->a;
		c->nrecs = e->n;
		c->adata = b->arena.data;
		c->receipt_no = e->receipt_no;
		memcpy(c->claim_month, e->claim_month, sizeof(c->claim_month));
		ck_receipt(c);
	}
	c->recs = NULL;
	c->nrecs = 0;
	c->adata = NULL;
}

/* Whether hk_check_file() reads path on a second thread: files from
 * PIPE_MIN_BYTES up, on a machine with two cores or more.  HOUKAN_CHECK_PIPE=1
 * or 0 decides instead (tests compare both ways). */
static bool want_pipe(const char *path)
{
	const char *env = getenv("HOUKAN_CHECK_PIPE");
	struct stat sb;

	if (env && *env)
		return strcmp(env, "0") != 0;
	if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (unsigned long long)sb.st_size < PIPE_MIN_BYTES)
		return false;
	return sysconf(_SC_NPROCESSORS_ONLN) >= 2;
}

/* hk_check_file() on two threads; -1 and nothing done if no thread could be
 * started (*started false), else as hk_check_file(). */
static int check_piped(struct ck_ctx *c, const char *path, bool *started, struct hk_err *err)
{
	struct ck_pipe p;
	struct ck_ctx w;
	struct hk_check_stats wst;
	pthread_t th;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	*started = true;
	ctx_init(&w, c->file, c->o, NULL, NULL, &wst);
	w.rmemo = hk_calloc(1, sizeof(*w.rmemo));
	w.pipe = &p;
	p.w = &w;
	p.rd = hk_uke_open(path, c->o ? c->o->reader_flags : HK_UKE_STRICT, on_reader_diag, &w, err);
	if (!p.rd) {
		ctx_free(&w);
		return -1;
	}
	for (size_t i = 1; i < NBATCHES; i++)
		p.free[p.nfree++] = batch_new();
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.full_cv, NULL);
	pthread_cond_init(&p.free_cv, NULL);
	*started = pthread_create(&th, NULL, pipe_worker, &p) == 0;
	if (!*started)
		goto out;
	for (;;) {
		struct ck_batch *b;
		pthread_mutex_lock(&p.mu);
		while (p.nfull == 0 && !p.done)
			pthread_cond_wait(&p.full_cv, &p.mu);
		if (p.nfull == 0) {
			pthread_mutex_unlock(&p.mu);
			break;
		}
		b = p.full[p.head];
		p.head = (p.head + 1) % NBATCHES;
		p.nfull--;
		pthread_mutex_unlock(&p.mu);
		consume(c, b);
		pthread_mutex_lock(&p.mu);
		p.free[p.nfree++] = b;
		pthread_cond_signal(&p.free_cv);
		pthread_mutex_unlock(&p.mu);
	}
	pthread_join(th, NULL);
	rc = p.rc;
	if (rc < 0)
		*err = p.err;
	c->st->receipts = wst.receipts;
out:
	for (size_t i = 0; i < p.nfree; i++)
		batch_free(p.free[i]);
	pthread_cond_destroy(&p.free_cv);
	pthread_cond_destroy(&p.full_cv);
	pthread_mutex_destroy(&p.mu);
	hk_uke_close(p.rd);
	ctx_free(&w);
	return rc;
}

int hk_check_file(const char *path, const struct hk_check_opts *o, hk_diag_fn fn, void *ctx,
		  struct hk_check_stats *st, struct hk_err *err)
{
	struct ck_ctx c;
	struct hk_uke_reader *rd;
	int rc = -1;
	bool piped = want_pipe(path);

	ctx_init(&c, path, o, fn, ctx, st);
	c.memo = hk_calloc(1, sizeof(*c.memo));
	if (piped) {
		bool started;
		rc = check_piped(&c, path, &started, err);
		if (started)
			goto out;
	}
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
