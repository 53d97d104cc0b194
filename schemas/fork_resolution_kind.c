/*
 * fork_resolution_kind.c -- kind "fork_resolution" in the kind
 * registry (schemas/fork_resolution.cddl): a signed decision that, of
 * the two records a forked origin has at one seq, the one with hash
 * `keep` stays in the log. The body is struct rm_fork_ref.
 *
 * Authorisation (rm_kind_ops.authorise): the signer is the forked
 * origin itself, or a registrar. The rule that an origin must resolve
 * with another key than the one that signed the losing record needs
 * that record, so the store checks it (node/store, "Fork resolution").
 */
#include <stdio.h>
#include <string.h>

#include "schemas/schemas_int.h"

static const char *const fr_keys[] = { "seq", "keep", "origin" };
#define FR_NKEYS ((int)(sizeof(fr_keys) / sizeof(fr_keys[0])))

static int
fr_encode(const void *body, rm_buf *out)
{
	const struct rm_fork_ref *f = body;
	int rv;

	if ((rv = rm_cbor_put_map(out, FR_NKEYS)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(out, "seq")) != RM_OK ||
	    (rv = rm_cbor_put_uint(out, f->seq)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(out, "keep")) != RM_OK ||
	    (rv = rm_cbor_put_bytes(out, f->keep.b, RM_HASH_BYTES)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(out, "origin")) != RM_OK)
		return rv;
	return rm_cbor_put_cstr(out, f->origin);
}

static int
fr_decode(rm_cbor_rd *rd, void *body, rm_why *why)
{
	struct rm_fork_ref *f = body;
	rm_cbor_keys ks;
	const uint8_t *bp;
	const char *tp;
	size_t npairs, n;
	int rv, idx;

	if ((rv = sch_dec_map(rd, "fork_resolution", &npairs, why)) != RM_OK)
		return rv;
	if (npairs != FR_NKEYS)
		return rm_fail(why, RM_EMISSING, "fork_resolution: %d fields "
		    "required (seq, keep, origin), got %zu", FR_NKEYS, npairs);
	rm_cbor_keys_init(&ks);
	for (int i = 0; i < FR_NKEYS; i++) {
		if ((rv = sch_dec_key(rd, &ks, "fork_resolution", fr_keys,
		    FR_NKEYS, &idx, why)) != RM_OK)
			return rv;
		switch (idx) {
		case 0:
			if ((rv = sch_dec_uint(rd, "fork_resolution.seq",
			    &f->seq, why)) != RM_OK)
				return rv;
			break;
		case 1:
			if ((rv = sch_dec_bytes(rd, "fork_resolution.keep", &bp,
			    &n, why)) != RM_OK)
				return rv;
			if (n != RM_HASH_BYTES)
				return rm_fail(why, RM_EBADVALUE,
				    "fork_resolution.keep: %zu bytes, want %d",
				    n, RM_HASH_BYTES);
			memcpy(f->keep.b, bp, RM_HASH_BYTES);
			break;
		default:
			if ((rv = sch_dec_text(rd, "fork_resolution.origin",
			    RM_AGENCY_ID_MAX, &tp, &n, why)) != RM_OK)
				return rv;
			memcpy(f->origin, tp, n);
			f->origin[n] = '\0';
			break;
		}
	}
	return RM_OK;
}

static int
fr_validate(const struct rm_record *rec, rm_why *why)
{
	const struct rm_fork_ref *f = rec->body;

	if (!agency_id_valid(f->origin))
		return rm_fail(why, RM_EBADVALUE, "fork_resolution.origin: "
		    "not an agency id (%s)", RM_AGENCY_ID_RULE);
	if (f->seq == 0)
		return rm_fail(why, RM_EBADVALUE, "fork_resolution.seq: "
		    "must be >= 1");
	/* An origin resolving its own fork at or after the resolution's
	 * own seq would make the resolution part of what it decides. */
	if (strcmp(f->origin, rec->origin) == 0 && f->seq >= rec->seq)
		return rm_fail(why, RM_EBADVALUE, "fork_resolution.seq: %llu "
		    "is not before the resolution's own seq %llu",
		    (unsigned long long)f->seq, (unsigned long long)rec->seq);
	return RM_OK;
}

static void
fr_fini(void *body)
{
	(void)body;                 /* nothing allocated */
}

/* Who may resolve: the forked origin itself (the store then checks
 * the key) or a registrar. */
static int
fr_authorise(const struct rm_record *rec, bool signer_registrar,
    rm_why *why)
{
	const struct rm_fork_ref *f = rec->body;

	if (strcmp(f->origin, rec->origin) == 0 || signer_registrar)
		return RM_OK;
	return rm_fail(why, RM_EUNAUTH, "fork_resolution: %s is neither the "
	    "forked origin %s nor a registrar", rec->origin, f->origin);
}

static const struct rm_fork_ref *
fr_resolves(const struct rm_record *rec)
{
	return rec->body;
}

static void
fr_summary(const struct rm_record *rec, char *out, size_t len)
{
	const struct rm_fork_ref *f = rec->body;
	char hex[2 * RM_HASH_BYTES + 1];

	rm_hex_encode(f->keep.b, RM_HASH_BYTES, hex);
	snprintf(out, len, "fork resolution %s seq %llu: keep %.16s",
	    f->origin, (unsigned long long)f->seq, hex);
}

const struct rm_kind_ops rm_kind_fork_resolution = {
	.name = "fork_resolution",
	.cddl = "fork_resolution.cddl",
	.body_size = sizeof(struct rm_fork_ref),
	.encode = fr_encode,
	.decode = fr_decode,
	.validate = fr_validate,
	.fini = fr_fini,
	.grade = NULL,
	.recipients = NULL,
	.in_force = NULL,
	.index_keys = NULL,
	.summary = fr_summary,
	.authorise = fr_authorise,
	.resolves = fr_resolves,
};
