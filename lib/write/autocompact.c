/*
 * autocompact.c - automatic compaction (warmstore(5), Automatic
 * compaction). A commit that brings a series fewer points than fill a
 * block would otherwise leave one more small block behind it, and a
 * store fed one line at a time would hold one block per point. Instead
 * the commit takes the series' newest blocks while each is no larger
 * than twice what is taken so far (the new points included) and all
 * still fit one block, stopping at a tombstone; their points join the
 * batch (the batch's own win where keys meet), the commit writes them
 * together, and drop records take the old blocks out of the index.
 *
 * The rule is a binary counter per series: a series keeps at most a few
 * small blocks, each about twice the size of the next newer one, and a
 * point is rewritten a few times (once per doubling) before its block is
 * full, so that the work of a commit stays within a small multiple of
 * its own points, however large the store.
 *
 * It is sound because the blocks taken are the series' newest: no write
 * or delete of the series came after them, so their points, newest
 * first, less what a retention record written since hides, are what a
 * reader sees of them, and the new block, written later than everything,
 * shows the same.
 */
#include "write/write.h"

/* A series merges at most this many blocks in one commit. */
#define MAX_TAKEN 32

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

/* The blocks of a series that the new points merge with, newest first. */
typedef struct tail {
	ws_zone z[MAX_TAKEN];
	size_t n;
	size_t points, raw; /* taken so far, the new points included */
} tail;

static bool
takes(const tail *t, const ws_zone *z)
{
	return t->n < MAX_TAKEN && !z->tombstone && z->raw_len <= 2 * t->raw &&
	       t->points + z->count <= WS_BLOCK_MAX_POINTS &&
	       t->raw + z->raw_len <= WS_BLOCK_MAX_RAW;
}

/* Walks the series' blocks from the newest while the rule takes them. */
static ws_status
find_tail(ws_store *st, uint64_t entity, uint32_t space, tail *t,
	  ws_error *err)
{
	ws__zone_merge m;
	ws_status rc = ws__zone_merge_open(&m, st->segs, st->nsegs, -1, st->path,
					   err);
	if (rc != WS_OK)
		return rc;
	rc = ws__zone_merge_seek_end(&m, entity, space, err);
	ws_zone z;
	while (rc == WS_OK && (rc = ws__zone_merge_next(&m, &z, err)) == WS_OK &&
	       z.entity == entity && z.space == space && takes(t, &z)) {
		t->z[t->n++] = z;
		t->points += z.count;
		t->raw += z.raw_len;
	}
	ws__zone_merge_free(&m);
	return rc == WS_NOTFOUND ? WS_OK : rc;
}

/*
 * The visible points of the taken blocks into old, each block's points
 * as the line of its rank (the newest highest), so that a sort keeps the
 * newest write of each key.
 */
static ws_status
read_tail(ws_store *st, const tail *t, ws_block *blk, ws_batch *old,
	  ws_error *err)
{
	ws_status rc = WS_OK;
	for (size_t k = 0; rc == WS_OK && k < t->n; k++) {
		const ws_zone *z = &t->z[k];
		rc = ws__store_read_block(st, z, blk, err);
		if (rc == WS_OK)
			rc = ws__store_block_rows(st, z, blk, 0, blk->h.count,
						  err);
		for (size_t i = 0; rc == WS_OK && i < blk->h.count; i++) {
			ws_point pt;
			ws__block_point(blk, i, &pt);
			if (!ws__retention_hides(&st->man, z->space, pt.timestamp,
						 z->seq))
				rc = ws__batch_add(old, &pt, t->n - k, err);
		}
	}
	return rc;
}

/* Moves the merged old points into the batch as line 0: the batch's win. */
static ws_status
join(ws_batch *b, ws_batch *old, ws_error *err)
{
	ws__batch_sort_dedup(old);
	ws_status rc = WS_OK;
	for (size_t i = 0; rc == WS_OK && i < old->n; i++) {
		ws_point pt;
		ws__batch_point(old, i, &pt);
		rc = ws__batch_add(b, &pt, 0, err);
	}
	ws__batch_reset(old);
	return rc;
}

/* Merges the series at b->e[first..end) with the newest blocks it takes. */
static ws_status
merge_tail(ws_store *st, ws__writer *w, ws_batch *b, size_t first,
	   size_t end, ws_block *blk, ws_batch *old, bool *merged,
	   ws_error *err)
{
	tail t = {.points = end - first, .raw = series_raw(b, first, end)};
	if (t.points >= WS_BLOCK_MAX_POINTS || t.raw >= WS_BLOCK_MAX_RAW)
		return WS_OK;
	ws_status rc = find_tail(st, b->e[first].entity, b->e[first].space, &t,
				 err);
	if (rc != WS_OK || t.n == 0)
		return rc;
	if ((rc = read_tail(st, &t, blk, old, err)) == WS_OK)
		rc = join(b, old, err);
	for (size_t k = 0; rc == WS_OK && k < t.n; k++)
		rc = ws__writer_drop(w, &t.z[k], err);
	*merged = true;
	return rc;
}

/* The start of the series that holds entry i of the sorted batch. */
static size_t
series_start(const ws_batch *b, size_t i)
{
	while (i > 0 && b->e[i - 1].entity == b->e[i].entity &&
	       b->e[i - 1].space == b->e[i].space)
		i--;
	return i;
}

/* The end of the series that starts at entry first (of n). */
static size_t
series_end(const ws_batch *b, size_t first, size_t n)
{
	size_t end = first + 1;
	while (end < n && b->e[end].entity == b->e[first].entity &&
	       b->e[end].space == b->e[first].space)
		end++;
	return end;
}

ws_status
ws__merge_small_tails(ws_store *st, ws__writer *w, ws_batch *b,
		      ws_error *err)
{
	ws_block blk = {0};
	ws_batch old;
	ws__batch_init(&old);
	old.source = b->source;
	bool merged = false;
	ws_status rc = WS_OK;
	/* The batch grows behind the series being walked: n is fixed first. */
	size_t n = b->n;
	/*
	 * What joins the batch stays within an eighth of its size (and at
	 * least two blocks): memory and work stay in proportion to the
	 * commit. The walk starts at a series that changes from commit to
	 * commit (by seq), so that the series left out merge in a later one.
	 */
	size_t start = ws__batch_bytes(b);
	size_t budget = start / 8 > 2 * WS_BLOCK_MAX_RAW ? start / 8
							 : 2 * WS_BLOCK_MAX_RAW;
	size_t from = n ? series_start(b, (size_t)(ws__writer_seq(w) *
						   UINT64_C(2654435761) % n))
			: 0;
	size_t first = from, done = 0;
	while (rc == WS_OK && done < n && ws__batch_bytes(b) - start < budget) {
		size_t end = series_end(b, first, n);
		rc = merge_tail(st, w, b, first, end, &blk, &old, &merged, err);
		done += end - first;
		first = end == n ? 0 : end;
	}
	ws__block_free(&blk);
	ws__batch_free(&old);
	if (rc == WS_OK && merged)
		ws__batch_sort_dedup_tail(b, n);
	return rc;
}
