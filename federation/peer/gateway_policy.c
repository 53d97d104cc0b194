/*
 * gateway_policy.c -- export policies of gateway links (gateway.h,
 * docs/PROTOCOL.md §12.4): parse, print, decide.
 */
#include <stdio.h>
#include <string.h>

#include "federation/peer/peer.h"

/* One comma-separated list term into items of at most max_len bytes. */
static int
parse_list(const char *key, const char *v, size_t vn, size_t max_items,
    size_t max_len, void (*put)(void *arg, const char *item), void *arg,
    rm_why *why)
{
	char item[128];
	size_t off = 0, count = 0;

	if (vn == 0)
		return rm_fail(why, RM_EBADVALUE, "policy %s: empty", key);
	while (off <= vn) {
		const char *c = memchr(v + off, ',', vn - off);
		size_t n = c != NULL ? (size_t)(c - (v + off)) : vn - off;

		if (n == 0 || n > max_len || n >= sizeof(item))
			return rm_fail(why, RM_EBADVALUE, "policy %s: bad item "
			    "\"%.*s\"", key, (int)(n > 64 ? 64 : n), v + off);
		if (++count > max_items)
			return rm_fail(why, RM_ETOOBIG, "policy %s: more than "
			    "%zu", key, max_items);
		memcpy(item, v + off, n);
		item[n] = '\0';
		put(arg, item);
		off += n + 1;
	}
	return RM_OK;
}

struct kinds_arg { rm_kind_set set; char bad[RM_KIND_NAME_MAX + 2]; };

static void
put_kind(void *arg, const char *item)
{
	struct kinds_arg *k = arg;
	const struct rm_kind_ops *ops = kind_find(item, strlen(item));

	if (ops == NULL) {
		if (k->bad[0] == '\0')
			snprintf(k->bad, sizeof(k->bad), "%s", item);
		return;
	}
	k->set |= (rm_kind_set)1u << kind_index(ops);
}

struct agencies_arg { struct gateway_policy *p; bool bad; };

static void
put_agency(void *arg, const char *item)
{
	struct agencies_arg *a = arg;

	if (!agency_id_valid(item)) {
		a->bad = true;
		return;
	}
	for (size_t i = 0; i < a->p->n_agencies; i++)
		if (strcmp(a->p->agencies[i], item) == 0)
			return;
	snprintf(a->p->agencies[a->p->n_agencies++], RM_AGENCY_ID_MAX + 1,
	    "%s", item);
}

int
gateway_policy_parse(const char *text, struct gateway_policy *out,
    rm_why *why)
{
	struct gateway_policy p;
	const char *s = text;
	bool seen[4] = { false, false, false, false };
	static const char *const keys[4] = { "kinds", "areas", "grade",
		"agencies" };
	int rv;

	memset(&p, 0, sizeof(p));
	if (text == NULL || out == NULL)
		return rm_fail(why, RM_EINVAL, "policy: no text");
	if (strlen(text) > GATEWAY_POLICY_MAX)
		return rm_fail(why, RM_ETOOBIG, "policy: over %d bytes",
		    GATEWAY_POLICY_MAX);
	while (*s != '\0') {
		const char *sp = strchr(s, ' ');
		size_t n = sp != NULL ? (size_t)(sp - s) : strlen(s);
		const char *eq = memchr(s, '=', n);
		size_t kn, vn;
		int k = -1;

		if (eq == NULL)
			return rm_fail(why, RM_EBADVALUE, "policy: \"%.*s\" is "
			    "not KEY=VALUE", (int)(n > 64 ? 64 : n), s);
		kn = (size_t)(eq - s);
		vn = n - kn - 1;
		for (int i = 0; i < 4; i++)
			if (strlen(keys[i]) == kn &&
			    memcmp(keys[i], s, kn) == 0)
				k = i;
		if (k < 0)
			return rm_fail(why, RM_EBADVALUE, "policy: unknown term "
			    "\"%.*s\" (kinds, areas, grade, agencies)",
			    (int)(kn > 32 ? 32 : kn), s);
		if (seen[k])
			return rm_fail(why, RM_EBADVALUE, "policy: %s given "
			    "twice", keys[k]);
		seen[k] = true;
		if (k == 0) {
			struct kinds_arg ka = { 0, "" };

			if ((rv = parse_list("kinds", eq + 1, vn, RM_KINDS_MAX,
			    RM_KIND_NAME_MAX, put_kind, &ka, why)) != RM_OK)
				return rv;
			if (ka.bad[0] != '\0')
				return rm_fail(why, RM_EBADVALUE, "policy kinds: "
				    "unknown kind \"%s\"", ka.bad);
			p.kinds = ka.set;
		} else if (k == 1) {
			char list[TRUST_AREAS_MAX * (RM_AREA_CODE_MAX + 1) + 1];
			rm_why w;

			if (vn >= sizeof(list))
				return rm_fail(why, RM_ETOOBIG, "policy areas: "
				    "too long");
			memcpy(list, eq + 1, vn);
			list[vn] = '\0';
			if ((rv = trust_areas_parse(list, &p.areas, &w)) !=
			    RM_OK)
				return rm_fail(why, rv, "policy %s", w.msg);
		} else if (k == 2) {
			char g[16];

			if (vn == 0 || vn >= sizeof(g))
				return rm_fail(why, RM_EBADVALUE, "policy grade: "
				    "blue, yellow, orange or red");
			memcpy(g, eq + 1, vn);
			g[vn] = '\0';
			if (grade_parse(g, &p.min_grade) != RM_OK)
				return rm_fail(why, RM_EBADVALUE, "policy grade: "
				    "\"%s\" is not blue, yellow, orange or "
				    "red", g);
		} else {
			struct agencies_arg aa = { &p, false };

			if ((rv = parse_list("agencies", eq + 1, vn,
			    GATEWAY_AGENCIES_MAX, RM_AGENCY_ID_MAX, put_agency,
			    &aa, why)) != RM_OK)
				return rv;
			if (aa.bad)
				return rm_fail(why, RM_EBADVALUE, "policy "
				    "agencies: not an agency id (%s)",
				    RM_AGENCY_ID_RULE);
		}
		if (sp == NULL)
			break;
		s = sp + 1;
		if (*s == '\0' || *s == ' ')
			return rm_fail(why, RM_EBADVALUE, "policy: terms are "
			    "separated by one space");
	}
	if (!seen[0] || p.kinds == 0)
		return rm_fail(why, RM_EBADVALUE, "policy: kinds= is required");
	*out = p;
	return RM_OK;
}

void
gateway_policy_format(const struct gateway_policy *p, char *out, size_t len)
{
	const char *names[RM_KINDS_MAX];
	size_t nk = kind_set_names(p->kinds, names, RM_KINDS_MAX), off = 0;
	char areas[TRUST_AREAS_MAX * (RM_AREA_CODE_MAX + 1) + 1];
	int k;

	if (len == 0)
		return;
	out[0] = '\0';
#define GP_PUT(...) do { \
	if (off < len && (k = snprintf(out + off, len - off, __VA_ARGS__)) > 0) \
		off += (size_t)k; \
} while (0)
	GP_PUT("kinds=");
	for (size_t i = 0; i < nk && i < RM_KINDS_MAX; i++)
		GP_PUT("%s%s", i ? "," : "", names[i]);
	if (p->areas.n > 0) {
		trust_areas_format(&p->areas, areas, sizeof(areas));
		GP_PUT(" areas=%s", areas);
	}
	if (p->min_grade != 0)
		GP_PUT(" grade=%s", grade_name(p->min_grade));
	for (size_t i = 0; i < p->n_agencies; i++)
		GP_PUT("%s%s", i ? "," : " agencies=", p->agencies[i]);
#undef GP_PUT
}

static bool
origin_named(const struct gateway_policy *p, const struct rm_record *rec)
{
	for (size_t i = 0; i < p->n_agencies; i++) {
		if (strcmp(p->agencies[i], rec->origin) == 0)
			return true;
		/* an agency record describes the agency it is for (oid) */
		if (strcmp(rec->kind->name, "agency") == 0 &&
		    strcmp(p->agencies[i], rec->object_id) == 0)
			return true;
	}
	return false;
}

int
gateway_policy_check(const struct gateway_policy *p,
    const struct rm_record *rec, const struct trust_areas *far, rm_why *why)
{
	int ki = kind_index(rec->kind);

	if (ki < 0 || (p->kinds & ((rm_kind_set)1u << ki)) == 0)
		return rm_fail(why, RM_EUNAUTH, "kind %s is not exported",
		    rec->kind != NULL ? rec->kind->name : "?");
	for (size_t i = 0; p->areas.n > 0 && i < rec->n_areas; i++)
		if (!trust_areas_contain(&p->areas, rec->areas[i]))
			return rm_fail(why, RM_EUNAUTH, "area %s is not "
			    "exported", rec->areas[i]);
	if (p->n_agencies > 0 && !origin_named(p, rec))
		return rm_fail(why, RM_EUNAUTH, "origin %s is not exported",
		    rec->origin);
	if (record_restricted(rec)) {
		for (size_t i = 0; far != NULL && i < rec->n_to; i++)
			if (trust_areas_contain_agency(far, rec->to[i]))
				return RM_OK;
		return rm_fail(why, RM_EUNAUTH, "restricted record: no "
		    "recipient on the far side");
	}
	if (p->min_grade != 0 && rec->kind->grade != NULL &&
	    rec->body != NULL) {
		rm_grade g = rec->kind->grade(rec);

		if (g != 0 && g < p->min_grade)
			return rm_fail(why, RM_EUNAUTH, "grade %s is below %s",
			    grade_name(g), grade_name(p->min_grade));
	}
	return RM_OK;
}

bool
gateway_policy_allows(const struct gateway_policy *p,
    const struct fed_record *fr, const struct trust_areas *far)
{
	return gateway_policy_check(p, &fr->rec, far, NULL) == RM_OK;
}
