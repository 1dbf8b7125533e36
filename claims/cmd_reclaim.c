/*
 * cmd_reclaim.c - re-claims of returned receipts (作成手引き 別紙1; docs/returns.md).
 *
 *   houkan reclaim --db DB --claim-month YYYY-MM --out DIR [--month YYYY-MM]
 *                  [--master-dir ROOT] [--report FILE]
 *   houkan reclaim FILE.HEN --claim-month YYYYMM -o OUT.UKE
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "claims/cli.h"
#include "base/date.h"
#include "base/fileio.h"
#include "switchover/returns.h"

int cmd_reclaim(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"claim-month", required_argument, NULL, 'c'},
		{"out", required_argument, NULL, 'O'},
		{"output", required_argument, NULL, 'o'},
		{"month", required_argument, NULL, 'm'},
		{"master-dir", required_argument, NULL, 'M'},
		{"report", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	const char *dbpath = NULL, *claim = NULL, *out_dir = NULL, *out_file = NULL, *month = NULL, *master = NULL,
		   *report_path = NULL;
	struct hk_err err = {0};
	int c, cy, cm;
	char claim6[7], m7[8];
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbpath = optarg; break;
		case 'c': claim = optarg; break;
		case 'O': out_dir = optarg; break;
		case 'o': out_file = optarg; break;
		case 'm': month = optarg; break;
		case 'M': master = optarg; break;
		case 'r': report_path = optarg; break;
		default: return hk_usage_error("reclaim", "unknown option");
		}
	}
	if (!claim)
		return hk_usage_error("reclaim", "--claim-month is required");
	if (!hk_month_parse(claim, strlen(claim), &cy, &cm))
		return hk_usage_error("reclaim", "--claim-month '%s' is not YYYY-MM or YYYYMM", claim);
	hk_snprintf(claim6, sizeof(claim6), "%04d%02d", cy, cm);
	if (!dbpath) {
		struct hk_reclaim_file_stats fs;
		if (optind != argc - 1)
			return hk_usage_error("reclaim", "give --db DB, or one returned FILE and -o OUT.UKE");
		if (!out_file)
			return hk_usage_error("reclaim", "-o OUT.UKE is required with a returned FILE");
		if (hk_hen_reclaim_file(argv[optind], claim6, out_file, &fs, &err) < 0)
			return hk_report("reclaim", &err);
		printf("%s: %ld receipt(s) re-claimed with 検索番号 and %ld history line(s) kept; %ld HR record(s)"
		       " removed; HH → HM (請求年月 %s), HG → GO\n", out_file, fs.receipts, fs.history_lines,
		       fs.reasons_dropped, claim6);
		return HK_EXIT_OK;
	}
	if (optind < argc)
		return hk_usage_error("reclaim", "unexpected argument '%s' (with --db no FILE is read)", argv[optind]);
	if (!out_dir)
		return hk_usage_error("reclaim", "--out DIR is required with --db");
	if (month) {
		int y, mo;
		if (!hk_month_parse(month, strlen(month), &y, &mo))
			return hk_usage_error("reclaim", "--month '%s' is not YYYY-MM", month);
		hk_snprintf(m7, sizeof(m7), "%04d-%02d", y, mo);
	}
	{
		struct hk_reclaim_opts o = {dbpath, cy, cm, month ? m7 : NULL, out_dir, master};
		struct hk_reclaim_stats st;
		FILE *rep = stderr;
		int rc;
		if (report_path && !(rep = fopen(report_path, "w"))) {
			hk_err_set(&err, HK_EXIT_IO, "%s: cannot write the report", report_path);
			return hk_report("reclaim", &err);
		}
		rc = hk_reclaim_db(&o, rep, &st, &err);
		if (rep != stderr && fclose(rep) != 0 && rc == 0)
			rc = hk_err_set(&err, HK_EXIT_IO, "%s: write error", report_path);
		if (rc < 0)
			return hk_report("reclaim", &err);
		for (int b = 1; b <= 2; b++) {
			if (st.paths[b][0])
				printf("  %s  body %d  %ld receipt(s) re-claimed with 検索番号 and history\n", st.paths[b], b,
				       st.reclaimed[b]);
			if (st.paths[3 + b][0])
				printf("  %s  body %d  %ld receipt(s) in a fresh first claim\n", st.paths[3 + b], b, st.fresh[b]);
		}
		if (st.run_id)
			printf("re-claim run %lld (houkan submit --run sends it)", st.run_id);
		else
			printf("nothing to re-claim");
		printf("; %ld open return(s) left (listed on stderr)\n", st.left);
		return st.left ? HK_EXIT_INPUT : HK_EXIT_OK;
	}
}
