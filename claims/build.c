/*
 * build.c - the recorded claim run (hk_build) and its replay (hk_replay).
 *
 * Order of a build (PRACTICES 8, issue 4 "kill at any point"):
 *   1. BEGIN IMMEDIATE; snapshot the station database into the archive
 *      (<db>.archive/run-N/inputs.db, SQLite backup API) - the inputs;
 *   2. supersede earlier unsubmitted runs of the month (refuse if submitted);
 *   3. run the engine: receipts stream into DIR/<body>/RECEIPTH.UKE.tmp and
 *      into the receipt table;
 *   4. archive each file (a hard link to the read-only output when the
 *      archive is on the same file system, else a copy), record run_output,
 *      COMMIT;
 *   5. rename the .tmp files into place.
 * A kill before 4 leaves no visible RECEIPTH.UKE and rolls the database back;
 * a kill between 4 and 5 leaves a recorded run whose files are not yet in
 * place - running the build again supersedes it and publishes.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "claims/claimrun.h"
#include "claims/db.h"
#include "base/clock.h"
#include "base/fault.h"
#include "base/fileio.h"
#include "master/master.h"

static double secs(struct timespec a, struct timespec b)
{
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* HOUKAN_TIMINGS=1 prints each phase's duration (monotonic clock) to stderr,
 * with the CPU time this (the main) thread and the whole process spent in it. */
static void phase(const char *name)
{
	static struct timespec last, last_th, last_pr;
	struct timespec now, th, pr;
	const char *env = getenv("HOUKAN_TIMINGS");
	if (!env || strcmp(env, "1") != 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &th);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &pr);
	if (name && last.tv_sec)
		fprintf(stderr, "houkan build: %-16s %8.3f s  (cpu: main thread %.3f s, all threads %.3f s)\n", name,
			secs(last, now), secs(last_th, th), secs(last_pr, pr));
	last = now;
	last_th = th;
	last_pr = pr;
}

void hk_archive_dir(const char *db_path, char *out, size_t len)
{
	hk_snprintf(out, len, "%s.archive", db_path);
}

/* Copy the committed state of db_path into path.  Called while the build
 * holds BEGIN IMMEDIATE on its own connection, so nobody else can write: a
 * second, read-only connection sees exactly the state the build reads (WAL). */
static int snapshot(const char *db_path, const char *path, struct hk_err *err)
{
	sqlite3 *dst = NULL, *db = NULL;
	sqlite3_backup *bk;
	int rc;
	unlink(path);
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		hk_err_set(err, HK_EXIT_IO, "%s: cannot open for the inputs snapshot: %s", db_path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 10000);
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		hk_err_set(err, HK_EXIT_IO, "%s: cannot create the inputs snapshot: %s", path, sqlite3_errmsg(dst));
		sqlite3_close(dst);
		sqlite3_close(db);
		return -1;
	}
	/* a scratch file until it is fsynced and renamed: no journal, no per-page sync */
	sqlite3_exec(dst, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;", NULL, NULL, NULL);
	bk = sqlite3_backup_init(dst, "main", db, "main");
	if (!bk) {
		hk_err_set(err, HK_EXIT_IO, "%s: backup: %s", path, sqlite3_errmsg(dst));
		sqlite3_close(dst);
		sqlite3_close(db);
		return -1;
	}
	rc = sqlite3_backup_step(bk, -1);
	sqlite3_backup_finish(bk);
	sqlite3_close(db);
	if (rc != SQLITE_DONE) {
		hk_err_set(err, HK_EXIT_IO, "%s: backup: %s", path, sqlite3_errstr(rc));
		sqlite3_close(dst);
		return -1;
	}
	/* a self-contained file: no WAL beside it */
	if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		hk_err_set(err, HK_EXIT_IO, "%s: %s", path, sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return -1;
	}
	sqlite3_close(dst);
	{
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fsync(fd) != 0) {
			if (fd >= 0)
				close(fd);
			return hk_err_set(err, HK_EXIT_IO, "%s: fsync: %s", path, strerror(errno));
		}
		close(fd);
	}
	return 0;
}

/* The database file itself is the committed state when the database is in
 * WAL mode, its WAL is empty and the build holds BEGIN IMMEDIATE: the build's
 * own writes go to the WAL until COMMIT, nobody else can write, and there is
 * nothing to checkpoint into the file.  Then the snapshot is a plain copy of
 * the file, digested as it is written and written past the page cache: a
 * fraction of the CPU the page-by-page backup costs for a large station.
 * Bytes 18 and 19 of the header (file format write/read version, 2 = WAL)
 * become 1, so the copy is a self-contained rollback-journal database. */
static int wal_is_empty(sqlite3 *db, const char *db_path)
{
	sqlite3_stmt *q = NULL;
	char wal[HK_MAX_PATH + 8];
	struct stat sb;
	bool walmode = false;
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		walmode = strcmp((const char *)sqlite3_column_text(q, 0), "wal") == 0;
	sqlite3_finalize(q);
	hk_snprintf(wal, sizeof(wal), "%s-wal", db_path);
	return walmode && (stat(wal, &sb) != 0 ? errno == ENOENT : sb.st_size == 0);
}

static int copy_db_file(const char *db_path, const char *tmp_path, char hex[65], struct hk_err *err)
{
	struct hk_pubfile pf;
	struct hk_sha256 *sh = NULL;
	char dst[HK_MAX_PATH];
	unsigned char *buf = NULL;
	unsigned long long off = 0;
	int fd, rc = -1;
	size_t n = strlen(tmp_path);
	/* the file is tmp_path itself: the caller renames it into the run directory */
	if (n < 5 || strcmp(tmp_path + n - 4, ".tmp") != 0 || n - 4 >= sizeof(dst))
		return hk_err_set(err, HK_EXIT_INTERNAL, "%s: not a .tmp path", tmp_path);
	hk_snprintf(dst, n - 3, "%s", tmp_path);
	/* The file is read past the page cache too where the file system allows
	 * it (whole aligned blocks into an aligned buffer): copying it out of the
	 * page cache was a third of this thread's CPU.  Before such a read the
	 * kernel writes back any dirty page of the range, so the bytes are the
	 * file's.  Where O_DIRECT is refused, at open or at a read (EINVAL), the
	 * reads are plain ones. */
	if ((fd = open(db_path, O_RDONLY | O_CLOEXEC | O_DIRECT)) < 0 && errno == EINVAL)
		fd = open(db_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hk_err_set(err, HK_EXIT_IO, "%s: cannot open for the inputs snapshot: %s", db_path, strerror(errno));
	if (hk_pubfile_open_direct(&pf, dst, 0444, err) < 0) {
		close(fd);
		return -1;
	}
	buf = hk_malloc_aligned(4096, HK_DIRECT_BLOCK);
	sh = hk_sha256_new();
	for (;;) {
		ssize_t r = read(fd, buf, HK_DIRECT_BLOCK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EINVAL) {
			int fl = fcntl(fd, F_GETFL);
			if (fl >= 0 && (fl & O_DIRECT) && fcntl(fd, F_SETFL, fl & ~O_DIRECT) == 0)
				continue;
		}
		if (r < 0) {
			hk_err_set(err, HK_EXIT_IO, "%s: read: %s", db_path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if (off == 0) {
			if (r < 100 || memcmp(buf, "SQLite format 3", 16) != 0 || buf[18] != 2 || buf[19] != 2) {
				hk_err_set(err, HK_EXIT_IO, "%s: not a WAL-mode SQLite database file", db_path);
				goto out;
			}
			buf[18] = buf[19] = 1;
		}
		hk_sha256_update(sh, buf, (size_t)r);
		if (hk_pubfile_write(&pf, buf, (size_t)r, err) < 0)
			goto out;
		off += (unsigned long long)r;
	}
	rc = hk_pubfile_finish(&pf, err);
out:
	hk_sha256_final(sh, hex);
	if (rc < 0 && pf.fd >= 0)
		hk_pubfile_abort(&pf);
	hk_free(buf);
	close(fd);
	return rc;
}

/* The inputs snapshot and its digest run on their own thread while the workers
 * produce the receipts: what it copies is the committed state, which nobody
 * can change while the build holds BEGIN IMMEDIATE. */
struct snap_job {
	const char *db_path;
	char path[HK_MAX_PATH];
	bool raw;                      /* copy the file (wal_is_empty), else the backup API */
	char hex[65];
	int rc;
	struct hk_err err;
};

static void *snap_main(void *arg)
{
	struct snap_job *j = arg;
	if (j->raw) {
		j->rc = copy_db_file(j->db_path, j->path, j->hex, &j->err);
		if (j->rc == 0)
			hk_fault_point("build-snapshot");
		return NULL;
	}
	j->rc = snapshot(j->db_path, j->path, &j->err);
	if (j->rc == 0) {
		hk_fault_point("build-snapshot");
		j->rc = hk_sha256_file(j->path, j->hex, &j->err);
	}
	return NULL;
}

/* Copy a file with atomic publication, returning its digest. */
static int copy_file(const char *from, const char *to, char hex[65], unsigned long long *bytes,
		     struct hk_err *err)
{
	struct hk_pubfile pf;
	struct hk_sha256 *sh;
	char buf[1 << 16];
	size_t n;
	FILE *f = fopen(from, "rb");
	if (!f)
		return hk_err_set(err, HK_EXIT_IO, "%s: cannot open: %s", from, strerror(errno));
	if (hk_pubfile_open(&pf, to, 0444, err) < 0) {
		fclose(f);
		return -1;
	}
	sh = hk_sha256_new();
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		hk_sha256_update(sh, buf, n);
		if (hk_pubfile_write(&pf, buf, n, err) < 0) {
			hk_sha256_final(sh, hex);
			hk_pubfile_abort(&pf);
			fclose(f);
			return -1;
		}
	}
	hk_sha256_final(sh, hex);
	fclose(f);
	*bytes = pf.bytes;
	return hk_pubfile_commit(&pf, err);
}

/* The archive's copy of an output file.  The output was just written, synced
 * and closed by this build, read-only (0444), and its digest computed while it
 * was written (written_hex).  When the archive is on the same file system the
 * copy is a second name for the same read-only file (a hard link: no second
 * write of the bytes; the output itself is later replaced only by renaming a
 * new file over it, which leaves the archived one as it was).  Elsewhere it is
 * copied, and the copy's digest must equal the written one.  Either way the
 * digest is recorded in run_output and replay verifies it. */
static int archive_output(const char *tmp, const char *dir, const char *dst, const char *written_hex, char hex[65],
			  unsigned long long *bytes, struct hk_err *err)
{
	struct stat sb;
	unlink(dst); /* a leftover of a killed run with the same id */
	if (link(tmp, dst) == 0) {
		if (stat(dst, &sb) != 0)
			return hk_err_set(err, HK_EXIT_IO, "%s: %s", dst, strerror(errno));
		*bytes = (unsigned long long)sb.st_size;
		hk_snprintf(hex, 65, "%s", written_hex);
		return hk_fsync_dir(dir, err);
	}
	if (errno != EXDEV && errno != EPERM && errno != EMLINK && errno != ENOTSUP)
		return hk_err_set(err, HK_EXIT_IO, "%s: cannot archive %s: %s", dst, tmp, strerror(errno));
	if (copy_file(tmp, dst, hex, bytes, err) < 0)
		return -1;
	if (strcmp(hex, written_hex) != 0)
		return hk_err_set(err, HK_EXIT_IO, "%s: the file changed while it was archived", tmp);
	return 0;
}

/* Receipts are recorded in batches of REC_BATCH rows, one multi-row INSERT
 * for the receipts and one INSERT ... SELECT for their 'built' states: the
 * same rows, in the same order, as one statement each would give, for a
 * fraction of the statement overhead on the thread that writes the files. */
#define REC_BATCH 64
#define REC_COLS 10

struct rec_row {
	long long patient_id, coverage_id, receipt_no;
	int body;
	long total, patient_share;
	char type[8], record_key[40], service_month[8];
	int type_len, record_key_len, service_month_len;
};

struct rec_ctx {
	sqlite3 *db;
	long long run_id;
	const char *now;
	bool faults;                   /* HOUKAN_KILL_AT is set: pass the build-receipt point */
	sqlite3_stmt *ins_full, *ins_one, *ins_states;
	struct rec_row row[REC_BATCH];
	int n;
};

static int rec_prepare(struct rec_ctx *c, struct hk_err *err)
{
	static const char head[] = "INSERT INTO receipt(run_id, patient_id, service_month, body, receipt_no, receipt_type,"
				   " coverage_id, record_key, total, patient_share, state) VALUES ";
	static const char one[] = "(?,?,?,?,?,?,?,?,?,?,'built')";
	char sql[sizeof(head) + REC_BATCH * sizeof(one)];
	size_t len = 0;
	len += (size_t)hk_snprintf(sql + len, sizeof(sql) - len, "%s", head);
	for (int i = 0; i < REC_BATCH; i++)
		len += (size_t)hk_snprintf(sql + len, sizeof(sql) - len, "%s%s", i ? "," : "", one);
	if (hk_db_prepare(c->db, sql, &c->ins_full, err) < 0)
		return -1;
	hk_snprintf(sql, sizeof(sql), "%s%s", head, one);
	if (hk_db_prepare(c->db, sql, &c->ins_one, err) < 0)
		return -1;
	return hk_db_prepare(c->db, "INSERT INTO receipt_state(receipt_id, state, at, source) SELECT id, 'built', ?1,"
				    " 'build' FROM receipt WHERE id BETWEEN ?2 AND ?3 ORDER BY id", &c->ins_states, err);
}

static void rec_finalize(struct rec_ctx *c)
{
	sqlite3_finalize(c->ins_full);
	sqlite3_finalize(c->ins_one);
	sqlite3_finalize(c->ins_states);
	c->ins_full = c->ins_one = c->ins_states = NULL;
}

static void rec_bind(sqlite3_stmt *s, int at, long long run_id, const struct rec_row *r)
{
	sqlite3_bind_int64(s, at + 1, run_id);
	sqlite3_bind_int64(s, at + 2, r->patient_id);
	sqlite3_bind_text(s, at + 3, r->service_month, r->service_month_len, SQLITE_STATIC);
	sqlite3_bind_int(s, at + 4, r->body);
	sqlite3_bind_int64(s, at + 5, r->receipt_no);
	sqlite3_bind_text(s, at + 6, r->type, r->type_len, SQLITE_STATIC);
	if (r->coverage_id)
		sqlite3_bind_int64(s, at + 7, r->coverage_id);
	else
		sqlite3_bind_null(s, at + 7);
	sqlite3_bind_text(s, at + 8, r->record_key, r->record_key_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, at + 9, r->total);
	sqlite3_bind_int64(s, at + 10, r->patient_share);
}

/* Write the batch: receipts get consecutive ids (INTEGER PRIMARY KEY, one
 * statement or one after the other), their states follow in id order. */
static int rec_flush(struct rec_ctx *c, struct hk_err *err)
{
	long long last;
	if (c->n == 0)
		return 0;
	if (c->n == REC_BATCH) {
		sqlite3_reset(c->ins_full);
		for (int i = 0; i < REC_BATCH; i++)
			rec_bind(c->ins_full, i * REC_COLS, c->run_id, &c->row[i]);
		if (sqlite3_step(c->ins_full) != SQLITE_DONE)
			return hk_db_fail(c->db, err, "recording receipts");
	} else {
		for (int i = 0; i < c->n; i++) {
			sqlite3_reset(c->ins_one);
			rec_bind(c->ins_one, 0, c->run_id, &c->row[i]);
			if (sqlite3_step(c->ins_one) != SQLITE_DONE)
				return hk_db_fail(c->db, err, "recording a receipt");
		}
	}
	last = sqlite3_last_insert_rowid(c->db);
	sqlite3_reset(c->ins_states);
	sqlite3_bind_text(c->ins_states, 1, c->now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->ins_states, 2, last - c->n + 1);
	sqlite3_bind_int64(c->ins_states, 3, last);
	if (sqlite3_step(c->ins_states) != SQLITE_DONE)
		return hk_db_fail(c->db, err, "recording receipt states");
	if (sqlite3_changes(c->db) != c->n)
		return hk_err_set(err, HK_EXIT_INTERNAL, "recorded %d receipt states for a batch of %d receipts",
				  sqlite3_changes(c->db), c->n);
	c->n = 0;
	return 0;
}

/* Copy s into dst[size]; its length, or -1 when it does not fit. */
static int copy_str(char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);
	if (n >= size)
		return -1;
	memcpy(dst, s, n + 1);
	return (int)n;
}

static int record_receipt(void *ctx, const struct hk_receipt_info *r, struct hk_err *err)
{
	struct rec_ctx *c = ctx;
	struct rec_row *w = &c->row[c->n];
	if (c->faults) /* the same as calling it each time, without a getenv per receipt */
		hk_fault_point("build-receipt");
	w->patient_id = r->patient_id;
	w->coverage_id = r->coverage_id;
	w->receipt_no = r->receipt_no;
	w->body = r->body;
	w->total = r->total;
	w->patient_share = r->patient_share;
	if ((w->service_month_len = copy_str(w->service_month, sizeof(w->service_month), r->service_month)) < 0 ||
	    (w->type_len = copy_str(w->type, sizeof(w->type), r->type)) < 0 ||
	    (w->record_key_len = copy_str(w->record_key, sizeof(w->record_key), r->record_key)) < 0)
		return hk_err_set(err, HK_EXIT_INTERNAL, "receipt of %s: month, type or record key too long", r->patient_key);
	return ++c->n == REC_BATCH ? rec_flush(c, err) : 0;
}

/* Earlier runs of the month: refuse when submitted, else supersede. */
static int supersede(sqlite3 *db, const char *month7, const char *now, struct hk_err *err)
{
	sqlite3_stmt *q = NULL;
	int rc = -1, step;
	if (hk_db_prepare(db, "SELECT r.id, (SELECT count(*) FROM receipt x WHERE x.run_id = r.id AND x.state"
			      " NOT IN ('built','superseded')) FROM claim_run r WHERE r.service_month = ?1"
			      " AND r.kind = 'claim' AND r.state = 'done'", &q, err) < 0)
		return -1;
	sqlite3_bind_text(q, 1, month7, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(q, 0);
		if (sqlite3_column_int64(q, 1) > 0) {
			hk_err_set(err, HK_EXIT_INPUT,
				   "%s was already claimed in run %lld and has gone out (sealed or submitted); a returned "
				   "receipt is re-claimed with houkan reclaim, not by building the month again",
				   month7, id);
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		hk_db_fail(db, err, "reading earlier runs");
		goto out;
	}
	{
		static const char *const sqls[] = {
			"INSERT INTO receipt_state(receipt_id, state, at, source) SELECT x.id, 'superseded', ?2, 'build'"
			" FROM receipt x JOIN claim_run r ON r.id = x.run_id WHERE r.service_month = ?1"
			" AND r.kind = 'claim' AND r.state = 'done'",
			"UPDATE receipt SET state = 'superseded' WHERE ?2 IS NOT NULL AND run_id IN (SELECT id FROM"
			" claim_run WHERE service_month = ?1 AND kind = 'claim' AND state = 'done')",
			"UPDATE claim_run SET state = 'superseded' WHERE ?2 IS NOT NULL AND service_month = ?1"
			" AND kind = 'claim' AND state = 'done'",
		};
		for (size_t i = 0; i < HK_ARRAY_LEN(sqls); i++) {
			sqlite3_stmt *u;
			int r;
			if (hk_db_prepare(db, sqls[i], &u, err) < 0)
				goto out;
			sqlite3_bind_text(u, 1, month7, -1, SQLITE_STATIC);
			sqlite3_bind_text(u, 2, now, -1, SQLITE_STATIC);
			r = sqlite3_step(u);
			sqlite3_finalize(u);
			if (r != SQLITE_DONE) {
				hk_db_fail(db, err, "superseding an earlier run");
				goto out;
			}
		}
	}
	rc = 0;
out:
	sqlite3_finalize(q);
	return rc;
}

/* Remove what a build or a replay leaves in a run or work directory (the
 * files it writes, by name; nothing else). */
static void rmtree_run(const char *dir)
{
	static const char *const files[] = {"inputs.db", "inputs.db.tmp", "inputs.db-wal", "inputs.db-shm",
					    "inputs.db-journal"};
	char p[HK_MAX_PATH];
	for (int b = 1; b <= 2; b++) {
		hk_snprintf(p, sizeof(p), "%s/%d/RECEIPTH.UKE", dir, b);
		unlink(p);
		hk_snprintf(p, sizeof(p), "%s/%d/RECEIPTH.UKE.tmp", dir, b);
		unlink(p);
		hk_snprintf(p, sizeof(p), "%s/%d", dir, b);
		rmdir(p);
	}
	for (size_t i = 0; i < HK_ARRAY_LEN(files); i++) {
		hk_snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

int hk_build(const struct hk_build_opts *o, struct hk_build_stats *st, struct hk_err *err)
{
	sqlite3 *db = NULL;
	struct hk_master *m = NULL;
	struct rec_ctx rc = {0};
	char now[21], month7[8], claim7[8], params[128], arch[HK_MAX_PATH], rundir[HK_MAX_PATH];
	char snap_tmp[HK_MAX_PATH], snap[HK_MAX_PATH];
	const struct hk_master_info *mi;
	sqlite3_stmt *s = NULL;
	bool in_tx = false, made_run_dir = false, snap_started = false;
	struct snap_job job;
	pthread_t snap_thread;
	int ret = -1;

	memset(st, 0, sizeof(*st));
	snap_tmp[0] = rundir[0] = '\0';
	hk_clock_fmt_iso(hk_clock_now(), now);
	hk_snprintf(month7, sizeof(month7), "%04d-%02d", o->year, o->month);
	hk_snprintf(claim7, sizeof(claim7), "%04d-%02d", o->claim_year, o->claim_month);
	if (o->claim_year * 12 + o->claim_month <= o->year * 12 + o->month)
		return hk_err_set(err, HK_EXIT_INPUT, "--claim-month %s must come after the service month %s",
				  claim7, month7);
	phase(NULL);
	if (hk_master_load(hk_master_root(o->master_root), (struct hk_date){o->year, o->month, 1}, &m, err) < 0)
		return -1;
	phase("master");
	mi = hk_master_info(m);
	hk_snprintf(st->master_version, sizeof(st->master_version), "%s", mi->version);
	hk_snprintf(params, sizeof(params), "month=%s claim=%s", month7, claim7);
	if (hk_db_open(o->db_path, HK_DB_OPEN_EXISTING, &db, err) < 0)
		goto out;
	/* an empty WAL lets the snapshot be a plain copy of the file (copy_db_file);
	 * when others are reading, the checkpoint does what it can and the backup
	 * API is used */
	sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	/* the statement journals of the batched inserts (rec_flush) stay in
	 * memory: a few pages each, not hundreds of megabytes through a temp file.
	 * A page cache of 64 MiB (grown only as pages are used) keeps most of
	 * the pages the receipts dirty in memory until COMMIT writes each once
	 * to the WAL.  With the default 2 MB cache they went to the WAL as it
	 * filled, many written again and read back: 55,000 more page writes for
	 * 500,000 receipts.  (128 MiB saved no measurable CPU more, and took a
	 * 500,000-receipt run's peak memory from 147 MB to 215 MB in one run of
	 * two, close to its 256 MiB budget.) */
	if (hk_db_exec(db, "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536", err) < 0)
		goto out;
	/* No foreign-key enforcement on this connection (it can only be switched
	 * outside a transaction, so for the whole build): every reference the
	 * build writes is to a row of this database that it has just read or
	 * inserted while holding the write lock - the run (claim_run), the
	 * patients and coverages the engine read, the receipts just inserted -
	 * and nothing is deleted.  Enforcing it was four parent lookups, each
	 * opening and closing a cursor, per receipt: a fifth of the CPU of this
	 * thread. */
	if (hk_db_exec(db, "PRAGMA foreign_keys = OFF", err) < 0)
		goto out;
	if (hk_db_begin(db, err) < 0)
		goto out;
	in_tx = true;
	/* 1. the inputs, as they are now */
	hk_archive_dir(o->db_path, arch, sizeof(arch));
	if (hk_mkdir_p(arch, 0755, err) < 0)
		goto out;
	hk_snprintf(snap_tmp, sizeof(snap_tmp), "%s/inputs.%d.db.tmp", arch, (int)getpid());
	phase("open");
	memset(&job, 0, sizeof(job));
	job.db_path = o->db_path;
	job.raw = wal_is_empty(db, o->db_path) && !getenv("HOUKAN_SNAPSHOT_BACKUP");
	hk_snprintf(job.path, sizeof(job.path), "%s", snap_tmp);
	if (pthread_create(&snap_thread, NULL, snap_main, &job) != 0) {
		hk_err_set(err, HK_EXIT_INTERNAL, "cannot start the snapshot thread");
		goto out;
	}
	snap_started = true;
	/* 2. earlier runs of the month */
	if (supersede(db, month7, now, err) < 0)
		goto out;
	if (hk_db_prepare(db, "INSERT INTO claim_run(service_month, claim_month, kind, state, started, params,"
			      " inputs_sha256, master_version) VALUES (?,?,'claim','started',?,?,?,?)", &s, err) < 0)
		goto out;
	sqlite3_bind_text(s, 1, month7, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, claim7, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, params, -1, SQLITE_STATIC);
	sqlite3_bind_null(s, 5); /* the inputs digest, once the snapshot is done */
	sqlite3_bind_text(s, 6, mi->version, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		hk_db_fail(db, err, "recording the run");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	rc.db = db;
	rc.run_id = st->run_id = sqlite3_last_insert_rowid(db);
	rc.now = now;
	rc.faults = getenv("HOUKAN_KILL_AT") != NULL;
	hk_snprintf(rundir, sizeof(rundir), "%s/run-%lld", arch, rc.run_id);
	rmtree_run(rundir); /* leftovers of a killed run with the same id */
	if (hk_mkdir_p(rundir, 0755, err) < 0)
		goto out;
	made_run_dir = true;
	/* 3. the receipts */
	if (rec_prepare(&rc, err) < 0)
		goto out;
	if (hk_claim_engine(db, m, o, record_receipt, &rc, st, err) < 0 || rec_flush(&rc, err) < 0)
		goto out;
	phase("receipts");
	pthread_join(snap_thread, NULL);
	snap_started = false;
	if (job.rc < 0) {
		*err = job.err;
		goto out;
	}
	phase("snapshot wait");
	hk_snprintf(st->inputs_sha256, sizeof(st->inputs_sha256), "%s", job.hex);
	hk_snprintf(snap, sizeof(snap), "%s/inputs.db", rundir);
	if (rename(snap_tmp, snap) != 0) {
		hk_err_set(err, HK_EXIT_IO, "%s: %s", snap, strerror(errno));
		goto out;
	}
	if (hk_db_prepare(db, "UPDATE claim_run SET inputs_sha256 = ? WHERE id = ?", &s, err) < 0)
		goto out;
	sqlite3_bind_text(s, 1, st->inputs_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, rc.run_id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		hk_db_fail(db, err, "recording the inputs digest");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	hk_fault_point("build-engine-done");
	/* 4. archive copies and outputs */
	for (int b = 1; b <= 2; b++) {
		char tmp[HK_MAX_PATH], dst[HK_MAX_PATH], dir[HK_MAX_PATH], hex[65], rel[64];
		unsigned long long bytes = 0;
		if (!st->sha256[b][0])
			continue;
		hk_snprintf(tmp, sizeof(tmp), "%s/%d/RECEIPTH.UKE.tmp", o->out_dir, b);
		hk_snprintf(dir, sizeof(dir), "%s/%d", rundir, b);
		hk_snprintf(dst, sizeof(dst), "%s/RECEIPTH.UKE", dir);
		if (hk_mkdir_p(dir, 0755, err) < 0 || archive_output(tmp, dir, dst, st->sha256[b], hex, &bytes, err) < 0)
			goto out;
		hk_snprintf(rel, sizeof(rel), "run-%lld/%d/RECEIPTH.UKE", rc.run_id, b);
		if (hk_db_prepare(db, "INSERT INTO run_output(run_id, body, path, sha256, bytes, receipts) VALUES (?,?,?,?,?,?)",
				  &s, err) < 0)
			goto out;
		sqlite3_bind_int64(s, 1, rc.run_id);
		sqlite3_bind_int(s, 2, b);
		sqlite3_bind_text(s, 3, rel, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, hex, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, (sqlite3_int64)bytes);
		sqlite3_bind_int64(s, 6, st->receipts[b]);
		if (sqlite3_step(s) != SQLITE_DONE) {
			hk_db_fail(db, err, "recording an output");
			goto out;
		}
		sqlite3_finalize(s);
		s = NULL;
	}
	if (hk_db_prepare(db, "UPDATE claim_run SET state = 'done', finished = ? WHERE id = ?", &s, err) < 0)
		goto out;
	sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, rc.run_id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		hk_db_fail(db, err, "finishing the run");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	{
		char outd[65 * 2 + 2];
		hk_snprintf(outd, sizeof(outd), "%s%s%s", st->sha256[1], st->sha256[1][0] && st->sha256[2][0] ? "," : "",
			    st->sha256[2]);
		if (hk_audit(db, "build", st->inputs_sha256, outd, "ok", err) < 0)
			goto out;
	}
	rec_finalize(&rc);
	phase("archive");
	hk_fault_point("build-before-commit");
	if (hk_db_commit(db, err) < 0)
		goto out;
	phase("commit");
	in_tx = false;
	hk_fault_point("build-after-commit");
	/* 5. publish */
	for (int b = 1; b <= 2; b++) {
		char tmp[HK_MAX_PATH], dst[HK_MAX_PATH], dir[HK_MAX_PATH];
		hk_snprintf(dir, sizeof(dir), "%s/%d", o->out_dir, b);
		hk_snprintf(tmp, sizeof(tmp), "%s/RECEIPTH.UKE.tmp", dir);
		hk_snprintf(dst, sizeof(dst), "%s/RECEIPTH.UKE", dir);
		if (!st->sha256[b][0]) {
			/* a file of an earlier build for a body that has nothing this time */
			if (unlink(dst) == 0 && o->report)
				fprintf(o->report, "removed %s: this run has no receipt for review body %d\n", dst, b);
			continue;
		}
		if (rename(tmp, dst) != 0) {
			hk_err_set(err, HK_EXIT_IO, "%s: %s (the run is recorded as %lld; build again to publish)", dst,
				   strerror(errno), rc.run_id);
			goto out;
		}
		if (hk_fsync_dir(dir, err) < 0)
			goto out;
		hk_fault_point("build-published-one");
	}
	phase("publish");
	ret = 0;
out:
	if (snap_started)
		pthread_join(snap_thread, NULL);
	sqlite3_finalize(s);
	rec_finalize(&rc);
	if (in_tx) {
		hk_db_rollback(db);
		for (int b = 1; b <= 2; b++) {
			char tmp[HK_MAX_PATH];
			hk_snprintf(tmp, sizeof(tmp), "%s/%d/RECEIPTH.UKE.tmp", o->out_dir, b);
			unlink(tmp);
		}
		if (made_run_dir)
			rmtree_run(rundir);
		if (snap_tmp[0])
			unlink(snap_tmp); /* renamed away when the build got that far */
	}
	hk_db_close(db);
	hk_master_free(m);
	phase("close");
	return ret;
}

/* ---- replay ------------------------------------------------------------ */

static int first_difference(const char *a_path, const char *b_path, char *diff, size_t len, struct hk_err *err)
{
	char *a = NULL, *b = NULL;
	size_t al, bl, i = 0;
	long line = 1;
	int rc;
	if (hk_read_file(a_path, &a, &al, 0, err) < 0)
		return -1;
	if (hk_read_file(b_path, &b, &bl, 0, err) < 0) {
		hk_free(a);
		return -1;
	}
	while (i < al && i < bl && a[i] == b[i]) {
		if (a[i] == '\n')
			line++;
		i++;
	}
	if (i == al && i == bl) {
		rc = 0;
	} else {
		size_t s = i;
		while (s > 0 && a[s - 1] != '\n' && s - 1 < bl)
			s--;
		hk_snprintf(diff, len, "line %ld differs (byte %zu): archived '%.60s' / rebuilt '%.60s'", line, i,
			    s < al ? a + s : "", s < bl ? b + s : "");
		for (char *q = diff; *q; q++)
			if (*q == '\r' || *q == '\n' || *q == 0x1a)
				*q = ' ';
		rc = 1;
	}
	hk_free(a);
	hk_free(b);
	return rc;
}

int hk_replay(const char *db_path, long long run_id, const char *master_root, char *diff, size_t difflen,
	      struct hk_err *err)
{
	sqlite3 *db = NULL, *snapdb = NULL;
	sqlite3_stmt *s = NULL;
	struct hk_master *m = NULL;
	struct hk_build_opts o;
	struct hk_build_stats st;
	char arch[HK_MAX_PATH], snap[HK_MAX_PATH], work[HK_MAX_PATH], copy[HK_MAX_PATH];
	char month[8] = "", claim[8] = "", inputs[65] = "", mversion[80] = "", recorded[3][65];
	char hex[65];
	int ret = -1, y, mo, cy, cm;

	memset(recorded, 0, sizeof(recorded));
	diff[0] = '\0';
	work[0] = '\0';
	if (hk_db_open(db_path, HK_DB_OPEN_EXISTING, &db, err) < 0)
		return -1;
	if (hk_db_prepare(db, "SELECT service_month, claim_month, inputs_sha256, master_version, state FROM claim_run"
			      " WHERE id = ?", &s, err) < 0)
		goto out;
	sqlite3_bind_int64(s, 1, run_id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		hk_err_set(err, HK_EXIT_INPUT, "%s: no run %lld (houkan runs lists them)", db_path, run_id);
		goto out;
	}
	hk_snprintf(month, sizeof(month), "%s", (const char *)sqlite3_column_text(s, 0));
	hk_snprintf(claim, sizeof(claim), "%s", (const char *)sqlite3_column_text(s, 1));
	hk_snprintf(inputs, sizeof(inputs), "%s", sqlite3_column_text(s, 2) ? (const char *)sqlite3_column_text(s, 2) : "");
	hk_snprintf(mversion, sizeof(mversion), "%s",
		    sqlite3_column_text(s, 3) ? (const char *)sqlite3_column_text(s, 3) : "");
	if (strcmp((const char *)sqlite3_column_text(s, 4), "started") == 0) {
		hk_err_set(err, HK_EXIT_INPUT, "run %lld never finished; nothing to replay", run_id);
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (hk_db_prepare(db, "SELECT body, sha256 FROM run_output WHERE run_id = ?", &s, err) < 0)
		goto out;
	sqlite3_bind_int64(s, 1, run_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int b = sqlite3_column_int(s, 0);
		if (b >= 1 && b <= 2)
			hk_snprintf(recorded[b], 65, "%s", (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	s = NULL;
	if (!hk_month_parse(month, strlen(month), &y, &mo) || !hk_month_parse(claim, strlen(claim), &cy, &cm)) {
		hk_err_set(err, HK_EXIT_IO, "run %lld: unreadable months '%s' '%s'", run_id, month, claim);
		goto out;
	}
	/* the inputs, verified */
	hk_archive_dir(db_path, arch, sizeof(arch));
	hk_snprintf(snap, sizeof(snap), "%s/run-%lld/inputs.db", arch, run_id);
	if (hk_sha256_file(snap, hex, err) < 0)
		goto out;
	if (strcmp(hex, inputs) != 0) {
		hk_err_set(err, HK_EXIT_INPUT, "%s: the archived inputs do not match the digest recorded for run %lld",
			   snap, run_id);
		goto out;
	}
	/* the same master revision */
	if (hk_master_load(hk_master_root(master_root), (struct hk_date){y, mo, 1}, &m, err) < 0)
		goto out;
	if (strcmp(hk_master_info(m)->version, mversion) != 0) {
		hk_err_set(err, HK_EXIT_INPUT, "run %lld used master %s; the master now in force for %s is %s",
			   run_id, mversion, month, hk_master_info(m)->version);
		goto out;
	}
	/* rebuild from a scratch copy of the inputs */
	hk_snprintf(work, sizeof(work), "%s/replay-%lld.%d", arch, run_id, (int)getpid());
	if (hk_mkdir_p(work, 0700, err) < 0)
		goto out;
	hk_snprintf(copy, sizeof(copy), "%s/inputs.db", work);
	{
		unsigned long long bytes;
		char h2[65];
		if (copy_file(snap, copy, h2, &bytes, err) < 0)
			goto out;
		chmod(copy, 0600);
	}
	if (hk_db_open(copy, HK_DB_OPEN_EXISTING, &snapdb, err) < 0)
		goto out;
	memset(&o, 0, sizeof(o));
	o.year = y; o.month = mo; o.claim_year = cy; o.claim_month = cm;
	o.out_dir = work;
	o.quiet = true;
	memset(&st, 0, sizeof(st));
	if (hk_claim_engine(snapdb, m, &o, NULL, NULL, &st, err) < 0)
		goto out;
	ret = 0;
	for (int b = 1; b <= 2 && ret == 0; b++) {
		char a[HK_MAX_PATH], r[HK_MAX_PATH], ah[65];
		if (!recorded[b][0] && !st.sha256[b][0])
			continue;
		if (!recorded[b][0] || !st.sha256[b][0]) {
			hk_snprintf(diff, difflen, "review body %d: %s", b,
				    recorded[b][0] ? "the rebuild wrote no file" : "the rebuild wrote a file the run did not");
			ret = 1;
			break;
		}
		hk_snprintf(a, sizeof(a), "%s/run-%lld/%d/RECEIPTH.UKE", arch, run_id, b);
		hk_snprintf(r, sizeof(r), "%s/%d/RECEIPTH.UKE", work, b);
		if (hk_sha256_file(a, ah, err) < 0) {
			ret = -1;
			break;
		}
		if (strcmp(ah, recorded[b]) != 0) {
			hk_err_set(err, HK_EXIT_INPUT, "%s: the archived output does not match the digest recorded for run %lld",
				   a, run_id);
			ret = -1;
			break;
		}
		if (strcmp(st.sha256[b], recorded[b]) != 0) {
			char d[400];
			int fd = first_difference(a, r, d, sizeof(d), err);
			if (fd < 0) {
				ret = -1;
				break;
			}
			hk_snprintf(diff, difflen, "review body %d: %s", b, d);
			ret = 1;
		}
	}
out:
	sqlite3_finalize(s);
	if (snapdb)
		hk_db_close(snapdb);
	hk_db_close(db);
	hk_master_free(m);
	if (work[0])
		rmtree_run(work);
	return ret;
}
