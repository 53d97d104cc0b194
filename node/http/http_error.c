/*
 * http_error.c -- the one place where an rm_err becomes an HTTP status
 * and a refusal becomes the JSON error body {"error", "field",
 * "reason"} of docs/API.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "node/http/http_int.h"

/* Refusal log limits (http_log_refusal): one slot per status listed,
 * then one for the other 4xx and one for the other 5xx; the same again
 * for the security channel. */
static const int refusal_status[] = { 400, 401, 403, 404, 405, 406, 409,
    413, 415, 422, 429, 500, 501, 503 };
#define REFUSAL_SLOTS (sizeof(refusal_status) / sizeof(refusal_status[0]) + 2)
#define LIM RM_LOG_LIMIT(HTTP_REFUSAL_LOG_BURST, HTTP_REFUSAL_LOG_WINDOW_MS)
#define LIM4 LIM, LIM, LIM, LIM
_Static_assert(REFUSAL_SLOTS == 16, "refusal_log: one LIM per slot");
static rm_log_limit refusal_log[2][REFUSAL_SLOTS] = {
	{ LIM4, LIM4, LIM4, LIM4 },
	{ LIM4, LIM4, LIM4, LIM4 },
};

static void
log_refusal(bool sec, rm_log_level level, int status, const char *fmt,
    va_list ap)
{
	size_t i = 0, n = sizeof(refusal_status) / sizeof(refusal_status[0]);
	unsigned long long held;
	char line[768];

	while (i < n && refusal_status[i] != status)
		i++;
	if (i == n)
		i = status >= 500 ? n + 1 : n;
	if (!rm_log_allow(&refusal_log[sec][i], &held))
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (held == 0 && sec)
		rm_log_sec("http", "%s", line);
	else if (held == 0)
		rm_log(level, "http", "%s", line);
	else if (sec)
		rm_log_sec("http", "%s (%llu more %d refusals not logged: at "
		    "most %d lines a minute)", line, held, status,
		    HTTP_REFUSAL_LOG_BURST);
	else
		rm_log(level, "http", "%s (%llu more %d refusals not logged: "
		    "at most %d lines a minute)", line, held, status,
		    HTTP_REFUSAL_LOG_BURST);
}

void
http_log_refusal(rm_log_level level, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_refusal(false, level, status, fmt, ap);
	va_end(ap);
}

void
http_log_refusal_sec(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_refusal(true, RM_LOG_WARN, status, fmt, ap);
	va_end(ap);
}

int
http_status_for(int err, const rm_why *why)
{
	switch (err) {
	case RM_EMALFORMED:
	case RM_EMISSING:
	case RM_EUNKNOWN:
	case RM_ENONCANON:
		return 400;
	case RM_EUNKNOWNSIGNER:
		/* the node's own identity (field agency/key), not the request */
		return why != NULL && why->field[0] != '\0' ? 503 : 403;
	case RM_EUNAUTH:
	case RM_EBADSIG:
		return 403;
	case RM_ENOTFOUND:
		return 404;
	case RM_EUNSUPPORTED:
		return 415;
	case RM_EEXIST:
		return 409;
	case RM_EBUSY:
		return why != NULL && why->field[0] != '\0' ? 409 : 503;
	case RM_ECLOSED:
		return 503;
	case RM_EBADVALUE:
	case RM_ETOOBIG:
	case RM_EINVAL:
	case RM_EEXPIRED:
	case RM_EGAP:
		return 422;
	default:
		return 500;
	}
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

/* A schemas/ path ("alert.texts[0].areaDesc", "oid", "risk.review") as
 * the request's path ("texts[0].area_desc", "object_id", "review"). */
static void
map_path(const char *p, size_t len, char *out, size_t outlen)
{
	char path[RM_WHY_FIELD_MAX];
	const char *rest, *sub;
	size_t k;

	/* a risk's body keys are its request keys */
	if (len >= 5 && strncmp(p, "risk.", 5) == 0) {
		snprintf(out, outlen, "%.*s", (int)(len - 5), p + 5);
		return;
	}
	/* and so are a task's and an ack's */
	if (len >= 5 && strncmp(p, "task.", 5) == 0) {
		snprintf(out, outlen, "%.*s", (int)(len - 5), p + 5);
		return;
	}
	if (len >= 4 && strncmp(p, "ack.", 4) == 0) {
		snprintf(out, outlen, "%.*s", (int)(len - 4), p + 4);
		return;
	}
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

void
http_why_request_path(rm_why *why)
{
	const char *msg = why->msg;
	char path[RM_WHY_FIELD_MAX], out[RM_WHY_FIELD_MAX + RM_WHY_MAX];
	size_t k, n;

	if (why->field[0] != '\0')
		return;
	/* Only a leading "path: " names a field. */
	k = strcspn(msg, " ");
	if (k < 2 || msg[k - 1] != ':' || k - 1 >= RM_WHY_FIELD_MAX)
		return;
	map_path(msg, k - 1, path, sizeof(path));
	snprintf(out, sizeof(out), "%s%s", path, msg + k - 1);
	snprintf(why->field, sizeof(why->field), "%.*s",
	    (int)strcspn(path, "[."), path);
	n = strlen(out);
	if (n >= sizeof(why->msg))
		n = sizeof(why->msg) - 1;
	memcpy(why->msg, out, n);
	why->msg[n] = '\0';
}

void
http_error_text(const rm_why *why, char *field, size_t fl, char *reason,
    size_t rl)
{
	repr_text_clean(why->field, field, fl);
	repr_text_clean(why->msg, reason, rl);
}

void
http_error_res(struct http_res *res, int status, int err, const rm_why *why)
{
	char field[RM_WHY_FIELD_MAX], reason[RM_WHY_MAX];

	http_error_text(why, field, sizeof(field), reason, sizeof(reason));
	http_res_json(res, status, json_pack("{s:s,s:s,s:s}", "error",
	    rm_errname(err), "field", field, "reason", reason));
}

void
http_res_json(struct http_res *res, int status, json_t *v)
{
	rm_buf_reset(&res->body);
	res->status = status;
	res->content_type = HTTP_CT_JSON;
	if (v == NULL || repr_dump_buf(v, 0, &res->body) != RM_OK ||
	    rm_buf_append_byte(&res->body, '\n') != RM_OK) {
		rm_buf_reset(&res->body);
		res->status = 500;
		(void)rm_buf_printf(&res->body, "{\"error\":\"ENOMEM\","
		    "\"field\":\"\",\"reason\":\"out of memory\"}\n");
	}
	json_decref(v);
}

void
http_res_csv(struct http_res *res, rm_buf *csv)
{
	rm_buf_fini(&res->body);
	res->body = *csv;
	memset(csv, 0, sizeof(*csv));
	res->status = 200;
	res->content_type = HTTP_CT_CSV;
}
