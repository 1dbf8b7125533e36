/*
 * cmd_eligibility.c - `houkan eligibility request|report` (docs/eligibility.md).
 * Results come in through `houkan ingest`.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "claims/cli.h"
#include "claims/db.h"
#include "switchover/eligibility.h"

struct report_ctx {
	long n, clerk;
	bool clerk_only;
};

static int print_finding(void *ctx, const struct hk_elig_finding *f, struct hk_err *err)
{
	struct report_ctx *rc = ctx;
	(void)err;
	rc->n++;
	rc->clerk += f->clerk;
	if (rc->clerk_only && !f->clerk)
		return 0;
	printf("%s\t%s\t%s\t%s\t%s\n", f->date, f->patient_key[0] ? f->patient_key : "-", f->code,
	       f->clerk ? "clerk" : "info", f->detail);
	return 0;
}

int cmd_eligibility(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"month", required_argument, NULL, 'm'},
		{"out", required_argument, NULL, 'o'},
		{"clerk-only", no_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	const char *dbpath = NULL, *month = NULL, *out = NULL, *verb;
	struct report_ctx rctx = {0, 0, false};
	struct hk_err err = {0};
	sqlite3 *db = NULL;
	int c, rc = HK_EXIT_OK, request;
	if (argc < 2 || argv[1][0] == '-')
		return hk_usage_error("eligibility", "say request or report");
	verb = argv[1];
	request = strcmp(verb, "request") == 0;
	if (!request && strcmp(verb, "report") != 0)
		return hk_usage_error("eligibility", "'%s' is not request or report", verb);
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbpath = optarg; break;
		case 'm': month = optarg; break;
		case 'o': out = optarg; break;
		case 'c': rctx.clerk_only = true; break;
		default: return hk_usage_error("eligibility", "unknown option");
		}
	}
	if (optind != argc)
		return hk_usage_error("eligibility", "unexpected argument '%s'", argv[optind]);
	if (!dbpath || !month)
		return hk_usage_error("eligibility", "--db and --month are required");
	if (request && !out)
		return hk_usage_error("eligibility", "request needs --out DIR");
	if (!request && out)
		return hk_usage_error("eligibility", "--out is for request");
	if (request && rctx.clerk_only)
		return hk_usage_error("eligibility", "--clerk-only is for report");
	if (hk_db_open(dbpath, HK_DB_OPEN_EXISTING, &db, &err) < 0)
		return hk_report("eligibility", &err);
	if (request) {
		struct hk_elig_request_stats st;
		if (hk_elig_write_requests(db, month, out, &st, &err) < 0) {
			rc = err.code == HK_EXIT_USAGE ? hk_usage_error("eligibility", "%s", err.msg)
						       : hk_report("eligibility", &err);
			goto done;
		}
		printf("%s: %d file%s: 一括照会 %d, 同意済資格情報一括取得 %d, 照会番号登録 %d, 同意取消 %d",
		       out, st.files, st.files == 1 ? "" : "s", st.bulk_query, st.consent_fetch, st.register_no,
		       st.consent_cancel);
		if (st.skipped)
			printf("; %d entr%s left out (a required value is missing)", st.skipped,
			       st.skipped == 1 ? "y" : "ies");
		printf("\n");
		if (hk_audit(db, "eligibility request", NULL, NULL, "ok", &err) < 0)
			rc = hk_report("eligibility", &err);
	} else {
		if (hk_elig_report(db, month, print_finding, &rctx, &err) < 0) {
			rc = err.code == HK_EXIT_USAGE ? hk_usage_error("eligibility", "%s", err.msg)
						       : hk_report("eligibility", &err);
			goto done;
		}
		printf("%s: %ld finding%s, %ld need%s a clerk\n", month, rctx.n, rctx.n == 1 ? "" : "s", rctx.clerk,
		       rctx.clerk == 1 ? "s" : "");
	}
done:
	hk_db_close(db);
	return rc;
}
