/*
 * cmd_master.c - `houkan master`: show the 訪問看護療養費マスター in force on a
 * date (docs/master.md).  Exit 0 ok, 1 unknown code / no match, 2 usage,
 * 3 the master cannot be loaded.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "claims/cli.h"
#include "base/clock.h"
#include "base/date.h"
#include "master/master.h"

#define LIST_MAX 512   /* rows printed per relation (the largest has ~130) */

static const char *amount_kind_name(int k)
{
	switch (k) {
	case HK_AMOUNT_NONE: return "新設";
	case HK_AMOUNT_YEN: return "金額";
	case HK_AMOUNT_POINTS: return "点数";
	case HK_AMOUNT_PERCENT: return "％加算";
	}
	return "?";
}

static const char *excl_kind_name(int k)
{
	switch (k) {
	case HK_EX_CODE_NOT: return "算定不可";
	case HK_EX_CODE_OK: return "算定可";
	case HK_EX_EITHER: return "どちらか一方算定可";
	}
	return "?";
}

static const char *excl_scope_name(int s)
{
	switch (s) {
	case HK_EXS_DAY: return "1日につき";
	case HK_EXS_MONTH: return "同一月";
	case HK_EXS_SAME_TIME: return "同時";
	case HK_EXS_WEEK: return "暦週";
	}
	return "?";
}

static void print_span(struct hk_date from, struct hk_date to)
{
	char a[11], b[11];
	hk_date_fmt10(from, a);
	if (to.y == 9999 && to.m == 12 && to.d == 31) {
		printf("%s –", a);
	} else {
		hk_date_fmt10(to, b);
		printf("%s – %s", a, b);
	}
}

static void print_summary(const struct hk_master *m)
{
	const struct hk_master_info *in = hk_master_info(m);
	char d[11];
	hk_date_fmt10(in->effective, d);
	printf("master:    %s\n", in->dir);
	printf("effective: %s", d);
	if (in->has_next) {
		hk_date_fmt10(in->next, d);
		printf(" (until the next revision, %s)\n", d);
	} else {
		printf(" (no later revision)\n");
	}
	printf("version:   %s\n", in->version);
	for (int t = 0; t < HK_MT_COUNT; t++)
		printf("  %-42s %5zu rows  %s  %s\n", hk_master_file_name((enum hk_master_table)t), in->rows[t],
		       in->file_sha256[t], hk_master_table_name((enum hk_master_table)t));
}

static void print_item(const struct hk_master *m, const struct hk_master_item *it, struct hk_date on)
{
	const struct hk_master_limit *lim[LIST_MAX];
	const struct hk_master_exclusion *ex[LIST_MAX];
	const struct hk_master_facility *fac[LIST_MAX];
	const struct hk_master_addon *add[LIST_MAX];
	char amt[32];
	size_t n;

	printf("%s  %s\n", it->code, it->name);
	if (strcmp(it->short_name, it->name) != 0)
		printf("  省略名称:   %s\n", it->short_name);
	hk_master_fmt_amount(it->amount_kind, it->amount_x100, amt, sizeof(amt));
	printf("  金額:       %s (金額識別 %d %s)\n", amt, it->amount_kind, amount_kind_name(it->amount_kind));
	printf("  区分:       %02d-%d-%02d  種類 %02d  表示 %02d/%02d/%03d\n", it->kubun, it->edaban,
	       it->kouban, it->fee_kind, it->disp_col, it->disp_item, it->disp_seq);
	printf("  有効:       ");
	print_span(it->valid_from, it->valid_to);
	printf(" (変更区分 %d)\n", it->change);
	printf("  職種等:     ");
	if (it->nstaff == 0)
		printf("- (職種等 not recorded)");
	for (int k = 0; k < it->nstaff; k++)
		printf("%s%s", k ? " " : "", it->staff[k]);
	printf("\n");
	printf("  同日訪問回数: 実施回数区分 %d%s\n", it->visit_count_kind,
	       it->visit_count_kind == 0 ? " (not recorded)" :
	       it->visit_count_kind == 1 ? " (01–03)" : it->visit_count_kind == 2 ? " (02)" : " (03)");
	printf("  指示区分:   訪問看護指示区分 %d, 特別訪問看護指示区分 %d\n", it->instr_kind, it->special_instr_kind);
	if (it->data_std)
		printf("  数量データ: データ規格コード %d %s\n", it->data_std, it->data_std_name);
	if (it->step_calc)
		printf("  きざみ:     %ld–%ld, +%ld per %ld\n", it->step_lower, it->step_upper,
		       it->step_amount_x100 / 100, it->step_unit);
	if (it->age_min)
		printf("  下限年齢:   age >= %d\n", it->age_min);
	if (it->age_max)
		printf("  上限年齢:   age < %d\n", it->age_max);
	if (it->kouki)
		printf("  後期高齢者医療適用区分: %d%s\n", it->kouki, it->kouki == 1 ? " (医療保険 only)" : " (後期高齢者医療 only)");
	if (it->kansatsu)
		printf("  医療観察法対象: yes\n");
	if (it->standalone)
		printf("  加算単独算定: yes\n");

	n = hk_master_limits(m, it->code, on, lim, LIST_MAX);
	for (size_t i = 0; i < n && i < LIST_MAX; i++)
		printf("  算定回数限度: %d per %s (算定単位 %d)%s\n", lim[i]->max, lim[i]->unit_name, lim[i]->unit,
		       lim[i]->error_kind ? " 上限回数を算定" : "");
	n = hk_master_facilities(m, it->code, on, fac, LIST_MAX);
	for (size_t i = 0; i < n && i < LIST_MAX; i++)
		printf("  施設基準:   %04d (group %s, 識別 %s)\n", fac[i]->facility, fac[i]->group, fac[i]->ident);
	if (strcmp(it->addon_group, "0000") != 0) {
		n = hk_master_addons(m, it->addon_group, on, add, LIST_MAX);
		printf("  加算グループ %s: %zu add-ons\n", it->addon_group, n);
		for (size_t i = 0; i < n && i < LIST_MAX; i++)
			printf("    加算識別 %02d  %s  %s\n", add[i]->ident, add[i]->code, add[i]->short_name);
	}
	n = hk_master_exclusions(m, it->code, on, ex, LIST_MAX);
	if (n)
		printf("  併算定背反: %zu\n", n);
	for (size_t i = 0; i < n && i < LIST_MAX; i++)
		printf("    %s  %s  %s%s  %s\n", excl_scope_name(ex[i]->scope), excl_kind_name(ex[i]->kind),
		       ex[i]->other, ex[i]->special ? " (特例条件あり)" : "", ex[i]->other_name);
	if (n > LIST_MAX)
		printf("    ... %zu more\n", n - LIST_MAX);
}

int cmd_master(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"master-dir", required_argument, NULL, 'd'},
		{"date", required_argument, NULL, 't'},
		{"search", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = NULL, *search = NULL;
	struct hk_date on = hk_date_from_unix_jst(hk_clock_now());
	struct hk_master *m = NULL;
	struct hk_err err = {0};
	int c, rc = HK_EXIT_OK;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 't':
			if (!hk_date_parse(optarg, strlen(optarg), &on))
				return hk_usage_error("master", "--date '%s' is not a date (YYYY-MM-DD)", optarg);
			break;
		case 's':
			search = optarg;
			if (!*search)
				return hk_usage_error("master", "--search needs some text");
			break;
		default:
			return hk_usage_error("master", "unknown option");
		}
	}
	if (search && optind < argc)
		return hk_usage_error("master", "give either --search or CODEs, not both");
	for (int i = optind; i < argc; i++)
		if (strlen(argv[i]) != HK_MASTER_CODE_LEN || strspn(argv[i], "0123456789") != HK_MASTER_CODE_LEN)
			return hk_usage_error("master", "'%s' is not a 9-digit 訪問看護療養費コード", argv[i]);

	if (hk_master_load(hk_master_root(dir), on, &m, &err) < 0) {
		/* a malformed master is as unusable as a missing one: exit 3 either way */
		hk_report("master", &err);
		return HK_EXIT_IO;
	}

	if (search) {
		const struct hk_master_item *hits[LIST_MAX];
		size_t n = hk_master_search(m, search, on, hits, LIST_MAX);
		char amt[32];
		for (size_t i = 0; i < n && i < LIST_MAX; i++) {
			hk_master_fmt_amount(hits[i]->amount_kind, hits[i]->amount_x100, amt, sizeof(amt));
			printf("%s  %10s  %s\n", hits[i]->code, amt, hits[i]->name);
		}
		if (n == 0) {
			fprintf(stderr, "houkan master: no item valid on that date matches '%s'\n", search);
			rc = HK_EXIT_INPUT;
		}
	} else if (optind == argc) {
		print_summary(m);
	} else {
		char d[11];
		hk_date_fmt10(on, d);
		for (int i = optind; i < argc; i++) {
			const struct hk_master_item *it = hk_master_item(m, argv[i], on);
			if (!it) {
				fprintf(stderr, "houkan master: %s: no such 訪問看護療養費コード valid on %s in %s\n",
					argv[i], d, hk_master_info(m)->version);
				rc = HK_EXIT_INPUT;
				continue;
			}
			if (i > optind)
				printf("\n");
			print_item(m, it, on);
		}
	}
	hk_master_free(m);
	return rc;
}
