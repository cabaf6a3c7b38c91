/*
 * f32fmt.c - the shortest decimal that reads back to the same f32, so
 * that 0.1f prints as 0.1 and any reader's output can be re-ingested
 * without drift.
 *
 * The digits come from printf's correctly rounded %e at increasing
 * precision (nine significant digits always identify an f32); the layout
 * is plain positional notation for exponents -5..16 ("20", "0.001"),
 * exponential outside it ("1e+20", "1e-45").
 */
#include "ws_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#define FIXED_MIN_EXP -5
#define FIXED_MAX_EXP 16

static bool
same_bits(float a, float b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* Significant digits (no dot) and decimal exponent of the shortest form. */
static int
shortest_digits(float f, char *digits, int *exp10)
{
	char buf[WS_F32_BUFSIZE];
	int prec;
	for (prec = 1; prec < 9; prec++) {
		snprintf(buf, sizeof buf, "%.*e", prec - 1, (double)f);
		if (same_bits(strtof(buf, NULL), f))
			break;
	}
	snprintf(buf, sizeof buf, "%.*e", prec - 1, (double)f);
	const char *p = buf + (buf[0] == '-');
	int n = 0;
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[n++] = *p;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*exp10 = atoi(p + 1);
	return n;
}

size_t
ws_format_f32(float f, char *buf)
{
	char digits[16];
	int exp10;
	char *o = buf;
	if (signbit(f))
		*o++ = '-';
	if (f == 0) {
		*o++ = '0';
		*o = '\0';
		return (size_t)(o - buf);
	}
	int n = shortest_digits(f, digits, &exp10);
	if (exp10 < FIXED_MIN_EXP || exp10 > FIXED_MAX_EXP) {
		*o++ = digits[0];
		if (n > 1) {
			*o++ = '.';
			memcpy(o, digits + 1, (size_t)n - 1);
			o += n - 1;
		}
		o += sprintf(o, "e%c%02d", exp10 < 0 ? '-' : '+',
			     exp10 < 0 ? -exp10 : exp10);
	} else if (exp10 < 0) {
		*o++ = '0';
		*o++ = '.';
		for (int i = -1; i > exp10; i--)
			*o++ = '0';
		memcpy(o, digits, (size_t)n);
		o += n;
	} else {
		for (int i = 0; i <= exp10 || i < n; i++) {
			if (i == exp10 + 1)
				*o++ = '.';
			*o++ = i < n ? digits[i] : '0';
		}
	}
	*o = '\0';
	return (size_t)(o - buf);
}
