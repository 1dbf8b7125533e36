#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "claims/cli.h"
#include "claims/db.h"
#include "claims/station.h"

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"station-code", required_argument, NULL, 'c'},
		{"pref", required_argument, NULL, 'p'},
		{"name", required_argument, NULL, 'n'},
		{"phone", required_argument, NULL, 't'},
		{"mgmt-level", required_argument, NULL, 'l'},
		{"mgmt-daily", required_argument, NULL, 'y'},
		{"online-eligibility", no_argument, NULL, 'o'},
		{"special-area", no_argument, NULL, 's'},
		{"hold-unconfirmed", no_argument, NULL, 'u'},
		{"standard", required_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	struct hk_station s;
	struct hk_err err = {0};
	const char *path = NULL;
	const char *standards[32];
	int nstd = 0;
	sqlite3 *db;
	int c;
	memset(&s, 0, sizeof(s));
	s.mgmt_level = 3;
	s.mgmt_daily = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'c': hk_snprintf(s.code, sizeof(s.code), "%s", optarg); break;
		case 'p': hk_snprintf(s.pref, sizeof(s.pref), "%s", optarg); break;
		case 'n': hk_snprintf(s.name, sizeof(s.name), "%s", optarg); break;
		case 't': hk_snprintf(s.phone, sizeof(s.phone), "%s", optarg); break;
		case 'l': s.mgmt_level = (int)strtol(optarg, NULL, 10); break;
		case 'y': s.mgmt_daily = (int)strtol(optarg, NULL, 10); break;
		case 'o': s.online_elig = 1; break;
		case 's': s.special_area = 1; break;
		case 'u': s.hold_unconfirmed = 1; break;
		case 'S':
			if (nstd == (int)HK_ARRAY_LEN(standards))
				return hk_usage_error("init", "at most %d --standard options", (int)HK_ARRAY_LEN(standards));
			standards[nstd++] = optarg;
			break;
		default: return hk_usage_error("init", "unknown option");
		}
	}
	if (optind != argc)
		return hk_usage_error("init", "unexpected argument '%s'", argv[optind]);
	if (!path || !s.code[0] || !s.pref[0] || !s.name[0])
		return hk_usage_error("init", "--db, --station-code, --pref and --name are required");
	if (hk_station_validate(&s, &err) < 0)
		return hk_usage_error("init", "%s", err.msg);
	if (hk_db_open(path, HK_DB_CREATE_NEW, &db, &err) < 0)
		return hk_report("init", &err);
	{
		int bad = hk_db_begin(db, &err) < 0 || hk_station_insert(db, &s, &err) < 0;
		for (int i = 0; !bad && i < nstd; i++)
			bad = hk_station_add_standard(db, standards[i], "2000-01-01", NULL, &err) < 0;
		if (bad)
			goto fail;
	}
	if (hk_audit(db, "init", NULL, NULL, "ok", &err) < 0 || hk_db_commit(db, &err) < 0) {
fail:
		hk_db_rollback(db);
		hk_db_close(db);
		unlink(path);
		if (err.code == HK_EXIT_INPUT)
			return hk_usage_error("init", "%s", err.msg);
		return hk_report("init", &err);
	}
	hk_db_close(db);
	printf("created station database %s (station %s, schema %d)\n", path, s.code, hk_db_schema_version());
	return HK_EXIT_OK;
}
