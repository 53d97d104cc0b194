/*
 * validate.c -- the semantic rules of a record (schemas/record.cddl,
 * schemas/alert.cddl), shared by record_encode() and record_decode().
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "schemas/schemas_int.h"

#define LAT_MAX 90000000
#define LON_MAX 180000000

/* A text field: NULL is absent (an error when required), else 1..max
 * bytes of UTF-8 without NUL. */
static int
check_text(const char *s, const char *field, size_t max, bool required,
    rm_why *why)
{
	size_t n;

	if (s == NULL) {
		if (required)
			return rm_fail(why, RM_EMISSING, "%s: required",
			    field);
		return RM_OK;
	}
	n = strlen(s);
	if (n == 0)
		return rm_fail(why, RM_EBADVALUE, "%s: empty text", field);
	if (n > max)
		return rm_fail(why, RM_ETOOBIG, "%s: %zu bytes, limit %zu",
		    field, n, max);
	if (!rm_utf8_valid(s, n))
		return rm_fail(why, RM_EBADVALUE, "%s: invalid UTF-8", field);
	return RM_OK;
}

/* RFC 5646 tag, plausibly: a primary language subtag of 2..3 letters
 * (§2.2.1), then '-'-separated subtags of 2..8 letters or digits; a
 * one-character subtag (extension or private-use singleton, §2.2.6,
 * §2.2.7) must be followed by another subtag. "zh-CN", "zh-Hans-CN",
 * "en-US-x-tj" pass; "a", "e", "english", "zh-", "zh-CN-x" do not. */
static bool
lang_valid(const char *s)
{
	size_t sub = 0, nsub = 0;
	bool alpha = true;

	for (const char *c = s;; c++) {
		if (*c == '-' || *c == '\0') {
			if (nsub == 0 && (sub < 2 || sub > 3 || !alpha))
				return false;
			if (nsub > 0 && (sub == 0 || sub > 8 ||
			    (sub == 1 && *c == '\0')))
				return false;
			if (*c == '\0')
				return true;
			nsub++;
			sub = 0;
			continue;
		}
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z'))
			sub++;
		else if (*c >= '0' && *c <= '9') {
			sub++;
			alpha = false;
		} else
			return false;
	}
}

static int
check_point(const struct rm_point *pt, const char *field, rm_why *why)
{
	if (pt->lat_udeg < -LAT_MAX || pt->lat_udeg > LAT_MAX)
		return rm_fail(why, RM_EBADVALUE, "%s: latitude %ld outside "
		    "-90e6..90e6 udeg", field, (long)pt->lat_udeg);
	if (pt->lon_udeg < -LON_MAX || pt->lon_udeg > LON_MAX)
		return rm_fail(why, RM_EBADVALUE, "%s: longitude %ld outside "
		    "-180e6..180e6 udeg", field, (long)pt->lon_udeg);
	return RM_OK;
}

static int
check_enum(int v, int max, const char *field, rm_why *why)
{
	if (v < 1 || v > max)
		return rm_fail(why, RM_EBADVALUE, "%s: unknown value %d",
		    field, v);
	return RM_OK;
}

static int
check_texts(const struct rm_alert *a, rm_why *why)
{
	char f[48];
	int rv;

	if (a->n_texts == 0 || a->texts == NULL)
		return rm_fail(why, RM_EBADVALUE,
		    "alert.texts: at least one text block required");
	if (a->n_texts > RM_ALERT_TEXTS_MAX)
		return rm_fail(why, RM_ETOOBIG, "alert.texts: %zu blocks, "
		    "limit %d", a->n_texts, RM_ALERT_TEXTS_MAX);
	for (size_t i = 0; i < a->n_texts; i++) {
		const struct rm_alert_text *t = &a->texts[i];
		/* lines: text of several lines (line feeds and tabs) */
		struct {
			const char *s, *key;
			size_t max;
			bool req, lines;
		} tf[] = {
			{ t->lang, "lang", RM_ALERT_LANG_MAX, true, false },
			{ t->event, "event", RM_ALERT_EVENT_MAX, true, false },
			{ t->headline, "headline", RM_ALERT_HEADLINE_MAX,
			    true, false },
			{ t->description, "desc", RM_ALERT_DESCRIPTION_MAX,
			    false, true },
			{ t->instruction, "instr", RM_ALERT_INSTRUCTION_MAX,
			    false, true },
			{ t->sender_name, "sender", RM_ALERT_SENDER_NAME_MAX,
			    false, false },
			{ t->area_desc, "areaDesc", RM_ALERT_AREA_DESC_MAX,
			    false, true },
		};

		for (size_t j = 0; j < sizeof(tf) / sizeof(tf[0]); j++) {
			snprintf(f, sizeof(f), "alert.texts[%zu].%s", i,
			    tf[j].key);
			if ((rv = check_text(tf[j].s, f, tf[j].max, tf[j].req,
			    why)) != RM_OK || (tf[j].s != NULL &&
			    (rv = sch_text_plain(tf[j].s, f, tf[j].lines, why)) !=
			    RM_OK))
				return rv;
		}
		if (!lang_valid(t->lang))
			return rm_fail(why, RM_EBADVALUE, "alert.texts[%zu]."
			    "lang: not a language tag (RFC 5646: 2-3 letters, "
			    "then subtags of 2-8 letters or digits, e.g. "
			    "zh-CN)", i);
		for (size_t j = 0; j < i; j++)
			if (strcasecmp(a->texts[j].lang, t->lang) == 0)
				return rm_fail(why, RM_EBADVALUE,
				    "alert.texts[%zu].lang: duplicate "
				    "language \"%s\"", i, t->lang);
	}
	return RM_OK;
}

static int
check_geometry(const struct rm_alert *a, rm_why *why)
{
	char f[48];
	int rv;

	if (a->n_polygon > RM_ALERT_POLYGON_MAX)
		return rm_fail(why, RM_ETOOBIG, "alert.polygon: %zu points, "
		    "limit %d", a->n_polygon, RM_ALERT_POLYGON_MAX);
	if (a->n_polygon > 0) {
		const struct rm_point *p = a->polygon, *q;

		if (a->n_polygon < 4 || p == NULL)
			return rm_fail(why, RM_EBADVALUE, "alert.polygon: %zu "
			    "points, need at least 4", a->n_polygon);
		for (size_t i = 0; i < a->n_polygon; i++) {
			snprintf(f, sizeof(f), "alert.polygon[%zu]", i);
			if ((rv = check_point(&p[i], f, why)) != RM_OK)
				return rv;
		}
		q = &p[a->n_polygon - 1];
		if (p->lat_udeg != q->lat_udeg || p->lon_udeg != q->lon_udeg)
			return rm_fail(why, RM_EBADVALUE, "alert.polygon: not "
			    "closed (first point != last point)");
	}
	if (a->has_circle) {
		if ((rv = check_point(&a->circle_centre, "alert.circle",
		    why)) != RM_OK)
			return rv;
		if (a->circle_radius_m == 0)
			return rm_fail(why, RM_EBADVALUE,
			    "alert.circle: radius must be > 0 m");
	}
	return RM_OK;
}

int
sch_alert_validate(const struct rm_alert *a, rm_utc_ms expires_ms, rm_why *why)
{
	char f[48];
	int rv;

	if ((rv = check_text(a->identifier, "alert.id",
	    RM_ALERT_IDENTIFIER_MAX, true, why)) != RM_OK)
		return rv;
	/* CAP 1.2 §3.2.1: no spaces, commas or restricted characters. */
	if (strpbrk(a->identifier, " ,<&") != NULL)
		return rm_fail(why, RM_EBADVALUE, "alert.id: contains space, "
		    "comma, '<' or '&'");
	if ((rv = check_enum(a->status, RM_STATUS_DRAFT, "alert.status",
	    why)) != RM_OK ||
	    (rv = check_enum(a->msg_type, RM_MSGTYPE_ERROR, "alert.msgType",
	    why)) != RM_OK)
		return rv;
	if (a->categories == 0)
		return rm_fail(why, RM_EBADVALUE,
		    "alert.cat: at least one category required");
	if ((a->categories & ~RM_CAT_ALL) != 0)
		return rm_fail(why, RM_EBADVALUE, "alert.cat: unknown "
		    "category bits 0x%lx",
		    (unsigned long)(a->categories & ~RM_CAT_ALL));
	if ((rv = check_enum(a->urgency, RM_URGENCY_UNKNOWN, "alert.urgency",
	    why)) != RM_OK ||
	    (rv = check_enum(a->severity, RM_SEVERITY_UNKNOWN,
	    "alert.severity", why)) != RM_OK ||
	    (rv = check_enum(a->certainty, RM_CERTAINTY_UNKNOWN,
	    "alert.certainty", why)) != RM_OK ||
	    (rv = check_enum(a->grade, RM_GRADE_RED, "alert.grade",
	    why)) != RM_OK)
		return rv;
	if (a->effective_ms < 0)
		return rm_fail(why, RM_EBADVALUE, "alert.effective: negative "
		    "time %lld", (long long)a->effective_ms);
	if (expires_ms != 0 && expires_ms <= a->effective_ms)
		return rm_fail(why, RM_EBADVALUE, "expires: %lld not after "
		    "alert.effective %lld", (long long)expires_ms,
		    (long long)a->effective_ms);
	if ((rv = check_texts(a, why)) != RM_OK ||
	    (rv = check_geometry(a, why)) != RM_OK)
		return rv;
	if (a->n_references > RM_ALERT_REFERENCES_MAX)
		return rm_fail(why, RM_ETOOBIG, "alert.refs: %zu references, "
		    "limit %d", a->n_references, RM_ALERT_REFERENCES_MAX);
	for (size_t i = 0; i < a->n_references; i++) {
		snprintf(f, sizeof(f), "alert.refs[%zu]", i);
		if (a->references == NULL)
			return rm_fail(why, RM_EMISSING, "%s: required", f);
		if ((rv = check_text(a->references[i], f,
		    RM_ALERT_REFERENCE_MAX, true, why)) != RM_OK)
			return rv;
	}
	return RM_OK;
}

/* A NUL-terminated string within a fixed array of cap bytes. */
static int
check_fixed(const char *s, size_t cap, const char *field, const char *what,
    bool (*valid)(const char *), rm_why *why)
{
	char q[160];
	const char *nul = memchr(s, '\0', cap);

	if (nul == NULL)
		return rm_fail(why, RM_ETOOBIG, "%s: longer than %zu bytes",
		    field, cap - 1);
	if (!valid(s)) {
		schemas_quote(s, (size_t)(nul - s), q);
		return rm_fail(why, RM_EBADVALUE, "%s: invalid %s %s", field,
		    what, q);
	}
	return RM_OK;
}

static int
check_areas(const struct rm_record *rec, rm_why *why)
{
	char f[32];
	int rv;

	if (rec->n_areas == 0)
		return rm_fail(why, RM_EBADVALUE,
		    "areas: at least one area code required");
	if (rec->n_areas > RM_AREAS_MAX)
		return rm_fail(why, RM_ETOOBIG, "areas: %zu codes, limit %d",
		    rec->n_areas, RM_AREAS_MAX);
	for (size_t i = 0; i < rec->n_areas; i++) {
		snprintf(f, sizeof(f), "areas[%zu]", i);
		if ((rv = check_fixed(rec->areas[i], RM_AREA_CODE_MAX + 1, f,
		    "area code", area_code_valid, why)) != RM_OK)
			return rv;
		if (i > 0 && strcmp(rec->areas[i - 1], rec->areas[i]) >= 0)
			return rm_fail(why, RM_EBADVALUE, "%s: \"%s\" not "
			    "after \"%s\" (must be sorted and unique)", f,
			    rec->areas[i], rec->areas[i - 1]);
	}
	return RM_OK;
}

/* ["to"] and the encrypted body of a restricted record. */
static int
check_to(const struct rm_record *rec, rm_why *why)
{
	char f[32];
	int rv;

	if (rec->n_to > RM_RECORD_TO_MAX)
		return rm_fail(why, RM_ETOOBIG, "to: %zu recipients, limit %d",
		    rec->n_to, RM_RECORD_TO_MAX);
	if (rec->to == NULL)
		return rm_fail(why, RM_EINVAL, "to: NULL");
	for (size_t i = 0; i < rec->n_to; i++) {
		snprintf(f, sizeof(f), "to[%zu]", i);
		if ((rv = check_fixed(rec->to[i], sizeof(rec->to[i]), f,
		    "agency id", agency_id_valid, why)) != RM_OK)
			return rv;
		if (i > 0 && strcmp(rec->to[i - 1], rec->to[i]) >= 0)
			return rm_fail(why, RM_EBADVALUE, "%s: \"%s\" not "
			    "after \"%s\" (must be sorted and unique)", f,
			    rec->to[i], rec->to[i - 1]);
	}
	if (rec->enc == NULL || rec->enc_len == 0)
		return rm_fail(why, RM_EMISSING, "body: a restricted record "
		    "needs its COSE_Encrypt");
	if (rec->enc_len > RM_RECORD_BODY_MAX)
		return rm_fail(why, RM_ETOOBIG, "body: COSE_Encrypt %zu bytes, "
		    "limit %d", rec->enc_len, RM_RECORD_BODY_MAX);
	return RM_OK;
}

int
record_validate(const struct rm_record *rec, rm_why *why)
{
	int rv;

	if (rec == NULL)
		return rm_fail(why, RM_EINVAL, "record: NULL");
	if (rec->schema_version != RM_SCHEMA_VERSION)
		return rm_fail(why, RM_EUNKNOWN, "v: unknown schema version "
		    "%lu", (unsigned long)rec->schema_version);
	if (rec->kind == NULL || kind_index(rec->kind) < 0)
		return rm_fail(why, RM_EUNKNOWN, "kind: %s", rec->kind == NULL ?
		    "none" : "not a registered kind");
	if ((rv = check_fixed(rec->origin, sizeof(rec->origin), "origin",
	    "agency id", agency_id_valid, why)) != RM_OK ||
	    (rv = check_fixed(rec->object_id, sizeof(rec->object_id), "oid",
	    "object id", object_id_valid, why)) != RM_OK)
		return rv;
	if (rec->ver < 1)
		return rm_fail(why, RM_EBADVALUE, "ver: 0, must be >= 1");
	if (rec->seq < 1)
		return rm_fail(why, RM_EBADVALUE, "seq: 0, must be >= 1");
	if (rec->issued_ms < 0)
		return rm_fail(why, RM_EBADVALUE, "issued: negative time %lld",
		    (long long)rec->issued_ms);
	if (rec->expires_ms < 0)
		return rm_fail(why, RM_EBADVALUE, "expires: negative time "
		    "%lld", (long long)rec->expires_ms);
	if ((rv = check_areas(rec, why)) != RM_OK)
		return rv;
	if (rec->seq > 1 && !rec->has_prev)
		return rm_fail(why, RM_EMISSING, "prev: required when seq > 1");
	if (rec->seq == 1 && rec->has_prev)
		return rm_fail(why, RM_EBADVALUE,
		    "prev: must be absent when seq == 1");
	if (rec->n_to > 0) {
		if ((rv = check_to(rec, why)) != RM_OK)
			return rv;
		/* not decrypted here: nothing more to check */
		if (rec->body == NULL)
			return RM_OK;
	}
	if (rec->body == NULL)
		return rm_fail(why, RM_EMISSING, "body: required");
	return rec->kind->validate(rec, why);
}
