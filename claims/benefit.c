/* benefit.c - person class, レセプト種別, routing and burden split (docs/burden.md). */
#include <string.h>
#include "claims/benefit.h"

int hk_ins_kind_parse(const char *s)
{
	if (!s) return -1;
	if (strcmp(s, "shaho") == 0) return HK_INS_SHAHO;
	if (strcmp(s, "kokuho") == 0) return HK_INS_KOKUHO;
	if (strcmp(s, "kouki") == 0) return HK_INS_KOUKI;
	return -1;
}

static const char *const person_names[] = {"honnin", "kazoku", "mishuugaku", "kourei", "kourei7"};
static const char *const person_labels[] = {"本人/世帯主", "家族/その他", "未就学者",
					    "高齢受給者一般・低所得者", "高齢受給者7割"};

int hk_person_parse(const char *s)
{
	for (int i = 0; s && i < (int)HK_ARRAY_LEN(person_names); i++)
		if (strcmp(s, person_names[i]) == 0)
			return i;
	return -1;
}

const char *hk_person_label(enum hk_person p)
{
	return (unsigned)p < HK_ARRAY_LEN(person_labels) ? person_labels[p] : "?";
}

/* The day before the n-th birthday (年齢計算ニ関スル法律: the age is reached then). */
static long eve_of_birthday(struct hk_date birth, int n)
{
	struct hk_date b = {birth.y + n, birth.m, birth.d};
	if (!hk_date_valid(b.y, b.m, b.d)) /* 29 February in a common year */
		b = (struct hk_date){b.y, 3, 1};
	return hk_date_to_days(b) - 1;
}

struct hk_date hk_school_start(struct hk_date birth)
{
	struct hk_date eve = hk_days_to_date(eve_of_birthday(birth, 6));
	/* 未就学 lasts until the first 31 March on or after that day. */
	return (struct hk_date){eve.m <= 3 ? eve.y : eve.y + 1, 4, 1};
}

struct hk_date hk_kourei_start(struct hk_date birth)
{
	struct hk_date eve = hk_days_to_date(eve_of_birthday(birth, 70));
	return eve.m == 12 ? (struct hk_date){eve.y + 1, 1, 1} : (struct hk_date){eve.y, eve.m + 1, 1};
}

enum hk_person hk_person_on(enum hk_ins_kind kind, enum hk_person declared, int ratio,
			    struct hk_date birth, struct hk_date on)
{
	if (kind == HK_INS_KOUKI)
		return ratio == 30 ? HK_P_KOUREI7 : HK_P_KOUREI;
	if (hk_date_cmp(on, hk_school_start(birth)) < 0)
		return HK_P_MISHUUGAKU;
	if (hk_date_cmp(on, hk_kourei_start(birth)) >= 0)
		return ratio == 30 ? HK_P_KOUREI7 : HK_P_KOUREI;
	switch (declared) {
	case HK_P_KAZOKU:
	case HK_P_MISHUUGAKU:
		return HK_P_KAZOKU;
	default:
		return HK_P_HONNIN;
	}
}

int hk_person_ratio(enum hk_ins_kind kind, enum hk_person p, int coverage_ratio)
{
	if (kind == HK_INS_KOUKI)
		return coverage_ratio;
	switch (p) {
	case HK_P_MISHUUGAKU:
	case HK_P_KOUREI:
		return 20;
	default:
		return 30;
	}
}

int hk_receipt_type(enum hk_ins_kind kind, enum hk_person p, int npub, char out[5])
{
	static const char person_digit[] = {'2', '6', '4', '8', '0'};
	if (npub < 0 || npub > 4 || (unsigned)p >= sizeof(person_digit))
		return -1;
	out[0] = '6';
	out[4] = '\0';
	switch (kind) {
	case HK_INS_NONE:
		if (npub == 0)
			return -1;
		out[1] = '2';
		out[2] = (char)('0' + npub);
		out[3] = '2';
		return 0;
	case HK_INS_SHAHO:
	case HK_INS_KOKUHO:
		out[1] = '1';
		out[3] = person_digit[p];
		break;
	case HK_INS_KOUKI:
		out[1] = '3';
		out[3] = p == HK_P_KOUREI7 ? '0' : '8';
		break;
	}
	out[2] = (char)('1' + npub);
	return 0;
}

/* 作成手引き 第4章4 公費負担医療の併用に係る公費レコードの記録順 (national programmes);
 * other (自治体) programmes follow them, 生活保護 (12) is last of all. */
static const char *const priority[] = {"13", "14", "18", "29", "30", "11", "21", "15", "16", "24",
				       "28", "19", "52", "54", "51", "38", "53", "66", "62", "25"};

int hk_public_priority(const char *payer)
{
	if (strncmp(payer, "12", 2) == 0)
		return 99;
	for (int i = 0; i < (int)HK_ARRAY_LEN(priority); i++)
		if (strncmp(payer, priority[i], 2) == 0)
			return i;
	return 90;
}

/*
 * 公費 rules by 法別番号 (docs/burden.md).  ratio: the patient's share under the
 * 公費 in percent (applied to the amount the 公費 bears, never above the
 * insurance ratio); -1 leaves the share as it is (then only a cap reduces it).
 * The monthly cap (public_coverage.monthly_cap) always applies on top.
 */
static const struct hk_public_rule public_rules[] = {
	{"10", "感染症法 結核患者の適正医療", 5, false, 1},
	{"11", "感染症法 結核患者の入院", 0, false, 1},
	{"12", "生活保護法 医療扶助", 0, false, 1},
	{"13", "戦傷病者特別援護法 療養の給付", 0, false, 1},
	{"14", "戦傷病者特別援護法 更生医療", 0, false, 1},
	{"15", "障害者総合支援法 更生医療", 10, true, 1},
	{"16", "障害者総合支援法 育成医療", 10, true, 1},
	{"18", "原爆援護法 認定疾病医療", 0, false, 1},
	{"19", "原爆援護法 一般疾病医療費", 0, false, 1},
	{"21", "障害者総合支援法 精神通院医療", 10, true, 1},
	{"24", "障害者総合支援法 療養介護医療", 10, true, 1},
	{"25", "中国残留邦人等支援法 医療支援給付", 0, false, 1},
	{"28", "感染症法 新型インフルエンザ等外出自粛対象者", 0, false, 1},
	{"29", "感染症法 新感染症外出自粛対象者", 0, false, 1},
	{"30", "医療観察法", 0, false, 1},
	{"51", "特定疾患治療研究事業", 20, true, 1},
	{"52", "児童福祉法 小児慢性特定疾病医療支援", 20, true, 1},
	{"53", "児童福祉法 措置等に係る医療", 0, false, 1},
	{"54", "難病法 特定医療費", 20, true, 1},
	{"62", "特定B型肝炎ウイルス感染症給付費", 0, false, 1},
	{"66", "石綿健康被害救済法 医療費", 0, false, 1},
	{"", "その他の公費 (自治体等)", 0, false, 1},
};

const struct hk_public_rule *hk_public_rule(const char *payer)
{
	size_t n = HK_ARRAY_LEN(public_rules);
	for (size_t i = 0; i + 1 < n; i++)
		if (payer && strncmp(payer, public_rules[i].law, 2) == 0)
			return &public_rules[i];
	return &public_rules[n - 1];
}

int hk_route_body(enum hk_ins_kind kind, const char *first_payer)
{
	switch (kind) {
	case HK_INS_SHAHO: return 1;
	case HK_INS_KOKUHO: return 2;
	case HK_INS_KOUKI: return 2;
	default: return hk_public_rule(first_payer)->body;
	}
}

long hk_round10(long yen)
{
	return (yen + 5) / 10 * 10;
}

/* 1% of the excess over a threshold, 1円未満四捨五入. */
static long plus1(long base, long total, long threshold)
{
	return total > threshold ? base + (total - threshold + 50) / 100 : base;
}

long hk_limit_amount(const char *c, long total, bool many)
{
	if (!c || strlen(c) != 3)
		return -1;
	if (!strcmp(c, "A01") || !strcmp(c, "B01"))  /* ア / 現役並みⅢ */
		return many ? 140100 : plus1(252600, total, 842000);
	if (!strcmp(c, "A02") || !strcmp(c, "B02"))  /* イ / 現役並みⅡ */
		return many ? 93000 : plus1(167400, total, 558000);
	if (!strcmp(c, "A03") || !strcmp(c, "B03"))  /* ウ / 現役並みⅠ */
		return many ? 44400 : plus1(80100, total, 267000);
	if (!strcmp(c, "A04"))                       /* エ */
		return many ? 44400 : 57600;
	if (!strcmp(c, "A05") || !strcmp(c, "A06"))  /* オ, オ（境） */
		return many ? 24600 : 35400;
	if (!strcmp(c, "B04") || !strcmp(c, "B09") || !strcmp(c, "B10")) /* 一般, 一般Ⅱ, 一般Ⅰ: 外来 (個人) */
		return 18000;
	if (!strcmp(c, "B05") || !strcmp(c, "B06") || !strcmp(c, "B07") || !strcmp(c, "B08")) /* 低所得 */
		return 8000;
	return -1;
}

int hk_burden_split(const struct hk_burden_in *in, struct hk_burden_out *out, struct hk_err *err)
{
	long share[1 << HK_PAYER_SLOTS] = {0};
	long cap[HK_PAYER_SLOTS - 1];
	long s = 0, capped;
	int nmask = 1 << (in->npub + 1);
	memset(out, 0, sizeof(*out));
	if (in->npub < 0 || in->npub > HK_PAYER_SLOTS - 1)
		return hk_err_set(err, HK_EXIT_INTERNAL, "burden: %d 公費 (at most 4)", in->npub);
	if (in->kind == HK_INS_NONE && in->npub == 0)
		return hk_err_set(err, HK_EXIT_INPUT, "burden: no payer at all");
	for (int m = 1; m < (1 << HK_PAYER_SLOTS); m++) {
		if (!in->amount[m])
			continue;
		if (m >= nmask || ((m & 1) && in->kind == HK_INS_NONE))
			return hk_err_set(err, HK_EXIT_INTERNAL, "burden: amount for payer set %#x with no such payer", m);
		for (int k = 0; k < HK_PAYER_SLOTS; k++)
			if (m & (1 << k))
				out->total[k] += in->amount[m];
	}
	/* Insurance stage: the patient's share of what the insurance bears. */
	for (int m = 1; m < nmask; m++) {
		if (!in->amount[m])
			continue;
		share[m] = (m & 1) ? hk_round10(in->amount[m] * in->ratio / 100) : in->amount[m];
		if (m & 1)
			s += share[m];
	}
	capped = s;
	if (in->kind != HK_INS_NONE && in->kougaku && in->limit_class && *in->limit_class) {
		long lim = hk_limit_amount(in->limit_class, out->total[0], in->kougaku == 2);
		if (lim < 0)
			return hk_err_set(err, HK_EXIT_INPUT, "burden: unknown 限度額適用区分 '%s'", in->limit_class);
		if (s > lim) {
			long left = lim, last = 0;
			capped = lim;
			/* spread the reduction over the payer sets in proportion */
			for (int m = 1; m < nmask; m += 2)
				if (share[m]) last = m;
			for (int m = 1; m < nmask; m += 2) {
				if (!share[m]) continue;
				if (m == last) {
					share[m] = left;
				} else {
					share[m] = share[m] * lim / s;
					left -= share[m];
				}
			}
		}
		out->ins_share_recorded = true;
	}
	out->ins_share = capped;
	out->insurer_pays = out->total[0] - capped;
	/* 公費 stage, in KO order: each 公費 lowers the patient's part of what it bears. */
	for (int k = 1; k <= in->npub; k++) {
		const struct hk_public_rule *rule = hk_public_rule(in->payer[k - 1]);
		cap[k - 1] = in->cap[k - 1];
		out->pub_share_recorded[k - 1] = rule->records_share || cap[k - 1] >= 0;
		for (int m = 1; m < nmask; m++) {
			long q;
			if (!(m & (1 << k)) || !in->amount[m])
				continue;
			q = share[m];
			if (rule->ratio >= 0) {
				int r = (m & 1) && in->ratio < rule->ratio ? in->ratio : rule->ratio;
				long by_ratio = hk_round10(in->amount[m] * r / 100);
				if (by_ratio < q)
					q = by_ratio;
			}
			if (cap[k - 1] >= 0) {
				if (q > cap[k - 1])
					q = cap[k - 1];
				cap[k - 1] -= q;
			}
			out->public_pays[k - 1] += share[m] - q;
			out->pub_share[k - 1] += q;
			share[m] = q;
		}
	}
	for (int m = 1; m < nmask; m++)
		out->patient += share[m];
	if (in->kind != HK_INS_NONE)
		memcpy(out->window, in->kougaku == 2 ? "02" : in->kougaku == 1 ? "01" : "00", 3);
	return 0;
}
