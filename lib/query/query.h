/*
 * query.h - the query layer: the public read API (ws_store_get,
 * ws_store_range, ws_store_scan, ws_lookup_fd, the zone map) as thin
 * wrappers over the store layer's series cursor and zone merge.
 *
 * Owns: the .c files of lib/query/. May call: the store, codec and common
 * layers; never the write or repair layers.
 */
#ifndef WS_QUERY_H
#define WS_QUERY_H

#include "store/store.h"

/*
 * The newest write of one key, read with cursor c (whose decoded blocks
 * the next lookup reuses); WS_NOTFOUND when there is none.
 */
ws_status ws__get(ws_cursor *c, uint64_t entity, uint32_t space, int64_t ts,
		  ws_point *out, ws_error *err);

#endif
