/*
 * query.c - the public reads of warmstore.h: exact lookups, ranges and
 * the whole-store scan, all answered by the store layer's series cursor
 * (so the newest write of a key wins the same way everywhere).
 */
#include "query/query.h"

#include <stdlib.h>

ws_status
ws_store_range(ws_store *st, uint64_t entity, uint32_t space,
	       const ws_range_opts *opts, ws_cursor **out, ws_error *err)
{
	ws_status rc = ws__cursor_new(st, opts->reverse ? -1 : 1, out, err);
	if (rc == WS_OK)
		rc = ws__cursor_series(*out, entity, space, opts->from, opts->to,
				       err);
	if (rc != WS_OK) {
		ws__cursor_free(*out);
		*out = NULL;
	}
	return rc;
}

ws_status
ws_store_scan(ws_store *st, const ws_range_opts *opts, ws_cursor **out,
	      ws_error *err)
{
	ws_status rc = ws__cursor_new(st, opts->reverse ? -1 : 1, out, err);
	if (rc == WS_OK)
		rc = ws__cursor_scan(*out, opts->from, opts->to, err);
	if (rc != WS_OK) {
		ws__cursor_free(*out);
		*out = NULL;
	}
	return rc;
}

ws_status
ws_cursor_next(ws_cursor *c, ws_point *pt, ws_error *err)
{
	return ws__cursor_next(c, pt, err);
}

void
ws_cursor_free(ws_cursor *c)
{
	ws__cursor_free(c);
}

/* An exact lookup is a range of one timestamp, on cursor c. */
ws_status
ws__get(ws_cursor *c, uint64_t entity, uint32_t space, int64_t ts,
	ws_point *out, ws_error *err)
{
	ws_status rc = ws__cursor_series(c, entity, space, ts, ts, err);
	return rc == WS_OK ? ws__cursor_next(c, out, err) : rc;
}

/*
 * The store keeps one cursor for exact lookups, so that a run of them
 * reuses its decoded blocks.
 */
ws_status
ws_store_get(ws_store *st, uint64_t entity, uint32_t space, int64_t ts,
	     ws_point *out, ws_error *err)
{
	ws_status rc = WS_OK;
	if (st->get_cursor == NULL)
		rc = ws__cursor_new(st, 1, &st->get_cursor, err);
	return rc == WS_OK ? ws__get(st->get_cursor, entity, space, ts, out, err)
			   : rc;
}
