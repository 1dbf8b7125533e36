/* t_returns_ingest.c - the 増減点 ingest (switchover/returns_ingest.c) against
 * a model of its rules, on a file large enough that the batched writes and
 * the reader thread cross many batch and chunk boundaries: every row one item
 * (in line order, ids ascending), matched by 検索番号 or kept unmatched;
 * decided = coalesce(decided, total) + Σ amounts per receipt; one
 * receipt_state row per receipt that was not 'adjusted' yet, in the order
 * the receipts first appear.  A file that fails late changes nothing and the
 * error names its line and column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/harness.h"
#include "switchover/returns.h"
#include "claims/db.h"
#include "claims/station.h"

#define NREC 400        /* receipts in the station */
#define NRUN 1500       /* runs of rows (one receipt each) in the file */

struct model {
	long long decided[NREC + 1];
	int has_decided[NREC + 1];
	int adjusted[NREC + 1];         /* state 'adjusted' (at the start: as set up) */
	long long state_rid[NREC + 1];  /* receipt_state rows expected, in order */
	int nstates;
};

static sqlite3 *station(const char *name)
{
	struct hk_station s;
	struct hk_err err = {0};
	sqlite3 *db = NULL;
	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "1234567");
	snprintf(s.pref, sizeof(s.pref), "13");
	snprintf(s.name, sizeof(s.name), "テスト");
	s.mgmt_level = 3;
	s.mgmt_daily = 1;
	/* receipt i (1..NREC): total 1000 * i; every 7th already 'adjusted' with a decided amount,
	 * every 11th 'superseded' (never matched) */
	if (hk_db_open(hk_test_path(name), HK_DB_CREATE_NEW, &db, &err) < 0 || hk_station_insert(db, &s, &err) < 0 ||
	    hk_db_exec(db,
		       "INSERT INTO claim_run(id, service_month, claim_month, state, started)"
		       " VALUES (1, '2026-10', '2026-11', 'done', '2026-11-01T00:00:00Z');"
		       "INSERT INTO patient(id, patient_key, name, sex, birth) VALUES (1, 'P0001', 'a', 1, '1950-04-01');"
		       "INSERT INTO coverage(id, patient_id, insurer, number, kind, person, ratio, valid_from)"
		       " VALUES (1, 1, '01130012', '1', 'shaho', 'honnin', 30, '2020-04-01');"
		       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)"
		       " INSERT INTO receipt(id, run_id, patient_id, service_month, body, receipt_no, receipt_type,"
		       " coverage_id, record_key, search_no, total, patient_share, state, decided)"
		       " SELECT i, 1, 1, '2026-10', 1, i, '6112', 1, printf('P0001-2610%d', i),"
		       " printf('9%019d', i), 1000 * i, 0,"
		       " CASE WHEN i % 11 = 0 THEN 'superseded' WHEN i % 7 = 0 THEN 'adjusted' ELSE 'accepted' END,"
		       " CASE WHEN i % 7 = 0 THEN 1000 * i - 5 END FROM n;",
		       &err) < 0) {
		fprintf(stderr, "station: %s\n", err.msg);
		if (db)
			sqlite3_close(db);
		return NULL;
	}
	return db;
}

static unsigned rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7FFF;
}

/* Writes the file and fills the model; returns the number of rows (items), -1 on error.
 * bad_at > 0: row bad_at (1-based among the detail rows) has a bad 増減金額. */
static long write_file(const char *path, struct model *m, int bad_at)
{
	FILE *f = fopen(path, "wb");
	unsigned seed = 12345;
	long rows = 0, total = 0;
	if (!f)
		return -1;
	fputs("1,202611,1,,1234567\r\n2,TITLES\r\n", f); /* ASCII: the same in CP932 */
	for (int run = 0; run < NRUN; run++) {
		/* mostly in order, often back to an earlier receipt, sometimes one that does not exist */
		int i = rnd(&seed) % 4 == 0 ? 1 + (int)(rnd(&seed) % NREC) : 1 + run % NREC;
		int unknown = rnd(&seed) % 13 == 0;
		int n = 1 + (int)(rnd(&seed) % 5);
		int matched = !unknown && i % 11 != 0;
		for (int k = 0; k < n; k++) {
			long amount = -(long)(rnd(&seed) % 900) + 100;
			rows++;
			if (rows == bad_at)
				fprintf(f, "4,,,,,,,,,,,,,,,,,,,,,,12x,D,,KASAN,,,,\r\n");
			else if (k == 0)
				fprintf(f, "3,202610,%d,,,,,01130012,,,,,,,,,,,,,,,%ld,B,,KIHON,,%s,%s,\r\n",
					unknown ? 999999 : i, amount, rows % 3 ? "" : "AFTER",
					unknown ? "81234567890123456789" : "");
			else
				fprintf(f, "4,,,,,,,,,,,,,,,,,,,,,,%ld,D,,KASAN%d,,,,\r\n", amount, k);
			total += amount;
			if (!matched)
				continue;
			if (!m->has_decided[i]) {
				m->has_decided[i] = 1;
				m->decided[i] = 1000LL * i;
			}
			m->decided[i] += amount;
			if (!m->adjusted[i]) {
				m->adjusted[i] = 1;
				m->state_rid[m->nstates++] = i;
			}
		}
	}
	fprintf(f, "6,202611,%ld,%ld\r\n", rows, total);
	fclose(f);
	return rows;
}

/* Known receipts are named by 指定訪問看護年月 + レセプト番号 (the header's 処理年月 is
 * the claim month), unknown ones by a 検索番号 and a レセプト番号 that no receipt has. */
TEST(returns_ingest_batches_match_row_rules)
{
	struct model m;
	struct hk_res_ingest *in = NULL;
	struct hk_res_ingest_stats st;
	struct hk_err err = {0};
	sqlite3 *db = station("ri1.db");
	sqlite3_stmt *q = NULL;
	const char *path = hk_test_path("zogn_big.csv");
	long rows, k;
	int rc;
	CHECK(db != NULL);
	memset(&m, 0, sizeof(m));
	for (int i = 1; i <= NREC; i++) {
		m.adjusted[i] = i % 7 == 0 && i % 11 != 0;
		if (i % 7 == 0) {
			m.has_decided[i] = 1;
			m.decided[i] = 1000LL * i - 5;
		}
	}
	rows = write_file(path, &m, 0);
	CHECK(rows > 3 * 256);
	CHECK(hk_res_ingest_open(db, &in, &err) == 0);
	rc = hk_res_ingest_file(in, HK_NOTICE_ZOGEN, path, &st, &err);
	hk_res_ingest_close(in);
	if (rc < 0)
		fprintf(stderr, "ingest: %s\n", err.msg);
	CHECK_INT(rc, 0);
	CHECK_INT(st.items, rows);
	/* items: one per row, in line order */
	CHECK(hk_db_prepare(db, "SELECT line, receipt_id IS NOT NULL, raw IS NOT NULL, text FROM notice_item ORDER BY id",
			    &q, &err) == 0);
	k = 0;
	while (sqlite3_step(q) == SQLITE_ROW) {
		CHECK_INT(sqlite3_column_int64(q, 0), k + 3); /* header and title rows first */
		CHECK_INT(sqlite3_column_int(q, 2), !sqlite3_column_int(q, 1)); /* raw bytes only when unmatched */
		k++;
	}
	sqlite3_finalize(q);
	CHECK_INT(k, rows);
	/* decided amounts */
	CHECK(hk_db_prepare(db, "SELECT id, decided FROM receipt ORDER BY id", &q, &err) == 0);
	while (sqlite3_step(q) == SQLITE_ROW) {
		int i = sqlite3_column_int(q, 0);
		if (m.has_decided[i]) {
			if (sqlite3_column_int64(q, 1) != m.decided[i])
				fprintf(stderr, "receipt %d: decided %lld, want %lld\n", i, sqlite3_column_int64(q, 1),
					m.decided[i]);
			CHECK_INT(sqlite3_column_int64(q, 1), m.decided[i]);
		} else {
			CHECK_INT(sqlite3_column_type(q, 1), SQLITE_NULL);
		}
	}
	sqlite3_finalize(q);
	/* transitions: first appearance order, none for receipts already adjusted */
	CHECK(hk_db_prepare(db, "SELECT receipt_id, state FROM receipt_state ORDER BY id", &q, &err) == 0);
	k = 0;
	while (sqlite3_step(q) == SQLITE_ROW) {
		CHECK(k < m.nstates);
		CHECK_INT(sqlite3_column_int64(q, 0), m.state_rid[k]);
		CHECK_STR((const char *)sqlite3_column_text(q, 1), "adjusted");
		k++;
	}
	sqlite3_finalize(q);
	CHECK_INT(k, m.nstates);
	CHECK(m.nstates > 64);
	sqlite3_close(db);
}

TEST(returns_ingest_late_error_changes_nothing)
{
	struct model m;
	struct hk_res_ingest *in = NULL;
	struct hk_res_ingest_stats st;
	struct hk_err err = {0};
	sqlite3 *db = station("ri2.db");
	sqlite3_stmt *q = NULL;
	const char *path = hk_test_path("zogn_bad.csv");
	char want[64];
	long rows;
	int rc, bad = 2000;
	CHECK(db != NULL);
	memset(&m, 0, sizeof(m));
	rows = write_file(path, &m, bad);
	CHECK(rows > bad);
	CHECK(hk_res_ingest_open(db, &in, &err) == 0);
	rc = hk_res_ingest_file(in, HK_NOTICE_ZOGEN, path, &st, &err);
	hk_res_ingest_close(in);
	CHECK_INT(rc, -1);
	CHECK_INT(err.code, HK_EXIT_INPUT);
	snprintf(want, sizeof(want), "%s:%d: column 23", path, bad + 2);
	if (!strstr(err.msg, want))
		fprintf(stderr, "got: %s\nwant: %s\n", err.msg, want);
	CHECK(strstr(err.msg, want) != NULL);
	CHECK(strstr(err.msg, "増減金額") != NULL);
	CHECK(hk_db_prepare(db, "SELECT (SELECT count(*) FROM notice) + (SELECT count(*) FROM notice_item)"
			    " + (SELECT count(*) FROM receipt_state) + (SELECT count(*) FROM receipt WHERE decided IS NOT NULL"
			    " AND decided <> total - 5)", &q, &err) == 0);
	CHECK(sqlite3_step(q) == SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(q, 0), 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
}

/* A write that fails while the reader thread is far ahead (blocked on a full
 * pool): the write's error is the one reported, the reader stops, nothing is
 * kept.  The failure is a trigger on one item's line. */
TEST(returns_ingest_write_error_stops_reader)
{
	struct model m;
	struct hk_res_ingest *in = NULL;
	struct hk_res_ingest_stats st;
	struct hk_err err = {0};
	sqlite3 *db = station("ri3.db");
	sqlite3_stmt *q = NULL;
	const char *path = hk_test_path("zogn_trig.csv");
	long rows;
	int rc;
	CHECK(db != NULL);
	memset(&m, 0, sizeof(m));
	rows = write_file(path, &m, 0);
	CHECK(rows > 4000);
	CHECK(hk_db_exec(db, "CREATE TRIGGER boom BEFORE INSERT ON notice_item WHEN NEW.line = 100"
			 " BEGIN SELECT RAISE(ABORT, 'no item 100'); END;", &err) == 0);
	CHECK(hk_res_ingest_open(db, &in, &err) == 0);
	rc = hk_res_ingest_file(in, HK_NOTICE_ZOGEN, path, &st, &err);
	CHECK_INT(rc, -1);
	CHECK_STR(err.msg, "database: recording an item: no item 100");
	CHECK(hk_db_prepare(db, "SELECT (SELECT count(*) FROM notice) + (SELECT count(*) FROM notice_item)"
			    " + (SELECT count(*) FROM receipt_state) + (SELECT count(*) FROM receipt WHERE decided IS NOT NULL"
			    " AND decided <> total - 5)", &q, &err) == 0);
	CHECK(sqlite3_step(q) == SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(q, 0), 0);
	sqlite3_finalize(q);
	/* the same ingest object takes the file once the obstacle is gone */
	CHECK(hk_db_exec(db, "DROP TRIGGER boom", &err) == 0);
	rc = hk_res_ingest_file(in, HK_NOTICE_ZOGEN, path, &st, &err);
	hk_res_ingest_close(in);
	CHECK_INT(rc, 0);
	CHECK_INT(st.items, rows);
	sqlite3_close(db);
}
