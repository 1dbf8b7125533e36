/*
 * check_int.h - internals shared by receipt/check*.c (not a public API).
 */
#ifndef HK_CHECK_INT_H
#define HK_CHECK_INT_H
#include <stdbool.h>
#include "receipt/check.h"
#include "base/buf.h"

/* One field of a stored record: bytes at arena + off; ok = passed the record checks. */
struct ck_field {
	size_t off;
	size_t len;
	bool ok;
};

/* One record of the receipt being collected. */
struct ck_rec {
	long line;
	const struct hk_record_def *def;  /* NULL: unknown id */
	char id[3];
	int nfields;
	bool shape_ok;                    /* known id and right field count */
	struct ck_field f[HK_MAX_FIELDS];
};

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
	/* the receipt being collected */
	bool in_receipt;
	bool overflow;
	struct ck_rec *recs;
	size_t nrecs, arecs;
	struct hk_buf arena;
	/* master revision loaded from o->master_root */
	struct hk_master *own_master;
	int master_failed_ym;   /* y*12+m of the last month whose load failed, 0 = none */
};

/* The master covering month y-m (see struct hk_check_opts), or NULL. */
const struct hk_master *ck_master_for(struct ck_ctx *c, int y, int m);

/* Emit a diagnostic of rule `code` (severity from the rule table). */
void ck_diag(struct ck_ctx *c, long line, const char *rec, int field, const char *code,
	     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A field's value for a message: UTF-8, quoted, shortened; out holds n bytes. */
const char *ck_show(const unsigned char *p, size_t len, char *out, size_t n);

/* Record-level checks on a reader record; fills ok[] (per field) and returns
 * true when the record has a known id and its layout's field count. */
bool ck_record(struct ck_ctx *c, const struct hk_uke_record *r, bool ok[HK_MAX_FIELDS]);

/* Receipt-level checks on the collected receipt (c->recs). */
void ck_receipt(struct ck_ctx *c);

/* Field access on stored records. */
static inline const unsigned char *ck_fp(const struct ck_ctx *c, const struct ck_rec *r, int i)
{
	if (r->f[i].len == 0 || !c->arena.data)
		return (const unsigned char *)"";
	return (const unsigned char *)c->arena.data + r->f[i].off;
}

#endif
