/*
 * test_cose.c -- COSE_Sign1 (RFC 9052 §4.2, §4.4) with ES256: exact
 * encoding, sign/decode/verify, tampering, and every decode rejection.
 */
#include "crypto_test.h"
#include "rm_test.h"

static const uint8_t payload[] = "{\"kind\":\"alert\"}";

/* ---- a hand assembler for malformed messages ---- */

/* The pieces of a COSE_Sign1; each field is the raw CBOR of one item.
 * Defaults: tag 18, array(4), protected {1:-7, 4:kid}, {}, payload,
 * 64-byte signature. */
struct pieces {
	rm_buf head;     /* tag + array head */
	rm_buf prot;     /* element 0 */
	rm_buf unprot;   /* element 1 */
	rm_buf pay;      /* element 2 */
	rm_buf sig;      /* element 3 */
	rm_buf tail;     /* anything after */
};

static void
prot_map(rm_buf *b, size_t kid_len)
{
	uint8_t kid[40];

	memset(kid, 0x4b, sizeof(kid));
	rm_cbor_put_map(b, 2);
	rm_cbor_put_uint(b, 1);
	rm_cbor_put_int(b, -7);
	rm_cbor_put_uint(b, 4);
	rm_cbor_put_bytes(b, kid, kid_len);
}

static void
as_bstr(rm_buf *dst, const rm_buf *inner)
{
	rm_buf_reset(dst);
	rm_cbor_put_bytes(dst, inner->data, inner->len);
}

static void
pieces_init(struct pieces *p)
{
	rm_buf m = RM_BUF_INIT;
	uint8_t sig[64];

	memset(p, 0, sizeof(*p));
	rm_cbor_put_tag(&p->head, 18);
	rm_cbor_put_array(&p->head, 4);
	prot_map(&m, 32);
	as_bstr(&p->prot, &m);
	rm_cbor_put_map(&p->unprot, 0);
	rm_cbor_put_bytes(&p->pay, payload, sizeof(payload));
	memset(sig, 0x55, sizeof(sig));
	rm_cbor_put_bytes(&p->sig, sig, sizeof(sig));
	rm_buf_fini(&m);
}

/* Assemble, decode, free; returns the decode result and the why. */
static int
pieces_decode(struct pieces *p, rm_why *why)
{
	rm_buf *parts[] = { &p->head, &p->prot, &p->unprot, &p->pay, &p->sig,
	    &p->tail };
	rm_buf all = RM_BUF_INIT;
	struct cose_sign1 m;
	int rv;

	for (size_t i = 0; i < 6; i++)
		rm_buf_append(&all, parts[i]->data, parts[i]->len);
	why->msg[0] = '\0';
	memset(&m, 0x77, sizeof(m));
	rv = cose_sign1_decode(all.data, all.len, &m, why);
	if (rv != RM_OK)   /* out untouched on failure */
		CU_ASSERT(m.alg == (int64_t)0x7777777777777777);
	rm_buf_fini(&all);
	for (size_t i = 0; i < 6; i++)
		rm_buf_fini(parts[i]);
	return rv;
}

/* Decode with one piece replaced by raw bytes. */
static int
decode_with(size_t which, const void *raw, size_t n, rm_why *why)
{
	struct pieces p;
	rm_buf *parts[] = { &p.head, &p.prot, &p.unprot, &p.pay, &p.sig,
	    &p.tail };

	pieces_init(&p);
	rm_buf_reset(parts[which]);
	rm_buf_append(parts[which], raw, n);
	return pieces_decode(&p, why);
}

/* Decode with the protected header map replaced by `inner` (raw). */
static int
decode_prot(const void *inner, size_t n, rm_why *why)
{
	rm_buf b = RM_BUF_INIT;
	int rv;

	rm_cbor_put_bytes(&b, inner, n);
	rv = decode_with(1, b.data, b.len, why);
	rm_buf_fini(&b);
	return rv;
}

#define EXPECT(call, err, part)                                          \
	do {                                                             \
		rm_why w_;                                               \
		CU_ASSERT_EQUAL(call(&w_), err);                         \
		CU_ASSERT_PTR_NOT_NULL(strstr(w_.msg, part));            \
	} while (0)

enum { HEAD, PROT, UNPROT, PAY, SIG, TAIL };

/* ---- tests ---- */

static void
test_sign_exact_encoding(void)
{
	crypto_key *k = ct_key();
	rm_buf out = RM_BUF_INIT;
	uint8_t want[16] = { 0xd2, 0x84, 0x58, 0x26, 0xa2, 0x01, 0x26, 0x04,
	    0x58, 0x20 };
	struct cose_sign1 m;
	rm_hash kid, h;
	size_t off;
	rm_why why;

	rm_buf_append(&out, "xx", 2);   /* sign appends */
	CU_ASSERT_EQUAL_FATAL(ct_cose_sign(k, payload, sizeof(payload), &out,
	    &why), RM_OK);
	crypto_key_kid(k, &kid);
	CU_ASSERT_EQUAL(out.len, 2 + 4 + 38 + 1 + 1 + sizeof(payload) + 2 + 64);
	CU_ASSERT(memcmp(out.data + 2, want, 10) == 0);
	CU_ASSERT(memcmp(out.data + 12, kid.b, 32) == 0);
	off = 44;
	CU_ASSERT_EQUAL(out.data[off], 0xa0);           /* {} */
	CU_ASSERT_EQUAL(out.data[off + 1], 0x51);       /* bstr(17) */
	CU_ASSERT(memcmp(out.data + off + 2, payload, sizeof(payload)) == 0);
	off += 2 + sizeof(payload);
	CU_ASSERT(out.data[off] == 0x58 && out.data[off + 1] == 0x40);

	CU_ASSERT_EQUAL_FATAL(cose_sign1_decode(out.data + 2, out.len - 2, &m,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(m.alg, -7);
	CU_ASSERT(memcmp(m.kid.b, kid.b, 32) == 0);
	CU_ASSERT_EQUAL(m.payload_len, sizeof(payload));
	CU_ASSERT(m.payload == out.data + 46);          /* borrowed */
	CU_ASSERT(m.protected_hdr == out.data + 6 && m.protected_len == 38);
	CU_ASSERT(m.signature == out.data + off + 2);
	CU_ASSERT_EQUAL(cose_sign1_verify(k, &m, &why), RM_OK);

	cose_record_hash(out.data + 2, out.len - 2, &h);
	{
		rm_hash h2;

		crypto_sha256(out.data + 2, out.len - 2, &h2);
		CU_ASSERT(memcmp(h.b, h2.b, 32) == 0);
	}
	rm_buf_fini(&out);
	crypto_key_free(k);
}

static void
test_sign_empty_and_large(void)
{
	crypto_key *k = ct_newkey();
	rm_buf out = RM_BUF_INIT;
	struct cose_sign1 m;
	uint8_t *big;
	rm_why why;

	CU_ASSERT_EQUAL(ct_cose_sign(k, NULL, 0, &out, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(cose_sign1_decode(out.data, out.len, &m, &why),
	    RM_OK);
	CU_ASSERT_EQUAL(m.payload_len, 0);
	CU_ASSERT_EQUAL(cose_sign1_verify(k, &m, &why), RM_OK);

	big = calloc(1, COSE_SIGN1_MAX + 1);
	rm_buf_reset(&out);
	rm_buf_append(&out, "keep", 4);
	CU_ASSERT_EQUAL(ct_cose_sign(k, big, COSE_SIGN1_MAX - 200, &out,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(cose_sign1_decode(out.data + 4, out.len - 4, &m, &why),
	    RM_OK);
	rm_buf_reset(&out);
	rm_buf_append(&out, "keep", 4);
	CU_ASSERT_EQUAL(ct_cose_sign(k, big, COSE_SIGN1_MAX - 100, &out,
	    &why), RM_ETOOBIG);
	CU_ASSERT_EQUAL(out.len, 4);                    /* unchanged */
	CU_ASSERT_EQUAL(ct_cose_sign(k, big, COSE_SIGN1_MAX + 1, &out,
	    &why), RM_ETOOBIG);
	CU_ASSERT_EQUAL(out.len, 4);
	CU_ASSERT_EQUAL(cose_sign1_decode(big, COSE_SIGN1_MAX + 1, &m, &why),
	    RM_ETOOBIG);
	free(big);
	rm_buf_fini(&out);
	crypto_key_free(k);
}

static void
test_public_key_cannot_sign(void)
{
	crypto_key *pub = NULL;
	rm_buf out = RM_BUF_INIT;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(crypto_key_from_pem(ct_p256_pub,
	    strlen(ct_p256_pub), &pub, NULL), RM_OK);
	CU_ASSERT_EQUAL(ct_cose_sign(pub, payload, 3, &out, &why),
	    RM_EINVAL);
	CU_ASSERT_EQUAL(out.len, 0);
	rm_buf_fini(&out);
	crypto_key_free(pub);
}

/* Sign, flip one byte at `off` (negative: from the end), decode+verify. */
static int
tamper(crypto_key *k, long off, rm_why *why)
{
	rm_buf out = RM_BUF_INIT;
	struct cose_sign1 m;
	int rv;

	if (ct_cose_sign(k, payload, sizeof(payload), &out, NULL) != RM_OK)
		return -1;
	out.data[off < 0 ? (long)out.len + off : off] ^= 0x01;
	if ((rv = cose_sign1_decode(out.data, out.len, &m, why)) == RM_OK)
		rv = cose_sign1_verify(k, &m, why);
	rm_buf_fini(&out);
	return rv;
}

static void
test_tamper(void)
{
	crypto_key *k = ct_key();
	rm_why why;

	CU_ASSERT_EQUAL(tamper(k, 46, &why), RM_EBADSIG);     /* payload */
	CU_ASSERT(strstr(why.msg, "cose.signature") != NULL);
	CU_ASSERT_EQUAL(tamper(k, -1, &why), RM_EBADSIG);     /* signature */
	CU_ASSERT_EQUAL(tamper(k, -64, &why), RM_EBADSIG);
	CU_ASSERT_EQUAL(tamper(k, 20, &why), RM_EBADSIG);     /* kid */
	CU_ASSERT(strstr(why.msg, "kid") != NULL);
	CU_ASSERT_EQUAL(tamper(k, 4, &why), RM_EMALFORMED);   /* a2 -> a3 */
	CU_ASSERT(strstr(why.msg, "cose.protected") != NULL);
	CU_ASSERT_EQUAL(tamper(k, 6, &why), RM_EBADVALUE);    /* alg -8 */
	CU_ASSERT(strstr(why.msg, "cose.protected.alg: -8") != NULL);
	CU_ASSERT_EQUAL(tamper(k, 7, &why), RM_EUNKNOWN);     /* label 5 */
	CU_ASSERT(strstr(why.msg, "parameter 5") != NULL);
	CU_ASSERT_EQUAL(tamper(k, 0, &why), RM_EBADVALUE);    /* tag 19 */
	crypto_key_free(k);
}

/* The kid matches the verifier but another key signed. */
static void
test_kid_swap_bad_signature(void)
{
	crypto_key *a = ct_key(), *b = ct_newkey();
	rm_buf out = RM_BUF_INIT;
	struct cose_sign1 m;
	rm_hash kid;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(ct_cose_sign(b, payload, 4, &out, NULL),
	    RM_OK);
	crypto_key_kid(a, &kid);
	memcpy(out.data + 10, kid.b, 32);
	CU_ASSERT_EQUAL_FATAL(cose_sign1_decode(out.data, out.len, &m, &why),
	    RM_OK);
	CU_ASSERT_EQUAL(cose_sign1_verify(a, &m, &why), RM_EBADSIG);
	CU_ASSERT(strstr(why.msg, "does not verify") != NULL);
	CU_ASSERT_EQUAL(cose_sign1_verify(b, &m, &why), RM_EBADSIG);
	CU_ASSERT(strstr(why.msg, "kid") != NULL);
	rm_buf_fini(&out);
	crypto_key_free(a);
	crypto_key_free(b);
}

static void
test_truncations(void)
{
	crypto_key *k = ct_key();
	rm_buf out = RM_BUF_INIT;
	struct cose_sign1 m;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(ct_cose_sign(k, payload, sizeof(payload),
	    &out, NULL), RM_OK);
	for (size_t n = 0; n < out.len; n++) {
		int rv = cose_sign1_decode(out.data, n, &m, &why);

		CU_ASSERT_EQUAL(rv, RM_EMALFORMED);
		if (rv != RM_EMALFORMED)
			fprintf(stderr, "prefix %zu: %d %s\n", n, rv, why.msg);
	}
	rm_buf_fini(&out);
	crypto_key_free(k);
}

static int valid(rm_why *w) { struct pieces p; pieces_init(&p); return pieces_decode(&p, w); }
static int tag17(rm_why *w) { return decode_with(HEAD, "\xd1\x84", 2, w); }
static int no_tag(rm_why *w) { return decode_with(HEAD, "\x84", 1, w); }
static int tag_noncanon(rm_why *w) { return decode_with(HEAD, "\xd8\x12\x84", 3, w); }
static int arr3(rm_why *w) { return decode_with(HEAD, "\xd2\x83", 2, w); }
static int arr5(rm_why *w) { return decode_with(HEAD, "\xd2\x85", 2, w); }
static int arr_noncanon(rm_why *w) { return decode_with(HEAD, "\xd2\x98\x04", 3, w); }
static int arr_indef(rm_why *w) { return decode_with(HEAD, "\xd2\x9f", 2, w); }
static int not_array(rm_why *w) { return decode_with(HEAD, "\xd2\xa4", 2, w); }
static int prot_text(rm_why *w) { return decode_with(PROT, "\x61" "a", 2, w); }
static int prot_map_raw(rm_why *w) { return decode_with(PROT, "\xa0", 1, w); }
static int prot_empty(rm_why *w) { return decode_prot("", 0, w); }
static int prot_array(rm_why *w) { return decode_prot("\x82\x01\x26", 3, w); }
static int prot_trailing(rm_why *w)
{
	rm_buf m = RM_BUF_INIT;
	int rv;

	prot_map(&m, 32);
	rm_buf_append_byte(&m, 0x00);
	rv = decode_prot(m.data, m.len, w);
	rm_buf_fini(&m);
	return rv;
}
static int prot_order(rm_why *w)
{
	rm_buf m = RM_BUF_INIT;
	uint8_t kid[32] = { 0 };
	int rv;

	rm_cbor_put_map(&m, 2);
	rm_cbor_put_uint(&m, 4);
	rm_cbor_put_bytes(&m, kid, 32);
	rm_cbor_put_uint(&m, 1);
	rm_cbor_put_int(&m, -7);
	rv = decode_prot(m.data, m.len, w);
	rm_buf_fini(&m);
	return rv;
}
static int prot_dup(rm_why *w) { return decode_prot("\xa2\x01\x26\x01\x26", 5, w); }
static int prot_noncanon_key(rm_why *w) { return decode_prot("\xa1\x18\x01\x26", 4, w); }
static int prot_noncanon_val(rm_why *w) { return decode_prot("\xa1\x01\x38\x06", 4, w); }
static int missing_alg(rm_why *w)
{
	rm_buf m = RM_BUF_INIT;
	uint8_t kid[32] = { 0 };
	int rv;

	rm_cbor_put_map(&m, 1);
	rm_cbor_put_uint(&m, 4);
	rm_cbor_put_bytes(&m, kid, 32);
	rv = decode_prot(m.data, m.len, w);
	rm_buf_fini(&m);
	return rv;
}
static int missing_kid(rm_why *w) { return decode_prot("\xa1\x01\x26", 3, w); }
static int alg_es384(rm_why *w) { return decode_prot("\xa1\x01\x38\x22", 4, w); }
static int alg_text(rm_why *w) { return decode_prot("\xa1\x01\x65" "ES256", 8, w); }
static int kid_len(size_t n, rm_why *w)
{
	rm_buf m = RM_BUF_INIT;
	int rv;

	prot_map(&m, n);
	rv = decode_prot(m.data, m.len, w);
	rm_buf_fini(&m);
	return rv;
}
static int kid31(rm_why *w) { return kid_len(31, w); }
static int kid33(rm_why *w) { return kid_len(33, w); }
static int kid0(rm_why *w) { return kid_len(0, w); }
static int kid_text(rm_why *w) { return decode_prot("\xa2\x01\x26\x04\x61" "k", 6, w); }
static int extra_param(rm_why *w)
{
	rm_buf m = RM_BUF_INIT;
	uint8_t kid[32] = { 0 };
	int rv;

	rm_cbor_put_map(&m, 3);
	rm_cbor_put_uint(&m, 1);
	rm_cbor_put_int(&m, -7);
	rm_cbor_put_uint(&m, 3);   /* content type */
	rm_cbor_put_uint(&m, 60);
	rm_cbor_put_uint(&m, 4);
	rm_cbor_put_bytes(&m, kid, 32);
	rv = decode_prot(m.data, m.len, w);
	rm_buf_fini(&m);
	return rv;
}
static int crit_param(rm_why *w) { return decode_prot("\xa2\x01\x26\x02\x81\x01", 6, w); }
static int neg_label(rm_why *w) { return decode_prot("\xa2\x01\x26\x20\x00", 5, w); }
static int text_label(rm_why *w) { return decode_prot("\xa2\x01\x26\x61" "x\x00", 6, w); }
static int unprot_kid(rm_why *w) { return decode_with(UNPROT, "\xa1\x04\x41\x00", 4, w); }
static int unprot_not_map(rm_why *w) { return decode_with(UNPROT, "\x80", 1, w); }
static int unprot_bstr(rm_why *w) { return decode_with(UNPROT, "\x40", 1, w); }
static int detached(rm_why *w) { return decode_with(PAY, "\xf6", 1, w); }
static int pay_text(rm_why *w) { return decode_with(PAY, "\x61" "a", 2, w); }
static int pay_indef(rm_why *w) { return decode_with(PAY, "\x5f\x41" "a\xff", 4, w); }
static int pay_noncanon(rm_why *w) { return decode_with(PAY, "\x58\x01" "a", 3, w); }
static int pay_float(rm_why *w) { return decode_with(PAY, "\xf9\x00\x00", 3, w); }
static int sig_len(size_t n, rm_why *w)
{
	uint8_t sig[70] = { 0 };
	rm_buf b = RM_BUF_INIT;
	int rv;

	rm_cbor_put_bytes(&b, sig, n);
	rv = decode_with(SIG, b.data, b.len, w);
	rm_buf_fini(&b);
	return rv;
}
static int sig63(rm_why *w) { return sig_len(63, w); }
static int sig65(rm_why *w) { return sig_len(65, w); }
static int sig_empty(rm_why *w) { return sig_len(0, w); }
static int sig_nil(rm_why *w) { return decode_with(SIG, "\xf6", 1, w); }
static int sig_missing(rm_why *w) { return decode_with(SIG, "", 0, w); }
static int trailing(rm_why *w) { return decode_with(TAIL, "\x00", 1, w); }
static int trailing_item(rm_why *w) { return decode_with(TAIL, "\xa0", 1, w); }

static void
test_decode_rejections(void)
{
	EXPECT(valid, RM_OK, "");
	EXPECT(tag17, RM_EBADVALUE, "tag 17");
	EXPECT(no_tag, RM_EMALFORMED, "tag");
	EXPECT(tag_noncanon, RM_ENONCANON, "tag");
	EXPECT(arr3, RM_EMALFORMED, "3 elements");
	EXPECT(arr5, RM_EMALFORMED, "5 elements");
	EXPECT(arr_noncanon, RM_ENONCANON, "cose");
	EXPECT(arr_indef, RM_ENONCANON, "cose");
	EXPECT(not_array, RM_EMALFORMED, "expected array");
	EXPECT(prot_text, RM_EMALFORMED, "cose.protected");
	EXPECT(prot_map_raw, RM_EMALFORMED, "cose.protected");
	EXPECT(prot_empty, RM_EMISSING, "cose.protected");
	EXPECT(prot_array, RM_EMALFORMED, "cose.protected");
	EXPECT(prot_trailing, RM_EMALFORMED, "cose.protected: trailing");
	EXPECT(prot_order, RM_ENONCANON, "cose.protected");
	EXPECT(prot_dup, RM_ENONCANON, "cose.protected");
	EXPECT(prot_noncanon_key, RM_ENONCANON, "cose.protected");
	EXPECT(prot_noncanon_val, RM_ENONCANON, "cose.protected.alg");
	EXPECT(missing_alg, RM_EMISSING, "cose.protected.alg");
	EXPECT(missing_kid, RM_EMISSING, "cose.protected.kid");
	EXPECT(alg_es384, RM_EBADVALUE, "cose.protected.alg: -35");
	EXPECT(alg_text, RM_EBADVALUE, "cose.protected.alg");
	EXPECT(kid31, RM_EBADVALUE, "cose.protected.kid: 31 bytes");
	EXPECT(kid33, RM_EBADVALUE, "cose.protected.kid: 33 bytes");
	EXPECT(kid0, RM_EBADVALUE, "cose.protected.kid: 0 bytes");
	EXPECT(kid_text, RM_EMALFORMED, "cose.protected.kid");
	EXPECT(extra_param, RM_EUNKNOWN, "parameter 3");
	EXPECT(crit_param, RM_EUNKNOWN, "parameter 2");
	EXPECT(neg_label, RM_EUNKNOWN, "parameter -1");
	EXPECT(text_label, RM_EUNKNOWN, "text label");
	EXPECT(unprot_kid, RM_EUNKNOWN, "cose.unprotected");
	EXPECT(unprot_not_map, RM_EMALFORMED, "cose.unprotected");
	EXPECT(unprot_bstr, RM_EMALFORMED, "cose.unprotected");
	EXPECT(detached, RM_EMISSING, "cose.payload: detached");
	EXPECT(pay_text, RM_EMALFORMED, "cose.payload");
	EXPECT(pay_indef, RM_ENONCANON, "cose.payload");
	EXPECT(pay_noncanon, RM_ENONCANON, "cose.payload");
	EXPECT(pay_float, RM_EBADVALUE, "cose.payload");
	EXPECT(sig63, RM_EBADVALUE, "cose.signature: 63 bytes");
	EXPECT(sig65, RM_EBADVALUE, "cose.signature: 65 bytes");
	EXPECT(sig_empty, RM_EBADVALUE, "cose.signature: 0 bytes");
	EXPECT(sig_nil, RM_EMALFORMED, "cose.signature");
	EXPECT(sig_missing, RM_EMALFORMED, "cose.signature: truncated");
	EXPECT(trailing, RM_EMALFORMED, "trailing");
	EXPECT(trailing_item, RM_EMALFORMED, "trailing");
}

static void
test_verify_rejects_bad_alg_struct(void)
{
	crypto_key *k = ct_key();
	rm_buf out = RM_BUF_INIT;
	struct cose_sign1 m;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(ct_cose_sign(k, payload, 3, &out, NULL),
	    RM_OK);
	CU_ASSERT_EQUAL_FATAL(cose_sign1_decode(out.data, out.len, &m, &why),
	    RM_OK);
	m.alg = -35;
	CU_ASSERT_EQUAL(cose_sign1_verify(k, &m, &why), RM_EBADVALUE);
	rm_buf_fini(&out);
	crypto_key_free(k);
}

static CU_TestInfo tests[] = {
	{ "sign_exact_encoding", test_sign_exact_encoding },
	{ "sign_empty_and_large", test_sign_empty_and_large },
	{ "public_key_cannot_sign", test_public_key_cannot_sign },
	{ "tamper", test_tamper },
	{ "kid_swap_bad_signature", test_kid_swap_bad_signature },
	{ "truncations", test_truncations },
	{ "decode_rejections", test_decode_rejections },
	{ "verify_rejects_bad_alg_struct", test_verify_rejects_bad_alg_struct },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("crypto.cose", tests);
}
