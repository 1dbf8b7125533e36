/*
 * reader.c - the streaming RECEIPTH.UKE reader.
 *
 * Records are cut at CR LF (記録条件仕様 2(3)ウ(ア)), fields at ',' (同(イ)).
 * The reader holds one record at a time in a read buffer of READ_BUF bytes
 * (at least HK_MAX_RECORD_BYTES + CR LF), validates every byte against the
 * repertoire of 作成手引き 別紙4 in the same pass that splits fields, and
 * reports file-level problems through the diag callback with the codes listed
 * in docs/uke-format.md.  Speed: the line end is found with memchr; the field
 * split is one table-driven loop without per-byte calls.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "receipt/uke.h"
#include "receipt/check_int.h"
#include "receipt/sjis_table.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define READ_BUF (1u << 20)
#define LINE_CAP ((size_t)HK_MAX_RECORD_BYTES)

/* byte classes of the field splitter */
enum {
	C_OK = 0,    /* an allowed single-byte character */
	C_LEAD,      /* first byte of a two-byte character */
	C_COMMA,     /* 0x2C field separator */
	C_QUOTE,     /* 0x22: 引用符 "使用しない" (記録条件仕様 2(3)エ) */
	C_EOF,       /* 0x1A */
	C_CTRL,      /* another control byte: outside the repertoire */
	C_BAD,       /* not Shift_JIS at all */
};

struct hk_uke_reader {
	int fd;                  /* -1 for memory */
	bool own_fd;
	unsigned char *buf;      /* file: owned; memory: the caller's data */
	size_t cap, start, end;
	bool eof;                /* no more input beyond buf[end] */
	bool done;
	unsigned long long base; /* file offset of buf[0] */
	char *name;
	unsigned flags;
	hk_diag_fn diag;
	void *ctx;
	long line;
	int n1a;                 /* 0x1A bytes seen */
	bool reported_lf, reported_cr, reported_eofpos, reported_multi;
	bool virtual_eof;        /* memory: read as if the EOF code 0x1A followed buf[end] */
	bool borrowed_name;      /* name is the caller's (hk_uke_mem_fragment()) */
	/* hk_uke_hold(): bytes to tell hold_fn of before they move */
	const unsigned char *hold;
	void (*hold_fn)(void *ctx, const unsigned char *p, size_t n);
	void *hold_ctx;
	/* last: what hk_uke_mem_fragment() keeps */
	unsigned char cls[256];
	/* the layouts of the record ids met (hk_record_def_find() of the id),
	 * by def_index(): key is the id's two bytes | 1 << 16 (0: empty) */
	struct {
		uint32_t key;
		const struct hk_record_def *def;
	} defs[256];
};

static inline unsigned def_index(unsigned char a, unsigned char b)
{
	return (a * 31u + b) & 255u;
}

__attribute__((format(printf, 7, 8)))
static void diag(struct hk_uke_reader *r, long line, const char *rec, int field,
		 enum hk_severity sev, const char *code, const char *fmt, ...)
{
	struct hk_diag d;
	va_list ap;

	if (!r->diag)
		return;
	memset(&d, 0, sizeof d);
	d.file = r->name;
	d.line = line;
	if (rec) {
		d.rec[0] = rec[0];
		d.rec[1] = rec[0] ? rec[1] : '\0';
	}
	d.field = field;
	d.severity = sev;
	d.code = code;
	va_start(ap, fmt);
	vsnprintf(d.msg, sizeof d.msg, fmt, ap);
	va_end(ap);
	r->diag(r->ctx, &d);
}

/* File-layout problems are errors, or warnings in HK_UKE_TOLERANT mode. */
static void layout(struct hk_uke_reader *r, long line, const char *ecode, const char *wcode,
		   const char *msg)
{
	bool tol = (r->flags & HK_UKE_TOLERANT) != 0;
	diag(r, line, "", 0, tol ? HK_WARNING : HK_ERROR, tol ? wcode : ecode, "%s", msg);
}

static void init_classes(struct hk_uke_reader *r)
{
	unsigned c;

	for (c = 0; c < 256; c++) {
		if ((c >= 0x20 && c <= 0x7E) || (c >= 0xA1 && c <= 0xDF))
			r->cls[c] = C_OK;
		else if (hk_sjis_lead_row[c] >= 0)
			r->cls[c] = C_LEAD;
		else if (c < 0x20 || c == 0x7F)
			r->cls[c] = C_CTRL;
		else
			r->cls[c] = C_BAD;
	}
	r->cls[','] = C_COMMA;
	r->cls['"'] = C_QUOTE;
	r->cls[0x1A] = C_EOF;
}

static struct hk_uke_reader *reader_new(const char *name, unsigned flags, hk_diag_fn fn, void *ctx)
{
	struct hk_uke_reader *r = hk_calloc(1, sizeof *r);

	r->fd = -1;
	r->name = hk_strdup(name ? name : "-");
	r->flags = flags;
	r->diag = fn;
	r->ctx = ctx;
	init_classes(r);
	return r;
}

struct hk_uke_reader *hk_uke_open(const char *path, unsigned flags,
				  hk_diag_fn fn, void *ctx, struct hk_err *err)
{
	struct hk_uke_reader *r;
	int fd;

	if (strcmp(path, "-") == 0) {
		fd = 0;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			hk_err_set(err, HK_EXIT_IO, "%s: cannot open: %s", path, strerror(errno));
			return NULL;
		}
	}
	r = reader_new(path, flags, fn, ctx);
	r->fd = fd;
	r->own_fd = fd != 0;
	r->cap = READ_BUF;
	r->buf = hk_malloc(r->cap);
	return r;
}

struct hk_uke_reader *hk_uke_open_at(const char *path, unsigned long long off, unsigned flags,
				     hk_diag_fn fn, void *ctx, struct hk_err *err)
{
	struct hk_uke_reader *r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		hk_err_set(err, HK_EXIT_IO, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (lseek(fd, (off_t)off, SEEK_SET) < 0) {
		hk_err_set(err, HK_EXIT_IO, "%s: cannot seek: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	r = reader_new(path, flags, fn, ctx);
	r->fd = fd;
	r->own_fd = true;
	r->base = off;
	r->cap = READ_BUF;
	r->buf = hk_malloc(r->cap);
	return r;
}

long hk_uke_line(const struct hk_uke_reader *r)
{
	return r->line;
}

bool hk_uke_quiet(const struct hk_uke_reader *r)
{
	return r->n1a == 0 && !r->reported_lf && !r->reported_cr && !r->reported_eofpos &&
	       !r->reported_multi && !r->done;
}

struct hk_uke_reader *hk_uke_open_mem(const void *data, size_t len, const char *name,
				      unsigned flags, hk_diag_fn fn, void *ctx)
{
	struct hk_uke_reader *r = reader_new(name, flags, fn, ctx);

	/* Never written through: the cast only lets one pointer serve both modes. */
	r->buf = (unsigned char *)(uintptr_t)data;
	r->cap = r->end = len;
	r->eof = true;
	return r;
}

struct hk_uke_reader *hk_uke_mem_fragment(struct hk_uke_reader *r, const void *data, size_t len,
					  const char *name, unsigned flags, hk_diag_fn fn, void *ctx)
{
	if (!r) {
		r = hk_calloc(1, sizeof *r);
		init_classes(r);
	} else {
		memset(r, 0, offsetof(struct hk_uke_reader, cls)); /* (cls, defs: kept) */
	}
	r->fd = -1;
	r->name = (char *)(uintptr_t)(name ? name : "-"); /* never written or freed */
	r->borrowed_name = true;
	r->flags = flags;
	r->diag = fn;
	r->ctx = ctx;
	r->buf = (unsigned char *)(uintptr_t)data;
	r->cap = r->end = len;
	r->eof = true;
	r->virtual_eof = true;
	return r;
}

void hk_uke_close(struct hk_uke_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0) {
		if (r->own_fd)
			close(r->fd);
		hk_free(r->buf);
	}
	if (!r->borrowed_name)
		hk_free(r->name);
	hk_free(r);
}

unsigned long long hk_uke_offset(const struct hk_uke_reader *r)
{
	return r->base + r->start;
}

/*
 * The fast path of the field split: a record that ends in CR LF within
 * LINE_CAP bytes, has fewer than HK_MAX_FIELDS fields and only bytes of the
 * repertoire (no quote, control byte or 0x1A) - that is, one about which the
 * general loop in hk_uke_next() would say nothing.  Sixteen bytes at a time
 * give a mask of the commas and one of the other bytes that need a look
 * (below 0x20, 0x22, 0x7F and above); only those are visited.  Returns the
 * record's length (the offset of its CR) with rec->f and rec->nfields set,
 * or (size_t)-1 to leave the record to the general loop.
 */
static inline void block_masks(const unsigned char *q, unsigned *commas, unsigned *others)
{
#if defined(__SSE2__)
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
	__m128i low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)); /* signed: also 0x80-0xFF */
	__m128i del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F));
	__m128i quo = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
	*commas = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')));
	*others = (unsigned)_mm_movemask_epi8(_mm_or_si128(low, _mm_or_si128(del, quo)));
#else
	unsigned cm = 0, om = 0;
	for (unsigned k = 0; k < 16; k++) {
		cm |= (unsigned)(q[k] == ',') << k;
		om |= (unsigned)(q[k] < 0x20 || q[k] >= 0x7F || q[k] == '"') << k;
	}
	*commas = cm;
	*others = om;
#endif
}

static size_t fast_split(const unsigned char *p, size_t avail, struct hk_uke_record *rec)
{
	size_t lim = avail < LINE_CAP + 2 ? avail : LINE_CAP + 2, i, fstart = 0;
	unsigned carry = 0; /* the trail byte of a character begun in the previous block */
	int nf = 0;

	for (i = 0; i + 16 <= lim; i += 16) {
		unsigned cm, om;
		block_masks(p + i, &cm, &om);
		om &= ~carry;
		carry = 0;
		for (;;) {
			/* the commas before the first other byte of the block, then that byte */
			unsigned before = om ? (om & -om) - 1 : ~0u, cb = cm & before;
			cm &= ~before;
			while (cb) {
				size_t k = i + (unsigned)__builtin_ctz(cb);
				cb &= cb - 1;
				if (nf == HK_MAX_FIELDS - 1)
					return (size_t)-1; /* E-FIELDS-MAX */
				rec->f[nf].p = p + fstart;
				rec->f[nf].len = k - fstart;
				nf++;
				fstart = k + 1;
			}
			if (!om)
				break;
			unsigned b = (unsigned)__builtin_ctz(om);
			size_t k = i + b;
			unsigned c = p[k];
			om &= om - 1;
			if (c == '\r') {
				if (k > LINE_CAP || k + 1 >= avail || p[k + 1] != '\n')
					return (size_t)-1;
				rec->f[nf].p = p + fstart;
				rec->f[nf].len = k - fstart;
				rec->nfields = nf + 1;
				return k;
			}
			if (c >= 0xA1 && c <= 0xDF)
				continue; /* JIS X 0201 katakana */
			if (c >= 0x80 && hk_sjis_lead_row[c] >= 0 && k + 1 < lim && p[k + 1] >= 0x40 &&
			    hk_sjis_dec[hk_sjis_lead_row[c]][p[k + 1] - 0x40] > HK_SJIS_OUTSIDE) {
				/* a JIS X 0208 character: its trail byte is no separator */
				if (b == 15)
					carry = 1;
				else
					om &= ~(1u << (b + 1));
				continue;
			}
			return (size_t)-1;
		}
	}
	return (size_t)-1;
}

/* Move the unread bytes to the front and read more.  0 or -1 (err). */
static int refill(struct hk_uke_reader *r, struct hk_err *err)
{
	ssize_t n;

	if (r->eof)
		return 0;
	if (r->start > 0) {
		if (r->hold) {
			const unsigned char *h = r->hold;
			r->hold = NULL;
			r->hold_fn(r->hold_ctx, h, (size_t)(r->buf + r->start - h));
		}
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->base += r->start;
		r->end -= r->start;
		r->start = 0;
	}
	while (r->end < r->cap) {
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return hk_err_set(err, HK_EXIT_IO, "%s: read error: %s", r->name, strerror(errno));
		}
		if (n == 0) {
			r->eof = true;
			break;
		}
		r->end += (size_t)n;
		if (r->end - r->start > LINE_CAP + 2)
			break;
	}
	return 0;
}

/* Skip an over-long record up to and including the next LF. */
static int skip_line(struct hk_uke_reader *r, struct hk_err *err)
{
	for (;;) {
		unsigned char *p = r->buf + r->start;
		unsigned char *nl = memchr(p, '\n', r->end - r->start);
		if (nl) {
			r->start = (size_t)(nl - r->buf) + 1;
			return 0;
		}
		r->start = r->end;
		if (r->eof)
			return 0;
		if (refill(r, err) < 0)
			return -1;
	}
}

/* What follows the last CR LF: exactly one 0x1A (記録条件仕様 2(3)エ). */
static void check_tail(struct hk_uke_reader *r, const unsigned char *p, size_t n)
{
	size_t i;

	if (n == 0) {
		layout(r, 0, "E-NO-EOF", "W-NO-EOF",
		       "the file does not end with the EOF code 0x1A after the last CR LF");
		return;
	}
	/* p[0] == 0x1A here */
	r->n1a++;
	for (i = 1; i < n; i++)
		if (p[i] == 0x1A)
			r->n1a++;
	if (r->n1a > 1 && !r->reported_multi) {
		r->reported_multi = true;
		diag(r, 0, "", 0, HK_ERROR, "E-EOF-MULTI",
		     "the EOF code 0x1A occurs %d times; exactly one is allowed, at the end", r->n1a);
	}
	if (n > 1 && !r->reported_eofpos) {
		size_t k = 1;
		while (k < n && p[k] == 0x1A)
			k++;
		if (k < n) {
			r->reported_eofpos = true;
			diag(r, 0, "", 0, HK_ERROR, "E-EOF-POS",
			     "%zu byte(s) of data after the EOF code 0x1A at byte offset %llu",
			     n - k, r->base + (unsigned long long)(p - r->buf));
		}
	}
}

/* rec's line, bytes, id and layout (its fields are set) */
static void set_record(struct hk_uke_reader *r, struct hk_uke_record *rec, const unsigned char *p, size_t len)
{
	rec->line = r->line;
	rec->raw = p;
	rec->rawlen = len;
	if (rec->f[0].len == 2) {
		/* (compared through locals: rec->id was just written byte by byte) */
		char a = (char)rec->f[0].p[0], b = (char)rec->f[0].p[1];
		rec->id[0] = a;
		rec->id[1] = b;
		rec->id[2] = '\0';
		uint32_t key = (unsigned char)a | (uint32_t)(unsigned char)b << 8 | 1u << 16;
		unsigned i = def_index((unsigned char)a, (unsigned char)b);
		if (r->defs[i].key != key) {
			r->defs[i].key = key;
			r->defs[i].def = hk_record_def_find(rec->id, 2);
		}
		rec->def = r->defs[i].def;
	} else {
		rec->id[0] = '\0';
		rec->def = NULL;
	}
}

void hk_uke_hold(struct hk_uke_reader *r, const unsigned char *p,
		 void (*fn)(void *ctx, const unsigned char *p, size_t n), void *ctx)
{
	r->hold = p;
	r->hold_fn = fn;
	r->hold_ctx = ctx;
}

const unsigned char *hk_uke_peek(const struct hk_uke_reader *r, size_t *avail)
{
	/* a file reader's buffer, or a fragment's bytes (a memory reader of
	 * hk_uke_open_mem() may hold a 0x1A: not offered) */
	if ((!r->virtual_eof && r->fd < 0) || r->done || r->start >= r->end)
		return NULL;
	*avail = r->end - r->start;
	return r->buf + r->start;
}

void hk_uke_take(struct hk_uke_reader *r, size_t len, struct hk_uke_record *rec)
{
	const unsigned char *p = r->buf + r->start;

	r->line++;
	r->start += len + 2;
	set_record(r, rec, p, len);
}

int hk_uke_next(struct hk_uke_reader *r, struct hk_uke_record *rec, struct hk_err *err)
{
	unsigned char *p, *cr, *nl, *e;
	size_t avail, win, len, next;
	bool bare_lf = false, bare_cr = false, truncated = false, tail1a = false;

again:
	if (r->done)
		return 0;
	avail = r->end - r->start;
	if (avail < LINE_CAP + 2 && !r->eof) {
		if (refill(r, err) < 0)
			return -1;
		avail = r->end - r->start;
	}
	if (avail == 0 && r->virtual_eof) {
		/* the EOF code after the last CR LF: what the 0x1A branch below
		 * does with one 0x1A and no E-EOF-MULTI (the data holds no 0x1A) */
		r->n1a++;
		r->done = true;
		return 0;
	}
	if (avail == 0) {
		r->done = true;
		if (r->base + r->start == 0)
			diag(r, 0, "", 0, HK_ERROR, "E-EMPTY", "the file is empty");
		else if (r->line > 0)
			check_tail(r, NULL, 0);
		return 0;
	}
	p = r->buf + r->start;
	if (p[0] == 0x1A) {
		/* After the last CR LF: the EOF code, and nothing after it. */
		unsigned char *q = p;
		size_t n = avail;
		bool more = false;
		/* Is there a record after the 0x1A?  Then it is misplaced and we go on. */
		nl = memchr(p, '\n', avail);
		if (nl && (size_t)(nl - p) + 1 < avail)
			more = true;
		if (!more && !r->eof) {
			/* A huge tail: look at what we have. */
			more = true;
		}
		if (!more) {
			if (r->line == 0) /* the EOF code and no record before it */
				diag(r, 0, "", 0, HK_ERROR, "E-EMPTY", "the file holds no record, only the EOF code 0x1A");
			check_tail(r, q, n);
			r->start = r->end;
			r->done = true;
			return 0;
		}
		/* data follows the 0x1A: report and parse on (so nothing is hidden) */
		r->n1a++;
		if (!r->reported_eofpos) {
			r->reported_eofpos = true;
			diag(r, r->line + 1, "", 0, HK_ERROR, "E-EOF-POS",
			     "the EOF code 0x1A at byte offset %llu is followed by more data",
			     r->base + r->start);
		}
		if (r->n1a > 1 && !r->reported_multi) {
			r->reported_multi = true;
			diag(r, 0, "", 0, HK_ERROR, "E-EOF-MULTI",
			     "the EOF code 0x1A occurs more than once; exactly one is allowed, at the end");
		}
		r->start++;
		goto again;
	}

	len = fast_split(p, avail, rec);
	if (len != (size_t)-1) {
		r->line++;
		r->start += len + 2;
		goto split;
	}
	win = avail < LINE_CAP + 2 ? avail : LINE_CAP + 2;
	cr = memchr(p, '\r', win);
	nl = memchr(p, '\n', cr ? (size_t)(cr - p) : win);
	if (nl) {
		e = nl;
		bare_lf = true;
		next = (size_t)(nl - p) + 1;
	} else if (cr) {
		e = cr;
		if ((size_t)(cr - p) + 1 < avail && cr[1] == '\n') {
			next = (size_t)(cr - p) + 2;
		} else {
			bare_cr = true;
			next = (size_t)(cr - p) + 1;
		}
	} else if (win < LINE_CAP + 2 && r->eof) {
		/* last bytes of the file without a line end */
		e = p + avail;
		next = avail;
		truncated = true;
	} else {
		e = NULL;
		next = 0;
	}
	r->line++;
	if (!e || (size_t)(e - p) > LINE_CAP) {
		diag(r, r->line, "", 0, HK_ERROR, "E-RECORD-LONG",
		     "record longer than %zu bytes (HK_MAX_RECORD_BYTES); skipped to the next line",
		     LINE_CAP);
		if (skip_line(r, err) < 0)
			return -1;
		goto again;
	}
	len = (size_t)(e - p);
	r->start += next;
	if (truncated) {
		/* "GO<1A>": the EOF code without the CR LF before it */
		while (len > 0 && p[len - 1] == 0x1A) {
			len--;
			r->n1a++;
			tail1a = true;
		}
		if (r->n1a > 1 && !r->reported_multi) {
			r->reported_multi = true;
			diag(r, 0, "", 0, HK_ERROR, "E-EOF-MULTI",
			     "the EOF code 0x1A occurs %d times; exactly one is allowed, at the end", r->n1a);
		}
	}

	/* Tokenise and validate: one pass, table driven. */
	{
		const unsigned char *cls = r->cls;
		size_t i = 0, fstart = 0;
		int nf = 0, bad_field = 0;
		bool many = false, quote = false;

		while (i < len) {
			unsigned c = p[i];
			switch (cls[c]) {
			case C_OK:
				i++;
				continue;
			case C_COMMA:
				if (nf < HK_MAX_FIELDS - 1) {
					rec->f[nf].p = p + fstart;
					rec->f[nf].len = i - fstart;
					nf++;
					fstart = i + 1;
				} else if (!many) {
					many = true;
				}
				i++;
				continue;
			case C_LEAD: {
				unsigned v = 0;
				unsigned t = i + 1 < len ? p[i + 1] : 0;
				if (t >= 0x40)
					v = hk_sjis_dec[hk_sjis_lead_row[c]][t - 0x40];
				if (v > HK_SJIS_OUTSIDE) {
					i += 2;
					continue;
				}
				if (bad_field != nf + 1) {
					bad_field = nf + 1;
					if (v == HK_SJIS_OUTSIDE)
						diag(r, r->line, "", nf + 1, HK_ERROR, "E-CHARSET",
						     "field %d: character 0x%02X%02X at byte %zu is outside the "
						     "allowed repertoire (作成手引き 別紙4: NEC/IBM extension or "
						     "user-defined character)", nf + 1, c, t, i + 1);
					else if (t >= 0x40)
						diag(r, r->line, "", nf + 1, HK_ERROR, "E-SJIS",
						     "field %d: bytes 0x%02X%02X at byte %zu are not a JIS X 0208 "
						     "character", nf + 1, c, t, i + 1);
					else
						diag(r, r->line, "", nf + 1, HK_ERROR, "E-SJIS",
						     "field %d: lead byte 0x%02X at byte %zu has no valid second byte",
						     nf + 1, c, i + 1);
				}
				i += t >= 0x40 && t != 0x7F ? 2 : 1;
				continue;
			}
			case C_QUOTE:
				if (!quote) {
					quote = true;
					diag(r, r->line, "", nf + 1, HK_ERROR, "E-QUOTE",
					     "field %d: quote character 0x22 at byte %zu (記録条件仕様: 引用符は使用しない)",
					     nf + 1, i + 1);
				}
				i++;
				continue;
			case C_EOF:
				r->n1a++;
				if (!r->reported_eofpos) {
					r->reported_eofpos = true;
					diag(r, r->line, "", nf + 1, HK_ERROR, "E-EOF-POS",
					     "field %d: EOF code 0x1A at byte %zu inside a record; it belongs "
					     "only after the last CR LF", nf + 1, i + 1);
				}
				i++;
				continue;
			case C_CTRL:
				if (bad_field != nf + 1) {
					bad_field = nf + 1;
					diag(r, r->line, "", nf + 1, HK_ERROR, "E-CHARSET",
					     "field %d: control byte 0x%02X at byte %zu", nf + 1, c, i + 1);
				}
				i++;
				continue;
			default:
				if (bad_field != nf + 1) {
					bad_field = nf + 1;
					diag(r, r->line, "", nf + 1, HK_ERROR, "E-SJIS",
					     "field %d: byte 0x%02X at byte %zu is not Shift_JIS", nf + 1, c, i + 1);
				}
				i++;
				continue;
			}
		}
		rec->f[nf].p = p + fstart;
		rec->f[nf].len = len - fstart;
		nf++;
		rec->nfields = nf;
		if (many)
			diag(r, r->line, "", 0, HK_ERROR, "E-FIELDS-MAX",
			     "more than %d fields (HK_MAX_FIELDS); the rest is kept in field %d",
			     HK_MAX_FIELDS, HK_MAX_FIELDS);
	}

split:
	set_record(r, rec, p, len);

	if (bare_lf && !r->reported_lf) {
		r->reported_lf = true;
		layout(r, r->line, "E-LF", "W-LF",
		       "record ends with LF without CR; records end with CR LF (further occurrences not reported)");
	}
	if (bare_cr && !r->reported_cr) {
		r->reported_cr = true;
		layout(r, r->line, "E-CR", "W-CR",
		       "record ends with CR without LF; records end with CR LF (further occurrences not reported)");
	}
	if (truncated) {
		r->done = true;
		layout(r, r->line, "E-TRUNCATED", "W-TRUNCATED",
		       tail1a ? "the last record is not ended by CR LF before the EOF code 0x1A"
			      : "the last record is not ended by CR LF (truncated file?)");
		if (!tail1a)
			check_tail(r, NULL, 0);
	}
	return 1;
}
