/*
 * cmd_gen.c - houkan gen --db DB --seed N --patients P --month YYYY-MM
 * Creates DB with the synthetic station if it does not exist, then fills it
 * (claims/gen.c).
 */
#include <errno.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "claims/cli.h"
#include "claims/db.h"
#include "claims/gen.h"
#include "claims/station.h"
#include "base/date.h"

static int parse_num(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *out > max ? -1 : 0;
}

int cmd_gen(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"seed", required_argument, NULL, 's'},
		{"patients", required_argument, NULL, 'p'},
		{"month", required_argument, NULL, 'm'},
		{NULL, 0, NULL, 0},
	};
	struct hk_gen_opts o;
	struct hk_gen_stats st;
	struct hk_err err = {0};
	const char *path = NULL, *seed = NULL, *patients = NULL, *month = NULL;
	unsigned long long n;
	struct stat sb;
	sqlite3 *db = NULL;
	int c, rc;
	memset(&o, 0, sizeof(o));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 's': seed = optarg; break;
		case 'p': patients = optarg; break;
		case 'm': month = optarg; break;
		default: return hk_usage_error("gen", "unknown option");
		}
	}
	if (optind != argc)
		return hk_usage_error("gen", "unexpected argument '%s'", argv[optind]);
	if (!path || !seed || !patients || !month)
		return hk_usage_error("gen", "--db, --seed, --patients and --month are required");
	if (parse_num(seed, UINT64_MAX, &n) < 0)
		return hk_usage_error("gen", "--seed: '%s' is not a whole number 0-%llu", seed,
				      (unsigned long long)UINT64_MAX);
	o.seed = n;
	if (parse_num(patients, HK_GEN_MAX_PATIENTS, &n) < 0 || n == 0)
		return hk_usage_error("gen", "--patients: '%s' is not a number 1-%ld (HK_GEN_MAX_PATIENTS)",
				      patients, HK_GEN_MAX_PATIENTS);
	o.patients = (long)n;
	if (strlen(month) != 7 || month[4] != '-' || !hk_month_parse(month, 7, &o.year, &o.month))
		return hk_usage_error("gen", "--month: '%s' is not YYYY-MM", month);

#ifdef __GLIBC__
	/* SQLite's page cache grows by small allocations; without these glibc
	 * returns memory to the kernel and faults it back in all the time,
	 * which halves gen's speed (measured: 15.7 s -> 8.7 s for 100,000 patients). */
	mallopt(M_TOP_PAD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
	o.fresh = stat(path, &sb) != 0;
	if (o.fresh) {
		struct hk_station s;
		hk_gen_station(&s);
		if (hk_db_open(path, HK_DB_CREATE_NEW, &db, &err) < 0)
			return hk_report("gen", &err);
		int bad = hk_db_begin(db, &err) < 0 || hk_station_insert(db, &s, &err) < 0;
		for (int i = 0; !bad && hk_gen_standards[i]; i++)
			bad = hk_station_add_standard(db, hk_gen_standards[i], "2000-01-01", NULL, &err) < 0;
		if (bad || hk_db_commit(db, &err) < 0) {
			hk_db_rollback(db);
			hk_db_close(db);
			unlink(path);
			return hk_report("gen", &err);
		}
	} else if (hk_db_open(path, HK_DB_OPEN_EXISTING, &db, &err) < 0) {
		return hk_report("gen", &err);
	}
	if (hk_gen_month(db, &o, &st, &err) < 0) {
		rc = hk_report("gen", &err);
		hk_db_close(db);
		if (o.fresh) /* do not leave a half-made database behind */
			unlink(path);
		return rc;
	}
	hk_db_close(db);
	printf("generated %s (seed %llu, month %04d-%02d): %ld patients, %ld coverages, %ld 公費, "
	       "%ld instructions, %ld visits\n", path, (unsigned long long)o.seed, o.year, o.month,
	       st.patients, st.coverages, st.publics, st.instructions, st.visits);
	return HK_EXIT_OK;
}
