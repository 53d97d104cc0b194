/*
 * http_ind_views.c -- the read views of the indicator resource group
 * (docs/API.md "Indicators"): single values and definitions, as JSON
 * ({"indicators": [...]}, {"indicator_defs": [...]}) and as CSV for
 * spreadsheet programs (UTF-8 with BOM, CRLF, a header row).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/http/http_int.h"

static const char *const val_cols[] = { "code", "area", "time", "value",
	"unit", "source", "period", "origin", "series" };
static const char *const def_cols[] = { "code", "name_zh", "name_en",
	"unit", "direction", "target", "warning", "source", "period",
	"areas", "origin", "ver" };
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A query time: RFC 3339, or a period label: its first instant (from)
 * or its last millisecond (to). */
static int
query_time(struct http_call_ctx *c, const char *name, const char *s,
    bool end, rm_utc_ms *out)
{
	enum rm_ind_period k;
	int64_t t;

	if (indicator_time_parse(s, &k, &t) != RM_OK)
		return http_refuse(c, 422, RM_EBADVALUE, name, "\"%.40s\" is "
		    "neither an RFC 3339 time nor a period (2025, 2025-Q3, "
		    "2025-07, 2025-07-31)", s);
	*out = k == RM_IND_INSTANT || !end ? indicator_time_ms(k, t) :
	    indicator_time_ms(k, t + 1) - 1;
	return RM_OK;
}

static int
parse_query(struct http_call_ctx *c, struct service_ind_query *q)
{
	const struct http_query *hq = c->q;
	int rv = RM_OK;

	memset(q, 0, sizeof(*q));
	for (size_t i = 0; i < hq->n && rv == RM_OK; i++) {
		const char *k = hq->p[i].name, *v = hq->p[i].val;
		char *end;

		if (!hq->p[i].has_val || v[0] == '\0')
			return http_refuse(c, 422, RM_EBADVALUE, k, "needs a "
			    "value");
		if (strcmp(k, "code") == 0)
			q->code = v;
		else if (strcmp(k, "area") == 0)
			q->area = v;
		else if (strcmp(k, "match") == 0) {
			if (strcmp(v, "overlap") == 0)
				q->match = SERVICE_IND_OVERLAP;
			else if (strcmp(v, "within") == 0)
				q->match = SERVICE_IND_WITHIN;
			else if (strcmp(v, "exact") == 0)
				q->match = SERVICE_IND_EXACT;
			else
				rv = http_refuse(c, 422, RM_EBADVALUE, k,
				    "overlap, within or exact");
		} else if (strcmp(k, "from") == 0)
			rv = query_time(c, k, v, false, &q->from_ms);
		else if (strcmp(k, "to") == 0)
			rv = query_time(c, k, v, true, &q->to_ms);
		else if (strcmp(k, "period") == 0) {
			q->has_period = true;
			if (indicator_time_parse(v, &q->period_kind,
			    &q->period) != RM_OK ||
			    q->period_kind == RM_IND_INSTANT)
				rv = http_refuse(c, 422, RM_EBADVALUE, k, "\"%.40s\" "
				    "is not a period (2025, 2025-Q3, 2025-07, "
				    "2025-07-31)", v);
		} else if (strcmp(k, "order") == 0) {
			if (strcmp(v, "time") == 0)
				q->ascending = true;
			else if (strcmp(v, "newest") != 0)
				rv = http_refuse(c, 422, RM_EBADVALUE, k,
				    "newest or time");
		} else {
			unsigned long l = strtoul(v, &end, 10);

			if (*end != '\0' || v[0] == '-' || l == 0 ||
			    l > SERVICE_IND_LIMIT_MAX)
				rv = http_refuse(c, 422, RM_EBADVALUE, k, "1..%d",
				    SERVICE_IND_LIMIT_MAX);
			q->limit = l;
		}
	}
	if (rv == RM_OK && q->code == NULL)
		rv = http_refuse(c, 422, RM_EMISSING, "code", "required: the "
		    "indicator code");
	return rv;
}

/* The fields of one value as text, in val_cols order. */
struct val_text {
	char time[RM_IND_TIME_TEXT_MAX], value[RM_DECIMAL_TEXT_MAX];
	char series[65];
	const char *f[9];
};

static void
val_text(const struct service_ind_obs *o, struct val_text *t)
{
	indicator_time_format(o->period, o->t, t->time);
	decimal_format(o->value, t->value);
	rm_hash_hex(o->series, t->series);
	t->f[0] = o->code;
	t->f[1] = o->area;
	t->f[2] = t->time;
	t->f[3] = t->value;
	t->f[4] = o->unit;
	t->f[5] = indicator_source_name(o->source);
	t->f[6] = indicator_period_name(o->period);
	t->f[7] = o->origin;
	t->f[8] = t->series;
}

static int
val_json(void *arg, const struct service_ind_obs *o)
{
	struct val_text t;
	json_t *obj = json_object();

	val_text(o, &t);
	for (size_t i = 0; obj != NULL && i < NELEM(val_cols); i++)
		json_object_set_new(obj, val_cols[i], json_string(t.f[i]));
	if (obj == NULL || json_array_append_new(arg, obj) != 0)
		return RM_ENOMEM;
	return RM_OK;
}

static int
val_csv(void *arg, const struct service_ind_obs *o)
{
	struct val_text t;

	val_text(o, &t);
	return rm_csv_row(arg, t.f, NELEM(val_cols));
}

static int
values(struct http_call_ctx *c, bool latest, bool csv)
{
	struct service_ind_query q;
	json_t *arr = NULL;
	int rv;

	if ((rv = parse_query(c, &q)) != RM_OK)
		return rv;
	q.latest = latest;
	if (latest)
		q.limit = SERVICE_IND_LIMIT_MAX;
	if (csv) {
		c->res->body.limit = 0;
		if ((rv = rm_csv_bom(&c->res->body)) != RM_OK ||
		    (rv = rm_csv_row(&c->res->body, val_cols,
		    NELEM(val_cols))) != RM_OK)
			return http_refuse(c, 500, rv, "", "out of memory");
	} else if ((arr = json_array()) == NULL)
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	rv = service_indicator_values(c->n, &q, rm_utc_now_ms(),
	    csv ? val_csv : val_json, csv ? (void *)&c->res->body : arr,
	    &c->why);
	if (rv != RM_OK) {
		json_decref(arr);
		rm_buf_reset(&c->res->body);
		return rv;
	}
	if (csv) {
		c->res->status = 200;
		c->res->content_type = HTTP_CT_CSV;
		return RM_OK;
	}
	http_res_json(c->res, 200, json_pack("{s:I,s:o}", "count",
	    (json_int_t)json_array_size(arr), "indicators", arr));
	return RM_OK;
}

int
http_get_indicators(struct http_call_ctx *c)
{
	return values(c, false, false);
}

int
http_get_indicators_csv(struct http_call_ctx *c)
{
	return values(c, false, true);
}

int
http_get_indicators_latest(struct http_call_ctx *c)
{
	return values(c, true, false);
}

/* ---------------- definitions ---------------- */

struct def_text {
	char target[RM_DECIMAL_TEXT_MAX], warning[RM_DECIMAL_TEXT_MAX];
	char areas[RM_AREAS_MAX * (RM_AREA_CODE_MAX + 1)], ver[24];
	const char *f[12];
};

static void
def_text(const struct rm_record *rec, struct def_text *t)
{
	const struct rm_indicator_def *d = record_indicator_def(rec);
	size_t o = 0;

	decimal_format(d->target, t->target);
	if (d->has_warning)
		decimal_format(d->warning, t->warning);
	else
		t->warning[0] = '\0';
	t->areas[0] = '\0';
	for (size_t i = 0; i < rec->n_areas; i++)
		o += (size_t)snprintf(t->areas + o, sizeof(t->areas) - o, "%s%s",
		    i ? ";" : "", rec->areas[i]);
	snprintf(t->ver, sizeof(t->ver), "%llu", (unsigned long long)rec->ver);
	t->f[0] = d->code;
	t->f[1] = d->name_zh;
	t->f[2] = d->name_en;
	t->f[3] = d->unit;
	t->f[4] = indicator_direction_name(d->direction);
	t->f[5] = t->target;
	t->f[6] = d->has_warning ? t->warning : NULL;
	t->f[7] = indicator_source_name(d->source);
	t->f[8] = indicator_period_name(d->period);
	t->f[9] = t->areas;
	t->f[10] = rec->origin;
	t->f[11] = t->ver;
}

static int
def_json(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct def_text t;
	json_t *o, *areas;
	char hex[65];

	(void)p;
	(void)n;
	if (record_indicator_def(rec) == NULL)
		return RM_OK;
	def_text(rec, &t);
	rm_hash_hex(h, hex);
	if ((o = json_object()) == NULL || (areas = json_array()) == NULL) {
		json_decref(o);
		return RM_ENOMEM;
	}
	for (size_t i = 0; i < rec->n_areas; i++)
		json_array_append_new(areas, json_string(rec->areas[i]));
	for (size_t i = 0; i < NELEM(def_cols); i++)
		if (t.f[i] != NULL && i != 9 && i != 11)
			json_object_set_new(o, def_cols[i], json_string(t.f[i]));
	json_object_set_new(o, "areas", areas);
	json_object_set_new(o, "ver", json_integer((json_int_t)rec->ver));
	json_object_set_new(o, "hash", json_string(hex));
	if (json_array_append_new(arg, o) != 0)
		return RM_ENOMEM;
	return RM_OK;
}

static int
def_csv(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct def_text t;

	(void)h;
	(void)p;
	(void)n;
	if (record_indicator_def(rec) == NULL)
		return RM_OK;
	def_text(rec, &t);
	return rm_csv_row(arg, t.f, NELEM(def_cols));
}

static int
defs(struct http_call_ctx *c, bool csv)
{
	const char *code = NULL, *area = NULL;
	json_t *arr = NULL;
	int rv;

	for (size_t i = 0; i < c->q->n; i++) {
		if (!c->q->p[i].has_val || c->q->p[i].val[0] == '\0')
			return http_refuse(c, 422, RM_EBADVALUE, c->q->p[i].name,
			    "needs a value");
		if (strcmp(c->q->p[i].name, "code") == 0)
			code = c->q->p[i].val;
		else
			area = c->q->p[i].val;
	}
	if (csv) {
		if ((rv = rm_csv_bom(&c->res->body)) != RM_OK ||
		    (rv = rm_csv_row(&c->res->body, def_cols,
		    NELEM(def_cols))) != RM_OK)
			return http_refuse(c, 500, rv, "", "out of memory");
	} else if ((arr = json_array()) == NULL)
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	rv = service_indicator_defs(c->n, code, area, rm_utc_now_ms(),
	    csv ? def_csv : def_json, csv ? (void *)&c->res->body : arr,
	    &c->why);
	if (rv != RM_OK) {
		json_decref(arr);
		rm_buf_reset(&c->res->body);
		return rv;
	}
	if (csv) {
		c->res->status = 200;
		c->res->content_type = HTTP_CT_CSV;
		return RM_OK;
	}
	http_res_json(c->res, 200, json_pack("{s:I,s:o}", "count",
	    (json_int_t)json_array_size(arr), "indicator_defs", arr));
	return RM_OK;
}

int
http_get_indicator_defs(struct http_call_ctx *c)
{
	return defs(c, false);
}

int
http_get_indicator_defs_csv(struct http_call_ctx *c)
{
	return defs(c, true);
}
