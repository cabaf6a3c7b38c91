/*
 * test_json.c - unit tests of the JSON reader the MANIFEST is read with
 * (lib/codec/json_doc.c): exact integers, the tree, its errors, and a
 * differential test against cJSON over random and mutated texts.
 */
#include "codec/json_doc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tap.h"

static bool
reads(const char *text, ws__jdoc *d, ws_error *err)
{
	return ws__jdoc_read(d, text, strlen(text), err) == WS_OK;
}

static void
test_exact_integers(void)
{
	ws__jdoc d;
	ws_error err;
	const char *text = "{\"max\":18446744073709551615,\"over\":18446744073709551616,"
			   "\"min\":-9223372036854775808,\"low\":-9223372036854775809,"
			   "\"big\":9007199254740993,\"frac\":1.0,\"exp\":1e3,\"neg\":-0}";
	TAP_CHECK(reads(text, &d, &err), "integer members read (%s)", err.msg);
	uint64_t u = 0;
	int64_t i = 0;
	TAP_CHECK(ws__jdoc_u64(&d, ws__jdoc_member(&d, 0, "max"), &u) &&
			  u == UINT64_MAX,
		  "2^64-1 is exact");
	TAP_CHECK(!ws__jdoc_u64(&d, ws__jdoc_member(&d, 0, "over"), &u),
		  "2^64 is out of u64");
	TAP_CHECK(ws__jdoc_i64(&d, ws__jdoc_member(&d, 0, "min"), &i) &&
			  i == INT64_MIN,
		  "-2^63 is exact");
	TAP_CHECK(!ws__jdoc_i64(&d, ws__jdoc_member(&d, 0, "low"), &i),
		  "-2^63-1 is out of i64");
	TAP_CHECK(ws__jdoc_u64(&d, ws__jdoc_member(&d, 0, "big"), &u) &&
			  u == 9007199254740993u,
		  "2^53+1, which no double holds, is exact");
	TAP_CHECK(!ws__jdoc_u64(&d, ws__jdoc_member(&d, 0, "frac"), &u) &&
			  !ws__jdoc_u64(&d, ws__jdoc_member(&d, 0, "exp"), &u) &&
			  !ws__jdoc_u64(&d, ws__jdoc_member(&d, 0, "neg"), &u),
		  "fractions, exponents and signs are not u64 integers");
	TAP_CHECK(ws__jdoc_i64(&d, ws__jdoc_member(&d, 0, "neg"), &i) && i == 0,
		  "-0 is the i64 0");
	TAP_CHECK(!ws__jdoc_u64(&d, ws__jdoc_member(&d, 0, "none"), &u) &&
			  !ws__jdoc_u64(&d, 0, &u),
		  "a missing member or an object is no integer");
	ws__jdoc_free(&d);
}

static void
test_tree(void)
{
	ws__jdoc d;
	ws_error err;
	const char *text = " {\"a\":[1,{\"b\":\"x\\u0000y\"},[],{}],\"a\":2,"
			   "\"s\":\"\\u00e9\\ud83d\\ude00\\n\",\"t\":true,\"n\":null} \n";
	TAP_CHECK(reads(text, &d, &err), "nested text read (%s)", err.msg);
	size_t a = ws__jdoc_member(&d, 0, "a");
	TAP_CHECK(a != 0 && d.v[a].kind == WS_JSON_ARRAY &&
			  ws__jdoc_count(&d, a) == 4,
		  "the first of two members of one name is found, with its 4 elements");
	size_t e = ws__jdoc_first(&d, a);
	uint64_t u = 0;
	TAP_CHECK(ws__jdoc_u64(&d, e, &u) && u == 1, "first element 1");
	e = ws__jdoc_next(&d, a, e);
	size_t len = 0;
	const char *b = ws__jdoc_string(&d, ws__jdoc_member(&d, e, "b"), &len);
	TAP_CHECK(b != NULL && len == 3 && memcmp(b, "x\0y", 3) == 0 &&
			  !ws__jdoc_is_string(&d, ws__jdoc_member(&d, e, "b"), "x"),
		  "a string keeps an escaped NUL and compares by its length");
	e = ws__jdoc_next(&d, a, e);
	TAP_CHECK(d.v[e].kind == WS_JSON_ARRAY && ws__jdoc_first(&d, e) == 0,
		  "an empty array has no first element");
	e = ws__jdoc_next(&d, a, e);
	TAP_CHECK(d.v[e].kind == WS_JSON_OBJECT && ws__jdoc_count(&d, e) == 0 &&
			  ws__jdoc_next(&d, a, e) == 0,
		  "an empty object ends the array");
	TAP_CHECK(ws__jdoc_is_string(&d, ws__jdoc_member(&d, 0, "s"),
				     "\xc3\xa9\xf0\x9f\x98\x80\n"),
		  "escapes and surrogate pairs decode to UTF-8");
	TAP_CHECK(d.v[ws__jdoc_member(&d, 0, "t")].kind == WS_JSON_LITERAL &&
			  d.v[ws__jdoc_member(&d, 0, "n")].kind == WS_JSON_LITERAL,
		  "literals read");
	TAP_CHECK(ws__jdoc_member(&d, a, "b") == 0 &&
			  ws__jdoc_count(&d, 0) == 5,
		  "an array has no members; the top object has 5");
	ws__jdoc_free(&d);
}

static void
expect_bad(const char *text, const char *why)
{
	ws__jdoc d;
	ws_error err = {0};
	ws_status rc = ws__jdoc_read(&d, text, strlen(text), &err);
	TAP_CHECK(rc == WS_EBADINPUT && strstr(err.msg, why) != NULL,
		  "'%s' refused: %s (got '%s')", text, why, err.msg);
}

static void
test_errors(void)
{
	expect_bad("", "unexpected end of line at column 1");
	expect_bad("{\"a\":1} x", "text after the value at column 9");
	expect_bad("{\"a\" 1}", "expected ':' at column 6");
	expect_bad("{1:1}", "expected a string key at column 2");
	expect_bad("[1 2]", "expected ',' or ']' at column 4");
	expect_bad("{\"a\":1,}", "expected a string key at column 8");
	expect_bad("[01]", "expected ',' or ']' at column 3");
	expect_bad("[-]", "bad number");
	/* cJSON takes these four; RFC 8259 does not. */
	expect_bad("[1.]", "bad number");
	expect_bad("[.5]", "unexpected character");
	expect_bad("[+1]", "unexpected character");
	expect_bad("[0x1]", "expected ',' or ']' at column 3");
	expect_bad("[tru]", "unexpected character at column 2");
	expect_bad("[\"a\\x\"]", "bad escape");
	expect_bad("[\"\\ud800\"]", "lone high surrogate");
	expect_bad("[\"a", "unexpected end of line at column 4");
	char deep[2 * WS_JSON_MAX_DEPTH + 3];
	memset(deep, '[', WS_JSON_MAX_DEPTH);
	memset(deep + WS_JSON_MAX_DEPTH, ']', WS_JSON_MAX_DEPTH);
	deep[2 * WS_JSON_MAX_DEPTH] = '\0';
	ws__jdoc d;
	ws_error err;
	TAP_CHECK(reads(deep, &d, &err), "%d nested arrays read",
		  WS_JSON_MAX_DEPTH);
	ws__jdoc_free(&d);
	memmove(deep + 1, deep, 2 * WS_JSON_MAX_DEPTH + 1);
	deep[0] = '[';
	strcat(deep, "]");
	expect_bad(deep, "nested too deep");
}

/* What a message shows of a text: cut inside its buffer, whatever it holds. */
static void
test_shown_text(void)
{
	char text[600], shown[WS__SHOWN_SIZE + 600];
	memset(text, 0x80, sizeof text); /* continuation bytes only */
	ws__shown_text(text, sizeof text, shown);
	size_t n = strlen(shown);
	TAP_CHECK(n < WS__SHOWN_SIZE && strcmp(shown + n - 3, "...") == 0,
		  "600 continuation bytes are cut at %zu bytes with '...'", n);
	memset(text, 'a', sizeof text);
	/* Two-byte characters across the place where the cut falls. */
	memcpy(text + 110, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 12);
	ws__shown_text(text, sizeof text, shown);
	n = strlen(shown);
	TAP_CHECK(n == 121 && memcmp(shown + n - 5, "\xc3\xa9...", 5) == 0,
		  "UTF-8 text is cut where a character starts (%zu bytes)", n);
	text[0] = '"';
	text[1] = '\x1b';
	ws__shown_text(text, 2, shown);
	TAP_CHECK(strcmp(shown, "\\\"\\u001b") == 0,
		  "quotes and controls are escaped (%s)", shown);
}

/* --- against cJSON ---------------------------------------------------- */

static const char *const pieces[] = {
	"{", "}", "[", "]", ",", ":", "\"k\"", "\"\\u00e9\"", "\"\\n\"", "0",
	"-1", "12.5", "1e-3", "-0.0E+2", "true", "false", "null", " ", "\"",
	"01", "1.", ".5", "+1", "\\", "tru", "\"\\ud800\""};

/* A small LCG: the same texts on every machine. */
static unsigned
next_random(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

static size_t
random_text(char *buf, size_t cap, unsigned *seed)
{
	size_t n = 0, count = (size_t)(next_random(seed) % 24);
	for (size_t i = 0; i < count; i++) {
		const char *p = pieces[next_random(seed) % (sizeof pieces / sizeof *pieces)];
		size_t len = strlen(p);
		if (n + len + 1 > cap)
			break;
		memcpy(buf + n, p, len);
		n += len;
	}
	buf[n] = '\0';
	return n;
}

/* A valid text with a few of its bytes changed, taken out or doubled. */
static size_t
mutated_text(char *buf, size_t cap, unsigned *seed)
{
	static const char *const valid[] = {
		"{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}", "[true,false,-1.5e3]",
		"{\"x\":{\"y\":{\"z\":[[],{}]}}}", "\"\\u0041\\t\"", "-0"};
	const char *v = valid[next_random(seed) % (sizeof valid / sizeof *valid)];
	size_t n = strlen(v);
	memcpy(buf, v, n + 1);
	for (int k = next_random(seed) % 3; k >= 0 && n > 0 && n + 2 < cap; k--) {
		size_t at = (size_t)next_random(seed) % n;
		switch (next_random(seed) % 3) {
		case 0: buf[at] = "{}[],:\"0-e. x"[next_random(seed) % 13]; break;
		case 1: memmove(buf + at, buf + at + 1, n - at); n--; break;
		default: memmove(buf + at + 1, buf + at, n - at + 1); n++; break;
		}
	}
	return n;
}

/* Whether cJSON's tree holds what the doc's value v does. */
static bool
same_as_cjson(const ws__jdoc *d, size_t v, const cJSON *c)
{
	size_t len;
	const char *s;
	switch (d->v[v].kind) {
	case WS_JSON_OBJECT:
	case WS_JSON_ARRAY: {
		if (d->v[v].kind == WS_JSON_OBJECT ? !cJSON_IsObject(c)
						   : !cJSON_IsArray(c))
			return false;
		const cJSON *child = c->child;
		for (size_t i = ws__jdoc_first(d, v); i != 0;
		     i = ws__jdoc_next(d, v, i), child = child->next)
			if (child == NULL || !same_as_cjson(d, i, child))
				return false;
		return child == NULL;
	}
	case WS_JSON_STRING:
		s = ws__jdoc_string(d, v, &len);
		/* cJSON's strings end at an escaped NUL. */
		return cJSON_IsString(c) && strncmp(c->valuestring, s, len + 1) == 0;
	case WS_JSON_NUMBER:
		return cJSON_IsNumber(c) &&
		       c->valuedouble == strtod(d->text + d->v[v].off, NULL);
	case WS_JSON_LITERAL:
		return cJSON_IsBool(c) || cJSON_IsNull(c);
	}
	return false;
}

static void
test_against_cjson(void)
{
	char buf[512];
	unsigned seed = 7;
	size_t accepted = 0, disagree = 0;
	const char *first = NULL;
	static char shown[512];
	for (int i = 0; i < 200000; i++) {
		size_t n = i % 2 ? random_text(buf, sizeof buf, &seed)
				 : mutated_text(buf, sizeof buf, &seed);
		ws__jdoc d;
		ws_error err;
		bool ours = ws__jdoc_read(&d, buf, n, &err) == WS_OK;
		const char *end = NULL;
		cJSON *c = cJSON_ParseWithOpts(buf, &end, 1);
		if (ours) {
			accepted++;
			if (c == NULL || !same_as_cjson(&d, 0, c)) {
				disagree++;
				if (first == NULL)
					first = strcpy(shown, buf);
			}
			ws__jdoc_free(&d);
		}
		cJSON_Delete(c);
	}
	TAP_CHECK(accepted > 10000 && disagree == 0,
		  "every one of %zu texts read is read alike by cJSON "
		  "(%zu differ; first: '%s')",
		  accepted, disagree, first ? first : "");
}

int
main(void)
{
	test_exact_integers();
	test_tree();
	test_errors();
	test_shown_text();
	test_against_cjson();
	return tap_done();
}
