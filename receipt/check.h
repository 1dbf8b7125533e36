/*
 * check.h - validation of RECEIPTH.UKE (`houkan check`, and the claim run
 * before it writes a receipt).
 *
 * Every rule is a row of a table {code, severity, source clause}
 * (receipt/check_rules.c, published as docs/check-codes.md).  The driver
 * (receipt/check.c) feeds the streaming reader's records to
 *   - the file-level checks (HM first, GO last, one of each),
 *   - the record-level checks (receipt/check_record.c: record id, field
 *     count, mode, length, fixed width, required, 別表 codes, dates, times,
 *     check digits), and
 *   - the receipt-level checks (receipt/check_receipt.c: record order and
 *     multiplicity, レセプト種別, totals, 実日数, JD/KA agreement, SN rules,
 *     and the master-dependent KA rules),
 * keeping only the records of one receipt at a time (capped by
 * HK_MAX_RECEIPT_RECORDS), so memory stays constant whatever the file size.
 *
 * Diagnostics go to the caller's hk_diag_fn, in file order within a receipt.
 * File-level diagnostics of the reader (Shift_JIS, CRLF, 0x1A, quote,
 * empty/truncated) pass through the same callback.
 */
#ifndef HK_CHECK_H
#define HK_CHECK_H
#include <stdbool.h>
#include <stddef.h>
#include "base/hk.h"
#include "receipt/uke.h"

struct hk_master;

struct hk_check_opts {
	unsigned reader_flags;          /* HK_UKE_STRICT or HK_UKE_TOLERANT */
	/* The 訪問看護療養費マスター for the KA rules: `master` if it covers the
	 * receipt's 指定訪問看護年月, else the revision in force on its first day
	 * loaded from master_root (one held at a time).  Both NULL: the
	 * master-dependent rules are skipped.  A revision that cannot be loaded is
	 * reported once per month as W-NO-MASTER and its rules are skipped. */
	const struct hk_master *master;
	const char *master_root;
};

struct hk_check_stats {
	long receipts;   /* RE records seen */
	long errors;
	long warnings;
};

/* One rule of the checker (docs/check-codes.md lists them all). */
struct hk_check_rule {
	const char *code;          /* "E-KA-ORDER" */
	enum hk_severity severity;
	const char *source;        /* 記録条件仕様 clause or 作成手引き page, UTF-8 */
	const char *rule;          /* one-line statement of the rule, English */
};
extern const struct hk_check_rule hk_check_rules[];
extern const size_t hk_ncheck_rules;
/* NULL if code is not a checker rule (reader codes are not in this table). */
const struct hk_check_rule *hk_check_rule_find(const char *code);

/*
 * Check one file ("-" = stdin).  Returns 0 when the file could be read to the
 * end (whatever it contains: look at st->errors), -1 on an I/O error (err,
 * HK_EXIT_IO).  st is zeroed first.  A regular file of 8 MB or more is read
 * and record-checked on a second thread (when the machine has two cores)
 * while the calling thread runs the receipt rules; fn is still called only
 * on the calling thread, with the same diagnostics in the same order.  The
 * environment variable HOUKAN_CHECK_PIPE=1 or 0 forces the second thread on
 * or off (tests compare both).
 */
int hk_check_file(const char *path, const struct hk_check_opts *o, hk_diag_fn fn, void *ctx,
		  struct hk_check_stats *st, struct hk_err *err);
/* The same over a memory buffer; name is used in diagnostics. */
int hk_check_mem(const void *data, size_t len, const char *name, const struct hk_check_opts *o,
		 hk_diag_fn fn, void *ctx, struct hk_check_stats *st, struct hk_err *err);

/*
 * Check the records of ONE receipt (RE ... KA, CRLF-terminated, no HM/GO, no
 * 0x1A) as the claim run produces them, before they are written: record and
 * receipt rules only.  claim_month is HM 請求年月 ("YYYYMM"); receipt_no the
 * レセプト番号 it must carry.
 */
int hk_check_receipt_mem(const void *data, size_t len, const char *name, const char *claim_month,
			 long receipt_no, const struct hk_check_opts *o, hk_diag_fn fn, void *ctx,
			 struct hk_check_stats *st, struct hk_err *err);

#endif
