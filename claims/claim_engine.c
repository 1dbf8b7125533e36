/*
 * claim_engine.c - station records → receipts → RECEIPTH.UKE (claimrun.h).
 *
 * Reading is a merge of five ordered scans (patients with visits, coverages,
 * 公費, instructions, visits), all ordered by patient_key, so the run does a
 * constant number of queries whatever the size of the station.  One patient
 * is held in memory at a time.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include "claims/claimrun.h"
#include "claims/benefit.h"
#include "claims/db.h"
#include "claims/fees.h"
#include "claims/station.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/fileio.h"
#include "base/progress.h"
#include "master/master.h"
#include "receipt/check.h"
#include "receipt/uke.h"
#include "receipt/width.h"
#include "switchover/eligibility.h"

#define MAX_ROWS 64          /* coverages, 公費 or instructions of one patient in one month */
#define MAX_VISITS 512       /* visits of one patient in one month */
#define MAX_GROUPS 8         /* receipts of one patient in one month */

/* ---- one patient's month ------------------------------------------------ */

struct cov {
	long long id;
	int kind;                    /* enum hk_ins_kind */
	char insurer[16], symbol[128], number[128], branch[8], person[16], limit[8], duty[4];
	int ratio, kougaku;
	struct hk_date from, to;     /* to.y == 9999 when open */
};

struct pub {
	long long id;
	char payer[16], recipient[16];
	long cap;                    /* -1 none */
	struct hk_date from, to;
};

struct ins {
	char kind[3];
	struct hk_date from, to;
	char pref[4], table[4], code[16], name[256], doctor[128], last_report[12];
	char disease_code[16], disease_name[256], condition[4096], flag[16], diseases[400];
};

struct patient {
	long long id;
	char key[32], name[256], kana[256], birth_s[12], visit_start[12], place[4], place_text[400];
	char end_date[12], end_time[8], end_reason[4], end_text[64];
	char death_date[12], death_time[8], death_place[4], death_text[64], gaf[4], gaf_date[12];
	int sex, consent_24h;
	struct hk_date birth;
	struct cov cov[MAX_ROWS];
	int ncov;
	struct pub pub[MAX_ROWS];
	int npub;
	struct ins ins[MAX_ROWS];
	int nins;
	struct hk_fee_visit v[MAX_VISITS];
	int nv;
	struct hk_buf arena;         /* visit item strings */
	int prior_week_days;
};

/* One accepted receipt waiting in a chunk for its number. */
struct done_receipt {
	int body;
	size_t off, len;             /* its records in chunk->bytes; RE レセプト番号 is "1" */
	long long patient_id, coverage_id;
	char patient_key[32], type[5], record_key[24];
	long total, patient_share;
};

/* The work of a range of patients: produced by a worker, consumed in order. */
struct chunk {
	long index;
	long long lo, hi;            /* patient ids */
	struct hk_buf bytes;
	struct done_receipt *r;
	int nr, ar;
	struct hk_buf report;        /* report lines, in order */
	long patients, stopped, notes, held, warnings;
	int rc;
	struct hk_err err;
};

/* One of a worker's scans ordered by patient id (column 0): the statement,
 * whether a row is in hand (1), to be stepped to (0) or past the end (-1),
 * and the patient id of the row in hand. */
struct scan {
	sqlite3_stmt *st;
	int have;
	long long key;
};

/* A worker: its own connection, cursors and buffers (claims/claim_engine.c is
 * multi-threaded: the master, options and station are shared read-only). */
struct engine {
	sqlite3 *db;
	const struct hk_master *m;
	const struct hk_build_opts *o;
	struct hk_station station;
	int standards[64];
	int nstandards;
	struct hk_date start, end;
	char start_s[11], end_s[11], claim6[7], month7[8], svc6[7];
	char key_month[8];           /* "-YYMM" of 訪問看護記録番号等 (render) */
	/* master codes (as 9-digit numbers, ascending) that are 精神科訪問看護基本療養費
	 * (I)/(III) on some date (is_gaf_basic); ngaf < 0: too many to list */
	unsigned long gaf_keys[128];
	int ngaf;
	char wk_s[11], prev_s[11];   /* the 6 days before the month (前週) */
	size_t start_n, prev_n;      /* strlen() of start_s and prev_s */
	sqlite3_stmt *q_pat;
	struct scan q_cov, q_pub, q_ins, q_vis, q_elig;
	struct hk_buf prior_date;    /* load_patient: the last 前週 date counted */
	struct hk_buf rec;           /* one receipt's records */
	struct hk_uke_writer w;
	struct patient *p;
	struct chunk *c;             /* the chunk being produced */
	long receipt_warnings;
	bool receipt_error;
	char receipt_error_msg[512];
};

/* The main thread's side: the output files and the recording callback. */
struct sink {
	const struct hk_build_opts *o;
	struct hk_build_stats *st;
	const struct hk_station *station;
	const char *claim6, *month7;
	struct hk_pubfile pf[3];
	bool open[3];
	long next_no[3];
	struct hk_sha256 *sha[3];
	hk_receipt_fn cb;
	void *cb_ctx;
};

static void report(struct engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(struct engine *e, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;
	struct hk_err err;
	if (!e->o->report || !e->c)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	line[n++] = '\n';
	hk_buf_add(&e->c->report, line, (size_t)n, &err);
}


/* A text column into dst, truncated to size - 1 bytes, "" for NULL: what
 * hk_db_col_copy() gives as a C string, with one SQLite call instead of two.
 * The values are short (codes, dates, names): copied byte by byte up to the
 * terminator rather than measured by strnlen() and then copied. */
static void col_str(char *dst, size_t size, sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	size_t n = 0;
	if (t)
		for (; n < size - 1 && t[n]; n++)
			dst[n] = t[n];
	dst[n] = '\0';
}

/* col_str() of a date column, and the date it holds (dflt if none): what
 * col_str() and date_col() give, with one SQLite call. */
static struct hk_date col_str_date(char *dst, size_t size, sqlite3_stmt *st, int i, struct hk_date dflt)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	size_t n = t ? strnlen(t, size - 1) : 0;
	struct hk_date d;
	if (n)
		memcpy(dst, t, n);
	dst[n] = '\0';
	/* n is the text's length unless the copy was cut */
	if (t && hk_date_parse(t, n < size - 1 ? n : strlen(t), &d))
		return d;
	return dflt;
}

static struct hk_date date_col(sqlite3_stmt *st, int i, struct hk_date dflt)
{
	struct hk_date d;
	const unsigned char *t = sqlite3_column_text(st, i);
	if (t && hk_date_parse((const char *)t, strlen((const char *)t), &d))
		return d;
	return dflt;
}

static const struct hk_date FAR = {9999, 12, 31};

/* SQLite's BINARY order of a column's text (n bytes) and a string (m bytes). */
static int text_cmp(const char *t, size_t n, const char *s, size_t m)
{
	int c = n ? memcmp(t, s, n < m ? n : m) : 0;
	return c ? c : n < m ? -1 : n > m;
}

/* hk_time_parse() of a C string: "HH:MM" read in place (the && stops at the
 * terminator), anything else by hk_time_parse(). */
#define DIGIT(c) ((c) >= '0' && (c) <= '9')
static inline int visit_time(const char *t)
{
	if (DIGIT(t[0]) && DIGIT(t[1]) && t[2] == ':' && DIGIT(t[3]) && DIGIT(t[4]) && !t[5]) {
		int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
		return h > 23 || m > 59 ? -1 : h * 60 + m;
	}
	return hk_time_parse(t, strlen(t));
}
#undef DIGIT

/* Advance a scan to patient id; returns 1 while on it.  A row's id is read
 * once, when it is stepped to: the row after a patient's last one is compared
 * with every patient id up to its own. */
static int on_key(struct scan *s, long long id, struct hk_err *err, sqlite3 *db)
{
	for (;;) {
		if (s->have == 0) {
			int rc = sqlite3_step(s->st);
			if (rc == SQLITE_DONE) {
				s->have = -1;
				return 0;
			}
			if (rc != SQLITE_ROW)
				return hk_db_fail(db, err, "reading station records");
			s->have = 1;
			s->key = sqlite3_column_int64(s->st, 0);
		}
		if (s->have < 0)
			return 0;
		if (s->key < id) {
			s->have = 0;
			continue;
		}
		return s->key == id;
	}
}

static int prepare_all(struct engine *e, struct hk_err *err)
{
	static const char *q_pat =
		"SELECT p.id, p.patient_key, p.name, p.kana, p.sex, p.birth, p.visit_start, p.place, p.place_text,"
		" p.end_date, p.end_time, p.end_reason, p.end_text, p.death_date, p.death_time, p.death_place,"
		" p.death_text, p.gaf, p.gaf_date, p.consent_24h"
		/* every patient of the range: produce() skips those without a visit
		 * in the month (q_vis has no row for them) */
		" FROM patient p WHERE p.id BETWEEN ?5 AND ?6 ORDER BY p.id";
	/* The scans below walk the UNIQUE (patient_id, ...) indexes in order: no sort. */
	static const char *q_cov =
		"SELECT c.patient_id, c.id, c.insurer, c.symbol, c.number, c.branch, c.kind, c.person, c.ratio,"
		" c.limit_class, c.kougaku, c.duty, c.valid_from, c.valid_to"
		" FROM coverage c WHERE c.patient_id BETWEEN ?5 AND ?6 AND c.valid_from <= ?2"
		" AND (c.valid_to IS NULL OR c.valid_to >= ?1)"
		" ORDER BY c.patient_id, c.insurer, c.number, c.valid_from";
	static const char *q_pub =
		"SELECT c.patient_id, c.id, c.payer, c.recipient, c.monthly_cap, c.valid_from, c.valid_to"
		" FROM public_coverage c WHERE c.patient_id BETWEEN ?5 AND ?6 AND c.valid_from <= ?2"
		" AND (c.valid_to IS NULL OR c.valid_to >= ?1)"
		" ORDER BY c.patient_id, c.payer, c.valid_from";
	static const char *q_ins =
		"SELECT i.patient_id, i.kind, i.valid_from, i.valid_to, i.inst_pref, i.inst_table, i.inst_code,"
		" i.inst_name, i.doctor, i.last_report, i.disease_code, i.disease_name, i.condition,"
		" i.disease_flag, i.diseases"
		" FROM instruction i WHERE i.patient_id BETWEEN ?5 AND ?6 AND i.valid_from <= ?2 AND i.valid_to >= ?1"
		" ORDER BY i.patient_id, i.kind, i.valid_from";
	/* The month's visits and, before them, those of the 6 days before the
	 * month (前週: load_patient counts their distinct dates, prior_week_days).
	 * For each patient of the range, one seek into UNIQUE(patient_id, date,
	 * start_time) on (id, first date): the rows come in index order (no sort)
	 * and the visits of other months are never stepped over, as they were by
	 * a walk of the whole range filtered on the date (a station with a year of
	 * visits: 12 index rows stepped per row read).  The rows are those of the
	 * walk for every visit whose patient_id is a patient's id, as the foreign
	 * key makes it: only a row written with foreign keys off could differ, an
	 * orphan (the walk returned it, but load_patient matched it to no patient)
	 * or a non-integral number (which the walk's sqlite3_column_int64() cut to
	 * a patient's id). */
	static const char *q_vis =
		"SELECT v.patient_id, v.id, v.date, v.start_time, v.end_time, v.staff, v.staff2,"
		" v.instruction_kind, v.emergency, v.long_visit, v.multi_staff, v.terminal, v.special_mgmt,"
		" v.building_count, v.outing, v.items, v.specialist"
		" FROM patient p CROSS JOIN visit v WHERE p.id BETWEEN ?5 AND ?6 AND v.patient_id = p.id"
		" AND v.date BETWEEN ?3 AND ?2"
		" ORDER BY p.id, v.date, v.start_time";
	static const char *q_elig =
		"SELECT e.patient_id, e.insurer, e.number, e.branch FROM eligibility e"
		" WHERE e.patient_id BETWEEN ?5 AND ?6 AND e.validity = 1 AND e.confirmed_on <= ?2"
		" AND e.branch IS NOT NULL AND e.branch <> ''"
		" ORDER BY e.patient_id, e.confirmed_on, e.id";
	const char *const qs[] = {q_pat, q_cov, q_pub, q_ins, q_vis, q_elig};
	sqlite3_stmt **sts[] = {&e->q_pat, &e->q_cov.st, &e->q_pub.st, &e->q_ins.st, &e->q_vis.st, &e->q_elig.st};
	for (size_t i = 0; i < HK_ARRAY_LEN(qs); i++) {
		if (hk_db_prepare(e->db, qs[i], sts[i], err) < 0)
			return -1;
		/* every statement has ?6, so binding the numbers it does not use is harmless */
		sqlite3_bind_text(*sts[i], 1, e->start_s, -1, SQLITE_STATIC);
		sqlite3_bind_text(*sts[i], 2, e->end_s, -1, SQLITE_STATIC);
		sqlite3_bind_text(*sts[i], 3, e->wk_s, -1, SQLITE_STATIC);
	}
	return 0;
}

static void finalize_all(struct engine *e)
{
	sqlite3_finalize(e->q_pat);
	sqlite3_finalize(e->q_cov.st);
	sqlite3_finalize(e->q_pub.st);
	sqlite3_finalize(e->q_ins.st);
	sqlite3_finalize(e->q_vis.st);
	sqlite3_finalize(e->q_elig.st);
}

/* Point every cursor at the patients lo..hi. */
static void bind_range(struct engine *e, long long lo, long long hi)
{
	sqlite3_stmt *sts[] = {e->q_pat, e->q_cov.st, e->q_pub.st, e->q_ins.st, e->q_vis.st, e->q_elig.st};
	for (size_t i = 0; i < HK_ARRAY_LEN(sts); i++) {
		sqlite3_reset(sts[i]);
		sqlite3_bind_int64(sts[i], 5, lo);
		sqlite3_bind_int64(sts[i], 6, hi);
	}
	e->q_cov.have = e->q_pub.have = e->q_ins.have = e->q_vis.have = e->q_elig.have = 0;
}

static int load_patient(struct engine *e, struct patient *p, struct hk_err *err)
{
	sqlite3_stmt *s = e->q_pat;
	int r;
	p->id = sqlite3_column_int64(s, 0);
	col_str(p->key, sizeof(p->key), s, 1);
	col_str(p->name, sizeof(p->name), s, 2);
	col_str(p->kana, sizeof(p->kana), s, 3);
	p->sex = sqlite3_column_int(s, 4);
	p->birth = col_str_date(p->birth_s, sizeof(p->birth_s), s, 5, (struct hk_date){1900, 1, 1});
	col_str(p->visit_start, sizeof(p->visit_start), s, 6);
	col_str(p->place, sizeof(p->place), s, 7);
	col_str(p->place_text, sizeof(p->place_text), s, 8);
	col_str(p->end_date, sizeof(p->end_date), s, 9);
	col_str(p->end_time, sizeof(p->end_time), s, 10);
	col_str(p->end_reason, sizeof(p->end_reason), s, 11);
	col_str(p->end_text, sizeof(p->end_text), s, 12);
	col_str(p->death_date, sizeof(p->death_date), s, 13);
	col_str(p->death_time, sizeof(p->death_time), s, 14);
	col_str(p->death_place, sizeof(p->death_place), s, 15);
	col_str(p->death_text, sizeof(p->death_text), s, 16);
	col_str(p->gaf, sizeof(p->gaf), s, 17);
	col_str(p->gaf_date, sizeof(p->gaf_date), s, 18);
	p->consent_24h = sqlite3_column_int(s, 19);

	p->ncov = p->npub = p->nins = p->nv = 0;
	p->prior_week_days = 0;
	hk_buf_reset(&p->arena);
	while ((r = on_key(&e->q_cov, p->id, err, e->db)) == 1) {
		struct cov *c;
		if (p->ncov < MAX_ROWS) {
			c = &p->cov[p->ncov++];
			c->id = sqlite3_column_int64(e->q_cov.st, 1);
			col_str(c->insurer, sizeof(c->insurer), e->q_cov.st, 2);
			col_str(c->symbol, sizeof(c->symbol), e->q_cov.st, 3);
			col_str(c->number, sizeof(c->number), e->q_cov.st, 4);
			col_str(c->branch, sizeof(c->branch), e->q_cov.st, 5);
			c->kind = hk_ins_kind_parse((const char *)sqlite3_column_text(e->q_cov.st, 6));
			col_str(c->person, sizeof(c->person), e->q_cov.st, 7);
			c->ratio = sqlite3_column_int(e->q_cov.st, 8);
			col_str(c->limit, sizeof(c->limit), e->q_cov.st, 9);
			c->kougaku = sqlite3_column_int(e->q_cov.st, 10);
			col_str(c->duty, sizeof(c->duty), e->q_cov.st, 11);
			c->from = date_col(e->q_cov.st, 12, FAR);
			c->to = date_col(e->q_cov.st, 13, FAR);
		}
		e->q_cov.have = 0;
	}
	if (r < 0) return -1;
	while ((r = on_key(&e->q_pub, p->id, err, e->db)) == 1) {
		if (p->npub < MAX_ROWS) {
			struct pub *c = &p->pub[p->npub++];
			c->id = sqlite3_column_int64(e->q_pub.st, 1);
			col_str(c->payer, sizeof(c->payer), e->q_pub.st, 2);
			col_str(c->recipient, sizeof(c->recipient), e->q_pub.st, 3);
			c->cap = sqlite3_column_type(e->q_pub.st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(e->q_pub.st, 4);
			c->from = date_col(e->q_pub.st, 5, FAR);
			c->to = date_col(e->q_pub.st, 6, FAR);
		}
		e->q_pub.have = 0;
	}
	if (r < 0) return -1;
	while ((r = on_key(&e->q_ins, p->id, err, e->db)) == 1) {
		if (p->nins < MAX_ROWS) {
			struct ins *c = &p->ins[p->nins++];
			sqlite3_stmt *s2 = e->q_ins.st;
			col_str(c->kind, sizeof(c->kind), s2, 1);
			c->from = date_col(s2, 2, FAR);
			c->to = date_col(s2, 3, FAR);
			col_str(c->pref, sizeof(c->pref), s2, 4);
			col_str(c->table, sizeof(c->table), s2, 5);
			col_str(c->code, sizeof(c->code), s2, 6);
			col_str(c->name, sizeof(c->name), s2, 7);
			col_str(c->doctor, sizeof(c->doctor), s2, 8);
			col_str(c->last_report, sizeof(c->last_report), s2, 9);
			col_str(c->disease_code, sizeof(c->disease_code), s2, 10);
			col_str(c->disease_name, sizeof(c->disease_name), s2, 11);
			col_str(c->condition, sizeof(c->condition), s2, 12);
			col_str(c->flag, sizeof(c->flag), s2, 13);
			col_str(c->diseases, sizeof(c->diseases), s2, 14);
		}
		e->q_ins.have = 0;
	}
	if (r < 0) return -1;
	/* visits: strings of items go to the arena; pointers fixed up afterwards */
	{
		size_t item_off[MAX_VISITS];
		bool prior_any = false;
		while ((r = on_key(&e->q_vis, p->id, err, e->db)) == 1) {
			sqlite3_stmt *s2 = e->q_vis.st;
			const char *dt = (const char *)sqlite3_column_text(s2, 2);
			size_t dn = (size_t)sqlite3_column_bytes(s2, 2);
			if (text_cmp(dt, dn, e->start_s, e->start_n) < 0) {
				/* 前週: count(DISTINCT date) of the rows up to the day before
				 * the month; rows come in date order, so equal dates are adjacent */
				if (text_cmp(dt, dn, e->prev_s, e->prev_n) <= 0 &&
				    (!prior_any || dn != e->prior_date.len ||
				     (dn && memcmp(dt, e->prior_date.data, dn) != 0))) {
					p->prior_week_days++;
					prior_any = true;
					hk_buf_reset(&e->prior_date);
					if (hk_buf_add(&e->prior_date, dt, dn, err) < 0)
						return -1;
				}
				e->q_vis.have = 0;
				continue;
			}
			if (p->nv < MAX_VISITS) {
				struct hk_fee_visit *v = &p->v[p->nv];
				const unsigned char *t;
				memset(v, 0, sizeof(*v));
				v->id = sqlite3_column_int64(s2, 1);
				/* date_col(s2, 2, e->start) of the text in hand; a
				 * "YYYY-MM-DD" of the claim month (start_s's first 8
				 * bytes, then a valid day) without the general parse */
				int day = dt && dn == 10 && !memcmp(dt, e->start_s, 8) && dt[8] >= '0' && dt[8] <= '3' &&
						  dt[9] >= '0' && dt[9] <= '9' ? (dt[8] - '0') * 10 + (dt[9] - '0') : 0;
				if (day >= 1 && day <= e->end.d)
					v->date = (struct hk_date){e->start.y, e->start.m, day};
				else if (!dt || !hk_date_parse(dt, strlen(dt), &v->date))
					v->date = e->start;
				t = sqlite3_column_text(s2, 3);
				v->start = t ? visit_time((const char *)t) : 0;
				t = sqlite3_column_text(s2, 4);
				v->end = t ? visit_time((const char *)t) : 0;
				col_str(v->staff, sizeof(v->staff), s2, 5);
				col_str(v->staff2, sizeof(v->staff2), s2, 6);
				col_str(v->family, sizeof(v->family), s2, 7);
				v->emergency = sqlite3_column_int(s2, 8);
				v->long_visit = sqlite3_column_int(s2, 9);
				v->multi = sqlite3_column_int(s2, 10);
				v->terminal = sqlite3_column_int(s2, 11);
				v->special_mgmt = sqlite3_column_int(s2, 12);
				v->building = sqlite3_column_int(s2, 13);
				v->outing = sqlite3_column_int(s2, 14);
				t = sqlite3_column_text(s2, 15);
				v->specialist = sqlite3_column_int(s2, 16);
				item_off[p->nv] = (size_t)-1;
				if (t && *t) {
					item_off[p->nv] = p->arena.len;
					if (hk_buf_add(&p->arena, t, strlen((const char *)t) + 1, err) < 0)
						return -1;
				}
				p->nv++;
			} else if (p->nv == MAX_VISITS) {
				report(e, "patient %s: more than %d visits in the month; the rest are left out",
				       p->key, MAX_VISITS);
				p->nv++;
			}
			e->q_vis.have = 0;
		}
		if (r < 0) return -1;
		if (p->nv > MAX_VISITS)
			p->nv = MAX_VISITS;
		for (int i = 0; i < p->nv; i++)
			p->v[i].items = item_off[i] == (size_t)-1 ? NULL : p->arena.data + item_off[i];
	}
	/* 枝番 from the last online confirmation of a coverage, if any */
	while ((r = on_key(&e->q_elig, p->id, err, e->db)) == 1) {
		const char *ins = (const char *)sqlite3_column_text(e->q_elig.st, 1);
		const char *num = (const char *)sqlite3_column_text(e->q_elig.st, 2);
		for (int i = 0; i < p->ncov; i++)
			if (ins && num && !strcmp(ins, p->cov[i].insurer) && !strcmp(num, p->cov[i].number))
				col_str(p->cov[i].branch, sizeof(p->cov[i].branch), e->q_elig.st, 3);
		e->q_elig.have = 0;
	}
	return r < 0 ? -1 : 0;
}

/* Decimal text of v into out (at least 24 bytes); returns out.  The digits
 * are written in place from the end once their count is known, two per step. */
static char *num(long long v, char *out)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				    "8081828384858687888990919293949596979899";
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	int n = 1;
	char *o = out;
	for (unsigned long long p = 10; n < 20 && u >= p; p *= 10)
		n++;
	if (v < 0)
		*o++ = '-';
	o[n] = '\0';
	while (u >= 100) {
		unsigned r = (unsigned)(u % 100);
		u /= 100;
		n -= 2;
		memcpy(o + n, pairs + 2 * r, 2);
	}
	if (u >= 10)
		memcpy(o, pairs + 2 * u, 2);
	else
		o[0] = (char)('0' + u);
	return out;
}

/* ---- coverage on a date ------------------------------------------------- */

/* a <= b in hk_date_cmp()'s order (year, month, day), without its call. */
static inline bool date_le(struct hk_date a, struct hk_date b)
{
	if (a.y != b.y) return a.y < b.y;
	if (a.m != b.m) return a.m < b.m;
	return a.d <= b.d;
}

static bool in_range(struct hk_date d, struct hk_date from, struct hk_date to)
{
	return date_le(from, d) && date_le(d, to);
}

static int cov_on(const struct patient *p, struct hk_date d)
{
	int best = -1;
	for (int i = 0; i < p->ncov; i++)
		if (p->cov[i].kind > 0 && in_range(d, p->cov[i].from, p->cov[i].to))
			if (best < 0 || hk_date_cmp(p->cov[i].from, p->cov[best].from) >= 0)
				best = i;
	return best;
}

/* ---- rendering ----------------------------------------------------------- */

static void diag_cb(void *ctx, const struct hk_diag *d)
{
	struct engine *e = ctx;
	if (d->severity == HK_ERROR) {
		if (!e->receipt_error)
			hk_snprintf(e->receipt_error_msg, sizeof(e->receipt_error_msg), "%s[%d]: %s: %s",
				    d->rec, d->field, d->code, d->msg);
		e->receipt_error = true;
	} else {
		e->receipt_warnings++;
		report(e, "patient %s: warning: %s[%d]: %s: %s", e->p ? e->p->key : "-", d->rec, d->field,
		       d->code, d->msg);
	}
}

static int put(struct engine *e, const char *id, const char *const *v, int n, struct hk_err *err)
{
	if (hk_uke_write(&e->w, id, v, n, err) < 0) {
		if (!e->receipt_error)
			hk_snprintf(e->receipt_error_msg, sizeof(e->receipt_error_msg), "%s", err->msg);
		e->receipt_error = true;
		hk_err_clear(err);
	}
	return 0;
}

static void d8(const char *iso, char out[9])
{
	struct hk_date d;
	if (iso && hk_date_parse(iso, strlen(iso), &d))
		hk_date_fmt8(d, out);
	else
		out[0] = '\0';
}

static void t4(const char *hhmm, char out[5])
{
	if (hhmm && strlen(hhmm) == 5 && hhmm[2] == ':') {
		out[0] = hhmm[0]; out[1] = hhmm[1]; out[2] = hhmm[3]; out[3] = hhmm[4]; out[4] = '\0';
	} else {
		size_t n = hhmm ? strnlen(hhmm, 4) : 0;
		memcpy(out, hhmm ? hhmm : "", n);
		out[n] = '\0';
	}
}

/* カタカナ（氏名）: full-width katakana without spaces (記録条件仕様 RE カタカナ). */
static void kana_for_record(const char *in, char *out, size_t size)
{
	char wide[400];
	size_t o = 0;
	hk_to_fullwidth(in, wide, sizeof(wide));
	for (const char *q = wide; *q && o + 4 < size;) {
		if (!strncmp(q, "\xE3\x80\x80", 3)) { q += 3; continue; }
		out[o++] = *q++;
	}
	out[o] = '\0';
}

/* 負担区分 (別表22) of a payer set: bit 0 insurance, bit k 公費 k. */
static char burden_code(unsigned mask)
{
	static const char map[32] = {
		/* 0 */ 0, '1', '5', '2', '6', '3', '7', '4', 'B', 'E', 'H', 'M', 'J', 'O', 'R', 'V',
		/*16 */ 'C', 'G', 'I', 'N', 'K', 'P', 'S', 'W', 'L', 'Q', 'T', 'X', 'U', 'Y', 'Z', '9'};
	return mask < 32 ? map[mask] : 0;
}

/* レセプト特記 (別表6) and 一部負担金区分 (別表7) from the 限度額適用区分 (docs/burden.md). */
static void limit_marks(const struct cov *c, enum hk_person person, char tokki[3], char ichibu[2])
{
	tokki[0] = ichibu[0] = '\0';
	if (!c || !c->kougaku || !c->limit[0])
		return;
	if (!strcmp(c->limit, "A01") || !strcmp(c->limit, "B01")) memcpy(tokki, "26", 3);
	else if (!strcmp(c->limit, "A02") || !strcmp(c->limit, "B02")) memcpy(tokki, "27", 3);
	else if (!strcmp(c->limit, "A03") || !strcmp(c->limit, "B03")) memcpy(tokki, "28", 3);
	else if (!strcmp(c->limit, "A04")) memcpy(tokki, "29", 3);
	else if (!strcmp(c->limit, "A05") || !strcmp(c->limit, "A06")) memcpy(tokki, "30", 3);
	else if (!strcmp(c->limit, "B04") || !strcmp(c->limit, "B09") || !strcmp(c->limit, "B10")) memcpy(tokki, "41", 3);
	else memcpy(tokki, "42", 3);
	if (person == HK_P_KOUREI || person == HK_P_KOUREI7 || c->kind == HK_INS_KOUKI) {
		if (!strcmp(c->limit, "B05")) memcpy(ichibu, "1", 2);
		else if (!strcmp(c->limit, "B06") || !strcmp(c->limit, "B07") || !strcmp(c->limit, "B08"))
			memcpy(ichibu, "3", 2);
	}
}

struct group {
	int cov;                     /* index into p->cov, -1 = 公費のみ */
	int pub[4];                  /* indexes into p->pub, KO order */
	int npub;
	int line[MAX_VISITS];
	int nline;
};

static int cmp_pub_order(const struct patient *p, int a, int b)
{
	int pa = hk_public_priority(p->pub[a].payer), pb = hk_public_priority(p->pub[b].payer);
	if (pa != pb) return pa < pb ? -1 : 1;
	return hk_date_cmp(p->pub[a].from, p->pub[b].from);
}

/* 精神科訪問看護基本療養費 (I) or (III): JS GAF 判定値 is recorded with them
 * (記録条件仕様 JS, 別表28).  In the master: 区分 01, 枝番 2, 項番 01 / 03. */
static bool gaf_basic_item(const struct hk_master_item *it)
{
	return it && it->kubun == 1 && it->edaban == 2 && (it->kouban == 1 || it->kouban == 3);
}

/* A 訪問看護療養費コード (9 digits) as a number, or 0 if it is not one: the
 * master finds items by this number only, so a code that is not 9 digits has
 * no item. */
static unsigned long code_number(const char *code)
{
	unsigned long v = 0;
	int i;
	for (i = 0; i < HK_MASTER_CODE_LEN; i++) {
		if (code[i] < '0' || code[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(code[i] - '0');
	}
	return code[i] == '\0' ? v : 0;
}

static bool is_gaf_basic(const struct engine *e, const struct hk_ka *k)
{
	if (e->ngaf >= 0) {
		/* a code none of whose rows is such an item needs no lookup.  The
		 * line's key is code_number() of its code when that is 9 digits
		 * (fees.c add()); any other code has no master item, so a match of
		 * its key only costs the lookup below, which answers no. */
		unsigned long key = k->key;
		int lo = 0, hi = e->ngaf;
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			if (e->gaf_keys[mid] < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (key == 0 || lo == e->ngaf || e->gaf_keys[lo] != key)
			return false;
	}
	return gaf_basic_item(hk_master_item(e->m, k->code, k->date));
}

/* The codes is_gaf_basic() looks up (engine->gaf_keys, ascending, distinct). */
static void find_gaf_codes(struct engine *e)
{
	size_t n = e->m ? hk_master_nitems(e->m) : 0;
	e->ngaf = e->m ? 0 : -1;
	for (size_t i = 0; i < n && e->ngaf >= 0; i++) {
		const struct hk_master_item *it = hk_master_item_at(e->m, i);
		unsigned long key = it ? code_number(it->code) : 0;
		int j;
		if (!key || !gaf_basic_item(it))
			continue;
		for (j = e->ngaf; j > 0 && e->gaf_keys[j - 1] > key; j--)
			;
		if (j > 0 && e->gaf_keys[j - 1] == key)
			continue;
		if (e->ngaf == (int)HK_ARRAY_LEN(e->gaf_keys)) {
			e->ngaf = -1;
			break;
		}
		memmove(&e->gaf_keys[j + 1], &e->gaf_keys[j], (size_t)(e->ngaf - j) * sizeof(e->gaf_keys[0]));
		e->gaf_keys[j] = key;
		e->ngaf++;
	}
}

static int render(struct engine *e, struct patient *p, struct group *g, int slot, const struct hk_fee_result *fr,
		  long cap_left[MAX_ROWS], long receipt_no, struct hk_receipt_info *info,
		  char type[5], char record_key[24], struct hk_err *err)
{
	const struct cov *c = g->cov >= 0 ? &p->cov[g->cov] : NULL;
	struct hk_burden_in bi;
	struct hk_burden_out bo;
	enum hk_person person = HK_P_HONNIN;
	int ratio = 0, body;
	unsigned masks[MAX_VISITS];
	char b[16][64];
	const char *v[40];
	char tokki[3], ichibu[2], kyufu[24], name[400], kana[400];
	const char *svc6 = e->svc6;
	struct hk_date first = fr->ka[g->line[0]].date;
	/* days: per payer slot, 0 none, 1 visit (実日数), 2 other */
	unsigned char days[HK_PAYER_SLOTS][32];
	bool gaf_needed = false;

	memset(&bi, 0, sizeof(bi));
	memset(days, 0, sizeof(days));
	bi.kind = c ? c->kind : HK_INS_NONE;
	if (c) {
		enum hk_person declared = hk_person_parse(c->person) < 0 ? HK_P_HONNIN : hk_person_parse(c->person);
		person = hk_person_on(c->kind, declared, c->ratio, p->birth, first);
		ratio = hk_person_ratio(c->kind, person, c->ratio);
		bi.ratio = ratio;
		bi.limit_class = c->limit;
		bi.kougaku = c->kougaku;
	}
	bi.npub = g->npub;
	for (int k = 0; k < g->npub; k++) {
		bi.payer[k] = p->pub[g->pub[k]].payer;
		bi.cap[k] = cap_left[g->pub[k]];
	}
	for (int i = 0; i < g->nline; i++) {
		const struct hk_ka *k = &fr->ka[g->line[i]];
		unsigned mask = c ? 1 : 0;
		for (int j = 0; j < g->npub; j++)
			if (in_range(k->date, p->pub[g->pub[j]].from, p->pub[g->pub[j]].to))
				mask |= 1u << (j + 1);
		masks[i] = mask;
		bi.amount[mask] += k->amount;
		for (int s = 0; s < HK_PAYER_SLOTS; s++)
			if (mask & (1u << s)) {
				unsigned char *dd = &days[s][k->date.d];
				if (k->visit_day) *dd = 1;
				else if (!*dd) *dd = 2;
			}
		if (!gaf_needed && is_gaf_basic(e, k))
			gaf_needed = true;
	}
	if (hk_burden_split(&bi, &bo, err) < 0)
		return -1;
	if (hk_receipt_type(bi.kind, person, g->npub, type) < 0)
		return hk_err_set(err, HK_EXIT_INPUT, "no レセプト種別 for %d 公費", g->npub);
	body = hk_route_body(bi.kind, g->npub ? p->pub[g->pub[0]].payer : NULL);
	limit_marks(c, person, tokki, ichibu);
	kyufu[0] = '\0';
	if (c && c->kind == HK_INS_KOKUHO)
		num(100 - ratio, kyufu);
	/* 訪問看護記録番号等: patient key, service month and receipt slot, so that
	 * returned data finds the receipt (DIGEST §3.6) */
	{
		/* "%s-%02d%02d%c" of key, year, month and slot, cut at 23 bytes */
		char rk[sizeof(p->key) + sizeof(e->key_month) + 1];
		size_t n = strlen(p->key), m = strlen(e->key_month);
		memcpy(rk, p->key, n);
		memcpy(rk + n, e->key_month, m);
		rk[n + m] = (char)('A' + slot);
		n = n + m + 1 < 23 ? n + m + 1 : 23;
		memcpy(record_key, rk, n);
		record_key[n] = '\0';
	}
	hk_one_width(p->name, name, sizeof(name));
	kana_for_record(p->kana, kana, sizeof(kana));

	hk_buf_reset(&e->rec);
	e->w.line = 0;
	/* RE */
	num(receipt_no, b[0]);
	num(p->sex, b[1]);
	{
		char birth8[9];
		d8(p->birth_s, birth8);
		const char *re[] = {b[0], type, svc6, name, kana, b[1], birth8, "", "", kyufu, tokki, ichibu,
				    record_key, ""};
		put(e, "RE", re, 14, err);
	}
	/* HO */
	if (c) {
		char real[24], tot[24], share[24], sym[160], nb[160];
		int n = 0;
		hk_one_width(c->symbol, sym, sizeof(sym));
		hk_one_width(c->number, nb, sizeof(nb));
		for (int d = 1; d <= 31; d++) n += days[0][d] == 1;
		num(n, real);
		num(bo.total[0], tot);
		num(bo.ins_share, share);
		const char *ho[] = {c->insurer, sym, nb, real, tot, c->duty, "",
				    bo.ins_share_recorded ? share : "", "", "", ""};
		put(e, "HO", ho, 11, err);
	}
	/* KO */
	for (int k = 0; k < g->npub; k++) {
		const struct pub *pb = &p->pub[g->pub[k]];
		char real[24], tot[24], share[24];
		int n = 0;
		for (int d = 1; d <= 31; d++) n += days[k + 1][d] == 1;
		num(n, real);
		num(bo.total[k + 1], tot);
		num(bo.pub_share[k], share);
		const char *ko[] = {pb->payer, strncmp(pb->payer, "30", 2) ? pb->recipient : "", "", real, tot,
				    bo.pub_share_recorded[k] ? share : "", ""};
		put(e, "KO", ko, 7, err);
		if (bo.pub_share_recorded[k] && cap_left[g->pub[k]] >= 0)
			cap_left[g->pub[k]] -= bo.pub_share[k];
	}
	/* SN: the insurer's 枝番 when known (SN 枝番 エ/オ: omitted for 後期 and 公費) */
	if (c && c->branch[0] && c->kind != HK_INS_KOUKI) {
		const char *sn[] = {"1", "01", "", "", "", c->branch, "", ""};
		put(e, "SN", sn, 8, err);
	}
	/* JD: one per payer, ascending 負担者種別 */
	for (int s = 0; s < HK_PAYER_SLOTS; s++) {
		char dd[31][2];
		const char *jd[32];
		bool any = false;
		if ((s == 0 && !c) || (s > 0 && s > g->npub))
			continue;
		num(s + 1, b[2]); /* 別表23: 1 医療保険, 2-5 第1-第4公費 */
		jd[0] = b[2];
		for (int d = 1; d <= 31; d++) {
			dd[d - 1][0] = days[s][d] ? (char)('0' + days[s][d]) : '\0';
			dd[d - 1][1] = '\0';
			jd[d] = dd[d - 1];
			any |= days[s][d] != 0;
		}
		if (any)
			put(e, "JD", jd, 32, err);
	}
	/* MF: 窓口負担額区分 (needed for 振替・分割 above the amount thresholds) */
	if (c) {
		const char *mf[32];
		mf[0] = bo.window;
		for (int i = 1; i < 32; i++) mf[i] = "";
		put(e, "MF", mf, 32, err);
	}
	/* IH: each ordering institution and doctor, HJ: each instruction of the month */
	for (int i = 0; i < p->nins; i++) {
		bool dup = false;
		char last8[9];
		for (int j = 0; j < i && !dup; j++)
			dup = !strcmp(p->ins[i].code, p->ins[j].code) && !strcmp(p->ins[i].doctor, p->ins[j].doctor) &&
			      !strcmp(p->ins[i].name, p->ins[j].name);
		if (dup)
			continue;
		d8(p->ins[i].last_report, last8);
		{
			char doctor[400], iname[400];
			hk_one_width(p->ins[i].doctor, doctor, sizeof(doctor));
			hk_to_fullwidth(p->ins[i].name, iname, sizeof(iname));
			const char *ih[] = {p->ins[i].pref, p->ins[i].table, p->ins[i].code, iname, doctor, last8};
			put(e, "IH", ih, 6, err);
		}
	}
	for (int i = 0; i < p->nins; i++) {
		char f8[9], t8[9];
		hk_date_fmt8(p->ins[i].from, f8);
		hk_date_fmt8(p->ins[i].to, t8);
		const char *hj[] = {p->ins[i].kind, f8, t8};
		put(e, "HJ", hj, 3, err);
	}
	/* JS: from the latest instruction of the month */
	if (p->nins > 0) {
		int li = 0;
		char gd[9] = "";
		for (int i = 1; i < p->nins; i++)
			if (hk_date_cmp(p->ins[i].from, p->ins[li].from) >= 0) li = i;
		if (gaf_needed && p->gaf[0] && strcmp(p->gaf, "20"))
			d8(p->gaf_date, gd);
		char cond[4096 * 2];
		hk_to_fullwidth(p->ins[li].condition, cond, sizeof(cond));
		const char *js[] = {cond, p->ins[li].flag, p->ins[li].diseases,
				    gaf_needed ? p->gaf : "", gaf_needed ? gd : ""};
		put(e, "JS", js, 5, err);
	}
	/* SY: each distinct disease */
	for (int i = 0; i < p->nins; i++) {
		bool dup = false, uncoded = !strcmp(p->ins[i].disease_code, "0000999");
		for (int j = 0; j < i && !dup; j++)
			dup = !strcmp(p->ins[i].disease_code, p->ins[j].disease_code) &&
			      !strcmp(p->ins[i].disease_name, p->ins[j].disease_name);
		if (dup)
			continue;
		char dname[400] = "";
		if (uncoded)
			hk_to_fullwidth(p->ins[i].disease_name, dname, sizeof(dname));
		const char *sy[] = {p->ins[i].disease_code, "", uncoded ? dname : "", ""};
		put(e, "SY", sy, 4, err);
	}
	/* RJ */
	{
		char vs[9], ed[9], et[5], dd[9], dt[5], fv[9], ptxt[400], etxt[100], dtxt[100];
		bool died = false, ended = false;
		struct hk_date dx;
		d8(p->visit_start, vs);
		if (!vs[0]) {
			hk_date_fmt8(p->v[0].date, fv);
			memcpy(vs, fv, 9);
		}
		if (p->death_date[0] && hk_date_parse(p->death_date, strlen(p->death_date), &dx))
			died = hk_date_cmp(dx, e->end) <= 0;
		if (p->end_date[0] && hk_date_parse(p->end_date, strlen(p->end_date), &dx))
			ended = hk_date_cmp(dx, e->end) <= 0;
		bool place99 = !strcmp(p->place, "99"), end99 = ended && !strcmp(p->end_reason, "99");
		bool death99 = died && !strcmp(p->death_place, "99");
		/* the texts only go with code 99 */
		ptxt[0] = etxt[0] = dtxt[0] = '\0';
		if (place99)
			hk_to_fullwidth(p->place_text, ptxt, sizeof(ptxt));
		if (end99)
			hk_to_fullwidth(p->end_text, etxt, sizeof(etxt));
		if (death99)
			hk_to_fullwidth(p->death_text, dtxt, sizeof(dtxt));
		d8(ended ? p->end_date : NULL, ed);
		t4(ended ? p->end_time : NULL, et);
		d8(died ? p->death_date : NULL, dd);
		t4(died ? p->death_time : NULL, dt);
		const char *rj[] = {vs, p->place[0] ? p->place : "01", place99 ? ptxt : "",
				    "", "", "", "", "", "",
				    ed, et, ended ? p->end_reason : "", end99 ? etxt : "",
				    dd, dt, died ? p->death_place : "",
				    death99 ? dtxt : "",
				    "", "", "", "", "", "", "", "", "", "", ""};
		put(e, "RJ", rj, 28, err);
	}
	/* TJ: 情報提供先 of the 情報提供療養費 lines */
	for (int i = 0; i < g->nline; i++) {
		const struct hk_ka *k = &fr->ka[g->line[i]];
		if (k->tj[0]) {
			const char *tj[] = {k->tj, "", "", ""};
			put(e, "TJ", tj, 4, err);
		}
	}
	/* KA */
	for (int i = 0; i < g->nline; i++) {
		const struct hk_ka *k = &fr->ka[g->line[i]];
		char dt[9], bc[2], qty[24], amt[24];
		if (k->date.y == e->start.y && k->date.m == e->start.m && k->date.d >= 1 && k->date.d <= 31) {
			/* hk_date_fmt8() of a day of the service month */
			memcpy(dt, svc6, 6);
			dt[6] = (char)('0' + k->date.d / 10);
			dt[7] = (char)('0' + k->date.d % 10);
			dt[8] = '\0';
		} else {
			hk_date_fmt8(k->date, dt);
		}
		bc[0] = burden_code(masks[i]);
		bc[1] = '\0';
		qty[0] = '\0';
		if (k->qty)
			num(k->qty, qty);
		num(k->amount, amt);
		const char *ka[] = {dt, bc, k->code, qty, amt, k->staff, k->count, k->instr};
		put(e, "KA", ka, 8, err);
	}
	(void)v;
	info->patient_id = p->id;
	info->patient_key = p->key;
	info->body = body;
	info->receipt_no = receipt_no;
	info->type = type;
	info->coverage_id = c ? c->id : 0;
	info->record_key = record_key;
	info->total = c ? bo.total[0] : bo.total[1];
	info->patient_share = bo.patient;
	info->service_month = e->month7;
	return 0;
}

/* ---- files --------------------------------------------------------------- */

/* The files are written in whole 1 MiB blocks past the page cache
 * (hk_pubfile_open_direct): hundreds of megabytes cost little CPU. */
static int out_write(struct sink *k, int body, const void *p, size_t n, struct hk_err *err)
{
	hk_sha256_update(k->sha[body], p, n);
	return hk_pubfile_write(&k->pf[body], p, n, err);
}

static int open_body(struct sink *k, int body, struct hk_err *err)
{
	char dir[HK_MAX_PATH], path[HK_MAX_PATH], sname[400];
	struct hk_uke_writer hw;
	struct hk_buf hb;
	char bs[2] = {(char)('0' + body), '\0'};
	int rc;
	hk_snprintf(dir, sizeof(dir), "%s/%d", k->o->out_dir, body);
	if (hk_mkdir_p(dir, 0755, err) < 0)
		return -1;
	hk_snprintf(path, sizeof(path), "%s/RECEIPTH.UKE", dir);
	if (hk_pubfile_open_direct(&k->pf[body], path, 0444, err) < 0)
		return -1;
	k->open[body] = true;
	k->sha[body] = hk_sha256_new();
	hk_buf_init(&hb, 0, NULL);
	hk_uke_writer_init(&hw, &hb, path, NULL, NULL);
	hk_to_fullwidth(k->station->name, sname, sizeof(sname));
	{
		const char *hm[] = {bs, k->station->pref, "6", k->station->code, sname, k->claim6, k->station->phone};
		rc = hk_uke_write(&hw, "HM", hm, 7, err);
	}
	if (rc == 0)
		rc = out_write(k, body, hb.data, hb.len, err);
	hk_buf_free(&hb);
	return rc;
}

static int close_bodies(struct sink *k, bool publish, struct hk_err *err)
{
	int rc = 0;
	for (int b = 1; b <= 2; b++) {
		struct hk_uke_writer gw;
		struct hk_buf gb;
		if (!k->open[b])
			continue;
		hk_buf_init(&gb, 0, NULL);
		hk_uke_writer_init(&gw, &gb, "GO", NULL, NULL);
		if (rc == 0 && (hk_uke_write(&gw, "GO", NULL, 0, err) < 0 || hk_uke_writer_finish(&gw, err) < 0))
			rc = -1;
		if (rc == 0)
			rc = out_write(k, b, gb.data, gb.len, err);
		hk_buf_free(&gb);
		hk_sha256_final(k->sha[b], k->st->sha256[b]);
		k->sha[b] = NULL;
		if (rc == 0 && publish) {
			rc = hk_pubfile_commit(&k->pf[b], err);
		} else if (rc == 0) {
			rc = hk_pubfile_finish(&k->pf[b], err); /* PATH.tmp left for the caller, synced */
		} else {
			hk_pubfile_abort(&k->pf[b]);
		}
		k->open[b] = false;
	}
	return rc;
}

static void abort_bodies(struct sink *k)
{
	for (int b = 1; b <= 2; b++)
		if (k->open[b]) {
			hk_pubfile_abort(&k->pf[b]);
			if (k->sha[b]) {
				char x[65];
				hk_sha256_final(k->sha[b], x);
				k->sha[b] = NULL;
			}
			k->open[b] = false;
		}
}

/* hk_snprintf(dst, size, "%s", src) without the formatting. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A receipt accepted by a worker: kept in the chunk until its number is known. */
static int emit(struct engine *e, int body, const struct hk_receipt_info *info, struct hk_err *err)
{
	struct chunk *c = e->c;
	struct done_receipt *d;
	if (c->nr == c->ar) {
		c->ar = c->ar ? c->ar * 2 : 64;
		c->r = hk_realloc(c->r, (size_t)c->ar * sizeof(*c->r));
	}
	d = &c->r[c->nr];
	d->body = body;
	d->off = c->bytes.len;
	d->len = e->rec.len;
	d->patient_id = info->patient_id;
	d->coverage_id = info->coverage_id;
	copy_str(d->patient_key, sizeof(d->patient_key), info->patient_key);
	copy_str(d->type, sizeof(d->type), info->type);
	copy_str(d->record_key, sizeof(d->record_key), info->record_key);
	d->total = info->total;
	d->patient_share = info->patient_share;
	if (hk_buf_add(&c->bytes, e->rec.data, e->rec.len, err) < 0)
		return -1;
	c->nr++;
	return 0;
}

/* ---- one patient ----------------------------------------------------------- */

static int do_patient(struct engine *e, struct patient *p, struct hk_err *err)
{
	struct hk_fee_instruction fi[MAX_ROWS];
	struct hk_fee_patient fp;
	struct hk_fee_station fs = {e->standards, e->nstandards, e->station.special_area, e->station.online_elig};
	struct hk_fee_ctx fc;
	struct hk_fee_result fr;
	struct group g[MAX_GROUPS];
	long cap_left[MAX_ROWS];
	int ng = 0, rc = 0;
	struct hk_date death;

	memset(&fp, 0, sizeof(fp));
	fp.birth = p->birth;
	fp.consent_24h = p->consent_24h;
	if (p->death_date[0] && hk_date_parse(p->death_date, strlen(p->death_date), &death)) {
		fp.has_death = true;
		fp.death = death;
	}
	for (int i = 0; i < p->nins; i++) {
		memcpy(fi[i].kind, p->ins[i].kind, 3);
		fi[i].from = p->ins[i].from;
		fi[i].to = p->ins[i].to;
		for (size_t k = 0; p->ins[i].flag[k] && p->ins[i].flag[k + 1]; k += 2) {
			if (!strncmp(p->ins[i].flag + k, "01", 2)) fp.beppyo7 = true;
			if (!strncmp(p->ins[i].flag + k, "02", 2)) fp.beppyo8 = true;
		}
		for (size_t k = 0; p->ins[i].diseases[k] && p->ins[i].diseases[k + 1] && p->ins[i].diseases[k + 2]; k += 3)
			if (!strncmp(p->ins[i].diseases + k, "091", 3) || !strncmp(p->ins[i].diseases + k, "092", 3))
				fp.severe_child = true;
	}
	/* visits held back: no valid coverage on the date (station setting) */
	if (e->station.hold_unconfirmed) {
		int w = 0;
		for (int i = 0; i < p->nv; i++) {
			enum hk_visit_elig state;
			bool held = false;
			if (hk_elig_visit_state(e->db, p->v[i].id, &state, &held, err) < 0)
				return -1;
			if (held) {
				report(e, "patient %s: %04d-%02d-%02d: visit held back: %s", p->key, p->v[i].date.y,
				       p->v[i].date.m, p->v[i].date.d,
				       state == HK_VISIT_NO_COVERAGE ? "no coverage valid on the date"
								    : "coverage not confirmed online this month");
				e->c->held++;
				continue;
			}
			p->v[w++] = p->v[i];
		}
		p->nv = w;
		if (p->nv == 0)
			return 0;
	}
	memset(&fc, 0, sizeof(fc));
	fc.master = e->m;
	fc.station = &fs;
	fc.patient = &fp;
	fc.instr = fi;
	fc.ninstr = p->nins;
	fc.year = e->o->year;
	fc.month = e->o->month;
	fc.prior_week_days = p->prior_week_days;
	if (hk_fees_derive(&fc, p->v, p->nv, &fr, err) < 0)
		return -1;
	for (int i = 0; i < fr.nnotes; i++) {
		const struct hk_fee_note *n = &fr.notes[i];
		report(e, "patient %s: %04d-%02d-%02d: %s%s%s", p->key, n->date.y, n->date.m, n->date.d,
		       n->code[0] ? n->code : "", n->code[0] ? ": " : "", n->msg);
	}
	e->c->notes += fr.nnotes;
	for (int i = 0; i < p->npub; i++)
		cap_left[i] = p->pub[i].cap;
	/* split the lines into receipts by insurance coverage */
	for (int i = 0; i < fr.nka; i++) {
		const struct hk_ka *k = &fr.ka[i];
		int ci = cov_on(p, k->date), gi;
		bool anypub = false;
		for (int j = 0; j < p->npub; j++)
			anypub |= in_range(k->date, p->pub[j].from, p->pub[j].to);
		if (ci < 0 && !anypub) {
			report(e, "patient %s: %04d-%02d-%02d: %s: no insurance or 公費 valid on this day; not claimed",
			       p->key, k->date.y, k->date.m, k->date.d, k->code);
			e->c->notes++;
			continue;
		}
		for (gi = 0; gi < ng && g[gi].cov != ci; gi++)
			;
		if (gi == ng) {
			if (ng == MAX_GROUPS) {
				report(e, "patient %s: more than %d receipts in one month; the rest not claimed", p->key,
				       MAX_GROUPS);
				continue;
			}
			memset(&g[ng], 0, sizeof(g[ng]));
			g[ng].cov = ci;
			ng++;
		}
		if (g[gi].nline < MAX_VISITS)
			g[gi].line[g[gi].nline++] = i;
	}
	for (int gi = 0; gi < ng && rc == 0; gi++) {
		struct group *gr = &g[gi];
		struct hk_receipt_info info = {0};
		struct hk_check_opts co = {HK_UKE_STRICT, e->m, NULL};
		struct hk_check_stats cs;
		char type[5], rkey[24];
		int body;
		/* 公費 of the receipt: those valid on any of its days, in KO order */
		for (int j = 0; j < p->npub; j++) {
			bool used = false;
			for (int l = 0; l < gr->nline && !used; l++)
				used = in_range(fr.ka[gr->line[l]].date, p->pub[j].from, p->pub[j].to);
			if (!used)
				continue;
			if (gr->npub == 4) {
				report(e, "patient %s: more than four 公費 in one receipt; %s left out", p->key, p->pub[j].payer);
				continue;
			}
			gr->pub[gr->npub++] = j;
		}
		for (int a = 1; a < gr->npub; a++)
			for (int b2 = a; b2 > 0 && cmp_pub_order(p, gr->pub[b2 - 1], gr->pub[b2]) > 0; b2--) {
				int t = gr->pub[b2]; gr->pub[b2] = gr->pub[b2 - 1]; gr->pub[b2 - 1] = t;
			}
		if (gr->cov < 0 && gr->npub == 0)
			continue;
		body = gr->cov >= 0 ? hk_route_body(p->cov[gr->cov].kind, NULL)
				    : hk_route_body(HK_INS_NONE, p->pub[gr->pub[0]].payer);
		e->receipt_error = false;
		e->receipt_warnings = 0;
		/* rendered and checked as レセプト番号 1; the consumer numbers it */
		if (render(e, p, gr, gi, &fr, cap_left, 1, &info, type, rkey, err) < 0) {
			e->receipt_error = true;
			hk_snprintf(e->receipt_error_msg, sizeof(e->receipt_error_msg), "%s", err->msg);
			hk_err_clear(err);
		}
		if (!e->receipt_error) {
			if (hk_check_receipt_mem(e->rec.data, e->rec.len, p->key, e->claim6, 1, &co,
						 diag_cb, e, &cs, err) < 0) {
				rc = -1;
				break;
			}
		}
		e->c->warnings += e->receipt_warnings;
		if (e->receipt_error) {
			report(e, "patient %s: receipt stopped (%s, %s): %s", p->key,
			       gr->cov >= 0 ? p->cov[gr->cov].insurer : "公費", e->month7, e->receipt_error_msg);
			e->c->stopped++;
			continue;
		}
		(void)body;
		if (emit(e, info.body, &info, err) < 0) {
			rc = -1;
			break;
		}
	}
	hk_fee_result_free(&fr);
	return rc;
}

static int load_standards(struct engine *e, struct hk_err *err)
{
	sqlite3_stmt *st;
	int rc;
	if (hk_db_prepare(e->db, "SELECT DISTINCT code FROM station_standard WHERE valid_from <= ?2"
				 " AND (valid_to IS NULL OR valid_to >= ?1) ORDER BY code", &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, e->start_s, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->end_s, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && e->nstandards < (int)HK_ARRAY_LEN(e->standards))
		e->standards[e->nstandards++] = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return hk_db_fail(e->db, err, "reading 施設基準");
	return 0;
}

/* ---- the driver: chunks of patients, workers, in-order consumption -------- */

#define CHUNK_PATIENTS 256   /* patients per chunk */
#define SLOTS 6              /* chunks in flight (bounds memory) */
#define MAX_THREADS 8

struct shared {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const long long *ids;
	long nids, nchunks;
	long next;                   /* next chunk to hand out */
	long consumed;               /* chunks consumed so far */
	struct chunk slot[SLOTS];
	int state[SLOTS];            /* 0 free, 1 being produced, 2 produced */
	bool stop;
	/* for the workers' setup */
	const char *db_path;
	const struct engine *proto;
};

static void chunk_reset(struct chunk *c)
{
	hk_buf_reset(&c->bytes);
	hk_buf_reset(&c->report);
	c->nr = 0;
	c->patients = c->stopped = c->notes = c->held = c->warnings = 0;
	c->rc = 0;
	hk_err_clear(&c->err);
}

/* Produce one chunk with worker e. */
static void produce(struct engine *e, struct chunk *c)
{
	int r;
	e->c = c;
	bind_range(e, c->lo, c->hi);
	while ((r = sqlite3_step(e->q_pat)) == SQLITE_ROW) {
		if (load_patient(e, e->p, &c->err) < 0) {
			c->rc = -1;
			return;
		}
		/* only patients with a visit in the month have a receipt */
		if (e->p->nv == 0)
			continue;
		if (do_patient(e, e->p, &c->err) < 0) {
			c->rc = -1;
			return;
		}
		c->patients++;
	}
	if (r != SQLITE_DONE) {
		hk_db_fail(e->db, &c->err, "reading patients");
		c->rc = -1;
	}
}

/* Number, write and record a chunk's receipts, in order. */
static int consume(struct sink *k, struct chunk *c, struct hk_err *err)
{
	if (c->rc < 0) {
		*err = c->err;
		return -1;
	}
	if (k->o->report && c->report.len)
		fwrite(c->report.data, 1, c->report.len, k->o->report);
	k->st->patients += c->patients;
	k->st->stopped += c->stopped;
	k->st->notes += c->notes;
	k->st->held += c->held;
	k->st->warnings += c->warnings;
	for (int i = 0; i < c->nr; i++) {
		struct done_receipt *d = &c->r[i];
		const char *rec = c->bytes.data + d->off;
		struct hk_receipt_info info;
		char re[24];
		int n;
		if (!k->open[d->body] && open_body(k, d->body, err) < 0)
			return -1;
		/* "RE,1," becomes "RE,<n>," (レセプト番号 in file order, 記録条件仕様 RE) */
		if (d->len < 5 || memcmp(rec, "RE,1,", 5) != 0)
			return hk_err_set(err, HK_EXIT_INTERNAL, "receipt of %s does not start with RE,1,", d->patient_key);
		/* "RE,%ld," */
		memcpy(re, "RE,", 3);
		n = 3 + (int)strlen(num(k->next_no[d->body], re + 3));
		re[n++] = ',';
		if (out_write(k, d->body, re, (size_t)n, err) < 0 ||
		    out_write(k, d->body, rec + 5, d->len - 5, err) < 0)
			return -1;
		memset(&info, 0, sizeof(info));
		info.patient_id = d->patient_id;
		info.patient_key = d->patient_key;
		info.body = d->body;
		info.receipt_no = k->next_no[d->body]++;
		info.type = d->type;
		info.coverage_id = d->coverage_id;
		info.record_key = d->record_key;
		info.total = d->total;
		info.patient_share = d->patient_share;
		info.service_month = k->month7;
		k->st->receipts[d->body]++;
		k->st->amount[d->body] += d->total;
		if (k->o->charges) {
			/* fprintf "%s,%s,%d,%ld,%s,%ld,%ld\n" of key, month, body, number,
			 * type, total and share, without the formatting */
			char nb[4][24], line[sizeof(d->patient_key) + sizeof(d->type) + 7 * 24];
			const char *parts[7] = {d->patient_key, k->month7, num(d->body, nb[0]), num(info.receipt_no, nb[1]),
						d->type, num(d->total, nb[2]), num(d->patient_share, nb[3])};
			size_t o = 0;
			for (int f = 0; f < 7; f++) {
				size_t len = strlen(parts[f]);
				memcpy(line + o, parts[f], len);
				o += len;
				line[o++] = f < 6 ? ',' : '\n';
			}
			fwrite(line, 1, o, k->o->charges);
		}
		if (k->cb && k->cb(k->cb_ctx, &info, err) < 0)
			return -1;
	}
	return 0;
}

static int engine_open(struct engine *e, const struct engine *proto, const char *db_path, struct hk_err *err)
{
	*e = *proto;
	e->db = NULL;
	e->p = hk_calloc(1, sizeof(*e->p));
	hk_buf_init(&e->p->arena, 1 << 20, "visit items of one patient");
	hk_buf_init(&e->rec, HK_MAX_RECEIPT_BYTES, "HK_MAX_RECEIPT_BYTES");
	hk_buf_init(&e->prior_date, 0, NULL);
	hk_uke_writer_init(&e->w, &e->rec, "receipt", diag_cb, e);
	if (sqlite3_open_v2(db_path, &e->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return hk_err_set(err, HK_EXIT_IO, "%s: cannot open for reading: %s", db_path, sqlite3_errmsg(e->db));
	sqlite3_busy_timeout(e->db, 10000);
	/* one read transaction: every chunk sees the same committed state */
	if (hk_db_exec(e->db, "BEGIN", err) < 0)
		return -1;
	return prepare_all(e, err);
}

static void engine_close(struct engine *e)
{
	finalize_all(e);
	if (e->db) {
		sqlite3_exec(e->db, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(e->db);
	}
	if (e->p) {
		hk_buf_free(&e->p->arena);
		hk_free(e->p);
	}
	hk_buf_free(&e->rec);
	hk_buf_free(&e->prior_date);
}

static void *worker_main(void *arg)
{
	struct shared *sh = arg;
	struct engine e;
	struct hk_err err = {0};
	bool ok;
	memset(&e, 0, sizeof(e));
	ok = engine_open(&e, sh->proto, sh->db_path, &err) == 0;
	for (;;) {
		long ci;
		int s;
		pthread_mutex_lock(&sh->mu);
		while (!sh->stop && sh->next < sh->nchunks && sh->state[sh->next % SLOTS] != 0)
			pthread_cond_wait(&sh->cv, &sh->mu);
		if (sh->stop || sh->next >= sh->nchunks) {
			pthread_mutex_unlock(&sh->mu);
			break;
		}
		ci = sh->next++;
		s = (int)(ci % SLOTS);
		sh->state[s] = 1;
		pthread_mutex_unlock(&sh->mu);

		chunk_reset(&sh->slot[s]);
		sh->slot[s].index = ci;
		sh->slot[s].lo = sh->ids[ci * CHUNK_PATIENTS];
		sh->slot[s].hi = sh->ids[(ci + 1) * CHUNK_PATIENTS < sh->nids ? (ci + 1) * CHUNK_PATIENTS - 1 : sh->nids - 1];
		if (ok) {
			produce(&e, &sh->slot[s]);
		} else {
			sh->slot[s].rc = -1;
			sh->slot[s].err = err;
		}
		pthread_mutex_lock(&sh->mu);
		sh->state[s] = 2;
		pthread_cond_broadcast(&sh->cv);
		pthread_mutex_unlock(&sh->mu);
	}
	engine_close(&e);
	return NULL;
}

/* Worker threads: HOUKAN_THREADS if set (1-8), else the online CPUs (at most 8). */
static int thread_count(void)
{
	const char *env = getenv("HOUKAN_THREADS");
	long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

/* Every patient's id, ascending: the chunks are ranges of these, and produce()
 * skips the patients without a visit in the month (q_vis has no row for
 * them).  A walk of the patient table's rowids: asking which patients have a
 * visit in the month first was a seek into the visit index per patient, on
 * this thread before any worker could start (0.3-0.9 s at 500,000 patients). */
static int patient_ids(struct engine *e, long long **ids, long *n, struct hk_err *err)
{
	sqlite3_stmt *st;
	long a = 1024;
	int rc;
	*n = 0;
	*ids = hk_malloc((size_t)a * sizeof(**ids));
	if (hk_db_prepare(e->db, "SELECT id FROM patient ORDER BY id", &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == a) {
			a *= 2;
			*ids = hk_realloc(*ids, (size_t)a * sizeof(**ids));
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return hk_db_fail(e->db, err, "listing the patients");
	return 0;
}

int hk_claim_engine(sqlite3 *db, const struct hk_master *m, const struct hk_build_opts *o,
		    hk_receipt_fn cb, void *ctx, struct hk_build_stats *st, struct hk_err *err)
{
	struct engine proto;
	struct sink k;
	struct shared *sh = hk_calloc(1, sizeof(*sh));
	pthread_t th[MAX_THREADS];
	struct hk_progress prog;
	long long *ids = NULL;
	long nids = 0;
	int nth = 0, rc = -1;
	const char *path;

	memset(&proto, 0, sizeof(proto));
	memset(&k, 0, sizeof(k));
	proto.db = db;
	proto.m = m;
	proto.o = o;
	proto.start = (struct hk_date){o->year, o->month, 1};
	proto.end = (struct hk_date){o->year, o->month, hk_days_in_month(o->year, o->month)};
	hk_date_fmt10(proto.start, proto.start_s);
	hk_date_fmt10(proto.end, proto.end_s);
	hk_date_fmt10(hk_days_to_date(hk_date_to_days(proto.start) - 6), proto.wk_s);
	hk_date_fmt10(hk_days_to_date(hk_date_to_days(proto.start) - 1), proto.prev_s);
	proto.start_n = strlen(proto.start_s);
	proto.prev_n = strlen(proto.prev_s);
	hk_snprintf(proto.claim6, sizeof(proto.claim6), "%04d%02d", o->claim_year, o->claim_month);
	hk_snprintf(proto.month7, sizeof(proto.month7), "%04d-%02d", o->year, o->month);
	hk_snprintf(proto.svc6, sizeof(proto.svc6), "%04d%02d", o->year, o->month);
	hk_snprintf(proto.key_month, sizeof(proto.key_month), "-%02d%02d", o->year % 100, o->month);
	find_gaf_codes(&proto);
	k.o = o;
	k.st = st;
	k.station = &proto.station;
	k.claim6 = proto.claim6;
	k.month7 = proto.month7;
	k.cb = cb;
	k.cb_ctx = ctx;
	k.next_no[1] = k.next_no[2] = 1;
	pthread_mutex_init(&sh->mu, NULL);
	pthread_cond_init(&sh->cv, NULL);
	for (int i = 0; i < SLOTS; i++) {
		hk_buf_init(&sh->slot[i].bytes, 0, NULL);
		hk_buf_init(&sh->slot[i].report, 0, NULL);
	}
	if (hk_station_load(db, &proto.station, err) < 0 || load_standards(&proto, err) < 0 ||
	    patient_ids(&proto, &ids, &nids, err) < 0)
		goto out;
	path = sqlite3_db_filename(db, "main");
	if (!path || !*path) {
		hk_err_set(err, HK_EXIT_INTERNAL, "the claim run needs a database file, not an in-memory one");
		goto out;
	}
	sh->ids = ids;
	sh->nids = nids;
	sh->nchunks = (nids + CHUNK_PATIENTS - 1) / CHUNK_PATIENTS;
	sh->db_path = path;
	sh->proto = &proto;
	nth = thread_count();
	if (nth > sh->nchunks)
		nth = (int)sh->nchunks;
	for (int i = 0; i < nth; i++)
		if (pthread_create(&th[i], NULL, worker_main, sh) != 0) {
			hk_err_set(err, HK_EXIT_INTERNAL, "cannot start a worker thread");
			nth = i;
			goto stop;
		}
	hk_progress_start(&prog, "building receipts", o->quiet ? 0 : nids);
	for (long ci = 0; ci < sh->nchunks; ci++) {
		int s = (int)(ci % SLOTS), r;
		pthread_mutex_lock(&sh->mu);
		while (sh->state[s] != 2 || sh->slot[s].index != ci)
			pthread_cond_wait(&sh->cv, &sh->mu);
		pthread_mutex_unlock(&sh->mu);
		r = consume(&k, &sh->slot[s], err);
		/* patients looked at, of all of them (nids) */
		hk_progress_step(&prog, (ci + 1) * CHUNK_PATIENTS < nids ? CHUNK_PATIENTS : nids - ci * CHUNK_PATIENTS);
		pthread_mutex_lock(&sh->mu);
		sh->state[s] = 0;
		sh->consumed++;
		pthread_cond_broadcast(&sh->cv);
		pthread_mutex_unlock(&sh->mu);
		if (r < 0)
			goto stop;
	}
	hk_progress_end(&prog);
	if (close_bodies(&k, cb == NULL, err) < 0)
		goto stop;
	rc = 0;
stop:
	pthread_mutex_lock(&sh->mu);
	sh->stop = true;
	pthread_cond_broadcast(&sh->cv);
	pthread_mutex_unlock(&sh->mu);
	for (int i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
out:
	if (rc < 0)
		abort_bodies(&k);
	for (int i = 0; i < SLOTS; i++) {
		hk_buf_free(&sh->slot[i].bytes);
		hk_buf_free(&sh->slot[i].report);
		hk_free(sh->slot[i].r);
	}
	pthread_mutex_destroy(&sh->mu);
	pthread_cond_destroy(&sh->cv);
	hk_free(sh);
	hk_free(ids);
	return rc;
}
