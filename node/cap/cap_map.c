/*
 * cap_map.c -- a CAP 1.2 alert as a record draft of kind alert carrying
 * the whole message: the core from cap_model_core (schemas/cap_model.h),
 * the model itself as the body's "cap" entry.
 */
#include <stdlib.h>
#include <string.h>

#include "node/cap/cap_int.h"

int
cap_to_record(const struct cap_alert *c, const struct rm_record *base,
    struct rm_record *out, rm_why *why)
{
	struct rm_alert *a;
	rm_buf b = RM_BUF_INIT;
	int rv;

	if ((rv = cap_model_core(c, base, out, why)) != RM_OK)
		return rv;
	a = out->body;
	b.limit = RM_RECORD_ANY_MAX;
	if ((rv = cap_model_encode(c, &b)) != RM_OK) {
		if (rv == RM_ETOOBIG)
			rm_fail_at(why, rv, "alert", "the message is larger "
			    "than a record holds (%d bytes)",
			    RM_RECORD_ANY_MAX);
		else
			rm_fail_at(why, rv, "alert", "cannot encode the "
			    "message: %s", rm_strerror(rv));
		goto fail;
	}
	if ((a->cap = calloc(1, sizeof(*a->cap))) == NULL) {
		rv = rm_fail(why, RM_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rv = cap_model_decode(b.data, b.len, a->cap, why)) != RM_OK)
		goto fail;
	/* the kind's rules, the agreement of core and model included */
	if ((rv = out->kind->validate(out, why)) != RM_OK)
		goto fail;
	rm_buf_fini(&b);
	return RM_OK;
fail:
	rm_buf_fini(&b);
	record_fini(out);
	return rv;
}

int
cap_to_alert(const struct cap_alert *c, struct rm_record *out, rm_why *why)
{
	return cap_to_record(c, NULL, out, why);
}
