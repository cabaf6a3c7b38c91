/*
 * fuzz_vec.c - libFuzzer target for the vector codec (vec_alp.c).
 *
 * The first input byte picks a mode:
 *   0  the rest is hostile encoded bytes: two bytes give the number of
 *      points and the dimension, two the rows to decode alone, two the
 *      length of the symbols part, and the rest is split there into the
 *      symbols and the raw part. Whatever decodes whole must encode and
 *      decode again to the same bits, and each row alone alike;
 *   1  the rest describes values (raw bit patterns, short decimals, small
 *      steps from the previous point, -0.0 and subnormals): encoding and
 *      decoding them must give them back bit for bit.
 */
#include "codec/codec.h"

#include <string.h>

#include "fuzz.h"

/* Opens d on the symbols [p, end) and the raw part; p must end at end. */
static bool
open_dec(ws_vec_dec *d, const unsigned char *p, const unsigned char *end,
	 const unsigned char *raw, size_t raw_len, size_t n, uint32_t dim)
{
	ws_error err;
	ws_status rc = ws__vec_dec_open(d, &p, end, raw, raw_len, n, dim, &err);
	FUZZ_CHECK(rc == WS_OK || rc == WS_ECORRUPT);
	FUZZ_CHECK(rc != WS_OK || (p >= d->sym_start && p <= end));
	return rc == WS_OK;
}

/* Encodes n rows of dim values and checks that they decode bit for bit. */
static void
round_trip(const float *v, size_t n, uint32_t dim)
{
	const float **rows = malloc(n * sizeof *rows);
	float *back = malloc(n * dim * sizeof *back);
	FUZZ_CHECK(rows != NULL && back != NULL);
	for (size_t i = 0; i < n; i++)
		rows[i] = v + i * dim;
	ws_vec_enc ve = {0};
	ws_vec_dec d = {0};
	ws_error err;
	FUZZ_CHECK(ws__vec_encode(&ve, rows, n, dim, &err) == WS_OK);
	size_t raw_len = ve.exc_len + ve.bits_len;
	unsigned char *raw = malloc(raw_len + 1);
	FUZZ_CHECK(raw != NULL);
	memcpy(raw, ve.exc, ve.exc_len);
	memcpy(raw + ve.exc_len, ve.bits, ve.bits_len);
	const unsigned char *p = ve.sym + ve.sym_start, *end = p + ve.sym_len;
	FUZZ_CHECK(ws__vec_dec_open(&d, &p, end, raw, raw_len, n, dim, &err) ==
		   WS_OK);
	FUZZ_CHECK(p == end);
	FUZZ_CHECK(ws__vec_dec_rows(&d, 0, n, back));
	FUZZ_CHECK(memcmp(back, v, n * dim * sizeof *v) == 0);
	/* Each row alone, backwards: what the whole gave. */
	for (size_t i = n; i-- > 0;) {
		FUZZ_CHECK(ws__vec_dec_rows(&d, i, i + 1, back));
		FUZZ_CHECK(memcmp(back, v + i * dim, dim * sizeof *v) == 0);
	}
	free(raw);
	ws__vec_enc_free(&ve);
	ws__vec_dec_free(&d);
	free(rows);
	free(back);
}

static void
decode_hostile(src *s)
{
	size_t n = 1 + take(s, 1) % 32;
	uint32_t dim = 1 + (uint32_t)(take(s, 1) % 16);
	/* Rows [lo, hi) decoded alone must never read outside either part. */
	size_t lo = take(s, 1) % n, hi = lo + 1 + take(s, 1) % (n - lo);
	size_t sym_len = take(s, 2);
	if (sym_len > s->n)
		sym_len = s->n;
	/* Exact-size copies: a read past either part is caught. */
	unsigned char *sym = malloc(sym_len + 1), *raw = malloc(s->n - sym_len + 1);
	float *vec = malloc(n * dim * sizeof *vec);
	FUZZ_CHECK(sym != NULL && raw != NULL && vec != NULL);
	memcpy(sym, s->p, sym_len);
	memcpy(raw, s->p + sym_len, s->n - sym_len);
	ws_vec_dec d = {0};
	size_t raw_len = s->n - sym_len;
	if (open_dec(&d, sym, sym + sym_len, raw, raw_len, n, dim)) {
		(void)ws__vec_dec_rows(&d, lo, hi, vec);
		if (ws__vec_dec_rows(&d, 0, n, vec))
			round_trip(vec, n, dim);
	}
	ws__vec_dec_free(&d);
	free(sym);
	free(raw);
	free(vec);
}

static float
value_from(src *s, const float *prev)
{
	static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7,
				     1e8, 1e9, 1e10, 1e11};
	uint32_t u;
	float f;
	switch (take(s, 1) % 4) {
	case 0:
		u = (uint32_t)take(s, 4);
		break;
	case 1: { /* a short decimal, as a parser would read it */
		int32_t m = (int32_t)(uint32_t)take(s, 4) >> (take(s, 1) % 24);
		f = (float)((double)m / p10[take(s, 1) % 12]);
		memcpy(&u, &f, sizeof u);
		break;
	}
	case 2: /* a small step from the previous point */
		if (prev == NULL) {
			u = 0;
			break;
		}
		memcpy(&u, prev, sizeof u);
		u += (uint32_t)(int8_t)take(s, 1);
		break;
	default: /* -0.0 and subnormals */
		u = take(s, 1) & 1 ? 0x80000000u : (uint32_t)take(s, 1);
		break;
	}
	memcpy(&f, &u, sizeof f);
	return f;
}

static void
encode_values(src *s)
{
	size_t n = 1 + take(s, 1) % 64;
	uint32_t dim = 1 + (uint32_t)(take(s, 1) % 8);
	float *v = malloc(n * dim * sizeof *v);
	FUZZ_CHECK(v != NULL);
	for (size_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < dim; j++)
			v[i * dim + j] = value_from(s, i ? &v[(i - 1) * dim + j] : NULL);
	round_trip(v, n, dim);
	free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	src s = {data + 1, size - 1};
	if (data[0] % 2 == 0)
		decode_hostile(&s);
	else
		encode_values(&s);
	return 0;
}
