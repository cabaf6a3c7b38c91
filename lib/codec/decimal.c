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
 *
 * The digits are read eight bytes at a time: the run of digits at their
 * start is found and converted with a few multiplications, as simdjson
 * does. Vector values and integer fields are read this way straight
 * from the line (ws__json_f32_fast, ws__json_int_fast), in one pass where
 * the general path scans a token twice (a third of embedding ingest's
 * time went there); the general path's tokens go through the same code.
 */
#define ONES 0x0101010101010101ull

/* How many of the 8 bytes in w (the first the lowest) are digits, first. */
static unsigned
leading_digits(uint64_t w)
{
	/* Less '0', a digit is 0..9; adding 0x76 sets bit 7 from 10 up, and
	 * bytes of 0x80 up have it already. A borrow or a carry crosses a
	 * byte only out of a byte that is not a digit, so it can change only
	 * the bytes after the first one that is not. */
	uint64_t v = w - 0x30 * ONES;
	uint64_t not_digit = (v | (v + 0x76 * ONES)) & 0x80 * ONES;
	return not_digit ? (unsigned)__builtin_ctzll(not_digit) / 8 : 8;
}

/* The value of the first k digits of w (1 <= k <= 8). */
static uint64_t
digits_value(uint64_t w, unsigned k)
{
	/* The digits moved up to the top bytes: zeros come first. */
	uint64_t v = (w - 0x30 * ONES) << (8 * (8 - k));
	v = v * 10 + (v >> 8); /* pairs of digits, in every other byte */
	v = ((v & 0x000000ff000000ffull) * (100 + (1000000ull << 32)) +
	     ((v >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32))) >>
	    32;
	return (uint32_t)v;
}

static const uint64_t pow10_u64[9] = {1,      10,      100,      1000,     10000,
				      100000, 1000000, 10000000, 100000000};

/*
 * Digits at *p into *m (*count of them so far); false past 19, where m
 * could wrap (ws__f32_exact takes m <= 2^24 only anyway).
 */
static inline bool
digit_run(const char **p, const char *end, uint64_t *m, unsigned *count)
{
	while (end - *p >= 8) {
		uint64_t w = ws__get_u64((const unsigned char *)*p);
		unsigned k = leading_digits(w);
		if (k == 0)
			return true;
		if ((*count += k) > 19)
			return false;
		*m = *m * pow10_u64[k] + digits_value(w, k);
		*p += k;
		if (k < 8)
			return true;
	}
	for (; *p < end && (unsigned)(**p - '0') < 10; (*p)++) {
		if (++*count > 19)
			return false;
		*m = *m * 10 + (unsigned)(**p - '0');
	}
	return true;
}

/*
 * -?(0|[1-9][0-9]*)(.[0-9]+)? at *p, of at most 19 digits: the sign, the
 * digits as one integer m and the power of ten they are scaled by, *p
 * past them. False for anything else ("01", "1.", too many digits): the
 * general path says why, or strtof reads it.
 */
static inline bool
plain_decimal(const char **pp, const char *end, bool *neg, uint64_t *m,
	      int *scale)
{
	const char *p = *pp;
	*neg = p < end && *p == '-';
	p += *neg;
	*m = 0;
	*scale = 0;
	unsigned digits = 0;
	if (p >= end || (unsigned)(*p - '0') >= 10 ||
	    (*p == '0' && end - p > 1 && (unsigned)(p[1] - '0') < 10) ||
	    !digit_run(&p, end, m, &digits))
		return false;
	if (p < end && *p == '.') {
		unsigned before = digits;
		p++;
		if (!digit_run(&p, end, m, &digits) || digits == before)
			return false;
		*scale = -(int)(digits - before);
	}
	*pp = p;
	return true;
}

/*
 * The usual vector value, fewer than eight digits on each side of the
 * point (10.8819, -0.1234567), with 16 bytes of the line after its sign:
 * two loads of eight bytes and no loop, where plain_decimal's loops took
 * 150 instructions a value. The same result as plain_decimal, or false
 * (then plain_decimal reads it).
 */
static inline bool
short_decimal(const char **pp, const char *end, bool *neg, uint64_t *m,
	      int *scale)
{
	const char *p = *pp;
	bool minus = p < end && *p == '-';
	p += minus;
	if (end - p < 16)
		return false;
	uint64_t w = ws__get_u64((const unsigned char *)p);
	unsigned k = leading_digits(w);
	/* "01" is no JSON number: plain_decimal refuses it. */
	if (k == 0 || k == 8 || p[k] != '.' || (k > 1 && *p == '0'))
		return false;
	uint64_t f = ws__get_u64((const unsigned char *)p + k + 1);
	unsigned kf = leading_digits(f);
	if (kf == 0 || kf == 8)
		return false;
	*m = digits_value(w, k) * pow10_u64[kf] + digits_value(f, kf);
	*scale = -(int)kf;
	*neg = minus;
	*pp = p + k + 1 + kf;
	return true;
}

/* m * 10^scale as an f32, if exact, with the sign bit set by neg. */
static inline bool
exact_f32(bool neg, uint64_t m, int scale, float *out)
{
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

static bool
is_exponent(const char *p, const char *end)
{
	return p < end && (*p == 'e' || *p == 'E');
}

/* A JSON number token (ws__json_number made it), exponent and all. */
static bool
fast_f32(const char *tok, size_t n, float *out)
{
	const char *p = tok, *end = tok + n;
	bool neg;
	uint64_t m;
	int scale;
	if (!plain_decimal(&p, end, &neg, &m, &scale))
		return false;
	if (is_exponent(p, end)) {
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
	return exact_f32(neg, m, scale, out);
}

bool
ws__json_int_fast(ws__json *ps, bool *neg, uint64_t *magnitude)
{
	const char *p = ps->p;
	int scale;
	/* A fraction, even .0, makes it no integer: the general path says so. */
	if (!plain_decimal(&p, ps->end, neg, magnitude, &scale) || scale != 0 ||
	    is_exponent(p, ps->end))
		return false;
	ps->p = p;
	return true;
}

bool
ws__json_f32_fast(ws__json *ps, float *out)
{
	const char *p = ps->p;
	bool neg;
	uint64_t m;
	int scale;
	if ((!short_decimal(&p, ps->end, &neg, &m, &scale) &&
	     !plain_decimal(&p, ps->end, &neg, &m, &scale)) ||
	    is_exponent(p, ps->end) || !exact_f32(neg, m, scale, out))
		return false;
	ps->p = p;
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
