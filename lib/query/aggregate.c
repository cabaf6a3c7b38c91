/*
 * aggregate.c - downsampling: the points of a cursor folded into one point
 * per time bucket per series, buckets aligned to the Unix epoch.
 *
 * The cursor yields each series' points in time order (or reversed), so
 * the points of one bucket come together: one accumulator suffices, and
 * memory does not grow with the range. Means and sums accumulate in
 * double, so that many small f32 values do not lose their low bits.
 */
#include "query/query.h"

#include <float.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const func_names[] = {
	[WS_AGG_MEAN] = "mean", [WS_AGG_MIN] = "min",     [WS_AGG_MAX] = "max",
	[WS_AGG_FIRST] = "first", [WS_AGG_LAST] = "last", [WS_AGG_SUM] = "sum",
	[WS_AGG_COUNT] = "count",
};

bool
ws_agg_func_parse(const char *name, ws_agg_func *out)
{
	for (size_t i = 0; i < sizeof func_names / sizeof *func_names; i++)
		if (strcmp(name, func_names[i]) == 0) {
			*out = (ws_agg_func)i;
			return true;
		}
	return false;
}

int64_t
ws_bucket_index(int64_t t, int64_t every)
{
	/* C division truncates toward zero: step down for negative t. */
	int64_t q = t / every;
	return t % every != 0 && t < 0 ? q - 1 : q;
}

int64_t
ws_bucket_start(int64_t index, int64_t every)
{
	/* INT64_MIN / every truncates toward zero: the least index whose
	 * start is representable. Only the first bucket can start earlier. */
	if (index < INT64_MIN / every)
		return INT64_MIN;
	return index * every;
}

struct ws_agg {
	ws_cursor *src;
	int64_t every;
	ws_agg_func func;
	bool open, done; /* a bucket is being filled; the source is spent */
	uint64_t entity;
	uint32_t space;
	int64_t index;             /* of the bucket being filled */
	int64_t first_ts, last_ts; /* earliest and latest point in it */
	uint64_t count;
	uint32_t dim;
	double *acc;   /* per dimension */
	float *result; /* the vector handed out */
	size_t acc_cap, result_cap;
};

ws_status
ws_agg_open(ws_cursor *src, int64_t every, ws_agg_func func, ws_agg **out,
	    ws_error *err)
{
	*out = NULL;
	if (every <= 0)
		return ws__err(err, WS_EUSAGE, "the bucket width must be positive");
	ws_agg *a = calloc(1, sizeof *a);
	if (a == NULL)
		return ws__err(err, WS_ENOMEM, "out of memory");
	a->src = src;
	a->every = every;
	a->func = func;
	*out = a;
	return WS_OK;
}

void
ws_agg_free(ws_agg *a)
{
	if (a == NULL)
		return;
	free(a->acc);
	free(a->result);
	free(a);
}

/*
 * Room for a bucket of dim values, made before the previous bucket is
 * finished into result, so that the vector handed out never moves.
 */
static ws_status
reserve(ws_agg *a, uint32_t dim, ws_error *err)
{
	if (ws__grow(&a->acc, &a->acc_cap, dim, sizeof *a->acc, err) != WS_OK ||
	    ws__grow(&a->result, &a->result_cap, dim, sizeof *a->result, err) !=
		    WS_OK)
		return WS_ENOMEM;
	return WS_OK;
}

/* Starts a new bucket with its first point; room is reserved. */
static void
start_bucket(ws_agg *a, const ws_point *pt, int64_t index)
{
	a->open = true;
	a->entity = pt->entity_id;
	a->space = pt->space_id;
	a->index = index;
	a->first_ts = a->last_ts = pt->timestamp;
	a->count = 1;
	a->dim = pt->dim;
	for (uint32_t i = 0; i < pt->dim; i++)
		a->acc[i] = pt->vector[i];
}

static bool
same_bucket(const ws_agg *a, const ws_point *pt, int64_t index)
{
	return a->open && pt->entity_id == a->entity &&
	       pt->space_id == a->space && index == a->index;
}

static void
copy_vector(double *acc, const ws_point *pt)
{
	for (uint32_t i = 0; i < pt->dim; i++)
		acc[i] = pt->vector[i];
}

/* Folds one more point of the bucket into the accumulator. */
static ws_status
fold(ws_agg *a, const ws_point *pt, ws_error *err)
{
	if (pt->dim != a->dim)
		return ws__err(err, WS_ECORRUPT,
			       "entity %" PRIu64 ", space %" PRIu32
			       ": points of %" PRIu32 " and %" PRIu32 " values",
			       a->entity, a->space, a->dim, pt->dim);
	a->count++;
	for (uint32_t i = 0; i < pt->dim; i++) {
		double v = pt->vector[i];
		switch (a->func) {
		case WS_AGG_MEAN:
		case WS_AGG_SUM: a->acc[i] += v; break;
		case WS_AGG_MIN: a->acc[i] = v < a->acc[i] ? v : a->acc[i]; break;
		case WS_AGG_MAX: a->acc[i] = v > a->acc[i] ? v : a->acc[i]; break;
		default: break;
		}
	}
	/* Reversed cursors meet the latest point first: compare times. */
	if (a->func == WS_AGG_FIRST && pt->timestamp < a->first_ts)
		copy_vector(a->acc, pt);
	if (a->func == WS_AGG_LAST && pt->timestamp > a->last_ts)
		copy_vector(a->acc, pt);
	if (pt->timestamp < a->first_ts)
		a->first_ts = pt->timestamp;
	if (pt->timestamp > a->last_ts)
		a->last_ts = pt->timestamp;
	return WS_OK;
}

/* The aggregate of the open bucket as a point (no metadata). */
static ws_status
finish_bucket(ws_agg *a, ws_point *pt, ws_error *err)
{
	*pt = (ws_point){.entity_id = a->entity, .space_id = a->space,
			 .timestamp = ws_bucket_start(a->index, a->every),
			 .vector = a->result};
	if (a->func == WS_AGG_COUNT) {
		a->result[0] = (float)a->count;
		pt->dim = 1;
		return WS_OK;
	}
	pt->dim = a->dim;
	for (uint32_t i = 0; i < a->dim; i++) {
		double v = a->func == WS_AGG_MEAN ? a->acc[i] / (double)a->count
						  : a->acc[i];
		/* Only a sum leaves the f32 range; printing inf is no option. */
		if (v > FLT_MAX || v < -FLT_MAX)
			return ws__err(err, WS_EBADINPUT,
				       "entity %" PRIu64 ", space %" PRIu32
				       ", bucket %" PRId64 ": the sum of v%" PRIu32
				       " is beyond the float range",
				       a->entity, a->space, pt->timestamp, i);
		a->result[i] = (float)v;
	}
	return WS_OK;
}

ws_status
ws_agg_next(ws_agg *a, ws_point *out, ws_error *err)
{
	ws_point pt;
	while (!a->done) {
		ws_status rc = ws_cursor_next(a->src, &pt, err);
		if (rc == WS_NOTFOUND) {
			a->done = true;
			break;
		}
		if (rc != WS_OK)
			return rc;
		int64_t index = ws_bucket_index(pt.timestamp, a->every);
		if (same_bucket(a, &pt, index)) {
			if ((rc = fold(a, &pt, err)) != WS_OK)
				return rc;
			continue;
		}
		bool had = a->open;
		if ((rc = reserve(a, pt.dim, err)) != WS_OK ||
		    (had && (rc = finish_bucket(a, out, err)) != WS_OK))
			return rc;
		/* The finished vector is in result; acc starts afresh. */
		start_bucket(a, &pt, index);
		if (had)
			return WS_OK;
	}
	if (!a->open)
		return WS_NOTFOUND;
	a->open = false;
	return finish_bucket(a, out, err);
}
