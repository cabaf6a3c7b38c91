/*
 * compact.c - compaction: the store rewritten through the same writer as
 * a commit. Every series is read through a scan cursor (so each key comes
 * once, its newest write) and written again into new data files in as
 * few blocks as the block limits allow; one new segment indexes them; the
 * MANIFEST then names only the new files, and the old data files and
 * segments are removed. Until the MANIFEST is replaced, readers and a
 * crash see the old store; after it, the new one. Readers that opened the
 * old files keep reading them.
 */
#include "write/write.h"

#include <string.h>

/*
 * Points are handed to the writer 32 MiB at a time, cut between series so
 * that a series stays whole: memory stays bounded and blocks stay full.
 */
#define COMPACT_BATCH_BYTES (32u << 20)

/* Appends a sorted batch of whole series and empties it. */
static ws_status
append_batch(ws__writer *w, ws_batch *b, ws_error *err)
{
	ws_status rc = ws__writer_append(w, b, err);
	ws__batch_reset(b);
	return rc;
}

static bool
starts_series(const ws_batch *b, const ws_point *pt)
{
	return b->n == 0 || pt->entity_id != b->e[b->n - 1].entity ||
	       pt->space_id != b->e[b->n - 1].space;
}

/* Progress is reported once per this many points, and at the end. */
#define PROGRESS_EVERY 65536u

/* The points of the zone map (tombstones hold ranges, not points). */
static ws_status
stored_points(ws_store *st, uint64_t *total, ws_error *err)
{
	ws__zone_merge m;
	ws_status rc = ws__zone_merge_open(&m, st->segs, st->nsegs, 1, st->path,
					   err);
	ws_zone z;
	*total = 0;
	while (rc == WS_OK && (rc = ws__zone_merge_next(&m, &z, err)) == WS_OK)
		if (!z.tombstone)
			*total += z.count;
	ws__zone_merge_free(&m); /* a failed open left nothing to free */
	return rc == WS_NOTFOUND ? WS_OK : rc;
}

static void
report(const ws_compact_opts *o, uint64_t done, uint64_t total)
{
	if (o != NULL && o->on_progress != NULL)
		o->on_progress(o->ctx, done, total);
}

/* Streams every visible point of the store into new blocks. */
static ws_status
rewrite_points(ws_store *st, ws__writer *w, const ws_compact_opts *o,
	       uint64_t *points, ws_error *err)
{
	uint64_t total = 0;
	if (o != NULL && o->on_progress != NULL) {
		ws_status rc = stored_points(st, &total, err);
		if (rc != WS_OK)
			return rc;
	}
	ws_cursor *cur;
	ws_status rc = ws__cursor_new(st, 1, &cur, err);
	if (rc == WS_OK)
		rc = ws__cursor_scan(cur, INT64_MIN, INT64_MAX, err);
	if (rc != WS_OK) {
		ws__cursor_free(cur);
		return rc;
	}
	ws_batch b;
	ws__batch_init(&b);
	ws_point pt;
	while ((rc = ws__cursor_next(cur, &pt, err)) == WS_OK) {
		if (starts_series(&b, &pt) &&
		    ws__batch_bytes(&b) >= COMPACT_BATCH_BYTES &&
		    (rc = append_batch(w, &b, err)) != WS_OK)
			break;
		if ((rc = ws__batch_add(&b, &pt, ++*points, err)) != WS_OK)
			break;
		if (*points % PROGRESS_EVERY == 0)
			report(o, *points, total);
	}
	if (rc == WS_NOTFOUND)
		rc = b.n > 0 ? append_batch(w, &b, err) : WS_OK;
	if (rc == WS_OK)
		report(o, *points, total);
	ws__batch_free(&b);
	ws__cursor_free(cur);
	return rc;
}

static ws_status
run_compaction(ws_store *st, ws__writer *w, const ws_compact_opts *o,
	       ws_compact_stats *stats, ws_error *err)
{
	/* The writer reloaded the store: st->man is the committed state. */
	stats->bytes_before = ws__manifest_data_bytes(&st->man);
	stats->blocks_before = ws__manifest_blocks(&st->man);
	if (stats->blocks_before == 0)
		return WS_OK;
	ws_status rc = rewrite_points(st, w, o, &stats->points, err);
	if (rc == WS_OK)
		rc = ws__writer_publish(w, err);
	if (rc == WS_OK) {
		stats->blocks_after = ws__writer_blocks(w);
		stats->bytes_after =
			ws__manifest_data_bytes(ws__writer_manifest(w));
	}
	return rc;
}

ws_status
ws_compact(const char *path, const ws_compact_opts *opts,
	   ws_compact_stats *stats, ws_error *err)
{
	memset(stats, 0, sizeof *stats);
	ws_store *st;
	ws_status rc = ws_store_open(path, WS_OPEN_READ, &st, err);
	if (rc != WS_OK)
		return rc;
	ws__writer *w;
	rc = ws__writer_begin(st, WS__WRITER_REPLACE, &w, err);
	if (rc == WS_OK)
		rc = run_compaction(st, w, opts, stats, err);
	ws__writer_end(w);
	ws_store_close(st);
	return rc;
}
