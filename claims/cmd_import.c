/*
 * cmd_import.c - houkan import --db DB {patients|coverages|instructions|visits} FILE.csv
 * The library (claims/import.c) validates and writes; this prints.
 */
#include <getopt.h>
#include <stdio.h>
#include "claims/cli.h"
#include "claims/db.h"
#include "claims/import.h"

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	struct hk_import_result res;
	struct hk_err err = {0};
	enum hk_import_kind kind;
	const char *path = NULL, *file;
	sqlite3 *db = NULL;
	int c, rc;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		default: return hk_usage_error("import", "unknown option");
		}
	}
	if (!path)
		return hk_usage_error("import", "--db is required");
	if (argc - optind != 2)
		return hk_usage_error("import", "expected a kind and one FILE.csv");
	if (hk_import_kind_parse(argv[optind], &kind) < 0)
		return hk_usage_error("import", "unknown kind '%s' (patients, coverages, instructions or visits)",
				      argv[optind]);
	file = argv[optind + 1];
	if (hk_db_open(path, HK_DB_OPEN_EXISTING, &db, &err) < 0)
		return hk_report("import", &err);
	hk_import_result_init(&res);
	rc = hk_import_file(db, kind, file, file, &res, &err);
	if (res.diag.len)
		fputs(hk_buf_cstr(&res.diag), stderr);
	if (rc < 0) {
		rc = hk_report("import", &err);
	} else {
		printf("imported %s (%s): %ld rows: %ld added, %ld updated, %ld unchanged%s\n", file,
		       hk_import_kind_name(kind), res.rows, res.added, res.updated, res.unchanged,
		       res.warnings ? " (with warnings)" : "");
		rc = HK_EXIT_OK;
	}
	hk_import_result_free(&res);
	hk_db_close(db);
	return rc;
}
