/*
 * csv_write.c - points as CSV records (RFC 4180, LF line ends): a header
 * `entity_id,space_id,timestamp,v0,...,metadata` before the first point,
 * then one record per point. Every point of one output must have the
 * header's dimension; see ws-range(1).
 */
#include "codec/csv_write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ws__csv {
	bool header_done;
	uint32_t dim;         /* of the header */
	ws_output *meta_text; /* scratch for the metadata's JSON text */
};

ws__csv *
ws__csv_new(void)
{
	ws__csv *csv = calloc(1, sizeof *csv);
	if (csv == NULL)
		return NULL;
	csv->meta_text = ws_output_new_memory();
	if (csv->meta_text == NULL) {
		free(csv);
		return NULL;
	}
	return csv;
}

void
ws__csv_free(ws__csv *csv)
{
	if (csv == NULL)
		return;
	ws_error ignored;
	ws_status rc = ws_output_close(csv->meta_text, &ignored);
	(void)rc; /* a memory output has no write that could fail */
	free(csv);
}

static ws_status
put_header(ws_output *out, uint32_t dim, ws_error *err)
{
	ws_status rc = ws_output_bytes(out, "entity_id,space_id,timestamp", 28,
				       err);
	for (uint32_t i = 0; i < dim && rc == WS_OK; i++) {
		char col[16];
		int n = snprintf(col, sizeof col, ",v%" PRIu32, i);
		rc = ws_output_bytes(out, col, (size_t)n, err);
	}
	if (rc == WS_OK)
		rc = ws_output_bytes(out, ",metadata\n", 10, err);
	return rc;
}

/* A field in double quotes, each quote doubled (RFC 4180, 2.7). */
static ws_status
put_quoted(ws_output *out, const char *s, size_t n, ws_error *err)
{
	ws_status rc = ws_output_bytes(out, "\"", 1, err);
	size_t run = 0;
	for (size_t i = 0; i < n && rc == WS_OK; i++)
		if (s[i] == '"') {
			rc = ws_output_bytes(out, s + run, i + 1 - run, err);
			run = i; /* the quote goes out again: doubled */
		}
	if (rc == WS_OK)
		rc = ws_output_bytes(out, s + run, n - run, err);
	if (rc == WS_OK)
		rc = ws_output_bytes(out, "\"", 1, err);
	return rc;
}

/* The JSON object always holds quotes, so the field is always quoted. */
static ws_status
put_metadata(ws_output *out, ws__csv *csv, const ws_point *pt, ws_error *err)
{
	if (!ws__point_has_meta(pt))
		return WS_OK;
	ws_output_memory_reset(csv->meta_text);
	ws_status rc = ws__output_meta_object(csv->meta_text, pt, err);
	const char *text = rc == WS_OK ? ws_output_memory(csv->meta_text, err)
				       : NULL;
	if (text == NULL)
		return rc == WS_OK ? WS_ENOMEM : rc;
	return put_quoted(out, text, ws_output_size(csv->meta_text), err);
}

static ws_status
put_key(ws_output *out, const ws_point *pt, ws_error *err)
{
	char line[96], ts[WS_RFC3339_BUFSIZE];
	/* The timestamp follows --time; neither form needs quotes. */
	ws__format_timestamp(out, pt->timestamp, ts);
	int n = snprintf(line, sizeof line, "%" PRIu64 ",%" PRIu32 ",%s",
			 pt->entity_id, pt->space_id, ts);
	return ws_output_bytes(out, line, (size_t)n, err);
}

/*
 * Writes the header before the first point, and refuses a point of
 * another dimension than the header's.
 */
static ws_status
csv_expect(ws_output *out, ws__csv *csv, uint64_t entity,
	       uint32_t space, uint32_t dim, ws_error *err)
{
	if (!csv->header_done) {
		ws_status rc = put_header(out, dim, err);
		csv->header_done = rc == WS_OK;
		csv->dim = dim;
		return rc;
	}
	if (dim == csv->dim)
		return WS_OK;
	return ws__err(err, WS_EBADINPUT,
		       "entity %" PRIu64 ", space %" PRIu32 ": points of %" PRIu32
		       " values, but the CSV header has %" PRIu32 " (select "
		       "series of one dimension, or use --format ndjson)",
		       entity, space, dim, csv->dim);
}

ws_status
ws__csv_point(ws_output *out, ws__csv *csv, const ws_point *pt,
	      ws_error *err)
{
	ws_status rc = csv_expect(out, csv, pt->entity_id, pt->space_id,
				  pt->dim, err);
	if (rc == WS_OK)
		rc = put_key(out, pt, err);
	for (uint32_t i = 0; i < pt->dim && rc == WS_OK; i++) {
		char num[WS_F32_BUFSIZE + 1] = ",";
		size_t n = 1 + ws_format_f32(pt->vector[i], num + 1);
		rc = ws_output_bytes(out, num, n, err);
	}
	if (rc == WS_OK)
		rc = ws_output_bytes(out, ",", 1, err);
	if (rc == WS_OK)
		rc = put_metadata(out, csv, pt, err);
	if (rc == WS_OK)
		rc = ws_output_bytes(out, "\n", 1, err);
	return rc;
}
