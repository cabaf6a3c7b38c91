/*
 * point_schema.c - one NDJSON line to one point: the fields of
 * warmstore(5) POINTS, their types and ranges, over the JSON lexer of
 * json_lex.c and the decimal conversion of decimal.c.
 *
 * A hand-written parser rather than cJSON: cJSON keeps numbers as doubles,
 * which cannot hold every u64 entity_id, and a parser that knows the
 * point's shape rejects unknown and mistyped fields with a precise reason
 * and never recurses, so deep nesting costs nothing.
 */
#include "codec/json_lex.h"

#include <stdlib.h>
#include <string.h>

/* A bound on metadata keys, so that the duplicate check stays cheap. */
#define MAX_META_PAIRS 1024

struct ws_point_buf {
	float *vec;
	size_t capvec;
	unsigned char *meta; /* encoded metadata, see ws_meta_next() */
	size_t capmeta;
	ws__strbuf str; /* decoded strings, copied number tokens */
	enum ws_time_unit time_unit; /* of integer timestamps */
};

/* Parser state over one line: the lexer's, and where the point goes. */
typedef struct parser {
	ws__json js;
	ws_point_buf *buf;
} parser;

ws_point_buf *
ws_point_buf_new(void)
{
	return calloc(1, sizeof(ws_point_buf));
}

void
ws_point_buf_set_time_unit(ws_point_buf *buf, enum ws_time_unit unit)
{
	buf->time_unit = unit;
}

void
ws_point_buf_free(ws_point_buf *buf)
{
	if (buf == NULL)
		return;
	free(buf->vec);
	free(buf->meta);
	free(buf->str.str);
	free(buf);
}

/* A rejected line: the reason goes into the caller's error. */
#define bad(ps, ...) ws__err((ps)->js.err, WS_EBADINPUT, __VA_ARGS__)

enum int_kind { INT_U64, INT_U32, INT_I64 };

/* -mag or mag as the kind holds it, if it does. */
static bool
int_in_range(enum int_kind kind, bool neg, uint64_t mag, uint64_t *u,
	     int64_t *i)
{
	if (kind == INT_I64) {
		if (mag > (uint64_t)INT64_MAX + neg)
			return false;
		/* -2^63 has no positive twin: negate one less. */
		*i = neg && mag > 0 ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
		return true;
	}
	if ((neg && mag != 0) || (kind == INT_U32 && mag > UINT32_MAX))
		return false;
	*u = mag;
	return true;
}

static ws_status
parse_int_field(parser *ps, const char *name, enum int_kind kind,
		uint64_t *u, int64_t *i)
{
	static const char *const ranges[] = {
		"0..18446744073709551615", "0..4294967295",
		"-9223372036854775808..9223372036854775807"};
	if (ps->js.p >= ps->js.end || !ws__json_starts_number(*ps->js.p)) {
		if (ws__json_value_at(&ps->js, "\"[{tfn"))
			return bad(ps, "field \"%s\" must be an integer", name);
		return ws__json_bad(&ps->js, "unexpected character");
	}
	bool neg, ok = true;
	uint64_t mag;
	if (!ws__json_int_fast(&ps->js, &neg, &mag)) {
		const char *tok;
		size_t n;
		bool integral;
		ws_status rc = ws__json_number(&ps->js, &tok, &n, &integral);
		if (rc != WS_OK)
			return rc;
		if (!integral)
			return bad(ps, "field \"%s\" must be an integer", name);
		neg = tok[0] == '-';
		ok = ws_parse_u64(tok + neg, n - neg, &mag);
	}
	if (!ok || !int_in_range(kind, neg, mag, u, i))
		return ws__err(ps->js.err, WS_EBADINPUT,
			       "field \"%s\" out of range (%s)", name,
			       ranges[kind]);
	return WS_OK;
}

/* Vector value number index: decimal to f32, correctly rounded. */
static ws_status
to_f32(parser *ps, const char *tok, size_t n, size_t index, float *out)
{
	ws_status rc = ws__decimal_to_f32(tok, n, ps->js.sb, out, ps->js.err);
	if (rc == WS_EBADINPUT)
		return ws__err(ps->js.err, WS_EBADINPUT,
			       "vector[%zu] is out of f32 range", index);
	return rc;
}

static ws_status
not_vector(parser *ps)
{
	return bad(ps, "field \"%s\" must be an array of numbers", "vector");
}

/*
 * Value n of the vector at ps->js.p, or why there is none: the general
 * path, for what ws__json_f32_fast does not take.
 */
static ws_status
vector_value(parser *ps, size_t n)
{
	if (ps->js.p >= ps->js.end)
		return ws__json_bad(&ps->js, "");
	if (!ws__json_starts_number(*ps->js.p)) {
		if (ws__json_value_at(&ps->js, "\"[{tfn"))
			return not_vector(ps);
		return ws__json_bad(&ps->js, "unexpected character");
	}
	if (n == WS_MAX_DIM)
		return ws__err(ps->js.err, WS_EBADINPUT,
			       "vector has more than %u values", WS_MAX_DIM);
	const char *tok;
	size_t len;
	bool integral;
	ws_status rc = ws__json_number(&ps->js, &tok, &len, &integral);
	if (rc == WS_OK)
		rc = ws__grow(&ps->buf->vec, &ps->buf->capvec, n + 1,
			      sizeof(float), ps->js.err);
	return rc == WS_OK ? to_f32(ps, tok, len, n, &ps->buf->vec[n]) : rc;
}

static ws_status
parse_vector(parser *ps, uint32_t *dim)
{
	if (*ps->js.p != '[')
		return ws__json_value_at(&ps->js, "\"{-0123456789tfn")
			       ? not_vector(ps)
			       : ws__json_bad(&ps->js, "unexpected character");
	ps->js.p++;
	ws__json_skip_ws(&ps->js);
	size_t n = 0;
	if (ps->js.p < ps->js.end && *ps->js.p == ']') {
		ps->js.p++;
		return ws__err(ps->js.err, WS_EBADINPUT, "vector is empty");
	}
	for (;;) {
		ws__json_skip_ws(&ps->js);
		ws_status rc;
		if (n < ps->buf->capvec && n < WS_MAX_DIM &&
		    ws__json_f32_fast(&ps->js, &ps->buf->vec[n]))
			rc = WS_OK;
		else if ((rc = vector_value(ps, n)) != WS_OK)
			return rc;
		n++;
		bool more;
		if (ps->js.p < ps->js.end && *ps->js.p == ',') {
			ps->js.p++; /* the usual case, without a call */
			continue;
		}
		if ((rc = ws__json_next_or_close(&ps->js, ']', &more)) != WS_OK)
			return rc;
		if (!more) {
			*dim = (uint32_t)n;
			return WS_OK;
		}
	}
}

static ws_status
meta_put(parser *ps, size_t *len, const void *bytes, size_t n)
{
	if (ws__grow(&ps->buf->meta, &ps->buf->capmeta, *len + n, 1,
		     ps->js.err) != WS_OK)
		return WS_ENOMEM;
	memcpy(ps->buf->meta + *len, bytes, n);
	*len += n;
	return WS_OK;
}

static ws_status
meta_put_string(parser *ps, size_t *len, const char *s, size_t n)
{
	unsigned char v[WS_VARINT_MAX];
	ws_status rc = meta_put(ps, len, v, ws__put_varint(v, n));
	return rc == WS_OK ? meta_put(ps, len, s, n) : rc;
}

/* Whether the pairs encoded so far (after the count gap) hold key. */
static bool
meta_has_key(parser *ps, size_t len, const char *key, size_t klen)
{
	const unsigned char *p = ps->buf->meta + WS_VARINT_MAX;
	const unsigned char *end = ps->buf->meta + len;
	uint64_t k, v;
	while (p < end && ws__get_varint(&p, end, &k)) {
		bool same = k == klen && memcmp(p, key, klen) == 0;
		p += k;
		if (same)
			return true;
		if (!ws__get_varint(&p, end, &v))
			break;
		p += v;
	}
	return false;
}

static ws_status
not_metadata(parser *ps)
{
	return bad(ps, "field \"%s\" must be an object of strings", "metadata");
}

/*
 * Encodes the metadata object: a count varint, then (key, value) pairs.
 * The count is known only at the end, so pairs go after a reserved gap
 * and the count is written right before them.
 */
static ws_status
parse_metadata(parser *ps, size_t *meta_off, size_t *meta_len)
{
	if (*ps->js.p != '{')
		return ws__json_value_at(&ps->js, "\"[-0123456789tfn")
			       ? not_metadata(ps)
			       : ws__json_bad(&ps->js, "unexpected character");
	ps->js.p++;
	size_t len = WS_VARINT_MAX, count = 0;
	ws_status rc = ws__grow(&ps->buf->meta, &ps->buf->capmeta, len, 1,
				ps->js.err);
	if (rc != WS_OK)
		return rc;
	memset(ps->buf->meta, 0, WS_VARINT_MAX);
	ws__json_skip_ws(&ps->js);
	if (ps->js.p < ps->js.end && *ps->js.p == '}') {
		ps->js.p++;
		*meta_off = *meta_len = 0;
		return WS_OK;
	}
	for (bool more = true; more;) {
		size_t koff, klen, voff, vlen;
		if ((rc = ws__json_key(&ps->js, &koff, &klen)) != WS_OK)
			return rc;
		if (*ps->js.p != '"') {
			char shown[WS_SHOWN_KEY_SIZE];
			if (ws__json_value_at(&ps->js, "-0123456789[{tfn"))
				return bad(ps, "metadata \"%s\" must be a string",
					   ws__shown_key(ps->js.sb->str + koff, klen,
						     shown));
			return ws__json_bad(&ps->js, "unexpected character");
		}
		if ((rc = ws__json_string(&ps->js, &voff, &vlen)) != WS_OK)
			return rc;
		const char *key = ps->js.sb->str + koff;
		char shown[WS_SHOWN_KEY_SIZE];
		if (count > 0 && meta_has_key(ps, len, key, klen))
			return bad(ps, "duplicate metadata key \"%s\"",
				   ws__shown_key(key, klen, shown));
		if (++count > MAX_META_PAIRS)
			return ws__err(ps->js.err, WS_EBADINPUT,
				       "metadata has more than %d keys",
				       MAX_META_PAIRS);
		if ((rc = meta_put_string(ps, &len, key, klen)) != WS_OK ||
		    (rc = meta_put_string(ps, &len, ps->js.sb->str + voff,
					  vlen)) != WS_OK ||
		    (rc = ws__json_next_or_close(&ps->js, '}', &more)) != WS_OK)
			return rc;
	}
	unsigned char v[WS_VARINT_MAX];
	size_t vn = ws__put_varint(v, count);
	*meta_off = WS_VARINT_MAX - vn;
	memcpy(ps->buf->meta + *meta_off, v, vn);
	*meta_len = len - *meta_off;
	return WS_OK;
}

/* The fields of a point line, as bits for the duplicate check. */
enum field {
	F_ENTITY = 1,
	F_SPACE = 2,
	F_TIMESTAMP = 4,
	F_VECTOR = 8,
	F_METADATA = 16
};

/* The lengths are kept: every line names its fields. */
static const struct {
	const char *name;
	size_t len;
	enum field f;
} field_names[] = {{"entity_id", 9, F_ENTITY},
		   {"space_id", 8, F_SPACE},
		   {"timestamp", 9, F_TIMESTAMP},
		   {"vector", 6, F_VECTOR},
		   {"metadata", 8, F_METADATA}};
#define FIELD_NAMES (sizeof field_names / sizeof field_names[0])

static enum field
field_of(const char *key, size_t len)
{
	for (size_t i = 0; i < FIELD_NAMES; i++)
		if (field_names[i].len == len &&
		    memcmp(field_names[i].name, key, len) == 0)
			return field_names[i].f;
	return 0;
}

/*
 * The field name that starts with this letter, as its index in
 * field_names; -1 for none. Each starts with a letter of its own (a name
 * sharing one would still be read, by ws__json_key).
 */
static int
field_by_letter(char c)
{
	for (size_t i = 0; i < FIELD_NAMES; i++)
		if (field_names[i].name[0] == c)
			return (int)i;
	return -1;
}

/*
 * A field's name written plainly ("timestamp" and its colon, no escapes)
 * at the member's start: its index in field_names, ps->p on the value,
 * as ws__json_key leaves it. -1, with nothing moved, for anything else
 * (ws__json_key reads it). Decoding each key into the string buffer, with
 * its UTF-8 check, was a tenth of a sensor line's parsing.
 */
static int
plain_field(ws__json *js)
{
	ws__json at = *js;
	ws__json_skip_ws(&at);
	const char *p = at.p;
	if (at.end - p < 2 || *p != '"')
		return -1;
	int i = field_by_letter(p[1]);
	if (i < 0)
		return -1;
	size_t n = field_names[i].len;
	if (at.end - p < (ptrdiff_t)n + 2 || p[n + 1] != '"' ||
	    memcmp(p + 1, field_names[i].name, n) != 0)
		return -1;
	at.p = p + n + 2;
	ws__json_skip_ws(&at);
	if (at.p >= at.end || *at.p != ':')
		return -1;
	at.p++;
	ws__json_skip_ws(&at);
	if (at.p >= at.end)
		return -1;
	js->p = at.p;
	js->sb->n = 0;
	return i;
}

/*
 * "timestamp": an integer in the buffer's unit, or a string in RFC 3339
 * or a date (warmstore(5)), parsed and scaled by wstime.c.
 */
static ws_status
parse_timestamp(parser *ps, int64_t *ts)
{
	size_t off, len;
	uint64_t u;
	ws_status rc;
	if (ps->js.p < ps->js.end && *ps->js.p == '"') {
		rc = ws__json_string(&ps->js, &off, &len);
		if (rc != WS_OK)
			return rc;
		rc = ws_parse_rfc3339(ps->js.sb->str + off, len, ts, ps->js.err);
	} else if (ws__json_value_at(&ps->js, "[{tfn")) {
		return bad(ps, "field \"timestamp\" must be an integer or an "
			       "RFC 3339 string");
	} else {
		rc = parse_int_field(ps, "timestamp", INT_I64, &u, ts);
		if (rc != WS_OK || ps->buf->time_unit == WS_UNIT_US)
			return rc;
		rc = ws_time_to_us(*ts, ps->buf->time_unit, ts, ps->js.err);
	}
	if (rc == WS_OK)
		return WS_OK;
	/* The reason stays; the grade becomes a bad line. */
	ws__err_prefix(ps->js.err, "field \"timestamp\"");
	if (ps->js.err != NULL)
		ps->js.err->code = WS_EBADINPUT;
	return WS_EBADINPUT;
}

static ws_status
parse_member(parser *ps, enum field f, ws_point *pt, size_t *meta_off)
{
	uint64_t u = 0;
	int64_t i = 0;
	ws_status rc;
	switch (f) {
	case F_ENTITY:
		rc = parse_int_field(ps, "entity_id", INT_U64, &u, &i);
		pt->entity_id = u;
		return rc;
	case F_SPACE:
		rc = parse_int_field(ps, "space_id", INT_U32, &u, &i);
		pt->space_id = (uint32_t)u;
		return rc;
	case F_TIMESTAMP:
		return parse_timestamp(ps, &pt->timestamp);
	case F_VECTOR:
		return parse_vector(ps, &pt->dim);
	case F_METADATA:
		return parse_metadata(ps, meta_off, &pt->meta_len);
	}
	return WS_EUSAGE;
}

static ws_status
parse_object(parser *ps, enum ws_parse_mode mode, ws_point *pt)
{
	unsigned seen = 0;
	size_t meta_off = 0;
	ps->js.p++;
	ws__json_skip_ws(&ps->js);
	bool more = true;
	if (ps->js.p < ps->js.end && *ps->js.p == '}') {
		ps->js.p++;
		more = false;
	}
	while (more) {
		size_t klen;
		const char *key;
		enum field f;
		ws_status rc;
		int known = plain_field(&ps->js);
		if (known >= 0) {
			key = field_names[known].name;
			klen = field_names[known].len;
			f = field_names[known].f;
		} else {
			size_t koff;
			if ((rc = ws__json_key(&ps->js, &koff, &klen)) != WS_OK)
				return rc;
			key = ps->js.sb->str + koff;
			f = field_of(key, klen);
		}
		char shown[WS_SHOWN_KEY_SIZE];
		if (f == 0)
			return bad(ps, "unknown field \"%s\"",
				   ws__shown_key(key, klen, shown));
		if (seen & f)
			return bad(ps, "duplicate field \"%s\"",
				   ws__shown_key(key, klen, shown));
		seen |= f;
		if ((rc = parse_member(ps, f, pt, &meta_off)) != WS_OK ||
		    (rc = ws__json_next_or_close(&ps->js, '}', &more)) != WS_OK)
			return rc;
	}
	ws__json_skip_ws(&ps->js);
	if (ps->js.p < ps->js.end)
		return ws__json_bad(&ps->js, "trailing characters");
	if (!(seen & F_ENTITY))
		return bad(ps, "missing field \"%s\"", "entity_id");
	if (!(seen & F_TIMESTAMP))
		return bad(ps, "missing field \"%s\"", "timestamp");
	if (mode == WS_PARSE_POINT && !(seen & F_VECTOR))
		return bad(ps, "missing field \"%s\"", "vector");
	pt->vector = ps->buf->vec;
	pt->meta = pt->meta_len ? ps->buf->meta + meta_off : NULL;
	if (mode == WS_PARSE_KEY) {
		pt->dim = 0;
		pt->meta = NULL;
		pt->meta_len = 0;
	}
	return WS_OK;
}

ws_status
ws_parse_point(const char *line, size_t len, enum ws_parse_mode mode,
	       uint32_t default_space, ws_point_buf *buf, ws_point *pt,
	       ws_error *err)
{
	ws_status rc = ws__json_check_bytes(line, len, err);
	if (rc != WS_OK)
		return rc;
	parser ps = {.js = {.s = line, .p = line, .end = line + len,
			    .sb = &buf->str, .err = err},
		     .buf = buf};
	memset(pt, 0, sizeof *pt);
	pt->space_id = default_space;
	ws__json_skip_ws(&ps.js);
	if (ps.js.p >= ps.js.end)
		return ws__json_bad(&ps.js, "");
	if (*ps.js.p != '{') {
		if (ws__json_value_at(&ps.js, "\"[-0123456789tfn"))
			return ws__err(err, WS_EBADINPUT, "not a JSON object");
		/* Editors add it; JSON readers may ignore it, NDJSON forbids it. */
		if (ps.js.end - ps.js.p >= 3 && memcmp(ps.js.p, "\xef\xbb\xbf", 3) == 0)
			return ws__json_bad(&ps.js, "byte order mark (save as UTF-8 "
					     "without BOM)");
		return ws__json_bad(&ps.js, "unexpected character");
	}
	return parse_object(&ps, mode, pt);
}
