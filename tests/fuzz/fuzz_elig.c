/*
 * fuzz_elig.c - libFuzzer target for the 資格確認 result reader
 * (switchover/eligibility_xml.c): any input must be parsed or refused with
 * an error, never crash, leak, read outside the input or load an entity.
 *
 * Build (clang 14, libclang-rt-14-dev), from the tree root:
 *   make BUILD=build/fuzz CC=clang CFLAGS="-g -O1 -fsanitize=fuzzer-no-link,address,undefined" build/fuzz/libhoukan.a
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. $(pkg-config --cflags libxml-2.0) \
 *     tests/fuzz/fuzz_elig.c build/fuzz/libhoukan.a $(pkg-config --libs libxml-2.0 openssl zlib sqlite3 libcurl) -lm \
 *     -o build/fuzz/fuzz_elig
 *   build/fuzz/fuzz_elig -max_total_time=60 -max_len=65536 tests/corpus/eligibility/good tests/corpus/eligibility/hostile
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "switchover/eligibility.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *ctx, struct hk_elig_result *r, struct hk_err *err)
{
	long *n = ctx;
	(void)err;
	/* every string the reader hands out is NUL-terminated within its field */
	if (strlen(r->insurer) > 8 || strlen(r->branch) > 2 || strlen(r->query_no) > HK_ELIG_QUERY_NO_MAX)
		abort();
	if (r->validity < 1 || r->validity > 5)
		abort();
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hk_err err = {0};
	struct hk_elig_file_info info;
	long n = 0;
	long loads = hk_elig_entity_loads();
	int rc = hk_elig_parse_memory("fuzz.xml", (const char *)data, size, count, &n, &info, &err);
	if (rc == 0 && n != info.results)
		abort();
	if (rc < 0 && err.msg[0] == 0)
		abort(); /* every refusal says why */
	if (hk_elig_entity_loads() != loads)
		abort(); /* the byte filter let an entity declaration through */
	return 0;
}
