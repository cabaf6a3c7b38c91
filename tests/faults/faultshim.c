/*
 * faultshim.c - an LD_PRELOAD library, built only for the tests, that
 * makes one chosen system call of a warmstore program fail, so that
 * tests/faults.bats can check every step of a commit against I/O errors.
 *
 * Environment:
 *   FAULT_CALL   which call to fail: write, pwrite, fsync, fdatasync,
 *                rename (also renameat, renameat2), ftruncate, openat, or
 *                read (of standard input only: a failing input stream)
 *                (pwrite64, ftruncate64 and openat64 count as their
 *                short names); each name has a counter of its own.
 *   FAULT_NTH    fail the Nth call of that name (1-based); unset or 0:
 *                fail nothing, only count.
 *   FAULT_REPEAT 1: fail every call from the Nth on (a disk that stays
 *                full), not only the Nth.
 *   FAULT_ERRNO  ENOSPC, EIO, EDQUOT, EROFS, EINTR or a number (default
 *                EIO): the errno of the failed call.
 *   FAULT_SHORT  1: instead of failing, a write or pwrite writes only
 *                half of what it was asked (at least one byte) and
 *                returns that, as a full disk or a signal may make it do:
 *                the caller must loop.
 *   FAULT_KILL   1: instead of failing the chosen call, the process
 *                kills itself with SIGKILL just before it (a crash
 *                between two steps of a commit).
 *   FAULT_LOG    a file to which every counted call is appended as
 *                "NAME N" (N its number), and a failed one as
 *                "NAME N failed": tests learn from it how many calls of
 *                each kind a commit makes.
 * Writes to descriptors 0, 1 and 2 are neither counted nor failed, so
 * that the program can still report the failure on stderr.
 */
#define _GNU_SOURCE 1

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* The calls the shim knows, each with its own counter. */
enum call { C_WRITE, C_PWRITE, C_FSYNC, C_FDATASYNC, C_RENAME, C_FTRUNCATE,
	    C_OPENAT, C_READ, C_NCALLS };
static const char *const call_names[C_NCALLS] = {
	"write", "pwrite", "fsync", "fdatasync", "rename", "ftruncate",
	"openat", "read"};
static unsigned long counts[C_NCALLS];

static int
fault_errno(void)
{
	static const struct {
		const char *name;
		int value;
	} names[] = {{"ENOSPC", ENOSPC}, {"EIO", EIO}, {"EDQUOT", EDQUOT},
		     {"EROFS", EROFS}, {"EINTR", EINTR}};
	const char *s = getenv("FAULT_ERRNO");
	if (s == NULL || *s == '\0')
		return EIO;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].value;
	int v = atoi(s);
	return v > 0 ? v : EIO;
}

static void
log_call(enum call c, unsigned long n, const char *what)
{
	const char *path = getenv("FAULT_LOG");
	if (path == NULL || *path == '\0')
		return;
	char line[64];
	int len = snprintf(line, sizeof line, "%s %lu%s\n", call_names[c], n,
			   what);
	/* The real write, through a descriptor of its own. */
	static ssize_t (*real_write)(int, const void *, size_t);
	if (real_write == NULL)
		real_write = (ssize_t(*)(int, const void *, size_t))dlsym(
			RTLD_NEXT, "write");
	static int (*real_open)(const char *, int, ...);
	if (real_open == NULL)
		real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT,
								   "open");
	int fd = real_open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			   0666);
	if (fd >= 0) {
		(void)real_write(fd, line, (size_t)len);
		close(fd);
	}
}

/*
 * Counts a call of kind c and says what to do with it: 0 run it, 1 fail
 * it (errno set), 2 make it short (writes only).
 */
static int
decide(enum call c)
{
	int saved = errno;
	unsigned long n = ++counts[c];
	const char *which = getenv("FAULT_CALL");
	const char *nth = getenv("FAULT_NTH");
	unsigned long want = nth ? strtoul(nth, NULL, 10) : 0;
	int act = 0;
	if (which != NULL && strcmp(which, call_names[c]) == 0 && want > 0 &&
	    (n == want || (n > want && getenv("FAULT_REPEAT") != NULL &&
			   strcmp(getenv("FAULT_REPEAT"), "1") == 0))) {
		const char *s = getenv("FAULT_SHORT");
		act = s != NULL && strcmp(s, "1") == 0 &&
				      (c == C_WRITE || c == C_PWRITE)
			      ? 2
			      : 1;
	}
	log_call(c, n, act == 1 ? " failed" : act == 2 ? " short" : "");
	const char *kill_it = getenv("FAULT_KILL");
	if (act != 0 && kill_it != NULL && strcmp(kill_it, "1") == 0)
		raise(SIGKILL);
	errno = act == 1 ? fault_errno() : saved;
	return act;
}

#define REAL(type, name, args)                                                \
	static type(*real) args;                                              \
	if (real == NULL)                                                     \
		real = (type(*) args)dlsym(RTLD_NEXT, name)

/* A short write: half of it, at least one byte. */
static size_t
short_len(size_t n)
{
	return n > 1 ? n / 2 : n;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	REAL(ssize_t, "write", (int, const void *, size_t));
	if (fd > 2 && n > 0) {
		int act = decide(C_WRITE);
		if (act == 1)
			return -1;
		if (act == 2)
			n = short_len(n);
	}
	return real(fd, buf, n);
}

/* Only reads of standard input count: the store's own reads never fail. */
ssize_t
read(int fd, void *buf, size_t n)
{
	REAL(ssize_t, "read", (int, void *, size_t));
	if (fd == 0 && n > 0 && decide(C_READ) == 1)
		return -1;
	return real(fd, buf, n);
}

static ssize_t
do_pwrite(const char *name, int fd, const void *buf, size_t n, off_t off)
{
	REAL(ssize_t, name, (int, const void *, size_t, off_t));
	if (fd > 2 && n > 0) {
		int act = decide(C_PWRITE);
		if (act == 1)
			return -1;
		if (act == 2)
			n = short_len(n);
	}
	return real(fd, buf, n, off);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return do_pwrite("pwrite", fd, buf, n, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	return do_pwrite("pwrite64", fd, buf, n, off);
}

int
fsync(int fd)
{
	REAL(int, "fsync", (int));
	if (decide(C_FSYNC))
		return -1;
	return real(fd);
}

int
fdatasync(int fd)
{
	REAL(int, "fdatasync", (int));
	if (decide(C_FDATASYNC))
		return -1;
	return real(fd);
}

int
rename(const char *from, const char *to)
{
	REAL(int, "rename", (const char *, const char *));
	if (decide(C_RENAME))
		return -1;
	return real(from, to);
}

int
renameat(int fromdir, const char *from, int todir, const char *to)
{
	REAL(int, "renameat", (int, const char *, int, const char *));
	if (decide(C_RENAME))
		return -1;
	return real(fromdir, from, todir, to);
}

int
renameat2(int fromdir, const char *from, int todir, const char *to,
	  unsigned flags)
{
	REAL(int, "renameat2",
	     (int, const char *, int, const char *, unsigned));
	if (decide(C_RENAME))
		return -1;
	return real(fromdir, from, todir, to, flags);
}

static int
do_ftruncate(const char *name, int fd, off_t len)
{
	REAL(int, name, (int, off_t));
	if (decide(C_FTRUNCATE))
		return -1;
	return real(fd, len);
}

int
ftruncate(int fd, off_t len)
{
	return do_ftruncate("ftruncate", fd, len);
}

int
ftruncate64(int fd, off_t len)
{
	return do_ftruncate("ftruncate64", fd, len);
}

static int
do_openat(const char *name, int dir, const char *path, int flags,
	  va_list ap)
{
	REAL(int, name, (int, const char *, int, ...));
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE))
		mode = (mode_t)va_arg(ap, int);
	if (decide(C_OPENAT))
		return -1;
	return real(dir, path, flags, mode);
}

int
openat(int dir, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int fd = do_openat("openat", dir, path, flags, ap);
	va_end(ap);
	return fd;
}

int
openat64(int dir, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int fd = do_openat("openat64", dir, path, flags, ap);
	va_end(ap);
	return fd;
}
