/*
 * f32fmt.c - the shortest decimal that reads back to the same f32.
 *
 * So that 0.1f prints as 0.1 and any reader's output can be re-ingested
 * without drift. The digits come from integer arithmetic only, in the
 * style of Ryu (Adams, PLDI 2018): the interval of reals that round to f
 * is scaled by a power of ten with one 32 x 64-bit multiply per bound,
 * and digits are dropped while both bounds still differ above them. The
 * last digit is rounded to the nearest of the exact value, so among the
 * shortest decimals the closest one wins; an exact tie (2097152.25 at
 * eight digits) rounds up, as this printer always has, not to even.
 *
 * Layout: positional for decimal exponents -5..16 ("20", "0.001"),
 * exponential outside them ("1e+20", "1e-45").
 */
#include "codec/codec.h"

#include <string.h>

#define FIXED_MIN_EXP -5
#define FIXED_MAX_EXP 16

/*
 * The powers of five the scaling needs, each normalised to a fixed bit
 * count (POW5_INV_BITS, POW5_BITS): pow5_inv[q] = floor(2^(b(q) - 1 + 59)
 * / 5^q) + 1 and pow5[i] = 5^i scaled to 61 bits (truncated), with b(e)
 * = pow5_bits(e). Generated with exact integers (Python's int).
 */
#define POW5_INV_BITS 59
#define POW5_BITS 61
static const uint64_t pow5_inv[31] = {
	0x0800000000000001, 0x0666666666666667, 0x051eb851eb851eb9,
	0x04189374bc6a7efa, 0x068db8bac710cb2a, 0x053e2d6238da3c22,
	0x0431bde82d7b634e, 0x06b5fca6af2bd216, 0x055e63b88c230e78,
	0x044b82fa09b5a52d, 0x06df37f675ef6eae, 0x057f5ff85e592558,
	0x0465e6604b7a8447, 0x0709709a125da071, 0x05a126e1a84ae6c1,
	0x0480ebe7b9d58567, 0x0734aca5f6226f0b, 0x05c3bd5191b525a3,
	0x049c97747490eae9, 0x0760f253edb4ab0e, 0x05e72843249088d8,
	0x04b8ed0283a6d3e0, 0x078e480405d7b966, 0x060b6cd004ac9452,
	0x04d5f0a66a23a9db, 0x07bcb43d769f762b, 0x063090312bb2c4ef,
	0x04f3a68dbc8f03f3, 0x07ec3daf94180651, 0x065697bfa9acd1da,
	0x051212ffbaf0a7e2,
};
static const uint64_t pow5[48] = {
	0x1000000000000000, 0x1400000000000000, 0x1900000000000000,
	0x1f40000000000000, 0x1388000000000000, 0x186a000000000000,
	0x1e84800000000000, 0x1312d00000000000, 0x17d7840000000000,
	0x1dcd650000000000, 0x12a05f2000000000, 0x174876e800000000,
	0x1d1a94a200000000, 0x12309ce540000000, 0x16bcc41e90000000,
	0x1c6bf52634000000, 0x11c37937e0800000, 0x16345785d8a00000,
	0x1bc16d674ec80000, 0x1158e460913d0000, 0x15af1d78b58c4000,
	0x1b1ae4d6e2ef5000, 0x10f0cf064dd59200, 0x152d02c7e14af680,
	0x1a784379d99db420, 0x108b2a2c28029094, 0x14adf4b7320334b9,
	0x19d971e4fe8401e7, 0x1027e72f1f128130, 0x1431e0fae6d7217c,
	0x193e5939a08ce9db, 0x1f8def8808b02452, 0x13b8b5b5056e16b3,
	0x18a6e32246c99c60, 0x1ed09bead87c0378, 0x13426172c74d822b,
	0x1812f9cf7920e2b6, 0x1e17b84357691b64, 0x12ced32a16a1b11e,
	0x178287f49c4a1d66, 0x1d6329f1c35ca4bf, 0x125dfa371a19e6f7,
	0x16f578c4e0a060b5, 0x1cb2d6f618c878e3, 0x11efc659cf7d4b8d,
	0x166bb7f0435c9e71, 0x1c06a5ec5433c60d, 0x118427b3b4a05bc8,
};

/* ceil(log2(5^e)), e in 0..3528 (1 for e = 0). */
static inline int
pow5_bits(int e)
{
	return (int)(((uint32_t)e * 1217359u) >> 19) + 1;
}

/* floor(log10(2^e)) and floor(log10(5^e)), e >= 0 in f32's range. */
static inline uint32_t
log10_pow2(int e)
{
	return ((uint32_t)e * 78913u) >> 18;
}

static inline uint32_t
log10_pow5(int e)
{
	return ((uint32_t)e * 732923u) >> 20;
}

static inline bool
divisible_by_pow5(uint32_t v, uint32_t p)
{
	uint32_t count = 0;
	while (v % 5 == 0) {
		v /= 5;
		count++;
	}
	return count >= p;
}

static inline bool
divisible_by_pow2(uint32_t v, uint32_t p)
{
	return (v & ((1u << p) - 1)) == 0;
}

/* (m * factor) >> shift for shift > 32, without a 128-bit type. */
static inline uint32_t
mul_shift(uint32_t m, uint64_t factor, int shift)
{
	uint64_t lo = (uint64_t)m * (uint32_t)factor;
	uint64_t hi = (uint64_t)m * (uint32_t)(factor >> 32);
	return (uint32_t)(((lo >> 32) + hi) >> (shift - 32));
}

/*
 * The shortest digits * 10^exp10 that reads back to the positive finite
 * non-zero f32 with these bits.
 */
static void
shortest(uint32_t bits, uint32_t *digits, int *exp10)
{
	uint32_t frac = bits & 0x7fffffu, biased = bits >> 23;
	int e2;
	uint32_t m2;
	if (biased == 0) { /* subnormal */
		e2 = 1 - 127 - 23 - 2;
		m2 = frac;
	} else {
		e2 = (int)biased - 127 - 23 - 2;
		m2 = (1u << 23) | frac;
	}
	/* Round-half-even reading: the bounds belong to f if m2 is even. */
	bool accept_bounds = (m2 & 1) == 0;
	/* f = mv / 4 * 2^e2; mm and mp the midpoints to its neighbours. */
	uint32_t mv = 4 * m2, mp = 4 * m2 + 2;
	uint32_t mm = 4 * m2 - 1 - (frac != 0 || biased <= 1);
	uint32_t vr, vp, vm;
	int e10;
	bool vm_trailing_zeros = false, vr_trailing_zeros = false;
	uint32_t last_removed = 0;
	if (e2 >= 0) {
		uint32_t q = log10_pow2(e2);
		e10 = (int)q;
		int k = POW5_INV_BITS + pow5_bits((int)q) - 1;
		int i = -e2 + (int)q + k;
		vr = mul_shift(mv, pow5_inv[q], i);
		vp = mul_shift(mp, pow5_inv[q], i);
		vm = mul_shift(mm, pow5_inv[q], i);
		if (q != 0 && (vp - 1) / 10 <= vm / 10) {
			int l = POW5_INV_BITS + pow5_bits((int)q - 1) - 1;
			last_removed = mul_shift(mv, pow5_inv[q - 1],
						 -e2 + (int)q - 1 + l) % 10;
		}
		if (q <= 9) { /* only then can one of them be a multiple of 10^q */
			if (mv % 5 == 0)
				vr_trailing_zeros = divisible_by_pow5(mv, q);
			else if (accept_bounds)
				vm_trailing_zeros = divisible_by_pow5(mm, q);
			else
				vp -= divisible_by_pow5(mp, q);
		}
	} else {
		uint32_t q = log10_pow5(-e2);
		e10 = (int)q + e2;
		int i = -e2 - (int)q;
		int k = pow5_bits(i) - POW5_BITS;
		int j = (int)q - k;
		vr = mul_shift(mv, pow5[i], j);
		vp = mul_shift(mp, pow5[i], j);
		vm = mul_shift(mm, pow5[i], j);
		if (q != 0 && (vp - 1) / 10 <= vm / 10) {
			j = (int)q - 1 - (pow5_bits(i + 1) - POW5_BITS);
			last_removed = mul_shift(mv, pow5[i + 1], j) % 10;
		}
		if (q <= 1) {
			vr_trailing_zeros = true;
			if (accept_bounds)
				vm_trailing_zeros = mm == mv - 2;
			else
				vp--;
		} else if (q < 31) {
			vr_trailing_zeros = divisible_by_pow2(mv, q - 1);
		}
	}
	int removed = 0;
	if (vm_trailing_zeros || vr_trailing_zeros) {
		/* The rare exact cases: track the removed digits exactly. */
		while (vp / 10 > vm / 10) {
			vm_trailing_zeros &= vm % 10 == 0;
			vr_trailing_zeros &= last_removed == 0;
			last_removed = vr % 10;
			vr /= 10;
			vp /= 10;
			vm /= 10;
			removed++;
		}
		if (vm_trailing_zeros) {
			while (vm % 10 == 0) {
				vr_trailing_zeros &= last_removed == 0;
				last_removed = vr % 10;
				vr /= 10;
				vp /= 10;
				vm /= 10;
				removed++;
			}
		}
		*digits = vr + ((vr == vm && (!accept_bounds || !vm_trailing_zeros)) ||
				last_removed >= 5);
	} else {
		/* Only the last removed digit counts: two at a time first. */
		while (vp / 100 > vm / 100) {
			last_removed = vr % 100 / 10;
			vr /= 100;
			vp /= 100;
			vm /= 100;
			removed += 2;
		}
		if (vp / 10 > vm / 10) {
			last_removed = vr % 10;
			vr /= 10;
			vp /= 10;
			vm /= 10;
			removed++;
		}
		*digits = vr + (vr == vm || last_removed >= 5);
	}
	*exp10 = e10 + removed;
}

#define ASCII_ZEROS 0x3030303030303030ull

/*
 * The eight digits of n < 10^8 as ASCII, leading zeros and all, the
 * first in the low byte (as one little-endian store puts them), by
 * arithmetic on lanes of one register: two 32-bit lanes of four digits
 * (x * 10486 >> 20 is x / 100 below 10^4), then four 16-bit lanes of
 * two (x * 103 >> 10 is x / 10 below 179): no table, no loop, and five
 * multiplications where a division per pair took seven.
 */
static inline uint64_t
eight_digits(uint32_t n)
{
	uint32_t hi = n / 10000, lo = n - hi * 10000;
	uint64_t quads = (uint64_t)hi | (uint64_t)lo << 32;
	uint64_t hundreds = (quads * 10486 >> 20) & 0x0000007f0000007full;
	uint64_t pairs = hundreds | (quads - hundreds * 100) << 16;
	uint64_t tens = (pairs * 103 >> 10) & 0x000f000f000f000full;
	uint64_t ones = pairs - tens * 10;
	return (tens | ones << 8) + ASCII_ZEROS;
}

/*
 * The significant digits of 0 < n < 10^9: the first, *first, and up to
 * eight after it in *rest (first digit in the low byte); returns their
 * count with trailing zeros dropped, *dropped of them. In registers and
 * counted by bits: a printer of random values mispredicts loops over
 * digits, and bytes stored then loaded at another width stall.
 */
static inline int
significant_digits(uint32_t n, char *first, uint64_t *rest, int *dropped)
{
	uint32_t top = n / 100000000;
	uint64_t w = eight_digits(n % 100000000);
	uint64_t nonzero = w ^ ASCII_ZEROS; /* zero bytes where '0' is */
	if (top != 0) { /* nine digits */
		*first = (char)('0' + top);
		*rest = w;
		*dropped = nonzero ? __builtin_clzll(nonzero) / 8 : 8;
		return 9 - *dropped;
	}
	int lead = __builtin_ctzll(nonzero) / 8; /* n > 0: nonzero too */
	*dropped = __builtin_clzll(nonzero) / 8;
	w >>= 8 * lead;
	*first = (char)w;
	*rest = w >> 8;
	return 8 - lead - *dropped;
}

/*
 * The digits go where the layout wants them by stores of a fixed width
 * (out has room: codec.h), later ones over earlier ones, where copies of
 * a variable length were calls into libc.
 */
size_t
ws__format_decimal(uint32_t n, int exp10, char *o)
{
	char first;
	uint64_t rest;
	int dropped;
	int nd = significant_digits(n, &first, &rest, &dropped);
	int x = nd - 1 + exp10 + dropped; /* decimal exponent of the first digit */
	unsigned char *u = (unsigned char *)o;
	if (x < FIXED_MIN_EXP || x > FIXED_MAX_EXP) {
		ws__put_u64(u + 2, rest);
		u[0] = (unsigned char)first;
		u[1] = '.';
		u += nd > 1 ? nd + 1 : 1;
		int ax = x < 0 ? -x : x; /* at most 45 */
		u[0] = 'e';
		u[1] = x < 0 ? '-' : '+';
		u[2] = (unsigned char)('0' + ax / 10);
		u[3] = (unsigned char)('0' + ax % 10);
		u += 4;
	} else if (x < 0) { /* "0.", -x-1 zeros, the digits */
		memcpy(u, "0.0000", 6);
		u += 1 - x;
		u[0] = (unsigned char)first;
		ws__put_u64(u + 1, rest);
		u += nd;
	} else if (x + 1 < nd) { /* the point inside the digits */
		u[0] = (unsigned char)first;
		ws__put_u64(u + 1, rest);
		ws__put_u64(u + x + 2, rest >> (8 * x));
		u[x + 1] = '.';
		u += nd + 1;
	} else { /* an integer: the digits and x + 1 - nd zeros */
		u[0] = (unsigned char)first;
		ws__put_u64(u + 1, rest);
		u += nd;
		memcpy(u, "0000000000000000", 16);
		u += x + 1 - nd;
	}
	*u = '\0';
	return (size_t)(u - (unsigned char *)o);
}

/*
 * Most values printed were read from short decimals (sensor readings of
 * 6 digits, embeddings of 7), and then the decimal can be found directly:
 * x = round(f * 10^(6-E)) for f's decimal exponent E, kept if x * 10^(E-6)
 * rounds back to f (checked exactly: ws__f32_exact). It is then the
 * shortest that reads back, and the only one of its length, when it has
 * at most 6 significant digits (an f32's ulp is below 1.2e-6 of its
 * decade, the gap between two decimals of 6 digits 1e-5), or 7 digits and
 * the ulp below the gap of 7-digit decimals, 10^(E-6): the digits the
 * search below would find. False when that does not settle it.
 */
static bool
short_decimal(float a, uint32_t bits, uint32_t *digits, int *exp10)
{
	/* 10^-10 .. 10^10, the factors the guess needs (rounded: a guess). */
	static const double pow10_guess[21] = {
		1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0,
		1e1,   1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10};
	int k = (int)(bits >> 23) - 127; /* 2^k <= a < 2^(k+1) */
	/* floor(k log10 2): E, or one below it */
	int e = k >= 0 ? (int)log10_pow2(k) : -(int)log10_pow2(-k) - 1;
	if (e < -4 || e > 16)
		return false;
	double scaled = (double)a * pow10_guess[10 + 6 - e];
	if (scaled >= 9999999.5) { /* E was e + 1 */
		if (++e > 16)
			return false;
		scaled = (double)a * pow10_guess[10 + 6 - e];
	}
	uint32_t x = (uint32_t)(scaled + 0.5);
	float back;
	if (x == 0 || !ws__f32_exact(x, e - 6, &back) ||
	    memcmp(&back, &a, sizeof a) != 0)
		return false;
	if (x % 10 != 0 && x >= 1000000) {
		/* 7 digits: unique only where the ulp is below their gap */
		float up;
		uint32_t next = bits + 1;
		memcpy(&up, &next, sizeof up);
		if ((double)(up - a) >= pow10_guess[10 + e - 6])
			return false;
	}
	*digits = x;
	*exp10 = e - 6;
	return true;
}

size_t
ws_format_f32(float f, char *buf)
{
	char *o = buf;
	uint32_t bits;
	memcpy(&bits, &f, sizeof bits);
	/* No branch on the sign: embeddings' signs are random. */
	*o = '-';
	o += bits >> 31;
	bits &= 0x7fffffffu;
	if (bits == 0) {
		*o++ = '0';
		*o = '\0';
		return (size_t)(o - buf);
	}
	float a;
	memcpy(&a, &bits, sizeof a);
	uint32_t n;
	int exp10;
	if (!short_decimal(a, bits, &n, &exp10))
		shortest(bits, &n, &exp10);
	return (size_t)(o - buf) + ws__format_decimal(n, exp10, o);
}
