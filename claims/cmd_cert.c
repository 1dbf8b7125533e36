/*
 * houkan cert info FILE.p12: the station certificate's facts and checks.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "claims/cli.h"
#include "certs/certs.h"
#include "base/clock.h"

static int parse_fd(const char *cmd, const char *s, int *fd)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0 || v > 1024)
		return hk_usage_error(cmd, "--pass-fd wants a file descriptor number, not '%s'", s);
	*fd = (int)v;
	return 0;
}

static void print_cert(const struct hk_cert_info *ci)
{
	printf("subject:     %s\n", ci->subject);
	printf("issuer:      %s\n", ci->issuer);
	printf("serial:      %s\n", ci->serial);
	printf("not before:  %s\n", ci->not_before);
	printf("not after:   %s\n", ci->not_after);
	printf("sha256:      %s\n", ci->sha256);
	printf("key:         %s\n", ci->key);
	printf("signature:   %s\n", ci->sigalg);
}

int cmd_cert(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pass-file", required_argument, NULL, 'f'},
		{"pass-fd", required_argument, NULL, 'F'},
		{"ca", required_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	const char *pass_file = NULL, *ca = NULL;
	struct hk_err err = {0};
	struct hk_cred cred;
	struct hk_cert_info ci;
	X509_STORE *store = NULL;
	int64_t now = hk_clock_now();
	int pass_fd = -1, c, rc = HK_EXIT_OK;
	char warn[256];
	memset(&cred, 0, sizeof(cred));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': pass_file = optarg; break;
		case 'F': if (parse_fd("cert", optarg, &pass_fd)) return HK_EXIT_USAGE; break;
		case 'a': ca = optarg; break;
		default: return hk_usage_error("cert", "unknown option");
		}
	}
	if (optind >= argc || strcmp(argv[optind], "info") != 0)
		return hk_usage_error("cert", "expected the subcommand 'info'");
	if (argc - optind != 2)
		return hk_usage_error("cert", "cert info takes one PKCS#12 file");
	if (hk_cred_open(&cred, argv[optind + 1], pass_file, pass_fd, &err) < 0)
		return hk_report("cert", &err);
	if (hk_cert_describe(cred.cert, &ci, &err) < 0) {
		rc = hk_report("cert", &err);
		goto out;
	}
	printf("file:        %s\n", argv[optind + 1]);
	print_cert(&ci);
	printf("chain:       %d certificate%s in the file%s\n", sk_X509_num(cred.chain),
	       sk_X509_num(cred.chain) == 1 ? "" : "s", cred.legacy ? " (legacy encryption: re-export with AES)" : "");
	printf("days left:   %ld\n", hk_cert_days_left(cred.cert, now));
	if (hk_cert_expiry_warning(cred.cert, now, warn, sizeof(warn)))
		fprintf(stderr, "houkan cert: %s\n", warn);
	if (hk_cert_check_leaf(cred.cert, now, HK_USE_SEAL | HK_USE_TLS_CLIENT, &err) < 0) {
		printf("status:      NOT USABLE: %s\n", err.msg);
		rc = hk_report("cert", &err);
		goto out;
	}
	if (ca) {
		store = hk_ca_store_load(ca, &err);
		if (!store || hk_cert_check_chain(cred.cert, cred.chain, store, now, &err) < 0) {
			printf("status:      NOT USABLE: %s\n", err.msg);
			rc = hk_report("cert", &err);
			goto out;
		}
		printf("status:      ok (chain verified against %s)\n", ca);
	} else {
		printf("status:      ok (chain not checked: give --ca CA.pem)\n");
	}
out:
	X509_STORE_free(store);
	hk_cred_free(&cred);
	return rc;
}
