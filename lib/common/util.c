/*
 * util.c - checked system calls, allocation, byte order, varints, CRC and
 * exact integer parsing: the small pieces every other module leans on.
 */
#include "common/common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>

ws_status
ws__write_all(int fd, const void *buf, size_t n, const char *name,
	      ws_error *err)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return ws__errno(err, errno, "%s: write", name);
		}
		p += w;
		n -= (size_t)w;
	}
	return WS_OK;
}

ws_status
ws__pwrite_all(int fd, const void *buf, size_t n, off_t off, const char *name,
	       ws_error *err)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return ws__errno(err, errno, "%s: write", name);
		}
		p += w;
		n -= (size_t)w;
		off += w;
	}
	return WS_OK;
}

ws_status
ws__pread_exact(int fd, void *buf, size_t n, off_t off, const char *name,
		ws_error *err)
{
	char *p = buf;
	while (n > 0) {
		ssize_t r = pread(fd, p, n, off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return ws__errno(err, errno, "%s: read", name);
		}
		if (r == 0)
			return ws__err(err, WS_ECORRUPT,
				       "%s: offset %lld: file ends early", name,
				       (long long)off);
		p += r;
		n -= (size_t)r;
		off += r;
	}
	return WS_OK;
}

ws_status
ws__read_small_fd(int fd, const struct stat *sb, const char *name,
		  size_t max, char **out, size_t *len, ws_error *err)
{
	if (!S_ISREG(sb->st_mode) || (uint64_t)sb->st_size > max)
		return ws__err(err, WS_ECORRUPT,
			       "%s: not a regular file of at most %zu bytes",
			       name, max);
	size_t n = (size_t)sb->st_size;
	char *buf = ws__malloc(n + 1, err);
	if (buf == NULL)
		return WS_ENOMEM;
	ws_status rc = ws__pread_exact(fd, buf, n, 0, name, err);
	if (rc != WS_OK) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return WS_OK;
}

ws_status
ws__read_small_file(int dirfd, const char *rel, const char *name, size_t max,
		    char **out, size_t *len, ws_error *err)
{
	int fd = ws__openat_regular(dirfd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC,
				    0);
	if (fd < 0) {
		if (errno == ENOENT)
			return ws__err(err, WS_NOTFOUND,
				       "%s: No such file or directory", name);
		return ws__errno(err, errno, "%s: open", name);
	}
	struct stat sb;
	ws_status rc = fstat(fd, &sb) == 0
			       ? ws__read_small_fd(fd, &sb, name, max, out, len, err)
			       : ws__errno(err, errno, "%s: stat", name);
	ws__close(fd);
	return rc;
}

/* Calls a sync function until it is not interrupted. */
static ws_status
sync_retry(int (*sync_fn)(int), const char *what, int fd, const char *name,
	   ws_error *err)
{
	while (sync_fn(fd) != 0) {
		if (errno != EINTR)
			return ws__errno(err, errno, "%s: %s", name, what);
	}
	return WS_OK;
}

ws_status
ws__fsync(int fd, const char *name, ws_error *err)
{
	return sync_retry(fsync, "fsync", fd, name, err);
}

ws_status
ws__fdatasync(int fd, const char *name, ws_error *err)
{
	return sync_retry(fdatasync, "fdatasync", fd, name, err);
}

ws_status
ws__replace_file(int dirfd, const char *rel, const char *name,
		 const void *data, size_t len, ws_error *err)
{
	char tmp[WS_PATH_SIZE];
	snprintf(tmp, sizeof tmp, "%s.tmp", rel);
	int fd = ws__openat_regular(dirfd, tmp,
				    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
					    O_CLOEXEC,
				    0666);
	if (fd < 0)
		return ws__errno(err, errno, "%s.tmp: open", name);
	char tmpname[WS_PATH_SIZE];
	snprintf(tmpname, sizeof tmpname, "%s.tmp", name);
	ws_status rc = ws__write_all(fd, data, len, tmpname, err);
	if (rc == WS_OK)
		rc = ws__fsync(fd, tmpname, err);
	if (ws__close(fd) != 0 && rc == WS_OK)
		rc = ws__errno(err, errno, "%s: close", tmpname);
	if (rc == WS_OK && renameat(dirfd, tmp, dirfd, rel) != 0)
		rc = ws__errno(err, errno, "%s: rename", name);
	if (rc != WS_OK) {
		unlinkat(dirfd, tmp, 0); /* best effort: a stale .tmp is inert */
		return rc;
	}
	/*
	 * The new file is in place and readers see it; only its durability
	 * is in doubt, which the message must say (the caller cannot
	 * undo a rename).
	 */
	while (fsync(dirfd) != 0)
		if (errno != EINTR)
			return ws__errno(err, errno,
					 "%s: fsync of the directory after the "
					 "rename (the new file is in place but "
					 "may not survive a crash)",
					 name);
	return WS_OK;
}

ws_status
ws__each_dir_entry(int dirfd, const char *name, ws__dir_entry_fn fn, void *ctx,
		   ws_error *err)
{
	/* A DIR takes its descriptor over: give it a copy of ours. */
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		ws_status rc = ws__errno(err, errno, "%s: open", name);
		if (fd >= 0)
			ws__close(fd);
		return rc;
	}
	rewinddir(d); /* the copy shares the position of earlier reads */
	ws_status rc = WS_OK;
	struct dirent *de;
	errno = 0;
	while (rc == WS_OK && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			rc = fn(ctx, de->d_name, err);
		errno = 0;
	}
	if (rc == WS_OK && errno != 0)
		rc = ws__errno(err, errno, "%s: read", name);
	closedir(d);
	return rc;
}

ws_status
ws__subdir_error(int dirfd, const char *store, const char *sub, int e,
		 ws_error *err)
{
	struct stat sb;
	if ((e == ENOTDIR || e == ELOOP) &&
	    fstatat(dirfd, sub, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(sb.st_mode))
		return ws__err(err, WS_EUSAGE,
			       "%s/%s: a symbolic link; %s/ must be a directory "
			       "inside the store",
			       store, sub, sub);
	return ws__errno(err, e, "%s/%s: open", store, sub);
}

int
ws__close(int fd)
{
	/* Linux closes the descriptor even when close() reports EINTR. */
	if (close(fd) != 0 && errno != EINTR)
		return -1;
	return 0;
}

void *
ws__malloc(size_t n, ws_error *err)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		ws__err(err, WS_ENOMEM, "out of memory (%zu bytes)", n);
	return p;
}

void *
ws__realloc(void *p, size_t n, ws_error *err)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		ws__err(err, WS_ENOMEM, "out of memory (%zu bytes)", n);
	return q;
}

/*
 * Maps the pages of [p, p + n) in one call, which the first writes would
 * fault in one at a time: a page fault cost 6 us on the machines the
 * benchmarks ran on, and a short query took 21 of them in its buffers.
 */
static void
populate(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	/* Below two pages a fault or two cost less than the call. */
	long page = sysconf(_SC_PAGESIZE);
	if (page <= 0 || n < 2 * (size_t)page)
		return;
	uintptr_t start = (uintptr_t)p & ~((uintptr_t)page - 1);
	uintptr_t end = (uintptr_t)p + n;
	/* Advice: an older kernel refuses it (EINVAL), and nothing changes. */
	(void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)n;
#endif
}

ws_status
ws__grow_slow(void *pp, size_t *cap, size_t want, size_t sz, ws_error *err)
{
	size_t ncap = *cap ? *cap : 16;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2 / sz)
			return ws__err(err, WS_ENOMEM, "out of memory");
		ncap *= 2;
	}
	void **p = pp;
	void *q = ws__realloc(*p, ncap * sz, err);
	if (q == NULL)
		return WS_ENOMEM;
	*p = q;
	*cap = ncap;
	/* What the caller asked for is about to be written. */
	populate(q, want * sz);
	return WS_OK;
}

int
ws__decimal_digits(uint64_t n)
{
	static const uint64_t pow10[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
		10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
		100000000000ull, 1000000000000ull, 10000000000000ull,
		100000000000000ull, 1000000000000000ull, 10000000000000000ull,
		100000000000000000ull, 1000000000000000000ull,
		10000000000000000000ull};
	/* log10(2) ~ 1233 / 4096: a first guess from the bit length. */
	int guess = (int)((64 - (unsigned)__builtin_clzll(n | 1)) * 1233u >> 12);
	return guess + (n >= pow10[guess] || guess == 0);
}

/* Decimal digits of n into digits (no terminator); returns their count. */
int
ws__utoa(uint64_t n, char *digits)
{
	/* Two digits per division: timestamps have 16 (ws-range --all). */
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	/*
	 * Written in place from the last digit back: a copy of a variable
	 * length is a call into libc, which cost as much as the digits.
	 */
	int nd = ws__decimal_digits(n);
	char *p = digits + nd;
	while (n > UINT32_MAX) {
		unsigned r = (unsigned)(n % 100);
		n /= 100;
		p -= 2;
		memcpy(p, pairs + 2 * r, 2);
	}
	/* The rest in 32 bits: a cheaper multiply for each division. */
	uint32_t m = (uint32_t)n;
	while (m >= 100) {
		unsigned r = m % 100;
		m /= 100;
		p -= 2;
		memcpy(p, pairs + 2 * r, 2);
	}
	if (m >= 10)
		memcpy(p - 2, pairs + 2 * m, 2);
	else
		p[-1] = (char)('0' + m);
	return nd;
}

size_t
ws__put_varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

bool
ws__get_varint(const unsigned char **pp, const unsigned char *end,
	       uint64_t *v)
{
	const unsigned char *p = *pp;
	uint64_t r = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (p == end)
			return false;
		unsigned char c = *p++;
		if (shift == 63 && c > 1)
			return false;
		r |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*pp = p;
			*v = r;
			return true;
		}
	}
	return false;
}

void
ws__run_pair(void *(*fn)(void *), void *first, void *second)
{
	pthread_t helper;
	bool threaded = second != NULL &&
			pthread_create(&helper, NULL, fn, second) == 0;
	fn(first);
	if (threaded)
		/* Joining a thread this function started cannot fail. */
		(void)pthread_join(helper, NULL);
	else if (second != NULL)
		fn(second);
}

void
ws__sort(void *base, size_t n, size_t size,
	 int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

uint32_t
ws__crc32(const void *p, size_t n)
{
	return ws__crc32_more(0, p, n);
}

uint32_t
ws__crc32_more(uint32_t crc_so_far, const void *p, size_t n)
{
	/* libdeflate's CRC-32 is zlib's (the gzip polynomial), folded with
	 * carry-less multiplies where the CPU has them. */
	return libdeflate_crc32(crc_so_far, p, n);
}

bool
ws_parse_u64(const char *s, size_t n, uint64_t *out)
{
	if (n == 0)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool
ws_parse_i64(const char *s, size_t n, int64_t *out)
{
	bool neg = n > 0 && s[0] == '-';
	uint64_t mag;
	if (!ws_parse_u64(s + neg, n - neg, &mag))
		return false;
	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return false;
		*out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN
						       : -(int64_t)mag;
	} else {
		if (mag > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)mag;
	}
	return true;
}
