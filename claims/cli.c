#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include "claims/cli.h"
#include "base/fileio.h"

const struct hk_command hk_commands[] = {
	{"init", cmd_init, CMD_NEEDS_DB, "create a station database",
	 "houkan init --db PATH --station-code NNNNNNN --pref NN --name NAME [--phone PHONE]\n"
	 "            [--mgmt-level 1|2|3] [--mgmt-daily 1|2] [--online-eligibility]\n"
	 "            [--special-area] [--hold-unconfirmed] [--standard CODE]...\n"
	 "  Creates PATH (refuses to overwrite) with the current schema and the station row.\n"
	 "  --standard records a 施設基準 the station has notified, by its code in the master's\n"
	 "  施設基準テーブル (e.g. 1610 機能強化型1, 1617 管理療養費1, 1604 24時間対応体制, 1606 精神科);\n"
	 "  the claim run claims only what the station's 施設基準 allow."},
	{"import", cmd_import, CMD_NEEDS_DB, "import patients, coverages, instructions or visits from CSV",
	 "houkan import --db DB {patients|coverages|instructions|visits} FILE.csv\n"
	 "  UTF-8 CSV with a header row (docs/import-formats.md). The file is imported whole\n"
	 "  or not at all; every bad row is reported as FILE:LINE:COLUMN: message."},
	{"gen", cmd_gen, CMD_NEEDS_DB, "fill a station database with a synthetic month",
	 "houkan gen --db DB --seed N --patients P --month YYYY-MM\n"
	 "  Deterministic: the same seed gives the same data. Creates DB if it does not exist."},
	{"master", cmd_master, 0, "show the 訪問看護療養費マスター in force on a date",
	 "houkan master [--dir ROOT] [--date YYYY-MM-DD] [--search TEXT | CODE...]\n"
	 "  Without CODE, summarises the master version; with CODEs, shows those items;\n"
	 "  --search lists items whose name contains TEXT. ROOT holds one YYYYMMDD directory\n"
	 "  per revision (default $HOUKAN_MASTER_DIR, else the installed master; docs/master.md).\n"
	 "  Exit 1 unknown code or no match, 3 master cannot be loaded."},
	{"check", cmd_check, 0, "validate RECEIPTH.UKE files",
	 "houkan check [--format=text|json] [--tolerant] [--master-dir DIR | --no-master] FILE...\n"
	 "  One diagnostic per line: FILE:LINE: REC[FIELD]: error|warning: CODE: message.\n"
	 "  Exit 0 no errors, 1 errors, 2 usage, 3 unreadable file (docs/check-codes.md)."},
	{"show", cmd_show, 0, "print a RECEIPTH.UKE readably in UTF-8",
	 "houkan show [--master-dir ROOT | --no-master] FILE\n"
	 "  KA names from the 訪問看護療養費マスター in force on each 算定年月日. Reader\n"
	 "  diagnostics go to stderr. Exit 0 shown, 1 nothing parseable, 3 unreadable file."},
	{"build", cmd_build, CMD_NEEDS_DB, "the monthly claim run: one RECEIPTH.UKE per review body",
	 "houkan build --db DB --month YYYY-MM [--claim-month YYYY-MM] --out DIR [--master-dir ROOT]\n"
	 "             [--report FILE]\n"
	 "  Writes DIR/1/RECEIPTH.UKE (支払基金) and DIR/2/RECEIPTH.UKE (国保連) for the bodies that\n"
	 "  have receipts, and DIR/charges.csv (what each patient pays). Every receipt passes the\n"
	 "  checks of houkan check first; items that may not be claimed and receipts stopped by a\n"
	 "  check are listed on stderr (or in --report). The run is recorded and archived beside\n"
	 "  the database. Exit 0 all written, 1 some receipts stopped (the others are written)."},
	{"runs", cmd_runs, CMD_NEEDS_DB, "list the recorded claim runs",
	 "houkan runs --db DB"},
	{"replay", cmd_replay, CMD_NEEDS_DB, "rebuild a recorded run from its archived inputs and compare",
	 "houkan replay --db DB [--master-dir ROOT] RUN\n"
	 "  Exit 0 identical byte for byte, 1 different (the first differing line is shown)."},
	{"cert", cmd_cert, CMD_NEEDS_KEY, "show and check the station's online-claim certificate (PKCS#12)",
	 "houkan cert info [--pass-file FILE | --pass-fd N] [--ca CA.pem] FILE.p12\n"
	 "  Subject, issuer, serial, validity, SHA-256 fingerprint; warns 60/30/7 days before expiry.\n"
	 "  The passphrase comes from a 0600 file, a file descriptor or the terminal (docs/certs.md)."},
	{"seal", cmd_seal, CMD_NEEDS_KEY, "seal a claim file (detached CMS signature, .p7s)",
	 "houkan seal --p12 FILE [--pass-file FILE | --pass-fd N] [--ca CA.pem] [--out PATH] RECEIPTH.UKE\n"
	 "  Writes RECEIPTH.UKE.p7s: CMS SignedData over the exact bytes, SHA-256, signing time\n"
	 "  from the run clock (HOUKAN_NOW), so a replayed run gives the same seal."},
	{"verify", cmd_verify, 0, "verify the seal of a claim file",
	 "houkan verify --ca CA.pem [--signer CERT.pem] [--at TIME] RECEIPTH.UKE RECEIPTH.UKE.p7s\n"
	 "  Exit 0 when the seal is valid, 5 with the reason when not (docs/certs.md)."},
	{"submit", cmd_submit, CMD_NEEDS_DB | CMD_NEEDS_KEY | CMD_NETWORK, "seal and submit a claim run's files, exactly once",
	 "houkan submit --db DB --run RUN --p12 FILE [--pass-file FILE | --pass-fd N] --ca CA.pem\n"
	 "              (--endpoint https://HOST:PORT | --outbox DIR)\n"
	 "              [--connect-timeout S] [--timeout S] [--retries N] [--backoff-ms MS]\n"
	 "  Seals each file of the run (if not yet sealed) and uploads it over mutual TLS, or writes\n"
	 "  it with its seal into DIR for the online-claim terminal. A ledger keyed by the file's\n"
	 "  SHA-256 makes reruns safe: nothing is sent twice (docs/submission.md)."},
	{"eligibility", cmd_eligibility, CMD_NEEDS_DB, "オンライン資格確認: write a month's request files, report changes",
	 "houkan eligibility request --db DB --month YYYY-MM --out DIR\n"
	 "houkan eligibility report --db DB --month YYYY-MM [--clerk-only]\n"
	 "  request: 一括照会, 同意済資格情報一括取得, 照会番号登録 and 同意取消 files for the\n"
	 "  patients with visits in the month (docs/eligibility.md). report: one line per\n"
	 "  finding, DATE TAB PATIENT TAB CODE TAB clerk|info TAB detail. Results come in with\n"
	 "  houkan ingest."},
	{"ingest", cmd_ingest, CMD_NEEDS_DB, "take in files that come back (資格確認 results, ...) by content",
	 "houkan ingest --db DB FILE|DIR...\n"
	 "  Each FILE (and every file in each DIR) is recognised by its content and taken in\n"
	 "  whole or not at all, one transaction per file; the same file twice is a no-op.\n"
	 "  Known kinds: eligibility (資格確認 result XML), returned file (返戻, RECEIPTH.HEN),\n"
	 "  増減点連絡書 CSV and 振替・分割 results CSV (docs/returns.md). Items that match no\n"
	 "  receipt are kept and listed. Exit 1 if any file was refused."},
	{"returns", cmd_returns, CMD_NEEDS_DB, "list the open returns (返戻) with their reasons",
	 "houkan returns --db DB [--month YYYY-MM] [--csv]\n"
	 "  One line per reason: service month, patient, review body, 検索番号, 返戻事由コード and\n"
	 "  text; returns that match no receipt are listed too (docs/returns.md)."},
	{"reclaim", cmd_reclaim, CMD_NEEDS_DB, "re-claim returned receipts (再請求) keeping 検索番号 and history",
	 "houkan reclaim --db DB --claim-month YYYY-MM --out DIR [--month YYYY-MM] [--master-dir ROOT]\n"
	 "               [--report FILE]\n"
	 "houkan reclaim FILE.HEN --claim-month YYYYMM -o OUT.UKE\n"
	 "  With --db: every open return is rebuilt from the corrected records into DIR/<body>/RECEIPTH.UKE\n"
	 "  (HM, the receipt with its 検索番号, its history block as received, GO); a receipt that now\n"
	 "  goes to another review body or is split goes into DIR/fresh/<body>/RECEIPTH.UKE as a first\n"
	 "  claim. Recorded as a claim run for houkan submit. Exit 1 if some return stays open.\n"
	 "  With FILE: HH→HM, HG→GO, HR removed, everything else kept (no database)."},
	{"adjustments", cmd_adjustments, CMD_NEEDS_DB, "増減点: the month's adjusted items and summary",
	 "houkan adjustments --db DB --month YYYY-MM [--csv]\n"
	 "  Each 増減点 item (patient, receipt, 事由, amount, item) and the month's claimed,\n"
	 "  adjusted and decided amounts per 事由 (docs/returns.md)."},
	{"status", cmd_status, CMD_NEEDS_DB, "receipts of a month by lifecycle state, with amounts",
	 "houkan status --db DB --month YYYY-MM\n"
	 "  Counts, claimed and decided amounts per state (built, sealed, submitted, accepted,\n"
	 "  rejected, returned, reclaimed, adjusted, switched, paid, superseded)."},
};
const size_t hk_ncommands = sizeof(hk_commands) / sizeof(hk_commands[0]);

const struct hk_command *hk_command_find(const char *name)
{
	for (size_t i = 0; i < hk_ncommands; i++)
		if (strcmp(hk_commands[i].name, name) == 0)
			return &hk_commands[i];
	return NULL;
}

int hk_usage_error(const char *cmd, const char *fmt, ...)
{
	const struct hk_command *c = hk_command_find(cmd);
	va_list ap;
	fprintf(stderr, "houkan %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c)
		fprintf(stderr, "usage: %s\n", c->usage);
	return HK_EXIT_USAGE;
}

void hk_csv_cell(const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	putchar(last ? '\n' : ',');
}

int hk_report(const char *cmd, const struct hk_err *err)
{
	fprintf(stderr, "houkan %s: %s\n", cmd, err->msg[0] ? err->msg : "failed");
	return err->code ? err->code : HK_EXIT_INTERNAL;
}

int hk_wants_help(const char *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			const struct hk_command *c = hk_command_find(cmd);
			if (c)
				printf("%s\n\n%s\n", c->summary, c->usage);
			return 1;
		}
	}
	return 0;
}

static void overview(FILE *f)
{
	fprintf(f, "houkan %s - claim files for visiting-nursing stations (訪問看護ステーション)\n\n"
		   "usage: houkan COMMAND [OPTIONS] [ARGS]\n"
		   "       houkan help COMMAND\n"
		   "       houkan --version\n\ncommands:\n", HK_VERSION);
	for (size_t i = 0; i < hk_ncommands; i++)
		fprintf(f, "  %-12s %s\n", hk_commands[i].name, hk_commands[i].summary);
	fprintf(f, "\nExit codes: 0 ok, 1 input rejected, 2 usage, 3 I/O or database, 4 network,\n"
		   "5 certificate or signature (docs/exit-codes.md).\n");
}

int hk_main(int argc, char **argv)
{
	const struct hk_command *c;
	int rc, rc2;
	/* SQLite's memory statistics (on by default) take a global mutex on
	 * every allocation: with several threads reading (the claim run) that
	 * costs ~7% of the run's CPU, and houkan never reads the statistics.
	 * Must come before SQLite initialises, i.e. before any database is opened. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (argc < 2) {
		overview(stderr);
		return HK_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		overview(stdout);
		return hk_close_stdout();
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("houkan %s\n", HK_VERSION);
		return hk_close_stdout();
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			overview(stdout);
			return hk_close_stdout();
		}
		c = hk_command_find(argv[2]);
		if (!c) {
			fprintf(stderr, "houkan help: no such command '%s' (houkan --help lists them)\n", argv[2]);
			return HK_EXIT_USAGE;
		}
		printf("houkan %s - %s\n\n%s\n", c->name, c->summary, c->usage);
		return hk_close_stdout();
	}
	c = hk_command_find(argv[1]);
	if (!c) {
		fprintf(stderr, "houkan: '%s' is not a houkan command (houkan --help lists them)\n", argv[1]);
		return HK_EXIT_USAGE;
	}
	if (hk_wants_help(c->name, argc - 1, argv + 1))
		return hk_close_stdout();
	optind = 1;
	rc = c->fn(argc - 1, argv + 1);
	rc2 = hk_close_stdout();
	return rc ? rc : rc2;
}
