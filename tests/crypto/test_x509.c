/*
 * test_x509.c -- federation CA, agency certificates, chain verification.
 * The certificate profile is also checked with the openssl CLI, as an
 * independent parser.
 */
#include <sys/stat.h>

#include "crypto_test.h"
#include "rm_test.h"

/* Run cmd and return its stdout (at most 16 KiB) in out, NUL-terminated;
 * returns the exit status. */
static int
run(const char *cmd, rm_buf *out)
{
	char chunk[1024];
	size_t n;
	FILE *f;
	int st;

	rm_buf_reset(out);
	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rm_buf_append(out, chunk, n);
	st = pclose(f);
	rm_buf_cstr(out);
	return st;
}

static crypto_key *ca_key;
static const char *ca_pem;

static void
make_ca(void)
{
	static char path[320];
	rm_why why;

	if (ca_key != NULL)
		return;
	ca_key = ct_newkey();
	snprintf(path, sizeof(path), "%s", ct_path("ca.pem"));
	ca_pem = path;
	if (ct_ca_create(ca_key, "riskmesh test federation", 30, ca_pem,
	    &why) != RM_OK) {
		fprintf(stderr, "x509_ca_create: %s\n", why.msg);
		abort();
	}
}

static void
test_ca_profile(void)
{
	rm_buf out = RM_BUF_INIT;
	char cmd[512];
	const char *t;

	make_ca();
	snprintf(cmd, sizeof(cmd), "openssl x509 -in '%s' -noout -text",
	    ca_pem);
	CU_ASSERT_EQUAL_FATAL(run(cmd, &out), 0);
	t = (const char *)out.data;
	CU_ASSERT(strstr(t, "Version: 3 (0x2)") != NULL);
	CU_ASSERT(strstr(t, "Signature Algorithm: ecdsa-with-SHA256") != NULL);
	CU_ASSERT(strstr(t, "ASN1 OID: prime256v1") != NULL);
	CU_ASSERT(strstr(t, "Issuer: CN = riskmesh test federation") != NULL);
	CU_ASSERT(strstr(t, "Subject: CN = riskmesh test federation") != NULL);
	CU_ASSERT(strstr(t, "X509v3 Basic Constraints: critical\n"
	    "                CA:TRUE") != NULL);
	CU_ASSERT(strstr(t, "X509v3 Key Usage: critical\n"
	    "                Certificate Sign, CRL Sign") != NULL);
	CU_ASSERT(strstr(t, "X509v3 Subject Key Identifier") != NULL);
	rm_buf_fini(&out);
}

static void
test_issue_and_verify(void)
{
	crypto_key *node = ct_newkey(), *pub = NULL;
	const char *cert = ct_path("agency-a.pem");
	rm_buf out = RM_BUF_INIT;
	char cmd[1024], cn[65];
	rm_hash a, b;
	const char *t;
	struct stat st;
	rm_why why;

	make_ca();
	CU_ASSERT_EQUAL_FATAL(ct_issue(ca_key, ca_pem, node,
	    "agency-a.example", 10, cert, &why), RM_OK);
	CU_ASSERT_EQUAL(stat(cert, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);

	memset(cn, 'x', sizeof(cn));
	CU_ASSERT_EQUAL(x509_verify(ca_pem, cert, cn, sizeof(cn), &why), RM_OK);
	CU_ASSERT_STRING_EQUAL(cn, "agency-a.example");
	CU_ASSERT_EQUAL(x509_verify(ca_pem, cert, NULL, 0, &why), RM_OK);
	/* CN buffer too small */
	CU_ASSERT_EQUAL(x509_verify(ca_pem, cert, cn, 5, &why), RM_ETOOBIG);

	CU_ASSERT_EQUAL(x509_public_key(cert, &pub, &why), RM_OK);
	CU_ASSERT_FATAL(pub != NULL);
	CU_ASSERT(!crypto_key_has_private(pub));
	crypto_key_kid(pub, &a);
	crypto_key_kid(node, &b);
	CU_ASSERT(memcmp(a.b, b.b, 32) == 0);

	/* independent check of the leaf profile and the chain */
	snprintf(cmd, sizeof(cmd), "openssl x509 -in '%s' -noout -text", cert);
	CU_ASSERT_EQUAL_FATAL(run(cmd, &out), 0);
	t = (const char *)out.data;
	CU_ASSERT(strstr(t, "Version: 3 (0x2)") != NULL);
	CU_ASSERT(strstr(t, "Signature Algorithm: ecdsa-with-SHA256") != NULL);
	CU_ASSERT(strstr(t, "Subject: CN = agency-a.example") != NULL);
	CU_ASSERT(strstr(t, "CA:FALSE") != NULL);
	CU_ASSERT(strstr(t, "X509v3 Key Usage: critical\n"
	    "                Digital Signature\n") != NULL);
	CU_ASSERT(strstr(t, "TLS Web Server Authentication, "
	    "TLS Web Client Authentication") != NULL);
	CU_ASSERT(strstr(t, "DNS:agency-a.example, IP Address:127.0.0.1, "
	    "IP Address:0:0:0:0:0:0:0:1") != NULL);
	CU_ASSERT(strstr(t, "X509v3 Authority Key Identifier") != NULL);
	snprintf(cmd, sizeof(cmd), "openssl verify -x509_strict -purpose "
	    "sslserver -CAfile '%s' '%s' && openssl verify -x509_strict "
	    "-purpose sslclient -CAfile '%s' '%s'", ca_pem, cert, ca_pem, cert);
	CU_ASSERT_EQUAL(run(cmd, &out), 0);

	rm_buf_fini(&out);
	crypto_key_free(pub);
	crypto_key_free(node);
}

static void
test_random_serials(void)
{
	crypto_key *node = ct_newkey();
	const char *c1 = ct_path("s1.pem"), *c2 = ct_path("s2.pem");
	rm_buf o1 = RM_BUF_INIT, o2 = RM_BUF_INIT;
	char cmd[512];

	make_ca();
	CU_ASSERT_EQUAL_FATAL(ct_issue(ca_key, ca_pem, node, "n1", 1, c1,
	    NULL), RM_OK);
	CU_ASSERT_EQUAL_FATAL(ct_issue(ca_key, ca_pem, node, "n1", 1, c2,
	    NULL), RM_OK);
	snprintf(cmd, sizeof(cmd), "openssl x509 -in '%s' -noout -serial", c1);
	CU_ASSERT_EQUAL(run(cmd, &o1), 0);
	snprintf(cmd, sizeof(cmd), "openssl x509 -in '%s' -noout -serial", c2);
	CU_ASSERT_EQUAL(run(cmd, &o2), 0);
	CU_ASSERT(o1.len > 12 && strcmp((char *)o1.data, (char *)o2.data) != 0);
	rm_buf_fini(&o1);
	rm_buf_fini(&o2);
	crypto_key_free(node);
}

static void
test_other_ca_fails(void)
{
	crypto_key *k2 = ct_newkey(), *node = ct_newkey();
	const char *ca2 = ct_path("ca2.pem"), *cert = ct_path("rogue.pem");
	char cn[65] = "unchanged";
	rm_why why;

	make_ca();
	CU_ASSERT_EQUAL_FATAL(ct_ca_create(k2, "rogue", 30, ca2, &why),
	    RM_OK);
	CU_ASSERT_EQUAL_FATAL(ct_issue(k2, ca2, node, "agency-a", 10, cert,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(x509_verify(ca2, cert, NULL, 0, &why), RM_OK);
	CU_ASSERT_EQUAL(x509_verify(ca_pem, cert, cn, sizeof(cn), &why),
	    RM_EBADSIG);
	CU_ASSERT(strstr(why.msg, "rogue.pem") != NULL);
	CU_ASSERT_STRING_EQUAL(cn, "unchanged");
	/* a CA with the same name but another key: signature fails */
	CU_ASSERT_EQUAL_FATAL(ct_ca_create(k2, "riskmesh test federation",
	    30, ca2, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(ct_issue(k2, ca2, node, "agency-a", 10, cert,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(x509_verify(ca_pem, cert, NULL, 0, &why), RM_EBADSIG);
	/* issuing with a key that is not the CA certificate's */
	CU_ASSERT_EQUAL(ct_issue(k2, ca_pem, node, "agency-a", 10,
	    ct_path("x.pem"), &why), RM_EBADVALUE);
	crypto_key_free(k2);
	crypto_key_free(node);
}

static void
test_expired(void)
{
	const char *key = ct_path("ca.key"), *csr = ct_path("old.csr");
	const char *old = ct_path("old.pem"), *ext = ct_path("old.ext");
	crypto_key *node = ct_newkey();
	rm_buf out = RM_BUF_INIT;
	char cmd[2048];
	FILE *f;
	rm_why why;

	make_ca();
	CU_ASSERT_EQUAL_FATAL(crypto_key_save_private_pem(ca_key, key, NULL),
	    RM_OK);
	f = fopen(ext, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs("basicConstraints=critical,CA:FALSE\n"
	    "keyUsage=critical,digitalSignature\n"
	    "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
	    "subjectAltName=DNS:old\n", f);
	fclose(f);
	/* notAfter one day in the past, signed by the real CA */
	snprintf(cmd, sizeof(cmd),
	    "openssl req -new -key '%s' -subj /CN=old -out '%s' && "
	    "openssl x509 -req -in '%s' -CA '%s' -CAkey '%s' -days -1 "
	    "-extfile '%s' -out '%s' 2>/dev/null",
	    key, csr, csr, ca_pem, key, ext, old);
	CU_ASSERT_EQUAL_FATAL(run(cmd, &out), 0);
	CU_ASSERT_EQUAL(x509_verify(ca_pem, old, NULL, 0, &why), RM_EEXPIRED);
	CU_ASSERT(strstr(why.msg, "expired") != NULL);
	rm_buf_fini(&out);
	crypto_key_free(node);
}

static void
test_rejects(void)
{
	crypto_key *node = ct_newkey(), *pub = NULL;
	const char *junk = ct_path("junk.pem"), *out = ct_path("r.pem");
	rm_buf pem = RM_BUF_INIT;
	rm_why why;

	make_ca();
	/* CN that is not a DNS name, empty, too long */
	CU_ASSERT_EQUAL(ct_issue(ca_key, ca_pem, node, "a b", 1, out, &why),
	    RM_EBADVALUE);
	CU_ASSERT(strstr(why.msg, "x509.cn") != NULL);
	CU_ASSERT_EQUAL(ct_issue(ca_key, ca_pem, node, "a,DNS:evil", 1, out,
	    &why), RM_EBADVALUE);
	CU_ASSERT_EQUAL(ct_issue(ca_key, ca_pem, node, "", 1, out, &why),
	    RM_EBADVALUE);
	CU_ASSERT_EQUAL(ct_ca_create(ca_key, "x\ny", 1, out, &why),
	    RM_EBADVALUE);
	CU_ASSERT_EQUAL(ct_issue(ca_key, ca_pem, node,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    1, out, &why), RM_EBADVALUE);
	/* validity */
	CU_ASSERT_EQUAL(ct_issue(ca_key, ca_pem, node, "ok", 0, out, &why),
	    RM_EINVAL);
	CU_ASSERT_EQUAL(ct_ca_create(ca_key, "ok", 40000, out, &why),
	    RM_EINVAL);
	/* the CA key must be private */
	crypto_key_public_pem(ca_key, &pem);
	CU_ASSERT_EQUAL_FATAL(crypto_key_from_pem(pem.data, pem.len, &pub,
	    NULL), RM_OK);
	CU_ASSERT_EQUAL(ct_ca_create(pub, "ok", 1, out, &why), RM_EINVAL);
	CU_ASSERT_EQUAL(ct_issue(pub, ca_pem, node, "ok", 1, out, &why),
	    RM_EINVAL);
	/* files */
	CU_ASSERT_EQUAL(x509_verify(ct_path("nope.pem"), ca_pem, NULL, 0,
	    &why), RM_EIO);
	CU_ASSERT_EQUAL(ct_issue(ca_key, ct_path("nope.pem"), node, "ok", 1,
	    out, &why), RM_EIO);
	CU_ASSERT_EQUAL(rm_file_write_atomic(junk, "junk\n", 5, 0644, NULL),
	    RM_OK);
	CU_ASSERT_EQUAL(x509_verify(ca_pem, junk, NULL, 0, &why),
	    RM_EMALFORMED);
	CU_ASSERT_EQUAL(x509_verify(junk, ca_pem, NULL, 0, &why),
	    RM_EMALFORMED);
	CU_ASSERT_EQUAL(x509_public_key(junk, &pub, &why), RM_EMALFORMED);
	rm_buf_fini(&pem);
	crypto_key_free(pub);
	crypto_key_free(node);
}

static int
fini(void)
{
	crypto_key_free(ca_key);
	ca_key = NULL;
	return 0;
}

static CU_TestInfo tests[] = {
	{ "ca_profile", test_ca_profile },
	{ "issue_and_verify", test_issue_and_verify },
	{ "random_serials", test_random_serials },
	{ "other_ca_fails", test_other_ca_fails },
	{ "expired", test_expired },
	{ "rejects", test_rejects },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	CU_pSuite s = CU_add_suite("crypto.x509", NULL, fini);

	for (CU_TestInfo *t = tests; s != NULL && t->pName != NULL; t++)
		CU_add_test(s, t->pName, t->pTestFunc);
}
