/*
 * ws-reindex - rebuild the index and MANIFEST of a store from its data
 * files, or with --check only compare and report.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

static const cli_option options[] = {
	{"check", 'c', NULL, "change nothing; report every problem, exit 1 if any"},
	{"progress", 'p', NULL, "show progress on stderr even when it is not a terminal"},
	{"verbose", 'v', NULL, "also report rebuilt index and manifest problems, and a summary"},
	{"compact", 'C', NULL, "then rewrite every series into as few blocks as possible"},
	{0},
};

static const cli_program program = {
	"ws-reindex", "[options] [STORE]",
	"Verify every block of the store and rebuild its index and MANIFEST\n"
	"from the data files; with --check, only report what does not agree.",
	options,
	true,
};

/* What the callbacks need. */
typedef struct run_ctx {
	bool check, verbose, progress, compact;
	progress_share bar;
} run_ctx;

static void
on_problem(void *ctx, enum ws_problem_kind kind, const char *msg)
{
	run_ctx *c = ctx;
	/*
	 * A repair rebuilds derived files as a matter of course; the files a
	 * crash leaves are no problem for a check, but a repair says where
	 * it moved them.
	 */
	if (!c->verbose && (c->check ? kind == WS_PROBLEM_LEFTOVER
				     : kind == WS_PROBLEM_DERIVED))
		return;
	progress_share_end(&c->bar);
	cli_warn("%s", msg);
}

static void
on_reindex_progress(void *ctx, uint64_t done, uint64_t total)
{
	run_ctx *c = ctx;
	progress_share_update(&c->bar, done, total);
}

/* Runs the compaction after a successful repair; returns the status. */
static int
compact(const char *path, run_ctx *c, int status)
{
	ws_compact_stats cs;
	ws_error err;
	progress_share_start(&c->bar, "compacting", "points");
	ws_progress_opts o = {
		.on_progress = c->progress ? progress_share_update : NULL,
		.ctx = &c->bar};
	ws_status rc = ws_compact(path, &o, &cs, &err);
	progress_share_end(&c->bar);
	if (rc != WS_OK)
		return cli_fail(&err);
	bool verbose = c->verbose;
	if (verbose)
		cli_warn("%s: compacted %" PRIu64 " points: %" PRIu64
			 " blocks into %" PRIu64 ", %" PRIu64 " bytes into %" PRIu64,
			 path, cs.points, cs.blocks_before, cs.blocks_after,
			 cs.bytes_before, cs.bytes_after);
	return status;
}

int
main(int argc, char **argv)
{
	run_ctx c = {.bar = {.name = "ws-reindex"}};
	progress_share_start(&c.bar, "verifying", "bytes");
	const char *arg;
	int opt;
	cli_init(&program, argc, argv);
	while ((opt = cli_next_option(&arg)) != -1) {
		switch (opt) {
		case 'c': c.check = true; break;
		case 'p': c.progress = true; break;
		case 'v': c.verbose = true; break;
		case 'C': c.compact = true; break;
		}
	}
	const char *path = cli_store();
	if (c.check && c.compact)
		cli_usage("--check changes nothing: it takes no --compact");
	c.progress |= isatty(STDERR_FILENO) == 1;

	ws_reindex_opts o = {
		.check = c.check,
		.on_problem = on_problem,
		.on_progress = c.progress ? on_reindex_progress : NULL,
		.ctx = &c,
	};
	ws_reindex_stats s;
	ws_error err;
	ws_status rc = ws_reindex(path, &o, &s, &err);
	progress_share_end(&c.bar);
	if (rc != WS_OK)
		return cli_finish(NULL, cli_fail(&err));
	if (c.verbose)
		cli_warn("%s: %" PRIu64 " data files, %" PRIu64 " blocks, %" PRIu64
			 " points verified; %s",
			 path, s.files, s.blocks, s.points,
			 s.changed ? "index and MANIFEST rewritten"
				   : s.problems ? "problems found, nothing changed"
						: "consistent, nothing changed");
	if (c.verbose && s.lost_found_bytes > 0)
		cli_warn("%s/lost+found holds %" PRIu64 " bytes kept aside by "
			 "repairs: remove what is not wanted",
			 path, s.lost_found_bytes);
	/* --check: any disagreement; a repair: only data it could not keep. */
	int status = (c.check ? s.problems : s.damage) ? CLI_DATA : CLI_OK;
	if (c.compact)
		status = compact(path, &c, status);
	return cli_finish(NULL, status);
}
