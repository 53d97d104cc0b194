/*
 * rules_series.c -- the recent points of one (indicator code, area) and
 * what a numeric term computes over them (rules.h): the newest value,
 * its rise or fall over a window (newest minus the window's minimum,
 * the window's maximum minus the newest), the window's maximum or
 * minimum. A window of W at time t holds the points with time in
 * [t - W, t].
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/rules/rules_int.h"

size_t
rules_series_add(struct rules_series *s, rm_utc_ms t, double v,
    rm_utc_ms clock)
{
	size_t i = s->n, drop = 0, old = 0;

	while (i > 0 && s->pt[i - 1].t > t)
		i--;
	if (i > 0 && s->pt[i - 1].t == t) {
		s->pt[i - 1].v = v;
	} else {
		if (s->n == RULES_SERIES_POINTS) {
			if (i == 0)
				return 1;      /* older than all of a full series */
			memmove(&s->pt[0], &s->pt[1], (s->n - 1) *
			    sizeof(s->pt[0]));
			s->n--;
			i--;
			drop = 1;
		}
		memmove(&s->pt[i + 1], &s->pt[i], (s->n - i) * sizeof(s->pt[0]));
		s->pt[i].t = t;
		s->pt[i].v = v;
		s->n++;
	}
	/* points no window reaches any more (evaluation is never before
	 * the clock); the newest stays for level terms */
	while (old + 1 < s->n && s->pt[old].t < clock - s->keep_ms)
		old++;
	if (old > 0) {
		memmove(&s->pt[0], &s->pt[old], (s->n - old) * sizeof(s->pt[0]));
		s->n -= old;
	}
	return drop;
}

bool
rules_series_eval(const struct rules_series *s, const struct rules_term *term,
    rm_utc_ms t, double *value, rm_utc_ms *at)
{
	size_t last = s->n;
	double lo, hi;

	while (last > 0 && s->pt[last - 1].t > t)
		last--;
	if (last == 0)
		return false;
	*at = s->pt[last - 1].t;
	if (term->kind == RULES_LEVEL) {
		*value = s->pt[last - 1].v;
		return true;
	}
	if (s->pt[last - 1].t < t - term->window_ms)
		return false;          /* nothing in the window */
	lo = hi = s->pt[last - 1].v;
	for (size_t i = last; i > 0 && s->pt[i - 1].t >= t - term->window_ms;
	    i--) {
		if (s->pt[i - 1].v < lo)
			lo = s->pt[i - 1].v;
		if (s->pt[i - 1].v > hi)
			hi = s->pt[i - 1].v;
	}
	switch (term->kind) {
	case RULES_RISE:
		*value = s->pt[last - 1].v - lo;
		break;
	case RULES_FALL:
		*value = hi - s->pt[last - 1].v;
		break;
	case RULES_MAXW:
		*value = hi;
		break;
	default:
		*value = lo;
		break;
	}
	return true;
}
int
rules_decimal(double v, int64_t *mant, int32_t *exp)
{
	char buf[40], digits[20], *p, *ep;
	int32_t x = 0;
	size_t n = 0;
	int64_t m = 0;
	bool neg;

	if (!isfinite(v) || fabs(v) > 1e15)
		return RM_EBADVALUE;
	snprintf(buf, sizeof(buf), "%.14e", v);      /* d.ddddddddddddddde±x */
	neg = buf[0] == '-';
	p = buf + neg;
	ep = strchr(p, 'e');
	for (char *q = p; q < ep; q++)
		if (*q != '.')
			digits[n++] = *q;
	x = (int32_t)strtol(ep + 1, NULL, 10) - (int32_t)(n - 1);
	while (n > 1 && digits[n - 1] == '0') {
		n--;
		x++;
	}
	for (size_t i = 0; i < n; i++)
		m = m * 10 + (digits[i] - '0');
	if (m == 0)
		x = 0;
	*mant = neg ? -m : m;
	*exp = x;
	return RM_OK;
}
