/*
 * task_util.c -- what the kinds of task dispatch share (task_int.h):
 * task references and the deterministic object ids of acks and escalations.
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
		rv = i == 0 ? sch_dec_fixed(rd, f, r->oid, sizeof(r->oid), why) :
		    sch_dec_fixed(rd, f, r->origin, sizeof(r->origin), why);
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
