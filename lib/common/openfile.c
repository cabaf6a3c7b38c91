/*
 * openfile.c - opening a file of the store without waiting on it: a FIFO
 * (or a device) put where a store file belongs would block open() or the
 * first read forever. Such a file is refused, and the message names it.
 */
#include "common/common.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* After an open that failed with e: WS__ENOTREG when rel is no regular file. */
static int
open_errno(int dirfd, const char *rel, int e)
{
	struct stat sb;
	/* A FIFO opened for writing only, without a reader, gives ENXIO. */
	if (e == ENXIO && fstatat(dirfd, rel, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISREG(sb.st_mode))
		return WS__ENOTREG;
	return e;
}

int
ws__openat_regular(int dirfd, const char *rel, int flags, mode_t mode)
{
	int fd = openat(dirfd, rel, flags | O_NONBLOCK, mode);
	if (fd < 0) {
		errno = open_errno(dirfd, rel, errno);
		return -1;
	}
	struct stat sb;
	int e = 0;
	/*
	 * F_SETFL changes only the file status flags (O_APPEND, O_NONBLOCK
	 * ...), so the caller's flags restore them without an F_GETFL.
	 */
	if (fstat(fd, &sb) != 0)
		e = errno;
	else if (!S_ISREG(sb.st_mode))
		e = WS__ENOTREG;
	else if (fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
		e = errno;
	if (e != 0) {
		ws__close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A quarter of the limit leaves the rest to the program; 128 is plenty. */
#define DATA_FD_SHARE 4
#define DATA_FD_MAX 128

size_t
ws__data_fd_bound(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur / DATA_FD_SHARE >= DATA_FD_MAX)
		return DATA_FD_MAX;
	return rl.rlim_cur < DATA_FD_SHARE ? 1 : rl.rlim_cur / DATA_FD_SHARE;
}
