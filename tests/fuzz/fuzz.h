/*
 * fuzz.h - what the fuzz targets share: the libFuzzer entry point (declared
 * here so that the targets also build with the normal compiler and its
 * -Wmissing-prototypes, for the replay runner), a check that fails
 * loudly even in a build without assertions, and a reader of input bytes.
 */
#ifndef WS_FUZZ_H
#define WS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: report it and abort, so libFuzzer keeps the input. */
#define FUZZ_CHECK(cond)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: check failed: %s\n",          \
				__FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

/* Input bytes read as little-endian numbers; zeros once they run out. */
typedef struct src {
	const uint8_t *p;
	size_t n;
} src;

static inline uint64_t
take(src *s, size_t bytes)
{
	uint64_t v = 0;
	for (size_t i = 0; i < bytes; i++) {
		v |= (uint64_t)(s->n ? *s->p : 0) << (8 * i);
		if (s->n) {
			s->p++;
			s->n--;
		}
	}
	return v;
}

#endif
