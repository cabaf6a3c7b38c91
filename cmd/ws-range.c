/*
 * ws-range - the points of one series in a time range, or of the whole
 * store, in key order.
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
	{"limit", 'n', "N", "print at most N points"},
	{"reverse", 'r', NULL, "newest first (with --all: reverse key order)"},
	{"all", 'a', NULL, "every point of the store in key order"},
	{0},
};

static const cli_program program = {
	"ws-range", "[options] [STORE]",
	"Print the points of one entity and space in [--from, --to], sorted by\n"
	"time, or with --all every point of the store.",
	options,
};

static ws_status
print_points(ws_cursor *cur, ws_output *out, uint64_t limit, ws_error *err)
{
	ws_point pt;
	ws_status rc = WS_OK;
	for (uint64_t n = 0; n < limit && rc == WS_OK; n++) {
		rc = ws_cursor_next(cur, &pt, err);
		if (rc == WS_OK)
			rc = ws_output_point(out, &pt, err);
	}
	return rc == WS_NOTFOUND ? WS_OK : rc;
}

/* What the options asked for. */
typedef struct range_job {
	const ws_range_opts *opts;
	uint64_t entity;
	uint32_t space;
	uint64_t limit;
	bool all;
} range_job;

static int
run(ws_store *st, ws_output *out, void *ctx)
{
	const range_job *job = ctx;
	ws_error err;
	ws_cursor *cur = NULL;
	ws_status rc = job->all ? ws_store_scan(st, job->opts, &cur, &err)
				: ws_store_range(st, job->entity, job->space,
						 job->opts, &cur, &err);
	if (rc == WS_OK)
		rc = print_points(cur, out, job->limit, &err);
	ws_cursor_free(cur);
	return rc == WS_OK ? CLI_OK : cli_fail(&err);
}

int
main(int argc, char **argv)
{
	ws_range_opts o = {.from = INT64_MIN, .to = INT64_MAX};
	uint64_t entity = 0, limit = UINT64_MAX;
	uint32_t space = 0;
	bool have_entity = false, have_space = false, all = false;
	const char *arg;
	int c;
	/* Neither reads input it could reject: an empty result is success. */
	cli_exit_help("0 success, 2 usage or environment error (1 is not used)");
	cli_init(&program, argc, argv);
	while ((c = cli_next_option(&arg)) != -1) {
		switch (c) {
		case 'e': entity = cli_u64("--entity", arg); have_entity = true; break;
		case 's': space = cli_u32("--space", arg); have_space = true; break;
		case 'f': o.from = cli_i64("--from", arg); break;
		case 't': o.to = cli_i64("--to", arg); break;
		case 'n': limit = cli_u64("--limit", arg); break;
		case 'r': o.reverse = true; break;
		case 'a': all = true; break;
		}
	}
	const char *path = cli_store();
	if (all && (have_entity || have_space))
		cli_usage("--all takes no --entity or --space");
	if (!all && !have_entity)
		cli_usage("--entity is required (or --all)");

	range_job job = {&o, entity, space, limit, all};
	return cli_run_reader(path, run, &job);
}
