/*
 * compact.c - a full compaction (ws-reindex --compact) in bounded space
 * (warmstore(5), Compaction). The data files are emptied one at a time,
 * oldest first: the series that hold blocks in the file (read from its
 * block headers) are taken, a batch of whole series at a time, and each
 * series' visible points (read through the series cursor, so each key
 * comes once, its newest write, less what deletes hide) are written again
 * in as few blocks as the block limits allow, to a file of their own, and
 * drop records take all its old data blocks out of the index, in one
 * commit per batch. Each commit then rewrites the data files that now
 * waste most (store/reclaim.c), the emptied one first, and they are
 * removed once its MANIFEST is in place. So the store needs no more free
 * space than what the series of one data file compact into, and a
 * compaction stopped half way leaves a sound store.
 *
 * A series with nothing to gain (no tombstone hiding a stored block, no
 * overlapping blocks, no retention record hiding part of it, at most one
 * block short of half full) is neither read nor written: a second
 * compaction writes no file.
 */
#include "write/write.h"

#include <stdlib.h>
#include <string.h>

/*
 * Points are handed to the writer 32 MiB at a time, cut between series so
 * that a series stays whole: memory stays bounded and blocks stay full.
 */
#define COMPACT_BATCH_BYTES (32u << 20)
/* What one commit copies at most of the files it rewrites. */
#define RECLAIM_PER_COMMIT (64u << 20)
/* Progress is reported once per this many points, and at the end. */
#define PROGRESS_EVERY 65536u

typedef struct series_key {
	uint64_t entity;
	uint32_t space;
} series_key;

/* The zones of one series, as the zone map lists them. */
typedef struct series {
	uint64_t entity;
	uint32_t space;
	ws_zone *z;
	size_t n, cap;
} series;

/* Where a compaction stands across its commits. */
typedef struct compaction {
	ws_store *st;
	const ws_progress_opts *o;
	ws_compact_stats *stats;
	uint64_t total; /* points of the zone map at the start */
	uint64_t first_seq; /* of the compaction's first commit */
	uint32_t *files; /* the data files at the start, oldest first ... */
	size_t nfiles, next_file;
	uint32_t file;   /* ... the one being emptied now ... */
	series_key *keys; /* ... the series it holds blocks of ... */
	size_t nkeys, next_key, cap_keys; /* ... and the next of them */
	bool last; /* the last commit, which only gives back files, is done */
	bool published; /* a commit of it was */
	series s;
	ws_batch b;
} compaction;

static void
report(const compaction *c)
{
	if (c->o != NULL && c->o->on_progress != NULL)
		c->o->on_progress(c->o->ctx, c->stats->points, c->total);
}


/* Blocks and points of the zone map (tombstones hold ranges, not points). */
static ws_status
count_zones(ws_store *st, uint64_t *blocks, uint64_t *points, ws_error *err)
{
	ws__zone_merge m;
	ws_status rc = ws__zone_merge_open(&m, st->segs, st->nsegs, 1, st->path,
					   err);
	ws_zone z;
	*blocks = *points = 0;
	while (rc == WS_OK && (rc = ws__zone_merge_next(&m, &z, err)) == WS_OK) {
		(*blocks)++;
		if (!z.tombstone)
			*points += z.count;
	}
	ws__zone_merge_free(&m); /* a failed open left nothing to free */
	return rc == WS_NOTFOUND ? WS_OK : rc;
}

/*
 * Whether a block is at least half as full as the writer makes them: it
 * cuts blocks by the raw size of the points (4 bytes a value), not by the
 * coded size the zone records.
 */
static bool
full(const ws_manifest *m, const ws_zone *z)
{
	uint64_t raw = (uint64_t)z->count *
		       ((uint64_t)ws__manifest_dim(m, z->space) * 4 + WS_VARINT_MAX);
	return z->count >= WS_BLOCK_MAX_POINTS / 2 || raw >= WS_BLOCK_MAX_RAW / 2;
}

/* The seq of the series' oldest data block (UINT64_MAX: none). */
static uint64_t
oldest_data(const series *s)
{
	uint64_t seq = UINT64_MAX;
	for (size_t i = 0; i < s->n; i++)
		if (!s->z[i].tombstone && s->z[i].seq < seq)
			seq = s->z[i].seq;
	return seq;
}

/*
 * Whether rewriting the series would change nothing but its seq: no
 * tombstone that hides a stored block (one older than every data block
 * hides none), no overlapping blocks, no retention record hiding part of
 * it, at most one block short of half full.
 */
static bool
nothing_to_gain(const ws_manifest *m, const series *s)
{
	size_t short_blocks = 0;
	uint64_t oldest = oldest_data(s);
	for (size_t i = 0; i < s->n; i++) {
		const ws_zone *z = &s->z[i];
		if (z->tombstone) {
			if (z->seq > oldest)
				return false;
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (!s->z[j].tombstone && s->z[j].min_ts <= z->max_ts &&
			    z->min_ts <= s->z[j].max_ts)
				return false;
		for (size_t r = 0; r < m->nret; r++)
			if (z->seq < m->ret[r].seq && z->min_ts < m->ret[r].before &&
			    (!m->ret[r].has_space || m->ret[r].space == z->space))
				return false;
		short_blocks += !full(m, z);
	}
	return short_blocks <= 1;
}

/* The points of a series with nothing to gain: each key once. */
static uint64_t
kept_points(const series *s)
{
	uint64_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->z[i].count;
	return n;
}

/* Gathers the zones of the series key into s (none: s->n is 0). */
static ws_status
series_zones(ws_store *st, series_key key, series *s, ws_error *err)
{
	ws__zone_merge m;
	ws_status rc = ws__zone_merge_open(&m, st->segs, st->nsegs, 1, st->path,
					   err);
	if (rc != WS_OK)
		return rc;
	s->entity = key.entity;
	s->space = key.space;
	s->n = 0;
	ws_zone z;
	rc = ws__zone_merge_seek(&m, key.entity, key.space, err);
	while (rc == WS_OK && (rc = ws__zone_merge_next(&m, &z, err)) == WS_OK &&
	       z.entity == key.entity && z.space == key.space) {
		if (ws__grow(&s->z, &s->cap, s->n + 1, sizeof *s->z, err) != WS_OK)
			rc = WS_ENOMEM;
		else
			s->z[s->n++] = z;
	}
	ws__zone_merge_free(&m);
	return rc == WS_NOTFOUND ? WS_OK : rc;
}

/* The least data file holding a data block of the series. */
static uint32_t
first_file(const series *s)
{
	uint32_t id = UINT32_MAX;
	for (size_t i = 0; i < s->n; i++)
		if (!s->z[i].tombstone && s->z[i].file < id)
			id = s->z[i].file;
	return id;
}

/*
 * Reads the series' visible points into the batch and drops its data
 * blocks. Its tombstones stay, as retention records do: the dropped
 * blocks stay on disk until a reclaim removes their file, and a rebuild
 * from the data alone, which cannot know drop records, must still find
 * what hides their points (warmstore(5), Compaction).
 */
static ws_status
rewrite_series(compaction *c, ws__writer *w, ws_cursor *cur, ws_error *err)
{
	ws_status rc = ws__cursor_series(cur, c->s.entity, c->s.space,
					 INT64_MIN, INT64_MAX, err);
	ws_point pt;
	while (rc == WS_OK && (rc = ws__cursor_next(cur, &pt, err)) == WS_OK) {
		rc = ws__batch_add(&c->b, &pt, ++c->stats->points, err);
		if (rc == WS_OK && c->stats->points % PROGRESS_EVERY == 0)
			report(c);
	}
	if (rc != WS_NOTFOUND)
		return rc;
	for (size_t i = 0; i < c->s.n; i++)
		if (!c->s.z[i].tombstone &&
		    (rc = ws__writer_drop(w, &c->s.z[i], err)) != WS_OK)
			return rc;
	return WS_OK;
}

static int
key_cmp(const void *pa, const void *pb)
{
	const series_key *a = pa, *b = pb;
	if (a->entity != b->entity)
		return a->entity < b->entity ? -1 : 1;
	return a->space < b->space ? -1 : a->space > b->space;
}

static ws_status
add_key(compaction *c, const ws_block_head *h, ws_error *err)
{
	if (c->nkeys > 0 && c->keys[c->nkeys - 1].entity == h->entity &&
	    c->keys[c->nkeys - 1].space == h->space)
		return WS_OK;
	if (ws__grow(&c->keys, &c->cap_keys, c->nkeys + 1, sizeof *c->keys,
		     err) != WS_OK)
		return WS_ENOMEM;
	c->keys[c->nkeys++] = (series_key){h->entity, h->space};
	return WS_OK;
}

/* The series that hold data blocks in data file id, from its headers. */
static ws_status
load_keys(compaction *c, uint32_t id, ws_error *err)
{
	c->nkeys = c->next_key = 0;
	c->file = id;
	const ws_datafile_ref *f = ws__manifest_datafile(&c->st->man, id);
	if (f == NULL)
		return WS_OK; /* gone since: retention or a reclaim took it */
	ws_datafile_ref ref = *f;
	int fd;
	ws_status rc = ws__store_data_fd(c->st, id, &fd, err);
	uint64_t off = 0;
	ws_block_head h;
	while (rc == WS_OK &&
	       (rc = ws__walk_next(c->st, &c->st->man, &ref, fd, &off, &h,
				   err)) == WS_OK) {
		if (h.flags == 0)
			rc = add_key(c, &h, err);
		off += WS_BLOCK_HEADER + (uint64_t)h.stored_len;
	}
	if (rc != WS_NOTFOUND)
		return rc;
	ws__sort(c->keys, c->nkeys, sizeof *c->keys, key_cmp);
	size_t kept = 0;
	for (size_t i = 0; i < c->nkeys; i++)
		if (kept == 0 || key_cmp(&c->keys[kept - 1], &c->keys[i]) != 0)
			c->keys[kept++] = c->keys[i];
	c->nkeys = kept;
	return WS_OK;
}

/* Takes series from c->keys on, up to the batch size, into the batch. */
static ws_status
gather(compaction *c, ws__writer *w, ws_error *err)
{
	ws_cursor *cur = NULL;
	ws_status rc = ws__cursor_new(c->st, 1, &cur, err);
	while (rc == WS_OK && c->next_key < c->nkeys &&
	       ws__batch_bytes(&c->b) < COMPACT_BATCH_BYTES) {
		rc = series_zones(c->st, c->keys[c->next_key++], &c->s, err);
		/* Written by this compaction already (or holding no data block). */
		if (rc != WS_OK || oldest_data(&c->s) >= c->first_seq)
			continue;
		if (!nothing_to_gain(&c->st->man, &c->s))
			rc = rewrite_series(c, w, cur, err);
		else if (first_file(&c->s) == c->file)
			c->stats->points += kept_points(&c->s);
	}
	ws__cursor_free(cur);
	return rc;
}

/* Whether every data file of the start was emptied, and given back. */
static bool
finished(const compaction *c)
{
	return c->last;
}

/* Rewrites the files that waste most, up to a bound per commit. */
static ws_status
reclaim(ws_store *st, ws__writer *w, ws_error *err)
{
	uint64_t copied = 0;
	bool rewrote = true;
	ws_status rc = WS_OK;
	while (rc == WS_OK && rewrote && copied < RECLAIM_PER_COMMIT)
		rc = ws__reclaim(st, w, true, RECLAIM_PER_COMMIT, &rewrote,
				 &copied, err);
	return rc;
}

/* One commit: a batch of series rewritten, wasteful files rewritten. */
static ws_status
compaction_step(compaction *c, ws_error *err)
{
	ws__writer *w;
	ws_status rc = ws__writer_begin(c->st, &w, err);
	if (rc != WS_OK)
		return rc;
	if (c->first_seq == 0)
		c->first_seq = ws__writer_seq(w);
	while (rc == WS_OK && c->next_key == c->nkeys && c->next_file < c->nfiles)
		rc = load_keys(c, c->files[c->next_file++], err);
	/*
	 * What it writes goes to a file of its own, not the one it empties,
	 * which no reclaim copies before its last series is done; the last
	 * commit has no series left, and rewrites what it can.
	 */
	c->last = c->next_key == c->nkeys && c->next_file == c->nfiles;
	ws__writer_avoid_file(w, c->last ? 0 : c->file);
	if (rc == WS_OK)
		rc = gather(c, w, err);
	/* Before the batch: a reclaim must not take its blocks for dead. */
	if (rc == WS_OK)
		rc = reclaim(c->st, w, err);
	if (rc == WS_OK && c->b.n > 0) {
		ws__batch_sort_dedup(&c->b);
		rc = ws__writer_append(w, &c->b, err);
	}
	/*
	 * The last commit merges the whole index, so that the drop records
	 * of the files given back go too, and takes out the files left with
	 * no block (retire.c).
	 */
	if (c->last && c->published)
		ws__writer_drop_retained(w, NULL);
	if (rc == WS_OK && (ws__writer_changes(w) || (c->last && c->published))) {
		rc = ws__writer_publish(w, err);
		c->published = c->published || rc == WS_OK;
	}
	ws__writer_end(w);
	ws__batch_reset(&c->b);
	return rc == WS_OK ? ws__store_reload(c->st, err) : rc;
}

static ws_status
run_compaction(compaction *c, ws_error *err)
{
	ws_compact_stats *stats = c->stats;
	uint64_t points;
	ws_status rc = count_zones(c->st, &stats->blocks_before, &c->total, err);
	const ws_manifest *m = &c->st->man;
	stats->bytes_before = ws__manifest_data_bytes(m);
	c->files = malloc((m->ndata ? m->ndata : 1) * sizeof *c->files);
	if (c->files == NULL && rc == WS_OK)
		rc = ws__err(err, WS_ENOMEM, "out of memory");
	for (size_t i = 0; rc == WS_OK && i < m->ndata; i++)
		c->files[c->nfiles++] = m->data[i].id;
	while (rc == WS_OK && !finished(c))
		rc = compaction_step(c, err);
	if (rc == WS_OK)
		report(c);
	if (rc == WS_OK)
		rc = count_zones(c->st, &stats->blocks_after, &points, err);
	stats->bytes_after = ws__manifest_data_bytes(&c->st->man);
	return rc;
}

ws_status
ws_compact(const char *path, const ws_progress_opts *opts,
	   ws_compact_stats *stats, ws_error *err)
{
	memset(stats, 0, sizeof *stats);
	compaction c = {.o = opts, .stats = stats};
	ws_status rc = ws_store_open(path, WS_OPEN_READ, &c.st, err);
	if (rc != WS_OK)
		return rc;
	ws__batch_init(&c.b);
	c.b.source = path;
	rc = run_compaction(&c, err);
	ws__batch_free(&c.b);
	free(c.s.z);
	free(c.keys);
	free(c.files);
	ws_store_close(c.st);
	return rc;
}
