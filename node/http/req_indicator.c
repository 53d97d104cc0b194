/*
 * req_indicator.c -- request bodies of the indicator routes (docs/API.md
 * "Indicators"): POST /v1/indicator-defs as an indicator_def draft, and
 * the NDJSON form of POST /v1/indicators (the CSV form is
 * indicator_csv_read in schemas/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/http/http_int.h"

static const char *const def_keys[] = { "code", "area", "areas", "name_zh",
	"name_en", "unit", "direction", "target", "warning", "source",
	"period", NULL };

/* A decimal given as a JSON string ("12.5", exact) or number. */
static int
get_decimal(json_t *root, const char *key, bool required,
    struct rm_decimal *out, bool *present, rm_why *why)
{
	json_t *v = json_object_get(root, key);
	char buf[64];
	const char *s;

	if (present != NULL)
		*present = v != NULL && !json_is_null(v);
	if (v == NULL || json_is_null(v))
		return required ? rm_fail_at(why, RM_EMISSING, key, "required") :
		    RM_OK;
	if (json_is_string(v))
		s = json_string_value(v);
	else if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_integer_value(v));
		s = buf;
	} else if (json_is_real(v)) {
		snprintf(buf, sizeof(buf), "%.15g", json_real_value(v));
		s = buf;
	} else
		return rm_fail_at(why, RM_EMALFORMED, key, "must be a decimal "
		    "number or a string holding one");
	if (decimal_parse(s, strlen(s), out) != RM_OK)
		return rm_fail_at(why, RM_EBADVALUE, key, "\"%.40s\" is not a "
		    "decimal number of at most %d digits and %d decimals", s,
		    RM_DECIMAL_DIGITS_MAX, -RM_DECIMAL_EXP_MIN);
	return RM_OK;
}

static int
get_fixed(json_t *root, const char *key, bool required, char *dst,
    size_t cap, rm_why *why)
{
	const char *s;
	int rv;

	if ((rv = req_get_str(root, key, key, required, cap - 1, &s, why)) !=
	    RM_OK || s == NULL)
		return rv;
	memcpy(dst, s, strlen(s) + 1);
	return RM_OK;
}

/* "area" (one code) or "areas" (a list): the record's areas, sorted. */
static int
get_areas(json_t *root, struct rm_record *r, rm_why *why)
{
	json_t *arr = NULL, *e;
	size_t i;
	int rv;

	if (json_object_get(root, "area") != NULL) {
		if (json_object_get(root, "areas") != NULL)
			return rm_fail_at(why, RM_EBADVALUE, "areas", "give area "
			    "or areas, not both");
		r->n_areas = 1;
		return get_fixed(root, "area", true, r->areas[0],
		    sizeof(r->areas[0]), why);
	}
	if ((rv = req_get_array(root, "areas", true, 1, RM_AREAS_MAX, &arr,
	    why)) != RM_OK)
		return rv;
	json_array_foreach(arr, i, e) {
		const char *s = json_string_value(e);

		if (s == NULL || strlen(s) > RM_AREA_CODE_MAX)
			return rm_fail_at(why, RM_EBADVALUE, "areas", "areas[%zu]: "
			    "an area code string", i);
		memcpy(r->areas[i], s, strlen(s) + 1);
	}
	r->n_areas = json_array_size(arr);
	qsort(r->areas, r->n_areas, sizeof(r->areas[0]), req_str_cmp);
	return RM_OK;
}

static int
get_enum(json_t *root, const char *key, int (*parse)(const char *, int *),
    int *dst, const char *choices, rm_why *why)
{
	const char *s;
	int rv;

	if ((rv = req_get_str(root, key, key, true, 32, &s, why)) != RM_OK)
		return rv;
	if (parse(s, dst) != RM_OK)
		return rm_fail_at(why, RM_EBADVALUE, key, "\"%.32s\" is not one "
		    "of %s", s, choices);
	return RM_OK;
}

static int
p_dir(const char *s, int *v)
{
	enum rm_ind_direction d;
	int rv = indicator_direction_parse(s, &d);

	*v = (int)d;
	return rv;
}

static int
p_src(const char *s, int *v)
{
	enum rm_ind_source d;
	int rv = indicator_source_parse(s, &d);

	*v = (int)d;
	return rv;
}

static int
p_per(const char *s, int *v)
{
	enum rm_ind_period d;
	int rv = indicator_period_parse(s, &d);

	*v = (int)d;
	return rv;
}

int
req_indicator_def_parse(const char *text, size_t len, const char *origin,
    rm_utc_ms now_ms, struct rm_record *out, struct rm_indicator_def *b,
    json_t **root, rm_why *why)
{
	const char *s;
	int rv, dir = 0, src = 0, per = 0;

	memset(out, 0, sizeof(*out));
	memset(b, 0, sizeof(*b));
	if ((rv = req_json_object(text, len, root, why)) != RM_OK ||
	    (rv = req_check_keys(*root, def_keys, "", why)) != RM_OK)
		return rv;
	out->schema_version = RM_SCHEMA_VERSION;
	out->kind = &rm_kind_indicator_def;
	out->body = b;
	out->issued_ms = now_ms;
	snprintf(out->origin, sizeof(out->origin), "%s", origin);
	if ((rv = req_get_str(*root, "code", "code", true, RM_IND_CODE_MAX,
	    &s, why)) != RM_OK)
		return rv;
	if (!indicator_code_valid(s, strlen(s)))
		return rm_fail_at(why, RM_EBADVALUE, "code", "\"%.60s\" is not an "
		    "indicator code (%s)", s, RM_IND_CODE_RULE);
	memcpy(b->code, s, strlen(s) + 1);
	memcpy(out->object_id, s, strlen(s) + 1);
	if ((rv = get_areas(*root, out, why)) != RM_OK ||
	    (rv = req_get_str(*root, "name_zh", "name_zh", false,
	    RM_IND_NAME_MAX, (const char **)&b->name_zh, why)) != RM_OK ||
	    (rv = req_get_str(*root, "name_en", "name_en", false,
	    RM_IND_NAME_MAX, (const char **)&b->name_en, why)) != RM_OK ||
	    (rv = get_fixed(*root, "unit", true, b->unit, sizeof(b->unit),
	    why)) != RM_OK ||
	    (rv = get_enum(*root, "direction", p_dir, &dir,
	    "higher_worse, lower_worse", why)) != RM_OK ||
	    (rv = get_enum(*root, "source", p_src, &src,
	    "statistics, survey, sensor, big_data", why)) != RM_OK ||
	    (rv = get_enum(*root, "period", p_per, &per,
	    "instant, day, month, quarter, year", why)) != RM_OK ||
	    (rv = get_decimal(*root, "target", true, &b->target, NULL,
	    why)) != RM_OK ||
	    (rv = get_decimal(*root, "warning", false, &b->warning,
	    &b->has_warning, why)) != RM_OK)
		return rv;
	b->direction = (enum rm_ind_direction)dir;
	b->source = (enum rm_ind_source)src;
	b->period = (enum rm_ind_period)per;
	if (b->name_zh == NULL && b->name_en == NULL)
		return rm_fail_at(why, RM_EMISSING, "name_zh", "a name in Chinese "
		    "(name_zh) or English (name_en) is required");
	out->ver = 1;
	out->seq = 1;
	rv = record_validate(out, why);
	out->ver = 0;
	out->seq = 0;
	return rv;
}

/* One NDJSON line as a value, or the refusal in *e. */
static int
ndjson_value(const char *line, size_t n, struct rm_ind_value *v,
    struct rm_ind_row_err *e)
{
	static const char *const keys[] = { "code", "area", "time", "value",
		"unit", "source", NULL };
	const char *f[6] = { NULL };
	char num[64];
	json_error_t jerr;
	json_t *o = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr), *x;
	rm_why why;
	int rv = RM_EMALFORMED;

	if (!json_is_object(o)) {
		e->column = o == NULL ? (size_t)jerr.column : 0;
		snprintf(e->reason, sizeof(e->reason), "not a JSON object%s%s",
		    o == NULL ? ": " : "", o == NULL ?
		    req_json_error_text(&jerr) : "");
		goto out;
	}
	if (req_check_keys(o, keys, "", &why) != RM_OK) {
		rv = RM_EUNKNOWN;
		snprintf(e->field, sizeof(e->field), "%.15s", why.field);
		snprintf(e->reason, sizeof(e->reason), "%s", why.msg);
		goto out;
	}
	for (int i = 0; keys[i] != NULL; i++) {
		if ((x = json_object_get(o, keys[i])) == NULL || json_is_null(x))
			continue;
		if (json_is_string(x))
			f[i] = json_string_value(x);
		else if (i == 3 && json_is_integer(x)) {
			snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(x));
			f[i] = num;
		} else if (i == 3 && json_is_real(x)) {
			snprintf(num, sizeof(num), "%.15g", json_real_value(x));
			f[i] = num;
		} else {
			e->column = (size_t)i + 1;
			snprintf(e->field, sizeof(e->field), "%s", keys[i]);
			snprintf(e->reason, sizeof(e->reason), "must be a %s",
			    i == 3 ? "string or number" : "string");
			goto out;
		}
	}
	rv = indicator_value_parse(f[0], f[1], f[2], f[3], f[4], f[5], v, e);
out:
	json_decref(o);
	if (rv != RM_OK && e->err == 0)
		e->err = rv;
	return rv;
}

int
req_indicator_ndjson(const char *text, size_t len, size_t max,
    struct rm_ind_value **vals, size_t *nvals, rm_ind_row_err_fn bad,
    void *arg, size_t *nbad)
{
	struct rm_ind_row_err e;
	struct rm_ind_value v;
	size_t off = 0, line = 0, cap = 0;

	*vals = NULL;
	*nvals = *nbad = 0;
	while (off < len) {
		const char *p = text + off, *nl = memchr(p, '\n', len - off);
		size_t n = nl != NULL ? (size_t)(nl - p) : len - off;

		off += n + (nl != NULL);
		line++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		memset(&e, 0, sizeof(e));
		e.line = line;
		if (ndjson_value(p, n, &v, &e) != RM_OK) {
			(*nbad)++;
			bad(arg, &e);
			continue;
		}
		v.line = line;
		if (*nvals >= max)
			return RM_ETOOBIG;
		if (*nvals == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			void *q = realloc(*vals, nc * sizeof(**vals));

			if (q == NULL)
				return RM_ENOMEM;
			*vals = q;
			cap = nc;
		}
		(*vals)[(*nvals)++] = v;
	}
	return RM_OK;
}
