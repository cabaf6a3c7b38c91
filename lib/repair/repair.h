/*
 * repair.h - the repair layer: ws_reindex(), which verifies every block of
 * the data files and rebuilds the derived files (index, MANIFEST) from
 * them (see ws-reindex(1) and warmstore(5)).
 *
 * Owns: the .c files of lib/repair/. May call: the store, codec and common
 * layers; never the query or write layers.
 */
#ifndef WS_REPAIR_H
#define WS_REPAIR_H

#include "store/store.h"

#endif
