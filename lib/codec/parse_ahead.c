/*
 * parse_ahead.c - a run of input lines parsed on two threads at once.
 *
 * Parsing is much of what ws-ingest(1) does with a line, and lines do
 * not depend on each other: the run is cut in
 * two halves of about the same number of bytes, each parsed into a batch
 * of its own, one on a helper thread. The caller then takes the points
 * line by line in input order, so that every rule that follows input order
 * (the latest write wins, the first bad line stops) holds as if one thread
 * had read them. A line that does not parse is left out of its half; the
 * caller parses it again, alone, for the reason to report.
 */
#include "codec/codec.h"

#include <stdlib.h>
#include <string.h>

/*
 * Below this many bytes a run is parsed on the calling thread alone:
 * starting a thread costs about as much as parsing a few kilobytes.
 */
#define THREADED_MIN_BYTES (64u * 1024u)

void
ws__ahead_init(ws__ahead *a, uint32_t default_space, enum ws_time_unit unit)
{
	memset(a, 0, sizeof *a);
	a->default_space = default_space;
	a->unit = unit;
	for (int h = 0; h < 2; h++)
		ws__batch_init(&a->half[h].points);
}

void
ws__ahead_free(ws__ahead *a)
{
	free(a->lines);
	for (int h = 0; h < 2; h++) {
		ws__batch_free(&a->half[h].points);
		ws_point_buf_free(a->half[h].pb);
	}
	memset(a, 0, sizeof *a);
}

void
ws__ahead_reset(ws__ahead *a)
{
	a->n = 0;
	a->bytes = 0;
	for (int h = 0; h < 2; h++) {
		ws__batch_reset(&a->half[h].points);
		a->half[h].next = 0;
	}
}

ws_status
ws__ahead_add(ws__ahead *a, const ws_line *line, ws_error *err)
{
	if (ws__grow(&a->lines, &a->cap, a->n + 1, sizeof *a->lines, err) !=
	    WS_OK)
		return WS_ENOMEM;
	a->lines[a->n++] = *line;
	a->bytes += line->len;
	return WS_OK;
}

size_t
ws__ahead_bytes(const ws__ahead *a)
{
	return a->bytes + a->n * sizeof *a->lines +
	       ws__batch_bytes(&a->half[0].points) +
	       ws__batch_bytes(&a->half[1].points);
}

/* Parses lines [first, end) of the run into one half's batch. */
static void *
parse_half(void *arg)
{
	struct ws__ahead_half *h = arg;
	const ws__ahead *a = h->run;
	for (size_t i = h->first; i < h->end && h->rc == WS_OK; i++) {
		const ws_line *line = &a->lines[i];
		ws_error why;
		ws_point pt;
		if (!line->too_long && ws_line_is_blank(line->text, line->len))
			continue;
		/* A point too large for a block is refused when settled. */
		if (line->too_long ||
		    ws_parse_point(line->text, line->len, WS_PARSE_POINT,
				   a->default_space, h->pb, &pt, &why) != WS_OK ||
		    ws__point_bytes(&pt) > WS_MAX_POINT_BYTES) {
			h->left_out++;
			continue;
		}
		if (pt.timestamp > h->max_ts)
			h->max_ts = pt.timestamp;
		h->rc = ws__batch_add(&h->points, &pt, line->number, &h->err);
	}
	return NULL;
}

/* The line that cuts the run into two halves of about equal bytes. */
static size_t
middle_line(const ws__ahead *a)
{
	size_t half = a->bytes / 2, sum = 0, i = 0;
	while (i < a->n && sum < half)
		sum += a->lines[i++].len;
	return i;
}

static ws_status
new_point_buf(ws__ahead *a, struct ws__ahead_half *h, ws_error *err)
{
	if (h->pb != NULL)
		return WS_OK;
	h->pb = ws_point_buf_new();
	if (h->pb == NULL)
		return ws__err(err, WS_ENOMEM, "out of memory");
	ws_point_buf_set_time_unit(h->pb, a->unit);
	return WS_OK;
}

ws_status
ws__ahead_parse(ws__ahead *a, ws_error *err)
{
	size_t split = a->bytes < THREADED_MIN_BYTES ? a->n : middle_line(a);
	for (int i = 0; i < 2; i++) {
		struct ws__ahead_half *h = &a->half[i];
		ws_status rc = new_point_buf(a, h, err);
		if (rc != WS_OK)
			return rc;
		h->run = a;
		h->rc = WS_OK;
		h->first = i == 0 ? 0 : split;
		h->end = i == 0 ? split : a->n;
		h->left_out = 0;
		h->max_ts = INT64_MIN;
	}
	ws__run_pair(parse_half, &a->half[0],
		     split < a->n ? &a->half[1] : NULL);
	for (int i = 0; i < 2; i++)
		if (a->half[i].rc != WS_OK) {
			*err = a->half[i].err;
			return a->half[i].rc;
		}
	return WS_OK;
}

const struct ws__ahead_half *
ws__ahead_whole_half(const ws__ahead *a, size_t i)
{
	const struct ws__ahead_half *h = &a->half[i < a->half[0].end ? 0 : 1];
	return i == h->first && h->next == 0 && h->left_out == 0 &&
			       h->rc == WS_OK
		       ? h
		       : NULL;
}

void
ws__ahead_took_half(ws__ahead *a, const struct ws__ahead_half *h)
{
	a->half[h == &a->half[0] ? 0 : 1].next = h->points.n;
}

bool
ws__ahead_point(ws__ahead *a, size_t i, ws_point *pt)
{
	struct ws__ahead_half *h = &a->half[i < a->half[0].end ? 0 : 1];
	if (h->next >= h->points.n ||
	    h->points.e[h->next].line != a->lines[i].number)
		return false;
	ws__batch_point(&h->points, h->next++, pt);
	return true;
}
