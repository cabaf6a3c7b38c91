/*
 * vec_alp.c - the vector columns of a block as decimal integers (block
 * version 4; warmstore(5), Block payload).
 *
 * Most values that arrive as text are short decimals: 23.4567 is the
 * integer 234567 times 10^-4. Per block and column, an exponent e is
 * chosen and each value becomes x = round(v * 10^e), kept only if
 * x / 10^e gives back the very same f32 bits; a value that does not
 * (-0.0, subnormals, values with more digits) is an exception stored as
 * its 4 raw bytes. The integers of a column are predicted from the
 * previous points of the series (order 0: no prediction, 1: the previous
 * value, 2: the previous value plus the previous difference, whichever
 * costs fewest bits), and each zigzagged residual is cut into a symbol
 * byte (its high bits) and s raw low bits. The symbol bytes, which are
 * far from uniform, go to the part of the payload that is deflated; the
 * low bits, which are noise, are bit-packed and never deflated.
 *
 * Without prediction a value may also take one of two more exponents
 * (e+1, e+2; the symbol says which): uniform values printed with 7
 * significant digits need 10^-7 above 0.1 and 10^-8 below, and an
 * exception for every tenth value would cost 32 bits.
 *
 * The symbols part: a varint with the number of exceptions, the column
 * headers (per column a byte e | order << 5 and a byte s), then per
 * column order varints (the first values, zigzag << 1 | exception flag)
 * and count - order symbol bytes. The headers go together because they
 * repeat from column to column: deflate then finds them as one match,
 * where between the symbols each cost two Huffman codes (20 bytes a point
 * on 21-point blocks of dimension 384, warmstore(5)). The raw
 * part: the exceptions' f32 bits (4 bytes each, in column order), then the
 * low bits of every symbol, least significant bit first.
 */
#include "codec/codec.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#define EXP_MAX 18        /* 10^(EXP_MAX + 2) is still exact in a double */
#define SAMPLE 8          /* values of a column that choose its exponent */
#define EXCEPTION 255     /* the symbol of an exception */
#define INT_LIMIT 2251799813685248.0 /* 2^51: residuals stay far from overflow */
#define EXCEPTION_COST 40 /* bits: 4 raw bytes and a symbol */

static const double pow10_tab[EXP_MAX + 3] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20};
/*
 * Their inverses, as the nearest doubles: a multiplication costs an
 * eighth of a division, and the rare value that it does not give back is
 * an exception like any other.
 */
static const double inv10_tab[EXP_MAX + 3] = {
	1e0,   1e-1,  1e-2,  1e-3,  1e-4,  1e-5,  1e-6,
	1e-7,  1e-8,  1e-9,  1e-10, 1e-11, 1e-12, 1e-13,
	1e-14, 1e-15, 1e-16, 1e-17, 1e-18, 1e-19, 1e-20};

static uint32_t
bits_of(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

static uint64_t
zz(int64_t v)
{
	return ((uint64_t)v << 1) ^ (0 - ((uint64_t)v >> 63));
}

static int64_t
unzz(uint64_t v)
{
	return (int64_t)((v >> 1) ^ (0 - (v & 1)));
}

/* Without a branch: the planners sum it over residuals that are noise. */
static unsigned
bitlen(uint64_t v)
{
	return 64u - (unsigned)__builtin_clzll(v | 1) - (v == 0);
}

/* The one way an integer becomes a value again, for encoder and decoder. */
static float
int_to_f32(int64_t x, unsigned e)
{
	return (float)((double)x * inv10_tab[e]);
}

/* x = round(v * 10^e), if that gives v back bit for bit. */
static bool
to_int(float v, unsigned e, int64_t *x)
{
	double d = (double)v * pow10_tab[e];
	if (!(d > -INT_LIMIT && d < INT_LIMIT))
		return false;
	/* Half away from zero without a branch: signs of embeddings are
	 * random, and a mispredicted branch a value cost 8% of ws-ingest. */
	int64_t r = (int64_t)(d + __builtin_copysign(0.5, d));
	if (bits_of(int_to_f32(r, e)) != bits_of(v))
		return false;
	*x = r;
	return true;
}

/* The smallest exponent at which v is a decimal integer; EXP_MAX+1: none. */
static unsigned
min_exponent(float v, unsigned hint)
{
	int64_t x;
	if (to_int(v, hint, &x)) {
		while (hint > 0 && to_int(v, hint - 1, &x))
			hint--;
		return hint;
	}
	for (unsigned e = hint + 1; e <= EXP_MAX; e++)
		if (to_int(v, e, &x))
			return e;
	return EXP_MAX + 1;
}

/*
 * The exponents that make a sample of the column's values integers
 * (EXP_MAX + 1: none does), sorted.
 */
static unsigned
sample_exponents(const float *v, size_t n, unsigned *hint, unsigned *ev)
{
	unsigned k = n < SAMPLE ? (unsigned)n : SAMPLE;
	for (unsigned i = 0; i < k; i++) {
		unsigned e = min_exponent(v[i * n / k], *hint);
		unsigned j = i;
		for (; j > 0 && ev[j - 1] > e; j--)
			ev[j] = ev[j - 1];
		ev[j] = e;
		if (e <= EXP_MAX)
			*hint = e;
	}
	return k;
}

/*
 * The column's exponent for values of `classes` exponent classes: a
 * decimal digit costs 3.3 bits, taking a higher class 2, a value left out
 * an exception (in tenths of bits).
 */
static unsigned
choose_exponent(const unsigned *ev, unsigned k, unsigned classes)
{
	/* The sample agrees (most columns): no other exponent is cheaper. */
	if (ev[0] == ev[k - 1] && ev[0] <= EXP_MAX)
		return ev[0];
	unsigned best = 0;
	uint64_t best_cost = UINT64_MAX;
	for (unsigned i = 0; i < k; i++) {
		unsigned e = ev[i];
		if (e > EXP_MAX || (i > 0 && e == ev[i - 1]))
			continue;
		uint64_t cost = 0;
		for (unsigned j = 0; j < k; j++)
			cost += ev[j] <= e		  ? 33 * e
				: ev[j] < e + classes ? 33 * ev[j] + 20
						      : 10 * EXCEPTION_COST;
		if (cost < best_cost)
			best_cost = cost, best = e;
	}
	return best;
}

static int64_t
predict(const int64_t *x, size_t i, unsigned order)
{
	if (order == 0 || i == 0)
		return 0;
	if (order == 1 || i == 1)
		return x[i - 1];
	return (int64_t)(2 * (uint64_t)x[i - 1] - (uint64_t)x[i - 2]);
}

/* Classes of exponent a value may take: e..e+classes-1. */
static unsigned
classes_of(unsigned order)
{
	return order == 0 ? 3 : 1;
}

/*
 * Fills x (the integers the decoder will see) and cls (the exponent
 * class, or EXCEPTION) for one order; returns the estimated bits.
 */
static uint64_t
plan_order(const ws_vec_enc *ve, size_t n, unsigned e, unsigned order,
	   int64_t *x, unsigned char *cls)
{
	uint64_t cost = 0;
	unsigned ncls = classes_of(order);
	for (size_t i = 0; i < n; i++) {
		int64_t pred = predict(x, i, order);
		cls[i] = ve->base_ok[i] ? 0 : EXCEPTION;
		x[i] = ve->base[i];
		for (unsigned c = 1; c < ncls && cls[i] == EXCEPTION; c++)
			if (to_int(ve->col[i], e + c, &x[i]))
				cls[i] = (unsigned char)c;
		if (cls[i] == EXCEPTION) {
			x[i] = pred;
			cost += EXCEPTION_COST;
			continue;
		}
		cost += bitlen(zz(x[i] - pred)) + (cls[i] ? 3 : 0);
	}
	return cost;
}

/* A little-endian bit stream into the raw part. */
typedef struct bitw {
	unsigned char *p;
	uint64_t acc;
	unsigned n;
} bitw;

static void
bits_put(bitw *w, uint64_t v, unsigned s)
{
	while (w->n >= 8) {
		*w->p++ = (unsigned char)w->acc;
		w->acc >>= 8;
		w->n -= 8;
	}
	if (s == 0)
		return;
	w->acc |= (v & (~0ull >> (64 - s))) << w->n;
	w->n += s;
}

static void
bits_flush(bitw *w)
{
	while (w->n > 0) {
		*w->p++ = (unsigned char)w->acc;
		w->acc >>= 8;
		w->n = w->n >= 8 ? w->n - 8 : 0;
	}
}

/* Where the next column's output goes. */
typedef struct ve_out {
	unsigned char *sym, *exc;
	bitw bw;
	size_t nexc;
} ve_out;

void
ws__vec_enc_free(ws_vec_enc *ve)
{
	free(ve->col);
	free(ve->base);
	free(ve->base_ok);
	free(ve->x);
	free(ve->best_x);
	free(ve->cls);
	free(ve->best_cls);
	free(ve->sym);
	free(ve->exc);
	free(ve->bits);
	memset(ve, 0, sizeof *ve);
}

static ws_status
reserve(ws_vec_enc *ve, size_t n, uint32_t dim, ws_error *err)
{
	size_t words = n * dim;
	if (ws__grow(&ve->col, &ve->cap_col, n, sizeof(float), err) != WS_OK ||
	    ws__grow(&ve->base, &ve->cap_base, n, sizeof(int64_t), err) !=
		    WS_OK ||
	    ws__grow(&ve->base_ok, &ve->cap_base_ok, n, 1, err) != WS_OK ||
	    ws__grow(&ve->x, &ve->cap_x, n, sizeof(int64_t), err) != WS_OK ||
	    ws__grow(&ve->best_x, &ve->cap_best_x, n, sizeof(int64_t), err) !=
		    WS_OK ||
	    ws__grow(&ve->cls, &ve->cap_cls, n, 1, err) != WS_OK ||
	    ws__grow(&ve->best_cls, &ve->cap_best_cls, n, 1, err) != WS_OK ||
	    ws__grow(&ve->sym, &ve->cap_sym,
		     WS_VARINT_MAX + dim * (2 + 2 * WS_VARINT_MAX) + words, 1,
		     err) != WS_OK ||
	    ws__grow(&ve->exc, &ve->cap_exc, 4 * words, 1, err) != WS_OK ||
	    ws__grow(&ve->bits, &ve->cap_bits, 8 * words + 8, 1, err) != WS_OK)
		return WS_ENOMEM;
	return WS_OK;
}

/* The largest zigzagged residual a planned column emits (no exceptions). */
static uint64_t
max_residual(const int64_t *x, const unsigned char *cls, size_t n,
	     unsigned order)
{
	uint64_t maxzz = 0;
	for (size_t i = order; i < n; i++)
		if (cls[i] != EXCEPTION) {
			uint64_t z = zz(x[i] - predict(x, i, order));
			maxzz = z > maxzz ? z : maxzz;
		}
	return maxzz;
}

/*
 * Writes one planned column (x its integers, cls their classes; NULL: all
 * of class 0), whose largest residual is maxzz: its header at hdr, its
 * first values and symbols at *sym, its exceptions, its low bits.
 */
static void
emit_column(ve_out *o, const float *v, size_t n, unsigned e, unsigned order,
	    const int64_t *x, const unsigned char *cls, uint64_t maxzz,
	    unsigned char *hdr)
{
	unsigned k = 255 / classes_of(order);
	unsigned s = 0;
	while ((maxzz >> s) >= k)
		s++;
	hdr[0] = (unsigned char)(e | order << 5);
	hdr[1] = (unsigned char)s;
	unsigned char *p = o->sym;
	for (size_t i = 0; i < n; i++) {
		unsigned c = cls != NULL ? cls[i] : 0;
		if (c == EXCEPTION) {
			ws__put_u32(o->exc, bits_of(v[i]));
			o->exc += 4;
			o->nexc++;
		}
		if (i < order) {
			uint64_t z = c == EXCEPTION ? 1 : zz(x[i]) << 1;
			p += ws__put_varint(p, z);
			continue;
		}
		if (c == EXCEPTION) {
			*p++ = EXCEPTION;
			continue;
		}
		uint64_t z = zz(x[i] - predict(x, i, order));
		*p++ = (unsigned char)(c * k + (z >> s));
		bits_put(&o->bw, z, s);
	}
	o->sym = p;
}

/* Consecutive values of a column that sample whether prediction pays. */
#define PREDICT_SAMPLE 16

/*
 * Whether differences look cheaper than the values themselves on the
 * first pairs of the column (its integers at the exponent of order 0):
 * values that do not follow each other (embeddings) are not planned with
 * prediction at all, which was a third of the encoder's time on them.
 */
static bool
prediction_may_pay(const ws_vec_enc *ve, size_t n)
{
	uint64_t plain = 0, diff = 0;
	size_t pairs = 0;
	for (size_t i = 1; i < n && pairs < PREDICT_SAMPLE; i++) {
		if (!ve->base_ok[i] || !ve->base_ok[i - 1])
			continue;
		plain += bitlen(zz(ve->base[i]));
		diff += bitlen(zz(ve->base[i] - ve->base[i - 1]));
		pairs++;
	}
	return pairs < PREDICT_SAMPLE / 2 || diff < plain;
}

/* ve->base and ve->base_ok: the column's integers at exponent e. */
static void
base_at(ws_vec_enc *ve, size_t n, unsigned e)
{
	for (size_t i = 0; i < n; i++)
		ve->base_ok[i] = to_int(ve->col[i], e, &ve->base[i]);
}

static bool
all_integers(const ws_vec_enc *ve, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!ve->base_ok[i])
			return false;
	return true;
}

/* Swaps the integers and classes of the order just planned into best. */
static void
keep_planned(ws_vec_enc *ve)
{
	int64_t *t = ve->best_x;
	ve->best_x = ve->x, ve->x = t;
	unsigned char *u = ve->best_cls;
	ve->best_cls = ve->cls, ve->cls = u;
	size_t cap = ve->cap_best_x;
	ve->cap_best_x = ve->cap_x, ve->cap_x = cap;
	cap = ve->cap_best_cls;
	ve->cap_best_cls = ve->cap_cls, ve->cap_cls = cap;
}

/* A column's plan: the order and exponent chosen, its integers, classes
 * (NULL: all of class 0) and largest residual. */
typedef struct column_plan {
	unsigned order, e;
	const int64_t *x;
	const unsigned char *cls;
	uint64_t maxzz;
} column_plan;

/*
 * The general plan: each order in turn with its exceptions and classes,
 * the cheapest kept. ve->base holds the integers at base_e already
 * (EXP_MAX + 1: none yet).
 */
static void
plan_column(ws_vec_enc *ve, size_t n, const unsigned *ev, unsigned k,
	    unsigned base_e, column_plan *plan)
{
	uint64_t best_cost = UINT64_MAX;
	unsigned e = 0;
	plan->order = plan->e = 0;
	for (unsigned order = 0; order <= 2 && order < n; order++) {
		if (order == 1 && !prediction_may_pay(ve, n))
			break;
		if (order < 2) /* orders 1 and 2 have the same classes */
			e = choose_exponent(ev, k, classes_of(order));
		if (e != base_e)
			base_at(ve, n, e);
		base_e = e;
		uint64_t c = plan_order(ve, n, e, order, ve->x, ve->cls);
		/* A prediction must save a bit a value: residuals of
		 * differences spread wider than their bit lengths say. */
		if (order > 0)
			c += n;
		/* Differences that did not help once will not twice. */
		if (order == 1 && c >= best_cost)
			break;
		if (c < best_cost) {
			best_cost = c, plan->order = order, plan->e = e;
			keep_planned(ve);
		}
	}
	plan->x = ve->best_x;
	plan->cls = ve->best_cls;
	plan->maxzz = max_residual(plan->x, plan->cls, n, plan->order);
}

/*
 * The plan of a column whose values are all integers at the exponent e
 * that orders 0 and 1 both choose (sensor readings, most embeddings):
 * with no exception every order's integers are ve->base, so the three
 * orders' costs (as plan_order gives them) and largest residuals come
 * from one pass, and the choice is plan_column's (may_predict: n > 1 and
 * prediction_may_pay). plan_column takes a pass per order, each calling
 * predict and to_int: on sensor data that was a fifth of ws-ingest's
 * samples.
 */
static void
plan_integers(const ws_vec_enc *ve, size_t n, unsigned e, bool may_predict,
	      column_plan *plan)
{
	const int64_t *x = ve->base;
	uint64_t cost[3] = {0, 0, 0}, maxzz[3] = {0, 0, 0};
	/* Maxima by selects: a branch per order mispredicted on noise. */
	for (size_t i = 0; i < n; i++) {
		int64_t d1 = i > 0 ? x[i] - x[i - 1] : x[i];
		int64_t d2 = i > 1 ? (int64_t)((uint64_t)d1 -
					       (uint64_t)(x[i - 1] - x[i - 2]))
				   : d1;
		uint64_t z0 = zz(x[i]), z1 = zz(d1), z2 = zz(d2);
		cost[0] += bitlen(z0);
		cost[1] += bitlen(z1);
		cost[2] += bitlen(z2);
		/* Row o - 1 and before have no residual of order o. */
		z1 = i >= 1 ? z1 : 0;
		z2 = i >= 2 ? z2 : 0;
		maxzz[0] = z0 > maxzz[0] ? z0 : maxzz[0];
		maxzz[1] = z1 > maxzz[1] ? z1 : maxzz[1];
		maxzz[2] = z2 > maxzz[2] ? z2 : maxzz[2];
	}
	unsigned order = 0;
	if (may_predict && cost[1] + n < cost[0]) {
		order = 1;
		if (n > 2 && cost[2] < cost[1])
			order = 2;
	}
	*plan = (column_plan){order, e, x, NULL, maxzz[order]};
}

/* Chooses how column j (in ve->col) is coded. */
static void
plan(ws_vec_enc *ve, size_t n, unsigned *hint, column_plan *p)
{
	unsigned ev[SAMPLE];
	unsigned k = sample_exponents(ve->col, n, hint, ev);
	unsigned e = choose_exponent(ev, k, classes_of(0));
	base_at(ve, n, e);
	if (all_integers(ve, n)) {
		bool may_predict = n > 1 && prediction_may_pay(ve, n);
		if (!may_predict || choose_exponent(ev, k, classes_of(1)) == e) {
			plan_integers(ve, n, e, may_predict, p);
			return;
		}
	}
	plan_column(ve, n, ev, k, e, p);
}

ws_status
ws__vec_encode(ws_vec_enc *ve, const float *const *rows, size_t n,
	       uint32_t dim, ws_error *err)
{
	if (reserve(ve, n, dim, err) != WS_OK)
		return WS_ENOMEM;
	unsigned char *hdr = ve->sym + WS_VARINT_MAX;
	ve_out o = {hdr + 2 * (size_t)dim, ve->exc, {ve->bits, 0, 0}, 0};
	unsigned hint = 0;
	for (uint32_t j = 0; j < dim; j++) {
		for (size_t i = 0; i < n; i++)
			ve->col[i] = rows[i][j];
		column_plan p;
		plan(ve, n, &hint, &p);
		emit_column(&o, ve->col, n, p.e, p.order, p.x, p.cls, p.maxzz,
			    hdr + 2 * (size_t)j);
	}
	bits_flush(&o.bw);
	/* The exception count goes first: move the columns up behind it. */
	ve->nexc = o.nexc;
	unsigned char head[WS_VARINT_MAX];
	size_t hl = ws__put_varint(head, ve->nexc);
	memcpy(hdr - hl, head, hl);
	ve->sym_start = (size_t)(WS_VARINT_MAX - hl);
	ve->sym_len = (size_t)(o.sym - hdr) + hl;
	ve->exc_len = (size_t)(o.exc - ve->exc);
	ve->bits_len = (size_t)(o.bw.p - ve->bits);
	return WS_OK;
}

/*
 * Decoding: one pass over the symbols finds where each column's symbols,
 * low bits and exceptions start (the exceptions and low-bit runs of a
 * symbol byte are known from the byte alone), and checks that the parts
 * are used up exactly. Each column then decodes on its own from there, and
 * stops at the last row asked for: a get of one point decodes one row
 * (after the rows its prediction needs, as integers), and the next get in
 * the same block carries on from there.
 */

/* s low bits at bit offset `bit` of the low-bit stream (s <= 56). */
static inline uint64_t
low_bits(const ws_vec_dec *d, uint64_t bit, unsigned s)
{
	size_t at = (size_t)(bit / 8), left = (size_t)(d->bits_end - d->bits) - at;
	uint64_t w = 0;
	if (left >= 8) {
		w = ws__get_u64(d->bits + at);
	} else {
		for (size_t i = 0; i < left; i++)
			w |= (uint64_t)d->bits[at + i] << (8 * i);
	}
	return s ? (w >> (bit % 8)) & (~0ull >> (64 - s)) : 0;
}

/*
 * The exceptions among n symbols. They are rare (a value that is not a
 * short decimal), so memchr, which scans a vector register at a time,
 * hops from one to the next faster than a byte loop counts them.
 */
static size_t
count_exceptions(const unsigned char *sym, size_t n)
{
	size_t count = 0;
	const unsigned char *end = sym + n, *p = sym;
	while (p < end && (p = memchr(p, EXCEPTION, (size_t)(end - p))) != NULL) {
		count++;
		p++;
	}
	return count;
}

/* One decoded integer as a value; false if it cannot be one an encoder made. */
static bool
put_value(int64_t x, unsigned e, float *out)
{
	double d = (double)x * inv10_tab[e];
	if (!(d >= -INT_LIMIT && d <= INT_LIMIT))
		return false;
	*out = (float)d;
	return true;
}

/*
 * Parses a column's header (at hdr) and counts its exceptions and low bits
 * (from *pp, advanced past the column); false where the bytes are not what
 * the encoder writes.
 */
static bool
open_column(ws_vec_dec *d, ws_vec_col *c, const unsigned char *hdr,
	    const unsigned char **pp, uint64_t *bit, size_t *exc)
{
	const unsigned char *p = *pp;
	unsigned e = hdr[0] & 31, order = hdr[0] >> 5, s = hdr[1];
	if (e > EXP_MAX || order > 2 || order >= d->n || s > 56)
		return false;
	/* Past 32 bits only in a damaged block, which open_columns refuses
	 * by its totals (each column's start is at most those). */
	*c = (ws_vec_col){.sym = (uint32_t)(p - d->sym_start),
			  .bit = (uint32_t)*bit, .exc = (uint32_t)*exc,
			  .e = (unsigned char)e, .order = (unsigned char)order,
			  .s = (unsigned char)s};
	for (unsigned i = 0; i < order; i++) {
		uint64_t z;
		if (!ws__get_varint(&p, d->sym_end, &z))
			return false;
		*exc += z & 1;
	}
	size_t count = d->n - order;
	if ((size_t)(d->sym_end - p) < count)
		return false;
	size_t nexc = count_exceptions(p, count);
	*exc += nexc;
	*bit += (uint64_t)(count - nexc) * s;
	*pp = p + count;
	return true;
}

/* (Re)starts every column at row 0. */
static bool
open_columns(ws_vec_dec *d)
{
	const unsigned char *hdr = d->sym_start;
	if ((size_t)(d->sym_end - hdr) / 2 < d->dim)
		return false;
	const unsigned char *p = hdr + 2 * (size_t)d->dim;
	uint64_t bit = 0;
	size_t exc = 0;
	for (uint32_t j = 0; j < d->dim; j++)
		if (!open_column(d, &d->cols[j], hdr + 2 * (size_t)j, &p, &bit,
				 &exc))
			return false;
	/* Every exception and every low bit used, up to the last byte. */
	size_t bits_len = (size_t)(d->bits_end - d->bits);
	if (exc != d->nexc || (bit + 7) / 8 != bits_len ||
	    (bit % 8 != 0 && low_bits(d, bit, (unsigned)(8 - bit % 8)) != 0))
		return false;
	d->sym_next = p;
	d->row = 0;
	return true;
}

ws_status
ws__vec_dec_open(ws_vec_dec *d, const unsigned char **sym,
		 const unsigned char *sym_end, const unsigned char *raw,
		 size_t raw_len, size_t n, uint32_t dim, ws_error *err)
{
	const unsigned char *p = *sym;
	uint64_t nexc;
	if (ws__grow(&d->cols, &d->cap_cols, dim, sizeof *d->cols, err) != WS_OK)
		return WS_ENOMEM;
	d->ready = false;
	if (n == 0 || !ws__get_varint(&p, sym_end, &nexc) || nexc > raw_len / 4)
		return WS_ECORRUPT;
	d->sym_start = p;
	d->sym_end = sym_end;
	d->exc = raw;
	d->nexc = (size_t)nexc;
	d->bits = raw + 4 * nexc;
	d->bits_end = raw + raw_len;
	d->n = n;
	d->dim = dim;
	if (!open_columns(d))
		return WS_ECORRUPT;
	d->ready = true;
	*sym = d->sym_next;
	return WS_OK;
}

/*
 * A column while one run of rows decodes it: the stored state
 * (ws_vec_col) widened to pointers and sizes, held in registers.
 */
typedef struct col_run {
	const unsigned char *sym;
	uint64_t bit;
	size_t exc;
	int64_t prev1, prev2;
	unsigned e, order, s;
} col_run;

static col_run
col_resume(const ws_vec_dec *d, const ws_vec_col *c)
{
	return (col_run){.sym = d->sym_start + c->sym, .bit = c->bit,
			 .exc = c->exc, .prev1 = c->prev1, .prev2 = c->prev2,
			 .e = c->e, .order = c->order, .s = c->s};
}

static void
col_keep(const ws_vec_dec *d, const col_run *r, ws_vec_col *c)
{
	c->sym = (uint32_t)(r->sym - d->sym_start);
	c->bit = (uint32_t)r->bit;
	c->exc = (uint32_t)r->exc;
	c->prev1 = r->prev1;
	c->prev2 = r->prev2;
}

/*
 * The zigzagged residual of symbol sy (no exception) of column c: its
 * high bits, less the class, then its low bits. 255 / classes symbols a
 * class: 85 without prediction (k), one class with it.
 */
static inline uint64_t
residual(const ws_vec_dec *d, col_run *c, unsigned sy, unsigned k,
	 unsigned *cls)
{
	*cls = (sy >= k) + (sy >= 2 * k);
	uint64_t z = (uint64_t)(sy - *cls * k) << c->s | low_bits(d, c->bit, c->s);
	c->bit += c->s;
	return z;
}

/*
 * The integer of the next row of column c past its first `order` rows (a
 * symbol byte and its low bits); false for an exception, whose integer is
 * the prediction. *cls is the exponent class.
 */
static inline bool
next_integer(const ws_vec_dec *d, col_run *c, int64_t *x, unsigned *cls)
{
	int64_t pred = c->order == 0   ? 0
		       : c->order == 1 ? c->prev1
				       : (int64_t)(2 * (uint64_t)c->prev1 -
						   (uint64_t)c->prev2);
	unsigned sy = *c->sym++;
	bool value = sy != EXCEPTION;
	*x = pred;
	*cls = 0;
	if (value) {
		uint64_t z = residual(d, c, sy, c->order == 0 ? 85 : 255, cls);
		*x = (int64_t)((uint64_t)pred + (uint64_t)unzz(z));
	}
	c->exc += !value;
	c->prev2 = c->prev1;
	c->prev1 = *x;
	return value;
}

/* The integer of row i < order of column c (a varint); false: exception. */
static bool
first_integer(const ws_vec_dec *d, col_run *c, size_t i, int64_t *x)
{
	uint64_t z;
	(void)ws__get_varint(&c->sym, d->sym_end, &z); /* checked at open */
	bool value = !(z & 1);
	*x = value ? unzz(z >> 1) : i == 0 ? 0 : c->prev1;
	c->exc += !value;
	c->prev2 = c->prev1;
	c->prev1 = *x;
	return value;
}

/* Exception i (counted from 0) of the block into out: its raw f32 bits. */
static inline bool
put_exception(const ws_vec_dec *d, size_t i, float *out)
{
	uint32_t b = ws__get_u32(d->exc + 4 * i);
	memcpy(out, &b, sizeof b);
	return true;
}

/* Row i's value of column c into out; false if no encoder made it. */
static bool
put_row(const ws_vec_dec *d, const col_run *c, bool value, int64_t x,
	unsigned cls, float *out)
{
	return value ? put_value(x, c->e + cls, out)
		     : put_exception(d, c->exc - 1, out);
}

/*
 * The next row's value of column c without prediction into out: what
 * next_integer and put_row do, less the prediction and the integers kept
 * for the rows after, which a column without prediction never reads.
 */
static inline bool
put_unpredicted(const ws_vec_dec *d, col_run *c, float *out)
{
	unsigned sy = *c->sym++, cls;
	if (sy == EXCEPTION)
		return put_exception(d, c->exc++, out);
	int64_t x = unzz(residual(d, c, sy, 85, &cls));
	return put_value(x, c->e + cls, out);
}

/*
 * Carries column j from row d->row on to row hi, writing the values of
 * rows [lo, hi) into vec (row i at (i - lo) * dim + j).
 */
static bool
decode_column(const ws_vec_dec *d, ws_vec_col *col, uint32_t j, size_t lo,
	      size_t hi, float *vec)
{
	col_run here = col_resume(d, col), *c = &here;
	size_t i = d->row;
	int64_t x;
	unsigned cls;
	if (c->order == 0 && i < lo) {
		/* Without prediction a row stands alone: pass over them. */
		size_t nexc = count_exceptions(c->sym, lo - i);
		c->sym += lo - i;
		c->exc += nexc;
		c->bit += (uint64_t)(lo - i - nexc) * c->s;
		i = lo;
	}
	for (; i < c->order && i < hi; i++) {
		bool value = first_integer(d, c, i, &x);
		if (i >= lo &&
		    !put_row(d, c, value, x, 0, &vec[(i - lo) * d->dim + j]))
			return false;
	}
	for (; i < lo; i++) /* rows a prediction needs, as integers only */
		(void)next_integer(d, c, &x, &cls);
	float *out = i < hi ? vec + (i - lo) * d->dim + j : NULL;
	/* Two loops, not a test in one: gcc keeps the test in the loop. */
	if (c->order == 0) { /* most of an embedding's columns */
		for (; i < hi; i++, out += d->dim)
			if (!put_unpredicted(d, c, out))
				return false;
	} else {
		for (; i < hi; i++, out += d->dim) {
			bool value = next_integer(d, c, &x, &cls);
			if (!put_row(d, c, value, x, cls, out))
				return false;
		}
	}
	col_keep(d, &here, col);
	return true;
}

bool
ws__vec_dec_rows(ws_vec_dec *d, size_t lo, size_t hi, float *vec)
{
	if (!d->ready || lo > hi || hi > d->n)
		return false;
	/* Backwards: start over (a reader that goes back is rare). */
	if (lo < d->row && !open_columns(d))
		return false;
	for (uint32_t j = 0; j < d->dim; j++)
		if (!decode_column(d, &d->cols[j], j, lo, hi, vec))
			return false;
	d->row = hi;
	return true;
}

void
ws__vec_dec_free(ws_vec_dec *d)
{
	free(d->cols);
	memset(d, 0, sizeof *d);
}
