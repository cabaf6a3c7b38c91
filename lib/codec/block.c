/*
 * block.c - the block codec: one series' points, sorted by time, as a
 * 72-byte header and a payload, each guarded by a CRC-32.
 *
 * Payload (warmstore(5), Block payload): two parts. The symbols part holds
 * the timestamps (the first value, the first delta and then deltas of
 * deltas, LEB128, zigzag where signed), each point's encoded metadata and
 * the vectors' symbols (vec_alp.c); it is stored raw-deflated when that
 * makes it smaller. The raw part holds the vectors' exceptions and low
 * bits, which deflate cannot shrink and would only spend time on. Stored:
 * varint length of the symbols part, varint length of it as stored (equal:
 * not deflated), the symbols part as stored, the raw part.
 *
 * Why: readings taken at a steady rate have a delta of delta of zero, and
 * the metadata of a series repeats, which deflate finds.
 */
#include "codec/codec.h"

#include <stdlib.h>
#include <string.h>

/*
 * Raw deflate: a zlib stream only adds an Adler-32 that repeats the
 * CRC-32 of the stored bytes (and costs a pass over them on every read).
 * libdeflate writes it (any inflate, zlib's too, reads it back): it
 * compresses and inflates whole buffers, which blocks are, in less time
 * than zlib (warmstore(5), Compression).
 */
#define DEFLATE_LEVEL 1
/*
 * A symbols part shorter than this is stored as it is: deflate's block
 * header and code tables take about what it could save there, and
 * building the tables costs as much as for a long part (warmstore(5),
 * Compression).
 */
#define DEFLATE_MIN_PART 256u
/*
 * A decoded block may not claim more than this (hostile headers): the
 * largest a writer makes, one point of WS_MAX_POINT_BYTES behind its
 * timestamp varint (blocks of several points stop at WS_BLOCK_MAX_RAW).
 */
#define BLOCK_MAX_RAW_ACCEPTED (WS_MAX_POINT_BYTES + 2u * WS_VARINT_MAX)
#define BLOCK_MAX_POINTS_ACCEPTED (1u << 20)

/* Zigzag on two's complement bit patterns: small magnitudes, small codes. */
static uint64_t
zigzag64(uint64_t v)
{
	return (v << 1) ^ (0 - (v >> 63));
}

static uint64_t
unzigzag64(uint64_t v)
{
	return (v >> 1) ^ (0 - (v & 1));
}

void
ws__block_put_head(unsigned char *p, const ws_block_head *h)
{
	memcpy(p, WS_BLOCK_MAGIC, 4);
	ws__put_u16(p + 4, (uint16_t)h->version);
	ws__put_u16(p + 6, (uint16_t)h->flags);
	ws__put_u64(p + 8, h->entity);
	ws__put_u32(p + 16, h->space);
	ws__put_u32(p + 20, h->dim);
	ws__put_u32(p + 24, h->count);
	ws__put_u32(p + 28, h->raw_len);
	ws__put_u32(p + 32, h->stored_len);
	ws__put_u32(p + 36, h->payload_crc);
	ws__put_u64(p + 40, (uint64_t)h->min_ts);
	ws__put_u64(p + 48, (uint64_t)h->max_ts);
	ws__put_u64(p + 56, h->seq);
	ws__put_u32(p + 64, ws__crc32(p, 64));
	ws__put_u32(p + 68, 0);
}

/* Writes timestamps and metadata of entries [first, first+count) to raw. */
static size_t
encode_times_meta(const ws_batch *b, size_t first, size_t count,
		  unsigned char *raw)
{
	const ws_batch_entry *e = b->e + first;
	unsigned char *p = raw;
	p += ws__put_varint(p, zigzag64((uint64_t)e[0].ts));
	uint64_t prev_delta = 0;
	for (size_t i = 1; i < count; i++) {
		uint64_t delta = (uint64_t)e[i].ts - (uint64_t)e[i - 1].ts;
		p += ws__put_varint(p, i == 1 ? delta
					      : zigzag64(delta - prev_delta));
		prev_delta = delta;
	}
	for (size_t i = 0; i < count; i++) {
		size_t meta_len;
		const unsigned char *meta = ws__batch_meta(b, &e[i], &meta_len);
		if (meta_len == 0) {
			*p++ = 0;
			continue;
		}
		memcpy(p, meta, meta_len);
		p += meta_len;
	}
	return (size_t)(p - raw);
}

void
ws__encoder_init(ws_encoder *enc)
{
	memset(enc, 0, sizeof *enc);
}

void
ws__encoder_free(ws_encoder *enc)
{
	libdeflate_free_compressor(enc->deflater);
	free(enc->raw);
	free(enc->rows);
	ws__vec_enc_free(&enc->vec);
	ws__encoder_init(enc);
}

ws_status
ws__deflate_raw(ws_encoder *enc, size_t raw_len, unsigned char *out,
		size_t out_cap, size_t *stored, ws_error *err)
{
	if (enc->deflater == NULL &&
	    (enc->deflater = libdeflate_alloc_compressor(DEFLATE_LEVEL)) == NULL)
		return ws__err(err, WS_ENOMEM, "out of memory");
	*stored = libdeflate_deflate_compress(enc->deflater, enc->raw, raw_len,
					      out, out_cap);
	return WS_OK;
}

/* The symbols part (times, metadata, vector symbols) into enc->raw. */
static ws_status
encode_symbols(ws_encoder *enc, const ws_batch *b, size_t first,
	       size_t count, size_t *len, ws_error *err)
{
	const ws_batch_entry *e = b->e + first;
	if (ws__grow(&enc->rows, &enc->cap_rows, count, sizeof *enc->rows,
		     err) != WS_OK)
		return WS_ENOMEM;
	size_t bound = count * WS_VARINT_MAX;
	for (size_t i = 0; i < count; i++) {
		size_t meta_len;
		ws__batch_meta(b, &e[i], &meta_len);
		bound += meta_len + 1;
		enc->rows[i] = b->vec + e[i].vec_off;
	}
	ws_vec_enc *ve = &enc->vec;
	if (ws__vec_encode(ve, enc->rows, count, e[0].dim, err) != WS_OK ||
	    ws__grow(&enc->raw, &enc->cap_raw, bound + ve->sym_len, 1, err) !=
		    WS_OK)
		return WS_ENOMEM;
	size_t n = encode_times_meta(b, first, count, enc->raw);
	memcpy(enc->raw + n, ve->sym + ve->sym_start, ve->sym_len);
	*len = n + ve->sym_len;
	return WS_OK;
}

/*
 * Stores the payload behind the header: the frame, the symbols part
 * deflated if that saves bytes (else as it is), the raw part.
 */
static ws_status
store_payload(ws_encoder *enc, size_t sym_len, unsigned char **out,
	      size_t *cap, size_t *stored, ws_error *err)
{
	const ws_vec_enc *ve = &enc->vec;
	size_t frame = 2 * WS_VARINT_MAX;
	if (ws__grow(out, cap,
		     WS_BLOCK_HEADER + frame + sym_len + ve->exc_len + ve->bits_len,
		     1, err) != WS_OK)
		return WS_ENOMEM;
	unsigned char *z = *out + WS_BLOCK_HEADER + frame;
	size_t zlen = 0;
	/* Only a deflate smaller than the part itself is kept. */
	ws_status rc = sym_len < DEFLATE_MIN_PART
			       ? WS_OK
			       : ws__deflate_raw(enc, sym_len, z, sym_len - 1,
						 &zlen, err);
	if (rc != WS_OK)
		return rc;
	if (zlen == 0) {
		memcpy(z, enc->raw, sym_len);
		zlen = sym_len;
	}
	unsigned char *p = *out + WS_BLOCK_HEADER;
	size_t fl = ws__put_varint(p, sym_len);
	fl += ws__put_varint(p + fl, zlen);
	memmove(p + fl, z, zlen);
	p += fl + zlen;
	memcpy(p, ve->exc, ve->exc_len);
	memcpy(p + ve->exc_len, ve->bits, ve->bits_len);
	*stored = fl + zlen + ve->exc_len + ve->bits_len;
	return WS_OK;
}

ws_status
ws__block_encode(ws_encoder *enc, const ws_batch *b, size_t first,
		 size_t count, uint64_t seq, unsigned char **out, size_t *cap,
		 size_t *len, ws_block_head *head, ws_error *err)
{
	size_t sym_len = 0, stored = 0;
	ws_status rc = encode_symbols(enc, b, first, count, &sym_len, err);
	if (rc == WS_OK)
		rc = store_payload(enc, sym_len, out, cap, &stored, err);
	if (rc != WS_OK)
		return rc;
	const ws_vec_enc *ve = &enc->vec;
	const ws_batch_entry *e = b->e + first;
	*head = (ws_block_head){
		.version = WS_BLOCK_VERSION,
		.entity = e[0].entity,
		.space = e[0].space,
		.dim = e[0].dim,
		.count = (uint32_t)count,
		.raw_len = (uint32_t)(sym_len + ve->exc_len + ve->bits_len),
		.stored_len = (uint32_t)stored,
		.payload_crc = ws__crc32(*out + WS_BLOCK_HEADER, stored),
		.min_ts = e[0].ts,
		.max_ts = e[count - 1].ts,
		.seq = seq,
	};
	ws__block_put_head(*out, head);
	*len = WS_BLOCK_HEADER + stored;
	return WS_OK;
}

ws_status
ws__block_parse_head(const unsigned char *p, ws_block_head *h,
		     const char *where, ws_error *err)
{
	if (memcmp(p, WS_BLOCK_MAGIC, 4) != 0)
		return ws__err(err, WS_ECORRUPT, "%s: no block header", where);
	if (ws__get_u32(p + 64) != ws__crc32(p, 64))
		return ws__err(err, WS_ECORRUPT, "%s: block header CRC mismatch",
			       where);
	h->version = ws__get_u16(p + 4);
	h->flags = ws__get_u16(p + 6);
	if (h->version != WS_BLOCK_VERSION)
		return ws__err(err, WS_ECORRUPT,
			       "%s: unsupported block version %u", where,
			       h->version);
	/*
	 * A tombstone or a retention record (tombstone.c); any other mark is
	 * refused. (Bytes 68-71 are not: the header CRC does not cover them.)
	 */
	if (h->flags != 0 && h->flags != WS_BLOCK_TOMBSTONE &&
	    h->flags != WS_BLOCK_RETENTION)
		return ws__err(err, WS_ECORRUPT,
			       "%s: unsupported block flags %#x", where, h->flags);
	h->entity = ws__get_u64(p + 8);
	h->space = ws__get_u32(p + 16);
	h->dim = ws__get_u32(p + 20);
	h->count = ws__get_u32(p + 24);
	h->raw_len = ws__get_u32(p + 28);
	h->stored_len = ws__get_u32(p + 32);
	h->payload_crc = ws__get_u32(p + 36);
	h->min_ts = (int64_t)ws__get_u64(p + 40);
	h->max_ts = (int64_t)ws__get_u64(p + 48);
	h->seq = ws__get_u64(p + 56);
	if (h->flags != 0)
		return ws__tombstone_head_ok(h)
			       ? WS_OK
			       : ws__err(err, WS_ECORRUPT,
					 "%s: block header fields out of range",
					 where);
	if (h->dim == 0 || h->dim > WS_MAX_DIM || h->count == 0 ||
	    h->count > BLOCK_MAX_POINTS_ACCEPTED ||
	    h->raw_len > BLOCK_MAX_RAW_ACCEPTED ||
	    /* a timestamp and a metadata byte a point, a symbol a value */
	    (uint64_t)(h->count + 2) * h->dim + 2 * h->count > h->raw_len ||
	    /* a part is deflated only when that makes it smaller */
	    h->stored_len > h->raw_len + 2 * WS_VARINT_MAX ||
	    h->min_ts > h->max_ts || (h->count == 1 && h->min_ts != h->max_ts))
		return ws__err(err, WS_ECORRUPT,
			       "%s: block header fields out of range", where);
	return WS_OK;
}

static ws_status
reserve_columns(ws_block *blk, const ws_block_head *h, ws_error *err)
{
	if (h->count > blk->cap_points) {
		size_t c = blk->cap_points;
		if (ws__grow(&blk->ts, &c, h->count, sizeof(int64_t), err) !=
		    WS_OK)
			return WS_ENOMEM;
		c = blk->cap_points;
		if (ws__grow(&blk->meta_off, &c, h->count + 1,
			     sizeof(uint32_t), err) != WS_OK)
			return WS_ENOMEM;
		blk->cap_points = h->count;
	}
	return WS_OK;
}

static ws_status
decode_times(ws_block *blk, const unsigned char **p, const unsigned char *end,
	     const char *where, ws_error *err)
{
	const ws_block_head *h = &blk->h;
	uint64_t v, delta = 0;
	if (!ws__get_varint(p, end, &v))
		goto bad;
	blk->ts[0] = (int64_t)unzigzag64(v);
	for (uint32_t i = 1; i < h->count; i++) {
		if (!ws__get_varint(p, end, &v))
			goto bad;
		delta = i == 1 ? v : delta + unzigzag64(v);
		if (delta == 0 ||
		    delta > (uint64_t)h->max_ts - (uint64_t)blk->ts[i - 1])
			goto bad;
		blk->ts[i] = (int64_t)((uint64_t)blk->ts[i - 1] + delta);
	}
	if (blk->ts[0] != h->min_ts || blk->ts[h->count - 1] != h->max_ts)
		goto bad;
	return WS_OK;
bad:
	return ws__err(err, WS_ECORRUPT, "%s: bad timestamp column", where);
}

static ws_status
decode_meta(ws_block *blk, const unsigned char **pp, const unsigned char *end,
	    const char *where, ws_error *err)
{
	const unsigned char *p = *pp, *start = p;
	for (uint32_t i = 0; i < blk->h.count; i++) {
		blk->meta_off[i] = (uint32_t)(p - start);
		uint64_t pairs, n;
		if (!ws__get_varint(&p, end, &pairs) ||
		    pairs > (uint64_t)(end - p))
			goto bad;
		for (uint64_t k = 0; k < 2 * pairs; k++) {
			if (!ws__get_varint(&p, end, &n) || n > (uint64_t)(end - p))
				goto bad;
			p += n;
		}
	}
	blk->meta_off[blk->h.count] = (uint32_t)(p - start);
	blk->meta = (unsigned char *)start;
	*pp = p;
	return WS_OK;
bad:
	return ws__err(err, WS_ECORRUPT, "%s: bad metadata column", where);
}

/* Inflates n stored bytes of raw deflate into exactly out_len bytes. */
static ws_status
inflate_exactly(ws_block *blk, const unsigned char *in, size_t n,
		unsigned char *out, size_t out_len, const char *where,
		ws_error *err)
{
	if (blk->inflater == NULL &&
	    (blk->inflater = libdeflate_alloc_decompressor()) == NULL)
		return ws__err(err, WS_ENOMEM, "out of memory");
	size_t used = 0;
	/* No actual_out: anything but exactly out_len bytes is an error. */
	enum libdeflate_result r = libdeflate_deflate_decompress_ex(
		blk->inflater, in, n, out, out_len, &used, NULL);
	if (r != LIBDEFLATE_SUCCESS || used != n)
		return ws__err(err, WS_ECORRUPT,
			       "%s: block payload does not inflate to %zu bytes",
			       where, out_len);
	return WS_OK;
}

ws_status
ws__inflate_payload(ws_block *blk, const ws_block_head *h,
		    const unsigned char *stored, const char *where,
		    ws_error *err)
{
	return inflate_exactly(blk, stored, h->stored_len, blk->raw, h->raw_len,
			       where, err);
}

/*
 * The symbols part of the stored payload into blk->raw, inflated or
 * copied (*sym_len bytes); *rest is the raw part, left where it is
 * stored: the vector decoder reads its exceptions and low bits there,
 * which saves copying most of a wide block.
 */
static ws_status
unpack_payload(ws_block *blk, const ws_block_head *h,
	       const unsigned char *stored, size_t *sym_len,
	       const unsigned char **rest, const char *where, ws_error *err)
{
	const unsigned char *p = stored, *end = stored + h->stored_len;
	uint64_t slen, zlen;
	if (!ws__get_varint(&p, end, &slen) || !ws__get_varint(&p, end, &zlen) ||
	    slen > h->raw_len || zlen > slen || zlen > (uint64_t)(end - p) ||
	    h->raw_len - slen != (uint64_t)(end - p) - zlen)
		return ws__err(err, WS_ECORRUPT, "%s: bad block payload frame",
			       where);
	/* At least a byte: a zero-length part still has an address. */
	if (ws__grow(&blk->raw, &blk->cap_raw, slen ? (size_t)slen : 1, 1,
		     err) != WS_OK)
		return WS_ENOMEM;
	if (zlen == slen) {
		memcpy(blk->raw, p, slen);
	} else {
		ws_status rc =
			inflate_exactly(blk, p, zlen, blk->raw, slen, where, err);
		if (rc != WS_OK)
			return rc;
	}
	*sym_len = slen;
	*rest = p + zlen;
	return WS_OK;
}

ws_status
ws__block_open(const ws_block_head *h, const unsigned char *stored,
	       ws_block *blk, const char *where, ws_error *err)
{
	if (ws__crc32(stored, h->stored_len) != h->payload_crc)
		return ws__err(err, WS_ECORRUPT, "%s: block CRC mismatch", where);
	blk->h = *h;
	blk->vec_lo = blk->vec_hi = 0;
	blk->dec.ready = false;
	if (h->flags != 0)
		return ws__tombstone_decode(h, stored, blk, where, err);
	ws_status rc = reserve_columns(blk, h, err);
	if (rc != WS_OK)
		return rc;
	size_t sym_len = 0;
	const unsigned char *rest = NULL;
	if ((rc = unpack_payload(blk, h, stored, &sym_len, &rest, where,
				 err)) != WS_OK)
		return rc;
	const unsigned char *p = blk->raw, *end = blk->raw + sym_len;
	if ((rc = decode_times(blk, &p, end, where, err)) != WS_OK ||
	    (rc = decode_meta(blk, &p, end, where, err)) != WS_OK)
		return rc;
	rc = ws__vec_dec_open(&blk->dec, &p, end, rest, h->raw_len - sym_len,
			      h->count, h->dim, err);
	if (rc == WS_ECORRUPT || (rc == WS_OK && p != end))
		return ws__err(err, WS_ECORRUPT, "%s: bad vector column", where);
	return rc;
}

ws_status
ws__block_rows(ws_block *blk, size_t lo, size_t hi, const char *where,
	       ws_error *err)
{
	if (blk->vec_lo <= lo && hi <= blk->vec_hi)
		return WS_OK;
	blk->vec_lo = blk->vec_hi = 0;
	if (ws__grow(&blk->vec, &blk->cap_vec, (hi - lo) * blk->h.dim,
		     sizeof(float), err) != WS_OK)
		return WS_ENOMEM;
	if (!ws__vec_dec_rows(&blk->dec, lo, hi, blk->vec))
		return ws__err(err, WS_ECORRUPT, "%s: bad vector column", where);
	blk->vec_lo = lo;
	blk->vec_hi = hi;
	return WS_OK;
}

ws_status
ws__block_decode(const ws_block_head *h, const unsigned char *stored,
		 ws_block *blk, const char *where, ws_error *err)
{
	ws_status rc = ws__block_open(h, stored, blk, where, err);
	if (rc == WS_OK && h->flags == 0)
		rc = ws__block_rows(blk, 0, h->count, where, err);
	return rc;
}

void
ws__block_free(ws_block *blk)
{
	free(blk->ts);
	free(blk->vec);
	free(blk->meta_off);
	free(blk->raw);
	free(blk->stored);
	free(blk->ranges);
	libdeflate_free_decompressor(blk->inflater);
	ws__vec_dec_free(&blk->dec);
	memset(blk, 0, sizeof *blk);
}

size_t
ws__block_lower_bound(const ws_block *blk, int64_t ts)
{
	size_t lo = 0, hi = blk->h.count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (blk->ts[mid] < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
ws__block_point(const ws_block *blk, size_t i, ws_point *pt)
{
	pt->entity_id = blk->h.entity;
	pt->space_id = blk->h.space;
	pt->timestamp = blk->ts[i];
	pt->dim = blk->h.dim;
	pt->vector = blk->vec + (i - blk->vec_lo) * blk->h.dim;
	size_t len = blk->meta_off[i + 1] - blk->meta_off[i];
	/* A lone 0 byte is "no pairs": present it as no metadata. */
	pt->meta = len > 1 ? blk->meta + blk->meta_off[i] : NULL;
	pt->meta_len = len > 1 ? len : 0;
}
