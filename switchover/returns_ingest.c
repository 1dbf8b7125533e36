/*
 * returns_ingest.c - results into the station database (docs/returns.md):
 * returned receipts (返戻), 増減点連絡書 items and 振替・分割 results.
 *
 * One file, one transaction.  The file's SHA-256 is the notice's key, so a
 * file applied before is recognised and nothing is done; a file that fails to
 * parse changes nothing (ROLLBACK).  Every item is matched to a receipt
 * (hk_res_match) or kept with receipt_id NULL and listed.  Named kill points
 * (HOUKAN_KILL_AT): ingest-begin, ingest-item (every item), ingest-commit.
 *
 * Speed (docs/returns.md, benchmark): the CSVs are parsed on a second thread
 * while this one writes; items and the receipts' decided amounts and states
 * are written in batches (ROW_BATCH rows per statement) in the order a
 * statement per row would have written them, so the database is the same,
 * row for row and id for id.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "switchover/returns.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/fault.h"
#include "base/fileio.h"
#include "base/limits.h"
#include "claims/db.h"

/* ---- batched writes ----
 * notice_item rows are queued and written ROW_BATCH at a time by one
 * multi-row INSERT, in the order they come (same rows, same ids); fewer at
 * the end of a file one by one.  The 増減点 of a receipt (Σ amounts, then the
 * transition to 'adjusted') are queued per receipt, summed when a receipt
 * comes again, and applied ROW_BATCH receipts at a time by one
 * UPDATE ... FROM (VALUES ...); whether a receipt changes state is known from
 * the state read when it was matched, and its receipt_state row is queued in
 * the order the receipts were first seen - the order one statement per row
 * would have written them.  Nothing in the ingest reads what is queued:
 * matching reads search_no (written at once), keys and "state <>
 * 'superseded'", which a transition to 'adjusted' of a matched receipt does
 * not change.  Every queue is written before the file's summary and COMMIT. */
#define ROW_BATCH 64
#define TEXT_FLUSH (256 << 10)      /* queued item bytes that start a flush */
/* and room for one more item: raw bytes (a CSV row, an HR record) and texts */
#define TEXT_CAP (TEXT_FLUSH + 2 * HK_MAX_CSV_LINE + 8 * HK_RES_TEXT_MAX)

enum { QF_CODE, QF_TEXT, QF_RAW, QF_SEARCH, QF_KEY, QF_MONTH, QF_N };

struct qitem {
	long long rid;
	long long amount;
	long line;
	const char *kind;           /* static */
	int how;
	bool has_amount, has_raw;
	size_t off[QF_N], len[QF_N]; /* in in->text; len 0 = NULL (bind_opt), raw: has_raw */
};

struct hk_res_ingest {
	sqlite3 *db;
	sqlite3_stmt *q_dup, *ins_notice, *upd_notice, *ins_item, *ins_returned, *upd_returned_rc, *m_search, *m_key,
		*m_patient, *m_rno, *set_search, *upd_state, *ins_state, *q_cov_of, *q_cov_at,
		*ins_cov, *q_cov_same, *close_cov, *set_cov;
	/* per file */
	long long notice_id;
	const char *source;        /* file name for receipt_state.source */
	char now[21];
	struct hk_res_ingest_stats *st;
	int body;                  /* header 審査支払機関 when known */
	char claim_month[8];       /* 'YYYY-MM' from the header, "" if none */
	/* the last match (fill-down rows of one receipt carry the same keys) */
	char last_key[1];
	char last_v[5][40], last_claim[8];
	int last_body;
	long long last_rid;
	int last_how;
	char last_state[16];
	char match_state[16];      /* the matched receipt's state when matched ("" if none) */
	/* 増減点 amounts gathered per receipt (rows of one receipt are consecutive) */
	long long pend_id, pend_amount;
	bool pend_change;          /* its state is not 'adjusted' yet */
	/* queued writes (see "batched writes") */
	sqlite3_stmt *ins_item_bulk, *ins_state_bulk, *adj_bulk;
	struct qitem *items;        /* ROW_BATCH notice_item rows */
	int nitems;
	struct hk_buf text;         /* their texts and raw bytes */
	struct radj {               /* receipts adjusted, first seen first */
		long long rid, amount;
		bool change;            /* a transition to 'adjusted' */
	} adj[ROW_BATCH];
	int nadj;
	long long states[ROW_BATCH]; /* receipt_state rows ('adjusted') to write, in order */
	int nstates;
	bool writer_failed;         /* a callback failed (not the parser) */
};

static const char *const SQL[] = {
	/* q_dup */ "SELECT id FROM notice WHERE sha256 = ?1",
	/* ins_notice */ "INSERT INTO notice(kind, sha256, file_name, received) VALUES (?1, ?2, ?3, ?4)",
	/* upd_notice */ "UPDATE notice SET summary = ?2 WHERE id = ?1",
	/* ins_item */ "INSERT INTO notice_item(notice_id, receipt_id, line, kind, code, text, amount, raw, search_no,"
		       " record_key, service_month, matched_by) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
	/* ins_returned */ "INSERT INTO returned(notice_id, receipt_id, seq, line, body, claim_month, service_month,"
			   " receipt_no, search_no, record_key, insurer, data, history) VALUES"
			   " (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
	/* upd_returned_rc */ "UPDATE receipt SET search_no = ?2, history_block = ?3 WHERE id = ?1",
	/* m_search */ "SELECT id, state FROM receipt WHERE search_no = ?1 AND state <> 'superseded'"
		       " ORDER BY id DESC LIMIT 1",
	/* m_key */ "SELECT id, state FROM receipt WHERE record_key = ?1 AND state <> 'superseded'"
		    " AND (?2 IS NULL OR service_month = ?2) ORDER BY id DESC LIMIT 1",
	/* m_patient */ "SELECT r.id, r.state FROM receipt r JOIN patient p ON p.id = r.patient_id"
			" LEFT JOIN coverage c ON c.id = r.coverage_id WHERE p.patient_key = ?1 AND r.service_month = ?2"
			" AND (?3 IS NULL OR c.insurer = ?3) AND r.state <> 'superseded' ORDER BY r.id DESC LIMIT 1",
	/* m_rno */ "SELECT r.id, r.state FROM receipt r JOIN claim_run k ON k.id = r.run_id"
		    " LEFT JOIN coverage c ON c.id = r.coverage_id WHERE r.receipt_no = ?1 AND (?2 IS NULL OR r.service_month = ?2)"
		    " AND (?3 IS NULL OR c.insurer = ?3) AND (?4 = 0 OR r.body = ?4) AND (?5 IS NULL OR k.claim_month = ?5)"
		    " AND (?2 IS NOT NULL OR ?5 IS NOT NULL) AND r.state <> 'superseded' ORDER BY r.id DESC LIMIT 1",
	/* set_search */ "UPDATE receipt SET search_no = ?2 WHERE id = ?1 AND search_no IS NULL",
	/* upd_state */ "UPDATE receipt SET state = ?2 WHERE id = ?1 AND state <> ?2",
	/* ins_state */ "INSERT INTO receipt_state(receipt_id, state, at, source) VALUES (?1, ?2, ?3, ?4)",
	/* q_cov_of */ "SELECT r.coverage_id, c.insurer, c.valid_from, r.patient_id, r.service_month, c.kind"
		       " FROM receipt r LEFT JOIN coverage c ON c.id = r.coverage_id WHERE r.id = ?1",
	/* q_cov_at */ "SELECT id FROM coverage WHERE patient_id = ?1 AND insurer = ?2 AND valid_from <= ?3"
		       " AND (valid_to IS NULL OR valid_to >= ?3) ORDER BY valid_from DESC LIMIT 1",
	/* ins_cov */ "INSERT INTO coverage(patient_id, insurer, symbol, number, branch, kind, person, ratio, limit_class,"
		      " kougaku, duty, valid_from, valid_to, source) SELECT patient_id, ?2, CASE WHEN ?4 IS NULL THEN"
		      " symbol ELSE ?3 END, coalesce(?4, number), branch, ?5, CASE WHEN ?5 = 'kouki' AND kind <> 'kouki'"
		      " THEN 'kourei' WHEN ?5 <> 'kouki' AND kind = 'kouki' THEN 'honnin' ELSE person END, ratio,"
		      " limit_class, kougaku, duty, ?6, valid_to, 'switch' FROM coverage WHERE id = ?1"
		      " ON CONFLICT DO NOTHING",
	/* q_cov_same */ "SELECT c.id FROM coverage c JOIN coverage o ON o.id = ?1 WHERE c.patient_id = o.patient_id"
			 " AND c.insurer = ?2 AND c.valid_from = ?3",
	/* close_cov */ "UPDATE coverage SET valid_to = date(?2, '-1 day') WHERE id = ?1"
			" AND (valid_to IS NULL OR valid_to >= ?2)",
	/* set_cov */ "UPDATE receipt SET coverage_id = ?2 WHERE id = ?1",
};

static sqlite3_stmt **stmt_at(struct hk_res_ingest *in, size_t i)
{
	sqlite3_stmt **all[] = {&in->q_dup, &in->ins_notice, &in->upd_notice, &in->ins_item, &in->ins_returned,
				&in->upd_returned_rc, &in->m_search, &in->m_key, &in->m_patient, &in->m_rno,
				&in->set_search, &in->upd_state, &in->ins_state, &in->q_cov_of,
				&in->q_cov_at, &in->ins_cov, &in->q_cov_same, &in->close_cov, &in->set_cov};
	_Static_assert(sizeof(all) / sizeof(all[0]) == sizeof(SQL) / sizeof(SQL[0]), "one SQL per statement");
	return all[i];
}

int hk_res_ingest_open(sqlite3 *db, struct hk_res_ingest **out, struct hk_err *err)
{
	struct hk_res_ingest *in = hk_calloc(1, sizeof(*in));
	in->db = db;
	in->items = hk_calloc(ROW_BATCH, sizeof(*in->items));
	/* SQLite opens a statement journal for every batched statement and frees
	 * it when the statement ends; with glibc's default trim threshold the heap
	 * then grows and shrinks each time (page faults, as in the eligibility
	 * ingest).  Keep freed memory. */
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	hk_buf_init(&in->text, TEXT_CAP, "queued result items");
	/* a page cache that holds the receipt indexes of a large station (well under the 64 MiB budget) */
	if (hk_db_exec(db, "PRAGMA cache_size = -32768", err) < 0) {
		hk_res_ingest_close(in);
		return -1;
	}
	for (size_t i = 0; i < HK_ARRAY_LEN(SQL); i++)
		if (hk_db_prepare(db, SQL[i], stmt_at(in, i), err) < 0) {
			hk_res_ingest_close(in);
			return -1;
		}
	*out = in;
	return 0;
}

void hk_res_ingest_close(struct hk_res_ingest *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < HK_ARRAY_LEN(SQL); i++)
		sqlite3_finalize(*stmt_at(in, i));
	sqlite3_finalize(in->ins_item_bulk);
	sqlite3_finalize(in->ins_state_bulk);
	sqlite3_finalize(in->adj_bulk);
	hk_buf_free(&in->text);
	hk_free(in->items);
	hk_free(in);
}

/* ---- helpers ---- */

/* v must stay valid until the statement has been stepped (every caller steps at once). */
static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v && v[0])
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static int step_done(sqlite3 *db, sqlite3_stmt *s, struct hk_err *err, const char *what)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return hk_db_fail(db, err, what);
	return 0;
}

/* First column of the first row as int64, 0 if none; -1 on error. */
static long long step_id(sqlite3 *db, sqlite3_stmt *s, struct hk_err *err, const char *what)
{
	long long id = 0;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		id = hk_db_fail(db, err, what);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return id;
}

/* step_id for the matching statements (id, state): the state into in->match_state. */
static long long step_match(struct hk_res_ingest *in, sqlite3_stmt *s, struct hk_err *err, const char *what)
{
	long long id = 0;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		hk_db_col_copy(in->match_state, sizeof(in->match_state), s, 1);
	} else if (rc != SQLITE_DONE) {
		id = hk_db_fail(in->db, err, what);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return id;
}

/* v (NUL-terminated) into dst[size], cut as snprintf "%s" would. */
static void copy_cut(char *dst, size_t size, const char *v)
{
	size_t n = strnlen(v, size - 1);
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* "YYYYMM" → "YYYY-MM" ("" stays ""). */
static void month7(const char *m6, char out[8])
{
	if (m6 && strlen(m6) == 6) {
		memcpy(out, m6, 4);
		out[4] = '-';
		memcpy(out + 5, m6 + 4, 2);
		out[7] = '\0';
	} else {
		out[0] = '\0';
	}
}

static const char *const HOW[] = {"", "search_no", "record_key", "patient", "receipt_no"};

static long long match_keys(struct hk_res_ingest *in, const struct hk_match_key *k, struct hk_err *err, int *how);
/* The keys of the last match, compared field by field (fill-down rows repeat them). */
static bool same_key(struct hk_res_ingest *in, const struct hk_match_key *k)
{
	const char *v[5] = {k->search_no, k->record_key, k->service_month, k->insurer, k->receipt_no};
	if (!in->last_key[0] || in->last_body != k->body || strcmp(in->last_claim, in->claim_month) != 0)
		return false;
	for (int i = 0; i < 5; i++)
		if (strcmp(v[i] ? v[i] : "", in->last_v[i]) != 0)
			return false;
	return true;
}

static long long match_with(struct hk_res_ingest *in, const struct hk_match_key *k, struct hk_err *err, int *how)
{
	const char *v[5] = {k->search_no, k->record_key, k->service_month, k->insurer, k->receipt_no};
	long long id;
	if (same_key(in, k)) {
		*how = in->last_how;
		memcpy(in->match_state, in->last_state, sizeof(in->match_state));
		return in->last_rid;
	}
	id = match_keys(in, k, err, how);
	if (id >= 0) {
		for (int i = 0; i < 5; i++)
			copy_cut(in->last_v[i], sizeof(in->last_v[i]), v[i] ? v[i] : "");
		memcpy(in->last_state, in->match_state, sizeof(in->last_state));
		memcpy(in->last_claim, in->claim_month, sizeof(in->last_claim));
		in->last_body = k->body;
		in->last_key[0] = 1;
		in->last_rid = id;
		in->last_how = *how;
	}
	return id;
}

static long long match_keys(struct hk_res_ingest *in, const struct hk_match_key *k, struct hk_err *err, int *how)
{
	long long id = 0;
	char sm[8];
	*how = 0;
	in->match_state[0] = '\0';
	month7(k->service_month, sm);
	if (k->search_no && k->search_no[0]) {
		bind_opt(in->m_search, 1, k->search_no);
		if ((id = step_match(in, in->m_search, err, "matching by 検索番号")) != 0)
			return *how = 1, id;
	}
	if (k->record_key && k->record_key[0]) {
		const char *dash;
		bind_opt(in->m_key, 1, k->record_key);
		bind_opt(in->m_key, 2, sm);
		if ((id = step_match(in, in->m_key, err, "matching by 訪問看護記録番号等")) != 0)
			return *how = 2, id;
		/* the patient part of the key ("PATIENTKEY-YYMMX") */
		dash = strrchr(k->record_key, '-');
		if (dash && dash > k->record_key && sm[0]) {
			char pk[24];
			hk_snprintf(pk, sizeof(pk), "%.*s", (int)(dash - k->record_key), k->record_key);
			bind_opt(in->m_patient, 1, pk);
			bind_opt(in->m_patient, 2, sm);
			bind_opt(in->m_patient, 3, k->insurer);
			if ((id = step_match(in, in->m_patient, err, "matching by patient")) != 0)
				return *how = 3, id;
		}
	}
	if (k->receipt_no && k->receipt_no[0]) {
		sqlite3_bind_int64(in->m_rno, 1, strtoll(k->receipt_no, NULL, 10));
		bind_opt(in->m_rno, 2, sm);
		bind_opt(in->m_rno, 3, k->insurer);
		sqlite3_bind_int(in->m_rno, 4, k->body);
		bind_opt(in->m_rno, 5, in->claim_month);
		if ((id = step_match(in, in->m_rno, err, "matching by レセプト番号")) != 0)
			return *how = 4, id;
	}
	return id;
}

long long hk_res_match(sqlite3 *db, const struct hk_match_key *k, struct hk_err *err, int *how)
{
	struct hk_res_ingest *in;
	long long id;
	if (hk_res_ingest_open(db, &in, err) < 0)
		return -1;
	id = match_with(in, k, err, how);
	hk_res_ingest_close(in);
	return id;
}

static int receipts_flush(struct hk_res_ingest *in, struct hk_err *err);

static int transition(struct hk_res_ingest *in, long long id, const char *state, struct hk_err *err)
{
	if ((in->nadj || in->nstates) && receipts_flush(in, err) < 0)
		return -1; /* queued transitions come first */
	sqlite3_bind_int64(in->upd_state, 1, id);
	sqlite3_bind_text(in->upd_state, 2, state, -1, SQLITE_STATIC);
	if (step_done(in->db, in->upd_state, err, "changing a receipt's state") < 0)
		return -1;
	if (sqlite3_changes(in->db) == 0)
		return 0;
	sqlite3_bind_int64(in->ins_state, 1, id);
	sqlite3_bind_text(in->ins_state, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(in->ins_state, 3, in->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(in->ins_state, 4, in->source, -1, SQLITE_STATIC);
	return step_done(in->db, in->ins_state, err, "recording a receipt state");
}

int hk_receipt_transition(sqlite3 *db, long long receipt_id, const char *state, const char *source,
			  struct hk_err *err)
{
	struct hk_res_ingest *in;
	int rc;
	if (hk_res_ingest_open(db, &in, err) < 0)
		return -1;
	hk_clock_fmt_iso(hk_clock_now(), in->now);
	in->source = source;
	rc = transition(in, receipt_id, state, err);
	hk_res_ingest_close(in);
	return rc;
}

/* ---- batched writes (see the top) ---- */

/* sql1 is "... VALUES (?1, ..., ?n)" (n = ncols): the same statement for rows rows. */
static int prepare_rows(sqlite3 *db, const char *sql1, int ncols, int rows, sqlite3_stmt **out, struct hk_err *err)
{
	struct hk_buf b;
	const char *v = strstr(sql1, " VALUES");
	int rc;
	hk_buf_init(&b, 1 << 16, "batched statement");
	rc = hk_buf_add(&b, sql1, (size_t)(v - sql1), err);
	for (int r = 0; rc == 0 && r < rows; r++) {
		rc = hk_buf_adds(&b, r ? ", (" : " VALUES (", err);
		for (int c = 0; rc == 0 && c < ncols; c++)
			rc = hk_buf_adds(&b, c ? ", ?" : "?", err);
		if (rc == 0)
			rc = hk_buf_adds(&b, ")", err);
	}
	if (rc == 0)
		rc = hk_db_prepare(db, hk_buf_cstr(&b), out, err);
	hk_buf_free(&b);
	return rc;
}

static void bind_part(sqlite3_stmt *s, int i, const char *text, const struct qitem *q, int f)
{
	if (q->len[f])
		sqlite3_bind_text(s, i, text + q->off[f], (int)q->len[f], SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* Binds item q as row `row` (0-based) of ins_item (12 values per row), every value. */
static void item_bind(struct hk_res_ingest *in, sqlite3_stmt *s, int row, const struct qitem *q)
{
	const char *t = in->text.data ? in->text.data : "";
	int k = 12 * row;
	sqlite3_bind_int64(s, k + 1, in->notice_id);
	if (q->rid)
		sqlite3_bind_int64(s, k + 2, q->rid);
	else
		sqlite3_bind_null(s, k + 2);
	sqlite3_bind_int64(s, k + 3, q->line);
	sqlite3_bind_text(s, k + 4, q->kind, -1, SQLITE_STATIC);
	bind_part(s, k + 5, t, q, QF_CODE);
	bind_part(s, k + 6, t, q, QF_TEXT);
	if (q->has_amount)
		sqlite3_bind_int64(s, k + 7, q->amount);
	else
		sqlite3_bind_null(s, k + 7);
	if (q->has_raw)
		sqlite3_bind_blob(s, k + 8, t + q->off[QF_RAW], (int)q->len[QF_RAW], SQLITE_STATIC);
	else
		sqlite3_bind_null(s, k + 8);
	bind_part(s, k + 9, t, q, QF_SEARCH);
	bind_part(s, k + 10, t, q, QF_KEY);
	bind_part(s, k + 11, t, q, QF_MONTH);
	if (q->rid)
		sqlite3_bind_text(s, k + 12, HOW[q->how], -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, k + 12);
}

/* Writes the queued items: a full batch by one statement, fewer one by one. */
static int items_flush(struct hk_res_ingest *in, struct hk_err *err)
{
	int rc = 0;
	if (in->nitems == ROW_BATCH) {
		sqlite3_stmt *s;
		if (!in->ins_item_bulk &&
		    prepare_rows(in->db, sqlite3_sql(in->ins_item), 12, ROW_BATCH, &in->ins_item_bulk, err) < 0)
			return -1;
		s = in->ins_item_bulk;
		for (int i = 0; i < ROW_BATCH; i++)
			item_bind(in, s, i, &in->items[i]);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = hk_db_fail(in->db, err, "recording an item");
		sqlite3_reset(s);
	} else {
		for (int i = 0; rc == 0 && i < in->nitems; i++) {
			item_bind(in, in->ins_item, 0, &in->items[i]);
			rc = step_done(in->db, in->ins_item, err, "recording an item");
		}
	}
	in->nitems = 0;
	hk_buf_reset(&in->text);
	return rc;
}

static int add_item(struct hk_res_ingest *in, long long rid, long line, const char *kind, const char *code,
		    const char *text, const long long *amount, const void *raw, size_t rawlen, const char *search_no,
		    const char *record_key, const char *service_month6, int how, struct hk_err *err)
{
	struct qitem *q;
	char sm[8];
	/* the matching keys: kept for returns (houkan returns joins on them) and for unmatched
	 * items; a matched 増減点/振替 item has its receipt's */
	bool keys = !rid || !strcmp(kind, "return");
	const void *part[QF_N];
	size_t len[QF_N], total = 0;
	month7(service_month6, sm);
	part[QF_CODE] = code;
	part[QF_TEXT] = text;
	part[QF_RAW] = raw;
	part[QF_SEARCH] = keys ? search_no : NULL;
	part[QF_KEY] = keys ? record_key : NULL;
	part[QF_MONTH] = keys ? sm : NULL;
	for (int f = 0; f < QF_N; f++) {
		len[f] = f == QF_RAW ? (raw ? rawlen : 0) : part[f] ? strlen(part[f]) : 0;
		total += len[f];
	}
	if ((in->nitems == ROW_BATCH || (in->nitems && in->text.len + total > TEXT_FLUSH)) && items_flush(in, err) < 0)
		return -1;
	q = &in->items[in->nitems];
	for (int f = 0; f < QF_N; f++) {
		q->off[f] = in->text.len;
		q->len[f] = len[f];
		if (len[f] && hk_buf_add(&in->text, part[f], len[f], err) < 0)
			return -1;
	}
	q->rid = rid;
	q->line = line;
	q->kind = kind;
	q->how = how;
	q->has_amount = amount != NULL;
	q->amount = amount ? *amount : 0;
	q->has_raw = raw != NULL;
	in->nitems++;
	return 0;
}

/* receipt_state rows of queued transitions: a full batch by one statement, fewer one by one. */
static int states_flush(struct hk_res_ingest *in, struct hk_err *err)
{
	int rc = 0;
	if (in->nstates == ROW_BATCH) {
		sqlite3_stmt *s;
		if (!in->ins_state_bulk &&
		    prepare_rows(in->db, sqlite3_sql(in->ins_state), 4, ROW_BATCH, &in->ins_state_bulk, err) < 0)
			return -1;
		s = in->ins_state_bulk;
		for (int i = 0; i < ROW_BATCH; i++) {
			sqlite3_bind_int64(s, 4 * i + 1, in->states[i]);
			sqlite3_bind_text(s, 4 * i + 2, "adjusted", -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 4 * i + 3, in->now, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 4 * i + 4, in->source, -1, SQLITE_STATIC);
		}
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = hk_db_fail(in->db, err, "recording a receipt state");
		sqlite3_reset(s);
	} else {
		for (int i = 0; rc == 0 && i < in->nstates; i++) {
			sqlite3_bind_int64(in->ins_state, 1, in->states[i]);
			sqlite3_bind_text(in->ins_state, 2, "adjusted", -1, SQLITE_STATIC);
			sqlite3_bind_text(in->ins_state, 3, in->now, -1, SQLITE_STATIC);
			sqlite3_bind_text(in->ins_state, 4, in->source, -1, SQLITE_STATIC);
			rc = step_done(in->db, in->ins_state, err, "recording a receipt state");
		}
	}
	in->nstates = 0;
	return rc;
}

/* The queued 増減点 of up to ROW_BATCH receipts: decided += Σ amounts and
 * state 'adjusted' by one UPDATE; a receipt whose state was not 'adjusted'
 * (as matched) gets its receipt_state row, in the order the receipts were
 * first seen. */
static int adj_flush(struct hk_res_ingest *in, struct hk_err *err)
{
	sqlite3_stmt *s;
	int rc;
	if (in->nadj == 0)
		return 0;
	if (!in->adj_bulk) {
		struct hk_buf b;
		hk_buf_init(&b, 1 << 16, "batched statement");
		rc = hk_buf_adds(&b, "UPDATE receipt SET decided = coalesce(decided, total) + v.column2, state = ?1"
				 " FROM (VALUES", err);
		for (int i = 0; rc == 0 && i < ROW_BATCH; i++)
			rc = hk_buf_adds(&b, i ? ", (?, ?)" : " (?, ?)", err);
		if (rc == 0)
			rc = hk_buf_adds(&b, ") AS v WHERE receipt.id = v.column1", err);
		if (rc == 0)
			rc = hk_db_prepare(in->db, hk_buf_cstr(&b), &in->adj_bulk, err);
		hk_buf_free(&b);
		if (rc < 0)
			return -1;
	}
	s = in->adj_bulk;
	sqlite3_bind_text(s, 1, "adjusted", -1, SQLITE_STATIC);
	for (int i = 0; i < ROW_BATCH; i++) { /* rows not used: id NULL, matching nothing */
		if (i < in->nadj) {
			sqlite3_bind_int64(s, 2 * i + 2, in->adj[i].rid);
			sqlite3_bind_int64(s, 2 * i + 3, in->adj[i].amount);
		} else {
			sqlite3_bind_null(s, 2 * i + 2);
			sqlite3_bind_null(s, 2 * i + 3);
		}
	}
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : hk_db_fail(in->db, err, "recording the decided amount");
	sqlite3_reset(s);
	if (rc < 0)
		return -1;
	for (int i = 0; i < in->nadj; i++) {
		if (!in->adj[i].change)
			continue;
		if (in->nstates == ROW_BATCH && states_flush(in, err) < 0)
			return -1;
		in->states[in->nstates++] = in->adj[i].rid;
	}
	in->nadj = 0;
	return 0;
}

static int receipts_flush(struct hk_res_ingest *in, struct hk_err *err)
{
	if (adj_flush(in, err) < 0 || states_flush(in, err) < 0)
		return -1;
	return 0;
}

/* Everything queued, before anything reads it (the summary, COMMIT). */
static int writes_flush(struct hk_res_ingest *in, struct hk_err *err)
{
	if (receipts_flush(in, err) < 0 || items_flush(in, err) < 0)
		return -1;
	return 0;
}

static void writes_drop(struct hk_res_ingest *in)
{
	in->nitems = in->nadj = in->nstates = 0;
	hk_buf_reset(&in->text);
	in->pend_id = in->pend_amount = 0;
}

static int learn_search_no(struct hk_res_ingest *in, long long rid, const char *search_no, struct hk_err *err)
{
	if (!search_no || !search_no[0])
		return 0;
	sqlite3_bind_int64(in->set_search, 1, rid);
	sqlite3_bind_text(in->set_search, 2, search_no, -1, SQLITE_TRANSIENT);
	return step_done(in->db, in->set_search, err, "recording a 検索番号");
}

/* 振替 (kind 4) or 分割 (kind 5) of receipt rid to insurer new_ins (from the
 * first day of the service month, or from split_date for 分割). */
static int apply_switch(struct hk_res_ingest *in, long long rid, int kind, const char *new_ins, const char *symbol,
			const char *number, const char *split_date, struct hk_err *err)
{
	sqlite3_stmt *s = in->q_cov_of;
	long long cov = 0, new_cov;
	char old_ins[16] = "", from[11] = "", sm[8] = "";
	const char *nkind;
	int rc;
	sqlite3_bind_int64(s, 1, rid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		cov = sqlite3_column_int64(s, 0);
		hk_snprintf(old_ins, sizeof(old_ins), "%s", sqlite3_column_text(s, 1) ? (const char *)sqlite3_column_text(s, 1) : "");
		hk_snprintf(sm, sizeof(sm), "%s", sqlite3_column_text(s, 4) ? (const char *)sqlite3_column_text(s, 4) : "");
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return hk_db_fail(in->db, err, "reading a receipt's coverage");
	if (!cov || !strcmp(old_ins, new_ins))
		return 0; /* 公費単独, or already with that insurer */
	if (kind == 5 && split_date && split_date[0])
		hk_snprintf(from, sizeof(from), "%s", split_date);
	else
		hk_snprintf(from, sizeof(from), "%s-01", sm);
	nkind = strlen(new_ins) == 6 ? "kokuho" : !strncmp(new_ins, "39", 2) ? "kouki" : "shaho";
	/* the new insurer's coverage from `from`: an existing one, else a copy of the old one */
	{
		long long pid;
		sqlite3_stmt *q = in->q_cov_of;
		sqlite3_bind_int64(q, 1, rid);
		sqlite3_step(q);
		pid = sqlite3_column_int64(q, 3);
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		sqlite3_bind_int64(in->q_cov_at, 1, pid);
		sqlite3_bind_text(in->q_cov_at, 2, new_ins, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(in->q_cov_at, 3, from, -1, SQLITE_TRANSIENT);
		if ((new_cov = step_id(in->db, in->q_cov_at, err, "looking up the confirmed coverage")) < 0)
			return -1;
	}
	if (!new_cov) {
		sqlite3_bind_int64(in->ins_cov, 1, cov);
		sqlite3_bind_text(in->ins_cov, 2, new_ins, -1, SQLITE_TRANSIENT);
		bind_opt(in->ins_cov, 3, symbol);
		bind_opt(in->ins_cov, 4, number);
		sqlite3_bind_text(in->ins_cov, 5, nkind, -1, SQLITE_STATIC);
		sqlite3_bind_text(in->ins_cov, 6, from, -1, SQLITE_TRANSIENT);
		if (step_done(in->db, in->ins_cov, err, "adding the confirmed coverage") < 0)
			return -1;
		sqlite3_bind_int64(in->q_cov_same, 1, cov);
		sqlite3_bind_text(in->q_cov_same, 2, new_ins, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(in->q_cov_same, 3, from, -1, SQLITE_TRANSIENT);
		if ((new_cov = step_id(in->db, in->q_cov_same, err, "reading the confirmed coverage")) <= 0)
			return new_cov < 0 ? -1 : hk_err_set(err, HK_EXIT_INTERNAL, "the confirmed coverage was not added");
	}
	/* the old coverage ends the day before (a whole-month 振替 voids it for the month) */
	sqlite3_bind_int64(in->close_cov, 1, cov);
	sqlite3_bind_text(in->close_cov, 2, from, -1, SQLITE_TRANSIENT);
	if (step_done(in->db, in->close_cov, err, "closing the old coverage") < 0)
		return -1;
	if (kind == 4) {
		sqlite3_bind_int64(in->set_cov, 1, rid);
		sqlite3_bind_int64(in->set_cov, 2, new_cov);
		if (step_done(in->db, in->set_cov, err, "moving the receipt to the confirmed insurer") < 0)
			return -1;
	}
	in->st->switched++;
	return transition(in, rid, "switched", err);
}

/* ---- returned receipts ---- */

static int take_return(struct hk_res_ingest *in, const struct hk_hen_receipt *r, struct hk_err *err)
{
	struct hk_match_key k = {r->search_no, r->record_key, r->service_month, r->insurer, r->receipt_no, r->body};
	sqlite3_stmt *s = in->ins_returned;
	char sm[8], cm[8];
	int how = 0;
	long long rid;
	hk_fault_point("ingest-item");
	month7(r->claim_month, in->claim_month);
	if ((rid = match_with(in, &k, err, &how)) < 0)
		return -1;
	in->st->items++;
	if (rid)
		in->st->matched++;
	else
		in->st->unmatched++;
	month7(r->service_month, sm);
	month7(r->claim_month, cm);
	sqlite3_bind_int64(s, 1, in->notice_id);
	if (rid)
		sqlite3_bind_int64(s, 2, rid);
	sqlite3_bind_int64(s, 3, r->seq);
	sqlite3_bind_int64(s, 4, r->line);
	if (r->body)
		sqlite3_bind_int(s, 5, r->body);
	bind_opt(s, 6, cm);
	sqlite3_bind_text(s, 7, sm, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 8, strtoll(r->receipt_no, NULL, 10));
	sqlite3_bind_text(s, 9, r->search_no, -1, SQLITE_STATIC);
	bind_opt(s, 10, r->record_key);
	bind_opt(s, 11, r->insurer);
	sqlite3_bind_blob(s, 12, r->data, (int)r->data_len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 13, r->history_len ? (const void *)r->history : "", (int)r->history_len, SQLITE_STATIC);
	if (step_done(in->db, s, err, "recording a returned receipt") < 0)
		return -1;
	for (int i = 0; i < r->nreasons; i++) {
		const struct hk_hen_reason *hr = &r->reasons[i];
		in->st->reasons++;
		if (add_item(in, rid, hr->line, "return", hr->code, hr->text, NULL, hr->raw, hr->rawlen, r->search_no,
			     r->record_key, r->service_month, how, err) < 0)
			return -1;
	}
	if (!rid)
		return 0;
	s = in->upd_returned_rc;
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_text(s, 2, r->search_no, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, r->history_len ? (const void *)r->history : "", (int)r->history_len, SQLITE_STATIC);
	if (step_done(in->db, s, err, "recording the returned receipt's 検索番号 and history") < 0)
		return -1;
	if (transition(in, rid, "returned", err) < 0)
		return -1;
	/* 振替・分割 recorded by the review body in the history data (SN 確認区分 04/05) */
	if ((!strcmp(r->sn_kakunin, "04") || !strcmp(r->sn_kakunin, "05")) && r->sn_insurer[0]) {
		char text[200];
		hk_snprintf(text, sizeof(text), "%s → %s (履歴 SN 確認区分 %s)", r->insurer, r->sn_insurer, r->sn_kakunin);
		if (add_item(in, rid, r->line, "switch", r->sn_kakunin[1] == '4' ? "振替" : "分割", text, NULL, NULL, 0,
			     r->search_no, r->record_key, r->service_month, how, err) < 0)
			return -1;
		if (apply_switch(in, rid, r->sn_kakunin[1] - '0', r->sn_insurer, r->sn_symbol, r->sn_number, NULL,
				 err) < 0)
			return -1;
		/* the receipt is also returned: that is its open state */
		if (transition(in, rid, "returned", err) < 0)
			return -1;
	}
	return 0;
}

/* ---- 増減点 ---- */

static bool adj_queued(const struct hk_res_ingest *in, long long rid)
{
	for (int i = 0; i < in->nadj; i++)
		if (in->adj[i].rid == rid)
			return true;
	return false;
}

/* The amounts gathered for the last receipt, queued (summed if queued already). */
static int flush_adjust(struct hk_res_ingest *in, struct hk_err *err)
{
	int i;
	if (!in->pend_id)
		return 0;
	for (i = 0; i < in->nadj && in->adj[i].rid != in->pend_id; i++)
		;
	if (i == in->nadj) {
		if (in->nadj == ROW_BATCH && adj_flush(in, err) < 0)
			return -1;
		i = in->nadj++;
		in->adj[i].rid = in->pend_id;
		in->adj[i].amount = 0;
		in->adj[i].change = in->pend_change;
	}
	in->adj[i].amount += in->pend_amount;
	in->pend_id = 0;
	in->pend_amount = 0;
	return 0;
}

static int take_adjust(struct hk_res_ingest *in, const struct hk_res_item *it, struct hk_err *err)
{
	struct hk_match_key k = {it->search_no, it->record_key, it->service_month, it->insurer, it->receipt_no, it->body};
	int how = 0;
	long long rid;
	char text[2 * HK_RES_TEXT_MAX + 8];
	const char *t = it->item;
	hk_fault_point("ingest-item");
	month7(it->month, in->claim_month);
	if ((rid = match_with(in, &k, err, &how)) < 0)
		return -1;
	in->st->items++;
	in->st->amount += it->amount;
	if (rid)
		in->st->matched++;
	else
		in->st->unmatched++;
	if (it->item_after[0]) {
		hk_snprintf(text, sizeof(text), "%s → %s", it->item, it->item_after);
		t = text;
	}
	if (add_item(in, rid, it->line, "adjust", it->reason, t, &it->amount, rid ? NULL : it->raw, rid ? 0 : it->rawlen,
		     it->search_no, it->record_key, it->service_month, how, err) < 0)
		return -1;
	if (!rid)
		return 0;
	if (how != 1 && learn_search_no(in, rid, it->search_no, err) < 0)
		return -1;
	if (rid != in->pend_id) {
		/* Whether the receipt changes state, decided now, before the queue
		 * moves: queued already (its transition is there), else the state
		 * it had when matched - nothing but the queue has changed it since. */
		bool change = strcmp(in->match_state, "adjusted") != 0 && !adj_queued(in, rid);
		if (flush_adjust(in, err) < 0)
			return -1;
		in->pend_change = change;
	}
	in->pend_id = rid;
	in->pend_amount += it->amount;
	return 0;
}

/* ---- 振替・分割 ---- */

static int take_switch(struct hk_res_ingest *in, const struct hk_res_item *it, struct hk_err *err)
{
	struct hk_match_key k = {it->search_no, it->record_key, it->service_month, it->old_insurer, it->receipt_no, 0};
	int how = 0;
	long long rid;
	char text[200];
	hk_fault_point("ingest-item");
	if ((rid = match_with(in, &k, err, &how)) < 0)
		return -1;
	in->st->items++;
	if (rid)
		in->st->matched++;
	else
		in->st->unmatched++;
	hk_snprintf(text, sizeof(text), "%s → %s%s%s", it->old_insurer[0] ? it->old_insurer : "?", it->new_insurer,
		    it->split_date[0] ? " from " : "", it->split_date);
	if (add_item(in, rid, it->line, "switch", it->switch_kind == 4 ? "振替" : "分割", text,
		     it->has_amount ? &it->amount : NULL, rid ? NULL : it->raw, rid ? 0 : it->rawlen, it->search_no,
		     it->record_key, it->service_month, how, err) < 0)
		return -1;
	if (!rid)
		return 0;
	if (how != 1 && learn_search_no(in, rid, it->search_no, err) < 0)
		return -1;
	return apply_switch(in, rid, it->switch_kind, it->new_insurer, NULL, NULL, it->split_date, err);
}

/* ---- the callbacks: a failure here is the writer's, not the parser's ---- */

static int writer_rc(struct hk_res_ingest *in, int rc)
{
	if (rc < 0)
		in->writer_failed = true;
	return rc < 0 ? -1 : 0;
}

static int on_return(void *ctx, const struct hk_hen_receipt *r, struct hk_err *err)
{
	return writer_rc(ctx, take_return(ctx, r, err));
}

static int on_adjust(void *ctx, const struct hk_res_item *it, struct hk_err *err)
{
	return writer_rc(ctx, take_adjust(ctx, it, err));
}

static int on_switch(void *ctx, const struct hk_res_item *it, struct hk_err *err)
{
	return writer_rc(ctx, take_switch(ctx, it, err));
}

/* ---- reading on a second thread (the CSVs) ----
 * The parser runs on a second thread and hands its items over in order, in
 * chunks (CHUNK_ROWS items or CHUNK_BYTES of their texts and raw bytes) from
 * a pool of NCHUNKS; this thread takes them in order and runs the callback on
 * each, exactly as the parser would have.  Only this thread touches the
 * database.  Errors come out as from one thread: the items handed over
 * before the parser failed are taken first, so an earlier failure of this
 * thread is the one reported; when this thread fails, it tells the parser to
 * stop.  The parser, once it waits for a chunk, is woken when half the pool
 * is free again (fewer wake-ups). */
#define CHUNK_ROWS 512
#define CHUNK_BYTES (128 << 10)
#define NCHUNKS 4

/* An item (struct hk_res_item) without its texts, which are in the chunk. */
struct crow {
	long line;
	long long amount;
	bool has_amount;
	int switch_kind, body;
	char service_month[7], receipt_no[8], search_no[32], record_key[24], insurer[9], reason[16];
	char old_insurer[9], new_insurer[9], split_date[11], month[7];
	size_t off, item_len, after_len, rawlen; /* item, item_after, raw one after the other */
};

struct chunk {
	struct chunk *next;
	int n;
	struct crow row[CHUNK_ROWS];
	struct hk_buf text;
};

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t ready, room;
	struct chunk *free;             /* chunks to fill */
	int nfree;
	bool parser_waits;
	struct chunk *head, *tail;      /* filled, in order */
	struct chunk *cur;              /* the parser's */
	bool done;                      /* the parser has returned */
	bool stop;                      /* the writer failed: the parser should stop */
	enum hk_res_layout layout;
	const char *path;
	int rc;                         /* the parser's */
	struct hk_err err;
	struct hk_res_info info;
};

static void chunk_hand_over(struct pipe *pp)
{
	pthread_mutex_lock(&pp->mu);
	if (pp->tail)
		pp->tail->next = pp->cur;
	else
		pp->head = pp->cur;
	pp->tail = pp->cur;
	pp->cur->next = NULL;
	pp->cur = NULL;
	pthread_cond_signal(&pp->ready);
	pthread_mutex_unlock(&pp->mu);
}

static int pipe_put(void *ctx, const struct hk_res_item *it, struct hk_err *err)
{
	struct pipe *pp = ctx;
	struct chunk *c;
	struct crow *w;
	size_t il, al;
	if (!pp->cur) {
		pthread_mutex_lock(&pp->mu);
		while (!pp->free && !pp->stop) {
			pp->parser_waits = true;
			pthread_cond_wait(&pp->room, &pp->mu);
		}
		pp->parser_waits = false;
		if (pp->stop) {
			pthread_mutex_unlock(&pp->mu);
			/* not reported: the writer's own error is */
			return hk_err_set(err, HK_EXIT_IO, "%s: stopped", pp->path);
		}
		pp->cur = pp->free;
		pp->free = pp->cur->next;
		pp->nfree--;
		pthread_mutex_unlock(&pp->mu);
		pp->cur->n = 0;
		hk_buf_reset(&pp->cur->text);
	}
	c = pp->cur;
	w = &c->row[c->n];
	il = strlen(it->item);
	al = strlen(it->item_after);
	w->off = c->text.len;
	w->item_len = il;
	w->after_len = al;
	w->rawlen = it->rawlen;
	if (hk_buf_add(&c->text, it->item, il + 1, err) < 0 || hk_buf_add(&c->text, it->item_after, al + 1, err) < 0 ||
	    (it->rawlen && hk_buf_add(&c->text, it->raw, it->rawlen, err) < 0))
		return -1;
	w->line = it->line;
	w->amount = it->amount;
	w->has_amount = it->has_amount;
	w->switch_kind = it->switch_kind;
	w->body = it->body;
	memcpy(w->service_month, it->service_month, sizeof(w->service_month));
	memcpy(w->receipt_no, it->receipt_no, sizeof(w->receipt_no));
	memcpy(w->search_no, it->search_no, sizeof(w->search_no));
	memcpy(w->record_key, it->record_key, sizeof(w->record_key));
	memcpy(w->insurer, it->insurer, sizeof(w->insurer));
	memcpy(w->reason, it->reason, sizeof(w->reason));
	memcpy(w->old_insurer, it->old_insurer, sizeof(w->old_insurer));
	memcpy(w->new_insurer, it->new_insurer, sizeof(w->new_insurer));
	memcpy(w->split_date, it->split_date, sizeof(w->split_date));
	memcpy(w->month, it->month, sizeof(w->month));
	if (++c->n == CHUNK_ROWS || c->text.len >= CHUNK_BYTES)
		chunk_hand_over(pp);
	return 0;
}

/* The item of row w (into *it, whose texts are copied back). */
static void crow_item(const struct chunk *c, const struct crow *w, struct hk_res_item *it)
{
	const char *t = c->text.data + w->off;
	it->line = w->line;
	it->amount = w->amount;
	it->has_amount = w->has_amount;
	it->switch_kind = w->switch_kind;
	it->body = w->body;
	memcpy(it->service_month, w->service_month, sizeof(w->service_month));
	memcpy(it->receipt_no, w->receipt_no, sizeof(w->receipt_no));
	memcpy(it->search_no, w->search_no, sizeof(w->search_no));
	memcpy(it->record_key, w->record_key, sizeof(w->record_key));
	memcpy(it->insurer, w->insurer, sizeof(w->insurer));
	memcpy(it->reason, w->reason, sizeof(w->reason));
	memcpy(it->old_insurer, w->old_insurer, sizeof(w->old_insurer));
	memcpy(it->new_insurer, w->new_insurer, sizeof(w->new_insurer));
	memcpy(it->split_date, w->split_date, sizeof(w->split_date));
	memcpy(it->month, w->month, sizeof(w->month));
	memcpy(it->item, t, w->item_len + 1);
	memcpy(it->item_after, t + w->item_len + 1, w->after_len + 1);
	it->raw = t + w->item_len + 1 + w->after_len + 1;
	it->rawlen = w->rawlen;
}

static void *pipe_parse(void *arg)
{
	struct pipe *pp = arg;
	int rc = hk_res_parse_file(pp->layout, pp->path, pipe_put, pp, &pp->info, &pp->err);
	if (pp->cur && pp->cur->n)
		chunk_hand_over(pp); /* the items read before the end (or a failure) */
	pthread_mutex_lock(&pp->mu);
	if (pp->cur) { /* empty */
		pp->cur->next = pp->free;
		pp->free = pp->cur;
		pp->nfree++;
		pp->cur = NULL;
	}
	pp->rc = rc;
	pp->done = true;
	pthread_cond_signal(&pp->ready);
	pthread_mutex_unlock(&pp->mu);
	return NULL;
}

/* hk_res_parse_file(layout, path, fn, in, ...) with the parser on a second thread. */
static int parse_csv(struct hk_res_ingest *in, enum hk_res_layout layout, const char *path, hk_res_fn fn,
		     struct hk_res_info *info, struct hk_err *err)
{
	struct pipe *pp = hk_calloc(1, sizeof(*pp));
	struct chunk *chunks = hk_calloc(NCHUNKS, sizeof(*chunks));
	struct hk_res_item *it = hk_calloc(1, sizeof(*it));
	pthread_t th;
	int rc = 0;
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->ready, NULL);
	pthread_cond_init(&pp->room, NULL);
	pp->layout = layout;
	pp->path = path;
	for (int i = 0; i < NCHUNKS; i++) {
		/* the texts of CHUNK_ROWS items, or CHUNK_BYTES and one more item */
		hk_buf_init(&chunks[i].text, CHUNK_BYTES + 2 * HK_RES_TEXT_MAX + HK_MAX_CSV_LINE + 16,
			    "result items in flight");
		chunks[i].next = pp->free;
		pp->free = &chunks[i];
		pp->nfree++;
	}
	if (pthread_create(&th, NULL, pipe_parse, pp) != 0) {
		/* no thread: parse here */
		rc = hk_res_parse_file(layout, path, fn, in, info, err);
		goto out;
	}
	for (;;) {
		struct chunk *c;
		pthread_mutex_lock(&pp->mu);
		while (!pp->head && !pp->done)
			pthread_cond_wait(&pp->ready, &pp->mu);
		c = pp->head;
		if (c && !(pp->head = c->next))
			pp->tail = NULL;
		pthread_mutex_unlock(&pp->mu);
		if (!c)
			break; /* done and all taken */
		for (int i = 0; rc == 0 && i < c->n; i++) {
			crow_item(c, &c->row[i], it);
			rc = fn(in, it, err);
		}
		pthread_mutex_lock(&pp->mu);
		c->next = pp->free;
		pp->free = c;
		pp->nfree++;
		if (rc < 0)
			pp->stop = true;
		if (pp->stop || (pp->parser_waits && pp->nfree >= NCHUNKS / 2))
			pthread_cond_signal(&pp->room);
		pthread_mutex_unlock(&pp->mu);
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
	for (int i = 0; i < NCHUNKS; i++)
		hk_buf_free(&chunks[i].text);
	pthread_cond_destroy(&pp->room);
	pthread_cond_destroy(&pp->ready);
	pthread_mutex_destroy(&pp->mu);
	hk_free(it);
	hk_free(chunks);
	hk_free(pp);
	return rc;
}

/* ---- one file ---- */

static const char *const KIND_NAME[] = {"", "henrei", "zogen", "furikae"};

int hk_res_ingest_file(struct hk_res_ingest *in, enum hk_notice_kind kind, const char *path,
		       struct hk_res_ingest_stats *st, struct hk_err *err)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char summary[256];
	bool in_tx = false;
	long long dup;
	int rc = -1;
	memset(st, 0, sizeof(*st));
	in->st = st;
	in->source = base;
	in->body = 0;
	in->claim_month[0] = '\0';
	in->last_key[0] = '\0';
	in->writer_failed = false;
	writes_drop(in);
	hk_clock_fmt_iso(hk_clock_now(), in->now);
	if (hk_sha256_file(path, st->sha256, err) < 0)
		return -1;
	if (hk_db_begin(in->db, err) < 0)
		return -1;
	in_tx = true;
	if (hk_db_exec(in->db, "PRAGMA defer_foreign_keys = ON", err) < 0)
		goto out;
	sqlite3_bind_text(in->q_dup, 1, st->sha256, -1, SQLITE_STATIC);
	if ((dup = step_id(in->db, in->q_dup, err, "looking up the file's digest")) < 0)
		goto out;
	if (dup) {
		st->duplicate = true;
		st->notice_id = dup;
		rc = 0;
		goto out;
	}
	sqlite3_bind_text(in->ins_notice, 1, KIND_NAME[kind], -1, SQLITE_STATIC);
	sqlite3_bind_text(in->ins_notice, 2, st->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(in->ins_notice, 3, base, -1, SQLITE_STATIC);
	sqlite3_bind_text(in->ins_notice, 4, in->now, -1, SQLITE_STATIC);
	if (step_done(in->db, in->ins_notice, err, "recording the file") < 0)
		goto out;
	in->notice_id = st->notice_id = sqlite3_last_insert_rowid(in->db);
	hk_fault_point("ingest-begin");
	if (kind == HK_NOTICE_HENREI) {
		struct hk_hen_info hi;
		if (hk_hen_parse_file(path, on_return, in, &hi, err) < 0)
			goto parse_failed;
		hk_snprintf(summary, sizeof(summary), "%ld returned receipts (%ld matched, %ld unmatched), %ld reasons",
			    st->items, st->matched, st->unmatched, st->reasons);
	} else {
		struct hk_res_info ri;
		struct hk_res_info *rip = &ri;
		if (kind == HK_NOTICE_ZOGEN) {
			if (parse_csv(in, HK_LAYOUT_ZOGEN, path, on_adjust, rip, err) < 0)
				goto parse_failed;
			if (flush_adjust(in, err) < 0)
				goto out;
			hk_snprintf(summary, sizeof(summary), "%ld items (%ld matched, %ld unmatched), %+lld yen",
				    st->items, st->matched, st->unmatched, st->amount);
		} else {
			if (parse_csv(in, HK_LAYOUT_FURIKAE, path, on_switch, rip, err) < 0)
				goto parse_failed;
			hk_snprintf(summary, sizeof(summary), "%ld results (%ld matched, %ld unmatched), %ld coverage"
				    " changes", st->items, st->matched, st->unmatched, st->switched);
		}
	}
	if (writes_flush(in, err) < 0)
		goto out;
	sqlite3_bind_int64(in->upd_notice, 1, in->notice_id);
	sqlite3_bind_text(in->upd_notice, 2, summary, -1, SQLITE_STATIC);
	if (step_done(in->db, in->upd_notice, err, "recording the summary") < 0)
		goto out;
	hk_fault_point("ingest-commit");
	if (hk_db_commit(in->db, err) < 0)
		goto out;
	in_tx = false;
	rc = 0;
	goto out;
parse_failed:
	/* The parser's error, unless writing what was read before it fails first
	 * (as it would have, written row by row). */
	if (!in->writer_failed) {
		struct hk_err werr = {0};
		if (writes_flush(in, &werr) < 0)
			*err = werr;
	}
out:
	writes_drop(in);
	if (in_tx) {
		if (rc == 0)
			rc = hk_db_commit(in->db, err); /* duplicate: nothing written */
		else
			hk_db_rollback(in->db);
	}
	return rc;
}
