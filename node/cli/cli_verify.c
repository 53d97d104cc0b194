/*
 * cli_verify.c -- `riskmesh verify FILE`: offline check of one signed
 * record (COSE_Sign1, RFC 9052 §4.2) against a federation roster.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/cli/cli.h"

void
cli_print_record(const struct rm_record *r)
{
	char t[32];

	printf("origin:   %s\n", r->origin);
	printf("kind:     %s\n", r->kind->name);
	printf("object:   %s\n", r->object_id);
	printf("ver:      %llu\n", (unsigned long long)r->ver);
	printf("seq:      %llu\n", (unsigned long long)r->seq);
	rm_utc_format(r->issued_ms, t);
	printf("issued:   %s\n", t);
	if (r->expires_ms != 0) {
		rm_utc_format(r->expires_ms, t);
		printf("expires:  %s\n", t);
	}
	printf("areas:   ");
	for (size_t i = 0; i < r->n_areas; i++)
		printf(" %s", r->areas[i]);
	printf("\n");
	if (record_alert(r) != NULL) {
		const struct rm_alert *al = record_alert(r);

		printf("grade:    %s\n", grade_name(al->grade) ?
		    grade_name(al->grade) : "?");
		printf("type:     %s\n", cap_msgtype_name(al->msg_type) ?
		    cap_msgtype_name(al->msg_type) : "?");
		for (size_t i = 0; i < al->n_texts; i++)
			printf("headline: [%s] %s\n", al->texts[i].lang,
			    al->texts[i].headline);
	}
}

/* The roster view from --dir, or --roster/--ca [--agencies]; *r NULL
 * if none was given. Prints the error. */
static int
trust_view(const struct cli_args *a, struct roster **r)
{
	const struct cli_cmd *c = a->cmd;
	const char *dir = cli_get(a, "dir"), *recs = cli_get(a, "agencies");
	struct roster *charter = NULL;
	struct registry *reg = NULL;
	crypto_key *root = NULL;
	struct feddir fd;
	char prefix[64];
	rm_why why;
	int rv;

	*r = NULL;
	if (dir != NULL && (cli_has(a, "roster") || cli_has(a, "ca") ||
	    recs != NULL))
		return cli_usage(c, "give --dir or --roster and --ca, not both");
	if (dir != NULL) {
		char ca[1100];

		/* Name the file that is missing, not just the directory. */
		if (snprintf(ca, sizeof(ca), "%s/%s", dir, FEDDIR_CA) >=
		    (int)sizeof(ca))
			return cli_usage(c, "--dir: path too long");
		if (access(ca, R_OK) != 0)
			return cli_fail(c, "%s: %s", ca, strerror(errno));
		if ((rv = feddir_open(c, dir, false, &fd)) != 0)
			return rv;
		*r = roster_ref(fd.roster);
		feddir_close(&fd);
		return CLI_EXIT_OK;
	}
	if (cli_has(a, "roster") != cli_has(a, "ca"))
		return cli_usage(c, "--roster and --ca go together");
	if (!cli_has(a, "roster")) {
		if (recs != NULL)
			return cli_usage(c, "--agencies needs --roster and "
			    "--ca");
		return CLI_EXIT_OK;
	}
	if (x509_public_key(cli_get(a, "ca"), &root, &why) != RM_OK)
		return cli_fail_file(c, cli_get(a, "ca"), &why);
	rv = roster_load(cli_get(a, "roster"), root, &charter, &why);
	crypto_key_free(root);
	if (rv != RM_OK)
		return cli_fail_file(c, cli_get(a, "roster"), &why);
	if (recs == NULL) {
		*r = charter;
		return CLI_EXIT_OK;
	}
	snprintf(prefix, sizeof(prefix), "riskmesh %s: ", c->name);
	if (registry_load(recs, charter, &reg, &why) != RM_OK)
		rv = cli_fail_file(c, recs, &why);
	else if (registry_view(reg, charter, prefix, r, &why) != RM_OK)
		rv = cli_fail(c, "roster: %s", why.msg);
	else
		rv = CLI_EXIT_OK;
	registry_free(reg);
	roster_free(charter);
	return rv;
}

static int
run_verify(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *file = a->pos[0];
	char hex[65];
	struct cose_sign1 msg;
	struct rm_record rec;
	struct fed_record fr;
	struct roster *r = NULL;
	rm_buf buf = RM_BUF_INIT;
	rm_hash h;
	rm_why why;
	int rv, err;

	memset(&rec, 0, sizeof(rec));
	if ((rv = trust_view(a, &r)) != 0)
		return rv;
	if (rm_file_read(file, COSE_SIGN1_MAX + 1, &buf, &why) != RM_OK) {
		rv = cli_fail(c, "%s", why.msg);
		goto out;
	}
	printf("file:     %s (%zu bytes)\n", file, buf.len);
	if (buf.len > COSE_SIGN1_MAX) {
		printf("INVALID: ETOOBIG: larger than %d bytes\n",
		    COSE_SIGN1_MAX);
		rv = CLI_EXIT_FAIL;
		goto out;
	}
	cose_record_hash(buf.data, buf.len, &h);
	rm_hash_hex(&h, hex);
	printf("hash:     %s\n", hex);
	if ((err = cose_sign1_decode(buf.data, buf.len, &msg, &why)) != RM_OK) {
		printf("INVALID: %s: COSE_Sign1: %s\n", rm_errname(err),
		    why.msg);
		rv = CLI_EXIT_FAIL;
		goto out;
	}
	rm_hex_encode(msg.kid.b, RM_HASH_BYTES, hex);
	printf("kid:      %.16s\n", hex);
	if ((err = record_decode(msg.payload, msg.payload_len, &rec,
	    &why)) != RM_OK) {
		printf("INVALID: %s: body: %s\n", rm_errname(err), why.msg);
		rv = CLI_EXIT_FAIL;
		goto out;
	}
	cli_print_record(&rec);
	if (r == NULL) {
		printf("well-formed (structure only: no roster given, so the "
		    "signature and\nauthorisation were NOT checked; use --dir "
		    "or --roster/--ca)\n");
		rv = CLI_EXIT_OK;
		goto out;
	}
	printf("roster:   %s version %llu\n", roster_federation(r),
	    (unsigned long long)roster_version(r));
	if ((err = fed_record_open(r, buf.data, buf.len, &fr, &why)) !=
	    RM_OK) {
		printf("INVALID: %s: %s\n", rm_errname(err), why.msg);
		rv = CLI_EXIT_FAIL;
		goto out;
	}
	fed_record_fini(&fr);
	printf("valid\n");
	rv = CLI_EXIT_OK;
out:
	record_fini(&rec);
	roster_free(r);
	rm_buf_fini(&buf);
	return rv;
}

static const struct cli_opt verify_opts[] = {
	{ "dir", 0, "FEDDIR", 0, "federation directory (roster.cose, "
	  "ca.crt, agencies.cbor)" },
	{ "roster", 0, "FILE", 0, "signed roster (the charter)" },
	{ "ca", 0, "FILE", 0, "federation CA certificate (verifies the "
	  "roster)" },
	{ "agencies", 0, "FILE", 0, "agency records (agencies.cbor) "
	  "verified against the roster" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_verify = {
	.name = "verify",
	.synopsis = "FILE [--dir FEDDIR | --roster FILE --ca FILE "
	    "[--agencies FILE]]",
	.summary = "check a signed record offline: structure, signature, "
	    "authorisation",
	.details = "Decodes the COSE_Sign1 record and prints its fields. With "
	    "a roster it also\nchecks the signer is in the roster, the "
	    "signature (ES256) and that the\nsigner may publish it (kind, "
	    "areas, grade), then prints \"valid\" or\n\"INVALID: CODE: "
	    "reason\". Exit 0 only if valid (without a roster: if\n"
	    "well-formed).",
	.opts = verify_opts,
	.min_pos = 1,
	.max_pos = 1,
	.run = run_verify,
};
