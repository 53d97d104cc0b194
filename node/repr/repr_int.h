/*
 * repr_int.h -- private to node/repr: the shapes of kinds kept in their
 * own files (repr_proposal.c).
 */
#ifndef RM_NODE_REPR_INT_H
#define RM_NODE_REPR_INT_H

#include "node/repr/repr.h"

/* Set key of o to v (consumed); false if either allocation failed. */
bool repr_put(json_t *o, const char *key, json_t *v);
/* A time as the API shows it, "…T…:…:….mmmZ" (a new JSON string). */
json_t *repr_time(rm_utc_ms t);

/* Add the fields of proposal p to o (docs/API.md "The proposal
 * shape"); false if an allocation failed. */
bool repr_put_proposal(json_t *o, const struct rm_proposal *p);

#endif /* RM_NODE_REPR_INT_H */
