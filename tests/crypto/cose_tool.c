/*
 * cose_tool.c -- a small command-line front end to crypto/ for the
 * interoperability test (cose_interop.py):
 *
 *   cose_tool keygen OUT.pem                   new P-256 key, PKCS#8 PEM
 *   cose_tool sign KEY.pem PAYLOAD_FILE OUT    COSE_Sign1 of the file
 *   cose_tool verify KEY.pem COSE_FILE         exit 0 valid, 1 rejected
 *   cose_tool hash FILE                        record hash as hex
 *   cose_tool kid KEY.pem                      kid as hex
 *   cose_tool seal PAYLOAD AADHEX OUT PUB.pem...  COSE_Encrypt to the keys
 *   cose_tool open KEY.pem COSE AADHEX OUT     decrypt; exit 1 if refused,
 *                                              the error name on stderr
 *   cose_tool recipients COSE                  recipients' kids, one a line
 *
 * AADHEX is the external AAD in hex ("" for none).
 * Exit status: 0 success, 1 rejected/failed, 2 usage.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"

#define FILE_MAX (COSE_SIGN1_MAX + 1)

static int
die(const char *what, int rv, const rm_why *why)
{
	fprintf(stderr, "cose_tool: %s: %s (%s)\n", what, rm_strerror(rv),
	    why != NULL ? why->msg : "");
	return 1;
}

static int
cmd_keygen(const char *out)
{
	crypto_signer *s = NULL;
	rm_why why;
	int rv;

	rv = crypto_signer_generate_pem(out, &s, &why);
	crypto_signer_free(s);
	return rv == RM_OK ? 0 : die(out, rv, &why);
}

static int
cmd_sign(const char *keyf, const char *in, const char *out)
{
	rm_buf p = RM_BUF_INIT, m = RM_BUF_INIT;
	crypto_signer *s = NULL;
	rm_why why;
	int rv;

	if ((rv = crypto_signer_open_pem(keyf, &s, &why)) != RM_OK ||
	    (rv = rm_file_read(in, FILE_MAX, &p, &why)) != RM_OK ||
	    (rv = cose_sign1_sign(s, p.data, p.len, &m, &why)) != RM_OK ||
	    (rv = rm_file_write_atomic(out, m.data, m.len, 0644, &why)) !=
	    RM_OK)
		die("sign", rv, &why);
	crypto_signer_free(s);
	rm_buf_fini(&p);
	rm_buf_fini(&m);
	return rv == RM_OK ? 0 : 1;
}

static int
cmd_verify(const char *keyf, const char *in)
{
	rm_buf m = RM_BUF_INIT;
	crypto_key *k = NULL;
	struct cose_sign1 msg;
	rm_why why;
	int rv;

	if ((rv = crypto_key_load_pem(keyf, &k, &why)) != RM_OK ||
	    (rv = rm_file_read(in, FILE_MAX, &m, &why)) != RM_OK ||
	    (rv = cose_sign1_decode(m.data, m.len, &msg, &why)) != RM_OK ||
	    (rv = cose_sign1_verify(k, &msg, &why)) != RM_OK)
		die("verify", rv, &why);
	crypto_key_free(k);
	rm_buf_fini(&m);
	return rv == RM_OK ? 0 : 1;
}

static int
cmd_hash(const char *in)
{
	rm_buf m = RM_BUF_INIT;
	char hex[65];
	rm_hash h;
	rm_why why;
	int rv;

	if ((rv = rm_file_read(in, FILE_MAX, &m, &why)) != RM_OK)
		return die("hash", rv, &why);
	cose_record_hash(m.data, m.len, &h);
	rm_hash_hex(&h, hex);
	printf("%s\n", hex);
	rm_buf_fini(&m);
	return 0;
}

static int
cmd_kid(const char *keyf)
{
	crypto_key *k;
	char hex[65];
	rm_hash h;
	rm_why why;
	int rv;

	if ((rv = crypto_key_load_pem(keyf, &k, &why)) != RM_OK)
		return die("kid", rv, &why);
	crypto_key_kid(k, &h);
	rm_hash_hex(&h, hex);
	printf("%s\n", hex);
	crypto_key_free(k);
	return 0;
}

/* External AAD from hex into aad (COSE_ENCRYPT_AAD_MAX bytes). */
static int
parse_aad(const char *hex, uint8_t *aad, size_t *len)
{
	size_t n = strlen(hex);

	if (n % 2 != 0 || n / 2 > COSE_ENCRYPT_AAD_MAX ||
	    rm_hex_decode(hex, aad, n / 2) != RM_OK) {
		fprintf(stderr, "cose_tool: bad AAD hex\n");
		return -1;
	}
	*len = n / 2;
	return 0;
}

static int
cmd_seal(const char *in, const char *aadhex, const char *out,
    char **pubs, int npubs)
{
	crypto_key *keys[COSE_ENCRYPT_RECIPIENTS_MAX + 1];
	uint8_t aad[COSE_ENCRYPT_AAD_MAX];
	rm_buf p = RM_BUF_INIT, m = RM_BUF_INIT;
	size_t aad_len, nk = 0;
	rm_why why;
	int rv = RM_EINVAL;

	if (parse_aad(aadhex, aad, &aad_len) != 0 ||
	    npubs > COSE_ENCRYPT_RECIPIENTS_MAX + 1)
		return 2;
	for (; nk < (size_t)npubs; nk++)
		if ((rv = crypto_key_load_pem(pubs[nk], &keys[nk], &why)) !=
		    RM_OK)
			goto done;
	if ((rv = rm_file_read(in, FILE_MAX, &p, &why)) != RM_OK ||
	    (rv = cose_encrypt_seal(p.data, p.len,
	    (const crypto_key *const *)keys, nk, aad, aad_len, &m,
	    &why)) != RM_OK ||
	    (rv = rm_file_write_atomic(out, m.data, m.len, 0644, &why)) !=
	    RM_OK)
		goto done;
done:
	if (rv != RM_OK)
		die("seal", rv, &why);
	while (nk > 0)
		crypto_key_free(keys[--nk]);
	rm_buf_fini(&p);
	rm_buf_fini(&m);
	return rv == RM_OK ? 0 : 1;
}

static int
cmd_open(const char *keyf, const char *in, const char *aadhex,
    const char *out)
{
	uint8_t aad[COSE_ENCRYPT_AAD_MAX];
	rm_buf m = RM_BUF_INIT, p = RM_BUF_INIT;
	crypto_decrypter *d = NULL;
	size_t aad_len;
	rm_why why;
	int rv;

	if (parse_aad(aadhex, aad, &aad_len) != 0)
		return 2;
	if ((rv = crypto_decrypter_open_pem(keyf, &d, &why)) != RM_OK ||
	    (rv = rm_file_read(in, FILE_MAX, &m, &why)) != RM_OK ||
	    (rv = cose_encrypt_open(m.data, m.len, d, aad, aad_len, &p,
	    &why)) != RM_OK ||
	    (rv = rm_file_write_atomic(out, p.data, p.len, 0600, &why)) !=
	    RM_OK)
		fprintf(stderr, "cose_tool: open: %s: %s\n", rm_errname(rv),
		    why.msg);
	crypto_decrypter_free(d);
	rm_buf_fini(&m);
	rm_buf_fini(&p);
	return rv == RM_OK ? 0 : 1;
}

static int
cmd_recipients(const char *in)
{
	rm_hash kids[COSE_ENCRYPT_RECIPIENTS_MAX];
	rm_buf m = RM_BUF_INIT;
	char hex[65];
	size_t nk;
	rm_why why;
	int rv;

	if ((rv = rm_file_read(in, FILE_MAX, &m, &why)) != RM_OK ||
	    (rv = cose_encrypt_recipients(m.data, m.len, kids, &nk,
	    &why)) != RM_OK) {
		fprintf(stderr, "cose_tool: recipients: %s: %s\n",
		    rm_errname(rv), why.msg);
	} else {
		for (size_t i = 0; i < nk; i++) {
			rm_hash_hex(&kids[i], hex);
			printf("%s\n", hex);
		}
	}
	rm_buf_fini(&m);
	return rv == RM_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "keygen") == 0)
		return cmd_keygen(argv[2]);
	if (argc == 5 && strcmp(argv[1], "sign") == 0)
		return cmd_sign(argv[2], argv[3], argv[4]);
	if (argc == 4 && strcmp(argv[1], "verify") == 0)
		return cmd_verify(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "hash") == 0)
		return cmd_hash(argv[2]);
	if (argc == 3 && strcmp(argv[1], "kid") == 0)
		return cmd_kid(argv[2]);
	if (argc >= 5 && strcmp(argv[1], "seal") == 0)
		return cmd_seal(argv[2], argv[3], argv[4], argv + 5, argc - 5);
	if (argc == 6 && strcmp(argv[1], "open") == 0)
		return cmd_open(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 3 && strcmp(argv[1], "recipients") == 0)
		return cmd_recipients(argv[2]);
	fprintf(stderr, "usage: cose_tool keygen OUT.pem | sign KEY.pem "
	    "PAYLOAD OUT | verify KEY.pem COSE | hash FILE | kid KEY.pem | "
	    "seal PAYLOAD AADHEX OUT PUB.pem... | open KEY.pem COSE AADHEX "
	    "OUT | recipients COSE\n");
	return 2;
}
