/*
 * cli_alert.c -- `riskmesh alert issue|cancel|list` and `riskmesh
 * status`: clients of a node's HTTP/JSON API (docs/API.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "node/cli/cli.h"
#include "node/config/config.h"

/* ---------------- alert issue ---------------- */

static int
set_opt_str(json_t *o, const struct cli_args *a, const char *opt,
    const char *key)
{
	const char *v = cli_get(a, opt);

	if (v == NULL)
		return 0;
	return json_object_set_new(o, key, json_string(v));
}

/* Split a comma list into a JSON array of strings; NULL on a bad list. */
static json_t *
list_array(const char *list)
{
	char buf[1024], *items[64];
	json_t *arr;
	int n;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf) ||
	    (n = cli_split(buf, ',', items, 64)) < 0)
		return NULL;
	arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_string(items[i]));
	return arr;
}

static json_t *
text_block(const char *lang, const char *event, const char *headline,
    const char *description, const char *instruction)
{
	json_t *t = json_object();

	json_object_set_new(t, "lang", json_string(lang));
	json_object_set_new(t, "event", json_string(event));
	json_object_set_new(t, "headline", json_string(headline));
	if (description != NULL)
		json_object_set_new(t, "description", json_string(description));
	if (instruction != NULL)
		json_object_set_new(t, "instruction", json_string(instruction));
	return t;
}

static const char *const issue_fields[] = {
	"grade", "area", "event", "headline", "lang", "event-en",
	"headline-en", "description", "instruction", "expires", "effective",
	"status", "msg-type", "category", "urgency", "severity", "certainty",
	"identifier", "object-id",
};

/* Build the request body from options; NULL after printing a usage error
 * (*rv set). */
static json_t *
issue_body(const struct cli_args *a, int *rv)
{
	const struct cli_cmd *c = a->cmd;
	static const char *const need[] = { "grade", "area", "event",
	    "headline" };
	json_t *o, *texts, *arr;
	bool en = cli_has(a, "event-en") || cli_has(a, "headline-en");

	for (size_t i = 0; i < 4; i++) {
		if (!cli_has(a, need[i])) {
			*rv = cli_usage(c, "missing --%s (or give --json "
			    "FILE)", need[i]);
			return NULL;
		}
	}
	if (en && !(cli_has(a, "event-en") && cli_has(a, "headline-en"))) {
		*rv = cli_usage(c, "--event-en and --headline-en go together");
		return NULL;
	}
	o = json_object();
	json_object_set_new(o, "grade", json_string(cli_get(a, "grade")));
	if ((arr = list_array(cli_get(a, "area"))) == NULL) {
		json_decref(o);
		*rv = cli_usage(c, "--area: expected CODE[,CODE...]");
		return NULL;
	}
	json_object_set_new(o, "areas", arr);
	texts = json_array();
	json_array_append_new(texts, text_block(cli_get(a, "lang") ?
	    cli_get(a, "lang") : "zh-CN", cli_get(a, "event"),
	    cli_get(a, "headline"), cli_get(a, "description"),
	    cli_get(a, "instruction")));
	if (en)
		json_array_append_new(texts, text_block("en-US",
		    cli_get(a, "event-en"), cli_get(a, "headline-en"), NULL,
		    NULL));
	json_object_set_new(o, "texts", texts);
	set_opt_str(o, a, "expires", "expires");
	set_opt_str(o, a, "effective", "effective");
	set_opt_str(o, a, "status", "status");
	set_opt_str(o, a, "msg-type", "msg_type");
	set_opt_str(o, a, "urgency", "urgency");
	set_opt_str(o, a, "severity", "severity");
	set_opt_str(o, a, "certainty", "certainty");
	set_opt_str(o, a, "identifier", "identifier");
	set_opt_str(o, a, "object-id", "object_id");
	if (cli_has(a, "category")) {
		if ((arr = list_array(cli_get(a, "category"))) == NULL) {
			json_decref(o);
			*rv = cli_usage(c, "--category: expected C[,C...]");
			return NULL;
		}
		json_object_set_new(o, "categories", arr);
	}
	return o;
}

static int
run_issue(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *jf = cli_get(a, "json");
	struct cli_http_res res;
	json_t *body;
	json_error_t jerr;
	char *text;
	int rv = CLI_EXIT_FAIL;

	if (jf != NULL) {
		for (size_t i = 0; i < sizeof(issue_fields) /
		    sizeof(issue_fields[0]); i++)
			if (cli_has(a, issue_fields[i]))
				return cli_usage(c, "--json and --%s cannot "
				    "be combined", issue_fields[i]);
		if ((body = json_load_file(jf, JSON_REJECT_DUPLICATES,
		    &jerr)) == NULL)
			return cli_fail(c, "%s:%d:%d: %s", jf, jerr.line,
			    jerr.column, jerr.text);
		if (!json_is_object(body)) {
			json_decref(body);
			return cli_fail(c, "%s: expected a JSON object", jf);
		}
	} else if (cli_has(a, "object-id") && (rv = cli_check_object_id(c,
	    "--object-id", cli_get(a, "object-id"))) != 0)
		return rv;
	else if ((body = issue_body(a, &rv)) == NULL)
		return rv;
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (text == NULL)
		return cli_fail(c, "out of memory");
	rv = cli_api_request(c, cli_get(a, "config"), "POST", "/v1/alerts", text, &res);
	free(text);
	if (rv != 0)
		return rv;
	if (res.status == 201)
		rv = cli_report_created(c, "issued", &res);
	else
		rv = cli_api_report(c, &res);
	cli_http_res_fini(&res);
	return rv;
}

static const struct cli_opt issue_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config "
	  "(http_listen, http_token)" },
	{ "json", 0, "FILE", 0, "send this JSON body (docs/API.md) instead "
	  "of building one" },
	{ "grade", 0, "G", 0, "blue|yellow|orange|red" },
	{ "area", 0, "CODE[,CODE]", 0, "GB/T 2260 area codes" },
	{ "event", 0, "TEXT", 0, "event type, e.g. 台风" },
	{ "headline", 0, "TEXT", 0, "headline" },
	{ "lang", 0, "TAG", 0, "language of the texts (default zh-CN)" },
	{ "event-en", 0, "TEXT", 0, "English event (adds an en-US block)" },
	{ "headline-en", 0, "TEXT", 0, "English headline" },
	{ "description", 0, "TEXT", 0, "description" },
	{ "instruction", 0, "TEXT", 0, "what people should do" },
	{ "expires", 0, "RFC3339", 0, "expiry time (default: none)" },
	{ "effective", 0, "RFC3339", 0, "effective time (default: now)" },
	{ "status", 0, "S", 0, "CAP status (default Actual)" },
	{ "msg-type", 0, "T", 0, "CAP msgType (default Alert)" },
	{ "category", 0, "C[,C]", 0, "CAP categories (default Other)" },
	{ "urgency", 0, "U", 0, "CAP urgency (default Unknown)" },
	{ "severity", 0, "S", 0, "CAP severity (default from the grade)" },
	{ "certainty", 0, "C", 0, "CAP certainty (default Unknown)" },
	{ "identifier", 0, "ID", 0, "CAP identifier (default generated)" },
	{ "object-id", 0, "ID", 0, "object to version (default: identifier)" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_alert_issue = {
	.name = "alert issue",
	.synopsis = "-c NODE.CONF (--json FILE | --grade G --area CODE[,CODE] "
	    "--event TEXT --headline TEXT [options])",
	.summary = "issue an alert through a node (POST /v1/alerts)",
	.details = "Prints \"issued OBJECT_ID ver N seq N hash HEX\" once the "
	    "node has stored\nthe signed record (HTTP 201). Any other answer "
	    "prints the node's error,\nfield and reason and exits 1. Issuing "
	    "with an existing --object-id makes a\nnew version (an update).",
	.opts = issue_opts,
	.run = run_issue,
};

/* ---------------- alert cancel ---------------- */

static int
run_cancel(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *oid = a->pos[0];
	struct cli_http_res res;
	char seg[3 * RM_OBJECT_ID_MAX + 1], path[sizeof(seg) + 32];
	char *text = NULL;
	int rv;

	if ((rv = cli_check_object_id(c, "OBJECT_ID", oid)) != 0)
		return rv;
	if (cli_pct_encode(oid, seg, sizeof(seg)) != 0)
		return cli_usage(c, "OBJECT_ID: too long");
	if (cli_get(a, "reason") != NULL) {
		json_t *o = json_object();
		json_object_set_new(o, "reason",
		    json_string(cli_get(a, "reason")));
		text = json_dumps(o, JSON_COMPACT);
		json_decref(o);
	}
	snprintf(path, sizeof(path), "/v1/alerts/%s/cancel", seg);
	rv = cli_api_request(c, cli_get(a, "config"), "POST", path, text ? text : "{}",
	    &res);
	free(text);
	if (rv != 0)
		return rv;
	if (res.status == 201)
		rv = cli_report_created(c, "cancelled", &res);
	else
		rv = cli_api_report(c, &res);
	cli_http_res_fini(&res);
	return rv;
}

static const struct cli_opt cancel_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "reason", 0, "TEXT", 0, "why (goes into the description)" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_alert_cancel = {
	.name = "alert cancel",
	.synopsis = "-c NODE.CONF OBJECT_ID",
	.summary = "cancel an alert this node's agency issued",
	.details = "Issues a new version with msgType Cancel; prints "
	    "\"cancelled OBJECT_ID ver N\nseq N hash HEX\". OBJECT_ID: 1..128 "
	    "of letters, digits and . _ : -, not\n\".\" or \"..\" (as the "
	    "API); it is percent-encoded in the request path.",
	.opts = cancel_opts,
	.min_pos = 1,
	.max_pos = 1,
	.run = run_cancel,
};

/* ---------------- alert list ---------------- */

static int
run_list(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *area = cli_get(a, "area");
	struct cli_http_res res;
	char path[64], enc[32];
	json_t *j, *alerts, *al;
	size_t i;
	int rv;

	if (cli_has(a, "atom")) {
		/* the Atom feed as served (RFC 4287) */
		if (area != NULL)
			return cli_usage(c, "--atom lists every alert in force "
			    "(no --area)");
		if ((rv = cli_api_request(c, cli_get(a, "config"), "GET",
		    "/v1/alerts.atom", NULL, &res)) != 0)
			return rv;
		rv = res.status == 200 ? (fwrite(res.body, 1, res.len, stdout)
		    == res.len ? CLI_EXIT_OK : cli_fail(c, "stdout: write "
		    "failed")) : cli_api_report(c, &res);
		cli_http_res_fini(&res);
		return rv;
	}
	if (area != NULL && !area_code_valid(area))
		return cli_usage(c, "--area: \"%.16s\" is not a GB/T 2260 "
		    "area code", area);
	if (area != NULL && cli_pct_encode(area, enc, sizeof(enc)) != 0)
		return cli_usage(c, "--area: too long");
	snprintf(path, sizeof(path), "/v1/alerts%s%s", area ? "?area=" : "",
	    area ? enc : "");
	if ((rv = cli_api_get(a, path, &res)) != CLI_API_BODY)
		return rv;
	j = json_loads(res.body, 0, NULL);
	alerts = json_object_get(j, "alerts");
	if (!json_is_array(alerts)) {
		rv = cli_fail(c, "HTTP 200 but no \"alerts\" array: %.200s",
		    res.body);
		goto out;
	}
	json_array_foreach(alerts, i, al) {
		json_t *t0 = json_array_get(json_object_get(al, "texts"), 0);
		printf("%-7s %-24s %-40s %s\n", cli_jstr(al, "grade"),
		    cli_jstr(al, "origin"), cli_jstr(al, "object_id"),
		    cli_jstr(t0, "headline"));
	}
	printf("%zu alert%s in force%s%s\n", json_array_size(alerts),
	    json_array_size(alerts) == 1 ? "" : "s", area ? " for " : "",
	    area ? area : "");
	rv = CLI_EXIT_OK;
out:
	json_decref(j);
	cli_http_res_fini(&res);
	return rv;
}

static const struct cli_opt list_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "area", 0, "CODE", 0, "only alerts overlapping this area" },
	{ "json", 0, NULL, 0, "print the raw JSON answer" },
	{ "csv", 0, NULL, 0, "print the list as CSV (GET /v1/alerts.csv)" },
	{ "atom", 0, NULL, 0, "print the Atom feed (GET /v1/alerts.atom)" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_alert_list = {
	.name = "alert list",
	.synopsis = "-c NODE.CONF [--area CODE] [--json|--csv|--atom]",
	.summary = "list in-force alerts a node holds (GET /v1/alerts)",
	.details = "One line per alert: grade, origin, object id, headline.",
	.opts = list_opts,
	.run = run_list,
};

/* ---------------- status ---------------- */

static int
run_status(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	struct cli_http_res res;
	json_t *j, *peers, *p;
	size_t i;
	int rv;

	if ((rv = cli_api_get(a, "/v1/status", &res)) != CLI_API_BODY)
		return rv;
	j = json_loads(res.body, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		rv = cli_fail(c, "HTTP 200 but not a JSON object: %.200s",
		    res.body);
		cli_http_res_fini(&res);
		return rv;
	}
	printf("agency   %s (federation %s, roster version %lld)\n",
	    cli_jstr(j, "agency"), cli_jstr(j, "federation"),
	    cli_jint(j, "roster_version"));
	if (json_is_object(json_object_get(j, "roster"))) {
		json_t *ro = json_object_get(j, "roster");

		printf("roster   %lld agencies, charter signed %s (%lld days "
		    "ago)%s", cli_jint(ro, "agencies"), cli_jstr(ro, "issued"),
		    cli_jint(ro, "age_s") / 86400,
		    json_is_true(json_object_get(ro, "stale")) ? "" : "\n");
		if (json_is_true(json_object_get(ro, "stale")))
			printf("; STALE: a peer announced roster version %lld, "
			    "not adopted\n", cli_jint(ro, "newest_seen"));
	}
	printf("key      kid %.16s %s\n", cli_jstr(j, "kid"),
	    json_is_false(json_object_get(j, "own_key_valid")) ?
	    "NOT the agency's key in use (rotated, revoked or refused by "
	    "the peers): this node cannot issue" : "in use");
	printf("started  %s\n", cli_jstr(j, "started"));
	printf("records  %lld from %lld origins, %lld active alerts, %lld "
	    "forks, %lld equivocations\n", cli_jint(j, "records"),
	    cli_jint(j, "origins"), cli_jint(j, "active_alerts"), cli_jint(j, "forks"),
	    cli_jint(j, "equivocations"));
	peers = json_object_get(j, "peers");
	printf("peers    %zu\n", json_array_size(peers));
	json_array_foreach(peers, i, p) {
		printf("  %-24s %-6s %-10s %-28s sent %lld received %lld "
		    "refused %lld\n", cli_jstr(p, "agency"), cli_jstr(p, "mode"),
		    cli_jstr(p, "state"), cli_jstr(p, "url"),
		    cli_jint(p, "records_sent"), cli_jint(p, "records_received"),
		    cli_jint(p, "records_refused"));
		if (json_is_object(json_object_get(p, "refusal"))) {
			json_t *r = json_object_get(p, "refusal");

			printf("    refused by %s: %s: %s\n",
			    strcmp(cli_jstr(r, "by"), "peer") == 0 ?
			    "the peer" : "this node", cli_jstr(r, "code"),
			    cli_jstr(r, "reason"));
		}
	}
	json_decref(j);
	cli_http_res_fini(&res);
	return CLI_EXIT_OK;
}

static const struct cli_opt status_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "json", 0, NULL, 0, "print the raw JSON answer" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_status = {
	.name = "status",
	.synopsis = "-c NODE.CONF [--json]",
	.summary = "show a node's state: agency, records, peers (GET "
	    "/v1/status)",
	.opts = status_opts,
	.run = run_status,
};
