/*
 * repr_int.h -- helpers shared by node/repr/json_*.c (not for other modules;
 * the public part is node/repr/repr.h). Every helper fills a
 * struct json_error naming the request field on failure and returns
 * its rm_err; e may be NULL.
 */
#ifndef RM_NODE_REPR_INT_H
#define RM_NODE_REPR_INT_H

#include "node/repr/repr.h"

/* 400 EUNKNOWN for the first key of obj not in the NULL-terminated
 * allowed list; prefix ("texts[0].") is put before the key in the
 * reported path. Node-set fields get their own reason. */
int json_check_keys(json_t *obj, const char *const *allowed,
    const char *prefix, struct json_error *e);

/* A string member: *out NULL if absent (or null) and optional; 400 if
 * missing and required or not a string; 422 if empty, longer than max
 * bytes or holding NUL. *out borrows from obj. */
int json_get_str(json_t *obj, const char *key, const char *field,
    bool required, size_t max, const char **out, struct json_error *e);

/* strdup for the record (NULL stays NULL); 500 ENOMEM. */
int json_dup_str(const char *s, const char *field, char **out,
    struct json_error *e);

/* An array member: *out NULL if absent and optional; 400 if missing and
 * required or not an array; 422 if it has fewer than min or more than
 * max elements (ETOOBIG above max). */
int json_get_array(json_t *obj, const char *key, bool required, size_t min,
    size_t max, json_t **out, struct json_error *e);

#endif /* RM_NODE_REPR_INT_H */
