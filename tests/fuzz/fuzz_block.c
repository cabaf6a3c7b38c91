/*
 * fuzz_block.c - libFuzzer target for the block codec.
 *
 * The first input byte picks a mode:
 *   0  the rest is a block as stored (72-byte header + payload);
 *   1  the same, with the stored length and both CRCs made to match, so
 *      that the fuzzer reaches inflate and the column decoders;
 *   2  the rest is a header, the length of the symbols part (2 bytes)
 *      and a raw payload, which the harness frames and seals: this
 *      reaches the column decoders with every payload the fuzzer can
 *      think of;
 *   3  the rest describes points: they are encoded, and decoding the
 *      block must give them back bit for bit.
 * Whatever decodes is re-encoded and decoded again: same block.
 */
#include "codec/codec.h"

#include <string.h>

#include "fuzz.h"

/* Puts the points of a decoded block into a batch, in order. */
static void
block_to_batch(const ws_block *blk, ws_batch *b)
{
	ws_error err;
	for (uint32_t i = 0; i < blk->h.count; i++) {
		ws_point pt;
		ws__block_point(blk, i, &pt);
		FUZZ_CHECK(ws__batch_add(b, &pt, i + 1, &err) == WS_OK);
	}
}

/* Encodes a sorted, one-series batch, then parses and decodes it. */
static void
encode_decode(const ws_batch *b, uint64_t seq, ws_block *out)
{
	ws_error err;
	unsigned char *enc = NULL;
	size_t cap = 0, len;
	ws_block_head h, h2;
	ws_encoder encoder;
	ws__encoder_init(&encoder);
	FUZZ_CHECK(ws__block_encode(&encoder, b, 0, b->n, seq, &enc, &cap,
				    &len, &h, &err) == WS_OK);
	ws__encoder_free(&encoder);
	FUZZ_CHECK(len == WS_BLOCK_HEADER + h.stored_len);
	if (ws__block_parse_head(enc, &h2, "fuzz", &err) != WS_OK) {
		fprintf(stderr, "encoded header rejected: %s\n", err.msg);
		abort();
	}
	FUZZ_CHECK(memcmp(&h, &h2, sizeof h) == 0);
	if (ws__block_decode(&h2, enc + WS_BLOCK_HEADER, out, "fuzz", &err) !=
	    WS_OK) {
		fprintf(stderr, "encoded block rejected: %s\n", err.msg);
		abort();
	}
	free(enc);
}

/* Point i of the batch and of the block must be the same, bit for bit. */
static void
check_same(const ws_batch *b, const ws_block *blk)
{
	FUZZ_CHECK(blk->h.count == b->n);
	for (size_t i = 0; i < b->n; i++) {
		const ws_batch_entry *e = &b->e[i];
		ws_point pt;
		ws__block_point(blk, i, &pt);
		FUZZ_CHECK(pt.entity_id == e->entity && pt.space_id == e->space &&
			   pt.timestamp == e->ts && pt.dim == e->dim);
		FUZZ_CHECK(memcmp(pt.vector, b->vec + e->vec_off,
				  e->dim * sizeof(float)) == 0);
		size_t mlen;
		const unsigned char *meta = ws__batch_meta(b, e, &mlen);
		/* A lone 0 byte ("no pairs") reads back as no metadata. */
		if (mlen == 1)
			mlen = 0;
		FUZZ_CHECK(pt.meta_len == mlen);
		FUZZ_CHECK(mlen == 0 || memcmp(pt.meta, meta, mlen) == 0);
	}
}

/* Invariants of any block the decoder accepts, then a round trip. */
static void
check_decoded(const ws_block *blk)
{
	const ws_block_head *h = &blk->h;
	FUZZ_CHECK(h->count >= 1 && h->dim >= 1);
	FUZZ_CHECK(blk->ts[0] == h->min_ts && blk->ts[h->count - 1] == h->max_ts);
	for (uint32_t i = 1; i < h->count; i++)
		FUZZ_CHECK(blk->ts[i] > blk->ts[i - 1]);
	for (uint32_t i = 0; i < h->count; i++) {
		ws_point pt;
		ws__block_point(blk, i, &pt);
		size_t pos = 0;
		ws_meta_pair pair;
		while (ws_meta_next(pt.meta, pt.meta_len, &pos, &pair))
			FUZZ_CHECK(pos <= pt.meta_len);
	}
	ws_batch b;
	ws__batch_init(&b);
	block_to_batch(blk, &b);
	/* Too big for one block by the writer's rules: it never writes it. */
	if (h->count <= WS_BLOCK_MAX_POINTS) {
		ws_block again = {0};
		encode_decode(&b, h->seq, &again);
		check_same(&b, &again);
		ws__block_free(&again);
	}
	ws__batch_free(&b);
}

/* Decodes a header and exactly the payload bytes that follow it. */
static void
decode_stored(const uint8_t *p, size_t n)
{
	if (n < WS_BLOCK_HEADER)
		return;
	ws_error err;
	ws_block_head h;
	unsigned char head[WS_BLOCK_HEADER];
	memcpy(head, p, sizeof head);
	if (ws__block_parse_head(head, &h, "fuzz", &err) != WS_OK)
		return;
	if (h.stored_len > n - WS_BLOCK_HEADER)
		return;
	/* An exact-size copy: a read past the payload is caught. */
	unsigned char *stored = malloc(h.stored_len ? h.stored_len : 1);
	FUZZ_CHECK(stored != NULL);
	memcpy(stored, p + WS_BLOCK_HEADER, h.stored_len);
	ws_block blk = {0};
	if (ws__block_decode(&h, stored, &blk, "fuzz", &err) == WS_OK)
		check_decoded(&blk);
	else
		FUZZ_CHECK(err.msg[0] != '\0');
	ws__block_free(&blk);
	free(stored);
}

/* Mode 1: the rest is header + stored payload; make lengths and CRCs fit. */
static void
seal_stored(const uint8_t *p, size_t n)
{
	if (n < WS_BLOCK_HEADER || n - WS_BLOCK_HEADER > UINT32_MAX)
		return;
	unsigned char *copy = malloc(n);
	FUZZ_CHECK(copy != NULL);
	memcpy(copy, p, n);
	memcpy(copy, "WSB1", 4);
	ws__put_u16(copy + 4, WS_BLOCK_VERSION);
	ws__put_u32(copy + 32, (uint32_t)(n - WS_BLOCK_HEADER));
	ws__put_u32(copy + 36, ws__crc32(copy + WS_BLOCK_HEADER,
					 n - WS_BLOCK_HEADER));
	ws__put_u32(copy + 64, ws__crc32(copy, 64));
	decode_stored(copy, n);
	free(copy);
}

/*
 * Mode 2: the rest is a header, 2 bytes (the length of the symbols part)
 * and a raw payload, which the harness frames as stored without deflate.
 */
static void
seal_raw(const uint8_t *p, size_t n)
{
	if (n < WS_BLOCK_HEADER + 2)
		return;
	size_t raw_len = n - WS_BLOCK_HEADER - 2;
	size_t sym_len = ws__get_u16(p + WS_BLOCK_HEADER);
	if (sym_len > raw_len)
		sym_len = raw_len;
	unsigned char *blk = malloc(WS_BLOCK_HEADER + 2 * WS_VARINT_MAX + raw_len);
	FUZZ_CHECK(blk != NULL);
	memcpy(blk, p, WS_BLOCK_HEADER);
	size_t fl = ws__put_varint(blk + WS_BLOCK_HEADER, sym_len);
	fl += ws__put_varint(blk + WS_BLOCK_HEADER + fl, sym_len);
	memcpy(blk + WS_BLOCK_HEADER + fl, p + WS_BLOCK_HEADER + 2, raw_len);
	size_t stored = fl + raw_len;
	memcpy(blk, "WSB1", 4);
	ws__put_u16(blk + 4, WS_BLOCK_VERSION);
	ws__put_u32(blk + 28, (uint32_t)raw_len);
	ws__put_u32(blk + 32, (uint32_t)stored);
	ws__put_u32(blk + 36, ws__crc32(blk + WS_BLOCK_HEADER, stored));
	ws__put_u32(blk + 64, ws__crc32(blk, 64));
	decode_stored(blk, WS_BLOCK_HEADER + stored);
	free(blk);
}

/* Mode 3: points built from the input must survive encode and decode. */
static void
round_trip(const uint8_t *p, size_t n)
{
	src s = {p, n};
	ws_error err;
	uint64_t entity = take(&s, 8);
	uint32_t space = (uint32_t)take(&s, 4);
	uint32_t dim = 1 + (uint32_t)(take(&s, 1) % 8);
	uint32_t count = 1 + (uint32_t)(take(&s, 1) % 64);
	int64_t ts = (int64_t)take(&s, 8);
	ws_batch b;
	ws__batch_init(&b);
	float vec[8];
	unsigned char meta[512];
	for (uint32_t i = 0; i < count; i++) {
		/* Mostly small steps; sometimes a jump across the i64 range. */
		uint8_t how = (uint8_t)take(&s, 1);
		if (how & 0x80)
			ts = (int64_t)take(&s, 8);
		else
			ts = (int64_t)((uint64_t)ts + (how & 0x3f));
		for (uint32_t j = 0; j < dim; j++) {
			uint32_t w = (uint32_t)take(&s, 4);
			memcpy(&vec[j], &w, sizeof w);
		}
		size_t mlen = 0;
		unsigned pairs = (unsigned)take(&s, 1) % 4;
		if (pairs > 0) {
			mlen += ws__put_varint(meta + mlen, pairs);
			for (unsigned k = 0; k < 2 * pairs; k++) {
				size_t l = (size_t)take(&s, 1) % 16;
				mlen += ws__put_varint(meta + mlen, l);
				for (size_t x = 0; x < l; x++)
					meta[mlen++] = (unsigned char)take(&s, 1);
			}
		}
		ws_point pt = {.entity_id = entity, .space_id = space,
			       .timestamp = ts, .dim = dim, .vector = vec,
			       .meta = mlen ? meta : NULL, .meta_len = mlen};
		FUZZ_CHECK(ws__batch_add(&b, &pt, i + 1, &err) == WS_OK);
	}
	ws__batch_sort_dedup(&b);
	ws_block blk = {0};
	encode_decode(&b, take(&s, 8), &blk);
	check_same(&b, &blk);
	ws__block_free(&blk);
	ws__batch_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	switch (data[0] % 4) {
	case 0:
		decode_stored(p, n);
		break;
	case 1:
		seal_stored(p, n);
		break;
	case 2:
		seal_raw(p, n);
		break;
	case 3:
		round_trip(p, n);
		break;
	}
	return 0;
}
