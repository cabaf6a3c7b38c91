/*
 * ingest.c - NDJSON lines to committed batches: the engine of ws-ingest.
 *
 * Memory is bounded by the batch size and the line limit, never by the
 * input. Every line is settled in order: a good one joins the batch, a bad
 * one is reported (and copied to the rejects file); by default the first
 * bad line commits the batch and stops, so everything before it is
 * durable and nothing after it is taken.
 *
 * ws-delete runs the same engine over key lines (delete_keys): a good
 * line's key joins the pending deletes instead, committed as tombstones.
 */
#include "write/write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_BATCH_BYTES (40u * 1024u * 1024u)
#define DEFAULT_IDLE_COMMIT_MS 500
#define DEFAULT_MAX_WAIT_MS 5000
/*
 * Lines that are already there are parsed ahead in runs of about this
 * many bytes (at most an eighth of the batch), on two threads
 * (parse_ahead.c): large enough that starting the helper thread costs
 * little, small beside the batch in memory.
 */
#define AHEAD_BYTES (1u << 20)
#define AHEAD_LINES 16384u

void
ws_ingest_opts_init(ws_ingest_opts *o)
{
	memset(o, 0, sizeof *o);
	o->rejects_fd = -1;
	o->max_line = WS_DEFAULT_MAX_LINE;
	o->batch_bytes = DEFAULT_BATCH_BYTES;
	o->idle_commit_ms = DEFAULT_IDLE_COMMIT_MS;
	o->max_wait_ms = DEFAULT_MAX_WAIT_MS;
}

/* One run of ws_ingest_fd. */
typedef struct ingest {
	ws_store *st;
	const ws_ingest_opts *o;
	ws_ingest_stats *stats;
	ws_line_reader *in;
	const char *source;
	ws_point_buf *pb;
	ws__ahead ahead; /* the lines read but not yet settled */
	ws_batch batch;
	ws__deletes dels;    /* delete_keys: the keys instead */
	ws_manifest pending; /* dims of spaces this batch introduces */
	uint64_t settled;    /* every line up to this one is settled */
	uint64_t settled_bytes; /* the input up to its end */
	uint64_t reported;   /* the last line announced through on_commit */
	uint64_t batch_lines; /* accepted lines in the batch */
	int64_t batch_since;  /* when the oldest of them came, in ms */
} ingest;

/* A monotonic clock in milliseconds (0 if there is none to read). */
static int64_t
now_ms(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Hands the caller the lines and bytes read so far. */
static void
report_progress(ingest *in)
{
	if (in->o->on_progress == NULL)
		return;
	in->stats->bytes = in->settled_bytes;
	in->o->on_progress(in->o->ctx, in->stats);
}

/* What a commit settled: the lines so far, announced. */
static void
settled_commit(ingest *in)
{
	in->batch_lines = 0;
	if (in->settled > in->reported && in->o->on_commit != NULL)
		in->o->on_commit(in->o->ctx, in->settled);
	in->reported = in->settled;
	report_progress(in);
}

static ws_status
commit_deletes(ingest *in, ws_error *err)
{
	ws_delete_stats ds;
	ws_delete_stats_init(&ds);
	ws_status rc = ws__deletes_commit(in->st, &in->dels, &ds, err);
	if (rc != WS_OK)
		return rc;
	in->stats->commits += ds.commits;
	in->stats->blocks += ds.blocks;
	in->stats->deleted += ds.ranges;
	in->stats->accepted += in->batch_lines;
	ws__deletes_reset(&in->dels);
	settled_commit(in);
	return WS_OK;
}

/* Points or keys waiting for a commit, and the memory they take. */
static size_t
pending_entries(const ingest *in)
{
	return in->o->delete_keys ? in->dels.n : in->batch.n;
}

static size_t
pending_bytes(const ingest *in)
{
	return in->o->delete_keys ? ws__deletes_bytes(&in->dels)
				  : ws__batch_bytes(&in->batch);
}

static ws_status reject_conflict(void *ctx, const ws_batch *b,
				 const ws_batch_entry *e, uint32_t dim,
				 ws_error *err);

/*
 * Commits the batch. When a concurrent writer fixed the dimension of one
 * of its spaces first, the lines in that space are rejected and the rest
 * is committed: a retry for each space so lost.
 */
static ws_status
commit_batch(ingest *in, ws_error *err)
{
	if (in->o->delete_keys)
		return commit_deletes(in, err);
	uint64_t blocks, rejected = 0;
	size_t queued = in->batch.n, keys;
	ws_status rc;
	while ((rc = ws__store_commit(in->st, &in->batch, in->o->no_merge,
				      &blocks, &keys, err)) == WS_EBADINPUT) {
		size_t n; /* the failed commit reloaded the manifest */
		ws_status drc = ws__batch_drop_conflicts(
			&in->batch, &in->st->man, reject_conflict, in, &n, err);
		if (drc != WS_OK)
			return drc;
		if (n == 0)
			return rc;
		rejected += n;
	}
	if (rc != WS_OK)
		return rc;
	/* The commit kept the last line of each key: the rest were replaced. */
	in->stats->replaced += queued - (size_t)rejected - keys;
	if (keys > 0)
		in->stats->commits++;
	in->stats->blocks += blocks;
	/* Counted once committed: a batch a failed commit lost is not. */
	in->stats->accepted += in->batch_lines - rejected;
	ws__batch_reset(&in->batch);
	ws__manifest_free(&in->pending);
	settled_commit(in);
	return WS_OK;
}

/* The dimension a space has, committed or set earlier in this batch. */
static uint32_t
space_dim(const ingest *in, uint32_t space)
{
	uint32_t dim = ws__manifest_dim(&in->st->man, space);
	return dim ? dim : ws__manifest_dim(&in->pending, space);
}

static ws_status
dim_mismatch(ws_error *err, uint32_t given, uint32_t space, uint32_t held,
	     const char *why)
{
	return ws__err(err, WS_EBADINPUT,
		       "vector has %" PRIu32 " values but space %" PRIu32
		       " holds %" PRIu32 "%s",
		       given, space, held, why);
}

/* n lines joined the batch: the clock of max_wait starts with the first. */
static void
note_accepted(ingest *in, size_t n, int64_t max_ts)
{
	if (n == 0)
		return;
	if (in->batch_lines == 0 && in->o->max_wait_ms > 0)
		in->batch_since = now_ms();
	in->batch_lines += n;
	if (max_ts > in->stats->max_timestamp)
		in->stats->max_timestamp = max_ts;
}

static ws_status
accept_point(ingest *in, const ws_point *pt, uint64_t line, ws_error *err)
{
	size_t bytes = ws__point_bytes(pt);
	if (bytes > WS_MAX_POINT_BYTES)
		return ws__err(err, WS_EBADINPUT,
			       "point too large: vector and metadata take %zu "
			       "bytes, a block holds at most %u",
			       bytes, WS_MAX_POINT_BYTES);
	uint32_t dim = space_dim(in, pt->space_id);
	if (dim != 0 && dim != pt->dim)
		return dim_mismatch(err, pt->dim, pt->space_id, dim, "");
	ws_status rc = WS_OK;
	if (dim == 0)
		rc = ws__manifest_set_dim(&in->pending, pt->space_id, pt->dim,
					  err);
	if (rc == WS_OK)
		rc = ws__batch_add(&in->batch, pt, line, err);
	if (rc == WS_OK)
		note_accepted(in, 1, pt->timestamp);
	return rc;
}

/* delete_keys: a key to delete, whatever its dimension. */
static ws_status
accept_key(ingest *in, const ws_point *pt, ws_error *err)
{
	ws_status rc = ws__deletes_add(&in->dels, pt->entity_id, pt->space_id,
				       pt->timestamp, pt->timestamp, err);
	if (rc == WS_OK)
		note_accepted(in, 1, pt->timestamp);
	return rc;
}

/* Copies a rejected line verbatim, the rest of an over-long one included. */
static ws_status
keep_rejected(ingest *in, const ws_line *line, ws_error *err)
{
	int fd = in->o->rejects_fd;
	ws_status rc = WS_OK;
	if (fd >= 0)
		rc = ws__write_all(fd, line->text, line->len, "rejects file", err);
	if (rc == WS_OK && line->too_long)
		rc = ws_line_skip_rest(in->in, fd, err);
	else if (rc == WS_OK && fd >= 0)
		rc = ws__write_all(fd, "\n", 1, "rejects file", err);
	return rc;
}

/* Counts a rejected line and reports why, with its line number. */
static void
report_reject(ingest *in, uint64_t line, ws_error *why)
{
	ws__err_prefix(why, "%s:%" PRIu64, in->source, line);
	in->stats->rejected++;
	if (in->o->on_reject != NULL)
		in->o->on_reject(in->o->ctx, why);
}

static ws_status
reject(ingest *in, const ws_line *line, ws_error *why, ws_error *err)
{
	report_reject(in, line->number, why);
	return keep_rejected(in, line, err);
}

/*
 * A line of the batch that a concurrent writer's dimension made bad: its
 * text is gone, so the rejects file gets the point as a reader prints it.
 */
static ws_status
reject_conflict(void *ctx, const ws_batch *b, const ws_batch_entry *e,
		uint32_t dim, ws_error *err)
{
	ingest *in = ctx;
	ws_error why;
	dim_mismatch(&why, e->dim, e->space, dim, " (set by a concurrent writer)");
	report_reject(in, e->line, &why);
	if (in->o->rejects_fd < 0)
		return WS_OK;
	ws_point pt = {.entity_id = e->entity, .space_id = e->space,
		       .timestamp = e->ts, .dim = e->dim,
		       .vector = b->vec + e->vec_off};
	pt.meta = ws__batch_meta(b, e, &pt.meta_len);
	ws_output *out = ws_output_new(in->o->rejects_fd, "rejects file");
	if (out == NULL)
		return ws__err(err, WS_ENOMEM, "out of memory");
	ws_status rc = ws_output_point(out, &pt, err);
	ws_error close_err;
	ws_status crc = ws_output_close(out, &close_err);
	if (rc == WS_OK && crc != WS_OK)
		*err = close_err;
	return rc != WS_OK ? rc : crc;
}

/*
 * Settles one line: WS_OK, WS_EBADINPUT (reported), or a hard error.
 * `parsed` is its point when it was parsed ahead, else NULL.
 */
static ws_status
settle_line(ingest *in, const ws_line *line, const ws_point *parsed,
	    ws_error *err)
{
	ws_error why = {0};
	ws_point pt;
	ws_status rc;
	if (parsed != NULL) {
		pt = *parsed;
		rc = WS_OK;
	} else if (line->too_long)
		rc = ws__err(&why, WS_EBADINPUT, "line longer than %zu bytes",
			     in->o->max_line);
	else if (ws_line_is_blank(line->text, line->len))
		return WS_OK;
	else
		rc = ws_parse_point(line->text, line->len,
				    in->o->delete_keys ? WS_PARSE_KEY
						       : WS_PARSE_POINT,
				    in->o->default_space, in->pb, &pt, &why);
	if (rc == WS_OK) {
		rc = in->o->delete_keys ? accept_key(in, &pt, &why)
					: accept_point(in, &pt, line->number, &why);
		if (rc != WS_EBADINPUT) {
			if (rc != WS_OK)
				*err = why;
			return rc;
		}
	}
	if (rc != WS_EBADINPUT) {
		*err = why;
		return rc;
	}
	rc = reject(in, line, &why, err);
	return rc == WS_OK ? WS_EBADINPUT : rc;
}

/*
 * The input failed (a read error) or a signal asked to stop: the lines
 * accepted so far are still committed, so nothing already accepted is lost, then the failure is
 * reported. A failing commit is reported instead.
 */
static ws_status
fail_input(ingest *in, ws_status rc, ws_error *err)
{
	ws_error read_err = *err;
	ws_status crc = commit_batch(in, err);
	if (crc != WS_OK)
		return crc;
	*err = read_err;
	return rc;
}

/*
 * Before waiting for input: commit when the input pauses (idle_commit_ms)
 * or when the oldest pending point has waited max_wait_ms, so that a
 * feed that never pauses long enough still gets its points committed.
 * The clock is read only when no line is buffered.
 */
static bool
time_to_commit(ingest *in)
{
	if (pending_entries(in) == 0 || ws_line_reader_ready(in->in))
		return false;
	int wait = in->o->idle_commit_ms;
	if (in->o->max_wait_ms > 0) {
		int64_t left = in->batch_since + in->o->max_wait_ms - now_ms();
		if (left <= 0)
			return true;
		if (wait <= 0 || left < wait)
			wait = (int)left;
	}
	return wait > 0 && ws_line_reader_would_block(in->in, wait);
}

static bool
stop_asked(const ingest *in)
{
	return in->o->stop != NULL && *in->o->stop != 0;
}

/*
 * Without skip_bad the first rejected line ends the input: one rejected
 * when read, or by a commit (see commit_batch).
 */
static bool
must_stop(const ingest *in)
{
	return !in->o->skip_bad && in->stats->rejected > 0;
}

static ws_status
interrupted(ingest *in, ws_error *err)
{
	return fail_input(in, ws__err(err, WS_EINTR, "%s: interrupted",
				      in->source),
			  err);
}

/*
 * The next lines to settle: those the input holds already, read without
 * waiting (their text stays in the line reader until the next read that
 * waits), else one line, waiting for it. A too-long line ends a run, as
 * the rest of it is read when it is settled. WS_NOTFOUND at the end.
 */
static ws_status
read_run(ingest *in, ws_error *err)
{
	ws__ahead *a = &in->ahead;
	ws__ahead_reset(a);
	ws_line line;
	ws_status rc = WS_OK;
	/* A small batch gets small runs: the run counts against it. */
	size_t want = in->o->batch_bytes / 8 < AHEAD_BYTES
			      ? in->o->batch_bytes / 8
			      : AHEAD_BYTES;
	if (!in->o->delete_keys)
		rc = ws_line_reader_gather(in->in, want, err);
	while (rc == WS_OK && !in->o->delete_keys && a->bytes < want &&
	       a->n < AHEAD_LINES && ws_line_reader_ready(in->in) &&
	       (a->n == 0 || !a->lines[a->n - 1].too_long) &&
	       (rc = ws_line_read(in->in, &line, err)) == WS_OK)
		rc = ws__ahead_add(a, &line, err);
	if (rc == WS_NOTFOUND && a->n > 0)
		rc = WS_OK;
	if (rc != WS_OK || a->n > 0)
		return rc;
	rc = ws_line_read(in->in, &line, err);
	return rc == WS_OK ? ws__ahead_add(a, &line, err) : rc;
}

/* Lines [.., i] are settled: where the input stands. */
static void
settled_through(ingest *in, size_t i)
{
	const ws__ahead *a = &in->ahead;
	in->settled = a->lines[i].number;
	/* The last line's end counts the rest of a too-long one. */
	in->settled_bytes = i + 1 == a->n ? ws_line_reader_consumed(in->in)
					  : a->lines[i].end;
}

/* The run's memory counts: a batch and a run take batch_bytes. */
static bool
batch_full(const ingest *in, size_t more)
{
	return pending_bytes(in) + more + ws__ahead_bytes(&in->ahead) >=
	       in->o->batch_bytes;
}

/*
 * Whether every point of a parsed half (none too large: the half left
 * those out) would be accepted as it is, as accept_point decides: into
 * spaces whose dimension is known already, of that dimension.
 */
static bool
half_acceptable(const ingest *in, const ws_batch *b)
{
	uint32_t space = 0, dim = 0;
	for (size_t i = 0; i < b->n; i++) {
		const ws_batch_entry *e = &b->e[i];
		if (i == 0 || e->space != space) {
			space = e->space;
			dim = space_dim(in, space);
		}
		if (dim == 0 || dim != e->dim)
			return false;
	}
	return true;
}

/*
 * Takes a half of the run whose lines all parsed in one step, when
 * settling them one by one would end the same way: all accepted, no
 * commit before the last of them. Settling line by line copied each
 * point again, on the one thread while the other waited (a tenth of
 * sensor ingest). *took: whether it did; i is past the half then.
 */
static ws_status
settle_half(ingest *in, size_t *i, bool *took, ws_error *err)
{
	ws__ahead *a = &in->ahead;
	const struct ws__ahead_half *h = ws__ahead_whole_half(a, *i);
	*took = false;
	if (h == NULL || must_stop(in) ||
	    batch_full(in, ws__batch_bytes(&h->points)) ||
	    !half_acceptable(in, &h->points))
		return WS_OK;
	ws_status rc = ws__batch_append(&in->batch, &h->points, err);
	if (rc != WS_OK)
		return rc;
	ws__ahead_took_half(a, h);
	*took = true;
	uint64_t lines = in->stats->lines;
	in->stats->lines += h->end - h->first;
	note_accepted(in, h->points.n, h->max_ts);
	*i = h->end;
	settled_through(in, h->end - 1);
	if (lines >> 8 != in->stats->lines >> 8)
		report_progress(in);
	return WS_OK;
}

/* Settles the run's lines in input order, committing when a batch is full. */
static ws_status
settle_run(ingest *in, ws_error *err)
{
	ws__ahead *a = &in->ahead;
	ws_status rc = in->o->delete_keys ? WS_OK : ws__ahead_parse(a, err);
	size_t i = 0;
	while (rc == WS_OK && i < a->n && !must_stop(in)) {
		/* Checked per line: reading a regular file never waits. */
		if (stop_asked(in))
			return interrupted(in, err);
		bool took = false;
		if (!in->o->delete_keys &&
		    ((rc = settle_half(in, &i, &took, err)) != WS_OK || took))
			continue;
		if ((++in->stats->lines & 255) == 0)
			report_progress(in);
		ws_point pt;
		bool parsed = !in->o->delete_keys && ws__ahead_point(a, i, &pt);
		rc = settle_line(in, &a->lines[i], parsed ? &pt : NULL, err);
		settled_through(in, i);
		i++;
		if (rc == WS_EBADINPUT)
			rc = WS_OK;
		if (rc == WS_OK && batch_full(in, 0))
			rc = commit_batch(in, err);
	}
	return rc;
}

static ws_status
run(ingest *in, ws_error *err)
{
	while (!must_stop(in)) {
		ws_status rc;
		if (stop_asked(in))
			return interrupted(in, err);
		if (time_to_commit(in) && (rc = commit_batch(in, err)) != WS_OK)
			return rc;
		if (must_stop(in))
			break;
		rc = read_run(in, err);
		if (rc == WS_NOTFOUND)
			break;
		if (rc != WS_OK)
			return fail_input(in, rc, err);
		if ((rc = settle_run(in, err)) != WS_OK)
			return rc;
	}
	ws_status rc = commit_batch(in, err);
	if (rc == WS_OK && in->stats->rejected > 0)
		rc = ws__err(err, WS_EBADINPUT, "%s: %" PRIu64 " line%s rejected",
			     in->source, in->stats->rejected,
			     in->stats->rejected == 1 ? "" : "s");
	return rc;
}

ws_status
ws_ingest_fd(ws_store *st, int fd, const char *source,
	     const ws_ingest_opts *opts, ws_ingest_stats *stats, ws_error *err)
{
	memset(stats, 0, sizeof *stats);
	stats->max_timestamp = INT64_MIN;
	ingest in = {.st = st, .o = opts, .stats = stats, .source = source};
	ws__batch_init(&in.batch);
	ws__deletes_init(&in.dels);
	ws__ahead_init(&in.ahead, opts->default_space, opts->time_unit);
	in.batch.source = source;
	ws__manifest_init(&in.pending);
	in.in = ws_line_reader_new(fd, source, opts->max_line);
	if (in.in != NULL)
		ws_line_reader_set_stop(in.in, opts->stop);
	in.pb = ws_point_buf_new();
	if (in.pb != NULL)
		ws_point_buf_set_time_unit(in.pb, opts->time_unit);
	ws_status rc = in.in && in.pb
			       ? run(&in, err)
			       : ws__err(err, WS_ENOMEM, "out of memory");
	stats->bytes = in.settled_bytes;
	ws_line_reader_free(in.in);
	ws_point_buf_free(in.pb);
	ws__batch_free(&in.batch);
	ws__ahead_free(&in.ahead);
	ws__deletes_free(&in.dels);
	ws__manifest_free(&in.pending);
	return rc;
}
