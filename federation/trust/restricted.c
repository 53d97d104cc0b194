/*
 * restricted.c -- restricted records (docs/PROTOCOL.md §6a): encrypt a
 * record's body for the roster encryption keys of its recipients,
 * check at ingest that the COSE_Encrypt is addressed to exactly them,
 * and decrypt on a recipient. The record model side is
 * schemas/restricted.c, the cryptography crypto/cose_encrypt*.c.
 */
#include <stdlib.h>
#include <string.h>

#include "federation/trust/trust_int.h"

/* The roster entry of recipient i, with its encryption key. */
static int
recipient(const struct roster *r, const struct rm_record *rec, size_t i,
    const struct roster_agency **out, rm_why *why)
{
	const struct roster_agency *a = roster_find(r, rec->to[i]);

	if (a == NULL)
		return rm_fail_at(why, RM_ENOTFOUND, "to", "to: %s is not in "
		    "roster version %llu", rec->to[i],
		    (unsigned long long)roster_version(r));
	if (roster_agency_enc(a) == NULL)
		return rm_fail_at(why, RM_EBADVALUE, "to", "to: %s has no "
		    "encryption key in roster version %llu", rec->to[i],
		    (unsigned long long)roster_version(r));
	*out = a;
	return RM_OK;
}

int
fed_check_recipients(const struct roster *r, const struct rm_record *rec,
    rm_why *why)
{
	rm_hash kids[COSE_ENCRYPT_RECIPIENTS_MAX];
	const struct roster_agency *a;
	size_t n;
	rm_why w;
	int rv;

	if ((rv = cose_encrypt_recipients(rec->enc, rec->enc_len, kids, &n,
	    &w)) != RM_OK)
		return rm_fail(why, rv, "restricted body: %s", w.msg);
	if (n != rec->n_to)
		return rm_fail(why, RM_EBADVALUE, "restricted body: %zu "
		    "recipients, \"to\" names %zu", n, rec->n_to);
	/* kids are strictly ascending and n == n_to, so each agency
	 * found once means a one-to-one match */
	for (size_t i = 0; i < rec->n_to; i++) {
		size_t lo = 0, hi = n;
		bool found = false;

		if ((rv = recipient(r, rec, i, &a, why)) != RM_OK)
			return rv;
		while (lo < hi && !found) {
			size_t mid = lo + (hi - lo) / 2;
			int c = memcmp(kids[mid].b, a->enc_kid.b,
			    RM_HASH_BYTES);

			if (c == 0)
				found = true;
			else if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!found)
			return rm_fail(why, RM_EBADVALUE, "restricted body: "
			    "not encrypted to the encryption key of %s",
			    a->id);
	}
	return RM_OK;
}

int
fed_record_restrict(const struct roster *r, struct rm_record *rec,
    rm_why *why)
{
	const crypto_key *keys[RM_RECORD_TO_MAX];
	const struct roster_agency *a;
	rm_buf plain = RM_BUF_INIT, aad = RM_BUF_INIT, enc = RM_BUF_INIT;
	int rv;

	if (rec == NULL || !record_restricted(rec) || rec->body == NULL ||
	    rec->n_to > RM_RECORD_TO_MAX)
		return rm_fail(why, RM_EINVAL, "restrict: not a restricted "
		    "draft with a body");
	for (size_t i = 0; i < rec->n_to; i++) {
		if ((rv = recipient(r, rec, i, &a, why)) != RM_OK)
			return rv;
		keys[i] = roster_agency_enc(a);
	}
	plain.limit = COSE_ENCRYPT_PLAINTEXT_MAX;
	if ((rv = record_body_encode(rec, &plain, why)) != RM_OK ||
	    (rv = record_restricted_aad(rec, &aad, why)) != RM_OK ||
	    (rv = cose_encrypt_seal(plain.data, plain.len, keys, rec->n_to,
	    aad.data, aad.len, &enc, why)) != RM_OK)
		goto fail;
	free(rec->enc);
	rec->enc = enc.data;            /* ownership passes to rec */
	rec->enc_len = enc.len;
	enc.data = NULL;
	enc.len = 0;
fail:
	crypto_wipe(plain.data, plain.len);
	rm_buf_fini(&plain);
	rm_buf_fini(&aad);
	rm_buf_fini(&enc);
	return rv;
}

int
fed_record_decrypt(const struct roster *r, crypto_decrypter *me,
    struct rm_record *rec, rm_why *why)
{
	const struct roster_agency *a;
	rm_buf plain = RM_BUF_INIT, aad = RM_BUF_INIT;
	rm_why w;
	int rv;

	if (rec == NULL || me == NULL || !record_restricted(rec) ||
	    rec->body != NULL || rec->enc == NULL)
		return rm_fail(why, RM_EINVAL, "decrypt: not a restricted "
		    "record without a body");
	if ((rv = record_restricted_aad(rec, &aad, why)) != RM_OK)
		goto fail;
	if ((rv = cose_encrypt_open(rec->enc, rec->enc_len, me, aad.data,
	    aad.len, &plain, &w)) != RM_OK) {
		rm_fail(why, rv, "%s", rv == RM_ENOTFOUND ? "not encrypted "
		    "for this agency's key" : w.msg);
		goto fail;
	}
	if ((rv = record_body_decode(rec, plain.data, plain.len, &w)) !=
	    RM_OK) {
		rm_fail(why, rv, "restricted body from %s: %s", rec->origin,
		    w.msg);
		goto fail;
	}
	if ((a = roster_find(r, rec->origin)) == NULL)
		rv = rm_fail(why, RM_EUNKNOWNSIGNER, "origin %s is not in "
		    "roster version %llu", rec->origin,
		    (unsigned long long)roster_version(r));
	else if ((rv = roster_authorise(a, rec, &w)) != RM_OK)
		rm_fail(why, rv, "restricted content of %s seq %llu not "
		    "authorised: %s", rec->origin,
		    (unsigned long long)rec->seq, w.msg);
	if (rv != RM_OK)
		record_body_free(rec);
fail:
	crypto_wipe(plain.data, plain.len);
	rm_buf_fini(&plain);
	rm_buf_fini(&aad);
	return rv;
}
