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

int
main(int argc, char **argv)
{
	ws_range_opts o = {.from = INT64_MIN, .to = INT64_MAX};
	uint64_t entity = 0, limit = UINT64_MAX;
	uint32_t space = 0;
	bool have_entity = false, have_space = false, all = false;
	const char *arg;
	int c;
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

	ws_error err;
	ws_store *st;
	if (ws_store_open(path, WS_OPEN_READ, &st, &err) != WS_OK)
		return cli_finish(NULL, cli_fail(&err));
	ws_cursor *cur = NULL;
	ws_status rc = all ? ws_store_scan(st, &o, &cur, &err)
			   : ws_store_range(st, entity, space, &o, &cur, &err);
	ws_output *out = ws_output_new(STDOUT_FILENO, "stdout");
	int status;
	if (rc == WS_OK && out == NULL) {
		cli_warn("out of memory");
		status = CLI_USAGE;
	} else {
		if (rc == WS_OK)
			rc = print_points(cur, out, limit, &err);
		status = rc == WS_OK ? CLI_OK : cli_fail(&err);
	}
	status = cli_finish(out, status);
	ws_cursor_free(cur);
	ws_store_close(st);
	return status;
}
