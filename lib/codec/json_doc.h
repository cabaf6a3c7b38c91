/*
 * json_doc.h - a whole JSON text read into one flat list of values, for
 * the store's own JSON file, STORE/MANIFEST (warmstore(5)). Numbers keep
 * their text, so that an integer is exact over the whole u64 and i64
 * ranges (a double holds 53 bits); strings are decoded once into one
 * buffer. Reading allocates two growing arrays, never a node per value.
 */
#ifndef WS_JSON_DOC_H
#define WS_JSON_DOC_H

#include "codec/json_lex.h"

enum ws__jkind {
	WS_JSON_OBJECT,
	WS_JSON_ARRAY,
	WS_JSON_STRING,
	WS_JSON_NUMBER,
	WS_JSON_LITERAL, /* true, false or null */
};

/*
 * One value, in document order: a container's members or elements follow
 * it, and `end` is the index just past the last of them.
 */
typedef struct ws__jvalue {
	enum ws__jkind kind;
	size_t end;
	size_t key_off, key_len; /* a member's key, in the doc's strings */
	size_t off, len; /* a string: in the strings; otherwise: in the text */
} ws__jvalue;

typedef struct ws__jdoc {
	const char *text;
	ws__jvalue *v;      /* v[0] is the top value */
	size_t n, cap;
	ws__strbuf strings; /* decoded keys, and strings each with a NUL after */
} ws__jdoc;

/* Containers nested deeper than this are refused (the reader recurses). */
#define WS_JSON_MAX_DEPTH 64

/*
 * Reads text (len bytes, no NUL needed): one JSON value, with nothing but
 * white space around it. WS_EBADINPUT with "invalid JSON: what at column
 * N" when it is not one; the text must outlive the doc.
 */
ws_status ws__jdoc_read(ws__jdoc *d, const char *text, size_t len,
			ws_error *err);
void ws__jdoc_free(ws__jdoc *d);

/*
 * The value of object o's first member named key; 0 when o is not an
 * object or has no such member (0, the top value, is never a member).
 */
size_t ws__jdoc_member(const ws__jdoc *d, size_t o, const char *key);
/* A container's first element or member, then the next: 0 past the last. */
size_t ws__jdoc_first(const ws__jdoc *d, size_t c);
size_t ws__jdoc_next(const ws__jdoc *d, size_t c, size_t i);
/* How many elements or members container c has. */
size_t ws__jdoc_count(const ws__jdoc *d, size_t c);

/* Whether value i is an integer token within u64 (i64), and its value. */
bool ws__jdoc_u64(const ws__jdoc *d, size_t i, uint64_t *out);
bool ws__jdoc_i64(const ws__jdoc *d, size_t i, int64_t *out);
/* Whether value i is a string equal to s (as bytes, NULs included). */
bool ws__jdoc_is_string(const ws__jdoc *d, size_t i, const char *s);
/* Value i's decoded bytes and their length, when it is a string; else NULL. */
const char *ws__jdoc_string(const ws__jdoc *d, size_t i, size_t *len);

#endif
