/*
 * ndjson_write.c - points to canonical NDJSON lines on a buffered,
 * checked output.
 */
#include "codec/csv_write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_BUFSIZE (64u * 1024u)
/*
 * The buffer is filled only this far until OUT_LONG bytes went out: each
 * page of it is a page fault when first written (about 3 us here, as dear
 * as writing the page out), and most answers (a range of a few points)
 * are short. A long output gets the whole buffer: fewer system calls.
 */
#define OUT_SHORT_FILL (16u * 1024u)
#define OUT_LONG (1024u * 1024u)
/* Three keys, two numbers of at most 20 digits, a timestamp of at most
 * WS__TIMESTAMP_JSON_BUFSIZE bytes, "[". */
#define POINT_HEAD_MAX 128

struct ws_output {
	int fd;     /* -1: a memory output, flushed into mem */
	char *name; /* "stdout", for messages */
	char buf[OUT_BUFSIZE];
	size_t len;
	size_t fill;    /* flushed beyond this: OUT_SHORT_FILL, then all */
	uint64_t sent; /* bytes flushed so far */
	char *mem; /* what a memory output holds */
	size_t mem_len, mem_cap;
	ws__csv *csv; /* NULL: NDJSON, else points go out as CSV */
	enum ws_time_format time_format;
};

ws_output *
ws_output_new(int fd, const char *name)
{
	ws_output *out = malloc(sizeof *out);
	if (out == NULL)
		return NULL;
	out->name = strdup(name);
	if (out->name == NULL) {
		free(out);
		return NULL;
	}
	out->fd = fd;
	out->len = 0;
	out->fill = OUT_SHORT_FILL;
	out->sent = 0;
	out->mem = NULL;
	out->mem_len = out->mem_cap = 0;
	out->csv = NULL;
	out->time_format = WS_TIME_US;
	return out;
}

void
ws_output_set_time_format(ws_output *out, enum ws_time_format f)
{
	out->time_format = f;
}

enum ws_time_format
ws_output_time_format(const ws_output *out)
{
	return out->time_format;
}

/* Integer microseconds: by hand, as snprintf costs more on every line. */
static size_t
put_i64(int64_t v, char *o)
{
	uint64_t mag = (uint64_t)v;
	if (v >= 0)
		return (size_t)ws__utoa(mag, o);
	*o = '-';
	return 1 + (size_t)ws__utoa(0 - mag, o + 1);
}

size_t
ws__format_timestamp(const ws_output *out, int64_t ts, char *buf)
{
	if (out->time_format == WS_TIME_RFC3339)
		return ws_format_rfc3339(ts, buf);
	size_t n = put_i64(ts, buf);
	buf[n] = '\0';
	return n;
}

size_t
ws__format_timestamp_json(const ws_output *out, int64_t ts, char *buf)
{
	if (out->time_format != WS_TIME_RFC3339 || !ws_rfc3339_can_format(ts))
		return ws__format_timestamp(out, ts, buf);
	buf[0] = '"';
	size_t n = ws_format_rfc3339(ts, buf + 1);
	buf[n + 1] = '"';
	buf[n + 2] = '\0';
	return n + 2;
}

ws_output *
ws_output_new_memory(void)
{
	return ws_output_new(-1, "memory");
}

size_t
ws_output_size(const ws_output *out)
{
	return out->mem_len + out->len;
}

const char *
ws_output_memory(ws_output *out, ws_error *err)
{
	if (ws_output_flush(out, err) != WS_OK)
		return NULL;
	return out->mem != NULL ? out->mem : "";
}

void
ws_output_memory_reset(ws_output *out)
{
	out->len = 0;
	out->mem_len = 0;
}

/* Appends to the memory of a memory output. */
static ws_status
mem_append(ws_output *out, const void *p, size_t n, ws_error *err)
{
	if (ws__grow(&out->mem, &out->mem_cap, out->mem_len + n + 1, 1, err) !=
	    WS_OK)
		return WS_ENOMEM;
	if (n > 0)
		memcpy(out->mem + out->mem_len, p, n);
	out->mem_len += n;
	out->mem[out->mem_len] = '\0';
	return WS_OK;
}

/* Sends n bytes on: to the file descriptor, or into memory. */
static ws_status
emit(ws_output *out, const void *p, size_t n, ws_error *err)
{
	return out->fd >= 0 ? ws__write_all(out->fd, p, n, out->name, err)
			    : mem_append(out, p, n, err);
}

size_t
ws__output_fill(const ws_output *out)
{
	return out->fill;
}

ws_status
ws_output_flush(ws_output *out, ws_error *err)
{
	ws_status rc = emit(out, out->buf, out->len, err);
	out->sent += out->len;
	out->len = 0;
	if (out->sent >= OUT_LONG)
		out->fill = OUT_BUFSIZE;
	return rc;
}

ws_status
ws_output_close(ws_output *out, ws_error *err)
{
	if (out == NULL)
		return WS_OK;
	ws_status rc = ws_output_flush(out, err);
	ws__csv_free(out->csv);
	free(out->mem);
	free(out->name);
	free(out);
	return rc;
}

ws_status
ws_output_bytes(ws_output *out, const void *p, size_t n, ws_error *err)
{
	if (out->len + n > out->fill) {
		ws_status rc = ws_output_flush(out, err);
		if (rc != WS_OK)
			return rc;
		if (n > OUT_BUFSIZE)
			return emit(out, p, n, err);
	}
	memcpy(out->buf + out->len, p, n);
	out->len += n;
	return WS_OK;
}

/* Room for n more bytes in the buffer, flushing first when needed. */
static ws_status
reserve(ws_output *out, size_t n, ws_error *err)
{
	if (out->len + n <= out->fill)
		return WS_OK;
	return ws_output_flush(out, err);
}

static ws_status
put_json_string(ws_output *out, const char *s, size_t n, ws_error *err)
{
	ws_status rc = ws_output_bytes(out, "\"", 1, err);
	size_t run = 0;
	for (size_t i = 0; i < n && rc == WS_OK; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		rc = ws_output_bytes(out, s + run, i - run, err);
		char esc[8];
		switch (c) {
		case '"': strcpy(esc, "\\\""); break;
		case '\\': strcpy(esc, "\\\\"); break;
		case '\b': strcpy(esc, "\\b"); break;
		case '\f': strcpy(esc, "\\f"); break;
		case '\n': strcpy(esc, "\\n"); break;
		case '\r': strcpy(esc, "\\r"); break;
		case '\t': strcpy(esc, "\\t"); break;
		default: snprintf(esc, sizeof esc, "\\u%04x", c); break;
		}
		if (rc == WS_OK)
			rc = ws_output_bytes(out, esc, strlen(esc), err);
		run = i + 1;
	}
	if (rc == WS_OK)
		rc = ws_output_bytes(out, s + run, n - run, err);
	if (rc == WS_OK)
		rc = ws_output_bytes(out, "\"", 1, err);
	return rc;
}

ws_status
ws__output_meta_object(ws_output *out, const ws_point *pt, ws_error *err)
{
	size_t pos = 0;
	ws_meta_pair pair;
	bool first = true;
	ws_status rc = WS_OK;
	while (rc == WS_OK && ws_meta_next(pt->meta, pt->meta_len, &pos, &pair)) {
		rc = ws_output_bytes(out, first ? "{" : ",", 1, err);
		first = false;
		if (rc == WS_OK)
			rc = put_json_string(out, pair.key, pair.key_len, err);
		if (rc == WS_OK)
			rc = ws_output_bytes(out, ":", 1, err);
		if (rc == WS_OK)
			rc = put_json_string(out, pair.value, pair.value_len,
					     err);
	}
	if (rc == WS_OK && !first)
		rc = ws_output_bytes(out, "}", 1, err);
	return rc;
}

bool
ws__point_has_meta(const ws_point *pt)
{
	size_t pos = 0;
	ws_meta_pair pair;
	return ws_meta_next(pt->meta, pt->meta_len, &pos, &pair);
}

static ws_status
put_metadata(ws_output *out, const ws_point *pt, ws_error *err)
{
	if (!ws__point_has_meta(pt))
		return WS_OK;
	ws_status rc = ws_output_bytes(out, ",\"metadata\":", 12, err);
	return rc == WS_OK ? ws__output_meta_object(out, pt, err) : rc;
}

static char *
put_text(char *o, const char *s)
{
	size_t n = strlen(s);
	memcpy(o, s, n);
	return o + n;
}

/* The line up to the vector's '[': written by hand, snprintf costs more. */
static ws_status
put_point_head(ws_output *out, const ws_point *pt, ws_error *err)
{
	ws_status rc = reserve(out, POINT_HEAD_MAX, err);
	if (rc != WS_OK)
		return rc;
	char *o = out->buf + out->len;
	o = put_text(o, "{\"entity_id\":");
	o += ws__utoa(pt->entity_id, o);
	o = put_text(o, ",\"space_id\":");
	o += ws__utoa(pt->space_id, o);
	o = put_text(o, ",\"timestamp\":");
	if (out->time_format == WS_TIME_US)
		o += put_i64(pt->timestamp, o);
	else
		o += ws__format_timestamp_json(out, pt->timestamp, o);
	o = put_text(o, ",\"vector\":[");
	out->len = (size_t)(o - out->buf);
	return WS_OK;
}

ws_status
ws_output_set_format(ws_output *out, enum ws_format format, ws_error *err)
{
	ws__csv_free(out->csv);
	out->csv = NULL;
	if (format == WS_FORMAT_CSV && (out->csv = ws__csv_new()) == NULL)
		return ws__err(err, WS_ENOMEM, "out of memory");
	return WS_OK;
}

bool
ws__output_is_csv(const ws_output *out)
{
	return out->csv != NULL;
}

ws_status
ws_output_point(ws_output *out, const ws_point *pt, ws_error *err)
{
	if (out->csv != NULL)
		return ws__csv_point(out, out->csv, pt, err);
	ws_status rc = put_point_head(out, pt, err);
	for (uint32_t i = 0; i < pt->dim && rc == WS_OK; i++) {
		rc = reserve(out, WS_F32_BUFSIZE + 1, err);
		if (rc != WS_OK)
			break;
		if (i > 0)
			out->buf[out->len++] = ',';
		out->len += ws_format_f32(pt->vector[i], out->buf + out->len);
	}
	if (rc == WS_OK)
		rc = ws_output_bytes(out, "]", 1, err);
	if (rc == WS_OK)
		rc = put_metadata(out, pt, err);
	if (rc == WS_OK)
		rc = ws_output_bytes(out, "}\n", 2, err);
	return rc;
}
