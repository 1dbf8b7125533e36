/*
 * eligibility_request.c - a month's オンライン資格確認 request files.
 *
 * Who gets what (vendor guide 表2.1.1-1, 表4.1.1-1; docs/eligibility.md):
 * every patient with a visit in the month and
 *   - a coverage valid in the month      -> 一括照会 (保険資格の情報)
 *   - 訪問開始 in the month, or no coverage -> 同意済資格情報一括取得
 *       (同意年月日 = 訪問開始 (the first visit, when the My Number card was
 *       read), 受診年月日 = first visit of the month; one entry per pair)
 *   - a coverage and no result yet that echoed our 照会番号 -> 照会番号登録
 *   - 訪問終了 or 死亡 on or before the month's end -> 同意取消
 * The layouts are tables in data/eligibility/ (one file each).  Files are
 * named PREFIX_INSTITUTION_YYYYMM.xml and published atomically.
 */
#include <string.h>
#include "switchover/eligibility.h"
#include "claims/db.h"
#include "claims/station.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/fileio.h"
#include "base/limits.h"

enum src {
	SRC_INSTITUTION, SRC_INSURER, SRC_SYMBOL, SRC_NUMBER, SRC_BRANCH, SRC_BIRTH, SRC_CONFIRM_DATE,
	SRC_CONSENT_DATE, SRC_VISIT_DATE, SRC_QUERY_NO, SRC_LIMIT_CONS, SRC__N
};

struct lfield {
	const char *el;
	const char *jp;
	enum src src;
	int required;
};

struct layout {
	const char *id;
	const char *title;
	const char *prefix;
	const char *root;
	const char *entry;
	const struct lfield *fields;
	size_t nfields;
};

#define LAYOUT(id, title, prefix, root, entry)
#define FIELD(el, jp, src, req) {el, jp, SRC_##src, req},
static const struct lfield bulk_query_fields[] = {
#include "data/eligibility/bulk_query.def"
};
static const struct lfield consent_fetch_fields[] = {
#include "data/eligibility/consent_fetch.def"
};
static const struct lfield register_query_no_fields[] = {
#include "data/eligibility/register_query_no.def"
};
static const struct lfield consent_cancel_fields[] = {
#include "data/eligibility/consent_cancel.def"
};
#undef LAYOUT
#undef FIELD
#define FIELD(el, jp, src, req)
#define LAYOUT(id, title, prefix, root, entry) \
	{#id, title, prefix, root, entry, id##_fields, HK_ARRAY_LEN(id##_fields)},
static const struct layout layouts[] = {
#include "data/eligibility/bulk_query.def"
#include "data/eligibility/consent_fetch.def"
#include "data/eligibility/register_query_no.def"
#include "data/eligibility/consent_cancel.def"
};
#undef LAYOUT
#undef FIELD
enum { L_BULK, L_CONSENT_FETCH, L_REGISTER, L_CANCEL, L__N };

int hk_elig_layout_count(void) { return (int)HK_ARRAY_LEN(layouts); }
const char *hk_elig_layout_name(int i)
{
	return i >= 0 && i < (int)HK_ARRAY_LEN(layouts) ? layouts[i].id : NULL;
}

static int add_escaped(struct hk_buf *b, const char *s, struct hk_err *err)
{
	for (; *s; s++) {
		const char *rep = NULL;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default: break;
		}
		if ((rep ? hk_buf_adds(b, rep, err) : hk_buf_addc(b, *s, err)) < 0)
			return -1;
	}
	return 0;
}

/* "YYYY-MM-DD" -> "YYYYMMDD" ("" stays "") */
static void d8(const char *d10, char out[9])
{
	struct hk_date d;
	if (d10 && hk_date_parse(d10, strlen(d10), &d))
		hk_date_fmt8(d, out);
	else
		out[0] = 0;
}

struct out {
	struct hk_buf b;
	int n;
};

static int begin(struct out *o, const struct layout *l, const char *inst, const char *ym, struct hk_err *err)
{
	hk_buf_init(&o->b, 256u << 20, "request file (256 MiB)");
	o->n = 0;
	return hk_buf_printf(&o->b, err,
			     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			     "<%s>\n"
			     "  <MessageHeader>\n"
			     "    <MedicalInstitutionCode>%s</MedicalInstitutionCode>\n"
			     "    <ArbitraryFileIdentifier>%s_%s</ArbitraryFileIdentifier>\n"
			     "    <CharacterCodeIdentifier>0</CharacterCodeIdentifier>\n"
			     "  </MessageHeader>\n"
			     "  <MessageBody>\n",
			     l->root, inst, l->prefix, ym);
}

/* Appends one entry; returns 1 written, 0 skipped (a required value is empty), -1 error. */
static int entry(struct out *o, const struct layout *l, const char *const vals[SRC__N], struct hk_err *err)
{
	for (size_t i = 0; i < l->nfields; i++)
		if (l->fields[i].required && !*vals[l->fields[i].src])
			return 0;
	if (hk_buf_printf(&o->b, err, "    <%s>\n", l->entry) < 0)
		return -1;
	for (size_t i = 0; i < l->nfields; i++) {
		const char *v = vals[l->fields[i].src];
		if (hk_buf_printf(&o->b, err, "      <%s>", l->fields[i].el) < 0 || add_escaped(&o->b, v, err) < 0 ||
		    hk_buf_printf(&o->b, err, "</%s>\n", l->fields[i].el) < 0)
			return -1;
	}
	if (hk_buf_printf(&o->b, err, "    </%s>\n", l->entry) < 0)
		return -1;
	o->n++;
	return 1;
}

static int finish(struct out *o, const struct layout *l, const char *dir, const char *inst, const char *ym,
		  int *files, struct hk_err *err)
{
	char path[HK_MAX_PATH];
	if (o->n == 0)
		return 0;
	if (hk_buf_printf(&o->b, err, "  </MessageBody>\n</%s>\n", l->root) < 0)
		return -1;
	if (hk_snprintf(path, sizeof(path), "%s/%s_%s_%s.xml", dir, l->prefix, inst, ym) >= (int)sizeof(path))
		return hk_err_set(err, HK_EXIT_USAGE, "%s: path longer than HK_MAX_PATH", dir);
	if (hk_publish(path, o->b.data, o->b.len, 0644, err) < 0)
		return -1;
	(*files)++;
	return 0;
}

static const char select_sql[] =
	"SELECT p.patient_key, p.birth, p.visit_start, coalesce(min(p.end_date, p.death_date), p.end_date,"
	"   p.death_date),"
	"  (SELECT min(v.date) FROM visit v WHERE v.patient_id = p.id AND v.date BETWEEN ?1 AND ?2),"
	"  c.insurer, c.symbol, c.number, c.branch,"
	"  EXISTS (SELECT 1 FROM eligibility e WHERE e.patient_id = p.id AND e.query_no = p.patient_key)"
	" FROM patient p"
	" LEFT JOIN coverage c ON c.id = (SELECT c2.id FROM coverage c2 WHERE c2.patient_id = p.id"
	"   AND c2.valid_from <= ?2 AND (c2.valid_to IS NULL OR c2.valid_to >= ?1)"
	"   ORDER BY c2.valid_from DESC, c2.id DESC LIMIT 1)"
	" WHERE EXISTS (SELECT 1 FROM visit v WHERE v.patient_id = p.id AND v.date BETWEEN ?1 AND ?2)"
	" ORDER BY p.patient_key";

int hk_elig_write_requests(sqlite3 *db, const char *month, const char *dir, struct hk_elig_request_stats *st,
			   struct hk_err *err)
{
	struct hk_station station;
	struct out o[L__N];
	struct hk_buf seen;
	sqlite3_stmt *s = NULL;
	char inst[16], first[11], last[11], ym[7];
	int y, m, rc = -1, step;
	memset(st, 0, sizeof(*st));
	memset(o, 0, sizeof(o));
	hk_buf_init(&seen, 64u << 20, "consent pairs");
	if (!hk_month_parse(month, strlen(month), &y, &m) || strlen(month) != 7)
		return hk_err_set(err, HK_EXIT_USAGE, "--month: '%s' is not YYYY-MM", month);
	hk_snprintf(first, sizeof(first), "%04d-%02d-01", y, m);
	hk_snprintf(last, sizeof(last), "%04d-%02d-%02d", y, m, hk_days_in_month(y, m));
	hk_snprintf(ym, sizeof(ym), "%04d%02d", y, m);
	if (hk_station_load(db, &station, err) < 0)
		return -1;
	/* 医療機関コード (10): 都道府県 2 + 点数表 1 ('6' 訪問看護, ASSUMED) + station code 7 */
	hk_snprintf(inst, sizeof(inst), "%s6%s", station.pref, station.code);
	if (hk_mkdir_p(dir, 0755, err) < 0)
		return -1;
	for (int i = 0; i < L__N; i++)
		if (begin(&o[i], &layouts[i], inst, ym, err) < 0)
			goto out;
	if (hk_db_prepare(db, select_sql, &s, err) < 0)
		goto out;
	sqlite3_bind_text(s, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, last, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *vals[SRC__N];
		char birth[9], visit[9], consent[9], pair[32];
		const char *visit_start = hk_db_col(s, 2), *ended = hk_db_col(s, 3);
		int has_cov = sqlite3_column_type(s, 5) != SQLITE_NULL;
		int registered = sqlite3_column_int(s, 9);
		int w;
		d8(hk_db_col(s, 1), birth);
		d8(hk_db_col(s, 4), visit);
		d8(visit_start[0] ? visit_start : hk_db_col(s, 4), consent);
		vals[SRC_INSTITUTION] = inst;
		vals[SRC_INSURER] = hk_db_col(s, 5);
		vals[SRC_SYMBOL] = hk_db_col(s, 6);
		vals[SRC_NUMBER] = hk_db_col(s, 7);
		vals[SRC_BRANCH] = hk_db_col(s, 8);
		vals[SRC_BIRTH] = birth;
		vals[SRC_CONFIRM_DATE] = visit;
		vals[SRC_CONSENT_DATE] = consent;
		vals[SRC_VISIT_DATE] = visit;
		vals[SRC_QUERY_NO] = hk_db_col(s, 0);
		vals[SRC_LIMIT_CONS] = "1";
		if (has_cov) {
			if ((w = entry(&o[L_BULK], &layouts[L_BULK], vals, err)) < 0)
				goto out;
			st->bulk_query += w;
			st->skipped += !w;
			if (!registered) {
				if ((w = entry(&o[L_REGISTER], &layouts[L_REGISTER], vals, err)) < 0)
					goto out;
				st->register_no += w;
				st->skipped += !w;
			}
		}
		if (!has_cov || (visit_start[0] && strcmp(visit_start, first) >= 0 && strcmp(visit_start, last) <= 0)) {
			hk_snprintf(pair, sizeof(pair), "|%s|%s|", consent, visit);
			if (!seen.len || !strstr(hk_buf_cstr(&seen), pair)) {
				if (hk_buf_adds(&seen, pair, err) < 0)
					goto out;
				if ((w = entry(&o[L_CONSENT_FETCH], &layouts[L_CONSENT_FETCH], vals, err)) < 0)
					goto out;
				st->consent_fetch += w;
				st->skipped += !w;
			}
		}
		if (ended[0] && strcmp(ended, last) <= 0) {
			if ((w = entry(&o[L_CANCEL], &layouts[L_CANCEL], vals, err)) < 0)
				goto out;
			st->consent_cancel += w;
			st->skipped += !w;
		}
	}
	if (step != SQLITE_DONE) {
		hk_db_fail(db, err, "selecting the month's patients");
		goto out;
	}
	for (int i = 0; i < L__N; i++)
		if (finish(&o[i], &layouts[i], dir, inst, ym, &st->files, err) < 0)
			goto out;
	rc = 0;
out:
	sqlite3_finalize(s);
	for (int i = 0; i < L__N; i++)
		hk_buf_free(&o[i].b);
	hk_buf_free(&seen);
	return rc;
}
