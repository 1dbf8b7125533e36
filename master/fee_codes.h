/*
 * fee_codes.h - which 訪問看護療養費コード the monthly claim run claims for
 * which visit facts (docs/fees.md).  A table, so the fee engine is driven by
 * data: amounts, 職種等, 同日訪問回数, 指示区分, limits and exclusions come
 * from the master (master/master.h) for the date; only the code choice lives
 * here.  Codes were read from 訪問看護療養費マスター 20240601 and are checked
 * against it by tests/unit/t_master_fees.c.
 *
 * Every key field is -1 when it does not matter for the row; a lookup key
 * must give every field the row uses (-1 in the key never matches a set field).
 */
#ifndef HK_FEE_CODES_H
#define HK_FEE_CODES_H
#include <stddef.h>

enum hk_fee_family {
	HK_FEE_BASIC_I = 1,     /* 訪問看護基本療養費（Ⅰ） */
	HK_FEE_BASIC_II,        /* 訪問看護基本療養費（Ⅱ） 同一建物居住者 */
	HK_FEE_BASIC_III,       /* 訪問看護基本療養費（Ⅲ） 外泊中 */
	HK_FEE_PSY_I,           /* 精神科訪問看護基本療養費（Ⅰ） */
	HK_FEE_PSY_III,         /* 精神科訪問看護基本療養費（Ⅲ） 同一建物居住者 */
	HK_FEE_PSY_IV,          /* 精神科訪問看護基本療養費（Ⅳ） 外泊中 */
	HK_FEE_MULTI_VISIT,     /* 難病等複数回訪問加算 / 精神科複数回訪問加算 (psy) */
	HK_FEE_SPECIAL_AREA,    /* 特別地域訪問看護加算 (％加算) */
	HK_FEE_EMERGENCY,       /* 緊急訪問看護加算 / 精神科緊急訪問看護加算 */
	HK_FEE_LONG,            /* 長時間訪問看護加算 / 長時間精神科訪問看護加算 */
	HK_FEE_INFANT,          /* 乳幼児加算 */
	HK_FEE_MULTI_STAFF,     /* 複数名訪問看護加算 / 複数名精神科訪問看護加算 */
	HK_FEE_NIGHT_EARLY,     /* 夜間・早朝訪問看護加算 */
	HK_FEE_LATE_NIGHT,      /* 深夜訪問看護加算 */
	HK_FEE_MGMT_FIRST,      /* 訪問看護管理療養費 月の初日 */
	HK_FEE_MGMT_DAILY,      /* 訪問看護管理療養費 月の2日目以降 */
	HK_FEE_24H,             /* 24時間対応体制加算 */
	HK_FEE_SPECIAL_MGMT,    /* 特別管理加算 */
	HK_FEE_DISCHARGE_JOINT, /* 退院時共同指導加算 */
	HK_FEE_SPECIAL_GUIDANCE,/* 特別管理指導加算 (with 退院時共同指導加算) */
	HK_FEE_DISCHARGE_SUPPORT, /* 退院支援指導加算 */
	HK_FEE_COLLAB,          /* 在宅患者連携指導加算 */
	HK_FEE_CONFERENCE,      /* 在宅患者緊急時等カンファレンス加算 */
	HK_FEE_PSY_SEVERE,      /* 精神科重症患者支援管理連携加算 */
	HK_FEE_CARE_COLLAB,     /* 看護・介護職員連携強化加算 */
	HK_FEE_SPECIALIST_MGMT, /* 専門管理加算 */
	HK_FEE_DX,              /* 訪問看護医療DX情報活用加算 */
	HK_FEE_INFO,            /* 訪問看護情報提供療養費 */
	HK_FEE_TERMINAL,        /* 訪問看護ターミナルケア療養費 */
	HK_FEE_TERMINAL_REMOTE, /* 遠隔死亡診断補助加算 */
	HK_FEE_BASEUP_1,        /* 訪問看護ベースアップ評価料（Ⅰ） */
	HK_FEE_BASEUP_2,        /* 訪問看護ベースアップ評価料（Ⅱ） */
};

/* Who made the visit (bases) or who accompanied (複数名: the second person). */
enum hk_fee_staff {
	HK_FS_NURSE = 1,     /* 保健師・助産師・看護師 (精神科: 保健師・看護師; 精神科複数名: also 作業療法士) */
	HK_FS_ASSOC = 2,     /* 准看護師 */
	HK_FS_THERAPIST = 3, /* 理学療法士・作業療法士・言語聴覚士 (基本療養費) */
	HK_FS_OT = 4,        /* 作業療法士 (精神科) */
	HK_FS_SPECIALIST = 5,/* 専門の研修を受けた看護師 (基本療養費 Ⅰ/Ⅱ ハ) */
	HK_FS_AIDE = 6       /* 複数名: その他職員 / 看護補助者・精神保健福祉士 */
};

struct hk_fee_key {
	int family;      /* enum hk_fee_family */
	int psy;         /* add-ons: 0 with 訪問看護基本療養費, 1 with 精神科訪問看護基本療養費 */
	int staff;       /* enum hk_fee_staff */
	int week4;       /* 0 = 週3日目まで, 1 = 週4日目以降 */
	int bldg3;       /* 同一建物内: 0 = Ⅱ/Ⅲ 同一日に2人, add-ons 1人又は2人; 1 = 3人以上 */
	int min30;       /* 精神科: 1 = 30分以上, 0 = 30分未満 */
	int nth;         /* visits that day: 1, 2, 3 (= 3回以上) */
	int designated;  /* 1 = 別に厚生労働大臣が定める者/場合 */
	int variant;     /* family-specific: station level, day-of-month class, number (docs/fees.md) */
};

struct hk_fee_code {
	struct hk_fee_key key;
	const char *code;
};

extern const struct hk_fee_code hk_fee_codes[];
extern const size_t hk_fee_ncodes;

/* The code for the facts in key, or NULL if no row or more than one row matches. */
const char *hk_fee_code_for(const struct hk_fee_key *key);

/* A key with every field -1 and the family set (inline: the claim run makes
 * several per visit day). */
static inline struct hk_fee_key hk_fee_key(int family)
{
	struct hk_fee_key k = {family, -1, -1, -1, -1, -1, -1, -1, -1};
	return k;
}

#endif
