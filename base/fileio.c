#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "base/fileio.h"
#include "base/limits.h"

int hk_read_file(const char *path, char **data, size_t *len, size_t limit, struct hk_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, a = 0;
	if (!f)
		return hk_err_set(err, HK_EXIT_IO, "%s: cannot open: %s", path, strerror(errno));
	for (;;) {
		size_t got;
		if (a - n < 65536) {
			a = a ? a * 2 : 65536;
			buf = hk_realloc(buf, a + 1);
		}
		got = fread(buf + n, 1, a - n, f);
		n += got;
		if (limit && n > limit) {
			fclose(f);
			hk_free(buf);
			return hk_err_set(err, HK_EXIT_INPUT, "%s: larger than %zu bytes", path, limit);
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		hk_free(buf);
		return hk_err_set(err, HK_EXIT_IO, "%s: read error: %s", path, strerror(e));
	}
	fclose(f);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

int hk_fsync_dir(const char *dir, struct hk_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return hk_err_set(err, HK_EXIT_IO, "%s: cannot open directory: %s", dir, strerror(errno));
	if (fsync(fd) != 0 && errno != EINVAL) {
		int e = errno;
		close(fd);
		return hk_err_set(err, HK_EXIT_IO, "%s: fsync: %s", dir, strerror(e));
	}
	close(fd);
	return 0;
}

static int parent_dir(const char *path, char *dir, size_t size)
{
	char *slash;
	hk_snprintf(dir, size, "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		hk_snprintf(dir, size, ".");
	return 0;
}

int hk_pubfile_open(struct hk_pubfile *pf, const char *path, int mode, struct hk_err *err)
{
	pf->fd = -1;
	pf->bytes = 0;
	pf->stage = NULL;
	pf->staged = 0;
	pf->direct = 0;
	if ((size_t)hk_snprintf(pf->path, sizeof(pf->path), "%s", path) >= sizeof(pf->path) ||
	    (size_t)hk_snprintf(pf->tmp, sizeof(pf->tmp), "%s.tmp", path) >= sizeof(pf->tmp))
		return hk_err_set(err, HK_EXIT_IO, "%s: path too long", path);
	unlink(pf->tmp); /* a stale temp from a killed run is never visible as the real file */
	pf->fd = open(pf->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode ? mode : 0600);
	if (pf->fd < 0)
		return hk_err_set(err, HK_EXIT_IO, "%s: cannot create: %s", pf->tmp, strerror(errno));
	return 0;
}

int hk_pubfile_open_direct(struct hk_pubfile *pf, const char *path, int mode, struct hk_err *err)
{
	int fl;
	if (hk_pubfile_open(pf, path, mode, err) < 0)
		return -1;
	pf->stage = hk_malloc_aligned(4096, HK_DIRECT_BLOCK);
	fl = fcntl(pf->fd, F_GETFL);
	pf->direct = fl >= 0 && fcntl(pf->fd, F_SETFL, fl | O_DIRECT) == 0;
	return 0;
}

static int write_all(struct hk_pubfile *pf, const void *data, size_t len, struct hk_err *err)
{
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(pf->fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return hk_err_set(err, HK_EXIT_IO, "%s: write: %s", pf->tmp, strerror(errno));
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Leave direct mode: for the tail (not a whole block), or when the file
 * system turns O_DIRECT down at the first write (EINVAL). */
static void buffered(struct hk_pubfile *pf)
{
	int fl = fcntl(pf->fd, F_GETFL);
	if (fl >= 0)
		fcntl(pf->fd, F_SETFL, fl & ~O_DIRECT);
	pf->direct = 0;
}

static int stage_out(struct hk_pubfile *pf, struct hk_err *err)
{
	size_t n = pf->staged;
	ssize_t w;
	if (n == 0)
		return 0;
	if (n < HK_DIRECT_BLOCK && pf->direct)
		buffered(pf);
	pf->staged = 0;
	if (pf->direct) {
		/* one aligned block at an aligned offset: whole or an error */
		do
			w = write(pf->fd, pf->stage, n);
		while (w < 0 && errno == EINTR);
		if (w == (ssize_t)n)
			return 0;
		if (w > 0)
			return hk_err_set(err, HK_EXIT_IO, "%s: short write", pf->tmp);
		if (errno != EINVAL)
			return hk_err_set(err, HK_EXIT_IO, "%s: write: %s", pf->tmp, strerror(errno));
		buffered(pf);
	}
	return write_all(pf, pf->stage, n, err);
}

int hk_pubfile_write(struct hk_pubfile *pf, const void *data, size_t len, struct hk_err *err)
{
	const unsigned char *p = data;
	pf->bytes += (unsigned long long)len;
	if (!pf->stage)
		return write_all(pf, data, len, err);
	while (len > 0) {
		size_t room = HK_DIRECT_BLOCK - pf->staged, n = len < room ? len : room;
		memcpy(pf->stage + pf->staged, p, n);
		pf->staged += n;
		p += n;
		len -= n;
		if (pf->staged == HK_DIRECT_BLOCK && stage_out(pf, err) < 0)
			return -1;
	}
	return 0;
}

void hk_pubfile_abort(struct hk_pubfile *pf)
{
	if (pf->fd >= 0) {
		close(pf->fd);
		pf->fd = -1;
	}
	hk_free(pf->stage);
	pf->stage = NULL;
	unlink(pf->tmp);
}

int hk_pubfile_finish(struct hk_pubfile *pf, struct hk_err *err)
{
	int fd = pf->fd, rc = 0;
	if (pf->stage) {
		rc = stage_out(pf, err);
		hk_free(pf->stage);
		pf->stage = NULL;
	}
	pf->fd = -1;
	if (rc < 0) {
		close(fd);
		unlink(pf->tmp);
		return -1;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		int e = errno;
		unlink(pf->tmp);
		return hk_err_set(err, HK_EXIT_IO, "%s: fsync: %s", pf->tmp, strerror(e));
	}
	return 0;
}

int hk_pubfile_commit(struct hk_pubfile *pf, struct hk_err *err)
{
	char dir[HK_MAX_PATH];
	if (hk_pubfile_finish(pf, err) < 0)
		return -1;
	if (rename(pf->tmp, pf->path) != 0) {
		int e = errno;
		unlink(pf->tmp);
		return hk_err_set(err, HK_EXIT_IO, "%s: rename: %s", pf->path, strerror(e));
	}
	parent_dir(pf->path, dir, sizeof(dir));
	return hk_fsync_dir(dir, err);
}

int hk_publish(const char *path, const void *data, size_t len, int mode, struct hk_err *err)
{
	struct hk_pubfile pf;
	if (hk_pubfile_open(&pf, path, mode, err) < 0)
		return -1;
	if (hk_pubfile_write(&pf, data, len, err) < 0) {
		hk_pubfile_abort(&pf);
		return -1;
	}
	return hk_pubfile_commit(&pf, err);
}

int hk_mkdir_p(const char *path, int mode, struct hk_err *err)
{
	char buf[HK_MAX_PATH];
	size_t n;
	if ((size_t)hk_snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf))
		return hk_err_set(err, HK_EXIT_IO, "%s: path too long", path);
	n = strlen(buf);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] == '/' || buf[i] == '\0') {
			char c = buf[i];
			buf[i] = '\0';
			if (mkdir(buf, mode) != 0 && errno != EEXIST)
				return hk_err_set(err, HK_EXIT_IO, "%s: cannot create directory: %s",
						  buf, strerror(errno));
			buf[i] = c;
		}
	}
	return 0;
}

struct hk_sha256 { EVP_MD_CTX *ctx; };

struct hk_sha256 *hk_sha256_new(void)
{
	struct hk_sha256 *s = hk_malloc(sizeof(*s));
	s->ctx = EVP_MD_CTX_new();
	if (!s->ctx || !EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL)) {
		fputs("houkan: cannot initialise SHA-256\n", stderr);
		exit(HK_EXIT_INTERNAL);
	}
	return s;
}

void hk_sha256_update(struct hk_sha256 *s, const void *p, size_t n)
{
	EVP_DigestUpdate(s->ctx, p, n);
}

void hk_sha256_final(struct hk_sha256 *s, char hex[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	static const char x[] = "0123456789abcdef";
	EVP_DigestFinal_ex(s->ctx, md, &mdlen);
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = x[md[i] >> 4];
		hex[2 * i + 1] = x[md[i] & 15];
	}
	hex[64] = '\0';
	EVP_MD_CTX_free(s->ctx);
	hk_free(s);
}

void hk_sha256_hex(const void *data, size_t len, char hex[65])
{
	struct hk_sha256 *s = hk_sha256_new();
	hk_sha256_update(s, data, len);
	hk_sha256_final(s, hex);
}

int hk_sha256_file(const char *path, char hex[65], struct hk_err *err)
{
	unsigned char buf[65536];
	size_t n;
	struct hk_sha256 *s;
	FILE *f = fopen(path, "rb");
	if (!f)
		return hk_err_set(err, HK_EXIT_IO, "%s: cannot open: %s", path, strerror(errno));
	s = hk_sha256_new();
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		hk_sha256_update(s, buf, n);
	hk_sha256_final(s, hex);
	if (ferror(f)) {
		fclose(f);
		return hk_err_set(err, HK_EXIT_IO, "%s: read error", path);
	}
	fclose(f);
	return 0;
}

int hk_close_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "houkan: cannot write standard output: %s\n", strerror(errno));
		return HK_EXIT_IO;
	}
	return 0;
}
