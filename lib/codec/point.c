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

/* Moves e into the order ix gives (e'[k] = e[ix[k]]), following cycles;
 * ix is spent. */
static void
apply_order(ws_batch_entry *e, uint32_t *ix, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (ix[k] == k)
			continue;
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
}

/*
 * A natural merge sort of entry numbers, then one pass that moves the
 * entries: a live feed's batch is a few long ascending runs (one per tick
 * of an interleaved feed), so merging neighbouring runs ends after
 * log2(runs) passes, where qsort takes log2(n) of them through a
 * comparator call and a memcpy of 48 bytes per move. Numbers, not
 * entries, are merged: the scratch is 8 bytes an entry, not 48.
 * false when the scratch could not be allocated or n does not fit.
 */
static bool
sort_entries(ws_batch_entry *e, size_t n)
{
	if (n > UINT32_MAX)
		return false;
	uint32_t *ix = malloc(2 * n * sizeof *ix);
	if (ix == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		ix[i] = (uint32_t)i;
	uint32_t *src = ix, *dst = ix + n;
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
	apply_order(e, src, n);
	free(ix);
	return true;
}

void
ws__batch_sort_dedup(ws_batch *b)
{
	if (b->n == 0)
		return;
	if (!sort_entries(b->e, b->n))
		ws__sort(b->e, b->n, sizeof *b->e, entry_cmp);
	/* Equal keys sit together, latest line last: keep the last of each run. */
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
