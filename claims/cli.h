/*
 * cli.h - the houkan command table and what commands share.
 *
 * Each subcommand is one function `int cmd_NAME(int argc, char **argv)` in
 * claims/cmd_*.c (or the area it belongs to): it parses its options with
 * getopt_long, calls the library, prints, and returns an exit code from
 * enum hk_exit (docs/exit-codes.md).  argv[0] is the command name.
 * The table in claims/cli.c lists every command once.
 */
#ifndef HK_CLI_H
#define HK_CLI_H
#include <stdbool.h>
#include <stdio.h>
#include "base/hk.h"

enum {
	CMD_NEEDS_DB = 1 << 0,   /* opens a station database */
	CMD_NEEDS_KEY = 1 << 1,  /* loads a private key */
	CMD_NETWORK = 1 << 2,    /* talks to a peer */
};

struct hk_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	unsigned flags;
	const char *summary;  /* one line */
	const char *usage;    /* synopsis and options, shown by `houkan help NAME` */
};

const struct hk_command *hk_command_find(const char *name);
extern const struct hk_command hk_commands[];
extern const size_t hk_ncommands;

/* Print "houkan NAME: message" to stderr and the command's synopsis; returns HK_EXIT_USAGE. */
int hk_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "houkan NAME: message" (an error from the library) and return err->code. */
int hk_report(const char *cmd, const struct hk_err *err);
/* True if argv has --help/-h; prints the usage to stdout. */
int hk_wants_help(const char *cmd, int argc, char **argv);

/* One RFC 4180 CSV cell on stdout, followed by ',' or (last) a newline. */
void hk_csv_cell(const char *s, bool last);

int hk_main(int argc, char **argv);

/* Commands (one per line; keep in the order of the table). */
int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_master(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_runs(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_cert(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_eligibility(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_returns(int argc, char **argv);
int cmd_reclaim(int argc, char **argv);
int cmd_adjustments(int argc, char **argv);
int cmd_status(int argc, char **argv);

#endif
