/*
 * progress.c - the progress line of ws-ingest and ws-delete, and the
 * reports of their runs (see progress.h).
 */
#include "config.h"

#include "progress.h"
#include "cli.h"

#include <inttypes.h>

#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Refreshes at most this often: a few times a second. */
#define REFRESH_MS 250

static int64_t
monotonic_ms(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The bytes a regular file holds past the current offset. */
static bool
input_size(int fd, uint64_t *size)
{
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		return false;
	off_t at = lseek(fd, 0, SEEK_CUR);
	if (at < 0 || at > sb.st_size)
		at = 0;
	*size = (uint64_t)(sb.st_size - at);
	return true;
}

void
progress_init(progress *p, const char *name, bool wanted, int in_fd)
{
	*p = (progress){.name = name};
	p->tty = isatty(STDERR_FILENO) == 1;
	p->on = wanted || p->tty;
	if (!p->on)
		return;
	p->sized = input_size(in_fd, &p->size);
	p->start_ms = p->last_ms = monotonic_ms();
}

static void
draw(progress *p, uint64_t lines, uint64_t bytes, int64_t now, bool last)
{
	int64_t ms = now - p->start_ms;
	double mb = (double)bytes / 1e6;
	double rate = mb * 1000.0 / (double)(ms > 0 ? ms : 1);
	fprintf(stderr, "%s%s: %llu lines, %.1f MB, %.1f MB/s", p->tty ? "\r" : "",
		p->name, (unsigned long long)lines, mb, rate);
	if (p->sized) {
		/* A file that grows while it is read stays at 100%. */
		uint64_t pct = bytes >= p->size ? 100 : bytes * 100 / p->size;
		fprintf(stderr, ", %llu%%", (unsigned long long)pct);
	}
	/* On a terminal: erase what a longer earlier line left. */
	fputs(p->tty ? "\033[K" : "", stderr);
	p->shown = true;
	p->lines = lines;
	p->bytes = bytes;
	p->drawn = p->tty && !last;
	if (!p->drawn)
		fputc('\n', stderr);
	p->last_ms = now;
}

void
progress_update(progress *p, uint64_t lines, uint64_t bytes)
{
	if (!p->on)
		return;
	int64_t now = monotonic_ms();
	if (now - p->last_ms >= REFRESH_MS)
		draw(p, lines, bytes, now, false);
}

void
progress_final(progress *p, uint64_t lines, uint64_t bytes)
{
	if (!p->on)
		return;
	/* Off a terminal, a line already written need not come twice. */
	bool repeat = !p->tty && p->shown && lines == p->lines &&
		      bytes == p->bytes;
	if (!repeat)
		draw(p, lines, bytes, monotonic_ms(), true);
}

void
progress_clear(progress *p)
{
	if (p->drawn)
		fputs("\r\033[K", stderr);
	p->drawn = false;
}

void
progress_report_commit(void *ctx, uint64_t through)
{
	progress_report *r = ctx;
	if (!r->verbose)
		return;
	progress_clear(&r->bar);
	cli_warn("committed through line %" PRIu64, through);
}

void
progress_report_reject(void *ctx, const ws_error *why)
{
	progress_report *r = ctx;
	progress_clear(&r->bar);
	cli_warn("%s", why->msg);
}

void
progress_report_stats(void *ctx, const ws_ingest_stats *stats)
{
	progress_report *r = ctx;
	progress_update(&r->bar, stats->lines, stats->bytes);
}

void
progress_share_start(progress_share *p, const char *phase, const char *unit)
{
	p->phase = phase;
	p->unit = unit;
	p->last_percent = -1;
	p->last_s = 0;
}

void
progress_share_update(void *ctx, uint64_t done, uint64_t total)
{
	progress_share *p = ctx;
	int percent = total ? (int)(done * 100 / total) : 100;
	int64_t now = (int64_t)time(NULL);
	if (percent == p->last_percent ||
	    (percent < 100 && now == p->last_s && p->shown))
		return;
	p->last_percent = percent;
	p->last_s = now;
	fprintf(stderr, "\r%s: %s: %3d%% (%" PRIu64 " of %" PRIu64 " %s)",
		p->name, p->phase, percent, done, total, p->unit);
	p->shown = true;
}

void
progress_share_end(progress_share *p)
{
	if (p->shown)
		fputc('\n', stderr);
	p->shown = false;
}
