/*
 * series.c - the series of a store, (entity, space) with totals of their
 * blocks, taken from the zone map alone: no data file is read.
 *
 * The zone iterator yields blocks in key order, so the blocks of one
 * series come together and one pass with one block of look-ahead groups
 * them.
 */
#include "query/query.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ws_series_iter {
	ws_zone_iter *zones;
	ws_zone_info next; /* first block of the series after this one */
	bool has_next;
	bool done;
};

ws_status
ws_series_open(ws_store *st, const ws_zone_filter *f, ws_series_iter **out,
	       ws_error *err)
{
	*out = NULL;
	ws_series_iter *it = calloc(1, sizeof *it);
	if (it == NULL)
		return ws__err(err, WS_ENOMEM, "out of memory");
	ws_status rc = ws_zones_open(st, f, &it->zones, err);
	if (rc != WS_OK) {
		free(it);
		return rc;
	}
	*out = it;
	return WS_OK;
}

/* Reads the next block into it->next; done at the end of the zone map. */
static ws_status
read_ahead(ws_series_iter *it, ws_error *err)
{
	ws_status rc = ws_zones_next(it->zones, &it->next, err);
	it->has_next = rc == WS_OK;
	if (rc == WS_NOTFOUND) {
		it->done = true;
		return WS_OK;
	}
	return rc;
}

static void
add_block(ws_series_info *s, const ws_zone_info *z)
{
	if (s->blocks == 0 || z->min_timestamp < s->min_timestamp)
		s->min_timestamp = z->min_timestamp;
	if (s->blocks == 0 || z->max_timestamp > s->max_timestamp)
		s->max_timestamp = z->max_timestamp;
	s->blocks++;
	s->points += z->point_count;
	s->bytes += z->bytes;
}

ws_status
ws_series_next(ws_series_iter *it, ws_series_info *s, ws_error *err)
{
	ws_status rc;
	if (!it->has_next && !it->done && (rc = read_ahead(it, err)) != WS_OK)
		return rc;
	if (!it->has_next)
		return WS_NOTFOUND;
	memset(s, 0, sizeof *s);
	s->entity_id = it->next.entity_id;
	s->space_id = it->next.space_id;
	while (it->has_next && it->next.entity_id == s->entity_id &&
	       it->next.space_id == s->space_id) {
		add_block(s, &it->next);
		if ((rc = read_ahead(it, err)) != WS_OK)
			return rc;
	}
	return WS_OK;
}

void
ws_series_free(ws_series_iter *it)
{
	if (it == NULL)
		return;
	ws_zones_free(it->zones);
	free(it);
}

ws_status
ws_output_series(ws_output *out, const ws_series_info *s, ws_error *err)
{
	char line[512];
	char min[WS__TIMESTAMP_JSON_BUFSIZE], max[WS__TIMESTAMP_JSON_BUFSIZE];
	ws__format_timestamp_json(out, s->min_timestamp, min);
	ws__format_timestamp_json(out, s->max_timestamp, max);
	int n = snprintf(line, sizeof line,
			 "{\"entity_id\":%" PRIu64 ",\"space_id\":%" PRIu32
			 ",\"blocks\":%" PRIu64 ",\"points\":%" PRIu64
			 ",\"min_timestamp\":%s,\"max_timestamp\":%s"
			 ",\"bytes\":%" PRIu64 "}\n",
			 s->entity_id, s->space_id, s->blocks, s->points, min, max,
			 s->bytes);
	return ws_output_bytes(out, line, (size_t)n, err);
}

ws_status
ws_output_series_count(ws_output *out, uint64_t entity, uint32_t space,
		       uint64_t count, ws_error *err)
{
	char line[128];
	int n = snprintf(line, sizeof line,
			 "{\"entity_id\":%" PRIu64 ",\"space_id\":%" PRIu32
			 ",\"count\":%" PRIu64 "}\n",
			 entity, space, count);
	return ws_output_bytes(out, line, (size_t)n, err);
}

/* How many of an entity's spaces a "no such series" message names. */
#define SPACES_NAMED 8

/* Appends ", N" (or the first " N") to the message being built. */
static void
append_space(char *msg, size_t cap, size_t named, uint32_t space)
{
	size_t len = strlen(msg);
	snprintf(msg + len, cap - len, "%s%" PRIu32, named ? ", " : " ",
		 space);
}

ws_status
ws_series_check(ws_store *st, uint64_t entity, uint32_t space,
		ws_error *err)
{
	ws_zone_filter f;
	ws_zone_filter_init(&f);
	f.has_entity = true;
	f.entity = entity;
	ws_series_iter *it;
	ws_status rc = ws_series_open(st, &f, &it, err);
	if (rc != WS_OK)
		return rc;
	char spaces[256] = "";
	size_t named = 0, total = 0;
	bool found = false;
	ws_series_info s;
	while (!found && (rc = ws_series_next(it, &s, err)) == WS_OK) {
		found = s.space_id == space;
		if (named < SPACES_NAMED)
			append_space(spaces, sizeof spaces, named++, s.space_id);
		total++;
	}
	ws_series_free(it);
	if (found)
		return WS_OK;
	if (rc != WS_NOTFOUND)
		return rc;
	if (total == 0)
		return ws__err(err, WS_NOTFOUND,
			       "%s: entity %" PRIu64 ": not in the store",
			       st->path, entity);
	return ws__err(err, WS_NOTFOUND,
		       "%s: entity %" PRIu64 ", space %" PRIu32
		       ": no such series (the entity is in space%s%s%s)",
		       st->path, entity, space, total > 1 ? "s" : "", spaces,
		       total > named ? ", ..." : "");
}
