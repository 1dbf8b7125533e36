/*
 * certs.h - the station's online-claim certificate (オンライン請求用電子証明書)
 * and the detached CMS seal over a claim file.  docs/certs.md explains the
 * checks and every message.
 *
 * Secrets: a passphrase is read from a file descriptor, a 0600 file or the
 * terminal (never argv or the environment), is used once to open the
 * PKCS#12 file and is wiped (hk_wipe) right after.  hk_cred_free() frees the
 * private key; OpenSSL clears key material when it frees it.
 *
 * Every function here returns -1 (or NULL) and fills struct hk_err; the
 * codes are HK_EXIT_CERT for certificate and signature problems,
 * HK_EXIT_IO for unreadable files, HK_EXIT_USAGE never.
 */
#ifndef HK_CERTS_H
#define HK_CERTS_H
#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>
#include <openssl/x509.h>
#include "base/hk.h"

/* Named caps for this area (PRACTICES 6). */
#define HK_MAX_PASSPHRASE   1024        /* bytes of one passphrase */
#define HK_MAX_P12_BYTES    (1 << 20)   /* one PKCS#12 file */
#define HK_MAX_SEAL_BYTES   (1 << 20)   /* one .p7s seal */
#define HK_MAX_CLAIM_BYTES  (256 << 20) /* one claim file to seal or submit */
#define HK_MIN_RSA_BITS     2048        /* weaker keys are refused */
#define HK_MIN_EC_BITS      256

/* ---- passphrases ---- */
struct hk_secret {
	char s[HK_MAX_PASSPHRASE + 1];
	size_t len;
};
/* Read one line (the trailing newline is dropped) from fd. */
int hk_secret_from_fd(struct hk_secret *out, int fd, struct hk_err *err);
/* From a file that only its owner may read (mode & 077 == 0), else refused. */
int hk_secret_from_file(struct hk_secret *out, const char *path, struct hk_err *err);
/* From /dev/tty with echo off. */
int hk_secret_from_tty(struct hk_secret *out, const char *prompt, struct hk_err *err);
void hk_secret_wipe(struct hk_secret *s);

/* ---- the credential (certificate + key + chain from a PKCS#12 file) ---- */
struct hk_cred {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain;  /* intermediates shipped in the PKCS#12 (may be empty) */
	int legacy;             /* needed the OpenSSL legacy provider (RC2 / 3DES) */
};
/* Loads PATH (refused when group/other may read it), checks that key and
 * certificate match, and wipes the passphrase (pass->len = 0). */
int hk_cred_load(struct hk_cred *c, const char *path, struct hk_secret *pass, struct hk_err *err);
void hk_cred_free(struct hk_cred *c);
/* The commands' way in: the passphrase from pass_file (0600) if given, else
 * from pass_fd if >= 0, else from the terminal; then hk_cred_load(). */
int hk_cred_open(struct hk_cred *c, const char *p12, const char *pass_file, int pass_fd,
		 struct hk_err *err);

/* ---- certificate facts and checks ---- */
struct hk_cert_info {
	char subject[512];
	char issuer[512];
	char serial[128];       /* hex, upper case */
	char not_before[21];    /* ISO 8601 UTC */
	char not_after[21];
	int64_t nb, na;         /* UNIX seconds */
	char sha256[96];        /* fingerprint AA:BB:... */
	char key[64];           /* "RSA 2048", "EC 256" */
	char sigalg[64];
};
int hk_cert_describe(X509 *x, struct hk_cert_info *out, struct hk_err *err);
/* Days until notAfter at `now`, rounded down (negative when expired). */
long hk_cert_days_left(X509 *x, int64_t now);
/* Writes a warning when the certificate expires within 60, 30 or 7 days
 * (the smallest threshold crossed); returns 1 if it wrote one, else 0. */
int hk_cert_expiry_warning(X509 *x, int64_t now, char *msg, size_t size);

enum hk_cert_use { HK_USE_SEAL = 1, HK_USE_TLS_CLIENT = 2 };
/* The certificate alone: validity at `now`, key strength, no SHA-1, not a
 * CA, key usage for `use`. */
int hk_cert_check_leaf(X509 *x, int64_t now, unsigned use, struct hk_err *err);
/* Loads the operator's CA file (PEM; the system bundle is never used). */
X509_STORE *hk_ca_store_load(const char *ca_file, struct hk_err *err);
/* Chain of x (with untrusted intermediates) to the store, at time `now`. */
int hk_cert_check_chain(X509 *x, STACK_OF(X509) *untrusted, X509_STORE *store, int64_t now,
			struct hk_err *err);

/* ---- the seal: detached CMS SignedData, SHA-256, over the exact bytes ---- */
/* DER of the seal into *der (caller hk_free()s). signing_time: the run clock. */
int hk_seal_make(const struct hk_cred *c, const void *data, size_t len, int64_t signing_time,
		 unsigned char **der, size_t *der_len, struct hk_err *err);

struct hk_seal_result {
	struct hk_cert_info signer;
	int64_t signing_time;
};
/* Verifies seal (DER) over data against the CA file at time `now`.  If
 * expect is non-NULL the signer must be that certificate.  Each way of
 * failing has its own message (docs/certs.md lists them). */
int hk_seal_verify(const void *data, size_t len, const void *seal, size_t seal_len,
		   const char *ca_file, X509 *expect, int64_t now,
		   struct hk_seal_result *res, struct hk_err *err);

/* Reads a PEM or DER certificate file. */
X509 *hk_cert_read(const char *path, struct hk_err *err);
/* OpenSSL's error queue, last entry, as text (for messages); clears it. */
const char *hk_ossl_error(char *buf, size_t size);

#endif
