/*
 * tap.h - a tiny Test Anything Protocol harness for the C unit tests,
 * read by Automake's tap-driver.sh. Each check prints "ok N - what" or
 * "not ok N - what" with the file and line of the failed check.
 */
#ifndef WS_TAP_H
#define WS_TAP_H

#include <stdint.h>
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

/* xorshift64*: a fixed sequence, so that a failure repeats. */
static inline uint64_t
tap_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

/* Prints the plan; returns the exit status for main. */
static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
