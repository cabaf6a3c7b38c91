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

#endif
