/*
 * cli_registrar.c -- the registrars of a federation directory: one per
 * province ("120000.registry" for areas 12xxxx), named by the charter
 * (role centre, kinds {agency}, areas the province code, max grade
 * blue), signing the agency records of that province with
 * DIR/agencies/REG/agency.key. A registrar is added to the charter the
 * first time an agency of its province is; nothing else re-signs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/cli/cli.h"

#define REGISTRAR_SUFFIX ".registry"

void
registrar_id(const char *area, char out[RM_AGENCY_ID_MAX + 1])
{
	snprintf(out, RM_AGENCY_ID_MAX + 1, "%.2s0000" REGISTRAR_SUFFIX, area);
}

int
registrar_areas_ok(const struct roster_agency *e, rm_why *why)
{
	/* the id's own area code is signed for by the same registrar */
	if (e->n_areas > 0 && strncmp(e->id, e->areas[0], 2) != 0)
		return rm_fail(why, RM_EBADVALUE, "the agency id %s is not in "
		    "province %.2s0000 of its areas (one registrar signs an "
		    "agency: its id and areas must be in one province)", e->id,
		    e->areas[0]);
	for (size_t i = 1; i < e->n_areas; i++)
		if (strncmp(e->areas[i], e->areas[0], 2) != 0)
			return rm_fail(why, RM_EBADVALUE, "%s is not in province "
			    "%.2s0000 of %s (one registrar signs an agency: "
			    "all its areas must be in one province)",
			    e->areas[i], e->areas[0], e->areas[0]);
	return RM_OK;
}

/* Registrar key: DIR/agencies/REG/agency.key, made if absent. */
static int
registrar_key(const struct cli_cmd *c, struct feddir *fd, const char *reg,
    crypto_signer **out)
{
	char path[1200];
	rm_why why;

	if (feddir_path(fd, path, sizeof(path), "%s/%s", FEDDIR_AGENCIES,
	    reg) != 0)
		return cli_fail(c, "%s: path too long", reg);
	if (cli_mkdirs(path, 0700, &why) != RM_OK)
		return cli_fail(c, "%s", why.msg);
	feddir_path(fd, path, sizeof(path), "%s/%s/agency.key",
	    FEDDIR_AGENCIES, reg);
	if (access(path, F_OK) == 0) {
		if (crypto_signer_open_pem(path, out, &why) != RM_OK)
			return cli_fail_file(c, path, &why);
	} else if (crypto_signer_generate_pem(path, out, &why) != RM_OK)
		return cli_fail_file(c, path, &why);
	return CLI_EXIT_OK;
}

int
feddir_registrars(const struct cli_cmd *c, struct feddir *fd,
    const struct roster_agency *es, size_t n)
{
	struct roster_agency add[100];
	size_t n_add = 0;
	int rv = CLI_EXIT_OK;

	memset(add, 0, sizeof(add));
	for (size_t i = 0; i < n; i++) {
		char reg[RM_AGENCY_ID_MAX + 1];
		crypto_signer *s = NULL;
		bool dup = false;
		struct roster_agency *r;

		registrar_id(es[i].areas[0], reg);
		if (roster_find(fd->charter, reg) != NULL)
			continue;
		for (size_t j = 0; j < n_add; j++)
			dup = dup || strcmp(add[j].id, reg) == 0;
		if (dup)
			continue;
		if (fd->root == NULL) {
			rv = cli_fail(c, "internal: a registrar needs the root");
			goto out;
		}
		if (n_add == sizeof(add) / sizeof(add[0])) {
			rv = cli_fail(c, "more than %zu new registrars",
			    n_add);
			goto out;
		}
		r = &add[n_add];
		if ((rv = registrar_key(c, fd, reg, &s)) != 0)
			goto out;
		crypto_signer_public_key(s, &r->key);
		crypto_signer_free(s);
		n_add++;
		snprintf(r->id, sizeof(r->id), "%s", reg);
		snprintf(r->name_zh, sizeof(r->name_zh), "%.2s0000 登记机构",
		    reg);
		snprintf(r->name_en, sizeof(r->name_en), "%.2s0000 registrar",
		    reg);
		snprintf(r->role, sizeof(r->role), "centre");
		r->kinds = (rm_kind_set)1u << kind_index(&rm_kind_agency);
		r->max_grade = RM_GRADE_BLUE;
		r->n_areas = 1;
		snprintf(r->areas[0], sizeof(r->areas[0]), "%.2s0000", reg);
		crypto_key_kid(r->key, &r->kid);
	}
	if (n_add == 0)
		goto out;
	if ((rv = feddir_save_roster(c, fd, add, n_add)) != 0)
		goto out;
	for (size_t j = 0; j < n_add; j++)
		printf("registrar %s added to the charter (version %llu)\n",
		    add[j].id, (unsigned long long)roster_version(fd->charter));
out:
	for (size_t j = 0; j < n_add; j++)
		crypto_key_free(add[j].key);
	return rv;
}

int
feddir_registrar_signer(const struct cli_cmd *c, struct feddir *fd,
    const char *reg, crypto_signer **out)
{
	const struct roster_agency *r = roster_find(fd->charter, reg);
	crypto_signer *s = NULL;
	rm_hash kid;
	int rv;

	for (size_t i = 0; i < fd->n_signers; i++) {
		if (strcmp(fd->signers[i].id, reg) == 0) {
			*out = fd->signers[i].s;
			return CLI_EXIT_OK;
		}
	}
	if (r == NULL || !roster_is_registrar(r))
		return cli_fail(c, "%s is not a registrar of the charter", reg);
	if (fd->n_signers == FEDDIR_SIGNERS_MAX)
		return cli_fail(c, "more than %d registrars in one command",
		    FEDDIR_SIGNERS_MAX);
	if ((rv = registrar_key(c, fd, reg, &s)) != 0)
		return rv;
	if (crypto_signer_kid(s, &kid) != RM_OK ||
	    memcmp(&kid, &r->kid, sizeof(kid)) != 0) {
		crypto_signer_free(s);
		return cli_fail(c, "%s/%s/%s/agency.key is not the key the "
		    "charter names for %s", fd->dir, FEDDIR_AGENCIES, reg, reg);
	}
	snprintf(fd->signers[fd->n_signers].id, RM_AGENCY_ID_MAX + 1, "%s",
	    reg);
	fd->signers[fd->n_signers++].s = s;
	*out = s;
	return CLI_EXIT_OK;
}
