/*
 * fuzz_returns.c - libFuzzer target for the result readers (switchover/
 * returns_hen.c, returns_csv.c): every input goes through the returned-file
 * reader, the 増減点連絡書 reader and the 振替・分割 reader (and the three
 * sniffers); each must parse it or refuse it with an error naming the input,
 * never crash, leak or read outside the input, and hand out only bounded,
 * NUL-terminated values.  `make fuzz` builds and runs it on the corpus
 * tests/corpus/returns (good and bad).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "switchover/returns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_hen(void *ctx, const struct hk_hen_receipt *r, struct hk_err *err)
{
	(void)ctx;
	(void)err;
	if (strlen(r->search_no) < 17 || strlen(r->search_no) > 30 || r->nreasons < 1 ||
	    r->nreasons > HK_HEN_MAX_REASONS || strlen(r->insurer) > 8 || r->data_len < 3 ||
	    memcmp(r->data, "RE,", 3) != 0)
		abort();
	for (int i = 0; i < r->nreasons; i++)
		if (strlen(r->reasons[i].code) == 0 || strlen(r->reasons[i].text) >= HK_RES_TEXT_MAX)
			abort();
	return 0;
}

static int on_item(void *ctx, const struct hk_res_item *it, struct hk_err *err)
{
	(void)ctx;
	(void)err;
	if (strlen(it->service_month) > 6 || strlen(it->search_no) > 30 || strlen(it->record_key) > 20 ||
	    strlen(it->insurer) > 8 || strlen(it->new_insurer) > 8 || strlen(it->split_date) > 10)
		abort();
	if (!it->search_no[0] && !it->record_key[0] && !(it->service_month[0] && it->receipt_no[0]))
		abort();
	return 0;
}

static void want_error(int rc, const struct hk_err *err)
{
	if (rc < 0 && (err->code != HK_EXIT_INPUT || strstr(err->msg, "fuzz") == NULL))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hk_hen_info hi;
	struct hk_res_info ri;
	struct hk_err err = {0};
	(void)hk_hen_sniff((const char *)data, size);
	(void)hk_zogen_sniff((const char *)data, size);
	(void)hk_furikae_sniff((const char *)data, size);
	want_error(hk_hen_parse_mem(data, size, "fuzz.HEN", on_hen, NULL, &hi, &err), &err);
	hk_err_clear(&err);
	want_error(hk_res_parse_mem(HK_LAYOUT_ZOGEN, data, size, "fuzz-zogen.csv", on_item, NULL, &ri, &err), &err);
	hk_err_clear(&err);
	want_error(hk_res_parse_mem(HK_LAYOUT_FURIKAE, data, size, "fuzz-furikae.csv", on_item, NULL, &ri, &err), &err);
	return 0;
}
