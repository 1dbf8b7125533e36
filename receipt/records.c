/*
 * records.c - the 19 record layouts of RECEIPTH.UKE and the code tables
 * 別表1-28, as data.  Source: 記録条件仕様（訪問看護用）令和6年6月版 2(4)
 * (record layouts) and 各種コードに関する事項 (別表); 記録必須 per 作成手引き "※".
 * Field order = CSV column order; fields[0] is the record id.
 */
#include <string.h>
#include "receipt/uke.h"

/* name, mode, max bytes, fixed, required, 別表, code width, keepzero */
#define F(name, mode, max, fixed, req, table, cw, kz) \
	{ name, HK_MODE_##mode, max, fixed, req, table, cw, kz }
#define ID F("レコード識別情報", X, 2, true, true, 0, 0, false)
#define FIX true
#define VAR false
#define REQ true
#define OPT false

/* 2(4)ア 訪問看護ステーション情報レコード */
static const struct hk_field_def hm[] = {
	ID,
	F("審査支払機関", N, 1, FIX, REQ, 1, 0, false),
	F("都道府県", N, 2, FIX, REQ, 2, 0, false),
	F("点数表", N, 1, FIX, REQ, 3, 0, false),
	F("訪問看護ステーションコード", N, 7, FIX, REQ, 0, 0, false),
	F("訪問看護ステーション名称", K, 40, VAR, REQ, 0, 0, false),
	F("請求年月", N, 6, FIX, REQ, 0, 0, false),
	F("電話番号", X, 15, VAR, OPT, 0, 0, false),
};

/* 2(4)イ レセプト共通レコード */
static const struct hk_field_def re[] = {
	ID,
	F("レセプト番号", N, 6, VAR, REQ, 0, 0, false),
	F("レセプト種別", N, 4, FIX, REQ, 4, 0, false),
	F("指定訪問看護年月", N, 6, FIX, REQ, 0, 0, false),
	F("氏名", XK, 40, VAR, REQ, 0, 0, false),
	F("カタカナ（氏名）", K, 80, VAR, OPT, 0, 0, false),
	F("男女区分", N, 1, FIX, REQ, 5, 0, false),
	F("生年月日", N, 8, FIX, REQ, 0, 0, false),
	F("予備", N, 2, VAR, OPT, 0, 0, false),
	F("予備", N, 8, VAR, OPT, 0, 0, false),
	F("給付割合", N, 3, VAR, OPT, 0, 0, false),
	F("レセプト特記", X, 10, VAR, OPT, 6, 2, false),
	F("一部負担金区分", N, 1, VAR, OPT, 7, 0, false),
	F("訪問看護記録番号等", X, 20, VAR, OPT, 0, 0, false),
	F("検索番号", N, 30, VAR, OPT, 0, 0, true),
};

/* 2(4)ウ(ア) 保険者レコード */
static const struct hk_field_def ho[] = {
	ID,
	F("保険者番号", X, 8, FIX, REQ, 0, 0, false),
	F("被保険者証等の記号", XK, 38, VAR, OPT, 0, 0, false),
	F("被保険者証等の番号", XK, 38, VAR, REQ, 0, 0, false),
	F("実日数", N, 2, VAR, REQ, 0, 0, false),
	F("合計金額", N, 8, VAR, REQ, 0, 0, false),
	F("職務上の事由", N, 1, VAR, OPT, 8, 0, false),
	F("証明書番号", N, 3, VAR, OPT, 0, 0, true),
	F("一部負担金額", N, 8, VAR, OPT, 0, 0, false),
	F("減免区分", N, 1, VAR, OPT, 9, 0, false),
	F("減額割合", N, 3, VAR, OPT, 0, 0, false),
	F("減額金額", N, 6, VAR, OPT, 0, 0, false),
};

/* 2(4)ウ(イ) 公費レコード */
static const struct hk_field_def ko[] = {
	ID,
	F("負担者番号", X, 8, FIX, REQ, 0, 0, false),
	F("受給者番号", N, 7, VAR, OPT, 0, 0, true),
	F("任意給付区分", N, 1, VAR, OPT, 0, 0, false),
	F("実日数", N, 2, VAR, REQ, 0, 0, false),
	F("合計金額", N, 8, VAR, REQ, 0, 0, false),
	F("一部負担金額", N, 8, VAR, OPT, 0, 0, false),
	F("公費給付対象一部負担金", N, 6, VAR, OPT, 0, 0, false),
};

/* 2(4)ウ(ウ) 資格確認レコード */
static const struct hk_field_def sn[] = {
	ID,
	F("負担者種別", N, 1, FIX, REQ, 23, 0, false),
	F("確認区分", N, 2, FIX, REQ, 24, 0, false),
	F("保険者番号等（資格確認）", X, 8, VAR, OPT, 0, 0, false),
	F("被保険者証（手帳）等の記号（資格確認）", XK, 38, VAR, OPT, 0, 0, false),
	F("被保険者証（手帳）等の番号（資格確認）", XK, 38, VAR, OPT, 0, 0, false),
	F("枝番", X, 2, VAR, OPT, 0, 0, false),
	F("受給者番号", N, 7, VAR, OPT, 0, 0, true),
	F("予備", N, 1, VAR, OPT, 0, 0, false),
};

/* 2(4)ウ(エ) 受診日等レコード */
#define DAY(d) F(#d "日の情報", N, 1, VAR, OPT, 25, 0, false)
static const struct hk_field_def jd[] = {
	ID,
	F("負担者種別", N, 1, FIX, REQ, 23, 0, false),
	DAY(1), DAY(2), DAY(3), DAY(4), DAY(5), DAY(6), DAY(7), DAY(8), DAY(9), DAY(10),
	DAY(11), DAY(12), DAY(13), DAY(14), DAY(15), DAY(16), DAY(17), DAY(18), DAY(19), DAY(20),
	DAY(21), DAY(22), DAY(23), DAY(24), DAY(25), DAY(26), DAY(27), DAY(28), DAY(29), DAY(30),
	DAY(31),
};

/* 2(4)ウ(オ) 窓口負担額レコード */
#define YOBI(d) F("予備" #d, N, 9, VAR, OPT, 0, 0, false)
static const struct hk_field_def mf[] = {
	ID,
	F("窓口負担額区分", N, 2, FIX, REQ, 26, 0, false),
	YOBI(1), YOBI(2), YOBI(3), YOBI(4), YOBI(5), YOBI(6), YOBI(7), YOBI(8), YOBI(9), YOBI(10),
	YOBI(11), YOBI(12), YOBI(13), YOBI(14), YOBI(15), YOBI(16), YOBI(17), YOBI(18), YOBI(19), YOBI(20),
	YOBI(21), YOBI(22), YOBI(23), YOBI(24), YOBI(25), YOBI(26), YOBI(27), YOBI(28), YOBI(29), YOBI(30),
	YOBI(31),
};

/* 2(4)ウ(カ) 災害等レコード ("当分の間、記録を省略する") */
static const struct hk_field_def gi[] = {
	ID,
	F("災害救助法の適用を受けた年月日", N, 8, FIX, REQ, 0, 0, false),
	F("被災レセプト区分", N, 2, FIX, REQ, 10, 0, false),
	F("未確認区分", X, 20, VAR, OPT, 11, 2, false),
	F("住所", K, 130, VAR, OPT, 0, 0, false),
	F("事業所名", K, 100, VAR, OPT, 0, 0, false),
	F("連絡先", K, 100, VAR, OPT, 0, 0, false),
	F("被災前一部負担金額", N, 8, VAR, OPT, 0, 0, false),
};

/* 2(4)エ(ア) 医療機関・保険医情報レコード */
static const struct hk_field_def ih[] = {
	ID,
	F("都道府県", N, 2, FIX, REQ, 2, 0, false),
	F("点数表", X, 1, FIX, REQ, 3, 0, false),
	F("医療機関等コード", N, 7, FIX, REQ, 0, 0, false),
	F("主治医の属する医療機関等の名称", K, 40, VAR, REQ, 0, 0, false),
	F("主治医の氏名", XK, 40, VAR, REQ, 0, 0, false),
	F("主治医への直近報告年月日", N, 8, VAR, OPT, 0, 0, true),
};

/* 2(4)エ(イ) 訪問看護指示レコード */
static const struct hk_field_def hj[] = {
	ID,
	F("指示区分", N, 2, FIX, REQ, 12, 0, false),
	F("指示期間（自）", N, 8, FIX, REQ, 0, 0, false),
	F("指示期間（至）", N, 8, FIX, REQ, 0, 0, false),
};

/* 2(4)エ(ウ) 心身の状態レコード */
static const struct hk_field_def js[] = {
	ID,
	F("心身の状態", K, 2400, VAR, REQ, 0, 0, false),
	F("基準告示第２の１に規定する疾病等の有無", X, 10, VAR, REQ, 13, 2, false),
	F("該当する疾病等", X, 300, VAR, OPT, 14, 3, false),
	F("ＧＡＦ尺度により判定した値", N, 2, VAR, OPT, 28, 0, false),
	F("ＧＡＦ尺度により判定した年月日", N, 8, VAR, OPT, 0, 0, true),
};

/* 2(4)エ(エ) 傷病名レコード (修飾語コード: 別に定める, not a 別表) */
static const struct hk_field_def sy[] = {
	ID,
	F("傷病名コード", N, 7, FIX, REQ, 0, 0, false),
	F("修飾語コード", X, 80, VAR, OPT, 0, 4, false),
	F("傷病名称", K, 40, VAR, OPT, 0, 0, false),
	F("補足コメント", K, 40, VAR, OPT, 0, 0, false),
};

/* 2(4)エ(オ) 利用者情報レコード */
#define PLACE(n)                                                                      \
	F("訪問した場所" #n "訪問場所変更年月日", N, 8, VAR, OPT, 0, 0, true),          \
	F("訪問した場所" #n "コード", N, 2, VAR, OPT, 16, 0, false),                    \
	F("訪問した場所" #n "文字データ", K, 130, VAR, OPT, 0, 0, false)
#define OTHER_ST(n)                                                                      \
	F("他の訪問看護ステーション" #n "都道府県", N, 2, VAR, OPT, 2, 0, false),          \
	F("他の訪問看護ステーション" #n "点数表", N, 1, VAR, OPT, 3, 0, false),            \
	F("他の訪問看護ステーション" #n "訪問看護ステーションコード", N, 7, VAR, OPT, 0, 0, true), \
	F("他の訪問看護ステーション" #n "所在地", K, 130, VAR, OPT, 0, 0, false),          \
	F("他の訪問看護ステーション" #n "名称", K, 40, VAR, OPT, 0, 0, false)
static const struct hk_field_def rj[] = {
	ID,
	F("訪問開始年月日", N, 8, FIX, REQ, 0, 0, false),
	F("訪問した場所1コード", N, 2, FIX, REQ, 16, 0, false),
	F("訪問した場所1文字データ", K, 130, VAR, OPT, 0, 0, false),
	PLACE(2),
	PLACE(3),
	F("訪問終了年月日", N, 8, VAR, OPT, 0, 0, true),
	F("訪問終了時刻", N, 4, VAR, OPT, 0, 0, true),
	F("訪問終了の状況コード", N, 2, VAR, OPT, 15, 0, false),
	F("訪問終了の状況文字データ", K, 20, VAR, OPT, 0, 0, false),
	F("死亡の状況年月日", N, 8, VAR, OPT, 0, 0, true),
	F("死亡の状況時刻", N, 4, VAR, OPT, 0, 0, true),
	F("死亡の状況場所コード", N, 2, VAR, OPT, 16, 0, false),
	F("死亡の状況場所文字データ", K, 20, VAR, OPT, 0, 0, false),
	F("利用者情報コード", N, 20, VAR, OPT, 17, 2, false),
	OTHER_ST(1),
	OTHER_ST(2),
};

/* 2(4)エ(カ) 情報提供レコード */
static const struct hk_field_def tj[] = {
	ID,
	F("情報提供先コード", N, 2, FIX, REQ, 18, 0, false),
	F("予備", K, 30, VAR, OPT, 0, 0, false),
	F("前回算定年月", N, 6, VAR, OPT, 0, 0, true),
	F("予備", N, 2, VAR, OPT, 0, 0, false),
};

/* 2(4)エ(キ) 特記事項レコード */
static const struct hk_field_def tz[] = {
	ID,
	F("特記事項コード", N, 2, FIX, REQ, 21, 0, false),
	F("コメントコード", N, 9, VAR, OPT, 0, 0, true),
	F("文字データ", K, 400, VAR, OPT, 0, 0, false),
};

/* 2(4)エ(ク) 専門の研修レコード */
static const struct hk_field_def ks[] = {
	ID,
	F("専門の研修コード", N, 2, FIX, REQ, 27, 0, false),
	F("予備", K, 80, VAR, OPT, 0, 0, false),
	F("手順書交付年月日", N, 8, VAR, OPT, 0, 0, true),
	F("直近見直し年月日", N, 8, VAR, OPT, 0, 0, true),
};

/* 2(4)エ(ケ) コメントレコード */
static const struct hk_field_def co[] = {
	ID,
	F("コメントコード", N, 9, FIX, REQ, 0, 0, false),
	F("文字データ", K, 400, VAR, OPT, 0, 0, false),
	F("予備", N, 2, VAR, OPT, 0, 0, false),
};

/* 2(4)オ 訪問看護療養費レコード */
static const struct hk_field_def ka[] = {
	ID,
	F("算定年月日", N, 8, FIX, REQ, 0, 0, false),
	F("負担区分", X, 1, FIX, REQ, 22, 0, false),
	F("訪問看護療養費コード", N, 9, FIX, REQ, 0, 0, false),
	F("数量データ", N, 8, VAR, OPT, 0, 0, false),
	F("金額", N, 6, VAR, REQ, 0, 0, false),
	F("職種等", X, 20, VAR, OPT, 20, 2, false),
	F("同日訪問回数", N, 2, VAR, OPT, 19, 0, false),
	F("指示区分", N, 2, VAR, OPT, 12, 0, false),
};

/* 2(4)カ 訪問看護療養費請求書レコード */
static const struct hk_field_def go[] = {
	ID,
};

#define REC(id, name, f) { id, name, (unsigned char)HK_ARRAY_LEN(f), f }
const struct hk_record_def hk_record_defs[] = {
	REC("HM", "訪問看護ステーション情報レコード", hm),
	REC("RE", "レセプト共通レコード", re),
	REC("HO", "保険者レコード", ho),
	REC("KO", "公費レコード", ko),
	REC("SN", "資格確認レコード", sn),
	REC("JD", "受診日等レコード", jd),
	REC("MF", "窓口負担額レコード", mf),
	REC("GI", "災害等レコード", gi),
	REC("IH", "医療機関・保険医情報レコード", ih),
	REC("HJ", "訪問看護指示レコード", hj),
	REC("JS", "心身の状態レコード", js),
	REC("SY", "傷病名レコード", sy),
	REC("RJ", "利用者情報レコード", rj),
	REC("TJ", "情報提供レコード", tj),
	REC("TZ", "特記事項レコード", tz),
	REC("KS", "専門の研修レコード", ks),
	REC("CO", "コメントレコード", co),
	REC("KA", "訪問看護療養費レコード", ka),
	REC("GO", "訪問看護療養費請求書レコード", go),
};
const size_t hk_nrecord_defs = HK_ARRAY_LEN(hk_record_defs);

const struct hk_record_def *hk_record_def_find(const char *id, size_t len)
{
	size_t i;

	if (len != 2)
		return NULL;
	for (i = 0; i < HK_ARRAY_LEN(hk_record_defs); i++)
		if (hk_record_defs[i].id[0] == id[0] && hk_record_defs[i].id[1] == id[1])
			return &hk_record_defs[i];
	return NULL;
}

/* ---- 別表 (各種コードに関する事項) ------------------------------------- */

struct hk_code {
	const char *code;
	const char *label;
	bool shaded;   /* 網掛け: not used in 一次請求 */
};

static const struct hk_code t1[] = {
	{ "1", "社会保険診療報酬支払基金", false },
	{ "2", "国民健康保険団体連合会", false },
};
static const struct hk_code t2[] = {
	{ "01", "北海道", false }, { "02", "青森", false }, { "03", "岩手", false }, { "04", "宮城", false },
	{ "05", "秋田", false }, { "06", "山形", false }, { "07", "福島", false }, { "08", "茨城", false },
	{ "09", "栃木", false }, { "10", "群馬", false }, { "11", "埼玉", false }, { "12", "千葉", false },
	{ "13", "東京", false }, { "14", "神奈川", false }, { "15", "新潟", false }, { "16", "富山", false },
	{ "17", "石川", false }, { "18", "福井", false }, { "19", "山梨", false }, { "20", "長野", false },
	{ "21", "岐阜", false }, { "22", "静岡", false }, { "23", "愛知", false }, { "24", "三重", false },
	{ "25", "滋賀", false }, { "26", "京都", false }, { "27", "大阪", false }, { "28", "兵庫", false },
	{ "29", "奈良", false }, { "30", "和歌山", false }, { "31", "鳥取", false }, { "32", "島根", false },
	{ "33", "岡山", false }, { "34", "広島", false }, { "35", "山口", false }, { "36", "徳島", false },
	{ "37", "香川", false }, { "38", "愛媛", false }, { "39", "高知", false }, { "40", "福岡", false },
	{ "41", "佐賀", false }, { "42", "長崎", false }, { "43", "熊本", false }, { "44", "大分", false },
	{ "45", "宮崎", false }, { "46", "鹿児島", false }, { "47", "沖縄", false },
};
/* "5" and "B" only as IH 点数表 (別表3 注). */
static const struct hk_code t3[] = {
	{ "1", "医科", false }, { "3", "歯科", false }, { "5", "介護老人保健施設", false },
	{ "6", "訪問看護", false }, { "B", "介護医療院", false },
};
static const struct hk_code t4[] = {
	{ "6112", "訪問看護・医保単独/国保単独・本人/世帯主", false },
	{ "6114", "訪問看護・医保単独/国保単独・未就学者", false },
	{ "6116", "訪問看護・医保単独/国保単独・家族/その他", false },
	{ "6118", "訪問看護・医保単独/国保単独・高齢受給者一般・低所得者", false },
	{ "6110", "訪問看護・医保単独/国保単独・高齢受給者７割", false },
	{ "6122", "訪問看護・医保/国保と１種の公費併用・本人/世帯主", false },
	{ "6124", "訪問看護・医保/国保と１種の公費併用・未就学者", false },
	{ "6126", "訪問看護・医保/国保と１種の公費併用・家族/その他", false },
	{ "6128", "訪問看護・医保/国保と１種の公費併用・高齢受給者一般・低所得者", false },
	{ "6120", "訪問看護・医保/国保と１種の公費併用・高齢受給者７割", false },
	{ "6132", "訪問看護・医保/国保と２種の公費併用・本人/世帯主", false },
	{ "6134", "訪問看護・医保/国保と２種の公費併用・未就学者", false },
	{ "6136", "訪問看護・医保/国保と２種の公費併用・家族/その他", false },
	{ "6138", "訪問看護・医保/国保と２種の公費併用・高齢受給者一般・低所得者", false },
	{ "6130", "訪問看護・医保/国保と２種の公費併用・高齢受給者７割", false },
	{ "6142", "訪問看護・医保/国保と３種の公費併用・本人/世帯主", false },
	{ "6144", "訪問看護・医保/国保と３種の公費併用・未就学者", false },
	{ "6146", "訪問看護・医保/国保と３種の公費併用・家族/その他", false },
	{ "6148", "訪問看護・医保/国保と３種の公費併用・高齢受給者一般・低所得者", false },
	{ "6140", "訪問看護・医保/国保と３種の公費併用・高齢受給者７割", false },
	{ "6152", "訪問看護・医保/国保と４種の公費併用・本人/世帯主", false },
	{ "6154", "訪問看護・医保/国保と４種の公費併用・未就学者", false },
	{ "6156", "訪問看護・医保/国保と４種の公費併用・家族/その他", false },
	{ "6158", "訪問看護・医保/国保と４種の公費併用・高齢受給者一般・低所得者", false },
	{ "6150", "訪問看護・医保/国保と４種の公費併用・高齢受給者７割", false },
	{ "6212", "訪問看護・公費単独", false },
	{ "6222", "訪問看護・２種の公費併用", false },
	{ "6232", "訪問看護・３種の公費併用", false },
	{ "6242", "訪問看護・４種の公費併用", false },
	{ "6318", "訪問看護・後期高齢者単独・一般・低所得者", false },
	{ "6310", "訪問看護・後期高齢者単独・７割", false },
	{ "6328", "訪問看護・後期高齢者と１種の公費併用・一般・低所得者", false },
	{ "6320", "訪問看護・後期高齢者と１種の公費併用・７割", false },
	{ "6338", "訪問看護・後期高齢者と２種の公費併用・一般・低所得者", false },
	{ "6330", "訪問看護・後期高齢者と２種の公費併用・７割", false },
	{ "6348", "訪問看護・後期高齢者と３種の公費併用・一般・低所得者", false },
	{ "6340", "訪問看護・後期高齢者と３種の公費併用・７割", false },
	{ "6358", "訪問看護・後期高齢者と４種の公費併用・一般・低所得者", false },
	{ "6350", "訪問看護・後期高齢者と４種の公費併用・７割", false },
};
static const struct hk_code t5[] = { { "1", "男", false }, { "2", "女", false } };
static const struct hk_code t6[] = {
	{ "01", "公", false }, { "02", "長", false }, { "04", "後保", false }, { "10", "第三", false }, { "16", "長２", false },
	{ "21", "高半", false }, { "26", "区ア", false }, { "27", "区イ", false }, { "28", "区ウ", false }, { "29", "区エ", false },
	{ "30", "区オ", false }, { "41", "区カ", false }, { "42", "区キ", false }, { "96", "災１", false }, { "97", "災２", false },
};
static const struct hk_code t7[] = {
	{ "1", "70歳以上 低所得者の世帯（適用区分Ⅱ）", false },
	{ "3", "70歳以上 低所得者の世帯（適用区分Ⅰ）", false },
};
static const struct hk_code t8[] = {
	{ "1", "職上（職務上）", false }, { "2", "下３（下船後３月以内）", false }, { "3", "通災（通勤災害）", false },
};
static const struct hk_code t9[] = { { "1", "減額", false }, { "2", "免除", false }, { "3", "支払猶予", false } };
static const struct hk_code t10[] = { { "01", "災１", false }, { "02", "災２", false } };
static const struct hk_code t11[] = {
	{ "01", "保険者番号が未確認", false }, { "02", "被保険者証記号番号が未確認", false },
};
static const struct hk_code t12[] = {
	{ "01", "訪問看護指示", false }, { "02", "特別訪問看護指示", false }, { "03", "精神科訪問看護指示", false },
	{ "04", "精神科特別訪問看護指示", false }, { "05", "医療観察精神科訪問看護指示", false },
	{ "06", "医療観察精神科特別訪問看護指示", false },
};
static const struct hk_code t13[] = { { "01", "別表７", false }, { "02", "別表８", false }, { "03", "無", false } };
static const struct hk_code t14[] = {
	{ "001", "末期の悪性腫瘍", false }, { "002", "多発性硬化症", false }, { "003", "重症筋無力症", false },
	{ "004", "スモン", false }, { "005", "筋萎縮性側索硬化症", false }, { "006", "脊髄小脳変性症", false },
	{ "007", "ハンチントン病", false }, { "008", "進行性筋ジストロフィー症", false },
	{ "009", "パーキンソン病関連疾患", false }, { "010", "多系統萎縮症", false }, { "011", "プリオン病", false },
	{ "012", "亜急性硬化性全脳炎", false }, { "013", "ライソゾーム病", false },
	{ "014", "副腎白質ジストロフィー", false }, { "015", "脊髄性筋萎縮症", false },
	{ "016", "球脊髄性筋萎縮症", false }, { "017", "慢性炎症性脱髄性多発神経炎", false },
	{ "018", "後天性免疫不全症候群", false }, { "019", "頸髄損傷", false },
	{ "020", "人工呼吸器を使用している状態の者", false },
	{ "041", "在宅麻薬等注射指導管理を受けている状態にある者", false },
	{ "042", "在宅腫瘍化学療法注射指導管理を受けている状態にある者", false },
	{ "043", "在宅強心剤持続投与指導管理を受けている状態にある者", false },
	{ "044", "在宅気管切開患者指導管理を受けている状態にある者", false },
	{ "045", "気管カニューレを使用している状態にある者", false },
	{ "046", "留置カテーテルを使用している状態にある者", false },
	{ "047", "在宅自己腹膜灌流指導管理を受けている状態にある者", false },
	{ "048", "在宅血液透析指導管理を受けている状態にある者", false },
	{ "049", "在宅酸素療法指導管理を受けている状態にある者", false },
	{ "050", "在宅中心静脈栄養法指導管理を受けている状態にある者", false },
	{ "051", "在宅成分栄養経管栄養法指導管理を受けている状態にある者", false },
	{ "052", "在宅自己導尿指導管理を受けている状態にある者", false },
	{ "053", "在宅人工呼吸指導管理を受けている状態にある者", false },
	{ "054", "在宅持続陽圧呼吸療法指導管理を受けている状態にある者", false },
	{ "055", "在宅自己疼痛管理指導管理を受けている状態にある者", false },
	{ "056", "在宅肺高血圧症患者指導管理を受けている状態にある者", false },
	{ "057", "人工肛門又は人工膀胱を設置している状態にある者", false },
	{ "058", "真皮を越える褥瘡の状態にある者", false },
	{ "059", "在宅患者訪問点滴注射管理指導料を算定している者", false },
	{ "091", "超重症児", false }, { "092", "準超重症児", false },
};
static const struct hk_code t15[] = {
	{ "01", "軽快", false }, { "02", "施設", false }, { "03", "医療機関", false }, { "04", "死亡", false }, { "99", "その他", false },
};
/* "31" and "32" only as RJ 死亡の状況 場所コード (別表16 注). */
static const struct hk_code t16[] = {
	{ "01", "自宅", false },
	{ "11", "施設（社会福祉施設及び身体障害者施設）", false },
	{ "12", "施設（小規模多機能型居宅介護）", false },
	{ "13", "施設（複合型サービス）", false },
	{ "14", "施設（認知症対応型グループホーム）", false },
	{ "15", "施設（特定施設）", false },
	{ "16", "施設（地域密着型介護老人福祉施設及び介護老人福祉施設）", false },
	{ "31", "病院", false }, { "32", "診療所", false }, { "99", "その他", false },
};
static const struct hk_code t17[] = {
	{ "01", "他の一つの指定訪問看護ステーションから現に訪問看護を受けている", false },
	{ "02", "他の二つの指定訪問看護ステーションから現に訪問看護を受けている", false },
	{ "11", "要介護被保険者等で、訪問看護を医療保険で算定している", false },
	{ "12", "在宅療養支援診療所又は在宅療養支援病院の24時間体制を文書により提供", false },
};
static const struct hk_code t18[] = {
	{ "01", "市（区）町村等", false }, { "02", "指定特定相談支援事業者等", false },
	{ "10", "学校等（年度内で１回目の算定）", false }, { "11", "学校等（入園・入学）", false },
	{ "12", "学校等（転園・転学）", false }, { "13", "学校等（医療的ケアの変更）", false },
	{ "21", "保険医療機関", false }, { "22", "介護老人保健施設", false }, { "23", "介護医療院", false },
};
static const struct hk_code t19[] = { { "01", "１日に１回", false }, { "02", "１日に２回", false }, { "03", "１日に３回以上", false } };
static const struct hk_code t20[] = {
	{ "01", "保健師（１回目）", false },
	{ "02", "助産師（１回目）", false },
	{ "03", "看護師（専門研修以外）（１回目）", false },
	{ "04", "理学療法士（１回目）", false },
	{ "05", "作業療法士（１回目）", false },
	{ "06", "言語聴覚士（１回目）", false },
	{ "07", "准看護師（１回目）", false },
	{ "08", "専門の研修を受けた看護師（１回目）", false },
	{ "09", "看護補助者（１回目）", false },
	{ "10", "精神保健福祉士（１回目）", false },
	{ "11", "保健師（２回目）", false },
	{ "12", "助産師（２回目）", false },
	{ "13", "看護師（専門研修以外）（２回目）", false },
	{ "14", "理学療法士（２回目）", false },
	{ "15", "作業療法士（２回目）", false },
	{ "16", "言語聴覚士（２回目）", false },
	{ "17", "准看護師（２回目）", false },
	{ "18", "専門の研修を受けた看護師（２回目）", false },
	{ "19", "看護補助者（２回目）", false },
	{ "20", "精神保健福祉士（２回目）", false },
	{ "21", "保健師（３回目以降）", false },
	{ "22", "助産師（３回目以降）", false },
	{ "23", "看護師（専門研修以外）（３回目以降）", false },
	{ "24", "理学療法士（３回目以降）", false },
	{ "25", "作業療法士（３回目以降）", false },
	{ "26", "言語聴覚士（３回目以降）", false },
	{ "27", "准看護師（３回目以降）", false },
	{ "28", "専門の研修を受けた看護師（３回目以降）", false },
	{ "29", "看護補助者（３回目以降）", false },
	{ "30", "精神保健福祉士（３回目以降）", false },
	{ "51", "保健師（１回目・従たる事業所）", false },
	{ "52", "助産師（１回目・従たる事業所）", false },
	{ "53", "看護師（専門研修以外）（１回目・従たる事業所）", false },
	{ "54", "理学療法士（１回目・従たる事業所）", false },
	{ "55", "作業療法士（１回目・従たる事業所）", false },
	{ "56", "言語聴覚士（１回目・従たる事業所）", false },
	{ "57", "准看護師（１回目・従たる事業所）", false },
	{ "58", "専門の研修を受けた看護師（１回目・従たる事業所）", false },
	{ "59", "看護補助者（１回目・従たる事業所）", false },
	{ "60", "精神保健福祉士（１回目・従たる事業所）", false },
	{ "61", "保健師（２回目・従たる事業所）", false },
	{ "62", "助産師（２回目・従たる事業所）", false },
	{ "63", "看護師（専門研修以外）（２回目・従たる事業所）", false },
	{ "64", "理学療法士（２回目・従たる事業所）", false },
	{ "65", "作業療法士（２回目・従たる事業所）", false },
	{ "66", "言語聴覚士（２回目・従たる事業所）", false },
	{ "67", "准看護師（２回目・従たる事業所）", false },
	{ "68", "専門の研修を受けた看護師（２回目・従たる事業所）", false },
	{ "69", "看護補助者（２回目・従たる事業所）", false },
	{ "70", "精神保健福祉士（２回目・従たる事業所）", false },
	{ "71", "保健師（３回目以降・従たる事業所）", false },
	{ "72", "助産師（３回目以降・従たる事業所）", false },
	{ "73", "看護師（専門研修以外）（３回目以降・従たる事業所）", false },
	{ "74", "理学療法士（３回目以降・従たる事業所）", false },
	{ "75", "作業療法士（３回目以降・従たる事業所）", false },
	{ "76", "言語聴覚士（３回目以降・従たる事業所）", false },
	{ "77", "准看護師（３回目以降・従たる事業所）", false },
	{ "78", "専門の研修を受けた看護師（３回目以降・従たる事業所）", false },
	{ "79", "看護補助者（３回目以降・従たる事業所）", false },
	{ "80", "精神保健福祉士（３回目以降・従たる事業所）", false },
};
static const struct hk_code t21[] = {
	{ "01", "他（１）", false }, { "02", "他（２）", false }, { "03", "従", false }, { "04", "特地", false }, { "05", "介", false },
	{ "06", "支援", false }, { "07", "同一緊急", false }, { "08", "退支", false }, { "09", "連", false },
	{ "10", "緊急訪問看護の理由", false }, { "11", "障害", false },
};
/* Payers with an amount: 0 = 医保・国保・後期, 1-4 = 公費①-④. */
static const struct hk_code t22[] = {
	{ "1", "医保", false }, { "5", "公費①", false }, { "6", "公費②", false }, { "B", "公費③", false }, { "C", "公費④", false },
	{ "2", "医保＋公費①", false }, { "3", "医保＋公費②", false }, { "E", "医保＋公費③", false }, { "G", "医保＋公費④", false },
	{ "7", "公費①＋公費②", false }, { "H", "公費①＋公費③", false }, { "I", "公費①＋公費④", false },
	{ "J", "公費②＋公費③", false }, { "K", "公費②＋公費④", false }, { "L", "公費③＋公費④", false },
	{ "4", "医保＋公費①＋公費②", false }, { "M", "医保＋公費①＋公費③", false }, { "N", "医保＋公費①＋公費④", false },
	{ "O", "医保＋公費②＋公費③", false }, { "P", "医保＋公費②＋公費④", false }, { "Q", "医保＋公費③＋公費④", false },
	{ "R", "公費①＋公費②＋公費③", false }, { "S", "公費①＋公費②＋公費④", false },
	{ "T", "公費①＋公費③＋公費④", false }, { "U", "公費②＋公費③＋公費④", false },
	{ "V", "医保＋公費①＋公費②＋公費③", false }, { "W", "医保＋公費①＋公費②＋公費④", false },
	{ "X", "医保＋公費①＋公費③＋公費④", false }, { "Y", "医保＋公費②＋公費③＋公費④", false },
	{ "Z", "公費①＋公費②＋公費③＋公費④", false },
	{ "9", "医保＋公費①＋公費②＋公費③＋公費④", false },
};
static const struct hk_code t23[] = {
	{ "1", "医療保険、国民健康保険又は後期高齢者医療", false }, { "2", "第１公費負担医療", false },
	{ "3", "第２公費負担医療", false }, { "4", "第３公費負担医療", false }, { "5", "第４公費負担医療", false },
};
static const struct hk_code t24[] = {
	{ "01", "訪問時等", false },
	{ "02", "変更なし", true }, { "03", "確認不能", true }, { "04", "振替", true },
	{ "05", "分割", true }, { "06", "レセプト記載の保険者等に請求", true },
	{ "07", "資格喪失（証回収後）", true }, { "08", "予備", true }, { "09", "枝番特定", true },
};
static const struct hk_code t25[] = {
	{ "1", "実日数に計上する訪問看護", false }, { "2", "実日数に計上しない訪問看護", false },
	{ "9", "訪問看護療養費レコードの算定年月日と不一致", true },
};
static const struct hk_code t26[] = {
	{ "00", "高額療養費の現物給付なし", false },
	{ "01", "高額療養費現物給付あり（多数回該当を除く）", false },
	{ "02", "高額療養費現物給付あり（多数回該当）", false },
	{ "03", "食事療養費及び生活療養費の標準負担額", true },
	{ "04", "特別の費用の額", true },
};
static const struct hk_code t27[] = {
	{ "01", "基本療養費１・２（緩和ケア）", false }, { "02", "基本療養費１・２（褥瘡ケア）", false },
	{ "03", "基本療養費１・２（人工肛門・人工膀胱ケア）", false },
	{ "04", "基本療養費１・２（特定行為（創傷管理関連））", false },
	{ "11", "専門管理加算（緩和ケア）", false }, { "12", "専門管理加算（褥瘡ケア）", false },
	{ "13", "専門管理加算（人工肛門・人工膀胱ケア）", false },
	{ "21", "専門管理加算（特定行為（気管カニューレの交換））", false },
	{ "22", "専門管理加算（特定行為（胃ろうカテーテル等の交換））", false },
	{ "23", "専門管理加算（特定行為（膀胱ろうカテーテルの交換））", false },
	{ "24", "専門管理加算（特定行為（血流のない壊死組織の除去））", false },
	{ "25", "専門管理加算（特定行為（創傷に対する陰圧閉鎖療法））", false },
	{ "26", "専門管理加算（特定行為（高カロリー輸液の投与量の調整））", false },
	{ "27", "専門管理加算（特定行為（脱水症状に対する輸液による補正））", false },
};
static const struct hk_code t28[] = {
	{ "01", "ＧＡＦ尺度１００－９１", false }, { "02", "ＧＡＦ尺度９０－８１", false }, { "03", "ＧＡＦ尺度８０－７１", false },
	{ "04", "ＧＡＦ尺度７０－６１", false }, { "05", "ＧＡＦ尺度６０－５１", false }, { "06", "ＧＡＦ尺度５０－４１", false },
	{ "07", "ＧＡＦ尺度４０－３１", false }, { "08", "ＧＡＦ尺度３０－２１", false }, { "09", "ＧＡＦ尺度２０－１１", false },
	{ "10", "ＧＡＦ尺度１０－１", false }, { "11", "ＧＡＦ尺度０", false },
	{ "20", "家族への訪問看護でありＧＡＦ尺度による判定が行えなかった", false },
};

struct hk_code_table {
	const char *name;
	const struct hk_code *codes;
	size_t n;
};

#define TBL(name, t) { name, t, HK_ARRAY_LEN(t) }
static const struct hk_code_table tables[HK_NCODE_TABLES + 1] = {
	{ NULL, NULL, 0 },
	TBL("審査支払機関", t1), TBL("都道府県", t2), TBL("点数表", t3),
	TBL("レセプト種別（訪問看護）", t4), TBL("男女区分", t5), TBL("レセプト特記", t6),
	TBL("一部負担金区分", t7), TBL("職務上の事由", t8), TBL("減免区分", t9),
	TBL("被災レセプト区分", t10), TBL("未確認区分", t11), TBL("指示区分", t12),
	TBL("基準告示第２の１に規定する疾病等の有無", t13), TBL("疾病等", t14),
	TBL("訪問終了の状況", t15), TBL("場所", t16), TBL("利用者情報", t17),
	TBL("情報提供先", t18), TBL("訪問看護回数", t19), TBL("職種等", t20),
	TBL("特記事項", t21), TBL("負担区分", t22), TBL("負担者種別", t23),
	TBL("確認区分", t24), TBL("受診等区分", t25), TBL("窓口負担額区分", t26),
	TBL("専門の研修", t27), TBL("ＧＡＦ尺度により判定した値", t28),
};

static const struct hk_code *code_find(int table, const char *code, size_t len)
{
	const struct hk_code_table *t;
	size_t i;

	if (table < 1 || table > HK_NCODE_TABLES || code == NULL)
		return NULL;
	t = &tables[table];
	for (i = 0; i < t->n; i++)
		if (strlen(t->codes[i].code) == len && memcmp(t->codes[i].code, code, len) == 0)
			return &t->codes[i];
	return NULL;
}

bool hk_code_valid(int table, const char *code, size_t len)
{
	const struct hk_code *c = code_find(table, code, len);
	return c != NULL && !c->shaded;
}

bool hk_code_shaded(int table, const char *code, size_t len)
{
	const struct hk_code *c = code_find(table, code, len);
	return c != NULL && c->shaded;
}

const char *hk_code_label(int table, const char *code, size_t len)
{
	const struct hk_code *c = code_find(table, code, len);
	return c ? c->label : NULL;
}

const char *hk_code_table_name(int table)
{
	if (table < 1 || table > HK_NCODE_TABLES)
		return NULL;
	return tables[table].name;
}
