/*
 * test_codec.c - unit tests of the codecs: f32 printing, the NDJSON point
 * parser, varints, the block codec and its vector columns.
 */
#include "codec/codec.h"
#include "codec/json_lex.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "fast_f32.h"
#include "same_point.h"
#include "tap.h"

/* The printer before the integer one (f32fmt_old.c): the oracle. */
size_t old_format_f32(float f, char *buf);

static void
check_f32(float f, const char *want)
{
	char buf[WS_F32_BUFSIZE];
	size_t n = ws_format_f32(f, buf);
	TAP_CHECK(n == strlen(want) && strcmp(buf, want) == 0,
		  "f32 %.9g prints as %s (got %s)", (double)f, want, buf);
	float back = strtof(buf, NULL);
	TAP_CHECK(memcmp(&back, &f, sizeof f) == 0, "%s reads back exactly", buf);
}

/* Digits printf's %e needs for f to read back (1..9). */
static int
printf_shortest_digits(float f)
{
	char ref[WS_F32_BUFSIZE];
	int p;
	for (p = 1; p < 9; p++) {
		snprintf(ref, sizeof ref, "%.*e", p - 1, (double)f);
		if (strtof(ref, NULL) == f)
			break;
	}
	return p;
}

/* Significant digits of a printed number. */
static int
significant_digits(const char *buf)
{
	int digits = 0;
	bool leading = true;
	for (const char *c = buf; *c && *c != 'e'; c++) {
		if (*c >= '1' && *c <= '9')
			leading = false;
		if (*c >= '0' && *c <= '9' && !leading)
			digits++;
	}
	/* Trailing zeros of an integer part are not significant. */
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL)
		for (const char *c = buf + strlen(buf) - 1; c > buf && *c == '0'; c--)
			digits--;
	return digits;
}

/* Whether the float with bits u prints shortest and reads back exactly. */
static bool
prints_shortest(uint32_t u)
{
	float f, back;
	char buf[WS_F32_BUFSIZE];
	memcpy(&f, &u, sizeof f);
	ws_format_f32(f, buf);
	back = strtof(buf, NULL);
	return memcmp(&f, &back, sizeof f) == 0 &&
	       significant_digits(buf) <= printf_shortest_digits(f);
}

static void
test_f32(void)
{
	check_f32(0.1f, "0.1");
	check_f32(0.25f, "0.25");
	check_f32(-3.5f, "-3.5");
	check_f32(20.0f, "20");
	check_f32(100.0f, "100");
	check_f32(1e10f, "10000000000");
	check_f32(1e20f, "1e+20");
	check_f32(0.001f, "0.001");
	check_f32(1e-6f, "1e-06");
	check_f32(0.0f, "0");
	check_f32(-0.0f, "-0");
	check_f32(FLT_MAX, "3.4028235e+38");
	check_f32(FLT_MIN, "1.1754944e-38");
	check_f32(1e-45f, "1e-45");
	check_f32(16777217.0f, "16777216");
	check_f32(0.33333334f, "0.33333334");
	check_f32(123.456f, "123.456");
	/* Every float of a sweep reads back exactly. */
	int bad = 0;
	for (uint32_t u = 0; u < 0x7f800000u; u += 0x00012345u) {
		float f, back;
		char buf[WS_F32_BUFSIZE];
		memcpy(&f, &u, sizeof f);
		ws_format_f32(f, buf);
		back = strtof(buf, NULL);
		bad += memcmp(&f, &back, sizeof f) != 0;
	}
	TAP_CHECK(bad == 0, "sweep of f32 values round-trips (%d bad)", bad);
	/* ... with no more significant digits than printf's shortest %e. */
	int longer = 0;
	for (uint32_t u = 0x00000001u; u < 0x7f800000u; u += 0x0000f00du)
		longer += !prints_shortest(u);
	TAP_CHECK(longer == 0, "no f32 prints longer than its shortest form (%d did)",
		  longer);
	/* The decimal exponent is found without log10: try its edges. */
	int edge_bad = 0;
	for (int k = -45; k <= 38; k++) {
		char lit[16];
		snprintf(lit, sizeof lit, "1e%d", k);
		float p10 = strtof(lit, NULL);
		uint32_t u;
		memcpy(&u, &p10, sizeof u);
		for (uint32_t near = u - 1; near <= u + 1; near++)
			edge_bad += near > 0 && near < 0x7f800000u &&
				    !prints_shortest(near);
	}
	TAP_CHECK(edge_bad == 0,
		  "floats at and beside each power of ten print shortest and "
		  "read back (%d bad)", edge_bad);
}

static ws_status
parse(const char *line, ws_point *pt, ws_error *err)
{
	static ws_point_buf *buf;
	if (buf == NULL)
		buf = ws_point_buf_new();
	return ws_parse_point(line, strlen(line), WS_PARSE_POINT, 7, buf, pt,
			      err);
}

static void
expect_reject(const char *line, const char *reason)
{
	ws_point pt;
	ws_error err = {0};
	ws_status rc = parse(line, &pt, &err);
	TAP_CHECK(rc == WS_EBADINPUT && strstr(err.msg, reason) != NULL,
		  "rejects %s: '%s' (got '%s')", line, reason, err.msg);
}

static void
test_parse_good(void)
{
	ws_point pt;
	ws_error err = {0};
	ws_status rc = parse("{\"entity_id\":18446744073709551615,"
			     "\"timestamp\":-9223372036854775808,"
			     "\"vector\":[0.1, -2e3 ,1E-2],"
			     "\"metadata\":{\"u\":\"\\u00e9\\n\",\"k\":\"\"}}",
			     &pt, &err);
	TAP_CHECK(rc == WS_OK, "parses a full point (%s)", err.msg);
	TAP_CHECK(pt.entity_id == UINT64_MAX, "u64 max entity exact");
	TAP_CHECK(pt.timestamp == INT64_MIN, "i64 min timestamp exact");
	TAP_CHECK(pt.space_id == 7, "missing space_id takes the default");
	TAP_CHECK(pt.dim == 3 && pt.vector[0] == 0.1f && pt.vector[1] == -2000.0f &&
			  pt.vector[2] == 0.01f,
		  "vector values");
	size_t pos = 0;
	ws_meta_pair p1, p2, p3;
	bool ok = ws_meta_next(pt.meta, pt.meta_len, &pos, &p1) &&
		  ws_meta_next(pt.meta, pt.meta_len, &pos, &p2) &&
		  !ws_meta_next(pt.meta, pt.meta_len, &pos, &p3);
	TAP_CHECK(ok && p1.value_len == 3 && memcmp(p1.value, "\xc3\xa9\n", 3) == 0 &&
			  p2.key_len == 1 && p2.value_len == 0,
		  "metadata decoded in order with escapes");
	rc = parse("{\"entity_id\":1,\"timestamp\":2,\"vector\":[1],\"metadata\":{}}",
		   &pt, &err);
	TAP_CHECK(rc == WS_OK && pt.meta_len == 0, "empty metadata is none");
	rc = parse(" {\"vector\":[1.5],\"timestamp\":0,\"entity_id\":-0,\"space_id\":4294967295}\r",
		   &pt, &err);
	TAP_CHECK(rc == WS_OK && pt.space_id == UINT32_MAX && pt.entity_id == 0,
		  "any key order, white space, CR");
	TAP_CHECK(ws_line_is_blank(" \t\r", 3) && !ws_line_is_blank(" x", 2),
		  "blank lines");
}

static void
test_parse_bad(void)
{
	expect_reject("{\"entity_id\":1,", "invalid JSON: unexpected end of line");
	expect_reject("[1,2]", "not a JSON object");
	expect_reject("42", "not a JSON object");
	expect_reject("{\"timestamp\":1,\"vector\":[1]}", "missing field \"entity_id\"");
	expect_reject("{\"entity_id\":1,\"vector\":[1]}", "missing field \"timestamp\"");
	expect_reject("{\"entity_id\":1,\"timestamp\":1}", "missing field \"vector\"");
	expect_reject("{\"entity_id\":\"1\",\"timestamp\":1,\"vector\":[1]}",
		      "field \"entity_id\" must be an integer");
	expect_reject("{\"entity_id\":1.5,\"timestamp\":1,\"vector\":[1]}",
		      "field \"entity_id\" must be an integer");
	expect_reject("{\"entity_id\":1e3,\"timestamp\":1,\"vector\":[1]}",
		      "must be an integer");
	expect_reject("{\"entity_id\":18446744073709551616,\"timestamp\":1,\"vector\":[1]}",
		      "field \"entity_id\" out of range (0..18446744073709551615)");
	expect_reject("{\"entity_id\":-1,\"timestamp\":1,\"vector\":[1]}",
		      "field \"entity_id\" out of range");
	expect_reject("{\"entity_id\":1,\"space_id\":4294967296,\"timestamp\":1,\"vector\":[1]}",
		      "field \"space_id\" out of range (0..4294967295)");
	expect_reject("{\"entity_id\":1,\"timestamp\":9223372036854775808,\"vector\":[1]}",
		      "field \"timestamp\" out of range");
	expect_reject("{\"entity_id\":1,\"timestamp\":1,\"vector\":[]}", "vector is empty");
	expect_reject("{\"entity_id\":1,\"timestamp\":1,\"vector\":[1,1e39]}",
		      "vector[1] is out of f32 range");
	expect_reject("{\"entity_id\":1,\"timestamp\":1,\"vector\":[NaN]}", "invalid JSON");
	expect_reject("{\"entity_id\":1,\"timestamp\":1,\"vector\":[\"a\"]}",
		      "field \"vector\" must be an array of numbers");
	expect_reject("{\"entity_id\":1,\"timestamp\":1,\"vector\":{}}",
		      "field \"vector\" must be an array of numbers");
	expect_reject("{\"entity_id\":1,\"timestamp\":1,\"vector\":[1],\"metadata\":{\"u\":1}}",
		      "metadata \"u\" must be a string");
	expect_reject("{\"entity_id\":1,\"timestamp\":1,\"vector\":[1],\"metadata\":[]}",
		      "field \"metadata\" must be an object of strings");
	expect_reject("{\"entity_id\":1,\"timestmap\":1,\"vector\":[1]}",
		      "unknown field \"timestmap\"");
	expect_reject("{\"entity_id\":1,\"entity_id\":2,\"timestamp\":1,\"vector\":[1]}",
		      "duplicate field \"entity_id\"");
	expect_reject("{\"entity_id\":1,\"timestamp\":1,\"vector\":[1],\"metadata\":{\"a\":\"\",\"a\":\"\"}}",
		      "duplicate metadata key \"a\"");
	expect_reject("{\"entity_id\":1,\"timestamp\":1,\"vector\":[1]} x", "trailing characters");
	expect_reject("{\"entity_id\":01,\"timestamp\":1,\"vector\":[1]}", "invalid JSON");
	expect_reject("{\"entity_id\":1,\"timestamp\":1,\"vector\":[1],\"metadata\":{\"a\":\"\\ud800\"}}",
		      "lone high surrogate");
	expect_reject("{\"entity_id\":1,\"timestamp\":1,\"vector\":[1],\"metadata\":{\"a\":\"\xff\"}}",
		      "invalid UTF-8 at column 60");
	expect_reject("{\"entity_id\":1,\"timestamp\":1,\"vector\":[1],\"metadata\":{\"a\":\"\t\"}}",
		      "control character in string");
	ws_point pt;
	ws_error err;
	ws_point_buf *buf = ws_point_buf_new();
	ws_status rc = ws_parse_point("{\"a\0", 4, WS_PARSE_POINT, 0, buf, &pt, &err);
	TAP_CHECK(rc == WS_EBADINPUT && strcmp(err.msg, "NUL byte at column 4") == 0,
		  "NUL byte (%s)", err.msg);
	/* Deep nesting never recurses: it is just a wrong type. */
	size_t depth = 100000;
	char *deep = malloc(depth + 64);
	int n = sprintf(deep, "{\"entity_id\":1,\"timestamp\":1,\"vector\":");
	memset(deep + n, '[', depth);
	deep[n + depth] = '\0';
	rc = ws_parse_point(deep, strlen(deep), WS_PARSE_POINT, 0, buf, &pt, &err);
	TAP_CHECK(rc == WS_EBADINPUT && strstr(err.msg, "must be an array of numbers"),
		  "100000-deep nesting rejected (%s)", err.msg);
	free(deep);
	ws_point_buf_free(buf);
}

/* ws__utoa against printf at every digit count's edges and beyond. */
static void
test_utoa(void)
{
	bool ok = true;
	uint64_t p10 = 1;
	for (int k = 0; k < 20; k++, p10 *= 10) {
		const uint64_t vals[] = {p10 - 1, p10, p10 + 1, 2 * p10, 9 * p10};
		for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
			char got[24] = {0}, want[24] = {0};
			int n = ws__utoa(vals[i], got);
			snprintf(want, sizeof want, "%llu",
				 (unsigned long long)vals[i]);
			ok &= n == (int)strlen(want) && memcmp(got, want, 24) == 0 &&
			      ws__decimal_digits(vals[i]) == n;
		}
	}
	char got[24] = {0};
	ok &= ws__utoa(UINT64_MAX, got) == 20 &&
	      strcmp(got, "18446744073709551615") == 0;
	TAP_CHECK(ok, "ws__utoa and ws__decimal_digits agree with printf");
}

/*
 * ws__grow maps what it was asked for in one call (util.c, populate): a
 * fresh 1 MiB buffer is resident before anything is written to it.
 */
static void
test_grow_populates(void)
{
	long page = sysconf(_SC_PAGESIZE);
	void *probe = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool can = probe != MAP_FAILED &&
		   madvise(probe, (size_t)page, MADV_POPULATE_WRITE) == 0;
	if (probe != MAP_FAILED)
		munmap(probe, (size_t)page);
	if (!can) { /* kernels before 5.14: the advice is refused, unseen */
		printf("ok %d - ws__grow populates # SKIP no MADV_POPULATE_WRITE\n",
		       ++tap_count);
		return;
	}
	unsigned char *buf = NULL;
	size_t cap = 0, want = 1 << 20;
	ws_error err;
	bool ok = ws__grow(&buf, &cap, want, 1, &err) == WS_OK;
	/* The whole pages inside the buffer: mincore wants an aligned start. */
	uintptr_t start = ((uintptr_t)buf + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	size_t pages = ((uintptr_t)buf + want - start) / (size_t)page, resident = 0;
	unsigned char *vec = malloc(pages);
	ok = ok && vec != NULL && mincore((void *)start, pages * (size_t)page, vec) == 0;
	for (size_t i = 0; ok && i < pages; i++)
		resident += vec[i] & 1;
	TAP_CHECK(ok && resident == pages,
		  "ws__grow of 1 MiB maps its %zu pages before they are written (%zu resident)",
		  pages, resident);
	free(vec);
	free(buf);
}

static void
test_varint(void)
{
	const uint64_t vals[] = {0, 1, 127, 128, 300, UINT32_MAX, UINT64_MAX};
	bool ok = true;
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		unsigned char b[WS_VARINT_MAX];
		size_t n = ws__put_varint(b, vals[i]);
		const unsigned char *p = b;
		uint64_t v;
		ok &= ws__get_varint(&p, b + n, &v) && v == vals[i] && p == b + n;
		p = b;
		ok &= n == 1 || !ws__get_varint(&p, b + n - 1, &v);
	}
	TAP_CHECK(ok, "varints round-trip and detect truncation");
	unsigned char over[11];
	memset(over, 0xff, sizeof over);
	const unsigned char *p = over;
	uint64_t v;
	TAP_CHECK(!ws__get_varint(&p, over + sizeof over, &v), "overlong varint rejected");
}

static void
add_point(ws_batch *b, uint64_t e, int64_t ts, const float *vec, uint32_t dim,
	  uint64_t line)
{
	ws_point pt = {.entity_id = e, .timestamp = ts, .dim = dim, .vector = vec};
	ws_error err;
	if (ws__batch_add(b, &pt, line, &err) != WS_OK)
		abort();
}

/*
 * New blocks are version 4; versions 1 and 2 (all deflated) and 3 (column
 * headers between the symbols) are refused.
 */
static void
test_block_version(void)
{
	ws_batch b;
	ws__batch_init(&b);
	const float v[] = {1.25f, -3, 0.1f};
	for (int i = 0; i < 50; i++)
		add_point(&b, 7, 1000 + i, v, 3, (uint64_t)i + 1);
	unsigned char *out = NULL;
	size_t cap = 0, len;
	ws_encoder enc;
	ws__encoder_init(&enc);
	ws_block_head h, h1;
	ws_error err;
	ws_block blk = {0};
	ws_status rc = ws__block_encode(&enc, &b, 0, b.n, 3, &out, &cap, &len, &h, &err);
	if (rc == WS_OK)
		rc = ws__block_decode(&h, out + WS_BLOCK_HEADER, &blk, "t", &err);
	TAP_CHECK(rc == WS_OK && h.version == 4 && ws__get_u16(out + 4) == 4,
		  "new blocks are version 4");
	for (uint16_t old = 1; old <= 3; old++) {
		ws__put_u16(out + 4, old);
		ws__put_u32(out + 64, ws__crc32(out, 64));
		rc = ws__block_parse_head(out, &h1, "t", &err);
		TAP_CHECK(rc == WS_ECORRUPT && strstr(err.msg, "unsupported block version"),
			  "a version %u block is refused", old);
	}
	ws__put_u16(out + 4, 4);
	ws__put_u16(out + 6, 1);
	ws__put_u32(out + 64, ws__crc32(out, 64));
	rc = ws__block_parse_head(out, &h1, "t", &err);
	TAP_CHECK(rc == WS_ECORRUPT && strstr(err.msg, "fields out of range"),
		  "a block of points marked as a tombstone is refused (dim is not 0)");
	ws__put_u16(out + 6, 4);
	ws__put_u32(out + 64, ws__crc32(out, 64));
	rc = ws__block_parse_head(out, &h1, "t", &err);
	TAP_CHECK(rc == WS_ECORRUPT && strstr(err.msg, "unsupported block flags 0x4"),
		  "a block with an unknown flag is refused");

	free(out);
	ws__encoder_free(&enc);
	ws__block_free(&blk);
	ws__batch_free(&b);
}

/*
 * Uniform values of 7 significant digits, dimension 384, as many points as
 * ws-ingest cuts into one block (42 under the 64 KiB cap): the whole
 * block takes at most 1198 bytes a point (1200 with the index record and
 * the file's share of the store), and comes back bit for bit.
 */
static uint32_t rng(void);

enum { WIDE_DIM = 384, WIDE_N = WS_BLOCK_MAX_RAW / (WIDE_DIM * 4 + WS_VARINT_MAX) };

static void
test_block_wide_size(void)
{
	ws_batch b;
	ws__batch_init(&b);
	static float v[WIDE_N][WIDE_DIM];
	char text[32];
	for (int i = 0; i < WIDE_N; i++) {
		for (int j = 0; j < WIDE_DIM; j++) {
			double u = (double)(rng() % 16777216u) / 8388608.0 - 1;
			snprintf(text, sizeof text, "%.7g", u);
			v[i][j] = strtof(text, NULL);
		}
		add_point(&b, 1, 1700000000000000 + i * 1000000, v[i], WIDE_DIM,
			  (uint64_t)i + 1);
	}
	unsigned char *out = NULL;
	size_t cap = 0, len;
	ws_encoder enc;
	ws__encoder_init(&enc);
	ws_block_head h;
	ws_error err;
	ws_block blk = {0};
	ws_status rc =
		ws__block_encode(&enc, &b, 0, WIDE_N, 1, &out, &cap, &len, &h, &err);
	if (rc == WS_OK)
		rc = ws__block_decode(&h, out + WS_BLOCK_HEADER, &blk, "t", &err);
	TAP_CHECK(WIDE_N == 42 && rc == WS_OK && len <= (size_t)WIDE_N * 1198 &&
			  memcmp(blk.vec, v, sizeof v) == 0,
		  "a %d-point block of dimension 384 takes %.1f bytes a point "
		  "(at most 1198) and decodes bit for bit",
		  WIDE_N, (double)len / WIDE_N);
	free(out);
	ws__encoder_free(&enc);
	ws__block_free(&blk);
	ws__batch_free(&b);
}

/*
 * The symbols part as stored is raw deflate that zlib's inflate reads
 * (warmstore(5), Compression): libdeflate writes it, any inflate must
 * read it. Blocks of several shapes, each inflated by zlib and compared
 * with the symbols the encoder made.
 */
static bool
zlib_inflates(const unsigned char *in, size_t n, const unsigned char *want,
	      size_t want_len)
{
	unsigned char *got = malloc(want_len + 1);
	z_stream z;
	memset(&z, 0, sizeof z);
	if (got == NULL || inflateInit2(&z, -15) != Z_OK)
		abort();
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)n;
	z.next_out = got;
	z.avail_out = (uInt)want_len + 1;
	int zrc = inflate(&z, Z_FINISH);
	bool same = zrc == Z_STREAM_END && z.avail_in == 0 &&
		    z.total_out == want_len && memcmp(got, want, want_len) == 0;
	inflateEnd(&z);
	free(got);
	return same;
}

/*
 * Encodes b as one block into *out; *stored: where its symbols part as
 * stored begins, with the part's length and its stored length.
 */
static void
encode_one_block(ws_encoder *enc, const ws_batch *b, unsigned char **out,
		 size_t *cap, const unsigned char **stored, uint64_t *slen,
		 uint64_t *zlen)
{
	size_t len;
	ws_block_head h;
	ws_error err;
	if (ws__block_encode(enc, b, 0, b->n, 1, out, cap, &len, &h, &err) !=
	    WS_OK)
		abort();
	const unsigned char *p = *out + WS_BLOCK_HEADER, *end = *out + len;
	*slen = *zlen = 0;
	ws__get_varint(&p, end, slen);
	ws__get_varint(&p, end, zlen);
	*stored = p;
}

/*
 * A symbols part under 256 bytes is stored as it is, even one deflate
 * would shrink (warmstore(5), Compression): ten points of one value.
 */
static void
test_block_small_part_stored(void)
{
	ws_batch b;
	ws__batch_init(&b);
	const float v[] = {1.5f, 1.5f, 1.5f, 1.5f};
	for (size_t i = 0; i < 10; i++)
		add_point(&b, 5, (int64_t)i * 1000, v, 4, i + 1);
	ws_encoder enc;
	ws__encoder_init(&enc);
	unsigned char *out = NULL;
	size_t cap = 0;
	const unsigned char *stored;
	uint64_t slen, zlen;
	encode_one_block(&enc, &b, &out, &cap, &stored, &slen, &zlen);
	ws_error err;
	size_t shrunk = 0;
	unsigned char z[256];
	TAP_CHECK(ws__deflate_raw(&enc, (size_t)slen, z, sizeof z, &shrunk,
				  &err) == WS_OK &&
			  shrunk > 0 && shrunk < slen && slen < 256 &&
			  zlen == slen,
		  "a %zu-byte symbols part (deflate: %zu) is stored as it is",
		  (size_t)slen, shrunk);
	free(out);
	ws__encoder_free(&enc);
	ws__batch_free(&b);
}

static void
test_block_zlib_reads(void)
{
	static const uint32_t dims[] = {1, 8, 384};
	/* Each block's symbols part is long enough to be deflated. */
	static const size_t counts[] = {300, 200, 40};
	size_t deflated = 0, read = 0;
	ws_encoder enc;
	ws__encoder_init(&enc);
	unsigned char *out = NULL;
	size_t cap = 0;
	for (size_t k = 0; k < 3; k++) {
		ws_batch b;
		ws__batch_init(&b);
		float *v = malloc(dims[k] * sizeof *v);
		for (size_t i = 0; i < counts[k]; i++) {
			for (uint32_t j = 0; j < dims[k]; j++)
				v[j] = (float)(rng() % 100000u) / 100.0f;
			add_point(&b, 5, (int64_t)i * 1000, v, dims[k], i + 1);
		}
		const unsigned char *stored;
		uint64_t slen, zlen;
		encode_one_block(&enc, &b, &out, &cap, &stored, &slen, &zlen);
		if (zlen < slen) {
			deflated++;
			/* enc->raw still holds the symbols part it deflated. */
			read += zlib_inflates(stored, (size_t)zlen, enc.raw,
					      (size_t)slen);
		}
		free(v);
		ws__batch_free(&b);
	}
	TAP_CHECK(deflated == 3 && read == 3,
		  "zlib inflates the deflated symbols of %zu of %zu blocks",
		  read, deflated);
	free(out);
	ws__encoder_free(&enc);
}

/*
 * Decimal tokens to f32 against strtof, bit for bit: random JSON numbers
 * of 1 to 24 digits, with leading zeros in the fraction, with and without
 * exponents, both signs; those out of f32 range must be refused.
 */
static size_t
random_number_token(char *t)
{
	size_t n = 0;
	if (rng() % 2)
		t[n++] = '-';
	unsigned int_digits = rng() % 4 == 0 ? 0 : 1 + rng() % 12;
	if (int_digits == 0)
		t[n++] = '0';
	for (unsigned i = 0; i < int_digits; i++)
		t[n++] = (char)('0' + (i == 0 ? 1 + rng() % 9 : rng() % 10));
	if (rng() % 3) {
		t[n++] = '.';
		unsigned zeros = rng() % 4 == 0 ? rng() % 8 : 0;
		unsigned frac = 1 + rng() % 12;
		for (unsigned i = 0; i < zeros + frac; i++)
			t[n++] = (char)(i < zeros ? '0' : '0' + rng() % 10);
	}
	if (rng() % 4 == 0) {
		t[n++] = rng() % 2 ? 'e' : 'E';
		if (rng() % 2)
			t[n++] = rng() % 2 ? '-' : '+';
		n += (size_t)sprintf(t + n, "%u", rng() % 50);
	}
	t[n] = '\0';
	return n;
}

static void
test_decimal_against_strtof(void)
{
	ws__strbuf sb = {0};
	size_t differ = 0, refused = 0, fast = 0;
	char t[64];
	for (int i = 0; i < 300000; i++) {
		size_t n = random_number_token(t);
		float want = strtof(t, NULL), got = 0;
		ws_error err;
		ws_status rc = ws__decimal_to_f32(t, n, &sb, &got, &err);
		if (isinf(want)) {
			refused += rc == WS_EBADINPUT;
			differ += rc != WS_EBADINPUT;
			continue;
		}
		fast += n <= 10;
		if (rc != WS_OK || memcmp(&got, &want, sizeof got) != 0) {
			if (differ++ < 5)
				printf("# %s: got %a, strtof %a\n", t,
				       (double)got, (double)want);
		}
	}
	TAP_CHECK(differ == 0 && refused > 100 && fast > 10000,
		  "300,000 random decimals read as strtof reads them (%zu "
		  "differ, %zu out of range refused)",
		  differ, refused);
	free(sb.str);
}

/*
 * The one-pass vector value against the general path (fast_f32.h):
 * random numbers and random strings of number characters, each followed
 * by what may come after a value or by nothing.
 */
static size_t
random_number_chars(char *t)
{
	static const char alphabet[] = "0123456789000.-+eE";
	size_t n = 1 + rng() % 26;
	for (size_t i = 0; i < n; i++)
		t[i] = alphabet[rng() % (sizeof alphabet - 1)];
	t[n] = '\0';
	return n;
}

static void
test_f32_fast(void)
{
	/* The long tails leave a value 16 bytes of line: the short form. */
	static const char *const after[] = {
		"", ",", "]", " ,", "e5", "E-1", "x", ".", "-", "0", ",0.5]",
		",12.5,-0.25,7.125]}", "e-7,1.5,2.25,3.125]", "5.5,6.75,8.125]}"};
	const size_t nafter = sizeof after / sizeof *after;
	static const char *const edges[] = {
		"0", "-0", "-0.0", "01", "-01", "00.5", "0.", "-", ".5", "1.e5",
		"12345678", "123456789", "0.12345678", "-0.012345678",
		"1234567890123456789", "12345678901234567890",
		"0.0000000000000000001", "16777216", "16777217", "0.1e1"};
	size_t differ = 0, taken_n = 0, cases = 0;
	char t[96];
	for (size_t i = 0; i < 400000; i++) {
		size_t n;
		if (i < 20 * nafter)
			n = (size_t)sprintf(t, "%s", edges[i / nafter]);
		else
			n = i % 2 ? random_number_token(t) : random_number_chars(t);
		const char *tail = after[i % nafter];
		n += (size_t)sprintf(t + n, "%s", tail);
		bool taken;
		cases++;
		if (!fast_f32_agrees(t, n, &taken) && differ++ < 5)
			printf("# differs: \"%s\"\n", t);
		taken_n += taken;
	}
	TAP_CHECK(differ == 0 && taken_n > cases / 5,
		  "the one-pass vector value agrees with the general path on "
		  "%zu texts (%zu taken, %zu differ)",
		  cases, taken_n, differ);
}

/*
 * Integer fields against strtoull: random tokens of 1 to 21 digits, both
 * signs, leading zeros (invalid JSON), around the edges of each field's
 * range, in each of the three integer fields; a line parses exactly when
 * the token is a JSON integer that the field's range holds, to that value.
 */
static size_t
random_int_token(char *t, bool *json, bool *neg, uint64_t *mag, bool *fits)
{
	static const char *const edges[] = {
		"0", "9223372036854775807", "9223372036854775808",
		"18446744073709551615", "18446744073709551616", "4294967295",
		"4294967296", "1234567890123456789", "12345678901234567890"};
	size_t n = 0;
	*neg = rng() % 3 == 0;
	if (*neg)
		t[n++] = '-';
	if (rng() % 4 == 0) {
		n += (size_t)sprintf(t + n, "%s", edges[rng() % 9]);
	} else {
		unsigned digits = 1 + rng() % 21;
		for (unsigned i = 0; i < digits; i++)
			t[n++] = (char)('0' + rng() % 10);
		t[n] = '\0';
	}
	const char *d = t + *neg;
	*json = d[0] != '0' || d[1] == '\0';
	errno = 0;
	*mag = strtoull(d, NULL, 10);
	*fits = errno == 0;
	return n;
}

static void
test_int_fields(void)
{
	size_t differ = 0, good = 0;
	char t[32], line[128];
	for (int i = 0; i < 60000; i++) {
		bool json, neg, fits;
		uint64_t mag;
		random_int_token(t, &json, &neg, &mag, &fits);
		unsigned f = (unsigned)i % 3;
		snprintf(line, sizeof line,
			 "{\"entity_id\":%s,\"space_id\":%s,\"timestamp\":%s,"
			 "\"vector\":[1]}",
			 f == 0 ? t : "5", f == 1 ? t : "6", f == 2 ? t : "7");
		bool want = json && fits &&
			    (f == 2 ? mag <= (uint64_t)INT64_MAX + neg
				    : (!neg || mag == 0) &&
					      (f == 0 || mag <= UINT32_MAX));
		ws_point pt;
		ws_error err;
		bool got = parse(line, &pt, &err) == WS_OK;
		bool same = got == want;
		if (same && got)
			same = f == 0   ? pt.entity_id == mag
			       : f == 1 ? pt.space_id == mag
					: (uint64_t)pt.timestamp ==
						  (neg ? 0 - mag : mag);
		good += got;
		if (!same && differ++ < 5)
			printf("# %s: got %d (%s)\n", line, got, err.msg);
	}
	TAP_CHECK(differ == 0 && good > 10000,
		  "60,000 random integer fields parse as strtoull reads them "
		  "(%zu good, %zu differ)",
		  good, differ);
}

/*
 * ws__batch_append: a batch of points added one by one equals two
 * batches, each holding part of them, the second appended to the first
 * (entries, offsets, vectors and metadata bytes), with and without
 * metadata and of mixed dimensions.
 */
static void
test_batch_append(void)
{
	static const unsigned char meta[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	float vec[64];
	for (size_t i = 0; i < 64; i++)
		vec[i] = (float)i / 4;
	ws_batch whole, first, second;
	ws__batch_init(&whole);
	ws__batch_init(&first);
	ws__batch_init(&second);
	ws_error err;
	bool ok = true;
	for (size_t i = 0; i < 3000; i++) {
		ws_point pt = {.entity_id = rng() % 40,
			       .timestamp = (int64_t)i,
			       .dim = 1 + rng() % 64,
			       .vector = vec,
			       .meta = rng() % 3 ? NULL : meta,
			       .meta_len = 0};
		pt.meta_len = pt.meta ? 1 + rng() % sizeof meta : 0;
		ok = ok && ws__batch_add(&whole, &pt, i + 1, &err) == WS_OK &&
		     ws__batch_add(i < 1700 ? &first : &second, &pt, i + 1,
				   &err) == WS_OK;
	}
	ok = ok && ws__batch_append(&first, &second, &err) == WS_OK &&
	     first.n == whole.n && first.nvec == whole.nvec &&
	     first.nmeta == whole.nmeta &&
	     memcmp(first.e, whole.e, whole.n * sizeof *whole.e) == 0 &&
	     memcmp(first.vec, whole.vec, whole.nvec * sizeof *whole.vec) == 0 &&
	     memcmp(first.meta, whole.meta, whole.nmeta) == 0 &&
	     ws__batch_bytes(&first) == ws__batch_bytes(&whole);
	ws_batch empty;
	ws__batch_init(&empty);
	ok = ok && ws__batch_append(&first, &empty, &err) == WS_OK &&
	     first.n == whole.n;
	TAP_CHECK(ok, "a batch appended to another holds what adding its "
		      "points one by one would (%zu points)",
		  whole.n);
	ws__batch_free(&whole);
	ws__batch_free(&first);
	ws__batch_free(&second);
}

/*
 * The batch sort against qsort on the same keys: an interleaved feed of
 * 100 series (grouped by series), 100 series of keys in random order and
 * repeated in later lines (grouped, then each series sorted), one series
 * backwards, and 20,000 series of one point in random order (too many
 * series to group: merged); the latest line of each key is kept, in key
 * order.
 */
static int
by_key_then_line(const void *pa, const void *pb)
{
	const ws_batch_entry *a = pa, *b = pb;
	int c = ws__key_cmp(a->entity, a->space, a->ts, b->entity, b->space,
			    b->ts);
	return c != 0 ? c : (a->line > b->line) - (a->line < b->line);
}

static size_t
reference_sort_dedup(ws_batch_entry *e, size_t n)
{
	qsort(e, n, sizeof *e, by_key_then_line);
	size_t out = 0;
	for (size_t i = 0; i < n; i++)
		if (i + 1 == n ||
		    ws__key_cmp(e[i].entity, e[i].space, e[i].ts, e[i + 1].entity,
				e[i + 1].space, e[i + 1].ts) != 0)
			e[out++] = e[i];
	return out;
}

/* Sorts b, and whether it keeps what qsort keeps (*nwant entries). */
static bool
sorts_as_qsort(ws_batch *b, size_t *nwant)
{
	ws_batch_entry *want = malloc(b->n * sizeof *want);
	if (want == NULL)
		abort();
	memcpy(want, b->e, b->n * sizeof *want);
	*nwant = reference_sort_dedup(want, b->n);
	ws__batch_sort_dedup(b);
	bool same = b->n == *nwant;
	for (size_t i = 0; same && i < *nwant; i++)
		same = b->e[i].line == want[i].line &&
		       b->e[i].vec_off == want[i].vec_off;
	free(want);
	return same;
}

static void
test_batch_sort(void)
{
	const float v[] = {1};
	for (int shape = 0; shape < 4; shape++) {
		ws_batch b;
		ws__batch_init(&b);
		size_t n = 20000;
		for (size_t i = 0; i < n; i++) {
			uint64_t entity = shape == 0   ? i % 100 /* 200 ticks */
					  : shape == 1 ? rng() % 50
					  : shape == 2 ? 7
						       : (uint64_t)rng() << 20 | i;
			int64_t ts = shape == 0	  ? (int64_t)(i / 100)
				     : shape == 1 ? (int64_t)(rng() % 300)
						  : (int64_t)(n - i) / 2;
			add_point(&b, entity, ts, v, 1, i + 1);
			b.e[b.n - 1].space = shape == 1 ? rng() % 2 : 0;
		}
		size_t nwant;
		bool same = sorts_as_qsort(&b, &nwant);
		TAP_CHECK(same && (shape != 0 || nwant == n) && (shape != 2 || nwant == n / 2 + 1) &&
			      (shape != 3 || nwant == n),
			  "batch sort, shape %d: %zu entries as qsort keeps them",
			  shape, b.n);
		ws__batch_free(&b);
	}
}

/*
 * Batches large enough that their entries move on two threads: an
 * interleaved feed (1,000 series, 100 ticks), random series and times,
 * one already in order (nothing moves), and one whose first half is in
 * order (the moves all lie in its second half), against qsort.
 */
static void
test_batch_sort_large(void)
{
	const float v[] = {1};
	enum { N = 100000 };
	for (int shape = 0; shape < 4; shape++) {
		ws_batch b;
		ws__batch_init(&b);
		for (size_t i = 0; i < N; i++) {
			uint64_t entity = shape == 0   ? i % 1000
					  : shape == 1 ? rng() % 5000
					  : shape == 2 ? i / 100
					  : i < N / 2  ? i / 100
						       : 500 + (N - i) % 1000;
			int64_t ts = shape == 1 ? (int64_t)(rng() % 100000)
				     : shape == 2 ? (int64_t)(i % 100)
						  : (int64_t)i;
			add_point(&b, entity, ts, v, 1, i + 1);
		}
		size_t nwant;
		bool same = sorts_as_qsort(&b, &nwant);
		TAP_CHECK(same, "batch sort on two threads, shape %d: %zu "
				"entries as qsort keeps them",
			  shape, b.n);
		ws__batch_free(&b);
	}
}

/*
 * ws__batch_sort_dedup_tail against sorting everything: a sorted batch of
 * 2,000 series with merged points behind it (line 0, so the batch wins a
 * key both hold), in the order a walk that wraps around gives them, and
 * an empty tail.
 */
static void
test_batch_sort_tail(void)
{
	const float v[] = {1};
	ws_batch b;
	ws__batch_init(&b);
	for (size_t i = 0; i < 40000; i++)
		add_point(&b, i % 2000, (int64_t)(i / 2000), v, 1, i + 1);
	ws__batch_sort_dedup(&b);
	size_t sorted = b.n;
	ws__batch_sort_dedup_tail(&b, sorted);
	bool empty_same = b.n == sorted;
	/* Series 1500.. then 0..: old points at ts -5..4, half of them keys
	 * the batch holds (ts 0..4). */
	for (size_t s = 0; s < 2000; s += 3)
		for (int64_t ts = -5; ts < 5; ts++)
			add_point(&b, (s + 1500) % 2000, ts, v, 1, 0);
	size_t n = b.n;
	ws_batch_entry *want = malloc(n * sizeof *want);
	memcpy(want, b.e, n * sizeof *want);
	size_t nwant = reference_sort_dedup(want, n);
	ws__batch_sort_dedup_tail(&b, sorted);
	bool same = b.n == nwant;
	for (size_t i = 0; same && i < nwant; i++)
		same = b.e[i].entity == want[i].entity &&
		       b.e[i].ts == want[i].ts && b.e[i].line == want[i].line &&
		       b.e[i].vec_off == want[i].vec_off;
	TAP_CHECK(empty_same && same && nwant == sorted + 667 * 5,
		  "a sorted batch with merged points behind it: %zu entries "
		  "as sorting all keeps them, the batch's lines winning",
		  b.n);
	free(want);
	ws__batch_free(&b);
}

static void
test_block_roundtrip(void)
{
	ws_batch b;
	ws__batch_init(&b);
	const float v1[] = {0.0f, -0.0f, FLT_MAX, 1e-45f};
	const float v2[] = {-FLT_MAX, FLT_MIN, 1.5f, -1e-45f};
	const float v3[] = {1, 2, 3, 4};
	add_point(&b, 9, INT64_MAX, v1, 4, 1);
	add_point(&b, 9, INT64_MIN, v2, 4, 2);
	add_point(&b, 9, 0, v3, 4, 3);
	add_point(&b, 9, 0, v1, 4, 4); /* same key, later line: wins */
	ws__batch_sort_dedup(&b);
	TAP_CHECK(b.n == 3 && b.e[1].line == 4, "sort keeps the latest line of a key");
	unsigned char *out = NULL;
	size_t cap = 0, len;
	ws_encoder enc;
	ws__encoder_init(&enc);
	ws_block_head h, h2;
	ws_error err;
	ws_status rc = ws__block_encode(&enc, &b, 0, b.n, 42, &out, &cap, &len, &h, &err);
	TAP_CHECK(rc == WS_OK && h.min_ts == INT64_MIN && h.max_ts == INT64_MAX &&
			  h.count == 3 && h.seq == 42,
		  "block encodes i64 extremes");
	rc = ws__block_parse_head(out, &h2, "t", &err);
	TAP_CHECK(rc == WS_OK && memcmp(&h, &h2, sizeof h) == 0, "header round-trips");
	ws_block blk = {0};
	rc = ws__block_decode(&h2, out + WS_BLOCK_HEADER, &blk, "t", &err);
	TAP_CHECK(rc == WS_OK, "block decodes (%s)", rc ? err.msg : "");
	if (rc == WS_OK) {
		TAP_CHECK(blk.ts[0] == INT64_MIN && blk.ts[1] == 0 && blk.ts[2] == INT64_MAX,
			  "timestamps back");
		TAP_CHECK(memcmp(blk.vec, v2, sizeof v2) == 0 &&
				  memcmp(blk.vec + 4, v1, sizeof v1) == 0 &&
				  memcmp(blk.vec + 8, v1, sizeof v1) == 0,
			  "vectors back bit for bit (-0.0, subnormals, extremes)");
	}
	out[WS_BLOCK_HEADER + 3] ^= 0x10;
	rc = ws__block_decode(&h2, out + WS_BLOCK_HEADER, &blk, "t", &err);
	TAP_CHECK(rc == WS_ECORRUPT && strstr(err.msg, "CRC"), "flipped payload bit detected");
	out[20] ^= 1;
	rc = ws__block_parse_head(out, &h2, "t", &err);
	TAP_CHECK(rc == WS_ECORRUPT, "flipped header bit detected");
	/* Dimensions 1 and 65535. */
	float *big = calloc(WS_MAX_DIM, sizeof *big);
	for (uint32_t i = 0; i < WS_MAX_DIM; i++)
		big[i] = (float)i * 0.5f;
	ws__batch_reset(&b);
	add_point(&b, 1, 5, big, WS_MAX_DIM, 1);
	add_point(&b, 1, 6, big, WS_MAX_DIM, 2);
	rc = ws__block_encode(&enc, &b, 0, 2, 1, &out, &cap, &len, &h, &err);
	if (rc == WS_OK)
		rc = ws__block_decode(&h, out + WS_BLOCK_HEADER, &blk, "t", &err);
	TAP_CHECK(rc == WS_OK && memcmp(blk.vec + WS_MAX_DIM, big, WS_MAX_DIM * 4) == 0,
		  "dimension 65535");
	ws__batch_reset(&b);
	add_point(&b, 1, 5, big + 3, 1, 1);
	rc = ws__block_encode(&enc, &b, 0, 1, 1, &out, &cap, &len, &h, &err);
	if (rc == WS_OK)
		rc = ws__block_decode(&h, out + WS_BLOCK_HEADER, &blk, "t", &err);
	TAP_CHECK(rc == WS_OK && blk.vec[0] == 1.5f && h.dim == 1, "dimension 1");
	free(big);
	free(out);
	ws__encoder_free(&enc);
	ws__block_free(&blk);
	ws__batch_free(&b);
}

/* --- the vector codec (vec_alp.c) ------------------------------------ */

static uint64_t rng_state = 88172645463325252ull;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* Opens a vector decoder on the symbols [p, end) and the raw part. */
static bool
vec_open(ws_vec_dec *d, const unsigned char *p, const unsigned char *end,
	 const unsigned char *raw, size_t raw_len, size_t n, uint32_t dim)
{
	ws_error err;
	return ws__vec_dec_open(d, &p, end, raw, raw_len, n, dim, &err) ==
		       WS_OK &&
	       p == end;
}

/*
 * Rows decoded alone, in runs carrying on from the last one, and after
 * going back, against the whole decode (want).
 */
static bool
vec_rows_like_whole(ws_vec_dec *d, const float *want, size_t n, uint32_t dim,
		    float *back)
{
	bool ok = true;
	size_t at = 0;
	for (int t = 0; ok && t < 32; t++) {
		size_t lo = t < 2 ? n - 1 : t < 4 ? 0 : rng() % n;
		if (t % 3 == 1 && at < n)
			lo = at; /* carry on where the last run stopped */
		size_t hi = t % 2 ? n : lo + 1 + rng() % (n - lo);
		if (t % 5 == 2)
			hi = lo; /* an empty run */
		ok = ws__vec_dec_rows(d, lo, hi, back) &&
		     memcmp(back, want + lo * dim, (hi - lo) * dim * sizeof *want) ==
			     0;
		at = hi;
	}
	return ok;
}

/*
 * Encodes n rows of dim values, decodes them and compares bit for bit;
 * *bytes is the encoded size (symbols and raw part), *nexc the exceptions.
 */
static bool
vec_round_trip(const float *v, size_t n, uint32_t dim, size_t *bytes,
	       size_t *nexc)
{
	const float **rows = malloc(n * sizeof *rows);
	float *back = malloc(n * dim * sizeof *back);
	for (size_t i = 0; i < n; i++)
		rows[i] = v + i * dim;
	ws_vec_enc ve = {0};
	ws_vec_dec d = {0};
	ws_error err;
	bool ok = ws__vec_encode(&ve, rows, n, dim, &err) == WS_OK;
	if (ok) {
		size_t raw_len = ve.exc_len + ve.bits_len;
		unsigned char *raw = malloc(raw_len + 1);
		memcpy(raw, ve.exc, ve.exc_len);
		memcpy(raw + ve.exc_len, ve.bits, ve.bits_len);
		const unsigned char *p = ve.sym + ve.sym_start;
		const unsigned char *end = p + ve.sym_len;
		ok = vec_open(&d, p, end, raw, raw_len, n, dim) &&
		     ws__vec_dec_rows(&d, 0, n, back) &&
		     memcmp(back, v, n * dim * sizeof *v) == 0;
		/* Rows alone, in runs, and back: the same as in the whole. */
		ok = ok && vec_open(&d, p, end, raw, raw_len, n, dim) &&
		     vec_rows_like_whole(&d, v, n, dim, back);
		/* Every shorter symbols part or raw part is refused at open. */
		for (size_t cut = 1; ok && cut <= ve.sym_len && cut <= 64; cut++)
			ok = !vec_open(&d, p, end - cut, raw, raw_len, n, dim);
		for (size_t cut = 1; ok && cut <= raw_len && cut <= 64; cut++)
			ok = !vec_open(&d, p, end, raw, raw_len - cut, n, dim);
		*bytes = ve.sym_len + raw_len;
		*nexc = ve.nexc;
		free(raw);
	}
	ws__vec_enc_free(&ve);
	ws__vec_dec_free(&d);
	free(rows);
	free(back);
	return ok;
}

static float
f32_of_bits(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static void
test_vec_codec(void)
{
	size_t bytes, nexc;
	const float one = 23.4567f;
	TAP_CHECK(vec_round_trip(&one, 1, 1, &bytes, &nexc) && nexc == 0,
		  "a series of one point, dimension 1");
	/* Nothing here is a short decimal: all exceptions, all exact. */
	const float odd[] = {-0.0f, 1e-45f, -1e-45f, FLT_MIN, FLT_MAX, -FLT_MAX,
			     1.17549421e-38f, 0.1f + 1e-8f, 3.14159274f, 16777216.0f,
			     4.5035996e15f, 1e30f};
	size_t nodd = sizeof odd / sizeof odd[0];
	TAP_CHECK(vec_round_trip(odd, nodd, 1, &bytes, &nexc),
		  "-0.0, subnormals, extremes and long decimals come back bit for bit");
	TAP_CHECK(vec_round_trip(odd, 1, (uint32_t)nodd, &bytes, &nexc) &&
			  vec_round_trip(odd, 2, (uint32_t)nodd / 2, &bytes, &nexc) &&
			  vec_round_trip(odd, 3, (uint32_t)nodd / 3, &bytes, &nexc),
		  "the same as rows of 1, 2 and 3 points");
	/* Random finite bit patterns: hardly any is a short decimal. */
	enum { RN = 50, RD = 7 };
	float rnd[RN * RD];
	for (size_t i = 0; i < RN * RD; i++) {
		uint32_t u;
		do
			u = rng();
		while (((u >> 23) & 0xff) == 0xff);
		rnd[i] = f32_of_bits(u);
	}
	TAP_CHECK(vec_round_trip(rnd, RN, RD, &bytes, &nexc),
		  "random f32 bit patterns come back bit for bit (%zu exceptions)", nexc);
	/* A sensor-like walk with 6 significant digits: predicted, small. */
	enum { SN = 200, SD = 8 };
	float walk[SN * SD];
	char buf[32];
	double val[SD], vel[SD] = {0};
	for (int j = 0; j < SD; j++)
		val[j] = 10 + j * 2.5;
	for (int i = 0; i < SN; i++)
		for (int j = 0; j < SD; j++) {
			vel[j] = 0.9 * vel[j] + 0.04 * (rng() / 4294967296.0) - 0.02;
			val[j] += vel[j];
			snprintf(buf, sizeof buf, "%.6g", val[j]);
			walk[i * SD + j] = strtof(buf, NULL);
		}
	TAP_CHECK(vec_round_trip(walk, SN, SD, &bytes, &nexc) && nexc == 0 &&
			  bytes < SN * SD * 2,
		  "a 6-digit walk: exact, %zu bytes for %d values", bytes, SN * SD);
	/* Uniform values with 7 significant digits, some below 0.1. */
	enum { UN = 21, UD = 384 };
	float *uni = malloc(UN * UD * sizeof *uni);
	for (size_t i = 0; i < UN * UD; i++) {
		snprintf(buf, sizeof buf, "%.7g", (double)(rng() >> 8) / 8388608 - 1);
		uni[i] = strtof(buf, NULL);
	}
	TAP_CHECK(vec_round_trip(uni, UN, UD, &bytes, &nexc) &&
			  nexc < UN * UD / 100 && bytes < UN * UD * 34 / 10,
		  "7-digit uniform values: exact, %zu bytes and %zu exceptions for %d values",
		  bytes, nexc, UN * UD);
	free(uni);
	/* Dimension 65535, two points. */
	float *wide = malloc(2 * (size_t)WS_MAX_DIM * sizeof *wide);
	for (size_t i = 0; i < 2 * (size_t)WS_MAX_DIM; i++)
		wide[i] = (float)(i % 1000) * 0.25f - 7;
	TAP_CHECK(vec_round_trip(wide, 2, WS_MAX_DIM, &bytes, &nexc),
		  "dimension 65535");
	free(wide);
}

/* A value of a random kind: a walk step, a short decimal, any bits. */
static float
random_value(float prev, int kind)
{
	char buf[32];
	uint32_t u;
	switch (kind) {
	case 0:
		snprintf(buf, sizeof buf, "%.6g",
			 prev + (double)(rng() % 2001) / 1e4 - 0.1);
		return strtof(buf, NULL);
	case 1:
		snprintf(buf, sizeof buf, "%.7g",
			 (double)(rng() >> 8) / 8388608 - 1);
		return strtof(buf, NULL);
	default:
		do
			u = rng();
		while (((u >> 23) & 0xff) == 0xff);
		return f32_of_bits(u);
	}
}

/*
 * Random blocks (dims 1 to 65535, walks, short decimals, any bits):
 * rows decoded on demand, alone, in runs and going back, are the rows of
 * the whole decode.
 */
static void
test_block_rows(void)
{
	static const uint32_t dims[] = {1, 2, 3, 8, 17, 384, WS_MAX_DIM};
	ws_encoder enc;
	ws__encoder_init(&enc);
	ws_batch b;
	ws__batch_init(&b);
	ws_block whole = {0}, part = {0};
	unsigned char *out = NULL;
	size_t cap = 0, len;
	int bad = 0, blocks = 0;
	for (int t = 0; t < 60; t++) {
		uint32_t dim = dims[t % 7];
		size_t n = dim == WS_MAX_DIM ? 1 + (size_t)t % 2
			   : dim >= 384 ? 1 + rng() % 21
					: 1 + rng() % 300;
		float *v = malloc(n * dim * sizeof *v);
		int kind = t % 4 == 3 ? (int)(rng() % 3) : t % 3;
		for (size_t i = 0; i < n * dim; i++)
			v[i] = random_value(i >= dim ? v[i - dim] : 20.0f,
					    t % 4 == 3 ? (int)(rng() % 3) : kind);
		ws__batch_reset(&b);
		for (size_t i = 0; i < n; i++)
			add_point(&b, 5, (int64_t)(i * 1000 + rng() % 1000),
				  v + i * dim, dim, i + 1);
		ws_block_head h;
		ws_error err;
		if (ws__block_encode(&enc, &b, 0, n, 1, &out, &cap, &len, &h,
				     &err) != WS_OK ||
		    ws__block_decode(&h, out + WS_BLOCK_HEADER, &whole, "t",
				     &err) != WS_OK ||
		    ws__block_open(&h, out + WS_BLOCK_HEADER, &part, "t", &err) !=
			    WS_OK) {
			bad++;
			free(v);
			continue;
		}
		blocks++;
		for (int k = 0; k < 12; k++) {
			size_t lo = k == 0 ? n - 1 : rng() % n;
			size_t hi = k % 3 == 2 ? n : lo + 1 + rng() % (n - lo);
			if (ws__block_rows(&part, lo, hi, "t", &err) != WS_OK)
				bad++;
			for (size_t i = lo; i < hi; i++) {
				ws_point a, c;
				ws__block_point(&whole, i, &a);
				ws__block_point(&part, i, &c);
				bad += memcmp(a.vector, c.vector, dim * sizeof(float)) != 0 ||
				       memcmp(a.vector, v + i * dim, dim * sizeof(float)) != 0;
			}
		}
		free(v);
	}
	TAP_CHECK(bad == 0 && blocks == 60,
		  "rows decoded on demand are the whole decode's, %d random blocks "
		  "of dims 1 to 65535 (%d wrong)",
		  blocks, bad);
	free(out);
	ws__block_free(&whole);
	ws__block_free(&part);
	ws__batch_free(&b);
	ws__encoder_free(&enc);
}

/* Whether the printer and the old one print the float with bits u alike. */
static bool
prints_as_old(uint32_t u)
{
	char got[WS_F32_BUFSIZE], want[WS_F32_BUFSIZE];
	float f = f32_of_bits(u);
	ws_format_f32(f, got);
	old_format_f32(f, want);
	if (strcmp(got, want) == 0)
		return true;
	/*
	 * Past 10^-14 and 10^22 the old printer let printf round to p digits,
	 * which misses a shorter decimal above a power of two (1.2621775e-29
	 * for 2^-96, where it printed 1.26217745e-29): shorter may differ.
	 */
	float back = strtof(got, NULL);
	if (memcmp(&back, &f, sizeof f) == 0 &&
	    significant_digits(got) < significant_digits(want))
		return true;
	printf("# bits 0x%08x: printed %s, the old printer %s\n", u, got, want);
	return false;
}

/* A random exponent field of a class: subnormal, low, any, top, or 1. */
static uint32_t
exponent_of_class(int cls)
{
	switch (cls) {
	case 0: return 0;			 /* subnormals */
	case 1: return 1 + rng() % 4;		 /* the smallest normals */
	case 2: return 1 + rng() % 254;		 /* any normal */
	case 3: return 251 + rng() % 4;		 /* up to FLT_MAX */
	default: return 127 + rng() % 24;	 /* 1 .. 2^24: integers */
	}
}

/*
 * n * 10^exp10 laid out by the rules of ws__format_decimal (codec.h),
 * from its digits as a string: the reference for its stores.
 */
static void
layout_by_string(uint32_t n, int exp10, char *out)
{
	char d[16];
	int nd = snprintf(d, sizeof d, "%u", n);
	while (nd > 1 && d[nd - 1] == '0') {
		d[--nd] = '\0';
		exp10++;
	}
	int x = nd - 1 + exp10;
	if (x < -5 || x > 16)
		sprintf(out, "%c%s%s" "e%c%02d", d[0], nd > 1 ? "." : "", d + 1,
			x < 0 ? '-' : '+', x < 0 ? -x : x);
	else if (x < 0)
		sprintf(out, "0.%.*s%s", -x - 1, "0000", d);
	else if (x + 1 < nd)
		sprintf(out, "%.*s.%s", x + 1, d, d + x + 1);
	else
		sprintf(out, "%s%.*s", d, x + 1 - nd, "0000000000000000");
}

static void
test_format_decimal_layout(void)
{
	int bad = 0, cases = 0;
	for (int digits = 1; digits <= 9; digits++)
		for (int zeros = 0; zeros < digits; zeros++)
			for (int x = -46; x <= 39; x++)
				for (int k = 0; k < 3; k++) {
					/* digits - zeros digits, the first and the
					 * last not 0, then zeros 0s */
					int sig = digits - zeros;
					uint32_t n = 0;
					for (int i = 0; i < sig; i++) {
						bool edge = i == 0 || i == sig - 1;
						n = n * 10 + (edge ? 1 + rng() % 9 : rng() % 10);
					}
					for (int i = 0; i < zeros; i++)
						n *= 10;
					int exp10 = x - (digits - 1);
					char want[64], got[64];
					memset(got, '#', sizeof got);
					layout_by_string(n, exp10, want);
					size_t len = ws__format_decimal(n, exp10, got);
					bool overran = false;
					for (size_t i = 25; i < sizeof got; i++)
						overran |= got[i] != '#';
					cases++;
					if (strcmp(got, want) != 0 || len != strlen(want) || overran) {
						if (bad++ < 5)
							printf("# %u e%d: got %s, want %s%s\n", n, exp10,
							       got, want, overran ? " (past 25 bytes)" : "");
					}
				}
	TAP_CHECK(bad == 0,
		  "ws__format_decimal lays out %d numbers of 1 to 9 digits, exponents "
		  "-46 to 39, as the string rules do, within 25 bytes (%d wrong)",
		  cases, bad);
}

static void
test_f32_against_old(void)
{
	/* Random bit patterns of every finite class, both signs. */
	int differ = 0;
	for (int i = 0; i < 200000; i++) {
		int cls = i % 5;
		uint32_t frac = rng() & 0x7fffffu;
		if (i % 7 == 0)
			frac &= ~0u << (rng() % 24); /* few set bits: ties, powers of two */
		uint32_t u = (rng() & 0x80000000u) | exponent_of_class(cls) << 23 | frac;
		differ += !prints_as_old(u);
	}
	/* Decimals of 1 to 9 digits read as f32: the common input. */
	for (int i = 0; i < 100000; i++) {
		char lit[32];
		int digits = 1 + i % 9;
		uint32_t m = rng() % 1000000000u;
		for (int d = 9; d > digits; d--)
			m /= 10;
		snprintf(lit, sizeof lit, "%ue%d", m, (int)(rng() % 90) - 50);
		float f = strtof(lit, NULL);
		uint32_t u;
		memcpy(&u, &f, sizeof u);
		differ += (u & 0x7f800000u) != 0x7f800000u && !prints_as_old(u);
	}
	/*
	 * Decimals of 1 to 8 digits from 1e-5 to 1e17, where the printer
	 * takes the decimal directly, and 7-digit ones in [2^-10, 1e-3),
	 * where two decimals of 7 digits can read back to the same f32.
	 */
	for (int i = 0; i < 200000; i++) {
		char lit[32];
		int digits = 1 + i % 8;
		uint32_t m = rng() % 100000000u;
		for (int d = 8; d > digits; d--)
			m /= 10;
		if (i % 4 == 0)
			snprintf(lit, sizeof lit, "%ue-10",
				 9765625u + m % 234375u);
		else
			snprintf(lit, sizeof lit, "%ue%d", m,
				 (int)(rng() % 24) - 12);
		float f = strtof(lit, NULL);
		uint32_t u;
		memcpy(&u, &f, sizeof u);
		differ += !prints_as_old(u | (rng() & 0x80000000u));
	}
	/* Every power of two and its neighbours: the uneven intervals. */
	for (uint32_t e = 0; e < 255; e++)
		for (uint32_t near = (e << 23) - (e > 0); near <= (e << 23) + 1; near++)
			differ += near > 0 && !prints_as_old(near);
	TAP_CHECK(differ == 0,
		  "the integer printer prints like the old one on random, "
		  "decimal and power-of-two floats (%d differ)", differ);
}

/* The ASCII fast path of the UTF-8 check finds a bad byte at any column. */
static void
test_check_bytes(void)
{
	int wrong = 0;
	for (size_t at = 0; at < 24; at++) {
		char line[25], want[48];
		memset(line, 'a', sizeof line);
		ws_error err = {0};
		line[at] = (char)0xc3; /* a valid two-byte sequence */
		line[at + 1] = (char)0xa9;
		wrong += ws__json_check_bytes(line, sizeof line, &err) != WS_OK;
		line[at] = (char)0xff;
		snprintf(want, sizeof want, "invalid UTF-8 at column %zu", at + 1);
		wrong += ws__json_check_bytes(line, sizeof line, &err) != WS_EBADINPUT ||
			 strstr(err.msg, want) == NULL;
	}
	TAP_CHECK(wrong == 0, "bad and good UTF-8 at every column of a line (%d wrong)",
		  wrong);
}

/* Encodes ranges as a tombstone and decodes them back through the header. */
static ws_status
tombstone_roundtrip(ws__time_range *r, size_t n, ws_block *blk,
		    ws_block_head *h, ws_error *err)
{
	ws_encoder enc;
	ws__encoder_init(&enc);
	unsigned char *out = NULL;
	size_t cap = 0, len = 0;
	ws_status rc = ws__tombstone_encode(&enc, 7, 3, r, n, 42, &out, &cap,
					    &len, h, err);
	if (rc == WS_OK)
		rc = ws__block_parse_head(out, h, "t", err);
	if (rc == WS_OK)
		rc = ws__block_decode(h, out + WS_BLOCK_HEADER, blk, "t", err);
	free(out);
	ws__encoder_free(&enc);
	return rc;
}

static void
test_tombstones(void)
{
	ws__time_range r[] = {{10, 20}, {-5, -5}, {15, 30}, {31, 31},
			      {INT64_MIN, INT64_MIN}, {INT64_MAX - 1, INT64_MAX}};
	size_t n = ws__ranges_normalize(r, 6);
	TAP_CHECK(n == 4 && r[0].from == INT64_MIN && r[1].from == -5 &&
			  r[2].from == 10 && r[2].to == 31 && r[3].to == INT64_MAX,
		  "ranges are sorted, overlapping and touching ones merged (%zu)",
		  n);
	ws_block blk;
	memset(&blk, 0, sizeof blk);
	ws_block_head h;
	ws_error err;
	ws_status rc = tombstone_roundtrip(r, n, &blk, &h, &err);
	bool same = rc == WS_OK && h.count == n;
	for (size_t i = 0; same && i < n; i++)
		same = blk.ranges[2 * i] == r[i].from &&
		       blk.ranges[2 * i + 1] == r[i].to;
	TAP_CHECK(same && h.flags == WS_BLOCK_TOMBSTONE && h.dim == 0 &&
			  h.min_ts == INT64_MIN && h.max_ts == INT64_MAX &&
			  h.seq == 42 && h.entity == 7 && h.space == 3,
		  "a tombstone reads back: ranges, hull, series, seq (%s)",
		  rc ? err.msg : "");
	TAP_CHECK(h.stored_len == h.raw_len, "four ranges are stored as they are");

	enum { MANY = 3000 };
	ws__time_range *many = malloc(MANY * sizeof *many);
	for (int i = 0; i < MANY; i++)
		many[i] = (ws__time_range){1700000000000000 + i * 1000000LL,
					   1700000000000000 + i * 1000000LL};
	rc = tombstone_roundtrip(many, MANY, &blk, &h, &err);
	same = rc == WS_OK && h.count == MANY;
	for (int i = 0; same && i < MANY; i++)
		same = blk.ranges[2 * i] == many[i].from;
	TAP_CHECK(same && h.stored_len < h.raw_len,
		  "3000 keys at a steady rate read back, deflated (%u < %u)",
		  h.stored_len, h.raw_len);
	free(many);

	ws__retention ret = {.before = -12345, .has_space = true, .space = 9};
	unsigned char *out = NULL;
	size_t cap = 0, len = 0;
	rc = ws__retention_encode(&ret, 77, &out, &cap, &len, &h, &err);
	if (rc == WS_OK)
		rc = ws__block_parse_head(out, &h, "t", &err);
	if (rc == WS_OK)
		rc = ws__block_decode(&h, out + WS_BLOCK_HEADER, &blk, "t", &err);
	ws__retention back;
	if (rc == WS_OK)
		ws__retention_of_block(&blk, &back);
	TAP_CHECK(rc == WS_OK && back.before == -12345 && back.has_space &&
			  back.space == 9 && back.seq == 77,
		  "a retention record reads back (%s)", rc ? err.msg : "");
	out[WS_BLOCK_HEADER] ^= 2; /* before changes: payload CRC no longer */
	ws__put_u32(out + 36, ws__crc32(out + WS_BLOCK_HEADER, h.stored_len));
	ws__put_u32(out + 64, ws__crc32(out, 64));
	rc = ws__block_parse_head(out, &h, "t", &err);
	if (rc == WS_OK)
		rc = ws__block_decode(&h, out + WS_BLOCK_HEADER, &blk, "t", &err);
	TAP_CHECK(rc == WS_ECORRUPT && strstr(err.msg, "bad retention payload"),
		  "a retention payload that disagrees with its header is refused");
	free(out);
	ws__block_free(&blk);
}


/* --- lines parsed ahead on two threads (parse_ahead.c) --------------- */

/* A random line: a good point, or one damaged in a random way. */
static size_t
random_line(char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "{\"entity_id\":%u,", rng() % 50);
	if (rng() % 3 == 0)
		n += snprintf(buf + n, cap - (size_t)n, "\"space_id\":%u,",
			      rng() % 4);
	n += snprintf(buf + n, cap - (size_t)n,
		      "\"timestamp\":%d,\"vector\":[", (int)(rng() % 100) - 50);
	unsigned dim = 1 + rng() % 40;
	for (unsigned j = 0; j < dim; j++) {
		uint32_t u = rng() ^ rng() << 16;
		float f;
		memcpy(&f, &u, sizeof f);
		if (rng() % 2 || f != f)
			f = (float)((int)(rng() % 2000001) - 1000000) / 1000.0f;
		n += snprintf(buf + n, cap - (size_t)n, "%s%.9g", j ? "," : "",
			      (double)f);
	}
	n += snprintf(buf + n, cap - (size_t)n, "]%s}",
		      rng() % 4 ? "" : ",\"metadata\":{\"k\":\"v\\u00e9\"}");
	size_t len = (size_t)n;
	switch (rng() % 8) {
	case 0: /* cut short */
		len = rng() % len;
		break;
	case 1: /* a byte changed */
		buf[rng() % len] = (char)(rng() % 256);
		break;
	case 2: /* blank */
		len = (size_t)snprintf(buf, cap, " \t");
		break;
	}
	return len;
}

/*
 * Field names written plainly are matched in place (plain_field in
 * point_schema.c); a key written with an escape is decoded. A line must
 * parse the same both ways: the same point, or the same message but for
 * its columns (the escapes move them). The lines are random_line's and
 * variants of key syntax: spaces around the colon, names that only start
 * like a field's or differ in one letter, duplicates, a line cut anywhere.
 */

/* t with the first character of every string written as \u00XX. */
static size_t
escape_strings(const char *t, size_t n, char *out)
{
	size_t o = 0;
	bool in_string = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		if (!in_string) {
			out[o++] = (char)c;
			if (c == '"' && i + 1 < n && t[i + 1] != '"' &&
			    t[i + 1] != '\\' && (unsigned char)t[i + 1] >= 0x20 &&
			    (unsigned char)t[i + 1] < 0x80)
				o += (size_t)sprintf(out + o, "\\u%04x",
						     (unsigned)t[++i]);
			in_string = c == '"';
			continue;
		}
		out[o++] = (char)c;
		if (c == '\\' && i + 1 < n)
			out[o++] = t[++i];
		else if (c == '"')
			in_string = false;
	}
	return o;
}

/* msg without the digits that follow "column ". */
static void
without_columns(const char *msg, char *out)
{
	const char *col = strstr(msg, "column ");
	size_t head = col ? (size_t)(col - msg) + 7 : strlen(msg);
	memcpy(out, msg, head);
	out[head] = '\0';
}

static size_t
random_key_line(char *buf, size_t cap)
{
	static const char *const members[] = {
		"\"entity_id\":5", "\"entity_id\" : 6", "\"entity_id\"\t:\t7",
		"\"space_id\":1", "\"timestamp\":3", "\"timestamp\" :\"2026-01-02\"",
		"\"vector\":[1.5,2]", "\"vector\" : [0.25]",
		"\"metadata\":{\"vector\":\"timestamp\"}", "\"entity_idx\":1",
		"\"entity\":1", "\"vector2\":[1]", "\"Vector\":[1]",
		"\"vectoR\":[1]", "\"entity_iD\":2", "\"timestamP\":3",
		"\"timestamp\"", "\"timestamp\" 3", "\"space_id\":", "\"\":1"};
	size_t n = 0, count = 1 + rng() % 6;
	buf[n++] = '{';
	for (size_t i = 0; i < count; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "," : "",
				      members[rng() % (sizeof members /
						       sizeof *members)]);
	buf[n++] = '}';
	if (rng() % 4 == 0)
		n = rng() % n;
	return n;
}

static void
test_plain_fields(void)
{
	ws_point_buf *b1 = ws_point_buf_new(), *b2 = ws_point_buf_new();
	char line[1024], esc[2048];
	size_t differ = 0, good = 0, bad = 0;
	for (int i = 0; i < 60000; i++) {
		size_t n = i % 2 ? random_key_line(line, 512)
				 : random_line(line, 512);
		size_t m = escape_strings(line, n, esc);
		/* Exact-size copies: a read past a line is an ASan report. */
		char *a = malloc(n + 1), *b = malloc(m + 1);
		memcpy(a, line, n);
		memcpy(b, esc, m);
		ws_point pa, pb;
		ws_error ea = {0}, eb = {0};
		ws_status ra = ws_parse_point(a, n, WS_PARSE_POINT, 7, b1, &pa, &ea);
		ws_status rb = ws_parse_point(b, m, WS_PARSE_POINT, 7, b2, &pb, &eb);
		char ma[sizeof ea.msg], mb[sizeof eb.msg];
		without_columns(ea.msg, ma);
		without_columns(eb.msg, mb);
		bool same = ra == rb && (ra == WS_OK ? same_point(&pa, &pb)
						     : strcmp(ma, mb) == 0);
		if (!same && differ++ < 5)
			printf("# differs: %.*s\n#   %s\n#   %s\n", (int)n, a,
			       ea.msg, eb.msg);
		good += ra == WS_OK;
		bad += ra != WS_OK;
		free(a);
		free(b);
	}
	TAP_CHECK(differ == 0 && good > 10000 && bad > 10000,
		  "field names plain and escaped parse alike (%zu good, %zu "
		  "bad, %zu differ)",
		  good, bad, differ);
	ws_point_buf_free(b1);
	ws_point_buf_free(b2);
}

/*
 * Differential: every line of a run parsed ahead (two threads) gives what
 * ws_parse_point gives it alone, good or bad, in input order.
 */
static void
test_parse_ahead(void)
{
	enum { LINES = 4000, LINE_CAP = 1024 };
	char *text = malloc((size_t)LINES * LINE_CAP);
	ws__ahead a;
	ws__ahead_init(&a, 7, WS_UNIT_US);
	ws_error err;
	bool added = text != NULL;
	for (size_t i = 0; added && i < LINES; i++) {
		ws_line line = {.text = text + i * LINE_CAP, .number = i + 1};
		line.len = random_line(text + i * LINE_CAP, LINE_CAP);
		line.too_long = i % 997 == 5; /* the reader cut it: never parsed */
		added = ws__ahead_add(&a, &line, &err) == WS_OK;
	}
	TAP_CHECK(added && a.bytes > 64 * 1024, "a run of %d lines, %zu bytes",
		  LINES, a.bytes);
	TAP_CHECK(ws__ahead_parse(&a, &err) == WS_OK, "the run parses");
	TAP_CHECK(a.half[0].points.n > 0 && a.half[1].points.n > 0,
		  "both threads parsed points (%zu, %zu)", a.half[0].points.n,
		  a.half[1].points.n);
	ws_point_buf *pb = ws_point_buf_new();
	size_t differ = 0, good = 0, bad = 0;
	for (size_t i = 0; i < a.n; i++) {
		const ws_line *l = &a.lines[i];
		ws_point ahead, alone;
		ws_error why;
		bool got = ws__ahead_point(&a, i, &ahead);
		bool ok = !l->too_long && !ws_line_is_blank(l->text, l->len) &&
			  ws_parse_point(l->text, l->len, WS_PARSE_POINT, 7, pb,
					 &alone, &why) == WS_OK;
		good += ok;
		bad += !ok;
		if (got != ok || (ok && !same_point(&ahead, &alone)))
			differ++;
	}
	TAP_CHECK(differ == 0 && good > 1000 && bad > 500,
		  "parsed ahead as parsed alone: %zu good, %zu bad or blank, "
		  "%zu differ",
		  good, bad, differ);
	ws__ahead_reset(&a);
	ws_line one = {.text = "{\"entity_id\":1,\"timestamp\":2,\"vector\":[3]}",
		       .number = 9};
	one.len = strlen(one.text);
	ws_point pt;
	TAP_CHECK(ws__ahead_add(&a, &one, &err) == WS_OK &&
			  ws__ahead_parse(&a, &err) == WS_OK &&
			  ws__ahead_point(&a, 0, &pt) && pt.space_id == 7 &&
			  a.half[1].points.n == 0,
		  "a small run is parsed on one thread, after a reset");
	ws_point_buf_free(pb);
	ws__ahead_free(&a);
	free(text);
}

/*
 * The printer against ws_output_point alone: 60,000 points of 16 values
 * (past the direct points, so the helper prints) come out byte for byte
 * the same, and the caller printed some of them ahead while its helper
 * was busy: filling a batch from memory is far quicker than printing one.
 * With ends kept (ws-get) nothing is printed ahead, and the ends match.
 */
static void
print_all(ws_output *out, ws_printer *pr, size_t n)
{
	float v[16];
	for (size_t i = 0; i < n; i++) {
		for (int j = 0; j < 16; j++)
			v[j] = (float)((i * 16 + (size_t)j) % 9973) / 7.0f;
		ws_point pt = {.entity_id = i % 7, .timestamp = (int64_t)i,
			       .dim = 16, .vector = v};
		ws_error err;
		if ((pr ? ws_printer_point(pr, &pt, &err)
			: ws_output_point(out, &pt, &err)) != WS_OK)
			abort();
	}
	ws_error err;
	if (pr != NULL && ws_printer_flush(pr, &err) != WS_OK)
		abort();
}

static void
test_printer_ahead(void)
{
	enum { N = 60000 };
	ws_error err;
	ws_output *alone = ws_output_new_memory(), *out = ws_output_new_memory();
	ws_printer *pr = ws_printer_new(out, &err);
	if (!alone || !out || !pr)
		abort();
	print_all(alone, NULL, N);
	print_all(out, pr, N);
	const char *a = ws_output_memory(alone, &err);
	size_t na = ws_output_size(alone);
	const char *b = ws_output_memory(out, &err);
	size_t nb = ws_output_size(out);
	TAP_CHECK(na == nb && memcmp(a, b, na) == 0 &&
			  ws__printer_printed_ahead(pr) > 0,
		  "the printer prints what ws_output_point prints (%zu bytes), "
		  "%llu points of %d printed ahead by the caller",
		  nb, (unsigned long long)ws__printer_printed_ahead(pr), N);
	ws_printer_free(pr);
	if (ws_output_close(alone, &err) != WS_OK ||
	    ws_output_close(out, &err) != WS_OK)
		abort();
}

/* A short output fills a quarter of the buffer; after 1 MiB, all of it. */
static void
test_output_fill(void)
{
	enum { LINE = 1000, LINES = 1100 };
	ws_error err;
	ws_output *out = ws_output_new_memory();
	char *line = malloc(LINE);
	if (out == NULL || line == NULL)
		abort();
	size_t first = ws__output_fill(out), at_1m = 0;
	bool same = true;
	for (int i = 0; i < LINES; i++) {
		memset(line, 'a' + i % 26, LINE - 1);
		line[LINE - 1] = '\n';
		if (ws_output_bytes(out, line, LINE, &err) != WS_OK)
			abort();
		if (i == LINES - 1) /* over 1 MiB sent */
			at_1m = ws__output_fill(out);
	}
	const char *m = ws_output_memory(out, &err);
	for (int i = 0; same && i < LINES; i++)
		same = m[(size_t)i * LINE] == 'a' + i % 26 &&
		       m[(size_t)i * LINE + LINE - 1] == '\n';
	TAP_CHECK(first == 16 * 1024 && at_1m == 64 * 1024 && same &&
			  ws_output_size(out) == (size_t)LINE * LINES,
		  "an output flushes at %zu bytes first, at %zu after 1 MiB, "
		  "and its %zu bytes are what was written",
		  first, at_1m, ws_output_size(out));
	free(line);
	if (ws_output_close(out, &err) != WS_OK)
		abort();
}

int
main(void)
{
	test_output_fill();
	test_check_bytes();
	test_f32();
	test_f32_against_old();
	test_format_decimal_layout();
	test_parse_good();
	test_parse_bad();
	test_utoa();
	test_grow_populates();
	test_varint();
	test_block_roundtrip();
	test_block_version();
	test_block_wide_size();
	test_vec_codec();
	test_block_rows();
	test_tombstones();
	test_parse_ahead();
	test_plain_fields();
	test_block_zlib_reads();
	test_block_small_part_stored();
	test_batch_sort();
	test_batch_sort_tail();
	test_batch_sort_large();
	test_batch_append();
	test_decimal_against_strtof();
	test_f32_fast();
	test_int_fields();
	test_printer_ahead();
	return tap_done();
}
