/*
 * cmd_ingest.c - `houkan ingest --db DB FILE|DIR...`: files that come back
 * to the station, recognised by their content.
 *
 * The kinds are a table: {name, sniff, ingest, done}.  sniff() looks at the
 * first INGEST_HEAD bytes; the first kind whose sniff() says yes takes the
 * file.  ingest() owns its transaction (one per file, all or nothing) and may
 * keep per-run state (prepared statements) in *state, released by done().
 * To add a kind (returned files, 増減点連絡書, 振替・分割 results), add a row.
 * A file no kind recognises is refused with the list of known kinds.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "claims/cli.h"
#include "claims/db.h"
#include "base/limits.h"
#include "switchover/eligibility.h"
#include "switchover/returns.h"

#define INGEST_HEAD 65536

struct ingest_kind {
	const char *name;
	bool (*sniff)(const char *head, size_t n);
	/* Returns 0 and a one-line summary, or -1 with err set. sha256 (65) receives the file's digest. */
	int (*ingest)(sqlite3 *db, void **state, const char *path, char *summary, size_t n, char *sha256,
		      struct hk_err *err);
	void (*done)(void *state);
	/* Optional: after a file was taken in, list what it left unmatched (stdout). */
	void (*after)(sqlite3 *db, void *state, const char *path);
};

/* ---- kind: 資格確認 result XML (switchover/eligibility.h) ---- */

static int elig_ingest(sqlite3 *db, void **state, const char *path, char *summary, size_t n, char *sha256,
		       struct hk_err *err)
{
	struct hk_elig_ingest_stats st;
	if (!*state && hk_elig_ingest_open(db, (struct hk_elig_ingest **)state, err) < 0)
		return -1;
	if (hk_elig_ingest_file(*state, path, &st, err) < 0)
		return -1;
	memcpy(sha256, st.sha256, 65);
	if (st.duplicate)
		hk_snprintf(summary, n, "already ingested (same SHA-256); nothing done");
	else
		hk_snprintf(summary, n, "%ld results: %ld matched, %ld unmatched; coverage %ld added, %ld updated,"
			    " %ld closed", st.results, st.matched, st.unmatched, st.cov_added, st.cov_updated,
			    st.cov_closed);
	return 0;
}

static void elig_done(void *state) { hk_elig_ingest_close(state); }

/* ---- kinds: 返戻, 増減点連絡書, 振替・分割 (switchover/returns.h, docs/returns.md) ---- */

struct res_state {
	struct hk_res_ingest *in;
	long long notice_id;
	long unmatched;
};

static int res_ingest(enum hk_notice_kind kind, sqlite3 *db, void **state, const char *path, char *summary,
		      size_t n, char *sha256, struct hk_err *err)
{
	struct res_state *rs = *state;
	struct hk_res_ingest_stats st;
	if (!rs) {
		rs = *state = hk_calloc(1, sizeof(*rs));
		if (hk_res_ingest_open(db, &rs->in, err) < 0)
			return -1;
	}
	rs->notice_id = 0;
	rs->unmatched = 0;
	if (hk_res_ingest_file(rs->in, kind, path, &st, err) < 0) {
		if (st.sha256[0])
			memcpy(sha256, st.sha256, 65);
		return -1;
	}
	memcpy(sha256, st.sha256, 65);
	if (st.duplicate) {
		hk_snprintf(summary, n, "already ingested (same SHA-256, notice %lld); nothing done", st.notice_id);
		return 0;
	}
	rs->notice_id = st.notice_id;
	rs->unmatched = st.unmatched;
	switch (kind) {
	case HK_NOTICE_HENREI:
		hk_snprintf(summary, n, "%ld returned receipts (%ld matched, %ld unmatched), %ld reasons, %ld coverage"
			    " changes from the history data", st.items, st.matched, st.unmatched, st.reasons, st.switched);
		break;
	case HK_NOTICE_ZOGEN:
		hk_snprintf(summary, n, "%ld items (%ld matched, %ld unmatched), %+lld yen", st.items, st.matched,
			    st.unmatched, st.amount);
		break;
	case HK_NOTICE_FURIKAE:
		hk_snprintf(summary, n, "%ld results (%ld matched, %ld unmatched), %ld coverage changes", st.items,
			    st.matched, st.unmatched, st.switched);
		break;
	}
	return 0;
}

static int hen_ingest(sqlite3 *db, void **state, const char *path, char *summary, size_t n, char *sha256,
		      struct hk_err *err)
{
	return res_ingest(HK_NOTICE_HENREI, db, state, path, summary, n, sha256, err);
}

static int zogen_ingest(sqlite3 *db, void **state, const char *path, char *summary, size_t n, char *sha256,
			struct hk_err *err)
{
	return res_ingest(HK_NOTICE_ZOGEN, db, state, path, summary, n, sha256, err);
}

static int furikae_ingest(sqlite3 *db, void **state, const char *path, char *summary, size_t n, char *sha256,
			  struct hk_err *err)
{
	return res_ingest(HK_NOTICE_FURIKAE, db, state, path, summary, n, sha256, err);
}

static void res_done(void *state)
{
	struct res_state *rs = state;
	hk_res_ingest_close(rs->in);
	hk_free(rs);
}

#define UNMATCHED_SHOWN 20

static void res_after(sqlite3 *db, void *state, const char *path)
{
	struct res_state *rs = state;
	sqlite3_stmt *q;
	struct hk_err err = {0};
	long shown = 0;
	if (!rs || !rs->notice_id || !rs->unmatched)
		return;
	if (hk_db_prepare(db, "SELECT line, kind, coalesce(code, ''), coalesce(search_no, '-'), coalesce(record_key, '-'),"
			      " coalesce(service_month, '-') FROM notice_item WHERE notice_id = ?1 AND receipt_id IS NULL"
			      " GROUP BY line ORDER BY line LIMIT ?2", &q, &err) < 0)
		return;
	sqlite3_bind_int64(q, 1, rs->notice_id);
	sqlite3_bind_int(q, 2, UNMATCHED_SHOWN);
	while (sqlite3_step(q) == SQLITE_ROW) {
		printf("  unmatched: %s:%lld: %s %s 検索番号 %s 記録番号等 %s month %s\n", path,
		       (long long)sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1),
		       (const char *)sqlite3_column_text(q, 2), (const char *)sqlite3_column_text(q, 3),
		       (const char *)sqlite3_column_text(q, 4), (const char *)sqlite3_column_text(q, 5));
		shown++;
	}
	sqlite3_finalize(q);
	if (rs->unmatched > shown)
		printf("  ... and %ld more unmatched (houkan returns / houkan adjustments list them all)\n",
		       rs->unmatched - shown);
}

static const struct ingest_kind kinds[] = {
	{"eligibility", hk_elig_sniff, elig_ingest, elig_done, NULL},
	{"returned file (返戻)", hk_hen_sniff, hen_ingest, res_done, res_after},
	{"増減点連絡書", hk_zogen_sniff, zogen_ingest, res_done, res_after},
	{"振替・分割 results", hk_furikae_sniff, furikae_ingest, res_done, res_after},
};

/* ---- the command ---- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the regular files of dir (not dot files), sorted by name. */
static int list_dir(const char *dir, char ***files, size_t *nfiles, struct hk_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, alloc = 0;
	if (!d)
		return hk_err_set(err, HK_EXIT_IO, "%s: cannot open folder: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		char path[HK_MAX_PATH];
		struct stat sb;
		if (e->d_name[0] == '.')
			continue;
		if (hk_snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			v = hk_realloc(v, alloc * sizeof(*v));
		}
		v[n++] = hk_strdup(path);
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), name_cmp);
	for (size_t i = 0; i < n; i++) {
		*files = hk_realloc(*files, (*nfiles + 1) * sizeof(**files));
		(*files)[(*nfiles)++] = v[i];
	}
	hk_free(v);
	return 0;
}

static const struct ingest_kind *sniff_file(const char *path, struct hk_err *err)
{
	FILE *f = fopen(path, "rb");
	char *head;
	size_t n;
	const struct ingest_kind *k = NULL;
	if (!f) {
		hk_err_set(err, HK_EXIT_IO, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	head = hk_malloc(INGEST_HEAD);
	n = fread(head, 1, INGEST_HEAD, f);
	if (ferror(f)) {
		hk_err_set(err, HK_EXIT_IO, "%s: read error: %s", path, strerror(errno));
	} else {
		for (size_t i = 0; i < HK_ARRAY_LEN(kinds) && !k; i++)
			if (kinds[i].sniff(head, n))
				k = &kinds[i];
		if (!k) {
			char known[256] = "";
			size_t used = 0;
			for (size_t i = 0; i < HK_ARRAY_LEN(kinds); i++)
				used += (size_t)hk_snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "",
							    kinds[i].name);
			hk_err_set(err, HK_EXIT_INPUT, "%s: unknown kind of file (%s); houkan ingest knows: %s", path,
				   n == 0 ? "empty" : "no kind recognises its content", known);
		}
	}
	hk_free(head);
	fclose(f);
	return k;
}

int cmd_ingest(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	const char *dbpath = NULL;
	void *state[HK_ARRAY_LEN(kinds)] = {0};
	char **files = NULL;
	size_t nfiles = 0;
	sqlite3 *db = NULL;
	struct hk_err err = {0};
	int c, rc = HK_EXIT_OK, worst = HK_EXIT_OK;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbpath = optarg; break;
		default: return hk_usage_error("ingest", "unknown option");
		}
	}
	if (!dbpath)
		return hk_usage_error("ingest", "--db is required");
	if (optind >= argc)
		return hk_usage_error("ingest", "no FILE or folder given");
	for (int i = optind; i < argc; i++) {
		struct stat sb;
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			size_t before = nfiles;
			if (list_dir(argv[i], &files, &nfiles, &err) < 0) {
				rc = hk_report("ingest", &err);
				goto out;
			}
			if (nfiles == before)
				fprintf(stderr, "houkan ingest: %s: no files in the folder\n", argv[i]);
		} else {
			files = hk_realloc(files, (nfiles + 1) * sizeof(*files));
			files[nfiles++] = hk_strdup(argv[i]);
		}
	}
	if (hk_db_open(dbpath, HK_DB_OPEN_EXISTING, &db, &err) < 0) {
		rc = hk_report("ingest", &err);
		goto out;
	}
	for (size_t i = 0; i < nfiles; i++) {
		const struct ingest_kind *k;
		char summary[512], sha[65] = "";
		int r;
		hk_err_clear(&err);
		k = sniff_file(files[i], &err);
		r = k ? k->ingest(db, &state[k - kinds], files[i], summary, sizeof(summary), sha, &err) : -1;
		if (r < 0) {
			r = hk_report("ingest", &err);
			if (r == HK_EXIT_IO || worst == HK_EXIT_OK)
				worst = r;
			hk_audit(db, "ingest", sha[0] ? sha : NULL, NULL, "rejected", NULL);
			continue;
		}
		printf("%s: %s: %s\n", files[i], k->name, summary);
		if (k->after)
			k->after(db, state[k - kinds], files[i]);
		if (hk_audit(db, "ingest", sha, NULL, "ok", &err) < 0) {
			worst = hk_report("ingest", &err);
			break;
		}
	}
	rc = worst;
out:
	for (size_t i = 0; i < HK_ARRAY_LEN(kinds); i++)
		if (state[i])
			kinds[i].done(state[i]);
	if (db)
		hk_db_close(db);
	for (size_t i = 0; i < nfiles; i++)
		hk_free(files[i]);
	hk_free(files);
	return rc;
}
