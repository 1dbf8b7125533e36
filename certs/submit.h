/*
 * submit.h - exactly-once submission of a claim run's files to the review
 * body (支払基金 / 国保連) over mutual TLS, or into an outbox directory for the
 * online-claim terminal.  docs/submission.md describes the protocol, the
 * ledger states and the crash analysis.
 *
 * The ledger (table submission, schema migration 2) is keyed by the SHA-256
 * of the claim file; the review body dedupes on the same key.  Per file:
 *   1. seal (if the .p7s is missing or does not verify) and commit the row
 *      in state 'uploading' (attempts + 1) BEFORE any byte leaves;
 *   2. if a previous attempt ended in 'uploading' (crash or network fault),
 *      ask the peer for the digest first and upload only if it is unknown;
 *   3. upload with retries and exponential backoff on network faults;
 *   4. commit the reception number, result and error codes AFTER.
 * A kill at any point leaves 'uploading' (or nothing), so a rerun neither
 * sends a file twice nor forgets it.
 */
#ifndef HK_SUBMIT_H
#define HK_SUBMIT_H
#include <stdint.h>
#include "base/hk.h"

struct hk_submit_opts {
	const char *db_path;
	int64_t run_id;
	const char *endpoint;      /* https://host:port (online mode) */
	const char *outbox;        /* directory (outbox mode); exactly one of endpoint/outbox */
	const char *p12, *pass_file, *ca;
	int pass_fd;               /* -1 when not given */
	long connect_timeout_ms;
	long timeout_ms;
	int retries;               /* extra attempts after a network fault */
	long backoff_ms;           /* first backoff; doubles per retry */
	/* Progress lines (no secrets, no patient data); may be NULL. */
	void (*note)(void *ctx, const char *line);
	void *note_ctx;
};

struct hk_submit_summary {
	int files, sent, skipped, outboxed, accepted, needs_check, rejected;
};

int hk_submit_run(const struct hk_submit_opts *o, struct hk_submit_summary *sum, struct hk_err *err);

/* Reception error classes (DIGEST §4.1), a table: 1000s/2000s 受付不能,
 * 4800s normal, 3000s/4000s/7000s 要確認; anything else 要確認 to be safe.
 * cls is "unacceptable", "normal" or "check". Returns -1 if code is not 4 digits. */
int hk_reception_class(const char *code, const char **cls, const char **label);

#define HK_MAX_RECEPTION_ERRORS 64   /* error lines in one reception response */

/* Parses one response body (key=value lines, docs/submission.md). */
struct hk_reception {
	char sha256[65];
	char reception[64];
	int duplicate;
	int nerrors;
	struct { char code[8]; long receipt_no; char message[160]; } errors[HK_MAX_RECEPTION_ERRORS];
};
int hk_reception_parse(const char *body, size_t len, struct hk_reception *r, struct hk_err *err);

#endif
