/*
 * cmd_show.c - `houkan show [--master-dir DIR | --no-master] FILE`: prints a
 * RECEIPTH.UKE readably in UTF-8 (receipt/show.c).  KA names come from the
 * 訪問看護療養費マスター in force on each KA 算定年月日 (master/master.h); the
 * revision is loaded once, on the first KA line, and reloaded only if a later
 * date falls outside its span.  Reader diagnostics go to stderr.
 * Exit 0; 1 nothing in the file could be parsed; 2 usage; 3 unreadable.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "base/date.h"
#include "base/fileio.h"
#include "claims/cli.h"
#include "master/master.h"
#include "receipt/uke.h"

#define SHOW_MAX_DIAGS 20

struct names {
	const char *root;
	bool disabled;       /* --no-master, or loading failed once */
	struct hk_master *m;
};

static const char *ka_name(void *vctx, const char *code, const char *date8)
{
	struct names *n = vctx;
	const struct hk_master_item *it;
	struct hk_date on;
	struct hk_err err = { 0 };

	if (n->disabled || !hk_date_parse(date8, strlen(date8), &on))
		return NULL;
	if (n->m && !hk_master_covers(n->m, on)) {
		hk_master_free(n->m);
		n->m = NULL;
	}
	if (!n->m && hk_master_load(n->root, on, &n->m, &err) < 0) {
		fprintf(stderr, "houkan show: warning: %s; KA names are not shown\n", err.msg);
		n->disabled = true;
		return NULL;
	}
	it = hk_master_item(n->m, code, on);
	return it ? it->name : NULL;
}

struct diags {
	int n;
};

static void print_diag(void *vctx, const struct hk_diag *d)
{
	struct diags *c = vctx;

	if (c->n++ < SHOW_MAX_DIAGS)
		fprintf(stderr, "%s:%ld: %s: %s: %s\n", d->file, d->line,
			d->severity == HK_ERROR ? "error" : "warning", d->code, d->msg);
	else if (c->n == SHOW_MAX_DIAGS + 1)
		fprintf(stderr, "houkan show: further diagnostics not shown (run houkan check)\n");
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{"master-dir", required_argument, NULL, 'm'},
		{"no-master", no_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	struct names names = { NULL, false, NULL };
	struct diags diags = { 0 };
	struct hk_show_stats st;
	struct hk_err err = { 0 };
	const char *dir = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm': dir = optarg; break;
		case 'n': names.disabled = true; break;
		default: return hk_usage_error("show", "unknown option");
		}
	}
	if (argc - optind != 1)
		return hk_usage_error("show", "exactly one FILE is needed");
	names.root = hk_master_root(dir);
	rc = hk_uke_show(argv[optind], stdout, ka_name, &names, print_diag, &diags, &st, &err);
	hk_master_free(names.m);
	if (rc < 0) {
		hk_close_stdout();
		return hk_report("show", &err);
	}
	return hk_close_stdout();
}
