/*
 * fee_codes.c - the (family, visit facts) -> 訪問看護療養費コード table
 * (master/fee_codes.h, docs/fees.md).  One row per code; X = does not matter.
 * Columns: family, psy, staff, week4, bldg3, min30, nth, designated, variant.
 */
#include "master/fee_codes.h"
#include <string.h>

#define X (-1)
#define R(fam, psy, st, w4, b3, m30, nth, des, var, code) \
	{{HK_FEE_##fam, psy, st, w4, b3, m30, nth, des, var}, code}
#define NU HK_FS_NURSE
#define AS HK_FS_ASSOC
#define TH HK_FS_THERAPIST
#define OT HK_FS_OT
#define SP HK_FS_SPECIALIST
#define AI HK_FS_AIDE

const struct hk_fee_code hk_fee_codes[] = {
	/* 訪問看護基本療養費（Ⅰ） */
	R(BASIC_I, X, NU, 0, X, X, X, X, X, "510000110"),
	R(BASIC_I, X, NU, 1, X, X, X, X, X, "510000210"),
	R(BASIC_I, X, AS, 0, X, X, X, X, X, "510000310"),
	R(BASIC_I, X, AS, 1, X, X, X, X, X, "510000410"),
	R(BASIC_I, X, SP, X, X, X, X, X, X, "510000510"),
	R(BASIC_I, X, TH, 0, X, X, X, X, X, "510000610"),
	R(BASIC_I, X, TH, 1, X, X, X, X, X, "510004110"),
	/* 訪問看護基本療養費（Ⅱ）: bldg3 0 = 同一日に2人, 1 = 3人以上 */
	R(BASIC_II, X, NU, 0, 0, X, X, X, X, "510000710"),
	R(BASIC_II, X, NU, 1, 0, X, X, X, X, "510000810"),
	R(BASIC_II, X, NU, 0, 1, X, X, X, X, "510000910"),
	R(BASIC_II, X, NU, 1, 1, X, X, X, X, "510001010"),
	R(BASIC_II, X, AS, 0, 0, X, X, X, X, "510001110"),
	R(BASIC_II, X, AS, 1, 0, X, X, X, X, "510001210"),
	R(BASIC_II, X, AS, 0, 1, X, X, X, X, "510001310"),
	R(BASIC_II, X, AS, 1, 1, X, X, X, X, "510001410"),
	R(BASIC_II, X, SP, X, X, X, X, X, X, "510001510"),
	R(BASIC_II, X, TH, 0, 0, X, X, X, X, "510001610"),
	R(BASIC_II, X, TH, 1, 0, X, X, X, X, "510004210"),
	R(BASIC_II, X, TH, 0, 1, X, X, X, X, "510001710"),
	R(BASIC_II, X, TH, 1, 1, X, X, X, X, "510004310"),
	/* 訪問看護基本療養費（Ⅲ） */
	R(BASIC_III, X, X, X, X, X, X, X, X, "510001810"),
	/* 精神科訪問看護基本療養費（Ⅰ） */
	R(PSY_I, X, NU, 0, X, 1, X, X, X, "530000110"),
	R(PSY_I, X, NU, 0, X, 0, X, X, X, "530000210"),
	R(PSY_I, X, NU, 1, X, 1, X, X, X, "530000310"),
	R(PSY_I, X, NU, 1, X, 0, X, X, X, "530000410"),
	R(PSY_I, X, OT, 0, X, 1, X, X, X, "530005110"),
	R(PSY_I, X, OT, 0, X, 0, X, X, X, "530005210"),
	R(PSY_I, X, OT, 1, X, 1, X, X, X, "530005310"),
	R(PSY_I, X, OT, 1, X, 0, X, X, X, "530005410"),
	R(PSY_I, X, AS, 0, X, 1, X, X, X, "530000510"),
	R(PSY_I, X, AS, 0, X, 0, X, X, X, "530000610"),
	R(PSY_I, X, AS, 1, X, 1, X, X, X, "530000710"),
	R(PSY_I, X, AS, 1, X, 0, X, X, X, "530000810"),
	/* 精神科訪問看護基本療養費（Ⅲ） */
	R(PSY_III, X, NU, 0, 0, 1, X, X, X, "530000910"),
	R(PSY_III, X, NU, 0, 0, 0, X, X, X, "530001010"),
	R(PSY_III, X, NU, 1, 0, 1, X, X, X, "530001110"),
	R(PSY_III, X, NU, 1, 0, 0, X, X, X, "530001210"),
	R(PSY_III, X, NU, 0, 1, 1, X, X, X, "530001310"),
	R(PSY_III, X, NU, 0, 1, 0, X, X, X, "530001410"),
	R(PSY_III, X, NU, 1, 1, 1, X, X, X, "530001510"),
	R(PSY_III, X, NU, 1, 1, 0, X, X, X, "530001610"),
	R(PSY_III, X, OT, 0, 0, 1, X, X, X, "530005510"),
	R(PSY_III, X, OT, 0, 0, 0, X, X, X, "530005610"),
	R(PSY_III, X, OT, 1, 0, 1, X, X, X, "530005710"),
	R(PSY_III, X, OT, 1, 0, 0, X, X, X, "530005810"),
	R(PSY_III, X, OT, 0, 1, 1, X, X, X, "530005910"),
	R(PSY_III, X, OT, 0, 1, 0, X, X, X, "530006010"),
	R(PSY_III, X, OT, 1, 1, 1, X, X, X, "530006110"),
	R(PSY_III, X, OT, 1, 1, 0, X, X, X, "530006210"),
	R(PSY_III, X, AS, 0, 0, 1, X, X, X, "530001710"),
	R(PSY_III, X, AS, 0, 0, 0, X, X, X, "530001810"),
	R(PSY_III, X, AS, 1, 0, 1, X, X, X, "530001910"),
	R(PSY_III, X, AS, 1, 0, 0, X, X, X, "530002010"),
	R(PSY_III, X, AS, 0, 1, 1, X, X, X, "530002110"),
	R(PSY_III, X, AS, 0, 1, 0, X, X, X, "530002210"),
	R(PSY_III, X, AS, 1, 1, 1, X, X, X, "530002310"),
	R(PSY_III, X, AS, 1, 1, 0, X, X, X, "530002410"),
	/* 精神科訪問看護基本療養費（Ⅳ） */
	R(PSY_IV, X, X, X, X, X, X, X, X, "530002510"),
	/* 難病等複数回訪問加算 / 精神科複数回訪問加算: nth 2 or 3 (3回以上) */
	R(MULTI_VISIT, 0, X, X, 0, X, 2, X, X, "510001970"),
	R(MULTI_VISIT, 0, X, X, 1, X, 2, X, X, "510002070"),
	R(MULTI_VISIT, 0, X, X, 0, X, 3, X, X, "510002170"),
	R(MULTI_VISIT, 0, X, X, 1, X, 3, X, X, "510002270"),
	R(MULTI_VISIT, 1, X, X, 0, X, 2, X, X, "530004570"),
	R(MULTI_VISIT, 1, X, X, 1, X, 2, X, X, "530004670"),
	R(MULTI_VISIT, 1, X, X, 0, X, 3, X, X, "530004770"),
	R(MULTI_VISIT, 1, X, X, 1, X, 3, X, X, "530004870"),
	/* 特別地域訪問看護加算 (50%) */
	R(SPECIAL_AREA, 0, X, X, X, X, X, X, X, "510002370"),
	R(SPECIAL_AREA, 1, X, X, X, X, X, X, X, "530002670"),
	/* 緊急: variant 0 = 月14日目まで, 1 = 月15日目以降 */
	R(EMERGENCY, 0, X, X, X, X, X, X, 0, "510002470"),
	R(EMERGENCY, 0, X, X, X, X, X, X, 1, "510004570"),
	R(EMERGENCY, 1, X, X, X, X, X, X, 0, "530002770"),
	R(EMERGENCY, 1, X, X, X, X, X, X, 1, "530005070"),
	/* 長時間 */
	R(LONG, 0, X, X, X, X, X, 0, X, "510002570"),
	R(LONG, 0, X, X, X, X, X, 1, X, "510004470"),
	R(LONG, 1, X, X, X, X, X, 0, X, "530002870"),
	R(LONG, 1, X, X, X, X, X, 1, X, "530004970"),
	/* 乳幼児 */
	R(INFANT, X, X, X, X, X, X, 0, X, "510002670"),
	R(INFANT, X, X, X, X, X, X, 1, X, "510004670"),
	/* 複数名 (基本療養費): staff = the second person */
	R(MULTI_STAFF, 0, NU, X, 0, X, X, X, X, "510002770"),
	R(MULTI_STAFF, 0, NU, X, 1, X, X, X, X, "510002870"),
	R(MULTI_STAFF, 0, AS, X, 0, X, X, X, X, "510002970"),
	R(MULTI_STAFF, 0, AS, X, 1, X, X, X, X, "510003070"),
	R(MULTI_STAFF, 0, AI, X, 0, X, X, 0, X, "510003170"),
	R(MULTI_STAFF, 0, AI, X, 1, X, X, 0, X, "510003270"),
	R(MULTI_STAFF, 0, AI, X, 0, X, 1, 1, X, "510003370"),
	R(MULTI_STAFF, 0, AI, X, 1, X, 1, 1, X, "510003470"),
	R(MULTI_STAFF, 0, AI, X, 0, X, 2, 1, X, "510003570"),
	R(MULTI_STAFF, 0, AI, X, 1, X, 2, 1, X, "510003670"),
	R(MULTI_STAFF, 0, AI, X, 0, X, 3, 1, X, "510003770"),
	R(MULTI_STAFF, 0, AI, X, 1, X, 3, 1, X, "510003870"),
	/* 複数名精神科: NU = 保健師・看護師・作業療法士 */
	R(MULTI_STAFF, 1, NU, X, 0, X, 1, X, X, "530002970"),
	R(MULTI_STAFF, 1, NU, X, 1, X, 1, X, X, "530003070"),
	R(MULTI_STAFF, 1, NU, X, 0, X, 2, X, X, "530003170"),
	R(MULTI_STAFF, 1, NU, X, 1, X, 2, X, X, "530003270"),
	R(MULTI_STAFF, 1, NU, X, 0, X, 3, X, X, "530003370"),
	R(MULTI_STAFF, 1, NU, X, 1, X, 3, X, X, "530003470"),
	R(MULTI_STAFF, 1, AS, X, 0, X, 1, X, X, "530003570"),
	R(MULTI_STAFF, 1, AS, X, 1, X, 1, X, X, "530003670"),
	R(MULTI_STAFF, 1, AS, X, 0, X, 2, X, X, "530003770"),
	R(MULTI_STAFF, 1, AS, X, 1, X, 2, X, X, "530003870"),
	R(MULTI_STAFF, 1, AS, X, 0, X, 3, X, X, "530003970"),
	R(MULTI_STAFF, 1, AS, X, 1, X, 3, X, X, "530004070"),
	R(MULTI_STAFF, 1, AI, X, 0, X, X, X, X, "530004170"),
	R(MULTI_STAFF, 1, AI, X, 1, X, X, X, X, "530004270"),
	/* 夜間・早朝 / 深夜 */
	R(NIGHT_EARLY, 0, X, X, X, X, X, X, X, "510003970"),
	R(NIGHT_EARLY, 1, X, X, X, X, X, X, X, "530004370"),
	R(LATE_NIGHT, 0, X, X, X, X, X, X, X, "510004070"),
	R(LATE_NIGHT, 1, X, X, X, X, X, X, X, "530004470"),
	/* 管理療養費: 月の初日 variant = 機能強化型 1/2/3, 0 = その他; 2日目以降 variant = 管理療養費 1 (イ) / 2 (ロ) */
	R(MGMT_FIRST, X, X, X, X, X, X, X, 1, "550000110"),
	R(MGMT_FIRST, X, X, X, X, X, X, X, 2, "550000210"),
	R(MGMT_FIRST, X, X, X, X, X, X, X, 3, "550000310"),
	R(MGMT_FIRST, X, X, X, X, X, X, X, 0, "550000410"),
	R(MGMT_DAILY, X, X, X, X, X, X, X, 1, "550000510"),
	R(MGMT_DAILY, X, X, X, X, X, X, X, 2, "550002010"),
	/* 24時間対応体制加算: variant 1 = イ 負担軽減の取組あり, 0 = ロ (イ以外) */
	R(24H, X, X, X, X, X, X, X, 1, "550002170"),
	R(24H, X, X, X, X, X, X, X, 0, "550000670"),
	/* 特別管理加算: variant 1 = 重症度等の高いもの (5000), 0 = それ以外 (2500) */
	R(SPECIAL_MGMT, X, X, X, X, X, X, X, 0, "550000770"),
	R(SPECIAL_MGMT, X, X, X, X, X, X, X, 1, "550000870"),
	R(DISCHARGE_JOINT, X, X, X, X, X, X, X, X, "550000970"),
	R(SPECIAL_GUIDANCE, X, X, X, X, X, X, X, X, "550001070"),
	R(DISCHARGE_SUPPORT, X, X, X, X, X, X, 0, X, "550001170"),
	R(DISCHARGE_SUPPORT, X, X, X, X, X, X, 1, X, "550001270"),
	R(COLLAB, X, X, X, X, X, X, X, X, "550001370"),
	R(CONFERENCE, X, X, X, X, X, X, X, X, "550001470"),
	/* 精神科重症患者支援管理連携加算: variant 1 = 支援管理料2のイ, 2 = ロ */
	R(PSY_SEVERE, X, X, X, X, X, X, X, 1, "550001570"),
	R(PSY_SEVERE, X, X, X, X, X, X, X, 2, "550001670"),
	/* 看護・介護職員連携強化加算: variant = the station's 24時間対応体制加算 (1 イ, 0 ロ) */
	R(CARE_COLLAB, X, X, X, X, X, X, X, 1, "550002370"),
	R(CARE_COLLAB, X, X, X, X, X, X, X, 0, "550001770"),
	/* 専門管理加算: variant 1 = 専門の研修 (緩和・褥瘡・人工肛門等), 2 = 特定行為研修 */
	R(SPECIALIST_MGMT, X, X, X, X, X, X, X, 1, "550001870"),
	R(SPECIALIST_MGMT, X, X, X, X, X, X, X, 2, "550001970"),
	R(DX, X, X, X, X, X, X, X, X, "550002270"),
	/* 情報提供療養費 1/2/3 */
	R(INFO, X, X, X, X, X, X, X, 1, "570000110"),
	R(INFO, X, X, X, X, X, X, X, 2, "570000210"),
	R(INFO, X, X, X, X, X, X, X, 3, "570000310"),
	/* ターミナルケア療養費 1/2, 遠隔死亡診断補助加算 */
	R(TERMINAL, X, X, X, X, X, X, X, 1, "580000110"),
	R(TERMINAL, X, X, X, X, X, X, X, 2, "580000210"),
	R(TERMINAL_REMOTE, X, X, X, X, X, X, X, X, "580000370"),
	/* ベースアップ評価料（Ⅰ）, （Ⅱ）1–18 */
	R(BASEUP_1, X, X, X, X, X, X, X, X, "590000110"),
	R(BASEUP_2, X, X, X, X, X, X, X, 1, "590000210"),
	R(BASEUP_2, X, X, X, X, X, X, X, 2, "590000310"),
	R(BASEUP_2, X, X, X, X, X, X, X, 3, "590000410"),
	R(BASEUP_2, X, X, X, X, X, X, X, 4, "590000510"),
	R(BASEUP_2, X, X, X, X, X, X, X, 5, "590000610"),
	R(BASEUP_2, X, X, X, X, X, X, X, 6, "590000710"),
	R(BASEUP_2, X, X, X, X, X, X, X, 7, "590000810"),
	R(BASEUP_2, X, X, X, X, X, X, X, 8, "590000910"),
	R(BASEUP_2, X, X, X, X, X, X, X, 9, "590001010"),
	R(BASEUP_2, X, X, X, X, X, X, X, 10, "590001110"),
	R(BASEUP_2, X, X, X, X, X, X, X, 11, "590001210"),
	R(BASEUP_2, X, X, X, X, X, X, X, 12, "590001310"),
	R(BASEUP_2, X, X, X, X, X, X, X, 13, "590001410"),
	R(BASEUP_2, X, X, X, X, X, X, X, 14, "590001510"),
	R(BASEUP_2, X, X, X, X, X, X, X, 15, "590001610"),
	R(BASEUP_2, X, X, X, X, X, X, X, 16, "590001710"),
	R(BASEUP_2, X, X, X, X, X, X, X, 17, "590001810"),
	R(BASEUP_2, X, X, X, X, X, X, X, 18, "590001910"),
};
const size_t hk_fee_ncodes = sizeof(hk_fee_codes) / sizeof(hk_fee_codes[0]);

/* A row field of -1 matches anything; otherwise the key must equal it. */
static int field_ok(int row, int key)
{
	return row == X || row == key;
}

const char *hk_fee_code_for(const struct hk_fee_key *k)
{
	const char *hit = NULL;
	for (size_t i = 0; i < hk_fee_ncodes; i++) {
		const struct hk_fee_key *r = &hk_fee_codes[i].key;
		if (r->family != k->family || !field_ok(r->psy, k->psy) || !field_ok(r->staff, k->staff) ||
		    !field_ok(r->week4, k->week4) || !field_ok(r->bldg3, k->bldg3) ||
		    !field_ok(r->min30, k->min30) || !field_ok(r->nth, k->nth) ||
		    !field_ok(r->designated, k->designated) || !field_ok(r->variant, k->variant))
			continue;
		if (hit)
			return NULL; /* ambiguous: the key lacks a fact the rows need */
		hit = hk_fee_codes[i].code;
	}
	return hit;
}
