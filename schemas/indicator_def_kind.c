/*
 * indicator_def_kind.c -- the record kind "indicator_def" (schemas.h,
 * "the indicator kinds"; CDDL in schemas/indicator_def.cddl): an
 * indicator of the city health check (城市体检) or of monitoring, as
 * the agency that owns it defines it. Its oid is the code; every change
 * (a new target, a new name) is a new version of the object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/indicator_int.h"

/* The body's keys in canonical order (RFC 8949 §4.2.1). */
enum def_key {
	DK_CODE, DK_UNIT, DK_PERIOD, DK_SOURCE, DK_TARGET, DK_NAME_EN,
	DK_NAME_ZH, DK_WARNING, DK_DIRECTION, DK_NKEYS
};
static const char *const def_keys[DK_NKEYS] = { "code", "unit", "period",
	"source", "target", "name_en", "name_zh", "warning", "direction" };
#define DK_OPTIONAL ((1u << DK_NAME_EN) | (1u << DK_NAME_ZH) | \
	(1u << DK_WARNING))
#define DK_ALL ((1u << DK_NKEYS) - 1)

struct rm_indicator_def *
record_indicator_def(const struct rm_record *rec)
{
	if (rec == NULL || rec->kind != &rm_kind_indicator_def)
		return NULL;
	return rec->body;
}

static int
put_kv(rm_buf *b, enum def_key k, const char *v)
{
	return sch_put_text_entry(b, def_keys[k], v);
}

static int
def_encode(const void *body, rm_buf *b)
{
	const struct rm_indicator_def *d = body;
	size_t n = 6 + (d->name_en != NULL) + (d->name_zh != NULL) +
	    d->has_warning;
	int rv;

	if ((rv = rm_cbor_put_map(b, n)) != RM_OK ||
	    (rv = put_kv(b, DK_CODE, d->code)) != RM_OK ||
	    (rv = put_kv(b, DK_UNIT, d->unit)) != RM_OK ||
	    (rv = put_kv(b, DK_PERIOD, indicator_period_name(d->period))) !=
	    RM_OK ||
	    (rv = put_kv(b, DK_SOURCE, indicator_source_name(d->source))) !=
	    RM_OK ||
	    (rv = rm_cbor_put_cstr(b, def_keys[DK_TARGET])) != RM_OK ||
	    (rv = ind_dec_put(b, d->target)) != RM_OK)
		return rv;
	if (d->name_en != NULL &&
	    (rv = put_kv(b, DK_NAME_EN, d->name_en)) != RM_OK)
		return rv;
	if (d->name_zh != NULL &&
	    (rv = put_kv(b, DK_NAME_ZH, d->name_zh)) != RM_OK)
		return rv;
	if (d->has_warning &&
	    ((rv = rm_cbor_put_cstr(b, def_keys[DK_WARNING])) != RM_OK ||
	    (rv = ind_dec_put(b, d->warning)) != RM_OK))
		return rv;
	return put_kv(b, DK_DIRECTION,
	    indicator_direction_name(d->direction));
}

static int
p_dir(const char *s, int *v)
{
	enum rm_ind_direction d;
	int rv = indicator_direction_parse(s, &d);

	*v = (int)d;
	return rv;
}

int
ind_parse_source(const char *s, int *v)
{
	enum rm_ind_source d;
	int rv = indicator_source_parse(s, &d);

	*v = (int)d;
	return rv;
}

int
ind_parse_period(const char *s, int *v)
{
	enum rm_ind_period d;
	int rv = indicator_period_parse(s, &d);

	*v = (int)d;
	return rv;
}

static int
rd_field(rm_cbor_rd *rd, struct rm_indicator_def *d, enum def_key k,
    rm_why *why)
{
	int v = 0, rv;

	switch (k) {
	case DK_CODE:
		return sch_dec_fixed(rd, "indicator_def.code", d->code,
		    sizeof(d->code), why);
	case DK_UNIT:
		return sch_dec_fixed(rd, "indicator_def.unit", d->unit,
		    sizeof(d->unit), why);
	case DK_PERIOD:
		rv = ind_rd_enum(rd, ind_parse_period, "indicator_def.period",
		    "instant|day|month|quarter|year", &v, why);
		d->period = (enum rm_ind_period)v;
		return rv;
	case DK_SOURCE:
		rv = ind_rd_enum(rd, ind_parse_source, "indicator_def.source",
		    "statistics|survey|sensor|big_data", &v, why);
		d->source = (enum rm_ind_source)v;
		return rv;
	case DK_TARGET:
		return ind_dec_read(rd, "indicator_def.target", &d->target,
		    why);
	case DK_NAME_EN:
		return sch_dec_strdup(rd, "indicator_def.name_en",
		    RM_IND_NAME_MAX, &d->name_en, why);
	case DK_NAME_ZH:
		return sch_dec_strdup(rd, "indicator_def.name_zh",
		    RM_IND_NAME_MAX, &d->name_zh, why);
	case DK_WARNING:
		d->has_warning = true;
		return ind_dec_read(rd, "indicator_def.warning", &d->warning,
		    why);
	default:
		rv = ind_rd_enum(rd, p_dir, "indicator_def.direction",
		    "higher_worse|lower_worse", &v, why);
		d->direction = (enum rm_ind_direction)v;
		return rv;
	}
}

static int
def_decode(rm_cbor_rd *rd, void *body, rm_why *why)
{
	struct rm_indicator_def *d = body;
	rm_cbor_keys ks;
	const char *k;
	size_t npairs, klen;
	unsigned seen = 0;
	int rv, i;

	if ((rv = rm_cbor_rd_map(rd, &npairs)) != RM_OK)
		return rm_fail(why, rv, "indicator_def: expected a map");
	if (npairs < 6 || npairs > DK_NKEYS)
		return rm_fail(why, RM_EMISSING, "indicator_def: 6..%d fields, "
		    "got %zu", DK_NKEYS, npairs);
	rm_cbor_keys_init(&ks);
	for (size_t p = 0; p < npairs; p++) {
		if ((rv = rm_cbor_rd_key(rd, &ks, &k, &klen)) != RM_OK)
			return rm_fail(why, rv, "indicator_def: bad key");
		if ((i = schemas_key_find(def_keys, DK_NKEYS, k, klen)) < 0)
			return rm_fail(why, RM_EUNKNOWN, "indicator_def: unknown "
			    "field \"%.*s\"", (int)(klen > 32 ? 32 : klen), k);
		seen |= 1u << i;
		if ((rv = rd_field(rd, d, (enum def_key)i, why)) != RM_OK)
			return rv;
	}
	if ((seen | DK_OPTIONAL) != DK_ALL)
		return rm_fail(why, RM_EMISSING, "indicator_def: code, unit, "
		    "period, source, target and direction are required");
	return RM_OK;
}

int
ind_check_common(const char *kind, const char *code, const char *unit,
    enum rm_ind_source source, enum rm_ind_period period, rm_why *why)
{
	char f[32];
	int rv;

	if (!indicator_code_valid(code, strlen(code)))
		return rm_fail(why, RM_EBADVALUE, "%s.code: \"%.64s\" is not "
		    "an indicator code (%s)", kind, code, RM_IND_CODE_RULE);
	snprintf(f, sizeof(f), "%s.unit", kind);
	if ((rv = sch_text_check(unit, f, RM_IND_UNIT_MAX, true, why)) !=
	    RM_OK)
		return rv;
	if (indicator_source_name(source) == NULL)
		return rm_fail(why, RM_EBADVALUE, "%s.source: out of range "
		    "(statistics|survey|sensor|big_data)", kind);
	if (indicator_period_name(period) == NULL)
		return rm_fail(why, RM_EBADVALUE, "%s.period: out of range "
		    "(instant|day|month|quarter|year)", kind);
	return RM_OK;
}

static int
def_validate(const struct rm_record *rec, rm_why *why)
{
	const struct rm_indicator_def *d = rec->body;
	int rv, c;

	if ((rv = ind_check_common("indicator_def", d->code, d->unit,
	    d->source, d->period, why)) != RM_OK)
		return rv;
	if (strcmp(d->code, rec->object_id) != 0)
		return rm_fail(why, RM_EBADVALUE, "indicator_def.code: \"%s\" is "
		    "not the record's oid \"%.64s\"", d->code, rec->object_id);
	if (d->name_zh == NULL && d->name_en == NULL)
		return rm_fail(why, RM_EMISSING, "indicator_def.name_zh: a name "
		    "in Chinese or English (name_en) is required");
	if ((rv = sch_text_check(d->name_zh, "indicator_def.name_zh",
	    RM_IND_NAME_MAX, false, why)) != RM_OK ||
	    (rv = sch_text_check(d->name_en, "indicator_def.name_en",
	    RM_IND_NAME_MAX, false, why)) != RM_OK)
		return rv;
	if (indicator_direction_name(d->direction) == NULL)
		return rm_fail(why, RM_EBADVALUE, "indicator_def.direction: out "
		    "of range (higher_worse|lower_worse)");
	if (!decimal_valid(d->target))
		return rm_fail(why, RM_EBADVALUE, "indicator_def.target: not a "
		    "canonical decimal");
	if (!d->has_warning)
		return RM_OK;
	if (!decimal_valid(d->warning))
		return rm_fail(why, RM_EBADVALUE, "indicator_def.warning: not a "
		    "canonical decimal");
	c = decimal_cmp(d->warning, d->target);
	if ((d->direction == RM_IND_HIGHER_WORSE && c < 0) ||
	    (d->direction == RM_IND_LOWER_WORSE && c > 0))
		return rm_fail(why, RM_EBADVALUE, "indicator_def.warning: on the "
		    "better side of the target (%s: the warning threshold is "
		    "%s the target)", indicator_direction_name(d->direction),
		    d->direction == RM_IND_HIGHER_WORSE ? ">=" : "<=");
	return RM_OK;
}

static void
def_fini(void *body)
{
	struct rm_indicator_def *d = body;

	free(d->name_zh);
	free(d->name_en);
	d->name_zh = d->name_en = NULL;
}

static bool
def_in_force(const struct rm_record *rec)
{
	(void)rec;
	return true;
}

static int
def_index_keys(const struct rm_record *rec,
    int (*emit)(void *arg, const char *key), void *arg)
{
	char key[RM_INDEX_KEY_MAX + 1];

	snprintf(key, sizeof(key), "code=%s",
	    ((const struct rm_indicator_def *)rec->body)->code);
	return emit(arg, key);
}

static void
def_summary(const struct rm_record *rec, char *out, size_t len)
{
	const struct rm_indicator_def *d = rec->body;
	char t[RM_DECIMAL_TEXT_MAX];

	decimal_format(d->target, t);
	snprintf(out, len, "indicator_def %s target %s %s (%s): %s", d->code,
	    t, d->unit, indicator_direction_name(d->direction),
	    d->name_zh != NULL ? d->name_zh : d->name_en);
}

const struct rm_kind_ops rm_kind_indicator_def = {
	.name = "indicator_def",
	.cddl = "indicator_def.cddl",
	.body_size = sizeof(struct rm_indicator_def),
	.encode = def_encode,
	.decode = def_decode,
	.validate = def_validate,
	.fini = def_fini,
	.in_force = def_in_force,
	.index_keys = def_index_keys,
	.summary = def_summary,
	.roster_kind = "indicator",
};
