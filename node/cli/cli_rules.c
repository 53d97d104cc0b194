/*
 * cli_rules.c -- `riskmesh rules check FILE` (offline: the rules file of
 * docs/RULES.md, every error as FILE:LINE: what and why) and
 * `riskmesh proposal list|confirm` over a node's HTTP/JSON API
 * (docs/API.md "Proposals and rules").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "node/cli/cli.h"
#include "node/rules/rules.h"

static void
print_error(void *arg, unsigned line, const char *msg)
{
	fprintf(stderr, "%s:%u: %s\n", (const char *)arg, line, msg);
}

static int
run_check(const struct cli_args *a)
{
	const char *path = a->pos[0];
	struct rules_set *s = NULL;
	size_t nerr = 0;
	rm_why why;
	int rv;

	memset(&why, 0, sizeof(why));
	rv = rules_load(path, &s, &nerr, print_error, (void *)path, &why);
	if (rv == RM_OK) {
		printf("%s: %zu rule%s, no errors\n", path, s->n,
		    s->n == 1 ? "" : "s");
		rules_set_free(s);
		return CLI_EXIT_OK;
	}
	if (nerr == 0)
		return cli_fail_file(a->cmd, path, &why);
	fprintf(stderr, "%s: %zu error%s%s\n", path, nerr, nerr == 1 ? "" : "s",
	    nerr > RULES_ERRORS_MAX ? " (the first ones shown)" : "");
	return CLI_EXIT_FAIL;
}

static int
run_list(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	struct cli_http_res res;
	char path[256], enc[64];
	json_t *j, *arr, *p;
	size_t i;
	int rv;

	/* cli_api_get asks for the .csv view itself with --csv */
	snprintf(path, sizeof(path), "/v1/proposals");
	if (cli_has(a, "area")) {
		if (cli_pct_encode(cli_get(a, "area"), enc, sizeof(enc)) != 0)
			return cli_usage(c, "--area: too long");
		strncat(path, "?area=", sizeof(path) - strlen(path) - 1);
		strncat(path, enc, sizeof(path) - strlen(path) - 1);
	}
	if (cli_has(a, "csv") && cli_has(a, "json"))
		return cli_usage(c, "--csv or --json, not both");
	if ((rv = cli_api_get(a, path, &res)) != CLI_API_BODY)
		return rv;
	if (cli_has(a, "csv")) {
		fwrite(res.body, 1, res.len, stdout);
		cli_http_res_fini(&res);
		return CLI_EXIT_OK;
	}
	j = json_loads(res.body, 0, NULL);
	arr = json_object_get(j, "proposals");
	if (!json_is_array(arr)) {
		rv = cli_fail(c, "HTTP 200 but no \"proposals\" array: %.200s",
		    res.body);
		goto out;
	}
	json_array_foreach(arr, i, p) {
		json_t *ar = json_array_get(json_object_get(p, "areas"), 0);
		bool w = strcmp(cli_jstr(p, "type"), "warning") == 0;

		printf("%-40s %-8s %-12s %-7s %s\n", cli_jstr(p, "object_id"),
		    cli_jstr(p, "type"), json_is_string(ar) ?
		    json_string_value(ar) : "-", w ? cli_jstr(p, "grade") : "-",
		    w ? cli_jstr(p, "headline") : cli_jstr(p, "subject"));
	}
	printf("%zu open proposal%s\n", json_array_size(arr),
	    json_array_size(arr) == 1 ? "" : "s");
	rv = CLI_EXIT_OK;
out:
	json_decref(j);
	cli_http_res_fini(&res);
	return rv;
}

static int
run_confirm(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	char path[RM_OBJECT_ID_MAX * 3 + 32], seg[RM_OBJECT_ID_MAX * 3 + 1];
	struct cli_http_res res;
	char verb[48];
	json_t *j;
	int rv;

	if ((rv = cli_check_object_id(c, "ID", a->pos[0])) != 0)
		return rv;
	if (cli_pct_encode(a->pos[0], seg, sizeof(seg)) != 0)
		return cli_usage(c, "ID: too long");
	snprintf(path, sizeof(path), "/v1/proposals/%s/confirm", seg);
	if ((rv = cli_api_request(c, cli_get(a, "config"), "POST", path, "{}",
	    &res)) != 0)
		return rv;
	/* what was issued: the answer's kind (an alert or a task) */
	j = json_loads(res.body, 0, NULL);
	snprintf(verb, sizeof(verb), "issued %s", json_is_string(
	    json_object_get(j, "kind")) ? cli_jstr(j, "kind") : "record");
	json_decref(j);
	rv = res.status == 201 ? cli_report_created(c, verb, &res) :
	    cli_api_report(c, &res);
	cli_http_res_fini(&res);
	return rv;
}

static const struct cli_opt check_opts[] = {
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt list_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "area", 0, "CODE", 0, "areas containing or inside CODE" },
	{ "json", 0, NULL, 0, "print the API's JSON" },
	{ "csv", 0, NULL, 0, "print the CSV view (GET /v1/proposals.csv)" },
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt confirm_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_rules_check = {
	.name = "rules check",
	.synopsis = "FILE",
	.summary = "check a rules file offline (exit 0 only if it is clean)",
	.details = "Every error is printed as FILE:LINE: what and why "
	    "(docs/RULES.md). No node\nis needed.",
	.min_pos = 1,
	.max_pos = 1,
	.opts = check_opts,
	.run = run_check,
};

const struct cli_cmd cli_proposal_list = {
	.name = "proposal list",
	.synopsis = "-c NODE.CONF [--area CODE] [--json|--csv]",
	.summary = "open proposals of the rules, newest first "
	    "(GET /v1/proposals)",
	.opts = list_opts,
	.run = run_list,
};

const struct cli_cmd cli_proposal_confirm = {
	.name = "proposal confirm",
	.synopsis = "-c NODE.CONF ID",
	.summary = "confirm a proposal of this node: issue its alert or "
	    "task",
	.details = "POST /v1/proposals/ID/confirm: a proposal becomes an "
	    "alert or a task.\nA warning proposal: the node issues the alert "
	    "it suggests (grade, event,\nheadline, area; the evidence as its "
	    "description). A task proposal: the node\ndispatches the task to "
	    "its assignee (subject, the evidence as detail, a link\nto the "
	    "proposal, priority high, due in 7 days). Then the proposal is "
	    "marked\nconfirmed. Prints what was issued: \"issued alert ...\" "
	    "or \"issued task ...\".",
	.min_pos = 1,
	.max_pos = 1,
	.opts = confirm_opts,
	.run = run_confirm,
};
