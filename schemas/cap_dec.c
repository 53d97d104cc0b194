/*
 * cap_dec.c -- strict decoding of the CBOR form of the CAP 1.2 model
 * (schemas/cap_model.h, alert.cddl "cap-alert"): key order, types,
 * bounds, canonical numbers; the model's rules are cap_check.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/cap_int.h"

#define TRY(x)                                                           \
	do {                                                             \
		if ((rv = (x)) != RM_OK)                                 \
			return rv;                                       \
	} while (0)


/* Append ".key" / "[i]" to the path; returns the old length. */
size_t
cap_dec_push_key(struct cap_dec *d, const char *key)
{
	size_t old = strlen(d->f);

	snprintf(d->f + old, sizeof(d->f) - old, ".%s", key);
	return old;
}

size_t
cap_dec_push_idx(struct cap_dec *d, size_t i)
{
	size_t old = strlen(d->f);

	snprintf(d->f + old, sizeof(d->f) - old, "[%zu]", i);
	return old;
}

int
cap_dec_str(struct cap_dec *d, char **out)
{
	const char *p;
	size_t n;
	int rv;

	TRY(sch_dec_text(d->rd, d->f, CAP_MODEL_TEXT_MAX, &p, &n, d->why));
	if (n == 0)
		return rm_fail(d->why, RM_EBADVALUE, "%s: empty (omit the key "
		    "instead)", d->f);
	if ((*out = cap_strndup(d->a, p, n)) == NULL)
		return rm_fail(d->why, RM_ENOMEM, "%s: out of memory", d->f);
	return RM_OK;
}

/* An array of 1..max items (or exactly `exact` when non-zero), its
 * items allocated (size bytes each) in the arena. */
int
cap_dec_arr(struct cap_dec *d, size_t max, size_t size, size_t *n, void **items)
{
	int rv;

	TRY(sch_dec_array(d->rd, d->f, n, d->why));
	if (*n == 0)
		return rm_fail(d->why, RM_EBADVALUE, "%s: empty (omit the key "
		    "instead)", d->f);
	if (*n > max || *n > d->rd->n - d->rd->off)
		return rm_fail(d->why, RM_ETOOBIG, "%s: %zu items, limit %zu",
		    d->f, *n, max);
	if (items != NULL && (*items = cap_alloc(d->a, *n, size)) == NULL)
		return rm_fail(d->why, RM_ENOMEM, "%s: out of memory", d->f);
	return RM_OK;
}

int
cap_dec_tuple(struct cap_dec *d, size_t want)
{
	size_t n;
	int rv;

	TRY(sch_dec_array(d->rd, d->f, &n, d->why));
	if (n != want)
		return rm_fail(d->why, RM_EBADVALUE, "%s: %zu items, expected "
		    "%zu", d->f, n, want);
	return RM_OK;
}

/* An array of 1..max items of size bytes, each read by fn with the
 * path naming it ("[i]"). */
int
cap_dec_list(struct cap_dec *d, size_t max, size_t size, size_t *n, void **items,
    int (*fn)(struct cap_dec *, void *))
{
	size_t old;
	int rv;

	TRY(cap_dec_arr(d, max, size, n, items));
	for (size_t i = 0; i < *n; i++) {
		old = cap_dec_push_idx(d, i);
		TRY(fn(d, (char *)*items + i * size));
		d->f[old] = '\0';
	}
	return RM_OK;
}

/* An enumeration by its CAP name; parse returns 0 for unknown. */
static int
cap_dec_name(struct cap_dec *d, int (*parse)(const char *), int *out)
{
	char buf[24], q[160];
	const char *p;
	size_t n;
	int rv;

	TRY(sch_dec_text(d->rd, d->f, 256, &p, &n, d->why));
	*out = 0;
	if (n < sizeof(buf)) {
		memcpy(buf, p, n);
		buf[n] = '\0';
		*out = parse(buf);
	}
	if (*out == 0) {
		schemas_quote(p, n, q);
		return rm_fail(d->why, RM_EBADVALUE, "%s: unknown value %s",
		    d->f, q);
	}
	return RM_OK;
}

#define PARSER(fn, type, call)                                           \
	static int fn(const char *s)                                     \
	{                                                                \
		type v;                                                  \
		return call(s, &v) == RM_OK ? (int)v : 0;                \
	}
PARSER(p_status, rm_cap_status, cap_status_parse)
PARSER(p_msgtype, rm_cap_msgtype, cap_msgtype_parse)
PARSER(p_urgency, rm_cap_urgency, cap_urgency_parse)
PARSER(p_severity, rm_cap_severity, cap_severity_parse)
PARSER(p_certainty, rm_cap_certainty, cap_certainty_parse)
PARSER(p_category, uint32_t, cap_category_parse)

static int
p_scope(const char *s)
{
	for (int i = CAP_SCOPE_PUBLIC; i <= CAP_SCOPE_PRIVATE; i++)
		if (strcmp(cap_scope_name((enum cap_scope)i), s) == 0)
			return i;
	return 0;
}

static int
p_response(const char *s)
{
	for (int i = CAP_RESP_SHELTER; i <= CAP_RESP_NONE; i++)
		if (strcmp(cap_response_name((enum cap_response)i), s) == 0)
			return i;
	return 0;
}

/* [epoch seconds, offset minutes] (CAP 1.2 §3.3.2); years 0001..9999. */
int
cap_dec_tm(struct cap_dec *d, struct cap_time *t)
{
	int64_t s, off;
	int rv;

	TRY(cap_dec_tuple(d, 2));
	TRY(sch_dec_int(d->rd, d->f, &s, d->why));
	TRY(sch_dec_int(d->rd, d->f, &off, d->why));
	if (s < -62135596800LL || s > 253402300799LL || off < -1439 ||
	    off > 1439)
		return rm_fail(d->why, RM_EBADVALUE, "%s: time %lld or offset "
		    "%lld min out of range", d->f, (long long)s,
		    (long long)off);
	t->set = true;
	t->at_ms = s * 1000;
	t->offset_min = (int16_t)off;
	return RM_OK;
}






/* An array of enumeration names into ints of `size` bytes. */
static int
names(struct cap_dec *d, int (*parse)(const char *), size_t size, size_t *n,
    void **out)
{
	int rv, v;

	TRY(cap_dec_arr(d, CAP_MODEL_LIST_MAX, size, n, out));
	for (size_t i = 0; i < *n; i++) {
		TRY(cap_dec_name(d, parse, &v));
		if (size == sizeof(uint32_t))
			((uint32_t *)*out)[i] = (uint32_t)v;
		else
			((enum cap_response *)*out)[i] = (enum cap_response)v;
	}
	return RM_OK;
}

static int
info_value(struct cap_dec *d, struct cap_info *in, int k)
{
	char **s[CI_COUNT] = {
		[CI_WEB] = &in->web, [CI_EVENT] = &in->event,
		[CI_CONTACT] = &in->contact, [CI_AUDIENCE] = &in->audience,
		[CI_HEADLINE] = &in->headline, [CI_LANGUAGE] = &in->language,
		[CI_SENDERNAME] = &in->sender_name,
		[CI_DESCRIPTION] = &in->description,
		[CI_INSTRUCTION] = &in->instruction,
	};
	int rv, v = 0;

	switch (k) {
	case CI_AREA:
		return cap_dec_list(d, CAP_MODEL_AREA_MAX, sizeof(*in->area),
		    &in->n_area, (void **)&in->area, cap_dec_area);
	case CI_ONSET:
		return cap_dec_tm(d, &in->onset);
	case CI_EXPIRES:
		return cap_dec_tm(d, &in->expires);
	case CI_EFFECTIVE:
		return cap_dec_tm(d, &in->effective);
	case CI_URGENCY:
		rv = cap_dec_name(d, p_urgency, &v);
		in->urgency = (rm_cap_urgency)v;
		return rv;
	case CI_SEVERITY:
		rv = cap_dec_name(d, p_severity, &v);
		in->severity = (rm_cap_severity)v;
		return rv;
	case CI_CERTAINTY:
		rv = cap_dec_name(d, p_certainty, &v);
		in->certainty = (rm_cap_certainty)v;
		return rv;
	case CI_CATEGORY:
		return names(d, p_category, sizeof(uint32_t), &in->n_category,
		    (void **)&in->category);
	case CI_RESPONSE:
		return names(d, p_response, sizeof(enum cap_response),
		    &in->n_response, (void **)&in->response);
	case CI_RESOURCE:
		return cap_dec_list(d, CAP_MODEL_LIST_MAX, sizeof(*in->resource),
		    &in->n_resource, (void **)&in->resource, cap_dec_resource);
	case CI_EVENTCODE:
		return cap_dec_pairs(d, &in->event_code, &in->n_event_code);
	case CI_PARAMETER:
		TRY(cap_dec_pairs(d, &in->parameter, &in->n_parameter));
		for (size_t i = 0; i < in->n_parameter; i++) {
			rm_grade g;

			if (cap_param_grade(&in->parameter[i], &g) != RM_OK)
				return rm_fail(d->why, RM_EBADVALUE, "%s[%zu]: "
				    "not a colour grade (blue, yellow, orange, "
				    "red)", d->f, i);
			if (g != 0 && in->grade != 0)
				return rm_fail(d->why, RM_EBADVALUE, "%s[%zu]: "
				    "a second grade parameter", d->f, i);
			if (g != 0)
				in->grade = g;
		}
		return RM_OK;
	default:
		return cap_dec_str(d, s[k]);
	}
}

static int
info(struct cap_dec *d, void *item)
{
	struct cap_info *in = item;
	static const int req[] = { CI_EVENT, CI_URGENCY, CI_SEVERITY,
		CI_CERTAINTY, CI_CATEGORY, CI_LANGUAGE };
	bool seen[CI_COUNT] = { false };
	rm_cbor_keys keys;
	size_t n, old;
	int rv, k;

	TRY(sch_dec_map(d->rd, d->f, &n, d->why));
	rm_cbor_keys_init(&keys);
	for (size_t i = 0; i < n; i++) {
		TRY(sch_dec_key(d->rd, &keys, d->f, cap_info_keys, CI_COUNT,
		    &k, d->why));
		seen[k] = true;
		old = cap_dec_push_key(d, cap_info_keys[k]);
		TRY(info_value(d, in, k));
		d->f[old] = '\0';
	}
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if (!seen[req[i]])
			return rm_fail(d->why, RM_EMISSING, "%s.%s: required",
			    d->f, cap_info_keys[req[i]]);
	return RM_OK;
}

static int
alert_value(struct cap_dec *d, int k)
{
	struct cap_alert *a = d->a;
	char **s[CA_COUNT] = {
		[CA_NOTE] = &a->note, [CA_SENDER] = &a->sender,
		[CA_SOURCE] = &a->source, [CA_ADDRESSES] = &a->addresses,
		[CA_INCIDENTS] = &a->incidents,
		[CA_IDENTIFIER] = &a->identifier,
		[CA_RESTRICTION] = &a->restriction,
	};
	int rv, v = 0;

	switch (k) {
	case CA_CODE:
		TRY(cap_dec_arr(d, CAP_MODEL_LIST_MAX, sizeof(char *), &a->n_code,
		    (void **)&a->code));
		for (size_t i = 0; i < a->n_code; i++)
			TRY(cap_dec_str(d, &a->code[i]));
		return RM_OK;
	case CA_INFO:
		return cap_dec_list(d, CAP_MODEL_INFO_MAX, sizeof(*a->info),
		    &a->n_info, (void **)&a->info, info);
	case CA_SENT:
		return cap_dec_tm(d, &a->sent);
	case CA_SCOPE:
		rv = cap_dec_name(d, p_scope, &v);
		a->scope = (enum cap_scope)v;
		return rv;
	case CA_STATUS:
		rv = cap_dec_name(d, p_status, &v);
		a->status = (rm_cap_status)v;
		return rv;
	case CA_MSGTYPE:
		rv = cap_dec_name(d, p_msgtype, &v);
		a->msg_type = (rm_cap_msgtype)v;
		return rv;
	case CA_REFS:
		TRY(cap_dec_arr(d, CAP_MODEL_LIST_MAX, sizeof(*a->ref), &a->n_ref,
		    (void **)&a->ref));
		for (size_t i = 0; i < a->n_ref; i++) {
			TRY(cap_dec_tuple(d, 3));
			TRY(cap_dec_str(d, &a->ref[i].sender));
			TRY(cap_dec_str(d, &a->ref[i].identifier));
			TRY(cap_dec_tm(d, &a->ref[i].sent));
		}
		return RM_OK;
	default:
		return cap_dec_str(d, s[k]);
	}
}

int
cap_model_decode_rd(rm_cbor_rd *rd, struct cap_alert *out, rm_why *why)
{
	static const int req[] = { CA_SENT, CA_SCOPE, CA_SENDER, CA_STATUS,
		CA_MSGTYPE, CA_IDENTIFIER };
	struct cap_dec d = { rd, out, why, "cap" };
	bool seen[CA_COUNT] = { false };
	rm_cbor_keys keys;
	size_t n, old;
	int rv, k;

	memset(out, 0, sizeof(*out));
	if ((rv = sch_dec_map(rd, d.f, &n, why)) != RM_OK)
		goto fail;
	rm_cbor_keys_init(&keys);
	for (size_t i = 0; i < n; i++) {
		if ((rv = sch_dec_key(rd, &keys, d.f, cap_alert_keys, CA_COUNT,
		    &k, why)) != RM_OK)
			goto fail;
		seen[k] = true;
		old = cap_dec_push_key(&d, cap_alert_keys[k]);
		if ((rv = alert_value(&d, k)) != RM_OK)
			goto fail;
		d.f[old] = '\0';
	}
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if (!seen[req[i]]) {
			rv = rm_fail(why, RM_EMISSING, "cap.%s: required",
			    cap_alert_keys[req[i]]);
			goto fail;
		}
	if ((rv = cap_model_check(out, why)) == RM_OK)
		return RM_OK;
fail:
	cap_alert_fini(out);
	return rv;
}

int
cap_model_decode(const void *p, size_t n, struct cap_alert *out,
    rm_why *why)
{
	rm_cbor_rd rd;
	int rv;

	rm_cbor_rd_init(&rd, p, n);
	if ((rv = cap_model_decode_rd(&rd, out, why)) != RM_OK)
		return rv;
	if (rm_cbor_rd_end(&rd) != RM_OK) {
		cap_alert_fini(out);
		return rm_fail(why, RM_EMALFORMED, "cap: trailing bytes");
	}
	return RM_OK;
}
