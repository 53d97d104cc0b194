/*
 * foreign.c -- trust in foreign federations, for their areas only
 * (docs/PROTOCOL.md §12.1): area lists, the area restriction of a
 * foreign record, foreign charters, and verification against the home
 * roster or one foreign roster.
 */
#include <stdio.h>
#include <string.h>

#include "federation/trust/trust_int.h"

int
trust_areas_parse(const char *list, struct trust_areas *out, rm_why *why)
{
	struct trust_areas a;
	const char *p = list, *end;
	char code[RM_AREA_CODE_MAX + 1];
	size_t n;

	memset(&a, 0, sizeof(a));
	if (list == NULL || *list == '\0')
		return rm_fail(why, RM_EBADVALUE, "areas: empty list");
	for (;;) {
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n == 0)
			return rm_fail(why, RM_EBADVALUE, "areas: empty item "
			    "in \"%s\"", list);
		if (n > RM_AREA_CODE_MAX || strspn(p, "0123456789") < n)
			return rm_fail(why, RM_EBADVALUE, "areas: \"%.*s\" is "
			    "not an area code", (int)(n > 32 ? 32 : n), p);
		memcpy(code, p, n);
		code[n] = '\0';
		if (n == 2 || n == 4) {         /* shorthand: "11" */
			memset(code + n, '0', 6 - n);
			code[6] = '\0';
		}
		if (!area_code_valid(code))
			return rm_fail(why, RM_EBADVALUE, "areas: \"%s\" is not "
			    "an area code (6, 9 or 12 digits, or 2 or 4)",
			    code);
		bool dup = false;
		for (size_t i = 0; i < a.n; i++)
			dup = dup || strcmp(a.code[i], code) == 0;
		if (!dup) {
			if (a.n == TRUST_AREAS_MAX)
				return rm_fail(why, RM_ETOOBIG, "areas: more "
				    "than %d", TRUST_AREAS_MAX);
			memcpy(a.code[a.n++], code, sizeof(code));
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	*out = a;
	return RM_OK;
}

void
trust_areas_format(const struct trust_areas *a, char *out, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < a->n && off < len; i++) {
		int k = snprintf(out + off, len - off, "%s%s", i ? "," : "",
		    a->code[i]);
		if (k < 0)
			break;
		off += (size_t)k;
	}
}

bool
trust_areas_contain(const struct trust_areas *a, const char *area)
{
	for (size_t i = 0; i < a->n; i++)
		if (area_contains(a->code[i], area))
			return true;
	return false;
}

bool
trust_areas_contain_agency(const struct trust_areas *a, const char *id)
{
	char code[RM_AREA_CODE_MAX + 1];
	const char *dot = id != NULL ? strchr(id, '.') : NULL;
	size_t n;

	if (dot == NULL || (n = (size_t)(dot - id)) > RM_AREA_CODE_MAX)
		return false;
	memcpy(code, id, n);
	code[n] = '\0';
	return trust_areas_contain(a, code);
}

int
trust_areas_check_record(const struct trust_areas *a,
    const struct rm_record *rec, rm_why *why)
{
	char list[TRUST_AREAS_MAX * (RM_AREA_CODE_MAX + 1) + 1];

	trust_areas_format(a, list, sizeof(list));
	if (!trust_areas_contain_agency(a, rec->origin))
		return rm_fail(why, RM_EUNAUTH, "origin %s outside the areas "
		    "%s", rec->origin, list);
	for (size_t i = 0; i < rec->n_areas; i++)
		if (!trust_areas_contain(a, rec->areas[i]))
			return rm_fail(why, RM_EUNAUTH, "area %s outside the "
			    "areas %s", rec->areas[i], list);
	return RM_OK;
}

void
trust_roster_areas(const struct roster *r, struct trust_areas *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < roster_count(r); i++) {
		const struct roster_agency *a = roster_at(r, i);

		if (a->registrar[0] != '\0' || !roster_is_registrar(a))
			continue;
		for (size_t k = 0; k < a->n_areas; k++) {
			if (trust_areas_contain(out, a->areas[k]))
				continue;
			if (out->n == TRUST_AREAS_MAX)
				return;
			memcpy(out->code[out->n++], a->areas[k],
			    sizeof(out->code[0]));
		}
	}
}

int
trust_foreign_init(struct trust_foreign *tf, const char *name,
    const crypto_key *root, const char *areas, rm_why *why)
{
	struct trust_foreign t;
	rm_why w;
	int rv;

	memset(&t, 0, sizeof(t));
	if (name == NULL || name[0] == '\0' ||
	    strlen(name) > ROSTER_FED_NAME_MAX)
		return rm_fail(why, RM_EBADVALUE, "foreign federation name: "
		    "1..%d bytes", ROSTER_FED_NAME_MAX);
	memcpy(t.name, name, strlen(name) + 1);
	if ((rv = trust_areas_parse(areas, &t.areas, &w)) != RM_OK)
		return rm_fail(why, rv, "foreign federation %s: %s", name,
		    w.msg);
	if (crypto_key_kid(root, &t.root_kid) != RM_OK)
		return rm_fail(why, RM_ECRYPTO, "foreign federation %s: root "
		    "key", name);
	t.root = root;
	*tf = t;
	return RM_OK;
}

int
trust_signed_kid(const uint8_t *p, size_t n, rm_hash *kid, rm_why *why)
{
	struct cose_sign1 msg;
	int rv;

	if (n > COSE_SIGN1_MAX)
		return rm_fail(why, RM_ETOOBIG, "COSE_Sign1: %zu bytes, limit "
		    "%d", n, COSE_SIGN1_MAX);
	if ((rv = cose_sign1_decode(p, n, &msg, why)) != RM_OK)
		return rv;
	*kid = msg.kid;
	return RM_OK;
}

int
trust_foreign_charter_open(const struct trust_foreign *tf, const uint8_t *p,
    size_t n, struct roster **out, rm_why *why)
{
	struct roster *r;
	int rv;

	if ((rv = roster_open(p, n, tf->root, &r, why)) != RM_OK)
		return rv;
	if (strcmp(roster_federation(r), tf->name) != 0) {
		rv = rm_fail(why, RM_EUNAUTH, "roster of federation \"%s\" "
		    "signed by the root of %s", roster_federation(r),
		    tf->name);
		roster_free(r);
		return rv;
	}
	*out = r;
	return RM_OK;
}

int
fed_record_open_trusted(const struct roster *home,
    const struct trust_foreign *fs, size_t nf, const uint8_t *p, size_t n,
    struct fed_record *out, int *which, bool *outside, rm_why *why)
{
	struct cose_sign1 msg;
	rm_why w;
	int rv;

	if (which != NULL)
		*which = TRUST_NONE;
	if (outside != NULL)
		*outside = false;
	memset(out, 0, sizeof(*out));
	if (n > COSE_SIGN1_MAX)
		return rm_fail(why, RM_ETOOBIG, "record: %zu bytes, limit %d",
		    n, COSE_SIGN1_MAX);
	if ((rv = cose_sign1_decode(p, n, &msg, &w)) != RM_OK)
		return rm_fail(why, rv, "record envelope: %s", w.msg);
	if (nf == 0 || roster_find_kid(home, &msg.kid, NULL) != NULL) {
		if (which != NULL)
			*which = TRUST_HOME;
		return fed_record_open(home, p, n, out, why);
	}
	for (size_t i = 0; i < nf; i++) {
		if (fs[i].roster == NULL ||
		    roster_find_kid(fs[i].roster, &msg.kid, NULL) == NULL)
			continue;
		if (which != NULL)
			*which = (int)i;
		if ((rv = fed_record_open(fs[i].roster, p, n, out, &w)) !=
		    RM_OK)
			return rm_fail(why, rv, "foreign record of %s: %s",
			    fs[i].name, w.msg);
		/* An agency id of this federation is this federation's: a
		 * foreign root that names it (two logs of one origin would
		 * be a fork here) is refused like a foreign area. */
		if (roster_find(home, out->rec.origin) != NULL)
			rv = rm_fail(&w, RM_EUNAUTH, "origin %s is an agency "
			    "of this federation", out->rec.origin);
		else
			rv = trust_areas_check_record(&fs[i].areas, &out->rec,
			    &w);
		if (rv != RM_OK) {
			rm_fail(why, rv, "foreign record of %s from %s seq "
			    "%llu: %s", fs[i].name, out->rec.origin,
			    (unsigned long long)out->rec.seq, w.msg);
			fed_record_fini(out);
			if (outside != NULL)
				*outside = true;
			return rv;
		}
		return RM_OK;
	}
	/* Unknown everywhere: the home roster's refusal says so. */
	return fed_record_open(home, p, n, out, why);
}
