/*
 * returns.h - results that come back after submission (docs/returns.md):
 * returned files (返戻, 作成手引き 別紙1), the 増減点連絡書 CSV and 振替・分割
 * results, their streaming readers, their ingest into the station database,
 * the re-claim built from returned receipts, and the receipt lifecycle.
 *
 * Library code: no printing, no exit; errors through struct hk_err naming
 * file, line and field.  The readers hold one record (CSV: one row; returned
 * file: one receipt, capped at HK_MAX_RECEIPT_BYTES) at a time, so memory is
 * constant whatever the file size.
 *
 * Layouts: the returned file's structure is fixed by 別紙1 (HH, the receipt's
 * records with 検索番号, HR, the history block "8,n,0,<record>", HG); the
 * two CSV layouts are tables in data/layouts/ (zogen.def, furikae.def; ASSUMED, see there).
 */
#ifndef HK_RETURNS_H
#define HK_RETURNS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sqlite3.h>
#include "base/hk.h"
#include "base/buf.h"

#define HK_HEN_MAX_REASONS 32    /* HR records of one returned receipt */
#define HK_RES_TEXT_MAX 512      /* a text item (返戻理由, 請求内容) in UTF-8 */

/* ---- returned file (RECEIPTH.HEN) ---- */

struct hk_hen_reason {
	long line;
	char processed[8];          /* HR 処理年月 YYYYMM */
	char kubun[4];              /* 返戻区分 */
	char code[16];              /* 返戻事由コード, half-width (Ｌ3129 → L3129) */
	char text[HK_RES_TEXT_MAX]; /* 返戻理由 (UTF-8) */
	const unsigned char *raw;   /* the HR record's bytes (no CRLF) */
	size_t rawlen;
};

struct hk_hen_receipt {
	long seq;                   /* 1-based position in the file */
	long line;                  /* line of its RE */
	int body;                   /* HH 審査支払機関, 0 if not 1/2 */
	char station[8];            /* HH 訪問看護ステーションコード */
	char claim_month[7];        /* HH 請求年月 (YYYYMM) */
	char receipt_no[8];         /* RE レセプト番号 */
	char service_month[7];      /* RE 指定訪問看護年月 */
	char record_key[24];        /* RE 訪問看護記録番号等 */
	char search_no[32];         /* RE 検索番号 (17-30 digits) */
	char insurer[9];            /* HO 保険者番号 without padding, "" when no HO */
	/* The receipt's records (RE ...) and its history block, byte for byte,
	 * each record followed by CR LF. */
	const unsigned char *data;
	size_t data_len;
	const unsigned char *history;
	size_t history_len;
	int nreasons;
	struct hk_hen_reason reasons[HK_HEN_MAX_REASONS];
	/* From the history block's SN (負担者種別 1): 確認区分 and, for 04 振替 /
	 * 05 分割, the confirmed insurer the review body recorded. */
	char sn_kakunin[3];
	char sn_insurer[9];
	char sn_symbol[64];
	char sn_number[64];
};

struct hk_hen_info {
	long receipts;
	long records;               /* lines */
	long hg_count;              /* HG 件数 */
	char hg_total[16];          /* HG second item, kept as text (meaning unknown, DIGEST §8) */
};

typedef int (*hk_hen_fn)(void *ctx, const struct hk_hen_receipt *r, struct hk_err *err);

/* Parse a returned file (path or memory); fn is called once per returned
 * receipt after its history block.  Errors (HK_EXIT_INPUT) name file, line,
 * record and field. */
int hk_hen_parse_file(const char *path, hk_hen_fn fn, void *ctx, struct hk_hen_info *info,
		      struct hk_err *err);
int hk_hen_parse_mem(const void *data, size_t len, const char *name, hk_hen_fn fn, void *ctx,
		     struct hk_hen_info *info, struct hk_err *err);
bool hk_hen_sniff(const char *head, size_t n);

/* Re-claim of a returned file without database (作成手引き 別紙1 4): HH → HM
 * with 請求年月 = claim6 (YYYYMM), HR removed, HG → GO, everything else kept
 * byte for byte (検索番号, history block).  Output published atomically. */
struct hk_reclaim_file_stats { long receipts, reasons_dropped, history_lines; };
int hk_hen_reclaim_file(const char *in, const char *claim6, const char *out,
			struct hk_reclaim_file_stats *st, struct hk_err *err);

/* ---- CSV results (増減点連絡書, 振替・分割), table-driven ---- */

enum hk_res_field {
	HK_RF_NONE = 0, HK_RF_KIND, HK_RF_SERVICE_MONTH, HK_RF_RECEIPT_NO, HK_RF_SEARCH_NO, HK_RF_RECORD_KEY,
	HK_RF_INSURER, HK_RF_AMOUNT, HK_RF_REASON, HK_RF_ITEM, HK_RF_ITEM_AFTER, HK_RF_SWITCH_KIND,
	HK_RF_OLD_INSURER, HK_RF_NEW_INSURER, HK_RF_SPLIT_DATE, HK_RF_MONTH, HK_RF_BODY, HK_RF_STATION,
	HK_RF_COUNT, HK_RF_TEXT,
	HK_RF_N
};

enum hk_res_layout { HK_LAYOUT_ZOGEN = 1, HK_LAYOUT_FURIKAE = 2 };

/* One item (a detail row after fill-down), values in UTF-8 (half-width
 * digits), "" when empty. */
struct hk_res_item {
	long line;
	char service_month[7];      /* YYYYMM (GYYMM converted) */
	char receipt_no[8];
	char search_no[32];
	char record_key[24];
	char insurer[9];
	long long amount;
	bool has_amount;
	char reason[16];            /* 増減点事由 letters, half-width */
	char item[HK_RES_TEXT_MAX];
	char item_after[HK_RES_TEXT_MAX];
	int switch_kind;            /* 4 振替, 5 分割 (別表24), 0 for 増減点 */
	char old_insurer[9], new_insurer[9];
	char split_date[11];        /* YYYY-MM-DD */
	int body;                   /* the header's 審査支払機関 (0 if none) */
	char month[7];              /* the header's 処理年月 (YYYYMM, "" if none) */
	const char *raw;            /* the row's bytes as read (no line end) */
	size_t rawlen;
};

struct hk_res_info {
	long items;
	char month[7];              /* header 処理年月 (zogen), "" if none */
	int body;                   /* header 審査支払機関, 0 if none */
	char station[8];
	long long total;            /* Σ amounts */
};

typedef int (*hk_res_fn)(void *ctx, const struct hk_res_item *it, struct hk_err *err);

int hk_res_parse_file(enum hk_res_layout layout, const char *path, hk_res_fn fn, void *ctx,
		      struct hk_res_info *info, struct hk_err *err);
int hk_res_parse_mem(enum hk_res_layout layout, const void *data, size_t len, const char *name, hk_res_fn fn,
		     void *ctx, struct hk_res_info *info, struct hk_err *err);
bool hk_zogen_sniff(const char *head, size_t n);
bool hk_furikae_sniff(const char *head, size_t n);

/* ---- ingest (returns_ingest.c) ---- */

enum hk_notice_kind { HK_NOTICE_HENREI = 1, HK_NOTICE_ZOGEN, HK_NOTICE_FURIKAE };

struct hk_res_ingest_stats {
	char sha256[65];
	bool duplicate;             /* same SHA-256 applied before: nothing done */
	long long notice_id;
	long items;                 /* returned receipts / detail rows / switches */
	long matched, unmatched;
	long reasons;               /* HR records (returns) */
	long switched;              /* coverage changes made (振替・分割, incl. history SN 04/05) */
	long long amount;           /* Σ 増減金額 (zogen) */
};

struct hk_res_ingest;
int hk_res_ingest_open(sqlite3 *db, struct hk_res_ingest **out, struct hk_err *err);
/* One file, one transaction: all or nothing. */
int hk_res_ingest_file(struct hk_res_ingest *in, enum hk_notice_kind kind, const char *path,
		       struct hk_res_ingest_stats *st, struct hk_err *err);
void hk_res_ingest_close(struct hk_res_ingest *in);

/* Match a result item to a receipt: by 検索番号, by 訪問看護記録番号等, by
 * (service month, patient (the key part of the record key), insurer), then by
 * (service month, insurer, レセプト番号 [, review body]).  Superseded receipts
 * never match.  0 = none. */
struct hk_match_key {
	const char *search_no, *record_key, *service_month, *insurer, *receipt_no;
	int body;
};
long long hk_res_match(sqlite3 *db, const struct hk_match_key *k, struct hk_err *err, int *how);

/* ---- receipt lifecycle ---- */

/* Set the receipt's state and append the transition (time from the one
 * clock, source = file or command).  No-op when already in that state. */
int hk_receipt_transition(sqlite3 *db, long long receipt_id, const char *state, const char *source,
			  struct hk_err *err);

/* ---- re-claim from the database (returns_reclaim.c) ---- */

struct hk_reclaim_opts {
	const char *db_path;
	int claim_year, claim_month;
	const char *service_month;  /* "YYYY-MM" or NULL = every open return */
	const char *out_dir;
	const char *master_root;
};

struct hk_reclaim_stats {
	long long run_id;           /* the re-claim run (0 if nothing to do) */
	long reclaimed[3];          /* per body: receipts re-claimed with 検索番号 and history */
	long fresh[3];              /* per body: receipts moved to a fresh first-claim file */
	long left;                  /* open returns that could not be rebuilt (listed in report) */
	char paths[6][4096];        /* files written, "" if none: [body] re-claim, [3+body] fresh */
};

/* report (may be NULL) gets one UTF-8 line per return left open. */
int hk_reclaim_db(const struct hk_reclaim_opts *o, FILE *report, struct hk_reclaim_stats *st, struct hk_err *err);

#endif
