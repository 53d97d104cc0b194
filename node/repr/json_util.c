/*
 * json_util.c -- JSON request helpers shared by node/repr/json_*.c and the
 * node's routes: errors naming the request field, typed field access.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/repr/repr_int.h"

/* Top-level request field of a path: "texts[1].lang" -> "texts". */
static void
top_field(const char *path, char *out, size_t n)
{
	size_t k = strcspn(path, "[.");

	snprintf(out, n, "%.*s", (int)k, path);
}

/* Length of the UTF-8 sequence led by c (1 for ASCII and bad leads). */
static size_t
utf8_len(unsigned char c)
{
	if (c >= 0xf0)
		return 4;
	if (c >= 0xe0)
		return 3;
	if (c >= 0xc0)
		return 2;
	return 1;
}

void
json_text_clean(const char *in, char *out, size_t outlen)
{
	static const char hx[] = "0123456789abcdef";
	char tmp[RM_WHY_MAX * 4];
	size_t i = 0, o = 0, n, cap;

	if (outlen == 0)
		return;
	/* Room for the text, without the NUL; units are never split. */
	cap = (outlen < sizeof(tmp) ? outlen : sizeof(tmp)) - 1;
	n = strlen(in);
	while (i < n) {
		unsigned char c = (unsigned char)in[i];
		size_t len = utf8_len(c);

		if (c >= 0x20 && c < 0x7f) {
			if (o + 1 > cap)
				break;
			tmp[o++] = (char)c;
			i++;
		} else if (c >= 0x80 && len > 1 && i + len <= n &&
		    rm_utf8_valid(in + i, len)) {
			if (o + len > cap)
				break;
			memcpy(tmp + o, in + i, len);
			o += len;
			i += len;
		} else {
			/* control character or a byte that is not UTF-8 */
			if (o + 4 > cap)
				break;
			tmp[o++] = '\\';
			tmp[o++] = 'x';
			tmp[o++] = hx[c >> 4];
			tmp[o++] = hx[c & 15];
			i++;
		}
	}
	memcpy(out, tmp, o);
	out[o] = '\0';
}

int
json_fail(struct json_error *e, int status, int err, const char *path,
    const char *fmt, ...)
{
	va_list ap;
	size_t off = 0;
	char field[JSON_FIELD_MAX];

	if (e == NULL)
		return err;
	if (path == NULL)
		path = "";
	e->status = status;
	e->err = err;
	top_field(path, field, sizeof(field));
	json_text_clean(field, e->field, sizeof(e->field));
	if (strcmp(field, path) != 0)
		off = (size_t)snprintf(e->reason, sizeof(e->reason), "%s: ",
		    path);
	if (off >= sizeof(e->reason))
		off = 0;
	va_start(ap, fmt);
	vsnprintf(e->reason + off, sizeof(e->reason) - off, fmt, ap);
	va_end(ap);
	json_text_clean(e->reason, e->reason, sizeof(e->reason));
	return err;
}

/* Field names of schemas/ diagnostics -> names of the JSON request. */
static const struct {
	const char *schema, *json;
} field_map[] = {
	{ "id", "identifier" }, { "cat", "categories" },
	{ "refs", "references" }, { "oid", "object_id" },
	{ "type", "msg_type" }, { "msgtype", "msg_type" },
	{ "msgType", "msg_type" }, { "eff", "effective" },
	{ "lang", "texts" },
};

/* Sub-fields of a text block: CBOR key -> JSON name. */
static const struct {
	const char *schema, *json;
} text_map[] = {
	{ "desc", "description" }, { "instr", "instruction" },
	{ "sender", "sender_name" }, { "areaDesc", "area_desc" },
};

/* A schemas/ path ("alert.texts[0].areaDesc", "oid") as the request's
 * path ("texts[0].area_desc", "object_id"). */
static void
map_path(const char *p, size_t len, char *out, size_t outlen)
{
	char path[JSON_FIELD_MAX];
	const char *rest, *sub;
	size_t k;

	if (len >= 6 && strncmp(p, "alert.", 6) == 0) {
		p += 6;
		len -= 6;
	}
	snprintf(path, sizeof(path), "%.*s", (int)len, p);
	k = strcspn(path, "[.");
	rest = path + k;
	for (size_t i = 0; i < sizeof(field_map) / sizeof(field_map[0]); i++)
		if (strlen(field_map[i].schema) == k &&
		    strncmp(path, field_map[i].schema, k) == 0) {
			snprintf(out, outlen, "%s%s", field_map[i].json, rest);
			return;
		}
	if (k == 5 && strncmp(path, "texts", 5) == 0 &&
	    (sub = strchr(rest, '.')) != NULL) {
		for (size_t i = 0; i < sizeof(text_map) / sizeof(text_map[0]);
		    i++)
			if (strcmp(sub + 1, text_map[i].schema) == 0) {
				snprintf(out, outlen, "%.*s.%s",
				    (int)(sub - path), path, text_map[i].json);
				return;
			}
	}
	snprintf(out, outlen, "%s", path);
}

int
json_fail_why(struct json_error *e, int status, int err, const rm_why *why)
{
	const char *msg = why != NULL ? why->msg : "";
	char path[JSON_FIELD_MAX], field[JSON_FIELD_MAX];
	size_t k;

	/* Only a leading "path: " names a field. */
	k = strcspn(msg, " ");
	if (k < 2 || msg[k - 1] != ':' || k - 1 >= JSON_FIELD_MAX)
		k = 0;
	path[0] = '\0';
	if (k > 0)
		map_path(msg, k - 1, path, sizeof(path));
	top_field(path, field, sizeof(field));
	if (e == NULL)
		return err;
	e->status = status;
	e->err = err;
	json_text_clean(field, e->field, sizeof(e->field));
	if (k > 0)
		snprintf(e->reason, sizeof(e->reason), "%s%s", path, msg + k - 1);
	else
		snprintf(e->reason, sizeof(e->reason), "%s", msg);
	json_text_clean(e->reason, e->reason, sizeof(e->reason));
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

