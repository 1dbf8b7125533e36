/*
 * benefit.h - who pays what: the person class of a receipt, its レセプト種別
 * (記録条件仕様 別表4), the review body it goes to, and the burden split
 * between insurer, 公費 and patient.  docs/burden.md explains every rule and
 * says which are from the official documents and which are our reading.
 */
#ifndef HK_BENEFIT_H
#define HK_BENEFIT_H
#include <stdbool.h>
#include "base/hk.h"
#include "base/date.h"

enum hk_ins_kind { HK_INS_NONE = 0, HK_INS_SHAHO, HK_INS_KOKUHO, HK_INS_KOUKI };
enum hk_person {
	HK_P_HONNIN,      /* 本人/世帯主 (別表4 4th digit 2) */
	HK_P_KAZOKU,      /* 家族/その他 (6) */
	HK_P_MISHUUGAKU,  /* 未就学者 (4) */
	HK_P_KOUREI,      /* 高齢受給者 一般・低所得者 (8) */
	HK_P_KOUREI7,     /* 高齢受給者 7割 (0) */
};

/* "shaho" etc. / "honnin" etc. as stored in the coverage table; -1 if unknown. */
int hk_ins_kind_parse(const char *s);
int hk_person_parse(const char *s);
const char *hk_person_label(enum hk_person p);

/* First day on which a person born on `birth` is no longer 未就学 (義務教育就学前):
 * April 1st after the 6th birthday's eve (the day before the birthday). */
struct hk_date hk_school_start(struct hk_date birth);
/* First day of 高齢受給者 status: the 1st of the month after the month of the
 * day before the 70th birthday (so a 1st-of-month birthday starts that month). */
struct hk_date hk_kourei_start(struct hk_date birth);

/*
 * The person class on date `on` for 社保/国保 coverage declared as honnin or
 * kazoku (or already a derived class): 未就学者 before school age, 高齢受給者
 * from the month after turning 70 (7割 when the coverage's ratio is 30,
 * else 一般・低所得).  For 後期 it is KOUREI (一般・低所得, ratio 10/20) or
 * KOUREI7 (ratio 30).
 */
enum hk_person hk_person_on(enum hk_ins_kind kind, enum hk_person declared, int ratio,
			    struct hk_date birth, struct hk_date on);
/* The statutory patient share in percent for a class (後期: the coverage's ratio). */
int hk_person_ratio(enum hk_ins_kind kind, enum hk_person p, int coverage_ratio);

/* レセプト種別 (別表4) into out[5]; npub = number of 公費 (0..4).  -1 if impossible. */
int hk_receipt_type(enum hk_ins_kind kind, enum hk_person p, int npub, char out[5]);

/* 審査支払機関 (別表1): 社保 → 1; 国保, 後期 → 2; 公費単独 by the first 公費's
 * 法別番号 via the routing table (docs/routing.md; default 1). */
int hk_route_body(enum hk_ins_kind kind, const char *first_payer);

/* 法別番号 priority for KO order (作成手引き 第4章4); lower first; 地方単独 last. */
int hk_public_priority(const char *payer);

/* What a 公費 does to the patient's share (docs/burden.md, table by 法別番号). */
struct hk_public_rule {
	const char *law;        /* 法別番号, "" = default */
	const char *name;
	int ratio;              /* patient share under this 公費, percent (-1: unchanged) */
	bool records_share;     /* KO 一部負担金額 is recorded */
	int body;               /* review body for 公費単独 receipts */
};
const struct hk_public_rule *hk_public_rule(const char *payer);

/* 四捨五入 to 10 yen (健康保険法第75条). */
long hk_round10(long yen);

/* 高額療養費 自己負担限度額 (monthly, yen) for a 限度額適用区分 code (A01..A06,
 * B01..B10) and the month's total medical cost; `many` = 多数回該当.
 * -1 if the code is unknown. */
long hk_limit_amount(const char *limit_class, long total, bool many);

/*
 * The burden split of one receipt.  Lines are grouped by payer set (a bit mask:
 * bit 0 = insurance, bit k = 公費 k in KO order); amount[mask] is the sum of
 * the KA amounts with that 負担区分.
 */
#define HK_PAYER_SLOTS 5
struct hk_burden_in {
	enum hk_ins_kind kind;       /* HK_INS_NONE for 公費単独/併用 */
	int ratio;                   /* patient share percent under insurance */
	const char *limit_class;     /* NULL or "" = no 高額療養費 現物給付 */
	int kougaku;                 /* 0 none, 1 現物給付, 2 多数回 */
	int npub;
	const char *payer[HK_PAYER_SLOTS - 1]; /* 公費負担者番号, KO order */
	long cap[HK_PAYER_SLOTS - 1];          /* monthly cap remaining, -1 = none */
	long amount[1 << HK_PAYER_SLOTS];
};
struct hk_burden_out {
	long total[HK_PAYER_SLOTS];      /* HO / KO 合計金額 */
	long ins_share;                  /* patient share at the insurance stage (after 高額 cap) */
	bool ins_share_recorded;         /* HO 一部負担金額 is written (高額療養費 現物給付) */
	long pub_share[HK_PAYER_SLOTS - 1]; /* KO 一部負担金額 */
	bool pub_share_recorded[HK_PAYER_SLOTS - 1];
	long insurer_pays, public_pays[HK_PAYER_SLOTS - 1];
	long patient;                    /* what the station collects (利用料) */
	char window[3];                  /* MF 窓口負担額区分: "00", "01", "02" */
};
int hk_burden_split(const struct hk_burden_in *in, struct hk_burden_out *out, struct hk_err *err);

#endif
