/*
 * cursor.c - the series cursor: the one place where the points of a
 * store's blocks become the points a reader sees.
 *
 * A series cursor merges the blocks of one (entity, space) whose zones
 * overlap [from, to]. Blocks are opened lazily, in the order in which
 * their first point inside the range comes, into a heap keyed by (time,
 * newest write first): the first point popped for a timestamp is its
 * latest write and later ones with the same timestamp are skipped. This
 * is the rule of warmstore(5) that the newest write of a key wins, and
 * the only code that applies it to stored blocks (within one batch,
 * ws__batch_sort_dedup keeps the latest input line before any block is
 * written). Deletes are applied here too, in series_next: a point is
 * hidden when a tombstone or retention record of a later commit covers
 * its time (see "hiding" below).
 *
 * Memory holds only the blocks whose ranges overlap at the cursor. An
 * exact lookup is a range of one timestamp: every zone that can hold it
 * starts there, so the zones are opened newest first and the first one
 * that holds the key ends the search after one block.
 *
 * Closed sources keep their decoded block: opening the same block again
 * (the next key of a lookup, usually) reuses it instead of inflating it
 * again, as long as the store's snapshot has not changed.
 *
 * The scan mode walks the merged index segments series by series and
 * runs the series cursor on each.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

/* One opened block and the part of it inside [from, to]. */
typedef struct source {
	ws_zone z;
	ws_block blk;
	uint64_t snapshot; /* st->snapshot when blk was decoded; 0: none */
	size_t lo, hi;     /* points [lo, hi) are in range */
	size_t pos;        /* next point: counts up, or down when reversed */
} source;

/*
 * Part of the time line of a series hidden from writes of seq below seq:
 * the tombstones (and retention records) of the series flattened into
 * sorted, disjoint pieces, each with the highest seq covering it.
 */
typedef struct hidden {
	int64_t from, to;
	uint64_t seq;
} hidden;

struct ws_cursor {
	ws_store *st;
	int64_t from, to; /* inclusive */
	int dir;          /* +1 oldest first, -1 newest first */
	ws_zone *zones;   /* of the current series, in opening order */
	size_t nzones, next_zone, cap_zones;
	source **heap;
	size_t nheap;
	source **spare; /* closed sources kept for their blocks */
	size_t nspare;
	size_t nsources, cap_sources; /* sources allocated; array capacity */
	source *pending; /* produced the last point; advanced on next call */
	bool have_last;
	int64_t last_ts;
	ws_zone *tombs; /* tombstone zones of the series that overlap */
	size_t ntombs, cap_tombs;
	ws_block tblk;  /* a tombstone block as decoded ... */
	ws_zone tblk_zone;     /* ... of this zone ... */
	uint64_t tblk_snapshot; /* ... in this snapshot (0: none) */
	hidden *raw;    /* every range of them, before flattening */
	size_t nraw, cap_raw;
	size_t *rheap;  /* flattening: ranges covering the sweep, by seq */
	size_t cap_rheap;
	hidden *hide;   /* the flattened pieces */
	size_t nhide, cap_hide;
	bool scan;           /* series after series, the whole store */
	bool merge_open;     /* scan: merge below is set up */
	ws__zone_merge merge; /* scan: the index in key order */
};

static int64_t
current_ts(const source *s)
{
	return s->blk.ts[s->pos];
}

/*
 * The latest-write-wins rule, for two writes of the same timestamp: the
 * block of the later commit (higher seq) is the newer write.
 */
static bool
newer_write(const ws_zone *a, const ws_zone *b)
{
	return a->seq > b->seq;
}

/* Whether a comes out of the heap before b. */
static bool
before(const ws_cursor *c, const source *a, const source *b)
{
	int64_t ta = current_ts(a), tb = current_ts(b);
	if (ta != tb)
		return c->dir > 0 ? ta < tb : ta > tb;
	return newer_write(&a->z, &b->z);
}

static void
heap_swap(ws_cursor *c, size_t i, size_t j)
{
	source *t = c->heap[i];
	c->heap[i] = c->heap[j];
	c->heap[j] = t;
}

static void
heap_push(ws_cursor *c, source *s)
{
	size_t i = c->nheap++;
	c->heap[i] = s;
	while (i > 0 && before(c, c->heap[i], c->heap[(i - 1) / 2])) {
		heap_swap(c, i, (i - 1) / 2);
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
		heap_swap(c, i, m);
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

static bool
same_block(const ws_zone *a, const ws_zone *b)
{
	return a->file == b->file && a->offset == b->offset &&
	       a->seq == b->seq && a->count == b->count;
}

/*
 * A source for z: a spare that already holds z's block decoded in this
 * snapshot if there is one, else any spare, else a new one.
 */
static source *
take_source(ws_cursor *c, const ws_zone *z, ws_error *err)
{
	for (size_t i = c->nspare; i-- > 0;) {
		source *s = c->spare[i];
		if (s->snapshot == c->st->snapshot && same_block(&s->z, z)) {
			c->spare[i] = c->spare[--c->nspare];
			return s;
		}
	}
	if (c->nspare > 0)
		return c->spare[--c->nspare];
	/* Every source sits in the heap, the spares or pending. */
	size_t cap = c->cap_sources;
	if (ws__grow(&c->heap, &cap, c->nsources + 1, sizeof *c->heap, err) !=
		    WS_OK ||
	    ws__grow(&c->spare, &c->cap_sources, c->nsources + 1,
		     sizeof *c->spare, err) != WS_OK)
		return NULL;
	if (cap < c->cap_sources)
		c->cap_sources = cap;
	source *s = calloc(1, sizeof *s);
	if (s == NULL) {
		ws__err(err, WS_ENOMEM, "out of memory");
		return NULL;
	}
	c->nsources++;
	return s;
}

static ws_status
open_zone(ws_cursor *c, const ws_zone *z, ws_error *err)
{
	source *s = take_source(c, z, err);
	if (s == NULL)
		return WS_ENOMEM;
	if (s->snapshot != c->st->snapshot || !same_block(&s->z, z)) {
		s->snapshot = 0;
		ws_status rc = ws__store_read_block(c->st, z, &s->blk, err);
		if (rc != WS_OK) {
			release(c, s);
			return rc;
		}
		s->z = *z;
		s->snapshot = c->st->snapshot;
	}
	s->lo = ws__block_lower_bound(&s->blk, c->from);
	s->hi = c->to == INT64_MAX ? s->blk.h.count
				   : ws__block_lower_bound(&s->blk, c->to + 1);
	if (s->lo >= s->hi) {
		release(c, s);
		return WS_OK;
	}
	/* Only the vectors of the rows in range are decoded. */
	ws_status rc = ws__store_block_rows(c->st, z, &s->blk, s->lo, s->hi, err);
	if (rc != WS_OK) {
		release(c, s);
		return rc;
	}
	s->pos = c->dir > 0 ? s->lo : s->hi - 1;
	heap_push(c, s);
	return WS_OK;
}

/* Where a zone's first point inside the range can come, in cursor order. */
static int64_t
zone_edge(const ws_cursor *c, const ws_zone *z)
{
	if (c->dir > 0)
		return z->min_ts > c->from ? z->min_ts : c->from;
	return z->max_ts < c->to ? z->max_ts : c->to;
}

/*
 * Whether the next zone may hold a point due before the heap's top: one
 * that comes earlier, or one at the same time that would win it.
 */
static bool
zone_due(const ws_cursor *c)
{
	if (c->next_zone >= c->nzones)
		return false;
	if (c->nheap == 0)
		return true;
	const ws_zone *z = &c->zones[c->next_zone];
	const source *top = c->heap[0];
	int64_t edge = zone_edge(c, z), t = current_ts(top);
	if (edge == t)
		return newer_write(z, &top->z);
	return c->dir > 0 ? edge < t : edge > t;
}

/* Opening order: by edge, newest write first among equal edges. */
static _Thread_local const ws_cursor *sort_cursor; /* being sorted for */

static int
zone_open_order(const void *pa, const void *pb)
{
	const ws_zone *a = pa, *b = pb;
	int64_t ea = zone_edge(sort_cursor, a), eb = zone_edge(sort_cursor, b);
	if (ea != eb)
		return (sort_cursor->dir > 0 ? ea < eb : ea > eb) ? -1 : 1;
	return newer_write(a, b) ? -1 : newer_write(b, a) ? 1 : 0;
}

/* Starts the merge of the zones gathered in c->zones[0..nzones). */
static void
start_series(ws_cursor *c)
{
	if (c->pending != NULL)
		release(c, c->pending);
	c->pending = NULL;
	while (c->nheap > 0)
		release(c, c->heap[--c->nheap]);
	c->next_zone = 0;
	c->have_last = false;
	/* qsort has no context argument: the cursor goes in a thread-local. */
	sort_cursor = c;
	ws__sort(c->zones, c->nzones, sizeof *c->zones, zone_open_order);
	sort_cursor = NULL;
}

static bool
overlaps(const ws_cursor *c, const ws_zone *z)
{
	return z->min_ts <= c->to && z->max_ts >= c->from;
}

static ws_status
add_zone(ws_cursor *c, const ws_zone *z, ws_error *err)
{
	/* A block that retention hides entirely need not be read. */
	if (!overlaps(c, z) || ws__retention_covers(&c->st->man, z))
		return WS_OK;
	if (z->tombstone) {
		if (ws__grow(&c->tombs, &c->cap_tombs, c->ntombs + 1,
			     sizeof *c->tombs, err) != WS_OK)
			return WS_ENOMEM;
		c->tombs[c->ntombs++] = *z;
		return WS_OK;
	}
	if (ws__grow(&c->zones, &c->cap_zones, c->nzones + 1, sizeof *c->zones,
		     err) != WS_OK)
		return WS_ENOMEM;
	c->zones[c->nzones++] = *z;
	return WS_OK;
}

/* --- hiding: tombstones and retention records ------------------------ */

static ws_status
add_raw(ws_cursor *c, int64_t from, int64_t to, uint64_t seq, ws_error *err)
{
	if (from > c->to || to < c->from)
		return WS_OK;
	if (ws__grow(&c->raw, &c->cap_raw, c->nraw + 1, sizeof *c->raw, err) !=
	    WS_OK)
		return WS_ENOMEM;
	c->raw[c->nraw++] = (hidden){from, to, seq};
	return WS_OK;
}

/*
 * Decodes a tombstone into c->tblk, unless it holds it already: a run of
 * lookups in one series reads its tombstone once.
 */
static ws_status
read_tombstone(ws_cursor *c, const ws_zone *z, ws_error *err)
{
	if (c->tblk_snapshot == c->st->snapshot && same_block(&c->tblk_zone, z))
		return WS_OK;
	c->tblk_snapshot = 0;
	ws_status rc = ws__store_read_block(c->st, z, &c->tblk, err);
	if (rc == WS_OK) {
		c->tblk_zone = *z;
		c->tblk_snapshot = c->st->snapshot;
	}
	return rc;
}

/* The first of a tombstone's sorted ranges that ends at or after ts. */
static uint32_t
first_range_from(const ws_block *t, int64_t ts)
{
	uint32_t lo = 0, hi = t->h.count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t->ranges[2 * mid + 1] < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The ranges of the series' tombstones and of the retention records. */
static ws_status
gather_hidden(ws_cursor *c, uint32_t space, ws_error *err)
{
	c->nraw = 0;
	for (size_t i = 0; i < c->ntombs; i++) {
		const ws_zone *z = &c->tombs[i];
		ws_status rc = read_tombstone(c, z, err);
		const int64_t *r = c->tblk.ranges;
		for (uint32_t k = rc == WS_OK ? first_range_from(&c->tblk, c->from)
					      : z->count;
		     rc == WS_OK && k < z->count && r[2 * k] <= c->to; k++)
			rc = add_raw(c, r[2 * k], r[2 * k + 1], z->seq, err);
		if (rc != WS_OK)
			return rc;
	}
	const ws_manifest *m = &c->st->man;
	for (size_t i = 0; i < m->nret; i++) {
		const ws__retention *r = &m->ret[i];
		ws_status rc = WS_OK;
		if ((!r->has_space || r->space == space) && r->before > INT64_MIN)
			rc = add_raw(c, INT64_MIN, r->before - 1, r->seq, err);
		if (rc != WS_OK)
			return rc;
	}
	return WS_OK;
}

static int
raw_from_order(const void *pa, const void *pb)
{
	const hidden *a = pa, *b = pb;
	return (a->from > b->from) - (a->from < b->from);
}

static int
i64_order(const void *pa, const void *pb)
{
	const int64_t *a = pa, *b = pb;
	return (*a > *b) - (*a < *b);
}

/* The flattening's heap of ranges: the highest seq on top. */
static bool
rheap_above(const ws_cursor *c, size_t i, size_t j)
{
	return c->raw[c->rheap[i]].seq > c->raw[c->rheap[j]].seq;
}

static void
rheap_swap(ws_cursor *c, size_t i, size_t j)
{
	size_t t = c->rheap[i];
	c->rheap[i] = c->rheap[j];
	c->rheap[j] = t;
}

static void
rheap_push(ws_cursor *c, size_t *n, size_t v)
{
	size_t i = (*n)++;
	c->rheap[i] = v;
	while (i > 0 && rheap_above(c, i, (i - 1) / 2)) {
		rheap_swap(c, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
rheap_pop(ws_cursor *c, size_t *n)
{
	c->rheap[0] = c->rheap[--*n];
	for (size_t i = 0;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < *n && rheap_above(c, l, m))
			m = l;
		if (r < *n && rheap_above(c, r, m))
			m = r;
		if (m == i)
			break;
		rheap_swap(c, i, m);
		i = m;
	}
}

static ws_status
emit_hidden(ws_cursor *c, int64_t from, int64_t to, uint64_t seq,
	    ws_error *err)
{
	hidden *last = c->nhide ? &c->hide[c->nhide - 1] : NULL;
	if (last != NULL && last->seq == seq && last->to + 1 == from) {
		last->to = to;
		return WS_OK;
	}
	if (ws__grow(&c->hide, &c->cap_hide, c->nhide + 1, sizeof *c->hide,
		     err) != WS_OK)
		return WS_ENOMEM;
	c->hide[c->nhide++] = (hidden){from, to, seq};
	return WS_OK;
}

/*
 * Flattens the raw ranges: a sweep over every place where a range starts
 * or ends, holding the ranges that cover it in a heap by seq, gives
 * each piece between two such places the highest seq covering it.
 * O(n log n) in the number of ranges.
 */
static ws_status
flatten_hidden(ws_cursor *c, ws_error *err)
{
	c->nhide = 0;
	size_t n = c->nraw, nb = 0;
	int64_t *bounds = ws__malloc(2 * n * sizeof *bounds + 1, err);
	if (bounds == NULL ||
	    ws__grow(&c->rheap, &c->cap_rheap, n, sizeof *c->rheap, err) !=
		    WS_OK) {
		free(bounds);
		return WS_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		bounds[nb++] = c->raw[i].from;
		if (c->raw[i].to < INT64_MAX)
			bounds[nb++] = c->raw[i].to + 1;
	}
	ws__sort(bounds, nb, sizeof *bounds, i64_order);
	ws__sort(c->raw, n, sizeof *c->raw, raw_from_order);
	size_t next = 0, nheap = 0;
	ws_status rc = WS_OK;
	for (size_t k = 0; k < nb && rc == WS_OK; k++) {
		int64_t at = bounds[k];
		if (k > 0 && bounds[k - 1] == at)
			continue;
		while (next < n && c->raw[next].from <= at)
			rheap_push(c, &nheap, next++);
		while (nheap > 0 && c->raw[c->rheap[0]].to < at)
			rheap_pop(c, &nheap);
		if (nheap == 0)
			continue;
		size_t up = k + 1;
		while (up < nb && bounds[up] == at)
			up++;
		int64_t to = up < nb ? bounds[up] - 1 : INT64_MAX;
		rc = emit_hidden(c, at, to, c->raw[c->rheap[0]].seq, err);
	}
	free(bounds);
	return rc;
}

/* Prepares the hiding of the series' points (space: of the series). */
static ws_status
load_hidden(ws_cursor *c, uint32_t space, ws_error *err)
{
	c->nhide = 0;
	/* Without points to hide, the tombstones need not be read. */
	if (c->nzones == 0)
		return WS_OK;
	ws_status rc = gather_hidden(c, space, err);
	return rc == WS_OK && c->nraw > 0 ? flatten_hidden(c, err) : rc;
}

/* Whether a write of seq at ts is hidden by a later delete. */
static bool
is_hidden(const ws_cursor *c, int64_t ts, uint64_t seq)
{
	size_t lo = 0, hi = c->nhide;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->hide[mid].to < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nhide && c->hide[lo].from <= ts && c->hide[lo].seq > seq;
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
		/* The newest write is hidden: so are the older ones. */
		if (c->nhide > 0 && is_hidden(c, ts, s->z.seq)) {
			if (advance(c, s))
				heap_push(c, s);
			else
				release(c, s);
			continue;
		}
		ws__block_point(&s->blk, s->pos, pt);
		c->pending = s;
		return WS_OK;
	}
}

ws_status
ws__cursor_new(ws_store *st, int dir, ws_cursor **out, ws_error *err)
{
	*out = calloc(1, sizeof **out);
	if (*out == NULL)
		return ws__err(err, WS_ENOMEM, "out of memory");
	(*out)->st = st;
	(*out)->dir = dir;
	return WS_OK;
}

ws_status
ws__cursor_series(ws_cursor *c, uint64_t entity, uint32_t space,
		  int64_t from, int64_t to, ws_error *err)
{
	c->scan = false;
	c->from = from;
	c->to = to;
	c->nzones = 0;
	c->ntombs = 0;
	c->nhide = 0;
	ws__zone_merge m;
	ws_status rc = WS_OK;
	if (from <= to)
		rc = ws__zone_merge_open(&m, c->st->segs, c->st->nsegs, 1,
					 c->st->path, err);
	if (from > to || rc != WS_OK) {
		start_series(c);
		return rc;
	}
	ws_zone z;
	rc = ws__zone_merge_seek(&m, entity, space, err);
	while (rc == WS_OK &&
	       (rc = ws__zone_merge_next(&m, &z, err)) == WS_OK &&
	       z.entity == entity && z.space == space)
		rc = add_zone(c, &z, err);
	ws__zone_merge_free(&m);
	start_series(c);
	if (rc == WS_NOTFOUND || rc == WS_OK)
		rc = load_hidden(c, space, err);
	if (rc != WS_OK)
		c->nzones = 0;
	return rc;
}

ws_status
ws__cursor_scan(ws_cursor *c, int64_t from, int64_t to, ws_error *err)
{
	c->scan = true;
	c->from = from;
	c->to = to;
	c->nzones = 0;
	c->ntombs = 0;
	c->nhide = 0;
	start_series(c);
	if (c->merge_open)
		ws__zone_merge_free(&c->merge);
	ws_status rc = ws__zone_merge_open(&c->merge, c->st->segs, c->st->nsegs,
					   c->dir, c->st->path, err);
	c->merge_open = rc == WS_OK;
	return rc;
}

/* Gathers the zones of the next series in scan order; WS_NOTFOUND: none. */
static ws_status
next_series(ws_cursor *c, ws_error *err)
{
	ws_zone first, z;
	ws_status rc = ws__zone_merge_next(&c->merge, &first, err);
	if (rc != WS_OK)
		return rc;
	c->nzones = 0;
	c->ntombs = 0;
	rc = add_zone(c, &first, err);
	while (rc == WS_OK &&
	       (rc = ws__zone_merge_peek(&c->merge, &z, err)) == WS_OK &&
	       z.entity == first.entity && z.space == first.space &&
	       (rc = ws__zone_merge_next(&c->merge, &z, err)) == WS_OK)
		rc = add_zone(c, &z, err);
	if (rc != WS_OK && rc != WS_NOTFOUND)
		return rc;
	start_series(c);
	return load_hidden(c, first.space, err);
}

ws_status
ws__cursor_next(ws_cursor *c, ws_point *pt, ws_error *err)
{
	for (;;) {
		ws_status rc = series_next(c, pt, err);
		if (rc != WS_NOTFOUND || !c->scan || c->from > c->to)
			return rc;
		if ((rc = next_series(c, err)) != WS_OK)
			return rc;
	}
}

void
ws__cursor_free(ws_cursor *c)
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
	if (c->merge_open)
		ws__zone_merge_free(&c->merge);
	free(c->spare);
	free(c->heap);
	free(c->zones);
	free(c->tombs);
	ws__block_free(&c->tblk);
	free(c->raw);
	free(c->rheap);
	free(c->hide);
	free(c);
}
