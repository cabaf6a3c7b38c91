/*
 * decimal.c - decimal number tokens to f32, correctly rounded, and the
 * exact fast path that the shortest-decimal printer (f32fmt.c) shares.
 */
#include "codec/json_lex.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Decimal to f32, correctly rounded. Most sensor and embedding values
 * have at most 7 significant digits and a small exponent: those convert
 * with one exact float operation (ws__f32_exact); strtof does the rest.
 */
/* Digits at *p appended to *m; the number of digits read. */
static size_t
read_digits(const char **p, const char *end, uint64_t *m)
{
	const char *start = *p;
	while (*p < end && (unsigned)(**p - '0') < 10) {
		*m = *m * 10 + (unsigned)(**p - '0');
		(*p)++;
	}
	return (size_t)(*p - start);
}

static bool
fast_f32(const char *tok, size_t n, float *out)
{
	const char *p = tok, *end = tok + n;
	bool neg = *p == '-';
	p += neg;
	uint64_t m = 0;
	/* A JSON number token (ws__json_number made it): digits, maybe a
	 * fraction, maybe an exponent. Past 19 digits m wraps (unsigned):
	 * such a number is left to strtof (ws__f32_exact takes m <= 2^24
	 * only anyway). */
	size_t digits = read_digits(&p, end, &m);
	int scale = 0;
	if (p < end && *p == '.') {
		p++;
		size_t frac = read_digits(&p, end, &m);
		digits += frac;
		scale = -(int)frac;
	}
	if (digits > 19)
		return false;
	if (p < end) { /* an exponent */
		p++;
		bool eneg = *p == '-';
		p += (*p == '-' || *p == '+');
		int e = 0;
		for (; p < end; p++) {
			e = e * 10 + (*p - '0');
			if (e > 100)
				return false;
		}
		scale += eneg ? -e : e;
	}
	float v;
	if (!ws__f32_exact(m, scale, &v))
		return false;
	/* The sign bit set without a branch: embeddings' signs are random. */
	uint32_t bits;
	memcpy(&bits, &v, sizeof bits);
	bits |= (uint32_t)neg << 31;
	memcpy(out, &bits, sizeof bits);
	return true;
}

ws_status
ws__decimal_to_f32(const char *tok, size_t n, ws__strbuf *scratch,
		   float *out, ws_error *err)
{
	if (fast_f32(tok, n, out))
		return WS_OK;
	/* strtof wants a terminated string: the token is copied. */
	scratch->n = 0;
	if (ws__strbuf_put(scratch, tok, n, err) != WS_OK)
		return WS_ENOMEM;
	float v = strtof(scratch->str, NULL);
	if (isinf(v))
		return ws__err(err, WS_EBADINPUT, "out of f32 range");
	*out = v;
	return WS_OK;
}
