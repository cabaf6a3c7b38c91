/*
 * fast_f32.h - the one-pass vector value (ws__json_f32_fast) against the
 * general path (ws__json_number, then ws__decimal_to_f32) on one text:
 * shared by test_codec and the NDJSON fuzz target.
 */
#ifndef WS_FAST_F32_H
#define WS_FAST_F32_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "codec/json_lex.h"

/*
 * Whether the fast path agreed with the general path on text[0..n), read
 * from an exact-size copy (a read past it is an AddressSanitizer report).
 * What it takes must be a valid token whose value is the general path's,
 * bit for bit, with the position past it; what it leaves must leave the
 * position alone. *taken: whether it took the number.
 */
static inline bool
fast_f32_agrees(const char *text, size_t n, bool *taken)
{
	char *buf = malloc(n ? n : 1);
	if (buf == NULL)
		abort();
	if (n > 0)
		memcpy(buf, text, n);
	ws__strbuf sb = {0};
	ws_error err;
	ws__json fast = {buf, buf, buf + n, &sb, &err}, slow = fast;
	float got, want;
	*taken = ws__json_f32_fast(&fast, &got);
	bool ok = !*taken && fast.p == buf;
	if (*taken) {
		const char *tok;
		size_t len;
		bool integral;
		ok = n > 0 && ws__json_starts_number(*buf) &&
		     ws__json_number(&slow, &tok, &len, &integral) == WS_OK &&
		     ws__decimal_to_f32(tok, len, &sb, &want, &err) == WS_OK &&
		     memcmp(&got, &want, sizeof got) == 0 && fast.p == slow.p;
	}
	free(sb.str);
	free(buf);
	return ok;
}

#endif
