/*
 * cli_gateway.c -- `riskmesh gateway add|list|policy`: the gateway links
 * of a node to other federations (docs/PROTOCOL.md §12). add and policy
 * edit node.conf (its `foreign` and `gateway` lines; riskmeshd reads
 * them at start); list shows the links with their policy, state and lag
 * from GET /v1/status.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "federation/peer/peer.h"
#include "node/cli/cli.h"
#include "node/config/config.h"

extern char **environ;

/* The policy text from --kinds, --areas, --grade, --agencies, checked
 * with the parser riskmeshd uses. */
static int
policy_from_args(const struct cli_args *a, char *out, size_t len)
{
	struct gateway_policy p;
	char text[GATEWAY_POLICY_MAX];
	rm_why why;
	static const char *const terms[] = { "kinds", "areas", "grade",
		"agencies" };
	size_t off = 0;

	text[0] = '\0';
	for (size_t i = 0; i < 4; i++) {
		const char *v = cli_get(a, terms[i]);
		int k;

		if (v == NULL)
			continue;
		k = snprintf(text + off, sizeof(text) - off, "%s%s=%s",
		    off ? " " : "", terms[i], v);
		if (k < 0 || (size_t)k >= sizeof(text) - off)
			return cli_usage(a->cmd, "policy too long");
		off += (size_t)k;
	}
	if (gateway_policy_parse(text, &p, &why) != RM_OK)
		return cli_usage(a->cmd, "%s", why.msg);
	gateway_policy_format(&p, out, len);
	return 0;
}

/* riskmeshd beside this riskmesh (build/node/ or the install's bin/),
 * or "" when there is none. */
static void
daemon_path(char *out, size_t len)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	out[0] = '\0';
	if (n <= 0)
		return;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return;
	*slash = '\0';
	if ((size_t)snprintf(out, len, "%s/riskmeshd", self) >= len ||
	    access(out, X_OK) != 0)
		out[0] = '\0';
}

/* `riskmeshd -n -c path`: 0 when it accepts the file; its output shown
 * otherwise. */
static int
daemon_check(const struct cli_cmd *c, const char *daemon, const char *path)
{
	char *argv[] = { (char *)daemon, "-n", "-c", (char *)path, NULL };
	pid_t pid;
	int st;

	if (posix_spawn(&pid, daemon, NULL, NULL, argv, environ) != 0 ||
	    waitpid(pid, &st, 0) != pid)
		return cli_fail(c, "cannot run %s -n", daemon);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	return cli_fail(c, "riskmeshd -n refuses the result (shown above); "
	    "node.conf left unchanged");
}

/* Write cf back to path (0600), as `riskmesh node config` does, after
 * riskmeshd -n accepted it (the checks that need the roster: foreign
 * areas must not overlap the home federation's, a gateway peer must be
 * inside its federation's areas), so that node.conf never holds a
 * configuration the node refuses to start with. */
static int
conf_save(const struct cli_cmd *c, const char *path,
    const struct node_config *cf)
{
	char header[256], tmp[CONFIG_PATH_MAX + 16], daemon[4096];
	rm_why why;
	int rv;

	if (config_check(cf, &why) != RM_OK)
		return cli_usage(c, "%s", why.msg);
	snprintf(header, sizeof(header), "# riskmeshd configuration for %s\n"
	    "# rewritten by 'riskmesh %s'; check with 'riskmeshd -n -c "
	    "FILE'\n", cf->agency, c->name);
	daemon_path(daemon, sizeof(daemon));
	if (daemon[0] == '\0')         /* no daemon here: config_check only */
		return cli_conf_write(c, path, cf, header);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.check", path) >=
	    sizeof(tmp))
		return cli_usage(c, "%s: path too long", path);
	if ((rv = cli_conf_write(c, tmp, cf, header)) != CLI_EXIT_OK)
		return rv;
	if ((rv = daemon_check(c, daemon, tmp)) == 0 &&
	    rename(tmp, path) != 0)
		rv = cli_fail(c, "%s: %s", path, strerror(errno));
	if (rv != 0)
		(void)unlink(tmp);
	return rv;
}

static struct node_config *
conf_load(const struct cli_cmd *c, const char *path)
{
	struct node_config *cf = malloc(sizeof(*cf));
	rm_why why;

	if (cf == NULL) {
		cli_fail(c, "out of memory");
		return NULL;
	}
	if (config_load(path, cf, &why) != RM_OK) {
		cli_fail(c, "%s", why.msg);
		free(cf);
		return NULL;
	}
	return cf;
}

static void
conf_free(struct node_config *cf)
{
	if (cf != NULL)
		memset(cf, 0, sizeof(*cf));
	free(cf);
}

static int
run_add(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *path = cli_get(a, "config"), *fname = cli_get(a, "federation");
	char line[CONFIG_URL_MAX + CONFIG_POLICY_MAX + 128];
	char policy[GATEWAY_POLICY_MAX];
	struct node_config *cf;
	bool known = false;
	rm_why why;
	int rv;

	if ((rv = policy_from_args(a, policy, sizeof(policy))) != 0)
		return rv;
	if ((cf = conf_load(c, path)) == NULL)
		return CLI_EXIT_FAIL;
	for (size_t i = 0; i < cf->n_foreign; i++)
		known |= strcmp(cf->foreign[i].name, fname) == 0;
	if (!known && cli_get(a, "root") == NULL) {
		conf_free(cf);
		return cli_usage(c, "federation %s has no foreign line: give "
		    "--root CERT and --fed-areas LIST", fname);
	}
	if (!known) {
		char root[CONFIG_PATH_MAX];

		if (cli_abspath(cli_get(a, "root"), root, sizeof(root)) != 0 ||
		    cli_get(a, "fed-areas") == NULL) {
			conf_free(cf);
			return cli_usage(c, "--root: bad path, or --fed-areas "
			    "missing");
		}
		snprintf(line, sizeof(line), "%s %s %s", fname, root,
		    cli_get(a, "fed-areas"));
		if (config_set(cf, "foreign", line, NULL, &why) != RM_OK) {
			conf_free(cf);
			return cli_usage(c, "%s", why.msg);
		}
	}
	snprintf(line, sizeof(line), "%s %s %s %s %s", a->pos[0], a->pos[1],
	    a->pos[2], fname, policy);
	if (config_set(cf, "gateway", line, NULL, &why) != RM_OK) {
		conf_free(cf);
		return cli_usage(c, "%s", why.msg);
	}
	if ((rv = conf_save(c, path, cf)) == CLI_EXIT_OK)
		printf("gateway %s (%s) added to %s: %s; restart riskmeshd to "
		    "use it\n", a->pos[0], fname, path, policy);
	conf_free(cf);
	return rv;
}

static int
run_policy(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *path = cli_get(a, "config");
	char policy[GATEWAY_POLICY_MAX];
	struct node_config *cf;
	struct config_gateway *g = NULL;
	int rv;

	if ((cf = conf_load(c, path)) == NULL)
		return CLI_EXIT_FAIL;
	for (size_t i = 0; i < cf->n_gateways; i++)
		if (strcmp(cf->gateways[i].peer.agency, a->pos[0]) == 0)
			g = &cf->gateways[i];
	if (g == NULL) {
		conf_free(cf);
		return cli_fail(c, "%s: no gateway %s", path, a->pos[0]);
	}
	if (!cli_has(a, "kinds")) {         /* show it */
		printf("%s %s %s\n", g->peer.agency, g->federation, g->policy);
		conf_free(cf);
		return CLI_EXIT_OK;
	}
	if ((rv = policy_from_args(a, policy, sizeof(policy))) != 0) {
		conf_free(cf);
		return rv;
	}
	snprintf(g->policy, sizeof(g->policy), "%s", policy);
	if ((rv = conf_save(c, path, cf)) == CLI_EXIT_OK)
		printf("gateway %s: %s; restart riskmeshd to use it\n",
		    a->pos[0], policy);
	conf_free(cf);
	return rv;
}

static const char *
str_or(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : dflt;
}

static int
run_list(const struct cli_args *a)
{
	struct cli_http_res r;
	json_t *j, *gws, *g;
	json_error_t err;
	size_t i;
	int rv;

	if ((rv = cli_api_request(a->cmd, cli_get(a, "config"), "GET",
	    "/v1/status", NULL, &r)) != 0)
		return rv;
	if (r.status != 200) {
		rv = cli_api_report(a->cmd, &r);
		cli_http_res_fini(&r);
		return rv;
	}
	j = json_loadb(r.body, r.len, 0, &err);
	cli_http_res_fini(&r);
	if (j == NULL || !json_is_array(gws = json_object_get(j, "gateways"))) {
		json_decref(j);
		return cli_fail(a->cmd, "GET /v1/status: no gateways");
	}
	if (cli_has(a, "json")) {
		char *s = json_dumps(gws, JSON_INDENT(2));

		printf("%s\n", s != NULL ? s : "[]");
		free(s);
		json_decref(j);
		return CLI_EXIT_OK;
	}
	printf("%zu gateway%s\n", json_array_size(gws),
	    json_array_size(gws) == 1 ? "" : "s");
	json_array_foreach(gws, i, g) {
		json_t *lag = json_object_get(g, "lag");

		printf("%s  %s  %s  sent %lld received %lld policy_refused "
		    "%lld foreign_refused %lld queued %lld last_sent %s "
		    "last_received %s\n  policy: %s\n",
		    str_or(g, "agency", "?"), str_or(g, "federation", "?"),
		    str_or(g, "state", "?"),
		    (long long)json_integer_value(json_object_get(g,
		    "records_sent")),
		    (long long)json_integer_value(json_object_get(g,
		    "records_received")),
		    (long long)json_integer_value(json_object_get(g,
		    "policy_refused")),
		    (long long)json_integer_value(json_object_get(g,
		    "foreign_refused")),
		    (long long)json_integer_value(json_object_get(lag,
		    "queued")),
		    str_or(lag, "last_sent", "never"),
		    str_or(lag, "last_received", "never"),
		    str_or(g, "policy", ""));
	}
	json_decref(j);
	return CLI_EXIT_OK;
}

#define POLICY_OPTS \
	{ "kinds", 0, "K[,K]", 0, "kinds that cross, e.g. alert,agency " \
	  "(agency: the other side needs the agency records)" }, \
	{ "areas", 0, "A[,A]", 0, "every area of a record inside one of " \
	  "these codes (110000: all of 11xxxx)" }, \
	{ "grade", 0, "GRADE", 0, "lowest grade that crosses: blue, yellow, " \
	  "orange, red" }, \
	{ "agencies", 0, "ID[,ID]", 0, "only these origins" }

static const struct cli_opt add_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "node.conf to edit" },
	{ "federation", 0, "NAME", CLI_REQUIRED, "the other federation "
	  "(its charter's name)" },
	{ "root", 0, "CERT", 0, "its root certificate (ca.crt), when node.conf "
	  "has no foreign line for it yet" },
	{ "fed-areas", 0, "A[,A]", 0, "the areas its root is trusted for, "
	  "with --root" },
	POLICY_OPTS,
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_gateway_add = {
	.name = "gateway add",
	.synopsis = "-c NODE.CONF ID dial|listen URL --federation NAME "
	    "--kinds K [--areas A] [--grade G] [--agencies IDS]",
	.summary = "add a gateway link to another federation to node.conf",
	.details = "Adds `gateway = ID MODE URL NAME POLICY` (and, with --root, "
	    "`foreign = NAME CERT AREAS`) to node.conf; docs/PROTOCOL.md §12. "
	    "The policy decides what crosses the link, both ways; the other "
	    "side configures its own.",
	.opts = add_opts,
	.min_pos = 3,
	.max_pos = 3,
	.run = run_add,
};

static const struct cli_opt policy_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "node.conf to edit" },
	POLICY_OPTS,
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_gateway_policy = {
	.name = "gateway policy",
	.synopsis = "-c NODE.CONF ID [--kinds K [--areas A] [--grade G] "
	    "[--agencies IDS]]",
	.summary = "show or replace the export policy of a gateway link",
	.details = "Without --kinds prints the policy; with it, replaces it in "
	    "node.conf (restart riskmeshd to apply).",
	.opts = policy_opts,
	.min_pos = 1,
	.max_pos = 1,
	.run = run_policy,
};

static const struct cli_opt list_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "json", 0, NULL, 0, "print the gateways array of GET /v1/status" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_gateway_list = {
	.name = "gateway list",
	.synopsis = "-c NODE.CONF [--json]",
	.summary = "show the gateway links: policy, state, lag (GET /v1/status)",
	.opts = list_opts,
	.run = run_list,
};
