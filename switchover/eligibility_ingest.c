/*
 * eligibility_ingest.c - 資格確認 results into coverage and its history.
 *
 * One transaction per file (all or nothing); statements are prepared once per
 * struct hk_elig_ingest and reused for every result.  Per result:
 *   - the patient is found by 照会番号 (= our patient_key, registered by
 *     `houkan eligibility request`), else by 保険者番号 + 番号 of a coverage;
 *     a result that matches no patient is kept with patient_id NULL and
 *     listed by the report (vendor guide 表4.1.1-1 (4), (6));
 *   - an `eligibility` row records it (the history);
 *   - 有効 (1): the coverage with the same 保険者番号 + 番号 is refreshed
 *     (記号, 枝番, kind, person class, share, 限度額適用区分, 有効期限); when
 *     there is none, the insurer changed: a new coverage (source
 *     'eligibility') starts at InsuredCardValidDate (else the confirmation
 *     date) and the patient's other open coverages end the day before;
 *   - 無効 (2, 3): that coverage ends at InsuredCardExpirationDate, else the
 *     day before the confirmation;
 *   - 該当資格なし (4) and 複数該当 (5) change nothing but the history: a
 *     clerk has to look (the report says so).
 * The file's SHA-256 goes into `notice`; the same file twice is a no-op.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include "switchover/eligibility.h"
#include "claims/db.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/fileio.h"
#include "base/buf.h"

enum {
	Q_PAT_KEY_COV, Q_PAT_COV, Q_COV_SAME, Q_COV_CLOSE, Q_COV_CLOSE_OTHERS, Q_COV_INSERT,
	Q_ELIG_INSERT, Q_NOTICE_FIND, Q_NOTICE_INSERT, Q__N
};

/* The coverage lookups return the same columns: patient, coverage, then
 * the refreshed columns (C_SYMBOL ...). */
enum { C_PID, C_CID, C_SYMBOL, C_BRANCH, C_KIND, C_PERSON, C_RATIO, C_LIMIT, C_VALID_TO };
#define COV_COLS "c.id, c.symbol, c.branch, c.kind, c.person, c.ratio, c.limit_class, c.valid_to"
#define COV_SAME(pid) "(SELECT id FROM coverage WHERE patient_id = " pid " AND insurer = ?2 AND number = ?3" \
	" ORDER BY valid_from DESC, id DESC LIMIT 1)"

static const char *const sql[Q__N] = {
	/* the patient by 照会番号, with its coverage of the same 保険者番号 + 番号 (if any) */
	[Q_PAT_KEY_COV] = "SELECT p.id, " COV_COLS " FROM patient p LEFT JOIN coverage c ON c.id = " COV_SAME("p.id")
			  " WHERE p.patient_key = ?1",
	[Q_PAT_COV] = "SELECT patient_id FROM coverage WHERE insurer = ?1 AND number = ?2"
		      " ORDER BY valid_from DESC, id DESC LIMIT 1",
	[Q_COV_SAME] = "SELECT ?1, " COV_COLS " FROM coverage c WHERE c.id = " COV_SAME("?1"),
	[Q_COV_CLOSE] = "UPDATE coverage SET valid_to = max(?2, date(valid_from, '-1 day'))"
			" WHERE id = ?1 AND (valid_to IS NULL OR valid_to > ?2)",
	[Q_COV_CLOSE_OTHERS] = "UPDATE coverage SET valid_to = date(?2, '-1 day')"
			       " WHERE patient_id = ?1 AND valid_from < ?2"
			       " AND (valid_to IS NULL OR valid_to >= ?2)",
	[Q_COV_INSERT] = "INSERT INTO coverage(patient_id, insurer, symbol, number, branch, kind, person, ratio,"
			 " limit_class, valid_from, valid_to, source)"
			 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'eligibility')",
	[Q_ELIG_INSERT] = "INSERT INTO eligibility(patient_id, query_no, confirmed_on, validity, insurer, symbol,"
			  " number, branch, person, ratio, elderly_ratio, kouki_ratio, limit_class,"
			  " specific_disease, valid_from, valid_to, source_sha256, received)"
			  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
	[Q_NOTICE_FIND] = "SELECT file_name, received FROM notice WHERE sha256 = ?1",
	[Q_NOTICE_INSERT] = "INSERT INTO notice(kind, sha256, file_name, received, summary)"
			    " VALUES ('eligibility', ?1, ?2, ?3, ?4)",
};

/* Refreshing a coverage (記号, 枝番, kind, person, share, 限度額適用区分, end
 * date).  The columns are compared here with what the row holds, exactly as
 * `col IS NOT value` would; a row where nothing differs is left alone (and
 * not counted), as the single UPDATE with that WHERE clause did.
 *
 * kind, person and ratio carry CHECK (... IN (...)) constraints, and SQLite
 * builds an ephemeral table for such a list once per statement execution:
 * one UPDATE per result spent most of the ingest there.  So refreshes are
 * queued (per combination of changed checked columns: only those are set,
 * and checked) and applied PEND_MAX rows at a time by one
 * UPDATE ... FROM (VALUES ...).  The queue is applied before a queued row is
 * read again, before any statement that reads these columns of other rows
 * (closing a patient's coverages) and before the file's transaction ends;
 * nothing else in the ingest reads them.  So every statement sees what one
 * UPDATE per result would have left, and the file's result is the same. */
enum { U_KIND = 1, U_PERSON = 2, U_RATIO = 4, U__N = 8 };
#define PEND_MAX 128
#define PEND_SLOTS 2048         /* > U__N * PEND_MAX, a power of two */

struct pend {
	long long cid;
	long line;                      /* of the result, for messages */
	char symbol[HK_ELIG_IDENT_MAX + 1];
	char branch[3];
	char limit_class[4];
	char valid_to[11];
	const char *kind, *person;      /* static strings from hk_elig_derive() */
	int ratio;
};

/* History rows are written ELIG_BATCH at a time by one multi-row INSERT (in
 * the order of the results: the same rows with the same ids); the last few of
 * a file one by one.  Nothing in the ingest reads the history. */
#define ELIG_BATCH 64

struct elig_row {
	struct hk_elig_result r;
	long long pid;
	int found;
};

struct hk_elig_ingest {
	sqlite3 *db;
	sqlite3_stmt *st[Q__N];
	sqlite3_stmt *elig_bulk;        /* ELIG_BATCH rows of Q_ELIG_INSERT */
	struct elig_row elig[ELIG_BATCH];
	int nelig;
	sqlite3_stmt *bulk[U__N];       /* queued refreshes, per combination */
	sqlite3_stmt *one[U__N];        /* the same for one row */
	bool err_named;                 /* err already names the file and line */
	struct pend pend[U__N][PEND_MAX];
	int npend[U__N];
	int npend_all;
	long long pend_id[PEND_SLOTS];  /* the coverage ids queued (open addressing) */
	unsigned char pend_used[PEND_SLOTS];
	/* per file */
	const char *path;
	char sha[65];
	char received[21];
	struct hk_elig_ingest_stats *stats;
};

int hk_elig_ingest_open(sqlite3 *db, struct hk_elig_ingest **out, struct hk_err *err)
{
	struct hk_elig_ingest *ig = hk_calloc(1, sizeof(*ig));
	ig->db = db;
	/* SQLite opens a statement journal for each UPDATE of coverage and
	 * frees its 64 KiB first chunk when the statement ends; with glibc's
	 * default trim threshold every row then grows and shrinks the heap
	 * (page faults dominated the benchmark).  Keep freed memory. */
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	/* A larger page cache keeps the coverage pages of a big batch in memory
	 * (32 MiB; the benchmark's budget is 64 MiB peak). */
	if (hk_db_exec(db, "PRAGMA cache_size = -32768", err) < 0) {
		hk_free(ig);
		*out = NULL;
		return -1;
	}
	for (int i = 0; i < Q__N; i++) {
		if (hk_db_prepare(db, sql[i], &ig->st[i], err) < 0) {
			hk_elig_ingest_close(ig);
			*out = NULL;
			return -1;
		}
	}
	*out = ig;
	return 0;
}

void hk_elig_ingest_close(struct hk_elig_ingest *ig)
{
	if (!ig)
		return;
	for (int i = 0; i < Q__N; i++)
		sqlite3_finalize(ig->st[i]);
	for (int i = 0; i < U__N; i++) {
		sqlite3_finalize(ig->bulk[i]);
		sqlite3_finalize(ig->one[i]);
	}
	sqlite3_finalize(ig->elig_bulk);
	hk_free(ig);
}

static sqlite3_stmt *q(struct hk_elig_ingest *ig, int i)
{
	sqlite3_reset(ig->st[i]);
	sqlite3_clear_bindings(ig->st[i]);
	return ig->st[i];
}

static void bind_s(sqlite3_stmt *s, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void bind_i(sqlite3_stmt *s, int i, int v)
{
	if (v)
		sqlite3_bind_int(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

/* Runs a statement expecting one optional integer row: 1 found, 0 none, -1 error. */
static int step_id(struct hk_elig_ingest *ig, sqlite3_stmt *s, long long *id, struct hk_err *err)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		return 1;
	}
	if (rc == SQLITE_DONE)
		return 0;
	return hk_db_fail(ig->db, err, "eligibility ingest");
}

static int step_done(struct hk_elig_ingest *ig, sqlite3_stmt *s, struct hk_err *err)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		return hk_db_fail(ig->db, err, "eligibility ingest");
	return sqlite3_changes(ig->db);
}

static size_t pend_slot(long long cid)
{
	return (size_t)(((unsigned long long)cid * UINT64_C(0x9E3779B97F4A7C15)) >> 40) & (PEND_SLOTS - 1);
}

static bool pending(const struct hk_elig_ingest *ig, long long cid)
{
	for (size_t h = pend_slot(cid); ig->pend_used[h]; h = (h + 1) & (PEND_SLOTS - 1))
		if (ig->pend_id[h] == cid)
			return true;
	return false;
}

static void pend_clear(struct hk_elig_ingest *ig)
{
	if (ig->npend_all == 0)
		return;
	memset(ig->npend, 0, sizeof(ig->npend));
	memset(ig->pend_used, 0, sizeof(ig->pend_used));
	ig->npend_all = 0;
}

static int bulk_prepare(struct hk_elig_ingest *ig, int m, int rows, sqlite3_stmt **out, struct hk_err *err)
{
	struct hk_buf b;
	int rc;
	hk_buf_init(&b, 1 << 16, "bulk coverage refresh");
	rc = hk_buf_printf(&b, err, "UPDATE coverage SET symbol = v.column2, branch = v.column3,"
			   " limit_class = v.column4, valid_to = coalesce(v.column5, valid_to)%s%s%s FROM (VALUES ",
			   m & U_KIND ? ", kind = v.column6" : "", m & U_PERSON ? ", person = v.column7" : "",
			   m & U_RATIO ? ", ratio = v.column8" : "");
	for (int i = 0; rc == 0 && i < rows; i++)
		rc = hk_buf_adds(&b, i ? ", (?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?)", err);
	if (rc == 0)
		rc = hk_buf_adds(&b, ") AS v WHERE coverage.id = v.column1", err);
	if (rc == 0)
		rc = hk_db_prepare(ig->db, hk_buf_cstr(&b), out, err);
	hk_buf_free(&b);
	return rc;
}

static void pend_bind(sqlite3_stmt *s, int i, const struct pend *e)
{
	int k = 8 * i;
	sqlite3_bind_int64(s, k + 1, e->cid);
	bind_s(s, k + 2, e->symbol);
	bind_s(s, k + 3, e->branch);
	bind_s(s, k + 4, e->limit_class);
	bind_s(s, k + 5, e->valid_to);
	bind_s(s, k + 6, e->kind);
	bind_s(s, k + 7, e->person);
	sqlite3_bind_int(s, k + 8, e->ratio);
}

/* Applies the queued refreshes.  Should a batch fail while the transaction
 * is still open (a constraint: the statement alone was undone), its rows are
 * applied one by one so the message names the result that failed.  On
 * error, err names the file and line (ig->err_named). */
static int pend_flush(struct hk_elig_ingest *ig, struct hk_err *err)
{
	for (int m = 0; m < U__N; m++) {
		sqlite3_stmt *s;
		int n = ig->npend[m];
		if (n == 0)
			continue;
		if (!ig->bulk[m] && bulk_prepare(ig, m, PEND_MAX, &ig->bulk[m], err) < 0)
			goto fail_at_first;
		s = ig->bulk[m];
		sqlite3_reset(s);
		sqlite3_clear_bindings(s); /* rows not used: id NULL, matching nothing */
		for (int i = 0; i < n; i++)
			pend_bind(s, i, &ig->pend[m][i]);
		if (sqlite3_step(s) != SQLITE_DONE) {
			hk_db_fail(ig->db, err, "eligibility ingest");
			sqlite3_reset(s);
			if (sqlite3_get_autocommit(ig->db))
				goto fail_at_first; /* the transaction is gone: no retry */
			if (!ig->one[m] && bulk_prepare(ig, m, 1, &ig->one[m], err) < 0)
				goto fail_at_first;
			for (int i = 0; i < n; i++) {
				s = ig->one[m];
				sqlite3_reset(s);
				pend_bind(s, 0, &ig->pend[m][i]);
				if (sqlite3_step(s) != SQLITE_DONE) {
					hk_db_fail(ig->db, err, "eligibility ingest");
					sqlite3_reset(s);
					ig->err_named = true;
					return hk_err_prefix(err, "%s:%ld", ig->path, ig->pend[m][i].line);
				}
			}
		}
		sqlite3_reset(s);
		ig->npend[m] = 0;
	}
	pend_clear(ig);
	return 0;
fail_at_first:
	for (int m = 0; m < U__N; m++) {
		if (ig->npend[m]) {
			ig->err_named = true;
			return hk_err_prefix(err, "%s:%ld", ig->path, ig->pend[m][0].line);
		}
	}
	return -1;
}

static int pend_add(struct hk_elig_ingest *ig, int mask, long long cid, const struct hk_elig_result *r,
		    struct hk_err *err)
{
	struct pend *e;
	size_t h;
	if (ig->npend[mask] == PEND_MAX && pend_flush(ig, err) < 0)
		return -1;
	e = &ig->pend[mask][ig->npend[mask]++];
	ig->npend_all++;
	e->cid = cid;
	e->line = r->line;
	memcpy(e->symbol, r->symbol, sizeof(e->symbol));
	memcpy(e->branch, r->branch, sizeof(e->branch));
	memcpy(e->limit_class, r->limit_class, sizeof(e->limit_class));
	memcpy(e->valid_to, r->valid_to, sizeof(e->valid_to));
	e->kind = r->kind;
	e->person = r->person;
	e->ratio = r->ratio;
	for (h = pend_slot(cid); ig->pend_used[h]; h = (h + 1) & (PEND_SLOTS - 1))
		;
	ig->pend_used[h] = 1;
	ig->pend_id[h] = cid;
	return 0;
}

/* `col IS NOT v` for a text column, v bound by bind_s ("" = NULL).  Exact:
 * equal only when the stored value is that very text (or both are NULL). */
static bool text_differs(sqlite3_stmt *s, int col, const char *v)
{
	int type = sqlite3_column_type(s, col);
	size_t n;
	if (!v || !*v)
		return type != SQLITE_NULL;
	if (type != SQLITE_TEXT)
		return true;
	n = strlen(v);
	return (size_t)sqlite3_column_bytes(s, col) != n || memcmp(sqlite3_column_text(s, col), v, n) != 0;
}

static void day_before(const char *date10, char out[11])
{
	struct hk_date d;
	if (!hk_date_parse(date10, 10, &d)) {
		out[0] = 0;
		return;
	}
	hk_date_fmt10(hk_days_to_date(hk_date_to_days(d) - 1), out);
}

/* Finds the patient (by 照会番号, else by 保険者番号 + 番号) and, for
 * validity 1-3, that patient's latest coverage with the result's 保険者番号
 * + 番号: *cov is then a statement standing on that row (C_* columns) or
 * NULL.  1 found, 0 no patient, -1 error. */
static int find_patient(struct hk_elig_ingest *ig, const struct hk_elig_result *r, long long *pid,
			sqlite3_stmt **cov, struct hk_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	*cov = NULL;
	if (r->query_no[0]) {
		s = q(ig, Q_PAT_KEY_COV);
		bind_s(s, 1, r->query_no);
		bind_s(s, 2, r->insurer);
		bind_s(s, 3, r->number);
		if ((rc = step_id(ig, s, pid, err)) < 0)
			return -1;
		if (rc == 0)
			s = NULL;
	}
	if (!s) {
		if (!r->insurer[0] || !r->number[0])
			return 0;
		s = q(ig, Q_PAT_COV);
		bind_s(s, 1, r->insurer);
		bind_s(s, 2, r->number);
		if ((rc = step_id(ig, s, pid, err)) <= 0)
			return rc;
		if (r->validity > HK_ELIG_INVALID_NEW)
			return 1;
		s = q(ig, Q_COV_SAME);
		sqlite3_bind_int64(s, 1, *pid);
		bind_s(s, 2, r->insurer);
		bind_s(s, 3, r->number);
		if ((rc = step_id(ig, s, pid, err)) < 0)
			return -1;
		if (rc == 0)
			return 1;
	}
	if (sqlite3_column_type(s, C_CID) == SQLITE_NULL)
		return 1;
	if (pending(ig, sqlite3_column_int64(s, C_CID))) {
		/* read it again with its queued refresh applied (the flush
		 * changes no column the lookup selects by: same row) */
		sqlite3_reset(s);
		if (pend_flush(ig, err) < 0 || (rc = step_id(ig, s, pid, err)) < 0)
			return -1;
		if (rc == 0)
			return hk_err_set(err, HK_EXIT_IO, "eligibility ingest: coverage row lost on re-reading");
	}
	*cov = s;
	return 1;
}

static int take_valid(struct hk_elig_ingest *ig, const struct hk_elig_result *r, long long pid, sqlite3_stmt *cov,
		      struct hk_err *err)
{
	sqlite3_stmt *s;
	long long cid;
	int rc, mask = 0;
	const char *from = r->valid_from[0] ? r->valid_from : r->confirmed_on;
	if (cov) {
		cid = sqlite3_column_int64(cov, C_CID);
		if (text_differs(cov, C_KIND, r->kind))
			mask |= U_KIND;
		if (text_differs(cov, C_PERSON, r->person))
			mask |= U_PERSON;
		if (sqlite3_column_type(cov, C_RATIO) != SQLITE_INTEGER || sqlite3_column_int64(cov, C_RATIO) != r->ratio)
			mask |= U_RATIO;
		if (!mask && !text_differs(cov, C_SYMBOL, r->symbol) && !text_differs(cov, C_BRANCH, r->branch) &&
		    !text_differs(cov, C_LIMIT, r->limit_class) &&
		    !(r->valid_to[0] && text_differs(cov, C_VALID_TO, r->valid_to))) {
			sqlite3_reset(cov);
			return 0; /* nothing differs: no change */
		}
		sqlite3_reset(cov);
		if (pend_add(ig, mask, cid, r, err) < 0)
			return -1;
		ig->stats->cov_updated++;
		return 0;
	}
	/* insurer changed (or first confirmation): close the others, add this one */
	if (ig->npend_all && pend_flush(ig, err) < 0)
		return -1;
	s = q(ig, Q_COV_CLOSE_OTHERS);
	sqlite3_bind_int64(s, 1, pid);
	bind_s(s, 2, from);
	if ((rc = step_done(ig, s, err)) < 0)
		return -1;
	ig->stats->cov_closed += rc;
	s = q(ig, Q_COV_INSERT);
	sqlite3_bind_int64(s, 1, pid);
	bind_s(s, 2, r->insurer);
	bind_s(s, 3, r->symbol);
	bind_s(s, 4, r->number);
	bind_s(s, 5, r->branch);
	bind_s(s, 6, r->kind);
	bind_s(s, 7, r->person);
	sqlite3_bind_int(s, 8, r->ratio);
	bind_s(s, 9, r->limit_class);
	bind_s(s, 10, from);
	bind_s(s, 11, r->valid_to);
	if (step_done(ig, s, err) < 0)
		return -1;
	ig->stats->cov_added++;
	return 0;
}

static int take_invalid(struct hk_elig_ingest *ig, const struct hk_elig_result *r, sqlite3_stmt *cov,
			struct hk_err *err)
{
	sqlite3_stmt *s;
	long long cid;
	char end[11];
	int rc;
	if (!cov)
		return 0; /* nothing to close: the history row says it all */
	cid = sqlite3_column_int64(cov, C_CID); /* not queued: find_patient applied it */
	sqlite3_reset(cov);
	if (r->valid_to[0])
		memcpy(end, r->valid_to, sizeof(end));
	else
		day_before(r->confirmed_on, end);
	s = q(ig, Q_COV_CLOSE);
	sqlite3_bind_int64(s, 1, cid);
	bind_s(s, 2, end);
	if ((rc = step_done(ig, s, err)) < 0)
		return -1;
	ig->stats->cov_closed += rc;
	return 0;
}

/* Binds history row e as row i (0-based) of an INSERT of 18 values per row. */
static void elig_bind(sqlite3_stmt *s, int i, const struct elig_row *e, const char *sha, const char *received)
{
	const struct hk_elig_result *r = &e->r;
	int k = 18 * i;
	if (e->found)
		sqlite3_bind_int64(s, k + 1, e->pid);
	else
		sqlite3_bind_null(s, k + 1);
	bind_s(s, k + 2, r->query_no);
	bind_s(s, k + 3, r->confirmed_on);
	sqlite3_bind_int(s, k + 4, r->validity);
	bind_s(s, k + 5, r->insurer);
	bind_s(s, k + 6, r->symbol);
	bind_s(s, k + 7, r->number);
	bind_s(s, k + 8, r->branch);
	bind_s(s, k + 9, r->validity == HK_ELIG_VALID ? r->person : NULL);
	bind_i(s, k + 10, r->validity == HK_ELIG_VALID ? r->ratio : 0);
	bind_i(s, k + 11, r->elderly_ratio);
	bind_i(s, k + 12, r->kouki_ratio);
	bind_s(s, k + 13, r->limit_class);
	bind_s(s, k + 14, r->specific_disease);
	bind_s(s, k + 15, r->valid_from);
	bind_s(s, k + 16, r->valid_to);
	bind_s(s, k + 17, sha);
	bind_s(s, k + 18, received);
}

/* Writes the queued history rows: a full batch with one statement, fewer
 * (or a batch that failed while the transaction is still open) one by one,
 * so an error names the file and the line of the result that failed. */
static int elig_flush(struct hk_elig_ingest *ig, struct hk_err *err)
{
	sqlite3_stmt *s;
	int i = 0;
	if (ig->nelig == 0)
		return 0;
	if (ig->nelig == ELIG_BATCH) {
		if (!ig->elig_bulk) {
			struct hk_buf b;
			int rc;
			const char *ins = sql[Q_ELIG_INSERT];
			hk_buf_init(&b, 1 << 17, "bulk history insert");
			rc = hk_buf_add(&b, ins, (size_t)(strstr(ins, " VALUES") - ins), err);
			for (int k = 0; rc == 0 && k < ELIG_BATCH; k++)
				rc = hk_buf_adds(&b, k ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
						   : " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
			if (rc == 0)
				rc = hk_db_prepare(ig->db, hk_buf_cstr(&b), &ig->elig_bulk, err);
			hk_buf_free(&b);
			if (rc < 0)
				goto fail;
		}
		s = ig->elig_bulk;
		sqlite3_reset(s);
		for (int k = 0; k < ELIG_BATCH; k++)
			elig_bind(s, k, &ig->elig[k], ig->sha, ig->received);
		if (sqlite3_step(s) == SQLITE_DONE) {
			sqlite3_reset(s);
			ig->nelig = 0;
			return 0;
		}
		hk_db_fail(ig->db, err, "eligibility ingest");
		sqlite3_reset(s);
		if (sqlite3_get_autocommit(ig->db))
			goto fail; /* the transaction is gone: no retry */
	}
	for (i = 0; i < ig->nelig; i++) {
		s = q(ig, Q_ELIG_INSERT);
		elig_bind(s, 0, &ig->elig[i], ig->sha, ig->received);
		if (step_done(ig, s, err) < 0)
			goto fail;
	}
	ig->nelig = 0;
	return 0;
fail:
	ig->err_named = true;
	return hk_err_prefix(err, "%s:%ld", ig->path, ig->elig[i < ig->nelig ? i : 0].r.line);
}

static int on_result(void *ctx, struct hk_elig_result *r, struct hk_err *err)
{
	struct hk_elig_ingest *ig = ctx;
	sqlite3_stmt *cov;
	long long pid = 0;
	int found;
	ig->stats->results++;
	if ((found = find_patient(ig, r, &pid, &cov, err)) < 0)
		goto fail;
	if (found) {
		ig->stats->matched++;
		if (r->validity == HK_ELIG_VALID && take_valid(ig, r, pid, cov, err) < 0)
			goto fail;
		if ((r->validity == HK_ELIG_INVALID || r->validity == HK_ELIG_INVALID_NEW) &&
		    take_invalid(ig, r, cov, err) < 0)
			goto fail;
	} else {
		ig->stats->unmatched++;
	}
	if (ig->nelig == ELIG_BATCH && elig_flush(ig, err) < 0)
		return -1; /* elig_flush named the file and line */
	ig->elig[ig->nelig].r = *r;
	ig->elig[ig->nelig].pid = pid;
	ig->elig[ig->nelig].found = found;
	ig->nelig++;
	return 0;
fail:
	if (ig->err_named)
		return -1;
	return hk_err_prefix(err, "%s:%ld", ig->path, r->line);
}

/* ---- reading and writing at once ----
 * The file is parsed on a second thread while this one writes: the parser
 * hands each result to a queue (PIPE_SLOTS deep) and this thread takes them
 * in order and runs on_result() on each, exactly as a callback would.  Only
 * this thread touches the database; only the parser thread touches libxml2.
 * Errors come out as they would from one thread: results the parser handed
 * over before it failed are still taken first, so a failing result earlier
 * in the file is the one reported; when this thread fails it tells the
 * parser to stop. */
#define PIPE_SLOTS 512

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t data, room;
	struct hk_elig_result slot[PIPE_SLOTS];
	size_t head, count;
	bool done;                      /* the parser has returned */
	bool stop;                      /* the writer failed: the parser should stop */
	const char *path;
	int rc;                         /* the parser's */
	struct hk_err err;
	struct hk_elig_file_info info;
};

static int pipe_put(void *ctx, struct hk_elig_result *r, struct hk_err *err)
{
	struct pipe *pp = ctx;
	pthread_mutex_lock(&pp->mu);
	while (pp->count == PIPE_SLOTS && !pp->stop)
		pthread_cond_wait(&pp->room, &pp->mu);
	if (pp->stop) {
		pthread_mutex_unlock(&pp->mu);
		/* not reported: the writer's own error is */
		return hk_err_set(err, HK_EXIT_IO, "%s: stopped", pp->path);
	}
	pp->slot[(pp->head + pp->count) % PIPE_SLOTS] = *r;
	if (pp->count++ == 0)
		pthread_cond_signal(&pp->data);
	pthread_mutex_unlock(&pp->mu);
	return 0;
}

static void *pipe_parse(void *arg)
{
	struct pipe *pp = arg;
	int rc = hk_elig_parse_file(pp->path, pipe_put, pp, &pp->info, &pp->err);
	pthread_mutex_lock(&pp->mu);
	pp->rc = rc;
	pp->done = true;
	pthread_cond_signal(&pp->data);
	pthread_mutex_unlock(&pp->mu);
	return NULL;
}

static int parse_and_take(struct hk_elig_ingest *ig, const char *path, struct hk_elig_file_info *info,
			  struct hk_err *err)
{
	struct pipe *pp = hk_calloc(1, sizeof(*pp));
	struct hk_elig_result *batch = hk_malloc(PIPE_SLOTS * sizeof(*batch));
	pthread_t th;
	int rc = 0;
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->data, NULL);
	pthread_cond_init(&pp->room, NULL);
	pp->path = path;
	if (pthread_create(&th, NULL, pipe_parse, pp) != 0) {
		/* no thread: parse here, one result at a time */
		rc = hk_elig_parse_file(path, on_result, ig, info, err);
		goto out;
	}
	for (;;) {
		size_t n = 0;
		bool fin;
		pthread_mutex_lock(&pp->mu);
		while (pp->count == 0 && !pp->done)
			pthread_cond_wait(&pp->data, &pp->mu);
		while (pp->count > 0) {
			batch[n++] = pp->slot[pp->head];
			pp->head = (pp->head + 1) % PIPE_SLOTS;
			pp->count--;
		}
		fin = pp->done && n == 0;
		if (n)
			pthread_cond_signal(&pp->room);
		pthread_mutex_unlock(&pp->mu);
		if (fin)
			break;
		for (size_t i = 0; i < n; i++) {
			if (on_result(ig, &batch[i], err) < 0) {
				rc = -1;
				pthread_mutex_lock(&pp->mu);
				pp->stop = true;
				pthread_cond_signal(&pp->room);
				pthread_mutex_unlock(&pp->mu);
				break;
			}
		}
		if (rc < 0)
			break;
	}
	pthread_join(th, NULL);
	if (rc == 0 && pp->rc < 0) {
		*err = pp->err;
		rc = -1;
	}
	*info = pp->info;
out:
	pthread_cond_destroy(&pp->room);
	pthread_cond_destroy(&pp->data);
	pthread_mutex_destroy(&pp->mu);
	hk_free(batch);
	hk_free(pp);
	return rc;
}

int hk_elig_ingest_file(struct hk_elig_ingest *ig, const char *path, struct hk_elig_ingest_stats *st,
			struct hk_err *err)
{
	struct hk_elig_file_info info;
	sqlite3_stmt *s;
	const char *base = strrchr(path, '/');
	char summary[160];
	int rc;
	memset(st, 0, sizeof(*st));
	ig->path = path;
	ig->stats = st;
	base = base ? base + 1 : path;
	if (hk_sha256_file(path, ig->sha, err) < 0)
		return -1;
	memcpy(st->sha256, ig->sha, sizeof(st->sha256));
	hk_clock_fmt_iso(hk_clock_now(), ig->received);
	if (hk_db_begin(ig->db, err) < 0)
		return -1;
	/* Foreign keys are checked at COMMIT instead of per statement, which
	 * spares SQLite a statement journal per row (10x on the benchmark);
	 * the transaction still fails as a whole on a violation. */
	if (hk_db_exec(ig->db, "PRAGMA defer_foreign_keys = ON", err) < 0)
		goto fail;
	s = q(ig, Q_NOTICE_FIND);
	bind_s(s, 1, ig->sha);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		st->duplicate = true;
		sqlite3_reset(s);
		hk_db_rollback(ig->db);
		return 0;
	}
	if (rc != SQLITE_DONE) {
		hk_db_fail(ig->db, err, "eligibility ingest");
		goto fail;
	}
	ig->nelig = 0;
	ig->err_named = false;
	if (parse_and_take(ig, path, &info, err) < 0)
		goto fail;
	if (pend_flush(ig, err) < 0)
		goto fail;
	if (elig_flush(ig, err) < 0)
		goto fail;
	hk_snprintf(summary, sizeof(summary), "%ld results (%ld matched, %ld unmatched), confirmed %s",
		    st->results, st->matched, st->unmatched, info.confirmed_on[0] ? info.confirmed_on : "-");
	s = q(ig, Q_NOTICE_INSERT);
	bind_s(s, 1, ig->sha);
	bind_s(s, 2, base);
	bind_s(s, 3, ig->received);
	bind_s(s, 4, summary);
	if (step_done(ig, s, err) < 0)
		goto fail;
	if (hk_db_commit(ig->db, err) < 0)
		goto fail;
	sqlite3_reset(ig->st[Q_NOTICE_FIND]);
	return 0;
fail:
	for (int i = 0; i < Q__N; i++)
		sqlite3_reset(ig->st[i]);
	for (int i = 0; i < U__N; i++)
		if (ig->bulk[i])
			sqlite3_reset(ig->bulk[i]);
	pend_clear(ig);
	ig->nelig = 0;
	if (ig->elig_bulk)
		sqlite3_reset(ig->elig_bulk);
	hk_db_rollback(ig->db);
	return -1;
}
