/*
 * eligibility_xml.c - the hardened streaming reader of 資格確認 result XML
 * (see eligibility.h for the contract, docs/eligibility.md for the element
 * list and what is assumed about it).
 *
 * Defence in depth, outermost first:
 *  1. hk_elig_sniff/encoding check on the first bytes: UTF-8 or Shift_JIS
 *     only; UTF-16/32 and NUL bytes are refused.
 *  2. A byte filter between the file and libxml2 (xin_read): any "<!" that
 *     does not open a comment or a CDATA section is a markup declaration
 *     (DOCTYPE, ENTITY, ...) and is refused before libxml2 sees it, so no DTD
 *     is ever parsed, no entity is ever declared and nothing is fetched.  A
 *     run of bytes without '<' longer than HK_MAX_XML_TEXT (plus room for one
 *     tag) is refused as it streams in, so a 100 MB text node costs 64 KiB.
 *     Both encodings are ASCII-compatible and '<' and '!' are never Shift_JIS
 *     trail bytes, so the scan is exact on raw bytes.
 *  3. libxml2 options: XML_PARSE_NONET (and XML_PARSE_NO_XXE when defined);
 *     never NOENT, DTDLOAD, DTDVALID, XINCLUDE or HUGE.
 *  4. xmlSetExternalEntityLoader() with a loader that refuses everything and
 *     counts the attempts (hk_elig_entity_loads; tests assert 0).
 *  5. libxml2's SAX2 push parser with our callbacks only (no tree is ever
 *     built): a DOCTYPE, an entity declaration or an entity reference
 *     reaching a callback, XInclude elements, any node deeper than
 *     HK_MAX_XML_DEPTH and text longer than HK_MAX_XML_TEXT are errors; no
 *     entity exists (getEntity answers none), so every reference but the
 *     five predefined ones is a well-formedness error.
 * Errors are reported in document order: the first problem in the file is
 * the one named, with the line the parser is on.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include "switchover/eligibility.h"
#include "base/buf.h"
#include "base/checkdigit.h"
#include "base/date.h"
#include "base/limits.h"

#define HEAD_MAX 4096
#define CHUNK 65536             /* bytes handed to the parser at a time */
#define CLASSIFY_MAX 65536
/* A text run may also hold the tag that follows it; allow one tag's worth. */
#define RUN_SLACK 4096

/* ---- the byte filter ---- */

struct xin {
	FILE *f;
	const char *mem;
	size_t mlen, mpos;
	char head[HEAD_MAX];
	size_t hlen, hpos;
	int lt;                 /* 0 plain, 1 after '<', 2 after "<!" */
	size_t run;             /* bytes since the last '<' */
	long lines;             /* newlines passed through so far */
	int refused;
	int io_error;
	char why[512];
};

static size_t src_read(struct xin *x, char *buf, size_t len)
{
	size_t n = 0;
	if (x->hpos < x->hlen) {
		n = x->hlen - x->hpos < len ? x->hlen - x->hpos : len;
		memcpy(buf, x->head + x->hpos, n);
		x->hpos += n;
		return n;
	}
	if (x->mem) {
		n = x->mlen - x->mpos < len ? x->mlen - x->mpos : len;
		memcpy(buf, x->mem + x->mpos, n);
		x->mpos += n;
		return n;
	}
	n = fread(buf, 1, len, x->f);
	if (n == 0 && ferror(x->f))
		x->io_error = errno ? errno : EIO;
	return n;
}

static const char *memfind(const char *h, size_t hn, const char *needle)
{
	size_t nn = strlen(needle);
	if (nn == 0 || hn < nn)
		return NULL;
	for (size_t i = 0; i + nn <= hn; i++)
		if (h[i] == needle[0] && memcmp(h + i, needle, nn) == 0)
			return h + i;
	return NULL;
}

/* Says, as precisely as it can, what a refused declaration was trying to do.
 * d points at "<!", n bytes are available. */
static void classify_decl(const char *d, size_t n, char *why, size_t whysz)
{
	const char *p, *q;
	size_t ents = 0, longest = 0;
	int nested = 0;
	if (n < 9 || memcmp(d, "<!DOCTYPE", 9) != 0) {
		size_t k = 0;
		while (k < n && k < 12 && d[k] != '\n' && d[k] != '\r' && (unsigned char)d[k] >= 0x20)
			k++;
		hk_snprintf(why, whysz, "markup declaration '%.*s' refused (only comments and CDATA may start with '<!')",
			    (int)k, d);
		return;
	}
	if ((p = memfind(d, n, "<!ENTITY")) != NULL) {
		q = p + 8;
		while (q < d + n && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
			q++;
		if (q < d + n && *q == '%') {
			hk_snprintf(why, whysz, "DOCTYPE refused: it declares a parameter entity (<!ENTITY %% ...)");
			return;
		}
	}
	for (const char *kw = "SYSTEM"; kw; kw = strcmp(kw, "SYSTEM") == 0 ? "PUBLIC" : NULL) {
		if ((p = memfind(d, n, kw)) != NULL) {
			const char *u = NULL, *e;
			char quote;
			for (q = p + 6; q < d + n; q++)
				if (*q == '"' || *q == '\'')
					break;
			if (q < d + n && strcmp(kw, "PUBLIC") == 0) { /* skip the public id */
				quote = *q;
				for (q++; q < d + n && *q != quote; q++)
					;
				for (q++; q < d + n && *q != '"' && *q != '\''; q++)
					;
			}
			if (q < d + n) {
				quote = *q;
				u = q + 1;
				for (e = u; e < d + n && *e != quote && e - u < 80; e++)
					;
				hk_snprintf(why, whysz, "DOCTYPE refused: it refers to an external resource %s \"%.*s\""
					    " (nothing is fetched)", kw, (int)(e - u), u);
			} else {
				hk_snprintf(why, whysz, "DOCTYPE refused: it refers to an external resource (%s)", kw);
			}
			return;
		}
	}
	for (p = d; (p = memfind(p, (size_t)(d + n - p), "<!ENTITY")) != NULL; p += 8) {
		const char *v, *ve;
		ents++;
		v = memchr(p, '"', (size_t)(d + n - p));
		if (!v)
			v = memchr(p, '\'', (size_t)(d + n - p));
		if (!v)
			continue;
		ve = memchr(v + 1, *v, (size_t)(d + n - v - 1));
		if (!ve)
			ve = d + n;
		if ((size_t)(ve - v) > longest)
			longest = (size_t)(ve - v);
		if (memchr(v + 1, '&', (size_t)(ve - v - 1)))
			nested = 1;
	}
	if (nested)
		hk_snprintf(why, whysz, "DOCTYPE refused: it declares %zu entities that refer to other entities"
			    " (entity expansion, \"billion laughs\")", ents);
	else if (longest > 1024)
		hk_snprintf(why, whysz, "DOCTYPE refused: it declares an entity of %zu bytes"
			    " (quadratic blow-up by repeated references)", longest);
	else if (ents)
		hk_snprintf(why, whysz, "DOCTYPE refused: it declares %zu entit%s; result files have no DTD",
			    ents, ents == 1 ? "y" : "ies");
	else
		hk_snprintf(why, whysz, "DOCTYPE refused: result files have no DTD");
}

static void refuse_decl(struct xin *x, const char *buf, size_t at, size_t len)
{
	/* Collect up to CLASSIFY_MAX bytes from "<!" on, for the message only;
	 * they are never given to libxml2. */
	char *c = hk_malloc(CLASSIFY_MAX);
	size_t n = len - at < CLASSIFY_MAX ? len - at : CLASSIFY_MAX;
	memcpy(c, buf + at, n);
	while (n < CLASSIFY_MAX) {
		size_t k = src_read(x, c + n, CLASSIFY_MAX - n);
		if (k == 0)
			break;
		n += k;
	}
	classify_decl(c, n, x->why, sizeof(x->why));
	hk_free(c);
	x->refused = 1;
}

static long count_nl(const char *b, size_t n)
{
	const char *e = b + n;
	long k = 0;
	while ((b = memchr(b, '\n', (size_t)(e - b))) != NULL) {
		k++;
		b++;
	}
	return k;
}

/* The filter.  Byte for byte it is: count '\n'; refuse a NUL; refuse a
 * byte after "<!" that is not '-' or '['; refuse the byte that makes the run
 * since the last '<' longer than HK_MAX_XML_TEXT + RUN_SLACK; the first of
 * these in the file wins.  Runs between '<' are skipped with memchr. */
static int xin_read(void *ctx, char *buf, int len)
{
	struct xin *x = ctx;
	const size_t cap = HK_MAX_XML_TEXT + RUN_SLACK;
	const char *nul, *lt;
	size_t n, end, i = 0, stop;
	if (x->refused)
		return -1;
	n = src_read(x, buf, (size_t)len);
	if (x->io_error) {
		hk_snprintf(x->why, sizeof(x->why), "read error: %s", strerror(x->io_error));
		x->refused = 1;
		return -1;
	}
	nul = memchr(buf, 0, n);
	end = nul ? (size_t)(nul - buf) : n;
	while (i < end) {
		unsigned char c = (unsigned char)buf[i];
		if (x->lt == 2) {
			if (c != '-' && c != '[') {
				/* rebuild "<!" in front of c for the classifier */
				char *tmp = hk_malloc(n - i + 2);
				x->lines += count_nl(buf, i + 1);
				tmp[0] = '<';
				tmp[1] = '!';
				memcpy(tmp + 2, buf + i, n - i);
				refuse_decl(x, tmp, 0, n - i + 2);
				hk_free(tmp);
				return -1;
			}
			x->lt = 0;
		} else if (x->lt == 1) {
			x->lt = c == '!' ? 2 : 0;
		}
		if (c == '<') {
			x->lt = 1;
			x->run = 0;
			i++;
			continue;
		}
		/* c and every byte before the next '<' lengthen the run (after
		 * "<!" only c: the next byte is looked at above) */
		if (x->lt == 2) {
			stop = i + 1;
		} else {
			lt = memchr(buf + i + 1, '<', end - i - 1);
			stop = lt ? (size_t)(lt - buf) : end;
		}
		if (stop - i > cap - x->run) {
			x->lines += count_nl(buf, i + (cap - x->run) + 1);
			hk_snprintf(x->why, sizeof(x->why),
				    "text longer than HK_MAX_XML_TEXT (%d bytes) refused", HK_MAX_XML_TEXT);
			x->refused = 1;
			return -1;
		}
		x->run += stop - i;
		i = stop;
	}
	x->lines += count_nl(buf, end);
	if (nul) {
		hk_snprintf(x->why, sizeof(x->why), "NUL byte in the file (UTF-8 and Shift_JIS have none)");
		x->refused = 1;
		return -1;
	}
	return (int)n;
}

/* ---- libxml2 set-up ---- */

static long entity_loads;

static xmlParserInputPtr refuse_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	entity_loads++;
	return NULL;
}

long hk_elig_entity_loads(void) { return entity_loads; }

static void silent_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void setup_libxml(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	xmlInitParser();
	xmlSetExternalEntityLoader(refuse_loader);
	xmlSetGenericErrorFunc(NULL, silent_generic);
	xmlSetStructuredErrorFunc(NULL, NULL);
	/* Belt and braces for libxml2 2.9's globals: no default entity
	 * substitution, no DTD loading, no network. */
	xmlSubstituteEntitiesDefault(0);
	xmlLoadExtDtdDefaultValue = 0;
	xmlPedanticParserDefault(0);
}

/* ---- the element table ---- */

enum sect { S_NONE, S_HEADER, S_BODY, S_SEARCH, S_RESULT, S__N };

enum fkind { F_DATE, F_DIGITS, F_TEXT, F_INT, F_RATIO, F_CODE, F_LIMIT, F_DISEASE };

struct field {
	const char *name;
	enum fkind kind;
	size_t off;           /* offset in struct hk_elig_result */
	size_t size;          /* of the destination (chars incl. NUL), or 0 for ints */
	int minlen, maxlen;   /* for digits/codes */
};

#define OFF(m) offsetof(struct hk_elig_result, m)
#define SZ(m) sizeof(((struct hk_elig_result *)0)->m)

/* Values taken (DIGEST §5).  Everything else (names, address, ...) is read
 * past: houkan keeps the station's own patient record. */
static const struct field fields[] = {
	{"QualificationConfirmationDate", F_DATE, OFF(confirmed_on), SZ(confirmed_on), 8, 8},
	{"MedicalInstitutionCode", F_DIGITS, OFF(institution), SZ(institution), 10, 10},
	{"CharacterCodeIdentifier", F_INT, OFF(charset), 0, 0, 1},
	{"QualificationValidity", F_INT, OFF(validity), 0, 1, 5},
	{"ArbitraryIdentifier", F_TEXT, OFF(query_no), SZ(query_no), 1, HK_ELIG_QUERY_NO_MAX},
	{"InsuredCardClassification", F_DIGITS, OFF(card_class), SZ(card_class), 2, 2},
	{"InsurerNumber", F_DIGITS, OFF(insurer), SZ(insurer), 6, 8},
	{"InsuredCardSymbol", F_TEXT, OFF(symbol), SZ(symbol), 0, HK_ELIG_IDENT_MAX},
	{"InsuredIdentificationNumber", F_TEXT, OFF(number), SZ(number), 1, HK_ELIG_IDENT_MAX},
	{"InsuredBranchNumber", F_DIGITS, OFF(branch), SZ(branch), 2, 2},
	{"PersonalFamilyClassification", F_INT, OFF(family), 0, 1, 2},
	{"PreschoolClassification", F_INT, OFF(preschool), 0, 0, 1},
	{"Birthdate", F_DATE, OFF(birth), SZ(birth), 8, 8},
	{"InsuredCardValidDate", F_DATE, OFF(valid_from), SZ(valid_from), 8, 8},
	{"InsuredCardExpirationDate", F_DATE, OFF(valid_to), SZ(valid_to), 8, 8},
	{"ReasonOfLoss", F_DIGITS, OFF(loss_reason), SZ(loss_reason), 2, 2},
	{"InsuredPartialContributionRatio", F_RATIO, OFF(kouki_ratio), 0, 0, 0},
	{"ElderlyRecipientContributionRatio", F_RATIO, OFF(elderly_ratio), 0, 0, 0},
	{"LimitApplicationCertificateClassificationFlag", F_LIMIT, OFF(limit_class), SZ(limit_class), 3, 3},
	{"SpecificDiseasesDiseaseCategory", F_DISEASE, OFF(specific_disease), SZ(specific_disease), 1, 1},
};

enum { E_XMLMSG, E_HEADER, E_BODY, E_SEARCH, E_RESULT, E__N };
static const char *const section_names[E__N] = {
	"XmlMsg", "MessageHeader", "MessageBody", "QualificationConfirmSearchInfo",
	"ResultOfQualificationConfirmation",
};
/* Extra MessageHeader/MessageBody items that decide whether the file is a result at all. */
enum { X_SEGMENT, X_STATUS, X_ERRCODE, X_ERRMSG, X_PRCODE, X_PRMSG, X__N };
static const char *const extra_names[X__N] = {
	"SegmentOfResult", "ProcessingResultStatus", "ErrorCode", "ErrorMessage",
	"ProcessingResultCode", "ProcessingResultMessage",
};

/* Element names interned in the parser's dictionary: an element is looked
 * up by the address of its name (libxml2 hands out dictionary strings). */
enum { D_SECT = 1, D_EXTRA, D_FIELD };
#define DISPATCH_SLOTS 128
struct slot {
	const xmlChar *name;
	unsigned char what, idx;
};

struct parse {
	const char *name;               /* file name for messages */
	xmlParserCtxtPtr ctxt;
	struct hk_err *err;             /* where callbacks report */
	int open;                       /* elements open: the depth of the next node */
	int failed;                     /* a callback set err and stopped the parser */
	struct xin x;
	struct slot dispatch[DISPATCH_SLOTS];
	const xmlChar *sdict[E__N];
	struct hk_buf text;
	int sect;                       /* innermost section */
	int seen_root;
	struct hk_elig_result hdr;      /* header + body-level values */
	struct hk_elig_result search;   /* QualificationConfirmSearchInfo */
	struct hk_elig_result cur;      /* the result being read */
	int in_result;
	long body_results;
	int declared_charset;           /* 0 UTF-8, 1 Shift_JIS */
	char extra[X__N][128];
	hk_elig_result_fn fn;
	void *ctx;
	struct hk_elig_file_info *info;
	char xml_err[512];
	long xml_err_line;
	int xml_err_code;
};

static void structured_err(void *ctx, xmlErrorPtr e)
{
	struct parse *p = ctx;
	if (!e || p->xml_err[0] || e->level < XML_ERR_ERROR)
		return;
	hk_snprintf(p->xml_err, sizeof(p->xml_err), "%s", e->message ? e->message : "parse error");
	/* one line: libxml2 messages end with '\n' and may carry a second line */
	p->xml_err[strcspn(p->xml_err, "\r\n")] = 0;
	p->xml_err_line = e->line;
	p->xml_err_code = e->code;
}

static long cur_line(struct parse *p)
{
	return p->ctxt && p->ctxt->input ? p->ctxt->input->line : 0;
}

static int perr(struct parse *p, struct hk_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int perr(struct parse *p, struct hk_err *err, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld: %s", p->name, cur_line(p), msg);
}

static void trim(const char **s, size_t *n)
{
	while (*n && strchr(" \t\r\n", (*s)[0]))
		(*s)++, (*n)--;
	while (*n && strchr(" \t\r\n", (*s)[*n - 1]))
		(*n)--;
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int set_field(struct parse *p, const struct field *f, struct hk_elig_result *dst, struct hk_err *err)
{
	const char *s = p->text.len ? p->text.data : "";
	size_t n = p->text.len;
	char *out = (char *)dst + f->off;
	int *iout = (int *)(void *)((char *)dst + f->off);
	trim(&s, &n);
	if (n == 0)
		return 0; /* empty element: absent */
	switch (f->kind) {
	case F_DATE: {
		struct hk_date d;
		if (n != 8 || !hk_date_parse(s, n, &d))
			return perr(p, err, "%s: '%.*s' is not a date YYYYMMDD", f->name, (int)(n > 40 ? 40 : n), s);
		hk_date_fmt10(d, out);
		return 0;
	}
	case F_DIGITS:
		if (!all_digits(s, n) || (int)n < f->minlen || (int)n > f->maxlen) {
			if (f->minlen == f->maxlen)
				return perr(p, err, "%s: '%.*s' is not %d digits", f->name, (int)(n > 40 ? 40 : n), s,
					    f->minlen);
			return perr(p, err, "%s: '%.*s' is not %d to %d digits", f->name, (int)(n > 40 ? 40 : n), s,
				    f->minlen, f->maxlen);
		}
		memcpy(out, s, n);
		out[n] = 0;
		return 0;
	case F_TEXT:
		if ((int)n > f->maxlen)
			return perr(p, err, "%s: %zu bytes, at most %d", f->name, n, f->maxlen);
		memcpy(out, s, n);
		out[n] = 0;
		return 0;
	case F_INT:
		if (n != 1 || s[0] < '0' + f->minlen || s[0] > '0' + f->maxlen)
			return perr(p, err, "%s: '%.*s' is not a code %d-%d", f->name, (int)(n > 40 ? 40 : n), s,
				    f->minlen, f->maxlen);
		*iout = s[0] - '0';
		return 0;
	case F_RATIO: {
		/* percent: "010" = 10 % (DIGEST §3.5); "1".."3" read as 割 */
		int v = 0;
		if (n > 3 || !all_digits(s, n))
			return perr(p, err, "%s: '%.*s' is not a ratio", f->name, (int)(n > 40 ? 40 : n), s);
		for (size_t i = 0; i < n; i++)
			v = v * 10 + (s[i] - '0');
		if (v >= 1 && v <= 3)
			v *= 10;
		if (v != 10 && v != 20 && v != 30)
			return perr(p, err, "%s: '%.*s' is not 10, 20 or 30 percent", f->name, (int)n, s);
		*iout = v;
		return 0;
	}
	case F_LIMIT: {
		int k;
		if (n != 3 || (s[0] != 'A' && s[0] != 'B') || !all_digits(s + 1, 2))
			return perr(p, err, "%s: '%.*s' is not a 限度額適用区分 A01-A06 or B01-B10", f->name,
				    (int)(n > 40 ? 40 : n), s);
		k = (s[1] - '0') * 10 + (s[2] - '0');
		if (k < 1 || k > (s[0] == 'A' ? 6 : 10))
			return perr(p, err, "%s: '%.*s' is not a 限度額適用区分 A01-A06 or B01-B10", f->name, (int)n, s);
		memcpy(out, s, 3);
		out[3] = 0;
		return 0;
	}
	case F_DISEASE: {
		size_t have = strlen(out);
		if (n != 1 || s[0] < '1' || s[0] > '3')
			return perr(p, err, "%s: '%.*s' is not 1 人工透析, 2 血友病 or 3 HIV", f->name,
				    (int)(n > 40 ? 40 : n), s);
		if (!strchr(out, s[0]) && have + 1 < f->size) {
			out[have] = s[0];
			out[have + 1] = 0;
		}
		return 0;
	}
	case F_CODE:
		break;
	}
	return 0;
}

static int finish_result(struct parse *p, struct hk_elig_result *r, struct hk_err *err)
{
	/* Fill what the result does not carry from the header, the body and
	 * the search info (which come first in the message). */
	memcpy(r->confirmed_on, p->hdr.confirmed_on, sizeof(r->confirmed_on));
	memcpy(r->institution, p->hdr.institution, sizeof(r->institution));
	r->charset = p->hdr.charset;
	if (!r->validity)
		r->validity = p->hdr.validity;
	if (!r->query_no[0])
		memcpy(r->query_no, p->search.query_no, sizeof(r->query_no));
	if (!r->query_no[0])
		memcpy(r->query_no, p->hdr.query_no, sizeof(r->query_no));
	if (!r->insurer[0] && r->validity >= HK_ELIG_NOT_FOUND) {
		/* 該当資格なし / 複数該当: what was asked is all there is */
		memcpy(r->insurer, p->search.insurer, sizeof(r->insurer));
		memcpy(r->symbol, p->search.symbol, sizeof(r->symbol));
		memcpy(r->number, p->search.number, sizeof(r->number));
		memcpy(r->branch, p->search.branch, sizeof(r->branch));
		memcpy(r->birth, p->search.birth, sizeof(r->birth));
	}
	if (!r->confirmed_on[0])
		return perr(p, err, "result without MessageHeader/QualificationConfirmationDate before it");
	if (!r->validity)
		return perr(p, err, "result without QualificationValidity (in the result or in MessageBody before it)");
	if (r->validity <= HK_ELIG_INVALID_NEW) {
		if (!r->insurer[0])
			return perr(p, err, "ResultOfQualificationConfirmation: no InsurerNumber");
		if (!r->number[0])
			return perr(p, err, "ResultOfQualificationConfirmation: no InsuredIdentificationNumber");
		if (hk_elig_derive(r, err) < 0)
			return hk_err_prefix(err, "%s:%ld", p->name, r->line);
	}
	p->info->results++;
	p->body_results++;
	return p->fn(p->ctx, r, err);
}

static int check_outcome(struct parse *p, struct hk_err *err)
{
	/* SegmentOfResult 9 / ProcessingResultStatus 2: the query failed; the
	 * file carries no eligibility to take. */
	if (strcmp(p->extra[X_SEGMENT], "9") == 0 || strcmp(p->extra[X_STATUS], "2") == 0)
		return perr(p, err, "the result reports an error (SegmentOfResult %s, ProcessingResultStatus %s,"
			    " code %s%s%s: %s%s%s); nothing taken",
			    p->extra[X_SEGMENT][0] ? p->extra[X_SEGMENT] : "-",
			    p->extra[X_STATUS][0] ? p->extra[X_STATUS] : "-",
			    p->extra[X_ERRCODE][0] ? p->extra[X_ERRCODE] : "-",
			    p->extra[X_PRCODE][0] ? "/" : "", p->extra[X_PRCODE],
			    p->extra[X_ERRMSG][0] ? p->extra[X_ERRMSG] : "",
			    p->extra[X_PRMSG][0] ? " " : "", p->extra[X_PRMSG]);
	if (strcmp(p->extra[X_SEGMENT], "2") == 0)
		return perr(p, err, "the result is still being processed (SegmentOfResult 2 処理中); fetch it again later");
	return 0;
}

static const struct slot *lookup(const struct parse *p, const xmlChar *name)
{
	size_t h = (size_t)(((uintptr_t)name * UINT64_C(0x9E3779B97F4A7C15)) >> 57) & (DISPATCH_SLOTS - 1);
	while (p->dispatch[h].name) {
		if (p->dispatch[h].name == name)
			return &p->dispatch[h];
		h = (h + 1) & (DISPATCH_SLOTS - 1);
	}
	return NULL;
}

static void dispatch_add(struct parse *p, const char *name, int what, int idx)
{
	const xmlChar *d = xmlDictLookup(p->ctxt->dict, (const xmlChar *)name, -1);
	size_t h = (size_t)(((uintptr_t)d * UINT64_C(0x9E3779B97F4A7C15)) >> 57) & (DISPATCH_SLOTS - 1);
	if (what == D_SECT)
		p->sdict[idx] = d;
	while (p->dispatch[h].name)
		h = (h + 1) & (DISPATCH_SLOTS - 1);
	p->dispatch[h].name = d;
	p->dispatch[h].what = (unsigned char)what;
	p->dispatch[h].idx = (unsigned char)idx;
}

static int on_end(struct parse *p, const xmlChar *name, struct hk_err *err)
{
	const struct slot *d = lookup(p, name);
	const struct field *f;
	struct hk_elig_result *dst;
	if (!d)
		return 0;
	if (d->what == D_SECT && d->idx == E_RESULT) {
		p->in_result = 0;
		p->sect = S_BODY;
		if (check_outcome(p, err) < 0)
			return -1;
		return finish_result(p, &p->cur, err);
	}
	if (d->what == D_SECT && d->idx == E_SEARCH) {
		p->sect = S_BODY;
		return 0;
	}
	if (d->what == D_SECT && d->idx == E_HEADER) {
		p->sect = S_NONE;
		if (p->hdr.charset >= 0 && p->hdr.charset != p->declared_charset)
			return perr(p, err, "CharacterCodeIdentifier %d says %s but the file is %s",
				    p->hdr.charset, p->hdr.charset ? "Shift_JIS" : "UTF-8",
				    p->declared_charset ? "declared Shift_JIS" : "UTF-8 (as declared)");
		return 0;
	}
	if (d->what == D_SECT && d->idx == E_BODY) {
		p->sect = S_NONE;
		if (check_outcome(p, err) < 0)
			return -1;
		if (p->body_results == 0 && p->hdr.validity) {
			/* 該当資格なし etc.: no ResultOfQualificationConfirmation */
			memset(&p->cur, 0, sizeof(p->cur));
			p->cur.line = cur_line(p);
			if (finish_result(p, &p->cur, err) < 0)
				return -1;
		}
		p->body_results = 0;
		memset(&p->search, 0, sizeof(p->search));
		p->hdr.validity = 0;
		p->hdr.query_no[0] = 0;
		return 0;
	}
	if (d->what == D_EXTRA) {
		const char *s = p->text.len ? p->text.data : "";
		size_t n = p->text.len;
		trim(&s, &n);
		hk_snprintf(p->extra[d->idx], sizeof(p->extra[d->idx]), "%.*s", (int)n, s);
		return 0;
	}
	if (d->what != D_FIELD)
		return 0;
	f = &fields[d->idx];
	switch (p->sect) {
	case S_RESULT: dst = &p->cur; break;
	case S_SEARCH: dst = &p->search; break;
	default: dst = &p->hdr; break;
	}
	if (p->sect == S_NONE && strcmp(f->name, "CharacterCodeIdentifier") != 0 &&
	    strcmp(f->name, "QualificationConfirmationDate") != 0 &&
	    strcmp(f->name, "MedicalInstitutionCode") != 0)
		return 0; /* outside any known section: ignore */
	return set_field(p, f, dst, err);
}

static int on_start(struct parse *p, const xmlChar *name, const xmlChar *ns, struct hk_err *err)
{
	if (ns && strstr((const char *)ns, "XInclude"))
		return perr(p, err, "XInclude element <%s> refused (result files include nothing)", (const char *)name);
	if (!p->seen_root) {
		p->seen_root = 1;
		if (name != p->sdict[E_XMLMSG])
			return perr(p, err, "root element is <%s>, not <XmlMsg>: not a 資格確認 result",
				    (const char *)name);
	}
	p->text.len = 0;
	if (name == p->sdict[E_HEADER]) {
		p->sect = S_HEADER;
	} else if (name == p->sdict[E_BODY]) {
		p->sect = S_BODY;
		p->body_results = 0;
	} else if (name == p->sdict[E_SEARCH]) {
		p->sect = S_SEARCH;
		memset(&p->search, 0, sizeof(p->search));
	} else if (name == p->sdict[E_RESULT]) {
		if (p->in_result)
			return perr(p, err, "ResultOfQualificationConfirmation nested in another");
		p->in_result = 1;
		p->sect = S_RESULT;
		memset(&p->cur, 0, sizeof(p->cur));
		p->cur.line = cur_line(p);
	}
	return 0;
}

static const char *map_xml_error(struct parse *p, char *buf, size_t n)
{
	const char *m = p->xml_err;
	if (!m[0] && p->xml_err_code == XML_ERR_INVALID_ENCODING)
		/* the converter failed; libxml2 says so only to the generic handler */
		hk_snprintf(buf, n, "bytes do not match the declared encoding (%s)",
			    p->declared_charset ? "Shift_JIS" : "UTF-8");
	else if (strstr(m, "Excessive depth") || strstr(m, "depth"))
		hk_snprintf(buf, n, "nesting deeper than HK_MAX_XML_DEPTH (%d) refused", HK_MAX_XML_DEPTH);
	else if (strstr(m, "not proper UTF-8") || strstr(m, "UTF-8"))
		hk_snprintf(buf, n, "bytes are not valid UTF-8 (declared or default encoding); a Shift_JIS result"
			    " must say encoding=\"Shift_JIS\"");
	else if (strstr(m, "encoding") || strstr(m, "Encoding") || strstr(m, "conversion"))
		hk_snprintf(buf, n, "bytes do not match the declared encoding: %s", m);
	else if (strstr(m, "huge") || strstr(m, "too long"))
		hk_snprintf(buf, n, "text longer than HK_MAX_XML_TEXT (%d bytes) refused", HK_MAX_XML_TEXT);
	else if (strstr(m, "Entity") || strstr(m, "entity"))
		hk_snprintf(buf, n, "entity reference refused: %s", m);
	else
		hk_snprintf(buf, n, "not well-formed XML: %s", m[0] ? m : "parse error");
	return buf;
}

/* Looks at the first bytes: BOM, XML declaration, encoding. */
static int check_head(struct parse *p, const char *h, size_t n, const char **enc, struct hk_err *err)
{
	const unsigned char *u = (const unsigned char *)h;
	const char *d, *e, *v;
	char encname[64];
	size_t k;
	*enc = "UTF-8";
	p->declared_charset = 0;
	if (n >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE) || u[0] == 0 ||
		       (u[1] == 0 && u[0] != 0)))
		return hk_err_set(err, HK_EXIT_INPUT, "%s:1: UTF-16/UTF-32 refused: results are UTF-8 or Shift_JIS",
				  p->name);
	if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		h += 3;
		n -= 3;
	}
	if (n < 5 || memcmp(h, "<?xml", 5) != 0)
		return 0; /* no declaration: UTF-8 */
	e = memfind(h, n, "?>");
	if (!e)
		return hk_err_set(err, HK_EXIT_INPUT, "%s:1: XML declaration not closed in the first %d bytes",
				  p->name, HEAD_MAX);
	d = memfind(h, (size_t)(e - h), "encoding");
	if (!d)
		return 0;
	for (v = d + 8; v < e && (*v == ' ' || *v == '=' || *v == '\t'); v++)
		;
	if (v >= e || (*v != '"' && *v != '\''))
		return hk_err_set(err, HK_EXIT_INPUT, "%s:1: malformed encoding declaration", p->name);
	for (k = 1; v + k < e && v[k] != v[0]; k++)
		;
	hk_snprintf(encname, sizeof(encname), "%.*s", (int)(k - 1 < 60 ? k - 1 : 60), v + 1);
	if (strcasecmp(encname, "UTF-8") == 0 || strcasecmp(encname, "UTF8") == 0)
		return 0;
	if (strcasecmp(encname, "Shift_JIS") == 0 || strcasecmp(encname, "Shift-JIS") == 0 ||
	    strcasecmp(encname, "SJIS") == 0 || strcasecmp(encname, "CP932") == 0 ||
	    strcasecmp(encname, "Windows-31J") == 0 || strcasecmp(encname, "MS932") == 0) {
		if (u[0] == 0xEF)
			return hk_err_set(err, HK_EXIT_INPUT, "%s:1: UTF-8 byte-order mark but encoding=\"%s\" declared",
					  p->name, encname);
		/* CP932 is the superset Shift_JIS files are written in in practice */
		*enc = "CP932";
		p->declared_charset = 1;
		return 0;
	}
	return hk_err_set(err, HK_EXIT_INPUT, "%s:1: encoding \"%s\" refused: results are UTF-8 or Shift_JIS",
			  p->name, encname);
}

/* ---- SAX2 callbacks: the parser calls them, they report through p->err ---- */

static void stop(struct parse *p)
{
	p->failed = 1;
	xmlStopParser(p->ctxt);
}

/* Every node (element, text, comment, PI) deeper than the cap is refused;
 * XmlMsg is depth 0. */
static int too_deep(struct parse *p)
{
	if (p->open < HK_MAX_XML_DEPTH)
		return 0;
	perr(p, p->err, "nesting deeper than HK_MAX_XML_DEPTH (%d) refused", HK_MAX_XML_DEPTH);
	stop(p);
	return 1;
}

static void sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
		      int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
		      const xmlChar **attributes)
{
	struct parse *p = ctx;
	(void)prefix, (void)nb_namespaces, (void)namespaces, (void)nb_attributes, (void)nb_defaulted,
		(void)attributes;
	if (p->failed || too_deep(p))
		return;
	p->open++;
	if (on_start(p, localname, uri, p->err) < 0)
		stop(p);
}

static void sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	struct parse *p = ctx;
	(void)prefix, (void)uri;
	if (p->failed)
		return;
	p->open--;
	if (on_end(p, localname, p->err) < 0) {
		stop(p);
		return;
	}
	p->text.len = 0;
}

static void sax_text(void *ctx, const xmlChar *ch, int len)
{
	struct parse *p = ctx;
	if (p->failed || too_deep(p))
		return;
	if (p->text.len + (size_t)len > HK_MAX_XML_TEXT) {
		perr(p, p->err, "text longer than HK_MAX_XML_TEXT (%d bytes) refused", HK_MAX_XML_TEXT);
		stop(p);
		return;
	}
	if (len > 0 && hk_buf_add(&p->text, ch, (size_t)len, p->err) < 0)
		stop(p);
}

static void sax_comment(void *ctx, const xmlChar *value)
{
	struct parse *p = ctx;
	(void)value;
	if (!p->failed)
		too_deep(p);
}

static void sax_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	struct parse *p = ctx;
	(void)target, (void)data;
	if (!p->failed)
		too_deep(p);
}

/* The byte filter lets no "<!DOCTYPE" through, so these never run; should
 * one ever be reached, the file is refused. */
static void sax_subset(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id)
{
	struct parse *p = ctx;
	(void)name, (void)external_id, (void)system_id;
	if (p->failed)
		return;
	perr(p, p->err, "DOCTYPE refused: result files have no DTD");
	stop(p);
}

static void sax_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
			    const xmlChar *system_id, xmlChar *content)
{
	struct parse *p = ctx;
	(void)name, (void)type, (void)public_id, (void)system_id, (void)content;
	if (p->failed)
		return;
	perr(p, p->err, "DOCTYPE refused: result files have no DTD");
	stop(p);
}

static void sax_reference(void *ctx, const xmlChar *name)
{
	struct parse *p = ctx;
	(void)name;
	if (p->failed)
		return;
	perr(p, p->err, "entity reference refused");
	stop(p);
}

/* No entity exists but the five predefined ones (which libxml2 resolves
 * before asking): every other reference is an undeclared entity, a
 * well-formedness error. */
static xmlEntityPtr sax_get_entity(void *ctx, const xmlChar *name)
{
	(void)ctx, (void)name;
	return NULL;
}

static void sax_init(xmlSAXHandler *h)
{
	memset(h, 0, sizeof(*h));
	h->initialized = XML_SAX2_MAGIC;
	h->startElementNs = sax_start;
	h->endElementNs = sax_end;
	h->characters = sax_text;
	h->ignorableWhitespace = sax_text;
	h->cdataBlock = sax_text;   /* XML_PARSE_NOCDATA routes CDATA to characters anyway */
	h->comment = sax_comment;
	h->processingInstruction = sax_pi;
	h->internalSubset = sax_subset;
	h->externalSubset = sax_subset;
	h->entityDecl = sax_entity_decl;
	h->reference = sax_reference;
	h->getEntity = sax_get_entity;
	h->getParameterEntity = sax_get_entity;
	h->serror = structured_err;
}

static int parse_run(struct parse *p, struct hk_err *err)
{
	xmlSAXHandler sax;
	xmlCharEncodingHandlerPtr conv;
	const char *enc;
	char *buf = NULL;
	int n, first, rc = -1, opts, xr = 0;
	char mapped[600];

	setup_libxml();
	if (check_head(p, p->x.head, p->x.hlen, &enc, err) < 0)
		return -1;
	p->info->charset = p->declared_charset;
	p->err = err;
	p->hdr.charset = -1;
	hk_buf_init(&p->text, HK_MAX_XML_TEXT, "HK_MAX_XML_TEXT");
	buf = hk_malloc(CHUNK);
	n = xin_read(&p->x, buf, CHUNK);
	if (n >= 0) {
		sax_init(&sax);
		first = n < 4 ? n : 4;
		p->ctxt = xmlCreatePushParserCtxt(&sax, p, buf, first, p->name);
		if (!p->ctxt) {
			hk_err_set(err, HK_EXIT_IO, "%s: cannot start the XML parser", p->name);
			goto out;
		}
		opts = XML_PARSE_NONET | XML_PARSE_NOCDATA;
#ifdef XML_PARSE_NO_XXE
		opts |= XML_PARSE_NO_XXE;
#endif
		xmlCtxtUseOptions(p->ctxt, opts);
		/* UTF-8 is what libxml2 reads natively (and checks byte by
		 * byte); a converter would only copy it once more */
		if (strcmp(enc, "UTF-8") != 0 && (conv = xmlFindCharEncodingHandler(enc)) != NULL)
			xmlSwitchToEncoding(p->ctxt, conv);
		for (size_t i = 0; i < HK_ARRAY_LEN(fields); i++)
			dispatch_add(p, fields[i].name, D_FIELD, (int)i);
		for (int i = 0; i < E__N; i++)
			dispatch_add(p, section_names[i], D_SECT, i);
		for (int i = 0; i < X__N; i++)
			dispatch_add(p, extra_names[i], D_EXTRA, i);
		if ((xr = xmlParseChunk(p->ctxt, buf + first, n - first, n == 0)) != 0)
			n = -1;
		while (n > 0 && !p->failed) {
			if ((n = xin_read(&p->x, buf, CHUNK)) < 0)
				break;
			if ((xr = xmlParseChunk(p->ctxt, buf, n, n == 0)) != 0)
				n = -1;
		}
	}
	if (p->failed)
		goto out; /* a callback said what is wrong */
	if (p->x.refused) {
		hk_err_set(err, p->x.io_error ? HK_EXIT_IO : HK_EXIT_INPUT, "%s:%ld: %s", p->name, p->x.lines + 1,
			   p->x.why);
		goto out;
	}
	if (n < 0 || !p->ctxt->wellFormed || p->ctxt->errNo) {
		if (!p->xml_err_code)
			p->xml_err_code = xr ? xr : p->ctxt->errNo;
		hk_err_set(err, HK_EXIT_INPUT, "%s:%ld: %s", p->name, p->xml_err_line ? p->xml_err_line : cur_line(p),
			   map_xml_error(p, mapped, sizeof(mapped)));
		goto out;
	}
	if (!p->seen_root) {
		hk_err_set(err, HK_EXIT_INPUT, "%s: no XmlMsg element: not a 資格確認 result", p->name);
		goto out;
	}
	memcpy(p->info->confirmed_on, p->hdr.confirmed_on, sizeof(p->info->confirmed_on));
	memcpy(p->info->institution, p->hdr.institution, sizeof(p->info->institution));
	rc = 0;
out:
	hk_free(buf);
	hk_buf_free(&p->text);
	if (p->ctxt)
		xmlFreeParserCtxt(p->ctxt);
	p->ctxt = NULL;
	return rc;
}

static int parse_common(struct parse *p, const char *name, hk_elig_result_fn fn, void *ctx,
			struct hk_elig_file_info *info, struct hk_err *err)
{
	static struct hk_elig_file_info dummy;
	p->name = name;
	p->fn = fn;
	p->ctx = ctx;
	p->info = info ? info : &dummy;
	memset(p->info, 0, sizeof(*p->info));
	return parse_run(p, err);
}

int hk_elig_parse_file(const char *path, hk_elig_result_fn fn, void *ctx, struct hk_elig_file_info *info,
		       struct hk_err *err)
{
	struct parse *p = hk_calloc(1, sizeof(*p));
	int rc = -1;
	p->x.f = fopen(path, "rb");
	if (!p->x.f) {
		hk_err_set(err, HK_EXIT_IO, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	p->x.hlen = fread(p->x.head, 1, HEAD_MAX, p->x.f);
	if (ferror(p->x.f)) {
		hk_err_set(err, HK_EXIT_IO, "%s: read error: %s", path, strerror(errno));
		goto out;
	}
	rc = parse_common(p, path, fn, ctx, info, err);
out:
	if (p->x.f)
		fclose(p->x.f);
	hk_free(p);
	return rc;
}

int hk_elig_parse_memory(const char *name, const char *data, size_t len, hk_elig_result_fn fn, void *ctx,
			 struct hk_elig_file_info *info, struct hk_err *err)
{
	struct parse *p = hk_calloc(1, sizeof(*p));
	int rc;
	p->x.hlen = len < HEAD_MAX ? len : HEAD_MAX;
	memcpy(p->x.head, data, p->x.hlen);
	p->x.mem = data + p->x.hlen;
	p->x.mlen = len - p->x.hlen;
	rc = parse_common(p, name, fn, ctx, info, err);
	hk_free(p);
	return rc;
}

bool hk_elig_sniff(const char *head, size_t n)
{
	const char *h = head;
	const unsigned char *u = (const unsigned char *)head;
	/* UTF-16 XML: claim it, so the reader can refuse it with its own message */
	if (n >= 4 && ((u[0] == 0xFF && u[1] == 0xFE && u[2] == '<' && u[3] == 0) ||
		       (u[0] == 0xFE && u[1] == 0xFF && u[2] == 0 && u[3] == '<')))
		return true;
	if (n >= 3 && (unsigned char)h[0] == 0xEF && (unsigned char)h[1] == 0xBB && (unsigned char)h[2] == 0xBF)
		h += 3, n -= 3;
	while (n && strchr(" \t\r\n", *h))
		h++, n--;
	if (n == 0 || *h != '<')
		return false;
	return memfind(h, n, "<XmlMsg") != NULL || memfind(h, n, "DOCTYPE XmlMsg") != NULL;
}

/* DIGEST §3.2/§3.5: kind from the 保険者番号, person class and share from the
 * 本人/家族, 未就学, 高齢受給者 and 後期 items. */
int hk_elig_derive(struct hk_elig_result *r, struct hk_err *err)
{
	size_t n = strlen(r->insurer);
	const char *why = hk_validate_insurer(r->insurer);
	if (why)
		return hk_err_set(err, HK_EXIT_INPUT, "InsurerNumber '%s': %s", r->insurer, why);
	if (n == 6)
		r->kind = "kokuho";
	else if (n == 8 && r->insurer[0] == '3' && r->insurer[1] == '9')
		r->kind = "kouki";
	else if (n == 8)
		r->kind = "shaho";
	else
		return hk_err_set(err, HK_EXIT_INPUT, "InsurerNumber '%s' is not 6 or 8 digits", r->insurer);
	if (strcmp(r->kind, "kouki") == 0) {
		r->ratio = r->kouki_ratio ? r->kouki_ratio : 10;
		r->person = r->ratio == 30 ? "kourei7" : "kourei";
	} else if (r->elderly_ratio) {
		r->ratio = r->elderly_ratio;
		r->person = r->ratio == 30 ? "kourei7" : "kourei";
	} else if (r->preschool) {
		r->ratio = 20;
		r->person = "mishuugaku";
	} else {
		r->ratio = 30;
		r->person = r->family == 2 ? "kazoku" : "honnin";
	}
	if (r->kouki_ratio && strcmp(r->kind, "kouki") != 0)
		return hk_err_set(err, HK_EXIT_INPUT,
				  "InsuredPartialContributionRatio given for %s insurer %s (only 後期高齢者 carry it)",
				  r->kind, r->insurer);
	return 0;
}
