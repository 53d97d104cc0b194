/*
 * crypto.h -- keys, certificates, hashing and COSE_Sign1 for riskmesh.
 *
 * All cryptography is OpenSSL 3; OpenSSL types never leave crypto/.
 * Curve: NIST P-256 everywhere (ES256 records, X.509, TLS, ECDH for
 * restricted records), because nng 1.5's TLS (mbedTLS 2.28) has no
 * Ed25519.
 *
 * Standards:
 *   COSE_Sign1 ............ RFC 9052 §4.2 (structure), §4.4 (Sig_structure),
 *                           tag 18 (§2); ES256 = alg -7 (RFC 9053 §2.1),
 *                           signature is r||s, 64 bytes, not DER.
 *   kid ................... SHA-256 of the DER SubjectPublicKeyInfo
 *                           (RFC 5280 §4.1.2.7) of the signer's key.
 *   record hash ........... SHA-256 of the whole COSE_Sign1 encoding.
 *   X.509 ................. RFC 5280 v3 certificates, ecdsa-with-SHA256.
 *   COSE_Encrypt .......... RFC 9052 §5.1 (structure, tag 96), §5.3
 *                           (Enc_structure); content A256GCM = 3
 *                           (RFC 9053 §4.1); recipients ECDH-ES + A256KW
 *                           = -31 (RFC 9053 §6.4.1) with HKDF-SHA-256
 *                           over the COSE_KDF_Context (RFC 9053 §5.1,
 *                           §5.2) and AES Key Wrap (RFC 3394).
 *
 * Error convention: RM_ECRYPTO for an OpenSSL failure (detail in why),
 * RM_EIO for files, RM_EMALFORMED for unparsable input, RM_EBADSIG for
 * a signature that does not verify. Outputs are written only on success.
 * Private key material is wiped (OPENSSL_cleanse) before it is freed.
 * Above crypto/, nothing holds a private key: it holds a crypto_signer
 * (below), and signs records, rosters, handshake proofs and
 * certificates through it, and a crypto_decrypter to open restricted
 * records addressed to it.
 * Thread rules: a crypto_key may be used from several threads at once
 * for sign/verify (OpenSSL EVP_PKEY is reference counted and read-only
 * once created); everything else is reentrant.
 */
#ifndef RM_CRYPTO_H
#define RM_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

#define CRYPTO_ES256_SIG_BYTES 64
#define CRYPTO_SPKI_MAX        128   /* DER SubjectPublicKeyInfo, P-256 = 91 */
#define COSE_ALG_ES256         (-7)
#define COSE_TAG_SIGN1         18
#define COSE_HDR_ALG           1
#define COSE_HDR_KID           4
#define COSE_SIGN1_MAX         (528 * 1024) /* whole encoded message: a
                                                 record of RM_RECORD_ANY_MAX
                                                 (512 KiB) and its header */

/* ---------------- keys ---------------- */

/* A P-256 key: private (can sign) or public only. Opaque. */
typedef struct crypto_key crypto_key;

/* Generate a new P-256 private key. Caller frees with crypto_key_free. */
int crypto_key_generate(crypto_key **out, rm_why *why);
/* Load a PEM file holding a P-256 private key (PKCS#8 or SEC1) or a
 * public key (SubjectPublicKeyInfo). Other curves/types: RM_EBADVALUE. */
int crypto_key_load_pem(const char *path, crypto_key **out, rm_why *why);
/* Parse a PEM buffer (same rules). */
int crypto_key_from_pem(const void *pem, size_t n, crypto_key **out,
    rm_why *why);
/* Public key from DER SubjectPublicKeyInfo. */
int crypto_key_from_spki(const uint8_t *der, size_t n, crypto_key **out,
    rm_why *why);
/* Write the private key as PKCS#8 PEM, file mode 0600, atomically.
 * RM_EINVAL if the key has no private part. */
int crypto_key_save_private_pem(const crypto_key *k, const char *path,
    rm_why *why);
/* Append the public key as PEM / as DER SubjectPublicKeyInfo. */
int crypto_key_public_pem(const crypto_key *k, rm_buf *out);
int crypto_key_spki(const crypto_key *k, rm_buf *out);
/* kid = SHA-256(DER SPKI). */
int crypto_key_kid(const crypto_key *k, rm_hash *out);
bool crypto_key_has_private(const crypto_key *k);
/* Take a reference / drop one; the last drop wipes and frees. NULL ok. */
crypto_key *crypto_key_ref(crypto_key *k);
void crypto_key_free(crypto_key *k);

/* ---------------- signers ---------------- */

/*
 * A signer: "sign these bytes with ES256, tell me your kid". Opaque; the
 * only object above crypto/ that stands for a private key. Behind it is
 * an ops table inside crypto/ (signer.c). Today's one implementation
 * holds the key in this process; a privilege-separated signing process
 * (the key in another process, reached over a socket) is a second
 * implementation with its own constructor and the same calls below, so
 * callers do not change.
 *
 * Thread rules: crypto_signer_sign, _kid and _public_key may be called
 * from several threads at once on one signer (an implementation that
 * talks to another process serialises internally). Reference counted:
 * crypto_signer_ref / crypto_signer_free; the last free releases the key
 * and wipes it (OPENSSL_cleanse).
 */
typedef struct crypto_signer crypto_signer;

/* Open an in-process signer on a PEM file holding a P-256 private key
 * (PKCS#8 or SEC1, unencrypted). The key is read into OpenSSL-owned
 * memory and the file buffer wiped. Errors: as crypto_key_load_pem
 * (RM_EIO, RM_EMALFORMED, RM_ETOOBIG, RM_EBADVALUE for another curve),
 * RM_EBADVALUE if the file holds a public key only, RM_EINVAL for NULL
 * arguments. *out written only on success; free with
 * crypto_signer_free. */
int crypto_signer_open_pem(const char *path, crypto_signer **out,
    rm_why *why);
/* Generate a new P-256 key, write it to path as PKCS#8 PEM (mode 0600,
 * atomically; crypto_key_save_private_pem) and open a signer on it.
 * For `riskmesh federation init` / `agency add`. Errors: RM_ECRYPTO,
 * RM_EIO, RM_EINVAL; nothing is written on key-generation failure. */
int crypto_signer_generate_pem(const char *path, crypto_signer **out,
    rm_why *why);
/* In-process signer on an existing private key k; the signer takes a
 * reference to k (the caller still owns its own). For tests and tools
 * that already hold a key. RM_EINVAL if k is NULL or public only. */
int crypto_signer_from_key(crypto_key *k, crypto_signer **out, rm_why *why);

/* ES256 (ECDSA P-256 with SHA-256, RFC 9053 §2.1) over msg[0..n): the
 * 64-byte r||s signature, not DER, into sig (written only on RM_OK).
 * msg may be NULL if n is 0. Errors: RM_EINVAL (s or sig NULL, msg NULL
 * with n > 0), RM_ECRYPTO (OpenSSL failure, detail in why); a future
 * out-of-process signer adds RM_EIO/RM_ECLOSED. */
int crypto_signer_sign(crypto_signer *s, const uint8_t *msg, size_t n,
    uint8_t sig[CRYPTO_ES256_SIG_BYTES], rm_why *why);
/* kid of the signer's key: SHA-256 of its DER SubjectPublicKeyInfo,
 * equal to crypto_key_kid of the public key. RM_EINVAL for NULL. */
int crypto_signer_kid(const crypto_signer *s, rm_hash *out);
/* The signer's public key (no private part), a new reference the
 * caller frees with crypto_key_free. RM_EINVAL for NULL. */
int crypto_signer_public_key(const crypto_signer *s, crypto_key **out);
/* Take a reference / drop one (NULL ok); the last drop wipes the key. */
crypto_signer *crypto_signer_ref(crypto_signer *s);
void crypto_signer_free(crypto_signer *s);

/* ---------------- hashing and randomness ---------------- */

/* SHA-256 (FIPS 180-4). */
void crypto_sha256(const void *p, size_t n, rm_hash *out);
/* Incremental SHA-256 over several pieces (NULL-terminated pairs are
 * awkward in C, so pass arrays). */
void crypto_sha256_v(const void *const *parts, const size_t *lens,
    size_t nparts, rm_hash *out);
/* Cryptographically secure random bytes. RM_ECRYPTO on failure. */
int crypto_random(void *p, size_t n);
/* Constant-time comparison. */
bool crypto_equal(const void *a, const void *b, size_t n);
/* Overwrite p[0..n) with zeros in a way the compiler keeps
 * (OPENSSL_cleanse): for plaintexts and keys before they are freed.
 * NULL with n 0 is fine. */
void crypto_wipe(void *p, size_t n);

/* ---------------- raw ES256 ---------------- */

/* ECDSA P-256 with SHA-256 over msg; sig is r||s, 64 bytes
 * (RFC 9053 §2.1). */
int crypto_es256_sign(const crypto_key *k, const void *msg, size_t n,
    uint8_t sig[CRYPTO_ES256_SIG_BYTES], rm_why *why);
/* RM_OK if valid, RM_EBADSIG if not (also for r or s out of range),
 * RM_ECRYPTO if OpenSSL fails. The message is hashed once (SHA-256) and
 * the digest checked on an OpenSSL context prepared for k's key: each
 * thread keeps its own for the last public-only keys it verified with
 * (at most 64 a thread, indexed by kid, freed when the thread exits;
 * keys with a private part are not kept), so repeated verifies with one
 * key skip OpenSSL's per-call setup. Any thread. */
int crypto_es256_verify(const crypto_key *k, const void *msg, size_t n,
    const uint8_t sig[CRYPTO_ES256_SIG_BYTES]);

/* ---------------- X.509 (federation CA, agency certificates) ---------- */

/*
 * Create a self-signed CA certificate for the federation root key:
 * CN=common_name, basicConstraints CA:TRUE (critical), keyUsage
 * keyCertSign|cRLSign, validity `days` from now. PEM written atomically
 * to cert_path.
 */
int x509_ca_create(crypto_signer *root, const char *common_name,
    unsigned days, const char *cert_path, rm_why *why);

/*
 * Issue a certificate for subject_key (public part used) signed by the
 * CA's signer: CN=common_name, subjectAltName DNS:common_name (agency ids are
 * valid DNS-style names, which lets a TLS dialer check the peer's name),
 * plus IP:127.0.0.1 and IP:::1; basicConstraints CA:FALSE; extendedKeyUsage
 * serverAuth,clientAuth; random 128-bit serial. PEM to cert_path.
 */
int x509_issue(crypto_signer *ca, const char *ca_cert_path,
    const crypto_key *subject_key, const char *common_name, unsigned days,
    const char *cert_path, rm_why *why);
/*
 * For both: certificate files are written with mode 0644; notBefore is
 * backdated 5 minutes for clock skew; days must be 1..36500 (RM_EINVAL);
 * the signer must hold its key in process (RM_EINVAL: certificates are
 * signed by OpenSSL's X509_sign). common_name is 1..64
 * bytes: printable ASCII for the CA, letters, digits, '-' and '.' for
 * issued certificates (RM_EBADVALUE). x509_issue: RM_EBADVALUE if
 * the signer's key is not the key of ca_cert_path. Files: RM_EIO,
 * RM_EMALFORMED.
 */

/* Verify cert_path chains to ca_cert_path and is within validity
 * (OpenSSL X509_verify_cert, X509_V_FLAG_X509_STRICT).
 * On success, if cn_out is non-NULL, copies the subject CN (UTF-8,
 * NUL-terminated; RM_ETOOBIG if it needs more than cn_len bytes).
 * Errors: RM_EBADSIG (chain/signature), RM_EEXPIRED, RM_EMALFORMED,
 * RM_EIO. */
int x509_verify(const char *ca_cert_path, const char *cert_path,
    char *cn_out, size_t cn_len, rm_why *why);

/* Public key of a certificate file (no chain check; P-256 only,
 * RM_EBADVALUE otherwise). Caller frees with crypto_key_free. */
int x509_public_key(const char *cert_path, crypto_key **out, rm_why *why);

/* ---------------- COSE_Sign1 (RFC 9052) ---------------- */

/*
 * Sign payload with signer s: emits
 * tag(18) [protected, unprotected, payload, signature]
 * with protected = bstr(deterministic map {1: -7, 4: kid}), unprotected =
 * {} and the ES256 signature over
 * Sig_structure = ["Signature1", protected, h'' (external_aad), payload]
 * (RFC 9052 §4.4). Appends to out; on error out is unchanged.
 */
int cose_sign1_sign(crypto_signer *s, const uint8_t *payload, size_t n,
    rm_buf *out, rm_why *why);

/* A parsed COSE_Sign1; all pointers borrow from the input buffer and
 * live as long as it does. */
struct cose_sign1 {
	const uint8_t *protected_hdr;  /* bstr contents (encoded map) */
	size_t protected_len;
	const uint8_t *payload;
	size_t payload_len;
	const uint8_t *signature;      /* 64 bytes */
	int64_t alg;                   /* from the protected header */
	rm_hash kid;                   /* from the protected header */
};

/*
 * Parse (no verification). Requires tag 18, a 4-element array, a
 * protected header holding exactly alg (-7) and a 32-byte kid, an empty
 * unprotected map, an embedded payload and a 64-byte signature; all
 * deterministic CBOR. n must be <= COSE_SIGN1_MAX (RM_ETOOBIG).
 * Errors: RM_EMALFORMED (not tagged, wrong item types, not 4 elements,
 * truncated, trailing bytes), RM_ENONCANON, RM_EMISSING (alg or kid
 * absent, detached payload), RM_EBADVALUE (tag other than 18, wrong
 * alg, kid or signature length), RM_EUNKNOWN (other header parameters,
 * protected or unprotected). why names the part ("cose.protected.kid").
 */
int cose_sign1_decode(const uint8_t *p, size_t n, struct cose_sign1 *out,
    rm_why *why);

/* Verify msg's signature with pub and check msg->kid == kid(pub).
 * RM_OK, RM_EBADSIG (signature or kid mismatch). */
int cose_sign1_verify(const crypto_key *pub, const struct cose_sign1 *msg,
    rm_why *why);

/* Record hash: SHA-256 of the whole signed encoding. */
void cose_record_hash(const uint8_t *p, size_t n, rm_hash *out);

/* ---------------- decrypters ---------------- */

/*
 * A decrypter: the private half of a P-256 key-agreement key, able to
 * answer "derive the key-encryption key for this ephemeral public key
 * and this KDF context" (ECDH + HKDF-SHA-256, RFC 9053 §6.4.1) and
 * nothing else. Opaque; the only object above crypto/ that stands for a
 * decryption key, as crypto_signer is for a signing key. Behind it is an
 * ops table (decrypter.c): today's one implementation holds the key in
 * this process; a key process reached over a socket is a second
 * implementation with its own constructor, and cose_encrypt_open and
 * its callers do not change. Neither the ECDH shared secret nor the
 * private scalar ever leaves the implementation; only the derived
 * key-encryption key does, and cose_encrypt_open wipes it after use.
 *
 * kid = SHA-256 of the DER SubjectPublicKeyInfo of the key, the same
 * definition as for signing keys; it is what COSE_Encrypt recipients
 * carry (cose_encrypt_seal).
 *
 * Thread rules: as crypto_signer (any call from several threads at
 * once; reference counted; the last free wipes the key).
 */
typedef struct crypto_decrypter crypto_decrypter;

/* In-process decrypter on an existing private key k; takes its own
 * reference to k. RM_EINVAL if k or out is NULL or k is public only. */
int crypto_decrypter_from_key(crypto_key *k, crypto_decrypter **out,
    rm_why *why);
/* In-process decrypter on a PEM file holding a P-256 private key
 * (crypto_key_load_pem rules; the file buffer is wiped). Errors: as
 * crypto_key_load_pem, RM_EBADVALUE for a public key only, RM_EINVAL
 * for NULL arguments. */
int crypto_decrypter_open_pem(const char *path, crypto_decrypter **out,
    rm_why *why);
/* kid of the decrypter's key (SHA-256 of DER SPKI). RM_EINVAL for
 * NULL. */
int crypto_decrypter_kid(const crypto_decrypter *d, rm_hash *out);
/* Take a reference / drop one (NULL ok); the last drop wipes the key. */
crypto_decrypter *crypto_decrypter_ref(crypto_decrypter *d);
void crypto_decrypter_free(crypto_decrypter *d);

/* ---------------- COSE_Encrypt (RFC 9052 §5.1) ---------------- */

#define COSE_TAG_ENCRYPT          96
#define COSE_HDR_IV               5
#define COSE_HDR_EPK              (-1)   /* ephemeral key, RFC 9053 §6.4 */
#define COSE_ALG_A128GCM          1      /* RFC 9053 §4.1 */
#define COSE_ALG_A256GCM          3
#define COSE_ALG_ECDH_ES_A128KW   (-29)  /* RFC 9053 §6.4.1 */
#define COSE_ALG_ECDH_ES_A256KW   (-31)
#define COSE_ENCRYPT_IV_BYTES     12     /* AES-GCM nonce, RFC 9053 §4.1 */
#define COSE_ENCRYPT_TAG_BYTES    16     /* AES-GCM tag, 128 bits */
#define COSE_ENCRYPT_RECIPIENTS_MAX 64
#define COSE_ENCRYPT_PLAINTEXT_MAX  (32 * 1024)
#define COSE_ENCRYPT_AAD_MAX        4096
#define COSE_ENCRYPT_MAX            (48 * 1024) /* whole encoded message */

/*
 * Encrypt plaintext[0..n) for n_recipients P-256 public keys
 * (recipients[i], public or private; only the public part is used) and
 * append the COSE_Encrypt message to out:
 *
 *   96([ h'A10103',                          ; protected {1: 3} A256GCM
 *        {5: h'<iv:12>'},                    ; unprotected: IV
 *        h'<ciphertext || tag:16>',
 *        [ 1*64 [ h'A101381E',               ; protected {1: -31}
 *                 {4: h'<kid:32>',           ; recipient's kid
 *                  -1: {1: 2, -1: 1, -2: h'<x:32>', -3: h'<y:32>'}},
 *                                            ; ephemeral key (EC2, P-256)
 *                 h'<wrapped CEK:40>' ] ] ])
 *
 * One random 256-bit content key (CEK) and a random 96-bit IV (OpenSSL
 * RAND) per message; the content is AES-256-GCM over the plaintext with
 * AAD = Enc_structure ["Encrypt", protected, external_aad]
 * (RFC 9052 §5.3). For each recipient a fresh ephemeral P-256 key; KEK =
 * HKDF-SHA-256(salt none, IKM = ECDH x-coordinate, info =
 * COSE_KDF_Context [-5, [nil,nil,nil], [nil,nil,nil], [256, h'A101381E']],
 * 32 bytes) (RFC 9053 §5.1, §5.2, §6.4.1); the CEK is AES-256 key-wrapped
 * (RFC 3394) under it. Recipients are written in ascending kid order
 * whatever their order in the array (deterministic, and what the
 * decoder requires). CEK, KEKs and ephemeral keys are wiped.
 *
 * external_aad (may be NULL if aad_len is 0) binds the ciphertext to its
 * context (docs/PROTOCOL.md: the record it travels in); the same bytes
 * must be given to cose_encrypt_open.
 *
 * Limits and errors: n <= COSE_ENCRYPT_PLAINTEXT_MAX, aad_len <=
 * COSE_ENCRYPT_AAD_MAX, n_recipients <= COSE_ENCRYPT_RECIPIENTS_MAX
 * (RM_ETOOBIG); n_recipients 0, a NULL key, two recipients with one kid,
 * or NULL pointers with non-zero lengths: RM_EINVAL; OpenSSL failure:
 * RM_ECRYPTO. Appends to out; on error out is unchanged.
 * Thread rules: reentrant; keys may be shared with other threads.
 */
int cose_encrypt_seal(const uint8_t *plaintext, size_t n,
    const crypto_key *const *recipients, size_t n_recipients,
    const uint8_t *external_aad, size_t aad_len, rm_buf *out, rm_why *why);

/*
 * Decrypt a COSE_Encrypt addressed to me. Decodes p[0..n) strictly (as
 * cose_encrypt_recipients), finds the recipient whose kid is me's kid,
 * derives its KEK through me, unwraps the CEK and decrypts the content
 * with AAD = ["Encrypt", protected, external_aad]. Appends the plaintext
 * to plaintext_out (the caller wipes it when done, if it should); on
 * error plaintext_out is unchanged and no plaintext byte is left in it.
 *
 * Accepted algorithms: content A256GCM (3) or A128GCM (1); recipients
 * ECDH-ES + A256KW (-31) or ECDH-ES + A128KW (-29), each recipient's
 * wrapped key being exactly the content key's length + 8. cose_encrypt_seal
 * writes only A256GCM and -31; the other two are read for interop with
 * other COSE implementations (RFC 9053 examples).
 *
 * Errors: decoding errors as cose_encrypt_recipients; RM_ENOTFOUND (no
 * recipient has my kid: the message is not for me); RM_EBADVALUE (the
 * ephemeral key is not a P-256 point); RM_EBADSIG (the key unwrap
 * integrity check or the GCM tag fails: tampered ciphertext, tag,
 * IV, wrapped key, ephemeral key, protected header or a different
 * external_aad); RM_ECRYPTO (OpenSSL failure, detail in why);
 * RM_EINVAL (NULL arguments, aad_len > COSE_ENCRYPT_AAD_MAX).
 */
int cose_encrypt_open(const uint8_t *p, size_t n, crypto_decrypter *me,
    const uint8_t *external_aad, size_t aad_len, rm_buf *plaintext_out,
    rm_why *why);

/*
 * The recipients' kids of a COSE_Encrypt without decrypting it, for
 * nodes that relay restricted records and for checking that the
 * recipients named in the clear match the message. Decodes p[0..n)
 * strictly: tag 96, the exact shape shown at cose_encrypt_seal (with the
 * algorithms cose_encrypt_open accepts), deterministic CBOR, recipients
 * in strictly ascending kid order. Writes *n_kids (1..64) kids, in that
 * order, to kids[0..COSE_ENCRYPT_RECIPIENTS_MAX); both written only on
 * success.
 *
 * Errors (why names the part, e.g. "cose_encrypt.recipients[2].kid"):
 * RM_ETOOBIG (n > COSE_ENCRYPT_MAX, more than 64 recipients);
 * RM_EMALFORMED (not tagged, wrong item types or array lengths,
 * truncated, trailing bytes, nested recipients); RM_ENONCANON
 * (non-deterministic CBOR, header labels or recipients out of order);
 * RM_EMISSING (an alg, IV, kid or ephemeral key absent, detached
 * ciphertext, no recipients); RM_EUNKNOWN (an algorithm outside the
 * profile, e.g. -25 direct ECDH; any other header parameter);
 * RM_EBADVALUE (tag other than 96, wrong IV, kid, coordinate or wrapped
 * key length, ciphertext shorter than the tag, key type or curve other
 * than EC2/P-256, a compressed y, two recipients with one kid);
 * RM_EINVAL (NULL arguments).
 */
int cose_encrypt_recipients(const uint8_t *p, size_t n,
    rm_hash kids[COSE_ENCRYPT_RECIPIENTS_MAX], size_t *n_kids, rm_why *why);

#endif /* RM_CRYPTO_H */
