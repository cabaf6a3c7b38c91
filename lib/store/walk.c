/*
 * walk.c - a data file read block by block from its headers alone, with
 * the commit records and the ranges ws-reindex moved aside passed over:
 * what a reclaim copies and a compaction takes its series from.
 */
#include "store/store.h"


/* The end of the quarantined range of file id that starts at off, or off. */
static uint64_t
skip_quarantine(const ws_manifest *m, uint32_t id, uint64_t off)
{
	for (size_t q = 0; q < m->nquar; q++)
		if (m->quar[q].id == id && m->quar[q].offset == off)
			return off + m->quar[q].length;
	return off;
}

ws_status
ws__walk_next(ws_store *st, const ws_manifest *m, const ws_datafile_ref *f,
	      int fd, uint64_t *off, ws_block_head *h, ws_error *err)
{
	for (;;) {
		uint64_t past = skip_quarantine(m, f->id, *off);
		if (past != *off) {
			*off = past;
			continue;
		}
		if (*off >= f->length)
			return WS_NOTFOUND;
		char where[WS_WHERE_SIZE];
		ws__name rel;
		ws__data_file(f->id, &rel);
		ws__store_offset(where, st->path, rel.rel, *off);
		unsigned char p[WS_BLOCK_HEADER];
		size_t n = f->length - *off < sizeof p ? (size_t)(f->length - *off)
						       : sizeof p;
		ws_status rc = ws__pread_exact(fd, p, n, (off_t)*off, where, err);
		if (rc != WS_OK)
			return rc;
		if (n >= 4 && ws__is_commit_record(p)) {
			*off += WS_COMMIT_RECORD;
			continue;
		}
		if (n < sizeof p)
			return ws__err(err, WS_ECORRUPT,
				       "%s: block header cut short", where);
		return ws__block_parse_head(p, h, where, err);
	}
}
