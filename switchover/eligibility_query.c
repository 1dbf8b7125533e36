/*
 * eligibility_query.c - what the claim run asks, and the month report.
 *
 * "Confirmed" (docs/eligibility.md): a visit on date D is confirmed when a
 * result with QualificationValidity 1 for the same 保険者番号 + 番号 was
 * received with a confirmation date in D's month and its validity period
 * (InsuredCardValidDate..InsuredCardExpirationDate, open ends allowed)
 * covers D.  Stations re-query every month (居宅同意取得型 再照会), so a
 * confirmation from an earlier month does not confirm this month's visits.
 */
#include <stdlib.h>
#include <string.h>
#include "switchover/eligibility.h"
#include "claims/db.h"
#include "claims/station.h"
#include "base/date.h"

static void copy_col(sqlite3_stmt *s, int i, char *dst, size_t n)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	hk_snprintf(dst, n, "%s", t ? (const char *)t : "");
}

int hk_elig_coverage_on(sqlite3 *db, long long patient_id, const char *date, struct hk_elig_cov *out,
			struct hk_err *err)
{
	sqlite3_stmt *s = NULL;
	struct hk_date d;
	char mfirst[11], mlast[11];
	int rc = -1, step;
	memset(out, 0, sizeof(*out));
	if (!date || strlen(date) != 10 || !hk_date_parse(date, 10, &d))
		return hk_err_set(err, HK_EXIT_INPUT, "coverage date '%s' is not YYYY-MM-DD", date ? date : "");
	hk_snprintf(mfirst, sizeof(mfirst), "%04d-%02d-01", d.y, d.m);
	hk_snprintf(mlast, sizeof(mlast), "%04d-%02d-%02d", d.y, d.m, hk_days_in_month(d.y, d.m));
	if (hk_db_prepare(db, "SELECT id, insurer, symbol, number, branch, kind, person, ratio, limit_class"
			      " FROM coverage WHERE patient_id = ?1 AND valid_from <= ?2"
			      " AND (valid_to IS NULL OR valid_to >= ?2)"
			      " ORDER BY valid_from DESC, id DESC LIMIT 1", &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, patient_id);
	sqlite3_bind_text(s, 2, date, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_DONE) {
		rc = 0;
		goto out;
	}
	if (step != SQLITE_ROW) {
		hk_db_fail(db, err, "coverage on a date");
		goto out;
	}
	out->coverage_id = sqlite3_column_int64(s, 0);
	copy_col(s, 1, out->insurer, sizeof(out->insurer));
	copy_col(s, 2, out->symbol, sizeof(out->symbol));
	copy_col(s, 3, out->number, sizeof(out->number));
	copy_col(s, 4, out->branch, sizeof(out->branch));
	copy_col(s, 5, out->kind, sizeof(out->kind));
	copy_col(s, 6, out->person, sizeof(out->person));
	out->ratio = sqlite3_column_int(s, 7);
	copy_col(s, 8, out->limit_class, sizeof(out->limit_class));
	sqlite3_finalize(s);
	s = NULL;

	/* SN 枝番 and 特定疾病 from the last confirmation of this coverage */
	if (hk_db_prepare(db, "SELECT branch, specific_disease FROM eligibility"
			      " WHERE patient_id = ?1 AND validity = 1 AND insurer = ?2 AND number = ?3"
			      " ORDER BY confirmed_on DESC, id DESC LIMIT 1", &s, err) < 0)
		goto out;
	sqlite3_bind_int64(s, 1, patient_id);
	sqlite3_bind_text(s, 2, out->insurer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, out->number, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		copy_col(s, 0, out->branch, sizeof(out->branch));
		copy_col(s, 1, out->specific_disease, sizeof(out->specific_disease));
	} else if (step != SQLITE_DONE) {
		hk_db_fail(db, err, "last confirmation");
		goto out;
	} else {
		out->branch[0] = 0; /* never confirmed: no 枝番 from オンライン資格確認 */
	}
	sqlite3_finalize(s);
	s = NULL;

	if (hk_db_prepare(db, "SELECT confirmed_on FROM eligibility"
			      " WHERE patient_id = ?1 AND validity = 1 AND insurer = ?2 AND number = ?3"
			      " AND confirmed_on BETWEEN ?4 AND ?5"
			      " AND (valid_from IS NULL OR valid_from <= ?6) AND (valid_to IS NULL OR valid_to >= ?6)"
			      " ORDER BY confirmed_on DESC, id DESC LIMIT 1", &s, err) < 0)
		goto out;
	sqlite3_bind_int64(s, 1, patient_id);
	sqlite3_bind_text(s, 2, out->insurer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, out->number, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, mfirst, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, mlast, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, date, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		out->confirmed = true;
		copy_col(s, 0, out->confirmed_on, sizeof(out->confirmed_on));
	} else if (step != SQLITE_DONE) {
		hk_db_fail(db, err, "confirmation in the month");
		goto out;
	}
	rc = 1;
out:
	sqlite3_finalize(s);
	return rc;
}

static int visit_state_of(sqlite3 *db, const struct hk_station *stn, long long pid, const char *date,
			  enum hk_visit_elig *state, bool *held, struct hk_err *err)
{
	struct hk_elig_cov c;
	int rc = hk_elig_coverage_on(db, pid, date, &c, err);
	if (rc < 0)
		return -1;
	*state = rc == 0 ? HK_VISIT_NO_COVERAGE : c.confirmed ? HK_VISIT_CONFIRMED : HK_VISIT_UNCONFIRMED;
	*held = stn->hold_unconfirmed &&
		(*state == HK_VISIT_NO_COVERAGE || (stn->online_elig && *state == HK_VISIT_UNCONFIRMED));
	return 0;
}

int hk_elig_visit_state(sqlite3 *db, long long visit_id, enum hk_visit_elig *state, bool *held,
			struct hk_err *err)
{
	struct hk_station stn;
	sqlite3_stmt *s;
	long long pid;
	char date[11];
	int step;
	if (hk_station_load(db, &stn, err) < 0)
		return -1;
	if (hk_db_prepare(db, "SELECT patient_id, date FROM visit WHERE id = ?1", &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, visit_id);
	step = sqlite3_step(s);
	if (step != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (step == SQLITE_DONE)
			return hk_err_set(err, HK_EXIT_INPUT, "visit %lld: no such visit", visit_id);
		return hk_db_fail(db, err, "reading a visit");
	}
	pid = sqlite3_column_int64(s, 0);
	copy_col(s, 1, date, sizeof(date));
	sqlite3_finalize(s);
	return visit_state_of(db, &stn, pid, date, state, held, err);
}

int hk_elig_dx_claimable(sqlite3 *db, bool *yes, struct hk_err *err)
{
	struct hk_station stn;
	if (hk_station_load(db, &stn, err) < 0)
		return -1;
	*yes = stn.online_elig != 0;
	return 0;
}

/* ---- report ---- */

struct flist {
	struct hk_elig_finding *v;
	size_t n, alloc;
};

static struct hk_elig_finding *fadd(struct flist *l, const char *code, bool clerk, const char *key,
				    const char *date)
{
	struct hk_elig_finding *f;
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 64;
		l->v = hk_realloc(l->v, l->alloc * sizeof(*l->v));
	}
	f = &l->v[l->n++];
	memset(f, 0, sizeof(*f));
	f->code = code;
	f->clerk = clerk;
	hk_snprintf(f->patient_key, sizeof(f->patient_key), "%s", key ? key : "");
	hk_snprintf(f->date, sizeof(f->date), "%s", date ? date : "");
	return f;
}

static int fcmp(const void *a, const void *b)
{
	const struct hk_elig_finding *x = a, *y = b;
	int c = strcmp(x->date, y->date);
	if (!c)
		c = strcmp(x->patient_key, y->patient_key);
	if (!c)
		c = strcmp(x->code, y->code);
	if (!c)
		c = strcmp(x->detail, y->detail);
	return c;
}

static const char *txt(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}

static bool differs(sqlite3_stmt *s, int a, int b)
{
	return strcmp(txt(s, a), txt(s, b)) != 0;
}

/* Each result of the month against the state before it: the previous valid
 * confirmation of the patient, else the coverage the station had recorded. */
static const char results_sql[] =
	"SELECT p.patient_key, e.confirmed_on, e.validity, e.insurer, e.number, e.branch, e.ratio, e.limit_class,"
	"  e.valid_to, e.patient_id IS NULL,"
	"  coalesce(pe.insurer, pc.insurer), coalesce(pe.number, pc.number), coalesce(pe.branch, pc.branch),"
	"  coalesce(pe.ratio, pc.ratio), coalesce(pe.limit_class, pc.limit_class),"
	"  pe.id IS NOT NULL OR pc.id IS NOT NULL, e.query_no, pe.id IS NOT NULL, e.person"
	" FROM eligibility e LEFT JOIN patient p ON p.id = e.patient_id"
	" LEFT JOIN eligibility pe ON pe.id = (SELECT x.id FROM eligibility x WHERE x.patient_id = e.patient_id"
	"   AND x.validity = 1 AND (x.confirmed_on < e.confirmed_on OR (x.confirmed_on = e.confirmed_on"
	"   AND x.id < e.id)) ORDER BY x.confirmed_on DESC, x.id DESC LIMIT 1)"
	" LEFT JOIN coverage pc ON pe.id IS NULL AND pc.id = (SELECT c.id FROM coverage c"
	"   WHERE c.patient_id = e.patient_id AND c.source <> 'eligibility' AND c.valid_from <= e.confirmed_on"
	"   ORDER BY c.valid_from DESC, c.id DESC LIMIT 1)"
	" WHERE e.confirmed_on BETWEEN ?1 AND ?2";

static int report_results(sqlite3 *db, const char *first, const char *last, struct flist *l, struct hk_err *err)
{
	sqlite3_stmt *s;
	int step;
	if (hk_db_prepare(db, results_sql, &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, last, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *key = txt(s, 0), *on = txt(s, 1);
		int validity = sqlite3_column_int(s, 2);
		bool prev = sqlite3_column_int(s, 15) != 0;
		struct hk_elig_finding *f;
		if (sqlite3_column_int(s, 9)) {
			f = fadd(l, "unmatched", true, "", on);
			hk_snprintf(f->detail, sizeof(f->detail), "result for %s/%s (照会番号 '%s') matches no patient",
				    txt(s, 3), txt(s, 4), txt(s, 16));
			continue;
		}
		switch (validity) {
		case HK_ELIG_VALID:
			if (prev && (differs(s, 3, 10) || differs(s, 4, 11))) {
				f = fadd(l, "insurer-changed", true, key, on);
				hk_snprintf(f->detail, sizeof(f->detail), "%s/%s -> %s/%s", txt(s, 10), txt(s, 11),
					    txt(s, 3), txt(s, 4));
				break;
			}
			if (!sqlite3_column_int(s, 17)) {
				/* the first confirmation corrects the station's own record in place:
				 * show what was taken */
				f = fadd(l, "first-confirmation", false, key, on);
				hk_snprintf(f->detail, sizeof(f->detail), "%s/%s 枝番 '%s', %s, 負担割合 %d%%, 限度額適用区分 '%s'",
					    txt(s, 3), txt(s, 4), txt(s, 5), txt(s, 18), sqlite3_column_int(s, 6),
					    txt(s, 7));
				break;
			}
			if (prev && sqlite3_column_int(s, 6) != sqlite3_column_int(s, 13)) {
				f = fadd(l, "ratio-changed", true, key, on);
				hk_snprintf(f->detail, sizeof(f->detail), "負担割合 %d%% -> %d%%",
					    sqlite3_column_int(s, 13), sqlite3_column_int(s, 6));
			}
			if (prev && *txt(s, 12) && differs(s, 5, 12)) {
				f = fadd(l, "branch-changed", false, key, on);
				hk_snprintf(f->detail, sizeof(f->detail), "枝番 %s -> %s", txt(s, 12), txt(s, 5));
			}
			if (prev && differs(s, 7, 14)) {
				f = fadd(l, "limit-changed", false, key, on);
				hk_snprintf(f->detail, sizeof(f->detail), "限度額適用区分 '%s' -> '%s'", txt(s, 14),
					    txt(s, 7));
			}
			break;
		case HK_ELIG_INVALID:
		case HK_ELIG_INVALID_NEW:
			f = fadd(l, "coverage-lost", true, key, on);
			hk_snprintf(f->detail, sizeof(f->detail), "%s/%s %s%s%s", txt(s, 3), txt(s, 4),
				    validity == HK_ELIG_INVALID ? "無効" : "無効（新しい資格あり）",
				    *txt(s, 8) ? ", valid until " : "", txt(s, 8));
			break;
		case HK_ELIG_NOT_FOUND:
			f = fadd(l, "not-found", true, key, on);
			hk_snprintf(f->detail, sizeof(f->detail), "該当資格なし for %s/%s", txt(s, 3), txt(s, 4));
			break;
		default:
			f = fadd(l, "multiple", true, key, on);
			hk_snprintf(f->detail, sizeof(f->detail), "複数該当 for %s/%s", txt(s, 3), txt(s, 4));
			break;
		}
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE)
		return hk_db_fail(db, err, "eligibility report");
	return 0;
}

static int report_visits(sqlite3 *db, const char *first, const char *last, struct flist *l, struct hk_err *err)
{
	struct hk_station stn;
	sqlite3_stmt *s;
	int step, rc = -1;
	if (hk_station_load(db, &stn, err) < 0)
		return -1;
	if (hk_db_prepare(db, "SELECT DISTINCT v.patient_id, p.patient_key, v.date FROM visit v"
			      " JOIN patient p ON p.id = v.patient_id WHERE v.date BETWEEN ?1 AND ?2"
			      " ORDER BY v.date, p.patient_key", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, last, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		enum hk_visit_elig state;
		bool held;
		char date[11];
		struct hk_elig_finding *f;
		copy_col(s, 2, date, sizeof(date));
		if (visit_state_of(db, &stn, sqlite3_column_int64(s, 0), date, &state, &held, err) < 0)
			goto out;
		if (state == HK_VISIT_CONFIRMED)
			continue;
		f = fadd(l, state == HK_VISIT_NO_COVERAGE ? "no-coverage" : "no-confirmation", true, txt(s, 1), date);
		hk_snprintf(f->detail, sizeof(f->detail), "%s%s",
			    state == HK_VISIT_NO_COVERAGE ? "no coverage valid on the visit date"
							  : "no 資格確認 result in the month covers the visit date",
			    held ? "; held back from the claim" : "");
	}
	if (step != SQLITE_DONE) {
		hk_db_fail(db, err, "eligibility report (visits)");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int hk_elig_report(sqlite3 *db, const char *month, hk_elig_finding_fn fn, void *ctx, struct hk_err *err)
{
	struct flist l = {0};
	char first[11], last[11];
	int y, m, rc = -1;
	if (!month || strlen(month) != 7 || !hk_month_parse(month, 7, &y, &m))
		return hk_err_set(err, HK_EXIT_USAGE, "--month: '%s' is not YYYY-MM", month ? month : "");
	hk_snprintf(first, sizeof(first), "%04d-%02d-01", y, m);
	hk_snprintf(last, sizeof(last), "%04d-%02d-%02d", y, m, hk_days_in_month(y, m));
	if (report_results(db, first, last, &l, err) < 0 || report_visits(db, first, last, &l, err) < 0)
		goto out;
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), fcmp);
	for (size_t i = 0; i < l.n; i++)
		if (fn(ctx, &l.v[i], err) < 0)
			goto out;
	rc = 0;
out:
	hk_free(l.v);
	return rc;
}
