/*
 * t_master_fees.c - the fee-code table (master/fee_codes.c) against the
 * 訪問看護療養費マスター 20240601: every code exists, every non-医療観察 code is
 * in the table once, each row's facts agree with the words of the master's
 * 基本名称, and no two rows can answer the same key.
 */
#include <stdio.h>
#include <string.h>
#include "tests/unit/harness.h"
#include "master/fee_codes.h"
#include "master/master.h"

static const struct hk_date ON = {2024, 7, 1};

static struct hk_master *load(void)
{
	static struct hk_master *m;
	struct hk_err err = {0};
	if (!m && hk_master_load("data/master", ON, &m, &err) < 0) {
		printf("    %s\n", err.msg);
		return NULL;
	}
	return m;
}

static int has(const char *name, const char *word)
{
	return strstr(name, word) != NULL;
}

/* The facts of row r, checked against the words of its master name; returns a reason or NULL. */
static const char *disagrees(const struct hk_fee_code *r, const char *name)
{
	const struct hk_fee_key *k = &r->key;
	int base = k->family <= HK_FEE_PSY_IV;
	if (k->week4 == 0 && !has(name, "週３日目まで")) return "week4 0 but not 週３日目まで";
	if (k->week4 == 1 && !has(name, "週４日目以降")) return "week4 1 but not 週４日目以降";
	if (k->min30 == 1 && !has(name, "３０分以上")) return "min30 1 but not ３０分以上";
	if (k->min30 == 0 && !has(name, "３０分未満")) return "min30 0 but not ３０分未満";
	if (base && k->bldg3 == 0 && !has(name, "同一日に２人")) return "bldg3 0 but not 同一日に２人";
	if (base && k->bldg3 == 1 && !has(name, "同一日に３人以上")) return "bldg3 1 but not 同一日に３人以上";
	if (!base && k->bldg3 == 0 && !has(name, "同一建物内１人又は２人")) return "bldg3 0 but not 同一建物内１人又は２人";
	if (!base && k->bldg3 == 1 && !has(name, "同一建物内３人以上")) return "bldg3 1 but not 同一建物内３人以上";
	if (k->psy == 1 && !has(name, "精神科")) return "psy 1 but not 精神科";
	if (k->psy == 0 && has(name, "精神科")) return "psy 0 but 精神科";
	if (k->nth == 1 && !has(name, "１日に１回")) return "nth 1 but not １日に１回";
	if (k->nth == 2 && !has(name, "１日に２回")) return "nth 2 but not １日に２回";
	if (k->nth == 3 && !has(name, "１日に３回以上")) return "nth 3 but not １日に３回以上";
	if (k->designated == 1 && (!has(name, "別に厚生労働大臣が定める") || has(name, "定める場合を除く")))
		return "designated 1 but not 別に厚生労働大臣が定める (者/場合に限る)";
	if (k->designated == 0 && has(name, "定める") && !has(name, "定める場合を除く"))
		return "designated 0 but 別に厚生労働大臣が定める";
	if (base) {
		if (k->staff == HK_FS_NURSE && !has(name, "保健師")) return "staff nurse but not 保健師";
		if (k->staff == HK_FS_ASSOC && !has(name, "准看護師による")) return "staff assoc but not 准看護師による";
		if (k->staff == HK_FS_THERAPIST && !has(name, "理学療法士")) return "staff therapist but not 理学療法士";
		if (k->staff == HK_FS_OT && !has(name, "作業療法士による")) return "staff OT but not 作業療法士による";
		if (k->staff == HK_FS_SPECIALIST && !has(name, "専門の研修")) return "staff specialist but not 専門の研修";
	} else if (k->family == HK_FEE_MULTI_STAFF) {
		if (k->staff == HK_FS_ASSOC && !has(name, "准看護師と同時")) return "2nd assoc but not 准看護師と同時";
		if (k->staff == HK_FS_AIDE && !(has(name, "その他職員") || has(name, "看護補助者")))
			return "2nd aide but not その他職員/看護補助者";
		if (k->staff == HK_FS_NURSE && (has(name, "准看護師と同時") || has(name, "その他職員") || has(name, "看護補助者")))
			return "2nd nurse but 准看護師/その他職員";
	}
	switch (k->family) {
	case HK_FEE_BASIC_I: return has(name, "訪問看護基本療養費１") && !has(name, "精神科") ? NULL : "not 基本療養費１";
	case HK_FEE_BASIC_II: return has(name, "訪問看護基本療養費２") && !has(name, "精神科") ? NULL : "not 基本療養費２";
	case HK_FEE_BASIC_III: return has(name, "訪問看護基本療養費３") && !has(name, "精神科") ? NULL : "not 基本療養費３";
	case HK_FEE_PSY_I: return has(name, "精神科訪問看護基本療養費１") ? NULL : "not 精神科１";
	case HK_FEE_PSY_III: return has(name, "精神科訪問看護基本療養費３") ? NULL : "not 精神科３";
	case HK_FEE_PSY_IV: return has(name, "精神科訪問看護基本療養費４") ? NULL : "not 精神科４";
	case HK_FEE_MULTI_VISIT: return has(name, "複数回訪問加算") ? NULL : "not 複数回訪問加算";
	case HK_FEE_SPECIAL_AREA: return has(name, "特別地域訪問看護加算") ? NULL : "not 特別地域";
	case HK_FEE_EMERGENCY:
		if (!has(name, "緊急訪問看護加算")) return "not 緊急";
		return has(name, k->variant ? "月１５日目以降" : "月１４日目まで") ? NULL : "emergency day class";
	case HK_FEE_LONG: return has(name, "長時間") && has(name, "訪問看護加算") ? NULL : "not 長時間";
	case HK_FEE_INFANT: return has(name, "乳幼児加算") ? NULL : "not 乳幼児";
	case HK_FEE_MULTI_STAFF: return has(name, "複数名") ? NULL : "not 複数名";
	case HK_FEE_NIGHT_EARLY: return has(name, "夜間・早朝") ? NULL : "not 夜間・早朝";
	case HK_FEE_LATE_NIGHT: return has(name, "深夜") ? NULL : "not 深夜";
	case HK_FEE_MGMT_FIRST: {
		static const char *const lv[] = {"イからハまで以外", "機能強化型訪問看護管理療養費１",
						 "機能強化型訪問看護管理療養費２", "機能強化型訪問看護管理療養費３"};
		return has(name, "月の初日") && k->variant >= 0 && k->variant <= 3 && has(name, lv[k->variant]) ? NULL
			: "not 管理療養費 月の初日 of that level";
	}
	case HK_FEE_MGMT_DAILY:
		return has(name, "月の２日目以降") && has(name, k->variant == 1 ? "訪問看護管理療養費１" : "訪問看護管理療養費２")
			? NULL : "not 管理療養費 2日目以降 of that level";
	case HK_FEE_24H:
		return has(name, "２４時間対応体制加算") && !has(name, "連携強化") &&
		       has(name, k->variant ? "負担軽減" : "イ以外") ? NULL : "not 24時間 of that kind";
	case HK_FEE_SPECIAL_MGMT: return has(name, "特別管理加算") && (k->variant == 1) == has(name, "重症度") ? NULL : "not 特別管理";
	case HK_FEE_DISCHARGE_JOINT: return has(name, "退院時共同指導加算") ? NULL : "not 退院時共同指導";
	case HK_FEE_SPECIAL_GUIDANCE: return has(name, "特別管理指導加算") ? NULL : "not 特別管理指導";
	case HK_FEE_DISCHARGE_SUPPORT: return has(name, "退院支援指導加算") ? NULL : "not 退院支援指導";
	case HK_FEE_COLLAB: return has(name, "在宅患者連携指導加算") ? NULL : "not 連携指導";
	case HK_FEE_CONFERENCE: return has(name, "カンファレンス") ? NULL : "not カンファレンス";
	case HK_FEE_PSY_SEVERE:
		return has(name, "精神科重症患者支援管理連携加算") && has(name, k->variant == 1 ? "２のイ" : "２のロ") ? NULL : "not 精神科重症";
	case HK_FEE_CARE_COLLAB:
		return has(name, "看護・介護職員連携強化加算") && has(name, k->variant ? "負担軽減" : "イ以外") ? NULL : "not 連携強化";
	case HK_FEE_SPECIALIST_MGMT:
		return has(name, "専門管理加算") && has(name, k->variant == 1 ? "専門の研修" : "特定行為研修") ? NULL : "not 専門管理";
	case HK_FEE_DX: return has(name, "医療ＤＸ情報活用加算") ? NULL : "not DX";
	case HK_FEE_INFO: {
		static const char *const n[] = {"", "情報提供療養費１", "情報提供療養費２", "情報提供療養費３"};
		return k->variant >= 1 && k->variant <= 3 && has(name, n[k->variant]) ? NULL : "not 情報提供 of that number";
	}
	case HK_FEE_TERMINAL:
		return has(name, k->variant == 1 ? "ターミナルケア療養費１" : "ターミナルケア療養費２") ? NULL : "not ターミナル";
	case HK_FEE_TERMINAL_REMOTE: return has(name, "遠隔死亡診断補助加算") ? NULL : "not 遠隔死亡診断";
	case HK_FEE_BASEUP_1: return has(name, "ベースアップ評価料（１）") ? NULL : "not ベースアップ（１）";
	case HK_FEE_BASEUP_2: return has(name, "ベースアップ評価料（２）") ? NULL : "not ベースアップ（２）";
	}
	return "unknown family";
}

TEST(fee_codes_exist_and_agree_with_master_names)
{
	struct hk_master *m = load();
	CHECK(m != NULL);
	for (size_t i = 0; i < hk_fee_ncodes; i++) {
		const struct hk_master_item *it = hk_master_item(m, hk_fee_codes[i].code, ON);
		const char *why;
		if (!it) {
			hk_test_fail(__FILE__, __LINE__, "%s not in the master", hk_fee_codes[i].code);
			return;
		}
		why = disagrees(&hk_fee_codes[i], it->name);
		if (why) {
			hk_test_fail(__FILE__, __LINE__, "%s (%s): %s", it->code, it->name, why);
			return;
		}
	}
}

TEST(fee_codes_cover_every_non_kansatsu_item_once)
{
	struct hk_master *m = load();
	size_t want = 0;
	CHECK(m != NULL);
	for (size_t i = 0; i < hk_master_nitems(m); i++) {
		const struct hk_master_item *it = hk_master_item_at(m, i);
		size_t n = 0;
		if (it->kansatsu)
			continue; /* 医療観察 (points) items are out of the claim run's scope */
		want++;
		for (size_t j = 0; j < hk_fee_ncodes; j++)
			n += strcmp(hk_fee_codes[j].code, it->code) == 0;
		if (n != 1) {
			hk_test_fail(__FILE__, __LINE__, "%s %s is in the fee table %zu times", it->code, it->name, n);
			return;
		}
	}
	CHECK_INT(want, hk_fee_ncodes);
}

TEST(fee_codes_rows_are_unambiguous)
{
	for (size_t i = 0; i < hk_fee_ncodes; i++) {
		const char *got = hk_fee_code_for(&hk_fee_codes[i].key);
		if (!got || strcmp(got, hk_fee_codes[i].code) != 0) {
			hk_test_fail(__FILE__, __LINE__, "row %zu (%s): its own key gives %s", i, hk_fee_codes[i].code,
				     got ? got : "nothing (ambiguous)");
			return;
		}
	}
}

TEST(fee_codes_lookups)
{
	struct hk_fee_key k = hk_fee_key(HK_FEE_BASIC_I);
	k.staff = HK_FS_NURSE;
	k.week4 = 1;
	CHECK_STR(hk_fee_code_for(&k), "510000210");
	k.week4 = -1; /* a fact missing: no guess */
	CHECK(hk_fee_code_for(&k) == NULL);
	k = hk_fee_key(HK_FEE_PSY_III);
	k.staff = HK_FS_ASSOC;
	k.week4 = 0;
	k.bldg3 = 1;
	k.min30 = 0;
	CHECK_STR(hk_fee_code_for(&k), "530002210");
	k = hk_fee_key(HK_FEE_SPECIAL_AREA);
	k.psy = 0;
	CHECK_STR(hk_fee_code_for(&k), "510002370");
	k = hk_fee_key(HK_FEE_MGMT_FIRST);
	k.variant = 0;
	CHECK_STR(hk_fee_code_for(&k), "550000410");
	k = hk_fee_key(HK_FEE_BASEUP_2);
	k.variant = 18;
	CHECK_STR(hk_fee_code_for(&k), "590001910");
	k.variant = 19;
	CHECK(hk_fee_code_for(&k) == NULL);
}
