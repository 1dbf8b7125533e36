/*
 * fees.c - the fee engine (fees.h, docs/fees.md).
 *
 * Clauses: 作成手引き 第18章 (KA recording: 職種等 (7), 同日訪問回数 (8),
 * 指示区分 (9), %-add-ons folded into the base line directly above them (6)ウ,
 * monthly items on the first visit day, order by date then base before
 * add-ons); the master's 施設基準, 算定回数限度 and 併算定背反 tables.
 */
#include <stdarg.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "claims/fees.h"
#include "master/fee_codes.h"
#include "master/master.h"

#define MAX_DAY_VISITS 16
#define STACK_LINES 256     /* lines whose scratch arrays live on the stack */

struct code_info;

struct eng {
	const struct hk_fee_ctx *c;
	struct hk_fee_result *out;
	struct hk_err *err;
	int seq;
	long first_day;              /* days of the first visit day of the month */
	int emergency_days;          /* days with an emergency add-on so far */
	int week_days_done;          /* visit days counted in the current week */
	long cur_week;
	bool month_cache;            /* answers of the month come from month (below) */
	/* line_ci[seq]: the month's code_info of the line add() made seq-th, when
	 * it came from the month's cache; all_cached: so for every line */
	const struct code_info **line_ci;     /* [STACK_LINES], set for seq < this->seq */
	bool all_cached;
	struct hk_date last_date;    /* add(): the last date turned into a day number */
	long last_day;
	long day1;                   /* hk_date_to_days() of the 1st of the context's month */
};

/* hk_date_to_days(d): it is d.d - 1 days after the 1st of d's month, so a date of
 * the context's month needs no calendar arithmetic. */
static long days_of(const struct eng *e, struct hk_date d)
{
	if (d.y == e->c->year && d.m == e->c->month)
		return e->day1 + d.d - 1;
	return hk_date_to_days(d);
}

/* hk_date_cmp(), inlined: it runs for every line and instruction. */
static inline int date_cmp(struct hk_date a, struct hk_date b)
{
	if (a.y != b.y) return a.y < b.y ? -1 : 1;
	if (a.m != b.m) return a.m < b.m ? -1 : 1;
	if (a.d != b.d) return a.d < b.d ? -1 : 1;
	return 0;
}

static inline bool same_date(struct hk_date a, struct hk_date b)
{
	return a.d == b.d && a.m == b.m && a.y == b.y;
}

/* hk_week_of() of the date z days after 1970-01-01. */
static long week_of_day(long z)
{
	/* 1970-01-04 was a Sunday: weeks run Sunday..Saturday (暦週). */
	long off = z - 3;
	return off >= 0 ? off / 7 : (off - 6) / 7;
}

long hk_week_of(struct hk_date d)
{
	return week_of_day(hk_date_to_days(d));
}

void hk_fee_result_free(struct hk_fee_result *r)
{
	hk_free(r->ka);
	hk_free(r->notes);
	memset(r, 0, sizeof(*r));
}

static void note(struct eng *e, struct hk_date d, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void note(struct eng *e, struct hk_date d, const char *code, const char *fmt, ...)
{
	struct hk_fee_result *o = e->out;
	struct hk_fee_note *n;
	va_list ap;
	if (o->nnotes == o->anotes) {
		o->anotes = o->anotes ? o->anotes * 2 : 8;
		o->notes = hk_realloc(o->notes, (size_t)o->anotes * sizeof(*o->notes));
	}
	n = &o->notes[o->nnotes++];
	n->date = d;
	hk_snprintf(n->code, sizeof(n->code), "%s", code ? code : "");
	va_start(ap, fmt);
	vsnprintf(n->msg, sizeof(n->msg), fmt, ap);
	va_end(ap);
}


/* ---- code choice: master/fee_codes (checked against the master) ---------- */

/* strlen(s) == 2, without counting on past the third byte. */
static inline bool two_chars(const char *s)
{
	return s[0] && s[1] && !s[2];
}

static bool list_has(const char *list, const char *code2)
{
	for (size_t i = 0; list[i] && list[i + 1]; i += 2)
		if (list[i] == code2[0] && list[i + 1] == code2[1])
			return true;
	return false;
}

/* enum hk_fee_staff of the person who makes a visit; 0 if the family does
 * not allow that qualification (別表20; 精神科: 保健師, 看護師, 作業療法士, 准看護師). */
static int visit_staff(char fam, const char *staff)
{
	if (!staff || !two_chars(staff) || staff[0] != '0')
		return 0;
	/* general: 01 02 03 08 nurse, 07 准看護師, 04 05 06 療法士;
	 * 精神科: 01 03 08 nurse, 05 作業療法士, 07 准看護師 */
	switch (staff[1]) {
	case '1': case '3': case '8': return HK_FS_NURSE;
	case '2': return fam == 'p' ? 0 : HK_FS_NURSE;
	case '7': return HK_FS_ASSOC;
	case '5': return fam == 'p' ? HK_FS_OT : HK_FS_THERAPIST;
	case '4': case '6': return fam == 'p' ? 0 : HK_FS_THERAPIST;
	default: return 0;
	}
}

/* enum hk_fee_staff of the second person of a 複数名 visit (master 職種区分 31-36). */
static int companion_staff(char fam, const char *staff2)
{
	if (fam == 'p')
		return list_has("01030508", staff2) ? HK_FS_NURSE : list_has("07", staff2) ? HK_FS_ASSOC
		     : list_has("0910", staff2) ? HK_FS_AIDE : 0;
	return list_has("01020304050608", staff2) ? HK_FS_NURSE : list_has("07", staff2) ? HK_FS_ASSOC
	     : list_has("0910", staff2) ? HK_FS_AIDE : 0;
}

/* A 訪問看護療養費コード as the engine passes it around: the text and its
 * number (hk_master_code_key(), 0 if it is not 9 digits), worked out once where
 * the code is chosen, so that add() and code_info() need not parse it again.
 * code NULL: no code for the facts. */
struct fcode {
	const char *code;
	uint32_t key;
};

static struct fcode fcode_of(const char *code)
{
	return (struct fcode){code, code ? hk_master_code_key(code) : 0};
}

/* hk_fee_code_for() scans its table; a month of a large station asks the same
 * few hundred questions millions of times, so answers are remembered, found
 * by the key's fields packed 6 bits each. */
#define MEMO_SIZE 1024
static _Thread_local struct { uint64_t key; struct fcode code; } memo[MEMO_SIZE];

/* The key's fields + 1, 6 bits each, and bit 63 (0 = a free memo slot);
 * 0 if a field is outside -1..62. */
_Static_assert(sizeof(struct hk_fee_key) == 9 * sizeof(int), "pack_key() packs every field of the key");
static uint64_t pack_key(const struct hk_fee_key *k)
{
	/* straight-line: the fields + 1, first field in the highest bits */
#define F(x) ((unsigned)k->x + 1u)
	unsigned any = F(family) | F(psy) | F(staff) | F(week4) | F(bldg3) | F(min30) | F(nth) | F(designated) |
		       F(variant); /* above 63 iff one is out of range */
	uint64_t v = (uint64_t)F(family) << 48 | (uint64_t)F(psy) << 42 | (uint64_t)F(staff) << 36 |
		     (uint64_t)F(week4) << 30 | (uint64_t)F(bldg3) << 24 | (uint64_t)F(min30) << 18 |
		     (uint64_t)F(nth) << 12 | (uint64_t)F(designated) << 6 | (uint64_t)F(variant);
#undef F
	return any > 63 ? 0 : v | (uint64_t)1 << 63;
}

static struct fcode code_for(struct hk_fee_key k)
{
	uint64_t key = pack_key(&k);
	unsigned h = (unsigned)((key * 0x9E3779B97F4A7C15u) >> 54);
	for (unsigned i = 0; key && i < MEMO_SIZE; i++) {
		unsigned j = (h + i) & (MEMO_SIZE - 1);
		if (memo[j].key == key)
			return memo[j].code;
		if (!memo[j].key) {
			memo[j].key = key;
			memo[j].code = fcode_of(hk_fee_code_for(&k));
			return memo[j].code;
		}
	}
	return fcode_of(hk_fee_code_for(&k));
}

static struct fcode fee(int family, int psy, int variant)
{
	struct hk_fee_key k = hk_fee_key(family);
	k.psy = psy;
	k.variant = variant;
	return code_for(k);
}

static bool has_standard(const struct hk_fee_station *s, int facility)
{
	for (int i = 0; i < s->nstandards; i++)
		if (s->standards[i] == facility)
			return true;
	return false;
}

static unsigned code_num(const char *code)
{
	unsigned v = 0;
	for (int i = 0; i < 9 && code[i]; i++)
		v = v * 10 + (unsigned)(code[i] - '0');
	return v;
}

/* Bounded copy without the cost of a format string (or of strlen() and
 * memcpy() calls: the strings are a few bytes). */
static inline void copy(char *dst, size_t size, const char *src)
{
	size_t n = 0;
	for (; n + 1 < size && src[n]; n++)
		dst[n] = src[n];
	dst[n] = '\0';
}

/* The station holds one of the 施設基準 the master lists for code (or none is listed). */
static bool facility_ok(const struct hk_fee_ctx *c, const char *code, struct hk_date d, int *needed)
{
	const struct hk_master_facility *f[8];
	size_t n = hk_master_facilities(c->master, code, d, f, HK_ARRAY_LEN(f));
	if (needed)
		*needed = n ? f[0]->facility : 0;
	if (n == 0)
		return true;
	for (size_t i = 0; i < n && i < HK_ARRAY_LEN(f); i++)
		if (has_standard(c->station, f[i]->facility))
			return true;
	return false;
}

/* ---- the month's master answers --------------------------------------------
 *
 * Nearly every month is one state of the master: no row of any table starts
 * or stops being valid inside it (hk_master_uniform).  Then what add(), pick()
 * and the 算定回数限度 and 併算定背反 checks ask about a code - its 基本テーブル
 * row, whether the station holds a 施設基準 it needs, its 算定回数限度 rows,
 * the 併算定背反 row of a pair of codes, which variant pick() chooses - has
 * the same answer on every day of the month, so it is worked out once per
 * thread, master, month and station and kept here, found by the code as a
 * number.  A month in which the master changes, or a date outside the month,
 * asks the master with the date, as always.
 */
#define MC_SLOTS 512        /* hash slots (power of two); half may be used */
#define MC_MAX_STANDARDS 64 /* a station with more 施設基準 is not cached */
#define MC_MAX_LIMITS 8
#define MC_PAIR_CODES 128   /* codes (by first use) whose 併算定背反 pairs are kept */
#define MC_FAMILIES 64      /* > every enum hk_fee_family */

/* A code's answers, and what add() and the checks read of its master rows,
 * side by side (what every line reads first). */
struct code_info {
	uint32_t key;                          /* the code as a number; 0 if not 9 digits */
	int idx;                               /* month.info[idx]; -1 not from the month */
	const struct hk_master_item *it;       /* hk_master_item(); NULL: the rest is unset */
	bool facility_ok;                      /* facility_ok() */
	bool plain;                            /* it, facility_ok, no age limit, not step: add() need not look */
	/* of it: */
	bool step;                             /* きざみ値計算識別 1: needs 数量データ */
	bool wants_staff, wants_count, wants_instr; /* 職種等, 同日訪問回数, 指示区分 */
	bool rel_exclusion;
	signed char role;                      /* struct hk_ka role */
	int facility_needed;
	int age_min, age_max, col, item;
	/* its 算定回数限度: how many of hk_master_limits() of it->rel_limit items,
	 * and the number of its lines a patient-month may surely have (the least
	 * 上限回数 of the rows whose 算定単位 applies) */
	int nlimits, limits_allow;
	long amount;                           /* yen before 数量データ: 金額, 点数 × 10; 0 for ％ */
	long step_lower, step_unit, step_amount_x100;
	struct { int unit, max; } limit[MC_MAX_LIMITS];   /* 算定単位, 上限回数 of limits[] */
	const struct hk_master_limit *limits[MC_MAX_LIMITS];
};

static _Thread_local struct {
	const struct hk_master *master;
	unsigned long serial;
	int year, month, nstandards;
	int standards[MC_MAX_STANDARDS];
	bool uniform;
	int dim;                               /* days in the month */
	int used;                              /* info[0..used) */
	uint32_t slot_key[MC_SLOTS];           /* hash of codes: key, 0 = free */
	short slot_info[MC_SLOTS];             /* its info[] */
	struct code_info info[MC_SLOTS / 2];
	/* pair[a][b]: hk_master_exclusion() of the codes whose idx are a, b:
	 * 0 not known yet, 1 none, else rows[pair - 2] */
	unsigned char pair[MC_PAIR_CODES][MC_PAIR_CODES];
	uint64_t pair_known[MC_PAIR_CODES][MC_PAIR_CODES / 64];   /* bit b of a: pair[a][b] != 0 */
	uint64_t pair_partner[MC_PAIR_CODES][MC_PAIR_CODES / 64]; /* bit b of a: a row of some reach */
	int nrows;
	const struct hk_master_exclusion *rows[UCHAR_MAX - 1];
	unsigned char reach[UCHAR_MAX - 1];    /* scope_reach() of each row */
	struct { const int *variants; struct fcode code; } picked[MC_FAMILIES];  /* pick() */
} month;

/* The 算定単位 bucket of a line (its day and week given), -1 if the unit does not apply. */
static long bucket(int unit, long day, long week)
{
	switch (unit) {
	case HK_LU_DAY: return day;
	case HK_LU_WEEK: return week;
	case HK_LU_MONTH: case HK_LU_FIRST: case HK_LU_PATIENT: return 0;
	default: return -1; /* 入院中 etc.: not applicable to a month of visits */
	}
}

/* Makes month hold this context's month; true if its answers may be used. */
static bool month_cache_for(const struct hk_fee_ctx *c)
{
	const struct hk_fee_station *s = c->station;
	int dim;
	if (s->nstandards < 0 || s->nstandards > MC_MAX_STANDARDS || !hk_date_valid(c->year, c->month, 1))
		return false;
	if (month.master == c->master && month.serial == hk_master_serial(c->master) && month.year == c->year &&
	    month.month == c->month && month.nstandards == s->nstandards &&
	    (s->nstandards == 0 || !memcmp(month.standards, s->standards, (size_t)s->nstandards * sizeof(int))))
		return month.uniform;
	dim = hk_days_in_month(c->year, c->month);
	month.dim = dim;
	month.master = c->master;
	month.serial = hk_master_serial(c->master);
	month.year = c->year;
	month.month = c->month;
	month.nstandards = s->nstandards;
	if (s->nstandards > 0)
		memcpy(month.standards, s->standards, (size_t)s->nstandards * sizeof(int));
	month.uniform = hk_master_uniform(c->master, (struct hk_date){c->year, c->month, 1},
				       (struct hk_date){c->year, c->month, dim});
	memset(month.slot_key, 0, sizeof(month.slot_key));
	month.used = 0;
	memset(month.pair, 0, sizeof(month.pair));
	memset(month.pair_known, 0, sizeof(month.pair_known));
	memset(month.pair_partner, 0, sizeof(month.pair_partner));
	month.nrows = 0;
	memset(month.picked, 0, sizeof(month.picked));
	return month.uniform;
}

/* The month's answers hold for d. */
static bool in_month(const struct eng *e, struct hk_date d)
{
	return e->month_cache && d.y == e->c->year && d.m == e->c->month && d.d >= 1 && d.d <= month.dim;
}

static void code_info_fill(const struct hk_fee_ctx *c, const char *code, struct hk_date d, struct code_info *ci)
{
	const struct hk_master_item *it = hk_master_item(c->master, code, d);
	memset(ci, 0, sizeof(*ci));
	ci->idx = -1;
	ci->it = it;
	ci->facility_ok = facility_ok(c, code, d, &ci->facility_needed);
	if (!it)
		return;
	ci->step = it->step_calc == 1;
	ci->wants_staff = it->nstaff > 0;
	ci->wants_count = it->visit_count_kind != 0;
	ci->wants_instr = it->instr_kind == 1 || it->instr_kind == 3 || it->instr_kind == 5 ||
			  it->special_instr_kind == 2 || it->special_instr_kind == 4 || it->special_instr_kind == 6;
	ci->rel_exclusion = it->rel_exclusion;
	ci->role = it->amount_kind == HK_AMOUNT_PERCENT ? 1 : it->kouban != 0 ? 0 : 2;
	ci->age_min = it->age_min;
	ci->age_max = it->age_max;
	ci->col = it->disp_col;
	ci->item = it->disp_item;
	switch (it->amount_kind) {
	case HK_AMOUNT_YEN: ci->amount = it->amount_x100 / 100; break;
	case HK_AMOUNT_POINTS: ci->amount = it->amount_x100 / 100 * 10; break; /* 第18章 (6)エ */
	default: ci->amount = 0; break;                                         /* %: folded later */
	}
	ci->step_lower = it->step_lower;
	ci->step_unit = it->step_unit;
	ci->step_amount_x100 = it->step_amount_x100;
	ci->plain = ci->facility_ok && ci->age_min <= 0 && ci->age_max <= 0 && !ci->step;
	ci->limits_allow = INT_MAX;
	if (it->rel_limit) {
		size_t n = hk_master_limits(c->master, code, d, ci->limits, MC_MAX_LIMITS);
		ci->nlimits = n < MC_MAX_LIMITS ? (int)n : MC_MAX_LIMITS;
	}
	for (int r = 0; r < ci->nlimits; r++) {
		ci->limit[r].unit = ci->limits[r]->unit;
		ci->limit[r].max = ci->limits[r]->max;
		if (ci->limit[r].max > 0 && bucket(ci->limit[r].unit, 0, 0) >= 0 && ci->limit[r].max < ci->limits_allow)
			ci->limits_allow = ci->limit[r].max;
	}
}

/* The first slot of a code number in month.slot_key: the top bits of a
 * Fibonacci hash (the low bits of the product follow the key's low bits, and
 * codes differ in few of those). */
static inline unsigned mc_hash(uint32_t key)
{
	_Static_assert(MC_SLOTS == 1u << 9, "mc_hash() takes 9 bits");
	return (key * 2654435761u) >> (32 - 9);
}

/* code_info() when the code is not at its first slot: probes from there on,
 * filling a free slot with it; else (not the month's, or the cache full)
 * looks it up into *tmp. */
static const struct code_info *code_info_slow(struct eng *e, struct fcode fc, struct hk_date d, struct code_info *tmp)
{
	uint32_t key = fc.key;
	if (in_month(e, d) && key != 0) {
		for (unsigned i = 0; i < MC_SLOTS; i++) {
			unsigned s = (mc_hash(key) + i) & (MC_SLOTS - 1);
			struct code_info *ci;
			if (month.slot_key[s] == key)
				return &month.info[month.slot_info[s]];
			if (month.slot_key[s] != 0)
				continue;
			if (month.used == MC_SLOTS / 2)
				break;
			ci = &month.info[month.used];
			code_info_fill(e->c, fc.code, d, ci);
			ci->key = key;
			ci->idx = month.used;
			month.slot_key[s] = key;
			month.slot_info[s] = (short)month.used++;
			return ci;
		}
	}
	code_info_fill(e->c, fc.code, d, tmp);
	tmp->key = key;
	return tmp;
}

/* What the master says about fc on d: from the month's cache when it
 * holds, else looked up into *tmp.  The usual answer - the code is in the
 * cache, at its hash's first slot - is found inline. */
static inline const struct code_info *code_info(struct eng *e, struct fcode fc, struct hk_date d,
						struct code_info *tmp)
{
	if (fc.key && in_month(e, d)) {
		unsigned s = mc_hash(fc.key);
		if (month.slot_key[s] == fc.key)
			return &month.info[month.slot_info[s]];
	}
	return code_info_slow(e, fc, d, tmp);
}

/* How far apart two lines may be for a 背反単位 to join them: 1 day, 2 week,
 * 3 month; 0 never (same_scope() is false). */
static int scope_reach(int scope)
{
	switch (scope) {
	case HK_EXS_DAY: case HK_EXS_SAME_TIME: return 1;
	case HK_EXS_WEEK: return 2;
	case HK_EXS_MONTH: return 3;
	default: return 0;
	}
}

/* hk_master_exclusion(acode, bcode, d) for two codes of the month's cache
 * (idx < MC_PAIR_CODES, d in the month), as month.pair holds it: 1 none,
 * else row month.rows[v - 2]; 0 if the month holds too many rows. */
static int month_pair(const struct eng *e, const struct code_info *a, const struct code_info *b,
		      const char *acode, const char *bcode, struct hk_date d)
{
	unsigned char *v = &month.pair[a->idx][b->idx];
	const struct hk_master_exclusion *x;
	if (*v)
		return *v;
	x = hk_master_may_exclude(e->c->master, a->it, b->it) ? hk_master_exclusion(e->c->master, acode, bcode, d)
								 : NULL;
	if (!x)
		*v = 1;
	else if (month.nrows < (int)HK_ARRAY_LEN(month.rows)) {
		month.rows[month.nrows] = x;
		month.reach[month.nrows] = (unsigned char)scope_reach(x->scope);
		*v = (unsigned char)(2 + month.nrows++);
		if (month.reach[*v - 2])
			month.pair_partner[a->idx][b->idx / 64] |= (uint64_t)1 << (b->idx % 64);
	}
	if (*v)
		month.pair_known[a->idx][b->idx / 64] |= (uint64_t)1 << (b->idx % 64);
	return *v;
}

/* code_info() of a line as add() kept it when it came from the month's cache, or NULL. */
static const struct code_info *line_info(const struct eng *e, const struct hk_ka *k)
{
	return k->seq >= 0 && k->seq < STACK_LINES && k->seq < e->seq ? e->line_ci[k->seq] : NULL;
}

static int age_on(const struct hk_fee_ctx *c, struct hk_date d)
{
	return hk_age_on(c->patient->birth, d);
}

static int duration(const struct hk_fee_visit *v)
{
	int m = v->end - v->start;
	return m < 0 ? m + 1440 : m;
}

/* add()'s checks of a code on d that is not plain: true if it may not be
 * claimed (noted).  Out of line: most codes are plain. */
static __attribute__((noinline)) bool refused(struct eng *e, struct hk_date d, const char *code,
					       const struct code_info *ci, long qty)
{
	const struct hk_master_item *it = ci->it;
	if (!it) {
		note(e, d, code, "%s is not in the 訪問看護療養費マスター in force on this day", code);
		return true;
	}
	if (!ci->facility_ok) {
		note(e, d, code, "%s (%s) needs 施設基準 %d, which the station has not notified",
		     code, it->short_name, ci->facility_needed);
		return true;
	}
	if (ci->age_min > 0 || ci->age_max > 0) {
		int age = age_on(e->c, d);
		if ((ci->age_min > 0 && age < ci->age_min) || (ci->age_max > 0 && age >= ci->age_max)) {
			note(e, d, code, "%s (%s) is not for a patient aged %d", code, it->short_name, age);
			return true;
		}
	}
	if (ci->step && qty <= 0) {
		note(e, d, code, "%s (%s) needs 数量データ (write CODE:QTY in the visit's items)",
		     code, it->short_name);
		return true;
	}
	return false;
}

static const struct hk_ka zero_ka;

/* Append a line for code on date d; fills the fields the master asks for.
 * staff: 職種等 codes to record when the master wants them; count: visits
 * that day; instr: 指示区分 of the day.  Returns the index or -1 (noted). */
static int add(struct eng *e, struct hk_date d, struct fcode fc, const char *staff, int count,
	       const char *instr, long qty, bool visit_day)
{
	const char *code = fc.code;
	const struct hk_master_item *it;
	const struct code_info *ci;
	struct code_info tmp;
	struct hk_fee_result *o = e->out;
	struct hk_ka *k;
	if (!code) {
		note(e, d, NULL, "no 訪問看護療養費コード for these facts (master/fee_codes.c)");
		return -1;
	}
	ci = code_info(e, fc, d, &tmp);
	if (!ci->plain && refused(e, d, code, ci, qty))
		return -1;
	it = ci->it;
	if (o->nka == o->aka) {
		o->aka = o->aka ? o->aka * 2 : 64;
		o->ka = hk_realloc(o->ka, (size_t)o->aka * sizeof(*o->ka));
	}
	if (!same_date(d, e->last_date)) {
		e->last_date = d;
		e->last_day = days_of(e, d);
	}
	k = &o->ka[o->nka];
	*k = zero_ka;       /* (a copy: gcc zeroes by vector stores, a memset() by rep stos) */
	k->date = d;
	k->day = e->last_day;
	k->it = it;
	k->amount = ci->amount;
	k->col = ci->col;
	k->item = ci->item;
	k->role = ci->role;
	k->seq = e->seq++;
	k->visit_day = visit_day;
	if (ci->key) {       /* 9 digits */
		memcpy(k->code, code, 10);
		k->key = ci->key;
	} else {
		copy(k->code, sizeof(k->code), code);
		k->key = code_num(code);
	}
	if (ci->step) {
		k->qty = qty;
		if (ci->step_unit > 0)
			k->amount += (qty - (ci->step_lower > 0 ? ci->step_lower : 0)) / ci->step_unit *
				     ci->step_amount_x100 / 100;
	}
	if (ci->wants_staff && staff)
		copy(k->staff, sizeof(k->staff), staff);
	if (ci->wants_count) {
		k->count[0] = '0';
		k->count[1] = (char)('0' + (count >= 3 ? 3 : count < 1 ? 1 : count));
		k->count[2] = '\0';
	}
	if (ci->wants_instr && instr)
		copy(k->instr, sizeof(k->instr), instr);
	if (k->seq < STACK_LINES)
		e->line_ci[k->seq] = ci != &tmp ? ci : NULL;
	if (k->seq >= STACK_LINES || ci == &tmp)
		e->all_cached = false;
	if (ci->wants_staff && !k->staff[0]) {
		note(e, d, code, "%s (%s) needs 職種等 but no staff is known for it", code, it->short_name);
		return -1;
	}
	return o->nka++;
}

/* The first of a family's variants (in the order given, -2 ends) whose
 * 施設基準 the station holds. */
static struct fcode pick_variant(struct eng *e, int family, const int *variants, struct hk_date d)
{
	for (int i = 0; variants[i] != -2; i++) {
		struct fcode code = fee(family, -1, variants[i]);
		struct code_info tmp;
		const struct code_info *ci;
		if (!code.code)
			continue;
		ci = code_info(e, code, d, &tmp);
		if (ci->it && ci->facility_ok)
			return code;
	}
	return (struct fcode){NULL, 0};
}

static inline struct fcode pick(struct eng *e, int family, const int *variants, struct hk_date d)
{
	if (in_month(e, d) && family >= 0 && family < MC_FAMILIES) {
		if (month.picked[family].variants != variants) {
			month.picked[family].code = pick_variant(e, family, variants, d);
			month.picked[family].variants = variants;
		}
		return month.picked[family].code;
	}
	return pick_variant(e, family, variants, d);
}

/* The instruction of a family valid on d: sets *special; false if none. */
static bool instruction_on(const struct hk_fee_ctx *c, char fam, struct hk_date d, char kind[3], bool *special)
{
	const char *normal = fam == 'p' ? "03" : fam == 'k' ? "05" : "01";
	const char *spec = fam == 'p' ? "04" : fam == 'k' ? "06" : "02";
	bool any = false;
	*special = false;
	for (int i = 0; i < c->ninstr; i++) {
		const struct hk_fee_instruction *in = &c->instr[i];
		if (date_cmp(d, in->from) < 0 || date_cmp(d, in->to) > 0)
			continue;
		if (!memcmp(in->kind, spec, 3))
			*special = true, any = true;
		else if (!memcmp(in->kind, normal, 3))
			any = true;
	}
	memcpy(kind, *special ? spec : normal, 3);
	return any;
}

/* Instruction family of a visit.instruction_kind: 0 general ('g'), 1 精神科
 * ('p': 03/04), 2 医療観察 ('k': 05/06). */
static int family_index(const char *k)
{
	if (k[0] == '0' && k[2] == '\0') {
		if (k[1] == '3' || k[1] == '4') return 1;
		if (k[1] == '5' || k[1] == '6') return 2;
	}
	return 0;
}

/* A code outside 00..99 for staff_codes() (not a 別表20 code: kept as the
 * format gives it). */
static __attribute__((noinline, cold)) void staff_code_odd(char *out, int code)
{
	hk_snprintf(out, 3, "%02d", code);
}

/* Appends staff code s (two characters, else nothing) + off to out[0..len);
 * returns the new length. */
static inline size_t put_staff(char *out, size_t len, const char *s, int off)
{
	int code;
	if (!two_chars(s) || len + 2 > HK_STAFF_MAX)
		return len;
	if (s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9')
		code = (s[0] - '0') * 10 + (s[1] - '0') + off;   /* atoi() of two digits */
	else
		code = atoi(s) + off;
	if (code >= 0 && code <= 99) {
		out[len] = (char)('0' + code / 10);
		out[len + 1] = (char)('0' + code % 10);
		out[len + 2] = '\0';
	} else {
		staff_code_odd(out + len, code);
	}
	return len + 2;
}

/* 職種等 for the visits of a day: visit i's staff + 10*(min(i,2)) (別表20 columns
 * 1回目/2回目/3回目以降), and a second staff on the same visit right after it. */
static void staff_codes(const struct hk_fee_visit *const *v, int n, bool with_second, char out[HK_STAFF_MAX + 1])
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		int off = 10 * (i < 2 ? i : 2);
		len = put_staff(out, len, v[i]->staff, off);
		if (with_second)
			len = put_staff(out, len, v[i]->staff2, off);
	}
}

/* Explicit items of a visit: "CODE[*N][:QTY][@TJ]" separated by spaces. */
static int explicit_items(struct eng *e, const struct hk_fee_visit *v, const char *instr)
{
	const char *p = v->items;
	while (p && *p) {
		char tok[64], code[10] = "";
		const char *q;
		long times = 1, qty = 0;
		char tj[3] = "";
		size_t len;
		int k;
		while (*p == ' ' || *p == ',') p++;
		if (!*p) break;
		len = strcspn(p, " ,");
		if (len >= sizeof(tok)) {
			note(e, v->date, NULL, "explicit item '%.20s...' is too long", p);
			p += len;
			continue;
		}
		memcpy(tok, p, len);
		tok[len] = '\0';
		p += len;
		if (strspn(tok, "0123456789") != 9 || tok[0] != '5') {
			note(e, v->date, NULL, "explicit item '%s' does not start with a 9-digit 訪問看護療養費コード", tok);
			continue;
		}
		memcpy(code, tok, 9);
		code[9] = '\0';
		for (q = tok + 9; *q;) {
			char kind = *q++;
			char *end;
			long val = strtol(q, &end, 10);
			if (end == q || val <= 0 || (kind != '*' && kind != ':' && kind != '@')) {
				note(e, v->date, code, "explicit item '%s': expected *N, :QTY or @TJ after the code", tok);
				times = 0;
				break;
			}
			if (kind == '*') times = val > 9 ? 9 : val;
			else if (kind == ':') qty = val;
			else hk_snprintf(tj, sizeof(tj), "%02ld", val % 100);
			q = end;
		}
		for (long t = 0; t < times; t++) {
			k = add(e, v->date, fcode_of(code), v->staff, 1, instr, qty, true);
			if (k >= 0 && tj[0])
				hk_snprintf(e->out->ka[k].tj, sizeof(e->out->ka[k].tj), "%s", tj);
		}
	}
	return 0;
}

/* One family's visits on one day. */
static void day_group(struct eng *e, const struct hk_fee_visit **v, int n, char fam, int week_no, long day)
{
	const struct hk_fee_ctx *c = e->c;
	const struct hk_fee_patient *pt = c->patient;
	struct hk_date d = v[0]->date;
	char instr[3], staff[HK_STAFF_MAX + 1];
	bool special, cond;
	struct fcode code;
	int group;
	bool spec;
	int building = v[0]->building >= 3 ? 3 : v[0]->building == 2 ? 2 : 1;
	int base, psy = fam == 'p', week = week_no <= 3 ? 1 : 4;
	int is_long = duration(v[0]) >= 30;

	if (fam == 'k') {
		note(e, d, NULL, "医療観察 visits are not derived: record their codes as explicit items");
		for (int i = 0; i < n; i++)
			explicit_items(e, v[i], NULL);
		return;
	}
	if (!instruction_on(c, fam, d, instr, &special)) {
		note(e, d, NULL, "no %s指示書 covers this day: the visit cannot be claimed",
		     fam == 'p' ? "精神科訪問看護" : "訪問看護");
		return;
	}
	/* 基準告示第2の1 疾病等 or a special instruction allow a 4th day a week and
	 * several visits a day (general); 精神科 needs the 精神科特別訪問看護指示. */
	cond = fam == 'p' ? special : (pt->beppyo7 || pt->beppyo8 || special);
	if (week == 4 && !cond) {
		note(e, d, NULL, "4th visit day of the week: claimable only for 別表7/別表8 patients or under a "
				 "特別訪問看護指示; left out");
		return;
	}
	if (n > 1 && !cond) {
		note(e, d, NULL, "%d visits on one day: only the first is claimable without 別表7/別表8 or a "
				 "特別訪問看護指示; the others are left out", n);
		n = 1;
	}
	/* 専門の研修を受けた看護師による訪問 (ハ) exists only in 訪問看護基本療養費（Ⅰ）/（Ⅱ）:
	 * a flag elsewhere is reported, never dropped silently */
	if (psy) {
		for (int i = 0; i < n; i++)
			if (v[i]->specialist)
				note(e, d, NULL, "visit at %02d:%02d: specialist flag ignored: 精神科訪問看護基本療養費 has "
						 "no 専門の研修を受けた看護師 (ハ) code; claimed as an ordinary 精神科 visit",
				     v[i]->start / 60, v[i]->start % 60);
	} else if (v[0]->specialist && v[0]->outing) {
		note(e, d, NULL, "specialist flag ignored: 訪問看護基本療養費（Ⅲ） (外泊中) has no 専門の研修を受けた"
				 "看護師 (ハ) code");
	}
	spec = !psy && v[0]->specialist && !v[0]->outing;
	group = visit_staff(fam, v[0]->staff);
	if (!group) {
		note(e, d, NULL, "staff %s cannot give %s訪問看護 (別表20)", v[0]->staff, fam == 'p' ? "精神科" : "");
		return;
	}
	if (spec && group != HK_FS_NURSE) {
		note(e, d, NULL, "staff %s: 訪問看護基本療養費 ハ (専門の研修を受けた看護師) needs a 看護師; "
				 "the day's base is left out", v[0]->staff);
		return;
	}
	/* the day's basic fee is chosen by the first visit's qualification (and,
	 * in the general family, whether it was a ハ visit); a visit by another
	 * qualification does not fit that code's 職種等 */
	{
		int w = 1;
		bool spec0 = !psy && v[0]->specialist;
		for (int i = 1; i < n; i++) {
			bool spec_i = !psy && v[i]->specialist;
			if (visit_staff(fam, v[i]->staff) == group && spec_i == spec0) {
				v[w++] = v[i];
				continue;
			}
			note(e, d, NULL, "visit at %02d:%02d by staff %s%s: another qualification than the day's first "
					 "visit (%s%s); left out", v[i]->start / 60, v[i]->start % 60, v[i]->staff,
			     spec_i ? " (専門研修)" : "", v[0]->staff, spec0 ? " (専門研修)" : "");
		}
		n = w;
	}
	{
		struct hk_fee_key k;
		if (v[0]->outing)
			k = hk_fee_key(fam == 'p' ? HK_FEE_PSY_IV : HK_FEE_BASIC_III);
		else if (building >= 2)
			k = hk_fee_key(fam == 'p' ? HK_FEE_PSY_III : HK_FEE_BASIC_II);
		else
			k = hk_fee_key(fam == 'p' ? HK_FEE_PSY_I : HK_FEE_BASIC_I);
		k.staff = spec ? HK_FS_SPECIALIST : group;
		k.week4 = week == 4;
		k.bldg3 = building >= 3;
		k.min30 = is_long;
		code = code_for(k);
	}
	if (!code.code) {
		note(e, d, NULL, "no basic fee for these facts (staff %s, 同一建物 %d)", v[0]->staff, building);
		return;
	}
	if (spec) {
		/* ハ's 職種等 is the master's (08 専門研修を受けた看護師): a visit
		 * by a staff code it does not list would make a KA line the
		 * check refuses (E-KA-SHOKUSHU) */
		struct code_info tmp;
		const struct code_info *ci = code_info(e, code, d, &tmp);
		int w = 0;
		for (int i = 0; ci->it && i < n; i++) {
			if (hk_master_item_allows_staff(ci->it, v[i]->staff)) {
				v[w++] = v[i];
				continue;
			}
			note(e, d, code.code, "visit at %02d:%02d by staff %s: %s (%s) is for 職種等 %s only; %s",
			     v[i]->start / 60, v[i]->start % 60, v[i]->staff, code.code, ci->it->short_name,
			     ci->it->staff[0], i ? "left out" : "the day's base is left out");
			if (!i)
				return;
		}
		if (ci->it)
			n = w;
	}
	staff_codes(v, n, true, staff);
	base = add(e, d, code, staff, n, instr, 0, true);
	if (base < 0)
		return;
	/* add-ons of the day */
	if (c->station->special_area)
		add(e, d, fee(HK_FEE_SPECIAL_AREA, psy, -1), NULL, n, instr, 0, true);
	for (int i = 0; i < n; i++)
		if (v[i]->emergency) {
			e->emergency_days++;
			add(e, d, fee(HK_FEE_EMERGENCY, psy, e->emergency_days <= 14 ? 0 : 1), NULL, n, instr, 0, true);
			break;
		}
	for (int i = 0; i < n; i++)
		if (v[i]->long_visit) {
			struct hk_fee_key k = hk_fee_key(HK_FEE_LONG);
			if (duration(v[i]) < 90) {
				note(e, d, NULL, "long visit flagged but the visit lasted %d minutes (90 needed); "
						 "長時間 add-on left out", duration(v[i]));
				break;
			}
			k.psy = psy;
			k.designated = pt->severe_child && age_on(c, d) < 15;
			add(e, d, code_for(k), NULL, n, instr, 0, true);
			break;
		}
	if (!psy && age_on(c, d) < 6) {
		struct hk_fee_key k = hk_fee_key(HK_FEE_INFANT);
		k.designated = pt->severe_child;
		add(e, d, code_for(k), NULL, n, instr, 0, true);
	}
	/* 複数名: by the second person's qualification (master 職種区分 31-36) */
	{
		int times = 0;
		const struct hk_fee_visit *mv = NULL;
		for (int i = 0; i < n; i++)
			if (v[i]->multi && v[i]->staff2[0]) {
				times++;
				if (!mv) mv = v[i];
			}
		/* 複数名 is "a 看護職員 together with ..." (master 職種区分 31-36): the
		 * visit's own staff must be 保健師, 助産師, 看護師 or 准看護師
		 * (精神科: 保健師 or 看護師) */
		if (mv && !list_has(psy ? "010308" : "0102030708", mv->staff)) {
			note(e, d, NULL, "複数名 add-on needs a 看護職員 as the visit's staff, not %s; left out", mv->staff);
			mv = NULL;
		}
		if (mv) {
			struct hk_fee_key k = hk_fee_key(HK_FEE_MULTI_STAFF);
			struct fcode mc = {NULL, 0};
			char ms[5];
			{
				/* hk_snprintf(ms, sizeof(ms), "%s%s", staff, staff2), without the formatting */
				size_t a = strnlen(mv->staff, sizeof(ms) - 1);
				size_t b = strnlen(mv->staff2, sizeof(ms) - 1 - a);
				memcpy(ms, mv->staff, a);
				memcpy(ms + a, mv->staff2, b);
				ms[a + b] = '\0';
			}
			k.psy = psy;
			k.staff = companion_staff(fam, mv->staff2);
			k.bldg3 = building >= 3;
			k.nth = times > 3 ? 3 : times;
			k.designated = cond;
			if (k.staff)
				mc = code_for(k);
			if (mc.code)
				add(e, d, mc, ms, times, instr, 0, true);
			else
				note(e, d, NULL, "second staff %s: no 複数名 add-on for that qualification", mv->staff2);
		}
	}
	/* 夜間・早朝 (6-8, 18-22) / 深夜 (22-6) by the start of the first visit */
	{
		int st0 = v[0]->start;
		if (st0 >= 22 * 60 || st0 < 6 * 60)
			add(e, d, fee(HK_FEE_LATE_NIGHT, psy, -1), NULL, n, instr, 0, true);
		else if (st0 < 8 * 60 || st0 >= 18 * 60)
			add(e, d, fee(HK_FEE_NIGHT_EARLY, psy, -1), NULL, n, instr, 0, true);
	}
	/* 難病等複数回 / 精神科複数回 */
	if (n >= 2) {
		struct hk_fee_key k = hk_fee_key(HK_FEE_MULTI_VISIT);
		k.psy = psy;
		k.bldg3 = building >= 3;
		k.nth = n >= 3 ? 3 : 2;
		staff_codes(v, n, false, staff);
		add(e, d, code_for(k), staff, n, instr, 0, true);
	}
	/* 訪問看護管理療養費: 月の初日 by 機能強化型 1/2/3 or その他, 2日目以降 イ/ロ.
	 * Not on a ハ day: the master makes ハ 算定不可 beside every 管理療養費
	 * code (併算定背反, 背反区分 0, 1日につき), so a ハ visit is claimed without
	 * them (月の初日 goes to the first other visit day, first_ha_free_day()). */
	if (spec) {
		/* nothing */
	} else if (day == e->first_day) {
		static const int first[] = {1, 2, 3, 0, -2};
		code = pick(e, HK_FEE_MGMT_FIRST, first, d);
		if (code.code)
			add(e, d, code, NULL, n, instr, 0, true);
		else
			note(e, d, NULL, "no 訪問看護管理療養費 (月の初日) is claimable for this station");
	} else {
		static const int daily[] = {1, 2, -2};
		code = pick(e, HK_FEE_MGMT_DAILY, daily, d);
		if (code.code)
			add(e, d, code, NULL, n, instr, 0, true);
		else
			note(e, d, NULL, "訪問看護管理療養費 (2日目以降) needs 施設基準 1617 or 1618; left out");
	}
	for (int i = 0; i < n; i++)
		explicit_items(e, v[i], instr);
}

/* Whether visits v[0..n) (one date, in time order) make a ハ day: all of
 * the general family, the first flagged specialist and not 外泊 (day_group()
 * then claims ハ, and no 管理療養費). */
static bool ha_day(const struct hk_fee_visit *v, int n)
{
	for (int i = 0; i < n; i++)
		if (family_index(v[i].family) != 0)
			return false;
	return v[0].specialist && !v[0].outing;
}

/* The day (hk_date_to_days()) of the month's first visit day that is not a
 * ハ day: 訪問看護管理療養費 月の初日 and the monthly items go there, none of
 * them may share a day with ハ (master 併算定背反).  The first visit day
 * when every day is a ハ day. */
static long first_ha_free_day(const struct hk_fee_visit *v, int n)
{
	for (int i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && same_date(v[j].date, v[i].date); j++)
			;
		if (!ha_day(v + i, j - i))
			return hk_date_to_days(v[i].date);
	}
	return hk_date_to_days(v[0].date);
}

static void monthly(struct eng *e, const struct hk_fee_visit *v, int n)
{
	const struct hk_fee_ctx *c = e->c;
	struct hk_date d = hk_days_to_date(e->first_day);
	struct fcode code;
	const struct code_info *ci;
	struct code_info tmp;
	int sm = 0, terminal = 0;
	if (c->patient->consent_24h) {
		static const int h24[] = {1, 0, -2};   /* イ 負担軽減の取組あり, then ロ */
		code = pick(e, HK_FEE_24H, h24, d);
		if (code.code)
			add(e, d, code, NULL, 1, NULL, 0, true);
		else
			note(e, d, NULL, "24時間対応体制加算 agreed, but the station has notified neither 施設基準 1615 nor 1604");
	}
	for (int i = 0; i < n; i++) {
		if (v[i].special_mgmt == 1 || (v[i].special_mgmt == 2 && sm == 0))
			sm = v[i].special_mgmt;
		terminal += v[i].terminal;
	}
	if (sm)  /* visit.special_mgmt 1 = 重症度等の高い (variant 1), 2 = その他 (variant 0) */
		add(e, d, fee(HK_FEE_SPECIAL_MGMT, -1, sm == 1 ? 1 : 0), NULL, 1, NULL, 0, true);
	code = fee(HK_FEE_DX, -1, -1);
	if (c->station->online_elig && code.code && code_info(e, code, d, &tmp)->facility_ok)
		add(e, d, code, NULL, 1, NULL, 0, true);
	code = fee(HK_FEE_BASEUP_1, -1, -1);
	if (code.code && (ci = code_info(e, code, d, &tmp))->it && ci->facility_ok) {
		add(e, d, code, NULL, 1, NULL, 0, true);
		for (int i = 1; i <= 18; i++) {
			struct fcode c2 = fee(HK_FEE_BASEUP_2, -1, i);
			if (c2.code && (ci = code_info(e, c2, d, &tmp))->facility_ok && ci->facility_needed) {
				add(e, d, c2, NULL, 1, NULL, 0, true);
				break;
			}
		}
	}
	code = fee(HK_FEE_TERMINAL, -1, 1);
	if (terminal && c->patient->has_death && c->patient->death.y == c->year && c->patient->death.m == c->month) {
		bool visit_day = false;
		for (int i = 0; i < n; i++)
			if (!date_cmp(v[i].date, c->patient->death))
				visit_day = true;
		if (terminal >= 2)
			add(e, c->patient->death, code, NULL, 1, NULL, 0, visit_day);
		else
			note(e, c->patient->death, code.code,
			     "ターミナルケア療養費 needs terminal care on 2 or more days; only %d recorded", terminal);
	}
}

static int cmp_ka(const void *a, const void *b)
{
	const struct hk_ka *x = a, *y = b;
	if (x->day != y->day) return x->day < y->day ? -1 : 1;
	if (x->col != y->col) return x->col < y->col ? -1 : 1;
	if (x->role != y->role) return x->role < y->role ? -1 : 1;
	if (x->item != y->item) return x->item < y->item ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The lines in cmp_ka order.  They come nearly sorted (day by day, the
 * month's items last), so an insertion sort that moves a run at a time is
 * cheaper than qsort; cmp_ka is a total order (seq), so the result is the same. */
static void sort_lines(struct hk_fee_result *o)
{
	for (int i = 1; i < o->nka; i++) {
		struct hk_ka t;
		int j = i;
		while (j > 0 && cmp_ka(&o->ka[j - 1], &o->ka[i]) > 0)
			j--;
		if (j == i)
			continue;
		t = o->ka[i];
		memmove(&o->ka[j + 1], &o->ka[j], (size_t)(i - j) * sizeof(*o->ka));
		o->ka[j] = t;
	}
}

#define LINK_SLOTS 256      /* hash slots of link_same_code (power of two) */

/* prev[i] = the last line before i with the same code, or -1; pos[i] = how
 * many lines up to i have its code (1 for the first). */
static void link_same_code(const struct eng *e, int *prev, int *pos)
{
	const struct hk_fee_result *o = e->out;
	struct { uint32_t key; int last; } slot[LINK_SLOTS];
	unsigned nslots = 16;
	if (e->all_cached) {        /* the month's code numbers, 0..MC_SLOTS / 2 */
		int last[MC_SLOTS / 2];
		for (int i = 0; i < o->nka; i++)
			last[e->line_ci[o->ka[i].seq]->idx] = -1;
		for (int i = 0; i < o->nka; i++) {
			int *l = &last[e->line_ci[o->ka[i].seq]->idx];
			prev[i] = *l;
			pos[i] = *l >= 0 ? pos[*l] + 1 : 1;
			*l = i;
		}
		return;
	}
	while (nslots < LINK_SLOTS && nslots < 2 * (unsigned)o->nka)
		nslots *= 2;
	for (unsigned s = 0; s < nslots; s++)
		slot[s].last = -1;
	for (int i = 0; i < o->nka; i++) {
		uint32_t key = o->ka[i].key;
		unsigned s = 0, probe;
		for (probe = 0; probe < nslots; probe++) {
			s = (key * 2654435761u + probe) & (nslots - 1);
			if (slot[s].last < 0 || slot[s].key == key)
				break;
		}
		if (probe == nslots) {          /* more codes than slots: search */
			int j = i - 1;
			while (j >= 0 && o->ka[j].key != key)
				j--;
			prev[i] = j;
		} else {
			prev[i] = slot[s].last;
			slot[s].key = key;
			slot[s].last = i;
		}
		pos[i] = prev[i] >= 0 ? pos[prev[i]] + 1 : 1;
	}
}

/* Whether line i makes more than max kept lines of its code (itself included)
 * in its bucket of the 算定単位 unit (bucket()): they are the nearest lines on
 * its chain prev[], the lines being in day order.  False if the unit does not
 * apply.  Stops counting once over max. */
static bool over_limit(const struct hk_fee_result *o, const int *prev, int i, int unit, int max)
{
	int count = 1, j = prev[i];   /* line i */
	long day = o->ka[i].day, ws;
	switch (unit) {
	case HK_LU_DAY:
		for (; j >= 0 && count <= max && o->ka[j].day == day; j = prev[j])
			count += !o->ka[j].dropped;
		break;
	case HK_LU_WEEK:    /* week_of_day() w is the days [7w + 3, 7w + 10) */
		ws = week_of_day(day) * 7 + 3;
		for (; j >= 0 && count <= max && o->ka[j].day >= ws && o->ka[j].day < ws + 7; j = prev[j])
			count += !o->ka[j].dropped;
		break;
	case HK_LU_MONTH: case HK_LU_FIRST: case HK_LU_PATIENT:   /* one bucket */
		for (; j >= 0 && count <= max; j = prev[j])
			count += !o->ka[j].dropped;
		break;
	default:
		return false;
	}
	return count > max;
}

/* 算定回数限度: lines beyond the limit are left out, in date order.  A line
 * counts with the kept lines of its code in its day / week / month; the
 * lines are in day order, so those are the nearest ones on its code's chain
 * (and a line with no more than the limit's lines of its code before it,
 * itself included, cannot be over it). */
static void enforce_limits(struct eng *e)
{
	struct hk_fee_result *o = e->out;
	int prev_stack[STACK_LINES], pos_stack[STACK_LINES];
	bool heap = o->nka > STACK_LINES;
	int *prev = heap ? hk_malloc((size_t)o->nka * sizeof(int)) : prev_stack;
	int *pos = heap ? hk_malloc((size_t)o->nka * sizeof(int)) : pos_stack;
	link_same_code(e, prev, pos);
	for (int i = 0; i < o->nka; i++) {
		const struct code_info *ci;
		struct code_info tmp;
		const struct hk_master_item *it;
		if (o->ka[i].dropped)
			continue;
		ci = line_info(e, &o->ka[i]);
		if (!ci) {
			it = o->ka[i].it;
			if (!it || !it->rel_limit)
				continue;
			ci = code_info(e, fcode_of(o->ka[i].code), o->ka[i].date, &tmp);
		}
		/* (no rows without rel_limit) */
		if (!ci->nlimits || pos[i] <= ci->limits_allow)
			continue;
		for (int r = 0; r < ci->nlimits; r++) {
			const struct hk_master_limit *lim = ci->limits[r];
			int max = ci->limit[r].max;
			if (pos[i] <= max || max <= 0)
				continue;
			if (over_limit(o, prev, i, ci->limit[r].unit, max)) {
				o->ka[i].dropped = true;
				note(e, o->ka[i].date, o->ka[i].code, "%s: 算定回数限度 %d per %s reached; left out",
				     lim->short_name, lim->max, lim->unit_name);
				break;
			}
		}
	}
	if (heap) {
		hk_free(prev);
		hk_free(pos);
	}
}

static bool same_scope(int scope, const struct hk_ka *a, const struct hk_ka *b)
{
	switch (scope) {
	case HK_EXS_DAY: case HK_EXS_SAME_TIME: return a->day == b->day;
	case HK_EXS_WEEK: return week_of_day(a->day) == week_of_day(b->day);
	case HK_EXS_MONTH: return true;
	default: return false;
	}
}

static void drop(struct eng *e, int i, int other, const char *why)
{
	struct hk_fee_result *o = e->out;
	if (o->ka[i].dropped)
		return;
	o->ka[i].dropped = true;
	note(e, o->ka[i].date, o->ka[i].code, "%s may not be claimed with %s (併算定背反, %s); left out",
	     o->ka[i].code, o->ka[other].code, why);
}

/* What a 併算定背反 row x between lines i and j does (x valid on i's date): the
 * line it drops, noted.  True if line i is dropped. */
static bool apply_exclusion(struct eng *e, int i, int j, const struct hk_master_exclusion *x)
{
	struct hk_fee_result *o = e->out;
	if (!hk_master_row_valid(x->change, x->valid_from, x->valid_to, o->ka[i].date) ||
	    !same_scope(x->scope, &o->ka[i], &o->ka[j]))
		return false;
	switch (x->kind) {
	case HK_EX_CODE_NOT: drop(e, i, j, "this item is not claimable"); break;
	case HK_EX_CODE_OK: drop(e, j, i, "the other item is claimed"); break;
	default: drop(e, i > j ? i : j, i > j ? j : i, "only one of the two"); break;
	}
	return o->ka[i].dropped;
}

/* 併算定背反 between the kept lines: each line i (in order) against every other
 * kept line j (in order) of another code, until i is dropped, by the row valid
 * on i's date.  When the master is the same on every day of the lines
 * (hk_master_uniform) each pair of distinct codes is looked up once (a month
 * has a few distinct codes and many lines); else once per day of i (the lines
 * are in day order), so that a row starting or ending inside the month - also
 * one pair's row ending and another starting - applies from its own dates.
 * Only pairs the master's index says may have a row (hk_master_may_exclude)
 * are looked at. */
#define MAX_DISTINCT 64
static void exclusions_by_date(struct eng *e)
{
	struct hk_fee_result *o = e->out;
	const struct hk_master *m = e->c->master;
	const struct hk_master_item *dist[MAX_DISTINCT];
	const struct hk_master_exclusion *cache[MAX_DISTINCT][MAX_DISTINCT];
	uint64_t partners[MAX_DISTINCT];        /* bit b of a: a row (a, b) may exist */
	uint64_t looked[MAX_DISTINCT];          /* bit b of a: cache[a][b] is set */
	int di_stack[STACK_LINES];
	int *di = o->nka <= STACK_LINES ? di_stack : hk_malloc((size_t)o->nka * sizeof(int));
	int nd = 0;
	bool uniform = o->nka == 0 || hk_master_uniform(m, o->ka[0].date, o->ka[o->nka - 1].date);
	for (int i = 0; i < o->nka; i++) {
		const struct hk_master_item *it = o->ka[i].it;
		int k;
		for (k = 0; k < nd && dist[k] != it; k++)
			;
		if (k == nd) {
			if (nd == MAX_DISTINCT) {
				note(e, o->ka[i].date, o->ka[i].code, "more than %d distinct codes in a month: "
								     "併算定背反 not checked for this one", MAX_DISTINCT);
				di[i] = -1;
				continue;
			}
			dist[nd++] = it;
		}
		di[i] = k;
	}
	for (int a = 0; a < nd; a++) {
		partners[a] = 0;
		looked[a] = 0;
		if (!dist[a] || !dist[a]->rel_exclusion)
			continue;
		for (int b = 0; b < nd; b++)
			if (b != a && dist[b] && hk_master_may_exclude(m, dist[a], dist[b]))
				partners[a] |= (uint64_t)1 << b;
	}
	for (int i = 0; i < o->nka; i++) {
		int a = di[i];
		if (!uniform && i > 0 && o->ka[i].day != o->ka[i - 1].day)
			memset(looked, 0, (size_t)nd * sizeof(*looked));  /* a new day: look again */
		if (o->ka[i].dropped || a < 0 || !partners[a])
			continue;
		for (int j = 0; j < o->nka; j++) {
			int b = di[j];
			if (b < 0 || !(partners[a] >> b & 1) || o->ka[j].dropped)
				continue;
			if (!(looked[a] >> b & 1)) {
				cache[a][b] = hk_master_exclusion(m, o->ka[i].code, o->ka[j].code, o->ka[i].date);
				looked[a] |= (uint64_t)1 << b;
			}
			if (cache[a][b] && apply_exclusion(e, i, j, cache[a][b]))
				break;
		}
	}
	if (di != di_stack)
		hk_free(di);
}

/*
 * The same when every line's answers came from the month's cache: a pair's row
 * is then the same on every day, so all are known before the lines are
 * compared, and line i is compared only with the lines of the codes it has a
 * row with (a bit set over the lines), within the widest 背反単位 of those rows
 * (its day, its week or the month: lines are in day order).  The lines j left
 * out are those the loop above skips or finds out of scope.  Returns false,
 * having done nothing, when the lines do not fit its sets.
 */
#define LINE_WORDS (STACK_LINES / 64)

/* Line i against the kept lines j in [lo, hi) of cand (the lines of its
 * partners), in order, until i is dropped; row[di[j]] is the row of the pair.
 * Out of line: most lines have no partner line in reach. */
static __attribute__((noinline)) void exclude_in(struct eng *e, int i, unsigned lo, unsigned hi,
						 const uint64_t cand[LINE_WORDS],
						 const struct hk_master_exclusion *const row[MAX_DISTINCT],
						 const unsigned char di[])
{
	const struct hk_fee_result *o = e->out;
	for (unsigned w = lo / 64; w <= (hi - 1) / 64; w++) {
		uint64_t bits = cand[w];
		if (w == lo / 64)          /* the lines before lo need no visit */
			bits &= ~(uint64_t)0 << (lo % 64);
		for (; bits; bits &= bits - 1) {
			unsigned j = w * 64 + (unsigned)__builtin_ctzll(bits);
			if (j >= hi)
				return;
			if (!o->ka[j].dropped && apply_exclusion(e, i, (int)j, row[di[j]]))
				return;
		}
	}
}

static bool exclusions_of_month(struct eng *e)
{
	struct hk_fee_result *o = e->out;
	signed char local[MC_PAIR_CODES];          /* month idx -> distinct code of this patient */
	const struct code_info *dci[MAX_DISTINCT];
	int first[MAX_DISTINCT], reach[MAX_DISTINCT];
	unsigned char rel[MAX_DISTINCT];           /* rel_exclusion of the code's item */
	unsigned char di[STACK_LINES];
	uint64_t lines_of[MAX_DISTINCT][LINE_WORDS];   /* the lines of each distinct code */
	uint64_t cand[MAX_DISTINCT][LINE_WORDS];       /* the lines of its partners */
	const struct hk_master_exclusion *row[MAX_DISTINCT][MAX_DISTINCT];
	uint64_t present[MC_PAIR_CODES / 64];      /* month idx of the codes of this patient */
	int nd = 0;
	if (o->nka > STACK_LINES)
		return false;
	memset(local, -1, sizeof(local));
	memset(present, 0, sizeof(present));
	for (int i = 0; i < o->nka; i++) {
		const struct code_info *ci = e->line_ci[o->ka[i].seq];
		if (ci->idx >= MC_PAIR_CODES)
			return false;
		if (local[ci->idx] < 0) {
			if (nd == MAX_DISTINCT)
				return false;
			first[nd] = i;
			dci[nd] = ci;
			rel[nd] = ci->rel_exclusion;
			memset(lines_of[nd], 0, sizeof(lines_of[nd]));
			local[ci->idx] = (signed char)nd++;
			present[ci->idx / 64] |= (uint64_t)1 << (ci->idx % 64);
		}
		di[i] = (unsigned char)local[ci->idx];
		lines_of[di[i]][i / 64] |= (uint64_t)1 << (i % 64);
	}
	for (int a = 0; a < nd; a++) {
		memset(cand[a], 0, sizeof(cand[a]));
		reach[a] = 0;
		int ia = dci[a]->idx;
		if (!rel[a])
			continue;
		/* the pairs with this patient's other codes the month has not looked up yet */
		for (int w = 0; w < MC_PAIR_CODES / 64; w++) {
			uint64_t bits = present[w] & ~month.pair_known[ia][w];
			for (; bits; bits &= bits - 1) {
				int ib = w * 64 + __builtin_ctzll(bits), b = local[ib];
				if (ib != ia && !month_pair(e, dci[a], dci[b], o->ka[first[a]].code,
							    o->ka[first[b]].code, o->ka[first[a]].date))
					return false;   /* nothing dropped yet */
			}
		}
		/* its partners among them */
		for (int w = 0; w < MC_PAIR_CODES / 64; w++) {
			uint64_t bits = present[w] & month.pair_partner[ia][w];
			for (; bits; bits &= bits - 1) {
				int ib = w * 64 + __builtin_ctzll(bits), b = local[ib], v = month.pair[ia][ib];
				row[a][b] = month.rows[v - 2];
				for (int lw = 0; lw < LINE_WORDS; lw++)
					cand[a][lw] |= lines_of[b][lw];
				if (month.reach[v - 2] > reach[a])
					reach[a] = month.reach[v - 2];
			}
		}
	}
	for (int i = 0, dlo = 0, dhi = 0; i < o->nka; i++) {
		int a = di[i];
		unsigned lo = 0, hi = (unsigned)o->nka;
		if (i == dhi) {                 /* a new day: its lines are [dlo, dhi) */
			dlo = i;
			for (dhi = i + 1; dhi < o->nka && o->ka[dhi].day == o->ka[i].day; dhi++)
				;
		}
		if (o->ka[i].dropped || !reach[a])
			continue;
		if (reach[a] == 1) {            /* lines of the day */
			lo = (unsigned)dlo;
			hi = (unsigned)dhi;
		} else if (reach[a] == 2) {     /* lines of the week */
			long w = week_of_day(o->ka[i].day);
			for (lo = (unsigned)i; lo > 0 && week_of_day(o->ka[lo - 1].day) == w; lo--)
				;
			for (hi = (unsigned)i + 1; hi < (unsigned)o->nka && week_of_day(o->ka[hi].day) == w; hi++)
				;
		}
		if (lo / 64 == (hi - 1) / 64 &&       /* one word (the usual case): any partner line in it? */
		    !(cand[a][lo / 64] & ~(uint64_t)0 << (lo % 64) & ~(uint64_t)0 >> (63 - (hi - 1) % 64)))
			continue;
		exclude_in(e, i, lo, hi, cand[a], row[a], di);
	}
	return true;
}

static void enforce_exclusions(struct eng *e)
{
	if (!(e->month_cache && e->all_cached && exclusions_of_month(e)))
		exclusions_by_date(e);
}

/* %-add-ons: amount 0, their value added to the base line directly above (第18章 (6)ウ). */
static void fold_percent(struct eng *e)
{
	struct hk_fee_result *o = e->out;
	int w = 0;
	for (int i = 0; i < o->nka; i++) {
		if (o->ka[i].dropped)
			continue;
		if (o->ka[i].role == 1) {
			const struct hk_master_item *it = o->ka[i].it;
			int b = w - 1;
			if (b < 0 || date_cmp(o->ka[b].date, o->ka[i].date) || o->ka[b].role != 0 || !it) {
				note(e, o->ka[i].date, o->ka[i].code, "%s has no base line to add to; left out", o->ka[i].code);
				continue;
			}
			/* 1円未満四捨五入 */
			o->ka[b].amount += (o->ka[b].amount * it->amount_x100 + 5000) / 10000;
			o->ka[i].amount = 0;
		}
		if (w != i)
			o->ka[w] = o->ka[i];
		w++;
	}
	o->nka = w;
}

int hk_fees_derive(const struct hk_fee_ctx *c, const struct hk_fee_visit *visits, int n,
		   struct hk_fee_result *out, struct hk_err *err)
{
	struct eng e = {0};
	const struct code_info *line_ci[STACK_LINES];
	long week = -1, first_week;
	int week_no = 0;
	memset(out, 0, sizeof(*out));
	e.c = c;
	e.out = out;
	e.err = err;
	if (n == 0)
		return 0;
	if (!c->master)
		return hk_err_set(err, HK_EXIT_INTERNAL, "fees: no master");
	e.month_cache = month_cache_for(c);
	e.all_cached = true;
	e.line_ci = line_ci;
	e.last_date = (struct hk_date){0, 0, 0};
	e.last_day = hk_date_to_days(e.last_date);
	e.day1 = hk_date_to_days((struct hk_date){c->year, c->month, 1});
	e.first_day = first_ha_free_day(visits, n);
	first_week = week_of_day(e.day1);
	for (int i = 0; i < n;) {
		/* the day's visits by instruction family: general, 精神科, 医療観察 */
		const struct hk_fee_visit *day[3][MAX_DAY_VISITS];
		int nfam[3] = {0, 0, 0};
		int j = i;
		long dn = days_of(&e, visits[i].date), w = week_of_day(dn);
		e.last_date = visits[i].date;   /* add()'s day number of the day's lines */
		e.last_day = dn;
		for (; j < n && same_date(visits[j].date, visits[i].date); j++) {
			int f = family_index(visits[j].family);
			if (nfam[f] < MAX_DAY_VISITS)
				day[f][nfam[f]++] = &visits[j];
		}
		if (w != week) {
			week = w;
			/* the days of this week that fell in the previous month count too */
			week_no = w == first_week ? c->prior_week_days : 0;
		}
		week_no++;
		/* each instruction family of the day separately */
		for (int f = 0; f < 3; f++)
			if (nfam[f])
				day_group(&e, day[f], nfam[f], "gpk"[f], week_no, dn);
		i = j;
	}
	monthly(&e, visits, n);
	sort_lines(out);
	enforce_limits(&e);
	enforce_exclusions(&e);
	fold_percent(&e);
	return 0;
}
