/*
 * writer.c - writes RECEIPTH.UKE records from UTF-8 values, walking the
 * layout tables of records.c.  Rules (docs/uke-format.md "Writer"):
 *  - 記録条件仕様 2(3)ウ(ウ): 固定 items at their maximum bytes, 可変 items up to
 *    the last significant character (trailing spaces never written); 数字 可変
 *    without leading zeros ("001" -> "1") or trailing fractional zeros, except
 *    codes (a 別表, a concatenated code or a keepzero field);
 *  - HO 保険者番号 right-aligned with spaces (2(4)ウ(ア)); KO 受給者番号 zero-padded
 *    to 7 (2(4)ウ(イ)); SN 枝番 zero-padded to 2 (2(4)ウ(ウ));
 *  - 英数又は漢字: all half-width or all full-width, never mixed;
 *  - no ',' or '"' in a value (2(3)エ: the quote is not used, so there is no
 *    escaping); CR LF after every record; 0x1A after the last one.
 */
#include <pthread.h>
#include <string.h>
#include "base/csv.h"
#include "receipt/uke.h"

static pthread_once_t fast_once = PTHREAD_ONCE_INIT;
static void fast_init(void);

void hk_uke_writer_init(struct hk_uke_writer *w, struct hk_buf *out, const char *name,
			hk_diag_fn diag, void *ctx)
{
	pthread_once(&fast_once, fast_init);
	w->out = out;
	w->line = 0;
	w->diag = diag;
	w->ctx = ctx;
	w->name = name ? name : "RECEIPTH.UKE";
}

static const char *mode_name(enum hk_mode m)
{
	switch (m) {
	case HK_MODE_N: return "数字";
	case HK_MODE_X: return "英数";
	case HK_MODE_K: return "漢字";
	default: return "英数又は漢字";
	}
}

struct bad_ctx {
	struct hk_uke_writer *w;
	const struct hk_record_def *def;
	int field;      /* 1-based, 1 = record id */
	const char *value;
};

static void on_bad(void *vctx, unsigned long cp, size_t idx)
{
	struct bad_ctx *b = vctx;
	struct hk_diag d;
	char ch[5];

	if (!b->w->diag)
		return;
	ch[hk_utf8_encode(cp, ch)] = '\0';
	memset(&d, 0, sizeof d);
	d.file = b->w->name;
	d.line = b->w->line + 1;
	memcpy(d.rec, b->def->id, 3);
	d.field = b->field;
	d.severity = HK_WARNING;
	d.code = "W-CHAR-REPLACED";
	snprintf(d.msg, sizeof d.msg,
		 "%s field %d (%s): character %zu U+%04lX %s is outside the allowed repertoire "
		 "(作成手引き 別紙4); written as ？",
		 b->def->id, b->field, b->def->fields[b->field - 1].name, idx + 1, cp,
		 cp >= 0x20 && cp != 0x7F ? ch : "");
	b->w->diag(b->w->ctx, &d);
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* 数字: digits with at most one '.' (記録条件仕様 2(3)ウ(ウ) 数字 可変). */
static bool is_number(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);
	if (!dot)
		return n > 0 && all_digits(s, n);
	return dot > s && (size_t)(dot - s) < n - 1 && all_digits(s, (size_t)(dot - s)) &&
	       all_digits(dot + 1, n - (size_t)(dot - s) - 1);
}

/* Leading zeros and trailing fractional zeros suppressed: "001"->"1",
 * "1.10"->"1.1", "0.00"->"0", "1.0"->"1".  In place; returns the new start. */
static const char *suppress_zeros(const char *s, size_t *n)
{
	const char *dot = memchr(s, '.', *n);
	size_t len = *n;

	if (dot) {
		while (len > 0 && s[len - 1] == '0')
			len--;
		if (len > 0 && s[len - 1] == '.')
			len--;
	}
	while (len > 1 && s[0] == '0' && s[1] != '.') {
		s++;
		len--;
	}
	*n = len;
	return s;
}

/* What put_field() needs to know of a byte of a value. */
enum {
	B_BAD = 1,       /* ',' '"' (2(3)エ) or a control character: refused */
	B_NONDIGIT = 2,  /* not '0'-'9' */
	B_HIGH = 4,      /* >= 0x80: part of a UTF-8 sequence, not ASCII */
};
#define B_CLASS(c)                                                                         \
	(((c) < 0x20 || (c) == 0x7F || (c) == ',' || (c) == '"' ? B_BAD : 0) |            \
	 ((c) < '0' || (c) > '9' ? B_NONDIGIT : 0) | ((c) >= 0x80 ? B_HIGH : 0))
#define B_CLASS4(c) B_CLASS(c), B_CLASS((c) + 1), B_CLASS((c) + 2), B_CLASS((c) + 3)
#define B_CLASS16(c) B_CLASS4(c), B_CLASS4((c) + 4), B_CLASS4((c) + 8), B_CLASS4((c) + 12)
#define B_CLASS64(c) B_CLASS16(c), B_CLASS16((c) + 16), B_CLASS16((c) + 32), B_CLASS16((c) + 48)
static const unsigned char byte_class[256] = {
	B_CLASS64(0), B_CLASS64(64), B_CLASS64(128), B_CLASS64(192)
};

/*
 * What put_field()'s fast path (an ASCII value that goes as it is) asks of a
 * field, worked out once per field of each layout (fast_init()):
 *  - the low bits: the byte classes that send a value to the slow path
 *    (B_BAD and B_HIGH always, B_NONDIGIT in 数字); F_NEVER for 漢字, which
 *    no ASCII value satisfies (put_field()'s cls always has F_NEVER set);
 *  - F_LEADZERO: 数字 可変 whose leading zeros are suppressed: a value
 *    "0..." longer than one byte is not written as it is;
 *  - F_TRAIL: 英数/英数又は漢字 可変: a trailing space is not written;
 *  - F_SHORT: a value shorter than the maximum goes unpadded (可変, and not
 *    HO 保険者番号, KO 受給者番号 or SN 枝番, which finish_field() pads).
 */
enum {
	F_NEVER = 8,
	F_LEADZERO = 16,
	F_TRAIL = 32,
	F_SHORT = 64,
};
#define FAST_NDEFS 32
static unsigned char fast_tab[FAST_NDEFS][HK_MAX_FIELDS];

static unsigned char fast_of(const struct hk_record_def *def, int fno)
{
	const struct hk_field_def *f = &def->fields[fno - 1];
	unsigned fl = B_BAD | B_HIGH;
	bool special = (fno == 2 && def->id[0] == 'H' && def->id[1] == 'O') ||
		       (fno == 3 && def->id[0] == 'K' && def->id[1] == 'O') ||
		       (fno == 7 && def->id[0] == 'S' && def->id[1] == 'N');

	if (f->mode == HK_MODE_N) {
		fl |= B_NONDIGIT;
		if (!f->fixed && !f->table && !f->code_width && !f->keepzero)
			fl |= F_LEADZERO;
	} else if (f->mode != HK_MODE_X && f->mode != HK_MODE_XK) {
		fl |= F_NEVER;
	}
	if (!f->fixed && f->mode != HK_MODE_N)
		fl |= F_TRAIL;
	if (!f->fixed && !special)
		fl |= F_SHORT;
	return (unsigned char)fl;
}

/* def_at[(a - 'A') * 26 + b - 'A']: 1 + the index in hk_record_defs of the
 * layout of record id "ab" (0: none), filled with fast_tab */
static unsigned char def_at[26 * 26];

static void fast_init(void)
{
	size_t d;
	int i;

	_Static_assert(FAST_NDEFS < UINT8_MAX, "def_at[] holds an index of fast_tab");
	for (d = 0; d < hk_nrecord_defs && d < FAST_NDEFS; d++) {
		const char *id = hk_record_defs[d].id;
		for (i = 1; i <= hk_record_defs[d].nfields && i <= HK_MAX_FIELDS; i++)
			fast_tab[d][i - 1] = fast_of(&hk_record_defs[d], i);
		/* (the first layout of an id, as hk_record_def_find() finds it) */
		if (id[0] >= 'A' && id[0] <= 'Z' && id[1] >= 'A' && id[1] <= 'Z' &&
		    !def_at[(id[0] - 'A') * 26 + id[1] - 'A'])
			def_at[(id[0] - 'A') * 26 + id[1] - 'A'] = (unsigned char)(d + 1);
	}
}

/* The row of fast_tab of def's fields (fast_of() of field i + 1 at i), or
 * NULL when def has none (then fast_of() is asked per field).  A row
 * not filled yet (all 0: a filled entry has B_BAD) is none. */
static const unsigned char *fast_row(const struct hk_record_def *def)
{
	size_t d = (size_t)(def - hk_record_defs);

	if (d < hk_nrecord_defs && d < FAST_NDEFS && def->nfields <= HK_MAX_FIELDS &&
	    fast_tab[d][0])
		return fast_tab[d];
	return NULL;
}

/*
 * A buffer on the caller's stack: alloc is one more than the cap (room for the
 * NUL), so an append either fits or fails on the cap, exactly as a heap
 * buffer of that cap would, and it never reallocates (so it is never freed).
 */
#define STACK_BUF(mem, cap) \
	{ .data = (mem), .len = 0, .alloc = sizeof(mem), .limit = (cap), .limit_name = "HK_MAX_RECORD_BYTES" }

/* hk_buf_add() to the record, done here when it fits (below the cap it does). */
static inline int rec_add(struct hk_buf *rec, const char *p, size_t n, struct hk_err *err)
{
	if (n < rec->alloc - rec->len) {
		memcpy(rec->data + rec->len, p, n);
		rec->len += n;
		rec->data[rec->len] = '\0';
		return 0;
	}
	return hk_buf_add(rec, p, n, err);
}

#define FERR(...)                                                                   \
	do {                                                                        \
		hk_err_set(err, HK_EXIT_INPUT, __VA_ARGS__);                         \
		hk_err_prefix(err, "%s line %ld: %s field %d (%s)", w->name, w->line + 1, \
			      def->id, fno, f->name);                                 \
		return -1;                                                          \
	} while (0)

/* The value v (bytes: its Shift_JIS, nchars characters, nwide of them
 * two-byte) checked against the field's mode and size, padded, into rec. */
static int finish_field(struct hk_uke_writer *w, const struct hk_record_def *def, int fno,
			const char *v, const char *bytes, size_t nbytes, size_t nchars, size_t nwide,
			struct hk_buf *rec, struct hk_err *err)
{
	const struct hk_field_def *f = &def->fields[fno - 1];
	size_t left = 0, right = 0, i;
	char lch = ' ';
	bool rwide = false;

	switch (f->mode) {
	case HK_MODE_N:
	case HK_MODE_X:
		if (nwide)
			FERR("\"%s\" has full-width characters; モード %s takes half-width only",
			     v, mode_name(f->mode));
		break;
	case HK_MODE_K:
		if (nwide != nchars)
			FERR("\"%s\" has half-width characters; モード 漢字 takes full-width only", v);
		break;
	case HK_MODE_XK:
		if (nwide && nwide != nchars)
			FERR("\"%s\" mixes half-width and full-width characters (モード 英数又は漢字: "
			     "one or the other)", v);
		break;
	}
	if (nbytes > f->max)
		FERR("\"%s\" is %zu bytes; the maximum is %u", v, nbytes, f->max);

	/* padding of short values */
	if (nbytes > 0 && nbytes < f->max) {
		size_t gap = f->max - nbytes;
		bool ho_insurer = fno == 2 && def->id[0] == 'H' && def->id[1] == 'O';
		bool ko_jukyu = fno == 3 && def->id[0] == 'K' && def->id[1] == 'O';
		bool sn_edaban = fno == 7 && def->id[0] == 'S' && def->id[1] == 'N' &&
				 all_digits(bytes, nbytes);
		if (ho_insurer) {
			/* 2(4)ウ(ア) 保険者番号: "先頭から“スペース”を記録し、８桁で記録する" */
			left = gap;
			lch = ' ';
		} else if (ko_jukyu || sn_edaban || (f->fixed && f->mode == HK_MODE_N)) {
			/* 2(4)ウ(イ) 受給者番号, 2(4)ウ(ウ) 枝番: "先頭から“0”を記録"; 数字 固定 */
			left = gap;
			lch = '0';
		} else if (f->fixed) {
			/* 英数/漢字 固定: full width, spaces of the value's mode on the right */
			right = gap;
			rwide = f->mode == HK_MODE_K || (f->mode == HK_MODE_XK && nwide);
		}
	}
	for (i = 0; i < left; i++)
		if (hk_buf_addc(rec, lch, err) < 0)
			return -1;
	if (rec_add(rec, bytes, nbytes, err) < 0)
		return -1;
	for (i = 0; i < right; i += rwide ? 2 : 1)
		if (rec_add(rec, rwide ? "\x81\x40" : " ", rwide ? 2 : 1, err) < 0)
			return -1;
	return 0;
}

/* A value that is not all ASCII: to Shift_JIS (characters outside the
 * repertoire become ？ with a warning), then finish_field(). */
static int encode_field(struct hk_uke_writer *w, const struct hk_record_def *def, int fno,
			const char *v, size_t n, struct hk_buf *rec, struct hk_err *err)
{
	const struct hk_field_def *f = &def->fields[fno - 1];
	char tmpmem[HK_MAX_RECORD_BYTES + 1];
	struct hk_buf tmp = STACK_BUF(tmpmem, HK_MAX_RECORD_BYTES);
	struct bad_ctx bc = { w, def, fno, v };
	size_t nchars = 0, nwide = 0;

	if (n > 0 && hk_utf8_to_sjis_count(v, n, &tmp, &nchars, &nwide, on_bad, &bc, err) < 0) {
		char why[HK_ERR_MSG_MAX]; /* not err->msg itself: hk_err_set writes there */
		hk_snprintf(why, sizeof(why), "%s", err->msg);
		FERR("%s", why);
	}
	return finish_field(w, def, fno, v, tmp.data, tmp.len, nchars, nwide, rec, err);
}

/*
 * The fast path of a non-empty field value v (fl: fast_of() of the field,
 * max its maximum bytes): v scanned and, as far as room (the record's room
 * before its NUL) goes, copied to dst at once.  Most values are ASCII that go
 * as they are, and then the copy is the field: true, *np its bytes.
 * Otherwise false, with v's length in *np and the classes of its bytes in
 * *clsp for put_field(); the bytes copied past the record's end are ignored.
 */
static inline bool put_fast(char *dst, size_t room, const char *v, unsigned fl, size_t max,
			    size_t *np, unsigned *clsp)
{
	unsigned cls = F_NEVER;
	size_t n;

	/* four bytes a round while four fit: one room test per round (the
	 * inner loop is unrolled: its bound is a constant) */
	for (n = 0; n + 4 <= room; n += 4) {
#pragma GCC unroll 4
		for (size_t k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)v[n + k];
			if (!c) {
				n += k;
				goto scanned;
			}
			dst[n + k] = (char)c;
			cls |= byte_class[c];
		}
	}
	for (; n < room && v[n]; n++) {
		cls |= byte_class[(unsigned char)v[n]];
		dst[n] = v[n];
	}
	for (; v[n]; n++)
		cls |= byte_class[(unsigned char)v[n]];
scanned:
	*np = n;
	*clsp = cls;
	/* what finish_field() would write: no zeros to suppress, no trailing
	 * space, no padding, the mode and size respected */
	return !(cls & fl) && n <= room && n <= max && n > 0 &&
	       (!(fl & F_LEADZERO) || v[0] != '0' || n == 1) &&
	       (!(fl & F_TRAIL) || v[n - 1] != ' ') && (n == max || (fl & F_SHORT));
}

/* A non-empty field value v that put_fast() did not write (n: its length,
 * cls: the classes of its bytes), encoded and padded into rec (the record
 * being built). */
static int put_field(struct hk_uke_writer *w, const struct hk_record_def *def, int fno,
		     const char *v, size_t n, unsigned cls, struct hk_buf *rec, struct hk_err *err)
{
	const struct hk_field_def *f = &def->fields[fno - 1];

	rec->data[rec->len] = '\0';
	if (cls & B_BAD) {
		/* the first byte the format cannot carry */
		for (n = 0; !(byte_class[(unsigned char)v[n]] & B_BAD); n++)
			;
		if (v[n] == ',' || v[n] == '"')
			FERR("value contains '%c', which the file format cannot carry", v[n]);
		FERR("value contains the control character 0x%02X", (unsigned char)v[n]);
	}
	if (f->mode == HK_MODE_N) {
		if ((cls & B_NONDIGIT) && !is_number(v, n))
			FERR("\"%s\" is not a number (モード 数字: half-width digits)", v);
		if (!f->fixed && !f->table && !f->code_width && !f->keepzero)
			v = suppress_zeros(v, &n);
	}
	/* trailing spaces are never written in 可変 items (2(3)ウ(ウ)) */
	if (!f->fixed && f->mode != HK_MODE_N) {
		while (n > 0 && v[n - 1] == ' ')
			n--;
		while (n >= 3 && v[n - 1] == '\x80' && v[n - 2] == '\x80' && v[n - 3] == '\xE3')
			n -= 3;  /* U+3000 */
	}
	/* printable ASCII (controls were refused above) is its own Shift_JIS
	 * (JIS X 0201 roman): one byte per character */
	if (!(cls & B_HIGH) && n <= HK_MAX_RECORD_BYTES)
		return finish_field(w, def, fno, v, v, n, n, 0, rec, err);
	return encode_field(w, def, fno, v, n, rec, err);
}
#undef FERR

/* The layout of record id (2 bytes): hk_record_def_find(), by def_at[] for
 * an id of two capital letters that it knows (filled by hk_uke_writer_init();
 * any other id is searched for). */
static const struct hk_record_def *find_def(const char *id)
{
	unsigned a, b, k;

	if (!id || !id[0] || !id[1] || id[2])
		return NULL;
	a = (unsigned)(unsigned char)id[0] - 'A';
	b = (unsigned)(unsigned char)id[1] - 'A';
	if (a < 26 && b < 26 && (k = def_at[a * 26 + b]) != 0)
		return &hk_record_defs[k - 1];
	return hk_record_def_find(id, 2);
}

int hk_uke_write(struct hk_uke_writer *w, const char *id, const char *const *values,
		 int nvalues, struct hk_err *err)
{
	const struct hk_record_def *def = find_def(id);
	const unsigned char *ft;
	size_t len;
	char recmem[HK_MAX_RECORD_BYTES + 3];
	struct hk_buf rec = STACK_BUF(recmem, HK_MAX_RECORD_BYTES + 2);
	int i;

	if (!def)
		return hk_err_set(err, HK_EXIT_INPUT, "%s line %ld: \"%s\" is not a record id of the nursing file",
				  w->name, w->line + 1, id ? id : "");
	if (nvalues < 0 || nvalues > def->nfields - 1)
		return hk_err_set(err, HK_EXIT_INPUT, "%s line %ld: %s takes %d values after the id, got %d",
				  w->name, w->line + 1, def->id, def->nfields - 1, nvalues);
	if (rec_add(&rec, def->id, 2, err) < 0)
		return -1;
	ft = fast_row(def);
	/* the fields given values, then the rest (empty: nothing between their
	 * commas); each comma is rec_add(&rec, ",", 1, err) but for the NUL,
	 * which the next field or the record's end puts.  The record's length
	 * is kept in len while the fast path writes (recmem is rec.data, and
	 * stays so: a STACK_BUF never moves), in rec.len for anything else. */
	len = rec.len;
	for (i = 1; i <= nvalues; i++) {
		const char *v = values[i - 1];
		size_t n;
		unsigned cls;

		if (len + 1 < rec.alloc) {
			recmem[len++] = ',';
		} else {
			rec.len = len;
			if (rec_add(&rec, ",", 1, err) < 0)
				return -1;
			len = rec.len;
		}
		if (!v || !v[0])
			continue;
		if (put_fast(recmem + len, rec.alloc - len - 1, v,
			     ft ? ft[i] : fast_of(def, i + 1), def->fields[i].max, &n, &cls)) {
			len += n;
			continue;
		}
		rec.len = len;
		if (put_field(w, def, i + 1, v, n, cls, &rec, err) < 0)
			return -1;
		len = rec.len;
	}
	rec.len = len;
	for (; i < def->nfields; i++) {
		if (rec.len + 1 < rec.alloc)
			rec.data[rec.len++] = ',';
		else if (rec_add(&rec, ",", 1, err) < 0)
			return -1;
	}
	if (rec_add(&rec, "\r\n", 2, err) < 0 || hk_buf_add(w->out, rec.data, rec.len, err) < 0)
		return -1;
	w->line++;
	return 0;
}

int hk_uke_writer_finish(struct hk_uke_writer *w, struct hk_err *err)
{
	/* 記録条件仕様 2(3)エ: ＥＯＦコード (1A) after the last 改行コード */
	return hk_buf_addc(w->out, 0x1A, err);
}
