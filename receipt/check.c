/*
 * check.c - the driver of `houkan check`: reads records one at a time,
 * runs the record rules on each, the file rules on the sequence, and the
 * receipt rules on each receipt once it is complete.  Only the current
 * receipt is kept: where the reader has its bytes, or a copy in one arena.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "receipt/check_int.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "base/limits.h"
#include "master/master.h"

/* Where the records of the receipt being collected are kept. */
struct ck_batch {
	struct hk_buf arena;    /* the raw bytes of the records */
	struct ck_rec *recs;
	size_t nrecs, arecs;
	struct ck_field *fields; /* the records' fields (ck_rec.f, .fi) */
	size_t nfields, afields;
};

static void batch_init(struct ck_batch *b)
{
	memset(b, 0, sizeof(*b));
	/* field bytes plus the commas between them (store() enforces the cap on
	 * field bytes), and room for what a file reader's buffer (1 MiB) may
	 * hand over at once (held_moved(): records the receipt does not keep
	 * too), so that the cap on field bytes is always met first */
	hk_buf_init(&b->arena, HK_MAX_RECEIPT_BYTES + (size_t)HK_MAX_RECEIPT_RECORDS * HK_MAX_FIELDS +
				       ((size_t)2 << 20),
		    "HK_MAX_RECEIPT_BYTES");
}

static void batch_fini(struct ck_batch *b)
{
	hk_buf_free(&b->arena);
	hk_free(b->recs);
	hk_free(b->fields);
}

static struct ck_batch *batch_new(void)
{
	struct ck_batch *b = hk_malloc(sizeof(*b));
	batch_init(b);
	return b;
}

static void batch_free(struct ck_batch *b)
{
	if (!b)
		return;
	batch_fini(b);
	hk_free(b);
}

/* Count a diagnostic and hand it to the callback. */
static void emit(struct ck_ctx *c, const struct hk_diag *d)
{
	c->ndiag++;
	if (d->severity == HK_ERROR)
		c->st->errors++;
	else
		c->st->warnings++;
	if (c->fn)
		c->fn(c->fnctx, d);
}

void ck_diag(struct ck_ctx *c, long line, const char *rec, int field, const char *code,
	     const char *fmt, ...)
{
	const struct hk_check_rule *rule = hk_check_rule_find(code);
	struct hk_diag d;
	va_list ap;

	memset(&d, 0, sizeof(d));
	d.file = c->file;
	d.line = line;
	if (rec)
		hk_snprintf(d.rec, sizeof(d.rec), "%s", rec);
	d.field = field;
	d.severity = rule ? rule->severity : HK_ERROR;
	d.code = rule ? rule->code : code;
	va_start(ap, fmt);
	vsnprintf(d.msg, sizeof(d.msg), fmt, ap);
	va_end(ap);
	emit(c, &d);
}

const char *ck_show(const unsigned char *p, size_t len, char *out, size_t n)
{
	struct hk_buf b;
	struct hk_err err = {0};
	size_t bad = 0, o = 0;

	if (n < 8) {
		if (n)
			out[0] = '\0';
		return out;
	}
	hk_buf_init(&b, HK_MAX_RECORD_BYTES * 3, "HK_MAX_RECORD_BYTES");
	out[o++] = '\'';
	if (len && hk_sjis_to_utf8(p, len, &b, &bad, &err) == 0 && b.len) {
		size_t k = b.len < n - 6 ? b.len : n - 6;
		while (k > 0 && k < b.len && ((unsigned char)b.data[k] & 0xC0) == 0x80)
			k--; /* do not cut a UTF-8 character */
		memcpy(out + o, b.data, k);
		o += k;
		if (k < b.len) {
			memcpy(out + o, "...", 3);
			o += 3;
		}
	} else {
		for (size_t i = 0; i < len && o + 6 < n; i++) {
			if (p[i] >= 0x20 && p[i] < 0x7F && p[i] != '\'')
				out[o++] = (char)p[i];
			else
				o += (size_t)hk_snprintf(out + o, n - o, "\\x%02X", p[i]);
		}
	}
	if (o + 2 > n)
		o = n - 2;
	out[o++] = '\'';
	out[o] = '\0';
	hk_buf_free(&b);
	return out;
}

static void on_reader_diag(void *ctx, const struct hk_diag *d)
{
	emit(ctx, d);
}

static void finish_receipt(struct ck_ctx *c)
{
	struct ck_batch *b = c->b;

	if (c->in_receipt && !c->overflow)
		ck_receipt(c);
	if (c->hold) {
		hk_uke_hold(c->hold, NULL, NULL, NULL);
		c->in_place = false;
	}
	c->in_receipt = false;
	c->overflow = false;
	c->field_bytes = 0;
	b->nrecs = 0;
	b->nfields = 0;
	hk_buf_reset(&b->arena);
	c->recs = b->recs; /* NULL when nothing was allocated yet: an empty file */
	c->nrecs = 0;
}

/*
 * ck_record() is a function of the record's bytes alone (its line number only
 * goes into messages), so a record met again - the same KA line in many
 * receipts - gets the answer it got the first time, if that answer came
 * without a diagnostic.  Records up to RM_BYTES bytes, RM_SLOTS of them, in
 * pairs of slots chosen by a hash (the one used less lately makes room: the
 * records met once, like an RE, do not push out a KA line met in every
 * other receipt).
 */
_Static_assert(HK_MAX_FIELDS <= 64, "a record's ok flags fit one uint64_t");
/* (a pair is chosen by the hash scaled to RM_SLOTS / 2: no power of 2 needed; 24,576
 * slots of 192 bytes hold the ~12,000 short records of a file that repeats
 * 2,338 receipts with fewer pairs overflowing than 16,384 did, for the
 * memory 16,384 slots of 264 bytes took) */
#define RM_SLOTS 24576
#define RM_BYTES 64
#define RM_FIELDS 33
struct ck_rm_slot {
	/* what a lookup compares, first: the hash and the bytes */
	uint64_t hash;
	uint16_t len;
	/* the reader split these bytes into nf fields cf[] without a
	 * diagnostic (nf 0: unknown) - hk_uke_take() may stand in for it */
	unsigned char nf;
	bool shape;
	signed char rank;       /* ck_rank_of() of the record's id */
	/* a KA record: what ck_ka_parse() made of it (ka: set) */
	bool ka, ka_date_ok, ka_amt_ok;
	unsigned char b[RM_BYTES];
	uint64_t ok;            /* bit i: ok[i] */
	uint64_t id;            /* a number for these bytes, unique in the file (ck_rec.line_id) */
	long ka_amt;
	int ka_mask;
	struct hk_date ka_date;
	/* (within RM_BYTES bytes: one byte each; a multiple of 4 of them, which
	 * store() copies 4 at a time) */
	struct {
		unsigned char off, len;
	} cf[(RM_FIELDS + 3) / 4 * 4];
};
_Static_assert(RM_BYTES <= UINT8_MAX, "a memo field's offset and length fit a byte");
_Static_assert(sizeof(struct ck_field) == 4, "store() widens a memo field to a ck_field");
struct ck_rmemo {
	/* t[i]: rm_tag() of s[i].hash (0: s[i] is empty) and when s[i] was last
	 * found or filled (clock) - a small array of its own, so that the look
	 * at a pair of slots reads one cache line, and the slot itself only
	 * when it may hold the bytes (the slots are larger than the cache) */
	struct {
		uint32_t tag, at;
	} t[RM_SLOTS];
	struct ck_rm_slot s[RM_SLOTS];
	uint64_t ids;           /* ids given so far */
	uint32_t clock;
	/* a file read through a reader's buffer (record_known()): the first CR
	 * within RM_BYTES + 1 bytes from file offset next_off - 1 (0: none) is
	 * at next_len from there, and the bytes before it hash to next_h - a
	 * fact about the file's bytes, made while the record before was read,
	 * so that the memo slots that may hold them are asked for early */
	unsigned long long next_off;
	uint32_t next_len;
	uint64_t next_h;
};

/* What rm_prefetch() learnt of the records of a receipt read in place: the
 * hash of the len bytes at offset off. */
#define RM_HINTS 256
struct rm_hint {
	uint32_t off;
	uint32_t len;
	uint64_t h;
};

/* What the calling thread keeps across hk_check_receipt_mem() calls (the
 * claim run checks one receipt at a time, on several threads): the record
 * memo (its entries depend on the records' bytes alone), the master memo (it
 * names its master by hk_master_serial()), the 別表 code and date memo (pure
 * functions of the bytes asked about), and storage that every call would
 * otherwise allocate again: the batch (emptied by finish_receipt()) and the
 * memory reader (reset by hk_uke_mem_fragment()). */
struct ck_thread {
	struct rm_hint hint[RM_HINTS];
	struct ck_rmemo rmemo;
	struct ck_memo memo;
	struct ck_cmemo cm;
	struct ck_batch b;
	struct hk_uke_reader *rd;
	void *raw;              /* the allocation t lies in */
};
static pthread_key_t tm_key;
static pthread_once_t tm_once = PTHREAD_ONCE_INIT;
static bool tm_ok;

static void tm_free(void *p)
{
	struct ck_thread *t = p;

	batch_fini(&t->b);
	hk_uke_close(t->rd);
	hk_free(t->raw);
}

static void tm_init(void)
{
	tm_ok = pthread_key_create(&tm_key, tm_free) == 0;
}

#define HUGE_PAGE ((size_t)2 << 20)

/* Ask for huge pages under the n bytes at p (not yet touched): the memos are
 * read at random, a few MiB of them, and a TLB miss on each lookup would
 * cost more than the lookup.  Only a hint; nothing changes if refused. */
static void huge_pages(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = HUGE_PAGE;
	uintptr_t from = ((uintptr_t)p + huge - 1) & ~(huge - 1), to = ((uintptr_t)p + n) & ~(huge - 1);

	if (to > from)
		(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

/* The calling thread's struct ck_thread (NULL: none can be kept). */
static struct ck_thread *thread_state(void)
{
	struct ck_thread *t;

	pthread_once(&tm_once, tm_init);
	if (!tm_ok)
		return NULL;
	t = pthread_getspecific(tm_key);
	if (!t) {
		/* on a 2 MiB boundary, so that huge pages can cover all of it */
		void *raw = hk_calloc(1, sizeof(*t) + HUGE_PAGE);
		t = (struct ck_thread *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
		huge_pages(t, sizeof(*t)); /* before the first touch */
		t->raw = raw;
		batch_init(&t->b);
		if (pthread_setspecific(tm_key, t) != 0) {
			tm_free(t);
			t = NULL;
		}
	}
	return t;
}

/* A file reader is about to move the n bytes at p, the records of the
 * receipt read so far (from its first, c->adata) and those between them it
 * does not keep: they go into the arena as they are (their offsets stay),
 * the rest of the receipt's records after them (store()). */
static void held_moved(void *ctx, const unsigned char *p, size_t n)
{
	struct ck_ctx *c = ctx;
	struct hk_err err;

	/* (the arena is empty - the receipt began in the reader's buffer - and
	 * its cap leaves room for a buffer's bytes: this cannot fail) */
	if (hk_buf_add(&c->b->arena, p, n, &err) < 0)
		c->overflow = true;
	c->in_place = false;
	c->adata = c->b->arena.data;
}

/* Keep a record of the current receipt: its raw bytes go into the arena in
 * one piece (or stay where the reader has them, c->in_place), its fields
 * become offsets into them.  A file's receipt stays in the reader's buffer
 * (c->hold) until the reader moves it (held_moved()): most receipts are
 * not copied at all. */
static void store(struct ck_ctx *c, const struct hk_uke_record *r, bool shape, uint64_t ok,
		  struct ck_rm_slot *slot)
{
	struct ck_batch *b = c->b;
	struct ck_rec *s;
	struct hk_err err; /* set by hk_buf_add() on failure only (zeroing it costs) */
	size_t base, fbytes;
	int nf;

	if (c->overflow)
		return;
	if (c->nrecs == HK_MAX_RECEIPT_RECORDS) {
		ck_diag(c, r->line, r->id, 0, "E-RE-CAP",
			"receipt %ld has more than HK_MAX_RECEIPT_RECORDS (%d) records; its receipt-level "
			"checks are skipped", c->receipt_no, HK_MAX_RECEIPT_RECORDS);
		c->overflow = true;
		return;
	}
	if (c->hold && c->nrecs == 0) {
		/* the receipt's first record (its RE; the arena is empty) */
		c->in_place = true;
		c->adata = (const char *)r->raw;
		hk_uke_hold(c->hold, r->raw, held_moved, c);
	}
	nf = r->nfields < HK_MAX_FIELDS ? r->nfields : HK_MAX_FIELDS;
	/* the cap counts field bytes, not the commas between them: the fields
	 * (at least one) and their nf - 1 separators make up the record */
	fbytes = r->rawlen - (size_t)(nf - 1);
	/* (in place, the arena's cap could not be met first: it leaves room
	 * for the commas of HK_MAX_RECEIPT_RECORDS records) */
	if (fbytes > HK_MAX_RECEIPT_BYTES - c->field_bytes ||
	    (!c->in_place && hk_buf_add(&b->arena, r->raw, r->rawlen, &err) < 0)) {
		ck_diag(c, r->line, r->id, 0, "E-RE-CAP",
			"receipt %ld is larger than %s; its receipt-level checks are skipped",
			c->receipt_no, "HK_MAX_RECEIPT_BYTES");
		c->overflow = true;
		return;
	}
	c->field_bytes += fbytes;
	if (c->in_place) {
		base = (size_t)(r->raw - (const unsigned char *)c->adata);
	} else {
		c->adata = b->arena.data;
		base = b->arena.len - r->rawlen;
	}
	if (b->nrecs == b->arecs) {
		b->arecs = b->arecs ? b->arecs * 2 : 64;
		b->recs = hk_realloc(b->recs, b->arecs * sizeof(*b->recs));
	}
	c->recs = b->recs;
	if ((size_t)nf + 3 > b->afields - b->nfields) {
		struct ck_field *old = b->fields;
		while ((size_t)nf + 3 > b->afields - b->nfields)
			b->afields = b->afields ? b->afields * 2 : 1024;
		b->fields = hk_realloc(b->fields, b->afields * sizeof(*b->fields));
		if (b->fields != old)
			for (size_t j = 0; j < b->nrecs; j++)
				b->recs[j].f = b->fields + b->recs[j].fi;
	}
	s = &b->recs[b->nrecs];
	s->fi = (uint32_t)b->nfields;
	s->f = b->fields + s->fi;
	b->nfields += (size_t)nf;
	s->line = r->line;
	s->def = r->def;
	memcpy(s->id, r->id, sizeof(s->id));
	s->rank = slot ? slot->rank : (signed char)ck_rank_of(r->id);
	s->nfields = nf;
	s->shape_ok = shape;
	s->ok = ok;
	s->raw = (uint32_t)base;
	if (slot && slot->nf == nf) {
		/* the same bytes, split the same way before (4 fields at a time:
		 * the pool has room for 3 more, not yet anyone's) */
#if defined(__SSE2__)
		for (int i = 0; i < nf; i += 4) {
			__m128i v = _mm_loadl_epi64((const __m128i *)(const void *)&slot->cf[i]);
			_mm_storeu_si128((__m128i *)(void *)&s->f[i], _mm_unpacklo_epi8(v, _mm_setzero_si128()));
		}
#else
		for (int i = 0; i < nf; i++) {
			s->f[i].off = slot->cf[i].off;
			s->f[i].len = slot->cf[i].len;
		}
#endif
	} else {
		for (int i = 0; i < nf; i++) {
			/* every field lies inside the record's raw bytes */
			s->f[i].off = (uint16_t)(r->f[i].p - r->raw);
			s->f[i].len = (uint16_t)r->f[i].len;
		}
	}
	s->line_id = slot ? slot->id : 0;
	if (s->rank == CK_R_KA) {
		/* a KA line met before: its values as parsed then */
		if (slot && slot->ka) {
			s->ka_mask = slot->ka_mask;
			s->ka_date_ok = slot->ka_date_ok;
			s->ka_date = slot->ka_date;
			s->ka_amt_ok = slot->ka_amt_ok;
			s->ka_amt = slot->ka_amt;
		} else {
			ck_ka_parse(c, s);
			if (slot) {
				slot->ka = true;
				slot->ka_mask = s->ka_mask;
				slot->ka_date_ok = s->ka_date_ok;
				slot->ka_date = s->ka_date;
				slot->ka_amt_ok = s->ka_amt_ok;
				slot->ka_amt = s->ka_amt;
			}
		}
	}
	b->nrecs++;
	c->nrecs++;
}

static void structure(struct ck_ctx *c, const struct hk_uke_record *r, bool shape, uint64_t ok,
		      struct ck_rm_slot *slot)
{
	bool hm = r->id[0] == 'H' && r->id[1] == 'M', go = r->id[0] == 'G' && r->id[1] == 'O';

	if (!c->fragment) {
		if (c->nrecords == 1 && !hm)
			ck_diag(c, r->line, r->id, 0, "E-HM-FIRST",
				"the file begins with %s; the first record must be HM (訪問看護ステーション情報)",
				r->id[0] ? r->id : "an unknown record");
		if (hm) {
			if (c->nrecords > 1)
				ck_diag(c, r->line, "HM", 0, "E-HM-DUP",
					"a second HM record; a file has exactly one, as its first record");
			else if (shape && (ok >> 6 & 1) && r->f[6].len == 6)
				hk_snprintf(c->claim_month, sizeof(c->claim_month), "%.6s",
					    (const char *)r->f[6].p);
			return;
		}
		if (c->seen_go && !go && !c->after_go_reported) {
			ck_diag(c, r->line, r->id, 0, "E-GO-LAST",
				"%s after GO (line %ld); GO is the last record of the file",
				r->id[0] ? r->id : "a record", c->go_line);
			c->after_go_reported = true;
		}
		if (go) {
			finish_receipt(c);
			if (c->seen_go) {
				ck_diag(c, r->line, "GO", 0, "E-GO-DUP",
					"a second GO record (the first is on line %ld)", c->go_line);
				return;
			}
			c->seen_go = true;
			c->go_line = r->line;
			if (c->receipt_no == 0)
				ck_diag(c, r->line, "GO", 0, "E-NO-RECEIPT",
					"the file holds no receipt: at least one RE ... must come between HM and GO");
			return;
		}
	}
	if (r->id[0] == 'R' && r->id[1] == 'E') {
		finish_receipt(c);
		c->in_receipt = true;
		c->receipt_no++;
		c->st->receipts++;
		store(c, r, shape, ok, slot);
		return;
	}
	if (!r->def)
		return; /* unknown id: E-REC-ID said so */
	if (!c->in_receipt) {
		if (c->fragment || !c->seen_go)
			ck_diag(c, r->line, r->id, 0, "E-REC-ORPHAN",
				"%s before any RE record; receipt records belong to the receipt an RE begins",
				r->id);
		return;
	}
	store(c, r, shape, ok, slot);
}

/* 作成手引き 別紙1: in a re-claim file a receipt with 検索番号 is followed by its
 * 履歴管理ブロック - lines of three numeric columns (データ識別, 行番号, 枝番号) and a
 * record, kept exactly as the review body sent them.  They are not records of
 * the receipt and are not checked (docs/returns.md). */
static bool history_rest(const struct ck_ctx *c, const struct hk_uke_record *r)
{
	const struct ck_rec *re;
	if (!c->in_receipt || c->nrecs == 0 || r->nfields < 4 || r->f[0].len == 0 ||
	    r->f[0].p[0] < '0' || r->f[0].p[0] > '9' || r->f[0].len > 2 || r->f[1].len == 0 ||
	    r->f[2].len == 0)
		return false;
	for (int i = 0; i < 3; i++)
		for (size_t k = 0; k < r->f[i].len; k++)
			if (r->f[i].p[k] < '0' || r->f[i].p[k] > '9')
				return false;
	re = &c->recs[0];
	return strcmp(re->id, "RE") == 0 && re->nfields > 14 && re->f[14].len > 0;
}

/* history_rest() for a record whose first byte is a digit; the others (all
 * records but history lines: their ids are letters) are told at once */
static inline bool history_line(const struct ck_ctx *c, const struct hk_uke_record *r)
{
	return r->f[0].len != 0 && r->f[0].p[0] >= '0' && r->f[0].p[0] <= '9' && history_rest(c, r);
}

/* A hash of the n bytes at p: two lanes of 8 bytes each (two chains of
 * multiplies that overlap), the last 16 bytes (or fewer) taken whole. */
static uint64_t rm_hash(const unsigned char *p, size_t n)
{
	uint64_t a = 0x9E3779B97F4A7C15u ^ n, b = 0xC2B2AE3D27D4EB4Fu, w, v;
	size_t k = 0;
	for (; k + 16 < n; k += 16) {
		memcpy(&w, p + k, 8);
		memcpy(&v, p + k + 8, 8);
		a = (a ^ w) * 0xFF51AFD7ED558CCDu;
		b = (b ^ v) * 0xC4CEB9FE1A85EC53u;
		a ^= a >> 29;
		b ^= b >> 31;
	}
	/* the last 16 bytes (some hashed already), or the 8 to 16 bytes as two
	 * words that may overlap, or fewer bytes as one number */
	if (n >= 16) {
		memcpy(&w, p + n - 16, 8);
		memcpy(&v, p + n - 8, 8);
	} else if (n >= 8) {
		memcpy(&w, p, 8);
		memcpy(&v, p + n - 8, 8);
	} else {
		for (w = 0, v = 0; k < n; k++)
			w = w << 8 | p[k];
	}
	a = (a ^ w) * 0xFF51AFD7ED558CCDu;
	b = (b ^ v) * 0xC4CEB9FE1A85EC53u;
	a ^= (b >> 32 | b << 32);
	a *= 0x9E3779B97F4A7C15u;
	return a ^ a >> 32;
}

/* The first CR of the first RM_BYTES + 1 of the n bytes at p, or NULL: the
 * end of a record the memo may hold.  (memchr() costs a call and a set-up
 * for a few dozen bytes: with 65 bytes at hand, four 16-byte compares.) */
static inline const unsigned char *rm_cr(const unsigned char *p, size_t n)
{
#if defined(__SSE2__)
	_Static_assert(RM_BYTES == 64, "four 16-byte blocks and one byte");
	if (n >= RM_BYTES + 1) {
		const __m128i cr = _mm_set1_epi8('\r');
		uint64_t m = 0;
		for (int k = 0; k < 4; k++) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
			m |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, cr)) << (16 * k);
		}
		if (m)
			return p + __builtin_ctzll(m);
		return p[RM_BYTES] == '\r' ? p + RM_BYTES : NULL;
	}
#endif
	return memchr(p, '\r', n < RM_BYTES + 1 ? n : RM_BYTES + 1);
}

/* The first of the two slots of hash h, and the tag of h (never 0). */
static inline size_t rm_pair(uint64_t h)
{
	/* the low 32 bits of h times the number of pairs, over 2^32 (a multiply
	 * and a shift, not a division; rm_tag() takes the high bits) */
	return (size_t)((uint64_t)(uint32_t)h * (RM_SLOTS / 2) >> 32) * 2;
}

static inline uint32_t rm_tag(uint64_t h)
{
	return (uint32_t)(h >> 32) | 1;
}

/* Whether the n bytes (at most RM_BYTES) at a and p are the same: a few
 * words compared in line rather than a call of memcmp(). */
static inline bool rm_same(const unsigned char *a, const unsigned char *p, size_t n)
{
	uint64_t x, y;
	size_t k = 0;

	if (n < 8) {
		for (; k < n; k++)
			if (a[k] != p[k])
				return false;
		return true;
	}
	for (; k + 8 < n; k += 8) {
		memcpy(&x, a + k, 8);
		memcpy(&y, p + k, 8);
		if (x != y)
			return false;
	}
	/* the last 8 bytes (some compared already) */
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, p + n - 8, 8);
	return x == y;
}

/* The memo's entry of the n bytes at p, whose hash is h, or NULL. */
static struct ck_rm_slot *rm_find_h(struct ck_rmemo *rm, const unsigned char *p, size_t n, uint64_t h)
{
	size_t i = rm_pair(h);
	uint32_t tag = rm_tag(h);

	for (int k = 0; k < 2; k++, i++)
		if (rm->t[i].tag == tag && rm->s[i].hash == h && rm->s[i].len == n &&
		    rm_same(rm->s[i].b, p, n)) {
			rm->t[i].at = ++rm->clock;
			return &rm->s[i];
		}
	return NULL;
}

/* The memo's entry of the n bytes at p, or NULL; *h gets their hash. */
static struct ck_rm_slot *rm_find(struct ck_rmemo *rm, const unsigned char *p, size_t n, uint64_t *h)
{
	*h = rm_hash(p, n);
	return rm_find_h(rm, p, n, *h);
}

/* The slot to fill with bytes of hash h (not in the memo), marked as theirs. */
static struct ck_rm_slot *rm_room(struct ck_rmemo *rm, uint64_t h)
{
	size_t i = rm_pair(h);

	/* (clock differences: right across the wrap of the clock) */
	if (rm->t[i].tag && (!rm->t[i + 1].tag || (int32_t)(rm->t[i].at - rm->t[i + 1].at) >= 0))
		i++;
	rm->t[i].tag = rm_tag(h);
	rm->t[i].at = ++rm->clock;
	return &rm->s[i];
}

/* Before a receipt is read in place (d, len bytes): the hashes of its records
 * of up to RM_BYTES bytes go into t->hint[] (their lookups need not hash
 * again), and the memo slots that may hold them are asked for, all at once
 * rather than one by one as each record is read. */
static size_t rm_prefetch(struct ck_thread *t, const unsigned char *d, size_t len)
{
	size_t off = 0, n = 0;

	while (off < len && n < RM_HINTS) {
		const unsigned char *p = d + off;
		const unsigned char *cr = rm_cr(p, len - off);
		const unsigned char *nl;
		if (!cr) {
			/* a longer record (or none): on from its line end */
			if (!(nl = memchr(p, '\n', len - off)))
				break;
			off = (size_t)(nl - d) + 1;
			continue;
		}
		t->hint[n].off = (uint32_t)off;
		t->hint[n].len = (uint32_t)(cr - p);
		t->hint[n].h = rm_hash(p, (size_t)(cr - p));
		n++;
		off = (size_t)(cr - d) + 1;
		if (off < len && d[off] == '\n')
			off++; /* the next record starts after the LF */
	}
	/* the tags of all first (their loads overlap), then the slots they name */
	for (size_t j = 0; j < n; j++)
		__builtin_prefetch(&t->rmemo.t[rm_pair(t->hint[j].h)]);
	for (size_t j = 0; j < n; j++) {
		size_t i = rm_pair(t->hint[j].h);
		for (int k = 0; k < 2; k++)
			if (t->rmemo.t[i + k].tag == rm_tag(t->hint[j].h))
#pragma GCC unroll 4
				for (size_t b = 0; b < sizeof(struct ck_rm_slot); b += 64)
					__builtin_prefetch((const char *)&t->rmemo.s[i + k] + b);
	}
	return n;
}

/* Bytes record_known() hashed and did not find (p NULL: none). */
struct rm_miss {
	const unsigned char *p;
	size_t n;
	uint64_t h;
};

/* ck_record() of a record, through c->rmemo; *ok gets bit i set when field
 * i passed.  *slot: the memo's entry of the record, or NULL.  rd_quiet: the
 * reader made no diagnostic about the record.  miss: when it names the
 * record's bytes, they are not in the memo. */
static bool record_checked(struct ck_ctx *c, const struct hk_uke_record *r, bool rd_quiet,
			   const struct rm_miss *miss, uint64_t *ok, struct ck_rm_slot **slot)
{
	struct ck_rmemo *rm = c->rmemo;
	struct ck_rm_slot *e = NULL;
	bool okv[HK_MAX_FIELDS], shape;
	uint64_t h = 0, mask = 0;
	long before = c->ndiag;
	int n = r->nfields < HK_MAX_FIELDS ? r->nfields : HK_MAX_FIELDS;

	if (rm && r->rawlen <= RM_BYTES && miss->p == r->raw && miss->n == r->rawlen) {
		h = miss->h;
	} else if (rm && r->rawlen <= RM_BYTES) {
		if ((e = rm_find(rm, r->raw, r->rawlen, &h)) != NULL) {
			*ok = e->ok;
			*slot = e;
			return e->shape;
		}
	}
	*slot = NULL;
	shape = ck_record(c, r, okv);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* bit i = okv[i] for i < n, eight flags at a time: a bool is the byte 0
	 * or 1, and the multiply gathers the low bits of 8 such bytes (the first
	 * lowest) into its top byte (ck_record() left okv[n ..] false) */
	_Static_assert(HK_MAX_FIELDS % 8 == 0, "okv[] is whole words");
	for (int i = 0; i < n; i += 8) {
		uint64_t w;
		memcpy(&w, okv + i, 8);
		mask |= (w * 0x0102040810204080u >> 56) << i;
	}
#else
	for (int i = 0; i < n; i++)
		mask |= (uint64_t)okv[i] << i;
#endif
	*ok = mask;
	if (rm && r->rawlen <= RM_BYTES && c->ndiag == before) {
		e = rm_room(rm, h);
		e->hash = h;
		e->ok = mask;
		e->len = (uint16_t)r->rawlen;
		e->shape = shape;
		e->rank = (signed char)ck_rank_of(r->id);
		e->ka = false;
		e->id = ++rm->ids;
		memcpy(e->b, r->raw, r->rawlen);
		e->nf = 0;
		/* (hk_uke_take() would not count a 0x1A as hk_uke_next() does) */
		if (rd_quiet && n == r->nfields && n <= RM_FIELDS && !memchr(r->raw, 0x1A, r->rawlen)) {
			for (int i = 0; i < n; i++) {
				e->cf[i].off = (unsigned char)(r->f[i].p - r->raw);
				e->cf[i].len = (unsigned char)r->f[i].len;
			}
			e->nf = (unsigned char)n;
		}
		*slot = e;
	}
	return shape;
}

/* The next record of a reader that offers its bytes (hk_uke_peek(): a file's
 * buffer, a receipt read in place) when the memo knows its bytes and how the
 * reader splits them: hk_uke_next() without the split (true; of rec->f only
 * f[0..2] are set), or false (nothing done).  The bytes matched a record the
 * reader took without a diagnostic and without a 0x1A, up to its first CR or
 * LF; here they are followed by CR LF, so the reader would cut and split
 * them the same way, again silently. */
static bool record_known(struct ck_ctx *c, struct hk_uke_reader *rd, struct hk_uke_record *rec,
			 struct ck_rm_slot **slot, struct rm_miss *miss)
{
	const unsigned char *p, *cr;
	struct ck_rm_slot *e;
	size_t avail, len;
	uint64_t h;

	miss->p = NULL;
	if (!c->rmemo || !(p = hk_uke_peek(rd, &avail)))
		return false;
	if (c->nhints) {
		/* what rm_prefetch() found at this offset of the receipt (c->adata,
		 * the reader's bytes), if anything: the first CR within RM_BYTES + 1
		 * bytes, as below, and the hash of the bytes before it */
		const struct rm_hint *hi = c->hints + c->cur_hint, *end = c->hints + c->nhints;
		size_t off = (size_t)(p - (const unsigned char *)c->adata);
		while (hi < end && hi->off < off)
			hi++;
		c->cur_hint = (size_t)(hi - c->hints);
		if (hi < end && hi->off == off) {
			len = hi->len;
			if (len + 1 >= avail || p[len + 1] != '\n')
				return false;
			h = hi->h;
			e = rm_find_h(c->rmemo, p, len, h);
			goto found;
		}
	}
	if (!c->fragment) {
		/* a file: the hash of these bytes made with the record before,
		 * if it was (and the CR LF it assumed), and that of the next */
		struct ck_rmemo *rm = c->rmemo;
		unsigned long long off = hk_uke_offset(rd);
		const unsigned char *q;
		size_t left;
		if (rm->next_off == off + 1) {
			len = rm->next_len;
			h = rm->next_h;
			if (len + 1 >= avail || p[len] != '\r' || p[len + 1] != '\n')
				return false;
		} else {
			cr = rm_cr(p, avail);
			if (!cr || (len = (size_t)(cr - p)) + 1 >= avail || cr[1] != '\n')
				return false;
			h = rm_hash(p, len);
		}
		rm->next_off = 0;
		q = p + len + 2;
		left = avail - len - 2;
		if ((cr = rm_cr(q, left)) != NULL) {
			size_t i;
			rm->next_len = (uint32_t)(cr - q);
			rm->next_h = rm_hash(q, rm->next_len);
			rm->next_off = off + len + 2 + 1;
			i = rm_pair(rm->next_h);
			__builtin_prefetch(&rm->t[i]);
			/* (unrolled: a loop of 6 costs more than the prefetches) */
#pragma GCC unroll 8
			for (size_t b = 0; b < 2 * sizeof(struct ck_rm_slot); b += 64)
				__builtin_prefetch((const char *)&rm->s[i] + b);
		}
		e = rm_find_h(rm, p, len, h);
		goto found;
	}
	cr = rm_cr(p, avail);
	if (!cr || (len = (size_t)(cr - p)) + 1 >= avail || cr[1] != '\n')
		return false;
	e = rm_find(c->rmemo, p, len, &h);
found:
	if (!e) {
		miss->p = p;
		miss->n = len;
		miss->h = h;
		return false;
	}
	if (e->nf == 0)
		return false;
	/* only the fields history_line() and the record id look at: the rest
	 * are read by store() alone, which takes them from the memo (f[1] and
	 * f[2] of a record of fewer fields get what cf[] holds there: unread,
	 * as history_line() asks for 4 fields first) */
	for (int i = 0; i < 3; i++) {
		rec->f[i].p = p + e->cf[i].off;
		rec->f[i].len = e->cf[i].len;
	}
	rec->nfields = e->nf;
	hk_uke_take(rd, len, rec);
	*slot = e;
	return true;
}

/* Read and check records until the end of the file (0), until the reader
 * is at c->stop_at (1), or until *c->cancel is set (2); -1 on a read error. */
static int run_records(struct ck_ctx *c, struct hk_uke_reader *rd, struct hk_err *err)
{
	struct hk_uke_record rec;
	struct ck_rm_slot *slot;
	struct rm_miss miss = {NULL, 0, 0};
	uint64_t ok;
	int rc;

	for (;;) {
		bool shape;
		if (c->stop_at) {
			unsigned long long off = hk_uke_offset(rd);
			if (off == c->stop_at)
				return 1;
			if (off > c->stop_at)
				c->stop_at = 0; /* the boundary is not a record start here */
		}
		if (c->cancel && atomic_load_explicit(c->cancel, memory_order_relaxed))
			return 2;
		if (record_known(c, rd, &rec, &slot, &miss)) {
			/* what record_checked() would find in the memo */
			if (history_line(c, &rec))
				continue;
			c->nrecords++;
			c->last_line = rec.line;
			ok = slot->ok;
			shape = slot->shape;
		} else {
			long before = c->ndiag;
			if ((rc = hk_uke_next(rd, &rec, err)) <= 0)
				return rc;
			if (history_line(c, &rec))
				continue;
			c->nrecords++;
			c->last_line = rec.line;
			shape = record_checked(c, &rec, c->ndiag == before, &miss, &ok, &slot);
		}
		structure(c, &rec, shape, ok, slot);
		if (c->ndiag_first < 0)
			c->ndiag_first = c->ndiag;
	}
}

/* The end of the file: the last receipt's rules and the file rules. */
static void run_end(struct ck_ctx *c)
{
	finish_receipt(c);
	if (!c->fragment && c->nrecords > 0) {
		if (!c->seen_go)
			ck_diag(c, c->last_line, "", 0, "E-GO-LAST",
				"the file does not end with a GO record (訪問看護療養費請求書)");
		if (!c->seen_go && c->receipt_no == 0)
			ck_diag(c, c->last_line, "", 0, "E-NO-RECEIPT",
				"the file holds no receipt: at least one RE ... must come between HM and GO");
	}
}

static int run(struct ck_ctx *c, struct hk_uke_reader *rd, struct hk_err *err)
{
	if (run_records(c, rd, err) < 0)
		return -1;
	run_end(c);
	return 0;
}

/* The memos of one reading of a file (hk_check_file(), each of its halves,
 * hk_check_mem()): in one allocation on huge pages, as thread_state()'s. */
struct ck_file_memos {
	struct ck_rmemo rmemo;
	struct ck_memo memo;
	void *raw;              /* the allocation this lies in */
};

static void memos_new(struct ck_ctx *c)
{
	void *raw = hk_calloc(1, sizeof(struct ck_file_memos) + HUGE_PAGE);
	struct ck_file_memos *m =
		(struct ck_file_memos *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));

	huge_pages(m, sizeof(*m)); /* before the first touch */
	m->raw = raw;
	c->rmemo = &m->rmemo;
	c->memo = &m->memo;
}

static void memos_free(struct ck_ctx *c)
{
	if (c->rmemo)
		hk_free(((struct ck_file_memos *)(void *)c->rmemo)->raw);
	c->rmemo = NULL;
	c->memo = NULL;
}

/* t: the calling thread's state to use (its memos and storage), or NULL for
 * a context of its own */
static void ctx_init(struct ck_ctx *c, const char *name, const struct hk_check_opts *o, hk_diag_fn fn,
		     void *ctx, struct hk_check_stats *st, struct ck_thread *t)
{
	memset(c, 0, sizeof(*c));
	memset(st, 0, sizeof(*st));
	c->file = name;
	c->o = o;
	c->fn = fn;
	c->fnctx = ctx;
	c->st = st;
	c->ndiag_first = -1;
	if (t) {
		c->b = &t->b;
		/* empty unless the last call stopped early (a read error) */
		t->b.nrecs = 0;
		t->b.nfields = 0;
		hk_buf_reset(&t->b.arena);
		c->recs = t->b.recs;
		c->cm = &t->cm;
		c->memo = &t->memo;
		c->rmemo = &t->rmemo;
		t->rmemo.next_off = 0; /* (an offset into other bytes) */
		c->thread = true;
	} else {
		c->b = batch_new();
		c->cm = hk_calloc(1, sizeof(*c->cm));
	}
}

const struct hk_master *ck_master_for(struct ck_ctx *c, int y, int m)
{
	struct hk_date first = {y, m, 1};
	struct hk_err err;

	if (c->o && c->o->master && hk_master_covers(c->o->master, first))
		return c->o->master;
	if (c->own_master && hk_master_covers(c->own_master, first))
		return c->own_master;
	err.code = 0;
	err.msg[0] = '\0';
	if (!c->o || !c->o->master_root || c->master_failed_ym == y * 12 + m)
		return NULL;
	hk_master_free(c->own_master);
	c->own_master = NULL;
	if (c->memo)
		c->memo->m = NULL; /* its answers were about the master just freed */
	if (hk_master_load(c->o->master_root, first, &c->own_master, &err) < 0) {
		c->master_failed_ym = y * 12 + m;
		ck_diag(c, 0, "", 0, "W-NO-MASTER",
			"no 訪問看護療養費マスター for %04d%02d, the KA master rules are skipped: %s", y, m,
			err.msg);
		return NULL;
	}
	return c->own_master;
}

static void ctx_free(struct ck_ctx *c)
{
	hk_master_free(c->own_master);
	if (c->thread)
		return; /* the rest is the thread's */
	memos_free(c);
	hk_free(c->cm);
	batch_free(c->b);
}

/*
 * Two threads for a large file.  The caller's thread checks the file from its
 * start up to a boundary near the middle (the start of an RE record) while a
 * second thread checks from the boundary to the end, keeping its diagnostics.
 * The second half is checked as if the first half had ended in the state the
 * first half usually ends in: no file-level report made yet, no GO, the 請求年月
 * of the HM on the first line, as many receipts as the first RE of the second
 * half says (レセプト番号 - 1), and no diagnostic on that RE record.  When the
 * first half reaches the boundary in exactly that state, the second half's
 * diagnostics are what one thread would have said (their line numbers moved
 * by the first half's lines), and are passed on; otherwise they are dropped
 * and the caller's thread goes on through the second half itself.  Either way
 * the callback gets the same calls, in the same order, on the caller's thread.
 */
#define SPLIT_MIN_BYTES (8u << 20)
#define SPLIT_SCAN (64u << 10)  /* bytes looked at for the boundary */
#define SPLIT_MAX_DIAGS 4096    /* diagnostics the second half keeps (else it gives up) */

struct ck_split {
	const char *path;
	unsigned long long at;  /* the boundary: a file offset */
	long receipts_before;   /* receipts the first half should hold */
	char claim_month[7];    /* HM 請求年月 of the first line, as the first half should find it */
	atomic_bool cancel;     /* set by the caller's thread: the second half is not needed */
	/* the second half's result */
	struct ck_ctx w;
	struct hk_check_stats st;
	struct hk_diag *diags;
	size_t ndiags, adiags;
	bool failed;            /* too many diagnostics, one that names a line, or an error */
};

static void split_keep(void *ctx, const struct hk_diag *d)
{
	struct ck_split *sp = ctx;

	/* E-GO-LAST and E-GO-DUP may name the GO record's line, a number the
	 * second half does not know */
	if (sp->failed || sp->ndiags == SPLIT_MAX_DIAGS || strcmp(d->code, "E-GO-LAST") == 0 ||
	    strcmp(d->code, "E-GO-DUP") == 0) {
		sp->failed = true;
		return;
	}
	if (sp->ndiags == sp->adiags) {
		sp->adiags = sp->adiags ? sp->adiags * 2 : 64;
		sp->diags = hk_realloc(sp->diags, sp->adiags * sizeof(*sp->diags));
	}
	sp->diags[sp->ndiags] = *d;
	/* the reader's diagnostics name the file by the second reader's copy
	 * of the path, gone with it */
	sp->diags[sp->ndiags++].file = sp->path;
}

static void *split_worker(void *arg)
{
	struct ck_split *sp = arg;
	struct ck_ctx *w = &sp->w;
	struct hk_uke_reader *rd;
	struct hk_err err = {0};

	rd = hk_uke_open_at(sp->path, sp->at, w->o ? w->o->reader_flags : HK_UKE_STRICT, on_reader_diag,
			    w, &err);
	if (!rd) {
		sp->failed = true;
		return NULL;
	}
	w->hold = rd;
	if (run_records(w, rd, &err) == 0)
		run_end(w);
	else
		sp->failed = true;
	hk_uke_close(rd);
	return NULL;
}

/* The boundary of a file of size bytes: the first "\r\nRE,<digits>," after
 * its middle, and the receipts before it (レセプト番号 - 1); the 請求年月 of
 * an HM on the first line.  False: no boundary found. */
static bool split_find(struct ck_split *sp, unsigned long long size)
{
	unsigned char *buf = hk_malloc(SPLIT_SCAN);
	bool found = false;
	ssize_t n;
	int fd = open(sp->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		goto out;
	/* HM,...: the 7th field when it is 6 bytes */
	n = pread(fd, buf, 512, 0);
	if (n > 3 && memcmp(buf, "HM,", 3) == 0) {
		ssize_t k = 0, f = 1, from = 0;
		for (; k < n && buf[k] != '\r' && buf[k] != '\n'; k++) {
			if (buf[k] != ',')
				continue;
			if (++f == 7)
				from = k + 1;
			else if (f == 8)
				break;
		}
		if (f >= 7 && k - from == 6)
			memcpy(sp->claim_month, buf + from, 6);
	}
	n = pread(fd, buf, SPLIT_SCAN, (off_t)(size / 2));
	for (ssize_t k = 0; n > 0 && k + 5 < n && !found; k++) {
		long num = 0;
		ssize_t j;
		if (buf[k] != '\r' || memcmp(buf + k + 1, "\nRE,", 4) != 0)
			continue;
		for (j = k + 5; j < n && j < k + 15 && buf[j] >= '0' && buf[j] <= '9'; j++)
			num = num * 10 + (buf[j] - '0');
		if (j == k + 5 || j >= n || buf[j] != ',' || num < 1)
			continue;
		sp->at = size / 2 + (unsigned long long)k + 2;
		sp->receipts_before = num - 1;
		found = true;
	}
	close(fd);
out:
	hk_free(buf);
	return found;
}

/* Whether the first half ended where and as the second half assumed. */
static bool split_holds(const struct ck_ctx *c, struct hk_uke_reader *rd, const struct ck_split *sp)
{
	return !sp->failed && sp->w.ndiag_first == 0 && hk_uke_quiet(rd) && c->nrecords > 0 &&
	       !c->seen_go && c->receipt_no == sp->receipts_before && c->master_failed_ym == 0 &&
	       strcmp(c->claim_month, sp->claim_month) == 0;
}

/* Whether hk_check_file() uses two threads on path: files from
 * SPLIT_MIN_BYTES up, on a machine with two cores or more.  HOUKAN_CHECK_PIPE=1
 * or 0 decides instead (tests compare both ways). */
static bool want_split(const char *path, unsigned long long *size)
{
	const char *env = getenv("HOUKAN_CHECK_PIPE");
	struct stat sb;

	if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return false;
	*size = (unsigned long long)sb.st_size;
	if (env && *env)
		return strcmp(env, "0") != 0;
	if (*size < SPLIT_MIN_BYTES)
		return false;
	return sysconf(_SC_NPROCESSORS_ONLN) >= 2;
}

/* Check c's file on two threads as above (rd: c's reader, at the start). */
static int check_split(struct ck_ctx *c, struct hk_uke_reader *rd, unsigned long long size,
		       struct hk_err *err)
{
	struct ck_split *sp = hk_calloc(1, sizeof(*sp));
	pthread_t th;
	bool started = false;
	int rc;

	sp->path = c->file;
	atomic_init(&sp->cancel, false);
	ctx_init(&sp->w, c->file, c->o, split_keep, sp, &sp->st, NULL);
	if (split_find(sp, size)) {
		memos_new(&sp->w);
		sp->w.cancel = &sp->cancel;
		sp->w.nrecords = 1; /* not the first record of the file */
		sp->w.receipt_no = sp->receipts_before;
		memcpy(sp->w.claim_month, sp->claim_month, sizeof(sp->claim_month));
		started = pthread_create(&th, NULL, split_worker, sp) == 0;
	}
	if (started)
		c->stop_at = sp->at;
	rc = run_records(c, rd, err);
	if (started && rc != 1)
		atomic_store(&sp->cancel, true);
	if (started)
		pthread_join(th, NULL);
	if (rc == 1 && split_holds(c, rd, sp)) {
		long lines = hk_uke_line(rd);
		/* what the second half's first record (an RE) would have done */
		finish_receipt(c);
		for (size_t i = 0; i < sp->ndiags; i++) {
			if (sp->diags[i].line)
				sp->diags[i].line += lines;
			emit(c, &sp->diags[i]);
		}
		c->st->receipts += sp->st.receipts;
		rc = 0;
		goto out;
	}
	c->stop_at = 0;
	if (rc == 1)
		rc = run_records(c, rd, err);
	if (rc >= 0) {
		run_end(c);
		rc = 0;
	}
out:
	ctx_free(&sp->w);
	hk_free(sp->diags);
	hk_free(sp);
	return rc;
}

int hk_check_file(const char *path, const struct hk_check_opts *o, hk_diag_fn fn, void *ctx,
		  struct hk_check_stats *st, struct hk_err *err)
{
	struct ck_ctx c;
	struct hk_uke_reader *rd;
	unsigned long long size = 0;
	int rc = -1;

	ctx_init(&c, path, o, fn, ctx, st, NULL);
	memos_new(&c);
	rd = hk_uke_open(path, o ? o->reader_flags : HK_UKE_STRICT, on_reader_diag, &c, err);
	if (!rd)
		goto out;
	c.hold = rd;
	if (want_split(path, &size))
		rc = check_split(&c, rd, size, err);
	else
		rc = run(&c, rd, err);
	hk_uke_close(rd);
out:
	ctx_free(&c);
	return rc;
}

int hk_check_mem(const void *data, size_t len, const char *name, const struct hk_check_opts *o,
		 hk_diag_fn fn, void *ctx, struct hk_check_stats *st, struct hk_err *err)
{
	struct ck_ctx c;
	struct hk_uke_reader *rd;
	int rc = -1;

	ctx_init(&c, name, o, fn, ctx, st, NULL);
	memos_new(&c);
	rd = hk_uke_open_mem(data, len, name, o ? o->reader_flags : HK_UKE_STRICT, on_reader_diag, &c);
	if (!rd) {
		hk_err_set(err, HK_EXIT_INTERNAL, "%s: cannot open a memory reader", name);
		goto out;
	}
	rc = run(&c, rd, err);
	hk_uke_close(rd);
out:
	ctx_free(&c);
	return rc;
}

int hk_check_receipt_mem(const void *data, size_t len, const char *name, const char *claim_month,
			 long receipt_no, const struct hk_check_opts *o, hk_diag_fn fn, void *ctx,
			 struct hk_check_stats *st, struct hk_err *err)
{
	struct ck_thread *t = thread_state();
	struct ck_ctx c;
	struct hk_uke_reader *rd;
	unsigned flags = o ? o->reader_flags : HK_UKE_STRICT;
	const unsigned char *d = data;
	char *copy = NULL;
	int rc = -1;

	ctx_init(&c, name, o, fn, ctx, st, t);
	c.fragment = true;
	c.receipt_no = receipt_no > 0 ? receipt_no - 1 : 0;
	if (claim_month && strlen(claim_month) == 6)
		memcpy(c.claim_month, claim_month, 7);
	if (t && len >= 2 && d[len - 2] == '\r' && d[len - 1] == '\n' && !memchr(d, 0x1A, len)) {
		/* the usual receipt: read in place, as if 0x1A followed */
		rd = t->rd = hk_uke_mem_fragment(t->rd, data, len, name, flags, on_reader_diag, &c);
	} else {
		/* the receipt's records followed by the 0x1A the reader expects at the end */
		copy = hk_malloc(len + 1);
		if (len)
			memcpy(copy, data, len);
		copy[len] = 0x1A;
		rd = hk_uke_open_mem(copy, len + 1, name, flags, on_reader_diag, &c);
	}
	if (!rd) {
		hk_err_set(err, HK_EXIT_INTERNAL, "%s: cannot open a memory reader", name);
		goto out;
	}
	/* the records stay in the reader's bytes while they are checked
	 * (ck_rec.raw, an offset into them, has 32 bits) */
	if (len < UINT32_MAX) {
		c.in_place = true;
		c.adata = copy ? copy : data;
		if (!copy) {
			c.hints = t->hint;
			c.nhints = rm_prefetch(t, data, len);
		}
	}
	rc = run(&c, rd, err);
	if (copy)
		hk_uke_close(rd);
out:
	ctx_free(&c);
	hk_free(copy);
	return rc;
}
