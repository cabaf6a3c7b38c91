/*
 * progress.h - a progress line on stderr for a program that reads a long
 * input: lines, megabytes, MB/s and, for a regular file, the percentage
 * read. On a terminal it is redrawn in place; elsewhere each refresh is
 * a line of its own. See ws-ingest(1), --progress.
 */
#ifndef WS_PROGRESS_H
#define WS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct progress {
	const char *name; /* the program, as messages start */
	bool on;	  /* shown at all */
	bool tty;	  /* redrawn in place with a carriage return */
	bool drawn;	  /* an unfinished line is on the terminal */
	bool shown;	  /* a line was written */
	bool sized;	  /* the input is a regular file of known size */
	uint64_t size;	  /* its bytes from where reading starts */
	uint64_t lines, bytes; /* as last drawn */
	int64_t start_ms, last_ms;
} progress;

/*
 * Shown when wanted (--progress) or when stderr is a terminal. in_fd is
 * the input, looked at once for its size.
 */
void progress_init(progress *p, const char *name, bool wanted, int in_fd);
/* Redraws the line, at most a few times a second. */
void progress_update(progress *p, uint64_t lines, uint64_t bytes);
/* The last line, always shown when progress is on. */
void progress_final(progress *p, uint64_t lines, uint64_t bytes);
/* Takes a redrawn line off the terminal before another message. */
void progress_clear(progress *p);

/*
 * What the callbacks of a run over input lines (ws-ingest, ws-delete:
 * ws_ingest_opts) report to: with verbose, "committed through line N"
 * after each commit; each rejected line; the progress line.
 */
struct ws_error;
struct ws_ingest_stats;
typedef struct progress_report {
	bool verbose;
	progress bar;
} progress_report;

void progress_report_commit(void *ctx, uint64_t through);
void progress_report_reject(void *ctx, const struct ws_error *why);
void progress_report_stats(void *ctx, const struct ws_ingest_stats *stats);

/*
 * A progress line for work of known size (a verification, a compaction,
 * a retention run): "ws-PROG: PHASE: NN% (DONE of TOTAL UNIT)", redrawn
 * at most once per percent and per second.
 */
typedef struct progress_share {
	const char *name;  /* the program, as messages start */
	const char *phase; /* what it counts ... */
	const char *unit;  /* ... and in what */
	bool shown;	   /* a line waits for its newline */
	int last_percent;
	int64_t last_s;
} progress_share;

void progress_share_start(progress_share *p, const char *phase,
			  const char *unit);
/* The callback of ws_progress_opts and ws_reindex_opts: ctx is p. */
void progress_share_update(void *ctx, uint64_t done, uint64_t total);
/* Ends a shown line with its newline (before another message, or at the end). */
void progress_share_end(progress_share *p);

#endif
