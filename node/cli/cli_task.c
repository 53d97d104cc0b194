/*
 * cli_task.c -- `riskmesh task add|ack|close|list|show`: task dispatch
 * (交办) over a node's HTTP/JSON API (docs/API.md "Task dispatch"); the
 * node checks every field, the roster and who may acknowledge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "node/cli/cli.h"

/* --deadline: RFC 3339 as given, or "+N" with a unit s, m, h or d from
 * now. Writes the RFC 3339 UTC text to out; -1 if neither. */
static int
deadline_text(const char *s, char *out, size_t len)
{
	static const struct { char u; long long ms; } units[] = {
		{ 's', 1000 }, { 'm', 60000 }, { 'h', 3600000 },
		{ 'd', 86400000 } };
	char *end, buf[32];
	long long v;

	if (s[0] != '+') {
		snprintf(out, len, "%s", s);
		return 0;
	}
	v = strtoll(s + 1, &end, 10);
	if (end == s + 1 || v <= 0 || end[0] == '\0' || end[1] != '\0')
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].u == end[0]) {
			rm_utc_format(rm_utc_now_ms() + v * units[i].ms, buf);
			snprintf(out, len, "%s", buf);
			return 0;
		}
	return -1;
}

/* A list option ("A,B" or repeated) as a JSON array of strings. */
static json_t *
list_opt(const struct cli_args *a, const char *name)
{
	const char *const *vals;
	size_t n = cli_all(a, name, &vals);
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < n; i++) {
		char buf[1200], *items[RM_TASK_ASSIGNEES_MAX + 1];
		int k;

		snprintf(buf, sizeof(buf), "%s", vals[i]);
		if ((k = cli_split(buf, ',', items, RM_TASK_ASSIGNEES_MAX)) <
		    0) {
			json_decref(arr);
			return NULL;
		}
		for (int j = 0; j < k; j++)
			json_array_append_new(arr, json_string(items[j]));
	}
	return arr;
}

static int
run_add(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *const *links;
	size_t nl = cli_all(a, "link", &links);
	char dl[64];
	json_t *o, *as, *arr;

	if (cli_has(a, "id") && cli_check_object_id(c, "--id",
	    cli_get(a, "id")) != 0)
		return CLI_EXIT_USAGE;
	if (deadline_text(cli_get(a, "deadline"), dl, sizeof(dl)) != 0)
		return cli_usage(c, "--deadline: an RFC 3339 time "
		    "(2026-07-01T18:00:00+08:00) or +N with s, m, h or d");
	if ((as = list_opt(a, "assignee")) == NULL)
		return cli_usage(c, "--assignee: at most %d agency ids",
		    RM_TASK_ASSIGNEES_MAX);
	o = json_pack("{s:s,s:o,s:s}", "subject", cli_get(a, "subject"),
	    "assignees", as, "deadline", dl);
	if (o == NULL)
		return cli_fail(c, "out of memory");
	if (cli_has(a, "id"))
		json_object_set_new(o, "id", json_string(cli_get(a, "id")));
	if (cli_has(a, "lead"))
		json_object_set_new(o, "lead", json_string(cli_get(a, "lead")));
	if (cli_has(a, "priority"))
		json_object_set_new(o, "priority",
		    json_string(cli_get(a, "priority")));
	if (cli_has(a, "detail"))
		json_object_set_new(o, "detail",
		    json_string(cli_get(a, "detail")));
	if (cli_has(a, "area")) {
		if ((arr = list_opt(a, "area")) == NULL) {
			json_decref(o);
			return cli_usage(c, "--area: too many");
		}
		json_object_set_new(o, "areas", arr);
	}
	if (nl > 0) {
		arr = json_array();
		for (size_t i = 0; i < nl; i++) {
			const char *slash = strchr(links[i], '/');

			if (slash == NULL || slash == links[i]) {
				json_decref(arr);
				json_decref(o);
				return cli_usage(c, "--link: ORIGIN/OID, e.g. "
				    "120116.gov/bh-flood-1");
			}
			json_array_append_new(arr, json_pack("{s:s%,s:s}",
			    "origin", links[i], (size_t)(slash - links[i]),
			    "oid", slash + 1));
		}
		json_object_set_new(o, "links", arr);
	}
	return cli_api_post_json(a, "/v1/tasks", o, "dispatched");
}

/* "/v1/tasks/<id><suffix>" into path. */
static int
task_path(const struct cli_args *a, const char *suffix, char *path,
    size_t len)
{
	char seg[RM_OBJECT_ID_MAX * 3 + 1];
	int rv;

	if ((rv = cli_check_object_id(a->cmd, "ID", a->pos[0])) != 0)
		return rv;
	if (cli_pct_encode(a->pos[0], seg, sizeof(seg)) != 0)
		return cli_usage(a->cmd, "ID: too long");
	snprintf(path, len, "/v1/tasks/%s%s", seg, suffix);
	return 0;
}

static int
run_ack(const struct cli_args *a)
{
	char path[512];
	json_t *o;
	int rv;

	if ((rv = task_path(a, "/ack", path, sizeof(path))) != 0)
		return rv;
	o = json_pack("{s:s}", "state", cli_get(a, "state"));
	if (o == NULL)
		return cli_fail(a->cmd, "out of memory");
	if (cli_has(a, "note"))
		json_object_set_new(o, "note", json_string(cli_get(a, "note")));
	if (cli_has(a, "reason"))
		json_object_set_new(o, "reason",
		    json_string(cli_get(a, "reason")));
	if (cli_has(a, "origin"))
		json_object_set_new(o, "origin",
		    json_string(cli_get(a, "origin")));
	return cli_api_post_json(a, path, o, "acknowledged");
}

static int
run_close(const struct cli_args *a)
{
	char path[512];
	json_t *o;
	int rv;

	if ((rv = task_path(a, "/close", path, sizeof(path))) != 0)
		return rv;
	o = json_pack("{s:s}", "status", cli_has(a, "cancel") ? "cancelled" :
	    "closed");
	if (o != NULL && cli_has(a, "note"))
		json_object_set_new(o, "note", json_string(cli_get(a, "note")));
	if (o == NULL)
		return cli_fail(a->cmd, "out of memory");
	return cli_api_post_json(a, path, o, cli_has(a, "cancel") ?
	    "cancelled" : "closed");
}

/* "120101.gov:done" per assignee, a '*' after the lead. */
static void
print_acks(json_t *t)
{
	size_t i;
	json_t *x;

	json_array_foreach(json_object_get(t, "acks"), i, x) {
		json_t *st = json_object_get(x, "state");

		printf("%s%s%s:%s", i ? " " : "", cli_jstr(x, "agency"),
		    strcmp(cli_jstr(x, "agency"), cli_jstr(t, "lead")) == 0 ?
		    "*" : "", json_is_string(st) ? json_string_value(st) :
		    "-");
	}
}

static int
run_list(const struct cli_args *a)
{
	static const char *const filters[] = { "assigner", "assignee",
		"area" };
	const struct cli_cmd *c = a->cmd;
	struct cli_http_res res;
	char path[512], enc[200];
	size_t l, i;
	json_t *j, *tasks, *t;
	int rv;

	l = (size_t)snprintf(path, sizeof(path), "/v1/tasks");
	for (size_t k = 0; k < sizeof(filters) / sizeof(filters[0]); k++) {
		const char *v = cli_get(a, filters[k]);

		if (v == NULL)
			continue;
		if (cli_pct_encode(v, enc, sizeof(enc)) != 0)
			return cli_usage(c, "--%s: too long", filters[k]);
		l += (size_t)snprintf(path + l, sizeof(path) - l, "%c%s=%s",
		    strchr(path, '?') ? '&' : '?', filters[k], enc);
	}
	if (cli_has(a, "overdue"))
		l += (size_t)snprintf(path + l, sizeof(path) - l, "%coverdue=1",
		    strchr(path, '?') ? '&' : '?');
	if (l >= sizeof(path))
		return cli_usage(c, "filters too long");
	if ((rv = cli_api_get(a, path, &res)) != CLI_API_BODY)
		return rv;
	j = json_loads(res.body, 0, NULL);
	tasks = json_object_get(j, "tasks");
	if (!json_is_array(tasks)) {
		rv = cli_fail(c, "HTTP 200 but no \"tasks\" array: %.200s",
		    res.body);
		goto out;
	}
	json_array_foreach(tasks, i, t) {
		printf("%-6s %-24.24s %-8s %-30s %lld/%zu ", cli_jstr(t,
		    "priority"), cli_jstr(t, "deadline"),
		    json_is_true(json_object_get(t, "escalated")) ? "ESCALATED" :
		    json_is_true(json_object_get(t, "overdue")) ? "OVERDUE" :
		    "open", cli_jstr(t, "object_id"), cli_jint(t, "done"),
		    json_array_size(json_object_get(t, "acks")));
		printf("%s %s [", cli_jstr(t, "origin"), cli_jstr(t, "subject"));
		print_acks(t);
		printf("]\n");
	}
	printf("%zu open task%s%s\n", json_array_size(tasks),
	    json_array_size(tasks) == 1 ? "" : "s", cli_has(a, "overdue") ?
	    " overdue" : "");
	rv = CLI_EXIT_OK;
out:
	json_decref(j);
	cli_http_res_fini(&res);
	return rv;
}

static int
run_show(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	struct cli_http_res res;
	char path[700], enc[200];
	json_t *j, *t, *h;
	size_t i;
	int rv;

	if ((rv = task_path(a, "", path, sizeof(path))) != 0)
		return rv;
	if (cli_has(a, "origin")) {
		if (cli_pct_encode(cli_get(a, "origin"), enc, sizeof(enc)) != 0)
			return cli_usage(c, "--origin: too long");
		snprintf(path + strlen(path), sizeof(path) - strlen(path),
		    "?origin=%s", enc);
	}
	if ((rv = cli_api_get(a, path, &res)) != CLI_API_BODY)
		return rv;
	j = json_loads(res.body, 0, NULL);
	t = json_object_get(j, "task");
	if (!json_is_object(t)) {
		rv = cli_fail(c, "HTTP 200 but no \"task\": %.200s", res.body);
		goto out;
	}
	printf("task      %s/%s ver %lld\nsubject   %s\nstatus    %s%s%s\n"
	    "priority  %s\ndeadline  %s\nlead      %s\nacks      ",
	    cli_jstr(t, "origin"), cli_jstr(t, "object_id"), cli_jint(t, "ver"),
	    cli_jstr(t, "subject"), cli_jstr(t, "status"),
	    json_is_true(json_object_get(t, "overdue")) ? ", overdue" : "",
	    json_is_true(json_object_get(t, "escalated")) ? ", escalated" : "",
	    cli_jstr(t, "priority"), cli_jstr(t, "deadline"),
	    cli_jstr(t, "lead"));
	print_acks(t);
	printf("\nhistory:\n");
	json_array_foreach(json_object_get(j, "history"), i, h) {
		const char *role = cli_jstr(h, "role");
		json_t *n = json_object_get(h, "note"),
		    *r = json_object_get(h, "reason");

		printf("  %-24.24s %-10s %-20s ver %lld  %s", cli_jstr(h,
		    "issued"), role, cli_jstr(h, "origin"), cli_jint(h, "ver"),
		    strcmp(role, "ack") == 0 ? cli_jstr(h, "state") :
		    strcmp(role, "task") == 0 ? cli_jstr(h, "status") :
		    "overdue");
		if (json_is_string(n))
			printf(" (%s)", json_string_value(n));
		if (json_is_string(r))
			printf(" (%s)", json_string_value(r));
		printf("\n");
	}
	rv = CLI_EXIT_OK;
out:
	json_decref(j);
	cli_http_res_fini(&res);
	return rv;
}

static const struct cli_opt add_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "id", 0, "ID", 0, "task id (default: made by the node)" },
	{ "subject", 0, "TEXT", CLI_REQUIRED, "what is to be done" },
	{ "detail", 0, "TEXT", 0, "more about it" },
	{ "assignee", 0, "AGENCY[,...]", CLI_REQUIRED | CLI_MULTI,
	  "the units it is assigned to (承办单位)" },
	{ "lead", 0, "AGENCY", 0, "the lead unit (牵头单位; default: the "
	  "only assignee)" },
	{ "priority", 0, "P", 0, "urgent|high|normal|low (default normal)" },
	{ "deadline", 0, "TIME", CLI_REQUIRED, "RFC 3339, or +N with s, m, "
	  "h or d from now" },
	{ "link", 0, "ORIGIN/OID", CLI_MULTI, "a risk or alert it is about" },
	{ "area", 0, "CODE[,...]", CLI_MULTI, "areas (default: the "
	  "agency's first)" },
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt ack_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "state", 0, "S", CLI_REQUIRED, "received|in_progress|done|refused" },
	{ "note", 0, "TEXT", 0, "what was done (required for done)" },
	{ "reason", 0, "TEXT", 0, "why it is refused (required for refused)" },
	{ "origin", 0, "AGENCY", 0, "the assigner, if several have task ID" },
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt close_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "cancel", 0, NULL, 0, "cancel instead of closing as done" },
	{ "note", 0, "TEXT", 0, "why" },
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt list_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "assigner", 0, "AGENCY", 0, "tasks dispatched by AGENCY" },
	{ "assignee", 0, "AGENCY", 0, "tasks assigned to AGENCY" },
	{ "area", 0, "CODE", 0, "areas containing or inside CODE" },
	{ "overdue", 0, NULL, 0, "only overdue tasks" },
	{ "json", 0, NULL, 0, "print the API's JSON" },
	{ "csv", 0, NULL, 0, "print the CSV view (UTF-8 with BOM)" },
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt show_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "origin", 0, "AGENCY", 0, "the assigner, if several have task ID" },
	{ "json", 0, NULL, 0, "print the API's JSON" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_task_add = {
	.name = "task add",
	.synopsis = "-c NODE.CONF --subject T --assignee AGENCY[,...] "
	    "--deadline TIME [...]",
	.summary = "dispatch a task (交办) to other agencies",
	.details = "POST /v1/tasks: the node signs the task record and "
	    "replicates it; at the\ndeadline, if some assignee is not done, "
	    "it issues an escalation to the lead unit.",
	.opts = add_opts,
	.run = run_add,
};

const struct cli_cmd cli_task_ack = {
	.name = "task ack",
	.synopsis = "-c NODE.CONF ID --state S [--note T] [--reason T]",
	.summary = "acknowledge a task assigned to this node's agency",
	.min_pos = 1,
	.max_pos = 1,
	.opts = ack_opts,
	.run = run_ack,
};

const struct cli_cmd cli_task_close = {
	.name = "task close",
	.synopsis = "-c NODE.CONF ID [--cancel] [--note T]",
	.summary = "close (办结) or cancel a task of this node's agency",
	.min_pos = 1,
	.max_pos = 1,
	.opts = close_opts,
	.run = run_close,
};

const struct cli_cmd cli_task_list = {
	.name = "task list",
	.synopsis = "-c NODE.CONF [--assigner A] [--assignee A] [--area CODE] "
	    "[--overdue] [--json|--csv]",
	.summary = "open tasks with their acks (GET /v1/tasks)",
	.opts = list_opts,
	.run = run_list,
};

const struct cli_cmd cli_task_show = {
	.name = "task show",
	.synopsis = "-c NODE.CONF ID [--origin AGENCY] [--json]",
	.summary = "one task with its whole history (versions, acks, "
	    "escalation)",
	.details = "Without --origin the task is looked up among this "
	    "node's agency's own tasks\nand the open ones assigned to it. On "
	    "a node that is neither the assigner\nnor an assignee (a third "
	    "node, the centre), give --origin AGENCY: the\nassigner.",
	.min_pos = 1,
	.max_pos = 1,
	.opts = show_opts,
	.run = run_show,
};
