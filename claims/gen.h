/*
 * gen.h - `houkan gen`: a deterministic synthetic month of station records.
 *
 * Every value comes from the project's own PRNG (xoshiro256**, seeded per
 * patient through splitmix64 from --seed and the patient's index), never from
 * the C library's random functions or the clock, so the same seed, patient count and month give the same
 * rows in the same order (the same rowids).  The only time-dependent values
 * in the database are station.created and audit_log.at, which come from the
 * one clock (pin it with HOUKAN_NOW).
 *
 * All data is synthetic: names are drawn from short lists of common
 * surnames and given names, numbers are random bodies with a correct 検証番号.
 */
#ifndef HK_GEN_H
#define HK_GEN_H
#include <stdint.h>
#include <sqlite3.h>
#include "base/hk.h"
#include "claims/station.h"

#define HK_GEN_MAX_PATIENTS 5000000L   /* patient keys are G + 7 digits */

struct hk_gen_opts {
	uint64_t seed;
	long patients;
	int year, month;
	int fresh;          /* the database was just created: plain inserts (faster) */
};

struct hk_gen_stats {
	long patients, coverages, publics, instructions, visits;
};

/* The synthetic station written into a database gen creates. */
void hk_gen_station(struct hk_station *s);

/* Fills db (station row present) in one transaction. */
int hk_gen_month(sqlite3 *db, const struct hk_gen_opts *o, struct hk_gen_stats *st, struct hk_err *err);

/* The PRNG, exposed for tests. */
struct hk_rng { uint64_t s[4]; };
void hk_rng_seed(struct hk_rng *g, uint64_t seed);
uint64_t hk_rng_next(struct hk_rng *g);
/* Uniform in [0, n). */
uint32_t hk_rng_below(struct hk_rng *g, uint32_t n);

/* 施設基準 codes the synthetic station has notified (NULL-terminated). */
extern const char *const hk_gen_standards[];

#endif
