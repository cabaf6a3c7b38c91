/*
 * commit_record.c - the 32-byte record that closes the blocks of a commit
 * in a data file (warmstore(5), Commit records). A rebuild from the data
 * alone takes a block as committed only when the final record of its
 * commit is there, so that it yields whole batches, never part of one.
 */
#include "codec/codec.h"

#include <inttypes.h>
#include <string.h>

void
ws__commit_record_put(unsigned char p[WS_COMMIT_RECORD],
		      const ws_commit_record *r)
{
	memcpy(p, WS_COMMIT_MAGIC, 4);
	ws__put_u16(p + 4, WS_COMMIT_VERSION);
	ws__put_u16(p + 6, r->flags);
	ws__put_u64(p + 8, r->seq);
	ws__put_u64(p + 16, r->blocks);
	ws__put_u32(p + 24, ws__crc32(p, 24));
	ws__put_u32(p + 28, 0);
}

bool
ws__is_commit_record(const unsigned char *p)
{
	return memcmp(p, WS_COMMIT_MAGIC, 4) == 0;
}

ws_status
ws__commit_record_parse(const unsigned char p[WS_COMMIT_RECORD],
			ws_commit_record *r, const char *where, ws_error *err)
{
	if (!ws__is_commit_record(p) || ws__get_u32(p + 24) != ws__crc32(p, 24))
		return ws__err(err, WS_ECORRUPT, "%s: bad commit record", where);
	uint16_t version = ws__get_u16(p + 4);
	if (version != WS_COMMIT_VERSION)
		return ws__err(err, WS_ECORRUPT,
			       "%s: commit record version %u is not supported",
			       where, version);
	r->flags = ws__get_u16(p + 6);
	r->seq = ws__get_u64(p + 8);
	r->blocks = ws__get_u64(p + 16);
	if ((r->flags & ~WS_COMMIT_FINAL) != 0 ||
	    ws__get_u32(p + 28) != 0 || r->seq == 0)
		return ws__err(err, WS_ECORRUPT,
			       "%s: commit record fields out of range", where);
	return WS_OK;
}
