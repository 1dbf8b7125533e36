#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "tests/unit/harness.h"
#include "claims/db.h"
#include "claims/import.h"
#include "claims/records.h"
#include "claims/station.h"

static sqlite3 *fresh_db(const char *name)
{
	struct hk_err err = {0};
	struct hk_station s = {"1312345", "13", "架空", "", 3, 1, 0, 0, 0};
	sqlite3 *db = NULL;
	const char *path = hk_test_path(name);
	unlink(path);
	if (hk_db_open(path, HK_DB_CREATE_NEW, &db, &err) < 0 || hk_station_insert(db, &s, &err) < 0) {
		fprintf(stderr, "fresh_db: %s\n", err.msg);
		hk_db_close(db);
		return NULL;
	}
	return db;
}

static const char *write_file(const char *name, const char *text)
{
	const char *path = hk_test_path(name);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static int count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;
	sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

TEST(records_put_added_updated_unchanged)
{
	struct hk_err err = {0};
	struct hk_records *r = NULL;
	struct hk_val v[HK_PAT__N];
	enum hk_put_result res;
	long long id1, id2;
	sqlite3 *db = fresh_db("rec.db");
	CHECK(db);
	CHECK(hk_records_open(db, &r, &err) == 0);
	for (int i = 0; i < HK_PAT__N; i++)
		v[i] = hk_vnull();
	v[HK_PAT_KEY] = hk_vtext("K1");
	v[HK_PAT_NAME] = hk_vtext("試験 太郎");
	v[HK_PAT_SEX] = hk_vint(1);
	v[HK_PAT_BIRTH] = hk_vtext("1950-01-01");
	v[HK_PAT_PLACE] = hk_vtext("01");
	v[HK_PAT_CONSENT_24H] = hk_vint(0);
	CHECK(hk_rec_put(r, HK_T_PATIENT, v, &id1, &res, &err) == 0);
	CHECK_INT(res, HK_PUT_ADDED);
	CHECK(hk_rec_put(r, HK_T_PATIENT, v, &id2, &res, &err) == 0);
	CHECK_INT(res, HK_PUT_UNCHANGED);
	CHECK(id1 == id2);
	v[HK_PAT_KANA] = hk_vtext("シケンタロウ");   /* NULL -> text */
	CHECK(hk_rec_put(r, HK_T_PATIENT, v, &id2, &res, &err) == 0);
	CHECK_INT(res, HK_PUT_UPDATED);
	CHECK(id1 == id2);
	v[HK_PAT_KANA] = hk_vnull();                 /* text -> NULL is a change too */
	CHECK(hk_rec_put(r, HK_T_PATIENT, v, NULL, &res, &err) == 0);
	CHECK_INT(res, HK_PUT_UPDATED);
	CHECK(hk_patient_lookup(r, "K1", &id2, &err) == 1 && id2 == id1);
	CHECK(hk_patient_lookup(r, "K2", &id2, &err) == 0);
	CHECK_INT(count(db, "SELECT count(*) FROM patient WHERE kana IS NULL"), 1);
	hk_records_close(r);
	hk_db_close(db);
}

TEST(import_library_counts_and_diagnostics)
{
	struct hk_err err = {0};
	struct hk_import_result res;
	sqlite3 *db = fresh_db("imp.db");
	const char *good = write_file("good.csv", "\xEF\xBB\xBFpatient_key,sex,name,birth\r\n"
						  "A1,1,試験 一郎,1940-01-01\r\n\r\nA2,2,試験 花子,1941-02-03\r\n");
	const char *bad = write_file("bad.csv", "patient_key,sex,name,birth\n"
						"A3,2,試験 三子,1942-03-04\n"
						"A4,9,試験 四郎,1943-13-01\n");
	CHECK(db);
	hk_import_result_init(&res);
	CHECK(hk_import_file(db, HK_IMPORT_PATIENTS, good, "good.csv", &res, &err) == 0);
	CHECK_INT(res.rows, 2);   /* BOM, CRLF and a blank line are fine */
	CHECK_INT(res.added, 2);
	CHECK_INT(res.diag.len, 0);
	CHECK_INT(count(db, "SELECT count(*) FROM import_log WHERE kind = 'patients' AND rows = 2"), 1);
	hk_import_result_free(&res);

	hk_import_result_init(&res);
	CHECK(hk_import_file(db, HK_IMPORT_PATIENTS, bad, "bad.csv", &res, &err) == -1);
	CHECK_INT(err.code, HK_EXIT_INPUT);
	CHECK_INT(res.errors, 2);
	CHECK_STR(hk_buf_cstr(&res.diag), "bad.csv:3:2: sex: '9' is not a code of 別表5 (1 男, 2 女)\n"
					  "bad.csv:3:4: birth: '1943-13-01' is not a date (YYYY-MM-DD)\n");
	/* the good row on line 2 was not written either */
	CHECK_INT(count(db, "SELECT count(*) FROM patient"), 2);
	CHECK_INT(count(db, "SELECT count(*) FROM audit_log WHERE result LIKE 'rejected%'"), 1);
	hk_import_result_free(&res);
	hk_db_close(db);
}

TEST(import_kind_names)
{
	enum hk_import_kind k;
	CHECK(hk_import_kind_parse("visits", &k) == 0 && k == HK_IMPORT_VISITS);
	CHECK(hk_import_kind_parse("visit", &k) < 0);
	CHECK_STR(hk_import_kind_name(HK_IMPORT_COVERAGES), "coverages");
}

TEST(import_visit_specialist_flag)
{
	struct hk_err err = {0};
	struct hk_import_result res;
	sqlite3 *db = fresh_db("spec.db");
	const char *pats = write_file("spec_p.csv", "patient_key,sex,name,birth\nS1,1,試験 一郎,1940-01-01\n");
	const char *good = write_file("spec_v.csv", "patient_key,date,start_time,end_time,staff,specialist\n"
						     "S1,2024-06-03,10:00,11:00,08,1\n"
						     "S1,2024-06-04,10:00,11:00,03,\n");
	const char *nocol = write_file("spec_n.csv", "patient_key,date,start_time,end_time,staff\n"
						      "S1,2024-06-05,10:00,11:00,03\n");
	const char *bad = write_file("spec_b.csv", "patient_key,date,start_time,end_time,staff,specialist\n"
						    "S1,2024-06-06,10:00,11:00,08,2\n");
	CHECK(db);
	hk_import_result_init(&res);
	CHECK(hk_import_file(db, HK_IMPORT_PATIENTS, pats, "spec_p.csv", &res, &err) == 0);
	hk_import_result_free(&res);
	hk_import_result_init(&res);
	CHECK(hk_import_file(db, HK_IMPORT_VISITS, good, "spec_v.csv", &res, &err) == 0);
	CHECK_INT(res.added, 2);
	hk_import_result_free(&res);
	hk_import_result_init(&res);
	CHECK(hk_import_file(db, HK_IMPORT_VISITS, nocol, "spec_n.csv", &res, &err) == 0);
	CHECK_INT(res.added, 1);
	hk_import_result_free(&res);
	/* accepted (1), defaulted (empty field, no column) */
	CHECK_INT(count(db, "SELECT count(*) FROM visit WHERE date = '2024-06-03' AND specialist = 1"), 1);
	CHECK_INT(count(db, "SELECT count(*) FROM visit WHERE date = '2024-06-04' AND specialist = 0"), 1);
	CHECK_INT(count(db, "SELECT count(*) FROM visit WHERE date = '2024-06-05' AND specialist = 0"), 1);
	/* refused with file, line and field */
	hk_import_result_init(&res);
	CHECK(hk_import_file(db, HK_IMPORT_VISITS, bad, "spec_b.csv", &res, &err) == -1);
	CHECK_INT(res.errors, 1);
	CHECK(strstr(hk_buf_cstr(&res.diag), "spec_b.csv:2:6: specialist: '2'") != NULL);
	CHECK_INT(count(db, "SELECT count(*) FROM visit WHERE date = '2024-06-06'"), 0);
	hk_import_result_free(&res);
	hk_db_close(db);
}
