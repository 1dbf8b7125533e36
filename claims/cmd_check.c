/*
 * cmd_check.c - `houkan check [--format=text|json] [--tolerant]
 * [--master-dir DIR | --no-master] FILE...`: runs receipt/check.h on each
 * file and prints one diagnostic per line, then a summary (docs/check-codes.md).
 * Exit 0 no errors, 1 errors, 2 usage, 3 a file could not be read.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "claims/cli.h"
#include "base/fileio.h"
#include "master/master.h"
#include "receipt/check.h"

struct out {
	bool json;
};

static void json_str(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void print_diag(void *ctx, const struct hk_diag *d)
{
	const struct out *o = ctx;
	const char *sev = d->severity == HK_ERROR ? "error" : "warning";

	if (o->json) {
		printf("{\"file\":");
		json_str(d->file ? d->file : "");
		printf(",\"line\":%ld,\"record\":", d->line);
		json_str(d->rec);
		printf(",\"field\":%d,\"severity\":\"%s\",\"code\":", d->field, sev);
		json_str(d->code);
		printf(",\"message\":");
		json_str(d->msg);
		printf("}\n");
		return;
	}
	printf("%s:%ld: ", d->file ? d->file : "", d->line);
	if (d->rec[0] && d->field > 0)
		printf("%s[%d]: ", d->rec, d->field);
	else if (d->rec[0])
		printf("%s: ", d->rec);
	else if (d->field > 0)
		printf("[%d]: ", d->field);
	printf("%s: %s: %s\n", sev, d->code, d->msg);
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"tolerant", no_argument, NULL, 't'},
		{"master-dir", required_argument, NULL, 'm'},
		{"no-master", no_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	struct hk_check_opts co;
	struct hk_check_stats st, total;
	struct out o = {false};
	const char *master_dir = NULL;
	bool no_master = false, io_failed = false;
	int c, rc;

	if (hk_wants_help("check", argc, argv))
		return HK_EXIT_OK;
	memset(&co, 0, sizeof(co));
	memset(&total, 0, sizeof(total));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") == 0)
				o.json = true;
			else if (strcmp(optarg, "text") != 0)
				return hk_usage_error("check", "--format must be text or json, not '%s'", optarg);
			break;
		case 't': co.reader_flags = HK_UKE_TOLERANT; break;
		case 'm': master_dir = optarg; break;
		case 'n': no_master = true; break;
		default: return hk_usage_error("check", "unknown option");
		}
	}
	if (optind >= argc)
		return hk_usage_error("check", "no FILE given");
	if (!no_master)
		co.master_root = hk_master_root(master_dir);
	for (int i = optind; i < argc; i++) {
		struct hk_err err = {0};
		if (hk_check_file(argv[i], &co, print_diag, &o, &st, &err) < 0) {
			hk_report("check", &err);
			io_failed = true;
		}
		total.receipts += st.receipts;
		total.errors += st.errors;
		total.warnings += st.warnings;
	}
	if (o.json)
		printf("{\"summary\":true,\"files\":%d,\"receipts\":%ld,\"errors\":%ld,\"warnings\":%ld}\n",
		       argc - optind, total.receipts, total.errors, total.warnings);
	else
		printf("checked %ld receipts: %ld errors, %ld warnings\n", total.receipts, total.errors,
		       total.warnings);
	rc = io_failed ? HK_EXIT_IO : total.errors ? HK_EXIT_INPUT : HK_EXIT_OK;
	if (hk_close_stdout() != 0)
		rc = HK_EXIT_IO;
	return rc;
}
