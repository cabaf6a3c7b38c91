/*
 * line_reader.c - newline-delimited input with a hard bound on line
 * length, so that a hostile 100 MB line costs at most max_len bytes of
 * memory.
 */
#include "codec/codec.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The buffer starts at 64 KiB, many lines' worth and a few large reads'
 * worth, and grows only for a line longer than that.
 */
#define FIRST_BUFFER 65536u

struct ws_line_reader {
	int fd;
	char *source; /* "stdin", for messages */
	size_t max_len;
	char *buf;
	size_t cap;
	size_t start, end; /* unread bytes are buf[start, end) */
	size_t scanned;    /* buf[start, scanned) holds no newline */
	bool eof;
	bool skip_pending; /* the rest of a too-long line is still unread */
	uint64_t number;
	const volatile sig_atomic_t *stop; /* see ws_line_reader_set_stop */
	uint64_t bytes_read; /* from fd, for ws_line_reader_consumed */
	/*
	 * A read that failed while reading ahead (ws_line_reader_gather):
	 * reported when the lines before it are read and more are needed.
	 */
	ws_status deferred;
	ws_error deferred_err;
};

ws_line_reader *
ws_line_reader_new(int fd, const char *source, size_t max_len)
{
	ws_line_reader *r = calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->fd = fd;
	r->max_len = max_len ? max_len : WS_DEFAULT_MAX_LINE;
	r->source = strdup(source);
	r->cap = r->max_len < FIRST_BUFFER ? r->max_len + 1 : FIRST_BUFFER;
	r->buf = malloc(r->cap);
	if (r->source == NULL || r->buf == NULL) {
		ws_line_reader_free(r);
		return NULL;
	}
	return r;
}

void
ws_line_reader_free(ws_line_reader *r)
{
	if (r == NULL)
		return;
	free(r->source);
	free(r->buf);
	free(r);
}

static ws_status
reserve(ws_line_reader *r, size_t cap, ws_error *err)
{
	if (r->cap >= cap)
		return WS_OK;
	char *nb = ws__realloc(r->buf, cap, err);
	if (nb == NULL)
		return WS_ENOMEM;
	r->buf = nb;
	r->cap = cap;
	return WS_OK;
}

/* Moves unread bytes to the front and makes room for more. */
static ws_status
make_room(ws_line_reader *r, ws_error *err)
{
	if (r->start > 0) {
		size_t n = r->end - r->start;
		memmove(r->buf, r->buf + r->start, n);
		r->scanned -= r->start;
		r->start = 0;
		r->end = n;
	}
	if (r->end < r->cap)
		return WS_OK;
	size_t ncap = r->cap * 2;
	return reserve(r, ncap > r->max_len + 1 ? r->max_len + 1 : ncap, err);
}

void
ws_line_reader_set_stop(ws_line_reader *r, const volatile sig_atomic_t *stop)
{
	r->stop = stop;
}

static bool
stop_asked(const ws_line_reader *r)
{
	return r->stop != NULL && *r->stop != 0;
}

/*
 * read() that goes on after EINTR unless a stop was asked for: the
 * flag is checked before the call too, in case the signal came earlier.
 */
static ssize_t
read_unless_stopped(ws_line_reader *r, void *buf, size_t n)
{
	for (;;) {
		if (stop_asked(r)) {
			errno = EINTR;
			return -1;
		}
		ssize_t got = read(r->fd, buf, n);
		if (got >= 0 || errno != EINTR)
			return got;
	}
}

static ws_status
fill(ws_line_reader *r, ws_error *err)
{
	if (r->deferred != WS_OK) {
		ws_status rc = r->deferred;
		*err = r->deferred_err;
		r->deferred = WS_OK;
		return rc;
	}
	ws_status rc = make_room(r, err);
	if (rc != WS_OK)
		return rc;
	ssize_t n = read_unless_stopped(r, r->buf + r->end, r->cap - r->end);
	if (n < 0 && errno == EINTR)
		return ws__err(err, WS_EINTR, "%s: interrupted", r->source);
	if (n < 0)
		return ws__errno(err, errno, "%s: read", r->source);
	if (n == 0)
		r->eof = true;
	r->end += (size_t)n;
	r->bytes_read += (uint64_t)n;
	return WS_OK;
}

ws_status
ws_line_skip_rest(ws_line_reader *r, int sink, ws_error *err)
{
	while (r->skip_pending) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		size_t n = (nl ? (size_t)(nl - r->buf) + 1 : r->end) - r->start;
		if (sink >= 0 && n > 0) {
			ws_status rc = ws__write_all(sink, r->buf + r->start, n,
						     "rejects file", err);
			if (rc != WS_OK)
				return rc;
		}
		r->start += n;
		r->scanned = r->start;
		if (nl != NULL || (r->eof && r->start == r->end)) {
			r->skip_pending = false;
			break;
		}
		r->start = r->end = r->scanned = 0;
		ws_status rc = fill(r, err);
		if (rc != WS_OK)
			return rc;
	}
	return WS_OK;
}

static ws_status
read_line(ws_line_reader *r, ws_line *line, ws_error *err)
{
	ws_status rc = ws_line_skip_rest(r, -1, err);
	if (rc != WS_OK)
		return rc;
	for (;;) {
		char *nl = memchr(r->buf + r->scanned, '\n',
				  r->end - r->scanned);
		if (nl != NULL) {
			line->text = r->buf + r->start;
			line->len = (size_t)(nl - line->text);
			line->too_long = line->len > r->max_len;
			if (line->too_long) {
				line->len = r->max_len;
				r->skip_pending = true;
				r->start += r->max_len;
			} else {
				r->start += line->len + 1;
			}
			r->scanned = r->start;
			line->number = ++r->number;
			return WS_OK;
		}
		r->scanned = r->end;
		if (r->end - r->start > r->max_len) {
			line->text = r->buf + r->start;
			line->len = r->max_len;
			line->too_long = true;
			line->number = ++r->number;
			r->skip_pending = true;
			r->start += r->max_len;
			r->scanned = r->start;
			return WS_OK;
		}
		if (r->eof) {
			if (r->end == r->start)
				return WS_NOTFOUND;
			line->text = r->buf + r->start;
			line->len = r->end - r->start;
			line->too_long = false;
			line->number = ++r->number;
			r->start = r->scanned = r->end;
			return WS_OK;
		}
		rc = fill(r, err);
		if (rc != WS_OK)
			return rc;
	}
}

/* Whether read() on the input would return at once: a poll that never waits. */
static bool
input_waiting(ws_line_reader *r)
{
	struct pollfd p = {.fd = r->fd, .events = POLLIN};
	int n;
	do
		n = poll(&p, 1, 0);
	while (n < 0 && errno == EINTR && !stop_asked(r));
	return n > 0;
}

ws_status
ws_line_reader_gather(ws_line_reader *r, size_t want, ws_error *err)
{
	/* The rest of a too-long line is read by the next ws_line_read. */
	if (r->skip_pending)
		return WS_OK;
	ws_status rc = reserve(r, want + 1, err);
	while (rc == WS_OK && r->deferred == WS_OK && !r->eof &&
	       r->end - r->start < want && input_waiting(r))
		if ((rc = fill(r, &r->deferred_err)) != WS_OK) {
			r->deferred = rc;
			rc = WS_OK;
		}
	return rc;
}

ws_status
ws_line_read(ws_line_reader *r, ws_line *line, ws_error *err)
{
	ws_status rc = read_line(r, line, err);
	if (rc == WS_OK)
		line->end = ws_line_reader_consumed(r);
	return rc;
}

bool
ws_line_reader_ready(const ws_line_reader *r)
{
	return r->eof || memchr(r->buf + r->start, '\n', r->end - r->start);
}

bool
ws_line_reader_would_block(ws_line_reader *r, int timeout_ms)
{
	if (ws_line_reader_ready(r))
		return false;
	struct pollfd p = {.fd = r->fd, .events = POLLIN};
	int n;
	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR && !stop_asked(r));
	return n == 0;
}

uint64_t
ws_line_reader_consumed(const ws_line_reader *r)
{
	return r->bytes_read - (r->end - r->start);
}
