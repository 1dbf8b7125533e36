/*
 * check_receipt.c - receipt-level rules over the records of one receipt
 * (記録条件仕様 3(3)ア(ウ)(エ); 手引き 第3-6章, 第18章), and the rules that need
 * the 訪問看護療養費マスター (master/master.h).
 *
 * A rule only looks at fields that passed the record-level checks (ok), so
 * one wrong value gives one diagnostic, not a cascade.
 */
#include <stdio.h>
#include <string.h>
#include "receipt/check_int.h"
#include "base/date.h"
#include "master/master.h"

/* 記録条件仕様 3(3)ア(ウ): the order of the records of a receipt. */
static const char order[][3] = {
	"RE", "HO", "KO", "SN", "JD", "MF", "GI", "IH", "HJ", "JS", "SY", "RJ", "TJ", "TZ", "KS", "CO", "KA",
};
_Static_assert(HK_ARRAY_LEN(order) == CK_NRANKS, "order[] follows enum ck_rank");
/* at most once per receipt (KO: up to 4, below) */
static const signed char once[] = { CK_R_HO, CK_R_GI, CK_R_RJ };
/* required in every receipt */
static const signed char needed[] = { CK_R_IH, CK_R_HJ, CK_R_JS, CK_R_SY, CK_R_RJ, CK_R_KA };
#define MAX_KO 4
#define NPAYERS (1 + MAX_KO)

/* 手引き 第4章: national 法別番号 priority of 公費 (先順位 first; 12 生活保護 last). */
static const char kohi_order[][3] = {
	"13", "14", "18", "29", "30", "11", "21", "15", "16", "24", "28", "19", "52", "54", "51", "38",
	"53", "66", "62", "25", "12",
};

/* 別表22 負担区分: which payers (bit 0 = 医保, bit k = 第k公費) bear a KA line,
 * by code byte (0 = not a code). */
static const unsigned char futan[256] = {
	['1'] = 0x01, ['5'] = 0x02, ['6'] = 0x04, ['B'] = 0x08, ['C'] = 0x10,
	['2'] = 0x03, ['3'] = 0x05, ['E'] = 0x09, ['G'] = 0x11, ['7'] = 0x06, ['H'] = 0x0A, ['I'] = 0x12,
	['J'] = 0x0C, ['K'] = 0x14, ['L'] = 0x18,
	['4'] = 0x07, ['M'] = 0x0B, ['N'] = 0x13, ['O'] = 0x0D, ['P'] = 0x15, ['Q'] = 0x19, ['R'] = 0x0E,
	['S'] = 0x16, ['T'] = 0x1A, ['U'] = 0x1C,
	['V'] = 0x0F, ['W'] = 0x17, ['X'] = 0x1B, ['Y'] = 0x1D, ['Z'] = 0x1E, ['9'] = 0x1F,
};

static const char *payer_name(int p)
{
	static const char *const n[NPAYERS] = {"医療保険 (HO)", "第1公費 (KO 1)", "第2公費 (KO 2)",
					       "第3公費 (KO 3)", "第4公費 (KO 4)"};
	return p >= 0 && p < NPAYERS ? n[p] : "?";
}

int ck_rank_of(const char *id)
{
	/* rank + 1 by the two letters of an id (0: not a receipt record) */
#define RK(a, b, r) [((a) - 'A') * 26 + (b) - 'A'] = (r) + 1
	static const signed char rank1[26 * 26] = {
		RK('R', 'E', CK_R_RE), RK('H', 'O', CK_R_HO), RK('K', 'O', CK_R_KO), RK('S', 'N', CK_R_SN),
		RK('J', 'D', CK_R_JD), RK('M', 'F', CK_R_MF), RK('G', 'I', CK_R_GI), RK('I', 'H', CK_R_IH),
		RK('H', 'J', CK_R_HJ), RK('J', 'S', CK_R_JS), RK('S', 'Y', CK_R_SY), RK('R', 'J', CK_R_RJ),
		RK('T', 'J', CK_R_TJ), RK('T', 'Z', CK_R_TZ), RK('K', 'S', CK_R_KS), RK('C', 'O', CK_R_CO),
		RK('K', 'A', CK_R_KA),
	};
#undef RK
	if (id[0] < 'A' || id[0] > 'Z' || id[1] < 'A' || id[1] > 'Z' || id[2] != '\0')
		return CK_R_NONE;
	return rank1[(id[0] - 'A') * 26 + id[1] - 'A'] - 1;
}

/* The value of field i (0-based) when it passed the record checks. */
static inline bool val(const struct ck_ctx *c, const struct ck_rec *r, int i, const unsigned char **p,
		       size_t *len)
{
	if (!r->shape_ok || i >= r->nfields || !(r->ok >> i & 1))
		return false;
	*p = ck_fp(c, r, i);
	*len = r->f[i].len;
	return true;
}

/* A non-empty valid number field. */
static bool num(const struct ck_ctx *c, const struct ck_rec *r, int i, long *out)
{
	const unsigned char *p;
	size_t len;
	long v = 0;
	if (!val(c, r, i, &p, &len) || len == 0 || len > 12)
		return false;
	for (size_t k = 0; k < len; k++) {
		if (p[k] < '0' || p[k] > '9')
			return false;
		v = v * 10 + (p[k] - '0');
	}
	*out = v;
	return true;
}

/* A non-empty valid field, as a C string in out (n bytes). */
static bool str(const struct ck_ctx *c, const struct ck_rec *r, int i, char *out, size_t n)
{
	const unsigned char *p;
	size_t len;
	if (!val(c, r, i, &p, &len) || len == 0 || len >= n)
		return false;
	memcpy(out, p, len);
	out[len] = '\0';
	return true;
}

static bool date_of(struct ck_ctx *c, const struct ck_rec *r, int i, struct hk_date *d)
{
	const unsigned char *p;
	size_t len;
	return val(c, r, i, &p, &len) && len == 8 && ck_date8(c, p, d);
}

static int futan_mask(const struct ck_ctx *c, const struct ck_rec *r)
{
	const unsigned char *p;
	size_t len;
	if (!val(c, r, 2, &p, &len) || len != 1 || !futan[p[0]])
		return -1;
	return futan[p[0]];
}

void ck_ka_parse(struct ck_ctx *c, struct ck_rec *r)
{
	r->ka_mask = futan_mask(c, r);
	r->ka_date_ok = date_of(c, r, 1, &r->ka_date);
	r->ka_amt_ok = num(c, r, 5, &r->ka_amt);
}

struct rc {                      /* what one receipt holds, gathered once */
	const struct ck_rec *re, *ho, *ko[MAX_KO];
	int nho, nko;
	bool present[NPAYERS];
	bool first_claim;        /* RE 検索番号 empty */
	bool month_ok;
	int sy, sm;              /* 指定訪問看護年月 */
	bool ka_ok;              /* every KA has a valid date in the month, 負担区分 and 金額 */
	bool kouki;              /* HO 保険者番号 begins 39 */
	/* the records of rank k are among c->recs[lo[k] .. hi[k] - 1] (none: 0, 0) */
	size_t lo[CK_NRANKS], hi[CK_NRANKS];
	/* by payer, over the KA lines (read when ka_ok): bit d of kadays = a
	 * line on day d the payer bears, total = the 金額 it bears */
	unsigned long kadays[NPAYERS];
	long total[NPAYERS];
};

static void check_structure(struct ck_ctx *c, struct rc *x)
{
	int last = -1, cnt[HK_ARRAY_LEN(order)] = {0};
	bool order_reported = false;

	for (size_t i = 0; i < c->nrecs; i++) {
		const struct ck_rec *r = &c->recs[i];
		int k = r->rank;
		if (k < 0)
			continue; /* unknown id: E-REC-ID already */
		if (!cnt[k]++)
			x->lo[k] = i;
		x->hi[k] = i + 1;
		if (k < last && !order_reported) {
			ck_diag(c, r->line, r->id, 0, "E-RE-ORDER",
				"%s comes after %s; a receipt's records are in the order "
				"RE HO KO SN JD MF GI IH HJ JS SY RJ TJ TZ KS CO KA", r->id, order[last]);
			order_reported = true;
		}
		if (k > last)
			last = k;
		for (size_t j = 0; cnt[k] == 2 && j < HK_ARRAY_LEN(once); j++)
			if (once[j] == k)
				ck_diag(c, r->line, r->id, 0, "E-RE-DUP", "a second %s in one receipt (at most one)",
					r->id);
		if (k == CK_R_KO && cnt[k] == MAX_KO + 1)
			ck_diag(c, r->line, r->id, 0, "E-RE-DUP", "a fifth KO in one receipt (at most 4 公費)");
		if (k == CK_R_HO && r->shape_ok) {
			if (!x->ho)
				x->ho = r;
			x->nho++;
		}
		if (k == CK_R_KO && r->shape_ok && x->nko < MAX_KO)
			x->ko[x->nko++] = r;
	}
	for (size_t j = 0; j < HK_ARRAY_LEN(needed); j++)
		if (!cnt[needed[j]])
			ck_diag(c, c->recs[0].line, "RE", 0, "E-RE-MISSING",
				"receipt %ld has no %s record (required in every receipt)", c->receipt_no,
				order[needed[j]]);
}

static void check_re(struct ck_ctx *c, struct rc *x)
{
	const struct ck_rec *re = x->re;
	char t[8], ins[16];
	long n;
	int y, m, cy, cm;

	if (num(c, re, 1, &n) && n != c->receipt_no)
		ck_diag(c, re->line, "RE", 2, "E-RE-NUMBER",
			"レセプト番号 %ld: receipts are numbered 1, 2, 3 ... in file order, expected %ld", n,
			c->receipt_no);
	if (str(c, re, 3, t, sizeof(t)) && hk_month_parse(t, 6, &y, &m)) {
		x->month_ok = true;
		x->sy = y;
		x->sm = m;
		if (c->claim_month[0] && hk_month_parse(c->claim_month, 6, &cy, &cm) &&
		    y * 12 + m >= cy * 12 + cm)
			ck_diag(c, re->line, "RE", 4, "E-RE-MONTH",
				"指定訪問看護年月 %s is not before the 請求年月 %s of HM", t, c->claim_month);
	}
	x->kouki = x->ho && str(c, x->ho, 1, ins, sizeof(ins)) && strncmp(ins, "39", 2) == 0;
	if (str(c, re, 2, t, sizeof(t)) && strlen(t) == 4) {
		char d2 = t[1];
		int d3 = t[2] - '0', payers = (x->nho ? 1 : 0) + x->nko;
		if ((d2 == '1' || d2 == '3') && !x->nho)
			ck_diag(c, re->line, "RE", 3, "E-TYPE-HO",
				"レセプト種別 %s is a 医療保険/後期 receipt but it has no HO record", t);
		else if (d2 == '2' && x->nho)
			ck_diag(c, re->line, "RE", 3, "E-TYPE-HO",
				"レセプト種別 %s is a 公費-only receipt but it has an HO record", t);
		else if (d3 != payers)
			ck_diag(c, re->line, "RE", 3, "E-TYPE-PAYERS",
				"レセプト種別 %s says %d payer(s) (3rd digit) but the receipt has %d (HO %d + KO %d)",
				t, d3, payers, x->nho ? 1 : 0, x->nko);
		if (x->ho && str(c, x->ho, 1, ins, sizeof(ins)) && ((d2 == '3') != x->kouki))
			ck_diag(c, re->line, "RE", 3, "W-TYPE-KOUKI",
				"レセプト種別 %s %s, but 保険者番号 %s %s", t,
				d2 == '3' ? "is 後期高齢者" : "is not 後期高齢者",
				ins, x->kouki ? "begins with 39 (後期高齢者医療広域連合)" : "does not begin with 39");
	}
	x->first_claim = re->shape_ok && re->nfields > 14 && re->f[14].len == 0;
}

static int kohi_rank(const struct ck_ctx *c, const struct ck_rec *ko)
{
	char no[16];
	if (!str(c, ko, 1, no, sizeof(no)))
		return -1;
	for (size_t i = 0; i < HK_ARRAY_LEN(kohi_order); i++)
		if (strncmp(no, kohi_order[i], 2) == 0)
			return (int)i;
	return -1;
}

static void check_ko_order(struct ck_ctx *c, struct rc *x)
{
	for (int i = 1; i < x->nko; i++) {
		int a = kohi_rank(c, x->ko[i - 1]), b = kohi_rank(c, x->ko[i]);
		if (a >= 0 && b >= 0 && b < a) {
			ck_diag(c, x->ko[i]->line, "KO", 2, "W-KO-ORDER",
				"公費 法別 %s is recorded after 法別 %s, but comes first in the national order",
				kohi_order[b], kohi_order[a]);
			return;
		}
	}
}

/* KA: month, order, payers.  Sets x->ka_ok. */
static void check_ka(struct ck_ctx *c, struct rc *x)
{
	struct hk_date prev = {0, 0, 0}, d;
	bool have_prev = false, order_reported = false;
	int present = 0; /* bit p: x->present[p] */

	for (int p = 0; p < NPAYERS; p++)
		present |= x->present[p] << p;
	x->ka_ok = true;
	for (size_t i = x->lo[CK_R_KA]; i < x->hi[CK_R_KA]; i++) {
		const struct ck_rec *r = &c->recs[i];
		int mask;
		if (r->rank != CK_R_KA)
			continue;
		/* check_master() reads the line's master memo entry: those are
		 * far apart, so ask for them now */
		if (c->memo && r->line_id)
			__builtin_prefetch(&c->memo->line[r->line_id % CK_MEMO_LINES]);
		mask = r->ka_mask;
		if (!r->ka_date_ok || mask < 0 || !r->ka_amt_ok) {
			x->ka_ok = false;
			continue;
		}
		d = r->ka_date;
		if (x->month_ok && (d.y != x->sy || d.m != x->sm)) {
			ck_diag(c, r->line, "KA", 2, "E-KA-MONTH",
				"算定年月日 %04d%02d%02d is outside the 指定訪問看護年月 %04d%02d", d.y, d.m, d.d,
				x->sy, x->sm);
			x->ka_ok = false;
		}
		if (have_prev && !order_reported &&
		    (d.y != prev.y ? d.y < prev.y : d.m != prev.m ? d.m < prev.m : d.d < prev.d)) {
			ck_diag(c, r->line, "KA", 2, "E-KA-ORDER",
				"算定年月日 %04d%02d%02d comes after %04d%02d%02d; KA records are in date order",
				d.y, d.m, d.d, prev.y, prev.m, prev.d);
			order_reported = true;
		}
		prev = d;
		have_prev = true;
		for (unsigned t = (unsigned)mask & ((1u << NPAYERS) - 1); t; t &= t - 1) {
			int p = __builtin_ctz(t);
			x->kadays[p] |= 1UL << d.d;
			x->total[p] += r->ka_amt;
		}
		for (int p = 0; (mask & ~present) && p < NPAYERS; p++)
			if ((mask >> p & 1) && !x->present[p]) {
				ck_diag(c, r->line, "KA", 3, "E-KA-PAYER",
					"負担区分 %c names %s, but the receipt has no such record", (char)ck_fp(c, r, 2)[0],
					payer_name(p));
				x->ka_ok = false;
				break;
			}
	}
}

/* SN and JD: 負担者種別 names an existing payer, ascending order, SN rules. */
static void check_sn_jd(struct ck_ctx *c, struct rc *x, const char *id)
{
	long prev = 0, s;
	bool sn = strcmp(id, "SN") == 0;
	int rank = sn ? CK_R_SN : CK_R_JD;
	char no[16];

	for (size_t i = x->lo[rank]; i < x->hi[rank]; i++) {
		const struct ck_rec *r = &c->recs[i];
		if (r->rank != rank || !num(c, r, 1, &s))
			continue;
		if (s <= prev)
			ck_diag(c, r->line, id, 2, sn ? "E-SN-ORDER" : "E-JD-ORDER",
				"負担者種別 %ld after %ld: %s records are in strictly ascending 負担者種別", s, prev, id);
		prev = s;
		if (s < 1 || s > NPAYERS || !x->present[s - 1]) {
			ck_diag(c, r->line, id, 2, sn ? "E-SN-PAYER" : "E-JD-PAYER",
				"負担者種別 %ld names %s, but the receipt has no such record", s, payer_name((int)s - 1));
			continue;
		}
		if (!sn)
			continue;
		if (s >= 2 && str(c, x->ko[s - 2], 1, no, sizeof(no)) && strncmp(no, "12", 2) != 0)
			ck_diag(c, r->line, id, 2, "E-SN-KOHI",
				"an SN for 公費 %s: SN is recorded for 公費 only when the 負担者番号 begins with 12", no);
		if (x->first_claim) {
			static const int empty_in_first[] = {3, 4, 5, 7};
			for (size_t k = 0; k < HK_ARRAY_LEN(empty_in_first); k++) {
				int f = empty_in_first[k];
				if (r->f[f].len) {
					ck_diag(c, r->line, id, f + 1, "E-SN-FIRST",
						"%s is left empty in a first claim (the 審査支払機関 fills it)",
						r->def->fields[f].name);
					break;
				}
			}
		}
		if (r->f[6].len && (s >= 2 || x->kouki))
			ck_diag(c, r->line, id, 7, "E-SN-EDABAN", "枝番 is omitted for %s",
				s >= 2 ? "公費" : "後期高齢者医療");
	}
}

/* JD days against KA dates; 実日数 and 合計金額 against JD and KA. */
static void check_days_totals(struct ck_ctx *c, struct rc *x)
{
	const unsigned long *kadays = x->kadays; /* (check_ka()) */
	const long *total = x->total;
	long jitsu[NPAYERS] = {0}, s, v;
	bool has_jd[NPAYERS] = {false}, jd_ok[NPAYERS] = {false};
	const struct ck_rec *payrec[NPAYERS] = {x->ho};
	int nd;

	for (int k = 0; k < x->nko; k++)
		payrec[k + 1] = x->ko[k];
	if (!x->ka_ok || !x->month_ok)
		return; /* (then every KA line has a valid date, 負担区分 and 金額) */
	nd = hk_days_in_month(x->sy, x->sm);
	for (size_t i = x->lo[CK_R_JD]; i < x->hi[CK_R_JD]; i++) {
		const struct ck_rec *r = &c->recs[i];
		unsigned long jdays = 0, diff;
		int p;
		bool ok = true;
		if (r->rank != CK_R_JD || !num(c, r, 1, &s) || s < 1 || s > NPAYERS || !x->present[s - 1])
			continue;
		p = (int)s - 1;
		has_jd[p] = true;
		for (int day = 1; day <= 31; day++) {
			const unsigned char *q;
			size_t len;
			if (!val(c, r, day + 1, &q, &len)) {
				ok = false;
				continue;
			}
			if (len == 0)
				continue;
			jdays |= 1UL << day;
			if (q[0] == '1')
				jitsu[p]++;
		}
		if (!ok)
			continue;
		jd_ok[p] = true;
		/* the first day (1-31) the JD codes and the KA lines do not both have */
		diff = (jdays ^ kadays[p]) & 0xfffffffeUL;
		if (diff) {
			int day = __builtin_ctzl(diff);
			bool inj = jdays >> day & 1;
			if (inj && day > nd)
				ck_diag(c, r->line, "JD", day + 2, "E-JD-DAYS",
					"%d日の情報 is coded, but %04d%02d has only %d days", day, x->sy, x->sm, nd);
			else if (inj)
				ck_diag(c, r->line, "JD", day + 2, "E-JD-DAYS",
					"%d日の情報 is coded, but no KA on %04d%02d%02d is borne by %s", day, x->sy,
					x->sm, day, payer_name(p));
			else
				ck_diag(c, r->line, "JD", day + 2, "E-JD-DAYS",
					"KA on %04d%02d%02d is borne by %s, but %d日の情報 is empty", x->sy, x->sm,
					day, payer_name(p), day);
			jd_ok[p] = false; /* 実日数 is not compared against a JD that is wrong */
		}
	}
	for (int p = 0; p < NPAYERS; p++) {
		const struct ck_rec *r = payrec[p];
		if (!r || !x->present[p])
			continue;
		if (has_jd[p] && jd_ok[p] && num(c, r, 4, &v) && v != jitsu[p])
			ck_diag(c, r->line, r->id, 5, "E-JITSU",
				"実日数 %ld, but the JD record of %s has %ld day(s) coded 1", v, payer_name(p),
				jitsu[p]);
		if (num(c, r, 5, &v) && v != total[p])
			ck_diag(c, r->line, r->id, 6, "E-TOTAL",
				"合計金額 %ld, but the KA 金額 borne by %s add up to %ld", v, payer_name(p), total[p]);
	}
}

/* ---- rules that need the 訪問看護療養費マスター ---------------------------- */

static int base_staff(int v)
{
	if (v > 50)
		v -= 50;
	return (v - 1) % 10 + 1;
}

/* Whether memo mo holds answers of master m. */
static bool memo_is_for(const struct ck_memo *mo, const struct hk_master *m)
{
	return mo->m == m && mo->serial == hk_master_serial(m);
}

/* Empty mo unless it holds answers of m, and make it m's. */
static void memo_take(struct ck_memo *mo, const struct hk_master *m)
{
	if (memo_is_for(mo, m))
		return;
	memset(mo, 0, sizeof(*mo));
	mo->m = m;
	mo->serial = hk_master_serial(m);
}

/* Whether m gives every answer the same on every day of month y-mo
 * (hk_master_uniform), through c->memo (m's, when it keeps one). */
static bool month_uniform(struct ck_ctx *c, const struct hk_master *m, int y, int mo)
{
	struct hk_date first = {y, mo, 1}, last = {y, mo, hk_days_in_month(y, mo)};
	struct ck_memo *me = c->memo;

	if (!me)
		return hk_master_uniform(m, first, last);
	if (me->uni_month != y * 12 + mo) {
		me->uni_month = y * 12 + mo;
		me->uni = hk_master_uniform(m, first, last);
	}
	return me->uni;
}

/* The date an answer of the master about day d is kept under: d, or the
 * first day of its month when every day of that month has the same answers
 * (uni: month_uniform() of d's month). */
static int memo_date(struct hk_date d, bool uni)
{
	return d.y * 512 + d.m * 32 + (uni ? 1 : d.d);
}

/* hk_master_item(), through c->memo when the context keeps one (date: memo_date() of d). */
static const struct hk_master_item *item_of(struct ck_ctx *c, const struct hk_master *m, const char *code,
					    uint32_t key, struct hk_date d, int date)
{
	struct ck_memo *mo = c->memo;
	size_t h;

	if (!mo || !key || date <= 0)
		return hk_master_item(m, code, d);
	memo_take(mo, m);
	h = ((key * 2654435761u) ^ (uint32_t)date * 40503u) % CK_MEMO_ITEMS;
	if (mo->item[h].date != date || mo->item[h].key != key) {
		mo->item[h].key = key;
		mo->item[h].date = date;
		mo->item[h].it = hk_master_item(m, code, d);
	}
	return mo->item[h].it;
}

/* hk_master_limits() of it->code on d (at most CK_MEMO_NLIM rows in *out), through c->memo
 * (date: memo_date() of d; the memo, when kept, is m's: check_master() took it). */
static size_t limits_of(struct ck_ctx *c, const struct hk_master *m, const struct hk_master_item *it,
			struct hk_date d, int date, const struct hk_master_limit *const **out)
{
	struct ck_memo *mo = c->memo;
	size_t h;

	if (!mo) {
		c->lim_n = hk_master_limits(m, it->code, d, c->lim, CK_MEMO_NLIM);
		*out = c->lim;
		return c->lim_n;
	}
	h = ((uintptr_t)it / sizeof(*it) * 31u + (size_t)date) % CK_MEMO_LIMITS;
	if (mo->limit[h].it != it || mo->limit[h].date != date) {
		mo->limit[h].it = it;
		mo->limit[h].date = date;
		mo->limit[h].n = hk_master_limits(m, it->code, d, mo->limit[h].lim, CK_MEMO_NLIM);
	}
	*out = mo->limit[h].lim;
	return mo->limit[h].n;
}

/* hk_master_item_allows_staff() of a base 職種 ("01".."10"), through c->memo. */
static bool staff_ok(struct ck_ctx *c, const struct hk_master *m, const struct hk_master_item *it, int base)
{
	struct ck_memo *mo = c->memo;
	char want[8];
	size_t h;

	if (base < 0 || base > 99) {
		hk_snprintf(want, sizeof(want), "%02d", base);
		return hk_master_item_allows_staff(it, want);
	}
	want[0] = (char)('0' + base / 10);
	want[1] = (char)('0' + base % 10);
	want[2] = '\0';
	if (!mo || !memo_is_for(mo, m) || base > 31)
		return hk_master_item_allows_staff(it, want);
	h = ((uintptr_t)it / sizeof(*it)) % CK_MEMO_STAFF;
	if (mo->staff[h].it != it) {
		mo->staff[h].it = it;
		mo->staff[h].known = mo->staff[h].allowed = 0;
	}
	if (!(mo->staff[h].known >> base & 1)) {
		mo->staff[h].known |= 1u << base;
		if (hk_master_item_allows_staff(it, want))
			mo->staff[h].allowed |= 1u << base;
	}
	return mo->staff[h].allowed >> base & 1;
}

static void check_ka_item(struct ck_ctx *c, const struct hk_master *m, const struct ck_rec *r,
			  const struct hk_master_item *it)
{
	const unsigned char *p;
	size_t len;
	char v[96], want[8];
	long q;

	/* 数量データ (手引き p.40 (5)) */
	if (val(c, r, 4, &p, &len)) {
		if (it->step_calc == 1 && (!num(c, r, 4, &q) || q <= 0))
			ck_diag(c, r->line, "KA", 5, "E-KA-QTY",
				"%s (%s) needs 数量データ > 0 (きざみ値計算識別 1)", it->code, it->short_name);
		else if (it->step_calc == 0 && len)
			ck_diag(c, r->line, "KA", 5, "E-KA-QTY",
				"%s (%s) takes no 数量データ (きざみ値計算識別 0), got %s", it->code,
				it->short_name, ck_show(p, len, v, sizeof(v)));
	}
	/* 職種等 (手引き p.42 (7)) */
	if (val(c, r, 6, &p, &len)) {
		if (it->nstaff == 0 && len)
			ck_diag(c, r->line, "KA", 7, "E-KA-SHOKUSHU",
				"%s (%s) has 職種区分 00: 職種等 is not recorded, got %s", it->code,
				it->short_name, ck_show(p, len, v, sizeof(v)));
		else if (it->nstaff > 0 && !len)
			ck_diag(c, r->line, "KA", 7, "E-KA-SHOKUSHU",
				"%s (%s) needs 職種等 (別表20)", it->code, it->short_name);
		/* One code per visit (1回目 01-10, 2回目 11-20, 3回目以降 21-30, +50
		 * for a 従たる事業所); a further code in the same visit's column is the
		 * person who came along (複数名, 作成手引き p.45 オ "0304", キ "0303"),
		 * whose qualification the 複数名 add-on's own line is checked for. */
		bool seen[3] = {false, false, false};
		for (size_t k = 0; it->nstaff > 0 && k + 1 < len; k += 2) {
			int s = (p[k] - '0') * 10 + (p[k + 1] - '0');
			int column = ((s > 50 ? s - 50 : s) - 1) / 10;
			if (column >= 0 && column < 3) {
				if (seen[column])
					continue;
				seen[column] = true;
			}
			int base = base_staff(s);
			if (!staff_ok(c, m, it, base)) {
				hk_snprintf(want, sizeof(want), "%02d", base);
				ck_diag(c, r->line, "KA", 7, "E-KA-SHOKUSHU",
					"職種等 %.2s (職種 %s) is not one the master allows for %s (%s)",
					(const char *)p + k, want, it->code, it->short_name);
				break;
			}
		}
	}
	/* 同日訪問回数 (項番44) */
	if (val(c, r, 7, &p, &len)) {
		int kind = it->visit_count_kind;
		if (kind == 0 && len)
			ck_diag(c, r->line, "KA", 8, "E-KA-KAISU",
				"%s (%s) has 実施回数区分 0: 同日訪問回数 is not recorded", it->code, it->short_name);
		else if (kind != 0 && !len)
			ck_diag(c, r->line, "KA", 8, "E-KA-KAISU",
				"%s (%s) needs 同日訪問回数 (実施回数区分 %d)", it->code, it->short_name, kind);
		else if ((kind == 2 || kind == 3) && (len != 2 || p[0] != '0' || p[1] - '0' != kind))
			ck_diag(c, r->line, "KA", 8, "E-KA-KAISU",
				"%s (%s) must have 同日訪問回数 0%d, got %s", it->code, it->short_name, kind,
				ck_show(p, len, v, sizeof(v)));
	}
	/* 指示区分 (項番45/46) */
	if (val(c, r, 8, &p, &len)) {
		int a = it->instr_kind, b = it->special_instr_kind;
		bool need = a == 1 || a == 3 || a == 5 || b == 2 || b == 4 || b == 6;
		int got = len == 2 ? (p[0] - '0') * 10 + (p[1] - '0') : -1;
		if (!need && len)
			ck_diag(c, r->line, "KA", 9, "E-KA-SHIJI",
				"%s (%s) takes no 指示区分, got %s", it->code, it->short_name,
				ck_show(p, len, v, sizeof(v)));
		else if (need && !len)
			ck_diag(c, r->line, "KA", 9, "E-KA-SHIJI", "%s (%s) needs 指示区分 (別表12)", it->code,
				it->short_name);
		else if (need && got != a && got != b)
			ck_diag(c, r->line, "KA", 9, "E-KA-SHIJI",
				"指示区分 %s does not fit %s (%s): the master allows %02d%s%.0d", ck_show(p, len, v, sizeof(v)),
				it->code, it->short_name, a ? a : b, a && b ? " or 0" : "", a && b ? b : 0);
	}
}

/* The entry of memo mo (m's, or NULL: none kept) for KA line r, or NULL. */
static struct ck_memo_line *line_memo(struct ck_memo *mo, const struct ck_rec *r)
{
	if (!mo || !r->line_id)
		return NULL;
	return &mo->line[r->line_id % CK_MEMO_LINES];
}

/* hk_master_exclusion(m, a->code, b->code, on), through c->memo (date: memo_date() of on;
 * the memo, when kept, is m's: check_master() took it). */
static const struct hk_master_exclusion *exclusion_of(struct ck_ctx *c, const struct hk_master *m,
						      const struct hk_master_item *a,
						      const struct hk_master_item *b, struct hk_date on,
						      int date)
{
	struct ck_memo *mo = c->memo;
	size_t h;

	if (!mo)
		return hk_master_exclusion(m, a->code, b->code, on);
	h = ((uintptr_t)a / sizeof(*a) * 31u + (uintptr_t)b / sizeof(*b) * 131u + (size_t)date) %
	    CK_MEMO_EXCL;
	if (mo->excl[h].a != a || mo->excl[h].b != b || mo->excl[h].date != date) {
		mo->excl[h].a = a;
		mo->excl[h].b = b;
		mo->excl[h].date = date;
		mo->excl[h].ex = hk_master_exclusion(m, a->code, b->code, on);
	}
	return mo->excl[h].ex;
}

/* A date as one number in date order (valid calendar dates: the master's
 * are, and so are the KA dates that reach the rules using it). */
static int date_int(struct hk_date d)
{
	return d.y * 512 + d.m * 32 + d.d;
}

#define MAX_PAIR_KA 512 /* pairwise rules are skipped beyond this many KA lines */

static void check_master(struct ck_ctx *c, struct rc *x)
{
	const struct hk_master *m = x->month_ok ? ck_master_for(c, x->sy, x->sm) : NULL;
	const struct ck_rec *ka[MAX_PAIR_KA];
	const struct hk_master_item *items[MAX_PAIR_KA];
	struct hk_date dates[MAX_PAIR_KA];
	const struct hk_master_item *dist[MAX_PAIR_KA];
	uint32_t dkey[MAX_PAIR_KA];
	size_t nka = 0, nd, di[MAX_PAIR_KA], first[MAX_PAIR_KA], last[MAX_PAIR_KA], nxt[MAX_PAIR_KA];
	size_t dlines[MAX_PAIR_KA]; /* by distinct code: its lines */
	int day[MAX_PAIR_KA], wix[MAX_PAIR_KA], wd1;
	uint64_t dmask[MAX_PAIR_KA]; /* by distinct code: bit d = a line on day d, bit 32 + w = one in week w */
	int16_t kslot[128]; /* distinct codes by a hash of their number (-1: free) */
	bool all = true, uni;

	if (!m)
		return;
	if (c->memo)
		memo_take(c->memo, m); /* (check_ka() asked for the lines' entries) */
	uni = month_uniform(c, m, x->sy, x->sm);
	{
		struct hk_date d1 = {x->sy, x->sm, 1};
		wd1 = hk_date_weekday(d1); /* 0 = Sunday, as week starts count */
	}
	nd = 0;
	memset(kslot, 0xff, sizeof(kslot));
	for (size_t i = x->lo[CK_R_KA]; i < x->hi[CK_R_KA]; i++) {
		const struct ck_rec *r = &c->recs[i];
		const struct hk_master_item *it;
		struct ck_memo_line *ln;
		struct hk_date d;
		char code[16];
		uint32_t key;
		long amt;
		if (r->rank != CK_R_KA)
			continue;
		d = r->ka_date;
		ln = line_memo(c->memo, r);
		if (ln && ln->id == r->line_id) {
			/* this line's bytes have been here before: its code and date
			 * were valid, its item is ln->it and check_ka_item() found
			 * nothing */
			if (d.y != x->sy || d.m != x->sm) {
				all = false;
				continue;
			}
			it = ln->it;
			key = ln->key;
		} else {
			long before = c->ndiag;
			if (!r->ka_date_ok || !str(c, r, 3, code, sizeof(code)) || d.y != x->sy || d.m != x->sm) {
				all = false; /* E-DATE or E-KA-MONTH already */
				continue;
			}
			key = hk_master_code_key(code);
			it = item_of(c, m, code, key, d, memo_date(d, uni));
			if (!it) {
				ck_diag(c, r->line, "KA", 4, "E-KA-MASTER",
					"訪問看護療養費コード %s is not in the 訪問看護療養費マスター in force on %04d%02d%02d",
					code, d.y, d.m, d.d);
				all = false;
				continue;
			}
			check_ka_item(c, m, r, it);
			if (ln && c->ndiag == before) {
				ln->id = r->line_id;
				ln->it = it;
				ln->key = key;
			}
		}
		if (it->amount_kind == HK_AMOUNT_PERCENT) {
			/* 手引き p.41 (6)ウ: 金額 0, directly below its base (other %-add-ons may sit between) */
			bool found = false;
			if (num(c, r, 5, &amt) && amt != 0)
				ck_diag(c, r->line, "KA", 6, "E-KA-ADDON",
					"%s (%s) is a percentage add-on: its 金額 is 0 and the amount goes into the "
					"base line, got %ld", it->code, it->short_name, amt);
			for (size_t j = nka; j-- > 0;) {
				if (hk_date_cmp(dates[j], d) != 0 || !items[j])
					break;
				if (items[j]->amount_kind == HK_AMOUNT_PERCENT)
					continue;
				found = hk_master_addon_for(m, items[j]->code, it->code, d) != NULL;
				break;
			}
			if (!found)
				ck_diag(c, r->line, "KA", 4, "E-KA-ADDON",
					"%s (%s) must directly follow the 基本療養費 line it adds to (same 算定年月日)",
					it->code, it->short_name);
		}
		if (nka >= MAX_PAIR_KA) {
			all = false;
			continue;
		}
		ka[nka] = r;
		items[nka] = it;
		dates[nka] = d;
		/* The lines of each distinct code (in the order of its first line), and
		 * each line's day and week: every date is in the month x->sy/x->sm
		 * (when all), so equal days are equal dates, and same_week() is equal
		 * week starts.  (key: the item's code is the one looked up) */
		{
			size_t a = nka++;
			size_t k, h = (key * 2654435761u) >> 25;
			if (key && nd < 96) {
				/* by the code's number: kslot holds every code so far (a
				 * month has a few), and has free slots */
				while (kslot[h] >= 0 && dkey[kslot[h]] != key)
					h = (h + 1) & 127;
				k = kslot[h] >= 0 ? (size_t)kslot[h] : nd;
				if (k == nd)
					kslot[h] = (int16_t)nd;
			} else {
				for (k = 0; k < nd; k++)
					if (dist[k] == items[a] ||
					    (key ? key == dkey[k] : strcmp(dist[k]->code, items[a]->code) == 0))
						break;
			}
			if (k == nd) {
				dist[nd] = items[a];
				dkey[nd] = key;
				first[nd] = a;
				dmask[nd] = 0;
				dlines[nd] = 0;
				nd++;
			} else {
				nxt[last[k]] = a;
			}
			last[k] = a;
			/* the next line of the same code (MAX_PAIR_KA: none, so far) */
			nxt[a] = MAX_PAIR_KA;
			di[a] = k;
			day[a] = dates[a].d;
			/* the week (Sunday to Saturday) of the month, 0-5: equal for two
			 * days of the month when their week starts are equal */
			wix[a] = (day[a] - 1 + wd1) / 7;
			dmask[k] |= (uint64_t)1 << day[a] | (uint64_t)1 << (32 + wix[a]);
			dlines[k]++;
		}
	}
	if (!all || !x->month_ok)
		return;
	/* 算定回数限度 (day, week, month units): for each line of a code, how many
	 * lines of that code up to it fall in its day, week or month */
	for (size_t k = 0; k < nd; k++) {
		const struct hk_master_item *it = items[first[k]];
		const struct hk_master_limit *const *lim;
		size_t nl, nlines = 0, lines[MAX_PAIR_KA];
		if (!it->rel_limit)
			continue;
		int perday[32], perweek[6], nday[MAX_PAIR_KA], nweek[MAX_PAIR_KA], maxday = 0, maxweek = 0;
		nl = limits_of(c, m, it, dates[first[k]], memo_date(dates[first[k]], uni), &lim);
		/* a code's lines in a day or a week are at most its lines in the month */
		bool over = false;
		for (size_t l = 0; l < nl && l < CK_MEMO_NLIM; l++)
			if (lim[l]->max > 0 && (size_t)lim[l]->max < dlines[k])
				over = true;
		if (!over)
			continue;
		/* each line's count of the code's lines up to it on its day and in its week */
		for (size_t a = first[k]; a < nka; a = nxt[a])
			perday[day[a]] = perweek[wix[a]] = 0;
		for (size_t a = first[k]; a < nka; a = nxt[a]) {
			nday[nlines] = ++perday[day[a]];
			nweek[nlines] = ++perweek[wix[a]];
			if (nday[nlines] > maxday)
				maxday = nday[nlines];
			if (nweek[nlines] > maxweek)
				maxweek = nweek[nlines];
			lines[nlines++] = a;
		}
		for (size_t l = 0; l < nl && l < CK_MEMO_NLIM; l++) {
			int unit = lim[l]->unit, max = lim[l]->max;
			if (max <= 0 || (unit != HK_LU_DAY && unit != HK_LU_WEEK && unit != HK_LU_MONTH))
				continue;
			if ((unit == HK_LU_MONTH ? (int)nlines : unit == HK_LU_DAY ? maxday : maxweek) <= max)
				continue; /* no line goes over */
			for (size_t pa = 0; pa < nlines; pa++) {
				size_t a = lines[pa];
				int n = unit == HK_LU_MONTH ? (int)pa + 1 : unit == HK_LU_DAY ? nday[pa] : nweek[pa];
				if (n > max) {
					ck_diag(c, ka[a]->line, "KA", 4, "E-KA-LIMIT",
						"%s (%s) is claimed %d times per %s; the master allows %d",
						it->code, it->short_name, n, lim[l]->unit_name, max);
					goto next_code;
				}
			}
		}
next_code:;
	}
	/* 併算定背反: each pair of distinct codes is looked up once, on the date of
	 * the first line of the first code that has 併算定背反 rows (a month has a
	 * few distinct codes and many lines) */
	if (nd > 64)
		return; /* more distinct codes than a month holds: rule skipped */
	{
		const struct hk_master_exclusion *cache[64][64];
		uint64_t live[64], anyk = 0; /* bit k2 of live[k]: (k, k2) has a row that may clash */
		uint32_t dcode[64];          /* hk_master_code_index() of dist[k] */
		uint64_t always[64];         /* ... valid on every day of the month */
		uint16_t fday[64][32], fwk[64][32];
		size_t afirst[64];
		bool any = false;
		struct hk_date d1 = {x->sy, x->sm, 1}, dn = {x->sy, x->sm, hk_days_in_month(x->sy, x->sm)};
		int mfirst = date_int(d1), mlast = date_int(dn);
		struct ck_memo_set *ms = NULL; /* the set memo's entry of these codes */
		int mdate = memo_date(d1, uni);
		for (size_t k = 0; k < nd; k++)
			live[k] = always[k] = 0;
		if (c->memo && uni && nd <= CK_SET_CODES) {
			/* Over a uniform month every line of a code has the same item
			 * and every lookup below the same answer: they depend on the
			 * codes alone, and receipts share sets of codes. */
			uint64_t h = (uint64_t)mdate * 0x9e3779b97f4a7c15u;
			bool keyed = true;
			for (size_t k = 0; k < nd; k++) {
				h = (h ^ dkey[k]) * 0x100000001b3u;
				keyed &= dkey[k] != 0;
			}
			if (keyed) {
				ms = &c->memo->set[(h ^ h >> 29) % CK_MEMO_SETS];
				if (ms->date == mdate && ms->nd == nd && memcmp(ms->key, dkey, nd * sizeof(*dkey)) == 0) {
					for (size_t i = 0; i < ms->npairs; i++) {
						int k = ms->k[i], k2 = ms->k2[i];
						cache[k][k2] = ms->ex[i];
						live[k] |= (uint64_t)1 << k2;
						always[k] |= (uint64_t)(ms->always >> i & 1) << k2;
					}
					any = ms->npairs > 0;
					goto found;
				}
				ms->date = 0; /* (filled below when the pairs fit) */
				ms->nd = (uint8_t)nd;
				ms->npairs = 0;
				ms->always = 0;
				memcpy(ms->key, dkey, nd * sizeof(*dkey));
			}
		}
		for (size_t k = 0; k < nd; k++) {
			afirst[k] = nka;
			dcode[k] = hk_master_code_index(m, dist[k]);
		}
		for (size_t a = 0; a < nka; a++)
			if (items[a]->rel_exclusion && afirst[di[a]] == nka)
				afirst[di[a]] = a;
		for (size_t k = 0; k < nd; k++) {
			size_t a = afirst[k];
			if (a == nka)
				continue;
			uint32_t acode = items[a] == dist[k] ? dcode[k] : hk_master_code_index(m, items[a]);
			uint64_t may = hk_master_may_exclude_set(m, acode, dcode, nd) & ~((uint64_t)1 << k);
			/* (cache[k][k2] is read for the bits of live[k] alone) */
			for (; may; may &= may - 1) {
				int k2 = __builtin_ctzll(may);
				const struct hk_master_exclusion *ex =
					exclusion_of(c, m, items[a], dist[k2], dates[a], memo_date(dates[a], uni));
				cache[k][k2] = ex;
				if (ex && !ex->special && ex->kind != HK_EX_CODE_OK) {
					bool every = ex->change != HK_MC_DELETED &&
						     date_int(ex->valid_from) <= mfirst && mlast <= date_int(ex->valid_to);
					live[k] |= (uint64_t)1 << k2;
					any = true;
					if (every)
						always[k] |= (uint64_t)1 << k2;
					if (ms && ms->npairs < CK_SET_PAIRS) {
						ms->k[ms->npairs] = (uint8_t)k;
						ms->k2[ms->npairs] = (uint8_t)k2;
						ms->ex[ms->npairs] = ex;
						ms->always |= (uint32_t)every << ms->npairs;
					}
					if (ms && ms->npairs <= CK_SET_PAIRS)
						ms->npairs++; /* (CK_SET_PAIRS + 1: too many, not kept) */
				}
			}
		}
		if (ms && ms->npairs <= CK_SET_PAIRS)
			ms->date = mdate;
found:
		if (!any)
			return; /* no pair of this receipt's codes can clash */
		/* A line of code k clashes with one of code k2 only if the two
		 * codes share a day (DAY, SAME_TIME), a week (WEEK) or the month
		 * (MONTH): when no pair that may clash does, none of the lines
		 * below finds one. */
		any = false;
		for (size_t k = 0; k < nd && !any; k++) {
			for (uint64_t t = live[k]; t; t &= t - 1) {
				int k2 = __builtin_ctzll(t);
				int scope = cache[k][k2]->scope;
				uint64_t both = dmask[k] & dmask[k2];
				if (scope == HK_EXS_MONTH ||
				    ((scope == HK_EXS_DAY || scope == HK_EXS_SAME_TIME) && (uint32_t)both) ||
				    (scope == HK_EXS_WEEK && (both >> 32))) {
					any = true;
					break;
				}
			}
		}
		if (!any)
			return;
		/* for the codes some pair may clash with: their first line on each
		 * day and in each week (nka = none) */
		for (size_t k = 0; k < nd; k++)
			anyk |= live[k];
		for (uint64_t t = anyk; t; t &= t - 1) {
			int k2 = __builtin_ctzll(t);
			for (int i = 0; i < 32; i++)
				fday[k2][i] = fwk[k2][i] = (uint16_t)nka;
		}
		for (size_t b = nka; b-- > 0;) {
			if (!(anyk >> di[b] & 1))
				continue;
			fday[di[b]][day[b]] = (uint16_t)b;
			fwk[di[b]][wix[b]] = (uint16_t)b;
		}
		for (size_t a = 0; a < nka; a++) {
			uint64_t la = live[di[a]];
			size_t b = nka;
			if (!items[a]->rel_exclusion)
				continue;
			/* the first line b that clashes with a (the rows of (a, b) that
			 * are valid on a's date and whose scope holds both) */
			for (uint64_t t = la; t; t &= t - 1) {
				int k2 = __builtin_ctzll(t);
				const struct hk_master_exclusion *ex = cache[di[a]][k2];
				size_t cand = nka;
				int on = date_int(dates[a]);
				/* hk_master_row_valid(ex->change, ex->valid_from, ex->valid_to, dates[a]) */
				if (!(always[di[a]] >> k2 & 1) &&
				    (ex->change == HK_MC_DELETED || date_int(ex->valid_from) > on ||
				     on > date_int(ex->valid_to)))
					continue;
				if (ex->scope == HK_EXS_MONTH)
					cand = first[k2];
				else if (ex->scope == HK_EXS_DAY || ex->scope == HK_EXS_SAME_TIME)
					cand = fday[k2][day[a]];
				else if (ex->scope == HK_EXS_WEEK)
					cand = fwk[k2][wix[a]];
				if (cand < b)
					b = cand;
			}
			if (b < nka) {
				const struct hk_master_exclusion *ex = cache[di[a]][di[b]];
				ck_diag(c, ka[a > b ? a : b]->line, "KA", 4, "E-KA-EXCLUSIVE",
					"%s (%s) and %s (%s) are not claimed together (併算定背反, %s)",
					items[a]->code, items[a]->short_name, items[b]->code, items[b]->short_name,
					ex->scope == HK_EXS_MONTH ? "same month" : ex->scope == HK_EXS_WEEK ?
					"same week" : "same day");
				return; /* one is enough per receipt */
			}
		}
	}
}

void ck_receipt(struct ck_ctx *c)
{
	struct rc x;

	memset(&x, 0, sizeof(x));
	if (c->nrecs == 0 || c->recs[0].rank != CK_R_RE)
		return;
	x.re = &c->recs[0];
	/* (the KA fields several rules read were parsed by ck_ka_parse() as the
	 * records were stored) */
	check_structure(c, &x);
	x.present[0] = x.nho > 0;
	for (int k = 0; k < x.nko; k++)
		x.present[k + 1] = true;
	check_re(c, &x);
	check_ko_order(c, &x);
	check_ka(c, &x);
	check_sn_jd(c, &x, "SN");
	check_sn_jd(c, &x, "JD");
	check_days_totals(c, &x);
	check_master(c, &x);
}
