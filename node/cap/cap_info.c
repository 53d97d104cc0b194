/*
 * cap_info.c -- the <info> element (CAP 1.2 §3.2.2) and its <resource>
 * blocks (§3.2.3): language, the enumerations (exact case), the times
 * (not before <sent>), the value pairs, the colour grade parameter.
 * Areas are in cap_area.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "node/cap/cap_int.h"

enum { I_LANG, I_CAT, I_EVENT, I_RESP, I_URG, I_SEV, I_CERT, I_AUD,
	I_ECODE, I_EFF, I_ONSET, I_EXP, I_SNAME, I_HEAD, I_DESC, I_INSTR,
	I_WEB, I_CONTACT, I_PARAM, I_RES, I_AREA, I_COUNT };

static const struct cap_elem info_seq[I_COUNT] = {
	{ "language", 0, 1 }, { "category", 1, 0 }, { "event", 1, 1 },
	{ "responseType", 0, 0 }, { "urgency", 1, 1 }, { "severity", 1, 1 },
	{ "certainty", 1, 1 }, { "audience", 0, 1 }, { "eventCode", 0, 0 },
	{ "effective", 0, 1 }, { "onset", 0, 1 }, { "expires", 0, 1 },
	{ "senderName", 0, 1 }, { "headline", 0, 1 }, { "description", 0, 1 },
	{ "instruction", 0, 1 }, { "web", 0, 1 }, { "contact", 0, 1 },
	{ "parameter", 0, 0 }, { "resource", 0, 0 }, { "area", 0, 0 },
};

static const struct cap_elem pair_seq[] = {
	{ "valueName", 1, 1 }, { "value", 1, 1 },
};

enum { R_DESC, R_MIME, R_SIZE, R_URI, R_DEREF, R_DIGEST, R_COUNT };
static const struct cap_elem res_seq[R_COUNT] = {
	{ "resourceDesc", 1, 1 }, { "mimeType", 1, 1 }, { "size", 0, 1 },
	{ "uri", 0, 1 }, { "derefUri", 0, 1 }, { "digest", 0, 1 },
};

int
cap_parse_pair(struct cap_ctx *c, xmlNode *el, struct cap_pair *out)
{
	struct cap_slot s[2];
	int rv;

	if ((rv = cap_seq(c, el, pair_seq, 2, "§3.2", s)) != RM_OK ||
	    (rv = cap_opt_text(c, &s[0], "valueName", &out->name)) != RM_OK)
		return rv;
	return cap_opt_text(c, &s[1], "value", &out->value);
}

/* Every element of slot s as a pair, into a new array. */
static int
pairs(struct cap_ctx *c, struct cap_slot *s, const char *name,
    struct cap_pair **out, size_t *n)
{
	int rv = RM_OK;

	if ((*out = cap_alloc(c->a, s->n, sizeof(**out))) == NULL)
		return cap_fail(c, RM_ENOMEM, "out of memory");
	for (size_t i = 0; i < s->n && rv == RM_OK; i++) {
		size_t old = cap_push(c, name, (long)i);

		rv = cap_parse_pair(c, cap_slot_at(s, i), &(*out)[i]);
		cap_pop(c, old);
		*n = i + 1;
	}
	return rv;
}

/* RFC 3066 language tag: 1-8 letters, then -subtags of 1-8 letters or
 * digits. */
static bool
lang_ok(const char *s)
{
	size_t len = 0;
	bool first = true;

	for (;; s++) {
		if (*s == '-' || *s == '\0') {
			if (len == 0 || len > 8)
				return false;
			if (*s == '\0')
				return true;
			len = 0;
			first = false;
		} else if (isalpha((unsigned char)*s) ||
		    (!first && isdigit((unsigned char)*s))) {
			len++;
		} else {
			return false;
		}
	}
}

/* One enumeration value of slot s: parse with fn, or refuse listing
 * the names. */
static int
one_enum(struct cap_ctx *c, struct cap_slot *s, size_t k,
    const char *name, int (*fn)(const char *, void *), void *out,
    const char *names)
{
	size_t old = cap_push(c, name, s->n > 1 ? (long)k : -1);
	char *v;
	int rv;

	if ((rv = cap_text(c, cap_slot_at(s, k), &v)) == RM_OK &&
	    fn(v, out) != RM_OK)
		rv = cap_fail(c, RM_EBADVALUE, "\"%.40s\" is not one of %s "
		    "(CAP 1.2 §3.2.2, exact case)", v, names);
	cap_pop(c, old);
	return rv;
}

static int
p_urg(const char *s, void *o) { return cap_urgency_parse(s, o); }
static int
p_sev(const char *s, void *o) { return cap_severity_parse(s, o); }
static int
p_cert(const char *s, void *o) { return cap_certainty_parse(s, o); }
static int
p_cat(const char *s, void *o) { return cap_category_parse(s, o); }

static int
p_resp(const char *s, void *o)
{
	for (enum cap_response r = CAP_RESP_SHELTER;
	    cap_response_name(r) != NULL; r++)
		if (strcmp(cap_response_name(r), s) == 0) {
			*(enum cap_response *)o = r;
			return RM_OK;
		}
	return RM_EBADVALUE;
}

static int
enums(struct cap_ctx *c, struct cap_slot *s, struct cap_info *in)
{
	int rv;

	in->category = cap_alloc(c->a, s[I_CAT].n, sizeof(*in->category));
	in->response = cap_alloc(c->a, s[I_RESP].n, sizeof(*in->response));
	if (in->category == NULL || in->response == NULL)
		return cap_fail(c, RM_ENOMEM, "out of memory");
	for (size_t k = 0; k < s[I_CAT].n; k++, in->n_category++)
		if ((rv = one_enum(c, &s[I_CAT], k, "category", p_cat,
		    &in->category[k], "Geo, Met, Safety, Security, Rescue, "
		    "Fire, Health, Env, Transport, Infra, CBRNE, Other")) !=
		    RM_OK)
			return rv;
	for (size_t k = 0; k < s[I_RESP].n; k++, in->n_response++)
		if ((rv = one_enum(c, &s[I_RESP], k, "responseType", p_resp,
		    &in->response[k], "Shelter, Evacuate, Prepare, Execute, "
		    "Avoid, Monitor, Assess, AllClear, None")) != RM_OK)
			return rv;
	if ((rv = one_enum(c, &s[I_URG], 0, "urgency", p_urg, &in->urgency,
	    "Immediate, Expected, Future, Past, Unknown")) != RM_OK ||
	    (rv = one_enum(c, &s[I_SEV], 0, "severity", p_sev, &in->severity,
	    "Extreme, Severe, Moderate, Minor, Unknown")) != RM_OK)
		return rv;
	return one_enum(c, &s[I_CERT], 0, "certainty", p_cert, &in->certainty,
	    "Observed, Likely, Possible, Unlikely, Unknown");
}

/* effective, onset, expires: CAP times, not before <sent>. */
static int
times(struct cap_ctx *c, struct cap_slot *s, struct cap_info *in)
{
	static const char *const names[] = { "effective", "onset", "expires" };
	struct cap_time *t[] = { &in->effective, &in->onset, &in->expires };
	char *v;
	int rv = RM_OK;

	for (size_t i = 0; i < 3 && rv == RM_OK; i++) {
		size_t old;

		if (s[I_EFF + i].n == 0)
			continue;
		old = cap_push(c, names[i], -1);
		if ((rv = cap_text(c, s[I_EFF + i].first, &v)) == RM_OK &&
		    (rv = cap_time_parse(c, v, t[i])) == RM_OK &&
		    t[i]->at_ms < c->a->sent.at_ms)
			rv = cap_fail(c, RM_EBADVALUE, "\"%.32s\" is before "
			    "<sent> (riskmesh: effective, onset and expires "
			    "are not before the message was sent)", v);
		cap_pop(c, old);
	}
	return rv;
}

/* The colour grade parameter: one at most, blue/yellow/orange/red. */
static int
grade(struct cap_ctx *c, struct cap_info *in)
{
	for (size_t i = 0; i < in->n_parameter; i++) {
		const struct cap_pair *p = &in->parameter[i];
		rm_grade g;
		size_t old;
		int rv = RM_OK;

		if (strcmp(p->name, CAP_GRADE_NAME) != 0 &&
		    strcmp(p->name, CAP_GRADE_NAME_URN) != 0)
			continue;
		old = cap_push(c, "parameter", (long)i);
		if (in->grade != 0)
			rv = cap_fail(c, RM_EBADVALUE, "a second grade "
			    "parameter (one colour grade per info)");
		else if (grade_parse(p->value, &g) != RM_OK)
			rv = cap_fail(c, RM_EBADVALUE, "grade \"%.40s\" is not "
			    "one of blue, yellow, orange, red (riskmesh's "
			    "colour grade, exact case)", p->value);
		else
			in->grade = g;
		cap_pop(c, old);
		if (rv != RM_OK)
			return rv;
	}
	return RM_OK;
}

static int
resource(struct cap_ctx *c, xmlNode *el, struct cap_resource *r)
{
	struct cap_slot s[R_COUNT];
	char *size = NULL;
	int rv;

	if ((rv = cap_seq(c, el, res_seq, R_COUNT, "§3.2.3", s)) != RM_OK ||
	    (rv = cap_opt_text(c, &s[R_DESC], "resourceDesc", &r->desc)) ||
	    (rv = cap_opt_text(c, &s[R_MIME], "mimeType", &r->mime_type)) ||
	    (rv = cap_opt_text(c, &s[R_SIZE], "size", &size)) ||
	    (rv = cap_opt_text(c, &s[R_URI], "uri", &r->uri)) ||
	    (rv = cap_opt_text(c, &s[R_DEREF], "derefUri", &r->deref_uri)) ||
	    (rv = cap_opt_text(c, &s[R_DIGEST], "digest", &r->digest)))
		return rv;
	if (size == NULL)
		return RM_OK;
	r->has_size = true;
	if (size[0] == '\0' || strlen(size) > 19 ||
	    strspn(size, "0123456789") != strlen(size))
		return cap_fail_in(c, "size", RM_EBADVALUE, "\"%.24s\" is not "
		    "a size in bytes (CAP 1.2 §3.2.3: an integer)", size);
	for (const char *p = size; *p; p++)
		r->size = r->size * 10 + (uint64_t)(*p - '0');
	return RM_OK;
}

/* Resources and areas: arrays of sub-elements with their own parser. */
static int
blocks(struct cap_ctx *c, struct cap_slot *s, struct cap_info *in)
{
	int rv = RM_OK;

	in->resource = cap_alloc(c->a, s[I_RES].n, sizeof(*in->resource));
	in->area = cap_alloc(c->a, s[I_AREA].n, sizeof(*in->area));
	if (in->resource == NULL || in->area == NULL)
		return cap_fail(c, RM_ENOMEM, "out of memory");
	for (size_t i = 0; i < s[I_RES].n && rv == RM_OK; i++) {
		size_t old = cap_push(c, "resource", (long)i);

		rv = resource(c, cap_slot_at(&s[I_RES], i), &in->resource[i]);
		cap_pop(c, old);
		in->n_resource = i + 1;
	}
	for (size_t i = 0; i < s[I_AREA].n && rv == RM_OK; i++) {
		size_t old = cap_push(c, "area", (long)i);

		rv = cap_parse_area(c, cap_slot_at(&s[I_AREA], i),
		    &in->area[i]);
		cap_pop(c, old);
		in->n_area = i + 1;
	}
	return rv;
}

int
cap_parse_info(struct cap_ctx *c, xmlNode *el, struct cap_info *in)
{
	struct cap_slot s[I_COUNT];
	int rv;

	if ((rv = cap_seq(c, el, info_seq, I_COUNT, "§3.2.2", s)) != RM_OK ||
	    (rv = cap_opt_text(c, &s[I_LANG], "language", &in->language)))
		return rv;
	if (in->language == NULL)      /* CAP 1.2 §3.2.2: default en-US */
		in->language = cap_strndup(c->a, "en-US", 5);
	else if (!lang_ok(in->language))
		return cap_fail_in(c, "language", RM_EBADVALUE, "\"%.32s\" is "
		    "not an RFC 3066 language tag (CAP 1.2 §3.2.2)",
		    in->language);
	if (in->language == NULL)
		return cap_fail(c, RM_ENOMEM, "out of memory");
	if ((rv = enums(c, s, in)) != RM_OK ||
	    (rv = cap_opt_text(c, &s[I_EVENT], "event", &in->event)) ||
	    (rv = cap_opt_text(c, &s[I_AUD], "audience", &in->audience)) ||
	    (rv = pairs(c, &s[I_ECODE], "eventCode", &in->event_code,
	    &in->n_event_code)) != RM_OK ||
	    (rv = times(c, s, in)) != RM_OK ||
	    (rv = cap_opt_text(c, &s[I_SNAME], "senderName",
	    &in->sender_name)) ||
	    (rv = cap_opt_text(c, &s[I_HEAD], "headline", &in->headline)) ||
	    (rv = cap_opt_text(c, &s[I_DESC], "description",
	    &in->description)) ||
	    (rv = cap_opt_text(c, &s[I_INSTR], "instruction",
	    &in->instruction)) ||
	    (rv = cap_opt_text(c, &s[I_WEB], "web", &in->web)) ||
	    (rv = cap_opt_text(c, &s[I_CONTACT], "contact", &in->contact)) ||
	    (rv = pairs(c, &s[I_PARAM], "parameter", &in->parameter,
	    &in->n_parameter)) != RM_OK ||
	    (rv = grade(c, in)) != RM_OK)
		return rv;
	return blocks(c, s, in);
}
