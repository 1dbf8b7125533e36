#include <string.h>
#include "claims/station.h"
#include "claims/db.h"
#include "base/clock.h"
#include "base/csv.h"

static int digits(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789") == n;
}

int hk_station_validate(const struct hk_station *s, struct hk_err *err)
{
	int pref;
	if (!digits(s->code, 7))
		return hk_err_set(err, HK_EXIT_INPUT, "--station-code: '%s' is not 7 digits", s->code);
	pref = digits(s->pref, 2) ? (s->pref[0] - '0') * 10 + (s->pref[1] - '0') : 0;
	if (pref < 1 || pref > 47)
		return hk_err_set(err, HK_EXIT_INPUT, "--pref: '%s' is not a 都道府県 code 01-47 (別表2)", s->pref);
	if (!s->name[0])
		return hk_err_set(err, HK_EXIT_INPUT, "--name: must not be empty");
	if (!hk_utf8_valid(s->name, strlen(s->name)))
		return hk_err_set(err, HK_EXIT_INPUT, "--name: not valid UTF-8");
	if (strlen(s->phone) > 15 || strspn(s->phone, "0123456789-()") != strlen(s->phone))
		return hk_err_set(err, HK_EXIT_INPUT,
				  "--phone: '%s' must be at most 15 characters of digits, '-', '(' and ')'", s->phone);
	if (s->mgmt_level < 1 || s->mgmt_level > 3)
		return hk_err_set(err, HK_EXIT_INPUT, "--mgmt-level: must be 1, 2 or 3");
	if (s->mgmt_daily < 1 || s->mgmt_daily > 2)
		return hk_err_set(err, HK_EXIT_INPUT, "--mgmt-daily: must be 1 or 2");
	return 0;
}

int hk_station_insert(sqlite3 *db, const struct hk_station *s, struct hk_err *err)
{
	sqlite3_stmt *st;
	char now[21];
	int rc;
	if (hk_station_validate(s, err) < 0)
		return -1;
	hk_clock_fmt_iso(hk_clock_now(), now);
	if (hk_db_prepare(db, "INSERT INTO station(id, code, pref, name, phone, mgmt_level, mgmt_daily,"
			      " online_elig, special_area, hold_unconfirmed, created)"
			      " VALUES (1,?,?,?,?,?,?,?,?,?,?)", &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, s->code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, s->pref, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, s->name, -1, SQLITE_TRANSIENT);
	hk_db_bind_text(st, 4, s->phone, 1);
	sqlite3_bind_int(st, 5, s->mgmt_level);
	sqlite3_bind_int(st, 6, s->mgmt_daily);
	sqlite3_bind_int(st, 7, s->online_elig);
	sqlite3_bind_int(st, 8, s->special_area);
	sqlite3_bind_int(st, 9, s->hold_unconfirmed);
	sqlite3_bind_text(st, 10, now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return hk_db_fail(db, err, "inserting the station");
	return 0;
}

int hk_station_load(sqlite3 *db, struct hk_station *s, struct hk_err *err)
{
	sqlite3_stmt *st;
	memset(s, 0, sizeof(*s));
	if (hk_db_prepare(db, "SELECT code, pref, name, phone, mgmt_level, mgmt_daily, online_elig,"
			      " special_area, hold_unconfirmed FROM station WHERE id = 1", &st, err) < 0)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return hk_err_set(err, HK_EXIT_IO, "database: no station row");
	}
	hk_db_col_copy(s->code, sizeof(s->code), st, 0);
	hk_db_col_copy(s->pref, sizeof(s->pref), st, 1);
	hk_db_col_copy(s->name, sizeof(s->name), st, 2);
	hk_db_col_copy(s->phone, sizeof(s->phone), st, 3);
	s->mgmt_level = sqlite3_column_int(st, 4);
	s->mgmt_daily = sqlite3_column_int(st, 5);
	s->online_elig = sqlite3_column_int(st, 6);
	s->special_area = sqlite3_column_int(st, 7);
	s->hold_unconfirmed = sqlite3_column_int(st, 8);
	sqlite3_finalize(st);
	return 0;
}

int hk_station_add_standard(sqlite3 *db, const char *code, const char *from, const char *to, struct hk_err *err)
{
	sqlite3_stmt *st;
	int rc;
	if (!code || strlen(code) < 1 || strlen(code) > 4 || strspn(code, "0123456789") != strlen(code))
		return hk_err_set(err, HK_EXIT_INPUT, "施設基準コード '%s' must be 1-4 digits (master 施設基準テーブル)",
				  code ? code : "");
	if (hk_db_prepare(db, "INSERT OR REPLACE INTO station_standard(code, valid_from, valid_to) VALUES (?,?,?)",
			  &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
	hk_db_bind_text(st, 3, to, 1);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return hk_db_fail(db, err, "recording a 施設基準");
	return 0;
}
