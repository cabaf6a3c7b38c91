/*
 * test_time.c - unit tests of the time forms (wstime.c): durations, RFC
 * 3339, time arguments and the printer, each field at its limits, leap
 * years, offsets, the i64 extremes and round trips over random instants.
 */
#include "warmstore.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"

#define S INT64_C(1000000)
#define NOW (INT64_C(1700000000) * S)

/* Seconds since the epoch at midnight of 0000-01-01 and after 9999. */
#define FIRST_US (INT64_C(-62167219200) * S)
#define LAST_US (INT64_C(253402300800) * S - 1)

static void
time_is(const char *s, int64_t want)
{
	ws_error err = {0};
	int64_t got = 0;
	ws_status rc = ws_parse_time(s, strlen(s), NOW, &got, &err);
	TAP_CHECK(rc == WS_OK && got == want, "'%s' is %" PRId64 " (got %" PRId64
		  ", %s)", s, want, got, rc == WS_OK ? "ok" : err.msg);
}

/* Rejected as a usage error with a message containing `why`. */
static void
time_bad(const char *s, const char *why)
{
	ws_error err = {0};
	int64_t got = 0;
	ws_status rc = ws_parse_time(s, strlen(s), NOW, &got, &err);
	TAP_CHECK(rc == WS_EUSAGE && strstr(err.msg, why) != NULL,
		  "'%s' is rejected: %s (got '%s')", s, why,
		  rc == WS_OK ? "accepted" : err.msg);
}

static void
duration_is(const char *s, int64_t want)
{
	ws_error err = {0};
	int64_t got = 0;
	ws_status rc = ws_parse_duration(s, strlen(s), &got, &err);
	TAP_CHECK(rc == WS_OK && got == want, "duration '%s' is %" PRId64
		  " (got %" PRId64 ", %s)", s, want, got,
		  rc == WS_OK ? "ok" : err.msg);
}

static void
duration_bad(const char *s, const char *why)
{
	ws_error err = {0};
	int64_t got = 0;
	ws_status rc = ws_parse_duration(s, strlen(s), &got, &err);
	TAP_CHECK(rc == WS_EUSAGE && strstr(err.msg, why) != NULL,
		  "duration '%s' is rejected: %s (got '%s')", s, why,
		  rc == WS_OK ? "accepted" : err.msg);
}

static void
prints_as(int64_t us, const char *want)
{
	char buf[WS_RFC3339_BUFSIZE];
	size_t n = ws_format_rfc3339(us, buf);
	TAP_CHECK(n == strlen(want) && strcmp(buf, want) == 0,
		  "%" PRId64 " prints as %s (got %s)", us, want, buf);
}

static void
test_durations(void)
{
	duration_is("1us", 1);
	duration_is("1ms", 1000);
	duration_is("90s", 90 * S);
	duration_is("15m", 900 * S);
	duration_is("1h30m", 5400 * S);
	duration_is("30d", 30 * 86400 * S);
	duration_is("2w3d", 17 * 86400 * S);
	duration_is("1w1d1h1m1s1ms1us",
		    (8 * 86400 + 3661) * S + 1001);
	duration_is("1h0m", 3600 * S);
	duration_is("007s", 7 * S);
	duration_is("9223372036854775807us", INT64_MAX);
	duration_is("15250284w", INT64_C(15250284) * 7 * 86400 * S);
	duration_bad("9223372036854775808us", "too large");
	duration_bad("15250285w", "too large");
	duration_bad("15250284w7d", "too large");
	duration_bad("99999999999999999999999s", "too large");
	duration_bad("", "empty duration");
	duration_bad("0s", "positive");
	duration_bad("0h0m", "positive");
	duration_bad("5", "missing unit");
	duration_bad("1h30", "missing unit");
	duration_bad("1.5h", "whole numbers");
	duration_bad("h", "numbers each followed by a unit");
	duration_bad("-1h", "numbers each followed by a unit");
	duration_bad("1 h", "numbers each followed by a unit");
	duration_bad("1H", "numbers each followed by a unit");
	duration_bad("1y", "unknown duration unit 'y'");
	duration_bad("1sec", "unknown duration unit 'sec'");
	duration_bad("30m1h", "larger to smaller");
	duration_bad("1m1m", "larger to smaller");
	duration_bad("1s1m", "larger to smaller");
}

static void
test_integers(void)
{
	time_is("0", 0);
	time_is("1700000000000000", NOW);
	time_is("-1", -1);
	time_is("9223372036854775807", INT64_MAX);
	time_is("-9223372036854775808", INT64_MIN);
	time_bad("9223372036854775808", "out of range");
	time_bad("-9223372036854775809", "out of range");
	time_bad("+5", "expected integer microseconds");
	time_bad("1e6", "expected integer microseconds");
	time_bad("0x10", "expected integer microseconds");
	time_bad("-", "expected integer microseconds");
	time_bad("", "expected integer microseconds");
	time_bad(" 1", "expected integer microseconds");
}

static void
test_now(void)
{
	time_is("now", NOW);
	time_is("now-1h", NOW - 3600 * S);
	time_is("now+1w", NOW + 7 * 86400 * S);
	time_is("now-1h30m", NOW - 5400 * S);
	time_is("now-15m", NOW - 900 * S);
	time_is("now+1us", NOW + 1);
	time_bad("now-", "empty duration");
	time_bad("now-1", "missing unit");
	time_bad("now-1x", "unknown duration unit");
	time_bad("now--1h", "numbers each followed");
	time_bad("now-0s", "positive");
	time_bad("now*1h", "expected now, now-DURATION");
	time_bad("nowish", "expected now, now-DURATION");
	time_bad("NOW", "expected integer microseconds");
	time_bad("now+9223372036854775807us", "out of the range of i64");

	/* At the edges of the i64 range. */
	ws_error err;
	int64_t got;
	TAP_CHECK(ws_parse_time("now-1us", 7, INT64_MIN, &got, &err) ==
			  WS_EUSAGE,
		  "now-1us underflows when now is the smallest i64");
	TAP_CHECK(ws_parse_time("now+1us", 7, INT64_MAX, &got, &err) ==
			  WS_EUSAGE,
		  "now+1us overflows when now is the largest i64");
	TAP_CHECK(ws_parse_time("now-9223372036854775807us", 25, -1, &got,
				&err) == WS_OK && got == INT64_MIN,
		  "now-MAX from -1 reaches the smallest i64 exactly");
}

static void
test_rfc3339(void)
{
	time_is("1970-01-01T00:00:00Z", 0);
	time_is("1970-01-01", 0);
	time_is("2026-11-25T10:00:00Z", INT64_C(1795600800) * S);
	time_is("2026-11-25t10:00:00z", INT64_C(1795600800) * S);
	time_is("2026-11-25", INT64_C(1795564800) * S);
	time_is("1969-12-31T23:59:59.999999Z", -1);
	time_is("0000-01-01T00:00:00Z", FIRST_US);
	time_is("0000-01-01", FIRST_US);
	time_is("0001-01-01T00:00:00Z", INT64_C(-62135596800) * S);
	time_is("9999-12-31T23:59:59.999999Z", LAST_US);
	/* Fractions: 1 to 6 digits, exact. */
	time_is("1970-01-01T00:00:00.1Z", 100000);
	time_is("1970-01-01T00:00:00.12Z", 120000);
	time_is("1970-01-01T00:00:00.000001Z", 1);
	time_is("1970-01-01T00:00:00.123456Z", 123456);
	time_is("1970-01-01T00:00:00.999999Z", 999999);
	time_bad("1970-01-01T00:00:00.1234567Z", "more than 6 fraction digits");
	time_bad("1970-01-01T00:00:00.0000000Z", "more than 6 fraction digits");
	time_bad("1970-01-01T00:00:00.Z", "expected");
	/* Offsets: local time minus the offset is UTC. */
	time_is("2026-11-25T11:00:00+01:00", INT64_C(1795600800) * S);
	time_is("2026-11-25T04:30:00-05:30", INT64_C(1795600800) * S);
	time_is("2026-11-25T10:00:00+00:00", INT64_C(1795600800) * S);
	time_is("2026-11-25T10:00:00-00:00", INT64_C(1795600800) * S);
	time_is("1970-01-01T00:00:00+23:59", -(23 * 3600 + 59 * 60) * S);
	time_is("1970-01-01T00:00:00-23:59", (23 * 3600 + 59 * 60) * S);
	time_is("0000-01-01T00:00:00+01:00", FIRST_US - 3600 * S);
	time_is("9999-12-31T23:59:59.999999-01:00", LAST_US + 3600 * S);
	time_bad("1970-01-01T00:00:00+24:00", "offset hour 24 out of range");
	time_bad("1970-01-01T00:00:00+01:60", "offset minute 60 out of range");
	time_bad("1970-01-01T00:00:00+0100", "expected");
	time_bad("1970-01-01T00:00:00+01", "expected");
	time_bad("1970-01-01T00:00:00", "expected");
	time_bad("1970-01-01T00:00:00ZZ", "expected");
	time_bad("1970-01-01T00:00:00 Z", "expected");
}

static void
test_fields(void)
{
	/* Every field at its limits, and just past them. */
	time_is("2026-01-01T00:00:00Z", INT64_C(1767225600) * S);
	time_is("2026-12-31T23:59:59Z", INT64_C(1798761599) * S);
	time_bad("2026-00-10", "month 00 out of range 01..12");
	time_bad("2026-13-10", "month 13 out of range 01..12");
	time_bad("2026-01-00", "day 00 out of range 01..31 for 2026-01");
	time_bad("2026-01-32", "day 32 out of range 01..31 for 2026-01");
	time_bad("2026-04-31", "day 31 out of range 01..30 for 2026-04");
	time_bad("2026-02-30T00:00:00Z", "day 30 out of range 01..28");
	time_bad("2026-11-25T24:00:00Z", "hour 24 out of range 00..23");
	time_bad("2026-11-25T23:60:00Z", "minute 60 out of range 00..59");
	time_bad("2026-11-25T23:59:60Z", "leap seconds");
	time_bad("2016-12-31T23:59:60Z", "second 60 out of range");
	time_bad("2026-11-25T23:59:61Z", "second 61 out of range 00..59");
	time_bad("2026-11-25T23:59:99Z", "second 99 out of range");
	/* Shapes that are not RFC 3339. */
	time_bad("26-11-25", "expected");
	time_bad("2026-1-25", "expected");
	time_bad("2026/11/25", "expected");
	time_is("20261125", 20261125); /* digits alone are microseconds */
	time_bad("2026-11-25 10:00:00Z", "expected");
	time_bad("2026-11-25T10:00Z", "expected");
	time_bad("2026-11-25T", "expected");
	time_bad("2026-11-25x", "expected");
	time_bad("12026-11-25", "expected");
	time_bad("-2026-11-25", "expected");
}

static void
test_leap_years(void)
{
	time_is("2000-02-29", INT64_C(951782400) * S);
	time_is("2024-02-29", INT64_C(1709164800) * S);
	time_is("1900-02-28", INT64_C(-2203977600) * S);
	time_is("1900-03-01", INT64_C(-2203891200) * S);
	time_is("0000-02-29", FIRST_US + 59 * 86400 * S);
	time_bad("1900-02-29", "day 29 out of range 01..28 for 1900-02");
	time_bad("2100-02-29", "day 29 out of range 01..28 for 2100-02");
	time_bad("2023-02-29", "day 29 out of range 01..28 for 2023-02");
	time_bad("2000-02-30", "day 30 out of range 01..29 for 2000-02");
	time_bad("2024-02-30", "day 30 out of range 01..29 for 2024-02");
	/* 2000 is a leap year, 1900 is not: a year's length tells. */
	int64_t a, b;
	ws_error err;
	TAP_CHECK(ws_parse_rfc3339("2000-01-01", 10, &a, &err) == WS_OK &&
			  ws_parse_rfc3339("2001-01-01", 10, &b, &err) == WS_OK &&
			  b - a == 366 * 86400 * S,
		  "2000 has 366 days");
	TAP_CHECK(ws_parse_rfc3339("1900-01-01", 10, &a, &err) == WS_OK &&
			  ws_parse_rfc3339("1901-01-01", 10, &b, &err) == WS_OK &&
			  b - a == 365 * 86400 * S,
		  "1900 has 365 days");
}

static void
test_rfc3339_only(void)
{
	/* The NDJSON form takes no integers and no now. */
	ws_error err;
	int64_t got;
	TAP_CHECK(ws_parse_rfc3339("now", 3, &got, &err) == WS_EUSAGE &&
			  strstr(err.msg, "RFC 3339") != NULL,
		  "ws_parse_rfc3339 rejects now (%s)", err.msg);
	TAP_CHECK(ws_parse_rfc3339("12", 2, &got, &err) == WS_EUSAGE,
		  "ws_parse_rfc3339 rejects an integer");
	TAP_CHECK(ws_parse_rfc3339("2026-11-25T10:00:00Z", 20, &got, &err) ==
				  WS_OK && got == INT64_C(1795600800) * S,
		  "ws_parse_rfc3339 takes a date-time");
	/* The length bounds the parse: no NUL needed, none read past. */
	TAP_CHECK(ws_parse_rfc3339("2026-11-25T10", 10, &got, &err) == WS_OK &&
			  got == INT64_C(1795564800) * S,
		  "ws_parse_rfc3339 stops at n");
}

static void
test_printer(void)
{
	prints_as(0, "1970-01-01T00:00:00.000000Z");
	prints_as(-1, "1969-12-31T23:59:59.999999Z");
	prints_as(1, "1970-01-01T00:00:00.000001Z");
	prints_as(INT64_C(1795600800) * S, "2026-11-25T10:00:00.000000Z");
	prints_as(INT64_C(951782400) * S + 123456, "2000-02-29T00:00:00.123456Z");
	prints_as(INT64_C(-2203891200) * S - 1, "1900-02-28T23:59:59.999999Z");
	prints_as(FIRST_US, "0000-01-01T00:00:00.000000Z");
	prints_as(LAST_US, "9999-12-31T23:59:59.999999Z");
	/* Outside the years RFC 3339 can write: the integer form. */
	prints_as(FIRST_US - 1, "-62167219200000001");
	prints_as(LAST_US + 1, "253402300800000000");
	prints_as(INT64_MIN, "-9223372036854775808");
	prints_as(INT64_MAX, "9223372036854775807");
	TAP_CHECK(ws_rfc3339_can_format(FIRST_US) &&
			  ws_rfc3339_can_format(LAST_US) &&
			  !ws_rfc3339_can_format(FIRST_US - 1) &&
			  !ws_rfc3339_can_format(LAST_US + 1),
		  "ws_rfc3339_can_format covers exactly 0000..9999");
}

static bool
round_trips(int64_t us)
{
	char buf[WS_RFC3339_BUFSIZE];
	ws_error err;
	int64_t back;
	size_t n = ws_format_rfc3339(us, buf);
	return n < WS_RFC3339_BUFSIZE && strlen(buf) == n &&
	       ws_parse_time(buf, n, 0, &back, &err) == WS_OK && back == us;
}

/* The printer against glibc's gmtime_r, an independent calendar. */
static bool
agrees_with_gmtime(int64_t us)
{
	time_t secs = (time_t)(us >= 0 ? us / S : -((-us + S - 1) / S));
	struct tm tm;
	if (gmtime_r(&secs, &tm) == NULL)
		return false;
	char want[64], got[WS_RFC3339_BUFSIZE];
	size_t n = strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(want + n, sizeof want - n, ".%06" PRId64 "Z",
		 us - (int64_t)secs * S);
	ws_format_rfc3339(us, got);
	return strcmp(want, got) == 0;
}

static void
test_round_trips(void)
{
	uint64_t state = UINT64_C(0x9e3779b97f4a7c15);
	int bad_any = 0, bad_rfc = 0, bad_libc = 0;
	int64_t span = LAST_US - FIRST_US + 1;
	for (int i = 0; i < 200000; i++) {
		int64_t any = (int64_t)tap_random(&state);
		int64_t in = FIRST_US + (int64_t)(tap_random(&state) %
						  (uint64_t)span);
		bad_any += !round_trips(any);
		bad_rfc += !round_trips(in);
		/* gmtime's %Y pads to 4 digits only from year 1000 on. */
		if (in >= INT64_C(-30610224000) * S)
			bad_libc += !agrees_with_gmtime(in);
	}
	TAP_CHECK(bad_any == 0, "200000 random i64 instants round-trip (%d bad)",
		  bad_any);
	TAP_CHECK(bad_rfc == 0,
		  "200000 random instants of 0000..9999 round-trip (%d bad)",
		  bad_rfc);
	TAP_CHECK(bad_libc == 0, "the printer agrees with gmtime_r (%d bad)",
		  bad_libc);

	/* Every day of 0000..9999, at its first and last microsecond. */
	int bad_days = 0;
	for (int64_t us = FIRST_US; us < LAST_US; us += 86400 * S)
		bad_days += !round_trips(us) || !round_trips(us + 86400 * S - 1);
	TAP_CHECK(bad_days == 0, "every day of 0000..9999 round-trips (%d bad)",
		  bad_days);
}

static void
scales(int64_t v, enum ws_time_unit unit, int64_t want)
{
	ws_error err = {0};
	int64_t got = 0;
	ws_status rc = ws_time_to_us(v, unit, &got, &err);
	TAP_CHECK(rc == WS_OK && got == want, "%" PRId64 " in unit %d is %" PRId64
		  " us (got %" PRId64 ", %s)", v, (int)unit, want, got,
		  rc == WS_OK ? "ok" : err.msg);
}

static void
does_not_scale(int64_t v, enum ws_time_unit unit, const char *why)
{
	ws_error err = {0};
	int64_t got;
	ws_status rc = ws_time_to_us(v, unit, &got, &err);
	TAP_CHECK(rc == WS_EUSAGE && strcmp(err.msg, why) == 0,
		  "%" PRId64 " in unit %d is rejected: %s (got '%s')", v,
		  (int)unit, why, rc == WS_OK ? "accepted" : err.msg);
}

static void
test_units(void)
{
	scales(INT64_MAX, WS_UNIT_US, INT64_MAX);
	scales(INT64_MIN, WS_UNIT_US, INT64_MIN);
	scales(1795600800, WS_UNIT_S, INT64_C(1795600800) * S);
	scales(-1, WS_UNIT_S, -S);
	scales(INT64_MAX / S, WS_UNIT_S, INT64_MAX / S * S);
	scales(INT64_MIN / S, WS_UNIT_S, INT64_MIN / S * S);
	scales(INT64_MAX / 1000, WS_UNIT_MS, INT64_MAX / 1000 * 1000);
	scales(-1500, WS_UNIT_MS, -1500000);
	scales(1000, WS_UNIT_NS, 1);
	scales(-1000, WS_UNIT_NS, -1);
	scales(0, WS_UNIT_NS, 0);
	scales(INT64_MIN + 808, WS_UNIT_NS, INT64_MIN / 1000);
	does_not_scale(INT64_MAX / S + 1, WS_UNIT_S,
		       "9223372036855 s is out of the range of i64 microseconds");
	does_not_scale(INT64_MIN / S - 1, WS_UNIT_S,
		       "-9223372036855 s is out of the range of i64 microseconds");
	does_not_scale(INT64_MAX / 1000 + 1, WS_UNIT_MS,
		       "9223372036854776 ms is out of the range of i64 microseconds");
	does_not_scale(1500, WS_UNIT_NS,
		       "1500 ns is not a whole number of microseconds");
	does_not_scale(-1, WS_UNIT_NS,
		       "-1 ns is not a whole number of microseconds");
	does_not_scale(INT64_MIN, WS_UNIT_NS,
		       "-9223372036854775808 ns is not a whole number of microseconds");
}

int
main(void)
{
	test_durations();
	test_integers();
	test_now();
	test_rfc3339();
	test_fields();
	test_leap_years();
	test_rfc3339_only();
	test_printer();
	test_round_trips();
	test_units();
	return tap_done();
}
