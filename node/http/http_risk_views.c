/*
 * http_risk_views.c -- the views of the risk register (docs/API.md
 * "Risk register views"):
 *   GET /v1/risks[?filters]         a page of risks in force, "next"
 *   GET /v1/risks.csv[?filters]     the same list as CSV (spreadsheet)
 *   GET /v1/risks/summary[?area=]   the roll-up: counts per child area
 *                                   and per responsible unit
 *   GET /v1/risks/diff?from=&to=[&area=]   the changes between dates
 * Filters: area, within=1, grade, status, category, subcategory,
 * responsible, overdue=1, limit (default 1000, at most 100000), next.
 */
#include <stdio.h>
#include <string.h>

#include "node/http/http_int.h"

#define RISKS_LIMIT_DEFAULT 1000

/* The page cursor as 80 hex digits. */
static void
cursor_hex(const struct store_cursor *c, char out[2 * STORE_CURSOR_LEN + 1])
{
	for (size_t i = 0; i < STORE_CURSOR_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", c->b[i]);
}

static bool
cursor_parse(const char *s, struct store_cursor *c)
{
	unsigned x;

	if (strlen(s) != 2 * STORE_CURSOR_LEN)
		return false;
	for (size_t i = 0; i < STORE_CURSOR_LEN; i++) {
		if (strspn(s + 2 * i, "0123456789abcdef") < 2 ||
		    sscanf(s + 2 * i, "%2x", &x) != 1)
			return false;
		c->b[i] = (uint8_t)x;
	}
	return true;
}

static bool
flag_val(const char *v, bool *out)
{
	if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
		*out = true;
	else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
		*out = false;
	else
		return false;
	return true;
}

/* One query filter of the views into f (the route table allows only
 * these names). */
static int
view_filter(struct http_call_ctx *c, const char *name, const char *val,
    struct service_risk_filter *f, struct store_cursor *cur)
{
	enum rm_risk_subcategory sub;
	unsigned long lim;
	char *end;

	if (strcmp(name, "within") == 0 || strcmp(name, "overdue") == 0) {
		if (!flag_val(val, name[0] == 'w' ? &f->within : &f->overdue))
			return http_refuse(c, 422, RM_EBADVALUE, name, "\"%.20s\" "
			    "is not 1 or 0", val);
	} else if (strcmp(name, "subcategory") == 0) {
		if (risk_subcategory_parse(repr_risk_value_en(val), &sub) !=
		    RM_OK)
			return http_refuse(c, 422, RM_EBADVALUE, name, "\"%.40s\" "
			    "is not a risk subcategory", val);
		f->subcategory = sub;
	} else if (strcmp(name, "limit") == 0) {
		lim = strtoul(val, &end, 10);
		if (*end != '\0' || val[0] < '1' || val[0] > '9' ||
		    lim > SERVICE_RISKS_LIMIT_MAX)
			return http_refuse(c, 422, RM_EBADVALUE, name, "\"%.20s\" "
			    "is not 1..%d", val, SERVICE_RISKS_LIMIT_MAX);
		f->limit = lim;
	} else if (strcmp(name, "next") == 0) {
		if (!cursor_parse(val, cur))
			return http_refuse(c, 422, RM_EBADVALUE, name, "not a "
			    "cursor of this API (the \"next\" of a page)");
		f->after = cur;
	} else {
		return http_risk_filter(c, name, val, f);
	}
	return RM_OK;
}

static int
view_filters(struct http_call_ctx *c, struct service_risk_filter *f,
    struct store_cursor *cur, size_t limit)
{
	const struct http_query *q = c->q;
	int rv;

	memset(f, 0, sizeof(*f));
	f->limit = limit;
	for (size_t i = 0; i < q->n; i++) {
		if (!q->p[i].has_val || q->p[i].val[0] == '\0')
			return http_refuse(c, 422, RM_EBADVALUE, q->p[i].name,
			    "needs a value");
		if ((rv = view_filter(c, q->p[i].name, q->p[i].val, f,
		    cur)) != RM_OK)
			return rv;
	}
	if (f->within && f->area == NULL)
		return http_refuse(c, 422, RM_EBADVALUE, "within", "needs an "
		    "area");
	return RM_OK;
}

static int
list_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	json_t *risks = arg, *o = repr_record_object(rec, h);

	(void)p;
	(void)n;
	if (o == NULL || json_array_append_new(risks, o) != 0)
		return RM_ENOMEM;
	return RM_OK;
}

/* GET /v1/risks */
int
http_get_risks(struct http_call_ctx *c)
{
	char next[2 * STORE_CURSOR_LEN + 1];
	struct service_risk_filter f;
	struct store_cursor cur;
	struct store_page page;
	json_t *risks, *o;
	int rv;

	if ((rv = view_filters(c, &f, &cur, RISKS_LIMIT_DEFAULT)) != RM_OK)
		return rv;
	if ((risks = json_array()) == NULL)
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	rv = service_risks_page(c->n, &f, rm_utc_now_ms(), list_each, risks,
	    &page, &c->why);
	if (rv != RM_OK) {
		json_decref(risks);
		return rv;
	}
	o = json_pack("{s:I,s:o}", "count", (json_int_t)json_array_size(risks),
	    "risks", risks);
	if (o != NULL && page.more) {
		cursor_hex(&page.next, next);
		json_object_set_new(o, "next", json_string(next));
	}
	http_res_json(c->res, 200, o);
	return RM_OK;
}

static int
csv_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	(void)h;
	(void)p;
	(void)n;
	return repr_risk_csv_write_row(arg, rec);
}

/* GET /v1/risks.csv: the list as the spreadsheet form (every item up to
 * SERVICE_RISKS_LIMIT_MAX unless limit says otherwise). */
int
http_get_risks_csv(struct http_call_ctx *c)
{
	struct service_risk_filter f;
	struct store_cursor cur;
	rm_buf csv = RM_BUF_INIT;
	int rv;

	if ((rv = view_filters(c, &f, &cur, SERVICE_RISKS_LIMIT_MAX)) != RM_OK)
		return rv;
	if ((rv = repr_risk_csv_write_header(&csv)) != RM_OK ||
	    (rv = service_risks_page(c->n, &f, rm_utc_now_ms(), csv_each, &csv,
	    NULL, &c->why)) != RM_OK) {
		rm_buf_fini(&csv);
		return rv;
	}
	http_res_csv(c->res, &csv);
	return RM_OK;
}
