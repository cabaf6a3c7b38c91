/*
 * commit.c - one batch of ws-ingest becomes a commit: its points sorted
 * and deduplicated (the latest input line of a key wins), its spaces'
 * dimensions checked against the committed state, the small last blocks
 * of its series merged in (autocompact.c), a wasteful data file rewritten
 * (store/reclaim.c), its blocks published through the store layer's
 * writer.
 */
#include "write/write.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The least a commit may copy of a wasteful file (reclaim_budget). */
#define RECLAIM_FLOOR (4u << 20)

/* The space dimensions of the batch must agree with the fresh manifest. */
static ws_status
check_dims(ws_manifest *m, const ws_batch *b, ws_error *err)
{
	for (size_t i = 0; i < b->n; i++) {
		const ws_batch_entry *e = &b->e[i];
		if (i > 0 && e->space == b->e[i - 1].space)
			continue;
		uint32_t dim = ws__manifest_dim(m, e->space);
		if (dim == 0) {
			ws_status rc = ws__manifest_set_dim(m, e->space, e->dim,
							    err);
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

/*
 * A commit copies of a wasteful file at most a quarter of what it brings
 * (twice what its merged tails may add: what they drop is about that),
 * and at least a few MiB: reclaiming keeps pace with what makes the
 * waste, and the cost of a commit stays in proportion to its size.
 */
static uint64_t
reclaim_budget(const ws_batch *b)
{
	size_t bytes = ws__batch_bytes(b) / 4;
	return bytes > RECLAIM_FLOOR ? bytes : RECLAIM_FLOOR;
}

ws_status
ws__store_commit(ws_store *st, ws_batch *b, bool no_merge, uint64_t *blocks,
		 size_t *keys, ws_error *err)
{
	*blocks = 0;
	*keys = 0;
	if (b->n == 0)
		return WS_OK;
	ws__batch_sort_dedup(b);
	*keys = b->n; /* before the small last blocks join it */
	ws__writer *w;
	ws_status rc = ws__writer_begin(st, &w, err);
	if (rc != WS_OK)
		return rc;
	bool rewrote;
	uint64_t copied = 0;
	/* Tails first: a reclaim must not copy a block the commit drops. */
	if ((rc = check_dims(ws__writer_manifest(w), b, err)) == WS_OK &&
	    (no_merge || (rc = ws__merge_small_tails(st, w, b, err)) == WS_OK) &&
	    (rc = ws__reclaim(st, w, false, reclaim_budget(b), &rewrote,
				 &copied, err)) == WS_OK &&
	    (rc = ws__writer_append(w, b, err)) == WS_OK)
		rc = ws__writer_publish(w, err);
	*blocks = ws__writer_blocks(w);
	ws__writer_end(w);
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
