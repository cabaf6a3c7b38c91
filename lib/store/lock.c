/*
 * lock.c - the writer lock: an flock(2) on the store directory itself.
 * Writers wait for each other; readers never take it. The kernel drops
 * the lock when a writer dies, so a crash leaves no stale lock behind.
 *
 * Why the directory and not a lock file: a lock file can be removed by
 * someone who takes it for stale, and the next writer would then lock a
 * new file while the first still writes. A directory that holds the
 * store cannot go away under its writers.
 */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

ws_status
ws__lock_acquire(int dirfd, const char *store, int *fd, ws_error *err)
{
	/*
	 * A descriptor of its own, so that closing it ends the lock while
	 * the store stays open: a writer holds the lock for one commit, not
	 * for as long as it runs. Read access suffices, so ws-reindex
	 * --check works on a read-only store.
	 */
	*fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return ws__errno(err, errno, "%s: open", store);
	while (flock(*fd, LOCK_EX) != 0) {
		if (errno == EINTR)
			continue;
		ws_status rc = ws__errno(err, errno, "%s: flock", store);
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
