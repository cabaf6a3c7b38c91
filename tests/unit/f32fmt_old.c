/*
 * f32fmt_old.c - the shortest-f32 printer before the integer one in
 * lib/codec/f32fmt.c (digit counts tried by binary search, each candidate
 * read back with an exact float operation or strtof), kept as the oracle
 * the unit tests compare the new printer against.
 */
#include "codec/codec.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
same_bits(float a, float b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* Whether n * 10^exp10 reads back as f (f positive). */
static bool
reads_back(uint64_t n, int exp10, float f)
{
	float v;
	if (!ws__f32_exact(n, exp10, &v)) {
		char buf[48];
		snprintf(buf, sizeof buf, "%" PRIu64 "e%d", n, exp10);
		v = strtof(buf, NULL);
	}
	return same_bits(v, f);
}

/* f rounded to p significant digits: n * 10^exp10, or false. */
static bool
round_to_digits(float f, double d, int x, int p, uint64_t *n, int *exp10)
{
	static const double pow10[] = {1e0,  1e1,  1e2,	 1e3,  1e4,  1e5,
				       1e6,  1e7,  1e8,	 1e9,  1e10, 1e11,
				       1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
				       1e18, 1e19, 1e20, 1e21, 1e22};
	int k = p - 1 - x; /* n = round(d * 10^k) */
	if (k > 22 || k < -22)
		return false;
	double s = k >= 0 ? d * pow10[k] : d / pow10[-k];
	uint64_t r = (uint64_t)(s + 0.5);
	/* s is inexact: a neighbour may be the true rounding. */
	const uint64_t cand[] = {r, r - 1, r + 1};
	for (int i = 0; i < 3; i++) {
		if (cand[i] > 0 && reads_back(cand[i], -k, f)) {
			*n = cand[i];
			*exp10 = -k;
			return true;
		}
	}
	return false;
}

/*
 * floor(log10(d)) for a positive finite f32 value d, without libm: the
 * binary exponent gives it to within one, a table of powers settles it.
 */
static int
decimal_exponent(float f)
{
	static const double pow10_table[] = {
	1e-45, 1e-44, 1e-43, 1e-42, 1e-41, 1e-40, 1e-39, 1e-38, 1e-37, 1e-36,
	1e-35, 1e-34, 1e-33, 1e-32, 1e-31, 1e-30, 1e-29, 1e-28, 1e-27, 1e-26,
	1e-25, 1e-24, 1e-23, 1e-22, 1e-21, 1e-20, 1e-19, 1e-18, 1e-17, 1e-16,
	1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6,
	1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
	1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30,
	1e31, 1e32, 1e33, 1e34, 1e35, 1e36, 1e37, 1e38, 1e39,
	};
	enum { TABLE_MIN = -45, TABLE_MAX = 39 };
	uint32_t bits;
	memcpy(&bits, &f, sizeof bits);
	int e2 = (int)(bits >> 23) - 127;
	if (e2 == -127) /* subnormal: the exponent of the top set bit */
		e2 = 31 - __builtin_clz(bits & 0x7fffffu) - 149;
	/* floor(e2 * log10(2)), log10(2) as 1233 / 4096, rounding down. */
	int x = e2 >= 0 ? (e2 * 1233) >> 12 : -((-e2 * 1233 + 4095) >> 12);
	if (x + 1 <= TABLE_MAX && (double)f >= pow10_table[x + 1 - TABLE_MIN])
		x++;
	return x;
}

/*
 * The shortest n * 10^exp10 equal to f (positive, finite, non-zero).
 * If p digits read back, so do p + 1: a binary search over 1..9 needs
 * three or four tries where counting up needs six or seven.
 */
static void
shortest(float f, uint64_t *n, int *exp10)
{
	double d = f;
	int x = decimal_exponent(f);
	int lo = 1, hi = 9;
	bool found = false;
	/* Past 10^22 the scaling is inexact: printf's rounding is needed. */
	bool scalable = x <= 22 && x >= -14;
	if (!scalable)
		lo = hi;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		uint64_t mn;
		int me;
		if (round_to_digits(f, d, x, mid, &mn, &me)) {
			hi = mid;
			*n = mn;
			*exp10 = me;
			found = true;
		} else {
			lo = mid + 1;
		}
	}
	if (found || (scalable && round_to_digits(f, d, x, 9, n, exp10)))
		return;
	/* Extremes (subnormals, near FLT_MAX): let printf round. */
	char buf[WS_F32_BUFSIZE];
	for (int p = 1; p <= 9; p++) {
		snprintf(buf, sizeof buf, "%.*e", p - 1, d);
		if (same_bits(strtof(buf, NULL), f))
			break;
	}
	char *e = strchr(buf, 'e');
	*exp10 = atoi(e + 1);
	*n = 0;
	for (const char *c = buf; c < e; c++)
		if (*c != '.') {
			*n = *n * 10 + (uint64_t)(*c - '0');
			(*exp10)--;
		}
	(*exp10)++;
}

size_t old_format_f32(float f, char *buf);

size_t
old_format_f32(float f, char *buf)
{
	char *o = buf;
	if (signbit(f))
		*o++ = '-';
	if (f == 0) {
		*o++ = '0';
		*o = '\0';
		return (size_t)(o - buf);
	}
	uint64_t n;
	int exp10;
	shortest(fabsf(f), &n, &exp10);
	/* The digits are the old printer's; the layout is the library's. */
	return (size_t)(o - buf) + ws__format_decimal((uint32_t)n, exp10, o);
}
