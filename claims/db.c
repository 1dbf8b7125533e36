#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "claims/db.h"
#include "claims/schema.h"
#include "base/clock.h"

int hk_db_fail(sqlite3 *db, struct hk_err *err, const char *what)
{
	return hk_err_set(err, HK_EXIT_IO, "database: %s: %s", what, db ? sqlite3_errmsg(db) : "no connection");
}

int hk_db_exec(sqlite3 *db, const char *sql, struct hk_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		hk_err_set(err, HK_EXIT_IO, "database: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int hk_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct hk_err *err)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return hk_db_fail(db, err, "prepare");
	return 0;
}

int hk_db_begin(sqlite3 *db, struct hk_err *err) { return hk_db_exec(db, "BEGIN IMMEDIATE", err); }
int hk_db_commit(sqlite3 *db, struct hk_err *err) { return hk_db_exec(db, "COMMIT", err); }
void hk_db_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

const char *hk_db_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

void hk_db_col_copy(char *dst, size_t size, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = t ? (size_t)sqlite3_column_bytes(st, i) : 0;
	if (!size)
		return;
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

int hk_db_bind_text(sqlite3_stmt *st, int i, const char *s, int null_if_empty)
{
	if (!s || (null_if_empty && !*s))
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

int hk_db_schema_version(void) { return hk_schema_count(); }

static int user_version(sqlite3 *db, int *v, struct hk_err *err)
{
	sqlite3_stmt *st;
	if (hk_db_prepare(db, "PRAGMA user_version", &st, err) < 0)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return hk_db_fail(db, err, "reading user_version");
	}
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int migrate(sqlite3 *db, const char *path, struct hk_err *err)
{
	int v = 0, want = hk_schema_count();
	if (user_version(db, &v, err) < 0)
		return -1;
	if (v > want)
		return hk_err_set(err, HK_EXIT_IO,
				  "%s: schema version %d is newer than this houkan knows (%d); upgrade houkan",
				  path, v, want);
	while (v < want) {
		char pragma[64];
		if (hk_db_begin(db, err) < 0)
			return -1;
		hk_snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
		if (hk_db_exec(db, hk_schema_migration(v + 1), err) < 0 ||
		    hk_db_exec(db, pragma, err) < 0 || hk_db_commit(db, err) < 0) {
			hk_db_rollback(db);
			return hk_err_prefix(err, "%s: migration to schema %d", path, v + 1);
		}
		v++;
	}
	return 0;
}

int hk_db_open(const char *path, enum hk_db_mode mode, sqlite3 **out, struct hk_err *err)
{
	sqlite3 *db = NULL;
	struct stat sb;
	int exists = stat(path, &sb) == 0;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	*out = NULL;
	if (mode == HK_DB_CREATE_NEW && exists)
		return hk_err_set(err, HK_EXIT_IO, "%s: already exists; refusing to overwrite a station database", path);
	if (mode == HK_DB_OPEN_EXISTING && !exists)
		return hk_err_set(err, HK_EXIT_IO, "%s: no such station database (create one with houkan init)", path);
	if (mode == HK_DB_CREATE_NEW)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		hk_err_set(err, HK_EXIT_IO, "%s: cannot open database: %s", path,
			   db ? sqlite3_errmsg(db) : strerror(errno));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 10000);
	sqlite3_extended_result_codes(db, 1);
	if (hk_db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", err) < 0 ||
	    migrate(db, path, err) < 0) {
		if (mode == HK_DB_OPEN_EXISTING && strstr(err->msg, "file is not a database"))
			hk_err_set(err, HK_EXIT_IO, "%s: not a station database (not SQLite)", path);
		sqlite3_close(db);
		return -1;
	}
	if (mode == HK_DB_OPEN_EXISTING) {
		sqlite3_stmt *st;
		int ok;
		if (hk_db_prepare(db, "SELECT count(*) FROM station", &st, err) < 0) {
			sqlite3_close(db);
			return -1;
		}
		ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
		sqlite3_finalize(st);
		if (!ok) {
			sqlite3_close(db);
			return hk_err_set(err, HK_EXIT_IO, "%s: no station in this database (run houkan init)", path);
		}
	}
	*out = db;
	return 0;
}

void hk_db_close(sqlite3 *db)
{
	sqlite3_close(db);
}

int hk_audit(sqlite3 *db, const char *command, const char *in, const char *outd,
	     const char *result, struct hk_err *err)
{
	sqlite3_stmt *st;
	char now[21];
	struct passwd *pw = getpwuid(geteuid());
	int rc;
	hk_clock_fmt_iso(hk_clock_now(), now);
	if (hk_db_prepare(db, "INSERT INTO audit_log(at, os_user, command, input_sha256, output_sha256, result)"
			      " VALUES (?,?,?,?,?,?)", &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, pw ? pw->pw_name : "?", -1, SQLITE_TRANSIENT);
	hk_db_bind_text(st, 3, command, 0);
	hk_db_bind_text(st, 4, in, 1);
	hk_db_bind_text(st, 5, outd, 1);
	hk_db_bind_text(st, 6, result, 0);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return hk_db_fail(db, err, "writing the audit log");
	return 0;
}
