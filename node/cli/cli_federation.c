/*
 * cli_federation.c -- `riskmesh federation init`: root key, CA
 * certificate and an empty signed roster (version 1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/cli/cli.h"

/* Parse a day count 1..36500 for --days; -1 if bad. */
static long
parse_days(const char *s)
{
	char *end;
	long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 36500)
		return -1;
	return v;
}

static int
run_init(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *name = cli_get(a, "name");
	const char *days_s = cli_get(a, "days");
	struct feddir fd;
	struct roster *r = NULL;
	crypto_signer *root = NULL;
	rm_buf out = RM_BUF_INIT;
	char path[1200];
	long days = 3650;
	rm_why why;
	int rv = CLI_EXIT_FAIL;

	if (days_s != NULL && (days = parse_days(days_s)) < 0)
		return cli_usage(c, "--days: \"%s\" is not a number of days "
		    "(1..36500)", days_s);
	if (strlen(name) == 0 || strlen(name) > ROSTER_FED_NAME_MAX)
		return cli_usage(c, "--name: must be 1..%d characters",
		    ROSTER_FED_NAME_MAX);
	memset(&fd, 0, sizeof(fd));
	if (cli_abspath(cli_get(a, "dir"), fd.dir, sizeof(fd.dir)) != 0)
		return cli_fail(c, "--dir: path too long");
	if (cli_mkdirs(fd.dir, 0700, &why) != RM_OK)
		return cli_fail(c, "%s", why.msg);
	feddir_path(&fd, path, sizeof(path), FEDDIR_ROOT_KEY);
	if (access(path, F_OK) == 0)
		return cli_fail(c, "%s: already exists (this directory already "
		    "holds a federation; use another --dir)", path);
	feddir_path(&fd, path, sizeof(path), FEDDIR_ROSTER);
	if (access(path, F_OK) == 0)
		return cli_fail(c, "%s: already exists (this directory already "
		    "holds a federation; use another --dir)", path);

	if (roster_new(name, 1, &r, &why) != RM_OK) {
		rv = cli_fail(c, "--name: %s", why.msg);
		goto fail;
	}
	feddir_path(&fd, path, sizeof(path), FEDDIR_ROOT_KEY);
	if (crypto_signer_generate_pem(path, &root, &why) != RM_OK) {
		cli_fail_file(c, path, &why);
		goto fail;
	}
	feddir_path(&fd, path, sizeof(path), FEDDIR_CA);
	if (x509_ca_create(root, name, (unsigned)days, path, &why) != RM_OK) {
		cli_fail_file(c, path, &why);
		goto fail;
	}
	if (roster_sign(r, root, &out, &why) != RM_OK) {
		cli_fail(c, "roster: %s", why.msg);
		goto fail;
	}
	feddir_path(&fd, path, sizeof(path), FEDDIR_ROSTER);
	if (rm_file_write_atomic(path, out.data, out.len, 0644, &why) != RM_OK) {
		cli_fail_file(c, path, &why);
		goto fail;
	}
	feddir_path(&fd, path, sizeof(path), FEDDIR_RECORDS);
	if (rm_file_write_atomic(path, "", 0, 0644, &why) != RM_OK) {
		cli_fail_file(c, path, &why);
		goto fail;
	}
	printf("federation %s initialised in %s\n"
	    "  %-14s root key (keep it offline, 0600)\n"
	    "  %-14s CA certificate, valid %ld days\n"
	    "  %-14s charter (roster) version 1, no registrars yet\n"
	    "  %-14s agency records, none yet\n",
	    name, fd.dir, FEDDIR_ROOT_KEY, FEDDIR_CA, days, FEDDIR_ROSTER,
	    FEDDIR_RECORDS);
	rv = CLI_EXIT_OK;
fail:
	rm_buf_fini(&out);
	roster_free(r);
	crypto_signer_free(root);
	return rv;
}

static const struct cli_opt init_opts[] = {
	{ "dir", 0, "DIR", CLI_REQUIRED,
	  "federation directory to create (root.key, ca.crt, roster.cose)" },
	{ "name", 0, "NAME", CLI_REQUIRED,
	  "federation name, also the CA's common name" },
	{ "days", 0, "N", 0, "CA certificate validity in days (default 3650)" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_federation_init = {
	.name = "federation init",
	.synopsis = "--dir DIR --name NAME [--days N]",
	.summary = "create a federation: root key, CA certificate, empty roster",
	.details = "Writes DIR/root.key (mode 0600), DIR/ca.crt (self-signed "
	    "CA, P-256),\nDIR/roster.cose (the charter: empty, version 1, "
	    "signed by root.key) and an\nempty DIR/agencies.cbor (agency "
	    "records). Refuses to overwrite an existing\nfederation.",
	.opts = init_opts,
	.run = run_init,
};
