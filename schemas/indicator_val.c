/*
 * indicator_val.c -- the values and times of the indicator kinds
 * (schemas.h, "the indicator kinds"): exact decimals (text, CBOR
 * decimal fractions of RFC 8949 §3.4.4), period labels and their
 * ordinals in China Standard Time, and the enumerations' names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/indicator_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_MS   (86400LL * 1000)

static const int64_t pow10_tab[19] = { 1LL, 10LL, 100LL, 1000LL, 10000LL,
	100000LL, 1000000LL, 10000000LL, 100000000LL, 1000000000LL,
	10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
	100000000000000LL, 1000000000000000LL, 10000000000000000LL,
	100000000000000000LL, 1000000000000000000LL };
#define MANT_LIMIT pow10_tab[18]   /* |m| < 10^18 */

static const char *const directions[] = { "higher_worse", "lower_worse" };
static const char *const sources[] = { "statistics", "survey", "sensor",
	"big_data" };
static const char *const periods[] = { "instant", "day", "month",
	"quarter", "year" };

static const char *
name_at(const char *const *t, size_t n, int v)
{
	return v >= 1 && (size_t)v <= n ? t[v - 1] : NULL;
}

int
ind_enum_parse(const char *const *t, size_t n, const char *s, int *out)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(s, t[i]) == 0) {
			*out = (int)i + 1;
			return RM_OK;
		}
	return RM_EBADVALUE;
}

#define IND_NAMES(fn, type, t)						\
const char *								\
fn##_name(type v)							\
{									\
	return name_at(t, NELEM(t), (int)v);				\
}									\
									\
int									\
fn##_parse(const char *s, type *out)					\
{									\
	int v, rv = ind_enum_parse(t, NELEM(t), s, &v);			\
									\
	if (rv == RM_OK)						\
		*out = (type)v;						\
	return rv;							\
}

IND_NAMES(indicator_direction, enum rm_ind_direction, directions)
IND_NAMES(indicator_source, enum rm_ind_source, sources)
IND_NAMES(indicator_period, enum rm_ind_period, periods)

bool
indicator_code_valid(const char *s, size_t n)
{
	if (s == NULL || n == 0 || n > RM_IND_CODE_MAX || s[0] == '.' ||
	    s[0] == '_' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '.'))
			return false;
		if (c == '.' && s[i + 1] == '.')
			return false;
	}
	return true;
}

/* ---------------- decimals ---------------- */

bool
decimal_valid(struct rm_decimal d)
{
	if (d.m <= -MANT_LIMIT || d.m >= MANT_LIMIT || d.e > 0 ||
	    d.e < RM_DECIMAL_EXP_MIN)
		return false;
	if (d.m == 0)
		return d.e == 0;
	return d.e == 0 || d.m % 10 != 0;
}

/* m x 10^e into canonical form; RM_EBADVALUE if it does not fit. */
static int
dec_norm(int64_t m, int e, struct rm_decimal *out)
{
	if (m == 0)
		e = 0;
	while (e < 0 && m % 10 == 0) {
		m /= 10;
		e++;
	}
	while (e > 0) {
		if (m >= MANT_LIMIT / 10 + 1 || m <= -(MANT_LIMIT / 10 + 1))
			return RM_EBADVALUE;
		m *= 10;
		e--;
	}
	if (e < RM_DECIMAL_EXP_MIN || m >= MANT_LIMIT || m <= -MANT_LIMIT)
		return RM_EBADVALUE;
	out->m = m;
	out->e = e;
	return RM_OK;
}

int
decimal_parse(const char *s, size_t n, struct rm_decimal *out)
{
	size_t i = 0, digits = 0, sig = 0;
	bool neg = false, point = false;
	int64_t m = 0;
	long frac = 0, ex = 0;

	if (s == NULL || n == 0)
		return RM_EBADVALUE;
	if (s[0] == '+' || s[0] == '-')
		neg = s[i++] == '-';
	for (; i < n; i++) {
		if (s[i] == '.' && !point) {
			point = true;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			break;
		digits++;
		if (sig == 0 && s[i] == '0') {
			frac += point;
			continue;
		}
		if (++sig > RM_DECIMAL_DIGITS_MAX)
			return RM_EBADVALUE;
		m = m * 10 + (s[i] - '0');
		frac += point;
	}
	if (digits == 0)
		return RM_EBADVALUE;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		bool eneg = false;
		size_t ed = 0;

		if (++i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, ed++)
			if ((ex = ex * 10 + (s[i] - '0')) > 100)
				return RM_EBADVALUE;
		if (ed == 0)
			return RM_EBADVALUE;
		if (eneg)
			ex = -ex;
	}
	if (i != n)
		return RM_EBADVALUE;
	return dec_norm(neg ? -m : m, (int)(ex - frac), out);
}

void
decimal_format(struct rm_decimal d, char out[RM_DECIMAL_TEXT_MAX])
{
	char dig[24];
	uint64_t a = d.m < 0 ? (uint64_t)0 - (uint64_t)d.m : (uint64_t)d.m;
	int nd, ne = -d.e, o = 0;

	nd = snprintf(dig, sizeof(dig), "%llu", (unsigned long long)a);
	if (d.m < 0)
		out[o++] = '-';
	if (ne <= 0) {
		snprintf(out + o, RM_DECIMAL_TEXT_MAX - (size_t)o, "%s", dig);
		return;
	}
	if (nd <= ne) {
		out[o++] = '0';
		out[o++] = '.';
		for (int z = 0; z < ne - nd; z++)
			out[o++] = '0';
		snprintf(out + o, RM_DECIMAL_TEXT_MAX - (size_t)o, "%s", dig);
		return;
	}
	memcpy(out + o, dig, (size_t)(nd - ne));
	o += nd - ne;
	out[o++] = '.';
	snprintf(out + o, RM_DECIMAL_TEXT_MAX - (size_t)o, "%s",
	    dig + nd - ne);
}

double
decimal_to_double(struct rm_decimal d)
{
	char t[RM_DECIMAL_TEXT_MAX];

	decimal_format(d, t);
	return strtod(t, NULL);
}

/* a and b at the exponent of the one with more decimals; false if that
 * overflows. */
static bool
dec_align(struct rm_decimal a, struct rm_decimal b, int64_t *am,
    int64_t *bm, int *e)
{
	int64_t *big = a.e > b.e ? am : bm;
	struct rm_decimal x = a.e > b.e ? a : b;
	int diff = a.e > b.e ? a.e - b.e : b.e - a.e;

	*am = a.m;
	*bm = b.m;
	*e = a.e < b.e ? a.e : b.e;
	if (diff > 18 || (x.m != 0 && (x.m >= MANT_LIMIT / pow10_tab[diff] ||
	    x.m <= -MANT_LIMIT / pow10_tab[diff])))
		return x.m == 0;
	*big = x.m * pow10_tab[diff];
	return true;
}

int
decimal_cmp(struct rm_decimal a, struct rm_decimal b)
{
	int64_t am, bm;
	int e;

	if (!dec_align(a, b, &am, &bm, &e)) {
		double x = decimal_to_double(a), y = decimal_to_double(b);

		return x < y ? -1 : x > y;
	}
	return am < bm ? -1 : am > bm;
}

int
decimal_sub(struct rm_decimal a, struct rm_decimal b, struct rm_decimal *out)
{
	int64_t am, bm;
	int e;

	if (!dec_align(a, b, &am, &bm, &e))
		return RM_ETOOBIG;
	if (dec_norm(am - bm, e, out) != RM_OK)
		return RM_ETOOBIG;
	return RM_OK;
}

int
ind_dec_put(rm_buf *b, struct rm_decimal d)
{
	int rv;

	if (d.e == 0)
		return rm_cbor_put_int(b, d.m);
	if ((rv = rm_cbor_put_tag(b, 4)) != RM_OK ||
	    (rv = rm_cbor_put_array(b, 2)) != RM_OK ||
	    (rv = rm_cbor_put_int(b, d.e)) != RM_OK)
		return rv;
	return rm_cbor_put_int(b, d.m);
}

/* Encoded size of a CBOR integer head for v. */
static size_t
int_size(int64_t v)
{
	uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) : (uint64_t)v;

	return u < 24 ? 1 : u < 0x100 ? 2 : u < 0x10000 ? 3 :
	    u < 0x100000000ULL ? 5 : 9;
}

size_t
indicator_point_size(const struct rm_ind_point *p, int64_t t0)
{
	size_t v = p->v.e == 0 ? int_size(p->v.m) :
	    3 + int_size(p->v.m);  /* tag 4, array(2), exponent -1..-18 */

	return 1 + int_size(p->t - t0) + v;
}

int
ind_dec_read(rm_cbor_rd *rd, const char *field, struct rm_decimal *out,
    rm_why *why)
{
	uint64_t tag;
	int64_t e, m;
	size_t n;
	int rv;

	if (rm_cbor_rd_peek(rd) != RM_CBOR_TAG) {
		if ((rv = sch_dec_int(rd, field, &m, why)) != RM_OK)
			return rv;
		e = 0;
	} else {
		if ((rv = rm_cbor_rd_tag(rd, &tag)) != RM_OK)
			return sch_dec_err(why, rv, field);
		if (tag != 4)
			return rm_fail(why, RM_EBADVALUE, "%s: tag %llu, want a "
			    "decimal fraction (tag 4)", field,
			    (unsigned long long)tag);
		if ((rv = sch_dec_array(rd, field, &n, why)) != RM_OK)
			return rv;
		if (n != 2)
			return rm_fail(why, RM_EBADVALUE, "%s: a decimal "
			    "fraction is [exponent, mantissa]", field);
		if ((rv = sch_dec_int(rd, field, &e, why)) != RM_OK ||
		    (rv = sch_dec_int(rd, field, &m, why)) != RM_OK)
			return rv;
		if (e == 0)
			return rm_fail(why, RM_ENONCANON, "%s: exponent 0 is "
			    "written as an integer", field);
	}
	if (e < RM_DECIMAL_EXP_MIN || e > 0)
		return rm_fail(why, RM_EBADVALUE, "%s: exponent %lld, want "
		    "%d..0", field, (long long)e, RM_DECIMAL_EXP_MIN);
	out->m = m;
	out->e = (int32_t)e;
	if (!decimal_valid(*out))
		return rm_fail(why, m >= MANT_LIMIT || m <= -MANT_LIMIT ?
		    RM_EBADVALUE : RM_ENONCANON, "%s: not a canonical decimal "
		    "(at most 18 digits, no trailing zero decimals)", field);
	return RM_OK;
}

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
