/*
 * ws-ingest - append NDJSON points from stdin to a store.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
	{"progress", 'p', NULL, "show progress on stderr (default: if a terminal)"},
	{0},
};

static const cli_program program = {
	"ws-ingest", "[options] [STORE] < points.ndjson",
	"Append NDJSON points from stdin to STORE, creating it if missing.",
	options,
};

/* What the callbacks of a run report to. */
typedef struct reporting {
	bool verbose;
	progress bar;
} reporting;

static void
report_commit(void *ctx, uint64_t through)
{
	reporting *r = ctx;
	if (!r->verbose)
		return;
	progress_clear(&r->bar);
	cli_warn("committed through line %" PRIu64, through);
}

static void
report_reject(void *ctx, const ws_error *why)
{
	reporting *r = ctx;
	progress_clear(&r->bar);
	cli_warn("%s", why->msg);
}

static void
report_progress(void *ctx, const ws_ingest_stats *stats)
{
	reporting *r = ctx;
	progress_update(&r->bar, stats->lines, stats->bytes);
}

static int
open_rejects(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		cli_warn("%s: %s", path, strerror(errno));
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	ws_ingest_opts o;
	ws_ingest_opts_init(&o);
	reporting rep = {0};
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
		case 'p': show_progress = true; break;
		}
	}
	const char *path = cli_store();
	o.on_commit = report_commit;
	o.on_reject = report_reject;
	o.on_progress = report_progress;
	o.ctx = &rep;
	if (rejects != NULL && (o.rejects_fd = open_rejects(rejects)) < 0)
		return CLI_USAGE;

	ws_error err;
	ws_store *st;
	ws_ingest_stats stats = {0};
	ws_status rc = ws_store_open(path, WS_OPEN_WRITE, &st, &err);
	if (rc == WS_OK) {
		progress_init(&rep.bar, "ws-ingest", show_progress, STDIN_FILENO);
		rc = ws_ingest_fd(st, STDIN_FILENO, "stdin", &o, &stats, &err);
		ws_store_close(st);
		progress_final(&rep.bar, stats.lines, stats.bytes);
	}
	/* Rejected lines were reported one by one; only other errors here. */
	int status = rc == WS_EBADINPUT && stats.rejected > 0 ? CLI_DATA
			   : rc == WS_OK			? CLI_OK
								: cli_fail(&err);
	if (rep.verbose)
		cli_warn("%" PRIu64 " accepted, %" PRIu64 " replaced, %" PRIu64
			 " rejected, %" PRIu64 " blocks written",
			 stats.accepted, stats.replaced, stats.rejected,
			 stats.blocks);
	if (o.rejects_fd >= 0 && close(o.rejects_fd) != 0) {
		cli_warn("%s: %s", rejects, strerror(errno));
		status = CLI_USAGE;
	}
	return cli_finish(NULL, status);
}
