/*
 * lost.c - STORE/lost+found: where bytes and files that no committed
 * state may use are kept instead of deleted. ws-reindex copies damaged
 * block ranges there and moves data files that no MANIFEST names there,
 * unread; ws-zones --summary and ws-reindex -v report what it holds.
 */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ws_status
ws__open_lost_dir(int dirfd, const char *store, int *fd, ws_error *err)
{
	*fd = -1;
	if (mkdirat(dirfd, WS_LOST_DIR, 0777) == 0) {
		ws_status rc = ws__fsync(dirfd, store, err);
		if (rc != WS_OK)
			return rc;
	} else if (errno != EEXIST) {
		return ws__errno(err, errno, "%s/%s: mkdir", store, WS_LOST_DIR);
	}
	*fd = openat(dirfd, WS_LOST_DIR,
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return ws__errno(err, errno, "%s/%s: open", store, WS_LOST_DIR);
	return WS_OK;
}

/*
 * How many names (name, name.1, ...) a file moved into lost+found tries:
 * more than any store piles up while someone looks at what is there.
 */
#define LOST_NAME_TRIES 1000

/* Links data/base into lost+found under its name, or name.1, name.2 ... */
static ws_status
link_into_lost(int datadirfd, int lostfd, const char *store,
	       const char *base, ws_error *err)
{
	char name[64];
	for (int k = 0; k < LOST_NAME_TRIES; k++) {
		if (k == 0)
			snprintf(name, sizeof name, "%s", base);
		else
			snprintf(name, sizeof name, "%s.%d", base, k);
		if (linkat(datadirfd, base, lostfd, name, 0) == 0)
			return WS_OK;
		if (errno != EEXIST)
			break;
	}
	return ws__errno(err, errno, "%s/data/%s: link into %s/%s", store,
			 base, store, WS_LOST_DIR);
}

/* Makes the moves durable: the new names first, then the removals. */
static ws_status
sync_moves(int datadirfd, int lostfd, const char *store, ws_error *err)
{
	char name[WS_PATH_SIZE];
	ws_status rc = ws__fsync(lostfd, ws__store_path(name, store, WS_LOST_DIR),
				 err);
	return rc == WS_OK ? ws__fsync(datadirfd,
				       ws__store_path(name, store, WS_DATA_DIR),
				       err)
			   : rc;
}

ws_status
ws__move_to_lost(int dirfd, int datadirfd, const char *store,
		 const uint32_t *ids, size_t n, ws_error *err)
{
	if (n == 0)
		return WS_OK;
	int lostfd;
	ws_status rc = ws__open_lost_dir(dirfd, store, &lostfd, err);
	for (size_t i = 0; rc == WS_OK && i < n; i++) {
		ws__name rel;
		ws__data_file(ids[i], &rel);
		rc = link_into_lost(datadirfd, lostfd, store, rel.base, err);
		if (rc == WS_OK && unlinkat(datadirfd, rel.base, 0) != 0)
			rc = ws__errno(err, errno, "%s/%s: remove", store,
				       rel.rel);
	}
	if (rc == WS_OK)
		rc = sync_moves(datadirfd, lostfd, store, err);
	if (lostfd >= 0)
		ws__close(lostfd);
	return rc;
}

/* Adds up the regular files directly in lost+found (see ws__lost_bytes). */
static ws_status
add_lost_entry(void *ctx, const char *entry, ws_error *err)
{
	struct { int fd; uint64_t bytes; } *sum = ctx;
	struct stat sb;
	(void)err;
	if (fstatat(sum->fd, entry, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(sb.st_mode))
		sum->bytes += (uint64_t)sb.st_size;
	return WS_OK;
}

ws_status
ws__lost_bytes(int dirfd, const char *store, uint64_t *bytes, ws_error *err)
{
	*bytes = 0;
	int fd = openat(dirfd, WS_LOST_DIR,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? WS_OK
				       : ws__errno(err, errno, "%s/%s: open",
						   store, WS_LOST_DIR);
	struct { int fd; uint64_t bytes; } sum = {fd, 0};
	char name[WS_PATH_SIZE];
	ws_status rc = ws__each_dir_entry(fd, ws__store_path(name, store,
							      WS_LOST_DIR),
					  add_lost_entry, &sum, err);
	ws__close(fd);
	*bytes = sum.bytes;
	return rc;
}
