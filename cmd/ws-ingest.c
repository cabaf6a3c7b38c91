/*
 * ws-ingest - append NDJSON points from stdin to a store.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

static const cli_option options[] = {
	{"space", 's', "N", "space_id for lines without one (default 0)"},
	{"skip-bad", 'k', NULL, "go on after a bad line (exit 1 all the same)"},
	{"rejects", 'r', "FILE", "copy rejected lines verbatim to FILE"},
	{"verbose", 'v', NULL, "report each commit and a summary on stderr"},
	{"batch-bytes", 'b', "SIZE", "commit every SIZE bytes of points (40M)"},
	{"max-line", 'l', "SIZE", "reject lines longer than SIZE (64M)"},
	{"max-wait", 'w', "SECONDS", "commit points within SECONDS of arrival (5; 0: off)"},
	{"time-unit", 'u', "UNIT", "integer timestamps are s, ms, us (default) or ns"},
	{"progress", 'p', NULL, "show progress on stderr (default: if a terminal)"},
	{"no-merge", 'M', NULL, "never merge into a series' small last block"},
	{0},
};

static const cli_program program = {
	"ws-ingest", "[options] [STORE] < points.ndjson",
	"Append NDJSON points from stdin to STORE, creating it if missing.",
	options,
};

static enum ws_time_unit
time_unit(const char *arg)
{
	static const char *const names[] = {
		[WS_UNIT_US] = "us", [WS_UNIT_S] = "s", [WS_UNIT_MS] = "ms",
		[WS_UNIT_NS] = "ns"};
	for (size_t u = 0; u < sizeof names / sizeof names[0]; u++)
		if (strcmp(arg, names[u]) == 0)
			return (enum ws_time_unit)u;
	cli_usage("--time-unit: invalid value '%s' (expected s, ms, us or ns)",
		  arg);
}

/*
 * Seconds or milliseconds taken for microseconds land in 1970: say so
 * once, at the end, when the latest time of the run is in 1970 but past
 * its first second (seconds and milliseconds of any date after
 * 1970-01-12 are), unless a unit was given, which also silences it for
 * data that really is that old.
 */
#define ONE_SECOND_US 1000000
static void
warn_if_misscaled(const ws_ingest_stats *stats, bool unit_given)
{
	if (!unit_given && stats->max_timestamp >= ONE_SECOND_US &&
	    stats->max_timestamp < WS_TIME_1971_US)
		cli_warn("every timestamp is before 1971-01-01T00:00:00Z: if "
			 "they are seconds or milliseconds, give --time-unit "
			 "s or ms");
}

int
main(int argc, char **argv)
{
	ws_ingest_opts o;
	ws_ingest_opts_init(&o);
	bool unit_given = false;
	progress_report rep = {0};
	bool show_progress = false;
	const char *rejects = NULL, *arg;
	int c;
	cli_init(&program, argc, argv);
	while ((c = cli_next_option(&arg)) != -1) {
		switch (c) {
		case 's': o.default_space = cli_u32("--space", arg); break;
		case 'k': o.skip_bad = true; break;
		case 'r': rejects = arg; break;
		case 'v': rep.verbose = true; break;
		case 'b': o.batch_bytes = cli_size("--batch-bytes", arg, 1024); break;
		case 'l': o.max_line = cli_size("--max-line", arg, 1024); break;
		case 'w': o.max_wait_ms = cli_seconds_ms("--max-wait", arg); break;
		case 'u': o.time_unit = time_unit(arg); unit_given = true; break;
		case 'p': show_progress = true; break;
		case 'M': o.no_merge = true; break;
		}
	}
	const char *path = cli_store();
	o.on_commit = progress_report_commit;
	o.on_reject = progress_report_reject;
	o.on_progress = progress_report_stats;
	o.ctx = &rep;
	if (rejects != NULL && (o.rejects_fd = cli_open_rejects(rejects)) < 0)
		return CLI_USAGE;

	ws_error err;
	ws_store *st;
	ws_ingest_stats stats = {0};
	o.stop = cli_catch_stop_signals();
	ws_status rc = ws_store_open(path, WS_OPEN_WRITE, &st, &err);
	if (rc == WS_OK) {
		progress_init(&rep.bar, "ws-ingest", show_progress, STDIN_FILENO);
		rc = ws_ingest_fd(st, STDIN_FILENO, "stdin", &o, &stats, &err);
		ws_store_close(st);
		progress_final(&rep.bar, stats.lines, stats.bytes);
	}
	/* Rejected lines were reported one by one; only other errors here. */
	int status = rc == WS_EBADINPUT && stats.rejected > 0 ? CLI_DATA
			   : rc == WS_OK || rc == WS_EINTR	? CLI_OK
								: cli_fail(&err);
	if (rep.verbose)
		cli_warn("%" PRIu64 " accepted, %" PRIu64 " replaced, %" PRIu64
			 " rejected, %" PRIu64 " blocks written",
			 stats.accepted, stats.replaced, stats.rejected,
			 stats.blocks);
	warn_if_misscaled(&stats, unit_given);
	if (o.rejects_fd >= 0 && close(o.rejects_fd) != 0) {
		cli_warn("%s: %s", rejects, strerror(errno));
		status = CLI_USAGE;
	}
	status = cli_finish(NULL, status);
	return rc == WS_EINTR && status == CLI_OK ? cli_die_by_stop_signal()
						  : status;
}
