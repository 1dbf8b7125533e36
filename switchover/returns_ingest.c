/*
 * returns_ingest.c - results into the station database (docs/returns.md):
 * returned receipts (返戻), 増減点連絡書 items and 振替・分割 results.
 *
 * One file, one transaction.  The file's SHA-256 is the notice's key, so a
 * file applied before is recognised and nothing is done; a file that fails to
 * parse changes nothing (ROLLBACK).  Every item is matched to a receipt
 * (hk_res_match) or kept with receipt_id NULL and listed.  Named kill points
 * (HOUKAN_KILL_AT): ingest-begin, ingest-item (every item), ingest-commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "switchover/returns.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/fault.h"
#include "base/fileio.h"
#include "claims/db.h"

struct hk_res_ingest {
	sqlite3 *db;
	sqlite3_stmt *q_dup, *ins_notice, *upd_notice, *ins_item, *ins_returned, *upd_returned_rc, *m_search, *m_key,
		*m_patient, *m_rno, *set_search, *upd_decided, *upd_state, *ins_state, *q_cov_of, *q_cov_at,
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
	/* 増減点 amounts gathered per receipt (rows of one receipt are consecutive) */
	long long pend_id, pend_amount;
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
	/* m_search */ "SELECT id FROM receipt WHERE search_no = ?1 AND state <> 'superseded' ORDER BY id DESC LIMIT 1",
	/* m_key */ "SELECT id FROM receipt WHERE record_key = ?1 AND state <> 'superseded'"
		    " AND (?2 IS NULL OR service_month = ?2) ORDER BY id DESC LIMIT 1",
	/* m_patient */ "SELECT r.id FROM receipt r JOIN patient p ON p.id = r.patient_id"
			" LEFT JOIN coverage c ON c.id = r.coverage_id WHERE p.patient_key = ?1 AND r.service_month = ?2"
			" AND (?3 IS NULL OR c.insurer = ?3) AND r.state <> 'superseded' ORDER BY r.id DESC LIMIT 1",
	/* m_rno */ "SELECT r.id FROM receipt r JOIN claim_run k ON k.id = r.run_id LEFT JOIN coverage c ON c.id ="
		    " r.coverage_id WHERE r.receipt_no = ?1 AND (?2 IS NULL OR r.service_month = ?2)"
		    " AND (?3 IS NULL OR c.insurer = ?3) AND (?4 = 0 OR r.body = ?4) AND (?5 IS NULL OR k.claim_month = ?5)"
		    " AND (?2 IS NOT NULL OR ?5 IS NOT NULL) AND r.state <> 'superseded' ORDER BY r.id DESC LIMIT 1",
	/* set_search */ "UPDATE receipt SET search_no = ?2 WHERE id = ?1 AND search_no IS NULL",
	/* upd_decided */ "UPDATE receipt SET decided = coalesce(decided, total) + ?2 WHERE id = ?1",
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
				&in->set_search, &in->upd_decided, &in->upd_state, &in->ins_state, &in->q_cov_of,
				&in->q_cov_at, &in->ins_cov, &in->q_cov_same, &in->close_cov, &in->set_cov};
	_Static_assert(sizeof(all) / sizeof(all[0]) == sizeof(SQL) / sizeof(SQL[0]), "one SQL per statement");
	return all[i];
}

int hk_res_ingest_open(sqlite3 *db, struct hk_res_ingest **out, struct hk_err *err)
{
	struct hk_res_ingest *in = hk_calloc(1, sizeof(*in));
	in->db = db;
	/* a page cache that holds the receipt indexes of a large station (well under the 64 MiB budget) */
	if (hk_db_exec(db, "PRAGMA cache_size = -32768", err) < 0) {
		hk_free(in);
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
		return in->last_rid;
	}
	id = match_keys(in, k, err, how);
	if (id >= 0) {
		for (int i = 0; i < 5; i++)
			hk_snprintf(in->last_v[i], sizeof(in->last_v[i]), "%s", v[i] ? v[i] : "");
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
	month7(k->service_month, sm);
	if (k->search_no && k->search_no[0]) {
		bind_opt(in->m_search, 1, k->search_no);
		if ((id = step_id(in->db, in->m_search, err, "matching by 検索番号")) != 0)
			return *how = 1, id;
	}
	if (k->record_key && k->record_key[0]) {
		const char *dash;
		bind_opt(in->m_key, 1, k->record_key);
		bind_opt(in->m_key, 2, sm);
		if ((id = step_id(in->db, in->m_key, err, "matching by 訪問看護記録番号等")) != 0)
			return *how = 2, id;
		/* the patient part of the key ("PATIENTKEY-YYMMX") */
		dash = strrchr(k->record_key, '-');
		if (dash && dash > k->record_key && sm[0]) {
			char pk[24];
			hk_snprintf(pk, sizeof(pk), "%.*s", (int)(dash - k->record_key), k->record_key);
			bind_opt(in->m_patient, 1, pk);
			bind_opt(in->m_patient, 2, sm);
			bind_opt(in->m_patient, 3, k->insurer);
			if ((id = step_id(in->db, in->m_patient, err, "matching by patient")) != 0)
				return *how = 3, id;
		}
	}
	if (k->receipt_no && k->receipt_no[0]) {
		sqlite3_bind_int64(in->m_rno, 1, strtoll(k->receipt_no, NULL, 10));
		bind_opt(in->m_rno, 2, sm);
		bind_opt(in->m_rno, 3, k->insurer);
		sqlite3_bind_int(in->m_rno, 4, k->body);
		bind_opt(in->m_rno, 5, in->claim_month);
		if ((id = step_id(in->db, in->m_rno, err, "matching by レセプト番号")) != 0)
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

static int transition(struct hk_res_ingest *in, long long id, const char *state, struct hk_err *err)
{
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

static int add_item(struct hk_res_ingest *in, long long rid, long line, const char *kind, const char *code,
		    const char *text, const long long *amount, const void *raw, size_t rawlen, const char *search_no,
		    const char *record_key, const char *service_month6, int how, struct hk_err *err)
{
	sqlite3_stmt *s = in->ins_item;
	char sm[8];
	month7(service_month6, sm);
	sqlite3_bind_int64(s, 1, in->notice_id);
	if (rid)
		sqlite3_bind_int64(s, 2, rid);
	sqlite3_bind_int64(s, 3, line);
	sqlite3_bind_text(s, 4, kind, -1, SQLITE_STATIC);
	bind_opt(s, 5, code);
	bind_opt(s, 6, text);
	if (amount)
		sqlite3_bind_int64(s, 7, *amount);
	if (raw)
		sqlite3_bind_blob(s, 8, raw, (int)rawlen, SQLITE_STATIC);
	/* the matching keys: kept for returns (houkan returns joins on them) and for unmatched
	 * items; a matched 増減点/振替 item has its receipt's */
	if (!rid || !strcmp(kind, "return")) {
		bind_opt(s, 9, search_no);
		bind_opt(s, 10, record_key);
		bind_opt(s, 11, sm);
	}
	if (rid)
		sqlite3_bind_text(s, 12, HOW[how], -1, SQLITE_STATIC);
	return step_done(in->db, s, err, "recording an item");
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

static int on_return(void *ctx, const struct hk_hen_receipt *r, struct hk_err *err)
{
	struct hk_res_ingest *in = ctx;
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

static int flush_adjust(struct hk_res_ingest *in, struct hk_err *err)
{
	if (!in->pend_id)
		return 0;
	sqlite3_bind_int64(in->upd_decided, 1, in->pend_id);
	sqlite3_bind_int64(in->upd_decided, 2, in->pend_amount);
	if (step_done(in->db, in->upd_decided, err, "recording the decided amount") < 0 ||
	    transition(in, in->pend_id, "adjusted", err) < 0)
		return -1;
	in->pend_id = 0;
	in->pend_amount = 0;
	return 0;
}

static int on_adjust(void *ctx, const struct hk_res_item *it, struct hk_err *err)
{
	struct hk_res_ingest *in = ctx;
	struct hk_match_key k = {it->search_no, it->record_key, it->service_month, it->insurer, it->receipt_no, it->body};
	int how = 0;
	long long rid;
	char text[2 * HK_RES_TEXT_MAX + 8];
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
	if (it->item_after[0])
		hk_snprintf(text, sizeof(text), "%s → %s", it->item, it->item_after);
	else
		hk_snprintf(text, sizeof(text), "%s", it->item);
	if (add_item(in, rid, it->line, "adjust", it->reason, text, &it->amount, rid ? NULL : it->raw,
		     rid ? 0 : it->rawlen, it->search_no, it->record_key, it->service_month, how, err) < 0)
		return -1;
	if (!rid)
		return 0;
	if (how != 1 && learn_search_no(in, rid, it->search_no, err) < 0)
		return -1;
	if (rid != in->pend_id && flush_adjust(in, err) < 0)
		return -1;
	in->pend_id = rid;
	in->pend_amount += it->amount;
	return 0;
}

/* ---- 振替・分割 ---- */

static int on_switch(void *ctx, const struct hk_res_item *it, struct hk_err *err)
{
	struct hk_res_ingest *in = ctx;
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
	in->pend_id = in->pend_amount = 0;
	in->last_key[0] = '\0';
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
			goto out;
		hk_snprintf(summary, sizeof(summary), "%ld returned receipts (%ld matched, %ld unmatched), %ld reasons",
			    st->items, st->matched, st->unmatched, st->reasons);
	} else {
		struct hk_res_info ri;
		struct hk_res_info *rip = &ri;
		if (kind == HK_NOTICE_ZOGEN) {
			if (hk_res_parse_file(HK_LAYOUT_ZOGEN, path, on_adjust, in, rip, err) < 0)
				goto out;
			if (flush_adjust(in, err) < 0)
				goto out;
			hk_snprintf(summary, sizeof(summary), "%ld items (%ld matched, %ld unmatched), %+lld yen",
				    st->items, st->matched, st->unmatched, st->amount);
		} else {
			if (hk_res_parse_file(HK_LAYOUT_FURIKAE, path, on_switch, in, rip, err) < 0)
				goto out;
			hk_snprintf(summary, sizeof(summary), "%ld results (%ld matched, %ld unmatched), %ld coverage"
				    " changes", st->items, st->matched, st->unmatched, st->switched);
		}
	}
	sqlite3_bind_int64(in->upd_notice, 1, in->notice_id);
	sqlite3_bind_text(in->upd_notice, 2, summary, -1, SQLITE_STATIC);
	if (step_done(in->db, in->upd_notice, err, "recording the summary") < 0)
		goto out;
	hk_fault_point("ingest-commit");
	if (hk_db_commit(in->db, err) < 0)
		goto out;
	in_tx = false;
	rc = 0;
out:
	if (in_tx) {
		if (rc == 0)
			rc = hk_db_commit(in->db, err); /* duplicate: nothing written */
		else
			hk_db_rollback(in->db);
	}
	return rc;
}
