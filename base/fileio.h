/*
 * fileio.h - whole-file reads, atomic publication and digests.
 *
 * hk_publish() writes name.tmp (O_EXCL, 0600 unless mode given), fsyncs it,
 * renames it over name and fsyncs the directory (PRACTICES 8), so a reader
 * only ever sees whole files.
 */
#ifndef HK_FILEIO_H
#define HK_FILEIO_H
#include <stddef.h>
#include <stdio.h>
#include "base/hk.h"
#include "base/limits.h"

int hk_read_file(const char *path, char **data, size_t *len, size_t limit, struct hk_err *err);
int hk_publish(const char *path, const void *data, size_t len, int mode, struct hk_err *err);
int hk_mkdir_p(const char *path, int mode, struct hk_err *err);

/* Streaming atomic publication: bytes go to PATH.tmp (O_EXCL, mode); commit
 * fsyncs, renames over PATH and fsyncs the directory; abort removes the temp
 * file.  A killed writer leaves at most a stale PATH.tmp, never a partial PATH. */
struct hk_pubfile {
	int fd;
	char path[HK_MAX_PATH];
	char tmp[HK_MAX_PATH + 8];
	unsigned long long bytes;
	unsigned char *stage;      /* open_direct: the block being filled (else NULL) */
	size_t staged;
	int direct;                /* O_DIRECT is on */
};
int hk_pubfile_open(struct hk_pubfile *pf, const char *path, int mode, struct hk_err *err);
/* The same for a large file written once from start to end (claim files,
 * snapshots): whole HK_DIRECT_BLOCK blocks go to the disk without passing
 * through the page cache (O_DIRECT), which costs far less CPU than buffered
 * writes of hundreds of megabytes; the tail is written normally.  Where the
 * file system refuses O_DIRECT the blocks are written as usual.  Either way
 * writes are gathered into whole blocks: callers need no buffer of their own. */
#define HK_DIRECT_BLOCK (1 << 20)
int hk_pubfile_open_direct(struct hk_pubfile *pf, const char *path, int mode, struct hk_err *err);
int hk_pubfile_write(struct hk_pubfile *pf, const void *p, size_t n, struct hk_err *err);
/* Write what is pending, fsync and close PATH.tmp, leaving it for the caller
 * to rename (commit does this and then renames). */
int hk_pubfile_finish(struct hk_pubfile *pf, struct hk_err *err);
int hk_pubfile_commit(struct hk_pubfile *pf, struct hk_err *err);
void hk_pubfile_abort(struct hk_pubfile *pf);
int hk_fsync_dir(const char *dir, struct hk_err *err);

/* SHA-256 (OpenSSL EVP): hex is 65 bytes. */
void hk_sha256_hex(const void *data, size_t len, char hex[65]);
int hk_sha256_file(const char *path, char hex[65], struct hk_err *err);

/* Incremental SHA-256 for streams. */
struct hk_sha256;
struct hk_sha256 *hk_sha256_new(void);
void hk_sha256_update(struct hk_sha256 *s, const void *p, size_t n);
void hk_sha256_final(struct hk_sha256 *s, char hex[65]); /* frees s */

/* Flush and check stdout before exit (PRACTICES 9): returns 0 or HK_EXIT_IO. */
int hk_close_stdout(void);

#endif
