/*
 * wstime.c - the time forms of warmstore(5): durations, RFC 3339 and the
 * time arguments built on them, and the RFC 3339 printer.
 *
 * Calendar arithmetic is done here in integers on the proleptic Gregorian
 * calendar rather than with timegm/gmtime: no time zone, no locale, no
 * static buffers, and exact over the whole range the printer covers.
 * Days are counted from 1970-01-01 with the year taken to start in March,
 * so that the leap day is the last day of its year and month lengths
 * follow a fixed 153-days-per-5-months pattern.
 */
#include "codec/codec.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define US_PER_S INT64_C(1000000)
#define US_PER_DAY (INT64_C(86400) * US_PER_S)
#define DAYS_PER_ERA 146097 /* 400 Gregorian years */
/* Days from 0000-03-01 to 1970-01-01. */
#define EPOCH_SHIFT 719468

/* Floor division, which C's / is not for negative numerators. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of a valid date. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2; /* January and February end the previous year */
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;                            /* 0..399 */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;    /* 0..146096 */
	return era * DAYS_PER_ERA + doe - EPOCH_SHIFT;
}

typedef struct civil {
	int64_t year;
	int month, day;
} civil;

/* The inverse of days_from_civil. */
static civil
civil_from_days(int64_t days)
{
	days += EPOCH_SHIFT;
	int64_t era = floor_div(days, DAYS_PER_ERA);
	int64_t doe = days - era * DAYS_PER_ERA;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153; /* 0 is March */
	civil c;
	c.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	c.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c.year = yoe + era * 400 + (c.month <= 2);
	return c;
}

static bool
is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int
days_in_month(int64_t y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* --- durations ----------------------------------------------------- */

static const struct unit {
	const char *name;
	int64_t us;
} units[] = {
	/* Larger first: a duration names them in this order. */
	{"w", 7 * US_PER_DAY}, {"d", US_PER_DAY},
	{"h", 3600 * US_PER_S}, {"m", 60 * US_PER_S},
	{"s", US_PER_S},        {"ms", 1000},
	{"us", 1},
};
#define UNIT_COUNT (sizeof units / sizeof units[0])
#define UNIT_LIST "us, ms, s, m, h, d or w"

static ws_status
duration_too_large(ws_error *err)
{
	return ws__err(err, WS_EUSAGE,
		       "duration too large (at most %" PRId64
		       " microseconds, about 292000 years)",
		       INT64_MAX);
}

/* The unit spelt by s[0..n), or UNIT_COUNT. */
static size_t
find_unit(const char *s, size_t n)
{
	for (size_t i = 0; i < UNIT_COUNT; i++)
		if (strlen(units[i].name) == n && memcmp(units[i].name, s, n) == 0)
			return i;
	return UNIT_COUNT;
}

ws_status
ws_parse_duration(const char *s, size_t n, int64_t *us, ws_error *err)
{
	const char *p = s, *end = s + n;
	int64_t total = 0;
	size_t next_unit = 0; /* the smallest index the next group may use */
	if (n == 0)
		return ws__err(err, WS_EUSAGE,
			       "empty duration (expected a number and a unit "
			       "among " UNIT_LIST ", such as 15m or 1h30m)");
	while (p < end) {
		const char *num = p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		const char *unit = p;
		while (p < end && *p >= 'a' && *p <= 'z')
			p++;
		if (num < unit && unit == end)
			return ws__err(err, WS_EUSAGE,
				       "missing unit after a number (expected "
				       UNIT_LIST ")");
		if (num < unit && *unit == '.')
			return ws__err(err, WS_EUSAGE,
				       "a duration takes whole numbers (90m, "
				       "not 1.5h)");
		if (num == unit || unit == p)
			return ws__err(err, WS_EUSAGE,
				       "a duration is numbers each followed "
				       "by a unit among " UNIT_LIST
				       " (such as 15m or 1h30m)");
		size_t u = find_unit(unit, (size_t)(p - unit));
		if (u == UNIT_COUNT)
			return ws__err(err, WS_EUSAGE,
				       "unknown duration unit '%.*s' (expected "
				       UNIT_LIST ")",
				       (int)(p - unit), unit);
		if (u < next_unit)
			return ws__err(err, WS_EUSAGE,
				       "duration units must go from larger to "
				       "smaller, each at most once (1h30m)");
		next_unit = u + 1;
		uint64_t v;
		if (!ws_parse_u64(num, (size_t)(unit - num), &v) ||
		    v > (uint64_t)(INT64_MAX / units[u].us))
			return duration_too_large(err);
		int64_t part = (int64_t)v * units[u].us;
		if (part > INT64_MAX - total)
			return duration_too_large(err);
		total += part;
	}
	if (total == 0)
		return ws__err(err, WS_EUSAGE, "a duration must be positive");
	*us = total;
	return WS_OK;
}

/* --- RFC 3339 ------------------------------------------------------- */

typedef struct scanner {
	const char *p, *end;
} scanner;

/* Exactly `count` digits as a number. */
static bool
take_digits(scanner *sc, int count, int *out)
{
	if (sc->end - sc->p < count)
		return false;
	int v = 0;
	for (int i = 0; i < count; i++) {
		char c = sc->p[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	sc->p += count;
	*out = v;
	return true;
}

/* One of the characters of `set`. */
static bool
take_char(scanner *sc, const char *set, char *got)
{
	if (sc->p >= sc->end || *sc->p == '\0' || strchr(set, *sc->p) == NULL)
		return false;
	if (got != NULL)
		*got = *sc->p;
	sc->p++;
	return true;
}

static ws_status
out_of_range(ws_error *err, const char *field, int v, int lo, int hi)
{
	return ws__err(err, WS_EUSAGE, "%s %02d out of range %02d..%02d",
		       field, v, lo, hi);
}

/* The fraction after '.': 1 to 6 digits, as microseconds. */
static ws_status
take_fraction(scanner *sc, int64_t *us, ws_error *err, bool *shape)
{
	int64_t v = 0;
	int digits = 0;
	while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9') {
		if (++digits > 6)
			return ws__err(err, WS_EUSAGE,
				       "more than 6 fraction digits (times "
				       "are exact to the microsecond)");
		v = v * 10 + (*sc->p++ - '0');
	}
	if (digits == 0) {
		*shape = false;
		return WS_EUSAGE;
	}
	for (; digits < 6; digits++)
		v *= 10;
	*us = v;
	return WS_OK;
}

/* "Z" or "+HH:MM" / "-HH:MM", as microseconds east of UTC. */
static ws_status
take_offset(scanner *sc, int64_t *off_us, ws_error *err, bool *shape)
{
	char sign;
	int hh, mm;
	if (take_char(sc, "Zz", NULL)) {
		*off_us = 0;
		return WS_OK;
	}
	if (!take_char(sc, "+-", &sign) || !take_digits(sc, 2, &hh) ||
	    !take_char(sc, ":", NULL) || !take_digits(sc, 2, &mm)) {
		*shape = false;
		return WS_EUSAGE;
	}
	if (hh > 23)
		return out_of_range(err, "offset hour", hh, 0, 23);
	if (mm > 59)
		return out_of_range(err, "offset minute", mm, 0, 59);
	*off_us = (sign == '-' ? -1 : 1) * (hh * 60 + mm) * 60 * US_PER_S;
	return WS_OK;
}

static ws_status
check_date(int year, int month, int day, ws_error *err)
{
	if (month < 1 || month > 12)
		return out_of_range(err, "month", month, 1, 12);
	int last = days_in_month(year, month);
	if (day < 1 || day > last)
		return ws__err(err, WS_EUSAGE,
			       "day %02d out of range 01..%02d for %04d-%02d",
			       day, last, year, month);
	return WS_OK;
}

static ws_status
check_clock(int hour, int minute, int second, ws_error *err)
{
	if (hour > 23)
		return out_of_range(err, "hour", hour, 0, 23);
	if (minute > 59)
		return out_of_range(err, "minute", minute, 0, 59);
	if (second == 60)
		return ws__err(err, WS_EUSAGE,
			       "second 60 out of range 00..59 (leap seconds "
			       "cannot be stored)");
	if (second > 59)
		return out_of_range(err, "second", second, 0, 59);
	return WS_OK;
}

/* After the date: "THH:MM:SS[.frac](Z|+HH:MM)", as microseconds of UTC. */
static ws_status
take_clock(scanner *sc, int64_t *us, ws_error *err, bool *shape)
{
	int hour, minute, second;
	if (!take_char(sc, "Tt", NULL) || !take_digits(sc, 2, &hour) ||
	    !take_char(sc, ":", NULL) || !take_digits(sc, 2, &minute) ||
	    !take_char(sc, ":", NULL) || !take_digits(sc, 2, &second)) {
		*shape = false;
		return WS_EUSAGE;
	}
	ws_status rc = check_clock(hour, minute, second, err);
	int64_t frac = 0, offset = 0;
	if (rc == WS_OK && take_char(sc, ".", NULL))
		rc = take_fraction(sc, &frac, err, shape);
	if (rc == WS_OK)
		rc = take_offset(sc, &offset, err, shape);
	if (rc != WS_OK)
		return rc;
	*us = ((hour * INT64_C(60) + minute) * 60 + second) * US_PER_S + frac -
	      offset;
	return WS_OK;
}

/*
 * An RFC 3339 date-time or date; `expected` names the accepted forms when
 * the text has none of their shapes.
 */
static ws_status
parse_absolute(const char *s, size_t n, int64_t *us, ws_error *err,
	       const char *expected)
{
	scanner sc = {s, s + n};
	int year, month, day;
	bool shape = true;
	ws_status rc = WS_EUSAGE;
	if (take_digits(&sc, 4, &year) && take_char(&sc, "-", NULL) &&
	    take_digits(&sc, 2, &month) && take_char(&sc, "-", NULL) &&
	    take_digits(&sc, 2, &day))
		rc = check_date(year, month, day, err);
	else
		shape = false;
	int64_t clock = 0;
	if (rc == WS_OK && sc.p < sc.end)
		rc = take_clock(&sc, &clock, err, &shape);
	if (rc == WS_OK && sc.p < sc.end)
		shape = false;
	if (!shape)
		return ws__err(err, WS_EUSAGE, "expected %s", expected);
	if (rc != WS_OK)
		return rc;
	/* Years 0000..9999 with offsets of a day at most: far inside i64. */
	*us = days_from_civil(year, month, day) * US_PER_DAY + clock;
	return WS_OK;
}

#define RFC3339_FORMS \
	"RFC 3339 such as 2026-11-25T10:00:00Z or a date such as 2026-11-25"

ws_status
ws_parse_rfc3339(const char *s, size_t n, int64_t *us, ws_error *err)
{
	return parse_absolute(s, n, us, err, RFC3339_FORMS);
}

/* "-?[0-9]+": the integer form, told apart from a date by its dashes. */
static bool
looks_integer(const char *s, size_t n)
{
	size_t i = n > 0 && s[0] == '-';
	if (i == n)
		return false;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static ws_status
parse_now(const char *s, size_t n, int64_t now_us, int64_t *us,
	  ws_error *err)
{
	if (n == 3) {
		*us = now_us;
		return WS_OK;
	}
	if (s[3] != '-' && s[3] != '+')
		return ws__err(err, WS_EUSAGE,
			       "expected now, now-DURATION or now+DURATION");
	int64_t d;
	ws_status rc = ws_parse_duration(s + 4, n - 4, &d, err);
	if (rc != WS_OK)
		return rc;
	bool overflow = s[3] == '-' ? now_us < INT64_MIN + d
				    : now_us > INT64_MAX - d;
	if (overflow)
		return ws__err(err, WS_EUSAGE,
			       "out of the range of i64 microseconds");
	*us = s[3] == '-' ? now_us - d : now_us + d;
	return WS_OK;
}

ws_status
ws_parse_time(const char *s, size_t n, int64_t now_us, int64_t *us,
	      ws_error *err)
{
	if (n >= 3 && memcmp(s, "now", 3) == 0)
		return parse_now(s, n, now_us, us, err);
	if (looks_integer(s, n)) {
		if (!ws_parse_i64(s, n, us))
			return ws__err(err, WS_EUSAGE,
				       "integer microseconds out of range "
				       "-9223372036854775808..9223372036854775807");
		return WS_OK;
	}
	return parse_absolute(s, n, us, err,
			      "integer microseconds, " RFC3339_FORMS
			      ", now, or now-DURATION such as now-1h30m");
}

/* --- units ----------------------------------------------------------- */

ws_status
ws_time_to_us(int64_t v, enum ws_time_unit unit, int64_t *us, ws_error *err)
{
	static const struct {
		const char *name;
		int64_t mul; /* microseconds per unit; 0: divide */
	} scale[] = {
		[WS_UNIT_US] = {"us", 1},
		[WS_UNIT_S] = {"s", US_PER_S},
		[WS_UNIT_MS] = {"ms", 1000},
		[WS_UNIT_NS] = {"ns", 0},
	};
	int64_t mul = scale[unit].mul;
	if (mul == 0) {
		if (v % 1000 != 0)
			return ws__err(err, WS_EUSAGE,
				       "%" PRId64 " ns is not a whole number of "
				       "microseconds",
				       v);
		*us = v / 1000;
		return WS_OK;
	}
	if (v > INT64_MAX / mul || v < INT64_MIN / mul)
		return ws__err(err, WS_EUSAGE,
			       "%" PRId64 " %s is out of the range of i64 "
			       "microseconds",
			       v, scale[unit].name);
	*us = v * mul;
	return WS_OK;
}

/* --- printing ------------------------------------------------------- */

/* The first and last instants of the years 0000..9999. */
static int64_t
first_printable(void)
{
	return days_from_civil(0, 1, 1) * US_PER_DAY;
}

static int64_t
last_printable(void)
{
	return days_from_civil(10000, 1, 1) * US_PER_DAY - 1;
}

bool
ws_rfc3339_can_format(int64_t us)
{
	return us >= first_printable() && us <= last_printable();
}

/* Writes v as exactly `width` digits; returns the end. */
static char *
put_digits(char *p, int64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

size_t
ws_format_rfc3339(int64_t us, char *buf)
{
	if (!ws_rfc3339_can_format(us))
		return (size_t)snprintf(buf, WS_RFC3339_BUFSIZE, "%" PRId64, us);
	int64_t days = floor_div(us, US_PER_DAY);
	int64_t in_day = us - days * US_PER_DAY;
	civil c = civil_from_days(days);
	int64_t secs = in_day / US_PER_S;
	char *p = buf;
	p = put_digits(p, c.year, 4);
	*p++ = '-';
	p = put_digits(p, c.month, 2);
	*p++ = '-';
	p = put_digits(p, c.day, 2);
	*p++ = 'T';
	p = put_digits(p, secs / 3600, 2);
	*p++ = ':';
	p = put_digits(p, secs / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, secs % 60, 2);
	*p++ = '.';
	p = put_digits(p, in_day % US_PER_S, 6);
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - buf);
}
