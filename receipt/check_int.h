/*
 * check_int.h - internals shared by receipt/check*.c (not a public API).
 */
#ifndef HK_CHECK_INT_H
#define HK_CHECK_INT_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "receipt/check.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/limits.h"

/* One field of a stored record: len bytes at off in the record's bytes.
 * Kept small (a receipt may hold HK_MAX_RECEIPT_RECORDS records): a record
 * has at most HK_MAX_RECORD_BYTES bytes. */
_Static_assert(HK_MAX_RECORD_BYTES <= UINT16_MAX, "a field's offset and length fit 16 bits");
struct ck_field {
	uint16_t off, len;
};

/* Position of a receipt record id in the order of 記録条件仕様 3(3)ア(ウ)
 * (RE HO KO SN JD MF GI IH HJ JS SY RJ TJ TZ KS CO KA); CK_R_NONE for
 * HM, GO and unknown ids. */
enum ck_rank {
	CK_R_NONE = -1,
	CK_R_RE, CK_R_HO, CK_R_KO, CK_R_SN, CK_R_JD, CK_R_MF, CK_R_GI, CK_R_IH, CK_R_HJ,
	CK_R_JS, CK_R_SY, CK_R_RJ, CK_R_TJ, CK_R_TZ, CK_R_KS, CK_R_CO, CK_R_KA,
	CK_NRANKS
};
/* The rank of a 2-byte record id ("" or an unknown id: CK_R_NONE). */
int ck_rank_of(const char *id);

/* One record of the receipt being collected, with f[0..nfields-1]. */
struct ck_rec {
	long line;
	const struct hk_record_def *def;  /* NULL: unknown id */
	char id[3];
	signed char rank;                 /* enum ck_rank */
	int nfields;
	bool shape_ok;                    /* known id and right field count */
	uint64_t ok;                      /* bit i: field i passed the record checks */
	uint32_t raw;                     /* where its bytes are: c->adata + raw */
	/* KA only, set by ck_receipt(): 算定年月日, 負担区分 (別表22 mask) and 金額
	 * when they passed the record checks */
	bool ka_date_ok, ka_amt_ok;
	int ka_mask;                      /* -1: not valid */
	struct hk_date ka_date;
	long ka_amt;
	/* the record memo's id of these bytes (check.c), 0 = none: equal ids,
	 * equal bytes */
	uint64_t line_id;
	/* its nfields fields: f = the batch's field pool + fi (check.c) */
	struct ck_field *f;
	uint32_t fi;
};

/* sizes of the lookups kept in struct ck_memo (below) */
#define CK_MEMO_ITEMS 1024
#define CK_MEMO_STAFF 256
#define CK_MEMO_LIMITS 256
#define CK_MEMO_NLIM 8
#define CK_MEMO_LINES 16384
#define CK_MEMO_EXCL 1024
#define CK_MEMO_SETS 1024
#define CK_SET_CODES 32
#define CK_SET_PAIRS 32

struct ck_ctx {
	const char *file;
	const struct hk_check_opts *o;
	hk_diag_fn fn;
	void *fnctx;
	struct hk_check_stats *st;
	/* file state */
	bool fragment;          /* hk_check_receipt_mem: no HM/GO */
	long nrecords;
	bool seen_hm, seen_go, after_go_reported;
	long go_line;
	char claim_month[7];    /* HM 請求年月 when valid, else "" */
	long receipt_no;        /* RE records seen */
	/* the receipt being collected (or checked): recs[0..nrecs-1], whose
	 * fields are offsets into adata */
	bool in_receipt;
	bool overflow;
	struct ck_rec *recs;
	size_t nrecs;
	const char *adata;
	bool in_place;          /* adata is the reader's bytes: the whole input read from
				 * memory, or a file reader's buffer (hold) (check.c) */
	struct hk_uke_reader *hold; /* a file reader a receipt may stay in (check.c) */
	/* the hashes of its records made before they were read (check.c) */
	const struct rm_hint *hints;
	size_t nhints, cur_hint;
	size_t field_bytes;     /* field bytes of the receipt (capped by HK_MAX_RECEIPT_BYTES) */
	/* where the records of the receipt are kept (check.c) */
	struct ck_batch *b;
	long last_line;         /* of the last record */
	/* a file read by two threads (check.c): the offset the first half stops
	 * at (0: none), the flag that stops the second half */
	unsigned long long stop_at;
	const atomic_bool *cancel;
	long ndiag;             /* diagnostics made (the memos look at it) */
	long ndiag_first;       /* ... once the first record was checked (-1: before) */
	/* 別表 lookups and the last date parsed (ck_code(), ck_date8()): pure
	 * functions of the bytes asked about, so they may outlive a file (the
	 * claim run keeps one per thread) */
	struct ck_cmemo *cm;
	/* lookups in the master, kept across the receipts of a file (NULL: none
	 * kept, as for one receipt of the claim run) */
	struct ck_memo *memo;
	/* hk_master_limits() answer when no memo keeps it */
	const struct hk_master_limit *lim[CK_MEMO_NLIM];
	size_t lim_n;
	/* records that passed ck_record() without a diagnostic (NULL: none kept) */
	struct ck_rmemo *rmemo;
	bool thread;            /* memo, rmemo, cm and b are the thread's (check.c) */
	/* master revision loaded from o->master_root */
	struct hk_master *own_master;
	int master_failed_ym;   /* y*12+m of the last month whose load failed, 0 = none */
};

/* What ck_code() and ck_date8() already answered. */
#define CK_CODE_MEMO 1024
struct ck_cmemo {
	/* 別表 lookups already made: code[] by a hash of (table, code) */
	struct ck_code_memo {
		uint32_t code;          /* up to 4 code bytes, little end first */
		unsigned char table;    /* 0 = empty slot */
		unsigned char len;
		unsigned char res;      /* CK_CODE_VALID, CK_CODE_SHADED or CK_CODE_NONE */
	} code[CK_CODE_MEMO];
	/* the answer for a 1-byte code of 別表 t < 32 (the common case): one[t][byte],
	 * CK_CODE_* (0 = not asked yet) */
	unsigned char one[32][256];
	/* the last 8 bytes hk_date_parse() took for a date, and its answer */
	uint64_t date8;         /* 0: none */
	struct hk_date date8_d;
};

enum { CK_CODE_NONE = 1, CK_CODE_VALID, CK_CODE_SHADED };
/* hk_code_valid()/hk_code_shaded() of one code, as CK_CODE_*, through c->code_memo. */
int ck_code(struct ck_ctx *c, int table, const unsigned char *code, size_t len);

/* What the master said about one (code, date) and one item's 職種区分,
 * for the master it was asked of (reset when that master is freed). */
struct ck_memo {
	const struct hk_master *m;
	unsigned long serial;   /* hk_master_serial(m): m is not another master at the same address */
	struct {
		uint32_t key;           /* the code's 9 digits as a number */
		int date;               /* y*512 + m*32 + d; 0 = empty */
		const struct hk_master_item *it;
	} item[CK_MEMO_ITEMS];
	struct {
		const struct hk_master_item *it;
		uint32_t known, allowed; /* bit b: base 職種 b asked / allowed */
	} staff[CK_MEMO_STAFF];
	struct {
		const struct hk_master_item *it; /* NULL = empty */
		int date;
		size_t n;                        /* hk_master_limits() of it->code on date */
		const struct hk_master_limit *lim[CK_MEMO_NLIM];
	} limit[CK_MEMO_LIMITS];
	/* KA lines (by line_id) whose code and date were valid, whose item is
	 * `it` and in which check_ka_item() found nothing */
	struct ck_memo_line {
		uint64_t id;            /* 0 = empty */
		const struct hk_master_item *it;
		uint32_t key;
	} line[CK_MEMO_LINES];
	/* hk_master_uniform() of m over the month uni_month (y*12 + m; 0 = not
	 * asked): then every answer is the same on every day of that month, and
	 * the lookups above and below are kept under the month's first day */
	int uni_month;
	bool uni;
	/* hk_master_exclusion() of two items on a date (a NULL = empty) */
	struct {
		const struct hk_master_item *a, *b;
		int date;
		const struct hk_master_exclusion *ex;
	} excl[CK_MEMO_EXCL];
	/* What check_master() found for the 併算定背反 of a receipt's distinct
	 * codes key[0..nd-1] (in the order of their first KA line) in a month
	 * over which m is uniform (date: memo_date() of its days; 0 = empty):
	 * the npairs pairs (k[i], k2[i]) with a row that may clash, their row
	 * ex[i], and bit i of always: that row is valid on every day of the
	 * month.  Pairs beyond CK_SET_PAIRS: not kept. */
	struct ck_memo_set {
		int date;
		uint8_t nd, npairs;
		uint8_t k[CK_SET_PAIRS], k2[CK_SET_PAIRS];
		uint32_t always;
		uint32_t key[CK_SET_CODES];
		const struct hk_master_exclusion *ex[CK_SET_PAIRS];
	} set[CK_MEMO_SETS];
};

/* The master covering month y-m (see struct hk_check_opts), or NULL. */
const struct hk_master *ck_master_for(struct ck_ctx *c, int y, int m);

/* Reader functions for a file read by two threads (receipt/reader.c).
 * hk_uke_open_at: a reader of path from byte offset off (which its messages
 * count from the start of the file; its line numbers count from off).
 * hk_uke_line: the lines read so far.  hk_uke_quiet: true while no
 * report-once file-level diagnostic was made and no 0x1A was met, the
 * state of a reader opened at a record start. */
struct hk_uke_reader *hk_uke_open_at(const char *path, unsigned long long off, unsigned flags,
				     hk_diag_fn fn, void *ctx, struct hk_err *err);
long hk_uke_line(const struct hk_uke_reader *r);
/* A memory reader of data that ends in CR LF, holds at least one record and no
 * 0x1A byte, read as if the EOF code 0x1A followed it: the records and
 * diagnostics of a copy of data with 0x1A appended, without the copy.  r: a
 * reader made by an earlier call (its storage is reused) or NULL; name is
 * borrowed (it must outlive the reading).  Free with hk_uke_close(). */
struct hk_uke_reader *hk_uke_mem_fragment(struct hk_uke_reader *r, const void *data, size_t len,
					  const char *name, unsigned flags, hk_diag_fn fn, void *ctx);
/* The unread bytes of a reader made by hk_uke_mem_fragment(), or those a
 * file reader holds in its buffer (*avail of them, from file offset
 * hk_uke_offset(); valid until the next hk_uke_next(), which may move them;
 * NULL: none, or another kind of reader).  hk_uke_take: the next record is
 * the len bytes there, followed by CR LF, and the caller knows (from an
 * earlier reading of the same bytes, none of them 0x1A) that hk_uke_next()
 * would split it into rec->nfields fields rec->f[] without a diagnostic:
 * count its line, fill rec's line, raw bytes, id and layout, and step over
 * it. */
const unsigned char *hk_uke_peek(const struct hk_uke_reader *r, size_t *avail);
void hk_uke_take(struct hk_uke_reader *r, size_t len, struct hk_uke_record *rec);
bool hk_uke_quiet(const struct hk_uke_reader *r);
/* A file reader keeps the bytes from p (in its buffer) to its read position
 * where they are until fn(ctx, p, n) is told them, just before it moves or
 * drops them (once; then nothing is held).  p NULL: nothing is held. */
void hk_uke_hold(struct hk_uke_reader *r, const unsigned char *p,
		 void (*fn)(void *ctx, const unsigned char *p, size_t n), void *ctx);

/* Emit a diagnostic of rule `code` (severity from the rule table). */
void ck_diag(struct ck_ctx *c, long line, const char *rec, int field, const char *code,
	     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A field's value for a message: UTF-8, quoted, shortened; out holds n bytes. */
const char *ck_show(const unsigned char *p, size_t len, char *out, size_t n);

/* hk_date_parse() of the 8 bytes at p, through c->date8 (dates repeat). */
bool ck_date8(struct ck_ctx *c, const unsigned char *p, struct hk_date *d);

/* Record-level checks on a reader record; fills ok[] (per field) and returns
 * true when the record has a known id and its layout's field count. */
bool ck_record(struct ck_ctx *c, const struct hk_uke_record *r, bool ok[HK_MAX_FIELDS]);

/* A stored KA record's 算定年月日, 負担区分 and 金額 (ka_* of struct ck_rec),
 * from its fields that passed the record checks. */
void ck_ka_parse(struct ck_ctx *c, struct ck_rec *r);

/* Receipt-level checks on the collected receipt (c->recs). */
void ck_receipt(struct ck_ctx *c);

/* Field access on stored records. */
static inline const unsigned char *ck_fp(const struct ck_ctx *c, const struct ck_rec *r, int i)
{
	if (r->f[i].len == 0 || !c->adata)
		return (const unsigned char *)"";
	return (const unsigned char *)c->adata + r->raw + r->f[i].off;
}

#endif
