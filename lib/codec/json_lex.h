/*
 * json_lex.h - the JSON lexer and the decimal conversion shared by the
 * point parser (point_schema.c) and the JSON reader (json_doc.c) inside
 * the codec layer. Outside lib/codec, only json_doc.h includes it.
 */
#ifndef WS_JSON_LEX_H
#define WS_JSON_LEX_H

#include "codec/codec.h"

/* A growable, NUL-terminated byte buffer, reused from line to line. */
typedef struct ws__strbuf {
	char *str;
	size_t cap, n;
} ws__strbuf;

/* Appends n bytes and a terminator. */
ws_status ws__strbuf_put(ws__strbuf *sb, const char *bytes, size_t n,
			 ws_error *err);

/* The lexer's state over one line. */
typedef struct ws__json {
	const char *s, *p, *end; /* the line, the position, its end */
	ws__strbuf *sb;          /* where decoded strings go */
	ws_error *err;           /* where a reason goes */
} ws__json;

/* Room for a key as messages show it: escaped, cut after ~100 bytes. */
#define WS_SHOWN_KEY_SIZE WS__SHOWN_SIZE

/*
 * A decoded key as a message shows it: control characters, quotes and
 * backslashes escaped as JSON does, so that a message stays one line and
 * sends nothing to a terminal; a long key is cut with "...".
 */
const char *ws__shown_key(const char *key, size_t len,
			  char buf[WS_SHOWN_KEY_SIZE]);

/* NUL bytes and invalid UTF-8 anywhere in the line, with the column. */
ws_status ws__json_check_bytes(const char *line, size_t len, ws_error *err);
/* "invalid JSON: what at column N" (or "unexpected end of line"). */
ws_status ws__json_bad(ws__json *ps, const char *what);

static inline bool
ws__json_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Inline: it comes between any two tokens, mostly to find no space. */
static inline void
ws__json_skip_ws(ws__json *ps)
{
	while (ps->p < ps->end && ws__json_is_ws(*ps->p))
		ps->p++;
}
/*
 * Decodes the string at ps->p (on its opening quote) into ps->sb,
 * appending; *off and *len locate it there.
 */
ws_status ws__json_string(ws__json *ps, size_t *off, size_t *len);
/* A number token; *integral is false with a fraction or exponent. */
ws_status ws__json_number(ws__json *ps, const char **start, size_t *n,
			  bool *integral);
/*
 * Whether a JSON value starting with one of `starts` begins here: such a
 * value makes a field mistyped, anything else makes the line invalid.
 */
bool ws__json_value_at(const ws__json *ps, const char *starts);
bool ws__json_starts_number(char c);
/* After a value in an array or object: ',' (more) or the closing bracket. */
ws_status ws__json_next_or_close(ws__json *ps, char close, bool *more);
/*
 * A member key and its colon: decodes the key into ps->sb (from its
 * start) and leaves ps->p on the value.
 */
ws_status ws__json_key(ws__json *ps, size_t *koff, size_t *klen);
/* The same, appending the key to ps->sb and leaving ps->p past the colon. */
ws_status ws__json_key_append(ws__json *ps, size_t *koff, size_t *klen);

/*
 * A decimal number token to the nearest f32 (scratch holds a copy of the
 * token when the slow path needs one). WS_EBADINPUT when it is out of f32
 * range.
 */
ws_status ws__decimal_to_f32(const char *tok, size_t n, ws__strbuf *scratch,
			     float *out, ws_error *err);
/*
 * The number at ps->p, when it is a plain decimal (no exponent, at most
 * 19 digits) that converts exactly: its f32 in *out, ps->p past it, true.
 * False, with nothing moved, leaves it to ws__json_number and
 * ws__decimal_to_f32, which give the same value or the reason it is bad.
 */
bool ws__json_f32_fast(ws__json *ps, float *out);
/*
 * The integer at ps->p, when it is one of at most 19 digits: its sign and
 * magnitude, ps->p past it, true. False, with nothing moved, leaves it to
 * ws__json_number (fractions, exponents, 20 digits, bad tokens).
 */
bool ws__json_int_fast(ws__json *ps, bool *neg, uint64_t *magnitude);

#endif
