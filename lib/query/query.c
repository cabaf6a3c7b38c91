/*
 * query.c - range and whole-store cursors.
 *
 * A series cursor merges the blocks of one (entity, space) whose zones
 * overlap the query. Blocks are opened lazily, in the order their time
 * ranges start, into a heap keyed by (time, newest seq first): the first
 * point popped for a timestamp is its latest write and later ones with
 * the same timestamp are skipped. Memory holds only the blocks whose time
 * ranges overlap at the cursor, never the whole range.
 *
 * The scan cursor walks the index segments in key order, series by
 * series, and runs a series cursor on each.
 */
#include "query/query.h"

#include <stdlib.h>
#include <string.h>

/* One opened block and the part of it inside [from, to]. */
typedef struct source {
	ws_zone z;
	ws_block blk;
	size_t lo, hi; /* points [lo, hi) are in range */
	size_t pos;    /* next point: counts up, or down when reversed */
} source;

struct ws_cursor {
	ws_store *st;
	ws_range_opts o;
	int dir; /* +1 oldest first, -1 newest first */
	ws_zone *zones; /* of the current series, in opening order */
	size_t nzones, next_zone;
	source **heap;
	size_t nheap;
	source **spare; /* closed sources kept for their buffers */
	size_t nspare;
	size_t nsources, cap_sources; /* sources allocated; array capacity */
	source *pending; /* produced the last point; advanced on next call */
	bool have_last;
	int64_t last_ts;
	/* scan mode */
	bool scan;
	uint64_t *segpos; /* next record per segment (reverse: one past) */
};

static int64_t
current_ts(const source *s)
{
	return s->blk.ts[s->pos];
}

/* Whether a comes out of the heap before b. */
static bool
before(const ws_cursor *c, const source *a, const source *b)
{
	int64_t ta = current_ts(a), tb = current_ts(b);
	if (ta != tb)
		return c->dir > 0 ? ta < tb : ta > tb;
	return a->z.seq > b->z.seq;
}

static void
heap_push(ws_cursor *c, source *s)
{
	size_t i = c->nheap++;
	c->heap[i] = s;
	while (i > 0 && before(c, c->heap[i], c->heap[(i - 1) / 2])) {
		source *t = c->heap[i];
		c->heap[i] = c->heap[(i - 1) / 2];
		c->heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static source *
heap_pop(ws_cursor *c)
{
	source *top = c->heap[0];
	c->heap[0] = c->heap[--c->nheap];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < c->nheap && before(c, c->heap[l], c->heap[m]))
			m = l;
		if (r < c->nheap && before(c, c->heap[r], c->heap[m]))
			m = r;
		if (m == i)
			break;
		source *t = c->heap[i];
		c->heap[i] = c->heap[m];
		c->heap[m] = t;
		i = m;
	}
	return top;
}

static void
release(ws_cursor *c, source *s)
{
	c->spare[c->nspare++] = s;
}

/* Moves s to its next point; false when it has none left. */
static bool
advance(ws_cursor *c, source *s)
{
	if (c->dir > 0)
		return ++s->pos < s->hi;
	if (s->pos == s->lo)
		return false;
	s->pos--;
	return true;
}

static ws_status
open_zone(ws_cursor *c, const ws_zone *z, ws_error *err)
{
	source *s;
	if (c->nspare > 0) {
		s = c->spare[--c->nspare];
	} else {
		/* Every source sits in the heap, the spares or pending. */
		size_t cap = c->cap_sources;
		if (ws__grow(&c->heap, &cap, c->nsources + 1, sizeof *c->heap,
			     err) != WS_OK ||
		    ws__grow(&c->spare, &c->cap_sources, c->nsources + 1,
			     sizeof *c->spare, err) != WS_OK)
			return WS_ENOMEM;
		if (cap < c->cap_sources)
			c->cap_sources = cap;
		s = calloc(1, sizeof *s);
		if (s == NULL)
			return ws__err(err, WS_ENOMEM, "out of memory");
		c->nsources++;
	}
	s->z = *z;
	ws_status rc = ws__store_read_block(c->st, z, &s->blk, err);
	if (rc != WS_OK) {
		release(c, s);
		return rc;
	}
	s->lo = ws__block_lower_bound(&s->blk, c->o.from);
	s->hi = c->o.to == INT64_MAX ? s->blk.h.count
				     : ws__block_lower_bound(&s->blk, c->o.to + 1);
	if (s->lo >= s->hi) {
		release(c, s);
		return WS_OK;
	}
	s->pos = c->dir > 0 ? s->lo : s->hi - 1;
	heap_push(c, s);
	return WS_OK;
}

/* Whether the next zone may hold a point due before the heap's top. */
static bool
zone_due(const ws_cursor *c)
{
	if (c->next_zone >= c->nzones)
		return false;
	if (c->nheap == 0)
		return true;
	const ws_zone *z = &c->zones[c->next_zone];
	int64_t top = current_ts(c->heap[0]);
	return c->dir > 0 ? z->min_ts <= top : z->max_ts >= top;
}

static int
zone_by_start(const void *pa, const void *pb)
{
	const ws_zone *a = pa, *b = pb;
	return a->min_ts < b->min_ts ? -1 : a->min_ts > b->min_ts;
}

static int
zone_by_end_desc(const void *pa, const void *pb)
{
	const ws_zone *a = pa, *b = pb;
	return a->max_ts < b->max_ts ? 1 : a->max_ts > b->max_ts ? -1 : 0;
}

/* Gives the cursor a new series to merge; takes ownership of zones. */
static void
start_series(ws_cursor *c, ws_zone *zones, size_t n)
{
	free(c->zones);
	c->zones = zones;
	c->nzones = n;
	c->next_zone = 0;
	c->have_last = false;
	ws__sort(zones, n, sizeof *zones,
		 c->dir > 0 ? zone_by_start : zone_by_end_desc);
}

/* Next point of the current series; WS_NOTFOUND when it is exhausted. */
static ws_status
series_next(ws_cursor *c, ws_point *pt, ws_error *err)
{
	if (c->pending != NULL) {
		source *s = c->pending;
		c->pending = NULL;
		if (advance(c, s))
			heap_push(c, s);
		else
			release(c, s);
	}
	for (;;) {
		while (zone_due(c)) {
			ws_status rc = open_zone(c, &c->zones[c->next_zone++], err);
			if (rc != WS_OK)
				return rc;
		}
		if (c->nheap == 0)
			return WS_NOTFOUND;
		source *s = heap_pop(c);
		int64_t ts = current_ts(s);
		if (c->have_last && ts == c->last_ts) {
			/* An older write of a key already returned. */
			if (advance(c, s))
				heap_push(c, s);
			else
				release(c, s);
			continue;
		}
		c->have_last = true;
		c->last_ts = ts;
		ws__block_point(&s->blk, s->pos, pt);
		c->pending = s;
		return WS_OK;
	}
}

static ws_cursor *
cursor_new(ws_store *st, const ws_range_opts *opts, ws_error *err)
{
	ws_cursor *c = calloc(1, sizeof *c);
	if (c == NULL) {
		ws__err(err, WS_ENOMEM, "out of memory");
		return NULL;
	}
	c->st = st;
	c->o = *opts;
	c->dir = opts->reverse ? -1 : 1;
	return c;
}

ws_status
ws_store_range(ws_store *st, uint64_t entity, uint32_t space,
	       const ws_range_opts *opts, ws_cursor **out, ws_error *err)
{
	*out = NULL;
	ws_cursor *c = cursor_new(st, opts, err);
	if (c == NULL)
		return WS_ENOMEM;
	ws_zone *zones = NULL;
	size_t n = 0;
	ws_status rc = WS_OK;
	if (opts->from <= opts->to)
		rc = ws__store_series_zones(st, entity, space, opts->from,
					    opts->to, &zones, &n, err);
	if (rc == WS_OK)
		start_series(c, zones, n);
	if (rc != WS_OK) {
		ws_cursor_free(c);
		return rc;
	}
	*out = c;
	return WS_OK;
}

/* --- whole-store scan ------------------------------------------------ */

ws_status
ws_store_scan(ws_store *st, const ws_range_opts *opts, ws_cursor **out,
	      ws_error *err)
{
	*out = NULL;
	ws_cursor *c = cursor_new(st, opts, err);
	if (c == NULL)
		return WS_ENOMEM;
	c->scan = true;
	c->segpos = calloc(st->nsegs ? st->nsegs : 1, sizeof *c->segpos);
	if (c->segpos == NULL) {
		ws_cursor_free(c);
		return ws__err(err, WS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < st->nsegs; i++)
		c->segpos[i] = c->dir > 0 ? 0 : st->segs[i].records;
	*out = c;
	return WS_OK;
}

/* The record a segment's scan position looks at, if any. */
static ws_status
peek(ws_cursor *c, size_t s, bool *has, ws_zone *z, ws_error *err)
{
	const ws_segment *seg = &c->st->segs[s];
	uint64_t p = c->segpos[s];
	*has = c->dir > 0 ? p < seg->records : p > 0;
	if (!*has)
		return WS_OK;
	return ws__segment_record(seg, c->dir > 0 ? p : p - 1, z, c->st->path,
				  err);
}

static bool
series_first(const ws_cursor *c, const ws_zone *a, const ws_zone *b)
{
	int k = ws__key_cmp(a->entity, a->space, 0, b->entity, b->space, 0);
	return c->dir > 0 ? k < 0 : k > 0;
}

/* Finds the next series in scan order and gathers its zones. */
static ws_status
next_series(ws_cursor *c, ws_error *err)
{
	ws_zone best = {0}, z;
	bool found = false, has;
	ws_status rc;
	for (size_t s = 0; s < c->st->nsegs; s++) {
		if ((rc = peek(c, s, &has, &z, err)) != WS_OK)
			return rc;
		if (has && (!found || series_first(c, &z, &best))) {
			best = z;
			found = true;
		}
	}
	if (!found)
		return WS_NOTFOUND;
	ws_zone *zones = NULL;
	size_t n = 0, cap = 0;
	for (size_t s = 0; s < c->st->nsegs; s++) {
		for (;;) {
			if ((rc = peek(c, s, &has, &z, err)) != WS_OK)
				goto fail;
			if (!has || z.entity != best.entity || z.space != best.space)
				break;
			c->segpos[s] += c->dir > 0 ? 1 : (uint64_t)-1;
			if (z.min_ts > c->o.to || z.max_ts < c->o.from)
				continue;
			if ((rc = ws__grow(&zones, &cap, n + 1, sizeof *zones,
					   err)) != WS_OK)
				goto fail;
			zones[n++] = z;
		}
	}
	start_series(c, zones, n);
	return WS_OK;
fail:
	free(zones);
	return rc;
}

ws_status
ws_cursor_next(ws_cursor *c, ws_point *pt, ws_error *err)
{
	for (;;) {
		ws_status rc = series_next(c, pt, err);
		if (rc != WS_NOTFOUND || !c->scan || c->o.from > c->o.to)
			return rc;
		if ((rc = next_series(c, err)) != WS_OK)
			return rc;
	}
}

void
ws_cursor_free(ws_cursor *c)
{
	if (c == NULL)
		return;
	if (c->pending != NULL)
		release(c, c->pending);
	for (size_t i = 0; i < c->nheap; i++)
		release(c, c->heap[i]);
	for (size_t i = 0; i < c->nspare; i++) {
		ws__block_free(&c->spare[i]->blk);
		free(c->spare[i]);
	}
	free(c->spare);
	free(c->heap);
	free(c->zones);
	free(c->segpos);
	free(c);
}
