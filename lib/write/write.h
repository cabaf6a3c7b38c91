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
 * Sorts and deduplicates the batch, then commits it through the writer
 * (which holds the lock); *blocks counts the blocks written. The store
 * handle then reads the new state.
 */
ws_status ws__store_commit(ws_store *st, ws_batch *b, uint64_t *blocks,
			   ws_error *err);

#endif
