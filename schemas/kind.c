/*
 * kind.c -- the record kind registry (schemas.h, "the kind registry").
 *
 * A fixed array of RM_KINDS_MAX entries filled in registration order,
 * built-in kinds first. Registration happens at start-up, before other
 * threads decode; readers load the count with acquire order and never
 * lock, so a lookup on the decode path costs a short linear scan.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "schemas/schemas_int.h"

static const struct rm_kind_ops *kinds[RM_KINDS_MAX] = {
	&rm_kind_alert, &rm_kind_agency, &rm_kind_fork_resolution,
	&rm_kind_risk, &rm_kind_task, &rm_kind_ack, &rm_kind_escalation,
	&rm_kind_indicator_def, &rm_kind_indicator, &rm_kind_proposal,
};
static atomic_uint nkinds = 10;

static bool
name_valid(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > RM_KIND_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((s[i] < 'a' || s[i] > 'z') && (i == 0 || s[i] != '_'))
			return false;
	return true;
}

int
kind_register(const struct rm_kind_ops *ops, rm_why *why)
{
	unsigned n = atomic_load_explicit(&nkinds, memory_order_acquire);

	if (ops == NULL)
		return rm_fail(why, RM_EINVAL, "kind: no operations");
	if (!name_valid(ops->name))
		return rm_fail(why, RM_EINVAL, "kind: name must be 1..%d of "
		    "[a-z_], the first a letter", RM_KIND_NAME_MAX);
	if (ops->encode == NULL || ops->decode == NULL ||
	    ops->validate == NULL || ops->fini == NULL || ops->body_size == 0)
		return rm_fail(why, RM_EINVAL, "kind %s: encode, decode, "
		    "validate, fini and body_size are required", ops->name);
	for (unsigned i = 0; i < n; i++) {
		if (kinds[i] == ops)
			return RM_OK;
		if (strcmp(kinds[i]->name, ops->name) == 0)
			return rm_fail(why, RM_EEXIST, "kind %s: already "
			    "registered", ops->name);
	}
	if (n == RM_KINDS_MAX)
		return rm_fail(why, RM_ETOOBIG, "kind %s: registry full (%d "
		    "kinds)", ops->name, RM_KINDS_MAX);
	kinds[n] = ops;
	atomic_store_explicit(&nkinds, n + 1, memory_order_release);
	return RM_OK;
}

const struct rm_kind_ops *
kind_find(const char *name, size_t len)
{
	unsigned n = atomic_load_explicit(&nkinds, memory_order_acquire);

	if (name == NULL)
		return NULL;
	for (unsigned i = 0; i < n; i++)
		if (strlen(kinds[i]->name) == len &&
		    memcmp(kinds[i]->name, name, len) == 0)
			return kinds[i];
	return NULL;
}

const struct rm_kind_ops *
kind_at(unsigned i)
{
	if (i >= atomic_load_explicit(&nkinds, memory_order_acquire))
		return NULL;
	return kinds[i];
}

int
kind_index(const struct rm_kind_ops *ops)
{
	unsigned n = atomic_load_explicit(&nkinds, memory_order_acquire);

	for (unsigned i = 0; i < n; i++)
		if (kinds[i] == ops)
			return (int)i;
	return -1;
}

rm_kind_set
kind_set_all(void)
{
	unsigned n = atomic_load_explicit(&nkinds, memory_order_acquire);

	return n >= 32 ? ~(rm_kind_set)0 : ((rm_kind_set)1u << n) - 1;
}

size_t
kind_set_names(rm_kind_set s, const char **out, size_t max)
{
	unsigned n = atomic_load_explicit(&nkinds, memory_order_acquire);
	size_t count = 0;

	for (unsigned i = 0; i < n; i++) {
		size_t j;

		if (!(s & ((rm_kind_set)1u << i)))
			continue;
		if (count < max) {
			/* insertion sort: at most RM_KINDS_MAX names */
			j = count;
			while (j > 0 && strcmp(out[j - 1], kinds[i]->name) > 0) {
				out[j] = out[j - 1];
				j--;
			}
			out[j] = kinds[i]->name;
		}
		count++;
	}
	return count;
}

bool
record_restricted(const struct rm_record *rec)
{
	return rec != NULL && rec->n_to > 0;
}

struct rm_alert *
record_alert(const struct rm_record *rec)
{
	if (rec == NULL || rec->kind != &rm_kind_alert)
		return NULL;
	return rec->body;
}

struct rm_fork_ref *
record_fork_resolution(const struct rm_record *rec)
{
	if (rec == NULL || rec->kind != &rm_kind_fork_resolution)
		return NULL;
	return rec->body;
}

bool
record_in_force(const struct rm_record *rec, rm_utc_ms now)
{
	if (rec == NULL || rec->kind == NULL)
		return false;
	/* restricted: the content is unknown to most nodes, so every node
	 * keeps every version until its expiry (docs/PROTOCOL.md §6a) */
	if (rec->n_to == 0 && (rec->body == NULL ||
	    rec->kind->in_force == NULL || !rec->kind->in_force(rec)))
		return false;
	return rec->expires_ms == 0 || now < rec->expires_ms;
}

void
record_summary(const struct rm_record *rec, char *out, size_t len)
{
	if (out == NULL || len == 0)
		return;
	if (rec == NULL || rec->kind == NULL) {
		snprintf(out, len, "?");
		return;
	}
	if (rec->n_to > 0) {
		snprintf(out, len, "%s %s (restricted to %zu)",
		    rec->kind->name, rec->object_id, rec->n_to);
		return;
	}
	if (rec->kind->summary != NULL && rec->body != NULL) {
		rec->kind->summary(rec, out, len);
		return;
	}
	snprintf(out, len, "%s %s", rec->kind->name, rec->object_id);
}
