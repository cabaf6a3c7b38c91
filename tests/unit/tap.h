/*
 * tap.h - a tiny Test Anything Protocol harness for the C unit tests,
 * read by Automake's tap-driver.sh. Each check prints "ok N - what" or
 * "not ok N - what" with the file and line of the failed check.
 */
#ifndef WS_TAP_H
#define WS_TAP_H

#include <stdio.h>

static int tap_count, tap_failed;

#define TAP_CHECK(cond, ...)                                                  \
	do {                                                                  \
		tap_count++;                                                  \
		if (cond) {                                                   \
			printf("ok %d - ", tap_count);                        \
		} else {                                                      \
			tap_failed++;                                         \
			printf("not ok %d - %s:%d: ", tap_count, __FILE__,    \
			       __LINE__);                                     \
		}                                                             \
		printf(__VA_ARGS__);                                          \
		putchar('\n');                                                \
	} while (0)

/* Prints the plan; returns the exit status for main. */
static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
