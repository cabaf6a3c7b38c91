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
 * Sorts and deduplicates the batch, then commits it through the writer
 * (which holds the lock); *blocks counts the blocks written. The store
 * handle then reads the new state.
 */
ws_status ws__store_commit(ws_store *st, ws_batch *b, uint64_t *blocks,
			   ws_error *err);

#endif
