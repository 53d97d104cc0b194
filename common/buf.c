/*
 * buf.c -- growable byte buffers and whole-file helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"

int
rm_buf_reserve(rm_buf *b, size_t extra)
{
	size_t need, cap;
	uint8_t *p;

	if (extra > SIZE_MAX - b->len)
		return RM_ETOOBIG;
	need = b->len + extra;
	if (b->limit != 0 && need > b->limit)
		return RM_ETOOBIG;
	if (need <= b->cap)
		return RM_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return RM_ENOMEM;
	b->data = p;
	b->cap = cap;
	return RM_OK;
}

int
rm_buf_append(rm_buf *b, const void *p, size_t n)
{
	int rv;

	if (n == 0)
		return RM_OK;
	if ((rv = rm_buf_reserve(b, n)) != RM_OK)
		return rv;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return RM_OK;
}

int
rm_buf_append_byte(rm_buf *b, uint8_t c)
{
	return rm_buf_append(b, &c, 1);
}

int
rm_buf_printf(rm_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t limit;
	int n, rv;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return RM_EINVAL;
	if (b->limit != 0 && b->len + (size_t)n > b->limit)
		return RM_ETOOBIG;
	/* room for vsnprintf's NUL, which does not count against limit */
	limit = b->limit;
	b->limit = 0;
	rv = rm_buf_reserve(b, (size_t)n + 1);
	b->limit = limit;
	if (rv != RM_OK)
		return rv;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return RM_OK;
}

int
rm_buf_cstr(rm_buf *b)
{
	int rv;

	if ((rv = rm_buf_reserve(b, 1)) != RM_OK)
		return rv;
	b->data[b->len] = '\0';
	return RM_OK;
}

void
rm_buf_reset(rm_buf *b)
{
	b->len = 0;
}

void
rm_buf_fini(rm_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

uint8_t *
rm_buf_steal(rm_buf *b, size_t *len)
{
	uint8_t *p = b->data;

	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

int
rm_file_read(const char *path, size_t max_bytes, rm_buf *out, rm_why *why)
{
	uint8_t chunk[8192];
	size_t start = out->len;
	struct stat st;
	ssize_t n;
	int fd, rv;

	/* O_NONBLOCK: a FIFO put where a file belongs must not hang the
	 * caller in open(); only regular files are read. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return rm_fail(why, RM_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return rm_fail(why, RM_EIO, "%s: not a regular file", path);
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rv = rm_fail(why, RM_EIO, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (out->len - start + (size_t)n > max_bytes) {
			rv = rm_fail(why, RM_ETOOBIG, "%s: larger than %zu bytes",
			    path, max_bytes);
			goto fail;
		}
		if ((rv = rm_buf_append(out, chunk, (size_t)n)) != RM_OK) {
			rm_fail(why, rv, "%s: %s", path, rm_strerror(rv));
			goto fail;
		}
	}
	close(fd);
	return RM_OK;
fail:
	out->len = start;
	close(fd);
	return rv;
}

int
rm_file_write_atomic(const char *path, const void *p, size_t n, unsigned mode,
    rm_why *why)
{
	char tmp[4096], dir[4096];
	const uint8_t *q = p;
	int fd, dfd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return rm_fail(why, RM_EINVAL, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
	if (fd < 0)
		return rm_fail(why, RM_EIO, "%s: %s", tmp, strerror(errno));
	while (n > 0) {
		ssize_t w = write(fd, q, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		q += w;
		n -= (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	close(fd);
	if (rename(tmp, path) != 0)
		return rm_fail(why, RM_EIO, "%s: rename: %s", path, strerror(errno));
	snprintf(dir, sizeof(dir), "%s", path);
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return RM_OK;
fail:
	rm_fail(why, RM_EIO, "%s: %s", tmp, strerror(errno));
	close(fd);
	unlink(tmp);
	return RM_EIO;
}
