/*
 * cli_feddir.c -- the federation directory the CLI manages:
 *
 *   DIR/root.key                 federation root key (CA key), 0600
 *   DIR/ca.crt                   self-signed CA certificate
 *   DIR/roster.cose              the charter: root-signed roster
 *                                (registrars, cli_registrar.c)
 *   DIR/agencies.cbor            registrars' logs: agency records
 *                                (cli_registry.c)
 *   DIR/agencies/ID/agency.key   agency signing key, 0600
 *   DIR/agencies/ID/tls.key      TLS key, 0600
 *   DIR/agencies/ID/tls.crt      TLS certificate issued by the CA
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/cli/cli.h"

int
cli_abspath(const char *p, char *out, size_t n)
{
	char cwd[1024];
	size_t pl = strlen(p), cl;

	while (pl > 1 && p[pl - 1] == '/')
		pl--;
	if (p[0] == '/') {
		if (pl + 1 > n)
			return -1;
		memcpy(out, p, pl);
		out[pl] = '\0';
		return 0;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return -1;
	while (pl >= 2 && p[0] == '.' && p[1] == '/') {
		p += 2;
		pl -= 2;
	}
	if (pl == 1 && p[0] == '.')
		pl = 0;
	cl = strlen(cwd);
	if (cl + 1 + pl + 1 > n)
		return -1;
	memcpy(out, cwd, cl);
	if (pl > 0) {
		if (cl == 0 || cwd[cl - 1] != '/')
			out[cl++] = '/';
		memcpy(out + cl, p, pl);
	}
	out[cl + pl] = '\0';
	return 0;
}

int
cli_mkdirs(const char *path, unsigned mode, rm_why *why)
{
	char p[1024];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(p))
		return rm_fail(why, RM_EIO, "%s: bad path", path);
	memcpy(p, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST)
			return rm_fail(why, RM_EIO, "%s: %s", p,
			    strerror(errno));
		p[i] = path[i];
	}
	return RM_OK;
}

int
feddir_path(const struct feddir *fd, char *out, size_t n, const char *fmt,
    ...)
{
	va_list ap;
	int l, m;

	l = snprintf(out, n, "%s/", fd->dir);
	if (l < 0 || (size_t)l >= n)
		return -1;
	va_start(ap, fmt);
	m = vsnprintf(out + l, n - (size_t)l, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= n - (size_t)l)
		return -1;
	return 0;
}

int
feddir_open(const struct cli_cmd *c, const char *dir, bool want_root,
    struct feddir *out)
{
	char path[1200];
	crypto_key *verifier = NULL;
	rm_why why;
	int rv;

	memset(out, 0, sizeof(*out));
	if (cli_abspath(dir, out->dir, sizeof(out->dir)) != 0)
		return cli_fail(c, "%s: path too long", dir);
	if (access(out->dir, F_OK) != 0)
		return cli_fail(c, "%s: %s (create it with 'riskmesh "
		    "federation init')", dir, strerror(errno));
	if (want_root) {
		feddir_path(out, path, sizeof(path), FEDDIR_ROOT_KEY);
		if ((rv = crypto_signer_open_pem(path, &out->root, &why)) !=
		    RM_OK)
			return cli_fail_file(c, path, &why);
		crypto_signer_public_key(out->root, &verifier);
	} else {
		feddir_path(out, path, sizeof(path), FEDDIR_CA);
		if ((rv = x509_public_key(path, &verifier, &why)) != RM_OK)
			return cli_fail_file(c, path, &why);
	}
	feddir_path(out, path, sizeof(path), FEDDIR_ROSTER);
	rv = roster_load(path, verifier, &out->charter, &why);
	crypto_key_free(verifier);
	if (rv != RM_OK) {
		rv = cli_fail_file(c, path, &why);
		goto fail;
	}
	feddir_path(out, path, sizeof(path), FEDDIR_RECORDS);
	if (registry_load(path, out->charter, &out->reg, &why) != RM_OK) {
		rv = cli_fail_file(c, path, &why);
		goto fail;
	}
	if ((rv = feddir_view(c, out)) != 0)
		goto fail;
	return CLI_EXIT_OK;
fail:
	feddir_close(out);
	return rv;
}

void
feddir_close(struct feddir *fd)
{
	for (size_t i = 0; i < fd->n_signers; i++)
		crypto_signer_free(fd->signers[i].s);
	fd->n_signers = 0;
	registry_free(fd->reg);
	roster_free(fd->roster);
	roster_free(fd->charter);
	crypto_signer_free(fd->root);
	fd->reg = NULL;
	fd->roster = NULL;
	fd->charter = NULL;
	fd->root = NULL;
}

int
feddir_view(const struct cli_cmd *c, struct feddir *fd)
{
	struct roster *v = NULL;
	char prefix[128];
	rm_why why;

	snprintf(prefix, sizeof(prefix), "riskmesh %s: ", c->name);
	if (registry_view(fd->reg, fd->charter, prefix, &v, &why) != RM_OK)
		return cli_fail(c, "roster: %s", why.msg);
	roster_free(fd->roster);
	fd->roster = v;
	return CLI_EXIT_OK;
}

int
feddir_commit(const struct cli_cmd *c, struct feddir *fd)
{
	char path[1200];
	rm_why why;

	feddir_path(fd, path, sizeof(path), FEDDIR_RECORDS);
	if (registry_commit(fd->reg, path, &why) != RM_OK)
		return cli_fail_file(c, path, &why);
	return feddir_view(c, fd);
}

int
feddir_save_roster(const struct cli_cmd *c, struct feddir *fd,
    const struct roster_agency *add, size_t n)
{
	struct roster *nr = NULL;
	crypto_key *pub = NULL;
	rm_buf out = RM_BUF_INIT;
	char path[1200];
	rm_why why;
	int rv = CLI_EXIT_FAIL;

	feddir_path(fd, path, sizeof(path), FEDDIR_ROSTER);
	if (roster_new(roster_federation(fd->charter),
	    roster_version(fd->charter) + 1, &nr, &why) != RM_OK) {
		cli_fail(c, "roster: %s", why.msg);
		goto fail;
	}
	for (size_t i = 0; i < roster_count(fd->charter); i++) {
		const struct roster_agency *e = roster_at(fd->charter, i);
		bool replaced = false;

		for (size_t j = 0; j < n; j++)
			if (strcmp(add[j].id, e->id) == 0)
				replaced = true;
		if (!replaced && roster_put_agency(nr, e, &why) != RM_OK) {
			cli_fail(c, "roster: %s", why.msg);
			goto fail;
		}
	}
	for (size_t j = 0; j < n; j++) {
		if (roster_put_agency(nr, &add[j], &why) != RM_OK) {
			cli_fail(c, "%s", why.msg);
			goto fail;
		}
	}
	if (roster_sign(nr, fd->root, &out, &why) != RM_OK) {
		cli_fail(c, "roster: %s", why.msg);
		goto fail;
	}
	if (rm_file_write_atomic(path, out.data, out.len, 0644, &why) != RM_OK) {
		cli_fail_file(c, path, &why);
		goto fail;
	}
	/* Keep what a node will load: the signed bytes, opened. */
	roster_free(nr);
	nr = NULL;
	crypto_signer_public_key(fd->root, &pub);
	if (roster_open(out.data, out.len, pub, &nr, &why) != RM_OK) {
		cli_fail_file(c, path, &why);
		goto fail;
	}
	roster_free(fd->charter);
	fd->charter = nr;
	nr = NULL;
	rv = feddir_view(c, fd);
fail:
	crypto_key_free(pub);
	roster_free(nr);
	rm_buf_fini(&out);
	return rv;
}
