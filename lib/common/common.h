/*
 * common.h - the bottom layer of libwarmstore: error recording, checked
 * system calls, memory growth, little-endian fields, varints, CRC-32.
 *
 * Owns: the .c files of lib/common/. May call: libc and libdeflate (crc32) only.
 * Every other private header includes this one, and config.h comes first
 * here so that every module sees the same feature macros (large files, GNU
 * extensions).
 */
#ifndef WS_COMMON_H
#define WS_COMMON_H

#include "config.h"

#include <stdarg.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "warmstore.h"

#include <limits.h>
#include <string.h>

/*
 * A path buffer: any path the kernel accepts, and a store file's name
 * ("index/0000000000000001.wsi", a ".tmp" suffix) after it.
 */
#define WS_PATH_SIZE (PATH_MAX + 64)
/* A path and what a message says after it (": offset N: ..."). */
#define WS_WHERE_SIZE (WS_PATH_SIZE + 256)

/* --- errors (error.c) ---------------------------------------------- */

/* Records a message and returns code, so callers write `return ws__err(...)`. */
ws_status ws__err(ws_error *err, ws_status code, const char *fmt, ...)
	WS_PRINTF(3, 4);
/* Like ws__err, with ": strerror(errno_value)" appended. */
ws_status ws__errno(ws_error *err, int errno_value, const char *fmt, ...)
	WS_PRINTF(3, 4);
/* Puts "prefix: " in front of the message already in err. */
void ws__err_prefix(ws_error *err, const char *fmt, ...) WS_PRINTF(2, 3);

/* --- checked system calls (util.c) --------------------------------- */

/* Writes all n bytes, going on after EINTR and short writes. */
ws_status ws__write_all(int fd, const void *buf, size_t n, const char *name,
			ws_error *err);
ws_status ws__pwrite_all(int fd, const void *buf, size_t n, off_t off,
			 const char *name, ws_error *err);
/* Reads exactly n bytes at off; a short file is WS_ECORRUPT. */
ws_status ws__pread_exact(int fd, void *buf, size_t n, off_t off,
			  const char *name, ws_error *err);
/* read() that retries after EINTR. */
ssize_t ws__read_retry(int fd, void *buf, size_t n);
/* Reads a whole regular file of at most max bytes (NUL-terminated). */
/* Reads all of the open file fd (stat'ed as sb), at most max bytes. */
ws_status ws__read_small_fd(int fd, const struct stat *sb, const char *name,
			    size_t max, char **out, size_t *len, ws_error *err);
ws_status ws__read_small_file(int dirfd, const char *rel, const char *name,
			      size_t max, char **out, size_t *len,
			      ws_error *err);
ws_status ws__fsync(int fd, const char *name, ws_error *err);
ws_status ws__fdatasync(int fd, const char *name, ws_error *err);
/* Writes a file atomically: name.tmp, fsync, rename, fsync of the dir. */
ws_status ws__replace_file(int dirfd, const char *rel, const char *name,
			   const void *data, size_t len, ws_error *err);
int ws__close(int fd);

/*
 * openat() that never waits on a FIFO or device and gives only regular
 * files (openfile.c); otherwise -1 with errno WS__ENOTREG, which ws__errno
 * words as "not a regular file" (an errno no system call returns).
 */
int ws__openat_regular(int dirfd, const char *rel, int flags, mode_t mode);
/*
 * How many data files a reader keeps open at once: a share of the
 * descriptor limit (RLIMIT_NOFILE), so that no store is too large to read.
 */
size_t ws__data_fd_bound(void);
#define WS__ENOTREG 0x10000

/* Called for each entry of a directory but "." and ".."; WS_OK goes on. */
typedef ws_status (*ws__dir_entry_fn)(void *ctx, const char *entry,
				       ws_error *err);
/* Walks the directory open at dirfd (named `name` in messages). */
ws_status ws__each_dir_entry(int dirfd, const char *name, ws__dir_entry_fn fn,
			     void *ctx, ws_error *err);

/*
 * The error for data/ or index/ of a store that failed to open with errno
 * e: a symbolic link there (refused, as O_NOFOLLOW does) is named as one.
 */
ws_status ws__subdir_error(int dirfd, const char *store, const char *sub,
			   int e, ws_error *err);

void *ws__malloc(size_t n, ws_error *err);
void *ws__realloc(void *p, size_t n, ws_error *err);
ws_status ws__grow_slow(void *pp, size_t *cap, size_t want, size_t sz,
			ws_error *err);
/*
 * Grows *p (holding *cap elements of size sz) to at least want elements.
 * Inline: the parser and the encoders ask for every value, and it is
 * almost always already there.
 */
static inline ws_status
ws__grow(void *pp, size_t *cap, size_t want, size_t sz, ws_error *err)
{
	return want <= *cap ? WS_OK : ws__grow_slow(pp, cap, want, sz, err);
}

/*
 * Little-endian fixed-width fields of the on-disk formats. Inline: the
 * readers decode headers and index records with them in their hot loops.
 */
static inline void
ws__put_u16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

/* On little-endian machines one store: a loop of byte stores is not
 * merged into one by every compiler. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline void
ws__put_u32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof v);
}

static inline void
ws__put_u64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, sizeof v);
}
#else
static inline void
ws__put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline void
ws__put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}
#endif

static inline uint16_t
ws__get_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t
ws__get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t
ws__get_u64(const unsigned char *p)
{
	return (uint64_t)ws__get_u32(p) | (uint64_t)ws__get_u32(p + 4) << 32;
}

/* How many decimal digits n has (1 for 0), as ws__utoa writes them. */
int ws__decimal_digits(uint64_t n);
/* Decimal digits of n (no terminator, at most 20); returns their count. */
int ws__utoa(uint64_t n, char *digits);

/* LEB128 varints. get returns false when the bytes run out or overflow. */
size_t ws__put_varint(unsigned char *p, uint64_t v);
bool ws__get_varint(const unsigned char **p, const unsigned char *end,
		    uint64_t *v);
#define WS_VARINT_MAX 10

uint32_t ws__crc32(const void *p, size_t n);
/* The CRC-32 of the bytes that gave crc_so_far, followed by p[0..n). */
uint32_t ws__crc32_more(uint32_t crc_so_far, const void *p, size_t n);

/*
 * Runs fn(first) on the calling thread and fn(second) on a helper thread
 * at once, and returns when both are done; when no thread can be had,
 * fn(second) runs after fn(first). A NULL second is not run.
 */
void ws__run_pair(void *(*fn)(void *), void *first, void *second);

/* qsort that accepts an empty array (qsort(NULL, 0, ...) is undefined). */
void ws__sort(void *base, size_t n, size_t size,
	      int (*cmp)(const void *, const void *));

#endif
