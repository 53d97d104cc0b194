/*
 * test_http_check.c -- what `riskmeshd -n` and the daemon's start-up
 * refuse beyond the config syntax (node_check, node_check_more): a TLS
 * key that is not the certificate's, a peer that is not in the roster
 * or is the node itself, an agency key the roster does not list; and the
 * daemon's command line (-c without FILE). Real files in a temp dir: a
 * CA, a signed roster, keys and a certificate made with crypto/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "node/daemon/daemon.h"
#include "rm_test.h"

#define OWN   "120000.water"
#define OTHER "120000.command"

static char dir[64];

static void
die(const char *what, const rm_why *why)
{
	fprintf(stderr, "fixture: %s: %s\n", what, why != NULL ? why->msg : "");
	abort();
}

static void
path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void
fx_agency(struct roster_agency *a, const char *id, crypto_key *k)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", id);
	snprintf(a->name_en, sizeof(a->name_en), "%s", id);
	snprintf(a->name_zh, sizeof(a->name_zh), "测试");
	snprintf(a->role, sizeof(a->role), "department");
	a->kinds = ROSTER_KIND_ALERT;
	a->max_grade = RM_GRADE_RED;
	a->n_areas = 1;
	snprintf(a->areas[0], sizeof(a->areas[0]), "120000");
	if (crypto_key_kid(k, &a->kid) != RM_OK)
		abort();
	a->key = k;
}

static void
save_key(crypto_key *k, const char *name)
{
	char p[128];
	rm_why why;

	path(p, sizeof(p), name);
	if (crypto_key_save_private_pem(k, p, &why) != RM_OK)
		die(name, &why);
}

/* A node.conf in dir; extra lines appended. */
static void
write_conf(const char *name, const char *tls_key, const char *extra)
{
	char p[128];
	FILE *f;

	path(p, sizeof(p), name);
	if ((f = fopen(p, "w")) == NULL)
		abort();
	fprintf(f, "# test node\nagency = " OWN "\ndata_dir = %s/data\n"
	    "key = %s/agency.key\nca = %s/ca.crt\nroster = %s/roster.cose\n"
	    "tls_cert = %s/tls.crt\ntls_key = %s/%s\n"
	    "http_listen = 127.0.0.1:1\n"
	    "http_token = test-token-0123456789abcdef\ncoap_listen = off\n"
	    "%s", dir, dir, dir, dir, dir, dir, tls_key, extra);
	fclose(f);
}

static int
suite_init(void)
{
	crypto_key *root, *agency, *other, *tls, *tls2;
	crypto_signer *ca_signer = NULL;
	struct roster_agency a;
	struct roster *r;
	rm_buf b = RM_BUF_INIT;
	char p[128], ca[128];
	rm_why why;

	rm_log_set_level(RM_LOG_ERR);
	snprintf(dir, sizeof(dir), "/tmp/rm-test-check.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	if (crypto_key_generate(&root, &why) != RM_OK ||
	    crypto_key_generate(&agency, &why) != RM_OK ||
	    crypto_key_generate(&other, &why) != RM_OK ||
	    crypto_key_generate(&tls, &why) != RM_OK ||
	    crypto_key_generate(&tls2, &why) != RM_OK ||
	    crypto_signer_from_key(root, &ca_signer, &why) != RM_OK)
		die("keys", &why);
	save_key(agency, "agency.key");
	save_key(tls, "tls.key");
	save_key(tls2, "tls2.key");
	path(ca, sizeof(ca), "ca.crt");
	if (x509_ca_create(ca_signer, "check-ca", 30, ca, &why) != RM_OK)
		die("ca", &why);
	path(p, sizeof(p), "tls.crt");
	if (x509_issue(ca_signer, ca, tls, OWN, 30, p, &why) != RM_OK)
		die("tls cert", &why);
	if (roster_new("check", 1, &r, &why) != RM_OK)
		die("roster", &why);
	fx_agency(&a, OWN, agency);
	if (roster_put_agency(r, &a, &why) != RM_OK)
		die("put", &why);
	fx_agency(&a, OTHER, other);
	if (roster_put_agency(r, &a, &why) != RM_OK)
		die("put", &why);
	if (roster_sign(r, ca_signer, &b, &why) != RM_OK)
		die("sign", &why);
	path(p, sizeof(p), "roster.cose");
	if (rm_file_write_atomic(p, b.data, b.len, 0644, &why) != RM_OK)
		die("roster file", &why);
	rm_buf_fini(&b);
	roster_free(r);
	crypto_signer_free(ca_signer);
	crypto_key_free(root);
	crypto_key_free(agency);
	crypto_key_free(other);
	crypto_key_free(tls);
	crypto_key_free(tls2);
	write_conf("good.conf", "tls.key",
	    "peer = " OTHER " dial tls+tcp://127.0.0.1:1\n");
	write_conf("tls2.conf", "tls2.key", "");
	write_conf("ghost.conf", "tls.key",
	    "peer = " OTHER " dial tls+tcp://127.0.0.1:1\n"
	    "peer = 120000.ghost listen tls+tcp://127.0.0.1:2\n");
	return 0;
}

static int
suite_fini(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (getenv("RM_KEEP") != NULL)
		return 0;
	return system(cmd) == 0 ? 0 : 1;
}

static void
load(const char *name, struct node_config *cfg)
{
	char p[128];
	rm_why why;

	path(p, sizeof(p), name);
	CU_ASSERT_EQUAL_FATAL(config_load(p, cfg, &why), RM_OK);
}

static void
expect_check(const struct node_config *cfg, int err, const char *key,
    const char *val, const char *part)
{
	const char *k = "", *v = NULL;
	rm_why why;

	memset(&why, 0, sizeof(why));
	CU_ASSERT_EQUAL(node_check(cfg, &k, &v, &why), err);
	if (err == RM_OK)
		return;
	CU_ASSERT_STRING_EQUAL(k, key);
	if (val == NULL) {
		CU_ASSERT_PTR_NULL(v);
	} else if (v == NULL) {
		CU_FAIL("no peer named");
	} else {
		CU_ASSERT_STRING_EQUAL(v, val);
	}
	if (strstr(why.msg, part) == NULL) {
		fprintf(stderr, "\n  why \"%s\" lacks \"%s\"\n", why.msg, part);
		CU_FAIL("why");
	}
}

static void
test_node_check(void)
{
	struct node_config *cfg = calloc(1, sizeof(*cfg));
	char p[128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	load("good.conf", cfg);
	expect_check(cfg, RM_OK, NULL, NULL, NULL);
	/* a TLS key that is not the certificate's */
	load("tls2.conf", cfg);
	expect_check(cfg, RM_EBADVALUE, "tls_key", NULL,
	    "is not the key of tls_cert");
	/* a peer that is not in the roster */
	load("ghost.conf", cfg);
	expect_check(cfg, RM_EUNKNOWNSIGNER, "peer", "120000.ghost",
	    "peer 120000.ghost is not in roster");
	/* the node as its own peer (config_load refuses it too) */
	load("good.conf", cfg);
	snprintf(cfg->peers[0].agency, sizeof(cfg->peers[0].agency), OWN);
	expect_check(cfg, RM_EBADVALUE, "peer", OWN, "own agency");
	/* an agency key the roster does not list for the agency */
	load("good.conf", cfg);
	path(p, sizeof(p), "tls.key");
	snprintf(cfg->key_file, sizeof(cfg->key_file), "%s", p);
	expect_check(cfg, RM_EBADVALUE, "key", NULL, "is not a key the "
	    "roster lists");
	free(cfg);
}

/* Run riskmeshd with args; its stdout+stderr into out; exit status. */
static int
daemon_run(const char *args, char *out, size_t outlen)
{
	const char *bd = getenv("RM_BUILD_DIR");
	char cmd[512];
	size_t got = 0, k;
	FILE *f;
	int st;

	out[0] = '\0';
	CU_ASSERT_PTR_NOT_NULL_FATAL(bd);
	snprintf(cmd, sizeof(cmd), "cd %s && %s/node/riskmeshd %s 2>&1", dir,
	    bd, args);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = popen(cmd, "r"));
	while (got + 1 < outlen &&
	    (k = fread(out + got, 1, outlen - 1 - got, f)) > 0)
		got += k;
	out[got] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_daemon(void)
{
	char out[4096], p[128];
	struct stat sb;

	CU_ASSERT_EQUAL(daemon_run("-c", out, sizeof(out)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "riskmeshd: -c: missing FILE"));
	CU_ASSERT_PTR_NULL(strstr(out, "unknown argument"));
	CU_ASSERT_EQUAL(daemon_run("-c -n", out, sizeof(out)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "-c: missing FILE"));
	CU_ASSERT_EQUAL(daemon_run("-n", out, sizeof(out)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "-c FILE is required"));
	CU_ASSERT_EQUAL(daemon_run("-n -c good.conf", out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "configuration OK"));
	/* -n names the line of the peer at fault, not the first peer */
	CU_ASSERT_EQUAL(daemon_run("-n -c ghost.conf", out, sizeof(out)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "ghost.conf:13: peer: peer "
	    "120000.ghost is not in roster"));
	CU_ASSERT_EQUAL(daemon_run("-n -c tls2.conf", out, sizeof(out)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "tls2.conf:8: tls_key: "));
	/* the same checks at start-up: one line, exit 1, nothing opened */
	CU_ASSERT_EQUAL(daemon_run("-c tls2.conf", out, sizeof(out)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "start-up failed: tls_key: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "is not the key of tls_cert"));
	CU_ASSERT_EQUAL(daemon_run("-c ghost.conf", out, sizeof(out)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "start-up failed: peer: peer "
	    "120000.ghost is not in roster"));
	path(p, sizeof(p), "data");
	CU_ASSERT_NOT_EQUAL(stat(p, &sb), 0);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "node_check", test_node_check },
		{ "daemon", test_daemon },
		CU_TEST_INFO_NULL,
	};
	CU_pSuite s = CU_add_suite("node.http_check", suite_init, suite_fini);

	for (CU_TestInfo *t = tests; s != NULL && t->pName != NULL; t++)
		CU_add_test(s, t->pName, t->pTestFunc);
}
