/*
 * t_check_receipt.c - hk_check_receipt_mem(), the claim run's check of one
 * receipt, keeps per-thread state across calls (memos, its batch, a reader
 * that reads the receipt in place): a receipt is reported the same whatever
 * the thread checked before it, and the in-place reader says what the reader
 * of a copy with 0x1A appended says.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/harness.h"
#include "receipt/check.h"
#include "receipt/check_int.h"
#include "master/master.h"

/* every diagnostic, in order, as one string (and how many) */
struct rc_trace {
	struct hk_buf text;
	long n;
};

static void rc_diag(void *ctx, const struct hk_diag *d)
{
	struct rc_trace *t = ctx;
	char line[1024];
	struct hk_err err;
	int len = snprintf(line, sizeof(line), "%s:%ld:%s:%d:%d:%s:%s\n", d->file, d->line, d->rec,
			   d->field, (int)d->severity, d->code, d->msg);

	if (len > 0)
		(void)hk_buf_add(&t->text, line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1,
				 &err);
	t->n++;
}

struct rc_job {
	const struct hk_master *m;
	const char *data;
	size_t len;
	int rc;
	struct hk_check_stats st;
	struct rc_trace t;
};

static void rc_check(struct rc_job *j)
{
	struct hk_check_opts o = {HK_UKE_STRICT, j->m, NULL};
	struct hk_err err = {0};

	hk_buf_init(&j->t.text, 0, NULL);
	j->t.n = 0;
	j->rc = hk_check_receipt_mem(j->data, j->len, "P000123", "202407", 1, &o, rc_diag, &j->t, &j->st,
				     &err);
}

static void *rc_thread(void *arg)
{
	rc_check(arg);
	return NULL;
}

/* j checked on a thread of its own (cold memos) */
static void rc_check_fresh(struct rc_job *j)
{
	pthread_t th;

	if (pthread_create(&th, NULL, rc_thread, j) != 0) {
		j->rc = -99;
		return;
	}
	pthread_join(th, NULL);
}

static bool rc_same(const struct rc_job *a, const struct rc_job *b)
{
	return a->rc == b->rc && a->t.n == b->t.n && a->t.text.len == b->t.text.len &&
	       (a->t.text.len == 0 || memcmp(a->t.text.data, b->t.text.data, a->t.text.len) == 0) &&
	       a->st.errors == b->st.errors && a->st.warnings == b->st.warnings &&
	       a->st.receipts == b->st.receipts;
}

static const char good_receipt[] =
	"RE,1,6112,202406,\x8a\xc5\x8c\xec\x81\x40\x91\xbe\x98\x59,,1,19600101,,,,,,P000123,\r\n"
	"HO,06139992,\x82\x50\x82\x51\x82\x52,\x82\x53\x82\x54\x82\x55,1,5550,,,,,,\r\n"
	"IH,13,1,0123456,\x83\x65\x83\x58\x83\x67,\x88\xe3\x8e\x74,\r\n"
	"HJ,01,20240401,20240930\r\n"
	"JS,\x83\x65\x83\x58\x83\x67,03,,,\r\n"
	"SY,0000999,,\x83\x65\x83\x58\x83\x67,\r\n"
	"RJ,20240401,01,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n"
	"KA,20240603,1,510000110,,5550,03,01,01\r\n";

/* errors of the receipt rules, the record rules and the master rules */
static const char bad_receipt[] =
	"RE,1,6112,202406,\x8a\xc5\x8c\xec\x81\x40\x91\xbe\x98\x59,,1,19600101,,,,,,P000123,\r\n"
	"HO,06139992,\x82\x50\x82\x51\x82\x52,\x82\x53\x82\x54\x82\x55,1,16650,,,,,,\r\n"
	"IH,13,1,0123456,\x83\x65\x83\x58\x83\x67,\x88\xe3\x8e\x74,\r\n"
	"HJ,01,20240431,20240930\r\n"
	"JS,\x83\x65\x83\x58\x83\x67,99,,,\r\n"
	"SY,0000999,,\x83\x65\x83\x58\x83\x67,\r\n"
	"RJ,20240401,01,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n"
	"KA,20240603,1,510000110,,5550,03,01,01\r\n"
	"KA,20240603,1,510000110,,5550,03,01,01\r\n"
	"KA,20240604,1,599999999,,5550,03,01,01\r\n"
	"KA,20240602,1,510000110,,5550,,01,01\r\n";

/* reader-level errors: a quote, a bare CR, a 0x1A inside a record, no CR LF at the end */
static const char odd_receipt[] =
	"RE,1,6112,202406,\x8a\xc5\x8c\xec\x81\x40\x91\xbe\x98\x59,,1,19600101,,,,,,P000123,\r\n"
	"HO,06139992,\"\x82\x50\x82\x51\x82\x52,\x82\x53\x82\x54\x82\x55,1,16650,,,,,,\r"
	"IH,13,1,0123456,\x83\x65\x83\x58\x83\x67,\x88\xe3\x8e\x74,\r\n"
	"HJ,01,2024\x1a" "0401,20240930\r\n"
	"KA,20240603,1,510000110,,5550,03,01,01";

TEST(check_receipt_bad_good_bad_same_as_fresh_thread)
{
	static const char *const seq[] = {bad_receipt, good_receipt, bad_receipt, odd_receipt, good_receipt,
					  odd_receipt, bad_receipt};
	enum { N = sizeof(seq) / sizeof(seq[0]) };
	struct hk_master *m = NULL;
	struct hk_err err = {0};
	struct hk_date d = {2024, 6, 1};
	struct rc_job warm[N], fresh[N];

	CHECK_INT(hk_master_load("data/master", d, &m, &err), 0);
	memset(warm, 0, sizeof(warm));
	memset(fresh, 0, sizeof(fresh));
	for (int i = 0; i < N; i++) {
		warm[i].m = fresh[i].m = m;
		warm[i].data = fresh[i].data = seq[i];
		warm[i].len = fresh[i].len = strlen(seq[i]);
	}
	/* one after another on this thread, each on a new thread */
	for (int i = 0; i < N; i++)
		rc_check(&warm[i]);
	for (int i = 0; i < N; i++)
		rc_check_fresh(&fresh[i]);
	/* the fixtures do what they are for */
	CHECK(warm[0].st.errors >= 3);
	CHECK(strstr((const char *)warm[0].t.text.data, "E-DATE") != NULL);
	CHECK_INT(warm[1].st.errors, 0);
	CHECK(strstr((const char *)warm[3].t.text.data, "E-QUOTE") != NULL);
	CHECK(strstr((const char *)warm[3].t.text.data, "E-CR") != NULL);
	CHECK(strstr((const char *)warm[3].t.text.data, "E-EOF-POS") != NULL);
	CHECK(strstr((const char *)warm[3].t.text.data, "E-TRUNCATED") != NULL);
	for (int i = 0; i < N; i++) {
		CHECK_INT(warm[i].rc, 0);
		CHECK(rc_same(&warm[i], &fresh[i]));
	}
	/* the same receipt, the same report, wherever it came in the sequence */
	CHECK(rc_same(&warm[0], &warm[2]));
	CHECK(rc_same(&warm[0], &warm[6]));
	CHECK(rc_same(&warm[1], &warm[4]));
	CHECK(rc_same(&warm[3], &warm[5]));
	for (int i = 0; i < N; i++) {
		hk_buf_free(&warm[i].t.text);
		hk_buf_free(&fresh[i].t.text);
	}
	hk_master_free(m);
}

/* A mutant of src (n bytes) in out (cap bytes): one to four edits - a byte
 * replaced by a separator, a control byte, a quote, bad or NEC Shift_JIS, a
 * digit; a byte deleted; a record deleted or duplicated. */
static size_t rc_mutant(const char *src, size_t n, char *out, size_t cap, unsigned long long *seed)
{
	static const char *const special[] = {",", "\r", "\n", "\r\n", "\x1a", "\"", "\x82", "\x87\x40",
					      "\xff", " ", "0", "9", "A", "\x81\x40", "\x83\x41", "\t"};
	size_t len = n < cap ? n : cap;
	int edits;

	memcpy(out, src, len);
#define RND() (*seed = *seed * 6364136223846793005ull + 1442695040888963407ull, (unsigned)(*seed >> 33))
	edits = 1 + (int)(RND() % 4);
	for (int e = 0; e < edits && len > 0; e++) {
		size_t at = RND() % len, a, b;
		unsigned op = RND() % 8;
		if (op < 4) {
			const char *s = special[RND() % (sizeof(special) / sizeof(special[0]))];
			size_t sl = strlen(s) ? strlen(s) : 1;
			if (len + sl > cap)
				continue;
			memmove(out + at + sl, out + at + 1, len - at - 1);
			memcpy(out + at, s, sl);
			len += sl - 1;
		} else if (op == 4) {
			memmove(out + at, out + at + 1, len - at - 1);
			len--;
		} else if (op == 5 && out[at] >= '0' && out[at] <= '8') {
			out[at]++;
		} else {
			/* the record around at: deleted (6) or duplicated (7) */
			for (a = at; a > 0 && out[a - 1] != '\n'; a--)
				;
			for (b = at; b < len && out[b] != '\n'; b++)
				;
			if (b < len)
				b++;
			if (op == 6) {
				memmove(out + a, out + b, len - b);
				len -= b - a;
			} else if (len + (b - a) <= cap) {
				memmove(out + b + (b - a), out + b, len - b);
				memcpy(out + b, out + a, b - a);
				len += b - a;
			}
		}
	}
#undef RND
	return len;
}

/* Many mutants of the fixtures, one after another on one thread (memos warm,
 * the batch and reader reused), each reported as on a new thread. */
TEST(check_receipt_mutants_warm_same_as_fresh)
{
	static const char *const base[] = {good_receipt, bad_receipt, odd_receipt};
	enum { N = 240, CAP = 4096 };
	struct hk_master *m = NULL;
	struct hk_err err = {0};
	struct hk_date d = {2024, 6, 1};
	struct rc_job *warm = hk_calloc(N, sizeof(*warm)), *fresh = hk_calloc(N, sizeof(*fresh));
	char *bufs = hk_malloc((size_t)N * CAP);
	unsigned long long seed = 20240601;
	int differ = 0, inplace = 0;

	CHECK(warm && fresh && bufs);
	CHECK_INT(hk_master_load("data/master", d, &m, &err), 0);
	for (int i = 0; i < N; i++) {
		const char *s = base[i % 3];
		char *b = bufs + (size_t)i * CAP;
		size_t len = rc_mutant(s, strlen(s), b, CAP, &seed);
		warm[i].m = fresh[i].m = m;
		warm[i].data = fresh[i].data = b;
		warm[i].len = fresh[i].len = len;
		if (len >= 2 && b[len - 2] == '\r' && b[len - 1] == '\n' && !memchr(b, 0x1a, len))
			inplace++;
	}
	CHECK(inplace > N / 4); /* both ways of reading are exercised */
	CHECK(inplace < N);
	for (int i = 0; i < N; i++)
		rc_check(&warm[i]);
	for (int i = 0; i < N; i++) {
		rc_check_fresh(&fresh[i]);
		if (!rc_same(&warm[i], &fresh[i])) {
			if (differ++ == 0)
				fprintf(stderr, "mutant %d differs:\n%.*s--- fresh:\n%.*s", i, (int)warm[i].t.text.len,
					warm[i].t.text.data ? (const char *)warm[i].t.text.data : "",
					(int)fresh[i].t.text.len,
					fresh[i].t.text.data ? (const char *)fresh[i].t.text.data : "");
		}
	}
	CHECK_INT(differ, 0);
	for (int i = 0; i < N; i++) {
		hk_buf_free(&warm[i].t.text);
		hk_buf_free(&fresh[i].t.text);
	}
	hk_free(warm);
	hk_free(fresh);
	hk_free(bufs);
	hk_master_free(m);
}

/* Everything a reader says about data: its records and its diagnostics. */
static void rc_read_all(struct hk_uke_reader *r, struct hk_buf *out)
{
	struct hk_uke_record rec;
	struct hk_err err = {0};
	char head[64];
	int rc, n;

	while ((rc = hk_uke_next(r, &rec, &err)) > 0) {
		n = snprintf(head, sizeof(head), "rec %ld %s %d:", rec.line, rec.id, rec.nfields);
		(void)hk_buf_add(out, head, (size_t)n, &err);
		for (int i = 0; i < rec.nfields; i++) {
			(void)hk_buf_add(out, "|", 1, &err);
			(void)hk_buf_add(out, rec.f[i].p, rec.f[i].len, &err);
		}
		(void)hk_buf_add(out, "\n", 1, &err);
	}
	n = snprintf(head, sizeof(head), "end %d quiet %d\n", rc, (int)hk_uke_quiet(r));
	(void)hk_buf_add(out, head, (size_t)n, &err);
}

/* The in-place reader of a receipt that ends in CR LF and holds no 0x1A says
 * what the reader of a copy with the 0x1A appended says, record by record and
 * diagnostic by diagnostic; one reader's storage serves all. */
TEST(check_receipt_fragment_reader_same_as_copy)
{
	enum { N = 600, CAP = 4096 };
	static const char *const base[] = {good_receipt, bad_receipt};
	static char b[CAP + 1], copy[CAP + 2];
	struct hk_uke_reader *keep = NULL;
	unsigned long long seed = 7;
	int tried = 0, differ = 0;

	for (int i = 0; i < N; i++) {
		const char *s = base[i % 2];
		size_t len = rc_mutant(s, strlen(s), b, CAP, &seed);
		struct rc_trace t1 = {0}, t2 = {0};
		struct hk_uke_reader *r;
		if (len < 2 || b[len - 2] != '\r' || b[len - 1] != '\n' || memchr(b, 0x1a, len))
			continue;
		tried++;
		hk_buf_init(&t1.text, 0, NULL);
		hk_buf_init(&t2.text, 0, NULL);
		memcpy(copy, b, len);
		copy[len] = 0x1a;
		r = hk_uke_open_mem(copy, len + 1, "P1", HK_UKE_STRICT, rc_diag, &t1);
		rc_read_all(r, &t1.text);
		hk_uke_close(r);
		keep = hk_uke_mem_fragment(keep, b, len, "P1", HK_UKE_STRICT, rc_diag, &t2);
		rc_read_all(keep, &t2.text);
		if (t1.n != t2.n || t1.text.len != t2.text.len || memcmp(t1.text.data, t2.text.data, t1.text.len))
			differ++;
		hk_buf_free(&t1.text);
		hk_buf_free(&t2.text);
	}
	hk_uke_close(keep);
	CHECK(tried > N / 4);
	CHECK_INT(differ, 0);
}
