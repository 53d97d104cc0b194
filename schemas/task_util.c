/*
 * task_util.c -- what the kinds of task dispatch share (task_int.h):
 * task references, sorted agency lists, bounded text, enumerations,
 * and the deterministic object ids of acks and escalations.
 */
#include <stdio.h>
#include <string.h>

#include "schemas/task_int.h"

int
sch_task_ref_encode(const struct rm_task_ref *r, rm_buf *b)
{
	int rv;

	if ((rv = rm_cbor_put_map(b, 2)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "oid")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, r->oid)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "origin")) != RM_OK)
		return rv;
	return rm_cbor_put_cstr(b, r->origin);
}

static int
rd_fixed(rm_cbor_rd *rd, const char *field, char *out, size_t cap,
    rm_why *why)
{
	const char *p;
	size_t n;
	int rv;

	if ((rv = sch_dec_text(rd, field, cap - 1, &p, &n, why)) != RM_OK)
		return rv;
	memcpy(out, p, n);
	out[n] = '\0';
	return RM_OK;
}

int
sch_task_ref_decode(rm_cbor_rd *rd, const char *field, struct rm_task_ref *r,
    rm_why *why)
{
	static const char *const keys[] = { "oid", "origin" };
	rm_cbor_keys ks;
	char f[64];
	size_t n;
	int rv, i;

	if ((rv = sch_dec_map(rd, field, &n, why)) != RM_OK)
		return rv;
	if (n != 2)
		return rm_fail(why, RM_EMISSING, "%s: \"oid\" and \"origin\" "
		    "are required, got %zu fields", field, n);
	rm_cbor_keys_init(&ks);
	for (int k = 0; k < 2; k++) {
		if ((rv = sch_dec_key(rd, &ks, field, keys, 2, &i, why)) !=
		    RM_OK)
			return rv;
		snprintf(f, sizeof(f), "%s.%s", field, keys[i]);
		rv = i == 0 ? rd_fixed(rd, f, r->oid, sizeof(r->oid), why) :
		    rd_fixed(rd, f, r->origin, sizeof(r->origin), why);
		if (rv != RM_OK)
			return rv;
	}
	return RM_OK;
}

bool
task_id_valid(const char *s)
{
	return s != NULL && strlen(s) <= RM_TASK_ID_MAX && object_id_valid(s);
}

int
sch_task_ref_check(const struct rm_task_ref *r, const char *field,
    rm_why *why)
{
	if (!agency_id_valid(r->origin))
		return rm_fail(why, RM_EBADVALUE, "%s.origin: \"%.64s\" is not "
		    "an agency id (%s)", field, r->origin, RM_AGENCY_ID_RULE);
	if (!object_id_valid(r->oid))
		return rm_fail(why, RM_EBADVALUE, "%s.oid: \"%.64s\" is not an "
		    "object id", field, r->oid);
	return RM_OK;
}

int
sch_agency_list_encode(char (*ids)[RM_AGENCY_ID_MAX + 1], size_t n,
    rm_buf *b)
{
	int rv = rm_cbor_put_array(b, n);

	for (size_t i = 0; rv == RM_OK && i < n; i++)
		rv = rm_cbor_put_cstr(b, ids[i]);
	return rv;
}

int
sch_agency_list_decode(rm_cbor_rd *rd, const char *field,
    char (*ids)[RM_AGENCY_ID_MAX + 1], size_t max, size_t *n, rm_why *why)
{
	size_t m;
	int rv;

	if ((rv = sch_dec_array(rd, field, &m, why)) != RM_OK)
		return rv;
	if (m == 0 || m > max)
		return rm_fail(why, RM_EBADVALUE, "%s: 1..%zu agencies, got %zu",
		    field, max, m);
	for (size_t i = 0; i < m; i++)
		if ((rv = rd_fixed(rd, field, ids[i], sizeof(ids[i]), why)) !=
		    RM_OK)
			return rv;
	*n = m;
	return RM_OK;
}

int
sch_agency_list_check(char (*ids)[RM_AGENCY_ID_MAX + 1], size_t n,
    size_t max, const char *field, rm_why *why)
{
	if (n == 0 || n > max)
		return rm_fail(why, n == 0 ? RM_EMISSING : RM_EBADVALUE,
		    "%s: 1..%zu agencies, got %zu", field, max, n);
	for (size_t i = 0; i < n; i++) {
		if (!agency_id_valid(ids[i]))
			return rm_fail(why, RM_EBADVALUE, "%s[%zu]: \"%.64s\" is "
			    "not an agency id (%s)", field, i, ids[i],
			    RM_AGENCY_ID_RULE);
		if (i > 0 && strcmp(ids[i - 1], ids[i]) >= 0)
			return rm_fail(why, RM_EBADVALUE, "%s: not sorted or "
			    "repeated at [%zu] (%s)", field, i, ids[i]);
	}
	return RM_OK;
}

int
sch_text_check(const char *s, const char *field, size_t max, bool required,
    rm_why *why)
{
	size_t n;

	if (s == NULL && !required)
		return RM_OK;
	n = s != NULL ? strlen(s) : 0;
	if (n == 0 || n > max || !rm_utf8_valid(s, n))
		return rm_fail(why, n == 0 ? RM_EMISSING : RM_EBADVALUE,
		    "%s: 1..%zu bytes of UTF-8", field, max);
	return RM_OK;
}

int
sch_enum_find(const char *const *t, size_t n, const char *s)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(s, t[i]) == 0)
			return (int)i + 1;
	return 0;
}

int
sch_dec_enum(rm_cbor_rd *rd, const char *field, const char *const *t,
    size_t n, int *out, rm_why *why)
{
	char s[32];
	int rv;

	if ((rv = rd_fixed(rd, field, s, sizeof(s), why)) != RM_OK)
		return rv;
	if ((*out = sch_enum_find(t, n, s)) == 0)
		return rm_fail(why, RM_EBADVALUE, "%s: unknown value \"%s\"",
		    field, s);
	return RM_OK;
}

int
ack_object_id(const struct rm_task_ref *t, char *out)
{
	if (!agency_id_valid(t->origin) || !task_id_valid(t->oid))
		return RM_EBADVALUE;
	snprintf(out, RM_OBJECT_ID_MAX + 1, "ack:%s:%s", t->origin, t->oid);
	return RM_OK;
}

int
escalation_object_id(const struct rm_task_ref *t, char *out)
{
	if (!agency_id_valid(t->origin) || !task_id_valid(t->oid))
		return RM_EBADVALUE;
	snprintf(out, RM_OBJECT_ID_MAX + 1, "esc:%s", t->oid);
	return RM_OK;
}

bool
task_is_assignee(const struct rm_task *t, const char *agency)
{
	for (size_t i = 0; t != NULL && agency != NULL && i < t->n_assignees;
	    i++)
		if (strcmp(t->assignees[i], agency) == 0)
			return true;
	return false;
}
