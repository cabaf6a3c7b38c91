/*
 * warmstore.h - public API of libwarmstore, the library behind the ws-*
 * programs.
 *
 * Conventions, stated once:
 *  - Every function that can fail returns a ws_status and, on failure,
 *    fills the caller's ws_error with a message that names the file or the
 *    input line ("STORE/MANIFEST: reason", "stdin:12: reason").
 *  - Handles (ws_store, ws_cursor, ws_ingest, ws_line_reader) are opaque;
 *    each has one function that frees it and accepts NULL.
 *  - A ws_point handed out by the library is a view: its vector and metadata
 *    stay valid only until the next call on the handle that produced it.
 *  - Nothing in the library exits the process or prints anything except
 *    through the ws_output and ws_ingest callbacks the caller passes in.
 */
#ifndef WARMSTORE_H
#define WARMSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define WS_MUST_CHECK __attribute__((warn_unused_result))
#define WS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define WS_MUST_CHECK
#define WS_PRINTF(f, a)
#endif

/* Graded results. The programs map them to exit statuses. */
typedef enum ws_status {
	WS_OK = 0,
	WS_NOTFOUND,  /* the key or series is not in the store */
	WS_EBADINPUT, /* an input line (point or key) was rejected */
	WS_ECORRUPT,  /* a store file failed a check (CRC, length, path) */
	WS_EIO,       /* a system call failed */
	WS_ENOMEM,    /* an allocation failed */
	WS_EUSAGE,    /* a caller passed an invalid argument */
	WS_EINTR      /* stopped as asked by a signal (see ws_ingest_opts) */
} ws_status;

/* The last error of a call: its grade and a one-line message. */
typedef struct ws_error {
	ws_status code;
	char msg[1024];
} ws_error;

/* Short English name of a status ("corrupt store file"). */
const char *ws_strerror(ws_status code);

/* Field limits of warmstore(5), "The point". */
#define WS_MAX_DIM 65535u
#define WS_DEFAULT_MAX_LINE (64u * 1024u * 1024u)
/*
 * The most one point's vector (4 bytes a value) and encoded metadata may
 * take: a point is stored within one block, and readers refuse larger
 * blocks (warmstore(5)). Every line of WS_DEFAULT_MAX_LINE bytes fits, as
 * a value takes at least 2 bytes of JSON; with a larger line limit
 * ws-ingest refuses the points beyond this.
 */
#define WS_MAX_POINT_BYTES (WS_DEFAULT_MAX_LINE + 4u * WS_MAX_DIM)

/*
 * One point. `meta` is the metadata in its encoded form (see
 * ws_meta_next()); meta_len is 0 when the point has none.
 */
typedef struct ws_point {
	uint64_t entity_id;
	uint32_t space_id;
	int64_t timestamp;
	uint32_t dim;
	const float *vector;
	const unsigned char *meta;
	size_t meta_len;
} ws_point;

/* One metadata pair; key and value are UTF-8 and may hold NUL bytes. */
typedef struct ws_meta_pair {
	const char *key;
	size_t key_len;
	const char *value;
	size_t value_len;
} ws_meta_pair;

/*
 * Walks encoded metadata: *pos starts at 0; returns true and fills *pair
 * while pairs remain. The encoding is trusted (it was checked when parsed
 * or decoded).
 */
bool ws_meta_next(const unsigned char *meta, size_t meta_len, size_t *pos,
		  ws_meta_pair *pair);

/*
 * Plain decimal integers ("-12", "18446744073709551615"), exact over 64
 * bits; false on anything else or on overflow.
 */
bool ws_parse_u64(const char *s, size_t n, uint64_t *out);
bool ws_parse_i64(const char *s, size_t n, int64_t *out);

/* --- NDJSON codec --------------------------------------------------- */

/* Reusable storage for parsed points: one per reader of input lines. */
typedef struct ws_point_buf ws_point_buf;

ws_point_buf *ws_point_buf_new(void);
void ws_point_buf_free(ws_point_buf *buf);

/* What the parser insists on. */
enum ws_parse_mode {
	WS_PARSE_POINT, /* a full point: vector required */
	WS_PARSE_KEY    /* a key: vector and metadata optional, ignored */
};

/*
 * Parses one NDJSON line (without its newline) into *pt, whose storage
 * lives in buf. Returns WS_OK, or WS_EBADINPUT with the reason (no
 * source or line prefix) in err. default_space fills a missing space_id.
 */
WS_MUST_CHECK ws_status ws_parse_point(const char *line, size_t len,
				       enum ws_parse_mode mode,
				       uint32_t default_space,
				       ws_point_buf *buf, ws_point *pt,
				       ws_error *err);

/* True when the line holds only JSON white space. */
bool ws_line_is_blank(const char *line, size_t len);

/*
 * Reads lines of bounded length from a file descriptor, so that memory
 * stays bounded whatever the input.
 */
typedef struct ws_line_reader ws_line_reader;

typedef struct ws_line {
	const char *text; /* the line without its newline */
	size_t len;
	uint64_t number; /* 1-based */
	bool too_long;   /* text holds only the first max_len bytes */
	uint64_t end;    /* input bytes consumed up to its end */
} ws_line;

ws_line_reader *ws_line_reader_new(int fd, const char *source,
				   size_t max_len);
void ws_line_reader_free(ws_line_reader *r);
/* WS_OK with a line, WS_NOTFOUND at end of input, or WS_EIO. */
WS_MUST_CHECK ws_status ws_line_read(ws_line_reader *r, ws_line *line,
				     ws_error *err);
/*
 * After a too_long line: consumes the rest of it, copying it to `sink`
 * (a file descriptor, or -1 to drop it).
 */
WS_MUST_CHECK ws_status ws_line_skip_rest(ws_line_reader *r, int sink,
					  ws_error *err);
/* True when read() on the input would wait (a pipe with no data yet). */
bool ws_line_reader_would_block(ws_line_reader *r, int timeout_ms);
/* Whether a line, or the end of input, can be read without waiting. */
bool ws_line_reader_ready(const ws_line_reader *r);
/*
 * Reads ahead without waiting: until `want` unread bytes are buffered,
 * the input has no more to give at once, or it ends. Lines that are then
 * ready (ws_line_reader_ready) are read without another read(), so their
 * text stays where it is until the next ws_line_read that is not ready.
 * A read that fails here is reported by the ws_line_read that needs it.
 */
WS_MUST_CHECK ws_status ws_line_reader_gather(ws_line_reader *r, size_t want,
					      ws_error *err);

/* Buffered output on a file descriptor with checked writes. */
typedef struct ws_output ws_output;

ws_output *ws_output_new(int fd, const char *name);
/* Flushes and frees; reports a failed write. */
WS_MUST_CHECK ws_status ws_output_close(ws_output *out, ws_error *err);
/* Appends the canonical NDJSON line of the point, newline included. */
WS_MUST_CHECK ws_status ws_output_point(ws_output *out, const ws_point *pt,
					ws_error *err);
WS_MUST_CHECK ws_status ws_output_bytes(ws_output *out, const void *p,
					size_t n, ws_error *err);
WS_MUST_CHECK ws_status ws_output_flush(ws_output *out, ws_error *err);
/*
 * A memory output collects lines instead of writing them: ws_output_size
 * counts the bytes so far, ws_output_memory returns them (NUL-terminated,
 * valid until the next call), ws_output_memory_reset empties it.
 */
ws_output *ws_output_new_memory(void);
size_t ws_output_size(const ws_output *out);
const char *ws_output_memory(ws_output *out, ws_error *err);
void ws_output_memory_reset(ws_output *out);

/*
 * Prints points through out on a helper thread (printer.c) once more than
 * a few thousand have come, so that the caller finds the next points
 * while the last are printed. Until ws_printer_flush has returned, and
 * then until the next ws_printer_point, nothing else may use out. A
 * failure to print is returned by a later ws_printer_point or by the
 * flush. ws_printer_free does not flush.
 */
typedef struct ws_printer ws_printer;

/* NULL with err set when out of memory. */
ws_printer *ws_printer_new(ws_output *out, ws_error *err);
WS_MUST_CHECK ws_status ws_printer_point(ws_printer *p, const ws_point *pt,
					 ws_error *err);
WS_MUST_CHECK ws_status ws_printer_flush(ws_printer *p, ws_error *err);
void ws_printer_free(ws_printer *p);

/*
 * Writes the shortest decimal that reads back (strtof) to the same f32.
 * buf must hold WS_F32_BUFSIZE bytes; returns the length. f must be finite.
 */
#define WS_F32_BUFSIZE 32
size_t ws_format_f32(float f, char *buf);

/* --- output formats (csv_write.c) ------------------------------------ */

enum ws_format {
	WS_FORMAT_NDJSON, /* the default: one JSON object per line */
	/*
	 * RFC 4180 with LF line ends: a header line
	 * `entity_id,space_id,timestamp,v0,...,metadata` before the first
	 * point, the metadata column the JSON object (empty when none).
	 * A point whose dimension differs from the header's is WS_EBADINPUT.
	 */
	WS_FORMAT_CSV
};

/* How ws_output_point writes points from now on. */
WS_MUST_CHECK ws_status ws_output_set_format(ws_output *out,
					     enum ws_format format,
					     ws_error *err);

/* --- times (wstime.c) ------------------------------------------------ */

/*
 * The time forms of warmstore(5), exact to the microsecond. None of these
 * touch libc's time functions or the time zone: they are pure integer
 * arithmetic on the proleptic Gregorian calendar, and thread-safe.
 *
 * Errors are WS_EUSAGE with the reason alone (no source or option
 * prefix), for the caller to put in front.
 */

/*
 * A positive duration: one or more NUMBER UNIT groups with UNIT among us,
 * ms, s, m, h, d, w, larger units first, each at most once ("90s",
 * "1h30m", "2w3d"), as microseconds.
 */
WS_MUST_CHECK ws_status ws_parse_duration(const char *s, size_t n,
					  int64_t *us, ws_error *err);
/*
 * An absolute RFC 3339 time, as NDJSON "timestamp" strings carry it:
 * "2026-11-25T10:00:00Z", 1 to 6 fraction digits, an offset "+01:00" or
 * "Z" (t and z in lower case too), or a date "2026-11-25" (midnight UTC).
 * Leap seconds (second 60) are rejected.
 */
WS_MUST_CHECK ws_status ws_parse_rfc3339(const char *s, size_t n,
					 int64_t *us, ws_error *err);
/*
 * A time argument: integer microseconds, any ws_parse_rfc3339 form,
 * "now", "now-DURATION" or "now+DURATION", where now is now_us. The
 * result must fit an i64.
 */
WS_MUST_CHECK ws_status ws_parse_time(const char *s, size_t n, int64_t now_us,
				      int64_t *us, ws_error *err);

/*
 * Writes us as RFC 3339 in UTC with six fraction digits
 * ("2026-11-25T10:00:00.000000Z") and a NUL; returns the length. Instants
 * outside the years 0000..9999, which RFC 3339 cannot write, come out as
 * integer microseconds instead (ws_rfc3339_can_format tells which), so
 * that whatever it writes reads back through ws_parse_time.
 */
#define WS_RFC3339_BUFSIZE 32
size_t ws_format_rfc3339(int64_t us, char *buf);
bool ws_rfc3339_can_format(int64_t us);

/*
 * How an output writes timestamps (--time): integer microseconds, the
 * default, or RFC 3339 strings in UTC as ws_format_rfc3339 writes them
 * (an instant it cannot write stays an integer). ws_output_point and
 * ws_output_zone honour it; either form reads back to the same instant.
 */
enum ws_time_format { WS_TIME_US = 0, WS_TIME_RFC3339 };
void ws_output_set_time_format(ws_output *out, enum ws_time_format f);
enum ws_time_format ws_output_time_format(const ws_output *out);

/*
 * The unit of integer timestamps in input (ws-ingest --time-unit); RFC
 * 3339 strings carry their own. ws_time_to_us scales v exactly: a result
 * outside i64, or nanoseconds that are not whole microseconds, is an
 * error, never rounded.
 */
enum ws_time_unit { WS_UNIT_US = 0, WS_UNIT_S, WS_UNIT_MS, WS_UNIT_NS };
WS_MUST_CHECK ws_status ws_time_to_us(int64_t v, enum ws_time_unit unit,
				      int64_t *us, ws_error *err);
/* The unit the points parsed into buf take their integer timestamps in. */
void ws_point_buf_set_time_unit(ws_point_buf *buf, enum ws_time_unit unit);
/* 1971-01-01T00:00:00Z: ingested times all before it look mis-scaled. */
#define WS_TIME_1971_US INT64_C(31536000000000)

/* --- the store ------------------------------------------------------ */

typedef struct ws_store ws_store;

enum ws_open_flags {
	WS_OPEN_READ = 0,
	WS_OPEN_WRITE = 1, /* the caller will commit; implies CREATE */
};

/*
 * Opens the store directory at path. A reader loads the committed
 * manifest and the index segment headers: nothing that grows with the
 * number of points. WS_OPEN_WRITE creates the store when it is missing.
 * A ws_store belongs to one thread at a time (reads cache and check as
 * they go); open one per thread.
 */
WS_MUST_CHECK ws_status ws_store_open(const char *path, int flags,
				      ws_store **out, ws_error *err);
void ws_store_close(ws_store *st);

/* Exact lookup; WS_NOTFOUND when the key is absent. */
WS_MUST_CHECK ws_status ws_store_get(ws_store *st, uint64_t entity,
				     uint32_t space, int64_t ts,
				     ws_point *out, ws_error *err);

/* --- queries --------------------------------------------------------- */

typedef struct ws_range_opts {
	int64_t from, to; /* inclusive */
	bool reverse;     /* newest first */
} ws_range_opts;

typedef struct ws_cursor ws_cursor;

/* Points of one series in [from, to], each key once, latest write wins. */
WS_MUST_CHECK ws_status ws_store_range(ws_store *st, uint64_t entity,
				       uint32_t space,
				       const ws_range_opts *opts,
				       ws_cursor **out, ws_error *err);
/* Every point of the store in (entity, space, timestamp) order. */
WS_MUST_CHECK ws_status ws_store_scan(ws_store *st,
				      const ws_range_opts *opts,
				      ws_cursor **out, ws_error *err);
/* WS_OK with a point, WS_NOTFOUND when done, or an error. */
WS_MUST_CHECK ws_status ws_cursor_next(ws_cursor *c, ws_point *pt,
				       ws_error *err);
void ws_cursor_free(ws_cursor *c);

/* --- lookups of many keys ---------------------------------------------- */

typedef struct ws_lookup_opts {
	const char *source;     /* names the input in messages ("stdin") */
	uint32_t default_space; /* for key lines without space_id */
	/* Called for every bad key line, with "SOURCE:LINE: reason". */
	void (*on_bad)(void *ctx, const ws_error *why);
	void *ctx;
} ws_lookup_opts;

typedef struct ws_lookup_stats {
	uint64_t keys, found, missing, bad;
} ws_lookup_stats;

/*
 * Reads NDJSON key lines from fd and writes the point of each key found
 * to out, in input order; a missing key prints nothing. Keys are looked
 * up a chunk at a time in key order, so that each block is inflated once
 * per chunk however the keys are ordered.
 */
WS_MUST_CHECK ws_status ws_lookup_fd(ws_store *st, int fd,
				     const ws_lookup_opts *o, ws_output *out,
				     ws_lookup_stats *stats, ws_error *err);

/* --- ingest ---------------------------------------------------------- */

struct ws_ingest_stats;

typedef struct ws_ingest_opts {
	uint32_t default_space;
	bool skip_bad;          /* go on after a rejected line */
	int rejects_fd;         /* rejected lines go here verbatim; -1: none */
	size_t max_line;        /* longest accepted line in bytes */
	size_t batch_bytes;     /* commit when the batch holds this much */
	int idle_commit_ms;     /* commit when input pauses this long */
	/* Commit when a point has waited this long, even if input never
	 * pauses (a steady slow feed); 0: no limit. */
	int max_wait_ms;
	enum ws_time_unit time_unit; /* of integer timestamps */
	/*
	 * When *stop becomes non-zero (a signal handler sets it), the lines
	 * accepted so far are committed and ws_ingest_fd returns WS_EINTR;
	 * NULL: never. A handler installed without SA_RESTART also ends a
	 * read that waits for input.
	 */
	const volatile sig_atomic_t *stop;
	/* Called after each commit with the last settled input line. */
	void (*on_commit)(void *ctx, uint64_t through_line);
	/* Called for every rejected line with the message. */
	void (*on_reject)(void *ctx, const ws_error *why);
	/* Called every few hundred lines and after each commit, with lines
	 * and bytes of the stats up to date; may be NULL. */
	void (*on_progress)(void *ctx, const struct ws_ingest_stats *stats);
	void *ctx;
	/*
	 * The lines are keys to delete (ws-delete): ws-get's key lines, whole
	 * points accepted too, committed as tombstones (see ws_delete_range).
	 */
	bool delete_keys;
	/*
	 * Every commit writes its points in blocks of its own, never merged
	 * into a series' small last block (automatic compaction, see
	 * warmstore(5)): ws-ingest --no-merge.
	 */
	bool no_merge;
} ws_ingest_opts;

typedef struct ws_ingest_stats {
	/* accepted: good lines committed; a batch a failed commit lost is not */
	uint64_t lines, accepted, rejected, blocks, commits;
	/* The latest timestamp of a line accepted; INT64_MIN when none. */
	int64_t max_timestamp;
	/* Accepted lines whose key an earlier line of the same batch had:
	 * they replaced it (repeats across batches are not seen). */
	uint64_t replaced;
	uint64_t bytes; /* input consumed */
	/* delete_keys: the ranges (keys, adjacent ones merged) committed as
	 * tombstones, those that touch a stored block. */
	uint64_t deleted;
} ws_ingest_stats;

/* Sets the defaults: space 0, stop at the first bad line, 40 MiB batches. */
void ws_ingest_opts_init(ws_ingest_opts *opts);

/*
 * Reads NDJSON points from fd (named `source` in messages) into the store
 * and commits them in batches. Returns WS_OK when every line was good,
 * WS_EBADINPUT when a line was rejected (after committing every good line
 * before it), or another error, in which case everything before the last
 * reported commit is durable.
 */
WS_MUST_CHECK ws_status ws_ingest_fd(ws_store *st, int fd, const char *source,
				     const ws_ingest_opts *opts,
				     ws_ingest_stats *stats, ws_error *err);

/* --- stopping on a signal (line_reader.c) ----------------------------- */

/*
 * Makes reads of r give up with WS_EINTR once *stop is non-zero, before
 * a read() and when one fails with EINTR; NULL (the default): never.
 */
void ws_line_reader_set_stop(ws_line_reader *r,
			     const volatile sig_atomic_t *stop);

/* --- the zone map (zones.c) ------------------------------------------ */

/* One block as the zone map records it. */
typedef struct ws_zone_info {
	uint64_t entity_id;
	uint32_t space_id;
	uint32_t file_id;      /* data file: "data/%08u.wsd" */
	uint64_t offset;       /* of the block header in that file */
	int64_t min_timestamp, max_timestamp;
	uint64_t seq;          /* commit sequence number of the block */
	uint32_t point_count;  /* 0 for a tombstone */
	uint32_t bytes;        /* on disk: 72-byte header + deflate payload */
	uint32_t raw_bytes;    /* payload after inflate */
	bool tombstone;        /* a block of deleted ranges, not of points */
	uint32_t ranges;       /* a tombstone's number of ranges */
} ws_zone_info;

/* Which blocks a zone iterator yields: all fields narrow, none widen. */
typedef struct ws_zone_filter {
	bool has_entity, has_space;
	uint64_t entity;
	uint32_t space;
	int64_t from, to;      /* the block's [min, max] must overlap */
} ws_zone_filter;

/* Totals over the blocks a filter selects. */
typedef struct ws_zone_totals {
	uint64_t points;       /* stored points, overwritten versions too */
	uint64_t entities;     /* distinct entity_ids */
	uint64_t spaces;       /* distinct space_ids */
	uint64_t blocks;
	uint64_t files;        /* distinct data files holding those blocks */
	uint64_t bytes;        /* sum of the blocks' bytes on disk */
	uint64_t raw_bytes;    /* sum of their raw payload sizes */
	uint64_t lost_found_bytes; /* in STORE/lost+found, whatever the filter */
	uint64_t tombstones;   /* of the blocks, tombstones (no points) */
} ws_zone_totals;

typedef struct ws_zone_iter ws_zone_iter;

/* Sets a filter that selects every block. */
void ws_zone_filter_init(ws_zone_filter *f);
/*
 * Walks the committed zone map in key order (entity, space, seq,
 * min_timestamp) across all index segments. With an entity the walk
 * starts by binary search, so it costs only that entity's records.
 */
WS_MUST_CHECK ws_status ws_zones_open(ws_store *st, const ws_zone_filter *f,
				      ws_zone_iter **out, ws_error *err);
/* WS_OK with a block, WS_NOTFOUND when done, or an error. */
WS_MUST_CHECK ws_status ws_zones_next(ws_zone_iter *it, ws_zone_info *z,
				      ws_error *err);
void ws_zones_free(ws_zone_iter *it);
/* Totals of the blocks the filter selects. */
WS_MUST_CHECK ws_status ws_zones_summary(ws_store *st,
					 const ws_zone_filter *f,
					 ws_zone_totals *t, ws_error *err);
/* One NDJSON line per block / for the totals, newline included. */
WS_MUST_CHECK ws_status ws_output_zone(ws_output *out, const ws_zone_info *z,
				       ws_error *err);
WS_MUST_CHECK ws_status ws_output_zone_totals(ws_output *out,
					      const ws_zone_totals *t,
					      ws_error *err);

/* --- series (series.c) ------------------------------------------------ */

/* One series as the zone map knows it: totals over its blocks. */
typedef struct ws_series_info {
	uint64_t entity_id;
	uint32_t space_id;
	uint64_t blocks;
	uint64_t points;       /* stored points, overwritten versions too */
	int64_t min_timestamp, max_timestamp;
	uint64_t bytes;        /* sum of the blocks' bytes on disk */
} ws_series_info;

typedef struct ws_series_iter ws_series_iter;

/*
 * Walks the series whose blocks the filter selects, in key order, with
 * the totals of the selected blocks only. Reads the zone map, never a
 * data file.
 */
WS_MUST_CHECK ws_status ws_series_open(ws_store *st, const ws_zone_filter *f,
				       ws_series_iter **out, ws_error *err);
/* WS_OK with a series, WS_NOTFOUND when done, or an error. */
WS_MUST_CHECK ws_status ws_series_next(ws_series_iter *it, ws_series_info *s,
				       ws_error *err);
void ws_series_free(ws_series_iter *it);
/* One NDJSON line for the series, newline included. */
WS_MUST_CHECK ws_status ws_output_series(ws_output *out,
					 const ws_series_info *s,
					 ws_error *err);
/* `{"entity_id":E,"space_id":S,"count":N}` and a newline. */
WS_MUST_CHECK ws_status ws_output_series_count(ws_output *out,
					       uint64_t entity, uint32_t space,
					       uint64_t count, ws_error *err);
/*
 * WS_OK when the store holds a block of (entity, space); else WS_NOTFOUND
 * with a message naming the spaces the entity does have, if any.
 */
WS_MUST_CHECK ws_status ws_series_check(ws_store *st, uint64_t entity,
					uint32_t space, ws_error *err);

/* --- downsampling (aggregate.c) ------------------------------------- */

/* What a bucket's points are folded into, per dimension. */
typedef enum ws_agg_func {
	WS_AGG_MEAN,
	WS_AGG_MIN,
	WS_AGG_MAX,
	WS_AGG_FIRST, /* the vector of the earliest point */
	WS_AGG_LAST,  /* the vector of the latest point */
	WS_AGG_SUM,
	WS_AGG_COUNT  /* a one-value vector: the number of points */
} ws_agg_func;

/* "mean", "min", ... "count"; false for any other name. */
bool ws_agg_func_parse(const char *name, ws_agg_func *out);
/* floor(t / every) for every > 0, negative t included. */
int64_t ws_bucket_index(int64_t t, int64_t every);
/*
 * index * every, the bucket's start; INT64_MIN for the one bucket that
 * starts before the earliest representable time.
 */
int64_t ws_bucket_start(int64_t index, int64_t every);

typedef struct ws_agg ws_agg;

/*
 * Folds the points of src (which the caller keeps and frees after the
 * ws_agg) into one point per series per bucket of `every` microseconds:
 * its timestamp the bucket start, its vector the aggregate, no metadata.
 * Means and sums accumulate in double; a sum beyond the f32 range is
 * WS_EBADINPUT.
 */
WS_MUST_CHECK ws_status ws_agg_open(ws_cursor *src, int64_t every,
				    ws_agg_func func, ws_agg **out,
				    ws_error *err);
/* WS_OK with a point, WS_NOTFOUND when done, or an error. */
WS_MUST_CHECK ws_status ws_agg_next(ws_agg *a, ws_point *pt, ws_error *err);
void ws_agg_free(ws_agg *a);

/* --- rebuilding and checking (reindex.c) ----------------------------- */

/* What a problem found by ws_reindex() costs. */
enum ws_problem_kind {
	WS_PROBLEM_DERIVED, /* an index, manifest or stray file: rebuilt */
	WS_PROBLEM_DAMAGE,  /* data: a block moved aside or a torn tail cut */
	/*
	 * Not a problem: a file a commit or compaction cut short left,
	 * named by no MANIFEST. A repair removes it; a check passes.
	 */
	WS_PROBLEM_LEFTOVER
};

typedef struct ws_reindex_opts {
	bool check; /* change nothing, only report */
	/* Called once per problem, with the message naming file and offset. */
	void (*on_problem)(void *ctx, enum ws_problem_kind kind,
			   const char *msg);
	/* Called as the scan advances: bytes of data files verified so far. */
	void (*on_progress)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
} ws_reindex_opts;

typedef struct ws_reindex_stats {
	uint64_t files, blocks, points; /* verified data */
	uint64_t bytes;                 /* bytes of data files scanned */
	uint64_t problems;              /* every problem reported */
	uint64_t damage;                /* of which WS_PROBLEM_DAMAGE */
	uint64_t leftovers;             /* WS_PROBLEM_LEFTOVER, not problems */
	uint64_t lost_found_bytes;      /* in STORE/lost+found at the end */
	bool changed;                   /* a file of the store was written */
} ws_reindex_stats;

/*
 * Rebuilds the index and manifest of the store at path from its data
 * files, verifying every block, under the writer lock. A block that fails
 * its checks is copied to STORE/lost+found and left out; a torn tail is
 * cut off. When the derived files already agree with the data, nothing is
 * written. With opts->check nothing is ever written. Returns WS_OK when
 * the scan completed (problems are counted in stats), or an error.
 */
WS_MUST_CHECK ws_status ws_reindex(const char *path,
				   const ws_reindex_opts *opts,
				   ws_reindex_stats *stats, ws_error *err);

/* --- compaction --------------------------------------------------------- */

typedef struct ws_compact_stats {
	uint64_t points;                     /* points kept (latest writes) */
	uint64_t blocks_before, blocks_after; /* blocks indexed */
	uint64_t bytes_before, bytes_after;   /* committed data bytes */
} ws_compact_stats;

/*
 * Rewrites the store at path so that each series sits in as few blocks as
 * the block limits allow and overwritten and deleted points are dropped,
 * a batch of whole series per commit, giving back the data files left
 * wasteful as it goes: the space it needs is bounded, not in proportion
 * to the store (warmstore(5), Compaction). Readers go on undisturbed.
 */
/*
 * Progress of a long run (a compaction, a retention run): called as it
 * advances with the work done of the total (points rewritten of those the
 * zone map holds; index records read of all), so the last call may stop
 * short of total. NULL on_progress: no reports.
 */
typedef struct ws_progress_opts {
	void (*on_progress)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
} ws_progress_opts;

/* opts may be NULL. */
WS_MUST_CHECK ws_status ws_compact(const char *path,
				   const ws_progress_opts *opts,
				   ws_compact_stats *stats, ws_error *err);

/* --- deletes and retention (delete.c) ---------------------------------- */

/* What a delete committed. */
typedef struct ws_delete_stats {
	uint64_t series; /* series given tombstones */
	uint64_t ranges; /* ranges written: keys and ranges that touch a block */
	uint64_t blocks; /* tombstone blocks written */
	uint64_t commits;
	/* Retention: the index, the data files and their bytes, before and
	 * after the blocks and files it hides entirely were dropped. */
	uint64_t blocks_before, blocks_after;
	uint64_t files_before, files_after;
	uint64_t bytes_before, bytes_after;
} ws_delete_stats;

void ws_delete_stats_init(ws_delete_stats *s);
/*
 * Deletes the points of one series in [from, to] (inclusive) as one
 * commit: a tombstone block that hides them from every reader, a later
 * write of the same key showing again (warmstore(5), Tombstones).
 * Nothing is written when no stored block of the series overlaps.
 */
WS_MUST_CHECK ws_status ws_delete_range(ws_store *st, uint64_t entity,
					uint32_t space, int64_t from,
					int64_t to, ws_delete_stats *stats,
					ws_error *err);
/*
 * Retention: deletes every point with timestamp < before (of space only
 * when has_space) as one commit, and drops the blocks and data files that
 * hold only such points, read from the zone map alone. Nothing is written
 * when an earlier cutoff already hides as much. |before| <= 2^53. The
 * rewrite of the index reports progress to progress (may be NULL).
 */
WS_MUST_CHECK ws_status ws_delete_before(ws_store *st, int64_t before,
					 bool has_space, uint32_t space,
					 const ws_progress_opts *progress,
					 ws_delete_stats *stats,
					 ws_error *err);

/* --- input progress ------------------------------------------------------ */

/* Bytes of the input consumed so far: read, less what is still buffered. */
uint64_t ws_line_reader_consumed(const ws_line_reader *r);

#endif
