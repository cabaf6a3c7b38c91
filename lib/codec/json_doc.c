/*
 * json_doc.c - a JSON text read into a flat list of values (json_doc.h),
 * with the lexer the point parser uses (json_lex.c), so that both read
 * JSON by the same rules (RFC 8259).
 */
#include "codec/json_doc.h"

#include <stdlib.h>
#include <string.h>

/* key_len of a value that is not a member. */
#define NO_KEY SIZE_MAX

typedef struct reader {
	ws__json ps;
	ws__jdoc *d;
} reader;

static ws_status
add_value(reader *r, enum ws__jkind kind, size_t key_off, size_t key_len,
	  size_t *at)
{
	ws__jdoc *d = r->d;
	if (ws__grow(&d->v, &d->cap, d->n + 1, sizeof *d->v, r->ps.err) !=
	    WS_OK)
		return WS_ENOMEM;
	d->v[d->n] = (ws__jvalue){kind, 0, key_off, key_len, 0, 0};
	*at = d->n++;
	return WS_OK;
}

/* A string value into the doc's strings, closed by a NUL of its own. */
static ws_status
read_string(reader *r, size_t *off, size_t *len)
{
	ws_status rc = ws__json_string(&r->ps, off, len);
	return rc == WS_OK ? ws__strbuf_put(&r->d->strings, "", 1, r->ps.err)
			   : rc;
}

static ws_status read_value(reader *r, size_t key_off, size_t key_len,
			    int depth);

/* The members or elements after an opening bracket, through its close. */
static ws_status
read_contents(reader *r, char close, int depth)
{
	ws__json *ps = &r->ps;
	ps->p++;
	ws__json_skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return WS_OK;
	}
	bool more = true;
	while (more) {
		size_t key_off = 0, key_len = NO_KEY;
		ws_status rc = WS_OK;
		if (close == '}')
			rc = ws__json_key_append(ps, &key_off, &key_len);
		if (rc == WS_OK)
			rc = read_value(r, key_off, key_len, depth + 1);
		if (rc == WS_OK)
			rc = ws__json_next_or_close(ps, close, &more);
		if (rc != WS_OK)
			return rc;
	}
	return WS_OK;
}

static bool
literal_at(const ws__json *ps, size_t *len)
{
	static const char *const literals[] = {"true", "false", "null"};
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(literals[i]);
		if ((size_t)(ps->end - ps->p) >= n &&
		    memcmp(ps->p, literals[i], n) == 0) {
			*len = n;
			return true;
		}
	}
	return false;
}

/* A scalar: its text (a number or a literal) or its decoded bytes. */
static ws_status
read_scalar(reader *r, ws__jvalue *v)
{
	ws__json *ps = &r->ps;
	const char *start = ps->p;
	if (*ps->p == '"') {
		v->kind = WS_JSON_STRING;
		return read_string(r, &v->off, &v->len);
	}
	v->off = (size_t)(start - r->d->text);
	if (ws__json_starts_number(*ps->p)) {
		bool integral;
		v->kind = WS_JSON_NUMBER;
		return ws__json_number(ps, &start, &v->len, &integral);
	}
	if (!literal_at(ps, &v->len))
		return ws__json_bad(ps, "unexpected character");
	v->kind = WS_JSON_LITERAL;
	ps->p += v->len;
	return WS_OK;
}

static ws_status
read_value(reader *r, size_t key_off, size_t key_len, int depth)
{
	ws__json *ps = &r->ps;
	ws__json_skip_ws(ps);
	if (ps->p >= ps->end)
		return ws__json_bad(ps, "");
	char c = *ps->p;
	bool container = c == '{' || c == '[';
	if (container && depth >= WS_JSON_MAX_DEPTH)
		return ws__json_bad(ps, "nested too deep");
	/* A scalar's kind is settled by read_scalar. */
	enum ws__jkind kind = c == '{'	 ? WS_JSON_OBJECT
			      : c == '[' ? WS_JSON_ARRAY
					 : WS_JSON_LITERAL;
	size_t at;
	ws_status rc = add_value(r, kind, key_off, key_len, &at);
	if (rc != WS_OK)
		return rc;
	/* The list does not grow while a scalar is read: v[at] stays put. */
	rc = container ? read_contents(r, c == '{' ? '}' : ']', depth)
		       : read_scalar(r, &r->d->v[at]);
	r->d->v[at].end = r->d->n;
	return rc;
}

ws_status
ws__jdoc_read(ws__jdoc *d, const char *text, size_t len, ws_error *err)
{
	memset(d, 0, sizeof *d);
	d->text = text;
	reader r = {{text, text, text + len, &d->strings, err}, d};
	ws_status rc = read_value(&r, 0, NO_KEY, 0);
	if (rc == WS_OK) {
		ws__json_skip_ws(&r.ps);
		if (r.ps.p < r.ps.end)
			rc = ws__json_bad(&r.ps, "text after the value");
	}
	if (rc != WS_OK)
		ws__jdoc_free(d);
	return rc;
}

void
ws__jdoc_free(ws__jdoc *d)
{
	free(d->v);
	free(d->strings.str);
	memset(d, 0, sizeof *d);
}

static bool
is_container(const ws__jdoc *d, size_t c)
{
	return c < d->n && (d->v[c].kind == WS_JSON_OBJECT ||
			    d->v[c].kind == WS_JSON_ARRAY);
}

size_t
ws__jdoc_first(const ws__jdoc *d, size_t c)
{
	return is_container(d, c) && d->v[c].end > c + 1 ? c + 1 : 0;
}

size_t
ws__jdoc_next(const ws__jdoc *d, size_t c, size_t i)
{
	return d->v[i].end < d->v[c].end ? d->v[i].end : 0;
}

size_t
ws__jdoc_count(const ws__jdoc *d, size_t c)
{
	size_t n = 0;
	for (size_t i = ws__jdoc_first(d, c); i != 0; i = ws__jdoc_next(d, c, i))
		n++;
	return n;
}

static bool
same_bytes(const char *a, size_t alen, const char *b)
{
	return alen == strlen(b) && memcmp(a, b, alen) == 0;
}

size_t
ws__jdoc_member(const ws__jdoc *d, size_t o, const char *key)
{
	if (o >= d->n || d->v[o].kind != WS_JSON_OBJECT)
		return 0;
	for (size_t i = ws__jdoc_first(d, o); i != 0; i = ws__jdoc_next(d, o, i))
		if (same_bytes(d->strings.str + d->v[i].key_off,
			       d->v[i].key_len, key))
			return i;
	return 0;
}

bool
ws__jdoc_u64(const ws__jdoc *d, size_t i, uint64_t *out)
{
	return i < d->n && d->v[i].kind == WS_JSON_NUMBER &&
	       ws_parse_u64(d->text + d->v[i].off, d->v[i].len, out);
}

bool
ws__jdoc_i64(const ws__jdoc *d, size_t i, int64_t *out)
{
	return i < d->n && d->v[i].kind == WS_JSON_NUMBER &&
	       ws_parse_i64(d->text + d->v[i].off, d->v[i].len, out);
}

const char *
ws__jdoc_string(const ws__jdoc *d, size_t i, size_t *len)
{
	if (i >= d->n || d->v[i].kind != WS_JSON_STRING)
		return NULL;
	*len = d->v[i].len;
	return d->strings.str + d->v[i].off;
}

bool
ws__jdoc_is_string(const ws__jdoc *d, size_t i, const char *s)
{
	size_t len;
	const char *str = ws__jdoc_string(d, i, &len);
	return str != NULL && same_bytes(str, len, s);
}
