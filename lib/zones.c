/*
 * zones.c - the zone map as a stream of blocks: a k-way merge of the
 * index segments in key order, narrowed by entity, space and time, and
 * the totals of what it selects.
 *
 * Each segment is sorted by (entity, space, seq, min_ts), so merging
 * their heads gives one order that does not depend on how the records
 * are spread over segments: a store and its rebuilt index list the same
 * blocks in the same order. With an entity the walk starts at a binary
 * search and stops at the first record of another entity, so its cost
 * does not grow with the rest of the store.
 */
#include "ws_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the walk stands in one segment. */
typedef struct zone_pos {
	uint64_t next;  /* next record to read */
	ws_zone head;   /* the record read last, not yet handed out */
	bool has_head;
} zone_pos;

struct ws_zone_iter {
	ws_store *st;
	ws_zone_filter f;
	zone_pos *pos; /* one per segment of the snapshot */
};

void
ws_zone_filter_init(ws_zone_filter *f)
{
	memset(f, 0, sizeof *f);
	f->from = INT64_MIN;
	f->to = INT64_MAX;
}

/* Whether z lies past every record the filter can still select. */
static bool
past_filter(const ws_zone_filter *f, const ws_zone *z)
{
	if (!f->has_entity)
		return false;
	if (z->entity != f->entity)
		return true;
	return f->has_space && z->space != f->space;
}

static bool
selected(const ws_zone_filter *f, const ws_zone *z)
{
	return (!f->has_space || z->space == f->space) && z->min_ts <= f->to &&
	       z->max_ts >= f->from;
}

/* Reads the next record of segment s into its head, if any is left. */
static ws_status
load_head(ws_zone_iter *it, size_t s, ws_error *err)
{
	const ws_segment *seg = &it->st->segs[s];
	zone_pos *p = &it->pos[s];
	p->has_head = false;
	if (p->next >= seg->records)
		return WS_OK;
	ws_status rc = ws__segment_record(seg, p->next, &p->head,
					  it->st->path, err);
	if (rc != WS_OK)
		return rc;
	p->next++;
	p->has_head = !past_filter(&it->f, &p->head);
	return WS_OK;
}

ws_status
ws_zones_open(ws_store *st, const ws_zone_filter *f, ws_zone_iter **out,
	      ws_error *err)
{
	*out = NULL;
	ws_zone_iter *it = calloc(1, sizeof *it);
	if (it == NULL ||
	    (it->pos = calloc(st->nsegs ? st->nsegs : 1, sizeof *it->pos)) ==
		    NULL) {
		free(it);
		return ws__err(err, WS_ENOMEM, "out of memory");
	}
	it->st = st;
	it->f = *f;
	ws_status rc = WS_OK;
	for (size_t s = 0; s < st->nsegs && rc == WS_OK; s++) {
		if (f->has_entity)
			rc = ws__segment_lower_bound(&st->segs[s], f->entity,
						     f->has_space ? f->space : 0,
						     &it->pos[s].next, st->path,
						     err);
		if (rc == WS_OK)
			rc = load_head(it, s, err);
	}
	if (rc != WS_OK) {
		ws_zones_free(it);
		return rc;
	}
	*out = it;
	return WS_OK;
}

/* Key order, then the place on disk so that the order is total. */
static bool
zone_before(const ws_zone *a, const ws_zone *b)
{
	int c = ws__zone_cmp(a, b);
	if (c != 0)
		return c < 0;
	if (a->file != b->file)
		return a->file < b->file;
	return a->offset < b->offset;
}

static void
to_info(const ws_zone *z, ws_zone_info *out)
{
	*out = (ws_zone_info){
		.entity_id = z->entity,
		.space_id = z->space,
		.file_id = z->file,
		.offset = z->offset,
		.min_timestamp = z->min_ts,
		.max_timestamp = z->max_ts,
		.seq = z->seq,
		.point_count = z->count,
		.bytes = z->bytes,
		.raw_bytes = z->raw_len,
	};
}

ws_status
ws_zones_next(ws_zone_iter *it, ws_zone_info *out, ws_error *err)
{
	for (;;) {
		size_t best = SIZE_MAX;
		for (size_t s = 0; s < it->st->nsegs; s++)
			if (it->pos[s].has_head &&
			    (best == SIZE_MAX ||
			     zone_before(&it->pos[s].head, &it->pos[best].head)))
				best = s;
		if (best == SIZE_MAX)
			return WS_NOTFOUND;
		ws_zone z = it->pos[best].head;
		ws_status rc = load_head(it, best, err);
		if (rc != WS_OK)
			return rc;
		if (selected(&it->f, &z)) {
			to_info(&z, out);
			return WS_OK;
		}
	}
}

void
ws_zones_free(ws_zone_iter *it)
{
	if (it == NULL)
		return;
	free(it->pos);
	free(it);
}

/* A sorted set of small ids (spaces, data files): both stay few. */
typedef struct id_set {
	uint32_t *v;
	size_t n, cap;
} id_set;

static ws_status
id_set_add(id_set *s, uint32_t id, ws_error *err)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->n && s->v[lo] == id)
		return WS_OK;
	if (ws__grow(&s->v, &s->cap, s->n + 1, sizeof *s->v, err) != WS_OK)
		return WS_ENOMEM;
	memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * sizeof *s->v);
	s->v[lo] = id;
	s->n++;
	return WS_OK;
}

ws_status
ws_zones_summary(ws_store *st, const ws_zone_filter *f, ws_zone_totals *t,
		 ws_error *err)
{
	memset(t, 0, sizeof *t);
	ws_zone_iter *it;
	ws_status rc = ws_zones_open(st, f, &it, err);
	if (rc != WS_OK)
		return rc;
	id_set spaces = {0}, files = {0};
	ws_zone_info z;
	uint64_t last_entity = 0;
	while ((rc = ws_zones_next(it, &z, err)) == WS_OK) {
		/* Key order: the blocks of one entity come together. */
		if (t->blocks == 0 || z.entity_id != last_entity)
			t->entities++;
		last_entity = z.entity_id;
		t->blocks++;
		t->points += z.point_count;
		t->bytes += z.bytes;
		t->raw_bytes += z.raw_bytes;
		if ((rc = id_set_add(&spaces, z.space_id, err)) != WS_OK ||
		    (rc = id_set_add(&files, z.file_id, err)) != WS_OK)
			break;
	}
	t->spaces = spaces.n;
	t->files = files.n;
	free(spaces.v);
	free(files.v);
	ws_zones_free(it);
	return rc == WS_NOTFOUND ? WS_OK : rc;
}

ws_status
ws_output_zone(ws_output *out, const ws_zone_info *z, ws_error *err)
{
	char file[64], line[512];
	char min[WS__TIMESTAMP_JSON_BUFSIZE], max[WS__TIMESTAMP_JSON_BUFSIZE];
	ws__data_name(z->file_id, file, sizeof file);
	ws__format_timestamp_json(out, z->min_timestamp, min);
	ws__format_timestamp_json(out, z->max_timestamp, max);
	int n = snprintf(line, sizeof line,
			 "{\"entity_id\":%" PRIu64 ",\"space_id\":%" PRIu32
			 ",\"file\":\"%s\",\"offset\":%" PRIu64
			 ",\"min_timestamp\":%s,\"max_timestamp\":%s"
			 ",\"point_count\":%" PRIu32 ",\"bytes\":%" PRIu32
			 ",\"raw_bytes\":%" PRIu32 "}\n",
			 z->entity_id, z->space_id, file, z->offset, min, max,
			 z->point_count, z->bytes, z->raw_bytes);
	return ws_output_bytes(out, line, (size_t)n, err);
}

ws_status
ws_output_zone_totals(ws_output *out, const ws_zone_totals *t,
		      ws_error *err)
{
	/* Three decimals say enough of a compression ratio; none: 0. */
	char ratio[32] = "0";
	if (t->bytes > 0)
		snprintf(ratio, sizeof ratio, "%.3f",
			 (double)t->raw_bytes / (double)t->bytes);
	char line[512];
	int n = snprintf(line, sizeof line,
			 "{\"points\":%" PRIu64 ",\"entities\":%" PRIu64
			 ",\"spaces\":%" PRIu64 ",\"blocks\":%" PRIu64
			 ",\"files\":%" PRIu64 ",\"bytes\":%" PRIu64
			 ",\"raw_bytes\":%" PRIu64 ",\"ratio\":%s}\n",
			 t->points, t->entities, t->spaces, t->blocks, t->files,
			 t->bytes, t->raw_bytes, ratio);
	return ws_output_bytes(out, line, (size_t)n, err);
}
