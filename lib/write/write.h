/*
 * write.h - the write layer: ingest (NDJSON lines into batches), the
 * commit of a batch, and compaction, all through the store layer's writer.
 *
 * Owns: the .c files of lib/write/. May call: the store, codec and common
 * layers; never the query or repair layers.
 */
#ifndef WS_WRITE_H
#define WS_WRITE_H

#include "store/store.h"

/*
 * Called for each entry of a batch whose space the manifest gives another
 * dimension (dim), in input line order; WS_OK goes on.
 */
typedef ws_status (*ws__conflict_fn)(void *ctx, const ws_batch *b,
				      const ws_batch_entry *e, uint32_t dim,
				      ws_error *err);
/*
 * Takes out of the batch the entries that conflict with the dimensions
 * of m (conflict.c), after handing each to fn; *dropped counts them.
 */
ws_status ws__batch_drop_conflicts(ws_batch *b, const ws_manifest *m,
				   ws__conflict_fn fn, void *ctx,
				   size_t *dropped, ws_error *err);

/*
 * For each series of the sorted batch too small to fill a block: when
 * the series' newest block is a data block that still fits with it, its
 * points join the batch (as line 0: the batch's win) and the writer drops
 * it (autocompact.c). The batch must be sorted and deduplicated; what
 * joined it is merged into that order.
 */
ws_status ws__merge_small_tails(ws_store *st, ws__writer *w, ws_batch *b,
				ws_error *err);

/*
 * Sorts and deduplicates the batch, then commits it through the writer
 * (which holds the lock), merging small last blocks of its series unless
 * no_merge; *blocks counts the blocks written, *keys the batch's keys.
 * The store handle then reads the new state.
 */
ws_status ws__store_commit(ws_store *st, ws_batch *b, bool no_merge,
			   uint64_t *blocks, size_t *keys, ws_error *err);

/*
 * Deletes waiting for a commit (delete.c): ranges of series, in any
 * order; a key is a range of one timestamp.
 */
typedef struct ws__delete {
	uint64_t entity;
	uint32_t space;
	ws__time_range r;
} ws__delete;

typedef struct ws__deletes {
	ws__delete *e;
	size_t n, cap;
} ws__deletes;

void ws__deletes_init(ws__deletes *d);
void ws__deletes_free(ws__deletes *d);
void ws__deletes_reset(ws__deletes *d);
/* Memory the pending deletes take, the figure batch_bytes is compared with. */
size_t ws__deletes_bytes(const ws__deletes *d);
ws_status ws__deletes_add(ws__deletes *d, uint64_t entity, uint32_t space,
			  int64_t from, int64_t to, ws_error *err);
/*
 * Commits the pending deletes as tombstone blocks of one commit (none
 * when no range touches a stored block); sorts d. The store handle then
 * reads the new state.
 */
ws_status ws__deletes_commit(ws_store *st, ws__deletes *d,
			     ws_delete_stats *stats, ws_error *err);

#endif
