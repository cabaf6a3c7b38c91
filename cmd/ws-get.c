/*
 * ws-get - exact lookups by (entity, space, timestamp).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

static const cli_option options[] = {
	{"entity", 'e', "N", "entity_id of the one key to look up"},
	{"space", 's', "N", "space_id (default 0)"},
	{"timestamp", 't', "T", "timestamp of the one key to look up"},
	{"format", 'F', "FMT", "ndjson (the default) or csv"},
	{"time", 'T', "FORMAT", "print times as us (default) or rfc3339"},
	{0},
};

static const cli_program program = {
	"ws-get", "[options] [STORE] [< keys.ndjson]",
	"Print the points of the given keys; exit 1 if any is missing.\n"
	"Without --entity and --timestamp, keys are read as NDJSON from stdin.",
	options,
};

/* Looks up one key and prints it; WS_NOTFOUND when absent. */
static ws_status
lookup(ws_store *st, ws_output *out, uint64_t e, uint32_t s, int64_t t,
       ws_error *err)
{
	ws_point pt;
	ws_status rc = ws_store_get(st, e, s, t, &pt, err);
	return rc == WS_OK ? ws_output_point(out, &pt, err) : rc;
}

static void
report_bad(void *ctx, const ws_error *why)
{
	(void)ctx;
	cli_warn("%s", why->msg);
}

/* Answers each key line of stdin; returns the exit status. */
static int
lookup_stdin(ws_store *st, ws_output *out, uint32_t space)
{
	ws_lookup_opts o = {.source = "stdin", .default_space = space,
			    .on_bad = report_bad};
	ws_lookup_stats stats;
	ws_error err;
	if (ws_lookup_fd(st, STDIN_FILENO, &o, out, &stats, &err) != WS_OK)
		return cli_fail(&err);
	return stats.missing > 0 || stats.bad > 0 ? CLI_DATA : CLI_OK;
}

/* What the options asked for. */
typedef struct get_job {
	uint64_t entity;
	uint32_t space;
	int64_t ts;
	bool one_key; /* from --entity and --timestamp, else stdin */
	enum ws_format format;
	enum ws_time_format time_format;
} get_job;

static int
run(ws_store *st, ws_output *out, void *ctx)
{
	const get_job *job = ctx;
	int status = cli_set_format(out, job->format);
	if (status != CLI_OK)
		return status;
	ws_output_set_time_format(out, job->time_format);
	if (!job->one_key)
		return lookup_stdin(st, out, job->space);
	ws_error err;
	ws_status rc = lookup(st, out, job->entity, job->space, job->ts, &err);
	return rc == WS_NOTFOUND ? CLI_DATA : rc == WS_OK ? CLI_OK : cli_fail(&err);
}

int
main(int argc, char **argv)
{
	uint64_t entity = 0;
	uint32_t space = 0;
	int64_t ts = 0;
	bool have_entity = false, have_ts = false;
	enum ws_format format = WS_FORMAT_NDJSON;
	enum ws_time_format time_format = WS_TIME_US;
	const char *arg;
	int c;
	cli_init(&program, argc, argv);
	while ((c = cli_next_option(&arg)) != -1) {
		switch (c) {
		case 'e': entity = cli_u64("--entity", arg); have_entity = true; break;
		case 's': space = cli_u32("--space", arg); break;
		case 't': ts = cli_time("--timestamp", arg); have_ts = true; break;
		case 'F': format = cli_format("--format", arg); break;
		case 'T': time_format = cli_time_format("--time", arg); break;
		}
	}
	const char *path = cli_store();
	if (have_entity != have_ts)
		cli_usage("--entity and --timestamp go together");

	get_job job = {entity, space, ts, have_entity, format, time_format};
	return cli_run_reader(path, run, &job);
}
