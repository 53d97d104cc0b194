/*
 * req_util.c -- typed access to the members of a request's JSON body
 * (jansson), for req_alert.c and the cancel route. Every refusal is
 * rm_fail_at() with the member's path; the HTTP status follows from the
 * rm_err (http_status_for: EMALFORMED, EMISSING, EUNKNOWN 400;
 * EBADVALUE, ETOOBIG 422; ENOMEM 500).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "node/http/http_int.h"

/* 400 EUNKNOWN for the first key of obj not in allowed. */
int
req_check_keys(json_t *obj, const char *const *allowed, const char *prefix,
    rm_why *why)
{
	const char *key;
	json_t *v;
	char f[RM_WHY_FIELD_MAX];

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
			return rm_fail_at(why, RM_EUNKNOWN, f,
			    "set by the node, not by the request");
		return rm_fail_at(why, RM_EUNKNOWN, f, "unknown field");
	}
	return RM_OK;
}

/*
 * A string field: NULL if absent and optional; 400 if missing and
 * required or not a string; 422 if empty or longer than max bytes.
 */
int
req_get_str(json_t *obj, const char *key, const char *field, bool required,
    size_t max, const char **out, rm_why *why)
{
	json_t *v = json_object_get(obj, key);
	size_t n;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return rm_fail_at(why, RM_EMISSING, field, "required");
		return RM_OK;
	}
	if (!json_is_string(v))
		return rm_fail_at(why, RM_EMALFORMED, field,
		    "must be a JSON string");
	n = json_string_length(v);
	if (n == 0)
		return rm_fail_at(why, RM_EBADVALUE, field,
		    "must not be empty");
	if (n > max)
		return rm_fail_at(why, RM_ETOOBIG, field,
		    "%zu bytes, at most %zu", n, max);
	if (strlen(json_string_value(v)) != n)
		return rm_fail_at(why, RM_EBADVALUE, field,
		    "must not contain NUL");
	*out = json_string_value(v);
	return RM_OK;
}

int
req_dup_str(const char *s, const char *field, char **out, rm_why *why)
{
	*out = NULL;
	if (s == NULL)
		return RM_OK;
	if ((*out = strdup(s)) == NULL)
		return rm_fail_at(why, RM_ENOMEM, field, "out of memory");
	return RM_OK;
}

/* Array field: 400 if missing (required) or not an array; 422 if it has
 * fewer than min or more than max elements. *out NULL if absent. */
int
req_get_array(json_t *obj, const char *key, bool required, size_t min,
    size_t max, json_t **out, rm_why *why)
{
	json_t *v = json_object_get(obj, key);
	size_t n;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return rm_fail_at(why, RM_EMISSING, key, "required");
		return RM_OK;
	}
	if (!json_is_array(v))
		return rm_fail_at(why, RM_EMALFORMED, key,
		    "must be a JSON array");
	n = json_array_size(v);
	if (n < min)
		return rm_fail_at(why, RM_EBADVALUE, key,
		    "needs at least %zu element%s", min, min == 1 ? "" : "s");
	if (n > max)
		return rm_fail_at(why, RM_ETOOBIG, key,
		    "%zu elements, at most %zu", n, max);
	*out = v;
	return RM_OK;
}


int
req_str_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

const char *
req_json_error_text(const json_error_t *jerr)
{
	if (strstr(jerr->text, "JSON_ALLOW_NUL") != NULL)
		return "a NUL character (\\u0000) is not allowed";
	return jerr->text;
}

int
req_json_object(const char *body, size_t len, json_t **root, rm_why *why)
{
	json_error_t jerr;

	if ((*root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL)
		return rm_fail_at(why, RM_EMALFORMED, "", "not JSON: %s (line "
		    "%d, column %d)", req_json_error_text(&jerr), jerr.line,
		    jerr.column);
	if (!json_is_object(*root))
		return rm_fail_at(why, RM_EMALFORMED, "", "the body must be a "
		    "JSON object");
	return RM_OK;
}

void
http_media_type(const char *ct, char out[64])
{
	size_t k = 0;

	out[0] = '\0';
	if (ct == NULL)
		return;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	for (; *ct != '\0' && *ct != ';' && *ct != ' ' && *ct != '\t' &&
	    k < 63; ct++)
		out[k++] = (char)tolower((unsigned char)*ct);
	out[k] = '\0';
}

bool
http_media_is(const char *ct, const char *type)
{
	char mt[64];

	http_media_type(ct, mt);
	return mt[0] != '\0' && strcmp(mt, type) == 0;
}
