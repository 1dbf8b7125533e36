/*
 * seal.c - the detached CMS seal over a claim file (certs.h).
 *
 * Made with CMS_BINARY | CMS_DETACHED (the Shift_JIS bytes and their CRLF
 * are hashed exactly as they are), SHA-256, the signer certificate and its
 * intermediates included, and a signingTime attribute taken from the run
 * clock, so a replayed run (same clock, same key) yields the same bytes.
 *
 * Verification walks the structure one step at a time so that each way of
 * failing gets its own message (docs/certs.md, tests/cli/verify_*.sh).
 */
#include <string.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include "certs/certs.h"
#include "base/clock.h"

#define SEAL_CLOCK_SKEW 300   /* seconds a signing time may lie ahead of "now" */

int hk_seal_make(const struct hk_cred *c, const void *data, size_t len, int64_t signing_time,
		 unsigned char **der, size_t *der_len, struct hk_err *err)
{
	const unsigned flags = CMS_BINARY | CMS_DETACHED | CMS_PARTIAL | CMS_NOSMIMECAP;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	ASN1_TIME *at = NULL;
	BIO *in = NULL;
	unsigned char *out = NULL, *p;
	char ebuf[256];
	int n, rc = -1;
	*der = NULL;
	*der_len = 0;
	if (len > HK_MAX_CLAIM_BYTES) {
		hk_err_set(err, HK_EXIT_INPUT, "file larger than HK_MAX_CLAIM_BYTES (%d)", HK_MAX_CLAIM_BYTES);
		goto out;
	}
	in = BIO_new_mem_buf(data, (int)len);
	cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
	if (!in || !cms)
		goto ossl;
	si = CMS_add1_signer(cms, c->cert, c->key, EVP_sha256(), flags);
	if (!si)
		goto ossl;
	for (int i = 0; i < sk_X509_num(c->chain); i++) {
		X509 *x = sk_X509_value(c->chain, i);
		if (X509_check_issued(x, x) == X509_V_OK)
			continue; /* the root is the verifier's to hold, not ours to ship */
		if (!CMS_add1_cert(cms, x))
			goto ossl;
	}
	at = ASN1_TIME_set(NULL, (time_t)signing_time);
	if (!at || !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, ASN1_STRING_type(at), at, -1))
		goto ossl;
	if (!CMS_final(cms, in, NULL, flags & ~(unsigned)CMS_PARTIAL))
		goto ossl;
	n = i2d_CMS_ContentInfo(cms, NULL);
	if (n <= 0)
		goto ossl;
	out = hk_malloc((size_t)n);
	p = out;
	if (i2d_CMS_ContentInfo(cms, &p) != n)
		goto ossl;
	*der = out;
	*der_len = (size_t)n;
	out = NULL;
	rc = 0;
	goto out;
ossl:
	hk_err_set(err, HK_EXIT_CERT, "cannot make the seal: %s", hk_ossl_error(ebuf, sizeof(ebuf)));
out:
	hk_free(out);
	ASN1_TIME_free(at);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return rc;
}

/* The digest of data, optionally with every bare LF turned into CRLF. */
static int digest_of(const EVP_MD *md, const unsigned char *d, size_t len, int lf_to_crlf,
		     unsigned char *out, unsigned *olen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t start = 0;
	int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL);
	if (ok && lf_to_crlf) {
		for (size_t i = 0; ok && i < len; i++) {
			if (d[i] == '\n' && (i == 0 || d[i - 1] != '\r')) {
				ok = EVP_DigestUpdate(ctx, d + start, i - start) && EVP_DigestUpdate(ctx, "\r", 1);
				start = i;
			}
		}
	}
	if (ok)
		ok = EVP_DigestUpdate(ctx, d + start, len - start) && EVP_DigestFinal_ex(ctx, out, olen);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

static int has_bare_lf(const unsigned char *d, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (d[i] == '\n' && (i == 0 || d[i - 1] != '\r'))
			return 1;
	return 0;
}

static int attr_time(CMS_SignerInfo *si, int64_t *out)
{
	int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	X509_ATTRIBUTE *a;
	ASN1_TYPE *t;
	struct tm tm;
	if (idx < 0 || !(a = CMS_signed_get_attr(si, idx)) || !(t = X509_ATTRIBUTE_get0_type(a, 0)))
		return -1;
	if (t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME)
		return -1;
	if (!ASN1_TIME_to_tm((const ASN1_TIME *)t->value.asn1_string, &tm))
		return -1;
	{
		int64_t y = tm.tm_year + 1900, m = tm.tm_mon + 1, era, yoe, doy, doe;
		y -= m <= 2;
		era = (y >= 0 ? y : y - 399) / 400;
		yoe = y - era * 400;
		doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + tm.tm_mday - 1;
		doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
		*out = (era * 146097 + doe - 719468) * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	}
	return 0;
}

int hk_seal_verify(const void *data, size_t len, const void *seal, size_t seal_len,
		   const char *ca_file, X509 *expect, int64_t now,
		   struct hk_seal_result *res, struct hk_err *err)
{
	const unsigned char *p = seal;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509) *certs = NULL;
	CMS_SignerInfo *si;
	X509 *signer = NULL;
	X509_ALGOR *dig = NULL, *sig = NULL;
	EVP_PKEY *pk = NULL;
	X509_STORE *store = NULL;
	ASN1_OCTET_STRING **pos, *md_attr;
	const ASN1_OBJECT *obj;
	const EVP_MD *md;
	BIO *dcont = NULL;
	unsigned char dg[EVP_MAX_MD_SIZE];
	unsigned dglen = 0;
	char ebuf[256], ts[21], nows[21];
	int rc = -1, nid, n;
	memset(res, 0, sizeof(*res));
	if (seal_len == 0) {
		hk_err_set(err, HK_EXIT_CERT, "the seal file is empty");
		goto out;
	}
	if (len == 0) {
		hk_err_set(err, HK_EXIT_CERT, "the content file is empty (missing content): nothing to verify");
		goto out;
	}
	if (seal_len >= 10 && memcmp(seal, "-----BEGIN", 10) == 0) {
		hk_err_set(err, HK_EXIT_CERT, "the seal is PEM text; houkan writes and expects DER (.p7s)");
		goto out;
	}
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)seal_len);
	if (!cms) {
		hk_err_set(err, HK_EXIT_CERT, "the seal is not a valid CMS structure (damaged or truncated: %s)",
			   hk_ossl_error(ebuf, sizeof(ebuf)));
		goto out;
	}
	if ((size_t)(p - (const unsigned char *)seal) != seal_len) {
		hk_err_set(err, HK_EXIT_CERT, "the seal has %zu bytes of trailing data after the CMS structure",
			   seal_len - (size_t)(p - (const unsigned char *)seal));
		goto out;
	}
	nid = OBJ_obj2nid(CMS_get0_type(cms));
	if (nid != NID_pkcs7_signed) {
		hk_err_set(err, HK_EXIT_CERT, "the seal is CMS %s, not SignedData", OBJ_nid2ln(nid));
		goto out;
	}
	pos = CMS_get0_content(cms);
	if (pos && *pos) {
		hk_err_set(err, HK_EXIT_CERT, "the seal embeds its content; a detached seal is expected");
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data) {
		hk_err_set(err, HK_EXIT_CERT, "the seal's content type is %s, not data",
			   OBJ_nid2ln(OBJ_obj2nid(CMS_get0_eContentType(cms))));
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	n = sis ? sk_CMS_SignerInfo_num(sis) : 0;
	if (n == 0) {
		hk_err_set(err, HK_EXIT_CERT, "the seal has no signer");
		goto out;
	}
	if (n > 1) {
		hk_err_set(err, HK_EXIT_CERT, "the seal has %d signers; exactly one (the station) is allowed", n);
		goto out;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	certs = CMS_get1_certs(cms);
	if (!certs || sk_X509_num(certs) == 0) {
		hk_err_set(err, HK_EXIT_CERT, "the seal includes no certificate; the signer certificate must be included");
		goto out;
	}
	CMS_set1_signers_certs(cms, NULL, 0);
	ERR_clear_error();
	CMS_SignerInfo_get0_algs(si, &pk, &signer, &dig, &sig);
	if (!signer) {
		hk_err_set(err, HK_EXIT_CERT, "no certificate in the seal matches the signer identifier "
			   "(wrong signer certificate included)");
		goto out;
	}
	if (hk_cert_describe(signer, &res->signer, err) < 0)
		goto out;
	X509_ALGOR_get0(&obj, NULL, NULL, dig);
	nid = OBJ_obj2nid(obj);
	if (nid == NID_sha1 || nid == NID_md5) {
		hk_err_set(err, HK_EXIT_CERT, "the seal uses the digest %s, which is too weak; SHA-256 is required",
			   OBJ_nid2sn(nid));
		goto out;
	}
	if (nid != NID_sha256 && nid != NID_sha384 && nid != NID_sha512) {
		hk_err_set(err, HK_EXIT_CERT, "the seal uses the unsupported digest %s", OBJ_nid2ln(nid));
		goto out;
	}
	md = EVP_get_digestbynid(nid);
	if (CMS_signed_get_attr_count(si) <= 0) {
		hk_err_set(err, HK_EXIT_CERT, "the seal has no signed attributes (a signing time and a message "
			   "digest are required)");
		goto out;
	}
	if (attr_time(si, &res->signing_time) < 0) {
		hk_err_set(err, HK_EXIT_CERT, "the seal has no signing time");
		goto out;
	}
	hk_clock_fmt_iso(res->signing_time, ts);
	hk_clock_fmt_iso(now, nows);
	if (res->signing_time > now + SEAL_CLOCK_SKEW) {
		hk_err_set(err, HK_EXIT_CERT, "the seal's signing time %s is later than now (%s)", ts, nows);
		goto out;
	}
	if (expect && X509_cmp(signer, expect) != 0) {
		struct hk_cert_info want;
		if (hk_cert_describe(expect, &want, err) < 0)
			goto out;
		hk_err_set(err, HK_EXIT_CERT, "wrong signer: sealed by '%s' (serial %s), expected '%s' (serial %s)",
			   res->signer.subject, res->signer.serial, want.subject, want.serial);
		goto out;
	}
	if (hk_cert_check_leaf(signer, now, HK_USE_SEAL, err) < 0) {
		hk_err_prefix(err, "signer");
		goto out;
	}
	if (res->signing_time < res->signer.nb || res->signing_time > res->signer.na) {
		hk_err_set(err, HK_EXIT_CERT, "the seal's signing time %s is outside the signer certificate's "
			   "validity (%s to %s)", ts, res->signer.not_before, res->signer.not_after);
		goto out;
	}
	store = hk_ca_store_load(ca_file, err);
	if (!store)
		goto out;
	if (hk_cert_check_chain(signer, certs, store, now, err) < 0) {
		hk_err_prefix(err, "signer");
		goto out;
	}
	if (CMS_SignerInfo_verify(si) != 1) {
		ERR_clear_error();
		hk_err_set(err, HK_EXIT_CERT, "the signature does not verify with the signer certificate's key "
			   "(the seal was altered or made with another key)");
		goto out;
	}
	{
		int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_messageDigest, -1);
		X509_ATTRIBUTE *a = idx >= 0 ? CMS_signed_get_attr(si, idx) : NULL;
		ASN1_TYPE *t = a ? X509_ATTRIBUTE_get0_type(a, 0) : NULL;
		md_attr = t && t->type == V_ASN1_OCTET_STRING ? t->value.octet_string : NULL;
	}
	if (!md_attr) {
		hk_err_set(err, HK_EXIT_CERT, "the seal has no message digest attribute");
		goto out;
	}
	if (digest_of(md, data, len, 0, dg, &dglen) < 0) {
		hk_err_set(err, HK_EXIT_INTERNAL, "digest failed");
		goto out;
	}
	if ((int)dglen != ASN1_STRING_length(md_attr) || memcmp(dg, ASN1_STRING_get0_data(md_attr), dglen) != 0) {
		if (has_bare_lf(data, len) && digest_of(md, data, len, 1, dg, &dglen) == 0 &&
		    (int)dglen == ASN1_STRING_length(md_attr) && memcmp(dg, ASN1_STRING_get0_data(md_attr), dglen) == 0)
			hk_err_set(err, HK_EXIT_CERT, "the content has LF line endings where CRLF was sealed (the file "
				   "was converted by a text-mode copy or transfer)");
		else if (has_bare_lf(data, len))
			hk_err_set(err, HK_EXIT_CERT, "the content does not match the seal and has bare LF line endings "
				   "(claim files use CRLF)");
		else
			hk_err_set(err, HK_EXIT_CERT, "the content does not match the seal (the message digest differs: "
				   "the file was changed after sealing)");
		goto out;
	}
	/* Belt and braces: OpenSSL's own verification of the same facts. */
	dcont = BIO_new_mem_buf(data, (int)len);
	if (!dcont || CMS_verify(cms, NULL, NULL, dcont, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		hk_err_set(err, HK_EXIT_CERT, "the seal does not verify (%s)", hk_ossl_error(ebuf, sizeof(ebuf)));
		goto out;
	}
	rc = 0;
out:
	BIO_free(dcont);
	X509_STORE_free(store);
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}
