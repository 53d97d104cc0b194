/*
 * indicator_kind.c -- the record kind "indicator" (schemas.h, "the
 * indicator kinds"; CDDL in schemas/indicator.cddl): a series of one
 * source's values of one indicator code in the record's single area,
 * so that a day of a city's sensors is thousands of records, not
 * millions. Points are [t - t0, value] pairs, t strictly ascending.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/indicator_int.h"

/* The body's keys in canonical order (RFC 8949 §4.2.1). */
enum ind_key {
	IK_T0, IK_CODE, IK_UNIT, IK_PERIOD, IK_POINTS, IK_SOURCE, IK_NKEYS
};
static const char *const ind_keys[IK_NKEYS] = { "t0", "code", "unit",
	"period", "points", "source" };

struct rm_indicator *
record_indicator(const struct rm_record *rec)
{
	if (rec == NULL || rec->kind != &rm_kind_indicator)
		return NULL;
	return rec->body;
}

static int
ind_encode(const void *body, rm_buf *b)
{
	const struct rm_indicator *s = body;
	int64_t t0 = s->points[0].t;
	int rv;

	if ((rv = rm_cbor_put_map(b, IK_NKEYS)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, ind_keys[IK_T0])) != RM_OK ||
	    (rv = rm_cbor_put_int(b, t0)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, ind_keys[IK_CODE])) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, s->code)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, ind_keys[IK_UNIT])) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, s->unit)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, ind_keys[IK_PERIOD])) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, indicator_period_name(s->period))) !=
	    RM_OK ||
	    (rv = rm_cbor_put_cstr(b, ind_keys[IK_POINTS])) != RM_OK ||
	    (rv = rm_cbor_put_array(b, s->n_points)) != RM_OK)
		return rv;
	for (size_t i = 0; i < s->n_points; i++)
		if ((rv = rm_cbor_put_array(b, 2)) != RM_OK ||
		    (rv = rm_cbor_put_uint(b,
		    (uint64_t)(s->points[i].t - t0))) != RM_OK ||
		    (rv = ind_dec_put(b, s->points[i].v)) != RM_OK)
			return rv;
	if ((rv = rm_cbor_put_cstr(b, ind_keys[IK_SOURCE])) != RM_OK)
		return rv;
	return rm_cbor_put_cstr(b, indicator_source_name(s->source));
}

static int
rd_points(rm_cbor_rd *rd, struct rm_indicator *s, int64_t t0, rm_why *why)
{
	char f[48];
	uint64_t dt, prev = 0;
	size_t n, two;
	int rv;

	if ((rv = sch_dec_array(rd, "indicator.points", &n, why)) != RM_OK)
		return rv;
	if (n == 0 || n > RM_IND_POINTS_MAX)
		return rm_fail(why, n == 0 ? RM_EMISSING : RM_ETOOBIG,
		    "indicator.points: 1..%d points, got %zu",
		    RM_IND_POINTS_MAX, n);
	if (n > (rd->n - rd->off) / 3)   /* each point takes >= 3 bytes */
		return rm_fail(why, RM_EMALFORMED, "indicator.points: "
		    "truncated");
	if ((s->points = calloc(n, sizeof(*s->points))) == NULL)
		return rm_fail(why, RM_ENOMEM, "indicator.points: out of "
		    "memory");
	for (size_t i = 0; i < n; i++) {
		snprintf(f, sizeof(f), "indicator.points[%zu]", i);
		if ((rv = sch_dec_array(rd, f, &two, why)) != RM_OK)
			return rv;
		if (two != 2)
			return rm_fail(why, RM_EBADVALUE, "%s: [offset, value]",
			    f);
		if ((rv = sch_dec_uint(rd, f, &dt, why)) != RM_OK)
			return rv;
		if ((i == 0 && dt != 0) || (i > 0 && dt <= prev) ||
		    dt > (uint64_t)INT64_MAX - (uint64_t)(t0 < 0 ? 0 : t0))
			return rm_fail(why, RM_EBADVALUE, "%s: time offsets start "
			    "at 0 and ascend strictly", f);
		prev = dt;
		s->points[i].t = t0 + (int64_t)dt;
		if ((rv = ind_dec_read(rd, f, &s->points[i].v, why)) != RM_OK)
			return rv;
		s->n_points = i + 1;
	}
	return RM_OK;
}

static int
ind_decode(rm_cbor_rd *rd, void *body, rm_why *why)
{
	struct rm_indicator *s = body;
	rm_cbor_keys ks;
	const char *k;
	size_t npairs, klen;
	int64_t t0 = 0;
	int rv, i, v = 0;

	if ((rv = rm_cbor_rd_map(rd, &npairs)) != RM_OK)
		return rm_fail(why, rv, "indicator: expected a map");
	if (npairs != IK_NKEYS)
		return rm_fail(why, RM_EMISSING, "indicator: t0, code, unit, "
		    "period, points and source are required, got %zu fields",
		    npairs);
	rm_cbor_keys_init(&ks);
	for (int p = 0; p < IK_NKEYS; p++) {
		if ((rv = rm_cbor_rd_key(rd, &ks, &k, &klen)) != RM_OK)
			return rm_fail(why, rv, "indicator: bad key");
		if ((i = schemas_key_find(ind_keys, IK_NKEYS, k, klen)) < 0)
			return rm_fail(why, RM_EUNKNOWN, "indicator: unknown "
			    "field \"%.*s\"", (int)(klen > 32 ? 32 : klen), k);
		if (i != p)
			return rm_fail(why, RM_EMISSING, "indicator.%s: "
			    "required", ind_keys[p]);
		switch (i) {
		case IK_T0:
			rv = sch_dec_int(rd, "indicator.t0", &t0, why);
			break;
		case IK_CODE:
			rv = sch_dec_fixed(rd, "indicator.code", s->code,
			    sizeof(s->code), why);
			break;
		case IK_UNIT:
			rv = sch_dec_fixed(rd, "indicator.unit", s->unit,
			    sizeof(s->unit), why);
			break;
		case IK_PERIOD:
			rv = ind_rd_enum(rd, ind_parse_period, "indicator.period",
			    "instant|day|month|quarter|year", &v, why);
			s->period = (enum rm_ind_period)v;
			break;
		case IK_POINTS:
			rv = rd_points(rd, s, t0, why);
			break;
		default:
			rv = ind_rd_enum(rd, ind_parse_source, "indicator.source",
			    "statistics|survey|sensor|big_data", &v, why);
			s->source = (enum rm_ind_source)v;
		}
		if (rv != RM_OK)
			return rv;
	}
	return RM_OK;
}

/* A period ordinal's label range: years 1900..9999 (day ordinals from
 * 1900-01-01 to 9999-12-31). */
static bool
period_in_range(enum rm_ind_period k, int64_t t)
{
	switch (k) {
	case RM_IND_YEAR:
		return t >= 1900 && t <= 9999;
	case RM_IND_QUARTER:
		return t >= 1900 * 4 && t < 10000 * 4;
	case RM_IND_MONTH:
		return t >= 1900 * 12 && t < 10000 * 12;
	case RM_IND_DAY:
		return t >= -25567 && t <= 2932896;
	default:   /* instants: 1900-01-01 .. 9999-12-31 in ms */
		return t >= -2208988800000LL && t < 253402300800000LL;
	}
}

static int
ind_validate(const struct rm_record *rec, rm_why *why)
{
	const struct rm_indicator *s = rec->body;
	size_t bytes = 0;
	int rv;

	if ((rv = ind_check_common("indicator", s->code, s->unit, s->source,
	    s->period, why)) != RM_OK)
		return rv;
	if (rec->n_areas != 1)
		return rm_fail(why, RM_EBADVALUE, "areas: a series has one area "
		    "code, the record has %zu", rec->n_areas);
	if (s->n_points == 0 || s->points == NULL)
		return rm_fail(why, RM_EMISSING, "indicator.points: at least "
		    "one point");
	if (s->n_points > RM_IND_POINTS_MAX)
		return rm_fail(why, RM_ETOOBIG, "indicator.points: at most %d "
		    "points, got %zu", RM_IND_POINTS_MAX, s->n_points);
	for (size_t i = 0; i < s->n_points; i++) {
		const struct rm_ind_point *p = &s->points[i];

		if (!period_in_range(s->period, p->t))
			return rm_fail(why, RM_EBADVALUE, "indicator.points[%zu]: "
			    "time out of range (years 1900..9999)", i);
		if (i > 0 && p->t <= s->points[i - 1].t)
			return rm_fail(why, RM_EBADVALUE, "indicator.points[%zu]: "
			    "times must ascend strictly", i);
		if (!decimal_valid(p->v))
			return rm_fail(why, RM_EBADVALUE, "indicator.points[%zu]: "
			    "not a canonical decimal", i);
		bytes += indicator_point_size(p, s->points[0].t);
	}
	if (bytes > RM_IND_POINTS_BYTES_MAX)
		return rm_fail(why, RM_ETOOBIG, "indicator.points: %zu bytes "
		    "encoded, limit %d", bytes, RM_IND_POINTS_BYTES_MAX);
	return RM_OK;
}

static void
ind_fini(void *body)
{
	struct rm_indicator *s = body;

	free(s->points);
	s->points = NULL;
	s->n_points = 0;
}

static bool
ind_in_force(const struct rm_record *rec)
{
	(void)rec;
	return true;
}

/* "code=C", "at=C@P" (P: the significant prefix of the series' area,
 * area_code_prefix) and "in=C@L" for every level L of P (its first 2,
 * 4, 6, 9, 12 digits), so that a query by code and area (the area
 * itself, every area within one, each area containing one) is one
 * index lookup per level. A code of 48 bytes keeps every key within
 * RM_INDEX_KEY_MAX. */
static int
ind_index_keys(const struct rm_record *rec,
    int (*emit)(void *arg, const char *key), void *arg)
{
	static const size_t levels[] = { 2, 4, 6, 9, 12 };
	const struct rm_indicator *s = rec->body;
	char key[RM_INDEX_KEY_MAX + 1], pre[RM_AREA_CODE_MAX + 1];
	size_t plen = area_code_prefix(rec->areas[0], pre);
	int rv;

	snprintf(key, sizeof(key), "code=%s", s->code);
	if ((rv = emit(arg, key)) != RM_OK)
		return rv;
	snprintf(key, sizeof(key), "at=%s@%s", s->code, pre);
	if ((rv = emit(arg, key)) != RM_OK)
		return rv;
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]) &&
	    levels[i] <= plen; i++) {
		snprintf(key, sizeof(key), "in=%s@%.*s", s->code,
		    (int)levels[i], pre);
		if ((rv = emit(arg, key)) != RM_OK)
			return rv;
	}
	return RM_OK;
}

static void
ind_summary(const struct rm_record *rec, char *out, size_t len)
{
	const struct rm_indicator *s = rec->body;
	char a[RM_IND_TIME_TEXT_MAX], b[RM_IND_TIME_TEXT_MAX];

	indicator_time_format(s->period, s->points[0].t, a);
	indicator_time_format(s->period, s->points[s->n_points - 1].t, b);
	snprintf(out, len, "indicator %s %s %s %zu values %s..%s", s->code,
	    rec->areas[0], indicator_source_name(s->source), s->n_points, a,
	    b);
}

const struct rm_kind_ops rm_kind_indicator = {
	.name = "indicator",
	.cddl = "indicator.cddl",
	.body_size = sizeof(struct rm_indicator),
	.encode = ind_encode,
	.decode = ind_decode,
	.validate = ind_validate,
	.fini = ind_fini,
	.in_force = ind_in_force,
	.index_keys = ind_index_keys,
	.summary = ind_summary,
};
