/*
 * houkan seal: a detached CMS seal RECEIPTH.UKE.p7s over a claim file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "claims/cli.h"
#include "certs/certs.h"
#include "base/clock.h"
#include "base/fileio.h"
#include "base/limits.h"

int cmd_seal(int argc, char **argv)
{
	static const struct option opts[] = {
		{"p12", required_argument, NULL, 'p'},
		{"pass-file", required_argument, NULL, 'f'},
		{"pass-fd", required_argument, NULL, 'F'},
		{"ca", required_argument, NULL, 'a'},
		{"out", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	const char *p12 = NULL, *pass_file = NULL, *ca = NULL, *outp = NULL, *in;
	struct hk_err err = {0};
	struct hk_cred cred;
	struct hk_cert_info ci;
	X509_STORE *store = NULL;
	int64_t now = hk_clock_now();
	char *data = NULL, outbuf[HK_MAX_PATH], warn[256], ts[21], hex[65];
	unsigned char *der = NULL;
	size_t len = 0, der_len = 0;
	int pass_fd = -1, c, rc = HK_EXIT_OK;
	memset(&cred, 0, sizeof(cred));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'p': p12 = optarg; break;
		case 'f': pass_file = optarg; break;
		case 'F':
			pass_fd = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || pass_fd < 0)
				return hk_usage_error("seal", "--pass-fd wants a file descriptor number");
			break;
		case 'a': ca = optarg; break;
		case 'o': outp = optarg; break;
		default: return hk_usage_error("seal", "unknown option");
		}
	}
	if (!p12)
		return hk_usage_error("seal", "--p12 FILE is required");
	if (argc - optind != 1)
		return hk_usage_error("seal", "give exactly one file to seal");
	in = argv[optind];
	if (!outp) {
		if ((size_t)hk_snprintf(outbuf, sizeof(outbuf), "%s.p7s", in) >= sizeof(outbuf))
			return hk_usage_error("seal", "path too long (HK_MAX_PATH)");
		outp = outbuf;
	}
	if (hk_read_file(in, &data, &len, HK_MAX_CLAIM_BYTES, &err) < 0) {
		rc = hk_report("seal", &err);
		goto out;
	}
	if (len == 0) {
		hk_err_set(&err, HK_EXIT_INPUT, "%s: the file is empty; nothing to seal", in);
		rc = hk_report("seal", &err);
		goto out;
	}
	if (hk_cred_open(&cred, p12, pass_file, pass_fd, &err) < 0 ||
	    hk_cert_check_leaf(cred.cert, now, HK_USE_SEAL, &err) < 0) {
		rc = hk_report("seal", &err);
		goto out;
	}
	if (ca) {
		store = hk_ca_store_load(ca, &err);
		if (!store || hk_cert_check_chain(cred.cert, cred.chain, store, now, &err) < 0) {
			rc = hk_report("seal", &err);
			goto out;
		}
	}
	if (hk_cert_expiry_warning(cred.cert, now, warn, sizeof(warn)))
		fprintf(stderr, "houkan seal: %s\n", warn);
	if (hk_seal_make(&cred, data, len, now, &der, &der_len, &err) < 0 ||
	    hk_publish(outp, der, der_len, 0644, &err) < 0) {
		rc = hk_report("seal", &err);
		goto out;
	}
	hk_cert_describe(cred.cert, &ci, &err);
	hk_clock_fmt_iso(now, ts);
	hk_sha256_hex(data, len, hex);
	printf("sealed %s (sha256 %s) -> %s\n  signer %s, serial %s, signing time %s\n", in, hex, outp,
	       ci.subject, ci.serial, ts);
out:
	X509_STORE_free(store);
	hk_cred_free(&cred);
	hk_free(der);
	hk_free(data);
	return rc;
}
