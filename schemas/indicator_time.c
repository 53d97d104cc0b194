/*
 * indicator_time.c -- the times of the indicator kinds (schemas.h, "the
 * indicator kinds"): period labels ("2025", "2025-Q3", "2025-07",
 * "2025-07-31"), their ordinals and their instants in China Standard
 * Time (UTC+08:00), and RFC 3339 instants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/indicator_int.h"

#define DAY_MS   (86400LL * 1000)

/* ---------------- times ---------------- */

/* Days since 1970-01-01 of a Gregorian date (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int
indicator_time_parse(const char *s, enum rm_ind_period *kind, int64_t *t)
{
	size_t n = s != NULL ? strlen(s) : 0;
	int y;

	if (n < 4 || !all_digits(s, 4))
		return RM_EBADVALUE;
	y = atoi(s);
	if (n == 4) {
		if (y < 1900)
			return RM_EBADVALUE;
		*kind = RM_IND_YEAR;
		*t = y;
		return RM_OK;
	}
	if (n == 7 && s[4] == '-' && s[5] == 'Q' && s[6] >= '1' &&
	    s[6] <= '4' && y >= 1900) {
		*kind = RM_IND_QUARTER;
		*t = (int64_t)y * 4 + (s[6] - '1');
		return RM_OK;
	}
	if (n == 7 && s[4] == '-' && all_digits(s + 5, 2) && y >= 1900) {
		int m = (s[5] - '0') * 10 + (s[6] - '0');

		if (m < 1 || m > 12)
			return RM_EBADVALUE;
		*kind = RM_IND_MONTH;
		*t = (int64_t)y * 12 + m - 1;
		return RM_OK;
	}
	if (n == 10) {
		if (!risk_date_valid(s))
			return RM_EBADVALUE;
		*kind = RM_IND_DAY;
		*t = days_from_civil(y, (unsigned)atoi(s + 5),
		    (unsigned)atoi(s + 8));
		return RM_OK;
	}
	if (rm_utc_parse(s, t) != RM_OK)
		return RM_EBADVALUE;
	*kind = RM_IND_INSTANT;
	return RM_OK;
}

void
indicator_time_format(enum rm_ind_period k, int64_t t,
    char out[RM_IND_TIME_TEXT_MAX])
{
	int64_t y;
	unsigned m, d;

	switch (k) {
	case RM_IND_INSTANT:
		rm_utc_format(t, out);
		return;
	case RM_IND_DAY:
		civil_from_days(t, &y, &m, &d);
		snprintf(out, RM_IND_TIME_TEXT_MAX, "%04lld-%02u-%02u",
		    (long long)y, m, d);
		return;
	case RM_IND_MONTH:
		snprintf(out, RM_IND_TIME_TEXT_MAX, "%04lld-%02d",
		    (long long)(t / 12), (int)(t % 12) + 1);
		return;
	case RM_IND_QUARTER:
		snprintf(out, RM_IND_TIME_TEXT_MAX, "%04lld-Q%d",
		    (long long)(t / 4), (int)(t % 4) + 1);
		return;
	case RM_IND_YEAR:
		snprintf(out, RM_IND_TIME_TEXT_MAX, "%04lld", (long long)t);
		return;
	default:
		snprintf(out, RM_IND_TIME_TEXT_MAX, "?");
	}
}

rm_utc_ms
indicator_time_ms(enum rm_ind_period k, int64_t t)
{
	int64_t days;

	switch (k) {
	case RM_IND_DAY:
		days = t;
		break;
	case RM_IND_MONTH:
		days = days_from_civil(t / 12, (unsigned)(t % 12) + 1, 1);
		break;
	case RM_IND_QUARTER:
		days = days_from_civil(t / 4, (unsigned)(t % 4) * 3 + 1, 1);
		break;
	case RM_IND_YEAR:
		days = days_from_civil(t, 1, 1);
		break;
	default:
		return t;
	}
	return days * DAY_MS - RM_CST_OFFSET_MS;
}

int64_t
indicator_period_of(enum rm_ind_period k, rm_utc_ms ms)
{
	int64_t local = ms + RM_CST_OFFSET_MS, days, y;
	unsigned m, d;

	days = local >= 0 ? local / DAY_MS : -((-local + DAY_MS - 1) / DAY_MS);
	if (k == RM_IND_DAY)
		return days;
	civil_from_days(days, &y, &m, &d);
	if (k == RM_IND_MONTH)
		return y * 12 + m - 1;
	if (k == RM_IND_QUARTER)
		return y * 4 + (m - 1) / 3;
	if (k == RM_IND_YEAR)
		return y;
	return ms;
}
