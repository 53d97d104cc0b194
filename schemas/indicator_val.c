/*
 * indicator_val.c -- the values of the indicator kinds (schemas.h, "the
 * indicator kinds"): exact decimals (text, CBOR decimal fractions of
 * RFC 8949 §3.4.4), the enumerations' names and the decoding helpers
 * both kinds share. Times are in indicator_time.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/indicator_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

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

SCH_ENUM_NAMES(indicator_direction, enum rm_ind_direction, directions)
SCH_ENUM_NAMES(indicator_source, enum rm_ind_source, sources)
SCH_ENUM_NAMES(indicator_period, enum rm_ind_period, periods)

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
	if (d.e == 0)
		return rm_cbor_put_int(b, d.m);
	return sch_decfrac_put(b, d.e, d.m);
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
	int64_t e, m;
	int rv;

	if (rm_cbor_rd_peek(rd) != RM_CBOR_TAG) {
		if ((rv = sch_dec_int(rd, field, &m, why)) != RM_OK)
			return rv;
		e = 0;
	} else {
		if ((rv = sch_decfrac_read(rd, field, &e, &m, why)) != RM_OK)
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

/* ---------------- decoding ---------------- */

int
ind_rd_enum(rm_cbor_rd *rd, int (*parse)(const char *, int *),
    const char *field, const char *choices, int *out, rm_why *why)
{
	char s[24];
	int rv;

	if ((rv = sch_dec_fixed(rd, field, s, sizeof(s), why)) != RM_OK)
		return rv;
	if (parse(s, out) != RM_OK)
		return rm_fail(why, RM_EBADVALUE, "%s: \"%s\" (%s)", field, s,
		    choices);
	return RM_OK;
}
