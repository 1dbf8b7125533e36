/*
 * uke.h - the RECEIPTH.UKE format: record layouts as data, the Shift_JIS
 * codec, the streaming reader and the writer.  記録条件仕様（訪問看護用）令和6年6月版
 * (../shared/reference/kiroku-joken-shiyo-houmonkango-R06-06.pdf) is the
 * authority; ../shared/spec/DIGEST.md §1 restates it.
 *
 * One table per record type (receipt/records.c) drives the writer, the reader
 * and the checker, so a spec revision is a table change.
 *
 * Bytes in the file are Shift_JIS restricted to JIS X 0201 + JIS X 0208
 * (作成手引き 別紙4).  The library works on raw bytes; UTF-8 appears only at
 * the edges (writer input, `houkan show` output, diagnostics).
 */
#ifndef HK_UKE_H
#define HK_UKE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "base/hk.h"
#include "base/buf.h"
#include "base/limits.h"

/* ---- record layouts --------------------------------------------------- */

enum hk_mode {
	HK_MODE_N,   /* 数字: half-width digits */
	HK_MODE_X,   /* 英数: half-width (JIS X 0201) */
	HK_MODE_K,   /* 漢字: full-width (JIS X 0208) */
	HK_MODE_XK,  /* 英数又は漢字: all half-width or all full-width, never mixed */
};

struct hk_field_def {
	const char *name;        /* item name as in 記録条件仕様, UTF-8 */
	enum hk_mode mode;
	unsigned short max;      /* maximum bytes */
	bool fixed;              /* 固定: exactly max bytes when present */
	bool required;           /* 記録必須 (first claim) */
	unsigned char table;     /* 別表 number whose codes the value must be (0 = none) */
	unsigned char code_width;/* >0: value is a concatenation of codes of this width */
	bool keepzero;           /* 数字 可変 whose leading zeros are significant (a date,
				  * a time, a code without 別表): never suppressed */
};

struct hk_record_def {
	char id[3];              /* "HM", "RE", ... */
	const char *name;        /* e.g. "訪問看護ステーション情報レコード" */
	unsigned char nfields;   /* including the record id itself */
	const struct hk_field_def *fields; /* fields[0] is the record id */
};

/* The 19 record types, in file order (HM RE HO KO SN JD MF GI IH HJ JS SY RJ TJ TZ KS CO KA GO). */
extern const struct hk_record_def hk_record_defs[];
extern const size_t hk_nrecord_defs;
/* NULL if the id is not a nursing record id. */
const struct hk_record_def *hk_record_def_find(const char *id, size_t len);

/* Code tables 別表1..28: is `code` (len bytes, ASCII) a valid code of table n? */
bool hk_code_valid(int table, const char *code, size_t len);
/* UTF-8 label of a code ("訪問看護指示" for 別表12 "01"), or NULL.
 * Labels are also given for shaded codes. */
const char *hk_code_label(int table, const char *code, size_t len);
/* A code the 別表 lists but shades ("一次請求の場合は、網掛けのコードは使用しない"):
 * 別表24 02-09, 別表25 9, 別表26 03/04.  hk_code_valid() is false for them. */
bool hk_code_shaded(int table, const char *code, size_t len);
/* Name of 別表 n ("指示区分"), or NULL. */
const char *hk_code_table_name(int table);
#define HK_NCODE_TABLES 28

/* ---- diagnostics ------------------------------------------------------ */

enum hk_severity { HK_WARNING = 1, HK_ERROR = 2 };

struct hk_diag {
	const char *file;        /* as given on the command line */
	long line;               /* 1-based record (line) number; 0 = whole file */
	char rec[3];             /* record id or "" */
	int field;               /* 1-based field number (1 = record id); 0 = none */
	enum hk_severity severity;
	const char *code;        /* stable diagnostic code, see docs/check-codes.md */
	char msg[512];           /* UTF-8, one line */
};

typedef void (*hk_diag_fn)(void *ctx, const struct hk_diag *d);

/* ---- Shift_JIS codec (作成手引き 別紙4) -------------------------------- */

/* Length (1 or 2) of the allowed character at p (n bytes available), or 0 if
 * the bytes there are not a character of the allowed repertoire (JIS X 0201
 * 0x20-0x7E, 0xA1-0xDF; JIS X 0208 two-byte cells, excluding NEC row 13,
 * IBM extensions and user-defined areas). */
int hk_sjis_char_len(const unsigned char *p, size_t n);

/* Strict decode of the allowed repertoire to UTF-8.  Returns 0, or -1 with
 * *bad_off set to the offset of the first byte that is not allowed. */
int hk_sjis_to_utf8(const unsigned char *in, size_t n, struct hk_buf *out,
		    size_t *bad_off, struct hk_err *err);

/* Encode UTF-8 to the allowed repertoire.  A character outside it is written
 * as full-width ？ (0x81 0x48) and reported through on_bad (may be NULL) with
 * its code point and its 0-based character index.  Returns the number of
 * replaced characters, or -1 on invalid UTF-8 / buffer cap. */
typedef void (*hk_sjis_bad_fn)(void *ctx, unsigned long cp, size_t char_index);
int hk_utf8_to_sjis(const char *in, size_t n, struct hk_buf *out,
		    hk_sjis_bad_fn on_bad, void *ctx, struct hk_err *err);
/* The same, also counting what it wrote (up to an error, too): *nchars
 * characters, *nwide of them two-byte (JIS X 0208).  Either may be NULL. */
int hk_utf8_to_sjis_count(const char *in, size_t n, struct hk_buf *out, size_t *nchars,
			  size_t *nwide, hk_sjis_bad_fn on_bad, void *ctx, struct hk_err *err);

/* ---- reader ----------------------------------------------------------- */

struct hk_uke_field {
	const unsigned char *p;  /* raw Shift_JIS bytes, not NUL-terminated */
	size_t len;
};

struct hk_uke_record {
	long line;                         /* 1-based */
	const struct hk_record_def *def;   /* NULL if the id is unknown */
	char id[3];                        /* first field when it is 2 bytes, else "" */
	int nfields;
	struct hk_uke_field f[HK_MAX_FIELDS];
	const unsigned char *raw;          /* the record's bytes, without CRLF */
	size_t rawlen;
};

enum {
	HK_UKE_STRICT = 0,
	HK_UKE_TOLERANT = 1,   /* file-level problems (missing 0x1A, LF-only) become warnings */
};

struct hk_uke_reader;

/* Open a file (or "-" for stdin).  Holds one record at a time in a buffer
 * capped at HK_MAX_RECORD_BYTES.  File-level problems (bad line endings,
 * missing or misplaced 0x1A, bytes outside the repertoire, quote characters,
 * an over-long record, empty file) are reported through diag as they are met,
 * with the codes listed in docs/check-codes.md. */
struct hk_uke_reader *hk_uke_open(const char *path, unsigned flags,
				  hk_diag_fn diag, void *ctx, struct hk_err *err);
/* Same over a memory buffer (name used in diagnostics). */
struct hk_uke_reader *hk_uke_open_mem(const void *data, size_t len, const char *name,
				      unsigned flags, hk_diag_fn diag, void *ctx);
/* 1 = *rec filled (valid until the next call), 0 = end of file, -1 = I/O error (err). */
int hk_uke_next(struct hk_uke_reader *r, struct hk_uke_record *rec, struct hk_err *err);
void hk_uke_close(struct hk_uke_reader *r);
/* Bytes consumed so far (for progress). */
unsigned long long hk_uke_offset(const struct hk_uke_reader *r);

/* ---- writer ----------------------------------------------------------- */

/*
 * The writer takes UTF-8 values in field order (values[0] is the first field
 * after the record id) and applies the mode rules of the layout:
 *  - 数字 可変: leading zeros suppressed unless the field has a code table;
 *  - 固定: written at full width (数字 zero-padded on the left; 英数 and 漢字
 *    padded on the right with spaces of the mode) - except HO 保険者番号,
 *    right-aligned with half-width spaces, and KO 受給者番号, zero-padded to 7;
 *  - every field present even when empty; CRLF after every record; one 0x1A
 *    after the last CRLF (hk_uke_writer_finish).
 * Characters outside the repertoire become ？ and are reported through diag
 * (warning, code W-CHAR-REPLACED) naming the record, field and character.
 * A value too long for its field, or not of the field's mode, is an error.
 */
struct hk_uke_writer {
	struct hk_buf *out;
	long line;
	hk_diag_fn diag;
	void *ctx;
	const char *name;   /* used in diagnostics */
};

void hk_uke_writer_init(struct hk_uke_writer *w, struct hk_buf *out, const char *name,
			hk_diag_fn diag, void *ctx);
int hk_uke_write(struct hk_uke_writer *w, const char *id, const char *const *values,
		 int nvalues, struct hk_err *err);
int hk_uke_writer_finish(struct hk_uke_writer *w, struct hk_err *err);

/* ---- show (receipt/show.c) -------------------------------------------- */

/* Name of a 訪問看護療養費コード on a date ("YYYYMMDD"), or NULL if unknown. */
typedef const char *(*hk_show_name_fn)(void *ctx, const char *code, const char *date8);

struct hk_show_stats {
	long records;        /* records read */
	long receipts;       /* RE records */
	long ka;             /* KA records */
	long long total;     /* Σ KA 金額 (yen) */
};

/* Print the file (path or "-") readably in UTF-8 to out, streaming: the
 * header (HM), then per receipt RE/HO/KO/JD and each KA with its name (from
 * name_fn, may be NULL), with totals per receipt and per file.  Reader
 * diagnostics go to diag (tolerant mode).  Returns 0; -1 with err
 * HK_EXIT_IO if the file cannot be read, HK_EXIT_INPUT if no record of the
 * nursing file was found in it. */
int hk_uke_show(const char *path, FILE *out, hk_show_name_fn name_fn, void *name_ctx,
		hk_diag_fn diag, void *dctx, struct hk_show_stats *st, struct hk_err *err);

#endif
