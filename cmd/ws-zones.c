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

int
main(int argc, char **argv)
{
	ws_zone_filter f;
	bool summary = false;
	const char *arg;
	int c;
	ws_zone_filter_init(&f);
	cli_init(&program, argc, argv);
	while ((c = cli_next_option(&arg)) != -1) {
		switch (c) {
		case 'e': f.entity = cli_u64("--entity", arg); f.has_entity = true; break;
		case 's': f.space = cli_u32("--space", arg); f.has_space = true; break;
		case 'f': f.from = cli_i64("--from", arg); break;
		case 't': f.to = cli_i64("--to", arg); break;
		case 'S': summary = true; break;
		}
	}
	const char *path = cli_store();

	ws_error err;
	ws_store *st;
	if (ws_store_open(path, WS_OPEN_READ, &st, &err) != WS_OK)
		return cli_finish(NULL, cli_fail(&err));
	ws_output *out = ws_output_new(STDOUT_FILENO, "stdout");
	int status;
	if (out == NULL) {
		cli_warn("out of memory");
		status = CLI_USAGE;
	} else {
		ws_status rc = summary ? print_summary(st, &f, out, &err)
				       : print_zones(st, &f, out, &err);
		status = rc == WS_OK ? CLI_OK : cli_fail(&err);
	}
	status = cli_finish(out, status);
	ws_store_close(st);
	return status;
}
