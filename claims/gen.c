/*
 * gen.c - the synthetic month (contract in gen.h).
 *
 * Mix (per patient, independently drawn):
 *   age group: 4% 未就学 (社保 家族, 2割), 3% school age (社保 家族), 18% adults 18-69
 *   (社保 本人/家族, 国保), 10% 70-74 高齢受給者 (一般 2割 / 7割 3割), 65% 75+ 後期 (1/2/3割);
 *   5% of the adults 生活保護 (法別 12) only; 8% 難病 (法別 54, monthly cap) with 別表7
 *   diseases and 2-3 visits on some days; 15 更生医療 / 16 育成医療 for a few; 30% of adults
 *   (~5% of all) 精神科 (指示 03, GAF); 5% a 14-day 特別訪問看護指示 (02, or 04 for 精神科) with daily visits;
 *   2% terminal care with a death in the month; 6% of those under 75 a mid-month insurer change;
 *   3% names with characters outside JIS X 0208 (髙, 﨑, 𠮷).
 * Visits: 2-4 a week on Monday-Saturday (35/45/20%), emergencies at night for some
 * patients with the 24時間 consent, 2% long visits, 5% two-staff visits, staff
 * weighted to 03 看護師.
 */
#include <stdio.h>
#include <string.h>
#include "claims/gen.h"
#include "claims/records.h"
#include "claims/db.h"
#include "base/checkdigit.h"
#include "base/date.h"
#include "base/progress.h"

/* ---- PRNG: splitmix64 seeds xoshiro256** ------------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

void hk_rng_seed(struct hk_rng *g, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		g->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t hk_rng_next(struct hk_rng *g)
{
	uint64_t *s = g->s;
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

uint32_t hk_rng_below(struct hk_rng *g, uint32_t n)
{
	/* Lemire's multiply-shift; the tiny bias is irrelevant for synthetic data */
	return n ? (uint32_t)(((hk_rng_next(g) >> 32) * (uint64_t)n) >> 32) : 0;
}

static int pct(struct hk_rng *g, int permille) { return (int)hk_rng_below(g, 1000) < permille; }

/* Picks an index by weights (ending in 0). */
static int weighted(struct hk_rng *g, const int *w)
{
	int total = 0, r;
	for (int i = 0; w[i]; i++)
		total += w[i];
	r = (int)hk_rng_below(g, (uint32_t)total);
	for (int i = 0; w[i]; i++) {
		if (r < w[i])
			return i;
		r -= w[i];
	}
	return 0;
}

/* ---- the synthetic world ---------------------------------------------- */

#define STATION_PREF 13

void hk_gen_station(struct hk_station *s)
{
	memset(s, 0, sizeof(*s));
	hk_snprintf(s->code, sizeof(s->code), "9100017");
	hk_snprintf(s->pref, sizeof(s->pref), "%02d", STATION_PREF);
	hk_snprintf(s->name, sizeof(s->name), "合成訪問看護ステーション");
	hk_snprintf(s->phone, sizeof(s->phone), "03-0000-0000");
	s->mgmt_level = 3;
	s->mgmt_daily = 1;
	s->online_elig = 1;
}

/* The 施設基準 the synthetic station has notified (master オ 施設基準テーブル codes):
 * 精神科訪問看護 1606, 管理療養費1 (2日目以降) 1617, 24時間対応体制 1604,
 * 特別管理加算 1605, 訪問看護医療DX情報活用加算 1616. */
const char *const hk_gen_standards[] = {"1604", "1605", "1606", "1616", "1617", NULL};

struct name { const char *kanji, *kana; };

static const struct name surnames[] = {
	{"佐藤", "サトウ"}, {"鈴木", "スズキ"}, {"高橋", "タカハシ"}, {"田中", "タナカ"}, {"伊藤", "イトウ"},
	{"渡辺", "ワタナベ"}, {"山本", "ヤマモト"}, {"中村", "ナカムラ"}, {"小林", "コバヤシ"}, {"加藤", "カトウ"},
	{"吉田", "ヨシダ"}, {"山田", "ヤマダ"}, {"佐々木", "ササキ"}, {"山口", "ヤマグチ"}, {"松本", "マツモト"},
	{"井上", "イノウエ"}, {"木村", "キムラ"}, {"林", "ハヤシ"}, {"斎藤", "サイトウ"}, {"清水", "シミズ"},
};
/* outside JIS X 0208: 髙 U+9AD9, 﨑 U+FA11, 𠮷 U+20BB7 */
static const struct name rare_surnames[] = {
	{"髙橋", "タカハシ"}, {"山﨑", "ヤマザキ"}, {"𠮷田", "ヨシダ"}, {"髙木", "タカギ"}, {"宮﨑", "ミヤザキ"},
};
static const struct name male_names[] = {
	{"太郎", "タロウ"}, {"一郎", "イチロウ"}, {"健", "ケン"}, {"浩", "ヒロシ"}, {"茂", "シゲル"},
	{"清", "キヨシ"}, {"実", "ミノル"}, {"進", "ススム"}, {"大輔", "ダイスケ"}, {"翔太", "ショウタ"},
};
static const struct name female_names[] = {
	{"花子", "ハナコ"}, {"和子", "カズコ"}, {"幸子", "サチコ"}, {"節子", "セツコ"}, {"洋子", "ヨウコ"},
	{"美咲", "ミサキ"}, {"陽菜", "ヒナ"}, {"恵子", "ケイコ"}, {"京子", "キョウコ"}, {"久美子", "クミコ"},
};
static const char *const clinics[] = {"合成内科クリニック", "合成総合病院", "合成在宅診療所", "合成脳神経クリニック",
				      "合成こども医院", "合成メンタルクリニック"};
static const char *const diseases_plain[] = {"慢性心不全", "脳梗塞後遺症", "糖尿病", "慢性閉塞性肺疾患",
					     "認知症", "廃用症候群"};
static const struct { const char *code, *name; } nanbyou[] = {
	{"009", "パーキンソン病"}, {"005", "筋萎縮性側索硬化症"}, {"006", "脊髄小脳変性症"},
	{"002", "多発性硬化症"}, {"010", "多系統萎縮症"},
};
static const char *const psych_diseases[] = {"統合失調症", "うつ病", "双極性障害"};

/* 別表20 base codes, weighted: mostly 03 看護師 */
static const char *const staff_codes[] = {"03", "07", "04", "05", "06", "08", "01", "02"};
static const int staff_w[] = {700, 110, 70, 50, 20, 25, 20, 5, 0};

enum group { G_PRESCHOOL, G_SCHOOL, G_ADULT, G_ELDER70, G_KOUKI };

static void fmt_day(long day, char out[11]) { hk_date_fmt10(hk_days_to_date(day), out); }

static void fmt_time(int min, char out[6]) { hk_snprintf(out, 6, "%02d:%02d", min / 60, min % 60); }

/* n random digits into out (NUL-terminated), then optionally a check digit. */
static void digits(struct hk_rng *g, char *out, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = (char)('0' + hk_rng_below(g, 10));
	out[n] = '\0';
}

static void add_check(char *s)
{
	size_t n = strlen(s);
	s[n] = (char)('0' + hk_check_digit(s, n));
	s[n + 1] = '\0';
}

static int gen_pref(struct hk_rng *g) { return pct(g, 900) ? STATION_PREF : 1 + (int)hk_rng_below(g, 47); }

/* 8-digit number: 法別 + 都道府県 + 3 digits + check */
static void number8(struct hk_rng *g, const char *law, int pref, char out[16])
{
	char body[8];
	digits(g, body, 3);
	if (strcmp(body, "000") == 0)
		body[2] = '1';
	hk_snprintf(out, 16, "%s%02d%s", law, pref, body);
	add_check(out);
}

struct ctx {
	struct hk_records *rec;
	const struct hk_gen_opts *o;
	struct hk_gen_stats *st;
	long ms;            /* first day of the month, days since epoch */
	int ndays;
};

static int put(struct ctx *c, enum hk_rec_table t, const struct hk_val *v, long long *id, struct hk_err *err)
{
	enum hk_put_result r;
	if (c->o->fresh)
		return hk_rec_insert(c->rec, t, v, id, err);
	return hk_rec_put(c->rec, t, v, id, &r, err);
}

struct cov {
	char insurer[16], symbol[16], number[16], branch[4];
	const char *kind, *person;
	int ratio;
};

static void make_coverage(struct hk_rng *g, enum group grp, int kokuho, struct cov *cv)
{
	memset(cv, 0, sizeof(*cv));
	if (grp == G_KOUKI) {
		int r = weighted(g, (const int[]){75, 15, 10, 0});
		hk_snprintf(cv->insurer, sizeof(cv->insurer), "39%02d000", STATION_PREF);
		add_check(cv->insurer);
		digits(g, cv->number, 7);
		add_check(cv->number);
		cv->kind = "kouki";
		cv->person = r == 2 ? "kourei7" : "kourei";
		cv->ratio = r == 0 ? 10 : r == 1 ? 20 : 30;
		return;
	}
	if (kokuho) {
		char body[8];
		digits(g, body, 3);
		hk_snprintf(cv->insurer, sizeof(cv->insurer), "%02d%s", gen_pref(g), body);
		add_check(cv->insurer);
		hk_snprintf(cv->symbol, sizeof(cv->symbol), "国%02u", hk_rng_below(g, 90) + 10);
		cv->kind = "kokuho";
	} else {
		static const char *const laws[] = {"01", "06", "31", "34"};
		number8(g, laws[weighted(g, (const int[]){60, 30, 6, 4, 0})], gen_pref(g), cv->insurer);
		digits(g, cv->symbol, 4 + (int)hk_rng_below(g, 3));
		hk_snprintf(cv->branch, sizeof(cv->branch), "%02u", hk_rng_below(g, 4));
		cv->kind = "shaho";
	}
	digits(g, cv->number, 5 + (int)hk_rng_below(g, 3));
	if (cv->number[0] == '0')
		cv->number[0] = '1';
	switch (grp) {
	case G_PRESCHOOL: cv->person = "mishuugaku"; cv->ratio = 20; break;
	case G_SCHOOL: cv->person = "kazoku"; cv->ratio = 30; break;
	case G_ELDER70:
		if (pct(g, 800)) {
			cv->person = "kourei";
			cv->ratio = 20;
		} else {
			cv->person = "kourei7";
			cv->ratio = 30;
		}
		break;
	default: cv->person = pct(g, 700) ? "honnin" : "kazoku"; cv->ratio = 30; break;
	}
}

static int write_coverage(struct ctx *c, long long pid, const struct cov *cv, long from, long to,
			  struct hk_err *err)
{
	struct hk_val v[HK_COV__N];
	char f[11], t[11];
	fmt_day(from, f);
	if (to)
		fmt_day(to, t);
	v[HK_COV_PATIENT] = hk_vint(pid);
	v[HK_COV_INSURER] = hk_vtext(cv->insurer);
	v[HK_COV_NUMBER] = hk_vtext(cv->number);
	v[HK_COV_VALID_FROM] = hk_vtext(f);
	v[HK_COV_SYMBOL] = hk_vtext(cv->symbol);
	v[HK_COV_BRANCH] = hk_vtext(cv->branch);
	v[HK_COV_KIND] = hk_vtext(cv->kind);
	v[HK_COV_PERSON] = hk_vtext(cv->person);
	v[HK_COV_RATIO] = hk_vint(cv->ratio);
	v[HK_COV_LIMIT_CLASS] = hk_vnull();
	v[HK_COV_KOUGAKU] = hk_vint(0);
	v[HK_COV_DUTY] = hk_vnull();
	v[HK_COV_VALID_TO] = to ? hk_vtext(t) : hk_vnull();
	v[HK_COV_SOURCE] = hk_vtext("import");
	c->st->coverages++;
	return put(c, HK_T_COVERAGE, v, NULL, err);
}

static int write_public(struct ctx *c, struct hk_rng *g, long long pid, const char *law, long from,
			long long cap, struct hk_err *err)
{
	struct hk_val v[HK_PUB__N];
	char payer[16], recip[16], f[11];
	number8(g, law, STATION_PREF, payer);
	digits(g, recip, 6);
	add_check(recip);
	fmt_day(from, f);
	v[HK_PUB_PATIENT] = hk_vint(pid);
	v[HK_PUB_PAYER] = hk_vtext(payer);
	v[HK_PUB_VALID_FROM] = hk_vtext(f);
	v[HK_PUB_RECIPIENT] = hk_vtext(recip);
	v[HK_PUB_MONTHLY_CAP] = cap >= 0 ? hk_vint(cap) : hk_vnull();
	v[HK_PUB_VALID_TO] = hk_vnull();
	c->st->publics++;
	return put(c, HK_T_PUBLIC, v, NULL, err);
}

static int write_instruction(struct ctx *c, struct hk_rng *g, long long pid, const char *kind, long from,
			     long to, const char *flag, const char *dis, const char *dname,
			     const char *condition, struct hk_err *err)
{
	struct hk_val v[HK_INS__N];
	char f[11], t[11], rep[11], pref[4], code[8], doctor[64];
	const struct name *sn = &surnames[hk_rng_below(g, HK_ARRAY_LEN(surnames))];
	const struct name *gn = &male_names[hk_rng_below(g, HK_ARRAY_LEN(male_names))];
	fmt_day(from, f);
	fmt_day(to, t);
	fmt_day(c->ms - 1 - (long)hk_rng_below(g, 20), rep);
	hk_snprintf(pref, sizeof(pref), "%02d", gen_pref(g));
	digits(g, code, 7);
	hk_snprintf(doctor, sizeof(doctor), "%s %s", sn->kanji, gn->kanji);
	v[HK_INS_PATIENT] = hk_vint(pid);
	v[HK_INS_KIND] = hk_vtext(kind);
	v[HK_INS_VALID_FROM] = hk_vtext(f);
	v[HK_INS_VALID_TO] = hk_vtext(t);
	v[HK_INS_INST_PREF] = hk_vtext(pref);
	v[HK_INS_INST_TABLE] = hk_vtext("1");
	v[HK_INS_INST_CODE] = hk_vtext(code);
	v[HK_INS_INST_NAME] = hk_vtext(clinics[hk_rng_below(g, HK_ARRAY_LEN(clinics))]);
	v[HK_INS_DOCTOR] = hk_vtext(doctor);
	v[HK_INS_LAST_REPORT] = pct(g, 700) ? hk_vtext(rep) : hk_vnull();
	v[HK_INS_DISEASE_CODE] = hk_vtext("0000999");
	v[HK_INS_DISEASE_NAME] = hk_vtext(dname);
	v[HK_INS_CONDITION] = hk_vtext(condition);
	v[HK_INS_DISEASE_FLAG] = hk_vtext(flag);
	v[HK_INS_DISEASES] = hk_vtext(dis);
	c->st->instructions++;
	return put(c, HK_T_INSTRUCTION, v, NULL, err);
}

struct slot { int start, len, emergency, long_visit, terminal; };

/* Who visits a patient on a day: one qualification for all the day's visits
 * (a 精神科 visit is made by 保健師, 看護師, 准看護師 or 作業療法士). */
static const char *day_staff(struct hk_rng *g, int psych)
{
	static const char *const psych_staff[] = {"03", "01", "07", "05", "08"};
	static const int psych_w[] = {750, 80, 100, 50, 20, 0};
	return psych ? psych_staff[weighted(g, psych_w)] : staff_codes[weighted(g, staff_w)];
}

static int write_visit(struct ctx *c, struct hk_rng *g, long long pid, long day, const struct slot *s,
		       const char *inst_kind, const char *staff, int special_mgmt, int building, int *two_ok,
		       struct hk_err *err)
{
	struct hk_val v[HK_VIS__N];
	char d[11], st[6], en[6];
	const char *staff2 = NULL;
	fmt_day(day, d);
	fmt_time(s->start, st);
	fmt_time(s->start + s->len, en);
	/* a second person comes along with a 看護職員, at most once a week */
	if (*two_ok && strstr("01 02 03 07 08", staff) && pct(g, 50)) {
		staff2 = pct(g, 600) ? "03" : pct(g, 500) ? "07" : "09";
		*two_ok = 0;
	}
	v[HK_VIS_PATIENT] = hk_vint(pid);
	v[HK_VIS_DATE] = hk_vtext(d);
	v[HK_VIS_START] = hk_vtext(st);
	v[HK_VIS_END] = hk_vtext(en);
	v[HK_VIS_STAFF] = hk_vtext(staff);
	v[HK_VIS_STAFF2] = hk_vtext(staff2);
	v[HK_VIS_INST_KIND] = hk_vtext(inst_kind);
	v[HK_VIS_EMERGENCY] = hk_vint(s->emergency);
	v[HK_VIS_LONG] = hk_vint(s->long_visit);
	v[HK_VIS_MULTI] = hk_vint(staff2 != NULL);
	v[HK_VIS_TERMINAL] = hk_vint(s->terminal);
	v[HK_VIS_SPECIAL_MGMT] = hk_vint(special_mgmt);
	v[HK_VIS_ITEMS] = hk_vnull();
	v[HK_VIS_BUILDING_COUNT] = hk_vint(building);
	v[HK_VIS_OUTING] = hk_vint(0);
	v[HK_VIS_SPECIALIST] = hk_vint(0);
	c->st->visits++;
	return put(c, HK_T_VISIT, v, NULL, err);
}

/* Normal visit slots of one day (1-3 visits), non-overlapping, daytime. */
static int day_slots(struct hk_rng *g, int n, int psych, int long_ok, struct slot *out)
{
	static const int first[] = {9 * 60, 13 * 60, 17 * 60};
	for (int k = 0; k < n; k++) {
		struct slot *s = &out[k];
		memset(s, 0, sizeof(*s));
		s->start = first[k] + 30 * (int)hk_rng_below(g, k == 2 ? 3 : 5);
		s->len = psych ? 30 + 30 * (int)hk_rng_below(g, 2) : 30 + 30 * (int)hk_rng_below(g, 3);
		if (k == 0 && long_ok && pct(g, 60)) {
			s->start = 9 * 60;
			s->len = 120 + 30 * (int)hk_rng_below(g, 2);
			s->long_visit = 1;
		}
		if (k == 2 && s->len > 60)
			s->len = 60;
	}
	return n;
}

static int gen_patient(struct ctx *c, long idx, struct hk_err *err)
{
	struct hk_rng g;
	struct hk_val v[HK_PAT__N];
	char key[16], name[96], kana[96], birth[11], vstart[11], gafd[11] = "", death[11] = "", dtime[6] = "";
	char place[4];
	char condition[160];
	const struct name *sn, *gn;
	long long pid;
	long birthday, vs_day, death_day = 0;
	int sex, age, psych = 0, nanbyou_i = -1, terminal, special = 0, special_from = 0, change = 0;
	int consent, special_mgmt = 0, building = 1, kokuho = 0, seibo = 0, long_ok;
	enum group grp;
	const char *flag = "03", *dis = NULL, *dname, *main_kind;
	char gafc[4] = "";
	struct cov cv;
	uint64_t seed = c->o->seed ^ ((uint64_t)(idx + 1) * 0xD1B54A32D192ED03ULL);

	hk_rng_seed(&g, seed);
	hk_snprintf(key, sizeof(key), "G%07ld", idx + 1);
	sex = 1 + (int)hk_rng_below(&g, 2);
	grp = (enum group)weighted(&g, (const int[]){40, 30, 180, 100, 650, 0});
	switch (grp) {
	case G_PRESCHOOL: age = (int)hk_rng_below(&g, 5); break;
	case G_SCHOOL: age = 7 + (int)hk_rng_below(&g, 10); break;
	case G_ADULT: age = 19 + (int)hk_rng_below(&g, 50); break;
	case G_ELDER70: age = 70 + (int)hk_rng_below(&g, 4); break;
	default: age = 76 + (int)hk_rng_below(&g, 25); break;
	}
	birthday = c->ms - (long)(age * 365.2425) - (long)hk_rng_below(&g, 300);
	fmt_day(birthday, birth);
	if (pct(&g, 30))
		sn = &rare_surnames[hk_rng_below(&g, HK_ARRAY_LEN(rare_surnames))];
	else
		sn = &surnames[hk_rng_below(&g, HK_ARRAY_LEN(surnames))];
	gn = sex == 1 ? &male_names[hk_rng_below(&g, HK_ARRAY_LEN(male_names))]
		      : &female_names[hk_rng_below(&g, HK_ARRAY_LEN(female_names))];
	hk_snprintf(name, sizeof(name), "%s %s", sn->kanji, gn->kanji);
	hk_snprintf(kana, sizeof(kana), "%s%s", sn->kana, gn->kana);

	/* clinical picture */
	psych = grp == G_ADULT && pct(&g, 300);
	if (!psych && pct(&g, 80))
		nanbyou_i = (int)hk_rng_below(&g, HK_ARRAY_LEN(nanbyou));
	terminal = !psych && grp >= G_ADULT && pct(&g, 20);
	consent = pct(&g, terminal || nanbyou_i >= 0 ? 950 : 600);
	if (pct(&g, 100))
		special_mgmt = 1 + (int)hk_rng_below(&g, 2);
	if (pct(&g, psych ? 20 : 50)) {
		special = 1;
		special_from = (int)hk_rng_below(&g, (uint32_t)c->ndays - 6);
	}
	change = (grp == G_ADULT || grp == G_ELDER70) && pct(&g, 60);
	seibo = grp == G_ADULT && pct(&g, 50);
	kokuho = grp == G_ADULT ? pct(&g, 350) : grp == G_ELDER70 ? pct(&g, 600) : 0;
	long_ok = special_mgmt || grp <= G_SCHOOL || nanbyou_i >= 0;
	hk_snprintf(place, sizeof(place), "01");
	if (grp >= G_ELDER70 && pct(&g, 150)) {
		hk_snprintf(place, sizeof(place), "%u", 11 + hk_rng_below(&g, 6));
		building = 1 + (int)hk_rng_below(&g, 5);
	}
	vs_day = c->ms - (long)hk_rng_below(&g, 700);
	if (vs_day < birthday + 1)
		vs_day = birthday + 1;
	fmt_day(vs_day, vstart);
	if (terminal) {
		/* dies at 14:00-21:59 on a day from the 10th; visits that day end by 14:00 */
		death_day = c->ms + 9 + (long)hk_rng_below(&g, (uint32_t)c->ndays - 9);
		fmt_day(death_day, death);
		fmt_time(14 * 60 + (int)hk_rng_below(&g, 480), dtime);
	}

	v[HK_PAT_KEY] = hk_vtext(key);
	v[HK_PAT_NAME] = hk_vtext(name);
	v[HK_PAT_KANA] = hk_vtext(kana);
	v[HK_PAT_SEX] = hk_vint(sex);
	v[HK_PAT_BIRTH] = hk_vtext(birth);
	v[HK_PAT_VISIT_START] = hk_vtext(vstart);
	v[HK_PAT_PLACE] = hk_vtext(place);
	v[HK_PAT_PLACE_TEXT] = hk_vnull();
	v[HK_PAT_END_DATE] = terminal ? hk_vtext(death) : hk_vnull();
	v[HK_PAT_END_TIME] = terminal ? hk_vtext(dtime) : hk_vnull();
	v[HK_PAT_END_REASON] = terminal ? hk_vtext("04") : hk_vnull();
	v[HK_PAT_END_TEXT] = hk_vnull();
	v[HK_PAT_DEATH_DATE] = terminal ? hk_vtext(death) : hk_vnull();
	v[HK_PAT_DEATH_TIME] = terminal ? hk_vtext(dtime) : hk_vnull();
	v[HK_PAT_DEATH_PLACE] = terminal ? hk_vtext(pct(&g, 800) ? "01" : "31") : hk_vnull();
	v[HK_PAT_DEATH_TEXT] = hk_vnull();
	if (psych) {
		hk_snprintf(gafc, sizeof(gafc), "%02u", 3 + hk_rng_below(&g, 5));
		fmt_day(c->ms - 1 - (long)hk_rng_below(&g, 60), gafd);
	}
	v[HK_PAT_GAF] = psych ? hk_vtext(gafc) : hk_vnull();
	v[HK_PAT_GAF_DATE] = psych ? hk_vtext(gafd) : hk_vnull();
	v[HK_PAT_CONSENT_24H] = hk_vint(consent);
	if (put(c, HK_T_PATIENT, v, &pid, err) < 0)
		return -1;
	c->st->patients++;

	/* coverages */
	if (seibo) {
		if (write_public(c, &g, pid, "12", vs_day, -1, err) < 0)
			return -1;
	} else {
		make_coverage(&g, grp, kokuho, &cv);
		if (change) {
			struct cov cv2;
			long mid = c->ms + 14;
			if (write_coverage(c, pid, &cv, vs_day < mid - 30 ? vs_day : mid - 30, mid, err) < 0)
				return -1;
			make_coverage(&g, grp, !kokuho, &cv2);
			if (write_coverage(c, pid, &cv2, mid + 1, 0, err) < 0)
				return -1;
		} else if (write_coverage(c, pid, &cv, vs_day, 0, err) < 0) {
			return -1;
		}
		if (nanbyou_i >= 0) {
			static const long long caps[] = {0, 2500, 5000, 10000, 20000, 30000};
			if (write_public(c, &g, pid, "54", vs_day, caps[hk_rng_below(&g, 6)], err) < 0)
				return -1;
		} else if (grp == G_SCHOOL && pct(&g, 100)) {
			if (write_public(c, &g, pid, "16", vs_day, 5000, err) < 0)
				return -1;
		} else if (grp == G_ADULT && !psych && pct(&g, 30)) {
			if (write_public(c, &g, pid, "15", vs_day, 10000, err) < 0)
				return -1;
		}
	}

	/* instructions */
	main_kind = psych ? "03" : "01";
	if (psych) {
		dname = psych_diseases[hk_rng_below(&g, HK_ARRAY_LEN(psych_diseases))];
		hk_snprintf(condition, sizeof(condition), "%s。服薬管理と生活リズムの調整を支援する。", dname);
	} else if (nanbyou_i >= 0) {
		flag = "01";
		dis = nanbyou[nanbyou_i].code;
		dname = nanbyou[nanbyou_i].name;
		hk_snprintf(condition, sizeof(condition), "%s。ADL低下あり、転倒予防とリハビリテーションを行う。", dname);
	} else if (terminal) {
		flag = "01";
		dis = "001";
		dname = "末期の悪性腫瘍";
		hk_snprintf(condition, sizeof(condition), "%s。疼痛コントロール中、ターミナル期。", dname);
	} else {
		dname = diseases_plain[hk_rng_below(&g, HK_ARRAY_LEN(diseases_plain))];
		if (special_mgmt) {
			flag = "02";
			dis = "045";
		}
		hk_snprintf(condition, sizeof(condition), "%s。全身状態の観察と服薬管理を行う。", dname);
	}
	{
		long from = c->ms - (long)hk_rng_below(&g, 140);
		if (write_instruction(c, &g, pid, main_kind, from, from + 179, flag, dis, dname, condition, err) < 0)
			return -1;
		if (special && write_instruction(c, &g, pid, psych ? "04" : "02", c->ms + special_from,
						 c->ms + special_from + 13, flag, dis, dname,
						 "状態悪化のため頻回の訪問看護が必要。", err) < 0)
			return -1;
	}

	/* visits: week by week, Monday to Saturday */
	{
		long last = c->ms + c->ndays - 1;
		int wd0 = hk_date_weekday(hk_days_to_date(c->ms)); /* 0 = Sunday */
		long week = c->ms - ((wd0 + 6) % 7);              /* the Monday on or before the 1st */
		int emerg_left = consent && pct(&g, 120) ? 1 + (int)hk_rng_below(&g, 2) : 0;
		const char *staff = NULL;
		if (terminal)
			last = death_day;
		for (; week <= last; week += 7) {
			int perweek = 2 + weighted(&g, (const int[]){35, 45, 20, 0});
			int two_ok = 1, long_left = 1;
			int special_week = 0;
			for (int d = 0; d < 7; d++)
				special_week |= special && week + d >= c->ms + special_from &&
						week + d <= c->ms + special_from + 13;
			/* a 4th day a week only for 基準告示第2の1 (別表7/8) patients */
			if (perweek > 3 && (psych || !strcmp(flag, "03")))
				perweek = 3;
			int chosen[6] = {0};
			for (int k = 0; k < perweek;) {
				int d = (int)hk_rng_below(&g, 6);
				if (!chosen[d]) {
					chosen[d] = 1;
					k++;
				}
			}
			for (int d = 0; d < 7; d++) {
				long day = week + d;
				int in_special = special && day >= c->ms + special_from && day <= c->ms + special_from + 13;
				int n, emergency_today;
				struct slot sl[4];
				if (day < c->ms || day > last)
					continue;
				/* a week touched by a special instruction is visited on its days only */
				if (!(in_special || (!special_week && d < 6 && chosen[d])))
					continue;
				n = 1;
				if (nanbyou_i >= 0 || in_special) {
					int r = (int)hk_rng_below(&g, 100);
					n = r < 5 ? 3 : r < 30 ? 2 : 1;
				}
				day_slots(&g, n, psych, long_ok && long_left, sl);
				for (int k = 0; k < n; k++)
					long_left &= !sl[k].long_visit;
				staff = day_staff(&g, psych);
				emergency_today = emerg_left > 0 && pct(&g, 100);
				if (emergency_today) {
					/* an evening emergency visit: another visit that day only where several
					 * a day are allowed (別表7/8, special instruction), else instead of the plan */
					int slot = (nanbyou_i >= 0 || in_special || strcmp(flag, "03")) ? n++ : 0;
					memset(&sl[slot], 0, sizeof(sl[slot]));
					sl[slot].start = 19 * 60 + 30 * (int)hk_rng_below(&g, 7);
					sl[slot].len = 30 + 30 * (int)hk_rng_below(&g, 2);
					sl[slot].emergency = 1;
					emerg_left--;
				}
				for (int k = 0; k < n; k++) {
					if (terminal && day >= death_day - 13)
						sl[k].terminal = 1;
					if (terminal && day == death_day && sl[k].start + sl[k].len > 14 * 60)
						continue;
					if (write_visit(c, &g, pid, day, &sl[k], in_special ? (psych ? "04" : "02") : main_kind,
							staff, special_mgmt, building, &two_ok, err) < 0)
						return -1;
				}
			}
		}
	}
	return 0;
}

int hk_gen_month(sqlite3 *db, const struct hk_gen_opts *o, struct hk_gen_stats *st, struct hk_err *err)
{
	struct ctx c;
	struct hk_progress pr;
	int rc = -1, in_tx = 0;
	memset(&c, 0, sizeof(c));
	memset(st, 0, sizeof(*st));
	c.o = o;
	c.st = st;
	if (o->patients < 1 || o->patients > HK_GEN_MAX_PATIENTS)
		return hk_err_set(err, HK_EXIT_USAGE, "--patients must be 1-%ld (HK_GEN_MAX_PATIENTS)",
				  HK_GEN_MAX_PATIENTS);
	if (!hk_date_valid(o->year, o->month, 1))
		return hk_err_set(err, HK_EXIT_USAGE, "--month: not a month");
	c.ms = hk_date_to_days((struct hk_date){o->year, o->month, 1});
	c.ndays = hk_days_in_month(o->year, o->month);
	/* one big transaction; a larger page cache keeps the index updates in memory */
	if (hk_db_exec(db, "PRAGMA cache_size = -1048576", err) < 0)
		return -1;
	if (hk_records_open(db, &c.rec, err) < 0)
		return -1;
	if (hk_db_begin(db, err) < 0)
		goto out;
	in_tx = 1;
	hk_progress_start(&pr, "gen", o->patients);
	for (long i = 0; i < o->patients; i++) {
		if (gen_patient(&c, i, err) < 0) {
			hk_progress_end(&pr);
			goto out;
		}
		if ((i & 1023) == 1023)
			hk_progress_step(&pr, 1024);
	}
	hk_progress_end(&pr);
	if (hk_audit(db, "gen", NULL, NULL, "ok", err) < 0 || hk_db_commit(db, err) < 0)
		goto out;
	in_tx = 0;
	rc = 0;
out:
	if (in_tx)
		hk_db_rollback(db);
	hk_records_close(c.rec);
	return rc;
}
