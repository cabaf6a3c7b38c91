/*
 * reindex.c - rebuilding the derived files of a store (index segments,
 * MANIFEST) from its data files, verifying every block on the way, and
 * checking that the derived files agree with the data.
 *
 * One pass does both jobs: under the writer lock it scans every data
 * file block by block, works out the zone map and manifest the data
 * imply, and compares them with what is on disk. --check stops there
 * and reports; a repair writes only when something differs, so running
 * it twice changes nothing the second time.
 *
 * What the scan trusts: the MANIFEST only when it loads cleanly, and
 * then only for the committed length of each data file (bytes past it
 * belong to a writer that never committed) and for the ranges an
 * earlier repair moved aside. Index segments are never trusted: they are
 * compared with the blocks, never used to find them. A block that fails
 * a check is copied to STORE/lost+found and recorded in the MANIFEST as
 * quarantined, never deleted; a partial block at the end of the data is
 * a torn tail, saved the same way and cut off.
 */
#include "repair/repair.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Window of the search for the next block after a damaged header. */
#define RESYNC_WINDOW (1u << 20)
#define COPY_CHUNK (1u << 20)

/* One data file as found on disk and in the MANIFEST. */
typedef struct rx_file {
	uint32_t id;
	bool on_disk;       /* a regular file in data/ */
	bool listed;        /* named by a MANIFEST that loaded cleanly */
	bool cut;           /* a torn tail is to be truncated away */
	bool leftover;      /* on disk, named by no sound MANIFEST: not read */
	uint64_t committed; /* its length in that MANIFEST */
	uint64_t size;      /* on disk */
	uint64_t end;       /* the scan stops here */
	uint64_t length;    /* committed length after the rebuild */
	uint64_t record_end; /* where its last commit record ends */
} rx_file;

/* Bytes to copy to lost+found before anything is changed. */
typedef struct rx_salvage {
	uint32_t id;
	uint64_t offset, length;
} rx_salvage;

/* An index record as found, with where it came from for messages. */
typedef struct rx_record {
	ws_zone z;
	const char *seg; /* "index/....wsi" */
	uint64_t i;
} rx_record;

typedef struct reindex {
	const char *path;
	const ws_reindex_opts *o;
	ws_reindex_stats *stats;
	int dirfd, datadirfd, indexdirfd;
	ws_manifest old; /* as loaded; valid when old_ok */
	bool old_ok;
	ws_manifest neu; /* what the data imply */
	size_t cap_quar, cap_data;
	rx_file *files;
	size_t nfiles, cap_files;
	ws_zone *zones; /* every verified block, in (file, offset) order */
	size_t nzones, cap_zones;
	ws__retention *rets; /* every verified retention block's record */
	size_t nrets, cap_rets;
	ws_commit_record *commits; /* every sound commit record */
	size_t ncommits, cap_commits;
	rx_salvage *salv;
	size_t nsalv, cap_salv;
	uint64_t *orphans; /* segment files no MANIFEST names */
	size_t norphans, cap_orphans;
	ws_segment *segs; /* the old index, opened for comparison */
	size_t nsegs;
	bool index_bad; /* the index must be written anew */
	uint64_t max_seq, max_seg_id;
	ws_block blk;
	unsigned char *buf, *win;
	size_t cap_buf;
	uint64_t done, total; /* progress, in bytes of data */
	/*
	 * A repair's messages, held until its actions are done: a message
	 * says what was done, so it is not given before (see report_held).
	 */
	struct held_problem {
		enum ws_problem_kind kind;
		char *msg;
		bool orphan; /* done once the stray segments are removed */
	} *held;
	size_t nheld, cap_held;
	bool noting_orphan;   /* the problem being reported is a stray segment */
	bool orphans_removed; /* remove_orphan_segments succeeded */
	int fd; /* the data file being scanned */
	char fname[WS_PATH_SIZE];
	char lost_dir[WS_PATH_SIZE]; /* "STORE/lost+found", for messages */
} reindex;

/* --- reporting ----------------------------------------------------- */

static void
problem(reindex *rx, enum ws_problem_kind kind, const char *fmt, ...)
	WS_PRINTF(3, 4);

static void
problem(reindex *rx, enum ws_problem_kind kind, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (kind == WS_PROBLEM_LEFTOVER)
		rx->stats->leftovers++;
	else
		rx->stats->problems++;
	if (kind == WS_PROBLEM_DAMAGE)
		rx->stats->damage++;
	if (rx->o->on_problem == NULL)
		return;
	char *copy = rx->o->check ? NULL : strdup(msg);
	if (copy != NULL &&
	    ws__grow(&rx->held, &rx->cap_held, rx->nheld + 1, sizeof *rx->held,
		     NULL) == WS_OK) {
		rx->held[rx->nheld++] =
			(struct held_problem){kind, copy, rx->noting_orphan};
		return;
	}
	free(copy);
	rx->o->on_problem(rx->o->ctx, kind, msg);
}

/*
 * Gives the held messages of a repair, once its actions are done (or,
 * after a failure, with a word that they were not all done).
 */
static void
report_held(reindex *rx, bool done)
{
	for (size_t i = 0; i < rx->nheld; i++) {
		char msg[2200];
		bool was_done = done || (rx->held[i].orphan && rx->orphans_removed);
		snprintf(msg, sizeof msg, "%s%s", rx->held[i].msg,
			 was_done ? "" : " (not done: the repair stopped)");
		rx->o->on_problem(rx->o->ctx, rx->held[i].kind, msg);
		free(rx->held[i].msg);
	}
	free(rx->held);
	rx->held = NULL;
	rx->nheld = rx->cap_held = 0;
}

/* The repair's part of a message: empty under --check. */
static const char *
act(const reindex *rx, const char *what)
{
	return rx->o->check ? "" : what;
}

static void
progress(reindex *rx, uint64_t bytes)
{
	rx->done += bytes;
	if (rx->o->on_progress != NULL)
		rx->o->on_progress(rx->o->ctx, rx->done, rx->total);
}

static void
data_path(const reindex *rx, uint32_t id, char *buf, size_t n)
{
	ws__name rel;
	ws__data_file(id, &rel);
	snprintf(buf, n, "%s/%s", rx->path, rel.rel);
}

/* "00000001.wsd.4096": lost+found name of bytes at offset of a file. */
static void
lost_name(uint32_t id, uint64_t off, char *buf, size_t n)
{
	ws__name rel;
	ws__data_file(id, &rel);
	snprintf(buf, n, "%s.%" PRIu64, rel.base, off);
}

/* --- opening ------------------------------------------------------- */

static ws_status
open_subdir(reindex *rx, const char *sub, int *fd, bool create,
	    ws_error *err)
{
	*fd = openat(rx->dirfd, sub,
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd >= 0)
		return WS_OK;
	if (errno != ENOENT)
		return ws__subdir_error(rx->dirfd, rx->path, sub, errno, err);
	if (!create)
		return WS_NOTFOUND;
	if (mkdirat(rx->dirfd, sub, 0777) != 0)
		return ws__errno(err, errno, "%s/%s: mkdir", rx->path, sub);
	ws_status rc = ws__fsync(rx->dirfd, rx->path, err);
	return rc == WS_OK ? open_subdir(rx, sub, fd, false, err) : rc;
}

static ws_status
open_store(reindex *rx, ws_error *err)
{
	rx->dirfd = open(rx->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rx->dirfd < 0)
		return ws__errno(err, errno, "%s", rx->path);
	ws_status rc = open_subdir(rx, WS_DATA_DIR, &rx->datadirfd, false, err);
	if (rc == WS_NOTFOUND)
		return ws__err(err, WS_ECORRUPT,
			       "%s/data: No such directory (not a warmstore "
			       "store?)",
			       rx->path);
	return rc;
}

/* The index directory is derived: a repair makes it again. */
static ws_status
open_index_dir(reindex *rx, ws_error *err)
{
	ws_status rc = open_subdir(rx, WS_INDEX_DIR, &rx->indexdirfd,
				   !rx->o->check, err);
	if (rc == WS_NOTFOUND) {
		problem(rx, WS_PROBLEM_DERIVED, "%s/index: No such directory",
			rx->path);
		rx->index_bad = true;
		return WS_OK;
	}
	return rc;
}

static ws_status
load_manifest(reindex *rx, ws_error *err)
{
	ws_error why;
	ws_status rc = ws__manifest_load(rx->dirfd, rx->path, &rx->old, &why);
	if (rc == WS_OK) {
		rx->old_ok = true;
		return WS_OK;
	}
	if (rc != WS_NOTFOUND && rc != WS_ECORRUPT) {
		*err = why;
		return rc;
	}
	/* Untrusted from here on: every data file counts whole. */
	problem(rx, WS_PROBLEM_DERIVED, "%s%s", why.msg,
		act(rx, "; rebuilt from the data files"));
	ws__manifest_init(&rx->old);
	rx->index_bad = true;
	return WS_OK;
}

/* --- the data files on disk ---------------------------------------- */

/* The id of a name of the form NNNNNNNN.wsd, or 0. */
static uint32_t
data_file_id(const char *name)
{
	uint64_t id;
	if (strlen(name) != 12 || strcmp(name + 8, ".wsd") != 0 ||
	    !ws_parse_u64(name, 8, &id) || name[0] == '-' || id == 0)
		return 0;
	return (uint32_t)id;
}

static rx_file *
find_file(reindex *rx, uint32_t id)
{
	for (size_t i = 0; i < rx->nfiles; i++)
		if (rx->files[i].id == id)
			return &rx->files[i];
	return NULL;
}

static ws_status
add_file(reindex *rx, uint32_t id, rx_file **out, ws_error *err)
{
	if (ws__grow(&rx->files, &rx->cap_files, rx->nfiles + 1,
		     sizeof *rx->files, err) != WS_OK)
		return WS_ENOMEM;
	*out = &rx->files[rx->nfiles++];
	**out = (rx_file){.id = id};
	return WS_OK;
}

static ws_status
note_data_entry(void *ctx, const char *name, ws_error *err)
{
	reindex *rx = ctx;
	uint32_t id = data_file_id(name);
	if (id == 0)
		return WS_OK; /* not ours: left alone */
	struct stat sb;
	if (fstatat(rx->datadirfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return ws__errno(err, errno, "%s/data/%s", rx->path, name);
	if (!S_ISREG(sb.st_mode)) {
		problem(rx, WS_PROBLEM_DAMAGE,
			"%s/data/%s: not a regular file; ignored", rx->path,
			name);
		return WS_OK;
	}
	rx_file *f;
	if (add_file(rx, id, &f, err) != WS_OK)
		return WS_ENOMEM;
	f->on_disk = true;
	f->size = (uint64_t)sb.st_size;
	return WS_OK;
}

static ws_status
list_data_dir(reindex *rx, ws_error *err)
{
	char name[WS_PATH_SIZE];
	ws__store_path(name, rx->path, WS_DATA_DIR);
	return ws__each_dir_entry(rx->datadirfd, name, note_data_entry, rx, err);
}

static int
file_cmp(const void *pa, const void *pb)
{
	const rx_file *a = pa, *b = pb;
	return a->id < b->id ? -1 : a->id > b->id;
}

/*
 * A data file a sound MANIFEST does not name: what a commit or compaction
 * that died before its MANIFEST wrote (the next writer removes those), or
 * the files a compaction replaced when it died before removing them. No
 * committed state reads it; a repair moves it to lost+found, unread.
 */
static void
note_leftover(reindex *rx, rx_file *f, const char *name)
{
	f->leftover = true;
	problem(rx, WS_PROBLEM_LEFTOVER,
		"%s: a data file the MANIFEST does not name, left by a commit "
		"or compaction cut short%s%s",
		name, act(rx, "; moved to "), act(rx, rx->lost_dir));
}

/* Where the scan of each file ends, from the MANIFEST if it is sane. */
static ws_status
plan_files(reindex *rx, ws_error *err)
{
	for (size_t i = 0; rx->old_ok && i < rx->old.ndata; i++) {
		const ws_datafile_ref *ref = &rx->old.data[i];
		rx_file *f = find_file(rx, ref->id);
		if (f == NULL && add_file(rx, ref->id, &f, err) != WS_OK)
			return WS_ENOMEM;
		f->listed = true;
		f->committed = ref->length;
	}
	ws__sort(rx->files, rx->nfiles, sizeof *rx->files, file_cmp);
	for (size_t i = 0; i < rx->nfiles; i++) {
		rx_file *f = &rx->files[i];
		char name[WS_PATH_SIZE];
		data_path(rx, f->id, name, sizeof name);
		if (!f->on_disk && f->listed)
			problem(rx,
				f->committed ? WS_PROBLEM_DAMAGE
					     : WS_PROBLEM_DERIVED,
				"%s: missing, but the MANIFEST gives it %" PRIu64
				" committed bytes",
				name, f->committed);
		if (f->listed)
			f->end = f->committed < f->size ? f->committed : f->size;
		else if (!rx->old_ok)
			f->end = f->size;
		else
			note_leftover(rx, f, name);
		rx->total += f->end;
	}
	return WS_OK;
}

/* --- verifying blocks ---------------------------------------------- */

enum blk_result {
	BLK_OK,   /* a whole block that verifies */
	BLK_TORN, /* the data ends inside it */
	BLK_BAD   /* damaged: why says how */
};

/*
 * Checks the block at off of the current file: header, payload CRC and
 * a full decode. *head_ok tells whether the header alone was sound, so
 * that the caller knows where the block ends.
 */
static ws_status
check_block(reindex *rx, uint64_t off, uint64_t end, ws_block_head *h,
	    bool *head_ok, enum blk_result *res, ws_error *why, ws_error *err)
{
	char where[WS_WHERE_SIZE];
	unsigned char head[WS_BLOCK_HEADER];
	snprintf(where, sizeof where, "%s: offset %" PRIu64, rx->fname, off);
	*head_ok = false;
	*res = BLK_TORN;
	if (end - off < WS_BLOCK_HEADER)
		return WS_OK;
	ws_status rc = ws__pread_exact(rx->fd, head, sizeof head, (off_t)off,
				       rx->fname, err);
	if (rc != WS_OK)
		return rc;
	*res = BLK_BAD;
	if (ws__block_parse_head(head, h, where, why) != WS_OK)
		return WS_OK;
	*head_ok = true;
	*res = BLK_TORN;
	if (h->stored_len > end - off - WS_BLOCK_HEADER)
		return WS_OK;
	if (ws__grow(&rx->buf, &rx->cap_buf, h->stored_len, 1, err) != WS_OK)
		return WS_ENOMEM;
	rc = ws__pread_exact(rx->fd, rx->buf, h->stored_len,
			     (off_t)(off + WS_BLOCK_HEADER), rx->fname, err);
	if (rc != WS_OK)
		return rc;
	rc = ws__block_decode(h, rx->buf, &rx->blk, where, why);
	if (rc == WS_ENOMEM) {
		*err = *why;
		return rc;
	}
	*res = rc == WS_OK ? BLK_OK : BLK_BAD;
	return WS_OK;
}

/* Tries each "WSB1" in one window; *next is set when a block verifies. */
static ws_status
resync_window(reindex *rx, uint64_t pos, size_t n, uint64_t end,
	      uint64_t *next, ws_error *err)
{
	const unsigned char *p = rx->win, *stop = rx->win + n;
	while ((p = memmem(p, (size_t)(stop - p), WS_BLOCK_MAGIC, 4)) != NULL) {
		uint64_t cand = pos + (uint64_t)(p - rx->win);
		ws_block_head h;
		bool head_ok;
		enum blk_result res;
		ws_error why;
		ws_status rc = check_block(rx, cand, end, &h, &head_ok, &res,
					   &why, err);
		if (rc != WS_OK)
			return rc;
		if (res == BLK_OK) {
			*next = cand;
			return WS_OK;
		}
		p++;
	}
	return WS_OK;
}

/* After a damaged header: the next offset where a sound block starts. */
static ws_status
resync(reindex *rx, uint64_t from, uint64_t end, uint64_t *next,
       ws_error *err)
{
	if (rx->win == NULL &&
	    (rx->win = ws__malloc(RESYNC_WINDOW, err)) == NULL)
		return WS_ENOMEM;
	*next = end;
	for (uint64_t pos = from; pos < end && *next == end;) {
		size_t n = end - pos < RESYNC_WINDOW ? (size_t)(end - pos)
						     : RESYNC_WINDOW;
		ws_status rc = ws__pread_exact(rx->fd, rx->win, n, (off_t)pos,
					       rx->fname, err);
		if (rc == WS_OK)
			rc = resync_window(rx, pos, n, end, next, err);
		if (rc != WS_OK)
			return rc;
		/* Overlap so that a magic split between windows is seen. */
		pos += n == RESYNC_WINDOW ? n - 3 : n;
	}
	return WS_OK;
}

/* --- what the scan finds --------------------------------------------- */

static ws_status
add_salvage(reindex *rx, uint32_t id, uint64_t off, uint64_t len,
	    ws_error *err)
{
	if (ws__grow(&rx->salv, &rx->cap_salv, rx->nsalv + 1, sizeof *rx->salv,
		     err) != WS_OK)
		return WS_ENOMEM;
	rx->salv[rx->nsalv++] = (rx_salvage){id, off, len};
	return WS_OK;
}

static ws_status
keep_quarantine(reindex *rx, uint32_t id, uint64_t off, uint64_t len,
		ws_error *err)
{
	ws_manifest *m = &rx->neu;
	if (ws__grow(&m->quar, &rx->cap_quar, m->nquar + 1, sizeof *m->quar,
		     err) != WS_OK)
		return WS_ENOMEM;
	m->quar[m->nquar++] = (ws_quarantine){id, off, len};
	return WS_OK;
}

/* Damaged bytes [off, next): reported, copied aside, skipped from now on. */
static ws_status
quarantine(reindex *rx, const rx_file *f, uint64_t off, uint64_t next,
	   const char *why, ws_error *err)
{
	char lost[128];
	lost_name(f->id, off, lost, sizeof lost);
	if (rx->o->check)
		problem(rx, WS_PROBLEM_DAMAGE, "%s", why);
	else
		problem(rx, WS_PROBLEM_DAMAGE,
			"%s; %" PRIu64 " bytes moved aside to %s/%s/%s", why,
			next - off, rx->path, WS_LOST_DIR, lost);
	ws_status rc = keep_quarantine(rx, f->id, off, next - off, err);
	return rc == WS_OK ? add_salvage(rx, f->id, off, next - off, err) : rc;
}

static ws_status
torn_tail(reindex *rx, rx_file *f, uint64_t off, ws_error *err)
{
	char lost[128];
	lost_name(f->id, off, lost, sizeof lost);
	uint64_t len = f->end - off;
	if (rx->o->check)
		problem(rx, WS_PROBLEM_DAMAGE,
			"%s: offset %" PRIu64 ": torn block at the end of the "
			"data (%" PRIu64 " bytes)",
			rx->fname, off, len);
	else
		problem(rx, WS_PROBLEM_DAMAGE,
			"%s: offset %" PRIu64 ": torn block at the end of the "
			"data; %" PRIu64 " bytes cut off and saved as %s/%s/%s",
			rx->fname, off, len, rx->path, WS_LOST_DIR, lost);
	f->cut = true;
	return add_salvage(rx, f->id, off, len, err);
}

/* A verified retention block (just decoded): its record, not a zone. */
static ws_status
add_retention(reindex *rx, const rx_file *f, const ws_block_head *h,
	      ws_error *err)
{
	if (ws__grow(&rx->rets, &rx->cap_rets, rx->nrets + 1, sizeof *rx->rets,
		     err) != WS_OK)
		return WS_ENOMEM;
	ws__retention_of_block(&rx->blk, &rx->rets[rx->nrets]);
	rx->rets[rx->nrets++].file = f->id;
	if (h->seq > rx->max_seq)
		rx->max_seq = h->seq;
	rx->stats->blocks++;
	return WS_OK;
}

/* A verified block: into the zone map, and its space's dimension. */
static ws_status
add_block(reindex *rx, const rx_file *f, uint64_t off,
	  const ws_block_head *h, bool *ok, ws_error *err)
{
	*ok = true;
	if (h->flags == WS_BLOCK_RETENTION)
		return add_retention(rx, f, h, err);
	/* A tombstone has no dimension (dim 0). */
	uint32_t dim = h->flags ? h->dim : ws__manifest_dim(&rx->neu, h->space);
	*ok = dim == 0 || dim == h->dim;
	if (!*ok)
		return WS_OK;
	if (dim == 0 && h->flags == 0 &&
	    ws__manifest_set_dim(&rx->neu, h->space, h->dim, err) != WS_OK)
		return WS_ENOMEM;
	if (ws__grow(&rx->zones, &rx->cap_zones, rx->nzones + 1,
		     sizeof *rx->zones, err) != WS_OK)
		return WS_ENOMEM;
	rx->zones[rx->nzones++] = ws__zone_of_block(h, f->id, off);
	if (h->seq > rx->max_seq)
		rx->max_seq = h->seq;
	rx->stats->blocks++;
	if (h->flags == 0)
		rx->stats->points += h->count;
	return WS_OK;
}

static ws_status
add_commit(reindex *rx, const ws_commit_record *r, ws_error *err)
{
	if (ws__grow(&rx->commits, &rx->cap_commits, rx->ncommits + 1,
		     sizeof *rx->commits, err) != WS_OK)
		return WS_ENOMEM;
	rx->commits[rx->ncommits++] = *r;
	if (r->seq > rx->max_seq)
		rx->max_seq = r->seq;
	return WS_OK;
}

/*
 * The commit record at *off, if one starts there (*is_record): noted and
 * skipped, or damage; a record cut short is a torn tail.
 */
static ws_status
scan_record(reindex *rx, rx_file *f, uint64_t *off, bool *is_record,
	    bool *stop, ws_error *err)
{
	unsigned char rec[WS_COMMIT_RECORD];
	size_t n = f->end - *off < sizeof rec ? (size_t)(f->end - *off)
					      : sizeof rec;
	*is_record = false;
	if (n < 4)
		return WS_OK;
	ws_status rc = ws__pread_exact(rx->fd, rec, n, (off_t)*off, rx->fname,
				       err);
	if (rc != WS_OK || !ws__is_commit_record(rec))
		return rc;
	*is_record = true;
	if (n < sizeof rec) {
		*stop = true;
		return torn_tail(rx, f, *off, err);
	}
	char where[WS_WHERE_SIZE];
	snprintf(where, sizeof where, "%s: offset %" PRIu64, rx->fname, *off);
	ws_commit_record r;
	ws_error why;
	uint64_t next = *off + sizeof rec;
	if (ws__commit_record_parse(rec, &r, where, &why) != WS_OK)
		rc = quarantine(rx, f, *off, next, why.msg, err);
	else
		rc = add_commit(rx, &r, err);
	f->record_end = next;
	progress(rx, sizeof rec);
	*off = next;
	return rc;
}

/*
 * The reason a block is moved aside, and what it held as far as its
 * header tells (a header that fails its CRC tells nothing).
 */
static void
describe_lost(const char *why, const ws_block_head *h, char *buf, size_t n)
{
	if (h == NULL) {
		snprintf(buf, n, "%s (what it held is unknown)", why);
		return;
	}
	snprintf(buf, n,
		 "%s (entity %" PRIu64 ", space %" PRIu32 ", %" PRIu32
		 " points from %" PRId64 " to %" PRId64 ")",
		 why, h->entity, h->space, h->count, h->min_ts, h->max_ts);
}

/* Handles the block at *off and moves *off past it; *stop at a torn tail. */
static ws_status
scan_step(reindex *rx, rx_file *f, uint64_t *off, bool *stop, ws_error *err)
{
	bool is_record;
	ws_status rc0 = scan_record(rx, f, off, &is_record, stop, err);
	if (rc0 != WS_OK || is_record)
		return rc0;
	ws_block_head h;
	bool head_ok, ok;
	enum blk_result res;
	ws_error why;
	ws_status rc = check_block(rx, *off, f->end, &h, &head_ok, &res, &why,
				   err);
	if (rc != WS_OK)
		return rc;
	if (res == BLK_TORN) {
		*stop = true;
		return torn_tail(rx, f, *off, err);
	}
	uint64_t next = *off + WS_BLOCK_HEADER + (head_ok ? h.stored_len : 0);
	if (res == BLK_OK) {
		if ((rc = add_block(rx, f, *off, &h, &ok, err)) != WS_OK)
			return rc;
		if (!ok) {
			char msg[WS_WHERE_SIZE];
			snprintf(msg, sizeof msg,
				 "%s: offset %" PRIu64 ": block of space %" PRIu32
				 " has dimension %" PRIu32 " but the space holds %" PRIu32,
				 rx->fname, *off, h.space, h.dim,
				 ws__manifest_dim(&rx->neu, h.space));
			rc = quarantine(rx, f, *off, next, msg, err);
		}
	} else {
		if (!head_ok && (rc = resync(rx, *off + 1, f->end, &next,
					     err)) != WS_OK)
			return rc;
		char msg[WS_WHERE_SIZE];
		describe_lost(why.msg, head_ok ? &h : NULL, msg, sizeof msg);
		rc = quarantine(rx, f, *off, next, msg, err);
	}
	progress(rx, next - *off);
	*off = next;
	return rc;
}

/* Ranges an earlier repair moved aside, in order: skipped, not rescanned. */
static ws_status
skip_quarantined(reindex *rx, const rx_file *f, size_t *qi, uint64_t *off,
		 ws_error *err)
{
	const ws_manifest *m = &rx->old;
	for (; *qi < m->nquar && m->quar[*qi].id == f->id; (*qi)++) {
		const ws_quarantine *q = &m->quar[*qi];
		if (q->offset > *off)
			return WS_OK;
		if (q->offset < *off || q->length > f->end - q->offset) {
			problem(rx, WS_PROBLEM_DERIVED,
				"%s/%s: quarantined range at %s offset %" PRIu64
				" does not match the data%s",
				rx->path, WS_MANIFEST, rx->fname, q->offset,
				act(rx, "; dropped"));
			continue;
		}
		ws_status rc = keep_quarantine(rx, f->id, q->offset, q->length,
					       err);
		if (rc != WS_OK)
			return rc;
		progress(rx, q->length);
		*off += q->length;
	}
	return WS_OK;
}

static size_t
first_quarantine(const reindex *rx, uint32_t id)
{
	size_t i = 0;
	while (i < rx->old.nquar && rx->old.quar[i].id < id)
		i++;
	return i;
}

/* A named file that lost bytes its MANIFEST committed. */
static void
report_short(reindex *rx, const rx_file *f)
{
	if (f->listed && f->on_disk && f->size < f->committed)
		problem(rx, WS_PROBLEM_DAMAGE,
			"%s: %" PRIu64 " bytes, shorter than its committed "
			"length %" PRIu64,
			rx->fname, f->size, f->committed);
}

static ws_status
scan_blocks(reindex *rx, rx_file *f, ws_error *err)
{
	size_t qi = first_quarantine(rx, f->id);
	uint64_t off = 0;
	bool stop = false;
	ws_status rc = WS_OK;
	while (rc == WS_OK && off < f->end && !stop) {
		rc = skip_quarantined(rx, f, &qi, &off, err);
		if (rc == WS_OK && off < f->end)
			rc = scan_step(rx, f, &off, &stop, err);
	}
	if (rc == WS_OK && !stop)
		rc = skip_quarantined(rx, f, &qi, &off, err);
	f->length = off;
	if (rc == WS_OK && !stop)
		report_short(rx, f);
	return rc;
}

static ws_status
scan_file(reindex *rx, rx_file *f, ws_error *err)
{
	data_path(rx, f->id, rx->fname, sizeof rx->fname);
	if (f->leftover)
		return WS_OK;
	if (f->end == 0) {
		rx->stats->files += f->on_disk;
		report_short(rx, f);
		return WS_OK;
	}
	ws__name rel;
	ws__data_file(f->id, &rel);
	rx->fd = ws__openat_regular(rx->datadirfd, rel.base,
				    O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (rx->fd < 0)
		return ws__errno(err, errno, "%s: open", rx->fname);
	rx->stats->files++;
	rx->stats->bytes += f->end;
	ws_status rc = scan_blocks(rx, f, err);
	ws__close(rx->fd);
	rx->fd = -1;
	return rc;
}

/* --- what was committed ---------------------------------------------- */

/*
 * The seq of the last finished commit: commit seq finished when its own
 * final record was found, or that of a later commit. Commits follow each
 * other under the lock, and a writer removes or cuts what an unfinished
 * one before it left before it commits, so what a later finished commit
 * found in place was committed; this keeps a commit whose final record
 * sat in a data file that retention removed.
 */
static uint64_t
last_finished(const reindex *rx)
{
	uint64_t seq = 0;
	for (size_t i = 0; i < rx->ncommits; i++)
		if ((rx->commits[i].flags & WS_COMMIT_FINAL) &&
		    rx->commits[i].seq > seq)
			seq = rx->commits[i].seq;
	return seq;
}

/*
 * Bytes after a file's last commit record belong to a commit that never
 * wrote its final record: not data. A rebuild cuts them (reported as a
 * leftover, not as damage, and not kept).
 */
static void
cut_unrecorded_tail(reindex *rx, rx_file *f)
{
	if (f->leftover || f->length <= f->record_end)
		return;
	char name[WS_PATH_SIZE];
	data_path(rx, f->id, name, sizeof name);
	problem(rx, WS_PROBLEM_LEFTOVER,
		"%s: offset %" PRIu64 ": %" PRIu64 " bytes after the last commit "
		"record, written by a commit cut short%s",
		name, f->record_end, f->length - f->record_end,
		act(rx, "; cut off"));
	f->length = f->record_end;
	f->cut = true;
}

/*
 * Whether a commit record follows the block in its file: a block that a
 * reclaim copied keeps its old seq, so that only its place tells whether
 * the commit that copied it finished (warmstore(5), Reclaiming).
 */
static bool
recorded(reindex *rx, const ws_zone *z)
{
	const rx_file *f = find_file(rx, z->file);
	return f != NULL && z->offset + z->bytes <= f->record_end;
}

/*
 * A rebuild from the data alone yields exactly the finished commits
 * (warmstore(5), Commit records): the blocks of a commit whose final
 * record is missing, and those after their file's last record, are left
 * out. A sound MANIFEST says itself what is committed (the scan stops at
 * each file's committed length).
 */
static void
keep_committed(reindex *rx)
{
	if (rx->old_ok)
		return;
	uint64_t last = last_finished(rx);
	size_t kept = 0;
	for (size_t i = 0; i < rx->nzones; i++) {
		const ws_zone *z = &rx->zones[i];
		if (z->seq <= last && recorded(rx, z)) {
			rx->zones[kept++] = *z;
			continue;
		}
		rx->stats->blocks--;
		if (!z->tombstone)
			rx->stats->points -= z->count;
		char name[WS_PATH_SIZE];
		data_path(rx, z->file, name, sizeof name);
		problem(rx, WS_PROBLEM_LEFTOVER,
			"%s: offset %" PRIu64 ": a block of commit %" PRIu64
			", which did not finish%s",
			name, z->offset, z->seq, act(rx, "; left out"));
	}
	rx->nzones = kept;
	/* Retention records likewise. */
	kept = 0;
	for (size_t i = 0; i < rx->nrets; i++)
		if (rx->rets[i].seq <= last)
			rx->rets[kept++] = rx->rets[i];
	rx->nrets = kept;
	for (size_t i = 0; i < rx->nfiles; i++)
		cut_unrecorded_tail(rx, &rx->files[i]);
}

/* --- the manifest the data imply ------------------------------------- */

static ws_status
add_data_ref(reindex *rx, const rx_file *f, ws_error *err)
{
	ws_manifest *m = &rx->neu;
	if (ws__grow(&m->data, &rx->cap_data, m->ndata + 1, sizeof *m->data,
		     err) != WS_OK)
		return WS_ENOMEM;
	/* Waste is the writers' estimate (warmstore(5)): kept, not derived. */
	const ws_datafile_ref *was =
		rx->old_ok ? ws__manifest_datafile(&rx->old, f->id) : NULL;
	uint64_t waste = was != NULL && was->waste <= f->length ? was->waste : 0;
	m->data[m->ndata++] = (ws_datafile_ref){f->id, f->length, waste};
	return WS_OK;
}

/* Spaces whose dimension the blocks fix; the MANIFEST's for the rest. */
static ws_status
derive_spaces(reindex *rx, ws_error *err)
{
	for (size_t i = 0; rx->old_ok && i < rx->old.nspaces; i++) {
		const ws_space_dim *s = &rx->old.spaces[i];
		uint32_t dim = ws__manifest_dim(&rx->neu, s->space);
		if (dim == 0 &&
		    ws__manifest_set_dim(&rx->neu, s->space, s->dim, err) != WS_OK)
			return WS_ENOMEM;
		if (dim != 0 && dim != s->dim)
			problem(rx, WS_PROBLEM_DERIVED,
				"%s/%s: space %" PRIu32 " has dimension %" PRIu32
				" but its blocks have %" PRIu32,
				rx->path, WS_MANIFEST, s->space, s->dim, dim);
	}
	return WS_OK;
}

/*
 * The retention records the data hold, as a commit would have kept them,
 * and the zone map without the blocks they hide entirely, as the
 * retention commit left it (warmstore(5), Retention).
 */
static ws_status
derive_retention(reindex *rx, ws_error *err)
{
	for (size_t i = 0; i < rx->nrets; i++)
		if (ws__retention_add(&rx->neu, &rx->rets[i], err) != WS_OK)
			return WS_ENOMEM;
	size_t kept = 0;
	for (size_t i = 0; i < rx->nzones; i++)
		if (!ws__retention_covers(&rx->neu, &rx->zones[i]))
			rx->zones[kept++] = rx->zones[i];
	rx->nzones = kept;
	return WS_OK;
}

static ws_status
derive_manifest(reindex *rx, ws_error *err)
{
	ws_manifest *m = &rx->neu;
	for (size_t i = 0; i < rx->nfiles; i++) {
		const rx_file *f = &rx->files[i];
		if (f->on_disk && (f->listed || !rx->old_ok) &&
		    add_data_ref(rx, f, err) != WS_OK)
			return WS_ENOMEM;
	}
	ws_status rc = derive_spaces(rx, err);
	if (rc == WS_OK)
		rc = derive_retention(rx, err);
	if (rc != WS_OK)
		return rc;
	m->generation = rx->old_ok ? rx->old.generation : 0;
	m->next_seq = rx->max_seq + 1;
	m->next_segment = rx->max_seg_id + 1;
	if (rx->old_ok && rx->old.next_seq > m->next_seq)
		m->next_seq = rx->old.next_seq;
	if (rx->old_ok && rx->old.next_seq < m->next_seq)
		problem(rx, WS_PROBLEM_DERIVED,
			"%s/%s: next_seq %" PRIu64 " is not above the highest "
			"block seq %" PRIu64,
			rx->path, WS_MANIFEST, rx->old.next_seq, rx->max_seq);
	if (rx->old_ok && rx->old.next_segment > m->next_segment)
		m->next_segment = rx->old.next_segment;
	return WS_OK;
}

/* --- the index on disk ------------------------------------------------ */

static bool
named_segment(const reindex *rx, uint64_t id)
{
	for (size_t i = 0; rx->old_ok && i < rx->old.nsegs; i++)
		if (rx->old.segs[i].id == id)
			return true;
	return false;
}

static ws_status
note_index_entry(void *ctx, const char *name, ws_error *err)
{
	reindex *rx = ctx;
	uint64_t id;
	if (strlen(name) != 20 || strcmp(name + 16, ".wsi") != 0 ||
	    name[0] == '-' || !ws_parse_u64(name, 16, &id))
		return WS_OK;
	if (id > rx->max_seg_id)
		rx->max_seg_id = id;
	if (named_segment(rx, id))
		return WS_OK;
	/* Left by a crash: no problem for a check, a derived file to repair. */
	rx->noting_orphan = true;
	if (rx->old_ok)
		problem(rx, rx->o->check ? WS_PROBLEM_LEFTOVER : WS_PROBLEM_DERIVED,
			"%s/index/%s: segment the MANIFEST does not name%s",
			rx->path, name, act(rx, "; removed"));
	rx->noting_orphan = false;
	if (ws__grow(&rx->orphans, &rx->cap_orphans, rx->norphans + 1,
		     sizeof *rx->orphans, err) != WS_OK)
		return WS_ENOMEM;
	rx->orphans[rx->norphans++] = id;
	return WS_OK;
}

static ws_status
list_index_dir(reindex *rx, ws_error *err)
{
	if (rx->indexdirfd < 0)
		return WS_OK;
	char name[WS_PATH_SIZE];
	ws__store_path(name, rx->path, WS_INDEX_DIR);
	return ws__each_dir_entry(rx->indexdirfd, name, note_index_entry, rx, err);
}

/* Reads every record of the old index; a damaged one condemns it. */
static ws_status
read_old_index(reindex *rx, rx_record **recs, size_t *n, ws_error *err)
{
	size_t cap = 0;
	rx->segs = calloc(rx->old.nsegs + 1, sizeof *rx->segs);
	if (rx->segs == NULL)
		return ws__err(err, WS_ENOMEM, "out of memory");
	for (size_t s = 0; s < rx->old.nsegs; s++) {
		ws_segment *seg = &rx->segs[rx->nsegs];
		ws_error why;
		if (ws__segment_open(rx->indexdirfd, rx->path, &rx->old.segs[s],
				     seg, &why) != WS_OK) {
			problem(rx, WS_PROBLEM_DERIVED, "%s", why.msg);
			rx->index_bad = true;
			continue;
		}
		rx->nsegs++;
		for (uint64_t i = 0; i < seg->records; i++) {
			if (ws__grow(recs, &cap, *n + 1, sizeof **recs, err) !=
			    WS_OK)
				return WS_ENOMEM;
			rx_record *r = &(*recs)[*n];
			if (ws__segment_record(seg, i, &r->z, rx->path, &why) !=
			    WS_OK) {
				problem(rx, WS_PROBLEM_DERIVED, "%s", why.msg);
				rx->index_bad = true;
				continue;
			}
			r->seg = seg->name.rel;
			r->i = i;
			(*n)++;
		}
	}
	return WS_OK;
}

static int
place_cmp(uint32_t fa, uint64_t oa, uint32_t fb, uint64_t ob)
{
	if (fa != fb)
		return fa < fb ? -1 : 1;
	return oa < ob ? -1 : oa > ob;
}

static int
record_cmp(const void *pa, const void *pb)
{
	const rx_record *a = pa, *b = pb;
	return place_cmp(a->z.file, a->z.offset, b->z.file, b->z.offset);
}

/* Reports a record that names no block of the data, or a wrong one. */
static void
bad_record(reindex *rx, const rx_record *r, const char *what)
{
	ws__name rel;
	ws__data_file(r->z.file, &rel);
	problem(rx, WS_PROBLEM_DERIVED,
		"%s/%s: record %" PRIu64 ": %s (%s offset %" PRIu64 ")",
		rx->path, r->seg, r->i, what, rel.rel, r->z.offset);
	rx->index_bad = true;
}

/* Whether off starts damaged bytes this scan reported already. */
static bool
reported_at(const reindex *rx, uint32_t file, uint64_t off)
{
	for (size_t i = 0; i < rx->nsalv; i++)
		if (rx->salv[i].id == file && rx->salv[i].offset == off)
			return true;
	return false;
}

/*
 * A dropped block (warmstore(5), Drop records) counts as indexed by its
 * drop record alone, and not at all once its data file is gone or
 * retention hides it entirely (the rebuild leaves it out then); the
 * records, sorted by place, keep one record of such a place or none.
 */
static size_t
fold_drops(const reindex *rx, rx_record *recs, size_t n)
{
	size_t kept = 0;
	for (size_t i = 0, end; i < n; i = end) {
		bool dropped = false;
		size_t drop = i;
		for (end = i; end < n && record_cmp(&recs[end], &recs[i]) == 0;
		     end++)
			if (recs[end].z.dropped) {
				dropped = true;
				drop = end;
			}
		if (!dropped) {
			while (i < end)
				recs[kept++] = recs[i++];
		} else if (ws__manifest_datafile(&rx->old, recs[drop].z.file) !=
				   NULL &&
			   !ws__retention_covers(&rx->neu, &recs[drop].z)) {
			recs[kept++] = recs[drop];
		}
	}
	return kept;
}

/* Walks records and blocks, both in (file, offset) order, side by side. */
static void
match_index(reindex *rx, rx_record *recs, size_t n)
{
	ws__sort(recs, n, sizeof *recs, record_cmp);
	n = fold_drops(rx, recs, n);
	size_t r = 0, z = 0;
	while (r < n || z < rx->nzones) {
		const ws_zone *zz = z < rx->nzones ? &rx->zones[z] : NULL;
		int c = r == n ? 1
			: zz == NULL
				? -1
				: place_cmp(recs[r].z.file, recs[r].z.offset,
					    zz->file, zz->offset);
		if (c < 0 && reported_at(rx, recs[r].z.file, recs[r].z.offset)) {
			/* The damaged block itself was reported already. */
			rx->index_bad = true;
			r++;
		} else if (c < 0) {
			bad_record(rx, &recs[r++],
				   "no verified block starts there");
		} else if (c > 0) {
			char name[WS_PATH_SIZE];
			data_path(rx, zz->file, name, sizeof name);
			problem(rx, WS_PROBLEM_DERIVED,
				"%s: offset %" PRIu64 ": block not in the index",
				name, zz->offset);
			rx->index_bad = true;
			z++;
		} else {
			if (!ws__zone_same_block(&recs[r].z, zz))
				bad_record(rx, &recs[r],
					   "does not match the block header");
			for (r++; r < n && record_cmp(&recs[r], &recs[r - 1]) == 0;
			     r++)
				bad_record(rx, &recs[r], "block indexed twice");
			z++;
		}
	}
}

static ws_status
compare_index(reindex *rx, ws_error *err)
{
	if (!rx->old_ok || rx->indexdirfd < 0)
		return WS_OK;
	rx_record *recs = NULL;
	size_t n = 0;
	ws_status rc = read_old_index(rx, &recs, &n, err);
	if (rc == WS_OK)
		match_index(rx, recs, n);
	free(recs);
	return rc;
}

/* --- deciding and writing -------------------------------------------- */

static bool
same_manifest(const ws_manifest *a, const ws_manifest *b)
{
	if (a->next_seq != b->next_seq || a->next_segment != b->next_segment ||
	    a->ndata != b->ndata || a->nspaces != b->nspaces ||
	    a->nquar != b->nquar || a->nret != b->nret)
		return false;
	for (size_t i = 0; i < a->nret; i++)
		if (a->ret[i].seq != b->ret[i].seq ||
		    a->ret[i].before != b->ret[i].before ||
		    a->ret[i].has_space != b->ret[i].has_space ||
		    a->ret[i].space != b->ret[i].space ||
		    a->ret[i].file != b->ret[i].file)
			return false;
	/* Field by field: the structs have padding. */
	for (size_t i = 0; i < a->ndata; i++)
		if (a->data[i].id != b->data[i].id ||
		    a->data[i].length != b->data[i].length)
			return false;
	for (size_t i = 0; i < a->nspaces; i++)
		if (a->spaces[i].space != b->spaces[i].space ||
		    a->spaces[i].dim != b->spaces[i].dim)
			return false;
	for (size_t i = 0; i < a->nquar; i++)
		if (a->quar[i].id != b->quar[i].id ||
		    a->quar[i].offset != b->quar[i].offset ||
		    a->quar[i].length != b->quar[i].length)
			return false;
	return true;
}

/* Whether the store already says what its data say. */
static bool
consistent(reindex *rx)
{
	if (!rx->old_ok || rx->index_bad || rx->norphans > 0 || rx->nsalv > 0 ||
	    rx->stats->leftovers > 0)
		return false;
	if (!same_manifest(&rx->old, &rx->neu)) {
		if (rx->stats->problems == 0)
			problem(rx, WS_PROBLEM_DERIVED,
				"%s/%s: does not match the data files",
				rx->path, WS_MANIFEST);
		return false;
	}
	return true;
}

/* Copies bytes of a data file to lost+found/NAME, durably. */
static ws_status
salvage_one(reindex *rx, int lostfd, const rx_salvage *s, ws_error *err)
{
	char lost[128], dst[WS_PATH_SIZE];
	ws__name rel;
	lost_name(s->id, s->offset, lost, sizeof lost);
	snprintf(dst, sizeof dst, "%s/%s/%s", rx->path, WS_LOST_DIR, lost);
	data_path(rx, s->id, rx->fname, sizeof rx->fname);
	ws__data_file(s->id, &rel);
	int in = ws__openat_regular(rx->datadirfd, rel.base,
				    O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (in < 0)
		return ws__errno(err, errno, "%s: open", rx->fname);
	int out = ws__openat_regular(lostfd, lost,
				     O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
					     O_CLOEXEC,
				     0666);
	ws_status rc = out < 0 ? ws__errno(err, errno, "%s: open", dst) : WS_OK;
	for (uint64_t done = 0; rc == WS_OK && done < s->length;) {
		size_t n = s->length - done < COPY_CHUNK
				   ? (size_t)(s->length - done)
				   : COPY_CHUNK;
		rc = ws__pread_exact(in, rx->win, n, (off_t)(s->offset + done),
				     rx->fname, err);
		if (rc == WS_OK)
			rc = ws__write_all(out, rx->win, n, dst, err);
		done += n;
	}
	if (rc == WS_OK)
		rc = ws__fsync(out, dst, err);
	if (out >= 0 && ws__close(out) != 0 && rc == WS_OK)
		rc = ws__errno(err, errno, "%s: close", dst);
	ws__close(in);
	return rc;
}

static ws_status
salvage_all(reindex *rx, ws_error *err)
{
	if (rx->nsalv == 0)
		return WS_OK;
	if (rx->win == NULL &&
	    (rx->win = ws__malloc(RESYNC_WINDOW, err)) == NULL)
		return WS_ENOMEM;
	int lostfd;
	char dir[WS_PATH_SIZE];
	ws_status rc = ws__open_lost_dir(rx->dirfd, rx->path, &lostfd, err);
	for (size_t i = 0; rc == WS_OK && i < rx->nsalv; i++)
		rc = salvage_one(rx, lostfd, &rx->salv[i], err);
	if (rc == WS_OK)
		rc = ws__fsync(lostfd, ws__store_path(dir, rx->path, WS_LOST_DIR),
			       err);
	if (lostfd >= 0)
		ws__close(lostfd);
	return rc;
}

/* Truncates torn tails, after their bytes are safe in lost+found. */
static ws_status
cut_tails(reindex *rx, ws_error *err)
{
	for (size_t i = 0; i < rx->nfiles; i++) {
		const rx_file *f = &rx->files[i];
		if (!f->cut)
			continue;
		ws__name rel;
		ws__data_file(f->id, &rel);
		data_path(rx, f->id, rx->fname, sizeof rx->fname);
		int fd = ws__openat_regular(rx->datadirfd, rel.base,
					    O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
		if (fd < 0)
			return ws__errno(err, errno, "%s: open", rx->fname);
		ws_status rc = WS_OK;
		if (ftruncate(fd, (off_t)f->length) != 0)
			rc = ws__errno(err, errno, "%s: truncate", rx->fname);
		if (rc == WS_OK)
			rc = ws__fsync(fd, rx->fname, err);
		ws__close(fd);
		if (rc != WS_OK)
			return rc;
	}
	return WS_OK;
}

/* One new segment holding every verified block, or the old ones kept. */
static ws_status
write_index(reindex *rx, ws_error *err)
{
	ws_manifest *m = &rx->neu;
	if (!rx->index_bad) {
		free(m->segs);
		m->segs = ws__malloc((rx->old.nsegs + 1) * sizeof *m->segs, err);
		if (m->segs == NULL)
			return WS_ENOMEM;
		memcpy(m->segs, rx->old.segs, rx->old.nsegs * sizeof *m->segs);
		m->nsegs = rx->old.nsegs;
		return WS_OK;
	}
	if (rx->nzones == 0)
		return WS_OK;
	uint64_t id = m->next_segment++;
	ws_status rc = ws__segment_write(rx->indexdirfd, rx->path, id,
					 rx->zones, rx->nzones, err);
	char dir[WS_PATH_SIZE];
	if (rc == WS_OK)
		rc = ws__fsync(rx->indexdirfd,
			       ws__store_path(dir, rx->path, WS_INDEX_DIR), err);
	if (rc != WS_OK)
		return rc;
	m->segs = ws__malloc(sizeof *m->segs, err);
	if (m->segs == NULL)
		return WS_ENOMEM;
	m->segs[0] = (ws_segment_ref){id, rx->nzones};
	m->nsegs = 1;
	return WS_OK;
}

static ws_status
unlink_segment(reindex *rx, uint64_t id, ws_error *err)
{
	ws__name rel;
	ws__segment_file(id, &rel);
	if (unlinkat(rx->indexdirfd, rel.base, 0) != 0 &&
	    errno != ENOENT)
		return ws__errno(err, errno, "%s/%s: remove", rx->path,
				 rel.rel);
	return WS_OK;
}

/* After the new MANIFEST: segments nothing names any more. */
static ws_status
remove_old_segments(reindex *rx, ws_error *err)
{
	ws_status rc = WS_OK;
	for (size_t i = 0; rc == WS_OK && rx->index_bad && i < rx->old.nsegs;
	     i++)
		rc = unlink_segment(rx, rx->old.segs[i].id, err);
	char dir[WS_PATH_SIZE];
	if (rc == WS_OK)
		rc = ws__fsync(rx->indexdirfd,
			       ws__store_path(dir, rx->path, WS_INDEX_DIR), err);
	return rc;
}

/*
 * Segments no MANIFEST names go first, before anything is written: on a
 * full disk such a leftover may be what fills it.
 */
static ws_status
remove_orphan_segments(reindex *rx, ws_error *err)
{
	ws_status rc = WS_OK;
	for (size_t i = 0; rc == WS_OK && i < rx->norphans; i++)
		rc = unlink_segment(rx, rx->orphans[i], err);
	char dir[WS_PATH_SIZE];
	if (rc == WS_OK && rx->norphans > 0)
		rc = ws__fsync(rx->indexdirfd,
			       ws__store_path(dir, rx->path, WS_INDEX_DIR), err);
	rx->orphans_removed = rc == WS_OK;
	return rc;
}

/* After the new MANIFEST: unnamed data files go to lost+found, unread. */
static ws_status
move_leftover_files(reindex *rx, ws_error *err)
{
	uint32_t *ids = ws__malloc((rx->nfiles ? rx->nfiles : 1) * sizeof *ids,
				   err);
	if (ids == NULL)
		return WS_ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < rx->nfiles; i++)
		if (rx->files[i].leftover)
			ids[n++] = rx->files[i].id;
	ws_status rc = ws__move_to_lost(rx->dirfd, rx->datadirfd, rx->path,
					ids, n, err);
	free(ids);
	return rc;
}

static ws_status
repair(reindex *rx, ws_error *err)
{
	ws_status rc = remove_orphan_segments(rx, err);
	if (rc == WS_OK)
		rc = salvage_all(rx, err);
	if (rc == WS_OK)
		rc = cut_tails(rx, err);
	if (rc == WS_OK)
		rc = write_index(rx, err);
	if (rc != WS_OK)
		return rc;
	rx->neu.generation++;
	rx->stats->changed = true;
	rc = ws__manifest_save(rx->dirfd, rx->path, &rx->neu, err);
	if (rc == WS_OK)
		rc = remove_old_segments(rx, err);
	return rc == WS_OK ? move_leftover_files(rx, err) : rc;
}

/* --- the whole run ------------------------------------------------------ */

static ws_status
run(reindex *rx, ws_error *err)
{
	ws_status rc = open_index_dir(rx, err);
	if (rc == WS_OK)
		rc = load_manifest(rx, err);
	if (rc == WS_OK)
		rc = list_data_dir(rx, err);
	if (rc == WS_OK)
		rc = plan_files(rx, err);
	for (size_t i = 0; rc == WS_OK && i < rx->nfiles; i++)
		rc = scan_file(rx, &rx->files[i], err);
	if (rc == WS_OK) {
		keep_committed(rx);
		rc = list_index_dir(rx, err);
	}
	if (rc == WS_OK)
		rc = derive_manifest(rx, err);
	if (rc == WS_OK)
		rc = compare_index(rx, err);
	if (rc != WS_OK || consistent(rx) || rx->o->check)
		return rc;
	return repair(rx, err);
}

static void
cleanup(reindex *rx)
{
	for (size_t i = 0; i < rx->nsegs; i++)
		ws__segment_close(&rx->segs[i]);
	free(rx->segs);
	ws__manifest_free(&rx->old);
	ws__manifest_free(&rx->neu);
	free(rx->files);
	free(rx->zones);
	free(rx->rets);
	free(rx->commits);
	free(rx->salv);
	free(rx->orphans);
	ws__block_free(&rx->blk);
	free(rx->buf);
	free(rx->win);
	if (rx->fd >= 0)
		ws__close(rx->fd);
	if (rx->indexdirfd >= 0)
		ws__close(rx->indexdirfd);
	if (rx->datadirfd >= 0)
		ws__close(rx->datadirfd);
	if (rx->dirfd >= 0)
		ws__close(rx->dirfd);
}

ws_status
ws_reindex(const char *path, const ws_reindex_opts *opts,
	   ws_reindex_stats *stats, ws_error *err)
{
	reindex rx = {.path = path, .o = opts, .stats = stats,
		      .dirfd = -1, .datadirfd = -1, .indexdirfd = -1, .fd = -1};
	memset(stats, 0, sizeof *stats);
	snprintf(rx.lost_dir, sizeof rx.lost_dir, "%s/%s", path, WS_LOST_DIR);
	ws__manifest_init(&rx.old);
	ws__manifest_init(&rx.neu);
	int lockfd = -1;
	ws_status rc = open_store(&rx, err);
	/* Even --check locks: a commit in flight would look like damage. */
	if (rc == WS_OK)
		rc = ws__lock_acquire(rx.dirfd, path, &lockfd, err);
	if (rc == WS_OK)
		rc = run(&rx, err);
	report_held(&rx, rc == WS_OK);
	if (rc == WS_OK)
		rc = ws__lost_bytes(rx.dirfd, path, &stats->lost_found_bytes, err);
	ws__lock_release(&lockfd);
	cleanup(&rx);
	return rc;
}
