/*
 * zones.c - the zone map as a stream of blocks (the store layer's merge
 * of the index segments, in key order) narrowed by entity, space and
 * time, and the totals of what it selects.
 *
 * With an entity the walk starts at a binary search and stops at the
 * first record of another entity, so its cost does not grow with the
 * rest of the store.
 */
#include "query/query.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ws_zone_iter {
	ws_zone_filter f;
	ws__zone_merge merge; /* over the segments of the store's snapshot */
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

ws_status
ws_zones_open(ws_store *st, const ws_zone_filter *f, ws_zone_iter **out,
	      ws_error *err)
{
	*out = NULL;
	ws_zone_iter *it = calloc(1, sizeof *it);
	if (it == NULL)
		return ws__err(err, WS_ENOMEM, "out of memory");
	it->f = *f;
	ws_status rc = ws__zone_merge_open(&it->merge, st->segs, st->nsegs, 1,
					   st->path, err);
	if (rc != WS_OK) {
		free(it);
		return rc;
	}
	if (f->has_entity &&
	    (rc = ws__zone_merge_seek(&it->merge, f->entity,
				      f->has_space ? f->space : 0, err)) != WS_OK) {
		ws_zones_free(it);
		return rc;
	}
	*out = it;
	return WS_OK;
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
		.point_count = z->tombstone ? 0 : z->count,
		.bytes = z->bytes,
		.raw_bytes = z->raw_len,
		.tombstone = z->tombstone,
		.ranges = z->tombstone ? z->count : 0,
	};
}

ws_status
ws_zones_next(ws_zone_iter *it, ws_zone_info *out, ws_error *err)
{
	ws_zone z;
	ws_status rc;
	while ((rc = ws__zone_merge_next(&it->merge, &z, err)) == WS_OK) {
		if (past_filter(&it->f, &z))
			return WS_NOTFOUND;
		if (selected(&it->f, &z)) {
			to_info(&z, out);
			return WS_OK;
		}
	}
	return rc;
}

void
ws_zones_free(ws_zone_iter *it)
{
	if (it == NULL)
		return;
	ws__zone_merge_free(&it->merge);
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
		t->tombstones += z.tombstone;
		t->points += z.point_count;
		t->bytes += z.bytes;
		t->raw_bytes += z.raw_bytes;
		if ((rc = id_set_add(&spaces, z.space_id, err)) != WS_OK ||
		    (rc = id_set_add(&files, z.file_id, err)) != WS_OK)
			break;
	}
	t->spaces = spaces.n;
	t->files = files.n;
	if (rc == WS_NOTFOUND)
		rc = ws__lost_bytes(st->dirfd, st->path, &t->lost_found_bytes,
				    err);
	free(spaces.v);
	free(files.v);
	ws_zones_free(it);
	return rc == WS_NOTFOUND ? WS_OK : rc;
}

ws_status
ws_output_zone(ws_output *out, const ws_zone_info *z, ws_error *err)
{
	char line[512], tomb[64] = "";
	ws__name file;
	char min[WS__TIMESTAMP_JSON_BUFSIZE], max[WS__TIMESTAMP_JSON_BUFSIZE];
	ws__data_file(z->file_id, &file);
	ws__format_timestamp_json(out, z->min_timestamp, min);
	ws__format_timestamp_json(out, z->max_timestamp, max);
	/* Only tombstone rows carry the two keys (ws-zones(1)). */
	if (z->tombstone)
		snprintf(tomb, sizeof tomb, ",\"tombstone\":true,\"ranges\":%" PRIu32,
			 z->ranges);
	int n = snprintf(line, sizeof line,
			 "{\"entity_id\":%" PRIu64 ",\"space_id\":%" PRIu32
			 ",\"file\":\"%s\",\"offset\":%" PRIu64
			 ",\"min_timestamp\":%s,\"max_timestamp\":%s"
			 ",\"point_count\":%" PRIu32 ",\"bytes\":%" PRIu32
			 ",\"raw_bytes\":%" PRIu32 "%s}\n",
			 z->entity_id, z->space_id, file.rel, z->offset, min, max,
			 z->point_count, z->bytes, z->raw_bytes, tomb);
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
	char line[512], tomb[48] = "";
	if (t->tombstones > 0)
		snprintf(tomb, sizeof tomb, ",\"tombstones\":%" PRIu64,
			 t->tombstones);
	int n = snprintf(line, sizeof line,
			 "{\"points\":%" PRIu64 ",\"entities\":%" PRIu64
			 ",\"spaces\":%" PRIu64 ",\"blocks\":%" PRIu64
			 ",\"files\":%" PRIu64 ",\"bytes\":%" PRIu64
			 ",\"raw_bytes\":%" PRIu64 ",\"ratio\":%s"
			 ",\"lost_found_bytes\":%" PRIu64 "%s}\n",
			 t->points, t->entities, t->spaces, t->blocks, t->files,
			 t->bytes, t->raw_bytes, ratio, t->lost_found_bytes, tomb);
	return ws_output_bytes(out, line, (size_t)n, err);
}
