/*
 * t_check_fast.c - the shortcuts that make `houkan check` fast give the
 * answers of the long way: the reader's 16-byte field split against its
 * general loop, the master's 併算定背反 pair index against hk_master_exclusion(),
 * and the checker's memo of clean records against checking every record.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/harness.h"
#include "receipt/check.h"
#include "master/master.h"
#include "base/fileio.h"

struct split {
	int rc, nfields, ndiag;
	char fields[HK_MAX_FIELDS][64];
	char codes[8][24];
};

static void count_diag(void *ctx, const struct hk_diag *d)
{
	struct split *s = ctx;
	if (s->ndiag < 8)
		snprintf(s->codes[s->ndiag], sizeof(s->codes[0]), "%s:%d", d->code, d->field);
	s->ndiag++;
}

/* The first record of data (n bytes) as the reader splits it. */
static void split_first(const char *data, size_t n, struct split *s)
{
	struct hk_uke_reader *r;
	struct hk_uke_record rec;
	struct hk_err err = {0};

	memset(s, 0, sizeof(*s));
	r = hk_uke_open_mem(data, n, "t", HK_UKE_STRICT, count_diag, s);
	s->rc = hk_uke_next(r, &rec, &err);
	if (s->rc == 1) {
		s->nfields = rec.nfields;
		for (int i = 0; i < rec.nfields && i < HK_MAX_FIELDS; i++)
			snprintf(s->fields[i], sizeof(s->fields[i]), "%.*s", (int)rec.f[i].len,
				 (const char *)rec.f[i].p);
	}
	hk_uke_close(r);
}

/* A record followed by more records goes through the 16-byte split; the same
 * record as the last bytes of the input (its CR LF beyond the last whole
 * 16-byte block) through the general loop.  Both must agree, diagnostics
 * included. */
TEST(check_fast_split_same_as_general_loop)
{
	static const char *const recs[] = {
		"KA,20240603,1,510000110,,5550,03,01,01",
		"RE,1,6112,202406,\x8a\xc5\x8c\xec\x81\x40\x91\xbe\x98\x59,\xb6\xdd\xba\xde,1,19600101,,,,,,P000123,",
		"JS,\x93\xfa\x8f\xed\x90\xb6\x8a\x88\x93\xae\x8d\xec\x82\xc9\x88\xea\x95\x94\x89\xee\x8f\x95,03,,,",
		"AB\x82\xa0,\x82\xa0\x82\xa0\x82\xa0\x82\xa0\x82\xa0\x82\xa0\x82\xa0\x82\xa0,x",   /* 2-byte chars across blocks */
		"A,123456789012345\x82\xa0,y",     /* a lead byte at offset 15, its trail at 16 */
		"KA,\"20240603\",1,510000110,,5550,03,01,01", /* quote: general loop */
		"KA,20240603,1,510000110,,5550\t,03,01,01",   /* control byte */
		"KA,20240603,1,510000110,,5550,03,01,01\x87\x40", /* NEC row 13 */
		"KA,20240603,1,510000110,,5550,03,01,0\x82",  /* lead byte before CR */
		"KA,20240603,1,510000110,,5550,03,01,01\xff,z",
		"KA,2024\x1a" "0603,1,510000110,,5550,03,01,01",
		",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,", /* > HK_MAX_FIELDS */
		"",
	};
	char a[512], b[512];
	struct split fa, fb;

	for (size_t k = 0; k < sizeof(recs) / sizeof(recs[0]); k++) {
		size_t n = strlen(recs[k]), na, nb;
		memcpy(a, recs[k], n);
		static const char tail[] = "\r\nGO,padding-padding-padding\r\n\x1a";
		memcpy(a + n, tail, sizeof(tail) - 1);
		na = n + sizeof(tail) - 1;
		memcpy(b, recs[k], n);
		memcpy(b + n, "\r\n\x1a", 3);
		nb = n + 3;
		split_first(a, na, &fa);
		split_first(b, nb, &fb);
		CHECK_INT(fa.rc, 1);
		CHECK_INT(fb.rc, 1);
		CHECK_INT(fa.nfields, fb.nfields);
		CHECK_INT(fa.ndiag, fb.ndiag);
		for (int i = 0; i < fa.nfields && i < HK_MAX_FIELDS; i++)
			CHECK_STR(fa.fields[i], fb.fields[i]);
		for (int i = 0; i < fa.ndiag && i < 8; i++)
			CHECK_STR(fa.codes[i], fb.codes[i]);
	}
	/* the split itself, on the fast path */
	split_first("KA,20240603,1,510000110,,5550,03,01,01\r\nGO\r\n\x1a", 45, &fa);
	CHECK_INT(fa.nfields, 9);
	CHECK_STR(fa.fields[3], "510000110");
	CHECK_STR(fa.fields[4], "");
	CHECK_STR(fa.fields[8], "01");
	CHECK_INT(fa.ndiag, 0);
}

TEST(check_fast_master_may_exclude)
{
	struct hk_master *m = NULL;
	struct hk_err err = {0};
	struct hk_date on = {2024, 6, 10};
	size_t n, nyes = 0, nno = 0;

	if (hk_master_load("data/master", on, &m, &err) < 0) {
		printf("    cannot load data/master: %s\n", err.msg);
		CHECK(m != NULL);
	}
	n = hk_master_nitems(m);
	/* no row for the pair: no 併算定背反 answer on any date */
	for (size_t i = 0; i < n; i++) {
		const struct hk_master_item *a = hk_master_item_at(m, i);
		for (size_t j = 0; j < n; j++) {
			const struct hk_master_item *b = hk_master_item_at(m, j);
			if (hk_master_may_exclude(m, a, b)) {
				nyes++;
				continue;
			}
			nno++;
			for (int d = 1; d <= 30; d += 7) {
				struct hk_date day = {2024, 6, d};
				CHECK(hk_master_exclusion(m, a->code, b->code, day) == NULL);
			}
		}
	}
	/* every row whose two codes are items is in the index */
	for (size_t i = 0; i < hk_master_nrows(m, HK_MT_HAIHAN); i++) {
		const struct hk_master_exclusion *x = hk_master_exclusion_at(m, i);
		const struct hk_master_item *a = hk_master_item(m, x->code, on);
		const struct hk_master_item *b = hk_master_item(m, x->other, on);
		if (a && b)
			CHECK(hk_master_may_exclude(m, a, b));
	}
	CHECK(nyes > 0);
	CHECK(nno > nyes);
	/* hk_master_may_exclude_set(): the same answers, 64 items at a time
	 * (and an item that is no row of m: "may") */
	for (size_t i = 0; i < n; i++) {
		const struct hk_master_item *a = hk_master_item_at(m, i), *b[64];
		struct hk_master_item other = *a;
		uint32_t bc[64];
		CHECK(hk_master_code_index(m, &other) == HK_MASTER_ANY_CODE);
		for (size_t j0 = 0; j0 < n; j0 += 63) {
			size_t k, nb = 0;
			uint64_t bits;
			for (size_t j = j0; j < n && nb < 63; j++)
				b[nb++] = hk_master_item_at(m, j);
			b[nb++] = &other;
			for (k = 0; k < nb; k++)
				bc[k] = hk_master_code_index(m, b[k]);
			bits = hk_master_may_exclude_set(m, hk_master_code_index(m, a), bc, nb);
			for (k = 0; k + 1 < nb; k++)
				CHECK((bits >> k & 1) == hk_master_may_exclude(m, a, b[k]));
			CHECK(bits >> k & 1);
		}
		CHECK(hk_master_may_exclude_set(m, HK_MASTER_ANY_CODE, bc, 3) == 7);
	}
	hk_master_free(m);
}

static void count_codes(void *ctx, const struct hk_diag *d)
{
	long *n = ctx;
	if (strcmp(d->code, "E-KA-MASTER") == 0)
		n[0]++;
	else if (strcmp(d->code, "E-REC-FIELDS") == 0 && strcmp(d->rec, "KA") == 0)
		n[1]++;
	n[2]++;
}

/* A record checked once is remembered only when it was clean: the same bad
 * line in every receipt is reported every time. */
TEST(check_fast_memo_reports_every_receipt)
{
	char buf[8192];
	size_t o = 0;
	long n[3] = {0, 0, 0};
	struct hk_check_opts opt = {0};
	struct hk_check_stats st;
	struct hk_err err = {0};

	o += (size_t)snprintf(buf + o, sizeof(buf) - o,
			      "HM,1,13,6,1234567,\x83\x65\x83\x58\x83\x67,202407,03-0000-0000\r\n");
	for (int k = 1; k <= 3; k++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
				      "RE,%d,6112,202406,\x8a\xc5\x8c\xec\x81\x40\x91\xbe\x98\x59,,1,19600101,,,,,,P000123,\r\n"
				      "HO,06139992,\x82\x50\x82\x51\x82\x52,\x82\x53\x82\x54\x82\x55,1,5550,,,,,,\r\n"
				      "JD,1,,,1,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n"
				      "IH,13,1,0123456,\x83\x65\x83\x58\x83\x67,\x88\xe3\x8e\x74,\r\n"
				      "HJ,01,20240401,20240930\r\n"
				      "JS,\x83\x65\x83\x58\x83\x67,03,,,\r\n"
				      "SY,0000999,,\x83\x65\x83\x58\x83\x67,\r\n"
				      "RJ,20240401,01,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n"
				      "KA,20240603,1,599999999,,5550,03,01,01\r\n"
				      "KA,20240603,1,510000110,,5550,03,01,01,\r\n", k);
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "GO\r\n\x1a");
	opt.master_root = "data/master";
	CHECK_INT(hk_check_mem(buf, o, "t.UKE", &opt, count_codes, n, &st, &err), 0);
	CHECK_INT(st.receipts, 3);
	CHECK_INT(n[0], 3);          /* 599999999: not in the master, in each receipt */
	CHECK_INT(n[1], 3);          /* and the KA with a 10th field, each time */
	CHECK_INT(st.errors + st.warnings, n[2]);
}

/* Every diagnostic of a file, as one running hash, a count, the E-DATE count,
 * and whether each came on the thread that called hk_check_file(). */
struct diag_trace {
	unsigned long long hash;
	long n, ndate;
	pthread_t caller;
	bool other_thread;
};

static void trace_diag(void *ctx, const struct hk_diag *d)
{
	struct diag_trace *t = ctx;
	char line[768];
	int len = snprintf(line, sizeof(line), "%s:%ld:%s:%d:%d:%s:%s\n", d->file, d->line, d->rec,
			   d->field, (int)d->severity, d->code, d->msg);
	for (int i = 0; i < len && i < (int)sizeof(line); i++)
		t->hash = (t->hash ^ (unsigned char)line[i]) * 1099511628211ull;
	t->n++;
	if (strcmp(d->code, "E-DATE") == 0)
		t->ndate++;
	if (!pthread_equal(pthread_self(), t->caller))
		t->other_thread = true;
}

/* The records of a receipt before its KA lines: RE numbered no, patient key
 * P<key>, an HO of amount yen. */
static void put_receipt_head(FILE *f, int no, int key, int amount)
{
	fprintf(f, "RE,%d,6112,202406,\x8a\xc5\x8c\xec\x81\x40\x91\xbe\x98\x59,,1,19600101,,,,,,P%06d,\r\n"
		"HO,06139992,\x82\x50\x82\x51\x82\x52,\x82\x53\x82\x54\x82\x55,1,%d,,,,,,\r\n"
		"IH,13,1,0123456,\x83\x65\x83\x58\x83\x67,\x88\xe3\x8e\x74,\r\n"
		"HJ,01,20240401,20240930\r\n"
		"JS,\x83\x65\x83\x58\x83\x67,03,,,\r\n"
		"SY,0000999,,\x83\x65\x83\x58\x83\x67,\r\n"
		"RJ,20240401,01,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n",
		no, key, amount);
}

/* hk_check_file() reads a large file on a second thread (HOUKAN_CHECK_PIPE=1
 * forces it on any file): the callback gets the same diagnostics in the same
 * order, on the caller's thread, as when one thread does everything - over
 * many batches of receipts, and with one receipt of more diagnostics than a
 * batch holds (it moves to the next batch while it is being read). */
TEST(check_fast_pipe_same_as_one_thread)
{
	const char *path = hk_test_path("pipe.UKE");
	FILE *f = fopen(path, "wb");
	struct diag_trace one = {0}, two = {0};
	struct hk_check_opts opt = {0};
	struct hk_check_stats st1, st2;
	struct hk_err err = {0};
	int rc1, rc2;

	CHECK(f != NULL);
	fprintf(f, "HM,1,13,6,1234567,\x83\x65\x83\x58\x83\x67,202407,03-0000-0000\r\n");
	for (int k = 1; k <= 600; k++) {
		put_receipt_head(f, k == 77 ? 76 : k, k, k % 7 == 0 ? 16650 : 11100);
		for (int d = 3; d <= 24; d += 7)
			fprintf(f, "KA,202406%02d,1,510000110,,5550,03,01,01\r\n", d + (k % 3));
		if (k % 7 == 0) /* a second visit on a day, and a code the master does not have */
			fprintf(f, "KA,20240625,1,510000110,,5550,03,01,01\r\nKA,20240626,1,599999999,,0,03,01,01\r\n");
		if (k == 300) /* more diagnostics than one batch holds, in one receipt */
			for (int j = 0; j < 700; j++)
				fprintf(f, "KA,2024%04d,1,510000110,,0,03,01,01\r\n", 1300 + j % 50);
		if (k == 450)
			fprintf(f, "KA,20240601,1,510000110,,5550,03,01,01\r\n"); /* out of date order */
	}
	fprintf(f, "GO\r\n\x1a");
	CHECK(fclose(f) == 0);
	opt.master_root = "data/master";
	one.caller = two.caller = pthread_self();
	setenv("HOUKAN_CHECK_PIPE", "0", 1);
	rc1 = hk_check_file(path, &opt, trace_diag, &one, &st1, &err);
	setenv("HOUKAN_CHECK_PIPE", "1", 1);
	rc2 = hk_check_file(path, &opt, trace_diag, &two, &st2, &err);
	unsetenv("HOUKAN_CHECK_PIPE");
	CHECK_INT(rc1, 0);
	CHECK_INT(rc2, 0);
	CHECK_INT(st1.receipts, 600);
	CHECK_INT(one.ndate, 700);
	CHECK(one.n > 700 + 85 * 2);
	CHECK_INT(two.n, one.n);
	CHECK(two.hash == one.hash);
	CHECK_INT(st2.receipts, st1.receipts);
	CHECK_INT(st2.errors, st1.errors);
	CHECK_INT(st2.warnings, st1.warnings);
	CHECK(!two.other_thread);
}

/* A file read by two threads whose second half cannot take the first half's
 * word for its state (a bare LF in each half: E-LF is reported once per file,
 * an RE numbered out of turn at the boundary's side): the answers are still
 * those of one thread. */
TEST(check_fast_split_falls_back)
{
	const char *path = hk_test_path("split_back.UKE");
	struct hk_check_opts opt = {0};
	struct hk_check_stats st1, st2;
	struct hk_err err = {0};

	for (int variant = 0; variant < 2; variant++) {
		struct diag_trace one = {0}, two = {0};
		FILE *f = fopen(path, "wb");
		CHECK(f != NULL);
		fprintf(f, "HM,1,13,6,1234567,\x83\x65\x83\x58\x83\x67,202407,03-0000-0000\r\n");
		for (int k = 1; k <= 400; k++) {
			/* variant 0: a bare LF in each half; variant 1: every RE after
			 * the first quarter numbered one too high */
			int no = variant == 1 && k > 100 ? k + 1 : k;
			fprintf(f, "RE,%d,6112,202406,\x8a\xc5\x8c\xec\x81\x40\x91\xbe\x98\x59,,1,19600101,,,,,,P%06d,\r\n"
				"HO,06139992,\x82\x50\x82\x51\x82\x52,\x82\x53\x82\x54\x82\x55,1,5550,,,,,,%s"
				"IH,13,1,0123456,\x83\x65\x83\x58\x83\x67,\x88\xe3\x8e\x74,\r\n"
				"HJ,01,20240401,20240930\r\n"
				"JS,\x83\x65\x83\x58\x83\x67,03,,,\r\n"
				"SY,0000999,,\x83\x65\x83\x58\x83\x67,\r\n"
				"RJ,20240401,01,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n"
				"KA,20240603,1,510000110,,5550,03,01,01\r\n", no, k,
				variant == 0 && (k == 50 || k == 350) ? "\n" : "\r\n");
		}
		fprintf(f, "GO\r\n\x1a");
		CHECK(fclose(f) == 0);
		opt.master_root = "data/master";
		one.caller = two.caller = pthread_self();
		setenv("HOUKAN_CHECK_PIPE", "0", 1);
		CHECK_INT(hk_check_file(path, &opt, trace_diag, &one, &st1, &err), 0);
		setenv("HOUKAN_CHECK_PIPE", "1", 1);
		CHECK_INT(hk_check_file(path, &opt, trace_diag, &two, &st2, &err), 0);
		unsetenv("HOUKAN_CHECK_PIPE");
		CHECK(one.n >= 1);
		CHECK_INT(two.n, one.n);
		CHECK(two.hash == one.hash);
		CHECK_INT(st2.receipts, 400);
		CHECK_INT(st2.errors, st1.errors);
		CHECK(!two.other_thread);
	}
}

/* hk_check_receipt_mem() keeps its memos per thread across calls: the same
 * receipt, with diagnostics, checked again (memos warm), with another loaded
 * copy of the master, and on a new thread, is reported the same each time. */
struct rm_run {
	const char *data;
	size_t len;
	const struct hk_master *m;
	struct diag_trace t;
	int rc;
};

static void *receipt_once(void *arg)
{
	struct rm_run *r = arg;
	struct hk_check_opts o = {HK_UKE_STRICT, r->m, NULL};
	struct hk_check_stats st;
	struct hk_err err = {0};

	r->t.caller = pthread_self();
	r->rc = hk_check_receipt_mem(r->data, r->len, "r", "202407", 1, &o, trace_diag, &r->t, &st, &err);
	return NULL;
}

TEST(check_fast_receipt_memos_across_calls)
{
	static const char rec[] =
		"RE,1,6112,202406,\x8a\xc5\x8c\xec\x81\x40\x91\xbe\x98\x59,,1,19600101,,,,,,P000123,\r\n"
		"HO,06139992,\x82\x50\x82\x51\x82\x52,\x82\x53\x82\x54\x82\x55,1,16650,,,,,,\r\n"
		"IH,13,1,0123456,\x83\x65\x83\x58\x83\x67,\x88\xe3\x8e\x74,\r\n"
		"HJ,01,20240401,20240930\r\n"
		"JS,\x83\x65\x83\x58\x83\x67,03,,,\r\n"
		"SY,0000999,,\x83\x65\x83\x58\x83\x67,\r\n"
		"RJ,20240401,01,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n"
		"KA,20240603,1,510000110,,5550,03,01,01\r\n"
		"KA,20240603,1,510000110,,5550,03,01,01\r\n"
		"KA,20240604,1,599999999,,5550,03,01,01\r\n"
		"KA,20240602,1,510000110,,5550,,01,01\r\n";
	struct hk_master *m1 = NULL, *m2 = NULL;
	struct hk_err err = {0};
	struct hk_date d = {2024, 6, 1};
	struct rm_run runs[5];
	pthread_t th;

	CHECK_INT(hk_master_load("data/master", d, &m1, &err), 0);
	CHECK_INT(hk_master_load("data/master", d, &m2, &err), 0);
	memset(runs, 0, sizeof(runs));
	for (int i = 0; i < 5; i++) {
		runs[i].data = rec;
		runs[i].len = sizeof(rec) - 1;
		runs[i].m = i == 3 ? m2 : m1;
	}
	for (int i = 0; i < 4; i++)
		receipt_once(&runs[i]);
	CHECK(pthread_create(&th, NULL, receipt_once, &runs[4]) == 0);
	pthread_join(th, NULL);
	CHECK(runs[0].t.n >= 3); /* E-KA-MASTER, E-KA-ORDER, E-KA-SHOKUSHU, E-TOTAL ... */
	for (int i = 0; i < 5; i++) {
		CHECK_INT(runs[i].rc, 0);
		CHECK_INT(runs[i].t.n, runs[0].t.n);
		CHECK(runs[i].t.hash == runs[0].t.hash);
	}
	hk_master_free(m1);
	hk_master_free(m2);
}

/* A file's receipt stays in the reader's buffer while it is checked, and its
 * bytes move to the checker's arena only when the reader refills that buffer
 * (every 1 MiB): receipts that straddle a refill, each with diagnostics, and
 * one of them with its bad record cut by the refill, give the same diagnostics
 * as the same bytes checked in memory (no refill at all), and the same again
 * on two threads. */
TEST(check_fast_refill_same_as_memory)
{
	const char *path = hk_test_path("refill.UKE");
	FILE *f = fopen(path, "wb");
	struct diag_trace file1 = {0}, file2 = {0}, mem = {0};
	struct hk_check_opts opt = {0};
	struct hk_check_stats st1, st2, st3;
	struct hk_err err = {0};
	char *data = NULL;
	size_t len = 0;

	CHECK(f != NULL);
	fprintf(f, "HM,1,13,6,1234567,\x83\x65\x83\x58\x83\x67,202407,03-0000-0000\r\n");
	for (int k = 1; k <= 8000; k++) {
		put_receipt_head(f, k, k, 5550 * (1 + k % 5));
		/* 1 to 5 lines a receipt, so that the refills fall in different records */
		for (int d = 0; d < 1 + k % 5; d++)
			fprintf(f, "KA,202406%02d,1,510000110,,5550,03,01,01\r\n", 3 + 5 * d);
		/* in every receipt a bad line of its own: a code the master does not
		 * have, a day outside the month, or a field too many */
		if (k % 3 == 0)
			fprintf(f, "KA,20240626,1,5999%05d,,0,03,01,01\r\n", k);
		else if (k % 3 == 1)
			fprintf(f, "KA,202407%02d,1,510000110,,5550,03,01,01\r\n", 1 + k % 28);
		else
			fprintf(f, "KA,20240628,1,510000110,,5550,03,01,01,%d\r\n", k);
	}
	fprintf(f, "GO\r\n\x1a");
	CHECK(fclose(f) == 0);
	CHECK_INT(hk_read_file(path, &data, &len, (size_t)64 << 20, &err), 0);
	CHECK(len > (size_t)3 << 20); /* three refills at least */
	opt.master_root = "data/master";
	file1.caller = file2.caller = mem.caller = pthread_self();
	setenv("HOUKAN_CHECK_PIPE", "0", 1);
	CHECK_INT(hk_check_file(path, &opt, trace_diag, &file1, &st1, &err), 0);
	setenv("HOUKAN_CHECK_PIPE", "1", 1);
	CHECK_INT(hk_check_file(path, &opt, trace_diag, &file2, &st2, &err), 0);
	unsetenv("HOUKAN_CHECK_PIPE");
	CHECK_INT(hk_check_mem(data, len, path, &opt, trace_diag, &mem, &st3, &err), 0);
	CHECK_INT(st3.receipts, 8000);
	CHECK(mem.n >= 8000); /* every receipt has its own diagnostic */
	CHECK_INT(file1.n, mem.n);
	CHECK(file1.hash == mem.hash);
	CHECK_INT(file2.n, mem.n);
	CHECK(file2.hash == mem.hash);
	CHECK_INT(st1.receipts, st3.receipts);
	CHECK_INT(st1.errors, st3.errors);
	CHECK_INT(st2.errors, st3.errors);
	hk_free(data);
}
