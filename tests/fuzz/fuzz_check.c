/*
 * fuzz_check.c - libFuzzer target: any bytes through the streaming reader
 * (hk_uke_open_mem) and every rule of the checker, with the master loaded once
 * (from $HOUKAN_MASTER_DIR/20240601, else data/master/20240601) so the KA
 * master rules run too.  Built and run by `make fuzz` (FUZZ_SECONDS).
 * Crashes found become files of tests/corpus/check/ with a test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "receipt/check.h"
#include "master/master.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(void *ctx, const struct hk_diag *d)
{
	size_t *n = ctx;
	/* touch every field the command prints */
	*n += (size_t)d->line + (size_t)d->field + d->msg[0] + d->code[0] + d->rec[0];
}

static struct hk_master *master(void)
{
	static struct hk_master *m;
	static int tried;
	if (!tried) {
		struct hk_err err = {0};
		char dir[HK_MAX_PATH];
		const char *root = getenv("HOUKAN_MASTER_DIR");
		tried = 1;
		hk_snprintf(dir, sizeof(dir), "%s/20240601", root && *root ? root : "data/master");
		if (hk_master_load_dir(dir, &m, &err) < 0)
			fprintf(stderr, "fuzz_check: no master (%s); master rules not fuzzed\n", err.msg);
	}
	return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hk_check_opts o = {HK_UKE_STRICT, master(), NULL};
	struct hk_check_stats st;
	struct hk_err err = {0};
	size_t n = 0;

	hk_check_mem(data, size, "fuzz", &o, sink, &n, &st, &err);
	o.reader_flags = HK_UKE_TOLERANT;
	hk_check_mem(data, size, "fuzz", &o, sink, &n, &st, &err);
	if (size > 0 && data[0] == 'R') /* the claim-run entry point */
		hk_check_receipt_mem(data, size, "fuzz", "202407", 1, &o, sink, &n, &st, &err);
	return 0;
}
