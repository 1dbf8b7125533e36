/*
 * import.h - `houkan import`: station records from UTF-8 CSV files
 * (docs/import-formats.md describes the four kinds and their columns).
 *
 * Contract:
 *   - A file is imported whole or not at all.  Every row is validated first
 *     (inside the BEGIN IMMEDIATE transaction, so references to patients are
 *     checked against what will be written to); any error rejects the file and
 *     the database is left unchanged.
 *   - Problems are collected as lines "FILE:LINE:COLUMN: column: message"
 *     (COLUMN is 1-based; warnings say "warning:" after the position) in
 *     res->diag, at most HK_IMPORT_MAX_DIAGS of them plus one summary line.
 *   - Rows are keyed by their natural key (records.h); an existing row is
 *     updated in place if different and left alone if equal, so importing the
 *     same file twice changes nothing.
 *   - A successful import is recorded in import_log (by SHA-256 of the file)
 *     and, like a rejected one, in the audit log (digests only).
 */
#ifndef HK_IMPORT_H
#define HK_IMPORT_H
#include <sqlite3.h>
#include "base/hk.h"
#include "base/buf.h"

#define HK_IMPORT_MAX_DIAGS   200          /* problem lines kept per file */
#define HK_IMPORT_MAX_BYTES   (512L << 20)  /* one import file */
#define HK_IMPORT_MAX_DIAG_BYTES (1 << 20) /* the diagnostics buffer */

enum hk_import_kind { HK_IMPORT_PATIENTS, HK_IMPORT_COVERAGES, HK_IMPORT_INSTRUCTIONS, HK_IMPORT_VISITS };

struct hk_import_result {
	long rows;                 /* data rows (header and blank lines not counted) */
	long added, updated, unchanged;
	long errors, warnings;
	struct hk_buf diag;        /* "FILE:LINE:COLUMN: ..." lines, each ending in '\n' */
	char sha256[65];           /* of the file's bytes */
};

void hk_import_result_init(struct hk_import_result *res);
void hk_import_result_free(struct hk_import_result *res);

/* "patients" etc.; -1 if unknown. */
int hk_import_kind_parse(const char *s, enum hk_import_kind *kind);
const char *hk_import_kind_name(enum hk_import_kind kind);

/*
 * Imports the file at path into db (the caller has opened it; no transaction
 * may be open).  name is used in messages (usually path as typed).
 * Returns 0 when the file was imported (warnings may be in res->diag), or -1:
 * err->code HK_EXIT_INPUT when the file was rejected (res->diag says why),
 * HK_EXIT_IO for an unreadable file or a database failure.
 */
int hk_import_file(sqlite3 *db, enum hk_import_kind kind, const char *path, const char *name,
		   struct hk_import_result *res, struct hk_err *err);

#endif
