/*
 * cli.c - shared program skeleton for the ws-* programs.
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_OPTIONS 32

static const cli_program *prog;
static const char *store_path; /* as cli_store() found it */
static int cli_argc;
static char **cli_argv;
static struct option longopts[MAX_OPTIONS + 3];
static char shortopts[3 * MAX_OPTIONS + 8];

/* The exit statuses --help lists: the usual three unless a program says. */
static const char *exit_help =
	"0 success, 1 data problem, 2 usage or environment error";

void
cli_exit_help(const char *text)
{
	exit_help = text;
}

static const cli_option builtin[] = {
	{"help", 'h', NULL, "show this help and exit"},
	{"version", 'V', NULL, "show the version and exit"},
};

static void
add_option(size_t *n, size_t *s, const cli_option *o)
{
	longopts[*n] = (struct option){o->name, o->arg ? required_argument
						       : no_argument,
				       NULL, o->key};
	(*n)++;
	shortopts[(*s)++] = (char)o->key;
	if (o->arg)
		shortopts[(*s)++] = ':';
}

/*
 * A program started with standard input, output or error closed would
 * hand those numbers to the first files it opens (the store directory
 * became "stdin"): they are held by /dev/null instead, as a closed
 * output swallows everything anyway.
 */
static void
open_standard_fds(void)
{
	/* In order: with the lower ones open, open() returns fd itself. */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", O_RDWR) < 0)
			return; /* no /dev/null: carry on as we are */
}

void
cli_init(const cli_program *p, int argc, char **argv)
{
	open_standard_fds();
	prog = p;
	cli_argc = argc;
	cli_argv = argv;
	size_t n = 0, s = 0;
	shortopts[s++] = ':'; /* report a missing argument as ':' */
	for (const cli_option *o = p->options; o->name && n < MAX_OPTIONS; o++)
		add_option(&n, &s, o);
	for (size_t i = 0; i < 2; i++)
		add_option(&n, &s, &builtin[i]);
	longopts[n] = (struct option){0};
	shortopts[s] = '\0';
	opterr = 0;
}

static void
print_option(const cli_option *o)
{
	char left[64];
	snprintf(left, sizeof left, "-%c, --%s%s%s", o->key, o->name,
		 o->arg ? " " : "", o->arg ? o->arg : "");
	printf("  %-26s %s\n", left, o->help);
}

/* Whether an option takes a time: its argument is named "T". */
static bool
takes_times(const cli_program *p)
{
	for (const cli_option *o = p->options; o->name; o++)
		if (o->arg != NULL && strcmp(o->arg, "T") == 0)
			return true;
	return false;
}

static _Noreturn void
help(void)
{
	printf("Usage: %s %s\n%s\n\n", prog->name, prog->synopsis,
	       prog->summary);
	printf("STORE is a store directory; without it, $WS_STORE is used.\n\n"
	       "Options:\n");
	for (const cli_option *o = prog->options; o->name; o++)
		print_option(o);
	for (size_t i = 0; i < 2; i++)
		print_option(&builtin[i]);
	if (takes_times(prog))
		printf("\nA time T is integer microseconds since the epoch, RFC "
		       "3339\n(2026-11-25T10:00:00Z), a date (2026-11-25), now, "
		       "or now-DURATION\n(now-15m, now-1h30m; units us ms s m "
		       "h d w).\n");
	printf("\nExit status: %s.\nSee %s(1).\n", exit_help, prog->name);
	exit(cli_finish(NULL, CLI_OK));
}

static _Noreturn void
version(void)
{
	printf("%s (warmstore) %s\n", prog->name, PACKAGE_VERSION);
	exit(cli_finish(NULL, CLI_OK));
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cli_usage(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n",
		prog->name);
	exit(CLI_USAGE);
}

/* The name under which the user wrote the option that failed. */
static const char *
option_name(int key)
{
	static char buf[64];
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == key) {
			snprintf(buf, sizeof buf, "--%s", o->name);
			return buf;
		}
	snprintf(buf, sizeof buf, "-%c", key);
	return buf;
}

int
cli_next_option(const char **arg)
{
	int c = getopt_long(cli_argc, cli_argv, shortopts, longopts, NULL);
	*arg = optarg;
	switch (c) {
	case 'h':
		help();
	case 'V':
		version();
	case ':':
		cli_usage("option '%s' needs an argument",
			  optopt ? option_name(optopt) : cli_argv[optind - 1]);
	case '?':
		if (optopt)
			cli_usage("unknown option '-%c'", optopt);
		cli_usage("unknown option '%s'", cli_argv[optind - 1]);
	default:
		return c;
	}
}

const char *
cli_store(void)
{
	if (optind < cli_argc - 1)
		cli_usage("too many arguments");
	if (optind == cli_argc - 1)
		return store_path = cli_argv[optind];
	const char *env = getenv("WS_STORE");
	if (env == NULL || *env == '\0')
		cli_usage("missing store directory (give STORE or set WS_STORE)");
	return store_path = env;
}

int
cli_status(ws_status code)
{
	switch (code) {
	case WS_OK:
		return CLI_OK;
	case WS_NOTFOUND:
	case WS_EBADINPUT:
		return CLI_DATA;
	default:
		return CLI_USAGE;
	}
}

int
cli_fail(const ws_error *err)
{
	cli_warn("%s", err->msg);
	if (err->code == WS_ECORRUPT && !prog->repairs && store_path != NULL)
		cli_warn("run 'ws-reindex %s' to repair the store "
			 "(see ws-reindex(1))",
			 store_path);
	return cli_status(err->code);
}

static _Noreturn void
bad_value(const char *opt, const char *arg, const char *expected)
{
	cli_usage("%s: invalid value '%s' (expected %s)", opt, arg, expected);
}

uint64_t
cli_u64(const char *opt, const char *arg)
{
	uint64_t v;
	if (!ws_parse_u64(arg, strlen(arg), &v))
		bad_value(opt, arg, "an integer 0..18446744073709551615");
	return v;
}

uint32_t
cli_u32(const char *opt, const char *arg)
{
	uint64_t v;
	if (!ws_parse_u64(arg, strlen(arg), &v) || v > UINT32_MAX)
		bad_value(opt, arg, "an integer 0..4294967295");
	return (uint32_t)v;
}

int
cli_seconds_ms(const char *opt, const char *arg)
{
	uint64_t v;
	if (!ws_parse_u64(arg, strlen(arg), &v) || v > CLI_MAX_SECONDS)
		bad_value(opt, arg, "a number of seconds 0..86400");
	return (int)v * 1000;
}

/*
 * Read once, so that the times of one command agree: with --from now-1h
 * --to now the window is exactly an hour.
 */
static int64_t
now_us(void)
{
	static bool have;
	static int64_t now;
	struct timespec ts;
	if (!have) {
		if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
			cli_usage("clock_gettime: %s", strerror(errno));
		now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
		have = true;
	}
	return now;
}

int64_t
cli_time(const char *opt, const char *arg)
{
	ws_error err;
	int64_t v;
	size_t n = strlen(arg);
	/* Only the now forms need the clock. */
	int64_t now = strncmp(arg, "now", 3) == 0 ? now_us() : 0;
	if (ws_parse_time(arg, n, now, &v, &err) != WS_OK)
		cli_usage("%s: invalid time '%s': %s", opt, arg, err.msg);
	return v;
}

int64_t
cli_duration(const char *opt, const char *arg)
{
	int64_t us;
	ws_error err;
	if (ws_parse_duration(arg, strlen(arg), &us, &err) != WS_OK)
		cli_usage("%s: invalid value '%s' (%s)", opt, arg, err.msg);
	return us;
}

enum ws_format
cli_format(const char *opt, const char *arg)
{
	if (strcmp(arg, "ndjson") == 0)
		return WS_FORMAT_NDJSON;
	if (strcmp(arg, "csv") == 0)
		return WS_FORMAT_CSV;
	bad_value(opt, arg, "ndjson or csv");
}

int
cli_set_format(ws_output *out, enum ws_format format)
{
	ws_error err;
	if (ws_output_set_format(out, format, &err) != WS_OK)
		return cli_fail(&err);
	return CLI_OK;
}

enum ws_time_format
cli_time_format(const char *opt, const char *arg)
{
	if (strcmp(arg, "us") == 0)
		return WS_TIME_US;
	if (strcmp(arg, "rfc3339") == 0)
		return WS_TIME_RFC3339;
	bad_value(opt, arg, "us or rfc3339");
}

size_t
cli_size(const char *opt, const char *arg, size_t min)
{
	size_t len = strlen(arg), shift = 0;
	if (len > 0 && strchr("kKmMgG", arg[len - 1])) {
		char unit = arg[len - 1];
		shift = unit == 'k' || unit == 'K' ? 10 : unit == 'm' || unit == 'M' ? 20 : 30;
		len--;
	}
	uint64_t v;
	if (!ws_parse_u64(arg, len, &v) || v > (SIZE_MAX >> shift) ||
	    (v << shift) < min)
		bad_value(opt, arg, "a size of at least 1k, with an optional k, M or G suffix");
	return (size_t)(v << shift);
}

int
cli_finish(ws_output *out, int status)
{
	ws_error err;
	if (out != NULL && ws_output_close(out, &err) != WS_OK) {
		cli_warn("%s", err.msg);
		status = CLI_USAGE;
	}
	/* A full disk shows up here, at the latest: never exit 0 then. */
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (status == CLI_OK || errno != EPIPE)
			cli_warn("stdout: %s", strerror(errno));
		status = CLI_USAGE;
	}
	return status;
}

int
cli_run_reader(const char *path, cli_reader_fn fn, void *ctx)
{
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
		status = fn(st, out, ctx);
	}
	status = cli_finish(out, status);
	ws_store_close(st);
	return status;
}

int
cli_open_rejects(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		cli_warn("%s: %s", path, strerror(errno));
	return fd;
}

/* --- stopping on a signal ------------------------------------------ */

/* The signals that stop a run cleanly (ws-ingest(1) and ws-delete(1), SIGNALS). */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSTOP (sizeof stop_signals / sizeof stop_signals[0])
static bool stop_handled[NSTOP];
static volatile sig_atomic_t stop_signal;

/*
 * The first signal asks the run to commit and stop; the handlers are
 * then gone, so that a second signal ends the process at once.
 */
static void
on_stop_signal(int signo)
{
	stop_signal = signo;
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	for (size_t i = 0; i < NSTOP; i++)
		if (stop_handled[i])
			sigaction(stop_signals[i], &dfl, NULL);
}

/*
 * Without SA_RESTART, so that a read waiting for input ends. A signal
 * ignored at the start stays ignored, as nohup(1) expects.
 */
const volatile sig_atomic_t *
cli_catch_stop_signals(void)
{
	struct sigaction sa = {.sa_handler = on_stop_signal}, old;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSTOP; i++)
		sigaddset(&sa.sa_mask, stop_signals[i]);
	for (size_t i = 0; i < NSTOP; i++)
		stop_handled[i] = sigaction(stop_signals[i], NULL, &old) == 0 &&
				  old.sa_handler != SIG_IGN &&
				  sigaction(stop_signals[i], &sa, NULL) == 0;
	return &stop_signal;
}

/* Ends the process by the signal that stopped it, as a shell expects. */
bool
cli_stop_requested(void)
{
	return stop_signal != 0;
}

int
cli_die_by_stop_signal(void)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigaction(stop_signal, &dfl, NULL);
	raise(stop_signal);
	return 128 + stop_signal;
}
