/*
 * envelope.c -- signed records: open (verify against the roster) and
 * seal (encode and sign). The checks run cheapest-first and each names
 * what failed (docs/PROTOCOL.md §Records).
 */
#include <string.h>

#include "federation/trust/trust_int.h"

int
fed_record_open(const struct roster *r, const uint8_t *p, size_t n,
    struct fed_record *out, rm_why *why)
{
	struct cose_sign1 msg;
	const struct roster_agency *a;
	const struct roster_key *key;
	struct fed_record fr;
	char kid[16];
	rm_why w;
	int rv;

	memset(out, 0, sizeof(*out));
	memset(&fr, 0, sizeof(fr));
	if (n > COSE_SIGN1_MAX)
		return rm_fail(why, RM_ETOOBIG, "record: %zu bytes, limit %d",
		    n, COSE_SIGN1_MAX);
	if ((rv = cose_sign1_decode(p, n, &msg, &w)) != RM_OK)
		return rm_fail(why, rv, "record envelope: %s", w.msg);
	fed_hash_short(&msg.kid, kid);
	if ((a = roster_find_kid(r, &msg.kid, &key)) == NULL)
		return rm_fail(why, RM_EUNKNOWNSIGNER, "signer kid %s not in "
		    "roster version %llu (%zu agencies)", kid,
		    (unsigned long long)roster_version(r), roster_count(r));
	if (roster_key_public(key) == NULL)
		return rm_fail(why, RM_EBADVALUE, "key %s of %s in the roster is "
		    "not a canonical P-256 SubjectPublicKeyInfo", kid, a->id);
	if ((rv = cose_sign1_verify(roster_key_public(key), &msg, &w)) !=
	    RM_OK)
		return rm_fail(why, rv, "signature by %s (kid %s) does not "
		    "verify: %s", a->id, kid, w.msg);
	if ((rv = record_decode(msg.payload, msg.payload_len, &fr.rec, &w)) !=
	    RM_OK)
		return rm_fail(why, rv, "record body from %s: %s", a->id,
		    w.msg);
	if (strcmp(fr.rec.origin, a->id) != 0) {
		rv = rm_fail(why, RM_EUNAUTH, "record origin \"%s\" is not "
		    "its signer %s", fr.rec.origin, a->id);
		goto fail;
	}
	/* The key must have been good for this record (docs/PROTOCOL.md
	 * §5b): issued inside its validity, within its last seq. */
	if ((rv = roster_key_check(a, key, &fr.rec, &w)) != RM_OK) {
		rm_fail(why, rv, "%s seq %llu: %s", a->id,
		    (unsigned long long)fr.rec.seq, w.msg);
		goto fail;
	}
	if (record_restricted(&fr.rec) &&
	    (rv = fed_check_recipients(r, &fr.rec, &w)) != RM_OK) {
		rm_fail(why, rv, "%s seq %llu: %s", a->id,
		    (unsigned long long)fr.rec.seq, w.msg);
		goto fail;
	}
	if ((rv = roster_authorise(a, &fr.rec, &w)) != RM_OK) {
		rm_fail(why, rv, "%s seq %llu not authorised: %s", a->id,
		    (unsigned long long)fr.rec.seq, w.msg);
		goto fail;
	}
	cose_record_hash(p, n, &fr.hash);
	fr.bytes = p;
	fr.len = n;
	*out = fr;
	return RM_OK;
fail:
	record_fini(&fr.rec);
	return rv;
}

void
fed_record_fini(struct fed_record *fr)
{
	if (fr == NULL)
		return;
	record_fini(&fr->rec);
	memset(fr, 0, sizeof(*fr));
}

int
fed_record_seal(crypto_signer *s, const struct rm_record *rec, rm_buf *out,
    rm_hash *hash, rm_why *why)
{
	rm_buf body = RM_BUF_INIT;
	size_t old = out->len;
	int rv;

	if ((rv = record_encode(rec, &body, why)) != RM_OK)
		goto fail;
	if ((rv = cose_sign1_sign(s, body.data, body.len, out, why)) != RM_OK)
		goto fail;
	if (out->len - old > COSE_SIGN1_MAX) {
		out->len = old;
		rv = rm_fail(why, RM_ETOOBIG, "record: signed size over %d "
		    "bytes", COSE_SIGN1_MAX);
		goto fail;
	}
	if (hash != NULL)
		cose_record_hash(out->data + old, out->len - old, hash);
fail:
	rm_buf_fini(&body);
	return rv;
}
