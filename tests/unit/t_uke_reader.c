/* The streaming reader: record/field splitting and file-level diagnostics. */
#include <stdio.h>
#include <string.h>
#include "tests/unit/harness.h"
#include "receipt/uke.h"

struct dlog {
	int n;
	char codes[16][16];
	long lines[16];
	int fields[16];
	int sev[16];
};

static void logdiag(void *ctx, const struct hk_diag *d)
{
	struct dlog *l = ctx;
	if (l->n < 16) {
		snprintf(l->codes[l->n], sizeof l->codes[0], "%s", d->code);
		l->lines[l->n] = d->line;
		l->fields[l->n] = d->field;
		l->sev[l->n] = d->severity;
	}
	l->n++;
}

/* Reads all records of a memory file; returns the number of records. */
static int read_all(const char *data, size_t len, unsigned flags, struct dlog *l, char ids[][3])
{
	struct hk_uke_reader *r = hk_uke_open_mem(data, len, "t.UKE", flags, logdiag, l);
	struct hk_uke_record rec;
	struct hk_err err;
	int n = 0, rc;

	while ((rc = hk_uke_next(r, &rec, &err)) == 1) {
		if (ids)
			memcpy(ids[n], rec.id, 3);
		n++;
	}
	hk_uke_close(r);
	return rc < 0 ? -1 : n;
}

static const char good[] =
	"HM,1,13,6,1234567,\x83\x65\x83\x58\x83\x67,202407,03-1234-5678\r\n"
	"RE,1,6112,202406,\x96\x4B\x96\xE2\x81\x40\x89\xD4\x8E\x71,,2,19930702,,,,,,A123-456,\r\n"
	"GO\r\n\x1A";

TEST(uke_reader_good)
{
	struct dlog l = { 0 };
	struct hk_uke_reader *r = hk_uke_open_mem(good, sizeof good - 1, "t.UKE", 0, logdiag, &l);
	struct hk_uke_record rec;
	struct hk_err err;

	CHECK_INT(hk_uke_next(r, &rec, &err), 1);
	CHECK_STR(rec.id, "HM");
	CHECK(rec.def == hk_record_def_find("HM", 2));
	CHECK_INT(rec.nfields, 8);
	CHECK_INT(rec.line, 1);
	CHECK_MEM(rec.f[5].p, rec.f[5].len, "\x83\x65\x83\x58\x83\x67");
	CHECK_MEM(rec.f[7].p, rec.f[7].len, "03-1234-5678");
	CHECK_INT(hk_uke_next(r, &rec, &err), 1);
	CHECK_STR(rec.id, "RE");
	CHECK_INT(rec.nfields, 15);
	CHECK_INT(rec.f[14].len, 0);
	CHECK_MEM(rec.f[13].p, rec.f[13].len, "A123-456");
	CHECK_INT(hk_uke_next(r, &rec, &err), 1);
	CHECK_STR(rec.id, "GO");
	CHECK_INT(rec.nfields, 1);
	CHECK_INT(rec.line, 3);
	CHECK_INT(hk_uke_next(r, &rec, &err), 0);
	CHECK_INT(hk_uke_next(r, &rec, &err), 0);
	CHECK_INT(hk_uke_offset(r), sizeof good - 1);
	hk_uke_close(r);
	CHECK_INT(l.n, 0);
}

static int one(const char *data, size_t len, unsigned flags, struct dlog *l)
{
	memset(l, 0, sizeof *l);
	return read_all(data, len, flags, l, NULL);
}
#define ONE(s, flags, l) one((s), sizeof(s) - 1, (flags), (l))

TEST(uke_reader_file_level)
{
	struct dlog l;

	CHECK_INT(one("", 0, 0, &l), 0);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.codes[0], "E-EMPTY");

	/* missing 0x1A: error, or warning when tolerant */
	CHECK_INT(ONE("HM\r\nGO\r\n", 0, &l), 2);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.codes[0], "E-NO-EOF");
	CHECK_INT(l.sev[0], HK_ERROR);
	CHECK_INT(ONE("HM\r\nGO\r\n", HK_UKE_TOLERANT, &l), 2);
	CHECK_STR(l.codes[0], "W-NO-EOF");
	CHECK_INT(l.sev[0], HK_WARNING);

	/* LF line ends: reported once */
	CHECK_INT(ONE("HM\nRE\nGO\n\x1A", 0, &l), 3);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.codes[0], "E-LF");
	CHECK_INT(l.lines[0], 1);
	CHECK_INT(ONE("HM\r\nRE\nGO\r\n\x1A", HK_UKE_TOLERANT, &l), 3);
	CHECK_STR(l.codes[0], "W-LF");
	CHECK_INT(l.lines[0], 2);

	/* bare CR */
	CHECK_INT(ONE("HM\rGO\r\n\x1A", 0, &l), 2);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.codes[0], "E-CR");

	/* truncated last record */
	CHECK_INT(ONE("HM\r\nGO", 0, &l), 2);
	CHECK_INT(l.n, 2);
	CHECK_STR(l.codes[0], "E-TRUNCATED");
	CHECK_INT(l.lines[0], 2);
	CHECK_STR(l.codes[1], "E-NO-EOF");
	CHECK_INT(ONE("HM\r\nGO\x1A", 0, &l), 2);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.codes[0], "E-TRUNCATED");

	/* two 0x1A; data after 0x1A */
	CHECK_INT(ONE("HM\r\nGO\r\n\x1A\x1A", 0, &l), 2);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.codes[0], "E-EOF-MULTI");
	CHECK_INT(ONE("HM\r\nGO\r\n\x1A\r\n", 0, &l), 2);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.codes[0], "E-EOF-POS");
	CHECK_INT(ONE("HM\r\n\x1AGO\r\n\x1A", 0, &l), 2);
	CHECK_STR(l.codes[0], "E-EOF-POS");
	CHECK_STR(l.codes[1], "E-EOF-MULTI");
	CHECK_INT(ONE("HM,a\x1A" "b\r\nGO\r\n\x1A", 0, &l), 2);
	CHECK_STR(l.codes[0], "E-EOF-POS");
	CHECK_INT(l.fields[0], 2);
}

TEST(uke_reader_bytes)
{
	struct dlog l;

	/* quote */
	CHECK_INT(ONE("HM,\"x\"\r\n\x1A", 0, &l), 1);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.codes[0], "E-QUOTE");
	CHECK_INT(l.fields[0], 2);
	/* NEC row 13 ① in field 3 */
	CHECK_INT(ONE("RE,1,\x87\x40\r\n\x1A", 0, &l), 1);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.codes[0], "E-CHARSET");
	CHECK_INT(l.fields[0], 3);
	/* undefined cell / lone lead byte / 0x80 */
	CHECK_INT(ONE("RE,\x81\xAD\r\n\x1A", 0, &l), 1);
	CHECK_STR(l.codes[0], "E-SJIS");
	CHECK_INT(ONE("RE,\x82,x\r\n\x1A", 0, &l), 1);
	CHECK_STR(l.codes[0], "E-SJIS");
	CHECK_INT(l.fields[0], 2);
	CHECK_INT(ONE("RE,\x80\r\n\x1A", 0, &l), 1);
	CHECK_STR(l.codes[0], "E-SJIS");
	/* control byte */
	CHECK_INT(ONE("RE,a\tb\r\n\x1A", 0, &l), 1);
	CHECK_STR(l.codes[0], "E-CHARSET");
	/* one report per field */
	CHECK_INT(ONE("RE,\x80\x80,\x80\r\n\x1A", 0, &l), 1);
	CHECK_INT(l.n, 2);
	CHECK_INT(l.fields[1], 3);
	/* a lead byte before the comma does not swallow it */
	{
		static const char s[] = "RE,\x82,x\r\n\x1A";
		struct hk_uke_reader *r = hk_uke_open_mem(s, sizeof s - 1, "t", 0, NULL, NULL);
		struct hk_uke_record rec;
		struct hk_err err;
		CHECK_INT(hk_uke_next(r, &rec, &err), 1);
		CHECK_INT(rec.nfields, 3);
		CHECK_MEM(rec.f[2].p, rec.f[2].len, "x");
		hk_uke_close(r);
	}
}

TEST(uke_reader_limits)
{
	struct dlog l;
	struct hk_buf b;
	struct hk_err err;
	char ids[4][3];
	int i;

	/* too many fields */
	hk_buf_init(&b, 0, NULL);
	hk_buf_adds(&b, "JD", &err);
	for (i = 0; i < HK_MAX_FIELDS; i++)
		hk_buf_adds(&b, ",1", &err);
	hk_buf_adds(&b, "\r\n\x1A", &err);
	memset(&l, 0, sizeof l);
	CHECK_INT(read_all(b.data, b.len, 0, &l, NULL), 1);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.codes[0], "E-FIELDS-MAX");

	/* an over-long record is skipped; the next is read */
	hk_buf_reset(&b);
	hk_buf_adds(&b, "HM\r\nJS,", &err);
	for (i = 0; i < HK_MAX_RECORD_BYTES; i++)
		hk_buf_addc(&b, 'a', &err);
	hk_buf_adds(&b, "\r\nGO\r\n\x1A", &err);
	memset(&l, 0, sizeof l);
	CHECK_INT(read_all(b.data, b.len, 0, &l, ids), 2);
	CHECK_STR(ids[0], "HM");
	CHECK_STR(ids[1], "GO");
	CHECK_INT(l.n, 1);
	CHECK_STR(l.codes[0], "E-RECORD-LONG");
	CHECK_INT(l.lines[0], 2);

	/* a record of exactly HK_MAX_RECORD_BYTES is fine */
	hk_buf_reset(&b);
	hk_buf_adds(&b, "JS,", &err);
	for (i = 3; i < HK_MAX_RECORD_BYTES; i++)
		hk_buf_addc(&b, 'a', &err);
	hk_buf_adds(&b, "\r\n\x1A", &err);
	memset(&l, 0, sizeof l);
	CHECK_INT(read_all(b.data, b.len, 0, &l, NULL), 1);
	CHECK_INT(l.n, 0);
	hk_buf_free(&b);
}

/* The file reader gives the same records as the memory reader, across
 * read-buffer boundaries (a file larger than the 1 MiB buffer). */
TEST(uke_reader_file_same_as_mem)
{
	struct hk_buf b;
	struct hk_err err;
	const char *path = hk_test_path("big.UKE");
	struct hk_uke_reader *rf, *rm;
	struct hk_uke_record a, c;
	FILE *fp;
	int i, ra, rc, n = 0;

	hk_buf_init(&b, 0, NULL);
	hk_buf_adds(&b, "HM,1,13,6,1234567,\x83\x65,202407,\r\n", &err);
	for (i = 0; i < 40000; i++)
		hk_buf_printf(&b, &err, "KA,20240615,1,510000310,,%d,07,01,01\r\n", i);
	hk_buf_adds(&b, "GO\r\n\x1A", &err);
	fp = fopen(path, "wb");
	CHECK(fp != NULL);
	CHECK_INT(fwrite(b.data, 1, b.len, fp), b.len);
	fclose(fp);
	rf = hk_uke_open(path, 0, NULL, NULL, &err);
	CHECK(rf != NULL);
	rm = hk_uke_open_mem(b.data, b.len, "m", 0, NULL, NULL);
	for (;;) {
		ra = hk_uke_next(rf, &a, &err);
		rc = hk_uke_next(rm, &c, &err);
		CHECK_INT(ra, rc);
		if (ra != 1)
			break;
		n++;
		CHECK_INT(a.rawlen, c.rawlen);
		CHECK(memcmp(a.raw, c.raw, a.rawlen) == 0);
		CHECK_INT(a.nfields, c.nfields);
		CHECK_INT(a.line, c.line);
	}
	CHECK_INT(n, 40002);
	CHECK_INT(hk_uke_offset(rf), b.len);
	hk_uke_close(rf);
	hk_uke_close(rm);
	hk_buf_free(&b);
	CHECK(hk_uke_open(hk_test_path("nonexistent"), 0, NULL, NULL, &err) == NULL);
	CHECK_INT(err.code, HK_EXIT_IO);
}
