/* reindex.c - placeholder while being written. */
#include "ws_private.h"

ws_status
ws_reindex(const char *path, const ws_reindex_opts *opts,
	   ws_reindex_stats *stats, ws_error *err)
{
	(void)opts;
	(void)stats;
	return ws__err(err, WS_EUSAGE, "%s: not implemented", path);
}
