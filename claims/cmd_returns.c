/*
 * cmd_returns.c - `houkan returns --db DB [--month YYYY-MM] [--csv]`: the open
 * returns (返戻) with patient, month and every reason (docs/returns.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "claims/cli.h"
#include "claims/db.h"
#include "base/date.h"

int cmd_returns(int argc, char **argv)
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
	long n = 0, receipts = 0;
	long long last = -1;
	int c, rc = HK_EXIT_OK, r;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbpath = optarg; break;
		case 'm': month = optarg; break;
		case 'c': csv = true; break;
		default: return hk_usage_error("returns", "unknown option");
		}
	}
	if (!dbpath)
		return hk_usage_error("returns", "--db is required");
	if (optind < argc)
		return hk_usage_error("returns", "unexpected argument '%s'", argv[optind]);
	if (month) {
		int y, mo;
		if (!hk_month_parse(month, strlen(month), &y, &mo))
			return hk_usage_error("returns", "--month '%s' is not YYYY-MM", month);
		hk_snprintf(m7, sizeof(m7), "%04d-%02d", y, mo);
	}
	if (hk_db_open(dbpath, HK_DB_OPEN_EXISTING, &db, &err) < 0)
		return hk_report("returns", &err);
	if (hk_db_prepare(db, "SELECT t.id, t.service_month, coalesce(p.patient_key, '(unmatched)'), coalesce(p.name, ''),"
			      " coalesce(t.body, ''), t.search_no, coalesce(t.record_key, ''), coalesce(i.code, ''),"
			      " coalesce(i.text, ''), t.receipt_id, n.file_name, i.line"
			      " FROM returned t JOIN notice n ON n.id = t.notice_id"
			      " LEFT JOIN receipt r ON r.id = t.receipt_id LEFT JOIN patient p ON p.id = r.patient_id"
			      " LEFT JOIN notice_item i ON i.notice_id = t.notice_id AND i.kind = 'return'"
			      " AND i.search_no = t.search_no AND i.line > t.line"
			      " WHERE t.state = 'open' AND (?1 IS NULL OR t.service_month = ?1)"
			      " ORDER BY t.service_month, p.patient_key, t.id, i.line", &q, &err) < 0) {
		rc = hk_report("returns", &err);
		goto out;
	}
	if (month)
		sqlite3_bind_text(q, 1, m7, -1, SQLITE_STATIC);
	if (csv)
		printf("month,patient,name,body,search_no,record_key,reason_code,reason,file,line\n");
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(q, 0);
		if (id != last)
			receipts++;
		last = id;
		n++;
		if (csv) {
			for (int i = 1; i <= 8; i++)
				hk_csv_cell(hk_db_col(q, i), false);
			hk_csv_cell(hk_db_col(q, 10), false);
			hk_csv_cell(hk_db_col(q, 11), true);
		} else {
			bool unmatched = sqlite3_column_type(q, 9) == SQLITE_NULL;
			printf("%s  %-12s %s  body %s  検索番号 %s  %s  %s", hk_db_col(q, 1), hk_db_col(q, 2), hk_db_col(q, 3), hk_db_col(q, 4),
			       hk_db_col(q, 5), hk_db_col(q, 7), hk_db_col(q, 8));
			if (unmatched)
				printf("  (matches no receipt; 記録番号等 %s, %s line %s)", hk_db_col(q, 6), hk_db_col(q, 10), hk_db_col(q, 11));
			putchar('\n');
		}
	}
	if (r != SQLITE_DONE) {
		rc = hk_report("returns", (hk_db_fail(db, &err, "listing returns"), &err));
		goto out;
	}
	if (!csv)
		printf("%ld open returned receipt(s)%s%s\n", receipts, month ? " for " : "", month ? m7 : "");
out:
	sqlite3_finalize(q);
	hk_db_close(db);
	return rc;
}
