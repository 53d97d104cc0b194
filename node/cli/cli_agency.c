/*
 * cli_agency.c -- `riskmesh agency add|list`: agency keys, TLS
 * certificates issued by the federation CA, and agency records signed
 * by the province's registrar (cli_agency_rec.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/cli/cli.h"
#include "node/config/config.h"

#define AGENCY_DAYS_DEFAULT 825

/* ---------------- shared ---------------- */

void
cli_kinds_text(rm_kind_set kinds, char *out, size_t n)
{
	const char *names[RM_KINDS_MAX];
	size_t nk = kind_set_names(kinds, names, RM_KINDS_MAX), l = 0;

	out[0] = '\0';
	for (size_t k = 0; k < nk && k < RM_KINDS_MAX; k++)
		l += (size_t)snprintf(out + l, l < n ? n - l : 0, "%s%s",
		    l ? "," : "", names[k]);
}

/* Role implied by an agency id's unit when --role is not given. */
static const char *
default_role(const char *id)
{
	const char *dot = strchr(id, '.');

	if (dot != NULL && strcmp(dot, ".command") == 0)
		return "centre";
	if (dot != NULL && strcmp(dot, ".gov") == 0)
		return "district";
	return "department";
}

bool
cli_role_ok(const char *r)
{
	return strcmp(r, "centre") == 0 || strcmp(r, "department") == 0 ||
	    strcmp(r, "district") == 0;
}

/* Fill e->areas from a list separated by sep. Writes the reason to why
 * and returns -1 on a bad list. */
int
cli_parse_areas(struct roster_agency *e, const char *list, char sep,
    rm_why *why)
{
	char buf[512], *items[ROSTER_AREAS_MAX + 1];
	int n;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf) ||
	    (n = cli_split(buf, sep, items, ROSTER_AREAS_MAX)) < 0) {
		rm_fail(why, RM_EBADVALUE, "expected 1..%d area codes separated by "
		    "'%c'", ROSTER_AREAS_MAX, sep);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (!area_code_valid(items[i])) {
			rm_fail(why, RM_EBADVALUE, "\"%.16s\" is not a GB/T 2260 area "
			    "code (6, 9 or 12 digits)", items[i]);
			return -1;
		}
		snprintf(e->areas[i], sizeof(e->areas[i]), "%s", items[i]);
	}
	e->n_areas = (size_t)n;
	return 0;
}

/* Fill e->kinds from a list; strict: unknown kinds are an error, else
 * they are skipped. Returns -1 with why on error. */
int
cli_parse_kinds(struct roster_agency *e, const char *list, char sep,
    bool strict, rm_why *why)
{
	char buf[256], *items[16];
	int n;

	e->kinds = 0;
	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf) ||
	    (n = cli_split(buf, sep, items, 16)) < 0) {
		rm_fail(why, RM_EBADVALUE, "expected kinds separated by '%c'", sep);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const struct rm_kind_ops *k = kind_find(items[i],
		    strlen(items[i]));

		if (k == &rm_kind_agency) {
			rm_fail(why, RM_EBADVALUE, "kind \"%s\" is granted only "
			    "by the charter (registrars)", k->name);
			return -1;
		}
		if (k != NULL)
			e->kinds |= (rm_kind_set)1u << kind_index(k);
		else if (strict) {
			char known[RM_KINDS_MAX * (RM_KIND_NAME_MAX + 1) + 1];

			cli_kinds_text(cli_agency_kinds(), known, sizeof(known));
			rm_fail(why, RM_EBADVALUE, "unknown kind \"%.32s\" (supported: "
			    "%s)", items[i], known);
			return -1;
		}
	}
	return 0;
}


/* The public key of DIR/agencies/ID/NAME, a private key made (0600)
 * if absent or rotate; the private key stays inside a signer that is
 * dropped here. */
static int
agency_key(const struct cli_cmd *c, const char *path, bool rotate,
    crypto_key **out, bool *made)
{
	crypto_signer *s = NULL;
	rm_why why;

	*made = false;
	if (!rotate && access(path, F_OK) == 0) {
		if (crypto_signer_open_pem(path, &s, &why) != RM_OK)
			return cli_fail_file(c, path, &why);
	} else {
		if (crypto_signer_generate_pem(path, &s, &why) != RM_OK)
			return cli_fail_file(c, path, &why);
		*made = true;
	}
	crypto_signer_public_key(s, out);
	crypto_signer_free(s);
	return CLI_EXIT_OK;
}

/*
 * Keys and certificate for entry e (id set): agency.key (kept if it
 * exists unless rotate), tls.key likewise, tls.crt always re-issued,
 * enc.key (the encryption key of restricted records, docs/PROTOCOL.md
 * §6a) made if absent and otherwise kept, even on rotate: a new one
 * would leave the records already encrypted to the agency unreadable.
 * Sets e->key and e->enc_key (caller frees both).
 */
int
cli_agency_provision(const struct cli_cmd *c, struct feddir *fd,
    struct roster_agency *e, unsigned days, bool rotate)
{
	char path[1200], ca[1200];
	crypto_key *tls = NULL;
	bool made_sig, made_tls;
	rm_why why;
	int rv;

	if (feddir_path(fd, path, sizeof(path), "%s/%s", FEDDIR_AGENCIES,
	    e->id) != 0)
		return cli_fail(c, "%s: path too long", e->id);
	if (cli_mkdirs(path, 0700, &why) != RM_OK)
		return cli_fail(c, "%s", why.msg);
	feddir_path(fd, path, sizeof(path), "%s/%s/agency.key",
	    FEDDIR_AGENCIES, e->id);
	if ((rv = agency_key(c, path, rotate, &e->key, &made_sig)) != 0)
		return rv;
	feddir_path(fd, path, sizeof(path), "%s/%s/tls.key", FEDDIR_AGENCIES,
	    e->id);
	if ((rv = agency_key(c, path, rotate, &tls, &made_tls)) != 0)
		goto fail;
	feddir_path(fd, path, sizeof(path), "%s/%s/tls.crt", FEDDIR_AGENCIES,
	    e->id);
	feddir_path(fd, ca, sizeof(ca), FEDDIR_CA);
	if (x509_issue(fd->root, ca, tls, e->id, days, path, &why) != RM_OK) {
		rv = cli_fail_file(c, path, &why);
		goto fail;
	}
	crypto_key_free(tls);
	tls = NULL;
	feddir_path(fd, path, sizeof(path), "%s/%s/enc.key", FEDDIR_AGENCIES,
	    e->id);
	if ((rv = agency_key(c, path, false, &tls, &made_tls)) != 0)
		goto fail;
	e->enc_key = tls;
	e->has_enc = true;
	tls = NULL;
	if (!made_sig)
		fprintf(stderr, "riskmesh %s: %s: kept existing agency.key\n",
		    c->name, e->id);
	return CLI_EXIT_OK;
fail:
	crypto_key_free(tls);
	crypto_key_free(e->key);
	crypto_key_free(e->enc_key);
	e->key = NULL;
	e->enc_key = NULL;
	return rv ? rv : CLI_EXIT_FAIL;
}

void
cli_print_added(const struct roster_agency *e)
{
	char kinds[64], kid[65];
	rm_hash h;

	cli_kinds_text(e->kinds, kinds, sizeof(kinds));
	memset(&h, 0, sizeof(h));
	crypto_key_kid(e->key, &h);
	rm_hash_hex(&h, kid);
	printf("added %s (%s) areas %s%s max %s kinds %s kid %.16s\n", e->id,
	    e->role, e->areas[0], e->n_areas > 1 ? ",..." : "",
	    grade_name(e->max_grade), kinds, kid);
}

int
cli_parse_days_opt(const struct cli_args *a, unsigned *days)
{
	const char *s = cli_get(a, "days");
	char *end;
	long v;

	*days = AGENCY_DAYS_DEFAULT;
	if (s == NULL)
		return CLI_EXIT_OK;
	errno = 0;
	v = strtol(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || errno != 0 || *end != '\0' ||
	    v < 1 || v > 36500)
		return cli_usage(a->cmd, "--days: \"%s\" is not a number of "
		    "days (1..36500)", s);
	*days = (unsigned)v;
	return CLI_EXIT_OK;
}

/* ---------------- agency add ---------------- */

static int
run_add(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *id = cli_get(a, "id");
	const struct reg_agency *ra;
	struct roster_agency e;
	struct feddir fd = { .root = NULL };
	rm_why why;
	unsigned days;
	bool changed;
	int rv;

	memset(&e, 0, sizeof(e));
	if ((rv = cli_parse_days_opt(a, &days)) != 0)
		return rv;
	/* Checked before the id becomes a directory name. */
	if (!agency_id_valid(id))
		return cli_usage(c, "--id: \"%.64s\" is not an agency id (%s)",
		    id, RM_AGENCY_ID_RULE);
	snprintf(e.id, sizeof(e.id), "%s", id);
	if (cli_parse_areas(&e, cli_get(a, "areas"), ',', &why) != 0)
		return cli_usage(c, "--areas: %s", why.msg);
	if (grade_parse(cli_get(a, "max-grade"), &e.max_grade) != RM_OK)
		return cli_usage(c, "--max-grade: unknown grade \"%s\" "
		    "(blue|yellow|orange|red)", cli_get(a, "max-grade"));
	if (cli_parse_kinds(&e, cli_get(a, "kinds"), ',', true, &why) != 0)
		return cli_usage(c, "--kinds: %s", why.msg);
	snprintf(e.role, sizeof(e.role), "%s", cli_get(a, "role") ?
	    cli_get(a, "role") : default_role(id));
	if (!cli_role_ok(e.role))
		return cli_usage(c, "--role: \"%s\" is not centre, department "
		    "or district", e.role);
	snprintf(e.name_zh, sizeof(e.name_zh), "%s", cli_get(a, "name-zh") ?
	    cli_get(a, "name-zh") : id);
	snprintf(e.name_en, sizeof(e.name_en), "%s", cli_get(a, "name-en") ?
	    cli_get(a, "name-en") : id);

	if (registrar_areas_ok(&e, &why) != RM_OK)
		return cli_usage(c, "--areas: %s", why.msg);

	if ((rv = feddir_open(c, cli_get(a, "dir"), true, &fd)) != 0)
		return rv;
	if (roster_find(fd.charter, id) != NULL) {
		rv = cli_fail(c, "--id: %s is named by the charter "
		    "(roster.cose); agency records cannot replace it", id);
		goto out;
	}
	if ((rv = feddir_registrars(c, &fd, &e, 1)) != 0 ||
	    (rv = cli_agency_provision(c, &fd, &e, days,
	    cli_has(a, "new-keys") || !cli_agency_key_usable(&fd, id))) != 0 ||
	    (rv = cli_agency_stage(c, &fd, &e, &changed)) != 0 ||
	    (rv = feddir_commit(c, &fd)) != 0)
		goto out;
	cli_print_added(&e);
	ra = registry_find(fd.reg, id);
	printf("%s record ver %llu; charter version %llu, %zu agencies\n",
	    changed ? "agency" : "unchanged: agency",
	    (unsigned long long)ra->ver,
	    (unsigned long long)roster_version(fd.charter),
	    roster_count(fd.roster));
out:
	crypto_key_free(e.key);
	crypto_key_free(e.enc_key);
	feddir_close(&fd);
	return rv;
}

static const struct cli_opt add_opts[] = {
	{ "dir", 0, "DIR", CLI_REQUIRED, "federation directory" },
	{ "id", 0, "ID", CLI_REQUIRED, "agency id, e.g. 120116.gov" },
	{ "areas", 0, "CODE[,CODE...]", CLI_REQUIRED,
	  "GB/T 2260 area codes it may publish for" },
	{ "max-grade", 0, "GRADE", CLI_REQUIRED,
	  "highest alert grade: blue|yellow|orange|red" },
	{ "kinds", 0, "KIND[,...]", CLI_REQUIRED,
	  "record kinds it may publish (alert)" },
	{ "name-zh", 0, "TEXT", 0, "Chinese name (default: the id)" },
	{ "name-en", 0, "TEXT", 0, "English name (default: the id)" },
	{ "role", 0, "ROLE", 0, "centre|department|district (default from "
	  "the id: .command centre, .gov district, else department)" },
	{ "days", 0, "N", 0, "TLS certificate validity in days (default 825)" },
	{ "new-keys", 0, NULL, 0, "generate new keys even if the agency has "
	  "some (key rotation)" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_agency_add = {
	.name = "agency add",
	.synopsis = "--dir DIR --id ID --areas CODE[,CODE...] --max-grade "
	    "GRADE --kinds alert[,...] [--name-zh T] [--name-en T] "
	    "[--role ROLE]",
	.summary = "add or change an agency: keys, TLS certificate, agency "
	    "record",
	.details = "Writes DIR/agencies/ID/agency.key (signing key, 0600), "
	    "tls.key (0600),\ntls.crt (issued by the federation CA, "
	    "CN=ID) and enc.key (encryption key of\nrestricted records, "
	    "0600; kept once made), then appends the agency's next\nrecord to "
	    "DIR/agencies.cbor, signed by its province's registrar\n"
	    "(PROVINCE.registry, e.g. 120000.registry; added to the charter "
	    "roster.cose\nthe first time an agency of that province is). "
	    "Existing keys are kept\nunless --new-keys is given (key "
	    "rotation: the old key stays valid for\nrecords issued before "
	    "now). All areas must be in one province.",
	.opts = add_opts,
	.run = run_add,
};

/* ---------------- agency list ---------------- */

static void
list_row(const struct roster_agency *e, rm_utc_ms now)
{
	char areas[256], kinds[64], kid[65], src[96], state[96];
	size_t l = 0;

	areas[0] = '\0';
	for (size_t j = 0; j < e->n_areas && l < sizeof(areas); j++)
		l += (size_t)snprintf(areas + l, sizeof(areas) - l, "%s%s",
		    j ? "," : "", e->areas[j]);
	cli_kinds_text(e->kinds, kinds, sizeof(kinds));
	rm_hash_hex(&e->kid, kid);
	if (e->registrar[0] == '\0')
		snprintf(src, sizeof(src), "charter");
	else
		snprintf(src, sizeof(src), "%s/v%llu", e->registrar,
		    (unsigned long long)e->record_ver);
	cli_key_state(e, now, state, sizeof(state));
	printf("%-24s %-10s %-20s %-6s %-8s %.16s %4zu %-20s %s\n", e->id,
	    e->role, areas, grade_name(e->max_grade), kinds, kid,
	    e->n_keys ? e->n_keys : 1, src, state);
}

static int
run_list(const struct cli_args *a)
{
	struct feddir fd;
	rm_utc_ms now = rm_utc_now_ms();
	size_t n, n_charter;
	int rv;

	if ((rv = feddir_open(a->cmd, cli_get(a, "dir"), false, &fd)) != 0)
		return rv;
	n = roster_count(fd.roster);
	n_charter = roster_count(fd.charter);
	printf("federation %s, charter version %llu, %zu agenc%s (%zu in "
	    "the charter, %zu from agency records; %zu records)\n",
	    roster_federation(fd.roster),
	    (unsigned long long)roster_version(fd.charter), n,
	    n == 1 ? "y" : "ies", n_charter, n - n_charter,
	    registry_records(fd.reg));
	if (n > 0)
		printf("%-24s %-10s %-20s %-6s %-8s %-16s %4s %-20s %s\n", "ID",
		    "ROLE", "AREAS", "MAX", "KINDS", "KID", "KEYS", "SOURCE",
		    "STATE");
	for (size_t i = 0; i < n; i++)
		list_row(roster_at(fd.roster, i), now);
	feddir_close(&fd);
	return CLI_EXIT_OK;
}

static const struct cli_opt list_opts[] = {
	{ "dir", 0, "DIR", CLI_REQUIRED, "federation directory" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_agency_list = {
	.name = "agency list",
	.synopsis = "--dir DIR",
	.summary = "show the roster: agencies, roles, areas, grades, kinds, "
	    "keys",
	.details = "The charter's signature is checked against DIR/ca.crt "
	    "and every record of\nDIR/agencies.cbor against the charter "
	    "first. KEYS counts the agency's\nkeys (history included), "
	    "SOURCE is the charter or REGISTRAR/vVERSION of its\nrecord; "
	    "STATE is its key's: active (\"active until T (revoked)\" when "
	    "an end\nis set ahead), rotated, revoked, or removed.",
	.opts = list_opts,
	.run = run_list,
};
