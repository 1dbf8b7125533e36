/*
 * fees.h - the fee engine: from a patient's visits in a month to the
 * 訪問看護療養費 (KA) lines, using the 訪問看護療養費マスター in force.
 *
 * Visits carry facts (date, times, staff, instruction family, flags); the
 * engine picks the codes (claims/fee_tables.c: which code for which facts),
 * fills 職種等 / 同日訪問回数 / 指示区分 / 数量データ as the master requires
 * (作成手引き 第18章), folds %-add-ons into their base line, puts monthly items
 * on the first visit day, and then enforces, from the master tables, the
 * station's 施設基準, age limits, 算定回数限度 and 併算定背反.  An item that
 * may not be claimed is left out and reported (struct hk_fee_note), never
 * billed silently.  docs/fees.md describes every rule.
 *
 * The engine works on the whole patient-month (week and month counts do not
 * care about a mid-month change of insurer); the claim run then assigns each
 * line to the receipt whose coverage holds on its date.
 */
#ifndef HK_FEES_H
#define HK_FEES_H
#include <stdbool.h>
#include "base/hk.h"
#include "base/date.h"

struct hk_master;

#define HK_STAFF_MAX 20  /* 職種等: at most 10 two-byte codes */

struct hk_fee_visit {
	long long id;
	struct hk_date date;
	int start, end;             /* minutes since midnight; end < start = past midnight */
	char staff[3], staff2[3];   /* 別表20 base codes 01..10; staff2 "" if none */
	char family[3];             /* visit.instruction_kind: 01/02 general, 03/04 精神科, 05/06 医療観察 */
	bool emergency, long_visit, multi, terminal, outing;
	bool specialist;            /* 専門の研修を受けた看護師による訪問 (基本療養費Ⅰ/Ⅱ ハ) */
	int special_mgmt;           /* 0, 1 (重症度等の高い), 2 */
	int building;               /* 同一建物居住者 visited that day (1..) */
	const char *items;          /* explicit codes: "CODE[*N][:QTY][@TJ] ..." or NULL */
};

struct hk_fee_instruction {
	char kind[3];               /* 別表12 */
	struct hk_date from, to;
};

struct hk_fee_patient {
	struct hk_date birth;
	bool consent_24h;
	bool beppyo7, beppyo8;      /* JS 基準告示第2の1 疾病等 (別表13 01 / 02) */
	bool severe_child;          /* 別表14 091 超重症児 / 092 準超重症児 */
	bool has_death;
	struct hk_date death;
};

struct hk_fee_station {
	const int *standards;          /* 施設基準コード valid in the month (e.g. 1610) */
	int nstandards;
	bool special_area;
	bool online_elig;
};

struct hk_fee_ctx {
	const struct hk_master *master;
	const struct hk_fee_station *station;
	const struct hk_fee_patient *patient;
	const struct hk_fee_instruction *instr;
	int ninstr;
	int year, month;
	int prior_week_days;        /* visit days in the month's first 暦週 before the 1st */
};

struct hk_ka {
	struct hk_date date;
	long day;                   /* hk_date_to_days(date) */
	char code[10];
	unsigned key;               /* code as a number, for fast comparison */
	const struct hk_master_item *it; /* its master row on date (valid while the master is loaded) */
	long qty;                   /* 数量データ; 0 = empty */
	long amount;                /* 金額 (yen) */
	char staff[HK_STAFF_MAX + 1];  /* 職種等 */
	char count[3];              /* 同日訪問回数 */
	char instr[3];              /* 指示区分 */
	char tj[3];                 /* 別表18 情報提供先 for a TJ record, "" if none */
	int col, role, item;        /* sort key: レセプト表示欄, base/%/add-on, 表示項 */
	int seq;                    /* generation order, last sort key */
	bool visit_day;             /* a visit happened on this date (JD 1) */
	bool dropped;
};

struct hk_fee_note {
	struct hk_date date;
	char code[10];              /* the item left out, or "" */
	char msg[240];
};

struct hk_fee_result {
	struct hk_ka *ka;
	int nka, aka;
	struct hk_fee_note *notes;
	int nnotes, anotes;
};

void hk_fee_result_free(struct hk_fee_result *r);

/* Derive the KA lines of visits[0..n) (one patient, one month, sorted by date
 * and start time).  Returns 0 (notes may say what was left out), -1 on a
 * failure that is not the data's fault (err). */
int hk_fees_derive(const struct hk_fee_ctx *ctx, const struct hk_fee_visit *visits, int n,
		   struct hk_fee_result *out, struct hk_err *err);

/* Day of the week index used for 週 counts: days since the Sunday that starts
 * the 暦週 containing d. */
long hk_week_of(struct hk_date d);

#endif
