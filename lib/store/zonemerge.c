/*
 * zonemerge.c - the one k-way merge of index segments.
 *
 * Each segment is sorted by ws__zone_cmp (entity, space, seq, min_ts,
 * then file and offset), so merging their heads gives one total order
 * that does not depend on how the records are spread over segments: a
 * store and its rebuilt index list the same blocks in the same order.
 * The merge reads each record once, checking its CRC, and keeps one head
 * per segment; a store holds O(log n) segments (see writer.c), so picking
 * the least head by a linear pass is cheaper than a heap.
 *
 * Users: the segment writer (fresh zones merged with old segments), the
 * zone map (ws_zones_next), the scan cursor (series by series) and the
 * lookup of one series' zones (a seek, then the records of that series).
 *
 * A drop record sorts right after the record of the block it drops (it
 * is newer: an older segment never holds it), so the merge sees the two
 * side by side and hides both (warmstore(5), Drop records).
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

int
ws__zone_cmp(const ws_zone *a, const ws_zone *b)
{
	if (a->entity != b->entity)
		return a->entity < b->entity ? -1 : 1;
	if (a->space != b->space)
		return a->space < b->space ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	if (a->min_ts != b->min_ts)
		return a->min_ts < b->min_ts ? -1 : 1;
	/* Only damage makes two records name the same block: still total. */
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	if (a->dropped != b->dropped)
		return a->dropped ? 1 : -1;
	return 0;
}

ws_status
ws__zone_merge_open(ws__zone_merge *m, const ws_segment *segs, size_t nsegs,
		    int dir, const char *store, ws_error *err)
{
	memset(m, 0, sizeof *m);
	m->segs = segs;
	m->nsegs = nsegs;
	m->dir = dir;
	m->store = store;
	m->pos = calloc(nsegs ? nsegs : 1, sizeof *m->pos);
	m->head = calloc(nsegs ? nsegs : 1, sizeof *m->head);
	if (m->pos == NULL || m->head == NULL) {
		ws__zone_merge_free(m);
		return ws__err(err, WS_ENOMEM, "out of memory");
	}
	for (size_t s = 0; s < nsegs; s++) {
		m->pos[s].next = dir > 0 ? 0 : segs[s].records;
		m->pos[s].loaded = false;
	}
	return WS_OK;
}

void
ws__zone_merge_fresh(ws__zone_merge *m, const ws_zone *fresh, size_t n)
{
	m->fresh = fresh;
	m->nfresh = n;
	m->next_fresh = 0;
}

ws_status
ws__zone_merge_seek(ws__zone_merge *m, uint64_t entity, uint32_t space,
		    ws_error *err)
{
	for (size_t s = 0; s < m->nsegs; s++) {
		ws_status rc = ws__segment_lower_bound(&m->segs[s], entity, space,
						       &m->pos[s].next, m->store,
						       err);
		if (rc != WS_OK)
			return rc;
		m->pos[s].loaded = false;
	}
	m->has_ahead = false;
	return WS_OK;
}

ws_status
ws__zone_merge_seek_end(ws__zone_merge *m, uint64_t entity, uint32_t space,
			ws_error *err)
{
	/* The end of a series is the start of the next possible one. */
	bool last = space == UINT32_MAX && entity == UINT64_MAX;
	if (space == UINT32_MAX) {
		entity++;
		space = 0;
	} else {
		space++;
	}
	for (size_t s = 0; s < m->nsegs; s++) {
		ws_status rc = last ? WS_OK
				    : ws__segment_lower_bound(&m->segs[s], entity,
							      space, &m->pos[s].next,
							      m->store, err);
		if (rc != WS_OK)
			return rc;
		if (last)
			m->pos[s].next = m->segs[s].records;
		m->pos[s].loaded = false;
	}
	m->has_ahead = false;
	return WS_OK;
}

/* Reads segment s's next record into its head; has is false at its end. */
static ws_status
load_head(ws__zone_merge *m, size_t s, ws_error *err)
{
	struct ws__merge_pos *p = &m->pos[s];
	const ws_segment *seg = &m->segs[s];
	p->loaded = true;
	p->has = m->dir > 0 ? p->next < seg->records : p->next > 0;
	if (!p->has)
		return WS_OK;
	return ws__segment_record(seg, m->dir > 0 ? p->next : p->next - 1,
				  &m->head[s], m->store, err);
}

/* Whether a comes out of the merge before b. */
static bool
comes_first(const ws__zone_merge *m, const ws_zone *a, const ws_zone *b)
{
	int c = ws__zone_cmp(a, b);
	return m->dir > 0 ? c < 0 : c > 0;
}

/*
 * The index of the segment holding the next zone, m->nsegs for the fresh
 * array, or SIZE_MAX when every input is exhausted.
 */
static ws_status
pick(ws__zone_merge *m, size_t *which, ws_error *err)
{
	const ws_zone *best = NULL;
	*which = SIZE_MAX;
	if (m->next_fresh < m->nfresh) {
		best = &m->fresh[m->next_fresh];
		*which = m->nsegs;
	}
	for (size_t s = 0; s < m->nsegs; s++) {
		if (!m->pos[s].loaded) {
			ws_status rc = load_head(m, s, err);
			if (rc != WS_OK)
				return rc;
		}
		if (m->pos[s].has &&
		    (best == NULL || comes_first(m, &m->head[s], best))) {
			best = &m->head[s];
			*which = s;
		}
	}
	return WS_OK;
}

/* The next zone and where it comes from (see pick), left in place. */
static ws_status
peek_at(ws__zone_merge *m, ws_zone *z, size_t *which, ws_error *err)
{
	ws_status rc = pick(m, which, err);
	if (rc != WS_OK)
		return rc;
	if (*which == SIZE_MAX)
		return WS_NOTFOUND;
	*z = *which == m->nsegs ? m->fresh[m->next_fresh] : m->head[*which];
	return WS_OK;
}

/* Takes the next record out of the merge, drop records included. */
static ws_status
take(ws__zone_merge *m, ws_zone *z, ws_error *err)
{
	size_t which;
	ws_status rc = peek_at(m, z, &which, err);
	if (rc != WS_OK)
		return rc;
	if (which == m->nsegs) {
		m->next_fresh++;
		return WS_OK;
	}
	struct ws__merge_pos *p = &m->pos[which];
	p->loaded = false;
	if (m->dir < 0)
		p->next--;
	else
		p->next++;
	return WS_OK;
}

/*
 * The next record that a reader sees: a block's record and its drop
 * record come out as neither (or as the drop record alone, keep_drops);
 * *paired tells whether a drop record met its block's record.
 */
static ws_status
take_visible(ws__zone_merge *m, ws_zone *z, bool *paired, ws_error *err)
{
	for (;;) {
		ws_status rc = take(m, z, err);
		if (rc != WS_OK)
			return rc;
		ws_zone after;
		size_t which;
		rc = peek_at(m, &after, &which, err);
		if (rc != WS_OK && rc != WS_NOTFOUND)
			return rc;
		*paired = rc == WS_OK && !z->settled && !after.settled &&
			  ws__zone_drops(z, &after);
		if (*paired && (rc = take(m, &after, err)) != WS_OK)
			return rc;
		if (*paired && !z->dropped)
			*z = after; /* the reverse order gives the block first */
		if (!z->dropped || m->keep_drops)
			return WS_OK;
	}
}

ws_status
ws__zone_merge_peek(ws__zone_merge *m, ws_zone *z, ws_error *err)
{
	if (!m->has_ahead) {
		ws_status rc = take_visible(m, &m->ahead, &m->ahead_paired, err);
		if (rc != WS_OK)
			return rc;
		m->has_ahead = true;
	}
	*z = m->ahead;
	return WS_OK;
}

ws_status
ws__zone_merge_next(ws__zone_merge *m, ws_zone *z, ws_error *err)
{
	ws_status rc = ws__zone_merge_peek(m, z, err);
	if (rc != WS_OK)
		return rc;
	m->has_ahead = false;
	m->drop_paired = m->ahead_paired;
	return WS_OK;
}

void
ws__zone_merge_free(ws__zone_merge *m)
{
	free(m->pos);
	free(m->head);
	m->pos = NULL;
	m->head = NULL;
}
