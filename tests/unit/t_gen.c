#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "tests/unit/harness.h"
#include "claims/db.h"
#include "claims/gen.h"
#include "claims/station.h"
#include "base/checkdigit.h"
#include "base/fileio.h"

TEST(gen_rng_seed_is_splitmix64)
{
	/* splitmix64 reference outputs for seed 1234567 (Vigna's splitmix64.c) */
	struct hk_rng g;
	hk_rng_seed(&g, 1234567);
	CHECK(g.s[0] == 6457827717110365317ULL);
	CHECK(g.s[1] == 3203168211198807973ULL);
}

TEST(gen_rng_below_in_range_and_spread)
{
	struct hk_rng g;
	int seen[10] = {0};
	hk_rng_seed(&g, 99);
	for (int i = 0; i < 10000; i++) {
		uint32_t v = hk_rng_below(&g, 10);
		CHECK(v < 10);
		seen[v]++;
	}
	for (int i = 0; i < 10; i++)
		CHECK(seen[i] > 850 && seen[i] < 1150);
}

static sqlite3 *gen_db(const char *name, uint64_t seed, long patients)
{
	struct hk_err err = {0};
	struct hk_station s;
	struct hk_gen_opts o = {seed, patients, 2024, 6, 1};
	struct hk_gen_stats st;
	sqlite3 *db = NULL;
	const char *path = hk_test_path(name);
	unlink(path);
	hk_gen_station(&s);
	if (hk_db_open(path, HK_DB_CREATE_NEW, &db, &err) < 0 || hk_station_insert(db, &s, &err) < 0 ||
	    hk_gen_month(db, &o, &st, &err) < 0) {
		fprintf(stderr, "gen_db: %s\n", err.msg);
		hk_db_close(db);
		return NULL;
	}
	return db;
}

/* SHA-256 over every row of the record tables, in rowid order. */
static void content_digest(sqlite3 *db, char hex[65])
{
	static const char *const q[] = {"SELECT * FROM patient ORDER BY id", "SELECT * FROM coverage ORDER BY id",
					"SELECT * FROM public_coverage ORDER BY id",
					"SELECT * FROM instruction ORDER BY id", "SELECT * FROM visit ORDER BY id"};
	struct hk_sha256 *h = hk_sha256_new();
	for (size_t k = 0; k < HK_ARRAY_LEN(q); k++) {
		sqlite3_stmt *st;
		sqlite3_prepare_v2(db, q[k], -1, &st, NULL);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				const unsigned char *t = sqlite3_column_text(st, c);
				hk_sha256_update(h, t ? (const char *)t : "\\N", t ? strlen((const char *)t) : 2);
				hk_sha256_update(h, "|", 1);
			}
		}
		sqlite3_finalize(st);
	}
	hk_sha256_final(h, hex);
}

TEST(gen_same_seed_same_content_other_seed_differs)
{
	char a[65], b[65], c[65];
	sqlite3 *d1 = gen_db("gen1.db", 5, 120), *d2 = gen_db("gen2.db", 5, 120), *d3 = gen_db("gen3.db", 6, 120);
	CHECK(d1 && d2 && d3);
	content_digest(d1, a);
	content_digest(d2, b);
	content_digest(d3, c);
	hk_db_close(d1);
	hk_db_close(d2);
	hk_db_close(d3);
	CHECK_STR(a, b);
	CHECK(strcmp(a, c) != 0);
}

static int count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;
	sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

TEST(gen_every_number_passes_its_check_digit)
{
	sqlite3 *db = gen_db("gen4.db", 11, 2000);
	sqlite3_stmt *st;
	int n = 0, bad = 0;
	CHECK(db);
	sqlite3_prepare_v2(db, "SELECT 'i', insurer FROM coverage UNION ALL SELECT 'k', number FROM coverage"
			       " WHERE kind = 'kouki' UNION ALL SELECT 'p', payer FROM public_coverage"
			       " UNION ALL SELECT 'r', recipient FROM public_coverage", -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		const char *num = (const char *)sqlite3_column_text(st, 1);
		const char *why = kind[0] == 'i' ? hk_validate_insurer(num)
				: kind[0] == 'k' ? hk_validate_kouki_insured(num)
				: kind[0] == 'p' ? hk_validate_payer(num) : hk_validate_recipient(num);
		n++;
		if (why) {
			if (bad++ < 3)
				printf("    %s %s: %s\n", kind, num, why);
		}
	}
	sqlite3_finalize(st);
	CHECK_INT(bad, 0);
	CHECK(n > 3000); /* ~2000 insurers + ~1300 後期 numbers + 公費 */
	/* the mix: 6-digit 国保, 後期 39, 公費 54/12 all present */
	CHECK(count(db, "SELECT count(*) FROM coverage WHERE length(insurer) = 6") > 50);
	CHECK(count(db, "SELECT count(*) FROM coverage WHERE insurer LIKE '39%'") > 1000);
	CHECK(count(db, "SELECT count(*) FROM public_coverage WHERE payer LIKE '54%'") > 50);
	CHECK(count(db, "SELECT count(*) FROM public_coverage WHERE payer LIKE '12%'") > 2);
	/* 2-4 visits a week outside 特別 periods: no patient averages more than 4.5 or under 1.5 a week */
	CHECK_INT(count(db, "SELECT count(*) FROM (SELECT v.patient_id, count(*) n FROM visit v"
			    " WHERE NOT EXISTS (SELECT 1 FROM instruction i WHERE i.patient_id = v.patient_id"
			    " AND i.kind IN ('02','04')) AND NOT EXISTS (SELECT 1 FROM patient p"
			    " WHERE p.id = v.patient_id AND p.death_date IS NOT NULL)"
			    " AND NOT EXISTS (SELECT 1 FROM instruction i WHERE i.patient_id = v.patient_id AND i.disease_flag = '01')"
			    " GROUP BY 1 HAVING n > 4.5 * 30 / 7 + 3 OR n < 1.5 * 30 / 7)"), 0);
	hk_db_close(db);
}
