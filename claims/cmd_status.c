/*
 * cmd_status.c - `houkan status --db DB --month YYYY-MM`: the receipts of a
 * service month by lifecycle state (built, sealed, submitted, accepted,
 * rejected, returned, reclaimed, adjusted, switched, paid, superseded), with
 * counts and amounts (claimed 合計金額 and decided), and the open returns and
 * unmatched result items (docs/returns.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "claims/cli.h"
#include "claims/db.h"
#include "base/date.h"

static const char *const STATES[] = {"built", "sealed", "submitted", "accepted", "rejected", "returned",
				     "reclaimed", "adjusted", "switched", "paid", "superseded"};

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"month", required_argument, NULL, 'm'},
		{NULL, 0, NULL, 0},
	};
	const char *dbpath = NULL, *month = NULL;
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	struct hk_err err = {0};
	char m7[8];
	long long n_all = 0, t_all = 0, d_all = 0;
	int c, rc = HK_EXIT_OK, y, mo;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbpath = optarg; break;
		case 'm': month = optarg; break;
		default: return hk_usage_error("status", "unknown option");
		}
	}
	if (!dbpath || !month)
		return hk_usage_error("status", "--db and --month are required");
	if (optind < argc)
		return hk_usage_error("status", "unexpected argument '%s'", argv[optind]);
	if (!hk_month_parse(month, strlen(month), &y, &mo))
		return hk_usage_error("status", "--month '%s' is not YYYY-MM", month);
	hk_snprintf(m7, sizeof(m7), "%04d-%02d", y, mo);
	if (hk_db_open(dbpath, HK_DB_OPEN_EXISTING, &db, &err) < 0)
		return hk_report("status", &err);
	if (hk_db_prepare(db, "SELECT count(*), coalesce(sum(total), 0), coalesce(sum(coalesce(decided, total)), 0)"
			      " FROM receipt WHERE service_month = ?1 AND state = ?2", &q, &err) < 0)
		goto fail;
	printf("receipts of %s by state\n%-11s %8s %14s %14s\n", m7, "state", "count", "claimed", "decided");
	for (size_t i = 0; i < HK_ARRAY_LEN(STATES); i++) {
		long long n, t, d;
		sqlite3_bind_text(q, 1, m7, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, STATES[i], -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_ROW)
			goto dbfail;
		n = sqlite3_column_int64(q, 0);
		t = sqlite3_column_int64(q, 1);
		d = sqlite3_column_int64(q, 2);
		sqlite3_reset(q);
		if (!n)
			continue;
		printf("%-11s %8lld %14lld %14lld\n", STATES[i], n, t, d);
		if (strcmp(STATES[i], "superseded") != 0) {
			n_all += n;
			t_all += t;
			d_all += d;
		}
	}
	printf("%-11s %8lld %14lld %14lld  (superseded receipts not counted)\n", "total", n_all, t_all, d_all);
	sqlite3_finalize(q);
	q = NULL;
	if (hk_db_prepare(db, "SELECT (SELECT count(*) FROM returned WHERE state = 'open' AND service_month = ?1),"
			      " (SELECT count(*) FROM returned WHERE state = 'open' AND service_month = ?1 AND receipt_id IS NULL),"
			      " (SELECT count(*) FROM notice_item WHERE receipt_id IS NULL AND kind <> 'return'"
			      " AND service_month = ?1)", &q, &err) < 0)
		goto fail;
	sqlite3_bind_text(q, 1, m7, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW)
		goto dbfail;
	printf("open returns: %lld (%lld unmatched); unmatched 増減点/振替・分割 items: %lld\n",
	       (long long)sqlite3_column_int64(q, 0), (long long)sqlite3_column_int64(q, 1),
	       (long long)sqlite3_column_int64(q, 2));
	goto out;
dbfail:
	hk_db_fail(db, &err, "reading receipt states");
fail:
	rc = hk_report("status", &err);
out:
	sqlite3_finalize(q);
	hk_db_close(db);
	return rc;
}
