/*
 * autocompact.c - automatic compaction (warmstore(5), Automatic
 * compaction). A commit that brings a series fewer points than fill a
 * block would otherwise leave one more small block behind it, and a
 * store fed one line at a time would hold one block per point. Instead,
 * when the newest block of such a series is a data block that the new
 * points would fill no further than the block limits, its points join
 * the batch (the batch's own win where keys meet), the commit writes
 * them together as one block, and a drop record takes the old block out
 * of the index. The work is one block per series the commit touches.
 *
 * It is sound because the old block is the series' newest: no write or
 * delete of the series came after it, so its points are what a reader
 * sees of it, less what a retention record written since hides, and the
 * new block, written later than everything, shows the same.
 */
#include "write/write.h"

/* The raw bytes a series' points take in a block, as the writer counts. */
static size_t
series_raw(const ws_batch *b, size_t first, size_t end)
{
	size_t raw = 0;
	for (size_t i = first; i < end; i++) {
		size_t meta_len;
		ws__batch_meta(b, &b->e[i], &meta_len);
		raw += (size_t)b->e[i].dim * 4 + meta_len + WS_VARINT_MAX;
	}
	return raw;
}

/* The zone of the series' newest block; WS_NOTFOUND when it has none. */
static ws_status
newest_zone(ws_store *st, uint64_t entity, uint32_t space, ws_zone *z,
	    ws_error *err)
{
	ws__zone_merge m;
	ws_status rc = ws__zone_merge_open(&m, st->segs, st->nsegs, -1, st->path,
					   err);
	if (rc != WS_OK)
		return rc;
	if ((rc = ws__zone_merge_seek_end(&m, entity, space, err)) == WS_OK &&
	    (rc = ws__zone_merge_next(&m, z, err)) == WS_OK &&
	    (z->entity != entity || z->space != space))
		rc = WS_NOTFOUND;
	ws__zone_merge_free(&m);
	return rc;
}

/* Whether the old block and the new points fit in one block. */
static bool
fits(const ws_zone *z, size_t points, size_t raw)
{
	return !z->tombstone && z->count + points <= WS_BLOCK_MAX_POINTS &&
	       z->raw_len + raw <= WS_BLOCK_MAX_RAW;
}

/* Adds the visible points of the block of z to the batch, as line 0. */
static ws_status
take_points(ws_store *st, const ws_zone *z, ws_block *blk, ws_batch *b,
	    ws_error *err)
{
	ws_status rc = ws__store_read_block(st, z, blk, err);
	for (size_t i = 0; rc == WS_OK && i < blk->h.count; i++) {
		ws_point pt;
		ws__block_point(blk, i, &pt);
		if (!ws__retention_hides(&st->man, z->space, pt.timestamp, z->seq))
			rc = ws__batch_add(b, &pt, 0, err);
	}
	return rc;
}

/* Merges the newest block of the series at b->e[first..end) if it fits. */
static ws_status
merge_tail(ws_store *st, ws__writer *w, ws_batch *b, size_t first,
	   size_t end, ws_block *blk, bool *merged, ws_error *err)
{
	size_t raw = series_raw(b, first, end);
	if (end - first >= WS_BLOCK_MAX_POINTS || raw >= WS_BLOCK_MAX_RAW)
		return WS_OK;
	ws_zone z;
	ws_status rc = newest_zone(st, b->e[first].entity, b->e[first].space,
				   &z, err);
	if (rc == WS_NOTFOUND || (rc == WS_OK && !fits(&z, end - first, raw)))
		return WS_OK;
	if (rc == WS_OK)
		rc = take_points(st, &z, blk, b, err);
	if (rc == WS_OK)
		rc = ws__writer_drop(w, &z, err);
	*merged = *merged || rc == WS_OK;
	return rc;
}

ws_status
ws__merge_small_tails(ws_store *st, ws__writer *w, ws_batch *b,
		      ws_error *err)
{
	ws_block blk = {0};
	bool merged = false;
	ws_status rc = WS_OK;
	/* The batch grows behind the series being walked: n is fixed first. */
	size_t n = b->n;
	for (size_t first = 0, end; rc == WS_OK && first < n; first = end) {
		end = first + 1;
		while (end < n && b->e[end].entity == b->e[first].entity &&
		       b->e[end].space == b->e[first].space)
			end++;
		rc = merge_tail(st, w, b, first, end, &blk, &merged, err);
	}
	ws__block_free(&blk);
	if (rc == WS_OK && merged)
		ws__batch_sort_dedup(b);
	return rc;
}
