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

#endif
