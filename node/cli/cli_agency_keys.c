/*
 * cli_agency_keys.c -- `riskmesh agency rotate-key|revoke|remove`: new
 * versions of an agency's record that change its keys' validity
 * (docs/PROTOCOL.md §5b), signed by its registrar and appended to
 * DIR/agencies.cbor.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/cli/cli.h"

static void
print_kid(const char *label, const struct rm_agency_key *k)
{
	crypto_key *key = NULL;
	char hex[65], from[32], until[32];
	rm_why why;
	rm_hash kid;

	memset(&kid, 0, sizeof(kid));
	if (crypto_key_from_spki(k->spki, k->spki_len, &key, &why) == RM_OK)
		crypto_key_kid(key, &kid);
	crypto_key_free(key);
	rm_hash_hex(&kid, hex);
	rm_utc_format(k->from, from);
	if (k->until != 0)
		rm_utc_format(k->until, until);
	printf("  %s key %.16s from %s%s%s%s%s\n", label, hex, from,
	    k->until ? " until " : "", k->until ? until : "",
	    k->until ? " " : "", k->until ? key_end_name(k->end) : "");
}

/* Commit, then "ID: record ver N" and the keys. */
static int
finish(const struct cli_cmd *c, struct feddir *fd, const char *id,
    const char *what)
{
	const struct reg_agency *ra;
	struct rm_record rec;
	int rv;

	if ((rv = feddir_commit(c, fd)) != 0)
		return rv;
	ra = registry_find(fd->reg, id);
	printf("%s %s: agency record ver %llu\n", what, id,
	    (unsigned long long)ra->ver);
	if (cli_agency_latest(c, fd, id, &rec) == 0) {
		const struct rm_agency *b = record_agency(&rec);

		for (size_t i = 0; i < b->n_keys; i++)
			print_kid(b->keys[i].until ? "old" : "new", &b->keys[i]);
		record_fini(&rec);
	}
	return CLI_EXIT_OK;
}

/* Check ID, open DIR (no root: the registrar signs) and decode the
 * agency's latest record into *rec. On failure fd is closed. */
static int
open_latest(const struct cli_args *a, struct feddir *fd,
    struct rm_record *rec)
{
	const char *id = a->pos[0];
	int rv;

	memset(rec, 0, sizeof(*rec));
	if (!agency_id_valid(id))
		return cli_usage(a->cmd, "ID \"%.64s\" is not an agency id (%s)",
		    id, RM_AGENCY_ID_RULE);
	if ((rv = feddir_open(a->cmd, cli_get(a, "dir"), false, fd)) != 0)
		return rv;
	if ((rv = cli_agency_latest(a->cmd, fd, id, rec)) != 0)
		feddir_close(fd);
	return rv;
}

static const struct rm_agency_key *
open_key(const struct rm_agency *b)
{
	for (size_t i = 0; i < b->n_keys; i++)
		if (b->keys[i].until == 0)
			return &b->keys[i];
	return NULL;
}

/* ---------------- agency rotate-key ---------------- */

static int
run_rotate(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *id = a->pos[0];
	const struct reg_agency *ra;
	struct roster_agency e;
	struct feddir fd = { .root = NULL };
	unsigned days;
	bool changed;
	int rv;

	if ((rv = cli_parse_days_opt(a, &days)) != 0)
		return rv;
	if (!agency_id_valid(id))
		return cli_usage(c, "ID \"%.64s\" is not an agency id (%s)", id,
		    RM_AGENCY_ID_RULE);
	if ((rv = feddir_open(c, cli_get(a, "dir"), true, &fd)) != 0)
		return rv;
	memset(&e, 0, sizeof(e));
	if ((ra = registry_find(fd.reg, id)) == NULL) {
		struct rm_record none;

		rv = cli_agency_latest(c, &fd, id, &none);
		rv = rv ? rv : CLI_EXIT_FAIL;
		goto out;
	}
	if (ra->entry.removed) {
		rv = cli_fail(c, "%s was removed; add it again with 'riskmesh "
		    "agency add --new-keys'", id);
		goto out;
	}
	/* The latest fields, a new key. */
	e = ra->entry;
	e.key = NULL;
	e.keys = NULL;
	e.n_keys = 0;
	e.enc_key = NULL;
	if ((rv = cli_agency_provision(c, &fd, &e, days, true)) != 0 ||
	    (rv = cli_agency_stage(c, &fd, &e, &changed)) != 0)
		goto out;
	rv = finish(c, &fd, id, "rotated key of");
out:
	crypto_key_free(e.key);
	crypto_key_free(e.enc_key);
	feddir_close(&fd);
	return rv;
}

static const struct cli_opt rotate_opts[] = {
	{ "dir", 0, "DIR", CLI_REQUIRED, "federation directory" },
	{ "days", 0, "N", 0, "TLS certificate validity in days (default 825)" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_agency_rotate = {
	.name = "agency rotate-key",
	.synopsis = "--dir DIR ID",
	.summary = "give an agency a new signing key (the old one ends now)",
	.details = "Writes a new DIR/agencies/ID/agency.key, tls.key and "
	    "tls.crt and appends the\nagency's next record: the old key gets "
	    "until = now (end \"rotated\": records\nit signed before stay "
	    "valid), the new key from = now. Install the new\nagency.key on "
	    "the agency's node.",
	.opts = rotate_opts,
	.min_pos = 1,
	.max_pos = 1,
	.run = run_rotate,
};

/* ---------------- agency revoke ---------------- */

static int
parse_last_seq(const struct cli_args *a, uint64_t *out)
{
	const char *s = cli_get(a, "last-seq");
	unsigned long long v;
	char *end;

	*out = 0;
	if (s == NULL)
		return CLI_EXIT_OK;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || errno != 0 || *end != '\0' || v == 0)
		return cli_usage(a->cmd, "--last-seq: \"%s\" is not a log "
		    "sequence number (1 or more)", s);
	*out = v;
	return CLI_EXIT_OK;
}

static int
run_revoke(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *id = a->pos[0], *at_s = cli_get(a, "at");
	struct rm_agency_key *k;
	struct rm_agency *b;
	struct rm_record rec;
	struct feddir fd = { .root = NULL };
	rm_utc_ms at = rm_utc_now_ms();
	uint64_t last_seq;
	char t[32];
	int rv;

	if ((rv = parse_last_seq(a, &last_seq)) != 0)
		return rv;
	if (at_s != NULL && rm_utc_parse(at_s, &at) != RM_OK)
		return cli_usage(c, "--at: \"%s\" is not an RFC 3339 time "
		    "(2026-08-15T06:00:00Z)", at_s);
	if ((rv = open_latest(a, &fd, &rec)) != 0)
		return rv;
	b = record_agency(&rec);
	rv = CLI_EXIT_FAIL;
	/* The open key, else the newest one if it ends after `at` (a
	 * revocation moved earlier, or a rotated key found stolen). */
	if ((k = (struct rm_agency_key *)open_key(b)) == NULL &&
	    !b->removed && b->keys[b->n_keys - 1].until > at)
		k = &b->keys[b->n_keys - 1];
	if (k == NULL) {
		cli_fail(c, "%s has no key in use (its last key ended: %s); "
		    "nothing to revoke", id,
		    key_end_name(b->keys[b->n_keys - 1].end));
		goto out;
	}
	if (at <= k->from) {
		rm_utc_format(k->from, t);
		cli_fail(c, "--at: %s is not after the key's start (%s)",
		    at_s, t);
		goto out;
	}
	k->until = at;
	k->end = RM_KEY_REVOKED;
	k->last_seq = last_seq;
	if ((rv = cli_agency_sign(c, &fd, b)) != 0)
		goto out;
	rv = finish(c, &fd, id, "revoked key of");
	if (rv == 0)
		printf("  give it a new key with 'riskmesh agency rotate-key "
		    "--dir %s %s'\n", cli_get(a, "dir"), id);
out:
	record_fini(&rec);
	feddir_close(&fd);
	return rv;
}

static const struct cli_opt revoke_opts[] = {
	{ "dir", 0, "DIR", CLI_REQUIRED, "federation directory" },
	{ "at", 0, "TIME", 0, "RFC 3339 time from which records it signs "
	  "are refused (default now)" },
	{ "last-seq", 0, "N", 0, "also refuse its records with a log seq "
	  "above N" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_agency_revoke = {
	.name = "agency revoke",
	.synopsis = "--dir DIR ID [--at TIME] [--last-seq N]",
	.summary = "revoke an agency's key (stolen or lost)",
	.details = "Appends the agency's next record: its key in use (or "
	    "its last key, if\nthat ends after TIME) gets until = TIME (end "
	    "\"revoked\") and, with\n--last-seq, last_seq = N. Records the key "
	    "signed that\nwere issued at or after TIME "
	    "(or with a log seq above N) are refused.\nThe agency has no "
	    "key afterwards: give it one with 'agency rotate-key'.\nNeeds "
	    "only the registrar's key, not the root.",
	.opts = revoke_opts,
	.min_pos = 1,
	.max_pos = 1,
	.run = run_revoke,
};

/* ---------------- agency remove ---------------- */

static int
run_remove(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *id = a->pos[0];
	struct rm_agency *b;
	struct rm_record rec;
	struct feddir fd = { .root = NULL };
	int rv;

	if ((rv = open_latest(a, &fd, &rec)) != 0)
		return rv;
	b = record_agency(&rec);
	if (b->removed) {
		rv = cli_fail(c, "%s is already removed", id);
		goto out;
	}
	cli_agency_close_keys(b, rm_utc_now_ms(), RM_KEY_REMOVED);
	b->removed = true;
	if ((rv = cli_agency_sign(c, &fd, b)) != 0)
		goto out;
	rv = finish(c, &fd, id, "removed");
out:
	record_fini(&rec);
	feddir_close(&fd);
	return rv;
}

static const struct cli_opt remove_opts[] = {
	{ "dir", 0, "DIR", CLI_REQUIRED, "federation directory" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_agency_remove = {
	.name = "agency remove",
	.synopsis = "--dir DIR ID",
	.summary = "remove an agency from the federation",
	.details = "Appends the agency's last record: status \"removed\", "
	    "every key in use\nclosed now (end \"removed\"). Records it "
	    "signed before stay valid.\nNeeds only the registrar's key, not "
	    "the root.",
	.opts = remove_opts,
	.min_pos = 1,
	.max_pos = 1,
	.run = run_remove,
};
