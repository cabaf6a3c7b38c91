/*
 * test_agg.c - the bucket arithmetic of downsampling: floor division at
 * negative times, the i64 edges, and the aggregate functions' names.
 */
#include "tap.h"
#include "warmstore.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>

/* A slow, obviously right floor(t / every) by wide arithmetic. */
static int64_t
floor_ref(int64_t t, int64_t every)
{
	__int128 q = (__int128)t / every;
	if ((__int128)q * every > t)
		q--;
	return (int64_t)q;
}

static void
test_index_small(void)
{
	TAP_CHECK(ws_bucket_index(0, 10) == 0, "0 is in bucket 0");
	TAP_CHECK(ws_bucket_index(9, 10) == 0, "9 is in bucket 0");
	TAP_CHECK(ws_bucket_index(10, 10) == 1, "10 starts bucket 1");
	TAP_CHECK(ws_bucket_index(-1, 10) == -1, "-1 is in bucket -1");
	TAP_CHECK(ws_bucket_index(-10, 10) == -1, "-10 starts bucket -1");
	TAP_CHECK(ws_bucket_index(-11, 10) == -2, "-11 is in bucket -2");
	TAP_CHECK(ws_bucket_index(-5, 1) == -5, "every 1: the time itself");
	TAP_CHECK(ws_bucket_start(-2, 10) == -20, "bucket -2 starts at -20");
}

static void
test_index_edges(void)
{
	const int64_t lo = INT64_MIN, hi = INT64_MAX;
	TAP_CHECK(ws_bucket_index(lo, 1) == lo, "min, every 1");
	TAP_CHECK(ws_bucket_start(lo, 1) == lo, "min, every 1: start");
	TAP_CHECK(ws_bucket_index(hi, 1) == hi, "max, every 1");
	TAP_CHECK(ws_bucket_index(lo, hi) == -2, "min, every max");
	TAP_CHECK(ws_bucket_start(-2, hi) == lo,
		  "that bucket would start at -2*max: clamped to min");
	TAP_CHECK(ws_bucket_index(lo + 1, hi) == -1, "min+1 = -max: bucket -1");
	TAP_CHECK(ws_bucket_start(-1, hi) == lo + 1, "bucket -1 starts at -max");
	TAP_CHECK(ws_bucket_index(hi, hi) == 1 && ws_bucket_start(1, hi) == hi,
		  "max, every max: bucket 1 at max");
	/* 2^63 is a multiple of 2^k: no clamp for power-of-two widths */
	TAP_CHECK(ws_bucket_start(ws_bucket_index(lo, 1024), 1024) == lo,
		  "min, every 1024: exact");
	TAP_CHECK(ws_bucket_start(ws_bucket_index(lo, 7), 7) == lo,
		  "min, every 7: clamped");
	TAP_CHECK(ws_bucket_index(lo, 7) == floor_ref(lo, 7), "min, every 7: index");
	/* the clamped bucket is the only one: the next one starts after min */
	TAP_CHECK(ws_bucket_start(ws_bucket_index(lo, 7) + 1, 7) > lo,
		  "the bucket after the clamped one is not clamped");
}

static void
test_index_random(void)
{
	srand(12);
	int bad = 0;
	for (int i = 0; i < 100000; i++) {
		int64_t t = (int64_t)(((uint64_t)rand() << 42) ^
				      ((uint64_t)rand() << 21) ^ (uint64_t)rand());
		int64_t every = 1 + (int64_t)((uint64_t)rand() %
					      (i % 2 ? 1000u : 86400000000u));
		int64_t q = ws_bucket_index(t, every);
		__int128 start = (__int128)floor_ref(t, every) * every;
		int64_t want = start < INT64_MIN ? INT64_MIN : (int64_t)start;
		if (q != floor_ref(t, every) || ws_bucket_start(q, every) != want ||
		    ws_bucket_start(q, every) > t)
			bad++;
	}
	TAP_CHECK(bad == 0, "100000 random times and widths agree with "
			    "128-bit floor division (%d differ)", bad);
}

static void
test_func_names(void)
{
	static const char *names[] = {"mean", "min",  "max",  "first",
				      "last", "sum",  "count"};
	static const ws_agg_func funcs[] = {WS_AGG_MEAN, WS_AGG_MIN,
					    WS_AGG_MAX,  WS_AGG_FIRST,
					    WS_AGG_LAST, WS_AGG_SUM,
					    WS_AGG_COUNT};
	for (size_t i = 0; i < 7; i++) {
		ws_agg_func f;
		TAP_CHECK(ws_agg_func_parse(names[i], &f) && f == funcs[i],
			  "--agg %s", names[i]);
	}
	ws_agg_func f;
	TAP_CHECK(!ws_agg_func_parse("Mean", &f), "names are lower case");
	TAP_CHECK(!ws_agg_func_parse("", &f), "an empty name is refused");
	TAP_CHECK(!ws_agg_func_parse("median", &f), "median is not offered");
}

int
main(void)
{
	test_index_small();
	test_index_edges();
	test_index_random();
	test_func_names();
	return tap_done();
}
