/*
 * json_util.c -- JSON request helpers shared by node/json_*.c and the
 * node's routes: errors naming the request field, typed field access.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/json_int.h"

/* Top-level request field of a path: "texts[1].lang" -> "texts". */
static void
top_field(const char *path, char *out, size_t n)
{
	size_t k = strcspn(path, "[.");

	snprintf(out, n, "%.*s", (int)k, path);
}

int
json_fail(struct json_error *e, int status, int err, const char *path,
    const char *fmt, ...)
{
	va_list ap;
	size_t off = 0;

	if (e == NULL)
		return err;
	if (path == NULL)
		path = "";
	e->status = status;
	e->err = err;
	top_field(path, e->field, sizeof(e->field));
	if (strcmp(e->field, path) != 0)
		off = (size_t)snprintf(e->reason, sizeof(e->reason), "%s: ",
		    path);
	if (off >= sizeof(e->reason))
		off = 0;
	va_start(ap, fmt);
	vsnprintf(e->reason + off, sizeof(e->reason) - off, fmt, ap);
	va_end(ap);
	return err;
}

/* Field names of schemas/ diagnostics -> names of the JSON request. */
static const struct {
	const char *schema, *json;
} field_map[] = {
	{ "id", "identifier" }, { "cat", "categories" },
	{ "refs", "references" }, { "oid", "object_id" },
	{ "type", "msg_type" }, { "msgtype", "msg_type" },
	{ "eff", "effective" }, { "lang", "texts" },
};

int
json_fail_why(struct json_error *e, int status, int err, const rm_why *why)
{
	const char *msg = why != NULL ? why->msg : "";
	const char *p = msg;
	size_t k;
	char field[JSON_FIELD_MAX];

	if (strncmp(p, "alert.", 6) == 0)
		p += 6;
	/* Only a leading "path: " names a field. */
	k = strcspn(p, " ");
	if (k < 2 || p[k - 1] != ':')
		k = 0;
	else
		k = strcspn(p, "[.:");
	if (k >= sizeof(field))
		k = 0;
	snprintf(field, sizeof(field), "%.*s", (int)k, p);
	for (size_t i = 0; i < sizeof(field_map) / sizeof(field_map[0]); i++)
		if (strcmp(field, field_map[i].schema) == 0)
			snprintf(field, sizeof(field), "%s", field_map[i].json);
	if (e == NULL)
		return err;
	e->status = status;
	e->err = err;
	snprintf(e->field, sizeof(e->field), "%s", field);
	snprintf(e->reason, sizeof(e->reason), "%s", msg);
	return err;
}

/* 400 EUNKNOWN for the first key of obj not in allowed. */
int
json_check_keys(json_t *obj, const char *const *allowed, const char *prefix,
    struct json_error *e)
{
	const char *key;
	json_t *v;
	char f[JSON_FIELD_MAX];

	json_object_foreach(obj, key, v) {
		size_t i;

		(void)v;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] != NULL)
			continue;
		snprintf(f, sizeof(f), "%s%.40s", prefix, key);
		if (prefix[0] == '\0' && (strcmp(key, "origin") == 0 ||
		    strcmp(key, "ver") == 0 || strcmp(key, "seq") == 0 ||
		    strcmp(key, "hash") == 0 || strcmp(key, "issued") == 0))
			return json_fail(e, 400, RM_EUNKNOWN, f,
			    "set by the node, not by the request");
		return json_fail(e, 400, RM_EUNKNOWN, f, "unknown field");
	}
	return RM_OK;
}

/*
 * A string field: NULL if absent and optional; 400 if missing and
 * required or not a string; 422 if empty or longer than max bytes.
 */
int
json_get_str(json_t *obj, const char *key, const char *field, bool required,
    size_t max, const char **out, struct json_error *e)
{
	json_t *v = json_object_get(obj, key);
	size_t n;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return json_fail(e, 400, RM_EMISSING, field, "required");
		return RM_OK;
	}
	if (!json_is_string(v))
		return json_fail(e, 400, RM_EMALFORMED, field,
		    "must be a JSON string");
	n = json_string_length(v);
	if (n == 0)
		return json_fail(e, 422, RM_EBADVALUE, field,
		    "must not be empty");
	if (n > max)
		return json_fail(e, 422, RM_ETOOBIG, field,
		    "%zu bytes, at most %zu", n, max);
	if (strlen(json_string_value(v)) != n)
		return json_fail(e, 422, RM_EBADVALUE, field,
		    "must not contain NUL");
	*out = json_string_value(v);
	return RM_OK;
}

int
json_dup_str(const char *s, const char *field, char **out, struct json_error *e)
{
	*out = NULL;
	if (s == NULL)
		return RM_OK;
	if ((*out = strdup(s)) == NULL)
		return json_fail(e, 500, RM_ENOMEM, field, "out of memory");
	return RM_OK;
}

/* Array field: 400 if missing (required) or not an array; 422 if it has
 * fewer than min or more than max elements. *out NULL if absent. */
int
json_get_array(json_t *obj, const char *key, bool required, size_t min,
    size_t max, json_t **out, struct json_error *e)
{
	json_t *v = json_object_get(obj, key);
	size_t n;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return json_fail(e, 400, RM_EMISSING, key, "required");
		return RM_OK;
	}
	if (!json_is_array(v))
		return json_fail(e, 400, RM_EMALFORMED, key,
		    "must be a JSON array");
	n = json_array_size(v);
	if (n < min)
		return json_fail(e, 422, RM_EBADVALUE, key,
		    "needs at least %zu element%s", min, min == 1 ? "" : "s");
	if (n > max)
		return json_fail(e, 422, RM_ETOOBIG, key,
		    "%zu elements, at most %zu", n, max);
	*out = v;
	return RM_OK;
}

