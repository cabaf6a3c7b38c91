/*
 * tap_dir.h - a private directory for a unit test program that works on
 * files, removed when every check passed and kept for a look otherwise.
 * Include after the library's private header (config.h gives mkdtemp).
 */
#ifndef WS_TAP_DIR_H
#define WS_TAP_DIR_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "tap.h"

/*
 * A private directory for a test program's files: dir (of size n) is set
 * to a new TMPDIR/PREFIX.XXXXXX; false when none could be made.
 */
static inline bool
tap_make_dir(char *dir, size_t n, const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, n, "%s/%s.XXXXXX", tmp ? tmp : "/tmp", prefix);
	return mkdtemp(dir) != NULL;
}

/*
 * Prints the plan and removes dir when every check passed (kept for a
 * look otherwise); returns the exit status for main (99: not removed).
 */
static inline int
tap_done_in(const char *dir)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		return 1;
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 99;
}

#endif
