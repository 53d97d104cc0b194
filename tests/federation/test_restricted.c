/*
 * test_restricted.c -- restricted records (docs/PROTOCOL.md §6a) in the
 * trust layer: the roster's "enc" keys (codec, old rosters), encrypt +
 * seal, open on a relay (no content, recipients checked, grade left to
 * the recipients), decrypt on a recipient, and every refusal: not for
 * me, a ciphertext lifted into another record, "to" that does not match
 * the COSE_Encrypt, a recipient without an encryption key, a grade above
 * the origin's maximum.
 */
#define _GNU_SOURCE     /* memmem */
#include <stdlib.h>
#include <string.h>

#include "fed_fixture.h"
#include "rm_test.h"

/* enc keys of the fixture agencies (0 command, 1 emergency, 2 water):
 * water has none, so it cannot be a recipient. */
static crypto_key *enc_key[FX_N_AGENCIES];
static crypto_decrypter *dec[FX_N_AGENCIES];

static struct roster *
enc_roster(void)
{
	const struct fx_fed *f = fx_fed();
	struct roster *r, *opened;
	struct roster_agency a;
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	for (size_t i = 0; i < 2; i++) {
		if (enc_key[i] != NULL)
			continue;
		CU_ASSERT_EQUAL_FATAL(crypto_key_generate(&enc_key[i], &why),
		    RM_OK);
		CU_ASSERT_EQUAL_FATAL(crypto_decrypter_from_key(enc_key[i],
		    &dec[i], &why), RM_OK);
	}
	CU_ASSERT_EQUAL_FATAL(roster_new(FX_FED_NAME, 7, &r, &why), RM_OK);
	for (size_t i = 0; i < FX_N_AGENCIES; i++) {
		fx_agency(i, &a);
		a.enc_key = enc_key[i];
		CU_ASSERT_EQUAL_FATAL(roster_put_agency(r, &a, &why), RM_OK);
	}
	CU_ASSERT_EQUAL_FATAL(roster_sign(r, f->root_signer, &b, &why), RM_OK);
	roster_free(r);
	CU_ASSERT_EQUAL_FATAL(roster_open(b.data, b.len, f->root, &opened,
	    &why), RM_OK);
	rm_buf_fini(&b);
	return opened;
}

static void
test_roster_enc(void)
{
	struct roster *r = enc_roster(), *old = fx_roster(1);
	const struct roster_agency *a;
	struct roster_agency e;
	rm_hash kid;
	rm_why why;

	for (size_t i = 0; i < FX_N_AGENCIES; i++) {
		a = roster_find(r, fx_fed()->id[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		if (enc_key[i] == NULL) {
			CU_ASSERT_PTR_NULL(a->enc_key);
			continue;
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(a->enc_key);
		crypto_key_kid(enc_key[i], &kid);
		CU_ASSERT(memcmp(a->enc_kid.b, kid.b, RM_HASH_BYTES) == 0);
	}
	/* a roster without "enc" (every roster before §6a) still opens */
	for (size_t i = 0; i < roster_count(old); i++)
		CU_ASSERT_PTR_NULL(roster_at(old, i)->enc_key);
	/* one key, one use */
	fx_agency(0, &e);
	e.enc_key = e.key;
	CU_ASSERT_EQUAL(roster_put_agency(old, &e, &why), RM_EBADVALUE);
	roster_free(old);
	roster_free(r);
}

/* A restricted alert from emergency to `to`, sealed; *enc_out (if not
 * NULL) gets a copy of its COSE_Encrypt. */
static void
restricted(struct roster *r, const char *const *to, size_t n_to,
    const char *oid, rm_grade g, rm_buf *out, rm_hash *h)
{
	struct fx_rec x;
	rm_why why;

	fx_record(&x, FX_EMERGENCY, 1, NULL, "120103", g);
	snprintf(x.r.object_id, sizeof(x.r.object_id), "%s", oid);
	CU_ASSERT_EQUAL_FATAL(record_set_to(&x.r, to, n_to, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(fed_record_restrict(r, &x.r, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(fed_record_seal(fx_fed()->signer[1], &x.r, out,
	    h, &why), RM_OK);
	free(x.r.to);
	free(x.r.enc);
}

static void
test_relay_and_recipient(void)
{
	static const char *const to[] = { FX_EMERGENCY, FX_COMMAND };
	struct roster *r = enc_roster();
	struct fed_record fr;
	rm_buf b = RM_BUF_INIT;
	char line[160];
	rm_why why;

	restricted(r, to, 2, "secret-1", RM_GRADE_ORANGE, &b, NULL);
	CU_ASSERT(memmem(b.data, b.len, "暴雨预警", strlen("暴雨预警")) ==
	    NULL);
	/* a relay: verifies and decodes without the body */
	CU_ASSERT_EQUAL_FATAL(fed_record_open(r, b.data, b.len, &fr, &why),
	    RM_OK);
	CU_ASSERT_TRUE(record_restricted(&fr.rec));
	CU_ASSERT_PTR_NULL(fr.rec.body);
	CU_ASSERT_PTR_NULL(record_alert(&fr.rec));
	CU_ASSERT_EQUAL_FATAL(fr.rec.n_to, 2);
	CU_ASSERT_STRING_EQUAL(fr.rec.to[0], FX_COMMAND);   /* sorted */
	CU_ASSERT_STRING_EQUAL(fr.rec.to[1], FX_EMERGENCY);
	CU_ASSERT_TRUE(record_in_force(&fr.rec, fr.rec.issued_ms));
	record_summary(&fr.rec, line, sizeof(line));
	CU_ASSERT_STRING_EQUAL(line, "alert secret-1 (restricted to 2)");
	/* not for water's key (it has none: use a fresh one) nor for a key
	 * that is not named */
	{
		crypto_key *k;
		crypto_decrypter *d;

		CU_ASSERT_EQUAL(crypto_key_generate(&k, NULL), RM_OK);
		CU_ASSERT_EQUAL(crypto_decrypter_from_key(k, &d, NULL), RM_OK);
		CU_ASSERT_EQUAL(fed_record_decrypt(r, d, &fr.rec, &why),
		    RM_ENOTFOUND);
		CU_ASSERT_PTR_NULL(fr.rec.body);
		crypto_decrypter_free(d);
		crypto_key_free(k);
	}
	/* each recipient reads it */
	for (size_t i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL_FATAL(fed_record_decrypt(r, dec[i], &fr.rec,
		    &why), RM_OK);
		CU_ASSERT_STRING_EQUAL(record_alert(&fr.rec)->texts[0].headline,
		    "暴雨预警");
		CU_ASSERT_EQUAL(record_alert(&fr.rec)->grade, RM_GRADE_ORANGE);
		record_summary(&fr.rec, line, sizeof(line));
		CU_ASSERT(strstr(line, "暴雨") == NULL);   /* logs: no content */
		/* a second decrypt is refused: the body is there */
		CU_ASSERT_EQUAL(fed_record_decrypt(r, dec[i], &fr.rec, &why),
		    RM_EINVAL);
		record_body_free(&fr.rec);
	}
	fed_record_fini(&fr);
	rm_buf_fini(&b);
	roster_free(r);
}

static void
test_grade_checked_by_recipient(void)
{
	static const char *const to[] = { FX_COMMAND };
	struct roster *r = enc_roster();
	struct fed_record fr;
	struct fx_rec x;
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	/* emergency may issue up to orange; red is refused in clear ... */
	fx_record(&x, FX_EMERGENCY, 1, NULL, "120103", RM_GRADE_RED);
	CU_ASSERT_EQUAL(roster_authorise(roster_find(r, FX_EMERGENCY), &x.r,
	    &why), RM_EUNAUTH);
	/* ... and, restricted, passes the relays but not the recipient */
	restricted(r, to, 1, "red-1", RM_GRADE_RED, &b, NULL);
	CU_ASSERT_EQUAL_FATAL(fed_record_open(r, b.data, b.len, &fr, &why),
	    RM_OK);
	CU_ASSERT_EQUAL(fed_record_decrypt(r, dec[0], &fr.rec, &why),
	    RM_EUNAUTH);
	CU_ASSERT(strstr(why.msg, "grade") != NULL);
	CU_ASSERT_PTR_NULL(fr.rec.body);
	fed_record_fini(&fr);
	rm_buf_fini(&b);
	roster_free(r);
}

/* Re-sign rec (decoded from a sealed record) with changes. */
static void
reseal(struct rm_record *rec, rm_buf *out)
{
	rm_why why;

	rm_buf_reset(out);
	CU_ASSERT_EQUAL_FATAL(fed_record_seal(fx_fed()->signer[1], rec, out,
	    NULL, &why), RM_OK);
}

static void
test_refusals(void)
{
	static const char *const to_cmd[] = { FX_COMMAND };
	static const char *const to_water[] = { FX_WATER };
	struct roster *r = enc_roster();
	struct fed_record fr, fr2;
	rm_buf b = RM_BUF_INIT, b2 = RM_BUF_INIT;
	rm_why why;

	restricted(r, to_cmd, 1, "lift-1", RM_GRADE_BLUE, &b, NULL);
	CU_ASSERT_EQUAL_FATAL(fed_record_open(r, b.data, b.len, &fr, &why),
	    RM_OK);
	/* the ciphertext lifted into another object (AAD: oid) */
	snprintf(fr.rec.object_id, sizeof(fr.rec.object_id), "lift-2");
	reseal(&fr.rec, &b2);
	CU_ASSERT_EQUAL_FATAL(fed_record_open(r, b2.data, b2.len, &fr2, &why),
	    RM_OK);
	CU_ASSERT_EQUAL(fed_record_decrypt(r, dec[0], &fr2.rec, &why),
	    RM_EBADSIG);
	fed_record_fini(&fr2);
	/* ... or another version (AAD: ver) */
	snprintf(fr.rec.object_id, sizeof(fr.rec.object_id), "lift-1");
	fr.rec.ver = 2;
	reseal(&fr.rec, &b2);
	CU_ASSERT_EQUAL_FATAL(fed_record_open(r, b2.data, b2.len, &fr2, &why),
	    RM_OK);
	CU_ASSERT_EQUAL(fed_record_decrypt(r, dec[0], &fr2.rec, &why),
	    RM_EBADSIG);
	fed_record_fini(&fr2);
	/* "to" names emergency, the COSE_Encrypt is for command: every
	 * node refuses it */
	fr.rec.ver = 1;
	snprintf(fr.rec.to[0], sizeof(fr.rec.to[0]), "%s", FX_EMERGENCY);
	reseal(&fr.rec, &b2);
	CU_ASSERT_EQUAL(fed_record_open(r, b2.data, b2.len, &fr2, &why),
	    RM_EBADVALUE);
	CU_ASSERT(strstr(why.msg, "encryption key of 120103.emergency") !=
	    NULL);
	/* a recipient not in the roster */
	snprintf(fr.rec.to[0], sizeof(fr.rec.to[0]), "120105.nobody");
	reseal(&fr.rec, &b2);
	CU_ASSERT_EQUAL(fed_record_open(r, b2.data, b2.len, &fr2, &why),
	    RM_ENOTFOUND);
	/* not a COSE_Encrypt at all */
	snprintf(fr.rec.to[0], sizeof(fr.rec.to[0]), "%s", FX_COMMAND);
	fr.rec.enc[0] ^= 0x01;                  /* tag 96 -> another tag */
	reseal(&fr.rec, &b2);
	CU_ASSERT_NOT_EQUAL(fed_record_open(r, b2.data, b2.len, &fr2, &why),
	    RM_OK);
	fed_record_fini(&fr);
	/* water has no encryption key: cannot be a recipient */
	{
		struct fx_rec x;

		fx_record(&x, FX_EMERGENCY, 1, NULL, "120103", RM_GRADE_BLUE);
		CU_ASSERT_EQUAL(record_set_to(&x.r, to_water, 1, &why), RM_OK);
		CU_ASSERT_EQUAL(fed_record_restrict(r, &x.r, &why),
		    RM_EBADVALUE);
		CU_ASSERT_PTR_NULL(x.r.enc);
		free(x.r.to);
	}
	rm_buf_fini(&b);
	rm_buf_fini(&b2);
	roster_free(r);
}

static void
test_schema_rules(void)
{
	static const char *const dup[] = { FX_COMMAND, FX_COMMAND };
	static const char *const bad[] = { "not an id" };
	static const char *const to[] = { FX_COMMAND };
	struct roster *r = enc_roster();
	struct rm_record d;
	struct fx_rec x;
	rm_buf b = RM_BUF_INIT, aad = RM_BUF_INIT;
	rm_why why;

	fx_record(&x, FX_EMERGENCY, 1, NULL, "120103", RM_GRADE_BLUE);
	CU_ASSERT_EQUAL(record_set_to(&x.r, dup, 2, &why), RM_EBADVALUE);
	CU_ASSERT_EQUAL(record_set_to(&x.r, bad, 1, &why), RM_EBADVALUE);
	CU_ASSERT_EQUAL(record_set_to(&x.r, to, 0, &why), RM_EINVAL);
	CU_ASSERT_EQUAL(x.r.n_to, 0);
	CU_ASSERT_EQUAL(record_set_to(&x.r, to, 1, &why), RM_OK);
	/* restricted without its COSE_Encrypt does not encode */
	CU_ASSERT_EQUAL(record_encode(&x.r, &b, &why), RM_EMISSING);
	CU_ASSERT_EQUAL(fed_record_restrict(r, &x.r, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_encode(&x.r, &b, &why), RM_OK);
	/* round trip: "to" and the bstr body, no body map */
	CU_ASSERT_EQUAL_FATAL(record_decode(b.data, b.len, &d, &why), RM_OK);
	CU_ASSERT_EQUAL(d.n_to, 1);
	CU_ASSERT_EQUAL(d.enc_len, x.r.enc_len);
	CU_ASSERT(memcmp(d.enc, x.r.enc, d.enc_len) == 0);
	CU_ASSERT_PTR_NULL(d.body);
	/* the AAD: ["riskmesh restricted v1", origin, kind, oid, ver, to] */
	CU_ASSERT_EQUAL(record_restricted_aad(&d, &aad, &why), RM_OK);
	CU_ASSERT(aad.len > 0 && aad.data[0] == 0x86);
	CU_ASSERT(memmem(aad.data, aad.len, "riskmesh restricted v1", 22) !=
	    NULL);
	record_fini(&d);
	/* unsorted recipients are refused by validation */
	{
		char (*two)[RM_AGENCY_ID_MAX + 1] = calloc(2, sizeof(*two));
		char (*keep)[RM_AGENCY_ID_MAX + 1] = x.r.to;

		strcpy(two[0], FX_EMERGENCY);
		strcpy(two[1], FX_COMMAND);
		x.r.to = two;
		x.r.n_to = 2;
		CU_ASSERT_EQUAL(record_validate(&x.r, &why), RM_EBADVALUE);
		x.r.to = keep;
		x.r.n_to = 1;
		free(two);
	}
	/* a bstr body without "to", and "to" with a map body: refused
	 * (the "to" entry cut out of / spliced into the encodings) */
	{
		static const uint8_t to_entry[] = { 0x62, 't', 'o', 0x81, 0x6e,
			'1', '2', '0', '0', '0', '0', '.', 'c', 'o', 'm', 'm',
			'a', 'n', 'd' };
		const size_t tl = sizeof(to_entry);
		size_t n_to = x.r.n_to, at;
		uint8_t *p;
		rm_buf e = RM_BUF_INIT;

		p = memmem(b.data, b.len, to_entry, tl);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		at = (size_t)(p - b.data);
		rm_buf_append(&e, b.data, at);
		rm_buf_append(&e, b.data + at + tl, b.len - at - tl);
		e.data[0]--;                          /* one pair fewer */
		CU_ASSERT_EQUAL(record_decode(e.data, e.len, &d, &why),
		    RM_EBADVALUE);
		CU_ASSERT(strstr(why.msg, "requires") != NULL);
		x.r.n_to = 0;
		rm_buf_reset(&b);
		CU_ASSERT_EQUAL_FATAL(record_encode(&x.r, &b, &why), RM_OK);
		x.r.n_to = n_to;
		/* after "v": 1 (61 76 01) */
		CU_ASSERT(b.len > 4 && memcmp(b.data + 1, "\x61\x76\x01", 3) ==
		    0);
		rm_buf_reset(&e);
		rm_buf_append(&e, b.data, 4);
		rm_buf_append(&e, to_entry, tl);
		rm_buf_append(&e, b.data + 4, b.len - 4);
		e.data[0]++;
		CU_ASSERT_EQUAL(record_decode(e.data, e.len, &d, &why),
		    RM_EBADVALUE);
		CU_ASSERT(strstr(why.msg, "must be a bstr") != NULL);
		rm_buf_fini(&e);
	}
	free(x.r.to);
	free(x.r.enc);
	rm_buf_fini(&b);
	rm_buf_fini(&aad);
	roster_free(r);
}

static void
cleanup(void)
{
	for (size_t i = 0; i < FX_N_AGENCIES; i++) {
		crypto_decrypter_free(dec[i]);
		crypto_key_free(enc_key[i]);
		dec[i] = NULL;
		enc_key[i] = NULL;
	}
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "roster_enc", test_roster_enc },
		{ "relay_and_recipient", test_relay_and_recipient },
		{ "grade_checked_by_recipient", test_grade_checked_by_recipient },
		{ "refusals", test_refusals },
		{ "schema_rules", test_schema_rules },
		{ "cleanup", cleanup },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("federation.restricted", tests);
}
