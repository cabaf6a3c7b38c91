/*
 * store.c - opening a store, reading its blocks, and the commit sequence.
 *
 * Everything a reader loads at open is the manifest and the headers of
 * the index segments it names; the zone map stays on disk and is binary
 * searched. A commit appends blocks, fsyncs them, writes a new index
 * segment (merged with its smaller neighbours), and only then replaces the
 * manifest: a reader that sees the new manifest finds everything it names
 * already durable.
 */
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How often a reader retries when a writer removed a segment under it. */
#define SNAPSHOT_TRIES 50

static void
close_segments(ws_store *st)
{
	for (size_t i = 0; i < st->nsegs; i++)
		ws__segment_close(&st->segs[i]);
	free(st->segs);
	st->segs = NULL;
	st->nsegs = 0;
}

static void
close_data_fds(ws_store *st)
{
	for (size_t i = 0; i < st->ndata_fds; i++)
		if (st->data_fds[i] >= 0)
			ws__close(st->data_fds[i]);
	free(st->data_fds);
	st->data_fds = NULL;
	st->ndata_fds = 0;
	st->open_data = 0;
	st->evict_next = 0;
}

void
ws_store_close(ws_store *st)
{
	if (st == NULL)
		return;
	close_segments(st);
	close_data_fds(st);
	ws__manifest_free(&st->man);
	ws__cursor_free(st->get_cursor);
	if (st->dirfd >= 0)
		ws__close(st->dirfd);
	if (st->datadirfd >= 0)
		ws__close(st->datadirfd);
	if (st->indexdirfd >= 0)
		ws__close(st->indexdirfd);
	if (st->man_fd >= 0)
		ws__close(st->man_fd);
	free(st->path);
	free(st);
}

static ws_status
open_subdir(ws_store *st, const char *sub, int *fd, ws_error *err)
{
	*fd = openat(st->dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
	if (*fd < 0) {
		/* With a MANIFEST, a missing index/ is damage that a rebuild mends. */
		if (errno == ENOENT && strcmp(sub, WS_INDEX_DIR) == 0 &&
		    faccessat(st->dirfd, WS_MANIFEST, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			return ws__err(err, WS_ECORRUPT, "%s/%s: No such directory",
				       st->path, sub);
		if (errno == ENOENT)
			return ws__err(err, WS_EUSAGE,
				       "%s/%s: No such directory (not a "
				       "warmstore store?)",
				       st->path, sub);
		return ws__subdir_error(st->dirfd, st->path, sub, errno, err);
	}
	return WS_OK;
}

/*
 * Opens every segment the manifest names. ENOENT means a writer merged a
 * segment away after we read the manifest: the caller reloads.
 */
static ws_status
open_segments(ws_store *st, ws_error *err)
{
	st->segs = calloc(st->man.nsegs ? st->man.nsegs : 1, sizeof *st->segs);
	if (st->segs == NULL)
		return ws__err(err, WS_ENOMEM, "out of memory");
	for (size_t i = 0; i < st->man.nsegs; i++) {
		ws_status rc = ws__segment_open(st->indexdirfd, st->path,
						&st->man.segs[i], &st->segs[i],
						err);
		if (rc != WS_OK)
			return rc;
		st->nsegs++;
	}
	/* A writer's commits look up every series of a batch; a reader keeps
	 * what it maps, which many random gets read again (store.h). */
	if (st->writable)
		ws__segments_bound(&st->seg_pages, st->segs, st->nsegs);
	return WS_OK;
}

/*
 * A commit replaces the MANIFEST by a rename: while the inode is the one
 * held open, nothing was committed since. One fstatat keeps a
 * long-running reader current.
 */
ws_status
ws__store_refresh(ws_store *st, ws_error *err)
{
	struct stat now;
	if (st->man_fd >= 0 &&
	    fstatat(st->dirfd, WS_MANIFEST, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    now.st_ino == st->man_stat.st_ino && now.st_dev == st->man_stat.st_dev)
		return WS_OK;
	return ws__store_reload(st, err);
}

static ws_status check_empty_subdir(const ws_store *st, const char *sub,
				    ws_error *err);

/*
 * No MANIFEST: a store that lost it while data/ or index/ hold files
 * (the message says how to rebuild it), or no store at all.
 */
static ws_status
no_manifest(ws_store *st, ws_error *err)
{
	ws_status rc = check_empty_subdir(st, WS_DATA_DIR, err);
	if (rc == WS_OK)
		rc = check_empty_subdir(st, WS_INDEX_DIR, err);
	if (rc != WS_OK)
		return rc;
	return ws__err(err, WS_EUSAGE, "%s: not a warmstore store (no %s)",
		       st->path, WS_MANIFEST);
}

/*
 * Loads the MANIFEST and keeps it open (see ws_store), so that the inode
 * a refresh compares with is the one whose contents were loaded.
 */
static ws_status
load_held_manifest(ws_store *st, ws_error *err)
{
	if (st->man_fd >= 0)
		ws__close(st->man_fd);
	st->man_fd = ws__openat_regular(st->dirfd, WS_MANIFEST,
					O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (st->man_fd < 0)
		return errno == ENOENT ? no_manifest(st, err)
				       : ws__errno(err, errno, "%s/%s: open",
						   st->path, WS_MANIFEST);
	ws_status rc = fstat(st->man_fd, &st->man_stat) == 0
			       ? ws__manifest_load_fd(st->man_fd, &st->man_stat,
						      st->path, &st->man, err)
			       : ws__errno(err, errno, "%s/%s: stat", st->path,
					   WS_MANIFEST);
	if (rc != WS_OK) { /* no state held: the next refresh loads again */
		ws__close(st->man_fd);
		st->man_fd = -1;
	}
	return rc;
}

/* Closes an open data file other than keep, to stay within the bound. */
static void
evict_data_fd(ws_store *st, size_t keep)
{
	for (size_t n = 0; n < st->ndata_fds; n++) {
		size_t i = (st->evict_next + n) % st->ndata_fds;
		if (i != keep && st->data_fds[i] >= 0) {
			ws__close(st->data_fds[i]);
			st->data_fds[i] = -1;
			st->open_data--;
			st->evict_next = (i + 1) % st->ndata_fds;
			return;
		}
	}
}

/* Opens data file i of the snapshot if it is not open; 0 or an errno. */
static int
open_data_index(ws_store *st, size_t i)
{
	if (st->data_fds[i] >= 0)
		return 0;
	if (st->open_data >= st->max_open_data)
		evict_data_fd(st, i);
	ws__name rel;
	ws__data_file(st->man.data[i].id, &rel);
	st->data_fds[i] = ws__openat_regular(st->datadirfd, rel.base,
					     O_RDONLY | O_NOFOLLOW | O_CLOEXEC,
					     0);
	if (st->data_fds[i] < 0)
		return errno;
	st->open_data++;
	return 0;
}

/*
 * Opens every data file of the snapshot now, when they are few enough to
 * stay open (more are opened as queries need them, within the bound): a
 * compaction may remove the files of an older manifest, and an open
 * descriptor keeps a file readable after its removal. ENOENT means exactly that happened: the
 * caller loads the newer manifest, unless this was its last try, when
 * a missing file is left to fail with a message where a block needs it.
 * Any other failure to open is an error now.
 */
static ws_status
open_data_files(ws_store *st, bool last_try, ws_error *err)
{
	st->data_fds = malloc((st->man.ndata ? st->man.ndata : 1) * sizeof(int));
	if (st->data_fds == NULL)
		return ws__err(err, WS_ENOMEM, "out of memory");
	st->ndata_fds = st->man.ndata;
	for (size_t i = 0; i < st->ndata_fds; i++)
		st->data_fds[i] = -1;
	if (st->ndata_fds > st->max_open_data)
		return WS_OK;
	for (size_t i = 0; i < st->ndata_fds; i++) {
		int e = open_data_index(st, i);
		if (e == ENOENT)
			return last_try ? WS_OK : WS_NOTFOUND;
		if (e != 0) {
			ws__name rel;
			ws__data_file(st->man.data[i].id, &rel);
			return ws__errno(err, e, "%s/%s: open", st->path,
					 rel.rel);
		}
	}
	return WS_OK;
}

/*
 * A rebuild may have made index/ (or data/) anew since this handle opened
 * it: a long-running reader follows the directory now at that name. One
 * that is missing for now is left to fail where a file in it is opened.
 */
static ws_status
follow_subdir(ws_store *st, const char *sub, int *fd, ws_error *err)
{
	struct stat now, held;
	if (*fd < 0 || fstatat(st->dirfd, sub, &now, AT_SYMLINK_NOFOLLOW) != 0 ||
	    fstat(*fd, &held) != 0 ||
	    (now.st_ino == held.st_ino && now.st_dev == held.st_dev))
		return WS_OK;
	int fresh;
	ws_status rc = open_subdir(st, sub, &fresh, err);
	if (rc != WS_OK)
		return rc;
	ws__close(*fd);
	*fd = fresh;
	return WS_OK;
}

/*
 * Loads a consistent snapshot: a manifest, the segments it names and its
 * data files. A segment still missing after the last try is damage.
 */
ws_status
ws__store_reload(ws_store *st, ws_error *err)
{
	ws_status rc = WS_NOTFOUND;
	st->snapshot++;
	for (int tries = 0; tries < SNAPSHOT_TRIES && rc == WS_NOTFOUND; tries++) {
		close_segments(st);
		close_data_fds(st);
		ws__manifest_free(&st->man);
		/* A first try at open uses the directories just opened. */
		if (((st->snapshot > 1 || tries > 0) &&
		     ((rc = follow_subdir(st, WS_DATA_DIR, &st->datadirfd, err)) !=
			      WS_OK ||
		      (rc = follow_subdir(st, WS_INDEX_DIR, &st->indexdirfd,
					  err)) != WS_OK)) ||
		    (rc = load_held_manifest(st, err)) != WS_OK)
			return rc;
		rc = open_segments(st, err);
		if (rc == WS_OK)
			rc = open_data_files(st, tries == SNAPSHOT_TRIES - 1, err);
	}
	if (rc == WS_NOTFOUND) {
		rc = WS_ECORRUPT; /* the message names the missing file */
		if (err != NULL)
			err->code = rc;
	}
	return rc;
}

/* A file name found in the store, escaped for a message. */
static const char *
shown_entry(const char *entry, char shown[WS__SHOWN_SIZE])
{
	return ws__shown_text(entry, strlen(entry), shown);
}

/* The first entry of a subdirectory that should be empty stops the walk. */
static ws_status
refuse_entry(void *ctx, const char *entry, ws_error *err)
{
	char shown[WS__SHOWN_SIZE];
	const char *const *where = ctx; /* {store path, subdirectory} */
	return ws__err(err, WS_EUSAGE,
		       "%s: no MANIFEST, but %s/ holds '%s': run 'ws-reindex %s' "
		       "to rebuild the manifest from the data files",
		       where[0], where[1], shown_entry(entry, shown), where[0]);
}

/*
 * data/ or index/ of a half-made store: a creation cut short leaves them
 * empty. Files in them mean a store that lost its MANIFEST: creating a
 * fresh one over it would drop (and then overwrite) committed data.
 */
static ws_status
check_empty_subdir(const ws_store *st, const char *sub, ws_error *err)
{
	int fd = openat(st->dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					       O_CLOEXEC);
	if (fd < 0)
		return ws__err(err, WS_EUSAGE,
			       "%s: directory exists and is not a warmstore "
			       "store (found '%s')",
			       st->path, sub);
	const char *where[] = {st->path, sub};
	char name[WS_PATH_SIZE];
	ws__store_path(name, st->path, sub);
	ws_status rc = ws__each_dir_entry(fd, name, refuse_entry, where, err);
	ws__close(fd);
	return rc;
}

/* An entry of a directory we may turn into a store: part of a half-made one. */
static ws_status
creatable_entry(void *ctx, const char *entry, ws_error *err)
{
	char shown[WS__SHOWN_SIZE];
	const ws_store *st = ctx;
	static const char *const ok[] = {"lock", WS_MANIFEST ".tmp"};
	if (strcmp(entry, WS_DATA_DIR) == 0 || strcmp(entry, WS_INDEX_DIR) == 0)
		return check_empty_subdir(st, entry, err);
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strcmp(entry, ok[i]) == 0)
			return WS_OK;
	return ws__err(err, WS_EUSAGE,
		       "%s: directory exists and is not a warmstore store "
		       "(found '%s')",
		       st->path, shown_entry(entry, shown));
}

/* A directory we may turn into a store: empty, or a half-made store. */
static ws_status
check_creatable(ws_store *st, ws_error *err)
{
	return ws__each_dir_entry(st->dirfd, st->path, creatable_entry, st, err);
}

static ws_status
make_subdir(ws_store *st, const char *sub, ws_error *err)
{
	if (mkdirat(st->dirfd, sub, 0777) != 0 && errno != EEXIST)
		return ws__errno(err, errno, "%s/%s: mkdir", st->path, sub);
	return WS_OK;
}

/*
 * The entry of a new store directory is durable only once the directory
 * holding it is fsynced (an empty directory adopted may be just as new).
 */
static ws_status
sync_parent(ws_store *st, ws_error *err)
{
	char name[4200];
	snprintf(name, sizeof name, "%s/..", st->path);
	int fd = openat(st->dirfd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ws__errno(err, errno, "%s: open", name);
	ws_status rc = ws__fsync(fd, name, err);
	ws__close(fd);
	return rc;
}

/* Creates the directory, data/, index/ and an empty manifest, under the lock. */
static ws_status
create_store(ws_store *st, ws_error *err)
{
	int lockfd;
	ws_status rc = ws__lock_acquire(st->dirfd, st->path, &lockfd, err);
	if (rc != WS_OK)
		return rc;
	if (faccessat(st->dirfd, WS_MANIFEST, F_OK, AT_SYMLINK_NOFOLLOW) != 0) {
		ws_manifest m;
		ws__manifest_init(&m);
		if ((rc = check_creatable(st, err)) == WS_OK &&
		    (rc = make_subdir(st, WS_DATA_DIR, err)) == WS_OK &&
		    (rc = make_subdir(st, WS_INDEX_DIR, err)) == WS_OK &&
		    (rc = ws__fsync(st->dirfd, st->path, err)) == WS_OK &&
		    (rc = sync_parent(st, err)) == WS_OK)
			rc = ws__manifest_save(st->dirfd, st->path, &m, err);
	}
	ws__lock_release(&lockfd);
	return rc;
}

static ws_status
open_dir(ws_store *st, bool create, ws_error *err)
{
	if (create && mkdir(st->path, 0777) != 0 && errno != EEXIST)
		return ws__errno(err, errno, "%s: mkdir", st->path);
	st->dirfd = open(st->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dirfd < 0)
		return ws__errno(err, errno, "%s", st->path);
	return WS_OK;
}

ws_status
ws_store_open(const char *path, int flags, ws_store **out, ws_error *err)
{
	*out = NULL;
	ws_store *st = calloc(1, sizeof *st);
	if (st == NULL || (st->path = strdup(path)) == NULL) {
		free(st);
		return ws__err(err, WS_ENOMEM, "out of memory");
	}
	st->dirfd = st->datadirfd = st->indexdirfd = st->man_fd = -1;
	st->writable = flags & WS_OPEN_WRITE;
	st->max_open_data = ws__data_fd_bound();
	ws_status rc = open_dir(st, st->writable, err);
	if (rc == WS_OK && st->writable)
		rc = create_store(st, err);
	if (rc == WS_OK)
		rc = open_subdir(st, WS_DATA_DIR, &st->datadirfd, err);
	if (rc == WS_OK)
		rc = open_subdir(st, WS_INDEX_DIR, &st->indexdirfd, err);
	if (rc == WS_OK)
		rc = ws__store_reload(st, err);
	if (rc != WS_OK) {
		ws_store_close(st);
		return rc;
	}
	*out = st;
	return WS_OK;
}

/* --- reading blocks -------------------------------------------------- */

ws_status
ws__store_data_fd(ws_store *st, uint32_t id, int *fd, ws_error *err)
{
	for (size_t i = 0; i < st->man.ndata; i++) {
		if (st->man.data[i].id != id)
			continue;
		int e = open_data_index(st, i);
		if (e != 0) {
			ws__name rel;
			ws__data_file(id, &rel);
			return ws__errno(err, e, "%s/%s: open", st->path,
					 rel.rel);
		}
		*fd = st->data_fds[i];
		return WS_OK;
	}
	return ws__err(err, WS_ECORRUPT,
		       "%s/%s: index names data file %" PRIu32
		       " that the manifest does not list",
		       st->path, WS_MANIFEST, id);
}

bool
ws__store_reads_shared(const ws_store *st)
{
	return st->open_data == st->ndata_fds;
}

static bool
head_matches_zone(const ws_block_head *h, const ws_zone *z)
{
	ws_zone of_head = ws__zone_of_block(h, z->file, z->offset);
	return ws__zone_same_block(&of_head, z);
}

/* "STORE/data/FILE: offset N", where messages about a block point. */
static void
block_where(const ws_store *st, const ws_zone *z, ws__name *rel,
	    char where[WS_PATH_SIZE])
{
	ws__data_file(z->file, rel);
	ws__store_offset(where, st->path, rel->rel, z->offset);
}

ws_status
ws__store_block_rows(const ws_store *st, const ws_zone *z, ws_block *blk,
		     size_t lo, size_t hi, ws_error *err)
{
	if (blk->vec_lo <= lo && hi <= blk->vec_hi)
		return WS_OK;
	char where[WS_PATH_SIZE];
	ws__name rel;
	block_where(st, z, &rel, where);
	return ws__block_rows(blk, lo, hi, where, err);
}

ws_status
ws__store_read_block(ws_store *st, const ws_zone *z, ws_block *blk,
		     ws_error *err)
{
	char where[WS_PATH_SIZE];
	ws__name rel;
	block_where(st, z, &rel, where);
	const ws_datafile_ref *ref = ws__manifest_datafile(&st->man, z->file);
	if (ref != NULL &&
	    (z->offset > ref->length || z->bytes > ref->length - z->offset))
		return ws__err(err, WS_ECORRUPT,
			       "%s: block runs past the committed length %" PRIu64,
			       where, ref->length);
	int fd;
	ws_status rc = ws__store_data_fd(st, z->file, &fd, err);
	if (rc != WS_OK)
		return rc;
	/* The block's old bytes go now: nothing may decode rows from them. */
	blk->dec.ready = false;
	blk->vec_lo = blk->vec_hi = 0;
	if (ws__grow(&blk->stored, &blk->cap_stored, z->bytes, 1, err) != WS_OK)
		return WS_ENOMEM;
	char fname[WS_PATH_SIZE];
	ws__store_path(fname, st->path, rel.rel);
	if ((rc = ws__pread_exact(fd, blk->stored, z->bytes, (off_t)z->offset,
				  fname, err)) != WS_OK)
		return rc;
	st->blocks_read++;
	ws_block_head h;
	if ((rc = ws__block_parse_head(blk->stored, &h, where, err)) != WS_OK)
		return rc;
	if (!head_matches_zone(&h, z))
		return ws__err(err, WS_ECORRUPT,
			       "%s: block does not match its index record", where);
	return ws__block_open(&h, blk->stored + WS_BLOCK_HEADER, blk, where, err);
}
