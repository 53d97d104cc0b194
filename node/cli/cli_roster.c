/*
 * cli_roster.c -- `riskmesh roster publish`: send the federation
 * directory's agency records (DIR/agencies.cbor, verified first) to a
 * node's POST /v1/records (docs/API.md) as one CBOR sequence
 * (application/cbor-seq, RFC 8742), and print what the node did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "node/cli/cli.h"

/* "http://HOST:PORT[/]" or "HOST:PORT" to HOST:PORT; -1 if neither. */
static int
node_addr(const char *url, char *out, size_t n)
{
	const char *p = url;
	size_t l;

	if (strncmp(p, "http://", 7) == 0)
		p += 7;
	else if (strstr(p, "://") != NULL)
		return -1;
	l = strlen(p);
	while (l > 0 && p[l - 1] == '/')
		l--;
	if (l == 0 || l >= n || memchr(p, '/', l) != NULL ||
	    memchr(p, ':', l) == NULL)
		return -1;
	memcpy(out, p, l);
	out[l] = '\0';
	return 0;
}

static int
report(const struct cli_cmd *c, const struct cli_http_res *res)
{
	json_t *j = json_loads(res->body, 0, NULL), *refused;
	size_t n_refused;
	int rv = CLI_EXIT_OK;

	if (!json_is_object(j)) {
		json_decref(j);
		return cli_fail(c, "HTTP %d: the answer is not a JSON object",
		    res->status);
	}
	refused = json_object_get(j, "refused");
	n_refused = json_is_array(refused) ? json_array_size(refused) : 0;
	printf("stored %lld, duplicate %lld, refused %zu\n",
	    cli_jint(j, "stored"), cli_jint(j, "duplicate"), n_refused);
	for (size_t i = 0; i < n_refused; i++) {
		json_t *r = json_array_get(refused, i);

		printf("  record %lld: %s %s\n", cli_jint(r, "index"),
		    cli_jstr(r, "error"), cli_jstr(r, "reason"));
	}
	if (n_refused > 0)
		rv = cli_fail(c, "the node refused %zu record%s", n_refused,
		    n_refused == 1 ? "" : "s");
	json_decref(j);
	return rv;
}

static int
run_publish(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *token = cli_get(a, "token");
	struct cli_http_res res = { .body = NULL };
	struct feddir fd;
	const uint8_t *p;
	char addr[300];
	size_t n;
	rm_why why;
	int rv;

	if (node_addr(cli_get(a, "node"), addr, sizeof(addr)) != 0)
		return cli_usage(c, "--node: \"%s\" is not http://HOST:PORT",
		    cli_get(a, "node"));
	if (token == NULL)
		token = getenv("RISKMESH_TOKEN");
	if ((rv = feddir_open(c, cli_get(a, "dir"), false, &fd)) != 0)
		return rv;
	p = registry_data(fd.reg, &n);
	if (n == 0) {
		printf("%s/%s: no agency records to publish\n", fd.dir,
		    FEDDIR_RECORDS);
		goto out;
	}
	printf("publishing %zu records (%zu bytes) to http://%s\n",
	    registry_records(fd.reg), n, addr);
	if (cli_http_send(addr, token ? token : "", "POST", "/v1/records",
	    "application/cbor-seq", p, n, &res, &why) != RM_OK) {
		rv = cli_fail(c, "%s", why.msg);
		goto out;
	}
	if (res.status != 200)
		rv = cli_api_report(c, &res);
	else
		rv = report(c, &res);
out:
	cli_http_res_fini(&res);
	feddir_close(&fd);
	return rv;
}

static const struct cli_opt publish_opts[] = {
	{ "dir", 0, "DIR", CLI_REQUIRED, "federation directory" },
	{ "node", 0, "URL", CLI_REQUIRED, "the node's HTTP API, "
	  "http://HOST:PORT (its http_listen)" },
	{ "token", 0, "TOKEN", 0, "the node's http_token (default: "
	  "$RISKMESH_TOKEN)" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_roster_publish = {
	.name = "roster publish",
	.synopsis = "--dir DIR --node URL [--token TOKEN]",
	.summary = "send the agency records to a node (POST /v1/records)",
	.details = "Verifies DIR/agencies.cbor against the charter, then "
	    "POSTs it whole to the\nnode as application/cbor-seq. The node "
	    "stores the records it lacks and\nreplicates them to its peers. "
	    "Prints how many were stored, already held\n(duplicate) and "
	    "refused (with the reason); exit 1 if any was refused.",
	.opts = publish_opts,
	.run = run_publish,
};
