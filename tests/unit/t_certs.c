/* certs: reception classes (DIGEST §4.1), the reception response parser,
 * passphrase sources, and an in-process seal round trip. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "tests/unit/harness.h"
#include "certs/certs.h"
#include "certs/submit.h"
#include "base/fileio.h"

TEST(certs_reception_classes)
{
	const char *cls, *label;
	CHECK_INT(hk_reception_class("1001", &cls, &label), 0); CHECK_STR(cls, "unacceptable"); CHECK_STR(label, "受付不能");
	CHECK_INT(hk_reception_class("2303", &cls, &label), 0); CHECK_STR(cls, "unacceptable");
	CHECK_INT(hk_reception_class("3006", &cls, &label), 0); CHECK_STR(cls, "check"); CHECK_STR(label, "要確認");
	CHECK_INT(hk_reception_class("4151", &cls, &label), 0); CHECK_STR(cls, "check");
	CHECK_INT(hk_reception_class("4800", &cls, &label), 0); CHECK_STR(cls, "normal");
	CHECK_INT(hk_reception_class("4899", &cls, &label), 0); CHECK_STR(cls, "normal");
	CHECK_INT(hk_reception_class("4900", &cls, &label), 0); CHECK_STR(cls, "check");
	CHECK_INT(hk_reception_class("7001", &cls, &label), 0); CHECK_STR(cls, "check");
	CHECK_INT(hk_reception_class("5000", &cls, &label), 0); CHECK_STR(cls, "check"); /* unknown: be safe */
	CHECK_INT(hk_reception_class("300", &cls, &label), -1);
	CHECK_INT(hk_reception_class("30a6", &cls, &label), -1);
}

TEST(certs_reception_parse)
{
	static const char ok[] = "sha256=0123456789012345678901234567890123456789012345678901234567890123\r\n"
				 "reception=R1\nduplicate=1\nfuture=x\n"
				 "error=3006,2,記録漏れ, with comma\nerror=1001,,file\n";
	struct hk_reception r;
	struct hk_err err = {0};
	CHECK_INT(hk_reception_parse(ok, sizeof(ok) - 1, &r, &err), 0);
	CHECK_STR(r.reception, "R1");
	CHECK_INT(r.duplicate, 1);
	CHECK_INT(r.nerrors, 2);
	CHECK_STR(r.errors[0].code, "3006");
	CHECK_INT(r.errors[0].receipt_no, 2);
	CHECK_STR(r.errors[0].message, "記録漏れ, with comma");
	CHECK_INT(r.errors[1].receipt_no, 0);
	CHECK_INT(hk_reception_parse("reception=R1\n", 13, &r, &err), -1);
	CHECK(strstr(err.msg, "lacks sha256") != NULL);
	CHECK_INT(hk_reception_parse("garbage\n", 8, &r, &err), -1);
	CHECK_INT(err.code, HK_EXIT_NET);
}

TEST(certs_secret_sources)
{
	const char *p = hk_test_path("pass.txt");
	struct hk_secret s;
	struct hk_err err = {0};
	int fd, pfd[2];
	CHECK(hk_publish(p, "sesame\r\nignored\n", 16, 0600, &err) == 0);
	CHECK_INT(hk_secret_from_file(&s, p, &err), 0);
	CHECK_STR(s.s, "sesame");
	CHECK_INT(s.len, 6);
	hk_secret_wipe(&s);
	CHECK_INT(s.len, 0);
	CHECK(s.s[0] == '\0');
	chmod(p, 0640);
	CHECK_INT(hk_secret_from_file(&s, p, &err), -1);
	CHECK_INT(err.code, HK_EXIT_CERT);
	CHECK(strstr(err.msg, "chmod 600") != NULL);
	CHECK(pipe(pfd) == 0);
	CHECK(write(pfd[1], "from-a-pipe\n", 12) == 12);
	close(pfd[1]);
	CHECK_INT(hk_secret_from_fd(&s, pfd[0], &err), 0);
	close(pfd[0]);
	CHECK_STR(s.s, "from-a-pipe");
	hk_secret_wipe(&s);
	fd = open("/dev/null", O_RDONLY);
	CHECK_INT(hk_secret_from_fd(&s, fd, &err), -1);   /* empty passphrase */
	close(fd);
	CHECK(strstr(err.msg, "empty passphrase") != NULL);
}

/* A throw-away self-signed EC signer for the round trip. */
static int make_cred(struct hk_cred *c, int64_t nb, int64_t na)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	memset(c, 0, sizeof(*c));
	c->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	c->cert = X509_new();
	c->chain = sk_X509_new_null();
	if (!c->key || !c->cert || !c->chain)
		return -1;
	X509_set_version(c->cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c->cert), 7);
	ASN1_TIME_set(X509_getm_notBefore(c->cert), (time_t)nb);
	ASN1_TIME_set(X509_getm_notAfter(c->cert), (time_t)na);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(c->cert), "CN", MBSTRING_ASC,
				   (const unsigned char *)"unit station", -1, -1, 0);
	X509_set_issuer_name(c->cert, X509_get_subject_name(c->cert));
	X509_set_pubkey(c->cert, c->key);
	X509V3_set_ctx(&v3, c->cert, c->cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage, "critical,digitalSignature");
	X509_add_ext(c->cert, ext, -1);
	X509_EXTENSION_free(ext);
	return X509_sign(c->cert, c->key, EVP_sha256()) > 0 ? 0 : -1;
}

TEST(certs_seal_round_trip)
{
	static const char data[] = "HM,1,13,6,1234567\r\nGO,1\r\n\x1a";
	const int64_t t = 1795219200; /* 2026-11-21T00:00:00Z */
	struct hk_cred c;
	struct hk_err err = {0};
	struct hk_seal_result res;
	unsigned char *der = NULL, *der2 = NULL;
	size_t n = 0, n2 = 0;
	char copy[sizeof(data)];
	const char *ca = hk_test_path("unit-ca.pem");
	FILE *f;
	CHECK_INT(make_cred(&c, t - 86400 * 10, t + 86400 * 10), 0);
	CHECK_INT(hk_seal_make(&c, data, sizeof(data) - 1, t, &der, &n, &err), 0);
	CHECK_INT(hk_seal_make(&c, data, sizeof(data) - 1, t, &der2, &n2, &err), 0);
	f = fopen(ca, "w");
	CHECK(f != NULL);
	PEM_write_X509(f, c.cert);
	fclose(f);
	/* trusted as its own anchor: the seal verifies and carries the run clock */
	CHECK_INT(hk_seal_verify(data, sizeof(data) - 1, der, n, ca, c.cert, t, &res, &err), 0);
	CHECK_INT(res.signing_time, t);
	CHECK_STR(res.signer.subject, "CN=unit station");
	memcpy(copy, data, sizeof(data));
	copy[3] = '2';
	CHECK_INT(hk_seal_verify(copy, sizeof(data) - 1, der, n, ca, NULL, t, &res, &err), -1);
	CHECK(strstr(err.msg, "message digest differs") != NULL);
	/* after the certificate's end */
	CHECK_INT(hk_seal_verify(data, sizeof(data) - 1, der, n, ca, NULL, t + 86400 * 11, &res, &err), -1);
	CHECK(strstr(err.msg, "expired on") != NULL);
	hk_free(der);
	hk_free(der2);
	hk_cred_free(&c);
	CHECK(c.key == NULL);
}
