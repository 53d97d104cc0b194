/*
 * time.c -- wall-clock and monotonic milliseconds, RFC 3339 text.
 */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/common.h"

rm_utc_ms
rm_utc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (rm_utc_ms)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

rm_mono_ms
rm_mono_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (rm_mono_ms)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
rm_utc_format(rm_utc_ms t, char out[32])
{
	time_t secs = (time_t)(t / 1000);
	int ms = (int)(t % 1000);
	struct tm tm;

	if (ms < 0) {
		ms += 1000;
		secs -= 1;
	}
	gmtime_r(&secs, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + 19, 32 - 19, ".%03uZ", (unsigned)ms % 1000u);
}

static int
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
rm_utc_parse(const char *s, rm_utc_ms *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int y, mo, d, h, mi, sec, ms = 0, oh = 0, om = 0, sign = 0;
	struct tm tm;
	const char *p;
	time_t t;

	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		return RM_EBADVALUE;
	p = s + 19;
	if (*p == '.') {
		int nd = 0;
		p++;
		while (isdigit((unsigned char)*p)) {
			if (nd < 3)
				ms = ms * 10 + (*p - '0');
			nd++;
			p++;
		}
		if (nd == 0)
			return RM_EBADVALUE;
		for (; nd < 3; nd++)
			ms *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om))
			return RM_EBADVALUE;
		if (oh > 23 || om > 59)
			return RM_EBADVALUE;
		p += 6;
	} else {
		return RM_EBADVALUE;
	}
	if (*p != '\0' || y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return RM_EBADVALUE;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return RM_EBADVALUE;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec == 60 ? 59 : sec;
	t = timegm(&tm);
	t -= (time_t)sign * (oh * 3600 + om * 60);
	*out = (rm_utc_ms)t * 1000 + ms;
	return RM_OK;
}
