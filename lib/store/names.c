/*
 * names.c - the names of a store's files (warmstore(5), FILES): one
 * place that knows "data/00000001.wsd" and "index/0000000000000001.wsi",
 * and the "STORE/data/..." form in which messages name them.
 */
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void
ws__data_file(uint32_t id, ws__name *n)
{
	snprintf(n->rel, sizeof n->rel, WS_DATA_DIR "/%08" PRIu32 ".wsd", id);
	n->base = n->rel + strlen(WS_DATA_DIR "/");
}

void
ws__segment_file(uint64_t id, ws__name *n)
{
	snprintf(n->rel, sizeof n->rel, WS_INDEX_DIR "/%016" PRIu64 ".wsi", id);
	n->base = n->rel + strlen(WS_INDEX_DIR "/");
}

const char *
ws__store_path(char buf[WS_PATH_SIZE], const char *store, const char *rel)
{
	snprintf(buf, WS_PATH_SIZE, "%s/%s", store, rel);
	return buf;
}
