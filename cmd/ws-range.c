/*
 * ws-range - the points of one series in a time range, or of the whole
 * store, in key order; or per series their count, their latest point or
 * their downsampled buckets.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

static const cli_option options[] = {
	{"entity", 'e', "N", "entity_id of the series"},
	{"space", 's', "N", "space_id of the series (default 0)"},
	{"from", 'f', "T", "first timestamp, inclusive (default: all time)"},
	{"to", 't', "T", "last timestamp, inclusive (default: all time)"},
	{"limit", 'n', "N", "print at most N points (or lines)"},
	{"reverse", 'r', NULL, "newest first (with --all: reverse key order)"},
	{"all", 'a', NULL, "every point of the store in key order"},
	{"count", 'c', NULL, "print the number of points of each series"},
	{"latest", 'l', NULL, "print the newest point of each series"},
	{"every", 'w', "DURATION", "one point per bucket of DURATION (--agg)"},
	{"agg", 'g', "FUNC", "mean, min, max, first, last, sum or count"},
	{"format", 'F', "FMT", "ndjson (the default) or csv"},
	{"time", 'T', "FORMAT", "print times as us (default) or rfc3339"},
	{0},
};

static const cli_program program = {
	"ws-range", "[options] [STORE]",
	"Print the points of one entity and space in [--from, --to], sorted by\n"
	"time, or with --all every point of the store; or per series their\n"
	"count, their latest point, or one aggregate point per time bucket.",
	options,
};

enum range_mode { MODE_POINTS, MODE_COUNT, MODE_LATEST, MODE_AGG };

/* What the options asked for. */
typedef struct range_job {
	ws_range_opts opts;
	uint64_t entity;
	uint32_t space;
	bool have_entity, have_space, all;
	uint64_t limit;
	enum range_mode mode;
	int64_t every;
	ws_agg_func agg;
	enum ws_format format;
	enum ws_time_format time_format;
} range_job;

/* A source of points: a cursor, or the buckets folded from one. */
typedef struct point_source {
	ws_cursor *cur;
	ws_agg *agg; /* NULL: the cursor's points as they are */
} point_source;

static ws_status
source_next(point_source *src, ws_point *pt, ws_error *err)
{
	return src->agg != NULL ? ws_agg_next(src->agg, pt, err)
				: ws_cursor_next(src->cur, pt, err);
}

static ws_status
print_points(point_source *src, ws_output *out, uint64_t limit,
	     ws_error *err)
{
	ws_printer *pr = ws_printer_new(out, err);
	if (pr == NULL)
		return WS_ENOMEM;
	ws_point pt;
	ws_status rc = WS_OK;
	for (uint64_t n = 0; n < limit && rc == WS_OK; n++) {
		rc = source_next(src, &pt, err);
		if (rc == WS_OK)
			rc = ws_printer_point(pr, &pt, err);
	}
	if (rc == WS_OK || rc == WS_NOTFOUND)
		rc = ws_printer_flush(pr, err);
	ws_printer_free(pr);
	return rc;
}

/* The cursor of the options: one series, or the whole store. */
static ws_status
open_cursor(ws_store *st, const range_job *job, ws_cursor **cur,
	    ws_error *err)
{
	return job->have_entity ? ws_store_range(st, job->entity, job->space,
						 &job->opts, cur, err)
				: ws_store_scan(st, &job->opts, cur, err);
}

static ws_status
run_points(ws_store *st, ws_output *out, const range_job *job, ws_error *err)
{
	point_source src = {0};
	ws_status rc = open_cursor(st, job, &src.cur, err);
	if (rc == WS_OK && job->mode == MODE_AGG)
		rc = ws_agg_open(src.cur, job->every, job->agg, &src.agg, err);
	if (rc == WS_OK)
		rc = print_points(&src, out, job->limit, err);
	ws_agg_free(src.agg);
	ws_cursor_free(src.cur);
	return rc;
}

/*
 * The points of each series counted as the cursor yields them, each key
 * once: one line per series met, or with --entity the one series even
 * when none of its points lies in the range.
 */
static ws_status
run_count(ws_store *st, ws_output *out, const range_job *job, ws_error *err)
{
	ws_cursor *cur;
	ws_status rc = open_cursor(st, job, &cur, err);
	uint64_t count = 0, lines = 0, entity = job->entity;
	uint32_t space = job->space;
	ws_point pt;
	while (rc == WS_OK && lines < job->limit &&
	       (rc = ws_cursor_next(cur, &pt, err)) == WS_OK) {
		if (count > 0 && (pt.entity_id != entity || pt.space_id != space)) {
			rc = ws_output_series_count(out, entity, space, count, err);
			lines++;
			count = 0;
		}
		entity = pt.entity_id;
		space = pt.space_id;
		count++;
	}
	ws_cursor_free(cur);
	if (rc == WS_NOTFOUND && lines < job->limit &&
	    (count > 0 || job->have_entity))
		rc = ws_output_series_count(out, entity, space, count, err);
	return rc == WS_NOTFOUND ? WS_OK : rc;
}

/* The newest point of one series in the range: a reversed range of one. */
static ws_status
print_latest(ws_store *st, ws_output *out, const range_job *job,
	     uint64_t entity, uint32_t space, bool *printed, ws_error *err)
{
	ws_range_opts o = job->opts;
	o.reverse = true;
	point_source src = {0};
	ws_status rc = ws_store_range(st, entity, space, &o, &src.cur, err);
	ws_point pt;
	*printed = false;
	if (rc == WS_OK && (rc = ws_cursor_next(src.cur, &pt, err)) == WS_OK) {
		rc = ws_output_point(out, &pt, err);
		*printed = rc == WS_OK;
	}
	ws_cursor_free(src.cur);
	return rc == WS_NOTFOUND ? WS_OK : rc;
}

/* The series --latest walks: those with a block in the range. */
static void
latest_filter(const range_job *job, ws_zone_filter *f)
{
	ws_zone_filter_init(f);
	f->has_entity = job->have_entity;
	f->entity = job->entity;
	f->has_space = job->have_space || job->have_entity;
	f->space = job->space;
	f->from = job->opts.from;
	f->to = job->opts.to;
}

static ws_status
run_latest(ws_store *st, ws_output *out, const range_job *job, ws_error *err)
{
	ws_zone_filter f;
	latest_filter(job, &f);
	if (f.from > f.to)
		return WS_OK;
	ws_series_iter *it;
	ws_status rc = ws_series_open(st, &f, &it, err);
	ws_series_info s;
	uint64_t lines = 0;
	while (rc == WS_OK && lines < job->limit &&
	       (rc = ws_series_next(it, &s, err)) == WS_OK) {
		bool printed;
		rc = print_latest(st, out, job, s.entity_id, s.space_id,
				  &printed, err);
		lines += printed;
	}
	ws_series_free(it);
	return rc == WS_NOTFOUND ? WS_OK : rc;
}

static int
run(ws_store *st, ws_output *out, void *ctx)
{
	const range_job *job = ctx;
	ws_error err;
	ws_output_set_time_format(out, job->time_format);
	int status = cli_set_format(out, job->format);
	if (status != CLI_OK)
		return status;
	/* A typo in --entity or --space is no empty window: say so. */
	ws_status rc = job->have_entity
			       ? ws_series_check(st, job->entity, job->space, &err)
			       : WS_OK;
	if (rc == WS_OK)
		switch (job->mode) {
		case MODE_COUNT: rc = run_count(st, out, job, &err); break;
		case MODE_LATEST: rc = run_latest(st, out, job, &err); break;
		default: rc = run_points(st, out, job, &err); break;
		}
	return rc == WS_OK ? CLI_OK : cli_fail(&err);
}

static void
set_mode(range_job *job, enum range_mode mode)
{
	if (job->mode != MODE_POINTS && job->mode != mode)
		cli_usage("--count, --latest and --every exclude each other");
	job->mode = mode;
}

/* The combinations of options that make no sense. */
static void
check_job(const range_job *job, bool have_agg)
{
	if (job->all && (job->have_entity || job->have_space))
		cli_usage("--all takes no --entity or --space");
	if (job->mode == MODE_AGG && !have_agg)
		cli_usage("--every needs --agg");
	if (have_agg && job->mode != MODE_AGG)
		cli_usage("--agg needs --every");
	if (job->mode == MODE_LATEST) {
		if (job->opts.reverse)
			cli_usage("--latest takes no --reverse");
		return;
	}
	if (job->mode == MODE_COUNT && job->format == WS_FORMAT_CSV)
		cli_usage("--count prints NDJSON only (no --format csv)");
	if (!job->all && !job->have_entity)
		cli_usage("--entity is required (or --all)");
}

int
main(int argc, char **argv)
{
	range_job job = {.opts = {.from = INT64_MIN, .to = INT64_MAX},
			 .limit = UINT64_MAX};
	bool have_agg = false;
	const char *arg;
	int c;
	cli_init(&program, argc, argv);
	while ((c = cli_next_option(&arg)) != -1) {
		switch (c) {
		case 'e': job.entity = cli_u64("--entity", arg); job.have_entity = true; break;
		case 's': job.space = cli_u32("--space", arg); job.have_space = true; break;
		case 'f': job.opts.from = cli_time("--from", arg); break;
		case 't': job.opts.to = cli_time("--to", arg); break;
		case 'n': job.limit = cli_u64("--limit", arg); break;
		case 'r': job.opts.reverse = true; break;
		case 'a': job.all = true; break;
		case 'c': set_mode(&job, MODE_COUNT); break;
		case 'l': set_mode(&job, MODE_LATEST); break;
		case 'w':
			set_mode(&job, MODE_AGG);
			job.every = cli_duration("--every", arg);
			break;
		case 'g':
			if (!ws_agg_func_parse(arg, &job.agg))
				cli_usage("--agg: invalid value '%s' (expected mean, min, max, first, last, sum or count)", arg);
			have_agg = true;
			break;
		case 'F': job.format = cli_format("--format", arg); break;
		case 'T': job.time_format = cli_time_format("--time", arg); break;
		}
	}
	const char *path = cli_store();
	check_job(&job, have_agg);
	return cli_run_reader(path, run, &job);
}
