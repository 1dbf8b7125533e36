/*
 * cmd_adjustments.c - `houkan adjustments --db DB --month YYYY-MM [--csv]`:
 * the 増減点 items of a service month (from 増減点連絡書 files taken in by
 * houkan ingest) and the month's summary: claimed, adjusted and decided
 * amounts, and the adjustments per 事由 (docs/returns.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "claims/cli.h"
#include "claims/db.h"
#include "base/date.h"

int cmd_adjustments(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"month", required_argument, NULL, 'm'},
		{"csv", no_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	const char *dbpath = NULL, *month = NULL;
	bool csv = false;
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	struct hk_err err = {0};
	char m7[8];
	int c, rc = HK_EXIT_OK, r, y, mo;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbpath = optarg; break;
		case 'm': month = optarg; break;
		case 'c': csv = true; break;
		default: return hk_usage_error("adjustments", "unknown option");
		}
	}
	if (!dbpath || !month)
		return hk_usage_error("adjustments", "--db and --month are required");
	if (optind < argc)
		return hk_usage_error("adjustments", "unexpected argument '%s'", argv[optind]);
	if (!hk_month_parse(month, strlen(month), &y, &mo))
		return hk_usage_error("adjustments", "--month '%s' is not YYYY-MM", month);
	hk_snprintf(m7, sizeof(m7), "%04d-%02d", y, mo);
	if (hk_db_open(dbpath, HK_DB_OPEN_EXISTING, &db, &err) < 0)
		return hk_report("adjustments", &err);
	/* the items */
	if (hk_db_prepare(db, "SELECT coalesce(p.patient_key, '(unmatched)'), coalesce(r.body, ''), coalesce(r.receipt_no, ''),"
			      " coalesce(i.search_no, r.search_no, ''), coalesce(i.code, ''), i.amount, coalesce(i.text, ''),"
			      " n.file_name, i.line, coalesce(i.matched_by, '') FROM notice_item i"
			      " JOIN notice n ON n.id = i.notice_id LEFT JOIN receipt r ON r.id = i.receipt_id"
			      " LEFT JOIN patient p ON p.id = r.patient_id WHERE i.kind = 'adjust'"
			      " AND coalesce(r.service_month, i.service_month) = ?1 ORDER BY p.patient_key, i.notice_id, i.line",
			  &q, &err) < 0)
		goto fail;
	sqlite3_bind_text(q, 1, m7, -1, SQLITE_STATIC);
	if (csv)
		printf("patient,body,receipt_no,search_no,reason,amount,item,file,line,matched_by\n");
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		if (csv) {
			for (int i = 0; i < 10; i++)
				hk_csv_cell(hk_db_col(q, i), i == 9);
		} else {
			printf("%s  %-12s body %s no %s  事由 %-2s %+9lld  %s%s\n", m7, hk_db_col(q, 0), hk_db_col(q, 1), hk_db_col(q, 2),
			       hk_db_col(q, 4), (long long)sqlite3_column_int64(q, 5), hk_db_col(q, 6),
			       sqlite3_column_type(q, 2) == SQLITE_NULL ? "  (matches no receipt)" : "");
		}
	}
	sqlite3_finalize(q);
	q = NULL;
	if (r != SQLITE_DONE)
		goto dbfail;
	if (csv)
		goto out;
	/* the month's summary */
	if (hk_db_prepare(db, "SELECT count(*), coalesce(sum(total), 0), coalesce(sum(coalesce(decided, total) - total), 0),"
			      " coalesce(sum(coalesce(decided, total)), 0), coalesce(sum(decided IS NOT NULL), 0)"
			      " FROM receipt WHERE service_month = ?1 AND state NOT IN ('superseded')", &q, &err) < 0)
		goto fail;
	sqlite3_bind_text(q, 1, m7, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW)
		goto dbfail;
	printf("summary %s: %lld receipts, %lld adjusted; claimed %lld yen, adjustments %+lld yen, decided %lld yen\n", m7,
	       (long long)sqlite3_column_int64(q, 0), (long long)sqlite3_column_int64(q, 4),
	       (long long)sqlite3_column_int64(q, 1), (long long)sqlite3_column_int64(q, 2),
	       (long long)sqlite3_column_int64(q, 3));
	sqlite3_finalize(q);
	q = NULL;
	if (hk_db_prepare(db, "SELECT coalesce(i.code, '-'), count(*), sum(i.amount), sum(i.receipt_id IS NULL)"
			      " FROM notice_item i LEFT JOIN receipt r ON r.id = i.receipt_id WHERE i.kind = 'adjust'"
			      " AND coalesce(r.service_month, i.service_month) = ?1 GROUP BY 1 ORDER BY 1", &q, &err) < 0)
		goto fail;
	sqlite3_bind_text(q, 1, m7, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(q)) == SQLITE_ROW)
		printf("  事由 %-2s %6lld item(s) %+12lld yen%s\n", hk_db_col(q, 0), (long long)sqlite3_column_int64(q, 1),
		       (long long)sqlite3_column_int64(q, 2), sqlite3_column_int64(q, 3) ? "  (some unmatched)" : "");
	if (r != SQLITE_DONE)
		goto dbfail;
	goto out;
dbfail:
	hk_db_fail(db, &err, "listing adjustments");
fail:
	rc = hk_report("adjustments", &err);
out:
	sqlite3_finalize(q);
	hk_db_close(db);
	return rc;
}
