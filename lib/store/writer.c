/*
 * writer.c - the one way new blocks become committed: the writer that a
 * batch commit (write/commit.c) and compaction (write/compact.c) share.
 * Its steps are in the order that makes a crash at any instant harmless
 * (warmstore(5), COMMIT):
 *
 *   begin    lock; reload the committed state (another writer may have
 *            committed since this handle looked); move aside the data
 *            files a dead writer left; start the new manifest as a copy
 *            of the committed one;
 *   append   cut the data file back to its committed length (a crashed
 *            writer's torn tail), append blocks, fdatasync; a new data
 *            file when the current one is full, the old one closed by a
 *            commit record;
 *   publish  the final commit record after the blocks, fdatasync (only
 *            then: a record on disk vouches for every block before it);
 *            write the new zones, merged with the newest segments, as a
 *            new segment file, fsync it and index/; replace MANIFEST
 *            atomically (tmp, fsync, rename, fsync dir); then remove the
 *            files it no longer names;
 *   end      discard what an attempt that did not publish wrote; unlock.
 *
 * Until publish's rename no reader can see any of it; after it, all of
 * it is durable.
 */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * A data file takes no more blocks once it holds 256 MiB: files stay small
 * enough to copy, verify or drop one at a time, and rewriting one to give
 * back what it wastes (reclaim.c) is a bounded piece of work, and needs
 * no more free space than that.
 */
#define DATA_FILE_MAX (256ull << 20)

/*
 * Blocks are encoded on two threads, the calling one and one helper:
 * compressing is most of a commit's work, and the machines warmstore is
 * measured on have two cores (write_wave cuts each wave in two halves).
 */
#define ENCODER_THREADS 2

/* A run of one series' points of the batch that becomes one block. */
struct span {
	size_t first, count;
	size_t raw; /* an estimate of its raw payload */
};

/*
 * One thread's share of a wave of blocks: the blocks are encoded back to
 * back into buf, so that writing them is one call. Compressing is most of
 * a commit's work, and two cores do it in half the time.
 */
struct shard {
	const ws_batch *b;
	const struct span *spans;
	size_t n;
	uint64_t seq;
	ws_encoder enc; /* kept for the whole commit */
	unsigned char *blk; /* one encoded block */
	size_t blk_cap;
	unsigned char *buf; /* the encoded blocks */
	size_t len, cap;
	ws_block_head *head; /* per block: its header ... */
	size_t *end;         /* ... and where it ends in buf */
	size_t cap_head, cap_end;
	ws_status rc;
	ws_error err;
};

/* One writer's attempt in progress, from begin to end. */
struct ws__writer {
	ws_store *st;
	ws_manifest m; /* the manifest this attempt will publish */
	int fd;        /* the data file being appended to */
	char fname[WS_PATH_SIZE];
	ws_datafile_ref *file;
	bool new_file;
	uint64_t off; /* where the next block goes */
	ws_zone *zones; /* the batch's */
	size_t nzones, cap_zones;
	uint64_t blocks; /* blocks this attempt wrote */
	uint64_t file_blocks; /* of them, in the current file since a record */
	struct span *spans; /* the batch cut into blocks */
	size_t nspans, cap_spans;
	struct shard shards[ENCODER_THREADS]; /* one per encoding thread */
	int lockfd;       /* the writer lock, -1 once released */
	uint64_t segment;   /* id of the new segment ... */
	bool wrote_segment; /* ... once publish started writing it */
	uint32_t first_new_id; /* above every committed data file's */
	bool published;   /* the MANIFEST naming this attempt is in place */
	bool drop_retained; /* publish drops what retention hides (retire.c) */
	const ws_progress_opts *retire_progress; /* of that, or NULL */
	ws__retire_counts retired; /* and what it dropped */
	uint32_t victim; /* a data file being rewritten (reclaim.c), or 0 */
	uint32_t avoid;  /* one a compaction empties, or 0 */
	bool file_has_record; /* the file appended to ends at a commit record */
};

static ws__writer *
writer_new(ws_store *st, ws_error *err)
{
	ws__writer *w = calloc(1, sizeof *w);
	if (w == NULL) {
		ws__err(err, WS_ENOMEM, "out of memory");
		return NULL;
	}
	w->st = st;
	w->fd = -1;
	w->lockfd = -1;
	w->first_new_id = 1;
	for (int i = 0; i < ENCODER_THREADS; i++)
		ws__encoder_init(&w->shards[i].enc);
	ws__manifest_init(&w->m);
	return w;
}

static void
writer_free(ws__writer *w)
{
	for (int i = 0; i < ENCODER_THREADS; i++) {
		struct shard *sh = &w->shards[i];
		ws__encoder_free(&sh->enc);
		free(sh->blk);
		free(sh->buf);
		free(sh->head);
		free(sh->end);
	}
	free(w->spans);
	free(w->zones);
	ws__manifest_free(&w->m);
	free(w);
}

/* Picks the data file to append to, starting a new one when full. */
static ws_status
choose_file(ws__writer *w, ws_error *err)
{
	ws_manifest *m = &w->m;
	if (m->ndata == 0 || m->data[m->ndata - 1].length >= DATA_FILE_MAX ||
	    m->data[m->ndata - 1].id == w->victim ||
	    m->data[m->ndata - 1].id == w->avoid) {
		/* Never the id of a file a reclaim is taking out. */
		uint32_t id = m->ndata && m->data[m->ndata - 1].id >= w->first_new_id
				      ? m->data[m->ndata - 1].id + 1
				      : w->first_new_id;
		size_t cap = m->ndata;
		if (ws__grow(&m->data, &cap, m->ndata + 1, sizeof *m->data, err) !=
		    WS_OK)
			return WS_ENOMEM;
		m->data[m->ndata++] = (ws_datafile_ref){id, 0, 0};
		w->new_file = true;
	}
	w->file = &m->data[m->ndata - 1];
	w->off = w->file->length;
	return WS_OK;
}

static ws_status
open_data_file(ws__writer *w, ws_error *err)
{
	ws__name rel;
	ws__data_file(w->file->id, &rel);
	ws__store_path(w->fname, w->st->path, rel.rel);
	w->fd = ws__openat_regular(w->st->datadirfd, rel.base,
				   O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
				   0666);
	if (w->fd < 0)
		return ws__errno(err, errno, "%s: open", w->fname);
	struct stat sb;
	if (fstat(w->fd, &sb) != 0)
		return ws__errno(err, errno, "%s: stat", w->fname);
	if ((uint64_t)sb.st_size < w->file->length)
		return ws__err(err, WS_ECORRUPT,
			       "%s: shorter (%lld bytes) than its committed "
			       "length %" PRIu64,
			       w->fname, (long long)sb.st_size, w->file->length);
	w->file_has_record = w->file->length > 0;
	/* Bytes past the committed length are a crashed writer's tail. */
	if ((uint64_t)sb.st_size > w->file->length &&
	    ftruncate(w->fd, (off_t)w->file->length) != 0)
		return ws__errno(err, errno, "%s: truncate", w->fname);
	return WS_OK;
}

/* How many points of the series starting at first go into one block. */
static struct span
block_span(const ws_batch *b, size_t first, size_t series_end)
{
	struct span sp = {first, 0, 0};
	while (first + sp.count < series_end && sp.count < WS_BLOCK_MAX_POINTS) {
		const ws_batch_entry *e = &b->e[first + sp.count];
		size_t meta_len;
		ws__batch_meta(b, e, &meta_len);
		size_t add = (size_t)e->dim * 4 + meta_len + WS_VARINT_MAX;
		if (sp.count > 0 && sp.raw + add > WS_BLOCK_MAX_RAW)
			break;
		sp.raw += add;
		sp.count++;
	}
	return sp;
}

/* Cuts the sorted batch into the spans of its blocks. */
static ws_status
cut_spans(ws__writer *w, const ws_batch *b, ws_error *err)
{
	w->nspans = 0;
	size_t i = 0;
	while (i < b->n) {
		size_t end = i + 1;
		while (end < b->n && b->e[end].entity == b->e[i].entity &&
		       b->e[end].space == b->e[i].space)
			end++;
		while (i < end) {
			if (ws__grow(&w->spans, &w->cap_spans, w->nspans + 1,
				     sizeof *w->spans, err) != WS_OK)
				return WS_ENOMEM;
			w->spans[w->nspans] = block_span(b, i, end);
			i += w->spans[w->nspans++].count;
		}
	}
	return WS_OK;
}

/* Encodes the shard's spans; runs on its own thread or inline. */
static void *
encode_shard(void *arg)
{
	struct shard *sh = arg;
	sh->len = 0;
	sh->rc = WS_OK;
	if (ws__grow(&sh->head, &sh->cap_head, sh->n, sizeof *sh->head,
		     &sh->err) != WS_OK ||
	    ws__grow(&sh->end, &sh->cap_end, sh->n, sizeof *sh->end,
		     &sh->err) != WS_OK) {
		sh->rc = WS_ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < sh->n && sh->rc == WS_OK; i++) {
		size_t len;
		sh->rc = ws__block_encode(&sh->enc, sh->b, sh->spans[i].first,
					  sh->spans[i].count, sh->seq, &sh->blk,
					  &sh->blk_cap, &len, &sh->head[i],
					  &sh->err);
		if (sh->rc == WS_OK &&
		    ws__grow(&sh->buf, &sh->cap, sh->len + len, 1, &sh->err) !=
			    WS_OK)
			sh->rc = WS_ENOMEM;
		if (sh->rc != WS_OK)
			break;
		memcpy(sh->buf + sh->len, sh->blk, len);
		sh->len += len;
		sh->end[i] = sh->len;
	}
	return NULL;
}

/* Appends a shard's encoded blocks to the data file and notes their zones. */
static ws_status
write_shard(ws__writer *w, const struct shard *sh, ws_error *err)
{
	if (sh->rc != WS_OK) {
		*err = sh->err;
		return sh->rc;
	}
	if (ws__grow(&w->zones, &w->cap_zones, w->nzones + sh->n,
		     sizeof *w->zones, err) != WS_OK)
		return WS_ENOMEM;
	for (size_t i = 0; i < sh->n; i++) {
		const ws_block_head *h = &sh->head[i];
		size_t start = i ? sh->end[i - 1] : 0;
		w->zones[w->nzones++] =
			ws__zone_of_block(h, w->file->id, w->off + start);
	}
	ws_status rc = ws__pwrite_all(w->fd, sh->buf, sh->len, (off_t)w->off,
				      w->fname, err);
	if (rc == WS_OK) {
		w->off += sh->len;
		w->blocks += sh->n;
		w->file_blocks += sh->n;
	}
	return rc;
}

/*
 * Encodes spans [from, to) on two threads, the first half here and the
 * second on a helper thread (inline if none can be started), then writes
 * both halves in order.
 */
static ws_status
write_wave(ws__writer *w, const ws_batch *b, size_t from, size_t to,
	   ws_error *err)
{
	/* Halves of about equal raw size, so both threads finish together. */
	size_t total = 0, half = 0, mid = from;
	for (size_t i = from; i < to; i++)
		total += w->spans[i].raw;
	while (mid < to && half < total / 2)
		half += w->spans[mid++].raw;
	const size_t bounds[3] = {from, mid, to};
	for (int i = 0; i < ENCODER_THREADS; i++) {
		struct shard *sh = &w->shards[i];
		sh->b = b;
		sh->spans = w->spans + bounds[i];
		sh->n = bounds[i + 1] - bounds[i];
		sh->seq = w->m.next_seq;
	}
	ws__run_pair(encode_shard, &w->shards[0],
		     w->shards[1].n > 0 ? &w->shards[1] : NULL);
	ws_status rc = write_shard(w, &w->shards[0], err);
	return rc == WS_OK ? write_shard(w, &w->shards[1], err) : rc;
}

/* Raw bytes a wave of blocks gathers before its threads start. */
#define WAVE_RAW (4u << 20)

static ws_status sync_appended(ws__writer *w, ws_error *err);

static ws_status
write_blocks(ws__writer *w, const ws_batch *b, ws_error *err)
{
	ws_status rc = cut_spans(w, b, err);
	size_t next = 0;
	while (rc == WS_OK && next < w->nspans) {
		size_t end = next, raw = 0;
		while (end < w->nspans && raw < WAVE_RAW)
			raw += w->spans[end++].raw;
		rc = write_wave(w, b, next, end, err);
		next = end;
	}
	return rc == WS_OK ? sync_appended(w, err) : rc;
}

/* Makes what was appended to the data file durable, and its length. */
static ws_status
sync_appended(ws__writer *w, ws_error *err)
{
	ws_status rc = ws__fdatasync(w->fd, w->fname, err);
	if (rc == WS_OK && w->new_file) {
		char dir[WS_PATH_SIZE];
		rc = ws__fsync(w->st->datadirfd,
			       ws__store_path(dir, w->st->path, WS_DATA_DIR), err);
	}
	if (rc == WS_OK)
		w->file->length = w->off;
	return rc;
}

/*
 * Folds the newest segments into the batch's new one while they are not
 * much larger than what is being written (a binary counter): every zone
 * is rewritten O(log n) times in all, and a store keeps O(log n)
 * segments, so readers binary-search only a few files.
 */
static size_t
segments_to_merge(const ws_manifest *m, size_t nnew)
{
	uint64_t total = nnew;
	size_t first = m->nsegs;
	while (first > 0 && m->segs[first - 1].records <= 2 * total) {
		total += m->segs[first - 1].records;
		first--;
	}
	return first;
}

static ws_status
write_index(ws__writer *w, size_t *merged_from, ws_error *err)
{
	ws_manifest *m = &w->m;
	/* Retention merges the whole index, without what it drops. */
	if (w->drop_retained) {
		uint32_t keep = w->file ? w->file->id : 0;
		ws_status rc = ws__retire_files(w->st, m, w->zones, w->nzones,
						keep, w->retire_progress,
						&w->retired, err);
		if (rc != WS_OK)
			return rc;
		/* The data refs moved up over the dropped ones. */
		if (w->file != NULL)
			w->file = (ws_datafile_ref *)ws__manifest_datafile(m, keep);
	}
	size_t first = w->drop_retained ? 0 : segments_to_merge(m, w->nzones);
	uint64_t records;
	uint64_t id = m->next_segment++;
	ws_status rc = ws__segment_write_merged(
		w->st->indexdirfd, w->st->path, id, w->zones, w->nzones,
		w->st->segs + first, m->nsegs - first, m, w->drop_retained,
		&records, err);
	if (rc == WS_OK) {
		char dir[WS_PATH_SIZE];
		rc = ws__fsync(w->st->indexdirfd,
			       ws__store_path(dir, w->st->path, WS_INDEX_DIR), err);
	}
	if (rc != WS_OK)
		return rc;
	*merged_from = first;
	m->segs[first] = (ws_segment_ref){id, records};
	m->nsegs = first + 1;
	return WS_OK;
}

/*
 * Removes a file no MANIFEST names any more ("index/...", "data/..."
 * relative to the store, dirfd its folder). Failure only leaves an
 * unreferenced file behind, which ws-reindex removes; what was committed
 * is already durable.
 */
static void
remove_unnamed(int dirfd, const ws__name *name)
{
	(void)unlinkat(dirfd, name->base, 0);
}

/*
 * Data files numbered above the last one the MANIFEST names were written
 * by a commit or compaction that died before its MANIFEST: no MANIFEST
 * will ever name them, and their blocks carry the seq this writer is
 * about to use again, so they go before it writes, durably (back after a
 * crash, they would tie with its blocks). What a dead writer did not
 * commit is not data: they are removed, not kept in lost+found, where an
 * interrupted compaction would pile up a copy of the store each time.
 */
static ws_status
clear_uncommitted_files(ws_store *st, ws_error *err)
{
	uint32_t last = 0;
	for (size_t i = 0; i < st->man.ndata; i++)
		if (st->man.data[i].id > last)
			last = st->man.data[i].id;
	bool removed = false;
	for (uint32_t id = last + 1; id != 0; id++) {
		ws__name rel;
		ws__data_file(id, &rel);
		if (unlinkat(st->datadirfd, rel.base, 0) != 0) {
			if (errno == ENOENT)
				break;
			return ws__errno(err, errno, "%s/%s: remove", st->path,
					 rel.rel);
		}
		removed = true;
	}
	char dir[WS_PATH_SIZE];
	return removed ? ws__fsync(st->datadirfd,
				   ws__store_path(dir, st->path, WS_DATA_DIR),
				   err)
		       : WS_OK;
}

/*
 * A writer trusts the MANIFEST only as far as the data bear it out: the
 * committed length of the file it appends to must end just after a sound
 * commit record, of a seq below next_seq. A lowered length would make it
 * cut a committed block; a lowered next_seq would let older values win.
 */
static ws_status
check_committed_tail(ws_store *st, ws_error *err)
{
	const ws_manifest *m = &st->man;
	if (m->ndata == 0 || m->data[m->ndata - 1].length == 0)
		return WS_OK;
	const ws_datafile_ref *f = &m->data[m->ndata - 1];
	ws__name rel;
	ws__data_file(f->id, &rel);
	char where[WS_WHERE_SIZE];
	snprintf(where, sizeof where, "%s/%s: offset %" PRIu64, st->path,
		 rel.rel, f->length < WS_COMMIT_RECORD ? 0 : f->length - WS_COMMIT_RECORD);
	unsigned char rec[WS_COMMIT_RECORD];
	ws_commit_record r;
	int fd;
	ws_status rc = ws__store_data_fd(st, f->id, &fd, err);
	if (rc == WS_OK && f->length < WS_COMMIT_RECORD)
		rc = ws__err(err, WS_ECORRUPT, "%s: no commit record", where);
	if (rc == WS_OK)
		rc = ws__pread_exact(fd, rec, sizeof rec,
				     (off_t)(f->length - WS_COMMIT_RECORD), where,
				     err);
	if (rc == WS_OK)
		rc = ws__commit_record_parse(rec, &r, where, err);
	if (rc == WS_OK && r.seq >= m->next_seq)
		rc = ws__err(err, WS_ECORRUPT,
			     "%s: commit %" PRIu64 " is not below next_seq %" PRIu64,
			     where, r.seq, m->next_seq);
	if (rc == WS_ECORRUPT)
		ws__err_prefix(err, "%s/%s does not match the data (run "
				    "'ws-reindex %s')",
			       st->path, WS_MANIFEST, st->path);
	return rc;
}

/*
 * Loads the state the last commit left (another writer may have committed
 * since this handle looked), clears what a failed writer left above it,
 * and starts the new manifest as its copy.
 */
static ws_status
start_from_committed(ws__writer *w, ws_error *err)
{
	ws_status rc = ws__store_reload(w->st, err);
	if (rc == WS_OK)
		rc = check_committed_tail(w->st, err);
	if (rc == WS_OK)
		rc = clear_uncommitted_files(w->st, err);
	const ws_manifest *m = &w->st->man;
	if (m->ndata > 0)
		w->first_new_id = m->data[m->ndata - 1].id + 1;
	return rc == WS_OK ? ws__manifest_copy(&w->m, m, err) : rc;
}

static void
remove_segments(ws__writer *w, const ws_segment_ref *old, size_t n)
{
	ws__name rel;
	for (size_t i = 0; i < n; i++) {
		ws__segment_file(old[i].id, &rel);
		remove_unnamed(w->st->indexdirfd, &rel);
	}
}

ws_status
ws__writer_begin(ws_store *st, ws__writer **out, ws_error *err)
{
	*out = writer_new(st, err);
	if (*out == NULL)
		return WS_ENOMEM;
	ws__writer *w = *out;
	ws_status rc = ws__lock_acquire(st->dirfd, st->path, &w->lockfd, err);
	if (rc == WS_OK)
		rc = start_from_committed(w, err);
	if (rc != WS_OK) {
		ws__writer_end(w);
		*out = NULL;
	}
	return rc;
}

ws_manifest *
ws__writer_manifest(ws__writer *w)
{
	return &w->m;
}

uint64_t
ws__writer_blocks(const ws__writer *w)
{
	return w->blocks;
}

/*
 * Closes what this attempt wrote to the current file with a commit
 * record (warmstore(5), Commit records), durably.
 */
static ws_status
append_record(ws__writer *w, uint16_t flags, ws_error *err)
{
	unsigned char rec[WS_COMMIT_RECORD];
	ws__commit_record_put(rec, &(ws_commit_record){
					   .flags = flags,
					   .seq = w->m.next_seq,
					   .blocks = w->file_blocks,
				   });
	ws_status rc = ws__pwrite_all(w->fd, rec, sizeof rec, (off_t)w->off,
				      w->fname, err);
	if (rc == WS_OK)
		rc = ws__fdatasync(w->fd, w->fname, err);
	if (rc != WS_OK)
		return rc;
	/* The file's previous record, if any, is not its last one now. */
	if (w->file_has_record)
		w->file->waste += sizeof rec;
	w->file_has_record = true;
	w->off += sizeof rec;
	w->file->length = w->off;
	w->file_blocks = 0;
	return WS_OK;
}

static ws_status
close_data_file(ws__writer *w, ws_error *err)
{
	if (w->fd < 0)
		return WS_OK;
	int rc = ws__close(w->fd);
	w->fd = -1;
	return rc != 0 ? ws__errno(err, errno, "%s: close", w->fname) : WS_OK;
}

/* A data file open for appends, a new one when the current one is full. */
static ws_status
prepare_file(ws__writer *w, ws_error *err)
{
	ws_status rc = WS_OK;
	if (w->fd >= 0 && w->file->length >= DATA_FILE_MAX)
		rc = append_record(w, 0, err);
	if (rc == WS_OK && (w->fd < 0 || w->file->length >= DATA_FILE_MAX)) {
		if ((rc = close_data_file(w, err)) == WS_OK &&
		    (rc = choose_file(w, err)) == WS_OK)
			rc = open_data_file(w, err);
	}
	return rc;
}

ws_status
ws__writer_append(ws__writer *w, const ws_batch *b, ws_error *err)
{
	ws_status rc = prepare_file(w, err);
	return rc == WS_OK ? write_blocks(w, b, err) : rc;
}

/*
 * Whether the MANIFEST on disk is the one a failed save was writing: a
 * failure after the rename leaves it in place. When unsure, say yes, so
 * that nothing it may name is removed.
 */
static bool
manifest_in_place(const ws__writer *w)
{
	ws_manifest m;
	ws_error ignored;
	ws__manifest_init(&m);
	bool differs = ws__manifest_load(w->st->dirfd, w->st->path, &m,
					 &ignored) == WS_OK &&
		       m.generation != w->m.generation;
	ws__manifest_free(&m);
	return !differs;
}

static void
remove_data_files(ws__writer *w, const ws_datafile_ref *old, size_t n)
{
	ws__name rel;
	for (size_t i = 0; i < n; i++) {
		ws__data_file(old[i].id, &rel);
		remove_unnamed(w->st->datadirfd, &rel);
	}
}

/* After the switch: the files the committed state named and the new does not. */
static void
remove_unneeded(ws__writer *w, size_t merged_from)
{
	const ws_manifest *old = &w->st->man;
	remove_segments(w, old->segs + merged_from, old->nsegs - merged_from);
	/* Retention and reclaiming take whole files out. */
	for (size_t i = 0; i < old->ndata; i++)
		if (ws__manifest_datafile(&w->m, old->data[i].id) == NULL)
			remove_data_files(w, &old->data[i], 1);
}

uint64_t
ws__writer_seq(const ws__writer *w)
{
	return w->m.next_seq;
}

void
ws__writer_drop_retained(ws__writer *w, const ws_progress_opts *progress)
{
	w->drop_retained = true;
	w->retire_progress = progress;
}

ws_status
ws__writer_drop(ws__writer *w, const ws_zone *z, ws_error *err)
{
	if (ws__grow(&w->zones, &w->cap_zones, w->nzones + 1, sizeof *w->zones,
		     err) != WS_OK)
		return WS_ENOMEM;
	ws_zone *d = &w->zones[w->nzones++];
	*d = *z;
	d->dropped = true;
	ws__manifest_add_waste(&w->m, z->file, z->bytes);
	return WS_OK;
}

uint32_t
ws__writer_appending(const ws__writer *w)
{
	return w->fd >= 0 ? w->file->id : 0;
}

bool
ws__writer_changes(const ws__writer *w)
{
	return w->nzones > 0 || w->m.ndata != w->st->man.ndata;
}

static int
offset_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

ws_status
ws__writer_drops_in(const ws__writer *w, uint32_t file, uint64_t **offsets,
		    size_t *n, ws_error *err)
{
	size_t cap = 0;
	*offsets = NULL;
	*n = 0;
	for (size_t i = 0; i < w->nzones; i++) {
		const ws_zone *z = &w->zones[i];
		if (!z->dropped || z->file != file)
			continue;
		if (ws__grow(offsets, &cap, *n + 1, sizeof **offsets, err) != WS_OK)
			return WS_ENOMEM;
		(*offsets)[(*n)++] = z->offset;
	}
	ws__sort(*offsets, *n, sizeof **offsets, offset_cmp);
	return WS_OK;
}

void
ws__writer_rewrite_file(ws__writer *w, uint32_t id)
{
	w->victim = id;
}

ws__retire_counts
ws__writer_retired(const ws__writer *w)
{
	return w->retired;
}

void
ws__writer_avoid_file(ws__writer *w, uint32_t id)
{
	w->avoid = id;
}

uint32_t
ws__writer_avoided(const ws__writer *w)
{
	return w->avoid;
}

void
ws__writer_forget_file(ws__writer *w, uint32_t id)
{
	ws_manifest *m = &w->m;
	uint32_t current = w->file != NULL ? w->file->id : 0;
	size_t kept = 0;
	for (size_t i = 0; i < m->ndata; i++)
		if (m->data[i].id != id)
			m->data[kept++] = m->data[i];
	m->ndata = kept;
	kept = 0;
	for (size_t q = 0; q < m->nquar; q++)
		if (m->quar[q].id != id)
			m->quar[kept++] = m->quar[q];
	m->nquar = kept;
	/* The refs moved over the one taken out. */
	if (w->file != NULL)
		w->file = (ws_datafile_ref *)ws__manifest_datafile(m, current);
}

ws_status
ws__writer_append_encoded(ws__writer *w, const unsigned char *buf, size_t len,
			  ws_block_head *heads, size_t *ends, size_t n,
			  ws_error *err)
{
	ws_status rc = prepare_file(w, err);
	/* The blocks as one encoding thread's share, written the same way. */
	struct shard sh = {.n = n, .buf = (unsigned char *)buf, .len = len,
			   .head = heads, .end = ends, .rc = WS_OK};
	size_t first = w->nzones;
	if (rc == WS_OK)
		rc = write_shard(w, &sh, err);
	if (rc != WS_OK)
		return rc;
	/* A retention record is found through the MANIFEST, not the index. */
	size_t kept = first;
	for (size_t i = 0; i < n; i++)
		if (heads[i].flags != WS_BLOCK_RETENTION)
			w->zones[kept++] = w->zones[first + i];
	w->nzones = kept;
	return sync_appended(w, err);
}

ws_status
ws__writer_publish(ws__writer *w, ws_error *err)
{
	ws_status rc = w->fd >= 0 ? append_record(w, WS_COMMIT_FINAL, err)
				  : WS_OK;
	if (rc == WS_OK)
		rc = close_data_file(w, err);
	/* Room for the new segment entry when nothing is merged. */
	size_t cap = w->m.nsegs;
	if (rc == WS_OK &&
	    ws__grow(&w->m.segs, &cap, w->m.nsegs + 1, sizeof *w->m.segs, err) !=
		    WS_OK)
		rc = WS_ENOMEM;
	size_t first = 0;
	if (rc == WS_OK) {
		w->segment = w->m.next_segment;
		w->wrote_segment = true;
		rc = write_index(w, &first, err);
	}
	if (rc != WS_OK)
		return rc;
	w->m.generation++;
	w->m.next_seq++;
	rc = ws__manifest_save(w->st->dirfd, w->st->path, &w->m, err);
	w->published = rc == WS_OK || manifest_in_place(w);
	if (rc == WS_OK)
		remove_unneeded(w, first);
	return rc;
}

/* Cuts a data file ("data/..." relative to the store) back to length. */
static void
cut_back(int datadirfd, const ws__name *name, uint64_t length)
{
	int fd = openat(datadirfd, name->base,
			O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	/* On failure the next writer cuts the tail. */
	if (ftruncate(fd, (off_t)length) == 0)
		(void)ws__fsync(fd, name->rel, NULL);
	ws__close(fd);
}

/*
 * What an attempt that did not publish wrote is named by no MANIFEST:
 * left in place, a commit or compaction that ran out of space would keep
 * the space from the commits after it. Its new data files and segment go,
 * and the data file it appended to is cut back to its committed length.
 * Failure only leaves bytes that the next writer cuts or moves aside.
 */
static void
discard(ws__writer *w)
{
	const ws_manifest *old = &w->st->man;
	for (size_t i = 0; i < w->m.ndata; i++) {
		const ws_datafile_ref *f = &w->m.data[i];
		const ws_datafile_ref *was = ws__manifest_datafile(old, f->id);
		ws__name rel;
		ws__data_file(f->id, &rel);
		if (was == NULL)
			remove_unnamed(w->st->datadirfd, &rel);
		else if (f == w->file)
			cut_back(w->st->datadirfd, &rel, was->length);
	}
	if (w->wrote_segment) {
		ws_segment_ref seg = {w->segment, 0};
		remove_segments(w, &seg, 1);
	}
}

void
ws__writer_end(ws__writer *w)
{
	if (w == NULL)
		return;
	(void)close_data_file(w, NULL);
	if (!w->published && w->lockfd >= 0)
		discard(w);
	ws__lock_release(&w->lockfd);
	writer_free(w);
}
