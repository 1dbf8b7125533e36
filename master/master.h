/*
 * master.h - the 訪問看護療養費マスター (支払基金 マスターファイル仕様説明書 (10)),
 * loaded by effective date, held in memory and indexed by code.
 *
 * Layout on disk (docs/master.md):
 *
 *     ROOT/YYYYMMDD/houmonkango-master-kihon.csv               ア 基本テーブル
 *                   houmonkango-master-kihon-kasan-taiou.csv   イ 基本・加算対応テーブル
 *                   houmonkango-master-santei-kaisu-gendo.csv  ウ 算定回数限度テーブル
 *                   houmonkango-master-heisantei-haihan.csv    エ 併算定背反テーブル
 *                   houmonkango-master-shisetsu-kijun.csv      オ 施設基準テーブル
 *
 * Each YYYYMMDD directory is one revision, named by its effective date; the
 * files are the official CP932 CSVs, unchanged.  "The master in force on D" is
 * the directory with the greatest date <= D.  ROOT is chosen by
 * hk_master_root(): an explicit --dir / --master-dir, else $HOUKAN_MASTER_DIR,
 * else the compiled-in HK_MASTER_ROOT ($(PREFIX)/share/houkan/master).
 *
 * A loaded revision covers [effective, next revision's effective) - the end
 * is open when no later directory exists.  Every lookup takes a date and
 * answers NULL / 0 for dates outside that span, and honours each row's own
 * 変更年月日 (valid_from) and 廃止年月日 (valid_to, inclusive).  Rows whose
 * 変更区分 is 1 (抹消) are never valid.
 *
 * Strings are UTF-8 (decoded from CP932 at load).  Amounts are exact
 * integers: yen × 100, points × 100 or percent × 100 (the spec's 7.2 format).
 * All pointers returned stay valid until hk_master_free().
 * Loading is strict: any malformed row fails the whole load with
 * "FILE:LINE:COLUMN: 項番N NAME: what is wrong" (code HK_EXIT_IO when a file
 * cannot be read, HK_EXIT_INPUT for bad content).
 */
#ifndef HK_MASTER_H
#define HK_MASTER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/hk.h"
#include "base/date.h"
#include "base/limits.h"

/* The five files of one revision, in this order everywhere (table index). */
enum hk_master_table {
	HK_MT_KIHON = 0,     /* ア 基本テーブル */
	HK_MT_KASAN,         /* イ 基本・加算対応テーブル */
	HK_MT_KAISU,         /* ウ 算定回数限度テーブル */
	HK_MT_HAIHAN,        /* エ 併算定背反テーブル */
	HK_MT_SHISETSU,      /* オ 施設基準テーブル */
	HK_MT_COUNT
};
/* File name of table t ("houmonkango-master-kihon.csv", ...). */
const char *hk_master_file_name(enum hk_master_table t);
/* Japanese table name ("基本テーブル", ...). */
const char *hk_master_table_name(enum hk_master_table t);

/* 項番1 変更区分 (every table) */
enum hk_master_change {
	HK_MC_SAME = 0,      /* 前マスターと同じ */
	HK_MC_DELETED = 1,   /* 抹消: the row is ignored by every lookup */
	HK_MC_REVIVED = 2,   /* 復活 (not in the 基本テーブル) */
	HK_MC_NEW = 3,       /* 新規 */
	HK_MC_CHANGED = 5,   /* 変更 */
	HK_MC_ABOLISHED = 9  /* 廃止: usable up to 廃止年月日 */
};

/* 項番15 金額識別 */
enum hk_master_amount_kind {
	HK_AMOUNT_NONE = 0,     /* only in 項番17 (旧金額): 新設 */
	HK_AMOUNT_YEN = 1,      /* 金額 */
	HK_AMOUNT_POINTS = 3,   /* 点数（プラス）: 医療観察 items; 1 point = 10 yen */
	HK_AMOUNT_PERCENT = 5   /* ％加算: a percentage of the base it goes with */
};

#define HK_MASTER_CODE_LEN 9
#define HK_MASTER_MAX_STAFF 15   /* 職種区分①–⑮ */
#define HK_MASTER_NSYMBOLS 9     /* レセプト表示用記号①–⑨ */

/* One row of ア 基本テーブル (72 columns). */
struct hk_master_item {
	int change;               /* 項番1 変更区分 (enum hk_master_change) */
	char code[HK_MASTER_CODE_LEN + 1]; /* 項番3 訪問看護療養費コード, "5" + 8 digits */
	int kubun;                /* 項番4 区分番号 (01 基本療養費, 02 管理療養費, ... ; 91– 医療観察) */
	int edaban;               /* 項番5 枝番 */
	int kouban;               /* 項番6 項番 */
	const char *name;         /* 項番7 基本名称 */
	const char *short_name;   /* 項番9 省略名称 */
	const char *kana;         /* 項番11 省略カナ名称 (half-width katakana, UTF-8) */
	int data_std;             /* 項番12 データ規格コード: unit of 数量データ; 0 = no 数量データ */
	const char *data_std_name;/* 項番14 データ規格名 漢字名称 ("" if unused) */
	int amount_kind;          /* 項番15 金額識別 (enum hk_master_amount_kind) */
	long amount_x100;         /* 項番16 新又は現金額 × 100 (5550.00 -> 555000) */
	int old_amount_kind;      /* 項番17 旧金額 金額識別 (0 = 新設) */
	long old_amount_x100;     /* 項番18 旧金額 × 100 */
	int step_calc;            /* 項番19 きざみ値計算識別: 1 = amount depends on 数量データ */
	long step_lower;          /* 項番20 下限値 (0 = none) */
	long step_upper;          /* 項番21 上限値 (99999999 = none) */
	long step_unit;           /* 項番22 きざみ値 */
	long step_amount_x100;    /* 項番23 きざみ金額 × 100 */
	int step_error;           /* 項番24 上下限エラー処理 */
	int age_min;              /* 項番25 下限年齢: age >= age_min (0 = none) */
	int age_max;              /* 項番26 上限年齢: age < age_max (0 = none); note "上限値＋１" */
	int kouki;                /* 項番27 後期高齢者医療適用区分: 0 both, 1 医療保険 only, 2 後期高齢者 only */
	int kansatsu;             /* 項番28 医療観察法対象区分: 1 = 医療観察 item */
	int nstaff;               /* number of non-"00" entries in staff[] */
	char staff[HK_MASTER_MAX_STAFF][3]; /* 項番29–43 職種区分①–⑮: 職種等コード (別表20), "00" unused */
	int visit_count_kind;     /* 項番44 実施回数区分: 0 none, 1 同日訪問回数 01–03, 2 must be 02, 3 must be 03 */
	int instr_kind;           /* 項番45 訪問看護指示区分: 0 none, 1 基本療養費, 3 精神科, 5 医療観察 */
	int special_instr_kind;   /* 項番46 特別訪問看護指示区分: 0 none, 2 基本療養費, 4 精神科, 6 医療観察 */
	int standalone;           /* 項番47 加算単独算定区分: 1 = an add-on that may be claimed alone */
	char addon_group[5];      /* 項番48 加算グループ ("0000" = none): key into イ 基本・加算対応 */
	char facility_group[5];   /* 項番49 施設基準グループ ("0000" = none): key into オ 施設基準 */
	bool rel_addon;           /* 項番50 基本・加算対応テーブル関連識別 */
	bool rel_limit;           /* 項番51 算定回数限度テーブル関連識別 */
	bool rel_exclusion;       /* 項番52 併算定背反テーブル関連識別 */
	int disp_col;             /* 項番53 レセプト表示欄 */
	int disp_item;            /* 項番54 レセプト表示項 */
	int disp_seq;             /* 項番55 レセプト表示連番 */
	unsigned char symbols[HK_MASTER_NSYMBOLS]; /* 項番56–64 レセプト表示用記号①–⑨ (○△◎◇□▽☆▲▼) */
	long pub_order;           /* 項番66 公表順序番号 */
	int fee_kind;             /* 項番67 訪問看護療養費種類 (別紙10-4) */
	struct hk_date valid_from;/* 項番71 変更年月日 */
	struct hk_date valid_to;  /* 項番72 廃止年月日, inclusive; 99999999 -> 9999-12-31 */
	long line;                /* line in the CSV, for messages */
};

/* True if item allows the 別表20 base code staff ("01".."10") by its 職種区分①–⑮,
 * reading the 同行者 codes 31-39 of the 複数名 add-ons as the sets they stand for. */
bool hk_master_item_allows_staff(const struct hk_master_item *it, const char *staff);

/* One row of イ 基本・加算対応テーブル (8 columns). */
struct hk_master_addon {
	int change;               /* 項番1 */
	char group[5];            /* 項番2 グループ番号 = a base item's 加算グループ */
	char code[HK_MASTER_CODE_LEN + 1]; /* 項番3 加算項目 訪問看護療養費コード */
	const char *short_name;   /* 項番4 */
	int ident;                /* 項番5 加算識別: rows of a group sharing it are variants of one add-on */
	struct hk_date valid_from, valid_to; /* 項番6, 7 */
	long line;
};

/* 算定単位 codes seen in ウ 算定回数限度 (単位コード, 別紙4-1); the name comes with the row. */
enum hk_master_limit_unit {
	HK_LU_PATIENT = 53,       /* 患者当り */
	HK_LU_DAY = 121,          /* 日 */
	HK_LU_MONTH = 131,        /* 月 */
	HK_LU_ADMISSION = 133,    /* 入院中 */
	HK_LU_FIRST = 135,        /* 初回 */
	HK_LU_WEEK = 138          /* 週 */
};

/* One row of ウ 算定回数限度テーブル (10 columns). */
struct hk_master_limit {
	int change;               /* 項番1 */
	char code[HK_MASTER_CODE_LEN + 1]; /* 項番2 */
	const char *short_name;   /* 項番3 */
	int unit;                 /* 項番4 算定単位 (enum hk_master_limit_unit; others kept as read) */
	const char *unit_name;    /* 項番5 算定単位名称 */
	int max;                  /* 項番6 上限回数 (0 = no limit) */
	int error_kind;           /* 項番7 上限回数エラー処理: 0 確認する, 1 上限回数を算定する */
	struct hk_date valid_from, valid_to; /* 項番8, 9 */
	long line;
};

/* 項番4 背反区分 of エ 併算定背反テーブル */
enum hk_master_excl_kind {
	HK_EX_CODE_NOT = 0,       /* 算定不可: this code is not claimable with the other */
	HK_EX_CODE_OK = 1,        /* 算定可: this code is the one claimed, the other is not */
	HK_EX_EITHER = 2          /* どちらか一方算定可 */
};
/* 項番7 背反単位 */
enum hk_master_excl_scope {
	HK_EXS_DAY = 1,           /* １日につき */
	HK_EXS_MONTH = 2,         /* 同一月 */
	HK_EXS_SAME_TIME = 3,     /* 同時 */
	HK_EXS_WEEK = 4           /* 暦週 */
};

/* One row of エ 併算定背反テーブル (13 columns). */
struct hk_master_exclusion {
	int change;               /* 項番1 */
	char code[HK_MASTER_CODE_LEN + 1];  /* 項番2 */
	const char *short_name;   /* 項番3 省略名称① */
	int kind;                 /* 項番4 背反区分 (enum hk_master_excl_kind) */
	char other[HK_MASTER_CODE_LEN + 1]; /* 項番5 */
	const char *other_name;   /* 項番6 省略名称② */
	int scope;                /* 項番7 背反単位 (enum hk_master_excl_scope) */
	int special;              /* 項番8 特例条件: 1 = a special condition applies (not in the master) */
	struct hk_date valid_from, valid_to; /* 項番9, 10 */
	long line;
};

/* One row of オ 施設基準テーブル (9 columns). */
struct hk_master_facility {
	int change;               /* 項番1 */
	char group[5];            /* 項番2 グループ番号 = an item's 施設基準グループ */
	char code[HK_MASTER_CODE_LEN + 1]; /* 項番3 */
	const char *short_name;   /* 項番4 */
	int facility;             /* 項番5 施設基準コード (別紙10-5, up to 4 digits) */
	char ident[3];            /* 項番6 施設基準識別 */
	struct hk_date valid_from, valid_to; /* 項番7, 8 */
	long line;
};

/* What identifies a loaded revision (for the claim-run audit record). */
struct hk_master_info {
	struct hk_date effective;       /* the directory's date */
	bool has_next;                  /* a later revision exists under the root */
	struct hk_date next;            /* its date (the end of this one's span, exclusive) */
	char dir[HK_MAX_PATH];                 /* the revision directory */
	char file_sha256[HK_MT_COUNT][65];
	size_t rows[HK_MT_COUNT];
	/* "YYYYMMDD:" + SHA-256 (hex) of the sha256sum-style listing
	 * "HEX  NAME\n" of the five files in hk_master_table order. */
	char version[8 + 1 + 64 + 1];
};

struct hk_master;

/* The master root: dir if non-NULL and non-empty, else $HOUKAN_MASTER_DIR if
 * set and non-empty, else HK_MASTER_ROOT - or, when that does not exist, the
 * data/master of the source tree an uninstalled binary was built in. */
const char *hk_master_root(const char *dir);

/* Load the revision in force on `on` from root (the greatest YYYYMMDD
 * directory <= on).  Error (HK_EXIT_IO) if root is unreadable or no directory
 * is on or before `on`. */
int hk_master_load(const char *root, struct hk_date on, struct hk_master **out, struct hk_err *err);
/* Load one revision directory (its last path component must be YYYYMMDD);
 * its span is open-ended. */
int hk_master_load_dir(const char *dir, struct hk_master **out, struct hk_err *err);
void hk_master_free(struct hk_master *m);

const struct hk_master_info *hk_master_info(const struct hk_master *m);
/* True if `on` lies in this revision's span [effective, next). */
bool hk_master_covers(const struct hk_master *m, struct hk_date on);

/* The 基本テーブル row for code valid on `on`, or NULL (unknown code, not yet
 * valid, abolished, 抹消, or `on` outside the revision's span). */
const struct hk_master_item *hk_master_item(const struct hk_master *m, const char *code, struct hk_date on);

/* Every 基本テーブル row in code order (then valid_from), whatever its dates. */
size_t hk_master_nitems(const struct hk_master *m);
const struct hk_master_item *hk_master_item_at(const struct hk_master *m, size_t i);

/*
 * The list lookups below fill out[0..max-1] with pointers to the rows valid on
 * `on`, in file order (items: code order), and return how many there are in all (which may exceed
 * max: call again with a bigger array).  out may be NULL when max is 0.
 */

/* Items valid on `on` whose 基本名称 or 省略名称 contains text (byte substring of UTF-8). */
size_t hk_master_search(const struct hk_master *m, const char *text, struct hk_date on,
			const struct hk_master_item **out, size_t max);

/* イ: the add-ons listed for a 加算グループ (a base item's addon_group). */
size_t hk_master_addons(const struct hk_master *m, const char *group, struct hk_date on,
			const struct hk_master_addon **out, size_t max);
/* The row saying addon_code may go with base_code (via base's 加算グループ), or NULL. */
const struct hk_master_addon *hk_master_addon_for(const struct hk_master *m, const char *base_code,
						  const char *addon_code, struct hk_date on);

/* ウ: the 算定回数限度 rows of code. */
size_t hk_master_limits(const struct hk_master *m, const char *code, struct hk_date on,
			const struct hk_master_limit **out, size_t max);

/* エ: the 併算定背反 rows whose 項番2 is code, in the order of their 項番5 (other code). */
size_t hk_master_exclusions(const struct hk_master *m, const char *code, struct hk_date on,
			    const struct hk_master_exclusion **out, size_t max);
/* The row (code, other) if one is valid on `on`, else NULL. */
const struct hk_master_exclusion *hk_master_exclusion(const struct hk_master *m, const char *code,
						      const char *other, struct hk_date on);

/* False only if エ has no row (a's code, b's code) whatever its dates, so that
 * hk_master_exclusion() of the two codes is NULL on every date.  a and b are
 * rows of m (from hk_master_item); O(1), for checks over many pairs. */
bool hk_master_may_exclude(const struct hk_master *m, const struct hk_master_item *a,
			   const struct hk_master_item *b);
/* hk_master_may_exclude() of many pairs: the index of an item's code among
 * the 基本テーブル's codes (HK_MASTER_ANY_CODE: it is no row of m, or m has
 * no index, so that every pair with it may exclude), and bit k of
 * hk_master_may_exclude_set() = hk_master_may_exclude(m, a, b[k]) for the
 * items a and b[k] whose code indexes are given, k < n <= 64. */
#define HK_MASTER_ANY_CODE UINT32_MAX
uint32_t hk_master_code_index(const struct hk_master *m, const struct hk_master_item *it);
uint64_t hk_master_may_exclude_set(const struct hk_master *m, uint32_t a, const uint32_t *b, size_t n);

/* オ: the 施設基準 rows of an item (rows of its 施設基準グループ for that code). */
size_t hk_master_facilities(const struct hk_master *m, const char *code, struct hk_date on,
			    const struct hk_master_facility **out, size_t max);

/* All rows of a table, whatever their dates, for iteration: add-ons in
 * (group, line) order, the others in (code, line) order. */
size_t hk_master_nrows(const struct hk_master *m, enum hk_master_table t);
const struct hk_master_addon *hk_master_addon_at(const struct hk_master *m, size_t i);
const struct hk_master_limit *hk_master_limit_at(const struct hk_master *m, size_t i);
const struct hk_master_exclusion *hk_master_exclusion_at(const struct hk_master *m, size_t i);
const struct hk_master_facility *hk_master_facility_at(const struct hk_master *m, size_t i);

/* A 9-digit 訪問看護療養費コード as a number (for keys and caches), or 0 if it
 * is not exactly 9 digits. */
uint32_t hk_master_code_key(const char *code);

/* A number that identifies this loaded master among all masters loaded by the
 * process (1, 2, ...; never reused), for caches keyed by master. */
unsigned long hk_master_serial(const struct hk_master *m);

/* True if every lookup above answers the same on every day of [from, to]: the
 * revision covers all of it and no row of any table starts (変更年月日) or ends
 * (廃止年月日) being valid on a day after from up to to.  O(log rows). */
bool hk_master_uniform(const struct hk_master *m, struct hk_date from, struct hk_date to);

/* True if the row dates and 変更区分 make it valid on `on` (helper, exposed for tests). */
bool hk_master_row_valid(int change, struct hk_date from, struct hk_date to, struct hk_date on);

/* "5550円", "50%", "767点" (with decimals only if non-zero); out needs 32 bytes. */
void hk_master_fmt_amount(int kind, long x100, char *out, size_t outlen);

#endif
