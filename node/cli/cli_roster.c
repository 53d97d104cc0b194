/*
 * cli_roster.c -- `riskmesh roster publish`: send the federation
 * directory's agency records (DIR/agencies.cbor, verified first) to a
 * node's POST /v1/records (docs/API.md) as CBOR sequences
 * (application/cbor-seq, RFC 8742) of at most 1 MiB each, and print
 * what the node did.
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

/* POST /v1/records takes at most 1 MiB (docs/API.md): the file goes in
 * pieces that end on record boundaries. */
#define PUBLISH_PIECE_MAX (1024 * 1024)

struct tally {
	long long stored, duplicate, refused;
};

/* Add one answer to t; print its refusals (index into the whole file:
 * first + the index in the piece). */
static int
tally_add(const struct cli_cmd *c, const struct cli_http_res *res,
    size_t first, struct tally *t)
{
	json_t *j = json_loads(res->body, 0, NULL), *refused;
	size_t n_refused;

	if (!json_is_object(j)) {
		json_decref(j);
		return cli_fail(c, "HTTP %d: the answer is not a JSON object",
		    res->status);
	}
	refused = json_object_get(j, "refused");
	n_refused = json_is_array(refused) ? json_array_size(refused) : 0;
	t->stored += cli_jint(j, "stored");
	t->duplicate += cli_jint(j, "duplicate");
	t->refused += json_object_get(j, "refused_total") != NULL ?
	    cli_jint(j, "refused_total") : (long long)n_refused;
	for (size_t i = 0; i < n_refused; i++) {
		json_t *r = json_array_get(refused, i);

		printf("  record %lld: %s %s\n",
		    (long long)first + cli_jint(r, "index"),
		    cli_jstr(r, "error"), cli_jstr(r, "reason"));
	}
	json_decref(j);
	return CLI_EXIT_OK;
}

/* Send p[0..n) (complete records) in pieces of at most
 * PUBLISH_PIECE_MAX bytes. */
static int
send_pieces(const struct cli_cmd *c, const char *addr, const char *token,
    const uint8_t *p, size_t n, struct tally *t)
{
	size_t start = 0, index = 0;
	rm_cbor_rd rd;
	rm_why why;
	int rv;

	rm_cbor_rd_init(&rd, p, n);
	while (start < n) {
		struct cli_http_res res = { .body = NULL };
		size_t end = start, first = index;

		/* whole records while they fit (one record is < 64 KiB) */
		while (rd.off < n) {
			size_t at = rd.off;

			if (rm_cbor_rd_skip(&rd) != RM_OK)
				return cli_fail(c, "record %zu: not a complete "
				    "CBOR item", index);
			if (rd.off - start > PUBLISH_PIECE_MAX) {
				rd.off = at;
				break;
			}
			end = rd.off;
			index++;
		}
		rv = cli_http_send(addr, token, "POST", "/v1/records",
		    "application/cbor-seq", p + start, end - start, &res, &why);
		if (rv != RM_OK) {
			cli_http_res_fini(&res);
			return cli_fail(c, "%s", why.msg);
		}
		rv = res.status == 200 ? tally_add(c, &res, first, t) :
		    cli_api_report(c, &res);
		cli_http_res_fini(&res);
		if (rv != CLI_EXIT_OK)
			return rv;
		start = end;
	}
	return CLI_EXIT_OK;
}

static int
run_publish(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *token = cli_get(a, "token");
	struct tally t = { 0, 0, 0 };
	struct feddir fd;
	const uint8_t *p;
	char addr[300];
	size_t n;
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
	if ((rv = send_pieces(c, addr, token ? token : "", p, n, &t)) != 0)
		goto out;
	printf("stored %lld, duplicate %lld, refused %lld\n", t.stored,
	    t.duplicate, t.refused);
	if (t.refused > 0)
		rv = cli_fail(c, "the node refused %lld record%s", t.refused,
		    t.refused == 1 ? "" : "s");
out:
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
