/*
 * ndjson_read.c - one NDJSON line to one point.
 *
 * A hand-written parser rather than cJSON: cJSON keeps numbers as doubles,
 * which cannot hold every u64 entity_id, and a parser that knows the
 * point's shape rejects unknown and mistyped fields with a precise reason
 * and never recurses, so deep nesting costs nothing.
 */
#include "ws_private.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_META_PAIRS 1024

struct ws_point_buf {
	float *vec;
	size_t capvec;
	unsigned char *meta; /* encoded metadata, see ws_meta_next() */
	size_t capmeta;
	char *str; /* a decoded string or a copied number token */
	size_t capstr, nstr;
};

/* Parser state over one line. */
typedef struct parser {
	const char *s, *p, *end;
	ws_point_buf *buf;
	ws_error *err;
} parser;

ws_point_buf *
ws_point_buf_new(void)
{
	return calloc(1, sizeof(ws_point_buf));
}

void
ws_point_buf_free(ws_point_buf *buf)
{
	if (buf == NULL)
		return;
	free(buf->vec);
	free(buf->meta);
	free(buf->str);
	free(buf);
}

static size_t
column(const parser *ps)
{
	return (size_t)(ps->p - ps->s) + 1;
}

/* Room for a key as messages show it: escaped, cut after ~100 bytes. */
#define SHOWN_KEY_SIZE WS__SHOWN_SIZE

/*
 * A decoded key as a message shows it: control characters, quotes and
 * backslashes escaped as JSON does, so that a message stays one line and
 * sends nothing to a terminal; a long key is cut with "...".
 */
static const char *
shown_key(const char *key, size_t len, char buf[SHOWN_KEY_SIZE])
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)key[i];
		/* Cut only where a character starts: the rest stays UTF-8. */
		if (o + 12 > SHOWN_KEY_SIZE && (c & 0xc0) != 0x80) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		unsigned char next = i + 1 < len ? (unsigned char)key[i + 1] : 0;
		if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {
			/* U+0080..U+009F: C1 controls, CSI among them. */
			o += (size_t)snprintf(buf + o, SHOWN_KEY_SIZE - o,
					      "\\u%04x", next);
			i++;
		} else if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, SHOWN_KEY_SIZE - o,
					      "\\u%04x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o] = '\0';
	return buf;
}

const char *
ws__shown_text(const char *s, size_t len, char buf[WS__SHOWN_SIZE])
{
	return shown_key(s, len, buf);
}

/* A rejected line: the reason goes into the caller's error. */
#define bad(ps, ...) ws__err((ps)->err, WS_EBADINPUT, __VA_ARGS__)

static ws_status
bad_json(parser *ps, const char *what)
{
	if (ps->p >= ps->end)
		return ws__err(ps->err, WS_EBADINPUT,
			       "invalid JSON: unexpected end of line at column %zu",
			       column(ps));
	return ws__err(ps->err, WS_EBADINPUT,
		       "invalid JSON: %s at column %zu", what, column(ps));
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
skip_ws(parser *ps)
{
	while (ps->p < ps->end && is_ws(*ps->p))
		ps->p++;
}

bool
ws_line_is_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_ws(line[i]))
			return false;
	return true;
}

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	unsigned cp = c & (0x3f >> (n - 1));
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* NUL bytes and invalid UTF-8 are classes of their own (DESIGN §4). */
static ws_status
check_bytes(const char *line, size_t len, ws_error *err)
{
	const char *nul = memchr(line, '\0', len);
	if (nul != NULL)
		return ws__err(err, WS_EBADINPUT, "NUL byte at column %zu",
			       (size_t)(nul - line) + 1);
	const unsigned char *p = (const unsigned char *)line, *end = p + len;
	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		size_t n = utf8_seq(p, end);
		if (n == 0)
			return ws__err(err, WS_EBADINPUT,
				       "invalid UTF-8 at column %zu",
				       (size_t)(p - (const unsigned char *)line) + 1);
		p += n;
	}
	return WS_OK;
}

static ws_status
str_put(parser *ps, const char *bytes, size_t n)
{
	if (ws__grow(&ps->buf->str, &ps->buf->capstr, ps->buf->nstr + n + 1, 1,
		     ps->err) != WS_OK)
		return WS_ENOMEM;
	memcpy(ps->buf->str + ps->buf->nstr, bytes, n);
	ps->buf->nstr += n;
	ps->buf->str[ps->buf->nstr] = '\0';
	return WS_OK;
}

static int
hex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static ws_status
put_codepoint(parser *ps, unsigned cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return str_put(ps, u, n);
}

/* \uXXXX, with a following low surrogate where the first is a high one. */
static ws_status
parse_unicode_escape(parser *ps)
{
	if (ps->end - ps->p < 5 || hex4(ps->p + 1) < 0)
		return bad_json(ps, "bad \\u escape");
	unsigned cp = (unsigned)hex4(ps->p + 1);
	ps->p += 5;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return bad_json(ps, "lone low surrogate");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
		    hex4(ps->p + 2) < 0)
			return bad_json(ps, "lone high surrogate");
		unsigned lo = (unsigned)hex4(ps->p + 2);
		if (lo < 0xdc00 || lo > 0xdfff)
			return bad_json(ps, "lone high surrogate");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		ps->p += 6;
	}
	return put_codepoint(ps, cp);
}

/*
 * Decodes the string at ps->p (on its opening quote) into buf->str,
 * appending; *off and *len locate it there.
 */
static ws_status
parse_string(parser *ps, size_t *off, size_t *len)
{
	ps->p++;
	*off = ps->buf->nstr;
	ws_status rc = str_put(ps, "", 0);
	while (rc == WS_OK) {
		const char *run = ps->p;
		while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' &&
		       (unsigned char)*ps->p >= 0x20)
			ps->p++;
		rc = str_put(ps, run, (size_t)(ps->p - run));
		if (rc != WS_OK)
			return rc;
		if (ps->p >= ps->end)
			return bad_json(ps, "unterminated string");
		if (*ps->p == '"') {
			ps->p++;
			*len = ps->buf->nstr - *off;
			return WS_OK;
		}
		if (*ps->p != '\\')
			return bad_json(ps, "control character in string");
		if (ps->end - ps->p < 2) {
			ps->p++;
			return bad_json(ps, "unterminated string");
		}
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *e = ps->p[1] ? strchr(from, ps->p[1]) : NULL;
		if (e != NULL) {
			rc = str_put(ps, &to[e - from], 1);
			ps->p += 2;
		} else if (ps->p[1] == 'u') {
			ps->p++;
			rc = parse_unicode_escape(ps);
		} else {
			ps->p++;
			return bad_json(ps, "bad escape");
		}
	}
	return rc;
}

/* A number token per RFC 8259; *integral is false with a fraction or exponent. */
static ws_status
scan_number(parser *ps, const char **start, size_t *n, bool *integral)
{
	const char *p = ps->p;
	*start = p;
	*integral = true;
	if (p < ps->end && *p == '-')
		p++;
	if (p < ps->end && *p == '0') {
		p++;
	} else if (p < ps->end && *p >= '1' && *p <= '9') {
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	} else {
		ps->p = p;
		return bad_json(ps, "bad number");
	}
	if (p < ps->end && *p == '.') {
		*integral = false;
		p++;
		if (p >= ps->end || *p < '0' || *p > '9') {
			ps->p = p;
			return bad_json(ps, "bad number");
		}
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < ps->end && (*p == 'e' || *p == 'E')) {
		*integral = false;
		p++;
		if (p < ps->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= ps->end || *p < '0' || *p > '9') {
			ps->p = p;
			return bad_json(ps, "bad number");
		}
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	}
	ps->p = p;
	*n = (size_t)(p - *start);
	return WS_OK;
}

/*
 * Whether a JSON value starting with one of `starts` begins here: such a
 * value makes a field mistyped, anything else makes the line invalid JSON.
 */
static bool
value_at(const parser *ps, const char *starts)
{
	static const char *const literals[] = {"true", "false", "null"};
	if (ps->p >= ps->end || strchr(starts, *ps->p) == NULL)
		return false;
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(literals[i]);
		if (*ps->p == literals[i][0])
			return (size_t)(ps->end - ps->p) >= n &&
			       memcmp(ps->p, literals[i], n) == 0;
	}
	return true;
}

static bool
starts_number(char c)
{
	return c == '-' || (c >= '0' && c <= '9');
}

enum int_kind { INT_U64, INT_U32, INT_I64 };

static ws_status
parse_int_field(parser *ps, const char *name, enum int_kind kind,
		uint64_t *u, int64_t *i)
{
	static const char *const ranges[] = {
		"0..18446744073709551615", "0..4294967295",
		"-9223372036854775808..9223372036854775807"};
	if (ps->p >= ps->end || !starts_number(*ps->p)) {
		if (value_at(ps, "\"[{tfn"))
			return bad(ps, "field \"%s\" must be an integer", name);
		return bad_json(ps, "unexpected character");
	}
	const char *tok;
	size_t n;
	bool integral;
	ws_status rc = scan_number(ps, &tok, &n, &integral);
	if (rc != WS_OK)
		return rc;
	if (!integral)
		return bad(ps, "field \"%s\" must be an integer", name);
	bool ok;
	if (kind == INT_I64) {
		ok = ws_parse_i64(tok, n, i);
	} else {
		bool neg = tok[0] == '-';
		ok = ws_parse_u64(tok + neg, n - neg, u);
		if (ok && neg && *u != 0)
			ok = false;
		if (ok && kind == INT_U32 && *u > UINT32_MAX)
			ok = false;
	}
	if (!ok)
		return ws__err(ps->err, WS_EBADINPUT,
			       "field \"%s\" out of range (%s)", name,
			       ranges[kind]);
	return WS_OK;
}

/*
 * Decimal to f32, correctly rounded. Most sensor and embedding values
 * have at most 7 significant digits and a small exponent: those convert
 * with one exact float operation (ws__f32_exact); strtof does the rest.
 */
static bool
fast_f32(const char *tok, size_t n, float *out)
{
	const char *p = tok, *end = tok + n;
	bool neg = *p == '-';
	p += neg;
	uint32_t m = 0;
	int digits = 0, scale = 0;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (digits > 0 || *p != '0')
			digits++;
		m = m * 10 + (uint32_t)(*p - '0');
		if (digits > 7)
			return false;
	}
	if (p < end && *p == '.') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
			if (digits > 0 || *p != '0')
				digits++;
			m = m * 10 + (uint32_t)(*p - '0');
			scale--;
			if (digits > 7)
				return false;
		}
	}
	if (p < end) { /* an exponent */
		p++;
		bool eneg = *p == '-';
		p += (*p == '-' || *p == '+');
		int e = 0;
		for (; p < end; p++) {
			e = e * 10 + (*p - '0');
			if (e > 100)
				return false;
		}
		scale += eneg ? -e : e;
	}
	if (!ws__f32_exact(m, scale, out))
		return false;
	if (neg)
		*out = -*out;
	return true;
}

static ws_status
to_f32(parser *ps, const char *tok, size_t n, size_t index, float *out)
{
	if (fast_f32(tok, n, out))
		return WS_OK;
	ps->buf->nstr = 0;
	ws_status rc = str_put(ps, tok, n);
	if (rc != WS_OK)
		return rc;
	errno = 0;
	float v = strtof(ps->buf->str, NULL);
	if (isinf(v))
		return ws__err(ps->err, WS_EBADINPUT,
			       "vector[%zu] is out of f32 range", index);
	*out = v;
	return WS_OK;
}

/*
 * After a value inside an array or object: *more is true after a ',' and
 * false after the closing bracket; anything else is invalid JSON.
 */
static ws_status
next_or_close(parser *ps, char close, bool *more)
{
	skip_ws(ps);
	if (ps->p < ps->end && (*ps->p == ',' || *ps->p == close)) {
		*more = *ps->p++ == ',';
		return WS_OK;
	}
	return bad_json(ps, close == ']' ? "expected ',' or ']'"
					 : "expected ',' or '}'");
}

/*
 * A member key and its colon: decodes the key into buf->str (from its
 * start) and leaves ps->p on the value.
 */
static ws_status
parse_key(parser *ps, size_t *koff, size_t *klen)
{
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '"')
		return bad_json(ps, "expected a string key");
	ps->buf->nstr = 0;
	ws_status rc = parse_string(ps, koff, klen);
	if (rc != WS_OK)
		return rc;
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != ':')
		return bad_json(ps, "expected ':'");
	ps->p++;
	skip_ws(ps);
	return ps->p < ps->end ? WS_OK : bad_json(ps, "");
}

static ws_status
not_vector(parser *ps)
{
	return bad(ps, "field \"%s\" must be an array of numbers", "vector");
}

static ws_status
parse_vector(parser *ps, uint32_t *dim)
{
	if (*ps->p != '[')
		return value_at(ps, "\"{-0123456789tfn")
			       ? not_vector(ps)
			       : bad_json(ps, "unexpected character");
	ps->p++;
	skip_ws(ps);
	size_t n = 0;
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return ws__err(ps->err, WS_EBADINPUT, "vector is empty");
	}
	for (;;) {
		skip_ws(ps);
		if (ps->p >= ps->end)
			return bad_json(ps, "");
		if (!starts_number(*ps->p)) {
			if (value_at(ps, "\"[{tfn"))
				return not_vector(ps);
			return bad_json(ps, "unexpected character");
		}
		if (n == WS_MAX_DIM)
			return ws__err(ps->err, WS_EBADINPUT,
				       "vector has more than %u values",
				       WS_MAX_DIM);
		const char *tok;
		size_t len;
		bool integral;
		ws_status rc = scan_number(ps, &tok, &len, &integral);
		if (rc == WS_OK)
			rc = ws__grow(&ps->buf->vec, &ps->buf->capvec, n + 1,
				      sizeof(float), ps->err);
		if (rc == WS_OK)
			rc = to_f32(ps, tok, len, n, &ps->buf->vec[n]);
		if (rc != WS_OK)
			return rc;
		n++;
		bool more;
		if ((rc = next_or_close(ps, ']', &more)) != WS_OK)
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
		     ps->err) != WS_OK)
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
	if (*ps->p != '{')
		return value_at(ps, "\"[-0123456789tfn")
			       ? not_metadata(ps)
			       : bad_json(ps, "unexpected character");
	ps->p++;
	size_t len = WS_VARINT_MAX, count = 0;
	ws_status rc = ws__grow(&ps->buf->meta, &ps->buf->capmeta, len, 1,
				ps->err);
	if (rc != WS_OK)
		return rc;
	memset(ps->buf->meta, 0, WS_VARINT_MAX);
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		*meta_off = *meta_len = 0;
		return WS_OK;
	}
	for (bool more = true; more;) {
		size_t koff, klen, voff, vlen;
		if ((rc = parse_key(ps, &koff, &klen)) != WS_OK)
			return rc;
		if (*ps->p != '"') {
			char shown[SHOWN_KEY_SIZE];
			if (value_at(ps, "-0123456789[{tfn"))
				return bad(ps, "metadata \"%s\" must be a string",
					   shown_key(ps->buf->str + koff, klen,
						     shown));
			return bad_json(ps, "unexpected character");
		}
		if ((rc = parse_string(ps, &voff, &vlen)) != WS_OK)
			return rc;
		const char *key = ps->buf->str + koff;
		char shown[SHOWN_KEY_SIZE];
		if (count > 0 && meta_has_key(ps, len, key, klen))
			return bad(ps, "duplicate metadata key \"%s\"",
				   shown_key(key, klen, shown));
		if (++count > MAX_META_PAIRS)
			return ws__err(ps->err, WS_EBADINPUT,
				       "metadata has more than %d keys",
				       MAX_META_PAIRS);
		if ((rc = meta_put_string(ps, &len, key, klen)) != WS_OK ||
		    (rc = meta_put_string(ps, &len, ps->buf->str + voff,
					  vlen)) != WS_OK ||
		    (rc = next_or_close(ps, '}', &more)) != WS_OK)
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

static enum field
field_of(const char *key, size_t len)
{
	static const struct {
		const char *name;
		enum field f;
	} names[] = {{"entity_id", F_ENTITY},
		     {"space_id", F_SPACE},
		     {"timestamp", F_TIMESTAMP},
		     {"vector", F_VECTOR},
		     {"metadata", F_METADATA}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i].name) == len &&
		    memcmp(names[i].name, key, len) == 0)
			return names[i].f;
	return 0;
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
		rc = parse_int_field(ps, "timestamp", INT_I64, &u, &i);
		pt->timestamp = i;
		return rc;
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
	ps->p++;
	skip_ws(ps);
	bool more = true;
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		more = false;
	}
	while (more) {
		size_t koff, klen;
		ws_status rc = parse_key(ps, &koff, &klen);
		if (rc != WS_OK)
			return rc;
		const char *key = ps->buf->str + koff;
		enum field f = field_of(key, klen);
		char shown[SHOWN_KEY_SIZE];
		if (f == 0)
			return bad(ps, "unknown field \"%s\"",
				   shown_key(key, klen, shown));
		if (seen & f)
			return bad(ps, "duplicate field \"%s\"",
				   shown_key(key, klen, shown));
		seen |= f;
		if ((rc = parse_member(ps, f, pt, &meta_off)) != WS_OK ||
		    (rc = next_or_close(ps, '}', &more)) != WS_OK)
			return rc;
	}
	skip_ws(ps);
	if (ps->p < ps->end)
		return bad_json(ps, "trailing characters");
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
	ws_status rc = check_bytes(line, len, err);
	if (rc != WS_OK)
		return rc;
	parser ps = {.s = line, .p = line, .end = line + len, .buf = buf,
		     .err = err};
	memset(pt, 0, sizeof *pt);
	pt->space_id = default_space;
	skip_ws(&ps);
	if (ps.p >= ps.end)
		return bad_json(&ps, "");
	if (*ps.p != '{') {
		if (value_at(&ps, "\"[-0123456789tfn"))
			return ws__err(err, WS_EBADINPUT, "not a JSON object");
		/* Editors add it; JSON readers may ignore it, NDJSON forbids it. */
		if (ps.end - ps.p >= 3 && memcmp(ps.p, "\xef\xbb\xbf", 3) == 0)
			return bad_json(&ps, "byte order mark (save as UTF-8 "
					     "without BOM)");
		return bad_json(&ps, "unexpected character");
	}
	return parse_object(&ps, mode, pt);
}
