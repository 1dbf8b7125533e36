#include <stdio.h>
#include <unistd.h>
#include "tests/unit/harness.h"
#include "base/buf.h"
#include "base/checkdigit.h"
#include "base/clock.h"
#include "base/csv.h"
#include "base/date.h"
#include "base/fileio.h"

TEST(checkdigit_known_numbers)
{
	/* DIGEST §3.3: numbers verified to pass. */
	CHECK(hk_check_digit_ok("01131234", 8));
	CHECK(hk_check_digit_ok("33130030", 8));
	CHECK(hk_check_digit_ok("06132013", 8));
	CHECK(hk_check_digit_ok("01130012", 8));
	CHECK(hk_check_digit_ok("131011", 6));
	CHECK(hk_check_digit_ok("270009", 6));
	CHECK(hk_check_digit_ok("39130000", 8) == (hk_check_digit("3913000", 7) == 0));
	/* and the handbook's 公費 examples that do not */
	CHECK(!hk_check_digit_ok("12139999", 8));
	CHECK(!hk_check_digit_ok("54131234", 8));
}

TEST(checkdigit_every_single_digit_error_is_caught)
{
	const char *good = "01131234";
	char s[9];
	for (int pos = 0; pos < 8; pos++) {
		for (char d = '0'; d <= '9'; d++) {
			memcpy(s, good, 9);
			if (s[pos] == d)
				continue;
			s[pos] = d;
			CHECK(!hk_check_digit_ok(s, 8));
		}
	}
}

TEST(validate_insurer_reasons)
{
	CHECK(hk_validate_insurer("01131234") == NULL);
	CHECK(hk_validate_insurer("131011") == NULL);
	CHECK(hk_validate_insurer("0113123") != NULL);
	CHECK(hk_validate_insurer("01131235") != NULL);
	CHECK(strstr(hk_validate_insurer("01131235"), "should be 4") != NULL);
	CHECK(hk_validate_insurer("01991234") != NULL); /* pref 99 */
	CHECK(hk_validate_payer("54131234") != NULL);
	CHECK(hk_validate_recipient("123456") != NULL);
}

TEST(date_roundtrip_and_weekday)
{
	struct hk_date d = {2024, 6, 1}, r;
	char b8[9], b10[11];
	CHECK_INT(hk_date_weekday(d), 6); /* 2024-06-01 was a Saturday */
	CHECK_INT(hk_date_weekday((struct hk_date){1970, 1, 1}), 4);
	for (long z = -30000; z < 30000; z += 37) {
		r = hk_days_to_date(z);
		CHECK_INT(hk_date_to_days(r), z);
	}
	hk_date_fmt8(d, b8);
	CHECK_STR(b8, "20240601");
	hk_date_fmt10(d, b10);
	CHECK_STR(b10, "2024-06-01");
	CHECK(hk_date_parse("20240229", 8, &r));
	CHECK(!hk_date_parse("20230229", 8, &r));
	CHECK(!hk_date_parse("2024-13-01", 10, &r));
	CHECK(!hk_date_parse("2024-1-01", 9, &r));
	CHECK_INT(hk_age_on((struct hk_date){1950, 6, 2}, (struct hk_date){2024, 6, 1}), 73);
	CHECK_INT(hk_age_on((struct hk_date){1950, 6, 1}, (struct hk_date){2024, 6, 1}), 74);
	CHECK_INT(hk_time_parse("0930", 4), 570);
	CHECK_INT(hk_time_parse("24:00", 5), -1);
}

TEST(clock_pinned_and_formatted)
{
	char iso[21];
	int64_t t;
	CHECK(hk_clock_parse("2024-07-01T00:00:00Z", &t) == 0);
	CHECK_INT(t, 1719792000);
	hk_clock_set(t);
	CHECK_INT(hk_clock_now(), 1719792000);
	hk_clock_fmt_iso(hk_clock_now(), iso);
	CHECK_STR(iso, "2024-07-01T00:00:00Z");
	hk_clock_unset();
	/* JST: 2024-06-30T15:00Z is already July 1st in Japan */
	CHECK_INT(hk_date_from_unix_jst(1719759600).m, 7);
}

TEST(buf_cap_is_enforced_and_named)
{
	struct hk_buf b;
	struct hk_err err = {0};
	hk_buf_init(&b, 4, "TEST_CAP");
	CHECK(hk_buf_adds(&b, "abcd", &err) == 0);
	CHECK(hk_buf_addc(&b, 'e', &err) < 0);
	CHECK(strstr(err.msg, "TEST_CAP") != NULL);
	CHECK_STR(hk_buf_cstr(&b), "abcd");
	hk_buf_free(&b);
}

TEST(csv_quotes_lines_and_errors)
{
	const char *path = hk_test_path("a.csv");
	FILE *f = fopen(path, "wb");
	struct hk_csv c;
	struct hk_err err = {0};
	CHECK(f != NULL);
	fputs("\xEF\xBB\xBF" "a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\n\"multi\nline\",2,3\nbad\"q,1,2\n", f);
	fclose(f);
	f = fopen(path, "rb");
	hk_csv_init(&c, f, "a.csv");
	CHECK_INT(hk_csv_next(&c, &err), 1);
	CHECK_INT(c.nfields, 3);
	CHECK_STR(c.fields[0], "a");
	CHECK_INT(hk_csv_next(&c, &err), 1);
	CHECK_INT(c.line, 2);
	CHECK_STR(c.fields[0], "x,1");
	CHECK_STR(c.fields[1], "say \"hi\"");
	CHECK_STR(c.fields[2], "");
	CHECK_INT(hk_csv_next(&c, &err), 1);
	CHECK_INT(c.line, 3);
	CHECK_STR(c.fields[0], "multi\nline");
	CHECK_INT(hk_csv_next(&c, &err), -1);
	CHECK(strstr(err.msg, "a.csv:5:1") != NULL);
	hk_csv_free(&c);
	fclose(f);
}

TEST(utf8_validity)
{
	CHECK(hk_utf8_valid("訪問看護", strlen("訪問看護")));
	CHECK(!hk_utf8_valid("\xC0\xAF", 2));
	CHECK(!hk_utf8_valid("\xED\xA0\x80", 3));
	CHECK(!hk_utf8_valid("\xE8\xA8", 2));
}

TEST(publish_is_atomic_and_digest_matches)
{
	const char *p = hk_test_path("pub.txt");
	struct hk_err err = {0};
	char *data;
	size_t len;
	char h1[65], h2[65];
	CHECK(hk_publish(p, "hello\r\n", 7, 0644, &err) == 0);
	CHECK(hk_read_file(p, &data, &len, 0, &err) == 0);
	CHECK_MEM(data, len, "hello\r\n");
	hk_free(data);
	hk_sha256_hex("abc", 3, h1);
	CHECK_STR(h1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK(hk_sha256_file(p, h2, &err) == 0);
	hk_sha256_hex("hello\r\n", 7, h1);
	CHECK_STR(h2, h1);
}

/* hk_pubfile_open_direct: whole blocks past the page cache, the tail
 * buffered; the bytes are the bytes whatever the sizes of the writes, and
 * nothing is visible under the final name before commit.  Runs in the
 * scratch directory ($TMPDIR, usually a disk: O_DIRECT) and in /dev/shm
 * (tmpfs, where O_DIRECT may be refused: plain writes). */
static void direct_roundtrip(const char *p)
{
	struct hk_err err;
	struct hk_pubfile pf;
	size_t total = 3 * HK_DIRECT_BLOCK + 12345, off = 0, step = 1;
	unsigned char *want = hk_malloc(total);
	char *data = NULL;
	size_t len = 0;
	FILE *f;
	for (size_t i = 0; i < total; i++)
		want[i] = (unsigned char)(i * 131 + (i >> 13));
	CHECK(hk_pubfile_open_direct(&pf, p, 0444, &err) == 0);
	while (off < total) { /* writes of 1, 2, 4, ... bytes, up to 3 blocks at once */
		size_t n = total - off < step ? total - off : step;
		CHECK(hk_pubfile_write(&pf, want + off, n, &err) == 0);
		off += n;
		step = step < 3 * HK_DIRECT_BLOCK ? step * 2 + 1 : step;
	}
	f = fopen(p, "rb");
	CHECK(f == NULL); /* not published yet */
	CHECK_INT(pf.bytes, total);
	CHECK(hk_pubfile_commit(&pf, &err) == 0);
	CHECK(hk_read_file(p, &data, &len, 0, &err) == 0);
	CHECK_INT(len, total);
	CHECK(memcmp(data, want, total) == 0);
	hk_free(data);
	hk_free(want);
}

TEST(pubfile_direct_bytes)
{
	char shm[64];
	direct_roundtrip(hk_test_path("direct.bin"));
	/* tmpfs: O_DIRECT refused on older kernels, the plain path */
	hk_snprintf(shm, sizeof(shm), "/dev/shm/houkan-t-direct.%d.bin", (int)getpid());
	if (access("/dev/shm", W_OK) == 0) {
		direct_roundtrip(shm);
		remove(shm);
	}
}

TEST(pubfile_direct_exact_blocks_and_abort)
{
	struct hk_err err;
	struct hk_pubfile pf;
	const char *p = hk_test_path("direct2.bin");
	unsigned char *blk = hk_malloc(HK_DIRECT_BLOCK);
	char *data = NULL;
	size_t len = 0;
	char tmp[HK_MAX_PATH + 8];
	memset(blk, 'x', HK_DIRECT_BLOCK);
	CHECK(hk_pubfile_open_direct(&pf, p, 0644, &err) == 0);
	CHECK(hk_pubfile_write(&pf, blk, HK_DIRECT_BLOCK, &err) == 0);
	CHECK(hk_pubfile_write(&pf, blk, HK_DIRECT_BLOCK, &err) == 0);
	CHECK(hk_pubfile_commit(&pf, &err) == 0);
	CHECK(hk_read_file(p, &data, &len, 0, &err) == 0);
	CHECK_INT(len, 2 * HK_DIRECT_BLOCK);
	CHECK(data[0] == 'x' && data[len - 1] == 'x');
	hk_free(data);
	/* abort leaves neither the file nor its temp */
	p = hk_test_path("direct3.bin");
	hk_snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	CHECK(hk_pubfile_open_direct(&pf, p, 0644, &err) == 0);
	CHECK(hk_pubfile_write(&pf, blk, 100, &err) == 0);
	hk_pubfile_abort(&pf);
	CHECK(fopen(p, "rb") == NULL);
	CHECK(fopen(tmp, "rb") == NULL);
	hk_free(blk);
}

TEST(utf8_encode)
{
	char s[4];
	CHECK_INT(hk_utf8_encode(0x41, s), 1);
	CHECK(s[0] == 'A');
	CHECK_INT(hk_utf8_encode(0xA9, s), 2);
	CHECK(memcmp(s, "\xC2\xA9", 2) == 0);
	CHECK_INT(hk_utf8_encode(0x8A2A, s), 3); /* 訪 */
	CHECK(memcmp(s, "訪", 3) == 0);
	CHECK_INT(hk_utf8_encode(0x1F600, s), 4);
	CHECK(memcmp(s, "\xF0\x9F\x98\x80", 4) == 0);
	/* every 1-3 byte form it makes is valid UTF-8 (surrogates aside) */
	for (unsigned long cp = 1; cp < 0x10000; cp++) {
		size_t n = hk_utf8_encode(cp, s);
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		CHECK(hk_utf8_valid(s, n));
	}
}
