/*
 * fee_tables.c - which 訪問看護療養費コード for which facts (令和6年6月
 * 訪問看護療養費マスター).  Names and amounts always come from the master;
 * these tables only say which code a combination of facts selects, in the
 * order the candidates are tried.  docs/fees.md has the same tables in prose.
 */
#include <string.h>
#include "claims/fee_tables.h"

/* 訪問看護基本療養費 (区分01 枝番0) and 精神科訪問看護基本療養費 (区分01 枝番2). */
const struct hk_basic_row hk_basic_rows[] = {
	/* family, variant, staff group, building, week (1 = 週3日目まで, 4 = 週4日目以降), long, code */
	/* 基本療養費(I): one 同一建物居住者 */
	{'g', 1, 'N', 1, 1, -1, "510000110"}, {'g', 1, 'N', 1, 4, -1, "510000210"},
	{'g', 1, 'J', 1, 1, -1, "510000310"}, {'g', 1, 'J', 1, 4, -1, "510000410"},
	{'g', 1, 'P', 1, 1, -1, "510000610"}, {'g', 1, 'P', 1, 4, -1, "510004110"},
	/* 基本療養費(II): 同一建物居住者 2 / 3人以上 */
	{'g', 2, 'N', 2, 1, -1, "510000710"}, {'g', 2, 'N', 2, 4, -1, "510000810"},
	{'g', 2, 'N', 3, 1, -1, "510000910"}, {'g', 2, 'N', 3, 4, -1, "510001010"},
	{'g', 2, 'J', 2, 1, -1, "510001110"}, {'g', 2, 'J', 2, 4, -1, "510001210"},
	{'g', 2, 'J', 3, 1, -1, "510001310"}, {'g', 2, 'J', 3, 4, -1, "510001410"},
	{'g', 2, 'P', 2, 1, -1, "510001610"}, {'g', 2, 'P', 2, 4, -1, "510004210"},
	{'g', 2, 'P', 3, 1, -1, "510001710"}, {'g', 2, 'P', 3, 4, -1, "510004310"},
	/* 基本療養費(III): 入院中の外泊 */
	{'g', 3, '*', 0, 0, -1, "510001810"},
	/* 精神科(I) */
	{'p', 1, 'N', 1, 1, 1, "530000110"}, {'p', 1, 'N', 1, 1, 0, "530000210"},
	{'p', 1, 'N', 1, 4, 1, "530000310"}, {'p', 1, 'N', 1, 4, 0, "530000410"},
	{'p', 1, 'O', 1, 1, 1, "530005110"}, {'p', 1, 'O', 1, 1, 0, "530005210"},
	{'p', 1, 'O', 1, 4, 1, "530005310"}, {'p', 1, 'O', 1, 4, 0, "530005410"},
	{'p', 1, 'J', 1, 1, 1, "530000510"}, {'p', 1, 'J', 1, 1, 0, "530000610"},
	{'p', 1, 'J', 1, 4, 1, "530000710"}, {'p', 1, 'J', 1, 4, 0, "530000810"},
	/* 精神科(III): 同一建物居住者 2 / 3人以上 */
	{'p', 3, 'N', 2, 1, 1, "530000910"}, {'p', 3, 'N', 2, 1, 0, "530001010"},
	{'p', 3, 'N', 2, 4, 1, "530001110"}, {'p', 3, 'N', 2, 4, 0, "530001210"},
	{'p', 3, 'N', 3, 1, 1, "530001310"}, {'p', 3, 'N', 3, 1, 0, "530001410"},
	{'p', 3, 'N', 3, 4, 1, "530001510"}, {'p', 3, 'N', 3, 4, 0, "530001610"},
	{'p', 3, 'O', 2, 1, 1, "530005510"}, {'p', 3, 'O', 2, 1, 0, "530005610"},
	{'p', 3, 'O', 2, 4, 1, "530005710"}, {'p', 3, 'O', 2, 4, 0, "530005810"},
	{'p', 3, 'O', 3, 1, 1, "530005910"}, {'p', 3, 'O', 3, 1, 0, "530006010"},
	{'p', 3, 'O', 3, 4, 1, "530006110"}, {'p', 3, 'O', 3, 4, 0, "530006210"},
	{'p', 3, 'J', 2, 1, 1, "530001710"}, {'p', 3, 'J', 2, 1, 0, "530001810"},
	{'p', 3, 'J', 2, 4, 1, "530001910"}, {'p', 3, 'J', 2, 4, 0, "530002010"},
	{'p', 3, 'J', 3, 1, 1, "530002110"}, {'p', 3, 'J', 3, 1, 0, "530002210"},
	{'p', 3, 'J', 3, 4, 1, "530002310"}, {'p', 3, 'J', 3, 4, 0, "530002410"},
	/* 精神科(IV): 入院中の外泊 */
	{'p', 4, '*', 0, 0, -1, "530002510"},
};
const size_t hk_nbasic_rows = sizeof(hk_basic_rows) / sizeof(hk_basic_rows[0]);

/* Add-ons by family ('g' general, 'p' 精神科).  Index by enum hk_addon. */
const struct hk_addon_codes hk_addons[] = {
	/*                    general                         精神科 */
	[HK_AD_AREA]      = {{{"510002370", NULL},            {"530002670", NULL}}},
	[HK_AD_EMERG]     = {{{"510002470", "510004570"},     {"530002770", "530005070"}}},
	[HK_AD_LONG]      = {{{"510002570", "510004470"},     {"530002870", "530004970"}}},
	[HK_AD_INFANT]    = {{{"510002670", "510004670"},     {NULL, NULL}}},
	[HK_AD_NIGHT]     = {{{"510003970", NULL},            {"530004370", NULL}}},
	[HK_AD_LATENIGHT] = {{{"510004070", NULL},            {"530004470", NULL}}},
	/* 難病等複数回 / 精神科複数回: [0] 2 visits, [1] 3 or more; building 3+ is the next code */
	[HK_AD_REPEAT2]   = {{{"510001970", "510002070"},     {"530004570", "530004670"}}},
	[HK_AD_REPEAT3]   = {{{"510002170", "510002270"},     {"530004770", "530004870"}}},
};

/* 複数名訪問看護加算, general family: by the second staff's group; [0] building 1-2, [1] 3+. */
const struct hk_multi_row hk_multi_general[] = {
	{"0102030405060708", {"510002770", "510002870"}},  /* 他の看護師等（准看護師を除く） */
	{"07", {"510002970", "510003070"}},                /* 他の准看護師 */
	{"0910", {"510003170", "510003270"}},              /* その他職員 (別に定める場合を除く) */
};
const size_t hk_nmulti_general = sizeof(hk_multi_general) / sizeof(hk_multi_general[0]);

/* 複数名精神科訪問看護加算: by the second staff's group and the number of
 * such visits that day (1, 2, 3+); [times-1][building 3+]. */
const struct hk_multi_psych_row hk_multi_psych[] = {
	{"01030508", {{"530002970", "530003070"}, {"530003170", "530003270"}, {"530003370", "530003470"}}},
	{"07", {{"530003570", "530003670"}, {"530003770", "530003870"}, {"530003970", "530004070"}}},
	{"0910", {{"530004170", "530004270"}, {"530004170", "530004270"}, {"530004170", "530004270"}}},
};
const size_t hk_nmulti_psych = sizeof(hk_multi_psych) / sizeof(hk_multi_psych[0]);

/* 訪問看護管理療養費: 月の初日 candidates in order (the first whose 施設基準 the
 * station has), then 2日目以降. */
const char *const hk_mgmt_first[] = {"550000110", "550000210", "550000310", "550000410", NULL};
const char *const hk_mgmt_daily[] = {"550000510", "550002010", NULL};
/* Monthly add-ons, tried in order. */
const char *const hk_24h[] = {"550002170", "550000670", NULL};
const char *const hk_special_mgmt[] = {"550000870", "550000770"}; /* [0] 重症度等の高い, [1] その他 */
const char *const hk_dx = "550002270";
const char *const hk_baseup1 = "590000110";
const char *const hk_baseup2[] = {"590000210", "590000310", "590000410", "590000510", "590000610",
				  "590000710", "590000810", "590000910", "590001010", "590001110",
				  "590001210", "590001310", "590001410", "590001510", "590001610",
				  "590001710", "590001810", "590001910", NULL};
const char *const hk_terminal[] = {"580000110", "580000210"};

char hk_staff_group(char family, const char *staff)
{
	if (!staff || strlen(staff) != 2)
		return 0;
	if (family == 'p') {
		if (!strcmp(staff, "01") || !strcmp(staff, "03") || !strcmp(staff, "08"))
			return 'N';
		if (!strcmp(staff, "05"))
			return 'O';
		if (!strcmp(staff, "07"))
			return 'J';
		return 0;
	}
	if (!strcmp(staff, "01") || !strcmp(staff, "02") || !strcmp(staff, "03") || !strcmp(staff, "08"))
		return 'N';
	if (!strcmp(staff, "07"))
		return 'J';
	if (!strcmp(staff, "04") || !strcmp(staff, "05") || !strcmp(staff, "06"))
		return 'P';
	return 0;
}

bool hk_code_list_has(const char *list, const char *code2)
{
	for (size_t i = 0; list[i] && list[i + 1]; i += 2)
		if (list[i] == code2[0] && list[i + 1] == code2[1])
			return true;
	return false;
}
