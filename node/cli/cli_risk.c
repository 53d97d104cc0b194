/*
 * cli_risk.c -- `riskmesh risk add|update|remove` (list, summary and
 * diff: cli_risk_views.c): the risk
 * register (风险清单) over a node's HTTP/JSON API (docs/API.md "Risk
 * register"); the node checks every field and the roster.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "node/cli/cli.h"

/* CLI option -> JSON member of a risk body (strings). */
static const struct {
	const char *opt, *key;
} str_fields[] = {
	{ "id", "id" }, { "area", "area" }, { "name", "name" },
	{ "category", "category" }, { "subcategory", "subcategory" },
	{ "grade", "grade" }, { "location", "location" },
	{ "responsible", "responsible" }, { "measures", "measures" },
	{ "status", "status" }, { "review", "review" },
};

/* The body of add/update from the options: strings as given, the
 * cooperating units split at ',', the point from --lat and --lon. The
 * node validates; here only what JSON cannot carry is refused. */
static json_t *
risk_body(const struct cli_args *a, bool with_id, int *rv)
{
	const struct cli_cmd *c = a->cmd;
	json_t *o = json_object();
	const char *coop = cli_get(a, "cooperating");

	*rv = CLI_EXIT_OK;
	if (o == NULL) {
		*rv = cli_fail(c, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < sizeof(str_fields) / sizeof(str_fields[0]);
	    i++) {
		const char *v = cli_get(a, str_fields[i].opt);

		if (v == NULL || (!with_id && strcmp(str_fields[i].opt, "id") ==
		    0))
			continue;
		json_object_set_new(o, str_fields[i].key, json_string(v));
	}
	if (coop != NULL) {
		json_t *arr = json_array();
		char buf[1200], *items[RM_RISK_COOP_MAX + 1];
		int n;

		if (snprintf(buf, sizeof(buf), "%s", coop) >= (int)sizeof(buf) ||
		    (n = cli_split(buf, ',', items, RM_RISK_COOP_MAX)) < 0) {
			json_decref(arr);
			json_decref(o);
			*rv = cli_usage(c, "--cooperating: at most %d agency ids "
			    "separated by ','", RM_RISK_COOP_MAX);
			return NULL;
		}
		for (int i = 0; i < n; i++)
			json_array_append_new(arr, json_string(items[i]));
		json_object_set_new(o, "cooperating", arr);
	}
	if (cli_has(a, "lat") != cli_has(a, "lon")) {
		json_decref(o);
		*rv = cli_usage(c, "--lat and --lon come together");
		return NULL;
	}
	if (cli_has(a, "lat")) {
		char *e1, *e2;
		double lat = strtod(cli_get(a, "lat"), &e1);
		double lon = strtod(cli_get(a, "lon"), &e2);

		if (*e1 != '\0' || *e2 != '\0') {
			json_decref(o);
			*rv = cli_usage(c, "--lat/--lon: decimal degrees, e.g. "
			    "39.0215");
			return NULL;
		}
		json_object_set_new(o, "point", json_pack("{s:f,s:f}", "lat",
		    lat, "lon", lon));
	}
	return o;
}

static int
run_add(const struct cli_args *a)
{
	json_t *body;
	int rv;

	if (cli_has(a, "id") && (rv = cli_check_object_id(a->cmd, "--id",
	    cli_get(a, "id"))) != 0)
		return rv;
	if ((body = risk_body(a, true, &rv)) == NULL)
		return rv;
	return cli_api_post_json(a, "/v1/risks", body, "registered");
}

static int
run_update(const struct cli_args *a)
{
	char path[RM_OBJECT_ID_MAX * 3 + 32], seg[RM_OBJECT_ID_MAX * 3 + 1];
	json_t *body;
	int rv;

	if ((rv = cli_check_object_id(a->cmd, "ID", a->pos[0])) != 0)
		return rv;
	if (cli_pct_encode(a->pos[0], seg, sizeof(seg)) != 0)
		return cli_usage(a->cmd, "ID: too long");
	if ((body = risk_body(a, false, &rv)) == NULL)
		return rv;
	if (json_object_size(body) == 0) {
		json_decref(body);
		return cli_usage(a->cmd, "nothing to change: give the fields "
		    "to replace (--grade, --status, ...)");
	}
	snprintf(path, sizeof(path), "/v1/risks/%s", seg);
	return cli_api_post_json(a, path, body, "updated");
}

static int
run_remove(const struct cli_args *a)
{
	char path[RM_OBJECT_ID_MAX * 3 + 32], seg[RM_OBJECT_ID_MAX * 3 + 1];
	int rv;

	if ((rv = cli_check_object_id(a->cmd, "ID", a->pos[0])) != 0)
		return rv;
	if (cli_pct_encode(a->pos[0], seg, sizeof(seg)) != 0)
		return cli_usage(a->cmd, "ID: too long");
	snprintf(path, sizeof(path), "/v1/risks/%s/remove", seg);
	return cli_api_post_json(a, path, json_pack("{s:s}", "reason",
	    cli_get(a, "reason")), "removed");
}

#define RISK_FIELD_OPTS \
	{ "area", 0, "CODE", 0, "GB/T 2260 area code" }, \
	{ "name", 0, "TEXT", 0, "risk name" }, \
	{ "category", 0, "C", 0, "natural|accident|public_health|" \
	  "social_security" }, \
	{ "subcategory", 0, "S", 0, "typhoon, flood, gas, crowd, ... " \
	  "(docs/API.md)" }, \
	{ "grade", 0, "G", 0, "blue|yellow|orange|red or 低|一般|较大|重大" }, \
	{ "location", 0, "TEXT", 0, "where it is" }, \
	{ "lat", 0, "DEG", 0, "latitude, decimal degrees (with --lon)" }, \
	{ "lon", 0, "DEG", 0, "longitude, decimal degrees (with --lat)" }, \
	{ "responsible", 0, "AGENCY", 0, "responsible unit (default: the " \
	  "node's agency)" }, \
	{ "cooperating", 0, "AGENCY[,...]", 0, "cooperating units" }, \
	{ "measures", 0, "TEXT", 0, "control measures" }, \
	{ "status", 0, "S", 0, "identified|controlled" }, \
	{ "review", 0, "YYYY-MM-DD", 0, "next review date" }

static const struct cli_opt add_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "id", 0, "ID", 0, "risk id (default: made by the node)" },
	RISK_FIELD_OPTS,
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt update_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	RISK_FIELD_OPTS,
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt remove_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "reason", 0, "TEXT", CLI_REQUIRED, "why it is removed (e.g. "
	  "\"已整改销号\")" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_risk_add = {
	.name = "risk add",
	.synopsis = "-c NODE.CONF --area CODE --name T --category C "
	    "--subcategory S --grade G --location T --review DATE [...]",
	.summary = "register a risk (风险清单) as this node's agency",
	.details = "POST /v1/risks: the node checks every field, signs the "
	    "risk record and\nreplicates it; the roster decides the areas, "
	    "kinds and highest grade the\nagency may register.",
	.opts = add_opts,
	.run = run_add,
};

const struct cli_cmd cli_risk_update = {
	.name = "risk update",
	.synopsis = "-c NODE.CONF ID [--grade G] [--status S] [...]",
	.summary = "a new version of a risk: the fields given replace the "
	    "latest version's",
	.min_pos = 1,
	.max_pos = 1,
	.opts = update_opts,
	.run = run_update,
};

const struct cli_cmd cli_risk_remove = {
	.name = "risk remove",
	.synopsis = "-c NODE.CONF ID --reason TEXT",
	.summary = "remove a risk (销号): a last version with the reason",
	.min_pos = 1,
	.max_pos = 1,
	.opts = remove_opts,
	.run = run_remove,
};
