/*
 * compact.c - a full compaction (ws-reindex --compact) in bounded space
 * (warmstore(5), Compaction). The series are taken in key order, a batch
 * of whole series at a time: each series' visible points (read through
 * the series cursor, so each key comes once, its newest write, less what
 * deletes hide) are written again in as few blocks as the block limits
 * allow, and drop records take all its old blocks out of the index, in
 * one commit per batch. Each commit then rewrites the data files that now
 * waste most (store/reclaim.c), and they are removed once its MANIFEST is
 * in place. So the store never needs more free space than a batch and
 * the live part of the files one commit rewrites, and a compaction
 * stopped half way leaves a sound store, compacted up to a series.
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
	uint64_t entity; /* the next series to look at ... */
	uint32_t space;
	bool done;       /* ... unless every series was */
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

/* Gathers the zones of the next series of the merge into c->s. */
static ws_status
next_series(ws__zone_merge *m, series *s, ws_error *err)
{
	ws_zone z;
	s->n = 0;
	ws_status rc = ws__zone_merge_next(m, &z, err);
	if (rc != WS_OK)
		return rc;
	s->entity = z.entity;
	s->space = z.space;
	do {
		if (ws__grow(&s->z, &s->cap, s->n + 1, sizeof *s->z, err) != WS_OK)
			return WS_ENOMEM;
		s->z[s->n++] = z;
	} while ((rc = ws__zone_merge_peek(m, &z, err)) == WS_OK &&
		 z.entity == s->entity && z.space == s->space &&
		 (rc = ws__zone_merge_next(m, &z, err)) == WS_OK);
	return rc == WS_NOTFOUND ? WS_OK : rc;
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

/*
 * Fills the batch with whole series from c's place on, up to the batch
 * size, dropping the blocks they had; moves c's place past them.
 */
static ws_status
gather(compaction *c, ws__writer *w, ws_error *err)
{
	ws__zone_merge m;
	ws_cursor *cur = NULL;
	ws_status rc = ws__zone_merge_open(&m, c->st->segs, c->st->nsegs, 1,
					   c->st->path, err);
	if (rc != WS_OK)
		return rc;
	if ((rc = ws__zone_merge_seek(&m, c->entity, c->space, err)) == WS_OK)
		rc = ws__cursor_new(c->st, 1, &cur, err);
	while (rc == WS_OK && ws__batch_bytes(&c->b) < COMPACT_BATCH_BYTES &&
	       (rc = next_series(&m, &c->s, err)) == WS_OK) {
		if (!nothing_to_gain(&c->st->man, &c->s))
			rc = rewrite_series(c, w, cur, err);
		else
			c->stats->points += kept_points(&c->s);
	}
	ws_zone z;
	if (rc == WS_OK && (rc = ws__zone_merge_peek(&m, &z, err)) == WS_OK) {
		c->entity = z.entity;
		c->space = z.space;
	}
	c->done = rc == WS_NOTFOUND;
	ws__cursor_free(cur);
	ws__zone_merge_free(&m);
	return rc == WS_NOTFOUND ? WS_OK : rc;
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
	rc = gather(c, w, err);
	/* Before the batch: a reclaim must not take its blocks for dead. */
	if (rc == WS_OK)
		rc = reclaim(c->st, w, err);
	if (rc == WS_OK && c->b.n > 0) {
		ws__batch_sort_dedup(&c->b);
		rc = ws__writer_append(w, &c->b, err);
	}
	if (rc == WS_OK && ws__writer_changes(w))
		rc = ws__writer_publish(w, err);
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
	stats->bytes_before = ws__manifest_data_bytes(&c->st->man);
	while (rc == WS_OK && !c->done)
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
	ws_store_close(c.st);
	return rc;
}
