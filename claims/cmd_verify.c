/*
 * houkan verify --ca CA.pem FILE FILE.p7s: checks a detached seal.
 * Exit 0 valid, 5 with the reason when not (docs/certs.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "claims/cli.h"
#include "certs/certs.h"
#include "base/clock.h"
#include "base/fileio.h"

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"ca", required_argument, NULL, 'a'},
		{"signer", required_argument, NULL, 's'},
		{"at", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	const char *ca = NULL, *signer_path = NULL;
	struct hk_err err = {0};
	struct hk_seal_result res;
	X509 *expect = NULL;
	int64_t now = hk_clock_now();
	char *data = NULL, *seal = NULL, ts[21];
	size_t len = 0, seal_len = 0;
	int c, rc = HK_EXIT_OK;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': ca = optarg; break;
		case 's': signer_path = optarg; break;
		case 't':
			if (hk_clock_parse(optarg, &now) < 0)
				return hk_usage_error("verify", "--at wants YYYY-MM-DDThh:mm:ssZ or UNIX seconds");
			break;
		default: return hk_usage_error("verify", "unknown option");
		}
	}
	if (!ca)
		return hk_usage_error("verify", "--ca CA.pem is required (the system trust store is never used)");
	if (argc - optind != 2)
		return hk_usage_error("verify", "give the file and its seal");
	if (hk_read_file(argv[optind], &data, &len, HK_MAX_CLAIM_BYTES, &err) < 0 ||
	    hk_read_file(argv[optind + 1], &seal, &seal_len, HK_MAX_SEAL_BYTES, &err) < 0) {
		rc = hk_report("verify", &err);
		goto out;
	}
	if (signer_path && !(expect = hk_cert_read(signer_path, &err))) {
		rc = hk_report("verify", &err);
		goto out;
	}
	if (hk_seal_verify(data, len, seal, seal_len, ca, expect, now, &res, &err) < 0) {
		hk_err_prefix(&err, "%s", argv[optind]);
		rc = hk_report("verify", &err);
		goto out;
	}
	hk_clock_fmt_iso(res.signing_time, ts);
	printf("%s: seal OK\n  signer %s, serial %s\n  issuer %s\n  signing time %s\n", argv[optind],
	       res.signer.subject, res.signer.serial, res.signer.issuer, ts);
out:
	X509_free(expect);
	hk_free(data);
	hk_free(seal);
	return rc;
}
