#include "config.h"
#include "timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t lh_time_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t lh_time_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Reads exactly n digits. */
static bool lh_digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool lh_expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * civil-from-days inverse), so UTC needs neither timegm nor TZ games. */
static int64_t lh_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool lh_parse_zone(const char *p, bool *has_zone, int *offset_s)
{
	*has_zone = false;
	*offset_s = 0;
	if (*p == '\0')
		return true;
	*has_zone = true;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return true;
	if (*p != '+' && *p != '-')
		return false;
	int sign = *p == '-' ? -1 : 1, hh, mm = 0;
	p++;
	if (!lh_digits(&p, 2, &hh))
		return false;
	if (*p == ':')
		p++;
	if (*p && !lh_digits(&p, 2, &mm))
		return false;
	if (*p || hh > 23 || mm > 59)
		return false;
	*offset_s = sign * (hh * 3600 + mm * 60);
	return true;
}

/* What the caches of local time below were filled under: a program that
 * changes TZ calls tzset, which changes these. */
struct lh_zone_mark {
	long offset;
	const char *name[2];
};

static bool lh_zone_unchanged(struct lh_zone_mark *m)
{
	struct lh_zone_mark now = { timezone, { tzname[0], tzname[1] } };
	bool same = m->offset == now.offset && m->name[0] == now.name[0] && m->name[1] == now.name[1];
	*m = now;
	return same;
}

/* The time of a local minute (its second 0), by mktime. Events come in
 * order, a thousand or more in one minute, and mktime reads the zone
 * each time: the last minute asked for is remembered. */
static bool lh_local_minute(int Y, int M, int D, int h, int m, int64_t *t)
{
	static _Thread_local int64_t last_key = -1, last_t;
	static _Thread_local struct lh_zone_mark zone;
	int64_t key = (((((int64_t)Y * 13 + M) * 32 + D) * 24 + h) * 60) + m;
	if (lh_zone_unchanged(&zone) && key == last_key) {
		*t = last_t;
		return true;
	}
	struct tm tm = { .tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D,
			 .tm_hour = h, .tm_min = m, .tm_isdst = -1 };
	time_t tt = mktime(&tm);
	if (tt == (time_t)-1 && !(Y == 1969 && M == 12 && D == 31 && h == 23 && m == 59))
		return false;
	last_key = key;
	*t = last_t = (int64_t)tt;
	return true;
}

bool lh_time_parse_iso8601(const char *s, int64_t *us)
{
	const char *p = s;
	int Y, M, D, h, m, sec = 0;
	int64_t frac_us = 0;

	if (!lh_digits(&p, 4, &Y) || !lh_expect(&p, '-') || !lh_digits(&p, 2, &M) ||
	    !lh_expect(&p, '-') || !lh_digits(&p, 2, &D))
		return false;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return false;
	p++;
	if (!lh_digits(&p, 2, &h) || !lh_expect(&p, ':') || !lh_digits(&p, 2, &m))
		return false;
	if (*p == ':') {
		p++;
		if (!lh_digits(&p, 2, &sec))
			return false;
		if (*p == '.' || *p == ',') {
			p++;
			if (!isdigit((unsigned char)*p))
				return false;
			int64_t scale = 100000;
			for (; isdigit((unsigned char)*p); p++) {
				frac_us += (*p - '0') * scale;
				scale /= 10;
			}
		}
	}
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return false;

	bool has_zone;
	int offset_s;
	if (!lh_parse_zone(p, &has_zone, &offset_s))
		return false;

	int64_t t;
	if (has_zone) {
		t = lh_days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + sec - offset_s;
	} else if (!lh_local_minute(Y, M, D, h, m, &t)) {
		return false;
	} else {
		t += sec;
	}
	*us = t * 1000000 + frac_us;
	return true;
}

/* Writes v as exactly n digits. */
static char *lh_put_digits(char *p, long v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

/* Formatted by hand: the bridge stamps every frame with it, and printf's
 * machinery cost more than the rest of the frame. */
void lh_time_format_rfc3339(int64_t us, char *buf, size_t len)
{
	time_t t = (time_t)(us / 1000000);
	long frac = (long)(us % 1000000);
	if (frac < 0) {
		frac += 1000000;
		t--;
	}
	struct tm tm;
	if (len < 28 || !gmtime_r(&t, &tm)) {
		if (len)
			buf[0] = '\0';
		return;
	}
	char *p = lh_put_digits(buf, tm.tm_year + 1900, 4);
	*p++ = '-';
	p = lh_put_digits(p, tm.tm_mon + 1, 2);
	*p++ = '-';
	p = lh_put_digits(p, tm.tm_mday, 2);
	*p++ = 'T';
	p = lh_put_digits(p, tm.tm_hour, 2);
	*p++ = ':';
	p = lh_put_digits(p, tm.tm_min, 2);
	*p++ = ':';
	p = lh_put_digits(p, tm.tm_sec, 2);
	*p++ = '.';
	p = lh_put_digits(p, frac, 6);
	*p++ = 'Z';
	*p = '\0';
}

/* Every line of a timeline starts with it: localtime_r is asked once a
 * minute (the last minute remembered; a zone whose offset has seconds,
 * only seen before 1900, is asked every time), the digits put by hand. */
void lh_time_format_clock(int64_t us, char *buf, size_t len)
{
	static _Thread_local int64_t last_minute = INT64_MIN;
	static _Thread_local struct tm last;
	static _Thread_local struct lh_zone_mark zone;
	if (len < 13) {
		if (len)
			buf[0] = '\0';
		return;
	}
	int64_t all_ms = us / 1000 - (us % 1000 < 0); /* floored, before 1970 too */
	int64_t t = all_ms / 1000 - (all_ms % 1000 < 0), ms = all_ms - t * 1000;
	int64_t minute = t / 60 - (t % 60 < 0);
	struct tm tm = last;
	if (!lh_zone_unchanged(&zone) || minute != last_minute) {
		time_t t0 = (time_t)(minute * 60);
		if (!localtime_r(&t0, &tm)) {
			buf[0] = '\0';
			return;
		}
		last_minute = tm.tm_sec == 0 ? minute : INT64_MIN;
		last = tm;
	}
	tm.tm_sec += (int)(t - minute * 60);
	if (tm.tm_sec >= 60) {
		time_t tt = (time_t)t;
		localtime_r(&tt, &tm);
	}
	char *p = lh_put_digits(buf, tm.tm_hour, 2);
	*p++ = ':';
	p = lh_put_digits(p, tm.tm_min, 2);
	*p++ = ':';
	p = lh_put_digits(p, tm.tm_sec, 2);
	*p++ = '.';
	p = lh_put_digits(p, (long)ms, 3);
	*p = '\0';
}

/* Writes v (>= 0) in as many digits as it takes. */
static char *lh_put_number(char *p, int64_t v)
{
	int n = 1;
	for (int64_t t = v; t >= 10; t /= 10)
		n++;
	return lh_put_digits(p, (long)v, n);
}

/* By hand too: every answered call on screen shows one, and a search for
 * digits makes one for each of a million items. */
void lh_time_format_duration(int64_t ms, char *buf, size_t len)
{
	char text[32], *p = text;
	if (ms < 0)
		ms = 0;
	if (ms < 1000) {
		p = lh_put_number(p, ms);
		*p++ = 'm';
	} else if (ms < 60000) {
		p = lh_put_number(p, ms / 1000);
		*p++ = '.';
		p = ms < 10000 ? lh_put_digits(p, (long)(ms % 1000 / 10), 2) : lh_put_digits(p, (long)(ms % 1000 / 100), 1);
	} else if (ms < 3600000) {
		p = lh_put_number(p, ms / 60000);
		*p++ = 'm';
		p = lh_put_digits(p, (long)(ms / 1000 % 60), 2);
	} else {
		p = lh_put_number(p, ms / 3600000);
		*p++ = 'h';
		p = lh_put_digits(p, (long)(ms / 60000 % 60), 2);
	}
	*p++ = ms < 3600000 ? 's' : 'm';
	size_t n = (size_t)(p - text);
	if (!len)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
}
