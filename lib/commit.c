/*
 * commit.c - the write path: one batch becomes blocks at the end of a
 * data file, a new index segment and a new manifest, in the order that
 * makes a crash at any instant harmless (DESIGN.md section 3):
 *
 *   1. lock; reread the manifest (another writer may have committed);
 *   2. cut the data file back to its committed length (a crashed
 *      writer's torn tail), append the blocks, fdatasync;
 *   3. write the batch's zones, merged with the newest segments, as a
 *      new segment file, fsync it and index/;
 *   4. replace MANIFEST atomically (tmp, fsync, rename, fsync dir);
 *   5. remove the segments merged away; unlock.
 *
 * Until step 4 completes no reader can see any of it; after it, all of it
 * is durable.
 */
#include "ws_private.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DATA_FILE_MAX (1ull << 30)

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

/* State of one commit in progress. */
typedef struct commit {
	ws_store *st;
	ws_manifest m; /* the manifest this commit will write */
	int fd;        /* the data file being appended to */
	char fname[4200];
	ws_datafile_ref *file;
	bool new_file;
	uint64_t off; /* where the next block goes */
	ws_zone *zones; /* the batch's */
	size_t nzones, cap_zones;
	uint64_t blocks; /* blocks this commit wrote */
	struct span *spans; /* the batch cut into blocks */
	size_t nspans, cap_spans;
	struct shard shards[2]; /* what each of two threads encodes */
} commit;

static void
commit_init(commit *c, ws_store *st)
{
	memset(c, 0, sizeof *c);
	c->st = st;
	c->fd = -1;
	for (int i = 0; i < 2; i++)
		ws__encoder_init(&c->shards[i].enc);
	ws__manifest_init(&c->m);
}

static void
commit_free(commit *c)
{
	for (int i = 0; i < 2; i++) {
		struct shard *sh = &c->shards[i];
		ws__encoder_free(&sh->enc);
		free(sh->blk);
		free(sh->buf);
		free(sh->head);
		free(sh->end);
	}
	free(c->spans);
	free(c->zones);
	ws__manifest_free(&c->m);
}

/* The space dimensions of the batch must agree with the fresh manifest. */
static ws_status
check_dims(commit *c, const ws_batch *b, ws_error *err)
{
	for (size_t i = 0; i < b->n; i++) {
		const ws_batch_entry *e = &b->e[i];
		if (i > 0 && e->space == b->e[i - 1].space)
			continue;
		uint32_t dim = ws__manifest_dim(&c->m, e->space);
		if (dim == 0) {
			ws_status rc = ws__manifest_set_dim(&c->m, e->space,
							    e->dim, err);
			if (rc != WS_OK)
				return rc;
		} else if (dim != e->dim) {
			return ws__err(err, WS_EBADINPUT,
				       "%s:%" PRIu64 ": vector has %" PRIu32
				       " values but space %" PRIu32
				       " holds %" PRIu32
				       " (set by a concurrent writer)",
				       b->source, e->line, e->dim, e->space,
				       dim);
		}
	}
	return WS_OK;
}

/* Picks the data file to append to, starting a new one when full. */
static ws_status
choose_file(commit *c, ws_error *err)
{
	ws_manifest *m = &c->m;
	if (m->ndata == 0 || m->data[m->ndata - 1].length >= DATA_FILE_MAX) {
		uint32_t id = m->ndata ? m->data[m->ndata - 1].id + 1 : 1;
		size_t cap = m->ndata;
		if (ws__grow(&m->data, &cap, m->ndata + 1, sizeof *m->data, err) !=
		    WS_OK)
			return WS_ENOMEM;
		m->data[m->ndata++] = (ws_datafile_ref){id, 0};
		c->new_file = true;
	}
	c->file = &m->data[m->ndata - 1];
	c->off = c->file->length;
	return WS_OK;
}

static ws_status
open_data_file(commit *c, ws_error *err)
{
	char rel[64];
	ws__data_name(c->file->id, rel, sizeof rel);
	snprintf(c->fname, sizeof c->fname, "%s/%s", c->st->path, rel);
	c->fd = ws__openat_regular(c->st->datadirfd, strchr(rel, '/') + 1,
				   O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
				   0666);
	if (c->fd < 0)
		return ws__errno(err, errno, "%s: open", c->fname);
	struct stat sb;
	if (fstat(c->fd, &sb) != 0)
		return ws__errno(err, errno, "%s: stat", c->fname);
	if ((uint64_t)sb.st_size < c->file->length)
		return ws__err(err, WS_ECORRUPT,
			       "%s: shorter (%lld bytes) than its committed "
			       "length %" PRIu64,
			       c->fname, (long long)sb.st_size, c->file->length);
	/* Bytes past the committed length are a crashed writer's tail. */
	if ((uint64_t)sb.st_size > c->file->length &&
	    ftruncate(c->fd, (off_t)c->file->length) != 0)
		return ws__errno(err, errno, "%s: truncate", c->fname);
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
cut_spans(commit *c, const ws_batch *b, ws_error *err)
{
	c->nspans = 0;
	size_t i = 0;
	while (i < b->n) {
		size_t end = i + 1;
		while (end < b->n && b->e[end].entity == b->e[i].entity &&
		       b->e[end].space == b->e[i].space)
			end++;
		while (i < end) {
			if (ws__grow(&c->spans, &c->cap_spans, c->nspans + 1,
				     sizeof *c->spans, err) != WS_OK)
				return WS_ENOMEM;
			c->spans[c->nspans] = block_span(b, i, end);
			i += c->spans[c->nspans++].count;
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
write_shard(commit *c, const struct shard *sh, ws_error *err)
{
	if (sh->rc != WS_OK) {
		*err = sh->err;
		return sh->rc;
	}
	if (ws__grow(&c->zones, &c->cap_zones, c->nzones + sh->n,
		     sizeof *c->zones, err) != WS_OK)
		return WS_ENOMEM;
	for (size_t i = 0; i < sh->n; i++) {
		const ws_block_head *h = &sh->head[i];
		size_t start = i ? sh->end[i - 1] : 0;
		c->zones[c->nzones++] = (ws_zone){
			.entity = h->entity,
			.space = h->space,
			.file = c->file->id,
			.offset = c->off + start,
			.min_ts = h->min_ts,
			.max_ts = h->max_ts,
			.seq = h->seq,
			.count = h->count,
			.bytes = (uint32_t)(sh->end[i] - start),
			.raw_len = h->raw_len,
		};
	}
	ws_status rc = ws__pwrite_all(c->fd, sh->buf, sh->len, (off_t)c->off,
				      c->fname, err);
	if (rc == WS_OK) {
		c->off += sh->len;
		c->blocks += sh->n;
	}
	return rc;
}

/*
 * Encodes spans [from, to) on two threads, the first half here and the
 * second on a helper thread (inline if none can be started), then writes
 * both halves in order.
 */
static ws_status
write_wave(commit *c, const ws_batch *b, size_t from, size_t to,
	   ws_error *err)
{
	/* Halves of about equal raw size, so both threads finish together. */
	size_t total = 0, half = 0, mid = from;
	for (size_t i = from; i < to; i++)
		total += c->spans[i].raw;
	while (mid < to && half < total / 2)
		half += c->spans[mid++].raw;
	const size_t bounds[3] = {from, mid, to};
	for (int i = 0; i < 2; i++) {
		struct shard *sh = &c->shards[i];
		sh->b = b;
		sh->spans = c->spans + bounds[i];
		sh->n = bounds[i + 1] - bounds[i];
		sh->seq = c->m.next_seq;
	}
	pthread_t helper;
	bool threaded = c->shards[1].n > 0 &&
			pthread_create(&helper, NULL, encode_shard, &c->shards[1]) == 0;
	encode_shard(&c->shards[0]);
	if (threaded)
		/* Joining a thread this function started cannot fail. */
		(void)pthread_join(helper, NULL);
	else
		encode_shard(&c->shards[1]);
	ws_status rc = write_shard(c, &c->shards[0], err);
	return rc == WS_OK ? write_shard(c, &c->shards[1], err) : rc;
}

/* Raw bytes a wave of blocks gathers before its threads start. */
#define WAVE_RAW (4u << 20)

static ws_status
write_blocks(commit *c, const ws_batch *b, ws_error *err)
{
	ws_status rc = cut_spans(c, b, err);
	size_t w = 0;
	while (rc == WS_OK && w < c->nspans) {
		size_t end = w, raw = 0;
		while (end < c->nspans && raw < WAVE_RAW)
			raw += c->spans[end++].raw;
		rc = write_wave(c, b, w, end, err);
		w = end;
	}
	if (rc == WS_OK)
		rc = ws__fdatasync(c->fd, c->fname, err);
	if (rc == WS_OK && c->new_file) {
		char dir[4200];
		snprintf(dir, sizeof dir, "%s/data", c->st->path);
		rc = ws__fsync(c->st->datadirfd, dir, err);
	}
	if (rc == WS_OK)
		c->file->length = c->off;
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
write_index(commit *c, size_t *merged_from, ws_error *err)
{
	ws_manifest *m = &c->m;
	size_t first = segments_to_merge(m, c->nzones);
	uint64_t records = c->nzones;
	for (size_t s = first; s < m->nsegs; s++)
		records += m->segs[s].records;
	uint64_t id = m->next_segment++;
	ws_status rc = ws__segment_write_merged(
		c->st->indexdirfd, c->st->path, id, c->zones, c->nzones,
		c->st->segs + first, m->nsegs - first, err);
	if (rc == WS_OK) {
		char dir[4200];
		snprintf(dir, sizeof dir, "%s/index", c->st->path);
		rc = ws__fsync(c->st->indexdirfd, dir, err);
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
remove_unnamed(int dirfd, const char *rel)
{
	(void)unlinkat(dirfd, strchr(rel, '/') + 1, 0);
}

/*
 * Data files numbered above the last one the MANIFEST names were written
 * by a commit or compaction that died before its MANIFEST: no MANIFEST
 * will ever name them, and their blocks carry the seq this writer is
 * about to use again, so they go before it writes, durably (back after a
 * crash, they would tie with its blocks). They go to lost+found, not
 * away: such a file may also be one restored there by hand.
 */
static ws_status
clear_uncommitted_files(ws_store *st, ws_error *err)
{
	uint32_t last = 0;
	for (size_t i = 0; i < st->man.ndata; i++)
		if (st->man.data[i].id > last)
			last = st->man.data[i].id;
	uint32_t ids[64];
	size_t n = 0;
	for (uint32_t id = last + 1; id != 0 && n < 64; id++) {
		char rel[64];
		struct stat sb;
		ws__data_name(id, rel, sizeof rel);
		if (fstatat(st->datadirfd, strchr(rel, '/') + 1, &sb,
			    AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno == ENOENT)
				break;
			return ws__errno(err, errno, "%s/%s: stat", st->path, rel);
		}
		ids[n++] = id;
	}
	return ws__move_to_lost(st->dirfd, st->datadirfd, st->path, ids, n,
				err);
}

/*
 * Loads the state the last commit left (another writer may have committed
 * since this handle looked), clears what a failed writer left above it,
 * and starts the new manifest as its copy.
 */
static ws_status
start_from_committed(commit *c, ws_error *err)
{
	ws_status rc = ws__store_reload(c->st, err);
	if (rc == WS_OK)
		rc = clear_uncommitted_files(c->st, err);
	return rc == WS_OK ? ws__manifest_copy(&c->m, &c->st->man, err) : rc;
}

static void
remove_segments(commit *c, const ws_segment_ref *old, size_t n)
{
	char rel[64];
	for (size_t i = 0; i < n; i++) {
		ws__segment_name(old[i].id, rel, sizeof rel);
		remove_unnamed(c->st->indexdirfd, rel);
	}
}

static ws_status
run_commit(commit *c, ws_batch *b, ws_error *err)
{
	ws_store *st = c->st;
	ws_status rc = start_from_committed(c, err);
	if (rc == WS_OK)
		rc = check_dims(c, b, err);
	if (rc == WS_OK)
		rc = choose_file(c, err);
	if (rc == WS_OK)
		rc = open_data_file(c, err);
	if (rc == WS_OK)
		rc = write_blocks(c, b, err);
	size_t first = 0;
	/* Room for the new segment entry when nothing is merged. */
	size_t cap = c->m.nsegs;
	if (rc == WS_OK &&
	    ws__grow(&c->m.segs, &cap, c->m.nsegs + 1, sizeof *c->m.segs, err) !=
		    WS_OK)
		rc = WS_ENOMEM;
	if (rc == WS_OK)
		rc = write_index(c, &first, err);
	if (rc != WS_OK)
		return rc;
	c->m.generation++;
	c->m.next_seq++;
	rc = ws__manifest_save(st->dirfd, st->path, &c->m, err);
	if (rc != WS_OK)
		return rc;
	remove_segments(c, st->man.segs + first, st->man.nsegs - first);
	return WS_OK;
}

ws_status
ws__store_commit(ws_store *st, ws_batch *b, uint64_t *blocks, ws_error *err)
{
	*blocks = 0;
	if (b->n == 0)
		return WS_OK;
	ws__batch_sort_dedup(b);
	int lockfd;
	ws_status rc = ws__lock_acquire(st->dirfd, st->path, &lockfd, err);
	if (rc != WS_OK)
		return rc;
	commit c;
	commit_init(&c, st);
	rc = run_commit(&c, b, err);
	*blocks = c.blocks;
	if (c.fd >= 0 && ws__close(c.fd) != 0 && rc == WS_OK)
		rc = ws__errno(err, errno, "%s: close", c.fname);
	ws__lock_release(&lockfd);
	commit_free(&c);
	/* Readers of this handle see the new state. */
	if (rc == WS_OK && (rc = ws__store_reload(st, err)) != WS_OK &&
	    err != NULL) {
		/* The caller must not take the batch for lost. */
		size_t n = strlen(err->msg);
		snprintf(err->msg + n, sizeof err->msg - n,
			 " (after the batch was committed)");
	}
	return rc;
}

/*
 * Compaction: the same write path, for a whole store. Every series is
 * read through a scan cursor (so each key comes once, its latest write)
 * and written again into new data files in as few blocks as the block
 * limits allow; one new segment indexes them; the MANIFEST then names only
 * the new files, and the old data files and segments are removed. Until
 * the MANIFEST is replaced, readers and a crash see the old store; after
 * it, the new one. Readers that opened the old files keep reading them.
 */

#define COMPACT_BATCH_BYTES (32u << 20)

/* Appends a sorted batch of whole series to the new data files. */
static ws_status
append_batch(commit *c, ws_batch *b, ws_error *err)
{
	ws_status rc = choose_file(c, err);
	if (rc == WS_OK)
		rc = open_data_file(c, err);
	if (rc == WS_OK)
		rc = write_blocks(c, b, err);
	if (c->fd >= 0 && ws__close(c->fd) != 0 && rc == WS_OK)
		rc = ws__errno(err, errno, "%s: close", c->fname);
	c->fd = -1;
	ws__batch_reset(b);
	return rc;
}

/* Streams every point of the store into new blocks, a batch at a time. */
static ws_status
rewrite_points(commit *c, uint64_t *points, ws_error *err)
{
	ws_range_opts all = {.from = INT64_MIN, .to = INT64_MAX};
	ws_cursor *cur;
	ws_status rc = ws_store_scan(c->st, &all, &cur, err);
	if (rc != WS_OK)
		return rc;
	ws_batch b;
	ws__batch_init(&b);
	ws_point pt;
	while ((rc = ws_cursor_next(cur, &pt, err)) == WS_OK) {
		/* Cut batches between series, so that a series stays whole. */
		bool new_series = b.n == 0 || pt.entity_id != b.e[b.n - 1].entity ||
				  pt.space_id != b.e[b.n - 1].space;
		if (new_series && ws__batch_bytes(&b) >= COMPACT_BATCH_BYTES &&
		    (rc = append_batch(c, &b, err)) != WS_OK)
			break;
		if ((rc = ws__batch_add(&b, &pt, ++*points, err)) != WS_OK)
			break;
	}
	if (rc == WS_NOTFOUND)
		rc = b.n > 0 ? append_batch(c, &b, err) : WS_OK;
	ws__batch_free(&b);
	ws_cursor_free(cur);
	return rc;
}

/* Points the new manifest at one fresh data file after the old ones. */
static ws_status
start_new_files(commit *c, ws_error *err)
{
	ws_manifest *m = &c->m;
	uint32_t id = m->ndata ? m->data[m->ndata - 1].id + 1 : 1;
	m->ndata = 0;
	size_t cap = 0;
	free(m->data);
	m->data = NULL;
	if (ws__grow(&m->data, &cap, 1, sizeof *m->data, err) != WS_OK)
		return WS_ENOMEM;
	m->data[m->ndata++] = (ws_datafile_ref){id, 0};
	c->new_file = true;
	/* Moved-aside ranges belong to the old files; lost+found keeps them. */
	m->nquar = 0;
	return WS_OK;
}

static void
remove_data_files(commit *c, const ws_datafile_ref *old, size_t n)
{
	char rel[64];
	for (size_t i = 0; i < n; i++) {
		ws__data_name(old[i].id, rel, sizeof rel);
		remove_unnamed(c->st->datadirfd, rel);
	}
}

/*
 * Removes what a failed compaction wrote, named by no MANIFEST: left in
 * place, a compaction that ran out of space would keep the space from
 * the commits after it.
 */
static void
discard_output(commit *c, uint64_t segment)
{
	ws_segment_ref seg = {segment, 0};
	remove_data_files(c, c->m.data, c->m.ndata);
	remove_segments(c, &seg, 1);
}

/*
 * Whether the MANIFEST on disk is the one a failed save was writing: a
 * failure after the rename leaves it in place. When unsure, say yes, so
 * that nothing it may name is removed.
 */
static bool
manifest_in_place(commit *c)
{
	ws_manifest m;
	ws_error ignored;
	ws__manifest_init(&m);
	bool differs = ws__manifest_load(c->st->dirfd, c->st->path, &m,
					 &ignored) == WS_OK &&
		       m.generation != c->m.generation;
	ws__manifest_free(&m);
	return !differs;
}

static ws_status
run_compaction(commit *c, ws_compact_stats *stats, ws_error *err)
{
	ws_store *st = c->st;
	ws_status rc = start_from_committed(c, err);
	for (size_t i = 0; rc == WS_OK && i < st->man.ndata; i++)
		stats->bytes_before += st->man.data[i].length;
	for (size_t i = 0; rc == WS_OK && i < st->man.nsegs; i++)
		stats->blocks_before += st->man.segs[i].records;
	if (rc != WS_OK || stats->blocks_before == 0)
		return rc;
	if ((rc = start_new_files(c, err)) != WS_OK)
		return rc;
	uint64_t new_segment = c->m.next_segment;
	/* Every old segment is replaced: write_index merges none of them. */
	size_t first;
	if ((rc = rewrite_points(c, &stats->points, err)) != WS_OK ||
	    (c->m.nsegs = 0, rc = write_index(c, &first, err)) != WS_OK) {
		discard_output(c, new_segment);
		return rc;
	}
	c->m.generation++;
	c->m.next_seq++;
	if ((rc = ws__manifest_save(st->dirfd, st->path, &c->m, err)) != WS_OK) {
		if (!manifest_in_place(c))
			discard_output(c, new_segment);
		return rc;
	}
	remove_segments(c, st->man.segs, st->man.nsegs);
	remove_data_files(c, st->man.data, st->man.ndata);
	stats->blocks_after = c->nzones;
	stats->bytes_after = c->m.data[c->m.ndata - 1].length;
	for (size_t i = 0; i + 1 < c->m.ndata; i++)
		stats->bytes_after += c->m.data[i].length;
	return WS_OK;
}

ws_status
ws_compact(const char *path, ws_compact_stats *stats, ws_error *err)
{
	memset(stats, 0, sizeof *stats);
	ws_store *st;
	ws_status rc = ws_store_open(path, WS_OPEN_READ, &st, err);
	if (rc != WS_OK)
		return rc;
	commit c;
	commit_init(&c, st);
	int lockfd;
	rc = ws__lock_acquire(st->dirfd, st->path, &lockfd, err);
	if (rc == WS_OK) {
		rc = run_compaction(&c, stats, err);
		ws__lock_release(&lockfd);
	}
	commit_free(&c);
	ws_store_close(st);
	return rc;
}
