/*
 * cli.h - what the ws-* programs share: one option table that drives both
 * getopt_long and --help, diagnostics as "ws-PROG: ...", exit statuses,
 * the store operand, and checked conversion of option values.
 */
#ifndef WS_CLI_H
#define WS_CLI_H

#include <stdbool.h>
#include <signal.h>
#include <stdint.h>

#include "warmstore.h"

/* Exit statuses, as every page's EXIT STATUS states. */
enum cli_exit {
	CLI_OK = 0,
	CLI_DATA = 1,  /* bad input line, key not found, inconsistency */
	CLI_USAGE = 2  /* bad option, store unreadable, I/O error */
};

/* One option: the table ends with a zero entry. */
typedef struct cli_option {
	const char *name;
	int key;	      /* the short letter, returned by cli_next_option */
	const char *arg;      /* argument name in --help, NULL: no argument */
	const char *help;
} cli_option;

typedef struct cli_program {
	const char *name;     /* "ws-range" */
	const char *synopsis; /* after the name: "[options] [STORE]" */
	const char *summary;  /* one line saying what it does */
	const cli_option *options;
	/* ws-reindex: a damaged store is its job, not a hint to give. */
	bool repairs;
} cli_program;

void cli_init(const cli_program *prog, int argc, char **argv);
/* Replaces the exit statuses --help lists (no final period); call first. */
void cli_exit_help(const char *text);
/*
 * Next option key and its argument; -1 when options end. --help and
 * --version are handled here (print and exit 0); an unknown option is a
 * usage error (exit 2).
 */
int cli_next_option(const char **arg);
/* The store: the one operand left, or $WS_STORE; else a usage error. */
const char *cli_store(void);

/* Prints "PROG: message" and the --help hint; exits 2. */
_Noreturn void cli_usage(const char *fmt, ...) WS_PRINTF(1, 2);
/* Prints "PROG: message" on stderr. */
void cli_warn(const char *fmt, ...) WS_PRINTF(1, 2);
/*
 * Prints "PROG: err->msg" and returns the exit status for err->code; a
 * damaged store gets a second line naming the command that repairs it.
 */
int cli_fail(const ws_error *err);
/* The exit status for a status code. */
int cli_status(ws_status code);

/* Option values, checked: a bad one is a usage error naming the option. */
uint64_t cli_u64(const char *opt, const char *arg);
uint32_t cli_u32(const char *opt, const char *arg);
/*
 * A time in any form of ws_parse_time (integer microseconds, RFC 3339, a
 * date, now, now-DURATION); now is the clock when first asked.
 */
int64_t cli_time(const char *opt, const char *arg);
/* The value of --time: "us" or "rfc3339". */
enum ws_time_format cli_time_format(const char *opt, const char *arg);
/* A byte count with an optional k, M or G suffix, at least min. */
size_t cli_size(const char *opt, const char *arg, size_t min);
/* A duration of ws_parse_duration ("60s", "1h30m"), as microseconds. */
int64_t cli_duration(const char *opt, const char *arg);
/* "ndjson" or "csv", for --format. */
enum ws_format cli_format(const char *opt, const char *arg);
/*
 * Sets the format on out; returns 0, or the exit status after saying
 * why it failed.
 */
int cli_set_format(ws_output *out, enum ws_format format);
/* A whole number of seconds, at most a day, as milliseconds. */
#define CLI_MAX_SECONDS 86400
int cli_seconds_ms(const char *opt, const char *arg);

/* Creates (truncates) the --rejects FILE; -1 after saying why it failed. */
int cli_open_rejects(const char *path);

/*
 * Flushes and closes out (may be NULL) and stdout; a failed write turns
 * status into 2. Returns the final exit status.
 */
int cli_finish(ws_output *out, int status);

/* A reader's work on an open store: writes to out, returns an exit status. */
typedef int (*cli_reader_fn)(ws_store *st, ws_output *out, void *ctx);
/*
 * Opens the store read-only and a buffered stdout, runs fn, closes both
 * and returns the final exit status: the skeleton every reader shares.
 */
int cli_run_reader(const char *path, cli_reader_fn fn, void *ctx);

/*
 * SIGINT, SIGTERM and SIGHUP (unless ignored at the start) set the flag
 * returned, for ws_ingest_opts.stop, and a second one ends the process.
 */
const volatile sig_atomic_t *cli_catch_stop_signals(void);
/* Whether one of those signals came. */
bool cli_stop_requested(void);
/* After a run stopped by a signal: ends the process by that signal. */
int cli_die_by_stop_signal(void);

#endif
