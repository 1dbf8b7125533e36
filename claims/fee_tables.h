/* fee_tables.h - code-selection tables of the fee engine (claims/fee_tables.c). */
#ifndef HK_FEE_TABLES_H
#define HK_FEE_TABLES_H
#include <stdbool.h>
#include <stddef.h>

struct hk_basic_row {
	char family;      /* 'g' 訪問看護基本療養費, 'p' 精神科訪問看護基本療養費 */
	int variant;      /* I/II/III (general) or I/III/IV (精神科) */
	char staff;       /* staff group: 'N' 看護職員, 'J' 准看護師, 'P' 理学療法士等, 'O' 作業療法士, '*' any */
	int building;     /* 同一建物居住者: 1, 2, 3 (= 3人以上), 0 = any */
	int week;         /* 1 = 週3日目まで, 4 = 週4日目以降, 0 = any */
	int is_long;      /* 精神科: 1 = 30分以上, 0 = 30分未満, -1 = any */
	const char *code;
};
extern const struct hk_basic_row hk_basic_rows[];
extern const size_t hk_nbasic_rows;

enum hk_addon { HK_AD_AREA, HK_AD_EMERG, HK_AD_LONG, HK_AD_INFANT, HK_AD_NIGHT, HK_AD_LATENIGHT,
		HK_AD_REPEAT2, HK_AD_REPEAT3, HK_AD__N };
struct hk_addon_codes { const char *code[2][2]; }; /* [family g/p][variant] */
/* hk_addons[a].code[0] general, [1] 精神科; [..][1] = the second variant
 * (月15日目以降, 別に厚生労働大臣が定める者, 同一建物内3人以上). */
extern const struct hk_addon_codes hk_addons[];

struct hk_multi_row { const char *staff2; const char *code[2]; };
extern const struct hk_multi_row hk_multi_general[];
extern const size_t hk_nmulti_general;
struct hk_multi_psych_row { const char *staff2; const char *code[3][2]; };
extern const struct hk_multi_psych_row hk_multi_psych[];
extern const size_t hk_nmulti_psych;

extern const char *const hk_mgmt_first[];
extern const char *const hk_mgmt_daily[];
extern const char *const hk_24h[];
extern const char *const hk_special_mgmt[];
extern const char *const hk_dx;
extern const char *const hk_baseup1;
extern const char *const hk_baseup2[];
extern const char *const hk_terminal[];

/* Staff group of a 別表20 base code for a family; 0 if the family does not allow it. */
char hk_staff_group(char family, const char *staff);
/* True if list (concatenated two-digit codes) contains code2. */
bool hk_code_list_has(const char *list, const char *code2);

#endif
