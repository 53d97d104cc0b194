/*
 * test_cose_encrypt.c -- COSE_Encrypt (RFC 9052 §5.1) with ECDH-ES +
 * A256KW recipients and A256GCM content (RFC 9053 §4.1, §6.4.1): round
 * trips to 1, 2 and 64 recipients, non-recipients, tampering, a published
 * known answer, limits and every decode rejection.
 */
#include "crypto_test.h"
#include "rm_test.h"

static const uint8_t aad[] = "[\"restricted\",\"120101.police\",\"o1\"]";
static const uint8_t text[] = "{\"kind\":\"alert\",\"grade\":\"red\"}";

/* n fresh keys and their decrypters */
struct party {
	size_t n;
	crypto_key *k[COSE_ENCRYPT_RECIPIENTS_MAX + 1];
	crypto_decrypter *d[COSE_ENCRYPT_RECIPIENTS_MAX + 1];
};

static void
party_init(struct party *p, size_t n)
{
	p->n = n;
	for (size_t i = 0; i < n; i++) {
		p->k[i] = ct_newkey();
		CU_ASSERT_EQUAL_FATAL(crypto_decrypter_from_key(p->k[i],
		    &p->d[i], NULL), RM_OK);
	}
}

static void
party_fini(struct party *p)
{
	for (size_t i = 0; i < p->n; i++) {
		crypto_decrypter_free(p->d[i]);
		crypto_key_free(p->k[i]);
	}
}

static int
seal(const struct party *p, size_t n, const uint8_t *pt, size_t len,
    rm_buf *out)
{
	return cose_encrypt_seal(pt, len, (const crypto_key *const *)p->k, n,
	    aad, sizeof(aad), out, NULL);
}

/* Open as d; RM_OK only with the expected plaintext. */
static int
open_as(const rm_buf *m, crypto_decrypter *d, const uint8_t *a, size_t an,
    const uint8_t *want, size_t want_len, rm_why *why)
{
	rm_buf pt = RM_BUF_INIT;
	int rv;

	rv = cose_encrypt_open(m->data, m->len, d, a, an, &pt, why);
	if (rv == RM_OK && (pt.len != want_len ||
	    (want_len > 0 && memcmp(pt.data, want, want_len) != 0)))
		rv = -1;
	if (rv != RM_OK && rv != -1)
		CU_ASSERT_EQUAL(pt.len, 0);   /* nothing left behind */
	rm_buf_fini(&pt);
	return rv;
}

static void
round_trip(size_t n)
{
	rm_hash kids[COSE_ENCRYPT_RECIPIENTS_MAX], kid;
	rm_buf m = RM_BUF_INIT;
	struct party p;
	size_t nk = 0;

	party_init(&p, n);
	CU_ASSERT_EQUAL_FATAL(seal(&p, n, text, sizeof(text), &m), RM_OK);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(open_as(&m, p.d[i], aad, sizeof(aad), text,
		    sizeof(text), NULL), RM_OK);
	/* kids listed without decrypting, ascending, one per recipient */
	CU_ASSERT_EQUAL_FATAL(cose_encrypt_recipients(m.data, m.len, kids,
	    &nk, NULL), RM_OK);
	CU_ASSERT_EQUAL(nk, n);
	for (size_t i = 1; i < nk; i++)
		CU_ASSERT(memcmp(kids[i - 1].b, kids[i].b, 32) < 0);
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		crypto_key_kid(p.k[i], &kid);
		for (size_t j = 0; j < nk; j++)
			found |= memcmp(kids[j].b, kid.b, 32) == 0;
		CU_ASSERT(found);
	}
	rm_buf_fini(&m);
	party_fini(&p);
}

static void
test_round_trip_1(void)
{
	round_trip(1);
}

static void
test_round_trip_2(void)
{
	round_trip(2);
}

static void
test_round_trip_64(void)
{
	round_trip(64);
}

static void
test_sizes_and_exact_layer0(void)
{
	static uint8_t big[COSE_ENCRYPT_PLAINTEXT_MAX + 1];
	rm_buf m = RM_BUF_INIT, m2 = RM_BUF_INIT;
	struct party p;

	party_init(&p, 1);
	/* empty plaintext; the prefix is tag 96, array(4), h'A10103',
	 * {5: h'<12>'}, then a 16-byte ciphertext (the tag alone) */
	CU_ASSERT_EQUAL_FATAL(seal(&p, 1, NULL, 0, &m), RM_OK);
	CU_ASSERT_EQUAL(memcmp(m.data, "\xd8\x60\x84\x43\xa1\x01\x03\xa1\x05"
	    "\x4c", 10), 0);
	CU_ASSERT_EQUAL(m.data[22], 0x50);
	CU_ASSERT_EQUAL(open_as(&m, p.d[0], aad, sizeof(aad), NULL, 0, NULL),
	    RM_OK);
	/* two seals of one plaintext differ (random CEK, IV, ephemeral) */
	CU_ASSERT_EQUAL_FATAL(seal(&p, 1, NULL, 0, &m2), RM_OK);
	CU_ASSERT(m.len == m2.len && memcmp(m.data, m2.data, m.len) != 0);
	rm_buf_reset(&m);
	memset(big, 0xa5, sizeof(big));
	CU_ASSERT_EQUAL(seal(&p, 1, big, COSE_ENCRYPT_PLAINTEXT_MAX, &m),
	    RM_OK);
	CU_ASSERT(m.len <= COSE_ENCRYPT_MAX);
	CU_ASSERT_EQUAL(open_as(&m, p.d[0], aad, sizeof(aad), big,
	    COSE_ENCRYPT_PLAINTEXT_MAX, NULL), RM_OK);
	rm_buf_fini(&m);
	rm_buf_fini(&m2);
	party_fini(&p);
}

static void
test_seal_limits(void)
{
	static uint8_t big[COSE_ENCRYPT_PLAINTEXT_MAX + 1];
	uint8_t bigaad[COSE_ENCRYPT_AAD_MAX + 1];
	const crypto_key *twice[2];
	rm_buf m = RM_BUF_INIT;
	struct party p;
	rm_why why;

	party_init(&p, COSE_ENCRYPT_RECIPIENTS_MAX + 1);
	rm_buf_append(&m, "x", 1);
	CU_ASSERT_EQUAL(seal(&p, COSE_ENCRYPT_RECIPIENTS_MAX + 1, text, 3, &m),
	    RM_ETOOBIG);
	CU_ASSERT_EQUAL(seal(&p, 0, text, 3, &m), RM_EINVAL);
	CU_ASSERT_EQUAL(seal(&p, 1, big, sizeof(big), &m), RM_ETOOBIG);
	memset(bigaad, 0, sizeof(bigaad));
	CU_ASSERT_EQUAL(cose_encrypt_seal(text, 3,
	    (const crypto_key *const *)p.k, 1, bigaad, sizeof(bigaad), &m,
	    NULL), RM_ETOOBIG);
	twice[0] = twice[1] = p.k[0];
	CU_ASSERT_EQUAL(cose_encrypt_seal(text, 3, twice, 2, NULL, 0, &m,
	    &why), RM_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "twice"));
	CU_ASSERT_EQUAL(m.len, 1);   /* out unchanged on every error */
	rm_buf_fini(&m);
	party_fini(&p);
}

static void
test_not_a_recipient(void)
{
	rm_buf m = RM_BUF_INIT;
	struct party p, other;
	crypto_decrypter *d;
	crypto_key *pub;
	rm_buf spki = RM_BUF_INIT;
	rm_why why;

	party_init(&p, 2);
	party_init(&other, 1);
	CU_ASSERT_EQUAL_FATAL(seal(&p, 2, text, sizeof(text), &m), RM_OK);
	CU_ASSERT_EQUAL(open_as(&m, other.d[0], aad, sizeof(aad), text,
	    sizeof(text), &why), RM_ENOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "not addressed"));
	/* a public key cannot make a decrypter */
	crypto_key_spki(p.k[0], &spki);
	CU_ASSERT_EQUAL_FATAL(crypto_key_from_spki(spki.data, spki.len, &pub,
	    NULL), RM_OK);
	CU_ASSERT_EQUAL(crypto_decrypter_from_key(pub, &d, NULL), RM_EINVAL);
	crypto_key_free(pub);
	rm_buf_fini(&spki);
	rm_buf_fini(&m);
	party_fini(&p);
	party_fini(&other);
}

/* Flip one byte at off and open as recipient 0: the expected error. */
static int
tampered(const rm_buf *m, size_t off, crypto_decrypter *d)
{
	rm_buf c = RM_BUF_INIT;
	int rv;

	rm_buf_append(&c, m->data, m->len);
	c.data[off] ^= 0x01;
	rv = open_as(&c, d, aad, sizeof(aad), text, sizeof(text), NULL);
	rm_buf_fini(&c);
	return rv;
}

static void
test_tamper(void)
{
	rm_buf m = RM_BUF_INIT;
	struct party p;
	size_t ct_off = 24, ct_len = sizeof(text) + 16, rc, rc1;
	rm_hash kid;

	party_init(&p, 1);
	CU_ASSERT_EQUAL_FATAL(seal(&p, 1, text, sizeof(text), &m), RM_OK);
	/* layout: ... 4c <iv:12> 58 <len> <ct> 81 83 44 a1 01 38 1e a2 04
	 * 58 20 <kid> 20 a4 01 02 20 01 21 58 20 <x> 22 58 20 <y> 58 28
	 * <wrapped:40> */
	CU_ASSERT_EQUAL_FATAL(m.data[22], 0x58);   /* 2-byte bstr head */
	rc = ct_off + ct_len;               /* recipients array head */
	CU_ASSERT_EQUAL_FATAL(m.data[rc], 0x81);
	rc1 = rc + 1 + 1 + 5;               /* recipient unprotected map */
	CU_ASSERT_EQUAL_FATAL(m.data[rc1], 0xa2);
	CU_ASSERT_EQUAL(tampered(&m, ct_off, p.d[0]), RM_EBADSIG);
	CU_ASSERT_EQUAL(tampered(&m, ct_off + ct_len - 1, p.d[0]),
	    RM_EBADSIG);   /* tag */
	CU_ASSERT_EQUAL(tampered(&m, 12, p.d[0]), RM_EBADSIG);   /* IV */
	CU_ASSERT_EQUAL(tampered(&m, m.len - 1, p.d[0]), RM_EBADSIG);
	/* kid: the message is no longer addressed to us */
	CU_ASSERT_EQUAL(tampered(&m, rc1 + 4, p.d[0]), RM_ENOTFOUND);
	/* ephemeral x: off the curve (almost always) or another point */
	{
		int rv = tampered(&m, rc1 + 4 + 32 + 1 + 8 + 3, p.d[0]);
		CU_ASSERT(rv == RM_EBADVALUE || rv == RM_EBADSIG);
	}
	/* recipient protected {1: -31} -> {1: -32}: not in the profile */
	CU_ASSERT_EQUAL(m.data[rc + 6], 0x1e);
	CU_ASSERT_EQUAL(tampered(&m, rc + 6, p.d[0]), RM_EUNKNOWN);
	/* AAD: another record */
	CU_ASSERT_EQUAL(open_as(&m, p.d[0], aad, sizeof(aad) - 1, text,
	    sizeof(text), NULL), RM_EBADSIG);
	CU_ASSERT_EQUAL(open_as(&m, p.d[0], NULL, 0, text, sizeof(text),
	    NULL), RM_EBADSIG);
	crypto_key_kid(p.k[0], &kid);
	CU_ASSERT_EQUAL(memcmp(m.data + rc1 + 4, kid.b, 32), 0);
	rm_buf_fini(&m);
	party_fini(&p);
}

static void
test_truncations(void)
{
	rm_hash kids[COSE_ENCRYPT_RECIPIENTS_MAX];
	rm_buf m = RM_BUF_INIT;
	struct party p;
	size_t nk;
	rm_why why;

	party_init(&p, 2);
	CU_ASSERT_EQUAL_FATAL(seal(&p, 2, text, sizeof(text), &m), RM_OK);
	for (size_t n = 0; n < m.len; n++) {
		why.msg[0] = '\0';
		CU_ASSERT_NOT_EQUAL(cose_encrypt_recipients(m.data, n, kids,
		    &nk, &why), RM_OK);
		CU_ASSERT(why.msg[0] != '\0');
	}
	rm_buf_fini(&m);
	party_fini(&p);
}

/*
 * The COSE WG example ecdh-wrap-examples/p256-wrap-256-01 (A128GCM
 * content, ECDH-ES + A256KW, the recipient key below), with the kid
 * replaced by the 32-byte kid of that key and re-encoded canonically
 * (cose_encrypt_interop.py does the same and checks each intermediate).
 */
static const char kat_key[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIK/5B8mfmtOq5sTN8hEivOK9aLUoPmkHFUrZEYQPogjPoAoGCCqGSM49\n"
    "AwEHoUQDQgAEZe2loSV3wrroKUN/4zhwGhCqo3Xhu1td4QjeQ5wIVR0eUu11cBFj\n"
    "9/nkDd+fNBs9ybqGCvfgynyn6e7NAITRnA==\n"
    "-----END EC PRIVATE KEY-----\n";
static const char kat_msg[] =
    "d8608443a10101a1054c02d1f7e6f26c43d4868d87ce582464f84d913ba60a76"
    "070a9a48f26e97e863e2852948658f0811139868826e89218a75715b818344a1"
    "01381ea2045820eb28a65877d2b84b92a6a9b5fd762a45e50665933d97fc0c72"
    "4e70a161f2031a20a4010220012158203fc1141f492fdb3b33122be61b31bafd"
    "860798db190e07831fb7a2e42713f4ca225820fc09d3def88ea52953b51f4895"
    "5bfac1ac79b4286f0673519a4a71fc18b628695818e00e25b58aeadde5a475f1"
    "d69d2a2c199e5c1f231c5b164a";

static void
test_known_answer(void)
{
	uint8_t msg[sizeof(kat_msg) / 2];
	rm_buf m = RM_BUF_INIT;
	crypto_decrypter *d;
	crypto_key *k;

	CU_ASSERT_EQUAL_FATAL(rm_hex_decode(kat_msg, msg, sizeof(msg)),
	    RM_OK);
	CU_ASSERT_EQUAL_FATAL(crypto_key_from_pem(kat_key,
	    sizeof(kat_key) - 1, &k, NULL), RM_OK);
	CU_ASSERT_EQUAL_FATAL(crypto_decrypter_from_key(k, &d, NULL), RM_OK);
	rm_buf_append(&m, msg, sizeof(msg));
	CU_ASSERT_EQUAL(open_as(&m, d, NULL, 0,
	    (const uint8_t *)"This is the content.", 20, NULL), RM_OK);
	crypto_decrypter_free(d);
	crypto_key_free(k);
	rm_buf_fini(&m);
}

/* ---- a builder for malformed messages ---- */

struct knobs {
	uint64_t tag;
	size_t top_len, rcpt_len;          /* array lengths: 4, 3 */
	int64_t alg0, alg1;                /* 3, -31 */
	size_t iv_len, kid_len, x_len;     /* 12, 32, 32 */
	int64_t kty, crv;                  /* 2, 1 */
	bool y_bool, extra0, extra_epk, no_iv, no_epk, ct_nil, text_label;
	size_t ct_len, wrapped_len;        /* 40, 40 */
	size_t n_rcpt;                     /* 2 */
	bool unsorted, dup_kid;
	bool trailing;
};

static void
knobs_init(struct knobs *k)
{
	memset(k, 0, sizeof(*k));
	k->tag = 96;
	k->top_len = 4;
	k->rcpt_len = 3;
	k->alg0 = 3;
	k->alg1 = -31;
	k->iv_len = 12;
	k->kid_len = k->x_len = 32;
	k->kty = 2;
	k->crv = 1;
	k->ct_len = k->wrapped_len = 40;
	k->n_rcpt = 2;
}

static void
put_alg(rm_buf *b, int64_t alg)
{
	rm_buf h = RM_BUF_INIT;

	rm_cbor_put_map(&h, 1);
	rm_cbor_put_uint(&h, 1);
	rm_cbor_put_int(&h, alg);
	rm_cbor_put_bytes(b, h.data, h.len);
	rm_buf_fini(&h);
}

static void
build(const struct knobs *k, rm_buf *b)
{
	uint8_t z[64];

	memset(z, 0x11, sizeof(z));
	rm_cbor_put_tag(b, k->tag);
	rm_cbor_put_array(b, k->top_len);
	put_alg(b, k->alg0);
	rm_cbor_put_map(b, (k->no_iv ? 0 : 1) + (k->extra0 ? 1 : 0));
	if (!k->no_iv) {
		rm_cbor_put_uint(b, 5);
		rm_cbor_put_bytes(b, z, k->iv_len);
	}
	if (k->extra0) {
		rm_cbor_put_uint(b, 6);
		rm_cbor_put_bytes(b, z, 1);
	}
	if (k->ct_nil)
		rm_buf_append_byte(b, 0xf6);
	else
		rm_cbor_put_bytes(b, z, k->ct_len);
	rm_cbor_put_array(b, k->n_rcpt);
	for (size_t i = 0; i < k->n_rcpt; i++) {
		uint8_t kid[64];
		size_t order = k->unsorted ? k->n_rcpt - i : i + 1;

		memset(kid, 0, sizeof(kid));
		kid[0] = k->dup_kid ? 1 : (uint8_t)order;
		rm_cbor_put_array(b, k->rcpt_len);
		put_alg(b, k->alg1);
		rm_cbor_put_map(b, k->no_epk ? 1 : 2 + (k->text_label ? 1 : 0));
		rm_cbor_put_uint(b, 4);
		rm_cbor_put_bytes(b, kid, k->kid_len);
		if (!k->no_epk) {
			rm_cbor_put_int(b, -1);
			rm_cbor_put_map(b, 4 + (k->extra_epk ? 1 : 0));
			rm_cbor_put_uint(b, 1);
			rm_cbor_put_int(b, k->kty);
			if (k->extra_epk) {
				rm_cbor_put_uint(b, 2);
				rm_cbor_put_bytes(b, z, 4);
			}
			rm_cbor_put_int(b, -1);
			rm_cbor_put_int(b, k->crv);
			rm_cbor_put_int(b, -2);
			rm_cbor_put_bytes(b, z, k->x_len);
			rm_cbor_put_int(b, -3);
			if (k->y_bool)
				rm_cbor_put_bool(b, true);
			else
				rm_cbor_put_bytes(b, z, 32);
		}
		if (k->text_label) {
			rm_cbor_put_cstr(b, "x");
			rm_cbor_put_uint(b, 1);
		}
		rm_cbor_put_bytes(b, z, k->wrapped_len);
		if (k->rcpt_len == 4)
			rm_cbor_put_array(b, 0);
	}
	if (k->trailing)
		rm_buf_append_byte(b, 0);
}

/* Decode the built message; check the error and that why names part. */
static void
expect(const struct knobs *k, int err, const char *part)
{
	rm_hash kids[COSE_ENCRYPT_RECIPIENTS_MAX];
	rm_buf b = RM_BUF_INIT;
	size_t nk = 99;
	rm_why why;
	int rv;

	build(k, &b);
	why.msg[0] = '\0';
	rv = cose_encrypt_recipients(b.data, b.len, kids, &nk, &why);
	CU_ASSERT_EQUAL(rv, err);
	if (rv != err || strstr(why.msg, part) == NULL)
		fprintf(stderr, "want %s \"%s\", got %s \"%s\"\n",
		    rm_errname(err), part, rm_errname(rv), why.msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, part));
	if (err != RM_OK)
		CU_ASSERT_EQUAL(nk, 99);   /* outputs untouched */
	rm_buf_fini(&b);
}

#define CASE(field, value, err, part)                                    \
	do {                                                             \
		struct knobs k_;                                         \
		knobs_init(&k_);                                         \
		k_.field = (value);                                      \
		expect(&k_, err, part);                                  \
	} while (0)

static void
test_decode_rejections(void)
{
	struct knobs k;

	knobs_init(&k);
	expect(&k, RM_OK, "");
	CASE(tag, 16, RM_EBADVALUE, "tag 16");
	CASE(top_len, 5, RM_EMALFORMED, "5 elements");
	CASE(alg0, 2, RM_EUNKNOWN, "protected.alg: 2 not in the profile");
	CASE(alg0, 1, RM_EBADVALUE, "recipients[0].ciphertext: 40 bytes");
	CASE(alg1, -25, RM_EUNKNOWN, "recipients[0].protected.alg: -25");
	CASE(alg1, -7, RM_EUNKNOWN, "-7 not in the profile");
	CASE(iv_len, 11, RM_EBADVALUE, "iv: 11 bytes");
	CASE(no_iv, true, RM_EMISSING, "unprotected.iv: required");
	CASE(extra0, true, RM_EUNKNOWN, "parameter 6");
	CASE(ct_nil, true, RM_EMISSING, "ciphertext: nil");
	CASE(ct_len, 15, RM_EBADVALUE, "shorter than the 16-byte tag");
	CASE(n_rcpt, 0, RM_EMISSING, "recipients: empty");
	CASE(n_rcpt, 65, RM_ETOOBIG, "65, more than 64");
	CASE(rcpt_len, 4, RM_EMALFORMED, "nested recipients");
	CASE(rcpt_len, 2, RM_EMALFORMED, "2 elements");
	CASE(kid_len, 31, RM_EBADVALUE, "kid: 31 bytes");
	CASE(no_epk, true, RM_EMISSING, "epk: required");
	CASE(kty, 1, RM_EBADVALUE, "kty: 1");
	CASE(crv, 2, RM_EBADVALUE, "crv: 2");
	CASE(x_len, 33, RM_EBADVALUE, "x: 33 bytes");
	CASE(y_bool, true, RM_EBADVALUE, "compressed point");
	CASE(extra_epk, true, RM_EUNKNOWN, "key parameter 2");
	CASE(text_label, true, RM_EUNKNOWN, "text label");
	CASE(wrapped_len, 24, RM_EBADVALUE, "ciphertext: 24 bytes");
	CASE(unsorted, true, RM_ENONCANON, "ascending kid order");
	CASE(dup_kid, true, RM_EBADVALUE, "same kid");
	CASE(trailing, true, RM_EMALFORMED, "trailing");
	/* 64 recipients are fine; non-canonical head; over the size cap */
	CASE(n_rcpt, 64, RM_OK, "");
	{
		static uint8_t big[COSE_ENCRYPT_MAX + 1];
		rm_hash kids[COSE_ENCRYPT_RECIPIENTS_MAX];
		rm_buf b = RM_BUF_INIT;
		size_t nk;
		rm_why why;

		CU_ASSERT_EQUAL(cose_encrypt_recipients(big, sizeof(big), kids,
		    &nk, &why), RM_ETOOBIG);
		/* tag 96 as a three-byte head (d9 00 60): not deterministic */
		build(&k, &b);
		rm_buf_append(&b, "", 1);
		memmove(b.data + 3, b.data + 2, b.len - 3);
		memcpy(b.data, "\xd9\x00\x60", 3);
		CU_ASSERT_EQUAL(cose_encrypt_recipients(b.data, b.len, kids,
		    &nk, &why), RM_ENONCANON);
		rm_buf_fini(&b);
	}
}

static CU_TestInfo tests[] = {
	{ "round_trip_1", test_round_trip_1 },
	{ "round_trip_2", test_round_trip_2 },
	{ "round_trip_64", test_round_trip_64 },
	{ "sizes_and_exact_layer0", test_sizes_and_exact_layer0 },
	{ "seal_limits", test_seal_limits },
	{ "not_a_recipient", test_not_a_recipient },
	{ "tamper", test_tamper },
	{ "truncations", test_truncations },
	{ "known_answer", test_known_answer },
	{ "decode_rejections", test_decode_rejections },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("crypto.cose_encrypt", tests);
}
