/*
 * json_lex.c - the JSON lexer under the point parser: white space,
 * strings (escapes and surrogates decoded into a reusable buffer), number
 * tokens per RFC 8259, the punctuation between values, and the byte-level
 * checks (NUL, UTF-8) that come before any of it. It never recurses and
 * knows no field names: point_schema.c does.
 */
#include "codec/json_lex.h"

#include <stdio.h>
#include <string.h>

static size_t
column(const ws__json *ps)
{
	return (size_t)(ps->p - ps->s) + 1;
}


/*
 * A decoded key as a message shows it: control characters, quotes and
 * backslashes escaped as JSON does, so that a message stays one line and
 * sends nothing to a terminal; a long key is cut with "...".
 */
const char *
ws__shown_key(const char *key, size_t len, char buf[WS_SHOWN_KEY_SIZE])
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)key[i];
		/*
		 * Cut where a character starts, so that the rest stays UTF-8,
		 * or a little later in any case: a text that is not UTF-8
		 * can hold any number of continuation bytes in a row.
		 */
		bool full = o + 12 > WS_SHOWN_KEY_SIZE;
		if ((full && (c & 0xc0) != 0x80) || o + 8 > WS_SHOWN_KEY_SIZE) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		unsigned char next = i + 1 < len ? (unsigned char)key[i + 1] : 0;
		if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {
			/* U+0080..U+009F: C1 controls, CSI among them. */
			o += (size_t)snprintf(buf + o, WS_SHOWN_KEY_SIZE - o,
					      "\\u%04x", next);
			i++;
		} else if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, WS_SHOWN_KEY_SIZE - o,
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
	return ws__shown_key(s, len, buf);
}

ws_status
ws__json_bad(ws__json *ps, const char *what)
{
	if (ps->p >= ps->end)
		return ws__err(ps->err, WS_EBADINPUT,
			       "invalid JSON: unexpected end of line at column %zu",
			       column(ps));
	return ws__err(ps->err, WS_EBADINPUT,
		       "invalid JSON: %s at column %zu", what, column(ps));
}


bool
ws_line_is_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!ws__json_is_ws(line[i]))
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

/* NUL bytes and invalid UTF-8 are bad-input classes of their own. */
ws_status
ws__json_check_bytes(const char *line, size_t len, ws_error *err)
{
	const char *nul = memchr(line, '\0', len);
	if (nul != NULL)
		return ws__err(err, WS_EBADINPUT, "NUL byte at column %zu",
			       (size_t)(nul - line) + 1);
	const unsigned char *p = (const unsigned char *)line, *end = p + len;
	while (p < end) {
		/* ASCII, the common case, eight bytes at a time. */
		uint64_t w;
		if (end - p >= 8 && (memcpy(&w, p, 8), (w & 0x8080808080808080u) == 0)) {
			p += 8;
			continue;
		}
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

ws_status
ws__strbuf_put(ws__strbuf *sb, const char *bytes, size_t n, ws_error *err)
{
	if (ws__grow(&sb->str, &sb->cap, sb->n + n + 1, 1, err) != WS_OK)
		return WS_ENOMEM;
	memcpy(sb->str + sb->n, bytes, n);
	sb->n += n;
	sb->str[sb->n] = '\0';
	return WS_OK;
}

static ws_status
str_put(ws__json *ps, const char *bytes, size_t n)
{
	return ws__strbuf_put(ps->sb, bytes, n, ps->err);
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
put_codepoint(ws__json *ps, unsigned cp)
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
parse_unicode_escape(ws__json *ps)
{
	if (ps->end - ps->p < 5 || hex4(ps->p + 1) < 0)
		return ws__json_bad(ps, "bad \\u escape");
	unsigned cp = (unsigned)hex4(ps->p + 1);
	ps->p += 5;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return ws__json_bad(ps, "lone low surrogate");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
		    hex4(ps->p + 2) < 0)
			return ws__json_bad(ps, "lone high surrogate");
		unsigned lo = (unsigned)hex4(ps->p + 2);
		if (lo < 0xdc00 || lo > 0xdfff)
			return ws__json_bad(ps, "lone high surrogate");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		ps->p += 6;
	}
	return put_codepoint(ps, cp);
}

/*
 * Decodes the string at ps->p (on its opening quote) into buf->str,
 * appending; *off and *len locate it there.
 */
ws_status
ws__json_string(ws__json *ps, size_t *off, size_t *len)
{
	ps->p++;
	*off = ps->sb->n;
	ws_status rc = WS_OK;
	/* Each round puts its run, the empty one too: str ends with a NUL. */
	while (rc == WS_OK) {
		const char *run = ps->p;
		while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' &&
		       (unsigned char)*ps->p >= 0x20)
			ps->p++;
		rc = str_put(ps, run, (size_t)(ps->p - run));
		if (rc != WS_OK)
			return rc;
		if (ps->p >= ps->end)
			return ws__json_bad(ps, "unterminated string");
		if (*ps->p == '"') {
			ps->p++;
			*len = ps->sb->n - *off;
			return WS_OK;
		}
		if (*ps->p != '\\')
			return ws__json_bad(ps, "control character in string");
		if (ps->end - ps->p < 2) {
			ps->p++;
			return ws__json_bad(ps, "unterminated string");
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
			return ws__json_bad(ps, "bad escape");
		}
	}
	return rc;
}

/* A number token per RFC 8259; *integral is false with a fraction or exponent. */
ws_status
ws__json_number(ws__json *ps, const char **start, size_t *n, bool *integral)
{
	const char *p = ps->p;
	*start = p;
	*integral = true;
	p += p < ps->end && *p == '-'; /* no branch: random signs */
	if (p < ps->end && *p == '0') {
		p++;
	} else if (p < ps->end && *p >= '1' && *p <= '9') {
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	} else {
		ps->p = p;
		return ws__json_bad(ps, "bad number");
	}
	if (p < ps->end && *p == '.') {
		*integral = false;
		p++;
		if (p >= ps->end || *p < '0' || *p > '9') {
			ps->p = p;
			return ws__json_bad(ps, "bad number");
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
			return ws__json_bad(ps, "bad number");
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
bool
ws__json_value_at(const ws__json *ps, const char *starts)
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

bool
ws__json_starts_number(char c)
{
	return c == '-' || (c >= '0' && c <= '9');
}

/*
 * After a value inside an array or object: *more is true after a ',' and
 * false after the closing bracket; anything else is invalid JSON.
 */
ws_status
ws__json_next_or_close(ws__json *ps, char close, bool *more)
{
	ws__json_skip_ws(ps);
	if (ps->p < ps->end && (*ps->p == ',' || *ps->p == close)) {
		*more = *ps->p++ == ',';
		return WS_OK;
	}
	return ws__json_bad(ps, close == ']' ? "expected ',' or ']'"
					 : "expected ',' or '}'");
}

/*
 * A member key and its colon: decodes the key into ps->sb, appending, and
 * leaves ps->p just past the colon.
 */
ws_status
ws__json_key_append(ws__json *ps, size_t *koff, size_t *klen)
{
	ws__json_skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '"')
		return ws__json_bad(ps, "expected a string key");
	ws_status rc = ws__json_string(ps, koff, klen);
	if (rc != WS_OK)
		return rc;
	ws__json_skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != ':')
		return ws__json_bad(ps, "expected ':'");
	ps->p++;
	return WS_OK;
}

/*
 * A member key and its colon: decodes the key into buf->str (from its
 * start) and leaves ps->p on the value.
 */
ws_status
ws__json_key(ws__json *ps, size_t *koff, size_t *klen)
{
	ps->sb->n = 0;
	ws_status rc = ws__json_key_append(ps, koff, klen);
	if (rc != WS_OK)
		return rc;
	ws__json_skip_ws(ps);
	return ps->p < ps->end ? WS_OK : ws__json_bad(ps, "");
}
