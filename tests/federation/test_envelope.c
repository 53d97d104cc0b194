/*
 * test_envelope.c -- fed_record_open / fed_record_seal: a valid record and
 * every refusal: bad signature, unknown signer, origin != signer,
 * unauthorised, malformed, oversize.
 */
#include <stdlib.h>
#include <string.h>

#include "fed_fixture.h"
#include "rm_test.h"

static void
test_valid(void)
{
	struct roster *r = fx_roster(1);
	struct fx_rec x;
	struct fed_record fr;
	rm_buf b = RM_BUF_INIT;
	rm_hash h, h2;
	rm_why why;

	fx_record(&x, FX_EMERGENCY, 1, NULL, "120103", RM_GRADE_ORANGE);
	fx_seal(&x, &b, &h);
	cose_record_hash(b.data, b.len, &h2);
	CU_ASSERT(memcmp(h.b, h2.b, RM_HASH_BYTES) == 0);
	CU_ASSERT_EQUAL_FATAL(fed_record_open(r, b.data, b.len, &fr, &why),
	    RM_OK);
	CU_ASSERT(memcmp(fr.hash.b, h.b, RM_HASH_BYTES) == 0);
	CU_ASSERT_PTR_EQUAL(fr.bytes, b.data);
	CU_ASSERT_EQUAL(fr.len, b.len);
	CU_ASSERT_STRING_EQUAL(fr.rec.origin, FX_EMERGENCY);
	CU_ASSERT_EQUAL(fr.rec.seq, 1);
	CU_ASSERT_EQUAL(record_alert(&fr.rec)->grade, RM_GRADE_ORANGE);
	CU_ASSERT_STRING_EQUAL(record_alert(&fr.rec)->texts[0].event, "暴雨");
	fed_record_fini(&fr);
	CU_ASSERT_EQUAL(fr.len, 0);
	rm_buf_fini(&b);
	roster_free(r);
}

static void
expect(const struct roster *r, const rm_buf *b, int want, const char *needle)
{
	struct fed_record fr;
	rm_why why;

	memset(&fr, 0xa5, sizeof(fr));
	why.msg[0] = '\0';
	CU_ASSERT_EQUAL(fed_record_open(r, b->data, b->len, &fr, &why), want);
	/* zeroed on error */
	CU_ASSERT_EQUAL(fr.len, 0);
	CU_ASSERT_PTR_NULL(fr.bytes);
	if (needle != NULL && strstr(why.msg, needle) == NULL) {
		fprintf(stderr, "why \"%s\" lacks \"%s\"\n", why.msg, needle);
		CU_FAIL("rm_why text");
	}
}

static void
test_bad_signature(void)
{
	struct roster *r = fx_roster(1);
	struct fx_rec x;
	rm_buf b = RM_BUF_INIT;

	fx_record(&x, FX_COMMAND, 3, NULL, "120000", RM_GRADE_RED);
	x.r.has_prev = true;
	fx_seal(&x, &b, NULL);
	b.data[b.len - 5] ^= 0x40;
	expect(r, &b, RM_EBADSIG, FX_COMMAND);
	rm_buf_fini(&b);
	roster_free(r);
}

static void
test_unknown_signer(void)
{
	struct roster *r = fx_roster(6);
	struct fx_rec x;
	rm_buf b = RM_BUF_INIT;
	crypto_key *k;
	crypto_signer *s = NULL;
	rm_why why;

	crypto_key_generate(&k, NULL);
	CU_ASSERT_EQUAL_FATAL(crypto_signer_from_key(k, &s, &why), RM_OK);
	fx_record(&x, FX_COMMAND, 1, NULL, "120000", RM_GRADE_RED);
	CU_ASSERT_EQUAL_FATAL(fed_record_seal(s, &x.r, &b, NULL, &why), RM_OK);
	expect(r, &b, RM_EUNKNOWNSIGNER, "not in roster version 6");
	crypto_signer_free(s);
	crypto_key_free(k);
	rm_buf_fini(&b);
	roster_free(r);
}

static void
test_origin_not_signer(void)
{
	struct roster *r = fx_roster(1);
	struct fx_rec x;
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	/* Signed by the emergency bureau, claiming the command centre. */
	fx_record(&x, FX_COMMAND, 1, NULL, "120103", RM_GRADE_BLUE);
	CU_ASSERT_EQUAL_FATAL(fed_record_seal(fx_fed()->signer[1], &x.r, &b,
	    NULL, &why), RM_OK);
	expect(r, &b, RM_EUNAUTH, "is not its signer");
	rm_buf_fini(&b);
	roster_free(r);
}

static void
test_unauthorised(void)
{
	struct roster *r = fx_roster(1);
	struct fx_rec x;
	rm_buf b = RM_BUF_INIT;

	fx_record(&x, FX_EMERGENCY, 1, NULL, "120103", RM_GRADE_RED);
	fx_seal(&x, &b, NULL);
	expect(r, &b, RM_EUNAUTH, "grade");
	rm_buf_reset(&b);
	fx_record(&x, FX_EMERGENCY, 1, NULL, "120104", RM_GRADE_BLUE);
	fx_seal(&x, &b, NULL);
	expect(r, &b, RM_EUNAUTH, "outside");
	rm_buf_fini(&b);
	roster_free(r);
}

static void
test_malformed_and_oversize(void)
{
	struct roster *r = fx_roster(1);
	struct fx_rec x;
	rm_buf b = RM_BUF_INIT, bad = RM_BUF_INIT;
	rm_why why;

	rm_buf_append(&bad, "\xd2\x84\x40", 3);        /* truncated */
	expect(r, &bad, RM_EMALFORMED, NULL);
	rm_buf_reset(&bad);
	rm_buf_append(&bad, "garbage!", 8);
	CU_ASSERT_NOT_EQUAL(fed_record_open(r, bad.data, bad.len,
	    &(struct fed_record){ 0 }, &why), RM_OK);
	/* Trailing byte after a valid record. */
	fx_record(&x, FX_EMERGENCY, 1, NULL, "120103", RM_GRADE_BLUE);
	fx_seal(&x, &b, NULL);
	rm_buf_reset(&bad);
	rm_buf_append(&bad, b.data, b.len);
	rm_buf_append_byte(&bad, 0);
	expect(r, &bad, RM_EMALFORMED, NULL);
	/* Body that is not a record: signed by a roster key. */
	rm_buf_reset(&bad);
	CU_ASSERT_EQUAL(cose_sign1_sign(fx_fed()->signer[1],
	    (const uint8_t *)"\xa0", 1, &bad, NULL), RM_OK);
	expect(r, &bad, RM_EMISSING, "record body from");
	/* Oversize input. */
	rm_buf_reset(&bad);
	CU_ASSERT_EQUAL(rm_buf_reserve(&bad, COSE_SIGN1_MAX + 1), RM_OK);
	memset(bad.data, 0, COSE_SIGN1_MAX + 1);
	bad.len = COSE_SIGN1_MAX + 1;
	expect(r, &bad, RM_ETOOBIG, NULL);
	rm_buf_fini(&b);
	rm_buf_fini(&bad);
	roster_free(r);
}

static void
test_seal_rejects_invalid(void)
{
	struct fx_rec x;
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	fx_record(&x, FX_EMERGENCY, 1, NULL, "120103", RM_GRADE_BLUE);
	x.r.seq = 0;
	CU_ASSERT_NOT_EQUAL(fed_record_seal(fx_fed()->signer[1], &x.r, &b,
	    NULL, &why), RM_OK);
	CU_ASSERT_EQUAL(b.len, 0);
	rm_buf_fini(&b);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "valid", test_valid },
		{ "bad_signature", test_bad_signature },
		{ "unknown_signer", test_unknown_signer },
		{ "origin_not_signer", test_origin_not_signer },
		{ "unauthorised", test_unauthorised },
		{ "malformed_and_oversize", test_malformed_and_oversize },
		{ "seal_rejects_invalid", test_seal_rejects_invalid },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("federation.envelope", tests);
}
