/*
 * returns_reclaim.c - the re-claim of returned receipts from the corrected
 * station records (作成手引き 別紙1 4; docs/returns.md).
 *
 * For each service month with open returns the claim engine renders the month
 * again from the records as they are now (claims/claimrun.h; nothing in the
 * database changes while it runs) into a scratch folder; the receipts of the
 * returned patients are taken from there:
 *  - the patient's corrected month is one receipt for the same review body:
 *    it is re-claimed: RE 検索番号 as assigned, its history block after it
 *    exactly as received, in DIR/<body>/RECEIPTH.UKE (HM ... GO, no HR);
 *  - it now goes to another review body, or it is split into several
 *    receipts: the receipts go into a fresh first claim, without 検索番号 and
 *    history, in DIR/fresh/<body>/RECEIPTH.UKE;
 *  - nothing renders (e.g. the visits were removed): the return stays open
 *    and is reported.
 * Every file passes the checks of `houkan check` before anything is written.
 * The files are recorded as claim runs of kind 'reclaim' (archived beside
 * the database like `houkan build` runs, so `houkan submit --run` sends
 * them); the new receipts are recorded 'built', the returned ones become
 * 'reclaimed'.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "switchover/returns.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/fault.h"
#include "base/fileio.h"
#include "claims/claimrun.h"
#include "claims/db.h"
#include "claims/station.h"
#include "master/master.h"
#include "receipt/check.h"
#include "receipt/uke.h"
#include "receipt/width.h"

struct ret {                   /* one open return */
	long long id, receipt_id, patient_id;
	char key[32], month[8], search_no[32], insurer[16];
	int body;
	unsigned char *history;
	size_t history_len;
	int out;                   /* 0 left, 1 reclaimed, 2 fresh */
};

struct rendered {              /* one receipt the engine rendered for a returned patient */
	char key[32], month[8], type[8], record_key[24];
	long long patient_id, coverage_id;
	int body;
	long receipt_no, total, share;
	unsigned char *data;       /* RE..KA, CRLF each */
	size_t len;
	int ret;                   /* index of the return it answers, -1 */
	int file;                  /* 0 none, 1 reclaim, 2 fresh */
	long new_no;
};

struct rc_ctx {
	struct ret *ret;
	size_t nret;
	struct rendered *rd;
	size_t nrd, ard;
	const char *month;         /* month being rendered */
};

static bool wanted(struct rc_ctx *c, const char *key, const char *month)
{
	for (size_t i = 0; i < c->nret; i++)
		if (!strcmp(c->ret[i].key, key) && !strcmp(c->ret[i].month, month))
			return true;
	return false;
}

static int on_receipt(void *ctx, const struct hk_receipt_info *r, struct hk_err *err)
{
	struct rc_ctx *c = ctx;
	struct rendered *x;
	if (!wanted(c, r->patient_key, c->month))
		return 0;
	if (c->nrd == c->ard) {
		c->ard = c->ard ? 2 * c->ard : 16;
		c->rd = hk_realloc(c->rd, c->ard * sizeof(*c->rd));
	}
	x = &c->rd[c->nrd++];
	memset(x, 0, sizeof(*x));
	hk_snprintf(x->key, sizeof(x->key), "%s", r->patient_key);
	hk_snprintf(x->month, sizeof(x->month), "%s", c->month);
	hk_snprintf(x->type, sizeof(x->type), "%s", r->type);
	hk_snprintf(x->record_key, sizeof(x->record_key), "%s", r->record_key ? r->record_key : "");
	x->patient_id = r->patient_id;
	x->coverage_id = r->coverage_id;
	x->body = r->body;
	x->receipt_no = r->receipt_no;
	x->total = r->total;
	x->share = r->patient_share;
	x->ret = -1;
	return 0;
}

/* Take the records of the wanted receipts out of a file the engine wrote. */
static int extract(struct rc_ctx *c, const char *path, int body, struct hk_err *err)
{
	struct hk_uke_reader *rd = hk_uke_open(path, HK_UKE_STRICT, NULL, NULL, err);
	struct hk_uke_record rec;
	struct rendered *cur = NULL;
	struct hk_buf b;
	int rc;
	if (!rd)
		return -1;
	hk_buf_init(&b, HK_MAX_RECEIPT_BYTES, "HK_MAX_RECEIPT_BYTES");
	while ((rc = hk_uke_next(rd, &rec, err)) > 0) {
		if (!strcmp(rec.id, "RE") || !strcmp(rec.id, "GO")) {
			if (cur) {
				cur->data = (unsigned char *)hk_buf_take(&b);
				hk_buf_init(&b, HK_MAX_RECEIPT_BYTES, "HK_MAX_RECEIPT_BYTES");
			}
			cur = NULL;
			if (!strcmp(rec.id, "RE")) {
				long no = strtol((const char *)rec.f[1].p, NULL, 10);
				for (size_t i = c->nrd; i-- > 0;)
					if (c->rd[i].body == body && c->rd[i].receipt_no == no && !c->rd[i].data &&
					    !strcmp(c->rd[i].month, c->month))
						cur = &c->rd[i];
			}
		}
		if (cur) {
			if (hk_buf_add(&b, rec.raw, rec.rawlen, err) < 0 || hk_buf_add(&b, "\r\n", 2, err) < 0) {
				rc = -1;
				break;
			}
			cur->len = b.len;
		}
	}
	hk_buf_free(&b);
	hk_uke_close(rd);
	return rc < 0 ? -1 : 0;
}

static void rm_work(const char *dir)
{
	for (int b = 1; b <= 2; b++) {
		char p[HK_MAX_PATH];
		hk_snprintf(p, sizeof(p), "%s/%d/RECEIPTH.UKE.tmp", dir, b);
		unlink(p);
		hk_snprintf(p, sizeof(p), "%s/%d/RECEIPTH.UKE", dir, b);
		unlink(p);
		hk_snprintf(p, sizeof(p), "%s/%d", dir, b);
		rmdir(p);
	}
	rmdir(dir);
}

/* Render one service month and pick up the returned patients' receipts. */
static int render_month(sqlite3 *db, const struct hk_reclaim_opts *o, struct rc_ctx *c, const char *month,
			const char *work, struct hk_err *err)
{
	struct hk_build_opts bo;
	struct hk_build_stats bs;
	struct hk_master *m = NULL;
	int y, mo, rc = -1;
	if (!hk_month_parse(month, 7, &y, &mo))
		return hk_err_set(err, HK_EXIT_INTERNAL, "bad month %s", month);
	if (hk_master_load(hk_master_root(o->master_root), (struct hk_date){y, mo, 1}, &m, err) < 0)
		return -1;
	memset(&bo, 0, sizeof(bo));
	memset(&bs, 0, sizeof(bs));
	bo.db_path = o->db_path;
	bo.year = y;
	bo.month = mo;
	bo.claim_year = o->claim_year;
	bo.claim_month = o->claim_month;
	bo.out_dir = work;
	bo.master_root = o->master_root;
	bo.quiet = true;
	c->month = month;
	rm_work(work);
	if (hk_mkdir_p(work, 0700, err) < 0)
		goto out;
	if (hk_claim_engine(db, m, &bo, on_receipt, c, &bs, err) < 0)
		goto out;
	for (int b = 1; b <= 2; b++) {
		char p[HK_MAX_PATH];
		hk_snprintf(p, sizeof(p), "%s/%d/RECEIPTH.UKE.tmp", work, b);
		if (access(p, F_OK) == 0 && extract(c, p, b, err) < 0)
			goto out;
	}
	rc = 0;
out:
	rm_work(work);
	hk_master_free(m);
	return rc;
}

/* RE with レセプト番号 = no and 検索番号 = search_no ("" for a first claim), then the other records. */
static int put_receipt(struct hk_buf *out, const struct rendered *x, long no, const char *search_no, struct hk_err *err)
{
	const char *p = (const char *)x->data, *eol = x->data ? memchr(p, '\r', x->len) : NULL;
	const char *f[16];
	size_t fl[16];
	int nf = 0;
	if (!eol || eol - p < 3 || memcmp(p, "RE,", 3) != 0)
		return hk_err_set(err, HK_EXIT_INTERNAL, "a rendered receipt does not begin with RE");
	for (const char *q = p; nf < 16;) {
		const char *c = memchr(q, ',', (size_t)(eol - q));
		f[nf] = q;
		fl[nf++] = (size_t)((c ? c : eol) - q);
		if (!c)
			break;
		q = c + 1;
	}
	if (nf != 15)
		return hk_err_set(err, HK_EXIT_INTERNAL, "a rendered RE has %d fields, not 15", nf);
	for (int i = 0; i < 15; i++) {
		int r2 = i == 1 ? hk_buf_printf(out, err, "%ld", no) : i == 14 ? hk_buf_adds(out, search_no, err)
										 : hk_buf_add(out, f[i], fl[i], err);
		if (r2 < 0 || (i < 14 && hk_buf_addc(out, ',', err) < 0))
			return -1;
	}
	return hk_buf_add(out, eol, x->len - (size_t)(eol - p), err);
}

static void first_diag(void *ctx, const struct hk_diag *d)
{
	char *msg = ctx;
	if (d->severity == HK_ERROR && !msg[0])
		hk_snprintf(msg, 600, "%s:%ld: %s: %s: %s", d->file, d->line, d->rec, d->code, d->msg);
}

static int make_file(const struct hk_station *s, int body, const char *claim6, struct rc_ctx *c, int kind,
		     struct hk_buf *out, long *count, const char *master_root, struct hk_err *err)
{
	struct hk_uke_writer w;
	struct hk_check_opts co = {HK_UKE_STRICT, NULL, master_root};
	struct hk_check_stats cs;
	char bs[2] = {(char)('0' + body), '\0'}, name[400], msg[600] = "";
	long no = 0;
	hk_uke_writer_init(&w, out, "re-claim", NULL, NULL);
	hk_to_fullwidth(s->name, name, sizeof(name));
	{
		const char *hm[] = {bs, s->pref, "6", s->code, name, claim6, s->phone};
		if (hk_uke_write(&w, "HM", hm, 7, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < c->nrd; i++) {
		struct rendered *x = &c->rd[i];
		if (x->file != kind || x->body != body)
			continue;
		x->new_no = ++no;
		if (put_receipt(out, x, no, kind == 1 ? c->ret[x->ret].search_no : "", err) < 0)
			return -1;
		if (kind == 1 && hk_buf_add(out, c->ret[x->ret].history, c->ret[x->ret].history_len, err) < 0)
			return -1;
	}
	w.line = 0;
	if (hk_uke_write(&w, "GO", NULL, 0, err) < 0 || hk_uke_writer_finish(&w, err) < 0)
		return -1;
	*count = no;
	if (hk_check_mem(out->data, out->len, "re-claim", &co, first_diag, msg, &cs, err) < 0)
		return -1;
	if (cs.errors)
		return hk_err_set(err, HK_EXIT_INPUT, "the %s file for review body %d does not pass houkan check: %s",
				  kind == 1 ? "re-claim" : "fresh first-claim", body, msg);
	return 0;
}

static int load_returns(sqlite3 *db, const struct hk_reclaim_opts *o, struct rc_ctx *c, FILE *report,
			struct hk_reclaim_stats *st, struct hk_err *err)
{
	sqlite3_stmt *q;
	int rc;
	if (hk_db_prepare(db, "SELECT t.id, t.receipt_id, r.patient_id, p.patient_key, t.service_month, t.search_no,"
			      " coalesce(c.insurer, ''), r.body, t.history, t.line, t.notice_id FROM returned t"
			      " LEFT JOIN receipt r ON r.id = t.receipt_id LEFT JOIN patient p ON p.id = r.patient_id"
			      " LEFT JOIN coverage c ON c.id = r.coverage_id WHERE t.state = 'open'"
			      " AND (?1 IS NULL OR t.service_month = ?1) ORDER BY t.service_month, t.id", &q, err) < 0)
		return -1;
	if (o->service_month)
		sqlite3_bind_text(q, 1, o->service_month, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct ret *r;
		if (sqlite3_column_type(q, 1) == SQLITE_NULL) {
			st->left++;
			if (report)
				fprintf(report, "returned receipt %s (%s, notice %lld line %lld): matches no receipt of the"
					" station; re-claim it with houkan reclaim FILE.HEN\n",
					(const char *)sqlite3_column_text(q, 5), (const char *)sqlite3_column_text(q, 4),
					(long long)sqlite3_column_int64(q, 10), (long long)sqlite3_column_int64(q, 9));
			continue;
		}
		c->ret = hk_realloc(c->ret, (c->nret + 1) * sizeof(*c->ret));
		r = &c->ret[c->nret++];
		memset(r, 0, sizeof(*r));
		r->id = sqlite3_column_int64(q, 0);
		r->receipt_id = sqlite3_column_int64(q, 1);
		r->patient_id = sqlite3_column_int64(q, 2);
		hk_snprintf(r->key, sizeof(r->key), "%s", (const char *)sqlite3_column_text(q, 3));
		hk_snprintf(r->month, sizeof(r->month), "%s", (const char *)sqlite3_column_text(q, 4));
		hk_snprintf(r->search_no, sizeof(r->search_no), "%s", (const char *)sqlite3_column_text(q, 5));
		hk_snprintf(r->insurer, sizeof(r->insurer), "%s", (const char *)sqlite3_column_text(q, 6));
		r->body = sqlite3_column_int(q, 7);
		r->history_len = (size_t)sqlite3_column_bytes(q, 8);
		r->history = hk_malloc(r->history_len + 1);
		if (r->history_len)
			memcpy(r->history, sqlite3_column_blob(q, 8), r->history_len);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return hk_db_fail(db, err, "reading the open returns");
	return 0;
}

/* Decide, per return, whether it is re-claimed or goes to a fresh first claim. */
static void decide(struct rc_ctx *c, FILE *report, struct hk_reclaim_stats *st)
{
	for (size_t i = 0; i < c->nret; i++) {
		struct ret *r = &c->ret[i];
		size_t n = 0, same = 0, pick = 0;
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->ret[j].key, r->key) && !strcmp(c->ret[j].month, r->month) && c->ret[j].body == r->body)
				dup = true;
		for (size_t k = 0; k < c->nrd; k++)
			if (!strcmp(c->rd[k].key, r->key) && !strcmp(c->rd[k].month, r->month) && c->rd[k].data) {
				n++;
				if (c->rd[k].body == r->body) {
					same++;
					pick = k;
				}
			}
		if (n == 0) {
			st->left++;
			if (report)
				fprintf(report, "patient %s %s: the corrected records give no receipt; the return (検索番号 %s)"
					" stays open\n", r->key, r->month, r->search_no);
			continue;
		}
		if (dup) { /* returned twice: the later return answers it */
			r->out = 1;
			continue;
		}
		if (n == 1 && same == 1 && c->rd[pick].file == 0) {
			c->rd[pick].file = 1;
			c->rd[pick].ret = (int)i;
			r->out = 1;
			st->reclaimed[c->rd[pick].body]++;
			continue;
		}
		/* another review body, or split into several receipts: a fresh first claim */
		r->out = 2;
		for (size_t k = 0; k < c->nrd; k++)
			if (!strcmp(c->rd[k].key, r->key) && !strcmp(c->rd[k].month, r->month) && c->rd[k].data &&
			    c->rd[k].file == 0) {
				c->rd[k].file = 2;
				c->rd[k].ret = (int)i;
				st->fresh[c->rd[k].body]++;
			}
		if (report)
			fprintf(report, "patient %s %s: %s; the corrected receipts go into a fresh first claim without"
				" 検索番号 and history (作成手引き 別紙1 4)\n", r->key, r->month,
				same == n ? "the month is now split into several receipts" : "the review body changed");
	}
}

static int add_state(sqlite3 *db, long long id, const char *now, long long run, struct hk_err *err)
{
	sqlite3_stmt *s;
	char src[64];
	int rc = 0;
	hk_snprintf(src, sizeof(src), "reclaim run %lld", run);
	if (hk_db_prepare(db, "INSERT INTO receipt_state(receipt_id, state, at, source) VALUES (?1, 'built', ?2, ?3)",
			  &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, src, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = hk_db_fail(db, err, "recording a receipt state");
	sqlite3_finalize(s);
	return rc;
}

static int record(sqlite3 *db, const struct hk_reclaim_opts *o, struct rc_ctx *c, int kind, const char *first_month,
		  const char *now, struct hk_buf out[3], long count[3], struct hk_reclaim_stats *st, struct hk_err *err)
{
	sqlite3_stmt *s = NULL;
	char claim7[8], arch[HK_MAX_PATH], p[HK_MAX_PATH];
	long long run;
	int rc = -1;
	bool any = false;
	for (int b = 1; b <= 2; b++)
		any |= count[b] > 0;
	if (!any)
		return 0;
	hk_snprintf(claim7, sizeof(claim7), "%04d-%02d", o->claim_year, o->claim_month);
	if (hk_db_prepare(db, "INSERT INTO claim_run(service_month, claim_month, kind, state, started, finished, params)"
			      " VALUES (?1, ?2, 'reclaim', 'done', ?3, ?3, ?4)", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, first_month, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, claim7, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, kind == 1 ? "reclaim" : "reclaim-fresh", -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		hk_db_fail(db, err, "recording the re-claim run");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	run = sqlite3_last_insert_rowid(db);
	if (kind == 1)
		st->run_id = run;
	else if (!st->run_id)
		st->run_id = run;
	hk_archive_dir(o->db_path, arch, sizeof(arch));
	for (int b = 1; b <= 2; b++) {
		char hex[65], rel[64];
		if (!count[b])
			continue;
		hk_snprintf(rel, sizeof(rel), "run-%lld/%d/RECEIPTH.UKE", run, b);
		hk_snprintf(p, sizeof(p), "%s/run-%lld/%d", arch, run, b);
		if (hk_mkdir_p(p, 0755, err) < 0)
			goto out;
		hk_snprintf(p, sizeof(p), "%s/%s", arch, rel);
		if (hk_publish(p, out[b].data, out[b].len, 0644, err) < 0)
			goto out;
		hk_sha256_hex(out[b].data, out[b].len, hex);
		if (hk_db_prepare(db, "INSERT INTO run_output(run_id, body, path, sha256, bytes, receipts) VALUES"
				      " (?,?,?,?,?,?)", &s, err) < 0)
			goto out;
		sqlite3_bind_int64(s, 1, run);
		sqlite3_bind_int(s, 2, b);
		sqlite3_bind_text(s, 3, rel, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, hex, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 5, (long long)out[b].len);
		sqlite3_bind_int64(s, 6, count[b]);
		if (sqlite3_step(s) != SQLITE_DONE) {
			hk_db_fail(db, err, "recording a re-claim file");
			goto out;
		}
		sqlite3_finalize(s);
		s = NULL;
	}
	if (hk_db_prepare(db, "INSERT INTO receipt(run_id, patient_id, service_month, body, receipt_no, receipt_type,"
			      " coverage_id, record_key, search_no, total, patient_share, state, history_block)"
			      " VALUES (?,?,?,?,?,?,?,?,?,?,?,'built',?)", &s, err) < 0)
		goto out;
	for (size_t i = 0; i < c->nrd; i++) {
		struct rendered *x = &c->rd[i];
		struct ret *r = x->ret >= 0 ? &c->ret[x->ret] : NULL;
		long long nid;
		if (x->file != kind)
			continue;
		sqlite3_bind_int64(s, 1, run);
		sqlite3_bind_int64(s, 2, x->patient_id);
		sqlite3_bind_text(s, 3, x->month, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 4, x->body);
		sqlite3_bind_int64(s, 5, x->new_no);
		sqlite3_bind_text(s, 6, x->type, -1, SQLITE_STATIC);
		if (x->coverage_id)
			sqlite3_bind_int64(s, 7, x->coverage_id);
		else
			sqlite3_bind_null(s, 7);
		sqlite3_bind_text(s, 8, x->record_key, -1, SQLITE_STATIC);
		if (kind == 1 && r) {
			sqlite3_bind_text(s, 9, r->search_no, -1, SQLITE_STATIC);
			sqlite3_bind_blob(s, 12, r->history, (int)r->history_len, SQLITE_STATIC);
		} else {
			sqlite3_bind_null(s, 9);
			sqlite3_bind_null(s, 12);
		}
		sqlite3_bind_int64(s, 10, x->total);
		sqlite3_bind_int64(s, 11, x->share);
		if (sqlite3_step(s) != SQLITE_DONE) {
			hk_db_fail(db, err, "recording a re-claimed receipt");
			goto out;
		}
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		nid = sqlite3_last_insert_rowid(db);
		if (add_state(db, nid, now, run, err) < 0)
			goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	/* the returns answered and their receipts */
	for (size_t i = 0; i < c->nret; i++) {
		struct ret *r = &c->ret[i];
		char src[64];
		if (r->out != kind)
			continue;
		hk_snprintf(src, sizeof(src), "reclaim run %lld", run);
		if (hk_receipt_transition(db, r->receipt_id, "reclaimed", src, err) < 0)
			goto out;
		if (hk_db_prepare(db, "UPDATE returned SET state = 'reclaimed', reclaim_run = ?2 WHERE id = ?1", &s, err) < 0)
			goto out;
		sqlite3_bind_int64(s, 1, r->id);
		sqlite3_bind_int64(s, 2, run);
		if (sqlite3_step(s) != SQLITE_DONE) {
			hk_db_fail(db, err, "closing a return");
			goto out;
		}
		sqlite3_finalize(s);
		s = NULL;
	}
	for (int b = 1; b <= 2; b++) {
		if (!count[b])
			continue;
		hk_snprintf(p, sizeof(p), "%s%s/%d", o->out_dir, kind == 1 ? "" : "/fresh", b);
		if (hk_mkdir_p(p, 0755, err) < 0)
			goto out;
		hk_snprintf(st->paths[kind == 1 ? b : 3 + b], sizeof(st->paths[0]), "%s/RECEIPTH.UKE", p);
		if (hk_publish(st->paths[kind == 1 ? b : 3 + b], out[b].data, out[b].len, 0644, err) < 0)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int hk_reclaim_db(const struct hk_reclaim_opts *o, FILE *report, struct hk_reclaim_stats *st, struct hk_err *err)
{
	sqlite3 *db = NULL;
	struct rc_ctx c;
	struct hk_station station;
	struct hk_buf out[2][3];
	long count[2][3] = {{0}};
	char claim6[7], now[21], arch[HK_MAX_PATH], work[HK_MAX_PATH];
	bool in_tx = false;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	for (int k = 0; k < 2; k++)
		for (int b = 0; b < 3; b++)
			hk_buf_init(&out[k][b], 1u << 30, "re-claim file (1 GiB)");
	hk_snprintf(claim6, sizeof(claim6), "%04d%02d", o->claim_year, o->claim_month);
	hk_clock_fmt_iso(hk_clock_now(), now);
	if (hk_db_open(o->db_path, HK_DB_OPEN_EXISTING, &db, err) < 0)
		goto out;
	if (hk_station_load(db, &station, err) < 0)
		goto out;
	if (load_returns(db, o, &c, report, st, err) < 0)
		goto out;
	hk_archive_dir(o->db_path, arch, sizeof(arch));
	if (hk_mkdir_p(arch, 0755, err) < 0)
		goto out;
	hk_snprintf(work, sizeof(work), "%s/reclaim-work", arch);
	for (size_t i = 0; i < c.nret; i++) {
		int sy, sm;
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= !strcmp(c.ret[j].month, c.ret[i].month);
		if (seen)
			continue;
		if (!hk_month_parse(c.ret[i].month, 7, &sy, &sm) || sy * 12 + sm >= o->claim_year * 12 + o->claim_month) {
			hk_err_set(err, HK_EXIT_INPUT, "--claim-month %s must come after the service month %s of a return",
				   claim6, c.ret[i].month);
			goto out;
		}
		if (render_month(db, o, &c, c.ret[i].month, work, err) < 0)
			goto out;
	}
	decide(&c, report, st);
	for (int k = 1; k <= 2; k++)
		for (int b = 1; b <= 2; b++) {
			bool any = false;
			for (size_t i = 0; i < c.nrd; i++)
				any |= c.rd[i].file == k && c.rd[i].body == b;
			if (any && make_file(&station, b, claim6, &c, k, &out[k - 1][b], &count[k - 1][b], o->master_root,
					     err) < 0)
				goto out;
		}
	if (hk_db_begin(db, err) < 0)
		goto out;
	in_tx = true;
	hk_fault_point("reclaim-begin");
	if (record(db, o, &c, 1, c.nret ? c.ret[0].month : "", now, out[0], count[0], st, err) < 0 ||
	    record(db, o, &c, 2, c.nret ? c.ret[0].month : "", now, out[1], count[1], st, err) < 0)
		goto out;
	hk_fault_point("reclaim-commit");
	if (hk_audit(db, "reclaim", NULL, NULL, "ok", err) < 0 || hk_db_commit(db, err) < 0)
		goto out;
	in_tx = false;
	rc = 0;
out:
	if (in_tx)
		hk_db_rollback(db);
	if (db)
		hk_db_close(db);
	for (int k = 0; k < 2; k++)
		for (int b = 0; b < 3; b++)
			hk_buf_free(&out[k][b]);
	for (size_t i = 0; i < c.nret; i++)
		hk_free(c.ret[i].history);
	for (size_t i = 0; i < c.nrd; i++)
		hk_free(c.rd[i].data);
	hk_free(c.ret);
	hk_free(c.rd);
	return rc;
}
