/*
 * point.c - the point model: key order, encoded metadata, and the batch
 * that collects points between commits.
 */
#include "codec/codec.h"

#include <stdlib.h>
#include <string.h>

int
ws__key_cmp(uint64_t e1, uint32_t s1, int64_t t1, uint64_t e2, uint32_t s2,
	    int64_t t2)
{
	if (e1 != e2)
		return e1 < e2 ? -1 : 1;
	if (s1 != s2)
		return s1 < s2 ? -1 : 1;
	if (t1 != t2)
		return t1 < t2 ? -1 : 1;
	return 0;
}

bool
ws_meta_next(const unsigned char *meta, size_t meta_len, size_t *pos,
	     ws_meta_pair *pair)
{
	/* A point without metadata has meta NULL: NULL + 0 is undefined. */
	if (meta_len == 0)
		return false;
	const unsigned char *end = meta + meta_len;
	const unsigned char *p = meta + *pos;
	uint64_t klen, vlen;
	if (*pos == 0) {
		uint64_t count;
		if (!ws__get_varint(&p, end, &count))
			return false;
	}
	if (p >= end || !ws__get_varint(&p, end, &klen) ||
	    klen > (uint64_t)(end - p))
		return false;
	pair->key = (const char *)p;
	pair->key_len = (size_t)klen;
	p += klen;
	if (!ws__get_varint(&p, end, &vlen) || vlen > (uint64_t)(end - p))
		return false;
	pair->value = (const char *)p;
	pair->value_len = (size_t)vlen;
	p += vlen;
	*pos = (size_t)(p - meta);
	return true;
}

void
ws__batch_init(ws_batch *b)
{
	memset(b, 0, sizeof *b);
}

void
ws__batch_reset(ws_batch *b)
{
	b->n = 0;
	b->nvec = 0;
	b->nmeta = 0;
}

void
ws__batch_free(ws_batch *b)
{
	free(b->e);
	free(b->vec);
	free(b->meta);
	ws__batch_init(b);
}

ws_status
ws__batch_add(ws_batch *b, const ws_point *pt, uint64_t line, ws_error *err)
{
	if (ws__grow(&b->e, &b->cap, b->n + 1, sizeof *b->e, err) != WS_OK ||
	    ws__grow(&b->vec, &b->capvec, b->nvec + pt->dim, sizeof *b->vec,
		     err) != WS_OK ||
	    ws__grow(&b->meta, &b->capmeta,
		     b->nmeta + WS_VARINT_MAX + pt->meta_len, 1, err) != WS_OK)
		return WS_ENOMEM;
	ws_batch_entry *e = &b->e[b->n++];
	e->entity = pt->entity_id;
	e->space = pt->space_id;
	e->ts = pt->timestamp;
	e->line = line;
	e->dim = pt->dim;
	e->vec_off = b->nvec;
	memcpy(b->vec + b->nvec, pt->vector, pt->dim * sizeof(float));
	b->nvec += pt->dim;
	e->meta_off = WS_NO_META;
	if (pt->meta_len > 0) {
		e->meta_off = b->nmeta;
		b->nmeta += ws__put_varint(b->meta + b->nmeta, pt->meta_len);
		memcpy(b->meta + b->nmeta, pt->meta, pt->meta_len);
		b->nmeta += pt->meta_len;
	}
	return WS_OK;
}

ws_status
ws__batch_append(ws_batch *b, const ws_batch *src, ws_error *err)
{
	if (src->n == 0)
		return WS_OK;
	if (ws__grow(&b->e, &b->cap, b->n + src->n, sizeof *b->e, err) !=
		    WS_OK ||
	    ws__grow(&b->vec, &b->capvec, b->nvec + src->nvec, sizeof *b->vec,
		     err) != WS_OK ||
	    ws__grow(&b->meta, &b->capmeta, b->nmeta + src->nmeta, 1, err) !=
		    WS_OK)
		return WS_ENOMEM;
	ws_batch_entry *e = b->e + b->n;
	memcpy(e, src->e, src->n * sizeof *e);
	for (size_t i = 0; i < src->n; i++) {
		e[i].vec_off += b->nvec;
		if (e[i].meta_off != WS_NO_META)
			e[i].meta_off += b->nmeta;
	}
	memcpy(b->vec + b->nvec, src->vec, src->nvec * sizeof *b->vec);
	if (src->nmeta > 0)
		memcpy(b->meta + b->nmeta, src->meta, src->nmeta);
	b->n += src->n;
	b->nvec += src->nvec;
	b->nmeta += src->nmeta;
	return WS_OK;
}

const unsigned char *
ws__batch_meta(const ws_batch *b, const ws_batch_entry *e, size_t *len)
{
	*len = 0;
	if (e->meta_off == WS_NO_META)
		return NULL;
	/* The prefix was written by ws__batch_add: it always decodes. */
	const unsigned char *p = b->meta + e->meta_off;
	uint64_t n = 0;
	ws__get_varint(&p, b->meta + b->nmeta, &n);
	*len = (size_t)n;
	return p;
}

void
ws__batch_point(const ws_batch *b, size_t i, ws_point *pt)
{
	const ws_batch_entry *e = &b->e[i];
	pt->entity_id = e->entity;
	pt->space_id = e->space;
	pt->timestamp = e->ts;
	pt->dim = e->dim;
	pt->vector = b->vec + e->vec_off;
	pt->meta = ws__batch_meta(b, e, &pt->meta_len);
}

size_t
ws__batch_bytes(const ws_batch *b)
{
	return b->n * sizeof *b->e + b->nvec * sizeof *b->vec + b->nmeta;
}

/* Key order, and the later line last among equal keys. */
static inline bool
entry_before(const ws_batch_entry *a, const ws_batch_entry *b)
{
	if (a->entity != b->entity)
		return a->entity < b->entity;
	if (a->space != b->space)
		return a->space < b->space;
	if (a->ts != b->ts)
		return a->ts < b->ts;
	return a->line < b->line;
}

static int
entry_cmp(const void *pa, const void *pb)
{
	const ws_batch_entry *a = pa, *b = pb;
	return entry_before(a, b) ? -1 : entry_before(b, a);
}

/* The end of the ascending run of e[ix[...]] that starts at i. */
static size_t
run_end(const ws_batch_entry *e, const uint32_t *ix, size_t i, size_t n)
{
	while (++i < n && !entry_before(&e[ix[i]], &e[ix[i - 1]]))
		;
	return i;
}

/* Merges the ascending runs [lo, mid) and [mid, hi) of src into dst. */
static void
merge_runs(const ws_batch_entry *e, const uint32_t *src, uint32_t *dst,
	   size_t lo, size_t mid, size_t hi)
{
	size_t i = lo, j = mid, k = lo;
	while (i < mid && j < hi)
		dst[k++] = entry_before(&e[src[j]], &e[src[i]]) ? src[j++]
								 : src[i++];
	while (i < mid)
		dst[k++] = src[i++];
	while (j < hi)
		dst[k++] = src[j++];
}

/*
 * A natural merge sort of the entry numbers ix[0, n) by their entries,
 * tmp[0, n) its scratch: merging neighbouring ascending runs ends after
 * log2(runs) passes, and none when ix is in order already.
 */
static void
merge_sort_numbers(const ws_batch_entry *e, uint32_t *ix, uint32_t *tmp,
		   size_t n)
{
	if (run_end(e, ix, 0, n) >= n)
		return;
	uint32_t *src = ix, *dst = tmp;
	for (;;) {
		size_t lo = 0, runs = 0;
		while (lo < n) {
			size_t mid = run_end(e, src, lo, n);
			size_t hi = mid < n ? run_end(e, src, mid, n) : n;
			merge_runs(e, src, dst, lo, mid, hi);
			lo = hi;
			runs++;
		}
		uint32_t *t = src;
		src = dst;
		dst = t;
		if (runs == 1)
			break;
	}
	if (src != ix)
		memcpy(ix, src, n * sizeof *ix);
}

/*
 * The series of a batch, numbered in the order they first appear: an open
 * addressing table of (entity, space), and each series' key by number.
 */
typedef struct series_slot {
	uint64_t entity;
	uint32_t space;
	uint32_t id; /* its number + 1; 0: a free slot */
} series_slot;

typedef struct series_table {
	series_slot *slot;
	size_t mask;	   /* slots - 1, a power of two less one */
	series_slot *keys; /* keys[k] is series k (id k + 1) */
	size_t n, limit;   /* series numbered; at most limit */
} series_table;

static size_t
series_hash(uint64_t entity, uint32_t space)
{
	uint64_t h = (entity ^ (uint64_t)space << 47) *
		     UINT64_C(0x9E3779B97F4A7C15);
	return (size_t)(h ^ h >> 29);
}

static void
table_put(series_slot *slot, size_t mask, const series_slot *s)
{
	size_t i = series_hash(s->entity, s->space) & mask;
	while (slot[i].id != 0)
		i = (i + 1) & mask;
	slot[i] = *s;
}

/* Twice the slots, the series in them again; false: no memory. */
static bool
table_grow(series_table *t)
{
	size_t mask = 2 * t->mask + 1;
	series_slot *slot = calloc(mask + 1, sizeof *slot);
	if (slot == NULL)
		return false;
	for (size_t k = 0; k < t->n; k++)
		table_put(slot, mask, &t->keys[k]);
	free(t->slot);
	t->slot = slot;
	t->mask = mask;
	return true;
}

/* The number of e's series, numbering it when new; UINT32_MAX when the
 * batch has more than limit series or memory ran out. */
static uint32_t
series_number(series_table *t, const ws_batch_entry *e)
{
	size_t i = series_hash(e->entity, e->space) & t->mask;
	for (; t->slot[i].id != 0; i = (i + 1) & t->mask)
		if (t->slot[i].entity == e->entity &&
		    t->slot[i].space == e->space)
			return t->slot[i].id - 1;
	if (t->n == t->limit)
		return UINT32_MAX;
	series_slot s = {e->entity, e->space, (uint32_t)t->n + 1};
	t->keys[t->n++] = s;
	/* At most half the slots in use keeps the probes short. */
	if (2 * t->n > t->mask + 1)
		return table_grow(t) ? s.id - 1 : UINT32_MAX;
	t->slot[i] = s;
	return s.id - 1;
}

static int
by_series_key(const void *pa, const void *pb)
{
	const series_slot *a = pa, *b = pb;
	return ws__key_cmp(a->entity, a->space, 0, b->entity, b->space, 0);
}

/*
 * ix: the entry numbers by series in key order, each series' entries in
 * input order (a counting sort by sid, each entry's series number).
 * false when memory ran out.
 */
static bool
place_by_series(size_t n, series_table *t, const uint32_t *sid,
		uint32_t *ix)
{
	uint32_t *at = calloc(t->n, sizeof *at);
	if (at == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		at[sid[i]]++;
	qsort(t->keys, t->n, sizeof *t->keys, by_series_key);
	uint32_t pos = 0;
	for (size_t k = 0; k < t->n; k++) {
		uint32_t id = t->keys[k].id - 1, count = at[id];
		at[id] = pos;
		pos += count;
	}
	for (size_t i = 0; i < n; i++)
		ix[at[sid[i]]++] = (uint32_t)i;
	free(at);
	return true;
}

/*
 * Entry numbers in key order for a batch of few series, each many times
 * (a live feed's batch: 10,000 series of ~50 points): three passes and a
 * table of the series, where merging an interleaved feed's runs (one a
 * tick) reads scattered entries in log2(ticks) passes. false when the
 * batch has too many series for that to pay (more than one in 16 entries)
 * or memory ran out: then the caller merges.
 */
static bool
group_by_series(const ws_batch_entry *e, size_t n, uint32_t *ix,
		uint32_t *sid)
{
	series_table t = {.mask = 15, .limit = n / 16 + 1};
	/* Room for the limit at half load, up to 1024 slots to start with:
	 * the sorts of one series' merged points are small and many. */
	while (t.mask < 1023 && t.mask + 1 < 2 * t.limit)
		t.mask = 2 * t.mask + 1;
	t.slot = calloc(t.mask + 1, sizeof *t.slot);
	t.keys = malloc(t.limit * sizeof *t.keys);
	bool ok = t.slot != NULL && t.keys != NULL;
	for (size_t i = 0; ok && i < n; i++)
		ok = (sid[i] = series_number(&t, &e[i])) != UINT32_MAX;
	ok = ok && place_by_series(n, &t, sid, ix);
	free(t.slot);
	free(t.keys);
	return ok;
}

/* Moves the entries of the cycle from k into place, marking them done. */
static void
move_cycle(ws_batch_entry *e, uint32_t *ix, size_t k)
{
	ws_batch_entry first = e[k];
	size_t j = k;
	while (ix[j] != k) {
		size_t from = ix[j];
		e[j] = e[from];
		ix[j] = (uint32_t)j;
		j = from;
	}
	e[j] = first;
	ix[j] = (uint32_t)j;
}

/* Moves e into the order ix gives (e'[k] = e[ix[k]]), following cycles;
 * ix is spent. */
static void
apply_order(ws_batch_entry *e, uint32_t *ix, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (ix[k] != k)
			move_cycle(e, ix, k);
}

/*
 * The moves of a large batch's order on two threads: each entry move is
 * a cache miss, and one thread took them all while the other waited (a
 * tenth of sensor ingest). The cycles of the permutation are disjoint,
 * so the first thread takes whole cycles (their positions marked in ix
 * first, by MARK) up to half of the moves, and the first part of the
 * cycle that crosses the half; the second thread takes the rest of that
 * cycle and the unmarked cycles. Where the cut cycle's parts meet, each
 * reads an entry the other overwrites: both are copied before the start.
 */
#define PARALLEL_ORDER_MIN 65536u
#define MARK 0x80000000u

struct order_share {
	ws_batch_entry *e;
	uint32_t *ix;
	size_t n;
	const uint32_t *leaders; /* first: its whole cycles */
	size_t nleaders;
	uint32_t cut_first;      /* the cut cycle's first position */
	uint32_t cut_middle;     /* the second part's first position */
	size_t cut_moves;        /* positions of the first part */
	ws_batch_entry at_first, at_middle; /* copies made before the start */
	bool second;
};

/*
 * Moves along a marked cycle from position j (ix left as it is) until
 * the next source is stop or steps moves are made; the last position
 * reached gets last.
 */
static void
move_along(ws_batch_entry *e, const uint32_t *ix, uint32_t j, uint32_t stop,
	   size_t steps, ws_batch_entry last)
{
	uint32_t from;
	for (; steps > 0 && (from = ix[j] & ~MARK) != stop; steps--) {
		e[j] = e[from];
		j = from;
	}
	e[j] = last;
}

static void *
move_share(void *arg)
{
	struct order_share *o = arg;
	ws_batch_entry *e = o->e;
	uint32_t *ix = o->ix;
	if (!o->second) {
		for (size_t i = 0; i < o->nleaders; i++) {
			uint32_t k = o->leaders[i];
			move_along(e, ix, k, k, SIZE_MAX, e[k]);
		}
		if (o->cut_moves > 0)
			move_along(e, ix, o->cut_first, MARK, o->cut_moves - 1,
				   o->at_middle);
		return NULL;
	}
	if (o->cut_moves > 0)
		move_along(e, ix, o->cut_middle, o->cut_first, SIZE_MAX,
			   o->at_first);
	for (size_t k = 0; k < o->n; k++)
		if (!(ix[k] & MARK) && ix[k] != k)
			move_cycle(e, ix, k);
	return NULL;
}

/* Marks the cycle from k; returns its length. */
static size_t
mark_cycle(uint32_t *ix, uint32_t k)
{
	size_t len = 0;
	uint32_t j = k;
	do {
		uint32_t next = ix[j];
		ix[j] = next | MARK;
		j = next;
		len++;
	} while (j != k);
	return len;
}

/*
 * apply_order on two threads; leaders is room for n numbers. False when
 * nothing moves.
 */
static bool
apply_order_pair(ws_batch_entry *e, uint32_t *ix, size_t n, uint32_t *leaders)
{
	struct order_share one = {.e = e, .ix = ix, .n = n, .leaders = leaders};
	size_t moves = 0, half = n / 2, k = 0;
	for (; k < n && moves < half; k++) {
		if (ix[k] == k || (ix[k] & MARK))
			continue;
		size_t len = mark_cycle(ix, (uint32_t)k);
		if (moves + len <= half) {
			leaders[one.nleaders++] = (uint32_t)k;
			moves += len;
			continue;
		}
		one.cut_first = (uint32_t)k;
		one.cut_moves = half - moves;
		uint32_t j = (uint32_t)k;
		for (size_t t = 0; t < one.cut_moves; t++)
			j = ix[j] & ~MARK;
		one.cut_middle = j;
		moves = half;
		break;
	}
	if (one.nleaders == 0 && one.cut_moves == 0)
		return false; /* nothing moves */
	if (one.cut_moves > 0) {
		one.at_first = e[one.cut_first];
		one.at_middle = e[one.cut_middle];
	}
	struct order_share two = one;
	two.second = true;
	ws__run_pair(move_share, &one, &two);
	return true;
}

/* apply_order, on two threads for a large batch. */
static void
apply_order_large(ws_batch_entry *e, uint32_t *ix, size_t n, uint32_t *scratch)
{
	if (n < PARALLEL_ORDER_MIN || n >= MARK ||
	    !apply_order_pair(e, ix, n, scratch))
		apply_order(e, ix, n);
}

/* Sorts e[0, n) by merging its entry numbers, then moves each entry once. */
static void
sort_moving_once(ws_batch_entry *e, uint32_t *ix, uint32_t *scratch,
		 size_t n)
{
	for (size_t i = 0; i < n; i++)
		ix[i] = (uint32_t)i;
	merge_sort_numbers(e, ix, scratch, n);
	apply_order(e, ix, n);
}

/*
 * Puts each series of entries grouped by series in time order. A series
 * lies together by then, so checking its order reads memory in turn:
 * checked through the entry numbers first, every entry was a cache miss
 * (as many as moving them).
 */
static void
sort_each_series(ws_batch_entry *e, size_t n, uint32_t *ix,
		 uint32_t *scratch)
{
	size_t begin = 0;
	while (begin < n) {
		size_t end = begin + 1;
		bool ordered = true;
		for (; end < n && e[end].entity == e[begin].entity &&
		       e[end].space == e[begin].space;
		     end++)
			ordered = ordered && !entry_before(&e[end], &e[end - 1]);
		if (!ordered)
			sort_moving_once(e + begin, ix, scratch, end - begin);
		begin = end;
	}
}

/*
 * Entries are grouped by series and moved once, then each series is put
 * in time order (a batch of many series is sorted by merging instead):
 * qsort of the entries themselves moved each 48-byte entry log2(n) times
 * through a memcpy and a comparator call. The scratch is 8 bytes an
 * entry. false when it could not be allocated or n does not fit.
 */
static bool
sort_entries(ws_batch_entry *e, size_t n)
{
	if (n > UINT32_MAX)
		return false;
	uint32_t *ix = malloc(2 * n * sizeof *ix);
	if (ix == NULL)
		return false;
	uint32_t *scratch = ix + n;
	if (group_by_series(e, n, ix, scratch)) {
		apply_order_large(e, ix, n, scratch);
		sort_each_series(e, n, ix, scratch);
	} else {
		sort_moving_once(e, ix, scratch, n);
	}
	free(ix);
	return true;
}

/* Sorts e[0, n), merging where the entries cannot be grouped. */
static void
sort_all(ws_batch_entry *e, size_t n)
{
	if (!sort_entries(e, n))
		ws__sort(e, n, sizeof *e, entry_cmp);
}

/* Equal keys sit together, latest line last: keeps the last of each run. */
static void
keep_latest(ws_batch *b)
{
	size_t out = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (i + 1 < b->n &&
		    ws__key_cmp(b->e[i].entity, b->e[i].space, b->e[i].ts,
				b->e[i + 1].entity, b->e[i + 1].space,
				b->e[i + 1].ts) == 0)
			continue;
		b->e[out++] = b->e[i];
	}
	b->n = out;
}

void
ws__batch_sort_dedup(ws_batch *b)
{
	if (b->n == 0)
		return;
	sort_all(b->e, b->n);
	keep_latest(b);
}

void
ws__batch_sort_dedup_tail(ws_batch *b, size_t sorted)
{
	size_t m = b->n - sorted;
	ws_batch_entry *tail = m > 0 && sorted > 0 ? malloc(m * sizeof *tail)
						   : NULL;
	if (tail == NULL) {
		if (m > 0)
			ws__batch_sort_dedup(b);
		return;
	}
	sort_all(b->e + sorted, m);
	memcpy(tail, b->e + sorted, m * sizeof *tail);
	/* From the back: no entry of the sorted part is overwritten before
	 * it moves. At equal entries the tail's goes last, as a stable sort
	 * of the whole would put it. */
	size_t i = sorted, j = m, k = b->n;
	while (j > 0) {
		if (i > 0 && entry_before(&tail[j - 1], &b->e[i - 1]))
			b->e[--k] = b->e[--i];
		else
			b->e[--k] = tail[--j];
	}
	free(tail);
	keep_latest(b);
}
