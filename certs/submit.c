/*
 * submit.c - exactly-once submission (submit.h, docs/submission.md).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include "certs/submit.h"
#include "certs/certs.h"
#include "claims/claimrun.h"
#include "claims/db.h"
#include "claims/station.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/fault.h"
#include "base/fileio.h"
#include "base/limits.h"

/* Reception error classes, DIGEST §4.1 (受付・事務点検ASP).  First match wins. */
static const struct {
	int lo, hi;
	const char *cls, *label;
} reception_classes[] = {
	{1000, 1999, "unacceptable", "受付不能"},  /* whole file not claimed */
	{2000, 2999, "unacceptable", "受付不能"},  /* receipt unreadable, not claimed */
	{4800, 4899, "normal", "正常"},            /* treated as normal */
	{3000, 3999, "check", "要確認"},           /* likely 返戻 (記録漏れ等) */
	{4000, 4999, "check", "要確認"},           /* calculation / consistency */
	{7000, 7999, "check", "要確認"},           /* 支払基金 only */
};

int hk_reception_class(const char *code, const char **cls, const char **label)
{
	int v;
	if (strlen(code) != 4 || strspn(code, "0123456789") != 4)
		return -1;
	v = atoi(code);
	for (size_t i = 0; i < HK_ARRAY_LEN(reception_classes); i++) {
		if (v >= reception_classes[i].lo && v <= reception_classes[i].hi) {
			*cls = reception_classes[i].cls;
			*label = reception_classes[i].label;
			return 0;
		}
	}
	*cls = "check";
	*label = "要確認";
	return 0;
}

int hk_reception_parse(const char *body, size_t len, struct hk_reception *r, struct hk_err *err)
{
	const char *p = body, *end = body + len;
	int lineno = 0;
	memset(r, 0, sizeof(*r));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *eq;
		size_t kl, vl;
		lineno++;
		if (le > p && le[-1] == '\r')
			le--;
		eq = memchr(p, '=', (size_t)(le - p));
		if (le == p) {
			p = nl ? nl + 1 : end;
			continue;
		}
		if (!eq)
			return hk_err_set(err, HK_EXIT_NET, "response line %d: no '=': protocol error", lineno);
		kl = (size_t)(eq - p);
		vl = (size_t)(le - eq - 1);
#define KEY(k) (kl == sizeof(k) - 1 && memcmp(p, k, kl) == 0)
		if (KEY("sha256")) {
			if (vl != 64)
				return hk_err_set(err, HK_EXIT_NET, "response line %d: bad sha256", lineno);
			memcpy(r->sha256, eq + 1, 64);
		} else if (KEY("reception")) {
			if (vl == 0 || vl >= sizeof(r->reception))
				return hk_err_set(err, HK_EXIT_NET, "response line %d: bad reception number", lineno);
			memcpy(r->reception, eq + 1, vl);
		} else if (KEY("duplicate")) {
			r->duplicate = vl == 1 && eq[1] == '1';
		} else if (KEY("error")) {
			/* error=CODE,RECEIPT_NO,message  (RECEIPT_NO empty for file-level errors) */
			const char *v = eq + 1, *c1 = memchr(v, ',', vl), *c2;
			if (r->nerrors >= HK_MAX_RECEPTION_ERRORS)
				return hk_err_set(err, HK_EXIT_NET, "response has more than HK_MAX_RECEPTION_ERRORS (%d) errors",
						  HK_MAX_RECEPTION_ERRORS);
			if (!c1 || c1 - v != 4 || !(c2 = memchr(c1 + 1, ',', (size_t)(le - c1 - 1))))
				return hk_err_set(err, HK_EXIT_NET, "response line %d: error wants CODE,RECEIPT_NO,message",
						  lineno);
			memcpy(r->errors[r->nerrors].code, v, 4);
			r->errors[r->nerrors].receipt_no = c2 > c1 + 1 ? strtol(c1 + 1, NULL, 10) : 0;
			hk_snprintf(r->errors[r->nerrors].message, sizeof(r->errors[0].message), "%.*s",
				    (int)(le - c2 - 1), c2 + 1);
			r->nerrors++;
		} /* other keys: ignored (forward compatible) */
#undef KEY
		p = nl ? nl + 1 : end;
	}
	if (!r->sha256[0] || !r->reception[0])
		return hk_err_set(err, HK_EXIT_NET, "response lacks %s: protocol error", r->sha256[0] ? "reception" : "sha256");
	return 0;
}

/* ---- HTTP over mutual TLS ---- */

struct tls_ctx {
	const struct hk_cred *cred;
	const char *ca;
	struct hk_err *err;
	char *version;           /* the negotiated protocol, once the handshake is done */
	size_t version_size;
};

static int tls_ex_index = -1;

static void tls_info_cb(const SSL *ssl, int where, int ret)
{
	struct tls_ctx *t;
	(void)ret;
	if (!(where & SSL_CB_HANDSHAKE_DONE) || tls_ex_index < 0)
		return;
	t = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), tls_ex_index);
	if (t && t->version)
		hk_snprintf(t->version, t->version_size, "%s", SSL_get_version(ssl));
}

static CURLcode ssl_ctx_cb(CURL *curl, void *sslctx, void *parm)
{
	SSL_CTX *ctx = sslctx;
	struct tls_ctx *t = parm;
	X509_STORE *st;
	(void)curl;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (tls_ex_index < 0)
		tls_ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (tls_ex_index >= 0 && SSL_CTX_set_ex_data(ctx, tls_ex_index, t) == 1)
		SSL_CTX_set_info_callback(ctx, tls_info_cb);
	if (SSL_CTX_use_certificate(ctx, t->cred->cert) != 1 || SSL_CTX_use_PrivateKey(ctx, t->cred->key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		return CURLE_SSL_CERTPROBLEM;
	for (int i = 0; i < sk_X509_num(t->cred->chain); i++)
		if (SSL_CTX_add1_chain_cert(ctx, sk_X509_value(t->cred->chain, i)) != 1)
			return CURLE_SSL_CERTPROBLEM;
	/* Pin: only the operator's CA file, never the system bundle. */
	st = hk_ca_store_load(t->ca, t->err);
	if (!st)
		return CURLE_SSL_CACERT_BADFILE;
	SSL_CTX_set_cert_store(ctx, st);
	return CURLE_OK;
}

static size_t write_cb(char *p, size_t size, size_t n, void *ud)
{
	struct hk_buf *b = ud;
	struct hk_err e;
	if (hk_buf_add(b, p, size * n, &e) < 0)
		return 0;   /* over HK_MAX_RESPONSE_BYTES: curl aborts with CURLE_WRITE_ERROR */
	return size * n;
}

enum http_outcome { HTTP_OK, HTTP_RETRY, HTTP_FAIL, HTTP_NOTFOUND };

struct http_req {
	const char *url;
	const void *body;          /* NULL: GET */
	size_t body_len;
	struct curl_slist *headers;
	char tls_version[32];
};

static enum http_outcome http_do(const struct hk_submit_opts *o, const struct hk_cred *cred,
				 struct http_req *rq, struct hk_buf *resp, struct hk_err *err)
{
	struct tls_ctx tctx = {cred, o->ca, err, rq->tls_version, sizeof(rq->tls_version)};
	char ebuf[CURL_ERROR_SIZE] = "";
	CURL *h = curl_easy_init();
	CURLcode cc;
	long code = 0;
	enum http_outcome out = HTTP_FAIL;
	hk_buf_reset(resp);
	if (!h) {
		hk_err_set(err, HK_EXIT_INTERNAL, "curl_easy_init failed");
		return HTTP_FAIL;
	}
	curl_easy_setopt(h, CURLOPT_URL, rq->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_CAINFO, o->ca);
	curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
	curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, &tctx);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "houkan/" HK_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, rq->headers);
	if (rq->body) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	}
	cc = curl_easy_perform(h);
	ERR_clear_error();
	if (cc != CURLE_OK) {
		const char *d = ebuf[0] ? ebuf : curl_easy_strerror(cc);
		if (err->code && cc == CURLE_SSL_CACERT_BADFILE)
			goto done;  /* the CA file message is already in err */
		switch (cc) {
		case CURLE_COULDNT_CONNECT:
		case CURLE_OPERATION_TIMEDOUT:
		case CURLE_SEND_ERROR:
		case CURLE_RECV_ERROR:
		case CURLE_PARTIAL_FILE:
		case CURLE_GOT_NOTHING:
			hk_err_set(err, HK_EXIT_NET, "%s: network fault: %s", rq->url, d);
			out = HTTP_RETRY;
			break;
		case CURLE_WRITE_ERROR:
			hk_err_set(err, HK_EXIT_NET, "%s: response larger than HK_MAX_RESPONSE_BYTES (%d)", rq->url,
				   HK_MAX_RESPONSE_BYTES);
			break;
		default:
			hk_err_set(err, HK_EXIT_NET, "%s: %s (curl error %d)", rq->url, d, (int)cc);
		}
		goto done;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code == 200) {
		out = HTTP_OK;
	} else if (code == 404 && !rq->body) {
		out = HTTP_NOTFOUND;
	} else if (code >= 300 && code < 400) {
		char *loc = NULL;
		curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
		hk_err_set(err, HK_EXIT_NET, "%s: the server answered with a redirect (HTTP %ld to %s); redirects are "
			   "refused", rq->url, code, loc ? loc : "?");
	} else if (code >= 500) {
		hk_err_set(err, HK_EXIT_NET, "%s: server error HTTP %ld", rq->url, code);
		out = HTTP_RETRY;
	} else {
		hk_err_set(err, HK_EXIT_NET, "%s: refused by the server: HTTP %ld: %.200s", rq->url, code,
			   hk_buf_cstr(resp));
	}
done:
	curl_easy_cleanup(h);
	return out;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Runs rq with retries on network faults. */
static enum http_outcome http_retry(const struct hk_submit_opts *o, const struct hk_cred *cred,
				    struct http_req *rq, struct hk_buf *resp, struct hk_err *err)
{
	long backoff = o->backoff_ms;
	enum http_outcome r = HTTP_FAIL;
	for (int attempt = 0; attempt <= o->retries; attempt++) {
		char line[HK_ERR_MSG_MAX + 64];
		hk_err_clear(err);
		r = http_do(o, cred, rq, resp, err);
		if (r != HTTP_RETRY)
			return r;
		if (attempt == o->retries)
			break;
		if (o->note) {
			hk_snprintf(line, sizeof(line), "  %s; retry %d of %d in %ld ms", err->msg, attempt + 1,
				    o->retries, backoff);
			o->note(o->note_ctx, line);
		}
		sleep_ms(backoff);
		backoff *= 2;
	}
	hk_err_prefix(err, "giving up after %d attempt%s", o->retries + 1, o->retries ? "s" : "");
	return HTTP_FAIL;
}

/* ---- the ledger ---- */

struct file_job {
	int body;
	char rel[HK_MAX_PATH];     /* as recorded in run_output */
	char path[HK_MAX_PATH];    /* resolved */
	char sha256[65];
	char *data;
	size_t len;
	int64_t ledger_id;
	char state[16];
	char reception[64];
};

static void note(const struct hk_submit_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct hk_submit_opts *o, const char *fmt, ...)
{
	char line[HK_ERR_MSG_MAX + HK_MAX_PATH];
	va_list ap;
	if (!o->note)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	o->note(o->note_ctx, line);
}

static int ledger_load(sqlite3 *db, struct file_job *j, struct hk_err *err)
{
	sqlite3_stmt *st;
	int rc;
	j->ledger_id = 0;
	j->state[0] = j->reception[0] = '\0';
	if (hk_db_prepare(db, "SELECT id, state, coalesce(reception_no,'') FROM submission WHERE sha256 = ?", &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, j->sha256, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		j->ledger_id = sqlite3_column_int64(st, 0);
		hk_snprintf(j->state, sizeof(j->state), "%s", (const char *)sqlite3_column_text(st, 1));
		hk_snprintf(j->reception, sizeof(j->reception), "%s", (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return hk_db_fail(db, err, "reading the submission ledger");
	return 0;
}

static int receipts_mark(sqlite3 *db, int64_t run_id, int body, const char *state, long receipt_no,
			 struct hk_err *err)
{
	sqlite3_stmt *st = NULL;
	char now[21];
	int rc = -1;
	hk_clock_fmt_iso(hk_clock_now(), now);
	if (hk_db_prepare(db, "INSERT INTO receipt_state (receipt_id, state, at, source) SELECT id, ?, ?, 'submit'"
			      " FROM receipt WHERE run_id = ? AND body = ? AND (? = 0 OR receipt_no = ?)", &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, run_id);
	sqlite3_bind_int(st, 4, body);
	sqlite3_bind_int64(st, 5, receipt_no);
	sqlite3_bind_int64(st, 6, receipt_no);
	if (sqlite3_step(st) != SQLITE_DONE) {
		hk_db_fail(db, err, "recording receipt states");
		goto out;
	}
	sqlite3_finalize(st);
	if (hk_db_prepare(db, "UPDATE receipt SET state = ? WHERE run_id = ? AND body = ? AND (? = 0 OR receipt_no = ?)",
			  &st, err) < 0) {
		st = NULL;
		goto out;
	}
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, run_id);
	sqlite3_bind_int(st, 3, body);
	sqlite3_bind_int64(st, 4, receipt_no);
	sqlite3_bind_int64(st, 5, receipt_no);
	if (sqlite3_step(st) != SQLITE_DONE) {
		hk_db_fail(db, err, "updating receipts");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* Step 1: the row exists and says 'uploading' (or 'pending' for the outbox) before anything leaves. */
static int ledger_before(sqlite3 *db, const struct hk_submit_opts *o, struct file_job *j, const char *mode,
			 const char *seal_sha, struct hk_err *err)
{
	sqlite3_stmt *st = NULL;
	char now[21];
	int rc = -1;
	hk_clock_fmt_iso(hk_clock_now(), now);
	if (hk_db_begin(db, err) < 0)
		return -1;
	if (hk_db_prepare(db, "INSERT INTO submission (sha256, run_id, body, path, mode, state, attempts, seal_sha256,"
			      " created, updated) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)"
			      " ON CONFLICT(sha256) DO UPDATE SET mode = excluded.mode, seal_sha256 = excluded.seal_sha256,"
			      " updated = excluded.updated", &st, err) < 0)
		goto out;
	sqlite3_bind_text(st, 1, j->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, o->run_id);
	sqlite3_bind_int(st, 3, j->body);
	sqlite3_bind_text(st, 4, j->rel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, mode, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, seal_sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		hk_db_fail(db, err, "writing the submission ledger");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (strcmp(mode, "online") == 0) {
		if (hk_db_prepare(db, "UPDATE submission SET state = 'uploading', attempts = attempts + 1 WHERE sha256 = ?",
				  &st, err) < 0)
			goto out;
		sqlite3_bind_text(st, 1, j->sha256, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			hk_db_fail(db, err, "writing the submission ledger");
			goto out;
		}
	}
	if ((!j->ledger_id && receipts_mark(db, o->run_id, j->body, "sealed", 0, err) < 0) || hk_db_commit(db, err) < 0)
		goto out;
	rc = ledger_load(db, j, err);
out:
	sqlite3_finalize(st);
	if (rc < 0)
		hk_db_rollback(db);
	return rc;
}

/* Step 4: the result, after the peer has it. */
static int ledger_after(sqlite3 *db, const struct hk_submit_opts *o, struct file_job *j,
			const struct hk_reception *r, struct hk_submit_summary *sum, struct hk_err *err)
{
	sqlite3_stmt *st = NULL;
	const char *state = "accepted", *result = "accepted", *cls, *label;
	char now[21];
	int rc = -1, unacceptable_file = 0;
	hk_clock_fmt_iso(hk_clock_now(), now);
	for (int i = 0; i < r->nerrors; i++) {
		if (hk_reception_class(r->errors[i].code, &cls, &label) < 0)
			return hk_err_set(err, HK_EXIT_NET, "response: error code '%s' is not 4 digits", r->errors[i].code);
		if (strcmp(cls, "unacceptable") == 0) {
			state = "rejected";
			result = "受付不能";
			if (r->errors[i].receipt_no == 0)
				unacceptable_file = 1;
		} else if (strcmp(cls, "check") == 0 && strcmp(state, "rejected") != 0) {
			result = "要確認";
		}
	}
	if (hk_db_begin(db, err) < 0)
		return -1;
	if (hk_db_prepare(db, "UPDATE submission SET state = ?, reception_no = ?, result = ?, updated = ? WHERE id = ?",
			  &st, err) < 0)
		goto out;
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->reception, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, result, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, j->ledger_id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		hk_db_fail(db, err, "recording the reception");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (hk_db_prepare(db, "DELETE FROM submission_error WHERE submission_id = ?", &st, err) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, j->ledger_id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		hk_db_fail(db, err, "recording reception errors");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (hk_db_prepare(db, "INSERT INTO submission_error (submission_id, receipt_no, receipt_id, code, class, message)"
			      " VALUES (?1, ?2, (SELECT id FROM receipt WHERE run_id = ?3 AND body = ?4 AND receipt_no = ?2),"
			      " ?5, ?6, ?7)", &st, err) < 0)
		goto out;
	for (int i = 0; i < r->nerrors; i++) {
		hk_reception_class(r->errors[i].code, &cls, &label);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, j->ledger_id);
		if (r->errors[i].receipt_no > 0)
			sqlite3_bind_int64(st, 2, r->errors[i].receipt_no);
		else
			sqlite3_bind_null(st, 2);
		sqlite3_bind_int64(st, 3, o->run_id);
		sqlite3_bind_int(st, 4, j->body);
		sqlite3_bind_text(st, 5, r->errors[i].code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, cls, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, r->errors[i].message, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			hk_db_fail(db, err, "recording reception errors");
			goto out;
		}
	}
	/* per receipt: rejected when one of its errors is 受付不能 (or the whole file is) */
	if (receipts_mark(db, o->run_id, j->body, "submitted", 0, err) < 0 ||
	    receipts_mark(db, o->run_id, j->body, unacceptable_file ? "rejected" : "accepted", 0, err) < 0)
		goto out;
	for (int i = 0; !unacceptable_file && i < r->nerrors; i++) {
		hk_reception_class(r->errors[i].code, &cls, &label);
		if (strcmp(cls, "unacceptable") == 0 && r->errors[i].receipt_no > 0 &&
		    receipts_mark(db, o->run_id, j->body, "rejected", r->errors[i].receipt_no, err) < 0)
			goto out;
	}
	if (hk_audit(db, "submit", j->sha256, NULL, result, err) < 0 || hk_db_commit(db, err) < 0)
		goto out;
	if (strcmp(state, "rejected") == 0)
		sum->rejected++;
	else if (strcmp(result, "要確認") == 0)
		sum->needs_check++;
	else
		sum->accepted++;
	note(o, "  %s: %s, reception %s%s (%d code%s)", j->rel, result, r->reception,
	     r->duplicate ? " (already received by the peer)" : "", r->nerrors, r->nerrors == 1 ? "" : "s");
	for (int i = 0; i < r->nerrors; i++) {
		hk_reception_class(r->errors[i].code, &cls, &label);
		if (r->errors[i].receipt_no)
			note(o, "    %s %s receipt %ld: %s", r->errors[i].code, label, r->errors[i].receipt_no,
			     r->errors[i].message);
		else
			note(o, "    %s %s file: %s", r->errors[i].code, label, r->errors[i].message);
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	if (rc < 0)
		hk_db_rollback(db);
	return rc;
}

/* ---- per file ---- */

static int ensure_seal(const struct hk_submit_opts *o, const struct hk_cred *cred, struct file_job *j,
		       char seal_sha[65], char **seal_b64, struct hk_err *err)
{
	char sp[HK_MAX_PATH];
	char *seal = NULL;
	size_t seal_len = 0;
	unsigned char *der = NULL;
	size_t der_len = 0;
	struct hk_seal_result res;
	struct hk_err e2 = {0};
	int rc = -1;
	if ((size_t)hk_snprintf(sp, sizeof(sp), "%s.p7s", j->path) >= sizeof(sp))
		return hk_err_set(err, HK_EXIT_IO, "%s: path too long (HK_MAX_PATH)", j->path);
	if (access(sp, F_OK) == 0 && hk_read_file(sp, &seal, &seal_len, HK_MAX_SEAL_BYTES, &e2) == 0 &&
	    hk_seal_verify(j->data, j->len, seal, seal_len, o->ca, cred->cert, hk_clock_now(), &res, &e2) == 0) {
		der = (unsigned char *)seal;
		der_len = seal_len;
		seal = NULL;
		note(o, "  %s: existing seal verified", j->rel);
	} else {
		if (e2.code)
			note(o, "  %s: resealing (%s)", j->rel, e2.msg);
		hk_free(seal);
		seal = NULL;
		if (hk_seal_make(cred, j->data, j->len, hk_clock_now(), &der, &der_len, err) < 0 ||
		    hk_publish(sp, der, der_len, 0644, err) < 0)
			goto out;
		note(o, "  %s: sealed", j->rel);
	}
	hk_sha256_hex(der, der_len, seal_sha);
	*seal_b64 = hk_malloc(4 * ((der_len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)*seal_b64, der, (int)der_len);
	rc = 0;
out:
	hk_free(der);
	hk_free(seal);
	return rc;
}

static int copy_to_outbox(const struct hk_submit_opts *o, const char *claim_month, struct file_job *j,
			  struct hk_err *err)
{
	static const char *const body_dir[] = {"", "shaho", "kokuho"};  /* 別表1: 1 社保 (支払基金), 2 国保 (国保連) */
	char dir[HK_MAX_PATH], dst[HK_MAX_PATH], sp[HK_MAX_PATH], *seal = NULL;
	const char *base = strrchr(j->path, '/');
	size_t seal_len = 0;
	int rc = -1;
	base = base ? base + 1 : j->path;
	if ((size_t)hk_snprintf(dir, sizeof(dir), "%s/%s-%d-%s", o->outbox, claim_month, j->body, body_dir[j->body]) >= sizeof(dir) ||
	    (size_t)hk_snprintf(dst, sizeof(dst), "%s/%s", dir, base) >= sizeof(dst) ||
	    (size_t)hk_snprintf(sp, sizeof(sp), "%s.p7s", j->path) >= sizeof(sp))
		return hk_err_set(err, HK_EXIT_IO, "%s: outbox path too long (HK_MAX_PATH)", o->outbox);
	if (hk_mkdir_p(dir, 0700, err) < 0 || hk_read_file(sp, &seal, &seal_len, HK_MAX_SEAL_BYTES, err) < 0)
		goto out;
	/* the seal first, then the file: a terminal operator never sees a file without its seal */
	{
		char dsp[HK_MAX_PATH];
		hk_snprintf(dsp, sizeof(dsp), "%s.p7s", dst);
		if (hk_publish(dsp, seal, seal_len, 0600, err) < 0 || hk_publish(dst, j->data, j->len, 0600, err) < 0)
			goto out;
	}
	note(o, "  %s: written to %s (with its seal) for the online-claim terminal", j->rel, dst);
	rc = 0;
out:
	hk_free(seal);
	return rc;
}

static int outbox_done(sqlite3 *db, struct file_job *j, struct hk_err *err)
{
	sqlite3_stmt *st;
	char now[21];
	int rc = -1;
	hk_clock_fmt_iso(hk_clock_now(), now);
	if (hk_db_begin(db, err) < 0)
		return -1;
	if (hk_db_prepare(db, "UPDATE submission SET state = 'outboxed', updated = ? WHERE id = ?", &st, err) < 0) {
		hk_db_rollback(db);
		return -1;
	}
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, j->ledger_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		hk_db_fail(db, err, "recording the outbox");
	else if (hk_audit(db, "submit --outbox", j->sha256, NULL, "outboxed", err) == 0 && hk_db_commit(db, err) == 0)
		rc = 0;
	sqlite3_finalize(st);
	if (rc < 0)
		hk_db_rollback(db);
	return rc;
}

static int submit_one(sqlite3 *db, const struct hk_submit_opts *o, const struct hk_cred *cred,
		      const struct hk_station *stn, const char *claim_month, struct file_job *j,
		      struct hk_submit_summary *sum, struct hk_err *err)
{
	char seal_sha[65], url[HK_MAX_PATH + 128], h[5][160];
	char *seal_b64 = NULL, *hseal = NULL;
	struct curl_slist *hdr = NULL;
	struct hk_buf resp;
	struct hk_reception rec;
	struct http_req rq;
	enum http_outcome out;
	const char *base;
	size_t n;
	int rc = -1;
	hk_buf_init(&resp, HK_MAX_RESPONSE_BYTES, "HK_MAX_RESPONSE_BYTES");
	if (ledger_load(db, j, err) < 0)
		goto out;
	if (j->ledger_id && (strcmp(j->state, "accepted") == 0 || strcmp(j->state, "rejected") == 0 ||
			     strcmp(j->state, "sent") == 0)) {
		note(o, "  %s: already submitted (%s, reception %s); not sent again", j->rel, j->state, j->reception);
		sum->skipped++;
		rc = 0;
		goto out;
	}
	if (j->ledger_id && strcmp(j->state, "outboxed") == 0) {
		note(o, "  %s: already handed to the online-claim terminal (outbox); not sent again", j->rel);
		sum->skipped++;
		rc = 0;
		goto out;
	}
	if (o->outbox && j->ledger_id && strcmp(j->state, "uploading") == 0) {
		hk_err_set(err, HK_EXIT_INPUT, "an online upload of this file was interrupted and may have reached the "
			   "review body; run `houkan submit --endpoint URL` again to settle it before using the outbox");
		goto out;
	}
	if (ensure_seal(o, cred, j, seal_sha, &seal_b64, err) < 0)
		goto out;
	if (o->outbox) {
		if (ledger_before(db, o, j, "outbox", seal_sha, err) < 0 || copy_to_outbox(o, claim_month, j, err) < 0 ||
		    outbox_done(db, j, err) < 0)
			goto out;
		sum->outboxed++;
		rc = 0;
		goto out;
	}
	{
		int resumed = j->ledger_id && strcmp(j->state, "uploading") == 0;
		if (ledger_before(db, o, j, "online", seal_sha, err) < 0)
			goto out;
		if (resumed) {
			/* A previous attempt may have reached the peer: ask before sending. */
			hk_snprintf(url, sizeof(url), "%s/status/%s", o->endpoint, j->sha256);
			memset(&rq, 0, sizeof(rq));
			rq.url = url;
			out = http_retry(o, cred, &rq, &resp, err);
			if (out == HTTP_OK) {
				if (hk_reception_parse(resp.data ? resp.data : "", resp.len, &rec, err) < 0)
					goto out;
				if (strcmp(rec.sha256, j->sha256) != 0) {
					hk_err_set(err, HK_EXIT_NET, "%s: the peer answered for another file (%s)", url, rec.sha256);
					goto out;
				}
				note(o, "  %s: the peer already has it (previous run was interrupted)", j->rel);
				rec.duplicate = 1;
				rc = ledger_after(db, o, j, &rec, sum, err);
				goto out;
			}
			if (out != HTTP_NOTFOUND)
				goto out;
		}
	}
	hk_fault_point("submit-before-upload"); /* HOUKAN_KILL_AT (base/fault.h) */
	base = strrchr(j->path, '/');
	base = base ? base + 1 : j->path;
	hk_snprintf(h[0], sizeof(h[0]), "X-Houkan-Sha256: %s", j->sha256);
	hk_snprintf(h[1], sizeof(h[1]), "X-Houkan-Station: %s", stn->code);
	hk_snprintf(h[2], sizeof(h[2]), "X-Houkan-Body: %d", j->body);
	hk_snprintf(h[3], sizeof(h[3]), "X-Houkan-Name: %s", base);
	hk_snprintf(h[4], sizeof(h[4]), "X-Houkan-Claim-Month: %s", claim_month);
	n = strlen(seal_b64) + 32;
	hseal = hk_malloc(n);
	hk_snprintf(hseal, n, "X-Houkan-Seal: %s", seal_b64);
	for (int i = 0; i < 5; i++)
		hdr = curl_slist_append(hdr, h[i]);
	hdr = curl_slist_append(hdr, hseal);
	hdr = curl_slist_append(hdr, "Content-Type: application/octet-stream");
	hdr = curl_slist_append(hdr, "Expect:");
	hk_snprintf(url, sizeof(url), "%s/upload", o->endpoint);
	memset(&rq, 0, sizeof(rq));
	rq.url = url;
	rq.body = j->data;
	rq.body_len = j->len;
	rq.headers = hdr;
	if (http_retry(o, cred, &rq, &resp, err) != HTTP_OK)
		goto out;
	if (hk_reception_parse(resp.data ? resp.data : "", resp.len, &rec, err) < 0)
		goto out;
	if (strcmp(rec.sha256, j->sha256) != 0) {
		hk_err_set(err, HK_EXIT_NET, "%s: the peer acknowledged another digest (%s); the upload was damaged",
			   url, rec.sha256);
		goto out;
	}
	note(o, "  %s: uploaded (%zu bytes, %s)", j->rel, j->len, rq.tls_version[0] ? rq.tls_version : "TLS");
	sum->sent++;
	hk_fault_point("submit-after-upload");
	rc = ledger_after(db, o, j, &rec, sum, err);
out:
	curl_slist_free_all(hdr);
	hk_free(hseal);
	hk_free(seal_b64);
	hk_buf_free(&resp);
	return rc;
}

int hk_submit_run(const struct hk_submit_opts *o, struct hk_submit_summary *sum, struct hk_err *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct hk_cred cred;
	struct hk_station stn;
	struct file_job jobs[2];
	char dbdir[HK_MAX_PATH], claim_month[16] = "", state[16] = "", warn[256];
	int njobs = 0, rc = -1, curl_up = 0;
	memset(&cred, 0, sizeof(cred));
	memset(jobs, 0, sizeof(jobs));
	memset(sum, 0, sizeof(*sum));
	hk_archive_dir(o->db_path, dbdir, sizeof(dbdir));  /* run_output paths are relative to it */
	if (hk_db_open(o->db_path, HK_DB_OPEN_EXISTING, &db, err) < 0 || hk_station_load(db, &stn, err) < 0)
		goto out;
	if (hk_db_prepare(db, "SELECT claim_month, state FROM claim_run WHERE id = ?", &st, err) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, o->run_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		hk_err_set(err, HK_EXIT_INPUT, "%s: no claim run %lld", o->db_path, (long long)o->run_id);
		goto out;
	}
	hk_snprintf(claim_month, sizeof(claim_month), "%s", (const char *)sqlite3_column_text(st, 0));
	hk_snprintf(state, sizeof(state), "%s", (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	st = NULL;
	if (strcmp(state, "done") != 0) {
		hk_err_set(err, HK_EXIT_INPUT, "claim run %lld is '%s', not 'done': only finished runs are submitted",
			   (long long)o->run_id, state);
		goto out;
	}
	if (hk_db_prepare(db, "SELECT body, path, sha256 FROM run_output WHERE run_id = ? ORDER BY body", &st, err) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, o->run_id);
	while (njobs < 2 && sqlite3_step(st) == SQLITE_ROW) {
		struct file_job *j = &jobs[njobs++];
		const char *rel = (const char *)sqlite3_column_text(st, 1);
		j->body = sqlite3_column_int(st, 0);
		hk_snprintf(j->rel, sizeof(j->rel), "%s", rel);
		if (rel[0] == '/')
			hk_snprintf(j->path, sizeof(j->path), "%s", rel);
		else
			hk_snprintf(j->path, sizeof(j->path), "%s/%s", dbdir, rel);
		if (hk_read_file(j->path, &j->data, &j->len, HK_MAX_CLAIM_BYTES, err) < 0)
			goto out;
		hk_sha256_hex(j->data, j->len, j->sha256);
		if (strcmp(j->sha256, (const char *)sqlite3_column_text(st, 2)) != 0) {
			hk_err_set(err, HK_EXIT_INPUT, "%s: the file changed since claim run %lld recorded it (sha256 %s, "
				   "recorded %s); refusing to submit", j->path, (long long)o->run_id, j->sha256,
				   (const char *)sqlite3_column_text(st, 2));
			goto out;
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (njobs == 0) {
		hk_err_set(err, HK_EXIT_INPUT, "claim run %lld has no output files", (long long)o->run_id);
		goto out;
	}
	if (hk_cred_open(&cred, o->p12, o->pass_file, o->pass_fd, err) < 0 ||
	    hk_cert_check_leaf(cred.cert, hk_clock_now(), HK_USE_SEAL | HK_USE_TLS_CLIENT, err) < 0)
		goto out;
	{
		X509_STORE *store = hk_ca_store_load(o->ca, err);
		int ok = store && hk_cert_check_chain(cred.cert, cred.chain, store, hk_clock_now(), err) == 0;
		X509_STORE_free(store);
		if (!ok)
			goto out;
	}
	if (hk_cert_expiry_warning(cred.cert, hk_clock_now(), warn, sizeof(warn)))
		note(o, "%s", warn);
	if (!o->outbox) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			hk_err_set(err, HK_EXIT_INTERNAL, "curl_global_init failed");
			goto out;
		}
		curl_up = 1;
	}
	for (int i = 0; i < njobs; i++) {
		sum->files++;
		note(o, "%s (body %d, sha256 %.16s…)", jobs[i].rel, jobs[i].body, jobs[i].sha256);
		if (submit_one(db, o, &cred, &stn, claim_month, &jobs[i], sum, err) < 0) {
			hk_err_prefix(err, "%s", jobs[i].rel);
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	for (int i = 0; i < njobs; i++) {
		hk_free(jobs[i].data);
	}
	hk_cred_free(&cred);
	if (curl_up)
		curl_global_cleanup();
	if (db)
		hk_db_close(db);
	return rc;
}
