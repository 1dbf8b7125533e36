/*
 * cred.c - passphrases, PKCS#12 loading and certificate checks (certs.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509v3.h>
#include "certs/certs.h"
#include "base/fileio.h"
#include "base/clock.h"
#include "base/limits.h"

const char *hk_ossl_error(char *buf, size_t size)
{
	unsigned long e, last = 0;
	while ((e = ERR_get_error()) != 0)
		last = e;
	if (!last)
		hk_snprintf(buf, size, "no detail from OpenSSL");
	else
		ERR_error_string_n(last, buf, size);
	return buf;
}

/* ---- passphrases ---- */

void hk_secret_wipe(struct hk_secret *s)
{
	hk_wipe(s->s, sizeof(s->s));
	s->len = 0;
}

static int secret_read(struct hk_secret *out, int fd, const char *what, struct hk_err *err)
{
	size_t n = 0;
	int rc = -1;
	out->len = 0;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			hk_err_set(err, HK_EXIT_IO, "cannot read the passphrase from %s: %s", what, strerror(errno));
			goto out;
		}
		if (r == 0 || c == '\n')
			break;
		if (n >= HK_MAX_PASSPHRASE) {
			hk_err_set(err, HK_EXIT_CERT, "passphrase from %s is longer than HK_MAX_PASSPHRASE (%d bytes)",
				   what, HK_MAX_PASSPHRASE);
			goto out;
		}
		out->s[n++] = c;
	}
	if (n > 0 && out->s[n - 1] == '\r')
		n--;
	out->s[n] = '\0';
	out->len = n;
	if (n == 0) {
		hk_err_set(err, HK_EXIT_CERT, "empty passphrase from %s", what);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		hk_secret_wipe(out);
	return rc;
}

int hk_secret_from_fd(struct hk_secret *out, int fd, struct hk_err *err)
{
	char what[32];
	hk_snprintf(what, sizeof(what), "file descriptor %d", fd);
	return secret_read(out, fd, what, err);
}

/* Refuses a file that group or others may read or write. */
static int owner_only(const char *path, int fd, const char *kind, struct hk_err *err)
{
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		return hk_err_set(err, HK_EXIT_IO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return hk_err_set(err, HK_EXIT_IO, "%s: not a regular file", path);
	if (sb.st_mode & 077)
		return hk_err_set(err, HK_EXIT_CERT,
				  "%s: %s is accessible by group or others (mode %04o); refusing to use it: "
				  "run `chmod 600 %s`", path, kind, (unsigned)(sb.st_mode & 07777), path);
	if (sb.st_uid != geteuid())
		return hk_err_set(err, HK_EXIT_CERT, "%s: %s is not owned by the current user; refusing to use it",
				  path, kind);
	return 0;
}

int hk_secret_from_file(struct hk_secret *out, const char *path, struct hk_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc = -1;
	if (fd < 0)
		return hk_err_set(err, HK_EXIT_IO, "%s: cannot open the passphrase file: %s", path, strerror(errno));
	if (owner_only(path, fd, "the passphrase file", err) < 0)
		goto out;
	rc = secret_read(out, fd, path, err);
out:
	close(fd);
	return rc;
}

int hk_secret_from_tty(struct hk_secret *out, const char *prompt, struct hk_err *err)
{
	struct termios old, raw;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC), rc = -1, restore = 0;
	if (fd < 0)
		return hk_err_set(err, HK_EXIT_CERT,
				  "no passphrase: give --pass-file FILE (mode 0600) or --pass-fd N, or run on a terminal");
	if (tcgetattr(fd, &old) == 0) {
		raw = old;
		raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		raw.c_lflag |= ICANON;
		if (tcsetattr(fd, TCSAFLUSH, &raw) == 0)
			restore = 1;
	}
	if (write(fd, prompt, strlen(prompt)) < 0) {
		hk_err_set(err, HK_EXIT_IO, "/dev/tty: %s", strerror(errno));
		goto out;
	}
	rc = secret_read(out, fd, "the terminal", err);
	if (write(fd, "\n", 1) < 0) {
		/* the passphrase is read; a lost newline on the terminal is harmless */
	}
out:
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	close(fd);
	return rc;
}

/* ---- PKCS#12 ---- */

void hk_cred_free(struct hk_cred *c)
{
	EVP_PKEY_free(c->key);
	X509_free(c->cert);
	sk_X509_pop_free(c->chain, X509_free);
	memset(c, 0, sizeof(*c));
}

static int p12_parse(PKCS12 *p12, const char *pass, struct hk_cred *c)
{
	return PKCS12_parse(p12, pass, &c->key, &c->cert, &c->chain);
}

int hk_cred_load(struct hk_cred *c, const char *path, struct hk_secret *pass, struct hk_err *err)
{
	char *data = NULL;
	size_t len = 0;
	const unsigned char *p;
	PKCS12 *p12 = NULL;
	OSSL_PROVIDER *legacy = NULL;
	char ebuf[256];
	int fd = -1, rc = -1;
	memset(c, 0, sizeof(*c));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		hk_err_set(err, HK_EXIT_IO, "%s: cannot open the certificate file: %s", path, strerror(errno));
		goto out;
	}
	if (owner_only(path, fd, "the PKCS#12 file (it holds the station's private key)", err) < 0)
		goto out;
	if (hk_read_file(path, &data, &len, HK_MAX_P12_BYTES, err) < 0)
		goto out;
	p = (const unsigned char *)data;
	p12 = d2i_PKCS12(NULL, &p, (long)len);
	if (!p12) {
		hk_err_set(err, HK_EXIT_CERT, "%s: not a PKCS#12 file (%s)", path, hk_ossl_error(ebuf, sizeof(ebuf)));
		goto out;
	}
	if (PKCS12_mac_present(p12) && !PKCS12_verify_mac(p12, pass->s, (int)pass->len)) {
		ERR_clear_error();
		hk_err_set(err, HK_EXIT_CERT, "%s: wrong passphrase (the PKCS#12 integrity check failed)", path);
		goto out;
	}
	if (!p12_parse(p12, pass->s, c)) {
		/* The MAC was right, so the bags use an algorithm the default
		 * provider lacks: RC2-40 or 3DES of older exports. */
		ERR_clear_error();
		hk_cred_free(c);
		legacy = OSSL_PROVIDER_try_load(NULL, "legacy", 1);
		if (!legacy) {
			ERR_clear_error();
			hk_err_set(err, HK_EXIT_CERT,
				   "%s: the PKCS#12 file uses legacy encryption (RC2-40 or 3DES) that OpenSSL 3 "
				   "reads only with its legacy provider, which could not be loaded. Either make the "
				   "provider available (legacy.so in OPENSSL_MODULES) or convert the file once: "
				   "`openssl pkcs12 -legacy -in %s -out tmp.pem && openssl pkcs12 -export -in tmp.pem "
				   "-out new.p12 && shred -u tmp.pem` (AES-256), then use new.p12", path, path);
			goto out;
		}
		if (!p12_parse(p12, pass->s, c)) {
			hk_err_set(err, HK_EXIT_CERT, "%s: cannot decrypt the PKCS#12 contents (%s)", path,
				   hk_ossl_error(ebuf, sizeof(ebuf)));
			goto out;
		}
		c->legacy = 1;
	}
	if (!c->cert || !c->key) {
		hk_err_set(err, HK_EXIT_CERT, "%s: the PKCS#12 file lacks a %s", path,
			   c->cert ? "private key" : "certificate");
		goto out;
	}
	if (!X509_check_private_key(c->cert, c->key)) {
		ERR_clear_error();
		hk_err_set(err, HK_EXIT_CERT, "%s: the private key does not match the certificate", path);
		goto out;
	}
	if (!c->chain)
		c->chain = sk_X509_new_null();
	rc = 0;
out:
	hk_secret_wipe(pass);
	if (data) {
		hk_wipe(data, len);
		hk_free(data);
	}
	PKCS12_free(p12);
	if (legacy)
		OSSL_PROVIDER_unload(legacy);  /* the key is decoded; the provider is needed no more */
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		hk_cred_free(c);
	return rc;
}

int hk_cred_open(struct hk_cred *c, const char *p12, const char *pass_file, int pass_fd,
		 struct hk_err *err)
{
	struct hk_secret pass;
	char prompt[HK_MAX_PATH + 64];
	int rc;
	memset(c, 0, sizeof(*c));
	memset(&pass, 0, sizeof(pass));
	hk_snprintf(prompt, sizeof(prompt), "passphrase for %s: ", p12);
	if (pass_file)
		rc = hk_secret_from_file(&pass, pass_file, err);
	else if (pass_fd >= 0)
		rc = hk_secret_from_fd(&pass, pass_fd, err);
	else
		rc = hk_secret_from_tty(&pass, prompt, err);
	if (rc == 0)
		rc = hk_cred_load(c, p12, &pass, err);
	hk_secret_wipe(&pass);
	return rc;
}

X509 *hk_cert_read(const char *path, struct hk_err *err)
{
	BIO *b = BIO_new_file(path, "rb");
	X509 *x = NULL;
	char ebuf[256];
	if (!b) {
		ERR_clear_error();
		hk_err_set(err, HK_EXIT_IO, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (!x) {
		ERR_clear_error();
		(void)BIO_reset(b);
		x = d2i_X509_bio(b, NULL);
	}
	if (!x)
		hk_err_set(err, HK_EXIT_CERT, "%s: not a certificate (%s)", path, hk_ossl_error(ebuf, sizeof(ebuf)));
	BIO_free(b);
	return x;
}

/* ---- facts ---- */

static int asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;
	int64_t days;
	int y, m;
	if (!ASN1_TIME_to_tm(t, &tm))
		return -1;
	/* days from civil (Howard Hinnant), avoiding timegm */
	y = tm.tm_year + 1900;
	m = tm.tm_mon + 1;
	y -= m <= 2;
	{
		int64_t era = (y >= 0 ? y : y - 399) / 400;
		int64_t yoe = y - era * 400;
		int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + tm.tm_mday - 1;
		int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
		days = era * 146097 + doe - 719468;
	}
	*out = days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return 0;
}

static void name_text(X509_NAME *n, char *out, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long len;
	out[0] = '\0';
	if (!b)
		return;
	X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	len = BIO_get_mem_data(b, &p);
	if (len > 0)
		hk_snprintf(out, size, "%.*s", (int)len, p);
	BIO_free(b);
}

int hk_cert_describe(X509 *x, struct hk_cert_info *o, struct hk_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	BIGNUM *bn = ASN1_INTEGER_to_BN(sn, NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	EVP_PKEY *pk = X509_get0_pubkey(x);
	size_t off = 0;
	memset(o, 0, sizeof(*o));
	name_text(X509_get_subject_name(x), o->subject, sizeof(o->subject));
	name_text(X509_get_issuer_name(x), o->issuer, sizeof(o->issuer));
	hk_snprintf(o->serial, sizeof(o->serial), "%s", hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
	if (asn1_time_unix(X509_get0_notBefore(x), &o->nb) < 0 || asn1_time_unix(X509_get0_notAfter(x), &o->na) < 0)
		return hk_err_set(err, HK_EXIT_CERT, "certificate has an unreadable validity period");
	hk_clock_fmt_iso(o->nb, o->not_before);
	hk_clock_fmt_iso(o->na, o->not_after);
	X509_digest(x, EVP_sha256(), md, &mdlen);
	for (unsigned i = 0; i < mdlen && off + 3 < sizeof(o->sha256); i++)
		off += (size_t)hk_snprintf(o->sha256 + off, sizeof(o->sha256) - off, i ? ":%02X" : "%02X", md[i]);
	if (pk)
		hk_snprintf(o->key, sizeof(o->key), "%s %d", EVP_PKEY_get0_type_name(pk), EVP_PKEY_get_bits(pk));
	{
		int nid = X509_get_signature_nid(x);
		hk_snprintf(o->sigalg, sizeof(o->sigalg), "%s", nid ? OBJ_nid2ln(nid) : "?");
	}
	return 0;
}

long hk_cert_days_left(X509 *x, int64_t now)
{
	int64_t na;
	if (asn1_time_unix(X509_get0_notAfter(x), &na) < 0)
		return -1;
	if (na >= now)
		return (long)((na - now) / 86400);
	return -(long)((now - na + 86399) / 86400);
}

int hk_cert_expiry_warning(X509 *x, int64_t now, char *msg, size_t size)
{
	static const int thresholds[] = {7, 30, 60};   /* days; the smallest crossed is named */
	long left = hk_cert_days_left(x, now);
	char na[21];
	int64_t t;
	if (left < 0 || asn1_time_unix(X509_get0_notAfter(x), &t) < 0)
		return 0;
	hk_clock_fmt_iso(t, na);
	for (size_t i = 0; i < HK_ARRAY_LEN(thresholds); i++) {
		if (left < thresholds[i]) {
			hk_snprintf(msg, size, "warning: the certificate expires in %ld day%s (%s), within %d days: "
				    "renew it now", left, left == 1 ? "" : "s", na, thresholds[i]);
			return 1;
		}
	}
	return 0;
}

/* ---- checks ---- */

static int sigalg_is_sha1(X509 *x)
{
	int md = NID_undef, pk = NID_undef;
	if (!OBJ_find_sigid_algs(X509_get_signature_nid(x), &md, &pk))
		return 0;
	return md == NID_sha1 || md == NID_md5 || md == NID_md5_sha1;
}

int hk_cert_check_leaf(X509 *x, int64_t now, unsigned use, struct hk_err *err)
{
	struct hk_cert_info ci;
	EVP_PKEY *pk = X509_get0_pubkey(x);
	uint32_t ku;
	if (hk_cert_describe(x, &ci, err) < 0)
		return -1;
	if (now < ci.nb)
		return hk_err_set(err, HK_EXIT_CERT, "certificate '%s' is not yet valid (valid from %s)",
				  ci.subject, ci.not_before);
	if (now > ci.na)
		return hk_err_set(err, HK_EXIT_CERT, "certificate '%s' expired on %s", ci.subject, ci.not_after);
	if (sigalg_is_sha1(x))
		return hk_err_set(err, HK_EXIT_CERT, "certificate '%s' is signed with %s; SHA-1 and MD5 are refused",
				  ci.subject, ci.sigalg);
	if (!pk)
		return hk_err_set(err, HK_EXIT_CERT, "certificate '%s' has an unreadable public key", ci.subject);
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
		if (EVP_PKEY_get_bits(pk) < HK_MIN_RSA_BITS)
			return hk_err_set(err, HK_EXIT_CERT, "certificate '%s' has a weak key (RSA %d bits; at least "
					  "%d required)", ci.subject, EVP_PKEY_get_bits(pk), HK_MIN_RSA_BITS);
		break;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_bits(pk) < HK_MIN_EC_BITS)
			return hk_err_set(err, HK_EXIT_CERT, "certificate '%s' has a weak key (EC %d bits; at least "
					  "%d required)", ci.subject, EVP_PKEY_get_bits(pk), HK_MIN_EC_BITS);
		break;
	default:
		return hk_err_set(err, HK_EXIT_CERT, "certificate '%s' has an unsupported key type %s",
				  ci.subject, EVP_PKEY_get0_type_name(pk));
	}
	if (X509_check_ca(x) != 0)
		return hk_err_set(err, HK_EXIT_CERT, "certificate '%s' is a CA certificate; a station (end-entity) "
				  "certificate is required", ci.subject);
	ku = X509_get_key_usage(x);   /* UINT32_MAX when the extension is absent */
	if (ku == UINT32_MAX)
		return hk_err_set(err, HK_EXIT_CERT, "certificate '%s' has no keyUsage extension", ci.subject);
	if ((use & HK_USE_SEAL) && !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
		return hk_err_set(err, HK_EXIT_CERT, "certificate '%s' has the wrong key usage: neither "
				  "digitalSignature nor nonRepudiation is allowed, so it cannot seal", ci.subject);
	if ((use & HK_USE_TLS_CLIENT) && !(ku & KU_DIGITAL_SIGNATURE))
		return hk_err_set(err, HK_EXIT_CERT, "certificate '%s' has the wrong key usage: digitalSignature "
				  "is needed for TLS client authentication", ci.subject);
	if ((use & HK_USE_TLS_CLIENT) && (X509_get_extension_flags(x) & EXFLAG_XKUSAGE) &&
	    !(X509_get_extended_key_usage(x) & XKU_SSL_CLIENT))
		return hk_err_set(err, HK_EXIT_CERT, "certificate '%s' has an extendedKeyUsage without clientAuth",
				  ci.subject);
	return 0;
}

X509_STORE *hk_ca_store_load(const char *ca_file, struct hk_err *err)
{
	X509_STORE *st = X509_STORE_new();
	char ebuf[256];
	if (!st) {
		hk_err_set(err, HK_EXIT_INTERNAL, "X509_STORE_new failed");
		return NULL;
	}
	if (access(ca_file, R_OK) < 0) {
		hk_err_set(err, HK_EXIT_IO, "%s: cannot read the CA file: %s", ca_file, strerror(errno));
		goto bad;
	}
	if (!X509_STORE_load_file(st, ca_file)) {
		hk_err_set(err, HK_EXIT_CERT, "%s: no usable CA certificate in the CA file (%s)", ca_file,
			   hk_ossl_error(ebuf, sizeof(ebuf)));
		goto bad;
	}
	{
		STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(st);
		if (sk_X509_OBJECT_num(objs) == 0) {
			hk_err_set(err, HK_EXIT_CERT, "%s: the CA file contains no certificate", ca_file);
			goto bad;
		}
	}
	return st;
bad:
	X509_STORE_free(st);
	return NULL;
}

int hk_cert_check_chain(X509 *x, STACK_OF(X509) *untrusted, X509_STORE *store, int64_t now,
			struct hk_err *err)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *vp;
	struct hk_cert_info ci;
	int rc = -1, e, depth;
	X509 *bad;
	char subj[512] = "";
	if (!ctx)
		return hk_err_set(err, HK_EXIT_INTERNAL, "X509_STORE_CTX_new failed");
	if (hk_cert_describe(x, &ci, err) < 0)
		goto out;
	if (!X509_STORE_CTX_init(ctx, store, x, untrusted)) {
		hk_err_set(err, HK_EXIT_INTERNAL, "X509_STORE_CTX_init failed");
		goto out;
	}
	vp = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(vp, (time_t)now);
	X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_X509_STRICT);
	if (X509_verify_cert(ctx) == 1) {
		rc = 0;
		goto out;
	}
	ERR_clear_error();
	e = X509_STORE_CTX_get_error(ctx);
	depth = X509_STORE_CTX_get_error_depth(ctx);
	bad = X509_STORE_CTX_get_current_cert(ctx);
	if (bad)
		name_text(X509_get_subject_name(bad), subj, sizeof(subj));
	switch (e) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
		if (bad && X509_check_ca(bad) != 0) {
			char iss[512];
			name_text(X509_get_issuer_name(bad), iss, sizeof(iss));
			hk_err_set(err, HK_EXIT_CERT, "chain of '%s' leads to the CA '%s', whose issuer '%s' is not among "
				   "the configured CA certificates (wrong CA file?)", ci.subject, subj, iss);
		} else if (bad) {
			char iss[512];
			name_text(X509_get_issuer_name(bad), iss, sizeof(iss));
			hk_err_set(err, HK_EXIT_CERT, "chain of '%s' is incomplete: the issuer '%s' of '%s' is neither "
				   "among the configured CA certificates nor included (missing intermediate certificate?)",
				   ci.subject, iss, subj);
		} else {
			hk_err_set(err, HK_EXIT_CERT, "chain of '%s' is incomplete (missing intermediate certificate?)",
				   ci.subject);
		}
		break;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		hk_err_set(err, HK_EXIT_CERT, "chain of '%s' ends in the root '%s', which is not among the "
			   "configured CA certificates (untrusted root)", ci.subject, subj);
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		hk_err_set(err, HK_EXIT_CERT, "certificate '%s' is self-signed and not among the configured CA "
			   "certificates", ci.subject);
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		hk_err_set(err, HK_EXIT_CERT, "certificate '%s' (depth %d in the chain of '%s') has expired",
			   subj, depth, ci.subject);
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		hk_err_set(err, HK_EXIT_CERT, "certificate '%s' (depth %d in the chain of '%s') is not yet valid",
			   subj, depth, ci.subject);
		break;
	default:
		hk_err_set(err, HK_EXIT_CERT, "chain of '%s' does not verify at '%s' (depth %d): %s", ci.subject,
			   subj, depth, X509_verify_cert_error_string(e));
	}
out:
	X509_STORE_CTX_free(ctx);
	return rc;
}
