/*
 * lock.c - the writer lock: an flock(2) on STORE/lock. Writers wait for
 * each other; readers never take it. The kernel drops the lock when a
 * writer dies, so a crash leaves no stale lock behind.
 */
#include "ws_private.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#define LOCK_FILE "lock"

ws_status
ws__lock_acquire(int dirfd, const char *store, int *fd, ws_error *err)
{
	*fd = openat(dirfd, LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		     0666);
	if (*fd < 0)
		return ws__errno(err, errno, "%s/%s: open", store, LOCK_FILE);
	while (flock(*fd, LOCK_EX) != 0) {
		if (errno == EINTR)
			continue;
		ws_status rc = ws__errno(err, errno, "%s/%s: flock", store,
					 LOCK_FILE);
		ws__close(*fd);
		*fd = -1;
		return rc;
	}
	return WS_OK;
}

void
ws__lock_release(int *fd)
{
	if (*fd >= 0)
		ws__close(*fd); /* closing the descriptor drops the flock */
	*fd = -1;
}
