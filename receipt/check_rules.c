/*
 * check_rules.c - every rule of `houkan check`, as data: code, severity,
 * source clause, statement.  docs/check-codes.md publishes the same table
 * (plus the reader's file-level codes); tests/unit/t_check.c proves every
 * code used by the checker is in this table.
 *
 * Sources: 記録条件仕様 = オンラインによる請求に係る記録条件仕様（訪問看護用）令和6年6月版;
 * 手引き = 電子レセプトの作成手引き－訪問看護－ 令和6年6月版 (page numbers as printed).
 */
#include <string.h>
#include "receipt/check.h"

#define E HK_ERROR
#define W HK_WARNING

const struct hk_check_rule hk_check_rules[] = {
	/* file structure */
	{"E-HM-FIRST", E, "記録条件仕様 3(3)ア(イ)", "the first record must be HM"},
	{"E-HM-DUP", E, "記録条件仕様 3(3)ア(イ)", "exactly one HM per file"},
	{"E-GO-LAST", E, "記録条件仕様 3(3)ア(イ)", "the last record must be GO"},
	{"E-GO-DUP", E, "記録条件仕様 3(3)ア(イ)", "exactly one GO per file"},
	{"E-NO-RECEIPT", E, "記録条件仕様 3(3)ア(イ)", "a file holds at least one receipt (RE ...)"},
	{"E-REC-ORPHAN", E, "記録条件仕様 3(3)ア(ウ)", "a receipt record must follow an RE record"},
	{"E-RE-CAP", E, "base/limits.h HK_MAX_RECEIPT_RECORDS", "one receipt holds at most HK_MAX_RECEIPT_RECORDS records"},
	/* record level */
	{"E-REC-ID", E, "記録条件仕様 3(3)ア(イ)(ウ)", "the record id must be one of the 19 nursing record ids"},
	{"E-REC-FIELDS", E, "記録条件仕様 3(4) (each record's table)", "a record has exactly the number of fields of its layout"},
	{"E-MODE", E, "記録条件仕様 3(3)ウ(ウ)", "数字 = half-width digits, 英数 = half-width characters, 漢字 = full-width characters"},
	{"E-MODE-MIXED", E, "記録条件仕様 3(4)イ RE 氏名 3", "an 英数又は漢字 field is all half-width or all full-width"},
	{"E-LEN", E, "記録条件仕様 3(3)ウ(ウ)", "a field is at most its maximum byte length"},
	{"E-FIXED", E, "記録条件仕様 3(3)ウ(ウ)", "a 固定 field is written at exactly its maximum byte length"},
	{"E-REQUIRED", E, "手引き 各章 レコード様式 記録必須", "a 記録必須 field is not empty"},
	{"E-TRAILING-SPACE", E, "記録条件仕様 3(3)ウ(ウ) なお書き", "a 可変 field does not end in spaces"},
	{"W-NUM-ZERO", W, "記録条件仕様 3(3)ウ(ウ) 数字・可変", "a 数字・可変 value that is not a code has no leading zeros"},
	{"E-CODE", E, "記録条件仕様 別表1-28", "a coded field holds a code of its 別表 (packed lists: a multiple of the code width)"},
	{"E-CODE-DUP", E, "記録条件仕様 3(4)カ GI 未確認区分 3, 手引き p.23", "a packed code list holds no code twice (not 職種等: two people of one qualification, 手引き p.45 キ)"},
	{"E-DATE", E, "記録条件仕様 3(3)ウ(エ)", "年月日 is a real date YYYYMMDD (西暦)"},
	{"E-MONTH", E, "記録条件仕様 3(3)ウ(エ)", "年月 is YYYYMM with month 01-12"},
	{"E-TIME", E, "記録条件仕様 3(3)ウ(エ)", "時刻 is hhmm, 0000-2359"},
	{"E-INSURER", E, "記録条件仕様 3(4)ウ(ア) 保険者番号; DIGEST §3.3", "保険者番号: 8 digits, or 6 digits right-aligned with spaces; 検証番号 holds"},
	{"E-KOUKI-NUMBER", E, "DIGEST §3.2-3.3 (後期 被保険者番号)", "後期高齢者 (保険者番号 39...) 被保険者番号: 8 digits with a valid 検証番号"},
	{"E-PAYER-NUMBER", E, "記録条件仕様 3(4)ウ(イ) 負担者番号; DIGEST §3.3", "公費負担者番号: 8 digits, 都道府県 01-47, valid 検証番号"},
	{"W-RECIPIENT-NUMBER", W, "記録条件仕様 3(4)ウ(イ) 受給者番号; DIGEST §3.3", "公費受給者番号: 7 digits with a valid 検証番号 (warning: some programs differ)"},
	{"E-KANA", E, "記録条件仕様 3(4)イ RE カタカナ（氏名）, 注2", "カタカナ（氏名）: full-width katakana and ー (0x815B) only, no space"},
	{"E-TENSU", E, "記録条件仕様 3(4)ア HM 点数表, 3(4)エ(ア) IH 点数表, 別表3", "HM 点数表 is 6; IH 点数表 is 1, 3, 5 or B"},
	/* receipt level */
	{"E-RE-ORDER", E, "記録条件仕様 3(3)ア(ウ)", "the records of a receipt come in the order RE HO KO SN JD MF GI IH HJ JS SY RJ TJ TZ KS CO KA"},
	{"E-RE-DUP", E, "記録条件仕様 3(3)ア(ウ)(エ)", "HO, GI and RJ at most once per receipt, KO at most 4 times"},
	{"E-RE-MISSING", E, "記録条件仕様 3(3)ア(ウ)", "IH, HJ, JS, SY, RJ and at least one KA in every receipt"},
	{"E-RE-NUMBER", E, "記録条件仕様 3(4)イ RE レセプト番号 2", "レセプト番号 runs 1, 2, 3 ... in file order"},
	{"E-RE-MONTH", E, "手引き 第1章 請求年月, 第2章 指定訪問看護年月", "指定訪問看護年月 is before HM 請求年月"},
	{"E-TYPE-HO", E, "記録条件仕様 3(3)ア(エ), 別表4", "レセプト種別 医保/後期 (61xx, 63xx) needs HO; 公費 (62xx) forbids HO"},
	{"E-TYPE-PAYERS", E, "記録条件仕様 3(3)ア(エ), 別表4", "3rd digit of レセプト種別 = number of HO + KO records"},
	{"W-TYPE-KOUKI", W, "別表4; DIGEST §3.2", "63xx (後期) goes with a 保険者番号 beginning 39, 61xx does not"},
	{"W-KO-ORDER", W, "記録条件仕様 3(3)ア(エ) 注3; 手引き 第4章", "several KO: in the national 法別番号 priority order (12 生活保護 last)"},
	{"E-KA-MONTH", E, "手引き p.39 算定年月日", "every KA 算定年月日 is inside 指定訪問看護年月"},
	{"E-KA-ORDER", E, "手引き 第18章", "KA records are in 算定年月日 order"},
	{"E-KA-PAYER", E, "記録条件仕様 別表22", "KA 負担区分 names only payers that have an HO/KO record"},
	{"E-SN-PAYER", E, "記録条件仕様 3(4)ウ(ウ) 注1", "SN 負担者種別 names a payer that has an HO/KO record"},
	{"E-SN-KOHI", E, "記録条件仕様 3(3)ア(エ) 注2", "SN for a 公費 only when its 負担者番号 begins with 12"},
	{"E-SN-ORDER", E, "記録条件仕様 3(4)ウ(ウ) 注3", "SN records in strictly ascending 負担者種別"},
	{"E-SN-KAKUNIN", E, "記録条件仕様 別表24 (shaded codes)", "確認区分 is 01 in a first claim (RE 検索番号 empty)"},
	{"E-SN-FIRST", E, "記録条件仕様 3(4)ウ(ウ) 備考1", "SN 保険者番号等/記号/番号/受給者番号 are empty in a first claim"},
	{"E-SN-EDABAN", E, "記録条件仕様 3(4)ウ(ウ) 枝番 5", "枝番 is omitted for 後期高齢者 and for 公費"},
	{"E-JD-PAYER", E, "記録条件仕様 3(4)ウ(エ), 別表23", "JD 負担者種別 names a payer that has an HO/KO record"},
	{"E-JD-ORDER", E, "記録条件仕様 3(4)ウ(エ) 注2", "JD records in strictly ascending 負担者種別"},
	{"E-JD-DAYS", E, "記録条件仕様 3(4)ウ(エ) 備考1", "a JD day is coded exactly on the KA 算定年月日 borne by that payer"},
	{"E-JD-CODE9", E, "記録条件仕様 別表25 (shaded code 9)", "受診等区分 9 is not used in a first claim"},
	{"E-JITSU", E, "手引き 第3章/第4章 実日数; DIGEST §1.8", "HO/KO 実日数 = number of JD days coded 1 for that payer"},
	{"E-TOTAL", E, "手引き 第3章/第4章 合計金額; DIGEST §1.8", "HO/KO 合計金額 = sum of the KA 金額 that payer bears"},
	{"E-MF-KUBUN", E, "記録条件仕様 3(3)ア(ウ) 注3, 別表26", "MF 窓口負担額区分 is 00, 01 or 02 for the time being"},
	{"W-GI", W, "記録条件仕様 3(3)ア(ウ) 注4", "GI is not recorded for the time being"},
	{"E-HJ-PERIOD", E, "記録条件仕様 3(4)エ(イ)", "HJ 指示期間 自 is not after 至"},
	{"E-JS-03", E, "記録条件仕様 別表13", "疾病等の有無 03 (無) stands alone"},
	{"E-SY-NAME", E, "記録条件仕様 3(4)エ(エ)", "傷病名称 is given exactly when 傷病名コード is 0000999; no 修飾語 with 0000999"},
	/* master-dependent */
	{"W-NO-MASTER", W, "訪問看護療養費マスター (master/master.h)", "the master in force on the service month can be loaded (else its rules are skipped)"},
	{"E-KA-MASTER", E, "手引き p.39 (4); 訪問看護療養費マスター", "KA code exists in the master in force on 算定年月日"},
	{"E-KA-SHOKUSHU", E, "手引き p.42 (7) 職種等, p.45 オ/キ", "職種等 present exactly when the master 職種区分 is not 00, and each visit's first code one of its 職種 (31-39: 同行者 sets; a further code of the same visit is the companion)"},
	{"E-KA-KAISU", E, "手引き p.42-43 (8) 同日訪問回数; マスター 項番44", "同日訪問回数 present exactly when 実施回数区分 is not 0, and the value it allows"},
	{"E-KA-SHIJI", E, "手引き p.43 (9) 指示区分; マスター 項番45/46", "指示区分 present exactly when 訪問看護指示区分/特別訪問看護指示区分 require it"},
	{"E-KA-QTY", E, "手引き p.40 (5) 数量データ", "数量データ > 0 when きざみ値計算識別 is 1, empty when 0"},
	{"E-KA-ADDON", E, "手引き p.41 (6)ウ", "a percentage add-on (金額識別 5) has 金額 0 and directly follows its base line"},
	{"E-KA-LIMIT", E, "訪問看護療養費マスター 算定回数限度テーブル", "an item is not claimed more often than its 算定回数限度"},
	{"E-KA-EXCLUSIVE", E, "訪問看護療養費マスター 併算定背反テーブル", "two items that exclude each other are not claimed together"},
};
const size_t hk_ncheck_rules = HK_ARRAY_LEN(hk_check_rules);

const struct hk_check_rule *hk_check_rule_find(const char *code)
{
	for (size_t i = 0; i < hk_ncheck_rules; i++)
		if (strcmp(hk_check_rules[i].code, code) == 0)
			return &hk_check_rules[i];
	return NULL;
}
