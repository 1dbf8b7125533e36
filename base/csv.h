/*
 * csv.h - a streaming reader for UTF-8 CSV (RFC 4180 quoting), one row at a
 * time, for import files and result CSVs.  It holds one row; every row carries
 * the line number it started on so errors can say FILE:LINE:COLUMN.
 * A UTF-8 BOM at the start is skipped; CRLF and LF both end a row.
 * Encoding is not checked here: callers validate UTF-8 (hk_utf8_valid).
 */
#ifndef HK_CSV_H
#define HK_CSV_H
#include <stdio.h>
#include "base/buf.h"
#include "base/limits.h"

struct hk_csv {
	FILE *f;
	const char *name;          /* file name, for messages */
	long line;                 /* line the current row started on (1-based) */
	long next_line;
	int nfields;
	char *fields[HK_MAX_CSV_FIELDS];
	size_t lens[HK_MAX_CSV_FIELDS];
	struct hk_buf row;         /* NUL-separated field storage */
	int first;
};

void hk_csv_init(struct hk_csv *c, FILE *f, const char *name);
/* 1 = a row was read, 0 = end of file, -1 = error (err names file and line). */
int hk_csv_next(struct hk_csv *c, struct hk_err *err);
void hk_csv_free(struct hk_csv *c);

/* Strict UTF-8 validity (no overlongs, no surrogates). */
bool hk_utf8_valid(const char *s, size_t n);
/* The UTF-8 bytes of code point cp (at most U+10FFFF) into s; returns 1-4. */
size_t hk_utf8_encode(unsigned long cp, char s[4]);

#endif
