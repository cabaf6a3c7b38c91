/*
 * codec.h - the codec layer: the point model and batches, NDJSON in and
 * out, the line reader, and the block codec (columns, raw deflate, CRC).
 *
 * Owns: the .c files of lib/codec/. May call: the common layer and libdeflate.
 * Knows nothing of stores, files or directories: it turns bytes into
 * points and back.
 */
#ifndef WS_CODEC_H
#define WS_CODEC_H

#include "common/common.h"

#include <libdeflate.h>

/* --- decimal to f32 (decimal.c) ---------------------------------- */

/*
 * mantissa * 10^exp10 as a correctly rounded f32, when one exact float
 * operation can do it (mantissa <= 2^24, |exp10| <= 10); false otherwise.
 * Inline: the shortest-decimal printer calls it for every candidate.
 */
static inline bool
ws__f32_exact(uint64_t mantissa, int exp10, float *out)
{
	/*
	 * Both operands are exact floats (m <= 2^24, 10^k <= 10^10), so one
	 * IEEE operation rounds the true quotient or product correctly
	 * (Clinger's fast path, in single precision).
	 */
	static const float pow10f[] = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f,
				       1e6f, 1e7f, 1e8f, 1e9f, 1e10f};
	if (mantissa > (1u << 24) || exp10 < -10 || exp10 > 10)
		return false;
	float v = (float)mantissa;
	*out = exp10 < 0 ? v / pow10f[-exp10] : v * pow10f[exp10];
	return true;
}

/*
 * n * 10^exp10 (0 < n < 10^9, as the shortest digits of every f32 are)
 * written as ws_format_f32 lays numbers out:
 * positional or exponential by the exponent of the first digit, trailing
 * zeros of n dropped; the decimal exponent of the first digit must stay
 * within +-99, as every f32's does. out must have room for 25 bytes,
 * more than the result: the digits are placed by stores of a fixed size.
 * Returns the length (NUL not counted).
 */
size_t ws__format_decimal(uint32_t n, int exp10, char *out);

/* --- untrusted text in messages (json_lex.c) ---------------------- */

/*
 * Untrusted text (an input key, a name read from a store file) as a
 * message shows it: control characters, quotes and backslashes escaped
 * as JSON does, cut with "..." after about 100 bytes.
 */
#define WS__SHOWN_SIZE 128
const char *ws__shown_text(const char *s, size_t len,
			   char buf[WS__SHOWN_SIZE]);

/* --- points (point.c) ---------------------------------------------- */

/*
 * A batch of points waiting for a commit. Vectors and encoded metadata
 * live in arenas so that a batch of a million points is three large
 * allocations, not millions of small ones.
 */
typedef struct ws_batch_entry {
	uint64_t entity;
	int64_t ts;
	uint64_t line;   /* input line: the later line wins a key */
	size_t vec_off;  /* index into the float arena */
	size_t meta_off; /* offset into the metadata arena, WS_NO_META: none */
	uint32_t space;
	uint32_t dim;
} ws_batch_entry;

typedef struct ws_batch {
	ws_batch_entry *e;
	size_t n, cap;
	float *vec;
	size_t nvec, capvec;
	unsigned char *meta;
	size_t nmeta, capmeta;
	const char *source; /* names the input in messages */
} ws_batch;

/*
 * An entry's metadata sits in the arena behind a varint of its length,
 * so that the entry needs no length field: 48 bytes, not 56, lets a batch
 * of the same memory hold more points (fewer, larger blocks).
 */
#define WS_NO_META SIZE_MAX

void ws__batch_init(ws_batch *b);
void ws__batch_reset(ws_batch *b);
void ws__batch_free(ws_batch *b);
/* What a point's vector and metadata take in a block (at most
 * WS_MAX_POINT_BYTES for a point ws-ingest accepts). */
static inline size_t
ws__point_bytes(const ws_point *pt)
{
	return (size_t)pt->dim * 4 + pt->meta_len;
}
ws_status ws__batch_add(ws_batch *b, const ws_point *pt, uint64_t line,
			ws_error *err);
/*
 * Appends every entry of src, as ws__batch_add of each of its points in
 * order would: the same entries, vectors and metadata bytes.
 */
ws_status ws__batch_append(ws_batch *b, const ws_batch *src, ws_error *err);
/* An entry's encoded metadata and its length (NULL and 0: none). */
const unsigned char *ws__batch_meta(const ws_batch *b,
				    const ws_batch_entry *e, size_t *len);
/* Entry i as a point (a view valid until the batch changes). */
void ws__batch_point(const ws_batch *b, size_t i, ws_point *pt);
/* Bytes the batch holds, the figure batch_bytes is compared with. */
size_t ws__batch_bytes(const ws_batch *b);
/*
 * Sorts by (entity, space, timestamp) and keeps, for each key, the entry
 * of the latest line.
 */
void ws__batch_sort_dedup(ws_batch *b);
/*
 * The same, when entries [0, sorted) are sorted and deduplicated already
 * and only those after them are not (a commit's batch with the points of
 * merged blocks behind it): those are sorted alone and merged in, where
 * sorting all of them moved every entry again.
 */
void ws__batch_sort_dedup_tail(ws_batch *b, size_t sorted);

/* --- lines parsed ahead on two threads (parse_ahead.c) -------------- */

/*
 * A run of lines (their text where the line reader holds it) parsed as
 * points in two halves at once; the points are then taken in input order.
 */
typedef struct ws__ahead ws__ahead;
struct ws__ahead_half {
	const ws__ahead *run;
	size_t first, end; /* the half's lines */
	ws_point_buf *pb;
	ws_batch points;   /* of the lines that parsed, in order */
	size_t next;       /* the next of them to take */
	size_t left_out;   /* lines too long, bad, or of a point too large */
	int64_t max_ts;    /* the latest timestamp among the points */
	ws_status rc;      /* WS_ENOMEM with err when points could not grow */
	ws_error err;
};
struct ws__ahead {
	ws_line *lines;
	size_t n, cap;
	size_t bytes; /* of the lines' text */
	uint32_t default_space;
	enum ws_time_unit unit;
	struct ws__ahead_half half[2];
};

void ws__ahead_init(ws__ahead *a, uint32_t default_space,
		    enum ws_time_unit unit);
void ws__ahead_free(ws__ahead *a);
/* Empties the run for the next lines. */
void ws__ahead_reset(ws__ahead *a);
ws_status ws__ahead_add(ws__ahead *a, const ws_line *line, ws_error *err);
/*
 * Memory the run holds (its text in the line reader, the lines, the
 * parsed points), to count beside a batch's.
 */
size_t ws__ahead_bytes(const ws__ahead *a);
/* Parses every line of the run, on two threads when it is large enough. */
ws_status ws__ahead_parse(ws__ahead *a, ws_error *err);
/*
 * Line i's point, if the line parsed (a view valid until the next reset);
 * false for a blank, too long or bad line. Ask for i in increasing order.
 */
bool ws__ahead_point(ws__ahead *a, size_t i, ws_point *pt);
/*
 * When line i starts a half of the run none of whose lines were taken
 * yet and all of whose lines parsed (or were blank): that half, whose
 * points the caller may take at once (ws__ahead_took_half); else NULL.
 */
const struct ws__ahead_half *ws__ahead_whole_half(const ws__ahead *a,
						  size_t i);
void ws__ahead_took_half(ws__ahead *a, const struct ws__ahead_half *h);

/* Orders two keys; returns <0, 0, >0. */
int ws__key_cmp(uint64_t e1, uint32_t s1, int64_t t1, uint64_t e2,
		uint32_t s2, int64_t t2);

/* --- blocks (block.c) ---------------------------------------------- */

/* The first bytes of every block header (warmstore(5), Data files). */
#define WS_BLOCK_MAGIC "WSB1"
#define WS_BLOCK_HEADER 72
/*
 * 4: vectors as decimal integers (vec_alp.c), only the symbols deflated,
 * the column headers together. Versions 1 and 2 (the whole payload
 * deflated) and 3 (each column header before its symbols) are no longer
 * read.
 */
#define WS_BLOCK_VERSION 4
#define WS_BLOCK_MAX_POINTS 8192u
#define WS_BLOCK_MAX_RAW (64u * 1024u)

/* The header fields of one block, as stored. */
typedef struct ws_block_head {
	uint64_t entity;
	uint32_t version; /* WS_BLOCK_VERSION */
	uint32_t flags;   /* 0, WS_BLOCK_TOMBSTONE or WS_BLOCK_RETENTION */
	uint32_t space, dim, count;
	uint32_t raw_len, stored_len, payload_crc;
	int64_t min_ts, max_ts;
	uint64_t seq;
} ws_block_head;

/*
 * Where the decode of one vector column stands between runs of rows
 * (vec_alp.c). A block keeps one for each component, and a query's
 * buffers are fresh pages: 32 bytes each is 12 KiB for 384 components,
 * where pointers and sizes took 18 KiB. Offsets fit 32 bits: a payload
 * is at most 67371024 bytes (warmstore(5)).
 */
typedef struct ws_vec_col {
	int64_t prev1, prev2; /* the integers of the two rows before */
	uint32_t sym;         /* its next symbol (or first-value varint),
				 from the decoder's sym_start */
	uint32_t bit;         /* its next low bit in the low-bit stream */
	uint32_t exc;         /* its next exception, counted from 0 */
	unsigned char e, order, s;
} ws_vec_col;

/*
 * A decoder of one block's vectors: any run of rows can be decoded
 * without the others, and runs in ascending order carry on where the last
 * one stopped (the next get in the same block costs only its rows).
 */
typedef struct ws_vec_dec {
	ws_vec_col *cols;
	size_t cap_cols;
	const unsigned char *sym_start, *sym_end, *sym_next;
	const unsigned char *exc, *bits, *bits_end; /* the raw part */
	size_t nexc, n, row; /* every column stands at row */
	uint32_t dim;
	bool ready;
} ws_vec_dec;

/* A decoded block: columns of count points. */
typedef struct ws_block {
	ws_block_head h;
	int64_t *ts;
	float *vec;            /* rows [vec_lo, vec_hi), dim values each */
	size_t vec_lo, vec_hi;
	ws_vec_dec dec;        /* the vectors, in raw */
	uint32_t *meta_off;    /* count + 1 offsets into meta */
	unsigned char *meta;
	unsigned char *raw;    /* scratch: the symbols part, inflated */
	unsigned char *stored; /* the block as ws__store_read_block read it */
	size_t cap_points, cap_raw, cap_stored;
	size_t cap_vec;
	int64_t *ranges;       /* a tombstone's: from, to, from, to ... */
	size_t cap_ranges;
	struct libdeflate_decompressor *inflater; /* made on first use */
} ws_block;

/* --- vector columns as decimal integers (vec_alp.c) ---------------- */

/* Scratch of the vector encoder, reused across blocks; its output parts. */
typedef struct ws_vec_enc {
	float *col;                 /* one column's values */
	int64_t *base, *x, *best_x; /* its integers: at e, per order, chosen */
	unsigned char *base_ok, *cls, *best_cls;
	unsigned char *sym; /* the symbols part, from sym + sym_start */
	unsigned char *exc, *bits; /* the raw part: exceptions, low bits */
	size_t sym_start, sym_len, exc_len, bits_len, nexc;
	size_t cap_col, cap_base, cap_x, cap_best_x, cap_base_ok, cap_cls,
		cap_best_cls, cap_sym, cap_exc, cap_bits;
} ws_vec_enc;

/* Encodes n rows of dim values (rows[i][0..dim-1]) into ve's parts. */
ws_status ws__vec_encode(ws_vec_enc *ve, const float *const *rows, size_t n,
			 uint32_t dim, ws_error *err);
void ws__vec_enc_free(ws_vec_enc *ve);
/*
 * Opens the vectors of n rows of dim values: the symbols at *sym (advanced
 * past them) and the raw part, which must stay in place while the decoder
 * is used. WS_ECORRUPT (without a message: the caller names the block) if
 * the bytes are not what ws__vec_encode writes, WS_ENOMEM.
 */
ws_status ws__vec_dec_open(ws_vec_dec *d, const unsigned char **sym,
			   const unsigned char *sym_end,
			   const unsigned char *raw, size_t raw_len, size_t n,
			   uint32_t dim, ws_error *err);
/*
 * Decodes rows [lo, hi) into vec (row-major, (hi - lo) * dim values);
 * false if their values are not ones an encoder makes.
 */
bool ws__vec_dec_rows(ws_vec_dec *d, size_t lo, size_t hi, float *vec);
void ws__vec_dec_free(ws_vec_dec *d);

/*
 * State reused across the blocks of a commit: one zlib stream (setting one
 * up costs more than compressing a small block), the raw payload and the
 * vector encoder.
 */
typedef struct ws_encoder {
	struct libdeflate_compressor *deflater; /* made on first use */
	unsigned char *raw;
	size_t cap_raw;
	const float **rows;
	size_t cap_rows;
	ws_vec_enc vec;
} ws_encoder;

void ws__encoder_init(ws_encoder *enc);
void ws__encoder_free(ws_encoder *enc);

/*
 * Encodes entries [first, first+count) of a sorted batch (all one series)
 * into out (header + raw deflate payload), which grows as needed.
 */
ws_status ws__block_encode(ws_encoder *enc, const ws_batch *b, size_t first,
			   size_t count, uint64_t seq, unsigned char **out,
			   size_t *cap, size_t *len, ws_block_head *head,
			   ws_error *err);
/* Checks and parses a 72-byte header (magic, version, header CRC, sizes). */
ws_status ws__block_parse_head(const unsigned char *p, ws_block_head *h,
			       const char *where, ws_error *err);
/* Verifies the payload CRC, inflates and decodes into blk. */
ws_status ws__block_decode(const ws_block_head *h,
			   const unsigned char *stored, ws_block *blk,
			   const char *where, ws_error *err);
/*
 * The same without the vectors (no rows decoded yet): ws__block_rows then
 * decodes the rows a reader needs, from the raw part in stored, which
 * must stay as it is until then (ws__store_read_block reads into
 * blk->stored for that).
 */
ws_status ws__block_open(const ws_block_head *h, const unsigned char *stored,
			 ws_block *blk, const char *where, ws_error *err);
/* Decodes the vectors of rows [lo, hi) of an opened block, unless held. */
ws_status ws__block_rows(ws_block *blk, size_t lo, size_t hi,
			 const char *where, ws_error *err);
void ws__block_free(ws_block *blk);
/* Index of the first point at or after ts (count when none). */
size_t ws__block_lower_bound(const ws_block *blk, int64_t ts);
/* View of point i of a decoded block (its row decoded). */
void ws__block_point(const ws_block *blk, size_t i, ws_point *pt);

/* --- tombstones (tombstone.c) ------------------------------------ */

/*
 * Header flags (warmstore(5), Tombstones): a tombstone block of one series
 * holds sorted, disjoint, inclusive time ranges instead of points; a
 * retention block (no series) holds a cutoff. Both have dim 0.
 */
#define WS_BLOCK_TOMBSTONE 0x1u
#define WS_BLOCK_RETENTION 0x2u
/* Ranges one tombstone block holds at most (raw payload <= 80 KiB). */
#define WS_TOMBSTONE_MAX_RANGES 4096u

/* An inclusive time range. */
typedef struct ws__time_range {
	int64_t from, to;
} ws__time_range;

/*
 * A retention record: every point with timestamp < before, of space
 * `space` only when has_space, written before commit seq is hidden.
 */
typedef struct ws__retention {
	uint64_t seq;
	int64_t before;
	bool has_space;
	uint32_t space;
	uint32_t file; /* the data file holding its block */
} ws__retention;

/*
 * Sorts ranges and merges those that overlap or touch, in place; returns
 * how many remain.
 */
size_t ws__ranges_normalize(ws__time_range *r, size_t n);
/*
 * Encodes n (<= WS_TOMBSTONE_MAX_RANGES) normalized ranges of one series
 * as a tombstone block (header + payload, deflated only when that is
 * smaller) into out, which grows as needed.
 */
ws_status ws__tombstone_encode(ws_encoder *enc, uint64_t entity,
			       uint32_t space, const ws__time_range *r,
			       size_t n, uint64_t seq, unsigned char **out,
			       size_t *cap, size_t *len, ws_block_head *head,
			       ws_error *err);
/* Encodes a retention block of seq for r (its seq and file are ignored). */
ws_status ws__retention_encode(const ws__retention *r, uint64_t seq,
			       unsigned char **out, size_t *cap, size_t *len,
			       ws_block_head *head, ws_error *err);
/*
 * The payload of a tombstone or retention block (flags say which), its
 * CRC already checked: the ranges into blk->ranges, a retention record's
 * before, has_space and space as the first three values there.
 */
ws_status ws__tombstone_decode(const ws_block_head *h,
			       const unsigned char *stored, ws_block *blk,
			       const char *where, ws_error *err);
/* The retention record of a decoded retention block. */
void ws__retention_of_block(const ws_block *blk, ws__retention *r);
/* Header field checks of the two kinds (block.c calls them). */
bool ws__tombstone_head_ok(const ws_block_head *h);

/* Writes a 72-byte block header with its CRC (block.c). */
void ws__block_put_head(unsigned char *p, const ws_block_head *h);
/*
 * Raw deflate of enc->raw[0..raw_len) into out, when it fits in out_cap
 * bytes: *stored is its size, or 0 when it does not fit (block.c).
 */
ws_status ws__deflate_raw(ws_encoder *enc, size_t raw_len, unsigned char *out,
			  size_t out_cap, size_t *stored, ws_error *err);
/* Inflates a block's stored payload into exactly raw_len bytes of blk->raw
 * (block.c). */
ws_status ws__inflate_payload(ws_block *blk, const ws_block_head *h,
			      const unsigned char *stored, const char *where,
			      ws_error *err);

/* --- timestamps as an output writes them (ndjson_write.c) ---------- */

/*
 * The timestamp in out's time format, unquoted and NUL-terminated
 * (integer microseconds or RFC 3339), as a CSV field takes it; buf holds
 * WS_RFC3339_BUFSIZE bytes. Returns the length.
 */
size_t ws__format_timestamp(const ws_output *out, int64_t ts, char *buf);
/* The same as a JSON value: an RFC 3339 string comes in quotes. */
#define WS__TIMESTAMP_JSON_BUFSIZE (WS_RFC3339_BUFSIZE + 2)
size_t ws__format_timestamp_json(const ws_output *out, int64_t ts,
				 char *buf);
/* How far out's buffer fills before it is flushed (short, then all). */
size_t ws__output_fill(const ws_output *out);

/* --- the printer's view of an output (ndjson_write.c, printer.c) --- */

/* Whether out writes CSV (ws_output_set_format). */
bool ws__output_is_csv(const ws_output *out);

/* How many points the caller of p printed ahead while its helper was
 * busy (printer.c; for the tests). */
uint64_t ws__printer_printed_ahead(const ws_printer *p);

/* --- commit records (commit_record.c) ------------------------------ */

#define WS_COMMIT_MAGIC "WSC1"
#define WS_COMMIT_RECORD 32
#define WS_COMMIT_VERSION 1
/* The last record of its commit: the commit is whole on disk. */
#define WS_COMMIT_FINAL 0x1

/*
 * A commit record closes, in one data file, the blocks a commit wrote
 * there since the file's previous record.
 */
typedef struct ws_commit_record {
	uint16_t flags;
	uint64_t seq;    /* of the commit */
	uint64_t blocks; /* of the commit in this file, before the record */
} ws_commit_record;

void ws__commit_record_put(unsigned char p[WS_COMMIT_RECORD],
			   const ws_commit_record *r);
/* Whether p (at least 4 bytes) starts with the commit record magic. */
bool ws__is_commit_record(const unsigned char *p);
/* Checks and parses a record; where names it in messages. */
ws_status ws__commit_record_parse(const unsigned char p[WS_COMMIT_RECORD],
				  ws_commit_record *r, const char *where,
				  ws_error *err);

#endif
