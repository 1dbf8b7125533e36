/* houkan build, runs, replay: the monthly claim run and its audit trail. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "claims/cli.h"
#include "claims/claimrun.h"
#include "claims/db.h"
#include "base/date.h"
#include "base/fileio.h"

int cmd_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"month", required_argument, NULL, 'm'},
		{"claim-month", required_argument, NULL, 'c'},
		{"out", required_argument, NULL, 'o'},
		{"master-dir", required_argument, NULL, 'M'},
		{"report", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	struct hk_build_opts o;
	struct hk_build_stats st;
	struct hk_err err = {0};
	const char *month = NULL, *claim = NULL, *report_path = NULL;
	char charges_path[HK_MAX_PATH], *charges_buf = NULL;
	size_t charges_len = 0;
	FILE *report = stderr, *charges = NULL;
	int c, rc;
	memset(&o, 0, sizeof(o));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o.db_path = optarg; break;
		case 'm': month = optarg; break;
		case 'c': claim = optarg; break;
		case 'o': o.out_dir = optarg; break;
		case 'M': o.master_root = optarg; break;
		case 'r': report_path = optarg; break;
		default: return hk_usage_error("build", "unknown option");
		}
	}
	if (optind != argc)
		return hk_usage_error("build", "unexpected argument '%s'", argv[optind]);
	if (!o.db_path || !month || !o.out_dir)
		return hk_usage_error("build", "--db, --month and --out are required");
	if (!hk_month_parse(month, strlen(month), &o.year, &o.month))
		return hk_usage_error("build", "--month '%s' is not YYYY-MM", month);
	if (claim) {
		if (!hk_month_parse(claim, strlen(claim), &o.claim_year, &o.claim_month))
			return hk_usage_error("build", "--claim-month '%s' is not YYYY-MM", claim);
	} else {
		o.claim_year = o.month == 12 ? o.year + 1 : o.year;
		o.claim_month = o.month == 12 ? 1 : o.month + 1;
	}
	if (report_path && !(report = fopen(report_path, "w"))) {
		fprintf(stderr, "houkan build: %s: cannot write the report\n", report_path);
		return HK_EXIT_IO;
	}
	charges = open_memstream(&charges_buf, &charges_len);
	if (!charges) {
		fprintf(stderr, "houkan build: out of memory\n");
		return HK_EXIT_IO;
	}
	fputs("patient_key,service_month,review_body,receipt_no,receipt_type,total,patient_share\n", charges);
	o.report = report;
	o.charges = charges;
	o.quiet = !isatty(STDERR_FILENO);
	rc = hk_build(&o, &st, &err);
	fclose(charges);
	if (rc == 0) {
		hk_snprintf(charges_path, sizeof(charges_path), "%s/charges.csv", o.out_dir);
		rc = hk_mkdir_p(o.out_dir, 0755, &err);
		if (rc == 0)
			rc = hk_publish(charges_path, charges_buf, charges_len, 0644, &err);
	}
	free(charges_buf);
	if (report != stderr)
		fclose(report);
	if (rc < 0)
		return hk_report("build", &err);
	printf("run %lld: %s, %ld patients\n", st.run_id, month, st.patients);
	for (int b = 1; b <= 2; b++)
		if (st.sha256[b][0])
			printf("  %s/%d/RECEIPTH.UKE  %s  %ld receipts  %lld yen  sha256 %.16s\n", o.out_dir, b,
			       b == 1 ? "支払基金" : "国保連  ", st.receipts[b], st.amount[b], st.sha256[b]);
	if (!st.sha256[1][0] && !st.sha256[2][0])
		printf("  no receipt to claim\n");
	printf("  patient charges: %s/charges.csv\n", o.out_dir);
	printf("  master %s\n", st.master_version);
	if (st.notes || st.stopped || st.held || st.warnings)
		printf("  %ld items left out, %ld receipts stopped, %ld visits held, %ld warnings%s%s\n", st.notes,
		       st.stopped, st.held, st.warnings, report_path ? ": see " : " (listed on stderr)",
		       report_path ? report_path : "");
	return st.stopped ? HK_EXIT_INPUT : HK_EXIT_OK;
}

int cmd_runs(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
	struct hk_err err = {0};
	const char *path = NULL;
	sqlite3 *db;
	sqlite3_stmt *s;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd') path = optarg;
		else return hk_usage_error("runs", "unknown option");
	}
	if (!path || optind != argc)
		return hk_usage_error("runs", "--db is required and takes no other argument");
	if (hk_db_open(path, HK_DB_OPEN_EXISTING, &db, &err) < 0)
		return hk_report("runs", &err);
	if (hk_db_prepare(db, "SELECT r.id, r.kind, r.service_month, r.claim_month, r.state, r.started,"
			      " (SELECT group_concat(o.body || ':' || o.receipts || ':' || substr(o.sha256, 1, 16), ' ')"
			      "  FROM run_output o WHERE o.run_id = r.id), substr(r.inputs_sha256, 1, 16),"
			      " substr(r.master_version, 1, 8) FROM claim_run r ORDER BY r.id", &s, &err) < 0) {
		hk_db_close(db);
		return hk_report("runs", &err);
	}
	printf("%-4s %-8s %-8s %-8s %-10s %-20s %-9s %-16s %s\n", "run", "kind", "month", "claim", "state", "started",
	       "master", "inputs", "outputs (body:receipts:sha256)");
	while (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *outs = sqlite3_column_text(s, 6);
		printf("%-4lld %-8s %-8s %-8s %-10s %-20s %-9s %-16s %s\n", sqlite3_column_int64(s, 0),
		       sqlite3_column_text(s, 1), sqlite3_column_text(s, 2), sqlite3_column_text(s, 3),
		       sqlite3_column_text(s, 4), sqlite3_column_text(s, 5),
		       sqlite3_column_text(s, 8) ? (const char *)sqlite3_column_text(s, 8) : "-",
		       sqlite3_column_text(s, 7) ? (const char *)sqlite3_column_text(s, 7) : "-",
		       outs ? (const char *)outs : "-");
	}
	sqlite3_finalize(s);
	hk_db_close(db);
	return HK_EXIT_OK;
}

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"master-dir", required_argument, NULL, 'M'},
		{NULL, 0, NULL, 0},
	};
	struct hk_err err = {0};
	const char *path = NULL, *mroot = NULL;
	char diff[600], *end;
	long long run;
	int c, rc;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd') path = optarg;
		else if (c == 'M') mroot = optarg;
		else return hk_usage_error("replay", "unknown option");
	}
	if (!path || optind + 1 != argc)
		return hk_usage_error("replay", "--db and one RUN number are required");
	run = strtoll(argv[optind], &end, 10);
	if (*end || run <= 0)
		return hk_usage_error("replay", "RUN '%s' is not a run number", argv[optind]);
	rc = hk_replay(path, run, mroot, diff, sizeof(diff), &err);
	if (rc < 0)
		return hk_report("replay", &err);
	if (rc == 1) {
		printf("run %lld: DIFFERENT: %s\n", run, diff);
		return HK_EXIT_INPUT;
	}
	printf("run %lld: identical (rebuilt from the archived inputs, byte for byte)\n", run);
	return HK_EXIT_OK;
}
