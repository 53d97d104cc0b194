/*
 * cli_risk_views.c -- `riskmesh risk list|summary|diff`: the views of
 * the risk register over a node's HTTP/JSON API (docs/API.md "Risk
 * register views"): a table by default, --json the API's answer, --csv
 * (list) the spreadsheet form of GET /v1/risks.csv.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "node/cli/cli.h"

/* Append ?name=value / &name=value (percent-encoded) to path[*l]. */
static int
qs_add(const struct cli_cmd *c, char *path, size_t cap, size_t *l,
    const char *name, const char *v)
{
	char enc[200];

	if (cli_pct_encode(v, enc, sizeof(enc)) != 0)
		return cli_usage(c, "--%s: too long", name);
	*l += (size_t)snprintf(path + *l, cap - *l, "%c%s=%s",
	    strchr(path, '?') ? '&' : '?', name, enc);
	if (*l >= cap)
		return cli_usage(c, "options too long");
	return 0;
}

/* GET path, the JSON answer's object in *j (json_decref it). */
static int
get_json(const struct cli_args *a, const char *path, json_t **j)
{
	struct cli_http_res res;
	int rv;

	if ((rv = cli_api_get(a, path, &res)) != CLI_API_BODY)
		return rv;
	*j = json_loads(res.body, 0, NULL);
	if (!json_is_object(*j)) {
		rv = cli_fail(a->cmd, "HTTP 200 but not a JSON object: %.200s",
		    res.body);
		json_decref(*j);
		cli_http_res_fini(&res);
		return rv;
	}
	cli_http_res_fini(&res);
	return CLI_API_BODY;
}

static int
run_list(const struct cli_args *a)
{
	static const char *const filters[] = { "area", "grade", "status",
		"category", "subcategory", "responsible", "limit", "next" };
	const struct cli_cmd *c = a->cmd;
	char path[768];
	size_t l, i;
	json_t *j, *risks, *r;
	int rv;

	l = (size_t)snprintf(path, sizeof(path), "/v1/risks");
	for (size_t k = 0; k < sizeof(filters) / sizeof(filters[0]); k++)
		if (cli_get(a, filters[k]) != NULL && (rv = qs_add(c, path,
		    sizeof(path), &l, filters[k], cli_get(a, filters[k]))) != 0)
			return rv;
	if (cli_has(a, "within") && (rv = qs_add(c, path, sizeof(path), &l,
	    "within", "1")) != 0)
		return rv;
	if (cli_has(a, "overdue") && (rv = qs_add(c, path, sizeof(path), &l,
	    "overdue", "1")) != 0)
		return rv;
	if ((rv = get_json(a, path, &j)) != CLI_API_BODY)
		return rv;
	risks = json_object_get(j, "risks");
	if (!json_is_array(risks)) {
		json_decref(j);
		return cli_fail(c, "HTTP 200 but no \"risks\" array");
	}
	json_array_foreach(risks, i, r) {
		json_t *ar = json_array_get(json_object_get(r, "areas"), 0);

		/* origin: whose register it is (the city's roll-up holds
		 * every agency's) */
		printf("%-7s %-10s %-8s %-24s %-20s %-20s %-10s %s\n",
		    cli_jstr(r, "grade"), cli_jstr(r, "status"),
		    json_is_string(ar) ? json_string_value(ar) : "-",
		    cli_jstr(r, "object_id"), cli_jstr(r, "origin"),
		    cli_jstr(r, "responsible"), cli_jstr(r, "review"),
		    cli_jstr(r, "name"));
	}
	printf("%zu risk%s in force\n", json_array_size(risks),
	    json_array_size(risks) == 1 ? "" : "s");
	if (json_is_string(json_object_get(j, "next")))
		printf("more: --next %s\n", cli_jstr(j, "next"));
	json_decref(j);
	return CLI_EXIT_OK;
}

static void
print_counts(const char *name, json_t *o)
{
	json_t *g = json_object_get(o, "grade"), *s = json_object_get(o,
	    "status");

	printf("%-24s %7lld %7lld %7lld %7lld %7lld %10lld %10lld\n", name,
	    cli_jint(o, "total"), cli_jint(g, "red"), cli_jint(g, "orange"),
	    cli_jint(g, "yellow"), cli_jint(g, "blue"),
	    cli_jint(s, "identified"), cli_jint(s, "controlled"));
}

static int
run_summary(const struct cli_args *a)
{
	char path[256];
	size_t l, i;
	json_t *j, *o;
	int rv;

	l = (size_t)snprintf(path, sizeof(path), "/v1/risks/summary");
	if (cli_get(a, "area") != NULL && (rv = qs_add(a->cmd, path,
	    sizeof(path), &l, "area", cli_get(a, "area"))) != 0)
		return rv;
	if ((rv = get_json(a, path, &j)) != CLI_API_BODY)
		return rv;
	printf("%-24s %7s %7s %7s %7s %7s %10s %10s\n", "", "total", "red",
	    "orange", "yellow", "blue", "identified", "controlled");
	print_counts(cli_get(a, "area") != NULL ? cli_get(a, "area") : "all",
	    json_object_get(j, "total"));
	printf("by area:\n");
	json_array_foreach(json_object_get(j, "areas"), i, o)
		print_counts(cli_jstr(o, "area"), o);
	printf("by responsible unit:\n");
	json_array_foreach(json_object_get(j, "responsible"), i, o)
		print_counts(cli_jstr(o, "responsible"), o);
	json_decref(j);
	return CLI_EXIT_OK;
}

static int
run_diff(const struct cli_args *a)
{
	static const char *const params[] = { "from", "to", "area" };
	char path[256];
	size_t l, i;
	json_t *j, *o;
	int rv;

	l = (size_t)snprintf(path, sizeof(path), "/v1/risks/diff");
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (cli_get(a, params[i]) != NULL && (rv = qs_add(a->cmd, path,
		    sizeof(path), &l, params[i], cli_get(a, params[i]))) != 0)
			return rv;
	if ((rv = get_json(a, path, &j)) != CLI_API_BODY)
		return rv;
	json_array_foreach(json_object_get(j, "changes"), i, o) {
		const char *ch = cli_jstr(o, "change");

		printf("%-9s %s %-20s %-24s %-8s ", ch, cli_jstr(o, "issued"),
		    cli_jstr(o, "origin"), cli_jstr(o, "id"),
		    cli_jstr(o, "area"));
		if (strcmp(ch, "regraded") == 0)
			printf("%s -> %s", cli_jstr(o, "old_grade"),
			    cli_jstr(o, "grade"));
		else if (strcmp(ch, "removed") == 0)
			printf("reason: %s", cli_jstr(o, "reason"));
		else
			printf("%s %s", cli_jstr(o, "grade"),
			    cli_jstr(o, "status"));
		printf("  %s\n", cli_jstr(o, "name"));
	}
	printf("%lld change%s\n", cli_jint(j, "count"),
	    cli_jint(j, "count") == 1 ? "" : "s");
	json_decref(j);
	return CLI_EXIT_OK;
}

static const struct cli_opt list_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "area", 0, "CODE", 0, "areas containing or inside CODE" },
	{ "within", 0, NULL, 0, "with --area: only risks inside it (a "
	  "district's register)" },
	{ "grade", 0, "G", 0, "only this grade (red or 重大, ...)" },
	{ "status", 0, "S", 0, "identified|controlled (or 已识别|管控中)" },
	{ "category", 0, "C", 0, "only this category" },
	{ "subcategory", 0, "S", 0, "only this subcategory" },
	{ "responsible", 0, "AGENCY", 0, "only this responsible unit" },
	{ "overdue", 0, NULL, 0, "only risks whose review date has passed" },
	{ "limit", 0, "N", 0, "at most N (default 1000, at most 100000)" },
	{ "next", 0, "CURSOR", 0, "the page after a previous one" },
	{ "json", 0, NULL, 0, "print the raw JSON answer" },
	{ "csv", 0, NULL, 0, "print the list as CSV (GET /v1/risks.csv)" },
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt summary_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "area", 0, "CODE", 0, "the register of this area (default: all)" },
	{ "json", 0, NULL, 0, "print the raw JSON answer" },
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt diff_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "from", 0, "DATE", CLI_REQUIRED, "first day (YYYY-MM-DD, UTC)" },
	{ "to", 0, "DATE", CLI_REQUIRED, "last day, included" },
	{ "area", 0, "CODE", 0, "only risks of areas overlapping CODE" },
	{ "json", 0, NULL, 0, "print the raw JSON answer" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_risk_list = {
	.name = "risk list",
	.synopsis = "-c NODE.CONF [--area CODE [--within]] [--grade G] "
	    "[--status S] [--category C] [--subcategory S] [--responsible "
	    "AGENCY] [--overdue] [--limit N] [--next CURSOR] [--json|--csv]",
	.summary = "risks in force, newest first (GET /v1/risks)",
	.opts = list_opts,
	.run = run_list,
};

const struct cli_cmd cli_risk_summary = {
	.name = "risk summary",
	.synopsis = "-c NODE.CONF [--area CODE] [--json]",
	.summary = "the register's roll-up: counts by grade and status per "
	    "child area and per responsible unit",
	.opts = summary_opts,
	.run = run_summary,
};

const struct cli_cmd cli_risk_diff = {
	.name = "risk diff",
	.synopsis = "-c NODE.CONF --from DATE --to DATE [--area CODE] [--json]",
	.summary = "the register's changes between two dates: added, "
	    "regraded, removed, changed",
	.opts = diff_opts,
	.run = run_diff,
};
