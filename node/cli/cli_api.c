/*
 * cli_api.c -- the CLI's client of a node's HTTP/JSON API (docs/API.md):
 * one request with the address and token of -c NODE.CONF, the node's
 * error responses printed as "HTTP 409: EEXIST object_id: ...", GETs
 * answered 200, and small JSON accessors. Used by cli_alert.c and
 * cli_fork.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "node/cli/cli.h"
#include "node/config/config.h"

/* Load -c FILE. Prints the error. */
static int
load_conf(const struct cli_cmd *c, const char *path, struct node_config *cf)
{
	rm_why why;

	if (config_load(path, cf, &why) != RM_OK)
		return cli_fail(c, "%s", why.msg);
	return CLI_EXIT_OK;
}

const char *
cli_jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "?";
}

long long
cli_jint(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* True if reason already starts with field's path: "grade: ...",
 * "texts[1].headline: ..." or "areas[0]: ..." for field "texts"/"areas"
 * (docs/API.md). */
static bool
reason_names_field(const char *reason, const char *field)
{
	size_t fl = strlen(field);

	return fl > 0 && strncmp(reason, field, fl) == 0 &&
	    (reason[fl] == ':' || reason[fl] == '[' || reason[fl] == '.');
}

/*
 * Print an API error response as "HTTP 403: EUNAUTH grade: red above
 * ...": the error name, then the field and the reason once (the API's
 * reason may already start with the field's path).
 */
int
cli_api_report(const struct cli_cmd *c, const struct cli_http_res *r)
{
	json_t *j = json_loads(r->body, 0, NULL);
	json_t *err = json_object_get(j, "error");
	int rv;

	if (json_is_string(err)) {
		const char *field = json_string_value(json_object_get(j,
		    "field"));
		const char *reason = json_string_value(json_object_get(j,
		    "reason"));

		if (field != NULL && field[0] == '\0')
			field = NULL;
		if (reason == NULL || reason[0] == '\0')
			rv = cli_fail(c, "HTTP %d: %s%s%s", r->status,
			    json_string_value(err), field ? " " : "",
			    field ? field : "");
		else if (field == NULL || reason_names_field(reason, field))
			rv = cli_fail(c, "HTTP %d: %s %s", r->status,
			    json_string_value(err), reason);
		else
			rv = cli_fail(c, "HTTP %d: %s %s: %s", r->status,
			    json_string_value(err), field, reason);
	} else
		rv = cli_fail(c, "HTTP %d: %.300s", r->status,
		    r->len ? r->body : "(no body)");
	json_decref(j);
	return rv;
}

#define CLI_BUSY_STEP_MS 250
#define CLI_BUSY_MAX_MS  15000

int
cli_api_request(const struct cli_cmd *c, const char *conf, const char *method,
    const char *path, const char *body, struct cli_http_res *res)
{
	return cli_api_send(c, conf, method, path, "application/json", body,
	    body != NULL ? strlen(body) : 0, res);
}

/* One request with -c's address and token; prints transport errors. A
 * POST refused with 503 EBUSY is re-sent for up to CLI_BUSY_MAX_MS. */
int
cli_api_send(const struct cli_cmd *c, const char *conf, const char *method,
    const char *path, const char *ctype, const void *body, size_t n,
    struct cli_http_res *res)
{
	struct node_config *cf;
	rm_why why;
	int rv;

	memset(res, 0, sizeof(*res));
	if ((cf = calloc(1, sizeof(*cf))) == NULL)
		return cli_fail(c, "out of memory");
	if ((rv = load_conf(c, conf, cf)) != 0)
		goto out;
	/*
	 * A POST answered 503 EBUSY was not acted on: the node is catching
	 * up on its own agency's log (docs/API.md). Nothing was stored, so
	 * re-sending is safe; wait for it, bounded.
	 */
	for (int waited_ms = 0;; waited_ms += CLI_BUSY_STEP_MS) {
		if (cli_http_send(cf->http_listen, cf->http_token, method,
		    path, ctype, body, n, res, &why) != RM_OK) {
			rv = cli_fail(c, "%s", why.msg);
			break;
		}
		if (strcmp(method, "POST") != 0 || res->status != 503 ||
		    res->body == NULL || strstr(res->body, "\"EBUSY\"") == NULL ||
		    waited_ms >= CLI_BUSY_MAX_MS)
			break;
		if (waited_ms == 0) {
			json_t *j = json_loads(res->body, 0, NULL);
			const char *reason = json_string_value(
			    json_object_get(j, "reason"));

			/* the node's own words: catching up on the
			 * agency's log, or waiting for a peer's vector */
			fprintf(stderr, "riskmesh: node busy (%s), retrying "
			    "for up to %d s\n", reason != NULL ? reason :
			    "catching up on its own log",
			    CLI_BUSY_MAX_MS / 1000);
			json_decref(j);
		}
		cli_http_res_fini(res);
		memset(res, 0, sizeof(*res));
		nanosleep(&(struct timespec){ 0, CLI_BUSY_STEP_MS * 1000000L },
		    NULL);
	}
out:
	memset(cf, 0, sizeof(*cf));
	free(cf);
	return rv;
}

/*
 * GET path from the node. Returns CLI_API_BODY with *res holding a 200
 * response for the caller to render (cli_http_res_fini it); otherwise the
 * command is finished: with --json the raw body was printed (exit 0),
 * with --csv the same view as CSV (GET PATH.csv?QUERY) was printed
 * byte for byte (exit 0), or the error was reported (its exit status).
 */
int
cli_api_get(const struct cli_args *a, const char *path, struct cli_http_res *res)
{
	const struct cli_cmd *c = a->cmd;
	int rv;

	char csv_path[1024];
	const char *q;

	if (cli_has(a, "json") && cli_has(a, "csv"))
		return cli_usage(c, "--json or --csv, not both");
	if (cli_has(a, "csv")) {
		/* The same view as CSV: PATH.csv?QUERY */
		q = strchr(path, '?');
		if (snprintf(csv_path, sizeof(csv_path), "%.*s.csv%s",
		    (int)(q != NULL ? (size_t)(q - path) : strlen(path)), path,
		    q != NULL ? q : "") >= (int)sizeof(csv_path))
			return cli_usage(c, "filters too long");
		path = csv_path;
	}
	if ((rv = cli_api_request(c, cli_get(a, "config"), "GET", path, NULL,
	    res)) != 0)
		return rv;
	if (res->status != 200) {
		rv = cli_api_report(c, res);
		cli_http_res_fini(res);
		return rv;
	}
	if (cli_has(a, "csv")) {
		/* exactly as served: BOM, CRLF, UTF-8 */
		fwrite(res->body, 1, res->len, stdout);
		cli_http_res_fini(res);
		return CLI_EXIT_OK;
	}
	if (cli_has(a, "json")) {
		printf("%s%s", res->body, res->len &&
		    res->body[res->len - 1] == '\n' ? "" : "\n");
		cli_http_res_fini(res);
		return CLI_EXIT_OK;
	}
	return CLI_API_BODY;
}

/* "issued|cancelled OBJECT_ID ver N seq N hash HEX" from a 201 body. */
int
cli_report_created(const struct cli_cmd *c, const char *verb,
    const struct cli_http_res *r)
{
	json_t *j = json_loads(r->body, 0, NULL);

	if (!json_is_object(j)) {
		json_decref(j);
		return cli_fail(c, "HTTP 201 but the body is not a JSON "
		    "object: %.200s", r->body);
	}
	printf("%s %s ver %lld seq %lld hash %s\n", verb, cli_jstr(j, "object_id"),
	    cli_jint(j, "ver"), cli_jint(j, "seq"), cli_jstr(j, "hash"));
	json_decref(j);
	return CLI_EXIT_OK;
}

/* Object id syntax of the API (object_id_valid, schemas/schemas.h);
 * usage error naming what if bad. "." and ".." are refused with their
 * own message: in a URL path they are dot segments that HTTP clients
 * and servers remove ("/v1/alerts/../cancel" is "/v1/cancel"). */
int
cli_check_object_id(const struct cli_cmd *c, const char *what, const char *oid)
{
	if (strcmp(oid, ".") == 0 || strcmp(oid, "..") == 0)
		return cli_usage(c, "%s \"%s\" is not an object id: \".\" "
		    "and \"..\" are dot segments in a URL path", what, oid);
	if (!object_id_valid(oid))
		return cli_usage(c, "%s \"%.64s\" is not an object id: 1..%d "
		    "of letters, digits and . _ : -", what, oid,
		    RM_OBJECT_ID_MAX);
	return CLI_EXIT_OK;
}

int
cli_api_post_json(const struct cli_args *a, const char *path, json_t *body,
    const char *verb)
{
	const struct cli_cmd *c = a->cmd;
	struct cli_http_res res;
	char *text = json_dumps(body, JSON_COMPACT);
	int rv;

	json_decref(body);
	if (text == NULL)
		return cli_fail(c, "out of memory");
	rv = cli_api_request(c, cli_get(a, "config"), "POST", path, text,
	    &res);
	free(text);
	if (rv != 0)
		return rv;
	rv = res.status == 201 ? cli_report_created(c, verb, &res) :
	    cli_api_report(c, &res);
	cli_http_res_fini(&res);
	return rv;
}
