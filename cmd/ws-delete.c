/*
 * ws-delete - forget points: one key, a time range of one series, keys
 * read from stdin, or everything older than a cutoff (retention).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

static const cli_option options[] = {
	{"entity", 'e', "N", "entity_id of the series to delete from"},
	{"space", 's', "N", "space_id (default 0; with --before: only it)"},
	{"timestamp", 't', "T", "delete the one key at T"},
	{"from", 'f', "T", "first timestamp deleted, inclusive (default: all)"},
	{"to", 'T', "T", "last timestamp deleted, inclusive (default: all)"},
	{"before", 'b', "T", "retention: every point older than T"},
	{"skip-bad", 'k', NULL, "go on after a bad key line (exit 1 all the same)"},
	{"rejects", 'r', "FILE", "copy rejected key lines verbatim to FILE"},
	{"verbose", 'v', NULL, "report what was committed on stderr"},
	{"progress", 'p', NULL, "show progress on stderr (default: if a terminal)"},
	{0},
};

static const cli_program program = {
	"ws-delete", "[options] [STORE] [< keys.ndjson]",
	"Delete points from STORE: the key --entity/--timestamp, the range\n"
	"--entity [--from] [--to], everything before --before, or else the\n"
	"keys of the NDJSON key lines (or points) on stdin.",
	options,
};

/* What the options asked for. */
typedef struct delete_job {
	uint64_t entity;
	uint32_t space;
	int64_t from, to, before;
	bool have_entity, have_space, have_ts, have_range, have_before;
	bool skip_bad, verbose, progress;
	const char *rejects;
} delete_job;

/* "timestamp T" or "[FROM, TO]", open bounds as "all time". */
static const char *
shown_range(const delete_job *j, char *buf, size_t n)
{
	char from[32] = "all time", to[32] = "all time";
	if (j->from != INT64_MIN)
		snprintf(from, sizeof from, "%" PRId64, j->from);
	if (j->to != INT64_MAX)
		snprintf(to, sizeof to, "%" PRId64, j->to);
	if (j->have_ts)
		snprintf(buf, n, "timestamp %s", from);
	else
		snprintf(buf, n, "[%s, %s]", from, to);
	return buf;
}

static int
delete_range(ws_store *st, const delete_job *j)
{
	ws_delete_stats stats;
	ws_error err;
	ws_delete_stats_init(&stats);
	if (ws_delete_range(st, j->entity, j->space, j->from, j->to, &stats,
			    &err) != WS_OK)
		return cli_fail(&err);
	char range[80];
	if (j->verbose && stats.commits > 0)
		cli_warn("entity %" PRIu64 " space %" PRIu32 " %s: committed "
			 "(%" PRIu64 " tombstone block)",
			 j->entity, j->space, shown_range(j, range, sizeof range),
			 stats.blocks);
	else if (j->verbose)
		cli_warn("entity %" PRIu64 " space %" PRIu32 " %s: no stored "
			 "block there, nothing to commit",
			 j->entity, j->space, shown_range(j, range, sizeof range));
	return CLI_OK;
}

static int
delete_before(ws_store *st, const delete_job *j)
{
	ws_delete_stats s;
	ws_error err;
	ws_delete_stats_init(&s);
	progress_share bar = {.name = "ws-delete"};
	progress_share_start(&bar, "dropping what retention hides",
			     "index records");
	ws_progress_opts o = {
		.on_progress = j->progress || isatty(STDERR_FILENO) == 1
				       ? progress_share_update
				       : NULL,
		.ctx = &bar};
	ws_status rc = ws_delete_before(st, j->before, j->have_space, j->space,
					&o, &s, &err);
	progress_share_end(&bar);
	if (rc != WS_OK)
		return cli_fail(&err);
	if (!j->verbose)
		return CLI_OK;
	if (s.commits == 0)
		cli_warn("before %" PRId64 ": an earlier retention hides as "
			 "much, nothing to commit",
			 j->before);
	else
		cli_warn("before %" PRId64 ": committed; blocks %" PRIu64
			 " -> %" PRIu64 ", data files %" PRIu64 " -> %" PRIu64
			 ", bytes %" PRIu64 " -> %" PRIu64,
			 j->before, s.blocks_before, s.blocks_after,
			 s.files_before, s.files_after, s.bytes_before,
			 s.bytes_after);
	return CLI_OK;
}

static int
delete_stdin(ws_store *st, const delete_job *j)
{
	ws_ingest_opts o;
	ws_ingest_opts_init(&o);
	o.delete_keys = true;
	o.default_space = j->space;
	o.skip_bad = j->skip_bad;
	progress_report rep = {.verbose = j->verbose};
	o.on_commit = progress_report_commit;
	o.on_reject = progress_report_reject;
	o.on_progress = progress_report_stats;
	o.ctx = &rep;
	o.stop = cli_catch_stop_signals();
	if (j->rejects != NULL && (o.rejects_fd = cli_open_rejects(j->rejects)) < 0)
		return CLI_USAGE;
	ws_ingest_stats stats;
	ws_error err;
	progress_init(&rep.bar, "ws-delete", j->progress, STDIN_FILENO);
	ws_status rc = ws_ingest_fd(st, STDIN_FILENO, "stdin", &o, &stats, &err);
	progress_final(&rep.bar, stats.lines, stats.bytes);
	/* Rejected lines were reported one by one; only other errors here. */
	int status = rc == WS_EBADINPUT && stats.rejected > 0 ? CLI_DATA
		     : rc == WS_OK || rc == WS_EINTR	     ? CLI_OK
							     : cli_fail(&err);
	if (j->verbose)
		cli_warn("%" PRIu64 " keys accepted, %" PRIu64
			 " ranges deleted, %" PRIu64 " rejected, %" PRIu64
			 " tombstone blocks written",
			 stats.accepted, stats.deleted, stats.rejected,
			 stats.blocks);
	if (o.rejects_fd >= 0 && close(o.rejects_fd) != 0) {
		cli_warn("%s: %s", j->rejects, strerror(errno));
		status = CLI_USAGE;
	}
	return status;
}

static void
check_options(delete_job *j)
{
	if (j->have_before && (j->have_entity || j->have_ts || j->have_range))
		cli_usage("--before deletes from every series: it takes no "
			  "--entity, --timestamp, --from or --to");
	if (!j->have_entity && (j->have_ts || j->have_range))
		cli_usage("--timestamp, --from and --to need --entity");
	if (j->have_ts && j->have_range)
		cli_usage("--timestamp deletes one key: it takes no --from or --to");
	if (j->have_entity && !j->have_ts && j->from > j->to)
		cli_usage("--from is after --to");
}

int
main(int argc, char **argv)
{
	delete_job j = {.from = INT64_MIN, .to = INT64_MAX};
	const char *arg;
	int c;
	cli_init(&program, argc, argv);
	while ((c = cli_next_option(&arg)) != -1) {
		switch (c) {
		case 'e': j.entity = cli_u64("--entity", arg); j.have_entity = true; break;
		case 's': j.space = cli_u32("--space", arg); j.have_space = true; break;
		case 't': j.from = j.to = cli_time("--timestamp", arg); j.have_ts = true; break;
		case 'f': j.from = cli_time("--from", arg); j.have_range = true; break;
		case 'T': j.to = cli_time("--to", arg); j.have_range = true; break;
		case 'b': j.before = cli_time("--before", arg); j.have_before = true; break;
		case 'k': j.skip_bad = true; break;
		case 'r': j.rejects = arg; break;
		case 'v': j.verbose = true; break;
		case 'p': j.progress = true; break;
		}
	}
	const char *path = cli_store();
	check_options(&j);

	ws_error err;
	ws_store *st;
	/* A delete never creates a store: what is not there is deleted. */
	ws_status rc = ws_store_open(path, WS_OPEN_READ, &st, &err);
	if (rc != WS_OK)
		return cli_finish(NULL, cli_fail(&err));
	int status = j.have_before ? delete_before(st, &j)
		     : j.have_entity ? delete_range(st, &j)
				     : delete_stdin(st, &j);
	ws_store_close(st);
	status = cli_finish(NULL, status);
	/* Stopped by a signal after committing what it read: end by it. */
	return status == CLI_OK && cli_stop_requested() ? cli_die_by_stop_signal()
							: status;
}
