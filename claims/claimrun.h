/*
 * claimrun.h - the monthly claim run: station records → one RECEIPTH.UKE per
 * review body, every receipt checked before it is written, the run recorded
 * and archived so that it can be replayed byte for byte.
 *
 * The engine (hk_claim_engine) reads a station database, derives the fees
 * (claims/fees.h), splits the month into receipts (one per patient, month and
 * insurance coverage; 公費 attach to the receipt of the days they cover),
 * computes the burden split (claims/benefit.h), renders the records with the
 * format library, runs the receipt checks of `houkan check` on each receipt,
 * and streams the accepted receipts into the output files.  It changes
 * nothing in the database; hk_build() wraps it with the recording (claim_run,
 * receipt, run_output, audit log), the archive and the atomic publication,
 * and hk_replay() runs it again on a run's archived inputs.
 *
 * Determinism: the output depends only on the database content, the master
 * revision and the parameters - never on the clock, TZ, locale or working
 * directory.
 */
#ifndef HK_CLAIMRUN_H
#define HK_CLAIMRUN_H
#include <stdio.h>
#include <sqlite3.h>
#include "base/hk.h"

struct hk_master;

struct hk_build_opts {
	const char *db_path;
	int year, month;              /* 指定訪問看護年月 */
	int claim_year, claim_month;  /* 請求年月 (default: the next month) */
	const char *out_dir;
	const char *master_root;      /* NULL: hk_master_root(NULL) */
	FILE *report;                 /* what was left out and why (UTF-8 lines); may be NULL */
	FILE *charges;                /* per-receipt patient charges CSV (利用料); may be NULL */
	bool quiet;                   /* no progress */
};

struct hk_build_stats {
	long long run_id;
	long patients;
	long receipts[3];             /* per review body (index 1, 2) */
	long long amount[3];          /* Σ 合計金額 per body (insurance or first payer) */
	long stopped;                 /* receipts stopped by a check error */
	long notes;                   /* items left out */
	long held;                    /* visits held back (no valid coverage) */
	long warnings;                /* e.g. characters replaced by ？ */
	char sha256[3][65];           /* of each file written ("" if none) */
	char inputs_sha256[65];
	char master_version[80];
};

/* Run the month's claim, record and archive it, publish the files.
 * 0 = done (stats say what was written; stopped receipts are not an error),
 * -1 = nothing published (err). */
int hk_build(const struct hk_build_opts *o, struct hk_build_stats *st, struct hk_err *err);

/* Engine only: db is read (no transaction is opened or committed by it);
 * files are written to out_dir/<body>/RECEIPTH.UKE through hk_pubfile when
 * publish is true, else to out_dir/<body>/RECEIPTH.UKE.tmp left in place
 * for the caller.  receipt_cb (may be NULL) is told each accepted receipt. */
struct hk_receipt_info {
	long long patient_id;
	const char *patient_key;
	int body;
	long receipt_no;
	const char *type;
	long long coverage_id;        /* 0 for 公費のみ */
	const char *record_key;
	long total, patient_share;
	const char *service_month;    /* "YYYY-MM" */
};
typedef int (*hk_receipt_fn)(void *ctx, const struct hk_receipt_info *r, struct hk_err *err);

int hk_claim_engine(sqlite3 *db, const struct hk_master *m, const struct hk_build_opts *o,
		    hk_receipt_fn receipt_cb, void *ctx, struct hk_build_stats *st, struct hk_err *err);

/* Rebuild run `run_id` of the database at db_path from its archived inputs
 * and compare with its archived outputs.  Returns 0 identical, 1 different
 * (first difference described in `diff`), -1 error. */
int hk_replay(const char *db_path, long long run_id, const char *master_root, char *diff, size_t difflen,
	      struct hk_err *err);

/* The archive directory of a database: "<db>.archive". */
void hk_archive_dir(const char *db_path, char *out, size_t len);

#endif
