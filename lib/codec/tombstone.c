/*
 * tombstone.c - the payloads of the two kinds of block that hide points
 * instead of holding them (warmstore(5), Tombstones):
 *
 *   tombstone  one series' deleted time ranges, sorted, disjoint and
 *              inclusive: the first from (zigzag), then per range its
 *              length to - from, and before each later range the gap
 *              from - (previous to) - 1, all LEB128 varints;
 *   retention  a store-wide cutoff: before (zigzag), has_space (0 or 1),
 *              space, as varints.
 *
 * A tombstone payload is deflated only when that makes it smaller; a
 * stored length equal to the raw length says it was kept as it is (a
 * deflate that does not shrink the payload is never written).
 */
#include "codec/codec.h"

#include <stdlib.h>
#include <string.h>

/* The largest raw payload of each kind, the reader's bound too. */
#define RANGE_RAW_MAX (3 * WS_VARINT_MAX)
#define RETENTION_RAW_MAX (3 * WS_VARINT_MAX)

static uint64_t
zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (0 - ((uint64_t)v >> 63));
}

static int64_t
unzigzag(uint64_t v)
{
	return (int64_t)((v >> 1) ^ (0 - (v & 1)));
}

static int
range_cmp(const void *pa, const void *pb)
{
	const ws__time_range *a = pa, *b = pb;
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	return (a->to > b->to) - (a->to < b->to);
}

size_t
ws__ranges_normalize(ws__time_range *r, size_t n)
{
	if (n == 0)
		return 0;
	ws__sort(r, n, sizeof *r, range_cmp);
	size_t out = 0;
	for (size_t i = 1; i < n; i++) {
		ws__time_range *last = &r[out];
		/* Overlapping or touching (to + 1 == from) ranges merge. */
		if (last->to == INT64_MAX || r[i].from <= last->to + 1) {
			if (r[i].to > last->to)
				last->to = r[i].to;
		} else {
			r[++out] = r[i];
		}
	}
	return out + 1;
}

static size_t
encode_ranges(const ws__time_range *r, size_t n, unsigned char *raw)
{
	unsigned char *p = raw;
	p += ws__put_varint(p, zigzag(r[0].from));
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			p += ws__put_varint(p, (uint64_t)r[i].from -
						       (uint64_t)r[i - 1].to - 1);
		p += ws__put_varint(p, (uint64_t)r[i].to - (uint64_t)r[i].from);
	}
	return (size_t)(p - raw);
}

/* Header and payload (raw, or deflated when smaller) into out. */
static ws_status
finish_block(ws_encoder *enc, size_t raw_len, bool try_deflate,
	     ws_block_head *head, unsigned char **out, size_t *cap,
	     size_t *len, ws_error *err)
{
	if (ws__grow(out, cap, WS_BLOCK_HEADER + raw_len, 1, err) != WS_OK)
		return WS_ENOMEM;
	unsigned char *payload = *out + WS_BLOCK_HEADER;
	size_t stored = 0;
	if (try_deflate) {
		/* Only a deflate smaller than the payload is kept. */
		ws_status rc = ws__deflate_raw(enc, raw_len, payload,
					       raw_len - 1, &stored, err);
		if (rc != WS_OK)
			return rc;
	}
	if (stored == 0) {
		memcpy(payload, enc->raw, raw_len);
		stored = raw_len;
	}
	head->version = WS_BLOCK_VERSION;
	head->raw_len = (uint32_t)raw_len;
	head->stored_len = (uint32_t)stored;
	head->payload_crc = ws__crc32(payload, stored);
	ws__block_put_head(*out, head);
	*len = WS_BLOCK_HEADER + stored;
	return WS_OK;
}

ws_status
ws__tombstone_encode(ws_encoder *enc, uint64_t entity, uint32_t space,
		     const ws__time_range *r, size_t n, uint64_t seq,
		     unsigned char **out, size_t *cap, size_t *len,
		     ws_block_head *head, ws_error *err)
{
	if (ws__grow(&enc->raw, &enc->cap_raw, n * RANGE_RAW_MAX, 1, err) !=
	    WS_OK)
		return WS_ENOMEM;
	size_t raw_len = encode_ranges(r, n, enc->raw);
	*head = (ws_block_head){
		.flags = WS_BLOCK_TOMBSTONE,
		.entity = entity,
		.space = space,
		.count = (uint32_t)n,
		.min_ts = r[0].from,
		.max_ts = r[n - 1].to,
		.seq = seq,
	};
	/* A few ranges do not shrink: do not set up zlib for them. */
	return finish_block(enc, raw_len, n > 4, head, out, cap, len, err);
}

ws_status
ws__retention_encode(const ws__retention *r, uint64_t seq,
		     unsigned char **out, size_t *cap, size_t *len,
		     ws_block_head *head, ws_error *err)
{
	ws_encoder enc;
	ws__encoder_init(&enc);
	ws_status rc = ws__grow(&enc.raw, &enc.cap_raw, RETENTION_RAW_MAX, 1,
				err);
	if (rc == WS_OK) {
		unsigned char *p = enc.raw;
		p += ws__put_varint(p, zigzag(r->before));
		p += ws__put_varint(p, r->has_space);
		p += ws__put_varint(p, r->has_space ? r->space : 0);
		*head = (ws_block_head){
			.flags = WS_BLOCK_RETENTION,
			.space = r->has_space ? r->space : 0,
			.count = 1,
			.min_ts = r->before,
			.max_ts = r->before,
			.seq = seq,
		};
		rc = finish_block(&enc, (size_t)(p - enc.raw), false, head, out,
				  cap, len, err);
	}
	ws__encoder_free(&enc);
	return rc;
}

bool
ws__tombstone_head_ok(const ws_block_head *h)
{
	if (h->dim != 0 || h->count == 0 || h->stored_len > h->raw_len ||
	    h->min_ts > h->max_ts)
		return false;
	if (h->flags == WS_BLOCK_RETENTION)
		return h->entity == 0 && h->count == 1 &&
		       h->min_ts == h->max_ts && h->raw_len >= 3 &&
		       h->raw_len <= RETENTION_RAW_MAX;
	return h->count <= WS_TOMBSTONE_MAX_RANGES &&
	       h->raw_len >= 2 * (uint64_t)h->count &&
	       h->raw_len <= (uint64_t)h->count * RANGE_RAW_MAX;
}

/* The payload as raw bytes: stored as it is, or inflated into blk->raw. */
static ws_status
raw_payload(const ws_block_head *h, const unsigned char *stored,
	    ws_block *blk, const unsigned char **raw, const char *where,
	    ws_error *err)
{
	if (h->stored_len == h->raw_len) {
		*raw = stored;
		return WS_OK;
	}
	if (ws__grow(&blk->raw, &blk->cap_raw, h->raw_len, 1, err) != WS_OK)
		return WS_ENOMEM;
	*raw = blk->raw;
	return ws__inflate_payload(blk, h, stored, where, err);
}

static bool
decode_ranges(ws_block *blk, const unsigned char *p, const unsigned char *end)
{
	const ws_block_head *h = &blk->h;
	uint64_t v;
	if (!ws__get_varint(&p, end, &v))
		return false;
	int64_t from = unzigzag(v);
	for (uint32_t i = 0; i < h->count; i++) {
		if (i > 0) {
			int64_t prev = blk->ranges[2 * i - 1];
			/* The gap keeps ranges apart: from > prev + 1. */
			if (!ws__get_varint(&p, end, &v) || prev >= h->max_ts ||
			    v >= (uint64_t)h->max_ts - (uint64_t)prev)
				return false;
			from = (int64_t)((uint64_t)prev + 1 + v);
		}
		if (!ws__get_varint(&p, end, &v) ||
		    v > (uint64_t)h->max_ts - (uint64_t)from)
			return false;
		blk->ranges[2 * i] = from;
		blk->ranges[2 * i + 1] = (int64_t)((uint64_t)from + v);
	}
	return p == end && blk->ranges[0] == h->min_ts &&
	       blk->ranges[2 * h->count - 1] == h->max_ts;
}

static bool
decode_retention(ws_block *blk, const unsigned char *p,
		 const unsigned char *end)
{
	uint64_t before, has_space, space;
	if (!ws__get_varint(&p, end, &before) ||
	    !ws__get_varint(&p, end, &has_space) ||
	    !ws__get_varint(&p, end, &space) || p != end || has_space > 1 ||
	    space > UINT32_MAX || unzigzag(before) != blk->h.min_ts ||
	    (!has_space && space != 0) || space != blk->h.space)
		return false;
	blk->ranges[0] = unzigzag(before);
	blk->ranges[1] = (int64_t)has_space;
	blk->ranges[2] = (int64_t)space;
	return true;
}

ws_status
ws__tombstone_decode(const ws_block_head *h, const unsigned char *stored,
		     ws_block *blk, const char *where, ws_error *err)
{
	size_t values = h->flags == WS_BLOCK_RETENTION ? 3 : 2 * (size_t)h->count;
	if (ws__grow(&blk->ranges, &blk->cap_ranges, values,
		     sizeof *blk->ranges, err) != WS_OK)
		return WS_ENOMEM;
	const unsigned char *raw;
	ws_status rc = raw_payload(h, stored, blk, &raw, where, err);
	if (rc != WS_OK)
		return rc;
	const unsigned char *end = raw + h->raw_len;
	bool ok = h->flags == WS_BLOCK_RETENTION ? decode_retention(blk, raw, end)
						 : decode_ranges(blk, raw, end);
	if (!ok)
		return ws__err(err, WS_ECORRUPT, "%s: bad %s payload", where,
			       h->flags == WS_BLOCK_RETENTION ? "retention"
							      : "tombstone");
	return WS_OK;
}

void
ws__retention_of_block(const ws_block *blk, ws__retention *r)
{
	*r = (ws__retention){
		.seq = blk->h.seq,
		.before = blk->ranges[0],
		.has_space = blk->ranges[1] != 0,
		.space = (uint32_t)blk->ranges[2],
	};
}
