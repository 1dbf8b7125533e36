/*
 * records.c - table-driven insert-or-update (see records.h).
 */
#include <string.h>
#include "claims/records.h"
#include "claims/db.h"
#include "base/buf.h"

struct rec_table {
	const char *name;
	int nkey;
	const char *cols[HK_REC_MAX_COLS];   /* in the order of the enums in records.h */
};

static const struct rec_table tables[HK_T__N] = {
	[HK_T_PATIENT] = {"patient", HK_PAT_NKEY,
		{"patient_key", "name", "kana", "sex", "birth", "visit_start", "place", "place_text",
		 "end_date", "end_time", "end_reason", "end_text", "death_date", "death_time", "death_place",
		 "death_text", "gaf", "gaf_date", "consent_24h"}},
	[HK_T_COVERAGE] = {"coverage", HK_COV_NKEY,
		{"patient_id", "insurer", "number", "valid_from", "symbol", "branch", "kind", "person", "ratio",
		 "limit_class", "kougaku", "duty", "valid_to", "source"}},
	[HK_T_PUBLIC] = {"public_coverage", HK_PUB_NKEY,
		{"patient_id", "payer", "valid_from", "recipient", "monthly_cap", "valid_to"}},
	[HK_T_INSTRUCTION] = {"instruction", HK_INS_NKEY,
		{"patient_id", "kind", "valid_from", "valid_to", "inst_pref", "inst_table", "inst_code",
		 "inst_name", "doctor", "last_report", "disease_code", "disease_name", "condition",
		 "disease_flag", "diseases"}},
	[HK_T_VISIT] = {"visit", HK_VIS_NKEY,
		{"patient_id", "date", "start_time", "end_time", "staff", "staff2", "instruction_kind",
		 "emergency", "long_visit", "multi_staff", "terminal", "special_mgmt", "items", "building_count",
		 "outing", "specialist"}},
};

static const int ncols[HK_T__N] = {
	[HK_T_PATIENT] = HK_PAT__N, [HK_T_COVERAGE] = HK_COV__N, [HK_T_PUBLIC] = HK_PUB__N,
	[HK_T_INSTRUCTION] = HK_INS__N, [HK_T_VISIT] = HK_VIS__N,
};

struct hk_records {
	sqlite3 *db;
	sqlite3_stmt *ins[HK_T__N];
	sqlite3_stmt *find[HK_T__N];
	sqlite3_stmt *upd[HK_T__N];
};

const char *hk_rec_table_name(enum hk_rec_table t) { return tables[t].name; }
int hk_rec_ncols(enum hk_rec_table t) { return ncols[t]; }
const char *hk_rec_col_name(enum hk_rec_table t, int col)
{
	return col >= 0 && col < ncols[t] ? tables[t].cols[col] : NULL;
}

/* Builds the three statements of one table:
 *   INSERT INTO t(c1..cn) VALUES (?1..?n)
 *   SELECT id FROM t WHERE k1 = ?1 AND ... kk = ?k
 *   UPDATE t SET c(k+1) = ?(k+1) ... WHERE id = ?(n+1) AND (c(k+1) IS NOT ?(k+1) OR ...)
 */
static int prepare_table(struct hk_records *r, enum hk_rec_table t, struct hk_err *err)
{
	const struct rec_table *d = &tables[t];
	struct hk_buf b;
	int n = ncols[t], rc = -1;
	hk_buf_init(&b, 8192, "records SQL");
	if (hk_buf_printf(&b, err, "INSERT INTO %s(", d->name) < 0)
		goto out;
	for (int i = 0; i < n; i++)
		if (hk_buf_printf(&b, err, "%s%s", i ? "," : "", d->cols[i]) < 0)
			goto out;
	if (hk_buf_adds(&b, ") VALUES (", err) < 0)
		goto out;
	for (int i = 0; i < n; i++)
		if (hk_buf_printf(&b, err, "%s?%d", i ? "," : "", i + 1) < 0)
			goto out;
	if (hk_buf_adds(&b, ")", err) < 0 || hk_db_prepare(r->db, hk_buf_cstr(&b), &r->ins[t], err) < 0)
		goto out;

	hk_buf_reset(&b);
	if (hk_buf_printf(&b, err, "SELECT id FROM %s WHERE ", d->name) < 0)
		goto out;
	for (int i = 0; i < d->nkey; i++)
		if (hk_buf_printf(&b, err, "%s%s = ?%d", i ? " AND " : "", d->cols[i], i + 1) < 0)
			goto out;
	if (hk_db_prepare(r->db, hk_buf_cstr(&b), &r->find[t], err) < 0)
		goto out;

	hk_buf_reset(&b);
	if (hk_buf_printf(&b, err, "UPDATE %s SET ", d->name) < 0)
		goto out;
	for (int i = d->nkey; i < n; i++)
		if (hk_buf_printf(&b, err, "%s%s = ?%d", i > d->nkey ? ", " : "", d->cols[i], i + 1) < 0)
			goto out;
	if (hk_buf_printf(&b, err, " WHERE id = ?%d AND (", n + 1) < 0)
		goto out;
	for (int i = d->nkey; i < n; i++)
		if (hk_buf_printf(&b, err, "%s%s IS NOT ?%d", i > d->nkey ? " OR " : "", d->cols[i], i + 1) < 0)
			goto out;
	if (hk_buf_adds(&b, ")", err) < 0 || hk_db_prepare(r->db, hk_buf_cstr(&b), &r->upd[t], err) < 0)
		goto out;
	rc = 0;
out:
	hk_buf_free(&b);
	return rc;
}

int hk_records_open(sqlite3 *db, struct hk_records **out, struct hk_err *err)
{
	struct hk_records *r = hk_calloc(1, sizeof(*r));
	r->db = db;
	for (int t = 0; t < HK_T__N; t++) {
		if (prepare_table(r, (enum hk_rec_table)t, err) < 0) {
			hk_records_close(r);
			*out = NULL;
			return -1;
		}
	}
	*out = r;
	return 0;
}

void hk_records_close(struct hk_records *r)
{
	if (!r)
		return;
	for (int t = 0; t < HK_T__N; t++) {
		sqlite3_finalize(r->ins[t]);
		sqlite3_finalize(r->find[t]);
		sqlite3_finalize(r->upd[t]);
	}
	hk_free(r);
}

static void bind_val(sqlite3_stmt *st, int i, const struct hk_val *v)
{
	switch (v->t) {
	case HK_V_INT: sqlite3_bind_int64(st, i, v->i); break;
	case HK_V_TEXT: sqlite3_bind_text(st, i, v->s, -1, SQLITE_STATIC); break;
	default: sqlite3_bind_null(st, i); break;
	}
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, const char *table, struct hk_err *err)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return hk_err_set(err, HK_EXIT_IO, "database: %s %s: %s", what, table, sqlite3_errmsg(db));
	return 0;
}

int hk_rec_insert(struct hk_records *r, enum hk_rec_table t, const struct hk_val *vals,
		  long long *id, struct hk_err *err)
{
	sqlite3_stmt *st = r->ins[t];
	for (int i = 0; i < ncols[t]; i++)
		bind_val(st, i + 1, &vals[i]);
	if (step_done(r->db, st, "inserting into", tables[t].name, err) < 0)
		return -1;
	if (id)
		*id = sqlite3_last_insert_rowid(r->db);
	return 0;
}

int hk_rec_put(struct hk_records *r, enum hk_rec_table t, const struct hk_val *vals,
	       long long *id, enum hk_put_result *res, struct hk_err *err)
{
	sqlite3_stmt *st = r->find[t];
	long long rowid = 0;
	int found = 0, rc;
	for (int i = 0; i < tables[t].nkey; i++)
		bind_val(st, i + 1, &vals[i]);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		found = 1;
		rowid = sqlite3_column_int64(st, 0);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return hk_err_set(err, HK_EXIT_IO, "database: looking up %s: %s", tables[t].name,
				  sqlite3_errmsg(r->db));
	if (!found) {
		if (hk_rec_insert(r, t, vals, id, err) < 0)
			return -1;
		*res = HK_PUT_ADDED;
		return 0;
	}
	st = r->upd[t];
	for (int i = tables[t].nkey; i < ncols[t]; i++)
		bind_val(st, i + 1, &vals[i]);
	sqlite3_bind_int64(st, ncols[t] + 1, rowid);
	if (step_done(r->db, st, "updating", tables[t].name, err) < 0)
		return -1;
	*res = sqlite3_changes(r->db) > 0 ? HK_PUT_UPDATED : HK_PUT_UNCHANGED;
	if (id)
		*id = rowid;
	return 0;
}

int hk_patient_lookup(struct hk_records *r, const char *patient_key, long long *id, struct hk_err *err)
{
	sqlite3_stmt *st = r->find[HK_T_PATIENT];
	int rc, found = 0;
	sqlite3_bind_text(st, 1, patient_key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		found = 1;
		*id = sqlite3_column_int64(st, 0);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return hk_err_set(err, HK_EXIT_IO, "database: looking up a patient: %s", sqlite3_errmsg(r->db));
	return found;
}
