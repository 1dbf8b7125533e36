/*
 * houkan submit: hand a claim run's files to the review body, exactly once
 * (certs/submit.h, docs/submission.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "claims/cli.h"
#include "certs/submit.h"

static void print_note(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
	fflush(stdout);
}

static int num(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int cmd_submit(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"run", required_argument, NULL, 'r'},
		{"endpoint", required_argument, NULL, 'e'},
		{"outbox", required_argument, NULL, 'o'},
		{"p12", required_argument, NULL, 'p'},
		{"pass-file", required_argument, NULL, 'f'},
		{"pass-fd", required_argument, NULL, 'F'},
		{"ca", required_argument, NULL, 'a'},
		{"connect-timeout", required_argument, NULL, 'c'},
		{"timeout", required_argument, NULL, 't'},
		{"retries", required_argument, NULL, 'R'},
		{"backoff-ms", required_argument, NULL, 'b'},
		{NULL, 0, NULL, 0},
	};
	struct hk_submit_opts o;
	struct hk_submit_summary sum;
	struct hk_err err = {0};
	long v;
	int c;
	memset(&o, 0, sizeof(o));
	o.pass_fd = -1;
	o.run_id = -1;
	o.connect_timeout_ms = 10000;
	o.timeout_ms = 120000;
	o.retries = 3;
	o.backoff_ms = 1000;
	o.note = print_note;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o.db_path = optarg; break;
		case 'r':
			if (num(optarg, 1, 1L << 30, &v) < 0)
				return hk_usage_error("submit", "--run wants a claim run number");
			o.run_id = v;
			break;
		case 'e': o.endpoint = optarg; break;
		case 'o': o.outbox = optarg; break;
		case 'p': o.p12 = optarg; break;
		case 'f': o.pass_file = optarg; break;
		case 'F':
			if (num(optarg, 0, 1024, &v) < 0)
				return hk_usage_error("submit", "--pass-fd wants a file descriptor number");
			o.pass_fd = (int)v;
			break;
		case 'a': o.ca = optarg; break;
		case 'c':
			if (num(optarg, 1, 300, &v) < 0)
				return hk_usage_error("submit", "--connect-timeout wants 1..300 seconds");
			o.connect_timeout_ms = v * 1000;
			break;
		case 't':
			if (num(optarg, 1, 3600, &v) < 0)
				return hk_usage_error("submit", "--timeout wants 1..3600 seconds");
			o.timeout_ms = v * 1000;
			break;
		case 'R':
			if (num(optarg, 0, 10, &v) < 0)
				return hk_usage_error("submit", "--retries wants 0..10");
			o.retries = (int)v;
			break;
		case 'b':
			if (num(optarg, 0, 60000, &v) < 0)
				return hk_usage_error("submit", "--backoff-ms wants 0..60000");
			o.backoff_ms = v;
			break;
		default: return hk_usage_error("submit", "unknown option");
		}
	}
	if (optind != argc)
		return hk_usage_error("submit", "unexpected argument '%s'", argv[optind]);
	if (!o.db_path || o.run_id < 0 || !o.p12 || !o.ca)
		return hk_usage_error("submit", "--db, --run, --p12 and --ca are required");
	if (!!o.endpoint == !!o.outbox)
		return hk_usage_error("submit", "give exactly one of --endpoint URL and --outbox DIR");
	if (o.endpoint && strncmp(o.endpoint, "https://", 8) != 0)
		return hk_usage_error("submit", "--endpoint must be an https:// URL");
	if (hk_submit_run(&o, &sum, &err) < 0)
		return hk_report("submit", &err);
	printf("run %lld: %d file%s: %d sent, %d already submitted, %d to the outbox; accepted %d, 要確認 %d, "
	       "受付不能 %d\n", (long long)o.run_id, sum.files, sum.files == 1 ? "" : "s", sum.sent, sum.skipped,
	       sum.outboxed, sum.accepted, sum.needs_check, sum.rejected);
	return HK_EXIT_OK;
}
