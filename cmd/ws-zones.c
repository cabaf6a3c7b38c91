/*
 * ws-zones - the zone map of a store: one NDJSON line per block, or the
 * totals with --summary.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

static const cli_option options[] = {
	{"entity", 'e', "N", "only blocks of entity N"},
	{"space", 's', "N", "only blocks of space N"},
	{"from", 'f', "T", "only blocks holding times at or after T"},
	{"to", 't', "T", "only blocks holding times at or before T"},
	{"summary", 'S', NULL, "print one line of totals instead"},
	{"series", 'L', NULL, "print one line per series instead"},
	{"time", 'T', "FORMAT", "print times as us (default) or rfc3339"},
	{0},
};

static const cli_program program = {
	"ws-zones", "[options] [STORE]",
	"Print the zone map of the store: one NDJSON line per block, in key\n"
	"order, or with --summary one line of totals.",
	options,
};

static ws_status
print_zones(ws_store *st, const ws_zone_filter *f, ws_output *out,
	    ws_error *err)
{
	ws_zone_iter *it;
	ws_status rc = ws_zones_open(st, f, &it, err);
	ws_zone_info z;
	while (rc == WS_OK && (rc = ws_zones_next(it, &z, err)) == WS_OK)
		rc = ws_output_zone(out, &z, err);
	ws_zones_free(it);
	return rc == WS_NOTFOUND ? WS_OK : rc;
}

static ws_status
print_summary(ws_store *st, const ws_zone_filter *f, ws_output *out,
	      ws_error *err)
{
	ws_zone_totals t;
	ws_status rc = ws_zones_summary(st, f, &t, err);
	return rc == WS_OK ? ws_output_zone_totals(out, &t, err) : rc;
}

static ws_status
print_series(ws_store *st, const ws_zone_filter *f, ws_output *out,
	     ws_error *err)
{
	ws_series_iter *it;
	ws_status rc = ws_series_open(st, f, &it, err);
	ws_series_info s;
	while (rc == WS_OK && (rc = ws_series_next(it, &s, err)) == WS_OK)
		rc = ws_output_series(out, &s, err);
	ws_series_free(it);
	return rc == WS_NOTFOUND ? WS_OK : rc;
}

/* What the options asked for. */
typedef struct zones_job {
	const ws_zone_filter *filter;
	bool summary, series;
	enum ws_time_format time_format;
} zones_job;

static int
run(ws_store *st, ws_output *out, void *ctx)
{
	const zones_job *job = ctx;
	ws_error err;
	ws_output_set_time_format(out, job->time_format);
	ws_status rc = job->summary  ? print_summary(st, job->filter, out, &err)
		       : job->series ? print_series(st, job->filter, out, &err)
				     : print_zones(st, job->filter, out, &err);
	return rc == WS_OK ? CLI_OK : cli_fail(&err);
}

int
main(int argc, char **argv)
{
	ws_zone_filter f;
	bool summary = false, series = false;
	enum ws_time_format time_format = WS_TIME_US;
	const char *arg;
	int c;
	ws_zone_filter_init(&f);
	/* Neither reads input it could reject: an empty result is success. */
	cli_exit_help("0 success, 2 usage or environment error (1 is not used)");
	cli_init(&program, argc, argv);
	while ((c = cli_next_option(&arg)) != -1) {
		switch (c) {
		case 'e': f.entity = cli_u64("--entity", arg); f.has_entity = true; break;
		case 's': f.space = cli_u32("--space", arg); f.has_space = true; break;
		case 'f': f.from = cli_time("--from", arg); break;
		case 't': f.to = cli_time("--to", arg); break;
		case 'S': summary = true; break;
		case 'L': series = true; break;
		case 'T': time_format = cli_time_format("--time", arg); break;
		}
	}
	const char *path = cli_store();
	if (summary && series)
		cli_usage("--summary and --series exclude each other");
	zones_job job = {&f, summary, series, time_format};
	return cli_run_reader(path, run, &job);
}
