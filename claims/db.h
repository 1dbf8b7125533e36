/*
 * db.h - the station database (SQLite).
 *
 * Opened with WAL, synchronous=FULL, foreign_keys=ON and a busy timeout.
 * The schema is versioned by PRAGMA user_version and migrated forward by
 * hk_db_open(); the migrations live in claims/schema.c, one SQL script per
 * version, and are never edited once released (add a new one instead).
 * Only prepared statements are used (hk_db_prepare caches nothing: callers
 * finalize).  See docs/schema.md for the tables.
 */
#ifndef HK_DB_H
#define HK_DB_H
#include <sqlite3.h>
#include "base/hk.h"

enum hk_db_mode { HK_DB_OPEN_EXISTING, HK_DB_CREATE_NEW };

int hk_db_open(const char *path, enum hk_db_mode mode, sqlite3 **out, struct hk_err *err);
void hk_db_close(sqlite3 *db);
int hk_db_schema_version(void);     /* the version this build migrates to */

/* Helpers that turn SQLite failures into hk_err (code HK_EXIT_IO). */
int hk_db_exec(sqlite3 *db, const char *sql, struct hk_err *err);
int hk_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct hk_err *err);
int hk_db_begin(sqlite3 *db, struct hk_err *err);   /* BEGIN IMMEDIATE */
int hk_db_commit(sqlite3 *db, struct hk_err *err);
void hk_db_rollback(sqlite3 *db);
/* Set err from the connection's last error, with a prefix; returns -1. */
int hk_db_fail(sqlite3 *db, struct hk_err *err, const char *what);

/* Text of column i, "" for NULL (valid until the statement steps again). */
const char *hk_db_col(sqlite3_stmt *st, int i);

/* Copy text column i into dst (NUL-terminated, truncated to size - 1; NULL -> ""). */
void hk_db_col_copy(char *dst, size_t size, sqlite3_stmt *st, int i);

/* Bind a text (NULL or "" binds SQL NULL when null_if_empty). */
int hk_db_bind_text(sqlite3_stmt *st, int i, const char *s, int null_if_empty);

/* Append one row to the audit log (append-only; triggers refuse UPDATE and
 * DELETE).  No patient names: only digests and the command line's verb. */
int hk_audit(sqlite3 *db, const char *command, const char *input_digest,
	     const char *output_digest, const char *result, struct hk_err *err);

#endif
