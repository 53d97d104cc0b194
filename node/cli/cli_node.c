/*
 * cli_node.c -- `riskmesh node config`: write a working node.conf for
 * one agency of a federation directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/cli/cli.h"
#include "node/config/config.h"

/* Set key from an option value through the config table's parser. */
static int
set(const struct cli_cmd *c, struct node_config *cf, const char *opt,
    const char *key, const char *val)
{
	rm_why why;

	if (config_set(cf, key, val, NULL, &why) != RM_OK)
		return cli_usage(c, "--%s: %s", opt, why.msg);
	return CLI_EXIT_OK;
}

/*
 * --peer ID,dial|listen,URL: parsed by the table's `peer` parser, then
 * refused if it names the node itself (--id) or a peer given before.
 */
static int
add_peer(const struct cli_cmd *c, struct node_config *cf, const char *arg)
{
	char buf[CONFIG_URL_MAX + 96], line[CONFIG_URL_MAX + 96], *f[3];
	const struct config_peer *p;
	int rv;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf) ||
	    cli_split(buf, ',', f, 3) != 3)
		return cli_usage(c, "--peer: \"%s\": expected "
		    "ID,dial|listen,URL", arg);
	snprintf(line, sizeof(line), "%s %s %s", f[0], f[1], f[2]);
	if ((rv = set(c, cf, "peer", "peer", line)) != 0)
		return rv;
	p = &cf->peers[cf->n_peers - 1];
	if (strcmp(p->agency, cf->agency) == 0)
		return cli_usage(c, "--peer: %s is the node's own agency "
		    "(--id); a node does not peer with itself", p->agency);
	for (size_t i = 0; i + 1 < cf->n_peers; i++)
		if (strcmp(cf->peers[i].agency, p->agency) == 0)
			return cli_usage(c, "--peer: %s given twice (one "
			    "link per peer agency)", p->agency);
	return CLI_EXIT_OK;
}

/* Key, TLS, CA, roster (charter) and agency records paths into the
 * federation directory, through config_set (so a directory name
 * node.conf cannot carry is refused). */
static int
set_dir_paths(const struct cli_cmd *c, struct node_config *cf,
    const struct feddir *fd, const char *id)
{
	static const struct {
		const char *key, *fmt;
	} files[] = {
		{ "key", FEDDIR_AGENCIES "/%s/agency.key" },
		{ "tls_key", FEDDIR_AGENCIES "/%s/tls.key" },
		{ "tls_cert", FEDDIR_AGENCIES "/%s/tls.crt" },
		{ "ca", FEDDIR_CA },
		{ "roster", FEDDIR_ROSTER },
		{ "agencies", FEDDIR_RECORDS },
	};
	char path[CONFIG_PATH_MAX];
	int rv;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (feddir_path(fd, path, sizeof(path), files[i].fmt, id) != 0)
			return cli_usage(c, "--dir: %s: path too long",
			    files[i].key);
		if ((rv = set(c, cf, "dir", files[i].key, path)) != 0)
			return rv;
	}
	/* optional: directories made before restricted records have no
	 * enc.key until `agency add` runs again for the agency */
	if (feddir_path(fd, path, sizeof(path), FEDDIR_AGENCIES
	    "/%s/enc.key", id) != 0)
		return cli_usage(c, "--dir: enc_key: path too long");
	if (access(path, R_OK) == 0 &&
	    (rv = set(c, cf, "dir", "enc_key", path)) != 0)
		return rv;
	return CLI_EXIT_OK;
}

static int
run_config(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *id = cli_get(a, "id"), *out = cli_get(a, "output");
	const char *const *peers;
	struct node_config *cf;
	struct feddir fd = { .root = NULL, .roster = NULL };
	char path[CONFIG_PATH_MAX], header[512];
	size_t n_peers;
	rm_why why;
	int rv;

	if ((cf = calloc(1, sizeof(*cf))) == NULL)
		return cli_fail(c, "out of memory");
	config_defaults(cf);
	rv = set(c, cf, "id", "agency", id);
	if (rv == 0 && cli_abspath(cli_get(a, "data-dir"), path,
	    sizeof(path)) != 0)
		rv = cli_usage(c, "--data-dir: path too long");
	if (rv == 0)
		rv = set(c, cf, "data-dir", "data_dir", path);
	if (rv == 0)
		rv = set(c, cf, "http", "http_listen", cli_get(a, "http"));
	if (rv == 0)
		rv = set(c, cf, "coap", "coap_listen", cli_get(a, "coap"));
	if (rv == 0 && cli_get(a, "coaps") != NULL)
		rv = set(c, cf, "coaps", "coaps_listen", cli_get(a, "coaps"));
	if (rv == 0 && cli_has(a, "insecure"))
		rv = set(c, cf, "insecure", "insecure", "yes");
	if (rv == 0 && cli_get(a, "log-level") != NULL)
		rv = set(c, cf, "log-level", "log_level",
		    cli_get(a, "log-level"));
	if (rv == 0 && cli_get(a, "token") != NULL)
		rv = set(c, cf, "token", "http_token", cli_get(a, "token"));
	if (rv == 0 && cli_get(a, "rules") != NULL) {
		if (cli_abspath(cli_get(a, "rules"), path, sizeof(path)) != 0)
			rv = cli_usage(c, "--rules: path too long");
		else
			rv = set(c, cf, "rules", "rules", path);
	}
	if (rv == 0 && cli_has(a, "rules-auto-issue"))
		rv = set(c, cf, "rules-auto-issue", "rules_auto_issue", "yes");
	n_peers = cli_all(a, "peer", &peers);
	for (size_t i = 0; rv == 0 && i < n_peers; i++)
		rv = add_peer(c, cf, peers[i]);
	if (rv != 0)
		goto out;

	if ((rv = feddir_open(c, cli_get(a, "dir"), false, &fd)) != 0)
		goto out;
	rv = CLI_EXIT_FAIL;
	if (roster_find(fd.roster, id) == NULL) {
		cli_fail(c, "--id: %s is not in the roster of %s (neither the "
		    "charter nor the agency records; add it with 'riskmesh "
		    "agency add')", id, fd.dir);
		goto out;
	}
	if (roster_find(fd.roster, id)->removed) {
		cli_fail(c, "--id: %s was removed from the federation", id);
		goto out;
	}
	for (size_t i = 0; i < cf->n_peers; i++) {
		const struct roster_agency *pa = roster_find(fd.roster,
		    cf->peers[i].agency);

		if (pa == NULL || pa->removed) {
			cli_fail(c, "--peer: %s %s", cf->peers[i].agency,
			    pa == NULL ? "is not in the roster" : "was removed "
			    "from the federation");
			goto out;
		}
	}
	if ((rv = set_dir_paths(c, cf, &fd, id)) != 0)
		goto out;
	/* A federation without agency records yet: an empty sequence. */
	if (access(cf->agencies_file, F_OK) != 0 &&
	    rm_file_write_atomic(cf->agencies_file, "", 0, 0644, &why) !=
	    RM_OK) {
		rv = cli_fail(c, "%s", why.msg);
		goto out;
	}
	rv = CLI_EXIT_FAIL;
	if (cf->http_token[0] == '\0') {
		uint8_t raw[16];

		if (crypto_random(raw, sizeof(raw)) != RM_OK) {
			cli_fail(c, "http_token: no random bytes");
			goto out;
		}
		rm_hex_encode(raw, sizeof(raw), cf->http_token);
	}
	if (config_check(cf, &why) != RM_OK) {
		rv = cli_usage(c, "%s", why.msg);
		goto out;
	}
	snprintf(header, sizeof(header), "# riskmeshd configuration for %s, "
	    "federation %s\n# written by 'riskmesh node config'; check with "
	    "'riskmeshd -n -c FILE'\n", id, roster_federation(fd.roster));
	if ((rv = cli_conf_write(c, out, cf, header)) != CLI_EXIT_OK)
		goto out;
	printf("wrote %s for %s: http %s, coap %s, %zu peer%s\n", out, id,
	    cf->http_listen, cf->coap_listen, cf->n_peers,
	    cf->n_peers == 1 ? "" : "s");
	rv = CLI_EXIT_OK;
out:
	memset(cf, 0, sizeof(*cf));
	free(cf);
	feddir_close(&fd);
	return rv;
}

int
cli_conf_write(const struct cli_cmd *c, const char *path,
    const struct node_config *cf, const char *header)
{
	char *text = NULL;
	size_t len = 0;
	rm_why why;
	FILE *m;
	int rv = CLI_EXIT_FAIL;

	if ((m = open_memstream(&text, &len)) == NULL)
		return cli_fail(c, "out of memory");
	fputs(header, m);
	if (config_write(cf, m, true, true) != RM_OK) {
		fclose(m);
		cli_fail(c, "cannot write a value in node.conf syntax");
		goto out;
	}
	if (fclose(m) != 0) {
		cli_fail(c, "out of memory");
		goto out;
	}
	if (rm_file_write_atomic(path, text, len, 0600, &why) != RM_OK) {
		cli_fail(c, "%s", why.msg);
		goto out;
	}
	rv = CLI_EXIT_OK;
out:
	if (text != NULL) {
		memset(text, 0, len);   /* holds the token */
		free(text);
	}
	return rv;
}

static const struct cli_opt config_opts[] = {
	{ "dir", 0, "DIR", CLI_REQUIRED, "federation directory" },
	{ "id", 0, "ID", CLI_REQUIRED, "the node's agency (in the roster)" },
	{ "data-dir", 0, "PATH", CLI_REQUIRED, "store directory" },
	{ "http", 0, "HOST:PORT", CLI_REQUIRED, "HTTP/JSON API address" },
	{ "coap", 0, "HOST:PORT|off", CLI_REQUIRED, "CoAP server address" },
	{ "coaps", 0, "HOST:PORT|off", 0, "CoAP over DTLS-PSK for registered "
	  "devices (default off; docs/COAP.md)" },
	{ "peer", 0, "ID,dial|listen,URL", CLI_MULTI,
	  "federation link, URL tls+tcp://HOST:PORT" },
	{ "insecure", 0, NULL, 0, "allow tcp:// peers (tests only)" },
	{ "token", 0, "TOKEN", 0, "HTTP bearer token, " CONFIG_TOKEN_RULE
	  " (default: 32 random hex digits)" },
	{ "log-level", 0, "LEVEL", 0, "debug|info|notice|warn|err" },
	{ "rules", 0, "FILE", 0, "monitoring rules file (docs/RULES.md; "
	  "check it with 'riskmesh rules check')" },
	{ "rules-auto-issue", 0, NULL, 0, "let rules marked auto_issue issue "
	  "without confirmation" },
	{ "output", 'o', "FILE", CLI_REQUIRED, "node.conf to write (0600)" },
	{ NULL, 0, NULL, 0, NULL },
};

static void
describe_key(void *arg, const char *key, const char *type, const char *dflt,
    const char *help)
{
	(void)arg;
	printf("  %-18s %-10s %-16s %s\n", key, type, dflt, help);
}

static void
config_help(void)
{
	printf("\nnode.conf keys (key = value):\n");
	config_describe(describe_key, NULL);
}

const struct cli_cmd cli_node_config = {
	.name = "node config",
	.synopsis = "--dir DIR --id ID --data-dir PATH --http HOST:PORT "
	    "--coap HOST:PORT|off [--peer ID,dial|listen,URL]... [--insecure] "
	    "[--token TOKEN] [--log-level LEVEL] [--rules FILE "
	    "[--rules-auto-issue]] -o FILE",
	.summary = "write a node.conf for one agency of the federation",
	.details = "Key, CA, roster, agency records (agencies.cbor), TLS "
	    "and enc_key (when the\nagency has an enc.key) paths point "
	    "(absolute) into DIR. The agency and\nevery peer must be in the "
	    "roster (charter or agency records); a peer may "
	    "not be the agency itself nor\nbe given twice. Every value is "
	    "written as given: one that node.conf cannot\ncarry (leading or "
	    "trailing whitespace, a line break, a leading '#' or '#'\nafter "
	    "whitespace, which would start a comment) is refused.",
	.opts = config_opts,
	.run = run_config,
	.extra_help = config_help,
};

/* ---------------- node check ---------------- */

static int
run_check(const struct cli_args *a)
{
	struct node_config *cf;
	rm_why why;
	int rv = CLI_EXIT_OK;

	if ((cf = calloc(1, sizeof(*cf))) == NULL)
		return cli_fail(a->cmd, "out of memory");
	if (config_load(cli_get(a, "config"), cf, &why) != RM_OK)
		rv = cli_fail(a->cmd, "%s", why.msg);
	else if (cli_has(a, "verbose"))
		config_write(cf, stdout, false, false);
	else
		printf("%s: OK (agency %s, %zu peer%s)\n",
		    cli_get(a, "config"), cf->agency, cf->n_peers,
		    cf->n_peers == 1 ? "" : "s");
	memset(cf, 0, sizeof(*cf));
	free(cf);
	return rv;
}

static const struct cli_opt check_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "config file to check" },
	{ "verbose", 'v', NULL, 0, "print the effective configuration "
	  "(token hidden)" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_node_check = {
	.name = "node check",
	.synopsis = "-c NODE.CONF [-v]",
	.summary = "check a node.conf with the daemon's parser",
	.details = "Errors are reported as FILE:LINE: KEY: why; exit 1 if the "
	    "file is invalid.\nFiles it names (keys, roster) are not opened; "
	    "riskmeshd -n does that.",
	.opts = check_opts,
	.run = run_check,
	.extra_help = config_help,
};
